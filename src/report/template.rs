//! Report templates (*modelli della relazione*): what the office may change in the report
//! without recompiling anything — sheet names, which sheets, column order, column labels and
//! widths, titles, print header and footer, a logo.
//!
//! A template is a `modello.toml` file (Italian keys, documented in the shipped
//! `templates/predefinito/modello.toml`), read at every run. The built-in
//! [`ReportTemplate::predefinito`] is that file embedded in the binary; a changed copy is used
//! with `barometro report … --modello CARTELLA`.
//!
//! ```
//! use barometro::report::ReportTemplate;
//!
//! let template = ReportTemplate::from_toml_str(r#"
//!     nome = "ufficio"
//!     [fogli.indicatori]
//!     nome = "Dettaglio"
//!     colonne = ["codice", "indicatore", "target", "consuntivo", "raggiungimento", "barometro"]
//!     [fogli.indicatori.etichette]
//!     raggiungimento = "% Ragg"
//! "#, None)?;
//! assert_eq!(template.sheets.indicatori.name, "Dettaglio");
//! assert_eq!(template.sheets.sintesi.name, "Sintesi"); // not given: the default
//! # Ok::<(), barometro::report::TemplateError>(())
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::layout::{Column, Columns, Key};
use crate::model::IndicatorValue;
use crate::rules::INDICATOR_FIELDS;

/// The built-in template's file, embedded.
pub const DEFAULT_TEMPLATE_TOML: &str = include_str!("../../templates/predefinito/modello.toml");

/// The name of the built-in template.
pub const DEFAULT_TEMPLATE_NAME: &str = "predefinito";

/// The marker in a column list for "every column not listed, in the report's order".
pub const REST: &str = "...";

/// Why a template cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The TOML is malformed or has an unknown key.
    #[error("{file}: {message}")]
    Syntax {
        /// The file (or `modello incorporato`).
        file: String,
        /// What is wrong, with line and column.
        message: String,
    },
    /// A value is not acceptable (a sheet name, a column name…).
    #[error("{file}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// What is wrong and how to fix it.
        message: String,
    },
}

/// One sheet of the report as the template wants it.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetTemplate {
    /// The sheet's tab name.
    pub name: String,
    /// The first row's text; `{ente}`, `{anno}`, `{regole}`, `{file}`, `{data}` are replaced.
    pub title: Option<String>,
    /// Column order by column name ([`column_name`]); `"..."` marks where unlisted columns
    /// go. `None`: the report's own order.
    pub columns: Option<Vec<String>>,
    /// Header text by column name.
    pub labels: BTreeMap<String, String>,
    /// Width in characters by column name.
    pub widths: BTreeMap<String, f64>,
    /// Whether the sheet is written (only Attività, Anomalie and Regole may be left out).
    pub include: bool,
}

impl SheetTemplate {
    fn named(name: &str) -> SheetTemplate {
        SheetTemplate {
            name: name.to_string(),
            title: None,
            columns: None,
            labels: BTreeMap::new(),
            widths: BTreeMap::new(),
            include: true,
        }
    }
}

/// The sheets of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetTemplates {
    /// *Sintesi*: areas, the ente total, the chart.
    pub sintesi: SheetTemplate,
    /// *Obiettivi*.
    pub obiettivi: SheetTemplate,
    /// *Indicatori*.
    pub indicatori: SheetTemplate,
    /// *Attività* (written only when the workbook has activities).
    pub attivita: SheetTemplate,
    /// *Anomalie*.
    pub anomalie: SheetTemplate,
    /// *Regole*: the audit trail.
    pub regole: SheetTemplate,
}

