//! `barometro fill FILE.xlsx -o COMPILATO.xlsx` (alias `compila`): a copy of the office's own
//! workbook with the empty achievement and barometer cells filled, verified by an independent
//! formula engine, and an Anomalie sheet.

use std::time::Instant;

use barometro::fill::{fill, verify, FilledKind};
use barometro::model::Severity;
use barometro::report::{write_atomically_among, ENGINE};

use super::check::{check_outputs, exit_status, files_read, read_and_evaluate};
use super::{FillArgs, EXIT_DATA_ERRORS, EXIT_UNREADABLE};

pub fn run(args: &FillArgs) -> i32 {
    let started = Instant::now();
    let input = &args.input.input;
    let read = files_read(
        &[input],
        &args.input.read,
        &[args.rules.regole.as_deref()],
        None,
    );
    let read_refs: Vec<&std::path::Path> = read.iter().map(|p| p.as_path()).collect();
    if let Err(code) = check_outputs(&[&args.output], &read, args.force) {
        return code;
    }
    let ev = match read_and_evaluate(&args.input, &args.rules) {
        Ok(ev) => ev,
        Err(code) => return code,
    };
    let filled = match fill(input, &ev) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("errore: {e}");
            return EXIT_UNREADABLE;
        }
    };
    let worst = ev
        .all_findings()
        .chain(&filled.findings)
        .map(|f| f.severity)
        .max();
    let mut status = exit_status(worst);
    let mut lines = Vec::new();
    if args.no_verify {
        lines.push(format!(
            "Formule: {} (non verificate: --no-verify)",
            filled.formula_count()
        ));
    } else {
        match verify(&filled) {
            Ok(proof) if proof.mismatches.is_empty() => lines.push(format!(
                "Formule: {} verificate con {ENGINE}: tutte uguali ai valori delle regole",
                proof.checked
            )),
            Ok(proof) => {
                status = status.max(EXIT_DATA_ERRORS);
                for m in &proof.mismatches {
                    eprintln!(
                        "errore: {}: la formula {} ricalcolata da {ENGINE} dà {}, la regola {} dà {}",
                        m.cell.source,
                        m.cell.formula.as_deref().unwrap_or_default(),
                        m.computed,
                        m.cell.rule,
                        m.cell.expected
                    );
                }
                lines.push(format!(
                    "Formule: {} verificate con {ENGINE}: {} diverse dai valori delle regole",
                    proof.checked,
                    proof.mismatches.len()
                ));
            }
            Err(e) => {
                eprintln!("errore: {e}");
                return EXIT_UNREADABLE;
            }
        }
    }
    if let Err(e) = write_atomically_among(&args.output, &filled.bytes, &read_refs, args.force) {
        eprintln!("errore: {e}");
        return EXIT_UNREADABLE;
    }
    let formulas = filled.formula_count();
    let mut out = format!(
        "Cartella compilata: {} (l'originale {} non è stato modificato)\n",
        args.output.display(),
        input.display()
    );
    out += &format!(
        "Celle compilate: {} ({} formule, {} valori) in {} fogli: {}\n",
        filled.cells.len(),
        formulas,
        filled.cells.len() - formulas,
        filled.sheets.len(),
        if filled.sheets.is_empty() {
            "nessuno".to_string()
        } else {
            filled.sheets.join(", ")
        }
    );
    if !filled.cells.is_empty() {
        let of = |k: FilledKind| filled.cells.iter().filter(|c| c.kind == k).count();
        out += &format!(
            "  raggiungimento: {} · barometro: {} · P.A.I: {}\n",
            of(FilledKind::Achievement),
            of(FilledKind::Barometer),
            of(FilledKind::Expected)
        );
    }
    if !filled.deferred.is_empty() {
        out += &format!(
            "Risultati nel foglio «{}»: {} (fogli che non si possono riscrivere)\n",
            barometro::fill::RESULTS_SHEET,
            filled.deferred.len()
        );
    }
    for l in lines {
        out += &l;
        out.push('\n');
    }
    let count = |s: Severity| {
        ev.all_findings()
            .chain(&filled.findings)
            .filter(|f| f.severity == s)
            .count()
    };
    out += &format!(
        "Anomalie: {} errori, {} avvisi, {} informazioni (foglio {})\n",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
        filled.anomalies_sheet
    );
    out += &format!("Tempo totale: {} ms\n", started.elapsed().as_millis());
    super::print_stdout(&out);
    status
}
