//! Proof that the formulas equal the rules: an independent formula engine recalculates every
//! formula and each is compared with the rules' value. [`verify`] loads a written workbook;
//! [`super::build_and_verify`] loads the cells the report handed to rust_xlsxwriter, recorded
//! as they were written (see [`Recalculated`]).

use std::time::{Duration, Instant};

use super::sheets::Job;
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

/// What the engine loaded to recalculate the formulas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recalculated {
    /// The written workbook (the XLSX bytes).
    File,
    /// The cells of the report as they were handed to rust_xlsxwriter while it was written:
    /// every formula, every number, and the texts of the columns formulas read, in these
    /// sheets; no styles and no cached results.
    Cells {
        /// The sheets (those that hold formulas).
        sheets: Vec<String>,
        /// The cells loaded (formulas, numbers and texts).
        cells: usize,
        /// Loaded and recalculated in this many groups of rows, one engine each: groups of
        /// top areas, then, when there are several, the ente's total over the areas' figures
        /// as the engine computed them.
        groups: usize,
    },
}

/// The outcome of [`verify`].
#[derive(Debug, Clone)]
pub struct Verification {
    /// The engine's name and version.
    pub engine: &'static str,
    /// What was recalculated: the written file or the cells written.
    pub recalculated: Recalculated,
    /// Formulas compared.
    pub checked: usize,
    /// Formulas whose value differs.
    pub mismatches: Vec<Mismatch>,
    /// Time the engine took (loading, recalculating and comparing; from the recorded cells,
    /// the sum over the groups, which are verified while the report is written).
    pub elapsed: Duration,
}

/// Recalculates the report with an independent engine and compares every formula with the
/// value the rules computed (numbers within 1e-9, relative; texts exactly).
pub fn verify(report: &Report) -> Result<Verification, ReportError> {
    let started = Instant::now();
    let values = recalculate(report.bytes.clone(), &report.checks, true)?;
    Ok(compare(&report.checks, values, Recalculated::File, started))
}

/// A group of recorded cells recalculated ([`run_job`]).
pub(crate) struct Done {
    /// The checks it computed.
    checks: std::ops::Range<usize>,
    /// Their values, in order.
    values: Result<Vec<Computed>, ReportError>,
    sheets: Vec<String>,
    cells: usize,
    elapsed: Duration,
}

impl Done {
    /// A verification thread that panicked.
    pub(crate) fn panicked(panic: &(dyn std::any::Any + Send)) -> Done {
        Done {
            checks: 0..0,
            values: Err(ReportError::Verify(format!(
                "{ENGINE}: {}",
                panic_text(panic)
            ))),
            sheets: Vec::new(),
            cells: 0,
            elapsed: Duration::ZERO,
        }
    }
}

/// Loads a group of recorded cells into the engine (on one thread), recalculates and reads
/// back the values of its checks.
pub(crate) fn run_job(job: Job) -> Done {
    let started = Instant::now();
    let sheets = job.recorder.sheet_names();
    let cells = job.recorder.cells();
    let values = job
        .recorder
        .package()
        .map_err(ReportError::from)
        .and_then(|package| {
            let places: Vec<(&str, u32, u16)> = job
                .cells
                .iter()
                .map(|&(tab, row, col)| (job.tabs[usize::from(tab)].as_str(), row, col))
                .collect();
            recalculate_owned(package, &places, false, true)
        });
    Done {
        checks: job.checks,
        values,
        sheets,
        cells,
        elapsed: started.elapsed(),
    }
}

/// The groups' values put together in the order of the checks.
pub(crate) struct Assembled {
    values: Vec<Computed>,
    sheets: Vec<String>,
    cells: usize,
    groups: usize,
    elapsed: Duration,
}

impl Assembled {
    /// The values so far (checks `0..len`).
    pub(crate) fn values(&self) -> &[Computed] {
        &self.values
    }
}

/// Puts the groups' values in the order of their checks, which must follow one another from
/// the first; the first error of a group, if any.
pub(crate) fn assemble(mut done: Vec<Done>) -> Result<Assembled, ReportError> {
    done.sort_by_key(|d| d.checks.start);
    let mut all = Assembled {
        values: Vec::new(),
        sheets: Vec::new(),
        cells: 0,
        groups: 0,
        elapsed: Duration::ZERO,
    };
    for d in done {
        append(&mut all, d)?;
    }
    Ok(all)
}

