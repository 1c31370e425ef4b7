//! Hand-built XLSX packages, for workbooks no spreadsheet program would write: sheet XML with
//! a DTD, a used range claiming the whole grid, parts that lie about their size.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;

/// One worksheet: its name, its `<sheetData>` rows (and anything after them, such as
/// `<mergeCells>`), and the text before `<worksheet>` (a DTD, say).
pub struct Sheet<'a> {
    pub name: &'a str,
    pub prolog: &'a str,
    pub dimension: Option<&'a str>,
    pub rows: String,
    pub hidden: bool,
}

impl<'a> Sheet<'a> {
    pub fn new(name: &'a str, rows: String) -> Self {
        Sheet {
            name,
            prolog: "",
            dimension: None,
            rows,
            hidden: false,
        }
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Excel's column letters for a zero-based column.
pub fn column(col: u32) -> String {
    barometro::model::column_letters(col)
}

/// A cell: text as an inline string, a number when the text parses as one, empty text is
/// no cell; `#…!`/`#N/A` as an error value.
pub fn cell(row: u32, col: u32, text: &str) -> String {
    let r = format!("{}{}", column(col), row + 1);
    if text.is_empty() {
        return String::new();
    }
    if text.starts_with('#') && (text.ends_with('!') || text == "#N/A") {
        return format!(r#"<c r="{r}" t="e"><v>{}</v></c>"#, escape(text));
    }
    if text.parse::<f64>().is_ok() {
        return format!(r#"<c r="{r}"><v>{text}</v></c>"#);
    }
    format!(
        r#"<c r="{r}" t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>"#,
        escape(text)
    )
}

/// Rows of cells from a grid of texts starting at A1 (row attributes added by `row_attrs`).
pub fn rows(grid: &[Vec<&str>]) -> String {
    rows_with(grid, |_| String::new())
}

/// As [`rows`], with extra attributes for some rows (`hidden="1"`).
pub fn rows_with(grid: &[Vec<&str>], row_attrs: impl Fn(u32) -> String) -> String {
    let mut out = String::new();
    for (r, cells) in grid.iter().enumerate() {
        let r = r as u32;
        out.push_str(&format!(r#"<row r="{}"{}>"#, r + 1, row_attrs(r)));
        for (c, text) in cells.iter().enumerate() {
            out.push_str(&cell(r, c as u32, text));
        }
        out.push_str("</row>");
    }
    out
}

/// The sheet XML of a [`Sheet`].
pub fn sheet_xml(sheet: &Sheet) -> String {
    format!(
        r#"{}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{}<sheetData>{}</sheetData></worksheet>"#,
        if sheet.prolog.is_empty() {
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#
        } else {
            sheet.prolog
        },
        sheet
            .dimension
            .map(|d| format!(r#"<dimension ref="{d}"/>"#))
            .unwrap_or_default(),
        sheet.rows
    )
}

/// A workbook of these sheets, with every part deflated; `replace` swaps a part's bytes (a
/// hand-made sheet XML) by name.
pub fn xlsx(sheets: &[Sheet], replace: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
    let mut types = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#,
    );
    let mut workbook = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>"#,
    );
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    for (i, sheet) in sheets.iter().enumerate() {
        let n = i + 1;
        types.push_str(&format!(
            r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
        ));
        workbook.push_str(&format!(
            r#"<sheet name="{}" sheetId="{n}"{} r:id="rId{n}"/>"#,
            escape(sheet.name),
            if sheet.hidden {
                r#" state="hidden""#
            } else {
                ""
            }
        ));
        rels.push_str(&format!(
            r#"<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>"#
        ));
        parts.push((
            format!("xl/worksheets/sheet{n}.xml"),
            sheet_xml(sheet).into_bytes(),
        ));
    }
    types.push_str("</Types>");
    workbook.push_str("</sheets></workbook>");
    rels.push_str("</Relationships>");
    parts.insert(0, ("[Content_Types].xml".into(), types.into_bytes()));
    parts.insert(1, ("_rels/.rels".into(), br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_vec()));
    parts.insert(2, ("xl/workbook.xml".into(), workbook.into_bytes()));
    parts.insert(3, ("xl/_rels/workbook.xml.rels".into(), rels.into_bytes()));
    for (name, bytes) in replace {
        match parts.iter_mut().find(|(n, _)| n == name) {
            Some(part) => part.1 = bytes.clone(),
            None => parts.push((name.to_string(), bytes.clone())),
        }
    }
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in parts {
        w.start_file(name, options).expect("zip entry");
        w.write_all(&bytes).expect("zip write");
    }
    w.finish().expect("zip").into_inner()
}

/// A small objective table (Cremona's columns) with `n` indicators under two objectives,
/// with the header on row 3 (zero-based 2).
pub fn table(n: usize) -> Vec<Vec<String>> {
    let mut grid = vec![
        vec!["Comune di Prova".to_string()],
        vec!["Piano della performance 2024".to_string()],
        [
            "Obiettivo",
            "Indicatore",
            "Peso",
            "Target",
            "Consuntivo",
            "% Ragg",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
    ];
    for i in 0..n {
        grid.push(vec![
            format!("OB{} Obiettivo {}", i / 2 + 1, i / 2 + 1),
            format!("Indicatore {}", i + 1),
            "50".into(),
            "100".into(),
            format!("{}", 60 + i * 7 % 40),
            String::new(),
        ]);
    }
    grid
}

/// Borrows a grid of owned texts.
pub fn borrowed(grid: &[Vec<String>]) -> Vec<Vec<&str>> {
    grid.iter()
        .map(|r| r.iter().map(String::as_str).collect())
        .collect()
}
