//! Comparison of two evaluations (*confronto*): two monitoring dates or two versions of the
//! same plan (30/06 against 31/12, last month against this month), or two rule sets on the same
//! data (what an evaluator's change would do to every score before anyone adopts it).
//!
//! Side A is *prima* (before), side B *dopo* (after). [`compare`] matches the two trees:
//!
//! - areas by name (normalised: case, accents and punctuation do not count), sub-areas by name
//!   within their matched upper area;
//! - objectives within a matched area by code, else by title (normalised); objectives with
//!   neither by position among themselves;
//! - indicators within a matched objective by name, else by position among the indicators
//!   left unmatched.
//!
//! Every matched item gets its before and after figures ([`Change`]) and barometer labels
//! (each side with its own rules' bands); items found on one side only are listed in
//! [`Comparison::unmatched`]. Nothing here decides a score: the figures are the rules'.
//!
//! ```
//! use barometro::compare::{compare, Direction};
//! use barometro::model::{Area, Ente, Field, Indicator, IndicatorValue, Objective, Source};
//! use barometro::rules::{evaluate, EvaluateOptions, RuleSet};
//! use barometro::value::Value;
//!
//! // One objective with one indicator, target 50: actual 39 before, 45 after.
//! let ente_with = |actual: f64| {
//!     let num = |n: f64, col| Field {
//!         raw: n.to_string().into(),
//!         value: Value::Number { number: n, unit: None },
//!         source: Source::new("Foglio1".into(), 1, col),
//!     };
//!     let mut indicator = Indicator::new(Source::new("Foglio1".into(), 1, 0));
//!     indicator.set(IndicatorValue::Name, Field {
//!         raw: "Pratiche evase".into(),
//!         value: Value::Text,
//!         source: Source::new("Foglio1".into(), 1, 2),
//!     });
//!     indicator.set(IndicatorValue::Target, num(50.0, 3));
//!     indicator.set(IndicatorValue::Actual, num(actual, 4));
//!     let mut objective = Objective::new(Source::new("Foglio1".into(), 1, 0));
//!     objective.indicators.push(indicator);
//!     let mut area = Area::new("Ambiente", "Settore");
//!     area.objectives.push(objective);
//!     let mut ente = Ente::new("Comune di Esempio", "esempio.xlsx");
//!     ente.areas.push(area);
//!     ente
//! };
//! let rules = RuleSet::default_set()?;
//! let before = evaluate(ente_with(39.0), &rules, &EvaluateOptions::default());
//! let after = evaluate(ente_with(45.0), &rules, &EvaluateOptions::default());
//! let comparison = compare(&before, &after);
//!
//! let indicator = &comparison.indicators[0];
//! assert_eq!(indicator.actual.change.delta(), Some(6.0));
//! assert_eq!(indicator.score.before, Some(78.0));
//! assert_eq!(indicator.score.after, Some(90.0));
//! assert_eq!(indicator.score.direction(), Some(Direction::Up));
//! assert_eq!(comparison.areas[0].label_after, "Raggiunto");
//! assert_eq!(comparison.ente.delta(), Some(12.0));
//! assert!(comparison.unmatched.is_empty());
//! # Ok::<(), barometro::rules::RuleError>(())
//! ```

use serde::Serialize;

use crate::model::{Area, Field, Indicator, Objective, Source};
use crate::read::normalise_header;
use crate::rules::{
    AreaOutcome, Bands, Evaluation, IndicatorOutcome, InputValue, ObjectiveOutcome,
};

/// A figure before and after (`None` where there is no value: not evaluable, neutralised, an
/// empty or non-numeric cell).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Change {
    /// The value on side A (*prima*).
    pub before: Option<f64>,
    /// The value on side B (*dopo*).
    pub after: Option<f64>,
}

impl Change {
    /// A change between two values; a NaN or infinite value counts as none.
    pub fn new(before: Option<f64>, after: Option<f64>) -> Change {
        Change {
            before: before.filter(|v| v.is_finite()),
            after: after.filter(|v| v.is_finite()),
        }
    }

