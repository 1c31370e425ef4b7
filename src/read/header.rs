//! Header recognition: which column holds what, by loose matching of the Italian headers and
//! their variants, plus a user mapping file for headers barometro does not know.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Upper grouping: *Linea strategica*, *Area strategica*.
    UpperArea,
    /// Area: *Settore*, *Settore/Cdr*, *Centro di responsabilità*, *Unità*, *Servizio*.
    Area,
    /// Objective code.
    Code,
    /// Objective title.
    Title,
    /// Objective description (*Definizione*).
    Description,
    /// Objective weight within its area (*Ponderazione*, *Peso obiettivo*).
    ObjectiveWeight,
    /// Giunta priority (*Priorità*).
    Priority,
    /// Responsible manager or office.
    Responsible,
    /// Political owner (*Assessore*).
    PoliticalOwner,
    /// DUP mission (*Missione*).
    Mission,
    /// Strategic objective (*Indirizzi/Obiettivi strategici*).
    StrategicObjective,
    /// Operational objective of the DUP (*Obiettivi operativi*).
    OperationalObjective,
    /// Neutralised flag (*Neutralizzato*).
    Neutralised,
    /// Indicator name.
    IndicatorName,
    /// Formula text.
    Formula,
    /// Purpose (*Finalità*).
    Purpose,
    /// Polarity.
    Polarity,
    /// Scoring method.
    Method,
    /// Baseline.
    Baseline,
    /// Target.
    Target,
    /// Interim target.
    InterimTarget,
    /// Actual value (final).
    Actual,
    /// Interim actual value.
    InterimActual,
    /// Deviation (*Scostamento*).
    Deviation,
    /// Deadline.
    Deadline,
    /// Indicator weight (*Peso*).
    IndicatorWeight,
    /// Stated achievement (*% Ragg*).
    Achievement,
    /// Stated barometer (*Barometro*, *Semaforo*).
    Barometer,
    /// Note.
    Note,
    /// The year a row refers to (*Anno*), in plans with one row per year.
    Year,
    /// A column the user said to ignore.
    Ignore,
}

impl Role {
    /// Every role, in a stable order.
    pub const ALL: [Role; 31] = [
        Role::UpperArea,
        Role::Area,
        Role::Code,
        Role::Title,
        Role::Description,
        Role::ObjectiveWeight,
        Role::Priority,
        Role::Responsible,
        Role::PoliticalOwner,
        Role::Mission,
        Role::StrategicObjective,
        Role::OperationalObjective,
        Role::Neutralised,
        Role::IndicatorName,
        Role::Formula,
        Role::Purpose,
        Role::Polarity,
        Role::Method,
        Role::Baseline,
        Role::Target,
        Role::InterimTarget,
        Role::Actual,
        Role::InterimActual,
        Role::Deviation,
        Role::Deadline,
        Role::IndicatorWeight,
        Role::Achievement,
        Role::Barometer,
        Role::Note,
        Role::Year,
        Role::Ignore,
    ];

