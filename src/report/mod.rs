//! The report (*relazione*): an XLSX workbook in which every computed number is a live Excel
//! formula over the cells it comes from, with the rules' value cached, and colour barometers
//! from the rules' bands.
//!
//! Sheets: *Sintesi* (areas, the ente total, a chart and the legend), *Obiettivi*,
//! *Indicatori* (inputs, method, achievement, barometer and the source cell of every input),
//! *Attività* (when the workbook has activities), *Anomalie* (every finding) and *Regole* (the
//! audit trail: rule files with their SHA-256, bands, monitoring date, input file and its
//! SHA-256, barometro's version, time of generation).
//!
//! Every formula comes from a rule's Excel twin ([`crate::rules::Twin`]); the report only
//! decides where the cells are. [`verify`] recalculates the written workbook with an
//! independent formula engine and compares every formula with the value the rules computed.
//!
//! ```
//! use barometro::model::{Area, Ente, Field, Indicator, IndicatorValue, Objective, Source};
//! use barometro::report::{build, verify, Provenance};
//! use barometro::rules::{evaluate, EvaluateOptions, RuleSet};
//! use barometro::value::Value;
//!
//! let num = |n: f64, col| Field {
//!     raw: n.to_string().into(),
//!     value: Value::Number { number: n, unit: None },
//!     source: Source::new("Foglio1".into(), 1, col),
//! };
//! let mut indicator = Indicator::new(Source::new("Foglio1".into(), 1, 0));
//! indicator.set(IndicatorValue::Target, num(50.0, 3));
//! indicator.set(IndicatorValue::Actual, num(39.0, 4));
//! let mut objective = Objective::new(Source::new("Foglio1".into(), 1, 0));
//! objective.indicators.push(indicator);
//! let mut area = Area::new("Ambiente", "Linea strategica");
//! area.objectives.push(objective);
//! let mut ente = Ente::new("Comune di Esempio", "esempio.xlsx");
//! ente.areas.push(area);
//!
//! let rules = RuleSet::default_set()?;
//! let evaluation = evaluate(ente, &rules, &EvaluateOptions::default());
//! let report = build(&evaluation, &rules, &Provenance::named("esempio.xlsx"))?;
//! let proof = verify(&report)?;
//! assert!(proof.mismatches.is_empty());
//! assert_eq!(proof.checked, report.checks.len());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod compare;
mod json;
mod layout;
mod package;
mod pipeline;
mod sheets;
pub(crate) mod style;
mod template;
mod verify;
mod workbook_template;
mod writer;

use std::fmt;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::model::Finding;
use crate::rules::{Evaluation, RuleSet};

pub use compare::{build_comparison, ComparedSide, AREE, ORIGINE, SOLO_IN_UNO};
pub use json::scored_json;
pub use layout::{ANOMALIE, ATTIVITA, INDICATORI, OBIETTIVI, REGOLE, SINTESI};
pub use package::{Package, SheetPart, MAX_UNCOMPRESSED};
pub use pipeline::{report_read_workbook, report_workbook, ReportOptions, WorkbookReport};
pub use sheets::{excel_serial, sha256_hex};
pub use style::{label_formula, number_text};
pub use template::{
    column_name, ReportTemplate, SheetTemplate, SheetTemplates, TemplateError,
    DEFAULT_TEMPLATE_NAME, DEFAULT_TEMPLATE_TOML,
};
pub use verify::{
    agrees, recalculate_cells, verify, Computed, Mismatch, Recalculated, Verification, ENGINE,
};
pub use workbook_template::{
    FilledTemplate, WorkbookTemplate, BUILTIN_WORKBOOK_TEMPLATES, CREMONA_TEMPLATE,
};
pub use writer::{WriterSettings, REPORT_WRITER};

/// The layout of a report: a TOML template that arranges barometro's own report, or an Excel
/// template the office designed, filled with the results. The default is the built-in
/// [`ReportTemplate::predefinito`].
#[derive(Debug, Clone)]
pub enum Template {
    /// `modello.toml`: barometro's report with the office's sheet names, columns, labels…
    Report(Box<ReportTemplate>),
    /// An `.xlsx` with placeholders.
    Workbook(WorkbookTemplate),
}

impl Default for Template {
    fn default() -> Template {
        Template::Report(Box::default())
    }
}

