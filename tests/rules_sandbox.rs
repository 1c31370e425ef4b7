//! The rule sandbox: rule sets built in memory from the default files with one function
//! replaced. Modules, `eval`, endless loops, deep recursion and huge strings are refused or
//! stopped; load errors name the file, line and column; a rule error becomes a finding for the
//! element being scored and the run goes on.

use barometro::model::{
    Area, Ente, Field, Finding, Indicator, IndicatorValue, Objective, Severity, Source,
};
use barometro::rules::{
    evaluate, EvaluateOptions, Evaluation, OnRuleError, RuleError, RuleFile, RuleSet,
};
use barometro::value::Value;

/// `MAX_CALL_LEVELS` of the sandbox (src/rules/api.rs), the same in debug and release builds.
const MAX_CALL_LEVELS: i64 = 24;

const SHEET: &str = "Obiettivi";

fn cell(row: u32, col: u32) -> Source {
    Source::new(SHEET.into(), row, col)
}

fn num(n: f64, row: u32, col: u32) -> Field {
    Field {
        raw: n.to_string().into(),
        value: Value::Number {
            number: n,
            unit: None,
        },
        source: cell(row, col),
    }
}

fn text(s: &str, row: u32, col: u32) -> Field {
    Field {
        raw: s.into(),
        value: Value::Text,
        source: cell(row, col),
    }
}

/// A ratio indicator on `row`: name, target, actual, weight.
fn indicator(row: u32, name: &str, target: f64, actual: f64, weight: f64) -> Indicator {
    let mut i = Indicator::new(cell(row, 0));
    i.set(IndicatorValue::Name, text(name, row, 0));
    i.set(IndicatorValue::Target, num(target, row, 5));
    i.set(IndicatorValue::Actual, num(actual, row, 6));
    i.set(IndicatorValue::Weight, num(weight, row, 8));
    i
}

/// One area, one objective, the given indicators (rows 3, 4, 5…).
fn ente_with(indicators: &[(&str, f64, f64, f64)]) -> Ente {
    let mut o = Objective::new(cell(3, 0));
    for (k, (name, t, a, w)) in indicators.iter().enumerate() {
        o.indicators.push(indicator(3 + k as u32, name, *t, *a, *w));
    }
    let mut area = Area::new("Servizi", "Settore");
    area.objectives.push(o);
    let mut ente = Ente::new("Comune di Prova", "prova.xlsx");
    ente.areas.push(area);
    ente
}

/// Three indicators: «uno» 40/50 (80), the one under test, «tre» 10/10 (100); weights 50/25/25.
fn three(middle: &str) -> Ente {
    ente_with(&[
        ("uno", 50.0, 40.0, 50.0),
        (middle, 10.0, 5.0, 25.0),
        ("tre", 10.0, 10.0, 25.0),
    ])
}

fn default_files() -> Vec<RuleFile> {
    RuleSet::default_set()
        .expect("the default rules compile")
        .files()
        .to_vec()
}

fn file_text<'a>(files: &'a [RuleFile], name: &str) -> &'a str {
    &files
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no file {name}"))
        .text
}

/// The byte range of `fn name(…) { … }` in `text`, braces in strings and comments skipped.
fn fn_range(text: &str, name: &str) -> std::ops::Range<usize> {
    let start = text
        .match_indices(&format!("fn {name}("))
        .map(|(i, _)| i)
        .find(|&i| i == 0 || text.as_bytes()[i - 1] == b'\n')
        .unwrap_or_else(|| panic!("no fn {name} at the start of a line"));
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut k = start;
    let mut in_string = false;
    while k < bytes.len() {
        let b = bytes[k];
        if in_string {
            match b {
                b'\\' => k += 1,
                b'"' => in_string = false,
                _ => {}
            }
        } else {
            match b {
                b'"' => in_string = true,
                b'/' if bytes.get(k + 1) == Some(&b'/') => {
                    while k < bytes.len() && bytes[k] != b'\n' {
                        k += 1;
                    }
                    continue;
                }
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        return start..k + 1;
                    }
                }
                _ => {}
            }
        }
        k += 1;
    }
    panic!("fn {name} does not end");
}

/// The default files with `fn name` of `file` replaced by `new` (`new` may be empty to remove
/// it).
fn files_with(file: &str, name: &str, new: &str) -> Vec<RuleFile> {
    let mut files = default_files();
    let f = files
        .iter_mut()
        .find(|f| f.name == file)
        .unwrap_or_else(|| panic!("no file {file}"));
    let range = fn_range(&f.text, name);
    f.text.replace_range(range, new);
    files
}

fn build(files: Vec<RuleFile>) -> Result<RuleSet, RuleError> {
    RuleSet::from_files("prova", None, files)
}

/// The default rules with `fn name` of `file` replaced by `new`; it must compile.
fn rules_with(file: &str, name: &str, new: &str) -> (RuleSet, Vec<RuleFile>) {
    let files = files_with(file, name, new);
    let set = build(files.clone()).unwrap_or_else(|e| panic!("rules do not compile: {e}"));
    (set, files)
}

