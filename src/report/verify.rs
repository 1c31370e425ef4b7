//! Proof that the formulas equal the rules: the written workbook is recalculated by an
//! independent formula engine and every formula cell is compared with the rules' value.

use std::time::{Duration, Instant};

use super::{Expected, FormulaCheck, Report, ReportError};

/// The formula engine that recalculates the report.
pub const ENGINE: &str = "formualizer 0.13";

/// What the engine computed for one cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Computed {
    /// A number.
    Number(f64),
    /// A text (or a boolean, as text).
    Text(String),
    /// An Excel error (`#DIV/0!`…).
    Error(String),
    /// Nothing.
    Empty,
}

impl std::fmt::Display for Computed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Computed::Number(n) => write!(f, "{}", crate::value::format_number_it(*n)),
            Computed::Text(t) => write!(f, "«{t}»"),
            Computed::Error(e) => write!(f, "l'errore {e}"),
            Computed::Empty => write!(f, "una cella vuota"),
        }
    }
}

/// A formula whose recalculated value differs from the rules' value.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// The sheet.
    pub sheet: String,
    /// Zero-based row.
    pub row: u32,
    /// Zero-based column.
    pub col: u16,
    /// The formula.
    pub formula: String,
    /// The rules' value.
    pub expected: Expected,
    /// The engine's value.
    pub computed: Computed,
    /// The rule that computed the expected value.
    pub rule: String,
}

/// The outcome of [`verify`].
#[derive(Debug, Clone)]
pub struct Verification {
    /// The engine's name and version.
    pub engine: &'static str,
    /// Formulas compared.
    pub checked: usize,
    /// Formulas whose value differs.
    pub mismatches: Vec<Mismatch>,
    /// Time taken (loading, recalculating and comparing).
    pub elapsed: Duration,
}

/// Recalculates the report with an independent engine and compares every formula with the
/// value the rules computed (numbers within 1e-9, relative; texts exactly).
pub fn verify(report: &Report) -> Result<Verification, ReportError> {
    let started = Instant::now();
    let values = recalculate(&report.bytes, &report.checks)?;
    let mut mismatches = Vec::new();
    for (check, computed) in report.checks.iter().zip(values) {
        if !agrees(&check.expected, &computed) {
            mismatches.push(Mismatch {
                sheet: check.sheet.clone(),
                row: check.row,
                col: check.col,
                formula: check.formula.clone(),
                expected: check.expected.clone(),
                computed,
                rule: check.rule.clone(),
            });
        }
    }
    Ok(Verification {
        engine: ENGINE,
        checked: report.checks.len(),
        mismatches,
        elapsed: started.elapsed(),
    })
}

/// Whether the engine's value is the rules' value.
pub fn agrees(expected: &Expected, computed: &Computed) -> bool {
    match (expected, computed) {
        (Expected::Number(e), Computed::Number(c)) => {
            (e - c).abs() <= 1e-9 * e.abs().max(c.abs()).max(1.0)
        }
        (Expected::Text(e), Computed::Text(c)) => e == c,
        _ => false,
    }
}

/// Loads the report into formualizer, recalculates every formula (the cached values are not
/// trusted) and reads back the value of each cell the report wrote a formula in, in the order
/// of `checks`.
fn recalculate(bytes: &[u8], checks: &[FormulaCheck]) -> Result<Vec<Computed>, ReportError> {
    let cells: Vec<(&str, u32, u16)> = checks
        .iter()
        .map(|c| (c.sheet.as_str(), c.row, c.col))
        .collect();
    recalculate_cells(bytes, &cells)
}

/// Loads any XLSX workbook into formualizer, recalculates every formula (the cached values are
/// not trusted) and reads back the value of each cell (sheet, zero-based row and column), in
/// order.
pub fn recalculate_cells(
    bytes: &[u8],
    cells: &[(&str, u32, u16)],
) -> Result<Vec<Computed>, ReportError> {
    use formualizer::workbook::{
        LiteralValue, LoadStrategy, NativeXlsxAdapter, SpreadsheetReader, Workbook, WorkbookConfig,
    };
    let fail = |e: &dyn std::fmt::Display| ReportError::Verify(format!("{ENGINE}: {e}"));
    let adapter = NativeXlsxAdapter::open_bytes(bytes.to_vec()).map_err(|e| fail(&e))?;
    let mut config = WorkbookConfig::ephemeral();
    // Dates as serial numbers, as Excel stores them (not as date values).
    config.eval.temporal_egress = formualizer::TemporalEgress::Serial;
    let mut workbook =
        Workbook::from_reader(adapter, LoadStrategy::EagerAll, config).map_err(|e| fail(&e))?;
    workbook.evaluate_all().map_err(|e| fail(&e))?;
    let mut values = Vec::with_capacity(cells.len());
    for (sheet, row, col) in cells {
        // The engine counts rows and columns from 1.
        let value = workbook.get_value(sheet, row + 1, u32::from(*col) + 1);
        let computed = match value {
            None | Some(LiteralValue::Empty) => Computed::Empty,
            Some(LiteralValue::Number(n)) => Computed::Number(n),
            Some(LiteralValue::Int(i)) => Computed::Number(i as f64),
            Some(LiteralValue::Text(s)) => Computed::Text(s),
            Some(LiteralValue::Boolean(b)) => {
                Computed::Text(if b { "VERO" } else { "FALSO" }.into())
            }
            Some(LiteralValue::Error(e)) => Computed::Error(e.kind.to_string()),
            Some(other) => Computed::Error(format!("{other:?}")),
        };
        values.push(computed);
    }
    Ok(values)
}
