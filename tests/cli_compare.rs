//! `barometro confronta` (alias of `compare`): two monitorings of Cremona's plan with some
//! *Target Consuntivo* changed (figures computed here from the data), and two rule sets on
//! Terre d'Argine's cards (other sectors, at 31/07/2024) (figures equal to `barometro valuta` with each set); the workbook's
//! formulas are verified and its changes carry the arrows icon set.

mod common;

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Output;

use calamine::{DataType, Reader, Xlsx};
use common::cli::{barometro, s};
use common::fixtures::{
    cremona_lines, cremona_rows, write_cremona, write_cremona_rows, CremonaRow,
};
use common::terre_cards::write_terre_other_cards;
use serde_json::Value;

fn json_of(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "JSON on stdout ({e}): {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

/// Round to 2 decimals, half away from zero, as the rules' `round`.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn num(v: &Value) -> Option<f64> {
    v.as_f64()
}

/// The December monitoring: three indicators with a different *Target Consuntivo*
/// (objective, indicator, new actual).
const CHANGES: [(u32, &str, f64); 3] = [
    (2, "Stato avanzamento lavori", 56.0),
    (3, "Sportello energia", 30.0),
    (20, "Incremento in percentuale del numero di pubblico", 4.0),
];

fn changed_rows() -> Vec<CremonaRow> {
    let mut rows = cremona_rows();
    for (obj, name, actual) in CHANGES {
        let row = rows
            .iter_mut()
            .find(|r| r.obj_id == obj && r.indicatore.starts_with(name))
            .expect("the indicator is in the document");
        row.target_consuntivo = actual;
        row.target_consuntivo_raw = None;
    }
    rows
}

/// The rules' `rapporto` on these rows (none is done/not done or "less is better"):
/// actual / target × 100, between 0 and 100.
fn ratio(r: &CremonaRow) -> f64 {
    (r.target_consuntivo / r.target_atteso * 100.0).clamp(0.0, 100.0)
}

/// An objective: the weighted mean of its indicators.
fn objective_score(rows: &[CremonaRow], obj: u32) -> f64 {
    let mine: Vec<&CremonaRow> = rows.iter().filter(|r| r.obj_id == obj).collect();
    let weights: f64 = mine.iter().map(|r| f64::from(r.peso)).sum();
    mine.iter()
        .map(|r| f64::from(r.peso) * ratio(r))
        .sum::<f64>()
        / weights
}

fn two_monitorings(dir: &Path) -> (PathBuf, PathBuf) {
    let june = dir.join("cremona-giugno.xlsx");
    let december = dir.join("cremona-dicembre.xlsx");
    write_cremona(&june).expect("fixture");
    write_cremona_rows(&december, &changed_rows()).expect("variant");
    (june, december)
}

