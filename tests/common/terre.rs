//! Fixture built from the **Unione delle Terre d'Argine**, *PIAO 2024-2026, Appendice
//! "Performance"*, monitoring at 31/07/2024: sector S1 (*1° Settore Affari generali*), its six
//! objective cards with their activities (`tests/data/terre_s1.json`, transcribed from
//! `shared/docs/analysis/001.md` §3.1, §6.2 and §6.3).
//!
//! [`terre_s1`] builds the model directly (no workbook), as a card reader would fill it: one
//! `Settore` area, one objective per card, one activity per card row with its month plan and the
//! stored *P.A.I* (`expected`) and *P.E.I* (`actual`).
//!
//! The sources point at an imaginary sheet `S1` laid out as (0-based rows and columns, as in
//! [`barometro::model::Source`]):
//!
//! - row 0: headers;
//! - then, for each card in table order, one objective row (code in A, title in B, weight in
//!   E) followed by one row per activity (name in A, weight in B, P.A.I in C, P.E.I in D).
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use barometro::model::{Activity, Area, Ente, Field, Objective, Source};
use barometro::value::{format_number_it, Value};
use serde::Deserialize;

/// The ente's name.
pub const TERRE_ENTE: &str = "Unione delle Terre d'Argine";
/// The file name given to the model built by [`terre_s1`].
pub const TERRE_S1_FILE: &str = "terre_s1.json";
/// The sector's name as printed.
pub const TERRE_S1_SECTOR: &str = "1° Settore Affari generali";
/// The sheet named in every source of [`terre_s1`].
pub const TERRE_S1_SHEET: &str = "S1";

/// Column of an objective's code and of an activity's name (A).
pub const TERRE_COL_NAME: u32 = 0;
/// Column of an activity's weight (B, on an activity row).
pub const TERRE_COL_WEIGHT: u32 = 1;
/// Column of an objective's title (B, on the objective row).
pub const TERRE_COL_TITLE: u32 = 1;
/// Column of an activity's stored P.A.I (C).
pub const TERRE_COL_PAI: u32 = 2;
/// Column of an activity's stored P.E.I (D).
pub const TERRE_COL_PEI: u32 = 3;
/// Column of an objective's weight in the sector (E, on the objective row).
pub const TERRE_COL_OBJECTIVE_WEIGHT: u32 = 4;
/// First objective row (row 0 holds the headers).
pub const TERRE_FIRST_ROW: u32 = 1;
/// Column of the objective's interim result as the sector table prints it (`54% su 70,96%`,
/// or `=` for objectives monitored only at year end).
pub const TERRE_COL_RESULT: u32 = 5;
/// Header of that column, kept as an extra column of the objective.
pub const TERRE_RESULT_HEADER: &str = "Esito (monitoraggio)";

/// The whole of `tests/data/terre_s1.json`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TerreS1 {
    /// Where the data comes from.
    pub source: String,
    /// What is odd in the data and kept as in the source.
    pub notes: String,
    /// The sector's printed totals.
    pub sector: TerreSector,
    /// The six cards, in the order of the sector table.
    pub cards: Vec<TerreCard>,
}

/// The sector's totals as the document prints them.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TerreSector {
    /// `1° Settore Affari generali`.
    pub name: String,
    /// Printed effettivo of the `TOTALE` row (51,97).
    pub printed_effettivo: f64,
    /// Printed atteso of the `TOTALE` row (54,07).
    pub printed_atteso: f64,
    /// The atteso an engine gets when it derives every P.A.I from the month plan (54,39): the
    /// stored P.A.I of S1.00002 activity 6 is 10, the plan gives 11,67.
    pub atteso_from_month_plan: f64,
    /// The monitoring date, ISO (`2024-07-31`).
    pub monitoring_date: String,
    /// Line of the `TOTALE` row in the seed text.
    pub line: u32,
    /// The `TOTALE` row's `Esito (monitoraggio)` verbatim (`51,97% su 54,07%`).
    pub printed_total: String,
}

/// One objective card.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TerreCard {
    /// `S1.00002`, `S1/DG.00012`…
    pub code: String,
    /// The card's title.
    pub title: String,
    /// The objective's Peso in the sector table, in points.
    pub weight: f64,
    /// The table's `Esito (monitoraggio)` verbatim (`54% su 70,96%`, or `=`).
    pub printed_result: String,
    /// The card's `Realizzazione` verbatim (`54%`), if any.
    pub realizzazione: Option<String>,
    /// The card's `Intermedio` verbatim, if any.
    pub intermedio: Option<String>,
    /// Line of the table row in the seed text.
    pub line: u32,
    /// First and last line of the card in the seed text.
    pub card_lines: [u32; 2],
    /// The card's activities, in order.
    pub activities: Vec<TerreActivity>,
}

