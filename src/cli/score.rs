//! `barometro valuta FILE.xlsx` (alias `score`): achievements, expected values and the barometer
//! of the ente, its areas and objectives, with every finding.

use std::fmt::Write as _;

use barometro::model::{Area, Finding};
use barometro::rules::{AreaOutcome, Bands, Evaluation, ObjectiveOutcome, Score};
use barometro::value::format_number_it;
use serde::Serialize;

use super::check::{exit_status, findings_text, read_and_evaluate};
use super::{InputArgs, RulesArgs, EXIT_UNREADABLE};

/// A percentage for people: `92,30%`.
pub fn percent(v: f64) -> String {
    let r = barometro::rules::excel::round(v, 2);
    let mut s = format!("{r:.2}").replace('.', ",");
    if s == "-0,00" {
        s = "0,00".into();
    }
    s + "%"
}

/// `92,30% Raggiunto`, `51,97% su 54,07% In linea`, or the reason there is no value.
pub fn figure(score: &Score, expected: &Score, judgement: Option<&str>, bands: &Bands) -> String {
    match score.value {
        Some(v) => {
            let mut s = percent(v);
            if let Some(e) = expected.value {
                s.push_str(&format!(" su {}", percent(e)));
                if let Some(j) = judgement {
                    s.push_str(&format!(" — {j}"));
                }
            } else {
                s.push_str(&format!(" — {}", bands.label_of(Some(v))));
            }
            s
        }
        None => format!(
            "{} ({})",
            bands.no_score.label,
            score.reason.as_deref().unwrap_or("nessun valore")
        ),
    }
}

fn objective_line(
    out: &mut String,
    o: &barometro::model::Objective,
    oo: &ObjectiveOutcome,
    bands: &Bands,
    depth: usize,
) {
    let weight = oo
        .weight
        .value
        .map(|w| {
            format!(
                " [peso {}]",
                format_number_it(barometro::rules::excel::round(w, 2))
            )
        })
        .unwrap_or_default();
    let text = if oo.neutralised {
        "neutralizzato".to_string()
    } else {
        figure(&oo.score, &oo.expected, oo.judgement.as_deref(), bands)
    };
    let _ = writeln!(
        out,
        "{}{}{}: {}",
        "  ".repeat(depth),
        o.label(),
        weight,
        text
    );
}

fn area_block(out: &mut String, area: &Area, ao: &AreaOutcome, bands: &Bands, depth: usize) {
    let _ = writeln!(
        out,
        "{}{} «{}»: {}",
        "  ".repeat(depth),
        area.kind,
        area.name,
        figure(&ao.score, &ao.expected, ao.judgement.as_deref(), bands)
    );
    for (o, oo) in area.objectives.iter().zip(&ao.objectives) {
        objective_line(out, o, oo, bands, depth + 1);
    }
    for (sub, so) in area.areas.iter().zip(&ao.areas) {
        area_block(out, sub, so, bands, depth + 1);
    }
}

/// The Italian summary printed by `valuta`.
pub fn summary(ev: &Evaluation) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "File: {}", ev.ente.file);
    let _ = writeln!(out, "Ente: {}", ev.ente.ente);
    let _ = write!(out, "Regole: {}", ev.rules);
    if let Some(at) = ev.at {
        let _ = write!(out, "; data di monitoraggio {}", at.format("%d/%m/%Y"));
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "Raggiungimento dell'ente: {}",
        figure(&ev.score, &ev.expected, None, &ev.bands)
    );
    out.push('\n');
    for (area, ao) in ev.ente.areas.iter().zip(&ev.areas) {
        area_block(&mut out, area, ao, &ev.bands, 0);
    }
    out.push('\n');
    findings_text(&mut out, ev.all_findings());
    out
}

/// The JSON of `valuta --json`: the evaluation, with the reader's findings and the rules' in
/// one list.
#[derive(Serialize)]
struct ScoreJson<'a> {
    file: &'a str,
    ente: &'a str,
    rules: &'a str,
    at: Option<chrono::NaiveDate>,
    score: &'a Score,
    expected: &'a Score,
    areas: &'a [AreaOutcome],
    bands: &'a Bands,
    findings: Vec<&'a Finding>,
}

pub fn run(input: &InputArgs, rules: &RulesArgs, json: bool) -> i32 {
    let ev = match read_and_evaluate(input, rules) {
        Ok(ev) => ev,
        Err(code) => return code,
    };
    let text = if json {
        let doc = ScoreJson {
            file: &ev.ente.file,
            ente: &ev.ente.ente,
            rules: &ev.rules,
            at: ev.at,
            score: &ev.score,
            expected: &ev.expected,
            areas: &ev.areas,
            bands: &ev.bands,
            findings: ev.all_findings().collect(),
        };
        match serde_json::to_string_pretty(&doc) {
            Ok(t) => t + "\n",
            Err(e) => {
                eprintln!("errore: impossibile scrivere il JSON: {e}");
                return EXIT_UNREADABLE;
            }
        }
    } else {
        summary(&ev)
    };
    super::print_stdout(&text);
    exit_status(ev.worst_severity())
}
