//! `barometro batch CARTELLA -o CARTELLA_RELAZIONI` (alias `lotto`): the report of every
//! workbook in a folder, on all cores, plus `consolidato.xlsx`; a progress bar on a terminal,
//! one line per file otherwise; a closing table of what succeeded and what failed.

use std::fmt::Write as _;
use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::time::Duration;

use barometro::batch::{
    available_cores, consolidated_workbook, find_workbooks, load_rules, report_path, run_batch,
    Batch, BatchOptions, FileOutcome, CONSOLIDATED_NAME,
};
use barometro::report::{
    check_output, check_output_among, verify, write_atomically_among, ReportOptions, Template,
};
use indicatif::{ProgressBar, ProgressStyle};

use super::check::{check_outputs, files_read, plural, reading_options};
use super::score::percent;
use super::{BatchArgs, EXIT_DATA_ERRORS, EXIT_OK, EXIT_UNREADABLE};

pub fn run(args: &BatchArgs) -> i32 {
    let read = match reading_options(&args.read) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("errore: {e}");
            return EXIT_UNREADABLE;
        }
    };
    let consolidated_path = args.output.join(CONSOLIDATED_NAME);
    // Refused now rather than after all the work.
    if let Err(e) = check_output(&consolidated_path, None, args.force) {
        eprintln!("errore: {e}");
        return EXIT_UNREADABLE;
    }
    let files = match find_workbooks(&args.cartella, Some(&args.output), args.ricorsivo) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("errore: {e}");
            return EXIT_UNREADABLE;
        }
    };
    let workbooks: Vec<&std::path::Path> = files.iter().map(PathBuf::as_path).collect();
    let read_files = files_read(
        &workbooks,
        &args.read,
        &[args.rules.regole.as_deref()],
        Some(&args.modello),
    );
    let read_refs: Vec<&std::path::Path> = read_files.iter().map(PathBuf::as_path).collect();
    // No report over the mapping, a rule file or the template (a report over another workbook
    // of the batch fails that file alone, see run_batch).
    let extras = &read_refs[workbooks.len()..];
    for report in files
        .iter()
        .map(|f| report_path(&args.cartella, &args.output, f))
    {
        if let Err(e) = check_output_among(&report, extras, true) {
            eprintln!("errore: {e}");
            return EXIT_UNREADABLE;
        }
    }
    if let Err(code) = check_outputs(&[&consolidated_path], &read_files, args.force) {
        return code;
    }
    if files.is_empty() {
        eprintln!(
            "errore: nessuna cartella di lavoro .xlsx o .xlsm in «{}»{}",
            args.cartella.display(),
            if args.ricorsivo {
                ""
            } else {
                " (per cercare nelle sottocartelle: --ricorsivo)"
            }
        );
        return EXIT_UNREADABLE;
    }
    let template = match Template::load(&args.modello) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("errore: nel modello: {e}");
            return EXIT_UNREADABLE;
        }
    };
    let rules = match load_rules(args.rules.regole.as_deref()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("errore: nelle regole: {e}");
            return EXIT_UNREADABLE;
        }
    };
    let options = BatchOptions {
        rules: args.rules.regole.clone(),
        report: ReportOptions {
            read,
            evaluate: args.rules.evaluate_options(),
            verify: !args.no_verify,
            template,
            one_thread: false,
        },
        jobs: args.jobs.map_or_else(available_cores, usize::from),
        force: args.force,
    };
    let total = files.len();
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(total as u64);
        if let Ok(style) = ProgressStyle::with_template(
            "{bar:40.cyan/blue} {pos}/{len} file · {elapsed_precise} (mancano {eta}) {wide_msg}",
        ) {
            bar.set_style(style);
        }
        bar
    });
    let progress = |outcome: &FileOutcome, done: usize| {
        let line = progress_line(outcome, done, total);
        match &bar {
            Some(bar) => {
                if !outcome.succeeded() {
                    bar.println(&line);
                }
                bar.set_message(outcome.name.clone());
                bar.inc(1);
            }
            None => eprintln!("{line}"),
        }
    };
    let batch = match run_batch(&args.cartella, &files, &args.output, &options, progress) {
        Ok(b) => b,
        Err(e) => {
            if let Some(bar) = &bar {
                bar.abandon();
            }
            eprintln!("errore: {e}");
            return EXIT_UNREADABLE;
        }
    };
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }

    let mut status = if batch.failed().next().is_some() {
        EXIT_UNREADABLE
    } else if batch.succeeded().any(|(_, s)| s.errors > 0) {
        EXIT_DATA_ERRORS
    } else {
        EXIT_OK
    };
    let mut out = closing_table(&batch);
    match consolidated_workbook(&batch, &rules, &args.cartella, &args.output) {
        Ok(report) => {
            let proof = if args.no_verify {
                format!(
                    "{} formule, non verificate: --no-verify",
                    report.checks.len()
                )
            } else {
                match verify(&report) {
                    Ok(p) if p.mismatches.is_empty() => format!(
                        "{} formule verificate con {}: tutte uguali ai valori di barometro",
                        p.checked, p.engine
                    ),
                    Ok(p) => {
                        for m in &p.mismatches {
                            eprintln!(
                                "errore: {}!{}: la formula {} ricalcolata da {} dà {}, barometro dà {}",
                                m.sheet,
                                rust_xlsxwriter::utility::row_col_to_cell(m.row, m.col),
                                m.formula,
                                p.engine,
                                m.computed,
                                m.expected
                            );
                        }
                        status = status.max(EXIT_DATA_ERRORS);
                        format!(
                            "{} formule verificate con {}: {} diverse",
                            p.checked,
                            p.engine,
                            p.mismatches.len()
                        )
                    }
                    Err(e) => {
                        eprintln!("errore: {}: {e}", consolidated_path.display());
                        status = EXIT_UNREADABLE;
                        "verifica non riuscita".to_string()
                    }
                }
            };
            match write_atomically_among(&consolidated_path, &report.bytes, &read_refs, args.force)
            {
                Ok(()) => {
                    let _ = writeln!(
                        out,
                        "Consolidato: {} ({proof})",
                        consolidated_path.display()
                    );
                }
                Err(e) => {
                    eprintln!("errore: {e}");
                    status = EXIT_UNREADABLE;
                }
            }
        }
        Err(e) => {
            eprintln!("errore: {}: {e}", consolidated_path.display());
            status = EXIT_UNREADABLE;
        }
    }
    let _ = writeln!(
        out,
        "Tempo: {} s, {} file al secondo ({} {})",
        decimal(batch.elapsed.as_secs_f64(), 2),
        decimal(batch.files_per_second(), 1),
        batch.jobs,
        if batch.jobs == 1 {
            "processo"
        } else {
            "processi in parallelo"
        }
    );
    super::print_stdout(&out);
    // Every reason for status 2 ends as an `errore:` line on stderr, as for the other commands.
    for (_, reason) in batch.failed() {
        eprintln!("errore: {reason}");
    }
    status
}