impl Template {
    /// A template by name or path: `predefinito` and `cremona` are built in; a folder with
    /// `modello.toml` or `modello.xlsx`, a `.toml` file or an `.xlsx` file are read from disk.
    ///
    /// ```
    /// use barometro::report::Template;
    /// assert!(matches!(Template::load("predefinito")?, Template::Report(_)));
    /// assert!(matches!(Template::load("cremona")?, Template::Workbook(_)));
    /// assert!(Template::load("nessuno").is_err());
    /// # Ok::<(), barometro::report::TemplateError>(())
    /// ```
    pub fn load(spec: &str) -> Result<Template, TemplateError> {
        if spec == DEFAULT_TEMPLATE_NAME {
            return Ok(Template::Report(Box::default()));
        }
        if let Some(t) = WorkbookTemplate::builtin(spec) {
            return t.map(Template::Workbook);
        }
        let path = Path::new(spec);
        let is_xlsx = |p: &Path| {
            p.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xlsm"))
        };
        if path.is_dir() {
            let toml = path.join("modello.toml");
            let xlsx = path.join("modello.xlsx");
            if toml.is_file() {
                return ReportTemplate::from_path(&toml).map(|t| Template::Report(Box::new(t)));
            }
            if xlsx.is_file() {
                return WorkbookTemplate::from_path(&xlsx).map(Template::Workbook);
            }
            return Err(TemplateError::Invalid {
                file: path.display().to_string(),
                message: "la cartella non contiene modello.toml né modello.xlsx".into(),
            });
        }
        if path.is_file() {
            return if is_xlsx(path) {
                WorkbookTemplate::from_path(path).map(Template::Workbook)
            } else {
                ReportTemplate::from_path(path).map(|t| Template::Report(Box::new(t)))
            };
        }
        Err(TemplateError::Invalid {
            file: spec.to_string(),
            message: format!(
                "non esiste: indicate un modello incorporato ({}, {}), una cartella con modello.toml o modello.xlsx, oppure un file .toml o .xlsx",
                DEFAULT_TEMPLATE_NAME,
                BUILTIN_WORKBOOK_TEMPLATES.join(", ")
            ),
        })
    }
}

/// Where the report's input came from, for the audit trail (*Regole* sheet).
#[derive(Debug, Clone)]
pub struct Provenance {
    /// The input file's name as the user gave it.
    pub input_name: String,
    /// SHA-256 of the input file, lower-case hexadecimal.
    pub input_sha256: Option<String>,
    /// When the report was generated.
    pub generated_at: chrono::DateTime<chrono::FixedOffset>,
}

impl Provenance {
    /// The provenance of an input file: its name and SHA-256, generated now.
    pub fn of_file(path: &Path) -> std::io::Result<Provenance> {
        let bytes = fs::read(path)?;
        Ok(Provenance {
            input_name: path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            ),
            input_sha256: Some(sha256_hex(&bytes)),
            generated_at: chrono::Local::now().fixed_offset(),
        })
    }

    /// A provenance with only a name (no checksum), generated now.
    pub fn named(name: &str) -> Provenance {
        Provenance {
            input_name: name.to_string(),
            input_sha256: None,
            generated_at: chrono::Local::now().fixed_offset(),
        }
    }
}

/// The value a formula cell must show: what the rules computed.
#[derive(Debug, Clone, PartialEq)]
pub enum Expected {
    /// A number (achievement, weight, expected-to-date).
    Number(f64),
    /// A text (barometer label, judgement).
    Text(String),
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Number(n) => write!(f, "{}", crate::value::format_number_it(*n)),
            Expected::Text(t) => write!(f, "«{t}»"),
        }
    }
}

/// A formula the report wrote, with the value the rules computed for it.
#[derive(Debug, Clone, PartialEq)]
pub struct FormulaCheck {
    /// The sheet (by default one of [`SINTESI`], [`OBIETTIVI`], [`INDICATORI`], [`ATTIVITA`];
    /// a template may rename them).
    pub sheet: String,
    /// Zero-based row.
    pub row: u32,
    /// Zero-based column.
    pub col: u16,
    /// The formula, with English function names, starting with `=`.
    pub formula: String,
    /// The rules' value, cached in the cell.
    pub expected: Expected,
    /// The rule that computed it, e.g. `indicatori.rhai:136 (rapporto)`.
    pub rule: String,
}

impl FormulaCheck {
    /// The cell as `'Sheet'!C5`.
    pub fn cell(&self) -> String {
        crate::model::Source::new(self.sheet.as_str().into(), self.row, u32::from(self.col))
            .to_string()
    }

