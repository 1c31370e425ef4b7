//! The cells of a report, for the I/O floor of the report and scale benchmarks: a barometro
//! report's cells extracted with calamine ([`extract`]), rust_xlsxwriter alone writing the same
//! cells ([`floor_book`]) with the workbook settings of barometro's report writer
//! ([`WriterSettings`], read from `src/report`), the check that the floor wrote them
//! ([`check_floor`]), calamine's raw read of a workbook ([`calamine_read`]), and a compact file
//! of the cells for a floor that runs in a child process ([`save_cells`], [`load_cells`]).

use std::collections::BTreeMap;
use std::io::{BufReader, BufWriter, Cursor, Read, Write};
use std::path::Path;

use calamine::{open_workbook, open_workbook_from_rs, Data, Reader, Xlsx};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Formula, Workbook};

/// One cell as rust_xlsxwriter alone writes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    String(String),
    Number(f64),
    /// The formula (as calamine gives it, without `=`) and its cached result, as text.
    Formula(String, String),
    /// A cell with a format and no value (barometro writes a score with no value so).
    Blank,
}

/// A cell, where it is and its style in the report (`s="N"`, 0 for none).
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub row: u32,
    pub col: u16,
    pub style: u32,
    pub cell: Cell,
}

/// The cells of one sheet, in row-major order.
pub struct Sheet {
    pub name: String,
    pub cells: Vec<Placed>,
    /// The report wrote this sheet in rust_xlsxwriter's constant-memory mode (its strings are
    /// inline, `t="inlineStr"`, instead of shared): the floor writes it the same way.
    pub constant_memory: bool,
}

/// The cells of a workbook and its styles (`cellXfs`).
pub struct Cells {
    pub sheets: Vec<Sheet>,
    /// By style index: the style rebuilt as a format (see [`style_formats`]).
    pub formats: Vec<Format>,
}

#[derive(Default, Clone, Copy)]
pub struct CellCounts {
    pub strings: usize,
    pub numbers: usize,
    pub formulas: usize,
    pub blanks: usize,
    pub styled: usize,
}

impl CellCounts {
    pub fn of(sheets: &[Sheet]) -> CellCounts {
        let mut c = CellCounts::default();
        for p in sheets.iter().flat_map(|s| s.cells.iter()) {
            match p.cell {
                Cell::String(_) => c.strings += 1,
                Cell::Number(_) => c.numbers += 1,
                Cell::Formula(..) => c.formulas += 1,
                Cell::Blank => c.blanks += 1,
            }
            if p.style != 0 {
                c.styled += 1;
            }
        }
        c
    }

    pub fn total(&self) -> usize {
        self.strings + self.numbers + self.formulas + self.blanks
    }
}

/// A cached formula result as text: numbers as the shortest text that reads back as the same
/// `f64` (what barometro passes to `set_result`).
pub fn result_text(value: Option<&Data>) -> String {
    match value {
        None | Some(Data::Empty) => String::new(),
        Some(Data::Float(f)) => number_text(*f),
        Some(Data::Int(i)) => i.to_string(),
        Some(Data::DateTime(d)) => number_text(d.as_f64()),
        Some(Data::Bool(b)) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Some(Data::String(s)) | Some(Data::DateTimeIso(s)) | Some(Data::DurationIso(s)) => {
            s.clone()
        }
        Some(Data::Error(e)) => e.to_string(),
    }
}

pub fn number_text(n: f64) -> String {
    if n == n.trunc() && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// `AB12` → (11, 27), zero-based.
pub fn parse_ref(r: &str) -> Option<(u32, u16)> {
    let split = r.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = r.split_at(split);
    let mut col: u32 = 0;
    for b in letters.bytes() {
        if !b.is_ascii_uppercase() {
            return None;
        }
        col = col * 26 + u32::from(b - b'A' + 1);
    }
    let row: u32 = digits.parse().ok()?;
    Some((
        row.checked_sub(1)?,
        u16::try_from(col.checked_sub(1)?).ok()?,
    ))
}

/// The value of `name="…"` in an XML tag's text.
pub fn attribute<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let key = format!(" {name}=\"");
    let at = tag.find(&key)? + key.len();
    let len = tag[at..].find('"')?;
    Some(&tag[at..at + len])
}

