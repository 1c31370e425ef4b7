//! Italian numbers: `3.800` is three thousand eight hundred, `3,8` is three point eight.
//!
//! The rule for a dot is the one a person applies: a dot followed by exactly three digits
//! (in groups, as in `1.000.000`) separates thousands, any other dot is a decimal point
//! (`24.70`, `0.123`). The comma is always the decimal mark. Anything that does not fit
//! (`1.297,888,00`, `3,800.5`, `12.34.5`, `1..5`) is a broken number, reported with the
//! reason instead of being guessed.

use compact_str::{format_compact, CompactString, ToCompactString};

use super::token::{tokenize, trim, Kind, Tokens};
use super::{Problem, ProblemKind};

/// Why a numeral cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumErr {
    /// More than one comma (`1.297,888,00`, `1,2,3`).
    Commas,
    /// A dot after the decimal comma (`3,800.5`).
    CommaBeforeDot,
    /// Two separators in a row (`1..5`).
    Consecutive,
    /// Dots that are neither thousands separators nor one decimal point (`12.34.5`).
    Grouping,
    /// Too large to be represented.
    TooLarge,
}

impl NumErr {
    /// What is wrong, in Italian.
    pub(crate) fn why(self) -> &'static str {
        match self {
            NumErr::Commas => "più di una virgola decimale",
            NumErr::CommaBeforeDot => {
                "la virgola decimale precede un punto: in italiano il punto separa le migliaia \
                 e la virgola i decimali"
            }
            NumErr::Consecutive => "due separatori consecutivi",
            NumErr::Grouping => {
                "punti in posizione non valida: il punto separa le migliaia e deve essere \
                 seguito da gruppi di 3 cifre"
            }
            NumErr::TooLarge => "numero troppo grande",
        }
    }
}

/// Builds the InvalidNumber problem for `cell`.
pub(crate) fn invalid_number_problem(cell: &str, err: NumErr) -> Problem {
    Problem {
        kind: ProblemKind::InvalidNumber,
        message: format!(
            "numero non valido «{}»: {}",
            super::text::quote(cell),
            err.why()
        ),
    }
}

/// Parses an Italian numeral made of digits, dots and commas only (no sign, no spaces),
/// without allocating for ordinary lengths.
pub(crate) fn parse_core(s: &str) -> Result<f64, NumErr> {
    let b = s.as_bytes();
    if b.is_empty()
        || !b[0].is_ascii_digit()
        || !b[b.len() - 1].is_ascii_digit()
        || !b.iter().all(|c| matches!(c, b'0'..=b'9' | b'.' | b','))
    {
        return Err(NumErr::Consecutive);
    }
    let mut commas = 0;
    let mut comma_at = None;
    let mut dots = 0;
    let mut prev_sep = false;
    for (i, &c) in b.iter().enumerate() {
        if c == b'.' || c == b',' {
            if prev_sep {
                return Err(NumErr::Consecutive);
            }
            prev_sep = true;
            if c == b',' {
                commas += 1;
                comma_at = Some(i);
            } else {
                dots += 1;
                if comma_at.is_some() {
                    return Err(NumErr::CommaBeforeDot);
                }
            }
        } else {
            prev_sep = false;
        }
    }
    if commas > 1 {
        return Err(NumErr::Commas);
    }
    let (int_part, frac_part) = match comma_at {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    // Decide what the dots in the integer part are.
    let decimal_dot = if dots == 0 {
        false
    } else if dots == 1 && frac_part.is_none() {
        let (a, rest) = int_part.split_once('.').unwrap_or((int_part, ""));
        !(rest.len() == 3 && a.len() <= 3 && !a.starts_with('0'))
    } else {
        let mut groups = int_part.split('.');
        let first = groups.next().unwrap_or("");
        if first.len() > 3 || first.starts_with('0') || groups.any(|g| g.len() != 3) {
            return Err(NumErr::Grouping);
        }
        false
    };
    // Rebuild a plain numeral ("3800.5") and let the standard library round it correctly.
    let mut buf = [0u8; 72];
    let mut len = 0;
    let mut heap: Option<String> = None;
    let mut push = |c: u8| {
        if let Some(h) = heap.as_mut() {
            h.push(c as char);
        } else if len < buf.len() {
            buf[len] = c;
            len += 1;
        } else {
            let mut h = String::with_capacity(s.len() + 1);
            h.push_str(std::str::from_utf8(&buf[..len]).unwrap_or_default());
            h.push(c as char);
            heap = Some(h);
        }
    };
    for &c in int_part.as_bytes() {
        if c == b'.' {
            if decimal_dot {
                push(b'.');
            }
        } else {
            push(c);
        }
    }
    if let Some(f) = frac_part {
        push(b'.');
        for &c in f.as_bytes() {
            push(c);
        }
    }
    let plain = match &heap {
        Some(h) => h.as_str(),
        None => std::str::from_utf8(&buf[..len]).unwrap_or_default(),
    };
    let v: f64 = plain.parse().map_err(|_| NumErr::Grouping)?;
    if v.is_finite() {
        Ok(v)
    } else {
        Err(NumErr::TooLarge)
    }
}

/// How the words after a number are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnitMode {
    /// The quantity must cover the whole range; up to three unit words, none after a `%`.
    Strict,
    /// Like strict, but a percentage may be followed by a few words without digits
    /// (`almeno all'80% degli incontri`); they are dropped.
    Lenient,
    /// Read a quantity at the start of the range and stop where it ends (for counting
    /// values in a cell).
    Scan,
}

