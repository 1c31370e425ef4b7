//! `barometro fill` on the Cremona table (one sheet per strategic line, merged cells, title
//! rows) with the `% Ragg` column blank: every original cell, merge, sheet, width and defined
//! name is kept, the printed % Ragg values land in the empty cells, the formulas recalculate to
//! the rules' values; and a workbook with an icon-set sheet and a chart keeps them.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use barometro::fill::{fill, verify, Filled, FilledKind};
use barometro::read::{read_workbook, ReadOptions};
use barometro::report::Package;
use barometro::report::{sha256_hex, Expected};
use barometro::rules::excel::round;
use barometro::rules::{evaluate, EvaluateOptions, Evaluation, RuleSet};
use calamine::{open_workbook, Data, Reader, Xlsx};
use common::fixtures::*;
use common::libreoffice;

/// The `% Ragg` column of the Cremona table.
const RAGG: u32 = 11;
/// The `Barometro` column of the Cremona table.
const BAROMETRO: u32 = 12;

fn scored(path: &Path) -> Evaluation {
    let ente = read_workbook(path, &ReadOptions::default()).expect("fixture read");
    let rules = RuleSet::default_set().expect("default rules");
    evaluate(ente, &rules, &EvaluateOptions::default())
}

fn blank_cremona(dir: &Path) -> PathBuf {
    let path = dir.join("cremona-vuoto.xlsx");
    write_cremona_blank_achievement(&path).expect("fixture written");
    path
}

/// Every cell of every sheet, by sheet name and (row, column).
fn all_cells(path: &Path) -> BTreeMap<String, BTreeMap<(u32, u32), Data>> {
    let mut book: Xlsx<_> = open_workbook(path).expect("workbook opens");
    let mut out = BTreeMap::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).expect("sheet reads");
        let mut cells = BTreeMap::new();
        for (r, c, v) in range.used_cells() {
            if *v != Data::Empty {
                let (r0, c0) = range.start().unwrap_or((0, 0));
                cells.insert((r0 + r as u32, c0 + c as u32), v.clone());
            }
        }
        out.insert(name, cells);
    }
    out
}

/// Each sheet's name and the zip entry of its XML.
fn worksheet_parts(bytes: &[u8]) -> Result<Vec<(String, String)>, String> {
    Ok(Package::read(bytes)?
        .sheets()?
        .into_iter()
        .map(|s| (s.name, s.part))
        .collect())
}

/// A zip entry's bytes.
fn zip_entry(bytes: &[u8], name: &str) -> Option<Vec<u8>> {
    Package::read(bytes).ok()?.get(name).map(<[u8]>::to_vec)
}

/// The `<col>` widths of a sheet: (min, max, width).
fn widths(bytes: &[u8], sheet: &str) -> Vec<(u32, u32, f64)> {
    let part = worksheet_parts(bytes)
        .expect("parts")
        .into_iter()
        .find(|(n, _)| n == sheet)
        .expect("sheet present")
        .1;
    let xml = String::from_utf8(zip_entry(bytes, &part).expect("sheet xml")).expect("utf-8");
    let attr = |tag: &str, name: &str| -> Option<String> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(tag[at..].split('"').next()?.to_string())
    };
    xml.split("<col ")
        .skip(1)
        .filter_map(|t| {
            let tag = format!(" {}", t.split('>').next()?);
            let tag = tag.as_str();
            Some((
                attr(tag, "min")?.parse().ok()?,
                attr(tag, "max")?.parse().ok()?,
                attr(tag, "width")?.parse().ok()?,
            ))
        })
        .collect()
}

fn fill_cremona(dir: &Path) -> (PathBuf, Evaluation, Filled, PathBuf) {
    let input = blank_cremona(dir);
    let ev = scored(&input);
    let filled = fill(&input, &ev).expect("filled");
    let output = dir.join("cremona-compilato.xlsx");
    std::fs::write(&output, &filled.bytes).expect("written");
    (input, ev, filled, output)
}

