//! Objective **cards** ("schede obiettivo") of the **Unione delle Terre d'Argine**, *PIAO
//! 2024-2026, Appendice "Performance"*, monitoring at 31/07/2024, as workbooks laid out the way
//! the document prints them (`tests/data/terre_cards.json`, see `tests/data/README.md`).
//!
//! The data are the 10 card records of `shared/docs/analysis/001.md` §6.2 (the six cards of
//! sector S1, then DG.00012, S8.00001, S3.00029, S9.00022), the S1 objectives table of §3.1 and
//! the position of every activity's P.E.I in the seed text. Three builders write them:
//!
//! - [`write_terre_s1_cards`]: sheet `S1` (the sector table) and one sheet per S1 card;
//! - [`write_terre_other_cards`]: the 4 other cards one after the other on sheet `Schede`;
//! - [`write_terre_s1_activity_table`]: the S1 activities as one flat table, sheet `Attività S1`.
//!
//! All rows and columns below are **0-based** (row 0 = Excel row 1, column 0 = A), as in
//! `rust_xlsxwriter` and `calamine`. [`terre_s1_cards_layout`], [`terre_other_cards_layout`]
//! and [`terre_s1_activity_table_layout`] return the exact rows.
//!
//! # Sheet `S1` (sector table), [`write_terre_s1_cards`]
//!
//! | Row | Content |
//! |---|---|
//! | 0 | A: `1° Settore Affari generali` (title, merged A:G) |
//! | 1 | header A..G: `Obiettivo Esecutivo`, `Priorità`, `Peso`, `Tipo obiettivo`, `Durata`, `Esito (monitoraggio)`, `Esito (consuntivo)` |
//! | 2–7 | the six objectives in table order (S1.00002 … S1/SG.00001) |
//! | 8 | `TOTALE (peso totale, esito %ponderata)`, C = 100%, F = `51,97% su 54,07%` |
//!
//! `Obiettivo Esecutivo`, `Priorità`, `Tipo obiettivo`, `Durata` and both `Esito` cells are text
//! exactly as printed (separators `-`, `–` or none; `54% su 70,96%`, `=`; empty `Esito
//! (consuntivo)` written as a blank cell). `Peso` is a **number** with format `0%` (0.19 shown
//! `19%`; TOTALE 1.0 shown `100%`).
//!
//! # Card layout (one sheet per S1 card, and each card of sheet `Schede`)
//!
//! Rows relative to the card's first row `r` (`r` = 0 on an S1 card sheet). Labels are in column
//! A (0), values in column B (1), all as text unless stated:
//!
//! | Row | A | B |
//! |---|---|---|
//! | r | code (`S1.00002`, `S1/DG.00012`) | |
//! | r+1 | internal id `(133)` (text) | |
//! | r+2 | title | |
//! | r+3 | responsible structure (`21.00.00.00 - U1 - AFFARI GENERALI`) | |
//! | r+4 | `Tipo obiettivo: Integrazione - Grado di strategicità: Media` | |
//! | … | `Descrizione obiettivo:` (only when present) | text |
//! | … | `Validità obiettivo:` | `01/01/2024 - 31/12/2024` |
//! | … | `Validità pluriennale obiettivo:` | dates |
//! | … | `Centro di responsabilità:` | text |
//! | … | `DUP Ses:` | text |
//! | … | `Realizzazione` | percentage |
//! | … | `Intermedio` (absent on S1/DG.00012, S1/SG.00001) | percentage |
//! | … | `Peso dell'obiettivo rispetto a:` (absent on S3.00029) | |
//! | … | `Obiettivo padre:` (absent on S3.00029) | percentage |
//! | … | `Attività previste per il raggiungimento dell'obiettivo:` | |
//!
//! The `------------------ / -----` line of the PDF extraction is a markdown artefact and is not
//! written. The optional rows are simply missing (no blank row in their place), so the label
//! rows must be found by their text; [`TerreCardLayout::label_rows`] lists them.
//!
//! Then, for each activity, 9 rows starting at `h` (the first `h` is the row right after
//! `Attività previste…`; consecutive activities are separated by **one blank row**, so the next
//! `h` is the previous `h + 10`):
//!
//! | Row | Content |
//! |---|---|
//! | h | header, 20 columns A..T: `Attività`, `Anno`, `ES`, (blank), `G F M A M G L A S O N D` (E..P, letters repeat: only the position identifies the month), `Peso`, `P. Finale`, `P.A.I`, `P.E.I`. S8.00001 and S9.00022 write `P. finale` (lower-case f), as the document does for S6–S9 |
//! | h+1 | `Previsto`: A activity text, B year (number 2024/2025), C ES box, D `Previsto`, E..P month marks of the planned months, Q (16) Peso, R (17) P. Finale empty, S (18) P.A.I, T (19) empty |
//! | h+2 | `Effettivo`: A..C empty, D `Effettivo`, E..P marks of the months worked, the P.E.I under S (18, P.A.I column) **or** duplicated under R (17, P. Finale) and T (19, P.E.I), see below |
//! | h+3 | A `Target attesi` |
//! | h+4 | A the text (or `-`), merged A..T, wrapped |
//! | h+5 | A `Monitoraggio intermedio` |
//! | h+6 | A the text, merged A..T, wrapped |
//! | h+7 | A `Monitoraggio finale` |
//! | h+8 | A the text, merged A..T, wrapped |
//!
//! On the S1 card sheets (not on `Schede`) A, B and C of the `Previsto` row are merged
//! vertically with the `Effettivo` row (the PDF's row span); the values sit in the top cell.
//!
//! **P.E.I placement** follows the seed text activity by activity (`seed_layout` in the JSON):
//! duplicated under `P. Finale` and `P.E.I` for S1.00002 act. 6, S1.00010 acts 3–5,
//! S1.00012 acts 3–5 and S3.00029 acts 3–5 (10 activities); under `P.A.I` for the other 34.
//!
//! **ES box**: every activity of these cards is unchecked. It is written as the text `☐` on the
//! S1 cards, DG.00012 and S3.00029, and left empty (no cell) on S8.00001 and S9.00022.
//!
//! **Month marks** ([`terre_month_mark`]): the letter `O` everywhere except the two `=` copies:
//! S1/DG.00012 uses the **number** 0, S1/SG.00001 the **text** `0` (the document uses the digit
//! in S9/DG.00012 and S9/SG.00001; in S1 it prints `O`).
//!
//! **Percentages** ([`terre_percent_storage`], applies to Realizzazione, Intermedio, Obiettivo
//! padre, Peso, P.A.I and P.E.I of a card):
//!
//! - [`TerrePercentStorage::Text`] (S1.00010, S1.00014, S3.00029): text as the document prints
//!   it, dot decimals: `32.5%`, `17.5%`, `1.67%`, `0%`;
//! - [`TerrePercentStorage::ItalianTyping`] (S1.00002, S1/DG.00012, S8.00001): what typing the
//!   printed text into an Italian Excel gives: whole percentages become numbers with format `0%`
//!   (0.15 shown `15%`), dot decimals stay text (`1.67%`, `4.29%`, `8.89%`, `3.5%`);
//! - [`TerrePercentStorage::Number`] (S1.00012, S1/SG.00001, DG.00012, S9.00022): every value a
//!   number, the fraction nearest to the printed decimal (`4.17%` → 0.0417) with format `0%`,
//!   `0.0%` or `0.00%` after the printed decimals.
//!
//! `P. Finale` is always empty on `Previsto` rows. Empty value and month cells are not written
//! at all (calamine reads them as `Data::Empty`). The header's unnamed column D is a blank cell
//! with the header format, and the cells covered by a merge are blank formatted cells.
//!
//! # Sheet `Schede`, [`write_terre_other_cards`]
//!
//! DG.00012 from row 0, then S8.00001, S3.00029 and S9.00022, each starting **three** rows after
//! the previous card's last row (two blank rows in between). Same card layout as above, no
//! vertical merges of A..C. DG.00012 has two 2025 rows (acts 4 and 6, Peso 0%); S8.00001 prints
//! Realizzazione 92% while its P.E.I add up to 95.5; S3.00029 has no `Obiettivo padre` block.
//!
//! # Sheet `Attività S1`, [`write_terre_s1_activity_table`]
//!
//! Row 0 is a band row, row 1 the month letters, data from row 2 (one row per activity, the 22
//! activities of the six S1 cards in card order). Columns:
//!
//! | Col | Header (row 0, merged rows 0..1 unless stated) | Cell |
//! |---|---|---|
//! | 0 | `Settore` | `1° Settore Affari generali` |
//! | 1 | `Codice` | `S1.00002` |
//! | 2 | `Obiettivo` | the card title |
//! | 3 | `Peso obiettivo` | number, `0%` (0.19) |
//! | 4 | `Esito (monitoraggio)` | text `54% su 70,96%` / `=` |
//! | 5 | `Attività` | text |
//! | 6 | `Anno` | number |
//! | 7 | `Peso` | number, `0%` |
//! | 8..19 | `Previsto` merged over row 0 cols 8..19; row 1: `G F M A M G L A S O N D` | month marks |
//! | 20..31 | `Effettivo` merged over row 0 cols 20..31; row 1: `G F M A M G L A S O N D` | month marks |
//! | 32 | `P.A.I` | number, `0.00%` |
//! | 33 | `P.E.I` | number, `0.00%` |
//! | 34 | `Monitoraggio intermedio` | text |
//!
//! Columns 0..4 are merged vertically over the rows of an objective when it has more than one
//! activity (S1/DG.00012 and S1/SG.00001 have one, so no merge). Month marks as on the cards
//! (number 0 for S1/DG.00012, text `0` for S1/SG.00001, `O` otherwise). Panes frozen below
//! row 1.
#![allow(dead_code)]

