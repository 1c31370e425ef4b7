//! Scale benchmark: barometro's report command side by side with the peers a municipality
//! would use instead, and with the I/O floor, measured in the same run (issue #8).
//!
//! ```text
//! python3 -m venv target/venv-peer && target/venv-peer/bin/pip install -r benches/peer/requirements.txt
//! cargo bench --bench scale
//! ```
//!
//! For each size in `BENCH_SIZES` (indicators; default `150,20000,100000,1000000`) a synthetic
//! workbook in Cremona's table layout is generated once (`synth/mod.rs`, seed 2024, the files
//! of the other benchmarks, reused from `BENCH_DIR`). Then, in every round, alternating (the
//! order rotates each round), each contender runs once:
//!
//! - **barometro**: the `barometro report FILE -o OUT --force` command as a subprocess (the
//!   release binary Cargo builds for the benchmark, `env!("CARGO_BIN_EXE_barometro")`): process
//!   start-up, reading, the default rules, the report with its live formulas, formats and
//!   barometers, the verification of every formula by formualizer, and the safe write
//!   (temporary file, fsync, rename). Its own line `Formule: … in N ms` gives the time of the
//!   verification, shown apart;
//! - **Python**: `benches/peer/barometro_peer.py` as a subprocess (the interpreter is
//!   `BENCH_PYTHON`, else `target/venv-peer/bin/python` when it exists, else `python3`, with the
//!   pinned packages of `benches/peer/requirements.txt`): pandas (openpyxl engine) reads every sheet, the script
//!   scores with the same rules and writes with XlsxWriter a report with formulas, cached
//!   values and a traffic-light icon set; interpreter start-up and imports included;
//! - **LibreOffice**: `soffice --headless --convert-to xlsx` of barometro's report (the one of
//!   the check run, copied aside) with recalculation on load forced (`OOXMLRecalcMode` = 0 in a
//!   private profile that the check run initialises and every run reuses, as an installed
//!   LibreOffice would have): load, recalculate every formula, save. Its **start-up** is
//!   measured in the same rounds by converting a workbook of two cells, so the table gives the
//!   total and the total minus the start-up;
//! - **I/O floor**: calamine reading every cell of the input (`open_workbook` +
//!   `worksheet_range` for every sheet) plus rust_xlsxwriter writing the cells of barometro's
//!   report (the same strings, numbers, formulas with their cached results and blanks, in
//!   sheets of the same names; no formats, tables, conditional formats, chart or notes) and
//!   saving them to a file, with the workbook settings of barometro's report writer (zip
//!   compression level, constant-memory sheets: `harness::cells::WriterSettings`). It runs in a
//!   child process (this benchmark re-executed with `--scale-floor-child`) so that its peak
//!   memory is its own; the child first loads the cells (extracted once from barometro's report
//!   with calamine, not timed) and times the read and the write in process: no process
//!   start-up, no fsync.
//!
//! Each subprocess runs under GNU time (`/usr/bin/time -f %M`), which gives its **peak memory**
//! (RSS high-water, its descendants included: soffice.bin under the `soffice` script), and is
//! waited for with `wait4`, which gives its **CPU time** (user + system). (`wait4`'s own peak RSS
//! is not used: Linux charges a child, at `exec`, with the RSS of the process it was forked
//! from, here this benchmark holding a report's cells; without GNU time that upper bound is
//! printed, with a note.) The wall time is from spawn to exit. On a machine shared with other
//! jobs the wall time grows with the load while the CPU time does not, so both are printed.
//!
//! **Proof that they compute the same figures** (the check run, before timing, for every size
//! up to `BENCH_PEER_MAX`): barometro runs once with `--json` and its verification must report
//! every formula equal to its rule; the peer runs once with `--json` (the same shape, a subset)
//! and every indicator's method and score, every objective's, sector's and line's score, the
//! ente's score (within 1e-9), which indicators and objectives have no score, and every finding
//! (severity, cell and message, barometro's reader and rules alike) must be the same, or the
//! benchmark fails saying what differs. The floor's output is read back and must hold the
//! report's cells. LibreOffice's recalculation of barometro's report and of the peer's report is
//! compared with their cached values (`tests/common/libreoffice.rs`); a difference does not stop
//! the timing but is printed in the notes and in a warning at the end. The check run also times
//! barometro's steps once in process (read, rules, evaluate, build, verify, write) to show where
//! its time goes. Above `BENCH_PEER_MAX` there is no check run: the first timed run of
//! barometro gives the report whose cells the floor writes.
//!
//! The output is one Markdown table (per size: each contender's median wall time, CPU time and
//! peak RSS, and the ratios Python ÷ barometro, barometro ÷ floor, LibreOffice ÷ barometro) and
//! the issue's goals, each marked met or not met from the measured medians: ≥ 10× faster than
//! Python at 20,000 indicators and ≥ 30× at 150, within 1.5× of the floor, 150 indicators end to
//! end under 100 ms, 1,000,000 indicators under 30 s and 2 GB. Timings are reported, never
//! asserted; only the checks fail.
//!
//! **Batch** (`BENCH_ONLY=batch`): `BENCH_FILES` workbooks (default 8,000, every Italian
//! municipality) of 100 indicators each, distinct seeds, generated once into `BENCH_DIR`, and
//! `barometro batch DIR -o OUT -j N --force` as a subprocess for each N in `BENCH_JOBS`
//! (default `2,1`): wall time, CPU time, peak RSS, files per second.
//!
//! Environment variables, as for the other benchmarks:
//!
//! - `BENCH_ONLY=barometro,python,libreoffice,floor,batch`: the contenders (default all but
//!   `batch`); naming `python` or `libreoffice` makes a missing interpreter or soffice an error
//!   instead of a skip;
//! - `BENCH_SIZES=150,20000,100000,1000000`: the sizes (leave 1,000,000 out to skip it);
//! - `BENCH_RUNS=n`, `BENCH_WARMUP=n`: measured and warm-up rounds per size (default 10 and 1
//!   up to 1,000 indicators, 5 and 0 up to 20,000, 3 and 0 up to 100,000, 1 and 0 above; the
//!   check run already warms the caches); for batch, runs per thread count (default 1);
//! - `BENCH_DIR=path`: where the workbooks, reports and logs go (default `target/bench-scale`,
//!   kept: the workbooks are reused by the next run);
//! - `BENCH_PYTHON=path`: the Python interpreter for the peer (default
//!   `target/venv-peer/bin/python` when it exists, else `python3`);
//! - `BENCH_PEER_MAX=n`: Python and LibreOffice run up to this size (default 100,000: at
//!   1,000,000 indicators they take many minutes and gigabytes), said in the output;
//! - `BENCH_FILES=n`, `BENCH_JOBS=2,1`: the batch variant's file count and thread counts.
//!
//! Run without `--bench` (as `cargo test --benches` does) it makes one quick round on 150
//! indicators with barometro and the floor (and Python / LibreOffice only if `BENCH_ONLY` names
//! them).

mod harness;
// The tests' LibreOffice helper (`soffice`, `compare_formulas`); it allows its own dead code.
#[path = "../tests/common/libreoffice.rs"]
mod libreoffice;
mod synth;

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use harness::cells::{
    calamine_read, check_floor, extract, floor_save, floor_write, load_cells, save_cells,
    CellCounts, WriterSettings,
};
use harness::{
    bench_dir, env_list, env_usize, group_thousands, human_size, human_time, is_smoke_run, machine,
    rotated, sample, sizes, time,
};
use serde::Deserialize;

