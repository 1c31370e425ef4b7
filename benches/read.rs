//! Read benchmark: barometro's full read into the model against calamine's raw read of the same
//! generated workbook, measured in the same run.
//!
//! ```text
//! cargo bench --bench read
//! ```
//!
//! For each size (100,000 indicators and a typical 150) a synthetic workbook in the Cremona
//! table layout (see `synth/mod.rs`) is generated once into a temporary directory, then the two
//! reads alternate (the order flips every round, after warm-up rounds that are not counted):
//!
//! - **calamine raw read**: `open_workbook::<Xlsx<_>, _>` and `worksheet_range` for every sheet,
//!   values only: the cheapest honest read of the same cells;
//! - **barometro read**: `barometro::read::read_workbook` with the default options (merged
//!   cells, header recognition, Italian value parsing, source cells).
//!
//! The output is a Markdown table (min and median wall time, ratio of the medians) and the line
//! `read ratio (100k indicators): X.XX× calamine`. Timings are reported, never asserted.
//!
//! Run without `--bench` (as `cargo test --benches` does), it only makes a quick smoke run on
//! 150 indicators. Environment variables, for profiling and quick runs:
//!
//! - `BENCH_ONLY=barometro` or `BENCH_ONLY=calamine`: measure one side only (no ratio);
//! - `BENCH_SIZES=100000,150`: the sizes to run (indicators);
//! - `BENCH_RUNS=n`: measured runs per size (default 7 for large workbooks, 50 for small);
//! - `BENCH_WARMUP=n`: warm-up runs per size (default 1 for large, 3 for small);
//! - `BENCH_DIR=path`: keep the generated workbooks in `path` and reuse them when present
//!   (e.g. to run under `valgrind --tool=callgrind` without generating there).

mod harness;
mod synth;

use harness::{
    bench_dir, env_usize, group_thousands, human_size, human_time, is_smoke_run, machine, rotated,
    sample, sizes, time, Sample,
};

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use calamine::{open_workbook, Reader, Xlsx};

const SEED: u64 = 2024;
const DEFAULT_SIZES: [usize; 2] = [100_000, 150];
const SMOKE_SIZE: usize = 150;

#[derive(Clone, Copy, PartialEq)]
enum Only {
    Both,
    Calamine,
    Barometro,
}

struct Row {
    indicators: usize,
    sheets: usize,
    file_bytes: u64,
    generation: Option<Duration>,
    runs: usize,
    calamine: Option<Sample>,
    barometro: Option<Sample>,
}

/// calamine's raw read: every sheet's values as a `Range<Data>`. Returns the cell count.
/// (Never inlined, so that a profiler can select it: `--toggle-collect='*calamine_read*'`.)
#[inline(never)]
fn calamine_read(path: &Path) -> usize {
    let mut wb: Xlsx<_> = open_workbook(path).expect("calamine opens the generated workbook");
    let names = wb.sheet_names();
    let mut cells = 0;
    for name in &names {
        let range = wb
            .worksheet_range(name)
            .expect("calamine reads every generated sheet");
        cells += range.get_size().0 * range.get_size().1;
        black_box(&range);
    }
    cells
}

/// barometro's read into the model. Returns the indicator count. (Never inlined, like
/// [`calamine_read`].)
#[inline(never)]
fn barometro_read(path: &Path) -> usize {
    let ente = barometro::read::read_workbook(path, &barometro::read::ReadOptions::default())
        .unwrap_or_else(|e| panic!("barometro cannot read {}: {e}", path.display()));
    let n = ente.indicator_count();
    black_box(&ente);
    n
}

