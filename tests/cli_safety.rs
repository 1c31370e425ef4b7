//! Nothing lost (issue #7, parts 3 and 5): no command modifies a file it reads (checksum and
//! modification time before and after); a crash (SIGXFSZ) or a full disk (EFBIG) while writing
//! never leaves a half-written output nor damages an existing one; no output is ever written
//! over an input, however it is spelled; the exit statuses and the status-2 messages are the
//! same for every command. Unix only: file size limits, signals, hard links.
#![cfg(unix)]

mod common;

use std::os::unix::process::ExitStatusExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::SystemTime;

use common::cli::{barometro, panicked, s, stderr, stdout};
use common::fixtures::write_cremona;
use sha2::{Digest, Sha256};

/// The signal the kernel sends a process that writes past its file size limit.
const SIGXFSZ: i32 = 25;

/// The file size limit, in the shell's `ulimit -f` blocks (512 bytes for dash, 1024 for bash),
/// of the crash and full-disk runs: every output (report, filled copy, comparison,
/// consolidated workbook: 10 KB or more) is larger.
const LIMIT_BLOCKS: u32 = 4;

/// Runs barometro in `dir` (for relative paths).
fn barometro_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_barometro"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

/// Runs barometro with a file size limit of `LIMIT_BLOCKS`: without `ignore_signal` the
/// kernel kills it mid-write (a crash); with it, the write fails with EFBIG (a full disk).
fn barometro_limited(ignore_signal: bool, args: &[&str]) -> Output {
    barometro_limited_to(LIMIT_BLOCKS, ignore_signal, args)
}

fn barometro_limited_to(blocks: u32, ignore_signal: bool, args: &[&str]) -> Output {
    let script = format!(
        "{}ulimit -f {blocks}; exec \"$0\" \"$@\"",
        if ignore_signal { "trap '' XFSZ; " } else { "" }
    );
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_barometro"))
        .args(args)
        .output()
        .expect("sh runs")
}

/// SHA-256 and modification time of every file under `paths` (folders recursively).
fn snapshot(paths: &[&Path]) -> Vec<(PathBuf, Vec<u8>, SystemTime)> {
    let mut files = Vec::new();
    let mut pending: Vec<PathBuf> = paths.iter().map(|p| p.to_path_buf()).collect();
    while let Some(p) = pending.pop() {
        if p.is_dir() {
            for e in std::fs::read_dir(&p).unwrap() {
                pending.push(e.unwrap().path());
            }
        } else {
            let bytes = std::fs::read(&p).unwrap();
            let mtime = std::fs::metadata(&p).unwrap().modified().unwrap();
            files.push((p, Sha256::digest(&bytes).to_vec(), mtime));
        }
    }
    files.sort();
    assert!(!files.is_empty(), "nothing to compare in {paths:?}");
    files
}

/// Temporary files (`.NAME.PID.N.tmp`) left in `dir`.
fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n.ends_with(".tmp"))
        .collect()
}

