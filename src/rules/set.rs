//! Rule sets: loading, compiling once, locating functions, reading the twins and the bands.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use rhai::{Dynamic, Engine, AST};

use super::api;
use super::{Band, Bands, RuleRef, Twin};

/// The name of the embedded default rule set.
pub const DEFAULT_SET_NAME: &str = "predefinite";

/// The rule sets embedded in the binary, by name.
pub const BUILTIN_SETS: &[&str] = &[DEFAULT_SET_NAME, "somma-pesata"];

/// The files of a shipped rule set folder, embedded at build time: (file name, text).
macro_rules! embedded_set {
    ($dir:literal) => {
        &[
            embedded_set!(@file $dir, "LEGGIMI.md"),
            embedded_set!(@file $dir, "indicatori.rhai"),
            embedded_set!(@file $dir, "aggregazione.rhai"),
            embedded_set!(@file $dir, "atteso.rhai"),
            embedded_set!(@file $dir, "barometro.rhai"),
            embedded_set!(@file $dir, "controlli.rhai"),
        ]
    };
    (@file $dir:literal, $file:literal) => {
        (
            $file,
            include_str!(concat!("../../rules/", $dir, "/", $file)),
        )
    };
}

/// The default rule set.
const DEFAULT_FILES: &[(&str, &str)] = embedded_set!("predefinite");

/// The `somma-pesata` set: the default files with its own aggregation.
const SOMMA_PESATA_FILES: &[(&str, &str)] = embedded_set!("somma-pesata");

/// Functions every rule set must define: (name, number of parameters, what it is for).
pub(crate) const REQUIRED: &[(&str, usize, &str)] = &[
    ("metodo", 1, "sceglie il metodo di calcolo di un indicatore"),
    ("metodi", 0, "elenca i metodi di calcolo degli indicatori"),
    (
        "neutralizzato",
        1,
        "dice se un obiettivo è neutralizzato (escluso dai calcoli)",
    ),
    (
        "peso_obiettivo",
        2,
        "dà il peso di un obiettivo nella sua area",
    ),
    ("obiettivo", 1, "calcola il raggiungimento di un obiettivo"),
    ("area", 1, "calcola il raggiungimento di un'area"),
    ("ente", 1, "calcola il raggiungimento dell'ente"),
    ("fasce", 0, "definisce le fasce del barometro"),
];

/// One file of a rule set.
#[derive(Debug, Clone)]
pub struct RuleFile {
    /// The file name, e.g. `indicatori.rhai`.
    pub name: String,
    /// The text.
    pub text: String,
}

