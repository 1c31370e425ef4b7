//! `barometro init` also writes `obiettivi.xlsx`, a ready-to-fill input workbook: `check` reads
//! its example objective with no errors, `valuta` scores it, and its sheet carries the data
//! validations (Polarità and the rule set's methods as dropdowns, Peso 0–100, Scadenza a date).

mod common;

use std::io::Read as _;
use std::path::Path;
use std::process::Output;

use barometro::input_workbook::{FILE_NAME, POLARITY_WORDS};
use barometro::read::parse_polarity;
use barometro::rules::RuleSet;
use calamine::{Data, Reader, Xlsx};
use common::cli::{barometro, s};

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned() + &*String::from_utf8_lossy(&o.stderr)
}

fn zip_entry(path: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut out = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut out).unwrap();
    out
}

#[test]
fn the_written_workbook_is_read_and_scored() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("regole");
    let out = barometro(&["init", s(&rules)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let workbook = rules.join(FILE_NAME);
    assert!(text(&out).contains(&format!(
        "Cartella di lavoro da compilare: {}",
        workbook.display()
    )));

    let out = barometro(&["check", s(&workbook), "--regole", s(&rules)]);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert!(
        report.contains("Letti: 1 area, 1 obiettivo, 2 indicatori"),
        "{report}"
    );
    assert!(report.contains("Area «Servizi demografici»"), "{report}");
    assert!(report.contains("0 errori, 0 avvisi"), "{report}");

    // The example's figures, from the cells of the workbook: one "more is better" ratio and
    // one "less is better" indicator, weighted by their Peso.
    let mut wb: Xlsx<_> = calamine::open_workbook(&workbook).unwrap();
    assert_eq!(wb.sheet_names(), vec!["Istruzioni", "Obiettivi"]);
    let sheet = wb.worksheet_range("Obiettivi").unwrap();
    let header: Vec<String> = (0..13)
        .map(|c| sheet.get_value((0, c)).unwrap().to_string())
        .collect();
    assert_eq!(
        header,
        [
            "Area",
            "Codice",
            "Obiettivo",
            "Indicatore",
            "Formula",
            "Polarità",
            "Metodo",
            "Baseline",
            "Target",
            "Consuntivo",
            "Peso",
            "Scadenza",
            "Note"
        ]
    );
    let n = |r: u32, c: u32| match sheet.get_value((r, c)) {
        Some(Data::Float(f)) => *f,
        other => panic!("a number in row {r}, column {c}: {other:?}"),
    };
    let col = |name: &str| header.iter().position(|h| h == name).unwrap() as u32;
    let (t, a, w) = (col("Target"), col("Consuntivo"), col("Peso"));
    assert_eq!(
        sheet.get_value((1, col("Metodo"))).unwrap().to_string(),
        "rapporto"
    );
    assert_eq!(
        sheet.get_value((2, col("Metodo"))).unwrap().to_string(),
        "minore_migliore"
    );
    let ratio = (n(1, a) / n(1, t) * 100.0).min(100.0);
    let lower = if n(2, a) <= n(2, t) {
        100.0
    } else {
        n(2, t) / n(2, a) * 100.0
    };
    let objective = (n(1, w) * ratio + n(2, w) * lower) / (n(1, w) + n(2, w));
    let expected = format!("{:.2}%", objective).replace('.', ",");
    assert_eq!(expected, "87,33%");

    let out = barometro(&["valuta", s(&workbook), "--regole", s(&rules)]);
    let scores = text(&out);
    assert_eq!(out.status.code(), Some(0), "{scores}");
    assert!(
        scores.contains(&format!(
            "Raggiungimento dell'ente: {expected} — Parzialmente raggiunto"
        )),
        "{scores}"
    );
    assert!(
        scores.contains(&format!(
            "OB.1 Digitalizzazione dei servizi anagrafici: {expected}"
        )),
        "{scores}"
    );

    // A second init into the same folder is refused and leaves the workbook as it was.
    let before = std::fs::read(&workbook).unwrap();
    let out = barometro(&["init", s(&rules)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("esiste già"), "{}", text(&out));
    assert_eq!(std::fs::read(&workbook).unwrap(), before);
}

#[test]
fn validations_and_method_list_come_from_the_rules() {
    let dir = tempfile::tempdir().unwrap();
    let rules_dir = dir.path().join("regole");
    let out = barometro(&["init", s(&rules_dir), "--da", "somma-pesata"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let sheet = zip_entry(&rules_dir.join(FILE_NAME), "xl/worksheets/sheet2.xml");
    assert!(sheet.contains(r#"<dataValidations count="4">"#), "{sheet}");

    // Metodo: exactly the methods the rule set lists in metodi(), in that order.
    let rules = RuleSet::builtin("somma-pesata").unwrap().unwrap();
    assert!(rules.methods().len() >= 5);
    let methods = format!(
        r#"sqref="G2:G501"><formula1>"{}"</formula1>"#,
        rules.methods().join(",")
    );
    assert!(sheet.contains(&methods), "{sheet}");
    // The loaded copy the user will edit lists the same.
    assert_eq!(
        RuleSet::load_dir(&rules_dir).unwrap().methods(),
        rules.methods()
    );

    // Polarità: words the reader understands.
    assert!(POLARITY_WORDS.iter().all(|w| parse_polarity(w).is_some()));
    let polarity = format!(
        r#"sqref="F2:F501"><formula1>"{}"</formula1>"#,
        POLARITY_WORDS.join(",")
    );
    assert!(sheet.contains(&polarity), "{sheet}");

    // Peso 0–100, Scadenza a date, with Italian messages.
    assert!(
        sheet.contains(r#"type="decimal""#)
            && sheet.contains(r#"sqref="K2:K501"><formula1>0</formula1><formula2>100</formula2>"#)
    );
    assert!(sheet.contains(r#"type="date""#) && sheet.contains(r#"sqref="L2:L501""#));
    assert!(sheet.contains(r#"errorTitle="Peso non valido""#));
    assert!(sheet.contains(r#"promptTitle="Scadenza""#));
    // The header is frozen.
    assert!(sheet.contains(r#"state="frozen""#));

    let instructions = zip_entry(&rules_dir.join(FILE_NAME), "xl/sharedStrings.xml");
    assert!(instructions.contains(&format!(
        "barometro check {}/{FILE_NAME} --regole {}",
        rules_dir.display(),
        rules_dir.display()
    )));
}

#[test]
fn init_writes_the_report_templates_for_the_office_to_change() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("regole");
    let out = barometro(&["init", s(&rules)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let toml = rules.join("modelli/predefinito/modello.toml");
    assert_eq!(
        std::fs::read_to_string(&toml).unwrap(),
        barometro::report::DEFAULT_TEMPLATE_TOML
    );
    assert_eq!(
        std::fs::read(rules.join("modelli/cremona.xlsx")).unwrap(),
        barometro::report::CREMONA_TEMPLATE
    );
    // The office changes a label and the order of two columns, then reports its workbook.
    let edited = std::fs::read_to_string(&toml)
        .unwrap()
        .replace(
            "\"baseline\", \"target\", \"consuntivo\"",
            "\"baseline\", \"consuntivo\", \"target\"",
        )
        .replace(
            "[fogli.indicatori]\n",
            "[fogli.indicatori.etichette]\nconsuntivo = \"Valore raggiunto\"\n[fogli.indicatori]\n",
        );
    std::fs::write(&toml, edited).unwrap();
    let report = dir.path().join("relazione.xlsx");
    let out = barometro(&[
        "report",
        s(&rules.join(FILE_NAME)),
        "-o",
        s(&report),
        "--regole",
        s(&rules),
        "--modello",
        s(&toml),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let mut wb: Xlsx<_> = calamine::open_workbook(&report).unwrap();
    let ind = wb.worksheet_range("Indicatori").unwrap();
    let header: Vec<String> = (0..12)
        .map(|c| {
            ind.get_value((2, c))
                .map_or_else(String::new, |d| d.to_string())
        })
        .collect();
    let consuntivo = header.iter().position(|h| h == "Valore raggiunto");
    let target = header.iter().position(|h| h == "Target");
    assert!(
        consuntivo.is_some() && consuntivo < target,
        "the actual before the target: {header:?}"
    );
}
