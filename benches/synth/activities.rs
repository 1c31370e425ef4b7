//! The **activity** layout ([`super::Layout::Attivita`]): objective cards with activities and a
//! 12-month plan, as the **Unione delle Terre d'Argine** prints them in its PIAO 2024-2026
//! (*Appendice "Performance"*, monitoring at 31/07/2024; seed `001`, analysis
//! `shared/docs/analysis/001.md`; the test fixture `tests/common/terre_cards.rs` rebuilds ten
//! real cards), scaled to any number of activities.
//!
//! # Sheets
//!
//! Per unit `k` (at most [`MAX_UNITS`]; past that, units get more objectives):
//!
//! - **`S{k}`**, the unit's objectives table: the title `{k}° Settore Affari generali` merged
//!   A:G, the header `Obiettivo Esecutivo | Priorità | Peso | Tipo obiettivo | Durata | Esito
//!   (monitoraggio) | Esito (consuntivo)`, one row per objective (`S1.00002 - Gestione …`, the
//!   separator ` - `, ` – ` or a space; `media`; the weight a number shown `19%`, the unit's
//!   weights summing to 100; `integrazione`; `01/01/2022 - 31/12/2024`; `54% su 70,96%`, or `=`
//!   for an objective monitored only at year end; an empty cell), and the `TOTALE (peso totale,
//!   esito %ponderata)` row (`100%`, the weighted `X% su Y%`);
//! - **`Schede S{k}`**, the unit's cards one under the other, two blank rows between them:
//!
//! | Row | A | B |
//! |---|---|---|
//! | r | code (`S1.00002`; `S1/DG.00012` for an objective of the whole ente copied into the unit) | |
//! | r+1 | internal id `(133)` | |
//! | r+2 | title | |
//! | r+3 | structure (`21.00.00.00 - U1 - AFFARI GENERALI`) | |
//! | r+4 | `Tipo obiettivo: Integrazione - Grado di strategicità: Media` | |
//! | … | `Descrizione obiettivo:` (half of the cards) | text |
//! | … | `Validità obiettivo:` | `01/01/2024 - 31/12/2024` |
//! | … | `Validità pluriennale obiettivo:` | the table's `Durata` |
//! | … | `Centro di responsabilità:` | the structure |
//! | … | `DUP Ses:` | `05.02.01.. - GESTIRE IN MODO EFFICIENTE …` |
//! | … | `Realizzazione` | Σ P.E.I |
//! | … | `Intermedio` (not on `=` copies, nor on some cards) | Σ P.E.I |
//! | … | `Peso dell'obiettivo rispetto a:` / `Obiettivo padre:` (not on some cards) | the weight |
//! | … | `Attività previste per il raggiungimento dell'obiettivo:` | |
//!
//! then one block per activity, one blank row between blocks: the 20-column header `Attività |
//! Anno | ES | | G F M A M G L A S O N D | Peso | P. Finale | P.A.I | P.E.I` (`P. finale` on some
//! cards), the `Previsto` row (name, year, ES box `☐` or no cell, month marks, Peso, P.A.I), the
//! `Effettivo` row (months worked, the P.E.I under `P.A.I`, or twice under `P. Finale` and
//! `P.E.I`), `Target attesi`, `Monitoraggio intermedio` (`IN LINEA - …`, `QUASI IN LINEA …`,
//! `NON IN LINEA: …`, or no status) and `Monitoraggio finale`, each label followed by its text
//! merged A:T. On some cards A..C of the `Previsto` row are merged with the `Effettivo` row.
//!
//! # Values
//!
//! Activity weights sum to 100 per objective (2025 phases weigh 0, as DG.00012's). The stored
//! P.A.I is the one `rules/predefinite/atteso.rhai` computes at 31/07/2024 (weight × planned
//! months up to July / planned months, 2 decimals) except about one in 25, an evaluator's
//! decision (and every `=` copy, stored 0). P.E.I follow the status: equal to the P.A.I when in
//! line (sometimes ahead, never above the weight), below it otherwise. `Realizzazione` is Σ
//! P.E.I. Percentages are stored per card as printed text with dot decimals (`1.67%`), as an
//! Italian Excel makes of typing it (whole ones become `0%` numbers), or all as numbers; month
//! marks are `O`, or the digit `0` (a number, or text).
//!
//! An Excel error (`#REF!`, a formula whose range was deleted) is planted as the stored P.A.I of
//! about one 2024 activity in [`PLANT_ONE_IN`] ([`Generated::planted`]).
//!
//! # The flat table ([`super::Layout::AttivitaTabella`])
//!
//! The same units (same seed, same values) as Terre d'Argine's `Attività S1` sheet (the fixture
//! `write_terre_s1_activity_table`), one sheet `Attività S{k}` per unit: a band row and a row of
//! month letters, then one row per activity: `Settore | Codice | Obiettivo | Peso obiettivo |
//! Esito (monitoraggio)` (merged over the objective's rows), `Attività | Anno | Peso`, twelve
//! month columns under `Previsto` and twelve under `Effettivo`, `P.A.I | P.E.I` (numbers shown
//! `0.00%`), `Monitoraggio intermedio`.

