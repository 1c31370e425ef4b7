//! What card layouts share: the cells of a row as a form sees them (one entry per merged
//! region), label matching, typed fields with their source cell, page-break debris.

use std::collections::HashMap;
use std::sync::Arc;

use super::grid::{Cell, Grid};
use super::normalise_header;
use super::table::problem_finding;
use crate::model::{Field, Finding, Source};
use crate::value::{parse_cell, Expect};

/// One visible cell of a row: a merged region counts once, at its top-left column.
#[derive(Debug, Clone)]
pub(crate) struct FormCell {
    pub col: u32,
    /// The last column the cell's merged region covers in this row.
    pub last_col: u32,
    /// The row of the region's top-left cell (differs from the row for vertical merges).
    pub origin_row: u32,
}

/// The visible cells of `row`, left to right, empty cells left out.
pub(crate) fn form_cells(grid: &Grid, row: u32) -> Vec<FormCell> {
    let mut out: Vec<FormCell> = Vec::new();
    for (col, cell) in grid.row_cells(row) {
        if cell.is_empty() {
            continue;
        }
        let origin = grid.origin(row, col);
        if let Some(last) = out.last_mut() {
            if grid.origin(row, last.col) == origin {
                last.last_col = col;
                continue;
            }
        }
        out.push(FormCell {
            col,
            last_col: col,
            origin_row: origin.0,
        });
    }
    out
}

/// The text of a cell (numbers as written), trimmed; empty for empty cells.
pub(crate) fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(t) => t.trim().to_string(),
        Cell::Number { value, percent, .. } => {
            if *percent {
                format!("{}%", value * 100.0)
            } else {
                format!("{value}")
            }
        }
        Cell::Bool(b) => if *b { "VERO" } else { "FALSO" }.to_string(),
        Cell::Error(e) => e.clone(),
        Cell::Empty => String::new(),
    }
}

/// Label text normalised for matching: lower case, accents kept by [`normalise_header`],
/// HTML tags and a trailing colon removed.
pub(crate) fn label_key(text: &str) -> String {
    let mut stripped = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => stripped.push(c),
            _ => {}
        }
    }
    normalise_header(stripped.trim().trim_end_matches(':'))
}

/// Removes HTML tags (`<p>`, `<i>`, `<u>`…) from a text, keeping what they enclose.
pub(crate) fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' if !in_tag => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.trim().to_string()
}

/// Builds fields from cells: parses them with the expected kind and reports parse problems
/// once per cell.
pub(crate) struct FieldMaker<'g, 'a> {
    pub grid: &'g Grid<'a>,
    pub sheet: &'g Arc<str>,
    pub date1904: bool,
}

impl FieldMaker<'_, '_> {
    /// The field of the cell at (`row`, `col`), `None` when empty. A cell filled from a
    /// merged region points at the region's top-left cell.
    pub(crate) fn field(
        &self,
        row: u32,
        col: u32,
        expect: Expect,
        label: &str,
        findings: &mut Vec<Finding>,
    ) -> Option<Field> {
        let cell = self.grid.get(row, col);
        if cell.is_empty() {
            return None;
        }
        let (r0, c0) = self.grid.origin(row, col);
        let parsed = parse_cell(cell.input(), expect, self.date1904);
        let source = Source::new(self.sheet.clone(), r0, c0);
        // Priorities written as words (alta / media / bassa) are data, not mistakes.
        let priority_word = || {
            expect == Expect::Integer
                && matches!(
                    normalise_header(&parsed.raw).as_str(),
                    "alta" | "media" | "bassa" | "altissima" | "molto alta"
                )
        };
        if (r0, c0) == (row, col) && !parsed.problems.is_empty() && !priority_word() {
            for p in parsed.problems {
                findings.push(problem_finding(p, &source, label));
            }
        }
        Some(Field {
            raw: parsed.raw,
            value: parsed.value,
            source,
        })
    }

    /// A text field with the given text (a part of a cell, or several cells joined), pointing
    /// at (`row`, `col`).
    pub(crate) fn text(&self, text: &str, row: u32, col: u32) -> Field {
        let (r0, c0) = self.grid.origin(row, col);
        Field {
            raw: text.into(),
            value: crate::value::Value::Text,
            source: Source::new(self.sheet.clone(), r0, c0),
        }
    }

    /// An empty cell that should hold a value (an achievement still to be written).
    pub(crate) fn empty(&self, row: u32, col: u32) -> Field {
        let (r0, c0) = self.grid.origin(row, col);
        Field {
            raw: "".into(),
            value: crate::value::Value::Empty,
            source: Source::new(self.sheet.clone(), r0, c0),
        }
    }

    /// The value of a label row (`text`, its cells' texts joined) as `expect` reads it
    /// ([`FieldMaker::parsed`]); when its cell holds an Excel error (`=SUM(#REF!)`), the cell
    /// itself ([`FieldMaker::field`]), so that the error is an `errore-excel` error as
    /// everywhere else, not a text that «is not a number».
    pub(crate) fn label_value(
        &self,
        text: &str,
        row: u32,
        col: u32,
        expect: Expect,
        label: &str,
        findings: &mut Vec<Finding>,
    ) -> Field {
        if matches!(
            self.grid.get(row, col).input(),
            crate::value::CellInput::Error(_)
        ) {
            if let Some(f) = self.field(row, col, expect, label, findings) {
                return f;
            }
        }
        self.parsed(text, row, col, expect, label, findings)
    }

    /// A field parsed from a piece of text (`Media` after `Grado di strategicità:`).
    pub(crate) fn parsed(
        &self,
        text: &str,
        row: u32,
        col: u32,
        expect: Expect,
        label: &str,
        findings: &mut Vec<Finding>,
    ) -> Field {
        let (r0, c0) = self.grid.origin(row, col);
        let parsed = parse_cell(crate::value::CellInput::Text(text), expect, self.date1904);
        let source = Source::new(self.sheet.clone(), r0, c0);
        for p in parsed.problems {
            findings.push(problem_finding(p, &source, label));
        }
        Field {
            raw: parsed.raw,
            value: parsed.value,
            source,
        }
    }
}

/// Texts that stand alone in their row and recur on the sheet (a page footer or a running
/// title copied into the cells by a PDF conversion): rows holding only one of them are page
/// debris, not data.
pub(crate) fn debris_texts(grid: &Grid) -> HashMap<String, u32> {
    let mut counts: HashMap<String, u32> = HashMap::new();
    if grid.is_blank() {
        return counts;
    }
    for row in grid.first_row..=grid.last_row() {
        let cells = form_cells(grid, row);
        if let [only] = cells.as_slice() {
            if let Some(t) = grid.get(row, only.col).text() {
                let key = normalise_header(t);
                if key.len() >= 12 {
                    *counts.entry(key).or_default() += 1;
                }
            }
        }
    }
    counts.retain(|_, n| *n >= 3);
    counts
}
