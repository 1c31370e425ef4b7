//! What a rule sees: read-only views of the model (`Indicatore`, `Obiettivo`, `Attivita`, `Area`,
//! `Ente`), with Italian property names, plus the figures already computed below them.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use rhai::{Array, Dynamic, ImmutableString};

use crate::model::{
    Activity, Area, Ente, Field, Indicator, IndicatorValue, Objective, Polarity, Source,
};
use crate::read::normalise_header;

/// A date as rules see it (*Data*): compare with `<`, subtract for days, `.anno`, `.mese`,
/// `.giorno`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct RuleDate(pub NaiveDate);

impl std::fmt::Display for RuleDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.format("%d/%m/%Y"))
    }
}

/// Where an area is in the model: a top-level area, or a sub-area of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AreaPath {
    pub top: u32,
    pub sub: Option<u32>,
}

impl AreaPath {
    /// The `i`-th top-level area.
    pub fn top(i: usize) -> AreaPath {
        AreaPath {
            top: i as u32,
            sub: None,
        }
    }

    pub fn get<'a>(&self, ente: &'a Ente) -> &'a Area {
        let top = &ente.areas[self.top as usize];
        match self.sub {
            Some(s) => &top.areas[s as usize],
            None => top,
        }
    }
}

/// Indicator property names (Italian, as rules and twins use them) and the value each reads.
pub const INDICATOR_FIELDS: &[(&str, IndicatorValue)] = &[
    ("nome", IndicatorValue::Name),
    ("formula", IndicatorValue::Formula),
    ("finalita", IndicatorValue::Purpose),
    ("polarita_testo", IndicatorValue::PolarityText),
    ("metodo", IndicatorValue::Method),
    ("baseline", IndicatorValue::Baseline),
    ("target", IndicatorValue::Target),
    ("target_intermedio", IndicatorValue::InterimTarget),
    ("consuntivo", IndicatorValue::Actual),
    ("consuntivo_intermedio", IndicatorValue::InterimActual),
    ("scostamento", IndicatorValue::Deviation),
    ("scadenza", IndicatorValue::Deadline),
    ("peso", IndicatorValue::Weight),
    ("raggiungimento", IndicatorValue::StatedAchievement),
    ("barometro", IndicatorValue::StatedBarometer),
    ("nota", IndicatorValue::Note),
    ("anno", IndicatorValue::Year),
];

/// The indicator value a Rhai property name stands for.
pub fn indicator_field(name: &str) -> Option<IndicatorValue> {
    INDICATOR_FIELDS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
}

/// A field's value for a rule: a number (percentages in points, `>= 6` as 6, done as 1/0), a
/// `Data`, the text for text, `()` when empty, a placeholder or invalid.
pub fn value_dynamic(field: Option<&Field>) -> Dynamic {
    match super::InputValue::of(field) {
        super::InputValue::Empty => Dynamic::UNIT,
        super::InputValue::Number(n) => Dynamic::from_float(n),
        super::InputValue::Date(d) => Dynamic::from(RuleDate(d)),
        super::InputValue::Text(t) => Dynamic::from(ImmutableString::from(t)),
    }
}

/// A field's text for a rule: what the cell shows, `()` when empty.
pub fn text_dynamic(field: Option<&Field>) -> Dynamic {
    match field {
        Some(f) if !f.raw.trim().is_empty() => Dynamic::from(ImmutableString::from(f.raw.trim())),
        _ => Dynamic::UNIT,
    }
}

/// The extra column whose header matches `name` loosely (case, accents, spacing; a header that
/// starts with the name also matches).
pub fn extra_field<'a>(extra: &'a [(String, Field)], name: &str) -> Option<&'a Field> {
    let want = normalise_header(name);
    extra
        .iter()
        .find(|(h, _)| normalise_header(h) == want)
        .or_else(|| {
            extra
                .iter()
                .find(|(h, _)| normalise_header(h).starts_with(&want))
        })
        .map(|(_, f)| f)
}

/// An indicator as a rule sees it (`Indicatore`).
#[derive(Clone)]
pub struct IndicatorView {
    pub ente: Arc<Ente>,
    pub area: AreaPath,
    pub objective: u32,
    pub index: u32,
    /// Bit `k` set when the rule read `INDICATOR_FIELDS[k]`.
    pub read: Arc<AtomicU32>,
    /// The computed score and method, once known (for checks).
    pub score: Dynamic,
    pub method: Dynamic,
}

impl IndicatorView {
    pub fn indicator(&self) -> &Indicator {
        &self.area.get(&self.ente).objectives[self.objective as usize].indicators
            [self.index as usize]
    }

    pub fn objective(&self) -> &Objective {
        &self.area.get(&self.ente).objectives[self.objective as usize]
    }

    pub fn mark(&self, which: IndicatorValue) {
        if let Some(k) = INDICATOR_FIELDS.iter().position(|(_, v)| *v == which) {
            self.read.fetch_or(1 << k, Ordering::Relaxed);
        }
    }

    pub fn value(&self, which: IndicatorValue) -> Dynamic {
        self.mark(which);
        let f = self.indicator().get(which);
        match which {
            IndicatorValue::Name
            | IndicatorValue::Formula
            | IndicatorValue::Purpose
            | IndicatorValue::PolarityText
            | IndicatorValue::Method
            | IndicatorValue::StatedBarometer
            | IndicatorValue::Note => text_dynamic(f),
            _ => value_dynamic(f),
        }
    }

