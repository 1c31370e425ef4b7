//! Running a rule set over a model: indicators, activities, objectives, areas, the ente, then
//! the checks. One rule error becomes a finding for the element being scored, never the end of
//! the run.

use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use chrono::NaiveDate;
use rhai::{Array, CallFnOptions, Dynamic, EvalAltResult, FuncArgs, Scope};

use super::api::{self, NotScored, RuleFinding};
use super::set::RuleSet;
use super::view::{
    value_dynamic, ActivityView, AreaPath, AreaView, Children, EnteView, IndicatorView,
    ObjectiveView, RuleDate,
};
use super::{
    ActivityOutcome, AreaOutcome, Evaluation, IndicatorOutcome, ObjectiveOutcome, Score, Twin,
};
use crate::model::{Area, Ente, Finding, Severity, Source};
use crate::value::format_number_it;

/// Options of a run.
#[derive(Debug, Clone, Default)]
pub struct EvaluateOptions {
    /// The monitoring date (*data di monitoraggio*, `--al`): expected-to-date values are
    /// computed up to it. Without it only stored expected values are used.
    pub at: Option<NaiveDate>,
    /// What a rule error does to the run (`--errori-regole`).
    pub on_rule_error: OnRuleError,
    /// How many threads may score the top-level areas at once: `0` (the default) uses every
    /// core the machine offers from [`PARALLEL_FROM`] indicators and activities up, `1` scores
    /// on the calling thread only (what `batch` asks for, since it already runs one file per
    /// core), `n` up to `n` threads whatever the size. A workbook with one area and
    /// [`OnRuleError::Stop`] runs are scored on the calling thread. The result is the same
    /// either way, findings in the same order.
    pub threads: usize,
}

/// The size (indicators plus activities) from which [`evaluate`] scores areas on several
/// threads: below it, starting a thread costs about what it saves. On a 150-indicator file
/// (`benches/synth`, seed 2024) two threads take 4.4–5.3 ms against 5.3–6.6 ms for one.
pub const PARALLEL_FROM: usize = 100;

/// What a rule error (an error in a rule file, a limit reached, a result that is not a number)
/// does to the run.
///
/// ```
/// use barometro::rules::OnRuleError;
/// assert_eq!(OnRuleError::from_word("ferma"), Some(OnRuleError::Stop));
/// assert_eq!(OnRuleError::from_word("continua"), Some(OnRuleError::Continue));
/// assert_eq!(OnRuleError::from_word("boh"), None);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OnRuleError {
    /// The run goes on: what the failing rule should have computed has no value, and the
    /// error is an `errore` finding naming rule file, line and column (*continua*).
    #[default]
    Continue,
    /// The run stops at the first rule error ([`Evaluation::stopped`]); nothing after it is
    /// scored, and the command line exits with status 2 writing nothing (*ferma*).
    Stop,
}

impl OnRuleError {
    /// The policy for a `--errori-regole` word (Italian or English).
    pub fn from_word(word: &str) -> Option<OnRuleError> {
        match word.trim().to_lowercase().as_str() {
            "continua" | "continue" => Some(OnRuleError::Continue),
            "ferma" | "fermati" | "stop" => Some(OnRuleError::Stop),
            _ => None,
        }
    }
}

/// Why what follows a stop has no value.
const STOPPED_REASON: &str = "non calcolato: valutazione interrotta alla prima regola in errore";

/// The token of calls refused after the run stopped ([`OnRuleError::Stop`]).
const STOPPED_TOKEN: &str = "valutazione-interrotta";

/// True for the error of a call refused because the run stopped.
fn is_stop(e: &EvalAltResult) -> bool {
    matches!(e, EvalAltResult::ErrorTerminated(token, _)
        if token.clone().into_string().ok().as_deref() == Some(STOPPED_TOKEN))
}

