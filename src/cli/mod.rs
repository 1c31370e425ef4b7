//! Argument parsing (Italian help and messages) and dispatch to the commands.

mod check;

use std::ffi::OsString;
use std::path::PathBuf;

use clap::error::ErrorKind;
use clap::{ArgAction, Args, Parser, Subcommand};

/// Exit status: clean, or warnings only.
pub const EXIT_OK: i32 = 0;
/// Exit status: errors in the data.
pub const EXIT_DATA_ERRORS: i32 = 1;
/// Exit status: unreadable input or wrong usage.
pub const EXIT_UNREADABLE: i32 = 2;

const HELP_TEMPLATE: &str = "\
{before-help}{name} {version}
{about}

Uso: {usage}

{all-args}{after-help}";

const SUBCOMMAND_TEMPLATE: &str = "\
{before-help}{about}

Uso: {usage}

{all-args}{after-help}";

#[derive(Parser, Debug)]
#[command(
    name = "barometro",
    version,
    about = "Legge i fogli Excel degli obiettivi di performance (PIAO) e li verifica.",
    help_template = HELP_TEMPLATE,
    override_usage = "barometro <COMANDO> [OPZIONI]",
    subcommand_help_heading = "Comandi",
    subcommand_value_name = "COMANDO",
    next_help_heading = "Opzioni",
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Mostra questo aiuto
    #[arg(short = 'h', long = "help", action = ArgAction::Help, global = true)]
    help: Option<bool>,
    /// Mostra la versione
    #[arg(short = 'V', long = "version", action = ArgAction::Version)]
    version: Option<bool>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Legge una cartella di lavoro e mostra cosa è stato letto e ogni segnalazione
    #[command(
        alias = "verifica",
        help_template = SUBCOMMAND_TEMPLATE,
        override_usage = "barometro check [OPZIONI] <FILE.xlsx>",
        next_help_heading = "Opzioni"
    )]
    Check(CheckArgs),
}

/// Options shared by every command that reads a workbook.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// La cartella di lavoro .xlsx da leggere
    #[arg(value_name = "FILE.xlsx", help_heading = "Argomenti")]
    pub input: PathBuf,
    /// Mappa delle intestazioni non riconosciute (file TOML con una sezione [colonne])
    #[arg(long = "mappa", alias = "map", value_name = "FILE.toml")]
    pub mappa: Option<PathBuf>,
    /// Nome dell'ente, se il file non lo riporta
    #[arg(long = "ente", value_name = "NOME")]
    pub ente: Option<String>,
    /// Legge anche i fogli nascosti
    #[arg(long = "fogli-nascosti", alias = "hidden-sheets")]
    pub fogli_nascosti: bool,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Stampa il modello letto in JSON invece del riepilogo
    #[arg(long)]
    json: bool,
}

/// Translates clap's usage errors into Italian.
fn usage_error(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue};
    if let Some(ContextValue::Strings(args)) = e.get(ContextKind::InvalidArg) {
        if e.kind() == ErrorKind::MissingRequiredArgument {
            return format!(
                "errore: manca un argomento obbligatorio: {}\nPer l'aiuto: barometro --help",
                args.join(", ")
            );
        }
    }
    let detail = e
        .to_string()
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ")
        .to_string();
    let what = match e.kind() {
        ErrorKind::UnknownArgument => "argomento sconosciuto",
        ErrorKind::InvalidSubcommand => "comando sconosciuto",
        ErrorKind::MissingRequiredArgument => "manca un argomento obbligatorio",
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "manca il comando (per esempio: barometro check FILE.xlsx)"
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => "valore non valido",
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues => "numero di valori errato",
        _ => "uso non corretto",
    };
    format!("errore: {what} ({detail})\nPer l'aiuto: barometro --help")
}

/// Writes to standard output; a closed pipe (`barometro check … | head`) is not an error.
pub fn print_stdout(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
}

/// Parses the arguments, runs the command and returns the exit status.
pub fn run() -> i32 {
    run_with(std::env::args_os())
}

fn run_with<I: IntoIterator<Item = OsString>>(args: I) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            return match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                    let _ = e.print();
                    EXIT_OK
                }
                _ => {
                    eprintln!("{}", usage_error(&e));
                    EXIT_UNREADABLE
                }
            }
        }
    };
    match cli.command {
        Command::Check(args) => check::run(&args.input, args.json),
    }
}