    /// The stable key of the role, as written in a mapping file and used in
    /// [`crate::model::StatedTotal::values`] (Italian, lower case).
    pub fn key(self) -> &'static str {
        match self {
            Role::UpperArea => "linea",
            Role::Area => "settore",
            Role::Code => "codice",
            Role::Title => "obiettivo",
            Role::Description => "descrizione",
            Role::ObjectiveWeight => "peso_obiettivo",
            Role::Priority => "priorita",
            Role::Responsible => "responsabile",
            Role::PoliticalOwner => "assessore",
            Role::Mission => "missione",
            Role::StrategicObjective => "obiettivo_strategico",
            Role::OperationalObjective => "obiettivo_operativo",
            Role::Neutralised => "neutralizzato",
            Role::IndicatorName => "indicatore",
            Role::Formula => "formula",
            Role::Purpose => "finalita",
            Role::Polarity => "polarita",
            Role::Method => "metodo",
            Role::Baseline => "baseline",
            Role::Target => "target",
            Role::InterimTarget => "target_intermedio",
            Role::Actual => "consuntivo",
            Role::InterimActual => "consuntivo_intermedio",
            Role::Deviation => "scostamento",
            Role::Deadline => "scadenza",
            Role::IndicatorWeight => "peso",
            Role::Achievement => "raggiungimento",
            Role::Barometer => "barometro",
            Role::Note => "note",
            Role::Year => "anno",
            Role::Ignore => "ignora",
        }
    }

    /// The role for a mapping-file key (Italian key, with or without accents, or an English
    /// alias such as `title`, `actual`, `weight`).
    pub fn from_key(key: &str) -> Option<Role> {
        let k = super::normalise_header(key).replace(' ', "_");
        let english = match k.as_str() {
            "upper_area" | "line" | "linea_strategica" => Some(Role::UpperArea),
            "area" | "sector" => Some(Role::Area),
            "code" => Some(Role::Code),
            "title" | "objective" | "titolo" => Some(Role::Title),
            "description" | "definizione" => Some(Role::Description),
            "objective_weight" | "ponderazione" => Some(Role::ObjectiveWeight),
            "priority" => Some(Role::Priority),
            "responsible" | "dirigente" => Some(Role::Responsible),
            "political_owner" => Some(Role::PoliticalOwner),
            "mission" => Some(Role::Mission),
            "strategic_objective" => Some(Role::StrategicObjective),
            "operational_objective" => Some(Role::OperationalObjective),
            "neutralised" | "neutralized" => Some(Role::Neutralised),
            "indicator" => Some(Role::IndicatorName),
            "purpose" => Some(Role::Purpose),
            "polarity" => Some(Role::Polarity),
            "method" => Some(Role::Method),
            "interim_target" => Some(Role::InterimTarget),
            "actual" | "risultato" | "valore_raggiunto" => Some(Role::Actual),
            "interim_actual" | "risultato_intermedio" => Some(Role::InterimActual),
            "deviation" => Some(Role::Deviation),
            "deadline" => Some(Role::Deadline),
            "weight" | "peso_indicatore" => Some(Role::IndicatorWeight),
            "achievement" | "ragg" | "esito" => Some(Role::Achievement),
            "barometer" | "semaforo" => Some(Role::Barometer),
            "nota" => Some(Role::Note),
            "year" => Some(Role::Year),
            "ignore" | "ignorare" => Some(Role::Ignore),
            _ => None,
        };
        english.or_else(|| Role::ALL.into_iter().find(|r| r.key() == k))
    }

    /// True for roles that describe the objective (one value per objective); false for
    /// roles that describe an indicator row.
    pub fn is_objective_level(self) -> bool {
        matches!(
            self,
            Role::UpperArea
                | Role::Area
                | Role::Code
                | Role::Title
                | Role::Description
                | Role::ObjectiveWeight
                | Role::Priority
                | Role::Responsible
                | Role::PoliticalOwner
                | Role::Mission
                | Role::StrategicObjective
                | Role::OperationalObjective
                | Role::Neutralised
        )
    }

    /// The indicator value a column of this role holds, for indicator-level roles.
    pub fn indicator_value(self) -> Option<crate::model::IndicatorValue> {
        use crate::model::IndicatorValue as V;
        Some(match self {
            Role::IndicatorName => V::Name,
            Role::Formula => V::Formula,
            Role::Purpose => V::Purpose,
            Role::Polarity => V::PolarityText,
            Role::Method => V::Method,
            Role::Baseline => V::Baseline,
            Role::Target => V::Target,
            Role::InterimTarget => V::InterimTarget,
            Role::Actual => V::Actual,
            Role::InterimActual => V::InterimActual,
            Role::Deviation => V::Deviation,
            Role::Deadline => V::Deadline,
            Role::IndicatorWeight => V::Weight,
            Role::Achievement => V::StatedAchievement,
            Role::Barometer => V::StatedBarometer,
            Role::Note => V::Note,
            Role::Year => V::Year,
            _ => return None,
        })
    }

    /// True for grouping columns whose blank cells mean "same as above".
    pub fn fills_down(self) -> bool {
        matches!(
            self,
            Role::UpperArea
                | Role::Area
                | Role::Mission
                | Role::StrategicObjective
                | Role::OperationalObjective
        )
    }
}

/// How a pattern must sit in a header.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fit {
    /// The whole header.
    Exact,
    /// The header starts with it.
    Prefix,
    /// Anywhere in the header, on word boundaries.
    Contains,
}

