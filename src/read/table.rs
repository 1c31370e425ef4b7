//! The table layout: one row per indicator (or per objective), a header row somewhere near
//! the top, title rows above it, objectives spanning several rows.

use std::sync::Arc;

use super::grid::{Cell, Grid};
use super::header::{HeaderMatcher, Role};
use super::titles::{
    area_title, ente_title, is_banner_label, is_total_label, parse_polarity, split_code,
};
use super::{normalise_header, normalises_to};
use crate::model::{
    Area, Ente, Field, Finding, Indicator, IndicatorValue, Objective, Severity, Source, StatedTotal,
};
use crate::value::{Expect, Problem, Value};

/// How many rows from the top of a sheet are searched for the header.
const HEADER_SEARCH_ROWS: u32 = 80;

/// A header row naming this many known columns is taken as found: the search stops two rows
/// below it (far enough to see a second header row).
const CLEAR_HEADER_ROLES: usize = 5;

/// What a column holds once the header is read.
#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Role(Role),
    /// A column barometro does not know, kept under its header text; objective-level when it
    /// sits left of the first indicator column.
    Extra {
        objective: bool,
    },
}

#[derive(Debug, Clone)]
struct Column {
    col: u32,
    kind: Kind,
    /// The header text as written (for messages and extras).
    header: String,
    /// The header normalised (for spotting repeated headers).
    normalised: String,
}

#[derive(Debug)]
struct Header {
    /// The (lowest) header row.
    row: u32,
    /// The first row of the header block (the band rows above the header included).
    top: u32,
    columns: Vec<Column>,
    /// Normalised signatures of the band rows above the header, to skip their repeats.
    bands: Vec<Vec<String>>,
}

impl Header {
    fn column(&self, role: Role) -> Option<&Column> {
        self.columns.iter().find(|c| c.kind == Kind::Role(role))
    }

    fn has(&self, role: Role) -> bool {
        self.column(role).is_some()
    }
}

/// The expected content of a role's cells.
pub(crate) fn expect_for(role: Role) -> Expect {
    match role {
        Role::Target
        | Role::InterimTarget
        | Role::Actual
        | Role::InterimActual
        | Role::Baseline => Expect::Target,
        Role::Deviation => Expect::Number,
        Role::IndicatorWeight | Role::ObjectiveWeight | Role::Achievement => Expect::Percent,
        Role::Priority | Role::Year => Expect::Integer,
        Role::Deadline => Expect::Date,
        _ => Expect::Text,
    }
}

/// Scores a candidate header row: the column assignment and how many known roles it has.
fn assign_columns(matcher: &HeaderMatcher, headers: &[(u32, String)]) -> Vec<Column> {
    let mut proposals: Vec<(u32, usize, Role)> = Vec::new();
    let mut candidates: Vec<Vec<(Role, u32)>> = Vec::with_capacity(headers.len());
    for (i, (_, text)) in headers.iter().enumerate() {
        let c = matcher.candidates(text);
        for (role, score) in &c {
            proposals.push((*score, i, *role));
        }
        candidates.push(c);
    }
    proposals.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut assigned: Vec<Option<Role>> = vec![None; headers.len()];
    for (_, i, role) in &proposals {
        if assigned[*i].is_some() {
            continue;
        }
        if *role != Role::Ignore && assigned.contains(&Some(*role)) {
            continue;
        }
        assigned[*i] = Some(*role);
    }
    // A sheet whose only objective column is called "Obiettivo operativo" (or similar) uses
    // it as the objective title.
    if !assigned.contains(&Some(Role::Title)) {
        let best = candidates
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                matches!(
                    assigned[*i],
                    None | Some(Role::OperationalObjective) | Some(Role::StrategicObjective)
                )
            })
            .filter_map(|(i, c)| {
                c.iter()
                    .find(|(r, _)| *r == Role::Title)
                    .map(|(_, s)| (*s, i))
            })
            .max();
        if let Some((_, i)) = best {
            assigned[i] = Some(Role::Title);
        }
    }
    let has_indicator = assigned.contains(&Some(Role::IndicatorName));
    if !has_indicator && !assigned.contains(&Some(Role::ObjectiveWeight)) {
        // One row per objective: its "Peso" is the objective's weight.
        for a in assigned.iter_mut() {
            if *a == Some(Role::IndicatorWeight) {
                *a = Some(Role::ObjectiveWeight);
            }
        }
    }
    let first_indicator_col = headers
        .iter()
        .zip(&assigned)
        .filter(|(_, a)| a.is_some_and(|r| !r.is_objective_level() && r != Role::Ignore))
        .map(|((c, _), _)| *c)
        .min()
        .unwrap_or(u32::MAX);
    headers
        .iter()
        .zip(assigned)
        .map(|((col, text), role)| Column {
            col: *col,
            kind: match role {
                Some(r) => Kind::Role(r),
                None => Kind::Extra {
                    objective: *col < first_indicator_col,
                },
            },
            header: text.trim().to_string(),
            normalised: normalise_header(text),
        })
        .collect()
}

