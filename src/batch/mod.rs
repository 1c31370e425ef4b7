//! Many workbooks at once (`barometro batch`): every workbook of a folder gets its report, on
//! several threads, and a consolidated workbook compares them. One file that fails never stops
//! the others: its outcome says why, in Italian.
//!
//! ```no_run
//! use barometro::batch::{consolidated_workbook, find_workbooks, run_batch, BatchOptions};
//! use barometro::report::write_atomically;
//! use barometro::rules::RuleSet;
//! use std::path::Path;
//!
//! let (dir, outdir) = (Path::new("obiettivi"), Path::new("relazioni"));
//! let files = find_workbooks(dir, Some(outdir), false)?;
//! let options = BatchOptions::default();
//! let batch = run_batch(dir, &files, outdir, &options, |outcome, done| {
//!     println!("[{done}/{}] {}", files.len(), outcome.name);
//! })?;
//! let rules = RuleSet::default_set()?;
//! let consolidated = consolidated_workbook(&batch, &rules, dir, outdir)?;
//! write_atomically(&outdir.join("consolidato.xlsx"), &consolidated.bytes, None, true)?;
//! println!("{} riusciti, {} non riusciti", batch.succeeded().count(), batch.failed().count());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod consolidated;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::model::Severity;
use crate::report::{
    check_output_against, report_workbook, write_atomically_against, InputFiles, ReportError,
    ReportOptions, WorkbookReport,
};
use crate::rules::{RuleError, RuleSet};

pub use consolidated::{consolidated_workbook, AREE, ESITO_ERRORE, ESITO_OK, RIEPILOGO};

/// The consolidated workbook's file name in the output folder.
pub const CONSOLIDATED_NAME: &str = "consolidato.xlsx";

/// What a report's file name adds to its workbook's stem: `cremona.xlsx` →
/// `cremona-relazione.xlsx`.
pub const REPORT_SUFFIX: &str = "-relazione.xlsx";

/// How a batch runs.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// The rules: a folder or the name of a built-in set; `None` for the default set. Each
    /// worker thread compiles its own copy (a rule set is not shared between threads).
    pub rules: Option<String>,
    /// How each workbook is read, scored and verified. With more than one job, a workbook is
    /// scored on its worker's thread alone unless `report.evaluate.threads` says otherwise.
    pub report: ReportOptions,
    /// Worker threads (at least 1).
    pub jobs: usize,
    /// Replace reports that already exist.
    pub force: bool,
}

impl Default for BatchOptions {
    /// The default rules, verification on, one thread per available core, no replacing.
    fn default() -> Self {
        BatchOptions {
            rules: None,
            report: ReportOptions {
                verify: true,
                ..ReportOptions::default()
            },
            jobs: available_cores(),
            force: false,
        }
    }
}

