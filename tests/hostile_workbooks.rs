//! Hostile and broken workbooks: each gives an Italian error or finding naming file, sheet and
//! cell, within bounded memory and time, and never a panic, whichever command reads it.
//!
//! Every case runs through `check`, `valuta`, `report` and `fill` under a 1 GiB address-space
//! limit (`ulimit -v`) and a deadline: a reader that inflated a bomb or built the whole grid
//! would be killed, and the test would fail.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::cli::panicked;
use common::package::{borrowed, rows, rows_with, table, xlsx, Sheet};

/// The address space each run may use (1 GiB): far below what inflating any bomb here needs.
const MEMORY_KIB: u64 = 1 << 20;
/// A run that takes longer has no bound (debug build; the slowest case takes a few seconds).
const DEADLINE: Duration = Duration::from_secs(60);

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/ostili")
        .join(name)
}

/// Runs barometro with a memory limit and a deadline.
fn bounded(args: &[&str]) -> Output {
    let child = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {MEMORY_KIB}; exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_barometro"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sh runs");
    let start = Instant::now();
    let pid = child.id();
    let watchdog = std::thread::spawn(move || {
        while start.elapsed() < DEADLINE {
            std::thread::sleep(Duration::from_millis(100));
            // Still running? (`kill -0` fails once the process is gone.)
            let alive = Command::new("kill")
                .args(["-0", &pid.to_string()])
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if !alive {
                return false;
            }
        }
        let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        true
    });
    let out = child.wait_with_output().expect("barometro runs");
    let killed = watchdog.join().unwrap_or(false);
    assert!(
        !killed,
        "barometro {args:?} ran past {DEADLINE:?} and was killed"
    );
    out
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Runs every reading command on `path` (with the output in `dir`); each must end with
/// `status` and no panic. Returns the outputs of check, valuta, report and fill.
fn every_command(dir: &Path, path: &Path, status: i32) -> Vec<Output> {
    let p = path.to_str().unwrap();
    let report = dir.join("relazione.xlsx");
    let filled = dir.join("compilato.xlsx");
    let before = std::fs::read(path).unwrap();
    let runs = [
        vec!["check", p],
        vec!["valuta", p],
        vec!["report", p, "-o", report.to_str().unwrap(), "--force"],
        vec!["fill", p, "-o", filled.to_str().unwrap(), "--force"],
    ];
    let mut outs = Vec::new();
    for args in runs {
        let out = bounded(&args);
        let (stdout, stderr) = text(&out);
        assert!(!panicked(&stderr), "{args:?} panicked:\n{stderr}");
        // The report's formula check may add 1 to a clean read; never 2 for a readable file.
        let code = out.status.code();
        let ok = match (status, args[0]) {
            (2, _) => code == Some(2),
            (0, "report") | (0, "fill") => code == Some(0) || code == Some(1),
            (s, _) => code == Some(s),
        };
        assert!(
            ok,
            "{args:?}: status {code:?}, expected {status}\n{stdout}\n{stderr}"
        );
        if status == 2 {
            assert!(
                stderr.starts_with("errore:") && stderr.contains(path.to_str().unwrap()),
                "{args:?}: the message must start with `errore:` and name the file:\n{stderr}"
            );
            assert!(
                !report.exists() && !filled.exists(),
                "no output for {args:?}"
            );
        }
        outs.push(out);
    }
    assert_eq!(
        std::fs::read(path).unwrap(),
        before,
        "the input is unchanged"
    );
    outs
}

/// The stderr of `check` for an unreadable file, after every command refused it.
fn refused(dir: &Path, path: &Path) -> String {
    text(&every_command(dir, path, 2)[0]).1
}

#[test]
fn a_zip_bomb_by_ratio_is_refused_before_inflating() {
    // 64 MiB of sheet XML from 66 KB (tests/data/ostili/crea.py).
    let dir = tempfile::tempdir().unwrap();
    let err = refused(dir.path(), &data("bomba-rapporto.xlsx"));
    assert!(err.contains("foglio «Obiettivi»"), "{err}");
    assert!(
        err.contains("la parte «xl/worksheets/sheet1.xml» si espande da 0,1 MB compressi a 64 MB"),
        "{err}"
    );
    assert!(err.contains("zip bomb"), "{err}");
}

