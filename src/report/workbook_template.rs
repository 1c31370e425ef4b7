//! Excel templates (*modelli Excel*): a report the office designed in Excel, with
//! placeholders that barometro fills.
//!
//! - A cell holding `{{ente}}`, `{{area.nome}}`, `{{indicatore.raggiungimento}}`… gets the value
//!   (a number stays a number, so the cell's number format and conditional formats apply); a
//!   placeholder inside text is replaced in the text.
//! - A row with `{{indicatore.…}}` placeholders is repeated for each indicator, one with
//!   `{{obiettivo.…}}` (and no indicator) for each objective, one with `{{area.…}}` for each top
//!   area. Rows below move down; formulas in repeated rows are copied with their references to
//!   the same row moved to the copy; ranges over a repeated row (`=SUM(H8:H8)`), merged cells,
//!   conditional formats (icon sets included: the sheet XML is edited, never re-saved by
//!   another library), data validations, tables and print areas grow with the rows.
//! - A sheet whose name holds `{{area.nome}}` is repeated for each top area, with that area as
//!   the scope of its rows (one sheet per strategic line, as Cremona prints them).
//! - Formulas get fresh cached values, computed by recalculating the filled workbook with the
//!   independent engine (formualizer); the workbook is also marked for recalculation on
//!   opening.
//!
//! Placeholders: `ente`, `anno`, `regole`, `file`, `data`, `totale.raggiungimento`,
//! `totale.barometro`, `totale.atteso`; `area.nome`, `area.tipo`, `area.foglio` (the input
//! sheet the area was read from), `area.raggiungimento`,
//! `area.barometro`, `area.atteso`, `area.giudizio`, `area.obiettivi`; `settore.nome`;
//! `obiettivo.codice`, `.titolo`, `.descrizione`, `.responsabile`, `.priorita`, `.nota`,
//! `.peso_foglio`, `.peso`, `.raggiungimento`, `.barometro`, `.atteso`, `.giudizio`,
//! `.indicatori`, `.cella`; `indicatore.nome`, `.formula`, `.metodo`, `.raggiungimento`,
//! `.barometro`, `.cella` and every value the rules read (`indicatore.target`,
//! `.consuntivo`, `.peso`, `.scadenza`, `.raggiungimento_foglio`…).
//!
//! ```no_run
//! use barometro::report::{Provenance, WorkbookTemplate};
//! use barometro::rules::{evaluate, EvaluateOptions, RuleSet};
//! # let ente = barometro::model::Ente::new("Comune", "x.xlsx");
//! let rules = RuleSet::default_set()?;
//! let ev = evaluate(ente, &rules, &EvaluateOptions::default());
//! let template = WorkbookTemplate::builtin("cremona").expect("shipped")?;
//! let filled = template.fill(&ev, &Provenance::named("x.xlsx"))?;
//! std::fs::write("relazione.xlsx", &filled.bytes)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::package::{
    attr, escape, find_tag, remove_attr, resolve, set_attr, text_of, unescape, Package, SheetPart,
};
use super::template::{TemplateError, TitleValues};
use super::Provenance;
use crate::model::{Area, Indicator, IndicatorValue, Objective};
use crate::rules::{
    AreaOutcome, Evaluation, IndicatorOutcome, InputValue, ObjectiveOutcome, INDICATOR_FIELDS,
};

/// The Cremona template: one sheet per strategic line, the banner
/// `% Raggiungimento obiettivi per area strategica` and the 13 columns.
pub const CREMONA_TEMPLATE: &[u8] = include_bytes!("../../templates/cremona/modello.xlsx");

/// The workbook templates shipped with barometro.
pub const BUILTIN_WORKBOOK_TEMPLATES: &[&str] = &["cremona"];

/// An Excel template (*modello Excel*): a report the office designed in Excel, with
/// placeholders (`{{ente}}`, `{{area.nome}}`, `{{indicatore.raggiungimento}}`…) in its cells;
/// rows holding an objective's or an indicator's placeholders are repeated for each, a sheet
/// named with `{{area.…}}` for each top area (see the README, *Templates*).
#[derive(Debug, Clone)]
pub struct WorkbookTemplate {
    /// Its name (the file's stem, or the built-in name).
    pub name: String,
    /// Where it was read from; `None` for a built-in one.
    pub path: Option<PathBuf>,
    /// SHA-256 of the file.
    pub sha256: String,
    /// The template's parts, read once: every fill starts from a copy.
    package: Package,
}

/// A filled template.
#[derive(Debug, Clone)]
pub struct FilledTemplate {
    /// The XLSX file.
    pub bytes: Vec<u8>,
    /// Cells whose placeholders were replaced.
    pub cells: usize,
    /// Rows written from repeated rows.
    pub rows: usize,
    /// Sheets written (repeated sheets count once per copy).
    pub sheets: Vec<String>,
    /// Formulas whose value was computed by the independent engine and cached in the cell.
    pub cached: usize,
    /// Formulas left without a cached value (the engine could not compute them; Excel and
    /// LibreOffice compute them on opening).
    pub uncached: usize,
}

impl WorkbookTemplate {
    /// A shipped template by name (see [`BUILTIN_WORKBOOK_TEMPLATES`]).
    pub fn builtin(name: &str) -> Option<Result<WorkbookTemplate, TemplateError>> {
        let bytes = match name {
            "cremona" => CREMONA_TEMPLATE,
            _ => return None,
        };
        Some(WorkbookTemplate::from_bytes(name, bytes.to_vec(), None))
    }