/// The cores this process may use (1 when unknown).
pub fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Why a batch could not run at all (a single file's failure is a [`FileOutcome`] instead).
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// The input folder cannot be listed.
    #[error("impossibile leggere la cartella «{}»: {source}", path.display())]
    Folder {
        /// The folder.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The input is not a folder.
    #[error("«{}» non è una cartella: indicate la cartella che contiene le cartelle di lavoro .xlsx", .0.display())]
    NotAFolder(PathBuf),
    /// The output folder cannot be created.
    #[error("impossibile creare la cartella delle relazioni «{}»: {}", path.display(), crate::report::write_error_reason(source))]
    Output {
        /// The folder.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The rules do not compile.
    #[error("errore nelle regole: {0}")]
    Rules(#[from] RuleError),
}

/// The figures of one area of a reported workbook, for the consolidated *Aree* sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaSummary {
    /// The area's name.
    pub name: String,
    /// What kind of area it is (`Linea strategica`, `Settore`…).
    pub kind: String,
    /// Its objectives, sub-areas included.
    pub objectives: usize,
    /// Its achievement (never NaN or infinite).
    pub score: Option<f64>,
}

/// The figures of one reported workbook, for the closing table and the consolidated workbook.
#[derive(Debug, Clone, PartialEq)]
pub struct FileSummary {
    /// The ente's name.
    pub ente: String,
    /// The top-level areas.
    pub areas: Vec<AreaSummary>,
    /// Objectives of the ente.
    pub objectives: usize,
    /// Indicators of the ente.
    pub indicators: usize,
    /// The ente's achievement (never NaN or infinite).
    pub score: Option<f64>,
    /// Why there is no achievement, when there is none.
    pub score_reason: Option<String>,
    /// The barometer label of the achievement, from the rules' bands.
    pub barometer: String,
    /// `errore` findings (reader, rules' checks, formulas that differ from their rule).
    pub errors: usize,
    /// `avviso` findings.
    pub warnings: usize,
    /// Formulas in the report.
    pub formulas: usize,
    /// Whether the formulas were recalculated by the independent engine.
    pub verified: bool,
}

impl FileSummary {
    /// The summary of a workbook's report.
    pub fn of(done: &WorkbookReport) -> FileSummary {
        let ev = &done.evaluation;
        let finite = |v: Option<f64>| v.filter(|x| x.is_finite());
        FileSummary {
            ente: ev.ente.ente.clone(),
            areas: ev
                .ente
                .areas
                .iter()
                .zip(&ev.areas)
                .map(|(area, outcome)| AreaSummary {
                    name: area.name.clone(),
                    kind: area.kind.to_string(),
                    objectives: area.all_objectives().count(),
                    score: finite(outcome.score.value),
                })
                .collect(),
            objectives: ev.ente.objective_count(),
            indicators: ev.ente.indicator_count(),
            score: finite(ev.score.value),
            score_reason: ev.score.reason.clone(),
            barometer: ev.bands.label_of(finite(ev.score.value)).to_string(),
            errors: done.count(Severity::Error),
            warnings: done.count(Severity::Warning),
            formulas: done.report.checks.len(),
            verified: done.verification.is_some(),
        }
    }
}

/// What happened to one workbook of a batch.
#[derive(Debug, Clone)]
pub struct FileOutcome {
    /// The workbook.
    pub input: PathBuf,
    /// Its path relative to the input folder, as shown to the user.
    pub name: String,
    /// Where its report goes (written only when `result` is `Ok`).
    pub report: PathBuf,
    /// Its figures, or why it has no report (Italian, naming the file).
    pub result: Result<FileSummary, String>,
    /// Time spent on it.
    pub elapsed: Duration,
}

impl FileOutcome {
    /// Whether its report was written.
    pub fn succeeded(&self) -> bool {
        self.result.is_ok()
    }
}

/// The outcome of a batch, in the order of the files given to [`run_batch`].
#[derive(Debug, Clone)]
pub struct Batch {
    /// One outcome per workbook.
    pub outcomes: Vec<FileOutcome>,
    /// Worker threads used.
    pub jobs: usize,
    /// Wall-clock time of the whole batch.
    pub elapsed: Duration,
}

impl Batch {
    /// The workbooks whose report was written, with their figures.
    pub fn succeeded(&self) -> impl Iterator<Item = (&FileOutcome, &FileSummary)> + '_ {
        self.outcomes
            .iter()
            .filter_map(|o| o.result.as_ref().ok().map(|s| (o, s)))
    }

    /// The workbooks with no report, with the reason.
    pub fn failed(&self) -> impl Iterator<Item = (&FileOutcome, &str)> + '_ {
        self.outcomes
            .iter()
            .filter_map(|o| o.result.as_ref().err().map(|e| (o, e.as_str())))
    }

    /// Workbooks per second of wall-clock time.
    pub fn files_per_second(&self) -> f64 {
        let s = self.elapsed.as_secs_f64();
        if s > 0.0 {
            self.outcomes.len() as f64 / s
        } else {
            0.0
        }
    }
}

/// Whether a file name is a workbook a batch reports: `.xlsx` or `.xlsm` (any case), not an
/// Excel lock file (`~$…`), not hidden (`.…`).
///
/// ```
/// use barometro::batch::is_workbook_name;
/// assert!(is_workbook_name("Cremona 2024.XLSX"));
/// assert!(is_workbook_name("piano.xlsm"));
/// assert!(!is_workbook_name("~$piano.xlsx"));
/// assert!(!is_workbook_name(".piano.xlsx"));
/// assert!(!is_workbook_name("piano.xls"));
/// ```
pub fn is_workbook_name(name: &str) -> bool {
    if name.starts_with("~$") || name.starts_with('.') {
        return false;
    }
    let lower = name.to_lowercase();
    lower.ends_with(".xlsx") || lower.ends_with(".xlsm")
}

