//! Fixtures built from two real documents (see `tests/data/README.md`):
//!
//! - **Cremona**, *Stato di attuazione degli Obiettivi 2024* (results): 10 strategic lines,
//!   82 objectives, 140 indicator rows (`tests/data/cremona.jsonl`, `cremona_lines.json`);
//! - **Portomaggiore**, *Allegato 1 al PIAO 2024-2026* (plan): 4 sector blocks with two header
//!   bands, 16 columns, repeated page headers and a `totale` row (`tests/data/portomaggiore.json`).
//!
//! The `write_*` builders lay the data out the way a real office's workbook looks (title rows,
//! banners, merged cells, headers repeated at simulated page breaks, numbers stored as text,
//! percentages as numbers…), so that the reader under test meets all of it.
//!
//! Used by tests as `mod common; use common::fixtures::*;` and by examples/benches as
//! `#[path = "../tests/common/fixtures.rs"] mod fixtures;`.
//!
//! Row and column indices in the public layout helpers are 0-based, as in `rust_xlsxwriter`
//! and `calamine`.
#![allow(dead_code)]

use std::path::Path;

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};
use serde::Deserialize;
use serde_json::Value;

const CREMONA_JSONL: &str = include_str!("../data/cremona.jsonl");
const CREMONA_LINES_JSON: &str = include_str!("../data/cremona_lines.json");
const PORTOMAGGIORE_JSON: &str = include_str!("../data/portomaggiore.json");

// ---------------------------------------------------------------------------------------------
// Cremona: data
// ---------------------------------------------------------------------------------------------

/// The 13 column headings of the Cremona table, verbatim.
pub const CREMONA_HEADER: [&str; 13] = [
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

/// Municipality title in row 1 of every sheet written by [`write_cremona`].
pub const CREMONA_TITLE: &str = "COMUNE DI CREMONA";
/// Running title in row 2 of every sheet written by [`write_cremona`].
pub const CREMONA_SUBTITLE: &str = "Relazione sulla Performance 2024";
/// Banner label in row 4 of every sheet written by [`write_cremona`].
pub const CREMONA_BANNER_LABEL: &str = "% Raggiungimento obiettivi per area strategica";
/// Row of the line heading (`LINEA STRATEGICA …`) in [`write_cremona`] (0-based: row 3).
pub const CREMONA_HEADING_ROW: u32 = 2;
/// Row of the banner (`92,30%` as text or 0.923 as a number) in [`write_cremona`] (row 5).
pub const CREMONA_BANNER_ROW: u32 = 4;
/// First table header row in every sheet of [`write_cremona`] (0-based: Excel row 7).
pub const CREMONA_HEADER_ROW: u32 = 6;
/// A simulated page break is inserted at the first objective boundary after this many rows.
pub const CREMONA_PAGE_ROWS: usize = 10;

/// Sheet name used by [`write_cremona_single_sheet`].
pub const CREMONA_SINGLE_SHEET: &str = "Obiettivi 2024";
/// The single title row of [`write_cremona_single_sheet`] (row 0).
pub const CREMONA_SINGLE_TITLE: &str =
    "Comune di Cremona - Stato di attuazione degli Obiettivi 2024";
/// Extra first column of [`write_cremona_single_sheet`].
pub const CREMONA_SINGLE_LINE_COLUMN: &str = "Linea strategica";
/// Header row of [`write_cremona_single_sheet`] (0-based: Excel row 2).
pub const CREMONA_SINGLE_HEADER_ROW: u32 = 1;

/// One indicator row of the Cremona document (one line of `cremona.jsonl`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CremonaRow {
    /// Line of the seed text (004) the row was transcribed from.
    pub src_line: u32,
    /// Heading of the strategic line, verbatim upper case (`LINEA STRATEGICA SULL'AMBIENTE`).
    pub linea: String,
    /// Sector (forward-filled).
    pub settore: String,
    /// Objective number, 1–82 in document order.
    pub obj_id: u32,
    pub obiettivo: String,
    /// Long definition of the objective; non-empty only on the objective's first row.
    pub definizione: String,
    pub indicatore: String,
    pub formula: String,
    pub finalita: String,
    pub target_atteso: f64,
    pub target_consuntivo: f64,
    pub scostamento: f64,
    pub peso: u32,
    pub perc_ragg: u32,
    /// Printed text when the document used an Italian thousands separator (`3.800`).
    #[serde(default)]
    pub target_atteso_raw: Option<String>,
    #[serde(default)]
    pub target_consuntivo_raw: Option<String>,
    /// Neutralisation note (objective 15, first row only).
    #[serde(default)]
    pub note: Option<String>,
    /// True on both rows of the neutralised objective 15.
    #[serde(default)]
    pub neutralizzato: bool,
}

