//! Italian dates: `31/12/2023`, `31.12.2023`, `30/06/23`, `2024-12-31`, `Entro il 31/12/2023`,
//! `entro marzo 2024`, `nel 2 semestre 2024`, `2024`, periods `2024-2026`, and Excel serials.
//!
//! A date that has the shape of a date but does not exist (`31.04.2024`, `17/17/2023`) is
//! reported with the reason, never moved to a nearby day.

use chrono::{Days, NaiveDate};

use super::token::{tokenize, trim, Tokens};
use super::{DatePrecision, Problem, ProblemKind};

/// Italian month names, for messages.
pub(crate) const MONTHS: [&str; 12] = [
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
];

/// Words that may stand before a date without changing it: `entro il`, `al`, `scadenza`,
/// `nel corso del`, `entro la fine del`…
const LEAD_WORDS: &[&str] = &[
    "entro", "il", "lo", "la", "l", "al", "allo", "alla", "all", "dal", "dalla", "dall", "del",
    "dello", "della", "dell", "nel", "nella", "nell", "di", "da", "a", "fino", "scadenza",
    "termine", "data", "fine", "mese", "anno", "anni", "corso", "triennio", "biennio", "periodo",
    "per", "prevista", "previsto",
];

/// What a text says as a date.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DateRead {
    /// A date with its precision.
    Date(NaiveDate, DatePrecision),
    /// A span of years.
    Period(i32, i32),
    /// Shaped like a date but does not exist: why, in Italian.
    Invalid(String),
}

/// A day-month-year found in tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DayHit {
    /// Day as written.
    pub d: u32,
    /// Month as written.
    pub m: u32,
    /// Year (two-digit years already moved to 2000 + yy).
    pub y: i32,
    /// Token index after the date.
    pub end: usize,
    /// The year was written with four digits.
    pub long_year: bool,
}

fn leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if leap(y) => 29,
        2 => 28,
        _ => 31,
    }
}

/// Checks a day-month-year; the error explains, in Italian, why the date does not exist.
pub(crate) fn validate(d: u32, m: u32, y: i32) -> Result<NaiveDate, String> {
    if m == 0 || m > 12 {
        return Err(format!("il mese {m} non esiste"));
    }
    if d == 0 {
        return Err("il giorno 0 non esiste".to_string());
    }
    let dim = days_in_month(y, m);
    if d > dim {
        return Err(if m == 2 && dim == 28 {
            format!("febbraio {y} ha 28 giorni ({y} non è bisestile)")
        } else if m == 2 {
            format!("febbraio {y} ha 29 giorni")
        } else {
            format!("{} ha {dim} giorni", MONTHS[m as usize - 1])
        });
    }
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| "anno fuori dall'intervallo gestito".to_string())
}

/// The last day of a month (month in 1..=12).
fn month_end(y: i32, m: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, days_in_month(y, m))
}

fn to_u32(s: &str) -> u32 {
    s.parse().unwrap_or(u32::MAX)
}

/// Day, month and year from three digit strings in day-month-year or year-month-day order.
fn dmy(parts: [&str; 3], end: usize) -> Option<DayHit> {
    let [a, b, c] = parts;
    let short = |s: &str| (1..=2).contains(&s.len());
    if short(a) && short(b) && (c.len() == 2 || c.len() == 4) {
        let y = to_u32(c) as i32;
        Some(DayHit {
            d: to_u32(a),
            m: to_u32(b),
            y: if c.len() == 2 { 2000 + y } else { y },
            end,
            long_year: c.len() == 4,
        })
    } else if a.len() == 4 && short(b) && short(c) {
        Some(DayHit {
            d: to_u32(c),
            m: to_u32(b),
            y: to_u32(a) as i32,
            end,
            long_year: true,
        })
    } else {
        None
    }
}

