//! The checked-in man pages (`docs/man/`) are generated from the command
//! tree with clap_mangen; this test fails when they are stale.

use std::path::Path;

use clap::CommandFactory;

/// Every page: `gantry.1`, then one per (nested) visible subcommand.
fn pages() -> Vec<(String, Vec<u8>)> {
    let mut pages = Vec::new();
    collect(gantry::cli::Cli::command(), "gantry", &mut pages);
    pages
}

fn collect(command: clap::Command, name: &str, pages: &mut Vec<(String, Vec<u8>)>) {
    let static_name: &'static str = Box::leak(name.to_string().into_boxed_str());
    let command = command.name(static_name).bin_name(name.replace('-', " "));
    let mut out = Vec::new();
    clap_mangen::Man::new(command.clone())
        .render(&mut out)
        .unwrap();
    pages.push((format!("{name}.1"), out));
    for sub in command
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        collect(sub.clone(), &format!("{name}-{}", sub.get_name()), pages);
    }
}

#[test]
fn checked_in_man_pages_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/man");
    let update = std::env::var_os("GANTRY_UPDATE_MAN").is_some();
    if update {
        std::fs::create_dir_all(&dir).unwrap();
    }
    let mut stale = Vec::new();
    let pages = pages();
    for (file, text) in &pages {
        let path = dir.join(file);
        if update {
            std::fs::write(&path, text).unwrap();
        } else if std::fs::read(&path).ok().as_deref() != Some(&text[..]) {
            stale.push(file.clone());
        }
    }
    let expected: Vec<&String> = pages.iter().map(|(f, _)| f).collect();
    let extra: Vec<String> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|f| !expected.contains(&f))
        .collect();
    assert!(
        stale.is_empty() && extra.is_empty(),
        "stale man pages: {stale:?}, leftovers: {extra:?}; regenerate with GANTRY_UPDATE_MAN=1 cargo test --test it manpages"
    );
    assert!(pages.iter().any(|(f, _)| f == "gantry-run.1"));
}

#[test]
fn top_level_help_fits_one_screen_and_has_examples() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gantry"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.lines().count() <= 40,
        "{} lines:\n{help}",
        help.lines().count()
    );
    assert!(help.contains("Examples:"), "{help}");
}
