//! One workbook to its report: read, score, build, verify, and rebuild with the verification's
//! differences listed in *Anomalie*. `barometro report` and `barometro batch` both run it.

use std::path::Path;

use super::{
    build_and_verify, build_with_template, FilledTemplate, Provenance, Report, ReportError,
    Template, Verification,
};
use crate::model::{Finding, Severity, Source};
use crate::read::{read_workbook, ReadOptions};
use crate::rules::{evaluate, EvaluateOptions, Evaluation, RuleSet};

/// How [`report_workbook`] reads, scores and checks a workbook.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// How to read the workbook (`--mappa`, `--layout`…).
    pub read: ReadOptions,
    /// How to score it (`--al`).
    pub evaluate: EvaluateOptions,
    /// Recalculate every formula with the independent engine ([`verify`]); `false` is
    /// `--no-verify`.
    pub verify: bool,
    /// The layout (`--modello`): barometro's report arranged by a `modello.toml`, or an Excel
    /// template filled with the results.
    pub template: Template,
    /// Work on the calling thread only: the verification runs after the workbook is saved
    /// instead of beside it, and the formula engine evaluates on one thread. For callers
    /// that already keep every core busy (`batch`, one file per core); `false` (the
    /// default) uses a second thread.
    pub one_thread: bool,
}

/// A workbook's report, ready to be written, with what the rules and the verification found.
#[derive(Debug, Clone)]
pub struct WorkbookReport {
    /// The scored model.
    pub evaluation: Evaluation,
    /// The report (with the verification's differences in *Anomalie*, if any).
    pub report: Report,
    /// The verification, unless it was skipped.
    pub verification: Option<Verification>,
    /// One `errore` finding per formula whose recalculated value differs from the rules'.
    pub mismatches: Vec<Finding>,
    /// What filling an Excel template wrote (its bytes are in `report`); `None` for
    /// barometro's own report.
    pub filled: Option<FilledTemplate>,
}

impl WorkbookReport {
    /// Whether the data has errors: an `errore` finding of the reader or the rules, or a
    /// formula that differs from its rule (exit status 1 for the command line).
    pub fn has_errors(&self) -> bool {
        !self.mismatches.is_empty() || self.evaluation.worst_severity() == Some(Severity::Error)
    }

    /// How many findings of the reader, the rules and the verification have `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.evaluation
            .all_findings()
            .chain(&self.mismatches)
            .filter(|f| f.severity == severity)
            .count()
    }
}

/// Reads `input`, scores it with `rules`, builds its report and, unless `options.verify` is
/// false, recalculates every formula with the independent engine ([`build_and_verify`]: from
/// the cells as they were written, while the workbook is saved); formulas that differ from
/// their rule become `errore` findings listed in the report's *Anomalie* sheet, in a second
/// build of the same workbook. Nothing is written: see [`super::write_atomically`].
///
/// ```no_run
/// use barometro::report::{report_workbook, write_atomically, ReportOptions};
/// use barometro::rules::RuleSet;
/// use std::path::Path;
///
/// let input = Path::new("obiettivi.xlsx");
/// let options = ReportOptions { verify: true, ..ReportOptions::default() };
/// let done = report_workbook(input, &RuleSet::default_set()?, &options)?;
/// assert!(done.mismatches.is_empty());
/// write_atomically(Path::new("relazione.xlsx"), &done.report.bytes, Some(input), false)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn report_workbook(
    input: &Path,
    rules: &RuleSet,
    options: &ReportOptions,
) -> Result<WorkbookReport, ReportError> {
    let ente = read_workbook(input, &options.read)?;
    report_read_workbook(ente, input, rules, options)
}

/// [`report_workbook`] of a workbook already read: `ente` is `input` as
/// [`read_workbook`] read it with `options.read`. The command line reads the workbook while
/// the rules compile on another thread, then calls this.
///
/// ```
/// use barometro::read::{read_workbook, ReadOptions};
/// use barometro::report::{report_read_workbook, ReportOptions};
/// use barometro::rules::RuleSet;
/// use std::path::Path;
///
/// let input = Path::new("examples/demo.xlsx");
/// let options = ReportOptions::default();
/// let ente = read_workbook(input, &options.read)?;
/// let done = report_read_workbook(ente, input, &RuleSet::default_set()?, &options)?;
/// assert_eq!(done.evaluation.ente.indicator_count(), 140);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn report_read_workbook(
    ente: crate::model::Ente,
    input: &Path,
    rules: &RuleSet,
    options: &ReportOptions,
) -> Result<WorkbookReport, ReportError> {
    let provenance = Provenance::of_file(input).map_err(|source| ReportError::Io {
        path: input.to_path_buf(),
        source,
    })?;
    let evaluation = evaluate(ente, rules, &options.evaluate);
    if let Some(finding) = evaluation.stopped.clone() {
        return Err(ReportError::RuleStopped {
            path: input.to_path_buf(),
            finding,
        });
    }
    let template = match &options.template {
        Template::Report(t) => t,
        Template::Workbook(t) => {
            // The office's own layout: no formulas of barometro's to verify.
            let mut filled = t.fill(&evaluation, &provenance)?;
            let bytes = std::mem::take(&mut filled.bytes);
            return Ok(WorkbookReport {
                evaluation,
                report: Report {
                    bytes,
                    checks: Vec::new(),
                },
                verification: None,
                mismatches: Vec::new(),
                filled: Some(filled),
            });
        }
    };
    if !options.verify {
        let report = build_with_template(&evaluation, rules, &provenance, template, &[])?;
        return Ok(WorkbookReport {
            evaluation,
            report,
            verification: None,
            mismatches: Vec::new(),
            filled: None,
        });
    }
    let (mut report, proof) = build_and_verify(
        &evaluation,
        rules,
        &provenance,
        template,
        &[],
        options.one_thread,
    )?;
    let mut mismatches = Vec::new();
    if !proof.mismatches.is_empty() {
        mismatches = proof
            .mismatches
            .iter()
            .map(|m| Finding {
                severity: Severity::Error,
                message: format!(
                    "La formula {} ricalcolata da {} dà {}, la regola {} dà {}: correggete la formula gemella della regola",
                    m.formula, proof.engine, m.computed, m.rule, m.expected
                ),
                source: Some(Source::new(m.sheet.as_str().into(), m.row, u32::from(m.col))),
                rule: "formula-diversa-dalla-regola".into(),
            })
            .collect();
        // The same workbook, with the differences listed in Anomalie.
        report = build_with_template(&evaluation, rules, &provenance, template, &mismatches)?;
    }
    let verification = Some(proof);
    Ok(WorkbookReport {
        evaluation,
        report,
        verification,
        mismatches,
        filled: None,
    })
}