    pub fn polarity(&self) -> Dynamic {
        self.mark(IndicatorValue::PolarityText);
        match self.indicator().polarity {
            Some(Polarity::Crescente) => Dynamic::from(ImmutableString::from("crescente")),
            Some(Polarity::Decrescente) => Dynamic::from(ImmutableString::from("decrescente")),
            None => Dynamic::UNIT,
        }
    }

    /// The names of the fields read, in `INDICATOR_FIELDS` order.
    pub fn inputs(&self) -> Vec<&'static str> {
        let mask = self.read.load(Ordering::Relaxed);
        INDICATOR_FIELDS
            .iter()
            .enumerate()
            .filter(|(k, _)| mask & (1 << k) != 0)
            .map(|(_, (n, _))| *n)
            .collect()
    }

    /// The cell of a named field (a value, or an extra column), else the indicator's row.
    pub fn source_of(&self, field: &str) -> Source {
        let ind = self.indicator();
        if field.is_empty() {
            return ind.source.clone();
        }
        if let Some(which) = indicator_field(field) {
            if let Some(f) = ind.get(which) {
                return f.source.clone();
            }
        }
        if let Some(f) = extra_field(&ind.extra, field) {
            return f.source.clone();
        }
        ind.source.clone()
    }
}

/// Computed figures below an objective, area or ente, as arrays aligned with the children.
#[derive(Clone, Default)]
pub struct Children {
    /// Scores of the children (`()` for none).
    pub punteggi: Array,
    /// Weights of the children (`()` for none).
    pub pesi: Array,
    /// Expected-to-date of the children.
    pub attesi: Array,
    /// Priorities of the children (objectives of an area).
    pub priorita: Array,
    /// The children as views.
    pub items: Array,
}

/// An objective as a rule sees it (`Obiettivo`).
#[derive(Clone)]
pub struct ObjectiveView {
    pub ente: Arc<Ente>,
    pub area: AreaPath,
    pub index: u32,
    pub children: Arc<Children>,
    /// Activities as views.
    pub activities: Arc<Array>,
    /// Actual-to-date of the activities (*P.E.I*).
    pub effettivi: Arc<Array>,
    pub score: Dynamic,
    pub expected: Dynamic,
    pub weight: Dynamic,
    pub neutralised: bool,
}

impl ObjectiveView {
    pub fn objective(&self) -> &Objective {
        &self.area.get(&self.ente).objectives[self.index as usize]
    }

    pub fn source_of(&self, field: &str) -> Source {
        let o = self.objective();
        let f = match field {
            "codice" => o.code.as_ref(),
            "titolo" => o.title.as_ref(),
            "descrizione" => o.description.as_ref(),
            "peso" => o.weight.as_ref(),
            "priorita" => o.priority.as_ref(),
            "nota" => o.note.as_ref(),
            "" => None,
            other => extra_field(&o.extra, other)
                .or_else(|| extra_field(&o.strategy, other))
                .or_else(|| extra_field(&o.status, other)),
        };
        f.map_or_else(|| o.source.clone(), |f| f.source.clone())
    }
}

/// An activity as a rule sees it (`Attivita`).
#[derive(Clone)]
pub struct ActivityView {
    pub ente: Arc<Ente>,
    pub area: AreaPath,
    pub objective: u32,
    pub index: u32,
}

impl ActivityView {
    pub fn activity(&self) -> &Activity {
        &self.area.get(&self.ente).objectives[self.objective as usize].activities
            [self.index as usize]
    }

    pub fn source_of(&self, field: &str) -> Option<Source> {
        let a = self.activity();
        let f = match field {
            "nome" => a.name.as_ref(),
            "peso" => a.weight.as_ref(),
            "pai" => a.expected.as_ref(),
            "pei" => a.actual.as_ref(),
            "nota" => a.note.as_ref(),
            "anno" => a.year.as_ref(),
            "stato" => a.status.as_ref(),
            other => extra_field(&a.extra, other),
        };
        f.or(a.name.as_ref())
            .or(a.weight.as_ref())
            .map(|f| f.source.clone())
            .or_else(|| {
                Some(
                    self.area.get(&self.ente).objectives[self.objective as usize]
                        .source
                        .clone(),
                )
            })
    }
}

/// An area as a rule sees it (`Area`).
#[derive(Clone)]
pub struct AreaView {
    pub ente: Arc<Ente>,
    pub path: AreaPath,
    /// The area's own objectives.
    pub children: Arc<Children>,
    /// Sub-areas as views, and their scores.
    pub areas: Arc<Array>,
    pub area_scores: Arc<Array>,
    /// Scores, weights and expected values of all objectives, sub-areas included.
    pub all: Arc<Children>,
    pub score: Dynamic,
    pub expected: Dynamic,
}

/// The ente as a rule sees it (`Ente`).
#[derive(Clone)]
pub struct EnteView {
    pub ente: Arc<Ente>,
    pub children: Arc<Children>,
    /// All objectives of the ente, as views (for checks across areas).
    pub objectives: Arc<Array>,
    pub score: Dynamic,
    pub expected: Dynamic,
}

/// Months of `months` up to the month of `at` (same year), for expected-to-date.
pub fn months_up_to(months: &[u8], at: RuleDate) -> i64 {
    let m = at.0.month() as u8;
    months.iter().filter(|&&x| x <= m).count() as i64
}
