//! The checked-in man pages (`docs/man/`) are generated from the command
//! tree with clap_mangen; this test fails when they are stale. Also the
//! snapshot of `gantry --help`.

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
    let pages = pages();
    for (file, text) in &pages {
        let text = String::from_utf8(text.clone()).expect("man pages are UTF-8");
        insta::assert_snapshot!(file.as_str(), &text);
        crate::common::snapshots::checked_in(&format!("docs/man/{file}"), &text);
    }
    let expected: Vec<&String> = pages.iter().map(|(f, _)| f).collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/man");
    let extra: Vec<String> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|f| !expected.contains(&f))
        .collect();
    assert!(
        extra.is_empty(),
        "docs/man has pages of no command: {extra:?}; remove them"
    );
    assert!(pages.iter().any(|(f, _)| f == "gantry-run.1"));
}

#[test]
fn top_level_help_fits_one_screen_and_has_examples() {
    let out = crate::common::Gantry::new().arg("--help").run();
    out.success();
    insta::assert_snapshot!("help", out.stdout);
    assert!(
        out.stdout.lines().count() <= 40,
        "{} lines:\n{}",
        out.stdout.lines().count(),
        out.stdout
    );
    out.stdout_has("Examples:");
}
