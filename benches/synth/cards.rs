//! The **card** layout ([`super::Layout::Schede`]): objective cards (*schede obiettivo*) as the
//! **Comune di Casalgrande** lays them out in its PIAO (*Sottosezione 2.2 Performance*, seed
//! `000`, analysis `shared/docs/analysis/000.md`; the test fixture `tests/common/casalgrande.rs`
//! rebuilds the real one), scaled to any number of indicators. Plan 2024-2026, reporting year
//! 2024.
//!
//! # Sheet `Performance` (and `Performance (2)`, … past [`SHEET_ROWS`] rows)
//!
//! The first sheet opens with the preamble (title, legal paragraph, the `Classificazione
//! obiettivi di performance` legend, number in A and text in B). Then, for each sector:
//!
//! - a banner `SETTORE FINANZIARIO (4 OBIETTIVI)` merged over the card's width, bold; the
//!   count is the number of cards that follow;
//! - its cards, each followed by one blank row:
//!
//! | Row | Content |
//! |---|---|
//! | `Classificazione` | A the label (bold), B the value merged B:last (a legend entry, two joined with ` - `, or `Efficacia`, which is not in the legend) |
//! | `Titolo` | same |
//! | `Settore/Cdr` | same (the sector's name as the card spells it: `Attività Produttive` under `SETTORE SUAP`) |
//! | header box | `Stakeholder finali/destinatari`, `Contributor/Stakeholder intermedio (…)`, `Raccordo/Collegamento Obiettivo strategico/Obiettivo operativo sottosez. 2.1`, `Dirigente/posizione responsabile`, `PNRR`, `Raccordo con Piano anticorruzione/…` (+ `Peso (in % max 100)` in variant C), each header merged over a span of columns |
//! | box values | under their headers, same spans |
//! | indicator header | one of the variants below |
//! | 2024 rows | one per indicator; `Anno` on the first row only; the weight either one cell merged vertically over the year's rows, or one cell per indicator (the objective weighs their sum, `5% + 5%`) |
//! | 2025, 2026 rows | a placeholder row (`2025` and nothing else, or `2025` and dashes), or the indicators again with the plan's targets and no actual value (scored `anno_di_piano`) |
//! | status rows | `Stato di attuazione al 30/06/2024` and `Stato di attuazione al 31/12/2024` (or `STATO DI ATTUAZIONE AL 31/12/2024`, `Resoconto al 31/12/2024`, the label split over two cells), A the label, the narrative merged to the last column |
//!
//! Indicator header variants, one per sector (the four of the real document, and one more):
//!
//! - **A** `Anno | Indicatore (dimensione/formula di performance di efficacia e di efficienza) |
//!   Tempistica (entro il) | Baseline (o stato del bisogno) | Target a preventivo | Target
//!   intermedio | Target raggiunto | Peso (in % max 100) | Fonte di verifica dei dati`;
//! - **B** (Affari Generali) `Target | Risultato intermedio | Risultato finale` instead;
//! - **C** (Servizi Scolastici) no `Peso` column: the weight is in the header box;
//! - **D** (Entrate) `Indicatore (dimensione/ formula …)`, a space after the slash;
//! - **E** not in the seed: a sector that adopted the evaluator's model (the common practice of
//!   `DOMAIN.md`): `Anno | Indicatore | Formula | Metodo | Tempistica (entro il) | Baseline |
//!   Target | Soglia minima | Risultato finale | % raggiungimento | Peso (in % max 100) | Note`,
//!   so that the methods a column chooses (baseline → target, thresholds, manual score with a
//!   note, not assessable) and «1 = fatto 0 = non fatto» formulas occur.
//!
//! A page footer ([`FOOTER`]) is left alone in its row every [`PAGE_ROWS`] rows or so, as a PDF
//! → Excel round trip leaves it: before the next card or banner, or, once the sheet has three
//! of them (the reader recognises a footer by its repeats), inside a long monitoring text,
//! which then goes on in the row after it with column A empty (Casalgrande AG3), or inside the
//! last 2024 indicator row, whose text ends alone in the row after the footer (EN3; the reader
//! joins it with an `info` finding, listed in [`Generated::planted`] as `riga-spezzata`).
//!
//! # Values
//!
//! Sector weights sum to 100 for 2024 (multiples of 5 where they can). Each sector stores its
//! cells one way: weights as `40%` text or as numbers (0.4 with a `0%` format; now and then a
//! bare `30`), dates as Excel dates (`dd/mm/yyyy`) or as text (`31/12/2024`, `31.12.2024`,
//! `Entro il 30/09/2024`). Targets and actual values are numbers (also with a `0%` or a `€`
//! format) or Italian text: `3.800`, `206.123,00 €`, `95%`, `92,5%`, `>= 6`, `almeno 2`, `n.
//! 37`, `- 15gg`, `non inferiore a - 15gg`, `-23,15`, `30 gg`, deliverables in words (`CCDI
//! rinnovato`, `fatto`), placeholders (`-`, `n.d.`, `Rilevazione non disponibile`).
//!
//! Methods the default rules choose ([`Generated::methods`]): `rapporto` (counts, percentages,
//! amounts, deliverables written in words), `minore_migliore` (names starting with `Tempo medio`
//! / `Tempi medi`, the payment-timeliness indicator), `scadenza` (a date as target, the
//! completion date as actual), `anno_di_piano` (the 2025 and 2026 rows), and in variant E also
//! `fatto_non_fatto`, `baseline_target`, `soglie`, `manuale` and `indicatore_non_valutabile`.
//!
//! Broken values are planted in about one 2024 ratio indicator in 50 ([`Generated::planted`]):
//! a date that does not exist in `Tempistica` (`31.04.2024`, `31/06/2024`, `17/17/2024`), a
//! broken number as the actual value (`1.297,888,00`), or an Excel error (`#REF!`, a formula
//! whose range was deleted) as the actual value; errors for the reader. Two more, warnings:
//! several values packed in a baseline cell (`- n. 5 sezioni - n. 45 posti`, SS5) and the date
//! typo of a monitoring label (`Stato di attuazione al 31/2/2024`, L541).

use std::path::Path;

use rust_xlsxwriter::{
    Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, Workbook, Worksheet,
    XlsxError,
};

use super::{
    italian_number, objective_title, paragraph, properties, split_total, wrapped_height, Generated,
    Planted, Rng, SUBJECTS,
};

/// Name of the first sheet; the next ones are `Performance (2)`, `Performance (3)`, …
pub const FIRST_SHEET: &str = "Performance";
/// The year the monitoring texts and actual values are about (the plan's first year).
pub const REPORTING_YEAR: i32 = 2024;
/// The page footer left in the cells.
pub const FOOTER: &str =
    "Comune di Sintesi - Piano Integrato di Attività e Organizzazione 2024-2026";
/// Rows between two page footers (the footer falls before the next card or banner).
pub const PAGE_ROWS: u32 = 45;
/// A new sheet starts at the first sector after this many rows.
pub const SHEET_ROWS: u32 = 200_000;
/// At most this many sectors; past that, sectors get more cards (the banner says how many).
pub const MAX_SECTORS: usize = 99;
/// One broken value in this many 2024 ratio indicators, on average.
pub const PLANT_ONE_IN: usize = 50;

/// The classification legend of the preamble (Casalgrande, L14–L19).
const LEGEND: [&str; 6] = [
    "Accessibilità, fisica e digitale, alle amministrazioni da parte dei cittadini ultrasessantacinquenni e dei cittadini con disabilità",
    "Semplificazione e reingegnerizzazione, secondo Agenda Semplificazione",
    "Digitalizzazione previsti dall'Agenda Digitale",
    "Prevenzione della corruzione",
    "Efficienza",
    "Pari opportunità ed equilibrio di genere",
];

