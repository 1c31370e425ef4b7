//! `barometro init CARTELLA` (alias `nuovo`): writes an embedded rule set out for editing.

use std::path::Path;

use barometro::rules::{RuleSet, BUILTIN_SETS};

use super::{EXIT_OK, EXIT_UNREADABLE};

pub fn run(dir: &Path, from: &str) -> i32 {
    let set = match RuleSet::builtin(from) {
        Some(Ok(set)) => set,
        Some(Err(e)) => {
            eprintln!("errore nelle regole incorporate: {e}");
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
    match set.write_to(dir) {
        Ok(paths) => {
            let mut text = format!("Regole «{}» scritte in {}:\n", set.name(), dir.display());
            for p in paths {
                let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
                text.push_str(&format!("  {}\n", name.unwrap_or_default()));
            }
            text.push_str(&format!(
                "Modificatele con un editor di testo e usatele con: barometro valuta FILE.xlsx --regole {}\n",
                dir.display()
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
