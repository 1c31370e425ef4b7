//! The **table** layout ([`super::Layout::Tabella`]): the one of Comune di Cremona's results table (*Stato di attuazione degli
//! Obiettivi 2024*), scaled to any number of indicators:
//!
//! - one sheet per strategic line (10 lines, the indicators spread evenly over them);
//! - title rows: `COMUNE DI SINTESI` merged over A1:M1, `Relazione sulla Performance 2024`,
//!   `LINEA STRATEGICA N. k …` merged over A3:M3, the banner label
//!   `% Raggiungimento obiettivi per area strategica` and, in row 5, the banner itself (printed
//!   text such as `92,30%` on odd lines, a `0.00%`-formatted number on even lines);
//! - an empty row, then the 13-column header in row 7;
//! - one row per indicator. Settore is merged vertically over the consecutive rows of the same
//!   sector (within a page; where a sector continues after a page break its cell stays empty, as
//!   in the printed document); Obiettivo and Definizione are merged over the objective's rows
//!   (1–6 indicators); targets and actuals are numbers, about 10% of them Italian text
//!   (`3.800`, `1.200,50`, `>= 6`, `almeno 2`, `40%`); Peso are integers summing to 100 per
//!   objective (fractions with a `0%` format on the `Obiettivi di mandato` sheet); Note is
//!   mostly empty; Barometro is always empty;
//! - a simulated page break (an empty row and the header repeated) at the first objective
//!   boundary after every [`PAGE_ROWS`] data rows.
//!
//! Everything comes from a seeded xorshift generator: the same `(indicators, seed)` gives the
//! same cells.

use std::path::Path;

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};

use super::{
    italian_number, objective_title, paragraph, write_text_or_blank, write_vertical, Generated,
    Rng, QUALIFIERS, SUBJECTS,
};

/// The 13 column headings, verbatim from the Cremona document.
pub const HEADER: [&str; 13] = [
    "Settore",
    "Obiettivo",
    "Definizione",
    "Indicatore",
    "Formula",
    "Finalità",
    "Target atteso",
    "Target Consuntivo",
    "Scostamento",
    "Note",
    "Peso",
    "% Ragg",
    "Barometro",
];

/// Data rows per simulated page (the break falls at the next objective boundary).
pub const PAGE_ROWS: usize = 40;

/// First header row (0-based: Excel row 7).
const HEADER_ROW: u32 = 6;

/// Excel allows at most 1023 manual page breaks per sheet.
const MAX_PAGE_BREAKS: usize = 1023;

/// (sheet name, heading of the strategic line). The last one has its weights as fractions.
const LINES: [(&str, &str); 10] = [
    ("Ambiente", "LINEA STRATEGICA N. 1 SULL'AMBIENTE"),
    (
        "Rigenerazione urbana",
        "LINEA STRATEGICA N. 2 SULLA RIGENERAZIONE URBANA",
    ),
    (
        "Opere pubbliche",
        "LINEA STRATEGICA N. 3 SULLE OPERE PUBBLICHE",
    ),
    (
        "Sviluppo - lavoro - imprese",
        "LINEA STRATEGICA N. 4 SU SVILUPPO / LAVORO / IMPRESE",
    ),
    (
        "Smart city e PA efficiente",
        "LINEA STRATEGICA N. 5 SU SMART CITY E PA EFFICIENTE",
    ),
    (
        "Formazione, ricerca, cultura",
        "LINEA STRATEGICA N. 6 SU FORMAZIONE, RICERCA, CULTURA",
    ),
    (
        "Sviluppo della comunità",
        "LINEA STRATEGICA N. 7 SULLO SVILUPPO DELLA COMUNITA'",
    ),
    (
        "Sicurezza e legalità",
        "LINEA STRATEGICA N. 8 SU SICUREZZA E LEGALITA'",
    ),
    (
        "Mobilità sostenibile",
        "LINEA STRATEGICA N. 9 SULLA MOBILITA' SOSTENIBILE",
    ),
    (
        "Obiettivi di mandato",
        "LINEA STRATEGICA N. 10 - OBIETTIVI DI MANDATO",
    ),
];

