//! Workbook → model: opens an XLSX read-only, finds the objective tables in its sheets and
//! turns them into an [`Ente`].
//!
//! The table reader finds the header row wherever it is (title rows above it, two-row
//! header bands, the header repeated after page breaks), recognises columns by loose
//! matching of the Italian headers ([`HeaderMatcher`]) plus a user [`HeaderMap`], fills down
//! merged cells and blank continuation cells, finds objective boundaries, reads one sheet per
//! area or one sheet with an area column, and reads `totale` rows as stated totals.
//!
//! Sheets laid out as cards (*schede obiettivo*: label rows, an indicator table per card,
//! monitoring texts, activity blocks with a 12-month plan) and flat activity tables are
//! recognised sheet by sheet ([`Layout::Auto`]) or forced with [`ReadOptions::layout`]; a card
//! with the code of a table row is merged into it.
//!
//! ```no_run
//! use barometro::read::{read_workbook, ReadOptions};
//!
//! let ente = read_workbook("cremona.xlsx", &ReadOptions::default())?;
//! for area in &ente.areas {
//!     println!("{}: {} obiettivi", area.name, area.all_objectives().count());
//! }
//! for finding in &ente.findings {
//!     println!("{}: {}", finding.severity.label(), finding.message);
//! }
//! # Ok::<(), barometro::read::ReadError>(())
//! ```

mod activities;
mod archive;
mod cards;
mod form;
mod grid;
mod header;
mod merges;
mod table;
mod titles;

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use calamine::{Reader, SheetVisible, Xlsx, XlsxError};
use thiserror::Error;

pub use archive::{MAX_ARCHIVE_BYTES, MAX_PARTS, MAX_PART_BYTES, MAX_RATIO, RATIO_FROM_BYTES};
pub use cards::{is_outcome_label, DECLARED_COUNT};
pub use header::{HeaderMap, HeaderMatcher, Role};
pub use titles::{parse_polarity, split_code};

use crate::model::{Ente, Finding, Severity, Source};

/// How to read a workbook.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// The user's mapping of headers to roles (`--mappa`).
    pub header_map: HeaderMap,
    /// The ente's name, when the workbook does not say it (`--ente`).
    pub ente: Option<String>,
    /// Also read hidden sheets (normally skipped with an `info` finding).
    pub include_hidden: bool,
    /// How the sheets are laid out (`--layout`); [`Layout::Auto`] decides sheet by sheet.
    pub layout: Layout,
    /// The reporting year of a plan with one row per year (`--anno`); without it, the first
    /// year of the plan.
    pub year: Option<i32>,
}

/// How a sheet is laid out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Layout {
    /// Decided sheet by sheet: cards when the sheet has card labels (`Classificazione`,
    /// `Titolo`, `SETTORE … (N OBIETTIVI)`, a typed title `1. OBIETTIVO DI …`, a centre's
    /// page, activity blocks), a flat activity table when it has `Attività`, `P.A.I` and
    /// month columns, an objective table otherwise.
    #[default]
    Auto,
    /// One row per indicator (or per objective).
    Table,
    /// One card per objective (*schede*), with indicator tables or activity blocks.
    Cards,
    /// One row per activity with its month plan.
    Activities,
}

impl Layout {
    /// The layout for a `--layout` word (Italian or English).
    ///
    /// ```
    /// use barometro::read::Layout;
    /// assert_eq!(Layout::from_word("schede"), Some(Layout::Cards));
    /// assert_eq!(Layout::from_word("tabella"), Some(Layout::Table));
    /// assert_eq!(Layout::from_word("boh"), None);
    /// ```
    pub fn from_word(word: &str) -> Option<Layout> {
        match normalise_header(word).as_str() {
            "auto" | "automatico" => Some(Layout::Auto),
            "tabella" | "table" => Some(Layout::Table),
            "schede" | "scheda" | "cards" | "card" => Some(Layout::Cards),
            "attivita" | "activities" => Some(Layout::Activities),
            _ => None,
        }
    }
}

