//! Where everything goes: the columns of each sheet and the row of every area, objective,
//! indicator and activity, decided before anything is written, so that a formula can refer to
//! cells that are written later (an objective's score reads the indicators' rows).

use super::sheets::Tab;
use super::template::ReportTemplate;
use crate::model::{column_letters, Area, Ente, IndicatorValue};
use crate::rules::{Evaluation, INDICATOR_FIELDS};

/// Sheet names (Italian, as users see them).
pub const SINTESI: &str = "Sintesi";
pub const OBIETTIVI: &str = "Obiettivi";
pub const INDICATORI: &str = "Indicatori";
pub const ATTIVITA: &str = "Attività";
pub const ANOMALIE: &str = "Anomalie";
pub const REGOLE: &str = "Regole";

/// Zero-based row of the header of the detail sheets (a title row and a blank row above it).
pub const HEADER_ROW: u32 = 2;
/// First data row of the detail sheets.
pub const FIRST_ROW: u32 = HEADER_ROW + 1;

/// What a column holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    Area,
    SubArea,
    Code,
    Objective,
    Responsible,
    Indicator,
    Formula,
    Method,
    /// An indicator value read from the workbook.
    Input(IndicatorValue),
    /// An extra column of the workbook, by its header (named by a twin, e.g. `Soglia minima`).
    Extra(String),
    Priority,
    PriorityTotal,
    StatedWeight,
    Weight,
    Neutralised,
    Count,
    Score,
    Stated,
    Expected,
    Judgement,
    Barometer,
    Rule,
    Source,
    Activity,
    PlannedMonths,
    ActualMonths,
    ExpectedStored,
    ExpectedComputed,
    ActualToDate,
    /// The year of an activity row (*Anno*).
    ActivityYear,
    /// The status label of an activity's interim monitoring (`IN LINEA`…).
    ActivityStatus,
    /// The interim monitoring text of an activity.
    ActivityStatusText,
}

/// A column: what it holds, its header and its width in characters.
#[derive(Debug, Clone)]
pub struct Column {
    pub key: Key,
    pub header: String,
    pub width: f64,
    /// Long text: wrapped.
    pub wrap: bool,
}

/// The columns of one sheet.
#[derive(Debug, Clone, Default)]
pub struct Columns(pub Vec<Column>);

impl Columns {
    fn push(&mut self, key: Key, header: &str, width: f64, wrap: bool) {
        self.0.push(Column {
            key,
            header: header.to_string(),
            width,
            wrap,
        });
    }

    /// The index of the column holding `key`.
    pub fn index(&self, key: &Key) -> Option<u16> {
        self.0.iter().position(|c| &c.key == key).map(|i| i as u16)
    }

    pub fn len(&self) -> u16 {
        self.0.len() as u16
    }
}

/// Consecutive rows of one sheet: `first..first + len`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Span {
    pub first: u32,
    pub len: u32,
}

impl Span {
    /// `'Sheet'!$C$5:$C$9`; `None` when empty.
    pub fn range(&self, sheet: &str, col: u16) -> Option<String> {
        if self.len == 0 {
            return None;
        }
        let letters = column_letters(u32::from(col));
        Some(format!(
            "{}!${letters}${}:${letters}${}",
            quote_sheet(sheet),
            self.first + 1,
            self.first + self.len
        ))
    }
}

/// A sheet name as a formula reference: always quoted, quotes doubled.
pub fn quote_sheet(sheet: &str) -> String {
    format!("'{}'", sheet.replace('\'', "''"))
}

/// `'Sheet'!$C$5`.
pub fn cell_ref(sheet: &str, row: u32, col: u16) -> String {
    format!(
        "{}!${}${}",
        quote_sheet(sheet),
        column_letters(u32::from(col)),
        row + 1
    )
}

/// `C5`, for references within the same sheet.
pub fn local_ref(row: u32, col: u16) -> String {
    format!("{}{}", column_letters(u32::from(col)), row + 1)
}

/// Where an objective's rows are.
#[derive(Debug, Clone, Copy, Default)]
pub struct ObjectivePlace {
    /// Its row in Obiettivi.
    pub row: u32,
    /// Its indicators' rows in Indicatori.
    pub indicators: Span,
    /// Its activities' rows in Attività.
    pub activities: Span,
    /// The rows in Obiettivi of the objectives of its area (its own, not its sub-areas').
    pub siblings: Span,
}