/// A report template (*modello della relazione*): sheet names, which sheets, column order,
/// labels and widths, titles, print header and footer and a logo, read from a `modello.toml`
/// (Italian keys, documented in the shipped `templates/predefinito/modello.toml`) at every run.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportTemplate {
    /// The template's name (`nome`).
    pub name: String,
    /// Where it was read from; `None` for the built-in one.
    pub path: Option<PathBuf>,
    /// SHA-256 of the file, for the audit trail.
    pub sha256: String,
    /// The sheets.
    pub sheets: SheetTemplates,
    /// Print header (Excel codes `&L`, `&C`, `&R`, `&P`…; `{ente}` replaced); empty: none.
    pub header: String,
    /// Print footer, like [`ReportTemplate::header`].
    pub footer: String,
    /// A PNG or JPEG placed at the top of Sintesi.
    pub logo: Option<PathBuf>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct TemplateFile {
    nome: Option<String>,
    #[allow(dead_code)]
    descrizione: Option<String>,
    intestazione: Option<String>,
    pie_di_pagina: Option<String>,
    logo: Option<String>,
    #[serde(default)]
    fogli: SheetsFile,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SheetsFile {
    sintesi: Option<SheetFile>,
    obiettivi: Option<SheetFile>,
    indicatori: Option<SheetFile>,
    attivita: Option<SheetFile>,
    anomalie: Option<SheetFile>,
    regole: Option<SheetFile>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SheetFile {
    nome: Option<String>,
    titolo: Option<String>,
    colonne: Option<Vec<String>>,
    #[serde(default)]
    etichette: BTreeMap<String, String>,
    #[serde(default)]
    larghezze: BTreeMap<String, f64>,
    includi: Option<bool>,
}

/// The footer of the built-in template, also used when a template gives none.
const DEFAULT_FOOTER: &str = "&L{ente}&CPagina &P di &N&R&A";

impl Default for ReportTemplate {
    /// The built-in template ([`ReportTemplate::predefinito`]).
    fn default() -> ReportTemplate {
        ReportTemplate::predefinito()
    }
}

impl ReportTemplate {
    /// The built-in template (`templates/predefinito/modello.toml`, embedded).
    ///
    /// ```
    /// let t = barometro::report::ReportTemplate::predefinito();
    /// assert_eq!(t.name, "predefinito");
    /// assert_eq!(t.sheets.obiettivi.name, "Obiettivi");
    /// ```
    pub fn predefinito() -> ReportTemplate {
        static PARSED: std::sync::OnceLock<ReportTemplate> = std::sync::OnceLock::new();
        PARSED
            .get_or_init(|| {
                ReportTemplate::from_toml_str(DEFAULT_TEMPLATE_TOML, None)
                    .unwrap_or_else(|e| panic!("the embedded template is broken: {e}"))
            })
            .clone()
    }

    /// Reads a template: a `modello.toml` file, or a folder holding one.
    pub fn from_path(path: &Path) -> Result<ReportTemplate, TemplateError> {
        let file = if path.is_dir() {
            path.join("modello.toml")
        } else {
            path.to_path_buf()
        };
        let text = std::fs::read_to_string(&file).map_err(|source| TemplateError::Io {
            path: file.clone(),
            source,
        })?;
        ReportTemplate::from_toml_str(&text, Some(&file))
    }

    /// Parses a template's TOML; `path` (the file it came from) names it in errors and
    /// resolves the logo.
    pub fn from_toml_str(text: &str, path: Option<&Path>) -> Result<ReportTemplate, TemplateError> {
        let file_name = path.map_or_else(
            || "modello incorporato".to_string(),
            |p| p.display().to_string(),
        );
        let parsed: TemplateFile = toml::from_str(text).map_err(|e| TemplateError::Syntax {
            file: file_name.clone(),
            message: syntax_message(text, &e),
        })?;
        let invalid = |message: String| TemplateError::Invalid {
            file: file_name.clone(),
            message,
        };
        let sheet = |given: Option<SheetFile>, default: &str, removable: bool, key: &str| {
            let mut s = SheetTemplate::named(default);
            let Some(g) = given else {
                return Ok(s);
            };
            if let Some(n) = g.nome {
                s.name = n.trim().to_string();
            }
            check_sheet_name(&s.name).map_err(|m| invalid(format!("[fogli.{key}] nome: {m}")))?;
            s.title = g.titolo;
            if let Some(cols) = g.colonne {
                for c in &cols {
                    if c != REST && !is_column_name(c) {
                        return Err(invalid(format!(
                            "[fogli.{key}] colonne: «{c}» non è una colonna; i nomi possibili sono elencati in templates/predefinito/modello.toml"
                        )));
                    }
                }
                s.columns = Some(cols);
            }
            for name in g.etichette.keys().chain(g.larghezze.keys()) {
                if !is_column_name(name) {
                    return Err(invalid(format!(
                        "[fogli.{key}] «{name}» non è una colonna; i nomi possibili sono elencati in templates/predefinito/modello.toml"
                    )));
                }
            }
            for (name, w) in &g.larghezze {
                if !(w.is_finite() && *w > 0.0 && *w <= 255.0) {
                    return Err(invalid(format!(
                        "[fogli.{key}.larghezze] {name} = {w}: la larghezza va da 1 a 255 caratteri"
                    )));
                }
            }
            s.labels = g.etichette;
            s.widths = g.larghezze;
            if let Some(i) = g.includi {
                if !i && !removable {
                    return Err(invalid(format!(
                        "[fogli.{key}] includi = false: il foglio {default} non si può togliere (le altre formule lo leggono)"
                    )));
                }
                s.include = i;
            }
            Ok(s)
        };
        let f = parsed.fogli;
        let sheets = SheetTemplates {
            sintesi: sheet(f.sintesi, super::SINTESI, false, "sintesi")?,
            obiettivi: sheet(f.obiettivi, super::OBIETTIVI, false, "obiettivi")?,
            indicatori: sheet(f.indicatori, super::INDICATORI, false, "indicatori")?,
            attivita: sheet(f.attivita, super::ATTIVITA, true, "attivita")?,
            anomalie: sheet(f.anomalie, super::ANOMALIE, true, "anomalie")?,
            regole: sheet(f.regole, super::REGOLE, true, "regole")?,
        };
        let names = [
            &sheets.sintesi.name,
            &sheets.obiettivi.name,
            &sheets.indicatori.name,
            &sheets.attivita.name,
            &sheets.anomalie.name,
            &sheets.regole.name,
        ];
        for (i, a) in names.iter().enumerate() {
            if names[..i]
                .iter()
                .any(|b| b.to_lowercase() == a.to_lowercase())
            {
                return Err(invalid(format!(
                    "due fogli si chiamano «{a}»: ogni foglio deve avere un nome diverso"
                )));
            }
        }
        let logo = match parsed.logo.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(l) => {
                let base = path.and_then(Path::parent).unwrap_or(Path::new("."));
                let p = base.join(l);
                let lower = l.to_lowercase();
                if ![".png", ".jpg", ".jpeg"].iter().any(|e| lower.ends_with(e)) {
                    return Err(invalid(format!(
                        "logo = «{l}»: serve un'immagine PNG o JPEG"
                    )));
                }
                if !p.is_file() {
                    return Err(invalid(format!(
                        "logo = «{l}»: il file {} non esiste",
                        p.display()
                    )));
                }
                Some(p)
            }
        };
        Ok(ReportTemplate {
            name: parsed
                .nome
                .unwrap_or_else(|| DEFAULT_TEMPLATE_NAME.to_string()),
            path: path.map(Path::to_path_buf),
            sha256: super::sha256_hex(text.as_bytes()),
            sheets,
            header: parsed.intestazione.unwrap_or_default(),
            footer: parsed
                .pie_di_pagina
                .unwrap_or_else(|| DEFAULT_FOOTER.to_string()),
            logo,
        })
    }

    /// Where the template comes from, for the audit trail.
    pub fn origin(&self) -> String {
        match &self.path {
            Some(p) => p.display().to_string(),
            None => "incorporato nel programma".to_string(),
        }
    }
}

/// The TOML error with its line and column, in Italian.
fn syntax_message(text: &str, e: &toml::de::Error) -> String {
    let detail = e.message().trim().to_string();
    match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("riga {line}, colonna {col}: {detail}")
        }
        None => detail,
    }
}

