//! Reading one cell: [`parse_cell`] turns what a cell holds into a [`Value`], keeping the raw
//! text and reporting every problem met.
//!
//! The order of the readings matters and is the same for every column kind: placeholders,
//! dates and periods, done / not done, changes, comparisons, plain quantities, then the
//! same after a `label:` prefix; what is left is text, checked for several values packed
//! into one cell and for impossible dates written inside it.

use super::date::{self, DateRead};
use super::number::{self, invalid_number_problem, plain_number, quantity, round10, UnitMode};
use super::token::{tokenize, trim, Tokens};
use super::{
    excel_serial_to_date, format_number_it, CellInput, Comparator, Expect, Parsed, Problem,
    ProblemKind, Value,
};

/// Longest piece of cell text quoted in a message.
const QUOTE_MAX: usize = 100;

/// The text to put between « » in a message: the whole text, or its first 100 characters
/// followed by `…`.
pub(crate) fn quote(s: &str) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(QUOTE_MAX) {
        None => s.into(),
        Some((i, _)) => format!("{}…", &s[..i]).into(),
    }
}

/// Placeholders meaning "no value", compared without white space and lower-cased.
const PLACEHOLDERS: &[&str] = &[
    "=",
    "/",
    "?",
    "??",
    "???",
    "n.d.",
    "n.d",
    "nd",
    "n/d",
    "n.a.",
    "n.a",
    "n/a",
    "nondisponibile",
    "datonondisponibile",
    "rilevazionenondisponibile",
    "nonrilevato",
    "nonrilevata",
    "nonrilevabile",
    "nonapplicabile",
];

/// True when `t` (trimmed, not empty) is a placeholder: dashes only (`-`, `---`, `–`), or
/// one of [`PLACEHOLDERS`].
fn is_placeholder(t: &str) -> bool {
    if t.len() > 40 {
        return false;
    }
    let compact = || {
        t.chars()
            .filter(|c| !super::token::is_space(*c))
            .flat_map(char::to_lowercase)
    };
    if compact().all(|c| matches!(c, '-' | '\u{2013}' | '\u{2014}' | '\u{2212}')) {
        return true;
    }
    PLACEHOLDERS.iter().any(|p| compact().eq(p.chars()))
}

fn problem(kind: ProblemKind, message: String) -> Problem {
    Problem { kind, message }
}

fn not_a_number(cell: &str) -> (Value, Vec<Problem>) {
    (
        Value::Text {
            text: cell.to_string(),
        },
        vec![problem(
            ProblemKind::NotANumber,
            format!(
                "«{}» non è un numero: era atteso un valore numerico, il testo è stato \
                 mantenuto così com'è",
                quote(cell)
            ),
        )],
    )
}

fn not_a_date(raw: &str, value: Value) -> (Value, Vec<Problem>) {
    (
        value,
        vec![problem(
            ProblemKind::NotADate,
            format!(
                "«{}» non è una data: era attesa una data (gg/mm/aaaa) ma la cella contiene \
                 un numero che non corrisponde a una data plausibile",
                quote(raw)
            ),
        )],
    )
}

fn invalid_number(cell: &str, err: number::NumErr) -> (Value, Vec<Problem>) {
    let p = invalid_number_problem(cell, err);
    (
        Value::Invalid {
            reason: p.message.clone(),
        },
        vec![p],
    )
}

fn multiple_values(cell: &str) -> Problem {
    problem(
        ProblemKind::MultipleValues,
        format!(
            "più valori nella stessa cella («{}»): indicare un solo valore per cella o \
             dividere l'indicatore",
            quote(cell)
        ),
    )
}

/// The value of a number read from text, given its sign and percent sign.
fn quantity_value(
    v: f64,
    sign: Option<char>,
    percent: bool,
    unit: Option<String>,
    expect: Expect,
) -> Value {
    if percent {
        if expect == Expect::Target && sign == Some('+') {
            Value::Change { percent: v }
        } else {
            Value::Percent { percent: v }
        }
    } else if expect == Expect::Percent && unit.is_none() {
        Value::Percent { percent: v }
    } else {
        Value::Number { number: v, unit }
    }
}