fn bench_size(dir: &Path, indicators: usize, only: Only, smoke: bool) -> Row {
    let (path, generation) = synth::table_workbook(dir, indicators, SEED);
    if let Some(d) = generation {
        eprintln!("  generated in {}", human_time(d));
    }
    let file_bytes = std::fs::metadata(&path)
        .map(|m| m.len())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let sheets = {
        let wb: Xlsx<_> = open_workbook(&path).expect("calamine opens the generated workbook");
        wb.sheet_names().len()
    };

    let large = indicators >= 10_000;
    let (default_runs, default_warmup) = match (smoke, large) {
        (true, _) => (1, 0),
        (false, true) => (7, 1),
        (false, false) => (50, 3),
    };
    let runs = env_usize("BENCH_RUNS").unwrap_or(default_runs);
    let warmup = env_usize("BENCH_WARMUP").unwrap_or(default_warmup);
    let mut cal = Vec::with_capacity(runs);
    let mut bar = Vec::with_capacity(runs);
    // `true` is calamine's read, `false` barometro's; the order flips every round.
    let steps: Vec<bool> = [true, false]
        .into_iter()
        .filter(|&calamine| {
            if calamine {
                only != Only::Barometro
            } else {
                only != Only::Calamine
            }
        })
        .collect();
    for round in 0..warmup + runs {
        let measured = round >= warmup;
        for calamine in rotated(&steps, round) {
            if calamine {
                let (d, cells) = time(|| calamine_read(&path));
                assert!(cells > 0, "calamine read no cells");
                if measured {
                    cal.push(d);
                }
            } else {
                let (d, n) = time(|| barometro_read(&path));
                assert_eq!(
                    n, indicators,
                    "barometro read {n} indicators from a workbook generated with {indicators}"
                );
                if measured {
                    bar.push(d);
                }
            }
        }
        if large {
            eprintln!("  round {}/{} done", round + 1, warmup + runs);
        }
    }
    Row {
        indicators,
        sheets,
        file_bytes,
        generation,
        runs,
        calamine: sample(cal),
        barometro: sample(bar),
    }
}

fn main() {
    // A smoke run (150 indicators, one round) under `cargo test --benches`.
    let smoke = is_smoke_run();
    let only = match std::env::var("BENCH_ONLY").as_deref() {
        Ok("barometro") => Only::Barometro,
        Ok("calamine") => Only::Calamine,
        Ok("") | Err(_) => Only::Both,
        Ok(other) => panic!("BENCH_ONLY={other:?}: expected barometro or calamine"),
    };
    let sizes = sizes(smoke, SMOKE_SIZE, &DEFAULT_SIZES);
    let (dir, _temp) = bench_dir();

    let rows: Vec<Row> = sizes
        .iter()
        .map(|&n| bench_size(&dir, n, only, smoke))
        .collect();

    let fmt = |s: &Option<Sample>| match s {
        Some(s) => format!("{} / {}", human_time(s.min), human_time(s.median)),
        None => "–".to_string(),
    };
    let ratio = |r: &Row| match (&r.calamine, &r.barometro) {
        (Some(c), Some(b)) => Some(b.median.as_secs_f64() / c.median.as_secs_f64()),
        _ => None,
    };
    println!();
    println!(
        "| Workbook | File size | Runs | calamine raw read (min / median) | barometro read (min / median) | Ratio (medians) |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {} indicators, {} sheets | {} | {} | {} | {} | {} |",
            group_thousands(r.indicators),
            r.sheets,
            human_size(r.file_bytes),
            r.runs,
            fmt(&r.calamine),
            fmt(&r.barometro),
            ratio(r).map_or("–".to_string(), |x| format!("{x:.2}×")),
        );
    }
    println!();
    println!("{}", machine("read"));
    for r in &rows {
        if let Some(g) = r.generation {
            println!(
                "Generation of the {}-indicator workbook (not measured above): {}.",
                group_thousands(r.indicators),
                human_time(g)
            );
        }
    }
    if smoke {
        println!("(smoke run: `cargo bench --bench read` for the real measurement)");
    }
    println!();
    if let Some(r) = rows.iter().find(|r| r.indicators == 100_000) {
        if let Some(x) = ratio(r) {
            println!("read ratio (100k indicators): {x:.2}× calamine");
        }
    }
}
