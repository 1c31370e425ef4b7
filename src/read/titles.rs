//! Title and label texts: the area a title block names (`LINEA STRATEGICA …`, `ASSEGNATI AL
//! SETTORE …`), the ente (`COMUNE DI CREMONA`), achievement banners, `totale` labels, and a
//! code written at the start of an objective title, the wordings of a Polarità cell.

use super::normalise_header;
use crate::model::Polarity;

/// Kinds of title lines that name an area.
pub(crate) fn area_title(text: &str) -> Option<(String, &'static str, u8)> {
    let joined: String = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let norm = normalise_header(&joined);
    // "OBIETTIVI GESTIONALI ASSEGNATI AL SETTORE TECNICO (TEC) Obiettivi 2024-2026"
    if let Some(pos) = norm.find("assegnati a") {
        let words_before = norm[..pos].split(' ').filter(|w| !w.is_empty()).count();
        let original: Vec<&str> = joined.split_whitespace().collect();
        // Skip "assegnati al/alla/all'/ai" and the kind of unit.
        let mut i = words_before + 1;
        let mut kind = "Settore";
        if i < original.len() {
            let w = normalise_header(original[i]);
            if w.starts_with("all") && original[i].contains('\'') {
                // "all'area" is one token: keep what follows the apostrophe.
                let after = original[i].split('\'').nth(1).unwrap_or("");
                if normalise_header(after) == "area" {
                    kind = "Area";
                    i += 1;
                }
            } else if matches!(w.as_str(), "al" | "alla" | "ai" | "agli" | "alle" | "all") {
                i += 1;
            }
        }
        if i < original.len() {
            match normalise_header(original[i]).as_str() {
                "settore" | "settori" => {
                    kind = "Settore";
                    i += 1;
                }
                "servizio" | "servizi" => {
                    kind = "Servizio";
                    i += 1;
                }
                "area" => {
                    kind = "Area";
                    i += 1;
                }
                "unita" => {
                    kind = "Unità";
                    i += 1;
                }
                _ => {}
            }
        }
        let mut name: Vec<&str> = Vec::new();
        let mut k = i;
        while k < original.len() {
            let w = normalise_header(original[k]);
            let next_is_year = original
                .get(k + 1)
                .is_some_and(|n| n.chars().next().is_some_and(|c| c.is_ascii_digit()));
            if w == "obiettivi" && next_is_year {
                break;
            }
            name.push(original[k]);
            k += 1;
        }
        let name = name.join(" ");
        if !name.is_empty() {
            return Some((name, kind, 3));
        }
    }
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let n = normalise_header(line);
        for (prefix, kind) in [
            ("linea strategica", "Linea strategica"),
            ("linee strategiche", "Linea strategica"),
            ("area strategica", "Area strategica"),
            ("linea di mandato", "Linea di mandato"),
            ("obiettivi di mandato", "Linea di mandato"),
            ("ambito strategico", "Ambito strategico"),
        ] {
            if n == prefix || n.starts_with(&format!("{prefix} ")) {
                return Some((line.to_string(), kind, 2));
            }
        }
    }
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let n = normalise_header(line);
        // "1° Settore Affari generali": an ordinal before the kind.
        let n = match n.split_once(' ') {
            Some((first, rest)) if first.chars().all(|c| c.is_ascii_digit()) => rest.to_string(),
            _ => n,
        };
        for (prefix, kind) in [
            ("settore", "Settore"),
            ("centro di responsabilita", "Centro di responsabilità"),
            ("unita organizzativa", "Unità organizzativa"),
            ("area", "Area"),
        ] {
            if n.starts_with(&format!("{prefix} ")) && n.split(' ').count() <= 12 {
                return Some((line.to_string(), kind, 1));
            }
        }
    }
    None
}

/// The ente's name from a title cell: `COMUNE DI CREMONA` → `Comune di Cremona`.
pub(crate) fn ente_title(text: &str) -> Option<String> {
    for line in text.lines().map(str::trim) {
        let n = normalise_header(line);
        let is_ente = [
            "comune di ",
            "comune d ",
            "unione ",
            "citta di ",
            "provincia di ",
            "citta metropolitana ",
        ]
        .iter()
        .any(|p| n.starts_with(p));
        if !is_ente {
            continue;
        }
        let cut = [" - ", " – ", " — ", ":", ","]
            .iter()
            .filter_map(|sep| line.find(sep))
            .min()
            .unwrap_or(line.len());
        let name = line[..cut].trim();
        let letters: Vec<char> = name.chars().filter(|c| c.is_alphabetic()).collect();
        let all_caps = !letters.is_empty() && letters.iter().all(|c| c.is_uppercase());
        return Some(if all_caps {
            title_case(name)
        } else {
            name.to_string()
        });
    }
    None
}