    /// The rules' value as the formula's cached result.
    fn cached(&self) -> String {
        match &self.expected {
            Expected::Number(n) => number_text(*n),
            Expected::Text(t) => t.clone(),
        }
    }

    /// Writes the formula into its cell with the rules' value cached (so viewers that do not
    /// recalculate show it) and records it in `checks` for the verification.
    pub(crate) fn write(
        self,
        ws: &mut rust_xlsxwriter::Worksheet,
        format: &rust_xlsxwriter::Format,
        checks: &mut Vec<FormulaCheck>,
    ) -> Result<(), rust_xlsxwriter::XlsxError> {
        let cached = self.cached();
        ws.write_formula_with_format(
            self.row,
            self.col,
            rust_xlsxwriter::Formula::new(&self.formula).set_result(cached),
            format,
        )?;
        checks.push(self);
        Ok(())
    }

    /// [`FormulaCheck::write`] through the report's writer, which also records the formula
    /// for the verification.
    pub(crate) fn write_out(
        self,
        out: &mut writer::Out<'_>,
        format: &rust_xlsxwriter::Format,
        checks: &mut Vec<FormulaCheck>,
    ) -> Result<(), rust_xlsxwriter::XlsxError> {
        let cached = self.cached();
        out.formula(
            self.row,
            self.col,
            &self.formula,
            cached,
            format,
            checks.len(),
        )?;
        checks.push(self);
        Ok(())
    }
}

