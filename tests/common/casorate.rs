//! Fixture built from the **Comune di Casorate Primo (PV)**, *PIAO 2024-2026, sottosezione 2.2.1
//! Performance*: the six responsibility centres, their summary tables and the 22 objective cards
//! (`tests/data/casorate.json`, transcribed from `shared/seeds/002_8dd2722f4e0beded.txt` lines
//! 472-1904; analysis `shared/docs/analysis/002.md` §2, §5.5, §6.1; see `tests/data/README.md`).
//!
//! [`write_casorate`] lays the document out as the office's card workbook would look: **one sheet
//! per centre** ([`CASORATE_SHEETS`]), the centre's title and summary table at the top, then the
//! cards one after the other, each printed page of a card starting again with the card's title
//! row and/or header box (the page-break debris of the document is kept, and a worksheet page
//! break is set at the first row of every page of every card).
//!
//! # Grid
//!
//! All rows and columns are 0-based, as in `rust_xlsxwriter` and `calamine`. Every sheet uses
//! 13 columns, A (0, width 40) and B..M (1..12, width 10, the twelve months of a schedule).
//! A table of `k` columns is mapped onto the grid by [`casorate_spans`]; a span of more than one
//! column is a merged range:
//!
//! | k | spans |
//! |---|---|
//! | 1 | A:M |
//! | 2 | A · B:M |
//! | 3 | A · B:G · H:M |
//! | 4 | A · B:E · F:I · J:M |
//! | 6 | A · B:E · F:G · H:I · J:K · L:M |
//! | 13 | A · B · C · … · M |
//!
//! Cells of a table that are empty in the source are written as formatted blanks (the border
//! shows); a row with fewer fields than its table is padded with blanks.
//!
//! # Sheet layout
//!
//! - row 0: `Centro di Responsabilità` (A); row 1: the centre's name (A, bold); row 2 blank;
//!   row 3: `Responsabile` (A); row 4: the responsible's name (A); row 5 blank;
//! - from row 6: the summary table, as printed: no header row, except Segreteria's `peso | | `
//!   (row 6, data from row 7). Columns (spans for k = 4 or 3):
//!   - Amministrativo, Polizia Locale: n · servizio · titolo · peso (k = 4, weight in J:M);
//!   - Territorio, Socio-educativo, Finanziario: n · servizio · titolo (k = 3; Territorio's
//!     weight is the `(MAX 20 PUNTI)` inside the title; Socio-educativo's n cells are empty);
//!   - Segreteria: peso · titolo · descrizione (k = 3);
//! - one blank row, then the cards (and Territorio's orphan blocks, after the card they follow
//!   in the document), separated by one blank row. Inside a card, one blank row separates the
//!   page's title row, its header box and each block; pages are separated by one blank row.
//!   - **card title row**: the title line verbatim (`1. OBIETTIVO DI MIGLIORAMENTO 2024`,
//!     `OBBIETTIVO DI MIGLIORAMENTO 2023`…), A:M merged, bold. Pages 2.. of a card repeat it
//!     (possibly with another number or year, as printed) or go straight to the header box;
//!   - **header box**: its rows as printed, k = 4 (Settore · Dirigente/Responsabile/… · Sistema
//!     Premiante or Costo… · Premio); a `Sistema Premiante` cell with an empty fourth field is
//!     merged over F:M (the group header above `Costo …` / `Premio`);
//!   - **description block** (`Obiettivo: Descrizione Sintetica`, the description and phases,
//!     `Centro di Costo`, `Risorse finanziarie assegnate | Capitolo PEG | Importo`, `Tempi di
//!     realizzazione`…): each row on its own, k = its fields up to the last non-empty one
//!     (at least 2), so a label + text row is `A · B:M`;
//!   - **text timeline** (Socio-educativo `DEFINIZIONE OBIETTIVO | DESCRIZIONE/FASI |
//!     CRONOPROGRAMMA`): k = 3;
//!   - **indicators**: `Indicatori di risultato` row, then the header row (one of the four
//!     variants, verbatim), then the rows; k = the header's field count (3 or 4). A group
//!     sub-header (Amministrativo 3: `SALUTE ORGANIZZATIVA (…)`…) is one cell merged A:M, and
//!     the document repeats `Indicatori di risultato` + group + header for each of the 11 groups;
//!   - **Cronoprogramma**: `Cronoprogramma` row (A, then 12 blanks), `Fasi e tempi | Gennaio |
//!     … | Dicembre`, one row per phase with `X`/`x` marks in B..M (k = 13);
//!   - **Verifica Intermedia**: the two side-by-side panels as `left label · left value ·
//!     right label · right value` (k = 4), one row per printed row;
//!   - **staff**: the heading line (`PERSONALE COINVOLTO NELL' OBIETTIVO`…, A, bold, not merged),
//!     a blank row, then `Collaboratori interni`, the header (`Cat. | Cognome e nome | %
//!     partecipazione | Costo orario | n. ore dedicate | Costo della risorsa`, variants
//!     verbatim, the split one on two rows), people, `COSTO DELLE RISORSE INTERNE` (k = 6; the %
//!     partecipazione is column F = 5);
//!   - **resources**: the heading `RISORSE AGGIUNTIVE UTILIZZATE` (A), a blank row, then
//!     `Tipologia | Descrizione | Costo` and the rows (k = 3), `COSTO COMPLESSIVO DELL'
//!     OBIETTIVO` where printed;
//!   - **note** (Polizia Locale 6): the paragraph in A:M merged.
//!
//! [`casorate_layout`] gives the row of every placed seed line.
//!
//! # Values
//!
//! Text is written verbatim (HTML fragments included). A field an office would type as a number
//! is stored as one ([`casorate_cell`]): plain integers (`1100`, `33`, a phase number `1`) as
//! numbers (General); `30%` as 0.30 with format `0%`; `50,00` as 50 with `0.00`; `15/05/2024`
//! as a date (`dd/mm/yyyy`); `€ 1.000,00` as 1000 with `"€ "#,##0.00`. Everything else (`< di
//! 5`, `+ 19`, `miglioramento 20%`, `Entro il 31/12/2024`, `N.`, `%`, `-`, `X`) is text.
#![allow(dead_code)]

