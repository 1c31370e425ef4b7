//! The sandboxed Rhai engine and the rule API: spreadsheet functions with Excel's semantics,
//! dates, findings, and the properties of the views.

use chrono::{Datelike, Duration, NaiveDate};
use rhai::module_resolvers::DummyModuleResolver;
use rhai::packages::{Package, StandardPackage};
use rhai::{
    Array, Dynamic, Engine, EvalAltResult, ImmutableString, NativeCallContext, ParseError,
    Position, INT,
};

use super::excel::{round_decimal, Rounding};
use super::set::RuleError;
use super::view::{
    extra_field, months_up_to, text_dynamic, value_dynamic, ActivityView, AreaView, EnteView,
    IndicatorView, ObjectiveView, RuleDate, INDICATOR_FIELDS,
};
use crate::model::{Severity, Source};
use crate::value::{Comparator, Value};

/// Operations one rule call may perform before it is stopped (an endless loop ends here).
pub const MAX_OPERATIONS: u64 = 1_000_000;
/// Nested function calls allowed; the same in debug and release builds.
pub const MAX_CALL_LEVELS: usize = 24;
/// Longest string a rule may build.
pub const MAX_STRING_SIZE: usize = 100_000;
/// Largest array or map a rule may build.
pub const MAX_ARRAY_SIZE: usize = 1_000_000;
/// Wall-clock time one rule call may take (operations on large strings or arrays can make
/// [`MAX_OPERATIONS`] slow): 1 second. Checked every [`CLOCK_EVERY`] operations.
pub const MAX_CALL_TIME: std::time::Duration = std::time::Duration::from_secs(1);
/// How often (in operations) the clock of [`MAX_CALL_TIME`] is read.
const CLOCK_EVERY: u64 = 1024;

thread_local! {
    /// When the rule call running on this thread started (its first operation).
    static CALL_STARTED: std::cell::Cell<Option<std::time::Instant>> =
        const { std::cell::Cell::new(None) };
}

/// Stops a call past [`MAX_CALL_TIME`]: Rhai counts operations per call from 1.
fn progress(operations: u64) -> Option<Dynamic> {
    if operations <= 1 {
        CALL_STARTED.with(|c| c.set(Some(std::time::Instant::now())));
    } else if operations.is_multiple_of(CLOCK_EVERY) {
        let late = CALL_STARTED.with(|c| c.get().is_some_and(|t| t.elapsed() > MAX_CALL_TIME));
        if late {
            return Some(Dynamic::from(TIME_LIMIT_TOKEN));
        }
    }
    None
}

/// The token of a call stopped by [`MAX_CALL_TIME`].
const TIME_LIMIT_TOKEN: &str = "limite-di-tempo";

/// What `non_valutabile(motivo)` returns: no score, and why.
#[derive(Debug, Clone)]
pub struct NotScored {
    pub reason: String,
}

/// A finding made by a check (`errore`, `avviso`, `info`).
#[derive(Debug, Clone)]
pub struct RuleFinding {
    pub severity: Severity,
    pub message: String,
    pub source: Option<Source>,
    /// Rule file and line of the call that made it.
    pub origin: String,
}

/// Builds the sandbox: no file access, no modules, no `eval`, limits on operations, call depth
/// and sizes, and the rule API.
pub fn sandbox() -> Engine {
    let mut engine = Engine::new_raw();
    engine.register_global_module(StandardPackage::new().as_shared_module());
    engine.set_module_resolver(DummyModuleResolver::new());
    // Refused when the rules are compiled, wherever they stand (an `import` in a nested block
    // would otherwise pass unnoticed: the resolver finds nothing, but says nothing either).
    engine.disable_symbol("eval");
    engine.disable_symbol("import");
    engine.disable_symbol("export");
    engine.set_max_operations(MAX_OPERATIONS);
    engine.on_progress(progress);
    engine.set_max_call_levels(MAX_CALL_LEVELS);
    engine.set_max_expr_depths(64, 32);
    engine.set_max_string_size(MAX_STRING_SIZE);
    engine.set_max_array_size(MAX_ARRAY_SIZE);
    engine.set_max_map_size(10_000);
    engine.set_max_modules(0);
    engine.set_strict_variables(true);
    engine.set_fail_on_invalid_map_property(true);
    engine.on_print(|s| eprintln!("regole: {s}"));
    engine.on_debug(|s, src, pos| {
        eprintln!(
            "regole {}:{}: {s}",
            src.unwrap_or(""),
            pos.line().unwrap_or(0)
        )
    });
    register_numbers(&mut engine);
    register_dates(&mut engine);
    register_results(&mut engine);
    register_views(&mut engine);
    engine
}

