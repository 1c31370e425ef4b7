//! How the report's workbook is written: rust_xlsxwriter's settings ([`REPORT_WRITER`], shared
//! with the benchmark's floor so that both write the same way) and the one place where the
//! report writes a cell ([`Out`]), which also records, for the verification, every cell a
//! formula may read, exactly as it hands it to rust_xlsxwriter ([`Recorder`]).
//!
//! The recording is XLSX worksheet XML: the `<c>` elements rust_xlsxwriter writes for the same
//! cells (inline strings escaped the same way, formulas with the text given to
//! `Formula::new`), without styles, cached results, and text no formula reads. The
//! verification loads it into the independent engine instead of the compressed file (see
//! [`super::verify`]).

use std::fmt::Write as _;
use std::io::{Cursor, Write as _};

use rust_xlsxwriter::{Format, Formula, Workbook, Worksheet, XlsxError};

use super::Computed;

/// How barometro's reports are written by rust_xlsxwriter. [`REPORT_WRITER`] is the one the
/// report uses; a benchmark that compares the report with rust_xlsxwriter writing the same
/// cells should write with the same settings ([`WriterSettings::workbook`],
/// [`WriterSettings::add_row_worksheet`]).
///
/// ```
/// use barometro::report::REPORT_WRITER;
///
/// let mut workbook = REPORT_WRITER.workbook();
/// let sheet = REPORT_WRITER.add_row_worksheet(&mut workbook, 1)?;
/// sheet.set_name("Indicatori")?;
/// sheet.write_string(0, 0, "Indicatore")?;
/// sheet.write_number(1, 0, 92.5)?;
/// let bytes = workbook.save_to_buffer()?;
/// assert!(bytes.starts_with(b"PK"));
/// # Ok::<(), rust_xlsxwriter::XlsxError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriterSettings {
    /// The deflate level of the XLSX package, 1 (fastest) to 9 (smallest); rust_xlsxwriter's
    /// default is 6.
    pub zip_compression_level: u8,
    /// The sheets with one row per indicator, objective, activity or finding that have at
    /// least this many rows are written in rust_xlsxwriter's constant-memory mode: each row
    /// goes to a temporary file (in the system's temporary folder) as soon as the next one
    /// starts, so memory does not grow with the rows; strings are stored inline, and rows must
    /// be written in order. `usize::MAX`: never; 0: always.
    pub constant_memory_from: usize,
}

/// The settings of barometro's report writer (see [`WriterSettings`]): compression level 1,
/// and constant memory for the sheets of 10,000 rows or more (a municipality's file, of a few
/// hundred rows, is written in memory and needs no temporary file).
///
/// Measured on a 20,000-indicator report (callgrind, `build` alone): rust_xlsxwriter's
/// defaults (standard memory, level 6) 3.79 G instructions and 2.4 MB; constant memory at
/// level 1 3.11 G and 4.7 MB (strings inline: the areas' and objectives' names are repeated on
/// every row; 3.39 G and 3.7 MB at level 2).
pub const REPORT_WRITER: WriterSettings = WriterSettings {
    zip_compression_level: 1,
    constant_memory_from: 10_000,
};

impl WriterSettings {
    /// A new workbook saved with these settings.
    pub fn workbook(&self) -> Workbook {
        let mut workbook = Workbook::new();
        workbook.set_zip_compression_level(self.zip_compression_level);
        workbook
    }

    /// Whether a sheet of `rows` rows is written in constant-memory mode.
    pub fn constant_memory(&self, rows: usize) -> bool {
        rows >= self.constant_memory_from
    }

    /// A worksheet for `rows` rows written in order, as [`WriterSettings::add_row_worksheet`]
    /// adds one, not yet in the workbook (`Workbook::push_worksheet` adds it): several can be
    /// written side by side.
    pub fn new_row_worksheet(
        &self,
        workbook: &mut Workbook,
        rows: usize,
    ) -> Result<Worksheet, XlsxError> {
        if self.constant_memory(rows) {
            workbook.new_worksheet_with_constant_memory()
        } else {
            Ok(Worksheet::new())
        }
    }

