//! Rules benchmark: scoring a model with the Rhai rules against a plain-Rust implementation of
//! the same ratio rule, measured in the same run.
//!
//! ```text
//! cargo bench --bench rules
//! ```
//!
//! For each size (100,000 indicators and 1,000) a synthetic workbook in the Cremona table layout
//! (see `synth/mod.rs`, the same files as the read benchmark) is generated once and read once
//! with `barometro::read::read_workbook`; reading is not timed here. Then, in every round (the
//! order of the variants rotates each round, after warm-up rounds that are not counted), the
//! model is cloned (not timed, since `evaluate` takes ownership) and scored by:
//!
//! - **full**: the default rules (`predefinite`), compiled once per round with
//!   `RuleSet::default_set()` (timed separately: the **compile** row) and then
//!   `rules::evaluate`: method choice, scoring, Excel twins, aggregation, checks;
//! - **scoring**: a tiny in-memory rule set (built with `RuleSet::from_files`, see
//!   [`SCORING_ONLY`]) whose `metodo` always returns `"rapporto"` (the default `rapporto`,
//!   copied verbatim), with trivial `neutralizzato` / `peso_obiettivo`, objectives as the
//!   weighted mean of their indicators, areas and ente as plain means, and no `controlla_*`
//!   checks: exactly two rule calls per indicator (`metodo`, `rapporto`);
//! - **rust**: the same as **scoring**, written in Rust over the same model: for every indicator
//!   `max(0, min(100, actual / target × 100))` with the same guards (missing actual, actual or
//!   target not a number, target zero), objectives as weighted means, areas and ente as means.
//!
//! The scores of **scoring** and **rust** are checked to be identical (and those of **full** for
//! the indicators its rules score with `rapporto`), outside the timed region.
//!
//! A *rule call* is one call from Rust into a rule function (`Engine::call_fn_with_options` in
//! `src/rules/evaluate.rs`); calls between rule functions inside a script (`metodo` calling
//! `polarita`) are part of the call that made them. The calls are counted from the rule set and
//! the outcome, mirroring `src/rules/evaluate.rs` (see [`count_calls`]; to be kept in step with
//! it). The count was checked with callgrind (`--toggle-collect='*evaluate_with*'`): the calls of
//! `call_script_fn` made from `Run::call` (5,454 at 1,000 indicators with the default rules)
//! equal the count printed here.
//!
//! The output is a Markdown table (min and median wall time per run; per indicator, per rule
//! call and the ratio to plain Rust from the medians) and the line
//! `rules (100k indicators): …`. Timings are reported, never asserted.
//!
//! Run without `--bench` (as `cargo test --benches` does), it only makes a quick smoke run on
//! 150 indicators. Environment variables, as for the read benchmark:
//!
//! - `BENCH_ONLY=full,scoring,rust,compile`: the variants to measure (any of them; `compile`
//!   alone times only `RuleSet::default_set()`; `full` always reports its compile time);
//! - `BENCH_SIZES=100000,1000`: the sizes to run (indicators);
//! - `BENCH_RUNS=n`: measured runs per size (default 7 for large workbooks, 30 for small);
//! - `BENCH_WARMUP=n`: warm-up runs per size (default 1 for large, 3 for small);
//! - `BENCH_DIR=path`: keep the generated workbooks in `path` and reuse them when present.

mod harness;
mod synth;

use harness::{
    bench_dir, env_usize, group_thousands, human_time, is_smoke_run, machine, rotated, sample,
    sizes, time, Sample,
};

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::Path;

use barometro::model::{Area, Ente, Field, Indicator, Objective};
use barometro::read::{read_workbook, ReadOptions};
use barometro::rules::{
    evaluate, AreaOutcome, EvaluateOptions, Evaluation, RuleFile, RuleSet, DEFAULT_SET_NAME,
};
use barometro::value::Value;

const SEED: u64 = 2024;
const DEFAULT_SIZES: [usize; 2] = [100_000, 1_000];
const SMOKE_SIZE: usize = 150;