/// The default files with `extra` appended to `file`.
fn files_plus(file: &str, extra: &str) -> Vec<RuleFile> {
    let mut files = default_files();
    let f = files.iter_mut().find(|f| f.name == file).unwrap();
    f.text.push('\n');
    f.text.push_str(extra);
    files
}

/// One-based line of the first line of `file` containing `needle`.
fn line_of(files: &[RuleFile], file: &str, needle: &str) -> usize {
    file_text(files, file)
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in {file}"))
        + 1
}

/// One-based column of `needle` in that line.
fn column_of(files: &[RuleFile], file: &str, needle: &str) -> usize {
    let line = file_text(files, file)
        .lines()
        .find(|l| l.contains(needle))
        .unwrap();
    line[..line.find(needle).unwrap()].chars().count() + 1
}

fn run(rules: &RuleSet, ente: Ente) -> Evaluation {
    evaluate(ente, rules, &EvaluateOptions::default())
}

fn scores(ev: &Evaluation) -> Vec<Option<f64>> {
    ev.areas[0].objectives[0]
        .indicators
        .iter()
        .map(|i| i.score.value)
        .collect()
}

fn errors(ev: &Evaluation) -> Vec<&Finding> {
    ev.findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect()
}

/// (file, line, column) from an "Errore nella regola FILE, riga L, colonna C" message.
fn rule_location(message: &str) -> Option<(String, usize, usize)> {
    let rest = message.split("Errore nella regola ").nth(1)?;
    let (file, rest) = rest.split_once(", riga ")?;
    let (line, rest) = rest.split_once(", colonna ")?;
    let column: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((file.to_string(), line.parse().ok()?, column.parse().ok()?))
}

/// The single rule-error finding of an evaluation.
fn the_rule_error(ev: &Evaluation) -> &Finding {
    let e: Vec<_> = errors(ev)
        .into_iter()
        .filter(|f| f.message.starts_with("Errore nella regola"))
        .collect();
    assert_eq!(e.len(), 1, "{:#?}", ev.findings);
    e[0]
}

/// Asserts that a limit error names `file`, the line where `fn function` starts and the function:
/// Rhai reports limits (operations, call depth, sizes) without a position, so barometro points at
/// the function that was running.
fn assert_limit_located(message: &str, files: &[RuleFile], file: &str, function: &str) {
    let text = file_text(files, file);
    let start = fn_range(text, function).start;
    let line = text[..start].lines().count() + 1;
    assert!(
        message.contains(&format!(
            "Errore nella regola {file}, riga {line} (dove inizia la funzione"
        )),
        "{message}"
    );
    assert!(
        message.contains(&format!("(funzione `{function}`)")),
        "{message}"
    );
}

/// Runs `f` on a thread with a 2 MiB stack (the default for spawned threads), as the binary
/// might when scoring in parallel.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Replacing functions in memory
// ---------------------------------------------------------------------------------------------

#[test]
fn a_replaced_method_is_used() {
    let (rules, _) = rules_with("indicatori.rhai", "rapporto", "fn rapporto(i) { 42 }");
    let ev = run(&rules, three("due"));
    assert_eq!(scores(&ev), [Some(42.0), Some(42.0), Some(42.0)]);
    assert_eq!(rules.name(), "prova");
    // The twin is still the default one: it belongs to `rapporto_excel`.
    assert!(ev.areas[0].objectives[0].indicators[0].score.twin.is_some());
}

#[test]
fn the_default_files_rebuilt_in_memory_give_the_same_scores() {
    let rules = build(default_files()).unwrap();
    let ev = run(&rules, three("due"));
    assert_eq!(scores(&ev), [Some(80.0), Some(50.0), Some(100.0)]);
    assert_eq!(ev.areas[0].objectives[0].score.value, Some(77.5));
}

// ---------------------------------------------------------------------------------------------
// Modules and eval
// ---------------------------------------------------------------------------------------------

#[test]
fn import_at_the_top_of_a_file_is_refused_at_load() {
    let files = files_plus("controlli.rhai", "import \"x\" as y;\n");
    match build(files) {
        Err(RuleError::Syntax { file, message, .. }) => {
            assert_eq!(file, "controlli.rhai");
            assert!(
                message.contains("la parola `import` non è consentita nelle regole (le regole non possono leggere altri file né moduli)"),
                "{message}"
            );
        }
        other => panic!("import accepted: {other:?}"),
    }
}

#[test]
fn import_in_a_function_is_refused() {
    let new = "fn rapporto(i) {\n    import \"x\" as y;\n    1\n}";
    let files = files_with("indicatori.rhai", "rapporto", new);
    match build(files) {
        Err(RuleError::Syntax { file, .. }) => assert_eq!(file, "indicatori.rhai"),
        Err(other) => panic!("unexpected error {other:?}"),
        Ok(rules) => {
            let ev = run(&rules, three("due"));
            assert_eq!(scores(&ev), [None, None, None]);
            let e = &errors(&ev)[0];
            assert!(e.message.contains("moduli"), "{}", e.message);
            assert!(e.message.contains("indicatori.rhai"), "{}", e.message);
        }
    }
}

