//! The bodies of the fuzz targets, shared by `fuzz/fuzz_targets/*.rs` (cargo-fuzz) and by
//! `tests/fuzz_corpus.rs` (which replays the committed corpus and regressions in `cargo test`).
//!
//! It may only use crates the main crate's tests can use: barometro and its dependencies.
//!
//! - [`cell_value`]: text (and numbers written as text) through `barometro::value`.
//! - [`workbook_bytes`]: raw bytes as an `.xlsx` file through `read_workbook`, then the rules.
//! - [`grid`]: a small text grid (see [`parse_grid`]) turned into a valid `.xlsx`, read with
//!   every layout, then the rules.
#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{Cursor, Write as _};
use std::path::PathBuf;

use barometro::read::{read_workbook, Layout, ReadError, ReadOptions};
use barometro::rules::{
    evaluate, AreaOutcome, EvaluateOptions, Evaluation, ObjectiveOutcome, RuleSet, Score,
};
use barometro::value::{
    excel_serial_to_date, parse_cell, parse_date, parse_number, CellInput, Expect, Parsed, Value,
};

const EXPECTS: [Expect; 6] = [
    Expect::Text,
    Expect::Number,
    Expect::Percent,
    Expect::Integer,
    Expect::Date,
    Expect::Target,
];

// ---------------------------------------------------------------------------------------------
// Cell values
// ---------------------------------------------------------------------------------------------

/// Any input: its UTF-8 text through every entry point of `barometro::value`, as a text cell,
/// an Excel error cell and, when it reads as a Rust `f64` (`0.4`, `45291`, `1e308`, `NaN`,
/// `inf`), as a number cell with every combination of the percent and date format flags.
pub fn cell_value(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for expect in EXPECTS {
        for date1904 in [false, true] {
            let p = parse_cell(CellInput::Text(text), expect, date1904);
            check_parsed(&p, text);
            check_text_cell(&p, text, expect);

            let p = parse_cell(CellInput::Error(text), expect, date1904);
            check_parsed(&p, text);
            assert!(
                matches!(p.value, Value::Invalid { .. }),
                "an Excel error cell {text:?} is not Invalid: {p:?}"
            );

            if let Ok(v) = text.trim().parse::<f64>() {
                for percent_format in [false, true] {
                    for date_format in [false, true] {
                        let cell = CellInput::Number {
                            value: v,
                            percent_format,
                            date_format,
                        };
                        let p = parse_cell(cell, expect, date1904);
                        check_parsed(&p, text);
                        check_number_cell(&p, v, percent_format, date_format, expect, date1904);
                    }
                }
            }
        }
    }
    match parse_number(text) {
        Ok(Some((v, _))) => assert!(v.is_finite(), "parse_number({text:?}) = {v}"),
        Ok(None) => {}
        Err(p) => assert!(
            !p.message.is_empty(),
            "parse_number({text:?}): empty message"
        ),
    }
    if let Err(p) = parse_date(text) {
        assert!(
            p.kind.is_error(),
            "parse_date({text:?}): {p:?} is not an error"
        );
    }
    for b in [false, true] {
        let p = parse_cell(CellInput::Bool(b), Expect::Target, false);
        assert_eq!(p.value, Value::Done { done: b });
    }
}

/// What holds for every parsed cell, whatever the input.
fn check_parsed(p: &Parsed, input: &str) {
    if let Some(n) = p.value.number() {
        assert!(n.is_finite(), "{input:?} gives a non-finite number: {p:?}");
    }
    match &p.value {
        // "A Problem always accompanies it" (Value::Invalid's documentation), and it is an
        // error, since the value cannot be used.
        Value::Invalid { reason } => {
            assert!(!reason.is_empty(), "{input:?}: Invalid with no reason");
            assert!(
                p.problems.iter().any(|pr| pr.kind.is_error()),
                "{input:?}: Invalid with no error problem: {p:?}"
            );
        }
        Value::Period { from, to } => {
            assert!(
                from <= to,
                "{input:?}: a period that ends before it starts: {p:?}"
            )
        }
        _ => {}
    }
    for pr in &p.problems {
        assert!(
            !pr.message.is_empty(),
            "{input:?}: a problem with no message"
        );
    }
}