    /// Adds a worksheet for `rows` rows written in order (one per indicator, objective…): in
    /// constant-memory mode when [`WriterSettings::constant_memory`] says so, otherwise an
    /// ordinary one. Fails only when the temporary file of the constant-memory mode cannot be
    /// created.
    pub fn add_row_worksheet<'w>(
        &self,
        workbook: &'w mut Workbook,
        rows: usize,
    ) -> Result<&'w mut Worksheet, XlsxError> {
        if self.constant_memory(rows) {
            workbook.add_worksheet_with_constant_memory()
        } else {
            Ok(workbook.add_worksheet())
        }
    }
}

/// One worksheet being written: every cell of the report goes through here, to
/// rust_xlsxwriter and, when the sheet is recorded, to the verification's copy.
pub(crate) struct Out<'w> {
    ws: &'w mut Worksheet,
    record: Option<SheetRecord>,
    /// A second recording of the same cells (Sintesi, for the ente's total when the report
    /// is verified in several groups of rows); with `glue_computed`, a formula goes into it
    /// as the value the engine computes for it in its own group (by its check's index).
    glue: Option<SheetRecord>,
    glue_computed: bool,
    /// By column, the format set with [`Out::column_format`]: a cell written with it takes
    /// it from the column (rust_xlsxwriter then writes the same `s="…"` without looking the
    /// format up for every cell).
    columns: Vec<*const Format>,
    /// Rows must come in order (a constant-memory worksheet silently drops a row written
    /// after a later one: here it is an error).
    in_order: bool,
    row: u32,
}