use std::path::Path;

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};
use serde::Deserialize;

const TERRE_CARDS_JSON: &str = include_str!("../data/terre_cards.json");

// ---------------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------------

/// The whole of `tests/data/terre_cards.json`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerreCardsData {
    /// Where the data comes from.
    pub source: String,
    /// How the file was put together.
    pub notes: String,
    /// The S1 objectives table (§3.1).
    pub s1_table: TerreUnitTable,
    /// Table rows of other units (the S8.00001 row of the S8 table).
    pub other_table_rows: Vec<TerreTableRow>,
    /// Layout facts read from the seed text, one entry per card, in the order of `cards`.
    pub seed_layout: Vec<TerreSeedLayout>,
    /// The 10 card records of §6.2, verbatim, in order.
    pub cards: Vec<TerreCardRecord>,
}

/// A per-unit objectives table as the document prints it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerreUnitTable {
    /// `1° Settore Affari generali`.
    pub title: String,
    /// Line of the header row in the seed text.
    pub line: u32,
    /// The 7 column headers, verbatim.
    pub header: Vec<String>,
    /// The objective rows, in table order.
    pub rows: Vec<TerreTableRow>,
    /// The `TOTALE (peso totale, esito %ponderata)` row.
    pub totale: TerreTableRow,
}

/// One row of a per-unit objectives table (§3.1), cells verbatim.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerreTableRow {
    /// Line in the seed text.
    pub line: u32,
    /// `S1.00002 - Gestione efficiente delle gare e dei contratti`.
    #[serde(rename = "Obiettivo Esecutivo")]
    pub obiettivo_esecutivo: String,
    /// `media`, `alta`, or empty on TOTALE.
    #[serde(rename = "Priorità")]
    pub priorita: String,
    /// `19%`.
    #[serde(rename = "Peso")]
    pub peso: String,
    /// `integrazione`, `consolidamento`, …
    #[serde(rename = "Tipo obiettivo")]
    pub tipo_obiettivo: String,
    /// `01/01/2022 - 31/12/2024`.
    #[serde(rename = "Durata")]
    pub durata: String,
    /// `54% su 70,96%` or `=`.
    #[serde(rename = "Esito (monitoraggio)")]
    pub esito_monitoraggio: String,
    /// Empty in S1; the priority word again in S8.
    #[serde(rename = "Esito (consuntivo)")]
    pub esito_consuntivo: String,
    /// The analysis' parse of the effettivo, when the cell has the form `X% su Y%`.
    #[serde(default)]
    pub effettivo: Option<f64>,
    /// The analysis' parse of the atteso, when the cell has the form `X% su Y%`.
    #[serde(default)]
    pub atteso: Option<f64>,
}

impl TerreTableRow {
    /// `Peso` in points (`19%` → 19).
    pub fn weight(&self) -> f64 {
        parse_percent_text(&self.peso).expect("table weight like 19%")
    }

    /// `Esito (monitoraggio)` parsed from its own text: `54% su 70,96%` → (54, 70.96); `None`
    /// for `=`.
    pub fn esito_pair(&self) -> Option<(f64, f64)> {
        let (e, a) = self.esito_monitoraggio.split_once(" su ")?;
        let num = |s: &str| -> f64 {
            s.trim()
                .trim_end_matches('%')
                .trim()
                .replace(',', ".")
                .parse()
                .expect("Italian percentage")
        };
        Some((num(e), num(a)))
    }
}

/// Layout facts of one card read from the seed text.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerreSeedLayout {
    /// The card code.
    pub code: String,
    /// Spelling of the 18th activity header: `P. Finale` or `P. finale`.
    pub p_finale_header: String,
    /// One entry per activity, in order.
    pub activities: Vec<TerreSeedActivity>,
}

/// Where one activity's `Effettivo` row prints its P.E.I in the seed text.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerreSeedActivity {
    /// Line of the `Previsto` row.
    pub line: u32,
    /// `["P.A.I"]` or `["P. Finale", "P.E.I"]` (column names of the 20-column header).
    pub pei_columns: Vec<String>,
    /// 1 when the extraction shifted the row one column right (re-aligned in `pei_columns`).
    #[serde(default)]
    pub seed_shift: u32,
}

