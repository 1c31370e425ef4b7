//! `barometro compare A.xlsx [B.xlsx]` (alias `confronta`): two files of the same plan (two
//! dates, two months), or one file with two rule sets (`--regole-b`) or two monitoring dates
//! (`--al-b`). Prints areas and the ente before, after and the change, then the objectives that
//! changed most; with `-o` writes the comparison workbook, its formulas verified.

use std::fmt::Write as _;

use barometro::compare::{compare, AreaChange, Change, Comparison};
use barometro::report::{
    build_comparison, verify, write_atomically_among, ComparedSide, Provenance,
};
use barometro::rules::{evaluate, EvaluateOptions, RuleSet};

use super::check::{check_outputs, exit_status, files_read, load_rules, read_input};
use super::score::percent;
use super::{CompareArgs, InputArgs, RulesArgs, EXIT_DATA_ERRORS, EXIT_UNREADABLE};

/// Objectives listed under "the objectives that changed most".
const MOST_CHANGED: usize = 10;

pub fn run(args: &CompareArgs) -> i32 {
    let file_a = &args.input.input;
    if args.dopo.is_none() && args.regole_b.is_none() && args.al_b.is_none() {
        eprintln!(
            "errore: niente da confrontare: indicate un secondo file (barometro confronta A.xlsx B.xlsx), \
             oppure altre regole (--regole-b) o un'altra data (--al-b) per lo stesso file\n\
             Per l'aiuto: barometro confronta --help"
        );
        return EXIT_UNREADABLE;
    }
    let mut workbooks = vec![file_a.as_path()];
    workbooks.extend(args.dopo.as_deref());
    let read = files_read(
        &workbooks,
        &args.input.read,
        &[args.rules.regole.as_deref(), args.regole_b.as_deref()],
        None,
    );
    let read_refs: Vec<&std::path::Path> = read.iter().map(|p| p.as_path()).collect();
    if let Some(out) = &args.output {
        // Refused now rather than after all the work.
        if let Err(code) = check_outputs(&[out], &read, args.force) {
            return code;
        }
    }
    let rules_a = match load_rules(&args.rules) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let rules_b = match &args.regole_b {
        Some(name) => match load_rules(&RulesArgs {
            regole: Some(name.clone()),
            al: None,
            errori_regole: args.rules.errori_regole,
        }) {
            Ok(r) => Some(r),
            Err(code) => return code,
        },
        None => None,
    };
    let rules_b: &RuleSet = rules_b.as_ref().unwrap_or(&rules_a);
    let ente_a = match read_input(&args.input) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let ente_b = match &args.dopo {
        Some(path) => match read_input(&InputArgs {
            input: path.clone(),
            ..args.input.clone()
        }) {
            Ok(e) => e,
            Err(code) => return code,
        },
        None => ente_a.clone(),
    };
    let file_b = args.dopo.as_ref().unwrap_or(file_a);
    let at_b = args.al_b.or(args.rules.al);
    let before = evaluate(ente_a, &rules_a, &args.rules.evaluate_options());
    let after = evaluate(
        ente_b,
        rules_b,
        &EvaluateOptions {
            at: at_b,
            ..args.rules.evaluate_options()
        },
    );
    for (ev, file) in [(&before, file_a), (&after, file_b)] {
        if let Some(finding) = &ev.stopped {
            eprintln!("errore: {}", super::stopped_message(file, finding));
            return EXIT_UNREADABLE;
        }
    }
    let comparison = compare(&before, &after);
    let mut status = exit_status(before.worst_severity()).max(exit_status(after.worst_severity()));

    let mut out = if args.json {
        match serde_json::to_string_pretty(&comparison) {
            Ok(t) => t + "\n",
            Err(e) => {
                eprintln!("errore: impossibile scrivere il JSON: {e}");
                return EXIT_UNREADABLE;
            }
        }
    } else {
        table(&comparison)
    };
    if let Some(output) = &args.output {
        let provenance = |path: &std::path::Path| {
            Provenance::of_file(path).map_err(|e| {
                eprintln!("errore: {}: {e}", path.display());
                EXIT_UNREADABLE
            })
        };
        let sides = (provenance(file_a), provenance(file_b));
        let (Ok(pa), Ok(pb)) = sides else {
            return EXIT_UNREADABLE;
        };
        let side_a = ComparedSide {
            provenance: pa,
            rules: &rules_a,
        };
        let side_b = ComparedSide {
            provenance: pb,
            rules: rules_b,
        };
        let workbook = match build_comparison(&comparison, &side_a, &side_b) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("errore: {e}");
                return EXIT_UNREADABLE;
            }
        };
        let mut lines = String::new();
        if args.no_verify {
            let _ = writeln!(
                lines,
                "Formule: {} (non verificate: --no-verify)",
                workbook.checks.len()
            );
        } else {
            let proof = match verify(&workbook) {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("errore: {e}");
                    return EXIT_UNREADABLE;
                }
            };
            for m in &proof.mismatches {
                eprintln!(
                    "errore: {}: la formula {} ricalcolata da {} dà {}, atteso {}",
                    barometro::model::Source::new(m.sheet.as_str().into(), m.row, u32::from(m.col)),
                    m.formula,
                    proof.engine,
                    m.computed,
                    m.expected
                );
            }
            if proof.mismatches.is_empty() {
                let _ = writeln!(
                    lines,
                    "Formule: {} verificate con {} in {} ms: tutte uguali ai valori calcolati",
                    proof.checked,
                    proof.engine,
                    proof.elapsed.as_millis()
                );
            } else {
                status = status.max(EXIT_DATA_ERRORS);
                let _ = writeln!(
                    lines,
                    "Formule: {} verificate con {}: {} diverse dai valori calcolati",
                    proof.checked,
                    proof.engine,
                    proof.mismatches.len()
                );
            }
        }
        if let Err(e) = write_atomically_among(output, &workbook.bytes, &read_refs, args.force) {
            eprintln!("errore: {e}");
            return EXIT_UNREADABLE;
        }
        if !args.json {
            let _ = writeln!(out, "\nConfronto scritto: {}", output.display());
            out += &lines;
        }
    }
    if status > 0 && !args.json {
        out += "\nUno dei due lati ha errori nei dati: li elenca barometro check.\n";
    }
    super::print_stdout(&out);
    status
}