/// One activity row of a card.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TerreActivity {
    /// The `attività` text verbatim.
    pub name: String,
    /// Peso towards the objective, in points.
    pub weight: f64,
    /// Planned months (1 = January).
    pub planned_months: Vec<u8>,
    /// Months worked.
    pub actual_months: Vec<u8>,
    /// Stored P.A.I, if any.
    pub pai: Option<f64>,
    /// Stored P.E.I, if any.
    pub pei: Option<f64>,
    /// Status prefix of the interim monitoring (`IN LINEA`…), if any.
    pub stato_intermedio: Option<String>,
    /// Line of the activity's `Previsto` row in the seed text.
    pub line: u32,
}

impl TerreCard {
    /// Σ stored P.A.I of the activities (absent values count 0).
    pub fn sum_pai(&self) -> f64 {
        self.activities.iter().filter_map(|a| a.pai).sum()
    }

    /// Σ stored P.E.I of the activities (absent values count 0).
    pub fn sum_pei(&self) -> f64 {
        self.activities.iter().filter_map(|a| a.pei).sum()
    }
}

/// Path of `tests/data/terre_s1.json`.
pub fn terre_s1_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/terre_s1.json")
}

/// The data of `tests/data/terre_s1.json`.
pub fn terre_s1_data() -> TerreS1 {
    let path = terre_s1_path();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad {}: {e}", path.display()))
}

fn field(raw: impl AsRef<str>, value: Value, sheet: &Arc<str>, row: u32, col: u32) -> Field {
    Field {
        raw: raw.as_ref().into(),
        value,
        source: Source::new(sheet.clone(), row, col),
    }
}

fn number(n: f64, sheet: &Arc<str>, row: u32, col: u32) -> Field {
    field(
        format_number_it(n),
        Value::Number {
            number: n,
            unit: None,
        },
        sheet,
        row,
        col,
    )
}

/// Builds the model from the data: one area, one objective per card, one activity per row.
fn build(data: &TerreS1, keep_stored_pai: bool) -> Ente {
    let sheet: Arc<str> = TERRE_S1_SHEET.into();
    let mut area = Area::new(TERRE_S1_SECTOR, "Settore");
    let mut row = TERRE_FIRST_ROW;
    for card in &data.cards {
        let mut o = Objective::new(Source::new(sheet.clone(), row, TERRE_COL_NAME));
        o.code = Some(field(&card.code, Value::Text, &sheet, row, TERRE_COL_NAME));
        o.title = Some(field(
            &card.title,
            Value::Text,
            &sheet,
            row,
            TERRE_COL_TITLE,
        ));
        o.weight = Some(field(
            format!("{}%", format_number_it(card.weight)),
            Value::Percent {
                percent: card.weight,
            },
            &sheet,
            row,
            TERRE_COL_OBJECTIVE_WEIGHT,
        ));
        let result = if card.printed_result.trim() == "=" {
            Value::Placeholder { text: "=".into() }
        } else {
            Value::Text
        };
        o.extra.push((
            TERRE_RESULT_HEADER.to_string(),
            field(&card.printed_result, result, &sheet, row, TERRE_COL_RESULT),
        ));
        row += 1;
        for a in &card.activities {
            o.activities.push(Activity {
                name: Some(field(&a.name, Value::Text, &sheet, row, TERRE_COL_NAME)),
                weight: Some(number(a.weight, &sheet, row, TERRE_COL_WEIGHT)),
                planned_months: a.planned_months.clone(),
                actual_months: a.actual_months.clone(),
                expected: a
                    .pai
                    .filter(|_| keep_stored_pai)
                    .map(|n| number(n, &sheet, row, TERRE_COL_PAI)),
                actual: a.pei.map(|n| number(n, &sheet, row, TERRE_COL_PEI)),
                ..Activity::default()
            });
            row += 1;
        }
        area.objectives.push(o);
    }
    let mut ente = Ente::new(TERRE_ENTE, TERRE_S1_FILE);
    ente.areas.push(area);
    ente
}

/// Sector S1 of the Unione delle Terre d'Argine as a model, with the stored P.A.I and P.E.I.
pub fn terre_s1() -> Ente {
    build(&terre_s1_data(), true)
}

/// The same as [`terre_s1`] with every activity's stored P.A.I (`expected`) removed, so that
/// the expected-to-date value must come from the month plan.
pub fn terre_s1_without_stored_pai() -> Ente {
    build(&terre_s1_data(), false)
}