#[test]
fn cremona_keeps_every_original_cell_merge_sheet_and_width() {
    let dir = tempfile::tempdir().unwrap();
    let input = blank_cremona(dir.path());
    let before = sha256_hex(&std::fs::read(&input).unwrap());
    let ev = scored(&input);
    let filled = fill(&input, &ev).expect("filled");
    let output = dir.path().join("cremona-compilato.xlsx");
    std::fs::write(&output, &filled.bytes).unwrap();
    // The original is never modified.
    assert_eq!(sha256_hex(&std::fs::read(&input).unwrap()), before);

    // Sheets: the same, in the same order, plus Anomalie at the end.
    let mut original: Xlsx<_> = open_workbook(&input).unwrap();
    let mut result: Xlsx<_> = open_workbook(&output).unwrap();
    let mut expected_names = cremona_sheet_names();
    assert_eq!(original.sheet_names(), expected_names);
    expected_names.push("Anomalie".into());
    assert_eq!(result.sheet_names(), expected_names);
    assert_eq!(original.defined_names(), result.defined_names());

    // Merges and widths, sheet by sheet.
    let original_bytes = std::fs::read(&input).unwrap();
    for name in cremona_sheet_names() {
        let mut a = original.merge_cells_by_sheet_name(&name).unwrap();
        let mut b = result.merge_cells_by_sheet_name(&name).unwrap();
        a.sort_by_key(|d| (d.start, d.end));
        b.sort_by_key(|d| (d.start, d.end));
        assert!(!a.is_empty(), "{name}: the fixture has merges");
        assert_eq!(a, b, "{name}: merges");
        let (wa, wb) = (widths(&original_bytes, &name), widths(&filled.bytes, &name));
        assert!(!wa.is_empty(), "{name}: the fixture sets column widths");
        assert_eq!(wa.len(), wb.len(), "{name}: widths");
        for (x, y) in wa.iter().zip(&wb) {
            assert_eq!((x.0, x.1), (y.0, y.1), "{name}: width columns");
            assert!((x.2 - y.2).abs() < 1e-6, "{name}: width {x:?} vs {y:?}");
        }
    }

    // Every original cell is unchanged; the only new cells are the ones barometro wrote.
    let a = all_cells(&input);
    let b = all_cells(&output);
    let written: BTreeMap<(String, u32, u32), &Expected> = filled
        .cells
        .iter()
        .map(|c| {
            (
                (c.source.sheet.to_string(), c.source.row, c.source.col),
                &c.expected,
            )
        })
        .collect();
    for name in cremona_sheet_names() {
        for (cell, value) in &a[&name] {
            assert_eq!(b[&name].get(cell), Some(value), "{name} {cell:?} changed");
        }
        for (cell, value) in &b[&name] {
            if a[&name].contains_key(cell) {
                continue;
            }
            let key = (name.clone(), cell.0, cell.1);
            match written.get(&key) {
                Some(Expected::Number(n)) => {
                    assert_eq!(value, &Data::Float(*n), "{name} {cell:?}")
                }
                Some(Expected::Text(t)) => {
                    assert_eq!(value, &Data::String(t.clone()), "{name} {cell:?}")
                }
                None => panic!("{name} {cell:?}: new cell {value:?} that barometro did not write"),
            }
        }
    }
}

#[test]
fn cremona_gets_the_printed_achievements_live_and_verified() {
    let dir = tempfile::tempdir().unwrap();
    let (_input, ev, filled, output) = fill_cremona(dir.path());
    let rows = cremona_rows();
    let cells = all_cells(&output);
    let mut indicators = Vec::new();
    for (o, _) in ev.objectives() {
        for i in &o.indicators {
            indicators.push((i.source.clone(), o.neutralised));
        }
    }
    assert_eq!(indicators.len(), 140);
    assert_eq!(rows.len(), 140);
    let mut neutralised = 0;
    for (row, (source, is_neutralised)) in rows.iter().zip(&indicators) {
        let got = cells[&*source.sheet].get(&(source.row, RAGG));
        if *is_neutralised {
            // Left out of every aggregate: its % Ragg is not written (the document prints 0).
            assert_eq!(got, None, "{source}: neutralised");
            neutralised += 1;
            continue;
        }
        let Some(Data::Float(v)) = got else {
            panic!("{source}: % Ragg not filled: {got:?}");
        };
        assert_eq!(
            round(*v, 0),
            f64::from(row.perc_ragg),
            "L{} {source}: filled {v}, printed {}",
            row.src_line,
            row.perc_ragg
        );
        // The Barometro column gets the band label of the same figure.
        let label = ev.bands.label_of(Some(*v)).to_string();
        assert_eq!(
            cells[&*source.sheet].get(&(source.row, BAROMETRO)),
            Some(&Data::String(label)),
            "{source}: barometer label"
        );
    }
    assert_eq!(neutralised, 2, "objective 15 has two rows");

    // Live formulas where the twin's inputs are numbers in the sheet, values elsewhere (the
    // targets written as text, `3.800`).
    let achievements: Vec<_> = filled
        .cells
        .iter()
        .filter(|c| c.kind == FilledKind::Achievement)
        .collect();
    assert_eq!(achievements.len(), 138);
    let formulas = achievements.iter().filter(|c| c.formula.is_some()).count();
    assert!(formulas >= 100, "{formulas} formulas");
    assert!(formulas < 138, "the text targets are written as values");
    let first = achievements
        .iter()
        .find(|c| c.formula.as_deref().is_some_and(|f| f.contains("MAX(")))
        .expect("a ratio formula");
    let f = first.formula.as_deref().unwrap();
    let row = first.source.row + 1;
    assert!(
        f.contains(&format!("H{row}")) && f.contains(&format!("G{row}")),
        "{f} refers to the original target and actual cells"
    );
    let proof = verify(&filled).expect("recalculated");
    assert_eq!(proof.checked, filled.formula_count());
    assert!(proof.checked >= 200, "scores and labels: {}", proof.checked);
    assert!(proof.mismatches.is_empty(), "{:?}", proof.mismatches);

    // Every finding in Anomalie, with Italian headers.
    let mut book: Xlsx<_> = open_workbook(&output).unwrap();
    let anomalie = book.worksheet_range("Anomalie").unwrap();
    let header: Vec<String> = (0..5)
        .map(|c| common::cells::text(&anomalie, 0, c))
        .collect();
    assert_eq!(
        header,
        ["Gravità", "Messaggio", "Foglio", "Cella", "Regola"]
    );
    let expected = ev.all_findings().count() + filled.findings.len();
    assert!(expected > 0);
    assert_eq!(anomalie.height(), expected + 1);
}

