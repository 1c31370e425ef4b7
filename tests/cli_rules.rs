//! The rules from the command line: `check` with the rules' checks, `valuta`, `spiega`,
//! `init`, `--regole`, `--al`, and a rule file edited with no rebuild.

mod common;

use std::path::{Path, PathBuf};

use common::cli::{barometro, s, stderr, stdout};
use common::fixtures::*;

fn cremona(dir: &Path) -> PathBuf {
    let p = dir.join("cremona.xlsx");
    write_cremona(&p).expect("fixture");
    p
}

#[test]
fn check_applies_the_rules_checks() {
    let dir = tempfile::tempdir().unwrap();
    let path = cremona(dir.path());
    let out = barometro(&["check", s(&path)]);
    // Objectives 3 and 12 have indicator weights summing to 93 and 86: errors in a
    // reporting year (analysis 003_004, V-B1).
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    let weights: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("I pesi degli indicatori sommano a"))
        .collect();
    assert_eq!(weights.len(), 2, "{text}");
    assert!(
        weights[0].trim_start().starts_with("errore"),
        "{}",
        weights[0]
    );
    assert!(weights[0].contains("Ambiente!B11") && weights[0].contains("93"));
    assert!(
        weights[0].ends_with("[controlli.rhai:107]") || weights[0].contains("[controlli.rhai:")
    );
    assert!(weights[1].contains("86"));
    // The five Scostamento anomalies of V-B2.
    assert_eq!(text.matches("Scostamento ").count(), 5, "{text}");
}