/// Scores an ente with a rule set: every indicator, activity, objective, area and the ente, then
/// runs the checks. The model is kept unchanged in [`Evaluation::ente`].
pub fn evaluate(ente: Ente, rules: &RuleSet, options: &EvaluateOptions) -> Evaluation {
    let ente = Arc::new(ente);
    let mut run = Run::new(
        rules,
        ente.clone(),
        options.at.map(RuleDate),
        options.on_rule_error == OnRuleError::Stop,
    );
    let groups = area_groups(&ente, options);
    let mut areas = Vec::with_capacity(ente.areas.len());
    let mut area_views = Vec::with_capacity(ente.areas.len());
    // Checks of the areas, run with their scoring when the areas are split among threads
    // (they see only their own area); `None` when they run below, after the ente's score.
    let mut area_checks: Option<(Vec<Finding>, Array)> = None;
    if groups.len() <= 1 {
        for (i, area) in ente.areas.iter().enumerate() {
            let (outcome, views) = run.area(AreaPath::top(i), area);
            areas.push(outcome);
            area_views.push(views);
        }
    } else {
        let parts = std::thread::scope(|scope| {
            let handles: Vec<_> = groups
                .iter()
                .map(|range| {
                    let range = range.clone();
                    let ente = ente.clone();
                    let at = run.at;
                    scope.spawn(move || score_areas(rules, ente, at, range))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect::<Vec<_>>()
        });
        let mut check_findings = Vec::new();
        let mut all_objectives = Array::new();
        for part in parts {
            run.merge_findings(part.findings, &part.missing);
            areas.extend(part.outcomes);
            area_views.extend(part.views);
            run.merge_missing(&part.missing_in_checks);
            check_findings.extend(part.check_findings);
            all_objectives.extend(part.objectives);
        }
        area_checks = Some((check_findings, all_objectives));
    }
    let children = Arc::new(Children {
        punteggi: areas.iter().map(|a| opt(a.score.value)).collect(),
        attesi: areas.iter().map(|a| opt(a.expected.value)).collect(),
        items: area_views
            .iter()
            .map(|a| Dynamic::from(a.view.clone()))
            .collect(),
        ..Children::default()
    });
    let mut view = EnteView {
        ente: ente.clone(),
        children,
        objectives: Arc::new(Array::new()),
        score: Dynamic::UNIT,
        expected: Dynamic::UNIT,
    };
    let what = format!("l'ente «{}»", ente.ente);
    let score = run.score("ente", &view, &what, None);
    let expected = run.optional_score("atteso_ente", &view, &what, None);
    view.score = opt(score.value);
    view.expected = opt(expected.value);

    match area_checks {
        None => run.checks(&area_views, view),
        Some((findings, objectives)) => {
            run.findings.extend(findings);
            run.check_ente(view, objectives);
        }
    }
    run.note_stop();
    Evaluation {
        ente,
        rules: rules.name().to_string(),
        at: options.at,
        score,
        expected,
        areas,
        findings: run.findings,
        bands: rules.bands.clone(),
        stopped: run.stopped,
    }
}

/// "l'indicatore «nome»", written only when a message needs it.
struct Named<'a>(&'static str, &'a str);

impl fmt::Display for Named<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} «{}»", self.0, self.1.trim())
    }
}

/// "l'obiettivo «codice titolo»", written only when a message needs it.
struct ObjectiveName<'a>(&'a crate::model::Objective);

impl fmt::Display for ObjectiveName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "l'obiettivo «{}»", self.0.label())
    }
}

/// The views built while scoring an objective, kept for the checks.
struct ObjectiveViews {
    view: ObjectiveView,
    indicators: Vec<IndicatorView>,
    activities: Vec<ActivityView>,
}

/// The views built while scoring an area, kept for the checks.
struct AreaViews {
    view: AreaView,
    areas: Vec<AreaViews>,
    objectives: Vec<ObjectiveViews>,
}

/// ` (indicatori.rhai, riga 135, dove inizia la funzione)`: where a function that
/// returned a wrong value is (a returned value has no position of its own).
fn function_place(at: &Option<super::RuleRef>) -> String {
    at.as_ref().map_or_else(String::new, |l| {
        format!(" ({}, riga {}, dove inizia la funzione)", l.file, l.line)
    })
}

/// `regola:FILE:LINE` for a finding about a rule, `regola` when it cannot be located.
fn rule_tag(at: Option<super::RuleRef>) -> String {
    at.map_or_else(
        || "regola".into(),
        |l| format!("regola:{}:{}", l.file, l.line),
    )
}

/// Scores, weights and expected values of a list of objectives (neutralised ones have no score).
fn all_children<'a>(objectives: impl Iterator<Item = &'a ObjectiveOutcome>) -> Children {
    let mut c = Children::default();
    for o in objectives {
        c.punteggi.push(opt(o.score.value));
        c.pesi.push(opt(o.weight.value));
        c.attesi.push(opt(o.expected.value));
    }
    c
}