/// A number with its sign, percent sign and unit, as read from tokens.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Quantity {
    /// The signed value, or why the numeral is broken.
    pub value: Result<f64, NumErr>,
    /// The explicit sign written, if any.
    pub sign: Option<char>,
    /// Written as a percentage.
    pub percent: bool,
    /// The unit, lower-cased.
    pub unit: Option<String>,
    /// Token index after the quantity.
    pub end: usize,
}

/// Words that end a unit: they introduce another value or a comparison.
const UNIT_STOP: &[&str] = &[
    "e", "ed", "o", "oppure", "più", "piu", "meno", "almeno", "oltre", "circa", "su",
];

/// Number prefixes: `n.`, `n°`, `nr`, `num.`.
const NUMBER_PREFIX: &[&str] = &["n", "nr", "num", "numero", "nn"];

fn sign_at(tk: &Tokens, i: usize) -> Option<char> {
    match tk.sym(i) {
        Some('-') => Some('-'),
        Some('+') => Some('+'),
        _ => None,
    }
}

fn is_currency(tk: &Tokens, i: usize) -> bool {
    matches!(tk.sym(i), Some('€' | '$' | '£'))
}

/// True for a group of a space-separated number: three digits, optionally followed by a
/// decimal comma (`234` or `234,5`).
fn space_group(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 3
        && b[..3].iter().all(u8::is_ascii_digit)
        && (b.len() == 3 || (b[3] == b',' && b.len() > 4 && b[4..].iter().all(u8::is_ascii_digit)))
}

/// Reads the numeral at token `j` (already known to be a number), joining groups written
/// with spaces (`1 234 567`). Returns the value and the token index after it.
fn numeral_at(tk: &Tokens, j: usize, end: usize) -> (Result<f64, NumErr>, usize) {
    let first = tk.text(j);
    if first.len() <= 3 && !first.starts_with('0') && tk.digits(j).is_some() {
        let mut k = j + 1;
        while k < end && tk.space(k) && tk.num(k).is_some_and(space_group) {
            let has_comma = tk.text(k).contains(',');
            k += 1;
            if has_comma {
                break;
            }
        }
        if k > j + 1 {
            let mut joined = String::with_capacity(4 * (k - j) + 8);
            joined.push_str(first);
            for g in j + 1..k {
                joined.push('.');
                joined.push_str(tk.text(g));
            }
            return (parse_core(&joined), k);
        }
    }
    (parse_core(first), j + 1)
}