const SEED: u64 = 2024;
const DEFAULT_SIZES: [usize; 4] = [150, 20_000, 100_000, 1_000_000];
const SMOKE_SIZE: usize = 150;
const DEFAULT_PEER_MAX: usize = 100_000;
const DEFAULT_FILES: usize = 8_000;
const BATCH_INDICATORS: usize = 100;
/// Seeds of the batch's files: `BATCH_SEED + i`.
const BATCH_SEED: u64 = 100_000;
/// Scores must agree within this (points).
const TOLERANCE: f64 = 1e-9;
/// One subprocess may take this long before it is killed (with its process group).
const TIMEOUT: Duration = Duration::from_secs(3 * 3600);
const PEER_SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/benches/peer/barometro_peer.py"
);
const FLOOR_CHILD: &str = "--scale-floor-child";

// The issue's goals.
const GOAL_PYTHON_20K: f64 = 10.0;
const GOAL_PYTHON_150: f64 = 30.0;
const GOAL_FLOOR: f64 = 1.5;
const GOAL_150_MS: f64 = 100.0;
const GOAL_1M_S: f64 = 30.0;
const GOAL_1M_BYTES: u64 = 2_000_000_000;

// ---------------------------------------------------------------------------------------------
// Subprocesses: wall time, CPU time and peak memory.
// ---------------------------------------------------------------------------------------------

/// One measured run.
#[derive(Debug, Clone, Copy)]
struct Measured {
    wall: Duration,
    /// User + system CPU time of the process and its waited-for descendants.
    cpu: Duration,
    /// Peak resident set size (the largest of the process and its descendants), bytes.
    max_rss: u64,
    /// barometro's own figure for the verification (`Formule: … in N ms`).
    verify: Option<Duration>,
}

/// A finished subprocess: how it ended, its measurements, and its captured output.
struct Finished {
    status: ExitStatus,
    measured: Measured,
    stdout: String,
    stderr: String,
}

fn timeval(t: libc::timeval) -> Duration {
    Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
}

/// `wait4(pid)`: the exit status and the resource usage of the child and of the descendants it
/// waited for (Linux reports `RUSAGE_BOTH` for a reaped child).
fn wait4(pid: libc::pid_t) -> std::io::Result<(ExitStatus, libc::rusage)> {
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is a plain C struct for which all-zero bytes are a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `status` and `usage` are valid for writes for the duration of the call, and
        // `pid` is our own unwaited child.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            return Ok((ExitStatus::from_raw(status), usage));
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// This process's own CPU time (user + system).
fn cpu_time_self() -> Duration {
    // SAFETY: as in `wait4`: a zeroed `rusage` is valid and getrusage writes into it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is valid for writes.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return Duration::ZERO;
    }
    timeval(usage.ru_utime) + timeval(usage.ru_stime)
}

/// GNU time, when installed: it measures the peak RSS of the command alone. `wait4` on a direct
/// child cannot: Linux charges a child, at `exec`, with the high-water RSS of the memory it was
/// forked from, so a child of this benchmark (which holds a report's cells) would report at
/// least the benchmark's own peak.
const GNU_TIME: &str = "/usr/bin/time";

fn gnu_time() -> Option<&'static Path> {
    static FOUND: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let found = *FOUND.get_or_init(|| {
        Command::new(GNU_TIME)
            .args(["-f", "%M", "true"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .is_ok_and(|o| {
                o.status.success()
                    && String::from_utf8_lossy(&o.stderr)
                        .trim()
                        .parse::<u64>()
                        .is_ok()
            })
    });
    found.then(|| Path::new(GNU_TIME))
}

/// `cmd` run under GNU time (`-f %M -o rss`), with the same arguments, environment and folder.
fn under_gnu_time(cmd: &Command, time: &Path, rss: &Path) -> Command {
    let mut wrapped = Command::new(time);
    wrapped
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(rss)
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(v) => wrapped.env(key, v),
            None => wrapped.env_remove(key),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        wrapped.current_dir(dir);
    }
    wrapped
}

/// Runs `cmd` in its own process group with stdout / stderr captured in `<log>.stdout.txt` /
/// `<log>.stderr.txt`, waits for it with `wait4` and measures it: wall time from spawn to exit,
/// CPU time from `wait4`, peak RSS from GNU time (see [`gnu_time`]; without it, from `wait4`,
/// an upper bound). The whole group is killed after [`TIMEOUT`].
fn run_measured(cmd: Command, log: &Path, what: &str) -> Finished {
    let out_path = log.with_extension("stdout.txt");
    let err_path = log.with_extension("stderr.txt");
    let rss_path = log.with_extension("rss.txt");
    let create = |p: &Path| {
        File::create(p).unwrap_or_else(|e| panic!("{what}: cannot create {}: {e}", p.display()))
    };
    let mut cmd = match gnu_time() {
        Some(time) => under_gnu_time(&cmd, time, &rss_path),
        None => cmd,
    };
    cmd.stdin(Stdio::null())
        .stdout(create(&out_path))
        .stderr(create(&err_path))
        .process_group(0);
    let started = Instant::now();
    let child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: cannot start {cmd:?}: {e}"));
    let pid = child.id() as libc::pid_t;
    let (done, wait) = mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if let Err(mpsc::RecvTimeoutError::Timeout) = wait.recv_timeout(TIMEOUT) {
            // SAFETY: kill(2) with a negative pid signals the child's own process group.
            unsafe { libc::kill(-pid, libc::SIGKILL) };
            return true;
        }
        false
    });
    let waited = wait4(pid);
    let wall = started.elapsed();
    let _ = done.send(());
    let killed = watchdog.join().unwrap_or(false);
    drop(child); // already reaped by wait4
    let (status, usage) = waited.unwrap_or_else(|e| panic!("{what}: wait4 failed: {e}"));
    let stdout = fs::read_to_string(&out_path).unwrap_or_default();
    let stderr = fs::read_to_string(&err_path).unwrap_or_default();
    if killed {
        panic!(
            "{what}: still running after {TIMEOUT:?}, killed{}",
            tail("stderr", &stderr)
        );
    }
    let max_rss = if gnu_time().is_some() {
        // The last line: GNU time writes "Command exited with non-zero status N" above it.
        let text = fs::read_to_string(&rss_path).unwrap_or_default();
        text.lines()
            .last()
            .and_then(|l| l.trim().parse::<u64>().ok())
            .unwrap_or_else(|| panic!("{what}: GNU time wrote no peak RSS ({text:?})"))
            * 1024
    } else {
        (usage.ru_maxrss.max(0) as u64) * 1024
    };
    Finished {
        status,
        measured: Measured {
            wall,
            cpu: timeval(usage.ru_utime) + timeval(usage.ru_stime),
            max_rss,
            verify: None,
        },
        stdout,
        stderr,
    }
}

/// The last lines of a captured output, for an error message.
fn tail(label: &str, text: &str) -> String {
    let lines: Vec<&str> = text.trim().lines().collect();
    if lines.is_empty() {
        return String::new();
    }
    let from = lines.len().saturating_sub(15);
    format!("\n--- {label} (last lines):\n{}", lines[from..].join("\n"))
}

// ---------------------------------------------------------------------------------------------
// The contenders.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Contender {
    Barometro,
    Python,
    LibreOffice,
    LibreOfficeStartup,
    Floor,
}

impl Contender {
    fn name(self) -> &'static str {
        match self {
            Contender::Barometro => "barometro",
            Contender::Python => "Python peer",
            Contender::LibreOffice => "LibreOffice",
            Contender::LibreOfficeStartup => "LibreOffice start-up",
            Contender::Floor => "I/O floor",
        }
    }
}

/// What `BENCH_ONLY` asks for.
#[derive(Clone, Copy)]
struct Only {
    barometro: bool,
    python: bool,
    libreoffice: bool,
    floor: bool,
    batch: bool,
    /// Named explicitly: a missing interpreter or soffice is an error.
    python_named: bool,
    libreoffice_named: bool,
}

