//! An XLSX file as its zip parts, for the code that edits or inspects a workbook's XML
//! directly: Excel templates ([`super::WorkbookTemplate`]) are filled by editing their sheets'
//! XML, so that nothing another library would drop on re-saving (icon sets, x14 extensions) is
//! lost; `fill` looks at a sheet's XML before deciding whether it may be re-saved.
//!
//! ```
//! use barometro::report::Package;
//!
//! let mut book = rust_xlsxwriter::Workbook::new();
//! book.add_worksheet().set_name("Linea 1")?;
//! let package = Package::read(&book.save_to_buffer()?)?;
//! let sheets = package.sheets()?;
//! assert_eq!(sheets[0].name, "Linea 1");
//! assert_eq!(sheets[0].part, "xl/worksheets/sheet1.xml");
//! assert!(package.get(&sheets[0].part).is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::io::{Cursor, Read, Write};

/// The most a package may hold once decompressed (a zip bomb is refused, not expanded).
pub const MAX_UNCOMPRESSED: u64 = 512 * 1024 * 1024;

/// The zip's entries, in order.
#[derive(Debug, Clone)]
pub struct Package {
    entries: Vec<(String, Vec<u8>)>,
}

/// A worksheet of a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetPart {
    /// Its position in the workbook (0-based).
    pub index: usize,
    /// Its tab name.
    pub name: String,
    /// Its relationship id in `xl/workbook.xml` (`rId1`).
    pub rel_id: String,
    /// The zip entry of its XML (`xl/worksheets/sheet1.xml`).
    pub part: String,
}

impl Package {
    /// Reads every entry of an XLSX file; the message (Italian) says what is wrong.
    pub fn read(bytes: &[u8]) -> Result<Package, String> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| format!("non è una cartella di lavoro XLSX leggibile: {e}"))?;
        let mut entries = Vec::with_capacity(zip.len());
        let mut total: u64 = 0;
        for i in 0..zip.len() {
            let mut f = zip
                .by_index(i)
                .map_err(|e| format!("voce {i} illeggibile: {e}"))?;
            total += f.size();
            if total > MAX_UNCOMPRESSED {
                return Err(format!(
                    "il file supera {} MB una volta decompresso",
                    MAX_UNCOMPRESSED / 1024 / 1024
                ));
            }
            let name = f
                .name()
                .map_err(|e| format!("voce {i}: nome illeggibile: {e}"))?
                .to_string();
            let mut data = Vec::with_capacity(f.size() as usize);
            f.read_to_end(&mut data)
                .map_err(|e| format!("{name}: {e}"))?;
            entries.push((name, data));
        }
        if !entries.iter().any(|(n, _)| n == "xl/workbook.xml") {
            return Err("non è una cartella di lavoro di Excel (manca xl/workbook.xml)".into());
        }
        Ok(Package { entries })
    }

    /// An entry's bytes.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, d)| d.as_slice())
    }

    /// An entry as text.
    pub fn text(&self, name: &str) -> Result<String, String> {
        let data = self
            .get(name)
            .ok_or_else(|| format!("manca la parte {name}"))?;
        String::from_utf8(data.to_vec()).map_err(|_| format!("{name} non è testo UTF-8"))
    }

    /// Replaces an entry, or adds it at the end.
    pub fn put(&mut self, name: &str, data: Vec<u8>) {
        match self.entries.iter_mut().find(|(n, _)| n == name) {
            Some(e) => e.1 = data,
            None => self.entries.push((name.to_string(), data)),
        }
    }

    /// The entries' names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(n, _)| n.as_str())
    }

    /// The worksheets, in workbook order, with the entries of their XML.
    pub fn sheets(&self) -> Result<Vec<SheetPart>, String> {
        let xml = self.text("xl/workbook.xml")?;
        let rels = self.text("xl/_rels/workbook.xml.rels")?;
        let mut targets = std::collections::BTreeMap::new();
        for tag in tags(&rels, "Relationship") {
            if let (Some(id), Some(t)) = (attr(tag, "Id"), attr(tag, "Target")) {
                targets.insert(id.to_string(), resolve("xl", &unescape(t)));
            }
        }
        let mut sheets = Vec::new();
        for tag in tags(&xml, "sheet") {
            let name = attr(tag, "name").map(unescape).unwrap_or_default();
            let rel_id = attr(tag, "r:id").unwrap_or_default().to_string();
            let part = targets
                .get(&rel_id)
                .cloned()
                .ok_or_else(|| format!("il foglio «{name}» non ha la sua parte nel file"))?;
            sheets.push(SheetPart {
                index: sheets.len(),
                name,
                rel_id,
                part,
            });
        }
        Ok(sheets)
    }

    /// The shared strings' texts, by index.
    pub fn shared_strings(&self) -> Vec<String> {
        let Some(data) = self.get("xl/sharedStrings.xml") else {
            return Vec::new();
        };
        let xml = String::from_utf8_lossy(data);
        let mut out = Vec::new();
        let mut rest: &str = &xml;
        while let Some(p) = find_tag(rest, "si") {
            let after = &rest[p..];
            let end = after.find("</si>").map_or(after.len(), |e| e + 5);
            let si = &after[..end];
            // Phonetic runs (<rPh>) are not part of the text.
            let text = match si.find("<rPh") {
                Some(r) => text_of(&si[..r]),
                None => text_of(si),
            };
            out.push(text);
            rest = &after[end..];
        }
        out
    }

    /// The highest `N` of the `xl/worksheets/sheetN.xml` entries.
    pub fn max_sheet_part(&self) -> usize {
        self.entries
            .iter()
            .filter_map(|(n, _)| {
                n.strip_prefix("xl/worksheets/sheet")?
                    .strip_suffix(".xml")?
                    .parse::<usize>()
                    .ok()
            })
            .max()
            .unwrap_or(0)
    }

    /// The XLSX file, entries in their order.
    pub fn finish(&self) -> Result<Vec<u8>, String> {
        let mut buf = Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut buf);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let io = |e: &dyn std::fmt::Display| format!("impossibile comporre il file: {e}");
        for (name, data) in &self.entries {
            zip.start_file(name.as_str(), options).map_err(|e| io(&e))?;
            zip.write_all(data).map_err(|e| io(&e))?;
        }
        zip.finish().map_err(|e| io(&e))?;
        Ok(buf.into_inner())
    }
}