const SECTORS: [&str; 14] = [
    "Settore Polizia Locale",
    "Settore Urbanistica, Commercio Artigianato SUAP - SUE e Area Vasta",
    "Settore Mobilità Sostenibile, Verde Pubblico, Protezione Civile",
    "Settore Lavori Pubblici e Manutenzioni",
    "Settore Politiche Sociali e Welfare di Comunità",
    "Settore Cultura, Musei e City Branding",
    "Settore Politiche Educative e Servizi per l'Infanzia",
    "Settore Risorse Umane e Organizzazione",
    "Settore Bilancio, Tributi e Società Partecipate",
    "Settore Sviluppo Economico, Turismo e Marketing Territoriale",
    "Settore Servizi Demografici, Elettorale e Statistica",
    "Settore Sistemi Informativi e Agenda Digitale",
    "Settore Patrimonio, Espropri e Gestione Immobili",
    "Settore Segreteria Generale, Contratti e Avvocatura",
];

/// Indicator names: a head followed by a subject (`del …`, `della …`, `dei …`).
const INDICATOR_HEADS: [&str; 16] = [
    "Numero di pratiche istruite nell'ambito",
    "Percentuale di interventi realizzati nell'ambito",
    "Rispetto dei tempi previsti per la gestione",
    "Incremento della copertura",
    "Numero di iniziative realizzate a favore",
    "Grado di soddisfazione degli utenti",
    "Approvazione degli atti di indirizzo",
    "Tempo medio di risposta nell'ambito",
    "Numero di controlli effettuati nell'ambito",
    "Percentuale di avanzamento",
    "Numero di utenti raggiunti nell'ambito",
    "Stato di avanzamento",
    "Predisposizione degli atti per la gestione",
    "Numero di incontri pubblici per la presentazione",
    "Riduzione dei giorni di attesa nell'ambito",
    "Importo dei finanziamenti ottenuti a favore",
];

/// (formula, kind of value).
const FORMULAS: [(&str, Kind); 14] = [
    ("1 = fatto 0 = non fatto", Kind::Done),
    ("1 = fatto 0 = non fatto", Kind::Done),
    ("1 = fatto 0 = non fatto", Kind::Done),
    ("n. pratiche evase / n. pratiche pervenute", Kind::Percent),
    (
        "(n. interventi realizzati / n. interventi programmati) x 100",
        Kind::Percent,
    ),
    ("importo riscosso / importo accertato * 100", Kind::Percent),
    (
        "n. utenti soddisfatti / n. utenti intervistati",
        Kind::Percent,
    ),
    (
        "metri lineari di piste ciclabili effettuati nell'anno",
        Kind::Count,
    ),
    ("numero di iniziative realizzate nell'anno", Kind::Count),
    ("n. controlli effettuati", Kind::Count),
    ("somma dei giorni di attesa / n. richieste", Kind::Count),
    ("n. utenti iscritti al servizio al 31/12", Kind::Count),
    ("euro di finanziamenti ottenuti", Kind::Amount),
    (
        "data di approvazione dell'atto entro il termine",
        Kind::Done,
    ),
];

const PURPOSES: [&str; 16] = [
    "Favorire gli interventi a favore della sicurezza stradale",
    "Contenere il consumo di suolo agricolo",
    "Privilegiare gli interventi di riqualificazione e rigenerazione urbana",
    "Migliorare la qualità dei servizi erogati ai cittadini",
    "Ridurre i tempi dei procedimenti amministrativi",
    "Garantire la trasparenza e l'accessibilità delle informazioni",
    "Aumentare l'efficienza della spesa pubblica",
    "Sostenere le famiglie e le persone in condizione di fragilità",
    "Valorizzare il patrimonio culturale della città",
    "Ridurre l'esposizione al rischio e il livello di incidentalità",
    "Promuovere la partecipazione dei cittadini",
    "Rafforzare le competenze digitali del personale",
    "Contrastare l'evasione dei tributi locali",
    "Migliorare il decoro urbano e la vivibilità dei quartieri",
    "Sostenere il tessuto economico e commerciale locale",
    "Rispettare gli impegni assunti con il PNRR",
];