/// A report in memory: the XLSX bytes and the formulas to verify.
#[derive(Debug, Clone)]
pub struct Report {
    /// The XLSX file.
    pub bytes: Vec<u8>,
    /// Every formula written, with the value the rules computed for it.
    pub checks: Vec<FormulaCheck>,
}

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The XLSX writer refused something.
    #[error("impossibile comporre la relazione: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// Writing the output failed (full disk, no permission…); nothing was left at its path.
    #[error("impossibile scrivere {}: {} (nessun file è stato modificato)", path.display(), write_error_reason(source))]
    Write {
        /// The output.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The output exists and `--force` was not given.
    #[error("{0} esiste già: scegliete un altro nome o aggiungete --force per sostituirlo")]
    Exists(PathBuf),
    /// The output is the input.
    #[error("{} è il file di input (o un altro file che il comando legge), che barometro non modifica mai: scrivete in un altro file", .0.display())]
    SameAsInput(PathBuf),
    /// The template could not be filled.
    #[error("modello: {0}")]
    Template(#[from] TemplateError),
    /// The formula engine could not read the report back.
    #[error("verifica delle formule non riuscita: {0}")]
    Verify(String),
    /// The input workbook could not be read ([`report_workbook`]).
    #[error(transparent)]
    Read(#[from] crate::read::ReadError),
    /// The run stopped at its first rule error ([`crate::rules::OnRuleError::Stop`]).
    #[error("«{}»: valutazione interrotta alla prima regola in errore (--errori-regole ferma){}: {}", path.display(), finding.source.as_ref().map(|s| format!(", cella {s}")).unwrap_or_default(), finding.message)]
    RuleStopped {
        /// The input.
        path: PathBuf,
        /// The rule error.
        finding: Finding,
    },
}

/// Builds the report of an evaluation.
pub fn build(
    evaluation: &Evaluation,
    rules: &RuleSet,
    provenance: &Provenance,
) -> Result<Report, ReportError> {
    build_with_findings(evaluation, rules, provenance, &[])
}

/// Builds the report, listing `extra` findings (e.g. formulas that failed the verification)
/// in *Anomalie* after the reader's and the rules'.
pub fn build_with_findings(
    evaluation: &Evaluation,
    rules: &RuleSet,
    provenance: &Provenance,
    extra: &[Finding],
) -> Result<Report, ReportError> {
    build_with_template(
        evaluation,
        rules,
        provenance,
        &ReportTemplate::predefinito(),
        extra,
    )
}

/// Builds the report as `template` lays it out (sheet names, columns, labels, titles, print
/// header and footer, logo), listing `extra` findings in *Anomalie*.
pub fn build_with_template(
    evaluation: &Evaluation,
    rules: &RuleSet,
    provenance: &Provenance,
    template: &ReportTemplate,
    extra: &[Finding],
) -> Result<Report, ReportError> {
    let mut book = sheets::Book::new(evaluation, rules, provenance, template);
    let mut workbook = book.build(extra, None)?;
    let bytes = workbook.save_to_buffer()?;
    Ok(Report {
        bytes,
        checks: book.checks,
    })
}

/// Builds the report as [`build_with_template`] does and verifies its formulas: while the
/// workbook is written, every cell a formula may read is recorded exactly as it is handed
/// to rust_xlsxwriter (formulas, numbers, and the texts of the columns formulas read), and
/// the independent engine recalculates the formulas from that copy while rust_xlsxwriter
/// compresses and saves the workbook, on a second thread unless `one_thread` (then the two
/// run one after the other, and the engine evaluates on one thread too). When a rule's twin
/// refers to cells by itself (`=A1+{consuntivo}`), the recorded cells may not be all it
/// reads: the written file is recalculated instead, as [`verify`] does
/// ([`Verification::recalculated`] says which).
///
/// ```
/// use barometro::model::{Area, Ente, Field, Indicator, IndicatorValue, Objective, Source};
/// use barometro::report::{build_and_verify, Provenance, Recalculated, ReportTemplate};
/// use barometro::rules::{evaluate, EvaluateOptions, RuleSet};
/// use barometro::value::Value;
///
/// let num = |n: f64, col| Field {
///     raw: n.to_string().into(),
///     value: Value::Number { number: n, unit: None },
///     source: Source::new("Foglio1".into(), 1, col),
/// };
/// let mut indicator = Indicator::new(Source::new("Foglio1".into(), 1, 0));
/// indicator.set(IndicatorValue::Target, num(50.0, 3));
/// indicator.set(IndicatorValue::Actual, num(39.0, 4));
/// let mut objective = Objective::new(Source::new("Foglio1".into(), 1, 0));
/// objective.indicators.push(indicator);
/// let mut area = Area::new("Ambiente", "Linea strategica");
/// area.objectives.push(objective);
/// let mut ente = Ente::new("Comune di Esempio", "esempio.xlsx");
/// ente.areas.push(area);
///
/// let rules = RuleSet::default_set()?;
/// let evaluation = evaluate(ente, &rules, &EvaluateOptions::default());
/// let template = ReportTemplate::predefinito();
/// let provenance = Provenance::named("esempio.xlsx");
/// let (report, proof) = build_and_verify(&evaluation, &rules, &provenance, &template, &[], false)?;
/// assert!(proof.mismatches.is_empty());
/// assert_eq!(proof.checked, report.checks.len());
/// assert!(matches!(proof.recalculated, Recalculated::Cells { .. }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn build_and_verify(
    evaluation: &Evaluation,
    rules: &RuleSet,
    provenance: &Provenance,
    template: &ReportTemplate,
    extra: &[Finding],
    one_thread: bool,
) -> Result<(Report, Verification), ReportError> {
    build_and_verify_in_groups(
        evaluation,
        rules,
        provenance,
        template,
        extra,
        one_thread,
        sheets::GROUP_INDICATORS,
    )
}

/// [`build_and_verify`] with groups of `group_indicators` indicators.
fn build_and_verify_in_groups(
    evaluation: &Evaluation,
    rules: &RuleSet,
    provenance: &Provenance,
    template: &ReportTemplate,
    extra: &[Finding],
    one_thread: bool,
    group_indicators: usize,
) -> Result<(Report, Verification), ReportError> {
    use std::sync::{mpsc, Mutex};
    let mut book = sheets::Book::new(evaluation, rules, provenance, template);
    book.group_indicators = group_indicators;
    let mut results: Vec<verify::Done> = Vec::new();
    let (bytes, more) = if one_thread {
        // Each group verified as soon as it is written: one engine at a time.
        let mut sink = |job: sheets::Job| results.push(verify::run_job(job));
        let mut workbook = book.build(extra, Some(&mut sink))?;
        (
            workbook.save_to_buffer().map_err(ReportError::from),
            Vec::new(),
        )
    } else {
        // A second thread verifies the groups while the next are written and the workbook
        // is saved; when it is behind, this thread verifies the next group itself, then,
        // once the workbook is saved, helps with what is left.
        let (sender, receiver) = mpsc::sync_channel::<sheets::Job>(1);
        let receiver = Mutex::new(receiver);
        let drain = || {
            let mut done = Vec::new();
            loop {
                let job = match receiver.lock() {
                    Ok(r) => r.recv(),
                    Err(_) => break,
                };
                match job {
                    Ok(job) => done.push(verify::run_job(job)),
                    Err(_) => break,
                }
            }
            done
        };
        std::thread::scope(|scope| {
            let worker = scope.spawn(drain);
            let built = {
                let sender = sender;
                let mut sink = |job: sheets::Job| match sender.try_send(job) {
                    Ok(()) => {}
                    Err(mpsc::TrySendError::Full(job) | mpsc::TrySendError::Disconnected(job)) => {
                        results.push(verify::run_job(job))
                    }
                };
                book.build(extra, Some(&mut sink))
                // The sender is dropped here: the queue closes once it is empty.
            };
            let bytes = match built {
                Ok(mut workbook) => workbook.save_to_buffer().map_err(ReportError::from),
                Err(e) => Err(ReportError::from(e)),
            };
            let mut more = drain();
            match worker.join() {
                Ok(done) => more.extend(done),
                Err(panic) => more.push(verify::Done::panicked(&*panic)),
            }
            (bytes, more)
        })
    };
    results.extend(more);
    let bytes = bytes?;
    // The groups' values, in the order of the checks, then the ente's total.
    let proof = if book.verifiable() {
        let mut all = verify::assemble(results)?;
        if let Some(job) = book.glue(all.values()) {
            verify::append(&mut all, verify::run_job(job))?;
        }
        Some(verify::compare_cells(&book.checks, all)?)
    } else {
        None
    };
    let checks = std::mem::take(&mut book.checks);
    let report = Report { bytes, checks };
    let proof = match proof {
        Some(p) => p,
        // A twin reads cells the recording may not hold: recalculate the written file.
        None => verify(&report)?,
    };
    Ok((report, proof))
}

/// Whether `output` may be written: never over `input`, over an existing file only with
/// `force`. [`write_atomically`] checks it; a command also checks it before doing any work.
pub fn check_output(output: &Path, input: Option<&Path>, force: bool) -> Result<(), ReportError> {
    check_output_among(output, input.as_slice(), force)
}

/// Whether `output` may be written: never over any of `inputs` (the workbook, but also a
/// mapping, a template or a rule file the command reads), over an existing file only with
/// `force`. The same file is recognised however it is spelled (`./x.xlsx`, `d/../x.xlsx`),
/// through a symbolic link and, on Unix, through a hard link.
///
/// ```
/// use barometro::report::{check_output_among, ReportError};
/// let dir = tempfile::tempdir()?;
/// let input = dir.path().join("obiettivi.xlsx");
/// std::fs::write(&input, b"x")?;
/// let spelled = dir.path().join("sub").join("..").join("obiettivi.xlsx");
/// std::fs::create_dir(dir.path().join("sub"))?;
/// let refused = check_output_among(&spelled, &[input.as_path()], true);
/// assert!(matches!(refused, Err(ReportError::SameAsInput(_))));
/// assert!(check_output_among(&dir.path().join("relazione.xlsx"), &[input.as_path()], false).is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_output_among(output: &Path, inputs: &[&Path], force: bool) -> Result<(), ReportError> {
    check_output_against(output, &InputFiles::new(inputs), force)
}