/// Why a workbook could not be read at all. Every message is Italian and names the file (and
/// the sheet when there is one). All of them mean exit status 2 for the command line.
#[derive(Debug, Error)]
pub enum ReadError {
    /// The file does not exist.
    #[error("file non trovato: «{}»", .0.display())]
    NotFound(PathBuf),
    /// The file cannot be opened or read.
    #[error("impossibile leggere «{}»: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// An Excel 97-2003 workbook.
    #[error("«{}» è un file Excel 97-2003 (.xls): aprirlo in Excel e salvarlo come cartella di lavoro .xlsx", .0.display())]
    Xls(PathBuf),
    /// An OpenDocument spreadsheet.
    #[error("«{}» è un foglio OpenDocument (.ods): aprirlo e salvarlo come cartella di lavoro Excel .xlsx", .0.display())]
    Ods(PathBuf),
    /// A password-protected workbook.
    #[error("«{}» è protetto da password: togliere la password in Excel (File › Informazioni › Proteggi cartella di lavoro) e riprovare", .0.display())]
    Encrypted(PathBuf),
    /// Not a spreadsheet at all.
    #[error("«{}» non è una cartella di lavoro Excel .xlsx ({detail})", path.display())]
    NotXlsx {
        /// The file.
        path: PathBuf,
        /// What it looks like instead.
        detail: String,
    },
    /// A damaged or truncated workbook.
    #[error("«{}» è danneggiato o incompleto{}: riaprirlo in Excel e salvarlo di nuovo (dettaglio tecnico: {detail})", path.display(), sheet.as_ref().map(|s| format!(" (foglio «{s}»)")).unwrap_or_default())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The sheet being read, if any.
        sheet: Option<String>,
        /// What the XLSX reader said.
        detail: String,
    },
    /// The XML uses an entity that is not one of XML's five (declared in a DTD, possibly to
    /// expand to gigabytes): barometro expands no entity and reads no DTD. Excel never writes
    /// either.
    #[error("«{}»{}: l'XML usa l'entità «{entity}», dichiarata in una DTD: barometro non legge DTD né espande entità, che Excel non scrive mai; il file è stato prodotto o alterato da un altro programma: riaprirlo in Excel e salvarlo di nuovo", path.display(), sheet.as_ref().map(|s| format!(", foglio «{s}»")).unwrap_or_default())]
    XmlEntity {
        /// The file.
        path: PathBuf,
        /// The sheet being read, if any.
        sheet: Option<String>,
        /// The entity reference, `&lol9;`.
        entity: String,
    },
    /// A sheet whose used range is larger than barometro reads.
    #[error("«{}», foglio «{sheet}»: l'area usata è di {rows} righe × {cols} colonne, oltre il limite di {} celle; eliminare righe e colonne vuote in fondo al foglio", path.display(), grid::MAX_CELLS)]
    SheetTooLarge {
        /// The file.
        path: PathBuf,
        /// The sheet.
        sheet: String,
        /// Rows of the used range.
        rows: u64,
        /// Columns of the used range.
        cols: u64,
    },
    /// A part of the archive inflates past barometro's limits ([`MAX_PART_BYTES`],
    /// [`MAX_ARCHIVE_BYTES`], [`MAX_RATIO`]): a zip bomb, or a sheet far larger than any
    /// objective plan. Nothing was inflated.
    #[error("«{}»{}: {}{detail}; il file non viene letto. Se è un file autentico, riaprirlo in Excel, eliminare righe e colonne vuote in fondo ai fogli e salvarlo di nuovo, oppure dividerlo in più file", path.display(), sheet.as_ref().map(|s| format!(", foglio «{s}»")).unwrap_or_default(), part.as_ref().map(|p| format!("la parte «{p}» ")).unwrap_or_default())]
    TooLargeToInflate {
        /// The file.
        path: PathBuf,
        /// The sheet the part holds, when it is a sheet.
        sheet: Option<String>,
        /// The part inside the archive (`xl/worksheets/sheet1.xml`), or `None` for the
        /// archive as a whole.
        part: Option<String>,
        /// Which limit, with the sizes.
        detail: String,
    },
    /// No sheet has a table barometro recognises.
    #[error("«{}»: nessun foglio ha un'intestazione riconoscibile (fogli esaminati: {}). Servono almeno le colonne Obiettivo e Indicatore (o Target e Consuntivo); per intestazioni diverse indicare una mappa con --mappa", path.display(), sheets.join(", "))]
    NoHeader {
        /// The file.
        path: PathBuf,
        /// The sheets examined.
        sheets: Vec<String>,
    },
}

