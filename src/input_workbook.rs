//! The ready-to-fill input workbook (*obiettivi.xlsx*) that `barometro init` writes next to the
//! rules: an *Istruzioni* sheet (what to write in each column, what barometro does with it,
//! the commands to run) and an *Obiettivi* sheet whose header row the reader recognises, with an
//! example objective of two indicators, a frozen header and data validation on
//! [`FILLABLE_ROWS`] rows: dropdowns for *Polarità* ([`POLARITY_WORDS`]) and *Metodo* (the rule
//! set's methods, [`RuleSet::methods`]), a number from 0 to 100 in *Peso*, a date in *Scadenza*,
//! with Italian input and error messages.
//!
//! ```
//! use barometro::rules::RuleSet;
//! use barometro::input_workbook::{input_workbook, COLUMNS};
//!
//! let rules = RuleSet::default_set()?;
//! let bytes = input_workbook(&rules, "mie-regole")?;
//! assert_eq!(&bytes[..2], b"PK"); // an XLSX (zip) file
//! assert_eq!(COLUMNS[0].0, "Area");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, ExcelDateTime, Format,
    FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use crate::rules::RuleSet;

/// The name of the workbook `barometro init` writes.
pub const FILE_NAME: &str = "obiettivi.xlsx";
/// The instructions sheet.
pub const ISTRUZIONI: &str = "Istruzioni";
/// The sheet to fill.
pub const OBIETTIVI: &str = "Obiettivi";
/// Rows below the header that carry the data validation.
pub const FILLABLE_ROWS: u32 = 500;

/// The columns of the *Obiettivi* sheet: heading (as the reader recognises it), width, and
/// what to write in it (shown in *Istruzioni*).
pub const COLUMNS: [(&str, f64, &str); 13] = [
    ("Area", 28.0, "Il settore, il servizio o l'area organizzativa a cui appartiene l'obiettivo. Gli obiettivi con la stessa area sono raggruppati e la loro media è il raggiungimento dell'area."),
    ("Codice", 10.0, "Il codice dell'obiettivo (es. OB.1). Facoltativo, ma serve a riconoscere l'obiettivo quando si confrontano due versioni del file (barometro confronta)."),
    ("Obiettivo", 40.0, "Il titolo dell'obiettivo. Un obiettivo con più indicatori occupa più righe: ripetete Area, Codice e Obiettivo su ogni riga."),
    ("Indicatore", 40.0, "Il nome dell'indicatore: una riga per indicatore."),
    ("Formula", 30.0, "Come si misura l'indicatore (testo libero). «1 = fatto 0 = non fatto» indica un indicatore fatto / non fatto."),
    ("Polarità", 16.0, "crescente (maggiore è meglio) o decrescente (minore è meglio): scegliete dall'elenco. Vuota: decide la regola polarita in indicatori.rhai."),
    ("Metodo", 22.0, "Il metodo di calcolo del raggiungimento, dall'elenco (sono i metodi delle regole, funzione metodi() in indicatori.rhai). Vuoto: lo sceglie la regola metodo."),
    ("Baseline", 12.0, "Il valore di partenza (serve al metodo baseline_target)."),
    ("Target", 12.0, "Il valore atteso: un numero, una percentuale (40%) o una data (per il metodo scadenza)."),
    ("Consuntivo", 12.0, "Il valore raggiunto, nello stesso formato del target. Vuoto: l'indicatore non è valutabile (regola consuntivo_mancante)."),
    ("Peso", 10.0, "Il peso dell'indicatore nell'obiettivo, da 0 a 100; i pesi di un obiettivo sommano a 100. L'obiettivo è la media dei raggiungimenti pesata con questi pesi."),
    ("Scadenza", 12.0, "La data entro cui l'indicatore va raggiunto (gg/mm/aaaa)."),
    ("Note", 30.0, "Annotazioni. Obbligatoria per il metodo manuale e per neutralizzare un obiettivo (scrivete «neutralizzato» e il motivo)."),
];

/// The words offered in the *Polarità* dropdown: all read by [`crate::read::parse_polarity`].
pub const POLARITY_WORDS: [&str; 4] = [
    "crescente",
    "decrescente",
    "maggiore è meglio",
    "minore è meglio",
];

/// One row of the example objective.
struct ExampleRow {
    indicator: &'static str,
    formula: &'static str,
    polarity: &'static str,
    method: &'static str,
    baseline: f64,
    target: f64,
    actual: f64,
    weight: f64,
}