/// [`check_output_among`] with the inputs looked up once ([`InputFiles`]): what a batch of
/// thousands of workbooks uses for each of its outputs.
pub fn check_output_against(
    output: &Path,
    inputs: &InputFiles,
    force: bool,
) -> Result<(), ReportError> {
    if inputs.contains(output) {
        return Err(ReportError::SameAsInput(output.to_path_buf()));
    }
    if !force && (output.exists() || output.symlink_metadata().is_ok()) {
        return Err(ReportError::Exists(output.to_path_buf()));
    }
    Ok(())
}

/// The files a command reads, looked up once, so that an output can be checked against all of
/// them ([`check_output_against`]) in one lookup instead of one comparison each: on Unix the
/// device and inode of each existing file (which also recognises hard links and every spelling
/// of the same path); a file that does not exist is compared as [`same_file`] does.
///
/// ```
/// use barometro::report::InputFiles;
/// let dir = tempfile::tempdir()?;
/// let input = dir.path().join("obiettivi.xlsx");
/// std::fs::write(&input, b"x")?;
/// let inputs = InputFiles::new(&[input.as_path()]);
/// assert!(inputs.contains(&dir.path().join(".").join("obiettivi.xlsx")));
/// assert!(!inputs.contains(&dir.path().join("relazione.xlsx")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct InputFiles {
    /// Device and inode of the inputs that exist (Unix).
    ids: std::collections::HashSet<(u64, u64)>,
    /// The inputs compared one by one: those that do not exist, or all of them off Unix.
    others: Vec<PathBuf>,
}