/// (banner name, `Settore/Cdr` on the cards).
const SECTORS: [(&str, &str); 16] = [
    ("FINANZIARIO", "Finanziario"),
    ("AFFARI GENERALI", "Affari generali"),
    ("LAVORI PUBBLICI", "Lavori Pubblici e Patrimonio"),
    ("PIANIFICAZIONE TERRITORIALE", "Pianificazione Territoriale"),
    ("SUAP", "Attività Produttive"),
    (
        "SERVIZI DEMOGRAFICI ED ELETTORALE",
        "Servizi demografici ed elettorale",
    ),
    ("VITA DELLA COMUNITÀ", "Settore Vita della Comunità"),
    ("ENTRATE", "Entrate"),
    ("SERVIZI SCOLASTICI", "Servizi scolastici ed educativi"),
    ("POLIZIA LOCALE", "Polizia Locale"),
    ("AMBIENTE", "Ambiente e Sostenibilità"),
    ("SERVIZI SOCIALI", "Servizi sociali e Welfare"),
    ("CULTURA E SPORT", "Cultura, Sport e Tempo libero"),
    ("PERSONALE E ORGANIZZAZIONE", "Gestione Unica del Personale"),
    ("SISTEMI INFORMATIVI", "Sistemi Informativi"),
    ("URBANISTICA ED EDILIZIA PRIVATA", "Urbanistica ed Edilizia"),
];

const STAKEHOLDERS: [&str; 8] = [
    "Cittadini",
    "Dipendenti",
    "Imprese del territorio",
    "Servizi dell'Ente Dirigenti e Organi politici comuni Unione Servizi dell'Ente e correlati utenti",
    "Cittadini con divario digitale",
    "Famiglie con figli minori",
    "Associazioni del territorio",
    "Utenti dei servizi scolastici",
];

const CONTRIBUTORS: [&str; 7] = [
    "-",
    "",
    "Gestione Unica del Personale",
    "AUSL/ARPAE",
    "Servizi dell'Ente",
    "=",
    "Iren Ambiente SPA Municipia SPA",
];

const LINKS: [&str; 6] = [
    "98 (13). Semplificare le procedure amministrative attraverso l'uso delle nuove tecnologie, incentivando la ricerca di forme innovative e di best practice.",
    "OS 3.2 - Garantire la sostenibilità economica e finanziaria dell'ente",
    "2.1.4 Transizione digitale e servizi online",
    "OS 1.1 - Sicurezza urbana e presidio del territorio",
    "101 (5). Valorizzare il patrimonio pubblico e migliorarne l'efficienza energetica.",
    "OS 4.3 - Sostenere le famiglie e le fasce deboli della popolazione",
];

const MANAGERS: [&str; 6] = [
    "Dott.ssa Maria Rossi",
    "Ing. Paolo Bianchi",
    "Dott. Luca Ferrari",
    "Dott.ssa Giulia Esposito",
    "Arch. Anna Romano",
    "Dott. Marco Colombo",
];

const PNRR: [&str; 6] = [
    "-",
    "----",
    "",
    "Misura n. 1.4.1 Servizi e cittadinanza digitale",
    "M1C3-Turismo e Cultura 4.0 - 1.3: Migliorare l'efficienza energetica di cinema, teatri e musei",
    "-",
];

const ANTICORRUPTION: [&str; 5] = [
    "-",
    "----",
    "Misura generale: trasparenza e pubblicazione dei dati",
    "Rotazione del personale addetto alle aree a rischio",
    "Controlli a campione sulle autocertificazioni",
];

const SOURCES: [&str; 7] = [
    "Relazione a consuntivo",
    "Albo pretorio/Segreteria",
    "Sezione Amministrazione trasparente e allegato al Rendiconto 2024",
    "Gestionale contabilità",
    "Protocollo informatico",
    "Report dell'ufficio",
    "Verbali della commissione",
];

/// Names of counted indicators (ratio): a head, then a subject.
const COUNT_HEADS: [&str; 8] = [
    "n. incontri formativi realizzati nell'ambito",
    "Numero di pratiche istruite nell'ambito",
    "Numero di controlli effettuati nell'ambito",
    "n. comunicati stampa pubblicati sull'attività",
    "Numero di utenti raggiunti nell'ambito",
    "Numero di accessi al portale per la gestione",
    "n. sopralluoghi effettuati per la verifica",
    "Numero di sedute di commissione per la gestione",
];

const PERCENT_HEADS: [&str; 5] = [
    "Percentuale di pratiche evase entro 30 giorni nell'ambito",
    "% di istanze con risposta entro i termini nell'ambito",
    "Percentuale di avanzamento",
    "Grado di copertura del servizio nell'ambito",
    "% di posizioni verificate nell'ambito",
];

const AMOUNT_HEADS: [&str; 4] = [
    "Importo riscosso a seguito di accertamenti nell'ambito",
    "Entrate accertate per la gestione",
    "Risparmio di spesa conseguito nella gestione",
    "Contributi ottenuti per il finanziamento",
];

/// Lower is better by name (`rules/predefinite/indicatori.rhai`, `polarita`).
const TIME_HEADS: [&str; 4] = [
    "Tempo medio di rilascio delle autorizzazioni nell'ambito",
    "Tempo medio di risposta alle istanze nell'ambito",
    "Tempi medi di conclusione dei procedimenti nell'ambito",
    "Tempo medio di pagamento delle fatture relative alla gestione",
];

const DEADLINE_HEADS: [&str; 6] = [
    "Approvazione degli atti per la gestione",
    "Pubblicazione del bando per l'affidamento",
    "Adozione del regolamento per la gestione",
    "Avvio del nuovo servizio nell'ambito",
    "Predisposizione del piano operativo per la gestione",
    "Trasmissione della relazione sulla gestione",
];

/// Deliverables written as words, as Casalgrande's `CCDI rinnovato`.
const DELIVERABLES: [(&str, &str); 5] = [
    (
        "Rinnovo del contratto collettivo decentrato integrativo",
        "CCDI rinnovato",
    ),
    (
        "Aggiornamento del regolamento sugli uffici e servizi",
        "Predisposizione del Regolamento aggiornato",
    ),
    (
        "Revisione della modulistica online",
        "Modulistica pubblicata sul sito",
    ),
    (
        "Organizzazione della giornata della trasparenza",
        "Evento organizzato",
    ),
    (
        "Mappatura dei processi dell'ufficio",
        "Mappatura completata",
    ),
];

const MANUAL_NOTES: [&str; 4] = [
    "Valutazione del Nucleo di Valutazione: obiettivo raggiunto in parte per cause non imputabili al settore",
    "Punteggio attribuito dal Nucleo sulla base della relazione del dirigente",
    "Valutazione qualitativa del Nucleo: risultato conforme alle attese",
    "Il Nucleo ha considerato il ritardo nell'approvazione del bilancio",
];

const NOT_ASSESSABLE_NOTES: [&str; 3] = [
    "Attività sospesa per modifica normativa in corso d'anno",
    "Indicatore non valutabile: il servizio è stato trasferito all'Unione",
    "Dato non rilevabile per il cambio del gestionale",
];

const PROGRESS: [&str; 8] = [
    "Obiettivo in corso di realizzazione.",
    "Le attività procedono secondo il cronoprogramma.",
    "L'obiettivo è stato raggiunto.",
    "Obiettivo raggiunto nei tempi previsti (v. report allegato).",
    "Sono state avviate le procedure previste; la conclusione è attesa nel secondo semestre.",
    "Il ritardo accumulato nel primo semestre è stato recuperato.",
    "L'obiettivo è stato raggiunto parzialmente (si veda relazione).",
    "Attività completata, dati pubblicati in Amministrazione Trasparente.",
];