use Fit::{Contains, Exact, Prefix};

/// (role, pattern in normalised form, how it must fit, base score).
const PATTERNS: &[(Role, &str, Fit, u32)] = &[
    (Role::UpperArea, "linea strategica", Prefix, 90),
    (Role::UpperArea, "area strategica", Prefix, 90),
    (Role::UpperArea, "linea di mandato", Prefix, 90),
    (Role::UpperArea, "linea programmatica", Exact, 70),
    (Role::UpperArea, "ambito strategico", Prefix, 80),
    (Role::UpperArea, "macro area", Exact, 70),
    (Role::UpperArea, "macroarea", Exact, 70),
    (Role::Area, "settore", Exact, 90),
    (Role::Area, "settore cdr", Exact, 95),
    (Role::Area, "settore servizio", Exact, 95),
    (Role::Area, "settore responsabile", Exact, 85),
    (Role::Area, "settore", Prefix, 60),
    (Role::Area, "cdr", Exact, 90),
    (Role::Area, "centro di responsabilita", Prefix, 90),
    (Role::Area, "centro di costo", Prefix, 70),
    (Role::Area, "unita organizzativa", Prefix, 90),
    (Role::Area, "unita", Exact, 85),
    (Role::Area, "servizio", Exact, 80),
    (Role::Area, "struttura", Exact, 75),
    (Role::Area, "struttura organizzativa", Exact, 85),
    (Role::Area, "direzione", Exact, 80),
    (Role::Area, "area", Exact, 80),
    (Role::Area, "area organizzativa", Exact, 85),
    (Role::Area, "ufficio", Exact, 75),
    (Role::Code, "codice", Exact, 95),
    (Role::Code, "codice obiettivo", Exact, 95),
    (Role::Code, "cod", Exact, 90),
    (Role::Code, "cod obiettivo", Exact, 90),
    (Role::Code, "codice", Prefix, 70),
    (Role::Code, "id", Exact, 80),
    (Role::Code, "id obiettivo", Exact, 85),
    (Role::Code, "n", Exact, 70),
    (Role::Code, "n obiettivo", Exact, 85),
    (Role::Code, "numero obiettivo", Exact, 85),
    (Role::Code, "rif", Exact, 60),
    (Role::Title, "obiettivo", Exact, 100),
    (Role::Title, "titolo", Prefix, 95),
    (Role::Title, "titolo obiettivo", Prefix, 97),
    (Role::Title, "obiettivo esecutivo", Prefix, 95),
    (Role::Title, "obiettivo gestionale", Prefix, 95),
    (Role::Title, "obiettivo di performance", Prefix, 95),
    (Role::Title, "obiettivo specifico", Prefix, 90),
    (Role::Title, "obiettivo di peg", Prefix, 90),
    (Role::Title, "descrizione obiettivo", Exact, 92),
    (Role::Title, "denominazione obiettivo", Exact, 92),
    (Role::Title, "obiettivo operativo", Exact, 40),
    (Role::Title, "obiettivo", Prefix, 30),
    (Role::Description, "definizione", Prefix, 90),
    (Role::Description, "descrizione", Exact, 85),
    (Role::Description, "descrizione sintetica", Prefix, 85),
    (Role::Description, "descrizione dell obiettivo", Exact, 60),
    (Role::Description, "contenuto", Exact, 70),
    (Role::ObjectiveWeight, "ponderazione", Prefix, 90),
    (Role::ObjectiveWeight, "peso obiettivo", Prefix, 95),
    (Role::ObjectiveWeight, "peso dell obiettivo", Prefix, 95),
    (Role::ObjectiveWeight, "peso ponderale", Prefix, 80),
    (Role::ObjectiveWeight, "peso relativo obiettivo", Prefix, 95),
    (Role::Priority, "priorita", Prefix, 95),
    (Role::Priority, "grado di priorita", Prefix, 95),
    (Role::Responsible, "settore di riferimento", Prefix, 97),
    (Role::Responsible, "responsabile", Exact, 90),
    (Role::Responsible, "responsabile", Prefix, 70),
    (Role::Responsible, "dirigente", Prefix, 90),
    (Role::Responsible, "responsabile obiettivo", Prefix, 92),
    (Role::Responsible, "coordinatore", Prefix, 80),
    (Role::Responsible, "referente", Prefix, 75),
    (Role::PoliticalOwner, "responsabile politico", Prefix, 97),
    (Role::PoliticalOwner, "assessore", Prefix, 95),
    (Role::PoliticalOwner, "referente politico", Prefix, 95),
    (Role::Mission, "missione", Prefix, 95),
    (Role::Mission, "missione programma", Prefix, 95),
    (Role::StrategicObjective, "obiettivo strategico", Prefix, 90),
    (
        Role::StrategicObjective,
        "indirizzo obiettivo strategico",
        Prefix,
        95,
    ),
    (Role::StrategicObjective, "indirizzo strategico", Prefix, 95),
    (
        Role::OperationalObjective,
        "obiettivo operativo",
        Prefix,
        90,
    ),
    (Role::Neutralised, "neutralizzato", Prefix, 95),
    (Role::Neutralised, "neutralizzazione", Prefix, 95),
    (Role::IndicatorName, "indicatore", Exact, 100),
    (Role::IndicatorName, "indicatore", Prefix, 85),
    (Role::IndicatorName, "indicatore di risultato", Prefix, 95),
    (Role::IndicatorName, "indicatore di performance", Prefix, 95),
    (Role::IndicatorName, "descrizione indicatore", Exact, 95),
    (Role::IndicatorName, "nome indicatore", Exact, 95),
    (Role::IndicatorName, "fase", Exact, 60),
    (Role::IndicatorName, "attivita", Exact, 60),
    (Role::Formula, "formula", Prefix, 95),
    (Role::Formula, "modalita di calcolo", Prefix, 90),
    (Role::Formula, "metodo di calcolo", Prefix, 90),
    (Role::Formula, "algoritmo", Prefix, 80),
    (Role::Purpose, "finalita", Prefix, 90),
    (Role::Polarity, "polarita", Prefix, 95),
    (Role::Polarity, "verso", Exact, 80),
    (Role::Polarity, "tendenza", Exact, 70),
    (Role::Polarity, "direzione attesa", Exact, 80),
    (Role::Method, "metodo", Exact, 90),
    (Role::Method, "metodo di valutazione", Prefix, 95),
    (Role::Method, "metodo di misurazione", Prefix, 92),
    (Role::Method, "tipo indicatore", Prefix, 85),
    (Role::Method, "tipologia indicatore", Prefix, 85),
    (Role::Method, "tipologia", Exact, 75),
    (Role::Method, "tipo", Exact, 70),
    (Role::Baseline, "baseline", Prefix, 95),
    (Role::Baseline, "valore di partenza", Prefix, 90),
    (Role::Baseline, "valore iniziale", Prefix, 90),
    (Role::Baseline, "valore storico", Prefix, 85),
    (Role::Baseline, "stato del bisogno", Contains, 60),
    (Role::Target, "target", Exact, 100),
    (Role::Target, "target atteso", Prefix, 97),
    (Role::Target, "target a preventivo", Prefix, 97),
    (Role::Target, "target previsto", Prefix, 97),
    (Role::Target, "target finale", Prefix, 95),
    (Role::Target, "target", Prefix, 70),
    (Role::Target, "valore indicatore", Exact, 90),
    (Role::Target, "valore atteso", Prefix, 92),
    (Role::Target, "valore target", Prefix, 92),
    (Role::Target, "valore obiettivo", Prefix, 90),
    (Role::Target, "risultato atteso", Exact, 80),
    (Role::Target, "obiettivo atteso", Exact, 70),
    (Role::InterimTarget, "target intermedio", Prefix, 99),
    (Role::InterimTarget, "target al 30", Prefix, 95),
    (Role::InterimTarget, "valore atteso intermedio", Prefix, 97),
    (Role::Actual, "target consuntivo", Prefix, 99),
    (Role::Actual, "target raggiunto", Prefix, 99),
    (Role::Actual, "consuntivo", Prefix, 95),
    (Role::Actual, "valore consuntivo", Prefix, 95),
    (Role::Actual, "valore raggiunto", Prefix, 95),
    (Role::Actual, "valore rilevato", Prefix, 92),
    (Role::Actual, "valore effettivo", Prefix, 92),
    (Role::Actual, "risultato finale", Prefix, 97),
    (Role::Actual, "risultato raggiunto", Prefix, 97),
    (Role::Actual, "risultato", Exact, 85),
    (Role::Actual, "valore al 31", Prefix, 90),
    (Role::Actual, "rilevazione finale", Prefix, 90),
    (Role::InterimActual, "risultato intermedio", Prefix, 99),
    (Role::InterimActual, "consuntivo intermedio", Prefix, 99),
    (Role::InterimActual, "valore intermedio", Prefix, 95),
    (Role::InterimActual, "valore al 30", Prefix, 95),
    (Role::InterimActual, "rilevazione intermedia", Prefix, 95),
    (Role::Deviation, "scostamento", Prefix, 95),
    (Role::Deviation, "delta", Exact, 70),
    (Role::Deviation, "differenza", Exact, 70),
    (Role::Deadline, "scadenza", Prefix, 95),
    (Role::Deadline, "tempistica", Prefix, 92),
    (Role::Deadline, "tempi di realizzazione", Prefix, 95),
    (Role::Deadline, "tempi", Exact, 80),
    (Role::Deadline, "termine", Prefix, 85),
    (Role::Deadline, "data di scadenza", Prefix, 95),
    (Role::Deadline, "entro il", Exact, 80),
    (Role::IndicatorWeight, "peso", Exact, 100),
    (Role::IndicatorWeight, "peso", Prefix, 80),
    (Role::IndicatorWeight, "peso indicatore", Prefix, 97),
    (Role::IndicatorWeight, "peso in %", Prefix, 95),
    (Role::Achievement, "% ragg", Prefix, 97),
    (Role::Achievement, "% raggiungimento", Prefix, 97),
    (Role::Achievement, "% di raggiungimento", Prefix, 97),
    (
        Role::Achievement,
        "percentuale di raggiungimento",
        Prefix,
        97,
    ),
    (Role::Achievement, "grado di raggiungimento", Prefix, 95),
    (Role::Achievement, "grado di realizzazione", Prefix, 95),
    (Role::Achievement, "% realizzazione", Prefix, 95),
    (Role::Achievement, "realizzazione", Exact, 85),
    (Role::Achievement, "raggiungimento", Exact, 85),
    (Role::Achievement, "esito", Exact, 85),
    (Role::Achievement, "punteggio", Exact, 70),
    (Role::Barometer, "barometro", Prefix, 97),
    (Role::Barometer, "semaforo", Prefix, 97),
    (Role::Year, "anno", Exact, 90),
    (Role::Year, "anno di riferimento", Prefix, 90),
    (Role::Note, "note", Exact, 95),
    (Role::Note, "note", Prefix, 75),
    (Role::Note, "annotazioni", Exact, 85),
    (Role::Note, "osservazioni", Exact, 85),
    (Role::Note, "motivazione", Prefix, 80),
    (Role::Note, "commento", Prefix, 80),
];

