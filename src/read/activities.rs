//! Activities (*attività / fasi*) with a 12-month plan: the activity blocks of a card
//! (`Attività | Anno | ES | | G F M A M G L A S O N D | Peso | P. Finale | P.A.I | P.E.I`, a
//! `Previsto` and an `Effettivo` row each), schedules (`Fasi e tempi | Gennaio … Dicembre`
//! with `X` marks), and flat activity tables (one row per activity, a `Previsto` and an
//! `Effettivo` group of month columns).
//!
//! Months are known by position: the letters repeat (`M` is March and May), so the twelve
//! columns are found as a sequence. A `Previsto` row whose numbers sit one column to the
//! right of the header is read with the same shift; every number of an `Effettivo` row is
//! its *P.E.I* (they are sometimes printed twice).

use std::sync::Arc;

use super::form::{cell_text, form_cells, label_key, strip_tags, FieldMaker, FormCell};
use super::grid::{Cell, Grid};
use super::header::{HeaderMatcher, Role};
use super::table::{expect_for, merge_area};
use crate::model::{Activity, Area, Ente, Field, Finding, Objective, Severity, Source};
use crate::value::Expect;

const LETTERS: [&str; 12] = ["g", "f", "m", "a", "m", "g", "l", "a", "s", "o", "n", "d"];
use crate::value::MONTH_NAMES as NAMES;

/// The columns of twelve month headers in a row, if it has them in order (letters, full
/// names or three-letter abbreviations). Several groups give several results.
fn month_groups(grid: &Grid, row: u32) -> Vec<[u32; 12]> {
    // Twelve month headers need twelve short text cells: most rows are ruled out without
    // normalising anything.
    let short_texts = grid
        .row_cells(row)
        .filter(|(_, c)| c.text().is_some_and(|t| t.trim().len() <= 12))
        .count();
    if short_texts < 12 {
        return Vec::new();
    }
    let cells: Vec<(u32, String)> = form_cells(grid, row)
        .into_iter()
        .map(|fc| (fc.col, label_key(&cell_text(grid.get(row, fc.col)))))
        .collect();
    let is_month = |k: &str, m: usize| {
        k == LETTERS[m] || k == NAMES[m] || (k.len() == 3 && NAMES[m].starts_with(k))
    };
    let mut groups = Vec::new();
    let mut i = 0;
    while i + 12 <= cells.len() {
        if (0..12).all(|m| is_month(&cells[i + m].1, m)) {
            let mut cols = [0u32; 12];
            for (m, c) in cols.iter_mut().enumerate() {
                *c = cells[i + m].0;
            }
            groups.push(cols);
            i += 12;
        } else {
            i += 1;
        }
    }
    groups
}

/// What a column of an activity table or block holds, by its normalised header.
#[derive(Debug, Clone, Copy, PartialEq)]
enum ActivityField {
    Name,
    Year,
    Es,
    Weight,
    FinalPct,
    Pai,
    Pei,
    Status,
    Note,
}

impl ActivityField {
    fn of(key: &str) -> Option<ActivityField> {
        Some(match key {
            "attivita" | "attivita fase" | "fase" => ActivityField::Name,
            "anno" => ActivityField::Year,
            "es" => ActivityField::Es,
            "peso" => ActivityField::Weight,
            "p finale" => ActivityField::FinalPct,
            "p a i" | "pai" => ActivityField::Pai,
            "p e i" | "pei" => ActivityField::Pei,
            "monitoraggio intermedio" => ActivityField::Status,
            "note" | "nota" => ActivityField::Note,
            _ => return None,
        })
    }

    fn expect(self) -> Expect {
        match self {
            ActivityField::Weight
            | ActivityField::FinalPct
            | ActivityField::Pai
            | ActivityField::Pei => Expect::Percent,
            ActivityField::Year => Expect::Integer,
            _ => Expect::Text,
        }
    }
}