fn title_case(text: &str) -> String {
    const SMALL: &[&str] = &[
        "di", "del", "della", "dei", "delle", "degli", "e", "d", "in", "sul",
    ];
    text.split(' ')
        .enumerate()
        .map(|(i, w)| {
            let lower = w.to_lowercase();
            if i > 0 && SMALL.contains(&lower.as_str()) {
                lower
            } else {
                let mut cs = lower.chars();
                match cs.next() {
                    Some(f) => f.to_uppercase().chain(cs).collect(),
                    None => String::new(),
                }
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// True for a label that introduces an achievement banner.
pub(crate) fn is_banner_label(text: &str) -> bool {
    let n = normalise_header(text);
    [
        "% raggiungimento",
        "% di raggiungimento",
        "percentuale di raggiungimento",
        "percentuale raggiungimento",
        "grado di raggiungimento",
        "grado di realizzazione",
    ]
    .iter()
    .any(|p| n.starts_with(p))
}

/// True for the label of a totals row.
pub(crate) fn is_total_label(text: &str) -> bool {
    let t = text.trim_start();
    if !t.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("tot")) {
        return false;
    }
    let n = normalise_header(text);
    // "TOTALE (peso totale, esito %ponderata)": the bracket explains the row.
    let bracketed = t
        .get(6..)
        .is_some_and(|rest| rest.trim_start().starts_with('('));
    n == "totale"
        || (n.starts_with("totale ") && bracketed)
        || n == "totali"
        || (n.starts_with("totale ") && n.split(' ').count() <= 4)
        || (n.starts_with("totali ") && n.split(' ').count() <= 4)
}

/// A leading code in an objective title: `1.1.1 ANTICORRUZIONE`, `S1.00002 - Titolo`,
/// `OS98 Titolo`, `6.1.1.1/6.1.2.1 GIOVANI`. Returns (code, rest of the title).
///
/// ```
/// use barometro::read::split_code;
/// assert_eq!(split_code("S1.00002 - Gare e contratti"), Some(("S1.00002", "Gare e contratti")));
/// assert_eq!(split_code("1.1.1. Aggiornare il PIAO"), Some(("1.1.1", "Aggiornare il PIAO")));
/// assert_eq!(split_code("S1/DG.00012 – Documenti di programmazione"), Some(("S1/DG.00012", "Documenti di programmazione")));
/// assert_eq!(split_code("Missione 1"), None);
/// ```
pub fn split_code(title: &str) -> Option<(&str, &str)> {
    let t = title.trim_start();
    let end = t.find(|c: char| c.is_whitespace()).unwrap_or(t.len());
    let token = &t[..end];
    let rest = t[end..]
        .trim_start_matches(|c: char| c.is_whitespace() || c == '-' || c == '–' || c == ':');
    if rest.is_empty() {
        return None;
    }
    let code = token.trim_end_matches(['.', ':', ')']);
    if code.is_empty() || code.len() > 40 {
        return None;
    }
    let valid_part = |p: &str| {
        let letters = p.chars().take_while(|c| c.is_ascii_alphabetic()).count();
        let body = &p[letters..];
        // `DG.00012`: letters, a dot, then the number.
        let body = if letters >= 2 {
            body.strip_prefix('.').unwrap_or(body)
        } else {
            body
        };
        letters <= 4
            && !body.is_empty()
            && body.chars().next().is_some_and(|c| c.is_ascii_digit())
            && body.chars().all(|c| c.is_ascii_digit() || c == '.')
            && !body.contains("..")
            && (letters > 0 || body.contains('.'))
    };
    if code.split('/').all(valid_part) {
        Some((code, rest))
    } else {
        None
    }
}

/// Reads the Italian wordings of a Polarità cell (*crescente*, *decrescente*, *maggiore /
/// minore è meglio*, `+`, `↓`…).
///
/// ```
/// use barometro::model::Polarity;
/// use barometro::read::parse_polarity;
/// assert_eq!(parse_polarity("Minore è meglio"), Some(Polarity::Decrescente));
/// assert_eq!(parse_polarity("crescente"), Some(Polarity::Crescente));
/// assert_eq!(parse_polarity("boh"), None);
/// ```
pub fn parse_polarity(text: &str) -> Option<Polarity> {
    match text.trim() {
        "+" | "↑" => return Some(Polarity::Crescente),
        "-" | "↓" => return Some(Polarity::Decrescente),
        _ => {}
    }
    let t = normalise_header(text);
    let t = t.as_str();
    const DOWN: &[&str] = &[
        "decrescente",
        "minore e meglio",
        "minore e migliore",
        "piu basso e meglio",
        "piu basso e migliore",
        "inferiore e meglio",
        "in diminuzione",
        "diminuzione",
        "riduzione",
        "negativa",
        "minimizzare",
        "al ribasso",
    ];
    const UP: &[&str] = &[
        "crescente",
        "maggiore e meglio",
        "maggiore e migliore",
        "piu alto e meglio",
        "piu alto e migliore",
        "superiore e meglio",
        "in aumento",
        "aumento",
        "incremento",
        "positiva",
        "massimizzare",
        "al rialzo",
    ];
    if DOWN.contains(&t) {
        Some(Polarity::Decrescente)
    } else if UP.contains(&t) {
        Some(Polarity::Crescente)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_in_titles() {
        assert_eq!(
            split_code("1.1.1 ANTICORRUZIONE - x"),
            Some(("1.1.1", "ANTICORRUZIONE - x"))
        );
        assert_eq!(
            split_code("1.2.1. Incrementare"),
            Some(("1.2.1", "Incrementare"))
        );
        assert_eq!(
            split_code("S1.00002 - Titolo"),
            Some(("S1.00002", "Titolo"))
        );
        assert_eq!(split_code("OS98 Titolo"), Some(("OS98", "Titolo")));
        assert_eq!(
            split_code("6.1.1.1/6.1.2.1/6.1.3.1 GIOVANI"),
            Some(("6.1.1.1/6.1.2.1/6.1.3.1", "GIOVANI"))
        );
        assert_eq!(split_code("2024 anno"), None);
        assert_eq!(split_code("PNRR - M5C2"), None);
        assert_eq!(split_code("Formazione personale"), None);
        assert_eq!(split_code("1.1.1"), None);
    }

    #[test]
    fn area_titles() {
        assert_eq!(
            area_title("OBIETTIVI GESTIONALI\nASSEGNATI AL SETTORE\nSTAFF DEL SEGRETARIO GENERALE (STAFF)\nObiettivi 2024-2026"),
            Some(("STAFF DEL SEGRETARIO GENERALE (STAFF)".into(), "Settore", 3))
        );
        assert_eq!(
            area_title("OBIETTIVI GESTIONALI\nASSEGNATI AL SETTORE SERVIZI ALLE PERSONE\nDEL COMUNE (SAP)\nObiettivi 2024-2026"),
            Some(("SERVIZI ALLE PERSONE DEL COMUNE (SAP)".into(), "Settore", 3))
        );
        assert_eq!(
            area_title("LINEA STRATEGICA SULL'AMBIENTE"),
            Some((
                "LINEA STRATEGICA SULL'AMBIENTE".into(),
                "Linea strategica",
                2
            ))
        );
        assert_eq!(
            area_title("OBIETTIVI DI MANDATO"),
            Some(("OBIETTIVI DI MANDATO".into(), "Linea di mandato", 2))
        );
        assert_eq!(area_title("Relazione sulla Performance 2024"), None);
        assert_eq!(area_title("COMUNE DI CREMONA"), None);
    }

    #[test]
    fn ente_titles() {
        assert_eq!(
            ente_title("COMUNE DI CREMONA"),
            Some("Comune di Cremona".into())
        );
        assert_eq!(
            ente_title("Comune di Cremona - Stato di attuazione degli Obiettivi 2024"),
            Some("Comune di Cremona".into())
        );
        assert_eq!(
            ente_title("UNIONE DELLE TERRE D'ARGINE"),
            Some("Unione delle Terre D'argine".into())
        );
        assert_eq!(ente_title("Relazione sulla Performance"), None);
    }

    #[test]
    fn totals_and_banners() {
        assert!(is_total_label("totale"));
        assert!(is_total_label("TOTALE"));
        assert!(is_total_label("Totale settore"));
        assert!(!is_total_label(
            "Totale dei rifiuti raccolti nell'anno in corso"
        ));
        assert!(is_banner_label(
            "% Raggiungimento obiettivi per area strategica"
        ));
        assert!(!is_banner_label("% Ragg"));
    }
}