/// Due dates (month, day) of 2024.
const DUE: [(u32, u32); 6] = [(3, 31), (6, 30), (9, 30), (10, 31), (11, 30), (12, 31)];

/// Invalid dates planted in `Tempistica`.
const BAD_DATES: [&str; 4] = ["31.04.2024", "31/06/2024", "17/17/2024", "31/09/2024"];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Variant {
    A,
    B,
    C,
    D,
    E,
}

/// The order variants come in (from a seeded offset): A is the common one.
const VARIANTS: [Variant; 8] = [
    Variant::A,
    Variant::E,
    Variant::B,
    Variant::A,
    Variant::C,
    Variant::E,
    Variant::D,
    Variant::A,
];

/// Where the columns of an indicator table are (0-based).
struct Cols {
    width: u16,
    anno: u16,
    name: u16,
    formula: Option<u16>,
    metodo: Option<u16>,
    tempistica: u16,
    baseline: u16,
    target: u16,
    soglia: Option<u16>,
    interim: Option<u16>,
    actual: u16,
    ragg: Option<u16>,
    peso: Option<u16>,
    note: Option<u16>,
    fonte: Option<u16>,
}

impl Variant {
    fn header(self) -> &'static [&'static str] {
        const INDICATORE: &str =
            "Indicatore (dimensione/formula di performance di efficacia e di efficienza)";
        match self {
            Variant::A => &[
                "Anno",
                INDICATORE,
                "Tempistica (entro il)",
                "Baseline (o stato del bisogno)",
                "Target a preventivo",
                "Target intermedio",
                "Target raggiunto",
                "Peso (in % max 100)",
                "Fonte di verifica dei dati",
            ],
            Variant::B => &[
                "Anno",
                INDICATORE,
                "Tempistica (entro il)",
                "Baseline (o stato del bisogno)",
                "Target",
                "Risultato intermedio",
                "Risultato finale",
                "Peso (in % max 100)",
                "Fonte di verifica dei dati",
            ],
            Variant::C => &[
                "Anno",
                INDICATORE,
                "Tempistica (entro il)",
                "Baseline (o stato del bisogno)",
                "Target a preventivo",
                "Target intermedio",
                "Target raggiunto",
                "Fonte di verifica dei dati",
            ],
            Variant::D => &[
                "Anno",
                "Indicatore (dimensione/ formula di performance di efficacia e di efficienza)",
                "Tempistica (entro il)",
                "Baseline (o stato del bisogno)",
                "Target a preventivo",
                "Target intermedio",
                "Target raggiunto",
                "Peso (in % max 100)",
                "Fonte di verifica dei dati",
            ],
            Variant::E => &[
                "Anno",
                "Indicatore",
                "Formula",
                "Metodo",
                "Tempistica (entro il)",
                "Baseline",
                "Target",
                "Soglia minima",
                "Risultato finale",
                "% raggiungimento",
                "Peso (in % max 100)",
                "Note",
            ],
        }
    }

    fn cols(self) -> Cols {
        match self {
            Variant::A | Variant::B | Variant::D => Cols {
                width: 9,
                anno: 0,
                name: 1,
                formula: None,
                metodo: None,
                tempistica: 2,
                baseline: 3,
                target: 4,
                soglia: None,
                interim: Some(5),
                actual: 6,
                ragg: None,
                peso: Some(7),
                note: None,
                fonte: Some(8),
            },
            Variant::C => Cols {
                width: 8,
                anno: 0,
                name: 1,
                formula: None,
                metodo: None,
                tempistica: 2,
                baseline: 3,
                target: 4,
                soglia: None,
                interim: Some(5),
                actual: 6,
                ragg: None,
                peso: None,
                note: None,
                fonte: Some(7),
            },
            Variant::E => Cols {
                width: 12,
                anno: 0,
                name: 1,
                formula: Some(2),
                metodo: Some(3),
                tempistica: 4,
                baseline: 5,
                target: 6,
                soglia: Some(7),
                interim: None,
                actual: 8,
                ragg: Some(9),
                peso: Some(10),
                note: Some(11),
                fonte: None,
            },
        }
    }

    /// Column spans of the header box (6 headers; 7 in variant C).
    fn box_spans(self, alternative: bool) -> &'static [(u16, u16)] {
        match (self, alternative) {
            (Variant::C, _) => &[(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 7)],
            (Variant::E, _) => &[(0, 0), (1, 2), (3, 4), (5, 6), (7, 8), (9, 11)],
            // FIN2: `Raccordo…` merged C:E, the anticorruption header H:I.
            (_, true) => &[(0, 0), (1, 1), (2, 4), (5, 5), (6, 6), (7, 8)],
            (_, false) => &[(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 8)],
        }
    }
}

/// A cell as the office typed it.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Blank,
    Text(String),
    Number(f64),
    /// A number with a display format (`0%` for 0.4, `"€ "#,##0.00`).
    Formatted(f64, &'static str),
    /// An Excel date, shown `dd/mm/yyyy`.
    Date(u16, u8, u8),
    /// A broken value planted on purpose (text), with the reader's finding rule.
    Broken(String, &'static str),
    /// A formula whose cached result is an Excel error (`#REF!`).
    Error(&'static str, &'static str),
}

impl Cell {
    fn text(s: impl Into<String>) -> Cell {
        let s = s.into();
        if s.is_empty() {
            Cell::Blank
        } else {
            Cell::Text(s)
        }
    }
}

/// One indicator row.
#[derive(Debug, Clone)]
struct Ind {
    method: &'static str,
    name: String,
    formula: String,
    metodo: String,
    tempistica: Cell,
    baseline: Cell,
    target: Cell,
    soglia: Cell,
    interim: Cell,
    actual: Cell,
    ragg: Cell,
    note: String,
    fonte: String,
    /// The indicator's own weight (2024 rows with one weight per indicator).
    peso: Option<u32>,
}

/// A plan year of a card (2025, 2026).
#[derive(Debug, Clone)]
enum PlanYear {
    /// The year and nothing else (`dashes`: a `-` in every cell).
    Placeholder { year: i32, dashes: bool },
    /// The indicators again, with the plan's targets.
    Repeat { year: i32, rows: Vec<Ind> },
}

#[derive(Debug, Clone)]
struct Status {
    label: String,
    /// The label has the date typo of Casalgrande L541 (`al 31/2/2023`).
    typo: bool,
    /// `Stato di attuazione` | `al 31/12/2024` in two cells.
    split: bool,
    text: String,
}

#[derive(Debug, Clone)]
struct Card {
    classificazione: String,
    titolo: String,
    box_values: Vec<String>,
    weight: u32,
    indicators: Vec<Ind>,
    plan: Vec<PlanYear>,
    status: Vec<Status>,
}

#[derive(Debug, Clone)]
struct Sector {
    banner: String,
    cdr: String,
    variant: Variant,
    box_alternative: bool,
    weights_as_numbers: bool,
    dates_as_dates: bool,
    cards: Vec<Card>,
}

/// How weights and dates are stored in a sector.
#[derive(Debug, Clone, Copy)]
struct Storage {
    weights_as_numbers: bool,
    dates_as_dates: bool,
}

fn weight_cell(rng: &mut Rng, w: u32, s: Storage) -> Cell {
    if s.weights_as_numbers {
        if rng.chance(100) {
            // LP2/LP3: a bare `30`, general format.
            Cell::Number(f64::from(w))
        } else {
            Cell::Formatted(f64::from(w) / 100.0, "0%")
        }
    } else {
        Cell::Text(format!("{w}%"))
    }
}

fn date_cell(rng: &mut Rng, (m, d): (u32, u32), year: i32, s: Storage) -> Cell {
    if s.dates_as_dates {
        Cell::Date(year as u16, m as u8, d as u8)
    } else {
        match rng.below(6) {
            0 => Cell::Text(format!("{d:02}.{m:02}.{year}")),
            1 => Cell::Text(format!("Entro il {d:02}/{m:02}/{year}")),
            _ => Cell::Text(format!("{d:02}/{m:02}/{year}")),
        }
    }
}

/// Day of 2024 → (month, day); `ordinal` 1-based.
fn from_ordinal(ordinal: u32) -> (u32, u32) {
    let lengths = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut left = ordinal.clamp(1, 366);
    for (i, len) in lengths.iter().enumerate() {
        if left <= *len {
            return (i as u32 + 1, left);
        }
        left -= len;
    }
    (12, 31)
}

fn ordinal((m, d): (u32, u32)) -> u32 {
    let lengths = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    lengths[..(m - 1) as usize].iter().sum::<u32>() + d
}

fn subject(rng: &mut Rng) -> &'static str {
    rng.pick(&SUBJECTS)
}