/// How good a set of columns is as a header: known roles, and whether it has what an
/// objective table needs.
fn header_score(columns: &[Column]) -> Option<usize> {
    let roles: Vec<Role> = columns
        .iter()
        .filter_map(|c| match c.kind {
            Kind::Role(r) if r != Role::Ignore => Some(r),
            _ => None,
        })
        .collect();
    let has = |r| roles.contains(&r);
    let usable =
        has(Role::Title) || has(Role::IndicatorName) || (has(Role::Target) && has(Role::Actual));
    (usable && roles.len() >= 3).then_some(roles.len())
}

fn row_texts(grid: &Grid, row: u32) -> Vec<(u32, String)> {
    grid.row_cells(row)
        .filter_map(|(c, v)| v.text().map(|t| (c, t.to_string())))
        .collect()
}

/// How many text cells of a row could be headers.
fn header_like_cells(matcher: &HeaderMatcher, grid: &Grid, row: u32) -> usize {
    grid.row_cells(row)
        .filter(|(_, v)| v.text().is_some_and(|t| !matcher.candidates(t).is_empty()))
        .count()
}

/// Finds the header row of a sheet: a row (or a two-row band) whose cells name at least
/// three known columns.
fn find_header(matcher: &HeaderMatcher, grid: &Grid) -> Option<Header> {
    let last = grid.last_row().min(grid.first_row + HEADER_SEARCH_ROWS);
    let mut best: Option<(usize, u32, Vec<Column>, bool)> = None;
    for row in grid.first_row..=last {
        // A clear header was found a few rows above: what follows is data.
        if best
            .as_ref()
            .is_some_and(|b| b.0 >= CLEAR_HEADER_ROLES && row > b.1 + 2)
        {
            break;
        }
        let above_like = if row > grid.first_row {
            header_like_cells(matcher, grid, row - 1)
        } else {
            0
        };
        if header_like_cells(matcher, grid, row) + above_like < 3 {
            continue;
        }
        let single = row_texts(grid, row);
        if single.len() < 2 {
            continue;
        }
        let mut options = vec![(assign_columns(matcher, &single), false)];
        if row > grid.first_row {
            // A two-row header: group cells above (often merged across columns), sub-headers
            // below.
            let above = row_texts(grid, row - 1);
            if !above.is_empty() {
                let mut cols: Vec<u32> = single.iter().chain(&above).map(|(c, _)| *c).collect();
                cols.sort_unstable();
                cols.dedup();
                let combined: Vec<(u32, String)> = cols
                    .into_iter()
                    .filter_map(|c| {
                        let lower = single
                            .iter()
                            .find(|(k, _)| *k == c)
                            .map(|(_, t)| t.as_str());
                        let upper = above.iter().find(|(k, _)| *k == c).map(|(_, t)| t.as_str());
                        let text = match (upper, lower) {
                            (_, Some(l)) if !matcher.candidates(l).is_empty() => l.to_string(),
                            (Some(u), Some(l)) if normalise_header(u) != normalise_header(l) => {
                                format!("{u} {l}")
                            }
                            (_, Some(l)) => l.to_string(),
                            (Some(u), None) => u.to_string(),
                            (None, None) => return None,
                        };
                        Some((c, text))
                    })
                    .collect();
                options.push((assign_columns(matcher, &combined), true));
            }
        }
        for (columns, two_rows) in options {
            if let Some(score) = header_score(&columns) {
                if best.as_ref().is_none_or(|b| score > b.0) {
                    best = Some((score, row, columns, two_rows));
                }
            }
        }
    }
    let (_, row, columns, two_rows) = best?;
    // Band rows: the non-empty rows right above the header with several cells (titles
    // have one).
    let mut top = if two_rows { row - 1 } else { row };
    let mut bands = Vec::new();
    if two_rows {
        bands.push(signature(grid, row - 1));
    }
    while top > grid.first_row && bands.len() < 3 {
        let r = top - 1;
        let distinct = distinct_origins(grid, r);
        if distinct < 2 {
            break;
        }
        bands.push(signature(grid, r));
        top = r;
    }
    Some(Header {
        row,
        top,
        columns,
        bands,
    })
}

fn signature(grid: &Grid, row: u32) -> Vec<String> {
    (grid.first_col..=grid.last_col())
        .map(|c| match grid.get(row, c) {
            Cell::Text(t) => normalise_header(t),
            Cell::Empty => String::new(),
            other => format!("{other:?}"),
        })
        .collect()
}

/// What one pass over a row tells.
struct RowScan<'g> {
    /// Non-empty cells.
    cells: usize,
    /// Distinct cells holding a value (a merged region counts once).
    distinct: usize,
    /// The first text cell.
    first_text: Option<(u32, &'g str)>,
    /// The first cell (not a merged fill) that labels a totals row.
    total_label: Option<u32>,
}