/// Reads a quantity (`- 15gg`, `n. 3 incontri`, `€ 7,20`, `46.000 kwh`, `26,90 %`, `% 30`)
/// from token `i`. In [`UnitMode::Strict`] and [`UnitMode::Lenient`] it must end at `end`.
pub(crate) fn quantity(tk: &Tokens, i: usize, end: usize, mode: UnitMode) -> Option<Quantity> {
    let mut j = i;
    let mut sign = sign_at(tk, j);
    if sign.is_some() {
        j += 1;
    }
    let mut percent = false;
    let mut currency: Option<usize> = None;
    if tk.is_word_in(j, NUMBER_PREFIX) && j < end {
        j += 1;
        let mut marks = 0;
        while j < end && marks < 2 && (tk.is_sym(j, '.') || tk.is_sym(j, '°')) {
            j += 1;
            marks += 1;
        }
    } else if j < end && is_currency(tk, j) {
        currency = Some(j);
        j += 1;
    } else if j < end && tk.is_sym(j, '%') {
        percent = true;
        j += 1;
    }
    if sign.is_none() && j < end {
        sign = sign_at(tk, j);
        if sign.is_some() {
            j += 1;
        }
    }
    if currency.is_none() && !percent && j < end && is_currency(tk, j) {
        currency = Some(j);
        j += 1;
    }
    if j >= end || tk.kind(j) != Some(Kind::Num) {
        return None;
    }
    let (value, nj) = numeral_at(tk, j, end);
    j = nj;
    let value = value.map(|v| if sign == Some('-') { -v } else { v });
    if !percent && j < end && tk.is_sym(j, '%') {
        percent = true;
        j += 1;
    }
    let currency_text = currency.map(|c| tk.text(c));
    let join_unit = |suffix: Option<&str>| -> Option<String> {
        match (currency_text, suffix) {
            (None, None) => None,
            (Some(c), None) => Some(c.to_string()),
            (None, Some(s)) => Some(s.to_string()),
            (Some(c), Some(s)) => Some(format!("{c} {s}")),
        }
    };
    let done = |unit: Option<String>, end: usize| Quantity {
        value,
        sign,
        percent,
        unit,
        end,
    };
    if mode == UnitMode::Scan {
        let ustart = j;
        let mut words = 0;
        while j < end {
            if let Some(w) = tk.word(j) {
                if words == 3 || UNIT_STOP.contains(&w) || tk.is_sym(j + 1, ')') {
                    break;
                }
                words += 1;
            } else if !(j == ustart && is_currency(tk, j)) {
                break;
            }
            j += 1;
        }
        let suffix = (j > ustart).then(|| tk.norm_span(ustart, j));
        return Some(done(join_unit(suffix), j));
    }
    // Whole modes: whatever follows must be a unit (or trailing punctuation).
    let ustart = j;
    let mut words = 0;
    let mut k = j;
    let mut has_num = false;
    while k < end {
        match tk.kind(k) {
            Some(Kind::Word) => {
                if UNIT_STOP.contains(&tk.text(k)) {
                    return None;
                }
                words += 1;
            }
            Some(Kind::Sym('€' | '$' | '£' | '/' | '°' | '\'' | '.')) => {}
            Some(Kind::Sym(',')) if mode == UnitMode::Lenient && percent => {}
            Some(Kind::Num) if mode == UnitMode::Lenient && percent => has_num = true,
            _ => return None,
        }
        k += 1;
    }
    // Drop trailing dots ("15 gg.").
    let mut uend = end;
    while uend > ustart && tk.is_sym(uend - 1, '.') {
        uend -= 1;
    }
    if uend == ustart {
        return Some(done(join_unit(None), end));
    }
    if percent {
        // A percentage has no unit; a comparison may be followed by a short explanation.
        if mode == UnitMode::Lenient && !has_num && end - ustart <= 10 {
            return Some(done(None, end));
        }
        return None;
    }
    if words > 3 || matches!(tk.sym(ustart), Some('/' | '\'' | '.')) {
        return None;
    }
    Some(done(join_unit(Some(tk.norm_span(ustart, uend))), end))
}

/// Reads an Italian number with an optional sign, prefix (`n.`, `n°`, `nr`, `€`) and unit
/// (`kwh`, `gg`, `€`, up to three words). A percentage comes back with the unit `"%"`.
///
/// `Ok(None)` means the text is not a number at all (words, a date); `Err` means it looks
/// like a number but is broken (`1.297,888,00`), with an Italian message quoting the text.
///
/// ```
/// use barometro::value::parse_number;
///
/// assert_eq!(parse_number("3.800").unwrap(), Some((3800.0, None)));
/// assert_eq!(parse_number("24.70").unwrap(), Some((24.7, None)));
/// assert_eq!(parse_number("46.000 kwh").unwrap(), Some((46000.0, Some("kwh".to_string()))));
/// assert_eq!(parse_number("- 15gg").unwrap(), Some((-15.0, Some("gg".to_string()))));
/// assert_eq!(parse_number("20,8333%").unwrap(), Some((20.8333, Some("%".to_string()))));
/// assert_eq!(parse_number("solo monitoraggio").unwrap(), None);
/// assert!(parse_number("1.297,888,00").is_err());
/// ```
pub fn parse_number(text: &str) -> Result<Option<(f64, Option<String>)>, Problem> {
    let t = trim(text);
    if t.is_empty() {
        return Ok(None);
    }
    if let Some((Ok(v), _, percent)) = plain_number(t) {
        return Ok(Some((v, percent.then(|| "%".to_string()))));
    }
    let tk = tokenize(t);
    if super::date::whole_date(&tk, 0, tk.len(), false).is_some() {
        return Ok(None);
    }
    match quantity(&tk, 0, tk.len(), UnitMode::Strict) {
        None => Ok(None),
        Some(q) => match q.value {
            Ok(v) => {
                let unit = if q.percent {
                    Some("%".to_string())
                } else {
                    q.unit
                };
                Ok(Some((v, unit)))
            }
            Err(e) => Err(invalid_number_problem(t, e)),
        },
    }
}

