//! The report of the Cremona 2024 table: live formulas recalculated by LibreOffice equal the
//! cached values, the ten printed banners, the barometer formats, the anomalies of the
//! analysis (§B4 of `analysis/003_004.md`).

mod common;

use std::io::Read as _;
use std::path::{Path, PathBuf};

use barometro::read::{read_workbook, ReadOptions};
use barometro::report::{build, verify, Provenance, Report, ANOMALIE, INDICATORI, SINTESI};
use barometro::rules::{evaluate, EvaluateOptions, Evaluation, RuleSet};
use calamine::{Data, DataType, Reader, Xlsx};
use common::fixtures::*;
use common::libreoffice;

fn cremona(dir: &Path) -> PathBuf {
    let path = dir.join("cremona.xlsx");
    write_cremona(&path).expect("fixture written");
    path
}

fn report(dir: &Path) -> (Evaluation, Report, PathBuf) {
    let input = cremona(dir);
    let ente = read_workbook(&input, &ReadOptions::default()).unwrap();
    let rules = RuleSet::default_set().unwrap();
    let ev = evaluate(ente, &rules, &EvaluateOptions::default());
    let report = build(&ev, &rules, &Provenance::of_file(&input).unwrap()).unwrap();
    let out = dir.join("relazione.xlsx");
    std::fs::write(&out, &report.bytes).unwrap();
    (ev, report, out)
}

fn sheet(path: &Path, name: &str) -> calamine::Range<Data> {
    let mut wb: Xlsx<_> = calamine::open_workbook(path).unwrap();
    wb.worksheet_range(name).unwrap()
}

/// The text of a sheet's XML in the report.
fn sheet_xml(path: &Path, index: usize) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut xml = String::new();
    zip.by_name(&format!("xl/worksheets/sheet{index}.xml"))
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

fn column_of(range: &calamine::Range<Data>, header_row: u32, header: &str) -> u32 {
    let (r0, c0) = range.start().unwrap();
    (c0..=range.end().unwrap().1)
        .find(|&c| {
            range.get_value((header_row, c)).map(|d| d.to_string()) == Some(header.to_string())
        })
        .unwrap_or_else(|| panic!("column «{header}» in row {} (start {r0})", header_row + 1))
}

#[test]
fn libreoffice_recalculates_every_formula_to_its_cached_value() {
    let Some(_) = libreoffice::soffice_or_skip("report_cremona") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (_, report, out) = report(dir.path());
    let cmp = libreoffice::recalculate_and_compare(&out, "it-IT").unwrap();
    assert_eq!(
        cmp.checked,
        report.checks.len(),
        "every formula the report wrote is a formula in the file"
    );
    assert!(cmp.is_ok(), "{cmp}");
}

#[test]
fn the_independent_engine_agrees_with_the_rules() {
    let dir = tempfile::tempdir().unwrap();
    let (_, report, _) = report(dir.path());
    let proof = verify(&report).unwrap();
    assert!(report.checks.len() > 500, "{}", report.checks.len());
    assert_eq!(proof.checked, report.checks.len());
    assert!(
        proof.mismatches.is_empty(),
        "{:#?}",
        &proof.mismatches[..proof.mismatches.len().min(5)]
    );
}

#[test]
fn sintesi_shows_the_ten_printed_banners() {
    let dir = tempfile::tempdir().unwrap();
    let (_, _, out) = report(dir.path());
    let range = sheet(&out, SINTESI);
    let header = 4;
    let score = column_of(&range, header, "% Raggiungimento");
    let stated = column_of(&range, header, "% Dichiarato (foglio)");
    let lines = cremona_lines();
    for (i, line) in lines.iter().enumerate() {
        let row = header + 1 + i as u32;
        let name = range.get_value((row, 0)).unwrap().to_string();
        assert_eq!(name, line.heading);
        let printed = range.get_value((row, stated)).and_then(|d| d.as_f64());
        assert_eq!(printed, Some(line.banner), "{name}");
        let computed = range
            .get_value((row, score))
            .and_then(|d| d.as_f64())
            .unwrap();
        assert!(
            (computed - line.banner).abs() <= 0.01 + 1e-9,
            "{name}: {computed} vs {}",
            line.banner
        );
    }
    // Comunità: 79,225 → 79,23 as Excel rounds; the neutralised objective left out: 92,30.
    let cached: Vec<f64> = (0..10)
        .filter_map(|i| {
            range
                .get_value((header + 1 + i, score))
                .and_then(|d| d.as_f64())
        })
        .collect();
    assert!(cached.contains(&79.23), "{cached:?}");
    assert!(cached.contains(&92.3), "{cached:?}");
}