/// Excel's rules for a sheet name.
fn check_sheet_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("il nome del foglio è vuoto".into());
    }
    if name.chars().count() > 31 {
        return Err(format!(
            "«{name}» è lungo {} caratteri: Excel ne ammette al massimo 31",
            name.chars().count()
        ));
    }
    if let Some(c) = name.chars().find(|c| "[]:*?/\\".contains(*c)) {
        return Err(format!(
            "«{name}» contiene «{c}», che Excel non ammette nei nomi dei fogli"
        ));
    }
    if name.starts_with('\'') || name.ends_with('\'') {
        return Err(format!(
            "«{name}» inizia o finisce con un apostrofo, che Excel non ammette"
        ));
    }
    Ok(())
}

/// The fixed column names (those not coming from an indicator value).
const FIXED_NAMES: &[&str] = &[
    "area",
    "settore",
    "codice",
    "obiettivo",
    "responsabile",
    "indicatore",
    "formula",
    "metodo",
    "metodo_foglio",
    "raggiungimento_foglio",
    "barometro_foglio",
    "priorita",
    "totale_priorita",
    "peso_foglio",
    "peso",
    "neutralizzato",
    "numero",
    "raggiungimento",
    "dichiarato",
    "atteso",
    "giudizio",
    "barometro",
    "calcolo",
    "origine",
    "attivita",
    "mesi_previsti",
    "mesi_effettivi",
    "pai_foglio",
    "pai_calcolato",
    "pei",
    "anno",
    "stato",
    "monitoraggio",
];