#[test]
fn a_two_gigabyte_bomb_is_refused_before_inflating() {
    // 2 GiB of sheet XML, one 2 GiB text cell, from 2 MB: inflating it needs more than the
    // 1 GiB the run may use.
    let dir = tempfile::tempdir().unwrap();
    let path = data("bomba-2gb.xlsx");
    assert!(std::fs::metadata(&path).unwrap().len() < 3 << 20);
    let err = refused(dir.path(), &path);
    assert!(
        err.contains("foglio «Obiettivi»: la parte «xl/worksheets/sheet1.xml» si espande a 2048 MB, oltre il limite di 1024 MB per parte"),
        "{err}"
    );
}

#[test]
fn a_part_that_lies_about_its_size_is_damaged_not_inflated() {
    // The sheet declares 200 bytes and inflates to 64 MiB: the zip reader stops at 201.
    let dir = tempfile::tempdir().unwrap();
    let bomb = std::fs::read(data("bomba-rapporto.xlsx")).unwrap();
    let mut bytes = bomb.clone();
    let name = b"xl/worksheets/sheet1.xml";
    let mut patched = 0;
    // Local header: size at offset 22; central directory: size at offset 24.
    for (signature, size_at) in [(b"PK\x03\x04", 22), (b"PK\x01\x02", 24)] {
        let mut i = 0;
        while let Some(k) = bytes[i..].windows(4).position(|w| w == signature) {
            let at = i + k;
            let name_at = if signature == b"PK\x03\x04" { 30 } else { 46 };
            if bytes[at + name_at..].starts_with(name) {
                bytes[at + size_at..at + size_at + 4].copy_from_slice(&200u32.to_le_bytes());
                patched += 1;
            }
            i = at + 4;
        }
    }
    assert_eq!(patched, 2);
    let p = write(dir.path(), "bugiardo.xlsx", &bytes);
    let err = refused(dir.path(), &p);
    assert!(err.contains("danneggiato o incompleto"), "{err}");
    assert!(err.contains("foglio «Obiettivi»"), "{err}");
}

#[test]
fn xml_entities_from_a_dtd_are_never_expanded() {
    // A "billion laughs": &l9; would expand to 10⁹ "lol"s.
    let dir = tempfile::tempdir().unwrap();
    let mut laughs =
        String::from(r#"<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY l0 "lol">"#);
    for k in 1..10 {
        laughs.push_str(&format!(
            r#"<!ENTITY l{k} "{}">"#,
            format!("&l{};", k - 1).repeat(10)
        ));
    }
    laughs.push_str("]>");
    let grid = table(4);
    let body = rows(&borrowed(&grid)).replace("Indicatore 1<", "&l9;<");
    let mut sheet = Sheet::new("Obiettivi", body);
    sheet.prolog = &laughs;
    let p = write(dir.path(), "risate.xlsx", &xlsx(&[sheet], &[]));
    let err = refused(dir.path(), &p);
    assert!(
        err.contains("foglio «Obiettivi»: l'XML usa l'entità «&l9;», dichiarata in una DTD"),
        "{err}"
    );

    // The same in the shared strings, read before any sheet.
    let shared = format!(
        r#"{laughs}<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&l9;</t></si></sst>"#
    );
    let body = rows(&borrowed(&grid)).replacen(
        r#"t="inlineStr"><is><t xml:space="preserve">Indicatore 1</t></is>"#,
        r#"t="s"><v>0</v>"#,
        1,
    );
    let p = write(
        dir.path(),
        "risate-condivise.xlsx",
        &xlsx(
            &[Sheet::new("Obiettivi", body)],
            &[
                ("xl/sharedStrings.xml", shared.into_bytes()),
                (
                    "xl/_rels/workbook.xml.rels",
                    br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#.to_vec(),
                ),
            ],
        ),
    );
    let err = refused(dir.path(), &p);
    assert!(err.contains("l'XML usa l'entità «&l9;»"), "{err}");
}

#[test]
fn a_dtd_without_entities_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let grid = table(4);
    let mut sheet = Sheet::new("Obiettivi", rows(&borrowed(&grid)));
    sheet.prolog = r#"<?xml version="1.0"?><!DOCTYPE worksheet SYSTEM "http://example.org/x.dtd">"#;
    let p = write(dir.path(), "dtd.xlsx", &xlsx(&[sheet], &[]));
    let outs = every_command(dir.path(), &p, 0);
    assert!(text(&outs[0]).0.contains("2 obiettivi, 4 indicatori"));
}

