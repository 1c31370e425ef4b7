//! The default rules (`rules/predefinite`) on small models built by hand: every method of
//! `indicatori.rhai` and its edge cases, the aggregation of `aggregazione.rhai`, the weight
//! checks of `controlli.rhai`, the bands of `barometro.rhai`, twins and inputs.

use barometro::model::{
    Area, Ente, Field, Finding, Indicator, IndicatorValue, Objective, Polarity, Severity, Source,
};
use barometro::rules::{evaluate, EvaluateOptions, Evaluation, IndicatorOutcome, RuleSet};
use barometro::value::{DatePrecision, Value};
use chrono::NaiveDate;

const SHEET: &str = "Obiettivi";

// Columns of the hand-made sheet.
const NAME: u32 = 0;
const FORMULA: u32 = 1;
const POLARITY: u32 = 2;
const METHOD: u32 = 3;
const BASELINE: u32 = 4;
const TARGET: u32 = 5;
const ACTUAL: u32 = 6;
const DEADLINE: u32 = 7;
const WEIGHT: u32 = 8;
const STATED: u32 = 9;
const NOTE: u32 = 10;
const EXTRA: u32 = 11;

fn cell(row: u32, col: u32) -> Source {
    Source::new(SHEET.into(), row, col)
}

/// A cell value as a person would write it.
#[derive(Debug, Clone)]
enum V {
    /// A plain number.
    N(f64),
    /// A percentage in points.
    P(f64),
    /// Text.
    T(&'static str),
    /// A date (year, month, day).
    D(i32, u32, u32),
    /// Done / not done.
    Done(bool),
}

impl From<f64> for V {
    fn from(n: f64) -> V {
        V::N(n)
    }
}

impl From<&'static str> for V {
    fn from(s: &'static str) -> V {
        V::T(s)
    }
}

fn field(v: V, source: Source) -> Field {
    let (raw, value) = match v {
        V::N(n) => (
            n.to_string().replace('.', ","),
            Value::Number {
                number: n,
                unit: None,
            },
        ),
        V::P(p) => (
            format!("{p}%").replace('.', ","),
            Value::Percent { percent: p },
        ),
        V::T(s) => (s.to_string(), Value::Text),
        V::D(y, m, d) => (
            format!("{d:02}/{m:02}/{y}"),
            Value::Date {
                date: NaiveDate::from_ymd_opt(y, m, d).expect("a real date"),
                precision: DatePrecision::Day,
            },
        ),
        V::Done(done) => (
            if done { "fatto" } else { "non fatto" }.to_string(),
            Value::Done { done },
        ),
    };
    Field {
        raw: raw.into(),
        value,
        source,
    }
}

/// An indicator on one row of the sheet, built column by column.
struct Ind {
    row: u32,
    ind: Indicator,
}

impl Ind {
    fn new(row: u32) -> Ind {
        Ind {
            row,
            ind: Indicator::new(cell(row, NAME)),
        }
    }

    fn set(mut self, which: IndicatorValue, col: u32, v: V) -> Ind {
        self.ind.set(which, field(v, cell(self.row, col)));
        self
    }

    fn name(self, s: &'static str) -> Ind {
        self.set(IndicatorValue::Name, NAME, V::T(s))
    }

    fn formula(self, s: &'static str) -> Ind {
        self.set(IndicatorValue::Formula, FORMULA, V::T(s))
    }

    /// The Polarità column, as the reader understands it.
    fn polarity(mut self, p: Polarity) -> Ind {
        let text = match p {
            Polarity::Crescente => "crescente",
            Polarity::Decrescente => "decrescente",
        };
        self.ind.polarity = Some(p);
        self.set(IndicatorValue::PolarityText, POLARITY, V::T(text))
    }

    fn method(self, s: &'static str) -> Ind {
        self.set(IndicatorValue::Method, METHOD, V::T(s))
    }

    fn baseline(self, v: impl Into<V>) -> Ind {
        self.set(IndicatorValue::Baseline, BASELINE, v.into())
    }

    fn target(self, v: impl Into<V>) -> Ind {
        self.set(IndicatorValue::Target, TARGET, v.into())
    }

    fn actual(self, v: impl Into<V>) -> Ind {
        self.set(IndicatorValue::Actual, ACTUAL, v.into())
    }

    fn deadline(self, v: V) -> Ind {
        self.set(IndicatorValue::Deadline, DEADLINE, v)
    }

    fn weight(self, w: f64) -> Ind {
        self.set(IndicatorValue::Weight, WEIGHT, V::P(w))
    }

    /// The stated % Ragg column.
    fn stated(self, p: f64) -> Ind {
        self.set(IndicatorValue::StatedAchievement, STATED, V::P(p))
    }

    fn note(self, s: &'static str) -> Ind {
        self.set(IndicatorValue::Note, NOTE, V::T(s))
    }

    /// A column barometro does not know, e.g. «Soglia minima».
    fn extra(mut self, header: &str, v: impl Into<V>) -> Ind {
        let col = EXTRA + self.ind.extra.len() as u32;
        let f = field(v.into(), cell(self.row, col));
        self.ind.extra.push((header.to_string(), f));
        self
    }
}

/// A ratio indicator with a weight of 100.
fn ratio(row: u32, target: impl Into<V>, actual: impl Into<V>) -> Ind {
    Ind::new(row)
        .name("Pratiche evase")
        .target(target)
        .actual(actual)
        .weight(100.0)
}

fn objective(row: u32, indicators: Vec<Ind>) -> Objective {
    let mut o = Objective::new(cell(row, NAME));
    o.indicators = indicators.into_iter().map(|i| i.ind).collect();
    o
}

fn ente(objectives: Vec<Objective>) -> Ente {
    let mut area = Area::new("Servizi al cittadino", "Settore");
    area.objectives = objectives;
    let mut ente = Ente::new("Comune di Prova", "prova.xlsx");
    ente.areas.push(area);
    ente
}

fn rules() -> RuleSet {
    RuleSet::default_set().expect("the default rules compile")
}

fn run(ente: Ente) -> Evaluation {
    evaluate(ente, &rules(), &EvaluateOptions::default())
}

