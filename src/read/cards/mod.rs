//! Card layouts (*schede obiettivo*): one block of rows per objective instead of one row per
//! indicator.
//!
//! The reader walks a sheet row by row and recognises what each row is by its labels, never
//! by its position:
//!
//! - sector sections (`SETTORE FINANZIARIO (4 OBIETTIVI)`), whose declared count becomes a
//!   stated total (`numero_obiettivi`) that the rules check against the cards read;
//! - the start of a card: an objective code on its own (`S1.00002`, `S1/DG.00012 (137)`), a
//!   `Classificazione` row, a second `Titolo`, or a typed title
//!   (`1. OBIETTIVO DI MIGLIORAMENTO 2024`); the same title repeated after a page break
//!   continues the card;
//! - label rows (`Titolo`, `Settore/Cdr`, `Validità obiettivo:`, `Obiettivo padre:`,
//!   `Tipo obiettivo: … - Grado di strategicità: …`), the value to the right or after the
//!   colon;
//! - a header row with its value row below (`Stakeholder finali/destinatari`, `PNRR`,
//!   `Dirigente/posizione responsabile`, `Peso (in % max 100)`, `Settore`, `Dirigente`…),
//!   values matched to headers by the columns their merged cells cover;
//! - an indicator table (any header the [`HeaderMatcher`] knows: `Anno`, `Indicatore`,
//!   `Target a preventivo` or `Target`, `Target raggiunto` or `Risultato finale`, `Peso`,
//!   `Valore atteso`, `Valore raggiunto`…), with the year filled down, group sub-headers,
//!   dash rows and rows split by a page break;
//! - monitoring texts (`Stato di attuazione al 30/06/2023`, `Resoconto al 31/12/2023`,
//!   `RELAZIONE A CONSUNTIVO:`), continued over the following rows;
//! - activity blocks with a 12-month grid ([`super::activities`]) and schedules
//!   (`Cronoprogramma`, `Fasi e tempi | Gennaio … Dicembre`);
//! - page debris: a footer or running title repeated alone in its row.
//!
//! Weights come in three places and are resolved once the reporting year is known: one
//! weight for the objective-year (a cell merged over the year's rows), one weight per
//! indicator (the objective weighs their sum), or a weight in the header row.

use std::sync::Arc;

use super::activities::{self, ActivityColumns, MonthGrid};
use super::form::{cell_text, debris_texts, form_cells, label_key, strip_tags, FieldMaker};
use super::grid::{Cell, Grid};
use super::header::{HeaderMatcher, Role};
use super::normalise_header;
use super::table::{expect_for, merge_area};
use super::titles::area_title;
use crate::model::{
    Area, Ente, Field, Finding, Indicator, IndicatorValue, Objective, Severity, Source, StatedTotal,
};
use crate::value::{Expect, Value};

mod place;
mod vocabulary;

use place::{dates_in_text, find_by_code, merge_card, merge_summary, resolve_weights};
pub(crate) use vocabulary::looks_like_cards;
use vocabulary::{
    box_slot, bracketed_id, card_code, is_activity_text_label, is_status_label, label_slot,
    section_banner, typed_title, LabelRow, Slot,
};
pub use vocabulary::{is_outcome_label, DECLARED_COUNT};

/// An indicator row before the weights are resolved.
#[derive(Debug, Clone)]
struct IndicatorRow {
    indicator: Indicator,
    year: Option<i32>,
    /// The weight cell of the row, when it is the cell's own (not a merged copy).
    weight: Option<Field>,
}

/// A card being read.
#[derive(Debug)]
struct Card {
    objective: Objective,
    /// Index of its section in [`CardReader::areas`].
    section: Option<usize>,
    /// Area named on the card (`Settore/Cdr`, `Centro di responsabilità`).
    area_name: Option<String>,
    rows: Vec<IndicatorRow>,
    /// The number of a typed title (`1.`), to match a summary table row.
    number: Option<u32>,
    /// Normalised typed title, to recognise its repeats after page breaks.
    typed_title: Option<String>,
}

impl Card {
    fn new(source: Source, section: Option<usize>) -> Self {
        Card {
            objective: Objective::new(source),
            section,
            area_name: None,
            rows: Vec::new(),
            number: None,
            typed_title: None,
        }
    }
}

/// What the rows that follow belong to.
#[derive(Debug)]
enum Mode {
    None,
    /// A header row was read; its values are in the next row.
    Box(Vec<(u32, u32, String, Slot)>),
    /// Rows of an indicator table.
    Indicators {
        columns: Vec<(u32, Role, String)>,
        year: Option<i32>,
        group: Option<Field>,
    },
    /// Activity blocks (`Previsto` / `Effettivo` rows).
    Activities(ActivityColumns),
    /// Text rows after a monitoring label (index in the objective's `status`).
    Status(usize),
    /// Text rows after an activity label (`Target attesi`, `Monitoraggio intermedio`).
    ActivityText(String),
    /// Phases of a schedule (`Fasi e tempi | Gennaio … Dicembre`).
    Schedule(MonthGrid),
    /// The repeated card header after a page break: skipped until the card resumes.
    Repeat,
}

