//! Objective **cards** ("schede obiettivo") of the **Comune di Casalgrande**, *PIAO 2023-2025,
//! Sottosezione 2.2 Performance*, with the status at 30/06/2023 and 31/12/2023: 9 sector
//! sections, 35 cards, 49 indicator rows for 2023 (`tests/data/casalgrande.json`, transcribed
//! from `shared/seeds/000_79c56ed923b11c04.txt`; see `tests/data/README.md` and
//! `shared/docs/analysis/000.md`).
//!
//! [`casalgrande_data`] gives the transcription (every value verbatim, with the seed line it comes
//! from); [`write_casalgrande`] writes it as the office's workbook would look after a PDF → Excel
//! round trip: one sheet [`CASALGRANDE_SHEET`], cards one under the other, merged cells, page
//! footers left in the middle of cards, rows split by page breaks. [`casalgrande_layout`] returns
//! the row of everything written.
//!
//! All rows and columns below are **0-based** (row 0 = Excel row 1, column 0 = A), as in
//! `rust_xlsxwriter` and `calamine`.
//!
//! # Sheet `Performance`
//!
//! | Rows | Content |
//! |---|---|
//! | 0–16 | the preamble, each seed line `Ln` (L3–L19) on row `n − 3`, blank rows where the seed has blank lines: title (bold), legal paragraph, contents, the `Classificazione obiettivi di performance` legend with the number (1–6, a number) in A and the text in B |
//! | 18 | the first sector banner |
//!
//! Each sector: a **banner row** (`SETTORE FINANZIARIO (4 OBIETTIVI)` in A, merged A:I, bold),
//! then its cards, each followed by **one blank row**. The next banner comes right after that
//! blank row.
//!
//! # Card block
//!
//! A card is `width` columns wide ([`CasalgrandeCard::width`]: 9 (A:I) for most cards, 10 (A:J)
//! where the seed's rows carry a tenth cell (AG3, AG4, PT2, VC1, VC2, EN2), 8 (A:H) for SS1–SS4).
//! `last` below is column `width − 1`. Rows from the card's first row, in this order:
//!
//! | Row | Content |
//! |---|---|
//! | `Classificazione` | A `Classificazione` (bold), B the value merged B:`last` |
//! | `Titolo` | same |
//! | `Settore/Cdr` | same |
//! | anagrafica header | one cell per header (6; 7 with `Peso (in % max 100)` in SS1–SS4; 8 with `Personale coinvolto` too in SS5), header `k` in column `cols[k]`, merged horizontally up to `cols[k+1] − 1` (the last one up to `last`) when that is more than one column. Italic in AG1 and SD1 (the seed wraps them in `<i>`) |
//! | anagrafica values | the value of header `k` in the same column span as its header (same merges), text; the SS weight per the sector's storage |
//! | indicator header | the verbatim cells in A..I (variants A, B, D) or A..H (variant C, no `Peso`) |
//! | indicator rows | one row per [`CasalgrandeRow`], cells in A..I / A..H (see *Values* below) |
//! | status rows | per [`CasalgrandeStatus`]: A the label (bold, wrapped), B the narrative merged B:`last`, wrapped. A status whose label and narrative share one cell in the source (`RELAZIONE A CONSUNTIVO: …`, EN2's `<p>Stato di attuazione…</p> <p>…</p>`) is one cell merged A:`last` holding [`CasalgrandeStatus::cell_text`] |
//!
//! The anagrafica column spans come from the positions of the header cells in the seed (e.g.
//! FIN2: `cols` = 0, 1, 2, 5, 6, 7, so `Raccordo…` is merged C:E and the anticorruption header
//! H:I). Where the seed's value row does not line up with its header row (FIN1 L26/L27) the
//! values are written under their headers; EN4's header row is alone at the bottom of a page and
//! takes the grid of its value row.
//!
//! # Page breaks
//!
//! The seed has the page footer [`CasalgrandeData::footer`] 19 times. Each one is written as a
//! **debris row**: the footer text in column A, nothing else, right before the element that
//! follows it in the seed ([`CasalgrandePageBreak::before_line`]):
//!
//! - 13 fall between two cards: the debris row is the first row of the next card's block (after
//!   the blank separator row);
//! - AG3: inside the 30/06 status. The status is split: label and first part (L126) on one row,
//!   the debris row, then a continuation row with A empty and the rest (L130) in B:`last`;
//! - AG4: between the 2024 row (L140) and the 2025 row (L144);
//! - EN1: between the 30/06 status row and the `Resoconto al 31/12/2023` row;
//! - EN2: between the 2023 rows and the shifted 2024 rows (L467–468);
//! - EN3: between L478 and its fragment row L482 (`2023` alone in column B): the split row stays
//!   split;
//! - EN4: between the anagrafica header row and its value row.
//!
//! Status continuations without a footer between them (L37, L67, L114, …) are joined with `\n` in
//! one cell.
//!
//! # Values
//!
//! Text is written as text, verbatim (HTML tags of the extraction removed, see the README). Each
//! sector has a [`CasalgrandeStorage`] saying how the typed columns are stored, as different
//! offices (or clerks) type them:
//!
//! - **Anno** (A): always a number (`2023`). Empty on continuation rows (no vertical merge).
//! - **Tempistica** (C): with `dates: date`, a `dd/mm/yyyy` or `dd/mm/yy` text becomes an Excel
//!   date with that number format (AG, LP, SD, VC, SS); everything else (`31.12.2023`,
//!   `Entro il 31/12/2023`, `-`) stays text. With `dates: text` every date is text.
//! - **Baseline, Target, Target intermedio, Target raggiunto** (D..G): with `integers: number`, a
//!   cell that is a bare integer (`0`, `641`, `11`) is a number; other cells stay text.
//! - **Peso** (H, and the SS anagrafica value): with `weights: number`, `40%` is the number 0.4
//!   with format `0%` and a bare `30` (LP2, LP3) the number 30 with the General format; with
//!   `weights: text`, the text as printed (`30%`). `-` is always text.
//! - A weight that covers several indicator rows of one year (weight pattern `merged`: AG2, LP3,
//!   EN1 2023 and 2024, EN2 2023, EN3 2024) is **one cell merged vertically** over those rows
//!   ([`CasalgrandeRow::weight_span`]). No merge crosses a page break: EN3's 2023 weight (L478)
//!   is a single cell and the continuation row L483, after the footer, has an empty weight.
//!   Per-indicator weights (Vita della Comunità) are separate cells.
//! - Shifted rows (EN2 2024, L467–468) are written as the source has them: every cell text in the
//!   column the seed puts it, `30% relazione a consuntivo` under `Target raggiunto` (G).
//! - Empty cells inside the card are blank cells with the border format.
//!
//! Column widths are fixed ([`CASALGRANDE_COLUMN_WIDTHS`]), long text wraps, row heights follow
//! the text. Document properties are fixed, so the output is byte-stable.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::OnceLock;

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};
use serde::Deserialize;

