//! Checks the Casorate Primo fixture (`tests/data/casorate.json`, `common::casorate`) against the
//! figures of the analysis (`shared/docs/analysis/002.md` §2.2, §2.4, §5.5) with plain
//! arithmetic, then reads the workbook written by `write_casorate` back with calamine.

mod common;

use std::path::Path;

use calamine::{open_workbook, Data, Dimensions, Range, Reader, Xlsx};
use common::casorate::*;

/// One card of analysis §2.4: sheet, objective, first title line (seed), counts, Σ %
/// partecipazione. Counts: indicator rows as §2.4 counts them, indicator rows as printed,
/// Cronoprogramma rows, X marks (months active summed over the phases).
type Inventory = (&'static str, u32, &'static str, [usize; 4], Option<f64>);

const AMM: &str = "Amministrativo";
const TER: &str = "Territorio";
const PL: &str = "Polizia Locale";
const SOC: &str = "Socio-educativo";
const FIN: &str = "Finanziario";

/// Analysis §2.4.
#[rustfmt::skip]
const INVENTORY: [Inventory; 22] = [
    (AMM, 1, "1. OBIETTIVO DI MIGLIORAMENTO 2024", [7, 7, 7, 84], Some(99.0)),
    (AMM, 2, "2. OBIETTIVO INNOVATIVO 2024", [7, 7, 7, 81], Some(100.0)),
    (AMM, 3, "3. OBIETTIVO INNOVATIVO 2024", [46, 46, 4, 15], Some(100.0)),
    (AMM, 4, "4. OBIETTIVO DI MIGLIORAMENTO 2024", [6, 6, 4, 37], Some(100.0)),
    (AMM, 5, "5. OBIETTIVO DI MIGLIORAMENTO 2024", [2, 2, 4, 20], Some(99.0)),
    (TER, 1, "1.OBIETTIVO INNOVATIVO 2024", [1, 1, 1, 12], Some(100.0)),
    (TER, 3, "3.OBIETTIVO INNOVATIVO 2024", [1, 1, 1, 7], Some(100.0)),
    (PL, 1, "1.OBIETTIVO DI MIGLIORAMENTO 2024", [0, 0, 0, 0], Some(100.0)),
    (PL, 2, "2.OBIETTIVO DI MIGLIORAMENTO 2024", [0, 0, 0, 0], Some(100.0)),
    (PL, 3, "3.OBIETTIVO DI MIGLIORAMENTO 2024", [0, 0, 0, 0], Some(100.0)),
    (PL, 4, "4. OBIETTIVO DI GESTIONE 2024", [1, 1, 1, 9], Some(100.0)),
    (PL, 5, "5. OBIETTIVO DI GESTIONE 2024", [3, 3, 3, 14], Some(100.0)),
    (PL, 6, "6. OBIETTIVO DI GESTIONE 2024 INTERSETTORIALE", [7, 7, 6, 12], None),
    (SOC, 1, "1.OBIETTIVO DI MIGLIORAMENTO 2024", [3, 3, 0, 0], Some(80.0)),
    (SOC, 2, "2.OBIETTIVO DI MIGLIORAMENTO 2024", [3, 3, 1, 4], Some(100.0)),
    (SOC, 3, "3.OBIETTIVO DI MIGLIORAMENTO 2024", [1, 1, 0, 0], Some(20.0)),
    (SOC, 4, "4. OBIETTIVO DI MIGLIORAMENTO 2024", [2, 2, 0, 0], Some(100.0)),
    (FIN, 1, "1. OBIETTIVO DI MIGLIORAMENTO 2024", [1, 1, 2, 24], Some(100.0)),
    (FIN, 2, "2. OBIETTIVO DI MIGLIORAMENTO 2024", [2, 2, 2, 4], Some(100.0)),
    (FIN, 3, "3. OBIETTIVO DI MIGLIORAMENTO 2024", [2, 2, 2, 24], Some(100.0)),
    (FIN, 4, "4. OBIETTIVO DI MIGLIORAMENTO 2024", [2, 2, 2, 24], Some(100.0)),
    (FIN, 5, "5. OBIETTIVO DI MIGLIORAMENTO 2024", [8, 10, 3, 18], Some(100.0)),
];