/// The scoring-only rule set: (file name, text). `rapporto`, `rapporto_excel` and
/// `consuntivo_mancante` are copied from `rules/predefinite/indicatori.rhai`, `fasce` from
/// `barometro.rhai`; the rest is the least the engine requires (`REQUIRED` in
/// `src/rules/set.rs`) plus `area_superiore` (the synthetic areas have sub-areas).
const SCORING_ONLY: &[(&str, &str)] = &[
    (
        "indicatori.rhai",
        r#"
fn metodo(i) { "rapporto" }
fn metodi() { ["rapporto"] }

fn consuntivo_mancante(i) {
    non_valutabile("consuntivo mancante")
}

fn rapporto(i) {
    let c = i.consuntivo;
    let t = i.target;
    if e_vuoto(c) { return consuntivo_mancante(i); }
    if !e_numero(c) { return non_valutabile("il consuntivo non è un numero"); }
    if !e_numero(t) { return non_valutabile("target mancante o non numerico"); }
    if t == 0 { return non_valutabile("target zero: il rapporto non si può calcolare"); }
    max(0, min(100, c / t * 100))
}
fn rapporto_excel() {
    "=MAX(0,MIN(100,{consuntivo}/{target}*100))"
}
"#,
    ),
    (
        "aggregazione.rhai",
        r#"
fn neutralizzato(o) { false }
fn peso_obiettivo(o, a) { () }
fn obiettivo(o) {
    if o.pesi.all(|p| e_vuoto(p)) { return average(o.punteggi); }
    media_pesata(o.punteggi, o.pesi)
}
fn area(a) { average(a.punteggi) }
fn area_superiore(a) { average(a.punteggi_tutti) }
fn ente(e) { average(e.punteggi) }
"#,
    ),
    (
        "barometro.rhai",
        r##"
fn fasce() {
    [
        #{ da: 90, etichetta: "Raggiunto",              colore: "#63BE7B" },
        #{ da: 70, etichetta: "Parzialmente raggiunto", colore: "#FFEB84" },
        #{ da: 0,  etichetta: "Non raggiunto",          colore: "#F8696B" },
        #{ da: (), etichetta: "Non valutabile",         colore: "#BFBFBF" },
    ]
}
"##,
    ),
];

fn scoring_only_set() -> RuleSet {
    let files = SCORING_ONLY
        .iter()
        .map(|(name, text)| RuleFile {
            name: name.to_string(),
            text: text.to_string(),
        })
        .collect();
    RuleSet::from_files("solo-punteggio", None, files)
        .unwrap_or_else(|e| panic!("the scoring-only rule set does not compile: {e}"))
}

fn default_set() -> RuleSet {
    RuleSet::default_set().unwrap_or_else(|e| panic!("the default rules do not compile: {e}"))
}

// ---------------------------------------------------------------------------------------------
// Plain Rust: the ratio rule, objectives as weighted means, areas and ente as means.
// ---------------------------------------------------------------------------------------------

/// Every score the plain-Rust scoring computes, in model order (areas in pre-order).
#[derive(Debug, Default)]
struct PlainScores {
    indicators: Vec<Option<f64>>,
    objectives: Vec<Option<f64>>,
    areas: Vec<Option<f64>>,
    ente: Option<f64>,
}

/// What a rule sees as `()` (see `value_dynamic` in `src/rules/view.rs`): no field, an empty
/// cell, a placeholder or an invalid value.
fn is_unit(field: Option<&Field>) -> bool {
    field.is_none_or(|f| {
        matches!(
            f.value,
            Value::Empty | Value::Placeholder { .. } | Value::Invalid { .. }
        )
    })
}

/// `rapporto` of `rules/predefinite/indicatori.rhai`; `None` where the rule says
/// `non_valutabile`.
fn rapporto(ind: &Indicator) -> Option<f64> {
    let actual = ind.actual();
    if is_unit(actual) {
        return None; // consuntivo mancante
    }
    let c = actual.and_then(|f| f.number())?;
    let t = ind.target().and_then(|f| f.number())?;
    if t == 0.0 {
        return None;
    }
    Some(0f64.max(100f64.min(c / t * 100.0)))
}