impl InputFiles {
    /// Looks up `inputs` (one `stat` each).
    pub fn new(inputs: &[&Path]) -> InputFiles {
        let mut files = InputFiles::default();
        for input in inputs {
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt as _;
                if let Ok(m) = fs::metadata(input) {
                    files.ids.insert((m.dev(), m.ino()));
                    continue;
                }
            }
            files.others.push(input.to_path_buf());
        }
        files
    }

    /// Whether `path` is one of the inputs, however it is spelled ([`same_file`]).
    pub fn contains(&self, path: &Path) -> bool {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt as _;
            if let Ok(m) = fs::metadata(path) {
                // An existing file is never one of the inputs that do not exist.
                return self.ids.contains(&(m.dev(), m.ino()));
            }
            // A file that does not exist is none of the existing inputs.
        }
        self.others.iter().any(|input| same_file(input, path))
    }
}

/// Writes `bytes` to `output` through a temporary file in the same folder and a rename, so that
/// a failure never leaves a half-written file or damages an existing one. Refuses to write
/// over `input`, and over an existing file unless `force` ([`check_output`]).
pub fn write_atomically(
    output: &Path,
    bytes: &[u8],
    input: Option<&Path>,
    force: bool,
) -> Result<(), ReportError> {
    write_atomically_among(output, bytes, input.as_slice(), force)
}

/// [`write_atomically`] refusing to write over any of `inputs` ([`check_output_among`]).
///
/// The temporary file (`.NAME.PID.N.tmp`, next to `output`) is created new, so two processes
/// or two threads writing into the same folder never share one; it is removed when the write
/// fails. Without `force` the finished file is linked to `output` only if nothing is there yet
/// (a file that appeared meanwhile is not replaced); with `force` it replaces `output` in one
/// rename. A crash (the process killed mid-write) can leave only the hidden temporary file,
/// never a partial `output`.
pub fn write_atomically_among(
    output: &Path,
    bytes: &[u8],
    inputs: &[&Path],
    force: bool,
) -> Result<(), ReportError> {
    write_atomically_against(output, bytes, &InputFiles::new(inputs), force)
}

/// [`write_atomically_among`] with the inputs looked up once ([`InputFiles`]).
pub fn write_atomically_against(
    output: &Path,
    bytes: &[u8],
    inputs: &InputFiles,
    force: bool,
) -> Result<(), ReportError> {
    check_output_against(output, inputs, force)?;
    let failed = |source| ReportError::Write {
        path: output.to_path_buf(),
        source,
    };
    let dir = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = output
        .file_name()
        .map_or_else(|| "relazione".into(), |n| n.to_string_lossy().into_owned());
    let (temp, mut file) = create_temp(&dir, &name).map_err(failed)?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| {
            drop(file);
            publish(&temp, output, force)
        });
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(match e.kind() {
            std::io::ErrorKind::AlreadyExists => ReportError::Exists(output.to_path_buf()),
            _ => failed(e),
        });
    }
    // The new name survives a power cut too; not every system can sync a folder.
    if let Ok(folder) = fs::File::open(&dir) {
        let _ = folder.sync_all();
    }
    Ok(())
}

/// A new temporary file in `dir` for the output `name`, never one that exists already.
fn create_temp(dir: &Path, name: &str) -> std::io::Result<(PathBuf, fs::File)> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let pid = std::process::id();
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".{name}.{pid}.{n}.tmp"));
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
        {
            Ok(file) => return Ok((temp, file)),
            // A crashed run with the same process id left it: take the next number.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < u64::from(u16::MAX) => {}
            Err(e) => return Err(e),
        }
    }
}

