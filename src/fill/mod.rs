//! Filling the office's own workbook (*compila*): a copy of the input in which the empty
//! achievement cells (*% Ragg*, a card's *Realizzazione*), expected-to-date cells (an
//! activity's *P.A.I*) and barometer cells (*Barometro*) get the rules' results, with live formulas where the rules have Excel twins, barometer colours from the
//! rules' bands, and an *Anomalie* sheet listing every finding.
//!
//! Everything else of the original is kept: the workbook is opened lazily
//! (`umya_spreadsheet::reader::xlsx::lazy_read`) and only the sheets written into are
//! deserialised; every other sheet is copied into the output byte for byte. A sheet holding
//! icon sets or Excel 2010 extensions (`<iconSet`, `<extLst>`), which the writer would damage,
//! is never re-saved: its results go to a separate sheet ([`RESULTS_SHEET`]) and a finding says
//! why.
//!
//! Only empty cells are written. A stated achievement that differs from the rules' is reported
//! by the rules' own checks (`controlli.rhai`); a stated barometer label that differs from the
//! band of the rules' score is reported here. On cards (*schede obiettivo*) an empty
//! *Realizzazione* gets the objective's achievement and an activity's empty *P.A.I* the one the
//! rules compute from its month plan (at the monitoring date, `--al`), as percentages; other
//! objective-level cells of tables, *Esito* columns and *P.E.I* are not filled.
//!
//! ```no_run
//! use barometro::fill::{fill, verify};
//! use barometro::read::{read_workbook, ReadOptions};
//! use barometro::rules::{evaluate, EvaluateOptions, RuleSet};
//!
//! let input = std::path::Path::new("obiettivi.xlsx");
//! let ente = read_workbook(input, &ReadOptions::default())?;
//! let rules = RuleSet::default_set()?;
//! let evaluation = evaluate(ente, &rules, &EvaluateOptions::default());
//! let filled = fill(input, &evaluation)?;
//! assert!(verify(&filled)?.mismatches.is_empty());
//! std::fs::write("obiettivi-compilato.xlsx", &filled.bytes)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use umya_spreadsheet::{
    CellRawValue, ConditionalFormatValues, ConditionalFormatting,
    ConditionalFormattingOperatorValues, ConditionalFormattingRule, Formula, PatternValues, Style,
    Worksheet,
};

use crate::model::{column_letters, Finding, Indicator, IndicatorValue, Severity, Source};
use crate::report::{
    agrees, label_formula, number_text, recalculate_cells, Computed, Expected, Package,
};
use crate::rules::{extra_field, Bands, Evaluation, InputValue, Score, INDICATOR_FIELDS};

/// The sheet listing every finding, added to the filled workbook.
pub const ANOMALIE: &str = "Anomalie";
/// The findings sheet's name when the workbook already has a sheet called [`ANOMALIE`].
pub const ANOMALIE_ALTERNATIVE: &str = "Anomalie barometro";
/// The sheet holding the results of sheets that cannot be re-saved (icon sets, extensions).
pub const RESULTS_SHEET: &str = "Risultati barometro";

/// What a written cell is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilledKind {
    /// An indicator's achievement (*% Ragg*), or an objective's on its card (*Realizzazione*).
    Achievement,
    /// An activity's expected-to-date (*P.A.I*), from its month plan.
    Expected,
    /// An indicator's barometer label (*Barometro*).
    Barometer,
}

/// One cell barometro wrote into the workbook.
#[derive(Debug, Clone, PartialEq)]
pub struct FilledCell {
    /// The cell (sheet, row, column of the output, the same as the input's).
    pub source: Source,
    /// What the cell is.
    pub kind: FilledKind,
    /// The live formula written (starting with `=`), or `None` when the value was written.
    pub formula: Option<String>,
    /// The value the cell shows: the rules' figure (divided by 100 in a percent-formatted
    /// column) or the band label.
    pub expected: Expected,
    /// The rule that computed it, e.g. `indicatori.rhai:136 (rapporto)`.
    pub rule: String,
}

