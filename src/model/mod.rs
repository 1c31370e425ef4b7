//! The model: ente → areas (one or two levels) → objectives → indicators | activities.
//!
//! Every value read from a workbook is a [`Field`]: its raw text, its parsed [`Value`] and the
//! cell it came from ([`Source`]). The model is what the rules score and what the reports show,
//! so nothing is dropped: columns barometro does not know are kept as [`Objective::extra`] and
//! [`Indicator::extra`].
//!
//! ```
//! use barometro::model::{Ente, Area};
//!
//! let mut ente = Ente::new("Comune di Esempio", "obiettivi.xlsx");
//! ente.areas.push(Area::new("Settore Finanze", "Settore"));
//! assert_eq!(ente.objective_count(), 0);
//! ```

use std::fmt;
use std::sync::Arc;

use compact_str::CompactString;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::value::Value;

/// Where a value comes from: a cell of a sheet of the input workbook (the file is
/// [`Ente::file`]). Serialised as an Excel reference, `'Sheet name'!G12`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Source {
    /// The sheet name.
    pub sheet: Arc<str>,
    /// Zero-based row.
    pub row: u32,
    /// Zero-based column.
    pub col: u32,
}

impl Source {
    /// A source at a zero-based (row, column) of a sheet.
    ///
    /// ```
    /// use barometro::model::Source;
    /// assert_eq!(Source::new("Foglio1".into(), 11, 6).to_string(), "Foglio1!G12");
    /// assert_eq!(Source::new("Linea 1".into(), 0, 27).to_string(), "'Linea 1'!AB1");
    /// // Names Excel would take for a reference are quoted too.
    /// assert_eq!(Source::new("A1".into(), 0, 0).to_string(), "'A1'!A1");
    /// assert_eq!(Source::new("RC".into(), 0, 0).to_string(), "'RC'!A1");
    /// assert_eq!(Source::new("TRUE".into(), 0, 0).to_string(), "'TRUE'!A1");
    /// assert_eq!(Source::new("STAFF".into(), 0, 0).to_string(), "STAFF!A1");
    /// ```
    pub fn new(sheet: Arc<str>, row: u32, col: u32) -> Self {
        Source { sheet, row, col }
    }

    /// The cell part alone, `G12`.
    pub fn cell(&self) -> String {
        format!("{}{}", column_letters(self.col), self.row + 1)
    }
}

/// Excel column letters for a zero-based column: 0 → `A`, 26 → `AA`.
///
/// ```
/// assert_eq!(barometro::model::column_letters(0), "A");
/// assert_eq!(barometro::model::column_letters(27), "AB");
/// assert_eq!(barometro::model::column_letters(16383), "XFD");
/// ```
pub fn column_letters(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// True for sheet names Excel must quote even though they are plain words: a cell reference
/// (`A1`, `xfd10`), an R1C1 reference (`R`, `C`, `R1C1`, `RC2`) or a boolean (`TRUE`).
fn looks_like_a_reference(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let letters = upper.bytes().take_while(u8::is_ascii_alphabetic).count();
    let digits = &upper[letters..];
    let a1 = (1..=3).contains(&letters)
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit());
    let r1c1 = {
        let rest = upper.strip_prefix('R').map_or(upper.as_str(), |r| {
            r.trim_start_matches(|c: char| c.is_ascii_digit())
        });
        let rest = rest
            .strip_prefix('C')
            .map_or(rest, |r| r.trim_start_matches(|c: char| c.is_ascii_digit()));
        rest.is_empty() && !upper.is_empty()
    };
    a1 || r1c1 || upper == "TRUE" || upper == "FALSE"
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plain = !self.sheet.is_empty()
            && self
                .sheet
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
            && !self.sheet.starts_with(|c: char| c.is_ascii_digit())
            && !looks_like_a_reference(&self.sheet);
        if plain {
            write!(f, "{}!{}", self.sheet, self.cell())
        } else {
            write!(f, "'{}'!{}", self.sheet.replace('\'', "''"), self.cell())
        }
    }
}

impl Serialize for Source {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Serialises labelled fields (`[(header, field)]`) as a JSON object in source order.
fn as_map<S: Serializer>(pairs: &[(String, Field)], serializer: S) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(pairs.len()))?;
    for (k, v) in pairs {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

/// One value read from a cell: what the user wrote, what barometro understood, and where.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    /// The text as written (numbers in Italian notation). Short texts are stored inline.
    pub raw: CompactString,
    /// The parsed value.
    pub value: Value,
    /// The cell it came from.
    pub source: Source,
}

