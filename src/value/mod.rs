//! Italian cell values: numbers, percentages, dates, comparators, placeholders.
//!
//! Every cell that barometro reads goes through [`parse_cell`], which turns what the cell holds
//! (text typed by a person, or a number with an Excel display format) into a typed [`Value`],
//! keeps the raw text, and reports every [`Problem`] it meets (a date that does not exist, a
//! broken number, several values packed into one cell) instead of guessing.
//!
//! ```
//! use barometro::value::{parse_cell, CellInput, Expect, Value};
//!
//! let parsed = parse_cell(CellInput::Text("3.800"), Expect::Number, false);
//! assert_eq!(parsed.value, Value::Number { number: 3800.0, unit: None });
//!
//! let parsed = parse_cell(CellInput::Text("31.04.2024"), Expect::Date, false);
//! assert!(matches!(parsed.value, Value::Invalid { .. }));
//! assert!(parsed.problems[0].kind.is_error());
//! ```

use chrono::NaiveDate;
use compact_str::CompactString;
use serde::Serialize;

/// What a column is expected to hold. It steers how ambiguous text is read: a bare `30` is
/// 30 % in a weight column ([`Expect::Percent`]) and the number 30 elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Free text (titles, notes, formulas): never turned into numbers.
    Text,
    /// A quantity: `3.800`, `46.000 kwh`, `€ 7,20`, `- 15gg`, `n. 3`.
    Number,
    /// A percentage (weights, achievement): `40%`, `20,8333%`, a bare `30` meaning 30 %,
    /// an Excel number formatted as % (0.4 → 40).
    Percent,
    /// A whole number such as a Giunta priority (`da 1 a 5`).
    Integer,
    /// A deadline: `31/12/2023`, `Entro il 31.12.2023`, `entro marzo 2024`, a period
    /// `2024-2026`, an Excel date serial.
    Date,
    /// A target or an actual value: any of number, percentage, comparator (`>= 6`,
    /// `almeno 2`, `non inferiore a -15gg`), change (`+5%`, `Riduzione del 30%`), done / not
    /// done (`1 = fatto`, `fatto`, `sì`), date.
    Target,
}

impl Expect {
    /// What a cell of an extra column (one with no role barometro knows, e.g. `Soglia minima`)
    /// is read as: a number cell stays a number (a percentage or a date when its format says
    /// so), anything else is text, so that a rule can compare it (`i.colonna("Soglia minima")`).
    ///
    /// ```
    /// use barometro::value::{CellInput, Expect};
    /// let number = CellInput::Number { value: 69.0, percent_format: false, date_format: false };
    /// assert_eq!(Expect::for_extra(number), Expect::Number);
    /// assert_eq!(Expect::for_extra(CellInput::Text("69")), Expect::Text);
    /// ```
    pub fn for_extra(cell: CellInput<'_>) -> Expect {
        match cell {
            CellInput::Number {
                percent_format: true,
                ..
            } => Expect::Percent,
            CellInput::Number {
                date_format: true, ..
            } => Expect::Date,
            CellInput::Number { .. } => Expect::Number,
            _ => Expect::Text,
        }
    }
}

/// What a cell holds before Italian parsing, as the workbook reader sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CellInput<'a> {
    /// No value.
    Empty,
    /// Text typed in the cell (shared or inline string).
    Text(&'a str),
    /// A number, with what its display format says about it.
    Number {
        /// The stored value.
        value: f64,
        /// The display format shows a percentage (`0%`, `0.00%`): 0.4 means 40 %.
        percent_format: bool,
        /// The display format is a date: the value is an Excel date serial.
        date_format: bool,
    },
    /// A boolean cell (`VERO` / `FALSO`).
    Bool(bool),
    /// An Excel error value such as `#REF!` or `#DIV/0!`.
    Error(&'a str),
}

/// How precise a parsed date is. `entro marzo 2024` is the last day of March with
/// [`DatePrecision::Month`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DatePrecision {
    /// A calendar day (`31/12/2023`).
    Day,
    /// A month (`entro marzo 2024`): the date is its last day.
    Month,
    /// A half year (`nel 2 semestre 2024`): the date is its last day.
    Semester,
    /// A whole year (`2024`, `entro il 2024`): the date is 31 December.
    Year,
}

/// A comparison operator in a target (`>= 6`, `almeno 2`, `=<0`, `non inferiore a`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Comparator {
    /// `>=`, `≥`, `> =`, `almeno`, `non inferiore a`, `uguale o maggiore`.
    #[serde(rename = ">=")]
    Ge,
    /// `>`, `oltre`, `superiore a`, `maggiore di`.
    #[serde(rename = ">")]
    Gt,
    /// `<=`, `=<`, `= <`, `≤`, `al massimo`, `non superiore a`, `entro` (with a number).
    #[serde(rename = "<=")]
    Le,
    /// `<`, `inferiore a`, `minore di`.
    #[serde(rename = "<")]
    Lt,
    /// `=`, `pari a`.
    #[serde(rename = "=")]
    Eq,
}