/// A number from a rule value: floats and integers; `None` otherwise.
pub fn number_of(d: &Dynamic) -> Option<f64> {
    if let Ok(f) = d.as_float() {
        Some(f)
    } else {
        d.as_int().ok().map(|i| i as f64)
    }
}

fn numbers(list: &Array) -> impl Iterator<Item = f64> + '_ {
    list.iter().filter_map(number_of)
}

fn rounding(x: Dynamic, digits: INT, mode: Rounding) -> Result<Dynamic, Box<EvalAltResult>> {
    if x.is_unit() {
        return Ok(Dynamic::UNIT);
    }
    match number_of(&x) {
        Some(n) => Ok(Dynamic::from_float(round_decimal(n, digits, mode))),
        None => Err(format!(
            "si può arrotondare solo un numero, non '{}' ({})",
            x,
            type_it(&x)
        )
        .into()),
    }
}

/// The Italian name of a rule value's type, for messages.
pub fn type_it(d: &Dynamic) -> &'static str {
    if d.is_unit() {
        "vuoto"
    } else if d.is_float() || d.is_int() {
        "numero"
    } else if d.is_string() {
        "testo"
    } else if d.is::<RuleDate>() {
        "data"
    } else if d.is_array() {
        "elenco"
    } else if d.is_bool() {
        "vero/falso"
    } else {
        "altro"
    }
}

fn register_numbers(engine: &mut Engine) {
    for (names, mode) in [
        (["round", "arrotonda"], Rounding::HalfUp),
        (["rounddown", "arrotonda_per_difetto"], Rounding::Down),
        (["roundup", "arrotonda_per_eccesso"], Rounding::Up),
    ] {
        for name in names {
            engine.register_fn(name, move |x: Dynamic, n: INT| rounding(x, n, mode));
        }
    }
    engine.register_fn("trunc", |x: Dynamic| rounding(x, 0, Rounding::Down));
    engine.register_fn("trunc", |x: Dynamic, n: INT| rounding(x, n, Rounding::Down));

    // MIN / MAX of two values, integers and floats mixed; of a list, skipping non-numbers.
    engine.register_fn("min", |a: f64, b: f64| a.min(b));
    engine.register_fn("min", |a: INT, b: f64| (a as f64).min(b));
    engine.register_fn("min", |a: f64, b: INT| a.min(b as f64));
    engine.register_fn("max", |a: f64, b: f64| a.max(b));
    engine.register_fn("max", |a: INT, b: f64| (a as f64).max(b));
    engine.register_fn("max", |a: f64, b: INT| a.max(b as f64));
    engine.register_fn("min", |l: Array| {
        numbers(&l)
            .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.min(x))))
            .map_or(Dynamic::UNIT, Dynamic::from_float)
    });
    engine.register_fn("max", |l: Array| {
        numbers(&l)
            .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))))
            .map_or(Dynamic::UNIT, Dynamic::from_float)
    });
    for name in ["sum", "somma"] {
        engine.register_fn(name, |l: Array| numbers(&l).sum::<f64>());
    }
    for name in ["average", "media"] {
        engine.register_fn(name, |l: Array| {
            let (s, n) = numbers(&l).fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
            if n == 0 {
                Dynamic::UNIT
            } else {
                Dynamic::from_float(s / n as f64)
            }
        });
    }
    for name in ["count", "conta"] {
        engine.register_fn(name, |l: Array| numbers(&l).count() as INT);
    }
    for name in ["sumproduct", "matr_somma_prodotto"] {
        engine.register_fn(name, |a: Array, b: Array| sumproduct(&a, &b));
    }
    engine.register_fn("somma_pesata", |values: Array, weights: Array| {
        sumproduct(&weights, &values)
    });
    engine.register_fn("media_pesata", |values: Array, weights: Array| {
        let mut num = 0.0;
        let mut den = 0.0;
        for (v, w) in values.iter().zip(weights.iter()) {
            if let (Some(v), Some(w)) = (number_of(v), number_of(w)) {
                num += w * v;
                den += w;
            }
        }
        if den == 0.0 {
            Dynamic::UNIT
        } else {
            Dynamic::from_float(num / den)
        }
    });
    engine.register_fn(
        "se",
        |c: bool, a: Dynamic, b: Dynamic| if c { a } else { b },
    );
    engine.register_fn("e_numero", |x: Dynamic| number_of(&x).is_some());
    engine.register_fn("e_vuoto", |x: Dynamic| x.is_unit());
    engine.register_fn("e_testo", |x: Dynamic| x.is_string());
    engine.register_fn("e_data", |x: Dynamic| x.is::<RuleDate>());
    engine.register_fn("normalizza", |s: ImmutableString| normalise_text(&s));
    engine.register_fn("normalizza", |_: ()| ImmutableString::new());
    engine.register_fn(
        "separa_codice",
        |s: ImmutableString| match crate::read::split_code(&s) {
            Some((code, rest)) => Dynamic::from_array(vec![
                Dynamic::from(ImmutableString::from(code)),
                Dynamic::from(ImmutableString::from(rest.trim())),
            ]),
            None => Dynamic::UNIT,
        },
    );
    engine.register_fn("separa_codice", |_: ()| Dynamic::UNIT);
}

