//! Checks the Terre d'Argine card fixture (`tests/data/terre_cards.json`, `common::terre_cards`):
//! the data against the figures the document prints (plain arithmetic, no scoring engine), and
//! the three workbooks read back with calamine against the layout the module promises.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use calamine::{open_workbook, Data, Dimensions, Range, Reader, Xlsx};
use common::terre_cards::*;

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

use common::cells::{float, get, text};

/// A percentage cell in points: a number is a fraction (0.15 → 15), a text is printed (`15%`).
fn percent(range: &Range<Data>, row: u32, col: u16) -> Option<f64> {
    match get(range, row, col) {
        Data::Float(v) => Some(v * 100.0),
        Data::Int(v) => Some(v as f64 * 100.0),
        Data::String(s) => Some(parse_percent_text(&s).expect("percentage text")),
        Data::Empty => None,
        other => panic!("unexpected percentage cell at ({row}, {col}): {other:?}"),
    }
}

/// Month columns (1-based months) holding a mark, checking the mark's kind.
fn marked_months(range: &Range<Data>, row: u32, first_col: u16, mark: TerreMonthMark) -> Vec<u8> {
    let mut out = Vec::new();
    for m in 0..12u16 {
        let cell = get(range, row, first_col + m);
        let is_mark = match (&cell, mark) {
            (Data::Empty, _) => false,
            (Data::String(s), TerreMonthMark::LetterO) if s == "O" => true,
            (Data::String(s), TerreMonthMark::DigitText) if s == "0" => true,
            (Data::Float(v), TerreMonthMark::DigitNumber) if *v == 0.0 => true,
            (other, _) => panic!("unexpected month cell ({row}, {}) {other:?}", first_col + m),
        };
        if is_mark {
            out.push(m as u8 + 1);
        }
    }
    out
}

fn has_merge(merges: &[Dimensions], start: (u32, u16), end: (u32, u16)) -> bool {
    merges
        .iter()
        .any(|d| d.start == (start.0, u32::from(start.1)) && d.end == (end.0, u32::from(end.1)))
}

fn open(path: &Path) -> Xlsx<std::io::BufReader<std::fs::File>> {
    open_workbook(path).expect("written workbook opens")
}