/// Card title lines printed per sheet (first pages and repeats), counted in the seed.
const TITLE_LINES: [usize; 6] = [12, 2, 13, 12, 15, 0];

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// `30%` → 30; `25` → 25; `(MAX 20 PUNTI)` → 20; anything else → None.
fn weight_number(w: &str) -> Option<f64> {
    let w = w
        .trim_start_matches("(MAX ")
        .trim_end_matches(" PUNTI)")
        .trim_end_matches('%');
    w.parse().ok()
}

fn is_title_line(text: &str) -> bool {
    let rest = text.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ' ');
    rest.starts_with("OBIETTIVO") || rest.starts_with("OBBIETTIVO")
}

// ---------------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------------

#[test]
fn six_centres_with_26_objectives_and_22_cards() {
    let data = casorate();
    let centres = casorate_centres();
    assert_eq!(centres.len(), 6);
    let sheets: Vec<&str> = centres.iter().map(|c| c.sheet).collect();
    assert_eq!(sheets, CASORATE_SHEETS);
    let names: Vec<&str> = centres.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Servizio Amministrativo",
            "Servizio per il Territorio",
            "POLIZIA LOCALE",
            "SERVIZI SOCIO EDUCATIVI CULTURALI",
            "SERVIZIO FINANZIARIO",
            "SEGRETERIA COMUNALE",
        ]
    );
    let responsible: Vec<&str> = centres.iter().map(|c| c.responsible.as_str()).collect();
    assert_eq!(
        responsible,
        [
            "DEBORAH ARIBONI",
            "Arch. Simona Pizzocaro",
            "MICHELE RALLO",
            "DANIELA VOLPE",
            "EMILIANO ROVATI",
            "SEGRETARIO COMUNALE",
        ]
    );
    let objectives: Vec<usize> = centres.iter().map(|c| c.objectives).collect();
    assert_eq!(objectives, [5, 4, 6, 4, 5, 2]);
    assert_eq!(objectives.iter().sum::<usize>(), CASORATE_OBJECTIVES);
    assert_eq!(CASORATE_OBJECTIVES, 26);
    let cards: Vec<usize> = centres.iter().map(|c| c.cards).collect();
    assert_eq!(cards, [5, 2, 6, 4, 5, 0]);
    assert_eq!(cards.iter().sum::<usize>(), CASORATE_CARDS);
    assert_eq!(CASORATE_CARDS, 22);
    assert_eq!(casorate_cards().len(), 22);
    // The JSON's own figures agree.
    assert_eq!(data.expected.centres, 6);
    assert_eq!(data.expected.objectives, 26);
    assert_eq!(data.expected.cards, 22);
    for (c, info) in data.centres.iter().zip(&centres) {
        assert_eq!(c.expected.objectives, info.objectives, "{}", c.sheet);
        assert_eq!(c.expected.cards, info.cards, "{}", c.sheet);
    }
    // Centre title blocks are at the lines §2.2 gives.
    let heads: Vec<u32> = data.centres.iter().map(|c| c.lines[0]).collect();
    assert_eq!(heads, [472, 886, 1027, 1379, 1615, 1896]);
}

