//! Writes a synthetic municipal workbook of any size, deterministic from a seed (the generator
//! of the benchmarks, `benches/synth`):
//!
//! ```text
//! cargo run --release --example sintetico -- DIMENSIONE [SEME] [PATH] [--layout L]
//! ```
//!
//! `L` is `tabella` (the default: Cremona's results table), `schede` (Casalgrande's objective
//! cards), `attivita` (Terre d'Argine's activity cards) or `attivita-tabella` (the same
//! activities as a flat table). `DIMENSIONE` counts indicators, or activities for the last two;
//! default seed 1, default path `sintetico-DIMENSIONE-SEME.xlsx` (with the layout in the name
//! but for `tabella`). `--layout` may come anywhere, also as
//! `--layout=schede`. It prints the path and what the workbook holds.

#[allow(dead_code)]
#[path = "../benches/synth/mod.rs"]
mod synth;

use std::path::PathBuf;

use synth::Layout;

const USAGE: &str = "uso: sintetico DIMENSIONE [SEME] [PATH] [--layout tabella|schede|attivita]";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut layout = Layout::Tabella;
    let mut positional = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let word = if arg == "--layout" {
            Some(args.next().ok_or(USAGE)?)
        } else {
            arg.strip_prefix("--layout=").map(str::to_string)
        };
        match word {
            Some(w) => layout = Layout::from_word(&w).ok_or(USAGE)?,
            None if arg.starts_with("--") => return Err(USAGE.into()),
            None => positional.push(arg),
        }
    }
    let mut positional = positional.into_iter();
    let size: usize = positional.next().ok_or(USAGE)?.parse().map_err(|_| USAGE)?;
    let seed: u64 = match positional.next() {
        Some(s) => s.parse().map_err(|_| USAGE)?,
        None => 1,
    };
    let path = positional.next().map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(match layout {
            Layout::Tabella => format!("sintetico-{size}-{seed}.xlsx"),
            _ => format!("sintetico-{}-{size}-{seed}.xlsx", layout.word()),
        })
    });
    if positional.next().is_some() {
        return Err(USAGE.into());
    }
    let g = synth::write_workbook(&path, layout, size, seed)?;
    println!("{}", path.display());
    eprintln!(
        "{}: {} aree, {} obiettivi, {} indicatori, {} attività, {} celle segnalate apposta (errori, avvisi, righe spezzate); metodi {:?}",
        layout.word(),
        g.areas,
        g.objectives,
        g.indicators,
        g.activities,
        g.planted.len(),
        g.methods
    );
    Ok(())
}