fn s1_cards(data: &TerreCardsData) -> Vec<&TerreCardRecord> {
    TERRE_CARDS_S1_CODES
        .iter()
        .map(|c| data.cards.iter().find(|x| x.code == *c).unwrap())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------------

#[test]
fn records_tables_and_seed_layout_agree() {
    let data = terre_cards_data();
    let codes: Vec<&str> = data.cards.iter().map(|c| c.code.as_str()).collect();
    let expected: Vec<&str> = TERRE_CARDS_S1_CODES
        .iter()
        .chain(TERRE_CARDS_OTHER_CODES.iter())
        .copied()
        .collect();
    assert_eq!(codes, expected);
    let counts: Vec<(&str, usize)> = data
        .cards
        .iter()
        .map(|c| (c.code.as_str(), c.activities.len()))
        .collect();
    assert_eq!(counts, TERRE_CARDS_ACTIVITY_COUNTS.to_vec());
    assert_eq!(counts.iter().map(|c| c.1).sum::<usize>(), 44);

    // The S1 table: header, rows in card order, each equal to its card's table_row.
    assert_eq!(data.s1_table.title, "1° Settore Affari generali");
    assert_eq!(data.s1_table.header, TERRE_CARDS_TABLE_HEADER.to_vec());
    assert_eq!(data.s1_table.rows.len(), 6);
    for (row, card) in data.s1_table.rows.iter().zip(s1_cards(&data)) {
        assert!(row.obiettivo_esecutivo.starts_with(&card.code));
        // §6.2's table_row has no parsed effettivo/atteso: compare the printed cells.
        let mut printed = row.clone();
        printed.effettivo = None;
        printed.atteso = None;
        assert_eq!(printed, card.table_row, "{}", card.code);
        assert_eq!(
            row.esito_pair().map(|p| p.0),
            row.effettivo,
            "{}",
            card.code
        );
        assert_eq!(row.esito_pair().map(|p| p.1), row.atteso, "{}", card.code);
    }
    // Separators as printed: "-", "–", none.
    assert!(data.s1_table.rows[1]
        .obiettivo_esecutivo
        .starts_with("S1.00010 – "));
    assert!(data.s1_table.rows[2]
        .obiettivo_esecutivo
        .starts_with("S1.00012 Supporto"));
    assert_eq!(
        data.s1_table.totale.obiettivo_esecutivo,
        "TOTALE (peso totale, esito %ponderata)"
    );
    assert_eq!(data.s1_table.totale.esito_monitoraggio, "51,97% su 54,07%");

    let s8 = terre_card("S8.00001");
    assert_eq!(data.other_table_rows.len(), 1);
    let mut s8_row = data.other_table_rows[0].clone();
    assert_eq!(s8_row.effettivo, Some(92.0));
    s8_row.effettivo = None;
    s8_row.atteso = None;
    assert_eq!(s8_row, s8.table_row);

    // Seed layout: one entry per card and activity, lines matching the records.
    for (seed, card) in data.seed_layout.iter().zip(&data.cards) {
        assert_eq!(seed.code, card.code);
        let lines: Vec<u32> = seed.activities.iter().map(|a| a.line).collect();
        let record: Vec<u32> = card.activities.iter().map(|a| a.line).collect();
        assert_eq!(lines, record, "{}", card.code);
        let expected_header = if card.code.starts_with("S8") || card.code.starts_with("S9") {
            "P. finale"
        } else {
            "P. Finale"
        };
        assert_eq!(seed.p_finale_header, expected_header);
    }
    let duplicated: usize = data
        .seed_layout
        .iter()
        .flat_map(|s| &s.activities)
        .filter(|a| a.pei_columns == ["P. Finale", "P.E.I"])
        .count();
    assert_eq!(duplicated, 10);

    // Every activity: 0 ≤ P.A.I, P.E.I ≤ Peso; nothing in P. Finale; ES unchecked.
    for c in &data.cards {
        for a in &c.activities {
            assert!(
                a.pai >= 0.0 && a.pai <= a.peso && a.pei <= a.peso,
                "{}",
                c.code
            );
            assert!(a.p_finale.is_none() && !a.es_checked);
        }
        assert_eq!(c.sum_pai(), c.computed.sum_pai, "{}", c.code);
        assert_eq!(c.sum_pei(), c.computed.sum_pei, "{}", c.code);
    }
}

#[test]
fn s1_card_sums_equal_the_printed_table() {
    let data = terre_cards_data();
    let mut year_end_only = 0;
    for card in s1_cards(&data) {
        match card.table_row.esito_pair() {
            Some((effettivo, atteso)) => {
                assert_eq!(card.sum_pei(), effettivo, "{}", card.code);
                assert_eq!(card.sum_pai(), atteso, "{}", card.code);
                // Realizzazione and Intermedio (dot decimals) = Σ P.E.I.
                let r = parse_percent_text(&card.realizzazione).unwrap();
                assert_eq!(r, card.sum_pei(), "{}", card.code);
                assert_eq!(
                    card.intermedio.as_deref(),
                    Some(card.realizzazione.as_str())
                );
            }
            None => {
                year_end_only += 1;
                assert!(card.is_year_end_only());
                assert_eq!((card.sum_pai(), card.sum_pei()), (0.0, 0.0));
                assert_eq!(card.realizzazione, "0%");
                assert_eq!(card.intermedio, None);
                // The month plan alone would give 58.33: the stored 0 is the document's choice.
                let a = &card.activities[0];
                assert_eq!((a.peso, a.previsto_mesi.len()), (100.0, 12));
            }
        }
        let padre = parse_percent_text(card.peso_obiettivo_padre.as_deref().unwrap()).unwrap();
        assert_eq!(padre, card.table_row.weight(), "{}", card.code);
    }
    assert_eq!(year_end_only, 2);
    let s1_00002 = terre_card("S1.00002");
    assert_eq!((s1_00002.sum_pei(), s1_00002.sum_pai()), (54.0, 70.96));
}

#[test]
fn s1_total_is_recomputed_without_renormalising() {
    let data = terre_cards_data();
    let rows = &data.s1_table.rows;
    let total_weight: f64 = rows.iter().map(TerreTableRow::weight).sum();
    assert_eq!(total_weight, 100.0);
    assert_eq!(data.s1_table.totale.weight(), 100.0);

    let (mut e, mut a, mut scored_weight) = (0.0, 0.0, 0.0);
    for r in rows {
        if let Some((x, y)) = r.esito_pair() {
            e += r.weight() * x;
            a += r.weight() * y;
            scored_weight += r.weight();
        }
    }
    assert_eq!(scored_weight, 82.0);
    assert_eq!(round2(e / 100.0), TERRE_CARDS_S1_EFFETTIVO);
    assert_eq!(round2(a / 100.0), TERRE_CARDS_S1_ATTESO);
    let printed = data.s1_table.totale.esito_pair().unwrap();
    assert_eq!(printed, (TERRE_CARDS_S1_EFFETTIVO, TERRE_CARDS_S1_ATTESO));
    // Renormalising over the scored 82% is what the document does NOT do.
    assert_eq!(round2(e / scored_weight), 63.38);
    assert_eq!(round2(a / scored_weight), 65.94);

    // The same from the cards' own activities.
    let from_cards: f64 = s1_cards(&data)
        .iter()
        .map(|c| c.table_row.weight() * c.sum_pei())
        .sum();
    assert_eq!(round2(from_cards / 100.0), TERRE_CARDS_S1_EFFETTIVO);
}

#[test]
fn s1_atteso_from_the_month_plan() {
    let data = terre_cards_data();
    let mut atteso = 0.0;
    let mut overrides = Vec::new();
    for card in s1_cards(&data) {
        if card.is_year_end_only() {
            continue;
        }
        let mut sum = 0.0;
        for (i, a) in card.activities.iter().enumerate() {
            let planned = a.previsto_mesi.len() as f64;
            let due = a
                .previsto_mesi
                .iter()
                .filter(|&&m| m <= TERRE_CARDS_MONITORING_MONTH)
                .count() as f64;
            let pai = if planned == 0.0 {
                0.0
            } else {
                round2(a.peso * due / planned)
            };
            if !close(pai, a.pai) {
                overrides.push((card.code.clone(), i + 1, a.pai, pai));
            }
            sum += pai;
        }
        atteso += card.table_row.weight() * round2(sum);
    }
    assert_eq!(
        overrides,
        vec![("S1.00002".to_string(), 6, 10.0, 11.67)],
        "only S1.00002 act. 6 stores a P.A.I the plan does not give"
    );
    assert_eq!(
        round2(atteso / 100.0),
        TERRE_CARDS_S1_ATTESO_FROM_MONTH_PLAN
    );
}

#[test]
fn s8_00001_realizzazione_disagrees_with_its_activities() {
    let card = terre_card("S8.00001");
    let realizzazione = parse_percent_text(&card.realizzazione).unwrap();
    assert_eq!(realizzazione, TERRE_CARDS_S8_00001_REALIZZAZIONE);
    assert_eq!(card.sum_pei(), TERRE_CARDS_S8_00001_SUM_PEI);
    assert_ne!(card.sum_pei(), realizzazione);
    assert_eq!(card.sum_pai(), TERRE_CARDS_S8_00001_SUM_PAI);
    let (e, a) = card.table_row.esito_pair().unwrap();
    assert_eq!((e, a), (92.0, 78.89));
    assert_eq!(card.table_row.weight(), 89.0);
    // Invalid multi-year validity kept as printed.
    assert_eq!(card.validita_pluriennale, "04/12/2020 - 31/03/2024");
}

// ---------------------------------------------------------------------------------------------
// Workbooks
// ---------------------------------------------------------------------------------------------

/// Checks one card as written against its record and layout; returns (Σ P.A.I, Σ P.E.I) read
/// back from the cells, and counts numeric / text percentage cells.
fn check_card(
    range: &Range<Data>,
    merges: &[Dimensions],
    card: &TerreCardRecord,
    l: &TerreCardLayout,
    kinds: &mut (usize, usize),
) -> (f64, f64) {
    let code = &card.code;
    assert_eq!(text(range, l.code_row, 0), *code);
    assert_eq!(text(range, l.id_row, 0), format!("({})", card.internal_id));
    assert_eq!(text(range, l.title_row, 0), card.title);
    assert_eq!(text(range, l.struttura_row, 0), card.struttura_header);
    assert_eq!(
        text(range, l.tipo_row, 0),
        format!(
            "Tipo obiettivo: {} - Grado di strategicità: {}",
            card.tipo_obiettivo, card.grado_strategicita
        )
    );

    let mut count = |cell: Data| match cell {
        Data::Float(_) => kinds.0 += 1,
        Data::String(_) => kinds.1 += 1,
        _ => {}
    };

    // Label rows: contiguous after the type row, in the document's order.
    let labels: Vec<&str> = l.label_rows.iter().map(|r| r.label.as_str()).collect();
    let mut expected = Vec::new();
    if card.descrizione_obiettivo.is_some() {
        expected.push("Descrizione obiettivo:");
    }
    expected.extend([
        "Validità obiettivo:",
        "Validità pluriennale obiettivo:",
        "Centro di responsabilità:",
        "DUP Ses:",
        "Realizzazione",
    ]);
    if card.intermedio.is_some() {
        expected.push("Intermedio");
    }
    if card.peso_obiettivo_padre.is_some() {
        expected.extend(["Peso dell'obiettivo rispetto a:", "Obiettivo padre:"]);
    }
    assert_eq!(labels, expected, "{code}");
    for (i, lr) in l.label_rows.iter().enumerate() {
        assert_eq!(lr.row, l.tipo_row + 1 + i as u32);
        assert_eq!(text(range, lr.row, 0), lr.label, "{code}");
        match (&lr.value, lr.label.as_str()) {
            (None, _) => assert_eq!(get(range, lr.row, 1), Data::Empty),
            (Some(v), "Realizzazione" | "Intermedio" | "Obiettivo padre:") => {
                let got = percent(range, lr.row, 1).unwrap();
                assert!(close(got, parse_percent_text(v).unwrap()), "{code} {v}");
                count(get(range, lr.row, 1));
            }
            (Some(v), _) => assert_eq!(text(range, lr.row, 1), *v, "{code}"),
        }
    }
    assert_eq!(
        l.activities_label_row,
        l.tipo_row + 1 + l.label_rows.len() as u32
    );
    assert_eq!(
        text(range, l.activities_label_row, 0),
        TERRE_CARDS_ACTIVITIES_LABEL
    );

    let header = terre_activity_header(&l.p_finale_header);
    let (mut sum_pai, mut sum_pei) = (0.0, 0.0);
    for (i, (a, al)) in card.activities.iter().zip(&l.activities).enumerate() {
        let what = format!("{code} act. {}", i + 1);
        assert_eq!(al.header_row, l.activities_label_row + 1 + 10 * i as u32);
        if i > 0 {
            for c in 0..=TERRE_CARDS_LAST_COL {
                assert_eq!(get(range, al.header_row - 1, c), Data::Empty, "{what}");
            }
        }
        for (c, h) in header.iter().enumerate() {
            assert_eq!(text(range, al.header_row, c as u16), *h, "{what}");
        }
        let (p, e) = (al.previsto_row, al.effettivo_row);
        assert_eq!(text(range, p, 0), a.attivita, "{what}");
        assert_eq!(float(range, p, TERRE_CARDS_COL_ANNO), f64::from(a.anno));
        assert_eq!(
            text(range, p, TERRE_CARDS_COL_ES),
            l.es_text.unwrap_or(""),
            "{what}"
        );
        assert_eq!(text(range, p, TERRE_CARDS_COL_KIND), "Previsto");
        assert_eq!(text(range, e, TERRE_CARDS_COL_KIND), "Effettivo");
        for c in 0..TERRE_CARDS_COL_KIND {
            assert_eq!(get(range, e, c), Data::Empty, "{what}");
        }
        assert_eq!(
            marked_months(range, p, TERRE_CARDS_COL_FIRST_MONTH, l.month_mark),
            a.previsto_mesi,
            "{what}"
        );
        assert_eq!(
            marked_months(range, e, TERRE_CARDS_COL_FIRST_MONTH, l.month_mark),
            a.effettivo_mesi,
            "{what}"
        );

        // Previsto: Peso and P.A.I; P. Finale and P.E.I empty.
        assert!(close(
            percent(range, p, TERRE_CARDS_COL_PESO).unwrap(),
            a.peso
        ));
        assert!(close(
            percent(range, p, TERRE_CARDS_COL_PAI).unwrap(),
            a.pai
        ));
        assert_eq!(percent(range, p, TERRE_CARDS_COL_P_FINALE), None, "{what}");
        assert_eq!(percent(range, p, TERRE_CARDS_COL_PEI), None, "{what}");
        count(get(range, p, TERRE_CARDS_COL_PESO));
        count(get(range, p, TERRE_CARDS_COL_PAI));
        sum_pai += percent(range, p, TERRE_CARDS_COL_PAI).unwrap();

        // Effettivo: the P.E.I exactly where the seed prints it.
        let filled: Vec<u16> = (TERRE_CARDS_COL_PESO..=TERRE_CARDS_COL_PEI)
            .filter(|&c| percent(range, e, c).is_some())
            .collect();
        assert_eq!(filled, al.pei_cols, "{what}");
        for &c in &al.pei_cols {
            assert!(close(percent(range, e, c).unwrap(), a.pei), "{what}");
            count(get(range, e, c));
        }
        sum_pei += percent(range, e, al.pei_cols[0]).unwrap();

        for (row, label, body) in [
            (al.target_row, "Target attesi", &a.target_attesi),
            (
                al.intermedio_row,
                "Monitoraggio intermedio",
                &a.monitoraggio_intermedio,
            ),
            (al.finale_row, "Monitoraggio finale", &a.monitoraggio_finale),
        ] {
            assert_eq!(text(range, row, 0), label, "{what}");
            assert_eq!(text(range, row + 1, 0), *body, "{what}");
            assert!(
                has_merge(merges, (row + 1, 0), (row + 1, TERRE_CARDS_LAST_COL)),
                "{what} {label}"
            );
        }
        for c in 0..3u16 {
            assert_eq!(
                has_merge(merges, (p, c), (e, c)),
                l.merged_activity_cells,
                "{what} col {c}"
            );
        }
    }
    assert_eq!(l.last_row, l.activities.last().unwrap().finale_row + 1);
    (round2(sum_pai), round2(sum_pei))
}

#[test]
fn s1_cards_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("terre_s1_cards.xlsx");
    write_terre_s1_cards(&path).unwrap();
    let data = terre_cards_data();
    let layout = terre_s1_cards_layout();
    let mut wb = open(&path);

    let mut names = vec![TERRE_CARDS_TABLE_SHEET.to_string()];
    names.extend(
        TERRE_CARDS_S1_CODES
            .iter()
            .map(|c| terre_card_sheet_name(c)),
    );
    assert_eq!(wb.sheet_names(), names);
    assert_eq!(names[5], "S1-DG.00012");
    assert_eq!(names[6], "S1-SG.00001");

    // The sector table.
    let t = wb.worksheet_range(TERRE_CARDS_TABLE_SHEET).unwrap();
    let merges = wb
        .merge_cells_by_sheet_name(TERRE_CARDS_TABLE_SHEET)
        .unwrap();
    assert_eq!(text(&t, 0, 0), "1° Settore Affari generali");
    assert!(has_merge(&merges, (0, 0), (0, 6)));
    for (c, h) in TERRE_CARDS_TABLE_HEADER.iter().enumerate() {
        assert_eq!(text(&t, TERRE_CARDS_TABLE_HEADER_ROW, c as u16), *h);
    }
    let (mut e, mut a) = (0.0, 0.0);
    for (i, r) in data.s1_table.rows.iter().enumerate() {
        let row = TERRE_CARDS_TABLE_FIRST_ROW + i as u32;
        assert_eq!(text(&t, row, 0), r.obiettivo_esecutivo);
        assert_eq!(text(&t, row, 1), r.priorita);
        let w = float(&t, row, 2);
        assert!(close(w * 100.0, r.weight()));
        assert_eq!(text(&t, row, 3), r.tipo_obiettivo);
        assert_eq!(text(&t, row, 4), r.durata);
        let esito = text(&t, row, 5);
        assert_eq!(esito, r.esito_monitoraggio);
        assert_eq!(get(&t, row, 6), Data::Empty);
        if let Some((x, y)) = esito.split_once(" su ") {
            let n = |s: &str| parse_percent_text(s).unwrap();
            e += w * n(x);
            a += w * n(y);
        } else {
            assert_eq!(esito, "=");
        }
    }
    let tot = TERRE_CARDS_TABLE_TOTALE_ROW;
    assert_eq!(text(&t, tot, 0), "TOTALE (peso totale, esito %ponderata)");
    assert_eq!(float(&t, tot, 2), 1.0);
    assert_eq!(text(&t, tot, 5), "51,97% su 54,07%");
    assert_eq!(get(&t, tot + 1, 0), Data::Empty);
    // Recomputed from the written cells, without renormalising.
    assert_eq!(round2(e), TERRE_CARDS_S1_EFFETTIVO);
    assert_eq!(round2(a), TERRE_CARDS_S1_ATTESO);

    // The card sheets.
    let mut kinds = (0, 0);
    let mut decimal_numbers = 0;
    let mut decimal_texts = 0;
    for (l, card) in layout.iter().zip(s1_cards(&data)) {
        assert_eq!(l.code_row, 0);
        let range = wb.worksheet_range(&l.sheet).unwrap();
        let merges = wb.merge_cells_by_sheet_name(&l.sheet).unwrap();
        let (pai, pei) = check_card(&range, &merges, card, l, &mut kinds);
        match card.table_row.esito_pair() {
            Some((x, y)) => assert_eq!((pei, pai), (x, y), "{}", card.code),
            None => assert_eq!((pei, pai), (0.0, 0.0), "{}", card.code),
        }
        assert_eq!(
            range.end().map(|(r, _)| r),
            Some(l.last_row),
            "{}",
            card.code
        );
        for al in &l.activities {
            match get(&range, al.previsto_row, TERRE_CARDS_COL_PAI) {
                Data::Float(v) if v * 100.0 != (v * 100.0).round() => decimal_numbers += 1,
                Data::String(s) if s.contains('.') => decimal_texts += 1,
                _ => {}
            }
        }
    }
    assert!(kinds.0 > 10 && kinds.1 > 10, "numbers and texts: {kinds:?}");
    assert!(decimal_numbers > 0 && decimal_texts > 0);

    // Storage of known cells.
    let s = wb.worksheet_range("S1.00002").unwrap();
    let l = &layout[0];
    assert_eq!(
        get(&s, l.activities[2].previsto_row, TERRE_CARDS_COL_PAI),
        Data::String("1.67%".into())
    );
    assert_eq!(
        get(&s, l.activities[0].previsto_row, TERRE_CARDS_COL_PESO),
        Data::Float(0.15)
    );
    let r = l.label_row("Realizzazione").unwrap();
    assert_eq!(get(&s, r, 1), Data::Float(0.54));
    let s = wb.worksheet_range("S1.00010").unwrap();
    let l = &layout[1];
    assert_eq!(
        get(&s, l.label_row("Realizzazione").unwrap(), 1),
        Data::String("32.5%".into())
    );
    let s = wb.worksheet_range("S1.00012").unwrap();
    assert_eq!(
        get(
            &s,
            layout[2].activities[1].previsto_row,
            TERRE_CARDS_COL_PAI
        ),
        Data::Float(0.0417)
    );
    // The "=" copies: no Intermedio, number 0 / text "0" as month marks.
    assert_eq!(layout[4].month_mark, TerreMonthMark::DigitNumber);
    assert_eq!(layout[5].month_mark, TerreMonthMark::DigitText);
    for l in &layout[4..] {
        assert_eq!(l.label_row("Intermedio"), None);
        assert!(l.label_row("Descrizione obiettivo:").is_some());
    }
    for l in &layout[..4] {
        assert_eq!(l.month_mark, TerreMonthMark::LetterO);
        assert_eq!(l.label_row("Descrizione obiettivo:"), None);
    }
}

