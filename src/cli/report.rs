//! `barometro report FILE.xlsx -o RELAZIONE.xlsx` (alias `relazione`): the report with live
//! formulas, verified by an independent formula engine, and optionally the scored JSON.

use std::time::Instant;

use barometro::model::{Finding, Severity, Source};
use barometro::report::{
    build_with_template, check_output, scored_json, verify, write_atomically, Provenance,
    ReportTemplate, Template, WorkbookTemplate,
};

use super::check::{exit_status, load_rules, read_input};
use super::{ReportArgs, EXIT_DATA_ERRORS, EXIT_UNREADABLE};
use barometro::rules::{evaluate, EvaluateOptions};

pub fn run(args: &ReportArgs) -> i32 {
    let started = Instant::now();
    let input = &args.input.input;
    for out in std::iter::once(&args.output).chain(args.json.as_ref()) {
        // Refused now rather than after all the work.
        if let Err(e) = check_output(out, Some(input), args.force) {
            eprintln!("errore: {e}");
            return EXIT_UNREADABLE;
        }
    }
    let template = match Template::load(&args.modello) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("errore nel modello: {e}");
            return EXIT_UNREADABLE;
        }
    };
    let rules = match load_rules(&args.rules) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let ente = match read_input(&args.input) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let provenance = match Provenance::of_file(input) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("errore: {}: {e}", input.display());
            return EXIT_UNREADABLE;
        }
    };
    let ev = evaluate(ente, &rules, &EvaluateOptions { at: args.rules.al });
    let template = match template {
        Template::Report(t) => *t,
        Template::Workbook(t) => {
            return fill_workbook_template(args, &t, &ev, &provenance, started)
        }
    };
    let mut report = match build_with_template(&ev, &rules, &provenance, &template, &[]) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("errore: {e}");
            return EXIT_UNREADABLE;
        }
    };
    let mut status = exit_status(ev.worst_severity());
    let mut lines = Vec::new();
    if args.no_verify {
        lines.push(format!(
            "Formule: {} (non verificate: --no-verify)",
            report.checks.len()
        ));
    } else {
        let proof = match verify(&report) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("errore: {e}");
                return EXIT_UNREADABLE;
            }
        };
        if proof.mismatches.is_empty() {
            lines.push(format!(
                "Formule: {} verificate con {} in {} ms: tutte uguali ai valori delle regole",
                proof.checked,
                proof.engine,
                proof.elapsed.as_millis()
            ));
        } else {
            status = status.max(EXIT_DATA_ERRORS);
            let findings: Vec<Finding> = proof
                .mismatches
                .iter()
                .map(|m| Finding {
                    severity: Severity::Error,
                    message: format!(
                        "La formula {} ricalcolata da {} dà {}, la regola {} dà {}: correggete la formula gemella della regola",
                        m.formula, proof.engine, m.computed, m.rule, m.expected
                    ),
                    source: Some(Source::new(m.sheet.as_str().into(), m.row, u32::from(m.col))),
                    rule: "formula-diversa-dalla-regola".into(),
                })
                .collect();
            for f in &findings {
                if let Some(s) = &f.source {
                    eprintln!("errore: {s}: {}", f.message);
                }
            }
            lines.push(format!(
                "Formule: {} verificate con {} in {} ms: {} diverse dai valori delle regole (elencate in Anomalie)",
                proof.checked,
                proof.engine,
                proof.elapsed.as_millis(),
                proof.mismatches.len()
            ));
            report = match build_with_template(&ev, &rules, &provenance, &template, &findings) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("errore: {e}");
                    return EXIT_UNREADABLE;
                }
            };
        }
    }
    if let Err(e) = write_atomically(&args.output, &report.bytes, Some(input), args.force) {
        eprintln!("errore: {e}");
        return EXIT_UNREADABLE;
    }
    if template != ReportTemplate::predefinito() {
        lines.push(format!(
            "Modello: {} ({})",
            template.name,
            template.origin()
        ));
    }
    if let Err(code) = write_json(args, &ev, &mut lines) {
        return code;
    }
    print_summary(args, &ev, lines, started);
    status
}

/// An Excel template filled with the results: the office's own layout, no formulas of
/// barometro's to verify.
fn fill_workbook_template(
    args: &ReportArgs,
    template: &WorkbookTemplate,
    ev: &barometro::rules::Evaluation,
    provenance: &Provenance,
    started: Instant,
) -> i32 {
    let filled = match template.fill(ev, provenance) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("errore nel modello: {e}");
            return EXIT_UNREADABLE;
        }
    };
    if let Err(e) = write_atomically(
        &args.output,
        &filled.bytes,
        Some(&args.input.input),
        args.force,
    ) {
        eprintln!("errore: {e}");
        return EXIT_UNREADABLE;
    }
    let mut lines = vec![format!(
        "Modello Excel «{}»: {} celle compilate, {} righe ripetute, fogli: {}",
        template.name,
        filled.cells,
        filled.rows,
        filled.sheets.join(", ")
    )];
    if filled.cached + filled.uncached > 0 {
        lines.push(format!(
            "Formule del modello: {} con il valore calcolato da {}{}",
            filled.cached,
            barometro::report::ENGINE,
            match filled.uncached {
                0 => String::new(),
                n => format!(", {n} senza (le calcola Excel all'apertura)"),
            }
        ));
    }
    if let Err(code) = write_json(args, ev, &mut lines) {
        return code;
    }
    print_summary(args, ev, lines, started);
    exit_status(ev.worst_severity())
}

/// `--json`: the evaluated model.
fn write_json(
    args: &ReportArgs,
    ev: &barometro::rules::Evaluation,
    lines: &mut Vec<String>,
) -> Result<(), i32> {
    let input = &args.input.input;
    if let Some(json_path) = &args.json {
        let text = match serde_json::to_string_pretty(&scored_json(ev)) {
            Ok(t) => t + "\n",
            Err(e) => {
                eprintln!("errore: impossibile scrivere il JSON: {e}");
                return Err(EXIT_UNREADABLE);
            }
        };
        if let Err(e) = write_atomically(json_path, text.as_bytes(), Some(input), args.force) {
            eprintln!("errore: {e}");
            return Err(EXIT_UNREADABLE);
        }
        lines.push(format!("JSON: {}", json_path.display()));
    }
    Ok(())
}

/// The closing lines on standard output.
fn print_summary(
    args: &ReportArgs,
    ev: &barometro::rules::Evaluation,
    lines: Vec<String>,
    started: Instant,
) {
    let count = |s: Severity| ev.all_findings().filter(|f| f.severity == s).count();
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
    out += &format!(
        "Anomalie: {} errori, {} avvisi, {} informazioni (foglio Anomalie)\n",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    );
    out += &format!("Tempo totale: {} ms\n", started.elapsed().as_millis());
    super::print_stdout(&out);
}