use std::path::Path;

use rust_xlsxwriter::{
    Color, Format, FormatAlign, FormatBorder, Formula, Workbook, Worksheet, XlsxError,
};

use super::{
    objective_title, paragraph, properties, split_total, wrapped_height, Generated, Planted, Rng,
    SUBJECTS,
};

/// The year monitored.
pub const YEAR: i32 = 2024;
/// The monitoring month (31/07/2024): evaluate with `EvaluateOptions::at` = 2024-07-31.
pub const MONITORING_MONTH: u32 = 7;
/// At most this many units (two sheets each).
pub const MAX_UNITS: usize = 99;
/// One planted `#REF!` in this many 2024 activities, on average.
pub const PLANT_ONE_IN: usize = 100;
/// Mixed into the seed, so that the layouts do not share their random streams.
const SEED_MIX: u64 = 0xA771_7A00_0000_0002;

const UNITS: [(&str, &str); 11] = [
    ("Affari generali", "AFFARI GENERALI"),
    ("Servizi finanziari", "SERVIZI FINANZIARI"),
    ("Tributi e riscossioni", "TRIBUTI E RISCOSSIONI"),
    ("Personale e organizzazione", "PERSONALE"),
    ("Servizi sociali", "SERVIZI SOCIALI"),
    ("Istruzione e servizi educativi", "ISTRUZIONE"),
    ("Sistemi informativi", "SISTEMI INFORMATIVI"),
    ("Sviluppo territoriale", "SVILUPPO TERRITORIALE"),
    ("Polizia Locale", "POLIZIA LOCALE"),
    ("Protezione civile", "PROTEZIONE CIVILE"),
    ("Cultura, sport e giovani", "CULTURA E SPORT"),
];

const OFFICES: [&str; 6] = [
    "ACQUISTI IN COMUNE",
    "SEGRETERIA E PROTOCOLLO",
    "CONTRATTI E GARE",
    "SPORTELLO AL CITTADINO",
    "CONTROLLO DI GESTIONE",
    "UFFICIO DI PIANO",
];

const DUP: [&str; 6] = [
    "05.02.01.. - GESTIRE IN MODO EFFICIENTE LE RISORSE DELL'ENTE",
    "05.01.03.. - POTENZIARE I SISTEMI INTERNI DI GESTIONE PER LA PREVENZIONE DELLA CORRUZIONE",
    "04.02.01.. - VALORIZZARE IN UN'OTTICA DI SVILUPPO DI TUTTO IL TERRITORIO",
    "05.02.03.. - METTERE IN CAMPO AZIONI DI RECUPERO DELL'EVASIONE",
    "03.03.01.. - AUMENTARE LA PERCEZIONE DI SICUREZZA DEI CITTADINI",
    "02.01.02.. - SOSTENERE LE FAMIGLIE E LE PERSONE FRAGILI",
];

const PHASES: [&str; 14] = [
    "raccolta dei fabbisogni ai fini della programmazione",
    "gestione sperimentale e condivisione della programmazione",
    "monitoraggio ed eventuali revisioni della programmazione",
    "condivisione con i settori interessati delle procedure",
    "aggiornamento/revisione delle linee guida",
    "Analisi dei dati ed eventuali proposte di razionalizzazione",
    "Formazione/informazione interna ed esterna",
    "Predisposizione ed emissione degli atti",
    "Gestione ricevimento pubblico - risposte alle istanze",
    "Verifica dei contenuti delle procedure",
    "Trasmissione del materiale informativo",
    "Indagine di gradimento/utilizzo dei servizi",
    "Presentazione della proposta",
    "Organizzazione e coordinamento di incontri",
];

const TARGETS: [&str; 6] = [
    "-",
    "Redazione del piano entro il 30/09/2024",
    "Reportistica utile all'analisi dei tempi",
    "almeno una procedura gestita internamente",
    "Pubblicazione del materiale e degli aggiornamenti",
    "n. 10 Faq all'anno (5 entro il 30/06/2024)",
];

