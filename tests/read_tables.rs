//! Reading the two table layouts of the seed documents: Cremona's results table (one sheet
//! per strategic line, and one flat sheet) and Portomaggiore's plan table.

mod common;

use std::path::{Path, PathBuf};

use barometro::model::{Area, Ente, Indicator, Objective, Severity};
use barometro::read::{read_workbook, ReadOptions};
use barometro::value::Value;
use common::fixtures::*;

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn read(path: &Path) -> Ente {
    read_workbook(path, &ReadOptions::default()).expect("the workbook reads")
}

fn cremona(dir: &Path) -> PathBuf {
    let p = dir.join("cremona.xlsx");
    write_cremona(&p).expect("fixture written");
    p
}

fn indicators(ente: &Ente) -> Vec<(&Objective, &Indicator)> {
    ente.objectives()
        .flat_map(|o| o.indicators.iter().map(move |i| (o, i)))
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn cremona_reads_as_ten_lines_82_objectives_140_indicators() {
    let dir = tmp();
    let ente = read(&cremona(dir.path()));
    let lines = cremona_lines();
    assert_eq!(ente.ente, "Comune di Cremona");
    assert_eq!(ente.areas.len(), 10);
    assert_eq!(ente.objective_count(), 82);
    assert_eq!(ente.indicator_count(), 140);
    for (area, line) in ente.areas.iter().zip(&lines) {
        assert_eq!(area.name, line.heading);
        let objectives: Vec<&Objective> = area.all_objectives().collect();
        assert_eq!(
            objectives.len(),
            line.objectives + line.neutralised,
            "{}",
            area.name
        );
        assert_eq!(
            objectives.iter().filter(|o| o.neutralised).count(),
            line.neutralised,
            "{}",
            area.name
        );
        let n: usize = objectives.iter().map(|o| o.indicators.len()).sum();
        assert_eq!(n, line.indicators, "{}", area.name);
        // The printed banner is read as a stated total of the line, as a percentage.
        let banner = area
            .stated_totals
            .iter()
            .find_map(|t| t.value("raggiungimento"))
            .expect("banner read");
        assert!(
            matches!(banner.value, Value::Percent { percent } if (percent - line.banner).abs() < 1e-9),
            "{}: {:?}",
            area.name,
            banner.value
        );
        // Two levels: line → settore.
        assert!(area.objectives.is_empty());
        assert!(!area.areas.is_empty());
        assert!(area
            .areas
            .iter()
            .all(|s| s.name.starts_with("Settore") || s.name.starts_with("Unità")));
    }
    // No reading errors in a clean document.
    let errors: Vec<_> = ente
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn cremona_values_match_the_document_row_by_row() {
    let dir = tmp();
    let ente = read(&cremona(dir.path()));
    let rows = cremona_rows();
    let read_rows = indicators(&ente);
    assert_eq!(read_rows.len(), rows.len());
    // Sheet order follows the lines, and rows inside a line follow the document, but sectors
    // are grouped; compare by source row instead of position.
    let layout = cremona_layout();
    for (sheet_layout, line) in layout.iter().zip(cremona_lines()) {
        let line_rows: Vec<&CremonaRow> = rows.iter().filter(|r| r.linea == line.heading).collect();
        for (row, data_row) in line_rows.iter().zip(&sheet_layout.data_rows) {
            let (objective, ind) = read_rows
                .iter()
                .find(|(_, i)| *i.source.sheet == sheet_layout.sheet && i.source.row == *data_row)
                .unwrap_or_else(|| {
                    panic!("no indicator at {}!{}", sheet_layout.sheet, data_row + 1)
                });
            let title = objective.title.as_ref().expect("title");
            assert_eq!(title.raw, row.obiettivo);
            assert_eq!(
                ind.name().map(|f| f.raw.as_str()),
                Some(row.indicatore.as_str())
            );
            let target = ind
                .target()
                .expect("target")
                .number()
                .expect("numeric target");
            let actual = ind
                .actual()
                .expect("actual")
                .number()
                .expect("numeric actual");
            assert!(
                close(target, row.target_atteso),
                "{} {target}",
                row.src_line
            );
            assert!(
                close(actual, row.target_consuntivo),
                "{} {actual}",
                row.src_line
            );
            if let Some(raw) = &row.target_atteso_raw {
                assert_eq!(&ind.target().unwrap().raw, raw);
            }
            let weight = ind.weight().expect("weight");
            assert!(
                matches!(weight.value, Value::Percent { percent } if close(percent, row.peso as f64)),
                "{}: {:?}",
                row.src_line,
                weight.value
            );
            let stated = ind.stated_achievement().expect("% Ragg").number().unwrap();
            assert!(close(stated, row.perc_ragg as f64));
            assert!(close(
                ind.deviation().unwrap().number().unwrap(),
                row.scostamento
            ));
            assert_eq!(objective.neutralised, row.neutralizzato, "{}", row.src_line);
            // Every value keeps its cell.
            assert_eq!(
                ind.target()
                    .unwrap()
                    .source
                    .to_string()
                    .split('!')
                    .nth(1)
                    .unwrap(),
                format!("G{}", data_row + 1)
            );
        }
    }
}

#[test]
fn cremona_neutralised_objective_keeps_its_note() {
    let dir = tmp();
    let ente = read(&cremona(dir.path()));
    let neutralised: Vec<&Objective> = ente.objectives().filter(|o| o.neutralised).collect();
    assert_eq!(neutralised.len(), 1);
    let o = neutralised[0];
    assert!(o.title.as_ref().unwrap().raw.contains("Largo Moreni"));
    assert!(o
        .note
        .as_ref()
        .unwrap()
        .raw
        .starts_with("L'obiettivo è neutralizzato"));
    assert!(o
        .indicators
        .iter()
        .all(|i| i.weight().and_then(|w| w.number()) == Some(0.0)));
}

#[test]
fn cremona_single_sheet_with_a_line_column_reads_the_same() {
    let dir = tmp();
    let path = dir.path().join("cremona-un-foglio.xlsx");
    write_cremona_single_sheet(&path).unwrap();
    let ente = read(&path);
    let lines = cremona_lines();
    assert_eq!(ente.ente, "Comune di Cremona");
    assert_eq!(ente.areas.len(), 10);
    assert_eq!(ente.objective_count(), 82);
    assert_eq!(ente.indicator_count(), 140);
    for (area, line) in ente.areas.iter().zip(&lines) {
        assert_eq!(area.name, line.heading);
        assert_eq!(
            area.all_objectives().count(),
            line.objectives + line.neutralised
        );
    }
}

fn portomaggiore(dir: &Path) -> PathBuf {
    let p = dir.join("portomaggiore.xlsx");
    write_portomaggiore(&p).expect("fixture written");
    p
}

fn sector<'a>(ente: &'a Ente, code: &str) -> &'a Area {
    ente.areas
        .iter()
        .find(|a| a.name.ends_with(&format!("({code})")))
        .unwrap_or_else(|| {
            panic!(
                "sector {code} not found in {:?}",
                ente.areas.iter().map(|a| &a.name).collect::<Vec<_>>()
            )
        })
}

