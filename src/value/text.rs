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
use compact_str::{format_compact, CompactString};

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
pub(crate) fn is_placeholder(t: &str) -> bool {
    // Cheap rejection first: this runs for every cell.
    let first_ok = t.chars().next().is_some_and(|c| {
        matches!(
            c.to_ascii_lowercase(),
            '-' | '\u{2013}' | '\u{2014}' | '\u{2212}' | '=' | '/' | '?' | 'n' | 'd' | 'r'
        )
    });
    if t.len() > 40 || !first_ok {
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
        Value::Text,
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
            reason: p.message.as_str().into(),
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
        Value::Number {
            number: v,
            unit: unit.map(Into::into),
        }
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
                    reason: p.message.as_str().into(),
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
            let (words, op) = COMPARATOR_WORDS
                .iter()
                .find(|(words, _)| words.iter().enumerate().all(|(k, w)| tk.is_word(i + k, w)))?;
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
                unit: q.unit.map(Into::into),
            },
            vec![],
        ),
        Err(e) => invalid_number(cell, e),
    })
}

/// Words announcing a decrease (`Riduzione del 30%`).
const DECREASE: &[&str] = &[
    "riduzione",
    "ridurre",
    "diminuzione",
    "diminuire",
    "decremento",
    "calo",
    "contrazione",
];
/// Words announcing an increase (`incremento del 10%`).
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
        Err(_) if expect == Expect::Target && b == a + 1 && is_outline_code(tk.text(a)) => None,
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

/// True for an outline number such as `1.1.1`, `6.2.3.1`, `46.1.1.1` (an objective code, not
/// a broken number): at least two dots, a first group of one or two digits, then single
/// digits.
fn is_outline_code(s: &str) -> bool {
    let mut groups = s.split('.');
    let first = groups.next().unwrap_or("");
    let mut rest = 0;
    let rest_ok = groups.all(|g| {
        rest += 1;
        g.len() == 1 && g.as_bytes()[0].is_ascii_digit()
    });
    rest_ok
        && rest >= 2
        && (1..=2).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_digit())
}

/// The `:` ending a label before a value (`N° partecipazioni bandi: almeno 4`), if any.
fn label_colon(tk: &Tokens) -> Option<usize> {
    let limit = tk.len().min(25);
    let c = (1..limit).find(|&i| tk.is_sym(i, ':'))?;
    let has_word = (0..c).any(|i| tk.word(i).is_some());
    (has_word && tk.num(c - 1).is_none() && c + 1 < tk.len()).then_some(c)
}

