//! What the benchmarks share: timing, medians, the `BENCH_*` environment knobs, and the
//! formatting of the printed tables.

use std::path::PathBuf;
use std::time::{Duration, Instant};

#[allow(dead_code)] // only the report and scale benchmarks use it
pub mod cells;

/// The fastest and the median of a set of timed runs.
pub struct Sample {
    pub min: Duration,
    pub median: Duration,
}

/// The minimum and median of `times`; `None` when nothing was timed.
pub fn sample(mut times: Vec<Duration>) -> Option<Sample> {
    if times.is_empty() {
        return None;
    }
    times.sort();
    let n = times.len();
    let median = if n % 2 == 1 {
        times[n / 2]
    } else {
        (times[n / 2 - 1] + times[n / 2]) / 2
    };
    Some(Sample {
        min: times[0],
        median,
    })
}

/// A non-negative integer from the environment (`BENCH_RUNS`, `BENCH_WARMUP`).
pub fn env_usize(name: &str) -> Option<usize> {
    let v = std::env::var(name).ok()?;
    match v.trim().parse() {
        Ok(n) => Some(n),
        Err(_) => panic!("{name}={v:?}: expected a non-negative integer"),
    }
}

/// `cargo bench` passes `--bench`; `cargo test --benches` (or `--all-targets`) does not, and
/// then a quick smoke run checks that the benchmark works.
pub fn is_smoke_run() -> bool {
    !std::env::args().any(|a| a == "--bench")
}

/// The sizes to run: `BENCH_SIZES` (comma-separated, `_` allowed), else `smoke_size` on a smoke
/// run, else `defaults`.
pub fn sizes(smoke: bool, smoke_size: usize, defaults: &[usize]) -> Vec<usize> {
    match env_list("BENCH_SIZES", true) {
        Some(sizes) => sizes,
        None if smoke => vec![smoke_size],
        None => defaults.to_vec(),
    }
}

/// A comma-separated list of numbers in the environment variable `name` (`_` allowed between
/// digits when `grouped`); `None` when it is unset or blank. Panics on anything else.
pub fn env_list(name: &str, grouped: bool) -> Option<Vec<usize>> {
    let list = std::env::var(name).ok().filter(|l| !l.trim().is_empty())?;
    Some(
        list.split(',')
            .map(|s| {
                let s = s.trim();
                let digits = if grouped {
                    s.replace('_', "")
                } else {
                    s.to_string()
                };
                digits
                    .parse()
                    .unwrap_or_else(|_| panic!("{name}: {s:?} is not a number"))
            })
            .collect(),
    )
}

/// Where the generated workbooks go: `BENCH_DIR` (kept and reused), else a temporary folder
/// that lives as long as the returned guard.
pub fn bench_dir() -> (PathBuf, Option<tempfile::TempDir>) {
    match std::env::var_os("BENCH_DIR") {
        Some(d) => {
            std::fs::create_dir_all(&d).expect("BENCH_DIR can be created");
            (PathBuf::from(d), None)
        }
        None => {
            let temp = tempfile::tempdir().expect("a temporary directory");
            (temp.path().to_path_buf(), Some(temp))
        }
    }
}

/// Times `f`.
pub fn time<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let start = Instant::now();
    let out = f();
    (start.elapsed(), out)
}

/// `1.234 s`, `12.34 ms`, `123.4 µs`.
pub fn human_time(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.3} s")
    } else if s >= 1e-3 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{:.1} µs", s * 1e6)
    }
}

/// The CPU model from `/proc/cpuinfo`.
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string())
}

/// `100,000`.
pub fn group_thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1.2 MiB`, `30.7 KiB`.
#[allow(dead_code)] // the rules benchmark prints no file sizes
pub fn human_size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}

/// The variants of one round, rotated by the round number so that none always runs first.
pub fn rotated<T: Clone>(steps: &[T], round: usize) -> Vec<T> {
    let mut order = steps.to_vec();
    if !order.is_empty() {
        order.rotate_left(round % steps.len());
    }
    order
}

/// `Machine: <CPU> (2 CPUs), linux x86_64; `cargo bench --bench <bench>` (…)`.
pub fn machine(bench: &str) -> String {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!(
        "Machine: {} ({cpus} CPUs), {} {}; {}.",
        cpu_model(),
        std::env::consts::OS,
        std::env::consts::ARCH,
        if cfg!(debug_assertions) {
            "unoptimised build: timings are not meaningful".to_string()
        } else {
            format!("`cargo bench --bench {bench}` (bench profile: release + debug info)")
        }
    )
}