/// The ready-to-fill workbook `init` writes: it scores with no errors.
fn clean_workbook(dir: &Path, name: &str) -> PathBuf {
    let rules = dir.join(format!(".init-{name}"));
    let o = barometro(&["init", s(&rules)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let p = dir.join(name);
    std::fs::copy(rules.join("obiettivi.xlsx"), &p).unwrap();
    std::fs::remove_dir_all(&rules).unwrap();
    p
}

/// Cremona's workbook: the rules' checks find errors in its data.
fn cremona(dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    write_cremona(&p).expect("fixture");
    p
}

const OLD: &[u8] = b"the report of yesterday, which must survive";

#[test]
fn no_command_modifies_what_it_reads() {
    let temp = tempfile::tempdir().unwrap();
    let d = temp.path();
    let input = cremona(d, "cremona.xlsx");
    let other = clean_workbook(d, "pulito.xlsx");
    let rules = d.join("regole");
    assert_eq!(barometro(&["init", s(&rules)]).status.code(), Some(0));
    let mapping = d.join("mappa.toml");
    std::fs::write(
        &mapping,
        "[colonne]\n\"Colonna di servizio\" = \"ignora\"\n",
    )
    .unwrap();
    let template = rules.join("modelli").join("predefinito");
    let folder = d.join("enti");
    std::fs::create_dir(&folder).unwrap();
    std::fs::copy(&input, folder.join("cremona.xlsx")).unwrap();
    std::fs::copy(&other, folder.join("pulito.xlsx")).unwrap();
    let read: Vec<&Path> = vec![&input, &other, &rules, &mapping, &folder];
    let before = snapshot(&read);
    let out = d.join("uscite");
    std::fs::create_dir(&out).unwrap();
    let o = |name: &str| out.join(name).to_string_lossy().into_owned();
    let (i, r, m, t) = (s(&input), s(&rules), s(&mapping), s(&template));
    let runs: Vec<Vec<String>> = vec![
        vec!["check", i, "--mappa", m],
        vec!["check", i, "--json", "--regole", r],
        vec!["valuta", i, "--regole", r, "--mappa", m],
        vec!["valuta", i, "--json"],
        vec!["spiega", i, "--obiettivo", "Agenda2030", "--regole", r],
        vec!["init", &o("nuove-regole")],
        vec!["report", i, "-o", &o("r.xlsx"), "--json", &o("r.json")],
        vec![
            "report",
            i,
            "-o",
            &o("rt.xlsx"),
            "--regole",
            r,
            "--modello",
            t,
            "--mappa",
            m,
        ],
        vec!["fill", i, "-o", &o("f.xlsx"), "--regole", r, "--mappa", m],
        vec![
            "batch",
            s(&folder),
            "-o",
            &o("lotto"),
            "--modello",
            "cremona",
            "--regole",
            r,
        ],
        vec![
            "confronta",
            i,
            s(&other),
            "-o",
            &o("c.xlsx"),
            "--regole-b",
            r,
        ],
        vec!["confronta", i, s(&other), "--json"],
    ]
    .into_iter()
    .map(|v| v.into_iter().map(String::from).collect())
    .collect();
    for args in &runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let done = barometro(&args);
        // Cremona has errors in its data: 1; init: 0.
        let code = done.status.code();
        assert!(
            matches!(code, Some(0 | 1)),
            "{args:?}: {code:?} {}",
            stderr(&done)
        );
        assert_eq!(snapshot(&read), before, "{args:?} changed a file it read");
    }
    // Every output was written.
    for name in ["r.xlsx", "r.json", "rt.xlsx", "f.xlsx", "c.xlsx"] {
        assert!(out.join(name).is_file(), "{name}");
    }
    assert!(out.join("lotto").join("consolidato.xlsx").is_file());
    assert!(out.join("nuove-regole").join("indicatori.rhai").is_file());
}

/// The output commands, with an output `target` to write (a file, or a folder for batch and
/// init) and `--force` when asked.
fn writing_commands(d: &Path) -> Vec<(&'static str, Vec<String>, PathBuf)> {
    let input = cremona(d, "cremona.xlsx");
    let other = clean_workbook(d, "pulito.xlsx");
    let folder = d.join("enti");
    std::fs::create_dir(&folder).unwrap();
    std::fs::copy(&input, folder.join("cremona.xlsx")).unwrap();
    std::fs::copy(&other, folder.join("pulito.xlsx")).unwrap();
    let out = d.join("uscite");
    std::fs::create_dir(&out).unwrap();
    let args = |v: &[&str]| v.iter().map(|a| a.to_string()).collect::<Vec<_>>();
    let (i, b) = (s(&input), s(&other));
    let target = |n: &str| out.join(n);
    vec![
        (
            "report",
            args(&["report", i, "-o", s(&target("r.xlsx")), "--no-verify"]),
            target("r.xlsx"),
        ),
        (
            "fill",
            args(&["fill", i, "-o", s(&target("f.xlsx")), "--no-verify"]),
            target("f.xlsx"),
        ),
        (
            "confronta",
            args(&["confronta", i, b, "-o", s(&target("c.xlsx")), "--no-verify"]),
            target("c.xlsx"),
        ),
        (
            "batch",
            args(&[
                "batch",
                s(&folder),
                "-o",
                s(&target("lotto")),
                "--no-verify",
            ]),
            target("lotto"),
        ),
    ]
}

#[test]
fn a_crash_while_writing_leaves_no_partial_output_and_the_old_one_intact() {
    let temp = tempfile::tempdir().unwrap();
    for (name, args, target) in writing_commands(temp.path()) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let folder = target.parent().unwrap().to_path_buf();
        if name == "batch" {
            // No output yet: killed at the first report, nothing at the reports' paths.
            let o = barometro_limited(false, &args);
            assert_eq!(o.status.signal(), Some(SIGXFSZ), "{name}: {}", stderr(&o));
            let written: Vec<_> = std::fs::read_dir(&target)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect();
            assert!(written.is_empty(), "{name}: {written:?}");
            // Existing reports and consolidato.xlsx, replaced with --force: all intact.
            let outputs = [
                "cremona-relazione.xlsx",
                "pulito-relazione.xlsx",
                "consolidato.xlsx",
            ];
            for n in outputs {
                std::fs::write(target.join(n), OLD).unwrap();
            }
            let forced = [args.as_slice(), &["--force"]].concat();
            let o = barometro_limited(false, &forced);
            assert_eq!(o.status.signal(), Some(SIGXFSZ), "{name}: {}", stderr(&o));
            for n in outputs {
                assert_eq!(std::fs::read(target.join(n)).unwrap(), OLD, "{n}");
            }
            // The reports exist (each file fails, no --force): killed writing consolidato.xlsx.
            std::fs::remove_file(target.join("consolidato.xlsx")).unwrap();
            let o = barometro_limited(false, &args);
            assert_eq!(o.status.signal(), Some(SIGXFSZ), "{name}: {}", stderr(&o));
            assert!(!target.join("consolidato.xlsx").exists());
            continue;
        }
        let o = barometro_limited(false, &args);
        assert_eq!(o.status.signal(), Some(SIGXFSZ), "{name}: {}", stderr(&o));
        assert!(!target.exists(), "{name}: a partial output was left");
        assert!(
            !temp_files(&folder).is_empty(),
            "{name}: killed while writing the temporary file"
        );
        std::fs::write(&target, OLD).unwrap();
        let forced = [args.as_slice(), &["--force"]].concat();
        let o = barometro_limited(false, &forced);
        assert_eq!(o.status.signal(), Some(SIGXFSZ), "{name}: {}", stderr(&o));
        assert_eq!(std::fs::read(&target).unwrap(), OLD, "{name}");
        std::fs::remove_file(&target).unwrap();
    }
}