/// A count as a clerk may type it: a number, or Italian text.
fn count_cell(rng: &mut Rng, v: f64, target: bool) -> Cell {
    let it = italian_number(v, 0);
    match rng.below(10) {
        0 if target => Cell::Text(format!(">= {it}")),
        1 if target => Cell::Text(format!("almeno {it}")),
        2 => Cell::Text(format!("n. {it}")),
        3 if v >= 1000.0 => Cell::Text(it),
        _ => Cell::Number(v),
    }
}

fn percent_cell(rng: &mut Rng, v: f64) -> Cell {
    match rng.below(3) {
        0 => Cell::Formatted(v / 100.0, "0%"),
        _ if v.fract() != 0.0 => Cell::Text(format!("{}%", italian_number(v, 1))),
        _ => Cell::Text(format!("{}%", italian_number(v, 0))),
    }
}

fn amount_cell(rng: &mut Rng, v: f64) -> Cell {
    if rng.chance(500) {
        Cell::Text(format!("{} €", italian_number(v, 2)))
    } else {
        Cell::Formatted(v, "\"€ \"#,##0.00")
    }
}

/// The method of a 2024 indicator in a sector of `variant`.
fn pick_method(rng: &mut Rng, variant: Variant) -> &'static str {
    let table: &[(&'static str, usize)] = if variant == Variant::E {
        &[
            ("rapporto", 22),
            ("fatto_non_fatto", 16),
            ("minore_migliore", 8),
            ("scadenza", 10),
            ("baseline_target", 12),
            ("soglie", 10),
            ("manuale", 12),
            ("indicatore_non_valutabile", 10),
        ]
    } else {
        &[("rapporto", 67), ("minore_migliore", 13), ("scadenza", 20)]
    };
    let total: usize = table.iter().map(|(_, w)| w).sum();
    let mut x = rng.below(total);
    for (m, w) in table {
        if x < *w {
            return m;
        }
        x -= w;
    }
    "rapporto"
}

fn blank_ind(method: &'static str, name: String, fonte: &str) -> Ind {
    Ind {
        method,
        name,
        formula: String::new(),
        metodo: String::new(),
        tempistica: Cell::Blank,
        baseline: Cell::Blank,
        target: Cell::Blank,
        soglia: Cell::Blank,
        interim: Cell::Blank,
        actual: Cell::Blank,
        ragg: Cell::Blank,
        note: String::new(),
        fonte: fonte.to_string(),
        peso: None,
    }
}