fn scan_row<'g>(grid: &'g Grid, row: u32) -> RowScan<'g> {
    let mut scan = RowScan {
        cells: 0,
        distinct: 0,
        first_text: None,
        total_label: None,
    };
    let mut last = None;
    for c in grid.first_col..=grid.last_col() {
        let v = grid.get(row, c);
        if v.is_empty() {
            continue;
        }
        scan.cells += 1;
        let merged = grid.is_merged_fill(row, c);
        let origin = if merged {
            grid.origin(row, c)
        } else {
            (row, c)
        };
        if last != Some(origin) {
            scan.distinct += 1;
            last = Some(origin);
        }
        if let Cell::Text(t) = v {
            if scan.first_text.is_none() {
                scan.first_text = Some((c, t));
            }
            if scan.total_label.is_none() && !merged && is_total_label(t) {
                scan.total_label = Some(c);
            }
        }
    }
    scan
}

/// How many distinct cells (merged regions count once) hold a value in a row.
fn distinct_origins(grid: &Grid, row: u32) -> usize {
    scan_row(grid, row).distinct
}

/// True when a row repeats the header (after a page break): at least `threshold` of the
/// header's cells are there again. Gives up as soon as the threshold is out of reach.
fn is_repeated_header(grid: &Grid, row: u32, header_cols: &[&Column], threshold: usize) -> bool {
    let mut matched = 0;
    let mut missed = 0;
    let allowed_misses = header_cols.len().saturating_sub(threshold);
    for c in header_cols {
        let hit = match grid.get(row, c.col) {
            // Normalising does not lengthen Latin text, so a shorter cell cannot match.
            Cell::Text(t) => t.len() >= c.normalised.len() && normalises_to(t, &c.normalised),
            _ => false,
        };
        if hit {
            matched += 1;
            if matched >= threshold {
                return true;
            }
        } else {
            missed += 1;
            if missed > allowed_misses {
                return false;
            }
        }
    }
    false
}

/// True when a row repeats a band row above the header (same cells, same texts).
fn matches_band(grid: &Grid, row: u32, band: &[String]) -> bool {
    (grid.first_col..=grid.last_col())
        .zip(band)
        .all(|(c, expected)| match grid.get(row, c) {
            Cell::Empty => expected.is_empty(),
            Cell::Text(t) => normalises_to(t, expected),
            other => !expected.is_empty() && *expected == format!("{other:?}"),
        })
}

/// One sheet's areas, before they are placed in the ente.
struct SheetOut {
    /// The area the title block names, if any: (name, kind, source).
    title_area: Option<(String, String, Source)>,
    /// A holder whose objectives and sub-areas come from this sheet.
    root: Area,
    has_upper_column: bool,
}

/// The state of reading a table's rows.
struct RowState {
    upper: Option<Field>,
    area: Option<Field>,
    section: Option<Field>,
    /// The kind of area the section headings name.
    section_kind: Option<&'static str>,
    /// Last values of fill-down columns (strategy links), by column.
    fills: Vec<(u32, Field)>,
    /// Identity of the current objective: (upper, area, code, title).
    key: Option<(String, String, String, String)>,
    /// Where the current objective is: its area and its index among the area's objectives.
    current: Option<(AreaPath, usize)>,
}

/// Reads objective tables sheet by sheet and assembles the ente's areas at the end.
pub(crate) struct TableReader<'m> {
    matcher: &'m HeaderMatcher,
    date1904: bool,
    sheets: Vec<SheetOut>,
    ente_name: Option<String>,
}

impl<'m> TableReader<'m> {
    pub(crate) fn new(matcher: &'m HeaderMatcher, date1904: bool) -> Self {
        TableReader {
            matcher,
            date1904,
            sheets: Vec::new(),
            ente_name: None,
        }
    }

    pub(crate) fn found_any_table(&self) -> bool {
        !self.sheets.is_empty()
    }

    pub(crate) fn ente_name(&self) -> Option<String> {
        self.ente_name.clone()
    }

    fn field(
        &self,
        (grid, sheet): (&Grid, &Arc<str>),
        row: u32,
        col: u32,
        expect: Expect,
        label: &str,
        findings: &mut Vec<Finding>,
    ) -> Option<Field> {
        let maker = super::form::FieldMaker {
            grid,
            sheet,
            date1904: self.date1904,
        };
        maker.field(row, col, expect, label, findings)
    }