    /// `after − before`, when both sides have a value.
    ///
    /// ```
    /// use barometro::compare::Change;
    /// assert_eq!(Change::new(Some(80.0), Some(92.5)).delta(), Some(12.5));
    /// assert_eq!(Change::new(None, Some(92.5)).delta(), None);
    /// ```
    pub fn delta(&self) -> Option<f64> {
        Some(self.after? - self.before?).filter(|d| d.is_finite())
    }

    /// Up, down or unchanged, when both sides have a value.
    pub fn direction(&self) -> Option<Direction> {
        let d = self.delta()?;
        Some(if d > 0.0 {
            Direction::Up
        } else if d < 0.0 {
            Direction::Down
        } else {
            Direction::Same
        })
    }
}

/// Which way a figure moved from A to B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// B is higher.
    Up,
    /// B is lower.
    Down,
    /// B is the same.
    Same,
}

impl Direction {
    /// The arrow shown to users: `↑`, `↓` or `=`.
    pub fn arrow(self) -> &'static str {
        match self {
            Direction::Up => "↑",
            Direction::Down => "↓",
            Direction::Same => "=",
        }
    }
}

/// An input cell of an indicator on both sides: the text as written and, where the rules read
/// a number, the numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputChange {
    /// The text of the cell on side A (empty when there is no cell).
    pub before_text: String,
    /// The text of the cell on side B.
    pub after_text: String,
    /// The numbers the rules read (percentages in points, `>= 6` as 6).
    pub change: Change,
}

impl InputChange {
    fn of(before: Option<&Field>, after: Option<&Field>) -> InputChange {
        let text = |f: Option<&Field>| f.map(|f| f.raw.trim().to_string()).unwrap_or_default();
        InputChange {
            before_text: text(before),
            after_text: text(after),
            change: Change::new(number(before), number(after)),
        }
    }
}

/// The number a rule reads from a field, if it is one.
fn number(field: Option<&Field>) -> Option<f64> {
    match InputValue::of(field) {
        InputValue::Number(n) => Some(n),
        _ => None,
    }
}

/// An area present on both sides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaChange {
    /// The area's name (as written on side B).
    pub name: String,
    /// What kind of area (`Linea strategica`, `Settore`…).
    pub kind: String,
    /// The upper area, for a sub-area (a settore of a linea).
    pub parent: Option<String>,
    /// The achievement.
    pub score: Change,
    /// The expected-to-date (*atteso*), when the rules compute one (activities and a
    /// monitoring date): what changes between two dates on the same file.
    pub expected: Change,
    /// The judgement of actual against expected on side A (`In linea`…).
    pub judgement_before: Option<String>,
    /// The judgement on side B.
    pub judgement_after: Option<String>,
    /// The barometer label on side A, with A's bands.
    pub label_before: String,
    /// The barometer label on side B, with B's bands.
    pub label_after: String,
}

/// An objective present on both sides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectiveChange {
    /// The (innermost) area the objective belongs to, as named on side B.
    pub area: String,
    /// The objective's code on side B, if it has one.
    pub code: Option<String>,
    /// The objective's title on side B (without the code).
    pub title: String,
    /// The weight in its area, as the rules computed it.
    pub weight: Change,
    /// The achievement.
    pub score: Change,
    /// The expected-to-date (*atteso*), when the rules compute one.
    pub expected: Change,
    /// The judgement of actual against expected on side A.
    pub judgement_before: Option<String>,
    /// The judgement on side B.
    pub judgement_after: Option<String>,
    /// The barometer label on side A.
    pub label_before: String,
    /// The barometer label on side B.
    pub label_after: String,
    /// Neutralised on side A.
    pub neutralised_before: bool,
    /// Neutralised on side B.
    pub neutralised_after: bool,
    /// Where the objective starts on side A.
    pub source_before: Source,
    /// Where the objective starts on side B.
    pub source_after: Source,
}

impl ObjectiveChange {
    /// The code and the title, for messages and tables.
    pub fn label(&self) -> String {
        match &self.code {
            Some(code) if !self.title.is_empty() => format!("{code} {}", self.title),
            Some(code) => code.clone(),
            None => self.title.clone(),
        }
    }
}

/// How two indicators were matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Matching {
    /// Same (normalised) name.
    Name,
    /// Same position among the indicators whose names did not match.
    Position,
}

impl Matching {
    /// The Italian word shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Matching::Name => "nome",
            Matching::Position => "posizione",
        }
    }
}