fn check_text_cell(p: &Parsed, text: &str, expect: Expect) {
    // The raw text is the cell's text without the white space around it.
    assert!(
        text.contains(p.raw.as_str()),
        "raw {:?} is not part of {text:?}",
        p.raw
    );
    assert_eq!(
        p.raw.is_empty(),
        p.value == Value::Empty,
        "{text:?} ({expect:?}): empty raw text and Value::Empty go together: {p:?}"
    );
    if text.trim().is_empty() {
        assert_eq!(p.value, Value::Empty, "{text:?} is only white space");
    }
    if expect == Expect::Text {
        assert!(
            matches!(p.value, Value::Empty | Value::Text),
            "{text:?}: free text became {:?}",
            p.value
        );
        assert!(p.problems.is_empty(), "{text:?}: free text has problems");
    }
}

fn check_number_cell(
    p: &Parsed,
    v: f64,
    percent_format: bool,
    date_format: bool,
    expect: Expect,
    date1904: bool,
) {
    let what = format!("{v:?} (% {percent_format}, date {date_format}, {expect:?}): {p:?}");
    assert!(!p.raw.is_empty(), "{what}: no raw text");
    if !v.is_finite() {
        // A NaN or infinite cell cannot be used: never a number, a date or free text.
        assert!(matches!(p.value, Value::Invalid { .. }), "{what}");
        return;
    }
    if expect == Expect::Text {
        if !percent_format || (v * 100.0).is_finite() {
            assert_eq!(p.value, Value::Text, "{what}");
        }
        return;
    }
    if date_format {
        // A date-formatted serial is read as that day, or kept as a number with a warning.
        match excel_serial_to_date(v, date1904) {
            Some(date) => assert!(
                matches!(p.value, Value::Date { date: d, .. } if d == date),
                "{what}"
            ),
            None => assert!(!p.problems.is_empty(), "{what}"),
        }
    } else if percent_format && expect != Expect::Date && (v * 100.0).is_finite() {
        let Value::Percent { percent } = p.value else {
            panic!("{what}: a %-formatted number is not a percentage");
        };
        assert!(
            (percent - v * 100.0).abs() <= 1e-6 * (1.0 + (v * 100.0).abs()),
            "{what}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Workbooks
// ---------------------------------------------------------------------------------------------

/// The file a thread writes its workbooks to (one per process and thread, in a tmpfs when
/// there is one), removed when the thread ends.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

thread_local! {
    static SCRATCH: Scratch = {
        let shm = PathBuf::from("/dev/shm");
        let dir = if shm.is_dir() { shm } else { std::env::temp_dir() };
        let thread = format!("{:?}", std::thread::current().id())
            .chars()
            .filter(char::is_ascii_digit)
            .collect::<String>();
        Scratch(dir.join(format!("barometro-fuzz-{}-{thread}.xlsx", std::process::id())))
    };
    static RULES: RefCell<Option<RuleSet>> = const { RefCell::new(None) };
}

/// Reads `bytes` as a workbook file with `options`.
fn read_bytes(bytes: &[u8], options: &ReadOptions) -> Result<barometro::model::Ente, ReadError> {
    SCRATCH.with(|s| {
        std::fs::write(&s.0, bytes).expect("the scratch file can be written");
        let read = read_workbook(&s.0, options);
        // libFuzzer exits without running thread-local destructors: no file is left behind.
        let _ = std::fs::remove_file(&s.0);
        read
    })
}

/// Scores `ente` with the default rules (compiled once per thread).
fn score(ente: barometro::model::Ente, options: &EvaluateOptions) -> Evaluation {
    RULES.with(|r| {
        let mut r = r.borrow_mut();
        let rules =
            r.get_or_insert_with(|| RuleSet::default_set().expect("the default rules compile"));
        evaluate(ente, rules, options)
    })
}

fn check_score(s: &Score, what: &str) {
    if let Some(v) = s.value {
        assert!(v.is_finite(), "{what}: score {v} ({s:?})");
    }
}

fn check_objective(o: &ObjectiveOutcome) {
    check_score(&o.weight, "objective weight");
    check_score(&o.score, "objective score");
    check_score(&o.expected, "objective expected");
    for i in &o.indicators {
        check_score(&i.score, "indicator score");
    }
    for a in &o.activities {
        check_score(&a.expected_computed, "activity expected");
        for v in [a.expected_stored, a.expected, a.actual]
            .into_iter()
            .flatten()
        {
            assert!(v.is_finite(), "activity value {v} ({a:?})");
        }
    }
}

fn check_area(a: &AreaOutcome) {
    check_score(&a.score, "area score");
    check_score(&a.expected, "area expected");
    for o in &a.objectives {
        check_objective(o);
    }
    for sub in &a.areas {
        check_area(sub);
    }
}

/// No NaN or infinity reaches a score, a weight or an activity's figures.
fn check_evaluation(ev: &Evaluation) {
    check_score(&ev.score, "ente score");
    check_score(&ev.expected, "ente expected");
    assert_eq!(ev.areas.len(), ev.ente.areas.len(), "one outcome per area");
    for a in &ev.areas {
        check_area(a);
    }
    for b in &ev.bands.bands {
        assert!(b.from.is_finite(), "band {b:?}");
    }
}

/// Any bytes as an `.xlsx` file: the reader returns a model or a [`ReadError`], never panics;
/// a model is scored with the default rules and no score is NaN or infinite.
pub fn workbook_bytes(data: &[u8]) {
    if has_overlong_cell_reference(data) {
        return;
    }
    if let Ok(ente) = read_bytes(data, &ReadOptions::default()) {
        check_evaluation(&score(ente, &EvaluateOptions::default()));
    }
}

/// True when a part of the zip has a cell reference (`r="…"`, `ref="…"`) with 7 or more
/// letters or 10 or more digits in a row. calamine 0.38 computes such a reference's column or
/// row in a `u32` without checking for overflow (`get_row_and_optional_column`): with overflow
/// checks on (the fuzz build, `cargo test`) it panics, in barometro's release build it wraps.
/// The bug is upstream, not in barometro; the input that found it is in
/// `fuzz/known/workbook_bytes/` and `tests/fuzz_corpus.rs` replays it in release builds only.
/// Skipping these inputs lets the fuzzer go on looking for other bugs.
pub fn has_overlong_cell_reference(data: &[u8]) -> bool {
    use std::io::Read as _;
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(data)) else {
        return false;
    };
    let mut xml = Vec::new();
    for i in 0..zip.len() {
        let Ok(entry) = zip.by_index(i) else {
            continue;
        };
        xml.clear();
        // A corrupt entry or a zip bomb: whatever was inflated (at most 64 MB) is scanned.
        let _ = entry.take(64 << 20).read_to_end(&mut xml);
        for key in [&b" r=\""[..], &b" ref=\""[..]] {
            let mut rest = &xml[..];
            while let Some(at) = memchr::memmem::find(rest, key) {
                rest = &rest[at + key.len()..];
                let value = &rest[..rest.iter().position(|&b| b == b'"').unwrap_or(rest.len())];
                let (mut letters, mut digits) = (0, 0);
                for &b in value {
                    letters = if b.is_ascii_alphabetic() {
                        letters + 1
                    } else {
                        0
                    };
                    digits = if b.is_ascii_digit() { digits + 1 } else { 0 };
                    if letters >= 7 || digits >= 10 {
                        return true;
                    }
                }
            }
        }
    }
    false
}

/// A text grid (see [`parse_grid`]) written as a valid `.xlsx`, read with every layout and
/// scored with the default rules at 31 July 2024. A valid workbook is never reported as
/// damaged: the reader returns a model, or says that no sheet has a header it knows.
pub fn grid(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let bytes = grid_to_xlsx(&parse_grid(&text));
    let at = EvaluateOptions {
        at: chrono::NaiveDate::from_ymd_opt(2024, 7, 31),
        ..EvaluateOptions::default()
    };
    for layout in [
        Layout::Auto,
        Layout::Table,
        Layout::Cards,
        Layout::Activities,
    ] {
        let options = ReadOptions {
            layout,
            ..ReadOptions::default()
        };
        match read_bytes(&bytes, &options) {
            Ok(ente) => check_evaluation(&score(ente, &at)),
            Err(ReadError::NoHeader { .. }) => {}
            Err(e) => panic!("a valid workbook read with {layout:?}: {e}"),
        }
    }
}

/// Reads a grid seed with the automatic layout and returns how many objectives it gives
/// (`None` when no sheet has a header the reader knows).
pub fn grid_objectives(data: &[u8]) -> Option<usize> {
    let text = String::from_utf8_lossy(data);
    let bytes = grid_to_xlsx(&parse_grid(&text));
    read_bytes(&bytes, &ReadOptions::default())
        .ok()
        .map(|e| e.objective_count())
}

// ---------------------------------------------------------------------------------------------
// The grid format
// ---------------------------------------------------------------------------------------------

/// At most this many sheets, rows per sheet and cells per row are written.
const MAX_SHEETS: usize = 8;
const MAX_ROWS: usize = 400;
const MAX_COLS: usize = 60;
/// A merged region spans at most this many rows and columns.
const MAX_SPAN_ROWS: u32 = 100;
const MAX_SPAN_COLS: u32 = 30;

/// One cell of a grid.
#[derive(Debug, Clone, PartialEq)]
pub enum GridCell {
    Empty,
    Text(String),
    /// A number and its style: 0 general, 1 percent (`0%`), 2 date (`dd/mm/yyyy`).
    Number(f64, u8),
    Bool(bool),
    Error(String),
}

/// A sheet of a grid: its name, its rows and its merged regions (top-left row and column,
/// rows and columns spanned, zero-based).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GridSheet {
    pub name: String,
    pub rows: Vec<Vec<GridCell>>,
    pub merges: Vec<(u32, u32, u32, u32)>,
}

/// Parses the grid text format of the `grid` target.
///
/// Rows are lines, cells are separated by tabs. A line `== Name` starts a new sheet (the first
/// sheet is `Foglio1` unless the text starts with such a line). A cell is text unless it starts
/// with one of these prefixes:
///
/// - `#N 3.5` a number, `#P 0.4` a number formatted as a percentage (`0%`), `#D 45291` a number
///   formatted as a date; the number is Rust's `f64` syntax (`NaN` and `inf` are written as is);
/// - `#B 1` / `#B 0` a boolean, `#E #REF!` an Excel error value;
/// - `#M2x3 ` a merged region of 2 rows and 3 columns whose top-left cell is this one, followed
///   by the cell itself in this same syntax.
pub fn parse_grid(text: &str) -> Vec<GridSheet> {
    let mut sheets: Vec<GridSheet> = Vec::new();
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if let Some(name) = line.strip_prefix("==") {
            if sheets.len() == MAX_SHEETS {
                break;
            }
            sheets.push(GridSheet {
                name: name.trim().to_string(),
                ..GridSheet::default()
            });
            continue;
        }
        if sheets.is_empty() {
            sheets.push(GridSheet::default());
        }
        let sheet = sheets.last_mut().expect("a sheet was just pushed");
        if sheet.rows.len() == MAX_ROWS {
            continue;
        }
        let r = sheet.rows.len() as u32;
        let mut row = Vec::new();
        for (c, raw) in line.split('\t').take(MAX_COLS).enumerate() {
            let (cell, span) = parse_grid_cell(raw);
            if let Some((rows, cols)) = span {
                sheet.merges.push((r, c as u32, rows, cols));
            }
            row.push(cell);
        }
        sheet.rows.push(row);
    }
    // Sheet names as Excel accepts them: 1 to 31 characters, none of `[]:*?/\`, unique.
    let mut seen: Vec<String> = Vec::new();
    for (i, s) in sheets.iter_mut().enumerate() {
        let mut name: String = s
            .name
            .chars()
            .filter(|c| !c.is_control())
            .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
            .take(31)
            .collect();
        name = name.trim_matches('\'').to_string();
        if name.trim().is_empty() || seen.iter().any(|n| n.to_lowercase() == name.to_lowercase()) {
            name = format!("Foglio{}", i + 1);
        }
        seen.push(name.clone());
        s.name = name;
    }
    sheets
}

