//! Writes a demo workbook in the Cremona layout (one sheet per strategic line, banners, merged
//! cells, repeated headers): `cargo run --example crea_demo [-- PATH]`, default
//! `examples/demo.xlsx`.

#[path = "../tests/common/fixtures.rs"]
mod fixtures;

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/demo.xlsx"));
    fixtures::write_cremona(&path)?;
    println!("{}", path.display());
    Ok(())
}
