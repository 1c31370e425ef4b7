//! Layout variants the table reader must cope with, each built here with rust_xlsxwriter:
//! unknown headers and the user mapping, two-row headers, section headings, blank
//! continuation cells, hidden sheets, Excel errors, dates, polarity, one sheet per area.

use std::path::{Path, PathBuf};

use barometro::model::{Ente, Polarity, Severity};
use barometro::read::{read_workbook, HeaderMap, ReadOptions};
use barometro::value::{DatePrecision, Value};
use chrono::NaiveDate;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook, Worksheet};

fn write_rows(ws: &mut Worksheet, first_row: u32, rows: &[&[&str]]) {
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            if !text.is_empty() {
                ws.write(first_row + r as u32, c as u16, *text).unwrap();
            }
        }
    }
}

fn save(wb: &mut Workbook, dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    wb.save(&p).unwrap();
    p
}

fn read(path: &Path) -> Ente {
    read_workbook(path, &ReadOptions::default()).unwrap()
}

#[test]
fn unknown_headers_are_kept_and_a_mapping_file_names_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Obiettivi").unwrap();
    write_rows(
        ws,
        0,
        &[
            &[
                "Settore",
                "Obiettivo",
                "Indicatore",
                "Previsione 2024",
                "Esito al 31/12",
                "Colonna di servizio",
            ],
            &["Finanze", "Bilancio", "Approvazione", ">= 6", "7", "xyz"],
        ],
    );
    let p = save(&mut wb, dir.path(), "mappa.xlsx");
    let ente = read(&p);
    let ind = &ente.objectives().next().unwrap().indicators[0];
    assert!(ind.target().is_none());
    let headers: Vec<&str> = ind.extra.iter().map(|(h, _)| h.as_str()).collect();
    assert_eq!(
        headers,
        ["Previsione 2024", "Esito al 31/12", "Colonna di servizio"]
    );

    let map = HeaderMap::from_toml_str(
        "[colonne]\n\"Previsione 2024\" = \"target\"\n\"Esito al 31/12\" = \"consuntivo\"\n\"Colonna di servizio\" = \"ignora\"\n",
    )
    .unwrap();
    let options = ReadOptions {
        header_map: map,
        ..ReadOptions::default()
    };
    let ente = read_workbook(&p, &options).unwrap();
    let ind = &ente.objectives().next().unwrap().indicators[0];
    assert!(ind.extra.is_empty());
    assert!(matches!(
        ind.target().unwrap().value,
        Value::Comparison { number, .. } if number == 6.0
    ));
    assert_eq!(ind.actual().unwrap().number(), Some(7.0));
}

#[test]
fn two_row_header_with_a_group_cell_over_sub_headers() {
    let dir = tempfile::tempdir().unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Piano").unwrap();
    let f = Format::new();
    ws.write(0, 0, "Piano della performance 2025").unwrap();
    ws.merge_range(1, 0, 2, 0, "Obiettivo", &f).unwrap();
    ws.merge_range(1, 1, 2, 1, "Indicatore", &f).unwrap();
    ws.merge_range(1, 2, 1, 3, "Target", &f).unwrap();
    ws.write(2, 2, "atteso").unwrap();
    ws.write(2, 3, "consuntivo").unwrap();
    ws.merge_range(1, 4, 2, 4, "Peso", &f).unwrap();
    write_rows(
        ws,
        3,
        &[&["Riscossione", "Incassi", "3.800", "3.420", "100"]],
    );
    let ente = read(&save(&mut wb, dir.path(), "due-righe.xlsx"));
    assert_eq!(ente.indicator_count(), 1);
    let ind = &ente.objectives().next().unwrap().indicators[0];
    assert_eq!(ind.target().unwrap().number(), Some(3800.0));
    assert_eq!(ind.actual().unwrap().number(), Some(3420.0));
    assert_eq!(ind.actual().unwrap().source.to_string(), "Piano!D4");
    assert!(matches!(ind.weight().unwrap().value, Value::Percent { percent } if percent == 100.0));
}

