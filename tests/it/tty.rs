//! The live UI on a real pseudo-terminal (through util-linux `script`).

use crate::common;

use common::Repo;

#[test]
fn a_terminal_gets_live_bars_and_the_failure_tail() {
    if !common::have_program("script", "apt-get install bsdutils") {
        return;
    }
    let repo = Repo::new(
        "version: 1
stages:
  - name: s
    actions:
      - { name: ok, run: echo working; sleep 0.5, run_order: 1 }
      - { name: bad, run: 'echo first clue; echo last clue; exit 2', run_order: 1 }
",
    );
    let command = format!("{} run", common::gantry_bin().display());
    let mut script = std::process::Command::new("script");
    script
        .args(["-qec", &command, "/dev/null"])
        .current_dir(repo.path())
        .env_remove("NO_COLOR")
        .env("TERM", "xterm-256color");
    let out = common::run_command(script);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(out.stdout.contains("\x1b["), "a terminal gets escape codes");
    let screen = strip_ansi(&out.stdout);
    assert!(screen.contains("s/ok") && screen.contains("s/bad"));
    assert!(screen.contains('✔') && screen.contains('✘'), "{screen}");
    assert!(
        screen.contains("│ first clue") && screen.contains("│ last clue"),
        "the failed action's log tail: {screen}"
    );
    assert!(screen.contains("exit code 2"));
}

/// The text without CSI escape sequences.
fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