/// Drops the final vowel of words longer than three letters, so that singular and plural
/// (`obiettivo` / `obiettivi`, `indicatore` / `indicatori`, `nota` / `note`,
/// `strategica` / `strategiche`) compare equal.
fn stem(word: &str) -> &str {
    if word.len() > 3 && word.ends_with(['a', 'e', 'i', 'o']) {
        let s = &word[..word.len() - 1];
        if s.ends_with("ch") || s.ends_with("gh") {
            &s[..s.len() - 1]
        } else {
            s
        }
    } else {
        word
    }
}

/// Normalised, stemmed words of a header.
pub(crate) fn header_words(text: &str) -> Vec<String> {
    super::normalise_header(text)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| stem(w).to_string())
        .collect()
}

fn fits(header: &[String], pattern: &[String], fit: Fit) -> bool {
    if pattern.is_empty() || header.len() < pattern.len() {
        return false;
    }
    match fit {
        Exact => header == pattern,
        Prefix => header[..pattern.len()] == *pattern,
        Contains => header.windows(pattern.len()).any(|w| w == pattern),
    }
}

/// Texts longer than this (in bytes) are never headers: descriptions and notes are skipped
/// without being matched.
const MAX_HEADER_LEN: usize = 200;

/// A compiled matcher of headers to roles, with the user's mapping applied first. Answers are
/// remembered, since the same headers repeat on every sheet and page.
#[derive(Debug, Clone)]
pub struct HeaderMatcher {
    patterns: Vec<(Role, Vec<String>, Fit, u32)>,
    /// Exact and prefix patterns by their first word; contains patterns apart.
    by_first_word: HashMap<String, Vec<usize>>,
    anywhere: Vec<usize>,
    user: HashMap<String, Role>,
    longest_user_key: usize,
    cache: std::cell::RefCell<HashMap<String, Vec<(Role, u32)>>>,
}