#[test]
fn blank_continuation_cells_and_section_headings_in_one_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Tutto").unwrap();
    let f = Format::new();
    write_rows(
        ws,
        0,
        &[&[
            "Settore",
            "Obiettivo",
            "Indicatore",
            "Target",
            "Consuntivo",
            "Peso",
        ]],
    );
    ws.merge_range(1, 0, 1, 5, "LINEA STRATEGICA A - Territorio", &f)
        .unwrap();
    ws.write(2, 0, "% Raggiungimento obiettivi per area strategica")
        .unwrap();
    ws.write(2, 1, "87,50%").unwrap();
    write_rows(
        ws,
        3,
        &[
            &["Settore Tecnico", "Strade", "Km asfaltati", "10", "8", "60"],
            &["", "", "Buche chiuse", "100", "100", "40"],
            &["", "Verde", "Alberi piantati", "50", "60", "100"],
            &[
                "Settore Finanze",
                "Bilancio",
                "Approvazione",
                "1",
                "1",
                "100",
            ],
        ],
    );
    ws.merge_range(7, 0, 7, 5, "LINEA STRATEGICA B - Servizi", &f)
        .unwrap();
    write_rows(
        ws,
        8,
        &[
            &["Settore Sociale", "Anziani", "Visite", "200", "150", "100"],
            &["", "", "", "", "", ""],
            &[
                "Settore",
                "Obiettivo",
                "Indicatore",
                "Target",
                "Consuntivo",
                "Peso",
            ],
            &["", "Anziani", "Pasti", "1.000", "1.200", "0"],
        ],
    );
    let ente = read(&save(&mut wb, dir.path(), "sezioni.xlsx"));
    let names: Vec<&str> = ente.areas.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "LINEA STRATEGICA A - Territorio",
            "LINEA STRATEGICA B - Servizi"
        ]
    );
    let a = &ente.areas[0];
    let sectors: Vec<&str> = a.areas.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(sectors, ["Settore Tecnico", "Settore Finanze"]);
    let tecnico = &a.areas[0];
    assert_eq!(tecnico.objectives.len(), 2);
    assert_eq!(tecnico.objectives[0].indicators.len(), 2);
    assert_eq!(tecnico.objectives[1].indicators.len(), 1);
    let banner = a.stated_totals[0].value("raggiungimento").unwrap();
    assert!(matches!(banner.value, Value::Percent { percent } if (percent - 87.5).abs() < 1e-9));
    // Across an empty row and a repeated header, the sector and the objective continue.
    let b = &ente.areas[1];
    assert_eq!(b.areas.len(), 1);
    assert_eq!(b.areas[0].objectives.len(), 1);
    assert_eq!(b.areas[0].objectives[0].indicators.len(), 2);
    assert_eq!(ente.indicator_count(), 6);
}

#[test]
fn an_indicator_row_before_any_objective_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Foglio1").unwrap();
    write_rows(
        ws,
        0,
        &[
            &["Obiettivo", "Indicatore", "Target", "Consuntivo"],
            &["", "Orfano", "1", "1"],
            &["Vero obiettivo", "Figlio", "2", "2"],
        ],
    );
    let ente = read(&save(&mut wb, dir.path(), "orfano.xlsx"));
    let f = ente
        .findings
        .iter()
        .find(|f| f.rule == "riga-senza-obiettivo")
        .unwrap();
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.source.as_ref().unwrap().to_string(), "Foglio1!A2");
    assert_eq!(ente.indicator_count(), 2);
}

#[test]
fn hidden_sheets_are_skipped_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Visibile").unwrap();
    write_rows(
        ws,
        0,
        &[&["Obiettivo", "Indicatore", "Target"], &["A", "a", "1"]],
    );
    let ws = wb.add_worksheet().set_name("Nascosto").unwrap();
    write_rows(
        ws,
        0,
        &[&["Obiettivo", "Indicatore", "Target"], &["B", "b", "1"]],
    );
    ws.set_hidden(true);
    let p = save(&mut wb, dir.path(), "nascosto.xlsx");
    let ente = read(&p);
    assert_eq!(ente.objective_count(), 1);
    let f = ente
        .findings
        .iter()
        .find(|f| f.rule == "foglio-nascosto")
        .unwrap();
    assert_eq!(f.severity, Severity::Info);
    assert!(f.message.contains("«Nascosto»"));
    let options = ReadOptions {
        include_hidden: true,
        ..ReadOptions::default()
    };
    let ente = read_workbook(&p, &options).unwrap();
    assert_eq!(ente.objective_count(), 2);
    // Two sheets with no area column and no title: one area per sheet, named by the sheet.
    let names: Vec<&str> = ente.areas.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["Visibile", "Nascosto"]);
}