impl Field {
    /// The number the value stands for, if any (see [`Value::number`]).
    pub fn number(&self) -> Option<f64> {
        self.value.number()
    }

    /// The text of the field, trimmed; empty for an empty cell.
    pub fn text(&self) -> &str {
        self.raw.trim()
    }
}

/// Whether a higher or a lower value is better (*polarità*). It cannot be guessed from the
/// wording: it is data, from a Polarità column ([`crate::read::parse_polarity`]) or a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    /// Higher is better (*crescente*, *maggiore è meglio*).
    Crescente,
    /// Lower is better (*decrescente*, *minore è meglio*).
    Decrescente,
}

/// How bad a finding is. Serialised in Italian.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Severity {
    /// Worth knowing, nothing to fix.
    #[serde(rename = "info")]
    Info,
    /// A person should look; the value is kept.
    #[serde(rename = "avviso")]
    Warning,
    /// The data is wrong and must be fixed.
    #[serde(rename = "errore")]
    Error,
}

impl Severity {
    /// The Italian word: `errore`, `avviso`, `info`.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "avviso",
            Severity::Error => "errore",
        }
    }
}

/// Something worth telling the user about the data, in Italian, with the cell it concerns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// How bad it is.
    pub severity: Severity,
    /// What is wrong and what to do, in Italian.
    pub message: String,
    /// The cell concerned, when there is one.
    pub source: Option<Source>,
    /// The rule (or reading check) that produced it, e.g. `data-inesistente`.
    pub rule: String,
}

/// A `totale` row as the document states it (Σ priorities, 100 %, a banner value): read as a
/// stated total, never as an objective, so that rules can check it against the rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatedTotal {
    /// The label cell (`totale`, `% Raggiungimento obiettivi per area strategica`).
    pub label: Field,
    /// The values of the row, by the role of their column (`priorita`, `peso_obiettivo`,
    /// `raggiungimento`…, see [`crate::read::Role::key`]).
    #[serde(serialize_with = "as_map")]
    pub values: Vec<(String, Field)>,
}

impl StatedTotal {
    /// The value stated for a column role, if the row has one.
    pub fn value(&self, role: &str) -> Option<&Field> {
        self.values.iter().find(|(r, _)| r == role).map(|(_, f)| f)
    }
}

/// An activity or phase of an objective, with its month plan (*attività / fase*). Filled by
/// the card readers.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Activity {
    /// The activity's name.
    pub name: Option<Field>,
    /// Weight towards the objective.
    pub weight: Option<Field>,
    /// Planned months (1 = January … 12 = December).
    pub planned_months: Vec<u8>,
    /// Months actually worked.
    pub actual_months: Vec<u8>,
    /// Expected-to-date percentage as stored (*P.A.I*).
    pub expected: Option<Field>,
    /// Actual-to-date percentage as stored (*P.E.I*).
    pub actual: Option<Field>,
    /// Note.
    pub note: Option<Field>,
    /// The year the row refers to (*Anno*): a phase running over two years is two rows.
    pub year: Option<Field>,
    /// The interim monitoring text (*Monitoraggio intermedio*), which usually starts with a
    /// status label (`IN LINEA`, `QUASI IN LINEA`, `NON IN LINEA`): see
    /// [`Activity::status_label`].
    pub status: Option<Field>,
    /// Other values of the activity (*Target attesi*, *Monitoraggio finale*, *ES*,
    /// *P. Finale*…), by their label.
    #[serde(serialize_with = "as_map")]
    pub extra: Vec<(String, Field)>,
}