/// The example objective: two indicators, one "more is better", one "less is better".
const EXAMPLE_AREA: &str = "Servizi demografici";
const EXAMPLE_CODE: &str = "OB.1";
const EXAMPLE_TITLE: &str = "Digitalizzazione dei servizi anagrafici";
const EXAMPLE: [ExampleRow; 2] = [
    ExampleRow {
        indicator: "Certificati anagrafici rilasciati online",
        formula: "certificati rilasciati online / certificati rilasciati × 100",
        polarity: "crescente",
        method: "rapporto",
        baseline: 40.0,
        target: 60.0,
        actual: 54.0,
        weight: 60.0,
    },
    ExampleRow {
        indicator: "Tempo medio di rilascio della carta d'identità elettronica (giorni)",
        formula: "media dei giorni tra la richiesta e la consegna",
        polarity: "decrescente",
        method: "minore_migliore",
        baseline: 20.0,
        target: 10.0,
        actual: 12.0,
        weight: 40.0,
    },
];

/// Builds the input workbook for a rule set. `rules_folder` is the folder the rules were
/// written to, shown in the commands of the *Istruzioni* sheet.
pub fn input_workbook(rules: &RuleSet, rules_folder: &str) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let base = Format::new().set_font_name("Calibri").set_font_size(10);
    let title = base.clone().set_bold().set_font_size(14);
    let header = base
        .clone()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border_bottom(FormatBorder::Thin);
    let wrap = base.clone().set_text_wrap().set_align(FormatAlign::Top);
    let code = base.clone().set_font_name("Consolas");

    instructions(
        wb.add_worksheet(),
        rules,
        rules_folder,
        (&title, &header, &wrap, &code),
    )?;

    let ws = wb.add_worksheet();
    ws.set_name(OBIETTIVI)?;
    for (c, (heading, width, _)) in COLUMNS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *heading, &header)?;
        ws.set_column_width(c as u16, *width)?;
    }
    ws.set_row_height(0, 30)?;
    ws.set_freeze_panes(1, 0)?;
    let date = base.clone().set_num_format("dd/mm/yyyy");
    let number = base.clone().set_num_format("#,##0.##");
    let year = chrono::Datelike::year(&chrono::Local::now().date_naive());
    let deadline = ExcelDateTime::from_ymd(u16::try_from(year).unwrap_or(2025), 12, 31)?;
    for (i, e) in EXAMPLE.iter().enumerate() {
        let r = 1 + i as u32;
        for (c, text) in [
            EXAMPLE_AREA,
            EXAMPLE_CODE,
            EXAMPLE_TITLE,
            e.indicator,
            e.formula,
            e.polarity,
            e.method,
        ]
        .iter()
        .enumerate()
        {
            ws.write_string_with_format(r, c as u16, *text, &wrap)?;
        }
        for (c, n) in [e.baseline, e.target, e.actual, e.weight]
            .iter()
            .enumerate()
        {
            ws.write_number_with_format(r, 7 + c as u16, *n, &number)?;
        }
        ws.write_datetime_with_format(r, 11, &deadline, &date)?;
        ws.write_string_with_format(
            r,
            12,
            "Esempio: sostituite queste righe con i vostri obiettivi",
            &wrap,
        )?;
    }
    // The rows to fill keep the formats of the example.
    for c in [7u16, 8, 9, 10] {
        ws.set_column_format(c, &number)?;
    }
    ws.set_column_format(11, &date)?;
    validations(ws, rules)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 0)?;
    wb.save_to_buffer()
}

/// The column index of a heading of [`COLUMNS`].
fn column(heading: &str) -> u16 {
    COLUMNS.iter().position(|c| c.0 == heading).unwrap_or(0) as u16
}