/// A cell value once read the Italian way. Serialised with a `kind` tag.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Value {
    /// The cell is empty (or holds only white space).
    Empty,
    /// A placeholder that means "no value": `-`, `---`, `=`, `n.d.`, `n.a.`, `/`,
    /// `Rilevazione non disponibile`.
    Placeholder {
        /// The placeholder as written.
        text: Box<str>,
    },
    /// A quantity, with the unit written next to it, if any (`kwh`, `€`, `gg`, `mq`…).
    Number {
        /// The value.
        number: f64,
        /// The unit as written, lower-cased (`€` stays `€`).
        #[serde(skip_serializing_if = "Option::is_none")]
        unit: Option<Box<str>>,
    },
    /// A percentage in points: `40%` is 40.0, an Excel 0.4 formatted as % is 40.0.
    Percent {
        /// The value in percentage points.
        percent: f64,
    },
    /// A calendar date.
    Date {
        /// The date (the last day of the month, semester or year when not precise to the day).
        date: NaiveDate,
        /// How precise the text was.
        precision: DatePrecision,
    },
    /// A span of years: `2024-2026`, `2024/2026`, `2024 -2026`.
    Period {
        /// First year.
        from: i32,
        /// Last year.
        to: i32,
    },
    /// A comparison target: `>= 6`, `almeno 2`, `=<0`, `> = 10%`, `non inferiore a -15gg`.
    Comparison {
        /// The operator.
        op: Comparator,
        /// The number compared against (percentage points when `percent`).
        number: f64,
        /// The number was written as a percentage.
        percent: bool,
        /// The unit written after the number, if any.
        #[serde(skip_serializing_if = "Option::is_none")]
        unit: Option<Box<str>>,
    },
    /// A relative change: `+5%` is 5.0, `Riduzione del 30%` is -30.0, `incremento del 10%` is 10.0.
    Change {
        /// The change in percentage points (negative for a reduction).
        percent: f64,
    },
    /// Done / not done: `fatto`, `non fatto`, `sì`, `no`, `realizzato`, `1 = fatto`.
    Done {
        /// Whether it is done.
        done: bool,
    },
    /// Text that is not a value (a description, a target written in words): the text itself
    /// is the field's raw text, not repeated here.
    Text,
    /// A value that cannot be read: a date that does not exist, a broken number, an Excel error.
    /// A [`Problem`] always accompanies it.
    Invalid {
        /// Why, in Italian.
        reason: Box<str>,
    },
}

impl Value {
    /// The number this value stands for, when it has one: a number, a percentage (in
    /// points), a comparison's number, a change, or 1 / 0 for done / not done.
    ///
    /// ```
    /// use barometro::value::Value;
    /// assert_eq!(Value::Percent { percent: 40.0 }.number(), Some(40.0));
    /// assert_eq!(Value::Done { done: true }.number(), Some(1.0));
    /// assert_eq!(Value::Empty.number(), None);
    /// ```
    pub fn number(&self) -> Option<f64> {
        match self {
            Value::Number { number, .. } => Some(*number),
            Value::Percent { percent } => Some(*percent),
            Value::Comparison { number, .. } => Some(*number),
            Value::Change { percent } => Some(*percent),
            Value::Done { done } => Some(if *done { 1.0 } else { 0.0 }),
            _ => None,
        }
    }

    /// True for [`Value::Empty`] and [`Value::Placeholder`]: the cell says "no value".
    pub fn is_missing(&self) -> bool {
        matches!(self, Value::Empty | Value::Placeholder { .. })
    }
}

/// What kind of problem a cell has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// A date that does not exist (`17/17/2023`, `14/0/2023`, `31/2/2023`, `31.04.2024`). Error.
    InvalidDate,
    /// A number that cannot be read (`1.297,888,00`). Error.
    InvalidNumber,
    /// An Excel error value in the cell (`#REF!`, `#DIV/0!`). Error.
    ExcelError,
    /// Several values packed into one cell (`- n. 5 sezioni - n. 45 posti`). Warning.
    MultipleValues,
    /// A number where a date was expected that is no plausible Excel date serial. Warning.
    NotADate,
    /// Text where a number was expected, kept as text. Warning.
    NotANumber,
}

impl ProblemKind {
    /// True when the problem is an error in the data (the value cannot be used), false when
    /// it is a warning (the value is kept, but a person should look).
    pub fn is_error(self) -> bool {
        matches!(
            self,
            ProblemKind::InvalidDate | ProblemKind::InvalidNumber | ProblemKind::ExcelError
        )
    }

    /// A short stable code for the problem, used as the finding's rule name.
    pub fn code(self) -> &'static str {
        match self {
            ProblemKind::InvalidDate => "data-inesistente",
            ProblemKind::InvalidNumber => "numero-non-valido",
            ProblemKind::ExcelError => "errore-excel",
            ProblemKind::MultipleValues => "piu-valori-in-una-cella",
            ProblemKind::NotADate => "non-e-una-data",
            ProblemKind::NotANumber => "non-e-un-numero",
        }
    }
}

/// A problem met while reading a cell, with an Italian message for a finance officer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// What kind of problem.
    pub kind: ProblemKind,
    /// What is wrong and what to fix, in Italian, quoting the cell text
    /// (e.g. `data inesistente «31.04.2024»: aprile ha 30 giorni`).
    pub message: String,
}

/// The result of reading one cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The text as the user wrote or sees it (numbers in Italian notation, `40%` for a
    /// %-formatted 0.4, `31/12/2024` for a date cell).
    pub raw: CompactString,
    /// The typed value.
    pub value: Value,
    /// Problems met, if any.
    pub problems: Vec<Problem>,
}

mod date;
mod number;
mod text;
mod token;

pub(crate) use date::MONTHS as MONTH_NAMES;
pub use date::{excel_serial_to_date, parse_date};
pub use number::{format_number_it, parse_number};
pub(crate) use text::is_placeholder;
pub use text::parse_cell;
