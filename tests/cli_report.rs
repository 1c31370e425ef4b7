//! `barometro report` (alias `relazione`): the output is written safely, input text is never a
//! formula, a rule with no twin gets a note, a wrong twin is caught by the verification, and
//! `--json` carries the scored model.

mod common;

use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx};
use common::cli::{barometro, s, stderr, stdout};
use common::fixtures::write_cremona;
use rust_xlsxwriter::Workbook;

fn cremona(dir: &Path) -> PathBuf {
    let p = dir.join("cremona.xlsx");
    write_cremona(&p).expect("fixture");
    p
}

/// A small flat table whose texts start with `=`, `+`, `-` and `@`, with a manual score.
fn hostile_texts(dir: &Path) -> PathBuf {
    let path = dir.join("testi.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Obiettivi").unwrap();
    let header = [
        "Obiettivo",
        "Indicatore",
        "Metodo",
        "Target",
        "Consuntivo",
        "Peso",
        "% Raggiungimento",
        "Note",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let rows: [(&str, &str, &str, f64, f64, f64); 4] = [
        (
            "=HYPERLINK(\"http://esempio.it\",\"clic\")",
            "+39 0372 407111",
            "",
            10.0,
            8.0,
            50.0,
        ),
        (
            "=HYPERLINK(\"http://esempio.it\",\"clic\")",
            "-Pratiche evase",
            "",
            4.0,
            4.0,
            50.0,
        ),
        ("@Gestione archivio", "=1+1", "", 5.0, 5.0, 60.0),
        (
            "@Gestione archivio",
            "Qualità percepita",
            "manuale",
            0.0,
            0.0,
            40.0,
        ),
    ];
    for (r, (obj, ind, method, target, actual, weight)) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_string(r, 0, *obj).unwrap();
        ws.write_string(r, 1, *ind).unwrap();
        if !method.is_empty() {
            ws.write_string(r, 2, *method).unwrap();
            ws.write_number(r, 6, 80.0).unwrap();
            ws.write_string(r, 7, "Valutato dal Nucleo sulla base del questionario")
                .unwrap();
        } else {
            ws.write_number(r, 3, *target).unwrap();
            ws.write_number(r, 4, *actual).unwrap();
        }
        ws.write_number(r, 5, *weight).unwrap();
    }
    wb.save(&path).unwrap();
    path
}

#[test]
fn report_writes_verifies_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let input = cremona(dir.path());
    let before = std::fs::read(&input).unwrap();
    let out = dir.path().join("relazione.xlsx");
    let json = dir.path().join("relazione.json");

    let o = barometro(&["relazione", s(&input), "-o", s(&out), "--json", s(&json)]);
    let text = stdout(&o);
    // Cremona has errors in its data (V-B1), so the status is 1, and the report is written.
    assert_eq!(o.status.code(), Some(1), "{text}{}", stderr(&o));
    assert!(text.contains("Relazione scritta"), "{text}");
    assert!(text.contains("verificate con formualizer"), "{text}");
    assert!(text.contains("tutte uguali"), "{text}");
    // From the cells as they were written (the twins refer to cells only through their
    // placeholders).
    assert!(text.contains("celle scritte"), "{text}");
    assert!(out.exists() && json.exists());
    assert_eq!(
        std::fs::read(&input).unwrap(),
        before,
        "the input is never modified"
    );

    // An existing report is not replaced without --force, and nothing is left behind.
    let first = std::fs::read(&out).unwrap();
    let o = barometro(&["report", s(&input), "-o", s(&out)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("esiste già") && stderr(&o).contains("--force"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(&out).unwrap(), first);
    let o = barometro(&["report", s(&input), "-o", s(&out), "--force", "--no-verify"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).contains("non verificate"), "{}", stdout(&o));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // The input is never the output, even with --force.
    let o = barometro(&["report", s(&input), "-o", s(&input), "--force"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("file di input"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&input).unwrap(), before);
}

#[test]
fn json_has_the_check_shape_plus_scores_and_barometers() {
    let dir = tempfile::tempdir().unwrap();
    let input = cremona(dir.path());
    let out = dir.path().join("r.xlsx");
    let json = dir.path().join("r.json");
    barometro(&[
        "report",
        s(&input),
        "-o",
        s(&out),
        "--json",
        s(&json),
        "--no-verify",
    ]);
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(doc["ente"], "Comune di Cremona");
    assert_eq!(doc["score"].as_f64(), Some(92.5));
    assert_eq!(doc["barometer"], "Raggiunto");
    let line = &doc["areas"][0];
    assert!(line["score"].is_number() && line["barometer"].is_string());
    let objective = &line["areas"][0]["objectives"][0];
    assert_eq!(objective["score"].as_f64(), Some(100.0));
    let indicator = &objective["indicators"][0];
    assert_eq!(indicator["method"], "fatto_non_fatto");
    assert_eq!(indicator["score"].as_f64(), Some(100.0));
    assert_eq!(indicator["barometer"], "Raggiunto");
    assert!(
        indicator["target"]["source"].is_string(),
        "check's shape kept: {indicator}"
    );
    assert!(doc["findings"].as_array().is_some_and(|f| !f.is_empty()));
}

#[test]
fn input_text_is_never_a_formula_and_a_rule_without_twin_gets_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let input = hostile_texts(dir.path());
    let out = dir.path().join("r.xlsx");
    let o = barometro(&[
        "report",
        s(&input),
        "-o",
        s(&out),
        "--ente",
        "Comune di Prova",
    ]);
    assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
    assert!(stdout(&o).contains("tutte uguali"), "{}", stdout(&o));

    let mut wb: Xlsx<_> = calamine::open_workbook(&out).unwrap();
    let values = wb.worksheet_range("Indicatori").unwrap();
    let formulas = wb.worksheet_formula("Indicatori").unwrap();
    let mut seen = 0;
    for (r, row) in values.rows().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if let Data::String(t) = cell {
                if t.starts_with(['=', '+', '-', '@']) {
                    seen += 1;
                    let (r0, c0) = values.start().unwrap();
                    let at = (r0 + r as u32, c0 + c as u32);
                    let f = formulas.get_value(at).map(|f| f.as_str()).unwrap_or("");
                    assert!(f.is_empty(), "{t} became a formula: {f}");
                }
            }
        }
    }
    assert!(seen >= 5, "{seen}");

    // The manual score: its value, and a note that it is the rule's, not a formula.
    let file = std::fs::File::open(&out).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let names: Vec<String> = zip
        .file_names()
        .filter_map(|n| n.ok())
        .map(|n| n.into_owned())
        .collect();
    let comments = names
        .iter()
        .find(|n| n.starts_with("xl/comments"))
        .expect("a note in the report");
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(comments).unwrap(), &mut xml).unwrap();
    assert!(
        xml.contains("manuale") && xml.contains("formula gemella"),
        "{xml}"
    );
}