use std::path::Path;

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};
use serde::Deserialize;

const CASORATE_JSON: &str = include_str!("../data/casorate.json");

/// Sheet names written by [`write_casorate`], one per centre, in document order.
pub const CASORATE_SHEETS: [&str; 6] = [
    "Amministrativo",
    "Territorio",
    "Polizia Locale",
    "Socio-educativo",
    "Finanziario",
    "Segreteria",
];
/// Objectives in the six summary tables (5 + 4 + 6 + 4 + 5 + 2).
pub const CASORATE_OBJECTIVES: usize = 26;
/// Objective cards in the document (Territorio 2 and 4 and Segreteria 1 and 2 have none).
pub const CASORATE_CARDS: usize = 22;
/// Number of columns of every sheet (A + twelve months).
pub const CASORATE_COLUMNS: u16 = 13;
/// Last column of every sheet (M).
pub const CASORATE_LAST_COL: u16 = CASORATE_COLUMNS - 1;
/// Row of `Centro di Responsabilità`.
pub const CASORATE_CENTRE_LABEL_ROW: u32 = 0;
/// Row of the centre's name.
pub const CASORATE_CENTRE_NAME_ROW: u32 = 1;
/// Row of `Responsabile`.
pub const CASORATE_RESPONSIBLE_LABEL_ROW: u32 = 3;
/// Row of the responsible's name.
pub const CASORATE_RESPONSIBLE_ROW: u32 = 4;
/// First row of the summary table (its header on Segreteria, its first objective elsewhere).
pub const CASORATE_SUMMARY_ROW: u32 = 6;
/// Column of the `% partecipazione` cell in a staff row (F, k = 6).
pub const CASORATE_STAFF_PCT_COL: u16 = 5;
/// The twelve month headers of a Cronoprogramma, verbatim.
pub const CASORATE_MONTHS: [&str; 12] = [
    "Gennaio",
    "Febbraio",
    "Marzo",
    "Aprile",
    "Maggio",
    "Giugno",
    "Luglio",
    "Agosto",
    "Settembre",
    "Ottobre",
    "Novembre",
    "Dicembre",
];

// ---------------------------------------------------------------------------------------------
// Data (tests/data/casorate.json)
// ---------------------------------------------------------------------------------------------

/// The whole of `tests/data/casorate.json`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Casorate {
    /// Where the data comes from.
    pub source: String,
    /// Conventions of the transcription.
    pub notes: Vec<String>,
    /// Document totals.
    pub expected: CasorateTotals,
    /// The six centres, in document order.
    pub centres: Vec<CasorateCentre>,
}

/// Document totals.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CasorateTotals {
    /// 6.
    pub centres: usize,
    /// 26.
    pub objectives: usize,
    /// 22.
    pub cards: usize,
}

/// One responsibility centre.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CasorateCentre {
    /// The sheet written for it ([`CASORATE_SHEETS`]).
    pub sheet: String,
    /// The centre's name as printed (`Servizio Amministrativo`, `POLIZIA LOCALE`…).
    pub name: String,
    /// The responsible as printed (`DEBORAH ARIBONI`, `Arch. Simona Pizzocaro`…).
    pub responsible: String,
    /// First and last seed line of the centre's title block.
    pub lines: [u32; 2],
    /// The summary table.
    pub summary: CasorateSummary,
    /// The centre's cards, in document order.
    pub cards: Vec<CasorateCard>,
    /// Blocks printed with no card title or header box (Territorio only).
    pub orphan_blocks: Vec<CasorateOrphan>,
    /// Figures the analysis gives for the centre.
    pub expected: CasorateCentreExpected,
}

