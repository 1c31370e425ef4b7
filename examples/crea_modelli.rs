//! Writes the shipped Excel templates: `cargo run --example crea_modelli [-- CARTELLA]`,
//! default `templates/`. Today: `cremona/modello.xlsx`, Cremona's report layout — one sheet per
//! strategic line (`{{area.nome}}`), the line's heading, the banner
//! `% Raggiungimento obiettivi per area strategica` with the line's achievement, and the 13
//! columns with one row per indicator.

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{
    ConditionalFormat3ColorScale, ConditionalFormatIconSet, ConditionalFormatIconType,
    ConditionalFormatType, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder,
    Workbook, XlsxError,
};

/// The 13 headings of Cremona's table and what fills each column.
const CREMONA_COLUMNS: [(&str, &str, f64); 13] = [
    ("Settore", "{{settore.nome}}", 30.0),
    ("Obiettivo", "{{obiettivo.titolo}}", 40.0),
    ("Definizione", "{{obiettivo.descrizione}}", 60.0),
    ("Indicatore", "{{indicatore.nome}}", 36.0),
    ("Formula", "{{indicatore.formula}}", 36.0),
    ("Finalità", "{{indicatore.finalita}}", 36.0),
    ("Target atteso", "{{indicatore.target}}", 11.0),
    ("Target Consuntivo", "{{indicatore.consuntivo}}", 11.0),
    ("Scostamento", "{{indicatore.scostamento}}", 11.0),
    ("Note", "{{indicatore.nota}}", 30.0),
    ("Peso", "{{indicatore.peso}}", 8.0),
    ("% Ragg", "{{indicatore.raggiungimento}}", 8.0),
    ("Barometro", "{{indicatore.barometro}}", 22.0),
];

fn cremona(path: &Path) -> Result<(), XlsxError> {
    let mut wb = Workbook::new();
    // Fixed properties: the file is the same at every run.
    wb.set_properties(
        &DocProperties::new()
            .set_title("Modello Cremona: stato di attuazione degli obiettivi")
            .set_author("barometro")
            .set_creation_datetime(&ExcelDateTime::from_ymd(2026, 1, 1)?),
    );
    let base = Format::new().set_font_name("Calibri").set_font_size(10);
    let title = base
        .clone()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    let heading = base
        .clone()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center)
        .set_background_color(0xDDEBF7);
    let banner = base
        .clone()
        .set_bold()
        .set_font_size(16)
        .set_num_format("0.00\"%\"");
    let header = base
        .clone()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(0xBDD7EE)
        .set_border(FormatBorder::Thin);
    let cell = base
        .clone()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin);
    let number = cell.clone().set_num_format("#,##0.##");
    let score = cell.clone().set_num_format("0").set_bold();

    let ws = wb.add_worksheet();
    ws.set_name("{{area.foglio}}")?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.merge_range(0, 0, 0, 12, "{{ente}}", &title)?;
    ws.write_string_with_format(1, 0, "Relazione sulla Performance {{anno}}", &base)?;
    ws.merge_range(2, 0, 2, 12, "{{area.nome}}", &heading)?;
    ws.write_string_with_format(
        3,
        0,
        "% Raggiungimento obiettivi per area strategica",
        &base,
    )?;
    ws.write_string_with_format(4, 0, "{{area.raggiungimento}}", &banner)?;
    ws.write_string_with_format(4, 1, "{{area.barometro}}", &base.clone().set_bold())?;
    for (c, (head, placeholder, width)) in CREMONA_COLUMNS.iter().enumerate() {
        let c = c as u16;
        ws.set_column_width(c, *width)?;
        ws.write_string_with_format(6, c, *head, &header)?;
        let format = match c {
            6..=10 => &number,
            11 => &score,
            _ => &cell,
        };
        ws.write_string_with_format(7, c, *placeholder, format)?;
    }
    ws.set_row_height(6, 30)?;
    ws.set_repeat_rows(6, 6)?;
    ws.set_freeze_panes(7, 0)?;
    // The barometer: traffic lights on % Ragg (the default bands, 90 and 70) and a colour
    // scale on the weights. They grow with the indicator rows.
    let lights = ConditionalFormatIconSet::new()
        .set_icon_type(ConditionalFormatIconType::ThreeTrafficLights)
        .set_icons(&[
            rust_xlsxwriter::ConditionalFormatCustomIcon::new(),
            rust_xlsxwriter::ConditionalFormatCustomIcon::new()
                .set_rule(ConditionalFormatType::Number, 70),
            rust_xlsxwriter::ConditionalFormatCustomIcon::new()
                .set_rule(ConditionalFormatType::Number, 90),
        ]);
    ws.add_conditional_format(7, 11, 7, 11, &lights)?;
    ws.add_conditional_format(7, 10, 7, 10, &ConditionalFormat3ColorScale::new())?;
    ws.set_footer("&L{{ente}}&CPagina &P di &N&R&A");
    wb.save(path)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("templates"));
    let path = dir.join("cremona/modello.xlsx");
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    cremona(&path)?;
    println!("{}", path.display());
    Ok(())
}