/// An error in a rule set: where it is and what to fix, in Italian.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RuleError {
    /// The rule folder could not be read.
    #[error("impossibile leggere le regole in {path}: {reason}")]
    Unreadable {
        /// The folder or file.
        path: String,
        /// Why.
        reason: String,
    },
    /// A rule file could not be written (`barometro init`).
    #[error("impossibile scrivere {path}: {reason}")]
    Unwritable {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// A syntax error, or a top-level statement that fails.
    #[error("{file}, riga {line}, colonna {column}: {message}")]
    Syntax {
        /// The rule file.
        file: String,
        /// One-based line.
        line: usize,
        /// One-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A function the engine needs is missing, or is defined twice.
    #[error("{message}")]
    Definition {
        /// What is wrong and how to fix it.
        message: String,
    },
}

/// A compiled rule set, ready to score. Compile it once per run and reuse it.
pub struct RuleSet {
    pub(crate) name: String,
    pub(crate) dir: Option<PathBuf>,
    pub(crate) files: Vec<RuleFile>,
    pub(crate) engine: Engine,
    pub(crate) ast: AST,
    /// name → [(arity, where it is defined)], for lookups by `&str` with no allocation.
    located: HashMap<String, Vec<(usize, RuleRef)>>,
    pub(crate) bands: Bands,
    /// The scoring methods `metodi()` lists.
    methods: std::collections::HashSet<String>,
    /// The same methods in the order `metodi()` lists them.
    method_list: Vec<String>,
    /// Twins of functions with no parameters (`X_excel()`), computed once.
    constant_twins: HashMap<String, Option<Twin>>,
}

impl fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuleSet")
            .field("name", &self.name)
            .field(
                "files",
                &self.files.iter().map(|f| &f.name).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl RuleSet {
    /// The default rule set (`predefinite`), embedded in the binary.
    ///
    /// ```
    /// let rules = barometro::rules::RuleSet::default_set().unwrap();
    /// assert_eq!(rules.name(), "predefinite");
    /// assert!(rules.files().iter().any(|f| f.name == "indicatori.rhai"));
    /// ```
    pub fn default_set() -> Result<RuleSet, RuleError> {
        RuleSet::builtin(DEFAULT_SET_NAME).ok_or_else(|| RuleError::Definition {
            message: "regole predefinite mancanti".into(),
        })?
    }

    /// A rule set embedded in the binary by name (see [`BUILTIN_SETS`]); `None` for an unknown
    /// name.
    ///
    /// ```
    /// let rules = barometro::rules::RuleSet::builtin("somma-pesata").unwrap().unwrap();
    /// assert_eq!(rules.name(), "somma-pesata");
    /// assert!(barometro::rules::RuleSet::builtin("nessuna").is_none());
    /// ```
    pub fn builtin(name: &str) -> Option<Result<RuleSet, RuleError>> {
        let files = match name {
            DEFAULT_SET_NAME => DEFAULT_FILES,
            "somma-pesata" => SOMMA_PESATA_FILES,
            _ => return None,
        };
        let files = files
            .iter()
            .map(|(name, text)| RuleFile {
                name: name.to_string(),
                text: text.to_string(),
            })
            .collect();
        Some(RuleSet::from_files(name, None, files))
    }

    /// The rule set a user names on the command line: a folder if one exists at that path,
    /// otherwise an embedded set by name.
    pub fn open(name_or_dir: &str) -> Result<RuleSet, RuleError> {
        let path = Path::new(name_or_dir);
        if path.is_dir() {
            return RuleSet::load_dir(path);
        }
        if let Some(set) = RuleSet::builtin(name_or_dir) {
            return set;
        }
        Err(RuleError::Unreadable {
            path: name_or_dir.to_string(),
            reason: format!(
                "non è una cartella di regole né il nome di regole incorporate ({})",
                BUILTIN_SETS.join(", ")
            ),
        })
    }

    /// Loads every `.rhai` file of a folder (in name order); other files are kept for
    /// [`RuleSet::files`] but not compiled.
    pub fn load_dir(dir: impl AsRef<Path>) -> Result<RuleSet, RuleError> {
        let dir = dir.as_ref();
        let unreadable = |reason: String| RuleError::Unreadable {
            path: dir.display().to_string(),
            reason,
        };
        let entries = std::fs::read_dir(dir).map_err(|e| unreadable(io_reason(&e)))?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        paths.sort();
        let mut files = Vec::new();
        for p in paths {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let is_rule = p
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("rhai"));
            let is_doc = name.eq_ignore_ascii_case("LEGGIMI.md");
            if !is_rule && !is_doc {
                continue;
            }
            let text = std::fs::read_to_string(&p).map_err(|e| RuleError::Unreadable {
                path: p.display().to_string(),
                reason: io_reason(&e),
            })?;
            files.push(RuleFile { name, text });
        }
        if !files.iter().any(|f| f.name.ends_with(".rhai")) {
            return Err(unreadable(
                "la cartella non contiene file .rhai (per crearne una: barometro init CARTELLA)"
                    .into(),
            ));
        }
        RuleSet::from_files(&dir.display().to_string(), Some(dir.to_path_buf()), files)
    }

    /// Compiles a rule set from its files (`.rhai` files are compiled, others kept as text).
    pub fn from_files(
        name: &str,
        dir: Option<PathBuf>,
        files: Vec<RuleFile>,
    ) -> Result<RuleSet, RuleError> {
        let engine = api::sandbox();
        let mut ast = AST::empty();
        let mut functions: HashMap<(String, usize), (usize, usize)> = HashMap::new();
        for (index, file) in files.iter().enumerate() {
            if !file.name.ends_with(".rhai") {
                continue;
            }
            let mut file_ast = engine.compile(&file.text).map_err(|e| {
                let pos = e.position();
                RuleError::Syntax {
                    file: file.name.clone(),
                    line: pos.line().unwrap_or(0),
                    column: pos.position().unwrap_or(0),
                    message: api::parse_error_it(&e),
                }
            })?;
            file_ast.set_source(file.name.as_str());
            for f in file_ast.iter_functions() {
                let key = (f.name.to_string(), f.params.len());
                let line = function_line(&file.text, f.name, f.params.len()).unwrap_or(1);
                if let Some((other, other_line)) = functions.insert(key, (index, line)) {
                    return Err(RuleError::Definition {
                        message: format!(
                            "la funzione `{}` con {} parametri è definita due volte: {}, riga {} e {}, riga {}; tenetene una sola",
                            f.name,
                            f.params.len(),
                            files[other].name,
                            other_line,
                            file.name,
                            line
                        ),
                    });
                }
            }
            // Top-level statements run once here, so that their errors show at load time.
            engine
                .run_ast(&file_ast)
                .map_err(|e| api::located_error(&e, &file.name))?;
            ast.combine(file_ast);
        }
        let missing: Vec<String> = REQUIRED
            .iter()
            .filter(|(n, arity, _)| !functions.contains_key(&(n.to_string(), *arity)))
            .map(|(n, arity, what)| {
                let params = match arity {
                    0 => String::new(),
                    1 => "x".into(),
                    _ => "x, y".into(),
                };
                format!("`fn {n}({params})` ({what})")
            })
            .collect();
        if !missing.is_empty() {
            return Err(RuleError::Definition {
                message: format!(
                    "nelle regole '{}' mancano le funzioni: {}. Partite dalle regole predefinite (barometro init CARTELLA) e modificatele",
                    name,
                    missing.join("; ")
                ),
            });
        }
        let mut set = RuleSet {
            name: name.to_string(),
            dir,
            files,
            engine,
            ast,
            located: HashMap::new(),
            methods: Default::default(),
            method_list: Vec::new(),
            bands: Bands {
                bands: Vec::new(),
                no_score: Band {
                    from: 0.0,
                    label: String::new(),
                    colour: String::new(),
                },
            },
            constant_twins: HashMap::new(),
        };
        for ((name, arity), (file, line)) in &functions {
            let r = RuleRef {
                file: set.files[*file].name.as_str().into(),
                function: name.as_str().into(),
                line: *line,
            };
            set.located
                .entry(name.clone())
                .or_default()
                .push((*arity, r));
        }
        set.bands = set.read_bands()?;
        set.method_list = set.read_methods()?;
        set.methods = set.method_list.iter().cloned().collect();
        set.constant_twins = set.read_constant_twins()?;
        Ok(set)
    }

    /// The rule set's name: `predefinite`, or the folder it was loaded from.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The folder the set was loaded from; `None` for the embedded default.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The files of the set, with their text.
    pub fn files(&self) -> &[RuleFile] {
        &self.files
    }

    /// The barometer bands the set defines.
    pub fn bands(&self) -> &Bands {
        &self.bands
    }

    /// Writes the set's files into `dir` (created if needed), refusing to overwrite a file.
    /// Every file goes through a temporary file and a rename
    /// ([`crate::report::write_atomically`]): a failure never leaves a half-written one.
    /// Returns the paths written. This is `barometro init`.
    pub fn write_to(&self, dir: impl AsRef<Path>) -> Result<Vec<PathBuf>, RuleError> {
        let dir = dir.as_ref();
        for f in &self.files {
            let p = dir.join(&f.name);
            if p.exists() {
                return Err(RuleError::Unwritable {
                    path: p.display().to_string(),
                    reason: "il file esiste già; scegliete un'altra cartella o spostatelo".into(),
                });
            }
        }
        std::fs::create_dir_all(dir).map_err(|e| RuleError::Unwritable {
            path: dir.display().to_string(),
            reason: crate::report::write_error_reason(&e),
        })?;
        let mut written = Vec::new();
        for f in &self.files {
            let p = dir.join(&f.name);
            crate::report::write_atomically(&p, f.text.as_bytes(), None, false).map_err(|e| {
                use crate::report::{write_error_reason, ReportError};
                let reason = match e {
                    ReportError::Write { source, .. } => format!(
                        "{} (nessun file è stato modificato)",
                        write_error_reason(&source)
                    ),
                    ReportError::Exists(_) => {
                        "il file esiste già; scegliete un'altra cartella o spostatelo".into()
                    }
                    other => other.to_string(),
                };
                RuleError::Unwritable {
                    path: p.display().to_string(),
                    reason,
                }
            })?;
            written.push(p);
        }
        Ok(written)
    }

    /// Whether the set defines `name` with `arity` parameters.
    pub fn has_function(&self, name: &str, arity: usize) -> bool {
        self.located
            .get(name)
            .is_some_and(|v| v.iter().any(|(a, _)| *a == arity))
    }

    /// Where a function is defined.
    pub fn locate(&self, name: &str, arity: usize) -> Option<RuleRef> {
        self.located
            .get(name)?
            .iter()
            .find(|(a, _)| *a == arity)
            .map(|(_, r)| r.clone())
    }

    /// The file a function of any arity is defined in (for locating runtime errors).
    pub(crate) fn file_of(&self, name: &str) -> Option<&str> {
        self.located.get(name)?.first().map(|(_, r)| &*r.file)
    }

    /// The constant Excel twin of `function` (from `function_excel()` with no parameters), if
    /// the set has one; per-element twins (`function_excel(x)`) come with each [`super::Score`].
    pub fn constant_twin(&self, function: &str) -> Option<&Twin> {
        self.constant_twins.get(function).and_then(Option::as_ref)
    }

    /// Whether `name` is a scoring method the set lists in `metodi()`.
    pub fn is_method(&self, name: &str) -> bool {
        self.methods.contains(name)
    }

    /// The scoring methods the set lists in `metodi()`, in that order (what a *Metodo* column
    /// may name).
    ///
    /// ```
    /// let rules = barometro::rules::RuleSet::default_set().unwrap();
    /// assert_eq!(rules.methods()[0], "rapporto");
    /// assert!(rules.methods().iter().all(|m| rules.is_method(m)));
    /// ```
    pub fn methods(&self) -> &[String] {
        &self.method_list
    }

    fn read_methods(&self) -> Result<Vec<String>, RuleError> {
        let loc = self.locate("metodi", 0);
        let at = |msg: String| RuleError::Definition {
            message: match &loc {
                Some(l) => format!("{}, riga {} (metodi): {msg}", l.file, l.line),
                None => msg,
            },
        };
        let value: Dynamic = self
            .engine
            .call_fn(&mut rhai::Scope::new(), &self.ast, "metodi", ())
            .map_err(|e| api::located_error(&e, loc.as_ref().map_or("", |l| &l.file)))?;
        let list = value.try_cast::<rhai::Array>().ok_or_else(|| {
            at("`metodi()` deve restituire l'elenco dei nomi dei metodi, es. [\"rapporto\", \"fatto_non_fatto\"]".into())
        })?;
        let mut methods: Vec<String> = Vec::new();
        for item in list {
            let name = item.into_immutable_string().map_err(|t| {
                at(format!(
                    "ogni metodo deve essere un nome tra virgolette, non un valore di tipo {t}"
                ))
            })?;
            if !self.has_function(&name, 1) {
                return Err(at(format!(
                    "il metodo «{name}» è nell'elenco ma manca la sua funzione `fn {name}(i)`"
                )));
            }
            if !methods.iter().any(|m| m == name.as_str()) {
                methods.push(name.to_string());
            }
        }
        Ok(methods)
    }

    fn read_bands(&self) -> Result<Bands, RuleError> {
        let loc = self.locate("fasce", 0);
        let at = |msg: String| RuleError::Definition {
            message: match &loc {
                Some(l) => format!("{}, riga {} (fasce): {msg}", l.file, l.line),
                None => msg,
            },
        };
        let value: Dynamic = self
            .engine
            .call_fn(&mut rhai::Scope::new(), &self.ast, "fasce", ())
            .map_err(|e| api::located_error(&e, loc.as_ref().map_or("", |l| &l.file)))?;
        let list = value.try_cast::<rhai::Array>().ok_or_else(|| {
            at("`fasce()` deve restituire un elenco di fasce, es. [#{ da: 90, etichetta: \"Raggiunto\", colore: \"#63BE7B\" }, …]".into())
        })?;
        let mut bands = Vec::new();
        let mut no_score = None;
        for item in list {
            let map = item.try_cast::<rhai::Map>().ok_or_else(|| {
                at("ogni fascia deve essere una mappa #{ da, etichetta, colore }".into())
            })?;
            let text = |k: &str| -> Result<String, RuleError> {
                map.get(k)
                    .and_then(|v| v.clone().into_immutable_string().ok())
                    .map(|s| s.to_string())
                    .ok_or_else(|| at(format!("a una fascia manca `{k}` (un testo)")))
            };
            let label = text("etichetta")?;
            let colour = text("colore")?;
            if !is_colour(&colour) {
                return Err(at(format!(
                    "il colore '{colour}' della fascia '{label}' non è nel formato #RRGGBB"
                )));
            }
            match map.get("da") {
                Some(v) if v.is_unit() => no_score = Some(Band { from: 0.0, label, colour }),
                Some(v) => {
                    let from = api::number_of(v).ok_or_else(|| {
                        at(format!("la soglia `da` della fascia '{label}' deve essere un numero"))
                    })?;
                    bands.push(Band { from, label, colour });
                }
                None => {
                    return Err(at(format!(
                        "alla fascia '{label}' manca `da` (la soglia minima, oppure () per i valori senza punteggio)"
                    )))
                }
            }
        }
        bands.sort_by(|a, b| b.from.total_cmp(&a.from));
        if bands.is_empty() {
            return Err(at(
                "`fasce()` non definisce nessuna fascia con una soglia".into()
            ));
        }
        let no_score = no_score.unwrap_or(Band {
            from: 0.0,
            label: "Non valutabile".into(),
            colour: "#BFBFBF".into(),
        });
        Ok(Bands { bands, no_score })
    }

    fn read_constant_twins(&self) -> Result<HashMap<String, Option<Twin>>, RuleError> {
        let mut twins = HashMap::new();
        for (name, defined) in self.located.iter() {
            let Some(base) = name.strip_suffix("_excel") else {
                continue;
            };
            if !defined.iter().any(|(arity, _)| *arity == 0) {
                continue;
            }
            let loc = self.locate(name, 0);
            let value: Dynamic = self
                .engine
                .call_fn(&mut rhai::Scope::new(), &self.ast, name, ())
                .map_err(|e| api::located_error(&e, loc.as_ref().map_or("", |l| &l.file)))?;
            let twin = if value.is_unit() {
                None
            } else {
                let text = value.into_immutable_string().map_err(|_| RuleError::Definition {
                    message: format!(
                        "`{name}()` deve restituire il testo della formula Excel, es. \"=MAX(0,MIN(100,{{consuntivo}}/{{target}}*100))\""
                    ),
                })?;
                Some(Twin::parse(&text).map_err(|m| RuleError::Definition {
                    message: match &loc {
                        Some(l) => format!("{}, riga {} ({name}): {m}", l.file, l.line),
                        None => m,
                    },
                })?)
            };
            twins.insert(base.to_string(), twin);
        }
        Ok(twins)
    }
}

fn is_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// The one-based line where `fn name(` with `arity` parameters starts in `text`.
fn function_line(text: &str, name: &str, arity: usize) -> Option<usize> {
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        let t = t.strip_prefix("private ").unwrap_or(t).trim_start();
        let Some(rest) = t.strip_prefix("fn ") else {
            continue;
        };
        let rest = rest.trim_start();
        let Some(after) = rest.strip_prefix(name) else {
            continue;
        };
        let after = after.trim_start();
        let Some(params) = after.strip_prefix('(') else {
            continue;
        };
        let inner = params.split(')').next().unwrap_or("").trim();
        let n = if inner.is_empty() {
            0
        } else {
            inner.split(',').count()
        };
        if n == arity {
            return Some(i + 1);
        }
    }
    None
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "non esiste".into(),
        std::io::ErrorKind::PermissionDenied => "permesso negato".into(),
        _ => e.to_string(),
    }
}