#[test]
fn eval_is_refused_at_compile_time() {
    let new = "fn rapporto(i) {\n    eval(\"1\")\n}";
    let files = files_with("indicatori.rhai", "rapporto", new);
    let line = line_of(&files, "indicatori.rhai", "eval(");
    match build(files) {
        Err(RuleError::Syntax {
            file,
            line: l,
            message,
            ..
        }) => {
            assert_eq!(file, "indicatori.rhai");
            assert_eq!(l, line, "{message}");
        }
        other => panic!("eval accepted: {other:?}"),
    }
}

#[test]
fn eval_through_a_function_pointer_is_refused() {
    let new = "fn rapporto(i) {\n    let f = Fn(\"eval\");\n    f.call(\"40 + 2\")\n}";
    let files = files_with("indicatori.rhai", "rapporto", new);
    match build(files) {
        Err(RuleError::Syntax { file, .. }) => assert_eq!(file, "indicatori.rhai"),
        Err(other) => panic!("unexpected error {other:?}"),
        Ok(rules) => {
            let ev = run(&rules, three("due"));
            assert_eq!(scores(&ev), [None, None, None], "{:#?}", ev.findings);
            let e = &errors(&ev)[0];
            assert!(e.message.contains("`eval`"), "{}", e.message);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Limits: operations, call depth, sizes
// ---------------------------------------------------------------------------------------------

const LOOPING: &str = "fn rapporto(i) {
    if i.nome == \"ciclo\" { loop { } }
    max(0, min(100, i.consuntivo / i.target * 100))
}";

#[test]
fn an_endless_loop_is_stopped_and_the_others_are_scored() {
    let (rules, _) = rules_with("indicatori.rhai", "rapporto", LOOPING);
    let started = std::time::Instant::now();
    let ev = run(&rules, three("ciclo"));
    assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    assert_eq!(scores(&ev), [Some(80.0), None, Some(100.0)]);
    let i = &ev.areas[0].objectives[0].indicators[1];
    assert_eq!(i.score.reason.as_deref(), Some("errore nella regola"));
    let e = the_rule_error(&ev);
    assert!(e.message.contains("operazioni"), "{}", e.message);
    assert!(e.message.contains("«ciclo»"), "{}", e.message);
    assert_eq!(e.source, Some(cell(4, 0)));
    // The objective is the weighted mean of the two others: (50 × 80 + 25 × 100) / 75.
    let o = ev.areas[0].objectives[0].score.value.unwrap();
    assert!((o - 86.666_666).abs() < 0.001, "{o}");
    assert!(ev.areas[0].score.value.is_some());
    assert!(ev.score.value.is_some());
}

#[test]
fn with_stop_the_run_stops_at_the_first_rule_error() {
    let (rules, _) = rules_with("indicatori.rhai", "rapporto", LOOPING);
    let options = EvaluateOptions {
        on_rule_error: OnRuleError::Stop,
        ..EvaluateOptions::default()
    };
    let ev = evaluate(three("ciclo"), &rules, &options);
    let stopped = ev.stopped.as_ref().expect("the run stopped");
    assert!(
        stopped.message.contains("operazioni"),
        "{}",
        stopped.message
    );
    assert!(
        stopped.message.contains("indicatori.rhai"),
        "{}",
        stopped.message
    );
    assert_eq!(stopped.source, Some(cell(4, 0)));
    // Before the error: scored; after it: not called at all, and no error of its own.
    assert_eq!(scores(&ev), [Some(80.0), None, None]);
    let third = &ev.areas[0].objectives[0].indicators[2];
    assert_eq!(
        third.score.reason.as_deref(),
        Some("non calcolato: valutazione interrotta alla prima regola in errore")
    );
    assert_eq!(errors(&ev).len(), 1, "{:#?}", ev.findings);
    assert!(ev.score.value.is_none());
    // Continue (the default) scores the third.
    let ev = run(&rules, three("ciclo"));
    assert!(ev.stopped.is_none());
    assert_eq!(scores(&ev), [Some(80.0), None, Some(100.0)]);
}

#[test]
fn a_clean_run_has_no_stop() {
    let options = EvaluateOptions {
        on_rule_error: OnRuleError::Stop,
        ..EvaluateOptions::default()
    };
    let ev = evaluate(three("due"), &RuleSet::default_set().unwrap(), &options);
    assert!(ev.stopped.is_none());
    assert_eq!(scores(&ev), [Some(80.0), Some(50.0), Some(100.0)]);
}

/// About 400,000 operations per call (a loop iteration is a few): under the limit for one
/// call, over it for the three calls together.
const BUSY: &str = "fn rapporto(i) {
    let n = 0;
    while n < 100000 { n += 1; }
    max(0, min(100, i.consuntivo / i.target * 100))
}";

#[test]
fn each_rule_call_has_its_own_operation_budget() {
    // The operations are counted per call: over a whole run, a large workbook would stop at a
    // rule that is not looping.
    let (rules, _) = rules_with("indicatori.rhai", "rapporto", BUSY);
    let ev = run(&rules, three("due"));
    assert!(errors(&ev).is_empty(), "{:#?}", ev.findings);
    assert_eq!(scores(&ev), [Some(80.0), Some(50.0), Some(100.0)]);
}

#[test]
fn an_endless_loop_finding_names_file_and_function() {
    let (rules, files) = rules_with("indicatori.rhai", "rapporto", LOOPING);
    let ev = run(&rules, three("ciclo"));
    let e = the_rule_error(&ev);
    assert!(e.message.contains("operazioni"), "{}", e.message);
    assert_limit_located(&e.message, &files, "indicatori.rhai", "rapporto");
    let line = file_text(&files, "indicatori.rhai")
        [..fn_range(file_text(&files, "indicatori.rhai"), "rapporto").start]
        .lines()
        .count()
        + 1;
    assert_eq!(e.rule, format!("regola:indicatori.rhai:{line}"));
}

#[test]
fn an_endless_loop_in_a_helper_names_the_method_that_called_it() {
    let (rules, files) = rules_with(
        "indicatori.rhai",
        "consuntivo_mancante",
        "fn consuntivo_mancante(i) {\n    let n = 0;\n    while true { n += 1; }\n}",
    );
    let mut ente = three("due");
    // «due» has no actual: rapporto calls consuntivo_mancante.
    let ind = &mut ente.areas[0].objectives[0].indicators[1];
    *ind = {
        let mut i = Indicator::new(cell(4, 0));
        i.set(IndicatorValue::Name, text("due", 4, 0));
        i.set(IndicatorValue::Target, num(10.0, 4, 5));
        i
    };
    let ev = run(&rules, ente);
    assert_eq!(scores(&ev), [Some(80.0), None, Some(100.0)]);
    let e = the_rule_error(&ev);
    assert!(e.message.contains("operazioni"), "{}", e.message);
    // Rhai does not say which nested function hit the limit: the message names the method
    // barometro called (rapporto, which calls consuntivo_mancante).
    assert_limit_located(&e.message, &files, "indicatori.rhai", "rapporto");
}

const RECURSIVE: &str = "fn giu(n) {
    if n <= 0 { 0 } else { 1 + giu(n - 1) }
}
fn rapporto(i) {
    giu(i.consuntivo.to_int())
}";