/// An indicator present on both sides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorChange {
    /// The area, as named on side B.
    pub area: String,
    /// The objective's label (code and title) on side B.
    pub objective: String,
    /// The indicator's name on side B (or A, when B has none).
    pub name: String,
    /// How it was matched.
    pub matched_by: Matching,
    /// The scoring method on side A.
    pub method_before: String,
    /// The scoring method on side B.
    pub method_after: String,
    /// Target (*target*).
    pub target: InputChange,
    /// Actual value (*consuntivo*).
    pub actual: InputChange,
    /// Weight within the objective.
    pub weight: Change,
    /// The achievement.
    pub score: Change,
    /// The barometer label on side A.
    pub label_before: String,
    /// The barometer label on side B.
    pub label_after: String,
    /// The indicator's row on side A.
    pub source_before: Source,
    /// The indicator's row on side B.
    pub source_after: Source,
}

/// Which side an unmatched item is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// Side A (*prima*).
    Before,
    /// Side B (*dopo*).
    After,
}

impl Side {
    /// The Italian word shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Side::Before => "prima",
            Side::After => "dopo",
        }
    }
}

/// What kind of item is unmatched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    /// An area (its objectives are not listed one by one).
    Area,
    /// An objective (its indicators are not listed one by one).
    Objective,
    /// An indicator.
    Indicator,
}

impl ItemKind {
    /// The Italian word shown to users.
    pub fn label(self) -> &'static str {
        match self {
            ItemKind::Area => "area",
            ItemKind::Objective => "obiettivo",
            ItemKind::Indicator => "indicatore",
        }
    }
}

/// An item found on one side only.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unmatched {
    /// The side it is on.
    pub side: Side,
    /// Area, objective or indicator.
    pub kind: ItemKind,
    /// The area it belongs to (for an area, its upper area or empty).
    pub area: String,
    /// Its name, or the objective's code and title.
    pub label: String,
    /// Its achievement on its side.
    pub score: Option<f64>,
    /// Where it is on its side.
    pub source: Option<Source>,
}

/// The comparison of two evaluations. See the [module docs](self).
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// The ente as named on side A.
    pub ente_before: String,
    /// The ente as named on side B.
    pub ente_after: String,
    /// The file of side A.
    pub file_before: String,
    /// The file of side B.
    pub file_after: String,
    /// The rule set of side A.
    pub rules_before: String,
    /// The rule set of side B.
    pub rules_after: String,
    /// The monitoring date of side A.
    pub at_before: Option<chrono::NaiveDate>,
    /// The monitoring date of side B.
    pub at_after: Option<chrono::NaiveDate>,
    /// The ente's achievement.
    pub ente: Change,
    /// The ente's expected-to-date, when the rules compute one.
    pub ente_expected: Change,
    /// The ente's barometer label on side A.
    pub ente_label_before: String,
    /// The ente's barometer label on side B.
    pub ente_label_after: String,
    /// Areas on both sides, in B's order (an upper area before its sub-areas).
    pub areas: Vec<AreaChange>,
    /// Objectives on both sides, in B's order.
    pub objectives: Vec<ObjectiveChange>,
    /// Indicators on both sides, in B's order.
    pub indicators: Vec<IndicatorChange>,
    /// Items on one side only: B's in B's order, then A's in A's order.
    pub unmatched: Vec<Unmatched>,
    /// Side A's barometer bands.
    pub bands_before: Bands,
    /// Side B's barometer bands.
    pub bands_after: Bands,
}

impl Comparison {
    /// Whether either side has an expected-to-date figure (activities scored at a monitoring
    /// date), so that the expected columns say something.
    pub fn has_expected(&self) -> bool {
        let some = |c: &Change| c.before.is_some() || c.after.is_some();
        some(&self.ente_expected)
            || self.areas.iter().any(|a| some(&a.expected))
            || self.objectives.iter().any(|o| some(&o.expected))
    }

    /// The objectives whose achievement changed, largest change (either way) first, at most
    /// `n`; ties keep B's order.
    pub fn most_changed_objectives(&self, n: usize) -> Vec<&ObjectiveChange> {
        let mut changed: Vec<&ObjectiveChange> = self
            .objectives
            .iter()
            .filter(|o| o.score.delta().is_some_and(|d| d != 0.0))
            .collect();
        changed.sort_by(|a, b| {
            let size = |o: &ObjectiveChange| o.score.delta().map_or(0.0, f64::abs);
            size(b).total_cmp(&size(a))
        });
        changed.truncate(n);
        changed
    }
}

