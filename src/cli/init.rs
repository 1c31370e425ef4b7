//! `barometro init CARTELLA` (alias `nuovo`): writes an embedded rule set out for editing, the
//! ready-to-fill input workbook (`obiettivi.xlsx`, [`barometro::input_workbook`]) and the
//! shipped report templates (`modelli/`), for the office to change.

use std::path::Path;

use barometro::input_workbook;
use barometro::report::{write_atomically, CREMONA_TEMPLATE, DEFAULT_TEMPLATE_TOML};
use barometro::rules::{RuleSet, BUILTIN_SETS};

use super::{EXIT_OK, EXIT_UNREADABLE};

/// The folder, inside the one `init` writes, of the report templates.
const TEMPLATES_DIR: &str = "modelli";

pub fn run(dir: &Path, from: &str) -> i32 {
    let set = match RuleSet::builtin(from) {
        Some(Ok(set)) => set,
        Some(Err(e)) => {
            eprintln!("errore: nelle regole incorporate: {e}");
            return EXIT_UNREADABLE;
        }
        None => {
            eprintln!(
                "errore: non ci sono regole incorporate «{from}»; scegliete tra: {}",
                BUILTIN_SETS.join(", ")
            );
            return EXIT_UNREADABLE;
        }
    };
    // Refused before anything is written, like the rule files.
    let workbook_path = dir.join(input_workbook::FILE_NAME);
    if workbook_path.exists() {
        eprintln!(
            "errore: {} esiste già; scegliete un'altra cartella o spostatelo",
            workbook_path.display()
        );
        return EXIT_UNREADABLE;
    }
    let templates = dir.join(TEMPLATES_DIR);
    if templates.exists() {
        eprintln!(
            "errore: {} esiste già; scegliete un'altra cartella o spostatela",
            templates.display()
        );
        return EXIT_UNREADABLE;
    }
    let workbook = match input_workbook::input_workbook(&set, &dir.display().to_string()) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!(
                "errore: impossibile comporre {}: {e}",
                input_workbook::FILE_NAME
            );
            return EXIT_UNREADABLE;
        }
    };
    match set.write_to(dir) {
        Ok(paths) => {
            if let Err(e) = write_atomically(&workbook_path, &workbook, None, false) {
                eprintln!("errore: {e}");
                return EXIT_UNREADABLE;
            }
            let default_dir = templates.join("predefinito");
            let written = std::fs::create_dir_all(&default_dir)
                .map_err(|e| format!("{}: {e}", default_dir.display()))
                .and_then(|()| {
                    write_atomically(
                        &default_dir.join("modello.toml"),
                        DEFAULT_TEMPLATE_TOML.as_bytes(),
                        None,
                        false,
                    )
                    .map_err(|e| e.to_string())
                })
                .and_then(|()| {
                    write_atomically(
                        &templates.join("cremona.xlsx"),
                        CREMONA_TEMPLATE,
                        None,
                        false,
                    )
                    .map_err(|e| e.to_string())
                });
            if let Err(e) = written {
                eprintln!("errore: {e}");
                return EXIT_UNREADABLE;
            }
            let mut text = format!("Regole «{}» scritte in {}:\n", set.name(), dir.display());
            for p in paths {
                let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
                text.push_str(&format!("  {}\n", name.unwrap_or_default()));
            }
            text.push_str(&format!(
                "Modificatele con un editor di testo e usatele con: barometro valuta FILE.xlsx --regole {}\n",
                dir.display()
            ));
            text.push_str(&format!(
                "Cartella di lavoro da compilare: {} (istruzioni nel foglio «{}»); poi: barometro valuta {} --regole {}\n",
                workbook_path.display(),
                input_workbook::ISTRUZIONI,
                workbook_path.display(),
                dir.display()
            ));
            text.push_str(&format!(
                "Modelli della relazione in {0}: modificateli e usateli con barometro report FILE.xlsx -o RELAZIONE.xlsx --modello {1} (oppure {2})\n",
                templates.display(),
                default_dir.display(),
                templates.join("cremona.xlsx").display()
            ));
            super::print_stdout(&text);
            EXIT_OK
        }
        Err(e) => {
            eprintln!("errore: {e}");
            EXIT_UNREADABLE
        }
    }
}