/// Whether `name` names a column (a fixed name, an indicator value, or `colonna:…`).
fn is_column_name(name: &str) -> bool {
    FIXED_NAMES.contains(&name)
        || INDICATOR_FIELDS
            .iter()
            .any(|(n, v)| *n == name && indicator_column_name(*v) == name)
        || name
            .strip_prefix("colonna:")
            .is_some_and(|h| !h.trim().is_empty())
}

/// The column name of an indicator value read from the workbook.
fn indicator_column_name(v: IndicatorValue) -> String {
    match v {
        IndicatorValue::Name => "indicatore".into(),
        IndicatorValue::StatedAchievement => "raggiungimento_foglio".into(),
        IndicatorValue::StatedBarometer => "barometro_foglio".into(),
        IndicatorValue::Method => "metodo_foglio".into(),
        other => INDICATOR_FIELDS
            .iter()
            .find(|(_, x)| *x == other)
            .map_or_else(String::new, |(n, _)| (*n).to_string()),
    }
}

/// The template name of a report column.
///
/// ```
/// // The computed achievement is `raggiungimento`; the one read from the workbook is
/// // `raggiungimento_foglio`.
/// # let _ = ();
/// ```
pub fn column_name(key: &Key) -> String {
    match key {
        Key::Area => "area".into(),
        Key::SubArea => "settore".into(),
        Key::Code => "codice".into(),
        Key::Objective => "obiettivo".into(),
        Key::Responsible => "responsabile".into(),
        Key::Indicator => "indicatore".into(),
        Key::Formula => "formula".into(),
        Key::Method => "metodo".into(),
        Key::Input(v) => indicator_column_name(*v),
        Key::Extra(h) => format!("colonna:{h}"),
        Key::Priority => "priorita".into(),
        Key::PriorityTotal => "totale_priorita".into(),
        Key::StatedWeight => "peso_foglio".into(),
        Key::Weight => "peso".into(),
        Key::Neutralised => "neutralizzato".into(),
        Key::Count => "numero".into(),
        Key::Score => "raggiungimento".into(),
        Key::Stated => "dichiarato".into(),
        Key::Expected => "atteso".into(),
        Key::Judgement => "giudizio".into(),
        Key::Barometer => "barometro".into(),
        Key::Rule => "calcolo".into(),
        Key::Source => "origine".into(),
        Key::Activity => "attivita".into(),
        Key::PlannedMonths => "mesi_previsti".into(),
        Key::ActualMonths => "mesi_effettivi".into(),
        Key::ExpectedStored => "pai_foglio".into(),
        Key::ExpectedComputed => "pai_calcolato".into(),
        Key::ActualToDate => "pei".into(),
        Key::ActivityYear => "anno".into(),
        Key::ActivityStatus => "stato".into(),
        Key::ActivityStatusText => "monitoraggio".into(),
    }
}