const CASALGRANDE_JSON: &str = include_str!("../data/casalgrande.json");

/// Name of the single sheet written by [`write_casalgrande`].
pub const CASALGRANDE_SHEET: &str = "Performance";
/// Row of the first preamble line (seed L3); seed line `n` of the preamble goes to row `n − 3`.
pub const CASALGRANDE_PREAMBLE_FIRST_ROW: u32 = 0;
/// Last column of the sector banners (I): a banner is merged over columns 0..=8.
pub const CASALGRANDE_BANNER_LAST_COL: u16 = 8;
/// Column widths (characters) of A..J.
pub const CASALGRANDE_COLUMN_WIDTHS: [f64; 10] =
    [18.0, 40.0, 14.0, 30.0, 30.0, 14.0, 14.0, 12.0, 28.0, 8.0];
/// The label of the first row of every card (column A).
pub const CASALGRANDE_LABELS: [&str; 3] = ["Classificazione", "Titolo", "Settore/Cdr"];
/// Column of `Anno` in the indicator table.
pub const CASALGRANDE_COL_ANNO: usize = 0;
/// Column of the indicator text in the indicator table.
pub const CASALGRANDE_COL_INDICATORE: usize = 1;
/// Column of `Tempistica (entro il)` in the indicator table.
pub const CASALGRANDE_COL_TEMPISTICA: usize = 2;
/// Column of `Peso (in % max 100)` in the indicator table (variants A, B, D; variant C has none).
pub const CASALGRANDE_COL_PESO: usize = 7;
/// Header of the objective-level weight in the Servizi Scolastici anagrafica.
pub const CASALGRANDE_PESO_HEADER: &str = "Peso (in % max 100)";

// ---------------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------------

/// The whole transcription (`tests/data/casalgrande.json`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasalgrandeData {
    /// Where the data come from.
    pub source: CasalgrandeSource,
    /// Title, introduction and classification legend (seed L3–L19), one entry per non-blank line.
    pub preamble: Vec<CasalgrandePreambleLine>,
    /// The page footer, verbatim.
    pub footer: String,
    /// The 19 seed lines holding the footer.
    pub footer_lines: Vec<u32>,
    /// The 9 sector sections in document order.
    pub sectors: Vec<CasalgrandeSector>,
    /// Figures of the analysis (§6 and the anomalies) the data must reproduce.
    pub expected: CasalgrandeExpected,
}

/// Provenance of the transcription.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasalgrandeSource {
    /// `Comune di Casalgrande`.
    pub ente: String,
    /// Document title.
    pub document: String,
    /// Seed text file (relative to the shared directory).
    pub seed: String,
    /// Analysis file (relative to the shared directory).
    pub analysis: String,
    /// The year the statuses report on (2023).
    pub reporting_year: i32,
}

/// One non-blank preamble line: its cells (one, or two for the legend: number and text).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasalgrandePreambleLine {
    /// Seed line.
    pub line: u32,
    /// Cells, verbatim.
    pub cells: Vec<String>,
}

/// One sector section (`SETTORE … (N OBIETTIVI)`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasalgrandeSector {
    /// The banner, verbatim: `SETTORE FINANZIARIO (4 OBIETTIVI)`.
    pub banner: String,
    /// The name inside the banner: `FINANZIARIO`, `VITA DELLA COMUNITÀ`.
    pub name: String,
    /// The count the banner declares.
    pub declared: usize,
    /// Seed line of the banner.
    pub line: u32,
    /// How the sector's typed cells are stored by [`write_casalgrande`].
    pub storage: CasalgrandeStorage,
    /// The cards in document order.
    pub cards: Vec<CasalgrandeCard>,
}

/// How [`write_casalgrande`] stores the typed cells of a sector (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasalgrandeStorage {
    /// Weights (`Peso`): numbers (0.4 with `0%`, or 30) or text (`40%`).
    pub weights: CasalgrandeCellStorage,
    /// `Tempistica` dates `dd/mm/yyyy`, `dd/mm/yy`: Excel dates or text.
    pub dates: CasalgrandeCellStorage,
    /// Bare integers in Baseline / Target / Target intermedio / Target raggiunto.
    pub integers: CasalgrandeCellStorage,
}

/// Storage of one kind of cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CasalgrandeCellStorage {
    /// A number (weights, integers).
    Number,
    /// An Excel date (dates only).
    Date,
    /// Text exactly as printed.
    Text,
}

/// Where an objective's weight sits (analysis §2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CasalgrandeWeightPattern {
    /// Pattern 1: one weight on the year's (single) indicator row.
    YearRow,
    /// Pattern 2: one weight for several indicator rows of a year, on the first of them (a merged
    /// `Peso` cell); the other rows have an empty weight.
    Merged,
    /// Pattern 3: every indicator row has its own weight (Vita della Comunità).
    PerIndicator,
    /// Servizi Scolastici: the weight is in the anagrafica row, the indicator table has no `Peso`.
    Objective,
}

