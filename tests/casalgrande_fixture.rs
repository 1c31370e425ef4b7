//! Checks the Casalgrande fixture (`tests/data/casalgrande.json`, `common::casalgrande`) against
//! the figures of the analysis (`shared/docs/analysis/000.md` §2, §4, §6) with plain arithmetic,
//! and checks that the workbook builder writes the layout it promises (read back with calamine).
//! No barometro reader is involved.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use calamine::{open_workbook, Data, Dimensions, Range, Reader, Xlsx};
use common::casalgrande::*;

const SECTORS: [(&str, usize); 9] = [
    ("FINANZIARIO", 4),
    ("AFFARI GENERALI", 4),
    ("LAVORI PUBBLICI", 3),
    ("PIANIFICAZIONE TERRITORIALE", 3),
    ("SUAP", 3),
    ("SERVIZI DEMOGRAFICI ED ELETTORALE", 3),
    ("VITA DELLA COMUNITÀ", 6),
    ("ENTRATE", 4),
    ("SERVIZI SCOLASTICI", 5),
];

/// `40%` → 40, `30` → 30; `-`, empty and anything else → `None`.
fn weight(text: &str) -> Option<u32> {
    let t = text.trim();
    let t = t.strip_suffix('%').unwrap_or(t);
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// The leading `NN%` of a shifted cell (`30% relazione a consuntivo` → 30).
fn leading_weight(text: &str) -> Option<u32> {
    let (head, _) = text.split_once("% ")?;
    weight(head)
}

/// Σ of a card's weights for `year`. Objective-level weights (Servizi Scolastici) count for the
/// reporting year only. `shifted_too` also reads the weight out of shifted rows.
fn card_weight(card: &CasalgrandeCard, year: i32, shifted_too: bool) -> u32 {
    if card.weight_pattern == CasalgrandeWeightPattern::Objective {
        assert!(card.peso_column().is_none(), "{}", card.id);
        let w = card
            .anagrafica_value("Peso")
            .expect("SS anagrafica has Peso");
        return if year == 2023 {
            weight(w).unwrap_or_else(|| panic!("{}: weight {w:?}", card.id))
        } else {
            0
        };
    }
    let col = card.peso_column().expect("a Peso column");
    card.years()
        .into_iter()
        .zip(&card.rows)
        .filter(|(y, _)| *y == Some(year))
        .map(|(_, r)| {
            weight(&r.cells[col]).unwrap_or_else(|| {
                if shifted_too && r.shifted {
                    r.cells.iter().find_map(|c| leading_weight(c)).unwrap_or(0)
                } else {
                    0
                }
            })
        })
        .sum()
}

fn get(range: &Range<Data>, row: u32, col: u32) -> Data {
    range.get_value((row, col)).cloned().unwrap_or(Data::Empty)
}

fn text(range: &Range<Data>, row: u32, col: u32) -> String {
    match get(range, row, col) {
        Data::String(s) => s,
        Data::Empty => String::new(),
        other => panic!("expected text at ({row}, {col}), found {other:?}"),
    }
}

fn float(range: &Range<Data>, row: u32, col: u32) -> f64 {
    match get(range, row, col) {
        Data::Float(v) => v,
        Data::Int(v) => v as f64,
        other => panic!("expected a number at ({row}, {col}), found {other:?}"),
    }
}

fn has_merge(merges: &[Dimensions], start: (u32, u32), end: (u32, u32)) -> bool {
    merges.iter().any(|d| d.start == start && d.end == end)
}

fn open(path: &Path) -> Xlsx<std::io::BufReader<std::fs::File>> {
    open_workbook(path).expect("written workbook opens")
}

// ---------------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------------

#[test]
fn nine_sectors_in_document_order_declared_equals_found() {
    let data = casalgrande_data();
    let found: Vec<(&str, usize)> = data
        .sectors
        .iter()
        .map(|s| (s.name.as_str(), s.cards.len()))
        .collect();
    assert_eq!(found, SECTORS);
    for s in &data.sectors {
        assert_eq!(
            s.banner,
            format!("SETTORE {} ({} OBIETTIVI)", s.name, s.declared)
        );
        assert_eq!(s.declared, s.cards.len(), "{}", s.banner);
    }
    assert_eq!(casalgrande_card_count(), 35);
    assert_eq!(data.expected.cards, 35);
    let summaries = casalgrande_sectors();
    assert_eq!(summaries.len(), 9);
    assert!(summaries.iter().all(|s| s.declared == s.cards));

    // Ids follow the analysis: sector prefix and position.
    let ids: Vec<&str> = casalgrande_cards().iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids[..4], ["FIN1", "FIN2", "FIN3", "FIN4"]);
    assert_eq!(ids[34], "SS5");
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 35);

    // Cards are in seed order and do not overlap.
    let mut previous = 0;
    for c in casalgrande_cards() {
        assert!(
            c.lines[0] > previous && c.lines[1] >= c.lines[0],
            "{}",
            c.id
        );
        previous = c.lines[1];
        assert_eq!(c.classificazione.line, c.lines[0], "{}", c.id);
    }
}

