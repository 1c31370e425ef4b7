//! The comparison workbook (*confronto*) of a [`Comparison`]: sheets *Aree* (with the ente
//! total), *Obiettivi*, *Indicatori*, *Solo in uno* (items on one side only) and *Origine* (the
//! two files, rule sets and dates with their SHA-256).
//!
//! Before and after are values (they are the rules' figures of each side); every change is a
//! live formula `=after−before` with its value cached, and every barometer label a formula over
//! its score with that side's bands. Changes carry a three-arrows icon set and a green or red
//! font; scores and labels the band fills of their side's rules. [`super::verify`] recalculates
//! the formulas like those of a report.
//!
//! ```
//! # use barometro::model::{Area, Ente, Field, Indicator, IndicatorValue, Objective, Source};
//! # use barometro::value::Value;
//! use barometro::compare::compare;
//! use barometro::report::{build_comparison, verify, ComparedSide, Provenance};
//! use barometro::rules::{evaluate, EvaluateOptions, RuleSet};
//! # let ente_with = |actual: f64| {
//! #     let num = |n: f64, col| Field {
//! #         raw: n.to_string().into(),
//! #         value: Value::Number { number: n, unit: None },
//! #         source: Source::new("Foglio1".into(), 1, col),
//! #     };
//! #     let mut indicator = Indicator::new(Source::new("Foglio1".into(), 1, 0));
//! #     indicator.set(IndicatorValue::Target, num(50.0, 3));
//! #     indicator.set(IndicatorValue::Actual, num(actual, 4));
//! #     let mut objective = Objective::new(Source::new("Foglio1".into(), 1, 0));
//! #     objective.indicators.push(indicator);
//! #     let mut area = Area::new("Ambiente", "Settore");
//! #     area.objectives.push(objective);
//! #     let mut ente = Ente::new("Comune di Esempio", "esempio.xlsx");
//! #     ente.areas.push(area);
//! #     ente
//! # };
//!
//! let rules = RuleSet::default_set()?;
//! let before = evaluate(ente_with(39.0), &rules, &EvaluateOptions::default());
//! let after = evaluate(ente_with(45.0), &rules, &EvaluateOptions::default());
//! let side = |name| ComparedSide { provenance: Provenance::named(name), rules: &rules };
//! let workbook = build_comparison(&compare(&before, &after), &side("giugno.xlsx"), &side("dicembre.xlsx"))?;
//! let proof = verify(&workbook)?;
//! assert!(proof.checked > 0);
//! assert!(proof.mismatches.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use rust_xlsxwriter::{
    Color, ConditionalFormatCell, ConditionalFormatCellRule, ConditionalFormatCustomIcon,
    ConditionalFormatIconSet, ConditionalFormatIconType, ConditionalFormatType, Format, Workbook,
    Worksheet, XlsxError,
};

use super::layout::{local_ref, FIRST_ROW, HEADER_ROW, INDICATORI, OBIETTIVI};
use super::style::{self, Formats, LabelFormula};
use super::{sha256_hex, Expected, FormulaCheck, Provenance, Report, ReportError};
use crate::compare::{Change, Comparison, InputChange};
use crate::rules::{Bands, RuleSet};

/// The areas sheet of a comparison (with the ente total in its last row).
pub const AREE: &str = "Aree";
/// The sheet of the items found on one side only.
pub const SOLO_IN_UNO: &str = "Solo in uno";
/// The sheet with the two sides' files, rule sets and dates.
pub const ORIGINE: &str = "Origine";

/// One side of a comparison, for the *Origine* sheet.
#[derive(Debug)]
pub struct ComparedSide<'a> {
    /// The input file's name and SHA-256.
    pub provenance: Provenance,
    /// The rule set the side was scored with.
    pub rules: &'a RuleSet,
}

/// Builds the comparison workbook; `before` and `after` describe sides A and B.
pub fn build_comparison(
    comparison: &Comparison,
    before: &ComparedSide<'_>,
    after: &ComparedSide<'_>,
) -> Result<Report, ReportError> {
    let mut book = Book {
        c: comparison,
        f: Formats::new(),
        labels: (
            LabelFormula::new(&comparison.bands_before),
            LabelFormula::new(&comparison.bands_after),
        ),
        checks: Vec::new(),
    };
    let mut wb = Workbook::new();
    book.areas(wb.add_worksheet())?;
    book.objectives(wb.add_worksheet())?;
    book.indicators(wb.add_worksheet())?;
    book.unmatched(wb.add_worksheet())?;
    book.origin(wb.add_worksheet(), before, after)?;
    let bytes = wb.save_to_buffer()?;
    Ok(Report {
        bytes,
        checks: book.checks,
    })
}