impl ReadError {
    fn corrupt(path: &Path, sheet: Option<&str>, e: XlsxError) -> ReadError {
        match e {
            XlsxError::Password => ReadError::Encrypted(path.to_path_buf()),
            other => {
                let detail = other.to_string();
                // quick-xml: "unrecognized entity `&lol9;`".
                let entity = detail
                    .split_once("unrecognized entity `")
                    .and_then(|(_, rest)| rest.split_once('`'))
                    .map(|(entity, _)| entity.to_string());
                match entity {
                    Some(entity) => ReadError::XmlEntity {
                        path: path.to_path_buf(),
                        sheet: sheet.map(str::to_string),
                        entity,
                    },
                    None => ReadError::Corrupt {
                        path: path.to_path_buf(),
                        sheet: sheet.map(str::to_string),
                        detail,
                    },
                }
            }
        }
    }
}

/// Folds one character for comparison: accents removed, lower case, `%` kept, any other
/// punctuation or space is `None` (a word break).
fn fold(c: char) -> Option<char> {
    let mapped = match c {
        'à' | 'á' | 'â' | 'ä' | 'À' | 'Á' | 'Â' | 'Ä' => 'a',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
        'ò' | 'ó' | 'ô' | 'ö' | 'Ò' | 'Ó' | 'Ô' | 'Ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
        '%' => '%',
        c if c.is_ascii_alphanumeric() => return Some(c.to_ascii_lowercase()),
        c if c.is_alphanumeric() => return c.to_lowercase().next(),
        _ => return None,
    };
    Some(mapped)
}

/// The characters of [`normalise_header`], produced lazily (no allocation).
struct Normalised<'a> {
    inner: std::str::Chars<'a>,
    held: Option<char>,
    gap: bool,
    started: bool,
}

impl Iterator for Normalised<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        if let Some(c) = self.held.take() {
            return Some(c);
        }
        loop {
            let c = self.inner.next()?;
            match fold(c) {
                None => self.gap = self.started,
                Some(f) => {
                    self.started = true;
                    if self.gap {
                        self.gap = false;
                        self.held = Some(f);
                        return Some(' ');
                    }
                    return Some(f);
                }
            }
        }
    }
}

fn normalised(text: &str) -> Normalised<'_> {
    Normalised {
        inner: text.chars(),
        held: None,
        gap: false,
        started: false,
    }
}

/// Lower case, accents removed, punctuation turned into spaces (except `%`), spaces
/// collapsed: the form in which headers and titles are compared.
///
/// ```
/// use barometro::read::normalise_header;
/// assert_eq!(normalise_header("  Priorità / peso\nassegnato "), "priorita peso assegnato");
/// assert_eq!(normalise_header("% Ragg."), "% ragg");
/// assert_eq!(normalise_header("SULL'AMBIENTE"), "sull ambiente");
/// ```
pub fn normalise_header(text: &str) -> String {
    normalised(text).collect()
}

/// True when `normalise_header(text) == normalised_form`, without allocating.
pub(crate) fn normalises_to(text: &str, normalised_form: &str) -> bool {
    normalised(text).eq(normalised_form.chars())
}

/// What the first bytes of a file say it is.
fn sniff(path: &Path) -> Result<(), ReadError> {
    let mut file = File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ReadError::NotFound(path.to_path_buf()),
        _ => ReadError::Io {
            path: path.to_path_buf(),
            source: e,
        },
    })?;
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(ReadError::NotXlsx {
            path: path.to_path_buf(),
            detail: "è una cartella".into(),
        });
    }
    let mut head = [0u8; 96];
    let mut n = 0;
    while n < head.len() {
        match file.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) => {
                return Err(ReadError::Io {
                    path: path.to_path_buf(),
                    source: e,
                })
            }
        }
    }
    let head = &head[..n];
    if head.starts_with(b"PK\x03\x04") {
        if head.len() > 30 && head[30..].starts_with(b"mimetypeapplication/vnd.oasis.opendocument")
        {
            return Err(ReadError::Ods(path.to_path_buf()));
        }
        return Ok(());
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        // An OLE container: an encrypted .xlsx has an `EncryptedPackage` stream, an .xls has
        // not. Its directory is searched here: calamine's OLE reader panics on some damaged
        // containers (fuzz/regressions/workbook_bytes).
        let bytes = std::fs::read(path).map_err(|e| ReadError::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        return if has_ole_directory_entry(&bytes, "EncryptedPackage") {
            Err(ReadError::Encrypted(path.to_path_buf()))
        } else {
            Err(ReadError::Xls(path.to_path_buf()))
        };
    }
    let detail = if n == 0 {
        "il file è vuoto".to_string()
    } else if head.starts_with(b"PK") {
        "archivio zip non valido".to_string()
    } else if head.starts_with(b"%PDF") {
        "è un PDF".to_string()
    } else if head
        .iter()
        .all(|b| b.is_ascii() && (*b >= 0x20 || b"\r\n\t".contains(b)))
    {
        "è un file di testo: se è un CSV, aprirlo in Excel e salvarlo come .xlsx".to_string()
    } else {
        "formato sconosciuto".to_string()
    };
    Err(ReadError::NotXlsx {
        path: path.to_path_buf(),
        detail,
    })
}

