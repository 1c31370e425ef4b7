//! Deterministic generator of synthetic municipal workbooks of any size, in the layouts
//! barometro reads (issue #8): the same `(layout, size, seed)` gives the same cells.
//!
//! - [`Layout::Tabella`] ([`table`]): the flat results table of **Comune di Cremona** (*Stato di
//!   attuazione degli Obiettivi 2024*), one sheet per strategic line, one row per indicator;
//!   the size is the number of indicator rows. Its cells have not changed since the first
//!   benchmarks ([`write_table_workbook`], [`table_workbook`]).
//! - [`Layout::Schede`] ([`cards`]): objective cards (*schede obiettivo*) as **Comune di
//!   Casalgrande** lays them out (PIAO 2023-2025, *Sottosezione 2.2 Performance*): sector
//!   sections `SETTORE … (N OBIETTIVI)`, `Classificazione` / `Titolo` / `Settore/Cdr` rows, a
//!   header box, an indicator table by year, monitoring texts at 30/06 and 31/12; the size is
//!   the number of indicator rows the reader keeps (plan years included).
//! - [`Layout::Attivita`] ([`activities`]): objective cards with activities and a 12-month
//!   plan as the **Unione delle Terre d'Argine** prints them (monitoring at 31/07/2024): per
//!   unit, its objectives table (`Obiettivo Esecutivo | Priorità | Peso | … | Esito
//!   (monitoraggio)`, `TOTALE` row) and a sheet of cards with `Previsto` / `Effettivo` month
//!   rows, `Peso`, `P.A.I`, `P.E.I`; the size is the number of activities. Read it with the
//!   automatic detection (the default): its table sheets are tables, its card sheets cards.
//! - [`Layout::AttivitaTabella`] ([`activities`]): the same activities (same seed, same values)
//!   as Terre d'Argine's flat activity table, one row per activity with its `Previsto` and
//!   `Effettivo` month columns, one sheet per unit (`barometro --layout attivita`).
//!
//! [`write_workbook`] returns a [`Generated`]: what the reader should find (areas, objectives,
//! indicators, activities), the scoring methods the default rules (`rules/predefinite`) should
//! choose, and the cells where something was planted on purpose, with the finding the reader
//! owes it (errors: a date that does not exist, a broken number, an Excel error; warnings:
//! values packed in one cell, an impossible date in a monitoring label; info: a row split by a
//! page break), so that tests can check all of it.
//!
//! Everything comes from one seeded xorshift generator ([`Rng`]).
//!
//! The benchmarks include this module with `mod synth;` and use only the table; what they do
//! not use carries its own `#[allow(dead_code)]` (an `#![allow]` here would clash with the
//! `#[allow(dead_code)]` some includers put on `mod synth`).

#[allow(dead_code)]
pub mod activities;
#[allow(dead_code)]
pub mod cards;
pub mod table;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Worksheet, XlsxError};

#[allow(unused_imports)]
pub use table::{table_workbook, write_table_workbook};

#[allow(dead_code)]
/// The layouts the generator writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layout {
    /// Flat table, one row per indicator (Cremona).
    Tabella,
    /// Objective cards with indicator tables (Casalgrande).
    Schede,
    /// Objective cards with activities and month plans (Terre d'Argine).
    Attivita,
    /// The same activities as one flat table per unit (Terre d'Argine's `Attività S1`).
    AttivitaTabella,
}

#[allow(dead_code)]
impl Layout {
    /// All layouts, in this order.
    pub const ALL: [Layout; 4] = [
        Layout::Tabella,
        Layout::Schede,
        Layout::Attivita,
        Layout::AttivitaTabella,
    ];