/// True for a month cell that marks the month (`O`, `0`, `X`, `x`).
fn is_mark(cell: &Cell) -> bool {
    match cell {
        Cell::Text(t) => matches!(t.trim(), "O" | "o" | "0" | "X" | "x" | "●" | "■" | "1"),
        Cell::Number { value, percent, .. } => !percent && (*value == 0.0 || *value == 1.0),
        _ => false,
    }
}

/// The column layout of an activity block header.
#[derive(Debug, Clone)]
pub(crate) struct ActivityColumns {
    name: u32,
    kind: u32,
    months: [u32; 12],
    weight: Option<u32>,
    final_pct: Option<u32>,
    pai: Option<u32>,
    pei: Option<u32>,
    es: Option<u32>,
}

/// The columns of an activity header row (`Attività … G F M … Peso | P. Finale | P.A.I |
/// P.E.I`), if the row is one.
pub(crate) fn activity_header(grid: &Grid, row: u32) -> Option<ActivityColumns> {
    let months = *month_groups(grid, row).first()?;
    let mut columns = ActivityColumns {
        name: u32::MAX,
        kind: months[0].saturating_sub(1),
        months,
        weight: None,
        final_pct: None,
        pai: None,
        pei: None,
        es: None,
    };
    for fc in form_cells(grid, row) {
        let key = label_key(&cell_text(grid.get(row, fc.col)));
        // A card's block also calls its phases `Fasi`.
        let field = if key == "fasi" {
            Some(ActivityField::Name)
        } else {
            ActivityField::of(&key)
        };
        match field {
            Some(ActivityField::Name) => columns.name = fc.col,
            Some(ActivityField::Weight) => columns.weight = Some(fc.col),
            Some(ActivityField::FinalPct) => columns.final_pct = Some(fc.col),
            Some(ActivityField::Pai) => columns.pai = Some(fc.col),
            Some(ActivityField::Pei) => columns.pei = Some(fc.col),
            Some(ActivityField::Es) => columns.es = Some(fc.col),
            _ => {}
        }
    }
    (columns.name != u32::MAX && (columns.pai.is_some() || columns.pei.is_some()))
        .then_some(columns)
}