/// Reads the card sheets of a workbook.
pub(crate) struct CardReader<'m> {
    matcher: &'m HeaderMatcher,
    date1904: bool,
    /// Sector sections, in order.
    areas: Vec<Area>,
    cards: Vec<Card>,
    /// Summary rows (Casorate: number, title, weight) by sheet, matched to typed cards.
    summaries: Vec<(Arc<str>, Objective, Option<u32>)>,
    sheets: usize,
}

impl<'m> CardReader<'m> {
    pub(crate) fn new(matcher: &'m HeaderMatcher, date1904: bool) -> Self {
        CardReader {
            matcher,
            date1904,
            areas: Vec::new(),
            cards: Vec::new(),
            summaries: Vec::new(),
            sheets: 0,
        }
    }

    /// True when at least one card sheet was read.
    pub(crate) fn found_any(&self) -> bool {
        self.sheets > 0
    }

    /// Reads one sheet of cards.
    pub(crate) fn read_sheet(&mut self, name: &str, grid: &Grid, ente: &mut Ente) {
        if grid.is_blank() {
            return;
        }
        self.sheets += 1;
        let sheet: Arc<str> = Arc::from(name);
        let maker = FieldMaker {
            grid,
            sheet: &sheet,
            date1904: self.date1904,
        };
        let mut debris = debris_texts(grid);
        // Labels recur on every card: never debris.
        debris.retain(|text, _| {
            let key = label_key(text);
            label_slot(&key).is_none()
                && typed_title(&key).is_none()
                && card_code(text).is_none()
                && !is_status_label(&key)
                && !is_activity_text_label(&key)
        });
        let mut card: Option<Card> = None;
        let mut section: Option<usize> = None;
        let mut mode = Mode::None;
        let mut weight_first = false;
        let mut summary_allowed = false;
        let mut wide_row: Option<(u32, Field)> = None;
        let findings = &mut ente.findings;
        let mut row = grid.first_row;
        let last = grid.last_row();
        while row <= last {
            let cells = form_cells(grid, row);
            if cells.is_empty() {
                if !matches!(mode, Mode::Activities(_) | Mode::Repeat) {
                    mode = Mode::None;
                }
                row += 1;
                continue;
            }
            let first = cell_text(grid.get(row, cells[0].col));
            let key = label_key(&first);
            // Page debris: a footer alone in its row. Not a text alone in the name column of
            // an indicator table after an indicator: that is the tail of a row split by the
            // page break (`entro il 31/12/2024`), however often it recurs.
            let split_tail = || match &mode {
                Mode::Indicators { columns, .. } => {
                    columns
                        .iter()
                        .any(|(col, role, _)| *role == Role::IndicatorName && *col == cells[0].col)
                        && card.as_ref().is_some_and(|c| !c.rows.is_empty())
                }
                _ => false,
            };
            if cells.len() == 1 && debris.contains_key(&normalise_header(&first)) && !split_tail() {
                row += 1;
                continue;
            }
            // A repeated card header: skip its box until a known block starts.
            if let Mode::Repeat = mode {
                let resumes = label_slot(&key).is_some()
                    || typed_title(&key).is_some()
                    || is_status_label(&key)
                    || self.indicator_header(grid, row).is_some()
                    || activities::activity_header(grid, row).is_some()
                    || MonthGrid::find(grid, row).is_some();
                if !resumes {
                    row += 1;
                    continue;
                }
                mode = Mode::None;
            }
            // A sector section.
            if cells.len() == 1 {
                if let Some((banner, count)) = section_banner(&first) {
                    self.close(&mut card);
                    section = Some(self.section(&maker, row, cells[0].col, &banner, count));
                    mode = Mode::None;
                    row += 1;
                    continue;
                }
            }
            // The start of a card.
            if cells.len() <= 2 {
                if let Some((code, id)) = card_code(&first) {
                    self.close(&mut card);
                    let mut c = Card::new(Source::new(sheet.clone(), row, cells[0].col), section);
                    c.objective.code = Some(maker.text(&code, row, cells[0].col));
                    let id = id.or_else(|| {
                        let next = cell_text(grid.get(row, cells.get(1)?.col));
                        bracketed_id(&next).map(str::to_string)
                    });
                    if let Some(id) = id {
                        c.objective
                            .extra
                            .push(("Id".into(), maker.text(&id, row, cells[0].col)));
                    }
                    card = Some(c);
                    mode = Mode::None;
                    row += 1;
                    continue;
                }
            }
            if let Some(number) = typed_title(&key) {
                let norm = normalise_header(&first);
                // The card header repeated on a new page: the same title, a title without
                // its number, or a lower number (a copying slip). Numbers grow from card
                // to card.
                let repeat = card.as_ref().is_some_and(|c| {
                    c.typed_title.as_deref() == Some(norm.as_str())
                        || number.is_none()
                        || c.number
                            .is_some_and(|current| number.is_some_and(|n| n <= current))
                });
                if repeat {
                    mode = Mode::Repeat;
                    row += 1;
                    continue;
                }
                self.close(&mut card);
                let mut c = Card::new(Source::new(sheet.clone(), row, cells[0].col), section);
                c.number = number;
                c.typed_title = Some(norm);
                c.objective.extra.push((
                    "Tipo obiettivo".into(),
                    maker.text(&first, row, cells[0].col),
                ));
                card = Some(c);
                mode = Mode::None;
                row += 1;
                continue;
            }
            let new_card = key == "classificazione"
                || (key == "titolo" && card.as_ref().is_some_and(|c| c.objective.title.is_some()));
            if new_card {
                self.close(&mut card);
                card = Some(Card::new(
                    Source::new(sheet.clone(), row, cells[0].col),
                    section,
                ));
            }
            // Before the first card: a summary table of a centre (number, title, weight).
            let Some(c) = card.as_mut() else {
                if cells.len() == 1 && key == "centro di responsabilita" {
                    summary_allowed = true;
                }
                if summary_allowed || key == "peso" {
                    summary_allowed = true;
                    self.summary_row(&maker, row, &cells, &mut weight_first, findings);
                }
                row += 1;
                continue;
            };
            // Activity blocks.
            if let Some(columns) = activities::activity_header(grid, row) {
                mode = Mode::Activities(columns);
                row += 1;
                continue;
            }
            if let Mode::Activities(columns) = &mode {
                if let Some(done) =
                    activities::activity_row(&maker, row, columns, &mut c.objective, findings)
                {
                    if done {
                        row += 1;
                        continue;
                    }
                }
            }
            if is_activity_text_label(&key) && !c.objective.activities.is_empty() {
                let inline = cells
                    .get(1)
                    .map(|x| (x.col, strip_tags(&cell_text(grid.get(row, x.col)))));
                mode = Mode::ActivityText(first.trim().trim_end_matches(':').to_string());
                if let Some((col, text)) = inline {
                    activities::activity_text(
                        &mut c.objective,
                        &first,
                        maker.text(&text, row, col),
                    );
                }
                row += 1;
                continue;
            }
            // Schedules.
            if let Some(grid_cols) = MonthGrid::find(grid, row) {
                mode = Mode::Schedule(grid_cols);
                row += 1;
                continue;
            }
            // Monitoring texts.
            if is_status_label(&key) {
                let (label, value) = self.status_label(grid, row, &cells, &first);
                let field = match value {
                    Some((col, text)) => maker.text(&text, row, col),
                    None => maker.text("", row, cells[0].col),
                };
                c.objective.status.push((label, field));
                mode = Mode::Status(c.objective.status.len() - 1);
                row += 1;
                continue;
            }
            // Label rows.
            if let Some((slot, label, value)) = self.label_row(grid, row, &cells, &first) {
                match value {
                    Some((col, text)) if !text.trim().is_empty() => {
                        set_slot(&maker, c, slot, &label, &text, row, col, findings);
                    }
                    // An achievement still to be written: its cell is the value cell, or the
                    // one right of the label.
                    value if is_outcome_label(&label) => {
                        let col = value.map_or_else(
                            || cells.first().map_or(1, |fc| fc.last_col + 1),
                            |(col, _)| col,
                        );
                        c.objective.extra.push((label, maker.empty(row, col)));
                    }
                    _ => {}
                }
                mode = Mode::None;
                row += 1;
                continue;
            }
            // A header row whose values are in the row below.
            let boxed: Vec<(u32, u32, String, Slot)> = cells
                .iter()
                .filter_map(|fc| {
                    let text = cell_text(grid.get(row, fc.col));
                    box_slot(&label_key(&text)).map(|s| (fc.col, fc.last_col, text, s))
                })
                .collect();
            if boxed.len() >= 2 && boxed.len() * 2 >= cells.len() {
                mode = Mode::Box(boxed);
                row += 1;
                continue;
            }
            // An indicator table header.
            if let Some(columns) = self.indicator_header(grid, row) {
                // A group title just above the header (`SALUTE ORGANIZZATIVA (…)`).
                let group = wide_row
                    .take()
                    .filter(|(r, _)| *r + 2 >= row)
                    .map(|(_, f)| f);
                mode = Mode::Indicators {
                    columns,
                    year: None,
                    group,
                };
                row += 1;
                continue;
            }
            if let [only] = cells.as_slice() {
                if only.last_col >= only.col + 4 && matches!(mode, Mode::None) {
                    wide_row = Some((row, maker.text(&first, row, only.col)));
                }
            }
            match &mut mode {
                Mode::Box(headers) => {
                    let headers = std::mem::take(headers);
                    for (col, last_col, header, slot) in headers {
                        let value = cells
                            .iter()
                            .find(|fc| fc.col <= last_col && fc.last_col >= col);
                        if let Some(fc) = value {
                            let text = strip_tags(&cell_text(grid.get(row, fc.col)));
                            set_slot(&maker, c, slot, header.trim(), &text, row, fc.col, findings);
                        }
                    }
                    mode = Mode::None;
                }
                Mode::Indicators {
                    columns,
                    year,
                    group,
                } => {
                    self.indicator_row(&maker, row, &cells, columns, year, group, c, findings);
                }
                Mode::Status(index) => {
                    let text = cells
                        .iter()
                        .map(|fc| strip_tags(&cell_text(grid.get(row, fc.col))))
                        .collect::<Vec<_>>()
                        .join(" ");
                    let slot = &mut c.objective.status[*index].1;
                    if slot.raw.is_empty() {
                        *slot = maker.text(&text, row, cells[0].col);
                    } else {
                        let joined = format!("{}\n{}", slot.raw, text);
                        slot.raw = joined.into();
                    }
                }
                Mode::ActivityText(label) => {
                    let text = strip_tags(&cell_text(grid.get(row, cells[0].col)));
                    let label = label.clone();
                    activities::activity_text(
                        &mut c.objective,
                        &label,
                        maker.text(&text, row, cells[0].col),
                    );
                    mode = Mode::None;
                }
                Mode::Schedule(months) => {
                    activities::schedule_row(&maker, row, &cells, months, &mut c.objective);
                }
                Mode::None => {
                    // After a code line: the internal id, the title, the structure.
                    if let ([only], true) = (cells.as_slice(), c.objective.code.is_some()) {
                        let text = strip_tags(&cell_text(grid.get(row, only.col)));
                        let id = bracketed_id(&text);
                        let has = |o: &Objective, h: &str| o.extra.iter().any(|(x, _)| x == h);
                        if let Some(id) = id {
                            if !has(&c.objective, "Id") {
                                c.objective
                                    .extra
                                    .push(("Id".into(), maker.text(id, row, only.col)));
                            }
                        } else if c.objective.title.is_none() {
                            c.objective.title = Some(maker.text(&text, row, only.col));
                        } else if !has(&c.objective, "Struttura")
                            && c.objective.activities.is_empty()
                        {
                            c.objective
                                .extra
                                .push(("Struttura".into(), maker.text(&text, row, only.col)));
                        }
                    }
                }
                Mode::Activities(_) | Mode::Repeat => {}
            }
            row += 1;
        }
        self.close(&mut card);
    }

