//! The action cache: skips, reasons, invalidation, --no-cache, clean.

use crate::common;

use common::{action_status, Repo};

const PIPELINE: &str = "version: 1
stages:
  - name: build
    inputs: [\"src/**\"]
    outputs: [out/app]
    run: mkdir -p out && cat src/*.txt > out/app && echo built >> builds
  - name: test
    inputs: [out/app]
    run: grep -q hello out/app
";

fn repo() -> Repo {
    let repo = Repo::new(PIPELINE);
    repo.write("src/a.txt", "hello\n");
    repo.write("src/b.txt", "world\n");
    repo
}

fn builds(repo: &Repo) -> usize {
    repo.read("builds").lines().count()
}

#[test]
fn an_unchanged_rerun_is_cached_and_says_since_which_run() {
    let repo = repo();
    let first = repo.run(&["run"]);
    assert_eq!(first.code, 0, "{}", first.all());
    assert!(
        first
            .stdout
            .contains("[build/build] ran: no earlier successful run"),
        "{}",
        first.stdout
    );
    let second = repo.run(&["run"]);
    assert_eq!(second.code, 0);
    assert!(
        second
            .stdout
            .contains("cached: nothing changed since run 1"),
        "{}",
        second.stdout
    );
    assert_eq!(builds(&repo), 1, "the build did not run again");
    let run = repo.run_json(2);
    assert_eq!(action_status(&run, "build", "build"), "cached");
    assert_eq!(run["totals"]["cached"], 2);
    assert_eq!(run["status"], "passed");
}

#[test]
fn changed_added_and_removed_inputs_rerun_with_the_reason() {
    let repo = repo();
    assert_eq!(repo.run(&["run"]).code, 0);
    repo.write("src/b.txt", "there\n");
    let out = repo.run(&["run"]);
    assert!(
        out.stdout.contains("[build/build] ran: src/b.txt changed"),
        "{}",
        out.stdout
    );
    repo.write("src/c.txt", "new\n");
    let out = repo.run(&["run"]);
    assert!(
        out.stdout.contains("ran: src/c.txt is new"),
        "{}",
        out.stdout
    );
    std::fs::remove_file(repo.path().join("src/a.txt")).unwrap();
    let out = repo.run(&["run"]);
    assert!(
        out.stdout.contains("ran: src/a.txt was deleted"),
        "{}",
        out.stdout
    );
    assert_eq!(builds(&repo), 4);
}

#[test]
fn a_changed_command_or_environment_reruns() {
    let repo = repo();
    assert_eq!(repo.run(&["run"]).code, 0);
    repo.write("gantry.yml", &PIPELINE.replace("echo built", "echo  built"));
    let out = repo.run(&["run", "build"]);
    assert!(
        out.stdout.contains("ran: its command or settings changed"),
        "{}",
        out.stdout
    );
    assert_eq!(repo.run(&["run", "build"]).code, 0);
    let out = repo.run(&["run", "build", "--env", "MODE=release"]);
    assert!(
        out.stdout.contains("ran: env MODE is new"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_deleted_output_is_restored_from_the_cache() {
    let repo = repo();
    assert_eq!(repo.run(&["run"]).code, 0);
    std::fs::remove_file(repo.path().join("out/app")).unwrap();
    let out = repo.run(&["run"]);
    assert!(
        out.stdout
            .contains("cached: restored outputs from run 1 (out/app was deleted)"),
        "{}",
        out.stdout
    );
    assert_eq!(repo.read("out/app"), "hello\nworld\n");
    assert_eq!(builds(&repo), 1, "restored, not rebuilt");
}

#[test]
fn a_failed_run_is_not_cached() {
    let repo = Repo::new("version: 1\nstages:\n  - name: a\n    inputs: [in.txt]\n    run: echo x >> tries; exit 1\n");
    repo.write("in.txt", "x");
    assert_eq!(repo.run(&["run"]).code, 1);
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains("no earlier successful run"),
        "{}",
        out.stdout
    );
    assert_eq!(repo.read("tries").lines().count(), 2);
}

#[test]
fn no_cache_and_cache_clean_force_a_run() {
    let repo = repo();
    assert_eq!(repo.run(&["run"]).code, 0);
    let out = repo.run(&["run", "--no-cache"]);
    assert!(out.stdout.contains("ran: --no-cache"), "{}", out.stdout);
    assert_eq!(builds(&repo), 2);
    let clean = repo.run(&["cache", "clean"]);
    assert_eq!(clean.code, 0);
    assert!(clean.stdout.contains("removed"));
    let out = repo.run(&["run"]);
    assert!(out.stdout.contains("no earlier successful run"));
}

#[test]
fn dry_run_shows_what_the_cache_would_do() {
    let repo = repo();
    assert_eq!(repo.run(&["run"]).code, 0);
    repo.write("src/a.txt", "hello again\n");
    let out = repo.run(&["run", "--dry-run"]);
    assert!(
        out.stdout.contains("cache: would run (src/a.txt changed)"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("cache: would skip (nothing changed since run 1)"),
        "{}",
        out.stdout
    );
    assert_eq!(builds(&repo), 1, "a dry run runs nothing");
}

#[test]
fn tracked_files_changed_right_after_commit_are_detected() {
    // Same size, same second as the index: git's "racily clean" case.
    let repo = repo();
    repo.git(&["init", "-q", "-b", "main"]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "initial"]);
    assert_eq!(repo.run(&["run", "build"]).code, 0);
    repo.write("src/a.txt", "HELLO\n");
    let out = repo.run(&["run", "build"]);
    assert!(
        out.stdout.contains("ran: src/a.txt changed"),
        "{}",
        out.stdout
    );
}

#[test]
fn snapshot_runs_use_the_cache_too() {
    // Outputs never exist in a fresh checkout, so only output-less actions
    // can be skipped there.
    let repo = Repo::new(&PIPELINE.replace("    outputs: [out/app]\n", ""));
    repo.write("src/a.txt", "hello\n");
    repo.write(".gitignore", "out/\nbuilds\n");
    repo.git(&["init", "-q", "-b", "main"]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "initial"]);
    assert_eq!(repo.run(&["run", "--snapshot", "build"]).code, 0);
    let out = repo.run(&["run", "--snapshot", "build"]);
    assert!(
        out.stdout.contains("cached: nothing changed since run 1"),
        "{}",
        out.stdout
    );
}

#[test]
fn invalid_input_patterns_are_config_errors() {
    let repo = Repo::new("version: 1\nstages:\n  - name: a\n    inputs: [\"../outside\", \"src/[\"]\n    run: 'true'\n");
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("gantry.yml:4:14") && out.stderr.contains("not a path inside"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("gantry.yml:4:28") && out.stderr.contains("invalid glob"),
        "{}",
        out.stderr
    );
}

#[test]
fn inputs_rewritten_by_an_earlier_stage_are_seen_by_a_later_one() {
    // Regression: content ids looked up before the run must not outlive an
    // action that ran and changed files.
    let repo = Repo::new(
        "version: 1
stages:
  - name: gen
    inputs: [seed.txt]
    run: mkdir -p gen && cp seed.txt gen/out.txt
  - name: use
    inputs: [\"gen/**\"]
    run: cat gen/out.txt >> used
",
    );
    repo.write("seed.txt", "one\n");
    assert_eq!(repo.run(&["run"]).code, 0);
    repo.write("seed.txt", "two\n");
    let out = repo.run(&["run"]);
    assert!(
        out.stdout.contains("[use/use] ran: gen/out.txt changed"),
        "{}",
        out.stdout
    );
    assert_eq!(repo.read("used"), "one\ntwo\n");
}

#[test]
fn a_cached_action_still_provides_its_outputs_to_later_actions() {
    let repo = Repo::new(
        "version: 1
stages:
  - name: build
    inputs: [in.txt]
    cache: true
    uses: ./stamp.sh
  - name: use
    run: echo \"got ${actions.build.build.outputs.stamp}\" >> used
",
    );
    repo.write("in.txt", "x");
    common::write_executable(
        &repo,
        "stamp.sh",
        "#!/bin/sh\ncat > /dev/null\necho \"{\\\"type\\\":\\\"result\\\",\\\"status\\\":\\\"success\\\",\\\"outputs\\\":{\\\"stamp\\\":\\\"s-$(cat in.txt)\\\"}}\"\n",
    );
    let first = repo.run(&["run"]);
    assert_eq!(first.code, 0, "{}", first.all());
    let second = repo.run(&["run"]);
    assert_eq!(second.code, 0, "{}", second.all());
    assert!(
        second.stdout.contains("[build/build] ↺ cached"),
        "{}",
        second.stdout
    );
    assert_eq!(repo.read("used"), "got s-x\ngot s-x\n");
}
