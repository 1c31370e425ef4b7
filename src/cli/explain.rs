//! `barometro spiega FILE.xlsx --obiettivo CODICE` (alias `explain`): how every number of one
//! objective was obtained: method, inputs with their cells, intermediate values, the rule file
//! and line, the Excel twin.

use std::collections::HashSet;
use std::fmt::Write as _;

use barometro::model::{Area, Field, Objective, Source};
use barometro::read::normalise_header;
use barometro::rules::{AreaOutcome, Bands, Evaluation, ObjectiveOutcome, Score, INDICATOR_FIELDS};
use barometro::value::format_number_it;

use super::check::{exit_status, findings_text, read_and_evaluate};
use super::score::figure;
use super::{InputArgs, RulesArgs, EXIT_UNREADABLE};

/// One objective found, with the areas above it (outermost first).
struct Found<'a> {
    areas: Vec<(&'a Area, &'a AreaOutcome)>,
    objective: &'a Objective,
    outcome: &'a ObjectiveOutcome,
}

fn collect<'a>(
    area: &'a Area,
    outcome: &'a AreaOutcome,
    above: &mut Vec<(&'a Area, &'a AreaOutcome)>,
    out: &mut Vec<Found<'a>>,
) {
    above.push((area, outcome));
    for (o, oo) in area.objectives.iter().zip(&outcome.objectives) {
        out.push(Found {
            areas: above.clone(),
            objective: o,
            outcome: oo,
        });
    }
    for (sub, so) in area.areas.iter().zip(&outcome.areas) {
        collect(sub, so, above, out);
    }
    above.pop();
}

/// Finds objectives by code, then exact title, then part of the title, then cell.
fn find<'a>(ev: &'a Evaluation, query: &str) -> Vec<Found<'a>> {
    let mut all = Vec::new();
    for (a, ao) in ev.ente.areas.iter().zip(&ev.areas) {
        collect(a, ao, &mut Vec::new(), &mut all);
    }
    let q = normalise_header(query);
    let code = |f: &Found| {
        f.objective
            .code
            .as_ref()
            .is_some_and(|c| normalise_header(c.text()) == q)
    };
    let title = |f: &Found| normalise_header(f.objective.title_text()) == q;
    let part = |f: &Found| !q.is_empty() && normalise_header(f.objective.title_text()).contains(&q);
    let cell = |f: &Found| {
        let s = &f.objective.source;
        s.to_string() == query.trim() || format!("{}!{}", s.sheet, s.cell()) == query.trim()
    };
    for test in [&code as &dyn Fn(&Found) -> bool, &title, &part, &cell] {
        if all.iter().any(test) {
            return all.into_iter().filter(|f| test(f)).collect();
        }
    }
    Vec::new()
}

fn num(v: f64) -> String {
    format_number_it(v).to_string()
}

/// `78 (non arrotondato: 77,9999…)` when rounding hides digits.
fn value_text(v: f64) -> String {
    let r = barometro::rules::excel::round(v, 2);
    if r == v {
        num(v)
    } else {
        format!("{} (non arrotondato: {})", num(r), num(v))
    }
}

fn field_text(f: &Field) -> String {
    format!("«{}» ({})", f.raw.trim(), f.source)
}

fn rule_text(s: &Score) -> String {
    s.rule
        .as_ref()
        .map(|r| format!("regola `{}` in {}, riga {}", r.function, r.file, r.line))
        .unwrap_or_else(|| "nessuna regola".into())
}

fn twin_text(out: &mut String, s: &Score, indent: &str) {
    match &s.twin {
        Some(t) => {
            let _ = writeln!(out, "{indent}formula Excel: {}", t.template);
        }
        None if s.value.is_some() => {
            let _ = writeln!(
                out,
                "{indent}formula Excel: nessuna; il rapporto scrive il valore calcolato dalla regola"
            );
        }
        None => {}
    }
}

fn score_text(s: &Score, bands: &Bands) -> String {
    match s.value {
        Some(v) => format!("{} → {}", value_text(v), bands.label_of(Some(v))),
        None => format!(
            "nessun valore ({})",
            s.reason.as_deref().unwrap_or("non calcolato")
        ),
    }
}

fn list(values: impl Iterator<Item = Option<f64>>) -> String {
    let items: Vec<String> = values
        .map(|v| v.map_or_else(|| "vuoto".to_string(), num))
        .collect();
    format!("[{}]", items.join("; "))
}