/// Reads a `Previsto` or `Effettivo` row of an activity block into `objective`.
/// `None` when the row is neither.
pub(crate) fn activity_row(
    maker: &FieldMaker,
    row: u32,
    columns: &ActivityColumns,
    objective: &mut Objective,
    findings: &mut Vec<Finding>,
) -> Option<bool> {
    let grid = maker.grid;
    let cells = form_cells(grid, row);
    let (kind_col, planned) = cells.iter().find_map(|fc| {
        if fc.col > columns.months[0] + 2 {
            return None;
        }
        match label_key(&cell_text(grid.get(row, fc.col))).as_str() {
            "previsto" => Some((fc.col, true)),
            "effettivo" => Some((fc.col, false)),
            _ => None,
        }
    })?;
    let shift = i64::from(kind_col) - i64::from(columns.kind);
    let at = |col: u32| shifted(col, shift);
    let months = marked(grid, row, &columns.months, shift);
    let last_month = at(columns.months[11]).unwrap_or(columns.months[11]);
    let numbers: Vec<&FormCell> = cells.iter().filter(|fc| fc.col > last_month).collect();
    if planned {
        let mut a = Activity::default();
        let before: Vec<&FormCell> = cells.iter().filter(|fc| fc.col < kind_col).collect();
        for fc in before {
            let cell = grid.get(row, fc.col);
            let is_year = match cell {
                Cell::Number { value, .. } => (1990.0..2100.0).contains(value),
                Cell::Text(t) => t.trim().len() == 4 && t.trim().parse::<u32>().is_ok(),
                _ => false,
            };
            if is_year && a.year.is_none() && a.name.is_some() {
                a.year = maker.field(row, fc.col, Expect::Integer, "Anno", findings);
            } else if a.name.is_none() && Some(fc.col) != columns.es {
                let text = strip_tags(&cell_text(cell));
                a.name = Some(maker.text(&text, row, fc.col));
            } else if Some(fc.col) == columns.es {
                if let Some(f) = maker.field(row, fc.col, Expect::Text, "ES", findings) {
                    a.extra.push(("ES".into(), f));
                }
            }
        }
        a.planned_months = months;
        let pick = |col: Option<u32>| col.and_then(at).filter(|c| !grid.get(row, *c).is_empty());
        let weight_col = pick(columns.weight).or_else(|| numbers.first().map(|fc| fc.col));
        if let Some(c) = weight_col {
            a.weight = maker.field(row, c, Expect::Percent, "Peso", findings);
        }
        if let Some(c) = pick(columns.final_pct) {
            if let Some(f) = maker.field(row, c, Expect::Percent, "P. Finale", findings) {
                a.extra.push(("P. Finale".into(), f));
            }
        }
        let pai_col = pick(columns.pai).or_else(|| {
            numbers
                .iter()
                .map(|fc| fc.col)
                .rfind(|c| Some(*c) != weight_col)
        });
        match pai_col {
            Some(c) => a.expected = maker.field(row, c, Expect::Percent, "P.A.I", findings),
            // A P.A.I still to be written: kept empty, with its cell, for `fill`.
            None => a.expected = columns.pai.and_then(at).map(|c| maker.empty(row, c)),
        }
        objective.activities.push(a);
        return Some(true);
    }
    let Some(a) = objective.activities.last_mut() else {
        return Some(false);
    };
    a.actual_months = months;
    let values: Vec<Field> = numbers
        .iter()
        .filter_map(|fc| maker.field(row, fc.col, Expect::Percent, "P.E.I", findings))
        .collect();
    if let Some(first) = values.first() {
        if let Some(other) = values
            .iter()
            .skip(1)
            .find(|v| v.number().is_some() && v.number() != first.number())
        {
            findings.push(Finding {
                severity: Severity::Warning,
                message: format!(
                    "riga «Effettivo» con due valori diversi ({} e {}): si usa il primo come P.E.I",
                    first.raw.trim(),
                    other.raw.trim()
                ),
                source: Some(other.source.clone()),
                rule: "pei-doppio".into(),
            });
        }
        a.actual = Some(first.clone());
    }
    Some(true)
}

/// The text under an activity label (`Target attesi`, `Monitoraggio intermedio`,
/// `Monitoraggio finale`) stored in the last activity.
pub(crate) fn activity_text(objective: &mut Objective, label: &str, field: Field) {
    let Some(a) = objective.activities.last_mut() else {
        return;
    };
    let label = label.trim().trim_end_matches(':').trim();
    if label_key(label) == "monitoraggio intermedio" {
        if a.status.is_none() {
            a.status = Some(field);
        }
    } else if !a
        .extra
        .iter()
        .any(|(l, _)| label_key(l) == label_key(label))
    {
        a.extra.push((label.to_string(), field));
    }
}

/// The columns of a schedule header (`Fasi e tempi | Gennaio … Dicembre`).
#[derive(Debug, Clone)]
pub(crate) struct MonthGrid {
    months: [u32; 12],
}

impl MonthGrid {
    /// The schedule header in `row`, if it is one (full month names, not an activity block).
    pub(crate) fn find(grid: &Grid, row: u32) -> Option<MonthGrid> {
        let months = *month_groups(grid, row).first()?;
        let first = form_cells(grid, row).into_iter().next()?;
        let key = label_key(&cell_text(grid.get(row, first.col)));
        let named = label_key(&cell_text(grid.get(row, months[0]))) == "gennaio";
        (first.col < months[0] && (named || key.starts_with("fasi")))
            .then_some(MonthGrid { months })
    }
}

/// A phase row of a schedule: its label and the months marked.
pub(crate) fn schedule_row(
    maker: &FieldMaker,
    row: u32,
    cells: &[FormCell],
    grid_cols: &MonthGrid,
    objective: &mut Objective,
) {
    let grid = maker.grid;
    // The phase's label sits left of the months; a row with no months marked (a text
    // timeline such as `Gennaio- marzo`) is kept as a phase with no months.
    let Some(label) = cells.iter().find(|fc| fc.col < grid_cols.months[0]) else {
        return;
    };
    let months = marked(grid, row, &grid_cols.months, 0);
    objective.activities.push(Activity {
        name: Some(maker.text(&cell_text(grid.get(row, label.col)), row, label.col)),
        planned_months: months,
        ..Activity::default()
    });
}