/// The filled workbook in memory and what was written into it.
#[derive(Debug, Clone)]
pub struct Filled {
    /// The XLSX file.
    pub bytes: Vec<u8>,
    /// Every cell written into the original sheets, in order.
    pub cells: Vec<FilledCell>,
    /// Results of sheets that could not be re-saved, listed in [`RESULTS_SHEET`].
    pub deferred: Vec<FilledCell>,
    /// Findings of the filling (stated barometers that differ, sheets left untouched), also
    /// listed in the findings sheet after the reader's and the rules'.
    pub findings: Vec<Finding>,
    /// The original sheets written into, in workbook order.
    pub sheets: Vec<String>,
    /// The name of the findings sheet added ([`ANOMALIE`] or [`ANOMALIE_ALTERNATIVE`]).
    pub anomalies_sheet: String,
}

impl Filled {
    /// How many formulas were written (in the original sheets).
    pub fn formula_count(&self) -> usize {
        self.cells.iter().filter(|c| c.formula.is_some()).count()
    }
}

/// A formula of the filled workbook whose recalculated value differs from the rules'.
#[derive(Debug, Clone, PartialEq)]
pub struct FillMismatch {
    /// The cell.
    pub cell: FilledCell,
    /// What the engine computed.
    pub computed: Computed,
}

/// The outcome of [`verify`].
#[derive(Debug, Clone)]
pub struct FillVerification {
    /// Formulas recalculated and compared.
    pub checked: usize,
    /// Formulas whose value differs from the rules'.
    pub mismatches: Vec<FillMismatch>,
}

/// Why a workbook could not be filled.
#[derive(Debug, thiserror::Error)]
pub enum FillError {
    /// The input could not be read as an XLSX workbook.
    #[error("{path}: impossibile leggere la cartella di lavoro: {message}")]
    Read {
        /// The input file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The filled workbook could not be composed.
    #[error("impossibile scrivere la cartella di lavoro compilata: {0}")]
    Write(String),
    /// The formula engine could not read the filled workbook back.
    #[error("verifica delle formule non riuscita: {0}")]
    Verify(String),
}

/// The sheets whose XML holds icon sets or extension lists: re-saving them would lose or break
/// those, so they are never deserialised.
fn sheets_not_to_resave(bytes: &[u8]) -> Result<HashSet<String>, String> {
    let package = Package::read(bytes)?;
    let mut out = HashSet::new();
    for sheet in package.sheets()? {
        let xml = package.get(&sheet.part).unwrap_or_default();
        let has = |needle: &[u8]| xml.windows(needle.len()).any(|w| w == needle);
        if has(b"<iconSet") || has(b"<extLst") || has(b":iconSet") {
            out.insert(sheet.name);
        }
    }
    Ok(out)
}

/// A row to fill: an indicator of a table (or, with no indicator, an objective's card), its
/// score and where its cells are.
struct Planned<'e> {
    /// What the score cell is.
    kind: FilledKind,
    indicator: Option<&'e Indicator>,
    score: &'e Score,
    row: u32,
    achievement_col: Option<u32>,
    barometer_col: Option<u32>,
}

/// The figure to write in one achievement cell.
struct Figure {
    formula: Option<String>,
    value: f64,
}