    /// Reads one sheet: its title block, header and rows.
    pub(crate) fn read_sheet(&mut self, name: &str, grid: &Grid, ente: &mut Ente) {
        let sheet: Arc<str> = Arc::from(name);
        if grid.is_blank() {
            return;
        }
        let Some(header) = find_header(self.matcher, grid) else {
            ente.findings.push(Finding {
                severity: Severity::Info,
                message: format!(
                    "foglio «{name}» ignorato: nessuna intestazione riconoscibile (servono almeno le colonne Obiettivo e Indicatore, o Target e Consuntivo)"
                ),
                source: None,
                rule: "foglio-senza-intestazione".into(),
            });
            return;
        };
        ente.tables.push(crate::model::TableColumns {
            sheet: sheet.clone(),
            header_row: header.row,
            columns: header
                .columns
                .iter()
                .filter_map(|c| match c.kind {
                    Kind::Role(role) => role.indicator_value().map(|v| (v, c.col)),
                    Kind::Extra { .. } => None,
                })
                .collect(),
        });
        // A column whose header repeats the header of a known column (two "Target" columns):
        // the first is read, the other kept as an extra column. (Different headers for the
        // same role, as Portomaggiore's two political owners, are not repeats.)
        for repeated in header
            .columns
            .iter()
            .filter(|c| matches!(c.kind, Kind::Extra { .. }))
        {
            let Some(first) = self
                .matcher
                .best(&repeated.header)
                .filter(|r| *r != Role::Ignore)
                .and_then(|r| header.column(r))
                .filter(|first| first.normalised == repeated.normalised)
            else {
                continue;
            };
            let letters = crate::model::column_letters;
            ente.findings.push(Finding {
                severity: Severity::Warning,
                message: format!(
                    "la colonna {} («{}») ripete la colonna {} («{}»): si legge la colonna {}; i valori della colonna {} sono conservati come colonna aggiuntiva e non entrano nel calcolo. Se è la colonna giusta, rinominare l'altra intestazione o indicare una mappa con --mappa",
                    letters(repeated.col),
                    repeated.header,
                    letters(first.col),
                    first.header,
                    letters(first.col),
                    letters(repeated.col)
                ),
                source: Some(Source::new(sheet.clone(), header.row, repeated.col)),
                rule: "intestazione-ripetuta".into(),
            });
        }
        let mut out = SheetOut {
            title_area: None,
            root: Area::new(name, "Foglio"),
            has_upper_column: header.has(Role::UpperArea),
        };
        let title_texts = self.read_title_block(grid, &sheet, &header, &mut out, ente);
        self.read_rows(grid, &sheet, &header, &title_texts, &mut out, ente);
        self.sheets.push(out);
    }