#[test]
fn excel_errors_dates_percent_formats_and_polarity() {
    let dir = tempfile::tempdir().unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Indicatori").unwrap();
    write_rows(
        ws,
        0,
        &[&[
            "Obiettivo",
            "Indicatore",
            "Polarità",
            "Target",
            "Consuntivo",
            "Peso",
            "Scadenza",
        ]],
    );
    let pct = Format::new().set_num_format("0%");
    let date = Format::new().set_num_format("dd/mm/yyyy");
    write_rows(
        ws,
        1,
        &[&["Pagamenti", "Tempo medio", "minore è meglio", "30"]],
    );
    ws.write_formula(1, 4, Formula::new("=1/0").set_result("#DIV/0!"))
        .unwrap();
    ws.write_with_format(1, 5, 0.4, &pct).unwrap();
    let d = ExcelDateTime::from_ymd(2024, 12, 31).unwrap();
    ws.write_datetime_with_format(1, 6, &d, &date).unwrap();
    write_rows(ws, 2, &[&["", "Fatture", "crescente", "100", "90"]]);
    ws.write_with_format(2, 5, 0.6, &pct).unwrap();
    ws.write(2, 6, "entro marzo 2025").unwrap();
    write_rows(
        ws,
        3,
        &[&["", "Reclami", "boh", "5", "4", "0", "31/02/2025"]],
    );
    let ente = read(&save(&mut wb, dir.path(), "valori.xlsx"));
    let o = ente.objectives().next().unwrap();
    let [a, b, c] = &o.indicators[..] else {
        panic!("three indicators expected")
    };
    assert_eq!(a.polarity, Some(Polarity::Decrescente));
    assert_eq!(b.polarity, Some(Polarity::Crescente));
    assert_eq!(c.polarity, None);
    assert!(matches!(a.actual().unwrap().value, Value::Invalid { .. }));
    assert!(
        matches!(a.weight().unwrap().value, Value::Percent { percent } if (percent - 40.0).abs() < 1e-9)
    );
    assert_eq!(a.weight().unwrap().raw, "40%");
    assert_eq!(
        a.deadline().unwrap().value,
        Value::Date {
            date: NaiveDate::from_ymd_opt(2024, 12, 31).unwrap(),
            precision: DatePrecision::Day
        }
    );
    assert_eq!(
        b.deadline().unwrap().value,
        Value::Date {
            date: NaiveDate::from_ymd_opt(2025, 3, 31).unwrap(),
            precision: DatePrecision::Month
        }
    );
    let rules: Vec<(&str, String, Severity)> = ente
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.as_str(),
                f.source.as_ref().unwrap().to_string(),
                f.severity,
            )
        })
        .collect();
    assert!(
        rules.contains(&("errore-excel", "Indicatori!E2".into(), Severity::Error)),
        "{rules:?}"
    );
    assert!(
        rules.contains(&(
            "polarita-sconosciuta",
            "Indicatori!C4".into(),
            Severity::Warning
        )),
        "{rules:?}"
    );
    assert!(
        rules.contains(&("data-inesistente", "Indicatori!G4".into(), Severity::Error)),
        "{rules:?}"
    );
}

#[test]
fn totale_rows_are_stated_totals_and_trailing_columns_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Settore Finanze").unwrap();
    write_rows(
        ws,
        0,
        &[
            &["Obiettivo", "Indicatore", "Priorità", "Ponderazione"],
            &["1.1 Bilancio", "Approvazione", "5", "62,50%"],
            &["1.2 Cassa", "Verifiche", "3", "37,50%"],
            &["totale", "", "8", "100%"],
        ],
    );
    ws.write(1, 7, "appunto a margine").unwrap();
    let ente = read(&save(&mut wb, dir.path(), "totale.xlsx"));
    let area = &ente.areas[0];
    assert_eq!(area.name, "Settore Finanze");
    assert_eq!(area.objectives.len(), 2);
    assert_eq!(area.objectives[0].code.as_ref().unwrap().raw, "1.1");
    assert_eq!(area.stated_totals.len(), 1);
    assert_eq!(
        area.stated_totals[0].value("priorita").unwrap().number(),
        Some(8.0)
    );
    let info = ente
        .findings
        .iter()
        .find(|f| f.rule == "colonna-senza-intestazione")
        .unwrap();
    assert_eq!(
        info.source.as_ref().unwrap().to_string(),
        "'Settore Finanze'!H2"
    );
}