impl<'w> Out<'w> {
    /// A worksheet written without recording.
    pub(crate) fn new(ws: &'w mut Worksheet, in_order: bool) -> Out<'w> {
        Out {
            ws,
            record: None,
            glue: None,
            glue_computed: false,
            columns: Vec::new(),
            in_order,
            row: 0,
        }
    }

    /// Records the next cells in `record` (`None`: stop recording).
    pub(crate) fn set_record(&mut self, record: Option<SheetRecord>) {
        self.record = record;
    }

    /// The recording so far (complete rows), recording stops.
    pub(crate) fn take_record(&mut self) -> Option<SheetRecord> {
        let mut record = self.record.take()?;
        record.flush();
        Some(record)
    }

    /// Records the next cells also in `glue`; formulas as their computed values when
    /// `computed`.
    pub(crate) fn set_glue(&mut self, glue: Option<SheetRecord>, computed: bool) {
        self.glue = glue;
        self.glue_computed = computed;
    }

    /// Whether formulas go to the glue as their computed values.
    pub(crate) fn glue_computes(&mut self, computed: bool) {
        self.glue_computed = computed;
    }

    /// The glue recording (not flushed: its computed values come later).
    pub(crate) fn take_glue(&mut self) -> Option<SheetRecord> {
        self.glue.take()
    }

    /// The worksheet, for what is not a cell (widths, tables, conditional formats, notes,
    /// panes, print set-up).
    pub(crate) fn ws(&mut self) -> &mut Worksheet {
        self.ws
    }

    /// Gives column `col` the format `format`: the cells written with this very format
    /// (the same reference) then take it from the column.
    pub(crate) fn column_format(&mut self, col: u16, format: &Format) -> Result<(), XlsxError> {
        self.ws.set_column_format(col, format)?;
        let i = usize::from(col);
        if self.columns.len() <= i {
            self.columns.resize(i + 1, std::ptr::null());
        }
        self.columns[i] = format;
        Ok(())
    }

    /// `format`, unless it is the column's.
    fn own<'f>(&self, col: u16, format: &'f Format) -> Option<&'f Format> {
        match self.columns.get(usize::from(col)) {
            Some(&c) if std::ptr::eq(c, format) => None,
            _ => Some(format),
        }
    }

    /// The sheet's name.
    pub(crate) fn name(&self) -> String {
        self.ws.name()
    }

    fn check_row(&mut self, row: u32) -> Result<(), XlsxError> {
        if self.in_order {
            if row < self.row {
                return Err(XlsxError::ParameterError(format!(
                    "riga {} del foglio «{}» scritta dopo la riga {} (errore interno)",
                    row + 1,
                    self.ws.name(),
                    self.row + 1
                )));
            }
            self.row = row;
        }
        Ok(())
    }

    /// A text cell (always a string, never a formula).
    pub(crate) fn string(
        &mut self,
        row: u32,
        col: u16,
        text: &str,
        format: Option<&Format>,
    ) -> Result<(), XlsxError> {
        self.check_row(row)?;
        match format.and_then(|f| self.own(col, f)) {
            Some(f) => self.ws.write_string_with_format(row, col, text, f)?,
            None => self.ws.write_string(row, col, text)?,
        };
        if let Some(r) = self.record.as_mut() {
            r.text(row, col, text);
        }
        if let Some(r) = self.glue.as_mut() {
            r.text(row, col, text);
        }
        Ok(())
    }

    /// A text cell with a format.
    pub(crate) fn string_f(
        &mut self,
        row: u32,
        col: u16,
        text: impl AsRef<str>,
        format: &Format,
    ) -> Result<(), XlsxError> {
        self.string(row, col, text.as_ref(), Some(format))
    }

    /// A number cell.
    pub(crate) fn number(
        &mut self,
        row: u32,
        col: u16,
        number: f64,
        format: &Format,
    ) -> Result<(), XlsxError> {
        self.check_row(row)?;
        match self.own(col, format) {
            Some(f) => self.ws.write_number_with_format(row, col, number, f)?,
            None => self.ws.write_number(row, col, number)?,
        };
        if let Some(r) = self.record.as_mut() {
            r.number(row, col, number);
        }
        if let Some(r) = self.glue.as_mut() {
            r.number(row, col, number);
        }
        Ok(())
    }

    /// A formula cell with its cached result; `check`: the index of its [`super::FormulaCheck`].
    pub(crate) fn formula(
        &mut self,
        row: u32,
        col: u16,
        formula: &str,
        cached: String,
        format: &Format,
        check: usize,
    ) -> Result<(), XlsxError> {
        self.check_row(row)?;
        let f = Formula::new(formula).set_result(cached);
        match self.own(col, format) {
            Some(format) => self.ws.write_formula_with_format(row, col, f, format)?,
            None => self.ws.write_formula(row, col, f)?,
        };
        if let Some(r) = self.record.as_mut() {
            r.formula(row, col, formula);
        }
        if let Some(r) = self.glue.as_mut() {
            if self.glue_computed {
                r.computed(row, col, check);
            } else {
                r.formula(row, col, formula);
            }
        }
        Ok(())
    }

    /// A cell with a format and no value.
    pub(crate) fn blank(&mut self, row: u32, col: u16, format: &Format) -> Result<(), XlsxError> {
        self.check_row(row)?;
        // An empty cell of a column with this format looks the same: nothing to write.
        if let Some(f) = self.own(col, format) {
            self.ws.write_blank(row, col, f)?;
        }
        if let Some(r) = self.record.as_mut() {
            r.blank(row, col);
        }
        if let Some(r) = self.glue.as_mut() {
            r.blank(row, col);
        }
        Ok(())
    }
}

/// A cell of the recording not yet in its sheet's XML: its `<c>` element in `scratch`.
#[derive(Clone, Copy)]
struct Pending {
    row: u32,
    col: u16,
    start: u32,
    end: u32,
    /// The index of the check whose computed value goes here ([`NONE`]: none).
    computed: u32,
}

