//! Argument parsing (Italian help and messages) and dispatch to the commands.

mod batch;
mod check;
mod compare;
mod explain;
mod fill;
mod init;
mod report;
mod score;

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
    /// Calcola i raggiungimenti con le regole e mostra il barometro di aree e obiettivi
    #[command(
        name = "valuta",
        alias = "score",
        help_template = SUBCOMMAND_TEMPLATE,
        override_usage = "barometro valuta [OPZIONI] <FILE.xlsx>",
        next_help_heading = "Opzioni"
    )]
    Score(ScoreArgs),
    /// Spiega come è stato ottenuto ogni numero di un obiettivo
    #[command(
        name = "spiega",
        alias = "explain",
        help_template = SUBCOMMAND_TEMPLATE,
        override_usage = "barometro spiega [OPZIONI] <FILE.xlsx> --obiettivo CODICE",
        next_help_heading = "Opzioni"
    )]
    Explain(ExplainArgs),
    /// Scrive le regole in una cartella, per modificarle
    #[command(
        name = "init",
        alias = "nuovo",
        help_template = SUBCOMMAND_TEMPLATE,
        override_usage = "barometro init [OPZIONI] <CARTELLA>",
        next_help_heading = "Opzioni"
    )]
    Init(InitArgs),
    /// Scrive la relazione XLSX: formule vive verificate, barometri, sintesi, anomalie, regole
    #[command(
        name = "report",
        alias = "relazione",
        help_template = SUBCOMMAND_TEMPLATE,
        override_usage = "barometro report [OPZIONI] <FILE.xlsx> -o <RELAZIONE.xlsx>",
        next_help_heading = "Opzioni"
    )]
    Report(ReportArgs),
    /// Compila una copia della cartella di lavoro dell'ente: % raggiungimento e barometro
    /// nelle celle vuote, formule vive verificate, foglio Anomalie
    #[command(
        name = "fill",
        alias = "compila",
        help_template = SUBCOMMAND_TEMPLATE,
        override_usage = "barometro fill [OPZIONI] <FILE.xlsx> -o <COMPILATO.xlsx>",
        next_help_heading = "Opzioni"
    )]
    Fill(FillArgs),
    /// Confronta due date di monitoraggio, due file dello stesso piano o due insiemi di regole
    #[command(
        name = "compare",
        alias = "confronta",
        help_template = SUBCOMMAND_TEMPLATE,
        override_usage = "barometro confronta [OPZIONI] <A.xlsx> [B.xlsx] [-o CONFRONTO.xlsx]",
        next_help_heading = "Opzioni"
    )]
    Compare(CompareArgs),
    /// Scrive la relazione di ogni cartella di lavoro di una cartella e un consolidato
    #[command(
        name = "batch",
        alias = "lotto",
        help_template = SUBCOMMAND_TEMPLATE,
        override_usage = "barometro batch [OPZIONI] <CARTELLA> -o <CARTELLA_RELAZIONI>",
        next_help_heading = "Opzioni"
    )]
    Batch(BatchArgs),
}

#[derive(Args, Debug)]
pub struct FillArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    rules: RulesArgs,
    /// La copia compilata da scrivere (.xlsx); l'originale non viene mai modificato
    #[arg(
        short = 'o',
        long = "output",
        alias = "uscita",
        value_name = "COMPILATO.xlsx"
    )]
    output: PathBuf,
    /// Non ricalcola le formule con il motore indipendente (più veloce, nessuna prova)
    #[arg(long = "no-verify", alias = "senza-verifica")]
    no_verify: bool,
    /// Sostituisce la copia compilata se esiste già
    #[arg(long = "force", alias = "sovrascrivi")]
    force: bool,
}