/// Where an area's rows are.
#[derive(Debug, Clone, Default)]
pub struct AreaPlace {
    /// Its row in Sintesi (the areas table for a top area, the sub-areas table otherwise).
    pub row: u32,
    /// Its own objectives in Obiettivi.
    pub direct: Span,
    /// Its objectives and its sub-areas' in Obiettivi.
    pub all: Span,
    /// Its sub-areas' rows in the Sintesi sub-areas table.
    pub subareas: Span,
    /// Sub-areas, in model order.
    pub children: Vec<AreaPlace>,
}

/// The sheets' tab names (from the template).
#[derive(Debug, Clone)]
pub struct SheetNames {
    pub sintesi: String,
    pub obiettivi: String,
    pub indicatori: String,
    pub attivita: String,
    pub anomalie: String,
    pub regole: String,
}

/// The whole plan of the report.
#[derive(Debug, Clone)]
pub struct Layout {
    pub names: SheetNames,
    pub indicator_columns: Columns,
    pub objective_columns: Columns,
    pub activity_columns: Columns,
    pub area_columns: Columns,
    pub subarea_columns: Columns,
    /// Objectives in model order ([`Evaluation::objectives`]).
    pub objectives: Vec<ObjectivePlace>,
    /// Top areas in model order.
    pub areas: Vec<AreaPlace>,
    /// The Sintesi rows of the top areas.
    pub area_rows: Span,
    /// The Sintesi header row of the areas table.
    pub area_header: u32,
    /// The Sintesi row of the ente total.
    pub ente_row: u32,
    /// The Sintesi header row of the sub-areas table, when there are sub-areas.
    pub subarea_header: Option<u32>,
    /// The Sintesi rows of the sub-areas.
    pub subarea_rows: Span,
    /// The first Sintesi row after the tables (legend).
    pub sintesi_end: u32,
    pub indicator_count: u32,
    pub activity_count: u32,
    pub objective_count: u32,
    /// The Indicatori columns the indicators' twins name (their placeholders).
    pub indicator_reads: Vec<Key>,
}

/// The header of an indicator value column.
fn input_header(which: IndicatorValue) -> &'static str {
    match which {
        IndicatorValue::Name => "Indicatore",
        IndicatorValue::Formula => "Formula",
        IndicatorValue::Purpose => "Finalità",
        IndicatorValue::PolarityText => "Polarità",
        IndicatorValue::Method => "Metodo (foglio)",
        IndicatorValue::Baseline => "Baseline",
        IndicatorValue::Target => "Target",
        IndicatorValue::InterimTarget => "Target intermedio",
        IndicatorValue::Actual => "Consuntivo",
        IndicatorValue::InterimActual => "Consuntivo intermedio",
        IndicatorValue::Deviation => "Scostamento",
        IndicatorValue::Deadline => "Scadenza",
        IndicatorValue::Weight => "Peso",
        IndicatorValue::StatedAchievement => "% Raggiungimento (foglio)",
        IndicatorValue::StatedBarometer => "Barometro (foglio)",
        IndicatorValue::Note => "Nota",
        IndicatorValue::Year => "Anno",
    }
}

/// The number a top area states for a role in its `totale` or banner rows.
pub fn stated(area: &Area, role: &str) -> Option<f64> {
    area.stated_totals
        .iter()
        .find_map(|t| t.value(role).and_then(|f| f.number()))
}

