//! Merged regions and hidden rows of every sheet, found by scanning the sheet XML for
//! `<mergeCell ref="…"/>` and `<row … hidden="1">`.
//!
//! The regions sit after the cell data of a sheet. calamine finds them by parsing the whole
//! sheet XML a second time, which costs as much as reading the cells; a byte search over the
//! inflated XML finds the same elements for a fraction of that.
//!
//! Opening the scanner also checks the archive's declared part sizes ([`super::archive`]),
//! before anything is inflated.

use std::collections::HashMap;
use std::io::{Read, Seek};

use calamine::Dimensions;
use memchr::memmem;
use zip::ZipArchive;

/// Sheet name → path of its XML part inside the archive.
pub(crate) struct MergeScanner<R: Read + Seek> {
    archive: ZipArchive<R>,
    paths: HashMap<String, String>,
}

/// What the scanner found in one sheet.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct SheetScan {
    /// Merged regions.
    pub merges: Vec<Dimensions>,
    /// Hidden rows (zero-based), in document order.
    pub hidden_rows: Vec<u32>,
}

/// Why the archive cannot be scanned.
#[derive(Debug)]
pub(crate) enum ScanError {
    /// Not a readable zip.
    Zip(zip::result::ZipError),
    /// A part over the size limits, with the sheet it holds when it is a sheet.
    Oversized {
        limit: super::archive::Oversized,
        sheet: Option<String>,
    },
}

/// The parts read to map sheets to their XML are read only under this size.
const MAX_MAP_PART: u64 = 64 << 20;

/// Replaces the five XML entities and numeric character references.
fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let Some(end) = tail.find(';') else {
            out.push_str(tail);
            return out;
        };
        let entity = &tail[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") || e.starts_with("#X") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => out.push(c),
            None => out.push_str(&tail[..=end]),
        }
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The attributes of every element with the given local name, in document order.
fn elements(xml: &str, local: &str) -> Vec<HashMap<String, String>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(i) = xml[pos..].find('<') {
        let start = pos + i + 1;
        let Some(len) = xml[start..].find('>') else {
            break;
        };
        let tag = &xml[start..start + len];
        pos = start + len;
        let name_end = tag
            .find(|c: char| c.is_whitespace() || c == '/')
            .unwrap_or(tag.len());
        let name = &tag[..name_end];
        let name = name.rsplit(':').next().unwrap_or(name);
        if name != local {
            continue;
        }
        let mut attrs = HashMap::new();
        let mut rest = &tag[name_end..];
        while let Some(eq) = rest.find('=') {
            let key = rest[..eq].trim().to_string();
            let after = rest[eq + 1..].trim_start();
            let Some(quote) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                break;
            };
            let Some(close) = after[1..].find(quote) else {
                break;
            };
            attrs.insert(key, unescape(&after[1..1 + close]));
            rest = &after[close + 2..];
        }
        out.push(attrs);
    }
    out
}

fn read_part<R: Read + Seek>(archive: &mut ZipArchive<R>, name: &str) -> Option<String> {
    let index = archive.index_for_name(name)?;
    if archive.by_index_raw(index).ok()?.size() > MAX_MAP_PART {
        return None;
    }
    let mut file = archive.by_name(name).ok()?;
    let mut text = String::new();
    file.read_to_string(&mut text).ok()?;
    Some(text)
}