/// A text with the seed line it comes from.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasalgrandeLineText {
    /// The text, verbatim.
    pub text: String,
    /// Seed line.
    pub line: u32,
}

/// One objective card.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasalgrandeCard {
    /// Id used by the analysis: `FIN1`, `AG2`, `SUAP3`, `SS5` (not printed in the document).
    pub id: String,
    /// First and last seed line of the card.
    pub lines: [u32; 2],
    /// Columns of the card's grid (8, 9 or 10).
    pub width: u16,
    /// Where the weight sits.
    pub weight_pattern: CasalgrandeWeightPattern,
    /// `Classificazione` value.
    pub classificazione: CasalgrandeLineText,
    /// `Titolo` value.
    pub titolo: CasalgrandeLineText,
    /// `Settore/Cdr` value.
    pub settore_cdr: CasalgrandeLineText,
    /// The anagrafica header and value rows.
    pub anagrafica: CasalgrandeAnagrafica,
    /// The indicator table header.
    pub indicator_header: CasalgrandeIndicatorHeader,
    /// The indicator table rows, all of them (2023, 2024, 2025, continuation, dash, shifted and
    /// fragment rows), in seed order.
    pub rows: Vec<CasalgrandeRow>,
    /// Status rows in seed order.
    pub status: Vec<CasalgrandeStatus>,
    /// Page footers that fall inside the card or right before it.
    pub page_breaks: Vec<CasalgrandePageBreak>,
    /// What is odd about the card (English).
    pub notes: Vec<String>,
}

/// The anagrafica header row and its value row.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasalgrandeAnagrafica {
    /// Header cells, verbatim (6, 7 or 8).
    pub headers: Vec<String>,
    /// Value of each header (same length), `""` when empty.
    pub values: Vec<String>,
    /// First column of each header (and of its value); the cell spans up to the next one.
    pub cols: Vec<u16>,
    /// Seed line of the header row.
    pub line: u32,
    /// Seed line of the value row.
    pub values_line: u32,
    /// The seed wraps every header in `<i>` (AG1, SD1).
    #[serde(default)]
    pub italic_headers: bool,
}

/// Variant of the indicator table header (analysis §2.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum CasalgrandeHeaderVariant {
    /// `… Target a preventivo | Target intermedio | Target raggiunto | Peso … | Fonte …`.
    A,
    /// `Target | Risultato intermedio | Risultato finale` (AG1, AG2, AG4).
    B,
    /// 8 columns, no `Peso` (Servizi Scolastici).
    C,
    /// `Indicatore (dimensione/ formula …)` with a space (EN1, EN4).
    D,
}

/// The indicator table header.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasalgrandeIndicatorHeader {
    /// Which variant.
    pub variant: CasalgrandeHeaderVariant,
    /// Header cells, verbatim (9, or 8 for variant C).
    pub cells: Vec<String>,
    /// Seed line.
    pub line: u32,
}

/// One row of an indicator table.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasalgrandeRow {
    /// Seed line.
    pub line: u32,
    /// The cells aligned to the header (9 or 8), verbatim, `""` when empty.
    pub cells: Vec<String>,
    /// Rows covered by this row's weight (itself included) when it is merged vertically.
    #[serde(default)]
    pub weight_span: Option<u32>,
    /// The source shifted the cells of this row (EN2 2024, L467–468).
    #[serde(default)]
    pub shifted: bool,
    /// A page-break fragment, not an indicator (EN3 L482).
    #[serde(default)]
    pub fragment: bool,
    /// Why the row is odd.
    #[serde(default)]
    pub note: Option<String>,
}

/// Which monitoring a status row reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum CasalgrandePeriod {
    /// `Stato di attuazione al 30/06/2023`.
    #[serde(rename = "30/06")]
    MidYear,
    /// `… al 31/12/2023`, `Resoconto al 31/12/2023`, and the typo `al 31/2/2023`.
    #[serde(rename = "31/12")]
    YearEnd,
    /// `RELAZIONE A CONSUNTIVO:` (SUAP).
    #[serde(rename = "consuntivo")]
    Consuntivo,
}

/// One status row (label and narrative).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasalgrandeStatus {
    /// Period reported.
    pub period: CasalgrandePeriod,
    /// Label, verbatim (`Stato di attuazione al 30/06/2023`, `STATO DI ATTUAZIONE AL 31/12/2023`,
    /// `Resoconto al 31/12/2023`, `Stato di attuazione al 31/2/2023`, `RELAZIONE A CONSUNTIVO:`,
    /// FIN1's `Stato di attuazione\nal 31/12/2023`).
    pub label: String,
    /// The narrative: the pieces joined with `\n`.
    pub text: String,
    /// Seed line of the label.
    pub line: u32,
    /// The narrative as the seed splits it over lines (continuations, page breaks).
    pub pieces: Vec<CasalgrandeStatusPiece>,
    /// Present when label and narrative are one cell in the source: the cell's whole text.
    #[serde(default)]
    pub cell_text: Option<String>,
}

/// One seed line of a status narrative.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasalgrandeStatusPiece {
    /// Seed line.
    pub line: u32,
    /// Text of that line.
    pub text: String,
}

/// A page footer in the seed, and the element it precedes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasalgrandePageBreak {
    /// Seed line of the footer.
    pub footer_line: u32,
    /// Seed line of the next element (a card's `Classificazione`, a row, a status piece…).
    pub before_line: u32,
}

