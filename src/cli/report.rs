//! `barometro report FILE.xlsx -o RELAZIONE.xlsx` (alias `relazione`): the report with live
//! formulas, verified by an independent formula engine, and optionally the scored JSON.

use std::time::Instant;

use barometro::model::Severity;
use barometro::read::read_workbook;
use barometro::report::{
    report_read_workbook, scored_json, write_atomically_among, Recalculated, ReportError,
    ReportOptions, Template, ENGINE,
};

use super::check::{check_outputs, files_read, load_rules, read_options};
use super::{ReportArgs, EXIT_DATA_ERRORS, EXIT_OK, EXIT_UNREADABLE};

pub fn run(args: &ReportArgs) -> i32 {
    let started = Instant::now();
    let input = &args.input.input;
    let read = files_read(
        &[input],
        &args.input.read,
        &[args.rules.regole.as_deref()],
        Some(&args.modello),
    );
    let read_refs: Vec<&std::path::Path> = read.iter().map(|p| p.as_path()).collect();
    let mut outputs = vec![args.output.as_path()];
    outputs.extend(args.json.as_deref());
    // Refused now rather than after all the work.
    if let Err(code) = check_outputs(&outputs, &read, args.force) {
        return code;
    }
    let template = match Template::load(&args.modello) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("errore: nel modello: {e}");
            return EXIT_UNREADABLE;
        }
    };
    let options = match read_options(&args.input) {
        Ok(read) => ReportOptions {
            read,
            evaluate: args.rules.evaluate_options(),
            verify: !args.no_verify,
            template,
            one_thread: false,
        },
        Err(e) => {
            eprintln!("errore: {e}");
            return EXIT_UNREADABLE;
        }
    };
    // The rules compile on another thread while the workbook is read (a few milliseconds of a
    // municipality's file); a rule error is reported first, as when they came one after the
    // other.
    let (rules, ente) = std::thread::scope(|scope| {
        let rules = scope.spawn(|| load_rules(&args.rules));
        let ente = read_workbook(input, &options.read);
        let rules = rules
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (rules, ente)
    });
    let rules = match rules {
        Ok(r) => r,
        Err(code) => return code,
    };
    let done = match ente
        .map_err(ReportError::from)
        .and_then(|ente| report_read_workbook(ente, input, &rules, &options))
    {
        Ok(d) => d,
        Err(e) => {
            eprintln!("errore: {e}");
            return EXIT_UNREADABLE;
        }
    };
    let status = if done.has_errors() {
        EXIT_DATA_ERRORS
    } else {
        EXIT_OK
    };
    let mut lines = template_lines(&options.template, &done);
    match &done.verification {
        None if done.filled.is_some() => {}
        None => lines.push(format!(
            "Formule: {} (non verificate: --no-verify)",
            done.report.checks.len()
        )),
        Some(proof) if proof.mismatches.is_empty() => lines.push(format!(
            "Formule: {} verificate con {} in {} ms{}: tutte uguali ai valori delle regole",
            proof.checked,
            proof.engine,
            proof.elapsed.as_millis(),
            recalculated(proof)
        )),
        Some(proof) => {
            for f in &done.mismatches {
                if let Some(s) = &f.source {
                    eprintln!("errore: {s}: {}", f.message);
                }
            }
            lines.push(format!(
                "Formule: {} verificate con {} in {} ms{}: {} diverse dai valori delle regole (elencate in Anomalie)",
                proof.checked,
                proof.engine,
                proof.elapsed.as_millis(),
                recalculated(proof),
                proof.mismatches.len()
            ));
        }
    }
    let ev = &done.evaluation;
    let report = &done.report;
    if let Err(e) = write_atomically_among(&args.output, &report.bytes, &read_refs, args.force) {
        eprintln!("errore: {e}");
        return EXIT_UNREADABLE;
    }
    if let Some(json_path) = &args.json {
        let text = match serde_json::to_string_pretty(&scored_json(ev)) {
            Ok(t) => t + "\n",
            Err(e) => {
                eprintln!("errore: impossibile scrivere il JSON: {e}");
                return EXIT_UNREADABLE;
            }
        };
        if let Err(e) = write_atomically_among(json_path, text.as_bytes(), &read_refs, args.force) {
            eprintln!("errore: {e}");
            return EXIT_UNREADABLE;
        }
        lines.push(format!("JSON: {}", json_path.display()));
    }
    let count = |s: Severity| done.count(s);
    let mut out = format!(
        "Relazione scritta: {} ({} aree, {} obiettivi, {} indicatori)\n",
        args.output.display(),
        ev.ente.areas.len(),
        ev.ente.objective_count(),
        ev.ente.indicator_count()
    );
    if let Some(v) = ev.score.value {
        out += &format!(
            "Raggiungimento dell'ente: {} — {}\n",
            super::score::percent(v),
            ev.bands.label_of(Some(v))
        );
    }
    for l in lines {
        out += &l;
        out.push('\n');
    }
    let where_listed = if done.filled.is_some() {
        // An Excel template has only the office's sheets.
        format!(
            "il modello Excel non le elenca: barometro check {}",
            input.display()
        )
    } else {
        "foglio Anomalie".to_string()
    };
    out += &format!(
        "Anomalie: {} errori, {} avvisi, {} informazioni ({where_listed})\n",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    );
    out += &format!("Tempo totale: {} ms\n", started.elapsed().as_millis());
    super::print_stdout(&out);
    status
}

/// What the engine recalculated, for the summary.
fn recalculated(proof: &barometro::report::Verification) -> String {
    match &proof.recalculated {
        Recalculated::Cells { cells, .. } => {
            format!(" (ricalcolate dalle {cells} celle scritte che le formule leggono)")
        }
        Recalculated::File => " (ricalcolate dal file scritto)".into(),
    }
}

/// What the template did, for the summary.
fn template_lines(template: &Template, done: &barometro::report::WorkbookReport) -> Vec<String> {
    let mut lines = Vec::new();
    match (template, &done.filled) {
        (Template::Workbook(t), Some(filled)) => {
            lines.push(format!(
                "Modello Excel «{}»: {} celle compilate, {} righe ripetute, fogli: {}",
                t.name,
                filled.cells,
                filled.rows,
                filled.sheets.join(", ")
            ));
            if filled.cached + filled.uncached > 0 {
                lines.push(format!(
                    "Formule del modello: {} con il valore calcolato da {ENGINE}{}",
                    filled.cached,
                    match filled.uncached {
                        0 => String::new(),
                        n => format!(", {n} senza (le calcola Excel all'apertura)"),
                    }
                ));
            }
        }
        (Template::Report(t), _) if t.path.is_some() => {
            lines.push(format!("Modello: {} ({})", t.name, t.origin()));
        }
        _ => {}
    }
    lines
}