#[test]
fn endless_recursion_is_stopped_with_a_finding() {
    let files = files_with(
        "indicatori.rhai",
        "rapporto",
        "fn giu(n) {\n    giu(n + 1)\n}\nfn rapporto(i) {\n    giu(0)\n}",
    );
    // A rule set is not `Send`: it is built on the thread that uses it.
    let ev = on_small_stack(move || {
        let rules = build(files).unwrap();
        let ev = run(&rules, three("due"));
        (
            scores(&ev),
            ev.findings
                .iter()
                .map(|f| (f.severity, f.message.clone()))
                .collect::<Vec<_>>(),
        )
    });
    assert_eq!(ev.0, [None, None, None]);
    let rule_errors: Vec<_> =
        ev.1.iter()
            .filter(|(s, m)| *s == Severity::Error && m.starts_with("Errore nella regola"))
            .collect();
    assert_eq!(rule_errors.len(), 3, "{:#?}", ev.1);
    let m = &rule_errors[0].1;
    assert!(m.contains("chiamate annidate"), "{m}");
    assert!(m.contains(&MAX_CALL_LEVELS.to_string()), "{m}");
    assert!(m.contains("indicatori.rhai"), "{m}");
}

#[test]
fn endless_recursion_finding_names_the_method() {
    let files = files_with(
        "indicatori.rhai",
        "rapporto",
        "fn giu(n) {\n    giu(n + 1)\n}\nfn rapporto(i) {\n    giu(0)\n}",
    );
    let rules = build(files.clone()).unwrap();
    let ev = run(&rules, ente_with(&[("x", 10.0, 5.0, 100.0)]));
    let e = the_rule_error(&ev);
    assert_limit_located(&e.message, &files, "indicatori.rhai", "rapporto");
}

#[test]
fn recursion_depth_limit_is_fixed() {
    let files = files_with("indicatori.rhai", "rapporto", RECURSIVE);
    // Depth n means n + 2 nested calls (rapporto, giu(n) … giu(0)); the limit does not depend
    // on the build profile or the stack size.
    let depths: Vec<(i64, Option<f64>)> = on_small_stack(move || {
        let rules = build(files).unwrap();
        (0..=MAX_CALL_LEVELS + 2)
            .map(|n| {
                let ev = run(&rules, ente_with(&[("x", 100.0, n as f64, 100.0)]));
                (n, ev.areas[0].objectives[0].indicators[0].score.value)
            })
            .collect()
    });
    let deepest = depths
        .iter()
        .filter(|(_, s)| s.is_some())
        .map(|(n, _)| *n)
        .max()
        .unwrap();
    for (n, s) in &depths {
        if *n <= deepest {
            assert_eq!(*s, Some(*n as f64), "depth {n}");
        } else {
            assert_eq!(*s, None, "depth {n}");
        }
    }
    // giu(23) … giu(0) called from rapporto is the deepest the sandbox allows.
    assert_eq!(deepest, MAX_CALL_LEVELS - 1);
}

