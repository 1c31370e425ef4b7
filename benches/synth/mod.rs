//! Deterministic generator of synthetic municipal workbooks for the benchmarks.
//!
//! The layout is the one of Comune di Cremona's results table (*Stato di attuazione degli
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

const ACTIONS: [&str; 22] = [
    "Realizzazione",
    "Riqualificazione",
    "Approvazione",
    "Potenziamento",
    "Digitalizzazione",
    "Completamento",
    "Avvio",
    "Revisione",
    "Gestione",
    "Monitoraggio",
    "Progettazione",
    "Valorizzazione",
    "Riorganizzazione",
    "Aggiornamento",
    "Consolidamento",
    "Attuazione",
    "Sviluppo",
    "Promozione",
    "Implementazione",
    "Semplificazione",
    "Manutenzione straordinaria",
    "Messa in sicurezza",
];

const SUBJECTS: [&str; 36] = [
    "della Variante al Piano di Governo del Territorio",
    "di 2 piste ciclabili monodirezionali in via Boschetto",
    "del nuovo polo scolastico di via Dante",
    "dei servizi di sportello unico per le attività produttive",
    "del sistema di videosorveglianza urbana",
    "del piano di eliminazione delle barriere architettoniche",
    "della rete dei servizi sociali di quartiere",
    "del patrimonio arboreo cittadino",
    "dei procedimenti di riscossione coattiva",
    "del portale dei servizi online al cittadino",
    "della biblioteca civica e dei servizi culturali",
    "degli impianti sportivi comunali",
    "del piano triennale dei fabbisogni di personale",
    "del regolamento per la concessione di contributi",
    "dell'archivio storico comunale",
    "del trasporto pubblico locale urbano",
    "degli alloggi di edilizia residenziale pubblica",
    "della mensa scolastica e dei servizi integrativi",
    "del piano di protezione civile comunale",
    "della rete di illuminazione pubblica a LED",
    "del programma di interventi PNRR - M5C2-I2.1",
    "dei controlli sulle dichiarazioni ISEE",
    "del sistema di gestione documentale",
    "delle procedure di gara per lavori e forniture",
    "del centro per le famiglie",
    "della piattaforma di pagamento pagoPA",
    "del mercato settimanale e delle aree mercatali",
    "delle iniziative per il turismo sostenibile",
    "della rete dei nidi d'infanzia",
    "del piano della sosta e dei parcheggi di interscambio",
    "dei servizi di assistenza domiciliare agli anziani",
    "del piano anticorruzione e trasparenza",
    "della banca dati toponomastica e della numerazione civica",
    "del patrimonio immobiliare non utilizzato",
    "del piano di comunicazione istituzionale",
    "dei percorsi di formazione del personale",
];

const QUALIFIERS: [&str; 12] = [
    "",
    "",
    "",
    " entro il 31/12/2024",
    " nel quartiere Po",
    " in collaborazione con ATS e ARPA",
    " con fondi PNRR",
    " (seconda annualità)",
    " nei quartieri periferici",
    " secondo il cronoprogramma approvato",
    " in forma associata con i comuni dell'Area Vasta",
    " - fase 2",
];