    /// Reads a template file (`.xlsx`).
    pub fn from_path(path: &Path) -> Result<WorkbookTemplate, TemplateError> {
        let bytes = std::fs::read(path).map_err(|source| TemplateError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let name = path
            .file_stem()
            .map_or_else(|| "modello".into(), |s| s.to_string_lossy().into_owned());
        WorkbookTemplate::from_bytes(&name, bytes, Some(path))
    }

    /// A template from its bytes; `path` names it in errors.
    pub fn from_bytes(
        name: &str,
        bytes: Vec<u8>,
        path: Option<&Path>,
    ) -> Result<WorkbookTemplate, TemplateError> {
        let file = template_file(name, path);
        // Read now, not at every fill: a file that is not a workbook fails here.
        let package = Package::read(&bytes).map_err(invalid(&file))?;
        Ok(WorkbookTemplate {
            name: name.to_string(),
            path: path.map(Path::to_path_buf),
            sha256: super::sha256_hex(&bytes),
            package,
        })
    }

    fn file_name(&self) -> String {
        template_file(&self.name, self.path.as_deref())
    }

    /// Fills the template with an evaluation.
    pub fn fill(
        &self,
        ev: &Evaluation,
        provenance: &Provenance,
    ) -> Result<FilledTemplate, TemplateError> {
        let file = self.file_name();
        let mut pkg = self.package.clone();
        let strings = pkg.shared_strings();
        let globals = TitleValues::new(ev, provenance);
        let book = BookXml::read(&pkg, &file)?;
        let mut out = FilledTemplate {
            bytes: Vec::new(),
            cells: 0,
            rows: 0,
            sheets: Vec::new(),
            cached: 0,
            uncached: 0,
        };
        let mut new_sheets: Vec<SheetEntry> = Vec::new();
        let mut next_part = pkg.max_sheet_part() + 1;
        let mut used_names: Vec<String> = Vec::new();
        for sheet in &book.sheets {
            let xml = pkg.text(&sheet.part).map_err(invalid(&file))?;
            if !sheet.name.contains("{{area.") {
                let ctx = Scope::All;
                let filled = fill_sheet(&xml, &strings, ev, &globals, &ctx, &sheet.name, &file)?;
                out.cells += filled.cells;
                out.rows += filled.rows;
                grow_tables(&mut pkg, &sheet.part, &filled.map).map_err(invalid(&file))?;
                pkg.put(&sheet.part, filled.xml.into_bytes());
                used_names.push(sheet.name.clone());
                new_sheets.push(SheetEntry {
                    name: sheet.name.clone(),
                    rel_id: sheet.rel_id.clone(),
                    part: sheet.part.clone(),
                    template_index: sheet.index,
                    copy: 0,
                });
                continue;
            }
            // One copy per top area.
            for (k, (area, outcome)) in ev.ente.areas.iter().zip(&ev.areas).enumerate() {
                let name = unique_sheet_name(
                    &fill_text(&sheet.name, &|n| {
                        globals.value(n, &Ctx::area(area, outcome), ev)
                    })
                    .map_err(|n| unknown(&file, &sheet.name, "nome del foglio", &n))?,
                    &used_names,
                );
                used_names.push(name.clone());
                let ctx = Scope::Area(area, outcome);
                let filled = fill_sheet(&xml, &strings, ev, &globals, &ctx, &name, &file)?;
                out.cells += filled.cells;
                out.rows += filled.rows;
                let mut sheet_xml = filled.xml;
                let (part, rel_id) = if k == 0 {
                    (sheet.part.clone(), sheet.rel_id.clone())
                } else {
                    // Copies share no parts: drawings, tables and printer settings stay
                    // with the first copy.
                    sheet_xml = strip_relations(&sheet_xml).replacen(" tabSelected=\"1\"", "", 1);
                    let part = format!("xl/worksheets/sheet{next_part}.xml");
                    next_part += 1;
                    (part, format!("rIdBarometro{next_part}"))
                };
                if k == 0 {
                    grow_tables(&mut pkg, &sheet.part, &filled.map).map_err(invalid(&file))?;
                }
                pkg.put(&part, sheet_xml.into_bytes());
                new_sheets.push(SheetEntry {
                    name,
                    rel_id,
                    part,
                    template_index: sheet.index,
                    copy: k,
                });
            }
            if ev.ente.areas.is_empty() {
                return Err(TemplateError::Invalid {
                    file,
                    message: format!(
                        "il foglio «{}» si ripete per ogni area, ma il file non ha aree",
                        sheet.name
                    ),
                });
            }
        }
        book.write(&mut pkg, &new_sheets, &file)?;
        out.sheets = new_sheets.iter().map(|s| s.name.clone()).collect();
        let bytes = pkg.finish().map_err(invalid(&file))?;
        // Cached values for the template's formulas, computed by the independent engine, so
        // that programs which do not recalculate show them too.
        out.bytes = match cache_values(&bytes, &mut pkg, &new_sheets) {
            Some((cached_bytes, cached, uncached)) => {
                out.cached = cached;
                out.uncached = uncached;
                cached_bytes
            }
            None => {
                out.uncached = count_formulas(&pkg);
                bytes
            }
        };
        Ok(out)
    }
}

/// The number of formula cells in a package's sheets.
fn count_formulas(pkg: &Package) -> usize {
    pkg.names()
        .filter(|n| n.starts_with("xl/worksheets/sheet"))
        .filter_map(|n| pkg.text(n).ok())
        .map(|xml| xml.matches("<f>").count())
        .sum()
}

/// Recalculates the filled workbook with formualizer and writes every formula's value in its
/// cell. `None` when the engine cannot open or evaluate the workbook (the values are then left
/// to Excel's recalculation on opening).
fn cache_values(
    bytes: &[u8],
    pkg: &mut Package,
    sheets: &[SheetEntry],
) -> Option<(Vec<u8>, usize, usize)> {
    use formualizer::workbook::{
        LiteralValue, LoadStrategy, NativeXlsxAdapter, SpreadsheetReader, Workbook, WorkbookConfig,
    };
    let adapter = NativeXlsxAdapter::open_bytes(bytes.to_vec()).ok()?;
    let mut config = WorkbookConfig::ephemeral();
    config.eval.temporal_egress = formualizer::TemporalEgress::Serial;
    let mut wb = Workbook::from_reader(adapter, LoadStrategy::EagerAll, config).ok()?;
    wb.evaluate_all().ok()?;
    let (mut cached, mut uncached) = (0, 0);
    for sheet in sheets {
        let xml = pkg.text(&sheet.part).ok()?;
        let mut out = String::with_capacity(xml.len() + 1024);
        let mut rest: &str = &xml;
        while let Some(p) = find_tag(rest, "c") {
            let after = &rest[p..];
            let te = after.find('>').map_or(after.len(), |e| e + 1);
            let end = if after[..te].ends_with("/>") {
                te
            } else {
                after.find("</c>").map_or(after.len(), |e| e + 4)
            };
            let cell = &after[..end];
            out.push_str(&rest[..p]);
            rest = &after[end..];
            if !cell.contains("<f>") || cell.contains("<v>") {
                out.push_str(cell);
                continue;
            }
            let at = attr(&after[..te], "r").and_then(|r| parse_ref(r, 0));
            let value =
                at.and_then(|at| wb.get_value(&sheet.name, at.row, column_index(&at.col) + 1));
            let (t, v) = match value {
                Some(LiteralValue::Number(n)) if n.is_finite() => (None, number_xml(n)),
                Some(LiteralValue::Int(i)) => (None, i.to_string()),
                Some(LiteralValue::Text(t)) => (Some("str"), escape(&t)),
                Some(LiteralValue::Boolean(b)) => (Some("b"), if b { "1" } else { "0" }.into()),
                _ => {
                    uncached += 1;
                    out.push_str(cell);
                    continue;
                }
            };
            cached += 1;
            let open = &cell[..te];
            let open = match t {
                Some(t) => set_attr(open, "t", t),
                None => open.to_string(),
            };
            let body = &cell[te..cell.len() - 4];
            out.push_str(&open);
            out.push_str(body);
            out.push_str(&format!("<v>{v}</v></c>"));
        }
        out.push_str(rest);
        pkg.put(&sheet.part, out.into_bytes());
    }
    let bytes = pkg.finish().ok()?;
    Some((bytes, cached, uncached))
}

/// How errors name a template: its path, or the built-in name.
fn template_file(name: &str, path: Option<&Path>) -> String {
    path.map_or_else(
        || format!("modello incorporato «{name}»"),
        |p| p.display().to_string(),
    )
}

/// A package error as a template error naming the file.
fn invalid(file: &str) -> impl Fn(String) -> TemplateError + '_ {
    move |message| TemplateError::Invalid {
        file: file.to_string(),
        message,
    }
}

/// What an unknown placeholder is told, and where the list is.
const NOT_A_PLACEHOLDER: &str =
    "non è un segnaposto di barometro; quelli possibili sono elencati nel README, sezione «Templates»";

fn unknown(file: &str, sheet: &str, cell: &str, name: &str) -> TemplateError {
    TemplateError::Invalid {
        file: file.to_string(),
        message: format!("foglio «{sheet}», {cell}: «{{{{{name}}}}}» {NOT_A_PLACEHOLDER}"),
    }
}

/// Excel's limits on a sheet name, applied to a filled name; repeated names get ` (2)`.
fn unique_sheet_name(name: &str, used: &[String]) -> String {
    let clean: String = name
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .collect::<String>()
        .trim_matches('\'')
        .trim()
        .to_string();
    let clean = if clean.is_empty() {
        "Area".to_string()
    } else {
        clean
    };
    let cut = |s: &str, n: usize| s.chars().take(n).collect::<String>();
    let mut candidate = cut(&clean, 31).trim_end().to_string();
    let mut n = 2;
    while used
        .iter()
        .any(|u| u.to_lowercase() == candidate.to_lowercase())
    {
        let suffix = format!(" ({n})");
        candidate = format!(
            "{}{suffix}",
            cut(&clean, 31 - suffix.chars().count()).trim_end()
        );
        n += 1;
    }
    candidate
}

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

/// What a placeholder stands for.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Number(f64),
    Text(String),
    Empty,
}

