//! `barometro check FILE.xlsx` (alias `verifica`): what was read, and every finding.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use barometro::model::{Area, Ente, Finding, Severity};
use barometro::read::{read_workbook, HeaderMap, Layout, ReadOptions};
use barometro::report::check_output_among;
use barometro::rules::{evaluate, Evaluation, RuleSet};

use super::{InputArgs, ReadArgs, RulesArgs, EXIT_DATA_ERRORS, EXIT_OK, EXIT_UNREADABLE};

/// Builds the reading options from the command line, or an Italian error.
pub fn read_options(input: &InputArgs) -> Result<ReadOptions, String> {
    let mut options = reading_options(&input.read)?;
    options.ente = input.ente.clone();
    Ok(options)
}

/// The reading options every file shares (`--mappa`, `--layout`, `--fogli-nascosti`,
/// `--anno`), or an Italian error.
pub fn reading_options(args: &ReadArgs) -> Result<ReadOptions, String> {
    let (layout, include_hidden, year) = (&args.layout, args.fogli_nascosti, args.anno);
    let header_map = match &args.mappa {
        Some(path) => HeaderMap::from_file(path)?,
        None => HeaderMap::default(),
    };
    let layout = Layout::from_word(layout).ok_or_else(|| {
        format!("--layout «{layout}» sconosciuto: usate auto, tabella, schede oppure attivita")
    })?;
    Ok(ReadOptions {
        header_map,
        ente: None,
        include_hidden,
        layout,
        year,
    })
}

/// Reads the input, or prints why it cannot and returns the exit status.
pub fn read_input(input: &InputArgs) -> Result<Ente, i32> {
    let options = read_options(input).map_err(|e| {
        eprintln!("errore: {e}");
        EXIT_UNREADABLE
    })?;
    read_workbook(&input.input, &options).map_err(|e| {
        eprintln!("errore: {e}");
        EXIT_UNREADABLE
    })
}

/// Compiles the rule set the user chose (the embedded default when none), or prints why not.
pub fn load_rules(rules: &RulesArgs) -> Result<RuleSet, i32> {
    let set = match &rules.regole {
        Some(name) => RuleSet::open(name),
        None => RuleSet::default_set(),
    };
    set.map_err(|e| {
        eprintln!("errore: nelle regole: {e}");
        EXIT_UNREADABLE
    })
}

/// Reads the input and scores it with the chosen rules.
pub fn read_and_evaluate(input: &InputArgs, rules: &RulesArgs) -> Result<Evaluation, i32> {
    let set = load_rules(rules)?;
    let ente = read_input(input)?;
    let ev = evaluate(ente, &set, &rules.evaluate_options());
    if let Some(finding) = &ev.stopped {
        eprintln!("errore: {}", super::stopped_message(&input.input, finding));
        return Err(EXIT_UNREADABLE);
    }
    Ok(ev)
}

pub fn run(input: &InputArgs, rules: &RulesArgs, json: bool, read_only: bool) -> i32 {
    let (ente, rule_findings): (Ente, Vec<Finding>) = if read_only {
        match read_input(input) {
            Ok(e) => (e, Vec::new()),
            Err(code) => return code,
        }
    } else {
        match read_and_evaluate(input, rules) {
            Ok(ev) => {
                let findings = ev.findings;
                let ente = std::sync::Arc::try_unwrap(ev.ente).unwrap_or_else(|a| (*a).clone());
                (ente, findings)
            }
            Err(code) => return code,
        }
    };
    let mut ente = ente;
    ente.findings.extend(rule_findings);
    let text = if json {
        match serde_json::to_string_pretty(&ente) {
            Ok(text) => text + "\n",
            Err(e) => {
                eprintln!("errore: impossibile scrivere il JSON: {e}");
                return EXIT_UNREADABLE;
            }
        }
    } else {
        summary(&ente)
    };
    super::print_stdout(&text);
    exit_status(ente.worst_severity())
}

/// 1 when the data has errors, 0 otherwise.
pub fn exit_status(worst: Option<Severity>) -> i32 {
    if worst == Some(Severity::Error) {
        EXIT_DATA_ERRORS
    } else {
        EXIT_OK
    }
}

/// Prints findings as `severity  cell  message  [rule]` lines.
pub fn findings_text<'a>(out: &mut String, findings: impl Iterator<Item = &'a Finding>) {
    let findings: Vec<&Finding> = findings.collect();
    let count = |s| findings.iter().filter(|f| f.severity == s).count();
    if findings.is_empty() {
        let _ = writeln!(out, "Nessuna segnalazione.");
        return;
    }
    let _ = writeln!(
        out,
        "Segnalazioni: {}, {}, {}",
        plural(count(Severity::Error), "errore", "errori"),
        plural(count(Severity::Warning), "avviso", "avvisi"),
        plural(count(Severity::Info), "informazione", "informazioni"),
    );
    for f in findings {
        let place = f
            .source
            .as_ref()
            .map(|s| s.to_string())
            .unwrap_or_else(|| "—".to_string());
        let _ = writeln!(
            out,
            "  {:<7} {}  {}  [{}]",
            f.severity.label(),
            place,
            f.message,
            f.rule
        );
    }
}

pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn area_line(out: &mut String, area: &Area, depth: usize) {
    let objectives: Vec<_> = area.all_objectives().collect();
    let indicators: usize = objectives.iter().map(|o| o.indicators.len()).sum();
    let neutralised = objectives.iter().filter(|o| o.neutralised).count();
    let _ = write!(
        out,
        "{}{} «{}»: {}, {}",
        "  ".repeat(depth + 1),
        area.kind,
        area.name,
        plural(objectives.len(), "obiettivo", "obiettivi"),
        plural(indicators, "indicatore", "indicatori"),
    );
    if neutralised > 0 {
        let _ = write!(
            out,
            " ({})",
            plural(neutralised, "neutralizzato", "neutralizzati")
        );
    }
    for total in &area.stated_totals {
        if let Some(declared) = total.value(barometro::read::DECLARED_COUNT) {
            let _ = write!(out, "; obiettivi dichiarati {}", declared.raw.trim());
            continue;
        }
        let values: Vec<&str> = total.values.iter().map(|(_, f)| f.raw.as_str()).collect();
        let _ = write!(
            out,
            "; {} {}",
            total.label.raw.trim().to_lowercase(),
            values.join(" ")
        );
    }
    out.push('\n');
    for sub in &area.areas {
        area_line(out, sub, depth + 1);
    }
}

/// The Italian summary printed by `check`.
pub fn summary(ente: &Ente) -> String {
    let mut out = String::new();
    let objectives = ente.objective_count();
    let neutralised = ente.objectives().filter(|o| o.neutralised).count();
    let _ = writeln!(out, "File: {}", ente.file);
    let _ = writeln!(out, "Ente: {}", ente.ente);
    let _ = write!(
        out,
        "Letti: {}, {}",
        plural(ente.areas.len(), "area", "aree"),
        plural(objectives, "obiettivo", "obiettivi"),
    );
    if neutralised > 0 {
        let _ = write!(
            out,
            " ({})",
            plural(neutralised, "neutralizzato", "neutralizzati")
        );
    }
    let _ = writeln!(
        out,
        ", {}",
        plural(ente.indicator_count(), "indicatore", "indicatori")
    );
    out.push('\n');
    for area in &ente.areas {
        area_line(&mut out, area, 0);
    }
    out.push('\n');
    findings_text(&mut out, ente.findings.iter());
    out
}

/// Every file a command reads: the workbooks, the mapping (`--mappa`), the rule files of a
/// rule folder (`--regole`), the template file (`--modello`). No output may be one of them.
pub fn files_read(
    workbooks: &[&Path],
    read: &ReadArgs,
    rules: &[Option<&str>],
    template: Option<&str>,
) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = workbooks.iter().map(|p| p.to_path_buf()).collect();
    files.extend(read.mappa.clone());
    for folder in rules.iter().flatten().map(Path::new) {
        if let Ok(entries) = std::fs::read_dir(folder) {
            files.extend(entries.flatten().map(|e| e.path()).filter(|p| p.is_file()));
        }
    }
    if let Some(template) = template.map(Path::new) {
        if template.is_dir() {
            files.push(template.join("modello.toml"));
            files.push(template.join("modello.xlsx"));
        } else if template.is_file() {
            files.push(template.to_path_buf());
        }
    }
    files
}

/// Checks, before any work, that every output may be written: none is a file the command
/// reads, none is another output, none exists unless `force`. Prints why not and returns the
/// exit status.
pub fn check_outputs(outputs: &[&Path], read: &[PathBuf], force: bool) -> Result<(), i32> {
    let read: Vec<&Path> = read.iter().map(PathBuf::as_path).collect();
    for (i, out) in outputs.iter().enumerate() {
        let refused = if outputs[..i].iter().any(|o| same_output(o, out)) {
            Err(format!(
                "{} è indicato due volte come file da scrivere: scegliete due nomi diversi",
                out.display()
            ))
        } else {
            check_output_among(out, &read, force).map_err(|e| e.to_string())
        };
        if let Err(e) = refused {
            eprintln!("errore: {e}");
            return Err(EXIT_UNREADABLE);
        }
    }
    Ok(())
}

/// Whether two outputs, which may not exist yet, are the same path once resolved.
fn same_output(a: &Path, b: &Path) -> bool {
    let resolve = |p: &Path| {
        let parent = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.canonicalize().ok(),
            _ => std::env::current_dir().ok(),
        };
        parent.zip(p.file_name()).map(|(d, n)| d.join(n))
    };
    a == b
        || barometro::report::same_file(a, b)
        || (resolve(a).is_some() && resolve(a) == resolve(b))
}