    /// The rows above the header: ente name, area name, achievement banner.
    fn read_title_block(
        &mut self,
        grid: &Grid,
        sheet: &Arc<str>,
        header: &Header,
        out: &mut SheetOut,
        ente: &mut Ente,
    ) -> Vec<String> {
        let mut texts = Vec::new();
        let mut best_area: Option<(String, &'static str, u8, Source)> = None;
        let mut row = grid.first_row;
        while row < header.top {
            let cells: Vec<(u32, String)> = grid
                .row_cells(row)
                .filter(|(c, _)| !grid.is_merged_fill(row, *c))
                .filter_map(|(c, v)| v.text().map(|t| (c, t.to_string())))
                .collect();
            for (col, text) in &cells {
                texts.push(normalise_header(text));
                if self.ente_name.is_none() {
                    self.ente_name = ente_title(text);
                }
                if let Some((n, kind, rank)) = area_title(text) {
                    if best_area.as_ref().is_none_or(|b| rank > b.2) {
                        best_area = Some((n, kind, rank, Source::new(sheet.clone(), row, *col)));
                    }
                }
                if is_banner_label(text) {
                    if let Some((label, value)) =
                        self.banner(grid, sheet, row, *col, header.top, &mut ente.findings)
                    {
                        out.root.stated_totals.push(StatedTotal {
                            label,
                            values: vec![(Role::Achievement.key().to_string(), value)],
                        });
                    }
                }
            }
            row += 1;
        }
        if let Some((n, kind, _, source)) = best_area {
            out.title_area = Some((n, kind.to_string(), source));
        }
        texts
    }

    /// An achievement banner: the label cell and the value to its right or below it.
    fn banner(
        &self,
        grid: &Grid,
        sheet: &Arc<str>,
        row: u32,
        col: u32,
        limit: u32,
        findings: &mut Vec<Finding>,
    ) -> Option<(Field, Field)> {
        let label = self.field((grid, sheet), row, col, Expect::Text, "banner", findings)?;
        let right = grid
            .row_cells(row)
            .find(|(c, _)| *c > col && grid.origin(row, *c) != grid.origin(row, col))
            .map(|(c, _)| (row, c));
        let below = (row + 1..limit.min(row + 4)).find_map(|r| {
            grid.row_cells(r)
                .find(|(c, _)| !grid.is_merged_fill(r, *c))
                .map(|(c, _)| (r, c))
        });
        let (r, c) = right.or(below)?;
        let value = self.field((grid, sheet), r, c, Expect::Percent, &label.raw, findings)?;
        Some((label, value))
    }

    #[allow(clippy::too_many_arguments)]
    fn read_rows(
        &self,
        grid: &Grid,
        sheet: &Arc<str>,
        header: &Header,
        title_texts: &[String],
        out: &mut SheetOut,
        ente: &mut Ente,
    ) {
        let findings = &mut ente.findings;
        let mut state = RowState {
            upper: None,
            area: None,
            section: None,
            section_kind: None,
            fills: Vec::new(),
            key: None,
            current: None,
        };
        let header_cols: Vec<&Column> = header
            .columns
            .iter()
            .filter(|c| !c.normalised.is_empty())
            .collect();
        let repeat_threshold = (header_cols.len() * 6).div_ceil(10).max(2);
        let mut unlabelled_reported = false;
        let indicator_columns: Vec<&Column> = header
            .columns
            .iter()
            .filter(|c| match &c.kind {
                Kind::Role(r) => !r.is_objective_level() && *r != Role::Ignore,
                Kind::Extra { objective, .. } => !objective,
            })
            .collect();
        let mut labelled = vec![false; grid.width as usize];
        for c in &header.columns {
            if let Some(slot) = labelled.get_mut((c.col - grid.first_col) as usize) {
                *slot = true;
            }
        }
        let mut row = header.row + 1;
        let last = grid.last_row();
        while row <= last {
            let r = row;
            row += 1;
            let scan = scan_row(grid, r);
            if scan.cells == 0 {
                continue;
            }
            // A header repeated after a page break, or its band rows.
            if is_repeated_header(grid, r, &header_cols, repeat_threshold) {
                continue;
            }
            if header.bands.iter().any(|band| matches_band(grid, r, band)) {
                continue;
            }
            let distinct = scan.distinct;
            let first_text = scan.first_text;
            // Title rows repeated on every page.
            if distinct == 1 {
                if let Some((_, t)) = first_text {
                    if title_texts.iter().any(|x| normalises_to(t, x)) {
                        continue;
                    }
                }
            }
            // A totals row.
            if let Some(label_col) = scan.total_label {
                let label = self.field(
                    (grid, sheet),
                    r,
                    label_col,
                    Expect::Text,
                    "totale",
                    findings,
                );
                let mut values = Vec::new();
                for column in &header.columns {
                    if column.col == label_col {
                        continue;
                    }
                    if let Kind::Role(role) = column.kind {
                        if role == Role::Ignore || grid.is_merged_fill(r, column.col) {
                            continue;
                        }
                        if let Some(f) = self.field(
                            (grid, sheet),
                            r,
                            column.col,
                            expect_for(role),
                            &column.header,
                            findings,
                        ) {
                            values.push((role.key().to_string(), f));
                        }
                    }
                }
                if let Some(label) = label {
                    let total = StatedTotal { label, values };
                    let target = area_mut(
                        &mut out.root,
                        self.upper_key(&state, header),
                        self.area_key(&state),
                    );
                    target.stated_totals.push(total);
                }
                state.key = None;
                state.current = None;
                continue;
            }
            // A banner inside the table (one sheet with several lines).
            if distinct <= 2 {
                if let Some((c, t)) = &first_text {
                    if is_banner_label(t) {
                        if let Some((label, value)) =
                            self.banner(grid, sheet, r, *c, last + 1, findings)
                        {
                            let vr = value.source.row;
                            if vr > r {
                                row = vr + 1;
                            }
                            let target =
                                area_mut(&mut out.root, self.upper_key(&state, header), None);
                            target.stated_totals.push(StatedTotal {
                                label,
                                values: vec![(Role::Achievement.key().to_string(), value)],
                            });
                        }
                        continue;
                    }
                }
            }
            // A section heading: one cell (possibly merged across the row) naming a line or
            // an area.
            if distinct == 1 {
                if let Some((c, t)) = &first_text {
                    let spans = grid.row_cells(r).count() >= 3;
                    let column_role = header
                        .columns
                        .iter()
                        .find(|k| k.col == *c)
                        .map(|k| k.kind.clone());
                    let in_area_column =
                        matches!(column_role, Some(Kind::Role(Role::Area | Role::UpperArea)));
                    if spans || !in_area_column {
                        if let Some((_, kind, rank)) = area_title(t) {
                            let f =
                                self.field((grid, sheet), r, *c, Expect::Text, "sezione", findings);
                            if rank >= 2 && !header.has(Role::UpperArea) {
                                state.section = f;
                                state.section_kind = Some(kind);
                                state.key = None;
                                state.current = None;
                                continue;
                            }
                            if rank == 1 && !header.has(Role::Area) {
                                state.area = f;
                                state.key = None;
                                state.current = None;
                                continue;
                            }
                        }
                    }
                }
            }
            // Data in columns without a header.
            if !unlabelled_reported {
                if let Some((c, _)) = grid.row_cells(r).find(|(c, _)| {
                    !labelled
                        .get((c - grid.first_col) as usize)
                        .copied()
                        .unwrap_or(false)
                }) {
                    unlabelled_reported = true;
                    findings.push(Finding {
                        severity: Severity::Info,
                        message: format!(
                            "la colonna {} non ha intestazione: i suoi valori sono ignorati",
                            crate::model::column_letters(c)
                        ),
                        source: Some(Source::new(sheet.clone(), r, c)),
                        rule: "colonna-senza-intestazione".into(),
                    });
                }
            }
            self.read_data_row(
                grid,
                sheet,
                header,
                r,
                &indicator_columns,
                &mut state,
                out,
                findings,
            );
        }
        // Objective notes and neutralisation, once every row is read.
        finish_objectives(&mut out.root);
        // Area kinds, as the workbook calls them.
        let area_kind = header
            .column(Role::Area)
            .map(|c| c.header.clone())
            .unwrap_or_else(|| "Settore".to_string());
        let upper_kind = match header.column(Role::UpperArea) {
            Some(c) => Some(c.header.clone()),
            None => state.section_kind.map(str::to_string),
        };
        for a in &mut out.root.areas {
            match &upper_kind {
                Some(k) => {
                    a.kind = k.clone();
                    for s in &mut a.areas {
                        s.kind = area_kind.clone();
                    }
                }
                None => a.kind = area_kind.clone(),
            }
        }
    }

    fn upper_key<'s>(&self, state: &'s RowState, header: &Header) -> Option<&'s str> {
        if header.has(Role::UpperArea) {
            state.upper.as_ref().map(|f| f.text())
        } else {
            state.section.as_ref().map(|f| f.text())
        }
    }

    fn area_key<'s>(&self, state: &'s RowState) -> Option<&'s str> {
        state.area.as_ref().map(|f| f.text())
    }

    #[allow(clippy::too_many_arguments)]
    fn read_data_row(
        &self,
        grid: &Grid,
        sheet: &Arc<str>,
        header: &Header,
        r: u32,
        indicator_columns: &[&Column],
        state: &mut RowState,
        out: &mut SheetOut,
        findings: &mut Vec<Finding>,
    ) {
        // Grouping columns first.
        let unchanged = |current: &Option<Field>, col: u32| {
            let cell = grid.get(r, col);
            cell.is_empty() || current.as_ref().is_some_and(|f| cell_str(cell) == f.text())
        };
        if let Some(c) = header
            .column(Role::UpperArea)
            .filter(|c| !unchanged(&state.upper, c.col))
        {
            if let Some(f) = self.field((grid, sheet), r, c.col, Expect::Text, &c.header, findings)
            {
                if state.upper.as_ref().map(|u| u.text()) != Some(f.text()) {
                    state.area = None;
                }
                if out.root.kind == "Foglio" || out.root.kind.is_empty() {
                    out.root.kind = c.header.clone();
                }
                state.upper = Some(f);
            }
        }
        if let Some(c) = header
            .column(Role::Area)
            .filter(|c| !unchanged(&state.area, c.col))
        {
            if let Some(f) = self.field((grid, sheet), r, c.col, Expect::Text, &c.header, findings)
            {
                state.area = Some(f);
            }
        }
        let code_col = header.column(Role::Code);
        let title_col = header.column(Role::Title);
        let code_text = code_col
            .map(|c| cell_str(grid.get(r, c.col)))
            .unwrap_or_default();
        let title_text = title_col
            .map(|c| cell_str(grid.get(r, c.col)))
            .unwrap_or_default();
        let mut indicator_values = 0;
        let mut new_indicator = false;
        for c in indicator_columns {
            if !grid.get(r, c.col).is_empty() {
                indicator_values += 1;
                new_indicator |= !grid.is_merged_fill(r, c.col);
            }
        }
        let starts_objective = !code_text.is_empty() || !title_text.is_empty();
        let mut new_objective = false;
        // The objective's identity: its groups, code and title.
        let (same_groups, same_objective) = {
            let upper = self.upper_key(state, header).unwrap_or_default();
            let area = self.area_key(state).unwrap_or_default();
            match &state.key {
                Some(k) => {
                    let groups = k.0 == upper && k.1 == area;
                    (groups, groups && k.2 == code_text && k.3 == title_text)
                }
                None => (false, false),
            }
        };
        if (starts_objective && !same_objective) || (!starts_objective && !same_groups) {
            if !starts_objective {
                if !new_indicator {
                    return;
                }
                findings.push(Finding {
                    severity: Severity::Warning,
                    message: "riga con un indicatore ma senza obiettivo: manca il titolo (o il codice) dell'obiettivo".into(),
                    source: Some(Source::new(sheet.clone(), r, grid.first_col)),
                    rule: "riga-senza-obiettivo".into(),
                });
            }
            let upper = self.upper_key(state, header).map(str::to_string);
            let area = self.area_key(state).map(str::to_string);
            let source = match title_col.or(code_col).filter(|_| starts_objective) {
                Some(c) => {
                    let (r0, c0) = grid.origin(r, c.col);
                    Source::new(sheet.clone(), r0, c0)
                }
                None => Source::new(sheet.clone(), r, grid.first_col),
            };
            let path = area_path(&mut out.root, upper.as_deref(), area.as_deref());
            let target = node_mut(&mut out.root, path);
            target.objectives.push(Objective::new(source));
            state.current = Some((path, target.objectives.len() - 1));
            state.key = Some((
                upper.unwrap_or_default(),
                area.unwrap_or_default(),
                code_text.to_string(),
                title_text.to_string(),
            ));
            new_objective = true;
        }
        let Some((path, index)) = state.current else {
            return;
        };
        // Objective-level fields: the first non-empty value wins, so cells already taken
        // (merged over the objective's rows, or repeated on each row) are not read again.
        let mut objective_fields: Vec<(&Column, Field)> = Vec::new();
        {
            let current = &node_mut(&mut out.root, path).objectives[index];
            for column in &header.columns {
                let role = match &column.kind {
                    Kind::Role(role) if role.is_objective_level() => Some(*role),
                    Kind::Extra {
                        objective: true, ..
                    } => None,
                    _ => continue,
                };
                if matches!(role, Some(Role::UpperArea | Role::Area)) {
                    continue;
                }
                let fills_down = role.is_some_and(|r| r.fills_down());
                if !new_objective
                    && (grid.is_merged_fill(r, column.col)
                        || (!fills_down && column_filled(current, column)))
                {
                    continue;
                }
                let expect = role.map_or_else(
                    || Expect::for_extra(grid.get(r, column.col).input()),
                    expect_for,
                );
                let mut field = self.field(
                    (grid, sheet),
                    r,
                    column.col,
                    expect,
                    &column.header,
                    findings,
                );
                if fills_down {
                    match &field {
                        Some(f) => {
                            state.fills.retain(|(c, _)| *c != column.col);
                            state.fills.push((column.col, f.clone()));
                        }
                        None if starts_objective => {
                            field = state
                                .fills
                                .iter()
                                .find(|(c, _)| *c == column.col)
                                .map(|(_, f)| f.clone());
                        }
                        None => {}
                    }
                }
                if let Some(f) = field {
                    objective_fields.push((column, f));
                }
            }
        }
        let objective = &mut node_mut(&mut out.root, path).objectives[index];
        for (column, f) in objective_fields {
            let role = match &column.kind {
                Kind::Role(role) => *role,
                Kind::Extra { .. } => {
                    if !objective.extra.iter().any(|(k, _)| *k == column.header) {
                        objective.extra.push((column.header.clone(), f));
                    }
                    continue;
                }
            };
            match role {
                Role::Code => set_once(&mut objective.code, f),
                Role::Title if objective.title.is_none() => {
                    if code_col.is_none() && objective.code.is_none() {
                        if let Some((code, _)) = split_code(f.text()) {
                            objective.code = Some(Field {
                                raw: code.into(),
                                value: Value::Text,
                                source: f.source.clone(),
                            });
                            objective.title = Some(f);
                            continue;
                        }
                    }
                    objective.title = Some(f);
                }
                Role::Description => set_once(&mut objective.description, f),
                Role::ObjectiveWeight => set_once(&mut objective.weight, f),
                Role::Priority => set_once(&mut objective.priority, f),
                Role::Responsible => set_once(&mut objective.responsible, f),
                Role::PoliticalOwner => set_once(&mut objective.political_owner, f),
                Role::Mission | Role::StrategicObjective | Role::OperationalObjective
                    if !objective.strategy.iter().any(|(k, _)| *k == column.header) =>
                {
                    objective.strategy.push((column.header.clone(), f));
                }
                Role::Neutralised => {
                    let flagged = match &f.value {
                        Value::Done { done } => *done,
                        Value::Number { number, .. } => *number != 0.0,
                        _ => {
                            let n = normalise_header(f.text());
                            matches!(
                                n.as_str(),
                                "si" | "x"
                                    | "vero"
                                    | "true"
                                    | "neutralizzato"
                                    | "neutralizzata"
                                    | "s"
                            )
                        }
                    };
                    objective.neutralised |= flagged;
                }
                _ => {}
            }
        }
        if !new_indicator {
            return;
        }
        let first_value_col = indicator_columns
            .iter()
            .find(|c| !grid.get(r, c.col).is_empty())
            .map(|c| c.col)
            .unwrap_or(grid.first_col);
        let mut indicator = Indicator::with_capacity(
            Source::new(sheet.clone(), r, first_value_col),
            indicator_values,
        );
        for column in indicator_columns {
            if grid.get(r, column.col).is_empty() {
                continue;
            }
            let role = match &column.kind {
                Kind::Role(role) => Some(*role),
                Kind::Extra { .. } => None,
            };
            let expect = role.map_or_else(
                || Expect::for_extra(grid.get(r, column.col).input()),
                expect_for,
            );
            let Some(f) = self.field(
                (grid, sheet),
                r,
                column.col,
                expect,
                &column.header,
                findings,
            ) else {
                continue;
            };
            let Some(role) = role else {
                indicator.extra.push((column.header.clone(), f));
                continue;
            };
            let Some(which) = role.indicator_value() else {
                continue;
            };
            if which == IndicatorValue::PolarityText {
                indicator.polarity = parse_polarity(f.text());
                if indicator.polarity.is_none() {
                    findings.push(Finding {
                        severity: Severity::Warning,
                        message: format!(
                            "«{}»: polarità «{}» non riconosciuta; scrivere crescente (maggiore è meglio) o decrescente (minore è meglio)",
                            column.header,
                            f.text()
                        ),
                        source: Some(f.source.clone()),
                        rule: "polarita-sconosciuta".into(),
                    });
                }
            }
            indicator.set(which, f);
        }
        node_mut(&mut out.root, path).objectives[index]
            .indicators
            .push(indicator);
    }

    /// Places every sheet's areas in the ente, merging areas of the same name.
    pub(crate) fn finish(&mut self, ente: &mut Ente) {
        let table_sheets = self.sheets.len();
        for out in std::mem::take(&mut self.sheets) {
            let SheetOut {
                title_area,
                mut root,
                has_upper_column,
            } = out;
            let deep = root.areas.iter().any(|a| !a.areas.is_empty());
            let wrap = !has_upper_column
                && !deep
                && (title_area.is_some() || !root.objectives.is_empty() || table_sheets > 1);
            if wrap {
                if let Some((name, kind, source)) = title_area {
                    root.name = name;
                    root.kind = kind;
                    root.source = Some(source);
                }
                merge_area(&mut ente.areas, root);
            } else {
                ente.stated_totals.append(&mut root.stated_totals);
                if !root.objectives.is_empty() {
                    // Objectives outside any group (before the first line or area name).
                    let mut holder = Area::new(root.name.clone(), "Foglio");
                    holder.objectives = std::mem::take(&mut root.objectives);
                    merge_area(&mut ente.areas, holder);
                }
                for a in root.areas {
                    merge_area(&mut ente.areas, a);
                }
            }
        }
    }
}