/// The start tags `<name …>` of an XML text.
pub(crate) fn tags<'t>(xml: &'t str, name: &'t str) -> impl Iterator<Item = &'t str> + 't {
    let mut rest = xml;
    std::iter::from_fn(move || {
        let p = find_tag(rest, name)?;
        let after = &rest[p..];
        let end = after.find('>').map_or(after.len(), |e| e + 1);
        rest = &after[end..];
        Some(&after[..end])
    })
}

/// A relationship target resolved against the folder of the part that holds it.
pub(crate) fn resolve(dir: &str, target: &str) -> String {
    if let Some(abs) = target.strip_prefix('/') {
        return abs.to_string();
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for seg in target.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// The position of the next `<name ` / `<name>` / `<name/>` tag.
pub(crate) fn find_tag(text: &str, name: &str) -> Option<usize> {
    let pat = format!("<{name}");
    let mut from = 0;
    while let Some(p) = text[from..].find(&pat) {
        let at = from + p;
        let next = text.as_bytes().get(at + pat.len());
        if matches!(
            next,
            Some(b' ') | Some(b'>') | Some(b'/') | Some(b'\t') | Some(b'\n') | Some(b'\r')
        ) {
            return Some(at);
        }
        from = at + pat.len();
    }
    None
}

/// An attribute of a start tag, unescaped.
pub(crate) fn attr<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let pat = format!(" {name}=\"");
    let p = tag.find(&pat)? + pat.len();
    let end = tag[p..].find('"')? + p;
    Some(&tag[p..end])
}

/// A start tag with an attribute set (added when missing).
pub(crate) fn set_attr(tag: &str, name: &str, value: &str) -> String {
    let pat = format!(" {name}=\"");
    if let Some(p) = tag.find(&pat) {
        let vstart = p + pat.len();
        if let Some(vend) = tag[vstart..].find('"') {
            return format!("{}{}{}", &tag[..vstart], value, &tag[vstart + vend..]);
        }
    }
    let close = if tag.ends_with("/>") {
        tag.len() - 2
    } else {
        tag.len() - 1
    };
    format!("{} {name}=\"{value}\"{}", &tag[..close], &tag[close..])
}

/// A start tag without an attribute.
pub(crate) fn remove_attr(tag: &str, name: &str) -> String {
    let pat = format!(" {name}=\"");
    if let Some(p) = tag.find(&pat) {
        if let Some(vend) = tag[p + pat.len()..].find('"') {
            return format!("{}{}", &tag[..p], &tag[p + pat.len() + vend + 1..]);
        }
    }
    tag.to_string()
}

pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        let after = &rest[p..];
        let end = after.find(';').unwrap_or(0);
        let entity = &after[..=end];
        let c = match entity {
            "&amp;" => Some('&'),
            "&lt;" => Some('<'),
            "&gt;" => Some('>'),
            "&quot;" => Some('"'),
            "&apos;" => Some('\''),
            e if e.starts_with("&#x") => u32::from_str_radix(&e[3..e.len() - 1], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with("&#") => e[2..e.len() - 1].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) if end > 0 => {
                out.push(c);
                rest = &after[end + 1..];
            }
            _ => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The text of `<t>` elements inside `xml` (a shared string or an inline string).
pub(crate) fn text_of(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(p) = find_tag(rest, "t") {
        let after = &rest[p..];
        let Some(te) = after.find('>') else { break };
        if after[..te].ends_with('/') {
            rest = &after[te + 1..];
            continue;
        }
        let body = &after[te + 1..];
        let end = body.find("</t>").unwrap_or(body.len());
        out.push_str(&unescape(&body[..end]));
        rest = &body[end..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_entities_and_paths() {
        let tag = r#"<sheet name="Linea &amp; &apos;1&apos;" sheetId="3" r:id="rId3"/>"#;
        assert_eq!(
            attr(tag, "name").map(unescape).as_deref(),
            Some("Linea & '1'")
        );
        assert_eq!(attr(tag, "r:id"), Some("rId3"));
        assert_eq!(attr(tag, "id"), None);
        assert_eq!(set_attr(tag, "sheetId", "9"), tag.replace("\"3\"", "\"9\""));
        assert_eq!(
            resolve("xl/worksheets", "../tables/table1.xml"),
            "xl/tables/table1.xml"
        );
        assert_eq!(
            resolve("xl", "/xl/worksheets/sheet2.xml"),
            "xl/worksheets/sheet2.xml"
        );
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(unescape("&#x41;&#66;&amp;"), "AB&");
    }
}