/// SUMPRODUCT: non-numbers count as 0, lists of different length are an error in Excel and
/// here the shorter one decides.
fn sumproduct(a: &Array, b: &Array) -> f64 {
    a.iter()
        .zip(b.iter())
        .map(|(x, y)| number_of(x).unwrap_or(0.0) * number_of(y).unwrap_or(0.0))
        .sum()
}

/// Lower case, accents removed, spaces collapsed, no spaces around `=`: for matching formula
/// texts like `1= fatto  0 =non fatto`.
pub fn normalise_text(s: &str) -> ImmutableString {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'á' | 'â' => 'a',
            'è' | 'é' | 'ê' => 'e',
            'ì' | 'í' | 'î' => 'i',
            'ò' | 'ó' | 'ô' => 'o',
            'ù' | 'ú' | 'û' => 'u',
            c if c.is_whitespace() => ' ',
            c => c,
        };
        if c == ' ' && (out.ends_with(' ') || out.ends_with('=') || out.is_empty()) {
            continue;
        }
        if c == '=' && out.ends_with(' ') {
            out.pop();
        }
        out.push(c);
    }
    out.trim_end().into()
}

/// A period written as two dates (`01/01/2024 - 31/12/2024`, `dal 1/1/2024 al 31/12/2024`).
fn period(text: &str) -> Dynamic {
    let dates: Vec<NaiveDate> = text
        .split(|c: char| c.is_whitespace() || c == '\u{2013}')
        .filter(|w| w.chars().any(|c| c.is_ascii_digit()))
        .filter_map(|w| {
            crate::value::parse_date(w.trim_matches(|c: char| !c.is_ascii_digit()))
                .ok()
                .flatten()
                .map(|(d, _)| d)
        })
        .collect();
    match dates.as_slice() {
        [from, to] => Dynamic::from_array(vec![
            Dynamic::from(RuleDate(*from)),
            Dynamic::from(RuleDate(*to)),
        ]),
        _ => Dynamic::UNIT,
    }
}