/// One strategic line of the Cremona document with the figures printed in it.
#[derive(Debug, Clone, PartialEq)]
pub struct CremonaLine {
    /// Heading, verbatim upper case (`LINEA STRATEGICA SULL'AMBIENTE`, `OBIETTIVI DI MANDATO`).
    pub heading: String,
    /// Printed banner (`100,00%`, `92,30%`).
    pub banner_text: String,
    /// Banner value in percent (100.00, 92.30).
    pub banner: f64,
    /// Active (not neutralised) objectives.
    pub objectives: usize,
    /// Neutralised objectives.
    pub neutralised: usize,
    /// Indicator rows (including those of neutralised objectives).
    pub indicators: usize,
}

#[derive(Debug, Deserialize)]
struct CremonaLineJson {
    heading: String,
    sheet: String,
    banner_text: String,
    banner: f64,
    objectives: usize,
    neutralised: usize,
    indicators: usize,
}

fn cremona_lines_json() -> Vec<CremonaLineJson> {
    serde_json::from_str(CREMONA_LINES_JSON).expect("tests/data/cremona_lines.json is valid")
}

/// The 140 indicator rows, in document order.
pub fn cremona_rows() -> Vec<CremonaRow> {
    CREMONA_JSONL
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("tests/data/cremona.jsonl is valid"))
        .collect()
}

/// The 10 strategic lines, in document order.
pub fn cremona_lines() -> Vec<CremonaLine> {
    cremona_lines_json()
        .into_iter()
        .map(|l| CremonaLine {
            heading: l.heading,
            banner_text: l.banner_text,
            banner: l.banner,
            objectives: l.objectives,
            neutralised: l.neutralised,
            indicators: l.indicators,
        })
        .collect()
}

/// Sheet names used by [`write_cremona`], one per line, in document order.
pub fn cremona_sheet_names() -> Vec<String> {
    cremona_lines_json().into_iter().map(|l| l.sheet).collect()
}

// ---------------------------------------------------------------------------------------------
// Layout description shared by both documents
// ---------------------------------------------------------------------------------------------

/// Where things land in one written worksheet (0-based rows).
#[derive(Debug, Clone, PartialEq)]
pub struct SheetLayout {
    pub sheet: String,
    /// Every table header row, the first one and those repeated at simulated page breaks.
    pub header_rows: Vec<u32>,
    /// One entry per data row, in the order of [`cremona_rows`] (restricted to the sheet's
    /// line) or of [`portomaggiore_rows`] (restricted to the sector).
    pub data_rows: Vec<u32>,
    /// The `totale` row (Portomaggiore only).
    pub totale_row: Option<u32>,
}

/// A run of data rows between two header rows.
struct Segment<'a> {
    first_row: u32,
    rows: Vec<&'a CremonaRow>,
}

struct CremonaPlan<'a> {
    header_rows: Vec<u32>,
    segments: Vec<Segment<'a>>,
}

/// Splits consecutive rows into groups with the same key.
fn runs<T, K: PartialEq>(items: &[T], key: impl Fn(&T) -> K) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=items.len() {
        if i == items.len() || key(&items[i]) != key(&items[start]) {
            if start < items.len() {
                out.push((start, i));
            }
            start = i;
        }
    }
    out
}

/// Places the rows of one line: header at [`CREMONA_HEADER_ROW`], then data; once a page holds
/// [`CREMONA_PAGE_ROWS`] rows, the next objective starts after an empty row and a repeated header.
fn plan_cremona<'a>(rows: &[&'a CremonaRow]) -> CremonaPlan<'a> {
    let mut header_rows = vec![CREMONA_HEADER_ROW];
    let mut r = CREMONA_HEADER_ROW + 1;
    let mut segments = vec![Segment {
        first_row: r,
        rows: Vec::new(),
    }];
    for (a, b) in runs(rows, |x| x.obj_id) {
        let current = segments.last().expect("one segment at least");
        if current.rows.len() >= CREMONA_PAGE_ROWS {
            r += 1; // empty row at the bottom of the "page"
            header_rows.push(r);
            r += 1;
            segments.push(Segment {
                first_row: r,
                rows: Vec::new(),
            });
        }
        let current = segments.last_mut().expect("one segment at least");
        current.rows.extend_from_slice(&rows[a..b]);
        r += (b - a) as u32;
    }
    CremonaPlan {
        header_rows,
        segments,
    }
}