/// Fills the input workbook with the evaluation's results; returns the new workbook's bytes
/// and what was written. The input file is only read.
pub fn fill(input: &Path, evaluation: &Evaluation) -> Result<Filled, FillError> {
    let read_error = |message: String| FillError::Read {
        path: input.to_path_buf(),
        message,
    };
    let original = std::fs::read(input).map_err(|e| read_error(e.to_string()))?;
    let keep = sheets_not_to_resave(&original).map_err(read_error)?;
    let mut book =
        umya_spreadsheet::reader::xlsx::lazy_read(input).map_err(|e| read_error(e.to_string()))?;

    // The rows to fill, by sheet in workbook order.
    let mut plan: BTreeMap<usize, (Arc<str>, Vec<Planned>)> = BTreeMap::new();
    for (objective, outcome) in evaluation.objectives() {
        if objective.neutralised {
            continue;
        }
        for (indicator, io) in objective.indicators.iter().zip(&outcome.indicators) {
            let Some(table) = evaluation.ente.table_of(&indicator.source) else {
                continue;
            };
            let achievement_col = table.column(IndicatorValue::StatedAchievement);
            let barometer_col = table.column(IndicatorValue::StatedBarometer);
            if achievement_col.is_none() && barometer_col.is_none() {
                continue;
            }
            let Some(index) = book
                .sheet_collection_no_check()
                .iter()
                .position(|s| s.name() == &*indicator.source.sheet)
            else {
                continue;
            };
            plan.entry(index)
                .or_insert_with(|| (indicator.source.sheet.clone(), Vec::new()))
                .1
                .push(Planned {
                    kind: FilledKind::Achievement,
                    indicator: Some(indicator),
                    score: &io.score,
                    row: indicator.source.row,
                    achievement_col,
                    barometer_col,
                });
        }
    }

    // Cards: an objective's empty *Realizzazione* gets the objective's achievement, an
    // activity's empty P.A.I the one computed from its month plan.
    for (objective, outcome) in evaluation.objectives() {
        if objective.neutralised {
            continue;
        }
        let empty = |f: &crate::model::Field| matches!(f.value, crate::value::Value::Empty);
        let outcomes = objective
            .extra
            .iter()
            .filter(|(label, field)| crate::read::is_outcome_label(label) && empty(field))
            .map(|(_, field)| (FilledKind::Achievement, field, &outcome.score));
        // Activities: an empty P.A.I gets the one computed from the month plan.
        let expected = objective
            .activities
            .iter()
            .zip(&outcome.activities)
            .filter_map(|(a, ao)| {
                let field = a.expected.as_ref().filter(|f| empty(f))?;
                Some((FilledKind::Expected, field, &ao.expected_computed))
            });
        for (kind, field, score) in outcomes.chain(expected) {
            let sheet = &field.source.sheet;
            let Some(index) = book
                .sheet_collection_no_check()
                .iter()
                .position(|s| s.name() == &**sheet)
            else {
                continue;
            };
            plan.entry(index)
                .or_insert_with(|| (sheet.clone(), Vec::new()))
                .1
                .push(Planned {
                    kind,
                    indicator: None,
                    score,
                    row: field.source.row,
                    achievement_col: Some(field.source.col),
                    barometer_col: None,
                });
        }
    }

    let bands = &evaluation.bands;
    let mut cells = Vec::new();
    let mut deferred = Vec::new();
    let mut findings = Vec::new();
    let mut sheets = Vec::new();
    for (index, (sheet_name, rows)) in plan {
        if keep.contains(&*sheet_name) {
            let before = deferred.len();
            for p in &rows {
                deferred.extend(deferred_cells(&sheet_name, p, bands));
            }
            findings.push(Finding {
                severity: Severity::Warning,
                message: format!(
                    "il foglio «{sheet_name}» contiene set di icone o estensioni di Excel (extLst) che non si possono riscrivere senza danneggiarli: non è stato modificato; i suoi {} risultati sono nel foglio «{RESULTS_SHEET}»",
                    deferred.len() - before
                ),
                source: None,
                rule: "foglio-non-modificabile".into(),
            });
            continue;
        }
        let ws = book
            .sheet_mut(index)
            .map_err(|e| FillError::Write(format!("{sheet_name}: {e}")))?;
        let written = fill_sheet(ws, &sheet_name, &rows, bands, &mut findings);
        if !written.is_empty() {
            sheets.push(sheet_name.to_string());
        }
        cells.extend(written);
    }

    if !deferred.is_empty() {
        write_results_sheet(&mut book, &deferred)?;
    }
    let anomalies_sheet = if book
        .sheet_collection_no_check()
        .iter()
        .any(|s| s.name().eq_ignore_ascii_case(ANOMALIE))
    {
        ANOMALIE_ALTERNATIVE
    } else {
        ANOMALIE
    };
    let all: Vec<&Finding> = evaluation.all_findings().chain(&findings).collect();
    write_anomalies_sheet(&mut book, anomalies_sheet, &all)?;

    let mut bytes = Vec::new();
    umya_spreadsheet::writer::xlsx::write_writer(&book, &mut bytes)
        .map_err(|e| FillError::Write(e.to_string()))?;
    Ok(Filled {
        bytes,
        cells,
        deferred,
        findings,
        sheets,
        anomalies_sheet: anomalies_sheet.to_string(),
    })
}