#[test]
fn init_killed_mid_write_leaves_only_whole_files() {
    let temp = tempfile::tempdir().unwrap();
    let reference = temp.path().join("intere");
    assert_eq!(barometro(&["init", s(&reference)]).status.code(), Some(0));
    let crashed = temp.path().join("interrotte");
    // 6 or 12 KB: LEGGIMI.md (5 KB) fits, controlli.rhai (15 KB) does not.
    let o = barometro_limited_to(12, false, &["init", s(&crashed)]);
    assert_eq!(o.status.signal(), Some(SIGXFSZ), "{}", stderr(&o));
    let mut whole = 0;
    for e in std::fs::read_dir(&crashed).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || e.path().is_dir() {
            continue;
        }
        assert_eq!(
            std::fs::read(e.path()).unwrap(),
            std::fs::read(reference.join(&name)).unwrap(),
            "{name} is not whole"
        );
        whole += 1;
    }
    // The small rule files fit under the limit, the larger ones do not.
    assert!(whole > 0, "nothing was written before the crash");
    assert!(!crashed.join("controlli.rhai").exists());
}

/// Asserts a status-2 Italian message that names `file` and says the disk may be full.
fn assert_full_disk(what: &str, o: &Output, file: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{what}: {err}");
    let line = err
        .lines()
        .find(|l| l.starts_with("errore: impossibile scrivere") && l.contains(file))
        .unwrap_or_else(|| panic!("{what}: no message naming {file} in {err}"));
    assert!(line.contains("il disco potrebbe essere pieno"), "{line}");
    assert!(line.contains("nessun file è stato modificato"), "{line}");
}