#[test]
fn a_sheet_claiming_the_whole_grid_is_read_by_its_cells() {
    // `<dimension ref="A1:XFD1048576"/>`: 17 billion cells claimed, 27 present.
    let dir = tempfile::tempdir().unwrap();
    let grid = table(4);
    let mut sheet = Sheet::new("Obiettivi", rows(&borrowed(&grid)));
    sheet.dimension = Some("A1:XFD1048576");
    let p = write(dir.path(), "dichiara-tutto.xlsx", &xlsx(&[sheet], &[]));
    let outs = every_command(dir.path(), &p, 0);
    assert!(text(&outs[0]).0.contains("2 obiettivi, 4 indicatori"));
}

#[test]
fn a_sheet_using_the_whole_grid_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let grid = table(4);
    let mut body = rows(&borrowed(&grid));
    body.push_str(r#"<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#);
    let p = write(
        dir.path(),
        "enorme.xlsx",
        &xlsx(&[Sheet::new("Enorme", body)], &[]),
    );
    let err = refused(dir.path(), &p);
    assert!(
        err.contains("foglio «Enorme»: l'area usata è di 1048576 righe × 16384 colonne, oltre il limite di 40000000 celle"),
        "{err}"
    );
}

#[test]
fn a_sheet_repeating_one_cell_is_stopped() {
    // 50,000 copies of the same cell outside the declared range, then a cell far away: the
    // count stays bounded and the spread is refused.
    let dir = tempfile::tempdir().unwrap();
    let grid = table(4);
    let mut body = rows(&borrowed(&grid));
    body.push_str(r#"<row r="100">"#);
    body.push_str(&r#"<c r="Z100"><v>1</v></c>"#.repeat(50_000));
    body.push_str(r#"</row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#);
    let mut sheet = Sheet::new("Ripetuto", body);
    sheet.dimension = Some("A1:F7");
    let p = write(dir.path(), "ripetuto.xlsx", &xlsx(&[sheet], &[]));
    let err = refused(dir.path(), &p);
    assert!(
        err.contains("foglio «Ripetuto»: l'area usata è di"),
        "{err}"
    );
}

#[test]
fn texts_of_32767_characters_are_read_scored_and_reported_whole() {
    let dir = tempfile::tempdir().unwrap();
    let long_name: String = "Indicatore lunghissimo "
        .repeat(2_000)
        .chars()
        .take(32_767)
        .collect();
    let long_target: String = std::iter::repeat_n('9', 32_767).collect();
    let mut grid = table(4);
    grid[3][1] = long_name.clone();
    // As a number cell (`<v>` of 32,767 digits) and as a comparator text.
    grid[4][3] = long_target.clone();
    grid[5][3] = format!(">= {}", &long_target[3..]);
    grid[2].push(
        "Intestazione lunghissima "
            .repeat(1_400)
            .chars()
            .take(32_767)
            .collect(),
    );
    let p = write(
        dir.path(),
        "lunghi.xlsx",
        &xlsx(&[Sheet::new("Obiettivi", rows(&borrowed(&grid)))], &[]),
    );
    let outs = every_command(dir.path(), &p, 1);
    let (stdout, _) = text(&outs[0]);
    assert!(stdout.contains("2 obiettivi, 4 indicatori"), "{stdout}");
    // A 32,767-digit number is too large to be one: an error on its cell, in both forms.
    assert!(
        stdout.contains(
            "errore  Obiettivi!D5  «Target»: numero non valido «∞»: numero troppo grande"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("errore  Obiettivi!D6  «Target»"),
        "{stdout}"
    );
    // The report keeps the long name whole (Excel's limit is 32,767 characters).
    let report = dir.path().join("relazione.xlsx");
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&report).unwrap();
    use calamine::Reader;
    let found = book.sheet_names().iter().any(|name| {
        book.worksheet_range(name).is_ok_and(|range| {
            range
                .used_cells()
                .any(|(_, _, v)| v.to_string() == long_name)
        })
    });
    assert!(found, "the 32,767-character name is in the report");
}

#[test]
fn excel_error_values_are_errors_on_their_cells() {
    let dir = tempfile::tempdir().unwrap();
    let mut grid = table(4);
    grid[3][3] = "#REF!".into();
    grid[4][4] = "#DIV/0!".into();
    grid[5][2] = "#N/A".into();
    let p = write(
        dir.path(),
        "errori.xlsx",
        &xlsx(&[Sheet::new("Obiettivi", rows(&borrowed(&grid)))], &[]),
    );
    let outs = every_command(dir.path(), &p, 1);
    let (stdout, _) = text(&outs[0]);
    for (cell, value) in [("D4", "#REF!"), ("E5", "#DIV/0!"), ("C6", "#N/A")] {
        assert!(
            stdout.lines().any(|l| l.contains("errore")
                && l.contains(&format!("Obiettivi!{cell}"))
                && l.contains(&format!("l'errore di Excel {value}"))),
            "{cell} {value}:\n{stdout}"
        );
    }
}

#[test]
fn hidden_rows_are_read_with_a_warning_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let grid = table(6);
    let body = rows_with(&borrowed(&grid), |r| {
        if r == 4 || r == 7 {
            r#" hidden="1" ht="0""#.into()
        } else {
            String::new()
        }
    });
    let p = write(
        dir.path(),
        "righe-nascoste.xlsx",
        &xlsx(&[Sheet::new("Obiettivi", body)], &[]),
    );
    let outs = every_command(dir.path(), &p, 0);
    let (stdout, _) = text(&outs[0]);
    assert!(stdout.contains("3 obiettivi, 6 indicatori"), "{stdout}");
    let warning = stdout
        .lines()
        .find(|l| l.contains("[riga-nascosta]"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(warning.starts_with("  avviso  Obiettivi!B5"), "{warning}");
    assert!(
        warning.contains(
            "righe nascoste lette e calcolate come le altre: riga 5 (indicatore «Indicatore 2»), riga 8 (obiettivo «OB3 Obiettivo 3», indicatore «Indicatore 5»)"
        ),
        "{warning}"
    );
}

#[test]
fn hidden_sheets_are_skipped_with_an_info_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let grid = table(4);
    let mut hidden = Sheet::new("Nascosto", rows(&borrowed(&table(2))));
    hidden.hidden = true;
    let p = write(
        dir.path(),
        "fogli-nascosti.xlsx",
        &xlsx(
            &[Sheet::new("Obiettivi", rows(&borrowed(&grid))), hidden],
            &[],
        ),
    );
    let outs = every_command(dir.path(), &p, 0);
    let (stdout, _) = text(&outs[0]);
    assert!(stdout.contains("2 obiettivi, 4 indicatori"), "{stdout}");
    assert!(
        stdout
            .contains("foglio nascosto «Nascosto» non letto (usare --fogli-nascosti per leggerlo)"),
        "{stdout}"
    );
    let all = bounded(&["check", p.to_str().unwrap(), "--fogli-nascosti"]);
    assert!(
        text(&all).0.contains("3 obiettivi, 6 indicatori"),
        "{}",
        text(&all).0
    );
}

#[test]
fn repeated_and_empty_headers_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut grid = table(4);
    for row in grid.iter_mut().skip(2) {
        let target = row[3].clone();
        row.push(target);
        row.insert(2, "x".into());
    }
    grid[2][2] = String::new();
    grid[2][7] = "TARGET ".into();
    let p = write(
        dir.path(),
        "intestazioni.xlsx",
        &xlsx(&[Sheet::new("Obiettivi", rows(&borrowed(&grid)))], &[]),
    );
    let outs = every_command(dir.path(), &p, 0);
    let (stdout, _) = text(&outs[0]);
    assert!(stdout.contains("2 obiettivi, 4 indicatori"), "{stdout}");
    assert!(
        stdout.contains("Obiettivi!H3  la colonna H («TARGET») ripete la colonna E («Target»): si legge la colonna E"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "Obiettivi!C4  la colonna C non ha intestazione: i suoi valori sono ignorati"
        ),
        "{stdout}"
    );
}

#[test]
fn odd_sheet_names_go_through_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let names = [
        "L'ufficio \"Tecnico\" & co.",
        "Città – Servizi ✓ 2024 (v.2)",
        "A1",
        "TRUE",
        " spazi ",
        "1234567890123456789012345678901",
    ];
    let sheets: Vec<Sheet> = names
        .iter()
        .map(|n| Sheet::new(n, rows(&borrowed(&table(2)))))
        .collect();
    let p = write(dir.path(), "nomi.xlsx", &xlsx(&sheets, &[]));
    let outs = every_command(dir.path(), &p, 0);
    let (stdout, _) = text(&outs[0]);
    for name in names {
        assert!(
            stdout.contains(&format!("Foglio «{name}»: 1 obiettivo, 2 indicatori")),
            "{name}:\n{stdout}"
        );
    }
    // Names Excel would take for references are quoted in the findings' cells.
    assert!(stdout.contains("  avviso  'A1'!A4  "), "{stdout}");
    assert!(stdout.contains("  avviso  'TRUE'!A4  "), "{stdout}");
    // The report's and the filled workbook's formulas were verified, whatever the names.
    for out in [&outs[2], &outs[3]] {
        let (stdout, _) = text(out);
        assert!(
            stdout.contains("verificate con formualizer 0.13")
                && stdout.contains("tutte uguali ai valori delle regole"),
            "{stdout}"
        );
    }
}

#[test]
fn broken_packages_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    // Encrypted, not a zip, empty: the same refusal from every command.
    let encrypted = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/protetto.xlsx");
    let copy = write(
        dir.path(),
        "protetto.xlsx",
        &std::fs::read(encrypted).unwrap(),
    );
    assert!(refused(dir.path(), &copy).contains("è protetto da password"));
    let p = write(dir.path(), "testo.xlsx", b"Obiettivo;Target\nBilancio;1\n");
    assert!(refused(dir.path(), &p).contains("è un file di testo"));
    let p = write(dir.path(), "vuoto.xlsx", b"");
    assert!(refused(dir.path(), &p).contains("il file è vuoto"));
    let good = xlsx(&[Sheet::new("Obiettivi", rows(&borrowed(&table(4))))], &[]);
    // No workbook part at all.
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file("leggimi.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    std::io::Write::write_all(&mut w, b"non sono un foglio").unwrap();
    let p = write(
        dir.path(),
        "senza-cartella.xlsx",
        &w.finish().unwrap().into_inner(),
    );
    let err = refused(dir.path(), &p);
    assert!(err.contains("senza-cartella.xlsx"), "{err}");
    // Sheet XML that is not XML.
    let p = write(
        dir.path(),
        "xml-rotto.xlsx",
        &xlsx(
            &[Sheet::new("Obiettivi", String::new())],
            &[(
                "xl/worksheets/sheet1.xml",
                b"<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>9".to_vec(),
            )],
        ),
    );
    refused(dir.path(), &p);
    // Every truncation of a good file: refused or read, never a panic.
    for cut in [good.len() - 1, good.len() - 22, good.len() / 2, 100, 30, 4] {
        let p = write(dir.path(), "troncato.xlsx", &good[..cut]);
        let out = bounded(&["check", p.to_str().unwrap()]);
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "cut at {cut}: {stderr}");
        assert!(
            stderr.starts_with("errore:") && !panicked(&stderr),
            "{stderr}"
        );
    }
    // A flipped byte in the middle of the sheet's data: the checksum tells.
    let mut flipped = good.clone();
    let at = flipped.windows(8).position(|w| w == b"sheet1.x").unwrap() + 40;
    flipped[at] ^= 0x55;
    let p = write(dir.path(), "alterato.xlsx", &flipped);
    let out = bounded(&["check", p.to_str().unwrap()]);
    assert!(!panicked(&text(&out).1));
}