impl Activity {
    /// The status label the interim monitoring text starts with, upper case: `IN LINEA`,
    /// `QUASI IN LINEA` or `NON IN LINEA` (also after a `Stato di avanzamento:` prefix);
    /// `None` when the text has no label.
    ///
    /// ```
    /// use barometro::model::{Activity, Field, Source};
    /// use barometro::value::Value;
    ///
    /// let mut a = Activity::default();
    /// let text = "NON IN LINEA-MODIFICATA: la gara slitta a settembre";
    /// a.status = Some(Field { raw: text.into(), value: Value::Text, source: Source::new("S1".into(), 9, 0) });
    /// assert_eq!(a.status_label(), Some("NON IN LINEA"));
    /// ```
    pub fn status_label(&self) -> Option<&'static str> {
        let text = self.status.as_ref()?.text().trim_start();
        let upper: String = text.chars().take(60).collect::<String>().to_uppercase();
        let upper = upper
            .strip_prefix("STATO DI AVANZAMENTO")
            .map(|r| r.trim_start_matches([' ', ':']))
            .unwrap_or(&upper);
        ["QUASI IN LINEA", "NON IN LINEA", "IN LINEA"]
            .into_iter()
            .find(|label| {
                upper.starts_with(label)
                    && !upper[label.len()..]
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_alphanumeric())
            })
    }
}

/// Which value of an indicator a [`Field`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IndicatorValue {
    /// The indicator's name (*Indicatore*).
    Name,
    /// How it is measured (*Formula*), opaque text; `1 = fatto 0 = non fatto` marks done /
    /// not done.
    Formula,
    /// Purpose (*Finalità*).
    Purpose,
    /// Polarity as written (*Polarità*).
    PolarityText,
    /// Scoring method as written (*Metodo*); the rules decide what it means.
    Method,
    /// Starting value (*Baseline*).
    Baseline,
    /// Target (*Target atteso*, *Valore indicatore*).
    Target,
    /// Interim target (*Target intermedio*).
    InterimTarget,
    /// Actual value (*Target consuntivo*, *Risultato finale*).
    Actual,
    /// Interim actual value (*Risultato intermedio*).
    InterimActual,
    /// Deviation as stated (*Scostamento*).
    Deviation,
    /// Deadline (*Scadenza*, *Tempistica*, *Tempi di realizzazione*).
    Deadline,
    /// Weight within the objective (*Peso*), in percentage points.
    Weight,
    /// Achievement as the document states it (*% Ragg*), to be checked against the rules.
    StatedAchievement,
    /// Barometer cell as stated (*Barometro*, *Semaforo*).
    StatedBarometer,
    /// Note.
    Note,
    /// The year the row refers to (*Anno*), in plans with one row per year.
    Year,
}

impl IndicatorValue {
    /// Every value, in the order of the JSON output.
    pub const ALL: [IndicatorValue; 17] = [
        IndicatorValue::Name,
        IndicatorValue::Formula,
        IndicatorValue::Purpose,
        IndicatorValue::PolarityText,
        IndicatorValue::Method,
        IndicatorValue::Baseline,
        IndicatorValue::Target,
        IndicatorValue::InterimTarget,
        IndicatorValue::Actual,
        IndicatorValue::InterimActual,
        IndicatorValue::Deviation,
        IndicatorValue::Deadline,
        IndicatorValue::Weight,
        IndicatorValue::StatedAchievement,
        IndicatorValue::StatedBarometer,
        IndicatorValue::Note,
        IndicatorValue::Year,
    ];

    /// The JSON key.
    pub fn key(self) -> &'static str {
        match self {
            IndicatorValue::Name => "name",
            IndicatorValue::Formula => "formula",
            IndicatorValue::Purpose => "purpose",
            IndicatorValue::PolarityText => "polarity_text",
            IndicatorValue::Method => "method",
            IndicatorValue::Baseline => "baseline",
            IndicatorValue::Target => "target",
            IndicatorValue::InterimTarget => "interim_target",
            IndicatorValue::Actual => "actual",
            IndicatorValue::InterimActual => "interim_actual",
            IndicatorValue::Deviation => "deviation",
            IndicatorValue::Deadline => "deadline",
            IndicatorValue::Weight => "weight",
            IndicatorValue::StatedAchievement => "stated_achievement",
            IndicatorValue::StatedBarometer => "stated_barometer",
            IndicatorValue::Note => "note",
            IndicatorValue::Year => "year",
        }
    }
}

