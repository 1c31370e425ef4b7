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
