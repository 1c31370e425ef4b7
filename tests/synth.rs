//! The synthetic workbooks of `benches/synth` (issue #8) in the three layouts barometro reads:
//! read back with automatic layout detection into exactly what was generated, scored by the
//! default rules with the intended mix of methods, the planted broken values reported on
//! their cells, and the same seed giving the same cells.

#[path = "../benches/synth/mod.rs"]
mod synth;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use barometro::model::{Ente, Severity, Source};
use barometro::read::{read_workbook, ReadOptions};
use barometro::rules::{evaluate, EvaluateOptions, Evaluation, RuleSet};
use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use synth::{write_workbook, Generated, Layout};

const SIZES: [usize; 3] = [1, 37, 500];
const SEED: u64 = 2024;

fn generate(layout: Layout, size: usize, seed: u64) -> (tempfile::TempDir, PathBuf, Generated) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir
        .path()
        .join(format!("{}-{size}-{seed}.xlsx", layout.word()));
    let generated = write_workbook(&path, layout, size, seed).expect("workbook written");
    (dir, path, generated)
}

fn read(path: &Path) -> Ente {
    read_workbook(path, &ReadOptions::default()).expect("workbook read")
}

/// The default rules at the Terre d'Argine monitoring date (31/07/2024): the P.A.I of the
/// activities are due to July; the other layouts do not use the date.
fn score(ente: Ente) -> Evaluation {
    let rules = RuleSet::default_set().expect("default rules compile");
    let options = EvaluateOptions {
        at: NaiveDate::from_ymd_opt(2024, 7, 31),
        ..EvaluateOptions::default()
    };
    evaluate(ente, &rules, &options)
}

/// `(sheet, row)` of a source.
fn at(source: &Source) -> (String, u32) {
    (source.sheet.to_string(), source.row)
}

/// The dash-only plan rows the reader keeps as indicators (see
/// [`dash_placeholder_rows_are_not_indicators`]).
fn dash_rows(g: &Generated) -> BTreeSet<(String, u32)> {
    g.dash_rows.iter().cloned().collect()
}

/// Reader findings: exactly the planted values, on their cells, with their rule and severity
/// (errors for what cannot be read, warnings for packed values and impossible dates in texts,
/// info for a row split by a page break), and nothing else at all.
fn check_reader_findings(ente: &Ente, g: &Generated, what: &str) {
    let planted: BTreeMap<(String, u32, u32, &str), Severity> = g
        .planted
        .iter()
        .map(|p| {
            let severity = match p.severity() {
                "errore" => Severity::Error,
                "avviso" => Severity::Warning,
                _ => Severity::Info,
            };
            ((p.sheet.clone(), p.row, p.col, p.kind), severity)
        })
        .collect();
    let found: BTreeMap<(String, u32, u32, &str), Severity> = ente
        .findings
        .iter()
        .map(|f| {
            let s = f
                .source
                .as_ref()
                .unwrap_or_else(|| panic!("{what}: a finding without its cell: {f:#?}"));
            (
                (s.sheet.to_string(), s.row, s.col, f.rule.as_str()),
                f.severity,
            )
        })
        .collect();
    assert_eq!(
        found.len(),
        ente.findings.len(),
        "{what}: one finding per cell"
    );
    assert_eq!(found, planted, "{what}: reader findings = planted values");
}

/// Errors of the evaluation (reader and rules): only the planted cells.
fn check_no_other_errors(ev: &Evaluation, g: &Generated, what: &str) {
    let planted: BTreeSet<(String, u32, u32)> = g
        .planted
        .iter()
        .map(|p| (p.sheet.clone(), p.row, p.col))
        .collect();
    for f in ev.all_findings().filter(|f| f.severity == Severity::Error) {
        let s = f.source.as_ref().expect("an error names its cell");
        assert!(
            planted.contains(&(s.sheet.to_string(), s.row, s.col)),
            "{what}: error not planted: {f:#?}"
        );
    }
}

fn methods(ev: &Evaluation, skip: &BTreeSet<(String, u32)>) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for (o, outcome) in ev.objectives() {
        for (i, io) in o.indicators.iter().zip(&outcome.indicators) {
            if !skip.contains(&at(&i.source)) {
                *out.entry(io.method.clone()).or_default() += 1;
            }
        }
    }
    out
}