/// The placeholders' values: those that do not depend on the row are the titles'
/// ([`TitleValues`]), the others come from the row's context.
impl TitleValues<'_> {
    /// The value of `name` in `ctx`; `None` for an unknown placeholder.
    fn value(&self, name: &str, ctx: &Ctx<'_>, ev: &Evaluation) -> Option<Cell> {
        let score = |v: Option<f64>| {
            v.filter(|x| x.is_finite())
                .map_or(Cell::Empty, Cell::Number)
        };
        let text = |t: &str| Cell::Text(t.to_string());
        let field = |f: Option<&crate::model::Field>| match InputValue::of(f) {
            InputValue::Number(n) if n.is_finite() => Cell::Number(n),
            InputValue::Date(d) => Cell::Number(super::excel_serial(d)),
            InputValue::Empty => f.map_or(Cell::Empty, |f| text(f.text())),
            InputValue::Text(t) => text(t),
            InputValue::Number(_) => Cell::Empty,
        };
        let (scope, key) = name.split_once('.').unwrap_or(("", name));
        Some(match (scope, key) {
            ("", "ente") => text(self.ente),
            ("", "anno") => self
                .anno
                .map_or(Cell::Empty, |a| Cell::Number(f64::from(a))),
            ("", "regole") => text(self.regole),
            ("", "file") => text(self.file),
            ("", "data") => text(&self.data),
            ("totale", "raggiungimento") => score(ev.score.value),
            ("totale", "barometro") => text(ev.bands.label_of(ev.score.value)),
            ("totale", "atteso") => score(ev.expected.value),
            ("area", k) => {
                let Some((a, o)) = ctx.area else {
                    return Some(Cell::Empty);
                };
                match k {
                    "nome" => text(&a.name),
                    "tipo" => text(&a.kind),
                    "foglio" => text(a.source.as_ref().map_or(&*a.name, |s| &*s.sheet)),
                    "raggiungimento" => score(o.score.value),
                    "barometro" => text(ev.bands.label_of(o.score.value)),
                    "atteso" => score(o.expected.value),
                    "giudizio" => o.judgement.as_deref().map_or(Cell::Empty, text),
                    "obiettivi" => Cell::Number(a.all_objectives().count() as f64),
                    _ => return None,
                }
            }
            ("settore", "nome") => ctx.sub.map_or(Cell::Empty, |(s, _)| text(&s.name)),
            ("obiettivo", k) => {
                let Some((obj, o)) = ctx.objective else {
                    return Some(Cell::Empty);
                };
                let opt =
                    |f: Option<&crate::model::Field>| f.map_or(Cell::Empty, |f| text(f.text()));
                match k {
                    "codice" => opt(obj.code.as_ref()),
                    "titolo" => opt(obj.title.as_ref()),
                    "descrizione" => opt(obj.description.as_ref()),
                    "responsabile" => opt(obj.responsible.as_ref()),
                    "priorita" => field(obj.priority.as_ref()),
                    "nota" => opt(obj.note.as_ref()),
                    "peso_foglio" => field(obj.weight.as_ref()),
                    "peso" => score(o.weight.value),
                    "raggiungimento" => score(o.score.value),
                    "barometro" => text(ev.bands.label_of(o.score.value)),
                    "atteso" => score(o.expected.value),
                    "giudizio" => o.judgement.as_deref().map_or(Cell::Empty, text),
                    "indicatori" => Cell::Number(obj.indicators.len() as f64),
                    "cella" => text(&obj.source.to_string()),
                    _ => return None,
                }
            }
            ("indicatore", k) => {
                let Some((ind, o)) = ctx.indicator else {
                    return Some(Cell::Empty);
                };
                match k {
                    "nome" => field(ind.get(IndicatorValue::Name)),
                    "metodo" => text(&o.method),
                    "raggiungimento" => score(o.score.value),
                    "barometro" => text(ev.bands.label_of(o.score.value)),
                    "cella" => text(&ind.source.to_string()),
                    "raggiungimento_foglio" => field(ind.get(IndicatorValue::StatedAchievement)),
                    "barometro_foglio" => field(ind.get(IndicatorValue::StatedBarometer)),
                    "metodo_foglio" => field(ind.get(IndicatorValue::Method)),
                    other => {
                        let (_, v) = INDICATOR_FIELDS.iter().find(|(n, _)| *n == other)?;
                        field(ind.get(*v))
                    }
                }
            }
            _ => return None,
        })
    }
}

/// An area with its outcome.
type AreaPair<'e> = (&'e Area, &'e AreaOutcome);

/// Where a row of a sheet is: its area, sub-area, objective, indicator.
#[derive(Clone, Copy, Default)]
struct Ctx<'e> {
    area: Option<(&'e Area, &'e AreaOutcome)>,
    sub: Option<(&'e Area, &'e AreaOutcome)>,
    objective: Option<(&'e Objective, &'e ObjectiveOutcome)>,
    indicator: Option<(&'e Indicator, &'e IndicatorOutcome)>,
}

impl<'e> Ctx<'e> {
    fn area(a: &'e Area, o: &'e AreaOutcome) -> Ctx<'e> {
        Ctx {
            area: Some((a, o)),
            ..Ctx::default()
        }
    }
}

/// The areas a sheet covers.
enum Scope<'e> {
    All,
    Area(&'e Area, &'e AreaOutcome),
}

/// What a row repeats over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Repeat {
    Once,
    Area,
    Objective,
    Indicator,
}

impl<'e> Scope<'e> {
    fn areas(&self, ev: &'e Evaluation) -> Vec<(&'e Area, &'e AreaOutcome)> {
        match self {
            Scope::All => ev.ente.areas.iter().zip(&ev.areas).collect(),
            Scope::Area(a, o) => vec![(*a, *o)],
        }
    }

    /// The contexts of a row that repeats `repeat`.
    fn contexts(&self, ev: &'e Evaluation, repeat: Repeat) -> Vec<Ctx<'e>> {
        let areas = self.areas(ev);
        let base = match self {
            Scope::All => Ctx::default(),
            Scope::Area(a, o) => Ctx::area(a, o),
        };
        match repeat {
            Repeat::Once => vec![base],
            Repeat::Area => areas.into_iter().map(|(a, o)| Ctx::area(a, o)).collect(),
            Repeat::Objective | Repeat::Indicator => {
                let mut out = Vec::new();
                for (a, ao) in areas {
                    let mut groups: Vec<(Option<AreaPair<'e>>, AreaPair<'e>)> =
                        vec![(None, (a, ao))];
                    for (s, so) in a.areas.iter().zip(&ao.areas) {
                        groups.push((Some((s, so)), (s, so)));
                    }
                    for (sub, (holder, outcome)) in groups {
                        for (obj, oo) in holder.objectives.iter().zip(&outcome.objectives) {
                            let ctx = Ctx {
                                area: Some((a, ao)),
                                sub,
                                objective: Some((obj, oo)),
                                indicator: None,
                            };
                            if repeat == Repeat::Objective {
                                out.push(ctx);
                            } else {
                                for (i, io) in obj.indicators.iter().zip(&oo.indicators) {
                                    out.push(Ctx {
                                        indicator: Some((i, io)),
                                        ..ctx
                                    });
                                }
                            }
                        }
                    }
                }
                out
            }
        }
    }
}

/// Replaces every `{{name}}` in `text`; numbers in Italian. `Err(name)` for an unknown one.
fn fill_text(text: &str, value: &dyn Fn(&str) -> Option<Cell>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            out.push_str(&rest[open..]);
            return Ok(out);
        };
        let name = after[..close].trim();
        match value(name) {
            Some(Cell::Number(n)) => out.push_str(&crate::value::format_number_it(n)),
            Some(Cell::Text(t)) => out.push_str(&t),
            Some(Cell::Empty) => {}
            None => return Err(name.to_string()),
        }
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The placeholders in a text.
fn placeholders(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else { break };
        out.push(after[..close].trim());
        rest = &after[close + 2..];
    }
    out
}

fn repeat_of(name: &str) -> Repeat {
    match name.split_once('.').map(|(s, _)| s) {
        Some("indicatore") => Repeat::Indicator,
        Some("obiettivo") | Some("settore") => Repeat::Objective,
        Some("area") => Repeat::Area,
        _ => Repeat::Once,
    }
}

// ---------------------------------------------------------------------------------------------
// Rows and references
// ---------------------------------------------------------------------------------------------