#[test]
fn summary_tables_are_verbatim_with_their_weights() {
    let data = casorate();
    let centres = casorate_centres();
    let w = |i: usize| -> Vec<Option<&str>> {
        centres[i].weights.iter().map(|w| w.as_deref()).collect()
    };
    assert_eq!(
        w(0),
        [
            Some("30%"),
            Some("30%"),
            Some("15%"),
            Some("15%"),
            Some("10%")
        ]
    );
    assert_eq!(w(1), [Some("(MAX 20 PUNTI)"); 4]);
    assert_eq!(
        w(2),
        [
            Some("25"),
            Some("25"),
            Some("20"),
            Some("10"),
            Some("20"),
            Some("Intersettoriale")
        ]
    );
    assert_eq!(w(3), [None; 4]);
    assert_eq!(w(4), [None; 5]);
    assert_eq!(w(5), [Some("40"), Some("60")]);

    // Σ numeric weights: 100 %, 80 points, 100 (+ one Intersettoriale), none, none, 100.
    let totals: Vec<Option<f64>> = centres
        .iter()
        .map(|c| {
            let nums: Vec<f64> = c
                .weights
                .iter()
                .flatten()
                .filter_map(|w| weight_number(w))
                .collect();
            (!nums.is_empty()).then(|| nums.iter().sum())
        })
        .collect();
    assert_eq!(
        totals,
        [
            Some(100.0),
            Some(80.0),
            Some(100.0),
            None,
            None,
            Some(100.0)
        ]
    );
    let amm: f64 = [30.0, 30.0, 15.0, 15.0, 10.0].iter().sum();
    assert!(close(totals[0].unwrap(), amm));
    for (c, t) in data.centres.iter().zip(&totals) {
        assert_eq!(c.expected.weight_total, *t, "{}", c.sheet);
    }

    // The printed fields, line by line.
    let amm = &data.centres[0].summary;
    assert!(amm.header.is_none());
    assert_eq!(
        amm.rows[0].cells,
        [
            "1",
            "Servizio Amministrativo",
            "Innovazione Servizi Demografico",
            "30%"
        ]
    );
    let lines: Vec<u32> = amm.rows.iter().map(|r| r.line).collect();
    assert_eq!(lines, [478, 479, 480, 481, 482]);
    let ter = &data.centres[1].summary;
    assert!(ter
        .rows
        .iter()
        .all(|r| r.cells.len() == 3 && r.peso_in_titolo));
    assert_eq!(
        ter.rows[2].servizio.as_deref(),
        Some("Servizi per il Territorio – Edilizia Privata/Urbanistica")
    );
    assert_eq!(
        ter.rows[1].titolo, ter.rows[3].titolo,
        "§2.2: objectives 2 and 4 share a title"
    );
    let pl = &data.centres[2].summary;
    assert_eq!(pl.rows[2].servizio.as_deref(), Some("Polizia Locale -"));
    let soc = &data.centres[3].summary;
    assert!(soc
        .rows
        .iter()
        .all(|r| r.n.is_none() && r.cells[0].is_empty()));
    let seg = &data.centres[5].summary;
    let header = seg.header.as_ref().expect("Segreteria prints a header");
    assert_eq!(
        (header.line, header.cells.as_slice()),
        (
            1902,
            &["peso".to_string(), String::new(), String::new()][..]
        )
    );
    assert_eq!(seg.rows[1].titolo, "Servizi pubblici locali");
    assert!(seg
        .rows
        .iter()
        .all(|r| r.descrizione.as_deref().unwrap().contains("31/12/2024")));
}

#[test]
fn cards_match_the_inventory_of_the_analysis() {
    let data = casorate();
    let cards: Vec<(&CasorateCentre, &CasorateCard)> = data
        .centres
        .iter()
        .flat_map(|c| c.cards.iter().map(move |k| (c, k)))
        .collect();
    assert_eq!(cards.len(), INVENTORY.len());
    for ((centre, card), inv) in cards.iter().zip(&INVENTORY) {
        let &(sheet, objective, title, [indicators, printed, schedule, marks], part) = inv;
        let id = format!("{sheet} {objective}");
        assert_eq!(centre.sheet, sheet, "{id}");
        assert_eq!(card.objective, objective, "{id}");
        assert_eq!(card.title.text, title, "{id}");
        assert_eq!(card.indicator_rows().len(), indicators, "{id} indicators");
        assert_eq!(card.printed_indicator_rows().len(), printed, "{id}");
        assert_eq!(card.expected.indicators, indicators, "{id}");
        assert_eq!(card.schedule_rows().len(), schedule, "{id} schedule");
        assert_eq!(card.expected.schedule_rows, schedule, "{id}");
        let x = card
            .schedule_rows()
            .iter()
            .flat_map(|r| r.cells[1..].iter())
            .filter(|c| !c.is_empty())
            .count();
        assert_eq!(x, marks, "{id} X marks");
        let pct: Vec<f64> = card
            .staff_rows()
            .iter()
            .filter_map(|r| r.cells[2].replace(',', ".").parse::<f64>().ok())
            .collect();
        let sum = (!pct.is_empty()).then(|| pct.iter().sum::<f64>());
        assert_eq!(sum, part, "{id} % partecipazione");
        assert_eq!(card.expected.participation_sum, part, "{id}");
    }
    // Socio-educativo 1, 3, 4 have a text timeline instead of a Cronoprogramma (6, 3, 5 phases).
    let timelines: Vec<usize> = data.centres[3]
        .cards
        .iter()
        .map(|k| {
            let rows = k
                .rows_of(CasorateBlockKind::Timeline)
                .filter(|r| r.role == CasorateRole::Data)
                .count();
            assert_eq!(rows, k.expected.timeline_rows);
            rows
        })
        .collect();
    assert_eq!(timelines, [6, 0, 3, 5]);
    // Σ indicators of the analysis: 68 + 2 + 11 + 9 + 15.
    let total: usize = INVENTORY.iter().map(|i| i.3[0]).sum();
    assert_eq!(total, 105);
    // Amministrativo 3: 46 indicators in 11 groups, each group printed with its own header.
    let amm3 = &data.centres[0].cards[2];
    let groups: Vec<&str> = amm3
        .rows_of(CasorateBlockKind::Indicators)
        .filter(|r| r.role == CasorateRole::Group)
        .map(|r| r.cells[0].as_str())
        .collect();
    assert_eq!(groups.len(), 11);
    assert_eq!(groups[3], "SALUTE DIGITALE");
    assert_eq!(groups[10], "INDICI DI IMPATTO INTERNI");
    assert_eq!(amm3.indicator_headers().len(), 11);
    // The two Territorio cards are followed by the orphan blocks of objectives 2 and 4.
    let ter = &data.centres[1];
    let orphans: Vec<(u32, u32, f64)> = ter
        .orphan_blocks
        .iter()
        .map(|o| {
            (
                o.after_objective,
                o.attributed_objective,
                o.expected.participation_sum,
            )
        })
        .collect();
    assert_eq!(orphans, [(1, 2, 100.0), (3, 4, 100.0)]);
}