#[test]
fn valuta_prints_banners_and_bands() {
    let dir = tempfile::tempdir().unwrap();
    let path = cremona(dir.path());
    let out = barometro(&["valuta", s(&path)]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("Regole: predefinite"), "{text}");
    assert!(
        text.contains(
            "Linea strategica «LINEA STRATEGICA SULLE OPERE PUBBLICHE»: 92,30% — Raggiunto"
        ),
        "{text}"
    );
    assert!(text.contains("Linea strategica «LINEA STRATEGICA SULLO SVILUPPO DELLA COMUNITA'»: 79,23% — Parzialmente raggiunto"), "{text}");
    assert!(text.contains(": neutralizzato"), "{text}");
    // `score` is an alias; JSON has the outcome tree and every finding.
    let out = barometro(&["score", "--json", s(&path)]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(v["rules"], "predefinite");
    assert_eq!(v["areas"].as_array().unwrap().len(), 10);
    assert_eq!(v["areas"][2]["score"]["value"], 92.3);
    assert_eq!(v["bands"]["bands"][0]["label"], "Raggiunto");
    let first = &v["areas"][0]["areas"][0]["objectives"][0]["indicators"][0];
    assert_eq!(first["method"], "fatto_non_fatto");
    assert_eq!(
        first["score"]["twin"]["template"],
        "=IF({consuntivo}>=1,100,0)"
    );
    assert!(v["findings"].as_array().unwrap().len() > 5);
}

#[test]
fn spiega_shows_inputs_cells_rules_and_twins() {
    let dir = tempfile::tempdir().unwrap();
    let path = cremona(dir.path());
    let out = barometro(&["spiega", s(&path), "--obiettivo", "Agenda2030"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    for needle in [
        "Obiettivo Agenda2030",
        "metodo: rapporto",
        "target = «60» (Ambiente!G12)",
        "consuntivo = «100» (Ambiente!H12)",
        "regola `rapporto` in indicatori.rhai, riga",
        "formula Excel: =MAX(0,MIN(100,{consuntivo}/{target}*100))",
        "dai punteggi [100; 100] con i pesi [50; 43]",
        "regola `obiettivo` in aggregazione.rhai",
        "I pesi degli indicatori sommano a 93",
    ] {
        assert!(text.contains(needle), "missing «{needle}» in\n{text}");
    }
    // `explain` / `--objective` are aliases; an ambiguous query lists the candidates.
    let out = barometro(&["explain", s(&path), "--objective", "PNRR"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("obiettivi corrispondono a «PNRR»"));
    let out = barometro(&["spiega", s(&path), "--obiettivo", "nessuno così"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nessun obiettivo"));
}

#[test]
fn init_writes_the_rules_and_an_edited_copy_changes_the_result() {
    let dir = tempfile::tempdir().unwrap();
    let path = cremona(dir.path());
    let rules = dir.path().join("mie-regole");
    let out = barometro(&["init", s(&rules)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for f in [
        "indicatori.rhai",
        "aggregazione.rhai",
        "barometro.rhai",
        "controlli.rhai",
        "atteso.rhai",
        "LEGGIMI.md",
    ] {
        assert!(rules.join(f).is_file(), "{f}");
    }
    // Refuses to overwrite; `nuovo` is an alias.
    let out = barometro(&["nuovo", s(&rules)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("esiste già"));

    let line = "Linea strategica «LINEA STRATEGICA SU SMART CITY E PA EFFICIENTE»";
    let before = stdout(&barometro(&["valuta", s(&path), "--regole", s(&rules)]));
    assert!(
        before.contains(&format!("{line}: 88,89% — Parzialmente raggiunto")),
        "{before}"
    );

    // The evaluator truncates instead of rounding, and moves the top band to 85.
    let agg = rules.join("aggregazione.rhai");
    let text = std::fs::read_to_string(&agg).unwrap();
    let text = text.replace(
        "round(media_obiettivi(a.punteggi_tutti, a.pesi_tutti), 2)",
        "rounddown(media_obiettivi(a.punteggi_tutti, a.pesi_tutti), 2)",
    );
    std::fs::write(&agg, text).unwrap();
    let bands = rules.join("barometro.rhai");
    let text = std::fs::read_to_string(&bands)
        .unwrap()
        .replace("da: 90,", "da: 85,");
    std::fs::write(&bands, text).unwrap();
    let after = stdout(&barometro(&["valuta", s(&path), "--regole", s(&rules)]));
    assert!(
        after.contains(&format!("{line}: 88,88% — Raggiunto")),
        "{after}"
    );

    // A different cap: ratio capped at 120 instead of 100 changes an over-target indicator.
    let ind = rules.join("indicatori.rhai");
    let text = std::fs::read_to_string(&ind).unwrap().replace(
        "max(0, min(100, c / t * 100))\n}\nfn rapporto_excel",
        "max(0, min(120, c / t * 100))\n}\nfn rapporto_excel",
    );
    std::fs::write(&ind, text).unwrap();
    let out = barometro(&[
        "spiega",
        s(&path),
        "--obiettivo",
        "Agenda2030",
        "--regole",
        s(&rules),
    ]);
    assert!(
        stdout(&out).contains("dai punteggi [120; 120]"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_broken_rule_file_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = cremona(dir.path());
    let rules = dir.path().join("regole");
    assert_eq!(barometro(&["init", s(&rules)]).status.code(), Some(0));
    let agg = rules.join("barometro.rhai");
    let text = std::fs::read_to_string(&agg).unwrap();
    std::fs::write(
        &agg,
        text.replace("fn fasce() {", "fn fasce() {\n    let x = ;"),
    )
    .unwrap();
    let out = barometro(&["check", s(&path), "--regole", s(&rules)]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.starts_with("errore: nelle regole: barometro.rhai, riga "),
        "{err}"
    );
    assert!(err.contains("colonna"), "{err}");
    // A folder that does not exist and is not a built-in set.
    let out = barometro(&["valuta", s(&path), "--regole", "non-esiste"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("predefinite, somma-pesata"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn monitoring_date_and_built_in_sets_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = cremona(dir.path());
    let out = barometro(&[
        "valuta",
        s(&path),
        "--regole",
        "somma-pesata",
        "--al",
        "31/07/2024",
    ]);
    let text = stdout(&out);
    assert!(
        text.contains("Regole: somma-pesata; data di monitoraggio 31/07/2024"),
        "{text}"
    );
    let out = barometro(&["valuta", s(&path), "--at", "2024-13-01"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("data non valida"), "{}", stderr(&out));
}