#[derive(Args, Debug)]
pub struct CompareArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Il secondo file (dopo, B); senza, il confronto è sul primo file con --regole-b o --al-b
    #[arg(value_name = "B.xlsx", help_heading = "Argomenti")]
    dopo: Option<PathBuf>,
    #[command(flatten)]
    rules: RulesArgs,
    /// Le regole del lato B (dopo): una cartella o regole incorporate; senza, quelle di --regole
    #[arg(long = "regole-b", alias = "rules-b", value_name = "CARTELLA")]
    regole_b: Option<String>,
    /// La data di monitoraggio del lato B (dopo); senza, quella di --al
    #[arg(long = "al-b", alias = "at-b", value_name = "DATA", value_parser = parse_date_arg)]
    al_b: Option<chrono::NaiveDate>,
    /// Il file del confronto da scrivere (.xlsx)
    #[arg(
        short = 'o',
        long = "output",
        alias = "uscita",
        value_name = "CONFRONTO.xlsx"
    )]
    output: Option<PathBuf>,
    /// Stampa il confronto in JSON invece della tabella
    #[arg(long)]
    json: bool,
    /// Non ricalcola le formule con il motore indipendente
    #[arg(long = "no-verify", alias = "senza-verifica")]
    no_verify: bool,
    /// Sostituisce il file del confronto se esiste già
    #[arg(long = "force", alias = "sovrascrivi")]
    force: bool,
}

#[derive(Args, Debug)]
pub struct BatchArgs {
    /// La cartella con le cartelle di lavoro .xlsx / .xlsm
    #[arg(value_name = "CARTELLA", help_heading = "Argomenti")]
    cartella: PathBuf,
    /// La cartella in cui scrivere le relazioni e consolidato.xlsx (viene creata)
    #[arg(
        short = 'o',
        long = "output",
        alias = "uscita",
        value_name = "CARTELLA_RELAZIONI"
    )]
    output: PathBuf,
    #[command(flatten)]
    rules: RulesArgs,
    #[command(flatten)]
    read: ReadArgs,
    /// Cerca le cartelle di lavoro anche nelle sottocartelle
    #[arg(long = "ricorsivo", alias = "recursive")]
    ricorsivo: bool,
    /// Quanti file elaborare in parallelo (predefinito: i processori disponibili)
    #[arg(
        short = 'j',
        long = "jobs",
        alias = "processi",
        value_name = "N",
        value_parser = clap::value_parser!(u16).range(1..)
    )]
    jobs: Option<u16>,
    /// Non ricalcola le formule con il motore indipendente (più veloce, nessuna prova)
    #[arg(long = "no-verify", alias = "senza-verifica")]
    no_verify: bool,
    /// Il modello delle relazioni: predefinito, cremona, una cartella con modello.toml o
    /// modello.xlsx, un file .toml o .xlsx
    #[arg(
        long = "modello",
        alias = "template",
        value_name = "MODELLO",
        default_value = "predefinito"
    )]
    modello: String,
    /// Sostituisce le relazioni e il consolidato se esistono già
    #[arg(long = "force", alias = "sovrascrivi")]
    force: bool,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    rules: RulesArgs,
    /// Il file della relazione da scrivere (.xlsx)
    #[arg(
        short = 'o',
        long = "output",
        alias = "uscita",
        value_name = "RELAZIONE.xlsx"
    )]
    output: PathBuf,
    /// Scrive anche il modello valutato in JSON in questo file
    #[arg(long = "json", value_name = "FILE.json")]
    json: Option<PathBuf>,
    /// Non ricalcola le formule con il motore indipendente (più veloce, nessuna prova)
    #[arg(long = "no-verify", alias = "senza-verifica")]
    no_verify: bool,
    /// Il modello della relazione: predefinito, cremona, una cartella con modello.toml o
    /// modello.xlsx, un file .toml o .xlsx
    #[arg(
        long = "modello",
        alias = "template",
        value_name = "MODELLO",
        default_value = "predefinito"
    )]
    modello: String,
    /// Sostituisce la relazione (e il JSON) se esistono già
    #[arg(long = "force", alias = "sovrascrivi")]
    force: bool,
}

/// Options of every command that applies the rules.
#[derive(Args, Debug, Clone)]
pub struct RulesArgs {
    /// Le regole da usare: una cartella di file .rhai, oppure il nome di regole incorporate
    /// (predefinite, somma-pesata)
    #[arg(long = "regole", alias = "rules", value_name = "CARTELLA")]
    pub regole: Option<String>,
    /// Data di monitoraggio per l'atteso delle attività (es. 2024-07-31 o 31/07/2024)
    #[arg(long = "al", alias = "at", value_name = "DATA", value_parser = parse_date_arg)]
    pub al: Option<chrono::NaiveDate>,
    /// Se una regola va in errore: continua (quel valore manca e l'errore è tra le
    /// segnalazioni) oppure ferma (esce con stato 2 senza scrivere nulla)
    #[arg(
        long = "errori-regole",
        alias = "on-rule-error",
        value_name = "continua|ferma",
        default_value = "continua",
        value_parser = parse_on_rule_error
    )]
    pub errori_regole: barometro::rules::OnRuleError,
}