fn as_strings(m: &BTreeMap<&'static str, usize>) -> BTreeMap<String, usize> {
    m.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

/// Activities by the kinds of [`Generated::activity_kinds`], from the evaluation.
fn activity_kinds(ev: &Evaluation) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for (o, outcome) in ev.objectives() {
        for (a, ao) in o.activities.iter().zip(&outcome.activities) {
            let next_year = a.year.as_ref().and_then(|y| y.number()) == Some(2025.0);
            let kind = if next_year {
                assert_eq!(ao.expected_computed.value, Some(0.0), "not due in 2024");
                "anno_successivo"
            } else if ao.expected_stored.is_none() {
                "pai_mancante"
            } else if ao.overridden {
                "pai_modificato"
            } else {
                "pai_uguale"
            };
            *out.entry(kind.to_string()).or_default() += 1;
            let status = a.status_label().unwrap_or("senza stato");
            *out.entry(status.to_string()).or_default() += 1;
        }
    }
    out
}

/// Generates, reads and scores one workbook; returns what was generated.
fn check(layout: Layout, size: usize) -> Generated {
    let what = format!("{} {size}", layout.word());
    let (_dir, path, g) = generate(layout, size, SEED);
    let ente = read(&path);

    // The size is what the layout counts.
    if layout.counts_activities() {
        assert_eq!(g.activities, size, "{what}");
    } else {
        assert_eq!(g.indicators, size, "{what}");
    }
    assert_eq!(ente.areas.len(), g.areas, "{what}: areas");
    assert_eq!(ente.objective_count(), g.objectives, "{what}: objectives");
    let dashes = dash_rows(&g);
    let indicators = ente
        .objectives()
        .flat_map(|o| &o.indicators)
        .filter(|i| !dashes.contains(&at(&i.source)))
        .count();
    assert_eq!(indicators, g.indicators, "{what}: indicators");
    let activities: usize = ente.objectives().map(|o| o.activities.len()).sum();
    assert_eq!(activities, g.activities, "{what}: activities");
    assert_eq!(
        ente.reporting_year, g.reporting_year,
        "{what}: reporting year"
    );
    check_reader_findings(&ente, &g, &what);

    let ev = score(ente);
    assert!(ev.stopped.is_none(), "{what}: {:?}", ev.stopped);
    check_no_other_errors(&ev, &g, &what);
    assert_eq!(methods(&ev, &dashes), as_strings(&g.methods), "{what}");
    if layout.counts_activities() {
        assert_eq!(activity_kinds(&ev), as_strings(&g.activity_kinds), "{what}");
        // An objective with activities scores Σ P.E.I; every area and the ente get a score.
        for (o, outcome) in ev.objectives() {
            let pei: f64 = o
                .activities
                .iter()
                .filter_map(|a| a.actual.as_ref()?.number())
                .sum();
            let score = outcome.score.value.expect("objective scored");
            assert!((score - pei).abs() < 1e-6, "{what}: {score} vs {pei}");
        }
    }
    for area in &ev.areas {
        assert!(area.score.value.is_some(), "{what}: area not scored");
    }
    assert!(ev.score.value.is_some(), "{what}: ente not scored");
    g
}

#[test]
fn table_layout_read_and_scored_at_every_size() {
    for size in SIZES {
        let g = check(Layout::Tabella, size);
        if size == 500 {
            let intended = ["fatto_non_fatto", "minore_migliore", "rapporto"];
            assert_eq!(g.methods.keys().copied().collect::<Vec<_>>(), intended);
        }
    }
}

#[test]
fn card_layout_read_and_scored_at_every_size() {
    for size in SIZES {
        let g = check(Layout::Schede, size);
        if size == 500 {
            // Every method of rules/predefinite/indicatori.rhai.
            let intended = [
                "anno_di_piano",
                "baseline_target",
                "fatto_non_fatto",
                "indicatore_non_valutabile",
                "manuale",
                "minore_migliore",
                "rapporto",
                "scadenza",
                "soglie",
            ];
            assert_eq!(g.methods.keys().copied().collect::<Vec<_>>(), intended);
            assert!(g.methods["rapporto"] * 2 < 500, "{:?}", g.methods);
            let kinds: BTreeSet<&str> = g.planted.iter().map(|p| p.kind).collect();
            assert_eq!(
                kinds,
                BTreeSet::from([
                    "data-impossibile-nel-testo",
                    "data-inesistente",
                    "errore-excel",
                    "numero-non-valido",
                    "piu-valori-in-una-cella",
                    "riga-spezzata"
                ])
            );
            assert!(!g.dash_rows.is_empty());
            assert!(g.texts_split > 0);
        }
    }
}