/// An indicator of an objective (*indicatore*): one row of a table.
///
/// Its values are kept sparsely (an indicator has a handful of the sixteen possible values),
/// and read with one accessor each:
///
/// ```
/// use barometro::model::{Field, Indicator, IndicatorValue, Source};
/// use barometro::value::Value;
///
/// let cell = Source::new("Foglio1".into(), 4, 6);
/// let mut i = Indicator::new(cell.clone());
/// i.set(IndicatorValue::Target, Field { raw: "3.800".into(), value: Value::Number { number: 3800.0, unit: None }, source: cell });
/// assert_eq!(i.target().and_then(|f| f.number()), Some(3800.0));
/// assert!(i.actual().is_none());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    values: Vec<(IndicatorValue, Field)>,
    /// Polarity as understood, when a Polarità column says it.
    pub polarity: Option<Polarity>,
    /// Columns barometro does not know, by their header text.
    pub extra: Vec<(String, Field)>,
    /// The row the indicator was read from (its first cell).
    pub source: Source,
}

macro_rules! accessors {
    ($($(#[$doc:meta])* $name:ident => $variant:ident),* $(,)?) => {
        $(
            $(#[$doc])*
            pub fn $name(&self) -> Option<&Field> {
                self.get(IndicatorValue::$variant)
            }
        )*
    };
}

impl Indicator {
    /// An indicator with no values, read from `source`.
    pub fn new(source: Source) -> Self {
        Indicator {
            values: Vec::new(),
            polarity: None,
            extra: Vec::new(),
            source,
        }
    }

    /// An indicator with room for `values` values, read from `source`.
    pub fn with_capacity(source: Source, values: usize) -> Self {
        Indicator {
            values: Vec::with_capacity(values),
            polarity: None,
            extra: Vec::new(),
            source,
        }
    }

    /// A value, if the indicator has it.
    pub fn get(&self, which: IndicatorValue) -> Option<&Field> {
        self.values
            .iter()
            .find(|(k, _)| *k == which)
            .map(|(_, f)| f)
    }

    /// Sets a value, replacing the one there was.
    pub fn set(&mut self, which: IndicatorValue, field: Field) {
        match self.values.iter_mut().find(|(k, _)| *k == which) {
            Some(slot) => slot.1 = field,
            None => self.values.push((which, field)),
        }
    }

    /// The values the indicator has, in the order they were set.
    pub fn values(&self) -> impl Iterator<Item = (IndicatorValue, &Field)> + '_ {
        self.values.iter().map(|(k, f)| (*k, f))
    }

    accessors! {
        /// The indicator's name (*Indicatore*).
        name => Name,
        /// How it is measured (*Formula*).
        formula => Formula,
        /// Purpose (*Finalità*).
        purpose => Purpose,
        /// Polarity as written (*Polarità*).
        polarity_text => PolarityText,
        /// Scoring method as written (*Metodo*).
        method => Method,
        /// Starting value (*Baseline*).
        baseline => Baseline,
        /// Target (*Target atteso*, *Valore indicatore*).
        target => Target,
        /// Interim target (*Target intermedio*).
        interim_target => InterimTarget,
        /// Actual value (*Target consuntivo*, *Risultato finale*).
        actual => Actual,
        /// Interim actual value (*Risultato intermedio*).
        interim_actual => InterimActual,
        /// Deviation as stated (*Scostamento*).
        deviation => Deviation,
        /// Deadline (*Scadenza*, *Tempistica*).
        deadline => Deadline,
        /// Weight within the objective (*Peso*), in percentage points.
        weight => Weight,
        /// Achievement as the document states it (*% Ragg*).
        stated_achievement => StatedAchievement,
        /// Barometer cell as stated (*Barometro*, *Semaforo*).
        stated_barometer => StatedBarometer,
        /// Note.
        note => Note,
        /// The year the row refers to (*Anno*).
        year => Year,
    }
}

impl Serialize for Indicator {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Extra<'a>(&'a [(String, Field)]);
        impl Serialize for Extra<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                as_map(self.0, serializer)
            }
        }
        let mut map = serializer.serialize_map(Some(IndicatorValue::ALL.len() + 3))?;
        for which in IndicatorValue::ALL {
            map.serialize_entry(which.key(), &self.get(which))?;
            if which == IndicatorValue::PolarityText {
                map.serialize_entry("polarity", &self.polarity)?;
            }
        }
        map.serialize_entry("extra", &Extra(&self.extra))?;
        map.serialize_entry("source", &self.source)?;
        map.end()
    }
}

