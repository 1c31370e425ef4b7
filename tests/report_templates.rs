//! Report templates: a changed `modello.toml` changes the report with no rebuild (labels,
//! column order, sheet names, titles, footer), and Excel templates with placeholders are
//! filled — the shipped Cremona template reproduces the ten line sheets with their banners, and
//! an office's template gets its repeated rows, growing formulas, merges and conditional
//! formats.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx};
use common::cells;
use common::fixtures::{cremona_lines, cremona_rows, write_cremona, CREMONA_HEADER};
use rust_xlsxwriter::{ConditionalFormatIconSet, ConditionalFormatIconType, Format, Workbook};

use barometro::read::{read_workbook, ReadOptions};
use barometro::report::{Provenance, WorkbookTemplate};
use barometro::rules::{evaluate, EvaluateOptions, Evaluation, RuleSet};
use common::cli::{barometro, s};

fn cremona(dir: &Path) -> PathBuf {
    let p = dir.join("cremona.xlsx");
    write_cremona(&p).expect("fixture");
    p
}

fn evaluated(path: &Path) -> Evaluation {
    let ente = read_workbook(path, &ReadOptions::default()).expect("readable");
    evaluate(
        ente,
        &RuleSet::default_set().unwrap(),
        &EvaluateOptions::default(),
    )
}

fn open(path: &Path) -> Xlsx<std::io::BufReader<std::fs::File>> {
    calamine::open_workbook(path).expect("the output opens")
}

/// The XML of a part of an XLSX.
fn part(path: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut f = zip
        .by_name(name)
        .unwrap_or_else(|_| panic!("{name} in {}", path.display()));
    let mut text = String::new();
    f.read_to_string(&mut text).unwrap();
    text
}

/// The part of the sheet named `sheet`.
fn sheet_part(path: &Path, sheet: &str) -> String {
    let book = part(path, "xl/workbook.xml");
    let rels = part(path, "xl/_rels/workbook.xml.rels");
    let escaped = sheet.replace('&', "&amp;").replace('\'', "&apos;");
    let tag_start = book
        .find(&format!("name=\"{sheet}\""))
        .or_else(|| book.find(&format!("name=\"{escaped}\"")))
        .unwrap_or_else(|| panic!("sheet {sheet}"));
    let tag = &book[tag_start..book[tag_start..].find("/>").unwrap() + tag_start];
    let id = tag
        .split("r:id=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let rel = rels.split(&format!("Id=\"{id}\"")).nth(1).unwrap();
    let target = rel
        .split("Target=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    part(path, &format!("xl/{}", target.trim_start_matches("/xl/")))
}