/// Compares two evaluations: `before` is side A (*prima*), `after` side B (*dopo*).
pub fn compare(before: &Evaluation, after: &Evaluation) -> Comparison {
    let mut matcher = Matcher {
        bands: (&before.bands, &after.bands),
        areas: Vec::new(),
        objectives: Vec::new(),
        indicators: Vec::new(),
        unmatched_after: Vec::new(),
        unmatched_before: Vec::new(),
    };
    matcher.areas(
        (&before.ente.areas, &before.areas),
        (&after.ente.areas, &after.areas),
        None,
    );
    let mut unmatched = matcher.unmatched_after;
    unmatched.extend(matcher.unmatched_before);
    Comparison {
        ente_before: before.ente.ente.clone(),
        ente_after: after.ente.ente.clone(),
        file_before: before.ente.file.clone(),
        file_after: after.ente.file.clone(),
        rules_before: before.rules.clone(),
        rules_after: after.rules.clone(),
        at_before: before.at,
        at_after: after.at,
        ente: Change::new(before.score.value, after.score.value),
        ente_expected: Change::new(before.expected.value, after.expected.value),
        ente_label_before: before.bands.label_of(before.score.value).to_string(),
        ente_label_after: after.bands.label_of(after.score.value).to_string(),
        areas: matcher.areas,
        objectives: matcher.objectives,
        indicators: matcher.indicators,
        unmatched,
        bands_before: before.bands.clone(),
        bands_after: after.bands.clone(),
    }
}

/// For each item of `after`, the index of the item of `before` it is paired with: each item
/// of `after`, in order, takes the first unpaired item of `before` with the same key. Items
/// with no key (`None`) and items already paired (`done`) are skipped.
fn pair_by_key(
    before: &[Option<String>],
    after: &[Option<String>],
    pairs: &mut [Option<usize>],
    taken: &mut [bool],
) {
    for (j, key) in after.iter().enumerate() {
        let Some(key) = key else { continue };
        if pairs[j].is_some() {
            continue;
        }
        if let Some(i) = (0..before.len()).find(|&i| !taken[i] && before[i].as_ref() == Some(key)) {
            pairs[j] = Some(i);
            taken[i] = true;
        }
    }
}

/// A normalised, non-empty key.
fn key(text: &str) -> Option<String> {
    Some(normalise_header(text)).filter(|k| !k.is_empty())
}

fn objective_code(o: &Objective) -> Option<String> {
    o.code.as_ref().and_then(|c| key(c.text()))
}

fn indicator_name(i: &Indicator) -> &str {
    i.name().map(|f| f.text().trim()).unwrap_or("")
}

type AreaSide<'a> = (&'a [Area], &'a [AreaOutcome]);
type ObjectiveSide<'a> = (&'a [Objective], &'a [ObjectiveOutcome]);

struct Matcher<'a> {
    bands: (&'a Bands, &'a Bands),
    areas: Vec<AreaChange>,
    objectives: Vec<ObjectiveChange>,
    indicators: Vec<IndicatorChange>,
    unmatched_after: Vec<Unmatched>,
    unmatched_before: Vec<Unmatched>,
}

