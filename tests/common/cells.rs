//! Reading cells back from a written fixture (calamine), with a clear panic when a cell does
//! not hold what the test expects.
#![allow(dead_code)]

use calamine::{Data, Range};

/// The cell at (`row`, `col`), `Data::Empty` outside the used range.
pub fn get(range: &Range<Data>, row: u32, col: u16) -> Data {
    range
        .get_value((row, u32::from(col)))
        .cloned()
        .unwrap_or(Data::Empty)
}

/// The text of a cell (empty for an empty cell); panics on anything else.
pub fn text(range: &Range<Data>, row: u32, col: u16) -> String {
    match get(range, row, col) {
        Data::String(s) => s,
        Data::Empty => String::new(),
        other => panic!("expected text at ({row}, {col}), found {other:?}"),
    }
}

/// The number of a cell; panics on anything else.
pub fn float(range: &Range<Data>, row: u32, col: u16) -> f64 {
    match get(range, row, col) {
        Data::Float(v) => v,
        Data::Int(v) => v as f64,
        other => panic!("expected a number at ({row}, {col}), found {other:?}"),
    }
}