#[test]
fn cremona_filled_twice_changes_nothing_the_second_time() {
    let dir = tempfile::tempdir().unwrap();
    let (_input, _ev, filled, output) = fill_cremona(dir.path());
    assert!(!filled.cells.is_empty());
    // The filled workbook has every cell filled: a second pass writes nothing into the lines
    // and finds no barometer that differs.
    let again = fill(&output, &scored(&output)).expect("filled again");
    assert!(again.cells.is_empty(), "{:?}", &again.cells[..1]);
    assert!(again.findings.is_empty(), "{:?}", again.findings);
    assert_eq!(again.anomalies_sheet, "Anomalie barometro");
}

#[test]
fn output_equal_to_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = blank_cremona(dir.path());
    let before = std::fs::read(&input).unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_barometro"))
        .arg("compila")
        .arg(&input)
        .arg("-o")
        .arg(&input)
        .arg("--force")
        .output()
        .expect("runs");
    assert_eq!(status.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&status.stderr);
    assert!(stderr.contains("file di input"), "{stderr}");
    assert_eq!(std::fs::read(&input).unwrap(), before);

    let output = dir.path().join("compilato.xlsx");
    let run = Command::new(env!("CARGO_BIN_EXE_barometro"))
        .arg("fill")
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.code() == Some(0) || run.status.code() == Some(1));
    assert!(stdout.contains("Celle compilate: 276"), "{stdout}");
    assert!(output.exists());
}

/// A small table on three sheets: `Linea A` plain, `Linea B` with an icon set on a column,
/// `Grafico` with a chart of Linea A's targets and a defined name.
fn write_mixed(path: &Path) {
    use rust_xlsxwriter::{
        Chart, ChartType, ConditionalFormatIconSet, ConditionalFormatIconType, Workbook,
    };
    let mut wb = Workbook::new();
    let header = [
        "Obiettivo",
        "Indicatore",
        "Target atteso",
        "Target Consuntivo",
        "Peso",
        "% Ragg",
        "Barometro",
    ];
    let rows = [
        ("Riduzione dei tempi", "Pratiche evase", 50.0, 39.0),
        ("Riduzione dei tempi", "Sportelli aperti", 10.0, 10.0),
        ("Digitalizzazione", "Servizi online", 40.0, 20.0),
    ];
    for name in ["Linea A", "Linea B"] {
        let ws = wb.add_worksheet().set_name(name).unwrap();
        for (c, h) in header.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        for (i, (o, ind, t, a)) in rows.iter().enumerate() {
            let r = i as u32 + 1;
            ws.write_string(r, 0, *o).unwrap();
            ws.write_string(r, 1, *ind).unwrap();
            ws.write_number(r, 2, *t).unwrap();
            ws.write_number(r, 3, *a).unwrap();
            ws.write_number(r, 4, 100.0).unwrap();
        }
        if name == "Linea B" {
            let icons = ConditionalFormatIconSet::new()
                .set_icon_type(ConditionalFormatIconType::ThreeTrafficLights);
            ws.add_conditional_format(1, 3, 3, 3, &icons).unwrap();
        }
    }
    let ws = wb.add_worksheet().set_name("Grafico").unwrap();
    ws.write_string(0, 0, "Andamento").unwrap();
    let mut chart = Chart::new(ChartType::Column);
    chart.add_series().set_values("='Linea A'!$C$2:$C$4");
    ws.insert_chart(2, 1, &chart).unwrap();
    wb.define_name("Obiettivi", "='Linea A'!$A$1:$G$4").unwrap();
    wb.save(path).unwrap();
}