#[test]
fn weights_2023_sum_to_100_in_every_sector() {
    let data = casalgrande_data();
    for (sector, expected) in data.sectors.iter().zip(&data.expected.sectors) {
        assert_eq!(sector.name, expected.name);
        let mut sum = 0;
        for card in &sector.cards {
            let w = card_weight(card, 2023, false);
            assert_eq!(Some(&w), expected.weights_2023.get(&card.id), "{}", card.id);
            sum += w;
        }
        assert_eq!(sum, 100, "{}", sector.name);
        assert_eq!(sum, expected.weight_sum_2023, "{}", sector.name);
    }
    // Spot checks of §6.1 and the storage quirks.
    assert_eq!(card_weight(casalgrande_card("VC2"), 2023, false), 30); // 10 + 5 + 5 + 10
    assert_eq!(
        casalgrande_card("LP2").rows[0].cells[CASALGRANDE_COL_PESO],
        "30"
    );
    assert_eq!(
        casalgrande_card("SS5").anagrafica_value("Peso"),
        Some("30%")
    );
    // Pattern 2: the weight is on the first row of the year only.
    let ag2 = casalgrande_card("AG2");
    assert_eq!(ag2.rows[0].weight_span, Some(2));
    assert_eq!(ag2.rows[1].cells[CASALGRANDE_COL_PESO], "");
    assert_eq!(casalgrande_card("EN2").rows[0].weight_span, Some(3));
    // EN3: no merge across the page break (L478 | footer L480 | fragment L482, L483).
    assert_eq!(casalgrande_card("EN3").rows[0].weight_span, None);
}

#[test]
fn weights_2024_are_incomplete_ag_30_en_85() {
    let data = casalgrande_data();
    let mut sums = BTreeMap::new();
    let mut naive = BTreeMap::new();
    for (sector, expected) in data.sectors.iter().zip(&data.expected.sectors) {
        let sum: u32 = sector
            .cards
            .iter()
            .map(|c| card_weight(c, 2024, true))
            .sum();
        let plain: u32 = sector
            .cards
            .iter()
            .map(|c| card_weight(c, 2024, false))
            .sum();
        assert_eq!(sum, expected.weight_sum_2024, "{}", sector.name);
        if sum > 0 {
            sums.insert(sector.name.clone(), sum);
            naive.insert(sector.name.as_str(), plain);
        }
    }
    assert_eq!(sums, data.expected.weight_sums_2024);
    assert_eq!(sums.get("AFFARI GENERALI"), Some(&30));
    assert_eq!(sums.get("ENTRATE"), Some(&85));
    // Only looking at the Peso column misses EN2's shifted 30%.
    assert_eq!(naive.get("ENTRATE"), Some(&55));

    let s = &data.expected.shifted_2024_weight;
    let en2 = casalgrande_card(&s.card);
    let row = en2.rows.iter().find(|r| r.line == s.line).unwrap();
    assert!(row.shifted);
    assert_eq!(row.cells[s.column], s.text);
    assert_eq!(leading_weight(&row.cells[s.column]), Some(s.weight));
    assert_eq!(row.cells[CASALGRANDE_COL_PESO], "");
}

