//! The live view under a pseudo-terminal: actions that passed before get
//! a bar with an estimate from earlier runs (`~`), the run an overall line
//! with the time left, each finished stage
//! leaves a summary line, and the final screen (80 columns, as a terminal
//! would show it) is pinned as a snapshot.

use crate::common;

use std::process::{Command, Stdio};

use common::{have_program, Repo};

const PIPELINE: &str = "version: 1
stages:
  - name: lint
    actions:
      - { name: fmt, run: sleep 0.3 }
      - { name: a-rather-long-action-name-that-would-not-fit-on-a-line, run: true }
  - name: test
    run: sleep 0.5; echo done
";

/// `gantry ARGS` on an 80x60 pseudo-terminal; its raw output.
fn on_terminal(repo: &Repo, args: &str, env: &[(&str, &str)]) -> Option<String> {
    if !have_program("script", "apt-get install bsdutils") {
        return None;
    }
    let command = format!(
        "stty cols 80 rows 60; exec {} {args}",
        common::gantry_bin().display()
    );
    let mut script = Command::new("script");
    script
        .args(["-qec", &command, "/dev/null"])
        .current_dir(repo.path())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env("TERM", "xterm-256color")
        .stdin(Stdio::null());
    for (key, value) in env {
        script.env(key, value);
    }
    let out = script.output().expect("script runs");
    assert!(out.status.success(), "{out:?}");
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The rows an 80x60 terminal shows at the end, durations replaced by `T`.
fn final_screen(raw: &str) -> Vec<String> {
    let size = |n| std::num::NonZeroU16::new(n).unwrap();
    let mut parser = vt100::Parser::new(size(60), size(80), 0);
    parser.process(raw.as_bytes());
    let durations = regex::Regex::new(r"\d+(\.\d+)?(ms|s)\b").unwrap();
    let screen = parser.screen();
    screen
        .rows(0, 80)
        .map(|row| durations.replace_all(row.trim_end(), "T").into_owned())
        .collect()
}

#[test]
fn a_run_with_history_shows_estimates_and_stage_lines() {
    let repo = Repo::new(PIPELINE);
    // No history yet: spinners, no estimate.
    let Some(first) = on_terminal(&repo, "run --no-cache", &[]) else {
        return;
    };
    assert!(!first.contains("/ ~"), "{first}");
    assert!(first.contains("stage 1/2 · 0/3 actions"), "{first}");
    assert!(
        !first.contains("left"),
        "no estimate, no time left: {first}"
    );
    let second = on_terminal(&repo, "run --no-cache", &[]).unwrap();
    assert!(second.contains("/ ~"), "an estimate from run 1: {second}");
    assert!(second.contains("░"), "{second}");
    // The overall line, with the time left from the estimates.
    assert!(second.contains("stage 1/2 · 0/3 actions · ~"), "{second}");
    assert!(second.contains("stage 2/2 · 2/3 actions · ~"), "{second}");
    let screen = final_screen(&second);
    let live: Vec<&str> = screen
        .iter()
        .map(String::as_str)
        .skip_while(|row| !row.starts_with("==> lint"))
        .take_while(|row| !row.starts_with("STAGE"))
        .collect();
    // Each row is a whole line: a line wider than 80 columns would have
    // run on into the next row. (indicatif pads printed lines to the full
    // width and lets the terminal wrap, so the rows' wrapped flags say
    // nothing here.)
    assert_eq!(
        live,
        [
            "==> lint",
            "▶ lint/fmt  ran: --no-cache",
            "✔ lint/fmt  T",
            "▶ lint/a-rather-long-action-name-that-would-not-fit-on-a-…  ran: --no-cache",
            "✔ lint/a-rather-long-action-name-that-would-not-fit-on-a-…  T",
            "✔ lint  2 passed  T",
            "==> test",
            "▶ test/test  ran: --no-cache",
            "✔ test/test  T",
            "✔ test  1 passed  T",
            "",
        ],
        "final screen: {screen:#?}"
    );
    assert!(
        screen
            .iter()
            .any(|row| row.starts_with("✔ pipeline passed: 3 passed")),
        "the final table stays: {screen:#?}"
    );
}

#[test]
fn no_color_leaves_no_colour_codes() {
    let repo = Repo::new(PIPELINE);
    let Some(_) = on_terminal(&repo, "run --no-cache", &[]) else {
        return;
    };
    let raw = on_terminal(&repo, "run --no-cache", &[("NO_COLOR", "1")]).unwrap();
    assert!(raw.contains("/ ~"), "{raw}");
    assert!(!raw.contains("\x1b[3"), "a colour code: {raw:?}");
}