/// One 2024 indicator of `method`.
fn indicator(rng: &mut Rng, method: &'static str, variant: Variant, s: Storage) -> Ind {
    let fonte = if variant == Variant::E {
        ""
    } else {
        rng.pick(&SOURCES)
    };
    let dash = || Cell::Text("-".into());
    let due = rng.pick(&DUE);
    let mut ind = blank_ind(method, String::new(), fonte);
    ind.tempistica = if rng.chance(150) {
        dash()
    } else {
        date_cell(rng, due, REPORTING_YEAR, s)
    };
    match method {
        "rapporto" => match rng.below(20) {
            // A deliverable written in words: the ratio cannot score it.
            0 => {
                let (name, target) = rng.pick(&DELIVERABLES);
                ind.name = name.to_string();
                ind.baseline = dash();
                ind.target = Cell::Text(target.into());
                ind.interim = dash();
                ind.actual = Cell::Text(rng.pick(&["fatto", "realizzato", "Sì"]).into());
            }
            1..=10 => {
                ind.name = format!("{} {}", rng.pick(&COUNT_HEADS), subject(rng));
                let t = if rng.chance(300) {
                    (rng.range(10, 500) * 10) as f64
                } else {
                    rng.range(2, 60) as f64
                };
                let a = if rng.chance(600) {
                    t + rng.below(1 + t as usize / 5) as f64
                } else {
                    (t * rng.range(40, 99) as f64 / 100.0).round()
                };
                ind.baseline = match rng.below(4) {
                    // Casalgrande SS5: several values packed in one cell.
                    _ if rng.chance(1000 / PLANT_ONE_IN) => Cell::Broken(
                        format!(
                            "- n. {} sezioni - n. {} posti",
                            rng.range(2, 9),
                            rng.range(20, 90)
                        ),
                        "piu-valori-in-una-cella",
                    ),
                    0 => Cell::Text("Rilevazione non disponibile".into()),
                    1 => dash(),
                    _ => Cell::Number((t * rng.range(30, 100) as f64 / 100.0).round()),
                };
                ind.target = count_cell(rng, t, true);
                let i = (a * rng.range(30, 60) as f64 / 100.0).round();
                ind.interim = if variant == Variant::B {
                    Cell::Number(i)
                } else if rng.chance(500) {
                    Cell::Number((t / 2.0).round())
                } else {
                    dash()
                };
                ind.actual = count_cell(rng, a, false);
            }
            11..=15 => {
                ind.name = format!("{} {}", rng.pick(&PERCENT_HEADS), subject(rng));
                let t = rng.pick(&[80.0, 90.0, 95.0, 100.0]);
                let a = if rng.chance(600) {
                    t
                } else {
                    t - rng.range(1, 25) as f64 - if rng.chance(300) { 0.5 } else { 0.0 }
                };
                let b = (t - rng.range(5, 30) as f64).max(0.0);
                ind.baseline = percent_cell(rng, b);
                ind.target = percent_cell(rng, t);
                ind.interim = dash();
                ind.actual = percent_cell(rng, a);
            }
            _ => {
                ind.name = format!("{} {}", rng.pick(&AMOUNT_HEADS), subject(rng));
                let t = (rng.range(5_000, 400_000) * 100 + rng.below(100) as u64) as f64 / 100.0;
                let a = (t * rng.range(60, 115) as f64).round() / 100.0;
                ind.baseline = dash();
                ind.target = amount_cell(rng, t);
                ind.interim = if variant == Variant::B {
                    amount_cell(rng, (a * 0.45 * 100.0).round() / 100.0)
                } else {
                    dash()
                };
                ind.actual = amount_cell(rng, a);
            }
        },
        "minore_migliore" => {
            if rng.chance(300) {
                // Casalgrande FIN1: days of advance on the due date, negative.
                ind.name = "Indicatore di tempestività dei pagamenti annuale".into();
                let t = -(rng.range(5, 20) as f64);
                let a = -((rng.range(300, 2600) as f64) / 100.0);
                ind.baseline = Cell::Text(format!("{} gg", italian_number(t - 3.0, 0)));
                ind.target = if rng.chance(500) {
                    Cell::Text(format!("non inferiore a - {}gg", -t))
                } else {
                    Cell::Text(format!("- {}gg", -t))
                };
                ind.interim = dash();
                ind.actual = if rng.chance(500) {
                    Cell::Text(italian_number(a, 2))
                } else {
                    Cell::Number(a)
                };
            } else {
                ind.name = format!("{} {}", rng.pick(&TIME_HEADS), subject(rng));
                let t = rng.range(10, 60) as f64;
                let a = (t * rng.range(60, 140) as f64 / 100.0).round();
                ind.baseline = Cell::Text(format!("{} gg", italian_number(t + 10.0, 0)));
                ind.target = if rng.chance(500) {
                    Cell::Text(format!("{} gg", italian_number(t, 0)))
                } else {
                    Cell::Number(t)
                };
                ind.interim = if variant == Variant::B {
                    Cell::Number((a * 1.1).round())
                } else {
                    dash()
                };
                ind.actual = if rng.chance(300) {
                    Cell::Text(format!("{} gg", italian_number(a, 0)))
                } else {
                    Cell::Number(a)
                };
            }
        }
        "scadenza" | "fatto_non_fatto" => {
            ind.name = format!("{} {}", rng.pick(&DEADLINE_HEADS), subject(rng));
            ind.tempistica = date_cell(rng, due, REPORTING_YEAR, s);
            ind.baseline = dash();
            ind.interim = dash();
            if method == "scadenza" {
                ind.target = date_cell(rng, due, REPORTING_YEAR, s);
                let o = ordinal(due);
                let done = if rng.chance(750) {
                    o.saturating_sub(rng.range(0, 60) as u32).max(1)
                } else {
                    (o + rng.range(1, 30) as u32).min(366)
                };
                ind.actual = date_cell(rng, from_ordinal(done), REPORTING_YEAR, s);
            } else {
                ind.formula = "1 = fatto 0 = non fatto".into();
                ind.target = Cell::Number(1.0);
                ind.actual = Cell::Number(if rng.chance(850) { 1.0 } else { 0.0 });
            }
        }
        "baseline_target" => {
            ind.metodo = "Baseline → target".into();
            ind.name = format!("{} {}", rng.pick(&COUNT_HEADS), subject(rng));
            let b = rng.range(10, 200) as f64;
            let up = rng.chance(600);
            let delta = (b * rng.range(10, 50) as f64 / 100.0).round().max(1.0);
            let t = if up { b + delta } else { b - delta };
            let a = b + (t - b) * rng.range(20, 120) as f64 / 100.0;
            ind.baseline = Cell::Number(b);
            ind.target = Cell::Number(t);
            ind.actual = Cell::Number(a.round());
        }
        "soglie" => {
            ind.metodo = "Soglie".into();
            ind.name = format!("{} {}", rng.pick(&PERCENT_HEADS), subject(rng));
            let t = rng.pick(&[85.0, 90.0, 95.0]);
            let m = t - rng.range(10, 25) as f64;
            ind.soglia = Cell::Number(m);
            ind.baseline = Cell::Number(m - 5.0);
            ind.target = Cell::Number(t);
            ind.actual = Cell::Number(m + rng.range(0, 35) as f64 - 5.0);
        }
        "manuale" => {
            ind.metodo = "Manuale".into();
            let (name, target) = rng.pick(&DELIVERABLES);
            ind.name = name.to_string();
            ind.target = Cell::Text(target.into());
            ind.actual = Cell::Text("Realizzato in parte".into());
            ind.ragg = Cell::Number(rng.range(50, 100) as f64);
            ind.note = rng.pick(&MANUAL_NOTES).to_string();
        }
        "indicatore_non_valutabile" => {
            ind.metodo = "Non valutabile".into();
            ind.name = format!("{} {}", rng.pick(&COUNT_HEADS), subject(rng));
            ind.target = Cell::Number(rng.range(2, 40) as f64);
            ind.actual = if rng.chance(500) {
                Cell::Text("n.d.".into())
            } else {
                dash()
            };
            ind.note = rng.pick(&NOT_ASSESSABLE_NOTES).to_string();
        }
        other => unreachable!("method {other}"),
    }
    ind
}

/// A broken value in one 2024 ratio indicator in [`PLANT_ONE_IN`].
/// The kinds take turns, so that every kind occurs once three values are planted.
fn plant(rng: &mut Rng, ind: &mut Ind, planted: &mut usize) {
    if ind.method != "rapporto" || !rng.chance(1000 / PLANT_ONE_IN) {
        return;
    }
    *planted += 1;
    match *planted % 3 {
        0 => {
            let text = rng.pick(&BAD_DATES).to_string();
            ind.tempistica = Cell::Broken(text, "data-inesistente");
        }
        1 => {
            let text = format!(
                "{}.{:03},{:03},00",
                rng.range(1, 99),
                rng.below(1000),
                rng.below(1000)
            );
            ind.actual = Cell::Broken(text, "numero-non-valido");
        }
        _ => ind.actual = Cell::Error("=SUM(#REF!)", "#REF!"),
    }
}

/// The same indicator in a plan year: the plan's target, no actual value.
fn plan_row(rng: &mut Rng, ind: &Ind, year: i32, s: Storage) -> Ind {
    let mut p = ind.clone();
    p.method = "anno_di_piano";
    p.peso = None;
    p.interim = Cell::Blank;
    p.actual = Cell::Blank;
    p.ragg = Cell::Blank;
    p.note = String::new();
    p.baseline = match &ind.target {
        Cell::Broken(..) | Cell::Error(..) => Cell::Blank,
        other => other.clone(),
    };
    p.tempistica = date_cell(rng, (12, 31), year, s);
    p.target = match &ind.target {
        Cell::Number(t) if *t > 1.0 => Cell::Number((t * 1.1).round()),
        Cell::Date(..) | Cell::Text(_) if ind.method == "scadenza" => {
            let due = rng.pick(&DUE);
            date_cell(rng, due, year, s)
        }
        other => other.clone(),
    };
    p
}

fn statuses(rng: &mut Rng, protocol: u32) -> Vec<Status> {
    let mid = format!(
        "{} {} Nota prot. n. {protocol}/2024 del {:02}/06/2024.",
        rng.pick(&PROGRESS),
        paragraph(rng, 60, 260),
        rng.range(1, 28)
    );
    let mut out = vec![Status {
        label: "Stato di attuazione al 30/06/2024".into(),
        typo: false,
        split: false,
        text: mid,
    }];
    if rng.chance(950) {
        let typo = rng.chance(1000 / PLANT_ONE_IN);
        let (label, split) = match rng.below(20) {
            _ if typo => ("Stato di attuazione al 31/2/2024", false),
            0..=11 => ("Stato di attuazione al 31/12/2024", false),
            12..=14 => ("STATO DI ATTUAZIONE AL 31/12/2024", false),
            15..=17 => ("Resoconto al 31/12/2024", false),
            _ => ("Stato di attuazione", true),
        };
        let end = format!(
            "{} {} Relazione prot. n. {}/2025 del {:02}/01/2025.",
            rng.pick(&PROGRESS),
            paragraph(rng, 80, 400),
            protocol + 1,
            rng.range(10, 31)
        );
        out.push(Status {
            label: label.into(),
            typo,
            split,
            text: end,
        });
    }
    out
}