fn register_dates(engine: &mut Engine) {
    engine.register_type_with_name::<RuleDate>("Data");
    engine.register_fn("data", |y: INT, m: INT, d: INT| {
        NaiveDate::from_ymd_opt(y as i32, m as u32, d as u32)
            .map(RuleDate)
            .ok_or_else(|| -> Box<EvalAltResult> {
                format!("la data {d}/{m}/{y} non esiste").into()
            })
    });
    // `periodo("01/01/2024 - 31/12/2024")` gives [inizio, fine]; () when the text is not a
    // period of two valid dates.
    engine.register_fn("periodo", |text: ImmutableString| period(&text));
    engine.register_fn("periodo", |_: ()| Dynamic::UNIT);
    engine.register_get("anno", |d: &mut RuleDate| d.0.year() as INT);
    engine.register_get("mese", |d: &mut RuleDate| d.0.month() as INT);
    engine.register_get("giorno", |d: &mut RuleDate| d.0.day() as INT);
    for name in ["days", "giorni"] {
        engine.register_fn(name, |end: RuleDate, start: RuleDate| {
            super::excel::days(end.0, start.0)
        });
    }
    engine.register_fn("-", |a: RuleDate, b: RuleDate| (a.0 - b.0).num_days());
    engine.register_fn("+", |a: RuleDate, n: INT| RuleDate(a.0 + Duration::days(n)));
    engine.register_fn("-", |a: RuleDate, n: INT| RuleDate(a.0 - Duration::days(n)));
    engine.register_fn("<", |a: RuleDate, b: RuleDate| a < b);
    engine.register_fn("<=", |a: RuleDate, b: RuleDate| a <= b);
    engine.register_fn(">", |a: RuleDate, b: RuleDate| a > b);
    engine.register_fn(">=", |a: RuleDate, b: RuleDate| a >= b);
    engine.register_fn("==", |a: RuleDate, b: RuleDate| a == b);
    engine.register_fn("!=", |a: RuleDate, b: RuleDate| a != b);
    engine.register_fn("to_string", |d: &mut RuleDate| d.to_string());
    engine.register_fn("to_debug", |d: &mut RuleDate| d.to_string());
    engine.register_fn("mesi_fino_a", |months: Array, at: RuleDate| {
        let ms: Vec<u8> = months
            .iter()
            .filter_map(|m| m.as_int().ok())
            .filter(|m| (1..=12).contains(m))
            .map(|m| m as u8)
            .collect();
        months_up_to(&ms, at)
    });
}

fn register_results(engine: &mut Engine) {
    engine.register_type_with_name::<NotScored>("NonValutabile");
    engine.register_fn("non_valutabile", |reason: ImmutableString| NotScored {
        reason: reason.to_string(),
    });
    engine.register_fn("to_string", |n: &mut NotScored| {
        format!("non valutabile: {}", n.reason)
    });
    engine.register_type_with_name::<RuleFinding>("Segnalazione");
    engine.register_fn("to_string", |f: &mut RuleFinding| f.message.clone());

    macro_rules! finding_constructors {
        ($ty:ty, $source:expr) => {
            for (name, severity) in [
                ("errore", Severity::Error),
                ("avviso", Severity::Warning),
                ("info", Severity::Info),
            ] {
                engine.register_fn(
                    name,
                    move |ctx: NativeCallContext,
                          elem: $ty,
                          field: ImmutableString,
                          message: ImmutableString| {
                        let source: Option<Source> = $source(&elem, field.as_str());
                        make_finding(&ctx, severity, message.as_str(), source)
                    },
                );
                engine.register_fn(
                    name,
                    move |ctx: NativeCallContext, elem: $ty, message: ImmutableString| {
                        let source: Option<Source> = $source(&elem, "");
                        make_finding(&ctx, severity, message.as_str(), source)
                    },
                );
            }
        };
    }
    finding_constructors!(IndicatorView, |e: &IndicatorView, f: &str| Some(
        e.source_of(f)
    ));
    finding_constructors!(ObjectiveView, |e: &ObjectiveView, f: &str| Some(
        e.source_of(f)
    ));
    finding_constructors!(ActivityView, |e: &ActivityView, f: &str| e.source_of(f));
    finding_constructors!(AreaView, |e: &AreaView, _f: &str| e
        .path
        .get(&e.ente)
        .source
        .clone());
    finding_constructors!(EnteView, |_e: &EnteView, _f: &str| None);
}

fn make_finding(
    ctx: &NativeCallContext,
    severity: Severity,
    message: &str,
    source: Option<Source>,
) -> RuleFinding {
    let pos = ctx.call_position();
    let origin = match (ctx.call_source(), pos.line()) {
        (Some(src), Some(line)) => format!("{src}:{line}"),
        (Some(src), None) => src.to_string(),
        (None, Some(line)) => format!("riga {line}"),
        (None, None) => String::new(),
    };
    RuleFinding {
        severity,
        message: message.to_string(),
        source,
        origin,
    }
}

fn array_of_u8(list: &[u8]) -> Array {
    list.iter().map(|&m| Dynamic::from_int(m as INT)).collect()
}

