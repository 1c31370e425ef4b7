//! The Terre d'Argine sector S1 with `rules/somma-pesata`: 51,97% su 54,07% with the stored
//! P.A.I, 54,39% expected when computed from the month plan (analysis 001 §6.3).

mod common;

use std::path::PathBuf;

use barometro::rules::{evaluate, EvaluateOptions, Evaluation, RuleSet};
use chrono::NaiveDate;
use common::terre::*;

fn somma_pesata() -> RuleSet {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules/somma-pesata");
    RuleSet::load_dir(dir).expect("rules/somma-pesata compiles")
}

fn at_31_july() -> EvaluateOptions {
    EvaluateOptions {
        at: NaiveDate::from_ymd_opt(2024, 7, 31),
        ..EvaluateOptions::default()
    }
}

fn sector(ev: &Evaluation) -> (f64, f64) {
    let a = &ev.areas[0];
    (
        a.score.value.expect("effettivo"),
        a.expected.value.expect("atteso"),
    )
}

#[test]
fn stored_pai_gives_the_printed_51_97_su_54_07() {
    let data = terre_s1_data();
    let ev = evaluate(terre_s1(), &somma_pesata(), &at_31_july());
    assert_eq!(sector(&ev), (51.97, 54.07));
    assert_eq!(data.sector.printed_effettivo, 51.97);
    assert_eq!(data.sector.printed_atteso, 54.07);
    // Every card: "E% su A%" as the sector table prints it.
    let expected = [
        (Some(54.0), Some(70.96)),
        (Some(32.5), Some(25.0)),
        (Some(41.26), Some(41.26)),
        (Some(100.0), Some(100.0)),
        (None, None),
        (None, None),
    ];
    for ((o, oo), (e, a)) in ev.objectives().zip(expected) {
        let round2 = |v: Option<f64>| v.map(|v| (v * 100.0).round() / 100.0);
        assert_eq!(round2(oo.score.value), e, "{}", o.label());
        assert_eq!(round2(oo.expected.value), a, "{}", o.label());
        assert_eq!(oo.weight.value, o.weight.as_ref().and_then(|w| w.number()));
    }
    // The stored 10 for S1.00002 activity 6 overrides the 11,67 of the month plan, visibly.
    let (_, s1_00002) = ev.objectives().next().unwrap();
    let act6 = &s1_00002.activities[5];
    assert_eq!(act6.expected_stored, Some(10.0));
    assert_eq!(act6.expected_computed.value, Some(11.67));
    assert_eq!(act6.expected, Some(10.0));
    assert!(act6.overridden);
    assert!(ev
        .findings
        .iter()
        .any(|f| f.rule == "atteso-sovrascritto" && f.message.contains("11,67")));
    // The judgement rule: 51,97 on 54,07 is 96% of the expected value.
    assert_eq!(ev.areas[0].judgement.as_deref(), Some("In linea"));
}

#[test]
fn month_plan_gives_54_39_expected() {
    let data = terre_s1_data();
    let ev = evaluate(
        terre_s1_without_stored_pai(),
        &somma_pesata(),
        &at_31_july(),
    );
    let (effettivo, atteso) = sector(&ev);
    assert_eq!(effettivo, 51.97);
    assert_eq!(atteso, 54.39);
    assert_eq!(data.sector.atteso_from_month_plan, 54.39);
    let (_, s1_00002) = ev.objectives().next().unwrap();
    assert!((s1_00002.expected.value.unwrap() - 72.63).abs() < 1e-9);
    assert!(s1_00002.activities.iter().all(|a| !a.overridden));
}

#[test]
fn without_a_monitoring_date_only_stored_values_count() {
    let ev = evaluate(terre_s1(), &somma_pesata(), &EvaluateOptions::default());
    assert_eq!(sector(&ev), (51.97, 54.07));
    let ev = evaluate(
        terre_s1_without_stored_pai(),
        &somma_pesata(),
        &EvaluateOptions::default(),
    );
    assert_eq!(ev.areas[0].score.value, Some(51.97));
    assert_eq!(ev.areas[0].expected.value, None);
}

#[test]
fn the_shipped_sets_differ_only_in_aggregation() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules");
    for f in [
        "indicatori.rhai",
        "atteso.rhai",
        "barometro.rhai",
        "controlli.rhai",
    ] {
        let a = std::fs::read_to_string(root.join("predefinite").join(f)).unwrap();
        let b = std::fs::read_to_string(root.join("somma-pesata").join(f)).unwrap();
        assert_eq!(a, b, "{f} differs between predefinite and somma-pesata");
    }
    // The embedded default set is the folder as shipped.
    let embedded = RuleSet::default_set().unwrap();
    for f in embedded.files() {
        let on_disk = std::fs::read_to_string(root.join("predefinite").join(&f.name)).unwrap();
        assert_eq!(f.text, on_disk, "{}", f.name);
    }
}