    /// The layout for a word (`tabella`, `schede`, `attivita` / `attività`,
    /// `attivita-tabella`).
    pub fn from_word(word: &str) -> Option<Layout> {
        match word.trim().to_lowercase().replace('à', "a").as_str() {
            "tabella" | "table" => Some(Layout::Tabella),
            "schede" | "scheda" | "cards" => Some(Layout::Schede),
            "attivita" | "activities" => Some(Layout::Attivita),
            "attivita-tabella" | "tabella-attivita" | "activity-table" => {
                Some(Layout::AttivitaTabella)
            }
            _ => None,
        }
    }

    /// The word of [`Layout::from_word`]. Not barometro's `--layout` word: barometro's
    /// `attivita` is the flat activity table, [`Layout::AttivitaTabella`] here.
    pub fn word(self) -> &'static str {
        match self {
            Layout::Tabella => "tabella",
            Layout::Schede => "schede",
            Layout::Attivita => "attivita",
            Layout::AttivitaTabella => "attivita-tabella",
        }
    }

    /// Whether the size counts activities (otherwise indicators).
    pub fn counts_activities(self) -> bool {
        matches!(self, Layout::Attivita | Layout::AttivitaTabella)
    }

    /// What the size counts: `indicatori` or `attività`.
    pub fn unit(self) -> &'static str {
        if self.counts_activities() {
            "attività"
        } else {
            "indicatori"
        }
    }
}

#[allow(dead_code)]
/// A broken value (or a page-break artefact) written on purpose, and where (0-based row and
/// column, as in calamine).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Planted {
    pub sheet: String,
    pub row: u32,
    pub col: u32,
    /// What the cell shows: `31.04.2024`, `1.297,888,00`, `#REF!`.
    pub text: String,
    /// The reader's finding rule: `data-inesistente`, `numero-non-valido`, `errore-excel`
    /// (errors); `piu-valori-in-una-cella`, `data-impossibile-nel-testo` (warnings);
    /// `riga-spezzata` (info: a row split by a page break, joined).
    pub kind: &'static str,
}

#[allow(dead_code)]
impl Planted {
    /// The severity the reader should give it: `errore`, `avviso` or `info`.
    pub fn severity(&self) -> &'static str {
        match self.kind {
            "data-inesistente" | "numero-non-valido" | "errore-excel" => "errore",
            "riga-spezzata" => "info",
            _ => "avviso",
        }
    }
}

#[allow(dead_code)]
/// What a generated workbook holds, for the tests and the benchmarks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Generated {
    /// Top-level areas the reader should find (strategic lines, sectors, units).
    pub areas: usize,
    /// Objectives.
    pub objectives: usize,
    /// Indicator rows the reader keeps (plan-year rows included, placeholder rows not).
    pub indicators: usize,
    /// Activities.
    pub activities: usize,
    /// Monitoring texts of the objectives (`Stato di attuazione al 30/06/2024`, …).
    pub statuses: usize,
    /// Monitoring texts split by a page footer (the reader joins the two parts).
    pub texts_split: usize,
    /// Indicators by the method `rules/predefinite/indicatori.rhai` chooses for them.
    pub methods: BTreeMap<&'static str, usize>,
    /// Activities by kind: `pai_uguale` (the stored P.A.I is the one the month plan gives at
    /// 31/07/2024), `pai_modificato` (a stored P.A.I that differs: an evaluator's decision),
    /// `pai_mancante` (a `#REF!` planted instead), `anno_successivo` (a phase of the next
    /// year, not due yet); and by the status of their interim monitoring (`IN LINEA`, `QUASI
    /// IN LINEA`, `NON IN LINEA`, `senza stato`).
    pub activity_kinds: BTreeMap<&'static str, usize>,
    /// The broken values planted on purpose, in sheet order.
    pub planted: Vec<Planted>,
    /// Plan-year placeholder rows with a dash in every cell (`2025 | - | - | …`, Casalgrande
    /// L290–L291), by sheet and 0-based row. They are no indicators: the reader should skip
    /// them, but keeps them (the `-` under `Peso` counts as a weight), see `tests/synth.rs`.
    pub dash_rows: Vec<(String, u32)>,
    /// The sheets written, in order.
    pub sheets: Vec<String>,
    /// The reporting year the reader should find: the first year of the plan rows of the
    /// indicator cards (`None` for the table and the activity cards, which have none).
    pub reporting_year: Option<i32>,
}