#[test]
fn the_barometer_is_an_icon_set_and_fills_from_the_bands() {
    let dir = tempfile::tempdir().unwrap();
    let (_, _, out) = report(dir.path());
    // Sheet order: Sintesi, Obiettivi, Indicatori, Anomalie, Regole.
    for index in 1..=3 {
        let xml = sheet_xml(&out, index);
        // `<iconSet>` with no `iconSet` attribute is the default, 3TrafficLights1.
        assert!(
            xml.contains(r#"<cfRule type="iconSet""#) && xml.contains("<iconSet><cfvo"),
            "sheet{index}: icon set"
        );
        // Only the blank rule stops the others, or the icons would never show.
        assert_eq!(
            xml.matches(r#"stopIfTrue="1""#).count(),
            xml.matches("containsBlanks").count(),
            "sheet{index}"
        );
        // Thresholds of the default bands: 70 and 90.
        assert!(
            xml.contains(r#"<cfvo type="num" val="70"/>"#),
            "sheet{index}"
        );
        assert!(
            xml.contains(r#"<cfvo type="num" val="90"/>"#),
            "sheet{index}"
        );
        assert!(
            xml.contains(r#"operator="greaterThanOrEqual""#)
                && xml.contains("<formula>90</formula>"),
            "sheet{index}: band fills"
        );
        assert!(
            xml.contains(r#"type="containsBlanks""#),
            "sheet{index}: grey for no score"
        );
    }
    assert!(
        sheet_xml(&out, 1).contains("<dataBar"),
        "data bars on Sintesi"
    );
}

#[test]
fn anomalie_lists_the_anomalies_of_the_analysis() {
    let dir = tempfile::tempdir().unwrap();
    let (_, _, out) = report(dir.path());
    let range = sheet(&out, ANOMALIE);
    let rows: Vec<(String, String, String, String)> = range
        .rows()
        .skip(3)
        .map(|r| {
            (
                r[0].to_string(),
                r[1].to_string(),
                r[2].to_string(),
                r[3].to_string(),
            )
        })
        .collect();
    let find = |rule_part: &str, message_part: &str| {
        rows.iter()
            .filter(|(_, _, rule, msg)| rule.contains(rule_part) && msg.contains(message_part))
            .count()
    };
    // V-B1: weights 50 + 43 = 93 (objective 3) and 28 + 45 + 13 = 86 (objective 12): errors.
    let weights: Vec<_> = rows
        .iter()
        .filter(|(sev, _, _, msg)| sev == "errore" && msg.contains("pesi"))
        .collect();
    assert!(weights.iter().any(|r| r.3.contains("93")), "{weights:#?}");
    assert!(weights.iter().any(|r| r.3.contains("86")), "{weights:#?}");
    // V-B2: the five Scostamento cells that are not consuntivo − target.
    assert_eq!(find("", "Scostamento"), 5, "{rows:#?}");
    // V-B3: done/not-done indicators with an actual of 100 (six) and of 50 (one).
    let binary: Vec<_> = rows
        .iter()
        .filter(|r| r.3.contains("fatto") && (r.3.contains("100") || r.3.contains("50")))
        .collect();
    assert!(binary.len() >= 7, "{binary:#?}");
    // V-B5: the neutralised objective is listed.
    assert!(
        rows.iter().any(|r| r.3.contains("neutralizzat")),
        "{rows:#?}"
    );
    // Every rule finding names its cell.
    assert!(
        rows.iter().all(|r| !r.1.is_empty() || r.2 == "regola"),
        "{rows:#?}"
    );
}

#[test]
fn inputs_keep_their_source_cells_and_text_is_never_a_formula() {
    let dir = tempfile::tempdir().unwrap();
    let (_, _, out) = report(dir.path());
    let range = sheet(&out, INDICATORI);
    let sources = column_of(&range, 2, "Celle di origine");
    let first = range.get_value((3, sources)).unwrap().to_string();
    assert!(
        first.contains("consuntivo: ") && first.contains('!'),
        "{first}"
    );
}

#[test]
fn a_score_a_hair_under_a_threshold_has_the_same_label_in_every_engine() {
    // 327.626,1 on a target of 364.029: 89.99999999999999 in binary, which Excel and
    // LibreOffice compare as 90 (Raggiunto) and a plain comparison as under 90.
    let dir = tempfile::tempdir().unwrap();
    let mut rows = cremona_rows();
    let changed = &mut rows[1];
    assert!(changed.formula.starts_with("metri lineari"));
    changed.target_atteso = 364_029.0;
    changed.target_consuntivo = 327_626.1;
    changed.target_atteso_raw = None;
    changed.target_consuntivo_raw = None;
    let name = changed.indicatore.clone();
    let input = dir.path().join("soglia.xlsx");
    write_cremona_rows(&input, &rows).unwrap();
    let rules = RuleSet::default_set().unwrap();
    let ente = read_workbook(&input, &ReadOptions::default()).unwrap();
    let ev = evaluate(ente, &rules, &EvaluateOptions::default());
    let report = build(&ev, &rules, &Provenance::of_file(&input).unwrap()).unwrap();
    let out = dir.path().join("relazione.xlsx");
    std::fs::write(&out, &report.bytes).unwrap();

    let range = sheet(&out, INDICATORI);
    let (names, scores, labels) = (
        column_of(&range, 2, "Indicatore"),
        column_of(&range, 2, "% Raggiungimento"),
        column_of(&range, 2, "Barometro"),
    );
    let row = (3..=range.end().unwrap().0)
        .find(|&r| range.get_value((r, names)).map(|d| d.to_string()) == Some(name.clone()))
        .unwrap();
    let score = range.get_value((row, scores)).unwrap().as_f64().unwrap();
    assert!(score < 90.0 && score > 89.999_999_999, "{score}");
    assert_eq!(
        range.get_value((row, labels)).unwrap().to_string(),
        "Raggiunto"
    );
    let proof = verify(&report).unwrap();
    assert!(proof.mismatches.is_empty(), "{:?}", proof.mismatches);
    if libreoffice::soffice_or_skip("report_cremona").is_none() {
        return;
    }
    let cmp = libreoffice::recalculate_and_compare(&out, "it-IT").unwrap();
    assert!(cmp.is_ok(), "{cmp}");
}