/// Resolves a relationship target against the folder of the part that holds it.
fn resolve(base_dir: &str, target: &str) -> String {
    if let Some(abs) = target.strip_prefix('/') {
        return abs.to_string();
    }
    let mut parts: Vec<&str> = base_dir.split('/').filter(|p| !p.is_empty()).collect();
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// The `ref` attribute of a `mergeCell` tag (`mergeCell ref="A1:C3"/`).
fn ref_attribute(tag: &[u8]) -> Option<&str> {
    let mut i = memmem::find(tag, b"ref")?;
    loop {
        let before_ok = i == 0 || tag[i - 1].is_ascii_whitespace();
        let rest = &tag[i + 3..];
        let eq = rest.iter().position(|b| !b.is_ascii_whitespace())?;
        if before_ok && rest[eq] == b'=' {
            let after = &rest[eq + 1..];
            let q = after.iter().position(|b| !b.is_ascii_whitespace())?;
            let quote = after[q];
            if quote != b'"' && quote != b'\'' {
                return None;
            }
            let value = &after[q + 1..];
            let end = value.iter().position(|b| *b == quote)?;
            return std::str::from_utf8(&value[..end]).ok();
        }
        i += 3 + memmem::find(&tag[i + 3..], b"ref")?;
    }
}

/// Parses `A1:C3` (or a single `B2`) into zero-based dimensions.
fn parse_range(text: &str) -> Option<Dimensions> {
    fn cell(c: &str) -> Option<(u32, u32)> {
        let c = c.trim().trim_start_matches('$');
        let letters = c.bytes().take_while(|b| b.is_ascii_alphabetic()).count();
        if letters == 0 || letters > 3 {
            return None;
        }
        let mut col: u32 = 0;
        for b in c[..letters].bytes() {
            col = col * 26 + (b.to_ascii_uppercase() - b'A' + 1) as u32;
        }
        let row: u32 = c[letters..].trim_start_matches('$').parse().ok()?;
        if row == 0 || col == 0 || row > 1_048_576 || col > 16_384 {
            return None;
        }
        Some((row - 1, col - 1))
    }
    let (a, b) = match text.split_once(':') {
        Some((a, b)) => (cell(a)?, cell(b)?),
        None => {
            let c = cell(text)?;
            (c, c)
        }
    };
    Some(Dimensions::new(
        (a.0.min(b.0), a.1.min(b.1)),
        (a.0.max(b.0), a.1.max(b.1)),
    ))
}

impl<R: Read + Seek> MergeScanner<R> {
    /// Opens the archive, checks the declared size of every part
    /// ([`super::archive::check_sizes`]) and maps sheet names to their parts.
    pub(crate) fn new(reader: R) -> Result<Self, ScanError> {
        let mut archive = ZipArchive::new(reader).map_err(ScanError::Zip)?;
        let checked = super::archive::check_sizes(&mut archive);
        let paths = Self::sheet_paths(&mut archive);
        if let Err(limit) = checked {
            let sheet = limit.part.as_ref().and_then(|part| {
                paths
                    .iter()
                    .find(|(_, p)| *p == part)
                    .map(|(name, _)| name.clone())
            });
            return Err(ScanError::Oversized { limit, sheet });
        }
        Ok(MergeScanner { archive, paths })
    }

    /// Sheet name → path of its XML part.
    fn sheet_paths(archive: &mut ZipArchive<R>) -> HashMap<String, String> {
        let workbook_path = read_part(archive, "_rels/.rels")
            .and_then(|rels| {
                elements(&rels, "Relationship")
                    .into_iter()
                    .find(|a| {
                        a.get("Type")
                            .is_some_and(|t| t.ends_with("/officeDocument"))
                    })
                    .and_then(|a| a.get("Target").map(|t| resolve("", t)))
            })
            .unwrap_or_else(|| "xl/workbook.xml".to_string());
        let base_dir = workbook_path
            .rsplit_once('/')
            .map(|(d, _)| d.to_string())
            .unwrap_or_default();
        let rels_path = format!(
            "{}_rels/{}.rels",
            if base_dir.is_empty() {
                String::new()
            } else {
                format!("{base_dir}/")
            },
            workbook_path.rsplit('/').next().unwrap_or("workbook.xml")
        );
        let targets: HashMap<String, String> = read_part(archive, &rels_path)
            .map(|rels| {
                elements(&rels, "Relationship")
                    .into_iter()
                    .filter_map(|a| {
                        Some((a.get("Id")?.clone(), resolve(&base_dir, a.get("Target")?)))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut paths = HashMap::new();
        if let Some(workbook) = read_part(archive, &workbook_path) {
            for sheet in elements(&workbook, "sheet") {
                let Some(name) = sheet.get("name") else {
                    continue;
                };
                let rid = sheet
                    .iter()
                    .find(|(k, _)| k.ends_with(":id") || k.as_str() == "id")
                    .map(|(_, v)| v);
                if let Some(path) = rid.and_then(|r| targets.get(r)) {
                    paths.insert(name.clone(), path.clone());
                }
            }
        }
        paths
    }

    /// The merged regions and hidden rows of a sheet (empty when the sheet has none or is
    /// unknown).
    pub(crate) fn scan(&mut self, sheet: &str) -> Result<SheetScan, std::io::Error> {
        let Some(path) = self.paths.get(sheet) else {
            return Ok(SheetScan::default());
        };
        let mut file = match self.archive.by_name(path) {
            Ok(f) => f,
            Err(_) => return Ok(SheetScan::default()),
        };
        // Bytes kept at the end of the buffer for a tag cut by the chunk boundary; a tag
        // longer than this is skipped (no real mergeCell or row tag comes near it).
        const KEEP: usize = 4096;
        let merge_cell = memmem::Finder::new(b"mergeCell ");
        let hidden = memmem::Finder::new(b"hidden");
        let mut out = SheetScan::default();
        let mut buf: Vec<u8> = Vec::with_capacity(1 << 17);
        let mut chunk = vec![0u8; 1 << 16];
        // Where each search resumes in `buf`.
        let (mut merge_pos, mut hidden_pos) = (0, 0);
        loop {
            let n = file.read(&mut chunk)?;
            let eof = n == 0;
            buf.extend_from_slice(&chunk[..n]);
            // Matches starting before `limit` have their whole tag in `buf`, or are skipped.
            let limit = if eof {
                buf.len()
            } else {
                buf.len().saturating_sub(KEEP)
            };
            merge_pos = loop {
                let Some(start) = merge_cell.find(&buf[merge_pos..]).map(|i| merge_pos + i) else {
                    break merge_pos.max(limit);
                };
                if start >= limit {
                    break limit;
                }
                let tag = &buf[start..buf.len().min(start + KEEP)];
                if let Some(len) = tag.iter().position(|&b| b == b'>') {
                    if let Some(d) = ref_attribute(&tag[..len]).and_then(parse_range) {
                        out.merges.push(d);
                    }
                }
                merge_pos = start + 1;
            };
            hidden_pos = loop {
                let Some(at) = hidden.find(&buf[hidden_pos..]).map(|i| hidden_pos + i) else {
                    break hidden_pos.max(limit);
                };
                if at >= limit {
                    break limit;
                }
                if let Some(row) = hidden_row(&buf[..buf.len().min(at + KEEP)], at) {
                    if out.hidden_rows.last() != Some(&row) {
                        out.hidden_rows.push(row);
                    }
                }
                hidden_pos = at + 1;
            };
            if eof {
                break;
            }
            // Keep the tag that holds the resume point, for the look back of `hidden_row`.
            let resume = merge_pos.min(hidden_pos);
            let drain = buf[resume.saturating_sub(KEEP)..resume]
                .iter()
                .rposition(|&b| b == b'<')
                .map_or(resume, |i| resume.saturating_sub(KEEP) + i);
            buf.drain(..drain);
            merge_pos -= drain;
            hidden_pos -= drain;
        }
        Ok(out)
    }
}

/// The zero-based row of a `<row r="N" … hidden="1">` tag whose `hidden` attribute name starts
/// at `at` in `buf`; `None` for any other tag, or a row that is not hidden.
fn hidden_row(buf: &[u8], at: usize) -> Option<u32> {
    // The tag starts at the last `<` before the attribute (and no `>` in between).
    let from = at.saturating_sub(1024);
    let start = from
        + buf[from..at]
            .iter()
            .rposition(|&b| b == b'<' || b == b'>')?;
    if buf[start] != b'<' {
        return None;
    }
    let end = at + buf[at..].iter().position(|&b| b == b'>')?;
    let tag = std::str::from_utf8(&buf[start + 1..end]).ok()?;
    let name_end = tag
        .find(|c: char| c.is_whitespace() || c == '/')
        .unwrap_or(tag.len());
    let name = &tag[..name_end];
    if name.rsplit(':').next() != Some("row") {
        return None;
    }
    let attributes = elements(&format!("<{tag}>"), "row").pop()?;
    let hidden = attributes.get("hidden")?;
    if hidden != "1" && hidden != "true" {
        return None;
    }
    let r: u32 = attributes.get("r")?.trim().parse().ok()?;
    r.checked_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("A1:M1"), Some(Dimensions::new((0, 0), (0, 12))));
        assert_eq!(parse_range("B2"), Some(Dimensions::new((1, 1), (1, 1))));
        assert_eq!(
            parse_range("$C$3:$A$1"),
            Some(Dimensions::new((0, 0), (2, 2)))
        );
        assert_eq!(
            parse_range("XFD1048576:XFD1048576").map(|d| d.end),
            Some((1_048_575, 16_383))
        );
        assert_eq!(parse_range("A0:B2"), None);
        assert_eq!(parse_range("ZZZZ1"), None);
        assert_eq!(parse_range(""), None);
    }

    #[test]
    fn ref_attributes() {
        assert_eq!(ref_attribute(b"mergeCell ref=\"A1:M1\"/"), Some("A1:M1"));
        assert_eq!(ref_attribute(b"mergeCell  ref = 'B2:C3' "), Some("B2:C3"));
        assert_eq!(
            ref_attribute(b"mergeCell xref=\"Z1\" ref=\"A2:A4\"/"),
            Some("A2:A4")
        );
        assert_eq!(ref_attribute(b"mergeCell other=\"1\""), None);
    }

    #[test]
    fn xml_helpers() {
        assert_eq!(
            unescape("Servizi &amp; cultura &#232; &#xE0;"),
            "Servizi & cultura è à"
        );
        let e = elements(
            r#"<workbook><sheets><sheet name="A &amp; B" sheetId="1" r:id="rId3"/><x:sheet name='C' r:id="rId4"/></sheets></workbook>"#,
            "sheet",
        );
        assert_eq!(e.len(), 2);
        assert_eq!(e[0]["name"], "A & B");
        assert_eq!(e[0]["r:id"], "rId3");
        assert_eq!(e[1]["name"], "C");
        assert_eq!(
            resolve("xl", "worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(
            resolve("xl", "/xl/worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(
            resolve("xl/sub", "../worksheets/s.xml"),
            "xl/worksheets/s.xml"
        );
    }
}

#[cfg(test)]
mod cross_check {
    use super::*;
    use calamine::{Reader, Xlsx};
    use rust_xlsxwriter::{Format, Workbook};

    /// The scanner finds exactly the regions calamine's full XML parse finds.
    #[test]
    fn same_regions_as_calamine() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("merges.xlsx");
        let mut wb = Workbook::new();
        let f = Format::new();
        for (k, name) in ["Linea 1", "Servizi & cultura", "Vuoto"].iter().enumerate() {
            let ws = wb.add_worksheet().set_name(*name).unwrap();
            if k == 2 {
                ws.write(0, 0, "niente").unwrap();
                continue;
            }
            ws.merge_range(0, 0, 0, 12, "Titolo", &f).unwrap();
            for i in 0..3000u32 {
                let r = 2 + i * 3;
                ws.merge_range(r, 0, r + 2, 0, "Settore", &f).unwrap();
                ws.merge_range(r, 1, r + 2, 2, "Obiettivo mergeCell finto", &f)
                    .unwrap();
                ws.write(r, 3, "mergeCell ref=\"Z9:Z10\"").unwrap();
            }
        }
        wb.save(&path).unwrap();
        let mut xlsx: Xlsx<_> = calamine::open_workbook(&path).unwrap();
        let mut scanner =
            MergeScanner::new(std::io::BufReader::new(std::fs::File::open(&path).unwrap()))
                .unwrap();
        for name in xlsx.sheet_names() {
            let mut expected = xlsx.merge_cells_by_sheet_name(&name).unwrap();
            let mut found = scanner.scan(&name).unwrap().merges;
            expected.sort();
            found.sort();
            let missing: Vec<_> = expected
                .iter()
                .filter(|d| !found.contains(d))
                .take(3)
                .collect();
            let extra: Vec<_> = found
                .iter()
                .filter(|d| !expected.contains(d))
                .take(3)
                .collect();
            assert_eq!(
                found,
                expected,
                "{name}: {} vs {}, missing {missing:?}, extra {extra:?}",
                found.len(),
                expected.len()
            );
        }
        assert_eq!(scanner.scan("Linea 1").unwrap().merges.len(), 6001);
        assert!(scanner.scan("Vuoto").unwrap().merges.is_empty());
        assert!(scanner.scan("nessuno").unwrap().merges.is_empty());
    }

    /// Hidden rows are found in rows with any attributes, and only there.
    #[test]
    fn hidden_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hidden.xlsx");
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet().set_name("Obiettivi").unwrap();
        for r in 0..20_000u32 {
            ws.write(r, 0, format!("riga {r} hidden=\"1\"")).unwrap();
            ws.write(r, 1, r).unwrap();
        }
        let hidden = [3u32, 4, 9_999, 19_999];
        for r in hidden {
            ws.set_row_hidden(r).unwrap();
        }
        ws.set_row_height(4, 30).unwrap();
        ws.set_column_hidden(2).unwrap();
        wb.add_worksheet().set_name("Altro").unwrap();
        wb.save(&path).unwrap();
        let mut scanner =
            MergeScanner::new(std::io::BufReader::new(std::fs::File::open(&path).unwrap()))
                .unwrap();
        assert_eq!(scanner.scan("Obiettivi").unwrap().hidden_rows, hidden);
        assert!(scanner.scan("Altro").unwrap().hidden_rows.is_empty());
    }

    #[test]
    fn hidden_row_tags() {
        let at = |xml: &str| hidden_row(xml.as_bytes(), xml.find("hidden").unwrap());
        assert_eq!(
            at(r#"<row r="12" spans="1:3" hidden="1" ht="0">"#),
            Some(11)
        );
        assert_eq!(at(r#"<x:row hidden='true' r="2"/>"#), Some(1));
        assert_eq!(at(r#"<row r="12" hidden="0">"#), None);
        assert_eq!(at(r#"<col min="3" max="3" hidden="1"/>"#), None);
        assert_eq!(at(r#"<t>hidden="1"</t>"#), None);
        assert_eq!(at(r#"<row hidden="1">"#), None);
    }
}
