//! The command line on card layouts: `--layout`, `--anno`, and `report` on cards.

mod common;

use std::path::Path;

use common::casalgrande::write_casalgrande;
use common::cli::barometro;
use common::terre_cards::write_terre_s1_cards;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn check_prints_the_declared_counts_of_card_sections() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("casalgrande.xlsx");
    write_casalgrande(&input).unwrap();
    let out = barometro(&["check", "--solo-lettura", path_str(&input)]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(stdout.contains("Letti: 9 aree, 35 obiettivi"), "{stdout}");
    assert!(
        stdout.contains(
            "Settore «SETTORE FINANZIARIO»: 4 obiettivi, 4 indicatori; obiettivi dichiarati 4"
        ),
        "{stdout}"
    );
}

#[test]
fn an_unknown_layout_is_a_usage_error_in_italian() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("casalgrande.xlsx");
    write_casalgrande(&input).unwrap();
    let out = barometro(&["check", "--layout", "righe", path_str(&input)]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("--layout «righe» sconosciuto"), "{err}");
}

#[test]
fn anno_chooses_the_year_that_is_scored() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("casalgrande.xlsx");
    write_casalgrande(&input).unwrap();
    let json = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["check", "--json", "--solo-lettura"];
        args.extend_from_slice(extra);
        args.push(path_str(&input));
        let out = barometro(&args);
        serde_json::from_slice(&out.stdout).expect("JSON")
    };
    assert_eq!(json(&[])["reporting_year"], 2023);
    assert_eq!(json(&["--anno", "2024"])["reporting_year"], 2024);
}

#[test]
fn report_on_cards_verifies_and_has_an_activities_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("terre.xlsx");
    write_terre_s1_cards(&input).unwrap();
    let before = std::fs::read(&input).unwrap();
    let output = dir.path().join("relazione.xlsx");
    let out = barometro(&[
        "report",
        path_str(&input),
        "--regole",
        "somma-pesata",
        "--al",
        "31/07/2024",
        "-o",
        path_str(&output),
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout,
        text(&out.stderr)
    );
    assert!(output.exists());
    let wb: calamine::Xlsx<_> = calamine::open_workbook(&output).unwrap();
    use calamine::Reader;
    assert!(wb
        .sheet_names()
        .iter()
        .any(|s| s == barometro::report::ATTIVITA));
    assert_eq!(
        std::fs::read(&input).unwrap(),
        before,
        "the input is never modified"
    );
}