    /// A sector section: an area with the declared objective count as a stated total.
    fn section(
        &mut self,
        maker: &FieldMaker,
        row: u32,
        col: u32,
        banner: &str,
        count: u32,
    ) -> usize {
        let label = maker.text(banner, row, col);
        let (name, kind) = match area_title(banner) {
            Some((n, kind, _)) => (n, kind.to_string()),
            None => (banner.to_string(), "Settore".to_string()),
        };
        let mut area = Area::new(name, kind);
        area.source = Some(label.source.clone());
        area.stated_totals.push(StatedTotal {
            values: vec![(
                DECLARED_COUNT.to_string(),
                Field {
                    raw: count.to_string().into(),
                    value: Value::Number {
                        number: f64::from(count),
                        unit: None,
                    },
                    source: label.source.clone(),
                },
            )],
            label,
        });
        self.areas.push(area);
        self.areas.len() - 1
    }

    /// A monitoring label and its text: the label as written (a label split over two rows
    /// is joined), the text to its right if any.
    fn status_label(
        &self,
        grid: &Grid,
        row: u32,
        cells: &[super::form::FormCell],
        first: &str,
    ) -> (String, Option<(u32, String)>) {
        let mut label = strip_tags(first);
        let mut rest: Vec<(u32, String)> = Vec::new();
        // "<p>Stato di attuazione al 30/06/2023</p> Il servizio…" in one cell.
        if let Some(pos) = first.find("</p>") {
            let after = strip_tags(&first[pos + 4..]);
            label = strip_tags(&first[..pos]);
            if !after.is_empty() {
                rest.push((cells[0].col, after));
            }
        }
        for fc in &cells[1..] {
            let t = strip_tags(&cell_text(grid.get(row, fc.col)));
            if !t.is_empty() {
                rest.push((fc.col, t));
            }
        }
        // A label split over two cells: "Stato di attuazione" | "al 31/12/2023" | text.
        if label_key(&label) == "stato di attuazione" {
            if let Some((_, t)) = rest.first() {
                if t.to_lowercase().starts_with("al ") && t.len() < 20 {
                    label = format!("{label} {t}");
                    rest.remove(0);
                }
            }
        }
        let label = label.trim_end_matches(':').trim().to_string();
        match rest.first() {
            Some((col, _)) => {
                let col = *col;
                let text = rest
                    .into_iter()
                    .map(|(_, t)| t)
                    .collect::<Vec<_>>()
                    .join(" ");
                (label, Some((col, text)))
            }
            None => (label, None),
        }
    }