#[test]
fn indicator_headers_come_in_four_variants() {
    let data = casorate();
    let mut variants: Vec<Vec<String>> = Vec::new();
    for card in data.centres.iter().flat_map(|c| &c.cards) {
        for h in card.indicator_headers() {
            if !variants.contains(&h.cells) {
                variants.push(h.cells.clone());
            }
        }
    }
    let v = |cells: &[&str]| cells.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        variants,
        [
            v(&[
                "Descrizione",
                "Valore atteso Rispetto scadenze:",
                "Valore raggiunto"
            ]),
            v(&[
                "Descrizione",
                "Valore atteso",
                "Rispetto scadenze:",
                "Valore raggiunto"
            ]),
            v(&["Descrizione", "Valore atteso", "Valore raggiunto"]),
            v(&["Descrizione", "", "Valore atteso", "Valore raggiunto"]),
        ]
    );
}

#[test]
fn schedules_have_twelve_months_and_x_marks() {
    let data = casorate();
    for card in data.centres.iter().flat_map(|c| &c.cards) {
        for r in card.rows_of(CasorateBlockKind::Schedule) {
            assert_eq!(r.cells.len(), 13, "line {}", r.line);
            match r.role {
                CasorateRole::Header => {
                    assert_eq!(r.cells[0], "Fasi e tempi");
                    assert_eq!(r.cells[1..], CASORATE_MONTHS);
                }
                CasorateRole::Data => {
                    assert!(!r.cells[0].is_empty(), "line {}", r.line);
                    assert!(r.cells[1..]
                        .iter()
                        .all(|c| ["X", "x", ""].contains(&c.as_str())));
                }
                _ => assert_eq!(r.cells[0], "Cronoprogramma"),
            }
        }
    }
    // Amministrativo 2, phase 1: April to December (§2.4).
    let amm2 = &data.centres[0].cards[1];
    let months: Vec<usize> = amm2.schedule_rows()[0].cells[1..]
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.is_empty())
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(months, (4..=12).collect::<Vec<_>>());
    // Both cases of the mark are present.
    let all: String = data
        .centres
        .iter()
        .flat_map(|c| &c.cards)
        .flat_map(|k| k.schedule_rows())
        .flat_map(|r| r.cells[1..].to_vec())
        .collect();
    assert!(all.contains('X') && all.contains('x'));
}

