//! The consolidated workbook of a batch (`consolidato.xlsx`): *Riepilogo* (one row per file,
//! with a link to its report, and a total row), *Aree* (one row per file × top area) and
//! *Regole* (rule set, SHA-256 of its files, bands, date). Barometer fills, icons and labels
//! come from the rules' bands; labels and totals are live formulas whose cached values are
//! listed as [`FormulaCheck`]s, so [`crate::report::verify`] can prove them.

use std::path::Path;

use rust_xlsxwriter::utility::row_col_to_cell;
use rust_xlsxwriter::{Format, Url, Workbook, Worksheet, XlsxError};

use super::{Batch, FileSummary};
use crate::report::style::{self, Formats, LabelFormula};
use crate::report::{sha256_hex, Expected, FormulaCheck, Report, ReportError, REGOLE};
use crate::rules::{Bands, RuleSet};

/// The sheet with one row per file.
pub const RIEPILOGO: &str = "Riepilogo";
/// The sheet with one row per file and top area.
pub const AREE: &str = "Aree";

/// Header row (0-based) of *Riepilogo* and *Aree*; data starts on the next row.
const HEADER_ROW: u32 = 3;

const RIEPILOGO_HEADERS: [(&str, f64); 12] = [
    ("File", 28.0),
    ("Ente", 30.0),
    ("Esito", 9.0),
    ("Motivo", 50.0),
    ("Aree", 7.0),
    ("Obiettivi", 10.0),
    ("Indicatori", 10.0),
    ("% Raggiungimento", 14.0),
    ("Barometro", 22.0),
    ("Errori", 8.0),
    ("Avvisi", 8.0),
    ("Relazione", 32.0),
];
const COL_ESITO: u16 = 2;
const COL_SCORE: u16 = 7;
const COL_LABEL: u16 = 8;

const AREE_HEADERS: [(&str, f64); 7] = [
    ("File", 28.0),
    ("Ente", 30.0),
    ("Area", 50.0),
    ("Tipo", 16.0),
    ("Obiettivi", 10.0),
    ("% Raggiungimento", 14.0),
    ("Barometro", 22.0),
];

/// What the esito column says of a file whose report was written.
pub const ESITO_OK: &str = "OK";
/// What the esito column says of a file with no report.
pub const ESITO_ERRORE: &str = "errore";

/// Builds the consolidated workbook of `batch` (files found in `dir`, reports in `outdir`,
/// scored with `rules`). Nothing is written: see [`crate::report::write_atomically`].
pub fn consolidated_workbook(
    batch: &Batch,
    rules: &RuleSet,
    dir: &Path,
    outdir: &Path,
) -> Result<Report, ReportError> {
    let mut sheets = Sheets {
        f: Formats::new(),
        bands: rules.bands(),
        label: LabelFormula::new(rules.bands()),
        checks: Vec::new(),
        rule_tag: format!("barometro.rhai (fasce) · regole «{}»", rules.name()),
    };
    let generated = chrono::Local::now();
    let subtitle = format!(
        "{} file da «{}» · regole «{}» · generato il {} da barometro {}",
        batch.outcomes.len(),
        dir.display(),
        rules.name(),
        generated.format("%d/%m/%Y %H:%M"),
        env!("CARGO_PKG_VERSION")
    );
    let mut workbook = Workbook::new();
    sheets.riepilogo(workbook.add_worksheet(), batch, outdir, &subtitle)?;
    sheets.aree(workbook.add_worksheet(), batch, &subtitle)?;
    sheets.regole(
        workbook.add_worksheet(),
        batch,
        rules,
        dir,
        outdir,
        &generated,
    )?;
    let bytes = workbook.save_to_buffer()?;
    Ok(Report {
        bytes,
        checks: sheets.checks,
    })
}

/// One of a file's counts summed in the total row.
type Count = fn(&FileSummary) -> usize;

struct Sheets<'a> {
    f: Formats,
    bands: &'a Bands,
    label: LabelFormula,
    checks: Vec<FormulaCheck>,
    rule_tag: String,
}