    /// A label row: the slot, the label as written and the value (to the right, or after a
    /// colon in the same cell). `Tipo obiettivo: X - Grado di strategicità: Y` sets two.
    fn label_row(
        &self,
        grid: &Grid,
        row: u32,
        cells: &[super::form::FormCell],
        first: &str,
    ) -> Option<LabelRow> {
        let key = label_key(first);
        if let Some(slot) = label_slot(&key) {
            let value = cells.get(1).map(|fc| {
                let texts: Vec<String> = cells[1..]
                    .iter()
                    .map(|x| strip_tags(&cell_text(grid.get(row, x.col))))
                    .filter(|t| !t.is_empty())
                    .collect();
                (fc.col, texts.join(" "))
            });
            return Some((
                slot,
                strip_tags(first).trim_end_matches(':').trim().into(),
                value,
            ));
        }
        // "Label: value" in one cell.
        let (label, value) = first.split_once(':')?;
        let slot = label_slot(&label_key(label))?;
        let value = value.trim();
        (!value.is_empty()).then(|| {
            (
                slot,
                label.trim().to_string(),
                Some((cells[0].col, value.to_string())),
            )
        })
    }

    /// The columns of an indicator table header row, if the row is one.
    ///
    /// A column whose header is no known role, or a second column of a role already read
    /// (`Soglia minima` after `Target`), is kept as [`Role::Ignore`]: its values become the
    /// indicator's extra columns, as in a flat table (`i.colonna("Soglia minima")` in the
    /// rules); it does not make a row a header.
    fn indicator_header(&self, grid: &Grid, row: u32) -> Option<Vec<(u32, Role, String)>> {
        let mut columns: Vec<(u32, Role, String)> = Vec::new();
        let mut extras: Vec<(u32, Role, String)> = Vec::new();
        for fc in form_cells(grid, row) {
            let text = grid.get(row, fc.col).text()?;
            let role = match self.matcher.best(text) {
                Some(Role::Description) | Some(Role::Title) => Role::IndicatorName,
                Some(r) => r,
                None => {
                    let header = text.trim();
                    if !header.is_empty() && !extras.iter().any(|(_, _, h)| h == header) {
                        extras.push((fc.col, Role::Ignore, header.to_string()));
                    }
                    continue;
                }
            };
            if role.is_objective_level() {
                continue;
            }
            if columns.iter().any(|(_, r, _)| *r == role) {
                // A second column of the same role: the first is read, this one kept as an
                // extra column, as in a flat table.
                let header = text.trim();
                if !extras.iter().any(|(_, _, h)| h == header) {
                    extras.push((fc.col, Role::Ignore, header.to_string()));
                }
                continue;
            }
            columns.push((fc.col, role, text.trim().to_string()));
        }
        let has = |r: Role| columns.iter().any(|(_, x, _)| *x == r);
        let usable = (has(Role::Target) || has(Role::Actual))
            && (has(Role::IndicatorName) || has(Role::Year));
        if !(usable && columns.len() >= 3) {
            return None;
        }
        columns.extend(extras);
        Some(columns)
    }