#[test]
fn card_headers_repeat_on_every_printed_page() {
    let data = casorate();
    let amm1 = &data.centres[0].cards[0];
    assert_eq!(
        amm1.header_repeats,
        [493, 529],
        "§2.1: 484/486-487, 493/495-496, 529-530"
    );
    let mut titles_per_sheet = Vec::new();
    for c in &data.centres {
        let mut titles = 0;
        for card in &c.cards {
            assert_eq!(
                card.header_repeats.len() + 1,
                card.pages.len(),
                "{}",
                card.title.line
            );
            for (page, repeat) in card.pages[1..].iter().zip(&card.header_repeats) {
                let first = page
                    .title
                    .as_ref()
                    .map(|t| t.line)
                    .unwrap_or_else(|| page.header_box[0].line);
                assert_eq!(first, *repeat);
            }
            for page in &card.pages {
                if let Some(t) = &page.title {
                    assert!(is_title_line(&t.text), "{}", t.text);
                    titles += 1;
                }
                if let Some(first) = page.header_box.first() {
                    assert!(first.cells[0].starts_with("Settore") || first.cells[0].is_empty());
                }
            }
        }
        titles_per_sheet.push(titles);
    }
    assert_eq!(titles_per_sheet, TITLE_LINES);
    // Pages with a title in another form than the first page (§5.5.5, §5.5.6).
    let fin = &data.centres[4];
    let page_title = |card: usize, page: usize| {
        fin.cards[card].pages[page]
            .title
            .as_ref()
            .unwrap()
            .text
            .clone()
    };
    assert_eq!(page_title(0, 1), "OBIETTIVO DI MIGLIORAMENTO 2023");
    assert_eq!(page_title(1, 1), "1.OBIETTIVO DI MIGLIORAMENTO 2024");
    assert_eq!(page_title(3, 2), "OBBIETTIVO DI MIGLIORAMENTO 2023");
}

// ---------------------------------------------------------------------------------------------
// Workbook
// ---------------------------------------------------------------------------------------------

use common::cells::{float, get, text};

fn row_is_empty(range: &Range<Data>, row: u32) -> bool {
    (0..CASORATE_COLUMNS).all(|c| matches!(get(range, row, c), Data::Empty))
}

fn has_merge(merges: &[Dimensions], row: u32, first: u16, last: u16) -> bool {
    merges
        .iter()
        .any(|d| d.start == (row, u32::from(first)) && d.end == (row, u32::from(last)))
}

struct Book {
    ranges: Vec<Range<Data>>,
    merges: Vec<Vec<Dimensions>>,
    names: Vec<String>,
}

fn write_and_read(dir: &Path) -> Book {
    let path = dir.join("casorate.xlsx");
    write_casorate(&path).expect("workbook written");
    let mut wb: Xlsx<_> = open_workbook(&path).expect("written workbook opens");
    let names = wb.sheet_names().to_vec();
    let ranges = names
        .iter()
        .map(|n| wb.worksheet_range(n).expect("sheet reads"))
        .collect();
    let merges = names
        .iter()
        .map(|n| wb.merge_cells_by_sheet_name(n).expect("merges read"))
        .collect();
    Book {
        ranges,
        merges,
        names,
    }
}

#[test]
fn workbook_has_one_sheet_per_centre_with_title_and_summary() {
    let dir = tempfile::tempdir().unwrap();
    let book = write_and_read(dir.path());
    assert_eq!(book.names, CASORATE_SHEETS);
    let centres = casorate_centres();
    for (i, c) in centres.iter().enumerate() {
        let r = &book.ranges[i];
        assert_eq!(
            text(r, CASORATE_CENTRE_LABEL_ROW, 0),
            "Centro di Responsabilità"
        );
        assert_eq!(text(r, CASORATE_CENTRE_NAME_ROW, 0), c.name);
        assert_eq!(text(r, CASORATE_RESPONSIBLE_LABEL_ROW, 0), "Responsabile");
        assert_eq!(text(r, CASORATE_RESPONSIBLE_ROW, 0), c.responsible);
    }
    let s = CASORATE_SUMMARY_ROW;
    // Amministrativo: n | servizio | titolo | peso, weights typed as percentages.
    let amm = &book.ranges[0];
    let weights: Vec<f64> = (0..5).map(|i| float(amm, s + i, 9)).collect();
    assert_eq!(weights, [0.3, 0.3, 0.15, 0.15, 0.1]);
    assert!(close(weights.iter().sum::<f64>() * 100.0, 100.0));
    let numbers: Vec<f64> = (0..5).map(|i| float(amm, s + i, 0)).collect();
    assert_eq!(numbers, [1.0, 2.0, 3.0, 4.0, 5.0]);
    assert_eq!(text(amm, s, 1), "Servizio Amministrativo");
    assert_eq!(text(amm, s + 4, 5), "Contrattazione decentrata");
    assert!(row_is_empty(amm, s + 5));
    assert!(has_merge(&book.merges[0], s, 5, 8));
    assert!(has_merge(&book.merges[0], s, 9, 12));
    // Territorio: the weight is in the title, three columns.
    let ter = &book.ranges[1];
    for i in 0..4 {
        assert!(text(ter, s + i, 7).ends_with("(MAX 20 PUNTI)"));
        assert!(has_merge(&book.merges[1], s + i, 7, 12));
    }
    // Polizia Locale: bare numbers and one text weight.
    let pl = &book.ranges[2];
    let pl_weights: f64 = (0..5).map(|i| float(pl, s + i, 9)).sum();
    assert!(close(pl_weights, 100.0));
    assert_eq!(text(pl, s + 5, 9), "Intersettoriale");
    // Socio-educativo: empty number column.
    let soc = &book.ranges[3];
    assert!((0..4).all(|i| matches!(get(soc, s + i, 0), Data::Empty)));
    assert_eq!(text(soc, s + 1, 1), "Asilo Nido");
    // Segreteria: the only header row, then peso | titolo | descrizione.
    let seg = &book.ranges[5];
    assert_eq!(text(seg, s, 0), "peso");
    assert!(close(float(seg, s + 1, 0) + float(seg, s + 2, 0), 100.0));
    assert_eq!(text(seg, s + 2, 1), "Servizi pubblici locali");
    // Segreteria has no cards: nothing after its summary.
    assert_eq!(seg.end().unwrap().0, s + 2);
}