/// True when the objective already has the value a column holds (the Neutralised flag is
/// never "filled": any row may set it).
fn column_filled(o: &Objective, column: &Column) -> bool {
    match &column.kind {
        Kind::Extra { .. } => o.extra.iter().any(|(h, _)| *h == column.header),
        Kind::Role(role) => match role {
            Role::Code => o.code.is_some(),
            Role::Title => o.title.is_some(),
            Role::Description => o.description.is_some(),
            Role::ObjectiveWeight => o.weight.is_some(),
            Role::Priority => o.priority.is_some(),
            Role::Responsible => o.responsible.is_some(),
            Role::PoliticalOwner => o.political_owner.is_some(),
            Role::Mission | Role::StrategicObjective | Role::OperationalObjective => {
                o.strategy.iter().any(|(h, _)| *h == column.header)
            }
            _ => false,
        },
    }
}

/// A cell's text for comparisons (objective identity, unchanged groups).
fn cell_str<'c>(cell: &'c Cell) -> std::borrow::Cow<'c, str> {
    use std::borrow::Cow;
    match cell {
        Cell::Text(t) => Cow::Borrowed(t.trim()),
        Cell::Empty => Cow::Borrowed(""),
        Cell::Number { value, .. } => Cow::Owned(crate::value::format_number_it(*value).into()),
        Cell::Bool(b) => Cow::Owned(b.to_string()),
        Cell::Error(e) => Cow::Borrowed(e.as_str()),
    }
}

