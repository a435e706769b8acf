//! The cache never passes broken code (issue 12): the default inputs are
//! every file git sees, stat data is trusted only as far as git trusts it,
//! outputs are verified and restored, and the environment and the programs
//! an action runs are part of its fingerprint. Each test is a sequence that
//! once passed something it should not have, on a real git repository.

use crate::common;

use common::{write_executable, Repo};

/// A check that fails when any `.txt` file under the root says `bad`; no
/// `inputs:`, so the default (every file git sees) applies.
const CHECK: &str = "version: 1
stages:
  - name: check
    run: \"! grep -rl bad --include='*.txt' . && echo checked >> .checks\"
";

fn committed(config: &str, files: &[(&str, &str)]) -> Repo {
    let repo = Repo::new(config);
    repo.write(".gitignore", ".checks\nout/\nbuilds\n");
    for (path, text) in files {
        repo.write(path, text);
    }
    repo.git(&["init", "-q", "-b", "main"]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "initial"]);
    repo
}

fn checks(repo: &Repo) -> usize {
    std::fs::read_to_string(repo.path().join(".checks")).map_or(0, |t| t.lines().count())
}

#[test]
fn a_new_file_in_a_new_folder_reruns_and_fails_the_gate() {
    let repo = committed(CHECK, &[("src/main.txt", "good\n")]);
    assert_eq!(repo.run(&["run"]).code, 0);
    repo.write("examples/bad.txt", "bad\n");
    repo.git(&["add", "examples"]);
    repo.git(&["commit", "-q", "-m", "B"]);
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 1, "the broken commit must fail: {}", out.stdout);
    assert!(
        out.stdout
            .contains("[check/check] ran: examples/bad.txt is new"),
        "{}",
        out.stdout
    );
}

#[test]
fn an_untracked_file_is_an_input_and_an_ignored_one_is_not() {
    let repo = committed(CHECK, &[("src/main.txt", "good\n")]);
    assert_eq!(repo.run(&["run"]).code, 0);
    repo.write("out/bad.txt", "bad\n");
    repo.run(&["run"])
        .status(2, "check", "check", "cached")
        .stdout_has("cached: nothing changed since run 1");
    repo.write("notes/bad.txt", "bad\n");
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout.contains("ran: notes/bad.txt is new"),
        "{}",
        out.stdout
    );
}

#[test]
fn an_uncommitted_change_to_a_lockfile_reruns() {
    let repo = committed(CHECK, &[("Cargo.lock", "version = 3\n")]);
    assert_eq!(repo.run(&["run"]).code, 0);
    repo.write("Cargo.lock", "version = 4\n");
    let out = repo.run(&["run"]);
    assert!(
        out.stdout.contains("ran: Cargo.lock changed"),
        "{}",
        out.stdout
    );
    assert_eq!(checks(&repo), 2);
}