/// A performance objective (*obiettivo*).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Objective {
    /// Code (`S1.00002`, `1.1.1`, `OS98`), when the sheet has a code column.
    pub code: Option<Field>,
    /// Title (*Obiettivo*, *Titolo*).
    pub title: Option<Field>,
    /// Description (*Definizione*, *Descrizione*).
    pub description: Option<Field>,
    /// Weight of the objective within its area (*Ponderazione*, *Peso obiettivo*), in points.
    pub weight: Option<Field>,
    /// Priority given by the Giunta (*Priorità*, 1–5).
    pub priority: Option<Field>,
    /// Note on the objective (the first note among its rows).
    pub note: Option<Field>,
    /// Left out of aggregation, but kept visible (*neutralizzato*): flagged in a column, or
    /// its note says it is neutralised.
    pub neutralised: bool,
    /// Responsible person or office (*Responsabile*, *Dirigente*, *Settore di riferimento*).
    pub responsible: Option<Field>,
    /// Political owner (*Assessore*, *Responsabile politico*).
    pub political_owner: Option<Field>,
    /// Links to the strategic plan (*Missione*, *Indirizzo strategico*, *Obiettivo
    /// operativo*…), by their header text.
    #[serde(serialize_with = "as_map")]
    pub strategy: Vec<(String, Field)>,
    /// Columns barometro does not know, by their header text.
    #[serde(serialize_with = "as_map")]
    pub extra: Vec<(String, Field)>,
    /// Monitoring texts (*Stato di attuazione al 30/06/2023*, *Resoconto al 31/12/2023*,
    /// *Monitoraggio intermedio*…), by their label as written.
    #[serde(serialize_with = "as_map")]
    pub status: Vec<(String, Field)>,
    /// Indicators, in source order.
    pub indicators: Vec<Indicator>,
    /// Activities, in source order (card layouts).
    pub activities: Vec<Activity>,
    /// The first row of the objective.
    pub source: Source,
}

impl Objective {
    /// An empty objective read from `source`.
    pub fn new(source: Source) -> Self {
        Objective {
            code: None,
            title: None,
            description: None,
            weight: None,
            priority: None,
            note: None,
            neutralised: false,
            responsible: None,
            political_owner: None,
            strategy: Vec::new(),
            extra: Vec::new(),
            status: Vec::new(),
            indicators: Vec::new(),
            activities: Vec::new(),
            source,
        }
    }

    /// The title without the code written at its start, when the code was read from the
    /// title cell (`1.1.1 ANTICORRUZIONE` → `ANTICORRUZIONE`); empty when there is no title.
    ///
    /// ```
    /// use barometro::model::{Field, Objective, Source};
    /// use barometro::value::Value;
    ///
    /// let cell = Source::new("STAFF".into(), 7, 8);
    /// let mut o = Objective::new(cell.clone());
    /// o.title = Some(Field { raw: "1.1.1 ANTICORRUZIONE".into(), value: Value::Text, source: cell.clone() });
    /// o.code = Some(Field { raw: "1.1.1".into(), value: Value::Text, source: cell });
    /// assert_eq!(o.title_text(), "ANTICORRUZIONE");
    /// ```
    pub fn title_text(&self) -> &str {
        let Some(title) = &self.title else {
            return "";
        };
        let text = title.text();
        match &self.code {
            Some(code) if code.source == title.source && text.starts_with(code.text()) => {
                text[code.text().len()..].trim_start_matches(|c: char| {
                    c.is_whitespace() || matches!(c, '.' | ')' | ':' | '-' | '–')
                })
            }
            _ => text,
        }
    }

    /// A short label for messages: the code and the title, or the source cell.
    pub fn label(&self) -> String {
        let code = self.code.as_ref().map(|f| f.text()).unwrap_or("");
        let title = self.title_text();
        let title: String = if title.chars().count() > 60 {
            let mut t: String = title.chars().take(57).collect();
            t.push('…');
            t
        } else {
            title.to_string()
        };
        match (code.is_empty(), title.is_empty()) {
            (false, false) => format!("{code} {title}"),
            (false, true) => code.to_string(),
            (true, false) => title,
            (true, true) => format!("obiettivo in {}", self.source),
        }
    }
}