fn set_once(slot: &mut Option<Field>, f: Field) {
    if slot.is_none() {
        *slot = Some(f);
    }
}

/// Where an area sits under a sheet's root: (index among the root's areas, index among that
/// area's sub-areas).
type AreaPath = (Option<usize>, Option<usize>);

/// The path of the area named (upper, area) under the sheet's root, creating it on first use
/// (source order kept).
fn area_path(root: &mut Area, upper: Option<&str>, area: Option<&str>) -> AreaPath {
    fn child(node: &mut Area, name: &str, kind: &str) -> usize {
        match node.areas.iter().position(|a| a.name == name) {
            Some(p) => p,
            None => {
                node.areas.push(Area::new(name, kind));
                node.areas.len() - 1
            }
        }
    }
    match (upper, area) {
        (None, None) => (None, None),
        (Some(u), None) => (Some(child(root, u, "Linea strategica")), None),
        (None, Some(a)) => (Some(child(root, a, "Settore")), None),
        (Some(u), Some(a)) => {
            let i = child(root, u, "Linea strategica");
            let j = child(&mut root.areas[i], a, "Settore");
            (Some(i), Some(j))
        }
    }
}

/// The area at a path.
fn node_mut(root: &mut Area, path: AreaPath) -> &mut Area {
    match path {
        (None, _) => root,
        (Some(i), None) => &mut root.areas[i],
        (Some(i), Some(j)) => &mut root.areas[i].areas[j],
    }
}