const NOTES: [&str; 6] = [
    "Obiettivo raggiunto nei tempi previsti",
    "Attività rinviata al 2025 per mancato finanziamento",
    "Il dato è riferito al 30/11/2024",
    "Scostamento dovuto al ritardo nell'aggiudicazione della gara",
    "Dato fornito dall'ufficio statistica",
    "Vedi relazione allegata",
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// 1 = done, 0 = not done.
    Done,
    /// A percentage written as a number (target 80–100).
    Percent,
    /// A count (target 2–5000).
    Count,
    /// An amount in euro, with cents.
    Amount,
}

/// One indicator row's generated content.
struct Indicator {
    indicatore: String,
    formula: &'static str,
    finalita: String,
    target: Value,
    actual: Value,
    scostamento: f64,
    note: Option<&'static str>,
    peso: u32,
    ragg: u32,
}

/// A target or actual: a number, or the Italian text a clerk typed instead.
enum Value {
    Number(f64),
    Text(String),
}

struct Objective {
    settore: usize,
    title: String,
    definizione: String,
    indicators: Vec<Indicator>,
}

struct Formats {
    title: Format,
    heading: Format,
    plain: Format,
    banner_text: Format,
    banner_pct: Format,
    header: Format,
    text: Format,
    number: Format,
    percent0: Format,
}

impl Formats {
    fn new() -> Self {
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Top);
        Formats {
            title: Format::new()
                .set_bold()
                .set_font_size(14)
                .set_align(FormatAlign::Center),
            heading: Format::new()
                .set_bold()
                .set_font_size(12)
                .set_align(FormatAlign::Center),
            plain: Format::new(),
            banner_text: Format::new().set_bold().set_font_size(16),
            banner_pct: Format::new()
                .set_bold()
                .set_font_size(16)
                .set_num_format("0.00%"),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0xD9E1F2)),
            text: cell.clone().set_text_wrap(),
            number: cell.clone(),
            percent0: cell.set_num_format("0%"),
        }
    }
}

/// Integer weights, each positive, summing to 100.
fn weights(rng: &mut Rng, n: usize) -> Vec<u32> {
    let n32 = n as u32;
    let mut w = vec![100 / n32; n];
    for x in w.iter_mut().take((100 % n32) as usize) {
        *x += 1;
    }
    if n > 1 && rng.chance(500) {
        let from = rng.below(n);
        let to = rng.below(n);
        let delta = 5 * rng.range(1, 2) as u32;
        if from != to && w[from] > delta {
            w[from] -= delta;
            w[to] += delta;
        }
    }
    w
}

/// A target/actual pair of numbers for a kind of indicator.
fn numbers(rng: &mut Rng, kind: Kind) -> (f64, f64) {
    match kind {
        Kind::Done => (1.0, if rng.chance(900) { 1.0 } else { 0.0 }),
        Kind::Percent => {
            let t = rng.pick(&[80.0, 90.0, 95.0, 100.0]);
            let a = if rng.chance(750) {
                t
            } else {
                (t - rng.range(1, 30) as f64).max(0.0)
            };
            (t, a)
        }
        Kind::Count => {
            let t = if rng.chance(300) {
                rng.range(1000, 9000) as f64
            } else {
                rng.range(2, 400) as f64
            };
            let a = if rng.chance(700) {
                t
            } else {
                (t * rng.range(50, 130) as f64 / 100.0).round()
            };
            (t, a)
        }
        Kind::Amount => {
            let t = rng.range(1000, 500_000) as f64 + rng.below(100) as f64 / 100.0;
            let a = if rng.chance(600) {
                t
            } else {
                ((t * rng.range(60, 110) as f64).round()) / 100.0
            };
            (t, a)
        }
    }
}