fn date_value(d: DateRead, cell: &str) -> (Value, Vec<Problem>) {
    match d {
        DateRead::Date(date, precision) => (Value::Date { date, precision }, vec![]),
        DateRead::Period(from, to) => (Value::Period { from, to }, vec![]),
        DateRead::Invalid(why) => {
            let p = date::invalid_date_problem(cell, cell, &why);
            (
                Value::Invalid {
                    reason: p.message.clone(),
                },
                vec![p],
            )
        }
    }
}

/// Words meaning "done".
const DONE_WORDS: &[&str] = &[
    "fatto",
    "fatta",
    "realizzato",
    "realizzata",
    "completato",
    "completata",
    "raggiunto",
    "raggiunta",
    "sì",
    "si",
];

/// `fatto`, `non fatto`, `no` at token `i`: (done, end).
fn done_phrase(tk: &Tokens, i: usize) -> Option<(bool, usize)> {
    if tk.is_word(i, "non") && tk.is_word_in(i + 1, DONE_WORDS) {
        Some((false, i + 2))
    } else if tk.is_word_in(i, DONE_WORDS) {
        Some((true, i + 1))
    } else if tk.is_word(i, "no") {
        Some((false, i + 1))
    } else {
        None
    }
}

/// Done / not done over tokens `a..b`: `fatto`, `sì`, `non realizzato`, `1 = fatto`,
/// `fatto = 1`, `0 = non fatto`. The number, when written, must agree with the words.
fn done_whole(tk: &Tokens, a: usize, b: usize) -> Option<bool> {
    let mut b = b;
    while b > a && matches!(tk.sym(b - 1), Some('.' | '!')) {
        b -= 1;
    }
    let flag = |i: usize| match tk.digits(i) {
        Some("1") => Some(true),
        Some("0") => Some(false),
        _ => None,
    };
    if let Some((d, j)) = done_phrase(tk, a) {
        if j == b {
            return Some(d);
        }
        if tk.is_sym(j, '=') && j + 2 == b && flag(j + 1) == Some(d) {
            return Some(d);
        }
        return None;
    }
    let d = flag(a)?;
    if !tk.is_sym(a + 1, '=') {
        return None;
    }
    let (w, j) = done_phrase(tk, a + 2)?;
    (j == b && w == d).then_some(d)
}

/// Words that may follow a comparator or a change before the number: `almeno il 90%`,
/// `non inferiore a`, `superiore al`, `pari a`, `riduzione del`.
const CONNECTORS: &[&str] = &[
    "a", "ad", "al", "allo", "alla", "all", "ai", "agli", "alle", "di", "del", "dello", "della",
    "dell", "dei", "degli", "delle", "il", "lo", "la", "l", "i", "gli", "le", "pari",
];

/// Comparators written in words, longest first.
const COMPARATOR_WORDS: &[(&[&str], Comparator)] = &[
    (&["uguale", "o", "maggiore"], Comparator::Ge),
    (&["maggiore", "o", "uguale"], Comparator::Ge),
    (&["uguale", "o", "superiore"], Comparator::Ge),
    (&["superiore", "o", "uguale"], Comparator::Ge),
    (&["pari", "o", "superiore"], Comparator::Ge),
    (&["pari", "o", "maggiore"], Comparator::Ge),
    (&["uguale", "o", "minore"], Comparator::Le),
    (&["minore", "o", "uguale"], Comparator::Le),
    (&["uguale", "o", "inferiore"], Comparator::Le),
    (&["inferiore", "o", "uguale"], Comparator::Le),
    (&["pari", "o", "inferiore"], Comparator::Le),
    (&["pari", "o", "minore"], Comparator::Le),
    (&["non", "inferiore"], Comparator::Ge),
    (&["non", "minore"], Comparator::Ge),
    (&["non", "meno"], Comparator::Ge),
    (&["non", "superiore"], Comparator::Le),
    (&["non", "maggiore"], Comparator::Le),
    (&["non", "oltre"], Comparator::Le),
    (&["non", "più"], Comparator::Le),
    (&["non", "piu"], Comparator::Le),
    (&["al", "massimo"], Comparator::Le),
    (&["al", "max"], Comparator::Le),
    (&["al", "minimo"], Comparator::Ge),
    (&["almeno"], Comparator::Ge),
    (&["minimo"], Comparator::Ge),
    (&["min"], Comparator::Ge),
    (&["massimo"], Comparator::Le),
    (&["max"], Comparator::Le),
    (&["fino"], Comparator::Le),
    (&["entro"], Comparator::Le),
    (&["superiore"], Comparator::Gt),
    (&["maggiore"], Comparator::Gt),
    (&["oltre"], Comparator::Gt),
    (&["più"], Comparator::Gt),
    (&["piu"], Comparator::Gt),
    (&["sopra"], Comparator::Gt),
    (&["inferiore"], Comparator::Lt),
    (&["minore"], Comparator::Lt),
    (&["meno"], Comparator::Lt),
    (&["sotto"], Comparator::Lt),
    (&["pari"], Comparator::Eq),
    (&["uguale"], Comparator::Eq),
];