/// The area named (upper, area) under the sheet's root, created on first use.
fn area_mut<'r>(root: &'r mut Area, upper: Option<&str>, area: Option<&str>) -> &'r mut Area {
    let path = area_path(root, upper, area);
    node_mut(root, path)
}

pub(crate) fn merge_area(list: &mut Vec<Area>, area: Area) {
    match list
        .iter_mut()
        .find(|a| normalise_header(&a.name) == normalise_header(&area.name))
    {
        Some(existing) => {
            existing.objectives.extend(area.objectives);
            existing.stated_totals.extend(area.stated_totals);
            for sub in area.areas {
                merge_area(&mut existing.areas, sub);
            }
        }
        None => list.push(area),
    }
}

/// Objective notes (the first note among its rows) and neutralisation by note.
fn finish_objectives(area: &mut Area) {
    for o in &mut area.objectives {
        if o.note.is_none() {
            o.note = o.indicators.iter().find_map(|i| i.note().cloned());
        }
        let noted = o
            .indicators
            .iter()
            .filter_map(|i| i.note())
            .chain(o.note.as_ref())
            .any(|n| normalise_header(n.text()).contains("neutralizzat"));
        o.neutralised |= noted;
    }
    for a in &mut area.areas {
        finish_objectives(a);
    }
}

pub(crate) fn problem_finding(p: Problem, source: &Source, label: &str) -> Finding {
    let severity = if p.kind.is_error() {
        Severity::Error
    } else {
        Severity::Warning
    };
    let message = if label.is_empty() {
        p.message
    } else {
        format!("«{label}»: {}", p.message)
    };
    Finding {
        severity,
        message,
        source: Some(source.clone()),
        rule: p.kind.code().to_string(),
    }
}
