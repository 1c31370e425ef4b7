//! The default rules on the Cremona 2024 table: every printed % Ragg, the ten line banners.

mod common;

use std::path::{Path, PathBuf};

use barometro::model::Ente;
use barometro::read::{read_workbook, ReadOptions};
use barometro::rules::excel::{round, rounddown};
use barometro::rules::{evaluate, EvaluateOptions, Evaluation, RuleSet};
use common::fixtures::*;

fn cremona(dir: &Path) -> PathBuf {
    let path = dir.join("cremona.xlsx");
    write_cremona(&path).expect("fixture written");
    path
}

fn scored() -> Evaluation {
    let dir = tempfile::tempdir().unwrap();
    let ente: Ente = read_workbook(cremona(dir.path()), &ReadOptions::default()).unwrap();
    let rules = RuleSet::default_set().unwrap();
    evaluate(ente, &rules, &EvaluateOptions::default())
}

#[test]
fn every_printed_achievement_is_reproduced() {
    let ev = scored();
    let rows = cremona_rows();
    let mut computed = Vec::new();
    for (o, oo) in ev.objectives() {
        for (i, io) in o.indicators.iter().zip(&oo.indicators) {
            computed.push((
                o.label(),
                i.source.to_string(),
                io.method.clone(),
                io.score.value,
                oo.neutralised,
            ));
        }
    }
    assert_eq!(computed.len(), rows.len());
    let mut mismatches = Vec::new();
    for (row, (label, cell, method, score, neutralised)) in rows.iter().zip(&computed) {
        let shown = if *neutralised {
            0.0
        } else {
            score.map_or(-1.0, |s| round(s, 0))
        };
        if shown != row.perc_ragg as f64 {
            mismatches.push(format!(
                "L{} {label} {cell} {method}: {score:?} vs {}",
                row.src_line, row.perc_ragg
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn the_ten_line_banners_within_a_hundredth() {
    let ev = scored();
    let lines = cremona_lines();
    assert_eq!(ev.areas.len(), 10);
    for (line, ao) in lines.iter().zip(&ev.areas) {
        let got = ao.score.value.expect("line scored");
        assert!(
            (got - line.banner).abs() <= 0.01 + 1e-9,
            "{}: {got} vs {}",
            line.heading,
            line.banner
        );
    }
}

/// The unrounded mean of a line's active objectives.
fn line_mean(ev: &Evaluation, heading_part: &str) -> f64 {
    let (i, _) = ev
        .ente
        .areas
        .iter()
        .enumerate()
        .find(|(_, a)| a.name.contains(heading_part))
        .expect("line present");
    let scores: Vec<f64> = ev.areas[i]
        .all_objectives()
        .filter(|o| !o.neutralised)
        .filter_map(|o| o.score.value)
        .collect();
    scores.iter().sum::<f64>() / scores.len() as f64
}

#[test]
fn banner_rounding_is_excel_rounding() {
    let ev = scored();
    // Comunità: 79.225 exactly on paper; binary arithmetic lands just below it.
    let comunita = line_mean(&ev, "COMUNIT");
    assert!((comunita - 79.225).abs() < 1e-9, "{comunita}");
    assert_eq!(
        round(comunita, 2),
        79.23,
        "Excel's ROUND gives the printed 79,23"
    );
    // Smart city: 88.888…, printed truncated.
    let smart = line_mean(&ev, "SMART CITY");
    assert_eq!(rounddown(smart, 2), 88.88);
    assert_eq!(round(smart, 2), 88.89);
    // The neutralised objective is left out: 92,30 and not 61,53.
    let opere = ev
        .ente
        .areas
        .iter()
        .position(|a| a.name.contains("OPERE PUBBLICHE"))
        .unwrap();
    assert_eq!(ev.areas[opere].score.value, Some(92.3));
    let neutralised: Vec<_> = ev.areas[opere]
        .all_objectives()
        .filter(|o| o.neutralised)
        .collect();
    assert_eq!(neutralised.len(), 1);
    assert_eq!(neutralised[0].score.value, None);
}