/// Figures the data must reproduce (analysis §6 and §4).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasalgrandeExpected {
    /// 2023.
    pub reporting_year: i32,
    /// 35.
    pub cards: usize,
    /// 49.
    pub indicator_rows_2023: usize,
    /// Per sector, in document order.
    pub sectors: Vec<CasalgrandeExpectedSector>,
    /// Σ 2024 weights of the sectors that have any: AFFARI GENERALI 30, ENTRATE 85.
    pub weight_sums_2024: BTreeMap<String, u32>,
    /// The EN2 2024 weight hidden in a shifted cell.
    pub shifted_2024_weight: CasalgrandeShiftedWeight,
    /// Cards with more than one 2023 indicator row, and how many.
    pub multi_indicator_2023: BTreeMap<String, usize>,
    /// Rows with several sub-indicators packed in one cell.
    pub packed_sub_indicators: Vec<CasalgrandePacked>,
    /// `Classificazione` value → number of cards.
    pub classificazione: BTreeMap<String, usize>,
    /// Values that are not in the legend.
    pub classificazione_outside_legend: Vec<String>,
    /// Cards with a real PNRR link (not empty, `-` or `----`).
    pub pnrr: Vec<CasalgrandeCardText>,
    /// Where `Target raggiunto` is filled.
    pub target_raggiunto: CasalgrandeActuals,
    /// Status row counts.
    pub status: CasalgrandeStatusCounts,
    /// Responsible persons.
    pub people: CasalgrandePeople,
    /// Dates that cannot exist.
    pub impossible_dates: Vec<CasalgrandeDateAnomaly>,
    /// Dates that exist but are most likely wrong.
    pub suspicious_dates: Vec<CasalgrandeDateAnomaly>,
    /// Two cards with the same 31/12 narrative.
    pub identical_status: CasalgrandeIdenticalStatus,
    /// One strategic code with two descriptions.
    pub strategic_code_two_descriptions: CasalgrandeStrategicCode,
}

/// Expected figures of one sector.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasalgrandeExpectedSector {
    /// Sector name as in the banner.
    pub name: String,
    /// Declared count.
    pub declared: usize,
    /// Cards found.
    pub found: usize,
    /// Σ 2023 weights (100 in every sector).
    pub weight_sum_2023: u32,
    /// Σ 2024 weights (0 unless AG or EN).
    pub weight_sum_2024: u32,
    /// 2023 indicator rows.
    pub indicator_rows_2023: usize,
    /// Card id → 2023 weight.
    pub weights_2023: BTreeMap<String, u32>,
}

/// The EN2 2024 weight inside `30% relazione a consuntivo`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasalgrandeShiftedWeight {
    /// `EN2`.
    pub card: String,
    /// 467.
    pub line: u32,
    /// Column of the cell in the row (6, `Target raggiunto`).
    pub column: usize,
    /// The cell text.
    pub text: String,
    /// 30.
    pub weight: u32,
    /// Why it matters.
    pub note: String,
}

/// A row packing several sub-indicators in one cell.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasalgrandePacked {
    /// Card id.
    pub card: String,
    /// Seed line.
    pub line: u32,
    /// Sub-indicators in the cell.
    pub count: usize,
}

/// A card id with a text and its line.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasalgrandeCardText {
    /// Card id.
    pub card: String,
    /// The text.
    pub text: String,
    /// Seed line.
    pub line: u32,
}

/// Where `Target raggiunto` / `Risultato finale` holds a number.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasalgrandeActuals {
    /// Cards (all of Vita della Comunità).
    pub cards: Vec<String>,
    /// Numeric actuals on 2023 rows (12).
    pub numeric_2023: usize,
    /// Seed lines of future-year rows with an actual (VC3 L383, L384).
    pub future_year_rows: Vec<u32>,
}

/// Status row counts.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasalgrandeStatusCounts {
    /// Rows at 30/06 (35).
    #[serde(rename = "30/06")]
    pub mid_year: usize,
    /// Rows at 31/12, any label (32).
    #[serde(rename = "31/12")]
    pub year_end: usize,
    /// `RELAZIONE A CONSUNTIVO:` paragraphs (3).
    pub consuntivo: usize,
    /// Cards without a 31/12 row (LP1, SUAP1, SUAP2).
    pub cards_without_31_12: Vec<String>,
    /// Cards with a `RELAZIONE A CONSUNTIVO:` paragraph.
    pub consuntivo_cards: Vec<String>,
}

/// Responsible persons.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasalgrandePeople {
    /// Distinct `Dirigente/posizione responsabile` values, sorted (spelling variants included).
    pub responsible: Vec<String>,
    /// The 8 persons behind them.
    pub distinct_persons: Vec<String>,
    /// The one value that is a role, not a name.
    pub role: String,
    /// Person → the spellings used.
    pub spellings: BTreeMap<String, Vec<String>>,
    /// SS5's `Personale coinvolto`.
    pub personale_coinvolto: CasalgrandePersonale,
}

/// SS5's `Personale coinvolto` (two names in one cell).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasalgrandePersonale {
    /// `SS5`.
    pub card: String,
    /// `Cristina Gilioli Rosaria Cefariello`.
    pub text: String,
}

/// A wrong date and where it is.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasalgrandeDateAnomaly {
    /// The date as printed.
    pub text: String,
    /// Card id.
    pub card: String,
    /// Seed line.
    pub line: u32,
    /// `status text` or `status label`.
    pub field: String,
    /// Period of the status row (impossible dates only).
    #[serde(default)]
    pub period: Option<CasalgrandePeriod>,
    /// Label of the status row (impossible dates only).
    #[serde(default)]
    pub label: Option<String>,
    /// What is wrong.
    pub why: String,
}

/// Two cards whose 31/12 narrative is the same text.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasalgrandeIdenticalStatus {
    /// PT2, PT3.
    pub cards: Vec<String>,
    /// L215, L228.
    pub lines: Vec<u32>,
    /// The label of both rows.
    pub label: String,
}

