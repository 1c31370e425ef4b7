//! `barometro batch` (alias `lotto`): a folder of workbooks becomes one report each plus
//! `consolidato.xlsx`; a broken file fails alone, with its reason; the consolidated figures are
//! the ones `valuta` prints for each file.

mod common;
#[allow(dead_code)] // the benchmarks' generator: only the workbook writer is used here
#[path = "../benches/synth/mod.rs"]
mod synth;

use std::path::{Path, PathBuf};

use barometro::rules::RuleSet;
use calamine::{open_workbook, Data, Range, Reader, Xlsx};
use common::cli::{barometro, s, stderr, stdout};
use common::fixtures::{write_cremona, write_portomaggiore};

/// The *Riepilogo* or *Aree* sheet of a consolidated workbook.
fn sheet(path: &Path, name: &str) -> Range<Data> {
    let mut wb: Xlsx<_> = open_workbook(path).expect("consolidato.xlsx opens");
    wb.worksheet_range(name).expect("sheet present")
}

fn text(range: &Range<Data>, row: u32, col: u32) -> String {
    range
        .get_value((row, col))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

fn number(range: &Range<Data>, row: u32, col: u32) -> Option<f64> {
    match range.get_value((row, col)) {
        Some(Data::Float(f)) => Some(*f),
        Some(Data::Int(i)) => Some(*i as f64),
        _ => None,
    }
}

/// Data rows of *Riepilogo*: from the row under the header down to the `Totale` row.
fn riepilogo_rows(range: &Range<Data>) -> Vec<u32> {
    let header = (0..range.height() as u32)
        .find(|&r| text(range, r, 0) == "File")
        .expect("header row");
    ((header + 1)..range.height() as u32)
        .take_while(|&r| !text(range, r, 0).starts_with("Totale"))
        .collect()
}

fn row_of(range: &Range<Data>, rows: &[u32], file: &str) -> u32 {
    *rows
        .iter()
        .find(|&&r| text(range, r, 0) == file)
        .unwrap_or_else(|| panic!("{file} not in Riepilogo"))
}

/// The ente's achievement as `valuta --json` prints it (`None`: not evaluable).
fn valuta_score(input: &Path) -> Option<f64> {
    let o = barometro(&["valuta", "--json", s(input)]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valuta prints JSON");
    assert!(json["score"].is_object(), "{}", stdout(&o));
    json["score"]["value"].as_f64()
}

#[test]
fn two_hundred_workbooks_one_broken() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("enti");
    std::fs::create_dir(&input).unwrap();
    let mut good: Vec<PathBuf> = Vec::new();
    for i in 0..199u64 {
        // 1 to 12 indicators: one to ten areas, objectives of 1-6 indicators, numbers and
        // Italian texts (`3.800`, `>= 6`, `almeno 2`, `40%`) as targets and actuals.
        let indicators = 1 + (i as usize * 7) % 12;
        let path = input.join(format!("comune-{i:03}.xlsx"));
        synth::write_table_workbook(&path, indicators, 1000 + i).unwrap();
        good.push(path);
    }
    // A truncated zip among them.
    let whole = std::fs::read(&good[0]).unwrap();
    std::fs::write(
        input.join("comune-100-rotto.xlsx"),
        &whole[..whole.len() / 2],
    )
    .unwrap();
    let out = dir.path().join("relazioni");
    // Without the recalculation, to keep the test fast in a debug build: the verification of
    // reports and consolidated workbook is proven on the real documents below.
    let o = barometro(&["lotto", s(&input), "-o", s(&out), "--no-verify", "-j", "2"]);
    let table = stdout(&o);
    assert_eq!(o.status.code(), Some(2), "{table}{}", stderr(&o));
    assert!(table.contains("Relazioni scritte: 199"), "{table}");
    assert!(table.contains("Non riusciti: 1"), "{table}");
    assert!(
        table.contains("comune-100-rotto.xlsx: «") && table.contains("è danneggiato o incompleto"),
        "{table}"
    );
    assert!(table.contains("Totale: 200 file, 199 relazioni scritte, 1 non riuscito"));
    assert!(
        table.contains("file al secondo (2 processi in parallelo)"),
        "{table}"
    );
    // Without a terminal, one plain line per file on standard error.
    let progress = stderr(&o);
    assert_eq!(progress.lines().filter(|l| l.starts_with('[')).count(), 200);
    assert!(progress.contains("/200] comune-100-rotto.xlsx: errore — «"));

    // 199 reports, each a workbook with the report's sheets.
    let reports: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| s(p).ends_with("-relazione.xlsx"))
        .collect();
    assert_eq!(reports.len(), 199);
    for report in &reports {
        let wb: Xlsx<_> = open_workbook(report).expect("report opens");
        assert!(
            wb.sheet_names().iter().any(|n| n == "Sintesi"),
            "{report:?}"
        );
    }
    assert!(!out.join("comune-100-rotto-relazione.xlsx").exists());

    let riepilogo = sheet(&out.join("consolidato.xlsx"), "Riepilogo");
    let rows = riepilogo_rows(&riepilogo);
    assert_eq!(rows.len(), 200);
    let esiti: Vec<String> = rows.iter().map(|&r| text(&riepilogo, r, 2)).collect();
    assert_eq!(esiti.iter().filter(|e| *e == "OK").count(), 199);
    let broken = row_of(&riepilogo, &rows, "comune-100-rotto.xlsx");
    assert_eq!(text(&riepilogo, broken, 2), "errore");
    let reason = text(&riepilogo, broken, 3);
    assert!(
        reason.contains("comune-100-rotto.xlsx") && reason.contains("danneggiato"),
        "{reason}"
    );

    // One file's figures are valuta's.
    let probe = &good[57];
    let row = row_of(&riepilogo, &rows, "comune-057.xlsx");
    let score = number(&riepilogo, row, 7).expect("score");
    assert!(
        (score - valuta_score(probe).unwrap()).abs() < 1e-9,
        "{score}"
    );
    assert_eq!(number(&riepilogo, row, 6), Some((1 + (57 * 7) % 12) as f64));
    assert_eq!(
        text(&riepilogo, row, 11),
        "comune-057-relazione.xlsx",
        "link to the report"
    );

    // The total row: files OK, the sum of indicators, the mean of the scores.
    let total = rows.last().unwrap() + 1;
    assert_eq!(number(&riepilogo, total, 2), Some(199.0));
    let indicators: usize = (0..199).map(|i| 1 + (i * 7) % 12).sum();
    assert_eq!(number(&riepilogo, total, 6), Some(indicators as f64));
    let scores: Vec<f64> = rows
        .iter()
        .filter_map(|&r| number(&riepilogo, r, 7))
        .collect();
    let mean = scores.iter().sum::<f64>() / scores.len() as f64;
    assert!((number(&riepilogo, total, 7).unwrap() - mean).abs() < 1e-9);

    // Aree: one row per file and area (synthetic files have one sheet per area, at most 10).
    let aree = sheet(&out.join("consolidato.xlsx"), "Aree");
    let area_rows = (4..aree.height() as u32)
        .filter(|&r| !text(&aree, r, 0).is_empty())
        .count();
    let expected: usize = (0..199).map(|i| (1 + (i * 7) % 12).min(10)).sum();
    assert_eq!(area_rows, expected);
}