impl Layout {
    pub fn new(ev: &Evaluation, template: &ReportTemplate) -> Layout {
        let ente: &Ente = &ev.ente;
        let has_sub = ente.areas.iter().any(|a| !a.areas.is_empty());
        let has_expected =
            ev.expected.value.is_some() || ev.objectives().any(|(_, o)| o.expected.value.is_some());
        let has_judgement = ev.objectives().any(|(_, o)| o.judgement.is_some())
            || ev.areas.iter().any(|a| a.judgement.is_some());

        // Indicators: fixed columns, then any other value or extra column a twin names.
        let mut ind = Columns::default();
        ind.push(Key::Area, "Area", 24.0, true);
        if has_sub {
            ind.push(Key::SubArea, "Settore", 24.0, true);
        }
        ind.push(Key::Code, "Codice obiettivo", 12.0, false);
        ind.push(Key::Objective, "Obiettivo", 36.0, true);
        ind.push(Key::Indicator, "Indicatore", 40.0, true);
        ind.push(Key::Formula, "Formula", 30.0, true);
        ind.push(Key::Method, "Metodo di calcolo", 16.0, false);
        for which in [
            IndicatorValue::Baseline,
            IndicatorValue::Target,
            IndicatorValue::Actual,
            IndicatorValue::Deadline,
        ] {
            ind.push(Key::Input(which), input_header(which), 12.0, false);
        }
        let mut named: Vec<&str> = Vec::new();
        for (_, o) in ev.objectives() {
            for i in &o.indicators {
                if let Some(t) = &i.score.twin {
                    for name in t.inputs.iter() {
                        if !named.contains(&&**name) {
                            named.push(name);
                        }
                    }
                }
            }
        }
        let mut indicator_reads = Vec::new();
        for name in named {
            let key = match INDICATOR_FIELDS.iter().find(|(n, _)| *n == name) {
                Some((_, IndicatorValue::Name)) => Key::Indicator,
                Some((_, IndicatorValue::Formula)) => Key::Formula,
                Some((_, v)) => Key::Input(*v),
                None => Key::Extra(name.to_string()),
            };
            if !indicator_reads.contains(&key) {
                indicator_reads.push(key.clone());
            }
            if ind.index(&key).is_none() && key != Key::Input(IndicatorValue::Weight) {
                let header = match &key {
                    Key::Input(v) => input_header(*v).to_string(),
                    Key::Extra(h) => h.clone(),
                    _ => unreachable!("name and formula columns always exist"),
                };
                ind.push(key, &header, 12.0, false);
            }
        }
        ind.push(Key::Input(IndicatorValue::Weight), "Peso", 8.0, false);
        let any_stated = ente.objectives().any(|o| {
            o.indicators
                .iter()
                .any(|i| i.get(IndicatorValue::StatedAchievement).is_some())
        });
        if any_stated
            && ind
                .index(&Key::Input(IndicatorValue::StatedAchievement))
                .is_none()
        {
            ind.push(
                Key::Input(IndicatorValue::StatedAchievement),
                "% Raggiungimento (foglio)",
                12.0,
                false,
            );
        }
        ind.push(Key::Score, "% Raggiungimento", 13.0, false);
        ind.push(Key::Barometer, "Barometro", 20.0, false);
        ind.push(Key::Rule, "Calcolo", 30.0, true);
        ind.push(Key::Source, "Celle di origine", 34.0, true);

        // Objectives.
        let mut obj = Columns::default();
        obj.push(Key::Area, "Area", 24.0, true);
        if has_sub {
            obj.push(Key::SubArea, "Settore", 24.0, true);
        }
        obj.push(Key::Code, "Codice", 12.0, false);
        obj.push(Key::Objective, "Obiettivo", 44.0, true);
        if ente.objectives().any(|o| o.responsible.is_some()) {
            obj.push(Key::Responsible, "Responsabile", 20.0, true);
        }
        if ente.objectives().any(|o| o.priority.is_some()) {
            obj.push(Key::Priority, "Priorità", 9.0, false);
            if ente.areas.iter().any(|a| {
                stated(a, "priorita").is_some()
                    || a.areas.iter().any(|s| stated(s, "priorita").is_some())
            }) {
                obj.push(Key::PriorityTotal, "Totale priorità (foglio)", 11.0, false);
            }
        }
        obj.push(Key::StatedWeight, "Peso (foglio)", 9.0, false);
        obj.push(Key::Weight, "Peso", 9.0, false);
        obj.push(Key::Neutralised, "Neutralizzato", 13.0, false);
        obj.push(Key::Count, "Indicatori", 10.0, false);
        obj.push(Key::Score, "% Raggiungimento", 13.0, false);
        if has_expected {
            obj.push(Key::Expected, "% Atteso", 11.0, false);
        }
        if has_judgement {
            obj.push(Key::Judgement, "Giudizio", 16.0, false);
        }
        obj.push(Key::Barometer, "Barometro", 20.0, false);
        obj.push(Key::Rule, "Calcolo", 30.0, true);
        obj.push(Key::Source, "Cella di origine", 18.0, false);

        // Activities.
        let mut act = Columns::default();
        act.push(Key::Area, "Area", 24.0, true);
        if has_sub {
            act.push(Key::SubArea, "Settore", 24.0, true);
        }
        act.push(Key::Code, "Codice obiettivo", 12.0, false);
        act.push(Key::Objective, "Obiettivo", 36.0, true);
        act.push(Key::Activity, "Attività", 40.0, true);
        let activities = || ente.objectives().flat_map(|o| o.activities.iter());
        if activities().any(|a| a.year.is_some()) {
            act.push(Key::ActivityYear, "Anno", 7.0, false);
        }
        act.push(Key::StatedWeight, "Peso", 8.0, false);
        act.push(Key::PlannedMonths, "Mesi previsti", 14.0, false);
        act.push(Key::ActualMonths, "Mesi effettivi", 14.0, false);
        act.push(Key::ExpectedStored, "P.A.I (foglio)", 11.0, false);
        act.push(Key::ExpectedComputed, "P.A.I calcolato", 11.0, false);
        act.push(Key::Expected, "Atteso usato", 11.0, false);
        act.push(Key::ActualToDate, "P.E.I (effettivo)", 11.0, false);
        if activities().any(|a| a.status.is_some()) {
            act.push(Key::ActivityStatus, "Stato", 16.0, false);
            act.push(
                Key::ActivityStatusText,
                "Monitoraggio intermedio",
                50.0,
                true,
            );
        }
        act.push(Key::Source, "Cella di origine", 18.0, false);

        // Sintesi tables.
        let mut area_cols = Columns::default();
        area_cols.push(Key::Area, "Area", 44.0, true);
        area_cols.push(Key::Count, "Obiettivi", 10.0, false);
        area_cols.push(Key::Score, "% Raggiungimento", 14.0, false);
        if ente
            .areas
            .iter()
            .any(|a| stated(a, "raggiungimento").is_some())
        {
            area_cols.push(Key::Stated, "% Dichiarato (foglio)", 14.0, false);
        }
        if has_expected {
            area_cols.push(Key::Expected, "% Atteso", 11.0, false);
        }
        if has_judgement {
            area_cols.push(Key::Judgement, "Giudizio", 16.0, false);
        }
        area_cols.push(Key::Barometer, "Barometro", 22.0, false);
        area_cols.push(Key::Rule, "Calcolo", 30.0, true);
        // The template's order, labels and widths; the achievement stays (formulas read it).
        let sheets = &template.sheets;
        let ind = sheets.indicatori.arrange(ind, &[Key::Score]);
        let obj = sheets.obiettivi.arrange(obj, &[Key::Score]);
        let act = sheets.attivita.arrange(act, &[]);
        let area_cols = sheets.sintesi.arrange(area_cols, &[Key::Area, Key::Score]);
        // The sub-areas table lies under the areas table: the same columns (so the same
        // widths), the sector where the area is and its area last.
        let mut sub_cols = Columns::default();
        for c in &area_cols.0 {
            if c.key == Key::Area {
                let header = sheets
                    .sintesi
                    .labels
                    .get("settore")
                    .map_or("Settore", String::as_str);
                sub_cols.push(Key::SubArea, header, c.width, true);
            } else {
                sub_cols.0.push(c.clone());
            }
        }
        let area_header = area_cols
            .0
            .iter()
            .find(|c| c.key == Key::Area)
            .map_or_else(|| "Area".to_string(), |c| c.header.clone());
        sub_cols.push(Key::Area, &area_header, 44.0, true);

        // Rows.
        let mut objectives = Vec::new();
        let mut areas = Vec::new();
        let (mut obj_row, mut ind_row, mut act_row) = (FIRST_ROW, FIRST_ROW, FIRST_ROW);
        let area_header = 4;
        let area_rows = Span {
            first: area_header + 1,
            len: ente.areas.len() as u32,
        };
        let ente_row = area_rows.first + area_rows.len;
        let sub_count: u32 = ente.areas.iter().map(|a| a.areas.len() as u32).sum();
        let subarea_header = has_sub.then_some(ente_row + 3);
        let mut sub_row = subarea_header.map_or(0, |h| h + 1);
        for (t, area) in ente.areas.iter().enumerate() {
            let mut place = AreaPlace {
                row: area_rows.first + t as u32,
                ..AreaPlace::default()
            };
            place.subareas = Span {
                first: sub_row,
                len: area.areas.len() as u32,
            };
            let first_all = obj_row;
            place.direct = place_objectives(
                area,
                &mut obj_row,
                &mut ind_row,
                &mut act_row,
                &mut objectives,
            );
            for sub in &area.areas {
                let direct = place_objectives(
                    sub,
                    &mut obj_row,
                    &mut ind_row,
                    &mut act_row,
                    &mut objectives,
                );
                place.children.push(AreaPlace {
                    row: sub_row,
                    direct,
                    all: direct,
                    subareas: Span::default(),
                    children: Vec::new(),
                });
                sub_row += 1;
            }
            place.all = Span {
                first: first_all,
                len: obj_row - first_all,
            };
            areas.push(place);
        }
        let sintesi_end = match subarea_header {
            Some(h) => h + 1 + sub_count + 2,
            None => ente_row + 3,
        };
        Layout {
            names: SheetNames {
                sintesi: sheets.sintesi.name.clone(),
                obiettivi: sheets.obiettivi.name.clone(),
                indicatori: sheets.indicatori.name.clone(),
                attivita: sheets.attivita.name.clone(),
                anomalie: sheets.anomalie.name.clone(),
                regole: sheets.regole.name.clone(),
            },
            indicator_columns: ind,
            objective_columns: obj,
            activity_columns: act,
            area_columns: area_cols,
            subarea_columns: sub_cols,
            objectives,
            areas,
            area_rows,
            area_header,
            ente_row,
            subarea_header,
            subarea_rows: Span {
                first: subarea_header.map_or(0, |h| h + 1),
                len: sub_count,
            },
            sintesi_end,
            indicator_count: ind_row - FIRST_ROW,
            activity_count: act_row - FIRST_ROW,
            objective_count: obj_row - FIRST_ROW,
            indicator_reads,
        }
    }