fn stated_totals(totals: &[crate::model::StatedTotal]) -> Array {
    totals
        .iter()
        .map(|t| {
            let mut map = rhai::Map::new();
            map.insert("etichetta".into(), text_dynamic(Some(&t.label)));
            map.insert(
                "cella".into(),
                Dynamic::from(ImmutableString::from(t.label.source.to_string())),
            );
            for (role, f) in &t.values {
                map.insert(role.as_str().into(), value_dynamic(Some(f)));
            }
            Dynamic::from_map(map)
        })
        .collect()
}

/// Labelled fields (strategy links, extra columns, monitoring texts) as a list of maps: `colonna` (the
/// label), `testo` (as written), `valore` (as a rule reads it) and `cella`.
fn labelled_fields(fields: &[(String, crate::model::Field)]) -> Array {
    fields
        .iter()
        .map(|(label, f)| {
            let mut map = rhai::Map::new();
            map.insert(
                "colonna".into(),
                Dynamic::from(ImmutableString::from(label.as_str())),
            );
            map.insert("testo".into(), text_dynamic(Some(f)));
            map.insert("valore".into(), value_dynamic(Some(f)));
            map.insert(
                "cella".into(),
                Dynamic::from(ImmutableString::from(f.source.to_string())),
            );
            Dynamic::from_map(map)
        })
        .collect()
}