fn validations(ws: &mut Worksheet, rules: &RuleSet) -> Result<(), XlsxError> {
    let (first, last) = (1, FILLABLE_ROWS);
    let col = column("Polarità");
    let polarity = DataValidation::new()
        .allow_list_strings(&POLARITY_WORDS)?
        .set_input_title("Polarità")?
        .set_input_message("Scegliete dall'elenco: crescente (maggiore è meglio) o decrescente (minore è meglio).")?
        .set_error_title("Polarità non valida")?
        .set_error_message("Scegliete una voce dell'elenco: crescente, decrescente, maggiore è meglio, minore è meglio.")?;
    ws.add_data_validation(first, col, last, col, &polarity)?;

    let col = column("Metodo");
    let methods = rules.methods().join(", ");
    let method = DataValidation::new()
        .set_input_title("Metodo di calcolo")?
        .set_input_message(cut(
            &format!("Scegliete dall'elenco, o lasciate vuoto perché lo scelgano le regole. Metodi: {methods}."),
            255,
        ))?;
    // Excel keeps a list of at most 255 characters in the validation itself; a rule set with
    // longer method names gets the input message (and the Istruzioni sheet) without a dropdown.
    let method = match method.clone().allow_list_strings(rules.methods()) {
        Ok(list) => list
            .set_error_title("Metodo sconosciuto")?
            .set_error_message(cut(
                &format!("Il metodo deve essere uno di quelli delle regole: {methods}."),
                255,
            ))?,
        Err(_) => method.allow_any_value(),
    };
    ws.add_data_validation(first, col, last, col, &method)?;

    let col = column("Peso");
    let weight = DataValidation::new()
        .allow_decimal_number(DataValidationRule::Between(0.0, 100.0))
        .set_input_title("Peso")?
        .set_input_message("Il peso dell'indicatore nell'obiettivo, da 0 a 100 (i pesi di un obiettivo sommano a 100).")?
        .set_error_title("Peso non valido")?
        .set_error_message("Scrivete un numero da 0 a 100.")?;
    ws.add_data_validation(first, col, last, col, &weight)?;

    let col = column("Scadenza");
    let from = ExcelDateTime::from_ymd(2000, 1, 1)?;
    let to = ExcelDateTime::from_ymd(2100, 12, 31)?;
    let deadline = DataValidation::new()
        .allow_date(DataValidationRule::Between(from, to))
        .set_input_title("Scadenza")?
        .set_input_message("Una data, es. 31/12/2025.")?
        .set_error_title("Data non valida")?
        .set_error_message("Scrivete una data come 31/12/2025.")?
        .set_error_style(DataValidationErrorStyle::Stop);
    ws.add_data_validation(first, col, last, col, &deadline)?;
    Ok(())
}

/// Cuts a message to Excel's limit for validation texts.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut t: String = text.chars().take(max - 1).collect();
    t.push('…');
    t
}

fn instructions(
    ws: &mut Worksheet,
    rules: &RuleSet,
    rules_folder: &str,
    (title, header, wrap, code): (&Format, &Format, &Format, &Format),
) -> Result<(), XlsxError> {
    ws.set_name(ISTRUZIONI)?;
    ws.set_column_width(0, 18)?;
    ws.set_column_width(1, 90)?;
    ws.write_string_with_format(0, 0, "Come compilare il foglio Obiettivi", title)?;
    let intro = [
        "Scrivete una riga per ogni indicatore nel foglio «Obiettivi», sotto l'intestazione (non cambiate i titoli delle colonne). Le due righe di esempio mostrano un obiettivo con due indicatori: sostituitele con i vostri.",
        "barometro legge il foglio, calcola il raggiungimento di ogni indicatore con le regole della cartella indicata sotto, poi quello degli obiettivi (media pesata con i pesi degli indicatori), delle aree e dell'ente, e colora il barometro secondo le fasce delle regole.",
        "Le celle di Polarità e Metodo hanno un elenco a discesa; Peso accetta numeri da 0 a 100; Scadenza accetta date.",
    ];
    let mut row = 2;
    for line in intro {
        ws.merge_range(row, 0, row, 1, line, wrap)?;
        ws.set_row_height(row, 30)?;
        row += 1;
    }
    row += 1;
    ws.write_string_with_format(row, 0, "Colonna", header)?;
    ws.write_string_with_format(row, 1, "Cosa scrivere e cosa ne fa barometro", header)?;
    for (heading, _, what) in COLUMNS {
        row += 1;
        ws.write_string_with_format(row, 0, heading, wrap)?;
        ws.write_string_with_format(row, 1, what, wrap)?;
    }
    row += 2;
    ws.write_string_with_format(row, 0, "Metodi delle regole", header)?;
    ws.write_string_with_format(row, 1, rules.methods().join(", "), code)?;
    row += 2;
    ws.write_string_with_format(row, 0, "Comandi", header)?;
    let rules_folder = if rules_folder.contains(' ') {
        format!("\"{rules_folder}\"")
    } else {
        rules_folder.to_string()
    };
    let workbook = format!("{}/{FILE_NAME}", rules_folder.trim_end_matches('"'))
        + if rules_folder.starts_with('"') {
            "\""
        } else {
            ""
        };
    let commands = [
        format!("barometro check {workbook} --regole {rules_folder}"),
        format!("barometro valuta {workbook} --regole {rules_folder}"),
        format!("barometro report {workbook} -o relazione.xlsx --regole {rules_folder}"),
    ];
    let what = [
        "controlla cosa è stato letto e segnala ogni errore con la sua cella",
        "mostra i raggiungimenti e il barometro",
        "scrive la relazione con formule vive, barometri e anomalie",
    ];
    for (command, what) in commands.iter().zip(what) {
        ws.write_string_with_format(row, 1, command, code)?;
        row += 1;
        ws.write_string_with_format(row, 1, what, wrap)?;
        row += 1;
    }
    Ok(())
}