    /// One row of an indicator table.
    #[allow(clippy::too_many_arguments)]
    fn indicator_row(
        &self,
        maker: &FieldMaker,
        row: u32,
        cells: &[super::form::FormCell],
        columns: &[(u32, Role, String)],
        year: &mut Option<i32>,
        group: &mut Option<Field>,
        card: &mut Card,
        findings: &mut Vec<Finding>,
    ) {
        let grid = maker.grid;
        // The table's extent is that of its known columns (the extra ones may lie outside).
        let known = || columns.iter().filter(|(_, r, _)| *r != Role::Ignore);
        let first_col = known().map(|(c, _, _)| *c).min().unwrap_or(0);
        let last_col = known().map(|(c, _, _)| *c).max().unwrap_or(0);
        // A group sub-header: one cell across the table.
        if let [only] = cells {
            if only.col <= first_col && only.last_col >= last_col && only.col != only.last_col {
                let text = cell_text(grid.get(row, only.col));
                *group = Some(maker.text(&text, row, only.col));
                return;
            }
        }
        let name_col = columns
            .iter()
            .find(|(_, r, _)| *r == Role::IndicatorName)
            .map(|(c, _, _)| *c);
        let year_col = columns
            .iter()
            .find(|(_, r, _)| *r == Role::Year)
            .map(|(c, _, _)| *c);
        // A row split by a page break: only the tail of the indicator's text.
        if let ([only], Some(nc)) = (cells, name_col) {
            if only.col == nc && only.origin_row == row {
                if let Some(prev) = card.rows.last_mut() {
                    let tail = cell_text(grid.get(row, nc));
                    if let Some(name) = prev.indicator.name() {
                        let mut joined = name.clone();
                        joined.raw = format!("{} {}", name.raw, tail).into();
                        prev.indicator.set(IndicatorValue::Name, joined);
                        findings.push(Finding {
                            severity: Severity::Info,
                            message: format!(
                                "riga spezzata dal cambio pagina: «{tail}» unito all'indicatore della riga precedente"
                            ),
                            source: Some(Source::new(maker.sheet.clone(), row, nc)),
                            rule: "riga-spezzata".into(),
                        });
                        return;
                    }
                }
            }
        }
        let mut indicator = Indicator::new(Source::new(maker.sheet.clone(), row, first_col));
        let mut weight = None;
        let mut filled = 0;
        // A row shifted one column to the left by a page conversion: the weight column is
        // empty and the weight sits, glued to the next column's text, in the column before
        // it (`30% relazione a consuntivo`). Every value after the indicator is read one
        // column to the left.
        let weight_col = columns
            .iter()
            .find(|(_, r, _)| *r == Role::IndicatorWeight)
            .map(|(c, _, _)| *c);
        let shifted = weight_col.and_then(|w| {
            if w == 0 || !grid.get(row, w).is_empty() || !grid.get(row, last_col).is_empty() {
                return None;
            }
            let text = cell_text(grid.get(row, w - 1));
            let percent = leading_percent(&text)?;
            let (r0, c0) = grid.origin(row, w - 1);
            Some(Field {
                raw: text.as_str().into(),
                value: Value::Percent { percent },
                source: Source::new(maker.sheet.clone(), r0, c0),
            })
        });
        if let Some(w) = &shifted {
            findings.push(Finding {
                severity: Severity::Warning,
                message: format!(
                    "riga spostata di una colonna: «{}» è nella colonna prima del peso; i valori sono stati letti una colonna più a sinistra, il peso come {}%",
                    w.raw,
                    crate::value::format_number_it(w.number().unwrap_or_default())
                ),
                source: Some(w.source.clone()),
                rule: "riga-spostata".into(),
            });
        }
        for (col, role, header) in columns {
            let col = &match (&shifted, name_col) {
                (Some(_), Some(nc)) if *col > nc + 1 => *col - 1,
                (Some(_), Some(nc)) if *col == nc + 1 => continue,
                _ => *col,
            };
            if let (Some(w), Role::IndicatorWeight) = (&shifted, role) {
                weight = Some(w.clone());
                continue;
            }
            let (r0, c0) = grid.origin(row, *col);
            // A cell merged across columns belongs to its first column only.
            if c0 != *col {
                continue;
            }
            let merged_copy = r0 != row;
            let expect = if *role == Role::Ignore {
                Expect::for_extra(grid.get(row, *col).input())
            } else {
                expect_for(*role)
            };
            let Some(field) = maker.field(row, *col, expect, header, findings) else {
                continue;
            };
            if *role == Role::Year {
                if let Some(y) = field.number() {
                    *year = Some(y as i32);
                }
                indicator.set(IndicatorValue::Year, field);
                continue;
            }
            if *role == Role::IndicatorWeight {
                if !merged_copy {
                    weight = Some(field.clone());
                }
                continue;
            }
            // A dash is no value, even where a text is expected (the indicator's name).
            if !matches!(field.value, Value::Placeholder { .. })
                && !crate::value::is_placeholder(field.raw.trim())
            {
                filled += 1;
            }
            match role.indicator_value() {
                Some(which) => indicator.set(which, field),
                None => indicator.extra.push((header.clone(), field)),
            }
        }
        if indicator.year().is_none() {
            if let (Some(y), Some(yc)) = (*year, year_col) {
                indicator.set(
                    IndicatorValue::Year,
                    Field {
                        raw: y.to_string().into(),
                        value: Value::Number {
                            number: f64::from(y),
                            unit: None,
                        },
                        source: card
                            .rows
                            .iter()
                            .rev()
                            .find_map(|r| r.indicator.year().map(|f| f.source.clone()))
                            .unwrap_or_else(|| Source::new(maker.sheet.clone(), row, yc)),
                    },
                );
            }
        }
        // Rows with nothing but the year and dashes (the weight's included: `2025 | - | - | -`)
        // are plan placeholders.
        let no_weight = weight
            .as_ref()
            .is_none_or(|w| matches!(w.value, Value::Placeholder { .. }));
        if filled == 0 && no_weight {
            return;
        }
        if let Some(g) = group.as_ref() {
            indicator.extra.push(("Gruppo".into(), g.clone()));
        }
        card.rows.push(IndicatorRow {
            indicator,
            year: *year,
            weight,
        });
    }