/// What the sheet XML says of every cell: its style (`s="N"`) and whether it is a formatted
/// blank (`<c r="X5" s="3"/>`: no value), which calamine does not report.
pub fn cell_tags(xml: &str) -> Vec<((u32, u16), u32, bool)> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(at) = rest.find("<c r=\"") {
        rest = &rest[at + 2..];
        let Some(end) = rest.find('>') else { break };
        let tag = &rest[..end];
        let at = attribute(tag, "r").and_then(parse_ref);
        let style = attribute(tag, "s")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        if let Some(at) = at {
            out.push((at, style, tag.ends_with('/')));
        }
        rest = &rest[end..];
    }
    out
}

/// An entry of the XLSX archive as text.
pub fn zip_text(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("the report is a zip archive");
    let mut entry = zip.by_name(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut xml = String::new();
    entry.read_to_string(&mut xml).expect("the entry is UTF-8");
    xml
}

/// The elements `<tag …>…</tag>` or `<tag …/>` inside the section `<section …>…</section>`.
pub fn elements<'x>(xml: &'x str, section: &str, tag: &str) -> Vec<&'x str> {
    let Some(start) = xml.find(&format!("<{section}")) else {
        return Vec::new();
    };
    let close = format!("</{section}>");
    let end = xml[start..].find(&close).map_or(xml.len(), |e| start + e);
    let body = &xml[start..end];
    let (open_a, open_b) = (format!("<{tag} "), format!("<{tag}>"));
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(at) = [rest.find(&open_a), rest.find(&open_b)]
        .into_iter()
        .flatten()
        .min()
    {
        rest = &rest[at..];
        let head_end = rest.find('>').unwrap_or(rest.len());
        let len = if rest[..head_end].ends_with('/') {
            head_end + 1
        } else {
            rest.find(&format!("</{tag}>"))
                .map_or(rest.len(), |e| e + tag.len() + 3)
        };
        out.push(&rest[..len]);
        rest = &rest[len..];
    }
    out
}

/// `FF595959` → a colour.
pub fn rgb(argb: &str) -> Option<Color> {
    u32::from_str_radix(argb, 16)
        .ok()
        .map(|v| Color::RGB(v & 0xFF_FFFF))
}

