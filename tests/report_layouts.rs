//! The report on the other real layouts: Terre d'Argine's activity cards (`somma-pesata`, month
//! plans, stored P.A.I) and Portomaggiore's priorities (weights derived by a rule). LibreOffice
//! recalculates every formula to its cached value, and the figures are the documents'.

mod common;

use std::path::{Path, PathBuf};

use barometro::model::Ente;
use barometro::read::{read_workbook, ReadOptions};
use barometro::report::{build, verify, Provenance, Report, ATTIVITA, OBIETTIVI, SINTESI};
use barometro::rules::{evaluate, EvaluateOptions, RuleSet};
use calamine::{Data, DataType, Reader, Xlsx};
use chrono::NaiveDate;
use common::fixtures::write_portomaggiore;
use common::libreoffice;
use common::terre::{terre_s1, terre_s1_without_stored_pai};

fn somma_pesata() -> RuleSet {
    RuleSet::builtin("somma-pesata")
        .expect("embedded")
        .expect("compiles")
}

fn written(dir: &Path, ente: Ente, rules: &RuleSet, at: Option<NaiveDate>) -> (Report, PathBuf) {
    let ev = evaluate(
        ente,
        rules,
        &EvaluateOptions {
            at,
            ..EvaluateOptions::default()
        },
    );
    let report = build(&ev, rules, &Provenance::named("input.xlsx")).unwrap();
    let out = dir.join("relazione.xlsx");
    std::fs::write(&out, &report.bytes).unwrap();
    (report, out)
}

fn july() -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(2024, 7, 31)
}

fn sheet(path: &Path, name: &str) -> calamine::Range<Data> {
    let mut wb: Xlsx<_> = calamine::open_workbook(path).unwrap();
    wb.worksheet_range(name).unwrap()
}

fn cell(range: &calamine::Range<Data>, row: u32, header_row: u32, header: &str) -> Data {
    let end = range.end().unwrap().1;
    let col = (0..=end)
        .find(|&c| {
            range
                .get_value((header_row, c))
                .map(|d| d.to_string())
                .as_deref()
                == Some(header)
        })
        .unwrap_or_else(|| panic!("column «{header}»"));
    range.get_value((row, col)).cloned().unwrap_or(Data::Empty)
}

fn assert_libreoffice_agrees(report: &Report, out: &Path) {
    if libreoffice::soffice_or_skip("report_layouts").is_none() {
        return;
    }
    let cmp = libreoffice::recalculate_and_compare(out, "it-IT").unwrap();
    assert_eq!(cmp.checked, report.checks.len());
    assert!(cmp.is_ok(), "{cmp}");
}

#[test]
fn terre_d_argine_cards_51_97_su_54_07_with_activities_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let (report, out) = written(dir.path(), terre_s1(), &somma_pesata(), july());
    let sintesi = sheet(&out, SINTESI);
    assert_eq!(
        cell(&sintesi, 5, 4, "% Raggiungimento").as_f64(),
        Some(51.97)
    );
    assert_eq!(cell(&sintesi, 5, 4, "% Atteso").as_f64(), Some(54.07));
    let attivita = sheet(&out, ATTIVITA);
    assert!(attivita.height() > 4, "one row per activity");
    let proof = verify(&report).unwrap();
    assert!(proof.mismatches.is_empty(), "{:#?}", proof.mismatches);
    assert_libreoffice_agrees(&report, &out);
}

#[test]
fn terre_d_argine_expected_from_the_month_plan_54_39() {
    let dir = tempfile::tempdir().unwrap();
    let (report, out) = written(
        dir.path(),
        terre_s1_without_stored_pai(),
        &somma_pesata(),
        july(),
    );
    let sintesi = sheet(&out, SINTESI);
    assert_eq!(cell(&sintesi, 5, 4, "% Atteso").as_f64(), Some(54.39));
    assert_libreoffice_agrees(&report, &out);
}

#[test]
fn portomaggiore_weights_are_formulas_over_the_priorities() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("portomaggiore.xlsx");
    write_portomaggiore(&input).unwrap();
    let ente = read_workbook(&input, &ReadOptions::default()).unwrap();
    let rules = RuleSet::default_set().unwrap();
    let (report, out) = written(dir.path(), ente, &rules, None);
    let weights: Vec<_> = report
        .checks
        .iter()
        .filter(|c| c.sheet == OBIETTIVI && c.formula.contains("*100") && c.formula.contains('/'))
        .collect();
    assert!(weights.len() >= 50, "{}", weights.len());
    assert_libreoffice_agrees(&report, &out);
}
