//! Portomaggiore 2024-26: weights derived from the Giunta's priorities by the default rules
//! (priority / Σ priorities of the sector × 100) equal every printed weight.

mod common;

use barometro::model::Severity;
use barometro::read::{normalise_header, read_workbook, ReadOptions};
use barometro::rules::excel::round;
use barometro::rules::{evaluate, EvaluateOptions, RuleSet};
use barometro::value::Value;
use common::fixtures::*;

/// The Portomaggiore plan rebuilt as a workbook, read and scored with the default rules.
fn scored_portomaggiore() -> barometro::rules::Evaluation {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("portomaggiore.xlsx");
    write_portomaggiore(&path).unwrap();
    let ente = read_workbook(&path, &ReadOptions::default()).unwrap();
    evaluate(
        ente,
        &RuleSet::default_set().unwrap(),
        &EvaluateOptions::default(),
    )
}

#[test]
fn weights_from_priorities_match_every_printed_weight() {
    let ev = scored_portomaggiore();

    let mut compared = 0;
    for (o, oo) in ev.objectives() {
        let (Some(priority), Some(printed)) = (o.priority.as_ref(), o.weight.as_ref()) else {
            continue;
        };
        let Value::Percent { percent } = printed.value else {
            panic!("weight not a percentage at {}", printed.source)
        };
        let weight = oo.weight.value.expect("weight derived");
        // Printed with 2 or 4 decimals: compare at the printed precision.
        let decimals = printed
            .raw
            .split([',', '.'])
            .nth(1)
            .map_or(0, |d| d.trim_end_matches([' ', '%']).len()) as i64;
        assert_eq!(
            round(weight, decimals),
            round(percent, decimals),
            "{} (priority {}) at {}",
            o.label(),
            priority.raw,
            printed.source
        );
        assert!(oo.weight.twin.is_some(), "weight twin");
        compared += 1;
    }
    // Every row that prints both a priority and a weight.
    assert_eq!(compared, 50);

    // Where priorities were lost in the source text (SAP: 67 of 74, TEC: 68 of 94), the check
    // says so as an error on the sector; where all survive, it is silent.
    let totals: Vec<&str> = ev
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .filter(|f| normalise_header(&f.message).contains("totale delle priorita"))
        .map(|f| f.message.as_str())
        .collect();
    let broken: Vec<_> = portomaggiore_sectors()
        .into_iter()
        .filter(|s| s.priority_sum_present != s.declared_total)
        .collect();
    assert_eq!(totals.len(), broken.len(), "{totals:?}");
    for (message, sector) in totals.iter().zip(&broken) {
        assert!(
            message.contains(&format!("({}, {}!", sector.declared_total, sector.code))
                && message.ends_with(&format!(": {}", sector.priority_sum_present)),
            "{message}"
        );
    }
}

#[test]
fn one_strategic_code_with_two_descriptions_is_a_warning() {
    use barometro::model::{Area, Ente, Field, Objective, Source};
    let sheet: std::sync::Arc<str> = "Obiettivi".into();
    let text = |s: &str, row, col| Field {
        raw: s.into(),
        value: Value::Text,
        source: Source::new(sheet.clone(), row, col),
    };
    let mut area = Area::new("Servizi", "Settore");
    for (row, strategic) in [
        (
            2,
            "OS116 Efficienza e qualità nell'erogazione dei servizi ai cittadini",
        ),
        (
            3,
            "OS116 Efficienza e qualità nell'erogazione dei servizi ai cittadini",
        ),
        (
            4,
            "OS116 Promuovere la divulgazione culturale come valore aggiunto alla vita quotidiana",
        ),
    ] {
        let mut o = Objective::new(Source::new(sheet.clone(), row, 0));
        o.title = Some(text(&format!("Obiettivo {row}"), row, 1));
        o.strategy
            .push(("Obiettivo strategico".into(), text(strategic, row, 2)));
        area.objectives.push(o);
    }
    let mut ente = Ente::new("Comune di Casalgrande", "casalgrande.xlsx");
    ente.areas.push(area);
    let ev = evaluate(
        ente,
        &RuleSet::default_set().unwrap(),
        &EvaluateOptions::default(),
    );
    let found: Vec<_> = ev
        .findings
        .iter()
        .filter(|f| f.message.contains("«OS116»"))
        .collect();
    assert_eq!(found.len(), 1, "{:#?}", ev.findings);
    assert_eq!(found[0].severity, Severity::Warning);
    assert_eq!(
        found[0].source.as_ref().unwrap().to_string(),
        "Obiettivi!C5"
    );
    assert!(
        found[0].message.contains("Obiettivi!C3"),
        "{}",
        found[0].message
    );
}

#[test]
fn portomaggiore_strategic_codes_with_two_descriptions() {
    let ev = scored_portomaggiore();
    let found: Vec<String> = ev
        .findings
        .iter()
        .filter(|f| f.message.starts_with("Il codice «"))
        .map(|f| format!("{} {}", f.source.as_ref().unwrap(), f.message))
        .collect();
    // Once per cell (merged cells stand for several objectives). 1.2.1 reads "servizi on line
    // resi" in FIN and "servizi on line reali" in SAP; FIN's 9.3.1 cell packs 9.3.1–9.3.3.
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("FIN!C9 Il codice «1.2.1»")),
        "{found:#?}"
    );
    assert_eq!(
        found.iter().filter(|f| f.contains("«9.3.1»")).count(),
        1,
        "{found:#?}"
    );
    let mut cells: Vec<&str> = found.iter().map(|f| f.split(' ').next().unwrap()).collect();
    let n = cells.len();
    cells.dedup();
    assert_eq!(cells.len(), n, "one finding per cell: {found:#?}");
}