fn mean(scores: &[Option<f64>]) -> Option<f64> {
    let (sum, n) = scores
        .iter()
        .flatten()
        .fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// An objective: the mean of its indicators' scores weighted with their weights (only the
/// indicators with a score and a numeric weight), the plain mean when no indicator has a weight.
fn plain_objective(objective: &Objective, indicators: &mut Vec<Option<f64>>) -> Option<f64> {
    let (mut num, mut den) = (0.0, 0.0);
    let (mut sum, mut n) = (0.0, 0usize);
    let mut weighted = false;
    for ind in &objective.indicators {
        let score = rapporto(ind);
        indicators.push(score);
        let weight = ind.weight();
        weighted |= !is_unit(weight);
        if let Some(s) = score {
            sum += s;
            n += 1;
            if let Some(w) = weight.and_then(|f| f.number()) {
                num += w * s;
                den += w;
            }
        }
    }
    if weighted {
        (den != 0.0).then(|| num / den)
    } else {
        (n > 0).then(|| sum / n as f64)
    }
}

/// An area: the mean of its objectives, or of all objectives of its sub-areas for an upper area.
fn plain_area(area: &Area, out: &mut PlainScores) -> Option<f64> {
    let slot = out.areas.len();
    out.areas.push(None);
    let first = out.objectives.len();
    for objective in &area.objectives {
        let score = plain_objective(objective, &mut out.indicators);
        out.objectives.push(score);
    }
    for sub in &area.areas {
        plain_area(sub, out);
    }
    let score = mean(&out.objectives[first..]);
    out.areas[slot] = score;
    score
}

/// The plain-Rust scoring of a whole ente. (Never inlined, so that a profiler can select it.)
#[inline(never)]
fn plain_rust(ente: &Ente, indicators: usize, objectives: usize) -> PlainScores {
    let mut out = PlainScores {
        indicators: Vec::with_capacity(indicators),
        objectives: Vec::with_capacity(objectives),
        ..PlainScores::default()
    };
    let mut top = Vec::with_capacity(ente.areas.len());
    for area in &ente.areas {
        top.push(plain_area(area, &mut out));
    }
    out.ente = mean(&top);
    out
}

// ---------------------------------------------------------------------------------------------
// Rule calls, counted the way `src/rules/evaluate.rs` makes them.
// ---------------------------------------------------------------------------------------------

/// What a rule call is made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Indicator,
    Objective,
    Area,
    Ente,
}

const LEVELS: [(Level, &str); 4] = [
    (Level::Indicator, "indicators"),
    (Level::Objective, "objectives"),
    (Level::Area, "areas"),
    (Level::Ente, "ente"),
];

/// Rule calls of one `evaluate`: how many calls of each rule function, by level.
#[derive(Debug, Default, Clone)]
struct Calls {
    by_function: BTreeMap<(Level, String), usize>,
}

impl Calls {
    fn add(&mut self, level: Level, function: &str, n: usize) {
        if n > 0 {
            *self
                .by_function
                .entry((level, function.to_string()))
                .or_insert(0) += n;
        }
    }

    fn level(&self, level: Level) -> usize {
        self.by_function
            .iter()
            .filter(|((l, _), _)| *l == level)
            .map(|(_, n)| n)
            .sum()
    }

    fn total(&self) -> usize {
        self.by_function.values().sum()
    }