/// Skips a separator between values at token `i` (`;`, `,`, ` - `, `/`, ` e `, ` su `,
/// `a)`, `1)`).
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
    (spaced && tk.is_word_in(i, &["e", "ed", "o", "oppure", "su"])).then_some(i + 1)
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
    // `2026-2024`: a (reversed) period, one piece of text, not two values.
    if tk.digits(i).is_some_and(|d| d.len() == 4)
        && matches!(tk.sym(i + 1), Some('-' | '/'))
        && tk.digits(i + 2).is_some()
    {
        return Some(i + 3);
    }
    // `08/00`, `10/20`: a fragment such as day/month, not two values.
    let short = |k: usize| tk.digits(k).is_some_and(|d| d.len() <= 2);
    if short(i) && tk.is_sym(i + 1, '/') && !tk.space(i + 1) && short(i + 2) && !tk.space(i + 2) {
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
    if problems.is_empty() && matches!(expect, Expect::Number | Expect::Percent | Expect::Integer) {
        return not_a_number(cell);
    }
    (Value::Text, problems)
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
) -> (CompactString, Value, Vec<Problem>) {
    let serial_date = if date_format {
        excel_serial_to_date(v, date1904)
    } else {
        None
    };
    let points = round10(v * 100.0);
    let raw = if let Some(d) = serial_date {
        format_compact!("{}", d.format("%d/%m/%Y"))
    } else if percent_format {
        format_compact!("{}%", format_number_it(points))
    } else {
        format_number_it(v)
    };
    if !v.is_finite() || !points.is_finite() && percent_format {
        let p = invalid_number_problem(&raw, number::NumErr::TooLarge);
        let reason = p.message.clone();
        return (
            raw,
            Value::Invalid {
                reason: reason.into(),
            },
            vec![p],
        );
    }
    let plain = Value::Number {
        number: v,
        unit: None,
    };
    let (value, problems) = match expect {
        Expect::Text => (Value::Text, vec![]),
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
/// assert!(matches!(p.value, Value::Text));
/// assert_eq!(p.problems[0].kind, ProblemKind::MultipleValues);
/// ```
pub fn parse_cell(input: CellInput<'_>, expect: Expect, date1904: bool) -> Parsed {
    let (raw, value, problems) = match input {
        CellInput::Empty => (CompactString::default(), Value::Empty, vec![]),
        CellInput::Bool(b) => {
            let raw = CompactString::const_new(if b { "VERO" } else { "FALSO" });
            let value = if expect == Expect::Text {
                Value::Text
            } else {
                Value::Done { done: b }
            };
            (raw, value, vec![])
        }
        CellInput::Error(e) => {
            let raw = CompactString::from(trim(e));
            let message = format!(
                "la cella contiene l'errore di Excel {raw}: correggere la formula nel file di \
                 origine"
            );
            let value = Value::Invalid {
                reason: message.as_str().into(),
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
                (Value::Text, vec![])
            } else if is_placeholder(t) {
                (Value::Placeholder { text: t.into() }, vec![])
            } else {
                read_text(t, expect)
            };
            (CompactString::from(t), value, problems)
        }
    };
    Parsed {
        raw,
        value,
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::DatePrecision;
    use chrono::NaiveDate;

    const ALL_BUT_TEXT: [Expect; 5] = [
        Expect::Number,
        Expect::Percent,
        Expect::Integer,
        Expect::Date,
        Expect::Target,
    ];

    fn cell(s: &str, e: Expect) -> Parsed {
        parse_cell(CellInput::Text(s), e, false)
    }

    /// The value, asserting that no problem was reported.
    fn val(s: &str, e: Expect) -> Value {
        let p = cell(s, e);
        assert!(p.problems.is_empty(), "{s:?} {e:?}: {:?}", p.problems);
        p.value
    }

    fn kinds(p: &Parsed) -> Vec<ProblemKind> {
        p.problems.iter().map(|p| p.kind).collect()
    }

    /// Asserts the problems' kinds and that every message quotes `quoted`.
    fn assert_problems(p: &Parsed, expected: &[ProblemKind], quoted: &str) {
        assert_eq!(kinds(p), expected, "{:?}", p);
        for pr in &p.problems {
            assert!(
                pr.message.contains(&format!("«{quoted}")),
                "message does not quote {quoted:?}: {}",
                pr.message
            );
        }
    }

    fn number(n: f64) -> Value {
        Value::Number {
            number: n,
            unit: None,
        }
    }

    fn with_unit(n: f64, u: &str) -> Value {
        Value::Number {
            number: n,
            unit: Some(u.into()),
        }
    }

    fn pct(p: f64) -> Value {
        Value::Percent { percent: p }
    }

    fn text(_: &str) -> Value {
        Value::Text
    }

    fn cmp(op: Comparator, n: f64, percent: bool, unit: Option<&str>) -> Value {
        Value::Comparison {
            op,
            number: n,
            percent,
            unit: unit.map(Into::into),
        }
    }

    fn date(y: i32, m: u32, d: u32, precision: DatePrecision) -> Value {
        Value::Date {
            date: NaiveDate::from_ymd_opt(y, m, d).unwrap(),
            precision,
        }
    }

    fn day(y: i32, m: u32, d: u32) -> Value {
        date(y, m, d, DatePrecision::Day)
    }

    fn num_input(value: f64, percent_format: bool, date_format: bool) -> CellInput<'static> {
        CellInput::Number {
            value,
            percent_format,
            date_format,
        }
    }

    // ---- raw text -------------------------------------------------------------------

    #[test]
    fn raw_keeps_trimmed_text() {
        let p = cell("  \u{00A0}3.800 kwh\n ", Expect::Number);
        assert_eq!(p.raw, "3.800 kwh");
        let p = cell("  riga 1\n  riga 2  ", Expect::Text);
        assert_eq!(p.raw, "riga 1\n  riga 2");
    }

    #[test]
    fn raw_of_number_cells_is_italian() {
        let p = parse_cell(num_input(3800.0, false, false), Expect::Number, false);
        assert_eq!(p.raw, "3800");
        let p = parse_cell(num_input(20.8333, false, false), Expect::Number, false);
        assert_eq!(p.raw, "20,8333");
        let p = parse_cell(num_input(0.4, true, false), Expect::Percent, false);
        assert_eq!(p.raw, "40%");
        let p = parse_cell(num_input(0.208333, true, false), Expect::Percent, false);
        assert_eq!(p.raw, "20,8333%");
        let p = parse_cell(num_input(45657.0, false, true), Expect::Date, false);
        assert_eq!(p.raw, "31/12/2024");
    }

    #[test]
    fn raw_of_bool_error_and_empty_cells() {
        assert_eq!(
            parse_cell(CellInput::Bool(true), Expect::Target, false).raw,
            "VERO"
        );
        assert_eq!(
            parse_cell(CellInput::Bool(false), Expect::Target, false).raw,
            "FALSO"
        );
        assert_eq!(
            parse_cell(CellInput::Error("#REF!"), Expect::Number, false).raw,
            "#REF!"
        );
        let p = parse_cell(CellInput::Empty, Expect::Number, false);
        assert_eq!((p.raw.as_str(), p.value), ("", Value::Empty));
    }

    // ---- empty and placeholders -----------------------------------------------------

    #[test]
    fn empty_and_blank_text_is_empty() {
        for e in ALL_BUT_TEXT.iter().chain([Expect::Text].iter()) {
            assert_eq!(val("", *e), Value::Empty);
            assert_eq!(val("   \n\t", *e), Value::Empty);
            assert_eq!(val("\u{00A0}\u{202F}", *e), Value::Empty);
        }
    }

    #[test]
    fn placeholders_mean_no_value() {
        for s in [
            "-",
            "--",
            "---",
            "=",
            "/",
            "n.d.",
            "nd",
            "n.a.",
            "n/a",
            "N.D.",
            "non disponibile",
            "Rilevazione non disponibile",
            "non rilevato",
            "?",
            "\u{2013}",
            " - - ",
        ] {
            for e in ALL_BUT_TEXT {
                assert_eq!(
                    val(s, e),
                    Value::Placeholder {
                        text: s.trim().into()
                    },
                    "{s:?} {e:?}"
                );
            }
        }
    }

    #[test]
    fn text_columns_keep_placeholders_as_text() {
        assert_eq!(val("-", Expect::Text), text("-"));
        assert_eq!(val("n.d.", Expect::Text), text("n.d."));
    }

    // ---- Excel errors ---------------------------------------------------------------

    #[test]
    fn excel_errors_are_invalid() {
        for e in ALL_BUT_TEXT.iter().chain([Expect::Text].iter()) {
            let p = parse_cell(CellInput::Error("#REF!"), *e, false);
            assert_eq!(kinds(&p), [ProblemKind::ExcelError]);
            assert_eq!(
                p.problems[0].message,
                "la cella contiene l'errore di Excel #REF!: correggere la formula nel file di \
                 origine"
            );
            assert!(matches!(p.value, Value::Invalid { .. }));
        }
        let p = parse_cell(CellInput::Error("#DIV/0!"), Expect::Percent, false);
        assert!(p.problems[0].message.contains("#DIV/0!"));
    }

    // ---- numbers in text ------------------------------------------------------------

    #[test]
    fn italian_thousands_and_decimals() {
        for e in [Expect::Number, Expect::Target, Expect::Integer] {
            assert_eq!(val("3.800", e), number(3800.0));
            assert_eq!(val("1.000.000", e), number(1e6));
            assert_eq!(val("2.457", e), number(2457.0));
            assert_eq!(val("78.219", e), number(78219.0));
            assert_eq!(val("1.545", e), number(1545.0));
            assert_eq!(val("3.800,5", e), number(3800.5));
            assert_eq!(val("100,00", e), number(100.0));
            assert_eq!(val("-25,16", e), number(-25.16));
            assert_eq!(val("20,8333", e), number(20.8333));
            assert_eq!(val("24.70", e), number(24.7));
            assert_eq!(val("0.123", e), number(0.123));
            assert_eq!(val("3,8", e), number(3.8));
            assert_eq!(val("+5", e), number(5.0));
            assert_eq!(val("1 234", e), number(1234.0));
            assert_eq!(val("1 234 567", e), number(1234567.0));
        }
    }

    #[test]
    fn numbers_with_units_and_prefixes() {
        let e = Expect::Number;
        assert_eq!(val("- 15gg", e), with_unit(-15.0, "gg"));
        assert_eq!(val("-15 gg", e), with_unit(-15.0, "gg"));
        assert_eq!(val("46.000 kwh", e), with_unit(46000.0, "kwh"));
        assert_eq!(val("46.000 KWh", e), with_unit(46000.0, "kwh"));
        assert_eq!(val("206.123,00 €", e), with_unit(206123.0, "€"));
        assert_eq!(val("€ 7,20", e), with_unit(7.2, "€"));
        assert_eq!(val("n. 3", e), number(3.0));
        assert_eq!(val("n° 12", e), number(12.0));
        assert_eq!(val("N. 5", e), number(5.0));
        assert_eq!(val("nr 4", e), number(4.0));
        assert_eq!(val("n.3", e), number(3.0));
        assert_eq!(val("Nº 7", e), number(7.0));
        assert_eq!(val("12 mq", e), with_unit(12.0, "mq"));
        assert_eq!(val("n. 3 incontri", e), with_unit(3.0, "incontri"));
        assert_eq!(
            val("4 ore formazione interna", e),
            with_unit(4.0, "ore formazione interna")
        );
        assert_eq!(val("15 gg.", e), with_unit(15.0, "gg"));
    }

    #[test]
    fn longer_text_after_a_number_is_text() {
        let s = "4 ore di formazione interna";
        let p = cell(s, Expect::Number);
        assert_eq!(p.value, text(s));
        assert_problems(&p, &[ProblemKind::NotANumber], s);
        assert!(p.problems[0].message.contains("non è un numero"));
        assert_eq!(val(s, Expect::Target), text(s));
        let s = "Entro 15 gg. dalla data di ricevimento della fattura";
        assert_eq!(val(s, Expect::Target), text(s));
    }

    #[test]
    fn plain_words_in_number_columns_are_text_with_a_warning() {
        for e in [Expect::Number, Expect::Percent, Expect::Integer] {
            let p = cell("solo monitoraggio", e);
            assert_eq!(p.value, text("solo monitoraggio"));
            assert_problems(&p, &[ProblemKind::NotANumber], "solo monitoraggio");
        }
        assert_eq!(
            val("solo monitoraggio", Expect::Target),
            text("solo monitoraggio")
        );
        assert_eq!(val("una all'anno", Expect::Target), text("una all'anno"));
    }

    #[test]
    fn broken_numbers_are_invalid() {
        let cases = [
            ("1.297,888,00", "più di una virgola decimale"),
            ("1,2,3", "più di una virgola decimale"),
            ("12.34.5", "punti in posizione non valida"),
            ("1..5", "due separatori consecutivi"),
            ("3,800.5", "la virgola decimale precede un punto"),
            ("1.23,5", "punti in posizione non valida"),
            ("1.297,888,00 €", "più di una virgola decimale"),
        ];
        for (s, why) in cases {
            for e in [
                Expect::Number,
                Expect::Percent,
                Expect::Integer,
                Expect::Target,
            ] {
                let p = cell(s, e);
                assert!(matches!(p.value, Value::Invalid { .. }), "{s} {e:?}");
                assert_problems(&p, &[ProblemKind::InvalidNumber], s);
                assert!(p.problems[0].message.starts_with("numero non valido «"));
                assert!(
                    p.problems[0].message.contains(why),
                    "{}",
                    p.problems[0].message
                );
                assert!(p.problems[0].kind.is_error());
            }
        }
        let p = cell("1.297,888,00", Expect::Number);
        assert_eq!(
            p.value,
            Value::Invalid {
                reason: "numero non valido «1.297,888,00»: più di una virgola decimale".into()
            }
        );
    }

    #[test]
    fn broken_number_in_a_comparison_is_invalid() {
        let p = cell(">= 1.297,888,00", Expect::Target);
        assert!(matches!(p.value, Value::Invalid { .. }));
        assert_problems(&p, &[ProblemKind::InvalidNumber], ">= 1.297,888,00");
    }

    #[test]
    fn odd_short_inputs_do_not_panic_and_stay_text() {
        for s in [
            "-", ".", ",", "%", "e5", "1e400", "+", "€", "n.", "°", ")", "a)", "''",
        ] {
            for e in ALL_BUT_TEXT {
                let p = cell(s, e);
                assert!(
                    matches!(p.value, Value::Text | Value::Placeholder { .. }),
                    "{s:?} {e:?}: {:?}",
                    p.value
                );
            }
        }
    }

    #[test]
    fn huge_numbers_are_invalid_not_infinite() {
        let s = "9".repeat(400);
        let p = cell(&s, Expect::Number);
        assert!(matches!(p.value, Value::Invalid { .. }));
        assert_eq!(kinds(&p), [ProblemKind::InvalidNumber]);
        assert!(p.problems[0].message.contains("numero troppo grande"));
        for v in [f64::INFINITY, f64::NAN, f64::NEG_INFINITY] {
            let p = parse_cell(num_input(v, false, false), Expect::Number, false);
            assert!(matches!(p.value, Value::Invalid { .. }));
        }
        let p = parse_cell(num_input(1e307, true, false), Expect::Percent, false);
        assert!(matches!(p.value, Value::Invalid { .. }));
    }

    // ---- percentages ----------------------------------------------------------------

    #[test]
    fn percentages_in_text() {
        for e in [
            Expect::Percent,
            Expect::Number,
            Expect::Target,
            Expect::Integer,
        ] {
            assert_eq!(val("40%", e), pct(40.0));
            assert_eq!(val("20,8333%", e), pct(20.8333));
            assert_eq!(val("100,00%", e), pct(100.0));
            assert_eq!(val("24.70%", e), pct(24.7));
            assert_eq!(val("26,90 %", e), pct(26.9));
            assert_eq!(val("26,90\u{00A0}%", e), pct(26.9));
            assert_eq!(val("% 30", e), pct(30.0));
        }
    }

    #[test]
    fn bare_numbers_in_percent_columns_are_percent_points() {
        assert_eq!(val("30", Expect::Percent), pct(30.0));
        assert_eq!(val("12,5", Expect::Percent), pct(12.5));
        // No guessing: 0,4 in a weight column is 0.4 %, not 40 %.
        assert_eq!(val("0,4", Expect::Percent), pct(0.4));
        assert_eq!(val("30 gg", Expect::Percent), with_unit(30.0, "gg"));
    }

    #[test]
    fn percent_formatted_numbers() {
        for e in [
            Expect::Percent,
            Expect::Number,
            Expect::Target,
            Expect::Integer,
        ] {
            let p = parse_cell(num_input(0.4, true, false), e, false);
            assert_eq!(p.value, pct(40.0));
            let p = parse_cell(num_input(0.07, true, false), e, false);
            assert_eq!(p.value, pct(7.0));
            assert_eq!(p.raw, "7%");
        }
        let p = parse_cell(num_input(0.4, true, false), Expect::Date, false);
        assert_eq!(p.value, pct(40.0));
        assert_eq!(kinds(&p), [ProblemKind::NotADate]);
    }

    #[test]
    fn plain_numbers_in_percent_columns_are_not_scaled() {
        let p = parse_cell(num_input(30.0, false, false), Expect::Percent, false);
        assert_eq!(p.value, pct(30.0));
        let p = parse_cell(num_input(0.4, false, false), Expect::Percent, false);
        assert_eq!(p.value, pct(0.4));
        let p = parse_cell(num_input(0.4, false, false), Expect::Number, false);
        assert_eq!(p.value, number(0.4));
    }

    // ---- integers -------------------------------------------------------------------

    #[test]
    fn priorities() {
        assert_eq!(val("3", Expect::Integer), number(3.0));
        assert_eq!(val("4,0", Expect::Integer), number(4.0));
        assert_eq!(val("3,5", Expect::Integer), number(3.5));
        let p = parse_cell(num_input(5.0, false, false), Expect::Integer, false);
        assert_eq!(p.value, number(5.0));
    }

    // ---- dates ----------------------------------------------------------------------

    #[test]
    fn day_dates() {
        for e in [Expect::Date, Expect::Target] {
            assert_eq!(val("31/12/2023", e), day(2023, 12, 31));
            assert_eq!(val("31.12.2023", e), day(2023, 12, 31));
            assert_eq!(val("25.01.2024", e), day(2024, 1, 25));
            assert_eq!(val("30/06/23", e), day(2023, 6, 30));
            assert_eq!(val("31/7/2024", e), day(2024, 7, 31));
            assert_eq!(val("31/1/2025", e), day(2025, 1, 31));
            assert_eq!(val("01/10/2024", e), day(2024, 10, 1));
            assert_eq!(val("31-12-2023", e), day(2023, 12, 31));
            assert_eq!(val("2024-12-31", e), day(2024, 12, 31));
            assert_eq!(val("29/02/2024", e), day(2024, 2, 29));
            assert_eq!(val("31 dicembre 2024", e), day(2024, 12, 31));
        }
    }

    #[test]
    fn dates_with_lead_words() {
        for e in [Expect::Date, Expect::Target] {
            assert_eq!(val("Entro il 31/12/2023", e), day(2023, 12, 31));
            assert_eq!(val("entro il 31.12.2024", e), day(2024, 12, 31));
            assert_eq!(val("entro 31/12/2024", e), day(2024, 12, 31));
            assert_eq!(val("al 30/06/2024", e), day(2024, 6, 30));
            assert_eq!(val("scadenza 30/06/2024", e), day(2024, 6, 30));
            assert_eq!(val("dal 01/01/2024", e), day(2024, 1, 1));
            assert_eq!(val("Scadenza: 30/06/2024", e), day(2024, 6, 30));
        }
    }

    #[test]
    fn dates_in_number_columns_are_text() {
        for s in [
            "31/12/2023",
            "Entro il 31/12/2023",
            "2024-2026",
            "31.04.2024",
            "12/2024",
        ] {
            let p = cell(s, Expect::Number);
            assert_eq!(p.value, text(s));
            assert_problems(&p, &[ProblemKind::NotANumber], s);
        }
    }

    #[test]
    fn month_dates() {
        let m = DatePrecision::Month;
        for e in [Expect::Date, Expect::Target] {
            assert_eq!(val("entro marzo 2024", e), date(2024, 3, 31, m));
            assert_eq!(val("Entro settembre 2024", e), date(2024, 9, 30, m));
            assert_eq!(val("marzo 2024", e), date(2024, 3, 31, m));
            assert_eq!(val("entro gennaio 2024", e), date(2024, 1, 31, m));
            assert_eq!(val("entro febbraio 2023", e), date(2023, 2, 28, m));
            assert_eq!(val("giu 2024", e), date(2024, 6, 30, m));
            assert_eq!(val("Dic. 2024", e), date(2024, 12, 31, m));
            assert_eq!(val("12/2024", e), date(2024, 12, 31, m));
        }
    }

    #[test]
    fn semester_dates() {
        let s = DatePrecision::Semester;
        for e in [Expect::Date, Expect::Target] {
            assert_eq!(val("nel 2 semestre 2024", e), date(2024, 12, 31, s));
            assert_eq!(val("II semestre 2024", e), date(2024, 12, 31, s));
            assert_eq!(val("1° semestre 2024", e), date(2024, 6, 30, s));
            assert_eq!(val("primo semestre 2024", e), date(2024, 6, 30, s));
            assert_eq!(val("secondo semestre del 2024", e), date(2024, 12, 31, s));
        }
    }

    #[test]
    fn year_dates() {
        let y = DatePrecision::Year;
        assert_eq!(val("2024", Expect::Date), date(2024, 12, 31, y));
        assert_eq!(val("entro il 2024", Expect::Date), date(2024, 12, 31, y));
        assert_eq!(val("entro il 2024", Expect::Target), date(2024, 12, 31, y));
        assert_eq!(
            val("entro la fine del 2025", Expect::Date),
            date(2025, 12, 31, y)
        );
        // A bare year in a target column is a number.
        assert_eq!(val("2024", Expect::Target), number(2024.0));
    }

    #[test]
    fn periods() {
        let period = |from, to| Value::Period { from, to };
        for e in [Expect::Date, Expect::Target] {
            assert_eq!(val("2024-2026", e), period(2024, 2026));
            assert_eq!(val("2024/2026", e), period(2024, 2026));
            assert_eq!(val("2024 -2026", e), period(2024, 2026));
            assert_eq!(val("2024 - 2026", e), period(2024, 2026));
            assert_eq!(val("2024-2025", e), period(2024, 2025));
            assert_eq!(val("2024-25", e), period(2024, 2025));
            assert_eq!(val("2024\u{2013}2026", e), period(2024, 2026));
            assert_eq!(val("triennio 2024-2026", e), period(2024, 2026));
            assert!(matches!(val("2026-2024", e), Value::Text));
            assert!(matches!(val("1800-1850", e), Value::Text));
        }
    }

    #[test]
    fn impossible_dates() {
        let cases = [
            ("17/17/2023", "il mese 17 non esiste"),
            ("14/0/2023", "il mese 0 non esiste"),
            (
                "31/2/2023",
                "febbraio 2023 ha 28 giorni (2023 non è bisestile)",
            ),
            ("31.04.2024", "aprile ha 30 giorni"),
            ("Entro il 31.04.2024", "aprile ha 30 giorni"),
            (
                "29/02/2023",
                "febbraio 2023 ha 28 giorni (2023 non è bisestile)",
            ),
            ("00/01/2024", "il giorno 0 non esiste"),
            ("32/01/2024", "gennaio ha 31 giorni"),
            ("31 aprile 2024", "aprile ha 30 giorni"),
        ];
        for (s, why) in cases {
            for e in [Expect::Date, Expect::Target] {
                let p = cell(s, e);
                let message = format!("data inesistente «{s}»: {why}");
                assert_eq!(
                    p.value,
                    Value::Invalid {
                        reason: message.clone().into()
                    },
                    "{s} {e:?}"
                );
                assert_eq!(kinds(&p), [ProblemKind::InvalidDate]);
                assert_eq!(p.problems[0].message, message);
                assert!(p.problems[0].kind.is_error());
            }
        }
    }

    #[test]
    fn impossible_date_inside_longer_text() {
        let s = "a) entro il 31.04.2024 b) relazione finale";
        for e in [Expect::Date, Expect::Target] {
            let p = cell(s, e);
            assert_eq!(p.value, text(s));
            assert_eq!(kinds(&p), [ProblemKind::InvalidDate]);
            assert_eq!(
                p.problems[0].message,
                format!("data inesistente «31.04.2024» nel testo «{s}»: aprile ha 30 giorni")
            );
        }
        // Outside date and target columns nobody reads dates.
        let p = cell(s, Expect::Number);
        assert_eq!(kinds(&p), [ProblemKind::NotANumber]);
    }

    #[test]
    fn valid_date_inside_longer_text_is_plain_text() {
        let s = "entro il 31/08/2023 determina e contrarre";
        assert_eq!(val(s, Expect::Date), text(s));
        assert_eq!(val(s, Expect::Target), text(s));
        let s = "PIAO 2023-2025, (30.05.2023), anno precedente (2022)";
        assert_eq!(val(s, Expect::Date), text(s));
    }

    #[test]
    fn outline_codes_are_text_in_target_columns_but_broken_numbers_elsewhere() {
        assert!(is_outline_code("1.1.1") && is_outline_code("46.1.1.1"));
        assert!(!is_outline_code("12.34.5") && !is_outline_code("1.000.000"));
        assert_eq!(val("9.2.1.1", Expect::Target), text("9.2.1.1"));
        let p = cell("1.1.1", Expect::Number);
        assert_problems(&p, &[ProblemKind::InvalidNumber], "1.1.1");
    }

    #[test]
    fn text_that_only_looks_like_a_date() {
        for s in [
            "08/00",
            "L. 4.4. del 08/00",
            "1.1.1",
            "6.2.3.1",
            "(presumibilmente inizio maggio 2024)",
            "tra il mese di dicembre 2024/gennaio 2025",
            "a decorrere dalla conclusione dei lavori (dopo collaudi- vedere tempi Settore Tecnico)",
        ] {
            assert_eq!(val(s, Expect::Date), text(s), "{s}");
            assert_eq!(val(s, Expect::Target), text(s), "{s}");
        }
    }

    #[test]
    fn date_formatted_serials() {
        for e in ALL_BUT_TEXT {
            let p = parse_cell(num_input(45657.0, false, true), e, false);
            assert_eq!(p.value, day(2024, 12, 31));
        }
        let p = parse_cell(num_input(45657.625, false, true), Expect::Date, false);
        assert_eq!(p.value, day(2024, 12, 31));
        let p = parse_cell(num_input(44195.0, false, true), Expect::Date, true);
        assert_eq!((p.raw.as_str(), p.value), ("31/12/2024", day(2024, 12, 31)));
        let p = parse_cell(num_input(60.0, false, true), Expect::Date, false);
        assert_eq!(p.value, day(1900, 2, 28));
        let p = parse_cell(num_input(61.0, false, true), Expect::Date, false);
        assert_eq!(p.value, day(1900, 3, 1));
        let p = parse_cell(num_input(-3.0, false, true), Expect::Date, false);
        assert_eq!(p.value, number(-3.0));
        assert_eq!(kinds(&p), [ProblemKind::NotADate]);
        let p = parse_cell(num_input(45657.0, false, true), Expect::Text, false);
        assert_eq!(p.value, text("31/12/2024"));
    }

    #[test]
    fn plain_numbers_in_date_columns() {
        let p = parse_cell(num_input(2024.0, false, false), Expect::Date, false);
        assert_eq!(p.value, date(2024, 12, 31, DatePrecision::Year));
        let p = parse_cell(num_input(45657.0, false, false), Expect::Date, false);
        assert_eq!(p.value, day(2024, 12, 31));
        let p = parse_cell(num_input(44195.0, false, false), Expect::Date, true);
        assert_eq!(p.value, day(2024, 12, 31));
        for v in [5.0, 2024.5, 150_000.0, -1.0] {
            let p = parse_cell(num_input(v, false, false), Expect::Date, false);
            assert_eq!(p.value, number(v));
            assert_problems(&p, &[ProblemKind::NotADate], &p.raw.clone());
            assert!(!p.problems[0].kind.is_error());
            assert!(p.problems[0].message.contains("non è una data"));
        }
        // A number typed as text is not taken for a serial.
        let p = cell("45657", Expect::Date);
        assert_eq!(p.value, number(45657.0));
        assert_eq!(kinds(&p), [ProblemKind::NotADate]);
    }

    // ---- comparators ----------------------------------------------------------------

    #[test]
    fn symbolic_comparators() {
        use Comparator::*;
        for e in [Expect::Target, Expect::Number] {
            assert_eq!(val(">= 6", e), cmp(Ge, 6.0, false, None));
            assert_eq!(val(">=3", e), cmp(Ge, 3.0, false, None));
            assert_eq!(val("> = 10%", e), cmp(Ge, 10.0, true, None));
            assert_eq!(val(">3", e), cmp(Gt, 3.0, false, None));
            assert_eq!(val(">12", e), cmp(Gt, 12.0, false, None));
            assert_eq!(val("=<0", e), cmp(Le, 0.0, false, None));
            assert_eq!(val("= <0", e), cmp(Le, 0.0, false, None));
            assert_eq!(val("<=5", e), cmp(Le, 5.0, false, None));
            assert_eq!(val("≤ 5", e), cmp(Le, 5.0, false, None));
            assert_eq!(val("≥ 6", e), cmp(Ge, 6.0, false, None));
            assert_eq!(val("<30 gg", e), cmp(Lt, 30.0, false, Some("gg")));
            assert_eq!(val("= 100", e), cmp(Eq, 100.0, false, None));
            assert_eq!(val("=> 4", e), cmp(Ge, 4.0, false, None));
        }
    }

    #[test]
    fn comparators_in_words() {
        use Comparator::*;
        for e in [Expect::Target, Expect::Number] {
            assert_eq!(val("almeno 2", e), cmp(Ge, 2.0, false, None));
            assert_eq!(
                val("almeno 12 incontri", e),
                cmp(Ge, 12.0, false, Some("incontri"))
            );
            assert_eq!(val("almeno il 90%", e), cmp(Ge, 90.0, true, None));
            assert_eq!(
                val("non inferiore a -15gg", e),
                cmp(Ge, -15.0, false, Some("gg"))
            );
            assert_eq!(
                val("non superiore a 30 giorni", e),
                cmp(Le, 30.0, false, Some("giorni"))
            );
            assert_eq!(val("inferiore a 5", e), cmp(Lt, 5.0, false, None));
            assert_eq!(val("superiore a 5", e), cmp(Gt, 5.0, false, None));
            assert_eq!(val("oltre 5", e), cmp(Gt, 5.0, false, None));
            assert_eq!(val("maggiore di 5", e), cmp(Gt, 5.0, false, None));
            assert_eq!(val("al massimo 3", e), cmp(Le, 3.0, false, None));
            assert_eq!(val("massimo 3", e), cmp(Le, 3.0, false, None));
            assert_eq!(val("max 3", e), cmp(Le, 3.0, false, None));
            assert_eq!(val("minimo 3", e), cmp(Ge, 3.0, false, None));
            assert_eq!(val("min 3", e), cmp(Ge, 3.0, false, None));
            assert_eq!(val("pari a 100%", e), cmp(Eq, 100.0, true, None));
            assert_eq!(val("uguale o maggiore di 5", e), cmp(Ge, 5.0, false, None));
            assert_eq!(val("maggiore o uguale a 5", e), cmp(Ge, 5.0, false, None));
            assert_eq!(val("minore o uguale a 5", e), cmp(Le, 5.0, false, None));
            assert_eq!(val("entro 30 gg", e), cmp(Le, 30.0, false, Some("gg")));
            assert_eq!(val("Almeno 1", e), cmp(Ge, 1.0, false, None));
        }
    }

    #[test]
    fn label_before_a_value() {
        assert_eq!(
            val("N° partecipazioni bandi: almeno 4", Expect::Target),
            cmp(Comparator::Ge, 4.0, false, None)
        );
        assert_eq!(val("Valore atteso: 3.800", Expect::Number), number(3800.0));
        assert_eq!(val("Scadenza: 31/12/2024", Expect::Date), day(2024, 12, 31));
        // Not a label: the text before the colon ends with a number.
        assert_eq!(val("ore 10:30", Expect::Target), text("ore 10:30"));
    }

    #[test]
    fn comparator_followed_by_an_explanation() {
        assert_eq!(
            val("almeno all'80% degli incontri", Expect::Target),
            cmp(Comparator::Ge, 80.0, true, None)
        );
        assert_eq!(
            val("almeno all\u{2019}80% degli incontri", Expect::Target),
            cmp(Comparator::Ge, 80.0, true, None)
        );
        let s = "partecipazione 90% dipendenti";
        assert_eq!(val(s, Expect::Target), text(s));
    }

    // ---- changes --------------------------------------------------------------------

    #[test]
    fn changes() {
        let change = |p| Value::Change { percent: p };
        let e = Expect::Target;
        assert_eq!(val("+5%", e), change(5.0));
        assert_eq!(val("+ 5 %", e), change(5.0));
        assert_eq!(val("-10%", e), pct(-10.0));
        assert_eq!(val("Riduzione del 30%", e), change(-30.0));
        assert_eq!(val("riduzione 30%", e), change(-30.0));
        assert_eq!(val("riduzione del -30%", e), change(-30.0));
        assert_eq!(val("incremento del 10%", e), change(10.0));
        assert_eq!(val("aumento del 10%", e), change(10.0));
        assert_eq!(val("crescita 10%", e), change(10.0));
        // Outside target columns a signed percentage is just a percentage.
        assert_eq!(val("+5%", Expect::Number), pct(5.0));
        assert_eq!(val("+5", e), number(5.0));
    }

    // ---- done / not done ------------------------------------------------------------

    #[test]
    fn done_and_not_done() {
        let done = |d| Value::Done { done: d };
        for e in [Expect::Target, Expect::Number] {
            for s in [
                "fatto",
                "Fatto",
                "realizzato",
                "sì",
                "si",
                "SI",
                "1 = fatto",
                "1= fatto",
                "1=fatto",
                "fatto = 1",
                "Fatto.",
            ] {
                assert_eq!(val(s, e), done(true), "{s}");
            }
            for s in ["non fatto", "non realizzato", "no", "NO", "0 = non fatto"] {
                assert_eq!(val(s, e), done(false), "{s}");
            }
            assert_eq!(val("1", e), number(1.0));
            assert_eq!(val("0", e), number(0.0));
        }
        assert_eq!(val("x", Expect::Target), text("x"));
        assert_eq!(val("1 = non fatto", Expect::Target), text("1 = non fatto"));
        // A formula description, not a value.
        let s = "1 = fatto 0 = non fatto";
        assert_eq!(val(s, Expect::Target), text(s));
    }

    #[test]
    fn bool_cells_are_done() {
        for e in ALL_BUT_TEXT {
            let p = parse_cell(CellInput::Bool(true), e, false);
            assert_eq!(p.value, Value::Done { done: true });
            let p = parse_cell(CellInput::Bool(false), e, false);
            assert_eq!(p.value, Value::Done { done: false });
        }
        let p = parse_cell(CellInput::Bool(true), Expect::Text, false);
        assert_eq!(p.value, text("VERO"));
    }

    // ---- several values -------------------------------------------------------------

    #[test]
    fn several_values_in_one_cell() {
        for s in [
            "- n. 5 sezioni - n. 45 posti",
            "a) 3 b) 5",
            "5; 7",
            "3 incontri e 4 corsi",
            "10 / 20",
            "100/200",
            "3 su 5",
            "31/12/2024; 30/06/2025",
            "1) 40% 2) 60%",
        ] {
            for e in ALL_BUT_TEXT {
                let p = cell(s, e);
                assert_eq!(p.value, text(s), "{s} {e:?}");
                assert_problems(&p, &[ProblemKind::MultipleValues], s);
                assert_eq!(
                    p.problems[0].message,
                    format!(
                        "più valori nella stessa cella («{s}»): indicare un solo valore per \
                         cella o dividere l'indicatore"
                    )
                );
                assert!(!p.problems[0].kind.is_error());
            }
        }
    }

    #[test]
    fn single_values_are_not_several() {
        let e = Expect::Target;
        assert_eq!(val("46.000 kwh", e), with_unit(46000.0, "kwh"));
        assert_eq!(val("Entro il 31/12/2023", e), day(2023, 12, 31));
        assert_eq!(
            val("2024-2026", e),
            Value::Period {
                from: 2024,
                to: 2026
            }
        );
        assert_eq!(val("> = 10%", e), cmp(Comparator::Ge, 10.0, true, None));
        assert_eq!(val("1.000.000", e), number(1e6));
        assert_eq!(
            val("1 = fatto 0 = non fatto", e),
            text("1 = fatto 0 = non fatto")
        );
        assert_eq!(val("- 15gg", e), with_unit(-15.0, "gg"));
        assert_eq!(val("10/20", e), text("10/20"));
    }

    // ---- text columns, spaces and dashes --------------------------------------------

    #[test]
    fn text_columns_are_never_parsed() {
        for s in [
            "3.800",
            "31.04.2024",
            "1.297,888,00",
            ">= 6",
            "fatto",
            "a) 3 b) 5",
        ] {
            let p = cell(s, Expect::Text);
            assert_eq!(p.value, text(s));
            assert!(p.problems.is_empty());
        }
        assert_eq!(
            val("  Titolo\n\n  seconda riga  ", Expect::Text),
            text("Titolo\n\n  seconda riga")
        );
    }

    #[test]
    fn non_breaking_spaces_and_typographic_minus() {
        let e = Expect::Number;
        assert_eq!(val("3\u{00A0}800", e), number(3800.0));
        assert_eq!(val("46.000\u{202F}kwh", e), with_unit(46000.0, "kwh"));
        assert_eq!(val("\u{2212}25,16", e), number(-25.16));
        assert_eq!(val("\u{2013} 15 gg", e), with_unit(-15.0, "gg"));
        assert_eq!(
            val("non inferiore a \u{2212}15gg", Expect::Target),
            cmp(Comparator::Ge, -15.0, false, Some("gg"))
        );
    }

    // ---- robustness -----------------------------------------------------------------

    fn check_no_panic(s: &str) {
        for e in ALL_BUT_TEXT.iter().chain([Expect::Text].iter()) {
            let p = parse_cell(CellInput::Text(s), *e, false);
            if let Some(n) = p.value.number() {
                assert!(n.is_finite(), "{s:?} {e:?} gave {n}");
            }
            if let Value::Invalid { reason } = &p.value {
                assert!(!reason.is_empty());
                assert!(!p.problems.is_empty(), "{s:?}: Invalid without a problem");
            }
            for pr in &p.problems {
                assert!(pr.message.contains('«') || pr.kind == ProblemKind::ExcelError);
            }
        }
    }

    #[test]
    fn generated_strings_never_panic() {
        const ALPHABET: [&str; 20] = [
            "0", "1", "9", ".", ",", "%", "-", "+", "/", "=", "<", ">", "a", "e", " ", "€", "n",
            ":", "\u{2212}", ")",
        ];
        // Every string of up to three symbols.
        for a in ALPHABET {
            check_no_panic(a);
            for b in ALPHABET {
                check_no_panic(&format!("{a}{b}"));
                for c in ALPHABET {
                    check_no_panic(&format!("{a}{b}{c}"));
                }
            }
        }
        // A few thousand longer ones from a fixed pseudo-random sequence.
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..4000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = 4 + (seed % 14) as usize;
            let mut s = String::new();
            let mut x = seed;
            for _ in 0..len {
                s.push_str(ALPHABET[(x % ALPHABET.len() as u64) as usize]);
                x /= ALPHABET.len() as u64;
                if x == 0 {
                    x = seed.rotate_left(17) | 1;
                }
            }
            check_no_panic(&s);
        }
    }

    #[test]
    fn odd_unicode_and_long_strings_never_panic() {
        for s in [
            "İstanbul 3",
            "ﬁ 3",
            "e\u{301} 3",
            "3 \u{1F600}",
            "\u{0}",
            "\u{202E}3.800",
            "٣",
            "3\u{FE63}4",
            "≥≥≥",
            "n°°°3",
            "a) b) c)",
            "1/2/3/4/5",
            "31/12/2023/5",
            "2024-2026-2028",
            ": : :",
            "1,",
            "1.",
            ",1",
            ".1",
        ] {
            check_no_panic(s);
        }
        check_no_panic(&"1.2,3 ".repeat(20_000));
        check_no_panic(&"a".repeat(100_000));
        check_no_panic(&"1".repeat(100_000));
        check_no_panic(&"31/04/2024 ".repeat(5_000));
        let p = cell(&"31/04/2024 ".repeat(200), Expect::Date);
        assert!(
            p.problems[0].message.chars().count() < 400,
            "long text quoted whole"
        );
        for v in [f64::MAX, f64::MIN, f64::MIN_POSITIVE, -0.0, 1e300] {
            for (pf, df) in [(false, false), (true, false), (false, true)] {
                for e in ALL_BUT_TEXT {
                    let _ = parse_cell(num_input(v, pf, df), e, false);
                    let _ = parse_cell(num_input(v, pf, df), e, true);
                }
            }
        }
    }

    #[test]
    fn quote_truncates_long_text() {
        assert_eq!(quote("breve"), "breve");
        let long = "x".repeat(150);
        assert_eq!(quote(&long).chars().count(), QUOTE_MAX + 1);
        assert!(quote(&long).ends_with('…'));
    }
}
