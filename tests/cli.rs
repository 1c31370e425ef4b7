//! The `barometro check` command: exit statuses, Italian messages, JSON shape, and bad
//! input (not an XLSX, truncated, password-protected, .xls, .ods, missing, no header).

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::cli::{barometro, stderr, stdout};
use common::fixtures::*;

fn check(path: &Path) -> Output {
    barometro(&["check", path.to_str().expect("utf-8 path")])
}

fn cremona(dir: &Path) -> PathBuf {
    let p = dir.join("cremona.xlsx");
    write_cremona(&p).expect("fixture");
    p
}

/// Runs `check` and asserts exit status 2, no panic, and an Italian message naming the file.
fn assert_unreadable(path: &Path, expected: &str) {
    let before = std::fs::read(path).ok();
    let out = check(path);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.starts_with("errore: "), "{err}");
    assert!(err.contains(expected), "expected «{expected}» in: {err}");
    let name = path.file_name().unwrap().to_string_lossy();
    assert!(err.contains(&*name), "the message names the file: {err}");
    assert!(!err.contains("panicked"), "{err}");
    // The input is never modified.
    assert_eq!(std::fs::read(path).ok(), before);
}

#[test]
fn clean_workbook_exits_0_and_prints_an_italian_summary() {
    let dir = tempfile::tempdir().unwrap();
    let path = cremona(dir.path());
    let before = std::fs::read(&path).unwrap();
    // Reading only: Cremona reads cleanly (the rules' checks find errors, see cli_rules.rs).
    let out = barometro(&["check", "--solo-lettura", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Ente: Comune di Cremona"), "{text}");
    assert!(
        text.contains("Letti: 10 aree, 82 obiettivi (1 neutralizzato), 140 indicatori"),
        "{text}"
    );
    assert!(text.contains("Linea strategica «LINEA STRATEGICA SULLE OPERE PUBBLICHE»: 3 obiettivi, 6 indicatori (1 neutralizzato)"), "{text}");
    assert!(text.contains("Nessuna segnalazione."), "{text}");
    assert_eq!(std::fs::read(&path).unwrap(), before, "input unchanged");
}

#[test]
fn data_errors_exit_1_and_name_the_cell() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("portomaggiore.xlsx");
    write_portomaggiore(&path).unwrap();
    let out = check(&path);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.contains("31.04.2024"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.trim_start().starts_with("errore"), "{line}");
    assert!(line.contains("STAFF!"), "{line}");
    assert!(line.contains("aprile ha 30 giorni"), "{line}");
    assert!(line.ends_with("[data-inesistente]"), "{line}");
    assert!(
        text.contains("Settore «STAFF DEL SEGRETARIO GENERALE (STAFF)»: 6 obiettivi"),
        "{text}"
    );
    assert!(text.contains("totale 24 100%"), "{text}");
}

#[test]
fn json_has_the_stable_shape() {
    let dir = tempfile::tempdir().unwrap();
    let path = cremona(dir.path());
    let out = barometro(&["check", "--json", "--solo-lettura", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(v["ente"], "Comune di Cremona");
    let areas = v["areas"].as_array().unwrap();
    assert_eq!(areas.len(), 10);
    let line = &areas[2];
    assert_eq!(line["name"], "LINEA STRATEGICA SULLE OPERE PUBBLICHE");
    let sectors = line["areas"].as_array().unwrap();
    let objectives: Vec<&serde_json::Value> = sectors
        .iter()
        .flat_map(|s| s["objectives"].as_array().unwrap())
        .collect();
    assert_eq!(objectives.len(), 3);
    for o in &objectives {
        for key in [
            "code",
            "title",
            "weight",
            "neutralised",
            "indicators",
            "activities",
        ] {
            assert!(o.get(key).is_some(), "objective has {key}");
        }
        for i in o["indicators"].as_array().unwrap() {
            for key in [
                "name", "target", "actual", "weight", "polarity", "method", "source",
            ] {
                assert!(i.get(key).is_some(), "indicator has {key}");
            }
            assert!(i["source"]
                .as_str()
                .unwrap()
                .starts_with("'Opere pubbliche'!"));
            assert!(i["target"]["raw"].is_string());
            assert!(i["target"]["source"].as_str().unwrap().contains("!G"));
        }
    }
    assert_eq!(
        objectives
            .iter()
            .filter(|o| o["neutralised"] == true)
            .count(),
        1
    );
    assert!(v["findings"].as_array().unwrap().is_empty());
    // Findings have severity, message, source, rule.
    let p = dir.path().join("portomaggiore.xlsx");
    write_portomaggiore(&p).unwrap();
    let out = barometro(&["check", "--json", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &v["findings"][0];
    assert_eq!(f["severity"], "errore");
    assert_eq!(f["rule"], "data-inesistente");
    assert!(f["source"].as_str().unwrap().starts_with("STAFF!"));
    assert!(f["message"].as_str().unwrap().contains("31.04.2024"));
}

#[test]
fn missing_file() {
    let dir = tempfile::tempdir().unwrap();
    assert_unreadable(&dir.path().join("non-esiste.xlsx"), "file non trovato");
}

#[test]
fn not_an_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("obiettivi.xlsx");
    std::fs::write(&p, "Settore;Obiettivo;Target\nFinanze;Bilancio;1\n").unwrap();
    assert_unreadable(&p, "non è una cartella di lavoro Excel");
    let p = dir.path().join("vuoto.xlsx");
    std::fs::write(&p, "").unwrap();
    assert_unreadable(&p, "il file è vuoto");
}

#[test]
fn truncated_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::read(cremona(dir.path())).unwrap();
    let p = dir.path().join("troncato.xlsx");
    std::fs::write(&p, &full[..full.len() / 2]).unwrap();
    assert_unreadable(&p, "danneggiato o incompleto");
}

#[test]
fn password_protected() {
    // Encrypted with msoffcrypto-tool (password "segreta"): an OLE container holding an
    // EncryptedPackage stream.
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/protetto.xlsx");
    assert_unreadable(&p, "protetto da password");
}

#[test]
fn xls_and_ods() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("vecchio.xls");
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.resize(4096, 0);
    std::fs::write(&p, &bytes).unwrap();
    assert_unreadable(&p, "Excel 97-2003 (.xls)");
    let p = dir.path().join("calc.ods");
    let mut bytes = b"PK\x03\x04".to_vec();
    bytes.resize(30, 0);
    bytes.extend_from_slice(b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet");
    bytes.resize(512, 0);
    std::fs::write(&p, &bytes).unwrap();
    assert_unreadable(&p, "OpenDocument (.ods)");
}

#[test]
fn no_recognisable_header() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("spesa.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("Spesa").unwrap();
    ws.write(0, 0, "Capitolo").unwrap();
    ws.write(0, 1, "Importo").unwrap();
    ws.write(1, 0, "1010").unwrap();
    ws.write(1, 1, 1200.5).unwrap();
    wb.save(&p).unwrap();
    assert_unreadable(
        &p,
        "nessun foglio ha un'intestazione riconoscibile (fogli esaminati: Spesa)",
    );
}

#[test]
fn usage_errors_are_italian_and_exit_2() {
    let out = barometro(&["controlla", "x.xlsx"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("comando sconosciuto"),
        "{}",
        stderr(&out)
    );
    let out = barometro(&["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("manca un argomento obbligatorio"),
        "{}",
        stderr(&out)
    );
    let out = barometro(&["check", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = stdout(&out);
    assert!(help.contains("Uso:"), "{help}");
    assert!(help.contains("--mappa"), "{help}");
}

#[test]
fn verifica_is_an_alias_of_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = cremona(dir.path());
    let out = barometro(&["verifica", "--solo-lettura", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let out = barometro(&["verifica", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "the rules' checks find errors");
}

#[test]
fn mapping_file_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("ufficio.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("Obiettivi").unwrap();
    for (c, h) in [
        "Settore",
        "Obiettivo",
        "Indicatore",
        "Previsione 2024",
        "Esito al 31/12",
    ]
    .iter()
    .enumerate()
    {
        ws.write(0, c as u16, *h).unwrap();
    }
    for (c, v) in ["Finanze", "Bilancio", "Approvazione", "1", "31.04.2024"]
        .iter()
        .enumerate()
    {
        ws.write(1, c as u16, *v).unwrap();
    }
    wb.save(&p).unwrap();
    // Unknown headers: read as extra columns, nothing to check when reading…
    let out = barometro(&["check", "--solo-lettura", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // … while the rules need a target.
    let out = check(&p);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("Obiettivi!C2  Target mancante"),
        "{}",
        stdout(&out)
    );
    // Mapped: the actual is read as a value, and its impossible date is an error.
    let map = dir.path().join("mappa.toml");
    std::fs::write(
        &map,
        "[colonne]\n\"Previsione 2024\" = \"target\"\n\"Esito al 31/12\" = \"consuntivo\"\n",
    )
    .unwrap();
    let out = barometro(&[
        "check",
        p.to_str().unwrap(),
        "--mappa",
        map.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("Obiettivi!E2"), "{}", stdout(&out));
    // A broken mapping is unreadable input, with the line.
    std::fs::write(&map, "[colonne]\n\"Esito al 31/12\" = \"risultatone\"\n").unwrap();
    let out = barometro(&[
        "check",
        p.to_str().unwrap(),
        "--mappa",
        map.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("riga 2: ruolo «risultatone» sconosciuto"),
        "{}",
        stderr(&out)
    );
}