/// A strategic code used with more than one description.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasalgrandeStrategicCode {
    /// `OS116`.
    pub code: String,
    /// Each description (the whole `Raccordo…` value) and the cards using it.
    pub descriptions: Vec<CasalgrandeCodeDescription>,
}

/// One description of a strategic code.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasalgrandeCodeDescription {
    /// The `Raccordo/Collegamento…` value.
    pub text: String,
    /// Cards using it.
    pub cards: Vec<String>,
    /// Seed lines of their value rows.
    pub lines: Vec<u32>,
}

/// The transcription, parsed once.
pub fn casalgrande_data() -> &'static CasalgrandeData {
    static DATA: OnceLock<CasalgrandeData> = OnceLock::new();
    DATA.get_or_init(|| {
        serde_json::from_str(CASALGRANDE_JSON).expect("tests/data/casalgrande.json is valid")
    })
}

/// One sector as a reader test needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct CasalgrandeSectorSummary {
    /// The banner, verbatim.
    pub banner: String,
    /// The name inside the banner.
    pub name: String,
    /// The count the banner declares.
    pub declared: usize,
    /// Cards in the sector.
    pub cards: usize,
    /// Expected Σ of the 2023 weights (100).
    pub weight_sum_2023: u32,
    /// Expected Σ of the 2024 weights.
    pub weight_sum_2024: u32,
    /// Expected number of 2023 indicator rows.
    pub indicator_rows_2023: usize,
}

/// The 9 sectors in document order, with their declared count and expected figures.
pub fn casalgrande_sectors() -> Vec<CasalgrandeSectorSummary> {
    let data = casalgrande_data();
    data.sectors
        .iter()
        .zip(&data.expected.sectors)
        .map(|(s, e)| {
            assert_eq!(s.name, e.name, "expected.sectors follows the sector order");
            CasalgrandeSectorSummary {
                banner: s.banner.clone(),
                name: s.name.clone(),
                declared: s.declared,
                cards: s.cards.len(),
                weight_sum_2023: e.weight_sum_2023,
                weight_sum_2024: e.weight_sum_2024,
                indicator_rows_2023: e.indicator_rows_2023,
            }
        })
        .collect()
}

/// Every card in document order.
pub fn casalgrande_cards() -> Vec<&'static CasalgrandeCard> {
    casalgrande_data()
        .sectors
        .iter()
        .flat_map(|s| s.cards.iter())
        .collect()
}

/// The card with this id (`FIN1`, `EN3`); panics when there is none.
pub fn casalgrande_card(id: &str) -> &'static CasalgrandeCard {
    casalgrande_cards()
        .into_iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no Casalgrande card {id}"))
}

/// Number of cards (35), counted from the data.
pub fn casalgrande_card_count() -> usize {
    casalgrande_cards().len()
}

/// Number of 2023 indicator rows (49), counted from the data with
/// [`CasalgrandeCard::indicator_rows`].
pub fn casalgrande_indicator_rows_2023() -> usize {
    casalgrande_cards()
        .iter()
        .map(|c| c.indicator_rows(2023).len())
        .sum()
}

impl CasalgrandeCard {
    /// The year of every row, filled down from the last non-empty `Anno` (`None` before any).
    pub fn years(&self) -> Vec<Option<i32>> {
        let mut year = None;
        self.rows
            .iter()
            .map(|r| {
                if let Ok(y) = r.cells[CASALGRANDE_COL_ANNO].parse() {
                    year = Some(y);
                }
                year
            })
            .collect()
    }

    /// Rows of `year` that are indicators: the indicator cell is neither empty nor `-`, and the
    /// row is not a page-break fragment.
    pub fn indicator_rows(&self, year: i32) -> Vec<&CasalgrandeRow> {
        self.years()
            .into_iter()
            .zip(&self.rows)
            .filter(|(y, r)| {
                let ind = r.cells[CASALGRANDE_COL_INDICATORE].as_str();
                *y == Some(year) && !r.fragment && !ind.is_empty() && ind != "-"
            })
            .map(|(_, r)| r)
            .collect()
    }

    /// Column of `Peso` in the indicator table, `None` for variant C.
    pub fn peso_column(&self) -> Option<usize> {
        (self.indicator_header.variant != CasalgrandeHeaderVariant::C)
            .then_some(CASALGRANDE_COL_PESO)
    }

    /// The anagrafica value whose header starts with `prefix` (`Dirigente`, `PNRR`, `Peso`).
    pub fn anagrafica_value(&self, prefix: &str) -> Option<&str> {
        let a = &self.anagrafica;
        a.headers
            .iter()
            .position(|h| h.starts_with(prefix))
            .map(|i| a.values[i].as_str())
    }

    /// Column span (first, last) of anagrafica header/value `k` in the written sheet.
    pub fn anagrafica_span(&self, k: usize) -> (u16, u16) {
        let a = &self.anagrafica;
        let last = match a.cols.get(k + 1) {
            Some(&next) => next - 1,
            None => self.width - 1,
        };
        (a.cols[k], last)
    }

    /// The status rows of `period`.
    pub fn statuses(&self, period: CasalgrandePeriod) -> Vec<&CasalgrandeStatus> {
        self.status.iter().filter(|s| s.period == period).collect()
    }
}

