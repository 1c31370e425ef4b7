//! Placing what the cards say: weights resolved for the reporting year, summary rows and
//! table rows merged with their cards, impossible dates in monitoring texts.

use super::Card;
use crate::model::{Area, Field, Finding, IndicatorValue, Objective, Severity, Source};
use crate::value::Value;

use crate::read::form::label_key;

/// Puts the indicator rows in the objective and decides its weight for the reporting year.
///
/// - one weight cell among the year's rows (or a weight in the header row): the objective's
///   weight, the indicators have none;
/// - several weight cells: each indicator keeps its own, and the objective weighs their sum;
/// - plan years keep their weights as `Peso <anno>` extra values of the objective.
pub(super) fn resolve_weights(card: &mut Card, reporting: Option<i32>) {
    let rows = std::mem::take(&mut card.rows);
    let mut by_year: Vec<(Option<i32>, Vec<Field>)> = Vec::new();
    for r in &rows {
        if let Some(w) = &r.weight {
            match by_year.iter_mut().find(|(y, _)| *y == r.year) {
                Some((_, list)) => list.push(w.clone()),
                None => by_year.push((r.year, vec![w.clone()])),
            }
        }
    }
    let is_reporting = |y: Option<i32>| y.is_none() || reporting.is_none() || y == reporting;
    let per_indicator = by_year
        .iter()
        .find(|(y, _)| is_reporting(*y))
        .is_some_and(|(_, ws)| ws.len() > 1);
    for (y, weights) in &by_year {
        let total = sum_weights(weights);
        if is_reporting(*y) {
            // A weight in the header row (or already resolved) wins.
            if card.objective.weight.is_none() {
                card.objective.weight = Some(total);
            }
        } else if let Some(y) = y {
            card.objective.extra.push((format!("Peso {y}"), total));
        }
    }
    for mut r in rows {
        if per_indicator && is_reporting(r.year) {
            if let Some(w) = r.weight {
                r.indicator.set(IndicatorValue::Weight, w);
            }
        }
        card.objective.indicators.push(r.indicator);
    }
}

/// Dates written in a monitoring text or its label that do not exist (`17/17/2023`,
/// `14/0/2023`, `al 31/2/2023`): a warning each, at the text's cell.
pub(super) fn dates_in_text(label: &str, text: &str, source: &Source, findings: &mut Vec<Finding>) {
    for (where_, t) in [("nell'etichetta", label), ("nel testo", text)] {
        for token in t.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')')) {
            let token = token.trim_matches(|c: char| !c.is_ascii_digit());
            let parts: Vec<&str> = token.split(['/', '.']).collect();
            let looks_like_date = parts.len() == 3
                && parts[0].len() <= 2
                && parts[1].len() <= 2
                && matches!(parts[2].len(), 2 | 4)
                && parts
                    .iter()
                    .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
            if !looks_like_date {
                continue;
            }
            if let Err(problem) = crate::value::parse_date(token) {
                findings.push(Finding {
                    severity: Severity::Warning,
                    message: format!(
                        "«{}»: data impossibile «{token}» {where_} ({})",
                        label.trim(),
                        problem.message
                    ),
                    source: Some(source.clone()),
                    rule: "data-impossibile-nel-testo".into(),
                });
            }
        }
    }
}

/// The sum of several weight cells as one field: `5% + 5%`, at the first cell.
pub(super) fn sum_weights(weights: &[Field]) -> Field {
    if weights.len() == 1 {
        return weights[0].clone();
    }
    let numbers: Vec<f64> = weights.iter().filter_map(Field::number).collect();
    let raw = weights
        .iter()
        .map(|w| w.raw.trim().to_string())
        .collect::<Vec<_>>()
        .join(" + ");
    Field {
        raw: raw.into(),
        value: if numbers.len() == weights.len() {
            Value::Percent {
                percent: numbers.iter().sum(),
            }
        } else {
            Value::Text
        },
        source: weights[0].source.clone(),
    }
}

/// A summary row's title and weight added to the card of the same number.
pub(super) fn merge_summary(card: &mut Objective, summary: Objective) {
    if card.weight.is_none() {
        card.weight = summary.weight;
    }
    if card.title.is_none() {
        card.title = summary.title;
    } else if let Some(t) = summary.title {
        card.extra.push(("Titolo (tabella)".into(), t));
    }
    card.extra.extend(summary.extra);
}

/// The objective of the ente (read from a table) with the same code as a card.
pub(super) fn find_by_code<'e>(
    areas: &'e mut [Area],
    card: &Objective,
) -> Option<&'e mut Objective> {
    let code = normalise_code(card.code.as_ref()?.text());
    fn walk<'a>(areas: &'a mut [Area], code: &str) -> Option<&'a mut Objective> {
        for a in areas {
            if let Some(o) = a.objectives.iter_mut().find(|o| {
                o.code
                    .as_ref()
                    .is_some_and(|c| normalise_code(c.text()) == code)
            }) {
                return Some(o);
            }
            if let Some(o) = walk(&mut a.areas, code) {
                return Some(o);
            }
        }
        None
    }
    walk(areas, &code)
}

pub(super) fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase()
}

/// A card merged into the table row of the same objective: the card's activities,
/// indicators, texts and values; the table's weight and columns stay, and a card weight
/// that differs from the table's is reported.
pub(super) fn merge_card(target: &mut Objective, card: Objective, findings: &mut Vec<Finding>) {
    match (&target.weight, &card.weight) {
        (None, Some(_)) => target.weight = card.weight.clone(),
        (Some(t), Some(c)) => {
            if let (Some(a), Some(b)) = (t.number(), c.number()) {
                if (a - b).abs() > 0.005 {
                    findings.push(Finding {
                        severity: Severity::Warning,
                        message: format!(
                            "peso dell'obiettivo {} nella scheda ({}) diverso da quello della tabella ({}, {})",
                            target.label(),
                            c.raw.trim(),
                            t.raw.trim(),
                            t.source
                        ),
                        source: Some(c.source.clone()),
                        rule: "peso-scheda-diverso".into(),
                    });
                }
            }
        }
        _ => {}
    }
    if let Some(t) = card.title {
        if target.title.is_none() {
            target.title = Some(t);
        } else {
            target.extra.push(("Titolo (scheda)".into(), t));
        }
    }
    if target.description.is_none() {
        target.description = card.description;
    }
    if target.responsible.is_none() {
        target.responsible = card.responsible;
    }
    target.strategy.extend(card.strategy);
    for (h, f) in card.extra {
        if !target
            .extra
            .iter()
            .any(|(x, _)| label_key(x) == label_key(&h))
        {
            target.extra.push((h, f));
        }
    }
    target.status.extend(card.status);
    target.indicators.extend(card.indicators);
    target.activities.extend(card.activities);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_dates_in_texts() {
        let source = Source::new("S".into(), 0, 1);
        let mut findings = Vec::new();
        dates_in_text(
            "Stato di attuazione al 31/2/2023",
            "Consegna il 17/17/2023, poi il 12.06.2023 e il 14/0/2023 (v. allegato).",
            &source,
            &mut findings,
        );
        let found: Vec<&str> = findings
            .iter()
            .map(|f| f.message.split('«').nth(2).unwrap_or(""))
            .collect();
        assert_eq!(findings.len(), 3, "{found:?}");
        assert!(findings.iter().all(|f| f.severity == Severity::Warning));
    }
}