fn parse_grid_cell(raw: &str) -> (GridCell, Option<(u32, u32)>) {
    if let Some(rest) = raw.strip_prefix("#M") {
        if let Some((span, cell)) = rest.split_once(' ') {
            if let Some((r, c)) = span.split_once('x') {
                if let (Ok(r), Ok(c)) = (r.parse::<u32>(), c.parse::<u32>()) {
                    let r = r.clamp(1, MAX_SPAN_ROWS);
                    let c = c.clamp(1, MAX_SPAN_COLS);
                    let span = (r > 1 || c > 1).then_some((r, c));
                    return (parse_plain_cell(cell), span);
                }
            }
        }
    }
    (parse_plain_cell(raw), None)
}

fn parse_plain_cell(raw: &str) -> GridCell {
    let number = |s: &str, style| match s.trim().parse::<f64>() {
        Ok(v) => GridCell::Number(v, style),
        Err(_) => GridCell::Text(raw.to_string()),
    };
    if let Some(rest) = raw.strip_prefix("#N ") {
        number(rest, 0)
    } else if let Some(rest) = raw.strip_prefix("#P ") {
        number(rest, 1)
    } else if let Some(rest) = raw.strip_prefix("#D ") {
        number(rest, 2)
    } else if let Some(rest) = raw.strip_prefix("#B ") {
        GridCell::Bool(matches!(rest.trim(), "1" | "VERO" | "TRUE" | "true"))
    } else if let Some(rest) = raw.strip_prefix("#E ") {
        GridCell::Error(rest.trim().to_string())
    } else if raw.is_empty() {
        GridCell::Empty
    } else {
        GridCell::Text(raw.to_string())
    }
}

