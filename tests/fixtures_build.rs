//! Checks the fixture data against the analysis of the two source documents, and checks that the
//! workbook builders produce the layouts they promise (read back with calamine).

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use calamine::{open_workbook, Data, Dimensions, Range, Reader, Xlsx};
use common::fixtures::*;

fn get(range: &Range<Data>, row: u32, col: u32) -> Data {
    range.get_value((row, col)).cloned().unwrap_or(Data::Empty)
}

fn text(range: &Range<Data>, row: u32, col: u32) -> String {
    match get(range, row, col) {
        Data::String(s) => s,
        Data::Empty => String::new(),
        other => panic!("expected text at ({row}, {col}), found {other:?}"),
    }
}

fn float(range: &Range<Data>, row: u32, col: u32) -> f64 {
    match get(range, row, col) {
        Data::Float(v) => v,
        Data::Int(v) => v as f64,
        other => panic!("expected a number at ({row}, {col}), found {other:?}"),
    }
}

fn has_merge(merges: &[Dimensions], start: (u32, u32), end: (u32, u32)) -> bool {
    merges.iter().any(|d| d.start == start && d.end == end)
}

fn open(path: &Path) -> Xlsx<std::io::BufReader<std::fs::File>> {
    open_workbook(path).expect("written workbook opens")
}

/// `92,30%` → 92.30; `3.800` → 3800.
fn parse_it(s: &str) -> f64 {
    s.trim_end_matches('%')
        .replace('.', "")
        .replace(',', ".")
        .parse()
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Data files
// ---------------------------------------------------------------------------------------------

#[test]
fn cremona_data_agrees_with_the_analysis() {
    let rows = cremona_rows();
    let lines = cremona_lines();
    assert_eq!(rows.len(), 140);
    assert_eq!(lines.len(), 10);
    assert_eq!(lines.iter().map(|l| l.indicators).sum::<usize>(), 140);
    assert_eq!(lines.iter().map(|l| l.objectives).sum::<usize>(), 81);
    assert_eq!(lines.iter().map(|l| l.neutralised).sum::<usize>(), 1);

    let ids: BTreeSet<u32> = rows.iter().map(|r| r.obj_id).collect();
    assert_eq!(ids.len(), 82);
    assert_eq!(ids, (1..=82).collect());
    // obj_id grows by one at each new objective, in document order
    for w in rows.windows(2) {
        assert!(w[1].obj_id == w[0].obj_id || w[1].obj_id == w[0].obj_id + 1);
    }

    for line in &lines {
        let lr: Vec<_> = rows.iter().filter(|r| r.linea == line.heading).collect();
        assert_eq!(lr.len(), line.indicators, "{}", line.heading);
        let active: BTreeSet<u32> = lr
            .iter()
            .filter(|r| !r.neutralizzato)
            .map(|r| r.obj_id)
            .collect();
        let neutral: BTreeSet<u32> = lr
            .iter()
            .filter(|r| r.neutralizzato)
            .map(|r| r.obj_id)
            .collect();
        assert_eq!(active.len(), line.objectives, "{}", line.heading);
        assert_eq!(neutral.len(), line.neutralised, "{}", line.heading);
        assert!((parse_it(&line.banner_text) - line.banner).abs() < 1e-9);
    }
    assert_eq!(lines[0].heading, "LINEA STRATEGICA SULL'AMBIENTE");
    assert_eq!(lines[2].banner_text, "92,30%");
    assert_eq!(lines[9].heading, "OBIETTIVI DI MANDATO");

    // Definizione on the first row of each objective only; Finalità on every row.
    let mut seen = BTreeSet::new();
    for r in &rows {
        let first = seen.insert(r.obj_id);
        assert_eq!(!r.definizione.is_empty(), first, "line {}", r.src_line);
        assert!(!r.finalita.is_empty(), "line {}", r.src_line);
    }
    // Italian thousands kept as printed
    let raw: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.target_atteso_raw.as_deref())
        .collect();
    assert_eq!(raw, ["3.800", "2.457", "78.219", "1.545", "1.200"]);
    for r in &rows {
        if let Some(t) = &r.target_atteso_raw {
            assert_eq!(parse_it(t), r.target_atteso);
        }
        if let Some(t) = &r.target_consuntivo_raw {
            assert_eq!(parse_it(t), r.target_consuntivo);
        }
    }
    // The neutralised objective 15
    let neutral: Vec<_> = rows.iter().filter(|r| r.neutralizzato).collect();
    assert_eq!(neutral.len(), 2);
    assert!(neutral.iter().all(|r| r.obj_id == 15 && r.peso == 0));
    assert!(neutral[0]
        .note
        .as_deref()
        .unwrap()
        .starts_with("L'obiettivo è neutralizzato"));
    assert_eq!(rows.iter().filter(|r| r.note.is_some()).count(), 1);
}

