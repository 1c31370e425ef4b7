//! Scoring, aggregation, checks and barometer bands, all written in editable
//! [Rhai](https://rhai.rs) scripts (*regole*).
//!
//! The evaluator (*Nucleo di Valutazione* / *OIV*) changes how targets become percentages, how
//! weights combine, what counts as an error and where the colour bands lie by editing `.rhai`
//! files; nothing is recompiled. This module reads, compiles (once per run), sandboxes and runs
//! them, and keeps for every number the rule function (file and line) that made it and its Excel
//! twin (*formula gemella*), so that a report can write a live formula and `barometro explain`
//! can say how each figure was obtained.
//!
//! A rule set (*insieme di regole*) is a folder of `.rhai` files. The default one,
//! `rules/predefinite/`, is embedded in the binary ([`RuleSet::default_set`]); another one is
//! loaded with [`RuleSet::load_dir`]. The functions the engine calls, with their arguments and
//! what they return, are listed in `rules/predefinite/LEGGIMI.md`.
//!
//! ```
//! use barometro::model::{Area, Ente, Field, Indicator, IndicatorValue, Objective, Source};
//! use barometro::rules::{evaluate, EvaluateOptions, RuleSet};
//! use barometro::value::Value;
//!
//! let src = Source::new("Foglio1".into(), 1, 0);
//! let num = |n: f64, col| Field {
//!     raw: n.to_string().into(),
//!     value: Value::Number { number: n, unit: None },
//!     source: Source::new("Foglio1".into(), 1, col),
//! };
//! let mut indicator = Indicator::new(src.clone());
//! indicator.set(IndicatorValue::Target, num(50.0, 3));
//! indicator.set(IndicatorValue::Actual, num(39.0, 4));
//! indicator.set(IndicatorValue::Weight, num(100.0, 5));
//! let mut objective = Objective::new(src);
//! objective.indicators.push(indicator);
//! let mut area = Area::new("Ambiente", "Linea strategica");
//! area.objectives.push(objective);
//! let mut ente = Ente::new("Comune di Esempio", "esempio.xlsx");
//! ente.areas.push(area);
//!
//! let rules = RuleSet::default_set()?;
//! let evaluation = evaluate(ente, &rules, &EvaluateOptions::default());
//! let indicator = &evaluation.areas[0].objectives[0].indicators[0];
//! assert_eq!(indicator.method, "rapporto");
//! assert_eq!(indicator.score.value, Some(78.0));
//! assert_eq!(evaluation.bands.band_of(indicator.score.value).unwrap().label, "Parzialmente raggiunto");
//! # Ok::<(), barometro::rules::RuleError>(())
//! ```

mod api;
mod evaluate;
pub mod excel;
mod set;
mod view;

use std::fmt;

use serde::Serialize;

pub use evaluate::{evaluate, EvaluateOptions, OnRuleError};
pub use set::{RuleError, RuleFile, RuleSet, BUILTIN_SETS, DEFAULT_SET_NAME};
pub use view::{extra_field, INDICATOR_FIELDS};

use crate::model::{Ente, Field, Finding};
use std::sync::Arc;

/// Where a number comes from: the rule file, the function and the line where the function
/// starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleRef {
    /// The rule file, e.g. `indicatori.rhai`.
    pub file: Arc<str>,
    /// The function, e.g. `rapporto`.
    pub function: Arc<str>,
    /// One-based line of the `fn` in the file.
    pub line: usize,
}

impl fmt::Display for RuleRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{} ({})", self.file, self.line, self.function)
    }
}

/// The Excel twin of a rule: a formula template over the input cells, such as
/// `=MAX(0,MIN(100,{consuntivo}/{target}*100))`. The report replaces each `{name}` with the cell
/// (or range) holding that input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Twin {
    /// The template, with English function names and commas, starting with `=`.
    pub template: Arc<str>,
    /// The placeholders in the order they first appear, without braces.
    pub inputs: Arc<[Arc<str>]>,
}