fn zip_names(bytes: &[u8]) -> Vec<String> {
    let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    zip.file_names()
        .filter_map(|n| n.ok())
        .map(String::from)
        .collect()
}

#[test]
fn icon_set_sheet_and_chart_sheet_are_kept_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("misto.xlsx");
    write_mixed(&input);
    let original = std::fs::read(&input).unwrap();
    let ev = scored(&input);
    let filled = fill(&input, &ev).expect("filled");

    // Linea A is filled: 78, 100, 50 with live formulas.
    let a: Vec<_> = filled
        .cells
        .iter()
        .filter(|c| c.kind == FilledKind::Achievement)
        .collect();
    assert_eq!(a.len(), 3);
    assert!(a.iter().all(|c| &*c.source.sheet == "Linea A"));
    let values: Vec<_> = a.iter().map(|c| c.expected.clone()).collect();
    assert_eq!(
        values,
        [
            Expected::Number(78.0),
            Expected::Number(100.0),
            Expected::Number(50.0)
        ]
    );
    assert_eq!(
        a[0].formula.as_deref(),
        Some("=MAX(0,MIN(100,D2/C2*100))"),
        "the twin over the original cells"
    );
    assert_eq!(filled.sheets, ["Linea A"]);
    assert!(verify(&filled).unwrap().mismatches.is_empty());

    // Linea B holds an icon set: untouched, its results in Risultati barometro, and a finding.
    let parts_in = worksheet_parts(&original).unwrap();
    let parts_out = worksheet_parts(&filled.bytes).unwrap();
    let part = |parts: &[(String, String)], name: &str| {
        parts.iter().find(|(n, _)| n == name).unwrap().1.clone()
    };
    for name in ["Linea B", "Grafico"] {
        assert_eq!(
            zip_entry(&original, &part(&parts_in, name)),
            zip_entry(&filled.bytes, &part(&parts_out, name)),
            "{name} byte-identical"
        );
    }
    assert!(filled
        .findings
        .iter()
        .any(|f| f.rule == "foglio-non-modificabile" && f.message.contains("Linea B")));
    assert_eq!(filled.deferred.len(), 6, "three scores and three labels");
    let names: Vec<String> = parts_out.iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(
        names,
        [
            "Linea A",
            "Linea B",
            "Grafico",
            "Risultati barometro",
            "Anomalie"
        ]
    );

    // The chart and its drawing are still there, byte for byte.
    let out_names = zip_names(&filled.bytes);
    for name in zip_names(&original) {
        if name.starts_with("xl/charts/") || name.starts_with("xl/drawings/") {
            assert!(out_names.contains(&name), "{name} kept");
            let text = |b: &[u8]| {
                String::from_utf8(zip_entry(b, &name).unwrap())
                    .unwrap()
                    .replace("\r\n", "\n")
            };
            // Relationship parts are rewritten with other line ends; the rest byte for byte.
            if name.ends_with(".rels") {
                assert_eq!(text(&original), text(&filled.bytes), "{name}");
            } else {
                assert_eq!(
                    zip_entry(&original, &name),
                    zip_entry(&filled.bytes, &name),
                    "{name}"
                );
            }
        }
    }
    assert!(out_names.iter().any(|n| n.starts_with("xl/charts/chart")));
    let output = dir.path().join("misto-compilato.xlsx");
    std::fs::write(&output, &filled.bytes).unwrap();
    let mut book: Xlsx<_> = open_workbook(&output).unwrap();
    assert_eq!(book.defined_names().len(), 1);
    let results = book.worksheet_range("Risultati barometro").unwrap();
    assert_eq!(common::cells::text(&results, 1, 1), "'Linea B'!F2");
    assert_eq!(common::cells::float(&results, 1, 2), 78.0);
}