#[test]
fn workbook_card_titles_and_repeated_headers() {
    let dir = tempfile::tempdir().unwrap();
    let book = write_and_read(dir.path());
    let layouts = casorate_layout();
    let data = casorate();
    for (i, (layout, centre)) in layouts.iter().zip(&data.centres).enumerate() {
        let r = &book.ranges[i];
        // An independent scan of column A finds every printed title line.
        let (end, last_col) = r.end().unwrap();
        assert!(last_col <= u32::from(CASORATE_LAST_COL));
        let titles: Vec<u32> = (0..=end)
            .filter(|&row| matches!(get(r, row, 0), Data::String(ref s) if is_title_line(s)))
            .collect();
        assert_eq!(titles.len(), TITLE_LINES[i], "{}", layout.sheet);
        for card in &centre.cards {
            let title_rows = layout.card_rows(card.objective, CasoratePart::CardTitle);
            let printed: Vec<&str> = card
                .pages
                .iter()
                .filter_map(|p| p.title.as_ref())
                .map(|t| t.text.as_str())
                .collect();
            assert_eq!(title_rows.len(), printed.len());
            for (row, t) in title_rows.iter().zip(&printed) {
                assert_eq!(text(r, *row, 0), *t);
                assert!(has_merge(&book.merges[i], *row, 0, CASORATE_LAST_COL));
                assert!(titles.contains(row));
            }
            // Every repeat line landed on a row that starts a page and shows the header again.
            for line in &card.header_repeats {
                let row = layout.row_of_line(*line).expect("repeat placed");
                assert!(layout.page_starts.contains(&row));
                let a = text(r, row, 0);
                assert!(
                    is_title_line(&a) || a == "Settore",
                    "{} row {row}: {a}",
                    layout.sheet
                );
            }
            // The header box: one `Settore…` label row per page that prints the box.
            let boxes = card
                .pages
                .iter()
                .filter(|p| {
                    p.header_box
                        .iter()
                        .any(|b| b.cells[0].starts_with("Settore"))
                })
                .count();
            let settore_rows = layout
                .card_rows(card.objective, CasoratePart::HeaderBox)
                .into_iter()
                .filter(|&row| text(r, row, 0).starts_with("Settore"))
                .count();
            assert!(settore_rows >= boxes && boxes >= card.pages.len() - 1);
        }
    }
    // Amministrativo 1: title at three places (484, 493) + a box-only page (529).
    let amm = &layouts[0];
    let r = &book.ranges[0];
    let rows: Vec<u32> = [484, 493, 529]
        .iter()
        .map(|l| amm.row_of_line(*l).unwrap())
        .collect();
    assert_eq!(text(r, rows[0], 0), "1. OBIETTIVO DI MIGLIORAMENTO 2024");
    assert_eq!(text(r, rows[1], 0), "1. OBIETTIVO DI MIGLIORAMENTO 2024");
    assert_eq!(text(r, rows[2], 0), "Settore");
    assert_eq!(text(r, rows[2], 1), "Dirigente");
    assert_eq!(text(r, rows[2], 5), "Sistema Premiante");
    assert!(has_merge(&book.merges[0], rows[2], 5, 12));
    assert_eq!(text(r, rows[2] + 1, 1), "Deborah Ariboni");
}