/// `[12/200] file.xlsx: ok 84,30% (0,12 s)` or `[13/200] rotto.xlsx: errore — reason`.
fn progress_line(outcome: &FileOutcome, done: usize, total: usize) -> String {
    let what = match &outcome.result {
        Ok(s) => {
            let score = s.score.map_or_else(|| "senza punteggio".into(), percent);
            let errors = if s.errors > 0 {
                format!(", {} errori nei dati", s.errors)
            } else {
                String::new()
            };
            format!("ok {score}{errors}")
        }
        Err(reason) => format!("errore — {reason}"),
    };
    format!(
        "[{done}/{total}] {}: {what} ({})",
        outcome.name,
        seconds(outcome.elapsed)
    )
}

/// `1,23` for `1.234` with 2 decimals.
fn decimal(v: f64, decimals: usize) -> String {
    format!("{v:.decimals$}").replace('.', ",")
}

fn seconds(d: Duration) -> String {
    format!("{} s", decimal(d.as_secs_f64(), 2))
}

/// The table printed at the end: succeeded files with their figures, failed files with the
/// reason, totals.
fn closing_table(batch: &Batch) -> String {
    let mut out = String::new();
    let ok: Vec<_> = batch.succeeded().collect();
    if !ok.is_empty() {
        let header = [
            "File",
            "Ente",
            "% Ragg.",
            "Barometro",
            "Errori",
            "Avvisi",
            "Tempo",
        ];
        let rows: Vec<[String; 7]> = ok
            .iter()
            .map(|(o, s)| {
                [
                    o.name.clone(),
                    s.ente.clone(),
                    s.score.map_or_else(|| "—".into(), percent),
                    s.barometer.clone(),
                    s.errors.to_string(),
                    s.warnings.to_string(),
                    seconds(o.elapsed),
                ]
            })
            .collect();
        let mut widths = header.map(|h| h.chars().count());
        for r in &rows {
            for (w, cell) in widths.iter_mut().zip(r) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let _ = writeln!(out, "Relazioni scritte: {}", ok.len());
        let line = |cells: &[&str]| {
            let mut l = String::from(" ");
            for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
                let pad = w.saturating_sub(cell.chars().count());
                // Figures right-aligned, texts left-aligned.
                if matches!(i, 2 | 4 | 5 | 6) {
                    l += &format!(" {}{cell}", " ".repeat(pad));
                } else {
                    l += &format!(" {cell}{}", " ".repeat(pad));
                }
            }
            l.trim_end().to_string()
        };
        let _ = writeln!(out, "{}", line(&header));
        for r in &rows {
            let cells: Vec<&str> = r.iter().map(String::as_str).collect();
            let _ = writeln!(out, "{}", line(&cells));
        }
    }
    let failed: Vec<_> = batch.failed().collect();
    if !failed.is_empty() {
        let _ = writeln!(out, "Non riusciti: {}", failed.len());
        for (o, reason) in &failed {
            let _ = writeln!(out, "  {}: {reason}", o.name);
        }
    }
    let with_errors = ok.iter().filter(|(_, s)| s.errors > 0).count();
    let _ = writeln!(
        out,
        "Totale: {} file, {}, {}, {} con errori nei dati (foglio Anomalie della relazione)",
        batch.outcomes.len(),
        plural(ok.len(), "relazione scritta", "relazioni scritte"),
        plural(failed.len(), "non riuscito", "non riusciti"),
        with_errors
    );
    out
}