#[test]
fn libreoffice_recalculates_the_filled_cremona_to_the_same_values() {
    let Some(_) = libreoffice::soffice_or_skip("libreoffice_recalculates_the_filled_cremona")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (_input, _ev, filled, output) = fill_cremona(dir.path());
    assert!(filled.formula_count() > 0);
    let cmp = libreoffice::recalculate_and_compare(&output, "en-US").expect("LibreOffice runs");
    assert!(cmp.is_ok(), "{cmp}");
}

/// Terre d'Argine's S1 cards with every `Realizzazione` left empty: each gets its objective's
/// achievement (Σ P.E.I of its activities), equal to the printed one, as a percentage.
#[test]
fn cards_get_their_realizzazione() {
    use common::terre_cards::{
        parse_percent_text, terre_card, terre_s1_cards_layout, write_terre_s1_cards_blank_results,
    };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("schede.xlsx");
    write_terre_s1_cards_blank_results(&input).unwrap();
    let ente = read_workbook(&input, &ReadOptions::default()).unwrap();
    let rules = RuleSet::default_set().unwrap();
    let ev = evaluate(ente, &rules, &EvaluateOptions::default());
    let filled = fill(&input, &ev).unwrap();
    let layouts = terre_s1_cards_layout();
    assert!(!layouts.is_empty());
    let output = dir.path().join("schede-compilate.xlsx");
    std::fs::write(&output, &filled.bytes).unwrap();
    let mut wb: Xlsx<_> = calamine::open_workbook(&output).unwrap();
    let mut checked = 0;
    for l in &layouts {
        let card = terre_card(&l.code);
        let printed = parse_percent_text(&card.realizzazione).expect("printed Realizzazione");
        let row = l
            .label_rows
            .iter()
            .find(|r| r.label == "Realizzazione")
            .expect("the card has Realizzazione")
            .row;
        let range = wb.worksheet_range(&l.sheet).unwrap();
        let got = match range.get_value((row, 1)) {
            Some(Data::Float(f)) => *f,
            other => panic!("{} B{}: {other:?}", l.code, row + 1),
        };
        // A fraction in a percent-formatted cell, equal to the printed percentage.
        assert!(
            (got * 100.0 - printed).abs() < 0.005 + 1e-9,
            "{}: {got} vs {printed}",
            l.code
        );
        assert!(filled
            .cells
            .iter()
            .any(|c| c.source.sheet.as_ref() == l.sheet
                && c.source.row == row
                && c.source.col == 1));
        checked += 1;
    }
    assert_eq!(checked, layouts.len());
    // Filling the filled file writes nothing more.
    let ente = read_workbook(&output, &ReadOptions::default()).unwrap();
    let ev = evaluate(ente, &rules, &EvaluateOptions::default());
    assert!(fill(&output, &ev).unwrap().cells.is_empty());
}

/// The same cards with every activity's `P.A.I` blank, monitored at 31/07/2024 with the
/// document's rules (`somma-pesata`): each P.A.I gets the one computed from its month plan, so
/// that the filled cards give S1 the atteso of the month plans, 54,39 (the document prints
/// 54,07 from its own P.A.I).
#[test]
fn activities_get_their_pai_from_the_month_plan() {
    use common::terre_cards::{
        terre_s1_cards_layout, write_terre_s1_cards_blank_results, TERRE_CARDS_COL_PAI,
        TERRE_CARDS_S1_ATTESO_FROM_MONTH_PLAN,
    };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("schede.xlsx");
    write_terre_s1_cards_blank_results(&input).unwrap();
    let rules = RuleSet::builtin("somma-pesata").unwrap().unwrap();
    let july = EvaluateOptions {
        at: chrono::NaiveDate::from_ymd_opt(2024, 7, 31),
        ..EvaluateOptions::default()
    };
    let ev = evaluate(
        read_workbook(&input, &ReadOptions::default()).unwrap(),
        &rules,
        &july,
    );
    let filled = fill(&input, &ev).unwrap();
    let output = dir.path().join("schede-compilate.xlsx");
    std::fs::write(&output, &filled.bytes).unwrap();
    let mut wb: Xlsx<_> = calamine::open_workbook(&output).unwrap();
    let mut checked = 0;
    for l in terre_s1_cards_layout() {
        let (_, outcome) = ev
            .objectives()
            .find(|(o, _)| o.code.as_ref().is_some_and(|c| c.text() == l.code))
            .unwrap_or_else(|| panic!("{} read", l.code));
        let range = wb.worksheet_range(&l.sheet).unwrap();
        assert_eq!(outcome.activities.len(), l.activities.len(), "{}", l.code);
        for (al, ao) in l.activities.iter().zip(&outcome.activities) {
            let row = al.previsto_row;
            let col = u32::from(TERRE_CARDS_COL_PAI);
            let want = ao.expected_computed.value.expect("a month plan");
            let got = match range.get_value((row, col)) {
                Some(Data::Float(f)) => *f,
                other => panic!("{} S{}: {other:?}", l.code, row + 1),
            };
            assert!(
                (got * 100.0 - want).abs() < 1e-9,
                "{} S{}: {got}",
                l.code,
                row + 1
            );
            assert!(filled.cells.iter().any(|c| c.kind == FilledKind::Expected
                && c.source.row == row
                && c.source.col == col
                && c.source.sheet.as_ref() == l.sheet));
            checked += 1;
        }
    }
    assert!(checked > 20, "{checked} P.A.I filled");
    // Read back with the document's rules, the written P.A.I give the month plans' atteso.
    let ev = evaluate(
        read_workbook(&output, &ReadOptions::default()).unwrap(),
        &rules,
        &july,
    );
    let atteso = ev.areas[0].expected.value.expect("S1 atteso");
    assert_eq!(
        (atteso * 100.0).round() / 100.0,
        TERRE_CARDS_S1_ATTESO_FROM_MONTH_PLAN
    );
}