#[test]
fn other_cards_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("terre_other_cards.xlsx");
    write_terre_other_cards(&path).unwrap();
    let layout = terre_other_cards_layout();
    let mut wb = open(&path);
    assert_eq!(wb.sheet_names(), vec![TERRE_CARDS_OTHER_SHEET.to_string()]);
    let range = wb.worksheet_range(TERRE_CARDS_OTHER_SHEET).unwrap();
    let merges = wb
        .merge_cells_by_sheet_name(TERRE_CARDS_OTHER_SHEET)
        .unwrap();

    let codes: Vec<&str> = layout.iter().map(|l| l.code.as_str()).collect();
    assert_eq!(codes, TERRE_CARDS_OTHER_CODES.to_vec());
    assert_eq!(layout[0].code_row, 0);
    for w in layout.windows(2) {
        assert_eq!(
            w[1].code_row,
            w[0].last_row + 1 + TERRE_CARDS_BLANK_ROWS_BETWEEN_CARDS
        );
        for row in w[0].last_row + 1..w[1].code_row {
            for c in 0..=TERRE_CARDS_LAST_COL {
                assert_eq!(get(&range, row, c), Data::Empty);
            }
        }
    }
    assert_eq!(range.end().map(|(r, _)| r), Some(layout[3].last_row));

    let mut kinds = (0, 0);
    let mut sums = Vec::new();
    for l in &layout {
        let card = terre_card(&l.code);
        sums.push(check_card(&range, &merges, &card, l, &mut kinds));
        assert!(!l.merged_activity_cells);
    }
    assert!(kinds.0 > 0 && kinds.1 > 0, "{kinds:?}");

    // DG.00012: two 2025 rows with Peso 0.
    let dg = &layout[0];
    let years: Vec<f64> = dg
        .activities
        .iter()
        .map(|a| float(&range, a.previsto_row, TERRE_CARDS_COL_ANNO))
        .collect();
    assert_eq!(years, vec![2024.0, 2024.0, 2024.0, 2025.0, 2024.0, 2025.0]);
    assert_eq!(sums[0], (41.66, 41.66));

    // S8.00001: the card says 92% but its activities add up to 95.5.
    let s8 = &layout[1];
    let r = s8.label_row("Realizzazione").unwrap();
    assert_eq!(
        percent(&range, r, 1),
        Some(TERRE_CARDS_S8_00001_REALIZZAZIONE)
    );
    assert_eq!(
        sums[1],
        (TERRE_CARDS_S8_00001_SUM_PAI, TERRE_CARDS_S8_00001_SUM_PEI)
    );
    assert_eq!(
        text(
            &range,
            s8.activities[0].header_row,
            TERRE_CARDS_COL_P_FINALE
        ),
        "P. finale"
    );
    assert_eq!(
        text(&range, s8.activities[0].previsto_row, TERRE_CARDS_COL_ES),
        ""
    );

    // S3.00029: no "Obiettivo padre" block anywhere in the card.
    let s3 = &layout[2];
    assert_eq!(s3.label_row("Obiettivo padre:"), None);
    assert_eq!(s3.label_row("Peso dell'obiettivo rispetto a:"), None);
    for row in s3.code_row..=s3.last_row {
        let a = text(&range, row, 0);
        assert!(!a.starts_with("Obiettivo padre") && !a.starts_with("Peso dell'obiettivo"));
    }
    assert_eq!(sums[2], (56.24, 49.57));

    // S9.00022: the table prints 10% su 10% although Σ P.A.I is 59.38.
    assert_eq!(sums[3], (59.38, 10.0));
    let s9 = terre_card("S9.00022");
    assert_eq!(s9.table_row.esito_monitoraggio, "10% su 10%");
}