#[allow(dead_code)]
impl Generated {
    fn count_method(&mut self, method: &'static str) {
        *self.methods.entry(method).or_default() += 1;
    }

    fn count_activity(&mut self, kind: &'static str) {
        *self.activity_kinds.entry(kind).or_default() += 1;
    }
}

#[allow(dead_code)]
/// Writes a synthetic workbook of `size` indicators (activities for [`Layout::Attivita`] and
/// [`Layout::AttivitaTabella`]) in `layout`, deterministic for a given `(layout, size, seed)`.
/// `size` 0 is taken as 1.
pub fn write_workbook(
    path: &Path,
    layout: Layout,
    size: usize,
    seed: u64,
) -> Result<Generated, XlsxError> {
    let size = size.max(1);
    match layout {
        Layout::Tabella => table::generate(path, size, seed),
        Layout::Schede => cards::generate(path, size, seed),
        Layout::Attivita => activities::generate(path, size, seed),
        Layout::AttivitaTabella => activities::generate_flat(path, size, seed),
    }
}

#[allow(dead_code)]
/// The workbook of `layout` and `size` in `dir` (`synth-<layout>-<size>-<seed>.xlsx`; the
/// table keeps its old name, `synth-<size>-<seed>.xlsx`): reused when present, generated
/// otherwise; the time generation took, if it did.
pub fn workbook(
    dir: &Path,
    layout: Layout,
    size: usize,
    seed: u64,
) -> (PathBuf, Option<std::time::Duration>) {
    if layout == Layout::Tabella {
        return table_workbook(dir, size, seed);
    }
    let path = dir.join(format!("synth-{}-{size}-{seed}.xlsx", layout.word()));
    if path.exists() {
        eprintln!("reusing {}", path.display());
        return (path, None);
    }
    eprintln!(
        "generating {size} {} ({}) into {}…",
        layout.unit(),
        layout.word(),
        path.display()
    );
    let start = std::time::Instant::now();
    write_workbook(&path, layout, size, seed)
        .unwrap_or_else(|e| panic!("cannot generate {}: {e}", path.display()));
    (path, Some(start.elapsed()))
}

#[allow(dead_code)]
/// Fixed document properties (a fixed creation date keeps the files byte-stable).
fn properties(title: &str, company: &str) -> Result<DocProperties, XlsxError> {
    Ok(DocProperties::new()
        .set_title(title)
        .set_company(company)
        .set_author("barometro benchmarks")
        .set_creation_datetime(&ExcelDateTime::from_ymd(2025, 4, 30)?))
}

#[allow(dead_code)]
/// Height that shows `text` wrapped over about `chars` characters per line.
fn wrapped_height(text: &str, chars: usize) -> f64 {
    let lines: usize = text
        .split('\n')
        .map(|l| l.chars().count().div_ceil(chars.max(1)).max(1))
        .sum();
    15.0 * lines.max(1) as f64
}

#[allow(dead_code)]
/// Splits `total` into `n` positive integer parts, multiples of `step` where possible, in
/// random proportions (each part at least `step`, or 1 when `total < n × step`).
fn split_total(rng: &mut Rng, total: u32, n: usize, step: u32) -> Vec<u32> {
    let n32 = n as u32;
    let step = if total >= n32 * step { step } else { 1 };
    let units = total / step;
    // Every part gets one unit, the rest goes out at random.
    let mut parts = vec![1u32; n];
    for _ in 0..units.saturating_sub(n32) {
        parts[rng.below(n)] += 1;
    }
    let mut out: Vec<u32> = parts.into_iter().map(|p| p * step).collect();
    let remainder = total - out.iter().sum::<u32>();
    out[0] += remainder;
    out
}

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