/// Evaluates one indicator alone in one objective.
fn one(ind: Ind) -> Evaluation {
    run(ente(vec![objective(ind.row, vec![ind])]))
}

fn first(ev: &Evaluation) -> &IndicatorOutcome {
    &ev.areas[0].objectives[0].indicators[0]
}

fn indicator(ev: &Evaluation, o: usize, i: usize) -> &IndicatorOutcome {
    &ev.areas[0].objectives[o].indicators[i]
}

fn findings(ev: &Evaluation, severity: Severity) -> Vec<&Finding> {
    ev.findings
        .iter()
        .filter(|f| f.severity == severity)
        .collect()
}

fn assert_close(actual: Option<f64>, expected: f64) {
    let a = actual.unwrap_or_else(|| panic!("no score, expected {expected}"));
    assert!(
        (a - expected).abs() < 0.005,
        "score {a}, expected {expected}"
    );
}

fn reason(o: &IndicatorOutcome) -> &str {
    o.score.reason.as_deref().unwrap_or("")
}

/// Every score of an evaluation, top to bottom.
fn all_scores(ev: &Evaluation) -> Vec<Option<f64>> {
    let mut out = vec![ev.score.value, ev.expected.value];
    for a in &ev.areas {
        out.push(a.score.value);
        for o in a.all_objectives() {
            out.push(o.score.value);
            out.push(o.weight.value);
            out.extend(o.indicators.iter().map(|i| i.score.value));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// rapporto
// ---------------------------------------------------------------------------------------------

#[test]
fn ratio_39_of_50_is_78() {
    let ev = one(ratio(4, 50.0, 39.0));
    let i = first(&ev);
    assert_eq!(i.method, "rapporto");
    assert_close(i.score.value, 78.0);
    let rule = i.score.rule.as_ref().expect("the rule is recorded");
    assert_eq!(&*rule.file, "indicatori.rhai");
    assert_eq!(&*rule.function, "rapporto");
    assert!(rule.line > 0);
    assert_eq!(ev.areas[0].objectives[0].score.value, Some(78.0));
    assert_eq!(ev.areas[0].score.value, Some(78.0));
    assert_eq!(ev.score.value, Some(78.0));
    assert!(
        findings(&ev, Severity::Error).is_empty(),
        "{:?}",
        ev.findings
    );
    assert!(
        findings(&ev, Severity::Warning).is_empty(),
        "{:?}",
        ev.findings
    );
}

#[test]
fn ratio_over_target_is_capped_at_100() {
    let ev = one(ratio(4, 50.0, 75.0));
    assert_eq!(first(&ev).score.value, Some(100.0));
    let ev = one(ratio(4, 50.0, 50.0));
    assert_eq!(first(&ev).score.value, Some(100.0));
}

#[test]
fn ratio_with_target_zero_has_no_score_and_an_error_on_the_target_cell() {
    let ev = one(ratio(4, 0.0, 12.0));
    let i = first(&ev);
    assert_eq!(i.method, "rapporto");
    assert_eq!(i.score.value, None);
    assert!(reason(i).contains("target zero"), "{:?}", i.score.reason);
    let errors = findings(&ev, Severity::Error);
    assert_eq!(errors.len(), 1, "{:?}", ev.findings);
    assert!(
        errors[0].message.contains("Target zero"),
        "{}",
        errors[0].message
    );
    assert_eq!(errors[0].source, Some(cell(4, TARGET)));
    assert_eq!(
        errors[0].source.as_ref().unwrap().to_string(),
        "Obiettivi!F5"
    );
    // The objective has no scored indicator: no score, and no NaN.
    assert_eq!(ev.areas[0].objectives[0].score.value, None);
}

#[test]
fn ratio_with_negative_actual_is_zero() {
    let ev = one(ratio(4, 10.0, -5.0));
    assert_eq!(first(&ev).score.value, Some(0.0));
}

#[test]
fn ratio_without_actual_has_no_score_and_a_warning() {
    let ev = one(Ind::new(4).name("Pratiche").target(50.0).weight(100.0));
    let i = first(&ev);
    assert_eq!(i.score.value, None);
    assert_eq!(reason(i), "consuntivo mancante");
    let warnings = findings(&ev, Severity::Warning);
    assert!(
        warnings
            .iter()
            .any(|f| f.message.contains("Consuntivo mancante") && f.source == Some(cell(4, NAME))),
        "{:?}",
        ev.findings
    );
    // No actual anywhere: the weights check would only warn, and here they sum to 100.
    assert!(
        findings(&ev, Severity::Error).is_empty(),
        "{:?}",
        ev.findings
    );
}

#[test]
fn ratio_with_text_target_has_no_score_and_a_warning_on_the_target() {
    let ev = one(ratio(4, "migliorare il servizio", 5.0));
    let i = first(&ev);
    assert_eq!(i.method, "rapporto");
    assert_eq!(i.score.value, None);
    assert!(reason(i).contains("target"), "{:?}", i.score.reason);
    let w: Vec<_> = findings(&ev, Severity::Warning)
        .into_iter()
        .filter(|f| f.source == Some(cell(4, TARGET)))
        .collect();
    assert_eq!(w.len(), 1, "{:?}", ev.findings);
    assert!(
        w[0].message
            .contains("«migliorare il servizio» non è un numero"),
        "{}",
        w[0].message
    );
}

#[test]
fn ratio_with_text_actual_is_not_evaluable() {
    let ev = one(ratio(4, 10.0, "in corso"));
    let i = first(&ev);
    assert_eq!(i.score.value, None);
    assert!(reason(i).contains("consuntivo"), "{:?}", i.score.reason);
}

#[test]
fn ratio_without_target_is_an_error_on_the_target() {
    let ev = one(Ind::new(4).name("Pratiche").actual(5.0).weight(100.0));
    let i = first(&ev);
    assert_eq!(i.score.value, None);
    let errors = findings(&ev, Severity::Error);
    assert!(
        errors.iter().any(|f| f.message.contains("Target mancante")),
        "{:?}",
        ev.findings
    );
}

#[test]
fn ratio_twin_and_inputs() {
    let ev = one(ratio(4, 50.0, 39.0));
    let i = first(&ev);
    let twin = i.score.twin.as_ref().expect("rapporto has a twin");
    assert_eq!(
        &*twin.template,
        "=MAX(0,MIN(100,{consuntivo}/{target}*100))"
    );
    let names: Vec<&str> = twin.inputs.iter().map(|s| &**s).collect();
    assert_eq!(names, ["consuntivo", "target"]);
    assert_eq!(
        twin.render(|n| Some(if n == "target" { "F5" } else { "G5" }.to_string()))
            .as_deref(),
        Some("=MAX(0,MIN(100,G5/F5*100))")
    );
    assert!(i.inputs.contains(&"consuntivo"), "{:?}", i.inputs);
    assert!(i.inputs.contains(&"target"), "{:?}", i.inputs);
}

#[test]
fn ratio_inputs_are_only_what_the_method_read() {
    let ev = one(ratio(4, 50.0, 39.0));
    let mut inputs = first(&ev).inputs.clone();
    inputs.sort_unstable();
    assert_eq!(inputs, ["consuntivo", "target"]);
}

#[test]
fn inputs_of_each_method() {
    let cases: Vec<(Ind, &[&str])> = vec![
        (ratio(4, 50.0, 39.0), &["consuntivo", "target"]),
        (lower(4.0, 5.0), &["consuntivo", "target"]),
        (done("1 = fatto 0 = non fatto", 1.0), &["consuntivo"]),
        (
            from_baseline(60.0, 80.0, 70.0),
            &["baseline", "consuntivo", "target"],
        ),
        (
            thresholds(Some(60.0), 80.0, 70.0),
            &["consuntivo", "target"],
        ),
        (
            deadline(V::D(2024, 6, 30), V::D(2024, 7, 5)),
            &["consuntivo", "scadenza", "target"],
        ),
        (
            Ind::new(4)
                .name("Q")
                .method("manuale")
                .stated(85.0)
                .note("motivata")
                .weight(100.0),
            &["nota", "raggiungimento"],
        ),
    ];
    for (ind, expected) in cases {
        let ev = one(ind);
        let i = first(&ev);
        let mut inputs = i.inputs.clone();
        inputs.sort_unstable();
        assert_eq!(inputs, expected, "{}", i.method);
    }
}

// ---------------------------------------------------------------------------------------------
// minore_migliore
// ---------------------------------------------------------------------------------------------

fn lower(target: impl Into<V>, actual: impl Into<V>) -> Ind {
    Ind::new(4)
        .name("Giorni di attesa")
        .polarity(Polarity::Decrescente)
        .target(target)
        .actual(actual)
        .weight(100.0)
}

fn lower_by_name(target: impl Into<V>, actual: impl Into<V>) -> Ind {
    Ind::new(4)
        .name("Tempo medio di rilascio delle autorizzazioni")
        .target(target)
        .actual(actual)
        .weight(100.0)
}

#[test]
fn lower_is_better_by_polarity_column() {
    let ev = one(lower(4.0, 3.0));
    let i = first(&ev);
    assert_eq!(i.method, "minore_migliore");
    assert_eq!(i.score.value, Some(100.0));
    // Decided by a column: no "verify" info.
    assert!(
        !ev.findings
            .iter()
            .any(|f| f.message.contains("in base al nome")),
        "{:?}",
        ev.findings
    );
    let ev = one(lower(4.0, 5.0));
    assert_close(first(&ev).score.value, 80.0);
}

#[test]
fn increasing_polarity_column_keeps_the_ratio_even_with_a_time_name() {
    let ev = one(Ind::new(4)
        .name("Tempo medio di risposta")
        .polarity(Polarity::Crescente)
        .target(4.0)
        .actual(3.0)
        .weight(100.0));
    assert_eq!(first(&ev).method, "rapporto");
    assert_close(first(&ev).score.value, 75.0);
}

#[test]
fn lower_is_better_by_name() {
    let ev = one(lower_by_name(4.0, 3.0));
    let i = first(&ev);
    assert_eq!(i.method, "minore_migliore");
    assert_eq!(i.score.value, Some(100.0));
    let info = findings(&ev, Severity::Info);
    assert!(
        info.iter()
            .any(|f| f.message.contains("in base al nome") && f.source == Some(cell(4, NAME))),
        "{:?}",
        ev.findings
    );

    let ev = one(lower_by_name(4.0, 5.0));
    assert_close(first(&ev).score.value, 80.0);
    let ev = one(lower_by_name(4.0, 0.0));
    assert_eq!(first(&ev).score.value, Some(100.0));
    for name in [
        "Tempi medi di pagamento",
        "Indice di tempestività dei pagamenti",
    ] {
        let ev = one(Ind::new(4)
            .name(name)
            .target(30.0)
            .actual(60.0)
            .weight(100.0));
        assert_eq!(first(&ev).method, "minore_migliore", "{name}");
        assert_close(first(&ev).score.value, 50.0);
    }
}

#[test]
fn lower_is_better_with_negative_targets() {
    // Days in advance: target −15, the office paid 23,15 days early → achieved.
    let ev = one(lower_by_name(-15.0, -23.15));
    assert_eq!(first(&ev).score.value, Some(100.0));
    // Only 10 days early: −10 / −15 → 66,67.
    let ev = one(lower_by_name(-15.0, -10.0));
    assert_close(first(&ev).score.value, 66.67);
    // Late instead of early: 0.
    let ev = one(lower_by_name(-15.0, 5.0));
    assert_eq!(first(&ev).score.value, Some(0.0));
}

#[test]
fn lower_is_better_twin() {
    let ev = one(lower(4.0, 5.0));
    let twin = first(&ev)
        .score
        .twin
        .as_ref()
        .expect("minore_migliore twin");
    assert!(twin.template.starts_with("=IF({consuntivo}<={target},100"));
    assert_eq!(twin.inputs.len(), 2);
}

// ---------------------------------------------------------------------------------------------
// fatto_non_fatto
// ---------------------------------------------------------------------------------------------

fn done(formula: &'static str, actual: impl Into<V>) -> Ind {
    Ind::new(4)
        .name("Approvazione del regolamento")
        .formula(formula)
        .target(1.0)
        .actual(actual)
        .weight(100.0)
}

#[test]
fn done_not_done() {
    let ev = one(done("1 = fatto 0 = non fatto", 1.0));
    assert_eq!(first(&ev).method, "fatto_non_fatto");
    assert_eq!(first(&ev).score.value, Some(100.0));
    assert!(ev.findings.is_empty(), "{:?}", ev.findings);

    let ev = one(done("1 = fatto 0 = non fatto", 0.0));
    assert_eq!(first(&ev).score.value, Some(0.0));

    let ev = one(done("1 = fatto 0 = non fatto", V::Done(true)));
    assert_eq!(first(&ev).score.value, Some(100.0));
    let ev = one(done("1 = fatto 0 = non fatto", V::Done(false)));
    assert_eq!(first(&ev).score.value, Some(0.0));
}

#[test]
fn done_with_100_is_done_and_warned() {
    let ev = one(done("1 = fatto 0 = non fatto", 100.0));
    assert_eq!(first(&ev).score.value, Some(100.0));
    let w = findings(&ev, Severity::Warning);
    assert_eq!(w.len(), 1, "{:?}", ev.findings);
    assert!(w[0].message.contains("consuntivo 100"), "{}", w[0].message);
    assert_eq!(w[0].source, Some(cell(4, ACTUAL)));
}

#[test]
fn done_formula_variants() {
    for formula in [
        "1 = fatto 0 = non fatto",
        "Fatto = 1 Non fatto = 0",
        "1= fatto 0=non fatto",
        "1 =FATTO  0 = NON FATTO",
        "Approvato = 1, non approvato = 0",
    ] {
        let ev = one(done(formula, 1.0));
        assert_eq!(first(&ev).method, "fatto_non_fatto", "{formula}");
        assert_eq!(first(&ev).score.value, Some(100.0), "{formula}");
        let ev = one(done(formula, 0.0));
        assert_eq!(first(&ev).score.value, Some(0.0), "{formula}");
    }
    // A formula that only mentions "fatto" without 1/0 is a ratio.
    let ev = one(done("numero di interventi fatti", 1.0));
    assert_eq!(first(&ev).method, "rapporto");
}

#[test]
fn done_by_method_column_and_twin() {
    let ev = one(Ind::new(4)
        .name("Regolamento")
        .method("Fatto / non fatto")
        .actual(1.0)
        .weight(100.0));
    let i = first(&ev);
    assert_eq!(i.method, "fatto_non_fatto");
    assert_eq!(i.score.value, Some(100.0));
    assert_eq!(
        i.score.twin.as_ref().map(|t| &*t.template),
        Some("=IF({consuntivo}>=1,100,0)")
    );
    let ev = one(Ind::new(4)
        .name("Regolamento")
        .method("fatto")
        .weight(100.0));
    assert_eq!(first(&ev).score.value, None);
    assert_eq!(reason(first(&ev)), "consuntivo mancante");
}

// ---------------------------------------------------------------------------------------------
// baseline_target
// ---------------------------------------------------------------------------------------------

fn from_baseline(baseline: f64, target: f64, actual: f64) -> Ind {
    Ind::new(4)
        .name("Raccolta differenziata")
        .method("baseline → target")
        .baseline(baseline)
        .target(target)
        .actual(actual)
        .weight(100.0)
}

#[test]
fn baseline_to_target_increasing() {
    let ev = one(from_baseline(60.0, 80.0, 75.0));
    let i = first(&ev);
    assert_eq!(i.method, "baseline_target");
    assert_close(i.score.value, 75.0);
    assert_eq!(
        one(from_baseline(60.0, 80.0, 60.0)).areas[0].objectives[0].indicators[0]
            .score
            .value,
        Some(0.0)
    );
    assert_eq!(
        first(&one(from_baseline(60.0, 80.0, 50.0))).score.value,
        Some(0.0)
    );
    assert_eq!(
        first(&one(from_baseline(60.0, 80.0, 90.0))).score.value,
        Some(100.0)
    );
    let twin = i.score.twin.as_ref().expect("baseline_target twin");
    let names: Vec<&str> = twin.inputs.iter().map(|s| &**s).collect();
    assert_eq!(names, ["consuntivo", "baseline", "target"]);
    assert!(i.inputs.contains(&"baseline"), "{:?}", i.inputs);
}

#[test]
fn baseline_to_target_decreasing() {
    // From 20 complaints down to 10: 12 is 80 % of the way.
    let ev = one(from_baseline(20.0, 10.0, 12.0));
    assert_close(first(&ev).score.value, 80.0);
    assert_eq!(
        first(&one(from_baseline(20.0, 10.0, 8.0))).score.value,
        Some(100.0)
    );
    assert_eq!(
        first(&one(from_baseline(20.0, 10.0, 25.0))).score.value,
        Some(0.0)
    );
}

#[test]
fn baseline_equal_to_target_has_no_score() {
    let ev = one(from_baseline(50.0, 50.0, 50.0));
    let i = first(&ev);
    assert_eq!(i.method, "baseline_target");
    assert_eq!(i.score.value, None);
    assert!(reason(i).contains("baseline"), "{:?}", i.score.reason);
    assert!(all_scores(&ev).iter().flatten().all(|s| s.is_finite()));
}

#[test]
fn baseline_missing_has_no_score() {
    let ev = one(Ind::new(4)
        .name("Raccolta differenziata")
        .method("baseline")
        .target(80.0)
        .actual(70.0)
        .weight(100.0));
    assert_eq!(first(&ev).score.value, None);
    assert_eq!(reason(first(&ev)), "baseline mancante");
}

// ---------------------------------------------------------------------------------------------
// soglie
// ---------------------------------------------------------------------------------------------

fn thresholds(minimum: Option<f64>, target: f64, actual: f64) -> Ind {
    let i = Ind::new(4)
        .name("Copertura del servizio")
        .method("Soglie")
        .target(target)
        .actual(actual)
        .weight(100.0);
    match minimum {
        Some(m) => i.extra("Soglia minima", m),
        None => i,
    }
}

#[test]
fn thresholds_with_a_minimum_column() {
    let ev = one(thresholds(Some(60.0), 80.0, 70.0));
    let i = first(&ev);
    assert_eq!(i.method, "soglie");
    assert_close(i.score.value, 50.0);
    assert_eq!(
        first(&one(thresholds(Some(60.0), 80.0, 59.9))).score.value,
        Some(0.0)
    );
    assert_close(
        first(&one(thresholds(Some(60.0), 80.0, 60.0))).score.value,
        0.0,
    );
    assert_eq!(
        first(&one(thresholds(Some(60.0), 80.0, 80.0))).score.value,
        Some(100.0)
    );
    assert_eq!(
        first(&one(thresholds(Some(60.0), 80.0, 95.0))).score.value,
        Some(100.0)
    );
    let twin = i.score.twin.as_ref().expect("soglie twin");
    assert!(
        twin.inputs.iter().any(|n| &**n == "Soglia minima"),
        "{:?}",
        twin.inputs
    );
}

#[test]
fn thresholds_without_the_column_or_with_a_bad_target() {
    let ev = one(thresholds(None, 80.0, 70.0));
    assert_eq!(first(&ev).score.value, None);
    assert!(reason(first(&ev)).contains("Soglia minima"));
    let ev = one(thresholds(Some(90.0), 80.0, 85.0));
    assert_eq!(first(&ev).score.value, None);
    assert!(reason(first(&ev)).contains("soglia minima"));
}

#[test]
fn thresholds_column_matches_loosely() {
    let ev = one(Ind::new(4)
        .name("Copertura")
        .method("soglia")
        .target(80.0)
        .actual(70.0)
        .weight(100.0)
        .extra("SOGLIA  MINIMA (%)", 60.0));
    assert_close(first(&ev).score.value, 50.0);
}

// ---------------------------------------------------------------------------------------------
// scadenza
// ---------------------------------------------------------------------------------------------

fn deadline(target: V, actual: V) -> Ind {
    Ind::new(4)
        .name("Approvazione del piano")
        .method("scadenza")
        .target(target)
        .actual(actual)
        .weight(100.0)
}

#[test]
fn deadline_on_time_and_late() {
    let ev = one(deadline(V::D(2024, 6, 30), V::D(2024, 6, 28)));
    let i = first(&ev);
    assert_eq!(i.method, "scadenza");
    assert_eq!(i.score.value, Some(100.0));
    assert_eq!(
        first(&one(deadline(V::D(2024, 6, 30), V::D(2024, 6, 30))))
            .score
            .value,
        Some(100.0)
    );
    // Five days late, one point a day.
    let ev = one(deadline(V::D(2024, 6, 30), V::D(2024, 7, 5)));
    assert_close(first(&ev).score.value, 95.0);
    // Very late: not below 0.
    let ev = one(deadline(V::D(2024, 1, 31), V::D(2024, 12, 31)));
    assert_eq!(first(&ev).score.value, Some(0.0));
    let twin = i.score.twin.as_ref().expect("scadenza twin");
    assert!(
        twin.template.contains("DAYS({consuntivo},{target})"),
        "{}",
        twin.template
    );
}

#[test]
fn deadline_column_and_date_target_without_method() {
    // The Scadenza column wins over the target.
    let ev = one(Ind::new(4)
        .name("Piano")
        .method("termine")
        .target(1.0)
        .deadline(V::D(2024, 3, 31))
        .actual(V::D(2024, 4, 2))
        .weight(100.0));
    assert_eq!(first(&ev).method, "scadenza");
    assert_close(first(&ev).score.value, 98.0);
    let twin = first(&ev).score.twin.as_ref().expect("scadenza twin");
    assert!(twin.template.contains("{scadenza}"), "{}", twin.template);
    // A date target with no Metodo column chooses scadenza.
    let ev = one(Ind::new(4)
        .name("Piano")
        .target(V::D(2024, 3, 31))
        .actual(V::D(2024, 3, 1))
        .weight(100.0));
    assert_eq!(first(&ev).method, "scadenza");
    assert_eq!(first(&ev).score.value, Some(100.0));
}

#[test]
fn deadline_with_a_number_as_actual_is_not_evaluable() {
    let ev = one(deadline(V::D(2024, 6, 30), V::N(1.0)));
    assert_eq!(first(&ev).score.value, None);
    assert!(
        reason(first(&ev)).contains("data"),
        "{:?}",
        first(&ev).score.reason
    );
}

// ---------------------------------------------------------------------------------------------
// manuale, non valutabile, unknown methods
// ---------------------------------------------------------------------------------------------

#[test]
fn manual_score_with_a_note() {
    let ev = one(Ind::new(4)
        .name("Qualità percepita")
        .method("manuale")
        .stated(85.0)
        .note("Valutazione del Nucleo sulla base della relazione del dirigente")
        .weight(100.0));
    let i = first(&ev);
    assert_eq!(i.method, "manuale");
    assert_eq!(i.score.value, Some(85.0));
    assert!(i.score.twin.is_none(), "manuale has no twin");
    assert!(i.inputs.contains(&"raggiungimento"), "{:?}", i.inputs);
    assert!(
        findings(&ev, Severity::Error).is_empty(),
        "{:?}",
        ev.findings
    );
}

/// (file, line, column) from an "Errore nella regola FILE, riga L, colonna C" message.
fn rule_location(message: &str) -> Option<(String, usize, usize)> {
    let rest = message.split("Errore nella regola ").nth(1)?;
    let (file, rest) = rest.split_once(", riga ")?;
    let (line, rest) = rest.split_once(", colonna ")?;
    let column: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((file.to_string(), line.parse().ok()?, column.parse().ok()?))
}

#[test]
fn manual_score_without_a_note_is_an_error_naming_the_rule() {
    let ev = one(Ind::new(4)
        .name("Qualità percepita")
        .method("Manuale")
        .stated(85.0)
        .weight(100.0));
    let i = first(&ev);
    assert_eq!(i.method, "manuale");
    assert_eq!(i.score.value, None);
    let errors = findings(&ev, Severity::Error);
    assert_eq!(errors.len(), 1, "{:?}", ev.findings);
    let e = errors[0];
    assert!(e.message.contains("nota"), "{}", e.message);
    let (file, line, column) = rule_location(&e.message).expect("located");
    assert_eq!(file, "indicatori.rhai");
    let text = &rules()
        .files()
        .iter()
        .find(|f| f.name == "indicatori.rhai")
        .unwrap()
        .text
        .clone();
    let expected_line = text
        .lines()
        .position(|l| l.contains("throw \"Punteggio manuale senza nota"))
        .unwrap()
        + 1;
    assert_eq!(line, expected_line, "{}", e.message);
    assert!(column > 0, "{}", e.message);
    assert_eq!(e.rule, format!("regola:indicatori.rhai:{expected_line}"));
    assert_eq!(e.source, Some(cell(4, NAME)));
}

#[test]
fn manual_score_out_of_range_is_an_error() {
    let ev = one(Ind::new(4)
        .name("Qualità")
        .method("manuale")
        .stated(120.0)
        .note("motivata")
        .weight(100.0));
    assert_eq!(first(&ev).score.value, None);
    let errors = findings(&ev, Severity::Error);
    assert_eq!(errors.len(), 1, "{:?}", ev.findings);
    assert!(
        errors[0].message.contains("tra 0 e 100"),
        "{}",
        errors[0].message
    );
}

#[test]
fn not_evaluable_by_method_column() {
    let ev = one(Ind::new(4)
        .name("Sportello sospeso")
        .method("Non valutabile")
        .target(10.0)
        .actual(2.0)
        .note("Attività sospesa per legge")
        .weight(100.0));
    let i = first(&ev);
    assert_eq!(i.method, "indicatore_non_valutabile");
    assert_eq!(i.score.value, None);
    assert_eq!(reason(i), "Attività sospesa per legge");
    assert!(i.score.twin.is_none());
    assert_eq!(ev.areas[0].objectives[0].score.value, None);

    let ev = one(Ind::new(4)
        .name("Sportello")
        .method("non valutabile")
        .weight(100.0));
    assert_eq!(reason(first(&ev)), "indicatore non valutabile");
}

#[test]
fn unknown_method_word_is_an_error_at_the_method_cell() {
    let ev = one(Ind::new(4)
        .name("Pratiche")
        .method("Casuale")
        .target(10.0)
        .actual(5.0)
        .weight(100.0));
    let i = first(&ev);
    assert_eq!(i.method, "casuale");
    assert_eq!(i.score.value, None);
    assert!(reason(i).contains("sconosciuto"), "{:?}", i.score.reason);
    let errors = findings(&ev, Severity::Error);
    assert_eq!(errors.len(), 1, "{:?}", ev.findings);
    assert!(
        errors[0].message.contains("«casuale»"),
        "{}",
        errors[0].message
    );
    assert_eq!(errors[0].source, Some(cell(4, METHOD)));
}

#[test]
fn method_column_may_not_name_a_twin() {
    // «obiettivo_excel» is a twin with one parameter, not a method.
    let ev = one(Ind::new(4)
        .name("Pratiche")
        .method("obiettivo_excel")
        .target(10.0)
        .actual(5.0)
        .weight(100.0));
    assert_eq!(first(&ev).score.value, None);
    assert_eq!(findings(&ev, Severity::Error).len(), 1, "{:?}", ev.findings);
}

#[test]

fn method_column_naming_a_non_method_function_is_an_unknown_method() {
    for word in [
        "Neutralizzato",
        "obiettivo",
        "polarita",
        "consuntivo_mancante",
    ] {
        let ev = one(Ind::new(4)
            .name("Pratiche")
            .method(word)
            .target(10.0)
            .actual(5.0)
            .weight(100.0));
        assert_eq!(first(&ev).score.value, None, "{word}");
        let errors = findings(&ev, Severity::Error);
        assert_eq!(errors.len(), 1, "{word}: {:#?}", ev.findings);
        assert_eq!(
            errors[0].source,
            Some(cell(4, METHOD)),
            "{word}: {}",
            errors[0].message
        );
    }
}

#[test]
fn method_column_words() {
    for (word, method) in [
        ("Rapporto", "rapporto"),
        ("proporzionale", "rapporto"),
        ("Minore è meglio", "minore_migliore"),
        ("inverso", "minore_migliore"),
        ("binario", "fatto_non_fatto"),
        ("Sì/No", "fatto_non_fatto"),
        ("Baseline-target", "baseline_target"),
        ("soglia", "soglie"),
        ("Scadenza", "scadenza"),
        ("MANUALE", "manuale"),
        ("non valutabile", "indicatore_non_valutabile"),
    ] {
        let ev = one(Ind::new(4)
            .name("X")
            .method(word)
            .target(10.0)
            .actual(5.0)
            .weight(100.0));
        assert_eq!(first(&ev).method, method, "{word}");
    }
}

#[test]
fn twins_present_for_every_method_that_has_one() {
    let cases: Vec<(Ind, &str, bool)> = vec![
        (ratio(4, 50.0, 39.0), "rapporto", true),
        (lower(4.0, 5.0), "minore_migliore", true),
        (
            done("1 = fatto 0 = non fatto", 1.0),
            "fatto_non_fatto",
            true,
        ),
        (from_baseline(60.0, 80.0, 70.0), "baseline_target", true),
        (thresholds(Some(60.0), 80.0, 70.0), "soglie", true),
        (
            deadline(V::D(2024, 6, 30), V::D(2024, 7, 5)),
            "scadenza",
            true,
        ),
        (
            Ind::new(4)
                .name("Q")
                .method("manuale")
                .stated(85.0)
                .note("motivata")
                .weight(100.0),
            "manuale",
            false,
        ),
    ];
    for (ind, method, has_twin) in cases {
        let ev = one(ind);
        let i = first(&ev);
        assert_eq!(i.method, method);
        assert!(i.score.value.is_some(), "{method}: {:?}", i.score);
        assert_eq!(
            i.score.twin.is_some(),
            has_twin,
            "{method}: {:?}",
            i.score.twin
        );
        if let Some(t) = &i.score.twin {
            assert!(t.template.starts_with('='), "{method}");
            assert!(!t.inputs.is_empty(), "{method}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Aggregation
// ---------------------------------------------------------------------------------------------

#[test]
fn objective_is_the_weighted_mean_over_scored_indicators() {
    let o = objective(
        3,
        vec![
            ratio(3, 50.0, 40.0).weight(50.0),                  // 80
            ratio(4, 10.0, 12.0).weight(30.0),                  // 100
            Ind::new(5).name("Senza").target(5.0).weight(20.0), // no actual: left out
        ],
    );
    let ev = run(ente(vec![o]));
    let oo = &ev.areas[0].objectives[0];
    assert_eq!(indicator(&ev, 0, 0).score.value, Some(80.0));
    assert_eq!(indicator(&ev, 0, 1).score.value, Some(100.0));
    assert_eq!(indicator(&ev, 0, 2).score.value, None);
    // (50 × 80 + 30 × 100) / (50 + 30) = 87,5: the missing indicator's weight is left out.
    assert_close(oo.score.value, 87.5);
    assert!(!oo.neutralised);
    let twin = oo.score.twin.as_ref().expect("objective twin");
    assert!(
        twin.template.contains("SUMPRODUCT({pesi},{punteggi})"),
        "{}",
        twin.template
    );
    assert_eq!(
        oo.score.rule.as_ref().map(|r| &*r.file),
        Some("aggregazione.rhai")
    );
    assert_close(ev.areas[0].score.value, 87.5);
    assert_close(ev.score.value, 87.5);
    // Weights sum to 100: no error.
    assert!(
        findings(&ev, Severity::Error).is_empty(),
        "{:?}",
        ev.findings
    );
}

#[test]
fn objective_without_weights_is_the_simple_mean() {
    let o = objective(
        3,
        vec![
            Ind::new(3).name("A").target(50.0).actual(39.0), // 78
            Ind::new(4).name("B").target(10.0).actual(10.0), // 100
            Ind::new(5).name("C").target(10.0),              // no score: skipped
        ],
    );
    let ev = run(ente(vec![o]));
    let oo = &ev.areas[0].objectives[0];
    assert_close(oo.score.value, 89.0);
    let twin = oo.score.twin.as_ref().expect("objective twin");
    assert!(
        twin.template.contains("AVERAGE({punteggi})"),
        "{}",
        twin.template
    );
    // No weights: no weights check.
    assert!(
        !ev.findings.iter().any(|f| f.message.contains("pesi")),
        "{:?}",
        ev.findings
    );
}

#[test]
fn area_is_the_rounded_mean_of_objectives_and_ente_of_areas() {
    let o1 = objective(3, vec![ratio(3, 3.0, 2.0)]); // 66,666…
    let o2 = objective(4, vec![ratio(4, 1.0, 1.0)]); // 100
    let mut e = ente(vec![o1, o2]);
    let mut second = Area::new("Ambiente", "Settore");
    second
        .objectives
        .push(objective(5, vec![ratio(5, 10.0, 5.0)])); // 50
    e.areas.push(second);
    let ev = run(e);
    assert_close(ev.areas[0].objectives[0].score.value, 66.666_666);
    // round((66,666… + 100) / 2, 2) = 83,33
    assert_eq!(ev.areas[0].score.value, Some(83.33));
    assert_eq!(ev.areas[1].score.value, Some(50.0));
    // round((83,33 + 50) / 2, 2) = 66,67 (66,665 rounded half up)
    assert_eq!(ev.score.value, Some(66.67));
}

#[test]
fn objective_weights_in_the_area() {
    let mut o1 = objective(3, vec![ratio(3, 10.0, 10.0)]); // 100
    o1.weight = Some(field(V::P(75.0), cell(3, 12)));
    let mut o2 = objective(4, vec![ratio(4, 10.0, 5.0)]); // 50
    o2.weight = Some(field(V::P(25.0), cell(4, 12)));
    let ev = run(ente(vec![o1, o2]));
    assert_eq!(ev.areas[0].objectives[0].weight.value, Some(75.0));
    assert_eq!(ev.areas[0].score.value, Some(87.5));
    assert!(
        findings(&ev, Severity::Error).is_empty(),
        "{:?}",
        ev.findings
    );
}

#[test]
fn neutralised_objective_is_left_out_of_the_area() {
    let mut neutral = objective(
        3,
        vec![
            ratio(3, 10.0, 1.0).weight(0.0),
            ratio(4, 10.0, 2.0).weight(0.0),
        ],
    );
    neutral.note = Some(field(
        V::T("Obiettivo neutralizzato per il blocco delle assunzioni"),
        cell(3, NOTE),
    ));
    let counted = objective(5, vec![ratio(5, 50.0, 39.0)]);
    let ev = run(ente(vec![neutral, counted]));
    let n = &ev.areas[0].objectives[0];
    assert!(n.neutralised);
    assert_eq!(n.score.value, None);
    assert_eq!(n.score.reason.as_deref(), Some("obiettivo neutralizzato"));
    // Its indicators are still scored (and shown).
    assert_eq!(n.indicators[0].score.value, Some(10.0));
    assert_close(ev.areas[0].score.value, 78.0);
    assert_close(ev.score.value, 78.0);
    let info = findings(&ev, Severity::Info);
    assert!(
        info.iter()
            .any(|f| f.message.contains("neutralizzato") && f.source == Some(cell(3, NOTE))),
        "{:?}",
        ev.findings
    );
    // Weights 0 + 0 are not a "weights do not sum to 100" error.
    assert!(
        findings(&ev, Severity::Error).is_empty(),
        "{:?}",
        ev.findings
    );
    assert_eq!(ev.bands.label_of(n.score.value), "Non valutabile");
}

#[test]
fn all_weights_zero_without_a_note_is_not_neutralised() {
    let o = objective(
        3,
        vec![
            ratio(3, 10.0, 1.0).weight(0.0),
            ratio(4, 10.0, 2.0).weight(0.0),
        ],
    );
    let ev = run(ente(vec![o]));
    let oo = &ev.areas[0].objectives[0];
    assert!(!oo.neutralised);
    // Σ weights = 0: the weighted mean has no value, never NaN.
    assert_eq!(oo.score.value, None);
    assert!(all_scores(&ev).iter().flatten().all(|s| s.is_finite()));
    let errors = findings(&ev, Severity::Error);
    assert!(
        errors.iter().any(|f| f.message.contains("sommano a 0")),
        "{:?}",
        ev.findings
    );
}

#[test]
fn objective_flagged_neutralised_in_the_sheet() {
    let mut neutral = objective(3, vec![ratio(3, 10.0, 1.0)]);
    neutral.neutralised = true;
    let counted = objective(4, vec![ratio(4, 10.0, 10.0)]);
    let ev = run(ente(vec![neutral, counted]));
    assert!(ev.areas[0].objectives[0].neutralised);
    assert_eq!(ev.areas[0].score.value, Some(100.0));
    // Neutralised without a note: a warning.
    assert!(
        findings(&ev, Severity::Warning)
            .iter()
            .any(|f| f.message.contains("senza una nota")),
        "{:?}",
        ev.findings
    );
}

#[test]
fn weights_not_summing_to_100_is_an_error_when_reporting() {
    let o = objective(
        3,
        vec![
            ratio(3, 10.0, 10.0).weight(60.0),
            ratio(4, 10.0, 5.0).weight(30.0),
        ],
    );
    let ev = run(ente(vec![o]));
    let errors = findings(&ev, Severity::Error);
    assert_eq!(errors.len(), 1, "{:?}", ev.findings);
    assert!(
        errors[0].message.contains("sommano a 90 invece di 100"),
        "{}",
        errors[0].message
    );
    assert_eq!(errors[0].source, Some(cell(3, NAME)));
    // The score is still the weighted mean: (60 × 100 + 30 × 50) / 90.
    assert_close(ev.areas[0].objectives[0].score.value, 83.333_333);
}

#[test]
fn weights_not_summing_to_100_is_a_warning_in_a_plan() {
    let o = objective(
        3,
        vec![
            Ind::new(3).name("A").target(10.0).weight(60.0),
            Ind::new(4).name("B").target(10.0).weight(30.5),
        ],
    );
    let ev = run(ente(vec![o]));
    assert!(
        findings(&ev, Severity::Error).is_empty(),
        "{:?}",
        ev.findings
    );
    let w: Vec<_> = findings(&ev, Severity::Warning)
        .into_iter()
        .filter(|f| f.message.contains("pesi"))
        .collect();
    assert_eq!(w.len(), 1, "{:?}", ev.findings);
    assert!(w[0].message.contains("sommano a 90,5"), "{}", w[0].message);
    assert!(w[0].message.contains("piano"), "{}", w[0].message);
}

#[test]
fn objective_weights_not_summing_to_100_in_the_area() {
    let mut o1 = objective(3, vec![ratio(3, 10.0, 10.0)]);
    o1.weight = Some(field(V::P(50.0), cell(3, 12)));
    let mut o2 = objective(4, vec![ratio(4, 10.0, 5.0)]);
    o2.weight = Some(field(V::P(40.0), cell(4, 12)));
    let ev = run(ente(vec![o1, o2]));
    let errors = findings(&ev, Severity::Error);
    assert!(
        errors
            .iter()
            .any(|f| f.message.contains("obiettivi dell'area") && f.message.contains("90")),
        "{:?}",
        ev.findings
    );
}

#[test]
fn stated_achievement_differing_from_the_computed_one_is_warned() {
    let ev = one(ratio(4, 50.0, 39.0).stated(90.0));
    let w = findings(&ev, Severity::Warning);
    assert_eq!(w.len(), 1, "{:?}", ev.findings);
    assert_eq!(w[0].source, Some(cell(4, STATED)));
    assert!(
        w[0].message.contains("calcolata dalle regole 78"),
        "{}",
        w[0].message
    );
    // Rounded to the integer as the sheet shows it: no warning.
    let ev = one(ratio(3, 3.0, 2.0).stated(67.0));
    assert!(
        findings(&ev, Severity::Warning).is_empty(),
        "{:?}",
        ev.findings
    );
}

// ---------------------------------------------------------------------------------------------
// Bands
// ---------------------------------------------------------------------------------------------

#[test]
fn bands_of_the_default_rules() {
    let bands = rules().bands().clone();
    let label = |s: f64| bands.band_of(Some(s)).map(|b| b.label.as_str());
    assert_eq!(label(100.0), Some("Raggiunto"));
    assert_eq!(label(90.0), Some("Raggiunto"));
    assert_eq!(label(89.99), Some("Parzialmente raggiunto"));
    assert_eq!(label(70.0), Some("Parzialmente raggiunto"));
    assert_eq!(label(69.99), Some("Non raggiunto"));
    assert_eq!(label(0.0), Some("Non raggiunto"));
    assert_eq!(label(-1.0), None);
    assert_eq!(bands.band_of(None), None);
    assert_eq!(bands.label_of(None), "Non valutabile");
    assert_eq!(bands.no_score.colour, "#BFBFBF");
    assert_eq!(bands.band_of(Some(90.0)).unwrap().colour, "#63BE7B");
    let froms: Vec<f64> = bands.bands.iter().map(|b| b.from).collect();
    assert_eq!(froms, [90.0, 70.0, 0.0]);
    // The evaluation carries the same bands.
    let ev = one(ratio(4, 50.0, 39.0));
    assert_eq!(ev.bands, bands);
}

#[test]
fn scores_are_never_nan_or_infinite() {
    let o = objective(
        3,
        vec![
            ratio(3, 0.0, 0.0).weight(50.0),
            from_baseline(5.0, 5.0, 5.0).weight(50.0),
        ],
    );
    let ev = run(ente(vec![o]));
    for s in all_scores(&ev).into_iter().flatten() {
        assert!(s.is_finite(), "{s}");
    }
    assert_eq!(ev.score.value, None);
    assert_eq!(ev.bands.label_of(ev.score.value), "Non valutabile");
}