/// umya's coordinates: (column, row), one-based.
fn at(row: u32, col: u32) -> (u32, u32) {
    (col + 1, row + 1)
}

/// Whether a cell holds nothing (no value, no formula); a styled blank is empty.
fn is_empty(ws: &Worksheet, row: u32, col: u32) -> bool {
    ws.cell(at(row, col))
        .is_none_or(|c| !c.is_formula() && c.value().trim().is_empty())
}

/// The number a cell holds (a constant or a formula's cached result).
fn cell_number(ws: &Worksheet, row: u32, col: u32) -> Option<f64> {
    match ws.cell(at(row, col))?.raw_value() {
        CellRawValue::Numeric(n) => Some(*n),
        _ => None,
    }
}

/// The number format of a cell, if it has a style with one.
fn format_code(ws: &Worksheet, row: u32, col: u32) -> Option<String> {
    ws.cell(at(row, col))?
        .style()
        .number_format()
        .map(|f| f.format_code().to_string())
}

/// The rule's name for messages and the Regola column.
fn rule_text(score: &Score) -> String {
    score
        .rule
        .as_ref()
        .map_or_else(|| "regola".into(), |r| r.to_string())
}

/// The achievement formula: the twin over the original input cells, when every input the twin
/// reads is a number in the workbook equal to what the rule read.
fn twin_formula(
    ws: &Worksheet,
    sheet: &str,
    indicator: &Indicator,
    score: &Score,
) -> Option<String> {
    let twin = score.twin.as_ref()?;
    twin.render(|name| {
        let field = match INDICATOR_FIELDS.iter().find(|(n, _)| *n == name) {
            Some((_, which)) => indicator.get(*which),
            None => extra_field(&indicator.extra, name),
        }?;
        let InputValue::Number(read) = InputValue::of(Some(field)) else {
            return None;
        };
        if &*field.source.sheet != sheet {
            return None;
        }
        let stored = cell_number(ws, field.source.row, field.source.col)?;
        let same = (stored - read).abs() <= 1e-12 * stored.abs().max(read.abs()).max(1.0);
        same.then(|| field.source.cell())
    })
}