#[test]
fn a_changed_toml_template_changes_the_report_without_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let input = cremona(dir.path());
    let tdir = dir.path().join("ufficio");
    std::fs::create_dir(&tdir).unwrap();
    std::fs::write(
        tdir.join("modello.toml"),
        r#"
nome = "ufficio controllo di gestione"
logo = "stemma.png"
pie_di_pagina = "&L{ente} — controllo di gestione&R&P/&N"

[fogli.indicatori]
nome = "Dettaglio indicatori"
titolo = "Indicatori di {ente}"
colonne = ["codice", "indicatore", "raggiungimento", "barometro", "target", "consuntivo", "peso", "..."]
[fogli.indicatori.etichette]
raggiungimento = "% Ragg"
codice = "Cod."
[fogli.indicatori.larghezze]
indicatore = 60

[fogli.regole]
includi = false
"#
        ,
    )
    .unwrap();
    std::fs::write(tdir.join("stemma.png"), PNG_1X1).unwrap();
    let out = dir.path().join("relazione.xlsx");
    let o = barometro(&["report", s(&input), "-o", s(&out), "--modello", s(&tdir)]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert_ne!(
        o.status.code(),
        Some(2),
        "{text}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        text.contains("tutte uguali ai valori delle regole"),
        "{text}"
    );
    assert!(
        text.contains("Modello: ufficio controllo di gestione"),
        "{text}"
    );

    let mut wb = open(&out);
    let names = wb.sheet_names();
    assert_eq!(
        names,
        ["Sintesi", "Obiettivi", "Dettaglio indicatori", "Anomalie"],
        "Regole left out, Indicatori renamed"
    );
    let ind = wb.worksheet_range("Dettaglio indicatori").unwrap();
    assert_eq!(cells::text(&ind, 0, 0), "Indicatori di Comune di Cremona");
    let header: Vec<String> = (0..7).map(|c| cells::text(&ind, 2, c)).collect();
    assert_eq!(
        header,
        [
            "Cod.",
            "Indicatore",
            "% Ragg",
            "Barometro",
            "Target",
            "Consuntivo",
            "Peso"
        ]
    );
    // The rest ("...") follows in the report's order: area, objective, formula, method…,
    // and no listed column twice.
    let rest: Vec<String> = (7..30)
        .map(|c| cells::text(&ind, 2, c))
        .take_while(|h| !h.is_empty())
        .collect();
    assert_eq!(rest[..2], ["Area", "Settore"], "{rest:?}");
    assert!(rest.iter().any(|h| h == "Metodo di calcolo"), "{rest:?}");
    assert!(
        !rest.iter().any(|h| h == "Peso" || h == "Target"),
        "{rest:?}"
    );
    // The printed achievement of every row, in the moved column, as a live formula.
    let rows = cremona_rows();
    let formulas = wb.worksheet_formula("Dettaglio indicatori").unwrap();
    for (i, r) in rows.iter().enumerate() {
        let row = 3 + i as u32;
        let got = cells::float(&ind, row, 2);
        assert_eq!(got.round(), f64::from(r.perc_ragg), "row {}", row + 1);
        let f = formulas.get_value((row, 2)).cloned().unwrap_or_default();
        assert!(!f.is_empty(), "row {} holds a formula", row + 1);
    }
    // Objectives' formulas read the renamed sheet.
    let obj_formulas = wb.worksheet_formula("Obiettivi").unwrap();
    assert!(obj_formulas
        .rows()
        .flatten()
        .any(|f| f.contains("'Dettaglio indicatori'!")));
    let xml = sheet_part(&out, "Dettaglio indicatori");
    assert!(
        xml.contains("<col min=\"2\" max=\"2\" width=\"60.7109375\""),
        "width 60"
    );
    assert!(
        xml.contains("Comune di Cremona — controllo di gestione"),
        "footer"
    );
    // The logo is in Sintesi.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let mut media = Vec::new();
    zip.by_name("xl/media/image1.png")
        .expect("the logo")
        .read_to_end(&mut media)
        .unwrap();
    assert_eq!(media, PNG_1X1);
}

/// A 1×1 PNG.
const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x64, 0x60, 0xf8, 0x5f,
    0x0f, 0x00, 0x02, 0x87, 0x01, 0x80, 0xeb, 0x47, 0xba, 0x92, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

#[test]
fn a_broken_template_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = cremona(dir.path());
    let t = dir.path().join("modello.toml");
    std::fs::write(
        &t,
        "[fogli.indicatori]\ncolonne = [\"codice\", \"consuntvo\"]\n",
    )
    .unwrap();
    let out = dir.path().join("r.xlsx");
    let o = barometro(&["report", s(&input), "-o", s(&out), "--modello", s(&t)]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("«consuntvo» non è una colonna"), "{err}");
    assert!(!out.exists());
}