#[test]
fn real_documents_in_the_consolidated_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("enti");
    std::fs::create_dir(&input).unwrap();
    let cremona = input.join("cremona.xlsx");
    let portomaggiore = input.join("portomaggiore.xlsx");
    write_cremona(&cremona).unwrap();
    write_portomaggiore(&portomaggiore).unwrap();
    // Neither a lock file, a hidden file, nor anything but a workbook is reported.
    std::fs::write(input.join("~$cremona.xlsx"), b"lock").unwrap();
    std::fs::write(input.join(".nascosto.xlsx"), b"hidden").unwrap();
    std::fs::write(input.join("note.txt"), b"note").unwrap();
    // The output folder inside the input folder is not read back.
    let out = input.join("relazioni");

    let o = barometro(&["batch", s(&input), "-o", s(&out), "--ricorsivo"]);
    let table = stdout(&o);
    // Both documents have errors in their data (Cremona's weights, Portomaggiore's 31.04.2024).
    assert_eq!(o.status.code(), Some(1), "{table}{}", stderr(&o));
    assert!(
        table
            .contains("Totale: 2 file, 2 relazioni scritte, 0 non riusciti, 2 con errori nei dati"),
        "{table}"
    );
    assert!(
        table.contains("tutte uguali ai valori di barometro"),
        "{table}"
    );
    assert!(out.join("cremona-relazione.xlsx").exists());
    assert!(out.join("portomaggiore-relazione.xlsx").exists());

    let consolidated = out.join("consolidato.xlsx");
    // LibreOffice, recalculating on load, agrees with every cached total and label.
    if common::libreoffice::soffice_or_skip("consolidated workbook").is_some() {
        let cmp = common::libreoffice::recalculate_and_compare(&consolidated, "it-IT").unwrap();
        assert!(cmp.checked > 10, "{cmp}");
        assert!(cmp.is_ok(), "{cmp}");
    }
    let riepilogo = sheet(&consolidated, "Riepilogo");
    let rows = riepilogo_rows(&riepilogo);
    assert_eq!(rows.len(), 2);
    let c = row_of(&riepilogo, &rows, "cremona.xlsx");
    assert_eq!(text(&riepilogo, c, 1), "Comune di Cremona");
    assert_eq!(text(&riepilogo, c, 2), "OK");
    // 10 lines, 82 objectives, 140 indicators; 92,50% Raggiunto; 2 errors, 14 warnings.
    let figures: Vec<Option<f64>> = [4, 5, 6, 9, 10]
        .iter()
        .map(|&col| number(&riepilogo, c, col))
        .collect();
    assert_eq!(
        figures,
        [Some(10.0), Some(82.0), Some(140.0), Some(2.0), Some(14.0)]
    );
    let cremona_score = number(&riepilogo, c, 7).unwrap();
    assert!((cremona_score - 92.5).abs() < 0.005, "{cremona_score}");
    assert_eq!(Some(cremona_score), valuta_score(&cremona));
    assert_eq!(text(&riepilogo, c, 8), "Raggiunto");

    let p = row_of(&riepilogo, &rows, "portomaggiore.xlsx");
    assert_eq!(text(&riepilogo, p, 2), "OK");
    // A plan: no actual values yet, so no achievement, the no-score band and the reason.
    assert_eq!(number(&riepilogo, p, 7), None);
    assert_eq!(valuta_score(&portomaggiore), None);
    let no_score = RuleSet::default_set()
        .unwrap()
        .bands()
        .no_score
        .label
        .clone();
    assert_eq!(text(&riepilogo, p, 8), no_score);
    assert!(!text(&riepilogo, p, 3).is_empty(), "the reason why");
    // 4 sectors, 62 objectives, 60 indicators; 6 errors (the impossible date 31.04.2024, a
    // missing target, stated totals of priorities and weights) and 144 warnings, as `report`
    // prints them for the same file.
    let figures: Vec<Option<f64>> = [4, 5, 6, 9, 10]
        .iter()
        .map(|&col| number(&riepilogo, p, col))
        .collect();
    assert_eq!(
        figures,
        [Some(4.0), Some(62.0), Some(60.0), Some(6.0), Some(144.0)]
    );
    let single = dir.path().join("portomaggiore-da-solo.xlsx");
    let o = barometro(&["report", s(&portomaggiore), "-o", s(&single)]);
    assert!(
        stdout(&o).contains("(4 aree, 62 obiettivi, 60 indicatori)")
            && stdout(&o).contains("Anomalie: 6 errori, 144 avvisi"),
        "{}",
        stdout(&o)
    );

    // Totals: areas, objectives and indicators summed; the plain mean of the two entes.
    let total = rows.last().unwrap() + 1;
    let sum = |col| number(&riepilogo, c, col).unwrap() + number(&riepilogo, p, col).unwrap();
    for col in [4, 5, 6, 9, 10] {
        assert_eq!(
            number(&riepilogo, total, col),
            Some(sum(col)),
            "column {col}"
        );
    }
    // The mean of the entes that have an achievement: Cremona's alone.
    assert_eq!(number(&riepilogo, total, 7), Some(cremona_score));
    assert_eq!(text(&riepilogo, total, 8), "Raggiunto");

    // Aree: Cremona's ten lines with the banners the document prints.
    let aree = sheet(&consolidated, "Aree");
    let cremona_areas: Vec<(String, f64)> = (4..aree.height() as u32)
        .filter(|&r| text(&aree, r, 0) == "cremona.xlsx")
        .map(|r| (text(&aree, r, 2), number(&aree, r, 5).unwrap()))
        .collect();
    assert_eq!(cremona_areas.len(), 10);
    let lines = common::fixtures::cremona_lines();
    for ((name, score), line) in cremona_areas.iter().zip(&lines) {
        assert!(
            (score - line.banner).abs() <= 0.01 + 1e-9,
            "{name}: {score} vs {}",
            line.banner
        );
    }

    // The audit trail names the rules and their checksums.
    let mut wb: Xlsx<_> = open_workbook(&consolidated).unwrap();
    let regole = wb.worksheet_range("Regole").unwrap();
    let cells: Vec<String> = regole.cells().map(|(_, _, d)| d.to_string()).collect();
    assert!(cells.iter().any(|c| c == "predefinite"));
    assert!(cells.iter().any(|c| c == "indicatori.rhai"));

    // A second run refuses to replace anything without --force, before any work.
    let o = barometro(&["batch", s(&input), "-o", s(&out), "--ricorsivo"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("esiste già"), "{}", stderr(&o));
    // With --force it reports the same two files (not the reports in the output folder).
    let o = barometro(&["batch", s(&input), "-o", s(&out), "--ricorsivo", "--force"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).contains("Totale: 2 file"), "{}", stdout(&o));
}