    /// `metodo 1,000, rapporto 734, …` for one level.
    fn list(&self, level: Level) -> String {
        self.by_function
            .iter()
            .filter(|((l, _), _)| *l == level)
            .map(|((_, f), n)| format!("`{f}` {}", group_thousands(*n)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The counting rules of `src/rules/evaluate.rs`, for one rule set.
struct Counter<'a> {
    rules: &'a RuleSet,
    calls: Calls,
}

impl Counter<'_> {
    /// `Run::twin`: no call for a constant twin (`X_excel()`, evaluated once at compile time),
    /// one for a per-element twin (`X_excel(x)`).
    fn twin(&mut self, level: Level, function: &str) {
        let name = format!("{function}_excel");
        if self.rules.constant_twin(function).is_none() && self.rules.has_function(&name, 1) {
            self.calls.add(level, &name, 1);
        }
    }

    /// `Run::score`: the function and its twin.
    fn score(&mut self, level: Level, function: &str) {
        self.calls.add(level, function, 1);
        self.twin(level, function);
    }

    /// `Run::optional_score`.
    fn optional(&mut self, level: Level, function: &str) {
        if self.rules.has_function(function, 1) {
            self.score(level, function);
        }
    }

    /// `Run::check`.
    fn check(&mut self, level: Level, function: &str, n: usize) {
        if self.rules.has_function(function, 1) {
            self.calls.add(level, function, n);
        }
    }

    /// `Run::judgement`.
    fn judgement(&mut self, level: Level, actual: Option<f64>, expected: Option<f64>) {
        if actual.is_some() && expected.is_some() && self.rules.has_function("giudizio", 2) {
            self.calls.add(level, "giudizio", 1);
        }
    }

    /// `Run::area` and `Run::check_area`.
    fn area(&mut self, outcome: &AreaOutcome) {
        for sub in &outcome.areas {
            self.area(sub);
        }
        if outcome.areas.is_empty() {
            self.score(Level::Area, "area");
            self.optional(Level::Area, "atteso_area");
        } else if self.rules.has_function("area_superiore", 1) {
            self.score(Level::Area, "area_superiore");
            self.optional(Level::Area, "atteso_area_superiore");
        }
        self.judgement(Level::Area, outcome.score.value, outcome.expected.value);
        self.check(Level::Area, "controlla_area", 1);
    }
}

/// The rule calls `evaluate` made for `evaluation` with `rules` and the default options (no
/// monitoring date: activities make no scoring calls). Mirrors `src/rules/evaluate.rs`.
fn count_calls(rules: &RuleSet, evaluation: &Evaluation) -> Calls {
    let mut c = Counter {
        rules,
        calls: Calls::default(),
    };
    for (_, outcome) in evaluation.objectives() {
        for ind in &outcome.indicators {
            c.calls.add(Level::Indicator, "metodo", 1);
            let m = ind.method.as_str();
            if !m.is_empty() && rules.is_method(m) {
                c.score(Level::Indicator, m);
            }
            c.check(Level::Indicator, "controlla_indicatore", 1);
        }
        c.check(
            Level::Objective,
            "controlla_attivita",
            outcome.activities.len(),
        );
        c.calls.add(Level::Objective, "neutralizzato", 1);
        c.calls.add(Level::Objective, "peso_obiettivo", 1);
        if rules.has_function("peso_obiettivo_excel", 2) {
            c.calls.add(Level::Objective, "peso_obiettivo_excel", 1);
        } else {
            c.twin(Level::Objective, "peso_obiettivo");
        }
        if !outcome.neutralised {
            c.score(Level::Objective, "obiettivo");
            c.optional(Level::Objective, "atteso_obiettivo");
        }
        c.judgement(
            Level::Objective,
            outcome.score.value,
            outcome.expected.value,
        );
        c.check(Level::Objective, "controlla_obiettivo", 1);
    }
    for area in &evaluation.areas {
        c.area(area);
    }
    c.score(Level::Ente, "ente");
    c.optional(Level::Ente, "atteso_ente");
    c.check(Level::Ente, "controlla_ente", 1);
    c.calls
}

// ---------------------------------------------------------------------------------------------
// Checks of the results (outside the timed region).
// ---------------------------------------------------------------------------------------------

fn same(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x == y,
        (None, None) => true,
        _ => false,
    }
}

fn pre_order<'a>(outcomes: &'a [AreaOutcome], out: &mut Vec<&'a AreaOutcome>) {
    for a in outcomes {
        out.push(a);
        pre_order(&a.areas, out);
    }
}

/// The scoring-only rules and plain Rust give the same scores, to the last bit.
fn check_scoring(evaluation: &Evaluation, plain: &PlainScores) {
    let indicators: Vec<Option<f64>> = evaluation
        .objectives()
        .flat_map(|(_, o)| o.indicators.iter().map(|i| i.score.value))
        .collect();
    let objectives: Vec<Option<f64>> = evaluation
        .objectives()
        .map(|(_, o)| o.score.value)
        .collect();
    let mut areas = Vec::new();
    pre_order(&evaluation.areas, &mut areas);
    assert_eq!(indicators.len(), plain.indicators.len());
    for (k, (r, p)) in indicators.iter().zip(&plain.indicators).enumerate() {
        assert!(same(*r, *p), "indicator {k}: rules {r:?}, plain Rust {p:?}");
    }
    assert_eq!(objectives.len(), plain.objectives.len());
    for (k, (r, p)) in objectives.iter().zip(&plain.objectives).enumerate() {
        assert!(same(*r, *p), "objective {k}: rules {r:?}, plain Rust {p:?}");
    }
    assert_eq!(areas.len(), plain.areas.len());
    for (k, (r, p)) in areas.iter().zip(&plain.areas).enumerate() {
        assert!(
            same(r.score.value, *p),
            "area {k}: rules {:?}, plain Rust {p:?}",
            r.score.value
        );
    }
    assert!(same(evaluation.score.value, plain.ente));
}