impl Twin {
    /// Parses a template, checking that braces pair up and that it starts with `=`.
    ///
    /// ```
    /// use barometro::rules::Twin;
    /// let twin = Twin::parse("=MAX(0,MIN(100,{consuntivo}/{target}*100))").unwrap();
    /// assert_eq!(twin.inputs.len(), 2);
    /// assert_eq!(&*twin.inputs[0], "consuntivo");
    /// assert_eq!(
    ///     twin.render(|name| Some(if name == "target" { "D5".into() } else { "E5".into() })).unwrap(),
    ///     "=MAX(0,MIN(100,E5/D5*100))"
    /// );
    /// ```
    pub fn parse(template: &str) -> Result<Twin, String> {
        let template = template.trim();
        if !template.starts_with('=') {
            return Err("la formula gemella deve iniziare con '='".into());
        }
        let mut inputs: Vec<Arc<str>> = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            let close = after.find('}').ok_or_else(|| {
                "parentesi graffa '{' senza '}' nella formula gemella".to_string()
            })?;
            let name = after[..close].trim();
            if name.is_empty() || name.contains('{') {
                return Err(format!(
                    "segnaposto non valido '{{{}}}' nella formula gemella",
                    &after[..close]
                ));
            }
            if !inputs.iter().any(|i| &**i == name) {
                inputs.push(name.into());
            }
            rest = &after[close + 1..];
        }
        if rest.contains('}') {
            return Err("parentesi graffa '}' senza '{' nella formula gemella".into());
        }
        Ok(Twin {
            template: template.into(),
            inputs: inputs.into(),
        })
    }

    /// Writes the formula, asking `cell` for the reference of each placeholder; `None` when a
    /// placeholder has no cell.
    pub fn render(&self, mut cell: impl FnMut(&str) -> Option<String>) -> Option<String> {
        let mut out = String::with_capacity(self.template.len() + 16);
        let mut rest = &*self.template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let close = after.find('}')?;
            out.push_str(&cell(after[..close].trim())?);
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        Some(out)
    }
}

/// What a rule sees of an input cell, and so what a report writes for it: the same number in
/// the cell that the Excel twin reads as the rule read it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum InputValue<'a> {
    /// Empty, a placeholder (`n.d.`, `-`) or an invalid value: `()` for a rule.
    Empty,
    /// A number: percentages in points (`40%` is 40), `>= 6` is 6, done is 1 and not done 0.
    Number(f64),
    /// A date (a span of years ends on 31 December of its last year).
    Date(chrono::NaiveDate),
    /// Text that is not a value.
    Text(&'a str),
}

impl<'a> InputValue<'a> {
    /// The value a rule sees for a field (`None` when the cell is missing).
    ///
    /// ```
    /// use barometro::model::{Field, Source};
    /// use barometro::rules::InputValue;
    /// use barometro::value::Value;
    /// let field = Field {
    ///     raw: "40%".into(),
    ///     value: Value::Percent { percent: 40.0 },
    ///     source: Source::new("Foglio1".into(), 0, 0),
    /// };
    /// assert_eq!(InputValue::of(Some(&field)), InputValue::Number(40.0));
    /// assert_eq!(InputValue::of(None), InputValue::Empty);
    /// ```
    pub fn of(field: Option<&'a Field>) -> InputValue<'a> {
        use crate::value::Value;
        let Some(f) = field else {
            return InputValue::Empty;
        };
        match &f.value {
            Value::Number { number, .. }
            | Value::Percent { percent: number }
            | Value::Comparison { number, .. }
            | Value::Change { percent: number } => InputValue::Number(*number),
            Value::Done { done } => InputValue::Number(if *done { 1.0 } else { 0.0 }),
            Value::Date { date, .. } => InputValue::Date(*date),
            Value::Period { to, .. } => chrono::NaiveDate::from_ymd_opt(*to, 12, 31)
                .map_or(InputValue::Empty, InputValue::Date),
            Value::Text => InputValue::Text(f.raw.as_str()),
            Value::Empty | Value::Placeholder { .. } | Value::Invalid { .. } => InputValue::Empty,
        }
    }
}

/// A computed figure: its unrounded value (none when it could not be computed, see `reason`),
/// the rule that made it and its Excel twin.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// The value, unrounded unless the rule rounds it. Never NaN or infinite.
    pub value: Option<f64>,
    /// Why there is no value (*non valutabile*, neutralised, a rule error), in Italian.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The rule function that computed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<RuleRef>,
    /// The Excel twin, when the rule has one; without it the report writes the value and marks
    /// it as computed by the rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub twin: Option<Twin>,
}