    /// A row of a summary table before the first card: `n | servizio | titolo | peso`
    /// (number, weight and service optional), or `peso | titolo | descrizione` under a
    /// `peso` header. Cards match it by number, or by position when the table has none.
    fn summary_row(
        &mut self,
        maker: &FieldMaker,
        row: u32,
        cells: &[super::form::FormCell],
        weight_first: &mut bool,
        findings: &mut Vec<Finding>,
    ) {
        let grid = maker.grid;
        let text = |fc: &super::form::FormCell| cell_text(grid.get(row, fc.col));
        // A `peso` header: the weight comes first in the rows below.
        if label_key(&text(&cells[0])) == "peso" {
            *weight_first = true;
            return;
        }
        if cells.len() < 2 {
            return;
        }
        let position = self
            .summaries
            .iter()
            .filter(|(s, _, _)| s == maker.sheet)
            .count() as u32
            + 1;
        let mut o = Objective::new(Source::new(maker.sheet.clone(), row, cells[0].col));
        let mut rest: &[super::form::FormCell] = cells;
        let mut number = None;
        if *weight_first {
            o.weight = maker.field(row, rest[0].col, Expect::Percent, "peso", findings);
            rest = &rest[1..];
            if let Some(fc) = rest.first() {
                o.title = Some(maker.text(&text(fc), row, fc.col));
            }
            if let Some(fc) = rest.get(1) {
                o.description = Some(maker.text(&text(fc), row, fc.col));
            }
        } else {
            let n = match grid.get(row, cells[0].col) {
                Cell::Number {
                    value,
                    percent: false,
                    ..
                } if value.fract() == 0.0 && (1.0..100.0).contains(value) => Some(*value as u32),
                Cell::Text(t) => t.trim().trim_end_matches('.').parse::<u32>().ok(),
                _ => None,
            };
            if n.is_some() {
                number = n;
                rest = &rest[1..];
            }
            if rest.len() >= 3 {
                let last = &rest[rest.len() - 1];
                let f = maker.parsed(&text(last), row, last.col, Expect::Text, "peso", findings);
                match maker.field(row, last.col, Expect::Percent, "peso", &mut Vec::new()) {
                    Some(w) if w.number().is_some() => o.weight = Some(w),
                    _ => o.extra.push(("Peso".into(), f)),
                }
                rest = &rest[..rest.len() - 1];
            }
            if rest.len() >= 2 {
                o.extra.push((
                    "Servizio/ufficio".into(),
                    maker.text(&text(&rest[0]), row, rest[0].col),
                ));
                rest = &rest[1..];
            }
            if let Some(fc) = rest.first() {
                let title = text(fc);
                // "… (MAX 20 PUNTI)": the weight written in the title.
                let open = ["(MAX", "(Max", "(max"]
                    .iter()
                    .filter_map(|m| title.rfind(m))
                    .max();
                if let Some(open) = open {
                    let inner = title[open + 1..].trim_end().trim_end_matches(')').trim();
                    o.extra
                        .push(("Peso".into(), maker.text(inner, row, fc.col)));
                }
                o.title = Some(maker.text(&title, row, fc.col));
            }
        }
        if o.title.is_none() {
            return;
        }
        self.summaries
            .push((maker.sheet.clone(), o, Some(number.unwrap_or(position))));
    }