fn explain(ev: &Evaluation, f: &Found) -> String {
    let mut out = String::new();
    let o = f.objective;
    let oo = f.outcome;
    let bands = &ev.bands;
    let _ = writeln!(out, "Obiettivo {} ({})", o.label(), o.source);
    for (a, _) in &f.areas {
        let _ = writeln!(out, "  {} «{}»", a.kind, a.name);
    }
    let _ = write!(out, "  regole: {}", ev.rules);
    if let Some(at) = ev.at {
        let _ = write!(out, "; data di monitoraggio {}", at.format("%d/%m/%Y"));
    }
    out.push('\n');

    if !o.indicators.is_empty() {
        let _ = writeln!(out, "\nIndicatori ({})", o.indicators.len());
    }
    for (k, (i, io)) in o.indicators.iter().zip(&oo.indicators).enumerate() {
        let name = i.name().map_or("senza nome", |f| f.text());
        let _ = writeln!(out, "  {}. «{}» ({})", k + 1, name.trim(), i.source);
        let _ = writeln!(
            out,
            "     metodo: {} (scelto dalla regola `metodo` leggendo {}; calcolato dalla {})",
            if io.method.is_empty() {
                "—"
            } else {
                &io.method
            },
            if io.method_inputs.is_empty() {
                "nessun dato".to_string()
            } else {
                io.method_inputs.join(", ")
            },
            rule_text(&io.score)
        );
        let mut inputs = Vec::new();
        for name in &io.inputs {
            let field = INDICATOR_FIELDS
                .iter()
                .find(|(n, _)| n == name)
                .and_then(|(_, which)| i.get(*which));
            inputs.push(match field {
                Some(f) => format!("{name} = {}", field_text(f)),
                None => format!("{name} = vuoto"),
            });
        }
        if !inputs.is_empty() {
            let _ = writeln!(out, "     dati letti: {}", inputs.join("; "));
        }
        if let Some(w) = i.weight() {
            let _ = writeln!(out, "     peso: {}", field_text(w));
        }
        let _ = writeln!(out, "     raggiungimento: {}", score_text(&io.score, bands));
        if let Some(stated) = i.stated_achievement() {
            let _ = writeln!(out, "     scritto nel foglio: {}", field_text(stated));
        }
        twin_text(&mut out, &io.score, "     ");
    }

    if !o.activities.is_empty() {
        let _ = writeln!(out, "\nAttività ({})", o.activities.len());
    }
    for (k, (a, ao)) in o.activities.iter().zip(&oo.activities).enumerate() {
        let name = a.name.as_ref().map_or("senza nome", |f| f.text());
        let _ = write!(out, "  {}. «{}»", k + 1, name.trim());
        if let Some(w) = &a.weight {
            let _ = write!(out, ", peso {}", field_text(w));
        }
        out.push('\n');
        let computed = match ao.expected_computed.value {
            Some(v) => format!("{} ({})", num(v), rule_text(&ao.expected_computed)),
            None => format!(
                "non calcolato ({})",
                ao.expected_computed.reason.as_deref().unwrap_or("—")
            ),
        };
        let _ = writeln!(out, "     P.A.I calcolato dal piano mensile: {computed}");
        if let Some(stored) = &a.expected {
            let _ = writeln!(out, "     P.A.I scritto nel foglio: {}", field_text(stored));
        }
        let used = ao.expected.map_or_else(|| "nessuno".to_string(), num);
        let _ = writeln!(
            out,
            "     P.A.I usato: {used}{}",
            if ao.overridden {
                " (il valore scritto prevale su quello calcolato)"
            } else {
                ""
            }
        );
        if let Some(actual) = &a.actual {
            let _ = writeln!(out, "     P.E.I: {}", field_text(actual));
        }
    }

    let _ = writeln!(out, "\nObiettivo");
    let _ = writeln!(
        out,
        "  neutralizzato: {}",
        if oo.neutralised {
            "sì: resta nel rapporto ma non entra nelle medie"
        } else {
            "no"
        }
    );
    if let Some(note) = &o.note {
        let _ = writeln!(out, "  nota: {}", field_text(note));
    }
    let _ = writeln!(
        out,
        "  peso nell'area: {} ({})",
        oo.weight
            .value
            .map_or_else(|| "nessuno".to_string(), value_text),
        rule_text(&oo.weight)
    );
    if let Some(p) = &o.priority {
        let _ = writeln!(out, "     priorità: {}", field_text(p));
    }
    if let Some(w) = &o.weight {
        let _ = writeln!(out, "     peso scritto: {}", field_text(w));
    }
    twin_text(&mut out, &oo.weight, "     ");
    let _ = writeln!(
        out,
        "  raggiungimento: {} ({})",
        score_text(&oo.score, bands),
        rule_text(&oo.score)
    );
    if !oo.indicators.is_empty() {
        let _ = writeln!(
            out,
            "     dai punteggi {} con i pesi {}",
            list(oo.indicators.iter().map(|i| i.score.value)),
            list(
                o.indicators
                    .iter()
                    .map(|i| i.weight().and_then(|w| w.number()))
            )
        );
    }
    if !oo.activities.is_empty() {
        let _ = writeln!(
            out,
            "     dai P.E.I {}",
            list(oo.activities.iter().map(|a| a.actual))
        );
    }
    twin_text(&mut out, &oo.score, "     ");
    if oo.expected.value.is_some() {
        let _ = writeln!(
            out,
            "  atteso: {} ({})",
            value_text(oo.expected.value.unwrap_or(0.0)),
            rule_text(&oo.expected)
        );
        let _ = writeln!(
            out,
            "     dai P.A.I {}",
            list(oo.activities.iter().map(|a| a.expected))
        );
        twin_text(&mut out, &oo.expected, "     ");
    }
    if let Some(j) = &oo.judgement {
        let _ = writeln!(out, "  giudizio: {j}");
    }

    for (a, ao) in f.areas.iter().rev() {
        let _ = writeln!(
            out,
            "\n{} «{}»: {} ({})",
            a.kind,
            a.name,
            figure(&ao.score, &ao.expected, ao.judgement.as_deref(), bands),
            rule_text(&ao.score)
        );
        twin_text(&mut out, &ao.score, "  ");
    }

    // Findings on this objective's cells.
    let mut rows: HashSet<(String, u32)> = HashSet::new();
    let mut add = |s: &Source| {
        rows.insert((s.sheet.to_string(), s.row));
    };
    add(&o.source);
    for i in &o.indicators {
        add(&i.source);
    }
    for a in &o.activities {
        for f in [&a.name, &a.weight, &a.expected, &a.actual]
            .into_iter()
            .flatten()
        {
            add(&f.source);
        }
    }
    let mine = ev.all_findings().filter(|f| {
        f.source
            .as_ref()
            .is_some_and(|s| rows.contains(&(s.sheet.to_string(), s.row)))
    });
    out.push('\n');
    findings_text(&mut out, mine);
    out
}

