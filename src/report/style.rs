//! Cell formats and the barometer's conditional formats, built from the rules' bands.

use rust_xlsxwriter::{
    Color, ConditionalFormatBlank, ConditionalFormatCell, ConditionalFormatCellRule,
    ConditionalFormatCustomIcon, ConditionalFormatDataBar, ConditionalFormatIconSet,
    ConditionalFormatIconType, ConditionalFormatType, Format, FormatAlign, FormatBorder, Worksheet,
    XlsxError,
};

use crate::rules::Bands;

/// The formats every sheet uses.
pub struct Formats {
    pub title: Format,
    pub subtitle: Format,
    pub header: Format,
    pub text: Format,
    pub wrap: Format,
    pub general: Format,
    pub score: Format,
    pub weight: Format,
    pub date: Format,
    pub label: Format,
    pub total_label: Format,
    pub total_score: Format,
    pub hash: Format,
}

impl Formats {
    pub fn new() -> Formats {
        let base = Format::new().set_font_name("Calibri").set_font_size(10);
        Formats {
            title: base.clone().set_bold().set_font_size(14),
            subtitle: base
                .clone()
                .set_italic()
                .set_font_color(Color::RGB(0x595959)),
            header: base
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0xDDEBF7))
                .set_border_bottom(FormatBorder::Thin),
            text: base.clone().set_align(FormatAlign::Top),
            wrap: base.clone().set_text_wrap().set_align(FormatAlign::Top),
            general: base.clone().set_align(FormatAlign::Top),
            // Italian Excel shows these with a decimal comma and a thousands dot.
            score: base
                .clone()
                .set_num_format("0.00")
                .set_align(FormatAlign::Top),
            weight: base
                .clone()
                .set_num_format("#,##0.00")
                .set_align(FormatAlign::Top),
            date: base
                .clone()
                .set_num_format("dd/mm/yyyy")
                .set_align(FormatAlign::Top),
            label: base.clone().set_align(FormatAlign::Top),
            total_label: base.clone().set_bold().set_border_top(FormatBorder::Thin),
            total_score: base
                .clone()
                .set_bold()
                .set_num_format("0.00")
                .set_border_top(FormatBorder::Thin),
            hash: base.set_font_name("Consolas"),
        }
    }
}

/// `#RRGGBB` → a colour (grey when the rules wrote something else; the set checks colours).
pub fn colour(hex: &str) -> Color {
    u32::from_str_radix(hex.trim_start_matches('#'), 16)
        .map(Color::RGB)
        .unwrap_or(Color::RGB(0xBFBFBF))
}

/// The barometer on a column of achievements: grey for blanks (no score), one fill per band,
/// and a traffic-light icon set with the bands' thresholds (three or four bands).
///
/// Only the blank rule stops the others (no icon on a cell with no score). The band fills do
/// not: where two are true the higher band's, added first, wins, and the icon set still shows.
pub fn barometer(
    ws: &mut Worksheet,
    bands: &Bands,
    first: u32,
    last: u32,
    col: u16,
) -> Result<(), XlsxError> {
    if last < first {
        return Ok(());
    }
    let blank = ConditionalFormatBlank::new()
        .set_format(Format::new().set_background_color(colour(&bands.no_score.colour)))
        .set_stop_if_true(true);
    ws.add_conditional_format(first, col, last, col, &blank)?;
    for band in &bands.bands {
        let fill = ConditionalFormatCell::new()
            .set_rule(ConditionalFormatCellRule::GreaterThanOrEqualTo(band.from))
            .set_format(Format::new().set_background_color(colour(&band.colour)));
        ws.add_conditional_format(first, col, last, col, &fill)?;
    }
    if let Some(icons) = icon_set(bands) {
        ws.add_conditional_format(first, col, last, col, &icons)?;
    }
    Ok(())
}