    /// Finishes the card being read.
    fn close(&mut self, card: &mut Option<Card>) {
        if let Some(c) = card.take() {
            self.cards.push(c);
        }
    }

    /// Resolves weights and years, matches cards to the objectives of summary tables and
    /// places every card in its area.
    pub(crate) fn finish(&mut self, ente: &mut Ente, year: Option<i32>) {
        let years: Vec<i32> = self
            .cards
            .iter()
            .flat_map(|c| c.rows.iter().filter_map(|r| r.year))
            .collect();
        let reporting = year.or_else(|| years.iter().copied().min());
        if !years.is_empty() || year.is_some() {
            ente.reporting_year = reporting;
        }
        let cards = std::mem::take(&mut self.cards);
        for card in &cards {
            for (label, text) in &card.objective.status {
                dates_in_text(label, &text.raw, &text.source, &mut ente.findings);
            }
        }
        let mut summaries = std::mem::take(&mut self.summaries);
        let mut loose: Vec<Area> = Vec::new();
        for mut card in cards {
            resolve_weights(&mut card, reporting);
            // A typed card matches the summary row with its number, on its sheet.
            if let Some(n) = card.number {
                if let Some(pos) = summaries
                    .iter()
                    .position(|(s, _, num)| *num == Some(n) && **s == *card.objective.source.sheet)
                {
                    let (_, summary, _) = summaries.remove(pos);
                    merge_summary(&mut card.objective, summary);
                }
            }
            if let Some(s) = card.section {
                self.areas[s].objectives.push(card.objective);
                continue;
            }
            // Cards without sections: merged into a table objective with the same code, or
            // placed in the area they name (their sheet otherwise).
            if let Some(target) = find_by_code(&mut ente.areas, &card.objective) {
                merge_card(target, card.objective, &mut ente.findings);
                continue;
            }
            let name = card
                .area_name
                .clone()
                .unwrap_or_else(|| card.objective.source.sheet.to_string());
            let kind = if card.area_name.is_some() {
                "Centro di responsabilità"
            } else {
                "Foglio"
            };
            let mut area = Area::new(name, kind);
            area.objectives.push(card.objective);
            merge_area(&mut loose, area);
        }
        // Summary rows without a card stay as objectives of their sheet's area.
        for (sheet, o, _) in summaries {
            let mut area = Area::new(sheet.to_string(), "Foglio");
            area.objectives.push(o);
            merge_area(&mut loose, area);
        }
        for area in std::mem::take(&mut self.areas).into_iter().chain(loose) {
            merge_area(&mut ente.areas, area);
        }
    }
}