/// Where each template row went: `old row → (first, last)` new rows (1-based); a repeated
/// row with no items maps to `None`.
#[derive(Debug, Default)]
struct RowMap {
    /// Sorted by old row: (old, first new, count).
    moved: Vec<(u32, u32, u32)>,
}

impl RowMap {
    /// The new rows of `old` (1-based): first and last; rows not in the sheet data keep
    /// their distance from the last row above them.
    fn get(&self, old: u32) -> Option<(u32, u32)> {
        match self.moved.binary_search_by_key(&old, |m| m.0) {
            Ok(i) => {
                let (_, first, count) = self.moved[i];
                (count > 0).then(|| (first, first + count - 1))
            }
            Err(0) => Some((old, old)),
            Err(i) => {
                let (o, first, count) = self.moved[i - 1];
                let base = if count == 0 { first } else { first + count - 1 };
                let n = base + (old - o);
                Some((n, n))
            }
        }
    }

    fn first(&self, old: u32) -> u32 {
        self.get(old).map_or_else(|| self.after(old), |(f, _)| f)
    }

    fn last(&self, old: u32) -> u32 {
        self.get(old)
            .map_or_else(|| self.after(old).saturating_sub(1).max(1), |(_, l)| l)
    }

    /// The new row after a removed row.
    fn after(&self, old: u32) -> u32 {
        self.get(old + 1).map_or(old, |(f, _)| f)
    }

    /// Whether `old` was repeated (more than one copy or none).
    fn repeated(&self, old: u32) -> bool {
        self.moved
            .binary_search_by_key(&old, |m| m.0)
            .is_ok_and(|i| self.moved[i].2 != 1)
    }
}

/// A cell reference found in a formula: byte span, column part and row.
struct Reference {
    start: usize,
    end: usize,
    col: String,
    row_abs: bool,
    row: u32,
}

/// The A1 references in a formula outside string literals, with their sheet prefix when
/// they have one (`'Sheet'!A1`, `Sheet!A1`).
fn references(formula: &str) -> Vec<(Option<String>, Reference)> {
    let b = formula.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut sheet: Option<String> = None;
    while i < b.len() {
        let c = b[i];
        if c == b'"' {
            i += 1;
            while i < b.len() && !(b[i] == b'"' && b.get(i + 1) != Some(&b'"')) {
                i += if b[i] == b'"' { 2 } else { 1 };
            }
            i += 1;
            sheet = None;
            continue;
        }
        if c == b'\'' {
            let start = i + 1;
            i += 1;
            while i < b.len() && !(b[i] == b'\'' && b.get(i + 1) != Some(&b'\'')) {
                i += if b[i] == b'\'' { 2 } else { 1 };
            }
            let name = formula[start..i.min(b.len())].replace("''", "'");
            i += 1;
            if b.get(i) == Some(&b'!') {
                sheet = Some(name);
                i += 1;
            }
            continue;
        }
        // A token: letters, digits, $, _, ., \
        if c.is_ascii_alphanumeric() || c == b'$' || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b"$_.\\".contains(&b[i])) {
                i += 1;
            }
            let token = &formula[start..i];
            if b.get(i) == Some(&b'!') {
                sheet = Some(token.to_string());
                i += 1;
                continue;
            }
            // A function name is followed by '('.
            if b.get(i) == Some(&b'(') {
                sheet = None;
                continue;
            }
            if let Some(r) = parse_ref(token, start) {
                out.push((sheet.take(), r));
            } else {
                sheet = None;
            }
            continue;
        }
        if c != b':' {
            sheet = None;
        }
        i += 1;
    }
    out
}

fn parse_ref(token: &str, start: usize) -> Option<Reference> {
    let t = token.as_bytes();
    let mut i = 0;
    if t.first() == Some(&b'$') {
        i += 1;
    }
    let col_start = i;
    while i < t.len() && t[i].is_ascii_alphabetic() {
        i += 1;
    }
    let letters = &token[col_start..i];
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let row_abs = t.get(i) == Some(&b'$');
    if row_abs {
        i += 1;
    }
    let digits = &token[i..];
    if digits.is_empty() || !digits.bytes().all(|d| d.is_ascii_digit()) {
        return None;
    }
    let row: u32 = digits.parse().ok()?;
    if row == 0 || row > 1_048_576 {
        return None;
    }
    Some(Reference {
        start,
        end: start + token.len(),
        col: token[..col_start + letters.len()].to_string(),
        row_abs,
        row,
    })
}

/// Moves the references of a formula to this sheet's new rows. `copy`: in a repeated row's
/// copy `k`, references to that row (relative ones) go to the copy.
fn shift_formula(
    formula: &str,
    map: &RowMap,
    this_sheet: &str,
    copy: Option<(u32, u32)>,
) -> String {
    let refs = references(formula);
    if refs.is_empty() {
        return formula.to_string();
    }
    let mut out = String::with_capacity(formula.len() + 8);
    let mut last = 0;
    let mut other_sheet = false;
    for (sheet, r) in refs.iter() {
        // Is this the end of a range `A1:B2`? It belongs to the sheet of the range's start.
        let is_end = formula[..r.start].ends_with(':');
        if !is_end {
            other_sheet = sheet.as_ref().is_some_and(|s| s != this_sheet);
        }
        if other_sheet {
            continue;
        }
        let new_row = match copy {
            // In a copy, its own row's relative references (and ranges) go to the copy.
            Some((template_row, k)) if r.row == template_row && !r.row_abs => map.first(r.row) + k,
            _ if is_end => map.last(r.row),
            _ => map.first(r.row),
        };
        out.push_str(&formula[last..r.start]);
        out.push_str(&r.col);
        if r.row_abs {
            out.push('$');
        }
        out.push_str(&new_row.to_string());
        last = r.end;
    }
    out.push_str(&formula[last..]);
    out
}

