//! The words of card layouts: labels and what they set, header-box headers, monitoring
//! labels, sector banners, objective codes alone in a cell, typed card titles, and the
//! detection of a card sheet.

use crate::read::activities;
use crate::read::form::{cell_text, form_cells, label_key};
use crate::read::grid::Grid;
use crate::read::normalise_header;
use crate::value::Expect;

/// The stated-total role of a declared objective count (`(4 OBIETTIVI)`).
pub const DECLARED_COUNT: &str = "numero_obiettivi";

/// What a card label sets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Slot {
    Title,
    /// Title when the card has none yet, otherwise description.
    ShortDescription,
    Description,
    Weight,
    Responsible,
    Strategy,
    /// An extra value under the label as written.
    Extra(Expect),
    /// The area the objective belongs to, also kept as an extra value.
    AreaName,
    /// A heading with no value.
    Heading,
}

/// Labels of single label/value rows, normalised, and what they set.
pub(super) const LABELS: &[(&str, Slot)] = &[
    ("titolo", Slot::Title),
    ("classificazione", Slot::Extra(Expect::Text)),
    ("settore cdr", Slot::AreaName),
    ("obiettivo descrizione sintetica", Slot::ShortDescription),
    ("descrizione sintetica", Slot::ShortDescription),
    ("descrizione obiettivo", Slot::Description),
    ("descrizione e finalita", Slot::Description),
    (
        "descrizione finalita da perseguire modalita linee guida di attuazione",
        Slot::Description,
    ),
    ("validita obiettivo", Slot::Extra(Expect::Text)),
    ("validita pluriennale obiettivo", Slot::Extra(Expect::Text)),
    ("centro di responsabilita", Slot::AreaName),
    ("dup ses", Slot::Strategy),
    ("realizzazione", Slot::Extra(Expect::Percent)),
    ("intermedio", Slot::Extra(Expect::Percent)),
    ("obiettivo padre", Slot::Weight),
    ("peso dell obiettivo rispetto a", Slot::Heading),
    (
        "attivita previste per il raggiungimento dell obiettivo",
        Slot::Heading,
    ),
    ("tipo obiettivo", Slot::Extra(Expect::Text)),
    ("grado di strategicita", Slot::Extra(Expect::Text)),
    ("centro di costo", Slot::Extra(Expect::Text)),
    ("indicatori di risultato", Slot::Heading),
    ("cronoprogramma", Slot::Heading),
];

/// Headers of a header row whose values sit in the row below, by prefix, and what they set.
pub(super) const BOX_HEADERS: &[(&str, Slot)] = &[
    ("stakeholder finali", Slot::Extra(Expect::Text)),
    ("contributor", Slot::Extra(Expect::Text)),
    ("raccordo collegamento", Slot::Strategy),
    (
        "raccordo con piano anticorruzione",
        Slot::Extra(Expect::Text),
    ),
    ("dirigente posizione responsabile", Slot::Responsible),
    ("pnrr", Slot::Extra(Expect::Text)),
    ("peso in % max 100", Slot::Weight),
    ("personale coinvolto", Slot::Extra(Expect::Text)),
    (
        "settore responsabile del coordinamento",
        Slot::Extra(Expect::Text),
    ),
    ("settori coinvolti", Slot::Extra(Expect::Text)),
    ("settore", Slot::Extra(Expect::Text)),
    ("funzionario responsabile", Slot::Responsible),
    ("dirigenti", Slot::Extra(Expect::Text)),
    ("dirigente", Slot::Responsible),
    ("responsabile", Slot::Responsible),
];

/// Labels of monitoring texts, by prefix.
pub(super) const STATUS_LABELS: &[&str] = &[
    "stato di attuazione",
    "resoconto al",
    "relazione a consuntivo",
    "monitoraggio al",
    "stato di avanzamento al",
];

/// A label row: what it sets, the label as written and the value with its column.
pub(super) type LabelRow = (Slot, String, Option<(u32, String)>);

/// The slot of a label row, if the text is a known label.
pub(super) fn label_slot(key: &str) -> Option<Slot> {
    LABELS.iter().find(|(l, _)| *l == key).map(|(_, s)| *s)
}