    /// Whether a formula of the report may read the cells of the column holding `key` in
    /// `tab`: the inputs the indicators' twins name and the weights and scores of
    /// Indicatori; the stated weights and priorities, weights, scores and expected values
    /// of Obiettivi; the expected and actual values of Attività; all of Sintesi. The
    /// verification records the texts of these columns only (numbers and formulas always);
    /// a reference to another column makes it load the written file instead.
    pub(crate) fn formula_reads(&self, tab: Tab, key: &Key) -> bool {
        match tab {
            Tab::Sintesi => true,
            Tab::Indicatori => match key {
                Key::Score | Key::Input(IndicatorValue::Weight) => true,
                Key::Indicator | Key::Formula | Key::Input(_) | Key::Extra(_) => {
                    self.indicator_reads.contains(key)
                }
                _ => false,
            },
            Tab::Obiettivi => matches!(
                key,
                Key::StatedWeight
                    | Key::Priority
                    | Key::PriorityTotal
                    | Key::Weight
                    | Key::Score
                    | Key::Expected
            ),
            Tab::Attivita => matches!(
                key,
                Key::ActualToDate | Key::Expected | Key::ExpectedStored | Key::ExpectedComputed
            ),
        }
    }

    /// The tab name of `tab`.
    pub(crate) fn tab_name(&self, tab: Tab) -> &str {
        match tab {
            Tab::Sintesi => &self.names.sintesi,
            Tab::Obiettivi => &self.names.obiettivi,
            Tab::Indicatori => &self.names.indicatori,
            Tab::Attivita => &self.names.attivita,
        }
    }