/// Sets what a label says on the card.
#[allow(clippy::too_many_arguments)]
fn set_slot(
    maker: &FieldMaker,
    card: &mut Card,
    slot: Slot,
    label: &str,
    text: &str,
    row: u32,
    col: u32,
    findings: &mut Vec<Finding>,
) {
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    let o = &mut card.objective;
    let label = strip_tags(label).trim_end_matches(':').trim().to_string();
    // "Tipo obiettivo: Integrazione - Grado di strategicità: Media".
    if label_key(&label) == "tipo obiettivo" {
        if let Some((tipo, rest)) = text.split_once(" - ") {
            if let Some((l2, v2)) = rest.split_once(':') {
                if label_key(l2) == "grado di strategicita" {
                    o.extra.push((label, maker.text(tipo.trim(), row, col)));
                    o.extra
                        .push((l2.trim().to_string(), maker.text(v2.trim(), row, col)));
                    return;
                }
            }
        }
    }
    match slot {
        Slot::Title => {
            if o.title.is_none() {
                o.title = Some(maker.text(text, row, col));
            }
        }
        Slot::ShortDescription => {
            if o.title.is_none() {
                o.title = Some(maker.text(text, row, col));
            } else if o.description.is_none() {
                o.description = Some(maker.text(text, row, col));
            }
        }
        Slot::Description => {
            if o.description.is_none() {
                o.description = Some(maker.text(text, row, col));
            }
        }
        Slot::Weight => {
            let f = maker.label_value(text, row, col, Expect::Percent, &label, findings);
            if !matches!(f.value, Value::Placeholder { .. } | Value::Empty) {
                o.weight = Some(f);
            }
        }
        Slot::Responsible => {
            if o.responsible.is_none() {
                o.responsible = Some(maker.text(text, row, col));
            }
        }
        Slot::Strategy => o.strategy.push((label, maker.text(text, row, col))),
        Slot::Extra(expect) => {
            let f = maker.label_value(text, row, col, expect, &label, findings);
            o.extra.push((label, f));
        }
        Slot::AreaName => {
            if card.area_name.is_none() {
                card.area_name = Some(text.to_string());
            }
            o.extra.push((label, maker.text(text, row, col)));
        }
        Slot::Heading => {}
    }
}

/// A percentage at the start of a text followed by words: `30% relazione a consuntivo` → 30.
fn leading_percent(text: &str) -> Option<f64> {
    let t = text.trim();
    let pos = t.find('%')?;
    let rest = t[pos + 1..].trim_start();
    if rest.is_empty() || !rest.starts_with(|c: char| c.is_alphabetic()) {
        return None;
    }
    t[..pos].trim().replace(',', ".").parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_percentages() {
        assert_eq!(leading_percent("30% relazione a consuntivo"), Some(30.0));
        assert_eq!(leading_percent("12,5 % quota"), Some(12.5));
        assert_eq!(leading_percent("30%"), None);
        assert_eq!(leading_percent("circa 30% del totale"), None);
        assert_eq!(leading_percent("ß%ẞ"), None);
    }
}