const ENTE_WIDE: [(&str, &str); 2] = [
    (
        "DG",
        "Aggiornamento documenti di programmazione a seguito del cambio di consiliatura",
    ),
    (
        "SG",
        "Azioni in materia di prevenzione della corruzione e trasparenza",
    ),
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Storage {
    /// Printed text, dot decimals (`1.67%`).
    Text,
    /// Whole percentages as `0%` numbers, decimal ones as text.
    ItalianTyping,
    /// Every value a number with a percent format.
    Number,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Mark {
    LetterO,
    DigitText,
    DigitNumber,
}

#[derive(Debug, Clone)]
struct Activity {
    name: String,
    year: i32,
    planned: Vec<u32>,
    worked: Vec<u32>,
    weight: u32,
    /// Stored P.A.I, hundredths.
    pai: u32,
    /// The P.A.I the month plan gives, hundredths.
    pai_computed: u32,
    /// Stored P.E.I, hundredths.
    pei: u32,
    status: Option<&'static str>,
    target: String,
    interim: String,
    final_text: String,
    /// A `#REF!` instead of the P.A.I.
    broken_pai: bool,
    /// The P.E.I twice, under `P. Finale` and `P.E.I`.
    pei_twice: bool,
}

#[derive(Debug, Clone)]
struct Objective {
    code: String,
    id: u32,
    title: String,
    /// ` - `, ` – ` or ` ` between code and title in the unit table.
    separator: &'static str,
    priority: &'static str,
    tipo: &'static str,
    grado: &'static str,
    durata: String,
    description: Option<String>,
    structure: String,
    dup: &'static str,
    weight: u32,
    /// Monitored only at year end (`=` in the table): an objective of the whole ente.
    year_end_only: bool,
    intermedio: bool,
    padre: bool,
    storage: Storage,
    mark: Mark,
    es: bool,
    merged: bool,
    p_finale: &'static str,
    activities: Vec<Activity>,
}

impl Objective {
    fn sum_pei(&self) -> u32 {
        self.activities.iter().map(|a| a.pei).sum()
    }

    fn sum_pai(&self) -> u32 {
        self.activities.iter().map(|a| a.pai).sum()
    }
}

#[derive(Debug, Clone)]
struct Unit {
    number: usize,
    title: String,
    objectives: Vec<Objective>,
}

/// `a × b / c` rounded half up, in integers.
fn mul_div_round(a: u32, b: u32, c: u32) -> u32 {
    if c == 0 {
        return 0;
    }
    ((2 * u64::from(a) * u64::from(b) + u64::from(c)) / (2 * u64::from(c))) as u32
}

/// Hundredths as the cards print them: `54`, `32.5`, `1.67` (dot decimals).
fn dot_text(h: u32) -> String {
    format!("{}", f64::from(h) / 100.0)
}

/// Hundredths as the unit table prints them: `54`, `32,5`, `70,96`.
fn comma_text(h: u32) -> String {
    dot_text(h).replace('.', ",")
}

fn months(first: u32, last: u32) -> Vec<u32> {
    (first..=last).collect()
}

fn activity(rng: &mut Rng, weight: u32, index: usize) -> Activity {
    let (first, last) = match rng.below(8) {
        0 | 1 => (1, 12),
        2 => (rng.range(1, 6) as u32, 12),
        _ => {
            let a = rng.range(1, 12) as u32;
            let b = (a + rng.range(0, 5) as u32).min(12);
            (a, b)
        }
    };
    let planned = months(first, last);
    let due = planned.iter().filter(|m| **m <= MONITORING_MONTH).count() as u32;
    let pai_computed = mul_div_round(weight * 100, due, planned.len() as u32);
    let mut pai = pai_computed;
    if rng.chance(40) && weight > 0 {
        // An evaluator's decision: a stored value the month plan does not give.
        let alt = mul_div_round(weight * 100, rng.range(0, 100) as u32, 100);
        if alt != pai_computed {
            pai = alt;
        }
    }
    let mut worked: Vec<u32> = planned
        .iter()
        .copied()
        .filter(|m| *m <= MONITORING_MONTH)
        .collect();
    let (status, pei) = if due == 0 {
        worked.clear();
        (None, 0)
    } else {
        match rng.below(100) {
            0..=64 => {
                let ahead = rng.chance(120) && pai < weight * 100;
                let pei = if ahead {
                    pai + rng.below((weight * 100 - pai) as usize + 1) as u32
                } else {
                    pai
                };
                (Some("IN LINEA"), pei)
            }
            65..=79 => {
                worked.pop();
                (
                    Some("QUASI IN LINEA"),
                    mul_div_round(pai, rng.range(60, 95) as u32, 100),
                )
            }
            80..=91 => {
                let keep = rng.below(worked.len());
                worked.truncate(keep);
                (
                    Some("NON IN LINEA"),
                    mul_div_round(pai, rng.range(0, 50) as u32, 100),
                )
            }
            _ => (None, pai),
        }
    };
    let body = paragraph(rng, 40, 200);
    let interim = match status {
        Some(s) => {
            let sep = rng.pick(&[" - ", " ", ": ", " / "]);
            format!("{s}{sep}{body}")
        }
        None if due == 0 => "-".to_string(),
        None => body,
    };
    let head = rng.pick(&PHASES);
    let name = match rng.below(4) {
        0 => format!("{} - {head} {}", index + 1, rng.pick(&SUBJECTS)),
        1 => format!("{}. {head}", index + 1),
        _ => format!("{head} {}", rng.pick(&SUBJECTS)),
    };
    Activity {
        name,
        year: YEAR,
        planned,
        worked,
        weight,
        pai,
        pai_computed,
        pei: pei.min(weight * 100),
        status,
        target: rng.pick(&TARGETS).to_string(),
        interim,
        final_text: "-".into(),
        broken_pai: false,
        pei_twice: false,
    }
}

/// A phase of the next year (DG.00012's 2025 rows): weight 0, nothing due yet.
fn next_year_phase(rng: &mut Rng, of: &Activity) -> Activity {
    let last = rng.range(3, 7) as u32;
    Activity {
        name: of.name.clone(),
        year: YEAR + 1,
        planned: months(1, last),
        worked: Vec::new(),
        weight: 0,
        pai: 0,
        pai_computed: 0,
        pei: 0,
        status: None,
        target: "-".into(),
        interim: "-".into(),
        final_text: "-".into(),
        broken_pai: false,
        pei_twice: false,
    }
}

/// Activities per objective (`None` for a year-end copy of an ente-wide objective), with `n`
/// activities in all.
fn shapes(rng: &mut Rng, n: usize) -> Vec<Option<usize>> {
    let mut out = Vec::new();
    let mut left = n;
    while left > 0 {
        if rng.chance(80) {
            out.push(None);
            left -= 1;
            continue;
        }
        let k = match rng.below(20) {
            0 | 1 => 1,
            2..=6 => rng.range(2, 3) as usize,
            7..=16 => rng.range(4, 6) as usize,
            _ => rng.range(7, 8) as usize,
        };
        let k = k.min(left);
        left -= k;
        out.push(Some(k));
    }
    out
}

fn build(rng: &mut Rng, n: usize) -> Vec<Unit> {
    let shapes = shapes(rng, n);
    let per_unit = shapes.len().div_ceil(MAX_UNITS).max(9);
    let mut units: Vec<Unit> = Vec::new();
    let mut id = 100 + rng.below(50) as u32;
    let mut next = 0;
    while next < shapes.len() {
        let number = units.len() + 1;
        let size = if per_unit > 9 {
            per_unit
        } else {
            rng.range(4, 9) as usize
        }
        .min(shapes.len() - next);
        let group = &shapes[next..next + size];
        next += size;
        let (name, upper) = UNITS[(number - 1) % UNITS.len()];
        let code_base = 20 + number;
        let main_structure = format!("{code_base}.00.00.00 - U{number} - {upper}");
        let weights = split_total(rng, 100, size, 1);
        let mut serial = rng.range(1, 4) as u32;
        let mut objectives = Vec::new();
        for (shape, &weight) in group.iter().zip(&weights) {
            id += 1 + rng.below(6) as u32;
            let storage = match rng.below(3) {
                0 => Storage::Text,
                1 => Storage::ItalianTyping,
                _ => Storage::Number,
            };
            let mark = match rng.below(20) {
                0 => Mark::DigitNumber,
                1 => Mark::DigitText,
                _ => Mark::LetterO,
            };
            let structure = if rng.chance(700) {
                main_structure.clone()
            } else {
                let j = rng.range(1, 6);
                format!(
                    "{code_base}.0{j}.00.00 - U{number}.{j} {}",
                    rng.pick(&OFFICES)
                )
            };
            let mut o = Objective {
                code: String::new(),
                id,
                title: String::new(),
                separator: rng.pick(&[" - ", " - ", " – ", " "]),
                priority: rng.pick(&["alta", "media", "media", "bassa"]),
                tipo: rng.pick(&["integrazione", "consolidamento", "sviluppo"]),
                grado: rng.pick(&["Alta", "Media", "Bassa"]),
                durata: String::new(),
                description: rng.chance(500).then(|| paragraph(rng, 80, 300)),
                structure,
                dup: rng.pick(&DUP),
                weight,
                year_end_only: false,
                intermedio: rng.chance(800),
                padre: rng.chance(900),
                storage,
                mark,
                es: rng.chance(700),
                merged: rng.chance(300),
                p_finale: if rng.chance(500) {
                    "P. Finale"
                } else {
                    "P. finale"
                },
                activities: Vec::new(),
            };
            match shape {
                None => {
                    let (prefix, title) = rng.pick(&ENTE_WIDE);
                    let dg = 1 + rng.below(30);
                    o.code = format!("S{number}/{prefix}.{dg:05}");
                    o.title = format!("{title} - Obiettivo trasversale di Ente");
                    o.year_end_only = true;
                    o.intermedio = false;
                    o.durata = "01/01/2024 - 31/12/2024".into();
                    let planned = months(1, 12);
                    let due = MONITORING_MONTH;
                    o.activities.push(Activity {
                        name: format!("Vedi obiettivo {prefix}.{dg:05}"),
                        year: YEAR,
                        planned,
                        worked: months(1, MONITORING_MONTH),
                        weight: 100,
                        pai: 0,
                        pai_computed: mul_div_round(100 * 100, due, 12),
                        pei: 0,
                        status: None,
                        target: "-".into(),
                        interim: "Il monitoraggio viene effettuato a consuntivo, in sede di verifica finale.".into(),
                        final_text: "-".into(),
                        broken_pai: false,
                        pei_twice: false,
                    });
                }
                Some(k) => {
                    serial += 1 + rng.below(4) as u32;
                    o.code = format!("S{number}.{serial:05}");
                    o.title = objective_title(rng);
                    let from = rng.range(2022, 2024);
                    // A few objectives carry phases into the next year (weight 0).
                    let next_year = *k >= 3 && rng.chance(100);
                    let to = if next_year { YEAR + 1 } else { YEAR };
                    o.durata = format!("01/01/{from} - 31/12/{to}");
                    let k2024 = if next_year { k - 1 } else { *k };
                    let weights = split_total(rng, 100, k2024, 5);
                    for (i, w) in weights.into_iter().enumerate() {
                        let mut a = activity(rng, w, i);
                        a.broken_pai = rng.chance(1000 / PLANT_ONE_IN);
                        a.pei_twice = rng.chance(200);
                        o.activities.push(a);
                    }
                    if next_year {
                        let of = rng.below(o.activities.len());
                        let phase = next_year_phase(rng, &o.activities[of]);
                        o.activities.insert(of + 1, phase);
                    }
                }
            }
            objectives.push(o);
        }
        units.push(Unit {
            number,
            title: format!("{number}° Settore {name}"),
            objectives,
        });
    }
    units
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/// Column of `Attività` (A) … `P.E.I` (T) in an activity block.
const COL_KIND: u16 = 3;
const COL_FIRST_MONTH: u16 = 4;
const COL_PESO: u16 = 16;
const COL_P_FINALE: u16 = 17;
const COL_PAI: u16 = 18;
const COL_PEI: u16 = 19;
const LAST_COL: u16 = 19;
const MONTH_LETTERS: [&str; 12] = ["G", "F", "M", "A", "M", "G", "L", "A", "S", "O", "N", "D"];
const TABLE_HEADER: [&str; 7] = [
    "Obiettivo Esecutivo",
    "Priorità",
    "Peso",
    "Tipo obiettivo",
    "Durata",
    "Esito (monitoraggio)",
    "Esito (consuntivo)",
];

struct Formats {
    title: Format,
    header: Format,
    text: Format,
    wrap: Format,
    label: Format,
    cell: Format,
    centre: Format,
    code: Format,
    total: Format,
    pct0: Format,
    pct1: Format,
    pct2: Format,
}

impl Formats {
    fn new() -> Self {
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Top);
        Formats {
            title: Format::new().set_bold().set_font_size(13),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0xD9E1F2)),
            text: cell.clone(),
            wrap: cell.clone().set_text_wrap(),
            label: Format::new().set_bold(),
            centre: cell.clone().set_align(FormatAlign::Center),
            code: Format::new().set_bold().set_font_size(12),
            total: cell.clone().set_bold(),
            pct0: cell.clone().set_num_format("0%"),
            pct1: cell.clone().set_num_format("0.0%"),
            pct2: cell.clone().set_num_format("0.00%"),
            cell,
        }
    }

    /// The percent format with as many decimals as `h` hundredths need.
    fn percent(&self, h: u32) -> &Format {
        match h % 100 {
            0 => &self.pct0,
            x if x % 10 == 0 => &self.pct1,
            _ => &self.pct2,
        }
    }
}