impl Sheets<'_> {
    /// Writes a formula with its cached value and records it for the verification.
    fn formula(
        &mut self,
        ws: &mut Worksheet,
        sheet: &'static str,
        (row, col): (u32, u16),
        formula: String,
        expected: Expected,
        format: &Format,
    ) -> Result<(), XlsxError> {
        FormulaCheck {
            sheet: sheet.to_string(),
            row,
            col,
            formula,
            expected,
            rule: self.rule_tag.clone(),
        }
        .write(ws, format, &mut self.checks)
    }

    /// The barometer label of the score in `(row, score_col)`, as a formula, in `label_col`.
    fn label_cell(
        &mut self,
        ws: &mut Worksheet,
        sheet: &'static str,
        row: u32,
        (score_col, label_col): (u16, u16),
        score: Option<f64>,
    ) -> Result<(), XlsxError> {
        let formula = self.label.render(&row_col_to_cell(row, score_col));
        let expected = Expected::Text(self.bands.label_of(score).to_string());
        let format = self.f.label.clone();
        self.formula(ws, sheet, (row, label_col), formula, expected, &format)
    }

    fn head(
        &self,
        ws: &mut Worksheet,
        name: &str,
        title: &str,
        subtitle: &str,
        headers: &[(&str, f64)],
    ) -> Result<(), XlsxError> {
        ws.set_name(name)?;
        ws.write_string_with_format(0, 0, title, &self.f.title)?;
        ws.write_string_with_format(1, 0, subtitle, &self.f.subtitle)?;
        for (c, (h, width)) in headers.iter().enumerate() {
            ws.write_string_with_format(HEADER_ROW, c as u16, *h, &self.f.header)?;
            ws.set_column_width(c as u16, *width)?;
        }
        ws.set_freeze_panes(HEADER_ROW + 1, 1)?;
        ws.set_landscape();
        ws.set_paper_size(9);
        ws.set_print_fit_to_pages(1, 0);
        ws.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
        ws.set_footer("&LConsolidato&CPagina &P di &N&R&A");
        Ok(())
    }

    fn riepilogo(
        &mut self,
        ws: &mut Worksheet,
        batch: &Batch,
        outdir: &Path,
        subtitle: &str,
    ) -> Result<(), XlsxError> {
        self.head(
            ws,
            RIEPILOGO,
            "Consolidato delle relazioni",
            subtitle,
            &RIEPILOGO_HEADERS,
        )?;
        let f = Formats::new();
        let mut row = HEADER_ROW;
        for outcome in &batch.outcomes {
            row += 1;
            ws.write_string_with_format(row, 0, &outcome.name, &f.text)?;
            match &outcome.result {
                Ok(s) => {
                    ws.write_string_with_format(row, 1, &s.ente, &f.text)?;
                    ws.write_string_with_format(row, COL_ESITO, ESITO_OK, &f.text)?;
                    if let (None, Some(reason)) = (s.score, &s.score_reason) {
                        ws.write_string_with_format(row, 3, reason, &f.wrap)?;
                    }
                    let counts = [s.areas.len(), s.objectives, s.indicators];
                    for (c, n) in counts.into_iter().enumerate() {
                        ws.write_number_with_format(row, 4 + c as u16, n as f64, &f.general)?;
                    }
                    if let Some(v) = s.score {
                        ws.write_number_with_format(row, COL_SCORE, v, &f.score)?;
                    }
                    self.label_cell(ws, RIEPILOGO, row, (COL_SCORE, COL_LABEL), s.score)?;
                    ws.write_number_with_format(row, 9, s.errors as f64, &f.general)?;
                    ws.write_number_with_format(row, 10, s.warnings as f64, &f.general)?;
                    let link = outcome
                        .report
                        .strip_prefix(outdir)
                        .unwrap_or(&outcome.report)
                        .to_string_lossy()
                        .replace('\\', "/");
                    let text = outcome
                        .report
                        .file_name()
                        .map_or_else(|| link.clone(), |n| n.to_string_lossy().into_owned());
                    ws.write_url(row, 11, Url::new(format!("file:///{link}")).set_text(text))?;
                }
                Err(reason) => {
                    ws.write_string_with_format(row, COL_ESITO, ESITO_ERRORE, &f.text)?;
                    ws.write_string_with_format(row, 3, reason, &f.wrap)?;
                }
            }
        }
        let first = HEADER_ROW + 1;
        let last = row;
        if last >= first {
            ws.autofilter(HEADER_ROW, 0, last, (RIEPILOGO_HEADERS.len() - 1) as u16)?;
            style::barometer(ws, self.bands, first, last, COL_SCORE)?;
            style::label_fills(ws, self.bands, first, last, COL_LABEL)?;
            self.totals(ws, batch, first, last)?;
        }
        Ok(())
    }

    /// The total row below the files: files OK, sums of counts and findings, the plain mean of
    /// the entes' achievements (files with no achievement left out) and its barometer.
    fn totals(
        &mut self,
        ws: &mut Worksheet,
        batch: &Batch,
        first: u32,
        last: u32,
    ) -> Result<(), XlsxError> {
        let row = last + 1;
        let range = |col: u16| {
            format!(
                "{}:{}",
                row_col_to_cell(first, col),
                row_col_to_cell(last, col)
            )
        };
        let summaries: Vec<&FileSummary> = batch.succeeded().map(|(_, s)| s).collect();
        let total_label = self.f.total_label.clone();
        let total_score = self.f.total_score.clone();
        let total_count = self.f.total_label.clone().set_num_format("0");
        ws.write_string_with_format(
            row,
            0,
            format!("Totale ({} file)", batch.outcomes.len()),
            &total_label,
        )?;
        ws.write_blank(row, 1, &total_label)?;
        let ok = total_count.clone().set_num_format("0\" OK\"");
        self.formula(
            ws,
            RIEPILOGO,
            (row, COL_ESITO),
            format!("=COUNTIF({},\"{ESITO_OK}\")", range(COL_ESITO)),
            Expected::Number(summaries.len() as f64),
            &ok,
        )?;
        ws.write_blank(row, 3, &total_label)?;
        let sums: [(u16, Count); 5] = [
            (4, |s| s.areas.len()),
            (5, |s| s.objectives),
            (6, |s| s.indicators),
            (9, |s| s.errors),
            (10, |s| s.warnings),
        ];
        for (col, of) in sums {
            let total: usize = summaries.iter().map(|s| of(s)).sum();
            self.formula(
                ws,
                RIEPILOGO,
                (row, col),
                format!("=SUM({})", range(col)),
                Expected::Number(total as f64),
                &total_count,
            )?;
        }
        let scores: Vec<f64> = summaries.iter().filter_map(|s| s.score).collect();
        let mean = (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64);
        match mean.filter(|m| m.is_finite()) {
            Some(m) => self.formula(
                ws,
                RIEPILOGO,
                (row, COL_SCORE),
                format!("=AVERAGE({})", range(COL_SCORE)),
                Expected::Number(m),
                &total_score,
            )?,
            None => {
                ws.write_blank(row, COL_SCORE, &total_score)?;
            }
        }
        self.label_cell(ws, RIEPILOGO, row, (COL_SCORE, COL_LABEL), mean)?;
        style::barometer(ws, self.bands, row, row, COL_SCORE)?;
        style::label_fills(ws, self.bands, row, row, COL_LABEL)?;
        ws.write_blank(row, 11, &total_label)?;
        ws.write_string_with_format(
            row + 2,
            0,
            "La riga Totale conta i file riusciti e somma aree, obiettivi, indicatori, errori e avvisi; la % è la media semplice dei raggiungimenti degli enti (i file senza raggiungimento non contano). Le relazioni si aprono dai collegamenti della colonna Relazione.",
            &self.f.subtitle,
        )?;
        Ok(())
    }

    fn aree(&mut self, ws: &mut Worksheet, batch: &Batch, subtitle: &str) -> Result<(), XlsxError> {
        self.head(ws, AREE, "Aree di ogni ente", subtitle, &AREE_HEADERS)?;
        let f = Formats::new();
        let mut row = HEADER_ROW;
        for (outcome, s) in batch.succeeded() {
            for area in &s.areas {
                row += 1;
                ws.write_string_with_format(row, 0, &outcome.name, &f.text)?;
                ws.write_string_with_format(row, 1, &s.ente, &f.text)?;
                ws.write_string_with_format(row, 2, &area.name, &f.wrap)?;
                ws.write_string_with_format(row, 3, &area.kind, &f.text)?;
                ws.write_number_with_format(row, 4, area.objectives as f64, &f.general)?;
                if let Some(v) = area.score {
                    ws.write_number_with_format(row, 5, v, &f.score)?;
                }
                self.label_cell(ws, AREE, row, (5, 6), area.score)?;
            }
        }
        let first = HEADER_ROW + 1;
        if row >= first {
            ws.autofilter(HEADER_ROW, 0, row, (AREE_HEADERS.len() - 1) as u16)?;
            style::barometer(ws, self.bands, first, row, 5)?;
            style::label_fills(ws, self.bands, first, row, 6)?;
        }
        Ok(())
    }

    fn regole(
        &mut self,
        ws: &mut Worksheet,
        batch: &Batch,
        rules: &RuleSet,
        dir: &Path,
        outdir: &Path,
        generated: &chrono::DateTime<chrono::Local>,
    ) -> Result<(), XlsxError> {
        ws.set_name(REGOLE)?;
        ws.write_string_with_format(0, 0, "Regole e provenienza", &self.f.title)?;
        ws.set_column_width(0, 34)?;
        ws.set_column_width(1, 70)?;
        ws.set_column_width(2, 10)?;
        let failed = batch.failed().count();
        let verified = batch.succeeded().filter(|(_, s)| s.verified).count();
        let rows: Vec<(&str, String)> = vec![
            ("Insieme di regole", rules.name().to_string()),
            (
                "Cartella delle regole",
                rules.dir().map_or_else(
                    || "incorporate nel programma".to_string(),
                    |d| d.display().to_string(),
                ),
            ),
            ("Cartella dei file", dir.display().to_string()),
            ("Cartella delle relazioni", outdir.display().to_string()),
            (
                "File",
                format!(
                    "{} elaborati: {} relazioni scritte ({verified} con formule verificate), {failed} non riusciti",
                    batch.outcomes.len(),
                    batch.outcomes.len() - failed
                ),
            ),
            ("Processi in parallelo", batch.jobs.to_string()),
            ("Versione di barometro", env!("CARGO_PKG_VERSION").into()),
            (
                "Generato il",
                generated.format("%d/%m/%Y %H:%M:%S %:z").to_string(),
            ),
            (
                "Formule",
                format!(
                    "{} formule in Riepilogo e Aree (barometri e totali), con i valori in cache calcolati da barometro",
                    self.checks.len()
                ),
            ),
        ];
        let mut row = 2;
        for (k, v) in rows {
            ws.write_string_with_format(row, 0, k, &self.f.header)?;
            ws.write_string_with_format(row, 1, v, &self.f.wrap)?;
            row += 1;
        }
        row += 1;
        ws.write_string_with_format(row, 0, "File delle regole", &self.f.title)?;
        row += 1;
        for (c, h) in ["File", "SHA-256", "Righe"].iter().enumerate() {
            ws.write_string_with_format(row, c as u16, *h, &self.f.header)?;
        }
        for file in rules.files() {
            row += 1;
            ws.write_string_with_format(row, 0, &file.name, &self.f.text)?;
            ws.write_string_with_format(row, 1, sha256_hex(file.text.as_bytes()), &self.f.hash)?;
            ws.write_number_with_format(row, 2, file.text.lines().count() as f64, &self.f.general)?;
        }
        row += 2;
        ws.write_string_with_format(row, 0, "Fasce del barometro", &self.f.title)?;
        row += 1;
        for (c, h) in ["Fascia", "Da (compreso)", "Colore"].iter().enumerate() {
            ws.write_string_with_format(row, c as u16, *h, &self.f.header)?;
        }
        let bands = self.bands;
        for band in bands.bands.iter().chain(std::iter::once(&bands.no_score)) {
            row += 1;
            let fill = Format::new().set_background_color(style::colour(&band.colour));
            ws.write_string_with_format(row, 0, &band.label, &fill)?;
            if std::ptr::eq(band, &bands.no_score) {
                ws.write_string_with_format(
                    row,
                    1,
                    "senza punteggio (neutralizzato, non valutabile)",
                    &self.f.text,
                )?;
            } else {
                ws.write_number_with_format(row, 1, band.from, &self.f.general)?;
            }
            ws.write_string_with_format(row, 2, &band.colour, &self.f.text)?;
        }
        Ok(())
    }
}