/// Counts, inside rows `first..=last`, the data rows of every table whose header row has
/// `label` in column A: the rows after the header up to the next empty row or block title.
fn scan_table(r: &Range<Data>, (first, last): (u32, u32), label: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let mut row = first;
    while row <= last {
        if text_or_empty(r, row, 0) == label {
            row += 1;
            while row <= last
                && !row_is_empty(r, row)
                && text_or_empty(r, row, 0) != "Indicatori di risultato"
            {
                out.push(row);
                row += 1;
            }
        } else {
            row += 1;
        }
    }
    out
}

fn text_or_empty(r: &Range<Data>, row: u32, col: u16) -> String {
    match get(r, row, col) {
        Data::String(s) => s,
        _ => String::new(),
    }
}

#[test]
fn workbook_tables_read_back_as_the_analysis_counts_them() {
    let dir = tempfile::tempdir().unwrap();
    let book = write_and_read(dir.path());
    let layouts = casorate_layout();
    for &(sheet, objective, _, [_, printed, schedule_rows, marks], part) in &INVENTORY {
        let i = CASORATE_SHEETS.iter().position(|s| *s == sheet).unwrap();
        let (r, layout) = (&book.ranges[i], &layouts[i]);
        let rows: Vec<u32> = layout.rows_of(objective, false).map(|p| p.row).collect();
        let span = (*rows.first().unwrap(), *rows.last().unwrap());
        let id = format!("{sheet} {objective}");

        let indicators = scan_table(r, span, "Descrizione");
        assert_eq!(indicators.len(), printed, "{id} indicators");
        let schedule = scan_table(r, span, "Fasi e tempi");
        assert_eq!(schedule.len(), schedule_rows, "{id} schedule");
        let x = schedule
            .iter()
            .flat_map(|&row| (1..=12).map(move |c| (row, c)))
            .filter(|&(row, c)| matches!(text(r, row, c).as_str(), "X" | "x"))
            .count();
        assert_eq!(x, marks, "{id} marks");
        let staff = scan_table(r, span, "Cat.");
        let pct: Vec<f64> = staff
            .iter()
            .filter_map(|&row| match get(r, row, CASORATE_STAFF_PCT_COL) {
                Data::Float(v) => Some(v),
                _ => None,
            })
            .collect();
        let sum = (!pct.is_empty()).then(|| pct.iter().sum::<f64>());
        assert_eq!(sum, part, "{id} % partecipazione");
    }
}

