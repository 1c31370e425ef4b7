//! Report benchmark: barometro's XLSX report against rust_xlsxwriter writing the same cells
//! alone, and a typical municipal file (150 indicators) end to end, measured in the same run.
//!
//! ```text
//! cargo bench --bench report
//! ```
//!
//! **Report against the floor.** For each size (100,000 indicators and a typical 150) a synthetic
//! workbook in the Cremona table layout (see `synth/mod.rs`, the same files as the read and
//! rules benchmarks) is generated once, read once and scored once with the default rules
//! (`predefinite`); none of that is timed here. Then, in every round (the order of the variants
//! rotates each round, after warm-up rounds that are not counted):
//!
//! - **barometro**: `barometro::report::build(&evaluation, &rules, &provenance)`: the layout,
//!   the six sheets, formats, tables, conditional formats, the chart, notes and
//!   `save_to_buffer`;
//! - **floor**: rust_xlsxwriter alone writing *the same cells*: the cells of a barometro report
//!   are extracted once, before timing (`harness::cells::extract`): values with calamine's `worksheet_range`
//!   (formula cells give their cached result), formulas with `worksheet_formula` (aligned by
//!   absolute position: the two ranges may start at different cells), and the blank cells
//!   barometro writes with a format (a score with no value), which calamine does not report,
//!   from the sheet XML. The timed loop creates a `Workbook`, adds the sheets with the same
//!   names, writes every cell with `write_string` / `write_number` / `write_formula`
//!   (`Formula::new(f).set_result(r)`, the cached result as barometro wrote it) / `write_blank`
//!   and calls `save_to_buffer`, in a workbook set up like barometro's report writer (zip
//!   compression level, constant-memory sheets: `harness::cells::WriterSettings`, read from
//!   `src/report`). It writes **no formats** (every cell in the default style), no
//!   tables, conditional formats, chart, notes, column widths, frozen panes, print set-up or
//!   defined names: those are barometro's extras, so the ratio is conservative (it charges
//!   barometro for all of them). The floor's output is read back once and checked to hold the
//!   same cells as the report;
//! - **floor with formats**: the same, every cell with the format of its style in the report,
//!   rebuilt from the report's `xl/styles.xml` (`harness::cells::style_formats`: number format, font, fill,
//!   border, alignment, wrapping) and checked cell by cell on the floor's output: rust_xlsxwriter
//!   then does the same per-cell format lookup and writes the same `s="…"` attributes as for the
//!   report; still no tables, conditional formats and the rest;
//! - **verify**: `barometro::report::verify(&report)` alone (the recalculation by formualizer);
//!   if it returns an error the row is left out (said in the output).
//!
//! **End to end (150 indicators).** Every round times, alternating:
//!
//! - **library**: what the command does, step by step: `read_workbook` +
//!   `RuleSet::default_set()` + `evaluate` + `Provenance::of_file` (the input's SHA-256) +
//!   `build` + `verify` + `write_atomically` (temporary file, `fsync`, rename)
//!   of the report, each step timed on its own;
//! - **command**: the `barometro` binary (`env!("CARGO_BIN_EXE_barometro")`, built by Cargo in
//!   the same profile as the benchmark: `target/release/barometro` under `cargo bench`),
//!   `barometro report FILE -o OUT --force` (plus `--no-verify` if `verify` fails), process
//!   start-up included.
//!
//! The output is two Markdown tables (min and median wall time, barometro's median divided by
//! each floor's, file sizes; the end-to-end steps) and the lines
//! `report (100k indicators): barometro X ms, rust_xlsxwriter alone Y ms, ratio Z×` and
//! `report end to end (150 indicators): …`. Timings are reported, never asserted.
//!
//! Profiling: `BENCH_ONLY=barometro` under `perf record --call-graph dwarf`, or
//! `valgrind --tool=callgrind --toggle-collect='report::barometro_build*'
//! --toggle-collect='*cells::floor_write*'` at `BENCH_SIZES=10000 BENCH_RUNS=1 BENCH_WARMUP=0`
//! (both functions are never inlined).
//!
//! Run without `--bench` (as `cargo test --benches` does), it only makes a quick smoke run on
//! 150 indicators. Environment variables, as for the other benchmarks:
//!
//! - `BENCH_ONLY=barometro,floor,floor-formats,verify,e2e,cli`: the variants to measure (any
//!   of them; e.g. `BENCH_ONLY=barometro` to profile the report alone: the cells are then not
//!   extracted);
//! - `BENCH_SIZES=100000,150`: the sizes of the report-against-floor comparison (indicators);
//!   the end-to-end run is always on 150 indicators;
//! - `BENCH_RUNS=n`: measured runs per size (default 5 for large workbooks, 30 for small; the
//!   end-to-end runs default to 30);
//! - `BENCH_WARMUP=n`: warm-up runs per size (default 1 for large, 3 for small);
//! - `BENCH_DIR=path`: keep the generated workbooks (and the reports) in `path` and reuse the
//!   workbooks when present (e.g. to run under `valgrind --tool=callgrind`).