#[test]
fn output_in_the_input_folder_is_not_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let cremona = dir.path().join("cremona.xlsx");
    write_cremona(&cremona).unwrap();
    for _ in 0..2 {
        let o = barometro(&[
            "batch",
            s(dir.path()),
            "-o",
            s(dir.path()),
            "--force",
            "--no-verify",
        ]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(
            stdout(&o).contains("Totale: 1 file, 1 relazione scritta"),
            "{}",
            stdout(&o)
        );
    }
    assert!(dir.path().join("cremona-relazione.xlsx").exists());
}

#[test]
fn an_empty_folder_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = barometro(&["batch", s(dir.path()), "-o", s(&dir.path().join("out"))]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("nessuna cartella di lavoro .xlsx"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_template_lays_out_every_report_of_the_batch() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("enti");
    std::fs::create_dir(&input).unwrap();
    write_cremona(&input.join("cremona.xlsx")).unwrap();
    let out = dir.path().join("relazioni");
    let o = barometro(&[
        "lotto",
        s(&input),
        "-o",
        s(&out),
        "--modello",
        "cremona",
        "-j",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    // The report is in Cremona's layout: one sheet per line, the banner in its place.
    let report = out.join("cremona-relazione.xlsx");
    let mut wb: Xlsx<_> = open_workbook(&report).unwrap();
    assert_eq!(wb.sheet_names().len(), 10);
    let first = wb.sheet_names()[0].clone();
    let r = wb.worksheet_range(&first).unwrap();
    assert_eq!(
        text(&r, 3, 0),
        "% Raggiungimento obiettivi per area strategica"
    );
    assert_eq!(
        number(&r, 4, 0),
        Some(100.0),
        "the first line's banner, 100,00%"
    );
    // The consolidated workbook still has the file's figures.
    let riepilogo = sheet(&out.join("consolidato.xlsx"), "Riepilogo");
    let rows = riepilogo_rows(&riepilogo);
    assert_eq!(rows.len(), 1);
}