/// Gives the finished `temp` its name `output`: a rename with `force`; otherwise a hard link,
/// which fails if `output` exists, then the temporary name is removed. Where hard links are not
/// supported (FAT, some network shares) a rename after checking that `output` is still free.
fn publish(temp: &Path, output: &Path, force: bool) -> std::io::Result<()> {
    if force {
        return fs::rename(temp, output);
    }
    match fs::hard_link(temp, output) {
        Ok(()) => {
            let _ = fs::remove_file(temp);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(e),
        Err(_) if output.symlink_metadata().is_ok() => {
            Err(std::io::Error::from(std::io::ErrorKind::AlreadyExists))
        }
        Err(_) => fs::rename(temp, output),
    }
}

/// Why a file could not be written, in Italian.
pub fn write_error_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => {
            "spazio su disco esaurito: il disco è pieno (o lo spazio concesso è finito); liberate spazio o scrivete in un'altra cartella".into()
        }
        ErrorKind::FileTooLarge => {
            "il file supera la dimensione massima consentita: il disco potrebbe essere pieno o avere un limite di dimensione; liberate spazio o scrivete in un'altra cartella".into()
        }
        ErrorKind::PermissionDenied => "permesso negato: scegliete una cartella in cui potete scrivere".into(),
        ErrorKind::ReadOnlyFilesystem => "il disco è in sola lettura".into(),
        ErrorKind::NotFound => "la cartella non esiste".into(),
        ErrorKind::IsADirectory => "è una cartella".into(),
        ErrorKind::NotADirectory => "il percorso passa per un file che non è una cartella".into(),
        _ => e.to_string(),
    }
}

