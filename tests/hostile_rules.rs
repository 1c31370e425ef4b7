//! Hostile rules from the command line: each is stopped, reported with rule file, line and
//! column, and the run either goes on with a finding (`--errori-regole continua`, the
//! default) or stops cleanly with status 2 and no output (`--errori-regole ferma`).

mod common;

use std::path::{Path, PathBuf};

use common::cli::{barometro, s, stderr, stdout};
use common::package::{borrowed, rows, table, xlsx, Sheet};

/// A workbook of 2 objectives and 4 ratio indicators (targets 100, actuals 60, 67, 74, 81).
fn workbook(dir: &Path) -> PathBuf {
    let p = dir.join("obiettivi.xlsx");
    let bytes = xlsx(&[Sheet::new("Obiettivi", rows(&borrowed(&table(4))))], &[]);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// A copy of the default rules whose `rapporto` runs `hostile` for «Indicatore 2» only
/// (`helpers` go before it); returns the folder and the line `hostile` starts on.
fn rules_with(dir: &Path, helpers: &str, hostile: &str) -> (PathBuf, usize) {
    let rules = dir.join("regole");
    assert_eq!(barometro(&["init", s(&rules)]).status.code(), Some(0));
    let file = rules.join("indicatori.rhai");
    let text = std::fs::read_to_string(&file).unwrap();
    let head = "fn rapporto(i) {\n";
    let at = text.find(head).expect("rapporto is in indicatori.rhai");
    let new = format!(
        "{helpers}\n{head}    if i.nome == \"Indicatore 2\" {{\n        {hostile}\n    }}\n"
    );
    let text = format!("{}{new}{}", &text[..at], &text[at + head.len()..]);
    let line = text[..text.find(hostile).unwrap()].matches('\n').count() + 1;
    std::fs::write(&file, text).unwrap();
    (rules, line)
}

/// Runs `valuta` with both policies and `report` with `ferma`; checks what the issue asks of
/// a runtime rule error and returns the finding's line in `valuta`'s output.
fn stopped_and_reported(hostile: &str, helpers: &str, message: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let input = workbook(dir.path());
    let (rules, line) = rules_with(dir.path(), helpers, hostile);
    // Continue (the default): the other three indicators are scored; an errore names the cell.
    let o = barometro(&["valuta", s(&input), "--regole", s(&rules)]);
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{text}\n{}", stderr(&o));
    let finding = text
        .lines()
        .find(|l| l.contains("Obiettivi!") && l.contains("indicatori.rhai"))
        .unwrap_or_else(|| panic!("no rule finding:\n{text}"))
        .to_string();
    assert!(finding.starts_with("  errore  Obiettivi!"), "{finding}");
    assert!(finding.contains(message), "{message}: {finding}");
    assert!(
        finding.contains("«Indicatore 2»") || finding.contains("Obiettivi!D5"),
        "{finding}"
    );
    // OB1 = Indicatore 1 (60) alone; OB2 = (74 + 81) / 2.
    assert!(text.contains("OB1 Obiettivo 1: 60,00%"), "{text}");
    assert!(text.contains("OB2 Obiettivo 2: 77,50%"), "{text}");
    // Stop: status 2, the message names the input, the rule file and line, and nothing else
    // is written.
    for command in ["valuta", "check"] {
        let o = barometro(&[
            command,
            s(&input),
            "--regole",
            s(&rules),
            "--errori-regole",
            "ferma",
        ]);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{command}: {e}");
        assert!(stdout(&o).is_empty(), "{command}: {}", stdout(&o));
        assert!(
            e.starts_with(&format!(
                "errore: «{}»: valutazione interrotta alla prima regola in errore (--errori-regole ferma), cella Obiettivi!",
                input.display()
            )),
            "{e}"
        );
        assert!(e.contains("indicatori.rhai") && e.contains(message), "{e}");
    }
    let report = dir.path().join("relazione.xlsx");
    let o = barometro(&[
        "report",
        s(&input),
        "-o",
        s(&report),
        "--regole",
        s(&rules),
        "--errori-regole",
        "ferma",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!report.exists());
    let _ = line;
    finding
}

/// `indicatori.rhai, riga L, colonna C` or, for limits, the line where the function starts.
fn located_at(finding: &str, line: usize) {
    assert!(
        finding.contains(&format!("indicatori.rhai, riga {line}, colonna ")),
        "line {line}: {finding}"
    );
}

#[test]
fn an_endless_loop() {
    // Whichever limit comes first stops it: 1,000,000 operations, or the 1 s per call when
    // a debug build runs on a loaded machine (seen while the whole suite ran beside builds).
    let f = stopped_and_reported(
        "let k = 0; while true { k += 1; }",
        "",
        "la regola ha superato il limite di ",
    );
    assert!(
        f.contains("1000000 operazioni (un ciclo che non finisce?)")
            || f.contains("1 secondo per una chiamata"),
        "{f}"
    );
    assert!(f.contains("(funzione `rapporto`)"), "{f}");
}

#[test]
fn deep_recursion() {
    let f = stopped_and_reported(
        "return giu(1);",
        "fn giu(n) { giu(n + 1) }",
        "la regola ha superato il limite di 24 chiamate annidate (una ricorsione che non finisce?)",
    );
    // The limit is reached in `giu`, called from the method being scored.
    assert!(f.contains("(funzione `rapporto`)"), "{f}");
}

#[test]
fn a_huge_string() {
    stopped_and_reported(
        "let t = \"x\"; while true { t += t; }",
        "",
        "testo troppo lungo",
    );
}

#[test]
fn a_huge_array() {
    stopped_and_reported(
        "let a = []; a.pad(5000000, 0); return a.len();",
        "",
        "elenco troppo grande",
    );
}

#[test]
fn slow_operations_are_stopped_by_the_clock() {
    // Each operation copies 99,000 characters: a million of them would take minutes.
    let f = stopped_and_reported(
        "let big = \"\"; big.pad(99000, \"x\"); let n = 0; while true { let t = big.sub_string(1); n += t.len(); }",
        "",
        "la regola ha superato il limite di 1 secondo per una chiamata",
    );
    assert!(f.contains("(funzione `rapporto`)"), "{f}");
}

#[test]
fn a_text_where_a_number_is_due() {
    let f = stopped_and_reported(
        "return \"cento\";",
        "",
        "deve restituire un numero, () oppure non_valutabile(\"motivo\"); calcolando l'indicatore «Indicatore 2» ha restituito testo 'cento'",
    );
    assert!(
        f.contains("La regola `rapporto` (indicatori.rhai, riga ")
            && f.contains(", dove inizia la funzione) deve restituire"),
        "{f}"
    );
    assert!(f.contains("Obiettivi!"), "{f}");
}

#[test]
fn nan_and_infinity() {
    stopped_and_reported(
        "return 0.0 / 0.0;",
        "",
        "ha dato un risultato non numerico (NaN)",
    );
    stopped_and_reported(
        "return 1.0 / 0.0;",
        "",
        "ha dato un risultato non numerico (infinito)",
    );
}

#[test]
fn a_thrown_error_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let input = workbook(dir.path());
    let (rules, line) = rules_with(dir.path(), "", "throw \"dato impossibile\";");
    let o = barometro(&["valuta", s(&input), "--regole", s(&rules)]);
    let text = stdout(&o);
    let finding = text
        .lines()
        .find(|l| l.contains("dato impossibile"))
        .unwrap_or_else(|| panic!("{text}"));
    located_at(finding, line);
}

/// Rules that cannot load stop every command with status 2, whatever the policy.
fn refused_at_load(helpers: &str, hostile: &str, message: &str) {
    let dir = tempfile::tempdir().unwrap();
    let input = workbook(dir.path());
    let (rules, line) = rules_with(dir.path(), helpers, hostile);
    let report = dir.path().join("relazione.xlsx");
    for policy in ["continua", "ferma"] {
        for args in [
            vec!["valuta", s(&input)],
            vec!["check", s(&input)],
            vec!["report", s(&input), "-o", s(&report)],
        ] {
            let mut args = args.clone();
            args.extend(["--regole", s(&rules), "--errori-regole", policy]);
            let o = barometro(&args);
            let e = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {e}");
            assert!(
                e.starts_with("errore") && e.contains("indicatori.rhai, riga "),
                "{args:?}: {e}"
            );
            assert!(e.contains(message), "{args:?}: {message}: {e}");
            if !hostile.is_empty() {
                assert!(
                    e.contains(&format!("riga {line}")),
                    "{args:?}: line {line}: {e}"
                );
            }
            assert!(!report.exists());
        }
    }
}

#[test]
fn import_is_refused_at_load() {
    // In a nested block, where Rhai itself would let it pass silently.
    refused_at_load(
        "",
        "import \"/etc/passwd\" as p;",
        "la parola `import` non è consentita nelle regole (le regole non possono leggere altri file né moduli)",
    );
}

#[test]
fn eval_is_refused_at_load() {
    refused_at_load(
        "",
        "return eval(\"40 + 2\");",
        "la parola `eval` non è consentita nelle regole (le regole non possono eseguire codice scritto come testo)",
    );
}

#[test]
fn a_syntax_error_is_refused_at_load() {
    refused_at_load("", "let x = ;", "errore di sintassi: inatteso ';'");
}

#[test]
fn the_policy_word_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let input = workbook(dir.path());
    let o = barometro(&["valuta", s(&input), "--errori-regole", "forse"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("valore non valido «forse»: scrivete continua oppure ferma"),
        "{}",
        stderr(&o)
    );
}