fn classificazione(rng: &mut Rng) -> String {
    match rng.below(40) {
        0 => "Efficacia".into(),
        1 | 2 => format!("{} - {}", LEGEND[1], LEGEND[4]),
        3..=22 => LEGEND[4].into(),
        _ => rng.pick(&LEGEND).into(),
    }
}

/// Card shapes: (2024 indicators, plan years repeated) with `n` indicator rows in all.
fn shapes(rng: &mut Rng, n: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut left = n;
    while left > 0 {
        let mut k = match rng.below(20) {
            0..=8 => 1,
            9..=14 => 2,
            15..=17 => 3,
            _ => 4,
        };
        let mut repeats = match rng.below(10) {
            0..=6 => 0,
            7 | 8 => 1,
            _ => 2,
        };
        while k * (1 + repeats) > left {
            if repeats > 0 {
                repeats -= 1;
            } else {
                k -= 1;
            }
        }
        left -= k * (1 + repeats);
        out.push((k, repeats));
    }
    out
}

fn build(rng: &mut Rng, n: usize) -> Vec<Sector> {
    let shapes = shapes(rng, n);
    let offset = rng.below(VARIANTS.len());
    let mut sectors = Vec::new();
    let mut protocol = 11_000 + rng.below(5000) as u32;
    let mut planted = 0;
    let per_sector = shapes.len().div_ceil(MAX_SECTORS);
    let mut next = 0;
    while next < shapes.len() {
        let i = sectors.len();
        let size = if per_sector > 6 {
            per_sector
        } else {
            rng.range(3, 6) as usize
        }
        .min(shapes.len() - next);
        let group = &shapes[next..next + size];
        next += size;
        let (base, cdr) = SECTORS[i % SECTORS.len()];
        let round = i / SECTORS.len();
        let name = if round == 0 {
            base.to_string()
        } else {
            format!("{base} - AMBITO {}", round + 1)
        };
        let variant = VARIANTS[(offset + i) % VARIANTS.len()];
        let s = Storage {
            weights_as_numbers: rng.chance(500),
            dates_as_dates: rng.chance(500),
        };
        let weights = split_total(rng, 100, size, 5);
        let mut cards = Vec::new();
        for (&(k, repeats), &weight) in group.iter().zip(&weights) {
            let mut indicators: Vec<Ind> = (0..k)
                .map(|_| {
                    let m = pick_method(rng, variant);
                    let mut ind = indicator(rng, m, variant, s);
                    plant(rng, &mut ind, &mut planted);
                    ind
                })
                .collect();
            // One weight per indicator (Vita della Comunità), or one for the year.
            if variant != Variant::C && k > 1 && weight as usize >= k && rng.chance(300) {
                for (ind, w) in indicators.iter_mut().zip(split_total(rng, weight, k, 5)) {
                    ind.peso = Some(w);
                }
            }
            let mut plan = Vec::new();
            for (j, year) in [REPORTING_YEAR + 1, REPORTING_YEAR + 2]
                .into_iter()
                .enumerate()
            {
                if j < repeats {
                    let rows = indicators
                        .iter()
                        .map(|ind| plan_row(rng, ind, year, s))
                        .collect();
                    plan.push(PlanYear::Repeat { year, rows });
                } else if rng.chance(800) {
                    plan.push(PlanYear::Placeholder {
                        year,
                        dashes: rng.chance(300),
                    });
                }
            }
            let box_values = vec![
                rng.pick(&STAKEHOLDERS).to_string(),
                rng.pick(&CONTRIBUTORS).to_string(),
                rng.pick(&LINKS).to_string(),
                if rng.chance(400) {
                    format!("Responsabile Settore {cdr}")
                } else {
                    rng.pick(&MANAGERS).to_string()
                },
                rng.pick(&PNRR).to_string(),
                rng.pick(&ANTICORRUPTION).to_string(),
            ];
            protocol += 2 + rng.below(40) as u32;
            cards.push(Card {
                classificazione: classificazione(rng),
                titolo: objective_title(rng),
                box_values,
                weight,
                indicators,
                plan,
                status: statuses(rng, protocol),
            });
        }
        sectors.push(Sector {
            banner: format!("SETTORE {name} ({} OBIETTIVI)", cards.len()),
            cdr: cdr.to_string(),
            variant,
            box_alternative: rng.chance(400),
            weights_as_numbers: s.weights_as_numbers,
            dates_as_dates: s.dates_as_dates,
            cards,
        });
    }
    sectors
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

struct Formats {
    title: Format,
    banner: Format,
    label: Format,
    header: Format,
    text: Format,
    number: Format,
    date: Format,
    percent: Format,
    euro: Format,
}

impl Formats {
    fn new() -> Self {
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Top);
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            banner: Format::new()
                .set_bold()
                .set_font_size(12)
                .set_align(FormatAlign::Center)
                .set_background_color(Color::RGB(0xDDEBF7)),
            label: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::Top),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0xFFF2CC)),
            text: cell.clone().set_text_wrap(),
            number: cell.clone(),
            date: cell.clone().set_num_format("dd/mm/yyyy"),
            percent: cell.clone().set_num_format("0%"),
            euro: cell.set_num_format("\"€ \"#,##0.00"),
        }
    }
}

/// Column widths of A..L.
const WIDTHS: [f64; 12] = [
    18.0, 40.0, 14.0, 24.0, 24.0, 14.0, 14.0, 12.0, 24.0, 12.0, 10.0, 30.0,
];

/// Writes the cells of one sheet and records what it planted.
struct SheetWriter<'a> {
    ws: &'a mut Worksheet,
    name: String,
    row: u32,
    since_footer: u32,
    /// Footers written on this sheet.
    footers: u32,
    /// Tails of indicator texts split by a page break on this sheet.
    tails: std::collections::HashSet<String>,
    f: &'a Formats,
    planted: &'a mut Vec<Planted>,
    dash_rows: &'a mut Vec<(String, u32)>,
    texts_split: &'a mut usize,
}