/// Writes a grid back in its text format (the seeds are dumped with it).
pub fn grid_to_text(sheets: &[GridSheet]) -> String {
    let mut out = String::new();
    for s in sheets {
        let _ = writeln!(out, "== {}", s.name);
        let spans: HashMap<(u32, u32), (u32, u32)> = s
            .merges
            .iter()
            .map(|&(r, c, h, w)| ((r, c), (h, w)))
            .collect();
        for (r, row) in s.rows.iter().enumerate() {
            let cells: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(c, cell)| {
                    let text = match cell {
                        GridCell::Empty => String::new(),
                        GridCell::Text(t) => t.replace(['\t', '\n', '\r'], " "),
                        GridCell::Number(v, 0) => format!("#N {v}"),
                        GridCell::Number(v, 1) => format!("#P {v}"),
                        GridCell::Number(v, _) => format!("#D {v}"),
                        GridCell::Bool(b) => format!("#B {}", u8::from(*b)),
                        GridCell::Error(e) => format!("#E {e}"),
                    };
                    match spans.get(&(r as u32, c as u32)) {
                        Some((h, w)) => format!("#M{h}x{w} {text}"),
                        None => text,
                    }
                })
                .collect();
            let _ = writeln!(out, "{}", cells.join("\t").trim_end_matches('\t'));
        }
    }
    out
}