/// The slot of a header-box header.
pub(super) fn box_slot(key: &str) -> Option<Slot> {
    BOX_HEADERS
        .iter()
        .find(|(h, _)| key == *h || key.starts_with(&format!("{h} ")))
        .map(|(_, s)| *s)
}

pub(super) fn is_status_label(key: &str) -> bool {
    STATUS_LABELS.iter().any(|l| key.starts_with(l))
}

/// `SETTORE FINANZIARIO (4 OBIETTIVI)` → (`SETTORE FINANZIARIO`, 4).
pub(crate) fn section_banner(text: &str) -> Option<(String, u32)> {
    let t = text.trim();
    let open = t.rfind('(')?;
    let inner = t[open + 1..].trim_end().strip_suffix(')')?;
    let mut words = inner.split_whitespace();
    let n: u32 = words.next()?.parse().ok()?;
    let word = normalise_header(words.next()?);
    if words.next().is_some() || !(word == "obiettivi" || word == "obiettivo") {
        return None;
    }
    let name = t[..open].trim();
    (!name.is_empty()).then(|| (name.to_string(), n))
}

/// An objective code standing alone in a cell (`S1.00002`, `S1/DG.00012`,
/// `DG.00004 / S4.00002`), with an internal id in brackets after it (`S2.00003 (137)`).
pub(crate) fn card_code(text: &str) -> Option<(String, Option<String>)> {
    let t = text.trim();
    let (code, id) = match t.find('(') {
        Some(p) => (t[..p].trim(), Some(bracketed_id(&t[p..])?.to_string())),
        None => (t, None),
    };
    let compact: String = code.split_whitespace().collect();
    // `S1.00002`, `DG.00012`; a unit prefix (`S1/`) may stand without a number.
    let part = |p: &str| -> Option<bool> {
        let letters = p.chars().take_while(|c| c.is_ascii_alphabetic()).count();
        let (head, tail) = p.split_at(letters);
        if !(1..=3).contains(&letters) || !head.chars().all(|c| c.is_ascii_uppercase()) {
            return None;
        }
        match tail.split_once('.') {
            Some((unit, number)) => (unit.chars().all(|c| c.is_ascii_digit())
                && number.len() >= 3
                && number.chars().all(|c| c.is_ascii_digit()))
            .then_some(true),
            None => tail.chars().all(|c| c.is_ascii_digit()).then_some(false),
        }
    };
    let parts: Option<Vec<bool>> = compact.split('/').map(part).collect();
    let ok = parts.is_some_and(|p| p.iter().any(|numbered| *numbered));
    (!compact.is_empty() && compact.len() <= 40 && ok).then(|| (code.to_string(), id))
}

/// An internal id in brackets (`(133)`, ` (137) `): the digits.
pub(super) fn bracketed_id(text: &str) -> Option<&str> {
    let id = text.trim().strip_prefix('(')?.strip_suffix(')')?.trim();
    (!id.is_empty() && id.chars().all(|c| c.is_ascii_digit())).then_some(id)
}

/// Labels of the texts under an activity block (`Target attesi`, `Monitoraggio intermedio`,
/// `Monitoraggio finale`), normalised.
pub(super) fn is_activity_text_label(key: &str) -> bool {
    matches!(
        key,
        "target attesi" | "monitoraggio intermedio" | "monitoraggio finale"
    )
}

/// A typed card title (`1. OBIETTIVO DI MIGLIORAMENTO 2024`, `OBBIETTIVO DI GESTIONE 2024
/// INTERSETTORIALE`): the number, if any.
pub(super) fn typed_title(key: &str) -> Option<Option<u32>> {
    let digits: String = key.chars().take_while(|c| c.is_ascii_digit()).collect();
    let rest = key[digits.len()..].trim_start();
    let rest = rest
        .strip_prefix("obiettivo ")
        .or_else(|| rest.strip_prefix("obbiettivo "))?;
    let typed = ["di miglioramento", "innovativo", "di gestione"]
        .iter()
        .any(|t| rest.starts_with(t));
    typed.then(|| digits.parse().ok())
}