fn register_views(engine: &mut Engine) {
    // Indicatore
    engine.register_type_with_name::<IndicatorView>("Indicatore");
    for (name, which) in INDICATOR_FIELDS {
        let which = *which;
        engine.register_get(name, move |v: &mut IndicatorView| v.value(which));
    }
    engine.register_get("polarita", |v: &mut IndicatorView| v.polarity());
    engine.register_get("operatore_target", |v: &mut IndicatorView| {
        match v.indicator().target().map(|f| &f.value) {
            Some(Value::Comparison { op, .. }) => Dynamic::from(ImmutableString::from(match op {
                Comparator::Ge => ">=",
                Comparator::Gt => ">",
                Comparator::Le => "<=",
                Comparator::Lt => "<",
                Comparator::Eq => "=",
            })),
            _ => Dynamic::UNIT,
        }
    });
    engine.register_get("codice_obiettivo", |v: &mut IndicatorView| {
        text_dynamic(v.objective().code.as_ref())
    });
    engine.register_get("anno_riferimento", |v: &mut IndicatorView| {
        v.ente
            .reporting_year
            .map_or(Dynamic::UNIT, |y| Dynamic::from_float(f64::from(y)))
    });
    engine.register_get("punteggio", |v: &mut IndicatorView| v.score.clone());
    engine.register_get("metodo_usato", |v: &mut IndicatorView| v.method.clone());
    engine.register_fn("testo", |v: &mut IndicatorView, field: ImmutableString| {
        match super::view::indicator_field(&field) {
            Some(which) => {
                v.mark(which);
                text_dynamic(v.indicator().get(which))
            }
            None => text_dynamic(extra_field(&v.indicator().extra, &field)),
        }
    });
    engine.register_fn(
        "colonna",
        |v: &mut IndicatorView, header: ImmutableString| {
            value_dynamic(extra_field(&v.indicator().extra, &header))
        },
    );
    engine.register_fn(
        "testo_colonna",
        |v: &mut IndicatorView, header: ImmutableString| {
            text_dynamic(extra_field(&v.indicator().extra, &header))
        },
    );
    engine.register_fn("cella", |v: &mut IndicatorView, field: ImmutableString| {
        v.source_of(&field).to_string()
    });
    engine.register_fn("to_string", |v: &mut IndicatorView| {
        let ind = v.indicator();
        format!(
            "indicatore «{}» ({})",
            ind.name().map_or("senza nome", |f| f.text()),
            ind.source
        )
    });

    // Obiettivo
    engine.register_type_with_name::<ObjectiveView>("Obiettivo");
    engine.register_get("codice", |v: &mut ObjectiveView| {
        text_dynamic(v.objective().code.as_ref())
    });
    engine.register_get("titolo", |v: &mut ObjectiveView| {
        text_dynamic(v.objective().title.as_ref())
    });
    engine.register_get("descrizione", |v: &mut ObjectiveView| {
        text_dynamic(v.objective().description.as_ref())
    });
    engine.register_get("peso", |v: &mut ObjectiveView| {
        value_dynamic(v.objective().weight.as_ref())
    });
    engine.register_get("priorita", |v: &mut ObjectiveView| {
        value_dynamic(v.objective().priority.as_ref())
    });
    engine.register_get("nota", |v: &mut ObjectiveView| {
        text_dynamic(v.objective().note.as_ref())
    });
    engine.register_get("segnato_neutralizzato", |v: &mut ObjectiveView| {
        v.objective().neutralised
    });
    engine.register_get("neutralizzato", |v: &mut ObjectiveView| v.neutralised);
    engine.register_get("indicatori", |v: &mut ObjectiveView| {
        v.children.items.clone()
    });
    engine.register_get("attivita", |v: &mut ObjectiveView| (*v.activities).clone());
    engine.register_get("punteggi", |v: &mut ObjectiveView| {
        v.children.punteggi.clone()
    });
    engine.register_get("pesi", |v: &mut ObjectiveView| v.children.pesi.clone());
    engine.register_get("attesi", |v: &mut ObjectiveView| v.children.attesi.clone());
    engine.register_get("effettivi", |v: &mut ObjectiveView| (*v.effettivi).clone());
    engine.register_get("punteggio", |v: &mut ObjectiveView| v.score.clone());
    engine.register_get("atteso", |v: &mut ObjectiveView| v.expected.clone());
    engine.register_get("peso_calcolato", |v: &mut ObjectiveView| v.weight.clone());
    engine.register_get("strategia", |v: &mut ObjectiveView| {
        labelled_fields(&v.objective().strategy)
    });
    engine.register_get("stati", |v: &mut ObjectiveView| {
        labelled_fields(&v.objective().status)
    });
    engine.register_get("colonne", |v: &mut ObjectiveView| {
        labelled_fields(&v.objective().extra)
    });
    engine.register_fn(
        "colonna",
        |v: &mut ObjectiveView, header: ImmutableString| {
            value_dynamic(extra_field(&v.objective().extra, &header))
        },
    );
    engine.register_fn(
        "testo_colonna",
        |v: &mut ObjectiveView, header: ImmutableString| {
            text_dynamic(extra_field(&v.objective().extra, &header))
        },
    );
    engine.register_fn("cella", |v: &mut ObjectiveView, field: ImmutableString| {
        v.source_of(&field).to_string()
    });
    engine.register_fn("to_string", |v: &mut ObjectiveView| {
        format!("obiettivo «{}»", v.objective().label())
    });

    // Attivita
    engine.register_type_with_name::<ActivityView>("Attivita");
    engine.register_get("nome", |v: &mut ActivityView| {
        text_dynamic(v.activity().name.as_ref())
    });
    engine.register_get("peso", |v: &mut ActivityView| {
        value_dynamic(v.activity().weight.as_ref())
    });
    engine.register_get("pai", |v: &mut ActivityView| {
        value_dynamic(v.activity().expected.as_ref())
    });
    engine.register_get("pei", |v: &mut ActivityView| {
        value_dynamic(v.activity().actual.as_ref())
    });
    engine.register_get("nota", |v: &mut ActivityView| {
        text_dynamic(v.activity().note.as_ref())
    });
    engine.register_get("anno", |v: &mut ActivityView| {
        value_dynamic(v.activity().year.as_ref())
    });
    engine.register_get("stato", |v: &mut ActivityView| {
        v.activity()
            .status_label()
            .map_or(Dynamic::UNIT, |l| Dynamic::from(ImmutableString::from(l)))
    });
    engine.register_get("testo_stato", |v: &mut ActivityView| {
        text_dynamic(v.activity().status.as_ref())
    });
    engine.register_fn(
        "colonna",
        |v: &mut ActivityView, header: ImmutableString| {
            value_dynamic(extra_field(&v.activity().extra, &header))
        },
    );
    engine.register_fn(
        "testo_colonna",
        |v: &mut ActivityView, header: ImmutableString| {
            text_dynamic(extra_field(&v.activity().extra, &header))
        },
    );
    engine.register_fn("cella", |v: &mut ActivityView, field: ImmutableString| {
        v.source_of(&field)
            .map_or_else(String::new, |s| s.to_string())
    });
    engine.register_get("mesi_previsti", |v: &mut ActivityView| {
        array_of_u8(&v.activity().planned_months)
    });
    engine.register_get("mesi_effettivi", |v: &mut ActivityView| {
        array_of_u8(&v.activity().actual_months)
    });
    engine.register_fn("to_string", |v: &mut ActivityView| {
        format!(
            "attività «{}»",
            v.activity()
                .name
                .as_ref()
                .map_or("senza nome", |f| f.text())
        )
    });

    // Area
    engine.register_type_with_name::<AreaView>("Area");
    engine.register_get("nome", |v: &mut AreaView| v.path.get(&v.ente).name.clone());
    engine.register_get("tipo", |v: &mut AreaView| v.path.get(&v.ente).kind.clone());
    engine.register_get(
        "livello",
        |v: &mut AreaView| if v.path.sub.is_some() { 2 as INT } else { 1 },
    );
    engine.register_get("obiettivi", |v: &mut AreaView| v.children.items.clone());
    engine.register_get("punteggi", |v: &mut AreaView| v.children.punteggi.clone());
    engine.register_get("pesi", |v: &mut AreaView| v.children.pesi.clone());
    engine.register_get("attesi", |v: &mut AreaView| v.children.attesi.clone());
    engine.register_get("priorita", |v: &mut AreaView| v.children.priorita.clone());
    engine.register_get("aree", |v: &mut AreaView| (*v.areas).clone());
    engine.register_get("punteggi_aree", |v: &mut AreaView| (*v.area_scores).clone());
    engine.register_get("punteggi_tutti", |v: &mut AreaView| v.all.punteggi.clone());
    engine.register_get("pesi_tutti", |v: &mut AreaView| v.all.pesi.clone());
    engine.register_get("attesi_tutti", |v: &mut AreaView| v.all.attesi.clone());
    engine.register_get("punteggio", |v: &mut AreaView| v.score.clone());
    engine.register_get("atteso", |v: &mut AreaView| v.expected.clone());
    engine.register_get("totali", |v: &mut AreaView| {
        stated_totals(&v.path.get(&v.ente).stated_totals)
    });
    engine.register_fn("to_string", |v: &mut AreaView| {
        format!("area «{}»", v.path.get(&v.ente).name)
    });

    // Ente
    engine.register_type_with_name::<EnteView>("Ente");
    engine.register_get("nome", |v: &mut EnteView| v.ente.ente.clone());
    engine.register_get("file", |v: &mut EnteView| v.ente.file.clone());
    engine.register_get("aree", |v: &mut EnteView| v.children.items.clone());
    engine.register_get("obiettivi", |v: &mut EnteView| (*v.objectives).clone());
    engine.register_get("punteggi", |v: &mut EnteView| v.children.punteggi.clone());
    engine.register_get("attesi", |v: &mut EnteView| v.children.attesi.clone());
    engine.register_get("punteggio", |v: &mut EnteView| v.score.clone());
    engine.register_get("atteso", |v: &mut EnteView| v.expected.clone());
    engine.register_get("totali", |v: &mut EnteView| {
        stated_totals(&v.ente.stated_totals)
    });
    engine.register_fn("to_string", |v: &mut EnteView| v.ente.ente.clone());
}