/// A comparator at token `i` (`>=`, `> =`, `=<`, `≥`, `almeno`, `non inferiore a`…),
/// with the connectors after it. Returns the operator and the index of what follows.
fn comparator_at(tk: &Tokens, i: usize) -> Option<(Comparator, usize)> {
    let (op, mut j) = match tk.sym(i) {
        Some('≥') => (Comparator::Ge, i + 1),
        Some('≤') => (Comparator::Le, i + 1),
        Some('>') if tk.is_sym(i + 1, '=') => (Comparator::Ge, i + 2),
        Some('>') => (Comparator::Gt, i + 1),
        Some('<') if tk.is_sym(i + 1, '=') => (Comparator::Le, i + 2),
        Some('<') if tk.is_sym(i + 1, '>') => return None,
        Some('<') => (Comparator::Lt, i + 1),
        Some('=') if tk.is_sym(i + 1, '<') => (Comparator::Le, i + 2),
        Some('=') if tk.is_sym(i + 1, '>') => (Comparator::Ge, i + 2),
        Some('=') if tk.is_sym(i + 1, '=') => (Comparator::Eq, i + 2),
        Some('=') => (Comparator::Eq, i + 1),
        Some(_) => return None,
        None => {
            let (words, op) = COMPARATOR_WORDS.iter().find(|(words, _)| {
                words
                    .iter()
                    .enumerate()
                    .all(|(k, w)| tk.is_word(i + k, w))
            })?;
            let mut j = i + words.len();
            if tk.is_sym(j, '.') && tk.is_word_in(j - 1, &["max", "min"]) {
                j += 1;
            }
            (*op, j)
        }
    };
    let mut skipped = 0;
    while skipped < 3 && (tk.is_word_in(j, CONNECTORS) || tk.is_sym(j, '\'')) {
        j += 1;
        skipped += 1;
    }
    Some((op, j))
}

/// A comparison over tokens `a..b`: `>= 6`, `almeno 12 incontri`, `non inferiore a -15gg`,
/// `almeno all'80% degli incontri`.
fn comparison_whole(tk: &Tokens, a: usize, b: usize, cell: &str) -> Option<(Value, Vec<Problem>)> {
    let (op, j) = comparator_at(tk, a)?;
    let q = quantity(tk, j, b, UnitMode::Lenient)?;
    Some(match q.value {
        Ok(number) => (
            Value::Comparison {
                op,
                number,
                percent: q.percent,
                unit: q.unit,
            },
            vec![],
        ),
        Err(e) => invalid_number(cell, e),
    })
}

/// Words announcing a decrease (`Riduzione del 30%`) or an increase.
const DECREASE: &[&str] = &[
    "riduzione",
    "ridurre",
    "diminuzione",
    "diminuire",
    "decremento",
    "calo",
    "contrazione",
];
const INCREASE: &[&str] = &[
    "incremento",
    "incrementare",
    "aumento",
    "aumentare",
    "crescita",
];