/// Writes a percentage (hundredths of a point) the way `storage` says.
fn write_percent(
    ws: &mut Worksheet,
    (row, col): (u32, u16),
    h: u32,
    storage: Storage,
    f: &Formats,
) -> Result<(), XlsxError> {
    let text = dot_text(h);
    let whole = h.is_multiple_of(100);
    let as_number = match storage {
        Storage::Text => false,
        Storage::ItalianTyping => whole,
        Storage::Number => true,
    };
    if as_number {
        // The double nearest the decimal fraction, as Excel stores a typed `4.17%`.
        let value: f64 = format!("{text}e-2").parse().expect("a decimal");
        ws.write_number_with_format(row, col, value, f.percent(h))?;
    } else {
        ws.write_string_with_format(row, col, format!("{text}%"), &f.text)?;
    }
    Ok(())
}

fn write_mark(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    mark: Mark,
    f: &Formats,
) -> Result<(), XlsxError> {
    match mark {
        Mark::LetterO => ws.write_string_with_format(row, col, "O", &f.centre)?,
        Mark::DigitText => ws.write_string_with_format(row, col, "0", &f.centre)?,
        Mark::DigitNumber => ws.write_number_with_format(row, col, 0.0, &f.centre)?,
    };
    Ok(())
}

fn write_table(ws: &mut Worksheet, unit: &Unit, f: &Formats) -> Result<(), XlsxError> {
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    for (c, w) in [70.0, 10.0, 8.0, 16.0, 24.0, 20.0, 14.0].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.merge_range(0, 0, 0, 6, &unit.title, &f.title)?;
    for (c, h) in TABLE_HEADER.iter().enumerate() {
        ws.write_string_with_format(1, c as u16, *h, &f.header)?;
    }
    ws.set_row_height(1, 30)?;
    let pct0 = &f.pct0;
    let (mut total_pei, mut total_pai) = (0u64, 0u64);
    for (i, o) in unit.objectives.iter().enumerate() {
        let row = 2 + i as u32;
        let title = format!("{}{}{}", o.code, o.separator, o.title);
        ws.write_string_with_format(row, 0, &title, &f.wrap)?;
        ws.set_row_height(row, wrapped_height(&title, 75))?;
        ws.write_string_with_format(row, 1, o.priority, &f.text)?;
        ws.write_number_with_format(row, 2, f64::from(o.weight) / 100.0, pct0)?;
        ws.write_string_with_format(row, 3, o.tipo, &f.text)?;
        ws.write_string_with_format(row, 4, &o.durata, &f.text)?;
        let esito = if o.year_end_only {
            "=".to_string()
        } else {
            total_pei += u64::from(o.weight) * u64::from(o.sum_pei());
            total_pai += u64::from(o.weight) * u64::from(o.sum_pai());
            format!(
                "{}% su {}%",
                comma_text(o.sum_pei()),
                comma_text(o.sum_pai())
            )
        };
        ws.write_string_with_format(row, 5, &esito, &f.text)?;
        ws.write_blank(row, 6, &f.text)?;
    }
    let row = 2 + unit.objectives.len() as u32;
    // Σ weight × objective / 100, the `=` objectives counting 0 (hundredths, rounded).
    let round = |x: u64| ((x + 50) / 100) as u32;
    ws.write_string_with_format(row, 0, "TOTALE (peso totale, esito %ponderata)", &f.total)?;
    ws.write_blank(row, 1, &f.total)?;
    ws.write_number_with_format(row, 2, 1.0, pct0)?;
    for c in [3u16, 4, 6] {
        ws.write_blank(row, c, &f.total)?;
    }
    ws.write_string_with_format(
        row,
        5,
        format!(
            "{}% su {}%",
            comma_text(round(total_pei)),
            comma_text(round(total_pai))
        ),
        &f.total,
    )?;
    Ok(())
}