#[test]
fn portomaggiore_data_agrees_with_the_analysis() {
    let sectors = portomaggiore_sectors();
    let codes: Vec<&str> = sectors.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(codes, PORTOMAGGIORE_SHEETS);
    let declared: Vec<u32> = sectors.iter().map(|s| s.declared_total).collect();
    assert_eq!(declared, [24, 74, 49, 94]);
    let present: Vec<u32> = sectors.iter().map(|s| s.priority_sum_present).collect();
    assert_eq!(present, [24, 67, 49, 68]);
    let objectives: Vec<usize> = sectors.iter().map(|s| s.objectives).collect();
    assert_eq!(objectives, [6, 20, 12, 24]);
    // STAFF and FIN are complete
    for s in sectors
        .iter()
        .filter(|s| s.code == "STAFF" || s.code == "FIN")
    {
        assert_eq!(s.priority_sum_present, s.declared_total, "{}", s.code);
    }
    assert_eq!(
        sectors[0].title_lines,
        [
            "OBIETTIVI GESTIONALI",
            "ASSEGNATI AL SETTORE",
            "STAFF DEL SEGRETARIO GENERALE (STAFF)",
            "Obiettivi 2024-2026"
        ]
    );
    assert_eq!(
        sectors[2].title_lines,
        [
            "OBIETTIVI GESTIONALI",
            "ASSEGNATI AL SETTORE FINANZE (FIN)",
            "Obiettivi 2024-2026"
        ]
    );
    assert_eq!(
        portomaggiore_document_title(),
        [
            "ALLEGATO 1 AL PIAO",
            "OBIETTIVI PERFORMANCE",
            "2024/2026",
            "OBIETTIVI GESTIONALI DI SETTORE"
        ]
    );

    let rows = portomaggiore_rows();
    for s in &sectors {
        let sr: Vec<_> = rows.iter().filter(|r| r.sector == s.code).collect();
        assert!(sr.iter().all(|r| r.texts.len() == 14));
        assert_eq!(
            sr.iter().filter(|r| r.objective().is_some()).count(),
            s.objectives
        );
        let sum: u32 = sr.iter().filter_map(|r| r.priority).sum();
        assert_eq!(sum, s.priority_sum_present, "{}", s.code);
        // Every printed weight is priority / declared total, rounded at the printed decimals.
        for r in &sr {
            if let (Some(p), Some(w)) = (r.priority, &r.weight_text) {
                let decimals = w
                    .trim_end_matches('%')
                    .split(',')
                    .nth(1)
                    .map_or(0, str::len);
                let expected = f64::from(p) / f64::from(s.declared_total) * 100.0;
                let half_unit = 0.5 * 10f64.powi(-(decimals as i32));
                assert!(
                    (parse_it(w) - expected).abs() <= half_unit + 1e-9,
                    "{} line {}",
                    s.code,
                    r.src_line
                );
            }
        }
        // continuation rows never carry priority or weight
        assert!(sr
            .iter()
            .filter(|r| r.objective().is_none())
            .all(|r| r.priority.is_none() && r.weight_text.is_none()));
    }
    // messy values kept verbatim
    let all_text: String = rows.iter().flat_map(|r| r.texts.iter()).cloned().collect();
    for needle in [
        "Entro il 31.04.2024",
        "almeno 2",
        "=<0",
        "= <0",
        "46.1.1.1/6.1.2.1/6.1.3.1",
        "Imaltzare",
        "consigli in coloud",
    ] {
        assert!(all_text.contains(needle), "{needle}");
    }
    // header variants
    let tec = portomaggiore_headers("TEC");
    assert_eq!(tec.len(), 3);
    assert_eq!(tec[0][1], "Indirizzi/Obiettivi strategici DUP aggiornati");
    assert_eq!(tec[1][15], "Ponderazione relativa obiettivi (in termini %)");
    assert_eq!(tec[2][15], "Ponderazione relativa obiettivo (in termini %)");
    let sap = portomaggiore_headers("SAP");
    assert!(sap[0][8].ends_with("eventuali Fasi"));
    assert!(sap[1][8].ends_with("eventuali fasi"));
    assert_eq!(portomaggiore_headers("STAFF")[0][0], "Missione");
}