/// A parse error in Italian.
pub fn parse_error_it(e: &ParseError) -> String {
    let text = e.err_type().to_string();
    format!("errore di sintassi: {}", translate(&text))
}

/// Translates Rhai's most common messages; others are kept as they are.
fn translate(msg: &str) -> String {
    let table: &[(&str, &str)] = &[
        ("Variable not found: ", "variabile sconosciuta: "),
        ("Function not found: ", "funzione sconosciuta: "),
        ("Unknown operator", "operatore sconosciuto"),
        ("Expecting ", "manca "),
        ("Unexpected ", "inatteso "),
        ("Property not found: ", "proprietà sconosciuta: "),
        ("Unknown property ", "proprietà sconosciuta "),
        (" - a getter is not registered for type ", " per il tipo "),
        (
            " - a setter is not registered for type ",
            " (le regole non possono modificare i dati) per il tipo ",
        ),
        ("Syntax error: ", "errore di sintassi: "),
        (
            "is a reserved keyword",
            "è una parola riservata, non consentita nelle regole",
        ),
        (
            "Too many operations",
            "troppe operazioni (un ciclo che non finisce?)",
        ),
        (
            "Stack overflow",
            "troppe chiamate annidate (una ricorsione che non finisce?)",
        ),
        ("Data type incorrect: ", "tipo di dato non valido: "),
        ("Output type incorrect: ", "tipo del risultato non valido: "),
        ("Division by zero", "divisione per zero"),
        ("Arithmetic error: ", "errore aritmetico: "),
        ("Length of string too large", "testo troppo lungo"),
        ("Size of array/BLOB too large", "elenco troppo grande"),
        ("Size of object map too large", "mappa troppo grande"),
        (
            "Keyword is disabled",
            "parola chiave non consentita nelle regole",
        ),
        (
            "Cannot find module",
            "i moduli non sono consentiti nelle regole",
        ),
        (
            "Too many modules imported",
            "i moduli non sono consentiti nelle regole",
        ),
    ];
    // "reserved keyword 'eval' is disabled", "'import' is a reserved keyword"
    let refused = msg
        .split_once("reserved keyword '")
        .and_then(|(before, rest)| Some((before, rest.split_once("' is disabled")?.0)))
        .or_else(|| {
            let (before, word) = msg
                .split_once("' is a reserved keyword")?
                .0
                .rsplit_once('\'')?;
            Some((before, word))
        });
    if let Some((before, word)) = refused {
        let why = match word {
            "import" | "export" => " (le regole non possono leggere altri file né moduli)",
            "eval" => " (le regole non possono eseguire codice scritto come testo)",
            _ => "",
        };
        return format!(
            "{}la parola `{word}` non è consentita nelle regole{why}",
            translate(before)
        );
    }
    let mut out = msg.to_string();
    for (en, it) in table {
        if out.contains(en) {
            out = out.replacen(en, it, 1);
        }
    }
    out
}