#[test]
fn a_huge_string_is_stopped() {
    let (rules, _) = rules_with(
        "indicatori.rhai",
        "rapporto",
        "fn rapporto(i) {\n    let s = \"x\";\n    s.pad(10_000_000, 'x');\n    s.len()\n}",
    );
    let started = std::time::Instant::now();
    let ev = run(&rules, three("due"));
    assert!(started.elapsed().as_secs() < 2, "{:?}", started.elapsed());
    assert_eq!(scores(&ev), [None, None, None]);
    let e = &errors(&ev)[0];
    assert!(e.message.contains("testo troppo lungo"), "{}", e.message);
}

#[test]
fn a_string_doubling_loop_is_stopped() {
    let (rules, _) = rules_with(
        "indicatori.rhai",
        "rapporto",
        "fn rapporto(i) {\n    let s = \"x\";\n    loop { s += s; }\n}",
    );
    let started = std::time::Instant::now();
    let ev = run(&rules, three("due"));
    assert!(started.elapsed().as_secs() < 2, "{:?}", started.elapsed());
    assert_eq!(scores(&ev), [None, None, None]);
    let e = &errors(&ev)[0];
    assert!(e.message.contains("testo troppo lungo"), "{}", e.message);
    assert!(e.message.contains("indicatori.rhai"), "{}", e.message);
}

#[test]
fn a_string_limit_finding_names_the_function() {
    let (rules, files) = rules_with(
        "indicatori.rhai",
        "rapporto",
        "fn rapporto(i) {\n    let s = \"x\";\n    loop { s += s; }\n}",
    );
    let ev = run(&rules, ente_with(&[("x", 10.0, 5.0, 100.0)]));
    let e = the_rule_error(&ev);
    assert_limit_located(&e.message, &files, "indicatori.rhai", "rapporto");
}

#[test]
fn a_huge_array_is_stopped() {
    let (rules, _) = rules_with(
        "indicatori.rhai",
        "rapporto",
        "fn rapporto(i) {\n    let a = [1];\n    loop { a += a; }\n}",
    );
    let started = std::time::Instant::now();
    let ev = run(&rules, ente_with(&[("x", 10.0, 5.0, 100.0)]));
    assert!(started.elapsed().as_secs() < 3, "{:?}", started.elapsed());
    assert_eq!(scores(&ev), [None]);
    let e = &errors(&ev)[0];
    assert!(
        e.message.contains("elenco troppo grande") || e.message.contains("operazioni"),
        "{}",
        e.message
    );
}

// ---------------------------------------------------------------------------------------------
// Load errors
// ---------------------------------------------------------------------------------------------