/// Traffic lights whose thresholds are the bands' (highest band green).
pub fn icon_set(bands: &Bands) -> Option<ConditionalFormatIconSet> {
    let kind = match bands.bands.len() {
        3 => ConditionalFormatIconType::ThreeTrafficLights,
        4 => ConditionalFormatIconType::FourTrafficLights,
        _ => return None,
    };
    // Icons go from the lowest band up; the first rule is always ">= 0 %".
    let mut icons = vec![ConditionalFormatCustomIcon::new()];
    for band in bands.bands.iter().rev().skip(1) {
        icons.push(
            ConditionalFormatCustomIcon::new().set_rule(ConditionalFormatType::Number, band.from),
        );
    }
    Some(
        ConditionalFormatIconSet::new()
            .set_icon_type(kind)
            .set_icons(&icons),
    )
}

/// Fills the barometer labels with their band's colour.
pub fn label_fills(
    ws: &mut Worksheet,
    bands: &Bands,
    first: u32,
    last: u32,
    col: u16,
) -> Result<(), XlsxError> {
    if last < first {
        return Ok(());
    }
    for band in bands.bands.iter().chain(std::iter::once(&bands.no_score)) {
        let fill = ConditionalFormatCell::new()
            .set_rule(ConditionalFormatCellRule::EqualTo(format!(
                "\"{}\"",
                band.label.replace('"', "\"\"")
            )))
            .set_format(Format::new().set_background_color(colour(&band.colour)));
        ws.add_conditional_format(first, col, last, col, &fill)?;
    }
    Ok(())
}

/// Data bars from 0 to 100 (the Sintesi areas).
pub fn data_bars(ws: &mut Worksheet, first: u32, last: u32, col: u16) -> Result<(), XlsxError> {
    if last < first {
        return Ok(());
    }
    let bars = ConditionalFormatDataBar::new()
        .set_minimum(ConditionalFormatType::Number, 0)
        .set_maximum(ConditionalFormatType::Number, 100)
        .set_fill_color(Color::RGB(0x5B9BD5));
    ws.add_conditional_format(first, col, last, col, &bars)?;
    Ok(())
}

/// The barometer label formula, built once per report and completed per row with the cell.
pub struct LabelFormula {
    /// The formula split where the cell goes.
    pieces: Vec<String>,
}

impl LabelFormula {
    pub fn new(bands: &Bands) -> LabelFormula {
        const MARK: &str = "\u{1}";
        LabelFormula {
            pieces: label_formula(bands, MARK)
                .split(MARK)
                .map(String::from)
                .collect(),
        }
    }

    /// The formula for the score in `cell`.
    pub fn render(&self, cell: &str) -> String {
        let len =
            self.pieces.iter().map(String::len).sum::<usize>() + cell.len() * self.pieces.len();
        let mut out = String::with_capacity(len);
        for (i, piece) in self.pieces.iter().enumerate() {
            if i > 0 {
                out.push_str(cell);
            }
            out.push_str(piece);
        }
        out
    }
}

/// The barometer label of the score in `cell`, as a formula over the rules' bands, the score
/// rounded as [`Bands::band_of`] rounds it:
/// `=IF(ISNUMBER(X5),IF(ROUND(X5,9)>=90,"Raggiunto",IF(ROUND(X5,9)>=70,…)),"Non valutabile")`.
pub fn label_formula(bands: &Bands, cell: &str) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let none = quote(&bands.no_score.label);
    let mut inner = none.clone();
    for band in bands.bands.iter().rev() {
        inner = format!(
            "IF(ROUND({cell},{})>={},{},{inner})",
            Bands::DECIMALS,
            number_text(band.from),
            quote(&band.label)
        );
    }
    format!("=IF(ISNUMBER({cell}),{inner},{none})")
}

/// A number as formula text and as a cached result: the shortest text that reads back as the
/// same `f64`.
pub fn number_text(n: f64) -> String {
    if n == n.trunc() && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}