/// The top-level areas split into contiguous groups of about the same size, one per thread;
/// a single group when the run stays on the calling thread.
fn area_groups(ente: &Ente, options: &EvaluateOptions) -> Vec<std::ops::Range<usize>> {
    let all = 0..ente.areas.len();
    let size = |a: &Area| -> usize {
        a.all_objectives()
            .map(|o| o.indicators.len() + o.activities.len() + 1)
            .sum()
    };
    let sizes: Vec<usize> = ente.areas.iter().map(size).collect();
    let total: usize = sizes.iter().sum();
    let threads = match options.threads {
        0 if total < PARALLEL_FROM => 1,
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let threads = threads.min(ente.areas.len());
    if threads <= 1 || options.on_rule_error == OnRuleError::Stop {
        return vec![all];
    }
    // Greedy: close a group when it reaches its share of what is left.
    let mut groups = Vec::with_capacity(threads);
    let (mut start, mut left, mut taken) = (0, total, 0);
    for (i, s) in sizes.iter().enumerate() {
        taken += s;
        let groups_left = threads - groups.len();
        let areas_left = sizes.len() - i - 1;
        if groups_left > 1 && areas_left >= groups_left - 1 && taken * groups_left >= left {
            groups.push(start..i + 1);
            start = i + 1;
            left -= taken;
            taken = 0;
        }
    }
    if start < sizes.len() {
        groups.push(start..sizes.len());
    }
    groups
}

/// What one thread computed for its group of areas.
struct AreasPart {
    outcomes: Vec<AreaOutcome>,
    views: Vec<AreaViews>,
    /// Findings of the scoring, in order, and where the missing-function warnings are.
    findings: Vec<Finding>,
    missing: Vec<(&'static str, usize)>,
    /// Findings of the areas' checks, in order, and the objectives' views they made.
    check_findings: Vec<Finding>,
    missing_in_checks: Vec<(&'static str, usize)>,
    objectives: Array,
}

/// Scores a group of top-level areas and runs their checks, on a thread of its own.
fn score_areas(
    rules: &RuleSet,
    ente: Arc<Ente>,
    at: Option<RuleDate>,
    range: std::ops::Range<usize>,
) -> AreasPart {
    let mut run = Run::new(rules, ente.clone(), at, false);
    let mut outcomes = Vec::with_capacity(range.len());
    let mut views = Vec::with_capacity(range.len());
    for i in range {
        let (outcome, view) = run.area(AreaPath::top(i), &ente.areas[i]);
        outcomes.push(outcome);
        views.push(view);
    }
    let findings = std::mem::take(&mut run.findings);
    let missing = std::mem::take(&mut run.missing_at);
    let mut objectives = Array::new();
    if run.has_checks() {
        for v in &views {
            run.check_area(v, &mut objectives);
        }
    }
    AreasPart {
        outcomes,
        views,
        findings,
        missing,
        check_findings: run.findings,
        missing_in_checks: run.missing_at,
        objectives,
    }
}

fn opt(v: Option<f64>) -> Dynamic {
    v.map_or(Dynamic::UNIT, Dynamic::from_float)
}

struct Run<'a> {
    rules: &'a RuleSet,
    ente: Arc<Ente>,
    scope: Scope<'static>,
    findings: Vec<Finding>,
    at: Option<RuleDate>,
    warned_missing: Vec<&'static str>,
    /// Where in `findings` each missing-function warning went (for merging the threads').
    missing_at: Vec<(&'static str, usize)>,
    /// [`OnRuleError::Stop`].
    stop_on_error: bool,
    /// The rule error the run stopped at.
    stopped: Option<Finding>,
    /// Findings already looked at by [`Run::note_stop`].
    scanned: usize,
}

/// True for a finding about a rule itself (`regola:FILE:LINE`), not about the data.
fn is_rule_error(f: &Finding) -> bool {
    f.severity == Severity::Error && f.rule.starts_with("regola")
}

impl<'a> Run<'a> {
    fn new(rules: &'a RuleSet, ente: Arc<Ente>, at: Option<RuleDate>, stop_on_error: bool) -> Self {
        Run {
            rules,
            ente,
            scope: Scope::new(),
            findings: Vec::new(),
            at,
            warned_missing: Vec::new(),
            missing_at: Vec::new(),
            stop_on_error,
            stopped: None,
            scanned: 0,
        }
    }

    /// Appends another thread's findings, leaving out its warnings about a missing function
    /// already given (each is given once per run, where the sequential run would give it).
    fn merge_findings(&mut self, findings: Vec<Finding>, missing: &[(&'static str, usize)]) {
        let skip: Vec<usize> = missing
            .iter()
            .filter(|(name, _)| self.warned_missing.contains(name))
            .map(|(_, at)| *at)
            .collect();
        self.merge_missing(missing);
        self.findings.extend(
            findings
                .into_iter()
                .enumerate()
                .filter(|(k, _)| !skip.contains(k))
                .map(|(_, f)| f),
        );
    }

    /// Notes the missing functions another thread warned about.
    fn merge_missing(&mut self, missing: &[(&'static str, usize)]) {
        for (name, _) in missing {
            if !self.warned_missing.contains(name) {
                self.warned_missing.push(name);
            }
        }
    }

    /// With [`OnRuleError::Stop`], notes the first rule error among the new findings.
    fn note_stop(&mut self) {
        if self.stop_on_error && self.stopped.is_none() {
            self.stopped = self.findings[self.scanned..]
                .iter()
                .find(|f| is_rule_error(f))
                .cloned();
        }
        self.scanned = self.findings.len();
    }

    fn call(&mut self, name: &str, args: impl FuncArgs) -> Result<Dynamic, Box<EvalAltResult>> {
        self.note_stop();
        if self.stopped.is_some() {
            return Err(Box::new(EvalAltResult::ErrorTerminated(
                Dynamic::from(STOPPED_TOKEN),
                rhai::Position::NONE,
            )));
        }
        self.rules.engine.call_fn_with_options(
            CallFnOptions::new().eval_ast(false).rewind_scope(true),
            &mut self.scope,
            &self.rules.ast,
            name,
            args,
        )
    }

    /// A rule error as a finding at `source`, naming the rule file, line and column.
    fn rule_error(
        &mut self,
        e: &EvalAltResult,
        function: &str,
        what: &dyn fmt::Display,
        source: Option<Source>,
    ) {
        // After a stop, the calls refused are not errors of their own.
        if is_stop(e) {
            return;
        }
        let default_file = self.rules.file_of(function).unwrap_or("").to_string();
        let mut l = api::locate(e, &default_file);
        let func = l.function.clone().unwrap_or_else(|| function.to_string());
        // The file is the one that defines the innermost function (the combined AST keeps
        // no per-file source).
        if let Some(file) = self.rules.file_of(&func) {
            l.file = file.to_string();
        }
        // Limits (operations, call depth, sizes) reach us without a position: point at the
        // function that was running.
        let mut place = format!("riga {}, colonna {}", l.line, l.column);
        if l.line == 0 {
            if let Some(r) = self
                .rules
                .locate(&func, 1)
                .or_else(|| self.rules.locate(&func, 2))
                .or_else(|| self.rules.locate(&func, 0))
            {
                l.line = r.line;
                place = format!(
                    "riga {} (dove inizia la funzione; il limite è stato raggiunto in essa o in una funzione che essa chiama)",
                    r.line
                );
            }
        }
        self.findings.push(Finding {
            severity: Severity::Error,
            message: format!(
                "Errore nella regola {}, {place} (funzione `{func}`) calcolando {what}: {}",
                l.file, l.message
            ),
            source,
            rule: format!("regola:{}:{}", l.file, l.line),
        });
    }

    /// Interprets what a rule returned as a score.
    fn interpret(
        &mut self,
        result: Result<Dynamic, Box<EvalAltResult>>,
        function: &str,
        arity: usize,
        what: &dyn fmt::Display,
        source: Option<Source>,
    ) -> Score {
        let rule = self.rules.locate(function, arity);
        let mut score = Score {
            value: None,
            reason: None,
            rule,
            twin: None,
        };
        match result {
            Err(e) => {
                score.reason = Some(if is_stop(&e) {
                    STOPPED_REASON.into()
                } else {
                    "errore nella regola".into()
                });
                self.rule_error(&e, function, what, source);
            }
            Ok(d) if d.is_unit() => score.reason = Some("nessun valore".into()),
            Ok(d) => {
                if let Some(n) = api::number_of(&d) {
                    if n.is_finite() {
                        score.value = Some(n);
                    } else {
                        let l = score.rule.clone();
                        self.findings.push(Finding {
                            severity: Severity::Error,
                            message: format!(
                                "La regola `{function}`{} ha dato un risultato non numerico ({}) calcolando {what}: di solito è una divisione per zero; fate restituire alla regola non_valutabile(\"motivo\")",
                                function_place(&l),
                                if n.is_nan() { "NaN" } else { "infinito" }
                            ),
                            source,
                            rule: rule_tag(l),
                        });
                        score.reason = Some("risultato non numerico".into());
                    }
                } else if let Some(ns) = d.clone().try_cast::<NotScored>() {
                    score.reason = Some(ns.reason);
                } else {
                    self.findings.push(Finding {
                        severity: Severity::Error,
                        message: format!(
                            "La regola `{function}`{} deve restituire un numero, () oppure non_valutabile(\"motivo\"); calcolando {what} ha restituito {} '{}'",
                            function_place(&score.rule),
                            api::type_it(&d),
                            d
                        ),
                        source,
                        rule: rule_tag(score.rule.clone()),
                    });
                    score.reason = Some("risultato non valido".into());
                }
            }
        }
        score
    }

    /// Calls `function(view)` and its twin.
    fn score<T: Clone + Send + Sync + 'static>(
        &mut self,
        function: &str,
        view: &T,
        what: &dyn fmt::Display,
        source: Option<Source>,
    ) -> Score {
        let result = self.call(function, (view.clone(),));
        let mut score = self.interpret(result, function, 1, what, source.clone());
        score.twin = self.twin(function, view, what, source);
        score
    }

    /// As [`Run::score`], for functions a rule set may leave out.
    fn optional_score<T: Clone + Send + Sync + 'static>(
        &mut self,
        function: &str,
        view: &T,
        what: &dyn fmt::Display,
        source: Option<Source>,
    ) -> Score {
        if self.rules.has_function(function, 1) {
            self.score(function, view, what, source)
        } else {
            Score::missing(format!("le regole non definiscono `{function}`"))
        }
    }

    /// The Excel twin of `function`: constant (`function_excel()`) or per element
    /// (`function_excel(x)`).
    fn twin<T: Clone + Send + Sync + 'static>(
        &mut self,
        function: &str,
        view: &T,
        what: &dyn fmt::Display,
        source: Option<Source>,
    ) -> Option<Twin> {
        if let Some(t) = self.rules.constant_twin(function) {
            return Some(t.clone());
        }
        let name = format!("{function}_excel");
        if !self.rules.has_function(&name, 1) {
            return None;
        }
        let result = self.call(&name, (view.clone(),));
        self.twin_from(result, function, 1, what, source)
    }

    /// Interprets what a `X_excel(…)` function returned.
    fn twin_from(
        &mut self,
        result: Result<Dynamic, Box<EvalAltResult>>,
        function: &str,
        arity: usize,
        what: &dyn fmt::Display,
        source: Option<Source>,
    ) -> Option<Twin> {
        let name = || format!("{function}_excel");
        match result {
            Ok(d) if d.is_unit() => None,
            Ok(d) => {
                let parsed = match d.into_immutable_string() {
                    Ok(s) => Twin::parse(&s),
                    Err(t) => Err(format!(
                        "`{}` deve restituire il testo della formula, non un valore di tipo {t}",
                        name()
                    )),
                };
                match parsed {
                    Ok(t) => Some(t),
                    Err(m) => {
                        let at = self.rules.locate(&name(), arity);
                        self.findings.push(Finding {
                            severity: Severity::Error,
                            message: format!("Formula gemella di `{function}` per {what}: {m}"),
                            source,
                            rule: rule_tag(at),
                        });
                        None
                    }
                }
            }
            Err(e) => {
                self.rule_error(&e, &name(), what, source);
                None
            }
        }
    }

    fn indicator(&mut self, path: AreaPath, o: u32, i: u32) -> (IndicatorOutcome, IndicatorView) {
        let mut view = IndicatorView {
            ente: self.ente.clone(),
            area: path,
            objective: o,
            index: i,
            read: Arc::new(AtomicU32::new(0)),
            score: Dynamic::UNIT,
            method: Dynamic::UNIT,
        };
        let source = view.indicator().source.clone();
        let ente = self.ente.clone();
        let what = Named(
            "l'indicatore",
            path.get(&ente).objectives[o as usize].indicators[i as usize]
                .name()
                .map_or("senza nome", |f| f.text()),
        );
        let method = match self.call("metodo", (view.clone(),)) {
            Ok(d) => match d.into_immutable_string() {
                Ok(s) => s.to_string(),
                Err(t) => {
                    self.findings.push(Finding {
                        severity: Severity::Error,
                        message: format!(
                            "La regola `metodo` deve restituire il nome di un metodo (un testo), ha restituito un valore di tipo {t} per {what}"
                        ),
                        source: Some(source.clone()),
                        rule: "regola".into(),
                    });
                    String::new()
                }
            },
            Err(e) => {
                self.rule_error(&e, "metodo", &what, Some(source.clone()));
                String::new()
            }
        };
        let method_inputs = view.inputs();
        view.read.store(0, Ordering::Relaxed);
        let score = if method.is_empty() && self.stopped.is_some() {
            Score::missing(STOPPED_REASON)
        } else if method.is_empty() {
            Score::missing("metodo non determinato")
        } else if !self.rules.is_method(&method) {
            let at = self.rules.locate("metodo", 1);
            self.findings.push(Finding {
                severity: Severity::Error,
                message: format!(
                    "Il metodo «{method}» scelto per {what} non esiste nelle regole: correggete la colonna Metodo, oppure definite `fn {method}(i)` in indicatori.rhai e aggiungetelo a `metodi()`"
                ),
                source: Some(view.source_of("metodo")),
                rule: rule_tag(at),
            });
            Score::missing(format!("metodo «{method}» sconosciuto"))
        } else {
            self.score(&method, &view, &what, Some(source))
        };
        let inputs = view.inputs();
        view.score = opt(score.value);
        view.method = Dynamic::from(rhai::ImmutableString::from(method.as_str()));
        (
            IndicatorOutcome {
                method,
                method_inputs,
                score,
                inputs,
            },
            view,
        )
    }

    fn missing_function(&mut self, name: &'static str, why: &str) {
        if self.warned_missing.contains(&name) {
            return;
        }
        self.warned_missing.push(name);
        self.missing_at.push((name, self.findings.len()));
        self.findings.push(Finding {
            severity: Severity::Error,
            message: format!(
                "Le regole '{}' non definiscono `{name}`: {why}",
                self.rules.name()
            ),
            source: None,
            rule: "regola".into(),
        });
    }

    fn activity(&mut self, path: AreaPath, o: u32, a: u32) -> (ActivityOutcome, ActivityView) {
        let view = ActivityView {
            ente: self.ente.clone(),
            area: path,
            objective: o,
            index: a,
        };
        let ente = self.ente.clone();
        let act = &path.get(&ente).objectives[o as usize].activities[a as usize];
        let what = Named(
            "l'attività",
            act.name.as_ref().map_or("senza nome", |f| f.text()),
        );
        let stored = act.expected.as_ref().and_then(|f| f.number());
        let actual = act.actual.as_ref().and_then(|f| f.number());
        let source = view.source_of("pai");
        let computed = match self.at {
            Some(at) if self.rules.has_function("atteso_attivita", 2) => {
                let result = self.call("atteso_attivita", (view.clone(), at));
                let mut s = self.interpret(result, "atteso_attivita", 2, &what, source.clone());
                s.twin = self.rules.constant_twin("atteso_attivita").cloned();
                s
            }
            Some(_) => {
                self.missing_function(
                    "atteso_attivita",
                    "serve per calcolare l'atteso (P.A.I) dal piano mensile",
                );
                Score::missing("le regole non calcolano l'atteso")
            }
            None => Score::missing("data di monitoraggio non indicata (--al)"),
        };
        let prevails = if stored.is_some() && computed.value.is_some() {
            if self.rules.has_function("atteso_scritto_prevale", 0) {
                match self.call("atteso_scritto_prevale", ()) {
                    Ok(d) => d.as_bool().unwrap_or(true),
                    Err(e) => {
                        self.rule_error(&e, "atteso_scritto_prevale", &what, source.clone());
                        true
                    }
                }
            } else {
                self.missing_function(
                    "atteso_scritto_prevale",
                    "dice se il P.A.I scritto nel foglio prevale su quello calcolato",
                );
                true
            }
        } else {
            stored.is_some()
        };
        let expected = if prevails { stored } else { computed.value };
        let overridden = prevails
            && matches!((stored, computed.value), (Some(s), Some(c)) if (s - c).abs() >= 0.005);
        if overridden {
            self.findings.push(Finding {
                severity: Severity::Info,
                message: format!(
                    "Per {what} il P.A.I scritto nel foglio ({}) è diverso da quello calcolato dal piano mensile ({}): vale quello scritto",
                    format_number_it(stored.unwrap_or(0.0)),
                    format_number_it(computed.value.map_or(0.0, |c| super::excel::round(c, 2)))
                ),
                source,
                rule: "atteso-sovrascritto".into(),
            });
        }
        (
            ActivityOutcome {
                expected_computed: computed,
                expected_stored: stored,
                expected,
                overridden,
                actual,
            },
            view,
        )
    }

    fn objective(
        &mut self,
        path: AreaPath,
        index: u32,
        area_view: &AreaView,
    ) -> (ObjectiveOutcome, ObjectiveViews) {
        let ente = self.ente.clone();
        let objective = &path.get(&ente).objectives[index as usize];
        let what = ObjectiveName(objective);
        let source = Some(objective.source.clone());

        let mut indicators = Vec::with_capacity(objective.indicators.len());
        let mut indicator_views = Vec::with_capacity(objective.indicators.len());
        for i in 0..objective.indicators.len() {
            let (outcome, view) = self.indicator(path, index, i as u32);
            indicators.push(outcome);
            indicator_views.push(view);
        }
        let mut activities = Vec::with_capacity(objective.activities.len());
        let mut activity_views = Vec::with_capacity(objective.activities.len());
        for a in 0..objective.activities.len() {
            let (outcome, view) = self.activity(path, index, a as u32);
            activities.push(outcome);
            activity_views.push(view);
        }
        let items: Array = indicator_views
            .iter()
            .map(|v| Dynamic::from(v.clone()))
            .collect();
        let children = Arc::new(Children {
            punteggi: indicators.iter().map(|i| opt(i.score.value)).collect(),
            pesi: objective
                .indicators
                .iter()
                .map(|i| value_dynamic(i.weight()))
                .collect(),
            attesi: activities.iter().map(|a| opt(a.expected)).collect(),
            priorita: Array::new(),
            items,
        });
        let mut view = ObjectiveView {
            ente: ente.clone(),
            area: path,
            index,
            children,
            activities: Arc::new(
                activity_views
                    .iter()
                    .map(|v| Dynamic::from(v.clone()))
                    .collect(),
            ),
            effettivi: Arc::new(activities.iter().map(|a| opt(a.actual)).collect()),
            score: Dynamic::UNIT,
            expected: Dynamic::UNIT,
            weight: Dynamic::UNIT,
            neutralised: false,
        };
        let neutralised = match self.call("neutralizzato", (view.clone(),)) {
            Ok(d) => d.as_bool().unwrap_or(false),
            Err(e) => {
                self.rule_error(&e, "neutralizzato", &what, source.clone());
                false
            }
        };
        view.neutralised = neutralised;
        let weight = {
            let result = self.call("peso_obiettivo", (view.clone(), area_view.clone()));
            let mut s = self.interpret(result, "peso_obiettivo", 2, &what, source.clone());
            s.twin = if self.rules.has_function("peso_obiettivo_excel", 2) {
                let result = self.call("peso_obiettivo_excel", (view.clone(), area_view.clone()));
                self.twin_from(result, "peso_obiettivo", 2, &what, source.clone())
            } else {
                self.twin("peso_obiettivo", &view, &what, source.clone())
            };
            s
        };
        view.weight = opt(weight.value);
        let (score, expected) = if neutralised {
            let mut s = Score::missing("obiettivo neutralizzato");
            s.rule = self.rules.locate("neutralizzato", 1);
            (s.clone(), s)
        } else {
            (
                self.score("obiettivo", &view, &what, source.clone()),
                self.optional_score("atteso_obiettivo", &view, &what, source.clone()),
            )
        };
        view.score = opt(score.value);
        view.expected = opt(expected.value);
        let judgement = self.judgement(score.value, expected.value, &what, source);
        (
            ObjectiveOutcome {
                weight,
                neutralised,
                score,
                expected,
                judgement,
                indicators,
                activities,
            },
            ObjectiveViews {
                view,
                indicators: indicator_views,
                activities: activity_views,
            },
        )
    }

    fn judgement(
        &mut self,
        actual: Option<f64>,
        expected: Option<f64>,
        what: &dyn fmt::Display,
        source: Option<Source>,
    ) -> Option<String> {
        let (a, e) = (actual?, expected?);
        if !self.rules.has_function("giudizio", 2) {
            return None;
        }
        match self.call("giudizio", (a, e)) {
            Ok(d) if d.is_unit() => None,
            Ok(d) => Some(d.to_string()),
            Err(e) => {
                self.rule_error(&e, "giudizio", what, source);
                None
            }
        }
    }

    fn area(&mut self, path: AreaPath, area: &Area) -> (AreaOutcome, AreaViews) {
        let what = format!("l'area «{}»", area.name);
        let source = area.source.clone();
        let mut sub_outcomes = Vec::with_capacity(area.areas.len());
        let mut sub_views = Vec::with_capacity(area.areas.len());
        for (s, sub) in area.areas.iter().enumerate() {
            let sub_path = AreaPath {
                top: path.top,
                sub: Some(s as u32),
            };
            let (outcome, views) = self.area(sub_path, sub);
            sub_outcomes.push(outcome);
            sub_views.push(views);
        }
        // The area as objectives see it while their weights are derived (priorities known).
        let mut view = AreaView {
            ente: self.ente.clone(),
            path,
            children: Arc::new(Children {
                priorita: area
                    .objectives
                    .iter()
                    .map(|o| value_dynamic(o.priority.as_ref()))
                    .collect(),
                ..Children::default()
            }),
            areas: Arc::new(
                sub_views
                    .iter()
                    .map(|a| Dynamic::from(a.view.clone()))
                    .collect(),
            ),
            area_scores: Arc::new(sub_outcomes.iter().map(|a| opt(a.score.value)).collect()),
            all: Arc::new(Children::default()),
            score: Dynamic::UNIT,
            expected: Dynamic::UNIT,
        };
        let mut objectives = Vec::with_capacity(area.objectives.len());
        let mut objective_views = Vec::with_capacity(area.objectives.len());
        for o in 0..area.objectives.len() {
            let (outcome, views) = self.objective(path, o as u32, &view);
            objectives.push(outcome);
            objective_views.push(views);
        }
        view.children = Arc::new(Children {
            priorita: view.children.priorita.clone(),
            items: objective_views
                .iter()
                .map(|o| Dynamic::from(o.view.clone()))
                .collect(),
            ..all_children(objectives.iter())
        });
        view.all = Arc::new(all_children(
            objectives
                .iter()
                .chain(sub_outcomes.iter().flat_map(|a| a.all_objectives())),
        ));
        let upper = !area.areas.is_empty();
        let (score, expected) = if upper {
            if self.rules.has_function("area_superiore", 1) {
                (
                    self.score("area_superiore", &view, &what, source.clone()),
                    self.optional_score("atteso_area_superiore", &view, &what, source.clone()),
                )
            } else {
                self.missing_function(
                    "area_superiore",
                    "serve per le aree che contengono altre aree (es. linea → settori)",
                );
                (
                    Score::missing("le regole non definiscono `area_superiore`"),
                    Score::missing("le regole non definiscono `area_superiore`"),
                )
            }
        } else {
            (
                self.score("area", &view, &what, source.clone()),
                self.optional_score("atteso_area", &view, &what, source.clone()),
            )
        };
        let judgement = self.judgement(score.value, expected.value, &what, source);
        view.score = opt(score.value);
        view.expected = opt(expected.value);
        (
            AreaOutcome {
                score,
                expected,
                judgement,
                areas: sub_outcomes,
                objectives,
            },
            AreaViews {
                view,
                areas: sub_views,
                objectives: objective_views,
            },
        )
    }

    /// Collects what a check returned: a finding, a list of findings, or nothing.
    fn collect_findings(
        &mut self,
        result: Result<Dynamic, Box<EvalAltResult>>,
        function: &str,
        what: &dyn fmt::Display,
        source: Option<Source>,
    ) {
        let value = match result {
            Ok(v) => v,
            Err(e) => {
                self.rule_error(&e, function, what, source);
                return;
            }
        };
        let items: Array = if value.is_array() {
            value.into_array().unwrap_or_default()
        } else {
            vec![value]
        };
        let at = self.rules.locate(function, 1);
        for item in items {
            if item.is_unit() {
                continue;
            }
            match item.try_cast::<RuleFinding>() {
                Some(f) => self.findings.push(Finding {
                    severity: f.severity,
                    message: f.message,
                    source: f.source,
                    rule: match (&at, f.origin.strip_prefix("riga ")) {
                        // the call's own source is unknown: the check's file, the call's line
                        (Some(l), Some(line)) => format!("{}:{line}", l.file),
                        (Some(l), None) if f.origin.is_empty() => format!("{}:{}", l.file, l.line),
                        _ => f.origin,
                    },
                }),
                None => self.findings.push(Finding {
                    severity: Severity::Error,
                    message: format!(
                        "Il controllo `{function}` deve restituire segnalazioni (errore(…), avviso(…), info(…)) o un elenco di segnalazioni"
                    ),
                    source: None,
                    rule: "regola".into(),
                }),
            }
        }
    }

    fn check<T: Clone + Send + Sync + 'static>(
        &mut self,
        function: &str,
        view: &T,
        what: &dyn fmt::Display,
        source: Option<Source>,
    ) {
        if self.rules.has_function(function, 1) {
            let result = self.call(function, (view.clone(),));
            self.collect_findings(result, function, what, source);
        }
    }

    /// Runs the checks (`controlla_*`) on every element, after scoring, on the views the
    /// scoring built, so that they see the computed figures.
    /// Whether the rules define any check (`controlla_*`).
    fn has_checks(&self) -> bool {
        [
            "controlla_indicatore",
            "controlla_attivita",
            "controlla_obiettivo",
            "controlla_area",
            "controlla_ente",
        ]
        .iter()
        .any(|f| self.rules.has_function(f, 1))
    }

    /// Runs the checks (`controlla_*`) on every element, after scoring, on the views the
    /// scoring built, so that they see the computed figures.
    fn checks(&mut self, areas: &[AreaViews], ente_view: EnteView) {
        if !self.has_checks() {
            return;
        }
        let mut all_objectives = Array::new();
        for area in areas {
            self.check_area(area, &mut all_objectives);
        }
        self.check_ente(ente_view, all_objectives);
    }

    /// The ente's check, which sees every objective.
    fn check_ente(&mut self, mut ente_view: EnteView, all_objectives: Array) {
        ente_view.objectives = Arc::new(all_objectives);
        let what = format!("l'ente «{}»", self.ente.ente);
        self.check("controlla_ente", &ente_view, &what, None);
    }

    fn check_area(&mut self, views: &AreaViews, all: &mut Array) {
        for sub in &views.areas {
            self.check_area(sub, all);
        }
        for o in &views.objectives {
            let objective = o.view.objective();
            let what = ObjectiveName(objective);
            for iv in &o.indicators {
                let indicator = iv.indicator();
                let iwhat = Named(
                    "l'indicatore",
                    indicator.name().map_or("senza nome", |f| f.text()),
                );
                let src = Some(indicator.source.clone());
                self.check("controlla_indicatore", iv, &iwhat, src);
            }
            for av in &o.activities {
                self.check(
                    "controlla_attivita",
                    av,
                    &what,
                    Some(objective.source.clone()),
                );
            }
            self.check(
                "controlla_obiettivo",
                &o.view,
                &what,
                Some(objective.source.clone()),
            );
            all.push(Dynamic::from(o.view.clone()));
        }
        let area = views.view.path.get(&views.view.ente);
        let what = format!("l'area «{}»", area.name);
        self.check("controlla_area", &views.view, &what, area.source.clone());
    }
}
