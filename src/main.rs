//! The `barometro` command line: a thin layer over the library, one module per command.

mod cli;

fn main() {
    std::process::exit(cli::run());
}