/// What a column holds, and so its format and conditional formats.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Wrap,
    Number,
    ScoreBefore,
    ScoreAfter,
    Delta,
    LabelBefore,
    LabelAfter,
}

/// A cell of a data row.
enum Cell {
    Text(String),
    /// A number (an empty cell for none).
    Number(Option<f64>),
    /// An input as the rules read it: the number, else the text as written.
    Input(Option<f64>, String),
    /// `=after−before` over two columns of the row, with the value cached.
    Delta {
        before: u16,
        after: u16,
        value: Option<f64>,
    },
    /// The barometer label of the score in a column of the row (bands of the column's side).
    Label {
        score: u16,
        label: String,
    },
}

/// The three cells of a figure's before, after and change, the first at column `at`.
fn triple(change: &Change, at: u16) -> [Cell; 3] {
    [
        Cell::Number(change.before),
        Cell::Number(change.after),
        Cell::Delta {
            before: at,
            after: at + 1,
            value: change.delta(),
        },
    ]
}

/// An achievement from column `at`: before, after, the change, then the barometer label of
/// each side (formulas over the two scores).
fn scored(score: &Change, label_before: &str, label_after: &str, at: u16) -> [Cell; 5] {
    let [before, after, delta] = triple(score, at);
    [
        before,
        after,
        delta,
        Cell::Label {
            score: at,
            label: label_before.to_string(),
        },
        Cell::Label {
            score: at + 1,
            label: label_after.to_string(),
        },
    ]
}

fn input_triple(input: &InputChange, at: u16) -> [Cell; 3] {
    [
        Cell::Input(input.change.before, input.before_text.clone()),
        Cell::Input(input.change.after, input.after_text.clone()),
        Cell::Delta {
            before: at,
            after: at + 1,
            value: input.change.delta(),
        },
    ]
}

struct Book<'a> {
    c: &'a Comparison,
    f: Formats,
    labels: (LabelFormula, LabelFormula),
    checks: Vec<FormulaCheck>,
}

