//! Replays the fuzz targets' committed seed corpus (`fuzz/corpus/<target>/`) and every crash
//! the fuzzer found (`fuzz/regressions/<target>/`) through the same harness functions the
//! targets run (`fuzz/harness.rs`), so a fixed crash stays fixed without cargo-fuzz.

#[path = "../fuzz/harness.rs"]
mod harness;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The files of `dir` (none when it does not exist), sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .map(|e| e.expect("a readable directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

/// Runs every seed and regression of `target` through `run`; fails naming every file that
/// panicked. Returns how many seeds (not regressions) it ran.
fn replay(target: &str, run: fn(&[u8])) -> usize {
    let seeds = files(&fuzz_dir().join("corpus").join(target));
    let regressions = files(&fuzz_dir().join("regressions").join(target));
    let mut failed = Vec::new();
    for path in seeds.iter().chain(&regressions) {
        let data = std::fs::read(path).expect("a readable corpus file");
        if let Err(e) = catch_unwind(AssertUnwindSafe(|| run(&data))) {
            let why = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failed.push(format!("{}: {why}", path.display()));
        }
    }
    assert!(failed.is_empty(), "{target}:\n{}", failed.join("\n"));
    seeds.len()
}

#[test]
fn cell_value_corpus() {
    let n = replay("cell_value", harness::cell_value);
    assert!(n >= 30, "the cell_value seed corpus has only {n} files");
}

#[test]
fn workbook_bytes_corpus() {
    let n = replay("workbook_bytes", harness::workbook_bytes);
    assert!(n >= 3, "the workbook_bytes seed corpus has only {n} files");
}

#[test]
fn grid_corpus() {
    let n = replay("grid", harness::grid);
    assert!(n >= 5, "the grid seed corpus has only {n} files");
}

/// The grid seeds come from the real layouts: each gives objectives when read, so the fuzzer
/// starts from inputs that reach the table, card and activity readers.
#[test]
fn grid_seeds_give_objectives() {
    for path in files(&fuzz_dir().join("corpus/grid")) {
        let data = std::fs::read(&path).expect("a readable seed");
        let n = harness::grid_objectives(&data);
        assert!(
            n.is_some_and(|n| n > 0),
            "{}: {n:?} objectives",
            path.display()
        );
    }
}

/// The grid writer round-trips through calamine: the cells, their kinds and the merged
/// regions read back are the ones written.
#[test]
fn grid_writer_round_trips() {
    use calamine::{Data, Reader, Xlsx};
    let text = "== Prova\nObiettivo\t#N 3.5\t#P 0.4\t#D 45291\n#M2x3 Titolo & <b>\t\t\t#B 1\t#E #REF!\n\t\t\t\tfine\u{1}";
    let sheets = harness::parse_grid(text);
    assert_eq!(harness::grid_to_text(&sheets).trim_end(), text);
    let bytes = harness::grid_to_xlsx(&sheets);
    let mut xlsx = Xlsx::new(std::io::Cursor::new(bytes)).expect("a valid xlsx");
    let range = xlsx.worksheet_range("Prova").expect("the sheet");
    assert_eq!(range.get((0, 0)), Some(&Data::String("Obiettivo".into())));
    assert_eq!(range.get((0, 1)), Some(&Data::Float(3.5)));
    assert_eq!(range.get((0, 2)), Some(&Data::Float(0.4)));
    assert!(matches!(range.get((0, 3)), Some(Data::DateTime(d)) if d.as_f64() == 45291.0));
    assert_eq!(
        range.get((1, 0)),
        Some(&Data::String("Titolo & <b>".into()))
    );
    assert_eq!(range.get((1, 3)), Some(&Data::Bool(true)));
    assert!(matches!(range.get((1, 4)), Some(Data::Error(_))));
    assert_eq!(range.get((2, 4)), Some(&Data::String("fine\u{1}".into())));
    let merges: Vec<_> = xlsx
        .merge_cells_by_sheet_name("Prova")
        .expect("merged regions")
        .into_iter()
        .map(|d| (d.start, d.end))
        .collect();
    assert_eq!(merges, vec![((1, 0), (2, 2))]);
}

/// Inputs that crash only through a known upstream bug (`fuzz/known/<target>/`, see
/// `fuzz/README.md`): the harness skips them, and in a release build (no overflow checks, as
/// barometro ships) the reader returns without panicking (`cargo test --release`).
#[test]
fn known_upstream_crashes_are_skipped() {
    let known = files(&fuzz_dir().join("known/workbook_bytes"));
    assert!(!known.is_empty(), "fuzz/known/workbook_bytes is empty");
    for path in known {
        let data = std::fs::read(&path).expect("a readable input");
        assert!(
            harness::has_overlong_cell_reference(&data),
            "{}",
            path.display()
        );
        if !cfg!(debug_assertions) {
            let dir = tempfile::tempdir().expect("a temporary folder");
            let file = dir.path().join("known.xlsx");
            std::fs::write(&file, &data).expect("the input is written");
            let _ = barometro::read::read_workbook(&file, &Default::default());
        }
    }
}