#[test]
fn the_cremona_template_reproduces_the_ten_line_sheets_and_banners() {
    let dir = tempfile::tempdir().unwrap();
    let input = cremona(dir.path());
    let out = dir.path().join("cremona-relazione.xlsx");
    let o = barometro(&["report", s(&input), "-o", s(&out), "--modello", "cremona"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert_ne!(
        o.status.code(),
        Some(2),
        "{text}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(text.contains("Modello Excel «cremona»"), "{text}");

    let mut wb = open(&out);
    let names = wb.sheet_names();
    let input_names = open(&input).sheet_names();
    assert_eq!(
        names, input_names,
        "one sheet per line, named as in the office's file"
    );
    let lines = cremona_lines();
    let rows = cremona_rows();
    let mut next = 0;
    for (name, line) in names.iter().zip(&lines) {
        let r = wb.worksheet_range(name).unwrap();
        assert_eq!(cells::text(&r, 0, 0), "Comune di Cremona");
        assert_eq!(cells::text(&r, 2, 0), line.heading, "{name}");
        assert_eq!(
            cells::text(&r, 3, 0),
            "% Raggiungimento obiettivi per area strategica"
        );
        // The banner, in its place (A5), within a hundredth of the printed one.
        let banner = cells::float(&r, 4, 0);
        assert!(
            (banner - line.banner).abs() <= 0.01 + 1e-9,
            "{name}: {banner} vs {}",
            line.banner_text
        );
        let header: Vec<String> = (0..13).map(|c| cells::text(&r, 6, c)).collect();
        assert_eq!(header, CREMONA_HEADER);
        // One row per indicator of the line, with its printed % Ragg.
        let mut row = 7;
        while !cells::text(&r, row, 3).is_empty() {
            let printed = &rows[next];
            assert_eq!(
                cells::text(&r, row, 3),
                printed.indicatore,
                "{name} row {}",
                row + 1
            );
            let score = match cells::get(&r, row, 11) {
                Data::Float(f) => f,
                Data::Int(i) => i as f64,
                // A neutralised objective's indicators have no score; Cremona prints 0.
                Data::Empty => 0.0,
                other => panic!("{name} L{}: {other:?}", row + 1),
            };
            assert_eq!(
                score.round(),
                f64::from(printed.perc_ragg),
                "{name} row {}",
                row + 1
            );
            next += 1;
            row += 1;
        }
        // The traffic lights grew with the rows and are still an icon set.
        let xml = sheet_part(&out, name);
        assert!(
            xml.contains(&format!("<conditionalFormatting sqref=\"L8:L{row}\">")),
            "{name}"
        );
        assert!(xml.contains("<iconSet"), "{name}");
    }
    assert_eq!(next, rows.len(), "all 140 indicators");
    // Print titles follow each copy.
    let book = part(&out, "xl/workbook.xml");
    assert_eq!(book.matches("_xlnm.Print_Titles").count(), 10);
    assert_eq!(book.matches("tabSelected").count(), 0);
}

/// An office's own template: title, total, one row per objective with a formula, a totals
/// row, one row per indicator, a count below; merges, icon sets.
fn office_template(path: &Path) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Monitoraggio").unwrap();
    let bold = Format::new().set_bold();
    ws.merge_range(
        0,
        0,
        0,
        4,
        "{{ente}} — monitoraggio con le regole «{{regole}}»",
        &bold,
    )
    .unwrap();
    ws.write_string(1, 0, "Totale dell'ente").unwrap();
    ws.write_string(1, 3, "{{totale.raggiungimento}}").unwrap();
    for (c, h) in ["Codice", "Obiettivo", "Peso", "% Raggiungimento", "Punti"]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(3, c as u16, *h, &bold).unwrap();
    }
    ws.write_string(4, 0, "{{obiettivo.codice}}").unwrap();
    ws.write_string(4, 1, "{{obiettivo.titolo}}").unwrap();
    ws.write_string(4, 2, "{{obiettivo.peso}}").unwrap();
    ws.write_string(4, 3, "{{obiettivo.raggiungimento}}")
        .unwrap();
    ws.write_formula(4, 4, "=IF(ISNUMBER(D5),C5*D5/100,0)")
        .unwrap();
    ws.write_string(5, 0, "Totale").unwrap();
    ws.write_formula(5, 2, "=SUM(C5:C5)").unwrap();
    ws.write_formula(5, 4, "=SUM(E5:E5)").unwrap();
    ws.merge_range(6, 0, 6, 4, "Indicatori", &bold).unwrap();
    ws.write_string(7, 0, "{{obiettivo.codice}}").unwrap();
    ws.write_string(7, 1, "{{indicatore.nome}}").unwrap();
    ws.write_string(7, 2, "{{indicatore.target}}").unwrap();
    ws.write_string(7, 3, "{{indicatore.raggiungimento}}")
        .unwrap();
    ws.write_string(7, 4, "{{indicatore.barometro}}").unwrap();
    ws.write_string(8, 0, "Indicatori:").unwrap();
    ws.write_formula(8, 1, "=COUNTA(B8:B8)").unwrap();
    let lights = ConditionalFormatIconSet::new()
        .set_icon_type(ConditionalFormatIconType::ThreeTrafficLights);
    ws.add_conditional_format(4, 3, 4, 3, &lights).unwrap();
    ws.add_conditional_format(7, 3, 7, 3, &lights).unwrap();
    // Areas: an Excel table over the repeated row, a data bar (an x14 extension).
    let ws = wb.add_worksheet();
    ws.set_name("Aree").unwrap();
    ws.write_string(0, 0, "Aree di {{ente}}").unwrap();
    ws.write_string(3, 0, "{{area.nome}}").unwrap();
    ws.write_string(3, 1, "{{area.obiettivi}}").unwrap();
    ws.write_string(3, 2, "{{area.raggiungimento}}").unwrap();
    ws.write_string(3, 3, "{{area.barometro}}").unwrap();
    let columns = ["Area", "Obiettivi", "% Raggiungimento", "Barometro"]
        .map(|h| rust_xlsxwriter::TableColumn::new().set_header(h));
    ws.add_table(
        2,
        0,
        3,
        3,
        &rust_xlsxwriter::Table::new().set_columns(&columns),
    )
    .unwrap();
    ws.add_conditional_format(
        3,
        2,
        3,
        2,
        &rust_xlsxwriter::ConditionalFormatDataBar::new(),
    )
    .unwrap();
    ws.write_string(5, 0, "Obiettivi in tutto").unwrap();
    ws.write_formula(5, 1, "=SUM(B4:B4)").unwrap();
    wb.save(path).unwrap();
}

/// Recalculates a workbook with formualizer and returns the value of a cell (1-based).
fn recalculated(bytes: &[u8], sheet: &str, cells: &[(u32, u32)]) -> Vec<f64> {
    use formualizer::workbook::{
        LiteralValue, LoadStrategy, NativeXlsxAdapter, SpreadsheetReader, Workbook, WorkbookConfig,
    };
    let adapter = NativeXlsxAdapter::open_bytes(bytes.to_vec()).unwrap();
    let mut wb =
        Workbook::from_reader(adapter, LoadStrategy::EagerAll, WorkbookConfig::ephemeral())
            .unwrap();
    wb.evaluate_all().unwrap();
    cells
        .iter()
        .map(|(r, c)| match wb.get_value(sheet, *r, *c) {
            Some(LiteralValue::Number(n)) => n,
            Some(LiteralValue::Int(i)) => i as f64,
            other => panic!("{sheet} R{r}C{c}: {other:?}"),
        })
        .collect()
}

#[test]
fn an_office_template_grows_rows_formulas_merges_and_icon_sets() {
    let dir = tempfile::tempdir().unwrap();
    let input = cremona(dir.path());
    let tpath = dir.path().join("monitoraggio.xlsx");
    office_template(&tpath);
    let ev = evaluated(&input);
    let filled = WorkbookTemplate::from_path(&tpath)
        .unwrap()
        .fill(&ev, &Provenance::named("cremona.xlsx"))
        .unwrap();
    let out = dir.path().join("compilato.xlsx");
    std::fs::write(&out, &filled.bytes).unwrap();

    let objectives: Vec<_> = ev.objectives().collect();
    let n_obj = objectives.len() as u32;
    let n_ind: u32 = objectives
        .iter()
        .map(|(o, _)| o.indicators.len() as u32)
        .sum();
    assert_eq!((n_obj, n_ind), (82, 140));
    assert_eq!(
        filled.rows,
        (n_obj + n_ind + 10) as usize,
        "objectives, indicators, areas"
    );

    let mut wb = open(&out);
    let r = wb.worksheet_range("Monitoraggio").unwrap();
    let f = wb.worksheet_formula("Monitoraggio").unwrap();
    assert_eq!(
        cells::text(&r, 0, 0),
        "Comune di Cremona — monitoraggio con le regole «predefinite»"
    );
    let total = ev.score.value.unwrap();
    assert!((cells::float(&r, 1, 3) - total).abs() < 1e-9);
    // One row per objective, in order, each with its own formula.
    for (k, (o, oo)) in objectives.iter().enumerate() {
        let row = 4 + k as u32;
        assert_eq!(
            cells::text(&r, row, 0),
            o.code.as_ref().map_or("", |c| c.text())
        );
        match oo.score.value {
            Some(v) => assert!((cells::float(&r, row, 3) - v).abs() < 1e-9),
            None => assert_eq!(cells::get(&r, row, 3), Data::Empty),
        }
        let formula = f.get_value((row, 4)).cloned().unwrap_or_default();
        let n = row + 1;
        assert_eq!(formula, format!("IF(ISNUMBER(D{n}),C{n}*D{n}/100,0)"));
    }
    // The totals row moved below them and its ranges grew.
    let total_row = 4 + n_obj;
    assert_eq!(cells::text(&r, total_row, 0), "Totale");
    let last = total_row; // 1-based number of the last objective row
    assert_eq!(
        f.get_value((total_row, 2)).cloned().unwrap_or_default(),
        format!("SUM(C5:C{last})")
    );
    // Indicators below, then the count.
    let ind_first = total_row + 2;
    let count_row = ind_first + n_ind;
    assert_eq!(cells::text(&r, count_row, 0), "Indicatori:");
    let count_n = count_row + 1;
    assert_eq!(
        f.get_value((count_row, 1)).cloned().unwrap_or_default(),
        format!("COUNTA(B{}:B{})", ind_first + 1, count_n - 1)
    );
    // Every formula's value is cached (computed by the independent engine): the sums read
    // back from the cells without any recalculation.
    assert_eq!((filled.cached, filled.uncached), (n_obj as usize + 4, 0));
    let weights_sum: f64 = objectives
        .iter()
        .filter_map(|(_, oo)| oo.weight.value)
        .sum();
    assert!((cells::float(&r, total_row, 2) - weights_sum).abs() < 1e-6);
    // Recalculated by an independent engine: the sums and the count are right.
    let weights: f64 = objectives
        .iter()
        .filter_map(|(_, oo)| oo.weight.value)
        .sum();
    let points: f64 = objectives
        .iter()
        .map(|(_, oo)| match (oo.weight.value, oo.score.value) {
            (Some(w), Some(s)) => w * s / 100.0,
            _ => 0.0,
        })
        .sum();
    let got = recalculated(
        &filled.bytes,
        "Monitoraggio",
        &[(total_row + 1, 3), (total_row + 1, 5), (count_n, 2)],
    );
    assert!((got[0] - weights).abs() < 1e-6, "{got:?} vs {weights}");
    assert!((got[1] - points).abs() < 1e-6, "{got:?} vs {points}");
    assert_eq!(got[2], f64::from(n_ind));
    // Merges below moved; icon sets grew and are still icon sets; recalculation on opening.
    let xml = sheet_part(&out, "Monitoraggio");
    let ind_row_1 = ind_first + 1;
    assert!(xml.contains("<mergeCell ref=\"A1:E1\"/>"));
    assert!(xml.contains(&format!(
        "<mergeCell ref=\"A{}:E{}\"/>",
        ind_first, ind_first
    )));
    assert!(
        xml.contains(&format!("sqref=\"D5:D{last}\"")),
        "objective icon set"
    );
    assert!(xml.contains(&format!("sqref=\"D{ind_row_1}:D{}\"", count_n - 1)));
    assert_eq!(xml.matches("<iconSet").count(), 2);
    assert!(part(&out, "xl/workbook.xml").contains("fullCalcOnLoad=\"1\""));

    // Areas: one table row per area, the table and the data bar (x14) grew with them.
    let areas = wb.worksheet_range("Aree").unwrap();
    let n_areas = ev.areas.len() as u32;
    assert_eq!(n_areas, 10);
    for (k, (a, ao)) in ev.ente.areas.iter().zip(&ev.areas).enumerate() {
        let row = 3 + k as u32;
        assert_eq!(cells::text(&areas, row, 0), a.name);
        assert!((cells::float(&areas, row, 2) - ao.score.value.unwrap()).abs() < 1e-9);
        assert_eq!(
            cells::text(&areas, row, 3),
            ev.bands.label_of(ao.score.value)
        );
    }
    let last_area = 3 + n_areas; // 1-based
    assert_eq!(cells::text(&areas, last_area + 1, 0), "Obiettivi in tutto");
    let table = part(&out, "xl/tables/table1.xml");
    assert!(
        table.contains(&format!("ref=\"A3:D{last_area}\"")),
        "{table}"
    );
    let xml = sheet_part(&out, "Aree");
    assert!(
        xml.contains(&format!("<xm:sqref>C4:C{last_area}</xm:sqref>")),
        "x14 data bar"
    );
    assert!(
        xml.contains(&format!("sqref=\"C4:C{last_area}\"")),
        "data bar"
    );
    let got = recalculated(&filled.bytes, "Aree", &[(last_area + 2, 2)]);
    assert_eq!(got[0], f64::from(n_obj));

    // LibreOffice opens the filled file and gets the same sums.
    if common::libreoffice::soffice_or_skip("office template").is_some() {
        let recalc = common::libreoffice::recalculate(&out, dir.path()).expect("recalculated");
        let r = open(&recalc).worksheet_range("Monitoraggio").unwrap();
        assert!((cells::float(&r, total_row, 2) - weights).abs() < 1e-6);
        assert!((cells::float(&r, total_row, 4) - points).abs() < 1e-6);
        assert_eq!(cells::float(&r, count_row, 1), f64::from(n_ind));
    }
}

#[test]
fn an_unknown_placeholder_names_its_cell() {
    let dir = tempfile::tempdir().unwrap();
    let input = cremona(dir.path());
    let tpath = dir.path().join("sbagliato.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "Ente").unwrap();
    ws.write_string(2, 1, "{{obiettivo.titlo}}").unwrap();
    wb.save(&tpath).unwrap();
    let ev = evaluated(&input);
    let e = WorkbookTemplate::from_path(&tpath)
        .unwrap()
        .fill(&ev, &Provenance::named("x"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("sbagliato.xlsx"), "{e}");
    assert!(
        e.contains("cella B3: «{{obiettivo.titlo}}» non è un segnaposto"),
        "{e}"
    );
}

#[test]
fn the_default_template_is_the_report_of_issue_4() {
    // `build` and `build_with_template(predefinito)` write the same sheets.
    let dir = tempfile::tempdir().unwrap();
    let ev = evaluated(&cremona(dir.path()));
    let rules = RuleSet::default_set().unwrap();
    let p = Provenance::named("cremona.xlsx");
    let a = barometro::report::build(&ev, &rules, &p).unwrap();
    let b = barometro::report::build_with_template(
        &ev,
        &rules,
        &p,
        &barometro::report::ReportTemplate::predefinito(),
        &[],
    )
    .unwrap();
    assert_eq!(a.checks, b.checks);
    let pa = dir.path().join("a.xlsx");
    let pb = dir.path().join("b.xlsx");
    std::fs::write(&pa, &a.bytes).unwrap();
    std::fs::write(&pb, &b.bytes).unwrap();
    for sheet in ["Sintesi", "Obiettivi", "Indicatori", "Anomalie"] {
        assert_eq!(
            open(&pa).worksheet_range(sheet).unwrap(),
            open(&pb).worksheet_range(sheet).unwrap()
        );
    }
}