#[test]
fn two_files_changed_indicators_objectives_and_lines() {
    let dir = tempfile::tempdir().unwrap();
    let (june, december) = two_monitorings(dir.path());
    let out = barometro(&["confronta", s(&june), s(&december), "--json"]);
    assert_eq!(out.status.code(), Some(1), "Cremona has two weight errors");
    let c = json_of(&out);
    let before_rows = cremona_rows();
    let after_rows = changed_rows();

    let title_of = |obj: u32| {
        before_rows
            .iter()
            .find(|r| r.obj_id == obj)
            .unwrap()
            .obiettivo
            .clone()
    };

    // Indicators: before and after from the data, the changed ones move, no other does.
    let indicators = c["indicators"].as_array().unwrap();
    assert_eq!(indicators.len(), 140);
    let mut moved = 0;
    for i in indicators {
        let delta = num(&i["score"]["after"])
            .zip(num(&i["score"]["before"]))
            .map(|(a, b)| a - b);
        let Some((obj, _, actual)) = CHANGES.iter().find(|(obj, n, _)| {
            i["objective"].as_str() == Some(title_of(*obj).as_str())
                && i["name"].as_str().unwrap().starts_with(n)
        }) else {
            assert!(
                delta.is_none() || delta == Some(0.0),
                "unchanged indicator moved: {i}"
            );
            continue;
        };
        moved += 1;
        let before = before_rows
            .iter()
            .find(|r| r.obj_id == *obj && i["name"].as_str().unwrap() == r.indicatore)
            .unwrap();
        let after = after_rows
            .iter()
            .find(|r| r.obj_id == *obj && i["name"].as_str().unwrap() == r.indicatore)
            .unwrap();
        assert_eq!(num(&i["actual"]["change"]["after"]), Some(*actual));
        assert_eq!(
            num(&i["actual"]["change"]["before"]),
            Some(before.target_consuntivo)
        );
        assert_eq!(
            num(&i["target"]["change"]["before"]),
            num(&i["target"]["change"]["after"])
        );
        assert!(
            close(num(&i["score"]["before"]).unwrap(), ratio(before)),
            "{i}"
        );
        assert!(
            close(num(&i["score"]["after"]).unwrap(), ratio(after)),
            "{i}"
        );
        assert_eq!(i["matched_by"], "name");
    }
    assert_eq!(moved, 3);
    // 56/70 → 80, 30/60 → 50, 4/5 → 80: from 100 each.
    let after_scores: Vec<f64> = CHANGES
        .iter()
        .map(|(obj, name, _)| {
            ratio(
                after_rows
                    .iter()
                    .find(|r| r.obj_id == *obj && r.indicatore.starts_with(name))
                    .unwrap(),
            )
        })
        .collect();
    assert_eq!(after_scores, vec![80.0, 50.0, 80.0]);

    // Objectives: the three changed ones, weighted means of their indicators; no other moves.
    let objectives = c["objectives"].as_array().unwrap();
    assert_eq!(objectives.len(), 82);
    let mut objective_after = BTreeMap::new();
    for (obj, _, _) in CHANGES {
        let o = objectives
            .iter()
            .find(|o| o["title"].as_str() == Some(title_of(obj).as_str()))
            .unwrap_or_else(|| panic!("objective {obj} compared"));
        let (before, after) = (
            objective_score(&before_rows, obj),
            objective_score(&after_rows, obj),
        );
        assert_eq!(before, 100.0);
        assert!(close(num(&o["score"]["before"]).unwrap(), before), "{o}");
        assert!(close(num(&o["score"]["after"]).unwrap(), after), "{o}");
        objective_after.insert(obj, after);
    }
    // (50×100 + 50×80) / 100, (50×100 + 43×50) / 93, 80.
    assert!(close(objective_after[&2], 90.0));
    assert!(close(objective_after[&3], 7150.0 / 93.0));
    assert!(close(objective_after[&20], 80.0));
    let changed: Vec<&Value> = objectives
        .iter()
        .filter(|o| o["score"]["before"] != o["score"]["after"])
        .collect();
    assert_eq!(changed.len(), 3);

    // Lines (areas) and sectors: every objective of the lines touched was at 100 (their
    // banners say 100,00%), so a line is the mean of 100s and the changed objectives.
    let lines = cremona_lines();
    let areas = c["areas"].as_array().unwrap();
    let area = |name: &str, parent: Option<&str>| {
        areas
            .iter()
            .find(|a| a["name"] == name && a["parent"].as_str() == parent)
            .unwrap_or_else(|| panic!("area {name} compared"))
    };
    let mut line_after = BTreeMap::new();
    for heading in [
        "LINEA STRATEGICA SULL'AMBIENTE",
        "LINEA STRATEGICA SU SVILUPPO / LAVORO / IMPRESE",
    ] {
        let line = lines.iter().find(|l| l.heading == heading).unwrap();
        assert_eq!(line.banner, 100.0);
        let objs: Vec<u32> = dedup(
            before_rows
                .iter()
                .filter(|r| r.linea == heading)
                .map(|r| r.obj_id),
        );
        assert_eq!(objs.len(), line.objectives);
        let after = round2(
            objs.iter()
                .map(|o| *objective_after.get(o).unwrap_or(&100.0))
                .sum::<f64>()
                / objs.len() as f64,
        );
        let a = area(heading, None);
        assert_eq!(num(&a["score"]["before"]), Some(100.0));
        assert!(close(num(&a["score"]["after"]).unwrap(), after), "{a}");
        line_after.insert(heading, after);
        // Sectors of the line.
        for sector in dedup_str(
            before_rows
                .iter()
                .filter(|r| r.linea == heading)
                .map(|r| r.settore.as_str()),
        ) {
            let objs: Vec<u32> = dedup(
                before_rows
                    .iter()
                    .filter(|r| r.linea == heading && r.settore == sector)
                    .map(|r| r.obj_id),
            );
            let after = round2(
                objs.iter()
                    .map(|o| *objective_after.get(o).unwrap_or(&100.0))
                    .sum::<f64>()
                    / objs.len() as f64,
            );
            let a = area(sector, Some(heading));
            assert_eq!(num(&a["score"]["before"]), Some(100.0), "{a}");
            assert!(close(num(&a["score"]["after"]).unwrap(), after), "{a}");
        }
    }
    // (4×100 + 90 + 76,88…) / 6 and (8×100 + 80) / 9.
    assert_eq!(line_after["LINEA STRATEGICA SULL'AMBIENTE"], 94.48);
    assert_eq!(
        line_after["LINEA STRATEGICA SU SVILUPPO / LAVORO / IMPRESE"],
        97.78
    );
    // The other lines do not move; their before is the printed banner (Smart city's is
    // truncated in the document: 88,88 against 88,89).
    let top: Vec<&Value> = areas.iter().filter(|a| a["parent"].is_null()).collect();
    assert_eq!(top.len(), 10);
    let mut sum_after = 0.0;
    for (a, line) in top.iter().zip(&lines) {
        assert_eq!(a["name"], line.heading.as_str());
        let before = num(&a["score"]["before"]).unwrap();
        assert!((before - line.banner).abs() <= 0.01 + 1e-9, "{a}");
        match line_after.get(line.heading.as_str()) {
            Some(after) => sum_after += after,
            None => {
                assert_eq!(a["score"]["after"], a["score"]["before"]);
                sum_after += before;
            }
        }
    }
    // The ente: the mean of the lines.
    assert_eq!(num(&c["ente"]["before"]), Some(92.5));
    assert!(close(
        num(&c["ente"]["after"]).unwrap(),
        round2(sum_after / 10.0)
    ));
    assert_eq!(num(&c["ente"]["after"]), Some(91.72));
    assert!(c["unmatched"].as_array().unwrap().is_empty());
}

