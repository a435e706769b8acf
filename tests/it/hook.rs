//! The pre-push hook, with real `git push` to a local bare repository.

use crate::common;

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

/// Checks, a gate and a deployment: what a push may run, and what it may not.
const WITH_DEPLOY: &str = "version: 1
stages:
  - name: check
    run: grep -q good state.txt
  - name: gate
    approval: Ship it?
  - name: ship
    deploy: { group: dev }
deploy_groups:
  dev: { instances: 1 }
";

/// The names of the stages run `id` ran.
fn stages_run(repo: &Repo, id: u64) -> Vec<String> {
    repo.run_json(id)["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect()
}

/// A committed repository with `config` as its pipeline and a bare remote.
fn with_pipeline(config: &str) -> (Repo, tempfile::TempDir) {
    let (repo, bare) = with_remote();
    repo.write("gantry.yml", config);
    repo.git(&["commit", "-q", "-am", "pipeline"]);
    (repo, bare)
}

/// `git push ARGS` in a new session: no controlling terminal at all.
/// Returns whether it succeeded, and stderr followed by stdout.
fn push_without_terminal(repo: &Repo, args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    use std::os::unix::process::CommandExt;
    let mut command = std::process::Command::new("git");
    command
        .arg("push")
        .args(args)
        .current_dir(repo.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GANTRY_APPROVE")
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::null());
    // SAFETY: setsid is async-signal-safe; it detaches from the terminal.
    unsafe {
        command.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let out = command.output().unwrap();
    // stderr first: the hook's own lines go there, the run's report to stdout.
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    (out.status.success(), text)
}

/// `git push ARGS` on a pseudo-terminal (util-linux `script`), typing `typed`.
fn push_on_terminal(repo: &Repo, args: &str, typed: &str) -> (bool, String) {
    use std::io::Write;
    let mut child = std::process::Command::new("script")
        .args(["-qec", &format!("git push {args}"), "/dev/null"])
        .current_dir(repo.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GANTRY_APPROVE")
        .env("TERM", "dumb")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(typed.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn by_default_a_push_runs_no_deploy_and_no_gate_and_its_first_line_says_so() {
    let (repo, bare) = with_pipeline(WITH_DEPLOY);
    assert_eq!(repo.run(&["hook", "install"]).code, 0);
    let (ok, text) = push_without_terminal(&repo, &["origin", "main"], &[]);
    assert!(ok, "{text}");
    let first = text.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("gantry: checking ") && first.contains("runs check —"),
        "first line: {text}"
    );
    assert!(
        first.contains("gate (asks for approval)") && first.contains("ship (deploys)"),
        "{first}"
    );
    assert_eq!(stages_run(&repo, 1), ["check"]);
    assert!(
        !repo.path().join(".gantry/targets").exists(),
        "a push never deploys"
    );
    assert!(remote_sha(&bare, "main").is_some());
    let status = repo.run(&["hook", "status"]);
    assert!(
        status
            .stdout
            .contains("neither deploy nor ask for approval"),
        "{}",
        status.stdout
    );
}

#[test]
fn install_records_to_and_skip_and_refuses_unknown_stages() {
    let (repo, _bare) = with_pipeline(WITH_DEPLOY);
    let bad = repo.run(&["hook", "install", "--to", "nope"]);
    assert_eq!(bad.code, 2, "{}", bad.all());
    assert!(
        bad.stderr.contains("no stage named `nope`"),
        "{}",
        bad.stderr
    );
    assert!(!repo.path().join(".git/hooks/pre-push").exists());

    assert_eq!(repo.run(&["hook", "install", "--skip", "check"]).code, 0);
    let (ok, text) = push_without_terminal(&repo, &["origin", "main"], &[]);
    assert!(ok, "{text}");
    assert!(text.contains("no stage to run"), "{text}");
    assert!(!repo.path().join(".gantry/runs").exists(), "nothing ran");

    // Reinstalling replaces gantry's own hook (nothing is chained).
    let again = repo.run(&["hook", "install", "--all", "--to", "check"]);
    assert!(
        again.stdout.contains("updated the pre-push hook in "),
        "{}",
        again.stdout
    );
    assert!(!repo
        .path()
        .join(".git/hooks/pre-push.gantry-chained")
        .exists());
    repo.write("state.txt", "good, again\n");
    repo.git(&["commit", "-q", "-am", "again"]);
    let (ok, text) = push_without_terminal(&repo, &["origin", "main"], &[]);
    assert!(ok, "{text}");
    assert!(text.contains("up to check (--to)"), "{text}");
    assert_eq!(stages_run(&repo, 1), ["check"]);
}

#[test]
fn a_gate_in_a_push_without_a_terminal_fails_closed_and_says_how_to_approve() {
    let (repo, bare) = with_pipeline(WITH_DEPLOY);
    let before = remote_sha(&bare, "main");
    assert_eq!(
        repo.run(&["hook", "install", "--all", "--to", "gate"]).code,
        0
    );
    let (ok, text) = push_without_terminal(&repo, &["origin", "main"], &[]);
    assert!(!ok, "no terminal: the gate must fail closed: {text}");
    assert!(
        text.contains("GANTRY_APPROVE=1") && text.contains("--yes"),
        "{text}"
    );
    assert!(text.contains("gantry hook install --to"), "{text}");
    assert_eq!(remote_sha(&bare, "main"), before, "nothing was pushed");

    let (ok, text) = push_without_terminal(&repo, &["origin", "main"], &[("GANTRY_APPROVE", "1")]);
    assert!(ok, "GANTRY_APPROVE=1 approves: {text}");
    assert_eq!(
        common::action_status(&repo.run_json(2), "gate", "gate"),
        "passed"
    );
}

#[test]
fn a_gate_in_a_push_asks_on_the_terminal() {
    if !common::have_program("script", "apt-get install bsdutils") {
        return;
    }
    let (repo, bare) = with_pipeline(WITH_DEPLOY);
    let before = remote_sha(&bare, "main");
    assert_eq!(
        repo.run(&["hook", "install", "--all", "--to", "gate"]).code,
        0
    );
    let (ok, text) = push_on_terminal(&repo, "origin main", "n\n");
    assert!(!ok, "answering n blocks the push: {text}");
    assert!(text.contains("Ship it? [y/N]"), "the question: {text}");
    assert!(text.contains("rejected"), "{text}");
    assert_eq!(remote_sha(&bare, "main"), before);

    let (ok, text) = push_on_terminal(&repo, "origin main", "y\n");
    assert!(ok, "answering y lets the push through: {text}");
    assert_eq!(
        remote_sha(&bare, "main"),
        Some(repo.git(&["rev-parse", "HEAD"]))
    );
    assert_eq!(
        common::action_status(&repo.run_json(2), "gate", "gate"),
        "passed"
    );
}

/// Writes an executable hook script at `path`.
fn write_hook(path: &std::path::Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn a_dangling_symlink_hook_is_kept_as_a_symlink_and_put_back() {
    let (repo, _bare) = with_remote();
    let hooks = repo.path().join(".git/hooks");
    let hook = hooks.join("pre-push");
    std::os::unix::fs::symlink("../../team/pre-push-not-there", &hook).unwrap();
    let install = repo.run(&["hook", "install"]);
    assert_eq!(install.code, 0, "{}", install.all());
    let chained = hooks.join("pre-push.gantry-chained");
    assert_eq!(
        std::fs::read_link(&chained).unwrap(),
        std::path::Path::new("../../team/pre-push-not-there"),
        "the link itself was moved aside"
    );
    let (ok, text) = push(&repo, &["origin", "main"]);
    assert!(
        ok,
        "a dangling chained hook is not run, as git would not: {text}"
    );
    assert_eq!(repo.run(&["hook", "uninstall"]).code, 0);
    assert_eq!(
        std::fs::read_link(&hook).unwrap(),
        std::path::Path::new("../../team/pre-push-not-there")
    );
    assert!(std::fs::symlink_metadata(&chained).is_err());
}

#[test]
fn a_user_hook_that_mentions_gantrys_marker_is_still_the_users() {
    let (repo, _bare) = with_remote();
    let hook = repo.path().join(".git/hooks/pre-push");
    let original = "#!/bin/sh\n# copied from a hook installed by `gantry hook install`\necho mine > mine.txt\n";
    write_hook(&hook, original);
    let install = repo.run(&["hook", "install"]);
    assert!(install.stdout.contains("runs first"), "{}", install.all());
    assert_eq!(
        repo.read(".git/hooks/pre-push.gantry-chained"),
        original,
        "moved aside, not overwritten"
    );
    let (ok, text) = push(&repo, &["origin", "main"]);
    assert!(ok, "{text}");
    assert_eq!(repo.read("mine.txt"), "mine\n", "and it still runs");
    assert_eq!(repo.run(&["hook", "uninstall"]).code, 0);
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), original);

    // Alone (nothing chained), such a hook is not removed by uninstall.
    let out = repo.run(&["hook", "uninstall"]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), original);
}

#[test]
fn a_symlinked_hook_in_a_shared_hooks_path_is_moved_aside_and_restored_as_a_link() {
    let (repo, _bare) = with_remote();
    // Another repository's gantry hook, shared through a link: byte for
    // byte gantry's, but the link is the user's.
    let (other, _other_bare) = with_remote();
    assert_eq!(other.run(&["hook", "install"]).code, 0);
    let target = other.path().join(".git/hooks/pre-push");
    let target_bytes = std::fs::read(&target).unwrap();
    let shared = tempfile::tempdir().unwrap();
    let hook = shared.path().join("pre-push");
    std::os::unix::fs::symlink(&target, &hook).unwrap();
    repo.git(&["config", "core.hooksPath", shared.path().to_str().unwrap()]);

    let install = repo.run(&["hook", "install"]);
    assert_eq!(install.code, 0, "{}", install.all());
    let chained = shared.path().join("pre-push.gantry-chained");
    assert_eq!(std::fs::read_link(&chained).unwrap(), target);
    assert!(!std::fs::symlink_metadata(&hook)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(repo.run(&["hook", "uninstall"]).code, 0);
    assert_eq!(
        std::fs::read_link(&hook).unwrap(),
        target,
        "the link is back"
    );
    assert_eq!(
        std::fs::read(&target).unwrap(),
        target_bytes,
        "its target untouched"
    );
    assert!(std::fs::symlink_metadata(&chained).is_err());
}

#[test]
fn a_stale_chained_hook_is_never_run_nor_activated() {
    let (repo, _bare) = with_remote();
    let hooks = repo.path().join(".git/hooks");
    let stale = hooks.join("pre-push.gantry-chained");
    let stale_text = "#!/bin/sh\necho ran > stale-ran.txt\nexit 1\n";
    write_hook(&stale, stale_text);

    let install = repo.run(&["hook", "install"]);
    assert_eq!(install.code, 0, "{}", install.all());
    assert!(
        install.stdout.contains("never runs it"),
        "{}",
        install.stdout
    );
    let status = repo.run(&["hook", "status"]);
    assert!(
        status.stdout.contains("stale: ") && status.stdout.contains("is not run by anything"),
        "{}",
        status.stdout
    );
    let (ok, text) = push(&repo, &["origin", "main"]);
    assert!(ok, "{text}");
    assert!(
        !repo.path().join("stale-ran.txt").exists(),
        "the stale hook did not run"
    );

    let uninstall = repo.run(&["hook", "uninstall"]);
    assert_eq!(uninstall.code, 0, "{}", uninstall.all());
    assert!(
        std::fs::symlink_metadata(hooks.join("pre-push")).is_err(),
        "the stale file was not activated"
    );
    assert_eq!(std::fs::read_to_string(&stale).unwrap(), stale_text);

    // A foreign hook next to a stale file: install refuses and changes nothing.
    let mine = "#!/bin/sh\nexit 0\n";
    write_hook(&hooks.join("pre-push"), mine);
    let refused = repo.run(&["hook", "install"]);
    assert_eq!(refused.code, 2, "{}", refused.all());
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-push")).unwrap(),
        mine
    );
    assert_eq!(std::fs::read_to_string(&stale).unwrap(), stale_text);
}

#[test]
fn a_hook_installed_by_an_older_gantry_is_replaced_not_chained() {
    let (repo, _bare) = with_remote();
    let hook = repo.path().join(".git/hooks/pre-push");
    let gantry = common::gantry_bin().display().to_string();
    let legacy = format!(
        "#!/bin/sh\n\
         # gantry pre-push hook, installed by `gantry hook install`; remove it with `gantry hook uninstall`.\n\
         # Runs the pipeline on a clean snapshot of each commit being pushed.\n\
         # `git push --no-verify` skips it.\n\
         gantry='{gantry}'\n\
         [ -x \"$gantry\" ] || gantry=gantry\n\
         exec \"$gantry\" hook pre-push \"$@\"\n"
    );
    write_hook(&hook, &legacy);
    let install = repo.run(&["hook", "install"]);
    assert!(
        install.stdout.contains("updated the pre-push hook in "),
        "{}",
        install.all()
    );
    assert!(std::fs::symlink_metadata(hook.with_file_name("pre-push.gantry-chained")).is_err());
}

#[test]
fn the_hook_reads_included_files_from_the_pushed_commit() {
    let (repo, _bare) = with_remote();
    repo.write(
        "gantry.yml",
        "version: 1\ninclude: [ci/more.yml]\nstages:\n  - name: check\n    run: grep -q good state.txt\n",
    );
    repo.write(
        "ci/more.yml",
        "stages:\n  - name: more\n    run: echo more > more.txt\n",
    );
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "include"]);
    assert_eq!(repo.run(&["hook", "install"]).code, 0);
    repo.write("ci/more.yml", "stages: [ not valid, uncommitted\n");
    let (ok, text) = push(&repo, &["origin", "main"]);
    assert!(
        ok,
        "the committed include is read, not the work tree's: {text}"
    );
    let run = repo.run_json(1);
    assert_eq!(common::action_status(&run, "more", "more"), "passed");
}