#[test]
fn workbook_values_and_merges() {
    let dir = tempfile::tempdir().unwrap();
    let book = write_and_read(dir.path());
    let layouts = casorate_layout();
    let row = |sheet: usize, line: u32| layouts[sheet].row_of_line(line).unwrap();
    let amm = &book.ranges[0];
    let m = &book.merges[0];
    // Numbers typed as numbers, text verbatim.
    assert_eq!(float(amm, row(0, 500), 1), 1100.0);
    assert_eq!(float(amm, row(0, 536), CASORATE_STAFF_PCT_COL), 33.0);
    assert_eq!(text(amm, row(0, 503), 7), "N. N. N.");
    assert_eq!(text(amm, row(0, 780), 1), "< di 5");
    assert_eq!(float(amm, row(0, 688), 1), 0.8);
    assert_eq!(text(amm, row(0, 715), 1), "miglioramento 20%");
    assert_eq!(float(amm, row(0, 659), 1), 1000.0);
    assert_eq!(text(amm, row(0, 693), 1), "-");
    assert!(matches!(get(amm, row(0, 570), 1), Data::DateTime(_)));
    assert_eq!(text(amm, row(0, 511), 1), "X");
    assert_eq!(text(amm, row(0, 722), 1), "x");
    assert_eq!(
        float(amm, row(0, 511), 0),
        1.0,
        "phase number typed as a number"
    );
    // Header variant B (four columns) on Amministrativo 2.
    let h = row(0, 567);
    let header: Vec<String> = [0, 1, 5, 9].iter().map(|&c| text(amm, h, c)).collect();
    assert_eq!(
        header,
        [
            "Descrizione",
            "Valore atteso",
            "Rispetto scadenze:",
            "Valore raggiunto"
        ]
    );
    assert!(has_merge(m, h, 1, 4) && has_merge(m, h, 5, 8) && has_merge(m, h, 9, 12));
    // Variant A (three columns, two headers in one cell).
    let h = row(0, 499);
    assert_eq!(text(amm, h, 1), "Valore atteso Rispetto scadenze:");
    assert!(has_merge(m, h, 1, 6) && has_merge(m, h, 7, 12));
    // Group sub-headers: one cell across the table.
    let groups: Vec<u32> = layouts[0]
        .rows
        .iter()
        .filter(|p| {
            p.part == CasoratePart::Block(CasorateBlockKind::Indicators, CasorateRole::Group)
        })
        .map(|p| p.row)
        .collect();
    assert_eq!(groups.len(), 11);
    for g in &groups {
        assert!(has_merge(m, *g, 0, 12));
        assert_eq!(text(amm, g - 1, 0), "Indicatori di risultato");
        assert_eq!(text(amm, g + 1, 0), "Descrizione");
    }
    assert_eq!(text(amm, groups[3], 0), "SALUTE DIGITALE");
    // Description: label + wide merged text.
    let d = row(0, 488);
    assert_eq!(text(amm, d, 0), "Obiettivo: Descrizione Sintetica");
    assert_eq!(text(amm, d, 1), "Innovazione servizi demografici.");
    assert!(has_merge(m, d, 1, 12));
    let d = row(0, 491);
    assert_eq!(
        [text(amm, d, 0), text(amm, d, 1), text(amm, d, 7)],
        ["Risorse finanziarie assegnate", "Capitolo PEG", "Importo"]
    );
    // Verifica: two panels.
    let v = row(0, 520);
    assert_eq!(
        [
            text(amm, v, 0),
            text(amm, v, 1),
            text(amm, v, 5),
            text(amm, v, 9)
        ],
        ["Media valore raggiunto", "%", "Media valore raggiunto", "%"]
    );
    // Staff and resources.
    let s = row(0, 535);
    assert_eq!(text(amm, s, 5), "% partecipazione");
    assert_eq!(text(amm, row(0, 604), 5), "% partecipazion e");
    assert_eq!(text(amm, row(0, 539), 0), "COSTO DELLE RISORSE INTERNE");
    assert_eq!(
        text(amm, row(0, 548), 0),
        "COSTO COMPLESSIVO DELL' OBIETTIVO"
    );
    assert_eq!(
        text(amm, row(0, 532), 0),
        "PERSONALE COINVOLTO NELL' OBIETTIVO"
    );

    // Territorio: indicator shifted one column left, as printed.
    let ter = &book.ranges[1];
    let t = row(1, 909);
    assert_eq!(text(ter, t, 0), "");
    assert_eq!(text(ter, t, 1), "Esperimento della procedura negoziata");
    assert_eq!(text(ter, t, 7), "%");
    // Polizia Locale 5: the split title; 6: the multi-line header box.
    let pl = &book.ranges[2];
    let t = row(2, 1247);
    assert_eq!(text(pl, t, 7), "SEGNALETICA STRADALE");
    let b = row(2, 1312);
    assert!(text(pl, b, 5).starts_with("Costo Base di valutazione: Valore dell'ora"));
    assert_eq!(text(pl, b, 9), "Premio");
    // Socio-educativo: variant D with its empty column, `+ 19`, name split over two rows.
    let soc = &book.ranges[3];
    let h = row(3, 1520);
    assert_eq!([text(soc, h, 1), text(soc, h, 5)], ["", "Valore atteso"]);
    assert_eq!(float(soc, row(3, 1521), 5), 49.0);
    assert_eq!(text(soc, row(3, 1464), 1), "+ 19");
    assert_eq!(text(soc, row(3, 1497), 1), "ANTONIETTA");
    assert_eq!(
        text(soc, row(3, 1398), 7),
        "Gennaio (buoni spesa) – febbraio (per affitto) – marzo (contributo di solidarietà)"
    );
    assert_eq!(text(soc, row(3, 1395), 5), "Costo fuori orario 0,00");
    assert_eq!(text(soc, row(3, 1395), 9), "Premio , 00");
    // Finanziario: 50,00 as a number, deadlines as text.
    let fin = &book.ranges[4];
    assert_eq!(float(fin, row(4, 1672), CASORATE_STAFF_PCT_COL), 50.0);
    assert_eq!(text(fin, row(4, 1645), 1), "Entro il 31/12/2024");
    assert_eq!(float(fin, row(4, 1874), 1), 50.0);
}