impl Matcher<'_> {
    fn labels(&self, score: &Change) -> (String, String) {
        (
            self.bands.0.label_of(score.before).to_string(),
            self.bands.1.label_of(score.after).to_string(),
        )
    }

    fn areas(&mut self, before: AreaSide<'_>, after: AreaSide<'_>, parent: Option<&str>) {
        let keys = |areas: &[Area]| -> Vec<Option<String>> {
            areas.iter().map(|a| key(&a.name)).collect()
        };
        let mut pairs = vec![None; after.0.len()];
        let mut taken = vec![false; before.0.len()];
        pair_by_key(&keys(before.0), &keys(after.0), &mut pairs, &mut taken);
        for (j, (area, outcome)) in after.0.iter().zip(after.1).enumerate() {
            let Some(i) = pairs[j] else {
                self.unmatched_after.push(Unmatched {
                    side: Side::After,
                    kind: ItemKind::Area,
                    area: parent.unwrap_or_default().to_string(),
                    label: area.name.clone(),
                    score: outcome.score.value,
                    source: area.source.clone(),
                });
                continue;
            };
            let score = Change::new(before.1[i].score.value, outcome.score.value);
            let (label_before, label_after) = self.labels(&score);
            self.areas.push(AreaChange {
                name: area.name.clone(),
                kind: area.kind.clone(),
                parent: parent.map(str::to_string),
                score,
                expected: Change::new(before.1[i].expected.value, outcome.expected.value),
                judgement_before: before.1[i].judgement.clone(),
                judgement_after: outcome.judgement.clone(),
                label_before,
                label_after,
            });
            self.objectives_of(
                &area.name,
                (&before.0[i].objectives, &before.1[i].objectives),
                (&area.objectives, &outcome.objectives),
            );
            self.areas(
                (&before.0[i].areas, &before.1[i].areas),
                (&area.areas, &outcome.areas),
                Some(&area.name),
            );
        }
        for (i, (area, outcome)) in before.0.iter().zip(before.1).enumerate() {
            if !taken[i] {
                self.unmatched_before.push(Unmatched {
                    side: Side::Before,
                    kind: ItemKind::Area,
                    area: parent.unwrap_or_default().to_string(),
                    label: area.name.clone(),
                    score: outcome.score.value,
                    source: area.source.clone(),
                });
            }
        }
    }

    fn objectives_of(&mut self, area: &str, before: ObjectiveSide<'_>, after: ObjectiveSide<'_>) {
        let codes =
            |os: &[Objective]| -> Vec<Option<String>> { os.iter().map(objective_code).collect() };
        let titles = |os: &[Objective]| -> Vec<Option<String>> {
            os.iter().map(|o| key(o.title_text())).collect()
        };
        let mut pairs = vec![None; after.0.len()];
        let mut taken = vec![false; before.0.len()];
        pair_by_key(&codes(before.0), &codes(after.0), &mut pairs, &mut taken);
        pair_by_key(&titles(before.0), &titles(after.0), &mut pairs, &mut taken);
        // Objectives with neither code nor title: by position among themselves.
        let unnamed = |o: &Objective| objective_code(o).is_none() && key(o.title_text()).is_none();
        let mut left = (0..before.0.len()).filter(|&i| !taken[i] && unnamed(&before.0[i]));
        for (pair, objective) in pairs.iter_mut().zip(after.0) {
            if pair.is_none() && unnamed(objective) {
                let Some(i) = left.next() else { break };
                *pair = Some(i);
            }
        }
        for &i in pairs.iter().flatten() {
            taken[i] = true;
        }
        for (j, (objective, outcome)) in after.0.iter().zip(after.1).enumerate() {
            let Some(i) = pairs[j] else {
                self.unmatched_after.push(Unmatched {
                    side: Side::After,
                    kind: ItemKind::Objective,
                    area: area.to_string(),
                    label: objective.label(),
                    score: outcome.score.value,
                    source: Some(objective.source.clone()),
                });
                continue;
            };
            let (old, old_outcome) = (&before.0[i], &before.1[i]);
            let score = Change::new(old_outcome.score.value, outcome.score.value);
            let (label_before, label_after) = self.labels(&score);
            let change = ObjectiveChange {
                area: area.to_string(),
                code: objective.code.as_ref().map(|c| c.text().trim().to_string()),
                title: objective.title_text().trim().to_string(),
                weight: Change::new(old_outcome.weight.value, outcome.weight.value),
                score,
                expected: Change::new(old_outcome.expected.value, outcome.expected.value),
                judgement_before: old_outcome.judgement.clone(),
                judgement_after: outcome.judgement.clone(),
                label_before,
                label_after,
                neutralised_before: old_outcome.neutralised,
                neutralised_after: outcome.neutralised,
                source_before: old.source.clone(),
                source_after: objective.source.clone(),
            };
            let label = change.label();
            self.objectives.push(change);
            self.indicators_of(
                area,
                &label,
                (&old.indicators, &old_outcome.indicators),
                (&objective.indicators, &outcome.indicators),
            );
        }
        for (i, (objective, outcome)) in before.0.iter().zip(before.1).enumerate() {
            if !taken[i] {
                self.unmatched_before.push(Unmatched {
                    side: Side::Before,
                    kind: ItemKind::Objective,
                    area: area.to_string(),
                    label: objective.label(),
                    score: outcome.score.value,
                    source: Some(objective.source.clone()),
                });
            }
        }
    }

    fn indicators_of(
        &mut self,
        area: &str,
        objective: &str,
        before: (&[Indicator], &[IndicatorOutcome]),
        after: (&[Indicator], &[IndicatorOutcome]),
    ) {
        let names = |is: &[Indicator]| -> Vec<Option<String>> {
            is.iter().map(|i| key(indicator_name(i))).collect()
        };
        let mut pairs = vec![None; after.0.len()];
        let mut taken = vec![false; before.0.len()];
        pair_by_key(&names(before.0), &names(after.0), &mut pairs, &mut taken);
        let by_name: Vec<bool> = pairs.iter().map(Option::is_some).collect();
        // By position: the leftovers of both sides, in order.
        let mut left = (0..before.0.len()).filter(|&i| !taken[i]);
        for pair in pairs.iter_mut().filter(|p| p.is_none()) {
            match left.next() {
                Some(i) => *pair = Some(i),
                None => break,
            }
        }
        for &i in pairs.iter().flatten() {
            taken[i] = true;
        }
        for (j, (indicator, outcome)) in after.0.iter().zip(after.1).enumerate() {
            let Some(i) = pairs[j] else {
                self.unmatched_after.push(Unmatched {
                    side: Side::After,
                    kind: ItemKind::Indicator,
                    area: area.to_string(),
                    label: format!("{objective} — {}", indicator_name(indicator)),
                    score: outcome.score.value,
                    source: Some(indicator.source.clone()),
                });
                continue;
            };
            let (old, old_outcome) = (&before.0[i], &before.1[i]);
            let score = Change::new(old_outcome.score.value, outcome.score.value);
            let (label_before, label_after) = self.labels(&score);
            let name = match indicator_name(indicator) {
                "" => indicator_name(old),
                n => n,
            };
            self.indicators.push(IndicatorChange {
                area: area.to_string(),
                objective: objective.to_string(),
                name: name.to_string(),
                matched_by: if by_name[j] {
                    Matching::Name
                } else {
                    Matching::Position
                },
                method_before: old_outcome.method.clone(),
                method_after: outcome.method.clone(),
                target: InputChange::of(old.target(), indicator.target()),
                actual: InputChange::of(old.actual(), indicator.actual()),
                weight: Change::new(number(old.weight()), number(indicator.weight())),
                score,
                label_before,
                label_after,
                source_before: old.source.clone(),
                source_after: indicator.source.clone(),
            });
        }
        for (i, (indicator, outcome)) in before.0.iter().zip(before.1).enumerate() {
            if !taken[i] {
                self.unmatched_before.push(Unmatched {
                    side: Side::Before,
                    kind: ItemKind::Indicator,
                    area: area.to_string(),
                    label: format!("{objective} — {}", indicator_name(indicator)),
                    score: outcome.score.value,
                    source: Some(indicator.source.clone()),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(v: &[&str]) -> Vec<Option<String>> {
        v.iter().map(|s| key(s)).collect()
    }

    #[test]
    fn repeated_keys_pair_in_order_and_normalised() {
        let before = keys(&["Ambiente", "Scuola", "Scuola", ""]);
        let after = keys(&["scuola", "AMBIENTE", "Scuola.", "Nuova"]);
        let mut pairs = vec![None; after.len()];
        let mut taken = vec![false; before.len()];
        pair_by_key(&before, &after, &mut pairs, &mut taken);
        assert_eq!(pairs, vec![Some(1), Some(0), Some(2), None]);
        assert_eq!(taken, vec![true, true, true, false]);
    }

    #[test]
    fn direction_of_a_change() {
        assert_eq!(
            Change::new(Some(1.0), Some(1.0)).direction(),
            Some(Direction::Same)
        );
        assert_eq!(
            Change::new(Some(2.0), Some(1.0)).direction(),
            Some(Direction::Down)
        );
        assert_eq!(Change::new(Some(f64::NAN), Some(1.0)).direction(), None);
    }
}