const NONE: u32 = u32::MAX;

/// The recorded cells of one sheet, as worksheet XML.
pub(crate) struct SheetRecord {
    name: String,
    /// By column: whether its text cells are recorded (a formula may read them); numbers
    /// and formulas always are. Empty: every text.
    keep_text: Vec<bool>,
    /// Cells arrive row by row: a row is complete once a later one starts.
    in_order: bool,
    /// Complete `<row>` elements.
    xml: Vec<u8>,
    pending: Vec<Pending>,
    scratch: Vec<u8>,
    /// Cells recorded (formulas, numbers and texts; blanks not counted).
    cells: usize,
    /// The last row and column with a cell in `xml`.
    extent: Option<(u32, u16)>,
}

impl SheetRecord {
    /// An empty recording of the sheet `name`; `keep_text` by column (empty: all texts).
    pub(crate) fn new(name: &str, keep_text: Vec<bool>, in_order: bool) -> SheetRecord {
        SheetRecord {
            name: name.to_string(),
            keep_text,
            in_order,
            xml: Vec::new(),
            pending: Vec::new(),
            scratch: Vec::new(),
            cells: 0,
            extent: None,
        }
    }

    fn begin(&mut self, row: u32) -> u32 {
        if self.in_order {
            if let Some(last) = self.pending.last() {
                if row > last.row {
                    self.flush();
                }
            }
        }
        self.scratch.len() as u32
    }

    fn end(&mut self, row: u32, col: u16, start: u32) {
        self.pending.push(Pending {
            row,
            col,
            start,
            end: self.scratch.len() as u32,
            computed: NONE,
        });
    }

    /// The value the engine computes for check `check`, filled in by [`SheetRecord::fill`].
    fn computed(&mut self, row: u32, col: u16, check: usize) {
        let start = self.begin(row);
        self.pending.push(Pending {
            row,
            col,
            start,
            end: start,
            computed: check as u32,
        });
        self.cells += 1;
    }

    /// Renders the computed values (`values[i]`: check `i`'s) and moves every cell into the
    /// XML.
    pub(crate) fn fill(&mut self, values: &[Computed]) {
        for i in 0..self.pending.len() {
            let p = self.pending[i];
            if p.computed == NONE {
                continue;
            }
            let start = self.scratch.len() as u32;
            match values.get(p.computed as usize) {
                Some(Computed::Number(n)) => {
                    self.open_cell(p.row, p.col, "");
                    let _ = write!(self.scratch, "<v>{n}</v></c>");
                }
                Some(Computed::Text(t)) => self.inline(p.row, p.col, t),
                Some(Computed::Error(e)) => {
                    self.open_cell(p.row, p.col, " t=\"e\"");
                    self.scratch.extend_from_slice(b"<v>");
                    escape_data(&mut self.scratch, e);
                    self.scratch.extend_from_slice(b"</v></c>");
                }
                Some(Computed::Empty) | None => {}
            }
            self.pending[i] = Pending {
                start,
                end: self.scratch.len() as u32,
                computed: NONE,
                ..p
            };
        }
        self.flush();
    }

    fn open_cell(&mut self, row: u32, col: u16, kind: &str) {
        self.scratch.extend_from_slice(b"<c r=\"");
        push_cell_name(&mut self.scratch, row, col);
        self.scratch.push(b'"');
        self.scratch.extend_from_slice(kind.as_bytes());
        self.scratch.push(b'>');
    }

    fn text(&mut self, row: u32, col: u16, text: &str) {
        if !self.keep_text.is_empty()
            && !self
                .keep_text
                .get(usize::from(col))
                .copied()
                .unwrap_or(false)
        {
            // No formula reads this column's text. (A blank still clears what was there.)
            let start = self.begin(row);
            self.end(row, col, start);
            return;
        }
        let start = self.begin(row);
        self.inline(row, col, text);
        self.cells += 1;
        self.end(row, col, start);
    }