/// Fills one sheet's rows; returns the cells written.
fn fill_sheet(
    ws: &mut Worksheet,
    sheet: &Arc<str>,
    rows: &[Planned],
    bands: &Bands,
    findings: &mut Vec<Finding>,
) -> Vec<FilledCell> {
    let mut written = Vec::new();
    let mut score_cells: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    let mut label_cells: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for p in rows {
        let value = p.score.value.filter(|v| v.is_finite());
        let mut filled_score: Option<(u32, bool)> = None;
        if let (Some(col), Some(value)) = (p.achievement_col, value) {
            if is_empty(ws, p.row, col) {
                // A card's achievement with no format of its own is a percentage, as the
                // card's other percentages.
                let card_cell = p.indicator.is_none()
                    && format_code(ws, p.row, col)
                        .is_none_or(|f| f.eq_ignore_ascii_case("general"));
                if card_cell {
                    ws.cell_mut(at(p.row, col))
                        .style_mut()
                        .number_format_mut()
                        .set_format_code("0.00%");
                }
                let percent = card_cell || column_is_percent(ws, p.row, col, rows);
                let figure = achievement_figure(ws, sheet, p, value, percent);
                if ws.cell(at(p.row, col)).is_none() {
                    copy_column_style(ws, p.row, col, rows);
                }
                let cell = ws.cell_mut(at(p.row, col));
                match &figure.formula {
                    Some(f) => {
                        cell.set_formula(f.trim_start_matches('='));
                        cell.set_formula_result_number(figure.value);
                    }
                    None => {
                        cell.set_value_number(figure.value);
                    }
                }
                written.push(FilledCell {
                    source: Source::new(sheet.clone(), p.row, col),
                    kind: p.kind,
                    formula: figure.formula,
                    expected: Expected::Number(figure.value),
                    rule: rule_text(p.score),
                });
                score_cells.entry(col).or_default().push(p.row);
                filled_score = Some((col, percent));
            }
        }
        let Some(col) = p.barometer_col else {
            continue;
        };
        let label = bands.label_of(value).to_string();
        if is_empty(ws, p.row, col) {
            let formula = filled_score.map(|(score_col, percent)| {
                let cell = format!("{}{}", column_letters(score_col), p.row + 1);
                if percent {
                    label_formula(&scaled_bands(bands), &cell)
                } else {
                    label_formula(bands, &cell)
                }
            });
            let cell = ws.cell_mut(at(p.row, col));
            match &formula {
                Some(f) => {
                    cell.set_formula(f.trim_start_matches('='));
                    cell.set_formula_result_string(label.clone());
                }
                None => {
                    cell.set_value_string(label.clone());
                }
            }
            written.push(FilledCell {
                source: Source::new(sheet.clone(), p.row, col),
                kind: FilledKind::Barometer,
                formula,
                expected: Expected::Text(label),
                rule: "fasce (barometro.rhai)".into(),
            });
            label_cells.entry(col).or_default().push(p.row);
        } else if value.is_some() {
            let stated = ws
                .cell(at(p.row, col))
                .map(|c| c.value().trim().to_string())
                .unwrap_or_default();
            if !stated.eq_ignore_ascii_case(&label) {
                findings.push(Finding {
                    severity: Severity::Warning,
                    message: format!(
                        "Barometro scritto «{stated}», ma il raggiungimento calcolato dalle regole ({}) è nella fascia «{label}»: la cella non è stata modificata",
                        crate::value::format_number_it(value.unwrap_or_default())
                    ),
                    source: Some(Source::new(sheet.clone(), p.row, col)),
                    rule: "barometro-diverso".into(),
                });
            }
        }
    }
    let mut priority = ws
        .conditional_formatting_collection()
        .iter()
        .flat_map(|c| c.conditional_collection())
        .map(|r| r.priority())
        .max()
        .unwrap_or(0);
    for (col, rows_of_col) in &score_cells {
        let percent = rows
            .iter()
            .find(|p| p.achievement_col == Some(*col))
            .is_some_and(|p| column_is_percent(ws, p.row, *col, rows));
        let scaled;
        let used = if percent {
            scaled = scaled_bands(bands);
            &scaled
        } else {
            bands
        };
        let sqref = sqref(*col, rows_of_col);
        for band in &used.bands {
            priority += 1;
            add_rule(
                ws,
                &sqref,
                ConditionalFormattingOperatorValues::GreaterThanOrEqual,
                &number_text(band.from),
                &band.colour,
                priority,
            );
        }
    }
    for (col, rows_of_col) in &label_cells {
        let sqref = sqref(*col, rows_of_col);
        for band in bands.bands.iter().chain(std::iter::once(&bands.no_score)) {
            priority += 1;
            add_rule(
                ws,
                &sqref,
                ConditionalFormattingOperatorValues::Equal,
                &format!("\"{}\"", band.label.replace('"', "\"\"")),
                &band.colour,
                priority,
            );
        }
    }
    written
}

/// The bands with thresholds divided by 100, for a column of fractions shown as percentages.
fn scaled_bands(bands: &Bands) -> Bands {
    let mut out = bands.clone();
    for b in &mut out.bands {
        b.from /= 100.0;
    }
    out
}