#[test]
fn there_are_49_indicator_rows_for_2023() {
    let data = casalgrande_data();
    let mut total = 0;
    let mut multi = BTreeMap::new();
    for (sector, expected) in data.sectors.iter().zip(&data.expected.sectors) {
        let mut n = 0;
        for card in &sector.cards {
            // Own count: fill the year down; skip empty, `-` and fragment rows.
            let mut year = "";
            let mut k = 0;
            for r in &card.rows {
                if !r.cells[0].is_empty() {
                    year = &r.cells[0];
                }
                let ind = r.cells[1].as_str();
                if year == "2023" && !ind.is_empty() && ind != "-" && !r.fragment {
                    k += 1;
                }
            }
            assert!(k >= 1, "{} has a 2023 indicator", card.id);
            assert_eq!(k, card.indicator_rows(2023).len(), "{}", card.id);
            if k > 1 {
                multi.insert(card.id.clone(), k);
            }
            n += k;
        }
        assert_eq!(n, expected.indicator_rows_2023, "{}", sector.name);
        total += n;
    }
    assert_eq!(total, 49);
    assert_eq!(total, data.expected.indicator_rows_2023);
    assert_eq!(casalgrande_indicator_rows_2023(), 49);
    assert_eq!(multi, data.expected.multi_indicator_2023);
    assert_eq!(multi.values().sum::<usize>(), 24);
}

#[test]
fn rows_keep_the_source_quirks() {
    // Header variants and widths.
    let variants: Vec<(String, CasalgrandeHeaderVariant, usize)> = casalgrande_cards()
        .iter()
        .map(|c| {
            (
                c.id.clone(),
                c.indicator_header.variant,
                c.indicator_header.cells.len(),
            )
        })
        .collect();
    for (id, v, n) in &variants {
        let expected = match id.as_str() {
            "AG1" | "AG2" | "AG4" => CasalgrandeHeaderVariant::B,
            "EN1" | "EN4" => CasalgrandeHeaderVariant::D,
            s if s.starts_with("SS") => CasalgrandeHeaderVariant::C,
            _ => CasalgrandeHeaderVariant::A,
        };
        assert_eq!(*v, expected, "{id}");
        assert_eq!(
            *n,
            if *v == CasalgrandeHeaderVariant::C {
                8
            } else {
                9
            },
            "{id}"
        );
    }
    for c in casalgrande_cards() {
        for r in &c.rows {
            assert_eq!(r.cells.len(), c.indicator_header.cells.len(), "L{}", r.line);
        }
        assert_eq!(
            c.anagrafica.headers.len(),
            c.anagrafica.values.len(),
            "{}",
            c.id
        );
        assert_eq!(
            c.anagrafica.headers.len(),
            c.anagrafica.cols.len(),
            "{}",
            c.id
        );
        assert!(
            c.anagrafica.cols.windows(2).all(|w| w[0] < w[1]),
            "{}",
            c.id
        );
        assert!(*c.anagrafica.cols.last().unwrap() < c.width, "{}", c.id);
    }
    assert_eq!(
        casalgrande_card("SS5").anagrafica.headers[4],
        "Personale coinvolto"
    );
    assert!(casalgrande_card("EN4").anagrafica.headers[0].ends_with("soggetti esterni coinvolti)"));

    // The EN3 fragment, the AG4 2025 row after the footer, dash rows.
    let en3 = casalgrande_card("EN3");
    let frag = &en3.rows[1];
    assert_eq!(frag.line, 482);
    assert!(frag.fragment);
    assert_eq!(frag.cells[1], "2023");
    assert!(frag
        .cells
        .iter()
        .enumerate()
        .all(|(i, c)| i == 1 || c.is_empty()));
    assert_eq!(en3.indicator_rows(2023).len(), 2);
    let ag4 = casalgrande_card("AG4");
    assert_eq!(
        ag4.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
        [139, 140, 144]
    );
    assert_eq!(ag4.page_breaks[0].before_line, 144);
    let sd1 = casalgrande_card("SD1");
    assert!(sd1.rows[1].cells.iter().skip(1).all(|c| c == "-"));
    // EN2 2024 stays shifted: the deadline is glued to the indicator.
    let en2 = casalgrande_card("EN2");
    let l467 = en2.rows.iter().find(|r| r.line == 467).unwrap();
    assert_eq!(l467.cells[1], "n° dichiarazioni TARI presentate 31/12/2024");
    assert_eq!(l467.cells[2], "n° dichiarazioni e presentate nel 2023");
}

