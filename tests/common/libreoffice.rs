//! LibreOffice Calc (headless) as an independent spreadsheet engine for the tests.
//!
//! The reports carry live formulas *and* the values barometro computed for them (the cached
//! results, `Formula::set_result`). A reader that does not recalculate (a viewer, a script,
//! calamine) shows the cached values; Excel and Calc recompute. The two must agree, and this
//! module proves it: [`recalculate`] lets LibreOffice load the workbook with "always recalculate
//! on load" forced and save it again, [`compare_formulas`] checks every formula cell of the
//! original against the recalculated file.
//!
//! ```ignore
//! let cmp = libreoffice::recalculate_and_compare(&report, "en-US")?;
//! assert!(cmp.is_ok(), "{cmp}");
//! ```
//!
//! Use [`soffice_or_skip`] first: without LibreOffice a test is skipped (with a note on
//! stderr), unless `BAROMETRO_REQUIRE_LIBREOFFICE=1` is set (CI does), in which case it fails.
//!
//! Included by tests as `#[path = "common/libreoffice.rs"] mod libreoffice;` (or through
//! `tests/common/mod.rs` with `pub mod libreoffice;`). It depends only on `std`, `calamine` and
//! `tempfile`.
#![allow(dead_code)]

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use calamine::{open_workbook, CellErrorType, Data, Reader, Xlsx};

/// Environment variable that turns "LibreOffice is not installed" from a skip into a failure.
pub const REQUIRE_ENV: &str = "BAROMETRO_REQUIRE_LIBREOFFICE";

/// How long one conversion may take before the whole soffice process group is killed.
/// A fresh profile's start plus a small workbook takes about 1 s on a 2-core machine (2 s when
/// two run at once).
pub const TIMEOUT: Duration = Duration::from_secs(120);

/// The locale [`recalculate`] pins.
pub const DEFAULT_LOCALE: &str = "en-US";

/// Relative tolerance for numbers (absolute near zero).
pub const TOLERANCE: f64 = 1e-9;

/// Settings of the private profile: recalculate every formula when loading OOXML (and ODF)
/// files, instead of trusting the cached values (without this, a headless conversion keeps the
/// cached values as they are, even wrong ones), and the locale setting (`{locale}`).
const REGISTRY_MODIFICATIONS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>{locale}</value></prop></item>
</oor:items>
"#;

