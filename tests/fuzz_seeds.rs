//! Regenerates the `grid` and `workbook_bytes` seed corpus of the fuzz targets from the test
//! fixtures (the real layouts rebuilt from `tests/data/`):
//!
//! ```text
//! cargo test --test fuzz_seeds -- --ignored
//! ```
//!
//! Each grid seed is the first rows of the first sheets of one fixture, in the grid text
//! format of `fuzz/harness.rs` (`parse_grid`). See `fuzz/README.md`.

mod common;

#[path = "../fuzz/harness.rs"]
mod harness;

use std::io::BufReader;
use std::path::{Path, PathBuf};

use calamine::{open_workbook, DataRef, Reader, Xlsx};
use common::{casalgrande, casorate, fixtures, terre_cards};
use harness::{GridCell, GridSheet};

type Writer = fn(&Path) -> Result<(), rust_xlsxwriter::XlsxError>;

/// Fixture, writer, sheets and rows per sheet kept.
const FIXTURES: [(&str, Writer, usize, u32); 8] = [
    ("cremona", fixtures::write_cremona, 2, 40),
    (
        "cremona_foglio_unico",
        fixtures::write_cremona_single_sheet,
        1,
        50,
    ),
    ("portomaggiore", fixtures::write_portomaggiore, 2, 25),
    ("casalgrande", casalgrande::write_casalgrande, 1, 80),
    ("casorate", casorate::write_casorate, 2, 60),
    ("terre_schede_s1", terre_cards::write_terre_s1_cards, 2, 60),
    (
        "terre_schede_altre",
        terre_cards::write_terre_other_cards,
        2,
        60,
    ),
    (
        "terre_tabella_attivita",
        terre_cards::write_terre_s1_activity_table,
        1,
        40,
    ),
];

fn dump(path: &Path, max_sheets: usize, max_rows: u32) -> Vec<GridSheet> {
    let mut xlsx: Xlsx<BufReader<std::fs::File>> = open_workbook(path).expect("the fixture");
    let names: Vec<String> = xlsx.sheet_names().into_iter().take(max_sheets).collect();
    let mut sheets = Vec::new();
    for name in names {
        let merges: Vec<(u32, u32, u32, u32)> = xlsx
            .merge_cells_by_sheet_name(&name)
            .expect("merged regions")
            .into_iter()
            .filter(|d| d.start.0 < max_rows)
            .map(|d| {
                let end_row = d.end.0.min(max_rows - 1);
                (
                    d.start.0,
                    d.start.1,
                    end_row - d.start.0 + 1,
                    d.end.1 - d.start.1 + 1,
                )
            })
            .collect();
        let mut rows: Vec<Vec<GridCell>> = Vec::new();
        let mut reader = xlsx.worksheet_cells_reader(&name).expect("the sheet");
        let percent: Vec<bool> = reader
            .styles()
            .iter()
            .map(|s| {
                s.number_format.as_ref().is_some_and(|f| {
                    matches!(f.format_id, Some(9) | Some(10)) || f.format_code.contains('%')
                })
            })
            .collect();
        while let Some((cell, style)) = reader.next_cell_with_style_id().expect("a cell") {
            let (r, c) = cell.get_position();
            if r >= max_rows {
                continue;
            }
            let style = u8::from(percent.get(style).copied().unwrap_or(false));
            let value = match cell.get_value() {
                DataRef::Empty => continue,
                DataRef::SharedString(s) => GridCell::Text(s.to_string()),
                DataRef::String(s) => GridCell::Text(s.clone()),
                DataRef::Float(f) => GridCell::Number(*f, style),
                DataRef::Int(i) => GridCell::Number(*i as f64, style),
                DataRef::Bool(b) => GridCell::Bool(*b),
                DataRef::DateTime(d) => GridCell::Number(d.as_f64(), 2),
                DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => GridCell::Text(s.clone()),
                DataRef::Error(e) => GridCell::Error(e.to_string()),
            };
            let (r, c) = (r as usize, c as usize);
            if rows.len() <= r {
                rows.resize(r + 1, Vec::new());
            }
            if rows[r].len() <= c {
                rows[r].resize(c + 1, GridCell::Empty);
            }
            rows[r][c] = value;
        }
        drop(reader);
        sheets.push(GridSheet {
            name: name.clone(),
            rows,
            merges,
        });
    }
    sheets
}