/// A day-month-year at token `i`: `31.12.2023` (one token), `31/12/2023`, `31-12-2023`,
/// `30/06/23`, `2024-12-31`. No spaces inside. The date may not exist: see [`validate`].
pub(crate) fn day_form(tk: &Tokens, i: usize) -> Option<DayHit> {
    let s = tk.num(i)?;
    if s.contains('.') {
        let mut it = s.split('.');
        let parts = [it.next()?, it.next()?, it.next()?];
        if it.next().is_some() || s.contains(',') {
            return None;
        }
        if parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return None;
        }
        return dmy(parts, i + 1);
    }
    let a = tk.digits(i)?;
    let sep = tk.sym(i + 1).filter(|c| matches!(c, '/' | '-'))?;
    let b = tk.digits(i + 2)?;
    if !tk.is_sym(i + 3, sep) {
        return None;
    }
    let c = tk.digits(i + 4)?;
    if (1..=4).any(|k| tk.space(i + k)) {
        return None;
    }
    dmy([a, b, c], i + 5)
}

/// A month name or its three-letter abbreviation.
fn month_name(w: &str) -> Option<u32> {
    Some(match w {
        "gennaio" | "gen" | "genn" => 1,
        "febbraio" | "feb" | "febb" => 2,
        "marzo" | "mar" => 3,
        "aprile" | "apr" => 4,
        "maggio" | "mag" => 5,
        "giugno" | "giu" => 6,
        "luglio" | "lug" => 7,
        "agosto" | "ago" => 8,
        "settembre" | "set" | "sett" => 9,
        "ottobre" | "ott" => 10,
        "novembre" | "nov" => 11,
        "dicembre" | "dic" => 12,
        _ => return None,
    })
}

fn year4(tk: &Tokens, i: usize) -> Option<i32> {
    tk.digits(i)
        .filter(|s| s.len() == 4)
        .map(|s| to_u32(s) as i32)
}

/// `[31] marzo [del] 2024` at token `i`: optional day, month name, year.
/// Returns (day, month, year, end).
pub(crate) fn named_form(tk: &Tokens, i: usize) -> Option<(Option<u32>, u32, i32, usize)> {
    let mut j = i;
    let mut day = None;
    if let Some(d) = tk.digits(j).filter(|s| s.len() <= 2) {
        day = Some(to_u32(d));
        j += 1;
        if tk.is_sym(j, '°') {
            j += 1;
        }
    }
    let m = month_name(tk.word(j)?)?;
    j += 1;
    if tk.is_sym(j, '.') {
        j += 1;
    }
    if tk.is_word_in(j, &["del", "di"]) {
        j += 1;
    }
    let y = year4(tk, j)?;
    Some((day, m, y, j + 1))
}

/// `12/2024`, `3-2024` at token `i`: month and year. Returns (month, year, end).
fn month_number_form(tk: &Tokens, i: usize) -> Option<(u32, i32, usize)> {
    let m = tk.digits(i).filter(|s| s.len() <= 2).map(to_u32)?;
    if !matches!(tk.sym(i + 1), Some('/' | '-')) || tk.space(i + 1) || tk.space(i + 2) {
        return None;
    }
    let y = year4(tk, i + 2).filter(|y| (1900..=2200).contains(y))?;
    (1..=12).contains(&m).then_some((m, y, i + 3))
}