/// Fast path for text that is only a numeral with an optional sign and `%` (`3.800`,
/// `-25,16`, `40%`): returns the signed value, the sign and whether it is a percentage,
/// without allocating. `None` when the text has any other character.
pub(crate) fn plain_number(t: &str) -> Option<(Result<f64, NumErr>, Option<char>, bool)> {
    let b = t.as_bytes();
    let mut s = 0;
    let sign = match b.first() {
        Some(b'-') => Some('-'),
        Some(b'+') => Some('+'),
        _ => None,
    };
    if sign.is_some() {
        s = 1;
    }
    let mut e = b.len();
    let percent = e > s && b[e - 1] == b'%';
    if percent {
        e -= 1;
    }
    if s >= e
        || !b[s].is_ascii_digit()
        || !b[e - 1].is_ascii_digit()
        || !b[s..e]
            .iter()
            .all(|c| matches!(c, b'0'..=b'9' | b'.' | b','))
    {
        return None;
    }
    let v = parse_core(&t[s..e]).map(|v| if sign == Some('-') { -v } else { v });
    Some((v, sign, percent))
}

/// Writes a number the Italian way for display: decimal comma, no thousands separator, at
/// most 10 decimals with trailing zeros removed (so float noise such as
/// `0.30000000000000004` disappears).
///
/// ```
/// use barometro::value::format_number_it;
///
/// assert_eq!(format_number_it(3800.0), "3800");
/// assert_eq!(format_number_it(20.8333), "20,8333");
/// assert_eq!(format_number_it(-25.16), "-25,16");
/// assert_eq!(format_number_it(0.1 + 0.2), "0,3");
/// ```
///
/// Non-finite values are written `NaN`, `∞` and `-∞`.
pub fn format_number_it(n: f64) -> CompactString {
    if n.is_nan() {
        return CompactString::const_new("NaN");
    }
    if n.is_infinite() {
        return CompactString::const_new(if n > 0.0 { "∞" } else { "-∞" });
    }
    if n.fract() == 0.0 && n.abs() < 1e15 {
        // Whole numbers, most cells: integer formatting, inline, no allocation.
        return (n as i64).to_compact_string();
    }
    let mut s = format_compact!("{n:.10}");
    if s.contains('.') {
        let kept = s.trim_end_matches('0').trim_end_matches('.').len();
        s.truncate(kept);
    }
    if s == "-0" {
        return CompactString::const_new("0");
    }
    s.replace('.', ",").into()
}