impl Only {
    fn from_env(smoke: bool) -> Only {
        match std::env::var("BENCH_ONLY") {
            Ok(list) if !list.trim().is_empty() => {
                let mut o = Only {
                    barometro: false,
                    python: false,
                    libreoffice: false,
                    floor: false,
                    batch: false,
                    python_named: false,
                    libreoffice_named: false,
                };
                for item in list.split(',') {
                    match item.trim() {
                        "barometro" => o.barometro = true,
                        "python" => (o.python, o.python_named) = (true, true),
                        "libreoffice" => (o.libreoffice, o.libreoffice_named) = (true, true),
                        "floor" => o.floor = true,
                        "batch" => o.batch = true,
                        other => panic!(
                            "BENCH_ONLY: {other:?}: expected barometro, python, libreoffice, floor or batch"
                        ),
                    }
                }
                o
            }
            _ => Only {
                barometro: true,
                python: !smoke,
                libreoffice: !smoke,
                floor: true,
                batch: false,
                python_named: false,
                libreoffice_named: false,
            },
        }
    }

    fn sizes(&self) -> bool {
        self.barometro || self.python || self.libreoffice || self.floor
    }
}

/// The tools found on this machine.
struct Tools {
    barometro: PathBuf,
    /// The interpreter and its versions line, when pandas, openpyxl and XlsxWriter import.
    python: Option<(PathBuf, String)>,
    python_note: Option<String>,
    /// soffice and its version line.
    soffice: Option<(PathBuf, String)>,
    soffice_note: Option<String>,
}

impl Tools {
    fn find(only: &Only) -> Tools {
        let barometro = PathBuf::from(env!("CARGO_BIN_EXE_barometro"));
        let (mut python, mut python_note) = (None, None);
        if only.python {
            let venv = target_dir().join("venv-peer/bin/python");
            let interpreter = match std::env::var_os("BENCH_PYTHON") {
                Some(p) => PathBuf::from(p),
                None if venv.exists() => venv,
                None => PathBuf::from("python3"),
            };
            let probe = Command::new(&interpreter)
                .args([
                    "-c",
                    "import sys, pandas, openpyxl, xlsxwriter; print('Python', sys.version.split()[0], '· pandas', pandas.__version__, '· openpyxl', openpyxl.__version__, '· XlsxWriter', xlsxwriter.__version__)",
                ])
                .output();
            match probe {
                Ok(o) if o.status.success() => {
                    let versions = String::from_utf8_lossy(&o.stdout).trim().to_string();
                    python = Some((interpreter, versions));
                }
                other => {
                    let why = match other {
                        Ok(o) => String::from_utf8_lossy(&o.stderr).trim().to_string(),
                        Err(e) => e.to_string(),
                    };
                    let note = format!(
                        "Python peer skipped: {} cannot import pandas, openpyxl and XlsxWriter ({why}); install them with `python3 -m venv target/venv-peer && target/venv-peer/bin/pip install -r benches/peer/requirements.txt` (used by default) or set BENCH_PYTHON",
                        interpreter.display()
                    );
                    if only.python_named {
                        panic!("{note}");
                    }
                    python_note = Some(note);
                }
            }
        }
        let (mut soffice, mut soffice_note) = (None, None);
        if only.libreoffice {
            match libreoffice::soffice() {
                Some(path) => {
                    let version = Command::new(&path)
                        .arg("--version")
                        .env("LC_ALL", "C.UTF-8")
                        .output()
                        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
                        .unwrap_or_default();
                    soffice = Some((path, version));
                }
                None => {
                    let note = "LibreOffice skipped: soffice is not installed (`apt-get install --no-install-recommends libreoffice-calc-nogui`)".to_string();
                    if only.libreoffice_named {
                        panic!("{note}");
                    }
                    soffice_note = Some(note);
                }
            }
        }
        Tools {
            barometro,
            python,
            python_note,
            soffice,
            soffice_note,
        }
    }
}

/// Where one size's files go.
struct Place {
    input: PathBuf,
    dir: PathBuf,
    /// The private LibreOffice profile, shared by every size.
    profile: PathBuf,
    /// A workbook of two cells, for LibreOffice's start-up.
    tiny: PathBuf,
}