#[test]
fn activity_layout_read_and_scored_at_every_size() {
    for size in SIZES {
        let g = check(Layout::Attivita, size);
        if size == 500 {
            let intended = [
                "IN LINEA",
                "NON IN LINEA",
                "QUASI IN LINEA",
                "anno_successivo",
                "pai_mancante",
                "pai_modificato",
                "pai_uguale",
                "senza stato",
            ];
            assert_eq!(
                g.activity_kinds.keys().copied().collect::<Vec<_>>(),
                intended
            );
            assert!(!g.planted.is_empty());
        }
    }
}

#[test]
fn flat_activity_table_read_and_scored_at_every_size() {
    for size in SIZES {
        check(Layout::AttivitaTabella, size);
    }
}

/// The activity cards and the flat activity table of the same seed hold the same activities:
/// the same objectives, activities and figures once read and scored.
#[test]
fn activity_cards_and_flat_table_give_the_same_figures() {
    let (_a, cards, g1) = generate(Layout::Attivita, 100, SEED);
    let (_b, flat, g2) = generate(Layout::AttivitaTabella, 100, SEED);
    assert_eq!(
        (g1.areas, g1.objectives, &g1.activity_kinds),
        (g2.areas, g2.objectives, &g2.activity_kinds)
    );
    let (e1, e2) = (score(read(&cards)), score(read(&flat)));
    let figures = |ev: &Evaluation| -> Vec<(String, Option<f64>, Option<f64>)> {
        let mut out: Vec<_> = ev
            .areas
            .iter()
            .map(|a| (String::new(), a.score.value, a.expected.value))
            .collect();
        out.extend(ev.objectives().map(|(o, outcome)| {
            let code = o.code.as_ref().map(|c| c.text().to_string());
            (
                code.unwrap_or_default(),
                outcome.score.value,
                outcome.expected.value,
            )
        }));
        out
    };
    let (f1, f2) = (figures(&e1), figures(&e2));
    assert_eq!(f1.len(), f2.len());
    for (x, y) in f1.iter().zip(&f2) {
        assert_eq!(x.0, y.0);
        for (a, b) in [(x.1, y.1), (x.2, y.2)] {
            match (a, b) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-6, "{x:?} {y:?}"),
                _ => assert_eq!(a, b, "{x:?} {y:?}"),
            }
        }
    }
}

/// Every cell of every sheet (calamine values, formulas by their cached value) and the merged
/// regions.
type Cells = Vec<(String, Vec<(u32, u32, Data)>, Vec<(u32, u32, u32, u32)>)>;

fn cells(path: &Path) -> Cells {
    let mut xlsx: Xlsx<_> = calamine::open_workbook(path).expect("xlsx opens");
    let names = xlsx.sheet_names().to_vec();
    names
        .into_iter()
        .map(|name| {
            let range = xlsx.worksheet_range(&name).expect("sheet");
            let values = range
                .cells()
                .filter(|(_, _, d)| !matches!(d, Data::Empty))
                .map(|(r, c, d)| (r as u32, c as u32, d.clone()))
                .collect();
            let mut merged: Vec<(u32, u32, u32, u32)> = xlsx
                .merge_cells_by_sheet_name(&name)
                .expect("merged regions")
                .iter()
                .map(|d| (d.start.0, d.start.1, d.end.0, d.end.1))
                .collect();
            merged.sort_unstable();
            (name, values, merged)
        })
        .collect()
}

#[test]
fn the_same_seed_gives_the_same_cells_another_seed_others() {
    for layout in Layout::ALL {
        let (_a, first, g1) = generate(layout, 37, 11);
        let (_b, second, g2) = generate(layout, 37, 11);
        let (_c, other, g3) = generate(layout, 37, 12);
        let (c1, c2, c3) = (cells(&first), cells(&second), cells(&other));
        assert!(c1.iter().any(|(_, v, _)| !v.is_empty()), "{layout:?}");
        assert_eq!(c1, c2, "{layout:?}: same seed, same cells");
        assert_eq!(g1, g2, "{layout:?}");
        assert_ne!(c1, c3, "{layout:?}: another seed, other cells");
        // Another seed, still the requested size.
        if layout.counts_activities() {
            assert_eq!(g3.activities, 37);
        } else {
            assert_eq!(g3.indicators, 37);
        }
        // Byte for byte, even (fixed document properties).
        assert_eq!(
            std::fs::read(&first).unwrap(),
            std::fs::read(&second).unwrap(),
            "{layout:?}"
        );
    }
}