/// The default rules written by `init` into `dir/regole`, with the twin of the ratio method
/// replaced by `twin`.
fn rules_with_ratio_twin(dir: &Path, twin: &str) -> PathBuf {
    let rules = dir.join("regole");
    let o = barometro(&["init", s(&rules)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let file = rules.join("indicatori.rhai");
    let text = std::fs::read_to_string(&file).unwrap();
    let edited = text.replace("\"=MAX(0,MIN(100,{consuntivo}/{target}*100))\"", twin);
    assert_ne!(edited, text);
    std::fs::write(&file, edited).unwrap();
    rules
}

#[test]
fn a_wrong_twin_is_caught_and_named() {
    let dir = tempfile::tempdir().unwrap();
    // The rule says 100, its twin caps at 90: the twin is wrong for actuals above target.
    let rules = rules_with_ratio_twin(dir.path(), "\"=MAX(0,MIN(90,{consuntivo}/{target}*100))\"");
    let input = cremona(dir.path());
    let out = dir.path().join("r.xlsx");
    let o = barometro(&["report", s(&input), "-o", s(&out), "--regole", s(&rules)]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("'Indicatori'!") || err.contains("Indicatori!"),
        "{err}"
    );
    assert!(err.contains("indicatori.rhai"), "names the rule: {err}");
    assert!(
        stdout(&o).contains("diverse dai valori delle regole"),
        "{}",
        stdout(&o)
    );
    // The report is still written, with the differences listed in Anomalie.
    let mut wb: Xlsx<_> = calamine::open_workbook(&out).unwrap();
    let anomalie = wb.worksheet_range("Anomalie").unwrap();
    let listed = anomalie
        .rows()
        .filter(|r| r.iter().any(|c| *c == "formula-diversa-dalla-regola"))
        .count();
    assert!(listed > 0);
}

#[test]
fn a_twin_that_refers_to_cells_by_itself_is_verified_on_the_written_file() {
    let dir = tempfile::tempdir().unwrap();
    // The same value, plus 0 times a count of cells the template names itself (the title
    // rows of Indicatori, which the recorded cells do not hold).
    let rules = rules_with_ratio_twin(
        dir.path(),
        "\"=MAX(0,MIN(100,{consuntivo}/{target}*100))+0*COUNTA($A$1:$A$2)\"",
    );
    let input = cremona(dir.path());
    let out = dir.path().join("r.xlsx");
    let o = barometro(&["report", s(&input), "-o", s(&out), "--regole", s(&rules)]);
    let text = stdout(&o);
    // Cremona has errors in its data: status 1, but no formula differs.
    assert_eq!(o.status.code(), Some(1), "{text}{}", stderr(&o));
    assert!(text.contains("tutte uguali"), "{text}");
    assert!(text.contains("ricalcolate dal file scritto"), "{text}");
}