/// Whether two column names are the same (`colonna:` headers compare loosely).
fn same_name(a: &str, b: &str) -> bool {
    match (a.strip_prefix("colonna:"), b.strip_prefix("colonna:")) {
        (Some(x), Some(y)) => x.trim().eq_ignore_ascii_case(y.trim()),
        _ => a == b,
    }
}

impl SheetTemplate {
    /// The report's columns for this sheet in the template's order, with its labels and
    /// widths. `required` columns stay even when the template leaves them out (they are
    /// appended).
    pub(crate) fn arrange(&self, columns: Columns, required: &[Key]) -> Columns {
        let named: Vec<(String, Column)> = columns
            .0
            .into_iter()
            .map(|c| (column_name(&c.key), c))
            .collect();
        let mut out: Vec<Column> = match &self.columns {
            None => named.iter().map(|(_, c)| c.clone()).collect(),
            Some(order) => {
                let listed = |n: &str| order.iter().any(|o| same_name(o, n));
                let mut out = Vec::with_capacity(named.len());
                for o in order {
                    if o == REST {
                        out.extend(
                            named
                                .iter()
                                .filter(|(n, _)| !listed(n))
                                .map(|(_, c)| c.clone()),
                        );
                    } else if let Some((_, c)) = named.iter().find(|(n, _)| same_name(o, n)) {
                        if !out.iter().any(|x: &Column| x.key == c.key) {
                            out.push(c.clone());
                        }
                    }
                }
                for key in required {
                    if !out.iter().any(|c| &c.key == key) {
                        if let Some((_, c)) = named.iter().find(|(_, c)| &c.key == key) {
                            out.push(c.clone());
                        }
                    }
                }
                out
            }
        };
        for c in &mut out {
            let name = column_name(&c.key);
            if let Some((_, l)) = self.labels.iter().find(|(n, _)| same_name(n, &name)) {
                c.header = l.clone();
            }
            if let Some((_, w)) = self.widths.iter().find(|(n, _)| same_name(n, &name)) {
                c.width = *w;
            }
        }
        Columns(out)
    }

    /// The title with its placeholders replaced, or `default`.
    pub(crate) fn title_or(&self, default: &str, values: &TitleValues<'_>) -> String {
        match &self.title {
            Some(t) => values.fill(t),
            None => default.to_string(),
        }
    }
}

/// What `{ente}`, `{anno}`, `{regole}`, `{file}` and `{data}` stand for in titles, header and
/// footer.
pub(crate) struct TitleValues<'a> {
    pub ente: &'a str,
    pub anno: Option<i32>,
    pub regole: &'a str,
    pub file: &'a str,
    pub data: String,
}