/// An area of the ente: a *settore*, a *linea strategica*, a unit. Areas nest at most two
/// levels (e.g. linea strategica → settore).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Area {
    /// The area's name as written.
    pub name: String,
    /// What kind of area, as the workbook calls it (`Linea strategica`, `Settore`…).
    pub kind: String,
    /// Where the name was read (a title cell or a column cell); none when it is a sheet name.
    pub source: Option<Source>,
    /// Sub-areas (second level).
    pub areas: Vec<Area>,
    /// Objectives directly in this area, in source order.
    pub objectives: Vec<Objective>,
    /// Totals the document states for this area (`totale` rows, banners).
    pub stated_totals: Vec<StatedTotal>,
}

impl Area {
    /// An empty area.
    pub fn new(name: impl Into<String>, kind: impl Into<String>) -> Self {
        Area {
            name: name.into(),
            kind: kind.into(),
            source: None,
            areas: Vec::new(),
            objectives: Vec::new(),
            stated_totals: Vec::new(),
        }
    }

    /// All objectives of this area and its sub-areas, in order.
    pub fn all_objectives(&self) -> Box<dyn Iterator<Item = &Objective> + '_> {
        Box::new(
            self.objectives
                .iter()
                .chain(self.areas.iter().flat_map(|a| a.all_objectives())),
        )
    }
}

/// The ente (municipality or union) and everything read from its workbook.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ente {
    /// The ente's name (*Comune di Cremona*): from a title cell, or the file name.
    pub ente: String,
    /// The input file, as given.
    pub file: String,
    /// Top-level areas in source order.
    pub areas: Vec<Area>,
    /// Totals the document states for the whole ente.
    pub stated_totals: Vec<StatedTotal>,
    /// The reporting year (*anno di riferimento*) of a plan with one row per year: rows of
    /// other years are plan years. Set by the card readers (the first year of the plan) or
    /// by the user.
    pub reporting_year: Option<i32>,
    /// Everything worth telling about the data, in reading order.
    pub findings: Vec<Finding>,
    /// Where the indicator columns of each table are, so that results can be written back
    /// into the office's own workbook (`barometro fill`). Not part of the JSON output.
    #[serde(skip)]
    pub tables: Vec<TableColumns>,
}

/// Where a table's indicator columns are: the sheet, its header row and the column of each
/// indicator value the header names (also when every cell of the column is empty, such as a
/// *% Ragg* column still to be filled).
///
/// ```
/// use barometro::model::{IndicatorValue, TableColumns};
///
/// let table = TableColumns {
///     sheet: "Linea 1".into(),
///     header_row: 6,
///     columns: vec![(IndicatorValue::Target, 6), (IndicatorValue::StatedAchievement, 11)],
/// };
/// assert_eq!(table.column(IndicatorValue::StatedAchievement), Some(11));
/// assert_eq!(table.column(IndicatorValue::StatedBarometer), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableColumns {
    /// The sheet name.
    pub sheet: Arc<str>,
    /// Zero-based header row; the table's rows are below it.
    pub header_row: u32,
    /// Zero-based column of each indicator value the header names.
    pub columns: Vec<(IndicatorValue, u32)>,
}

impl TableColumns {
    /// The column holding an indicator value, if the header names one.
    pub fn column(&self, which: IndicatorValue) -> Option<u32> {
        self.columns
            .iter()
            .find(|(w, _)| *w == which)
            .map(|(_, c)| *c)
    }
}

impl Ente {
    /// An empty ente.
    pub fn new(name: impl Into<String>, file: impl Into<String>) -> Self {
        Ente {
            ente: name.into(),
            file: file.into(),
            areas: Vec::new(),
            stated_totals: Vec::new(),
            reporting_year: None,
            findings: Vec::new(),
            tables: Vec::new(),
        }
    }

    /// All objectives, in order.
    pub fn objectives(&self) -> impl Iterator<Item = &Objective> + '_ {
        self.areas.iter().flat_map(|a| a.all_objectives())
    }

    /// How many objectives.
    pub fn objective_count(&self) -> usize {
        self.objectives().count()
    }

    /// How many indicators.
    pub fn indicator_count(&self) -> usize {
        self.objectives().map(|o| o.indicators.len()).sum()
    }

    /// The worst severity among the findings, if any.
    pub fn worst_severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// The table an indicator row of a sheet belongs to: the last one of that sheet whose
    /// header is above the row.
    pub fn table_of(&self, source: &Source) -> Option<&TableColumns> {
        self.tables
            .iter()
            .rev()
            .find(|t| t.sheet == source.sheet && t.header_row < source.row)
    }
}