#[test]
fn status_rows_and_their_anomalies() {
    let data = casalgrande_data();
    let e = &data.expected;
    let cards = casalgrande_cards();
    let count = |p| cards.iter().map(|c| c.statuses(p).len()).sum::<usize>();
    assert_eq!(count(CasalgrandePeriod::MidYear), 35);
    assert_eq!(count(CasalgrandePeriod::YearEnd), 32);
    assert_eq!(count(CasalgrandePeriod::Consuntivo), 3);
    assert_eq!(e.status.mid_year, 35);
    assert_eq!(e.status.year_end, 32);
    let without: Vec<&str> = cards
        .iter()
        .filter(|c| c.statuses(CasalgrandePeriod::YearEnd).is_empty())
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(without, ["LP1", "SUAP1", "SUAP2"]);
    assert_eq!(without, e.status.cards_without_31_12);
    for c in &cards {
        assert_eq!(c.statuses(CasalgrandePeriod::MidYear).len(), 1, "{}", c.id);
        for s in &c.status {
            let joined: Vec<&str> = s.pieces.iter().map(|p| p.text.as_str()).collect();
            assert_eq!(s.text, joined.join("\n"), "{} L{}", c.id, s.line);
            assert_eq!(s.pieces[0].line, s.line);
            assert!(
                !s.text.contains("<i>") && !s.text.contains("<p>"),
                "L{}",
                s.line
            );
        }
    }
    // Label variants.
    let labels: BTreeSet<&str> = cards
        .iter()
        .flat_map(|c| c.status.iter().map(|s| s.label.as_str()))
        .collect();
    for l in [
        "Stato di attuazione al 30/06/2023",
        "Stato di attuazione al 31/12/2023",
        "STATO DI ATTUAZIONE AL 31/12/2023",
        "Resoconto al 31/12/2023",
        "Stato di attuazione al 31/2/2023",
        "RELAZIONE A CONSUNTIVO:",
        "Stato di attuazione\nal 31/12/2023",
    ] {
        assert!(labels.contains(l), "{l:?}");
    }
    let en2 = casalgrande_card("EN2");
    assert!(en2.status.iter().all(|s| s.cell_text.is_some()));
    assert!(en2.status[0]
        .cell_text
        .as_deref()
        .unwrap()
        .starts_with("Stato di attuazione al 30/06/2023\nCon D.C.C. 36"));

    // PT2 and PT3 share the same 31/12 text.
    let same = &e.identical_status;
    let texts: Vec<&CasalgrandeStatus> = same
        .cards
        .iter()
        .map(|id| casalgrande_card(id).statuses(CasalgrandePeriod::YearEnd)[0])
        .collect();
    assert_eq!(texts[0].text, texts[1].text);
    assert_eq!([texts[0].line, texts[1].line], [215, 228]);
    assert_eq!(texts[0].label, same.label);
    // Among the year-end texts only PT2/PT3 repeat (at 30/06 FIN3 and FIN4 both say the short
    // `Obiettivo in corso di realizzazione`).
    let mut all: Vec<&str> = cards
        .iter()
        .flat_map(|c| c.statuses(CasalgrandePeriod::YearEnd))
        .map(|s| s.text.as_str())
        .collect();
    all.sort();
    let duplicates = all.windows(2).filter(|w| w[0] == w[1]).count();
    assert_eq!(duplicates, 1, "only PT2/PT3 repeat a 31/12 text");

    // Impossible dates sit where the analysis says.
    assert_eq!(e.impossible_dates.len(), 3);
    for d in &e.impossible_dates {
        let card = casalgrande_card(&d.card);
        let st = card.status.iter().find(|s| s.line == d.line).unwrap();
        let field = match d.field.as_str() {
            "status text" => &st.text,
            "status label" => &st.label,
            other => panic!("field {other}"),
        };
        assert!(field.contains(&d.text), "{} {}", d.card, d.text);
        assert_eq!(Some(st.period), d.period);
        assert_eq!(Some(&st.label), d.label.as_ref());
        let (day, rest) = d.text.split_once('/').unwrap();
        let (month, _) = rest.split_once('/').unwrap();
        let (day, month): (u32, u32) = (day.parse().unwrap(), month.parse().unwrap());
        let valid = (1..=12).contains(&month)
            && day >= 1
            && day <= [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month as usize - 1];
        assert!(!valid, "{} is a real date", d.text);
    }
    let found: Vec<(&str, u32)> = e
        .impossible_dates
        .iter()
        .map(|d| (d.card.as_str(), d.line))
        .collect();
    assert_eq!(found, [("AG4", 146), ("SUAP2", 257), ("SS3", 541)]);
}