impl<'a> TitleValues<'a> {
    /// The values of an evaluation: the reporting year is the plan's, else the year of the
    /// monitoring date.
    pub(crate) fn new(
        ev: &'a crate::rules::Evaluation,
        provenance: &'a super::Provenance,
    ) -> TitleValues<'a> {
        TitleValues {
            ente: &ev.ente.ente,
            anno: ev
                .ente
                .reporting_year
                .or(ev.at.map(|d| chrono::Datelike::year(&d))),
            regole: &ev.rules,
            file: &provenance.input_name,
            data: provenance.generated_at.format("%d/%m/%Y").to_string(),
        }
    }

    pub(crate) fn fill(&self, text: &str) -> String {
        text.replace("{ente}", self.ente)
            .replace(
                "{anno}",
                &self.anno.map_or_else(String::new, |a| a.to_string()),
            )
            .replace("{regole}", self.regole)
            .replace("{file}", self.file)
            .replace("{data}", &self.data)
    }

    /// For print headers and footers: `&` in the values doubled, as Excel wants.
    pub(crate) fn fill_print(&self, text: &str) -> String {
        let esc = |s: &str| s.replace('&', "&&");
        text.replace("{ente}", &esc(self.ente))
            .replace(
                "{anno}",
                &self.anno.map_or_else(String::new, |a| a.to_string()),
            )
            .replace("{regole}", &esc(self.regole))
            .replace("{file}", &esc(self.file))
            .replace("{data}", &self.data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_template_reads_and_names_the_default_sheets() {
        let t = ReportTemplate::predefinito();
        assert_eq!(t.sheets.sintesi.name, "Sintesi");
        assert_eq!(t.sheets.attivita.name, "Attività");
        assert!(t
            .sheets
            .indicatori
            .columns
            .as_ref()
            .unwrap()
            .contains(&REST.to_string()));
        assert_eq!(t.footer, DEFAULT_FOOTER);
        assert!(t.logo.is_none());
    }

    #[test]
    fn errors_say_where_and_what() {
        let e = ReportTemplate::from_toml_str(
            "[fogli.indicatori]\ncolonne = [\"codice\", \"pippo\"]\n",
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("«pippo» non è una colonna"), "{e}");
        let e = ReportTemplate::from_toml_str("[fogli.sintesi]\nnome = \"A/B\"\n", None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("contiene «/»"), "{e}");
        let e = ReportTemplate::from_toml_str("nome = \"x\"\n[fogli]\nsintesy = {}\n", None)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("modello incorporato: riga 3"), "{e}");
        let e = ReportTemplate::from_toml_str("[fogli.obiettivi]\nnome = \"Sintesi\"\n", None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("due fogli si chiamano «Sintesi»"), "{e}");
        let e = ReportTemplate::from_toml_str("[fogli.indicatori]\nincludi = false\n", None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("non si può togliere"), "{e}");
    }

    #[test]
    fn arrange_orders_relabels_and_keeps_the_required() {
        let cols = Columns(vec![
            Column {
                key: Key::Area,
                header: "Area".into(),
                width: 20.0,
                wrap: true,
            },
            Column {
                key: Key::Code,
                header: "Codice".into(),
                width: 10.0,
                wrap: false,
            },
            Column {
                key: Key::Extra("Soglia".into()),
                header: "Soglia".into(),
                width: 12.0,
                wrap: false,
            },
            Column {
                key: Key::Score,
                header: "% Raggiungimento".into(),
                width: 12.0,
                wrap: false,
            },
        ]);
        let mut s = SheetTemplate::named("X");
        s.columns = Some(vec!["codice".into(), "...".into(), "area".into()]);
        s.labels.insert("raggiungimento".into(), "% Ragg".into());
        s.widths.insert("colonna:soglia".into(), 30.0);
        let out = s.arrange(cols.clone(), &[Key::Score]);
        let heads: Vec<&str> = out.0.iter().map(|c| c.header.as_str()).collect();
        assert_eq!(heads, ["Codice", "Soglia", "% Ragg", "Area"]);
        assert_eq!(out.0[1].width, 30.0);
        // Without "...", unlisted columns go, except the required ones.
        s.columns = Some(vec!["area".into(), "codice".into()]);
        let out = s.arrange(cols, &[Key::Score]);
        let heads: Vec<&str> = out.0.iter().map(|c| c.header.as_str()).collect();
        assert_eq!(heads, ["Area", "Codice", "% Ragg"]);
    }
}