#[test]
fn the_table_layout_keeps_the_benchmarks_cells() {
    // `write_table_workbook` and `write_workbook(…, Tabella, …)` write the same file.
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.xlsx"), dir.path().join("b.xlsx"));
    synth::write_table_workbook(&a, 37, 5).unwrap();
    write_workbook(&b, Layout::Tabella, 37, 5).unwrap();
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
}

// ---------------------------------------------------------------------------------------------
// What the generator found the reader missing on realistic cards (issue #8); the ignored tests
// are still open
// ---------------------------------------------------------------------------------------------

/// A plan-year row with a dash in every cell (`2025 | - | - | … | -`, Casalgrande L290–L291,
/// L311–L312, L500–L501) is a placeholder, not an indicator: neither the dash under `Peso` nor
/// the one under the indicator's name (read as text) counts as a value.
#[test]
fn dash_placeholder_rows_are_not_indicators() {
    let (_dir, path, g) = generate(Layout::Schede, 500, SEED);
    assert!(!g.dash_rows.is_empty());
    let ente = read(&path);
    let dashes = dash_rows(&g);
    let kept: Vec<_> = ente
        .objectives()
        .flat_map(|o| &o.indicators)
        .filter(|i| dashes.contains(&at(&i.source)))
        .map(|i| i.source.cell())
        .collect();
    assert!(
        kept.is_empty(),
        "{} dash rows read as indicators: {kept:?}",
        kept.len()
    );
    assert_eq!(ente.indicator_count(), g.indicators);
}

/// A card's indicator table keeps the columns it has no role for (`Soglia minima`, a second
/// `Target`) as extra columns, their number cells as numbers, so the `soglie` method a `Metodo`
/// column asks for scores (`i.colonna("Soglia minima")`).
#[test]
fn thresholds_score_on_cards() {
    let (_dir, path, g) = generate(Layout::Schede, 500, SEED);
    assert!(g.methods["soglie"] > 0);
    let ev = score(read(&path));
    for (_, o) in ev.objectives() {
        for i in o.indicators.iter().filter(|i| i.method == "soglie") {
            assert!(i.score.value.is_some(), "{:?}", i.score.reason);
        }
    }
}

/// `--layout tabella` and `--layout schede` read the same objectives as the detection.
#[test]
fn forced_layouts_read_the_same() {
    use barometro::read::Layout as ReadLayout;
    for (layout, forced) in [
        (Layout::Tabella, ReadLayout::Table),
        (Layout::Schede, ReadLayout::Cards),
    ] {
        let (_dir, path, g) = generate(layout, 37, SEED);
        let ente = read_workbook(
            &path,
            &ReadOptions {
                layout: forced,
                ..ReadOptions::default()
            },
        )
        .unwrap();
        assert_eq!(ente.objective_count(), g.objectives, "{layout:?}");
    }
}