/// For every style (`cellXfs`) of `xl/styles.xml`, the same format rebuilt with the attributes
/// barometro's formats use: number format, font (bold, italic, size, name, colour), solid
/// fill, thin top / bottom border, vertical alignment and wrapping.
pub fn style_formats(bytes: &[u8]) -> Vec<Format> {
    let xml = zip_text(bytes, "xl/styles.xml");
    let unescape = |s: &str| {
        s.replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    let codes: BTreeMap<u16, String> = elements(&xml, "numFmts", "numFmt")
        .into_iter()
        .filter_map(|t| {
            let id = attribute(t, "numFmtId")?.parse().ok()?;
            Some((id, unescape(attribute(t, "formatCode")?)))
        })
        .collect();
    let fonts = elements(&xml, "fonts", "font");
    let fills = elements(&xml, "fills", "fill");
    let borders = elements(&xml, "borders", "border");
    let index = |t: &str, name: &str| -> usize {
        attribute(t, name).and_then(|v| v.parse().ok()).unwrap_or(0)
    };
    let mut formats = Vec::new();
    for xf in elements(&xml, "cellXfs", "xf") {
        let mut f = Format::new();
        let num = index(xf, "numFmtId");
        if let Some(code) = codes.get(&(num as u16)) {
            f = f.set_num_format(code);
        } else if num != 0 {
            f = f.set_num_format_index(num as u8);
        }
        if let Some(font) = fonts
            .get(index(xf, "fontId"))
            .filter(|_| index(xf, "fontId") > 0)
        {
            if font.contains("<b/>") {
                f = f.set_bold();
            }
            if font.contains("<i/>") {
                f = f.set_italic();
            }
            if let Some(sz) = font
                .find("<sz ")
                .and_then(|at| attribute(&font[at..], "val"))
                .and_then(|v| v.parse::<f64>().ok())
            {
                f = f.set_font_size(sz);
            }
            if let Some(name) = font
                .find("<name ")
                .and_then(|at| attribute(&font[at..], "val"))
            {
                f = f.set_font_name(name);
            }
            if let Some(colour) = font
                .find("<color rgb")
                .and_then(|at| attribute(&font[at..], "rgb"))
                .and_then(rgb)
            {
                f = f.set_font_color(colour);
            }
        }
        if let Some(colour) = fills
            .get(index(xf, "fillId"))
            .filter(|_| index(xf, "fillId") > 1)
            .and_then(|fill| fill.find("<fgColor ").map(|at| &fill[at..]))
            .and_then(|t| attribute(t, "rgb"))
            .and_then(rgb)
        {
            f = f.set_background_color(colour);
        }
        if let Some(border) = borders.get(index(xf, "borderId")) {
            if border.contains("<top style=\"thin\"") {
                f = f.set_border_top(FormatBorder::Thin);
            }
            if border.contains("<bottom style=\"thin\"") {
                f = f.set_border_bottom(FormatBorder::Thin);
            }
        }
        if let Some(at) = xf.find("<alignment") {
            let a = &xf[at..];
            match attribute(a, "vertical") {
                Some("top") => f = f.set_align(FormatAlign::Top),
                Some("center") => f = f.set_align(FormatAlign::VerticalCenter),
                _ => {}
            }
            if attribute(a, "wrapText") == Some("1") {
                f = f.set_text_wrap();
            }
        }
        formats.push(f);
    }
    formats
}

/// The number of styles (`cellXfs`) of an XLSX file.
pub fn style_count(bytes: &[u8]) -> usize {
    elements(&zip_text(bytes, "xl/styles.xml"), "cellXfs", "xf").len()
}

/// The cells of an XLSX workbook (a barometro report, or the floor's output to check it).
/// Values from `worksheet_range`, formulas from `worksheet_formula`, aligned by absolute
/// position; styles and formatted blank cells from the sheet XML (rust_xlsxwriter names the
/// sheets `xl/worksheets/sheetN.xml` in sheet order).
pub fn extract(bytes: &[u8]) -> Cells {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("calamine opens it");
    let names = wb.sheet_names();
    let mut sheets = Vec::with_capacity(names.len());
    for (index, name) in names.iter().enumerate() {
        let values = wb.worksheet_range(name).expect("calamine reads the values");
        let formulas = wb
            .worksheet_formula(name)
            .expect("calamine reads the formulas");
        let mut cells: BTreeMap<(u32, u16), Cell> = BTreeMap::new();
        // Values, by absolute position.
        let mut cached: BTreeMap<(u32, u16), &Data> = BTreeMap::new();
        if let Some((r0, c0)) = values.start() {
            for (r, c, v) in values.used_cells() {
                let at = (r0 + r as u32, (c0 as usize + c) as u16);
                cached.insert(at, v);
                let cell = match v {
                    Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
                        Cell::String(s.clone())
                    }
                    Data::Float(f) => Cell::Number(*f),
                    Data::Int(i) => Cell::Number(*i as f64),
                    Data::DateTime(d) => Cell::Number(d.as_f64()),
                    Data::Bool(b) => Cell::String(b.to_string()),
                    Data::Error(e) => panic!("{name}: error value {e} outside a formula"),
                    Data::Empty => continue,
                };
                cells.insert(at, cell);
            }
        }
        // Formulas replace the values they cache.
        if let Some((r0, c0)) = formulas.start() {
            for (r, c, f) in formulas.used_cells() {
                if f.is_empty() {
                    continue;
                }
                let at = (r0 + r as u32, (c0 as usize + c) as u16);
                let result = result_text(cached.get(&at).copied());
                cells.insert(at, Cell::Formula(f.clone(), result));
            }
        }
        let mut styles: BTreeMap<(u32, u16), u32> = BTreeMap::new();
        let xml = zip_text(bytes, &format!("xl/worksheets/sheet{}.xml", index + 1));
        for (at, style, blank) in cell_tags(&xml) {
            if blank {
                cells.entry(at).or_insert(Cell::Blank);
            }
            styles.insert(at, style);
        }
        sheets.push(Sheet {
            name: name.clone(),
            constant_memory: xml.contains("t=\"inlineStr\""),
            cells: cells
                .into_iter()
                .map(|((row, col), cell)| Placed {
                    row,
                    col,
                    style: styles.get(&(row, col)).copied().unwrap_or(0),
                    cell,
                })
                .collect(),
        });
    }
    Cells {
        sheets,
        formats: style_formats(bytes),
    }
}

