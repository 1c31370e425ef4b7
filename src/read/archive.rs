//! Limits on the parts of an XLSX archive, checked before any part is inflated.
//!
//! An XLSX is a zip of XML parts. A hostile or broken file can declare a part that inflates to
//! gigabytes from a few kilobytes (a *zip bomb*). Every part's declared size is checked here
//! against [`MAX_PART_BYTES`], [`MAX_ARCHIVE_BYTES`] and [`MAX_RATIO`] before the reader
//! inflates anything; the zip reader (zip 9, also under calamine) then refuses to inflate a
//! part past its declared size, so a part that lies about its size fails as damaged instead of
//! growing.

use std::io::{Read, Seek};

use zip::ZipArchive;

/// The largest inflated size of one part (a sheet's XML, the shared strings…): 1 GiB.
///
/// A table of 1,000,000 indicators written by Excel or rust_xlsxwriter takes about 50 MB of
/// sheet XML per 100,000 rows; a real municipal file takes a few megabytes.
pub const MAX_PART_BYTES: u64 = 1 << 30;

/// The largest inflated size of all the parts together: 2 GiB.
pub const MAX_ARCHIVE_BYTES: u64 = 2 << 30;

/// The largest ratio between a part's inflated and compressed sizes, for parts over
/// [`RATIO_FROM_BYTES`]. Sheet XML compresses about 8:1, shared strings about 20:1; deflate
/// cannot go past about 1,030:1, which is what zip bombs use.
pub const MAX_RATIO: u64 = 100;

/// Parts smaller than this (32 MiB) are not held to [`MAX_RATIO`].
pub const RATIO_FROM_BYTES: u64 = 32 << 20;

/// The most parts an archive may hold.
pub const MAX_PARTS: usize = 100_000;

/// Why an archive is refused before reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Oversized {
    /// The part's name inside the archive (`xl/worksheets/sheet1.xml`), or `None` for the
    /// archive as a whole.
    pub part: Option<String>,
    /// Its declared inflated size.
    pub size: u64,
    /// Its compressed size.
    pub compressed: u64,
    /// What went past the limit, in Italian.
    pub reason: String,
}

fn mib(bytes: u64) -> String {
    let m = bytes as f64 / (1024.0 * 1024.0);
    if m >= 10.0 {
        format!("{m:.0} MB")
    } else {
        format!("{m:.1} MB").replace('.', ",")
    }
}

/// Checks the declared size of every part, without inflating any.
pub(crate) fn check_sizes<R: Read + Seek>(archive: &mut ZipArchive<R>) -> Result<(), Oversized> {
    if archive.len() > MAX_PARTS {
        return Err(Oversized {
            part: None,
            size: 0,
            compressed: 0,
            reason: format!(
                "l'archivio contiene {} parti, oltre il limite di {MAX_PARTS}",
                archive.len()
            ),
        });
    }
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        // Raw access reads the entry's header only: nothing is inflated.
        let Ok(entry) = archive.by_index_raw(i) else {
            continue;
        };
        let size = entry.size();
        let compressed = entry.compressed_size();
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        let refuse = |reason: String| Oversized {
            part: Some(name.clone()),
            size,
            compressed,
            reason,
        };
        if size > MAX_PART_BYTES {
            return Err(refuse(format!(
                "si espande a {}, oltre il limite di {} per parte",
                mib(size),
                mib(MAX_PART_BYTES)
            )));
        }
        if size > RATIO_FROM_BYTES && size / compressed.max(1) > MAX_RATIO {
            return Err(refuse(format!(
                "si espande da {} compressi a {} ({}:1, oltre il rapporto massimo di {MAX_RATIO}:1): è la forma di una «zip bomb»",
                mib(compressed),
                mib(size),
                size / compressed.max(1)
            )));
        }
        total = total.saturating_add(size);
        if total > MAX_ARCHIVE_BYTES {
            return Err(Oversized {
                part: None,
                size: total,
                compressed: 0,
                reason: format!(
                    "le parti dell'archivio si espandono a più di {}, oltre il limite",
                    mib(MAX_ARCHIVE_BYTES)
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};
    use zip::write::SimpleFileOptions;

    fn archive(parts: &[(&str, Vec<u8>)]) -> ZipArchive<Cursor<Vec<u8>>> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in parts {
            w.start_file(*name, options).unwrap();
            w.write_all(bytes).unwrap();
        }
        ZipArchive::new(Cursor::new(w.finish().unwrap().into_inner())).unwrap()
    }

    #[test]
    fn ordinary_parts_pass() {
        let mut a = archive(&[("xl/workbook.xml", b"<workbook/>".to_vec())]);
        assert_eq!(check_sizes(&mut a), Ok(()));
    }

    #[test]
    fn a_highly_compressed_large_part_is_refused() {
        // 40 MiB of spaces deflate to about 40 KB: a ratio of about 1,000:1.
        let mut a = archive(&[("xl/worksheets/sheet1.xml", vec![b' '; 40 << 20])]);
        let e = check_sizes(&mut a).unwrap_err();
        assert_eq!(e.part.as_deref(), Some("xl/worksheets/sheet1.xml"));
        assert_eq!(e.size, 40 << 20);
        assert!(e.reason.contains("zip bomb"), "{}", e.reason);
    }

    #[test]
    fn a_highly_compressed_small_part_is_accepted() {
        let mut a = archive(&[("xl/styles.xml", vec![b' '; 1 << 20])]);
        assert_eq!(check_sizes(&mut a), Ok(()));
    }

    #[test]
    fn sizes_are_shown_in_megabytes() {
        assert_eq!(mib(40 << 20), "40 MB");
        assert_eq!(mib(1 << 30), "1024 MB");
        assert_eq!(mib(3 << 19), "1,5 MB");
    }
}