/// A change over tokens `a..b`: `Riduzione del 30%`, `incremento del 10%`, `crescita 10%`.
fn change_whole(tk: &Tokens, a: usize, b: usize, cell: &str) -> Option<(Value, Vec<Problem>)> {
    let down = if tk.is_word_in(a, DECREASE) {
        true
    } else if tk.is_word_in(a, INCREASE) {
        false
    } else {
        return None;
    };
    let mut j = a + 1;
    let mut skipped = 0;
    while skipped < 3 && (tk.is_word_in(j, CONNECTORS) || tk.is_sym(j, '\'')) {
        j += 1;
        skipped += 1;
    }
    let q = quantity(tk, j, b, UnitMode::Lenient).filter(|q| q.percent)?;
    Some(match q.value {
        Ok(v) => (
            Value::Change {
                percent: if down { -v.abs() } else { v },
            },
            vec![],
        ),
        Err(e) => invalid_number(cell, e),
    })
}

/// Reads tokens `a..b` as a value of the expected kind. `None` when they are only text.
fn interpret(
    tk: &Tokens,
    a: usize,
    b: usize,
    expect: Expect,
    cell: &str,
) -> Option<(Value, Vec<Problem>)> {
    if a >= b {
        return None;
    }
    if let Some(d) = date::whole_date(tk, a, b, expect == Expect::Date) {
        return Some(match expect {
            Expect::Date | Expect::Target => date_value(d, cell),
            _ => not_a_number(cell),
        });
    }
    if matches!(expect, Expect::Target | Expect::Number) {
        if let Some(done) = done_whole(tk, a, b) {
            return Some((Value::Done { done }, vec![]));
        }
        if expect == Expect::Target {
            if let Some(r) = change_whole(tk, a, b, cell) {
                return Some(r);
            }
        }
        if let Some(r) = comparison_whole(tk, a, b, cell) {
            return Some(r);
        }
    }
    let q = quantity(tk, a, b, UnitMode::Strict)?;
    match q.value {
        Err(_) if expect == Expect::Date => None,
        Err(e) => Some(invalid_number(cell, e)),
        Ok(v) if expect == Expect::Date => {
            if q.percent || q.unit.is_some() {
                None
            } else {
                let value = Value::Number {
                    number: v,
                    unit: None,
                };
                Some(not_a_date(cell, value))
            }
        }
        Ok(v) => Some((quantity_value(v, q.sign, q.percent, q.unit, expect), vec![])),
    }
}

/// The `:` ending a label before a value (`N° partecipazioni bandi: almeno 4`), if any.
fn label_colon(tk: &Tokens) -> Option<usize> {
    let limit = tk.len().min(25);
    let c = (1..limit).find(|&i| tk.is_sym(i, ':'))?;
    let has_word = (0..c).any(|i| tk.word(i).is_some());
    (has_word && tk.num(c - 1).is_none() && c + 1 < tk.len()).then_some(c)
}

/// Skips a separator between values at token `i` (`;`, `,`, ` - `, `/`, ` e `, `a)`, `1)`).
fn skip_separator(tk: &Tokens, i: usize) -> Option<usize> {
    let marker = tk.word(i).is_some_and(|w| w.chars().count() == 1)
        || tk.digits(i).is_some_and(|d| d.len() <= 2) && !tk.is_sym(i.wrapping_sub(1), '(');
    if marker && tk.is_sym(i + 1, ')') {
        return Some(i + 2);
    }
    if let Some(';' | ',' | '-' | '/' | '.' | '•' | '*' | '·' | '|' | '(' | ')') = tk.sym(i) {
        return Some(i + 1);
    }
    let spaced = tk.space(i) && tk.space(i + 1);
    (spaced && tk.is_word_in(i, &["e", "ed", "o", "oppure"])).then_some(i + 1)
}

/// One value at token `i` for counting (a date, a comparison, a number with its unit):
/// the index after it.
fn value_at(tk: &Tokens, i: usize, b: usize) -> Option<usize> {
    let mut k = i;
    while k < b && date::is_lead(tk, k) && !tk.is_sym(k + 1, ')') {
        k += 1;
    }
    if let Some(h) = date::day_form(tk, k) {
        return Some(h.end);
    }
    if let Some((_, _, _, end)) = date::named_form(tk, k) {
        return Some(end);
    }
    // `08/00`, `10/20`: a fragment such as day/month, not two values.
    let short = |k: usize| tk.digits(k).is_some_and(|d| d.len() <= 2);
    if short(i) && tk.is_sym(i + 1, '/') && !tk.space(i + 1) && short(i + 2) && !tk.space(i + 2)
    {
        return None;
    }
    if let Some((_, j)) = comparator_at(tk, i) {
        if let Some(q) = quantity(tk, j, b, UnitMode::Scan) {
            return Some(q.end);
        }
    }
    quantity(tk, i, b, UnitMode::Scan).map(|q| q.end)
}