/// What the full default rules did: methods chosen, findings; and that their `rapporto` scores
/// are the plain-Rust ones.
struct FullSummary {
    methods: BTreeMap<String, usize>,
    findings: usize,
}

fn check_full(evaluation: &Evaluation, plain: &PlainScores) -> FullSummary {
    let mut methods = BTreeMap::new();
    let outcomes = evaluation
        .objectives()
        .flat_map(|(_, o)| o.indicators.iter());
    for (k, (ind, p)) in outcomes.zip(&plain.indicators).enumerate() {
        *methods.entry(ind.method.clone()).or_insert(0) += 1;
        if ind.method == "rapporto" {
            assert!(
                same(ind.score.value, *p),
                "indicator {k} (rapporto): rules {:?}, plain Rust {p:?}",
                ind.score.value
            );
        }
    }
    FullSummary {
        methods,
        findings: evaluation.findings.len(),
    }
}

// ---------------------------------------------------------------------------------------------
// Timing.
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Variant {
    Compile,
    Full,
    Scoring,
    Rust,
}

impl Variant {
    fn parse(s: &str) -> Variant {
        match s.trim() {
            "compile" => Variant::Compile,
            "full" => Variant::Full,
            "scoring" => Variant::Scoring,
            "rust" => Variant::Rust,
            other => panic!("BENCH_ONLY: {other:?}: expected compile, full, scoring or rust"),
        }
    }
}

struct Row {
    indicators: usize,
    objectives: usize,
    areas: usize,
    runs: usize,
    compile_default: Option<Sample>,
    compile_scoring: Option<Sample>,
    full: Option<Sample>,
    scoring: Option<Sample>,
    rust: Option<Sample>,
    full_calls: Option<Calls>,
    scoring_calls: Option<Calls>,
    full_summary: Option<FullSummary>,
}

/// `evaluate`, never inlined so that a profiler can select it.
#[inline(never)]
fn evaluate_with(ente: Ente, rules: &RuleSet) -> Evaluation {
    evaluate(ente, rules, &EvaluateOptions::default())
}

fn count_areas(areas: &[Area]) -> usize {
    areas.iter().map(|a| 1 + count_areas(&a.areas)).sum()
}

fn bench_size(dir: &Path, indicators: usize, only: &[Variant], smoke: bool) -> Row {
    let (path, _) = synth::table_workbook(dir, indicators, SEED);
    let (d, base) = time(|| read_workbook(&path, &ReadOptions::default()));
    let base = base.unwrap_or_else(|e| panic!("barometro cannot read {}: {e}", path.display()));
    eprintln!("  read in {} (not measured)", human_time(d));
    assert_eq!(base.indicator_count(), indicators);
    let objectives = base.objective_count();
    let areas = count_areas(&base.areas);
    let reference = plain_rust(&base, indicators, objectives);

    let large = indicators >= 10_000;
    let (default_runs, default_warmup) = match (smoke, large) {
        (true, _) => (1, 0),
        (false, true) => (7, 1),
        (false, false) => (30, 3),
    };
    let runs = env_usize("BENCH_RUNS").unwrap_or(default_runs);
    let warmup = env_usize("BENCH_WARMUP").unwrap_or(default_warmup);

    // The steps of a round; `full` compiles the default rules itself.
    let mut steps: Vec<Variant> = [Variant::Full, Variant::Scoring, Variant::Rust]
        .into_iter()
        .filter(|v| only.contains(v))
        .collect();
    if only.contains(&Variant::Compile) && !only.contains(&Variant::Full) {
        steps.push(Variant::Compile);
    }

    let mut row = Row {
        indicators,
        objectives,
        areas,
        runs,
        compile_default: None,
        compile_scoring: None,
        full: None,
        scoring: None,
        rust: None,
        full_calls: None,
        scoring_calls: None,
        full_summary: None,
    };
    let (mut compile_default, mut compile_scoring) = (Vec::new(), Vec::new());
    let (mut full, mut scoring, mut rust) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..warmup + runs {
        let measured = round >= warmup;
        for step in rotated(&steps, round) {
            match step {
                Variant::Compile => {
                    let (d, rules) = time(default_set);
                    black_box(&rules);
                    if measured {
                        compile_default.push(d);
                    }
                }
                Variant::Full => {
                    let (dc, rules) = time(default_set);
                    let ente = base.clone();
                    let (d, evaluation) = time(|| evaluate_with(ente, &rules));
                    black_box(&evaluation);
                    if row.full_calls.is_none() {
                        row.full_calls = Some(count_calls(&rules, &evaluation));
                        row.full_summary = Some(check_full(&evaluation, &reference));
                    }
                    if measured {
                        compile_default.push(dc);
                        full.push(d);
                    }
                    drop(evaluation);
                }
                Variant::Scoring => {
                    let (dc, rules) = time(scoring_only_set);
                    let ente = base.clone();
                    let (d, evaluation) = time(|| evaluate_with(ente, &rules));
                    black_box(&evaluation);
                    if row.scoring_calls.is_none() {
                        let calls = count_calls(&rules, &evaluation);
                        assert_eq!(calls.level(Level::Indicator), 2 * indicators);
                        row.scoring_calls = Some(calls);
                        check_scoring(&evaluation, &reference);
                        assert!(
                            evaluation.findings.is_empty(),
                            "the scoring-only rules made findings: {:?}",
                            evaluation.findings.first()
                        );
                    }
                    if measured {
                        compile_scoring.push(dc);
                        scoring.push(d);
                    }
                    drop(evaluation);
                }
                Variant::Rust => {
                    let ente = base.clone();
                    let (d, scores) = time(|| plain_rust(&ente, indicators, objectives));
                    black_box(&scores);
                    if measured {
                        rust.push(d);
                    }
                    drop(scores);
                    drop(ente);
                }
            }
        }
        if large {
            eprintln!("  round {}/{} done", round + 1, warmup + runs);
        }
    }
    row.compile_default = sample(compile_default);
    row.compile_scoring = sample(compile_scoring);
    row.full = sample(full);
    row.scoring = sample(scoring);
    row.rust = sample(rust);
    row
}