#[test]
fn s1_activity_table_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("terre_s1_activities.xlsx");
    write_terre_s1_activity_table(&path).unwrap();
    let data = terre_cards_data();
    let layout = terre_s1_activity_table_layout();
    let mut wb = open(&path);
    assert_eq!(wb.sheet_names(), vec![TERRE_CARDS_FLAT_SHEET.to_string()]);
    let range = wb.worksheet_range(TERRE_CARDS_FLAT_SHEET).unwrap();
    let merges = wb
        .merge_cells_by_sheet_name(TERRE_CARDS_FLAT_SHEET)
        .unwrap();

    let (band, months) = (TERRE_CARDS_FLAT_BAND_ROW, TERRE_CARDS_FLAT_MONTH_ROW);
    for (c, h) in TERRE_CARDS_FLAT_HEADERS {
        assert_eq!(text(&range, band, c), h);
        assert_eq!(get(&range, months, c), Data::Empty);
        assert!(has_merge(&merges, (band, c), (months, c)), "{h}");
    }
    for (first, label) in [
        (TERRE_CARDS_FLAT_COL_PREVISTO, "Previsto"),
        (TERRE_CARDS_FLAT_COL_EFFETTIVO, "Effettivo"),
    ] {
        assert_eq!(text(&range, band, first), label);
        assert!(has_merge(&merges, (band, first), (band, first + 11)));
        let letters: Vec<String> = (0..12).map(|m| text(&range, months, first + m)).collect();
        assert_eq!(letters, TERRE_CARDS_MONTH_LETTERS.to_vec());
    }
    let headed: BTreeSet<u16> = TERRE_CARDS_FLAT_HEADERS
        .iter()
        .map(|h| h.0)
        .chain(TERRE_CARDS_FLAT_COL_PREVISTO..TERRE_CARDS_FLAT_COL_PAI)
        .collect();
    assert_eq!(headed, (0..=TERRE_CARDS_FLAT_COL_MONITORAGGIO).collect());

    assert_eq!(layout.len(), 6);
    assert_eq!(layout[0].first_row, TERRE_CARDS_FLAT_FIRST_ROW);
    assert_eq!(layout[5].last_row, TERRE_CARDS_FLAT_FIRST_ROW + 21);
    assert_eq!(range.end().map(|(r, _)| r), Some(layout[5].last_row));
    let objective_cols = [
        TERRE_CARDS_FLAT_COL_SETTORE,
        TERRE_CARDS_FLAT_COL_CODICE,
        TERRE_CARDS_FLAT_COL_OBIETTIVO,
        TERRE_CARDS_FLAT_COL_PESO_OBIETTIVO,
        TERRE_CARDS_FLAT_COL_ESITO,
    ];
    let mut e = 0.0;
    for (o, card) in layout.iter().zip(s1_cards(&data)) {
        assert_eq!(o.code, card.code);
        assert_eq!(o.last_row - o.first_row + 1, card.activities.len() as u32);
        for c in objective_cols {
            assert_eq!(
                has_merge(&merges, (o.first_row, c), (o.last_row, c)),
                o.last_row > o.first_row,
                "{} col {c}",
                card.code
            );
            for row in o.first_row + 1..=o.last_row {
                assert_eq!(get(&range, row, c), Data::Empty);
            }
        }
        assert_eq!(text(&range, o.first_row, 0), "1° Settore Affari generali");
        assert_eq!(text(&range, o.first_row, 1), card.code);
        assert_eq!(text(&range, o.first_row, 2), card.title);
        let w = float(&range, o.first_row, TERRE_CARDS_FLAT_COL_PESO_OBIETTIVO);
        assert!(close(w * 100.0, card.table_row.weight()));
        let esito = text(&range, o.first_row, TERRE_CARDS_FLAT_COL_ESITO);
        assert_eq!(esito, card.table_row.esito_monitoraggio);

        let mark = terre_month_mark(&card.code);
        let mut pei = 0.0;
        let mut pai = 0.0;
        for (i, a) in card.activities.iter().enumerate() {
            let row = o.first_row + i as u32;
            assert_eq!(text(&range, row, TERRE_CARDS_FLAT_COL_ATTIVITA), a.attivita);
            assert_eq!(
                float(&range, row, TERRE_CARDS_FLAT_COL_ANNO),
                f64::from(a.anno)
            );
            assert!(close(
                float(&range, row, TERRE_CARDS_FLAT_COL_PESO) * 100.0,
                a.peso
            ));
            assert_eq!(
                marked_months(&range, row, TERRE_CARDS_FLAT_COL_PREVISTO, mark),
                a.previsto_mesi
            );
            assert_eq!(
                marked_months(&range, row, TERRE_CARDS_FLAT_COL_EFFETTIVO, mark),
                a.effettivo_mesi
            );
            pai += float(&range, row, TERRE_CARDS_FLAT_COL_PAI) * 100.0;
            pei += float(&range, row, TERRE_CARDS_FLAT_COL_PEI) * 100.0;
            assert_eq!(
                text(&range, row, TERRE_CARDS_FLAT_COL_MONITORAGGIO),
                a.monitoraggio_intermedio
            );
        }
        match card.table_row.esito_pair() {
            Some((x, y)) => assert_eq!((round2(pei), round2(pai)), (x, y), "{}", card.code),
            None => assert_eq!((round2(pei), round2(pai)), (0.0, 0.0)),
        }
        e += w * round2(pei);
    }
    assert_eq!(round2(e), TERRE_CARDS_S1_EFFETTIVO);
}

#[test]
fn builders_are_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    type Builder = fn(&Path) -> Result<(), rust_xlsxwriter::XlsxError>;
    let builders: [(&str, Builder); 3] = [
        ("cards", write_terre_s1_cards),
        ("other", write_terre_other_cards),
        ("flat", write_terre_s1_activity_table),
    ];
    for (name, build) in builders {
        let a = dir.path().join(format!("{name}_a.xlsx"));
        let b = dir.path().join(format!("{name}_b.xlsx"));
        build(&a).unwrap();
        build(&b).unwrap();
        assert_eq!(
            std::fs::read(&a).unwrap(),
            std::fs::read(&b).unwrap(),
            "{name}"
        );
    }
}