impl Default for HeaderMatcher {
    fn default() -> Self {
        HeaderMatcher::new(&HeaderMap::default())
    }
}

impl std::fmt::Debug for Fit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = match self {
            Exact => "exact",
            Prefix => "prefix",
            Contains => "contains",
        };
        f.write_str(s)
    }
}

impl HeaderMatcher {
    /// The built-in patterns plus a user mapping.
    pub fn new(map: &HeaderMap) -> Self {
        let patterns: Vec<(Role, Vec<String>, Fit, u32)> = PATTERNS
            .iter()
            .map(|(role, p, fit, score)| (*role, header_words(p), *fit, *score))
            .collect();
        let mut by_first_word: HashMap<String, Vec<usize>> = HashMap::new();
        let mut anywhere = Vec::new();
        for (i, (_, words, fit, _)) in patterns.iter().enumerate() {
            match (fit, words.first()) {
                (Contains, _) | (_, None) => anywhere.push(i),
                (_, Some(first)) => by_first_word.entry(first.clone()).or_default().push(i),
            }
        }
        let user = map
            .columns
            .iter()
            .map(|(header, role)| (header_words(header).join(" "), *role))
            .collect();
        let longest_user_key = map.columns.iter().map(|(h, _)| h.len()).max().unwrap_or(0);
        HeaderMatcher {
            patterns,
            by_first_word,
            anywhere,
            user,
            longest_user_key,
            cache: Default::default(),
        }
    }