fn set_card_widths(ws: &mut Worksheet) -> Result<(), XlsxError> {
    ws.set_column_width(0, 60.0)?;
    ws.set_column_width(1, 16.0)?;
    ws.set_column_width(2, 4.0)?;
    ws.set_column_width(3, 10.0)?;
    for c in 4..16 {
        ws.set_column_width(c, 3.0)?;
    }
    for c in 16..20 {
        ws.set_column_width(c, 9.0)?;
    }
    Ok(())
}

/// Writes one card from `row`; returns the row after it.
fn write_card(
    ws: &mut Worksheet,
    sheet: &str,
    mut row: u32,
    o: &Objective,
    f: &Formats,
    planted: &mut Vec<Planted>,
) -> Result<u32, XlsxError> {
    ws.write_string_with_format(row, 0, &o.code, &f.code)?;
    ws.write_string(row + 1, 0, format!("({})", o.id))?;
    ws.write_string_with_format(row + 2, 0, &o.title, &f.label)?;
    ws.write_string(row + 3, 0, &o.structure)?;
    let tipo = {
        let mut c = o.tipo.chars();
        let first = c.next().map(|x| x.to_uppercase().collect::<String>());
        format!("{}{}", first.unwrap_or_default(), c.as_str())
    };
    ws.write_string(
        row + 4,
        0,
        format!(
            "Tipo obiettivo: {tipo} - Grado di strategicità: {}",
            o.grado
        ),
    )?;
    row += 5;
    let mut label =
        |ws: &mut Worksheet, text: &str, value: Option<&str>| -> Result<u32, XlsxError> {
            ws.write_string_with_format(row, 0, text, &f.label)?;
            if let Some(v) = value {
                ws.write_string(row, 1, v)?;
            }
            row += 1;
            Ok(row - 1)
        };
    if let Some(d) = &o.description {
        label(ws, "Descrizione obiettivo:", Some(d))?;
    }
    label(ws, "Validità obiettivo:", Some("01/01/2024 - 31/12/2024"))?;
    label(ws, "Validità pluriennale obiettivo:", Some(&o.durata))?;
    label(ws, "Centro di responsabilità:", Some(&o.structure))?;
    label(ws, "DUP Ses:", Some(o.dup))?;
    let r = label(ws, "Realizzazione", None)?;
    write_percent(ws, (r, 1), o.sum_pei(), o.storage, f)?;
    if o.intermedio {
        let r = label(ws, "Intermedio", None)?;
        write_percent(ws, (r, 1), o.sum_pei(), o.storage, f)?;
    }
    if o.padre {
        label(ws, "Peso dell'obiettivo rispetto a:", None)?;
        let r = label(ws, "Obiettivo padre:", None)?;
        write_percent(ws, (r, 1), o.weight * 100, o.storage, f)?;
    }
    label(
        ws,
        "Attività previste per il raggiungimento dell'obiettivo:",
        None,
    )?;

    let mut header: [&str; 20] = [""; 20];
    header[0] = "Attività";
    header[1] = "Anno";
    header[2] = "ES";
    header[4..16].copy_from_slice(&MONTH_LETTERS);
    header[16] = "Peso";
    header[17] = o.p_finale;
    header[18] = "P.A.I";
    header[19] = "P.E.I";
    for a in &o.activities {
        for (c, h) in header.iter().enumerate() {
            if h.is_empty() {
                ws.write_blank(row, c as u16, &f.header)?;
            } else {
                ws.write_string_with_format(row, c as u16, *h, &f.header)?;
            }
        }
        let (p, e) = (row + 1, row + 2);
        if o.merged {
            ws.merge_range(p, 0, e, 0, &a.name, &f.wrap)?;
            ws.merge_range(p, 1, e, 1, "", &f.text)?;
            ws.write_number_with_format(p, 1, f64::from(a.year), &f.text)?;
            ws.merge_range(p, 2, e, 2, if o.es { "☐" } else { "" }, &f.centre)?;
        } else {
            ws.write_string_with_format(p, 0, &a.name, &f.wrap)?;
            ws.write_number_with_format(p, 1, f64::from(a.year), &f.text)?;
            if o.es {
                ws.write_string_with_format(p, 2, "☐", &f.centre)?;
            }
        }
        ws.write_string_with_format(p, COL_KIND, "Previsto", &f.text)?;
        ws.write_string_with_format(e, COL_KIND, "Effettivo", &f.text)?;
        for &m in &a.planned {
            write_mark(ws, p, COL_FIRST_MONTH + m as u16 - 1, o.mark, f)?;
        }
        for &m in &a.worked {
            write_mark(ws, e, COL_FIRST_MONTH + m as u16 - 1, o.mark, f)?;
        }
        write_percent(ws, (p, COL_PESO), a.weight * 100, o.storage, f)?;
        if a.broken_pai {
            planted.push(Planted {
                sheet: sheet.to_string(),
                row: p,
                col: u32::from(COL_PAI),
                text: "#REF!".into(),
                kind: "errore-excel",
            });
            let formula = Formula::new("=ROUND(#REF!*Q1/12,2)").set_result("#REF!");
            ws.write_formula_with_format(p, COL_PAI, formula, &f.text)?;
        } else {
            write_percent(ws, (p, COL_PAI), a.pai, o.storage, f)?;
        }
        let pei_cols: &[u16] = if a.pei_twice {
            &[COL_P_FINALE, COL_PEI]
        } else {
            &[COL_PAI]
        };
        for &c in pei_cols {
            write_percent(ws, (e, c), a.pei, o.storage, f)?;
        }
        let h = wrapped_height(&a.name, 60).max(30.0) / 2.0;
        ws.set_row_height(p, h)?;
        ws.set_row_height(e, h)?;
        let mut r = row + 3;
        for (label, text) in [
            ("Target attesi", &a.target),
            ("Monitoraggio intermedio", &a.interim),
            ("Monitoraggio finale", &a.final_text),
        ] {
            ws.write_string_with_format(r, 0, label, &f.label)?;
            ws.merge_range(r + 1, 0, r + 1, LAST_COL, text, &f.wrap)?;
            ws.set_row_height(r + 1, wrapped_height(text, 150))?;
            r += 2;
        }
        // One blank row between two activities.
        row = r + 1;
    }
    Ok(row)
}

