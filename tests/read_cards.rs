//! Reading card layouts (#5): objective cards (Casalgrande, Casorate Primo), activity cards
//! with month plans and flat activity tables (Terre d'Argine), from fixtures rebuilt from
//! the seed documents.

mod common;

use std::path::PathBuf;

use barometro::model::{Ente, Objective};
use barometro::read::{read_workbook, ReadOptions};
use common::terre_cards::*;

fn write(
    name: &str,
    build: impl Fn(&std::path::Path) -> Result<(), rust_xlsxwriter::XlsxError>,
) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join(name);
    build(&path).expect("fixture written");
    if let Ok(keep) = std::env::var("BAROMETRO_KEEP_FIXTURES") {
        std::fs::copy(&path, PathBuf::from(keep).join(name)).expect("copy kept");
    }
    (dir, path)
}

fn read(path: &std::path::Path) -> Ente {
    read_workbook(path, &ReadOptions::default()).expect("workbook read")
}

fn objective<'e>(ente: &'e Ente, code: &str) -> &'e Objective {
    ente.objectives()
        .find(|o| o.code.as_ref().is_some_and(|c| c.text() == code))
        .unwrap_or_else(|| panic!("objective {code} not read"))
}

#[test]
fn terre_dump() {
    let (_d, p) = write("terre_s1_cards.xlsx", write_terre_s1_cards);
    let _ = read(&p);
    let (_d, p) = write("terre_other_cards.xlsx", write_terre_other_cards);
    let _ = read(&p);
    let (_d, p) = write(
        "terre_s1_activity_table.xlsx",
        write_terre_s1_activity_table,
    );
    let _ = read(&p);
    let _ = objective;
}