/// A runtime error, located: the innermost rule function, its file, line and column, and the
/// message in Italian (a `throw "…"` keeps the evaluator's own words).
pub struct Located {
    pub file: String,
    pub function: Option<String>,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

pub fn locate(e: &EvalAltResult, default_file: &str) -> Located {
    let mut err = e;
    let mut function = None;
    let mut file = default_file.to_string();
    while let EvalAltResult::ErrorInFunctionCall(name, src, inner, _) = err {
        if !name.starts_with("anon$") {
            function = Some(name.clone());
        }
        if !src.is_empty() {
            file = src.clone();
        }
        err = inner;
    }
    let pos: Position = err.position();
    let message = match err {
        EvalAltResult::ErrorRuntime(value, _) => {
            if value.is_unit() {
                "errore nella regola".to_string()
            } else {
                value.to_string()
            }
        }
        EvalAltResult::ErrorTooManyOperations(_) => format!(
            "la regola ha superato il limite di {MAX_OPERATIONS} operazioni (un ciclo che non finisce?)"
        ),
        EvalAltResult::ErrorStackOverflow(_) => format!(
            "la regola ha superato il limite di {MAX_CALL_LEVELS} chiamate annidate (una ricorsione che non finisce?)"
        ),
        EvalAltResult::ErrorTerminated(token, _)
            if token.clone().into_string().ok().as_deref() == Some(TIME_LIMIT_TOKEN) =>
        {
            format!(
                "la regola ha superato il limite di {} secondo per una chiamata (un ciclo troppo lungo su testi o elenchi grandi?)",
                MAX_CALL_TIME.as_secs()
            )
        }
        other => translate(&other.to_string()),
    };
    let message = strip_position(&message);
    Located {
        file,
        function,
        line: pos.line().unwrap_or(0),
        column: pos.position().unwrap_or(0),
        message,
    }
}

/// Rhai appends ` (line L, position P)` to messages; the location is reported separately.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" (line ") {
        Some(i) if msg.ends_with(')') => msg[..i].to_string(),
        _ => msg.to_string(),
    }
}

/// A runtime error at load time as a [`RuleError`].
pub fn located_error(e: &EvalAltResult, default_file: &str) -> RuleError {
    let l = locate(e, default_file);
    RuleError::Syntax {
        file: l.file,
        line: l.line,
        column: l.column,
        message: match l.function {
            Some(f) => format!("nella funzione `{f}`: {}", l.message),
            None => l.message,
        },
    }
}