/// One objective card, verbatim from §6.2.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerreCardRecord {
    /// `S1.00002`, `S1/DG.00012`, …
    pub code: String,
    /// The number printed as `(133)`.
    pub internal_id: u32,
    /// First and last line of the card in the seed text.
    pub lines: [u32; 2],
    /// The card's title.
    pub title: String,
    /// The structure line under the title.
    pub struttura_header: String,
    /// `Integrazione`, `Consolidamento`, `Sviluppo`.
    pub tipo_obiettivo: String,
    /// `Alta`, `Media`, `Bassa`.
    pub grado_strategicita: String,
    /// `Descrizione obiettivo:`, when present.
    pub descrizione_obiettivo: Option<String>,
    /// `Validità obiettivo:`.
    pub validita_obiettivo: String,
    /// `Validità pluriennale obiettivo:`.
    pub validita_pluriennale: String,
    /// `Centro di responsabilità:`.
    pub centro_responsabilita: String,
    /// `DUP Ses:`.
    pub dup_ses: String,
    /// `Realizzazione` as printed (`54%`, `32.5%`).
    pub realizzazione: String,
    /// `Intermedio` as printed, when present.
    pub intermedio: Option<String>,
    /// `Obiettivo padre:` as printed, when present.
    pub peso_obiettivo_padre: Option<String>,
    /// The card's row in its unit's table.
    pub table_row: TerreTableRow,
    /// Sums computed by the analysis (not printed in the source).
    #[serde(rename = "_computed_by_analysis_not_in_source")]
    pub computed: TerreComputed,
    /// The activities, in order.
    pub activities: Vec<TerreActivityRecord>,
}

/// Sums the analysis computed for a card.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerreComputed {
    /// Σ P.A.I.
    pub sum_pai: f64,
    /// Σ P.E.I.
    pub sum_pei: f64,
    /// Σ Peso.
    pub sum_peso: f64,
}

/// One activity of a card, verbatim from §6.2.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerreActivityRecord {
    /// Line of the `Previsto` row in the seed text.
    pub line: u32,
    /// The activity text.
    pub attivita: String,
    /// `Anno` (2024 or 2025).
    pub anno: u32,
    /// The `ES` checkbox (false in all 10 cards).
    pub es_checked: bool,
    /// Planned months (1 = January).
    pub previsto_mesi: Vec<u8>,
    /// Months worked.
    pub effettivo_mesi: Vec<u8>,
    /// Peso, in points.
    pub peso: f64,
    /// P. Finale (always null).
    pub p_finale: Option<f64>,
    /// P.A.I, in points.
    pub pai: f64,
    /// P.E.I, in points.
    pub pei: f64,
    /// Status prefix of the interim monitoring, if any.
    pub stato_intermedio: Option<String>,
    /// `Target attesi` text.
    pub target_attesi: String,
    /// `Monitoraggio intermedio` text.
    pub monitoraggio_intermedio: String,
    /// `Monitoraggio finale` text.
    pub monitoraggio_finale: String,
}

impl TerreCardRecord {
    /// Σ P.A.I of the activities, rounded to 2 decimals.
    pub fn sum_pai(&self) -> f64 {
        round2(self.activities.iter().map(|a| a.pai).sum())
    }

    /// Σ P.E.I of the activities, rounded to 2 decimals.
    pub fn sum_pei(&self) -> f64 {
        round2(self.activities.iter().map(|a| a.pei).sum())
    }

    /// True when the unit table prints `=` (monitored only at year end).
    pub fn is_year_end_only(&self) -> bool {
        self.table_row.esito_monitoraggio.trim() == "="
    }
}

/// The data of `tests/data/terre_cards.json` (embedded at compile time).
pub fn terre_cards_data() -> TerreCardsData {
    serde_json::from_str(TERRE_CARDS_JSON).expect("tests/data/terre_cards.json is valid")
}

/// The record of one card by code.
pub fn terre_card(code: &str) -> TerreCardRecord {
    terre_cards_data()
        .cards
        .into_iter()
        .find(|c| c.code == code)
        .unwrap_or_else(|| panic!("no card {code}"))
}

// ---------------------------------------------------------------------------------------------
// Expected figures
// ---------------------------------------------------------------------------------------------

/// The S1 card codes in table order (also the order of the card sheets).
pub const TERRE_CARDS_S1_CODES: [&str; 6] = [
    "S1.00002",
    "S1.00010",
    "S1.00012",
    "S1.00014",
    "S1/DG.00012",
    "S1/SG.00001",
];
/// The codes of the cards on sheet `Schede`, top to bottom.
pub const TERRE_CARDS_OTHER_CODES: [&str; 4] = ["DG.00012", "S8.00001", "S3.00029", "S9.00022"];
/// Activities per card, in the order of [`TERRE_CARDS_S1_CODES`] then
/// [`TERRE_CARDS_OTHER_CODES`].
pub const TERRE_CARDS_ACTIVITY_COUNTS: [(&str, usize); 10] = [
    ("S1.00002", 6),
    ("S1.00010", 5),
    ("S1.00012", 6),
    ("S1.00014", 3),
    ("S1/DG.00012", 1),
    ("S1/SG.00001", 1),
    ("DG.00012", 6),
    ("S8.00001", 5),
    ("S3.00029", 6),
    ("S9.00022", 5),
];
/// S1 `TOTALE` effettivo as printed (51,97): Σ weight × Σ P.E.I / 100, `=` rows count 0.
pub const TERRE_CARDS_S1_EFFETTIVO: f64 = 51.97;
/// S1 `TOTALE` atteso as printed (54,07), from the stored P.A.I.
pub const TERRE_CARDS_S1_ATTESO: f64 = 54.07;
/// S1 atteso when every P.A.I of the scored cards is derived from the month plan (54,39; the
/// stored 10 of S1.00002 act. 6 becomes 11,67). The `=` copies stay 0.
pub const TERRE_CARDS_S1_ATTESO_FROM_MONTH_PLAN: f64 = 54.39;
/// The monitoring month (31/07/2024).
pub const TERRE_CARDS_MONITORING_MONTH: u8 = 7;
/// S8.00001 `Realizzazione` as printed on the card and in the table (92%).
pub const TERRE_CARDS_S8_00001_REALIZZAZIONE: f64 = 92.0;
/// Σ P.E.I of S8.00001's activities (50 + 17 + 10 + 15 + 3.5), which disagrees with it.
pub const TERRE_CARDS_S8_00001_SUM_PEI: f64 = 95.5;
/// Σ P.A.I of S8.00001's activities (= the table's atteso 78,89).
pub const TERRE_CARDS_S8_00001_SUM_PAI: f64 = 78.89;