    /// Every role a header could mean, with a score (higher is surer), best first. A user
    /// mapping wins over everything.
    pub fn candidates(&self, header: &str) -> Vec<(Role, u32)> {
        if header.len() > MAX_HEADER_LEN.max(self.longest_user_key) {
            return Vec::new();
        }
        if let Some(hit) = self.cache.borrow().get(header) {
            return hit.clone();
        }
        let found = self.match_header(header);
        let mut cache = self.cache.borrow_mut();
        if cache.len() < 10_000 {
            cache.insert(header.to_string(), found.clone());
        }
        found
    }

    fn match_header(&self, header: &str) -> Vec<(Role, u32)> {
        let words = header_words(header);
        if words.is_empty() {
            return Vec::new();
        }
        if let Some(role) = self.user.get(&words.join(" ")) {
            return vec![(*role, 1000)];
        }
        let mut best: Vec<(Role, u32)> = Vec::new();
        let first = self.by_first_word.get(&words[0]).into_iter().flatten();
        for &i in first.chain(&self.anywhere) {
            let (role, pattern, fit, score) = &self.patterns[i];
            if fits(&words, pattern, *fit) {
                // Longer patterns are more specific.
                let s = score * 10 + pattern.len() as u32;
                match best.iter_mut().find(|(r, _)| r == role) {
                    Some(entry) => entry.1 = entry.1.max(s),
                    None => best.push((*role, s)),
                }
            }
        }
        best.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        best
    }

    /// The best role for a header, if any.
    pub fn best(&self, header: &str) -> Option<Role> {
        self.candidates(header).first().map(|(r, _)| *r)
    }
}

