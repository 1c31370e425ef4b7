//! `--json`: the scored model, with the shape of `check --json` plus `score`, `expected` and
//! `barometer` on indicators, objectives, areas and the ente.

use serde_json::{json, Map, Value};

use crate::rules::{AreaOutcome, Bands, Evaluation, ObjectiveOutcome, Score};

/// The model as `check --json` writes it, with every level's figures added:
/// `score` (unrounded, `null` when there is none), `score_reason` (why not), `expected`,
/// `barometer` (the band's label) and `rule` (file, function, line); indicators also get
/// `method`, objectives `computed_weight` and, where the rules give one, `judgement`. The
/// top level also has `rules`, `at`, `bands`, and `findings` holds the reader's and the
/// rules' findings.
///
/// ```
/// use barometro::model::{Area, Ente, Objective, Source};
/// use barometro::report::scored_json;
/// use barometro::rules::{evaluate, EvaluateOptions, RuleSet};
///
/// let mut area = Area::new("Ambiente", "Linea strategica");
/// area.objectives.push(Objective::new(Source::new("Foglio1".into(), 1, 0)));
/// let mut ente = Ente::new("Comune di Esempio", "esempio.xlsx");
/// ente.areas.push(area);
/// let rules = RuleSet::default_set()?;
/// let json = scored_json(&evaluate(ente, &rules, &EvaluateOptions::default()));
/// assert_eq!(json["areas"][0]["objectives"][0]["barometer"], "Non valutabile");
/// assert!(json["score"].is_null());
/// # Ok::<(), barometro::rules::RuleError>(())
/// ```
pub fn scored_json(ev: &Evaluation) -> Value {
    let mut doc = serde_json::to_value(&*ev.ente).unwrap_or(Value::Null);
    let Some(top) = doc.as_object_mut() else {
        return Value::Null;
    };
    figures(top, &ev.score, &ev.expected, &ev.bands);
    top.insert("rules".into(), json!(ev.rules));
    top.insert("at".into(), json!(ev.at));
    top.insert(
        "bands".into(),
        serde_json::to_value(&ev.bands).unwrap_or(Value::Null),
    );
    top.insert(
        "findings".into(),
        serde_json::to_value(ev.all_findings().collect::<Vec<_>>()).unwrap_or(Value::Null),
    );
    if let Some(Value::Array(areas)) = top.get_mut("areas") {
        for (a, out) in areas.iter_mut().zip(&ev.areas) {
            area(a, out, &ev.bands);
        }
    }
    doc
}

fn area(doc: &mut Value, out: &AreaOutcome, bands: &Bands) {
    let Some(map) = doc.as_object_mut() else {
        return;
    };
    figures(map, &out.score, &out.expected, bands);
    if let Some(j) = &out.judgement {
        map.insert("judgement".into(), json!(j));
    }
    if let Some(Value::Array(subs)) = map.get_mut("areas") {
        for (s, so) in subs.iter_mut().zip(&out.areas) {
            area(s, so, bands);
        }
    }
    if let Some(Value::Array(objs)) = map.get_mut("objectives") {
        for (o, oo) in objs.iter_mut().zip(&out.objectives) {
            objective(o, oo, bands);
        }
    }
}

fn objective(doc: &mut Value, out: &ObjectiveOutcome, bands: &Bands) {
    let Some(map) = doc.as_object_mut() else {
        return;
    };
    figures(map, &out.score, &out.expected, bands);
    map.insert("computed_weight".into(), json!(out.weight.value));
    map.insert("neutralised".into(), json!(out.neutralised));
    if let Some(j) = &out.judgement {
        map.insert("judgement".into(), json!(j));
    }
    if let Some(Value::Array(inds)) = map.get_mut("indicators") {
        for (i, io) in inds.iter_mut().zip(&out.indicators) {
            if let Some(m) = i.as_object_mut() {
                figures(m, &io.score, &Score::missing(""), bands);
                m.insert("method".into(), json!(io.method));
            }
        }
    }
    if let Some(Value::Array(acts)) = map.get_mut("activities") {
        for (a, ao) in acts.iter_mut().zip(&out.activities) {
            if let Some(m) = a.as_object_mut() {
                m.insert(
                    "expected_computed".into(),
                    json!(ao.expected_computed.value),
                );
                m.insert("expected_used".into(), json!(ao.expected));
                m.insert("expected_overridden".into(), json!(ao.overridden));
            }
        }
    }
}

fn figures(map: &mut Map<String, Value>, score: &Score, expected: &Score, bands: &Bands) {
    map.insert("score".into(), json!(score.value));
    if let Some(r) = &score.reason {
        map.insert("score_reason".into(), json!(r));
    }
    map.insert("expected".into(), json!(expected.value));
    map.insert("barometer".into(), json!(bands.label_of(score.value)));
    if let Some(rule) = &score.rule {
        map.insert("rule".into(), json!(rule.to_string()));
    }
}