/// Sheet name of a card: the code with `/` replaced by `-` (`S1/DG.00012` → `S1-DG.00012`).
pub fn terre_card_sheet_name(code: &str) -> String {
    code.replace('/', "-")
}

// ---------------------------------------------------------------------------------------------
// Fixture decisions
// ---------------------------------------------------------------------------------------------

/// How a card's percentages are stored (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TerrePercentStorage {
    /// Text as printed, dot decimals (`1.67%`).
    Text,
    /// Whole percentages as `0%`-formatted numbers, decimal ones as text (`1.67%`).
    ItalianTyping,
    /// Every value a number with a percent format.
    Number,
}

/// How a card's month cells mark a planned or worked month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TerreMonthMark {
    /// The text `O`.
    LetterO,
    /// The text `0`.
    DigitText,
    /// The number 0.
    DigitNumber,
}

/// Percentage storage of a card's cells.
pub fn terre_percent_storage(code: &str) -> TerrePercentStorage {
    match code {
        "S1.00010" | "S1.00014" | "S3.00029" => TerrePercentStorage::Text,
        "S1.00002" | "S1/DG.00012" | "S8.00001" => TerrePercentStorage::ItalianTyping,
        _ => TerrePercentStorage::Number,
    }
}

/// Month mark of a card (also used on sheet `Attività S1`).
pub fn terre_month_mark(code: &str) -> TerreMonthMark {
    match code {
        "S1/DG.00012" => TerreMonthMark::DigitNumber,
        "S1/SG.00001" => TerreMonthMark::DigitText,
        _ => TerreMonthMark::LetterO,
    }
}

/// Text of the (unchecked) `ES` box: `☐`, or `None` for no cell (S8.00001, S9.00022).
pub fn terre_es_text(code: &str) -> Option<&'static str> {
    match code {
        "S8.00001" | "S9.00022" => None,
        _ => Some("☐"),
    }
}

// ---------------------------------------------------------------------------------------------
// Layout
// ---------------------------------------------------------------------------------------------

/// Sheet of the S1 objectives table in [`write_terre_s1_cards`].
pub const TERRE_CARDS_TABLE_SHEET: &str = "S1";
/// Title row of sheet `S1`.
pub const TERRE_CARDS_TABLE_TITLE_ROW: u32 = 0;
/// Header row of sheet `S1`.
pub const TERRE_CARDS_TABLE_HEADER_ROW: u32 = 1;
/// First objective row of sheet `S1`.
pub const TERRE_CARDS_TABLE_FIRST_ROW: u32 = 2;
/// `TOTALE` row of sheet `S1`.
pub const TERRE_CARDS_TABLE_TOTALE_ROW: u32 = 8;
/// Sheet of [`write_terre_other_cards`].
pub const TERRE_CARDS_OTHER_SHEET: &str = "Schede";
/// Blank rows between two cards on sheet `Schede`.
pub const TERRE_CARDS_BLANK_ROWS_BETWEEN_CARDS: u32 = 2;

/// The `Attività` column of the activity header (A).
pub const TERRE_CARDS_COL_ATTIVITA: u16 = 0;
/// `Anno` (B).
pub const TERRE_CARDS_COL_ANNO: u16 = 1;
/// `ES` (C).
pub const TERRE_CARDS_COL_ES: u16 = 2;
/// The unnamed row-kind column (`Previsto` / `Effettivo`, D).
pub const TERRE_CARDS_COL_KIND: u16 = 3;
/// First month column (January, E); December is column 15 (P).
pub const TERRE_CARDS_COL_FIRST_MONTH: u16 = 4;
/// `Peso` (Q).
pub const TERRE_CARDS_COL_PESO: u16 = 16;
/// `P. Finale` (R).
pub const TERRE_CARDS_COL_P_FINALE: u16 = 17;
/// `P.A.I` (S).
pub const TERRE_CARDS_COL_PAI: u16 = 18;
/// `P.E.I` (T).
pub const TERRE_CARDS_COL_PEI: u16 = 19;
/// Last column of the card (T): text rows are merged over columns 0..=19.
pub const TERRE_CARDS_LAST_COL: u16 = 19;
/// Month letters, January to December.
pub const TERRE_CARDS_MONTH_LETTERS: [&str; 12] =
    ["G", "F", "M", "A", "M", "G", "L", "A", "S", "O", "N", "D"];
/// Header of the S1 table (row 1 of sheet `S1`).
pub const TERRE_CARDS_TABLE_HEADER: [&str; 7] = [
    "Obiettivo Esecutivo",
    "Priorità",
    "Peso",
    "Tipo obiettivo",
    "Durata",
    "Esito (monitoraggio)",
    "Esito (consuntivo)",
];
/// The row that opens the activity list of a card.
pub const TERRE_CARDS_ACTIVITIES_LABEL: &str =
    "Attività previste per il raggiungimento dell'obiettivo:";

/// The 20 activity header cells (the 18th, `P. Finale`, as given).
pub fn terre_activity_header(p_finale: &str) -> [String; 20] {
    let mut h: [String; 20] = Default::default();
    h[0] = "Attività".into();
    h[1] = "Anno".into();
    h[2] = "ES".into();
    for (i, l) in TERRE_CARDS_MONTH_LETTERS.iter().enumerate() {
        h[4 + i] = (*l).into();
    }
    h[16] = "Peso".into();
    h[17] = p_finale.into();
    h[18] = "P.A.I".into();
    h[19] = "P.E.I".into();
    h
}

/// One label row of a card's header block.
#[derive(Debug, Clone, PartialEq)]
pub struct TerreLabelRow {
    /// The label in column A, verbatim (`Realizzazione`, `Obiettivo padre:`).
    pub label: String,
    /// The value in column B as printed, if the row has one.
    pub value: Option<String>,
    /// Its row.
    pub row: u32,
}

/// Rows of one activity block.
#[derive(Debug, Clone, PartialEq)]
pub struct TerreActivityLayout {
    /// The 20-column header row.
    pub header_row: u32,
    /// The `Previsto` row.
    pub previsto_row: u32,
    /// The `Effettivo` row.
    pub effettivo_row: u32,
    /// The `Target attesi` label row (its text is on the next row).
    pub target_row: u32,
    /// The `Monitoraggio intermedio` label row (text on the next row).
    pub intermedio_row: u32,
    /// The `Monitoraggio finale` label row (text on the next row).
    pub finale_row: u32,
    /// Columns holding the P.E.I in the `Effettivo` row: `[18]` or `[17, 19]`.
    pub pei_cols: Vec<u16>,
}