/// The LibreOffice executable: `soffice` or `libreoffice` on `PATH`, else the usual install
/// locations. `None` if LibreOffice is not installed.
pub fn soffice() -> Option<PathBuf> {
    let names = ["soffice", "libreoffice"];
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            for name in names {
                let candidate = dir.join(name);
                if is_executable(&candidate) {
                    return Some(candidate);
                }
            }
        }
    }
    [
        "/usr/bin/soffice",
        "/usr/bin/libreoffice",
        "/usr/lib/libreoffice/program/soffice",
        "/opt/libreoffice/program/soffice",
        "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| is_executable(p))
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// [`soffice`] for a test: `None` (and a note on stderr) when LibreOffice is missing, so the
/// caller returns early; panics instead when `BAROMETRO_REQUIRE_LIBREOFFICE=1`.
pub fn soffice_or_skip(test: &str) -> Option<PathBuf> {
    if let Some(path) = soffice() {
        return Some(path);
    }
    let required = std::env::var(REQUIRE_ENV).is_ok_and(|v| !v.is_empty() && v != "0");
    if required {
        panic!(
            "{test}: LibreOffice (soffice) is not installed but {REQUIRE_ENV}=1 requires it; \
             install it with `apt-get install --no-install-recommends libreoffice-calc-nogui` \
             (or put `soffice` on PATH)"
        );
    }
    eprintln!(
        "{test}: SKIPPED, LibreOffice (soffice) is not installed \
         (set {REQUIRE_ENV}=1 to make this a failure)"
    );
    None
}

/// [`recalculate_in_locale`] in `en-US`, the locale the tests pin by default: writes
/// `<input stem>.recalc.en-US.xlsx` in `out_dir` and returns its path.
pub fn recalculate(input: &Path, out_dir: &Path) -> Result<PathBuf, String> {
    recalculate_in_locale(input, out_dir, DEFAULT_LOCALE)
}

/// Lets LibreOffice Calc load `input` (an XLSX) with every formula recalculated on load and save
/// it as XLSX in `out_dir`, as `<input stem>.recalc.<locale>.xlsx`; returns that path.
///
/// `locale` (BCP 47, e.g. `en-US`, `it-IT`) is LibreOffice's locale setting, which decides how
/// formulas turn numbers into text and back (`"x"&0.5` is `x0.5` in `en-US`, `x0,5` in `it-IT`,
/// as in an Italian Excel; so are `TEXT`, `FIXED`, `VALUE`, month names). It is pinned in the
/// profile, so the machine's `LANG`/`LC_ALL` play no part. Numbers themselves never depend on it.
///
/// Each call starts its own soffice with a fresh private profile in a temporary directory (so
/// calls may run in parallel, and the user's own LibreOffice settings and instances play no
/// part), without interaction, under [`TIMEOUT`]. The input is copied into the temporary
/// directory first: no lock file appears next to it, and it is never overwritten.
pub fn recalculate_in_locale(
    input: &Path,
    out_dir: &Path,
    locale: &str,
) -> Result<PathBuf, String> {
    let soffice = soffice().ok_or_else(|| {
        "LibreOffice (soffice) is not installed: neither `soffice` nor `libreoffice` is on PATH"
            .to_string()
    })?;
    convert(&soffice, input, out_dir, locale, TIMEOUT)
}

fn convert(
    soffice: &Path,
    input: &Path,
    out_dir: &Path,
    locale: &str,
    timeout: Duration,
) -> Result<PathBuf, String> {
    if locale.is_empty()
        || !locale
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(format!("{locale:?} is not a locale such as en-US or it-IT"));
    }
    if !input.is_file() {
        return Err(format!("{}: no such file", input.display()));
    }
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "workbook".to_string());
    fs::create_dir_all(out_dir).map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    let output = out_dir.join(format!("{stem}.recalc.{locale}.xlsx"));

    let work = tempfile::Builder::new()
        .prefix("barometro-lo-")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let profile = work.path().join("profile");
    let user = profile.join("user");
    let in_dir = work.path().join("in");
    let conv_dir = work.path().join("out");
    for dir in [&user, &in_dir, &conv_dir] {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let settings = REGISTRY_MODIFICATIONS.replace("{locale}", locale);
    fs::write(user.join("registrymodifications.xcu"), settings)
        .map_err(|e| format!("cannot write the LibreOffice profile: {e}"))?;
    let work_input = in_dir.join("workbook.xlsx");
    fs::copy(input, &work_input).map_err(|e| format!("cannot copy {}: {e}", input.display()))?;
    let stdout_path = work.path().join("stdout.txt");
    let stderr_path = work.path().join("stderr.txt");
    let stdout = fs::File::create(&stdout_path).map_err(|e| e.to_string())?;
    let stderr = fs::File::create(&stderr_path).map_err(|e| e.to_string())?;

    let mut cmd = convert_command(soffice, &profile, &work_input, &conv_dir);
    cmd.current_dir(work.path())
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr);
    #[cfg(unix)]
    {
        // Own process group: soffice is a script that starts oosplash, which starts
        // soffice.bin; on timeout the whole group is killed.
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }

    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", soffice.display()))?;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > timeout => {
                kill_group(&mut child);
                let _ = child.wait();
                return Err(format!(
                    "LibreOffice did not finish converting {} within {timeout:?} (killed){}",
                    input.display(),
                    captured(&stdout_path, &stderr_path)
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(25)),
            Err(e) => return Err(format!("waiting for soffice: {e}")),
        }
    };
    let elapsed = started.elapsed();

    let converted = conv_dir.join("workbook.xlsx");
    if !status.success() || !converted.is_file() {
        // soffice exits 0 even when it cannot load the file: the missing output tells.
        let missing = if converted.is_file() {
            ""
        } else {
            ", no output file"
        };
        return Err(format!(
            "LibreOffice did not convert {} ({status}, {elapsed:.2?}{missing}){}",
            input.display(),
            captured(&stdout_path, &stderr_path)
        ));
    }
    fs::copy(&converted, &output).map_err(|e| format!("cannot write {}: {e}", output.display()))?;
    eprintln!(
        "LibreOffice ({locale}) recalculated {} in {elapsed:.2?} -> {}",
        input.display(),
        output.display()
    );
    Ok(output)
}