#[test]
#[ignore = "regenerates fuzz/corpus/{grid,workbook_bytes}: run it by hand"]
fn regenerate_grid_and_workbook_seeds() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let grid_dir = root.join("fuzz/corpus/grid");
    let bytes_dir = root.join("fuzz/corpus/workbook_bytes");
    std::fs::create_dir_all(&grid_dir).expect("the grid corpus folder");
    std::fs::create_dir_all(&bytes_dir).expect("the bytes corpus folder");
    let tmp = tempfile::tempdir().expect("a temporary folder");
    for (name, write, sheets, rows) in FIXTURES {
        let xlsx = tmp.path().join(format!("{name}.xlsx"));
        write(&xlsx).expect("the fixture is written");
        let text = harness::grid_to_text(&dump(&xlsx, sheets, rows));
        std::fs::write(grid_dir.join(format!("{name}.tsv")), &text).expect("the grid seed");
        // The same seed as the grid target writes it: a small valid workbook to mutate.
        if name == "casorate" || name == "terre_schede_s1" {
            let bytes = harness::grid_to_xlsx(&harness::parse_grid(&text));
            std::fs::write(bytes_dir.join(format!("griglia_{name}.xlsx")), bytes)
                .expect("the bytes seed");
        }
    }
    // Real files as they are, and a truncated copy of one.
    let demo = std::fs::read(root.join("examples/demo.xlsx")).expect("the demo workbook");
    std::fs::write(bytes_dir.join("demo.xlsx"), &demo).expect("the bytes seed");
    std::fs::write(
        bytes_dir.join("demo_troncato.xlsx"),
        &demo[..demo.len() / 2],
    )
    .expect("the bytes seed");
    std::fs::copy(
        root.join("tests/data/protetto.xlsx"),
        bytes_dir.join("protetto.xlsx"),
    )
    .expect("the bytes seed");
    let terre = tmp.path().join("terre_tabella_attivita.xlsx");
    std::fs::copy(&terre, bytes_dir.join("terre_tabella_attivita.xlsx")).expect("the bytes seed");
}

/// The same grid written by rust_xlsxwriter, to compare with `harness::grid_to_xlsx`.
fn grid_to_xlsx_with_xlsxwriter(sheets: &[GridSheet]) -> Vec<u8> {
    use rust_xlsxwriter::{Format, Workbook};
    let percent = Format::new().set_num_format("0%");
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let mut wb = Workbook::new();
    for s in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(&s.name).expect("a valid name");
        for (r, row) in s.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                let _ = match cell {
                    GridCell::Empty => continue,
                    GridCell::Text(t) => ws.write_string(r, c, t).map(|_| ()),
                    GridCell::Number(v, 1) => {
                        ws.write_number_with_format(r, c, *v, &percent).map(|_| ())
                    }
                    GridCell::Number(v, 2) => {
                        ws.write_number_with_format(r, c, *v, &date).map(|_| ())
                    }
                    GridCell::Number(v, _) => ws.write_number(r, c, *v).map(|_| ()),
                    GridCell::Bool(b) => ws.write_boolean(r, c, *b).map(|_| ()),
                    GridCell::Error(e) => ws.write_string(r, c, e).map(|_| ()),
                };
            }
        }
        for &(r, c, h, w) in &s.merges {
            let _ = ws.merge_range(
                r,
                c as u16,
                r + h - 1,
                (c + w - 1) as u16,
                "",
                &Format::new(),
            );
        }
    }
    wb.save_to_buffer().expect("an in-memory workbook")
}

/// Times the harness's own zip writer against rust_xlsxwriter on every grid seed (run with
/// `--release` to measure what the fuzzer sees).
#[test]
#[ignore = "a measurement: run it by hand"]
fn measure_grid_writers() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let seeds: Vec<Vec<GridSheet>> = std::fs::read_dir(root.join("fuzz/corpus/grid"))
        .expect("the grid corpus")
        .map(|e| {
            let text = std::fs::read_to_string(e.expect("an entry").path()).expect("a seed");
            harness::parse_grid(&text)
        })
        .collect();
    let rounds = 20;
    let time = |f: &dyn Fn(&[GridSheet]) -> Vec<u8>| {
        let start = std::time::Instant::now();
        let mut bytes = 0;
        for _ in 0..rounds {
            for s in &seeds {
                bytes += f(s).len();
            }
        }
        (
            start.elapsed() / (rounds * seeds.len() as u32),
            bytes / (rounds as usize * seeds.len()),
        )
    };
    let (zip, zip_bytes) = time(&|s| harness::grid_to_xlsx(s));
    let (xw, xw_bytes) = time(&|s| grid_to_xlsx_with_xlsxwriter(s));
    println!("per seed: harness zip writer {zip:?} ({zip_bytes} bytes), rust_xlsxwriter {xw:?} ({xw_bytes} bytes)");
}