/// The number as a clerk might have typed it as text.
fn as_text(rng: &mut Rng, kind: Kind, value: f64) -> String {
    match kind {
        Kind::Amount => italian_number(value, 2),
        Kind::Percent => format!("{}%", italian_number(value, 0)),
        Kind::Count if value >= 1000.0 => italian_number(value, 0),
        Kind::Count | Kind::Done => match rng.below(3) {
            0 => format!(">= {}", italian_number(value, 0)),
            1 => format!("almeno {}", italian_number(value, 0)),
            _ => italian_number(value, 0),
        },
    }
}

fn indicator(rng: &mut Rng, peso: u32) -> Indicator {
    let (formula, kind) = rng.pick(&FORMULAS);
    let indicatore = format!(
        "{} {}{}",
        rng.pick(&INDICATOR_HEADS),
        rng.pick(&SUBJECTS),
        rng.pick(&QUALIFIERS)
    );
    let finalita = if rng.chance(300) {
        format!(
            "{} {}",
            rng.pick(&PURPOSES),
            rng.pick(&PURPOSES).to_lowercase()
        )
    } else {
        rng.pick(&PURPOSES).to_string()
    };
    let (t, a) = numbers(rng, kind);
    let (target, actual) = if rng.chance(100) {
        let tt = Value::Text(as_text(rng, kind, t));
        let at = if rng.chance(500) {
            Value::Text(as_text(rng, kind, a))
        } else {
            Value::Number(a)
        };
        (tt, at)
    } else if rng.chance(20) {
        (Value::Number(t), Value::Text(as_text(rng, kind, a)))
    } else {
        (Value::Number(t), Value::Number(a))
    };
    let ragg = if t > 0.0 {
        (a / t * 100.0).round().clamp(0.0, 100.0) as u32
    } else {
        100
    };
    Indicator {
        indicatore,
        formula,
        finalita,
        target,
        actual,
        scostamento: ((a - t) * 100.0).round() / 100.0,
        note: if rng.chance(40) {
            Some(rng.pick(&NOTES))
        } else {
            None
        },
        peso,
        ragg,
    }
}

/// The objectives of one line, `count` indicators in all.
fn objectives(rng: &mut Rng, count: usize) -> Vec<Objective> {
    let mut out: Vec<Objective> = Vec::new();
    let mut left = count;
    let mut settore = rng.below(SECTORS.len());
    let mut sector_left = rng.range(1, 5);
    while left > 0 {
        if sector_left == 0 {
            let next = rng.below(SECTORS.len() - 1);
            settore = if next >= settore { next + 1 } else { next };
            sector_left = rng.range(1, 5);
        }
        sector_left -= 1;
        let n = (rng.range(1, 6) as usize).min(left);
        left -= n;
        let mut title = objective_title(rng);
        // Consecutive objectives with the same title would be one objective: avoid it.
        while out.last().is_some_and(|o| o.title == title) {
            title = objective_title(rng);
        }
        let definizione = paragraph(rng, 150, 300);
        let indicators = weights(rng, n)
            .into_iter()
            .map(|p| indicator(rng, p))
            .collect();
        out.push(Objective {
            settore,
            title,
            definizione,
            indicators,
        });
    }
    out
}

fn write_value(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    value: &Value,
    f: &Formats,
) -> Result<(), XlsxError> {
    match value {
        Value::Number(n) => ws.write_number_with_format(row, col, *n, &f.number)?,
        Value::Text(t) => ws.write_string_with_format(row, col, t, &f.number)?,
    };
    Ok(())
}

