//! Running the `barometro` binary from the integration tests.

use std::path::Path;
use std::process::{Command, Output};

/// Runs `barometro` with `args` and waits for it.
pub fn barometro(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_barometro"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// A path as an argument.
pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// What the command printed on standard output.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// What the command printed on standard error.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// True when standard error shows a panic: Rust's own message, or barometro's Italian one
/// for an internal error.
pub fn panicked(stderr: &str) -> bool {
    stderr.contains("panicked")
        || stderr.contains("RUST_BACKTRACE")
        || stderr.contains("errore interno di barometro")
}