// ---------------------------------------------------------------------------------------------
// Workbook builders
// ---------------------------------------------------------------------------------------------

#[test]
fn write_cremona_produces_one_sheet_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cremona.xlsx");
    write_cremona(&path).unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() > 0);

    let rows = cremona_rows();
    let lines = cremona_lines();
    let layout = cremona_layout();
    let names = cremona_sheet_names();
    let mut wb = open(&path);
    assert_eq!(wb.sheet_names(), names);
    assert_eq!(names[0], "Ambiente");
    assert_eq!(names[9], "Obiettivi di mandato");
    for n in &names {
        assert!(n.chars().count() <= 31 && !n.contains(['[', ']', ':', '*', '?', '/', '\\']));
    }

    let mut repeated_headers = 0;
    let mut empty_settore_after_break = 0;
    for (idx, ((line, lay), name)) in lines.iter().zip(&layout).zip(&names).enumerate() {
        assert_eq!(&lay.sheet, name);
        let range = wb.worksheet_range(name).unwrap();
        let merges = wb.merge_cells_by_sheet_name(name).unwrap();

        assert_eq!(text(&range, 0, 0), CREMONA_TITLE);
        assert!(has_merge(&merges, (0, 0), (0, 12)));
        assert_eq!(text(&range, 1, 0), CREMONA_SUBTITLE);
        assert_eq!(text(&range, CREMONA_HEADING_ROW, 0), line.heading);
        assert!(has_merge(&merges, (2, 0), (2, 12)));
        assert_eq!(text(&range, 3, 0), CREMONA_BANNER_LABEL);
        if idx % 2 == 0 {
            assert_eq!(text(&range, CREMONA_BANNER_ROW, 0), line.banner_text);
        } else {
            let v = float(&range, CREMONA_BANNER_ROW, 0);
            assert!((v - line.banner / 100.0).abs() < 1e-12, "{name}");
        }

        assert_eq!(lay.header_rows[0], CREMONA_HEADER_ROW);
        for &h in &lay.header_rows {
            for (c, expected) in CREMONA_HEADER.iter().enumerate() {
                assert_eq!(text(&range, h, c as u32), *expected, "{name} row {h}");
            }
        }
        repeated_headers += lay.header_rows.len() - 1;

        let lr: Vec<_> = rows.iter().filter(|r| r.linea == line.heading).collect();
        assert_eq!(lay.data_rows.len(), lr.len());
        // A reader that skips repeated headers and fills Settore/Obiettivo down gets the rows back.
        let mut settore = String::new();
        let mut obiettivo = String::new();
        for (r, &row) in lr.iter().zip(&lay.data_rows) {
            let s = text(&range, row, 0);
            if !s.is_empty() {
                settore = s;
            } else if lay.header_rows.contains(&(row - 1)) {
                empty_settore_after_break += 1;
            }
            let o = text(&range, row, 1);
            if !o.is_empty() {
                obiettivo = o;
            }
            assert_eq!(settore, r.settore, "{name} row {row}");
            assert_eq!(obiettivo, r.obiettivo, "{name} row {row}");
            assert_eq!(text(&range, row, 3), r.indicatore);
            assert_eq!(text(&range, row, 4), r.formula);
            assert_eq!(text(&range, row, 5), r.finalita);
            match &r.target_atteso_raw {
                Some(raw) => assert_eq!(&text(&range, row, 6), raw),
                None => assert_eq!(float(&range, row, 6), r.target_atteso),
            }
            assert_eq!(float(&range, row, 8), r.scostamento);
            let peso = float(&range, row, 10);
            if line.heading == "OBIETTIVI DI MANDATO" {
                assert!((peso - f64::from(r.peso) / 100.0).abs() < 1e-12);
            } else {
                assert_eq!(peso, f64::from(r.peso));
            }
            assert_eq!(float(&range, row, 11), f64::from(r.perc_ragg));
            assert_eq!(get(&range, row, 12), Data::Empty);
        }
        // Obiettivo and Definizione merged over every multi-row objective.
        let mut i = 0;
        while i < lr.len() {
            let mut j = i + 1;
            while j < lr.len() && lr[j].obj_id == lr[i].obj_id {
                j += 1;
            }
            let (a, b) = (lay.data_rows[i], lay.data_rows[j - 1]);
            assert_eq!(b - a, (j - i - 1) as u32, "objective split by a page break");
            if j - i > 1 {
                assert!(has_merge(&merges, (a, 1), (b, 1)), "{name} rows {a}-{b}");
                assert!(has_merge(&merges, (a, 2), (b, 2)), "{name} rows {a}-{b}");
            }
            assert_eq!(text(&range, a, 2), lr[i].definizione);
            i = j;
        }
        // Settore merged vertically somewhere on every sheet with a multi-row sector run.
        assert!(merges
            .iter()
            .any(|d| d.start.1 == 0 && d.end.1 == 0 && d.end.0 > d.start.0));
    }
    assert!(repeated_headers >= 5, "{repeated_headers}");
    assert!(empty_settore_after_break >= 1);

    // The neutralisation note and a number stored as text
    let range = wb.worksheet_range("Opere pubbliche").unwrap();
    let lay = &layout[2];
    let r15 = rows.iter().position(|r| r.obj_id == 15).unwrap();
    let first_of_line = rows
        .iter()
        .position(|r| r.linea == lines[2].heading)
        .unwrap();
    let row = lay.data_rows[r15 - first_of_line];
    assert!(text(&range, row, 9).starts_with("L'obiettivo è neutralizzato"));
    let range = wb.worksheet_range("Ambiente").unwrap();
    assert_eq!(text(&range, layout[0].data_rows[1], 6), "3.800");
}