/// The layout of a flat activity table: one row per activity.
pub(crate) struct FlatColumns {
    header_row: u32,
    objective: Vec<(u32, Role, String)>,
    activity: Vec<(u32, String)>,
    planned: [u32; 12],
    actual: Option<[u32; 12]>,
}

/// The header of a flat activity table in the first rows of a sheet: a row with
/// `Attività`, `P.A.I` or `P.E.I` and month columns, the month groups named `Previsto` /
/// `Effettivo` in the band above.
fn flat_header(matcher: &HeaderMatcher, grid: &Grid) -> Option<FlatColumns> {
    let last = grid.last_row().min(grid.first_row + 30);
    for row in grid.first_row..=last {
        let groups = month_groups(grid, row);
        // A card block header (one group, Previsto/Effettivo rows) is not a flat table.
        if groups.is_empty() || (groups.len() == 1 && activity_header(grid, row).is_some()) {
            continue;
        }
        let cells = form_cells(grid, row);
        let keys: Vec<(u32, String, String)> = cells
            .iter()
            .map(|fc| {
                let t = cell_text(grid.get(row, fc.col));
                (fc.col, label_key(&t), t)
            })
            .collect();
        let Some(act_col) = keys
            .iter()
            .find(|(_, k, _)| ActivityField::of(k) == Some(ActivityField::Name))
            .map(|(c, _, _)| *c)
        else {
            continue;
        };
        // Which group is planned: the band above names them.
        let band = |cols: &[u32; 12]| -> String {
            if row == 0 {
                return String::new();
            }
            let (r0, c0) = grid.origin(row - 1, cols[0]);
            label_key(&cell_text(grid.get(r0, c0)))
        };
        let mut planned = None;
        let mut actual = None;
        for g in &groups {
            match band(g).as_str() {
                k if k.starts_with("effettiv") => actual = Some(*g),
                _ if planned.is_none() => planned = Some(*g),
                _ => actual = actual.or(Some(*g)),
            }
        }
        let planned = planned?;
        let month_cols: Vec<u32> = groups.iter().flatten().copied().collect();
        let mut objective = Vec::new();
        let mut activity = Vec::new();
        for (col, key, text) in &keys {
            if month_cols.contains(col) {
                continue;
            }
            if *col < act_col {
                let role = match key.as_str() {
                    "peso obiettivo" => Some(Role::ObjectiveWeight),
                    _ => matcher.best(text),
                };
                match role {
                    Some(r) if r.is_objective_level() => {
                        objective.push((*col, r, text.trim().to_string()))
                    }
                    _ => objective.push((*col, Role::Ignore, text.trim().to_string())),
                }
            } else {
                activity.push((*col, text.trim().to_string()));
            }
        }
        return Some(FlatColumns {
            header_row: row,
            objective,
            activity,
            planned,
            actual,
        });
    }
    None
}

/// The flat activity table of a sheet, if it holds one.
pub(crate) fn find_activity_table(matcher: &HeaderMatcher, grid: &Grid) -> Option<FlatColumns> {
    if grid.is_blank() {
        return None;
    }
    flat_header(matcher, grid)
}