/// rust_xlsxwriter alone: the same sheets and cells in a workbook set up like barometro's report
/// writer ([`WriterSettings`], and each sheet in constant-memory mode when the report's was);
/// with `formats`, every cell with the format of its style in the report, else no formats at
/// all.
pub fn floor_book(
    sheets: &[Sheet],
    formats: Option<&[Format]>,
    settings: &WriterSettings,
) -> Workbook {
    let mut wb = Workbook::new();
    settings.apply(&mut wb);
    let default = Format::default();
    for sheet in sheets {
        let ws = if sheet.constant_memory {
            wb.add_worksheet_with_constant_memory()
                .expect("rust_xlsxwriter adds a constant-memory sheet")
        } else if settings.low_memory {
            wb.add_worksheet_with_low_memory()
                .expect("rust_xlsxwriter adds a low-memory sheet")
        } else {
            wb.add_worksheet()
        };
        ws.set_name(&sheet.name).expect("a valid sheet name");
        for p in &sheet.cells {
            let (row, col) = (p.row, p.col);
            let format = formats.and_then(|f| f.get(p.style as usize).filter(|_| p.style != 0));
            match (&p.cell, format) {
                (Cell::String(s), None) => ws.write_string(row, col, s),
                (Cell::String(s), Some(f)) => ws.write_string_with_format(row, col, s, f),
                (Cell::Number(n), None) => ws.write_number(row, col, *n),
                (Cell::Number(n), Some(f)) => ws.write_number_with_format(row, col, *n, f),
                (Cell::Formula(x, r), None) => {
                    ws.write_formula(row, col, Formula::new(x).set_result(r))
                }
                (Cell::Formula(x, r), Some(f)) => {
                    ws.write_formula_with_format(row, col, Formula::new(x).set_result(r), f)
                }
                (Cell::Blank, f) => ws.write_blank(row, col, f.unwrap_or(&default)),
            }
            .expect("rust_xlsxwriter takes the cell");
        }
    }
    wb
}

/// [`floor_book`] saved to a buffer. (Never inlined, so that a profiler can select it.)
#[inline(never)]
pub fn floor_write(
    sheets: &[Sheet],
    formats: Option<&[Format]>,
    settings: &WriterSettings,
) -> Vec<u8> {
    floor_book(sheets, formats, settings)
        .save_to_buffer()
        .expect("rust_xlsxwriter saves")
}

/// [`floor_book`] without formats, saved to `path`. (Never inlined.)
#[inline(never)]
pub fn floor_save(sheets: &[Sheet], settings: &WriterSettings, path: &Path) {
    floor_book(sheets, None, settings)
        .save(path)
        .unwrap_or_else(|e| panic!("rust_xlsxwriter cannot save {}: {e}", path.display()));
}