/// `nel 2 semestre 2024`, `II semestre 2024`, `1° semestre 2024`, `primo semestre del 2024`
/// at token `i` (after lead words). Returns (semester, year, end).
fn semester_form(tk: &Tokens, i: usize) -> Option<(u32, i32, usize)> {
    let mut j = i;
    let sem = if let Some(d) = tk.digits(j) {
        j += 1;
        if matches!(tk.sym(j), Some('°' | '^')) {
            j += 1;
        }
        match d {
            "1" => 1,
            "2" => 2,
            _ => return None,
        }
    } else {
        let s = match tk.word(j)? {
            "i" | "primo" => 1,
            "ii" | "secondo" => 2,
            _ => return None,
        };
        j += 1;
        s
    };
    if tk.is_word(j, "semestre") {
        j += 1;
    } else if tk.is_word(j, "sem") {
        j += 1;
        if tk.is_sym(j, '.') {
            j += 1;
        }
    } else {
        return None;
    }
    let mut skipped = 0;
    while skipped < 3 && (tk.is_word_in(j, &["del", "dell", "anno", "di"]) || tk.is_sym(j, '\'')) {
        j += 1;
        skipped += 1;
    }
    let y = year4(tk, j)?;
    Some((sem, y, j + 1))
}

/// `2024-2026`, `2024/2026`, `2024 - 2026`, `2024-25`, `2024 al 2026` at token `i`.
/// Returns (from, to, end); both years within 1900..=2200, from <= to.
fn period_form(tk: &Tokens, i: usize) -> Option<(i32, i32, usize)> {
    let from = year4(tk, i)?;
    let sep_ok = matches!(tk.sym(i + 1), Some('-' | '/')) || tk.is_word_in(i + 1, &["al", "a"]);
    if !sep_ok {
        return None;
    }
    let t = tk.digits(i + 2)?;
    let to = match t.len() {
        4 => to_u32(t) as i32,
        2 => from / 100 * 100 + to_u32(t) as i32,
        _ => return None,
    };
    let ok = (1900..=2200).contains(&from) && (1900..=2200).contains(&to) && from <= to;
    ok.then_some((from, to, i + 3))
}

/// True when token `i` can stand before a date (`entro`, `il`, `scadenza`, `:`…).
pub(crate) fn is_lead(tk: &Tokens, i: usize) -> bool {
    tk.is_word_in(i, LEAD_WORDS) || tk.is_sym(i, ':') || tk.is_sym(i, '\'')
}

fn day_read(d: u32, m: u32, y: i32) -> DateRead {
    match validate(d, m, y) {
        Ok(date) => DateRead::Date(date, DatePrecision::Day),
        Err(why) => DateRead::Invalid(why),
    }
}

/// Reads tokens `a..b` as one date or period, with optional lead words (`Entro il`, `al`,
/// `scadenza`) and a final dot. A bare year (`2024`) counts only with `bare_year` or after a
/// lead word (`entro il 2024`).
pub(crate) fn whole_date(tk: &Tokens, a: usize, b: usize, bare_year: bool) -> Option<DateRead> {
    let mut i = a;
    while i < b && is_lead(tk, i) {
        i += 1;
        if i - a > 8 {
            return None;
        }
    }
    let leads = i - a;
    let mut e = b;
    if e > i && tk.is_sym(e - 1, '.') {
        e -= 1;
    }
    if i >= e {
        return None;
    }
    if let Some(h) = day_form(tk, i).filter(|h| h.end == e) {
        return Some(day_read(h.d, h.m, h.y));
    }
    if let Some((day, m, y, _)) = named_form(tk, i).filter(|f| f.3 == e) {
        return Some(match day {
            Some(d) => day_read(d, m, y),
            None => DateRead::Date(month_end(y, m)?, DatePrecision::Month),
        });
    }
    if let Some((m, y, _)) = month_number_form(tk, i).filter(|f| f.2 == e) {
        return Some(DateRead::Date(month_end(y, m)?, DatePrecision::Month));
    }
    if let Some((s, y, _)) = semester_form(tk, i).filter(|f| f.2 == e) {
        let date = if s == 1 {
            NaiveDate::from_ymd_opt(y, 6, 30)?
        } else {
            NaiveDate::from_ymd_opt(y, 12, 31)?
        };
        return Some(DateRead::Date(date, DatePrecision::Semester));
    }
    if let Some((from, to, _)) = period_form(tk, i).filter(|f| f.2 == e) {
        return Some(DateRead::Period(from, to));
    }
    if i + 1 == e && (bare_year || leads > 0) {
        if let Some(y) = year4(tk, i).filter(|y| (1900..=2200).contains(y)) {
            return Some(DateRead::Date(
                NaiveDate::from_ymd_opt(y, 12, 31)?,
                DatePrecision::Year,
            ));
        }
    }
    None
}