#[test]
fn an_edit_that_restores_the_old_mtime_still_reruns() {
    let repo = committed(CHECK, &[("src/a.txt", "good\n")]);
    let a = repo.path().join("src/a.txt");
    let reference = repo.path().join("../mtime-reference");
    std::fs::copy(&a, &reference).unwrap();
    let touch = |args: &[&str]| {
        let status = std::process::Command::new("touch")
            .args(args)
            .status()
            .unwrap();
        assert!(status.success());
    };
    touch(&["-r", a.to_str().unwrap(), reference.to_str().unwrap()]);
    assert_eq!(repo.run(&["run"]).code, 0);
    repo.write("src/a.txt", "bad!\n");
    touch(&["-r", reference.to_str().unwrap(), a.to_str().unwrap()]);
    let _ = std::fs::remove_file(&reference);
    let out = repo.run(&["run"]);
    assert_eq!(
        out.code, 1,
        "same size and mtime, new content: {}",
        out.stdout
    );
    assert!(
        out.stdout.contains("ran: src/a.txt changed"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_touch_without_a_content_change_does_not_rerun() {
    let repo = committed(CHECK, &[("src/a.txt", "good\n")]);
    assert_eq!(repo.run(&["run"]).code, 0);
    let status = std::process::Command::new("touch")
        .arg(repo.path().join("src/a.txt"))
        .status()
        .unwrap();
    assert!(status.success());
    repo.write("src/b.txt", "good\n");
    std::fs::remove_file(repo.path().join("src/b.txt")).unwrap();
    let out = repo.run(&["run"]);
    assert!(
        out.stdout.contains("cached: nothing changed since run 1"),
        "{}",
        out.stdout
    );
    assert_eq!(checks(&repo), 1);
}

const BUILD: &str = "version: 1
stages:
  - name: build
    outputs: [out/app]
    run: mkdir -p out && cat src/*.txt > out/app && echo built >> builds
";

#[test]
fn a_snapshot_run_then_a_plain_run_never_leaves_stale_outputs() {
    let repo = committed(BUILD, &[("src/a.txt", "v1\n")]);
    assert_eq!(repo.run(&["run"]).code, 0);
    assert_eq!(repo.read("out/app"), "v1\n");
    repo.write("src/a.txt", "v2\n");
    repo.git(&["commit", "-q", "-am", "v2"]);
    let snap = repo.run(&["run", "--snapshot"]);
    assert_eq!(snap.code, 0, "{}", snap.all());
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(repo.read("out/app"), "v2\n", "{}", out.stdout);
    assert!(
        out.stdout
            .contains("restored outputs from run 2 (out/app was changed)"),
        "{}",
        out.stdout
    );
    let again = repo.run(&["run"]);
    assert!(
        again.stdout.contains("cached: nothing changed"),
        "{}",
        again.stdout
    );
    again.status(4, "build", "build", "cached");
    assert_eq!(repo.read("out/app"), "v2\n");
}

#[test]
fn a_tampered_output_is_restored_and_says_so() {
    let repo = committed(BUILD, &[("src/a.txt", "real\n")]);
    assert_eq!(repo.run(&["run"]).code, 0);
    repo.write("out/app", "tampered\n");
    let dry = repo.run(&["run", "--dry-run"]);
    assert!(
        dry.stdout
            .contains("cache: would restore outputs from run 1 and skip (out/app was changed)"),
        "{}",
        dry.stdout
    );
    let out = repo.run(&["run"]);
    assert!(
        out.stdout
            .contains("cached: restored outputs from run 1 (out/app was changed)"),
        "{}",
        out.stdout
    );
    assert_eq!(repo.read("out/app"), "real\n");
    assert_eq!(repo.read("builds"), "built\n", "restored, not rebuilt");
    let run = repo.run_json(2);
    assert_eq!(run["stages"][0]["actions"][0]["status"], "cached");
}

#[test]
fn an_output_whose_kept_copy_is_gone_is_rebuilt() {
    let repo = committed(BUILD, &[("src/a.txt", "real\n")]);
    assert_eq!(repo.run(&["run"]).code, 0);
    std::fs::remove_dir_all(repo.path().join(".gantry/cache/objects")).unwrap();
    std::fs::remove_file(repo.path().join("out/app")).unwrap();
    let out = repo.run(&["run"]);
    assert!(
        out.stdout
            .contains("ran: out/app was deleted and its kept copy is gone or changed; running it"),
        "{}",
        out.stdout
    );
    assert_eq!(repo.read("out/app"), "real\n");
}

#[test]
fn a_changed_env_or_env_file_reruns_and_names_the_variable_not_its_value() {
    let config = "version: 1
env_file: local.env
stages:
  - name: check
    env: { MODE: debug }
    run: echo checked >> .checks
";
    let repo = committed(config, &[]);
    repo.write("local.env", "TOKEN=first-secret\n");
    std::fs::write(repo.path().join(".gitignore"), ".checks\nlocal.env\n").unwrap();
    assert_eq!(repo.run(&["run"]).code, 0);
    assert_eq!(repo.run(&["run"]).code, 0);
    assert_eq!(checks(&repo), 1, "cached the second time");
    repo.write("local.env", "TOKEN=second-secret\n");
    let out = repo.run(&["run"]);
    assert!(
        out.stdout.contains("ran: env TOKEN changed"),
        "{}",
        out.stdout
    );
    let cache = std::fs::read_dir(repo.path().join(".gantry/cache/check/check"))
        .unwrap()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect::<String>();
    assert!(
        !cache.contains("second-secret"),
        "secrets are kept as hashes only"
    );
    repo.write("gantry.yml", &config.replace("debug", "release"));
    let out = repo.run(&["run"]);
    assert!(
        out.stdout.contains("ran: env MODE changed"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_rewritten_program_on_path_reruns() {
    let tools = tempfile::tempdir().unwrap();
    let tool = tools.path().join("mytool");
    let write_tool = |text: &str| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(&tool, text).unwrap();
        std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    write_tool("#!/bin/sh\necho one >> .checks\n");
    let repo = committed(
        "version: 1\nstages:\n  - name: check\n    run: mytool\n",
        &[],
    );
    let path = format!(
        "{}:{}",
        tools.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = || repo.gantry().arg("run").env("PATH", &path).run();
    assert_eq!(run().code, 0);
    assert!(run().stdout.contains("cached: nothing changed"));
    write_tool("#!/bin/sh\necho second version >> .checks\n");
    let out = run();
    assert!(
        out.stdout
            .contains(&format!("ran: mytool changed ({})", tool.display())),
        "{}",
        out.stdout
    );
    assert_eq!(checks(&repo), 2);
}

#[test]
fn a_program_listed_in_tools_is_checked_too() {
    let repo = committed(
        "version: 1\nstages:\n  - name: check\n    tools: [./lint.sh]\n    inputs: [src/**]\n    script:\n      - cd src\n      - ../lint.sh\n",
        &[("src/a.txt", "x\n")],
    );
    write_executable(&repo, "lint.sh", "#!/bin/sh\necho linted >> ../.checks\n");
    assert_eq!(repo.run(&["run"]).code, 0);
    repo.run(&["run"])
        .success()
        .status(2, "check", "check", "cached")
        .stdout_has("cached: nothing changed since run 1");
    write_executable(
        &repo,
        "lint.sh",
        "#!/bin/sh\necho linted again >> ../.checks\n",
    );
    let out = repo.run(&["run"]);
    assert!(
        out.stdout.contains("ran: ./lint.sh changed"),
        "{}",
        out.stdout
    );
}

#[test]
fn exclusions_narrow_the_default_inputs() {
    let repo = committed(
        "version: 1\nstages:\n  - name: check\n    inputs: [\"$default\", \"!docs/**\"]\n    run: echo checked >> .checks\n",
        &[("src/a.txt", "x\n"), ("docs/guide.md", "one\n")],
    );
    assert_eq!(repo.run(&["run"]).code, 0);
    repo.write("docs/guide.md", "two\n");
    repo.run(&["run"])
        .status(2, "check", "check", "cached")
        .stdout_has("cached: nothing changed since run 1");
    repo.write("src/a.txt", "y\n");
    assert!(repo.run(&["run"]).stdout.contains("ran: src/a.txt changed"));
}

#[test]
fn side_effects_run_every_time_unless_they_opt_in_and_cache_false_opts_out() {
    let repo = committed(
        "version: 1
stages:
  - name: plain
    cache: false
    run: echo plain >> .checks
  - name: cleanup
    always: true
    run: echo cleanup >> .checks
  - name: opted
    always: true
    cache: true
    run: echo opted >> .checks
",
        &[],
    );
    assert_eq!(repo.run(&["run"]).code, 0);
    let out = repo.run(&["run"]);
    assert_eq!(checks(&repo), 5, "{}", out.stdout);
    assert!(
        out.stdout.contains("[opted/opted] ↺ cached"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("[plain/plain] ran:"), "{}", out.stdout);
}

#[test]
fn the_live_view_says_why_an_action_ran_and_why_one_was_skipped() {
    let repo = committed(CHECK, &[("src/a.txt", "good\n")]);
    // `None`: skipped, or failed already where GANTRY_TEST_REQUIRE names `script`.
    let Some(first) = common::run_on_tty(&repo, "run", "") else {
        return;
    };
    assert!(
        first.stdout.contains("ran: no earlier successful run"),
        "{}",
        first.stdout
    );
    repo.write("src/new.txt", "good\n");
    let second = common::run_on_tty(&repo, "run", "").unwrap();
    assert!(
        second.stdout.contains("ran: src/new.txt is new"),
        "{}",
        second.stdout
    );
    let third = common::run_on_tty(&repo, "run", "").unwrap();
    assert!(
        third.stdout.contains("cached: nothing changed since run 2"),
        "{}",
        third.stdout
    );
}

#[test]
fn json_says_why_each_action_ran() {
    let repo = committed(CHECK, &[("src/a.txt", "good\n")]);
    assert_eq!(repo.run(&["run"]).code, 0);
    repo.write("src/new.txt", "good\n");
    let out = repo.run(&["run", "--output", "json"]);
    let run: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    let action = &run["stages"][0]["actions"][0];
    assert_eq!(action["status"], "passed");
    assert_eq!(action["cache"], "src/new.txt is new");
}

#[test]
fn going_back_to_an_earlier_state_restores_its_outputs_and_old_copies_are_dropped() {
    let repo = committed(BUILD, &[("src/a.txt", "v0\n")]);
    for n in 0..6 {
        repo.write("src/a.txt", &format!("v{n}\n"));
        let out = repo.run(&["run"]);
        assert_eq!(out.code, 0, "{}", out.all());
    }
    repo.write("src/a.txt", "v4\n");
    let out = repo.run(&["run"]);
    assert!(
        out.stdout
            .contains("cached: restored outputs from run 5 (out/app was changed)"),
        "{}",
        out.stdout
    );
    assert_eq!(repo.read("out/app"), "v4\n");
    let kept = walk_count(&repo.path().join(".gantry/cache/objects"));
    assert!(kept <= 4, "{kept} kept copies for 4 entries");
}

fn walk_count(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            if e.file_type().unwrap().is_dir() {
                walk_count(&e.path())
            } else {
                1
            }
        })
        .sum()
}