impl SheetWriter<'_> {
    fn cell(&mut self, row: u32, col: u16, cell: &Cell) -> Result<(), XlsxError> {
        let f = self.f;
        match cell {
            Cell::Blank => self.ws.write_blank(row, col, &f.number)?,
            Cell::Text(t) => self.ws.write_string_with_format(row, col, t, &f.text)?,
            Cell::Number(n) => self.ws.write_number_with_format(row, col, *n, &f.number)?,
            Cell::Formatted(n, fmt) => {
                let format = if *fmt == "0%" { &f.percent } else { &f.euro };
                self.ws.write_number_with_format(row, col, *n, format)?
            }
            Cell::Date(y, m, d) => {
                let date = ExcelDateTime::from_ymd(*y, *m, *d)?;
                self.ws
                    .write_datetime_with_format(row, col, &date, &f.date)?
            }
            Cell::Broken(text, kind) => {
                self.plant(row, col, text, kind);
                self.ws.write_string_with_format(row, col, text, &f.text)?
            }
            Cell::Error(formula, result) => {
                self.plant(row, col, result, "errore-excel");
                let formula = Formula::new(*formula).set_result(*result);
                self.ws
                    .write_formula_with_format(row, col, formula, &f.number)?
            }
        };
        Ok(())
    }

    fn plant(&mut self, row: u32, col: u16, text: &str, kind: &'static str) {
        self.planted.push(Planted {
            sheet: self.name.clone(),
            row,
            col: u32::from(col),
            text: text.to_string(),
            kind,
        });
    }

    /// `text` over columns `first..=last` of `row`, merged when that is more than one column.
    fn span(
        &mut self,
        row: u32,
        (first, last): (u16, u16),
        text: &str,
        format: &Format,
    ) -> Result<(), XlsxError> {
        if last > first {
            self.ws.merge_range(row, first, row, last, text, format)?;
        } else if text.is_empty() {
            self.ws.write_blank(row, first, format)?;
        } else {
            self.ws.write_string_with_format(row, first, text, format)?;
        }
        Ok(())
    }

    /// The page footer, when a page's worth of rows has gone by.
    fn maybe_footer(&mut self) -> Result<(), XlsxError> {
        if self.since_footer >= PAGE_ROWS {
            self.footer()?;
        }
        Ok(())
    }

    fn footer(&mut self) -> Result<(), XlsxError> {
        self.ws.write_string(self.row, 0, FOOTER)?;
        self.row += 1;
        self.since_footer = 0;
        self.footers += 1;
        Ok(())
    }

    fn advance(&mut self, rows: u32) {
        self.row += rows;
        self.since_footer += rows;
    }

    fn preamble(&mut self) -> Result<(), XlsxError> {
        let f = self.f;
        self.ws
            .write_string_with_format(0, 0, "Sottosezione 2.2 Performance", &f.title)?;
        self.ws.write_string(
            2,
            0,
            "La sottosezione Performance è predisposta secondo le disposizioni del Dlgs n. 150/2009 e secondo quanto previsto dal “Sistema Unico di Misurazione e Valutazione della Performance”.",
        )?;
        self.ws.write_string(
            3,
            0,
            "Questa sottosezione contiene la programmazione degli: - obiettivi di performance; - indicatori di performance di efficienza e di efficacia.",
        )?;
        self.ws.write_string_with_format(
            5,
            0,
            "Classificazione obiettivi di performance",
            &f.label,
        )?;
        for (i, text) in LEGEND.iter().enumerate() {
            let row = 6 + i as u32;
            self.ws.write_number(row, 0, (i + 1) as f64)?;
            self.ws.write_string(row, 1, *text)?;
        }
        self.row = 13;
        Ok(())
    }

    fn banner(&mut self, sector: &Sector) -> Result<(), XlsxError> {
        self.maybe_footer()?;
        let last = sector.variant.cols().width - 1;
        let f = self.f;
        self.ws
            .merge_range(self.row, 0, self.row, last, &sector.banner, &f.banner)?;
        self.ws.set_row_height(self.row, 20)?;
        self.advance(1);
        Ok(())
    }

    fn card(&mut self, rng: &mut Rng, sector: &Sector, card: &Card) -> Result<(), XlsxError> {
        self.maybe_footer()?;
        let f = self.f;
        let cols = sector.variant.cols();
        let last = cols.width - 1;
        let value_chars = WIDTHS[1..=last as usize].iter().sum::<f64>() as usize;
        let s = Storage {
            weights_as_numbers: sector.weights_as_numbers,
            dates_as_dates: sector.dates_as_dates,
        };

        for (label, value) in [
            ("Classificazione", card.classificazione.as_str()),
            ("Titolo", card.titolo.as_str()),
            ("Settore/Cdr", sector.cdr.as_str()),
        ] {
            let r = self.row;
            self.ws.write_string_with_format(r, 0, label, &f.label)?;
            self.span(r, (1, last), value, &f.text)?;
            self.ws
                .set_row_height(r, wrapped_height(value, value_chars))?;
            self.advance(1);
        }

        // Header box and its values.
        let spans = sector.variant.box_spans(sector.box_alternative);
        let mut headers: Vec<&str> = vec![
            "Stakeholder finali/destinatari",
            "Contributor/Stakeholder intermedio (unità organizzative e/o soggetti esterni coinvolti)",
            "Raccordo/Collegamento Obiettivo strategico/Obiettivo operativo sottosez. 2.1",
            "Dirigente/posizione responsabile",
            "PNRR",
            "Raccordo con Piano anticorruzione/misura di prevenzione della corruzione",
        ];
        if sector.variant == Variant::C {
            headers.push("Peso (in % max 100)");
        }
        let (hr, vr) = (self.row, self.row + 1);
        let (mut hh, mut vh) = (15.0_f64, 15.0_f64);
        for (k, (&(c0, c1), header)) in spans.iter().zip(&headers).enumerate() {
            self.span(hr, (c0, c1), header, &f.header)?;
            let chars = WIDTHS[c0 as usize..=c1 as usize].iter().sum::<f64>() as usize;
            hh = hh.max(wrapped_height(header, chars));
            if k == 6 {
                let cell = weight_cell(rng, card.weight, s);
                if c1 > c0 {
                    self.ws.merge_range(vr, c0, vr, c1, "", &f.number)?;
                }
                self.cell(vr, c0, &cell)?;
            } else {
                let value = &card.box_values[k];
                self.span(vr, (c0, c1), value, &f.text)?;
                vh = vh.max(wrapped_height(value, chars));
            }
        }
        self.ws.set_row_height(hr, hh)?;
        self.ws.set_row_height(vr, vh)?;
        self.advance(2);

        // Indicator table.
        let header = sector.variant.header();
        let r = self.row;
        for (c, h) in header.iter().enumerate() {
            self.ws
                .write_string_with_format(r, c as u16, *h, &f.header)?;
        }
        self.ws.set_row_height(r, 60)?;
        self.advance(1);

        let k = card.indicators.len() as u32;
        let first = self.row;
        // A page break inside the last 2024 row (Casalgrande EN3, L478/L482): the row, the
        // footer, then the tail of the indicator's text alone in its column. Only once the
        // sheet has three footers (see the status texts below).
        let mut tail: Option<String> = None;
        for (i, ind) in card.indicators.iter().enumerate() {
            let row = first + i as u32;
            let split =
                (i as u32 == k - 1 && self.footers >= 3 && self.since_footer + k >= PAGE_ROWS)
                    .then(|| name_cut(&ind.name))
                    .flatten()
                    // Each tail once per sheet (the reader used to take a text alone in its
                    // row three times for page debris; it no longer does in the name column,
                    // `repeated_tails_of_split_rows_are_not_debris`; kept so that the seeds
                    // give the same workbooks).
                    .filter(|at| self.tails.insert(ind.name[at + 1..].to_string()));
            match split {
                Some(at) => {
                    let mut head = ind.clone();
                    head.name = ind.name[..at].to_string();
                    tail = Some(ind.name[at + 1..].to_string());
                    self.indicator_row(row, &cols, &head, (i == 0).then_some(REPORTING_YEAR))?;
                }
                None => self.indicator_row(row, &cols, ind, (i == 0).then_some(REPORTING_YEAR))?,
            }
            if let Some(pc) = cols.peso {
                match ind.peso {
                    Some(w) => {
                        let cell = weight_cell(rng, w, s);
                        self.cell(row, pc, &cell)?;
                    }
                    None if i == 0 => {
                        let cell = weight_cell(rng, card.weight, s);
                        if k > 1 {
                            self.ws
                                .merge_range(first, pc, first + k - 1, pc, "", &f.number)?;
                        }
                        self.cell(first, pc, &cell)?;
                    }
                    None => {}
                }
            }
        }
        self.advance(k);
        if let Some(tail) = tail {
            self.footer()?;
            let r = self.row;
            self.ws
                .write_string_with_format(r, cols.name, &tail, &f.text)?;
            // The reader joins it to the row above, with an `info` finding at its cell.
            self.plant(r, cols.name, &tail, "riga-spezzata");
            self.advance(1);
        }
        for plan in &card.plan {
            match plan {
                PlanYear::Placeholder { year, dashes } => {
                    let row = self.row;
                    self.ws.write_number_with_format(
                        row,
                        cols.anno,
                        f64::from(*year),
                        &f.number,
                    )?;
                    for c in 1..cols.width {
                        if *dashes {
                            if c == 1 {
                                self.dash_rows.push((self.name.clone(), row));
                            }
                            self.ws.write_string_with_format(row, c, "-", &f.text)?;
                        } else {
                            self.ws.write_blank(row, c, &f.number)?;
                        }
                    }
                    self.advance(1);
                }
                PlanYear::Repeat { year, rows } => {
                    for (i, ind) in rows.iter().enumerate() {
                        let row = self.row;
                        self.indicator_row(row, &cols, ind, (i == 0).then_some(*year))?;
                        if let Some(pc) = cols.peso {
                            self.ws.write_blank(row, pc, &f.number)?;
                        }
                        self.advance(1);
                    }
                }
            }
        }

        // Monitoring texts.
        for st in &card.status {
            let r = self.row;
            let text_from = if st.split { 2 } else { 1 };
            if st.typo {
                // Reported at the text's cell.
                self.plant(r, text_from, &st.label, "data-impossibile-nel-testo");
            }
            self.ws
                .write_string_with_format(r, 0, &st.label, &f.label)?;
            if st.split {
                self.ws
                    .write_string_with_format(r, 1, "al 31/12/2024", &f.label)?;
            }
            let chars = WIDTHS[text_from as usize..=last as usize]
                .iter()
                .sum::<f64>() as usize;
            // A page break inside a long text (Casalgrande AG3): its first part, the footer
            // alone in its row, the rest in the next row with column A empty. Only once the
            // sheet has three footers, so that the reader knows the footer for debris.
            let cut = (self.footers >= 3 && self.since_footer >= PAGE_ROWS)
                .then(|| page_cut(&st.text))
                .flatten();
            if cut.is_some() {
                *self.texts_split += 1;
            }
            let parts: Vec<&str> = match cut {
                Some(at) => vec![&st.text[..at], &st.text[at + 1..]],
                None => vec![st.text.as_str()],
            };
            for (k, part) in parts.iter().enumerate() {
                if k > 0 {
                    self.footer()?;
                    self.ws.write_blank(self.row, 0, &f.number)?;
                }
                let r = self.row;
                self.span(r, (text_from, last), part, &f.text)?;
                self.ws
                    .set_row_height(r, wrapped_height(part, chars).max(30.0))?;
                self.advance(1);
            }
        }
        // The blank row after the card.
        self.advance(1);
        Ok(())
    }

    fn indicator_row(
        &mut self,
        row: u32,
        cols: &Cols,
        ind: &Ind,
        year: Option<i32>,
    ) -> Result<(), XlsxError> {
        let f = self.f;
        match year {
            Some(y) => self
                .ws
                .write_number_with_format(row, cols.anno, f64::from(y), &f.number)?,
            None => self.ws.write_blank(row, cols.anno, &f.number)?,
        };
        self.ws
            .write_string_with_format(row, cols.name, &ind.name, &f.text)?;
        let texts = [
            (cols.formula, ind.formula.as_str()),
            (cols.metodo, ind.metodo.as_str()),
            (cols.note, ind.note.as_str()),
            (cols.fonte, ind.fonte.as_str()),
        ];
        for (col, text) in texts {
            if let Some(c) = col {
                self.cell(row, c, &Cell::text(text))?;
            }
        }
        self.cell(row, cols.tempistica, &ind.tempistica)?;
        self.cell(row, cols.baseline, &ind.baseline)?;
        self.cell(row, cols.target, &ind.target)?;
        self.cell(row, cols.actual, &ind.actual)?;
        for (col, cell) in [
            (cols.soglia, &ind.soglia),
            (cols.interim, &ind.interim),
            (cols.ragg, &ind.ragg),
        ] {
            if let Some(c) = col {
                self.cell(row, c, cell)?;
            }
        }
        let height = wrapped_height(&ind.name, WIDTHS[cols.name as usize] as usize)
            .max(wrapped_height(&ind.note, 30));
        self.ws.set_row_height(row, height)?;
        Ok(())
    }
}