fn rows_of_line<'a>(rows: &'a [CremonaRow], heading: &str) -> Vec<&'a CremonaRow> {
    rows.iter().filter(|r| r.linea == heading).collect()
}

/// Layout of every sheet written by [`write_cremona`], in sheet order.
pub fn cremona_layout() -> Vec<SheetLayout> {
    let rows = cremona_rows();
    cremona_lines_json()
        .iter()
        .map(|line| {
            let line_rows = rows_of_line(&rows, &line.heading);
            let plan = plan_cremona(&line_rows);
            let data_rows = plan
                .segments
                .iter()
                .flat_map(|s| (0..s.rows.len() as u32).map(move |i| s.first_row + i))
                .collect();
            SheetLayout {
                sheet: line.sheet.clone(),
                header_rows: plan.header_rows,
                data_rows,
                totale_row: None,
            }
        })
        .collect()
}

/// Layout of the sheet written by [`write_cremona_single_sheet`].
pub fn cremona_single_sheet_layout() -> SheetLayout {
    let n = cremona_rows().len() as u32;
    SheetLayout {
        sheet: CREMONA_SINGLE_SHEET.to_string(),
        header_rows: vec![CREMONA_SINGLE_HEADER_ROW],
        data_rows: (CREMONA_SINGLE_HEADER_ROW + 1..CREMONA_SINGLE_HEADER_ROW + 1 + n).collect(),
        totale_row: None,
    }
}

// ---------------------------------------------------------------------------------------------
// Cremona: writers
// ---------------------------------------------------------------------------------------------

struct CremonaFormats {
    title: Format,
    heading: Format,
    plain: Format,
    banner_text: Format,
    banner_pct: Format,
    header: Format,
    text: Format,
    merged: Format,
    number: Format,
    percent0: Format,
}

impl CremonaFormats {
    fn new() -> Self {
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Top);
        CremonaFormats {
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
            merged: cell.clone().set_text_wrap(),
            number: cell.clone(),
            percent0: cell.set_num_format("0%"),
        }
    }
}

/// `8,16%` → (0.0816, 2 decimals). The value is the double nearest to the decimal fraction, as
/// Excel stores a typed `8,16%` (dividing 8.16 by 100 in f64 would not give that double).
fn parse_it_percent(text: &str) -> (f64, usize) {
    let body = text.trim().trim_end_matches('%');
    let decimals = body.split_once(',').map(|(_, d)| d.len()).unwrap_or(0);
    let value: f64 = format!("{}e-2", body.replace('.', "").replace(',', "."))
        .parse()
        .expect("printed percentage in Italian format");
    (value, decimals)
}