/// A centre's summary table.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CasorateSummary {
    /// Meaning of the printed columns (`n`, `servizio`, `titolo`, `peso`, `descrizione`).
    pub columns: Vec<String>,
    /// The printed header row (Segreteria's `peso`), if any.
    pub header: Option<CasorateRow>,
    /// One row per objective.
    pub rows: Vec<CasorateSummaryRow>,
}

/// One objective of a summary table.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CasorateSummaryRow {
    /// Seed line.
    pub line: u32,
    /// The printed fields, verbatim.
    pub cells: Vec<String>,
    /// The printed number, if any (`1`…; empty in Socio-educativo, absent in Segreteria).
    pub n: Option<String>,
    /// Servizio / ufficio, if the table has the column.
    pub servizio: Option<String>,
    /// The objective's title as printed.
    pub titolo: String,
    /// The weight as written (`30%`, `25`, `Intersettoriale`, `40`, `(MAX 20 PUNTI)`), if any.
    pub peso: Option<String>,
    /// True when the weight is part of the title text (Territorio).
    pub peso_in_titolo: bool,
    /// Segreteria's third column (description with the deadline glued on).
    #[serde(default)]
    pub descrizione: Option<String>,
}

/// A seed line that is not a table row (a title, a heading, a note).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CasorateLine {
    /// Seed line.
    pub line: u32,
    /// The line verbatim.
    pub text: String,
}

/// What a table row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CasorateRole {
    /// A block's title row (`Indicatori di risultato`, `Cronoprogramma`, `Collaboratori interni`).
    Title,
    /// A group sub-header of an indicator table (`SALUTE DIGITALE`…).
    Group,
    /// A column header row.
    Header,
    /// A data row (also every row of a header box, a description block or a Verifica panel).
    #[default]
    Data,
    /// A total row (`COSTO DELLE RISORSE INTERNE`, `COSTO COMPLESSIVO DELL' OBIETTIVO`).
    Total,
}

/// One printed table row.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CasorateRow {
    /// Seed line.
    pub line: u32,
    /// What the row is.
    #[serde(default)]
    pub role: CasorateRole,
    /// The fields verbatim (Verifica rows: normalised to four, see the JSON notes).
    pub cells: Vec<String>,
    /// False on the two Finanziario 5 rows the analysis does not count as indicators.
    #[serde(default = "yes")]
    pub counted: bool,
    /// Why the row is odd, if it is.
    #[serde(default)]
    pub note: Option<String>,
}

fn yes() -> bool {
    true
}

/// Kind of a card block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CasorateBlockKind {
    /// Descrizione Sintetica, description and phases, Centro di Costo, Risorse finanziarie…
    Description,
    /// Socio-educativo's `DEFINIZIONE OBIETTIVO | DESCRIZIONE/FASI | CRONOPROGRAMMA` table.
    Timeline,
    /// `Indicatori di risultato`.
    Indicators,
    /// `Cronoprogramma` (12 months).
    Schedule,
    /// `Verifica Intermedia` (two panels).
    Verifica,
    /// `PERSONALE COINVOLTO NELL' OBIETTIVO`.
    Staff,
    /// `RISORSE AGGIUNTIVE UTILIZZATE`.
    Resources,
    /// A free paragraph (Polizia Locale 6, line 1377).
    Note,
}

/// One block of a card page.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CasorateBlock {
    /// What the block is.
    pub kind: CasorateBlockKind,
    /// The heading line printed above the table (staff, resources) or the note's text.
    #[serde(default)]
    pub heading: Option<CasorateLine>,
    /// The table rows.
    pub rows: Vec<CasorateRow>,
}

/// One printed page of a card.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CasoratePage {
    /// The card title line of the page, if printed.
    pub title: Option<CasorateLine>,
    /// The header box rows of the page (empty when not printed).
    pub header_box: Vec<CasorateRow>,
    /// The page's blocks.
    pub blocks: Vec<CasorateBlock>,
}

/// The `Obiettivo: Descrizione Sintetica` row (or Socio-educativo's `DEFINIZIONE OBIETTIVO`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CasorateSynthetic {
    /// Seed line.
    pub line: u32,
    /// The label (`Obiettivo: Descrizione Sintetica`, `Descrizione Sintetica`, `DEFINIZIONE
    /// OBIETTIVO`).
    pub label: String,
    /// The non-empty text fields (two on Polizia Locale 5, whose title is split).
    pub cells: Vec<String>,
}

/// One objective card.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CasorateCard {
    /// Position of its objective in the centre's summary table (1-based).
    pub objective: u32,
    /// The card's first title line.
    pub title: CasorateLine,
    /// Settore value of the first header box.
    pub settore: String,
    /// Label of the responsible in that box (`Dirigente`, `Responsabile`, `Funzionario
    /// responsabile`).
    pub responsabile_label: String,
    /// Responsible value of that box.
    pub responsabile: String,
    /// The objective's short description.
    pub descrizione_sintetica: CasorateSynthetic,
    /// Seed lines where the card header is repeated (first line of pages 2..).
    pub header_repeats: Vec<u32>,
    /// First and last seed line of the card.
    pub lines: [u32; 2],
    /// The printed pages.
    pub pages: Vec<CasoratePage>,
    /// Figures the analysis gives for the card.
    pub expected: CasorateCardExpected,
}

