//! Writes a synthetic municipal workbook of any size, deterministic from a seed (the generator
//! of the benchmarks, `benches/synth`):
//! `cargo run --release --example sintetico -- INDICATORI [SEME] [PATH]`,
//! default seed 1 and path `sintetico-INDICATORI-SEME.xlsx`.

#[allow(dead_code)]
#[path = "../benches/synth/mod.rs"]
mod synth;

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "uso: sintetico INDICATORI [SEME] [PATH]";
    let indicators: usize = args.next().ok_or(usage)?.parse().map_err(|_| usage)?;
    let seed: u64 = match args.next() {
        Some(s) => s.parse().map_err(|_| usage)?,
        None => 1,
    };
    let path = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(format!("sintetico-{indicators}-{seed}.xlsx")));
    synth::write_table_workbook(&path, indicators, seed)?;
    println!("{}", path.display());
    Ok(())
}
