//! The `barometro` command line: a thin layer over the library, one module per command.

mod cli;

fn main() {
    // A bug must not look like a crash to the office: an Italian message, where it happened,
    // and status 2. Outputs are written atomically, so nothing half-written is left.
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!(" ({}:{})", l.file(), l.line()))
            .unwrap_or_default();
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        eprintln!(
            "errore: errore interno di barometro{place}: {what}. Nessun file è stato scritto a metà; segnalatelo allegando il file che lo provoca"
        );
    }));
    let status = std::panic::catch_unwind(cli::run).unwrap_or(cli::EXIT_UNREADABLE);
    std::process::exit(status);
}