/// Moves a space-separated list of ranges (`sqref`, `ref`): a range over a repeated row grows
/// to all its copies.
fn shift_ranges(sqref: &str, map: &RowMap) -> String {
    sqref
        .split_whitespace()
        .filter_map(|range| {
            let (a, b) = range.split_once(':').unwrap_or((range, range));
            let ra = parse_ref(a, 0)?;
            let rb = parse_ref(b, 0)?;
            let first = map.first(ra.row);
            let last = map.last(rb.row);
            if last < first {
                return None;
            }
            let cell = |r: &Reference, row: u32| {
                format!("{}{}{row}", r.col, if r.row_abs { "$" } else { "" })
            };
            // A single cell of a repeated row becomes the column of its copies.
            Some(if range.contains(':') || last > first {
                format!("{}:{}", cell(&ra, first), cell(&rb, last))
            } else {
                cell(&ra, first)
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

// ---------------------------------------------------------------------------------------------
// Sheet XML
// ---------------------------------------------------------------------------------------------

struct FilledSheet {
    xml: String,
    map: RowMap,
    cells: usize,
    rows: usize,
}

/// A `<row>` element split into its start tag and cells.
struct RowXml<'x> {
    number: u32,
    start_tag: &'x str,
    cells: Vec<&'x str>,
    self_closing: bool,
}

fn split_rows(sheet_data: &str) -> Vec<RowXml<'_>> {
    let mut rows = Vec::new();
    let mut rest = sheet_data;
    let mut implicit = 0;
    while let Some(pos) = find_tag(rest, "row") {
        rest = &rest[pos..];
        let tag_end = rest.find('>').map_or(rest.len(), |e| e + 1);
        let start_tag = &rest[..tag_end];
        implicit += 1;
        let number = attr(start_tag, "r")
            .and_then(|r| r.parse().ok())
            .unwrap_or(implicit);
        implicit = number;
        if start_tag.ends_with("/>") {
            rows.push(RowXml {
                number,
                start_tag,
                cells: Vec::new(),
                self_closing: true,
            });
            rest = &rest[tag_end..];
            continue;
        }
        let close = rest.find("</row>").unwrap_or(rest.len());
        let body = &rest[tag_end..close];
        let mut cells = Vec::new();
        let mut b = body;
        while let Some(cp) = find_tag(b, "c") {
            b = &b[cp..];
            let te = b.find('>').map_or(b.len(), |e| e + 1);
            let end = if b[..te].ends_with("/>") {
                te
            } else {
                b.find("</c>").map_or(b.len(), |e| e + 4)
            };
            cells.push(&b[..end]);
            b = &b[end..];
        }
        rows.push(RowXml {
            number,
            start_tag,
            cells,
            self_closing: false,
        });
        rest = &rest[(close + 6).min(rest.len())..];
    }
    rows
}

/// A cell's text when it is a string (shared or inline).
fn cell_text(cell: &str, strings: &[String]) -> Option<String> {
    let tag_end = cell.find('>')?;
    let tag = &cell[..tag_end];
    match attr(tag, "t") {
        Some("s") => {
            let v = element_text(cell, "v")?;
            strings.get(v.trim().parse::<usize>().ok()?).cloned()
        }
        Some("inlineStr") => Some(text_of(cell)),
        Some("str") if !cell.contains("<f") => element_text(cell, "v").map(|v| unescape(&v)),
        _ => None,
    }
}

fn element_text(xml: &str, name: &str) -> Option<String> {
    let p = find_tag(xml, name)?;
    let after = &xml[p..];
    let te = after.find('>')?;
    if after[..te].ends_with('/') {
        return Some(String::new());
    }
    let body = &after[te + 1..];
    let end = body.find(&format!("</{name}>"))?;
    Some(body[..end].to_string())
}

/// The new XML of one cell at row `new_row`.
#[allow(clippy::too_many_arguments)]
fn write_cell(
    out: &mut String,
    cell: &str,
    new_row: u32,
    strings: &[String],
    value: &dyn Fn(&str) -> Option<Cell>,
    map: &RowMap,
    sheet: &str,
    copy: Option<(u32, u32)>,
    shared: &SharedFormulas,
    filled: &mut usize,
    where_: &dyn Fn() -> String,
) -> Result<(), String> {
    let tag_end = cell.find('>').map_or(cell.len(), |e| e + 1);
    let tag = &cell[..tag_end];
    let col = attr(tag, "r").map(|r| r.trim_end_matches(|c: char| c.is_ascii_digit()).to_string());
    let mut new_tag = match &col {
        Some(c) => set_attr(tag, "r", &format!("{c}{new_row}")),
        None => tag.to_string(),
    };
    if let Some(text) = cell_text(cell, strings) {
        let names = placeholders(&text);
        if !names.is_empty() {
            *filled += 1;
            new_tag = remove_attr(&new_tag, "t");
            let open = new_tag
                .trim_end_matches("/>")
                .trim_end_matches('>')
                .to_string();
            let trimmed = text.trim();
            let single = names.len() == 1
                && trimmed.starts_with("{{")
                && trimmed.ends_with("}}")
                && trimmed[2..trimmed.len() - 2].trim() == names[0];
            if single {
                match value(names[0]) {
                    None => return Err(format!("{}: «{{{{{}}}}}»", where_(), names[0])),
                    Some(Cell::Number(n)) => {
                        out.push_str(&format!("{open}><v>{}</v></c>", number_xml(n)));
                        return Ok(());
                    }
                    Some(Cell::Empty) => {
                        out.push_str(&format!("{open}/>"));
                        return Ok(());
                    }
                    Some(Cell::Text(t)) => {
                        out.push_str(&inline(&open, &t));
                        return Ok(());
                    }
                }
            }
            let t = fill_text(&text, value).map_err(|n| format!("{}: «{{{{{n}}}}}»", where_()))?;
            out.push_str(&inline(&open, &t));
            return Ok(());
        }
    }
    if tag.ends_with("/>") {
        out.push_str(&new_tag);
        return Ok(());
    }
    let body = &cell[tag_end..cell.len().saturating_sub(4)];
    if let Some(fp) = find_tag(body, "f") {
        // A formula: moved references, no stale cached value.
        let f_after = &body[fp..];
        let f_tag_end = f_after.find('>').map_or(f_after.len(), |e| e + 1);
        let f_tag = &f_after[..f_tag_end];
        let mut f_new_tag = f_tag.to_string();
        let own_text = (!f_tag.ends_with("/>")).then(|| {
            let rest = &f_after[f_tag_end..];
            let end = rest.find("</f>").unwrap_or(rest.len());
            unescape(&rest[..end])
        });
        let formula = if attr(f_tag, "t") == Some("shared") {
            // Shared formulas (Excel's fill-down storage) become plain ones: each copy of a
            // row needs its own.
            f_new_tag = "<f>".to_string();
            let at = attr(tag, "r").and_then(|r| parse_ref(r, 0));
            match (
                own_text,
                attr(f_tag, "si").and_then(|si| shared.get(si)),
                at,
            ) {
                (Some(t), _, _) => Some(t),
                (None, Some((master, mrow, mcol)), Some(at)) => Some(translate(
                    master,
                    i64::from(at.row) - i64::from(*mrow),
                    i64::from(column_index(&at.col)) - i64::from(*mcol),
                )),
                _ => None,
            }
        } else {
            if let Some(r) = attr(f_tag, "ref") {
                f_new_tag = set_attr(&f_new_tag, "ref", &shift_ranges(r, map));
            }
            own_text
        };
        if f_new_tag.ends_with("/>") && formula.is_some() {
            f_new_tag = format!("{}>", f_new_tag.trim_end_matches("/>"));
        }
        let formula_xml = match formula {
            Some(f) => format!("{}</f>", escape(&shift_formula(&f, map, sheet, copy))),
            None => String::new(),
        };
        let new_tag = remove_attr(&new_tag, "t");
        out.push_str(&new_tag);
        out.push_str(&f_new_tag);
        out.push_str(&formula_xml);
        out.push_str("</c>");
        return Ok(());
    }
    out.push_str(&new_tag);
    out.push_str(body);
    out.push_str("</c>");
    Ok(())
}

/// The shared formulas of a sheet: `si` → (formula, row (1-based), column (0-based)) of the
/// cell that holds the text.
type SharedFormulas = BTreeMap<String, (String, u32, u32)>;

fn shared_formulas(rows: &[RowXml<'_>]) -> SharedFormulas {
    let mut out = SharedFormulas::new();
    for row in rows {
        for cell in &row.cells {
            let Some(fp) = find_tag(cell, "f") else {
                continue;
            };
            let f = &cell[fp..];
            let te = f.find('>').map_or(f.len(), |e| e + 1);
            let ftag = &f[..te];
            if attr(ftag, "t") != Some("shared") || ftag.ends_with("/>") {
                continue;
            }
            let (Some(si), Some(at)) = (
                attr(ftag, "si"),
                attr(&cell[..cell.find('>').unwrap_or(0)], "r").and_then(|r| parse_ref(r, 0)),
            ) else {
                continue;
            };
            let body = &f[te..];
            let text = unescape(&body[..body.find("</f>").unwrap_or(body.len())]);
            out.insert(si.to_string(), (text, at.row, column_index(&at.col)));
        }
    }
    out
}

/// The zero-based index of a column's letters (`$` ignored).
fn column_index(letters: &str) -> u32 {
    letters
        .trim_start_matches('$')
        .bytes()
        .fold(0u32, |n, b| {
            n * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1)
        })
        .saturating_sub(1)
}

/// A formula moved by `rows` and `cols`, as Excel moves a copied formula: relative parts move,
/// `$` parts stay.
fn translate(formula: &str, rows: i64, cols: i64) -> String {
    let mut out = String::with_capacity(formula.len() + 4);
    let mut last = 0;
    for (_, r) in references(formula) {
        let col_abs = r.col.starts_with('$');
        let col = if col_abs {
            r.col.clone()
        } else {
            let c = (i64::from(column_index(&r.col)) + cols).max(0) as u32;
            crate::model::column_letters(c)
        };
        let row = if r.row_abs {
            i64::from(r.row)
        } else {
            (i64::from(r.row) + rows).max(1)
        };
        out.push_str(&formula[last..r.start]);
        out.push_str(&col);
        if r.row_abs {
            out.push('$');
        }
        out.push_str(&row.to_string());
        last = r.end;
    }
    out.push_str(&formula[last..]);
    out
}

fn inline(open: &str, text: &str) -> String {
    format!(
        "{} t=\"inlineStr\"><is><t xml:space=\"preserve\">{}</t></is></c>",
        open,
        escape(text)
    )
}

fn number_xml(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

#[allow(clippy::too_many_arguments)]
fn fill_sheet(
    xml: &str,
    strings: &[String],
    ev: &Evaluation,
    globals: &TitleValues<'_>,
    scope: &Scope<'_>,
    sheet_name: &str,
    file: &str,
) -> Result<FilledSheet, TemplateError> {
    let (Some(sd_start), Some(sd_end)) = (find_tag(xml, "sheetData"), xml.find("</sheetData>"))
    else {
        // An empty sheet (`<sheetData/>`): only its name may hold placeholders.
        return Ok(FilledSheet {
            xml: xml.to_string(),
            map: RowMap::default(),
            cells: 0,
            rows: 0,
        });
    };
    let sd_tag_end = xml[sd_start..]
        .find('>')
        .map_or(xml.len(), |e| sd_start + e + 1);
    let rows = split_rows(&xml[sd_tag_end..sd_end]);
    let shared = shared_formulas(&rows);

    // What each row repeats over, and the contexts.
    let mut plans: Vec<(Repeat, Vec<Ctx<'_>>)> = Vec::with_capacity(rows.len());
    for row in &rows {
        let mut repeat = Repeat::Once;
        for c in &row.cells {
            if let Some(t) = cell_text(c, strings) {
                for n in placeholders(&t) {
                    repeat = repeat.max(repeat_of(n));
                }
            }
        }
        if repeat == Repeat::Area && matches!(scope, Scope::Area(..)) {
            repeat = Repeat::Once;
        }
        plans.push((repeat, scope.contexts(ev, repeat)));
    }
    let mut map = RowMap::default();
    let mut next = 1u32;
    let mut prev_old = 0u32;
    for (row, (repeat, ctxs)) in rows.iter().zip(&plans) {
        next += row.number.saturating_sub(prev_old + 1);
        let count = if *repeat == Repeat::Once {
            1
        } else {
            ctxs.len() as u32
        };
        map.moved.push((row.number, next, count));
        next += count;
        prev_old = row.number;
    }

    let mut out = String::with_capacity(xml.len() * 2);
    out.push_str(&xml[..sd_tag_end]);
    let mut cells = 0usize;
    let mut written_rows = 0usize;
    for (row, (repeat, ctxs)) in rows.iter().zip(&plans) {
        let first = map.first(row.number);
        let repeated = *repeat != Repeat::Once;
        for (k, ctx) in ctxs.iter().enumerate() {
            let new_row = first + k as u32;
            let value = |n: &str| globals.value(n, ctx, ev);
            out.push_str(&set_attr(row.start_tag, "r", &new_row.to_string()));
            if row.self_closing {
                continue;
            }
            let copy = repeated.then_some((row.number, k as u32));
            for cell in &row.cells {
                let where_ = || {
                    let tag = &cell[..cell.find('>').unwrap_or(cell.len())];
                    format!(
                        "foglio «{sheet_name}», cella {}",
                        attr(tag, "r").unwrap_or("?")
                    )
                };
                write_cell(
                    &mut out, cell, new_row, strings, &value, &map, sheet_name, copy, &shared,
                    &mut cells, &where_,
                )
                .map_err(|m| TemplateError::Invalid {
                    file: file.to_string(),
                    message: format!("{m} {NOT_A_PLACEHOLDER}"),
                })?;
            }
            out.push_str("</row>");
            if repeated {
                written_rows += 1;
            }
        }
    }
    let sheet_ctx = match scope {
        Scope::All => Ctx::default(),
        Scope::Area(a, o) => Ctx::area(a, o),
    };
    let sheet_value = |n: &str| globals.value(n, &sheet_ctx, ev);
    let mut tail = shift_tail(&xml[sd_end..], &map, sheet_name, &sheet_value).map_err(|m| {
        TemplateError::Invalid {
            file: file.to_string(),
            message: format!("{m} {NOT_A_PLACEHOLDER}"),
        }
    })?;
    if let Some(p) = find_tag(&tail, "mergeCells") {
        let e = tail[p..].find('>').map_or(tail.len(), |x| p + x + 1);
        let count = tail.matches("<mergeCell ").count();
        let tag = set_attr(&tail[p..e], "count", &count.to_string());
        tail.replace_range(p..e, &tag);
    }
    let head = shift_head(&out, &map);
    let mut xml_out = head;
    xml_out.push_str(&tail);
    Ok(FilledSheet {
        xml: xml_out,
        map,
        cells,
        rows: written_rows,
    })
}

/// The `<dimension>` before sheetData.
fn shift_head(head: &str, map: &RowMap) -> String {
    let Some(p) = find_tag(head, "dimension") else {
        return head.to_string();
    };
    let end = head[p..].find('>').map_or(head.len(), |e| p + e + 1);
    let tag = &head[p..end];
    let new = match attr(tag, "ref") {
        Some(r) => set_attr(tag, "ref", &shift_ranges(r, map)),
        None => tag.to_string(),
    };
    format!("{}{}{}", &head[..p], new, &head[end..])
}

/// Merges, conditional formats (with x14 ones), data validations, hyperlinks, auto filter,
/// row breaks after sheetData.
fn shift_tail(
    tail: &str,
    map: &RowMap,
    sheet: &str,
    value: &dyn Fn(&str) -> Option<Cell>,
) -> Result<String, String> {
    let mut out = String::with_capacity(tail.len() + 64);
    let mut rest = tail;
    // Tags whose range attributes move.
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let after = &rest[lt..];
        let end = after.find('>').map_or(after.len(), |e| e + 1);
        let tag = &after[..end];
        let name: String = tag[1..]
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
            .collect();
        let mut new_tag = tag.to_string();
        match name.as_str() {
            "mergeCell" => {
                if let Some(r) = attr(tag, "ref") {
                    let merged = merge_refs(r, map);
                    new_tag = merged
                        .iter()
                        .map(|m| set_attr(tag, "ref", m))
                        .collect::<Vec<_>>()
                        .join("");
                }
            }
            "conditionalFormatting" | "dataValidation" | "selection" => {
                for a in ["sqref"] {
                    if let Some(r) = attr(&new_tag, a).map(str::to_string) {
                        new_tag = set_attr(&new_tag, a, &shift_ranges(&r, map));
                    }
                }
            }
            "hyperlink" | "autoFilter" => {
                if let Some(r) = attr(tag, "ref").map(str::to_string) {
                    new_tag = set_attr(&new_tag, "ref", &shift_ranges(&r, map));
                }
            }
            "brk" => {
                if let Some(id) = attr(tag, "id").and_then(|i| i.parse::<u32>().ok()) {
                    new_tag = set_attr(tag, "id", &map.first(id + 1).saturating_sub(1).to_string());
                }
            }
            "oddHeader" | "oddFooter" | "evenHeader" | "evenFooter" | "firstHeader"
            | "firstFooter" => {
                let body_end = after[end..]
                    .find(&format!("</{name}>"))
                    .map_or(after.len(), |e| end + e);
                let body = unescape(&after[end..body_end]);
                // Values in a print header: '&' doubled, as Excel wants.
                let print_value = |n: &str| match value(n) {
                    Some(Cell::Text(t)) => Some(Cell::Text(t.replace('&', "&&"))),
                    other => other,
                };
                let filled = fill_text(&body, &print_value).map_err(|n| {
                    format!("foglio «{sheet}», intestazione o piè di pagina: «{{{{{n}}}}}»")
                })?;
                out.push_str(tag);
                out.push_str(&escape(&filled));
                rest = &after[body_end..];
                continue;
            }
            "xm:sqref" | "formula" | "xm:f" => {
                // Element text: ranges or a formula.
                let body_end = after[end..]
                    .find(&format!("</{name}>"))
                    .map_or(after.len(), |e| end + e);
                let body = unescape(&after[end..body_end]);
                let moved = if name == "xm:sqref" {
                    shift_ranges(&body, map)
                } else {
                    shift_formula(&body, map, sheet, None)
                };
                out.push_str(tag);
                out.push_str(&escape(&moved));
                rest = &after[body_end..];
                continue;
            }
            _ => {}
        }
        out.push_str(&new_tag);
        rest = &after[end..];
    }
    out.push_str(rest);
    Ok(out)
}

/// A merge over a repeated row is repeated with it; one over several rows grows.
fn merge_refs(r: &str, map: &RowMap) -> Vec<String> {
    let (a, b) = r.split_once(':').unwrap_or((r, r));
    let (Some(ra), Some(rb)) = (parse_ref(a, 0), parse_ref(b, 0)) else {
        return vec![r.to_string()];
    };
    if ra.row == rb.row && map.repeated(ra.row) {
        let Some((first, last)) = map.get(ra.row) else {
            return Vec::new();
        };
        return (first..=last)
            .map(|row| format!("{}{row}:{}{row}", ra.col, rb.col))
            .collect();
    }
    let first = map.first(ra.row);
    let last = map.last(rb.row);
    if last < first {
        return Vec::new();
    }
    vec![format!("{}{first}:{}{last}", ra.col, rb.col)]
}

/// A copy of a repeated sheet keeps no relationships (drawings, tables, printer settings,
/// comments belong to the first copy).
fn strip_relations(xml: &str) -> String {
    let mut out = xml.to_string();
    for name in [
        "drawing",
        "legacyDrawing",
        "legacyDrawingHF",
        "tableParts",
        "picture",
    ] {
        while let Some(p) = find_tag(&out, name) {
            let after = &out[p..];
            let te = after.find('>').map_or(after.len(), |e| e + 1);
            let end = if after[..te].ends_with("/>") {
                p + te
            } else {
                after
                    .find(&format!("</{name}>"))
                    .map_or(out.len(), |e| p + e + name.len() + 3)
            };
            out.replace_range(p..end, "");
        }
    }
    if let Some(p) = find_tag(&out, "pageSetup") {
        let te = out[p..].find('>').map_or(out.len(), |e| p + e + 1);
        let tag = remove_attr(&out[p..te], "r:id");
        out.replace_range(p..te, &tag);
    }
    out
}

/// Grows the tables of a sheet (`xl/tables/tableN.xml` `ref`s) with its rows.
fn grow_tables(pkg: &mut Package, sheet_part: &str, map: &RowMap) -> Result<(), String> {
    let (dir, name) = sheet_part.rsplit_once('/').unwrap_or(("", sheet_part));
    let rels_name = format!("{dir}/_rels/{name}.rels");
    let Some(rels) = pkg.get(&rels_name) else {
        return Ok(());
    };
    let rels = String::from_utf8_lossy(rels).into_owned();
    let mut rest: &str = &rels;
    let mut tables = Vec::new();
    while let Some(p) = find_tag(rest, "Relationship") {
        let after = &rest[p..];
        let end = after.find('>').map_or(after.len(), |e| e + 1);
        let tag = &after[..end];
        if attr(tag, "Type").is_some_and(|t| t.ends_with("/table")) {
            if let Some(target) = attr(tag, "Target") {
                tables.push(resolve(dir, target));
            }
        }
        rest = &after[end..];
    }
    for t in tables {
        let xml = pkg.text(&t)?;
        let mut out = String::with_capacity(xml.len());
        let mut rest: &str = &xml;
        for tag_name in ["table", "autoFilter"] {
            if let Some(p) = find_tag(rest, tag_name) {
                let end = rest[p..].find('>').map_or(rest.len(), |e| p + e + 1);
                let tag = &rest[p..end];
                let new = match attr(tag, "ref") {
                    Some(r) => set_attr(tag, "ref", &shift_ranges(r, map)),
                    None => tag.to_string(),
                };
                out.push_str(&rest[..p]);
                out.push_str(&new);
                rest = &rest[end..];
            }
        }
        out.push_str(rest);
        pkg.put(&t, out.into_bytes());
    }
    Ok(())
}

/// A sheet of the output.
struct SheetEntry {
    name: String,
    rel_id: String,
    part: String,
    template_index: usize,
    copy: usize,
}

/// `xl/workbook.xml` and its relationships.
struct BookXml {
    xml: String,
    rels: String,
    sheets: Vec<SheetPart>,
}

impl BookXml {
    fn read(pkg: &Package, file: &str) -> Result<BookXml, TemplateError> {
        let xml = pkg.text("xl/workbook.xml").map_err(invalid(file))?;
        let rels = pkg
            .text("xl/_rels/workbook.xml.rels")
            .map_err(invalid(file))?;
        let sheets = pkg.sheets().map_err(invalid(file))?;
        Ok(BookXml { xml, rels, sheets })
    }

    /// Writes the new sheet list, relationships, content types, sheet-local names and the
    /// recalculation flag.
    fn write(
        &self,
        pkg: &mut Package,
        sheets: &[SheetEntry],
        file: &str,
    ) -> Result<(), TemplateError> {
        // <sheets>
        let start = find_tag(&self.xml, "sheets").unwrap_or(0);
        let end = self
            .xml
            .find("</sheets>")
            .map_or(self.xml.len(), |e| e + "</sheets>".len());
        let mut list = String::from("<sheets>");
        let template_tags: Vec<String> = {
            let mut v = Vec::new();
            let mut rest = &self.xml[start..end];
            while let Some(p) = find_tag(rest, "sheet") {
                let after = &rest[p..];
                let e = after.find('>').map_or(after.len(), |x| x + 1);
                v.push(after[..e].to_string());
                rest = &after[e..];
            }
            v
        };
        let max_id = template_tags
            .iter()
            .filter_map(|t| attr(t, "sheetId").and_then(|i| i.parse::<u32>().ok()))
            .max()
            .unwrap_or(0);
        let mut next_id = max_id + 1;
        for s in sheets {
            let base = &template_tags[s.template_index];
            let mut tag = set_attr(base, "name", &escape(&s.name));
            if s.copy > 0 {
                tag = set_attr(&tag, "sheetId", &next_id.to_string());
                tag = set_attr(&tag, "r:id", &s.rel_id);
                next_id += 1;
            }
            list.push_str(&tag);
        }
        list.push_str("</sheets>");
        let mut xml = format!("{}{}{}", &self.xml[..start], list, &self.xml[end..]);

        // Sheet-local defined names (print titles, print areas) follow their sheet.
        if let (Some(ds), Some(de)) = (find_tag(&xml, "definedNames"), xml.find("</definedNames>"))
        {
            let block_start = xml[ds..].find('>').map_or(ds, |e| ds + e + 1);
            let block = xml[block_start..de].to_string();
            let mut names = String::new();
            let mut rest: &str = &block;
            while let Some(p) = find_tag(rest, "definedName") {
                let after = &rest[p..];
                let e = after
                    .find("</definedName>")
                    .map_or(after.len(), |x| x + "</definedName>".len());
                let whole = &after[..e];
                let te = whole.find('>').map_or(whole.len(), |x| x + 1);
                let tag = &whole[..te];
                let body = unescape(whole[te..].trim_end_matches("</definedName>"));
                match attr(tag, "localSheetId").and_then(|i| i.parse::<usize>().ok()) {
                    Some(local) => {
                        let template_name = self.sheets.get(local).map(|s| s.name.clone());
                        for (new_index, s) in sheets.iter().enumerate() {
                            if s.template_index != local {
                                continue;
                            }
                            let mut b = body.clone();
                            if let Some(tn) = &template_name {
                                for quoted in [format!("'{}'", tn.replace('\'', "''")), tn.clone()]
                                {
                                    b = b.replace(
                                        &format!("{quoted}!"),
                                        &format!("'{}'!", s.name.replace('\'', "''")),
                                    );
                                }
                            }
                            names.push_str(&set_attr(tag, "localSheetId", &new_index.to_string()));
                            names.push_str(&escape(&b));
                            names.push_str("</definedName>");
                        }
                    }
                    None => names.push_str(whole),
                }
                rest = &after[e..];
            }
            xml = format!("{}{}{}", &xml[..block_start], names, &xml[de..]);
        }

        // Recalculate on opening: the template's cached values are stale.
        xml = match find_tag(&xml, "calcPr") {
            Some(p) => {
                let e = xml[p..].find('>').map_or(xml.len(), |x| p + x + 1);
                let tag = set_attr(&xml[p..e], "fullCalcOnLoad", "1");
                format!("{}{}{}", &xml[..p], tag, &xml[e..])
            }
            None => match xml.find("</workbook>") {
                Some(p) => format!(
                    "{}<calcPr calcId=\"191029\" fullCalcOnLoad=\"1\"/>{}",
                    &xml[..p],
                    &xml[p..]
                ),
                None => xml,
            },
        };
        pkg.put("xl/workbook.xml", xml.into_bytes());

        // Relationships and content types of the copies.
        let copies: Vec<&SheetEntry> = sheets.iter().filter(|s| s.copy > 0).collect();
        if copies.is_empty() {
            return Ok(());
        }
        let mut rels = self.rels.clone();
        let mut extra = String::new();
        for s in &copies {
            let target = s.part.strip_prefix("xl/").unwrap_or(&s.part);
            extra.push_str(&format!(
                "<Relationship Id=\"{}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"{}\"/>",
                s.rel_id, target
            ));
        }
        if let Some(p) = rels.rfind("</Relationships>") {
            rels.insert_str(p, &extra);
        }
        pkg.put("xl/_rels/workbook.xml.rels", rels.into_bytes());
        let mut types = pkg.text("[Content_Types].xml").map_err(invalid(file))?;
        let mut extra = String::new();
        for s in &copies {
            extra.push_str(&format!(
                "<Override PartName=\"/{}\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>",
                s.part
            ));
        }
        if let Some(p) = types.rfind("</Types>") {
            types.insert_str(p, &extra);
        }
        pkg.put("[Content_Types].xml", types.into_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(moved: &[(u32, u32, u32)]) -> RowMap {
        RowMap {
            moved: moved.to_vec(),
        }
    }

    #[test]
    fn rows_below_a_repeated_row_move_and_ranges_grow() {
        // Row 5 repeated 4 times (5..8), row 6 → 9, row 7 → 10.
        let m = map(&[(4, 4, 1), (5, 5, 4), (6, 9, 1), (7, 10, 1)]);
        assert_eq!(shift_formula("SUM(H5:H5)", &m, "S", None), "SUM(H5:H8)");
        assert_eq!(shift_formula("H6*2+$B$7", &m, "S", None), "H9*2+$B$10");
        assert_eq!(shift_formula("G5-F5", &m, "S", Some((5, 2))), "G7-F7");
        assert_eq!(shift_formula("\"H5\"&H4", &m, "S", None), "\"H5\"&H4");
        assert_eq!(
            shift_formula("'Altro'!H6+SUM(A1:A2)", &m, "S", None),
            "'Altro'!H6+SUM(A1:A2)"
        );
        assert_eq!(shift_ranges("H5 A4:M5 B7", &m), "H5:H8 A4:M8 B10");
        assert_eq!(
            merge_refs("A5:C5", &m),
            ["A5:C5", "A6:C6", "A7:C7", "A8:C8"]
        );
        // A repeated row with no items: gone, and the rows below close up.
        let m = map(&[(4, 4, 1), (5, 5, 0), (6, 5, 1)]);
        assert_eq!(shift_formula("SUM(H4:H6)", &m, "S", None), "SUM(H4:H5)");
        assert_eq!(shift_ranges("H5:H5", &m), "");
    }

    /// Two objectives in one area, scored by the default rules.
    fn two_objectives() -> Evaluation {
        use crate::model::{Ente, Field, Source};
        use crate::value::Value;
        let mut area = Area::new("Ambiente", "Linea strategica");
        for (k, code) in ["A.1", "A.2"].iter().enumerate() {
            let src = Source::new("Foglio1".into(), k as u32 + 1, 0);
            let mut o = Objective::new(src.clone());
            o.code = Some(Field {
                raw: (*code).into(),
                value: Value::Text,
                source: src,
            });
            area.objectives.push(o);
        }
        let mut ente = Ente::new("Comune di Prova", "prova.xlsx");
        ente.areas.push(area);
        let rules = crate::rules::RuleSet::default_set().unwrap();
        crate::rules::evaluate(ente, &rules, &crate::rules::EvaluateOptions::default())
    }

    #[test]
    fn shared_formulas_in_a_repeated_row_become_one_formula_per_copy() {
        let ev = two_objectives();
        let globals = TitleValues {
            ente: "Comune di Prova",
            anno: None,
            regole: "predefinite",
            file: "prova.xlsx",
            data: "01/01/2026".into(),
        };
        let xml = concat!(
            "<worksheet><dimension ref=\"A1:E2\"/><sheetData>",
            "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>{{obiettivo.codice}}</t></is></c>",
            "<c r=\"B1\"><v>1</v></c><c r=\"C1\"><v>2</v></c>",
            "<c r=\"D1\"><f t=\"shared\" ref=\"D1:E1\" si=\"0\">B1*2</f><v>2</v></c>",
            "<c r=\"E1\"><f t=\"shared\" si=\"0\"/><v>4</v></c></row>",
            "<row r=\"2\"><c r=\"A2\"><f>SUM(D1:D1)</f><v>2</v></c></row>",
            "</sheetData></worksheet>"
        );
        let filled = fill_sheet(xml, &[], &ev, &globals, &Scope::All, "S", "t.xlsx").unwrap();
        let x = &filled.xml;
        assert!(
            x.contains("<c r=\"A1\" t=\"inlineStr\"><is><t xml:space=\"preserve\">A.1</t>"),
            "{x}"
        );
        assert!(
            x.contains("<c r=\"A2\" t=\"inlineStr\"><is><t xml:space=\"preserve\">A.2</t>"),
            "{x}"
        );
        for (cell, f) in [
            ("D1", "B1*2"),
            ("E1", "C1*2"),
            ("D2", "B2*2"),
            ("E2", "C2*2"),
        ] {
            assert!(
                x.contains(&format!("<c r=\"{cell}\"><f>{f}</f></c>")),
                "{cell}: {x}"
            );
        }
        assert!(x.contains("<c r=\"A3\"><f>SUM(D1:D2)</f></c>"), "{x}");
        assert!(x.contains("<dimension ref=\"A1:E3\"/>"), "{x}");
        assert!(!x.contains("si=\"0\""), "{x}");
    }

    #[test]
    fn shared_formulas_are_translated_like_excel_copies() {
        assert_eq!(translate("C5*D5/100+$B$2+F$1", 1, 2), "E6*F6/100+$B$2+H$1");
        assert_eq!(column_index("AA"), 26);
        assert_eq!(column_index("$C"), 2);
    }

    #[test]
    fn placeholders_and_text() {
        assert_eq!(
            placeholders("Comune di {{ente}} — {{ anno }}"),
            ["ente", "anno"]
        );
        let v = |n: &str| match n {
            "ente" => Some(Cell::Text("Cremona".into())),
            "anno" => Some(Cell::Number(2024.0)),
            "x" => Some(Cell::Number(92.3)),
            _ => None,
        };
        assert_eq!(
            fill_text("{{ente}} {{anno}}: {{x}}%", &v).unwrap(),
            "Cremona 2024: 92,3%"
        );
        assert_eq!(fill_text("{{pippo}}", &v).unwrap_err(), "pippo");
        assert_eq!(
            unique_sheet_name("A/B: lunga linea strategica della città", &[]),
            "AB lunga linea strategica della"
        );
        assert_eq!(unique_sheet_name("Area", &["area".into()]), "Area (2)");
    }
}