impl Place {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

fn barometro_command(
    tools: &Tools,
    place: &Place,
    out: &Path,
    json: Option<&Path>,
    no_verify: bool,
) -> Command {
    let mut cmd = Command::new(&tools.barometro);
    cmd.arg("report")
        .arg(&place.input)
        .arg("-o")
        .arg(out)
        .arg("--force");
    if no_verify {
        cmd.arg("--no-verify");
    }
    if let Some(json) = json {
        cmd.arg("--json").arg(json);
    }
    cmd
}

/// The message barometro prints when the verification itself cannot run (not a difference).
const VERIFY_FAILED: &str = "verifica delle formule non riuscita";

/// Runs barometro's report command; 0 (clean) and 1 (the data has errors) are success. When
/// the verification cannot run (formualizer refuses the report), `Err` with the measurement
/// of the failed run and barometro's message; any other failure panics.
fn run_barometro(
    tools: &Tools,
    place: &Place,
    json: Option<&Path>,
    no_verify: bool,
) -> Result<(Measured, String), (Measured, String)> {
    let out = place.path("barometro.xlsx");
    let cmd = barometro_command(tools, place, &out, json, no_verify);
    let what = format!(
        "barometro report {}{}",
        place.input.display(),
        if no_verify { " --no-verify" } else { "" }
    );
    let f = run_measured(cmd, &place.path("barometro"), &what);
    if f.status.code() == Some(2) && !no_verify && f.stderr.contains(VERIFY_FAILED) {
        let message = f
            .stderr
            .lines()
            .find(|l| l.contains(VERIFY_FAILED))
            .unwrap_or_default()
            .trim()
            .to_string();
        return Err((f.measured, message));
    }
    if !matches!(f.status.code(), Some(0 | 1)) {
        panic!(
            "{what}: {}{}{}",
            f.status,
            tail("stdout", &f.stdout),
            tail("stderr", &f.stderr)
        );
    }
    let mut measured = f.measured;
    measured.verify = f
        .stdout
        .lines()
        .find(|l| l.starts_with("Formule:"))
        .and_then(|l| {
            let ms = l.split(" in ").nth(1)?.split(" ms").next()?;
            ms.trim().parse::<u64>().ok()
        })
        .map(Duration::from_millis);
    Ok((measured, f.stdout))
}

/// [`run_barometro`] at a size: once its verification has failed, `--no-verify` (the failure
/// is noted once, with the failed run's time and peak memory).
fn barometro_at_size(
    tools: &Tools,
    place: &Place,
    json: Option<&Path>,
    unverified: &mut Option<String>,
    notes: &mut Vec<String>,
) -> (Measured, String) {
    match run_barometro(tools, place, json, unverified.is_some()) {
        Ok(done) => done,
        Err((failed, message)) => {
            let note = format!(
                "**barometro's verification cannot run at this size**: `{message}` (after {}, CPU {}, peak {}); barometro is timed with `--no-verify` from here on (read, rules, report, write: no recalculation)",
                human_time(failed.wall),
                human_time(failed.cpu),
                mib(failed.max_rss)
            );
            eprintln!("  {note}");
            notes.push(note);
            *unverified = Some(message);
            run_barometro(tools, place, json, true)
                .unwrap_or_else(|_| unreachable!("--no-verify runs no verification"))
        }
    }
}

fn run_python(tools: &Tools, place: &Place, json: Option<&Path>) -> Measured {
    let Some((python, _)) = &tools.python else {
        panic!("the Python peer is not available");
    };
    let mut cmd = Command::new(python);
    cmd.arg(PEER_SCRIPT)
        .arg(&place.input)
        .arg("-o")
        .arg(place.path("python.xlsx"));
    if let Some(json) = json {
        cmd.arg("--json").arg(json);
    }
    let what = format!("the Python peer on {}", place.input.display());
    let f = run_measured(cmd, &place.path("python"), &what);
    if !f.status.success() {
        panic!(
            "{what}: {}{}{}",
            f.status,
            tail("stdout", &f.stdout),
            tail("stderr", &f.stderr)
        );
    }
    f.measured
}

/// The private profile: recalculate every formula on load (the tests' settings).
fn lo_profile(profile: &Path) {
    let user = profile.join("user");
    fs::create_dir_all(&user).unwrap_or_else(|e| panic!("cannot create {}: {e}", user.display()));
    let settings = r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>en-US</value></prop></item>
</oor:items>
"#;
    let path = user.join("registrymodifications.xcu");
    // LibreOffice rewrites the file on exit, keeping these items; write it only once.
    if !path.exists() {
        fs::write(&path, settings)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    }
}

/// LibreOffice converts `input` (xlsx → xlsx, recalculating) into `out_dir`; returns the
/// measurement and the converted file.
fn run_libreoffice(
    tools: &Tools,
    place: &Place,
    input: &Path,
    out_dir: &Path,
) -> (Measured, PathBuf) {
    let Some((soffice, _)) = &tools.soffice else {
        panic!("LibreOffice is not available");
    };
    fs::create_dir_all(out_dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", out_dir.display()));
    let file_name = input.file_name().unwrap_or_default();
    let converted = out_dir.join(file_name);
    let _ = fs::remove_file(&converted);
    let cmd = libreoffice::convert_command(soffice, &place.profile, input, out_dir);
    let what = format!("LibreOffice converting {}", input.display());
    let stem = input.file_stem().unwrap_or_default().to_string_lossy();
    let f = run_measured(cmd, &place.path(&format!("soffice-{stem}")), &what);
    // soffice exits 0 even when it cannot load the file: the missing output tells.
    if !f.status.success() || !converted.is_file() {
        panic!(
            "{what}: {}, output {}{}{}",
            f.status,
            if converted.is_file() {
                "written"
            } else {
                "missing"
            },
            tail("stdout", &f.stdout),
            tail("stderr", &f.stderr)
        );
    }
    (f.measured, converted)
}

fn run_floor(place: &Place, cells: &Path) -> Measured {
    let exe = std::env::current_exe().expect("the benchmark knows its own path");
    let mut cmd = Command::new(exe);
    cmd.arg(FLOOR_CHILD)
        .arg(&place.input)
        .arg(cells)
        .arg(place.path("floor.xlsx"));
    let what = format!("the I/O floor on {}", place.input.display());
    let f = run_measured(cmd, &place.path("floor"), &what);
    let line = f.stdout.lines().find(|l| l.starts_with("floor "));
    let parsed = line.and_then(|l| {
        let v: Vec<u128> = l
            .split_whitespace()
            .skip(1)
            .filter_map(|x| x.parse().ok())
            .collect();
        (v.len() == 4).then_some(v)
    });
    match (f.status.success(), parsed) {
        (true, Some(v)) => Measured {
            wall: Duration::from_nanos(v[0] as u64),
            cpu: Duration::from_nanos(v[2] as u64),
            max_rss: f.measured.max_rss,
            verify: None,
        },
        _ => panic!(
            "{what}: {}{}{}",
            f.status,
            tail("stdout", &f.stdout),
            tail("stderr", &f.stderr)
        ),
    }
}

/// The floor, in the child process: load the cells (not timed), then read the input with
/// calamine and write the cells with rust_xlsxwriter, timed. Prints
/// `floor <total ns> <read ns> <cpu ns> <cells read>`.
fn floor_child(args: &[String]) -> ! {
    let [input, cells, out] = args else {
        eprintln!("usage: scale {FLOOR_CHILD} INPUT CELLS OUT");
        std::process::exit(2);
    };
    let sheets = load_cells(Path::new(cells))
        .unwrap_or_else(|e| panic!("the floor cannot load the cells from {cells}: {e}"));
    let (settings, _) = WriterSettings::of_source();
    let cpu0 = cpu_time_self();
    let started = Instant::now();
    let read = calamine_read(Path::new(input));
    let read_time = started.elapsed();
    floor_save(&sheets, &settings, Path::new(out));
    let total = started.elapsed();
    let cpu = cpu_time_self().saturating_sub(cpu0);
    println!(
        "floor {} {} {} {read}",
        total.as_nanos(),
        read_time.as_nanos(),
        cpu.as_nanos()
    );
    std::process::exit(0);
}

// ---------------------------------------------------------------------------------------------
// The proof that the peer computes the same figures.
// ---------------------------------------------------------------------------------------------

/// The part of `barometro report --json` (and of the peer's `--json`) that is compared.
#[derive(Deserialize)]
struct ScoredEnte {
    score: Option<f64>,
    #[serde(default)]
    areas: Vec<ScoredArea>,
    #[serde(default)]
    findings: Vec<JsonFinding>,
}

#[derive(Deserialize)]
struct ScoredArea {
    name: String,
    score: Option<f64>,
    #[serde(default)]
    areas: Vec<ScoredArea>,
    #[serde(default)]
    objectives: Vec<ScoredObjective>,
}

#[derive(Deserialize)]
struct ScoredObjective {
    source: Option<String>,
    score: Option<f64>,
    #[serde(default)]
    indicators: Vec<ScoredIndicator>,
}

#[derive(Deserialize)]
struct ScoredIndicator {
    source: Option<String>,
    method: Option<String>,
    score: Option<f64>,
}

#[derive(Deserialize, PartialEq, Eq, PartialOrd, Ord, Clone)]
struct JsonFinding {
    severity: String,
    source: Option<String>,
    message: String,
}

/// Every figure by key: `area …`, `objective <cell>`, `indicator <cell>` → (method, score).
type Figures = BTreeMap<String, (Option<String>, Option<f64>)>;

fn figures(ente: &ScoredEnte) -> (Figures, [usize; 3]) {
    fn walk(a: &ScoredArea, parent: &str, out: &mut Figures, counts: &mut [usize; 3]) {
        let key = format!("{parent}/{}", a.name);
        counts[0] += 1;
        out.insert(format!("area {key}"), (None, a.score));
        for o in &a.objectives {
            counts[1] += 1;
            let cell = o.source.clone().unwrap_or_default();
            out.insert(format!("objective {cell}"), (None, o.score));
            for i in &o.indicators {
                counts[2] += 1;
                let cell = i.source.clone().unwrap_or_default();
                out.insert(format!("indicator {cell}"), (i.method.clone(), i.score));
            }
        }
        for s in &a.areas {
            walk(s, &key, out, counts);
        }
    }
    let mut out = Figures::new();
    let mut counts = [0; 3];
    out.insert("ente".to_string(), (None, ente.score));
    for a in &ente.areas {
        walk(a, "", &mut out, &mut counts);
    }
    (out, counts)
}

fn read_json(path: &Path, what: &str) -> ScoredEnte {
    let file = File::open(path).unwrap_or_else(|e| panic!("{what}: {}: {e}", path.display()));
    serde_json::from_reader(std::io::BufReader::new(file))
        .unwrap_or_else(|e| panic!("{what}: {} is not the expected JSON: {e}", path.display()))
}

/// Compares the two scored models; panics listing the differences.
fn compare_scores(barometro_json: &Path, peer_json: &Path) -> String {
    let b = read_json(barometro_json, "barometro's --json");
    let p = read_json(peer_json, "the peer's --json");
    let (bf, counts) = figures(&b);
    let (pf, _) = figures(&p);
    let mut differences = Vec::new();
    let show = |x: &Option<(Option<String>, Option<f64>)>| match x {
        None => "missing".to_string(),
        Some((m, s)) => format!(
            "{}{}",
            s.map_or("no score".to_string(), |s| format!("{s}")),
            m.as_ref().map_or(String::new(), |m| format!(" ({m})"))
        ),
    };
    for key in bf.keys().chain(pf.keys().filter(|k| !bf.contains_key(*k))) {
        let (x, y) = (bf.get(key).cloned(), pf.get(key).cloned());
        let same = match (&x, &y) {
            (Some((mx, sx)), Some((my, sy))) => {
                mx == my
                    && match (sx, sy) {
                        (None, None) => true,
                        (Some(a), Some(b)) => (a - b).abs() <= TOLERANCE,
                        _ => false,
                    }
            }
            _ => false,
        };
        if !same {
            differences.push(format!("{key}: barometro {}, peer {}", show(&x), show(&y)));
        }
    }
    let mut fb = b.findings.clone();
    let mut fp = p.findings.clone();
    fb.sort();
    fp.sort();
    let finding = |f: &JsonFinding| {
        format!(
            "{} {}: {}",
            f.severity,
            f.source.as_deref().unwrap_or("-"),
            f.message
        )
    };
    let (mut i, mut j) = (0, 0);
    while i < fb.len() || j < fp.len() {
        match (fb.get(i), fp.get(j)) {
            (Some(x), Some(y)) if x == y => (i, j) = (i + 1, j + 1),
            (Some(x), Some(y)) if x < y => {
                differences.push(format!("finding only in barometro: {}", finding(x)));
                i += 1;
            }
            (Some(x), None) => {
                differences.push(format!("finding only in barometro: {}", finding(x)));
                i += 1;
            }
            (_, Some(y)) => {
                differences.push(format!("finding only in the peer: {}", finding(y)));
                j += 1;
            }
            (None, None) => break,
        }
    }
    if !differences.is_empty() {
        let shown: Vec<&String> = differences.iter().take(25).collect();
        panic!(
            "the Python peer and barometro disagree on {} figures or findings ({} and {}):\n  {}{}",
            differences.len(),
            barometro_json.display(),
            peer_json.display(),
            shown
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n  "),
            if differences.len() > shown.len() {
                "\n  …"
            } else {
                ""
            }
        );
    }
    let unscored = bf
        .iter()
        .filter(|(k, (_, s))| k.starts_with("indicator") && s.is_none())
        .count();
    format!(
        "same figures (within {TOLERANCE:e}): ente {}, {} areas and sectors, {} objectives, {} indicators ({} without a score); same {} findings",
        b.score.map_or("–".to_string(), |s| format!("{s}")),
        counts[0],
        counts[1],
        counts[2],
        unscored,
        fb.len()
    )
}

/// Compares LibreOffice's recalculation of `original` with its cached values. A difference does
/// not stop the benchmark (the timings stand) but is reported in the output, with the cells.
fn check_libreoffice(original: &Path, recalculated: &Path, what: &str) -> (String, bool) {
    let cmp = libreoffice::compare_formulas(original, recalculated)
        .unwrap_or_else(|e| panic!("{what}: cannot compare the formulas: {e}"));
    if cmp.checked == 0 {
        panic!(
            "{what}: no formula found to compare in {}",
            original.display()
        );
    }
    if !cmp.mismatches.is_empty() {
        let first: Vec<String> = cmp
            .mismatches
            .iter()
            .take(5)
            .map(|m| m.to_string())
            .collect();
        let note = format!(
            "**{what}: LibreOffice's recalculation DIFFERS from the cached values on {} of {} formulas**: {}{}",
            cmp.mismatches.len(),
            group_thousands(cmp.checked),
            first.join("; "),
            if cmp.mismatches.len() > first.len() { "; …" } else { "" }
        );
        eprintln!("  {note}");
        return (note, false);
    }
    (
        format!(
            "{what}: {} formulas recalculated by LibreOffice, all equal to the cached values",
            group_thousands(cmp.checked)
        ),
        true,
    )
}

/// barometro's steps in process, once, each timed (the library calls of the `report`
/// command): where its time goes.
fn barometro_phases(input: &Path, out: &Path) -> String {
    use barometro::read::{read_workbook, ReadOptions};
    use barometro::report::{build, verify, write_atomically, Provenance};
    use barometro::rules::{evaluate, EvaluateOptions, RuleSet};
    let (t_read, ente) = time(|| read_workbook(input, &ReadOptions::default()));
    let ente = ente.unwrap_or_else(|e| panic!("barometro cannot read {}: {e}", input.display()));
    let (t_rules, rules) = time(RuleSet::default_set);
    let rules = rules.unwrap_or_else(|e| panic!("the default rules do not compile: {e}"));
    let (t_eval, ev) = time(|| evaluate(ente, &rules, &EvaluateOptions::default()));
    let (t_prov, provenance) = time(|| Provenance::of_file(input));
    let provenance =
        provenance.unwrap_or_else(|e| panic!("cannot read {} again: {e}", input.display()));
    let (t_build, report) = time(|| build(&ev, &rules, &provenance));
    let report = report.unwrap_or_else(|e| panic!("barometro cannot build the report: {e}"));
    let (t_verify, proof) = time(|| verify(&report));
    let verified = match proof {
        Ok(p) => format!(
            "{} formulas verified, {} mismatches",
            group_thousands(p.checked),
            p.mismatches.len()
        ),
        Err(e) => format!("the verification failed: {e}"),
    };
    let (t_write, written) = time(|| write_atomically(out, &report.bytes, Some(input), true));
    written.unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
    let total = t_read + t_rules + t_eval + t_prov + t_build + t_verify + t_write;
    let pct = |d: Duration| 100.0 * d.as_secs_f64() / total.as_secs_f64();
    let parts = [
        ("read", t_read),
        ("rules compiled", t_rules),
        ("evaluate (rules and checks)", t_eval),
        ("input SHA-256", t_prov),
        ("build the report", t_build),
        ("verify with formualizer", t_verify),
        ("write", t_write),
    ];
    format!(
        "barometro's steps in process (one run, library calls of the command): {}; total {} ({verified})",
        parts
            .iter()
            .map(|(n, d)| format!("{n} {} ({:.0}%)", human_time(*d), pct(*d)))
            .collect::<Vec<_>>()
            .join(", "),
        human_time(total),
    )
}

// ---------------------------------------------------------------------------------------------
// One size.
// ---------------------------------------------------------------------------------------------

struct SizeResult {
    indicators: usize,
    input_bytes: u64,
    runs: usize,
    warmup: usize,
    times: BTreeMap<Contender, Vec<Measured>>,
    notes: Vec<String>,
    skipped: Vec<String>,
    /// LibreOffice's recalculation differed from some cached values (listed in `notes`).
    discrepancies: bool,
    /// barometro's verification could not run at this size (its message): timed without it.
    unverified: Option<String>,
}

/// Median wall, median CPU, largest peak RSS, median verification of a contender's runs.
struct Summary {
    wall: Duration,
    cpu: Duration,
    max_rss: u64,
    verify: Option<Duration>,
    min_wall: Duration,
}

impl SizeResult {
    fn summary(&self, c: Contender) -> Option<Summary> {
        let runs = self.times.get(&c)?;
        let wall = sample(runs.iter().map(|m| m.wall).collect())?;
        let cpu = sample(runs.iter().map(|m| m.cpu).collect())?;
        let verify = sample(runs.iter().filter_map(|m| m.verify).collect()).map(|s| s.median);
        Some(Summary {
            wall: wall.median,
            cpu: cpu.median,
            max_rss: runs.iter().map(|m| m.max_rss).max().unwrap_or(0),
            verify,
            min_wall: wall.min,
        })
    }
}

fn default_runs(indicators: usize) -> (usize, usize) {
    match indicators {
        0..=1_000 => (10, 1),
        1_001..=20_000 => (5, 0),
        20_001..=100_000 => (3, 0),
        _ => (1, 0),
    }
}

fn bench_size(
    root: &Path,
    indicators: usize,
    only: &Only,
    tools: &Tools,
    peer_max: usize,
    smoke: bool,
) -> SizeResult {
    let (input, generated) = synth::table_workbook(root, indicators, SEED);
    if let Some(d) = generated {
        eprintln!("  generated in {}", human_time(d));
    }
    let dir = root.join(format!("scale-{indicators}"));
    fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    let place = Place {
        input: input.clone(),
        dir,
        profile: root.join("scale-libreoffice-profile"),
        tiny: root.join("scale-libreoffice-tiny.xlsx"),
    };
    let mut notes = Vec::new();
    let mut skipped = Vec::new();
    let mut discrepancies = false;
    // Why barometro runs with `--no-verify` at this size, if it does.
    let mut unverified: Option<String> = None;
    let peers_here = indicators <= peer_max;
    let python = only.python && tools.python.is_some() && peers_here;
    let lo = only.libreoffice && tools.soffice.is_some() && peers_here;
    if !peers_here && (only.python || only.libreoffice) {
        skipped.push(format!(
            "Python and LibreOffice not run at {} indicators (above BENCH_PEER_MAX={}: they would take many minutes and gigabytes)",
            group_thousands(indicators),
            group_thousands(peer_max)
        ));
    }
    let floor = only.floor;
    // barometro runs whenever something needs its report.
    let barometro = only.barometro || floor || lo || python;
    let cells_file = place.path("floor-cells.bin");
    let lo_input = place.path("lo-input.xlsx");
    let lo_out = place.path("libreoffice");

    // The check run (not timed), which also warms the caches.
    let check = indicators <= peer_max;
    let mut floor_ready = false;
    let prepare_floor = |report: &Path, check_output: bool| -> String {
        let bytes =
            fs::read(report).unwrap_or_else(|e| panic!("cannot read {}: {e}", report.display()));
        let (d, cells) = time(|| extract(&bytes));
        let counts = CellCounts::of(&cells.sheets);
        eprintln!(
            "  {} cells of the report extracted for the floor in {} (not measured)",
            group_thousands(counts.total()),
            human_time(d)
        );
        let (settings, setting_notes) = WriterSettings::of_source();
        for n in &setting_notes {
            eprintln!("  note: {n}");
        }
        if check_output {
            let written = floor_write(&cells.sheets, None, &settings);
            check_floor(&cells, &written, false);
        }
        save_cells(&cells_file, &cells.sheets)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", cells_file.display()));
        format!(
            "floor: {} cells of barometro's report ({} strings, {} numbers, {} formulas with cached results, {} blanks) in {} sheets{}; workbook settings as barometro's report writer: {}{}",
            group_thousands(counts.total()),
            group_thousands(counts.strings),
            group_thousands(counts.numbers),
            group_thousands(counts.formulas),
            group_thousands(counts.blanks),
            cells.sheets.len(),
            if check_output { ", the floor's output read back and checked" } else { "" },
            settings.describe(&cells.sheets),
            setting_notes
                .iter()
                .map(|n| format!(" (**{n}**)"))
                .collect::<String>()
        )
    };
    if check && barometro {
        eprintln!("  check run…");
        let json = place.path("barometro.json");
        let (_, stdout) =
            barometro_at_size(tools, &place, Some(&json), &mut unverified, &mut notes);
        if unverified.is_none() {
            let verified = stdout
                .lines()
                .find(|l| l.starts_with("Formule:"))
                .unwrap_or("");
            assert!(
                verified.contains("tutte uguali"),
                "barometro's verification did not find every formula equal to its rule: {verified:?}\n{stdout}"
            );
            notes.push(format!("barometro: {}", verified.trim()));
        }
        fs::copy(place.path("barometro.xlsx"), &lo_input)
            .unwrap_or_else(|e| panic!("cannot copy the report to {}: {e}", lo_input.display()));
        if python {
            let peer_json = place.path("python.json");
            run_python(tools, &place, Some(&peer_json));
            notes.push(format!(
                "Python peer: {}",
                compare_scores(&json, &peer_json)
            ));
        }
        if lo {
            lo_profile(&place.profile);
            let (_, converted) = run_libreoffice(tools, &place, &lo_input, &lo_out);
            let (note, same) = check_libreoffice(&lo_input, &converted, "barometro's report");
            notes.push(note);
            discrepancies |= !same;
            if python {
                let (_, converted) =
                    run_libreoffice(tools, &place, &place.path("python.xlsx"), &lo_out);
                let (note, same) = check_libreoffice(
                    &place.path("python.xlsx"),
                    &converted,
                    "the Python peer's report",
                );
                notes.push(note);
                discrepancies |= !same;
            }
        }
        let _ = fs::remove_file(&json);
        if only.barometro {
            eprintln!("  barometro's steps in process…");
            notes.push(barometro_phases(
                &place.input,
                &place.path("barometro-phases.xlsx"),
            ));
        }
        if floor {
            notes.push(prepare_floor(&lo_input, true));
            floor_ready = true;
        }
    }
    if lo {
        lo_profile(&place.profile);
        if !place.tiny.exists() {
            let mut wb = rust_xlsxwriter::Workbook::new();
            let ws = wb.add_worksheet();
            ws.write_number(0, 0, 1.0)
                .and_then(|ws| {
                    ws.write_formula(1, 0, rust_xlsxwriter::Formula::new("=A1*2").set_result("2"))
                })
                .expect("two cells");
            wb.save(&place.tiny)
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", place.tiny.display()));
        }
    }

    let (runs, warmup) = if smoke {
        (1, 0)
    } else {
        default_runs(indicators)
    };
    let runs = env_usize("BENCH_RUNS").unwrap_or(runs);
    let warmup = env_usize("BENCH_WARMUP").unwrap_or(warmup);
    let mut steps = Vec::new();
    if barometro && only.barometro || barometro && !floor_ready && floor {
        steps.push(Contender::Barometro);
    }
    if python {
        steps.push(Contender::Python);
    }
    if lo {
        steps.push(Contender::LibreOffice);
        steps.push(Contender::LibreOfficeStartup);
    }
    if floor {
        steps.push(Contender::Floor);
    }
    let mut times: BTreeMap<Contender, Vec<Measured>> = BTreeMap::new();
    for round in 0..warmup + runs {
        let measured = round >= warmup;
        // Without a check run the floor needs barometro's report first: barometro leads the
        // first round.
        let order = if floor_ready || round > 0 {
            rotated(&steps, round)
        } else {
            steps.clone()
        };
        for c in order {
            let m = match c {
                Contender::Barometro => {
                    barometro_at_size(tools, &place, None, &mut unverified, &mut notes).0
                }
                Contender::Python => run_python(tools, &place, None),
                Contender::LibreOffice => run_libreoffice(tools, &place, &lo_input, &lo_out).0,
                Contender::LibreOfficeStartup => {
                    run_libreoffice(tools, &place, &place.tiny, &lo_out).0
                }
                Contender::Floor => {
                    if !floor_ready {
                        notes.push(prepare_floor(&place.path("barometro.xlsx"), false));
                        floor_ready = true;
                    }
                    run_floor(&place, &cells_file)
                }
            };
            eprintln!(
                "  {}{}: {} (CPU {}), peak {}",
                c.name(),
                if measured { "" } else { " (warm-up)" },
                human_time(m.wall),
                human_time(m.cpu),
                human_size(m.max_rss)
            );
            if measured {
                times.entry(c).or_default().push(m);
            }
        }
    }
    if !only.barometro {
        times.remove(&Contender::Barometro);
    }
    SizeResult {
        indicators,
        input_bytes: fs::metadata(&input).map_or(0, |m| m.len()),
        runs,
        warmup,
        times,
        notes,
        skipped,
        discrepancies,
        unverified,
    }
}

// ---------------------------------------------------------------------------------------------
// Batch.
// ---------------------------------------------------------------------------------------------

struct BatchResult {
    files: usize,
    jobs: usize,
    runs: usize,
    wall: Duration,
    cpu: Duration,
    max_rss: u64,
}

/// The batch's folder: `files` workbooks of 100 indicators, distinct seeds, generated on two
/// threads (reused when present).
fn batch_folder(root: &Path, files: usize) -> PathBuf {
    let dir = root.join(format!("scale-batch-{files}"));
    fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    let missing: Vec<usize> = (0..files)
        .filter(|i| {
            !dir.join(format!(
                "synth-{BATCH_INDICATORS}-{}.xlsx",
                BATCH_SEED + *i as u64
            ))
            .exists()
        })
        .collect();
    if !missing.is_empty() {
        eprintln!(
            "generating {} workbooks of {BATCH_INDICATORS} indicators into {}…",
            missing.len(),
            dir.display()
        );
        let started = Instant::now();
        std::thread::scope(|s| {
            for half in missing.chunks(missing.len().div_ceil(2)) {
                let dir = &dir;
                s.spawn(move || {
                    for &i in half {
                        let path = dir.join(format!(
                            "synth-{BATCH_INDICATORS}-{}.xlsx",
                            BATCH_SEED + i as u64
                        ));
                        synth::write_table_workbook(&path, BATCH_INDICATORS, BATCH_SEED + i as u64)
                            .unwrap_or_else(|e| panic!("cannot generate {}: {e}", path.display()));
                    }
                });
            }
        });
        eprintln!("  generated in {}", human_time(started.elapsed()));
    }
    // Nothing else in the folder: the batch reads every workbook in it.
    let count = fs::read_dir(&dir)
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "xlsx"))
                .count()
        })
        .unwrap_or(0);
    assert_eq!(
        count,
        files,
        "{} holds {count} workbooks, expected {files} (remove it to regenerate)",
        dir.display()
    );
    dir
}