/// Builds the InvalidDate problem for a date that does not exist. `piece` is the date as
/// written; when it is only part of the cell, the cell is quoted too.
pub(crate) fn invalid_date_problem(piece: &str, cell: &str, why: &str) -> Problem {
    use super::text::quote;
    let message = if piece == cell {
        format!("data inesistente «{}»: {why}", quote(cell))
    } else {
        format!(
            "data inesistente «{}» nel testo «{}»: {why}",
            quote(piece),
            quote(cell)
        )
    };
    Problem {
        kind: ProblemKind::InvalidDate,
        message,
    }
}

/// Reads a date written the Italian way, alone or after lead words: `31/12/2023`,
/// `31.12.2023`, `30/06/23`, `2024-12-31`, `Entro il 31/12/2023`, `31 dicembre 2024`
/// (precision day); `entro marzo 2024`, `12/2024` (month, last day); `nel 2 semestre 2024`
/// (semester, last day); `2024`, `entro il 2024` (year, 31 December).
///
/// `Ok(None)` means the text is not a date (including periods such as `2024-2026`, which
/// are not one date); `Err` means it has the shape of a date that does not exist, with an
/// Italian message quoting the text.
///
/// ```
/// use barometro::value::{parse_date, DatePrecision};
/// use chrono::NaiveDate;
///
/// let d = NaiveDate::from_ymd_opt(2023, 12, 31).unwrap();
/// assert_eq!(parse_date("Entro il 31/12/2023").unwrap(), Some((d, DatePrecision::Day)));
/// let m = NaiveDate::from_ymd_opt(2024, 3, 31).unwrap();
/// assert_eq!(parse_date("entro marzo 2024").unwrap(), Some((m, DatePrecision::Month)));
/// assert!(parse_date("31.04.2024").unwrap_err().message.contains("aprile ha 30 giorni"));
/// assert_eq!(parse_date("solo monitoraggio").unwrap(), None);
/// ```
pub fn parse_date(text: &str) -> Result<Option<(NaiveDate, DatePrecision)>, Problem> {
    let t = trim(text);
    let tk = tokenize(t);
    match whole_date(&tk, 0, tk.len(), true) {
        Some(DateRead::Date(d, p)) => Ok(Some((d, p))),
        Some(DateRead::Invalid(why)) => Err(invalid_date_problem(t, t, &why)),
        Some(DateRead::Period(..)) | None => Ok(None),
    }
}