fn write_header(ws: &mut Worksheet, row: u32, f: &Formats) -> Result<(), XlsxError> {
    for (i, h) in HEADER.iter().enumerate() {
        ws.write_string_with_format(row, i as u16, *h, &f.header)?;
    }
    Ok(())
}

fn write_indicator(
    ws: &mut Worksheet,
    row: u32,
    ind: &Indicator,
    peso_as_fraction: bool,
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.write_string_with_format(row, 3, &ind.indicatore, &f.text)?;
    ws.write_string_with_format(row, 4, ind.formula, &f.text)?;
    ws.write_string_with_format(row, 5, &ind.finalita, &f.text)?;
    write_value(ws, row, 6, &ind.target, f)?;
    write_value(ws, row, 7, &ind.actual, f)?;
    ws.write_number_with_format(row, 8, ind.scostamento, &f.number)?;
    write_text_or_blank(ws, row, 9, ind.note.unwrap_or(""), &f.text)?;
    if peso_as_fraction {
        ws.write_number_with_format(row, 10, f64::from(ind.peso) / 100.0, &f.percent0)?;
    } else {
        ws.write_number_with_format(row, 10, f64::from(ind.peso), &f.number)?;
    }
    ws.write_number_with_format(row, 11, f64::from(ind.ragg), &f.number)?;
    ws.write_blank(row, 12, &f.number)?;
    Ok(())
}

/// Writes one line's sheet: title block, header, objectives with page breaks.
fn write_line(
    ws: &mut Worksheet,
    index: usize,
    heading: &str,
    objectives: &[Objective],
    peso_as_fraction: bool,
    rng: &mut Rng,
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    let widths = [
        30.0, 40.0, 60.0, 36.0, 36.0, 36.0, 11.0, 11.0, 11.0, 30.0, 8.0, 8.0, 11.0,
    ];
    for (i, w) in widths.iter().enumerate() {
        ws.set_column_width(i as u16, *w)?;
    }
    ws.merge_range(0, 0, 0, 12, "COMUNE DI SINTESI", &f.title)?;
    ws.write_string_with_format(1, 0, "Relazione sulla Performance 2024", &f.plain)?;
    ws.merge_range(2, 0, 2, 12, heading, &f.heading)?;
    ws.write_string_with_format(
        3,
        0,
        "% Raggiungimento obiettivi per area strategica",
        &f.plain,
    )?;
    let hundredths = rng.range(7000, 10000);
    if index.is_multiple_of(2) {
        let text = format!("{},{:02}%", hundredths / 100, hundredths % 100);
        ws.write_string_with_format(4, 0, &text, &f.banner_text)?;
    } else {
        ws.write_number_with_format(4, 0, hundredths as f64 / 10000.0, &f.banner_pct)?;
    }

    write_header(ws, HEADER_ROW, f)?;
    let mut breaks: Vec<u32> = Vec::new();
    let mut row = HEADER_ROW + 1;
    let mut page_rows = 0usize;
    // Settore run being written: (sector, first row); continuing after a page break or not.
    let mut run: Option<(usize, u32)> = None;
    let mut run_is_continuation = false;
    let close_run = |ws: &mut Worksheet,
                     run: Option<(usize, u32)>,
                     continuation: bool,
                     end: u32|
     -> Result<(), XlsxError> {
        if let Some((s, first)) = run {
            if continuation {
                for r in first..end {
                    ws.write_blank(r, 0, &f.text)?;
                }
            } else {
                write_vertical(ws, first, end - 1, 0, SECTORS[s], &f.text)?;
            }
        }
        Ok(())
    };
    for obj in objectives {
        if page_rows >= PAGE_ROWS {
            let sector = run.map(|(s, _)| s);
            close_run(ws, run, run_is_continuation, row)?;
            row += 1; // empty row at the bottom of the "page"
            write_header(ws, row, f)?;
            breaks.push(row);
            row += 1;
            page_rows = 0;
            run = sector.map(|s| (s, row));
            run_is_continuation = true;
        }
        match run {
            Some((s, _)) if s == obj.settore => {}
            _ => {
                close_run(ws, run, run_is_continuation, row)?;
                run = Some((obj.settore, row));
                run_is_continuation = false;
            }
        }
        let n = obj.indicators.len() as u32;
        write_vertical(ws, row, row + n - 1, 1, &obj.title, &f.text)?;
        write_vertical(ws, row, row + n - 1, 2, &obj.definizione, &f.text)?;
        for (i, ind) in obj.indicators.iter().enumerate() {
            write_indicator(ws, row + i as u32, ind, peso_as_fraction, f)?;
        }
        row += n;
        page_rows += n as usize;
    }
    close_run(ws, run, run_is_continuation, row)?;
    breaks.truncate(MAX_PAGE_BREAKS);
    if !breaks.is_empty() {
        ws.set_page_breaks(&breaks)?;
    }
    Ok(())
}