const SENTENCES: [&str; 24] = [
    "Conclusione delle attività avviate nel corso del 2023 e continuate nel primo semestre dell'anno.",
    "Si tratta di una procedura tecnico – progettuale complessa per la varietà dei temi da affrontare.",
    "Tramite il bando del Ministero dell'Interno è stato finanziato l'intervento di rigenerazione urbana.",
    "L'obiettivo prevede il coinvolgimento dei cittadini e delle associazioni del territorio.",
    "Pubblicazione degli atti per la raccolta delle osservazioni e dei pareri degli enti competenti.",
    "Controdeduzione alle osservazioni pervenute e approvazione definitiva con delibera consiliare.",
    "L'intervento consente di mettere in sicurezza l'asse stradale a favore di una mobilità sostenibile.",
    "Il progetto si inserisce nella strategia di transizione digitale dell'ente (Agenda Digitale 2026).",
    "Le attività saranno svolte in collaborazione con gli altri settori dell'ente e con le partecipate.",
    "Il prodotto finale fornirà strategie, indirizzi e azioni per il decennio a venire.",
    "È prevista la rendicontazione periodica dello stato di avanzamento alla Giunta comunale.",
    "L'obiettivo è trasversale e coinvolge il personale di più uffici.",
    "Riduzione dei tempi medi di conclusione dei procedimenti rispetto all'anno precedente.",
    "Ampliamento dell'offerta di servizi a favore delle famiglie con figli minori.",
    "Adeguamento della modulistica e pubblicazione sul sito istituzionale nella sezione Amministrazione Trasparente.",
    "Il finanziamento regionale copre il 70% della spesa, la quota restante è a carico del bilancio comunale.",
    "Verifica puntuale delle posizioni debitorie e avvio delle procedure di recupero.",
    "Le risorse sono state stanziate nel bilancio di previsione 2024-2026.",
    "Aggiornamento delle banche dati e bonifica delle anagrafiche.",
    "Sono previsti incontri pubblici di presentazione nei quartieri.",
    "L'affidamento avverrà mediante procedura negoziata sul mercato elettronico.",
    "Gli interventi riguardano in particolare le scuole primarie e secondarie di primo grado.",
    "La misura contribuisce al raggiungimento dei target europei di riduzione delle emissioni.",
    "Il cronoprogramma prevede la conclusione dei lavori entro il mese di novembre.",
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

/// xorshift64* (Vigna): small, fast, good enough for test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        // splitmix64 of the seed, so that small seeds give well-mixed states (never 0).
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Rng(if z == 0 { 0x2545_F491_4F6C_DD1D } else { z })
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below((hi - lo + 1) as usize) as u64
    }

    /// True with probability `per_mille / 1000`.
    pub fn chance(&mut self, per_mille: usize) -> bool {
        self.below(1000) < per_mille
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
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

/// `3800.0` → `3.800`; `1200.5` with 2 decimals → `1.200,50`.
fn italian_number(value: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, value.abs());
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let mut out = String::new();
    if value < 0.0 {
        out.push('-');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push(',');
        out.push_str(f);
    }
    out
}

/// Sentences from the pool until about `min..=max` characters (cut at a word boundary).
fn paragraph(rng: &mut Rng, min: usize, max: usize) -> String {
    let want = rng.range(min as u64, max as u64) as usize;
    let mut out = String::new();
    while out.chars().count() < want {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(rng.pick(&SENTENCES));
    }
    if out.chars().count() > max {
        let cut = out.char_indices().nth(max).map_or(out.len(), |(i, _)| i);
        let cut = out[..cut].rfind(' ').unwrap_or(cut);
        out.truncate(cut);
        out = out.trim_end_matches([',', ' ', '–']).to_string();
        out.push('.');
    }
    out
}

fn objective_title(rng: &mut Rng) -> String {
    let action = rng.pick(&ACTIONS);
    let subject = rng.pick(&SUBJECTS);
    let qualifier = rng.pick(&QUALIFIERS);
    if rng.chance(80) {
        format!(
            "PNRR - M{}C{}-I{}.{} - {action} {subject}{qualifier}",
            rng.range(1, 6),
            rng.range(1, 4),
            rng.range(1, 4),
            rng.range(1, 9)
        )
    } else {
        format!("{action} {subject}{qualifier}")
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

fn write_text_or_blank(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    text: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    if text.is_empty() {
        ws.write_blank(row, col, format)?;
    } else {
        ws.write_string_with_format(row, col, text, format)?;
    }
    Ok(())
}

/// `text` over rows `first..=last` of one column, merged when it spans several rows.
fn write_vertical(
    ws: &mut Worksheet,
    first: u32,
    last: u32,
    col: u16,
    text: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    if last > first {
        ws.merge_range(first, col, last, col, text, format)?;
    } else {
        write_text_or_blank(ws, first, col, text, format)?;
    }
    Ok(())
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
    let sheets = LINES.len().min(indicators.max(1));
    for (index, (name, heading)) in LINES.iter().take(sheets).enumerate() {
        let count = indicators / sheets + usize::from(index < indicators % sheets);
        let objectives = objectives(&mut rng, count);
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
    wb.save(path)
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