    /// A `<c>` with an inline string, as rust_xlsxwriter writes it (constant-memory
    /// worksheets), into the scratch.
    fn inline(&mut self, row: u32, col: u16, text: &str) {
        self.open_cell(row, col, " t=\"inlineStr\"");
        let whitespace = ['\t', '\n', ' '];
        if text.starts_with(whitespace) || text.ends_with(whitespace) {
            self.scratch
                .extend_from_slice(b"<is><t xml:space=\"preserve\">");
        } else {
            self.scratch.extend_from_slice(b"<is><t>");
        }
        escape_text(&mut self.scratch, text);
        self.scratch.extend_from_slice(b"</t></is></c>");
    }

    fn number(&mut self, row: u32, col: u16, number: f64) {
        let start = self.begin(row);
        self.open_cell(row, col, "");
        let mut text = String::new();
        let _ = write!(text, "<v>{number}</v></c>");
        self.scratch.extend_from_slice(text.as_bytes());
        self.cells += 1;
        self.end(row, col, start);
    }

    fn formula(&mut self, row: u32, col: u16, formula: &str) {
        let start = self.begin(row);
        self.open_cell(row, col, "");
        self.scratch.extend_from_slice(b"<f>");
        // What `Formula::new` keeps of the text (rust_xlsxwriter then only adds `_xlfn.`
        // prefixes, which the engine reads either way).
        let mut f = formula;
        if let Some(s) = f.strip_prefix('{') {
            f = s;
        }
        if let Some(s) = f.strip_prefix('=') {
            f = s;
        }
        if let Some(s) = f.strip_suffix('}') {
            f = s;
        }
        escape_data(&mut self.scratch, f);
        self.scratch.extend_from_slice(b"</f></c>");
        self.cells += 1;
        self.end(row, col, start);
    }

    fn blank(&mut self, row: u32, col: u16) {
        let start = self.begin(row);
        self.end(row, col, start);
    }

    /// Moves the pending cells into the XML, row by row, in column order; of two writes to
    /// one cell the later wins, as in rust_xlsxwriter.
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        // Stable: equal cells keep their order, the last one is kept below.
        self.pending.sort_by_key(|p| (p.row, p.col));
        let mut current: Option<u32> = None;
        let n = self.pending.len();
        for i in 0..n {
            let p = self.pending[i];
            if i + 1 < n && self.pending[i + 1].row == p.row && self.pending[i + 1].col == p.col {
                continue;
            }
            if p.start == p.end {
                continue;
            }
            if current != Some(p.row) {
                if current.is_some() {
                    self.xml.extend_from_slice(b"</row>");
                }
                let mut open = String::new();
                let _ = write!(open, "<row r=\"{}\">", p.row + 1);
                self.xml.extend_from_slice(open.as_bytes());
                current = Some(p.row);
            }
            self.xml
                .extend_from_slice(&self.scratch[p.start as usize..p.end as usize]);
            let (r, c) = self.extent.unwrap_or((0, 0));
            self.extent = Some((r.max(p.row), c.max(p.col)));
        }
        if current.is_some() {
            self.xml.extend_from_slice(b"</row>");
        }
        self.pending.clear();
        self.scratch.clear();
    }
}

/// `B5` into `out`.
fn push_cell_name(out: &mut Vec<u8>, row: u32, col: u16) {
    let mut letters = [0u8; 3];
    let mut n = u32::from(col) + 1;
    let mut i = letters.len();
    while n > 0 && i > 0 {
        i -= 1;
        letters[i] = b'A' + ((n - 1) % 26) as u8;
        n = (n - 1) / 26;
    }
    out.extend_from_slice(&letters[i..]);
    let mut digits = [0u8; 10];
    let mut j = digits.len();
    let mut r = row + 1;
    loop {
        j -= 1;
        digits[j] = b'0' + (r % 10) as u8;
        r /= 10;
        if r == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[j..]);
}