#[test]
fn anagrafica_figures_of_the_analysis() {
    let data = casalgrande_data();
    let e = &data.expected;
    let cards = casalgrande_cards();

    // OS116 with two descriptions.
    let mut os116: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for c in &cards {
        let r = c.anagrafica_value("Raccordo/Collegamento").unwrap();
        if r.starts_with("OS116") {
            os116.entry(r).or_default().push(&c.id);
        }
    }
    assert_eq!(os116.len(), 2);
    for d in &e.strategic_code_two_descriptions.descriptions {
        let ids: Vec<&str> = d.cards.iter().map(String::as_str).collect();
        assert_eq!(os116.get(d.text.as_str()), Some(&ids));
    }
    assert_eq!(os116.values().map(Vec::len).sum::<usize>(), 6);

    // Classificazione distribution.
    let mut cls: BTreeMap<String, usize> = BTreeMap::new();
    for c in &cards {
        *cls.entry(c.classificazione.text.clone()).or_default() += 1;
    }
    assert_eq!(cls, e.classificazione);
    assert_eq!(cls.get("Efficienza"), Some(&23));
    let legend: Vec<&str> = data
        .preamble
        .iter()
        .filter(|p| p.cells.len() == 2)
        .map(|p| p.cells[1].as_str())
        .collect();
    assert_eq!(legend.len(), 6);
    let outside: Vec<&str> = cls
        .keys()
        .filter(|k| k.split(" - ").any(|part| !legend.contains(&part)))
        .map(String::as_str)
        .collect();
    assert_eq!(outside, e.classificazione_outside_legend);

    // PNRR: two real links.
    let pnrr: Vec<&str> = cards
        .iter()
        .filter(|c| !matches!(c.anagrafica_value("PNRR"), Some("" | "-" | "----")))
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(pnrr, ["AG1", "LP2"]);
    assert_eq!(pnrr.len(), e.pnrr.len());

    // Responsible persons.
    let responsible: BTreeSet<&str> = cards
        .iter()
        .map(|c| c.anagrafica_value("Dirigente").unwrap())
        .collect();
    let listed: BTreeSet<&str> = e.people.responsible.iter().map(String::as_str).collect();
    assert_eq!(responsible, listed);
    assert_eq!(e.people.distinct_persons.len(), 8);
    assert!(responsible.contains(e.people.role.as_str()));

    // Numeric actuals only in Vita della Comunità.
    let mut numeric_2023 = 0;
    let mut future = Vec::new();
    for c in &cards {
        if c.indicator_header.variant == CasalgrandeHeaderVariant::C {
            continue;
        }
        for (y, r) in c.years().into_iter().zip(&c.rows) {
            if weight(&r.cells[6]).is_some() && !r.cells[6].ends_with('%') {
                assert!(c.id.starts_with("VC"), "{}", c.id);
                if y == Some(2023) {
                    numeric_2023 += 1;
                } else {
                    future.push(r.line);
                }
            }
        }
    }
    assert_eq!(numeric_2023, 12);
    assert_eq!(numeric_2023, e.target_raggiunto.numeric_2023);
    assert_eq!(future, e.target_raggiunto.future_year_rows);
}

