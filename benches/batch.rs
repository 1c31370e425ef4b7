//! Batch benchmark: files per second of `barometro::batch::run_batch` over a folder of
//! generated workbooks, on one worker thread and on two, measured in the same run.
//!
//! ```text
//! cargo bench --bench batch
//! ```
//!
//! A folder of synthetic workbooks in the Cremona table layout (`synth/mod.rs`, the generator
//! of the other benchmarks) is generated once, not timed: `BENCH_SIZES` files (default 100) of
//! a typical municipal size, 150 indicators each (one in ten with 30, one in ten with 600, so
//! that the workers do not finish together). Every round then runs the whole batch, for each
//! number of threads in turn (the order rotates each round; warm-up rounds are not counted):
//! for every file `read_workbook`, the rules compiled once per thread, `evaluate`, `build`,
//! `verify` (formualizer recalculates every formula) and `write_atomically` of the report,
//! with `--force` semantics into the same output folder; the consolidated workbook is not
//! part of the timed run (it is built once at the end and its formulas verified).
//!
//! The output is a Markdown table (min and median wall time per batch, files per second from
//! the median) and the line `batch (N files): 1 thread X files/s, 2 threads Y files/s,
//! ratio Z×`. Timings are reported, never asserted.
//!
//! Run without `--bench` (as `cargo test --benches` does), it makes one quick round over 4
//! small files. Environment variables, as for the other benchmarks: `BENCH_SIZES` (the number
//! of files), `BENCH_RUNS` (default 5), `BENCH_WARMUP` (default 1), `BENCH_DIR` (keep and reuse
//! the generated folder), and `BENCH_JOBS=1,2` (the thread counts to compare).

mod harness;
mod synth;

use std::path::{Path, PathBuf};
use std::time::Duration;

use barometro::batch::{consolidated_workbook, find_workbooks, run_batch, BatchOptions};
use barometro::report::{verify, ReportOptions};
use barometro::rules::RuleSet;
use harness::{
    bench_dir, env_list, env_usize, group_thousands, human_time, is_smoke_run, machine, rotated,
    sample, sizes, time,
};

/// Indicators of the `i`-th generated file: mostly 150, some small, some large.
fn indicators_of(i: usize, smoke: bool) -> usize {
    if smoke {
        return 20;
    }
    match i % 10 {
        3 => 30,
        7 => 600,
        _ => 150,
    }
}

/// The folder of `files` workbooks (reused when complete) and their indicators in all.
fn workbooks(root: &Path, files: usize, smoke: bool) -> (PathBuf, usize) {
    let dir = root.join(format!(
        "batch-{files}{}",
        if smoke { "-smoke" } else { "" }
    ));
    std::fs::create_dir_all(&dir).expect("the workbooks' folder can be created");
    let mut indicators = 0;
    for i in 0..files {
        let n = indicators_of(i, smoke);
        synth::table_workbook(&dir, n, 7000 + i as u64);
        indicators += n;
    }
    (dir, indicators)
}

fn main() {
    let smoke = is_smoke_run();
    let jobs: Vec<usize> = env_list("BENCH_JOBS", false).unwrap_or_else(|| vec![1, 2]);
    let runs = env_usize("BENCH_RUNS").unwrap_or(if smoke { 1 } else { 5 });
    let warmup = env_usize("BENCH_WARMUP").unwrap_or(if smoke { 0 } else { 1 });
    let (root, _temp) = bench_dir();
    let rules = RuleSet::default_set().expect("the default rules compile");

    for files in sizes(smoke, 4, &[100]) {
        let (input, indicators) = workbooks(&root, files, smoke);
        let outdir = root.join(format!("batch-{files}-relazioni"));
        let list = find_workbooks(&input, Some(&outdir), false).expect("the folder is listed");
        assert_eq!(list.len(), files);

        let mut times: Vec<Vec<Duration>> = vec![Vec::new(); jobs.len()];
        let mut last = None;
        for round in 0..warmup + runs {
            for k in rotated(&(0..jobs.len()).collect::<Vec<_>>(), round) {
                let n = jobs[k];
                let options = BatchOptions {
                    rules: None,
                    report: ReportOptions {
                        verify: true,
                        ..ReportOptions::default()
                    },
                    jobs: n,
                    force: true,
                };
                let (elapsed, batch) =
                    time(|| run_batch(&input, &list, &outdir, &options, |_, _| {}));
                let batch = batch.expect("the batch runs");
                if let Some((o, reason)) = batch.failed().next() {
                    panic!("{} failed: {reason}", o.name);
                }
                if round >= warmup {
                    times[k].push(elapsed);
                }
                last = Some(batch);
            }
        }
        if let Some(batch) = &last {
            let consolidated = consolidated_workbook(batch, &rules, &input, &outdir)
                .expect("the consolidated workbook builds");
            let proof = verify(&consolidated).expect("the consolidated workbook recalculates");
            assert!(proof.mismatches.is_empty(), "{:?}", proof.mismatches);
            eprintln!(
                "consolidated: {} formulas verified, {} bytes",
                proof.checked,
                consolidated.bytes.len()
            );
        }

        println!();
        println!("| Files | Threads | Runs | min / median per batch | files per second (median) |");
        println!("|---:|---:|---:|---:|---:|");
        let mut rates = Vec::new();
        for (k, &n) in jobs.iter().enumerate() {
            let Some(s) = sample(times[k].clone()) else {
                continue;
            };
            let rate = files as f64 / s.median.as_secs_f64();
            rates.push((n, rate));
            println!(
                "| {files} | {n} | {} | {} / {} | {rate:.1} |",
                times[k].len(),
                human_time(s.min),
                human_time(s.median)
            );
        }
        let summary: Vec<String> = rates
            .iter()
            .map(|(n, r)| {
                format!(
                    "{n} thread{} {r:.1} files/s",
                    if *n == 1 { "" } else { "s" }
                )
            })
            .collect();
        let ratio = match (rates.first(), rates.last()) {
            (Some((_, a)), Some((_, b))) if rates.len() > 1 && *a > 0.0 => {
                format!(", ratio {:.2}×", b / a)
            }
            _ => String::new(),
        };
        println!();
        println!(
            "batch ({files} files, {} indicators): {}{ratio}",
            group_thousands(indicators),
            summary.join(", ")
        );
    }
    println!("{}", machine("batch"));
}