fn fixed_properties(title: &str, company: &str) -> Result<DocProperties, XlsxError> {
    // A fixed creation date keeps the generated files byte-stable across runs.
    Ok(DocProperties::new()
        .set_title(title)
        .set_company(company)
        .set_author("barometro test fixtures")
        .set_creation_datetime(&ExcelDateTime::from_ymd(2025, 4, 30)?))
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

/// Writes `text` over rows `first..=last` of one column: merged when it spans several rows.
fn write_vertical(
    ws: &mut Worksheet,
    (first, last): (u32, u32),
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

fn write_cremona_header(
    ws: &mut Worksheet,
    row: u32,
    offset: u16,
    f: &CremonaFormats,
) -> Result<(), XlsxError> {
    for (i, h) in CREMONA_HEADER.iter().enumerate() {
        ws.write_string_with_format(row, offset + i as u16, *h, &f.header)?;
    }
    Ok(())
}

fn set_cremona_widths(ws: &mut Worksheet, offset: u16) -> Result<(), XlsxError> {
    let widths = [
        30.0, 40.0, 60.0, 36.0, 36.0, 36.0, 11.0, 11.0, 11.0, 30.0, 8.0, 8.0, 11.0,
    ];
    for (i, w) in widths.iter().enumerate() {
        ws.set_column_width(offset + i as u16, *w)?;
    }
    Ok(())
}

/// Columns 3–12 of one indicator row (Indicatore … Barometro), shifted by `offset`.
fn write_cremona_indicator(
    ws: &mut Worksheet,
    row: u32,
    offset: u16,
    r: &CremonaRow,
    peso_as_fraction: bool,
    blank_achievement: bool,
    f: &CremonaFormats,
) -> Result<(), XlsxError> {
    let c = |i: u16| offset + i;
    write_text_or_blank(ws, row, c(3), &r.indicatore, &f.text)?;
    write_text_or_blank(ws, row, c(4), &r.formula, &f.text)?;
    write_text_or_blank(ws, row, c(5), &r.finalita, &f.text)?;
    match &r.target_atteso_raw {
        Some(raw) => ws.write_string_with_format(row, c(6), raw, &f.number)?,
        None => ws.write_number_with_format(row, c(6), r.target_atteso, &f.number)?,
    };
    match &r.target_consuntivo_raw {
        Some(raw) => ws.write_string_with_format(row, c(7), raw, &f.number)?,
        None => ws.write_number_with_format(row, c(7), r.target_consuntivo, &f.number)?,
    };
    ws.write_number_with_format(row, c(8), r.scostamento, &f.number)?;
    write_text_or_blank(ws, row, c(9), r.note.as_deref().unwrap_or(""), &f.text)?;
    if peso_as_fraction {
        ws.write_number_with_format(row, c(10), f64::from(r.peso) / 100.0, &f.percent0)?;
    } else {
        ws.write_number_with_format(row, c(10), f64::from(r.peso), &f.number)?;
    }
    if blank_achievement {
        ws.write_blank(row, c(11), &f.number)?;
    } else {
        ws.write_number_with_format(row, c(11), f64::from(r.perc_ragg), &f.number)?;
    }
    ws.write_blank(row, c(12), &f.number)?; // Barometro: a graphic in the source, empty here
    Ok(())
}

/// Writes the Cremona document as one worksheet per strategic line (see the module docs of the
/// test suite for the exact layout): title rows, banner (text on odd lines, a `0.00%` number on
/// even lines), header in row 7, merged Settore/Obiettivo/Definizione, simulated page breaks with
/// a repeated header and an empty Settore cell where the sector continues, targets with Italian
/// thousands separators stored as text, Peso as `0%`-formatted fractions on `Obiettivi di mandato`.
pub fn write_cremona(path: &Path) -> Result<(), XlsxError> {
    write_cremona_sheets(path, &cremona_rows(), false)
}

/// [`write_cremona`] with every `% Ragg` cell blank (styled, no value): the table as an office
/// keeps it before the results are written in (`barometro fill`).
pub fn write_cremona_blank_achievement(path: &Path) -> Result<(), XlsxError> {
    write_cremona_sheets(path, &cremona_rows(), true)
}

/// Writes the Cremona document as [`write_cremona`] does, from `rows` (the 140 rows of
/// [`cremona_rows`], possibly with changed values: a later monitoring of the same plan).
pub fn write_cremona_rows(path: &Path, rows: &[CremonaRow]) -> Result<(), XlsxError> {
    write_cremona_sheets(path, rows, false)
}

fn write_cremona_sheets(
    path: &Path,
    rows: &[CremonaRow],
    blank_achievement: bool,
) -> Result<(), XlsxError> {
    let lines = cremona_lines_json();
    let f = CremonaFormats::new();
    let mut wb = Workbook::new();
    wb.set_properties(&fixed_properties(
        "Stato di attuazione degli Obiettivi 2024",
        "Comune di Cremona",
    )?);

    for (idx, line) in lines.iter().enumerate() {
        let line_rows = rows_of_line(rows, &line.heading);
        let plan = plan_cremona(&line_rows);
        let peso_as_fraction = line.heading == "OBIETTIVI DI MANDATO";
        let ws = wb.add_worksheet();
        ws.set_name(&line.sheet)?;
        ws.set_landscape();
        ws.set_print_fit_to_pages(1, 0);
        set_cremona_widths(ws, 0)?;

        ws.merge_range(0, 0, 0, 12, CREMONA_TITLE, &f.title)?;
        ws.write_string_with_format(1, 0, CREMONA_SUBTITLE, &f.plain)?;
        ws.merge_range(
            CREMONA_HEADING_ROW,
            0,
            CREMONA_HEADING_ROW,
            12,
            &line.heading,
            &f.heading,
        )?;
        ws.write_string_with_format(3, 0, CREMONA_BANNER_LABEL, &f.plain)?;
        if idx % 2 == 0 {
            // lines 1, 3, 5, … (odd-numbered): the banner as printed text
            ws.write_string_with_format(CREMONA_BANNER_ROW, 0, &line.banner_text, &f.banner_text)?;
        } else {
            let (value, _) = parse_it_percent(&line.banner_text);
            ws.write_number_with_format(CREMONA_BANNER_ROW, 0, value, &f.banner_pct)?;
        }

        for &h in &plan.header_rows {
            write_cremona_header(ws, h, 0, &f)?;
        }
        let breaks: Vec<u32> = plan.header_rows.iter().skip(1).copied().collect();
        if !breaks.is_empty() {
            ws.set_page_breaks(&breaks)?;
        }

        let mut previous_settore: Option<&str> = None;
        for seg in &plan.segments {
            // Settore: merged over consecutive rows of the same sector, within the page.
            for (k, (a, b)) in runs(&seg.rows, |r| r.settore.clone())
                .into_iter()
                .enumerate()
            {
                let span = (seg.first_row + a as u32, seg.first_row + b as u32 - 1);
                let settore = seg.rows[a].settore.as_str();
                if k == 0 && previous_settore == Some(settore) {
                    // Sector continues from the previous page: its cell stays empty here.
                    for r in span.0..=span.1 {
                        ws.write_blank(r, 0, &f.merged)?;
                    }
                } else {
                    write_vertical(ws, span, 0, settore, &f.merged)?;
                }
            }
            // Obiettivo and Definizione: merged over the objective's rows.
            for (a, b) in runs(&seg.rows, |r| r.obj_id) {
                let span = (seg.first_row + a as u32, seg.first_row + b as u32 - 1);
                let first = seg.rows[a];
                write_vertical(ws, span, 1, &first.obiettivo, &f.merged)?;
                write_vertical(ws, span, 2, &first.definizione, &f.merged)?;
            }
            for (i, r) in seg.rows.iter().enumerate() {
                let row = seg.first_row + i as u32;
                write_cremona_indicator(ws, row, 0, r, peso_as_fraction, blank_achievement, &f)?;
            }
            previous_settore = seg.rows.last().map(|r| r.settore.as_str());
        }
    }
    wb.save(path)
}

/// Writes the 140 Cremona rows on one flat sheet (`Obiettivi 2024`): a title row, the header
/// (`Linea strategica` + the 13 columns) in row 2, one row per indicator with every group
/// column repeated on every row, no merges, no banners, no repeated headers.
pub fn write_cremona_single_sheet(path: &Path) -> Result<(), XlsxError> {
    let rows = cremona_rows();
    let f = CremonaFormats::new();
    let mut wb = Workbook::new();
    wb.set_properties(&fixed_properties(
        "Stato di attuazione degli Obiettivi 2024",
        "Comune di Cremona",
    )?);
    let ws = wb.add_worksheet();
    ws.set_name(CREMONA_SINGLE_SHEET)?;
    ws.set_landscape();
    ws.set_column_width(0, 40.0)?;
    set_cremona_widths(ws, 1)?;
    ws.write_string_with_format(0, 0, CREMONA_SINGLE_TITLE, &f.heading)?;
    ws.write_string_with_format(
        CREMONA_SINGLE_HEADER_ROW,
        0,
        CREMONA_SINGLE_LINE_COLUMN,
        &f.header,
    )?;
    write_cremona_header(ws, CREMONA_SINGLE_HEADER_ROW, 1, &f)?;
    ws.set_freeze_panes(CREMONA_SINGLE_HEADER_ROW + 1, 0)?;
    for (i, r) in rows.iter().enumerate() {
        let row = CREMONA_SINGLE_HEADER_ROW + 1 + i as u32;
        ws.write_string_with_format(row, 0, &r.linea, &f.text)?;
        ws.write_string_with_format(row, 1, &r.settore, &f.text)?;
        ws.write_string_with_format(row, 2, &r.obiettivo, &f.text)?;
        // The definition is printed once per objective in the source; a flat export repeats it.
        let definizione = rows
            .iter()
            .find(|x| x.obj_id == r.obj_id)
            .map(|x| x.definizione.as_str())
            .unwrap_or("");
        write_text_or_blank(ws, row, 3, definizione, &f.text)?;
        write_cremona_indicator(ws, row, 1, r, false, false, &f)?;
    }
    wb.save(path)
}

// ---------------------------------------------------------------------------------------------
// Portomaggiore: data
// ---------------------------------------------------------------------------------------------

/// Sheet names used by [`write_portomaggiore`], in order.
pub const PORTOMAGGIORE_SHEETS: [&str; 4] = ["STAFF", "SAP", "FIN", "TEC"];
/// Header row of the first page of the first sheet (`STAFF`), below the document title block.
pub const PORTOMAGGIORE_FIRST_SHEET_HEADER_ROW: u32 = 6;
/// Header row of the first page of the other sheets.
pub const PORTOMAGGIORE_HEADER_ROW: u32 = 4;

/// Expected figures of one Portomaggiore sector block.
#[derive(Debug, Clone, PartialEq)]
pub struct PortomaggioreSector {
    /// `STAFF`, `SAP`, `FIN`, `TEC`.
    pub code: String,
    /// Title block lines, verbatim (`OBIETTIVI GESTIONALI`, `ASSEGNATI AL SETTORE`, …).
    pub title_lines: Vec<String>,
    /// Rows with a non-empty objective cell (column 9).
    pub objectives: usize,
    /// Sum of the priorities that survive in the text.
    pub priority_sum_present: u32,
    /// Priority total printed in the `totale` row.
    pub declared_total: u32,
}

/// One data row of a Portomaggiore sector block as written by [`write_portomaggiore`].
#[derive(Debug, Clone, PartialEq)]
pub struct PortomaggioreRow {
    /// Sector code.
    pub sector: String,
    /// Page of the sector block (0-based; each page repeats the bands and the header).
    pub page: usize,
    /// Line of the seed text (003).
    pub src_line: u32,
    /// Columns 1–14 as text (`""` = empty cell; columns 1–8 only where a merged cell starts).
    pub texts: Vec<String>,
    /// Column 15: Giunta priority.
    pub priority: Option<u32>,
    /// Column 16: relative weight as printed (`20,8333%`, `8,16%`).
    pub weight_text: Option<String>,
}

impl PortomaggioreRow {
    /// The management objective (column 9), if the row has one.
    pub fn objective(&self) -> Option<&str> {
        Some(self.texts[8].as_str()).filter(|s| !s.is_empty())
    }
}

#[derive(Debug, Deserialize)]
struct PortoJson {
    document_title: Vec<String>,
    sectors: Vec<PortoSectorJson>,
}

#[derive(Debug, Deserialize)]
struct PortoSectorJson {
    code: String,
    title_lines: Vec<String>,
    /// `text` (STAFF, SAP) or `percent` (FIN, TEC).
    weight_cells: String,
    pages: Vec<PortoPageJson>,
    totale: PortoTotaleJson,
    expected: PortoExpectedJson,
}

#[derive(Debug, Deserialize)]
struct PortoPageJson {
    band1: Vec<String>,
    band2: Vec<String>,
    header: Vec<String>,
    rows: Vec<PortoRowJson>,
}

#[derive(Debug, Deserialize)]
struct PortoRowJson {
    src_line: u32,
    cells: Vec<Value>,
}

#[derive(Debug, Deserialize)]
struct PortoTotaleJson {
    /// 1-based column holding the word `totale`.
    label_column: usize,
    cells: Vec<Value>,
}

#[derive(Debug, Deserialize)]
struct PortoExpectedJson {
    objective_rows: usize,
    priority_sum_present: u32,
    declared_total: u32,
}

fn porto_json() -> PortoJson {
    serde_json::from_str(PORTOMAGGIORE_JSON).expect("tests/data/portomaggiore.json is valid")
}

fn cell_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn cell_u32(v: &Value) -> Option<u32> {
    v.as_u64()
        .map(|n| u32::try_from(n).expect("priority fits in u32"))
}

/// The four sector blocks with their expected figures.
pub fn portomaggiore_sectors() -> Vec<PortomaggioreSector> {
    porto_json()
        .sectors
        .into_iter()
        .map(|s| PortomaggioreSector {
            code: s.code,
            title_lines: s.title_lines,
            objectives: s.expected.objective_rows,
            priority_sum_present: s.expected.priority_sum_present,
            declared_total: s.expected.declared_total,
        })
        .collect()
}

/// Every data row of the four sectors, in sheet and page order.
pub fn portomaggiore_rows() -> Vec<PortomaggioreRow> {
    let doc = porto_json();
    let mut out = Vec::new();
    for s in &doc.sectors {
        for (page, p) in s.pages.iter().enumerate() {
            for r in &p.rows {
                out.push(PortomaggioreRow {
                    sector: s.code.clone(),
                    page,
                    src_line: r.src_line,
                    texts: r.cells[..14].iter().map(cell_text).collect(),
                    priority: cell_u32(&r.cells[14]),
                    weight_text: r.cells[15].as_str().map(str::to_string),
                });
            }
        }
    }
    out
}

/// The document title block (`ALLEGATO 1 AL PIAO`, …), written at the top of the first sheet.
pub fn portomaggiore_document_title() -> Vec<String> {
    porto_json().document_title
}

/// The verbatim 16-cell header row of each page of a sector (variants differ between pages).
pub fn portomaggiore_headers(code: &str) -> Vec<Vec<String>> {
    porto_json()
        .sectors
        .into_iter()
        .find(|s| s.code == code)
        .map(|s| s.pages.into_iter().map(|p| p.header).collect())
        .unwrap_or_default()
}

struct PortoPagePlan {
    band1_row: u32,
    header_row: u32,
    first_data_row: u32,
}

struct PortoPlan {
    title_row: u32,
    pages: Vec<PortoPagePlan>,
    totale_row: u32,
}

fn plan_porto(first_sheet: bool, s: &PortoSectorJson) -> PortoPlan {
    // First sheet: document title (row 0), empty row, then the sector title.
    let title_row = if first_sheet { 2 } else { 0 };
    let mut r = title_row + 2; // empty row after the sector title
    let mut pages = Vec::new();
    for p in &s.pages {
        pages.push(PortoPagePlan {
            band1_row: r,
            header_row: r + 2,
            first_data_row: r + 3,
        });
        r += 3 + p.rows.len() as u32;
    }
    PortoPlan {
        title_row,
        pages,
        totale_row: r,
    }
}

/// Layout of every sheet written by [`write_portomaggiore`], in sheet order.
pub fn portomaggiore_layout() -> Vec<SheetLayout> {
    porto_json()
        .sectors
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let plan = plan_porto(i == 0, s);
            SheetLayout {
                sheet: s.code.clone(),
                header_rows: plan.pages.iter().map(|p| p.header_row).collect(),
                data_rows: plan
                    .pages
                    .iter()
                    .zip(&s.pages)
                    .flat_map(|(pp, p)| {
                        (0..p.rows.len() as u32).map(move |k| pp.first_data_row + k)
                    })
                    .collect(),
                totale_row: Some(plan.totale_row),
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Portomaggiore: writer
// ---------------------------------------------------------------------------------------------

struct PortoFormats {
    title: Format,
    band: Format,
    header: Format,
    merged: Format,
    text: Format,
    number: Format,
    pct2: Format,
    pct4: Format,
    total: Format,
}

impl PortoFormats {
    fn new() -> Self {
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Top)
            .set_text_wrap();
        PortoFormats {
            title: Format::new()
                .set_bold()
                .set_font_size(14)
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            band: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0xFCE4D6)),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0xFFF2CC)),
            merged: cell.clone(),
            text: cell.clone(),
            number: cell.clone().set_align(FormatAlign::Center),
            pct2: cell.clone().set_num_format("0.00%"),
            pct4: cell.clone().set_num_format("0.0000%"),
            total: cell.set_bold(),
        }
    }
}