#[test]
fn page_breaks_account_for_every_footer() {
    let data = casalgrande_data();
    assert_eq!(data.footer_lines.len(), 19);
    let mut placed: Vec<u32> = casalgrande_cards()
        .iter()
        .flat_map(|c| c.page_breaks.iter().map(|b| b.footer_line))
        .collect();
    placed.sort();
    assert_eq!(placed, data.footer_lines);
    let inside: Vec<&str> = casalgrande_cards()
        .into_iter()
        .filter(|c| {
            c.page_breaks
                .iter()
                .any(|b| b.before_line != c.classificazione.line)
        })
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(inside, ["AG3", "AG4", "EN1", "EN2", "EN3", "EN4"]);
    let before_card = casalgrande_cards()
        .iter()
        .flat_map(|c| c.page_breaks.iter().map(move |b| (c, b)))
        .filter(|(c, b)| b.before_line == c.classificazione.line)
        .count();
    assert_eq!(before_card, 13);
    for c in casalgrande_cards() {
        for b in &c.page_breaks {
            assert!(b.footer_line < b.before_line);
            assert!(b.before_line >= c.lines[0] && b.before_line <= c.lines[1]);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Workbook
// ---------------------------------------------------------------------------------------------

#[test]
fn workbook_reads_back_with_banners_merges_and_debris() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("casalgrande.xlsx");
    write_casalgrande(&path).unwrap();
    let data = casalgrande_data();
    let layout = casalgrande_layout();
    let mut wb = open(&path);
    assert_eq!(wb.sheet_names(), [CASALGRANDE_SHEET]);
    let range = wb.worksheet_range(CASALGRANDE_SHEET).unwrap();
    let merges = wb.merge_cells_by_sheet_name(CASALGRANDE_SHEET).unwrap();

    // Preamble.
    assert_eq!(text(&range, 0, 0), "Sottosezione 2.2 Performance");
    let legend_row = layout.preamble_rows[6];
    assert_eq!(float(&range, legend_row, 0), 1.0);
    assert!(text(&range, legend_row, 1).starts_with("Accessibilità"));

    // Banners: text in A, merged A:I.
    let banners: Vec<String> = layout
        .sectors
        .iter()
        .map(|s| text(&range, s.banner_row, 0))
        .collect();
    let expected: Vec<&str> = data.sectors.iter().map(|s| s.banner.as_str()).collect();
    assert_eq!(banners, expected);
    for s in &layout.sectors {
        assert!(has_merge(&merges, (s.banner_row, 0), (s.banner_row, 8)));
    }

    // Footer debris rows.
    assert_eq!(layout.footer_rows.len(), 19);
    for &r in &layout.footer_rows {
        assert_eq!(text(&range, r, 0), data.footer);
        assert_eq!(get(&range, r, 1), Data::Empty);
    }

    let mut labels_seen = 0;
    for (sector, slay) in data.sectors.iter().zip(&layout.sectors) {
        for (card, lay) in sector.cards.iter().zip(&slay.cards) {
            let last = u32::from(card.width) - 1;
            for (r, label, value) in [
                (
                    lay.classificazione_row,
                    "Classificazione",
                    &card.classificazione,
                ),
                (lay.titolo_row, "Titolo", &card.titolo),
                (lay.settore_cdr_row, "Settore/Cdr", &card.settore_cdr),
            ] {
                assert_eq!(text(&range, r, 0), label, "{}", card.id);
                assert_eq!(text(&range, r, 1), value.text, "{}", card.id);
                assert!(has_merge(&merges, (r, 1), (r, last)), "{} row {r}", card.id);
                labels_seen += 1;
            }
            // Anagrafica header spans.
            for k in 0..card.anagrafica.headers.len() {
                let (c0, c1) = card.anagrafica_span(k);
                let (c0, c1) = (u32::from(c0), u32::from(c1));
                let hr = lay.anagrafica_header_row;
                assert_eq!(text(&range, hr, c0), card.anagrafica.headers[k]);
                if c1 > c0 {
                    assert!(has_merge(&merges, (hr, c0), (hr, c1)), "{} {k}", card.id);
                    let vr = lay.anagrafica_values_row;
                    assert!(has_merge(&merges, (vr, c0), (vr, c1)), "{} {k}", card.id);
                }
            }
            // Indicator header verbatim.
            for (c, h) in card.indicator_header.cells.iter().enumerate() {
                assert_eq!(&text(&range, lay.indicator_header_row, c as u32), h);
            }
            // Years are numbers; indicator texts are text.
            for (row, &r) in card.rows.iter().zip(&lay.data_rows) {
                match row.cells[0].as_str() {
                    "" => assert_eq!(get(&range, r, 0), Data::Empty),
                    y => assert_eq!(float(&range, r, 0), y.parse::<f64>().unwrap()),
                }
                assert_eq!(text(&range, r, 1), row.cells[1], "L{}", row.line);
                if let Some(span) = row.weight_span {
                    let (a, b) = (r, r + span - 1);
                    assert!(has_merge(&merges, (a, 7), (b, 7)), "L{}", row.line);
                }
            }
            // Status rows: label in A, narrative merged B:last (or one cell A:last).
            for (st, rows) in card.status.iter().zip(&lay.status_rows) {
                let r = rows[0];
                match &st.cell_text {
                    Some(t) => {
                        assert_eq!(&text(&range, r, 0), t);
                        assert!(has_merge(&merges, (r, 0), (r, last)));
                    }
                    None => {
                        assert_eq!(text(&range, r, 0), st.label);
                        assert!(has_merge(&merges, (r, 1), (r, last)));
                        let written: Vec<String> =
                            rows.iter().map(|&r| text(&range, r, 1)).collect();
                        assert_eq!(written.join("\n"), st.text, "{} L{}", card.id, st.line);
                    }
                }
            }
        }
    }
    assert_eq!(labels_seen, 105);

    // Storage conventions.
    let row_of = |id: &str, line: u32| {
        let (s, c) = data
            .sectors
            .iter()
            .enumerate()
            .find_map(|(s, sec)| sec.cards.iter().position(|c| c.id == id).map(|c| (s, c)))
            .unwrap();
        let card = &data.sectors[s].cards[c];
        let i = card.rows.iter().position(|r| r.line == line).unwrap();
        layout.sectors[s].cards[c].data_rows[i]
    };
    let fin1 = row_of("FIN1", 29);
    assert!((float(&range, fin1, 7) - 0.4).abs() < 1e-12); // 40% typed: 0.4 with 0%
    assert_eq!(text(&range, fin1, 2), "31.12.2023"); // dotted date: text
    let ag1 = row_of("AG1", 94);
    assert_eq!(text(&range, ag1, 7), "30%"); // weight as text
    match get(&range, ag1, 2) {
        Data::DateTime(d) => assert_eq!(d.as_f64(), 45291.0), // 31/12/2023
        other => panic!("AG1 Tempistica is a date, found {other:?}"),
    }
    assert_eq!(float(&range, row_of("LP2", 169), 7), 30.0); // bare 30: the number 30
    let vc1 = row_of("VC1", 343);
    assert_eq!(float(&range, vc1, 6), 11.0);
    assert!((float(&range, vc1, 7) - 0.05).abs() < 1e-12);
    let en2 = row_of("EN2", 467);
    assert_eq!(text(&range, en2, 6), "30% relazione a consuntivo");
    assert_eq!(get(&range, en2, 7), Data::Empty);
    let frag = row_of("EN3", 482);
    assert_eq!(text(&range, frag, 1), "2023");
    assert_eq!(text(&range, frag - 1, 0), data.footer); // right after the debris row
    assert!(!has_merge(
        &merges,
        (row_of("EN3", 478), 7),
        (row_of("EN3", 483), 7)
    ));

    // AG3's 30/06 narrative is split around the debris row.
    let (s, c) = (1, 2);
    let ag3 = &layout.sectors[s].cards[c];
    assert_eq!(ag3.id, "AG3");
    let rows = &ag3.status_rows[0];
    assert_eq!(rows.len(), 2);
    assert_eq!(text(&range, rows[0] + 1, 0), data.footer);
    assert_eq!(rows[1], rows[0] + 2);
    assert_eq!(get(&range, rows[1], 0), Data::Empty);

    // SS weight in the anagrafica (number 0.15 with 0%).
    let ss1 = &layout.sectors[8].cards[0];
    assert_eq!(ss1.id, "SS1");
    assert!((float(&range, ss1.anagrafica_values_row, 4) - 0.15).abs() < 1e-12);
}

#[test]
fn workbook_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.xlsx"), dir.path().join("b.xlsx"));
    write_casalgrande(&a).unwrap();
    write_casalgrande(&b).unwrap();
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
}
