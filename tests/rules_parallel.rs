//! Scoring the areas on several threads gives exactly what one thread gives: the same scores,
//! twins and judgements, the same findings in the same order (`EvaluateOptions::threads`).

mod common;

use std::path::{Path, PathBuf};

use barometro::read::{read_workbook, ReadOptions};
use barometro::report::scored_json;
use barometro::rules::{evaluate, EvaluateOptions, Evaluation, RuleSet};
use chrono::NaiveDate;

type Writer = fn(&Path) -> Result<(), rust_xlsxwriter::XlsxError>;

/// Everything an evaluation says, as text: the scored model and the findings, in order.
fn everything(ev: &Evaluation) -> String {
    let findings: Vec<String> = ev.all_findings().map(|f| format!("{f:?}")).collect();
    format!(
        "{}\n{}\n{:?}\n{:?}",
        scored_json(ev),
        findings.join("\n"),
        ev.score,
        ev.expected
    )
}

fn rule_sets() -> Vec<RuleSet> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules/somma-pesata");
    vec![
        RuleSet::default_set().expect("the default rules compile"),
        RuleSet::load_dir(dir).expect("rules/somma-pesata compiles"),
    ]
}

fn same_on_any_threads(name: &str, write: Writer, at: Option<NaiveDate>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{name}.xlsx"));
    write(&path).unwrap();
    let ente = read_workbook(&path, &ReadOptions::default()).unwrap();
    assert!(ente.areas.len() > 1, "{name}: one area cannot be split");
    for rules in rule_sets() {
        let run = |threads| {
            let options = EvaluateOptions {
                at,
                threads,
                ..EvaluateOptions::default()
            };
            everything(&evaluate(ente.clone(), &rules, &options))
        };
        let one = run(1);
        assert!(one.contains("Finding"), "{name}: no findings to compare");
        for threads in [2, 3, 64] {
            assert_eq!(
                one,
                run(threads),
                "{name} with {threads} threads and rules {}",
                rules.name()
            );
        }
    }
}

#[test]
fn cremona_on_several_threads() {
    same_on_any_threads("cremona", common::fixtures::write_cremona, None);
}

#[test]
fn portomaggiore_on_several_threads() {
    same_on_any_threads("portomaggiore", common::fixtures::write_portomaggiore, None);
}

#[test]
fn casalgrande_on_several_threads() {
    same_on_any_threads("casalgrande", common::casalgrande::write_casalgrande, None);
}

#[test]
fn terre_cards_on_several_threads() {
    same_on_any_threads(
        "terre",
        common::terre_cards::write_terre_other_cards,
        NaiveDate::from_ymd_opt(2024, 7, 31),
    );
}

/// A rule set without `atteso_attivita` warns once per run, where one thread would, even
/// when several threads meet the missing function.
#[test]
fn a_missing_function_is_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("terre.xlsx");
    common::terre_cards::write_terre_other_cards(&path).unwrap();
    let ente = read_workbook(&path, &ReadOptions::default()).unwrap();
    let rules_dir = dir.path().join("regole");
    std::fs::create_dir(&rules_dir).unwrap();
    let default_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules/predefinite");
    for entry in std::fs::read_dir(&default_dir).unwrap() {
        let entry = entry.unwrap();
        let text = std::fs::read_to_string(entry.path()).unwrap();
        // Rename the function so that the rules no longer define it.
        let text = text.replace("fn atteso_attivita(", "fn atteso_attivita_tolta(");
        std::fs::write(rules_dir.join(entry.file_name()), text).unwrap();
    }
    let rules = RuleSet::load_dir(&rules_dir).unwrap();
    let run = |threads| {
        let options = EvaluateOptions {
            at: NaiveDate::from_ymd_opt(2024, 7, 31),
            threads,
            ..EvaluateOptions::default()
        };
        evaluate(ente.clone(), &rules, &options)
    };
    let one = run(1);
    let missing = |ev: &Evaluation| {
        ev.all_findings()
            .filter(|f| f.message.contains("non definiscono `atteso_attivita`"))
            .count()
    };
    // Terre's units have activities in several top-level areas.
    assert_eq!(missing(&one), 1);
    for threads in [2, 3] {
        let many = run(threads);
        assert_eq!(missing(&many), 1, "{threads} threads");
        assert_eq!(everything(&one), everything(&many), "{threads} threads");
    }
}