fn bench_batch(root: &Path, tools: &Tools, smoke: bool) -> Vec<BatchResult> {
    let files = env_usize("BENCH_FILES").unwrap_or(if smoke { 4 } else { DEFAULT_FILES });
    let jobs: Vec<usize> = env_list("BENCH_JOBS", false).unwrap_or_else(|| vec![2, 1]);
    let runs = env_usize("BENCH_RUNS").unwrap_or(1);
    let warmup = env_usize("BENCH_WARMUP").unwrap_or(0);
    let input = batch_folder(root, files);
    let out = root.join(format!("scale-batch-{files}-relazioni"));
    let mut times: Vec<Vec<Measured>> = vec![Vec::new(); jobs.len()];
    for round in 0..warmup + runs {
        for k in rotated(&(0..jobs.len()).collect::<Vec<_>>(), round) {
            let mut cmd = Command::new(&tools.barometro);
            cmd.arg("batch")
                .arg(&input)
                .arg("-o")
                .arg(&out)
                .arg("-j")
                .arg(jobs[k].to_string())
                .arg("--force");
            let what = format!("barometro batch ({files} files, -j {})", jobs[k]);
            let f = run_measured(cmd, &root.join(format!("scale-batch-j{}", jobs[k])), &what);
            if !matches!(f.status.code(), Some(0 | 1)) {
                panic!(
                    "{what}: {}{}{}",
                    f.status,
                    tail("stdout", &f.stdout),
                    tail("stderr", &f.stderr)
                );
            }
            eprintln!(
                "  batch -j {}: {} (CPU {}), peak {}",
                jobs[k],
                human_time(f.measured.wall),
                human_time(f.measured.cpu),
                human_size(f.measured.max_rss)
            );
            if round >= warmup {
                times[k].push(f.measured);
            }
        }
    }
    jobs.iter()
        .zip(times)
        .filter_map(|(&n, t)| {
            let wall = sample(t.iter().map(|m| m.wall).collect())?;
            let cpu = sample(t.iter().map(|m| m.cpu).collect())?;
            Some(BatchResult {
                files,
                jobs: n,
                runs: t.len(),
                wall: wall.median,
                cpu: cpu.median,
                max_rss: t.iter().map(|m| m.max_rss).max().unwrap_or(0),
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Output.
// ---------------------------------------------------------------------------------------------

fn mib(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{:.2} GiB", bytes as f64 / (1u64 << 30) as f64)
    } else {
        format!("{:.0} MiB", bytes as f64 / (1u64 << 20) as f64)
    }
}

fn cell(s: &Option<Summary>) -> String {
    match s {
        Some(s) => format!(
            "{} (CPU {}), {}",
            human_time(s.wall),
            human_time(s.cpu),
            mib(s.max_rss)
        ),
        None => "–".to_string(),
    }
}

fn ratio(a: Option<Duration>, b: Option<Duration>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if !b.is_zero() => Some(a.as_secs_f64() / b.as_secs_f64()),
        _ => None,
    }
}

fn show_ratio(wall: Option<f64>, cpu: Option<f64>) -> String {
    match (wall, cpu) {
        (Some(w), Some(c)) => format!("{w:.1}× (CPU {c:.1}×)"),
        (Some(w), None) => format!("{w:.1}×"),
        _ => "–".to_string(),
    }
}

fn goal(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "**met**",
        Some(false) => "**not met**",
        None => "not measured",
    }
}

fn print_results(results: &[SizeResult], tools: &Tools) {
    println!();
    println!(
        "| Indicators (input) | barometro report | Python peer | LibreOffice recalculation (total; minus start-up) | I/O floor | Python ÷ barometro | barometro ÷ floor | LibreOffice ÷ barometro |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for r in results {
        let b = r.summary(Contender::Barometro);
        let p = r.summary(Contender::Python);
        let lo = r.summary(Contender::LibreOffice);
        let start = r.summary(Contender::LibreOfficeStartup);
        let f = r.summary(Contender::Floor);
        let wall = |s: &Option<Summary>| s.as_ref().map(|s| s.wall);
        let cpu = |s: &Option<Summary>| s.as_ref().map(|s| s.cpu);
        let lo_cell = match (&lo, &start) {
            (Some(l), Some(s)) => format!(
                "{}; {} (start-up {})",
                cell(&lo),
                human_time(l.wall.saturating_sub(s.wall)),
                human_time(s.wall)
            ),
            _ => cell(&lo),
        };
        let b_cell = match &b {
            Some(s) => format!(
                "{}{}",
                cell(&b),
                match (&r.unverified, s.verify) {
                    (Some(_), _) =>
                        " [**without verification**: formualizer refuses the report, see below]"
                            .to_string(),
                    (None, Some(v)) => format!(" [verify {}]", human_time(v)),
                    (None, None) => String::new(),
                }
            ),
            None => "–".to_string(),
        };
        println!(
            "| {} ({}) | {} | {} | {} | {} | {} | {} | {} |",
            group_thousands(r.indicators),
            human_size(r.input_bytes),
            b_cell,
            cell(&p),
            lo_cell,
            cell(&f),
            show_ratio(ratio(wall(&p), wall(&b)), ratio(cpu(&p), cpu(&b))),
            show_ratio(ratio(wall(&b), wall(&f)), ratio(cpu(&b), cpu(&f))),
            show_ratio(ratio(wall(&lo), wall(&b)), ratio(cpu(&lo), cpu(&b))),
        );
    }
    println!();
    println!(
        "Each cell: median wall time (median CPU time, user + system), largest peak RSS over the runs ({}). barometro: the `barometro report FILE -o OUT --force` command, process start-up and the verification of every formula by formualizer included (its own figure for the verification in brackets). Python peer: `benches/peer/barometro_peer.py` (pandas + openpyxl, XlsxWriter), interpreter start-up included. LibreOffice: `soffice --headless --convert-to xlsx` of barometro's report with recalculation on load forced (warm private profile); start-up = the same conversion of a two-cell workbook. I/O floor: calamine reading every cell of the input + rust_xlsxwriter writing the report's cells (no formats) to a file, timed in process (no process start-up, no fsync); its peak RSS includes the cells it is given. Ratios of the medians (wall; CPU in brackets).",
        if gnu_time().is_some() {
            "GNU time's `%M` of the command and its descendants; the wall times include GNU time's own fork and exec, about a millisecond"
        } else {
            "from `wait4`: GNU time is not installed, so this is an upper bound that includes the benchmark's own peak RSS when it started the command"
        }
    );
    for r in results {
        let runs = r.times.values().map(Vec::len).max().unwrap_or(0);
        println!(
            "- {} indicators: {} measured round{} ({} warm-up){}",
            group_thousands(r.indicators),
            runs.min(r.runs),
            if runs == 1 { "" } else { "s" },
            r.warmup,
            if let Some(b) = r.summary(Contender::Barometro) {
                format!("; barometro fastest {}", human_time(b.min_wall))
            } else {
                String::new()
            }
        );
        for n in r.notes.iter().chain(&r.skipped) {
            println!("  - {n}");
        }
    }
    for note in tools.python_note.iter().chain(&tools.soffice_note) {
        println!("- {note}");
    }
    if let Some((_, v)) = &tools.python {
        println!("- {v}");
    }
    if let Some((_, v)) = &tools.soffice {
        println!("- {v}");
    }

    // The goals.
    let at = |n: usize| results.iter().find(|r| r.indicators == n);
    let python_ratio = |n: usize| {
        at(n).and_then(|r| {
            let b = r.summary(Contender::Barometro)?;
            let p = r.summary(Contender::Python)?;
            Some((
                p.wall.as_secs_f64() / b.wall.as_secs_f64(),
                p.cpu.as_secs_f64() / b.cpu.as_secs_f64(),
            ))
        })
    };
    println!();
    println!("| Goal (issue #8) | Measured | |");
    println!("|---|---|---|");
    for (n, want) in [(20_000, GOAL_PYTHON_20K), (150, GOAL_PYTHON_150)] {
        let r = python_ratio(n);
        println!(
            "| ≥ {want:.0}× faster than the Python peer at {} indicators | {} | {} |",
            group_thousands(n),
            r.map_or("–".to_string(), |(w, c)| format!(
                "{w:.1}× wall, {c:.1}× CPU"
            )),
            goal(r.map(|(w, _)| w >= want))
        );
    }
    for r in results {
        let b = r.summary(Contender::Barometro);
        let f = r.summary(Contender::Floor);
        if let (Some(b), Some(f)) = (b, f) {
            let x = b.wall.as_secs_f64() / f.wall.as_secs_f64();
            let without_verify = b
                .verify
                .map(|v| b.wall.saturating_sub(v).as_secs_f64() / f.wall.as_secs_f64());
            println!(
                "| ≤ {GOAL_FLOOR}× the I/O floor at {} indicators | {x:.2}× wall, {:.2}× CPU{} | {} |",
                group_thousands(r.indicators),
                b.cpu.as_secs_f64() / f.cpu.as_secs_f64(),
                without_verify.map_or(String::new(), |y| format!(
                    "; {y:.2}× without the verification"
                )),
                goal(Some(x <= GOAL_FLOOR))
            );
        }
    }
    let b150 = at(150).and_then(|r| r.summary(Contender::Barometro));
    println!(
        "| 150 indicators end to end (command, start-up included) < {GOAL_150_MS:.0} ms | {} | {} |",
        b150.as_ref()
            .map_or("–".to_string(), |s| format!("{} (CPU {})", human_time(s.wall), human_time(s.cpu))),
        goal(b150.as_ref().map(|s| s.wall.as_secs_f64() * 1e3 < GOAL_150_MS))
    );
    let r1m = at(1_000_000);
    let b1m = r1m.and_then(|r| r.summary(Contender::Barometro));
    // Without the verification the report is not the one the goal is about: not met.
    let verified = r1m.is_some_and(|r| r.unverified.is_none());
    let caveat = if verified {
        ""
    } else {
        " **without verification** (formualizer refuses the report)"
    };
    println!(
        "| 1,000,000 indicators < {GOAL_1M_S:.0} s | {} | {} |",
        b1m.as_ref().map_or("–".to_string(), |s| format!(
            "{} (CPU {}){caveat}",
            human_time(s.wall),
            human_time(s.cpu)
        )),
        goal(
            b1m.as_ref()
                .map(|s| verified && s.wall.as_secs_f64() < GOAL_1M_S)
        )
    );
    println!(
        "| 1,000,000 indicators < 2 GB peak memory | {} | {} |",
        b1m.as_ref().map_or("–".to_string(), |s| format!(
            "{} ({} bytes){caveat}",
            mib(s.max_rss),
            group_thousands(s.max_rss as usize)
        )),
        goal(b1m.as_ref().map(|s| verified && s.max_rss < GOAL_1M_BYTES))
    );
}

fn print_batch(results: &[BatchResult]) {
    println!();
    println!("| Files × indicators | `-j` | Runs | wall (median) | CPU (median) | peak RSS | files per second |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for r in results {
        println!(
            "| {} × {BATCH_INDICATORS} | {} | {} | {} | {} | {} | {:.1} |",
            group_thousands(r.files),
            r.jobs,
            r.runs,
            human_time(r.wall),
            human_time(r.cpu),
            mib(r.max_rss),
            r.files as f64 / r.wall.as_secs_f64()
        );
    }
    println!();
    println!(
        "`barometro batch DIR -o OUT -j N --force` as a subprocess: for every file read, score, report, verify with formualizer and write; then the consolidated workbook (built and verified once). Peak RSS of the whole process (all its threads)."
    );
}

/// Cargo's target directory (the benchmark runs from `<target>/release/deps/`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the benchmark knows its own path");
    exe.ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .unwrap_or_else(std::env::temp_dir)
}

/// `<target>/bench-scale`: the generated workbooks are large and slow to make, so they are kept
/// next to the build.
fn default_dir() -> PathBuf {
    let dir = target_dir().join("bench-scale");
    fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some(FLOOR_CHILD) {
        floor_child(&args[2..]);
    }
    let smoke = is_smoke_run();
    let only = Only::from_env(smoke);
    let tools = Tools::find(&only);
    let peer_max = env_usize("BENCH_PEER_MAX").unwrap_or(DEFAULT_PEER_MAX);
    let (root, _temp) = if std::env::var_os("BENCH_DIR").is_some() {
        bench_dir()
    } else {
        (default_dir(), None)
    };
    eprintln!("workbooks, reports and logs in {}", root.display());

    let mut results = Vec::new();
    if only.sizes() {
        for n in sizes(smoke, SMOKE_SIZE, &DEFAULT_SIZES) {
            eprintln!("{} indicators:", group_thousands(n));
            results.push(bench_size(&root, n, &only, &tools, peer_max, smoke));
        }
    }
    let batch = if only.batch {
        bench_batch(&root, &tools, smoke)
    } else {
        Vec::new()
    };
    if !results.is_empty() {
        print_results(&results, &tools);
    }
    if !batch.is_empty() {
        print_batch(&batch);
    }
    println!();
    println!("{}", machine("scale"));
    if smoke {
        println!("(smoke run: `cargo bench --bench scale` for the real measurement)");
    }
    let odd: Vec<String> = results
        .iter()
        .filter(|r| r.discrepancies)
        .map(|r| group_thousands(r.indicators))
        .collect();
    if !odd.is_empty() {
        println!();
        println!(
            "WARNING: LibreOffice's recalculation differed from cached values at {} indicators (see the notes above).",
            odd.join(", ")
        );
    }
}