/// A sheet barometro writes into keeps its own image (a logo) and chart.
#[test]
fn a_written_sheet_keeps_its_image_and_chart() {
    use rust_xlsxwriter::{Chart, ChartType, Image, Workbook};
    const PNG_1X1: &[u8] = &[
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f,
        0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x64,
        0x60, 0xf8, 0x5f, 0x0f, 0x00, 0x02, 0x87, 0x01, 0x80, 0xeb, 0x47, 0xba, 0x92, 0x00, 0x00,
        0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("con-logo.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Linea A").unwrap();
    for (c, h) in [
        "Obiettivo",
        "Indicatore",
        "Target atteso",
        "Target Consuntivo",
        "Peso",
        "% Ragg",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (i, (o, t, a)) in [("Tempi", 50.0, 39.0), ("Servizi", 40.0, 20.0)]
        .iter()
        .enumerate()
    {
        let r = i as u32 + 1;
        ws.write_string(r, 0, *o).unwrap();
        ws.write_string(r, 1, format!("Indicatore {r}")).unwrap();
        ws.write_number(r, 2, *t).unwrap();
        ws.write_number(r, 3, *a).unwrap();
        ws.write_number(r, 4, 100.0).unwrap();
    }
    let logo = Image::new_from_buffer(PNG_1X1).unwrap();
    ws.insert_image(0, 8, &logo).unwrap();
    let mut chart = Chart::new(ChartType::Column);
    chart.add_series().set_values("='Linea A'!$C$2:$C$3");
    ws.insert_chart(5, 8, &chart).unwrap();
    wb.save(&input).unwrap();

    let ente = read_workbook(&input, &ReadOptions::default()).unwrap();
    let ev = evaluate(
        ente,
        &RuleSet::default_set().unwrap(),
        &EvaluateOptions::default(),
    );
    let filled = fill(&input, &ev).unwrap();
    assert_eq!(filled.sheets, ["Linea A"], "the sheet was written into");
    let achievements: Vec<f64> = filled
        .cells
        .iter()
        .filter(|c| c.kind == FilledKind::Achievement)
        .map(|c| match c.expected {
            Expected::Number(n) => n,
            _ => f64::NAN,
        })
        .collect();
    assert_eq!(achievements, [78.0, 50.0], "39/50 and 20/40");
    let names = zip_names(&filled.bytes);
    let media: Vec<&String> = names
        .iter()
        .filter(|n| n.starts_with("xl/media/"))
        .collect();
    assert_eq!(media.len(), 1, "{names:?}");
    assert_eq!(zip_entry(&filled.bytes, media[0]).unwrap(), PNG_1X1);
    assert!(
        names.iter().any(|n| n.starts_with("xl/charts/chart")),
        "{names:?}"
    );
    let sheet = worksheet_parts(&filled.bytes)
        .unwrap()
        .into_iter()
        .find(|(n, _)| n == "Linea A")
        .unwrap()
        .1;
    let xml = String::from_utf8(zip_entry(&filled.bytes, &sheet).unwrap()).unwrap();
    assert!(xml.contains("<drawing "), "the sheet still has its drawing");
}