#[test]
fn write_cremona_single_sheet_is_flat() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cremona_flat.xlsx");
    write_cremona_single_sheet(&path).unwrap();
    let rows = cremona_rows();
    let mut wb = open(&path);
    assert_eq!(wb.sheet_names(), [CREMONA_SINGLE_SHEET]);
    let range = wb.worksheet_range(CREMONA_SINGLE_SHEET).unwrap();
    let merges = wb.merge_cells_by_sheet_name(CREMONA_SINGLE_SHEET).unwrap();
    assert!(merges.is_empty());
    assert_eq!(text(&range, 0, 0), CREMONA_SINGLE_TITLE);
    let lay = cremona_single_sheet_layout();
    assert_eq!(lay.header_rows, [CREMONA_SINGLE_HEADER_ROW]);
    assert_eq!(text(&range, 1, 0), CREMONA_SINGLE_LINE_COLUMN);
    for (c, h) in CREMONA_HEADER.iter().enumerate() {
        assert_eq!(text(&range, 1, c as u32 + 1), *h);
    }
    assert_eq!(lay.data_rows.len(), 140);
    assert_eq!(range.end().unwrap().0, *lay.data_rows.last().unwrap());
    let mut groups = 0;
    let mut prev: Option<(String, String)> = None;
    for (r, &row) in rows.iter().zip(&lay.data_rows) {
        assert_eq!(text(&range, row, 0), r.linea);
        assert_eq!(text(&range, row, 1), r.settore);
        assert_eq!(text(&range, row, 2), r.obiettivo);
        assert_eq!(text(&range, row, 4), r.indicatore);
        let key = Some((text(&range, row, 1), text(&range, row, 2)));
        if key != prev {
            groups += 1;
            prev = key;
        }
    }
    // consecutive equal (Settore, Obiettivo) pairs give back the 82 objectives
    assert_eq!(groups, 82);
}