impl CasalgrandeStatus {
    /// The narrative split where a page footer falls between two of its pieces: one group of
    /// pieces per written row (usually one).
    pub fn segments(&self, breaks: &[CasalgrandePageBreak]) -> Vec<Vec<&CasalgrandeStatusPiece>> {
        let mut out: Vec<Vec<&CasalgrandeStatusPiece>> = Vec::new();
        for (i, p) in self.pieces.iter().enumerate() {
            let split = i > 0 && breaks.iter().any(|b| b.before_line == p.line);
            match out.last_mut() {
                Some(seg) if !split => seg.push(p),
                _ => out.push(vec![p]),
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Layout
// ---------------------------------------------------------------------------------------------

/// Where [`write_casalgrande`] puts everything (0-based rows).
#[derive(Debug, Clone, PartialEq)]
pub struct CasalgrandeLayout {
    /// One row per preamble line, in order.
    pub preamble_rows: Vec<u32>,
    /// The sectors in document order.
    pub sectors: Vec<CasalgrandeSectorLayout>,
    /// Every footer debris row, in order (19).
    pub footer_rows: Vec<u32>,
    /// Last row written.
    pub last_row: u32,
}

/// Rows of one sector.
#[derive(Debug, Clone, PartialEq)]
pub struct CasalgrandeSectorLayout {
    /// The banner row (merged A:I).
    pub banner_row: u32,
    /// The cards in order.
    pub cards: Vec<CasalgrandeCardLayout>,
}

/// Rows of one card.
#[derive(Debug, Clone, PartialEq)]
pub struct CasalgrandeCardLayout {
    /// Card id.
    pub id: String,
    /// First row of the block (the footer debris row when the card starts after a page break).
    pub first_row: u32,
    /// The `Classificazione` row.
    pub classificazione_row: u32,
    /// The `Titolo` row.
    pub titolo_row: u32,
    /// The `Settore/Cdr` row.
    pub settore_cdr_row: u32,
    /// The anagrafica header row.
    pub anagrafica_header_row: u32,
    /// The anagrafica value row.
    pub anagrafica_values_row: u32,
    /// The indicator table header row.
    pub indicator_header_row: u32,
    /// One row per [`CasalgrandeCard::rows`] entry, same order.
    pub data_rows: Vec<u32>,
    /// Per status: the row of each segment ([`CasalgrandeStatus::segments`]); the first holds the
    /// label.
    pub status_rows: Vec<Vec<u32>>,
    /// Footer debris rows of this card (before it or inside it).
    pub footer_rows: Vec<u32>,
    /// Last row of the card (the blank separator row follows).
    pub last_row: u32,
}

/// Computes the rows of everything [`write_casalgrande`] writes.
pub fn casalgrande_layout() -> CasalgrandeLayout {
    let data = casalgrande_data();
    let preamble_rows: Vec<u32> = data
        .preamble
        .iter()
        .map(|p| p.line - 3 + CASALGRANDE_PREAMBLE_FIRST_ROW)
        .collect();
    let mut row = preamble_rows.last().map_or(0, |r| r + 2);
    let mut footer_rows = Vec::new();
    let mut sectors = Vec::new();
    for sector in &data.sectors {
        let banner_row = row;
        row += 1;
        let mut cards = Vec::new();
        for card in &sector.cards {
            let lay = plan_card(card, &mut row);
            footer_rows.extend(&lay.footer_rows);
            cards.push(lay);
            row += 1; // blank separator row
        }
        sectors.push(CasalgrandeSectorLayout { banner_row, cards });
    }
    CasalgrandeLayout {
        preamble_rows,
        sectors,
        footer_rows,
        last_row: row - 2,
    }
}

fn plan_card(card: &CasalgrandeCard, row: &mut u32) -> CasalgrandeCardLayout {
    let breaks = &card.page_breaks;
    let first_row = *row;
    let mut footer_rows = Vec::new();
    let mut next = |line: Option<u32>, footer_rows: &mut Vec<u32>| {
        if let Some(line) = line {
            if breaks.iter().any(|b| b.before_line == line) {
                footer_rows.push(*row);
                *row += 1;
            }
        }
        let r = *row;
        *row += 1;
        r
    };
    let classificazione_row = next(Some(card.classificazione.line), &mut footer_rows);
    let titolo_row = next(Some(card.titolo.line), &mut footer_rows);
    let settore_cdr_row = next(Some(card.settore_cdr.line), &mut footer_rows);
    let anagrafica_header_row = next(Some(card.anagrafica.line), &mut footer_rows);
    let anagrafica_values_row = next(Some(card.anagrafica.values_line), &mut footer_rows);
    let indicator_header_row = next(Some(card.indicator_header.line), &mut footer_rows);
    let data_rows = card
        .rows
        .iter()
        .map(|r| next(Some(r.line), &mut footer_rows))
        .collect();
    let status_rows = card
        .status
        .iter()
        .map(|s| {
            s.segments(breaks)
                .iter()
                .map(|seg| next(Some(seg[0].line), &mut footer_rows))
                .collect()
        })
        .collect();
    let lay = CasalgrandeCardLayout {
        id: card.id.clone(),
        first_row,
        classificazione_row,
        titolo_row,
        settore_cdr_row,
        anagrafica_header_row,
        anagrafica_values_row,
        indicator_header_row,
        data_rows,
        status_rows,
        footer_rows,
        last_row: *row - 1,
    };
    assert_eq!(
        lay.footer_rows.len(),
        breaks.len(),
        "{}: every page break of the card is placed",
        card.id
    );
    lay
}

// ---------------------------------------------------------------------------------------------
// Workbook
// ---------------------------------------------------------------------------------------------

struct Formats {
    title: Format,
    plain: Format,
    banner: Format,
    footer: Format,
    label: Format,
    header: Format,
    header_italic: Format,
    text: Format,
    pct: Format,
    date4: Format,
    date2: Format,
}

impl Formats {
    fn new() -> Self {
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Top)
            .set_text_wrap();
        let header = cell
            .clone()
            .set_bold()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_background_color(Color::RGB(0xD9D9D9));
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            plain: Format::new(),
            banner: Format::new()
                .set_bold()
                .set_font_size(12)
                .set_background_color(Color::RGB(0xDDEBF7))
                .set_border(FormatBorder::Thin),
            footer: Format::new()
                .set_italic()
                .set_font_size(8)
                .set_font_color(Color::RGB(0x808080)),
            label: cell.clone().set_bold(),
            header_italic: header.clone().set_italic(),
            header,
            pct: cell.clone().set_num_format("0%"),
            date4: cell.clone().set_num_format("dd/mm/yyyy"),
            date2: cell.clone().set_num_format("dd/mm/yy"),
            text: cell,
        }
    }
}

fn fixed_properties() -> Result<DocProperties, XlsxError> {
    // A fixed creation date keeps the generated file byte-stable across runs.
    Ok(DocProperties::new()
        .set_title("Piano Integrato di Attività e Organizzazione 2023-2025 - Performance")
        .set_company("Comune di Casalgrande")
        .set_author("barometro test fixtures")
        .set_creation_datetime(&ExcelDateTime::from_ymd(2025, 4, 30)?))
}

/// A typed cell value.
enum Cell<'a> {
    Text(&'a str),
    Number(f64),
    Percent(f64),
    Date(ExcelDateTime, bool),
}

fn bare_integer(text: &str) -> Option<f64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().expect("an integer"))
}

