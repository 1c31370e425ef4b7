//! The LibreOffice helper itself (`tests/common/libreoffice.rs`): a workbook whose cached
//! formula results are right comes back from LibreOffice Calc with no mismatch, and one with two
//! deliberately wrong cached results comes back with exactly those two, which proves Calc really
//! recalculated instead of copying the cached values.
//!
//! Without LibreOffice the Calc tests are skipped, or fail if `BAROMETRO_REQUIRE_LIBREOFFICE=1`.

#[path = "common/libreoffice.rs"]
mod libreoffice;

use std::path::Path;

use calamine::Data;
use libreoffice::{
    a1, compare_formulas, recalculate, recalculate_and_compare, recalculate_in_locale, same_value,
    soffice_or_skip,
};
use rust_xlsxwriter::{Format, Formula, Workbook, XlsxError};

const SECOND: &str = "Conti d'Italia";

/// Cached results that are wrong in the "wrong" workbook: (sheet, A1 cell, wrong value).
const WRONG: [(&str, &str, &str); 2] = [("Dati", "E3", "79.22"), (SECOND, "B5", "1244.5")];

/// Number of formula cells written by [`write_workbook`].
const FORMULAS: usize = 19;

/// Two sheets of plain values and formulas, every formula with its cached result; with
/// `wrong`, the cells of [`WRONG`] get a wrong cached result instead.
fn write_workbook(path: &Path, wrong: bool) -> Result<(), XlsxError> {
    let cached = |sheet: &str, cell: &str, right: &str| -> String {
        if wrong {
            if let Some((_, _, bad)) = WRONG.iter().find(|(s, c, _)| *s == sheet && *c == cell) {
                return bad.to_string();
            }
        }
        right.to_string()
    };
    let f = |sheet: &str, cell: &str, text: &str, right: &str| {
        Formula::new(text).set_result(cached(sheet, cell, right))
    };

    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("dd/mm/yyyy");

    let ws = wb.add_worksheet().set_name("Dati")?;
    // rust_xlsxwriter treats `set_result("")` as "no result" and writes the sheet's default
    // result, "0": a formula whose value is the empty text needs the default to be "".
    ws.set_formula_result_default("");
    ws.write_string(0, 0, "Voce")?;
    ws.write_string(0, 1, "Peso")?;
    ws.write_string(0, 2, "Valore")?;
    for (row, (name, weight, value)) in [
        ("Uno", 0.5, Some(80.0)),
        ("Due", 0.3, None), // blank: AVERAGE skips it, SUMPRODUCT counts it as 0
        ("Tre", 0.2, Some(95.5)),
    ]
    .into_iter()
    .enumerate()
    {
        let row = row as u32 + 1;
        ws.write_string(row, 0, name)?;
        ws.write_number(row, 1, weight)?;
        if let Some(v) = value {
            ws.write_number(row, 2, v)?;
        }
    }
    // Formulas from E2 down: calamine's formula range starts at E2, the value range at A1.
    let s = "Dati";
    let col = 4;
    let rows: [(&str, &str, &str); 13] = [
        ("E2", "=SUMPRODUCT(B2:B4,C2:C4)", "59.1"),
        ("E3", "=ROUND(79.225,2)", "79.23"),
        ("E4", "=ROUNDDOWN(C4/3,2)", "31.83"),
        ("E5", "=AVERAGE(C2:C4)", "87.75"),
        (
            "E6",
            r#"=IF(E5>=85,"raggiunto","non raggiunto")"#,
            "raggiunto",
        ),
        ("E7", r#"=IFERROR(C2/C3,"n.d.")"#, "n.d."),
        ("E8", r#"=IF(C3="","",C3)"#, ""),
        ("E9", "=C2>C4", "FALSE"),
        ("E10", "=C2/C3", "#DIV/0!"),
        ("E11", "='Conti d''Italia'!B2*2", "2469"),
        ("E12", "=SUM(B2:B4)", "1"),
        ("E13", "=ROUND(2/3*100,2)", "66.67"),
        ("E14", "=COUNT(C2:C4)", "2"),
    ];
    for (i, (cell, text, right)) in rows.into_iter().enumerate() {
        ws.write_formula(i as u32 + 1, col, f(s, cell, text, right))?;
    }
    ws.write_formula_with_format(14, col, f(s, "E15", "=DATE(2024,12,31)", "45657"), &date)?;

    let ws = wb.add_worksheet().set_name(SECOND)?;
    let s = SECOND;
    ws.write_string(0, 0, "Conto")?;
    ws.write_string(0, 1, "Importo")?;
    ws.write_number(1, 1, 1234.5)?;
    ws.write_number(2, 1, 10.005)?;
    let rows: [(&str, &str, &str); 5] = [
        ("B4", "=ROUND(B3,2)", "10.01"),
        ("B5", "=SUM(B2:B3)", "1244.505"),
        ("B6", "=Dati!E2*2", "118.2"),
        ("B7", r#"=COUNTIF(Dati!C2:C4,">80")"#, "1"),
        ("B8", r#"="Totale: "&ROUND(B5,0)"#, "Totale: 1245"),
    ];
    for (i, (cell, text, right)) in rows.into_iter().enumerate() {
        ws.write_formula(i as u32 + 3, 1, f(s, cell, text, right))?;
    }

    wb.save(path)
}

fn workbooks(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let right = dir.join("giusto.xlsx");
    let wrong = dir.join("sbagliato.xlsx");
    write_workbook(&right, false).expect("right workbook written");
    write_workbook(&wrong, true).expect("wrong workbook written");
    (right, wrong)
}

#[test]
fn comparison_alone_finds_the_wrong_cached_values() {
    // No LibreOffice needed: the right workbook against itself, then the wrong one against the
    // right one (which plays the part of the recalculated file).
    let dir = tempfile::tempdir().unwrap();
    let (right, wrong) = workbooks(dir.path());

    let same = compare_formulas(&right, &right).unwrap();
    assert_eq!(same.checked, FORMULAS, "{same}");
    assert!(same.is_ok(), "{same}");

    let cmp = compare_formulas(&wrong, &right).unwrap();
    assert_eq!(cmp.checked, FORMULAS, "{cmp}");
    let found: Vec<(&str, &str)> = cmp
        .mismatches
        .iter()
        .map(|m| (m.sheet.as_str(), m.cell.as_str()))
        .collect();
    assert_eq!(found, [("Dati", "E3"), (SECOND, "B5")], "{cmp}");
    assert_eq!(cmp.mismatches[0].formula, "ROUND(79.225,2)");
    assert_eq!(cmp.mismatches[0].cached, Data::Float(79.22));
    assert_eq!(cmp.mismatches[0].recalculated, Data::Float(79.23));
    let text = cmp.to_string();
    assert!(text.contains("2 mismatches"), "{text}");
    assert!(
        text.contains("Dati!E3 =ROUND(79.225,2): cached 79.22, recalculated 79.23"),
        "{text}"
    );
    assert!(text.contains("'Conti d''Italia'!B5 =SUM(B2:B3)"), "{text}");
}

#[test]
fn value_comparison_rules() {
    let s = |t: &str| Data::String(t.to_string());
    assert!(same_value(&Data::Float(59.1), &Data::Float(0.1 + 59.0)));
    assert!(same_value(&Data::Float(59.1), &Data::Float(59.1 + 1e-11)));
    assert!(!same_value(&Data::Float(59.1), &Data::Float(59.1 + 1e-6)));
    assert!(same_value(&Data::Float(1e12), &Data::Float(1e12 + 1e-1)));
    assert!(!same_value(&Data::Float(1e12), &Data::Float(1e12 + 1e4)));
    assert!(same_value(&Data::Float(0.0), &Data::Float(1e-12)));
    assert!(!same_value(&Data::Float(0.0), &Data::Float(1e-6)));
    assert!(same_value(&Data::Int(2), &Data::Float(2.0)));
    assert!(!same_value(&Data::Float(79.22), &Data::Float(79.23)));
    assert!(same_value(&Data::Empty, &s("")));
    assert!(same_value(&s(""), &Data::Empty));
    assert!(!same_value(&Data::Empty, &s(" ")));
    assert!(!same_value(&s("n.d."), &s("N.D.")));
    assert!(!same_value(&s("1"), &Data::Float(1.0)));
    assert!(!same_value(&Data::Bool(true), &Data::Float(1.0)));
    let div0 = Data::Error(calamine::CellErrorType::Div0);
    assert!(same_value(&div0, &div0.clone()));
    assert!(!same_value(
        &div0,
        &Data::Error(calamine::CellErrorType::NA)
    ));

    assert_eq!(a1(0, 0), "A1");
    assert_eq!(a1(6, 25), "Z7");
    assert_eq!(a1(0, 26), "AA1");
    assert_eq!(a1(9, 701), "ZZ10");
    assert_eq!(a1(0, 702), "AAA1");
}

#[test]
fn libreoffice_agrees_with_right_cached_values() {
    if soffice_or_skip("libreoffice_agrees_with_right_cached_values").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (right, _) = workbooks(dir.path());
    let out = dir.path().join("ricalcolati");

    let recalculated = recalculate(&right, &out).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(recalculated, out.join("giusto.recalc.en-US.xlsx"));
    let cmp = compare_formulas(&right, &recalculated).unwrap();
    assert_eq!(cmp.checked, FORMULAS, "{cmp}");
    assert!(
        cmp.is_ok(),
        "LibreOffice disagrees with the cached values:\n{cmp}"
    );
}

#[test]
fn libreoffice_reports_exactly_the_wrong_cached_values() {
    if soffice_or_skip("libreoffice_reports_exactly_the_wrong_cached_values").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_, wrong) = workbooks(dir.path());
    let bytes = std::fs::read(&wrong).unwrap();

    let recalculated = recalculate(&wrong, dir.path()).unwrap_or_else(|e| panic!("{e}"));
    // Output next to the input never replaces it.
    assert_eq!(recalculated, dir.path().join("sbagliato.recalc.en-US.xlsx"));
    let cmp = compare_formulas(&wrong, &recalculated).unwrap();
    assert_eq!(cmp.checked, FORMULAS, "{cmp}");
    let found: Vec<(&str, &str, &Data, &Data)> = cmp
        .mismatches
        .iter()
        .map(|m| {
            (
                m.sheet.as_str(),
                m.cell.as_str(),
                &m.cached,
                &m.recalculated,
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("Dati", "E3", &Data::Float(79.22), &Data::Float(79.23)),
            (SECOND, "B5", &Data::Float(1244.5), &Data::Float(1244.505)),
        ],
        "{cmp}"
    );
    // The input is untouched.
    assert_eq!(std::fs::read(&wrong).unwrap(), bytes);
    // The same in an Italian Calc: these formulas do not depend on the locale.
    let italian = recalculate_and_compare(&wrong, "it-IT").unwrap();
    assert_eq!(italian.mismatches, cmp.mismatches, "{italian}");
}

#[test]
fn locale_decides_number_to_text_formulas() {
    if soffice_or_skip("locale_decides_number_to_text_formulas").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("testo.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_formula(
        0,
        0,
        Formula::new(r#"="Quota: "&0.5"#).set_result("Quota: 0.5"),
    )
    .unwrap();
    ws.write_formula(1, 0, Formula::new("=0.5*3").set_result("1.5"))
        .unwrap();
    wb.save(&path).unwrap();

    let english = recalculate_and_compare(&path, "en-US").unwrap();
    assert!(english.is_ok(), "{english}");
    let italian = recalculate_and_compare(&path, "it-IT").unwrap();
    assert_eq!(italian.checked, 2, "{italian}");
    assert_eq!(italian.mismatches.len(), 1, "{italian}");
    assert_eq!(italian.mismatches[0].cell, "A1");
    assert_eq!(
        italian.mismatches[0].recalculated,
        Data::String("Quota: 0,5".to_string())
    );
    assert!(recalculate_in_locale(&path, dir.path(), "it_IT\"/>").is_err());
}