/// `A`, `B`, … `Z`, `AA`… for a zero-based column.
fn column_name(mut c: u32) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).expect("ASCII letters")
}

/// Escapes text for XML; characters XML 1.0 does not allow are written `_xHHHH_`, as Excel
/// does (and `_` itself before such a sequence is not escaped: calamine reads it back).
fn escape_xml(text: &str, out: &mut String) {
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                let _ = write!(out, "_x{:04X}_", c as u32);
            }
            c => out.push(c),
        }
    }
}

const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// Writes a grid as a minimal valid `.xlsx` (shared strings, a percent and a date style,
/// merged regions, a declared used range), stored without compression.
pub fn grid_to_xlsx(sheets: &[GridSheet]) -> Vec<u8> {
    let mut strings: Vec<&str> = Vec::new();
    let mut string_index: HashMap<&str, usize> = HashMap::new();
    let mut parts: Vec<(String, String)> = Vec::new();

    for (i, s) in sheets.iter().enumerate() {
        let mut xml = String::with_capacity(4096);
        xml.push_str(XML_HEAD);
        let _ = write!(xml, "<worksheet xmlns=\"{MAIN_NS}\" xmlns:r=\"{REL_NS}\">");
        let width = s.rows.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let height = s.rows.len().max(1);
        let _ = write!(
            xml,
            "<dimension ref=\"A1:{}{}\"/><sheetData>",
            column_name(width as u32 - 1),
            height
        );
        for (r, row) in s.rows.iter().enumerate() {
            if row.iter().all(|c| *c == GridCell::Empty) {
                continue;
            }
            let _ = write!(xml, "<row r=\"{}\">", r + 1);
            for (c, cell) in row.iter().enumerate() {
                let at = format!("{}{}", column_name(c as u32), r + 1);
                match cell {
                    GridCell::Empty => {}
                    GridCell::Text(t) => {
                        let next = string_index.len();
                        let k = *string_index.entry(t.as_str()).or_insert_with(|| {
                            strings.push(t.as_str());
                            next
                        });
                        let _ = write!(xml, "<c r=\"{at}\" t=\"s\"><v>{k}</v></c>");
                    }
                    GridCell::Number(v, style) => {
                        let _ = write!(xml, "<c r=\"{at}\" s=\"{style}\"><v>{v}</v></c>");
                    }
                    GridCell::Bool(b) => {
                        let _ = write!(xml, "<c r=\"{at}\" t=\"b\"><v>{}</v></c>", u8::from(*b));
                    }
                    GridCell::Error(e) => {
                        let _ = write!(xml, "<c r=\"{at}\" t=\"e\"><v>");
                        escape_xml(e, &mut xml);
                        xml.push_str("</v></c>");
                    }
                }
            }
            xml.push_str("</row>");
        }
        xml.push_str("</sheetData>");
        if !s.merges.is_empty() {
            let _ = write!(xml, "<mergeCells count=\"{}\">", s.merges.len());
            for &(r, c, h, w) in &s.merges {
                let _ = write!(
                    xml,
                    "<mergeCell ref=\"{}{}:{}{}\"/>",
                    column_name(c),
                    r + 1,
                    column_name(c + w - 1),
                    r + h
                );
            }
            xml.push_str("</mergeCells>");
        }
        xml.push_str("</worksheet>");
        parts.push((format!("xl/worksheets/sheet{}.xml", i + 1), xml));
    }

    let mut sst = String::with_capacity(4096);
    sst.push_str(XML_HEAD);
    let _ = write!(
        sst,
        "<sst xmlns=\"{MAIN_NS}\" count=\"{n}\" uniqueCount=\"{n}\">",
        n = strings.len()
    );
    for t in &strings {
        sst.push_str("<si><t xml:space=\"preserve\">");
        escape_xml(t, &mut sst);
        sst.push_str("</t></si>");
    }
    sst.push_str("</sst>");
    parts.push(("xl/sharedStrings.xml".into(), sst));

    let n = sheets.len();
    let mut workbook =
        format!("{XML_HEAD}<workbook xmlns=\"{MAIN_NS}\" xmlns:r=\"{REL_NS}\"><sheets>");
    let mut rels = format!(
        "{XML_HEAD}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    );
    let mut types = format!(
        "{XML_HEAD}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
         <Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>\
         <Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>"
    );
    for (i, s) in sheets.iter().enumerate() {
        workbook.push_str("<sheet name=\"");
        escape_xml(&s.name, &mut workbook);
        let _ = write!(workbook, "\" sheetId=\"{}\" r:id=\"rId{}\"/>", i + 1, i + 1);
        let _ = write!(
            rels,
            "<Relationship Id=\"rId{}\" Type=\"{REL_NS}/worksheet\" Target=\"worksheets/sheet{}.xml\"/>",
            i + 1,
            i + 1
        );
        let _ = write!(
            types,
            "<Override PartName=\"/xl/worksheets/sheet{}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>",
            i + 1
        );
    }
    workbook.push_str("</sheets></workbook>");
    let _ = write!(
        rels,
        "<Relationship Id=\"rId{}\" Type=\"{REL_NS}/styles\" Target=\"styles.xml\"/>\
         <Relationship Id=\"rId{}\" Type=\"{REL_NS}/sharedStrings\" Target=\"sharedStrings.xml\"/>\
         </Relationships>",
        n + 1,
        n + 2
    );
    types.push_str("</Types>");
    let styles = format!(
        "{XML_HEAD}<styleSheet xmlns=\"{MAIN_NS}\"><numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy\"/></numFmts>\
         <fonts count=\"1\"><font/></fonts><fills count=\"1\"><fill/></fills><borders count=\"1\"><border/></borders>\
         <cellStyleXfs count=\"1\"><xf/></cellStyleXfs><cellXfs count=\"3\"><xf numFmtId=\"0\"/>\
         <xf numFmtId=\"9\" applyNumberFormat=\"1\"/><xf numFmtId=\"164\" applyNumberFormat=\"1\"/></cellXfs></styleSheet>"
    );
    let root_rels = format!(
        "{XML_HEAD}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
         <Relationship Id=\"rId1\" Type=\"{REL_NS}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
    );

    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut put = |name: &str, body: &str| {
        zip.start_file(name, stored)
            .expect("an in-memory zip entry can be started");
        zip.write_all(body.as_bytes())
            .expect("an in-memory zip entry can be written");
    };
    put("[Content_Types].xml", &types);
    put("_rels/.rels", &root_rels);
    put("xl/workbook.xml", &workbook);
    put("xl/_rels/workbook.xml.rels", &rels);
    put("xl/styles.xml", &styles);
    for (name, body) in &parts {
        put(name, body);
    }
    zip.finish()
        .expect("an in-memory zip can be finished")
        .into_inner()
}