mod harness;
mod synth;

use harness::{
    bench_dir, env_usize, group_thousands, human_size, human_time, is_smoke_run, machine, rotated,
    sample, sizes, time, Sample,
};

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use barometro::read::{read_workbook, ReadOptions};
use barometro::report::{build, verify, write_atomically, Provenance, Report, Verification};
use barometro::rules::{evaluate, EvaluateOptions, Evaluation, RuleSet};
use harness::cells::{
    check_floor, extract, floor_write, style_count, CellCounts, Cells, WriterSettings,
};

const SEED: u64 = 2024;
const DEFAULT_SIZES: [usize; 2] = [100_000, 150];
const SMOKE_SIZE: usize = 150;
/// The typical municipal file of the end-to-end run.
const E2E_SIZE: usize = 150;
/// The goal of the issue: the report within this many times rust_xlsxwriter alone.
const GOAL_RATIO: f64 = 1.5;
/// The goal of the issue for the end-to-end run on a typical file, in milliseconds.
const GOAL_E2E_MS: f64 = 100.0;

/// barometro's report. (Never inlined, like `harness::cells::floor_write`.)
#[inline(never)]
fn barometro_build(ev: &Evaluation, rules: &RuleSet, provenance: &Provenance) -> Report {
    build(ev, rules, provenance).expect("barometro builds the report")
}

