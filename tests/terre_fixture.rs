//! Checks the Terre d'Argine S1 fixture (`tests/data/terre_s1.json`, `common::terre`) against
//! the figures of the analysis (`shared/docs/analysis/001.md` §3.1, §6.3), with plain
//! arithmetic: no scoring engine is involved.

mod common;

use std::collections::BTreeSet;

use barometro::model::Source;
use barometro::value::Value;
use common::terre::*;

const CODES: [&str; 6] = [
    "S1.00002",
    "S1.00010",
    "S1.00012",
    "S1.00014",
    "S1/DG.00012",
    "S1/SG.00001",
];
const WEIGHTS: [f64; 6] = [19.0, 15.0, 19.0, 29.0, 3.0, 15.0];
/// Σ P.A.I per card (§6.3).
const SUM_PAI: [f64; 6] = [70.96, 25.0, 41.26, 100.0, 0.0, 0.0];
/// Σ P.E.I per card (§6.3).
const SUM_PEI: [f64; 6] = [54.0, 32.5, 41.26, 100.0, 0.0, 0.0];
/// The month the monitoring covers (31/07/2024).
const MONITORING_MONTH: u8 = 7;

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// `"54% su 70,96%"` → (54, 70.96); `None` for `=`.
fn printed(text: &str) -> Option<(f64, f64)> {
    let (e, a) = text.split_once(" su ")?;
    let num = |s: &str| {
        s.trim()
            .trim_end_matches('%')
            .replace(',', ".")
            .parse::<f64>()
            .unwrap()
    };
    Some((num(e), num(a)))
}

/// P.A.I from the month plan (rule R-A of the analysis): weight × share of the planned months
/// that fall on or before the monitoring month, 2 dp.
fn pai_from_plan(a: &TerreActivity) -> f64 {
    if a.planned_months.is_empty() {
        return 0.0;
    }
    let due = a
        .planned_months
        .iter()
        .filter(|&&m| m <= MONITORING_MONTH)
        .count();
    round2(a.weight * due as f64 / a.planned_months.len() as f64)
}

#[test]
fn cards_are_the_six_of_the_s1_table_in_order() {
    let data = terre_s1_data();
    let codes: Vec<&str> = data.cards.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, CODES);
    let weights: Vec<f64> = data.cards.iter().map(|c| c.weight).collect();
    assert_eq!(weights, WEIGHTS);
    assert!(close(weights.iter().sum::<f64>(), 100.0));
    let lines: Vec<u32> = data.cards.iter().map(|c| c.line).collect();
    assert_eq!(lines, [132, 133, 134, 135, 136, 137]);
    assert_eq!(data.sector.name, TERRE_S1_SECTOR);
    assert_eq!(data.sector.monitoring_date, "2024-07-31");
    assert_eq!(data.sector.printed_total, "51,97% su 54,07%");
    assert!(!data.notes.is_empty());
}

#[test]
fn card_sums_match_the_cross_check() {
    let data = terre_s1_data();
    for (i, card) in data.cards.iter().enumerate() {
        let pai = round2(card.sum_pai());
        let pei = round2(card.sum_pei());
        assert!(close(pai, SUM_PAI[i]), "{}: Σ P.A.I {pai}", card.code);
        assert!(close(pei, SUM_PEI[i]), "{}: Σ P.E.I {pei}", card.code);
        let peso: f64 = card.activities.iter().map(|a| a.weight).sum();
        assert!(close(peso, 100.0), "{}: Σ peso {peso}", card.code);
    }
}

#[test]
fn printed_results_and_realizzazione_match_the_card_sums() {
    let data = terre_s1_data();
    for card in &data.cards {
        match printed(&card.printed_result) {
            Some((e, a)) => {
                assert!(close(round2(card.sum_pei()), e), "{}", card.code);
                assert!(close(round2(card.sum_pai()), a), "{}", card.code);
            }
            None => {
                // The cross-cutting copies print `=` and count 0.
                assert_eq!(card.printed_result, "=", "{}", card.code);
                assert!(card.code.contains('/'), "{}", card.code);
                assert_eq!(card.sum_pai(), 0.0, "{}", card.code);
                assert_eq!(card.sum_pei(), 0.0, "{}", card.code);
            }
        }
        let stated = card
            .realizzazione
            .as_deref()
            .expect("every S1 card states it");
        let stated: f64 = stated.trim_end_matches('%').parse().unwrap();
        assert!(close(round2(card.sum_pei()), stated), "{}", card.code);
    }
}

#[test]
fn sector_totals_match_without_renormalisation() {
    let data = terre_s1_data();
    let effettivo: f64 = data
        .cards
        .iter()
        .map(|c| c.weight * round2(c.sum_pei()) / 100.0)
        .sum();
    let atteso: f64 = data
        .cards
        .iter()
        .map(|c| c.weight * round2(c.sum_pai()) / 100.0)
        .sum();
    assert!(close(effettivo, 51.9744), "effettivo {effettivo}");
    assert!(close(atteso, 54.0718), "atteso {atteso}");
    assert!(close(round2(effettivo), data.sector.printed_effettivo));
    assert!(close(round2(atteso), data.sector.printed_atteso));
}