/// Converts an Excel date serial to a date, ignoring the time of day (the fraction).
///
/// In the 1900 system serial 1 is 1900-01-01; Excel counts a 29 February 1900 that never
/// existed (serial 60): it is read as 1900-02-28, and serial 61 is 1900-03-01. In the 1904
/// system (`date1904`) serial 0 is 1904-01-01. Serials outside 1..=2958465 (1900) or
/// 0..=2957003 (1904), i.e. beyond 9999-12-31, give `None`, as do non-finite values.
///
/// ```
/// use barometro::value::excel_serial_to_date;
/// use chrono::NaiveDate;
///
/// let d = NaiveDate::from_ymd_opt(2024, 12, 31);
/// assert_eq!(excel_serial_to_date(45657.0, false), d);
/// assert_eq!(excel_serial_to_date(44195.0, true), d);
/// assert_eq!(excel_serial_to_date(0.0, false), None);
/// ```
pub fn excel_serial_to_date(serial: f64, date1904: bool) -> Option<NaiveDate> {
    if !serial.is_finite() {
        return None;
    }
    let day = serial.floor();
    if date1904 {
        if !(0.0..=2_957_003.0).contains(&day) {
            return None;
        }
        NaiveDate::from_ymd_opt(1904, 1, 1)?.checked_add_days(Days::new(day as u64))
    } else {
        if !(1.0..=2_958_465.0).contains(&day) {
            return None;
        }
        let day = day as u64;
        if day == 60 {
            return NaiveDate::from_ymd_opt(1900, 2, 28);
        }
        let base = if day < 60 {
            NaiveDate::from_ymd_opt(1899, 12, 31)?
        } else {
            NaiveDate::from_ymd_opt(1899, 12, 30)?
        };
        base.checked_add_days(Days::new(day))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        match parse_date(s) {
            Ok(Some((d, DatePrecision::Day))) => d,
            other => panic!("{s}: {other:?}"),
        }
    }

    fn why(s: &str) -> String {
        parse_date(s).unwrap_err().message
    }

    #[test]
    fn day_formats() {
        assert_eq!(day("31/12/2023"), ymd(2023, 12, 31));
        assert_eq!(day("31.12.2023"), ymd(2023, 12, 31));
        assert_eq!(day("30/06/23"), ymd(2023, 6, 30));
        assert_eq!(day("31/7/2024"), ymd(2024, 7, 31));
        assert_eq!(day("01/10/2024"), ymd(2024, 10, 1));
        assert_eq!(day("31-12-2023"), ymd(2023, 12, 31));
        assert_eq!(day("2024-12-31"), ymd(2024, 12, 31));
        assert_eq!(day("29/02/2024"), ymd(2024, 2, 29));
        assert_eq!(day("31 dicembre 2024"), ymd(2024, 12, 31));
        assert_eq!(day("1° gennaio 2025"), ymd(2025, 1, 1));
    }

    #[test]
    fn lead_words() {
        assert_eq!(day("Entro il 31/12/2023"), ymd(2023, 12, 31));
        assert_eq!(day("entro il 31.12.2024"), ymd(2024, 12, 31));
        assert_eq!(day("entro 31/12/2024"), ymd(2024, 12, 31));
        assert_eq!(day("al 30/06/2024"), ymd(2024, 6, 30));
        assert_eq!(day("scadenza 30/06/2024"), ymd(2024, 6, 30));
        assert_eq!(day("Scadenza: 30/06/2024."), ymd(2024, 6, 30));
    }

    #[test]
    fn month_semester_year() {
        let month = |s| parse_date(s).unwrap().unwrap();
        assert_eq!(
            month("entro marzo 2024"),
            (ymd(2024, 3, 31), DatePrecision::Month)
        );
        assert_eq!(
            month("Entro settembre 2024"),
            (ymd(2024, 9, 30), DatePrecision::Month)
        );
        assert_eq!(month("feb. 2024"), (ymd(2024, 2, 29), DatePrecision::Month));
        assert_eq!(month("12/2024"), (ymd(2024, 12, 31), DatePrecision::Month));
        assert_eq!(
            month("nel 2 semestre 2024"),
            (ymd(2024, 12, 31), DatePrecision::Semester)
        );
        assert_eq!(
            month("primo semestre 2024"),
            (ymd(2024, 6, 30), DatePrecision::Semester)
        );
        assert_eq!(month("2024"), (ymd(2024, 12, 31), DatePrecision::Year));
        assert_eq!(
            month("entro il 2024"),
            (ymd(2024, 12, 31), DatePrecision::Year)
        );
    }

    #[test]
    fn impossible_dates_explain_why() {
        assert_eq!(
            why("31.04.2024"),
            "data inesistente «31.04.2024»: aprile ha 30 giorni"
        );
        assert_eq!(
            why("17/17/2023"),
            "data inesistente «17/17/2023»: il mese 17 non esiste"
        );
        assert_eq!(
            why("14/0/2023"),
            "data inesistente «14/0/2023»: il mese 0 non esiste"
        );
        assert_eq!(
            why("29/02/2023"),
            "data inesistente «29/02/2023»: febbraio 2023 ha 28 giorni (2023 non è bisestile)"
        );
        assert_eq!(
            why("30/02/2024"),
            "data inesistente «30/02/2024»: febbraio 2024 ha 29 giorni"
        );
        assert_eq!(
            why("00/01/2024"),
            "data inesistente «00/01/2024»: il giorno 0 non esiste"
        );
        assert_eq!(
            why("32/01/2024"),
            "data inesistente «32/01/2024»: gennaio ha 31 giorni"
        );
        assert_eq!(
            why("31 aprile 2024"),
            "data inesistente «31 aprile 2024»: aprile ha 30 giorni"
        );
    }

    #[test]
    fn not_dates() {
        for s in [
            "08/00",
            "1.1.1",
            "6.2.3.1",
            "2024-2026",
            "13/2024",
            "solo monitoraggio",
            "",
            "3.800",
            "31/12",
            "inizio maggio 2024",
        ] {
            assert_eq!(parse_date(s), Ok(None), "{s}");
        }
    }

    #[test]
    fn periods() {
        let p = |s: &str| {
            let tk = tokenize(s);
            whole_date(&tk, 0, tk.len(), false)
        };
        assert_eq!(p("2024-2026"), Some(DateRead::Period(2024, 2026)));
        assert_eq!(p("2024/2026"), Some(DateRead::Period(2024, 2026)));
        assert_eq!(p("2024 -2026"), Some(DateRead::Period(2024, 2026)));
        assert_eq!(p("2024 - 2026"), Some(DateRead::Period(2024, 2026)));
        assert_eq!(p("2024\u{2013}2026"), Some(DateRead::Period(2024, 2026)));
        assert_eq!(p("2024-25"), Some(DateRead::Period(2024, 2025)));
        assert_eq!(p("dal 2024 al 2026"), Some(DateRead::Period(2024, 2026)));
        assert_eq!(p("2026-2024"), None);
        assert_eq!(p("1800-1850"), None);
        assert_eq!(p("2024"), None);
    }

    #[test]
    fn excel_serials_1900() {
        assert_eq!(excel_serial_to_date(1.0, false), Some(ymd(1900, 1, 1)));
        assert_eq!(excel_serial_to_date(59.0, false), Some(ymd(1900, 2, 28)));
        assert_eq!(excel_serial_to_date(60.0, false), Some(ymd(1900, 2, 28)));
        assert_eq!(excel_serial_to_date(61.0, false), Some(ymd(1900, 3, 1)));
        assert_eq!(
            excel_serial_to_date(45657.0, false),
            Some(ymd(2024, 12, 31))
        );
        assert_eq!(
            excel_serial_to_date(45657.75, false),
            Some(ymd(2024, 12, 31))
        );
        assert_eq!(
            excel_serial_to_date(2_958_465.0, false),
            Some(ymd(9999, 12, 31))
        );
        assert_eq!(excel_serial_to_date(2_958_466.0, false), None);
        assert_eq!(excel_serial_to_date(0.0, false), None);
        assert_eq!(excel_serial_to_date(-5.0, false), None);
        assert_eq!(excel_serial_to_date(f64::NAN, false), None);
    }

    #[test]
    fn excel_serials_1904() {
        assert_eq!(excel_serial_to_date(0.0, true), Some(ymd(1904, 1, 1)));
        assert_eq!(excel_serial_to_date(44195.0, true), Some(ymd(2024, 12, 31)));
        assert_eq!(
            excel_serial_to_date(2_957_003.0, true),
            Some(ymd(9999, 12, 31))
        );
        assert_eq!(excel_serial_to_date(2_957_004.0, true), None);
        assert_eq!(excel_serial_to_date(-1.0, true), None);
    }
}