impl Score {
    /// A score with no value and the reason why.
    pub fn missing(reason: impl Into<String>) -> Score {
        Score {
            value: None,
            reason: Some(reason.into()),
            rule: None,
            twin: None,
        }
    }
}

/// A colour band of the barometer (*fascia del barometro*), as the rules define it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Band {
    /// The lowest score in the band (inclusive).
    pub from: f64,
    /// The label shown to users, e.g. `Raggiunto`.
    pub label: String,
    /// The colour, `#RRGGBB`.
    pub colour: String,
}

/// The barometer bands, highest first, and the mark for figures with no score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bands {
    /// Bands from the highest threshold down.
    pub bands: Vec<Band>,
    /// What a figure with no score shows (neutralised, not evaluable): label and colour.
    pub no_score: Band,
}

impl Bands {
    /// The band a score falls in: the first whose threshold it reaches, the score rounded to
    /// [`Bands::DECIMALS`] decimals as Excel's `ROUND` does (the report's label formula rounds
    /// the same way); `None` for no score or a score below every band.
    ///
    /// The rounding makes every spreadsheet agree on a score a hair under a threshold:
    /// 327,626.1 ÷ 364,029 × 100 is 89.99999999999999 in binary, which Excel and LibreOffice
    /// compare as 90 (at 15 significant digits) and a plain comparison as less than 90.
    ///
    /// ```
    /// use barometro::rules::RuleSet;
    /// let rules = RuleSet::default_set()?;
    /// let bands = rules.bands();
    /// assert_eq!(bands.label_of(Some(327_626.1 / 364_029.0 * 100.0)), "Raggiunto");
    /// assert_eq!(bands.label_of(Some(89.9949)), "Parzialmente raggiunto");
    /// assert_eq!(bands.label_of(None), "Non valutabile");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn band_of(&self, score: Option<f64>) -> Option<&Band> {
        let x = score?;
        // Rounding moves a score by less than 1e-9 (and 15 significant digits by less than
        // 1e-14 of it): it changes a comparison only near a threshold, so only there is it
        // done (a report labels every indicator, objective and area).
        let margin = 1e-6 * x.abs().max(1.0);
        let near = self.bands.iter().any(|b| (x - b.from).abs() <= margin);
        let s = if near {
            excel::round_decimal(x, Self::DECIMALS, excel::Rounding::HalfUp)
        } else {
            x
        };
        self.bands.iter().find(|b| s >= b.from)
    }

    /// The decimals a score is rounded to before it is compared with the bands' thresholds
    /// ([`Bands::band_of`]).
    pub const DECIMALS: i64 = 9;

    /// The label for a score, the no-score label when there is none.
    pub fn label_of(&self, score: Option<f64>) -> &str {
        match self.band_of(score) {
            Some(b) => &b.label,
            None => &self.no_score.label,
        }
    }
}

/// The result of scoring one indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorOutcome {
    /// The method the rules chose (the name of a rule function), e.g. `rapporto`.
    pub method: String,
    /// The indicator values `metodo` read to choose it (`formula`, `polarita_testo`…).
    pub method_inputs: Vec<&'static str>,
    /// The achievement (*% raggiungimento*), 0–100 with the default rules.
    pub score: Score,
    /// The indicator values the scoring method read (`target`, `consuntivo`…), in the order of
    /// [`INDICATOR_FIELDS`].
    pub inputs: Vec<&'static str>,
}

/// The result for one activity (*attività / fase*).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityOutcome {
    /// Expected-to-date as the rules compute it from the month plan (*P.A.I* calcolato).
    pub expected_computed: Score,
    /// Expected-to-date as written in the workbook, if any.
    pub expected_stored: Option<f64>,
    /// The expected value used upstream: the stored one when the rules let it prevail.
    pub expected: Option<f64>,
    /// True when a stored value differs from the computed one and was used instead.
    pub overridden: bool,
    /// Actual-to-date (*P.E.I*) as written.
    pub actual: Option<f64>,
}

/// The result for one objective.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectiveOutcome {
    /// The objective's weight in its area (stated, or derived from priorities by a rule).
    pub weight: Score,
    /// Neutralised: visible but left out of every aggregate.
    pub neutralised: bool,
    /// Achievement of the objective.
    pub score: Score,
    /// Expected-to-date (*atteso*), when the rules compute one.
    pub expected: Score,
    /// Judgement of actual against expected (`In linea`…), when the rules give one.
    pub judgement: Option<String>,
    /// One outcome per indicator, in the model's order.
    pub indicators: Vec<IndicatorOutcome>,
    /// One outcome per activity, in the model's order.
    pub activities: Vec<ActivityOutcome>,
}