/// Whether a column shows achievements as percentages of 1 (`0%` formats): the cell's own
/// format, or else the first numeric cell of the column among the table's rows.
fn column_is_percent(ws: &Worksheet, row: u32, col: u32, rows: &[Planned]) -> bool {
    let percent = |r: u32| format_code(ws, r, col).is_some_and(|f| f.contains('%'));
    percent(row)
        || rows
            .iter()
            .find(|p| cell_number(ws, p.row, col).is_some())
            .is_some_and(|p| percent(p.row))
}

/// Gives a missing cell the style of the nearest cell above it in the column among the table's
/// rows.
fn copy_column_style(ws: &mut Worksheet, row: u32, col: u32, rows: &[Planned]) {
    let style = rows
        .iter()
        .rev()
        .filter(|p| p.row < row)
        .find_map(|p| ws.cell(at(p.row, col)).map(|c| c.style().clone()));
    if let Some(style) = style {
        ws.cell_mut(at(row, col)).set_style(style);
    }
}

/// The achievement to write: the twin as a formula when it can be, the value otherwise;
/// divided by 100 in a percent-formatted column.
fn achievement_figure(
    ws: &Worksheet,
    sheet: &str,
    p: &Planned,
    value: f64,
    percent: bool,
) -> Figure {
    let formula = p
        .indicator
        .and_then(|indicator| twin_formula(ws, sheet, indicator, p.score));
    if percent {
        Figure {
            formula: formula.map(|f| format!("=({})/100", f.trim_start_matches('='))),
            value: value / 100.0,
        }
    } else {
        Figure { formula, value }
    }
}

/// The results of a row of a sheet that is not re-saved.
fn deferred_cells(sheet: &Arc<str>, p: &Planned, bands: &Bands) -> Vec<FilledCell> {
    let value = p.score.value.filter(|v| v.is_finite());
    let mut out = Vec::new();
    if let (Some(col), Some(v)) = (p.achievement_col, value) {
        out.push(FilledCell {
            source: Source::new(sheet.clone(), p.row, col),
            kind: p.kind,
            formula: None,
            expected: Expected::Number(v),
            rule: rule_text(p.score),
        });
    }
    if let Some(col) = p.barometer_col {
        out.push(FilledCell {
            source: Source::new(sheet.clone(), p.row, col),
            kind: FilledKind::Barometer,
            formula: None,
            expected: Expected::Text(bands.label_of(value).to_string()),
            rule: "fasce (barometro.rhai)".into(),
        });
    }
    out
}

/// `L8:L12 L14`: the cells of a column as contiguous ranges.
fn sqref(col: u32, rows: &[u32]) -> String {
    let letters = column_letters(col);
    let mut sorted = rows.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && sorted[i + 1] == end + 1 {
            i += 1;
            end = sorted[i];
        }
        if start == end {
            parts.push(format!("{letters}{}", start + 1));
        } else {
            parts.push(format!("{letters}{}:{letters}{}", start + 1, end + 1));
        }
        i += 1;
    }
    parts.join(" ")
}

/// A band fill: a `cellIs` rule with the band's colour that stops lower bands.
fn add_rule(
    ws: &mut Worksheet,
    sqref: &str,
    operator: ConditionalFormattingOperatorValues,
    operand: &str,
    colour: &str,
    priority: i32,
) {
    let argb = format!("FF{}", colour.trim_start_matches('#').to_uppercase());
    let mut style = Style::default();
    style.set_background_color_with_pattern(argb.as_str(), argb.as_str(), PatternValues::Solid);
    let mut formula = Formula::default();
    formula.set_string_value(operand);
    let mut rule = ConditionalFormattingRule::default();
    rule.set_type(ConditionalFormatValues::CellIs)
        .set_operator(operator)
        .set_priority(priority)
        .set_stop_if_true(true)
        .set_style(style)
        .set_formula(formula);
    let mut formatting = ConditionalFormatting::default();
    formatting.sequence_of_references_mut().set_sqref(sqref);
    formatting.add_conditional_collection(rule);
    ws.add_conditional_formatting_collection(formatting);
}

fn bold() -> Style {
    let mut style = Style::default();
    style.font_mut().set_bold(true);
    style
}