/// Adds a group's values after the others.
pub(crate) fn append(all: &mut Assembled, done: Done) -> Result<(), ReportError> {
    let values = done.values?;
    if done.checks.start != all.values.len() || values.len() != done.checks.len() {
        return Err(ReportError::Verify(format!(
            "{ENGINE}: le formule {}–{} non seguono le {} già ricalcolate (errore interno)",
            done.checks.start,
            done.checks.end,
            all.values.len()
        )));
    }
    all.values.extend(values);
    for s in done.sheets {
        if !all.sheets.contains(&s) {
            all.sheets.push(s);
        }
    }
    all.cells += done.cells;
    all.groups += 1;
    all.elapsed += done.elapsed;
    Ok(())
}

/// Compares the values recalculated from the recorded cells with the rules'.
pub(crate) fn compare_cells(
    checks: &[FormulaCheck],
    all: Assembled,
) -> Result<Verification, ReportError> {
    if all.values.len() != checks.len() {
        return Err(ReportError::Verify(format!(
            "{ENGINE}: {} formule ricalcolate su {} (errore interno)",
            all.values.len(),
            checks.len()
        )));
    }
    let started = Instant::now();
    let recalculated = Recalculated::Cells {
        sheets: all.sheets,
        cells: all.cells,
        groups: all.groups,
    };
    let mut proof = compare(checks, all.values, recalculated, started);
    proof.elapsed += all.elapsed;
    Ok(proof)
}

/// A panic's message, for an error.
pub(crate) fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "errore interno del motore di calcolo".into())
}

/// Compares the engine's values with the rules'.
fn compare(
    checks: &[FormulaCheck],
    values: Vec<Computed>,
    recalculated: Recalculated,
    started: Instant,
) -> Verification {
    let mut mismatches = Vec::new();
    for (check, computed) in checks.iter().zip(values) {
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
    Verification {
        engine: ENGINE,
        recalculated,
        checked: checks.len(),
        mismatches,
        elapsed: started.elapsed(),
    }
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
fn recalculate(
    bytes: Vec<u8>,
    checks: &[FormulaCheck],
    parallel: bool,
) -> Result<Vec<Computed>, ReportError> {
    let cells: Vec<(&str, u32, u16)> = checks
        .iter()
        .map(|c| (c.sheet.as_str(), c.row, c.col))
        .collect();
    recalculate_owned(bytes, &cells, parallel, true)
}

/// Loads any XLSX workbook into formualizer, recalculates every formula (the cached values are
/// not trusted) and reads back the value of each cell (sheet, zero-based row and column), in
/// order.
pub fn recalculate_cells(
    bytes: &[u8],
    cells: &[(&str, u32, u16)],
) -> Result<Vec<Computed>, ReportError> {
    recalculate_owned(bytes.to_vec(), cells, true, false)
}

/// [`recalculate_cells`] of bytes the engine may keep (no copy); `parallel`: the engine may
/// evaluate on several threads; `ours`: a workbook barometro wrote itself (a report), loaded
/// whatever its size (the engine's default limits, meant for files from elsewhere, stop at
/// 256 MiB of XML: a report of about 200,000 indicators).
fn recalculate_owned(
    bytes: Vec<u8>,
    cells: &[(&str, u32, u16)],
    parallel: bool,
    ours: bool,
) -> Result<Vec<Computed>, ReportError> {
    use formualizer::workbook::{
        LiteralValue, LoadStrategy, NativeXlsxAdapter, SpreadsheetReader, Workbook, WorkbookConfig,
        XlsxLoadLimits,
    };
    let fail = |e: &dyn std::fmt::Display| ReportError::Verify(format!("{ENGINE}: {e}"));
    let mut config = WorkbookConfig::ephemeral();
    let adapter = if ours {
        const LOTS: usize = 1 << 40;
        let limits = XlsxLoadLimits {
            max_input_bytes: LOTS,
            max_expanded_bytes: LOTS,
            max_part_bytes: LOTS,
            ..XlsxLoadLimits::default()
        };
        let spool = LOTS as u64;
        config.ingest_limits.max_formula_spool_bytes_per_sheet = spool;
        config.ingest_limits.max_formula_spool_bytes_per_workbook = spool;
        NativeXlsxAdapter::open_bytes_with_limits(bytes, limits)
    } else {
        NativeXlsxAdapter::open_bytes(bytes)
    }
    .map_err(|e| fail(&e))?;
    // Dates as serial numbers, as Excel stores them (not as date values).
    config.eval.temporal_egress = formualizer::TemporalEgress::Serial;
    config.eval.enable_parallel = parallel;
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