/// XML character data as rust_xlsxwriter escapes it: `&`, `<`, `>`, and control characters
/// (and U+FFFE, U+FFFF) as Excel's `_xHHHH_`.
fn escape_data(out: &mut Vec<u8>, text: &str) {
    for ch in text.chars() {
        match ch {
            '&' => out.extend_from_slice(b"&amp;"),
            '<' => out.extend_from_slice(b"&lt;"),
            '>' => out.extend_from_slice(b"&gt;"),
            '\t' | '\n' => out.push(ch as u8),
            '\x00'..='\x1F' | '\u{FFFE}' | '\u{FFFF}' => {
                let _ = write!(out, "_x{:04X}_", u32::from(ch));
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
}

/// A string's text as rust_xlsxwriter writes it: a literal `_xHHHH_` gets its underscore
/// escaped (`_x005F_xHHHH_`), then [`escape_data`].
fn escape_text(out: &mut Vec<u8>, text: &str) {
    if !text.contains("_x") {
        return escape_data(out, text);
    }
    const LEN: usize = 7; // _xHHHH_
    let mut escaped = text.to_string();
    for (index, _) in text.rmatch_indices("_x") {
        if index + LEN > text.len() || !text.is_char_boundary(index + LEN - 1) {
            continue;
        }
        if !text[index + LEN - 1..].starts_with('_') {
            continue;
        }
        if text[index + 2..index + LEN - 1]
            .chars()
            .all(|c| c.is_ascii_hexdigit())
        {
            escaped.replace_range(index..index, "_x005F");
        }
    }
    escape_data(out, &escaped);
}

/// The recordings of some sheets of a report: what the verification loads.
#[derive(Default)]
pub(crate) struct Recorder {
    sheets: Vec<SheetRecord>,
}

impl Recorder {
    /// Adds a finished sheet.
    pub(crate) fn add(&mut self, sheet: Option<SheetRecord>) {
        if let Some(s) = sheet {
            self.sheets.push(s);
        }
    }

    /// The recorded sheets' names, in order.
    pub(crate) fn sheet_names(&self) -> Vec<String> {
        self.sheets.iter().map(|s| s.name.clone()).collect()
    }

    /// The recorded cells (formulas, numbers and texts).
    pub(crate) fn cells(&self) -> usize {
        self.sheets.iter().map(|s| s.cells).sum()
    }

    /// An uncompressed XLSX package of the recorded sheets, for the engine.
    pub(crate) fn package(self) -> Result<Vec<u8>, XlsxError> {
        use zip::write::SimpleFileOptions;
        let options =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        let size: usize = self.sheets.iter().map(|s| s.xml.len() + 256).sum::<usize>() + 4096;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(size)));
        let fail = |e: &dyn std::fmt::Display| XlsxError::ParameterError(e.to_string());
        let put = |zip: &mut zip::ZipWriter<Cursor<Vec<u8>>>, name: &str, parts: &[&[u8]]| {
            zip.start_file(name, options).map_err(|e| fail(&e))?;
            for part in parts {
                zip.write_all(part).map_err(|e| fail(&e))?;
            }
            Ok::<(), XlsxError>(())
        };
        const XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
        let mut types = format!(
            "{XML}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
        );
        let mut sheets = String::new();
        let mut rels = format!(
            "{XML}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        );
        for (i, s) in self.sheets.iter().enumerate() {
            let n = i + 1;
            let _ = write!(
                types,
                "<Override PartName=\"/xl/worksheets/sheet{n}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
            );
            let mut name = Vec::new();
            escape_attribute(&mut name, &s.name);
            let _ = write!(
                sheets,
                "<sheet name=\"{}\" sheetId=\"{n}\" r:id=\"rId{n}\"/>",
                String::from_utf8_lossy(&name)
            );
            let _ = write!(
                rels,
                "<Relationship Id=\"rId{n}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{n}.xml\"/>"
            );
        }
        types.push_str("</Types>");
        rels.push_str("</Relationships>");
        let workbook = format!(
            "{XML}<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>{sheets}</sheets></workbook>"
        );
        put(&mut zip, "[Content_Types].xml", &[types.as_bytes()])?;
        put(
            &mut zip,
            "_rels/.rels",
            &[format!(
                "{XML}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
            )
            .as_bytes()],
        )?;
        put(&mut zip, "xl/workbook.xml", &[workbook.as_bytes()])?;
        put(&mut zip, "xl/_rels/workbook.xml.rels", &[rels.as_bytes()])?;
        for (i, s) in self.sheets.into_iter().enumerate() {
            // The extent first, as rust_xlsxwriter writes it: the engine sizes its columns
            // from it (without it they grow row by row).
            let mut head = format!(
                "{XML}<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><dimension ref=\""
            )
            .into_bytes();
            match s.extent {
                Some((row, col)) => {
                    head.extend_from_slice(b"A1:");
                    push_cell_name(&mut head, row, col);
                }
                None => head.extend_from_slice(b"A1"),
            }
            head.extend_from_slice(b"\"/><sheetData>");
            put(
                &mut zip,
                &format!("xl/worksheets/sheet{}.xml", i + 1),
                &[&head, &s.xml, b"</sheetData></worksheet>"],
            )?;
        }
        let cursor = zip.finish().map_err(|e| fail(&e))?;
        Ok(cursor.into_inner())
    }
}

/// An attribute value: `&`, `"`, `<`, `>` escaped.
fn escape_attribute(out: &mut Vec<u8>, text: &str) {
    for ch in text.chars() {
        match ch {
            '&' => out.extend_from_slice(b"&amp;"),
            '"' => out.extend_from_slice(b"&quot;"),
            '<' => out.extend_from_slice(b"&lt;"),
            '>' => out.extend_from_slice(b"&gt;"),
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xml(r: &SheetRecord) -> String {
        String::from_utf8(r.xml.clone()).unwrap()
    }

    #[test]
    fn cell_names() {
        let mut out = Vec::new();
        push_cell_name(&mut out, 0, 0);
        out.push(b' ');
        push_cell_name(&mut out, 1_048_575, 16_383);
        out.push(b' ');
        push_cell_name(&mut out, 9, 26);
        assert_eq!(String::from_utf8(out).unwrap(), "A1 XFD1048576 AA10");
    }

    #[test]
    fn rows_in_order_later_write_wins_filtered_text() {
        let mut r = SheetRecord::new("S", vec![true, false, true], true);
        r.text(2, 0, " a&b ");
        r.text(2, 1, "not read");
        r.number(2, 2, 1.5);
        r.number(2, 2, 2.0);
        r.formula(3, 2, "=SUM(C3:C3)");
        r.blank(4, 0);
        r.flush();
        assert_eq!(
            xml(&r),
            "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t xml:space=\"preserve\"> a&amp;b </t></is></c><c r=\"C3\"><v>2</v></c></row><row r=\"4\"><c r=\"C4\"><f>SUM(C3:C3)</f></c></row>"
        );
        assert_eq!(r.cells, 4);
    }

    #[test]
    fn unordered_sheets_are_sorted_and_blank_clears() {
        let mut r = SheetRecord::new("S", Vec::new(), false);
        r.number(5, 1, 3.0);
        r.text(1, 0, "x\u{1}_x0041_");
        r.number(5, 0, 1.0);
        r.blank(5, 0);
        r.flush();
        assert_eq!(
            xml(&r),
            "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>x_x0001__x005F_x0041_</t></is></c></row><row r=\"6\"><c r=\"B6\"><v>3</v></c></row>"
        );
    }
}