/// True when an OLE (compound file) container has a directory entry named `name`: a 128-byte
/// entry that starts with the name in UTF-16LE and gives its length in bytes, with the final
/// NUL, at offset 64.
fn has_ole_directory_entry(bytes: &[u8], name: &str) -> bool {
    let utf16: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let len = (utf16.len() + 2) as u16;
    memchr::memmem::find_iter(bytes, &utf16)
        .any(|at| at % 128 == 0 && bytes.get(at + 64..at + 66) == Some(&len.to_le_bytes()[..]))
}

/// Reads a workbook into the model. The file is opened read-only and never modified.
///
/// Errors (unreadable input) are a [`ReadError`]; problems in the data are
/// [`Ente::findings`].
pub fn read_workbook(path: impl AsRef<Path>, options: &ReadOptions) -> Result<Ente, ReadError> {
    let path = path.as_ref();
    sniff(path)?;
    // The scanner checks every part's declared size before anything (calamine included)
    // inflates a byte.
    let scanner = File::open(path)
        .map_err(|e| ReadError::Io {
            path: path.to_path_buf(),
            source: e,
        })
        .and_then(|f| {
            merges::MergeScanner::new(BufReader::new(f)).map_err(|e| match e {
                merges::ScanError::Zip(e) => ReadError::Corrupt {
                    path: path.to_path_buf(),
                    sheet: None,
                    detail: e.to_string(),
                },
                merges::ScanError::Oversized { limit, sheet } => ReadError::TooLargeToInflate {
                    path: path.to_path_buf(),
                    sheet,
                    part: limit.part,
                    detail: limit.reason,
                },
            })
        })?;
    let file = File::open(path).map_err(|e| ReadError::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    let mut xlsx: Xlsx<BufReader<File>> =
        Xlsx::new(BufReader::new(file)).map_err(|e| ReadError::corrupt(path, None, e))?;
    let date1904 = xlsx.has_1904_epoch();
    let file_name = path.display().to_string();
    let mut ente = Ente::new(String::new(), file_name);
    let matcher = HeaderMatcher::new(&options.header_map);
    let mut to_read: Vec<String> = Vec::new();
    for sheet in xlsx
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == calamine::SheetType::WorkSheet)
    {
        if sheet.visible != SheetVisible::Visible && !options.include_hidden {
            ente.findings.push(Finding {
                severity: Severity::Info,
                message: format!(
                    "foglio nascosto «{}» non letto (usare --fogli-nascosti per leggerlo)",
                    sheet.name
                ),
                source: None,
                rule: "foglio-nascosto".into(),
            });
        } else {
            to_read.push(sheet.name.clone());
        }
    }
    let mut reader = table::TableReader::new(&matcher, date1904);
    let mut cards = cards::CardReader::new(&matcher, date1904);
    let mut activity_tables = 0usize;
    // Merged regions sit at the end of each sheet's XML: a second thread scans for them while
    // this one reads the cells of the same sheet.
    let (sender, merged_regions) = std::sync::mpsc::sync_channel(to_read.len().max(1));
    let mut hidden_rows: Vec<(String, Vec<u32>)> = Vec::new();
    std::thread::scope(|scope| -> Result<(), ReadError> {
        // Owned here, so that an early error stops the scanner at its next sheet.
        let merged_regions = merged_regions;
        let names = to_read.clone();
        let mut scanner = scanner;
        scope.spawn(move || {
            for name in names {
                if sender
                    .send(scanner.scan(&name).map_err(|e| e.to_string()))
                    .is_err()
                {
                    return;
                }
            }
        });
        for name in &to_read {
            let loaded = grid::Grid::load(&mut xlsx, name);
            let scan = merged_regions
                .recv()
                .unwrap_or_else(|_| Err("lettura delle celle unite interrotta".to_string()))
                .map_err(|detail| ReadError::Corrupt {
                    path: path.to_path_buf(),
                    sheet: Some(name.clone()),
                    detail,
                })?;
            let mut grid = match loaded {
                Ok(g) => g,
                Err(grid::GridError::Xlsx(XlsxError::NotAWorksheet(_))) => continue,
                Err(grid::GridError::Xlsx(e)) => {
                    return Err(ReadError::corrupt(path, Some(name), e))
                }
                Err(grid::GridError::TooLarge { rows, cols }) => {
                    return Err(ReadError::SheetTooLarge {
                        path: path.to_path_buf(),
                        sheet: name.clone(),
                        rows,
                        cols,
                    })
                }
            };
            grid.fill_merges(&scan.merges);
            if !scan.hidden_rows.is_empty() {
                // In document order, which a hand-made file need not keep.
                let mut rows = scan.hidden_rows;
                rows.sort_unstable();
                rows.dedup();
                hidden_rows.push((name.clone(), rows));
            }
            // The flat activity table is found once: to decide the layout and to read it.
            let flat = match options.layout {
                Layout::Auto | Layout::Activities => {
                    activities::find_activity_table(&matcher, &grid)
                }
                _ => None,
            };
            let layout = match options.layout {
                Layout::Auto if flat.is_some() => Layout::Activities,
                Layout::Auto if cards::looks_like_cards(&grid) => Layout::Cards,
                Layout::Auto => Layout::Table,
                forced => forced,
            };
            match layout {
                Layout::Cards => cards.read_sheet(name, &grid, &mut ente),
                Layout::Activities => {
                    if let Some(columns) = &flat {
                        activities::read_activity_table(columns, name, &grid, date1904, &mut ente);
                        activity_tables += 1;
                    }
                }
                _ => reader.read_sheet(name, &grid, &mut ente),
            }
        }
        Ok(())
    })?;
    let examined = to_read;
    if !reader.found_any_table() && !cards.found_any() && activity_tables == 0 {
        return Err(ReadError::NoHeader {
            path: path.to_path_buf(),
            sheets: examined,
        });
    }
    reader.finish(&mut ente);
    cards.finish(&mut ente, options.year);
    report_hidden_rows(&mut ente, &hidden_rows);
    if ente.objective_count() == 0 {
        ente.findings.push(Finding {
            severity: Severity::Warning,
            message:
                "nessun obiettivo letto: le tabelle hanno l'intestazione ma nessuna riga di dati"
                    .into(),
            source: None,
            rule: "nessun-obiettivo".into(),
        });
    }
    ente.ente = options
        .ente
        .clone()
        .or_else(|| reader.ente_name())
        .unwrap_or_else(|| {
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
    Ok(ente)
}

/// An `avviso` per sheet whose hidden rows hold objectives, indicators or activities: they
/// are read and scored like the others (as Excel's formulas count them), but nobody sees
/// them in Excel.
fn report_hidden_rows(ente: &mut Ente, hidden_rows: &[(String, Vec<u32>)]) {
    const LISTED: usize = 10;
    for (sheet, rows) in hidden_rows {
        let mut read: Vec<(u32, Source, String)> = Vec::new();
        let mut note = |source: &Source, what: String| {
            if &*source.sheet == sheet.as_str() && rows.binary_search(&source.row).is_ok() {
                read.push((source.row, source.clone(), what));
            }
        };
        for objective in ente.objectives() {
            note(
                &objective.source,
                format!("obiettivo «{}»", objective.label()),
            );
            for indicator in &objective.indicators {
                let name = indicator.name().map(|f| f.text()).unwrap_or("senza nome");
                note(&indicator.source, format!("indicatore «{name}»"));
            }
            for activity in &objective.activities {
                if let Some(name) = &activity.name {
                    note(&name.source, format!("attività «{}»", name.text()));
                }
            }
        }
        read.sort_by_key(|r| r.0);
        // One entry per row: an objective's first row is also its first indicator's.
        read.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                kept.2 = format!("{}, {}", kept.2, later.2);
            }
            same
        });
        let Some(first) = read.first().map(|r| r.1.clone()) else {
            continue;
        };
        let mut listed: Vec<String> = read
            .iter()
            .take(LISTED)
            .map(|(row, _, what)| format!("riga {} ({what})", row + 1))
            .collect();
        if read.len() > LISTED {
            listed.push(format!("e altre {}", read.len() - LISTED));
        }
        ente.findings.push(Finding {
            severity: Severity::Warning,
            message: format!(
                "foglio «{sheet}»: righe nascoste lette e calcolate come le altre: {}. In Excel non si vedono; se non devono contare, eliminarle o neutralizzare l'obiettivo",
                listed.join(", ")
            ),
            source: Some(first),
            rule: "riga-nascosta".into(),
        });
    }
}
