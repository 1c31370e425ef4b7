//! One worksheet as a dense grid of cells, with merged regions filled from their top-left
//! cell, read in a single pass over the sheet XML (values and number formats together).

use std::borrow::Cow;
use std::io::{Read, Seek};

use calamine::{DataRef, Dimensions, Xlsx, XlsxError};

use crate::value::CellInput;

/// The largest grid barometro builds for one sheet (rows × columns of the used range).
pub const MAX_CELLS: u64 = 40_000_000;

/// Up to this many cells, a sheet's declared used range is allocated before reading.
const DENSE_DECLARED_CELLS: u64 = 4_000_000;

/// A cell as stored in the grid.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) enum Cell<'a> {
    #[default]
    Empty,
    Text(Cow<'a, str>),
    Number {
        value: f64,
        percent: bool,
        date: bool,
    },
    Bool(bool),
    Error(String),
}

impl Cell<'_> {
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell's text, for header and title matching (numbers give `None`).
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Cell::Text(t) => Some(t),
            _ => None,
        }
    }

    pub(crate) fn input(&self) -> CellInput<'_> {
        match self {
            Cell::Empty => CellInput::Empty,
            Cell::Text(t) => CellInput::Text(t),
            Cell::Number {
                value,
                percent,
                date,
            } => CellInput::Number {
                value: *value,
                percent_format: *percent,
                date_format: *date,
            },
            Cell::Bool(b) => CellInput::Bool(*b),
            Cell::Error(e) => CellInput::Error(e),
        }
    }
}

/// A worksheet's used range.
pub(crate) struct Grid<'a> {
    /// First row of the used range (absolute, zero-based).
    pub first_row: u32,
    /// First column of the used range.
    pub first_col: u32,
    pub height: u32,
    pub width: u32,
    cells: Vec<Cell<'a>>,
    /// True for cells filled from a merged region (same indices as `cells`).
    merged: Vec<bool>,
    /// For cells filled from a merged region: (cell index, top-left row, top-left col).
    merged_from: Vec<(usize, u32, u32)>,
}

/// Why a sheet could not be loaded.
pub(crate) enum GridError {
    Xlsx(XlsxError),
    TooLarge { rows: u64, cols: u64 },
}

impl From<XlsxError> for GridError {
    fn from(e: XlsxError) -> Self {
        GridError::Xlsx(e)
    }
}

/// True when an Excel number format code shows a percentage (a `%` outside quotes and
/// brackets).
pub(crate) fn is_percent_format(code: &str) -> bool {
    let mut in_quotes = false;
    let mut in_brackets = false;
    let mut escaped = false;
    for c in code.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '"' => in_quotes = !in_quotes,
            '[' if !in_quotes => in_brackets = true,
            ']' if !in_quotes => in_brackets = false,
            '%' if !in_quotes && !in_brackets => return true,
            _ => {}
        }
    }
    false
}