/// `dd/mm/yyyy` or `dd/mm/yy` → (date, four-digit year).
fn slash_date(text: &str) -> Option<(ExcelDateTime, bool)> {
    let parts: Vec<&str> = text.split('/').collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || p.len() > 4) {
        return None;
    }
    if !parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let (d, m): (u8, u8) = (parts[0].parse().ok()?, parts[1].parse().ok()?);
    let four = parts[2].len() == 4;
    let y: u16 = match parts[2].len() {
        4 => parts[2].parse().ok()?,
        2 => 2000 + parts[2].parse::<u16>().ok()?,
        _ => return None,
    };
    ExcelDateTime::from_ymd(y, m, d).ok().map(|dt| (dt, four))
}

fn weight_cell(text: &str, storage: CasalgrandeCellStorage) -> Cell<'_> {
    if storage == CasalgrandeCellStorage::Number {
        if let Some(n) = text.strip_suffix('%').and_then(bare_integer) {
            return Cell::Percent(n / 100.0);
        }
        if let Some(n) = bare_integer(text) {
            return Cell::Number(n);
        }
    }
    Cell::Text(text)
}

fn row_cell<'a>(
    storage: &CasalgrandeStorage,
    peso_col: Option<usize>,
    row: &'a CasalgrandeRow,
    col: usize,
) -> Cell<'a> {
    let text = row.cells[col].as_str();
    if col == CASALGRANDE_COL_ANNO {
        if let Some(n) = bare_integer(text) {
            return Cell::Number(n);
        }
    }
    if row.shifted || row.fragment {
        return Cell::Text(text);
    }
    if Some(col) == peso_col {
        return weight_cell(text, storage.weights);
    }
    if col == CASALGRANDE_COL_TEMPISTICA && storage.dates == CasalgrandeCellStorage::Date {
        if let Some((d, four)) = slash_date(text) {
            return Cell::Date(d, four);
        }
    }
    if (3..=6).contains(&col) && storage.integers == CasalgrandeCellStorage::Number {
        if let Some(n) = bare_integer(text) {
            return Cell::Number(n);
        }
    }
    Cell::Text(text)
}

/// Writes `cell` over rows `r0..=r1`, columns `c0..=c1` (merged when that is more than one cell).
fn put(
    ws: &mut Worksheet,
    (r0, c0, r1, c1): (u32, u16, u32, u16),
    cell: &Cell<'_>,
    text_format: &Format,
    f: &Formats,
) -> Result<(), XlsxError> {
    let merged = r1 > r0 || c1 > c0;
    let format = match cell {
        Cell::Text(_) | Cell::Number(_) => text_format,
        Cell::Percent(_) => &f.pct,
        Cell::Date(_, true) => &f.date4,
        Cell::Date(_, false) => &f.date2,
    };
    if merged {
        let text = match cell {
            Cell::Text(t) => t,
            _ => "",
        };
        ws.merge_range(r0, c0, r1, c1, text, format)?;
    }
    match cell {
        Cell::Text("") if !merged => {
            ws.write_blank(r0, c0, format)?;
        }
        Cell::Text(t) if !merged => {
            ws.write_string_with_format(r0, c0, *t, format)?;
        }
        Cell::Text(_) => {}
        Cell::Number(n) | Cell::Percent(n) => {
            ws.write_number_with_format(r0, c0, *n, format)?;
        }
        Cell::Date(d, _) => {
            ws.write_datetime_with_format(r0, c0, d, format)?;
        }
    }
    Ok(())
}

/// Height that shows `text` wrapped over about `chars` characters per line.
fn wrapped_height(text: &str, chars: f64) -> f64 {
    let per_line = (chars * 1.1).max(4.0) as usize;
    let lines: usize = text
        .split('\n')
        .map(|l| l.chars().count().div_ceil(per_line).max(1))
        .sum();
    (15.0 * lines as f64).min(409.0)
}

fn span_chars(c0: u16, c1: u16) -> f64 {
    CASALGRANDE_COLUMN_WIDTHS[c0 as usize..=c1 as usize]
        .iter()
        .sum()
}