// ---------------------------------------------------------------------------------------------
// Report.
// ---------------------------------------------------------------------------------------------

/// A small time (per indicator, per call), from seconds.
fn per_item(seconds: f64) -> String {
    if seconds >= 1e-6 {
        format!("{:.2} µs", seconds * 1e6)
    } else {
        format!("{:.0} ns", seconds * 1e9)
    }
}

fn ratio(a: &Option<Sample>, b: &Option<Sample>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.median.as_secs_f64() / b.median.as_secs_f64()),
        _ => None,
    }
}

fn print_row(
    r: &Row,
    label: &str,
    s: &Option<Sample>,
    calls: Option<&Calls>,
    vs_rust: Option<f64>,
) {
    let Some(s) = s else {
        return;
    };
    let median = s.median.as_secs_f64();
    let (calls_text, per_call) = match calls {
        Some(c) => (
            format!(
                "{} ({:.2})",
                group_thousands(c.total()),
                c.total() as f64 / r.indicators as f64
            ),
            per_item(median / c.total() as f64),
        ),
        None => ("–".to_string(), "–".to_string()),
    };
    println!(
        "| {} indicators | {label} | {} / {} | {} | {calls_text} | {per_call} | {} |",
        group_thousands(r.indicators),
        human_time(s.min),
        human_time(s.median),
        per_item(median / r.indicators as f64),
        vs_rust.map_or("–".to_string(), |x| format!("{x:.0}×")),
    );
}

fn describe_calls(name: &str, r: &Row, c: &Calls) {
    println!(
        "- {name}, {} indicators: {} rule calls per run, {:.2} per indicator:",
        group_thousands(r.indicators),
        group_thousands(c.total()),
        c.total() as f64 / r.indicators as f64,
    );
    for (level, label) in LEVELS {
        let (count, of) = match level {
            Level::Indicator => (r.indicators, " indicators"),
            Level::Objective => (r.objectives, " objectives"),
            Level::Area => (r.areas, " areas"),
            Level::Ente => (1, ""),
        };
        let n = c.level(level);
        if n == 0 {
            continue;
        }
        println!(
            "  - {label}: {} call{}{}: {}",
            group_thousands(n),
            if n == 1 { "" } else { "s" },
            if level == Level::Ente {
                String::new()
            } else {
                format!(
                    " for {}{of} ({:.2} each)",
                    group_thousands(count),
                    n as f64 / count.max(1) as f64
                )
            },
            c.list(level)
        );
    }
}