#[test]
fn a_full_disk_is_an_italian_error_naming_the_file_and_changes_nothing() {
    let temp = tempfile::tempdir().unwrap();
    for (name, args, target) in writing_commands(temp.path()) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let folder = target.parent().unwrap().to_path_buf();
        if name == "batch" {
            let o = barometro_limited(true, &args);
            for n in [
                "cremona-relazione.xlsx",
                "pulito-relazione.xlsx",
                "consolidato.xlsx",
            ] {
                assert_full_disk(name, &o, n);
                assert!(!target.join(n).exists(), "{n}");
            }
            assert_eq!(temp_files(&target), Vec::<String>::new());
            // Existing outputs with --force: unchanged.
            for n in [
                "cremona-relazione.xlsx",
                "pulito-relazione.xlsx",
                "consolidato.xlsx",
            ] {
                std::fs::write(target.join(n), OLD).unwrap();
            }
            let o = barometro_limited(true, &[args.as_slice(), &["--force"]].concat());
            for n in [
                "cremona-relazione.xlsx",
                "pulito-relazione.xlsx",
                "consolidato.xlsx",
            ] {
                assert_full_disk(name, &o, n);
                assert_eq!(std::fs::read(target.join(n)).unwrap(), OLD, "{n}");
            }
            assert_eq!(temp_files(&target), Vec::<String>::new());
            continue;
        }
        let file = target.file_name().unwrap().to_string_lossy().into_owned();
        let o = barometro_limited(true, &args);
        assert_full_disk(name, &o, &file);
        assert!(!target.exists(), "{name}");
        assert_eq!(temp_files(&folder), Vec::<String>::new(), "{name}");
        std::fs::write(&target, OLD).unwrap();
        let o = barometro_limited(true, &[args.as_slice(), &["--force"]].concat());
        assert_full_disk(name, &o, &file);
        assert_eq!(std::fs::read(&target).unwrap(), OLD, "{name}");
        assert_eq!(temp_files(&folder), Vec::<String>::new(), "{name}");
        std::fs::remove_file(&target).unwrap();
    }
    // init: the first file over the limit fails, named; no temporary file stays.
    let rules = temp.path().join("regole");
    let o = barometro_limited(true, &["init", s(&rules)]);
    assert_full_disk("init", &o, "regole");
    assert!(stderr(&o).starts_with("errore: "), "{}", stderr(&o));
    assert_eq!(temp_files(&rules), Vec::<String>::new());
}