/// `soffice` headless converting `input` (xlsx → xlsx) into `out_dir` with the user profile
/// `profile` (where recalculation on load is forced), messages in a stable locale.
pub fn convert_command(soffice: &Path, profile: &Path, input: &Path, out_dir: &Path) -> Command {
    let mut cmd = Command::new(soffice);
    cmd.arg(format!("-env:UserInstallation={}", file_url(profile)))
        .args([
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
        ])
        .arg(out_dir)
        .arg(input)
        // The locale that matters is pinned in the profile; this keeps messages stable.
        .env("LC_ALL", "C.UTF-8")
        .env("LANG", "C.UTF-8")
        .env_remove("LANGUAGE");
    cmd
}

/// [`recalculate_in_locale`] into a temporary directory, then [`compare_formulas`].
pub fn recalculate_and_compare(input: &Path, locale: &str) -> Result<FormulaComparison, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("cannot create a temporary dir: {e}"))?;
    let recalculated = recalculate_in_locale(input, dir.path(), locale)?;
    compare_formulas(input, &recalculated)
}

fn kill_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        // The child leads its own group (process_group(0)), so its pid is the group id.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    let _ = child.kill();
}

fn captured(stdout: &Path, stderr: &Path) -> String {
    let mut text = String::new();
    for (label, path) in [("stdout", stdout), ("stderr", stderr)] {
        let content = fs::read_to_string(path).unwrap_or_default();
        let content = content.trim();
        if !content.is_empty() {
            text.push_str(&format!("\n--- soffice {label}:\n{content}"));
        }
    }
    text
}

/// `file://` URL of an absolute path, percent-encoding what a URL cannot hold.
fn file_url(path: &Path) -> String {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    let mut url = String::from("file://");
    let text = absolute.to_string_lossy().replace('\\', "/");
    if !text.starts_with('/') {
        url.push('/');
    }
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~:".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// One formula cell whose cached value and recalculated value differ.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    pub sheet: String,
    /// A1 reference, e.g. `C7`.
    pub cell: String,
    /// As calamine reads it, without the leading `=`.
    pub formula: String,
    /// The value stored in the original file.
    pub cached: Data,
    /// The value LibreOffice computed (`Data::Empty` if the cell is missing).
    pub recalculated: Data,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}!{} ={}: cached {}, recalculated {}",
            quote_sheet(&self.sheet),
            self.cell,
            self.formula,
            show(&self.cached),
            show(&self.recalculated)
        )
    }
}

/// The outcome of [`compare_formulas`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormulaComparison {
    /// Number of formula cells compared.
    pub checked: usize,
    pub mismatches: Vec<Mismatch>,
}

impl FormulaComparison {
    /// At least one formula checked and none differs.
    pub fn is_ok(&self) -> bool {
        self.checked > 0 && self.mismatches.is_empty()
    }
}

impl fmt::Display for FormulaComparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} formula cells checked, {} mismatches",
            self.checked,
            self.mismatches.len()
        )?;
        for m in &self.mismatches {
            write!(f, "\n  {m}")?;
        }
        Ok(())
    }
}