impl<'a> Grid<'a> {
    /// Loads the cells of a sheet; merged regions are filled afterwards with
    /// [`Grid::fill_merges`].
    pub(crate) fn load<RS: Read + Seek>(
        xlsx: &'a mut Xlsx<RS>,
        sheet: &str,
    ) -> Result<Grid<'a>, GridError> {
        let mut reader = xlsx.worksheet_cells_reader(sheet)?;
        let percent_styles: Vec<bool> = reader
            .styles()
            .iter()
            .map(|s| {
                s.number_format.as_ref().is_some_and(|f| {
                    matches!(f.format_id, Some(9) | Some(10)) || is_percent_format(&f.format_code)
                })
            })
            .collect();
        // Most writers declare the used range (`<dimension ref="A1:M900"/>`): when it is
        // modest, cells go straight into a dense grid; otherwise (or for cells outside it)
        // they are collected first and the grid is sized from the cells actually present.
        let declared = reader.dimensions();
        let dense_ok = declared.start <= declared.end
            && declared.end.1 >= declared.start.1
            && declared.len() <= DENSE_DECLARED_CELLS;
        let mut grid = Grid {
            first_row: declared.start.0,
            first_col: declared.start.1,
            height: 0,
            width: 0,
            cells: Vec::new(),
            merged: Vec::new(),
            merged_from: Vec::new(),
        };
        if dense_ok {
            grid.height = declared.end.0 - declared.start.0 + 1;
            grid.width = declared.end.1 - declared.start.1 + 1;
            grid.cells = vec![Cell::Empty; declared.len() as usize];
        }
        let mut sparse: Vec<(u32, u32, Cell<'a>)> = Vec::new();
        let mut bounds: Option<(u32, u32, u32, u32)> = None;
        let mut any = false;
        while let Some((cell, style)) = reader.next_cell_with_style_id()? {
            let (r, c) = cell.get_position();
            let percent = percent_styles.get(style).copied().unwrap_or(false);
            let value = match cell.get_value() {
                DataRef::Empty => continue,
                DataRef::SharedString(s) => Cell::Text(Cow::Borrowed(*s)),
                DataRef::String(s) => Cell::Text(Cow::Owned(s.clone())),
                DataRef::Float(f) => Cell::Number {
                    value: *f,
                    percent,
                    date: false,
                },
                DataRef::Int(i) => Cell::Number {
                    value: *i as f64,
                    percent,
                    date: false,
                },
                DataRef::Bool(b) => Cell::Bool(*b),
                DataRef::DateTime(d) => Cell::Number {
                    value: d.as_f64(),
                    percent: false,
                    date: d.is_datetime(),
                },
                DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
                    Cell::Text(Cow::Owned(s.clone()))
                }
                DataRef::Error(e) => Cell::Error(e.to_string()),
            };
            if value.is_empty() {
                continue;
            }
            any = true;
            match grid.index(r, c) {
                Some(i) => grid.cells[i] = value,
                None => {
                    // Stop as soon as the cells outside the declared range span too much:
                    // memory stays bounded whatever the sheet claims.
                    bounds = Some(match bounds {
                        None => (r, c, r, c),
                        Some((r0, c0, r1, c1)) => (r0.min(r), c0.min(c), r1.max(r), c1.max(c)),
                    });
                    if let Some((r0, c0, r1, c1)) = bounds {
                        let rows = (r1 - r0) as u64 + 1;
                        let cols = (c1 - c0) as u64 + 1;
                        // (The count also stops a sheet repeating the same cells.)
                        if rows * cols > MAX_CELLS || sparse.len() as u64 >= MAX_CELLS {
                            // The used range in the message includes the declared part.
                            let (r0, c0, r1, c1) = match grid.cells.iter().any(|c| !c.is_empty()) {
                                true => (
                                    r0.min(grid.first_row),
                                    c0.min(grid.first_col),
                                    r1.max(grid.first_row + grid.height - 1),
                                    c1.max(grid.first_col + grid.width - 1),
                                ),
                                false => (r0, c0, r1, c1),
                            };
                            return Err(GridError::TooLarge {
                                rows: (r1 - r0) as u64 + 1,
                                cols: (c1 - c0) as u64 + 1,
                            });
                        }
                    }
                    sparse.push((r, c, value));
                }
            }
        }
        if !any {
            return Ok(Grid::empty());
        }
        if !sparse.is_empty() {
            // Cells outside the declared range (or no usable declaration): size the grid
            // from what is there.
            let old = std::mem::replace(&mut grid, Grid::empty());
            for (i, v) in old.cells.into_iter().enumerate() {
                if !v.is_empty() {
                    let r = old.first_row + (i / old.width as usize) as u32;
                    let c = old.first_col + (i % old.width as usize) as u32;
                    sparse.push((r, c, v));
                }
            }
            let (mut min_r, mut min_c, mut max_r, mut max_c) = (u32::MAX, u32::MAX, 0u32, 0u32);
            for (r, c, _) in &sparse {
                min_r = min_r.min(*r);
                min_c = min_c.min(*c);
                max_r = max_r.max(*r);
                max_c = max_c.max(*c);
            }
            let height = (max_r - min_r) as u64 + 1;
            let width = (max_c - min_c) as u64 + 1;
            if height * width > MAX_CELLS {
                return Err(GridError::TooLarge {
                    rows: height,
                    cols: width,
                });
            }
            grid = Grid {
                first_row: min_r,
                first_col: min_c,
                height: height as u32,
                width: width as u32,
                cells: vec![Cell::Empty; (height * width) as usize],
                merged: Vec::new(),
                merged_from: Vec::new(),
            };
            for (r, c, v) in sparse {
                if let Some(i) = grid.index(r, c) {
                    grid.cells[i] = v;
                }
            }
        }
        Ok(grid)
    }

    fn empty() -> Grid<'a> {
        Grid {
            first_row: 0,
            first_col: 0,
            height: 0,
            width: 0,
            cells: Vec::new(),
            merged: Vec::new(),
            merged_from: Vec::new(),
        }
    }

    fn index(&self, row: u32, col: u32) -> Option<usize> {
        if row < self.first_row
            || col < self.first_col
            || row - self.first_row >= self.height
            || col - self.first_col >= self.width
        {
            return None;
        }
        Some(
            (row - self.first_row) as usize * self.width as usize + (col - self.first_col) as usize,
        )
    }

    /// Copies the top-left value of every merged region into the region's empty cells,
    /// within the used range.
    pub(crate) fn fill_merges(&mut self, merges: &[Dimensions]) {
        for m in merges {
            let (r0, c0) = m.start;
            let (r1, c1) = m.end;
            let Some(top) = self.index(r0, c0) else {
                continue;
            };
            if self.cells[top].is_empty() {
                continue;
            }
            let value = self.cells[top].clone();
            let last_row = r1.min(self.first_row + self.height - 1);
            let last_col = c1.min(self.first_col + self.width - 1);
            for r in r0..=last_row {
                for c in c0..=last_col {
                    if (r, c) == (r0, c0) {
                        continue;
                    }
                    if let Some(i) = self.index(r, c) {
                        if self.cells[i].is_empty() {
                            self.cells[i] = value.clone();
                            if self.merged.is_empty() {
                                self.merged = vec![false; self.cells.len()];
                            }
                            self.merged[i] = true;
                            self.merged_from.push((i, r0, c0));
                        }
                    }
                }
            }
        }
        self.merged_from.sort_unstable_by_key(|m| m.0);
    }

    /// The cell at an absolute (row, col), empty outside the used range.
    pub(crate) fn get(&self, row: u32, col: u32) -> &Cell<'a> {
        const EMPTY: Cell<'static> = Cell::Empty;
        match self.index(row, col) {
            Some(i) => &self.cells[i],
            None => &EMPTY,
        }
    }

    /// Where the value at (row, col) really is: the cell itself, or the top-left cell of
    /// the merged region it was filled from.
    pub(crate) fn origin(&self, row: u32, col: u32) -> (u32, u32) {
        if let Some(i) = self
            .index(row, col)
            .filter(|i| self.merged.get(*i) == Some(&true))
        {
            if let Ok(k) = self.merged_from.binary_search_by_key(&i, |m| m.0) {
                let (_, r0, c0) = self.merged_from[k];
                return (r0, c0);
            }
        }
        (row, col)
    }

    /// True when the value at (row, col) was filled from a merged region.
    pub(crate) fn is_merged_fill(&self, row: u32, col: u32) -> bool {
        self.index(row, col)
            .is_some_and(|i| self.merged.get(i) == Some(&true))
    }

    /// Absolute index of the last row.
    pub(crate) fn last_row(&self) -> u32 {
        self.first_row + self.height.saturating_sub(1)
    }

    /// Absolute index of the last column.
    pub(crate) fn last_col(&self) -> u32 {
        self.first_col + self.width.saturating_sub(1)
    }

    pub(crate) fn is_blank(&self) -> bool {
        self.height == 0
    }

    /// The non-empty cells of a row, with their absolute column.
    pub(crate) fn row_cells(&self, row: u32) -> impl Iterator<Item = (u32, &Cell<'a>)> + '_ {
        (self.first_col..=self.last_col())
            .map(move |c| (c, self.get(row, c)))
            .filter(|(_, v)| !v.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::{is_percent_format, Cell, MAX_CELLS};

    /// The README's worst case in memory: a grid at the cell limit is 40,000,000 cells of 32
    /// bytes, 1.28 GB.
    #[test]
    fn a_grid_at_the_limit_takes_1_28_gigabytes() {
        assert_eq!(std::mem::size_of::<Cell>(), 32);
        assert_eq!(MAX_CELLS * 32, 1_280_000_000);
    }

    #[test]
    fn percent_formats() {
        assert!(is_percent_format("0%"));
        assert!(is_percent_format("0.00%"));
        assert!(is_percent_format("#,##0.0000%"));
        assert!(!is_percent_format("0.00"));
        assert!(!is_percent_format("0.00\"%\""));
        assert!(!is_percent_format("General"));
        assert!(!is_percent_format("dd/mm/yyyy"));
    }
}
