//! The sheets of the report: Sintesi, Obiettivi, Indicatori, Attività, Anomalie, Regole.

use std::cell::Cell;
use std::rc::Rc;

use chrono::NaiveDate;
use rust_xlsxwriter::{
    Chart, ChartType, Note, Table, TableColumn, TableStyle, Workbook, Worksheet, XlsxError,
};
use sha2::{Digest, Sha256};

use super::layout::ObjectivePlace;
use super::layout::{
    cell_ref, local_ref, stated, Column, Columns, Key, Layout, Span, FIRST_ROW, HEADER_ROW,
};
use super::style::{self, Formats};
use super::template::{ReportTemplate, TitleValues};
use super::writer::{Out, Recorder, SheetRecord};
use super::{Computed, Expected, FormulaCheck, Provenance};
use crate::model::{Area, Field, Finding, IndicatorValue, Objective, Severity, Source};
use crate::rules::{
    extra_field, AreaOutcome, Evaluation, InputValue, ObjectiveOutcome, RuleSet, Score, Twin,
    INDICATOR_FIELDS,
};

/// Excel's limit on the characters of a cell.
const MAX_TEXT: usize = 32_767;

const MONTHS: [&str; 12] = [
    "gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic",
];

/// How a computed figure looks.
#[derive(Clone, Copy)]
enum Look {
    Score,
    Total,
    Weight,
}

/// The sheets that hold formulas, for [`Refs`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tab {
    Sintesi = 0,
    Obiettivi = 1,
    Indicatori = 2,
    Attivita = 3,
}

/// The rows of each sheet with formulas that a group of formulas may read (see [`Refs`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct Scope {
    /// Every row of every sheet.
    all: bool,
    /// By [`Tab`] (in its order), ranges of rows `first..end`.
    rows: [Vec<(u32, u32)>; 4],
}

impl Scope {
    fn add(&mut self, tab: Tab, span: Span) {
        if span.len > 0 {
            self.rows[tab as usize].push((span.first, span.first + span.len));
        }
    }

    fn covers(&self, tab: Tab, span: Span) -> bool {
        self.all
            || span.len == 0
            || self.rows[tab as usize]
                .iter()
                .any(|&(first, end)| first <= span.first && span.first + span.len <= end)
    }
}

/// Indicators (and objectives) per group of areas written and verified together: the
/// formula engine then holds one group at a time, and verifies one while the next is written.
/// Small groups overlap more and cost formualizer less per formula (its range reads scan the
/// values computed in their 32,768-row chunk): on 20,000 indicators (`perf stat -r 5`, two
/// runs each) 1.52 s with 2,000 against 1.66 s with 20,000, and 10% less CPU.
pub(crate) const GROUP_INDICATORS: usize = 2_000;

/// Consecutive top areas written and verified together.
pub(crate) struct Group {
    areas: std::ops::Range<usize>,
    objectives: std::ops::Range<usize>,
    /// The rows they fill.
    scope: Scope,
}

impl Group {
    fn new(
        layout: &Layout,
        placed: &[Placed<'_>],
        areas: std::ops::Range<usize>,
        objectives: std::ops::Range<usize>,
    ) -> Group {
        let mut scope = Scope::default();
        let spans = |f: &dyn Fn(&ObjectivePlace) -> Span| {
            let mut first = u32::MAX;
            let mut end = 0;
            for p in &placed[objectives.clone()] {
                let s = f(&p.4);
                if s.len > 0 {
                    first = first.min(s.first);
                    end = end.max(s.first + s.len);
                }
            }
            Span {
                first: first.min(end),
                len: end.saturating_sub(first.min(end)),
            }
        };
        scope.add(Tab::Indicatori, spans(&|p| p.indicators));
        scope.add(Tab::Attivita, spans(&|p| p.activities));
        scope.add(
            Tab::Obiettivi,
            spans(&|p| Span {
                first: p.row,
                len: 1,
            }),
        );
        for t in areas.clone() {
            let area = &layout.areas[t];
            scope.add(
                Tab::Sintesi,
                Span {
                    first: area.row,
                    len: 1,
                },
            );
            for child in &area.children {
                scope.add(
                    Tab::Sintesi,
                    Span {
                        first: child.row,
                        len: 1,
                    },
                );
            }
        }
        Group {
            areas,
            objectives,
            scope,
        }
    }
}

/// Recorded cells to recalculate: some sheets' rows and the checks written with them.
pub struct Job {
    pub(crate) recorder: Recorder,
    /// The checks (indices into [`Book::checks`]) whose cells are read back, in order.
    pub checks: std::ops::Range<usize>,
    /// The sheets with formulas, by [`Tab`].
    pub(crate) tabs: Vec<String>,
    /// The checks' cells: tab, row, column.
    pub(crate) cells: Vec<(u8, u32, u16)>,
}

/// The cells the formulas refer to. Every reference a rule's twin gets goes through
/// [`Refs::col`] or [`Refs::range`], which note a column whose text the verification does
/// not record (see [`Layout::formula_reads`]) or rows outside the group of rows being
/// written and verified together ([`Scope`]); the verification then falls back to the
/// written file.
pub(crate) struct Refs {
    layout: Rc<Layout>,
    outside: Cell<bool>,
    scope: std::cell::RefCell<Scope>,
}

impl Refs {
    /// The column of `key` in `cols` (a sheet `tab`), if the sheet has one.
    fn col(&self, tab: Tab, cols: &Columns, key: &Key) -> Option<u16> {
        let col = cols.index(key);
        if col.is_some() && !self.layout.formula_reads(tab, key) {
            self.outside.set(true);
        }
        col
    }

    /// `'Sheet'!$C$5:$C$9`: the rows `span` of the column of `key` in `tab`.
    fn range(&self, tab: Tab, cols: &Columns, key: &Key, span: Span) -> Option<String> {
        let col = self.col(tab, cols, key)?;
        if !self.scope.borrow().covers(tab, span) {
            self.outside.set(true);
        }
        span.range(self.layout.tab_name(tab), col)
    }
}

/// Writes the workbook; collects the formulas to verify and what had to be changed on the way.
pub struct Book<'a> {
    ev: &'a Evaluation,
    rules: &'a RuleSet,
    provenance: &'a Provenance,
    template: &'a ReportTemplate,
    /// What the template's `{ente}`, `{anno}`… stand for.
    titles: TitleValues<'a>,
    /// Shared so that the sheet writers can read it while writing through `&mut self`.
    layout: Rc<Layout>,
    f: Formats,
    pub checks: Vec<FormulaCheck>,
    /// Findings about the report itself (text cut to Excel's limit), shown in Anomalie.
    pub notes: Vec<Finding>,
    label_formula: style::LabelFormula,
    /// The judgement's twin and where its rule is, for objectives and areas alike.
    judgement_twin: Option<Twin>,
    judgement_rule: String,
    /// Sintesi recorded for the ente's total, and the index of its first check (see
    /// [`Book::glue`]).
    glue: Option<(SheetRecord, usize)>,
    /// Indicators per group of areas verified together ([`GROUP_INDICATORS`]).
    pub group_indicators: usize,
    /// How rust_xlsxwriter writes the workbook ([`super::REPORT_WRITER`]).
    pub writer: super::WriterSettings,
    refs: Rc<Refs>,
    /// Twin templates already looked at, and whether each refers to cells by itself.
    templates: std::collections::HashMap<std::sync::Arc<str>, bool>,
    /// The last one (most formulas of a column share their twin).
    last_template: Option<(std::sync::Arc<str>, bool)>,
    /// A twin refers to cells by itself (not through its placeholders): the recorded cells
    /// may not hold all it reads.
    literal_refs: bool,
}