#[test]
fn a_syntax_error_names_file_line_and_column() {
    let new = "fn rapporto(i) {\n    let x = ;\n    x\n}";
    let files = files_with("indicatori.rhai", "rapporto", new);
    let line = line_of(&files, "indicatori.rhai", "let x = ;");
    let column = column_of(&files, "indicatori.rhai", "let x = ;") + "let x = ".len();
    match build(files) {
        Err(RuleError::Syntax {
            file,
            line: l,
            column: c,
            message,
        }) => {
            assert_eq!(file, "indicatori.rhai");
            assert_eq!(l, line, "{message}");
            assert_eq!(c, column, "{message}");
            assert!(message.starts_with("errore di sintassi"), "{message}");
            let shown = RuleError::Syntax {
                file,
                line: l,
                column: c,
                message,
            }
            .to_string();
            assert!(
                shown.starts_with(&format!("indicatori.rhai, riga {line}, colonna {column}: ")),
                "{shown}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_syntax_error_in_another_file_names_that_file() {
    let files = files_plus("controlli.rhai", "fn rotta(a) {\n    a +\n}\n");
    let line = line_of(&files, "controlli.rhai", "fn rotta(a)") + 2;
    match build(files) {
        Err(RuleError::Syntax { file, line: l, .. }) => {
            assert_eq!(file, "controlli.rhai");
            assert_eq!(l, line);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_unclosed_function_is_a_syntax_error() {
    let files = files_with(
        "barometro.rhai",
        "giudizio",
        "fn giudizio(effettivo, atteso) {\n    \"In linea\"\n",
    );
    match build(files) {
        Err(RuleError::Syntax { file, line, .. }) => {
            assert_eq!(file, "barometro.rhai");
            assert!(line > 0);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_failing_top_level_statement_is_a_load_error() {
    let files = files_plus("atteso.rhai", "let zero = 0;\nlet x = 1 / zero;\n");
    let line = line_of(&files, "atteso.rhai", "let x = 1 / zero;");
    match build(files) {
        Err(RuleError::Syntax {
            file,
            line: l,
            message,
            ..
        }) => {
            assert_eq!(file, "atteso.rhai");
            assert_eq!(l, line, "{message}");
            assert!(message.contains("divisione per zero"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_missing_required_function_is_named() {
    for (file, name, shown) in [
        ("barometro.rhai", "fasce", "`fn fasce()`"),
        ("indicatori.rhai", "metodo", "`fn metodo(x)`"),
        (
            "aggregazione.rhai",
            "peso_obiettivo",
            "`fn peso_obiettivo(x, y)`",
        ),
        ("aggregazione.rhai", "ente", "`fn ente(x)`"),
    ] {
        match build(files_with(file, name, "")) {
            Err(RuleError::Definition { message }) => {
                assert!(message.contains(shown), "{name}: {message}");
                assert!(message.contains("'prova'"), "{message}");
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn a_missing_optional_function_is_fine() {
    let (rules, _) = rules_with("controlli.rhai", "controlla_indicatore", "");
    let ev = run(&rules, three("due"));
    assert_eq!(scores(&ev), [Some(80.0), Some(50.0), Some(100.0)]);
    let (rules, _) = rules_with("barometro.rhai", "giudizio", "");
    assert!(!rules.has_function("giudizio", 2));
    assert!(run(&rules, three("due")).score.value.is_some());
}

#[test]
fn a_function_defined_in_two_files_is_a_definition_error() {
    let files = files_plus("controlli.rhai", "fn rapporto(i) { 1 }\n");
    let first = line_of(&files, "indicatori.rhai", "fn rapporto(i)");
    let second = line_of(&files, "controlli.rhai", "fn rapporto(i)");
    match build(files) {
        Err(RuleError::Definition { message }) => {
            assert!(message.contains("`rapporto`"), "{message}");
            assert!(
                message.contains(&format!("indicatori.rhai, riga {first}")),
                "{message}"
            );
            assert!(
                message.contains(&format!("controlli.rhai, riga {second}")),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_function_defined_in_a_new_file_is_a_definition_error() {
    let mut files = default_files();
    files.push(RuleFile {
        name: "zz_mie.rhai".into(),
        text: "// le mie regole\nfn metodo(i) { \"rapporto\" }\n".into(),
    });
    match build(files) {
        Err(RuleError::Definition { message }) => {
            assert!(message.contains("`metodo`"), "{message}");
            assert!(message.contains("zz_mie.rhai, riga 2"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_same_name_with_another_arity_is_allowed() {
    let files = files_plus("controlli.rhai", "fn rapporto(a, b) { a / b }\n");
    let rules = build(files).unwrap();
    let ev = run(&rules, three("due"));
    assert_eq!(scores(&ev), [Some(80.0), Some(50.0), Some(100.0)]);
}

#[test]
fn bad_bands_are_a_definition_error_naming_the_file() {
    let files = files_with(
        "barometro.rhai",
        "fasce",
        "fn fasce() {\n    [ #{ da: 90, etichetta: \"Raggiunto\", colore: \"verde\" } ]\n}",
    );
    let line = line_of(&files, "barometro.rhai", "fn fasce()");
    match build(files) {
        Err(RuleError::Definition { message }) => {
            assert!(
                message.contains(&format!("barometro.rhai, riga {line}")),
                "{message}"
            );
            assert!(message.contains("verde"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Results that are not scores
// ---------------------------------------------------------------------------------------------

#[test]
fn an_infinite_result_is_an_error_and_no_score() {
    for (expr, word) in [
        ("1 / 0.0", "infinito"),
        ("-1.0 / 0.0", "infinito"),
        ("0.0 / 0.0", "NaN"),
    ] {
        let new =
            format!("fn rapporto(i) {{\n    if i.nome == \"due\" {{ {expr} }} else {{ 100 }}\n}}");
        let (rules, _) = rules_with("indicatori.rhai", "rapporto", &new);
        let ev = run(&rules, three("due"));
        assert_eq!(scores(&ev), [Some(100.0), None, Some(100.0)], "{expr}");
        let i = &ev.areas[0].objectives[0].indicators[1];
        assert_eq!(i.score.reason.as_deref(), Some("risultato non numerico"));
        let e = errors(&ev);
        assert_eq!(e.len(), 1, "{expr}: {:#?}", ev.findings);
        assert!(e[0].message.contains(word), "{}", e[0].message);
        assert!(e[0].message.contains("`rapporto`"), "{}", e[0].message);
        assert_eq!(e[0].source, Some(cell(4, 0)));
        assert!(
            e[0].rule.starts_with("regola:indicatori.rhai:"),
            "{}",
            e[0].rule
        );
        assert_eq!(ev.areas[0].objectives[0].score.value, Some(100.0));
    }
}

#[test]
fn integer_division_by_zero_is_a_located_error() {
    let (rules, files) = rules_with(
        "indicatori.rhai",
        "rapporto",
        "fn rapporto(i) {\n    let zero = 0;\n    1 / zero\n}",
    );
    let line = line_of(&files, "indicatori.rhai", "1 / zero");
    let ev = run(&rules, ente_with(&[("x", 10.0, 5.0, 100.0)]));
    assert_eq!(scores(&ev), [None]);
    let e = the_rule_error(&ev);
    assert!(e.message.contains("divisione per zero"), "{}", e.message);
    let (file, l, _) = rule_location(&e.message).unwrap();
    assert_eq!(
        (file.as_str(), l),
        ("indicatori.rhai", line),
        "{}",
        e.message
    );
}

#[test]
fn an_infinite_aggregate_is_an_error_and_no_score() {
    let (rules, _) = rules_with(
        "aggregazione.rhai",
        "obiettivo",
        "fn obiettivo(o) { 1.0 / 0.0 }",
    );
    let ev = run(&rules, three("due"));
    let o = &ev.areas[0].objectives[0];
    assert_eq!(o.score.value, None);
    assert_eq!(ev.areas[0].score.value, None);
    assert_eq!(ev.score.value, None);
    let e = errors(&ev);
    assert!(
        e.iter()
            .any(|f| f.message.contains("`obiettivo`") && f.message.contains("infinito")),
        "{:#?}",
        ev.findings
    );
}

#[test]
fn a_method_returning_text_is_an_error() {
    let (rules, _) = rules_with(
        "indicatori.rhai",
        "rapporto",
        "fn rapporto(i) { \"molto\" }",
    );
    let ev = run(&rules, ente_with(&[("x", 10.0, 5.0, 100.0)]));
    assert_eq!(scores(&ev), [None]);
    let e = errors(&ev);
    assert_eq!(e.len(), 1, "{:#?}", ev.findings);
    assert!(e[0].message.contains("'molto'"), "{}", e[0].message);
}

#[test]
fn metodo_returning_a_number_is_an_error() {
    let (rules, _) = rules_with("indicatori.rhai", "metodo", "fn metodo(i) { 42 }");
    let ev = run(&rules, three("due"));
    assert_eq!(scores(&ev), [None, None, None]);
    let i = &ev.areas[0].objectives[0].indicators[0];
    assert_eq!(i.method, "");
    assert_eq!(i.score.reason.as_deref(), Some("metodo non determinato"));
    assert!(errors(&ev)
        .iter()
        .any(|f| f.message.contains("`metodo` deve restituire")));
}

// ---------------------------------------------------------------------------------------------
// throw and errors that do not stop the run
// ---------------------------------------------------------------------------------------------

#[test]
fn throw_keeps_the_message_and_the_run_goes_on() {
    let new = "fn rapporto(i) {
    if i.nome == \"rotto\" {
        throw \"Il target di «rotto» è scritto male: correggete la cella\";
    }
    max(0, min(100, i.consuntivo / i.target * 100))
}";
    let (rules, files) = rules_with("indicatori.rhai", "rapporto", new);
    let line = line_of(&files, "indicatori.rhai", "throw \"Il target");
    let column = column_of(&files, "indicatori.rhai", "throw \"Il target");
    let ev = run(&rules, three("rotto"));
    assert_eq!(scores(&ev), [Some(80.0), None, Some(100.0)]);
    let e = the_rule_error(&ev);
    assert!(
        e.message
            .ends_with(": Il target di «rotto» è scritto male: correggete la cella"),
        "{}",
        e.message
    );
    assert!(e.message.contains("(funzione `rapporto`)"), "{}", e.message);
    assert!(e.message.contains("l'indicatore «rotto»"), "{}", e.message);
    let (file, l, c) = rule_location(&e.message).unwrap();
    assert_eq!(
        (file.as_str(), l, c),
        ("indicatori.rhai", line, column),
        "{}",
        e.message
    );
    assert_eq!(e.source, Some(cell(4, 0)));
    // Everything above is still computed, and the checks still ran.
    assert!(ev.areas[0].objectives[0].score.value.is_some());
    assert!(ev.score.value.is_some());
}

#[test]

fn a_throw_in_a_helper_of_another_file_names_that_file() {
    // `controlla_indicatore` (controlli.rhai) calls `polarita` (indicatori.rhai).
    let new = "fn polarita(i) {
    if i.nome == \"rotto\" { throw \"polarità illeggibile\"; }
    \"crescente\"
}";
    let (rules, files) = rules_with("indicatori.rhai", "polarita", new);
    let line = line_of(&files, "indicatori.rhai", "polarità illeggibile");
    let mut ente = three("rotto");
    // A Metodo column: `metodo` does not call `polarita`, only the check does.
    for (k, ind) in ente.areas[0].objectives[0]
        .indicators
        .iter_mut()
        .enumerate()
    {
        ind.set(IndicatorValue::Method, text("rapporto", 3 + k as u32, 3));
        // An interim actual above the final one: the cumulative check asks `polarita`.
        ind.set(IndicatorValue::InterimActual, num(1000.0, 3 + k as u32, 7));
    }
    let ev = run(&rules, ente);
    assert_eq!(scores(&ev), [Some(80.0), Some(50.0), Some(100.0)]);
    let e = the_rule_error(&ev);
    assert!(e.message.contains("polarità illeggibile"), "{}", e.message);
    assert!(e.message.contains("`polarita`"), "{}", e.message);
    let (file, l, _) = rule_location(&e.message).unwrap();
    assert_eq!(
        (file.as_str(), l),
        ("indicatori.rhai", line),
        "{}",
        e.message
    );
}

#[test]
fn an_error_in_a_check_does_not_stop_the_other_checks() {
    let new = "fn controlla_indicatore(i) {
    if i.nome == \"rotto\" { throw \"controllo fallito\"; }
    []
}";
    let (rules, files) = rules_with("controlli.rhai", "controlla_indicatore", new);
    let line = line_of(&files, "controlli.rhai", "controllo fallito");
    // Weights 50 + 25 + 20 = 95: the objective check must still report it.
    let ente = ente_with(&[
        ("uno", 50.0, 40.0, 50.0),
        ("rotto", 10.0, 5.0, 25.0),
        ("tre", 10.0, 10.0, 20.0),
    ]);
    let ev = run(&rules, ente);
    assert_eq!(scores(&ev), [Some(80.0), Some(50.0), Some(100.0)]);
    let e = the_rule_error(&ev);
    let (file, l, _) = rule_location(&e.message).unwrap();
    assert_eq!(
        (file.as_str(), l),
        ("controlli.rhai", line),
        "{}",
        e.message
    );
    assert!(
        errors(&ev)
            .iter()
            .any(|f| f.message.contains("sommano a 95")),
        "{:#?}",
        ev.findings
    );
}

#[test]
fn errors_in_several_indicators_are_all_reported() {
    let new = "fn rapporto(i) {
    if i.nome != \"uno\" { throw \"errore in \" + i.nome; }
    100
}";
    let (rules, _) = rules_with("indicatori.rhai", "rapporto", new);
    let mut ente = three("due");
    let second = ente.areas[0].objectives[0].clone();
    ente.areas[0].objectives.push(second);
    let ev = run(&rules, ente);
    let rule_errors: Vec<_> = errors(&ev)
        .into_iter()
        .filter(|f| f.message.starts_with("Errore nella regola"))
        .collect();
    assert_eq!(rule_errors.len(), 4, "{:#?}", ev.findings);
    assert!(rule_errors[0].message.ends_with("errore in due"));
    assert!(rule_errors[1].message.ends_with("errore in tre"));
    for o in &ev.areas[0].objectives {
        assert_eq!(o.score.value, Some(100.0));
    }
    assert_eq!(ev.score.value, Some(100.0));
}

#[test]
fn strict_variables_catch_typos_at_load() {
    let new = "fn rapporto(i) {\n    let c = i.consuntivo;\n    c / tagret\n}";
    let files = files_with("indicatori.rhai", "rapporto", new);
    let line = line_of(&files, "indicatori.rhai", "c / tagret");
    match build(files) {
        Err(RuleError::Syntax {
            file,
            line: l,
            message,
            ..
        }) => {
            assert_eq!(file, "indicatori.rhai");
            assert_eq!(l, line);
            assert!(message.contains("tagret"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_unknown_property_is_a_located_runtime_error() {
    let new = "fn rapporto(i) {\n    i.consuntivo / i.tagret\n}";
    let (rules, files) = rules_with("indicatori.rhai", "rapporto", new);
    let line = line_of(&files, "indicatori.rhai", "i.tagret");
    let ev = run(&rules, ente_with(&[("x", 10.0, 5.0, 100.0)]));
    assert_eq!(scores(&ev), [None]);
    let e = the_rule_error(&ev);
    assert!(e.message.contains("tagret"), "{}", e.message);
    let (file, l, _) = rule_location(&e.message).unwrap();
    assert_eq!(
        (file.as_str(), l),
        ("indicatori.rhai", line),
        "{}",
        e.message
    );
}

#[test]

fn an_unknown_property_message_is_in_italian() {
    let new = "fn rapporto(i) {\n    i.consuntivo / i.tagret\n}";
    let (rules, _) = rules_with("indicatori.rhai", "rapporto", new);
    let ev = run(&rules, ente_with(&[("x", 10.0, 5.0, 100.0)]));
    let e = the_rule_error(&ev);
    assert!(e.message.contains("proprietà sconosciuta"), "{}", e.message);
    assert!(!e.message.contains("getter"), "{}", e.message);
}

#[test]
fn a_listed_method_without_its_function_is_a_load_error() {
    let files = files_with(
        "indicatori.rhai",
        "metodi",
        "fn metodi() {\n    [\"rapporto\", \"percentuale_magica\"]\n}",
    );
    let err = build(files).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("indicatori.rhai, riga"), "{text}");
    assert!(text.contains("«percentuale_magica»"), "{text}");
    assert!(text.contains("fn percentuale_magica(i)"), "{text}");
}