/// How many values tokens `a..b` hold when they are nothing but values and separators;
/// `None` when there is other text.
fn count_values(tk: &Tokens, a: usize, b: usize) -> Option<usize> {
    let mut i = a;
    let mut n = 0;
    while i < b {
        if let Some(j) = skip_separator(tk, i) {
            i = j;
            continue;
        }
        i = value_at(tk, i, b)?.max(i + 1);
        n += 1;
    }
    Some(n)
}

/// Impossible dates written anywhere in the text (`a) entro il 31.04.2024 b) …`). Only
/// dates with a four-digit year are looked for, so that codes such as `12.13.14` are not
/// taken for dates.
fn embedded_invalid_dates(tk: &Tokens, cell: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tk.len() {
        let hit = date::day_form(tk, i)
            .filter(|h| h.long_year)
            .map(|h| (h.d, h.m, h.y, h.end))
            .or_else(|| {
                date::named_form(tk, i).and_then(|(d, m, y, end)| d.map(|d| (d, m, y, end)))
            });
        if let Some((d, m, y, end)) = hit {
            if let Err(why) = date::validate(d, m, y) {
                out.push(date::invalid_date_problem(tk.orig(i, end), cell, &why));
            }
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// What is left when the text is no value: text, with the problems worth reporting.
fn fallback(tk: &Tokens, expect: Expect, cell: &str) -> (Value, Vec<Problem>) {
    let mut problems = Vec::new();
    if count_values(tk, 0, tk.len()).is_some_and(|n| n >= 2) {
        problems.push(multiple_values(cell));
    }
    if matches!(expect, Expect::Date | Expect::Target) {
        problems.extend(embedded_invalid_dates(tk, cell));
    }
    if problems.is_empty() && matches!(expect, Expect::Number | Expect::Percent | Expect::Integer)
    {
        return not_a_number(cell);
    }
    (
        Value::Text {
            text: cell.to_string(),
        },
        problems,
    )
}

/// Reads a trimmed, non-empty text that is not a placeholder.
fn read_text(t: &str, expect: Expect) -> (Value, Vec<Problem>) {
    if expect != Expect::Date {
        if let Some((Ok(v), sign, percent)) = plain_number(t) {
            return (quantity_value(v, sign, percent, None, expect), vec![]);
        }
    }
    let tk = tokenize(t);
    let n = tk.len();
    if let Some(r) = interpret(&tk, 0, n, expect, t) {
        return r;
    }
    if let Some(c) = label_colon(&tk) {
        if let Some(r) = interpret(&tk, c + 1, n, expect, t) {
            return r;
        }
    }
    fallback(&tk, expect, t)
}

/// Reads a number cell, given its display format.
fn read_number(
    v: f64,
    percent_format: bool,
    date_format: bool,
    expect: Expect,
    date1904: bool,
) -> (String, Value, Vec<Problem>) {
    let serial_date = if date_format {
        excel_serial_to_date(v, date1904)
    } else {
        None
    };
    let points = round10(v * 100.0);
    let raw = if let Some(d) = serial_date {
        d.format("%d/%m/%Y").to_string()
    } else if percent_format {
        format!("{}%", format_number_it(points))
    } else {
        format_number_it(v)
    };
    if !v.is_finite() || !points.is_finite() && percent_format {
        let p = invalid_number_problem(&raw, number::NumErr::TooLarge);
        let reason = p.message.clone();
        return (raw, Value::Invalid { reason }, vec![p]);
    }
    let plain = Value::Number {
        number: v,
        unit: None,
    };
    let (value, problems) = match expect {
        Expect::Text => (Value::Text { text: raw.clone() }, vec![]),
        _ if date_format => match serial_date {
            Some(date) => (
                Value::Date {
                    date,
                    precision: super::DatePrecision::Day,
                },
                vec![],
            ),
            None => not_a_date(&raw, plain),
        },
        Expect::Date if percent_format => not_a_date(&raw, Value::Percent { percent: points }),
        _ if percent_format => (Value::Percent { percent: points }, vec![]),
        Expect::Percent => (Value::Percent { percent: v }, vec![]),
        Expect::Date => {
            if v.fract() == 0.0 && (1900.0..=2200.0).contains(&v) {
                let date = chrono::NaiveDate::from_ymd_opt(v as i32, 12, 31);
                match date {
                    Some(date) => (
                        Value::Date {
                            date,
                            precision: super::DatePrecision::Year,
                        },
                        vec![],
                    ),
                    None => not_a_date(&raw, plain),
                }
            } else if (20_000.0..=80_000.0).contains(&v) {
                match excel_serial_to_date(v, date1904) {
                    Some(date) => (
                        Value::Date {
                            date,
                            precision: super::DatePrecision::Day,
                        },
                        vec![],
                    ),
                    None => not_a_date(&raw, plain),
                }
            } else {
                not_a_date(&raw, plain)
            }
        }
        _ => (plain, vec![]),
    };
    (raw, value, problems)
}

/// Reads one cell the Italian way.
///
/// `expect` says what the column holds and steers ambiguous readings (a bare `30` is 30 %
/// in a [`Expect::Percent`] column); `date1904` says the workbook counts dates from 1904.
/// The result keeps the raw text (numbers in Italian notation, `40%` for a %-formatted 0.4,
/// `dd/mm/yyyy` for a date cell) and every problem met: an impossible date, a broken
/// number, an Excel error, several values in one cell. Nothing is guessed: text that is no
/// value stays [`Value::Text`].
///
/// ```
/// use barometro::value::{parse_cell, CellInput, Comparator, Expect, ProblemKind, Value};
///
/// let p = parse_cell(CellInput::Text("46.000 kwh"), Expect::Number, false);
/// assert_eq!(p.value, Value::Number { number: 46000.0, unit: Some("kwh".into()) });
///
/// let p = parse_cell(CellInput::Text("> = 10%"), Expect::Target, false);
/// assert_eq!(
///     p.value,
///     Value::Comparison { op: Comparator::Ge, number: 10.0, percent: true, unit: None }
/// );
///
/// let cell = CellInput::Number { value: 0.4, percent_format: true, date_format: false };
/// let p = parse_cell(cell, Expect::Percent, false);
/// assert_eq!((p.raw.as_str(), p.value), ("40%", Value::Percent { percent: 40.0 }));
///
/// let p = parse_cell(CellInput::Text("- n. 5 sezioni - n. 45 posti"), Expect::Target, false);
/// assert!(matches!(p.value, Value::Text { .. }));
/// assert_eq!(p.problems[0].kind, ProblemKind::MultipleValues);
/// ```
pub fn parse_cell(input: CellInput<'_>, expect: Expect, date1904: bool) -> Parsed {
    let (raw, value, problems) = match input {
        CellInput::Empty => (String::new(), Value::Empty, vec![]),
        CellInput::Bool(b) => {
            let raw = if b { "VERO" } else { "FALSO" }.to_string();
            let value = if expect == Expect::Text {
                Value::Text { text: raw.clone() }
            } else {
                Value::Done { done: b }
            };
            (raw, value, vec![])
        }
        CellInput::Error(e) => {
            let raw = trim(e).to_string();
            let message = format!(
                "la cella contiene l'errore di Excel {raw}: correggere la formula nel file di \
                 origine"
            );
            let value = Value::Invalid {
                reason: message.clone(),
            };
            let p = problem(ProblemKind::ExcelError, message);
            (raw, value, vec![p])
        }
        CellInput::Number {
            value,
            percent_format,
            date_format,
        } => read_number(value, percent_format, date_format, expect, date1904),
        CellInput::Text(s) => {
            let t = trim(s);
            let (value, problems) = if t.is_empty() {
                (Value::Empty, vec![])
            } else if expect == Expect::Text {
                (
                    Value::Text {
                        text: t.to_string(),
                    },
                    vec![],
                )
            } else if is_placeholder(t) {
                (
                    Value::Placeholder {
                        text: t.to_string(),
                    },
                    vec![],
                )
            } else {
                read_text(t, expect)
            };
            (t.to_string(), value, problems)
        }
    };
    Parsed {
        raw,
        value,
        problems,
    }
}