fn main() {
    // A smoke run (150 indicators, one round) under `cargo test --benches`.
    let smoke = is_smoke_run();
    let only: Vec<Variant> = match std::env::var("BENCH_ONLY") {
        Ok(list) if !list.trim().is_empty() => list.split(',').map(Variant::parse).collect(),
        _ => vec![Variant::Full, Variant::Scoring, Variant::Rust],
    };
    let sizes = sizes(smoke, SMOKE_SIZE, &DEFAULT_SIZES);
    let (dir, _temp) = bench_dir();

    let rows: Vec<Row> = sizes
        .iter()
        .map(|&n| bench_size(&dir, n, &only, smoke))
        .collect();

    println!();
    println!(
        "| Workbook | Variant | Per run (min / median) | Per indicator | Rule calls per run (per indicator) | Per rule call | vs plain Rust |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|");
    for r in &rows {
        print_row(
            r,
            &format!("compile `{DEFAULT_SET_NAME}` (once per run)"),
            &r.compile_default,
            None,
            None,
        );
        print_row(
            r,
            "full default rules",
            &r.full,
            r.full_calls.as_ref(),
            ratio(&r.full, &r.rust),
        );
        print_row(
            r,
            "scoring only (Rhai `rapporto`)",
            &r.scoring,
            r.scoring_calls.as_ref(),
            ratio(&r.scoring, &r.rust),
        );
        print_row(r, "plain Rust, same rule", &r.rust, None, None);
    }
    println!();
    println!(
        "Per run: wall time of one `evaluate` (or of the plain-Rust scoring) over the whole model; per indicator and per rule call: the median divided by the indicators and by the rule calls of a run."
    );
    println!(
        "A rule call is one call from Rust into a rule function (`call_fn_with_options`); rule functions calling each other inside a script (`metodo` → `polarita`) are part of it. Constant twins (`rapporto_excel()`) are evaluated at compile time and cost no call."
    );
    for r in &rows {
        if let Some(c) = &r.full_calls {
            describe_calls("full default rules", r, c);
        }
        if let Some(s) = &r.full_summary {
            let methods: Vec<String> = s
                .methods
                .iter()
                .map(|(m, n)| format!("{m} {}", group_thousands(*n)))
                .collect();
            println!(
                "  - methods chosen: {}; {} findings from the checks.",
                methods.join(", "),
                group_thousands(s.findings)
            );
        }
        if let Some(c) = &r.scoring_calls {
            describe_calls("scoring only", r, c);
            println!("  - every indicator scored with `rapporto`; no checks; scores identical to plain Rust's (checked).");
        }
        if let Some(s) = &r.compile_scoring {
            println!(
                "- compile of the scoring-only set: median {}.",
                human_time(s.median)
            );
        }
    }
    println!();
    println!(
        "Runs: {}. {}",
        rows.iter()
            .map(|r| format!("{} at {}", r.runs, group_thousands(r.indicators)))
            .collect::<Vec<_>>()
            .join(", "),
        machine("rules")
    );
    if smoke {
        println!("(smoke run: `cargo bench --bench rules` for the real measurement)");
    }
    println!();
    if let Some(r) = rows.iter().find(|r| r.indicators == 100_000) {
        let n = r.indicators as f64;
        let mut parts = Vec::new();
        if let (Some(s), Some(c)) = (&r.full, &r.full_calls) {
            parts.push(format!(
                "full {} per indicator, {} per rule call",
                per_item(s.median.as_secs_f64() / n),
                per_item(s.median.as_secs_f64() / c.total() as f64)
            ));
        }
        if let (Some(s), Some(c)) = (&r.scoring, &r.scoring_calls) {
            parts.push(format!(
                "scoring only {} per indicator, {} per rule call",
                per_item(s.median.as_secs_f64() / n),
                per_item(s.median.as_secs_f64() / c.total() as f64)
            ));
        }
        if let Some(s) = &r.rust {
            parts.push(format!(
                "plain Rust {} per indicator",
                per_item(s.median.as_secs_f64() / n)
            ));
        }
        if let Some(x) = ratio(&r.full, &r.rust) {
            parts.push(format!("full / plain Rust {x:.0}×"));
        }
        if let Some(x) = ratio(&r.scoring, &r.rust) {
            parts.push(format!("scoring only / plain Rust {x:.0}×"));
        }
        if !parts.is_empty() {
            println!("rules (100k indicators): {}", parts.join("; "));
        }
    }
}