/// Where a page break splits an indicator's text: the space before its last three words.
fn name_cut(name: &str) -> Option<usize> {
    let spaces: Vec<usize> = name.match_indices(' ').map(|(i, _)| i).collect();
    (spaces.len() >= 6).then(|| spaces[spaces.len() - 3])
}

/// Where a page break splits a long text: the space after the first sentence that ends past
/// its middle, if there is one before its last sentence.
fn page_cut(text: &str) -> Option<usize> {
    if text.len() < 200 {
        return None;
    }
    let middle = (text.len() / 2..).find(|i| text.is_char_boundary(*i))?;
    let at = text[middle..].find(". ")? + middle + 1;
    (at + 20 < text.len()).then_some(at)
}

fn new_sheet<'w>(wb: &'w mut Workbook, name: &str) -> Result<&'w mut Worksheet, XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    ws.set_landscape();
    ws.set_paper_size(9); // A4
    ws.set_print_fit_to_pages(1, 0);
    for (c, w) in WIDTHS.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    Ok(ws)
}

/// Writes the card workbook of `n` indicator rows (see the module docs).
pub(super) fn generate(path: &Path, n: usize, seed: u64) -> Result<Generated, XlsxError> {
    let mut rng = Rng::new(seed ^ 0x5C4E_DE00_0000_0001);
    let sectors = build(&mut rng, n);
    let f = Formats::new();
    let mut wb = Workbook::new();
    // The fastest deflate: generating large workbooks is mostly compressing their XML.
    wb.set_zip_compression_level(1);
    wb.set_properties(&properties(
        "PIAO 2024-2026 - Sottosezione 2.2 Performance - dati sintetici",
        "Comune di Sintesi",
    )?);

    let mut generated = Generated {
        reporting_year: Some(REPORTING_YEAR),
        ..Generated::default()
    };
    let mut planted = Vec::new();
    let mut dash_rows = Vec::new();
    let mut texts_split = 0;
    let mut i = 0;
    while i < sectors.len() {
        let name = match generated.sheets.len() {
            0 => FIRST_SHEET.to_string(),
            k => format!("{FIRST_SHEET} ({})", k + 1),
        };
        let ws = new_sheet(&mut wb, &name)?;
        let mut w = SheetWriter {
            ws,
            name: name.clone(),
            row: 0,
            since_footer: 0,
            footers: 0,
            tails: Default::default(),
            f: &f,
            planted: &mut planted,
            dash_rows: &mut dash_rows,
            texts_split: &mut texts_split,
        };
        if generated.sheets.is_empty() {
            w.preamble()?;
        }
        generated.sheets.push(name);
        while i < sectors.len() && (w.row < SHEET_ROWS || w.row == 0) {
            let sector = &sectors[i];
            w.banner(sector)?;
            for card in &sector.cards {
                w.card(&mut rng, sector, card)?;
            }
            i += 1;
        }
    }
    for sector in &sectors {
        generated.areas += 1;
        for card in &sector.cards {
            generated.objectives += 1;
            generated.statuses += card.status.len();
            for ind in &card.indicators {
                generated.indicators += 1;
                generated.count_method(ind.method);
            }
            for plan in &card.plan {
                if let PlanYear::Repeat { rows, .. } = plan {
                    for ind in rows {
                        generated.indicators += 1;
                        generated.count_method(ind.method);
                    }
                }
            }
        }
    }
    generated.planted = planted;
    generated.dash_rows = dash_rows;
    generated.texts_split = texts_split;
    wb.save(path)?;
    Ok(generated)
}