/// The result for one area (and its sub-areas).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaOutcome {
    /// Achievement of the area.
    pub score: Score,
    /// Expected-to-date, when the rules compute one.
    pub expected: Score,
    /// Judgement of actual against expected.
    pub judgement: Option<String>,
    /// Sub-areas, in the model's order.
    pub areas: Vec<AreaOutcome>,
    /// Objectives, in the model's order.
    pub objectives: Vec<ObjectiveOutcome>,
}

impl AreaOutcome {
    /// Outcomes of all objectives of this area and its sub-areas, in the order of
    /// [`crate::model::Area::all_objectives`].
    pub fn all_objectives(&self) -> Box<dyn Iterator<Item = &ObjectiveOutcome> + '_> {
        Box::new(
            self.objectives
                .iter()
                .chain(self.areas.iter().flat_map(|a| a.all_objectives())),
        )
    }
}

/// Everything the rules computed for an ente: a tree parallel to the model's, the findings of
/// the checks and the bands. The model itself is kept, unchanged, in `ente`.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    /// The model that was scored.
    #[serde(skip)]
    pub ente: Arc<Ente>,
    /// The rule set's name (`predefinite` or the folder).
    pub rules: String,
    /// The monitoring date (`--al`), if given.
    pub at: Option<chrono::NaiveDate>,
    /// Achievement of the whole ente.
    pub score: Score,
    /// Expected-to-date of the whole ente.
    pub expected: Score,
    /// One outcome per area, in the model's order.
    pub areas: Vec<AreaOutcome>,
    /// Findings of the rules' checks and rule errors (the reader's are in `ente.findings`).
    pub findings: Vec<Finding>,
    /// The barometer bands.
    pub bands: Bands,
    /// With [`OnRuleError::Stop`], the first rule error: the run stopped there, and what
    /// follows it was not scored. `None` when the run went to the end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<Finding>,
}

impl Evaluation {
    /// Every finding: the reader's, then the rules'.
    pub fn all_findings(&self) -> impl Iterator<Item = &Finding> + '_ {
        self.ente.findings.iter().chain(self.findings.iter())
    }

    /// Every objective of the ente with its outcome, in model order (areas, then sub-areas).
    pub fn objectives(
        &self,
    ) -> impl Iterator<Item = (&crate::model::Objective, &ObjectiveOutcome)> + '_ {
        self.ente
            .areas
            .iter()
            .zip(&self.areas)
            .flat_map(|(a, o)| a.all_objectives().zip(o.all_objectives()))
    }

    /// The worst severity among all findings.
    pub fn worst_severity(&self) -> Option<crate::model::Severity> {
        self.all_findings().map(|f| f.severity).max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The band of a score always rounded first, as `band_of` was before it rounded only near
    /// a threshold.
    fn always_rounded(bands: &Bands, x: f64) -> Option<&str> {
        let s = excel::round_decimal(x, Bands::DECIMALS, excel::Rounding::HalfUp);
        bands
            .bands
            .iter()
            .find(|b| s >= b.from)
            .map(|b| b.label.as_str())
    }

    #[test]
    fn a_score_gets_the_band_of_its_rounded_value_near_and_far_from_thresholds() {
        let rules = RuleSet::default_set().unwrap();
        let bands = &rules.bands;
        let mut scores = vec![0.0, -0.0, 100.0, 1e12, -1e12, 1e-300, f64::MAX, f64::MIN];
        for b in &bands.bands {
            for d in [
                0.0, 1e-15, 1e-12, 4.9e-10, 5e-10, 5.1e-10, 1e-9, 1e-7, 1e-6, 2e-6, 1e-3, 0.5,
            ] {
                scores.extend([b.from + d, b.from - d]);
            }
        }
        scores.push(327_626.1 / 364_029.0 * 100.0);
        let mut x = 0.001_f64;
        while x < 200.0 {
            scores.push(x);
            x += 0.0173;
        }
        for x in scores {
            assert_eq!(
                bands.band_of(Some(x)).map(|b| b.label.as_str()),
                always_rounded(bands, x),
                "{x:e}"
            );
        }
    }
}