    /// By column of `tab`, whether its texts are recorded for the verification (empty:
    /// every text).
    pub(crate) fn recorded_text(&self, tab: Tab) -> Vec<bool> {
        let cols = match tab {
            Tab::Sintesi => return Vec::new(),
            Tab::Obiettivi => &self.objective_columns,
            Tab::Indicatori => &self.indicator_columns,
            Tab::Attivita => &self.activity_columns,
        };
        cols.0
            .iter()
            .map(|c| self.formula_reads(tab, &c.key))
            .collect()
    }
}

/// Places an area's own objectives (not its sub-areas'); returns their span in Obiettivi.
fn place_objectives(
    area: &Area,
    obj_row: &mut u32,
    ind_row: &mut u32,
    act_row: &mut u32,
    out: &mut Vec<ObjectivePlace>,
) -> Span {
    let siblings = Span {
        first: *obj_row,
        len: area.objectives.len() as u32,
    };
    for o in &area.objectives {
        out.push(ObjectivePlace {
            row: *obj_row,
            indicators: Span {
                first: *ind_row,
                len: o.indicators.len() as u32,
            },
            activities: Span {
                first: *act_row,
                len: o.activities.len() as u32,
            },
            siblings,
        });
        *obj_row += 1;
        *ind_row += o.indicators.len() as u32;
        *act_row += o.activities.len() as u32;
    }
    siblings
}