#[test]
fn write_portomaggiore_produces_one_sheet_per_sector() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("portomaggiore.xlsx");
    write_portomaggiore(&path).unwrap();
    let sectors = portomaggiore_sectors();
    let rows = portomaggiore_rows();
    let layout = portomaggiore_layout();
    let mut wb = open(&path);
    assert_eq!(wb.sheet_names(), PORTOMAGGIORE_SHEETS);

    for (i, (s, lay)) in sectors.iter().zip(&layout).enumerate() {
        let name = s.code.as_str();
        assert_eq!(lay.sheet, name);
        let range = wb.worksheet_range(name).unwrap();
        let merges = wb.merge_cells_by_sheet_name(name).unwrap();
        let title_row = if i == 0 {
            assert_eq!(
                text(&range, 0, 0),
                portomaggiore_document_title().join("\n")
            );
            assert!(has_merge(&merges, (0, 0), (0, 15)));
            2
        } else {
            0
        };
        assert_eq!(text(&range, title_row, 0), s.title_lines.join("\n"));
        assert!(has_merge(&merges, (title_row, 0), (title_row, 15)));
        let first_header = if i == 0 {
            PORTOMAGGIORE_FIRST_SHEET_HEADER_ROW
        } else {
            PORTOMAGGIORE_HEADER_ROW
        };
        assert_eq!(lay.header_rows[0], first_header);

        let headers = portomaggiore_headers(name);
        assert_eq!(lay.header_rows.len(), headers.len());
        for (&h, header) in lay.header_rows.iter().zip(&headers) {
            for (c, expected) in header.iter().enumerate() {
                assert_eq!(&text(&range, h, c as u32), expected, "{name} row {h}");
            }
            let (b1, b2) = (h - 2, h - 1);
            assert!(text(&range, b1, 0).starts_with("DOCUMENTO UNICO DI PROGRAMMAZIONE"));
            assert!(text(&range, b1, 8).starts_with("Piano Integrato Attività e Organizzazione"));
            assert_eq!(text(&range, b2, 0), "Sezione Strategica 2021/2026");
            assert_eq!(text(&range, b2, 7), "Mandato del Sindaco");
            assert!(text(&range, b2, 8).contains("2026 SETTORE"));
            for (a, b) in [
                ((b1, 0), (b1, 7)),
                ((b1, 8), (b1, 15)),
                ((b2, 0), (b2, 1)),
                ((b2, 2), (b2, 6)),
                ((b2, 8), (b2, 15)),
            ] {
                assert!(has_merge(&merges, a, b), "{name} {a:?}-{b:?}");
            }
        }

        let sr: Vec<_> = rows.iter().filter(|r| r.sector == s.code).collect();
        assert_eq!(sr.len(), lay.data_rows.len());
        let mut priority_sum = 0.0;
        for (r, &row) in sr.iter().zip(&lay.data_rows) {
            for c in 8..14 {
                assert_eq!(text(&range, row, c as u32), r.texts[c], "{name} row {row}");
            }
            match r.priority {
                Some(p) => {
                    assert_eq!(float(&range, row, 14), f64::from(p));
                    priority_sum += f64::from(p);
                }
                None => assert_eq!(get(&range, row, 14), Data::Empty),
            }
            match (&r.weight_text, name) {
                (None, _) => assert_eq!(get(&range, row, 15), Data::Empty),
                (Some(w), "STAFF" | "SAP") => assert_eq!(&text(&range, row, 15), w),
                (Some(w), _) => {
                    let v = float(&range, row, 15);
                    assert!((v * 100.0 - parse_it(w)).abs() < 1e-9, "{name} row {row}");
                }
            }
        }
        assert_eq!(priority_sum, f64::from(s.priority_sum_present));

        let t = lay.totale_row.unwrap();
        assert_eq!(t, lay.data_rows.last().unwrap() + 1);
        let label_col = if name == "FIN" { 13 } else { 0 };
        assert_eq!(text(&range, t, label_col), "totale");
        assert_eq!(float(&range, t, 14), f64::from(s.declared_total));
        let expected_total_text = if matches!(name, "STAFF" | "SAP") {
            "100%"
        } else {
            "100,00%"
        };
        assert_eq!(text(&range, t, 15), expected_total_text);
    }

    // Columns 1–8 are merged vertically: STAFF `M 01` spans source lines 20–24.
    let staff = &layout[0];
    let merges = wb.merge_cells_by_sheet_name("STAFF").unwrap();
    let first = staff.data_rows[0];
    assert!(has_merge(&merges, (first, 0), (first + 4, 0)));
    // …and never across a repeated header: SAP page 2 starts with an empty Missione cell.
    let sap = &layout[1];
    let range = wb.worksheet_range("SAP").unwrap();
    let first_p2 = sap.header_rows[1] + 1;
    assert_eq!(get(&range, first_p2, 0), Data::Empty);
    let merges = wb.merge_cells_by_sheet_name("SAP").unwrap();
    for d in merges.iter().filter(|d| d.end.0 > d.start.0) {
        for &h in &sap.header_rows {
            assert!(
                d.start.0 > h || d.end.0 < h - 2,
                "merge {d:?} crosses the bands/header at {h}"
            );
        }
    }
    // FIN keeps the one 4-decimal weight
    let fin_rows: Vec<_> = rows.iter().filter(|r| r.sector == "FIN").collect();
    let k = fin_rows
        .iter()
        .position(|r| r.weight_text.as_deref() == Some("10,2041%"))
        .unwrap();
    let range = wb.worksheet_range("FIN").unwrap();
    let v = float(&range, layout[2].data_rows[k], 15);
    assert!((v - 0.102041).abs() < 1e-12);
}