pub fn run(input: &InputArgs, rules: &RulesArgs, query: &str) -> i32 {
    let ev = match read_and_evaluate(input, rules) {
        Ok(ev) => ev,
        Err(code) => return code,
    };
    let found = find(&ev, query);
    match found.len() {
        0 => {
            let codes: Vec<String> = ev.ente.objectives().take(8).map(|o| o.label()).collect();
            eprintln!(
                "errore: nessun obiettivo «{query}» in {}. Indicate il codice, il titolo (o una sua parte) o la cella; per esempio: {}",
                ev.ente.file,
                codes.join(" | ")
            );
            EXIT_UNREADABLE
        }
        1 => {
            let mut text = explain(&ev, &found[0]);
            // The status is the workbook's, as for valuta: 1 when its data has errors.
            let errors = ev
                .all_findings()
                .filter(|f| f.severity == barometro::model::Severity::Error)
                .count();
            if errors > 0 {
                let _ = writeln!(
                    text,
                    "\nLa cartella di lavoro ha {}: li elenca barometro check {}",
                    super::check::plural(errors, "errore nei dati", "errori nei dati"),
                    input.input.display()
                );
            }
            super::print_stdout(&text);
            exit_status(ev.worst_severity())
        }
        n => {
            let mut msg = format!(
                "errore: {n} obiettivi corrispondono a «{query}»; indicate il codice o la cella:\n"
            );
            for f in &found {
                let _ = writeln!(msg, "  {} ({})", f.objective.label(), f.objective.source);
            }
            eprint!("{msg}");
            EXIT_UNREADABLE
        }
    }
}