/// Compares every formula cell of `original` (its cached value) with the same cell of
/// `recalculated`, sheet by sheet. Numbers (dates and times included, as serial numbers) agree
/// within a relative tolerance of 1e-9 (absolute near 0), texts exactly, booleans and error
/// kinds exactly, an empty cell and an empty text count as equal.
pub fn compare_formulas(original: &Path, recalculated: &Path) -> Result<FormulaComparison, String> {
    let mut orig: Xlsx<_> =
        open_workbook(original).map_err(|e| format!("{}: {e}", original.display()))?;
    let mut recalc: Xlsx<_> =
        open_workbook(recalculated).map_err(|e| format!("{}: {e}", recalculated.display()))?;
    let recalc_sheets = recalc.sheet_names();
    let mut result = FormulaComparison::default();

    for sheet in orig.sheet_names() {
        let formulas = orig
            .worksheet_formula(&sheet)
            .map_err(|e| format!("{}: sheet {sheet:?}: formulas: {e}", original.display()))?;
        let Some((row0, col0)) = formulas.start() else {
            continue; // no formula on this sheet
        };
        let cached = orig
            .worksheet_range(&sheet)
            .map_err(|e| format!("{}: sheet {sheet:?}: {e}", original.display()))?;
        if !recalc_sheets.contains(&sheet) {
            return Err(format!(
                "{}: sheet {sheet:?} is missing (sheets: {recalc_sheets:?})",
                recalculated.display()
            ));
        }
        let values = recalc
            .worksheet_range(&sheet)
            .map_err(|e| format!("{}: sheet {sheet:?}: {e}", recalculated.display()))?;

        // The formula range and the value ranges may start at different cells: align them by
        // absolute position.
        for (r, c, formula) in formulas.used_cells() {
            if formula.is_empty() {
                continue;
            }
            let pos = (row0 + r as u32, col0 + c as u32);
            let before = cached.get_value(pos).cloned().unwrap_or(Data::Empty);
            let after = values.get_value(pos).cloned().unwrap_or(Data::Empty);
            result.checked += 1;
            if !same_value(&before, &after) {
                result.mismatches.push(Mismatch {
                    sheet: sheet.clone(),
                    cell: a1(pos.0, pos.1),
                    formula: formula.clone(),
                    cached: before,
                    recalculated: after,
                });
            }
        }
    }
    Ok(result)
}

/// Whether a cached value and a recalculated value agree (see [`compare_formulas`]).
pub fn same_value(a: &Data, b: &Data) -> bool {
    match (a, b) {
        (Data::Empty, Data::Empty) => true,
        (Data::Empty, Data::String(s)) | (Data::String(s), Data::Empty) => s.is_empty(),
        (Data::String(x), Data::String(y)) => x == y,
        (Data::Bool(x), Data::Bool(y)) => x == y,
        (Data::Error(x), Data::Error(y)) => x == y,
        (Data::DateTimeIso(x), Data::DateTimeIso(y))
        | (Data::DurationIso(x), Data::DurationIso(y)) => x == y,
        _ => match (number(a), number(b)) {
            (Some(x), Some(y)) => close(x, y),
            _ => false,
        },
    }
}

fn number(d: &Data) -> Option<f64> {
    match d {
        Data::Int(i) => Some(*i as f64),
        Data::Float(f) => Some(*f),
        Data::DateTime(dt) => Some(dt.as_f64()),
        _ => None,
    }
}

fn close(x: f64, y: f64) -> bool {
    if x == y {
        return true;
    }
    let diff = (x - y).abs();
    diff <= TOLERANCE || diff <= TOLERANCE * x.abs().max(y.abs())
}

fn show(d: &Data) -> String {
    match d {
        Data::Empty => "(empty)".to_string(),
        Data::String(s) => format!("{s:?}"),
        Data::Float(f) => format!("{f:?}"),
        Data::Error(e) => error_text(e).to_string(),
        Data::DateTime(dt) => format!("{} (date serial {})", dt, dt.as_f64()),
        other => other.to_string(),
    }
}

fn error_text(e: &CellErrorType) -> &'static str {
    match e {
        CellErrorType::Div0 => "#DIV/0!",
        CellErrorType::NA => "#N/A",
        CellErrorType::Name => "#NAME?",
        CellErrorType::Null => "#NULL!",
        CellErrorType::Num => "#NUM!",
        CellErrorType::Ref => "#REF!",
        CellErrorType::Value => "#VALUE!",
        CellErrorType::GettingData => "#GETTING_DATA",
    }
}

fn quote_sheet(name: &str) -> String {
    if name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        name.to_string()
    } else {
        format!("'{}'", name.replace('\'', "''"))
    }
}

/// A1 reference of a 0-based (row, column).
pub fn a1(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!(
        "{}{}",
        String::from_utf8(letters).unwrap_or_default(),
        row + 1
    )
}