/// An Excel error as the value of a card's label row (`Realizzazione` = `=SUM(#REF!)`,
/// `Obiettivo padre:` = `=#REF!`) is an `errore-excel` error, as in an activity row or an
/// indicator table (the README promises it for every Excel error value), not a text that «is
/// not a number».
#[test]
fn excel_errors_in_card_labels_are_errors() {
    use rust_xlsxwriter::{Formula, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("etichette.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Schede S1").unwrap();
    let head = [
        "S1.00002",
        "(133)",
        "Gestione efficiente delle gare e dei contratti",
        "21.00.00.00 - U1 - AFFARI GENERALI",
        "Tipo obiettivo: Integrazione - Grado di strategicità: Media",
    ];
    for (i, text) in head.iter().enumerate() {
        ws.write_string(i as u32, 0, *text).unwrap();
    }
    ws.write_string(5, 0, "Realizzazione").unwrap();
    ws.write_formula(5, 1, Formula::new("=SUM(#REF!)").set_result("#REF!"))
        .unwrap();
    ws.write_string(6, 0, "Obiettivo padre:").unwrap();
    ws.write_formula(6, 1, Formula::new("=#REF!").set_result("#REF!"))
        .unwrap();
    let header = [
        "Attività",
        "Anno",
        "ES",
        "",
        "G",
        "F",
        "M",
        "A",
        "M",
        "G",
        "L",
        "A",
        "S",
        "O",
        "N",
        "D",
        "Peso",
        "P. Finale",
        "P.A.I",
        "P.E.I",
    ];
    for (c, text) in header.iter().enumerate() {
        ws.write_string(8, c as u16, *text).unwrap();
    }
    ws.write_string(9, 0, "raccolta dei fabbisogni").unwrap();
    ws.write_number(9, 1, 2024.0).unwrap();
    ws.write_string(9, 3, "Previsto").unwrap();
    for c in 4..16 {
        ws.write_string(9, c, "O").unwrap();
    }
    ws.write_string(9, 16, "100%").unwrap();
    ws.write_string(9, 18, "58.33%").unwrap();
    ws.write_string(10, 3, "Effettivo").unwrap();
    ws.write_string(10, 18, "58.33%").unwrap();
    wb.save(&path).unwrap();

    let ente = read(&path);
    let errors: BTreeSet<(String, &str)> = ente
        .findings
        .iter()
        .map(|f| (f.source.as_ref().unwrap().cell(), f.rule.as_str()))
        .collect();
    assert_eq!(
        errors,
        BTreeSet::from([
            ("B6".to_string(), "errore-excel"),
            ("B7".to_string(), "errore-excel")
        ]),
        "{:#?}",
        ente.findings
    );
    assert!(ente.findings.iter().all(|f| f.severity == Severity::Error));
}

/// The tail of an indicator's text left alone in the row after a page footer (Casalgrande EN3)
/// is joined to the indicator with an `info` finding even when the same tail occurs three times
/// on the sheet (`entro il 31/12/2024` is common): a text alone in its row three times or more
/// is page debris (a footer), but not in the name column of an indicator table right after an
/// indicator.
#[test]
fn repeated_tails_of_split_rows_are_not_debris() {
    use rust_xlsxwriter::Workbook;
    const FOOTER: &str = "Comune di Sintesi - Piano Integrato di Attività e Organizzazione";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("code.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Performance").unwrap();
    ws.write_string(0, 0, "SETTORE ENTRATE (3 OBIETTIVI)")
        .unwrap();
    let mut row = 1;
    for k in 1..=3u32 {
        for (label, value) in [
            ("Classificazione", "Efficienza"),
            ("Titolo", "Recupero dell'evasione"),
            ("Settore/Cdr", "Entrate"),
        ] {
            ws.write_string(row, 0, label).unwrap();
            ws.write_string(row, 1, value).unwrap();
            row += 1;
        }
        let header = [
            "Anno",
            "Indicatore (dimensione/formula di performance di efficacia e di efficienza)",
            "Tempistica (entro il)",
            "Target a preventivo",
            "Target raggiunto",
            "Peso (in % max 100)",
        ];
        for (c, h) in header.iter().enumerate() {
            ws.write_string(row, c as u16, *h).unwrap();
        }
        row += 1;
        ws.write_number(row, 0, 2024.0).unwrap();
        ws.write_string(
            row,
            1,
            format!("Numero di avvisi di accertamento emessi n. {k}"),
        )
        .unwrap();
        ws.write_string(row, 2, "31/12/2024").unwrap();
        ws.write_number(row, 3, 100.0).unwrap();
        ws.write_number(row, 4, 90.0).unwrap();
        ws.write_string(row, 5, if k == 3 { "34%" } else { "33%" })
            .unwrap();
        ws.write_string(row + 1, 0, FOOTER).unwrap();
        ws.write_string(row + 2, 1, "entro il 31/12/2024").unwrap();
        row += 4;
    }
    wb.save(&path).unwrap();

    let ente = read(&path);
    let names: Vec<String> = ente
        .objectives()
        .flat_map(|o| &o.indicators)
        .map(|i| i.name().map(|n| n.raw.to_string()).unwrap_or_default())
        .collect();
    assert_eq!(names.len(), 3);
    assert!(
        names.iter().all(|n| n.ends_with("entro il 31/12/2024")),
        "{names:?}"
    );
    let joined = ente
        .findings
        .iter()
        .filter(|f| f.rule == "riga-spezzata")
        .count();
    assert_eq!(joined, 3, "{:#?}", ente.findings);
}