/// Whether two paths name the same file (the second may not exist yet): the same path once
/// resolved (`.`, `..`, symbolic links) or, on Unix, the same device and inode (hard links).
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        match (fs::metadata(a), fs::metadata(b)) {
            (Ok(x), Ok(y)) => return x.dev() == y.dev() && x.ino() == y.ino(),
            // One exists, the other does not: two files (and no path to resolve for each of a
            // batch's hundreds of outputs).
            (Ok(_), Err(_)) | (Err(_), Ok(_)) => return false,
            (Err(_), Err(_)) => {}
        }
    }
    let canon = |p: &Path| -> Option<PathBuf> {
        if let Ok(c) = p.canonicalize() {
            return Some(c);
        }
        let parent = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.canonicalize().ok()?,
            _ => std::env::current_dir().ok()?,
        };
        Some(parent.join(p.file_name()?))
    };
    match (canon(a), canon(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Area, Ente, Field, Indicator, IndicatorValue, Objective, Source};
    use crate::rules::{evaluate, EvaluateOptions};
    use crate::value::Value;

    /// Four areas (one with two sub-areas) of three objectives of four indicators each.
    fn ente() -> Ente {
        let mut row = 0;
        let mut objective = |seed: u32| {
            let mut o = Objective::new(Source::new("Foglio1".into(), row, 0));
            for i in 0..4u32 {
                row += 1;
                let num = |n: f64, col| Field {
                    raw: n.to_string().into(),
                    value: Value::Number {
                        number: n,
                        unit: None,
                    },
                    source: Source::new("Foglio1".into(), row, col),
                };
                let mut ind = Indicator::new(Source::new("Foglio1".into(), row, 0));
                ind.set(IndicatorValue::Target, num(50.0 + f64::from(seed), 3));
                ind.set(IndicatorValue::Actual, num(f64::from(seed * 7 + i * 13), 4));
                ind.set(IndicatorValue::Weight, num(f64::from(i + 1), 5));
                o.indicators.push(ind);
            }
            o
        };
        let mut ente = Ente::new("Comune di Prova", "prova.xlsx");
        for a in 0..4u32 {
            let mut area = Area::new(format!("Area {a}"), "Linea strategica");
            for k in 0..3 {
                area.objectives.push(objective(a * 10 + k));
            }
            if a == 2 {
                for s in 0..2u32 {
                    let mut sub = Area::new(format!("Settore {s}"), "Settore");
                    sub.objectives.push(objective(100 + s));
                    area.areas.push(sub);
                }
            }
            ente.areas.push(area);
        }
        ente
    }

    /// The default rules with `from` replaced by `to` in `file`.
    fn edited(file: &str, from: &str, to: &str) -> RuleSet {
        let dir = tempfile::tempdir().unwrap();
        RuleSet::default_set()
            .unwrap()
            .write_to(dir.path())
            .unwrap();
        let path = dir.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{from}");
        std::fs::write(&path, text.replace(from, to)).unwrap();
        RuleSet::load_dir(dir.path()).unwrap()
    }

    /// The cells that differ, as the grouped verification and the file's find them.
    fn both(rules: &RuleSet, one_thread: bool) -> (Vec<String>, Vec<String>, Verification) {
        let ev = evaluate(ente(), rules, &EvaluateOptions::default());
        let template = ReportTemplate::predefinito();
        let p = Provenance::named("prova.xlsx");
        // One area per group: four groups and the ente's total.
        let (report, grouped) =
            build_and_verify_in_groups(&ev, rules, &p, &template, &[], one_thread, 1).unwrap();
        let file = verify(&report).unwrap();
        assert_eq!(grouped.checked, report.checks.len());
        assert_eq!(file.checked, grouped.checked);
        let cells = |v: &Verification| -> Vec<String> {
            let mut c: Vec<String> = v
                .mismatches
                .iter()
                .map(|m| format!("{}!{}:{} {}", m.sheet, m.row, m.col, m.computed))
                .collect();
            c.sort();
            c
        };
        (cells(&grouped), cells(&file), grouped)
    }

    #[test]
    fn groups_and_the_total_verify_like_the_file() {
        for one_thread in [false, true] {
            let (grouped, file, proof) = both(&RuleSet::default_set().unwrap(), one_thread);
            assert!(
                grouped.is_empty() && file.is_empty(),
                "{grouped:?} {file:?}"
            );
            match proof.recalculated {
                Recalculated::Cells { groups, .. } => assert_eq!(groups, 5),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn a_wrong_area_twin_is_found_in_its_group_and_in_the_total() {
        // The areas' twin adds 1: every area differs, and so does the ente's average of them.
        let rules = edited(
            "aggregazione.rhai",
            "return \"=IFERROR(ROUND(AVERAGE({punteggi}),2),\\\"\\\")\";",
            "return \"=IFERROR(ROUND(AVERAGE({punteggi})+1,2),\\\"\\\")\";",
        );
        let (grouped, file, _) = both(&rules, false);
        assert!(!grouped.is_empty());
        assert_eq!(grouped, file);
        // The areas and the total (of the glue, from the groups' wrong area figures).
        let ente_row = grouped.iter().filter(|c| c.starts_with("Sintesi")).count();
        assert!(ente_row >= 4, "{grouped:?}");
    }

    #[test]
    fn a_wrong_ente_twin_is_found_in_the_total() {
        let rules = edited(
            "aggregazione.rhai",
            "fn ente_excel() { \"=IFERROR(ROUND(AVERAGE({punteggi}),2),\\\"\\\")\" }",
            "fn ente_excel() { \"=IFERROR(ROUND(AVERAGE({punteggi})*2,2),\\\"\\\")\" }",
        );
        let (grouped, file, _) = both(&rules, true);
        assert!(!grouped.is_empty());
        assert!(
            grouped.iter().all(|c| c.starts_with("Sintesi")),
            "{grouped:?}"
        );
        assert_eq!(grouped, file);
    }

    #[test]
    fn constant_memory_sheets_hold_the_same_cells() {
        use calamine::{Reader, Xlsx};
        let rules = RuleSet::default_set().unwrap();
        let ev = evaluate(ente(), &rules, &EvaluateOptions::default());
        let template = ReportTemplate::predefinito();
        let p = Provenance::named("prova.xlsx");
        let written = |constant_memory_from: usize| {
            let mut book = sheets::Book::new(&ev, &rules, &p, &template);
            book.writer = WriterSettings {
                constant_memory_from,
                ..REPORT_WRITER
            };
            let bytes = book.build(&[], None).unwrap().save_to_buffer().unwrap();
            let mut xlsx = Xlsx::new(std::io::Cursor::new(bytes.clone())).unwrap();
            let mut sheets = Vec::new();
            for name in xlsx.sheet_names() {
                let values = xlsx.worksheet_range(&name).unwrap();
                let formulas = xlsx.worksheet_formula(&name).unwrap();
                sheets.push((name, values, formulas));
            }
            (bytes, sheets)
        };
        let (in_memory, expected) = written(usize::MAX);
        let (constant, got) = written(0);
        let inline = |bytes: &[u8]| {
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
            let mut xml = String::new();
            std::io::Read::read_to_string(
                &mut zip.by_name("xl/worksheets/sheet3.xml").unwrap(),
                &mut xml,
            )
            .unwrap();
            xml.contains("t=\"inlineStr\"")
        };
        // Indicatori (the third sheet) in constant memory only in the second.
        assert!(!inline(&in_memory) && inline(&constant));
        assert_eq!(expected.len(), got.len());
        for ((name, values, formulas), (n, v, f)) in expected.iter().zip(&got) {
            assert_eq!(name, n);
            assert_eq!(values, v, "{name}");
            assert_eq!(formulas, f, "{name}");
            assert!(formulas.used_cells().count() > 0 || name != "Indicatori");
        }
    }
}