/// Per-card figures, as analysis §2.4 counts them.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CasorateCardExpected {
    /// Indicator rows (group sub-headers and headers not counted).
    pub indicators: usize,
    /// Cronoprogramma phase rows.
    pub schedule_rows: usize,
    /// Rows of the text timeline (Socio-educativo 1, 3, 4).
    pub timeline_rows: usize,
    /// Σ % partecipazione, if any is printed.
    pub participation_sum: Option<f64>,
}

/// Blocks printed without a card (Territorio objectives 2 and 4).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CasorateOrphan {
    /// The card they follow.
    pub after_objective: u32,
    /// The objective they belong to per the analysis (an inference).
    pub attributed_objective: u32,
    /// First and last seed line.
    pub lines: [u32; 2],
    /// The blocks (Verifica, staff, resources).
    pub blocks: Vec<CasorateBlock>,
    /// Σ % partecipazione.
    pub expected: CasorateOrphanExpected,
}

/// Figures of an orphan block.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CasorateOrphanExpected {
    /// Σ % partecipazione.
    pub participation_sum: f64,
}

/// Per-centre figures.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CasorateCentreExpected {
    /// Objectives in the summary table.
    pub objectives: usize,
    /// Cards.
    pub cards: usize,
    /// Σ of the numeric weights (points for Territorio), if the centre has weights.
    pub weight_total: Option<f64>,
}

impl CasorateCard {
    /// Every block of every page, in order.
    pub fn blocks(&self) -> impl Iterator<Item = &CasorateBlock> {
        self.pages.iter().flat_map(|p| p.blocks.iter())
    }

    /// Rows of the blocks of one kind, in order.
    pub fn rows_of(&self, kind: CasorateBlockKind) -> impl Iterator<Item = &CasorateRow> {
        self.blocks()
            .filter(move |b| b.kind == kind)
            .flat_map(|b| b.rows.iter())
    }

    /// Indicator data rows the analysis counts.
    pub fn indicator_rows(&self) -> Vec<&CasorateRow> {
        self.rows_of(CasorateBlockKind::Indicators)
            .filter(|r| r.role == CasorateRole::Data && r.counted)
            .collect()
    }

    /// Every indicator data row as printed (counted or not).
    pub fn printed_indicator_rows(&self) -> Vec<&CasorateRow> {
        self.rows_of(CasorateBlockKind::Indicators)
            .filter(|r| r.role == CasorateRole::Data)
            .collect()
    }

    /// Indicator header rows, verbatim.
    pub fn indicator_headers(&self) -> Vec<&CasorateRow> {
        self.rows_of(CasorateBlockKind::Indicators)
            .filter(|r| r.role == CasorateRole::Header)
            .collect()
    }

    /// Cronoprogramma phase rows (label + 12 month fields).
    pub fn schedule_rows(&self) -> Vec<&CasorateRow> {
        self.rows_of(CasorateBlockKind::Schedule)
            .filter(|r| r.role == CasorateRole::Data)
            .collect()
    }

    /// Staff data rows (a split name's continuation row included).
    pub fn staff_rows(&self) -> Vec<&CasorateRow> {
        self.rows_of(CasorateBlockKind::Staff)
            .filter(|r| r.role == CasorateRole::Data)
            .collect()
    }
}

/// The data of `tests/data/casorate.json`.
pub fn casorate() -> Casorate {
    serde_json::from_str(CASORATE_JSON).expect("tests/data/casorate.json is valid")
}

/// One centre as the reader tests need it.
#[derive(Debug, Clone, PartialEq)]
pub struct CasorateCentreInfo {
    /// Sheet name.
    pub sheet: &'static str,
    /// The centre's name as printed.
    pub name: String,
    /// The responsible as printed.
    pub responsible: String,
    /// Objectives in the summary table.
    pub objectives: usize,
    /// Weights as written, one per objective (`None` where the table has none).
    pub weights: Vec<Option<String>>,
    /// Cards of the centre.
    pub cards: usize,
}

/// The six centres in document order, with their objective counts and weights as written.
pub fn casorate_centres() -> Vec<CasorateCentreInfo> {
    casorate()
        .centres
        .into_iter()
        .zip(CASORATE_SHEETS)
        .map(|(c, sheet)| {
            assert_eq!(c.sheet, sheet);
            CasorateCentreInfo {
                sheet,
                name: c.name,
                responsible: c.responsible,
                objectives: c.summary.rows.len(),
                weights: c.summary.rows.iter().map(|r| r.peso.clone()).collect(),
                cards: c.cards.len(),
            }
        })
        .collect()
}