#[test]
fn portomaggiore_reads_four_sectors_and_their_totals() {
    let dir = tmp();
    let ente = read(&portomaggiore(dir.path()));
    let sectors = portomaggiore_sectors();
    assert_eq!(ente.areas.len(), 4);
    for expected in &sectors {
        let area = sector(&ente, &expected.code);
        assert_eq!(area.kind, "Settore");
        assert_eq!(
            area.objectives.len(),
            expected.objectives,
            "{}",
            expected.code
        );
        // The totale row is a stated total, not an objective.
        assert_eq!(area.stated_totals.len(), 1, "{}", expected.code);
        let total = &area.stated_totals[0];
        assert_eq!(normalise(&total.label.raw), "totale");
        let priority = total
            .value("priorita")
            .expect("Σ priorities")
            .number()
            .unwrap();
        assert!(
            close(priority, expected.declared_total as f64),
            "{}",
            expected.code
        );
        let weight = total.value("peso_obiettivo").expect("100%");
        assert!(matches!(weight.value, Value::Percent { percent } if close(percent, 100.0)));
        // Priorities present in the rows.
        let sum: f64 = area
            .objectives
            .iter()
            .filter_map(|o| o.priority.as_ref().and_then(|p| p.number()))
            .sum();
        assert!(
            close(sum, expected.priority_sum_present as f64),
            "{}: {sum}",
            expected.code
        );
        assert!(area.objectives.iter().all(|o| o
            .title
            .as_ref()
            .is_none_or(|t| normalise(&t.raw) != "totale")));
    }
    let totals: Vec<u32> = ["STAFF", "SAP", "FIN", "TEC"]
        .iter()
        .map(|c| {
            sector(&ente, c).stated_totals[0]
                .value("priorita")
                .unwrap()
                .number()
                .unwrap() as u32
        })
        .collect();
    assert_eq!(totals, vec![24, 74, 49, 94]);
}

fn normalise(s: &str) -> String {
    barometro::read::normalise_header(s)
}

#[test]
fn portomaggiore_weights_codes_and_strategy_links() {
    let dir = tmp();
    let ente = read(&portomaggiore(dir.path()));
    let staff = sector(&ente, "STAFF");
    let first = &staff.objectives[0];
    assert_eq!(first.code.as_ref().unwrap().raw, "1.1.1");
    assert!(
        matches!(first.priority.as_ref().unwrap().value, Value::Number { number, .. } if close(number, 5.0))
    );
    assert_eq!(first.weight.as_ref().unwrap().raw, "20,8333%");
    assert!(
        matches!(first.weight.as_ref().unwrap().value, Value::Percent { percent } if close(percent, 20.8333))
    );
    // Missione is filled down from its merged cell and kept as a strategic link.
    assert!(staff.objectives.iter().all(|o| o
        .strategy
        .iter()
        .any(|(h, f)| normalise(h) == "missione" && f.raw.starts_with('M'))));
    // FIN weights are numbers formatted as %.
    let fin = sector(&ente, "FIN");
    let w: Vec<f64> = fin
        .objectives
        .iter()
        .filter_map(|o| o.weight.as_ref())
        .map(|w| match w.value {
            Value::Percent { percent } => percent,
            ref other => panic!("weight not a percentage: {other:?}"),
        })
        .collect();
    assert!(w.iter().any(|p| close(*p, 8.16)), "{w:?}");
    assert!(w.iter().any(|p| close(*p, 10.2041)), "{w:?}");
}

#[test]
fn portomaggiore_impossible_date_is_an_error_with_its_cell() {
    let dir = tmp();
    let ente = read(&portomaggiore(dir.path()));
    let f = ente
        .findings
        .iter()
        .find(|f| f.rule == "data-inesistente" && f.message.contains("31.04.2024"))
        .unwrap_or_else(|| panic!("{:#?}", ente.findings));
    assert_eq!(f.severity, Severity::Error);
    let source = f.source.as_ref().unwrap();
    assert_eq!(&*source.sheet, "STAFF");
}