fn new_workbook() -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    // The fastest deflate: generating large workbooks is mostly compressing their XML.
    wb.set_zip_compression_level(1);
    wb.set_properties(&properties(
        "PIAO 2024-2026 - Appendice Performance - Monitoraggio al 31/07/2024 - dati sintetici",
        "Unione dei Comuni di Sintesi",
    )?);
    Ok(wb)
}

/// What the units hold, in [`Generated`] terms.
fn summarise(units: &[Unit], generated: &mut Generated) {
    for unit in units {
        generated.areas += 1;
        for o in &unit.objectives {
            generated.objectives += 1;
            for a in &o.activities {
                generated.activities += 1;
                let kind = if a.year > YEAR {
                    "anno_successivo"
                } else if a.broken_pai {
                    "pai_mancante"
                } else if a.pai != a.pai_computed {
                    "pai_modificato"
                } else {
                    "pai_uguale"
                };
                generated.count_activity(kind);
                generated.count_activity(a.status.unwrap_or("senza stato"));
            }
        }
    }
}

/// Writes the activity workbook of `n` activities (see the module docs).
pub(super) fn generate(path: &Path, n: usize, seed: u64) -> Result<Generated, XlsxError> {
    let mut rng = Rng::new(seed ^ SEED_MIX);
    let units = build(&mut rng, n);
    let f = Formats::new();
    let mut wb = new_workbook()?;
    // The reader takes the reporting year from indicator rows; activities have none.
    let mut generated = Generated::default();
    let mut planted = Vec::new();
    for unit in &units {
        let table = format!("S{}", unit.number);
        let ws = wb.add_worksheet();
        ws.set_name(&table)?;
        write_table(ws, unit, &f)?;
        generated.sheets.push(table);

        let cards = format!("Schede S{}", unit.number);
        let ws = wb.add_worksheet();
        ws.set_name(&cards)?;
        ws.set_landscape();
        ws.set_print_fit_to_pages(1, 0);
        set_card_widths(ws)?;
        let mut row = 0;
        for o in &unit.objectives {
            let end = write_card(ws, &cards, row, o, &f, &mut planted)?;
            // Two blank rows between cards (the last activity left one).
            row = end + 1;
        }
        generated.sheets.push(cards);
    }
    summarise(&units, &mut generated);
    generated.planted = planted;
    wb.save(path)?;
    Ok(generated)
}