/// Rounds to 10 decimals, removing float noise from `0.07 * 100` and the like.
pub(crate) fn round10(x: f64) -> f64 {
    if x.is_finite() && x.abs() < 1e5 {
        let r = (x * 1e10).round() / 1e10;
        if r == 0.0 {
            0.0
        } else {
            r
        }
    } else {
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> Option<(f64, Option<String>)> {
        parse_number(s).unwrap()
    }

    fn unit(v: f64, u: &str) -> Option<(f64, Option<String>)> {
        Some((v, Some(u.to_string())))
    }

    #[test]
    fn core_thousands_and_decimals() {
        assert_eq!(parse_core("3.800"), Ok(3800.0));
        assert_eq!(parse_core("1.000.000"), Ok(1e6));
        assert_eq!(parse_core("2.457"), Ok(2457.0));
        assert_eq!(parse_core("78.219"), Ok(78219.0));
        assert_eq!(parse_core("3.800,5"), Ok(3800.5));
        assert_eq!(parse_core("100,00"), Ok(100.0));
        assert_eq!(parse_core("20,8333"), Ok(20.8333));
        assert_eq!(parse_core("24.70"), Ok(24.7));
        assert_eq!(parse_core("0.123"), Ok(0.123));
        assert_eq!(parse_core("3,8"), Ok(3.8));
        assert_eq!(parse_core("1234.567"), Ok(1234.567));
        assert_eq!(parse_core("206.123,00"), Ok(206123.0));
        assert_eq!(parse_core("007"), Ok(7.0));
    }

    #[test]
    fn core_broken() {
        assert_eq!(parse_core("1.297,888,00"), Err(NumErr::Commas));
        assert_eq!(parse_core("1,2,3"), Err(NumErr::Commas));
        assert_eq!(parse_core("12.34.5"), Err(NumErr::Grouping));
        assert_eq!(parse_core("1.23,5"), Err(NumErr::Grouping));
        assert_eq!(parse_core("1..5"), Err(NumErr::Consecutive));
        assert_eq!(parse_core("3,800.5"), Err(NumErr::CommaBeforeDot));
        assert_eq!(parse_core(""), Err(NumErr::Consecutive));
        assert_eq!(parse_core("."), Err(NumErr::Consecutive));
        assert_eq!(parse_core(&"9".repeat(400)), Err(NumErr::TooLarge));
    }

    #[test]
    fn core_long_numerals_do_not_overflow_the_buffer() {
        let long = format!("1,{}", "3".repeat(200));
        let v = parse_core(&long).unwrap();
        assert!((v - 1.333_333_333).abs() < 1e-6);
    }

    #[test]
    fn parse_number_with_units_and_prefixes() {
        assert_eq!(num("3.800"), Some((3800.0, None)));
        assert_eq!(num("-25,16"), Some((-25.16, None)));
        assert_eq!(num("+5"), Some((5.0, None)));
        assert_eq!(num("- 15gg"), unit(-15.0, "gg"));
        assert_eq!(num("-15 gg"), unit(-15.0, "gg"));
        assert_eq!(num("46.000 kwh"), unit(46000.0, "kwh"));
        assert_eq!(num("206.123,00 €"), unit(206123.0, "€"));
        assert_eq!(num("€ 7,20"), unit(7.2, "€"));
        assert_eq!(num("n. 3"), Some((3.0, None)));
        assert_eq!(num("n° 12"), Some((12.0, None)));
        assert_eq!(num("N. 5"), Some((5.0, None)));
        assert_eq!(num("nr 4"), Some((4.0, None)));
        assert_eq!(num("n.3"), Some((3.0, None)));
        assert_eq!(num("12 mq"), unit(12.0, "mq"));
        assert_eq!(num("n. 3 incontri"), unit(3.0, "incontri"));
        assert_eq!(num("1 234"), Some((1234.0, None)));
        assert_eq!(num("1\u{00A0}234\u{202F}567,5"), Some((1234567.5, None)));
        assert_eq!(num("\u{2212}3"), Some((-3.0, None)));
        assert_eq!(num("\u{2013} 3"), Some((-3.0, None)));
        assert_eq!(num("40%"), unit(40.0, "%"));
        assert_eq!(num("% 30"), unit(30.0, "%"));
        assert_eq!(num("15 gg."), unit(15.0, "gg"));
    }

    #[test]
    fn parse_number_rejects_words_and_dates() {
        assert_eq!(num("solo monitoraggio"), None);
        assert_eq!(num("partecipazione 90% dipendenti"), None);
        assert_eq!(num("4 ore di formazione interna"), None);
        assert_eq!(num("31/12/2023"), None);
        assert_eq!(num("31.12.2023"), None);
        assert_eq!(num("3 e 4"), None);
        assert_eq!(num(""), None);
        assert_eq!(num("e5"), None);
        assert_eq!(num("1e400"), None);
    }

    #[test]
    fn parse_number_reports_broken_numbers_in_italian() {
        let p = parse_number("1.297,888,00").unwrap_err();
        assert_eq!(p.kind, ProblemKind::InvalidNumber);
        assert_eq!(
            p.message,
            "numero non valido «1.297,888,00»: più di una virgola decimale"
        );
        let p = parse_number("3,800.5 €").unwrap_err();
        assert!(p
            .message
            .starts_with("numero non valido «3,800.5 €»: la virgola"));
    }

    #[test]
    fn format_italian() {
        assert_eq!(format_number_it(3800.0), "3800");
        assert_eq!(format_number_it(20.8333), "20,8333");
        assert_eq!(format_number_it(-25.16), "-25,16");
        assert_eq!(format_number_it(0.1 + 0.2), "0,3");
        assert_eq!(format_number_it(-0.0), "0");
        assert_eq!(format_number_it(-1e-12), "0");
        assert_eq!(format_number_it(1e15), "1000000000000000");
        assert_eq!(format_number_it(f64::NAN), "NaN");
        assert_eq!(format_number_it(f64::INFINITY), "∞");
    }

    #[test]
    fn round10_removes_float_noise() {
        assert_eq!(round10(0.07 * 100.0), 7.0);
        assert_eq!(round10(0.4 * 100.0), 40.0);
        assert_eq!(round10(0.208333 * 100.0), 20.8333);
    }
}
