//! Spreadsheet arithmetic with Excel's semantics, so that a rule and its Excel twin agree to the
//! last digit.
//!
//! Excel does not round the binary value of a number: it first takes the number to 15
//! significant decimal digits (what the cell shows at full precision) and rounds that decimal,
//! half away from zero. `79.225` is stored as `79.22499999999999…`, yet Excel's
//! `ROUND(79.225, 2)` is `79.23`; a naive `(x * 100.0).round() / 100.0` gives `79.22`.

/// How [`round_decimal`] treats the digits it drops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    /// Half away from zero, as Excel's `ROUND` (*ARROTONDA*).
    HalfUp,
    /// Towards zero, as Excel's `ROUNDDOWN` (*ARROTONDA.PER.DIF*) and `TRUNC`.
    Down,
    /// Away from zero, as Excel's `ROUNDUP` (*ARROTONDA.PER.ECC*).
    Up,
}

/// Excel's `ROUND(x, digits)`: half away from zero on the 15-significant-digit decimal.
///
/// ```
/// use barometro::rules::excel::round;
/// assert_eq!(round(79.225, 2), 79.23);
/// assert_eq!(round(2.675, 2), 2.68);
/// assert_eq!(round(-2.675, 2), -2.68);
/// assert_eq!(round(1234.5, -2), 1200.0);
/// ```
pub fn round(x: f64, digits: i64) -> f64 {
    round_decimal(x, digits, Rounding::HalfUp)
}

/// Excel's `ROUNDDOWN(x, digits)` (and `TRUNC`): towards zero.
///
/// ```
/// use barometro::rules::excel::rounddown;
/// assert_eq!(rounddown(88.888_888_888_888_89, 2), 88.88);
/// assert_eq!(rounddown(-1.239, 2), -1.23);
/// ```
pub fn rounddown(x: f64, digits: i64) -> f64 {
    round_decimal(x, digits, Rounding::Down)
}

/// Excel's `ROUNDUP(x, digits)`: away from zero.
///
/// ```
/// use barometro::rules::excel::roundup;
/// assert_eq!(roundup(1.231, 2), 1.24);
/// assert_eq!(roundup(-1.231, 2), -1.24);
/// ```
pub fn roundup(x: f64, digits: i64) -> f64 {
    round_decimal(x, digits, Rounding::Up)
}

/// Rounds `x` to `digits` decimals (negative: to tens, hundreds…) the way Excel does, on the
/// decimal representation of `x` at 15 significant digits. Infinite and NaN values are returned
/// unchanged (the caller decides what they mean).
pub fn round_decimal(x: f64, digits: i64, mode: Rounding) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    let digits = digits.clamp(-308, 308);
    // 15 significant digits: d.dddddddddddddde±x
    let s = format!("{:.14e}", x.abs());
    let (mantissa, exp) = match s.split_once('e') {
        Some((m, e)) => (m, e.parse::<i64>().unwrap_or(0)),
        None => return x,
    };
    let mut ds: Vec<u8> = mantissa
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    // value = 0.d1 d2 … d15 × 10^(exp + 1); digits to keep after rounding:
    let keep = exp + 1 + digits;
    let sign = if x < 0.0 { -1.0 } else { 1.0 };
    if keep >= ds.len() as i64 {
        return sign * compose(&ds, exp);
    }
    let mut exp = exp;
    let round_away = if keep < 0 {
        ds.clear();
        mode == Rounding::Up
    } else {
        let k = keep as usize;
        let dropped = &ds[k..];
        let away = match mode {
            Rounding::HalfUp => dropped[0] >= 5,
            Rounding::Down => false,
            Rounding::Up => dropped.iter().any(|&d| d != 0),
        };
        ds.truncate(k);
        away
    };
    if round_away {
        // add one unit at the last kept position (10^-digits)
        if ds.is_empty() {
            // everything was dropped: the result is one unit of 10^-digits
            return sign * 10f64.powi(-(digits as i32));
        }
        let mut i = ds.len();
        loop {
            if i == 0 {
                ds.insert(0, 1);
                exp += 1;
                break;
            }
            i -= 1;
            if ds[i] == 9 {
                ds[i] = 0;
            } else {
                ds[i] += 1;
                break;
            }
        }
    }
    if ds.iter().all(|&d| d == 0) {
        return 0.0;
    }
    sign * compose(&ds, exp)
}

