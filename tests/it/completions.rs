//! The checked-in completion scripts are what `gantry completions` prints.

use crate::common;

use common::Gantry;

const SHELLS: &[(&str, &str)] = &[
    ("bash", "gantry.bash"),
    ("zsh", "_gantry"),
    ("fish", "gantry.fish"),
    ("powershell", "_gantry.ps1"),
    ("elvish", "gantry.elv"),
];

#[test]
fn checked_in_completions_are_current() {
    for (shell, file) in SHELLS {
        let out = Gantry::new().args(["completions", shell]).run();
        out.success();
        insta::assert_snapshot!(*file, out.stdout);
        common::snapshots::checked_in(&format!("completions/{file}"), &out.stdout);
    }
}

#[test]
fn stage_names_complete_dynamically_from_the_config() {
    let repo = common::Repo::new(
        "version: 1\nstages:\n  - { name: lint, run: 'true' }\n  - { name: compile, run: 'true' }\n  - { name: test, run: 'true' }\n",
    );
    let complete = |index: &str, words: &[&str]| {
        let out = repo
            .command(&["--"])
            .args(words)
            .env("COMPLETE", "bash")
            .env("_CLAP_IFS", "\n")
            .env("_CLAP_COMPLETE_INDEX", index)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let all = complete("2", &["gantry", "run", ""]);
    assert!(all.starts_with("lint\ncompile\ntest\n"), "{all}");
    assert!(all.contains("\ncompile/compile\n"), "{all}");
    assert_eq!(
        complete("2", &["gantry", "run", "test/"]).trim(),
        "test/test"
    );
    assert_eq!(
        complete("3", &["gantry", "run", "--skip", "co"]).trim(),
        "compile"
    );
    let script = repo.command(&[]).env("COMPLETE", "bash").output().unwrap();
    assert!(String::from_utf8_lossy(&script.stdout).contains("complete -o nospace"));
}