/// A user mapping of headers to roles, for headers barometro does not recognise, read from a
/// TOML file (*mappa delle intestazioni*):
///
/// ```toml
/// # Intestazione come scritta nel foglio = ruolo della colonna
/// [colonne]
/// "Valore atteso 2024" = "target"
/// "Esito al 31/12" = "consuntivo"
/// "Colonna di servizio" = "ignora"
/// ```
///
/// ```
/// use barometro::read::HeaderMap;
/// let map = HeaderMap::from_toml_str("[colonne]\n\"Valore atteso 2024\" = \"target\"\n").unwrap();
/// assert_eq!(map.columns.len(), 1);
/// ```
#[derive(Debug, Clone, Default)]
pub struct HeaderMap {
    /// Header text → role.
    pub columns: Vec<(String, Role)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HeaderMapFile {
    #[serde(alias = "intestazioni", alias = "columns")]
    colonne: HashMap<String, String>,
}

impl HeaderMap {
    /// Parses a mapping from TOML text. The error, in Italian, says which key is wrong and
    /// lists the valid roles.
    pub fn from_toml_str(text: &str) -> Result<HeaderMap, String> {
        let line_col = |offset: usize| {
            let before = &text[..offset.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            (line, col)
        };
        let file: HeaderMapFile = toml::from_str(text).map_err(|e| {
            let place = e
                .span()
                .map(|s| {
                    let (l, c) = line_col(s.start);
                    format!("riga {l}, colonna {c}: ")
                })
                .unwrap_or_default();
            format!(
                "{place}il file deve avere una sezione [colonne] con righe «\"Intestazione\" = \"ruolo\"» (dettaglio: {})",
                e.message()
            )
        })?;
        let mut columns = Vec::new();
        let mut keys: Vec<_> = file.colonne.into_iter().collect();
        keys.sort();
        for (header, role) in keys {
            let r = Role::from_key(&role).ok_or_else(|| {
                let valid: Vec<&str> = Role::ALL.iter().map(|r| r.key()).collect();
                let place = text
                    .find(&format!("\"{header}\""))
                    .map(|at| format!("riga {}: ", line_col(at).0))
                    .unwrap_or_default();
                format!(
                    "{place}ruolo «{role}» sconosciuto per l'intestazione «{header}»; ruoli validi: {}",
                    valid.join(", ")
                )
            })?;
            columns.push((header, r));
        }
        Ok(HeaderMap { columns })
    }

    /// Reads a mapping file.
    pub fn from_file(path: &Path) -> Result<HeaderMap, String> {
        let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                format!("mappa delle intestazioni non trovata: «{}»", path.display())
            }
            std::io::ErrorKind::InvalidData => format!(
                "la mappa «{}» non è un file di testo UTF-8: salvarla come testo UTF-8",
                path.display()
            ),
            _ => format!("impossibile leggere la mappa «{}»: {e}", path.display()),
        })?;
        HeaderMap::from_toml_str(&text).map_err(|e| format!("mappa «{}», {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn best(h: &str) -> Option<Role> {
        HeaderMatcher::default().best(h)
    }

    #[test]
    fn cremona_headers() {
        let cols = [
            ("Settore", Role::Area),
            ("Obiettivo", Role::Title),
            ("Definizione", Role::Description),
            ("Indicatore", Role::IndicatorName),
            ("Formula", Role::Formula),
            ("Finalità", Role::Purpose),
            ("Target atteso", Role::Target),
            ("Target Consuntivo", Role::Actual),
            ("Scostamento", Role::Deviation),
            ("Note", Role::Note),
            ("Peso", Role::IndicatorWeight),
            ("% Ragg", Role::Achievement),
            ("Barometro", Role::Barometer),
        ];
        for (h, r) in cols {
            assert_eq!(best(h), Some(r), "{h}");
        }
    }

    #[test]
    fn portomaggiore_headers() {
        let cols = [
            ("Missione", Role::Mission),
            ("Indirizzi/Obiettivi strategici", Role::StrategicObjective),
            (
                "Indirizzi/Obiettivi strategici DUP aggiornati",
                Role::StrategicObjective,
            ),
            ("Obiettivi operativi", Role::OperationalObjective),
            ("Responsabile politico di riferimento", Role::PoliticalOwner),
            (
                "Obiettivi gestionali discendenti dagli obiettivi Operativi DUP con l'indicazione di eventuali fasi",
                Role::Title,
            ),
            ("Indicatore di risultato", Role::IndicatorName),
            ("Valore indicatore", Role::Target),
            ("Tempi di realizzazione", Role::Deadline),
            ("Assessore di riferimento", Role::PoliticalOwner),
            (
                "Settore di riferimento e coordinatore progetto nel caso di più Settori coinvolti",
                Role::Responsible,
            ),
            (
                "Priorità / peso assegnato da giunta per il 2024 (da 1 a 5)",
                Role::Priority,
            ),
            ("priorità/ peso assegnato da giunta", Role::Priority),
            (
                "Ponderazione relativa obiettivo (in termini %)",
                Role::ObjectiveWeight,
            ),
            (
                "Ponderazione relativa obiettivi (in termini %)",
                Role::ObjectiveWeight,
            ),
        ];
        for (h, r) in cols {
            assert_eq!(best(h), Some(r), "{h}");
        }
        assert_eq!(best("Eventuale contributo GAP"), None);
        assert_eq!(best("Stakeholder (Portatori di interesse)"), None);
    }

    #[test]
    fn domain_variants() {
        let cols = [
            ("SETTORE/CDR", Role::Area),
            ("Settore / Cdr", Role::Area),
            ("Centro di responsabilità", Role::Area),
            ("Unità", Role::Area),
            ("Servizio", Role::Area),
            ("Linea strategica", Role::UpperArea),
            ("Linee strategiche", Role::UpperArea),
            ("Area strategica", Role::UpperArea),
            ("OBIETTIVI", Role::Title),
            ("Titolo", Role::Title),
            ("Obiettivo esecutivo", Role::Title),
            ("Indicatori", Role::IndicatorName),
            (
                "Indicatore (dimensione/formula di calcolo)",
                Role::IndicatorName,
            ),
            ("Baseline (o stato del bisogno)", Role::Baseline),
            ("Target a preventivo", Role::Target),
            ("Target intermedio", Role::InterimTarget),
            ("Target raggiunto", Role::Actual),
            ("Risultato finale", Role::Actual),
            ("Valore raggiunto", Role::Actual),
            ("Risultato intermedio", Role::InterimActual),
            ("Peso (in % max 100)", Role::IndicatorWeight),
            ("PESO", Role::IndicatorWeight),
            ("% raggiungimento", Role::Achievement),
            ("Realizzazione", Role::Achievement),
            ("Esito", Role::Achievement),
            ("Semaforo", Role::Barometer),
            ("Tempistica (entro il)", Role::Deadline),
            ("Scadenza", Role::Deadline),
            ("Polarità", Role::Polarity),
            ("Metodo", Role::Method),
            ("Note", Role::Note),
            ("Nota", Role::Note),
            ("Priorità", Role::Priority),
            ("Codice", Role::Code),
            ("Cod.", Role::Code),
        ];
        for (h, r) in cols {
            assert_eq!(best(h), Some(r), "{h}");
        }
    }

    #[test]
    fn header_spacing_case_and_line_breaks() {
        assert_eq!(best("  TARGET\nATTESO "), Some(Role::Target));
        assert_eq!(best("target   consuntivo"), Some(Role::Actual));
        assert_eq!(best("% RAGG."), Some(Role::Achievement));
    }

    #[test]
    fn user_mapping_wins() {
        let map = HeaderMap::from_toml_str(
            "[colonne]\n\"Valore atteso 2024\" = \"target\"\n\"Peso\" = \"peso_obiettivo\"\n",
        )
        .unwrap();
        let m = HeaderMatcher::new(&map);
        assert_eq!(m.best("VALORE ATTESO 2024"), Some(Role::Target));
        assert_eq!(m.best("Peso"), Some(Role::ObjectiveWeight));
    }

    #[test]
    fn user_mapping_errors_are_italian() {
        let e = HeaderMap::from_toml_str("[colonne]\n\"X\" = \"boh\"\n").unwrap_err();
        assert!(e.starts_with("riga 2: ruolo «boh» sconosciuto"), "{e}");
        assert!(e.contains("consuntivo"), "{e}");
        let e = HeaderMap::from_toml_str("colonne = 3").unwrap_err();
        assert!(e.contains("[colonne]"), "{e}");
        let e = HeaderMap::from_toml_str("[colonne]\n\"Target\" = target\n").unwrap_err();
        assert!(e.starts_with("riga 2, colonna "), "{e}");
    }

    #[test]
    fn every_role_key_round_trips() {
        for r in Role::ALL {
            assert_eq!(Role::from_key(r.key()), Some(r), "{}", r.key());
        }
    }
}