/// Columns of the flat activity table (Terre d'Argine's `Attività S1`, as the fixture
/// `write_terre_s1_activity_table` has it).
const FLAT_HEADERS: [(u16, &str); 11] = [
    (0, "Settore"),
    (1, "Codice"),
    (2, "Obiettivo"),
    (3, "Peso obiettivo"),
    (4, "Esito (monitoraggio)"),
    (5, "Attività"),
    (6, "Anno"),
    (7, "Peso"),
    (32, "P.A.I"),
    (33, "P.E.I"),
    (34, "Monitoraggio intermedio"),
];
const FLAT_PREVISTO: u16 = 8;
const FLAT_EFFETTIVO: u16 = 20;
const FLAT_PAI: u16 = 32;
const FLAT_PEI: u16 = 33;
const FLAT_MONITORAGGIO: u16 = 34;

/// The same units as [`generate`] (same seed, same activities, same values), one flat table
/// per unit: sheet `Attività S{k}` (see the module docs).
pub(super) fn generate_flat(path: &Path, n: usize, seed: u64) -> Result<Generated, XlsxError> {
    let mut rng = Rng::new(seed ^ SEED_MIX);
    let units = build(&mut rng, n);
    let f = Formats::new();
    let mut wb = new_workbook()?;
    let mut generated = Generated::default();
    for unit in &units {
        let name = format!("Attività S{}", unit.number);
        let ws = wb.add_worksheet();
        ws.set_name(&name)?;
        write_flat(ws, &name, unit, &f, &mut generated.planted)?;
        generated.sheets.push(name);
    }
    summarise(&units, &mut generated);
    wb.save(path)?;
    Ok(generated)
}