/// `verify`, never inlined.
#[inline(never)]
fn barometro_verify(report: &Report) -> Result<Verification, String> {
    verify(report).map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------------------------
// Report against the floor.
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Variant {
    Barometro,
    Floor,
    FloorFormats,
    Verify,
    EndToEnd,
    Cli,
}

impl Variant {
    fn parse(s: &str) -> Variant {
        match s.trim() {
            "barometro" => Variant::Barometro,
            "floor" => Variant::Floor,
            "floor-formats" => Variant::FloorFormats,
            "verify" => Variant::Verify,
            "e2e" => Variant::EndToEnd,
            "cli" => Variant::Cli,
            other => panic!(
                "BENCH_ONLY: {other:?}: expected barometro, floor, floor-formats, verify, e2e or cli"
            ),
        }
    }
}

struct Row {
    indicators: usize,
    runs: usize,
    report_bytes: usize,
    floor_bytes: usize,
    floor_formats_bytes: usize,
    formulas_checked: usize,
    counts: CellCounts,
    per_sheet: Vec<(String, usize)>,
    barometro: Option<Sample>,
    floor: Option<Sample>,
    floor_formats: Option<Sample>,
    verify: Option<Sample>,
    /// Why `verify` was not timed, or its mismatches.
    verify_note: String,
}

fn synth_path(dir: &Path, indicators: usize) -> PathBuf {
    let (path, _) = synth::table_workbook(dir, indicators, SEED);
    path
}

fn default_set() -> RuleSet {
    RuleSet::default_set().expect("the default rules compile")
}

fn bench_size(dir: &Path, indicators: usize, only: &[Variant], smoke: bool) -> Row {
    let path = synth_path(dir, indicators);
    let rules = default_set();
    let (d, ente) = time(|| read_workbook(&path, &ReadOptions::default()));
    let ente = ente.unwrap_or_else(|e| panic!("barometro cannot read {}: {e}", path.display()));
    assert_eq!(ente.indicator_count(), indicators);
    let (d2, ev) = time(|| evaluate(ente, &rules, &EvaluateOptions::default()));
    eprintln!(
        "  read in {}, scored in {} (not measured)",
        human_time(d),
        human_time(d2)
    );
    let provenance = Provenance::named(&path.file_name().unwrap_or_default().to_string_lossy());

    // The cells, once, from a first report (not timed); only when the floor is measured.
    let (d, report) = time(|| barometro_build(&ev, &rules, &provenance));
    eprintln!(
        "  first report in {} ({} bytes, not measured)",
        human_time(d),
        group_thousands(report.bytes.len()),
    );
    let floors = only.contains(&Variant::Floor) || only.contains(&Variant::FloorFormats);
    // The floor's workbook is set up like the report writer's (compression level, memory mode).
    let (settings, notes) = WriterSettings::of_source();
    for note in notes {
        eprintln!("  note: {note}");
    }
    let (cells, floor_bytes, floor_formats_bytes) = if floors {
        let (d, cells) = time(|| extract(&report.bytes));
        eprintln!(
            "  {} cells extracted in {} (not measured)",
            group_thousands(CellCounts::of(&cells.sheets).total()),
            human_time(d)
        );
        eprintln!(
            "  floor workbook settings, as barometro's report writer: {}",
            settings.describe(&cells.sheets)
        );
        let plain = floor_write(&cells.sheets, None, &settings);
        check_floor(&cells, &plain, false);
        let formatted = floor_write(&cells.sheets, Some(&cells.formats), &settings);
        check_floor(&cells, &formatted, true);
        eprintln!(
            "  styles: report {}, floor with formats {} (checked: every cell has its format)",
            style_count(&report.bytes),
            style_count(&formatted)
        );
        (cells, plain.len(), formatted.len())
    } else {
        let none = Cells {
            sheets: Vec::new(),
            formats: Vec::new(),
        };
        (none, 0, 0)
    };
    let counts = CellCounts::of(&cells.sheets);

    // Whether the verification is available (its first run is not timed).
    let (verify_ok, verify_note) = if only.contains(&Variant::Verify) {
        match barometro_verify(&report) {
            Ok(v) => (
                true,
                format!(
                    "{} formulas checked with {}, {} mismatches",
                    group_thousands(v.checked),
                    v.engine,
                    v.mismatches.len()
                ),
            ),
            Err(e) => (
                false,
                format!("not timed: `verify` returned an error ({e})"),
            ),
        }
    } else {
        (false, "not measured (BENCH_ONLY)".to_string())
    };

    let large = indicators >= 10_000;
    let (default_runs, default_warmup) = match (smoke, large) {
        (true, _) => (1, 0),
        (false, true) => (5, 1),
        (false, false) => (30, 3),
    };
    let runs = env_usize("BENCH_RUNS").unwrap_or(default_runs);
    let warmup = env_usize("BENCH_WARMUP").unwrap_or(default_warmup);

    let steps: Vec<Variant> = [
        Variant::Barometro,
        Variant::Floor,
        Variant::FloorFormats,
        Variant::Verify,
    ]
    .into_iter()
    .filter(|v| only.contains(v) && (*v != Variant::Verify || verify_ok))
    .collect();
    let (mut bar, mut flo, mut fmt, mut ver) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for round in 0..warmup + runs {
        let measured = round >= warmup;
        for step in rotated(&steps, round) {
            match step {
                Variant::Barometro => {
                    let (d, r) = time(|| barometro_build(&ev, &rules, &provenance));
                    black_box(&r);
                    if measured {
                        bar.push(d);
                    }
                    drop(r);
                }
                Variant::Floor => {
                    let (d, bytes) = time(|| floor_write(&cells.sheets, None, &settings));
                    black_box(&bytes);
                    if measured {
                        flo.push(d);
                    }
                    drop(bytes);
                }
                Variant::FloorFormats => {
                    let (d, bytes) =
                        time(|| floor_write(&cells.sheets, Some(&cells.formats), &settings));
                    black_box(&bytes);
                    if measured {
                        fmt.push(d);
                    }
                    drop(bytes);
                }
                Variant::Verify => {
                    let (d, v) = time(|| barometro_verify(&report));
                    black_box(&v);
                    if measured {
                        ver.push(d);
                    }
                }
                Variant::EndToEnd | Variant::Cli => {}
            }
        }
        if large {
            eprintln!("  round {}/{} done", round + 1, warmup + runs);
        }
    }
    Row {
        indicators,
        runs,
        report_bytes: report.bytes.len(),
        floor_bytes,
        floor_formats_bytes,
        formulas_checked: report.checks.len(),
        counts,
        per_sheet: cells
            .sheets
            .iter()
            .map(|s| (s.name.clone(), s.cells.len()))
            .collect(),
        barometro: sample(bar),
        floor: sample(flo),
        floor_formats: sample(fmt),
        verify: sample(ver),
        verify_note,
    }
}

// ---------------------------------------------------------------------------------------------
// End to end.
// ---------------------------------------------------------------------------------------------

/// The steps of the library's end-to-end run, in order.
const E2E_STEPS: [&str; 7] = [
    "read_workbook",
    "RuleSet::default_set",
    "evaluate",
    "Provenance::of_file",
    "build",
    "verify",
    "write_atomically",
];

struct EndToEnd {
    runs: usize,
    file_bytes: u64,
    report_bytes: usize,
    total: Option<Sample>,
    steps: Vec<(&'static str, Option<Sample>)>,
    verified: bool,
    cli: Option<Sample>,
    cli_args: String,
    cli_path: PathBuf,
}

/// One end-to-end run of the library: the time of every step (`verify` only when available).
#[inline(never)]
fn end_to_end(path: &Path, out: &Path, with_verify: bool) -> ([Duration; 7], usize) {
    let (t0, ente) = time(|| read_workbook(path, &ReadOptions::default()));
    let ente = ente.expect("barometro reads the workbook");
    let (t1, rules) = time(default_set);
    let (t2, ev) = time(|| evaluate(ente, &rules, &EvaluateOptions::default()));
    let (tp, provenance) = time(|| Provenance::of_file(path));
    let provenance = provenance.expect("the input can be read again");
    let (t3, report) = time(|| barometro_build(&ev, &rules, &provenance));
    let mut t4 = Duration::ZERO;
    if with_verify {
        let (d, v) = time(|| barometro_verify(&report));
        v.expect("verify was available");
        t4 = d;
    }
    let (t5, w) = time(|| write_atomically(out, &report.bytes, Some(path), true));
    w.expect("the report is written");
    ([t0, t1, t2, tp, t3, t4, t5], report.bytes.len())
}

fn bench_end_to_end(dir: &Path, only: &[Variant], smoke: bool) -> EndToEnd {
    let path = synth_path(dir, E2E_SIZE);
    let out_lib = dir.join(format!("relazione-{E2E_SIZE}-lib.xlsx"));
    let out_cli = dir.join(format!("relazione-{E2E_SIZE}-cli.xlsx"));
    let file_bytes = std::fs::metadata(&path).map_or(0, |m| m.len());

    // Whether `verify` is available, on this file (not timed).
    let verified = {
        let ente = read_workbook(&path, &ReadOptions::default()).expect("read");
        let rules = default_set();
        let ev = evaluate(ente, &rules, &EvaluateOptions::default());
        let report = barometro_build(&ev, &rules, &Provenance::named("probe.xlsx"));
        barometro_verify(&report).is_ok()
    };

    let cli_path = PathBuf::from(env!("CARGO_BIN_EXE_barometro"));
    let mut args: Vec<String> = vec![
        "report".into(),
        path.display().to_string(),
        "-o".into(),
        out_cli.display().to_string(),
        "--force".into(),
    ];
    if !verified {
        args.push("--no-verify".into());
    }
    let file_name = |p: &Path| {
        p.file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned()
    };
    let cli_args = format!(
        "barometro report {} -o {} --force{}",
        file_name(&path),
        file_name(&out_cli),
        if verified { "" } else { " --no-verify" }
    );
    let run_cli = || {
        let output = Command::new(&cli_path)
            .args(&args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", cli_path.display()));
        // 0: clean; 1: the data has errors (the synthetic workbooks have some).
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{cli_args}: {}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    };

    let (runs, warmup) = if smoke { (1, 0) } else { (30, 3) };
    let runs = env_usize("BENCH_RUNS").unwrap_or(runs);
    let warmup = env_usize("BENCH_WARMUP").unwrap_or(warmup);
    let steps: Vec<Variant> = [Variant::EndToEnd, Variant::Cli]
        .into_iter()
        .filter(|v| only.contains(v))
        .collect();
    let mut totals = Vec::new();
    let mut per_step: Vec<Vec<Duration>> = vec![Vec::new(); E2E_STEPS.len()];
    let mut cli = Vec::new();
    let mut report_bytes = 0;
    for round in 0..warmup + runs {
        let measured = round >= warmup;
        for step in rotated(&steps, round) {
            match step {
                Variant::EndToEnd => {
                    let (d, (t, n)) = time(|| end_to_end(&path, &out_lib, verified));
                    report_bytes = n;
                    if measured {
                        totals.push(d);
                        for (v, t) in per_step.iter_mut().zip(t) {
                            v.push(t);
                        }
                    }
                }
                Variant::Cli => {
                    let (d, ()) = time(run_cli);
                    if measured {
                        cli.push(d);
                    }
                }
                _ => {}
            }
        }
    }
    EndToEnd {
        runs,
        file_bytes,
        report_bytes,
        total: sample(totals),
        steps: E2E_STEPS
            .iter()
            .zip(per_step)
            .map(|(name, v)| (*name, sample(v)))
            .collect(),
        verified,
        cli: sample(cli),
        cli_args,
        cli_path,
    }
}

// ---------------------------------------------------------------------------------------------
// Output.
// ---------------------------------------------------------------------------------------------

fn fmt(s: &Option<Sample>) -> String {
    match s {
        Some(s) => format!("{} / {}", human_time(s.min), human_time(s.median)),
        None => "–".to_string(),
    }
}

fn ratio(a: &Option<Sample>, b: &Option<Sample>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.median.as_secs_f64() / b.median.as_secs_f64()),
        _ => None,
    }
}

fn main() {
    // A smoke run (150 indicators, one round) under `cargo test --benches`.
    let smoke = is_smoke_run();
    let only: Vec<Variant> = match std::env::var("BENCH_ONLY") {
        Ok(list) if !list.trim().is_empty() => list.split(',').map(Variant::parse).collect(),
        _ => vec![
            Variant::Barometro,
            Variant::Floor,
            Variant::FloorFormats,
            Variant::Verify,
            Variant::EndToEnd,
            Variant::Cli,
        ],
    };
    let sizes = sizes(smoke, SMOKE_SIZE, &DEFAULT_SIZES);
    let (dir, _temp) = bench_dir();

    let comparison = only.iter().any(|v| {
        matches!(
            v,
            Variant::Barometro | Variant::Floor | Variant::FloorFormats | Variant::Verify
        )
    });
    let rows: Vec<Row> = if comparison {
        sizes
            .iter()
            .map(|&n| bench_size(&dir, n, &only, smoke))
            .collect()
    } else {
        Vec::new()
    };
    let e2e = only
        .iter()
        .any(|v| matches!(v, Variant::EndToEnd | Variant::Cli))
        .then(|| bench_end_to_end(&dir, &only, smoke));

    if !rows.is_empty() {
        println!();
        println!(
            "| Report | Variant | Runs | min / median | barometro ÷ this (medians) | File size |"
        );
        println!("|---|---|---:|---:|---:|---:|");
        for r in &rows {
            let n = group_thousands(r.indicators);
            let size = |bytes: usize| {
                if bytes > 0 {
                    format!(
                        "{} ({} bytes)",
                        human_size(bytes as u64),
                        group_thousands(bytes)
                    )
                } else {
                    "–".to_string()
                }
            };
            let lines = [
                ("barometro `build`", &r.barometro, r.report_bytes),
                (
                    "rust_xlsxwriter alone, same cells, no formats (**floor**)",
                    &r.floor,
                    r.floor_bytes,
                ),
                (
                    "rust_xlsxwriter alone, same cells, same cell formats",
                    &r.floor_formats,
                    r.floor_formats_bytes,
                ),
                ("`verify` alone", &r.verify, 0),
            ];
            for (i, (label, s, bytes)) in lines.into_iter().enumerate() {
                if s.is_none() {
                    continue;
                }
                let vs = if i == 1 || i == 2 {
                    ratio(&r.barometro, s).map_or("–".to_string(), |x| format!("**{x:.2}×**"))
                } else {
                    "–".to_string()
                };
                println!(
                    "| {n} indicators | {label} | {} | {} | {vs} | {} |",
                    r.runs,
                    fmt(s),
                    size(bytes)
                );
            }
        }
        println!();
        println!(
            "The floor is rust_xlsxwriter 0.102 alone writing the report's cells (extracted once with calamine, not timed) into sheets of the same names and saving to a buffer, in a workbook set up like barometro's report writer (zip compression level, constant-memory sheets; `barometro::report::REPORT_WRITER`, printed above). It writes no formats, tables, conditional formats, chart, notes, column widths, frozen panes, print set-up or defined names: the ratio to it charges barometro for all of them (conservative). The second floor gives every cell the format of its style in the report (rebuilt from the report's `styles.xml`: number format, font, fill, border, alignment, wrapping; checked cell by cell), so rust_xlsxwriter does the same per-cell format lookup and writes the same `s=\"…\"` attributes; it still writes no tables, conditional formats, chart, notes, widths, panes, print set-up or names."
        );
        for r in &rows {
            let c = &r.counts;
            if c.total() == 0 {
                println!(
                    "- {} indicators: cells not extracted (the floor is not measured); {} formulas listed for verification; verify: {}.",
                    group_thousands(r.indicators),
                    group_thousands(r.formulas_checked),
                    r.verify_note,
                );
                continue;
            }
            println!(
                "- {} indicators: {} cells ({} strings, {} numbers, {} formulas with cached results, {} formatted blanks; {} with a style); per sheet: {}; {} formulas listed for verification; verify: {}.",
                group_thousands(r.indicators),
                group_thousands(c.total()),
                group_thousands(c.strings),
                group_thousands(c.numbers),
                group_thousands(c.formulas),
                group_thousands(c.blanks),
                group_thousands(c.styled),
                r.per_sheet
                    .iter()
                    .map(|(n, k)| format!("{n} {}", group_thousands(*k)))
                    .collect::<Vec<_>>()
                    .join(", "),
                group_thousands(r.formulas_checked),
                r.verify_note,
            );
        }
    }
    if let Some(e) = &e2e {
        println!();
        println!(
            "| End to end, {} indicators ({}) | Runs | min / median |",
            E2E_SIZE,
            human_size(e.file_bytes)
        );
        println!("|---|---:|---:|");
        if e.total.is_some() {
            for (name, s) in &e.steps {
                if *name == "verify" && !e.verified {
                    println!("| `verify` | – | returned an error: not timed |");
                    continue;
                }
                println!("| `{name}` | {} | {} |", e.runs, fmt(s));
            }
            println!(
                "| **library, all steps** | {} | **{}** |",
                e.runs,
                fmt(&e.total)
            );
        }
        if e.cli.is_some() {
            println!(
                "| **command** `{}` | {} | **{}** |",
                e.cli_args,
                e.runs,
                fmt(&e.cli)
            );
        }
        println!();
        println!(
            "Library: each step timed on its own, the total around all of them (report {} bytes, written with `write_atomically`: temporary file, fsync, rename). Command: {}, process start-up included (reading, rules, report{}, writing){}.",
            group_thousands(e.report_bytes),
            e.cli_path.display(),
            if e.verified { ", verification" } else { "" },
            if e.verified { "" } else { "; `--no-verify`, because `verify` returned an error" }
        );
    }
    println!();
    println!("{}", machine("report"));
    if smoke {
        println!("(smoke run: `cargo bench --bench report` for the real measurement)");
    }
    println!();
    for r in &rows {
        if r.indicators != 100_000 {
            continue;
        }
        if let (Some(b), Some(f)) = (&r.barometro, &r.floor) {
            let x = b.median.as_secs_f64() / f.median.as_secs_f64();
            println!(
                "report (100k indicators): barometro {:.0} ms, rust_xlsxwriter alone {:.0} ms, ratio {x:.2}× (goal ≤ {GOAL_RATIO}×){}; report {} bytes{}",
                b.median.as_secs_f64() * 1e3,
                f.median.as_secs_f64() * 1e3,
                match ratio(&r.barometro, &r.floor_formats) {
                    Some(y) => format!(
                        "; with the same cell formats in the floor {:.0} ms, ratio {y:.2}×",
                        r.floor_formats.as_ref().map_or(0.0, |s| s.median.as_secs_f64() * 1e3)
                    ),
                    None => String::new(),
                },
                group_thousands(r.report_bytes),
                match &r.verify {
                    Some(v) => format!("; verify {:.0} ms", v.median.as_secs_f64() * 1e3),
                    None => "; verify returned an error".to_string(),
                }
            );
        }
    }
    if let Some(e) = &e2e {
        let mut parts = Vec::new();
        if let Some(s) = &e.total {
            parts.push(format!(
                "library {:.1} ms{}",
                s.median.as_secs_f64() * 1e3,
                if e.verified { "" } else { " (without verify)" }
            ));
        }
        if let Some(s) = &e.cli {
            parts.push(format!(
                "command {:.1} ms{}",
                s.median.as_secs_f64() * 1e3,
                if e.verified { "" } else { " (--no-verify)" }
            ));
        }
        if !parts.is_empty() {
            println!(
                "report end to end ({E2E_SIZE} indicators): {} (goal well under {GOAL_E2E_MS:.0} ms)",
                parts.join(", ")
            );
        }
    }
}