#[test]
fn a_batch_with_hostile_files_reports_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("uffici");
    std::fs::create_dir(&folder).unwrap();
    for name in ["bomba-rapporto.xlsx", "bomba-2gb.xlsx"] {
        std::fs::copy(data(name), folder.join(name)).unwrap();
    }
    write(
        &folder,
        "buono.xlsx",
        &xlsx(&[Sheet::new("Obiettivi", rows(&borrowed(&table(4))))], &[]),
    );
    write(
        &folder,
        "troncato.xlsx",
        &std::fs::read(folder.join("buono.xlsx")).unwrap()[..200],
    );
    let out_dir = dir.path().join("relazioni");
    let out = bounded(&[
        "batch",
        folder.to_str().unwrap(),
        "-o",
        out_dir.to_str().unwrap(),
        "-j",
        "2",
    ]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!panicked(&stderr), "{stderr}");
    assert!(out_dir.join("buono-relazione.xlsx").exists());
    assert!(out_dir.join("consolidato.xlsx").exists());
    for (name, why) in [
        ("bomba-rapporto.xlsx", "zip bomb"),
        ("bomba-2gb.xlsx", "oltre il limite di 1024 MB per parte"),
        ("troncato.xlsx", "danneggiato o incompleto"),
    ] {
        assert!(
            stderr
                .lines()
                .any(|l| l.starts_with("errore:") && l.contains(name) && l.contains(why)),
            "{name}: {stderr}"
        );
        let stem = name.trim_end_matches(".xlsx");
        assert!(!out_dir.join(format!("{stem}-relazione.xlsx")).exists());
    }
}