#[test]
fn no_output_over_an_input_however_it_is_spelled_even_with_force() {
    let temp = tempfile::tempdir().unwrap();
    let d = temp.path();
    let input = cremona(d, "cremona.xlsx");
    let other = clean_workbook(d, "pulito.xlsx");
    std::fs::create_dir(d.join("sub")).unwrap();
    std::os::unix::fs::symlink(&input, d.join("collegamento.xlsx")).unwrap();
    std::fs::hard_link(&input, d.join("stesso.xlsx")).unwrap();
    std::fs::hard_link(&other, d.join("stesso-b.xlsx")).unwrap();
    let mapping = d.join("mappa.toml");
    std::fs::write(
        &mapping,
        "[colonne]\n\"Colonna di servizio\" = \"ignora\"\n",
    )
    .unwrap();
    let before = snapshot(&[&input, &other, &mapping]);
    let spellings_a = [
        "cremona.xlsx",
        "./cremona.xlsx",
        "sub/../cremona.xlsx",
        "collegamento.xlsx",
        "stesso.xlsx",
    ];
    let spellings_b = [
        "pulito.xlsx",
        "./pulito.xlsx",
        "sub/../pulito.xlsx",
        "stesso-b.xlsx",
    ];
    let mut runs: Vec<Vec<&str>> = Vec::new();
    for out in spellings_a {
        runs.push(vec!["report", "cremona.xlsx", "-o", out, "--force"]);
        runs.push(vec![
            "report",
            "cremona.xlsx",
            "-o",
            "r.xlsx",
            "--json",
            out,
            "--force",
        ]);
        runs.push(vec!["fill", "cremona.xlsx", "-o", out, "--force"]);
        runs.push(vec![
            "confronta",
            "cremona.xlsx",
            "pulito.xlsx",
            "-o",
            out,
            "--force",
        ]);
    }
    for out in spellings_b {
        runs.push(vec![
            "confronta",
            "cremona.xlsx",
            "pulito.xlsx",
            "-o",
            out,
            "--force",
        ]);
    }
    // Nor over the mapping it reads.
    runs.push(vec![
        "fill",
        "cremona.xlsx",
        "-o",
        "mappa.toml",
        "--mappa",
        "mappa.toml",
        "--force",
    ]);
    for args in &runs {
        let o = barometro_in(d, args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.starts_with("errore: "), "{args:?}: {err}");
        assert!(err.contains("è il file di input"), "{args:?}: {err}");
        assert!(
            err.contains(args[args.len() - 2]),
            "names the output: {err}"
        );
        assert_eq!(snapshot(&[&input, &other, &mapping]), before, "{args:?}");
    }
    assert!(!d.join("r.xlsx").exists(), "refused before any work");

    // The report and its JSON are two files.
    let o = barometro_in(
        d,
        &[
            "report",
            "cremona.xlsx",
            "-o",
            "r.xlsx",
            "--json",
            "./r.xlsx",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("indicato due volte"), "{}", stderr(&o));

    // batch: consolidato.xlsx that is a workbook of the batch is refused before any work…
    let enti = d.join("enti");
    let reports = d.join("relazioni");
    std::fs::create_dir_all(&reports).unwrap();
    std::fs::create_dir_all(&enti).unwrap();
    std::fs::hard_link(&input, enti.join("cremona.xlsx")).unwrap();
    std::fs::hard_link(&other, enti.join("pulito.xlsx")).unwrap();
    std::os::unix::fs::symlink(enti.join("pulito.xlsx"), reports.join("consolidato.xlsx")).unwrap();
    let o = barometro(&[
        "batch",
        s(&enti),
        "-o",
        s(&reports),
        "--force",
        "--no-verify",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).starts_with("errore: "), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("consolidato.xlsx è il file di input"),
        "{}",
        stderr(&o)
    );
    assert!(!reports.join("cremona-relazione.xlsx").exists());
    // …a report that is another workbook of the batch fails that file alone.
    std::fs::remove_file(reports.join("consolidato.xlsx")).unwrap();
    std::fs::hard_link(&other, reports.join("cremona-relazione.xlsx")).unwrap();
    let o = barometro(&[
        "batch",
        s(&enti),
        "-o",
        s(&reports),
        "--force",
        "--no-verify",
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.lines().any(|l| l.starts_with("errore: ")
            && l.contains("cremona-relazione.xlsx è il file di input")),
        "{err}"
    );
    assert!(reports.join("pulito-relazione.xlsx").is_file());
    assert!(reports.join("consolidato.xlsx").is_file());
    assert_eq!(snapshot(&[&input, &other, &mapping]), before);
}

#[test]
fn batch_fails_a_file_whose_report_another_file_writes() {
    let temp = tempfile::tempdir().unwrap();
    let d = temp.path();
    let enti = d.join("enti");
    std::fs::create_dir(&enti).unwrap();
    let clean = clean_workbook(d, "pulito.xlsx");
    std::fs::copy(&clean, enti.join("piano.xlsx")).unwrap();
    std::fs::copy(&clean, enti.join("piano.xlsm")).unwrap();
    let out = d.join("relazioni");
    let o = barometro(&["batch", s(&enti), "-o", s(&out), "--no-verify", "-j", "2"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.lines().any(|l| l.starts_with("errore: «")
            && l.contains("piano.xlsm")
            && l.contains("la stessa di")),
        "{err}"
    );
    assert!(out.join("piano-relazione.xlsx").is_file());
}

/// One case of the exit-status matrix.
struct Case {
    what: String,
    args: Vec<String>,
    status: i32,
    /// A name the status-2 message must contain (the file it is about).
    names: Option<String>,
}

#[test]
fn every_command_has_the_same_exit_statuses_and_messages() {
    let temp = tempfile::tempdir().unwrap();
    let d = temp.path();
    let clean = clean_workbook(d, "pulito.xlsx");
    let errors = cremona(d, "cremona.xlsx");
    let missing = d.join("manca.xlsx");
    let not_xlsx = d.join("testo.xlsx");
    std::fs::write(&not_xlsx, "questo non è un foglio Excel\n").unwrap();
    let broken_rules = d.join("regole-rotte");
    assert_eq!(
        barometro(&["init", s(&broken_rules)]).status.code(),
        Some(0)
    );
    let barometro_rhai = broken_rules.join("barometro.rhai");
    let text = std::fs::read_to_string(&barometro_rhai).unwrap();
    std::fs::write(
        &barometro_rhai,
        text.replace("fn fasce() {", "fn fasce() {\n let x = ;"),
    )
    .unwrap();
    let folder = |name: &str, files: &[&Path]| {
        let f = d.join(name);
        std::fs::create_dir(&f).unwrap();
        for p in files {
            std::fs::copy(p, f.join(p.file_name().unwrap())).unwrap();
        }
        f
    };
    let clean_folder = folder("puliti", &[&clean]);
    let errors_folder = folder("con-errori", &[&clean, &errors]);
    let broken_folder = folder("rotti", &[&clean, &not_xlsx]);
    let exists = d.join("esiste.xlsx");
    std::fs::write(&exists, OLD).unwrap();
    let no_folder = d.join("non-esiste").join("uscita.xlsx");
    let out = |n: &str| d.join("uscite").join(n).to_string_lossy().into_owned();
    std::fs::create_dir(d.join("uscite")).unwrap();
    let p = |p: &Path| p.to_string_lossy().into_owned();

    let mut cases = Vec::new();
    let mut case = |what: &str, args: Vec<String>, status: i32, names: Option<&str>| {
        cases.push(Case {
            what: what.to_string(),
            args,
            status,
            names: names.map(String::from),
        })
    };
    // The single-file commands, with what they need after the workbook.
    let single: Vec<(&str, Vec<String>)> = vec![
        ("check", vec![]),
        ("valuta", vec![]),
        ("spiega", vec!["--obiettivo".into(), "OB.1".into()]),
        ("report", vec!["-o".into(), "{out}".into()]),
        ("fill", vec!["-o".into(), "{out}".into()]),
        ("confronta", vec![p(&clean), "-o".into(), "{out}".into()]),
    ];
    for (n, (cmd, rest)) in single.iter().enumerate() {
        let with = |input: &Path, tag: &str, extra: &[&str]| {
            let mut v = vec![cmd.to_string(), p(input)];
            for a in rest {
                v.push(a.replace("{out}", &out(&format!("{n}-{tag}.xlsx"))));
            }
            v.extend(extra.iter().map(|a| a.to_string()));
            v
        };
        let spiega_errors = |mut v: Vec<String>| {
            // Cremona's objective to explain.
            if *cmd == "spiega" {
                v[3] = "Agenda2030".into();
            }
            v
        };
        case(cmd, with(&clean, "pulito", &[]), 0, None);
        case(cmd, spiega_errors(with(&errors, "errori", &[])), 1, None);
        case(cmd, with(&missing, "manca", &[]), 2, Some("manca.xlsx"));
        case(cmd, with(&not_xlsx, "testo", &[]), 2, Some("testo.xlsx"));
        case(
            cmd,
            with(&clean, "opzione", &["--opzione-che-non-esiste"]),
            2,
            None,
        );
        case(
            cmd,
            with(&clean, "regole", &["--regole", s(&broken_rules)]),
            2,
            Some("barometro.rhai"),
        );
        if rest.iter().any(|a| a == "{out}") {
            let mut refused = with(&clean, "x", &[]);
            let mut unwritable = refused.clone();
            let at = refused.iter().position(|a| a == "-o").unwrap() + 1;
            refused[at] = p(&exists);
            case(cmd, refused, 2, Some("esiste.xlsx"));
            unwritable[at] = p(&no_folder);
            case(cmd, unwritable, 2, Some("uscita.xlsx"));
        }
    }
    let batch = |input: &Path, outdir: &str, extra: &[&str]| {
        let mut v = vec!["batch".to_string(), p(input), "-o".into(), out(outdir)];
        v.extend(extra.iter().map(|a| a.to_string()));
        v
    };
    case("batch", batch(&clean_folder, "b0", &[]), 0, None);
    case("batch", batch(&errors_folder, "b1", &[]), 1, None);
    case(
        "batch",
        batch(&d.join("manca"), "b2", &[]),
        2,
        Some("manca"),
    );
    case(
        "batch",
        batch(&broken_folder, "b3", &[]),
        2,
        Some("testo.xlsx"),
    );
    case("batch", batch(&clean_folder, "b4", &["--opzione"]), 2, None);
    case(
        "batch",
        batch(&clean_folder, "b5", &["--regole", s(&broken_rules)]),
        2,
        Some("barometro.rhai"),
    );
    std::fs::create_dir(d.join("uscite").join("b6")).unwrap();
    std::fs::write(d.join("uscite").join("b6").join("consolidato.xlsx"), OLD).unwrap();
    case(
        "batch",
        batch(&clean_folder, "b6", &[]),
        2,
        Some("consolidato.xlsx"),
    );
    let file_as_folder = p(&exists);
    case(
        "batch",
        vec![
            "batch".into(),
            p(&clean_folder),
            "-o".into(),
            format!("{file_as_folder}/relazioni"),
        ],
        2,
        Some("esiste.xlsx"),
    );
    case("init", vec!["init".into(), out("regole")], 0, None);
    case(
        "init",
        vec!["init".into(), out("regole")],
        2,
        Some("regole"),
    );
    case(
        "init",
        vec!["init".into(), out("r2"), "--da".into(), "nessuna".into()],
        2,
        Some("nessuna"),
    );
    case(
        "init",
        vec!["init".into(), format!("{file_as_folder}/regole")],
        2,
        Some("esiste.xlsx"),
    );
    case("init", vec!["init".into(), "--opzione".into()], 2, None);

    let mut failures = Vec::new();
    for c in &cases {
        let args: Vec<&str> = c.args.iter().map(String::as_str).collect();
        let o = barometro(&args);
        let err = stderr(&o);
        if o.status.code() != Some(c.status) {
            failures.push(format!(
                "{} {:?}: status {:?}, expected {}\n{err}{}",
                c.what,
                &c.args[1..],
                o.status.code(),
                c.status,
                stdout(&o)
            ));
            continue;
        }
        if c.status != 2 {
            continue;
        }
        // batch prints its progress first; the other commands only the message.
        let message: Vec<&str> = if c.what == "batch" {
            err.lines().filter(|l| l.starts_with("errore: ")).collect()
        } else {
            if !err.starts_with("errore: ") {
                failures.push(format!("{} {:?}: {err}", c.what, &c.args[1..]));
            }
            vec![err.as_str()]
        };
        let named = match &c.names {
            Some(name) => message.iter().any(|l| l.contains(name.as_str())),
            None => !message.is_empty() || err.starts_with("errore: "),
        };
        if !named || panicked(&err) || (!o.stdout.is_empty() && c.what != "batch") {
            failures.push(format!(
                "{} {:?}: message does not name {:?}:\n{err}",
                c.what,
                &c.args[1..],
                c.names
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n---\n"));
    // The refused output was left alone.
    assert_eq!(std::fs::read(&exists).unwrap(), OLD);
}