impl Book<'_> {
    fn subtitle(&self) -> String {
        let side = |file: &str, rules: &str, at: Option<chrono::NaiveDate>| {
            let mut s = format!("{file}, regole «{rules}»");
            if let Some(at) = at {
                s += &format!(", al {}", at.format("%d/%m/%Y"));
            }
            s
        };
        format!(
            "Prima (A): {} → Dopo (B): {} · Variazione = dopo − prima",
            side(&self.c.file_before, &self.c.rules_before, self.c.at_before),
            side(&self.c.file_after, &self.c.rules_after, self.c.at_after)
        )
    }

    /// Writes a data sheet: title, header, rows, widths, filter, frozen header, conditional
    /// formats by column kind; records every formula in `checks`.
    fn sheet(
        &mut self,
        ws: &mut Worksheet,
        name: &'static str,
        title: &str,
        columns: &[(&str, f64, Kind)],
        rows: Vec<Vec<Cell>>,
    ) -> Result<(), XlsxError> {
        ws.set_name(name)?;
        ws.write_string_with_format(0, 0, title, &self.f.title)?;
        ws.write_string_with_format(1, 0, self.subtitle(), &self.f.subtitle)?;
        for (c, (header, width, _)) in columns.iter().enumerate() {
            ws.write_string_with_format(HEADER_ROW, c as u16, *header, &self.f.header)?;
            ws.set_column_width(c as u16, *width)?;
        }
        ws.set_row_height(HEADER_ROW, 30)?;
        let delta_format = self.f.score.clone().set_num_format("+0.00;-0.00;0.00");
        for (r, cells) in rows.iter().enumerate() {
            let row = FIRST_ROW + r as u32;
            for (c, cell) in cells.iter().enumerate() {
                let col = c as u16;
                let kind = columns.get(c).map_or(Kind::Text, |k| k.2);
                let format = match kind {
                    Kind::Wrap => &self.f.wrap,
                    // Targets and actuals can be thousands: `3.800,00` in Italian Excel.
                    Kind::Number => &self.f.weight,
                    Kind::ScoreBefore | Kind::ScoreAfter => &self.f.score,
                    Kind::Delta => &delta_format,
                    Kind::Text | Kind::LabelBefore | Kind::LabelAfter => &self.f.text,
                }
                .clone();
                self.cell(ws, name, row, col, cell, kind, &format)?;
            }
        }
        let ncols = columns.len() as u16;
        let last = FIRST_ROW + rows.len() as u32;
        ws.set_freeze_panes(FIRST_ROW, 0)?;
        ws.autofilter(
            HEADER_ROW,
            0,
            last.max(FIRST_ROW) - 1,
            ncols.saturating_sub(1),
        )?;
        ws.set_landscape();
        ws.set_paper_size(9);
        ws.set_print_fit_to_pages(1, 0);
        ws.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
        if rows.is_empty() {
            return Ok(());
        }
        let last = last - 1;
        for (c, (_, _, kind)) in columns.iter().enumerate() {
            let col = c as u16;
            match kind {
                Kind::ScoreBefore => {
                    style::barometer(ws, &self.c.bands_before, FIRST_ROW, last, col)?
                }
                Kind::ScoreAfter => {
                    style::barometer(ws, &self.c.bands_after, FIRST_ROW, last, col)?
                }
                Kind::LabelBefore => {
                    style::label_fills(ws, &self.c.bands_before, FIRST_ROW, last, col)?
                }
                Kind::LabelAfter => {
                    style::label_fills(ws, &self.c.bands_after, FIRST_ROW, last, col)?
                }
                Kind::Delta => arrows(ws, FIRST_ROW, last, col)?,
                Kind::Text | Kind::Wrap | Kind::Number => {}
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn cell(
        &mut self,
        ws: &mut Worksheet,
        sheet: &'static str,
        row: u32,
        col: u16,
        cell: &Cell,
        kind: Kind,
        format: &Format,
    ) -> Result<(), XlsxError> {
        match cell {
            Cell::Text(t) if t.is_empty() => {
                ws.write_blank(row, col, format)?;
            }
            // Always a string: a name starting with `=` is never a formula.
            Cell::Text(t) => {
                ws.write_string_with_format(row, col, excel_text(t), format)?;
            }
            Cell::Number(Some(n)) | Cell::Input(Some(n), _) if n.is_finite() => {
                ws.write_number_with_format(row, col, *n, format)?;
            }
            Cell::Input(_, t) if !t.is_empty() => {
                ws.write_string_with_format(row, col, excel_text(t), &self.f.text)?;
            }
            Cell::Number(_) | Cell::Input(..) => {
                ws.write_blank(row, col, format)?;
            }
            Cell::Delta {
                before,
                after,
                value: Some(v),
            } if v.is_finite() => {
                FormulaCheck {
                    sheet: sheet.to_string(),
                    row,
                    col,
                    formula: format!("={}-{}", local_ref(row, *after), local_ref(row, *before)),
                    expected: Expected::Number(*v),
                    rule: "variazione = dopo − prima".into(),
                }
                .write(ws, format, &mut self.checks)?;
            }
            Cell::Delta { .. } => {
                ws.write_blank(row, col, format)?;
            }
            Cell::Label { score, label } => {
                let (formula, side) = if kind == Kind::LabelBefore {
                    (self.labels.0.render(&local_ref(row, *score)), "prima")
                } else {
                    (self.labels.1.render(&local_ref(row, *score)), "dopo")
                };
                FormulaCheck {
                    sheet: sheet.to_string(),
                    row,
                    col,
                    formula,
                    expected: Expected::Text(label.clone()),
                    rule: format!("barometro.rhai (fasce, {side})"),
                }
                .write(ws, format, &mut self.checks)?;
            }
        }
        Ok(())
    }

    fn areas(&mut self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        let columns = [
            ("Area", 44.0, Kind::Wrap),
            ("Area superiore", 30.0, Kind::Wrap),
            ("Tipo", 16.0, Kind::Text),
            ("% Raggiungimento prima", 14.0, Kind::ScoreBefore),
            ("% Raggiungimento dopo", 14.0, Kind::ScoreAfter),
            ("Variazione", 12.0, Kind::Delta),
            ("Barometro prima", 22.0, Kind::LabelBefore),
            ("Barometro dopo", 22.0, Kind::LabelAfter),
            ("% Atteso prima", 12.0, Kind::Number),
            ("% Atteso dopo", 12.0, Kind::Number),
            ("Variazione atteso", 12.0, Kind::Delta),
            ("Giudizio prima", 16.0, Kind::Text),
            ("Giudizio dopo", 16.0, Kind::Text),
        ];
        let mut rows: Vec<Vec<Cell>> = self
            .c
            .areas
            .iter()
            .map(|a| {
                let mut row = vec![
                    Cell::Text(a.name.clone()),
                    Cell::Text(a.parent.clone().unwrap_or_default()),
                    Cell::Text(a.kind.clone()),
                ];
                row.extend(scored(&a.score, &a.label_before, &a.label_after, 3));
                row.extend(triple(&a.expected, 8));
                row.push(Cell::Text(a.judgement_before.clone().unwrap_or_default()));
                row.push(Cell::Text(a.judgement_after.clone().unwrap_or_default()));
                row
            })
            .collect();
        let mut total = vec![
            Cell::Text(format!("Totale ente: {}", self.c.ente_after)),
            Cell::Text(String::new()),
            Cell::Text("Ente".into()),
        ];
        total.extend(scored(
            &self.c.ente,
            &self.c.ente_label_before,
            &self.c.ente_label_after,
            3,
        ));
        total.extend(triple(&self.c.ente_expected, 8));
        rows.push(total);
        let title = format!("Confronto delle aree — {}", self.c.ente_after);
        self.sheet(ws, AREE, &title, &columns, rows)
    }

    fn objectives(&mut self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        let columns = [
            ("Area", 30.0, Kind::Wrap),
            ("Codice", 12.0, Kind::Text),
            ("Obiettivo", 50.0, Kind::Wrap),
            ("Peso prima", 10.0, Kind::Number),
            ("Peso dopo", 10.0, Kind::Number),
            ("Variazione peso", 11.0, Kind::Delta),
            ("% Raggiungimento prima", 14.0, Kind::ScoreBefore),
            ("% Raggiungimento dopo", 14.0, Kind::ScoreAfter),
            ("Variazione", 12.0, Kind::Delta),
            ("Barometro prima", 22.0, Kind::LabelBefore),
            ("Barometro dopo", 22.0, Kind::LabelAfter),
            ("% Atteso prima", 12.0, Kind::Number),
            ("% Atteso dopo", 12.0, Kind::Number),
            ("Variazione atteso", 12.0, Kind::Delta),
            ("Giudizio prima", 16.0, Kind::Text),
            ("Giudizio dopo", 16.0, Kind::Text),
            ("Neutralizzato", 14.0, Kind::Text),
            ("Cella prima", 16.0, Kind::Text),
            ("Cella dopo", 16.0, Kind::Text),
        ];
        let rows = self
            .c
            .objectives
            .iter()
            .map(|o| {
                let mut row = vec![
                    Cell::Text(o.area.clone()),
                    Cell::Text(o.code.clone().unwrap_or_default()),
                    Cell::Text(o.title.clone()),
                ];
                row.extend(triple(&o.weight, 3));
                row.extend(scored(&o.score, &o.label_before, &o.label_after, 6));
                row.extend(triple(&o.expected, 11));
                row.push(Cell::Text(o.judgement_before.clone().unwrap_or_default()));
                row.push(Cell::Text(o.judgement_after.clone().unwrap_or_default()));
                row.push(Cell::Text(
                    match (o.neutralised_before, o.neutralised_after) {
                        (false, false) => "",
                        (true, true) => "prima e dopo",
                        (true, false) => "solo prima",
                        (false, true) => "solo dopo",
                    }
                    .into(),
                ));
                row.push(Cell::Text(o.source_before.to_string()));
                row.push(Cell::Text(o.source_after.to_string()));
                row
            })
            .collect();
        let title = format!("Confronto degli obiettivi — {}", self.c.ente_after);
        self.sheet(ws, OBIETTIVI, &title, &columns, rows)
    }

    fn indicators(&mut self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        let columns = [
            ("Area", 24.0, Kind::Wrap),
            ("Obiettivo", 36.0, Kind::Wrap),
            ("Indicatore", 40.0, Kind::Wrap),
            ("Abbinato per", 11.0, Kind::Text),
            ("Metodo prima", 14.0, Kind::Text),
            ("Metodo dopo", 14.0, Kind::Text),
            ("Target prima", 11.0, Kind::Number),
            ("Target dopo", 11.0, Kind::Number),
            ("Variazione target", 11.0, Kind::Delta),
            ("Consuntivo prima", 11.0, Kind::Number),
            ("Consuntivo dopo", 11.0, Kind::Number),
            ("Variazione consuntivo", 12.0, Kind::Delta),
            ("Peso prima", 9.0, Kind::Number),
            ("Peso dopo", 9.0, Kind::Number),
            ("Variazione peso", 10.0, Kind::Delta),
            ("% Raggiungimento prima", 14.0, Kind::ScoreBefore),
            ("% Raggiungimento dopo", 14.0, Kind::ScoreAfter),
            ("Variazione", 12.0, Kind::Delta),
            ("Barometro prima", 22.0, Kind::LabelBefore),
            ("Barometro dopo", 22.0, Kind::LabelAfter),
            ("Cella prima", 16.0, Kind::Text),
            ("Cella dopo", 16.0, Kind::Text),
        ];
        let rows = self
            .c
            .indicators
            .iter()
            .map(|i| {
                let mut row = vec![
                    Cell::Text(i.area.clone()),
                    Cell::Text(i.objective.clone()),
                    Cell::Text(i.name.clone()),
                    Cell::Text(i.matched_by.label().into()),
                    Cell::Text(i.method_before.clone()),
                    Cell::Text(i.method_after.clone()),
                ];
                row.extend(input_triple(&i.target, 6));
                row.extend(input_triple(&i.actual, 9));
                row.extend(triple(&i.weight, 12));
                row.extend(scored(&i.score, &i.label_before, &i.label_after, 15));
                row.push(Cell::Text(i.source_before.to_string()));
                row.push(Cell::Text(i.source_after.to_string()));
                row
            })
            .collect();
        let title = format!("Confronto degli indicatori — {}", self.c.ente_after);
        self.sheet(ws, INDICATORI, &title, &columns, rows)
    }

    fn unmatched(&mut self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        let columns = [
            ("Presente solo", 12.0, Kind::Text),
            ("Tipo", 12.0, Kind::Text),
            ("Area", 30.0, Kind::Wrap),
            ("Voce", 60.0, Kind::Wrap),
            ("% Raggiungimento", 14.0, Kind::Number),
            ("Cella", 16.0, Kind::Text),
        ];
        let rows = self
            .c
            .unmatched
            .iter()
            .map(|u| {
                vec![
                    Cell::Text(u.side.label().into()),
                    Cell::Text(u.kind.label().into()),
                    Cell::Text(u.area.clone()),
                    Cell::Text(u.label.clone()),
                    Cell::Number(u.score),
                    Cell::Text(u.source.as_ref().map(|s| s.to_string()).unwrap_or_default()),
                ]
            })
            .collect();
        let title = "Voci presenti in uno solo dei due lati (non confrontate)";
        self.sheet(ws, SOLO_IN_UNO, title, &columns, rows)
    }

    fn origin(
        &mut self,
        ws: &mut Worksheet,
        before: &ComparedSide<'_>,
        after: &ComparedSide<'_>,
    ) -> Result<(), XlsxError> {
        ws.set_name(ORIGINE)?;
        ws.write_string_with_format(0, 0, "Origine del confronto", &self.f.title)?;
        ws.set_column_width(0, 34)?;
        ws.set_column_width(1, 70)?;
        ws.set_column_width(2, 70)?;
        let h = &self.f.header;
        ws.write_string_with_format(HEADER_ROW, 0, "", h)?;
        ws.write_string_with_format(HEADER_ROW, 1, "Prima (A)", h)?;
        ws.write_string_with_format(HEADER_ROW, 2, "Dopo (B)", h)?;
        let dir = |r: &RuleSet| {
            r.dir().map_or_else(
                || "incorporate nel programma".to_string(),
                |d| d.display().to_string(),
            )
        };
        let date = |d: Option<chrono::NaiveDate>| {
            d.map_or_else(
                || "non indicata".to_string(),
                |d| d.format("%d/%m/%Y").to_string(),
            )
        };
        let sha = |p: &Provenance| {
            p.input_sha256
                .clone()
                .unwrap_or_else(|| "non calcolato".into())
        };
        let mut rows: Vec<(String, String, String)> = vec![
            (
                "Ente".into(),
                self.c.ente_before.clone(),
                self.c.ente_after.clone(),
            ),
            (
                "File".into(),
                before.provenance.input_name.clone(),
                after.provenance.input_name.clone(),
            ),
            (
                "SHA-256 del file".into(),
                sha(&before.provenance),
                sha(&after.provenance),
            ),
            (
                "Insieme di regole".into(),
                self.c.rules_before.clone(),
                self.c.rules_after.clone(),
            ),
            (
                "Cartella delle regole".into(),
                dir(before.rules),
                dir(after.rules),
            ),
            (
                "Data di monitoraggio".into(),
                date(self.c.at_before),
                date(self.c.at_after),
            ),
            (
                "Fasce del barometro".into(),
                bands_text(&self.c.bands_before),
                bands_text(&self.c.bands_after),
            ),
        ];
        let mut names: Vec<&str> = before.rules.files().iter().map(|f| &*f.name).collect();
        for f in after.rules.files() {
            if !names.contains(&&*f.name) {
                names.push(&f.name);
            }
        }
        let file_sha = |r: &RuleSet, name: &str| {
            r.files()
                .iter()
                .find(|f| f.name == name)
                .map_or_else(|| "—".to_string(), |f| sha256_hex(f.text.as_bytes()))
        };
        for name in names {
            rows.push((
                format!("SHA-256 di {name}"),
                file_sha(before.rules, name),
                file_sha(after.rules, name),
            ));
        }
        rows.push((
            "Generato il".into(),
            after
                .provenance
                .generated_at
                .format("%d/%m/%Y %H:%M:%S %:z")
                .to_string(),
            String::new(),
        ));
        rows.push((
            "Versione di barometro".into(),
            env!("CARGO_PKG_VERSION").into(),
            String::new(),
        ));
        rows.push((
            "Formule".into(),
            format!(
                "{} formule (variazioni e barometri); i valori in cache sono verificati da un motore di calcolo indipendente dopo la scrittura (salvo --no-verify)",
                self.checks.len()
            ),
            String::new(),
        ));
        for (r, (key, a, b)) in rows.iter().enumerate() {
            let row = FIRST_ROW + r as u32;
            let format = if key.starts_with("SHA") {
                &self.f.hash
            } else {
                &self.f.wrap
            };
            ws.write_string_with_format(row, 0, key, &self.f.header)?;
            ws.write_string_with_format(row, 1, excel_text(a), format)?;
            ws.write_string_with_format(row, 2, excel_text(b), format)?;
        }
        Ok(())
    }
}

/// `Raggiunto da 90, Parzialmente raggiunto da 70, …`.
fn bands_text(bands: &Bands) -> String {
    bands
        .bands
        .iter()
        .map(|b| format!("{} da {}", b.label, crate::value::format_number_it(b.from)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Text cut to Excel's 32,767 characters.
fn excel_text(t: &str) -> &str {
    const MAX: usize = 32_767;
    match t.char_indices().nth(MAX) {
        Some((i, _)) => &t[..i],
        None => t,
    }
}

/// Three arrows (down below 0, sideways at 0, up above 0) and a green or red font on a column
/// of changes.
fn arrows(ws: &mut Worksheet, first: u32, last: u32, col: u16) -> Result<(), XlsxError> {
    let icons = ConditionalFormatIconSet::new()
        .set_icon_type(ConditionalFormatIconType::ThreeArrows)
        .set_icons(&[
            ConditionalFormatCustomIcon::new(),
            ConditionalFormatCustomIcon::new().set_rule(ConditionalFormatType::Number, 0),
            ConditionalFormatCustomIcon::new()
                .set_rule(ConditionalFormatType::Number, 0)
                .set_greater_than(true),
        ]);
    ws.add_conditional_format(first, col, last, col, &icons)?;
    let up = ConditionalFormatCell::new()
        .set_rule(ConditionalFormatCellRule::GreaterThan(0))
        .set_format(Format::new().set_font_color(Color::RGB(0x006100)));
    ws.add_conditional_format(first, col, last, col, &up)?;
    let down = ConditionalFormatCell::new()
        .set_rule(ConditionalFormatCellRule::LessThan(0))
        .set_format(Format::new().set_font_color(Color::RGB(0x9C0006)));
    ws.add_conditional_format(first, col, last, col, &down)?;
    Ok(())
}