impl RulesArgs {
    /// The options of a run with these arguments.
    pub fn evaluate_options(&self) -> barometro::rules::EvaluateOptions {
        barometro::rules::EvaluateOptions {
            at: self.al,
            on_rule_error: self.errori_regole,
            ..Default::default()
        }
    }
}

fn parse_on_rule_error(s: &str) -> Result<barometro::rules::OnRuleError, String> {
    barometro::rules::OnRuleError::from_word(s)
        .ok_or_else(|| format!("valore non valido «{s}»: scrivete continua oppure ferma"))
}

/// The message of a run stopped at its first rule error (`--errori-regole ferma`).
pub fn stopped_message(file: &std::path::Path, finding: &barometro::model::Finding) -> String {
    barometro::report::ReportError::RuleStopped {
        path: file.to_path_buf(),
        finding: finding.clone(),
    }
    .to_string()
}

/// `2024-07-31` or `31/07/2024`.
fn parse_date_arg(s: &str) -> Result<chrono::NaiveDate, String> {
    let s = s.trim();
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| chrono::NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .map_err(|_| format!("data non valida «{s}»: scrivete 2024-07-31 oppure 31/07/2024"))
}

#[derive(Args, Debug)]
pub struct ScoreArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    rules: RulesArgs,
    /// Stampa i risultati in JSON invece del riepilogo
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
pub struct ExplainArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    rules: RulesArgs,
    /// L'obiettivo da spiegare: codice (S1.00002), titolo o parte del titolo, o cella
    #[arg(
        long = "obiettivo",
        alias = "objective",
        value_name = "CODICE",
        required = true
    )]
    obiettivo: String,
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// La cartella in cui scrivere le regole (viene creata)
    #[arg(value_name = "CARTELLA", help_heading = "Argomenti")]
    cartella: PathBuf,
    /// Le regole incorporate da copiare (predefinite, somma-pesata)
    #[arg(
        long = "da",
        alias = "from",
        value_name = "NOME",
        default_value = "predefinite"
    )]
    da: String,
}

/// Options shared by every command that reads a workbook.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// La cartella di lavoro .xlsx da leggere
    #[arg(value_name = "FILE.xlsx", help_heading = "Argomenti")]
    pub input: PathBuf,
    /// Nome dell'ente, se il file non lo riporta
    #[arg(long = "ente", value_name = "NOME")]
    pub ente: Option<String>,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// How to read every workbook: the options `batch` shares with the single-file commands.
#[derive(Args, Debug, Clone)]
pub struct ReadArgs {
    /// Mappa delle intestazioni non riconosciute (file TOML con una sezione [colonne])
    #[arg(long = "mappa", alias = "map", value_name = "FILE.toml")]
    pub mappa: Option<PathBuf>,
    /// Legge anche i fogli nascosti
    #[arg(long = "fogli-nascosti", alias = "hidden-sheets")]
    pub fogli_nascosti: bool,
    /// Impaginazione dei fogli: auto (decide foglio per foglio), tabella, schede, attivita
    #[arg(
        long = "layout",
        alias = "impaginazione",
        value_name = "TIPO",
        default_value = "auto"
    )]
    pub layout: String,
    /// Anno di riferimento di un piano con una riga per anno (gli altri sono anni di piano);
    /// senza, il primo anno del piano
    #[arg(long = "anno", alias = "year", value_name = "AAAA")]
    pub anno: Option<i32>,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    rules: RulesArgs,
    /// Stampa il modello letto in JSON (con tutte le segnalazioni) invece del riepilogo
    #[arg(long)]
    json: bool,
    /// Solo i controlli di lettura, senza applicare le regole
    #[arg(long = "solo-lettura", alias = "read-only")]
    solo_lettura: bool,
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
        Command::Check(args) => check::run(&args.input, &args.rules, args.json, args.solo_lettura),
        Command::Score(args) => score::run(&args.input, &args.rules, args.json),
        Command::Explain(args) => explain::run(&args.input, &args.rules, &args.obiettivo),
        Command::Init(args) => init::run(&args.cartella, &args.da),
        Command::Report(args) => report::run(&args),
        Command::Fill(args) => fill::run(&args),
        Command::Compare(args) => compare::run(&args),
        Command::Batch(args) => batch::run(&args),
    }
}