impl<'a> Book<'a> {
    pub fn new(
        ev: &'a Evaluation,
        rules: &'a RuleSet,
        provenance: &'a Provenance,
        template: &'a ReportTemplate,
    ) -> Book<'a> {
        let layout = Rc::new(Layout::new(ev, template));
        Book {
            ev,
            rules,
            provenance,
            template,
            titles: TitleValues::new(ev, provenance),
            refs: Rc::new(Refs {
                layout: Rc::clone(&layout),
                outside: Cell::new(false),
                scope: std::cell::RefCell::new(Scope::default()),
            }),
            layout,
            f: Formats::new(),
            checks: Vec::with_capacity(ev.ente.indicator_count() * 2 + 64),
            notes: Vec::new(),
            label_formula: style::LabelFormula::new(&ev.bands),
            judgement_twin: rules.constant_twin("giudizio").cloned(),
            judgement_rule: rules
                .locate("giudizio", 2)
                .map_or_else(|| "giudizio".to_string(), |r| r.to_string()),
            glue: None,
            group_indicators: GROUP_INDICATORS,
            writer: super::REPORT_WRITER,
            templates: std::collections::HashMap::new(),
            last_template: None,
            literal_refs: false,
        }
    }

    /// The scope and the tab names, for the verification's jobs.
    fn tab_names(&self) -> Vec<String> {
        [Tab::Sintesi, Tab::Obiettivi, Tab::Indicatori, Tab::Attivita]
            .iter()
            .map(|&t| self.layout.tab_name(t).to_string())
            .collect()
    }

    /// Whether the formulas written so far read only recorded cells of their own group of
    /// rows (otherwise the verification must load the written file).
    pub fn verifiable(&self) -> bool {
        !self.literal_refs && !self.refs.outside.get()
    }

    /// A new recording of `tab`.
    fn sheet_record(&self, tab: Tab, in_order: bool) -> SheetRecord {
        SheetRecord::new(
            self.layout.tab_name(tab),
            self.layout.recorded_text(tab),
            in_order,
        )
    }

    /// The job of the checks from `start` on, recorded in `sheets`.
    fn job(&self, sheets: Vec<Option<SheetRecord>>, start: usize) -> Job {
        let names = self.tab_names();
        let mut recorder = Recorder::default();
        for s in sheets {
            recorder.add(s);
        }
        let cells = self.checks[start..]
            .iter()
            .map(|c| {
                let tab = names.iter().position(|n| *n == c.sheet).unwrap_or(0) as u8;
                (tab, c.row, c.col)
            })
            .collect();
        Job {
            recorder,
            checks: start..self.checks.len(),
            tabs: names,
            cells,
        }
    }

    /// Builds the whole workbook; `extra` findings go to Anomalie after the others.
    ///
    /// With a `sink`, the cells the formulas read are recorded as they are written and handed
    /// to it in [`Job`]s: the rows of a group of top areas (in every sheet) as soon as they
    /// are written, so that they can be verified while the next are; when there are several
    /// groups, the ente's total is left for [`Book::glue`], which reads the areas' figures
    /// as the engine computed them in their groups.
    pub fn build(
        &mut self,
        extra: &[Finding],
        mut sink: Option<&mut dyn FnMut(Job)>,
    ) -> Result<Workbook, XlsxError> {
        let writer = self.writer;
        let mut wb = writer.workbook();
        let layout = Rc::clone(&self.layout);
        let names = &layout.names;
        let sheets = &self.template.sheets;
        let has_activities = layout.activity_count > 0 && sheets.attivita.include;
        // Written side by side, one group of areas at a time: the detail sheets write one
        // row after the other (constant memory when large, see `REPORT_WRITER`); Sintesi and Regole
        // are small and written in any order.
        let mut sintesi = Worksheet::new();
        sintesi.set_name(&names.sintesi)?;
        let rows = |n: u32| n as usize + FIRST_ROW as usize;
        let mut obiettivi = writer.new_row_worksheet(&mut wb, rows(layout.objective_count))?;
        obiettivi.set_name(&names.obiettivi)?;
        let mut indicatori = writer.new_row_worksheet(&mut wb, rows(layout.indicator_count))?;
        indicatori.set_name(&names.indicatori)?;
        let mut attivita = if has_activities {
            let mut ws = writer.new_row_worksheet(&mut wb, rows(layout.activity_count))?;
            ws.set_name(&names.attivita)?;
            Some(ws)
        } else {
            None
        };
        {
            let mut s_out = Out::new(&mut sintesi, false);
            let mut o_out = Out::new(&mut obiettivi, true);
            let mut i_out = Out::new(&mut indicatori, true);
            let mut a_out = attivita.as_mut().map(|ws| Out::new(ws, true));

            let placed = placed_objectives(self.ev, &layout);
            let groups = self.groups(&placed);
            let single = groups.len() == 1;
            let record = sink.is_some();
            if record {
                if single {
                    s_out.set_record(Some(self.sheet_record(Tab::Sintesi, false)));
                } else {
                    s_out.set_glue(Some(self.sheet_record(Tab::Sintesi, false)), false);
                }
            }
            self.indicators_frame(&mut i_out)?;
            if let Some(a) = a_out.as_mut() {
                self.activities_frame(a)?;
            }
            self.objectives_frame(&mut o_out)?;
            self.sintesi_head(&mut s_out)?;

            for group in &groups {
                let start = self.checks.len();
                if record {
                    *self.refs.scope.borrow_mut() = group.scope.clone();
                    i_out.set_record(Some(self.sheet_record(Tab::Indicatori, true)));
                    o_out.set_record(Some(self.sheet_record(Tab::Obiettivi, true)));
                    if let Some(a) = a_out.as_mut() {
                        a.set_record(Some(self.sheet_record(Tab::Attivita, true)));
                    }
                    if !single {
                        s_out.set_record(Some(self.sheet_record(Tab::Sintesi, false)));
                        s_out.glue_computes(true);
                    }
                }
                let objs = &placed[group.objectives.clone()];
                self.indicators(&mut i_out, objs)?;
                if let Some(a) = a_out.as_mut() {
                    self.activities(a, objs)?;
                }
                self.objectives(&mut o_out, objs)?;
                self.sintesi_areas(&mut s_out, group.areas.clone())?;
                if single {
                    // Everything in one job, the total with it.
                    self.sintesi_total(&mut s_out)?;
                }
                let recorded = vec![
                    i_out.take_record(),
                    a_out.as_mut().and_then(|a| a.take_record()),
                    o_out.take_record(),
                    s_out.take_record(),
                ];
                if let Some(sink) = sink.as_mut() {
                    if self.verifiable() {
                        sink(self.job(recorded, start));
                    }
                }
            }
            if !single {
                if record {
                    let mut scope = Scope::default();
                    scope.add(Tab::Sintesi, layout.area_rows);
                    scope.add(
                        Tab::Sintesi,
                        Span {
                            first: layout.ente_row,
                            len: 1,
                        },
                    );
                    *self.refs.scope.borrow_mut() = scope;
                    s_out.glue_computes(false);
                }
                let start = self.checks.len();
                self.sintesi_total(&mut s_out)?;
                self.glue = s_out.take_glue().map(|g| (g, start));
            }
        }
        wb.push_worksheet(sintesi);
        wb.push_worksheet(obiettivi);
        wb.push_worksheet(indicatori);
        if let Some(ws) = attivita {
            wb.push_worksheet(ws);
        }
        if sheets.anomalie.include {
            let findings = self.ev.findings.len() + extra.len() + self.notes.len();
            let mut ws = writer.new_row_worksheet(&mut wb, findings + 8)?;
            ws.set_name(&names.anomalie)?;
            // Last, so that it also lists what the other sheets had to change.
            self.anomalie(&mut Out::new(&mut ws, true), extra)?;
            wb.push_worksheet(ws);
        }
        if sheets.regole.include {
            let mut ws = Worksheet::new();
            ws.set_name(&names.regole)?;
            self.regole(&mut Out::new(&mut ws, false))?;
            // Regole goes after Anomalie, as the tabs always were.
            wb.push_worksheet(ws);
        }
        self.names(&mut wb)?;
        wb.set_properties(
            &rust_xlsxwriter::DocProperties::new()
                .set_title(format!(
                    "Relazione sulla performance — {}",
                    self.ev.ente.ente
                ))
                .set_author("barometro")
                .set_comment(format!(
                    "Generata da barometro {} con le regole «{}»",
                    env!("CARGO_PKG_VERSION"),
                    self.ev.rules
                )),
        );
        Ok(wb)
    }

    /// The job of the ente's total (when the rows were verified in several groups): Sintesi
    /// with the areas' figures as `computed` (the engine's values of every check, in order)
    /// and the total's formulas; `None` when there is none or the formulas cannot be
    /// verified from the recorded cells.
    pub fn glue(&mut self, computed: &[Computed]) -> Option<Job> {
        let (mut sheet, start) = self.glue.take()?;
        if !self.verifiable() {
            return None;
        }
        sheet.fill(computed);
        Some(self.job(vec![Some(sheet)], start))
    }

    /// The groups of consecutive top areas written and verified together: at least
    /// [`GROUP_INDICATORS`] indicators each (an area is never split: its formulas read all its
    /// objectives), one group for a report of fewer.
    fn groups(&self, placed: &[Placed<'a>]) -> Vec<Group> {
        let layout = &self.layout;
        let areas = &self.ev.ente.areas;
        let mut groups = Vec::new();
        let (mut first_area, mut first_obj, mut indicators) = (0, 0, 0usize);
        let mut next = 0;
        for (t, area) in areas.iter().enumerate() {
            while next < placed.len() && std::ptr::eq(placed[next].0, area) {
                indicators += placed[next].2.indicators.len() + 1;
                next += 1;
            }
            if indicators >= self.group_indicators && t + 1 < areas.len() {
                groups.push(Group::new(
                    layout,
                    placed,
                    first_area..t + 1,
                    first_obj..next,
                ));
                (first_area, first_obj, indicators) = (t + 1, next, 0);
            }
        }
        groups.push(Group::new(
            layout,
            placed,
            first_area..areas.len(),
            first_obj..placed.len(),
        ));
        if groups.len() == 1 {
            groups[0].scope.all = true;
        }
        groups
    }

    /// Whether `twin`'s template refers to cells or names by itself, outside its
    /// placeholders (`=A1+{consuntivo}`); looked at once per template.
    fn note_twin(&mut self, twin: &Twin) {
        if let Some((last, refers)) = &self.last_template {
            if std::sync::Arc::ptr_eq(last, &twin.template) || **last == *twin.template {
                self.literal_refs |= *refers;
                return;
            }
        }
        let refers = *self
            .templates
            .entry(std::sync::Arc::clone(&twin.template))
            .or_insert_with(|| template_refers(&twin.template));
        self.last_template = Some((std::sync::Arc::clone(&twin.template), refers));
        self.literal_refs |= refers;
    }

    // ------------------------------------------------------------------------------------
    // Cell helpers
    // ------------------------------------------------------------------------------------

    /// Text, always as text (never a formula, whatever it starts with), cut to Excel's limit.
    fn text(
        &mut self,
        ws: &mut Out<'_>,
        row: u32,
        col: u16,
        text: &str,
        wrap: bool,
    ) -> Result<(), XlsxError> {
        if text.is_empty() {
            return Ok(());
        }
        let format = if wrap { &self.f.wrap } else { &self.f.text };
        let (text, cut) = within_limit(text);
        ws.string_f(row, col, &text, format)?;
        if cut {
            self.notes.push(cut_note(&ws.name(), row, col));
        }
        Ok(())
    }

    /// Text in a column whose format was set with [`Book::text_columns`]: the cell takes the
    /// column's format (no per-cell format lookup, which costs at 100,000 rows).
    fn column_text(
        &mut self,
        ws: &mut Out<'_>,
        row: u32,
        col: u16,
        text: &str,
        wrap: bool,
    ) -> Result<(), XlsxError> {
        if text.is_empty() || text.len() > MAX_TEXT {
            return self.text(ws, row, col, text, wrap);
        }
        ws.string(row, col, text, None)?;
        Ok(())
    }

    /// Gives each column of a detail sheet the format most of its cells have (texts, the
    /// inputs' number formats, achievements, labels): those cells then take it from the
    /// column, with no format lookup per cell (which costs at 100,000 rows).
    fn text_columns(&self, ws: &mut Out<'_>, columns: &Columns) -> Result<(), XlsxError> {
        let f = &self.f;
        for (c, column) in columns.0.iter().enumerate() {
            let format = match &column.key {
                key if is_text(key) => {
                    if column.wrap {
                        &f.wrap
                    } else {
                        &f.text
                    }
                }
                Key::Score | Key::Expected | Key::Stated => &f.score,
                Key::Weight
                | Key::StatedWeight
                | Key::ExpectedStored
                | Key::ExpectedComputed
                | Key::ActualToDate
                | Key::Input(IndicatorValue::Weight) => &f.weight,
                Key::Input(IndicatorValue::Deadline) => &f.date,
                Key::Barometer | Key::Judgement => &f.label,
                Key::Input(_)
                | Key::Extra(_)
                | Key::Priority
                | Key::PriorityTotal
                | Key::Count
                | Key::ActivityYear => &f.general,
                _ => continue,
            };
            ws.column_format(c as u16, format)?;
        }
        Ok(())
    }

    /// An input cell: the value the rules saw (number, date), the text otherwise.
    fn input(
        &mut self,
        ws: &mut Out<'_>,
        row: u32,
        col: u16,
        field: Option<&Field>,
        number_format: bool,
    ) -> Result<(), XlsxError> {
        let Some(field) = field else {
            return Ok(());
        };
        match InputValue::of(Some(field)) {
            InputValue::Number(n) if n.is_finite() => {
                let format = if number_format {
                    &self.f.weight
                } else {
                    &self.f.general
                };
                ws.number(row, col, n, format)?;
            }
            InputValue::Date(d) => {
                ws.number(row, col, excel_serial(d), &self.f.date)?;
            }
            // Placeholders (`n.d.`), invalid values and text stay as the office wrote them.
            _ => self.text(ws, row, col, field.text(), false)?,
        }
        Ok(())
    }

    /// A computed figure: the twin as a live formula with the rules' value cached, the value
    /// with a note when the rule has no twin, an empty cell when there is no value.
    #[allow(clippy::too_many_arguments)]
    fn figure(
        &mut self,
        ws: &mut Out<'_>,
        sheet: &str,
        row: u32,
        col: u16,
        score: &Score,
        look: Look,
        resolve: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(), XlsxError> {
        let value = score.value.filter(|v| v.is_finite());
        let formula = match (&score.twin, value) {
            (Some(twin), Some(_)) => {
                let formula = twin.render(resolve);
                if formula.is_some() {
                    self.note_twin(twin);
                }
                formula
            }
            _ => None,
        };
        let format = match look {
            Look::Score => &self.f.score,
            Look::Total => &self.f.total_score,
            Look::Weight => &self.f.weight,
        };
        let Some(value) = value else {
            ws.blank(row, col, format)?;
            return Ok(());
        };
        match formula {
            Some(formula) => {
                FormulaCheck {
                    sheet: sheet.to_string(),
                    row,
                    col,
                    formula,
                    expected: Expected::Number(value),
                    rule: rule_text(score),
                }
                .write_out(ws, format, &mut self.checks)?;
            }
            None => {
                ws.number(row, col, value, format)?;
                let why = match &score.twin {
                    Some(_) => "la sua formula gemella usa celle che la relazione non ha",
                    None => "la regola non ha una formula gemella",
                };
                let note = Note::new(format!(
                    "Valore calcolato dalla regola {} ({why}): non si aggiorna se cambiate i dati; rieseguite barometro.",
                    rule_text(score)
                ))
                .set_author("barometro");
                ws.ws().insert_note(row, col, &note)?;
            }
        }
        Ok(())
    }

    /// The judgement (`giudizio`) as its twin, or the text alone when the rules have none.
    fn judgement(
        &mut self,
        ws: &mut Out<'_>,
        sheet: &str,
        row: u32,
        col: u16,
        value: &str,
        resolve: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(), XlsxError> {
        let twin = self.judgement_twin.clone();
        let formula = twin.as_ref().and_then(|t| t.render(resolve));
        if let (Some(t), Some(_)) = (&twin, &formula) {
            self.note_twin(t);
        }
        match formula {
            Some(formula) => FormulaCheck {
                sheet: sheet.to_string(),
                row,
                col,
                formula,
                expected: Expected::Text(value.to_string()),
                rule: self.judgement_rule.clone(),
            }
            .write_out(ws, &self.f.label, &mut self.checks),
            None => self.text(ws, row, col, value, false),
        }
    }

    /// The barometer label of the score in `score_col` of the same row.
    fn label(
        &mut self,
        ws: &mut Out<'_>,
        sheet: &str,
        row: u32,
        col: u16,
        score_col: u16,
        score: Option<f64>,
    ) -> Result<(), XlsxError> {
        let formula = self.label_formula.render(&local_ref(row, score_col));
        let value = self.ev.bands.label_of(score).to_string();
        FormulaCheck {
            sheet: sheet.to_string(),
            row,
            col,
            formula,
            expected: Expected::Text(value),
            rule: "fasce (barometro.rhai)".into(),
        }
        .write_out(ws, &self.f.label, &mut self.checks)
    }

    /// Header row, widths, table, frozen panes, print set-up.
    fn frame(
        &self,
        ws: &mut Out<'_>,
        columns: &Columns,
        header_row: u32,
        rows: u32,
        title: &str,
        freeze_cols: u16,
    ) -> Result<(), XlsxError> {
        ws.string_f(0, 0, title, &self.f.title)?;
        ws.string_f(1, 0, self.subtitle(), &self.f.subtitle)?;
        self.table(ws, columns, header_row, rows)?;
        ws.ws().set_freeze_panes(header_row + 1, freeze_cols)?;
        self.print_setup(ws, header_row);
        Ok(())
    }

    /// The frame of a detail sheet with one score per row: the barometer on the score
    /// column and the band fills on the barometer labels.
    fn scored_frame(
        &self,
        ws: &mut Out<'_>,
        columns: &Columns,
        rows: u32,
        title: &str,
        score_col: u16,
    ) -> Result<(), XlsxError> {
        self.frame(ws, columns, HEADER_ROW, rows, title, 0)?;
        if rows > 0 {
            let last = FIRST_ROW + rows - 1;
            style::barometer(ws.ws(), &self.ev.bands, FIRST_ROW, last, score_col)?;
            if let Some(b) = columns.index(&Key::Barometer) {
                style::label_fills(ws.ws(), &self.ev.bands, FIRST_ROW, last, b)?;
            }
        }
        Ok(())
    }

    fn table(
        &self,
        ws: &mut Out<'_>,
        columns: &Columns,
        header_row: u32,
        rows: u32,
    ) -> Result<(), XlsxError> {
        for (c, column) in columns.0.iter().enumerate() {
            ws.ws().set_column_width(c as u16, column.width)?;
        }
        let headers = unique_headers(&columns.0);
        if rows == 0 {
            for (c, h) in headers.iter().enumerate() {
                ws.string_f(header_row, c as u16, h, &self.f.header)?;
            }
            return Ok(());
        }
        let table_columns: Vec<TableColumn> = headers
            .iter()
            .map(|h| {
                TableColumn::new()
                    .set_header(h)
                    .set_header_format(&self.f.header)
            })
            .collect();
        let table = Table::new()
            .set_columns(&table_columns)
            .set_style(TableStyle::Light9);
        ws.ws()
            .add_table(header_row, 0, header_row + rows, columns.len() - 1, &table)?;
        ws.ws().set_row_height(header_row, 30)?;
        Ok(())
    }

    fn print_setup(&self, ws: &mut Out<'_>, header_row: u32) {
        ws.ws().set_landscape();
        ws.ws().set_paper_size(9);
        ws.ws().set_print_fit_to_pages(1, 0);
        let _ = ws.ws().set_repeat_rows(header_row, header_row);
        if !self.template.header.is_empty() {
            ws.ws()
                .set_header(self.titles.fill_print(&self.template.header));
        }
        if !self.template.footer.is_empty() {
            ws.ws()
                .set_footer(self.titles.fill_print(&self.template.footer));
        }
    }

    fn subtitle(&self) -> String {
        let mut s = format!("Regole «{}»", self.ev.rules);
        if let Some(at) = self.ev.at {
            s += &format!(" · monitoraggio al {}", at.format("%d/%m/%Y"));
        }
        s += &format!(
            " · file {} · generata il {} da barometro {}",
            self.provenance.input_name,
            self.provenance.generated_at.format("%d/%m/%Y %H:%M"),
            env!("CARGO_PKG_VERSION")
        );
        s
    }

    // ------------------------------------------------------------------------------------
    // Indicatori
    // ------------------------------------------------------------------------------------

    /// The title, the header and the table of Indicatori: written first, the rows come in
    /// order.
    fn indicators_frame(&mut self, ws: &mut Out<'_>) -> Result<(), XlsxError> {
        let layout = Rc::clone(&self.layout);
        let cols = &layout.indicator_columns;
        self.text_columns(ws, cols)?;
        let score_col = cols.index(&Key::Score).unwrap_or(0);
        self.scored_frame(
            ws,
            cols,
            self.layout.indicator_count,
            &self
                .template
                .sheets
                .indicatori
                .title_or("Indicatori", &self.titles),
            score_col,
        )
    }

    /// The Indicatori rows of the objectives `objs`.
    fn indicators(&mut self, ws: &mut Out<'_>, objs: &[Placed<'a>]) -> Result<(), XlsxError> {
        let layout = Rc::clone(&self.layout);
        let refs = Rc::clone(&self.refs);
        let cols = &layout.indicator_columns;
        let score_col = cols.index(&Key::Score).unwrap_or(0);
        for &(area, sub, objective, outcome, place) in objs {
            for (i, (ind, out)) in objective
                .indicators
                .iter()
                .zip(&outcome.indicators)
                .enumerate()
            {
                let row = place.indicators.first + i as u32;
                for (c, column) in cols.0.iter().enumerate() {
                    let (c, wrap) = (c as u16, column.wrap);
                    if let Some(t) = identity(&column.key, area, sub, objective) {
                        self.column_text(ws, row, c, t, wrap)?;
                        continue;
                    }
                    match &column.key {
                        Key::Indicator => {
                            self.column_text(ws, row, c, ind.name().map_or("", |f| f.text()), wrap)?
                        }
                        Key::Formula => self.column_text(
                            ws,
                            row,
                            c,
                            ind.formula().map_or("", |f| f.text()),
                            wrap,
                        )?,
                        Key::Method => self.column_text(ws, row, c, &out.method, wrap)?,
                        Key::Input(which) => {
                            let weight = *which == IndicatorValue::Weight;
                            self.input(ws, row, c, ind.get(*which), weight)?
                        }
                        Key::Extra(header) => {
                            self.input(ws, row, c, extra_field(&ind.extra, header), false)?
                        }
                        Key::Score => {
                            let resolve = |name: &str| -> Option<String> {
                                let key = match INDICATOR_FIELDS.iter().find(|(n, _)| *n == name) {
                                    Some((_, IndicatorValue::Name)) => Key::Indicator,
                                    Some((_, IndicatorValue::Formula)) => Key::Formula,
                                    Some((_, v)) => Key::Input(*v),
                                    None => Key::Extra(name.to_string()),
                                };
                                refs.col(Tab::Indicatori, cols, &key)
                                    .map(|col| local_ref(row, col))
                            };
                            self.figure(
                                ws,
                                layout.names.indicatori.as_str(),
                                row,
                                c,
                                &out.score,
                                Look::Score,
                                &resolve,
                            )?
                        }
                        Key::Barometer => self.label(
                            ws,
                            layout.names.indicatori.as_str(),
                            row,
                            c,
                            score_col,
                            out.score.value,
                        )?,
                        Key::Rule => {
                            let t = explain(&out.score);
                            self.column_text(ws, row, c, &t, wrap)?
                        }
                        Key::Source => {
                            let mut parts: Vec<String> = Vec::new();
                            for name in &out.inputs {
                                if let Some((_, v)) =
                                    INDICATOR_FIELDS.iter().find(|(n, _)| n == name)
                                {
                                    if let Some(f) = ind.get(*v) {
                                        parts.push(format!("{}: {}", field_label(*v), f.source));
                                    }
                                }
                            }
                            if parts.is_empty() {
                                parts.push(format!("riga: {}", ind.source));
                            }
                            self.column_text(ws, row, c, &parts.join(" · "), wrap)?
                        }
                        _ => {}
                    }
                }
            }
        }
        Ok(())
    }

    // ------------------------------------------------------------------------------------
    // Attività
    // ------------------------------------------------------------------------------------

    /// The title, the header and the table of Attività.
    fn activities_frame(&mut self, ws: &mut Out<'_>) -> Result<(), XlsxError> {
        let layout = Rc::clone(&self.layout);
        let cols = &layout.activity_columns;
        self.text_columns(ws, cols)?;
        let title = self
            .template
            .sheets
            .attivita
            .title_or("Attività", &self.titles);
        self.frame(ws, cols, HEADER_ROW, self.layout.activity_count, &title, 0)
    }

    /// The Attività rows of the objectives `objs`.
    fn activities(&mut self, ws: &mut Out<'_>, objs: &[Placed<'a>]) -> Result<(), XlsxError> {
        let layout = Rc::clone(&self.layout);
        let cols = &layout.activity_columns;
        for &(area, sub, objective, outcome, place) in objs {
            for (a, (act, out)) in objective
                .activities
                .iter()
                .zip(&outcome.activities)
                .enumerate()
            {
                let row = place.activities.first + a as u32;
                for (c, column) in cols.0.iter().enumerate() {
                    let (c, wrap) = (c as u16, column.wrap);
                    if let Some(t) = identity(&column.key, area, sub, objective) {
                        self.column_text(ws, row, c, t, wrap)?;
                        continue;
                    }
                    match &column.key {
                        Key::Activity => self.column_text(
                            ws,
                            row,
                            c,
                            act.name.as_ref().map_or("", |f| f.text()),
                            wrap,
                        )?,
                        Key::StatedWeight => self.input(ws, row, c, act.weight.as_ref(), true)?,
                        Key::PlannedMonths => {
                            self.column_text(ws, row, c, &months(&act.planned_months), wrap)?
                        }
                        Key::ActualMonths => {
                            self.column_text(ws, row, c, &months(&act.actual_months), wrap)?
                        }
                        Key::ExpectedStored => {
                            self.input(ws, row, c, act.expected.as_ref(), true)?
                        }
                        Key::ExpectedComputed => self.figure(
                            ws,
                            layout.names.attivita.as_str(),
                            row,
                            c,
                            &out.expected_computed,
                            Look::Weight,
                            &|_| None,
                        )?,
                        Key::Expected => {
                            let Some(value) = out.expected else { continue };
                            let from = if out.expected_stored == Some(value) {
                                cols.index(&Key::ExpectedStored)
                            } else {
                                cols.index(&Key::ExpectedComputed)
                            };
                            let Some(from) = from else { continue };
                            FormulaCheck {
                                sheet: layout.names.attivita.clone(),
                                row,
                                col: c,
                                formula: format!("={}", local_ref(row, from)),
                                expected: Expected::Number(value),
                                rule: "atteso_scritto_prevale (atteso.rhai)".into(),
                            }
                            .write_out(
                                ws,
                                &self.f.weight,
                                &mut self.checks,
                            )?;
                        }
                        Key::ActualToDate => self.input(ws, row, c, act.actual.as_ref(), true)?,
                        Key::ActivityYear => self.input(ws, row, c, act.year.as_ref(), false)?,
                        Key::ActivityStatus => {
                            self.column_text(ws, row, c, act.status_label().unwrap_or(""), wrap)?
                        }
                        Key::ActivityStatusText => self.column_text(
                            ws,
                            row,
                            c,
                            act.status.as_ref().map_or("", |f| f.text()),
                            wrap,
                        )?,
                        Key::Source => {
                            let s = act.name.as_ref().map_or_else(
                                || objective.source.to_string(),
                                |f| f.source.to_string(),
                            );
                            self.column_text(ws, row, c, &s, wrap)?
                        }
                        _ => {}
                    }
                }
            }
        }
        Ok(())
    }

    // ------------------------------------------------------------------------------------
    // Obiettivi
    // ------------------------------------------------------------------------------------

    /// The title, the header and the table of Obiettivi.
    fn objectives_frame(&mut self, ws: &mut Out<'_>) -> Result<(), XlsxError> {
        let layout = Rc::clone(&self.layout);
        let cols = &layout.objective_columns;
        self.text_columns(ws, cols)?;
        let score_col = cols.index(&Key::Score).unwrap_or(0);
        self.scored_frame(
            ws,
            cols,
            self.layout.objective_count,
            &self
                .template
                .sheets
                .obiettivi
                .title_or("Obiettivi", &self.titles),
            score_col,
        )
    }

    /// The Obiettivi rows of the objectives `objs`.
    fn objectives(&mut self, ws: &mut Out<'_>, objs: &[Placed<'a>]) -> Result<(), XlsxError> {
        let layout = Rc::clone(&self.layout);
        let refs = Rc::clone(&self.refs);
        let cols = &layout.objective_columns;
        let ind_cols = &layout.indicator_columns;
        let act_cols = &layout.activity_columns;
        let score_col = cols.index(&Key::Score).unwrap_or(0);
        for &(area, sub, objective, outcome, place) in objs {
            let row = place.row;
            let parent = sub.unwrap_or(area);
            let resolve = |name: &str| -> Option<String> {
                let ind = |key: Key| refs.range(Tab::Indicatori, ind_cols, &key, place.indicators);
                let act = |key: Key| refs.range(Tab::Attivita, act_cols, &key, place.activities);
                let here = |key: Key| {
                    refs.col(Tab::Obiettivi, cols, &key)
                        .map(|c| local_ref(row, c))
                };
                match name {
                    "punteggi" => ind(Key::Score),
                    "pesi" => ind(Key::Input(IndicatorValue::Weight)),
                    "effettivi" => act(Key::ActualToDate),
                    "attesi" => act(Key::Expected),
                    "peso" => here(Key::StatedWeight),
                    "priorita" => here(Key::Priority),
                    "totale_priorita" => here(Key::PriorityTotal),
                    "priorita_area" => {
                        refs.range(Tab::Obiettivi, cols, &Key::Priority, place.siblings)
                    }
                    "effettivo" => here(Key::Score),
                    "atteso" => here(Key::Expected),
                    _ => None,
                }
            };
            for (c, column) in cols.0.iter().enumerate() {
                let (c, wrap) = (c as u16, column.wrap);
                if let Some(t) = identity(&column.key, area, sub, objective) {
                    self.column_text(ws, row, c, t, wrap)?;
                    continue;
                }
                match &column.key {
                    Key::Responsible => self.column_text(
                        ws,
                        row,
                        c,
                        objective.responsible.as_ref().map_or("", |f| f.text()),
                        wrap,
                    )?,
                    Key::Priority => self.input(ws, row, c, objective.priority.as_ref(), false)?,
                    Key::PriorityTotal => {
                        if let Some(total) = stated(parent, "priorita") {
                            ws.number(row, c, total, &self.f.general)?;
                        }
                    }
                    Key::StatedWeight => self.input(ws, row, c, objective.weight.as_ref(), true)?,
                    Key::Weight => self.figure(
                        ws,
                        layout.names.obiettivi.as_str(),
                        row,
                        c,
                        &outcome.weight,
                        Look::Weight,
                        &resolve,
                    )?,
                    Key::Neutralised => {
                        let t = if outcome.neutralised { "Sì" } else { "No" };
                        self.column_text(ws, row, c, t, wrap)?
                    }
                    Key::Count => {
                        let n = if objective.activities.is_empty() {
                            objective.indicators.len()
                        } else {
                            objective.activities.len()
                        };
                        ws.number(row, c, n as f64, &self.f.general)?;
                    }
                    Key::Score => self.figure(
                        ws,
                        layout.names.obiettivi.as_str(),
                        row,
                        c,
                        &outcome.score,
                        Look::Score,
                        &resolve,
                    )?,
                    Key::Expected => self.figure(
                        ws,
                        layout.names.obiettivi.as_str(),
                        row,
                        c,
                        &outcome.expected,
                        Look::Score,
                        &resolve,
                    )?,
                    Key::Judgement => {
                        if let Some(j) = &outcome.judgement {
                            self.judgement(
                                ws,
                                layout.names.obiettivi.as_str(),
                                row,
                                c,
                                j,
                                &resolve,
                            )?;
                        }
                    }
                    Key::Barometer => self.label(
                        ws,
                        layout.names.obiettivi.as_str(),
                        row,
                        c,
                        score_col,
                        outcome.score.value,
                    )?,
                    Key::Rule => {
                        let t = if outcome.neutralised {
                            "Neutralizzato: escluso dalle medie".to_string()
                        } else {
                            explain(&outcome.score)
                        };
                        self.column_text(ws, row, c, &t, wrap)?
                    }
                    Key::Source => {
                        let s = objective.source.to_string();
                        self.column_text(ws, row, c, &s, wrap)?
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    // ------------------------------------------------------------------------------------
    // Sintesi
    // ------------------------------------------------------------------------------------

    /// Sintesi's title rows and the headers of its tables.
    fn sintesi_head(&mut self, ws: &mut Out<'_>) -> Result<(), XlsxError> {
        let ev = self.ev;
        let layout = Rc::clone(&self.layout);
        let cols = &layout.area_columns;
        let sub_cols = &layout.subarea_columns;

        let title = self.template.sheets.sintesi.title_or(
            &format!("Relazione sulla performance — {}", ev.ente.ente),
            &self.titles,
        );
        ws.string_f(0, 0, title, &self.f.title)?;
        if let Some(logo) = &self.template.logo {
            let image = rust_xlsxwriter::Image::new(logo)?
                .set_scale_to_size(240, 60, true)
                .set_alt_text("Logo");
            ws.ws().insert_image(0, cols.len() + 1, &image)?;
        }
        ws.string_f(1, 0, self.subtitle(), &self.f.subtitle)?;
        ws.string_f(
            2,
            0,
            "Ogni numero è una formula di Excel: cambiate un consuntivo nel foglio Indicatori e si aggiornano obiettivi, aree e totale.",
            &self.f.subtitle,
        )?;
        if let Some(header) = layout.subarea_header {
            ws.string_f(header - 1, 0, "Settori", &self.f.title)?;
            self.table(ws, sub_cols, header, layout.subarea_rows.len)?;
        }
        self.table(ws, cols, layout.area_header, layout.area_rows.len)?;
        Ok(())
    }

    /// The Sintesi rows of the top areas `areas` and of their sub-areas.
    fn sintesi_areas(
        &mut self,
        ws: &mut Out<'_>,
        areas: std::ops::Range<usize>,
    ) -> Result<(), XlsxError> {
        let ev = self.ev;
        let layout = Rc::clone(&self.layout);
        for t in areas.clone() {
            let (area, out) = (&ev.ente.areas[t], &ev.areas[t]);
            let place = &layout.areas[t];
            self.area_row(
                ws,
                &layout.area_columns,
                place.row,
                (&area.name, None),
                area,
                out,
                place,
            )?;
        }
        for t in areas {
            let (area, out) = (&ev.ente.areas[t], &ev.areas[t]);
            for (s, (sub, sub_out)) in area.areas.iter().zip(&out.areas).enumerate() {
                let place = &layout.areas[t].children[s];
                self.area_row(
                    ws,
                    &layout.subarea_columns,
                    place.row,
                    (&area.name, Some(&sub.name)),
                    sub,
                    sub_out,
                    place,
                )?;
            }
        }
        Ok(())
    }

    /// One area row (top areas in the areas table, sub-areas in theirs).
    #[allow(clippy::too_many_arguments)]
    fn area_row(
        &mut self,
        ws: &mut Out<'_>,
        cols: &Columns,
        row: u32,
        names: (&str, Option<&str>),
        area: &Area,
        out: &AreaOutcome,
        place: &super::layout::AreaPlace,
    ) -> Result<(), XlsxError> {
        let book = self;
        let layout = Rc::clone(&book.layout);
        let refs = Rc::clone(&book.refs);
        let obj_cols = &layout.objective_columns;
        let sub_cols = &layout.subarea_columns;
        let score_col = cols.index(&Key::Score).unwrap_or(0);
        let resolve = |name: &str| -> Option<String> {
            let obj = |key: Key, span: Span| refs.range(Tab::Obiettivi, obj_cols, &key, span);
            match name {
                "punteggi" => obj(Key::Score, place.direct),
                "pesi" => obj(Key::Weight, place.direct),
                "attesi" => obj(Key::Expected, place.direct),
                "priorita" => obj(Key::Priority, place.direct),
                "punteggi_tutti" => obj(Key::Score, place.all),
                "pesi_tutti" => obj(Key::Weight, place.all),
                "attesi_tutti" => obj(Key::Expected, place.all),
                "punteggi_aree" => refs.range(Tab::Sintesi, sub_cols, &Key::Score, place.subareas),
                "effettivo" => cols.index(&Key::Score).map(|c| local_ref(row, c)),
                "atteso" => cols.index(&Key::Expected).map(|c| local_ref(row, c)),
                _ => None,
            }
        };
        for (c, column) in cols.0.iter().enumerate() {
            let (c, wrap) = (c as u16, column.wrap);
            match &column.key {
                Key::Area => book.text(ws, row, c, names.0, wrap)?,
                Key::SubArea => book.text(ws, row, c, names.1.unwrap_or(""), wrap)?,
                Key::Count => {
                    ws.number(row, c, place.all.len as f64, &book.f.general)?;
                }
                Key::Score => book.figure(
                    ws,
                    layout.names.sintesi.as_str(),
                    row,
                    c,
                    &out.score,
                    Look::Score,
                    &resolve,
                )?,
                Key::Stated => {
                    if let Some(v) = stated(area, "raggiungimento") {
                        ws.number(row, c, v, &book.f.score)?;
                    }
                }
                Key::Expected => book.figure(
                    ws,
                    layout.names.sintesi.as_str(),
                    row,
                    c,
                    &out.expected,
                    Look::Score,
                    &resolve,
                )?,
                Key::Judgement => {
                    if let Some(j) = &out.judgement {
                        book.judgement(ws, layout.names.sintesi.as_str(), row, c, j, &resolve)?;
                    }
                }
                Key::Barometer => book.label(
                    ws,
                    layout.names.sintesi.as_str(),
                    row,
                    c,
                    score_col,
                    out.score.value,
                )?,
                Key::Rule => {
                    let t = explain(&out.score);
                    book.text(ws, row, c, &t, wrap)?
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Sintesi under the tables: the ente's total, the barometers, the legend and the chart.
    fn sintesi_total(&mut self, ws: &mut Out<'_>) -> Result<(), XlsxError> {
        let ev = self.ev;
        let layout = Rc::clone(&self.layout);
        let refs = Rc::clone(&self.refs);
        let cols = &layout.area_columns;
        let sub_cols = &layout.subarea_columns;
        // The ente total, under the areas table.
        let row = layout.ente_row;
        ws.string_f(row, 0, "Totale ente", &self.f.total_label)?;
        let score_col = cols.index(&Key::Score).unwrap_or(0);
        for c in 1..cols.len() {
            ws.blank(row, c, &self.f.total_label)?;
        }
        ws.number(row, 1, layout.objective_count as f64, &self.f.total_label)?;
        let resolve = |name: &str| -> Option<String> {
            match name {
                "punteggi" => refs.range(Tab::Sintesi, cols, &Key::Score, layout.area_rows),
                "attesi" => refs.range(Tab::Sintesi, cols, &Key::Expected, layout.area_rows),
                _ => None,
            }
        };
        self.figure(
            ws,
            layout.names.sintesi.as_str(),
            row,
            score_col,
            &ev.score,
            Look::Total,
            &resolve,
        )?;
        if let Some(c) = cols.index(&Key::Expected) {
            self.figure(
                ws,
                layout.names.sintesi.as_str(),
                row,
                c,
                &ev.expected,
                Look::Total,
                &resolve,
            )?;
        }
        if let Some(c) = cols.index(&Key::Barometer) {
            self.label(
                ws,
                layout.names.sintesi.as_str(),
                row,
                c,
                score_col,
                ev.score.value,
            )?;
        }
        if let Some(c) = cols.index(&Key::Rule) {
            let t = explain(&ev.score);
            self.text(ws, row, c, &t, true)?;
        }

        // Barometer on areas (data bars and fills), sub-areas and the total.
        let rows = layout.area_rows;
        if rows.len > 0 {
            let last = rows.first + rows.len - 1;
            style::data_bars(ws.ws(), rows.first, last, score_col)?;
            style::barometer(ws.ws(), &ev.bands, rows.first, layout.ente_row, score_col)?;
            if let Some(b) = cols.index(&Key::Barometer) {
                style::label_fills(ws.ws(), &ev.bands, rows.first, layout.ente_row, b)?;
            }
        }
        let subs = layout.subarea_rows;
        if subs.len > 0 {
            let last = subs.first + subs.len - 1;
            let sc = sub_cols.index(&Key::Score).unwrap_or(0);
            style::data_bars(ws.ws(), subs.first, last, sc)?;
            style::barometer(ws.ws(), &ev.bands, subs.first, last, sc)?;
            if let Some(b) = sub_cols.index(&Key::Barometer) {
                style::label_fills(ws.ws(), &ev.bands, subs.first, last, b)?;
            }
        }

        // Legend of the bands.
        let mut row = layout.sintesi_end;
        ws.string_f(
            row,
            0,
            "Legenda del barometro (dalle regole)",
            &self.f.title,
        )?;
        row += 1;
        ws.string_f(row, 0, "Fascia", &self.f.header)?;
        ws.string_f(row, 1, "Da", &self.f.header)?;
        ws.string_f(row, 2, "Colore", &self.f.header)?;
        for band in ev
            .bands
            .bands
            .iter()
            .chain(std::iter::once(&ev.bands.no_score))
        {
            row += 1;
            let fill =
                rust_xlsxwriter::Format::new().set_background_color(style::colour(&band.colour));
            ws.string_f(row, 0, &band.label, &fill)?;
            if std::ptr::eq(band, &ev.bands.no_score) {
                ws.string_f(row, 1, "senza punteggio", &self.f.text)?;
            } else {
                ws.number(row, 1, band.from, &self.f.score)?;
            }
            ws.string_f(row, 2, &band.colour, &self.f.text)?;
        }

        // Chart of the areas.
        if rows.len > 0 {
            let last = rows.first + rows.len - 1;
            let area_col = cols.index(&Key::Area).unwrap_or(0);
            let mut chart = Chart::new(ChartType::Bar);
            chart
                .add_series()
                .set_categories((
                    layout.names.sintesi.as_str(),
                    rows.first,
                    area_col,
                    last,
                    area_col,
                ))
                .set_values((
                    layout.names.sintesi.as_str(),
                    rows.first,
                    score_col,
                    last,
                    score_col,
                ))
                .set_name("% Raggiungimento");
            chart.title().set_name("Raggiungimento per area");
            chart.x_axis().set_min(0).set_max(100);
            // Bars from the top in the order of the table.
            chart.y_axis().set_reverse();
            chart.legend().set_hidden();
            chart.set_height(120 + 28 * rows.len.min(30));
            chart.set_width(560);
            ws.ws()
                .insert_chart(layout.area_header, cols.len() + 1, &chart)?;
        }

        ws.ws().set_freeze_panes(layout.area_header + 1, 1)?;
        self.print_setup(ws, layout.area_header);
        Ok(())
    }

    // ------------------------------------------------------------------------------------
    // Anomalie
    // ------------------------------------------------------------------------------------

    fn anomalie(&mut self, ws: &mut Out<'_>, extra: &[Finding]) -> Result<(), XlsxError> {
        let mut findings: Vec<&Finding> = self
            .ev
            .all_findings()
            .chain(extra.iter())
            .chain(self.notes.iter())
            .collect();
        // Errors first, then warnings, then information; the sheet order within each.
        findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
        let cols = Columns(vec![
            column(Key::Rule, "Gravità", 10.0, false),
            column(Key::Source, "Cella", 22.0, false),
            column(Key::Code, "Regola", 26.0, false),
            column(Key::Objective, "Messaggio", 100.0, true),
        ]);
        let title = match findings.len() {
            0 => "Anomalie: nessuna".to_string(),
            n => format!(
                "Anomalie: {n} ({} errori, {} avvisi)",
                findings
                    .iter()
                    .filter(|f| f.severity == Severity::Error)
                    .count(),
                findings
                    .iter()
                    .filter(|f| f.severity == Severity::Warning)
                    .count()
            ),
        };
        // The frame first: the rows are written in order.
        self.frame(ws, &cols, HEADER_ROW, findings.len() as u32, &title, 0)?;
        // Written without `self.text`: it may add to `self.notes`, which is being listed.
        let f = &self.f;
        let mut cut = Vec::new();
        for (r, finding) in findings.iter().enumerate() {
            let row = FIRST_ROW + r as u32;
            let cell = finding
                .source
                .as_ref()
                .map(Source::to_string)
                .unwrap_or_default();
            for (c, text, wrap) in [
                (0, finding.severity.label(), false),
                (1, cell.as_str(), false),
                (2, finding.rule.as_str(), false),
                (3, finding.message.as_str(), true),
            ] {
                let format = if wrap { &f.wrap } else { &f.text };
                if !text.is_empty() {
                    let (text, was_cut) = within_limit(text);
                    if was_cut {
                        cut.push((row, c));
                    }
                    ws.string_f(row, c, text, format)?;
                }
            }
        }
        let count = findings.len();
        if count == 0 {
            ws.string_f(FIRST_ROW, 0, "Nessuna anomalia rilevata.", &self.f.text)?;
        } else {
            let last = FIRST_ROW + count as u32 - 1;
            for (label, colour) in [
                (Severity::Error.label(), "#F8696B"),
                (Severity::Warning.label(), "#FFEB84"),
            ] {
                let fill = rust_xlsxwriter::ConditionalFormatCell::new()
                    .set_rule(rust_xlsxwriter::ConditionalFormatCellRule::EqualTo(
                        format!("\"{label}\""),
                    ))
                    .set_format(
                        rust_xlsxwriter::Format::new().set_background_color(style::colour(colour)),
                    );
                ws.ws()
                    .add_conditional_format(FIRST_ROW, 0, last, 0, &fill)?;
            }
        }
        for (row, col) in cut {
            self.notes.push(cut_note(&ws.name(), row, col));
        }
        Ok(())
    }

    // ------------------------------------------------------------------------------------
    // Regole (audit trail)
    // ------------------------------------------------------------------------------------

    fn regole(&mut self, ws: &mut Out<'_>) -> Result<(), XlsxError> {
        let ev = self.ev;
        let p = self.provenance;
        let title = self
            .template
            .sheets
            .regole
            .title_or("Regole e provenienza", &self.titles);
        ws.string_f(0, 0, title, &self.f.title)?;
        ws.ws().set_column_width(0, 34)?;
        ws.ws().set_column_width(1, 70)?;
        ws.ws().set_column_width(2, 10)?;
        let rounding = "Come le regole lo scrivono (round/rounddown/roundup, come ARROTONDA/ARROTONDA.PER.DIF/ARROTONDA.PER.ECC di Excel sul valore decimale: 79,225 → 79,23); i valori intermedi non si arrotondano";
        let dir = self.rules.dir().map_or_else(
            || "incorporate nel programma".to_string(),
            |d| d.display().to_string(),
        );
        let rows: Vec<(&str, String)> = vec![
            ("Ente", ev.ente.ente.clone()),
            ("File di input", p.input_name.clone()),
            ("SHA-256 del file di input", p.input_sha256.clone().unwrap_or_else(|| "non calcolato".into())),
            ("Insieme di regole", ev.rules.clone()),
            ("Cartella delle regole", dir),
            (
                "Data di monitoraggio",
                ev.at.map_or_else(|| "non indicata".into(), |d| d.format("%d/%m/%Y").to_string()),
            ),
            (
                "Modello della relazione",
                format!("{} ({})", self.template.name, self.template.origin()),
            ),
            ("SHA-256 del modello", self.template.sha256.clone()),
            ("Arrotondamento", rounding.into()),
            ("Versione di barometro", env!("CARGO_PKG_VERSION").into()),
            ("Generata il", p.generated_at.format("%d/%m/%Y %H:%M:%S %:z").to_string()),
            (
                "Formule",
                format!(
                    "{} formule; i valori in cache sono quelli delle regole e sono verificati da un motore di calcolo indipendente dopo la scrittura (salvo --no-verify)",
                    self.checks.len()
                ),
            ),
        ];
        let mut row = 2;
        for (k, v) in rows {
            ws.string_f(row, 0, k, &self.f.header)?;
            let format = if k.starts_with("SHA") {
                &self.f.hash
            } else {
                &self.f.wrap
            };
            ws.string_f(row, 1, v, format)?;
            row += 1;
        }
        row += 1;
        ws.string_f(row, 0, "File delle regole", &self.f.title)?;
        row += 1;
        for (c, h) in ["File", "SHA-256", "Righe"].iter().enumerate() {
            ws.string_f(row, c as u16, *h, &self.f.header)?;
        }
        for file in self.rules.files() {
            row += 1;
            ws.string_f(row, 0, &file.name, &self.f.text)?;
            ws.string_f(row, 1, sha256_hex(file.text.as_bytes()), &self.f.hash)?;
            ws.number(row, 2, file.text.lines().count() as f64, &self.f.general)?;
        }
        row += 2;
        ws.string_f(row, 0, "Fasce del barometro", &self.f.title)?;
        row += 1;
        for (c, h) in ["Fascia", "Da (compreso)", "Colore"].iter().enumerate() {
            ws.string_f(row, c as u16, *h, &self.f.header)?;
        }
        for band in ev
            .bands
            .bands
            .iter()
            .chain(std::iter::once(&ev.bands.no_score))
        {
            row += 1;
            let fill =
                rust_xlsxwriter::Format::new().set_background_color(style::colour(&band.colour));
            ws.string_f(row, 0, &band.label, &fill)?;
            if std::ptr::eq(band, &ev.bands.no_score) {
                ws.string_f(
                    row,
                    1,
                    "senza punteggio (neutralizzato, non valutabile)",
                    &self.f.text,
                )?;
            } else {
                ws.number(row, 1, band.from, &self.f.general)?;
            }
            ws.string_f(row, 2, &band.colour, &self.f.text)?;
        }
        self.print_setup(ws, 0);
        Ok(())
    }

    /// Workbook-level names for the main ranges.
    fn names(&self, wb: &mut Workbook) -> Result<(), XlsxError> {
        let mut defined: Vec<(&str, String)> = Vec::new();
        let layout = Rc::clone(&self.layout);
        let l = &*layout;
        let score = |cols: &Columns| cols.index(&Key::Score).unwrap_or(0);
        if let Some(r) = l
            .area_rows
            .range(layout.names.sintesi.as_str(), score(&l.area_columns))
        {
            defined.push(("Aree_raggiungimento", format!("={r}")));
        }
        defined.push((
            "Ente_raggiungimento",
            format!(
                "={}",
                cell_ref(
                    layout.names.sintesi.as_str(),
                    l.ente_row,
                    score(&l.area_columns)
                )
            ),
        ));
        let obj = Span {
            first: FIRST_ROW,
            len: l.objective_count,
        };
        if let Some(r) = obj.range(layout.names.obiettivi.as_str(), score(&l.objective_columns)) {
            defined.push(("Obiettivi_raggiungimento", format!("={r}")));
        }
        if let Some(r) = obj.range(
            layout.names.obiettivi.as_str(),
            l.objective_columns.index(&Key::Weight).unwrap_or(0),
        ) {
            defined.push(("Obiettivi_peso", format!("={r}")));
        }
        let ind = Span {
            first: FIRST_ROW,
            len: l.indicator_count,
        };
        if let Some(r) = ind.range(
            layout.names.indicatori.as_str(),
            score(&l.indicator_columns),
        ) {
            defined.push(("Indicatori_raggiungimento", format!("={r}")));
        }
        if let Some(c) = l
            .indicator_columns
            .index(&Key::Input(IndicatorValue::Actual))
        {
            if let Some(r) = ind.range(layout.names.indicatori.as_str(), c) {
                defined.push(("Indicatori_consuntivo", format!("={r}")));
            }
        }
        if let Some(c) = l
            .indicator_columns
            .index(&Key::Input(IndicatorValue::Target))
        {
            if let Some(r) = ind.range(layout.names.indicatori.as_str(), c) {
                defined.push(("Indicatori_target", format!("={r}")));
            }
        }
        // No formula reads them (a twin naming one is verified on the written file).
        for (name, formula) in defined {
            wb.define_name(name, &formula)?;
        }
        Ok(())
    }
}

fn column(key: Key, header: &str, width: f64, wrap: bool) -> Column {
    Column {
        key,
        header: header.into(),
        width,
        wrap,
    }
}

/// Table headers must be unique: a repeated one gets ` (2)`.
fn unique_headers(columns: &[Column]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(columns.len());
    for c in columns {
        let mut h = c.header.clone();
        let mut n = 2;
        while out.iter().any(|o| o.eq_ignore_ascii_case(&h)) {
            h = format!("{} ({n})", c.header);
            n += 1;
        }
        out.push(h);
    }
    out
}

/// One objective as the detail sheets write it: its top area, its sub-area (if any), the
/// objective, its outcome and its place in the layout.
type Placed<'e> = (
    &'e Area,
    Option<&'e Area>,
    &'e Objective,
    &'e ObjectiveOutcome,
    ObjectivePlace,
);

/// Every objective with its areas and place, in the order of [`Evaluation::objectives`] (the
/// layout's order): per top area its own objectives, then each sub-area's.
fn placed_objectives<'e>(ev: &'e Evaluation, layout: &Layout) -> Vec<Placed<'e>> {
    let mut out = Vec::with_capacity(layout.objectives.len());
    for (area, area_out) in ev.ente.areas.iter().zip(&ev.areas) {
        let own = area.objectives.iter().zip(&area_out.objectives);
        out.extend(own.map(|(o, oo)| (area, None, o, oo)));
        for (sub, sub_out) in area.areas.iter().zip(&area_out.areas) {
            let own = sub.objectives.iter().zip(&sub_out.objectives);
            out.extend(own.map(|(o, oo)| (area, Some(sub), o, oo)));
        }
    }
    out.into_iter()
        .zip(&layout.objectives)
        .map(|((a, s, o, oo), place)| (a, s, o, oo, *place))
        .collect()
}

/// Columns of plain text in the detail sheets.
fn is_text(key: &Key) -> bool {
    matches!(
        key,
        Key::Area
            | Key::SubArea
            | Key::Code
            | Key::Objective
            | Key::Responsible
            | Key::Indicator
            | Key::Formula
            | Key::Method
            | Key::Rule
            | Key::Source
            | Key::Activity
            | Key::PlannedMonths
            | Key::ActualMonths
            | Key::Neutralised
    )
}

/// The text of the columns that say which objective a row belongs to, the same in every
/// detail sheet; `None` for other columns.
fn identity<'e>(
    key: &Key,
    area: &'e Area,
    sub: Option<&'e Area>,
    objective: &'e Objective,
) -> Option<&'e str> {
    match key {
        Key::Area => Some(&area.name),
        Key::SubArea => Some(sub.map_or("", |s| &s.name)),
        Key::Code => Some(code(objective)),
        Key::Objective => Some(objective.title_text()),
        _ => None,
    }
}

fn code(o: &Objective) -> &str {
    o.code.as_ref().map_or("", |f| f.text())
}

fn months(m: &[u8]) -> String {
    m.iter()
        .filter_map(|&n| MONTHS.get(usize::from(n).wrapping_sub(1)))
        .copied()
        .collect::<Vec<_>>()
        .join(", ")
}

fn field_label(v: IndicatorValue) -> &'static str {
    match v {
        IndicatorValue::Target => "target",
        IndicatorValue::Actual => "consuntivo",
        IndicatorValue::Baseline => "baseline",
        IndicatorValue::Deadline => "scadenza",
        IndicatorValue::Weight => "peso",
        IndicatorValue::InterimTarget => "target intermedio",
        IndicatorValue::InterimActual => "consuntivo intermedio",
        IndicatorValue::StatedAchievement => "% raggiungimento",
        IndicatorValue::Formula => "formula",
        IndicatorValue::Method => "metodo",
        IndicatorValue::PolarityText => "polarità",
        IndicatorValue::Note => "nota",
        IndicatorValue::Name => "indicatore",
        IndicatorValue::Purpose => "finalità",
        IndicatorValue::Deviation => "scostamento",
        IndicatorValue::StatedBarometer => "barometro",
        IndicatorValue::Year => "anno",
    }
}

/// The rule as the audit columns show it: `indicatori.rhai:136 (rapporto)`.
fn rule_text(score: &Score) -> String {
    score
        .rule
        .as_ref()
        .map_or_else(|| "regola".into(), |r| r.to_string())
}

/// The "Calcolo" column: the rule, or why there is no value.
fn explain(score: &Score) -> String {
    match (&score.value, &score.reason) {
        (Some(_), _) if score.twin.is_some() => rule_text(score),
        (Some(_), _) => format!("{} (valore della regola, senza formula)", rule_text(score)),
        (None, Some(reason)) => format!("Non valutabile: {reason}"),
        (None, None) => "Non valutabile".into(),
    }
}

/// Excel's serial number of a date (1900 system).
pub fn excel_serial(d: NaiveDate) -> f64 {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    (d - epoch).num_days() as f64
}

/// Lower-case hexadecimal SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Whether a twin's template refers to cells, ranges or names by itself (outside its
/// `{placeholders}`), by formualizer's tokenizer; `true` when it cannot tell.
fn template_refers(template: &str) -> bool {
    use formualizer::parse::{TokenSubType, TokenType, Tokenizer};
    let mut text = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        text.push_str(&rest[..open]);
        match rest[open..].find('}') {
            Some(close) => {
                text.push('0');
                rest = &rest[open + close + 1..];
            }
            None => return true,
        }
    }
    text.push_str(rest);
    match Tokenizer::new(&text) {
        Ok(t) => t
            .items
            .iter()
            .any(|tok| tok.token_type == TokenType::Operand && tok.subtype == TokenSubType::Range),
        Err(_) => true,
    }
}

/// `text` within Excel's limit of characters per cell: cut, with `…`, when longer.
fn within_limit(text: &str) -> (std::borrow::Cow<'_, str>, bool) {
    // Byte length first: a text of at most MAX_TEXT bytes has at most MAX_TEXT characters.
    if text.len() <= MAX_TEXT || text.chars().count() <= MAX_TEXT {
        return (std::borrow::Cow::Borrowed(text), false);
    }
    let cut: String = text.chars().take(MAX_TEXT - 1).collect::<String>() + "…";
    (std::borrow::Cow::Owned(cut), true)
}

/// The warning for a text cut to Excel's limit.
fn cut_note(sheet: &str, row: u32, col: u16) -> Finding {
    Finding {
        severity: Severity::Warning,
        message: format!(
            "Il testo della cella {} supera i {MAX_TEXT} caratteri che Excel ammette: nella relazione è troncato",
            cell_ref(sheet, row, col)
        ),
        source: None,
        rule: "testo-troncato".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::template_refers;

    #[test]
    fn twins_that_refer_to_cells_by_themselves() {
        // Placeholders only, strings and functions: nothing of its own.
        assert!(!template_refers(
            "=MAX(0,MIN(100,{consuntivo}/{target}*100))"
        ));
        assert!(!template_refers(
            "=IF(ISNUMBER({consuntivo}),IF({consuntivo}>=1,\"A1\",\"Sheet!B2\"),\"\")"
        ));
        assert!(!template_refers("=LOG10({target})+DAYS({scadenza},{oggi})"));
        // A cell, a range, another sheet, a defined name: yes.
        assert!(template_refers("=A1+{consuntivo}"));
        assert!(template_refers("={consuntivo}*ROWS($A$1:$B$2)"));
        assert!(template_refers("='Regole'!B3*{target}"));
        assert!(template_refers("=SUM(Indicatori_raggiungimento)"));
        // Unreadable: assumed to refer.
        assert!(template_refers("=SUM({consuntivo"));
    }
}