/// Where one card lands, and how its values are stored.
#[derive(Debug, Clone, PartialEq)]
pub struct TerreCardLayout {
    /// The card code.
    pub code: String,
    /// The sheet.
    pub sheet: String,
    /// Row of the code (the card's first row); id, title, structure and type follow.
    pub code_row: u32,
    /// Row of `(133)`.
    pub id_row: u32,
    /// Row of the title.
    pub title_row: u32,
    /// Row of the structure line.
    pub struttura_row: u32,
    /// Row of `Tipo obiettivo: … - Grado di strategicità: …`.
    pub tipo_row: u32,
    /// The label rows from `Descrizione obiettivo:` (if any) to `Obiettivo padre:` (if any).
    pub label_rows: Vec<TerreLabelRow>,
    /// Row of `Attività previste per il raggiungimento dell'obiettivo:`.
    pub activities_label_row: u32,
    /// The activity blocks.
    pub activities: Vec<TerreActivityLayout>,
    /// The card's last row (the last `Monitoraggio finale` text).
    pub last_row: u32,
    /// Spelling of the `P. Finale` header.
    pub p_finale_header: String,
    /// Percentage storage.
    pub storage: TerrePercentStorage,
    /// Month marks.
    pub month_mark: TerreMonthMark,
    /// ES box text (`None`: no cell).
    pub es_text: Option<&'static str>,
    /// Whether A..C of the `Previsto` and `Effettivo` rows are merged vertically.
    pub merged_activity_cells: bool,
}

impl TerreCardLayout {
    /// Row of a label (`Realizzazione`, `Obiettivo padre:` …), if the card has it.
    pub fn label_row(&self, label: &str) -> Option<u32> {
        self.label_rows
            .iter()
            .find(|l| l.label == label)
            .map(|l| l.row)
    }
}

fn plan_card(
    card: &TerreCardRecord,
    seed: &TerreSeedLayout,
    sheet: &str,
    first_row: u32,
    merged_activity_cells: bool,
) -> TerreCardLayout {
    assert_eq!(card.code, seed.code);
    assert_eq!(card.activities.len(), seed.activities.len());
    let mut row = first_row + 5;
    let mut label_rows = Vec::new();
    let mut push = |label: &str, value: Option<&str>| {
        label_rows.push(TerreLabelRow {
            label: label.to_string(),
            value: value.map(str::to_string),
            row,
        });
        row += 1;
    };
    if let Some(d) = &card.descrizione_obiettivo {
        push("Descrizione obiettivo:", Some(d));
    }
    push("Validità obiettivo:", Some(&card.validita_obiettivo));
    push(
        "Validità pluriennale obiettivo:",
        Some(&card.validita_pluriennale),
    );
    push(
        "Centro di responsabilità:",
        Some(&card.centro_responsabilita),
    );
    push("DUP Ses:", Some(&card.dup_ses));
    push("Realizzazione", Some(&card.realizzazione));
    if let Some(i) = &card.intermedio {
        push("Intermedio", Some(i));
    }
    if let Some(p) = &card.peso_obiettivo_padre {
        push("Peso dell'obiettivo rispetto a:", None);
        push("Obiettivo padre:", Some(p));
    }
    let activities_label_row = row;
    let mut h = row + 1;
    let mut activities = Vec::new();
    for s in &seed.activities {
        let pei_cols = match s
            .pei_columns
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice()
        {
            ["P.A.I"] => vec![TERRE_CARDS_COL_PAI],
            ["P. Finale", "P.E.I"] => vec![TERRE_CARDS_COL_P_FINALE, TERRE_CARDS_COL_PEI],
            other => panic!("unexpected P.E.I columns {other:?}"),
        };
        activities.push(TerreActivityLayout {
            header_row: h,
            previsto_row: h + 1,
            effettivo_row: h + 2,
            target_row: h + 3,
            intermedio_row: h + 5,
            finale_row: h + 7,
            pei_cols,
        });
        h += 10;
    }
    let last_row = activities
        .last()
        .map(|a| a.finale_row + 1)
        .unwrap_or(activities_label_row);
    TerreCardLayout {
        code: card.code.clone(),
        sheet: sheet.to_string(),
        code_row: first_row,
        id_row: first_row + 1,
        title_row: first_row + 2,
        struttura_row: first_row + 3,
        tipo_row: first_row + 4,
        label_rows,
        activities_label_row,
        activities,
        last_row,
        p_finale_header: seed.p_finale_header.clone(),
        storage: terre_percent_storage(&card.code),
        month_mark: terre_month_mark(&card.code),
        es_text: terre_es_text(&card.code),
        merged_activity_cells,
    }
}

fn card_and_seed<'a>(
    data: &'a TerreCardsData,
    code: &str,
) -> (&'a TerreCardRecord, &'a TerreSeedLayout) {
    let card = data
        .cards
        .iter()
        .find(|c| c.code == code)
        .unwrap_or_else(|| panic!("no card {code}"));
    let seed = data
        .seed_layout
        .iter()
        .find(|s| s.code == code)
        .unwrap_or_else(|| panic!("no seed layout for {code}"));
    (card, seed)
}

/// Layout of the six card sheets of [`write_terre_s1_cards`] (each card from row 0 of its own
/// sheet), in sheet order.
pub fn terre_s1_cards_layout() -> Vec<TerreCardLayout> {
    let data = terre_cards_data();
    TERRE_CARDS_S1_CODES
        .iter()
        .map(|code| {
            let (card, seed) = card_and_seed(&data, code);
            plan_card(card, seed, &terre_card_sheet_name(code), 0, true)
        })
        .collect()
}

/// Layout of the four cards on sheet `Schede` of [`write_terre_other_cards`], top to bottom.
pub fn terre_other_cards_layout() -> Vec<TerreCardLayout> {
    let data = terre_cards_data();
    let mut first = 0;
    let mut out = Vec::new();
    for code in TERRE_CARDS_OTHER_CODES {
        let (card, seed) = card_and_seed(&data, code);
        let l = plan_card(card, seed, TERRE_CARDS_OTHER_SHEET, first, false);
        first = l.last_row + 1 + TERRE_CARDS_BLANK_ROWS_BETWEEN_CARDS;
        out.push(l);
    }
    out
}