#[test]
fn every_optional_column_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Piano").unwrap();
    write_rows(
        ws,
        0,
        &[
            &[
                "Codice",
                "Obiettivo",
                "Descrizione",
                "Priorità",
                "Ponderazione",
                "Responsabile",
                "Indicatore",
                "Formula",
                "Polarità",
                "Metodo",
                "Baseline (o stato del bisogno)",
                "Target intermedio",
                "Risultato intermedio",
                "Target",
                "Risultato finale",
                "Scadenza",
                "Peso",
                "Note",
            ],
            &[
                "OS98",
                "Tempi di pagamento",
                "Ridurre i tempi",
                "4",
                "20%",
                "Dott.ssa Rossi",
                "Indicatore di tempestività",
                "giorni medi di ritardo",
                "decrescente",
                "soglie",
                "- 10gg",
                "-12",
                "-14",
                "non inferiore a -15gg",
                "-23,15",
                "31/12/2023",
                "100",
                "dato da PCC",
            ],
        ],
    );
    let ente = read(&save(&mut wb, dir.path(), "opzionali.xlsx"));
    let o = ente.objectives().next().unwrap();
    assert_eq!(o.code.as_ref().unwrap().raw, "OS98");
    assert_eq!(o.description.as_ref().unwrap().raw, "Ridurre i tempi");
    assert_eq!(o.priority.as_ref().unwrap().number(), Some(4.0));
    assert!(
        matches!(o.weight.as_ref().unwrap().value, Value::Percent { percent } if percent == 20.0)
    );
    assert_eq!(o.responsible.as_ref().unwrap().raw, "Dott.ssa Rossi");
    assert_eq!(o.note.as_ref().unwrap().raw, "dato da PCC");
    let i = &o.indicators[0];
    assert_eq!(i.formula().unwrap().raw, "giorni medi di ritardo");
    assert_eq!(i.polarity, Some(Polarity::Decrescente));
    assert_eq!(i.method().unwrap().raw, "soglie");
    assert_eq!(
        i.baseline().unwrap().value,
        Value::Number {
            number: -10.0,
            unit: Some("gg".into())
        }
    );
    assert_eq!(i.interim_target().unwrap().number(), Some(-12.0));
    assert_eq!(i.interim_actual().unwrap().number(), Some(-14.0));
    assert!(matches!(
        i.target().unwrap().value,
        Value::Comparison { number, .. } if number == -15.0
    ));
    assert_eq!(i.actual().unwrap().number(), Some(-23.15));
    assert!(matches!(i.deadline().unwrap().value, Value::Date { .. }));
    assert!(matches!(i.weight().unwrap().value, Value::Percent { percent } if percent == 100.0));
    assert!(ente.findings.is_empty(), "{:#?}", ente.findings);
}

/// Rewrites `xl/workbook.xml` of an XLSX so that it uses the 1904 date system.
fn to_1904(path: &Path) {
    use std::io::{Read, Write};
    let bytes = std::fs::read(path).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        if name == "xl/workbook.xml" {
            let text = String::from_utf8(data).unwrap();
            assert!(text.contains("<workbookPr"), "{text}");
            data = text
                .replace("<workbookPr", "<workbookPr date1904=\"1\"")
                .into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&data).unwrap();
    }
    std::fs::write(path, out.finish().unwrap().into_inner()).unwrap();
}

#[test]
fn dates_in_the_1904_system() {
    let dir = tempfile::tempdir().unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Mac").unwrap();
    write_rows(
        ws,
        0,
        &[
            &["Obiettivo", "Indicatore", "Scadenza"],
            &["Archivio", "Riordino"],
        ],
    );
    let date = Format::new().set_num_format("dd/mm/yyyy");
    // 44195 is 31/12/2024 counted from 1904, 30/12/2020 counted from 1900.
    ws.write_number_with_format(1, 2, 44195.0, &date).unwrap();
    let p = save(&mut wb, dir.path(), "mac.xlsx");
    let deadline = |ente: &Ente| {
        ente.objectives().next().unwrap().indicators[0]
            .deadline()
            .unwrap()
            .clone()
    };
    let d1900 = deadline(&read(&p));
    assert_eq!(d1900.raw, "30/12/2020");
    to_1904(&p);
    let d1904 = deadline(&read(&p));
    assert_eq!(d1904.raw, "31/12/2024");
    assert_eq!(
        d1904.value,
        Value::Date {
            date: NaiveDate::from_ymd_opt(2024, 12, 31).unwrap(),
            precision: DatePrecision::Day
        }
    );
}