/// The floor's output holds the report's cells (checked once, not timed). Without formats,
/// blank cells are not compared: rust_xlsxwriter stores a blank cell without a format but does
/// not write it out (like Excel). With formats, every cell must also have the same format as in
/// the report (as [`style_formats`] rebuilds them).
pub fn check_floor(report: &Cells, floor_bytes: &[u8], with_formats: bool) {
    let back = extract(floor_bytes);
    assert_eq!(back.sheets.len(), report.sheets.len(), "sheet count");
    let format = |c: &Cells, p: &Placed| c.formats.get(p.style as usize).cloned();
    for (a, b) in report.sheets.iter().zip(&back.sheets) {
        assert_eq!(a.name, b.name);
        let name = &a.name;
        let kept = |p: &&Placed| with_formats || p.cell != Cell::Blank;
        let a: Vec<_> = a.cells.iter().filter(kept).collect();
        let b: Vec<_> = b.cells.iter().filter(kept).collect();
        assert_eq!(
            a.len(),
            b.len(),
            "sheet {name}: the floor wrote {} cells, the report has {}",
            b.len(),
            a.len()
        );
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(
                (x.row, x.col, &x.cell),
                (y.row, y.col, &y.cell),
                "sheet {name}: the floor's cell differs"
            );
            if with_formats {
                assert_eq!(
                    format(report, x),
                    format(&back, y),
                    "sheet {name}: the floor's cell {}:{} has another format",
                    x.row,
                    x.col
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The report writer's workbook settings.
// ---------------------------------------------------------------------------------------------

/// The rust_xlsxwriter workbook settings of barometro's report writer, so that the floor pays
/// for the same compression and memory mode. Taken from `barometro::report::REPORT_WRITER`
/// ([`Self::of_source`]) rather than copied here, so that a change in `src/report` reaches the
/// floor with no edit; constant-memory sheets are recognised in the report itself (their
/// strings are inline, see [`Sheet::constant_memory`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WriterSettings {
    /// `Workbook::set_zip_compression_level(n)`; `None`: rust_xlsxwriter's default (6).
    pub compression_level: Option<u8>,
    /// Sheets added with `add_worksheet_with_low_memory` (the floor then adds every sheet that
    /// is not in constant-memory mode so).
    pub low_memory: bool,
    /// `Workbook::use_zip_large_file(true)`.
    pub large_file: bool,
}

impl WriterSettings {
    /// Applies the workbook-wide settings.
    pub fn apply(&self, wb: &mut Workbook) {
        if let Some(level) = self.compression_level {
            wb.set_zip_compression_level(level);
        }
        if self.large_file {
            wb.use_zip_large_file(true);
        }
    }

    /// The settings of barometro's report writer, `barometro::report::REPORT_WRITER` (the
    /// constant-memory sheets are recognised in the report itself, see
    /// [`Sheet::constant_memory`]), and notes on what the floor cannot copy (none today).
    pub fn of_source() -> (WriterSettings, Vec<String>) {
        let report = barometro::report::REPORT_WRITER;
        (
            WriterSettings {
                compression_level: Some(report.zip_compression_level),
                low_memory: false,
                large_file: false,
            },
            Vec::new(),
        )
    }

    /// `compression level 6 (rust_xlsxwriter's default)`, `…; low-memory sheets`.
    pub fn describe(&self, sheets: &[Sheet]) -> String {
        let mut parts = vec![match self.compression_level {
            Some(l) => format!("zip compression level {l}"),
            None => "zip compression level 6 (rust_xlsxwriter's default)".to_string(),
        }];
        let constant: Vec<&str> = sheets
            .iter()
            .filter(|s| s.constant_memory)
            .map(|s| s.name.as_str())
            .collect();
        if !constant.is_empty() {
            parts.push(format!("constant-memory sheets: {}", constant.join(", ")));
        }
        if self.low_memory {
            parts.push("low-memory sheets".to_string());
        }
        if self.large_file {
            parts.push("ZIP64".to_string());
        }
        parts.join("; ")
    }
}

// ---------------------------------------------------------------------------------------------
// calamine's raw read.
// ---------------------------------------------------------------------------------------------

/// calamine's raw read: every sheet's values as a `Range<Data>` (`open_workbook` +
/// `worksheet_range`). Returns the number of non-empty cells. (Never inlined.)
#[inline(never)]
pub fn calamine_read(path: &Path) -> usize {
    let mut wb: Xlsx<_> = open_workbook(path)
        .unwrap_or_else(|e| panic!("calamine cannot open {}: {e}", path.display()));
    let mut cells = 0;
    for name in wb.sheet_names() {
        let range = wb
            .worksheet_range(&name)
            .unwrap_or_else(|e| panic!("calamine cannot read {name} of {}: {e}", path.display()));
        cells += range.used_cells().count();
    }
    cells
}

// ---------------------------------------------------------------------------------------------
// The cells as a file, for a floor in a child process.
// ---------------------------------------------------------------------------------------------

const MAGIC: &[u8; 8] = b"cells01\n";

fn put_str(w: &mut impl Write, s: &str) -> std::io::Result<()> {
    w.write_all(&(s.len() as u32).to_le_bytes())?;
    w.write_all(s.as_bytes())
}

fn get<const N: usize>(r: &mut impl Read) -> std::io::Result<[u8; N]> {
    let mut b = [0u8; N];
    r.read_exact(&mut b)?;
    Ok(b)
}

fn get_str(r: &mut impl Read) -> std::io::Result<String> {
    let len = u32::from_le_bytes(get(r)?) as usize;
    let mut b = vec![0u8; len];
    r.read_exact(&mut b)?;
    String::from_utf8(b).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// Writes the sheets' cells (not their styles) to `path`, for [`load_cells`].
pub fn save_cells(path: &Path, sheets: &[Sheet]) -> std::io::Result<()> {
    let mut w = BufWriter::new(std::fs::File::create(path)?);
    w.write_all(MAGIC)?;
    w.write_all(&(sheets.len() as u32).to_le_bytes())?;
    for sheet in sheets {
        put_str(&mut w, &sheet.name)?;
        w.write_all(&[u8::from(sheet.constant_memory)])?;
        w.write_all(&(sheet.cells.len() as u64).to_le_bytes())?;
        for p in &sheet.cells {
            w.write_all(&p.row.to_le_bytes())?;
            w.write_all(&p.col.to_le_bytes())?;
            w.write_all(&p.style.to_le_bytes())?;
            match &p.cell {
                Cell::String(s) => {
                    w.write_all(&[0])?;
                    put_str(&mut w, s)?;
                }
                Cell::Number(n) => {
                    w.write_all(&[1])?;
                    w.write_all(&n.to_le_bytes())?;
                }
                Cell::Formula(f, r) => {
                    w.write_all(&[2])?;
                    put_str(&mut w, f)?;
                    put_str(&mut w, r)?;
                }
                Cell::Blank => w.write_all(&[3])?,
            }
        }
    }
    w.flush()
}

/// The sheets [`save_cells`] wrote.
pub fn load_cells(path: &Path) -> std::io::Result<Vec<Sheet>> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
    let mut r = BufReader::new(std::fs::File::open(path)?);
    if &get::<8>(&mut r)? != MAGIC {
        return Err(bad("not a cells file"));
    }
    let count = u32::from_le_bytes(get(&mut r)?);
    let mut sheets = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let name = get_str(&mut r)?;
        let constant_memory = get::<1>(&mut r)?[0] != 0;
        let n = u64::from_le_bytes(get(&mut r)?) as usize;
        let mut cells = Vec::with_capacity(n);
        for _ in 0..n {
            let row = u32::from_le_bytes(get(&mut r)?);
            let col = u16::from_le_bytes(get(&mut r)?);
            let style = u32::from_le_bytes(get(&mut r)?);
            let cell = match get::<1>(&mut r)?[0] {
                0 => Cell::String(get_str(&mut r)?),
                1 => Cell::Number(f64::from_le_bytes(get(&mut r)?)),
                2 => {
                    let f = get_str(&mut r)?;
                    Cell::Formula(f, get_str(&mut r)?)
                }
                3 => Cell::Blank,
                _ => return Err(bad("unknown cell kind")),
            };
            cells.push(Placed {
                row,
                col,
                style,
                cell,
            });
        }
        sheets.push(Sheet {
            name,
            cells,
            constant_memory,
        });
    }
    Ok(sheets)
}