/// Writes a synthetic results workbook with exactly `indicators` indicator rows, spread over
/// up to 10 sheets (one per strategic line). Deterministic for a given `(indicators, seed)`.
pub fn write_table_workbook(path: &Path, indicators: usize, seed: u64) -> Result<(), XlsxError> {
    generate(path, indicators, seed).map(|_| ())
}

/// The method `rules/predefinite/indicatori.rhai` chooses for a table indicator: its formula
/// says «1 = fatto 0 = non fatto», or its name starts with «Tempo medio» (lower is better),
/// or the ratio.
fn method(ind: &Indicator) -> &'static str {
    if ind.formula.starts_with("1 = fatto") {
        "fatto_non_fatto"
    } else if ind.indicatore.starts_with("Tempo medio") {
        "minore_migliore"
    } else {
        "rapporto"
    }
}

/// [`write_table_workbook`], with what was written.
pub(super) fn generate(path: &Path, indicators: usize, seed: u64) -> Result<Generated, XlsxError> {
    let mut rng = Rng::new(seed);
    let f = Formats::new();
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_title("Relazione sulla Performance 2024 - dati sintetici")
            .set_company("Comune di Sintesi")
            .set_author("barometro benchmarks")
            .set_creation_datetime(&ExcelDateTime::from_ymd(2025, 4, 30)?),
    );
    let mut generated = Generated::default();
    let sheets = LINES.len().min(indicators.max(1));
    for (index, (name, heading)) in LINES.iter().take(sheets).enumerate() {
        let count = indicators / sheets + usize::from(index < indicators % sheets);
        let objectives = objectives(&mut rng, count);
        generated.areas += 1;
        generated.objectives += objectives.len();
        for ind in objectives.iter().flat_map(|o| &o.indicators) {
            generated.indicators += 1;
            generated.count_method(method(ind));
        }
        generated.sheets.push(name.to_string());
        let peso_as_fraction = index == LINES.len() - 1;
        let ws = wb.add_worksheet();
        ws.set_name(*name)?;
        write_line(
            ws,
            index,
            heading,
            &objectives,
            peso_as_fraction,
            &mut rng,
            &f,
        )?;
    }
    wb.save(path)?;
    Ok(generated)
}

/// The table workbook of `indicators` indicators in `dir` (`synth-<indicators>-<seed>.xlsx`):
/// reused when present, generated otherwise; the time generation took, if it did.
pub fn table_workbook(
    dir: &Path,
    indicators: usize,
    seed: u64,
) -> (std::path::PathBuf, Option<std::time::Duration>) {
    let path = dir.join(format!("synth-{indicators}-{seed}.xlsx"));
    if path.exists() {
        eprintln!("reusing {}", path.display());
        return (path, None);
    }
    eprintln!(
        "generating {indicators} indicators into {}…",
        path.display()
    );
    let start = std::time::Instant::now();
    write_table_workbook(&path, indicators, seed)
        .unwrap_or_else(|e| panic!("cannot generate {}: {e}", path.display()));
    (path, Some(start.elapsed()))
}