/// Writes the Casalgrande cards as one sheet [`CASALGRANDE_SHEET`], laid out as described in the
/// module docs and returned by [`casalgrande_layout`].
pub fn write_casalgrande(path: &Path) -> Result<(), XlsxError> {
    let data = casalgrande_data();
    let layout = casalgrande_layout();
    let f = Formats::new();
    let mut wb = Workbook::new();
    wb.set_properties(&fixed_properties()?);
    let ws = wb.add_worksheet();
    ws.set_name(CASALGRANDE_SHEET)?;
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    for (c, w) in CASALGRANDE_COLUMN_WIDTHS.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }

    for (p, &r) in data.preamble.iter().zip(&layout.preamble_rows) {
        if r == CASALGRANDE_PREAMBLE_FIRST_ROW {
            ws.write_string_with_format(r, 0, &p.cells[0], &f.title)?;
            continue;
        }
        for (c, text) in p.cells.iter().enumerate() {
            match bare_integer(text) {
                Some(n) => ws.write_number_with_format(r, c as u16, n, &f.plain)?,
                None => ws.write_string_with_format(r, c as u16, text, &f.plain)?,
            };
        }
    }

    for &r in &layout.footer_rows {
        ws.write_string_with_format(r, 0, &data.footer, &f.footer)?;
    }

    for (sector, slay) in data.sectors.iter().zip(&layout.sectors) {
        ws.merge_range(
            slay.banner_row,
            0,
            slay.banner_row,
            CASALGRANDE_BANNER_LAST_COL,
            &sector.banner,
            &f.banner,
        )?;
        ws.set_row_height(slay.banner_row, 18.0)?;
        for (card, lay) in sector.cards.iter().zip(&slay.cards) {
            write_card(ws, sector, card, lay, &f)?;
        }
    }
    wb.save(path)
}

fn write_card(
    ws: &mut Worksheet,
    sector: &CasalgrandeSector,
    card: &CasalgrandeCard,
    lay: &CasalgrandeCardLayout,
    f: &Formats,
) -> Result<(), XlsxError> {
    let last = card.width - 1;
    let value_chars = span_chars(1, last);

    // Classificazione, Titolo, Settore/Cdr.
    let labels = [
        (lay.classificazione_row, &card.classificazione),
        (lay.titolo_row, &card.titolo),
        (lay.settore_cdr_row, &card.settore_cdr),
    ];
    for ((r, value), label) in labels.into_iter().zip(CASALGRANDE_LABELS) {
        ws.write_string_with_format(r, 0, label, &f.label)?;
        ws.merge_range(r, 1, r, last, &value.text, &f.text)?;
        ws.set_row_height(r, wrapped_height(&value.text, value_chars))?;
    }

    // Anagrafica: header row and value row, same column spans.
    let a = &card.anagrafica;
    let header_format = if a.italic_headers {
        &f.header_italic
    } else {
        &f.header
    };
    let (mut hh, mut vh) = (15.0_f64, 15.0_f64);
    for k in 0..a.headers.len() {
        let (c0, c1) = card.anagrafica_span(k);
        let (hr, vr) = (lay.anagrafica_header_row, lay.anagrafica_values_row);
        put(
            ws,
            (hr, c0, hr, c1),
            &Cell::Text(&a.headers[k]),
            header_format,
            f,
        )?;
        let value = &a.values[k];
        let cell = if a.headers[k] == CASALGRANDE_PESO_HEADER {
            weight_cell(value, sector.storage.weights)
        } else {
            Cell::Text(value)
        };
        put(ws, (vr, c0, vr, c1), &cell, &f.text, f)?;
        let chars = span_chars(c0, c1);
        hh = hh.max(wrapped_height(&a.headers[k], chars));
        vh = vh.max(wrapped_height(value, chars));
    }
    ws.set_row_height(lay.anagrafica_header_row, hh)?;
    ws.set_row_height(lay.anagrafica_values_row, vh)?;

    // Indicator table.
    let ih = lay.indicator_header_row;
    let mut height = 15.0_f64;
    for (c, text) in card.indicator_header.cells.iter().enumerate() {
        ws.write_string_with_format(ih, c as u16, text, &f.header)?;
        height = height.max(wrapped_height(text, CASALGRANDE_COLUMN_WIDTHS[c]));
    }
    ws.set_row_height(ih, height)?;
    let peso_col = card.peso_column();
    let mut covered: BTreeSet<usize> = BTreeSet::new(); // rows under a merged weight
    for (i, (row, &r)) in card.rows.iter().zip(&lay.data_rows).enumerate() {
        let mut height = 15.0_f64;
        for (c, content) in row.cells.iter().enumerate() {
            if Some(c) == peso_col && covered.contains(&i) {
                continue;
            }
            let cell = row_cell(&sector.storage, peso_col, row, c);
            let span = match row.weight_span {
                Some(n) if Some(c) == peso_col && n > 1 => {
                    let n = n as usize;
                    covered.extend(i + 1..i + n);
                    // A merged weight never crosses a page break: its rows are consecutive.
                    assert_eq!(lay.data_rows[i + n - 1], r + n as u32 - 1, "{}", card.id);
                    n as u32
                }
                _ => 1,
            };
            put(ws, (r, c as u16, r + span - 1, c as u16), &cell, &f.text, f)?;
            height = height.max(wrapped_height(content, CASALGRANDE_COLUMN_WIDTHS[c]));
        }
        ws.set_row_height(r, height)?;
    }

    // Status rows.
    for (status, rows) in card.status.iter().zip(&lay.status_rows) {
        if let Some(cell_text) = &status.cell_text {
            assert_eq!(rows.len(), 1, "{}: a one-cell status is not split", card.id);
            ws.merge_range(rows[0], 0, rows[0], last, cell_text, &f.text)?;
            ws.set_row_height(rows[0], wrapped_height(cell_text, span_chars(0, last)))?;
            continue;
        }
        for (k, (seg, &r)) in status
            .segments(&card.page_breaks)
            .iter()
            .zip(rows)
            .enumerate()
        {
            let text = seg
                .iter()
                .map(|p| p.text.as_str())
                .collect::<Vec<_>>()
                .join("\n");
            if k == 0 {
                ws.write_string_with_format(r, 0, &status.label, &f.label)?;
            } else {
                ws.write_blank(r, 0, &f.text)?;
            }
            ws.merge_range(r, 1, r, last, &text, &f.text)?;
            let height = wrapped_height(&text, value_chars)
                .max(wrapped_height(&status.label, CASALGRANDE_COLUMN_WIDTHS[0]));
            ws.set_row_height(r, height)?;
        }
    }
    Ok(())
}
