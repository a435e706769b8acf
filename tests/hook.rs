//! The pre-push hook, with real `git push` to a local bare repository.

mod common;

use common::Repo;

const PIPELINE: &str = "version: 1
stages:
  - name: check
    run: grep -q good state.txt
";

/// A committed repository whose `origin` is a fresh bare repository.
fn with_remote() -> (Repo, tempfile::TempDir) {
    let repo = Repo::new(PIPELINE);
    repo.write("state.txt", "good\n");
    repo.git(&["init", "-q", "-b", "main"]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "good"]);
    let bare = tempfile::tempdir().unwrap();
    let out = std::process::Command::new("git")
        .args(["init", "-q", "--bare"])
        .arg(bare.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    repo.git(&["remote", "add", "origin", bare.path().to_str().unwrap()]);
    (repo, bare)
}

/// `git push ARGS`, returning whether it succeeded and what it printed.
fn push(repo: &Repo, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new("git")
        .arg("push")
        .args(args)
        .current_dir(repo.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn remote_sha(bare: &tempfile::TempDir, branch: &str) -> Option<String> {
    let out = std::process::Command::new("git")
        .args(["rev-parse", "--verify", "-q", branch])
        .current_dir(bare.path())
        .output()
        .unwrap();
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[test]
fn a_passing_pipeline_lets_the_push_through_and_a_failing_one_blocks_it() {
    let (repo, bare) = with_remote();
    let install = repo.run(&["hook", "install"]);
    assert_eq!(install.code, 0, "{}", install.all());
    let (ok, text) = push(&repo, &["origin", "main"]);
    assert!(ok, "{text}");
    assert_eq!(
        remote_sha(&bare, "main"),
        Some(repo.git(&["rev-parse", "HEAD"]))
    );
    assert!(
        repo.run_json(1)["snapshot"]["commit"].is_string(),
        "the hook ran a snapshot run"
    );

    let good = repo.git(&["rev-parse", "HEAD"]);
    repo.write("state.txt", "bad\n");
    repo.git(&["commit", "-q", "-am", "bad"]);
    let (ok, text) = push(&repo, &["origin", "main"]);
    assert!(!ok, "a failing pipeline must block the push: {text}");
    assert!(text.contains("push stopped"), "{text}");
    assert_eq!(
        remote_sha(&bare, "main"),
        Some(good),
        "the remote is unchanged"
    );

    let (ok, text) = push(&repo, &["--no-verify", "origin", "main"]);
    assert!(ok, "--no-verify bypasses the hook: {text}");
}

#[test]
fn the_hook_checks_the_pushed_commit_not_the_work_tree() {
    let (repo, _bare) = with_remote();
    assert_eq!(repo.run(&["hook", "install"]).code, 0);
    repo.write("state.txt", "bad, but not committed\n");
    let (ok, text) = push(&repo, &["origin", "main"]);
    assert!(ok, "uncommitted changes must not fail the push: {text}");
}

#[test]
fn an_existing_hook_is_chained_and_restored() {
    let (repo, _bare) = with_remote();
    let hook = repo.path().join(".git/hooks/pre-push");
    let original = "#!/bin/sh\ncat > pushed-refs.txt\necho \"$1\" > hook-args.txt\n";
    std::fs::write(&hook, original).unwrap();
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(&hook)
        .status()
        .unwrap();
    let install = repo.run(&["hook", "install"]);
    assert_eq!(install.code, 0);
    assert!(install.stdout.contains("runs first"), "{}", install.stdout);
    assert!(repo
        .run(&["hook", "status"])
        .stdout
        .contains("gantry-chained"));
    let (ok, text) = push(&repo, &["origin", "main"]);
    assert!(ok, "{text}");
    assert!(
        repo.read("pushed-refs.txt").contains("refs/heads/main"),
        "the chained hook got git's stdin"
    );
    assert_eq!(repo.read("hook-args.txt").trim(), "origin");
    assert!(
        repo.path().join(".gantry/runs/1/run.json").exists(),
        "and gantry ran after it"
    );

    let uninstall = repo.run(&["hook", "uninstall"]);
    assert_eq!(uninstall.code, 0);
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), original);
    assert!(!repo
        .path()
        .join(".git/hooks/pre-push.gantry-chained")
        .exists());
}

#[test]
fn a_failing_chained_hook_blocks_the_push_before_gantry_runs() {
    let (repo, _bare) = with_remote();
    let hook = repo.path().join(".git/hooks/pre-push");
    std::fs::write(&hook, "#!/bin/sh\nexit 7\n").unwrap();
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(&hook)
        .status()
        .unwrap();
    assert_eq!(repo.run(&["hook", "install"]).code, 0);
    let (ok, _) = push(&repo, &["origin", "main"]);
    assert!(!ok);
    assert!(!repo.path().join(".gantry/runs").exists());
}

#[test]
fn core_hooks_path_is_honoured_and_status_says_so() {
    let (repo, _bare) = with_remote();
    repo.git(&["config", "core.hooksPath", ".githooks"]);
    assert_eq!(repo.run(&["hook", "install"]).code, 0);
    assert!(repo.path().join(".githooks/pre-push").exists());
    assert!(!repo.path().join(".git/hooks/pre-push").exists());
    let status = repo.run(&["hook", "status"]);
    assert!(
        status.stdout.contains("core.hooksPath")
            && status.stdout.contains("gantry's hook is installed")
    );
    let (ok, text) = push(&repo, &["origin", "main"]);
    assert!(ok, "{text}");
    assert!(repo.path().join(".gantry/runs/1").exists());
}

#[test]
fn deleting_a_remote_branch_runs_nothing() {
    let (repo, bare) = with_remote();
    let (ok, _) = push(&repo, &["origin", "main", "main:old"]);
    assert!(ok);
    assert_eq!(repo.run(&["hook", "install"]).code, 0);
    let (ok, text) = push(&repo, &["origin", ":old"]);
    assert!(ok, "{text}");
    assert_eq!(remote_sha(&bare, "old"), None);
    assert!(
        !repo.path().join(".gantry/runs").exists(),
        "a deletion is not checked"
    );
}

#[test]
fn uninstall_leaves_a_foreign_hook_alone() {
    let (repo, _bare) = with_remote();
    let hook = repo.path().join(".git/hooks/pre-push");
    std::fs::write(&hook, "#!/bin/sh\nexit 0\n").unwrap();
    let out = repo.run(&["hook", "uninstall"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("not gantry's hook"));
    assert!(hook.exists());
}