/// Reads a flat activity table: objectives (by code, or title) with their activities, in
/// areas named by the `Settore` column (the sheet otherwise).
pub(crate) fn read_activity_table(
    cols: &FlatColumns,
    name: &str,
    grid: &Grid,
    date1904: bool,
    ente: &mut Ente,
) {
    let sheet: Arc<str> = Arc::from(name);
    let maker = FieldMaker {
        grid,
        sheet: &sheet,
        date1904,
    };
    let findings = &mut ente.findings;
    let mut areas: Vec<Area> = Vec::new();
    let mut current: Option<(String, (u32, u32), Objective)> = None;
    let flush = |cur: &mut Option<(String, (u32, u32), Objective)>, areas: &mut Vec<Area>| {
        if let Some((area, _, o)) = cur.take() {
            let mut a = Area::new(area, "Settore");
            a.objectives.push(o);
            merge_area(areas, a);
        }
    };
    let key_col = cols
        .objective
        .iter()
        .find(|(_, r, _)| *r == Role::Code)
        .or_else(|| cols.objective.iter().find(|(_, r, _)| *r == Role::Title))
        .map(|(c, _, _)| *c);
    for row in cols.header_row + 1..=grid.last_row() {
        let cells = form_cells(grid, row);
        if cells.is_empty() {
            continue;
        }
        let origin = key_col.map_or((row, 0), |c| grid.origin(row, c));
        let new_objective = current.as_ref().is_none_or(|(_, o, _)| *o != origin);
        if new_objective {
            flush(&mut current, &mut areas);
            let mut o = Objective::new(Source::new(sheet.clone(), row, cells[0].col));
            let mut area = name.to_string();
            for (col, role, header) in &cols.objective {
                let Some(f) = maker.field(row, *col, expect_for(*role), header, findings) else {
                    continue;
                };
                match role {
                    Role::Area => area = f.text().trim().to_string(),
                    Role::Code => o.code = Some(f),
                    Role::Title => {
                        if o.code.is_none() {
                            if let Some((code, _)) = super::titles::split_code(f.text()) {
                                o.code = Some(maker.text(code, f.source.row, f.source.col));
                            }
                        }
                        o.title = Some(f);
                    }
                    Role::ObjectiveWeight => o.weight = Some(f),
                    Role::Description => o.description = Some(f),
                    Role::Responsible => o.responsible = Some(f),
                    _ => o.extra.push((header.clone(), f)),
                }
            }
            current = Some((area, origin, o));
        }
        let Some((_, _, o)) = current.as_mut() else {
            continue;
        };
        let mut a = Activity::default();
        for (col, header) in &cols.activity {
            let field = ActivityField::of(&label_key(header));
            let expect = field.map_or(Expect::Text, ActivityField::expect);
            let Some(f) = maker.field(row, *col, expect, header, findings) else {
                // A P.A.I still to be written: kept empty, with its cell, for `fill`.
                if field == Some(ActivityField::Pai) {
                    a.expected = Some(maker.empty(row, *col));
                }
                continue;
            };
            match field {
                Some(ActivityField::Name) => a.name = Some(f),
                Some(ActivityField::Year) => a.year = Some(f),
                Some(ActivityField::Weight) => a.weight = Some(f),
                Some(ActivityField::Pai) => a.expected = Some(f),
                Some(ActivityField::Pei) => a.actual = Some(f),
                Some(ActivityField::Status) => a.status = Some(f),
                Some(ActivityField::Note) => a.note = Some(f),
                _ => a.extra.push((header.clone(), f)),
            }
        }
        a.planned_months = marked(grid, row, &cols.planned, 0);
        if let Some(actual) = &cols.actual {
            a.actual_months = marked(grid, row, actual, 0);
        }
        if a.name.is_none() && a.weight.is_none() {
            continue;
        }
        o.activities.push(a);
    }
    flush(&mut current, &mut areas);
    for a in areas {
        merge_area(&mut ente.areas, a);
    }
}

/// The months (1 = January) whose column, moved by `shift`, holds a mark.
fn marked(grid: &Grid, row: u32, cols: &[u32; 12], shift: i64) -> Vec<u8> {
    (0..12u8)
        .filter(|m| {
            shifted(cols[usize::from(*m)], shift).is_some_and(|c| is_mark(grid.get(row, c)))
        })
        .map(|m| m + 1)
        .collect()
}

/// A column moved by `shift` (a row printed one column off its header).
fn shifted(col: u32, shift: i64) -> Option<u32> {
    u32::try_from(i64::from(col) + shift).ok()
}