/// One card as the reader tests need it.
#[derive(Debug, Clone, PartialEq)]
pub struct CasorateCardInfo {
    /// Sheet of its centre.
    pub sheet: String,
    /// Position of its objective in the summary table (1-based).
    pub objective: u32,
    /// The first title line, verbatim.
    pub title: String,
    /// Expected indicator rows (group sub-headers not counted).
    pub indicators: usize,
    /// Expected Cronoprogramma phase rows.
    pub schedule_rows: usize,
    /// Pages printed (1 + header repeats).
    pub pages: usize,
}

/// The 22 cards in document order, with their expected indicator and schedule row counts.
pub fn casorate_cards() -> Vec<CasorateCardInfo> {
    let data = casorate();
    let mut out = Vec::new();
    for c in &data.centres {
        for card in &c.cards {
            out.push(CasorateCardInfo {
                sheet: c.sheet.clone(),
                objective: card.objective,
                title: card.title.text.clone(),
                indicators: card.expected.indicators,
                schedule_rows: card.expected.schedule_rows,
                pages: card.pages.len(),
            });
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

/// How one source field is stored in the workbook.
#[derive(Debug, Clone, PartialEq)]
pub enum CasorateCell {
    /// An empty field: a formatted blank.
    Blank,
    /// Text, verbatim.
    Text(String),
    /// A number and the Excel number format that prints it as the document does.
    Number(f64, &'static str),
    /// A date (year, month, day), format `dd/mm/yyyy`.
    Date(u16, u8, u8),
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// The storage of a field an office would type (see the module docs, *Values*).
pub fn casorate_cell(raw: &str) -> CasorateCell {
    if raw.trim().is_empty() {
        return CasorateCell::Blank;
    }
    if all_digits(raw) {
        return CasorateCell::Number(raw.parse().expect("digits"), "General");
    }
    if let Some(body) = raw.strip_suffix('%') {
        if all_digits(body) {
            // The double nearest to the decimal fraction, as Excel stores a typed `30%`.
            let v: f64 = format!("{body}e-2").parse().expect("digits");
            return CasorateCell::Number(v, "0%");
        }
    }
    if let Some((int, dec)) = raw.split_once(',') {
        if all_digits(int) && all_digits(dec) && dec.len() == 2 {
            let v: f64 = format!("{int}.{dec}").parse().expect("digits");
            return CasorateCell::Number(v, "0.00");
        }
    }
    let parts: Vec<&str> = raw.split('/').collect();
    if parts.len() == 3
        && parts.iter().all(|p| all_digits(p))
        && parts[0].len() == 2
        && parts[1].len() == 2
        && parts[2].len() == 4
    {
        return CasorateCell::Date(
            parts[2].parse().expect("year"),
            parts[1].parse().expect("month"),
            parts[0].parse().expect("day"),
        );
    }
    if let Some(amount) = raw.strip_prefix("€ ") {
        if let Some((int, dec)) = amount.split_once(',') {
            let groups: Vec<&str> = int.split('.').collect();
            let grouped = groups.iter().all(|g| all_digits(g))
                && groups[0].len() <= 3
                && groups[1..].iter().all(|g| g.len() == 3);
            if grouped && all_digits(dec) && dec.len() == 2 {
                let v: f64 = format!("{}.{dec}", groups.concat())
                    .parse()
                    .expect("digits");
                return CasorateCell::Number(v, "\"€ \"#,##0.00");
            }
        }
    }
    CasorateCell::Text(raw.to_string())
}

// ---------------------------------------------------------------------------------------------
// Layout
// ---------------------------------------------------------------------------------------------

/// Column spans of a table of `k` fields (see the module docs, *Grid*).
pub fn casorate_spans(k: usize) -> Vec<(u16, u16)> {
    match k {
        1 => vec![(0, 12)],
        2 => vec![(0, 0), (1, 12)],
        3 => vec![(0, 0), (1, 6), (7, 12)],
        4 => vec![(0, 0), (1, 4), (5, 8), (9, 12)],
        6 => vec![(0, 0), (1, 4), (5, 6), (7, 8), (9, 10), (11, 12)],
        13 => (0..13).map(|c| (c, c)).collect(),
        _ => panic!("no column scheme for a table of {k} fields"),
    }
}

/// What a placed row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CasoratePart {
    /// `Centro di Responsabilità`.
    CentreLabel,
    /// The centre's name.
    CentreName,
    /// `Responsabile`.
    ResponsibleLabel,
    /// The responsible's name.
    Responsible,
    /// Segreteria's `peso` header row.
    SummaryHeader,
    /// One objective of the summary table.
    SummaryRow,
    /// A card title row (first or repeated).
    CardTitle,
    /// A header box row (first or repeated).
    HeaderBox,
    /// The heading line above a staff or resources table, or a note paragraph.
    Heading(CasorateBlockKind),
    /// A row of a block.
    Block(CasorateBlockKind, CasorateRole),
}

/// One cell of a placed row: its columns (merged when `first_col < last_col`) and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct CasoratePlacedCell {
    /// First column.
    pub first_col: u16,
    /// Last column (= `first_col` for an unmerged cell).
    pub last_col: u16,
    /// The source field verbatim (`""` for a blank).
    pub text: String,
}

/// One written row.
#[derive(Debug, Clone, PartialEq)]
pub struct CasoratePlacedRow {
    /// Worksheet row (0-based).
    pub row: u32,
    /// Seed line it comes from.
    pub line: u32,
    /// Objective (summary position) of the card or orphan block it belongs to; for a summary
    /// row, the objective it lists.
    pub objective: Option<u32>,
    /// True for the rows of an orphan block.
    pub orphan: bool,
    /// Page of the card (0-based), for card rows.
    pub page: Option<usize>,
    /// What the row is.
    pub part: CasoratePart,
    /// False on the indicator rows the analysis does not count.
    pub counted: bool,
    /// The cells, left to right.
    pub cells: Vec<CasoratePlacedCell>,
}

/// Where everything of one sheet lands.
#[derive(Debug, Clone, PartialEq)]
pub struct CasorateSheetLayout {
    /// Sheet name.
    pub sheet: String,
    /// Every written row, top to bottom.
    pub rows: Vec<CasoratePlacedRow>,
    /// First row of every printed page of every card (a worksheet page break is set there).
    pub page_starts: Vec<u32>,
}

impl CasorateSheetLayout {
    /// The row a seed line landed on.
    pub fn row_of_line(&self, line: u32) -> Option<u32> {
        self.rows.iter().find(|r| r.line == line).map(|r| r.row)
    }

    /// The rows of one card (`orphan` false) or orphan block (`orphan` true).
    pub fn rows_of(
        &self,
        objective: u32,
        orphan: bool,
    ) -> impl Iterator<Item = &CasoratePlacedRow> {
        self.rows.iter().filter(move |r| {
            r.objective == Some(objective)
                && r.orphan == orphan
                && r.part != CasoratePart::SummaryRow
        })
    }

    /// Rows of one part of one card.
    pub fn card_rows(&self, objective: u32, part: CasoratePart) -> Vec<u32> {
        self.rows_of(objective, false)
            .filter(|r| r.part == part)
            .map(|r| r.row)
            .collect()
    }

    /// The summary table's objective rows.
    pub fn summary_rows(&self) -> Vec<u32> {
        self.rows
            .iter()
            .filter(|r| r.part == CasoratePart::SummaryRow)
            .map(|r| r.row)
            .collect()
    }
}

struct Planner {
    rows: Vec<CasoratePlacedRow>,
    next: u32,
    page_starts: Vec<u32>,
}

#[derive(Clone, Copy)]
struct Owner {
    objective: Option<u32>,
    orphan: bool,
    page: Option<usize>,
}

const NO_OWNER: Owner = Owner {
    objective: None,
    orphan: false,
    page: None,
};

impl Planner {
    fn push(
        &mut self,
        line: u32,
        owner: Owner,
        part: CasoratePart,
        counted: bool,
        cells: Vec<CasoratePlacedCell>,
    ) {
        self.rows.push(CasoratePlacedRow {
            row: self.next,
            line,
            objective: owner.objective,
            orphan: owner.orphan,
            page: owner.page,
            part,
            counted,
            cells,
        });
        self.next += 1;
    }

    fn blank(&mut self) {
        self.next += 1;
    }

    fn single(&mut self, line: u32, owner: Owner, part: CasoratePart, text: &str, merged: bool) {
        let last_col = if merged { CASORATE_LAST_COL } else { 0 };
        let cell = CasoratePlacedCell {
            first_col: 0,
            last_col,
            text: text.to_string(),
        };
        self.push(line, owner, part, true, vec![cell]);
    }
}

/// Lays `fields` out on the spans of a `k`-field table (padding with blanks).
fn spread(fields: &[String], k: usize) -> Vec<CasoratePlacedCell> {
    assert!(
        fields.len() <= k,
        "{} fields in a {k}-field table",
        fields.len()
    );
    casorate_spans(k)
        .into_iter()
        .enumerate()
        .map(|(i, (first_col, last_col))| CasoratePlacedCell {
            first_col,
            last_col,
            text: fields.get(i).cloned().unwrap_or_default(),
        })
        .collect()
}

/// Fields up to the last non-empty one (at least `min`).
fn trimmed(fields: &[String], min: usize) -> usize {
    let used = fields
        .iter()
        .rposition(|c| !c.trim().is_empty())
        .map_or(0, |i| i + 1);
    used.max(min).min(fields.len().max(min))
}

fn header_box_cells(fields: &[String]) -> Vec<CasoratePlacedCell> {
    let mut cells = spread(fields, 4);
    let premiante = fields.get(2).map(String::as_str) == Some("Sistema Premiante")
        && fields.get(3).is_none_or(|c| c.is_empty());
    if premiante {
        cells.truncate(3);
        cells[2].last_col = CASORATE_LAST_COL;
    }
    cells
}

fn plan_block(p: &mut Planner, b: &CasorateBlock, owner: Owner) {
    use CasorateBlockKind as K;
    if b.kind == K::Note {
        let h = b.heading.as_ref().expect("a note has its text");
        p.single(h.line, owner, CasoratePart::Heading(K::Note), &h.text, true);
        return;
    }
    if let Some(h) = &b.heading {
        p.single(h.line, owner, CasoratePart::Heading(b.kind), &h.text, false);
        p.blank();
    }
    let table_k = match b.kind {
        K::Indicators => {
            let k = b
                .rows
                .iter()
                .find(|r| r.role == CasorateRole::Header)
                .map(|r| r.cells.len())
                .expect("an indicator table has a header");
            assert!(b
                .rows
                .iter()
                .filter(|r| r.role == CasorateRole::Header)
                .all(|r| r.cells.len() == k));
            k
        }
        K::Timeline | K::Resources => 3,
        K::Schedule => 13,
        K::Verifica => 4,
        K::Staff => 6,
        K::Description | K::Note => 0,
    };
    for r in &b.rows {
        let cells = if r.role == CasorateRole::Group {
            vec![CasoratePlacedCell {
                first_col: 0,
                last_col: CASORATE_LAST_COL,
                text: r.cells[0].clone(),
            }]
        } else if b.kind == K::Description {
            let k = trimmed(&r.cells, 2);
            spread(&r.cells[..k.min(r.cells.len())], k)
        } else {
            let k = trimmed(&r.cells, table_k).max(table_k);
            spread(&r.cells[..k.min(r.cells.len())], k)
        };
        p.push(
            r.line,
            owner,
            CasoratePart::Block(b.kind, r.role),
            r.counted,
            cells,
        );
    }
}

fn plan_centre(c: &CasorateCentre) -> CasorateSheetLayout {
    let mut p = Planner {
        rows: Vec::new(),
        next: 0,
        page_starts: Vec::new(),
    };
    let [first, last] = c.lines;
    p.single(
        first,
        NO_OWNER,
        CasoratePart::CentreLabel,
        "Centro di Responsabilità",
        false,
    );
    p.single(
        first + 1,
        NO_OWNER,
        CasoratePart::CentreName,
        &c.name,
        false,
    );
    p.blank();
    p.single(
        last - 1,
        NO_OWNER,
        CasoratePart::ResponsibleLabel,
        "Responsabile",
        false,
    );
    p.single(
        last,
        NO_OWNER,
        CasoratePart::Responsible,
        &c.responsible,
        false,
    );
    p.blank();
    debug_assert_eq!(p.next, CASORATE_SUMMARY_ROW);
    let k = c.summary.columns.len();
    if let Some(h) = &c.summary.header {
        p.push(
            h.line,
            NO_OWNER,
            CasoratePart::SummaryHeader,
            true,
            spread(&h.cells, k),
        );
    }
    for (i, r) in c.summary.rows.iter().enumerate() {
        let owner = Owner {
            objective: Some(i as u32 + 1),
            ..NO_OWNER
        };
        p.push(
            r.line,
            owner,
            CasoratePart::SummaryRow,
            true,
            spread(&r.cells, k),
        );
    }
    for card in &c.cards {
        for (pi, page) in card.pages.iter().enumerate() {
            let owner = Owner {
                objective: Some(card.objective),
                orphan: false,
                page: Some(pi),
            };
            p.blank();
            p.page_starts.push(p.next);
            if let Some(t) = &page.title {
                p.single(t.line, owner, CasoratePart::CardTitle, &t.text, true);
                if !page.header_box.is_empty() {
                    p.blank();
                }
            }
            for r in &page.header_box {
                p.push(
                    r.line,
                    owner,
                    CasoratePart::HeaderBox,
                    true,
                    header_box_cells(&r.cells),
                );
            }
            for b in &page.blocks {
                p.blank();
                plan_block(&mut p, b, owner);
            }
        }
        for o in c
            .orphan_blocks
            .iter()
            .filter(|o| o.after_objective == card.objective)
        {
            let owner = Owner {
                objective: Some(o.attributed_objective),
                orphan: true,
                page: None,
            };
            for b in &o.blocks {
                p.blank();
                plan_block(&mut p, b, owner);
            }
        }
    }
    CasorateSheetLayout {
        sheet: c.sheet.clone(),
        rows: p.rows,
        page_starts: p.page_starts,
    }
}

/// Where [`write_casorate`] puts everything, one entry per sheet in [`CASORATE_SHEETS`] order.
pub fn casorate_layout() -> Vec<CasorateSheetLayout> {
    casorate().centres.iter().map(plan_centre).collect()
}

// ---------------------------------------------------------------------------------------------
// Writer
// ---------------------------------------------------------------------------------------------

struct Formats {
    plain: Format,
    bold: Format,
    centre: Format,
    title: Format,
    header: Format,
    group: Format,
    cell: Format,
}

impl Formats {
    fn new() -> Self {
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Top)
            .set_text_wrap();
        Formats {
            plain: Format::new(),
            bold: Format::new().set_bold(),
            centre: Format::new().set_bold().set_font_size(14),
            title: Format::new()
                .set_bold()
                .set_font_size(12)
                .set_border(FormatBorder::Thin)
                .set_background_color(Color::RGB(0xDDEBF7)),
            header: cell
                .clone()
                .set_bold()
                .set_background_color(Color::RGB(0xD9D9D9)),
            group: cell.clone().set_bold().set_italic(),
            cell,
        }
    }

    fn for_part(&self, part: CasoratePart) -> &Format {
        use CasoratePart as P;
        match part {
            P::CentreLabel | P::ResponsibleLabel => &self.plain,
            P::CentreName | P::Responsible => &self.centre,
            P::CardTitle => &self.title,
            P::Heading(CasorateBlockKind::Note) => &self.cell,
            P::Heading(_) => &self.bold,
            P::SummaryHeader
            | P::Block(_, CasorateRole::Header)
            | P::Block(_, CasorateRole::Title)
            | P::Block(_, CasorateRole::Total) => &self.header,
            P::Block(_, CasorateRole::Group) => &self.group,
            P::SummaryRow | P::HeaderBox | P::Block(_, CasorateRole::Data) => &self.cell,
        }
    }
}

fn casorate_properties() -> Result<DocProperties, XlsxError> {
    // A fixed creation date keeps the generated file byte-stable across runs.
    Ok(DocProperties::new()
        .set_title("PIAO 2024-2026 - Obiettivi di performance")
        .set_company("Comune di Casorate Primo")
        .set_author("barometro test fixtures")
        .set_creation_datetime(&ExcelDateTime::from_ymd(2025, 4, 30)?))
}

fn column_width(col: u16) -> f64 {
    if col == 0 {
        40.0
    } else {
        10.0
    }
}

/// A row height that shows the wrapped text of the row's longest cell (capped at Excel's 409).
fn row_height(r: &CasoratePlacedRow) -> Option<f64> {
    let lines = r
        .cells
        .iter()
        .filter(|c| !(r.cells.len() == 1 && c.last_col == 0)) // an unmerged lone A cell overflows
        .map(|c| {
            let width: f64 = (c.first_col..=c.last_col).map(column_width).sum();
            let chars = c.text.chars().count() as f64;
            (chars / (width * 1.1)).ceil().max(1.0)
        })
        .fold(1.0, f64::max);
    (lines > 1.0).then(|| (lines * 15.0).min(409.0))
}

fn write_cell(
    ws: &mut Worksheet,
    row: u32,
    c: &CasoratePlacedCell,
    base: &Format,
) -> Result<(), XlsxError> {
    let value = casorate_cell(&c.text);
    let format = match &value {
        CasorateCell::Number(_, fmt) if *fmt != "General" => base.clone().set_num_format(*fmt),
        CasorateCell::Date(..) => base.clone().set_num_format("dd/mm/yyyy"),
        _ => base.clone(),
    };
    if c.last_col > c.first_col {
        ws.merge_range(row, c.first_col, row, c.last_col, "", &format)?;
    }
    match value {
        CasorateCell::Blank => {
            if c.last_col == c.first_col {
                ws.write_blank(row, c.first_col, &format)?;
            }
        }
        CasorateCell::Text(t) => {
            ws.write_string_with_format(row, c.first_col, t, &format)?;
        }
        CasorateCell::Number(v, _) => {
            ws.write_number_with_format(row, c.first_col, v, &format)?;
        }
        CasorateCell::Date(y, m, d) => {
            ws.write_datetime_with_format(
                row,
                c.first_col,
                ExcelDateTime::from_ymd(y, m, d)?,
                &format,
            )?;
        }
    }
    Ok(())
}

/// Writes the Casorate Primo objective cards, one sheet per centre (see the module docs for the
/// exact layout and [`casorate_layout`] for the rows).
pub fn write_casorate(path: &Path) -> Result<(), XlsxError> {
    let f = Formats::new();
    let mut wb = Workbook::new();
    wb.set_properties(&casorate_properties()?);
    for layout in casorate_layout() {
        let ws = wb.add_worksheet();
        ws.set_name(&layout.sheet)?;
        for col in 0..CASORATE_COLUMNS {
            ws.set_column_width(col, column_width(col))?;
        }
        ws.set_landscape();
        ws.set_paper_size(9); // A4
        ws.set_print_fit_to_pages(1, 0);
        for r in &layout.rows {
            let base = f.for_part(r.part);
            for c in &r.cells {
                write_cell(ws, r.row, c, base)?;
            }
            if let Some(h) = row_height(r) {
                ws.set_row_height(r.row, h)?;
            }
        }
        ws.set_page_breaks(&layout.page_starts)?;
    }
    wb.save(path)
}