fn dedup(ids: impl Iterator<Item = u32>) -> Vec<u32> {
    let mut v: Vec<u32> = Vec::new();
    for i in ids {
        if !v.contains(&i) {
            v.push(i);
        }
    }
    v
}

fn dedup_str<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut v: Vec<&str> = Vec::new();
    for i in items {
        if !v.contains(&i) {
            v.push(i);
        }
    }
    v
}

#[test]
fn two_files_terminal_table_and_verified_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let (june, december) = two_monitorings(dir.path());
    let xlsx = dir.path().join("confronto.xlsx");
    let out = barometro(&["compare", s(&june), s(&december), "-o", s(&xlsx)]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    // LibreOffice, recalculating on load, agrees with every cached change and label.
    if common::libreoffice::soffice_or_skip("comparison workbook").is_some() {
        let cmp = common::libreoffice::recalculate_and_compare(&xlsx, "it-IT").unwrap();
        assert!(cmp.checked > 1000, "{cmp}");
        assert!(cmp.is_ok(), "{cmp}");
    }
    assert!(
        text.contains(
            "LINEA STRATEGICA SULL'AMBIENTE                       100,00%    94,48%  ↓ -5,52"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "Ente                                                  92,50%    91,72%  ↓ -0,78"
        ),
        "{text}"
    );
    // The objective that changed most: (50×100 + 43×50) / 93 = 76,88 from 100.
    assert!(
        text.contains("Obiettivi con le variazioni maggiori:\n  ↓ -23,12    100,00% → 76,88%"),
        "{text}"
    );
    assert!(
        text.contains("Formule:") && text.contains("tutte uguali"),
        "{text}"
    );

    // The change columns are live formulas over the before and after cells.
    let mut wb: Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    assert_eq!(
        wb.sheet_names(),
        vec!["Aree", "Obiettivi", "Indicatori", "Solo in uno", "Origine"]
    );
    let formulas = wb.worksheet_formula("Aree").unwrap();
    let values = wb.worksheet_range("Aree").unwrap();
    let (v0, w0) = values.start().unwrap();
    let row = (0..values.height() as u32)
        .find(|&r| {
            values.get_value((v0 + r, w0)).map(|d| d.to_string())
                == Some("LINEA STRATEGICA SULL'AMBIENTE".into())
        })
        .map(|r| v0 + r)
        .expect("the line's row");
    assert!(formulas.start().is_some());
    assert_eq!(
        formulas.get_value((row, 5)).map(String::as_str),
        Some(format!("E{}-D{}", row + 1, row + 1).as_str())
    );
    let cached = values.get_value((row, 5)).and_then(|d| d.as_f64());
    assert!(close(cached.unwrap(), 94.48 - 100.0));

    // Icon set of three arrows on the changes, band fills and traffic lights on the scores.
    let sheet = zip_entry(&xlsx, "xl/worksheets/sheet1.xml");
    // Achievement and expected changes; traffic lights on the two achievement columns.
    assert_eq!(sheet.matches(r#"<iconSet iconSet="3Arrows">"#).count(), 2);
    assert_eq!(sheet.matches(r#"<cfRule type="iconSet""#).count(), 4);
    assert!(
        sheet.contains(r#"<cfvo type="num" val="0" gte="0"/>"#),
        "up only above 0"
    );
    let origin = zip_entry(&xlsx, "xl/sharedStrings.xml");
    assert!(origin.contains("cremona-giugno.xlsx") && origin.contains("cremona-dicembre.xlsx"));
}

fn zip_entry(path: &Path, name: &str) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// Areas of `valuta --json` flattened as the comparison lists them (an area, then its
/// sub-areas).
fn flat_areas(areas: &Value, out: &mut Vec<Option<f64>>) {
    for a in areas.as_array().unwrap() {
        out.push(num(&a["score"]["value"]));
        flat_areas(&a["areas"], out);
    }
}

#[test]
fn two_rule_sets_equal_valuta_with_each() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("terre.xlsx");
    write_terre_other_cards(&plan).unwrap();
    let valuta = |set: &str| {
        json_of(&barometro(&[
            "valuta",
            s(&plan),
            "--regole",
            set,
            "--al",
            "31/07/2024",
            "--json",
        ]))
    };
    let (a, b) = (valuta("predefinite"), valuta("somma-pesata"));
    let out = barometro(&[
        "confronta",
        s(&plan),
        "--regole",
        "predefinite",
        "--regole-b",
        "somma-pesata",
        "--al",
        "31/07/2024",
        "--json",
    ]);
    let c = json_of(&out);
    assert_eq!(c["rules_before"], "predefinite");
    assert_eq!(c["rules_after"], "somma-pesata");
    assert_eq!(num(&c["ente"]["before"]), num(&a["score"]["value"]));
    assert_eq!(num(&c["ente"]["after"]), num(&b["score"]["value"]));
    let (mut fa, mut fb) = (Vec::new(), Vec::new());
    flat_areas(&a["areas"], &mut fa);
    flat_areas(&b["areas"], &mut fb);
    let areas = c["areas"].as_array().unwrap();
    assert_eq!(areas.len(), fa.len());
    assert!(areas.len() > 1, "{areas:?}");
    for ((area, before), after) in areas.iter().zip(&fa).zip(&fb) {
        assert_eq!(num(&area["score"]["before"]), *before, "{area}");
        assert_eq!(num(&area["score"]["after"]), *after, "{area}");
    }
    // The sets differ on this plan (the weighted sum does not renormalise), so the test
    // compares two different figures.
    assert_ne!(c["ente"]["before"], c["ente"]["after"]);
    assert!(c["unmatched"].as_array().unwrap().is_empty());
    // Labels come from each side's bands.
    assert_eq!(
        c["ente_label_before"],
        a["bands"]["bands"]
            .as_array()
            .unwrap()
            .iter()
            .find(|band| num(&a["score"]["value"]).unwrap() >= num(&band["from"]).unwrap())
            .map(|band| band["label"].clone())
            .unwrap()
    );
}

#[test]
fn nothing_to_compare_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("cremona.xlsx");
    write_cremona(&plan).unwrap();
    let out = barometro(&["confronta", s(&plan)]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("niente da confrontare"), "{err}");
    // The output is never one of the inputs.
    let out = barometro(&[
        "confronta",
        s(&plan),
        "--regole-b",
        "somma-pesata",
        "-o",
        s(&plan),
        "--force",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("è il file di input"));
}

/// Two monitoring dates on the same activities: the achievement (P.E.I as written) stays, the
/// expected-to-date from the month plan moves (Terre d'Argine's S1, stored P.A.I removed).
#[test]
fn two_dates_move_the_expected_not_the_achievement() {
    use barometro::compare::compare;
    use barometro::report::{build_comparison, verify, ComparedSide, Provenance};
    use barometro::rules::{evaluate, EvaluateOptions, RuleSet};
    use common::terre::{terre_s1_data, terre_s1_without_stored_pai};

    let rules = RuleSet::builtin("somma-pesata").unwrap().unwrap();
    let at = |d: Option<(i32, u32, u32)>| EvaluateOptions {
        at: d.and_then(|(y, m, d)| chrono::NaiveDate::from_ymd_opt(y, m, d)),
        ..EvaluateOptions::default()
    };
    let june = evaluate(
        terre_s1_without_stored_pai(),
        &rules,
        &at(Some((2024, 6, 30))),
    );
    let july = evaluate(
        terre_s1_without_stored_pai(),
        &rules,
        &at(Some((2024, 7, 31))),
    );
    let c = compare(&june, &july);
    let sector = &c.areas[0];
    assert_eq!(sector.score.before, Some(51.97));
    assert_eq!(sector.score.after, Some(51.97));
    // 54,39 at 31 July is the document's figure from the month plan.
    assert_eq!(
        sector.expected.after,
        Some(terre_s1_data().sector.atteso_from_month_plan)
    );
    let before = sector.expected.before.unwrap();
    assert!(before < 54.39, "less is expected by June: {before}");
    assert!(close(sector.expected.delta().unwrap(), 54.39 - before));
    assert!(c.has_expected());
    assert!(c.objectives.iter().all(|o| o.score.before == o.score.after));
    assert!(c
        .objectives
        .iter()
        .any(|o| o.expected.delta().is_some_and(|d| d > 0.0)));
    assert!(sector.judgement_after.is_some());

    // The workbook's change formulas, expected included, recalculate to the same figures.
    let side = |name: &str| ComparedSide {
        provenance: Provenance::named(name),
        rules: &rules,
    };
    let workbook = build_comparison(&c, &side("giugno"), &side("luglio")).unwrap();
    let proof = verify(&workbook).unwrap();
    assert!(proof.mismatches.is_empty(), "{:?}", proof.mismatches);
    assert!(workbook
        .checks
        .iter()
        .any(|k| k.sheet == "Aree" && k.col == 10 && k.formula == "=J4-I4"));
}

/// A renamed objective is on one side only; a renamed indicator is matched by position.
#[test]
fn renamed_items_are_listed_or_matched_by_position() {
    let dir = tempfile::tempdir().unwrap();
    let june = dir.path().join("giugno.xlsx");
    let december = dir.path().join("dicembre.xlsx");
    write_cremona(&june).unwrap();
    let mut rows = cremona_rows();
    let old_title = rows
        .iter()
        .find(|r| r.obj_id == 5)
        .unwrap()
        .obiettivo
        .clone();
    for r in rows.iter_mut().filter(|r| r.obj_id == 5) {
        r.obiettivo = "Raccolta differenziata: nuovo obiettivo".into();
    }
    let renamed = rows
        .iter_mut()
        .find(|r| r.obj_id == 4 && r.indicatore == "Contratto di fiume")
        .unwrap();
    renamed.indicatore = "Incontri del Contratto di fiume".into();
    write_cremona_rows(&december, &rows).unwrap();

    let c = json_of(&barometro(&["confronta", s(&june), s(&december), "--json"]));
    assert_eq!(c["objectives"].as_array().unwrap().len(), 81);
    let unmatched = c["unmatched"].as_array().unwrap();
    let listed: Vec<(&str, &str, &str)> = unmatched
        .iter()
        .map(|u| {
            (
                u["side"].as_str().unwrap(),
                u["kind"].as_str().unwrap(),
                u["label"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        vec![
            (
                "after",
                "objective",
                "Raccolta differenziata: nuovo obiettivo"
            ),
            ("before", "objective", old_title.as_str()),
        ]
    );
    let by_position: Vec<&Value> = c["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["matched_by"] == "position")
        .collect();
    assert_eq!(by_position.len(), 1);
    assert_eq!(by_position[0]["name"], "Incontri del Contratto di fiume");
    assert_eq!(
        by_position[0]["score"]["before"],
        by_position[0]["score"]["after"]
    );
}