/// True when a sheet is laid out as cards: a sector banner, a typed card title, a centre's
/// page, activity blocks, or `Classificazione` / `Titolo` label rows (two, or one with a
/// monitoring label). An objective code alone in a row starts a card once the sheet is read
/// as cards, but does not decide the layout by itself.
pub(crate) fn looks_like_cards(grid: &Grid) -> bool {
    if grid.is_blank() {
        return false;
    }
    let (mut labels, mut statuses) = (0u32, 0u32);
    let last = grid.last_row().min(grid.first_row + 400);
    for row in grid.first_row..=last {
        if activities::activity_header(grid, row).is_some() {
            return true;
        }
        let cells = form_cells(grid, row);
        let Some(first) = cells.first() else {
            continue;
        };
        // Card rows are short (a label and its value, a code, a title): a long row of a
        // table says nothing, and its first cell needs no normalising.
        if cells.len() > 3 {
            continue;
        }
        let text = cell_text(grid.get(row, first.col));
        let key = label_key(&text);
        let single = cells.len() == 1;
        // A sector section, a typed title, or a centre's page (Casorate Primo: its title,
        // then its summary table) is enough.
        if (single && section_banner(&text).is_some())
            || typed_title(&key).is_some()
            || (single && key == "centro di responsabilita")
        {
            return true;
        }
        if cells.len() >= 2 && matches!(key.as_str(), "classificazione" | "titolo") {
            labels += 1;
        }
        if is_status_label(&key) {
            statuses += 1;
        }
    }
    labels >= 2 || (labels >= 1 && statuses >= 1)
}

/// The label of a card's achievement (*Realizzazione*). When its value cell is empty the card
/// still records it, as an empty field with its cell, so that `fill` can write the result in.
const OUTCOME_LABEL: &str = "realizzazione";

/// Whether a card label (as the objective's `extra` keeps it) names the objective's
/// achievement (*Realizzazione*, `Realizzazione:`).
///
/// ```
/// assert!(barometro::read::is_outcome_label("Realizzazione:"));
/// assert!(!barometro::read::is_outcome_label("Intermedio"));
/// ```
pub fn is_outcome_label(label: &str) -> bool {
    super::super::form::label_key(label) == OUTCOME_LABEL
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sector_banners() {
        assert_eq!(
            section_banner("SETTORE FINANZIARIO (4 OBIETTIVI)"),
            Some(("SETTORE FINANZIARIO".into(), 4))
        );
        assert_eq!(
            section_banner("SETTORE VITA DELLA COMUNITÀ (6 OBIETTIVI)"),
            Some(("SETTORE VITA DELLA COMUNITÀ".into(), 6))
        );
        assert_eq!(section_banner("Servizio (n. 4)"), None);
        assert_eq!(section_banner("(3 OBIETTIVI)"), None);
    }

    #[test]
    fn card_codes() {
        assert_eq!(card_code("S1.00002"), Some(("S1.00002".into(), None)));
        assert_eq!(
            card_code("S2.00003 (137)"),
            Some(("S2.00003".into(), Some("137".into())))
        );
        assert_eq!(card_code("S1/DG.00012"), Some(("S1/DG.00012".into(), None)));
        assert_eq!(
            card_code("DG.00004 / S4.00002"),
            Some(("DG.00004 / S4.00002".into(), None))
        );
        assert_eq!(card_code("Titolo"), None);
        assert_eq!(card_code("31.12.2023"), None);
        assert_eq!(card_code("S1.00002 - Gare"), None);
    }

    #[test]
    fn typed_titles() {
        let t = |s: &str| typed_title(&label_key(s));
        assert_eq!(t("1. OBIETTIVO DI MIGLIORAMENTO 2024"), Some(Some(1)));
        assert_eq!(t("2.OBIETTIVO INNOVATIVO 2024"), Some(Some(2)));
        assert_eq!(t("OBIETTIVO DI GESTIONE 2024"), Some(None));
        assert_eq!(t("4. OBBIETTIVO DI MIGLIORAMENTO 2023"), Some(Some(4)));
        assert_eq!(t("Obiettivo strategico n. 7"), None);
    }
}