/// Writes a header row and sets the columns' widths.
fn header(ws: &mut Worksheet, titles: &[(&str, f64)]) {
    for (i, (title, width)) in titles.iter().enumerate() {
        let cell = ws.cell_mut(at(0, i as u32));
        cell.set_value_string(*title);
        cell.set_style(bold());
        ws.column_dimension_mut(&column_letters(i as u32))
            .set_width(*width);
    }
}

/// The findings sheet: Gravità, Messaggio, Foglio, Cella, Regola.
fn write_anomalies_sheet(
    book: &mut umya_spreadsheet::Workbook,
    name: &str,
    findings: &[&Finding],
) -> Result<(), FillError> {
    let ws = book
        .new_sheet(name)
        .map_err(|e| FillError::Write(format!("{name}: {e}")))?;
    header(
        ws,
        &[
            ("Gravità", 10.0),
            ("Messaggio", 90.0),
            ("Foglio", 24.0),
            ("Cella", 24.0),
            ("Regola", 28.0),
        ],
    );
    for (i, f) in findings.iter().enumerate() {
        let row = i as u32 + 1;
        ws.cell_mut(at(row, 0)).set_value_string(f.severity.label());
        ws.cell_mut(at(row, 1)).set_value_string(f.message.clone());
        if let Some(s) = &f.source {
            ws.cell_mut(at(row, 2))
                .set_value_string(s.sheet.to_string());
            ws.cell_mut(at(row, 3)).set_value_string(s.to_string());
        }
        ws.cell_mut(at(row, 4)).set_value_string(f.rule.clone());
    }
    Ok(())
}

/// The results of the sheets that are not re-saved: Foglio, Cella, Valore, Regola.
fn write_results_sheet(
    book: &mut umya_spreadsheet::Workbook,
    cells: &[FilledCell],
) -> Result<(), FillError> {
    let ws = book
        .new_sheet(RESULTS_SHEET)
        .map_err(|e| FillError::Write(format!("{RESULTS_SHEET}: {e}")))?;
    header(
        ws,
        &[
            ("Foglio", 24.0),
            ("Cella", 24.0),
            ("Valore", 24.0),
            ("Regola", 32.0),
        ],
    );
    for (i, c) in cells.iter().enumerate() {
        let row = i as u32 + 1;
        ws.cell_mut(at(row, 0))
            .set_value_string(c.source.sheet.to_string());
        ws.cell_mut(at(row, 1))
            .set_value_string(c.source.to_string());
        match &c.expected {
            Expected::Number(n) => {
                ws.cell_mut(at(row, 2)).set_value_number(*n);
            }
            Expected::Text(t) => {
                ws.cell_mut(at(row, 2)).set_value_string(t.clone());
            }
        }
        ws.cell_mut(at(row, 3)).set_value_string(c.rule.clone());
    }
    Ok(())
}

/// Recalculates the filled workbook with the independent formula engine and compares every
/// formula barometro wrote with the rules' value.
pub fn verify(filled: &Filled) -> Result<FillVerification, FillError> {
    let formulas: Vec<&FilledCell> = filled
        .cells
        .iter()
        .filter(|c| c.formula.is_some())
        .collect();
    let places: Vec<(&str, u32, u16)> = formulas
        .iter()
        .map(|c| {
            (
                &*c.source.sheet,
                c.source.row,
                u16::try_from(c.source.col).unwrap_or(u16::MAX),
            )
        })
        .collect();
    let computed =
        recalculate_cells(&filled.bytes, &places).map_err(|e| FillError::Verify(e.to_string()))?;
    let mismatches = formulas
        .iter()
        .zip(computed)
        .filter(|(c, v)| !agrees(&c.expected, v))
        .map(|(c, v)| FillMismatch {
            cell: (*c).clone(),
            computed: v,
        })
        .collect();
    Ok(FillVerification {
        checked: formulas.len(),
        mismatches,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqref_joins_contiguous_rows() {
        assert_eq!(sqref(11, &[7, 8, 9, 11, 20, 21]), "L8:L10 L12 L21:L22");
        assert_eq!(sqref(0, &[3]), "A4");
    }
}