fn write_flat(
    ws: &mut Worksheet,
    sheet: &str,
    unit: &Unit,
    f: &Formats,
    planted: &mut Vec<Planted>,
) -> Result<(), XlsxError> {
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    for (c, w) in [
        (0u16, 18.0),
        (1, 12.0),
        (2, 40.0),
        (3, 9.0),
        (4, 16.0),
        (5, 50.0),
        (6, 6.0),
        (7, 7.0),
        (FLAT_PAI, 8.0),
        (FLAT_PEI, 8.0),
        (FLAT_MONITORAGGIO, 70.0),
    ] {
        ws.set_column_width(c, w)?;
    }
    for c in FLAT_PREVISTO..FLAT_PAI {
        ws.set_column_width(c, 3.0)?;
    }
    for (c, h) in FLAT_HEADERS {
        ws.merge_range(0, c, 1, c, h, &f.header)?;
    }
    for (first, label) in [(FLAT_PREVISTO, "Previsto"), (FLAT_EFFETTIVO, "Effettivo")] {
        ws.merge_range(0, first, 0, first + 11, label, &f.header)?;
        for (i, l) in MONTH_LETTERS.iter().enumerate() {
            ws.write_string_with_format(1, first + i as u16, *l, &f.header)?;
        }
    }
    ws.set_freeze_panes(2, 0)?;

    let mut row = 2u32;
    for o in &unit.objectives {
        let (a, b) = (row, row + o.activities.len() as u32 - 1);
        let esito = if o.year_end_only {
            "=".to_string()
        } else {
            format!(
                "{}% su {}%",
                comma_text(o.sum_pei()),
                comma_text(o.sum_pai())
            )
        };
        for (c, text) in [
            (0u16, unit.title.as_str()),
            (1, o.code.as_str()),
            (2, o.title.as_str()),
            (4, esito.as_str()),
        ] {
            if b > a {
                ws.merge_range(a, c, b, c, text, &f.wrap)?;
            } else {
                ws.write_string_with_format(a, c, text, &f.wrap)?;
            }
        }
        if b > a {
            ws.merge_range(a, 3, b, 3, "", &f.pct0)?;
        }
        ws.write_number_with_format(a, 3, f64::from(o.weight) / 100.0, &f.pct0)?;
        for (i, act) in o.activities.iter().enumerate() {
            let r = a + i as u32;
            ws.write_string_with_format(r, 5, &act.name, &f.wrap)?;
            ws.write_number_with_format(r, 6, f64::from(act.year), &f.text)?;
            ws.write_number_with_format(r, 7, f64::from(act.weight) / 100.0, &f.pct0)?;
            for &m in &act.planned {
                write_mark(ws, r, FLAT_PREVISTO + m as u16 - 1, o.mark, f)?;
            }
            for &m in &act.worked {
                write_mark(ws, r, FLAT_EFFETTIVO + m as u16 - 1, o.mark, f)?;
            }
            if act.broken_pai {
                planted.push(Planted {
                    sheet: sheet.to_string(),
                    row: r,
                    col: u32::from(FLAT_PAI),
                    text: "#REF!".into(),
                    kind: "errore-excel",
                });
                let formula = Formula::new("=ROUND(#REF!*H3/12,2)").set_result("#REF!");
                ws.write_formula_with_format(r, FLAT_PAI, formula, &f.pct2)?;
            } else {
                write_percent(ws, (r, FLAT_PAI), act.pai, Storage::Number, f)?;
            }
            write_percent(ws, (r, FLAT_PEI), act.pei, Storage::Number, f)?;
            ws.write_string_with_format(r, FLAT_MONITORAGGIO, &act.interim, &f.wrap)?;
            let h = wrapped_height(&act.interim, 70).max(wrapped_height(&act.name, 50));
            ws.set_row_height(r, h)?;
        }
        row = b + 1;
    }
    Ok(())
}