#[test]
fn month_plan_reproduces_the_stored_pai_but_for_three_rows() {
    let data = terre_s1_data();
    let mut differ = Vec::new();
    for card in &data.cards {
        for (i, a) in card.activities.iter().enumerate() {
            let stored = a.pai.unwrap_or(0.0);
            let plan = pai_from_plan(a);
            if !close(stored, plan) {
                differ.push((card.code.as_str(), i + 1, stored, plan));
            }
        }
    }
    assert_eq!(
        differ,
        [
            ("S1.00002", 6, 10.0, 11.67),
            ("S1/DG.00012", 1, 0.0, 58.33),
            ("S1/SG.00001", 1, 0.0, 58.33),
        ]
    );
    // From the plan for the monitored cards, the `=` copies still 0: 54.3891 → 54,39.
    let atteso: f64 = data
        .cards
        .iter()
        .filter(|c| c.printed_result != "=")
        .map(|c| {
            let pai: f64 = c.activities.iter().map(pai_from_plan).sum();
            c.weight * round2(pai) / 100.0
        })
        .sum();
    assert!(close(atteso, 54.3891), "atteso from the plan {atteso}");
    assert!(close(round2(atteso), data.sector.atteso_from_month_plan));
}

#[test]
fn model_carries_the_data() {
    let data = terre_s1_data();
    let ente = terre_s1();
    assert_eq!(ente.ente, "Unione delle Terre d'Argine");
    assert_eq!(ente.file, "terre_s1.json");
    assert_eq!(ente.areas.len(), 1);
    let area = &ente.areas[0];
    assert_eq!(area.name, "1° Settore Affari generali");
    assert_eq!(area.kind, "Settore");
    assert_eq!(ente.objective_count(), 6);

    let mut sources: BTreeSet<String> = BTreeSet::new();
    let mut note = |s: &Source| {
        assert_eq!(&*s.sheet, "S1");
        assert!(sources.insert(s.to_string()), "cell used twice: {s}");
    };
    let (mut effettivo, mut atteso) = (0.0, 0.0);
    for (i, (o, card)) in area.objectives.iter().zip(&data.cards).enumerate() {
        let code = o.code.as_ref().unwrap();
        assert_eq!(code.text(), CODES[i]);
        assert_eq!(o.title.as_ref().unwrap().text(), card.title);
        let weight = o.weight.as_ref().unwrap();
        assert_eq!(weight.raw, format!("{}%", WEIGHTS[i]));
        assert_eq!(
            weight.value,
            Value::Percent {
                percent: WEIGHTS[i]
            }
        );
        note(&code.source);
        note(&o.title.as_ref().unwrap().source);
        note(&weight.source);
        assert_eq!(o.activities.len(), card.activities.len());
        let (mut pai, mut pei) = (0.0, 0.0);
        for (a, d) in o.activities.iter().zip(&card.activities) {
            assert_eq!(a.name.as_ref().unwrap().text(), d.name);
            assert_eq!(a.weight.as_ref().unwrap().number(), Some(d.weight));
            assert_eq!(a.planned_months, d.planned_months);
            assert_eq!(a.actual_months, d.actual_months);
            for f in [&a.name, &a.weight, &a.expected, &a.actual]
                .into_iter()
                .flatten()
            {
                note(&f.source);
            }
            pai += a.expected.as_ref().and_then(|f| f.number()).unwrap_or(0.0);
            pei += a.actual.as_ref().and_then(|f| f.number()).unwrap_or(0.0);
        }
        assert!(close(round2(pai), SUM_PAI[i]), "{}", CODES[i]);
        assert!(close(round2(pei), SUM_PEI[i]), "{}", CODES[i]);
        effettivo += weight.number().unwrap() * round2(pei) / 100.0;
        atteso += weight.number().unwrap() * round2(pai) / 100.0;
    }
    assert!(close(effettivo, 51.9744));
    assert!(close(atteso, 54.0718));

    // Raw texts are in Italian notation.
    let a3 = &area.objectives[0].activities[2];
    assert_eq!(a3.expected.as_ref().unwrap().raw, "1,67");
    // S1 is also a cell reference: Excel quotes such a sheet name.
    assert_eq!(a3.expected.as_ref().unwrap().source.to_string(), "'S1'!C5");
    assert_eq!(a3.actual.as_ref().unwrap().source.to_string(), "'S1'!D5");
}

#[test]
fn without_stored_pai_drops_only_the_expected_values() {
    let with = terre_s1();
    let without = terre_s1_without_stored_pai();
    assert_eq!(with.objective_count(), without.objective_count());
    for (o, p) in with.objectives().zip(without.objectives()) {
        assert_eq!(o.code, p.code);
        assert_eq!(o.weight, p.weight);
        assert_eq!(o.activities.len(), p.activities.len());
        for (a, b) in o.activities.iter().zip(&p.activities) {
            assert!(a.expected.is_some());
            assert!(b.expected.is_none());
            assert_eq!(a.actual, b.actual);
            assert_eq!(a.planned_months, b.planned_months);
            assert_eq!(a.actual_months, b.actual_months);
        }
    }
}