/// Sheet of [`write_terre_s1_activity_table`].
pub const TERRE_CARDS_FLAT_SHEET: &str = "Attività S1";
/// Band row (`Previsto` / `Effettivo` over the month groups; other headers merged over rows
/// 0..1).
pub const TERRE_CARDS_FLAT_BAND_ROW: u32 = 0;
/// Month-letter row.
pub const TERRE_CARDS_FLAT_MONTH_ROW: u32 = 1;
/// First activity row.
pub const TERRE_CARDS_FLAT_FIRST_ROW: u32 = 2;
/// `Settore`.
pub const TERRE_CARDS_FLAT_COL_SETTORE: u16 = 0;
/// `Codice`.
pub const TERRE_CARDS_FLAT_COL_CODICE: u16 = 1;
/// `Obiettivo`.
pub const TERRE_CARDS_FLAT_COL_OBIETTIVO: u16 = 2;
/// `Peso obiettivo`.
pub const TERRE_CARDS_FLAT_COL_PESO_OBIETTIVO: u16 = 3;
/// `Esito (monitoraggio)`.
pub const TERRE_CARDS_FLAT_COL_ESITO: u16 = 4;
/// `Attività`.
pub const TERRE_CARDS_FLAT_COL_ATTIVITA: u16 = 5;
/// `Anno`.
pub const TERRE_CARDS_FLAT_COL_ANNO: u16 = 6;
/// `Peso`.
pub const TERRE_CARDS_FLAT_COL_PESO: u16 = 7;
/// First `Previsto` month column (January); December is 19.
pub const TERRE_CARDS_FLAT_COL_PREVISTO: u16 = 8;
/// First `Effettivo` month column (January); December is 31.
pub const TERRE_CARDS_FLAT_COL_EFFETTIVO: u16 = 20;
/// `P.A.I`.
pub const TERRE_CARDS_FLAT_COL_PAI: u16 = 32;
/// `P.E.I`.
pub const TERRE_CARDS_FLAT_COL_PEI: u16 = 33;
/// `Monitoraggio intermedio`.
pub const TERRE_CARDS_FLAT_COL_MONITORAGGIO: u16 = 34;
/// The single-cell headers of sheet `Attività S1` (each merged over rows 0..1), by column.
pub const TERRE_CARDS_FLAT_HEADERS: [(u16, &str); 11] = [
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

/// Rows of one objective on sheet `Attività S1`.
#[derive(Debug, Clone, PartialEq)]
pub struct TerreFlatObjective {
    /// The card code.
    pub code: String,
    /// First activity row.
    pub first_row: u32,
    /// Last activity row (= `first_row` for a single activity: no merge).
    pub last_row: u32,
}

/// Layout of sheet `Attività S1`: one entry per S1 card, in order.
pub fn terre_s1_activity_table_layout() -> Vec<TerreFlatObjective> {
    let data = terre_cards_data();
    let mut row = TERRE_CARDS_FLAT_FIRST_ROW;
    TERRE_CARDS_S1_CODES
        .iter()
        .map(|code| {
            let (card, _) = card_and_seed(&data, code);
            let n = card.activities.len() as u32;
            let o = TerreFlatObjective {
                code: card.code.clone(),
                first_row: row,
                last_row: row + n - 1,
            };
            row += n;
            o
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Percentages
// ---------------------------------------------------------------------------------------------

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// `32.5%` / `32,5%` / `32.5` → 32.5 (points). `None` when the text is not a percentage.
pub fn parse_percent_text(text: &str) -> Option<f64> {
    text.trim()
        .trim_end_matches('%')
        .trim()
        .replace(',', ".")
        .parse()
        .ok()
}

/// A percentage in points as the cards print it: `15%`, `1.67%`, `17.5%` (dot decimals).
pub fn terre_percent_text(points: f64) -> String {
    format!("{points}%")
}

/// `1.67%` → (0.0167 as the double nearest the decimal fraction, `0.00%`).
fn percent_number(text: &str) -> (f64, &'static str) {
    let body = text.trim().trim_end_matches('%');
    let decimals = body.split_once('.').map(|(_, d)| d.len()).unwrap_or(0);
    let value: f64 = format!("{body}e-2").parse().expect("printed percentage");
    let format = match decimals {
        0 => "0%",
        1 => "0.0%",
        _ => "0.00%",
    };
    (value, format)
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

struct Formats {
    title: Format,
    header: Format,
    text: Format,
    wrap: Format,
    label: Format,
    cell: Format,
    centre: Format,
    card_code: Format,
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
            cell,
            card_code: Format::new().set_bold().set_font_size(12),
        }
    }

    fn percent(&self, num_format: &str) -> Format {
        self.cell.clone().set_num_format(num_format)
    }
}

fn fixed_properties(title: &str) -> Result<DocProperties, XlsxError> {
    // A fixed creation date keeps the generated files byte-stable across runs.
    Ok(DocProperties::new()
        .set_title(title)
        .set_company("Unione delle Terre d'Argine")
        .set_author("barometro test fixtures")
        .set_creation_datetime(&ExcelDateTime::from_ymd(2025, 4, 30)?))
}

/// Writes a printed percentage (`54%`, `1.67%`) the way `storage` says.
fn write_percent(
    ws: &mut Worksheet,
    (row, col): (u32, u16),
    printed: &str,
    storage: TerrePercentStorage,
    f: &Formats,
) -> Result<(), XlsxError> {
    let whole = !printed.contains('.');
    let as_number = match storage {
        TerrePercentStorage::Text => false,
        TerrePercentStorage::ItalianTyping => whole,
        TerrePercentStorage::Number => true,
    };
    if as_number {
        let (value, num_format) = percent_number(printed);
        ws.write_number_with_format(row, col, value, &f.percent(num_format))?;
    } else {
        ws.write_string_with_format(row, col, printed, &f.text)?;
    }
    Ok(())
}

fn write_mark(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    mark: TerreMonthMark,
    f: &Formats,
) -> Result<(), XlsxError> {
    match mark {
        TerreMonthMark::LetterO => ws.write_string_with_format(row, col, "O", &f.centre)?,
        TerreMonthMark::DigitText => ws.write_string_with_format(row, col, "0", &f.centre)?,
        TerreMonthMark::DigitNumber => ws.write_number_with_format(row, col, 0.0, &f.centre)?,
    };
    Ok(())
}

/// Height that shows `text` wrapped over a width of about `chars` characters.
fn wrapped_height(text: &str, chars: usize) -> f64 {
    let lines: usize = text
        .split('\n')
        .map(|l| l.chars().count().div_ceil(chars).max(1))
        .sum();
    15.0 * lines.max(1) as f64
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

/// Characters that fit on one line of a text row merged over A..T (the widths above).
const CARD_TEXT_WIDTH: usize = 150;

fn write_card(
    ws: &mut Worksheet,
    card: &TerreCardRecord,
    l: &TerreCardLayout,
    f: &Formats,
    blank_results: bool,
) -> Result<(), XlsxError> {
    ws.write_string_with_format(l.code_row, 0, &card.code, &f.card_code)?;
    ws.write_string(l.id_row, 0, format!("({})", card.internal_id))?;
    ws.write_string_with_format(l.title_row, 0, &card.title, &f.label)?;
    ws.write_string(l.struttura_row, 0, &card.struttura_header)?;
    ws.write_string(
        l.tipo_row,
        0,
        format!(
            "Tipo obiettivo: {} - Grado di strategicità: {}",
            card.tipo_obiettivo, card.grado_strategicita
        ),
    )?;
    for lr in &l.label_rows {
        ws.write_string_with_format(lr.row, 0, &lr.label, &f.label)?;
        let Some(value) = &lr.value else { continue };
        if blank_results && lr.label == "Realizzazione" {
            // The card before the monitoring: a percentage cell with its format but no value
            // where the document stores numbers, no cell at all where it types text.
            if l.storage == TerrePercentStorage::Number {
                ws.write_blank(lr.row, 1, &f.percent(percent_number(value).1))?;
            }
            continue;
        }
        match lr.label.as_str() {
            "Realizzazione" | "Intermedio" | "Obiettivo padre:" => {
                write_percent(ws, (lr.row, 1), value, l.storage, f)?;
            }
            _ => {
                ws.write_string(lr.row, 1, value)?;
            }
        }
    }
    ws.write_string_with_format(
        l.activities_label_row,
        0,
        TERRE_CARDS_ACTIVITIES_LABEL,
        &f.label,
    )?;

    let header = terre_activity_header(&l.p_finale_header);
    for (a, al) in card.activities.iter().zip(&l.activities) {
        for (c, h) in header.iter().enumerate() {
            if h.is_empty() {
                ws.write_blank(al.header_row, c as u16, &f.header)?;
            } else {
                ws.write_string_with_format(al.header_row, c as u16, h, &f.header)?;
            }
        }
        let (p, e) = (al.previsto_row, al.effettivo_row);
        if l.merged_activity_cells {
            ws.merge_range(p, 0, e, 0, &a.attivita, &f.wrap)?;
            ws.merge_range(p, 1, e, 1, "", &f.text)?;
            ws.write_number_with_format(p, 1, f64::from(a.anno), &f.text)?;
            ws.merge_range(p, 2, e, 2, l.es_text.unwrap_or(""), &f.centre)?;
        } else {
            ws.write_string_with_format(p, 0, &a.attivita, &f.wrap)?;
            ws.write_number_with_format(p, 1, f64::from(a.anno), &f.text)?;
            if let Some(es) = l.es_text {
                ws.write_string_with_format(p, 2, es, &f.centre)?;
            }
        }
        ws.write_string_with_format(p, TERRE_CARDS_COL_KIND, "Previsto", &f.text)?;
        ws.write_string_with_format(e, TERRE_CARDS_COL_KIND, "Effettivo", &f.text)?;
        for &m in &a.previsto_mesi {
            write_mark(
                ws,
                p,
                TERRE_CARDS_COL_FIRST_MONTH + u16::from(m) - 1,
                l.month_mark,
                f,
            )?;
        }
        for &m in &a.effettivo_mesi {
            write_mark(
                ws,
                e,
                TERRE_CARDS_COL_FIRST_MONTH + u16::from(m) - 1,
                l.month_mark,
                f,
            )?;
        }
        write_percent(
            ws,
            (p, TERRE_CARDS_COL_PESO),
            &terre_percent_text(a.peso),
            l.storage,
            f,
        )?;
        if !blank_results {
            write_percent(
                ws,
                (p, TERRE_CARDS_COL_PAI),
                &terre_percent_text(a.pai),
                l.storage,
                f,
            )?;
        } else if l.storage == TerrePercentStorage::Number {
            let format = percent_number(&terre_percent_text(a.pai)).1;
            ws.write_blank(p, TERRE_CARDS_COL_PAI, &f.percent(format))?;
        }
        for &c in &al.pei_cols {
            write_percent(ws, (e, c), &terre_percent_text(a.pei), l.storage, f)?;
        }
        // Rows taller than one line so that long activity texts stay readable.
        let h = wrapped_height(&a.attivita, 60).max(30.0) / 2.0;
        ws.set_row_height(p, h)?;
        ws.set_row_height(e, h)?;

        for (label_row, label, text) in [
            (al.target_row, "Target attesi", &a.target_attesi),
            (
                al.intermedio_row,
                "Monitoraggio intermedio",
                &a.monitoraggio_intermedio,
            ),
            (al.finale_row, "Monitoraggio finale", &a.monitoraggio_finale),
        ] {
            ws.write_string_with_format(label_row, 0, label, &f.label)?;
            ws.merge_range(
                label_row + 1,
                0,
                label_row + 1,
                TERRE_CARDS_LAST_COL,
                text,
                &f.wrap,
            )?;
            ws.set_row_height(label_row + 1, wrapped_height(text, CARD_TEXT_WIDTH))?;
        }
    }
    Ok(())
}

fn write_s1_table(ws: &mut Worksheet, data: &TerreCardsData, f: &Formats) -> Result<(), XlsxError> {
    let t = &data.s1_table;
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_column_width(0, 70.0)?;
    ws.set_column_width(1, 10.0)?;
    ws.set_column_width(2, 8.0)?;
    ws.set_column_width(3, 16.0)?;
    ws.set_column_width(4, 24.0)?;
    ws.set_column_width(5, 20.0)?;
    ws.set_column_width(6, 14.0)?;
    ws.merge_range(
        TERRE_CARDS_TABLE_TITLE_ROW,
        0,
        TERRE_CARDS_TABLE_TITLE_ROW,
        6,
        &t.title,
        &f.title,
    )?;
    for (c, h) in t.header.iter().enumerate() {
        ws.write_string_with_format(TERRE_CARDS_TABLE_HEADER_ROW, c as u16, h, &f.header)?;
    }
    ws.set_row_height(TERRE_CARDS_TABLE_HEADER_ROW, 30.0)?;
    let pct0 = f.percent("0%");
    for (i, r) in t.rows.iter().chain(std::iter::once(&t.totale)).enumerate() {
        let row = TERRE_CARDS_TABLE_FIRST_ROW + i as u32;
        let cells = [
            &r.obiettivo_esecutivo,
            &r.priorita,
            &r.peso,
            &r.tipo_obiettivo,
            &r.durata,
            &r.esito_monitoraggio,
            &r.esito_consuntivo,
        ];
        for (c, text) in cells.iter().enumerate() {
            let c = c as u16;
            if c == 2 {
                ws.write_number_with_format(row, c, r.weight() / 100.0, &pct0)?;
            } else if text.is_empty() {
                ws.write_blank(row, c, &f.text)?;
            } else if c == 0 {
                ws.write_string_with_format(row, c, *text, &f.wrap)?;
                ws.set_row_height(row, wrapped_height(text, 75))?;
            } else {
                ws.write_string_with_format(row, c, *text, &f.text)?;
            }
        }
    }
    Ok(())
}

/// Writes sheet `S1` (the sector's objectives table) and one sheet per S1 card, named after
/// the code (`S1.00002`, …, `S1-DG.00012`, `S1-SG.00001`). See the module docs for the layout.
pub fn write_terre_s1_cards(path: &Path) -> Result<(), XlsxError> {
    write_terre_s1_cards_sheets(path, false)
}

/// [`write_terre_s1_cards`] with every card's `Realizzazione` and every activity's `P.A.I` left
/// to fill (a formatted blank cell, or no cell where the document types percentages as text):
/// the cards as an office keeps them before the results are written in (`barometro fill`).
pub fn write_terre_s1_cards_blank_results(path: &Path) -> Result<(), XlsxError> {
    write_terre_s1_cards_sheets(path, true)
}

fn write_terre_s1_cards_sheets(path: &Path, blank_results: bool) -> Result<(), XlsxError> {
    let data = terre_cards_data();
    let f = Formats::new();
    let mut wb = Workbook::new();
    wb.set_properties(&fixed_properties(
        "Schede obiettivo S1 - Monitoraggio al 31/07/2024",
    )?);
    let ws = wb.add_worksheet();
    ws.set_name(TERRE_CARDS_TABLE_SHEET)?;
    write_s1_table(ws, &data, &f)?;
    for l in terre_s1_cards_layout() {
        let (card, _) = card_and_seed(&data, &l.code);
        let ws = wb.add_worksheet();
        ws.set_name(&l.sheet)?;
        ws.set_landscape();
        ws.set_print_fit_to_pages(1, 0);
        set_card_widths(ws)?;
        write_card(ws, card, &l, &f, blank_results)?;
    }
    wb.save(path)
}

/// Writes DG.00012, S8.00001, S3.00029 and S9.00022 one after the other on sheet `Schede`, two
/// blank rows between cards. See the module docs for the layout.
pub fn write_terre_other_cards(path: &Path) -> Result<(), XlsxError> {
    let data = terre_cards_data();
    let f = Formats::new();
    let mut wb = Workbook::new();
    wb.set_properties(&fixed_properties(
        "Schede obiettivo - Monitoraggio al 31/07/2024",
    )?);
    let ws = wb.add_worksheet();
    ws.set_name(TERRE_CARDS_OTHER_SHEET)?;
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    set_card_widths(ws)?;
    for l in terre_other_cards_layout() {
        let (card, _) = card_and_seed(&data, &l.code);
        write_card(ws, card, &l, &f, false)?;
    }
    wb.save(path)
}

/// Writes the S1 activities as one flat table on sheet `Attività S1` (two-row header with the
/// `Previsto` / `Effettivo` month bands between `Peso` and `P.A.I`, objective cells merged
/// vertically). See the module docs for the layout.
pub fn write_terre_s1_activity_table(path: &Path) -> Result<(), XlsxError> {
    let data = terre_cards_data();
    let f = Formats::new();
    let mut wb = Workbook::new();
    wb.set_properties(&fixed_properties(
        "Attività S1 - Monitoraggio al 31/07/2024",
    )?);
    let ws = wb.add_worksheet();
    ws.set_name(TERRE_CARDS_FLAT_SHEET)?;
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
        (32, 8.0),
        (33, 8.0),
        (34, 70.0),
    ] {
        ws.set_column_width(c, w)?;
    }
    for c in TERRE_CARDS_FLAT_COL_PREVISTO..TERRE_CARDS_FLAT_COL_PAI {
        ws.set_column_width(c, 3.0)?;
    }

    let (band, months) = (TERRE_CARDS_FLAT_BAND_ROW, TERRE_CARDS_FLAT_MONTH_ROW);
    for (c, h) in TERRE_CARDS_FLAT_HEADERS {
        ws.merge_range(band, c, months, c, h, &f.header)?;
    }
    for (first, label) in [
        (TERRE_CARDS_FLAT_COL_PREVISTO, "Previsto"),
        (TERRE_CARDS_FLAT_COL_EFFETTIVO, "Effettivo"),
    ] {
        ws.merge_range(band, first, band, first + 11, label, &f.header)?;
        for (i, l) in TERRE_CARDS_MONTH_LETTERS.iter().enumerate() {
            ws.write_string_with_format(months, first + i as u16, *l, &f.header)?;
        }
    }
    ws.set_freeze_panes(TERRE_CARDS_FLAT_FIRST_ROW, 0)?;

    let pct0 = f.percent("0%");
    let pct2 = f.percent("0.00%");
    let sector = &data.s1_table.title;
    for o in terre_s1_activity_table_layout() {
        let (card, _) = card_and_seed(&data, &o.code);
        let (a, b) = (o.first_row, o.last_row);
        let weight = card.table_row.weight() / 100.0;
        let texts = [
            (TERRE_CARDS_FLAT_COL_SETTORE, sector.as_str()),
            (TERRE_CARDS_FLAT_COL_CODICE, card.code.as_str()),
            (TERRE_CARDS_FLAT_COL_OBIETTIVO, card.title.as_str()),
            (
                TERRE_CARDS_FLAT_COL_ESITO,
                card.table_row.esito_monitoraggio.as_str(),
            ),
        ];
        for (c, text) in texts {
            if b > a {
                ws.merge_range(a, c, b, c, text, &f.wrap)?;
            } else {
                ws.write_string_with_format(a, c, text, &f.wrap)?;
            }
        }
        if b > a {
            ws.merge_range(
                a,
                TERRE_CARDS_FLAT_COL_PESO_OBIETTIVO,
                b,
                TERRE_CARDS_FLAT_COL_PESO_OBIETTIVO,
                "",
                &pct0,
            )?;
        }
        ws.write_number_with_format(a, TERRE_CARDS_FLAT_COL_PESO_OBIETTIVO, weight, &pct0)?;

        let mark = terre_month_mark(&card.code);
        for (i, act) in card.activities.iter().enumerate() {
            let row = a + i as u32;
            ws.write_string_with_format(
                row,
                TERRE_CARDS_FLAT_COL_ATTIVITA,
                &act.attivita,
                &f.wrap,
            )?;
            ws.write_number_with_format(
                row,
                TERRE_CARDS_FLAT_COL_ANNO,
                f64::from(act.anno),
                &f.text,
            )?;
            let (peso, _) = percent_number(&terre_percent_text(act.peso));
            ws.write_number_with_format(row, TERRE_CARDS_FLAT_COL_PESO, peso, &pct0)?;
            for &m in &act.previsto_mesi {
                write_mark(
                    ws,
                    row,
                    TERRE_CARDS_FLAT_COL_PREVISTO + u16::from(m) - 1,
                    mark,
                    &f,
                )?;
            }
            for &m in &act.effettivo_mesi {
                write_mark(
                    ws,
                    row,
                    TERRE_CARDS_FLAT_COL_EFFETTIVO + u16::from(m) - 1,
                    mark,
                    &f,
                )?;
            }
            let (pai, _) = percent_number(&terre_percent_text(act.pai));
            let (pei, _) = percent_number(&terre_percent_text(act.pei));
            ws.write_number_with_format(row, TERRE_CARDS_FLAT_COL_PAI, pai, &pct2)?;
            ws.write_number_with_format(row, TERRE_CARDS_FLAT_COL_PEI, pei, &pct2)?;
            ws.write_string_with_format(
                row,
                TERRE_CARDS_FLAT_COL_MONITORAGGIO,
                &act.monitoraggio_intermedio,
                &f.wrap,
            )?;
            let h = wrapped_height(&act.monitoraggio_intermedio, 70)
                .max(wrapped_height(&act.attivita, 50));
            ws.set_row_height(row, h)?;
        }
    }
    wb.save(path)
}