/// `92,30%`, or `—` when there is no value.
fn figure(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), percent)
}

/// `↑ +2,50`, `↓ -1,00`, `= 0,00`, or empty when a side has no value.
fn change_text(change: &Change) -> String {
    match (change.direction(), change.delta()) {
        (Some(dir), Some(d)) => {
            let points = percent(d.abs());
            let points = points.trim_end_matches('%');
            let sign = if d > 0.0 {
                "+"
            } else if d < 0.0 {
                "-"
            } else {
                ""
            };
            format!("{} {sign}{points}", dir.arrow())
        }
        _ => String::new(),
    }
}

/// Cuts a name to `n` characters.
fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// The Italian table printed by `confronta`.
fn table(c: &Comparison) -> String {
    let mut out = String::new();
    let side = |file: &str, rules: &str, at: Option<chrono::NaiveDate>| {
        let mut s = format!("{file}, regole «{rules}»");
        if let Some(at) = at {
            s += &format!(", al {}", at.format("%d/%m/%Y"));
        }
        s
    };
    let _ = writeln!(out, "Ente: {}", c.ente_after);
    let _ = writeln!(
        out,
        "Prima (A): {}",
        side(&c.file_before, &c.rules_before, c.at_before)
    );
    let _ = writeln!(
        out,
        "Dopo (B):  {}",
        side(&c.file_after, &c.rules_after, c.at_after)
    );
    out.push('\n');
    area_table(&mut out, "Area", c, |a| &a.score, &c.ente);
    let _ = writeln!(
        out,
        "Barometro dell'ente: {} → {}",
        c.ente_label_before, c.ente_label_after
    );
    if c.has_expected() {
        out.push('\n');
        area_table(
            &mut out,
            "Atteso alla data di monitoraggio",
            c,
            |a| &a.expected,
            &c.ente_expected,
        );
    }
    let most = c.most_changed_objectives(MOST_CHANGED);
    out.push('\n');
    if most.is_empty() {
        let _ = writeln!(out, "Nessun obiettivo ha cambiato raggiungimento.");
    } else {
        let _ = writeln!(out, "Obiettivi con le variazioni maggiori:");
        for o in most {
            let _ = writeln!(
                out,
                "  {:<10}  {} → {}  {} ({})",
                change_text(&o.score),
                figure(o.score.before),
                figure(o.score.after),
                cut(&o.label(), 70),
                o.area
            );
        }
    }
    let changed = c
        .objectives
        .iter()
        .filter(|o| o.score.delta().is_some_and(|d| d != 0.0))
        .count();
    let _ = writeln!(
        out,
        "Confrontati: {} aree, {} obiettivi ({} cambiati), {} indicatori; solo in uno dei due: {}",
        c.areas.len(),
        c.objectives.len(),
        changed,
        c.indicators.len(),
        c.unmatched.len()
    );
    for u in c.unmatched.iter().take(MOST_CHANGED) {
        let _ = writeln!(
            out,
            "  solo {}: {} «{}»{}",
            u.side.label(),
            u.kind.label(),
            cut(&u.label, 70),
            u.source
                .as_ref()
                .map(|s| format!(" ({s})"))
                .unwrap_or_default()
        );
    }
    if c.unmatched.len() > MOST_CHANGED {
        let _ = writeln!(
            out,
            "  … e altre {} (foglio «Solo in uno» con -o)",
            c.unmatched.len() - MOST_CHANGED
        );
    }
    out
}

/// Width of the name column of the terminal tables.
const NAME: usize = 50;

/// One terminal table: every area (sub-areas indented) and the ente, before, after and the
/// change of the figure `of` picks.
fn area_table(
    out: &mut String,
    heading: &str,
    c: &Comparison,
    of: impl Fn(&AreaChange) -> &Change,
    ente: &Change,
) {
    let _ = writeln!(
        out,
        "{heading:<NAME$}  {:>8}  {:>8}  Variazione",
        "Prima", "Dopo"
    );
    for a in &c.areas {
        let indent = if a.parent.is_some() { "  " } else { "" };
        let name = cut(&format!("{indent}{}", a.name), NAME);
        let change = of(a);
        let _ = writeln!(
            out,
            "{name:<NAME$}  {:>8}  {:>8}  {}",
            figure(change.before),
            figure(change.after),
            change_text(change)
        );
    }
    let _ = writeln!(
        out,
        "{:<NAME$}  {:>8}  {:>8}  {}",
        "Ente",
        figure(ente.before),
        figure(ente.after),
        change_text(ente)
    );
}