fn write_bands(
    ws: &mut Worksheet,
    row: u32,
    p: &PortoPageJson,
    f: &PortoFormats,
) -> Result<(), XlsxError> {
    ws.merge_range(row, 0, row, 7, &p.band1[0], &f.band)?;
    ws.merge_range(row, 8, row, 15, &p.band1[8], &f.band)?;
    ws.merge_range(row + 1, 0, row + 1, 1, &p.band2[0], &f.band)?;
    ws.merge_range(row + 1, 2, row + 1, 6, &p.band2[2], &f.band)?;
    ws.write_string_with_format(row + 1, 7, &p.band2[7], &f.band)?;
    ws.merge_range(row + 1, 8, row + 1, 15, &p.band2[8], &f.band)?;
    ws.set_row_height(row, 30)?;
    ws.set_row_height(row + 1, 30)?;
    for (c, h) in p.header.iter().enumerate() {
        ws.write_string_with_format(row + 2, c as u16, h, &f.header)?;
    }
    ws.set_row_height(row + 2, 90)?;
    Ok(())
}

fn write_porto_page(
    ws: &mut Worksheet,
    first_row: u32,
    p: &PortoPageJson,
    weights_as_numbers: bool,
    f: &PortoFormats,
) -> Result<(), XlsxError> {
    let n = p.rows.len();
    // Columns 1–8: a non-empty cell is merged down over the following empty cells of the page.
    for col in 0..8usize {
        let texts: Vec<String> = p.rows.iter().map(|r| cell_text(&r.cells[col])).collect();
        let mut i = 0;
        while i < n {
            if texts[i].is_empty() {
                // continuation of a group started on a previous page (or nothing at all)
                ws.write_blank(first_row + i as u32, col as u16, &f.merged)?;
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < n && texts[j].is_empty() {
                j += 1;
            }
            let span = (first_row + i as u32, first_row + j as u32 - 1);
            write_vertical(ws, span, col as u16, &texts[i], &f.merged)?;
            i = j;
        }
    }
    for (k, r) in p.rows.iter().enumerate() {
        let row = first_row + k as u32;
        for col in 8..14usize {
            write_text_or_blank(ws, row, col as u16, &cell_text(&r.cells[col]), &f.text)?;
        }
        match cell_u32(&r.cells[14]) {
            Some(p) => ws.write_number_with_format(row, 14, f64::from(p), &f.number)?,
            None => ws.write_blank(row, 14, &f.number)?,
        };
        match r.cells[15].as_str() {
            Some(w) if weights_as_numbers => {
                let (value, decimals) = parse_it_percent(w);
                let fmt = if decimals > 2 { &f.pct4 } else { &f.pct2 };
                ws.write_number_with_format(row, 15, value, fmt)?
            }
            Some(w) => ws.write_string_with_format(row, 15, w, &f.number)?,
            None => ws.write_blank(row, 15, &f.number)?,
        };
    }
    Ok(())
}

/// Writes the Portomaggiore plan as one worksheet per sector (`STAFF`, `SAP`, `FIN`, `TEC`):
/// document title block on the first sheet, sector title block (one merged cell, lines joined by
/// `\n`), an empty row, the two bands, the 16-column header, data rows with columns 1–8 merged
/// vertically, bands + header repeated at every page break of the source, and the `totale` row.
/// Weights are printed text on STAFF and SAP and `0.00%`/`0.0000%` numbers on FIN and TEC.
pub fn write_portomaggiore(path: &Path) -> Result<(), XlsxError> {
    let doc = porto_json();
    let f = PortoFormats::new();
    let mut wb = Workbook::new();
    wb.set_properties(&fixed_properties(
        "Allegato 1 al PIAO - Obiettivi performance 2024/2026",
        "Comune di Portomaggiore",
    )?);
    let widths = [
        18.0, 24.0, 30.0, 16.0, 16.0, 18.0, 26.0, 20.0, 50.0, 40.0, 30.0, 18.0, 18.0, 26.0, 10.0,
        12.0,
    ];
    for (i, s) in doc.sectors.iter().enumerate() {
        let plan = plan_porto(i == 0, s);
        let ws = wb.add_worksheet();
        ws.set_name(&s.code)?;
        ws.set_landscape();
        ws.set_paper_size(8); // A3
        ws.set_print_fit_to_pages(1, 0);
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(c as u16, *w)?;
        }
        if i == 0 {
            ws.merge_range(0, 0, 0, 15, &doc.document_title.join("\n"), &f.title)?;
            ws.set_row_height(0, 80)?;
        }
        ws.merge_range(
            plan.title_row,
            0,
            plan.title_row,
            15,
            &s.title_lines.join("\n"),
            &f.title,
        )?;
        ws.set_row_height(plan.title_row, 20.0 * s.title_lines.len() as f64)?;

        let weights_as_numbers = s.weight_cells == "percent";
        for (pp, p) in plan.pages.iter().zip(&s.pages) {
            write_bands(ws, pp.band1_row, p, &f)?;
            write_porto_page(ws, pp.first_data_row, p, weights_as_numbers, &f)?;
        }
        let breaks: Vec<u32> = plan.pages.iter().skip(1).map(|p| p.band1_row).collect();
        if !breaks.is_empty() {
            ws.set_page_breaks(&breaks)?;
        }

        let t = plan.totale_row;
        for c in 0..14u16 {
            ws.write_blank(t, c, &f.total)?;
        }
        ws.write_string_with_format(t, (s.totale.label_column - 1) as u16, "totale", &f.total)?;
        let total = cell_u32(&s.totale.cells[14]).expect("totale priority");
        ws.write_number_with_format(t, 14, f64::from(total), &f.total)?;
        ws.write_string_with_format(t, 15, cell_text(&s.totale.cells[15]), &f.total)?;
    }
    wb.save(path)
}