/// Builds `0.d1 d2 … × 10^(exp+1)` through the decimal parser, so that the result is the double
/// nearest to the decimal (no accumulated binary error).
fn compose(ds: &[u8], exp: i64) -> f64 {
    if ds.is_empty() {
        return 0.0;
    }
    let mut s = String::with_capacity(ds.len() + 8);
    s.push((b'0' + ds[0]) as char);
    s.push('.');
    for &d in &ds[1..] {
        s.push((b'0' + d) as char);
    }
    if ds.len() == 1 {
        s.push('0');
    }
    s.push('e');
    s.push_str(&exp.to_string());
    s.parse().unwrap_or(0.0)
}

/// Whole days from `start` to `end`, as Excel's `DAYS(end, start)`.
///
/// ```
/// use chrono::NaiveDate;
/// use barometro::rules::excel::days;
/// let d = |y, m, g| NaiveDate::from_ymd_opt(y, m, g).unwrap();
/// assert_eq!(days(d(2024, 3, 1), d(2024, 2, 1)), 29);
/// ```
pub fn days(end: chrono::NaiveDate, start: chrono::NaiveDate) -> i64 {
    (end - start).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_is_excel_round() {
        assert_eq!(round(79.225, 2), 79.23);
        assert_eq!(round(2.675, 2), 2.68);
        assert_eq!(round(1.005, 2), 1.01);
        assert_eq!(round(-79.225, 2), -79.23);
        assert_eq!(round(0.5, 0), 1.0);
        assert_eq!(round(-0.5, 0), -1.0);
        assert_eq!(round(2.5, 0), 3.0);
        assert_eq!(round(0.125, 2), 0.13);
        assert_eq!(round(99.995, 2), 100.0);
        assert_eq!(round(9.999, 2), 10.0);
        assert_eq!(round(1234.5678, -2), 1200.0);
        assert_eq!(round(1250.0, -2), 1300.0);
        assert_eq!(round(49.0, -2), 0.0);
        assert_eq!(round(50.0, -2), 100.0);
        assert_eq!(round(0.0004, 2), 0.0);
        assert_eq!(round(123.456, 10), 123.456);
        assert_eq!(round(0.0, 2), 0.0);
        // 1/3 stays stable
        assert_eq!(round(1.0 / 3.0, 4), 0.3333);
    }

    #[test]
    fn naive_rounding_differs() {
        // the trap the brief warns about
        assert_eq!((79.225f64 * 100.0).round() / 100.0, 79.22);
        assert_eq!(round(79.225, 2), 79.23);
    }

    #[test]
    fn rounddown_and_roundup() {
        assert_eq!(rounddown(88.888_888_888_888_89, 2), 88.88);
        assert_eq!(rounddown(79.225, 2), 79.22);
        assert_eq!(rounddown(0.1 + 0.2, 1), 0.3);
        assert_eq!(rounddown(-5.99, 0), -5.0);
        assert_eq!(rounddown(1999.0, -3), 1000.0);
        assert_eq!(rounddown(0.004, 2), 0.0);
        assert_eq!(roundup(1.231, 2), 1.24);
        assert_eq!(roundup(1.2, 2), 1.2);
        assert_eq!(roundup(0.0001, 2), 0.01);
        assert_eq!(roundup(-0.0001, 2), -0.01);
        assert_eq!(roundup(1001.0, -3), 2000.0);
        assert_eq!(roundup(4.0, -3), 1000.0);
    }

    #[test]
    fn non_finite_is_returned_as_is() {
        assert!(round(f64::NAN, 2).is_nan());
        assert_eq!(round(f64::INFINITY, 2), f64::INFINITY);
    }
}