/// The workbooks in `dir` (with `recursive`, in its sub-folders too, hidden ones excepted),
/// sorted by path. The folder `skip` (the output folder) is left out when it is inside `dir`;
/// when it is `dir` itself, the reports and the consolidated workbook a batch wrote there are.
pub fn find_workbooks(
    dir: &Path,
    skip: Option<&Path>,
    recursive: bool,
) -> Result<Vec<PathBuf>, BatchError> {
    if !dir.is_dir() {
        return Err(BatchError::NotAFolder(dir.to_path_buf()));
    }
    let skip = skip.and_then(|s| s.canonicalize().ok());
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let is_output = skip.is_some() && folder.canonicalize().ok() == skip;
        let folder_error = |source| BatchError::Folder {
            path: folder.clone(),
            source,
        };
        for entry in std::fs::read_dir(&folder).map_err(folder_error)? {
            let entry = entry.map_err(folder_error)?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let kind = entry.file_type().map_err(folder_error)?;
            let is_dir = kind.is_dir() || (kind.is_symlink() && path.is_dir());
            if is_dir {
                let skipped = skip.is_some() && path.canonicalize().ok() == skip;
                if recursive && !name.starts_with('.') && !skipped {
                    pending.push(path);
                }
            } else if is_workbook_name(&name)
                && !(is_output && (name.ends_with(REPORT_SUFFIX) || name == CONSOLIDATED_NAME))
            {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Where the report of `input` goes: `OUTDIR/<stem>-relazione.xlsx`, in the same sub-folder of
/// `outdir` as `input` is of `dir` (so two `piano.xlsx` in different sub-folders do not clash).
///
/// ```
/// use barometro::batch::report_path;
/// use std::path::Path;
/// let out = report_path(Path::new("enti"), Path::new("relazioni"), Path::new("enti/nord/Cremona.xlsx"));
/// assert_eq!(out, Path::new("relazioni/nord/Cremona-relazione.xlsx"));
/// ```
pub fn report_path(dir: &Path, outdir: &Path, input: &Path) -> PathBuf {
    let stem = input
        .file_stem()
        .map_or_else(|| "cartella".into(), |s| s.to_string_lossy().into_owned());
    let sub = input
        .parent()
        .and_then(|p| p.strip_prefix(dir).ok())
        .unwrap_or(Path::new(""));
    outdir.join(sub).join(format!("{stem}{REPORT_SUFFIX}"))
}

/// `input` relative to `dir`, for people.
fn display_name(dir: &Path, input: &Path) -> String {
    input
        .strip_prefix(dir)
        .unwrap_or(input)
        .display()
        .to_string()
}

/// Compiles the rule set the options name.
pub fn load_rules(rules: Option<&str>) -> Result<RuleSet, RuleError> {
    match rules {
        Some(name) => RuleSet::open(name),
        None => RuleSet::default_set(),
    }
}

/// Reports every workbook of `files` (found in `dir`) into `outdir`, on `options.jobs`
/// threads, and calls `progress` on the calling thread as each one finishes (with how many
/// have finished). A file that cannot be read, scored, verified or written, or that makes
/// barometro panic, is a failed [`FileOutcome`]; the others go on.
///
/// Fails as a whole only when the rules do not compile or `outdir` cannot be created.
pub fn run_batch(
    dir: &Path,
    files: &[PathBuf],
    outdir: &Path,
    options: &BatchOptions,
    mut progress: impl FnMut(&FileOutcome, usize),
) -> Result<Batch, BatchError> {
    let started = Instant::now();
    // Compiled here once so that a broken rule set stops the batch before any work.
    load_rules(options.rules.as_deref())?;
    std::fs::create_dir_all(outdir).map_err(|source| BatchError::Output {
        path: outdir.to_path_buf(),
        source,
    })?;
    // `a.xlsx` and `a.xlsm` would both write `a-relazione.xlsx`: the first one does.
    let mut first_to_write: std::collections::HashMap<PathBuf, &PathBuf> =
        std::collections::HashMap::with_capacity(files.len());
    let clashes: Vec<Option<&PathBuf>> = files
        .iter()
        .map(|input| {
            let first = *first_to_write
                .entry(report_path(dir, outdir, input))
                .or_insert(input);
            (first != input).then_some(first)
        })
        .collect();
    // No report over any workbook of the batch, not only its own: looked up once.
    let inputs = {
        let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
        InputFiles::new(&paths)
    };
    let inputs = &inputs;
    let clashes = &clashes;
    let jobs = options.jobs.clamp(1, files.len().max(1));
    // Several files at once already use the cores: each file is scored on its own worker
    // (`EvaluateOptions::threads`), unless the caller chose a number of threads, and its
    // verification runs on its worker's thread, after the save, with the formula engine on
    // one thread.
    let mut per_file = options.clone();
    if jobs > 1 && per_file.report.evaluate.threads == 0 {
        per_file.report.evaluate.threads = 1;
    }
    per_file.report.one_thread = options.report.one_thread || jobs >= available_cores();
    let options = &per_file;
    let next = AtomicUsize::new(0);
    let mut outcomes: Vec<Option<FileOutcome>> = vec![None; files.len()];
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::channel::<(usize, FileOutcome)>();
        for _ in 0..jobs {
            let sender = sender.clone();
            let next = &next;
            scope.spawn(move || {
                let rules = load_rules(options.rules.as_deref());
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(input) = files.get(index) else { break };
                    let outcome = match clashes[index] {
                        Some(first) => clash(dir, input, first, outdir),
                        None => report_one(dir, input, inputs, outdir, rules.as_ref(), options),
                    };
                    if sender.send((index, outcome)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        for (done, (index, outcome)) in receiver.into_iter().enumerate() {
            progress(&outcome, done + 1);
            outcomes[index] = Some(outcome);
        }
    });
    let outcomes = outcomes
        .into_iter()
        .zip(files)
        .map(|(o, input)| {
            // Only a worker that died outside the per-file guard leaves a hole.
            o.unwrap_or_else(|| FileOutcome {
                input: input.clone(),
                name: display_name(dir, input),
                report: report_path(dir, outdir, input),
                result: Err(format!(
                    "«{}»: non elaborato (errore interno di barometro)",
                    input.display()
                )),
                elapsed: Duration::ZERO,
            })
        })
        .collect();
    Ok(Batch {
        outcomes,
        jobs,
        elapsed: started.elapsed(),
    })
}

/// The outcome of `input`, whose report would be the one of `first`.
fn clash(dir: &Path, input: &Path, first: &Path, outdir: &Path) -> FileOutcome {
    let report = report_path(dir, outdir, input);
    FileOutcome {
        input: input.to_path_buf(),
        name: display_name(dir, input),
        result: Err(format!(
            "«{}»: la sua relazione sarebbe {}, la stessa di «{}»: rinominate uno dei due file",
            input.display(),
            report.display(),
            first.display()
        )),
        report,
        elapsed: Duration::ZERO,
    }
}

/// One workbook to its written report (never over any of `files`); a panic becomes a failure.
fn report_one(
    dir: &Path,
    input: &Path,
    inputs: &InputFiles,
    outdir: &Path,
    rules: Result<&RuleSet, &RuleError>,
    options: &BatchOptions,
) -> FileOutcome {
    let started = Instant::now();
    let report = report_path(dir, outdir, input);
    let result = match rules {
        Err(e) => Err(format!("«{}»: errore nelle regole: {e}", input.display())),
        Ok(rules) => catch_unwind(AssertUnwindSafe(|| {
            write_report(input, inputs, &report, rules, options).map_err(|e| e.to_string())
        }))
        .unwrap_or_else(|panic| {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(format!(
                "«{}»: errore interno di barometro ({detail}); gli altri file sono stati elaborati: segnalateci questo file",
                input.display()
            ))
        }),
    };
    FileOutcome {
        input: input.to_path_buf(),
        name: display_name(dir, input),
        report,
        result,
        elapsed: started.elapsed(),
    }
}

fn write_report(
    input: &Path,
    inputs: &InputFiles,
    report: &Path,
    rules: &RuleSet,
    options: &BatchOptions,
) -> Result<FileSummary, ReportError> {
    // No report over any workbook of the batch, not only its own; refused before the work
    // rather than after it.
    check_output_against(report, inputs, options.force)?;
    if let Some(folder) = report.parent() {
        std::fs::create_dir_all(folder).map_err(|source| ReportError::Write {
            path: folder.to_path_buf(),
            source,
        })?;
    }
    let done = report_workbook(input, rules, &options.report)?;
    write_atomically_against(report, &done.report.bytes, inputs, options.force)?;
    Ok(FileSummary::of(&done))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_workbooks_skipping_locks_hidden_and_the_output() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path();
        let out = dir.join("relazioni");
        for sub in ["nord", ".nascosta", "relazioni"] {
            std::fs::create_dir(dir.join(sub)).unwrap();
        }
        for file in [
            "b.xlsx",
            "a.XLSM",
            "~$b.xlsx",
            ".c.xlsx",
            "d.xls",
            "nord/e.xlsx",
            ".nascosta/f.xlsx",
            "relazioni/b-relazione.xlsx",
        ] {
            std::fs::write(dir.join(file), b"").unwrap();
        }
        let names = |found: Vec<PathBuf>| -> Vec<String> {
            found.iter().map(|p| display_name(dir, p)).collect()
        };
        let flat = find_workbooks(dir, Some(&out), false).unwrap();
        assert_eq!(names(flat), ["a.XLSM", "b.xlsx"]);
        let deep = find_workbooks(dir, Some(&out), true).unwrap();
        let e = deep[2].clone();
        assert_eq!(names(deep), ["a.XLSM", "b.xlsx", "nord/e.xlsx"]);
        // Reports of sub-folders go to the same sub-folder of the output.
        assert_eq!(
            report_path(dir, &out, &e),
            out.join("nord/e-relazione.xlsx")
        );
        // The output folder is the input folder: its reports are not inputs.
        let same = find_workbooks(&out, Some(&out), false).unwrap();
        assert!(same.is_empty(), "{same:?}");
        assert!(matches!(
            find_workbooks(&dir.join("b.xlsx"), None, false),
            Err(BatchError::NotAFolder(_))
        ));
    }
}
