//! `if:` conditions on real runs: branch, environment, changed files in a
//! repository with an upstream, clean-up after a failure, and located
//! errors for bad expressions.

use crate::common;

use common::{action_status, Repo};

/// The reason recorded in run.json for `stage/action`.
fn reason(run: &serde_json::Value, stage: &str, action: &str) -> String {
    common::action_result(run, stage, action)["reason"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn branch_conditions_follow_the_checked_out_branch() {
    let repo = Repo::committed(
        "version: 1\ncache: false\nstages:\n  - name: ship\n    actions:\n      - name: main-only\n        if: git.branch == 'main'\n        run: echo main > main.out\n      - name: not-main\n        if: ${git.branch} != 'main'\n        run: echo other > other.out\n",
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(repo.path().join("main.out").exists());
    assert!(!repo.path().join("other.out").exists());
    assert!(
        out.all()
            .contains("skipped: git.branch != 'main' is false (git.branch is 'main')"),
        "{}",
        out.all()
    );
    let run = repo.run_json(1);
    assert_eq!(action_status(&run, "ship", "not-main"), "skipped");
    assert_eq!(
        reason(&run, "ship", "not-main"),
        "git.branch != 'main' is false (git.branch is 'main')"
    );

    std::fs::remove_file(repo.path().join("main.out")).unwrap();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(!repo.path().join("main.out").exists());
    assert!(repo.path().join("other.out").exists());
    assert_eq!(
        reason(&repo.run_json(2), "ship", "main-only"),
        "git.branch == 'main' is false (git.branch is 'feature')"
    );
}

#[test]
fn env_conditions_are_truthy_only_when_set_non_empty_and_not_false() {
    let repo = Repo::committed(
        "version: 1\ncache: false\nstages:\n  - name: deploy\n    if: env.DEPLOY\n    run: echo \"$DEPLOY\" >> deployed.out\n",
    );
    let run_with = |value: Option<&str>| {
        let mut command = repo.command(&["run"]);
        match value {
            Some(v) => command.env("DEPLOY", v),
            None => command.env_remove("DEPLOY"),
        };
        common::run_command(command)
    };
    let out = run_with(None);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.all()
            .contains("skipped: env.DEPLOY is false (env.DEPLOY is not set)"),
        "{}",
        out.all()
    );
    for falsy in ["", "false", "0"] {
        let out = run_with(Some(falsy));
        assert!(
            out.all().contains("skipped: env.DEPLOY is false"),
            "{}",
            out.all()
        );
    }
    assert!(!repo.path().join("deployed.out").exists());
    let out = run_with(Some("yes"));
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(repo.read("deployed.out"), "yes\n");
    // `--env` counts like the environment.
    let out = repo.run(&["run", "--env", "DEPLOY=1"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(repo.read("deployed.out"), "yes\n1\n");
}

/// A committed repository whose `main` tracks a bare `origin`.
fn with_upstream(config: &str) -> (Repo, tempfile::TempDir) {
    let repo = Repo::committed(config);
    let bare = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("git")
        .args(["init", "-q", "--bare"])
        .arg(bare.path())
        .status()
        .unwrap();
    assert!(status.success());
    repo.git(&["remote", "add", "origin", bare.path().to_str().unwrap()]);
    repo.git(&["push", "-q", "-u", "origin", "main"]);
    (repo, bare)
}

const CHANGED: &str = "version: 1\ncache: false\nstages:\n  - name: check\n    actions:\n      - name: src\n        if: changed('src/**', 'Cargo.lock')\n        run: echo > src.ran\n      - name: docs\n        if: changed('docs/**')\n        run: echo > docs.ran\n      - name: build\n        if: changed('build/**')\n        run: echo > build.ran\n";

#[test]
fn changed_paths_count_from_the_upstream_merge_base_and_uncommitted_work() {
    let (repo, _bare) = with_upstream(CHANGED);
    repo.write(".gitignore", "build/\n*.ran\n");
    repo.write("src/lib.rs", "pub fn a() {}\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "src"]);
    repo.write("build/out.txt", "ignored\n");

    // Committed but not pushed: src changed, docs did not, ignored files never.
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(repo.path().join("src.ran").exists(), "{}", out.all());
    assert!(!repo.path().join("docs.ran").exists());
    assert!(!repo.path().join("build.ran").exists());
    assert!(
        out.all().contains("skipped: changed('docs/**') is false"),
        "{}",
        out.all()
    );

    // Pushed: nothing differs from the upstream any more.
    repo.git(&["push", "-q"]);
    std::fs::remove_file(repo.path().join("src.ran")).unwrap();
    let out = repo.run(&["run"]);
    assert!(!repo.path().join("src.ran").exists(), "{}", out.all());
    assert!(
        out.all()
            .contains("skipped: changed('src/**', 'Cargo.lock') is false"),
        "{}",
        out.all()
    );

    // An untracked file counts, as does an uncommitted edit.
    repo.write("docs/new.md", "# new\n");
    repo.write("Cargo.lock", "# lock\n");
    let out = repo.run(&["run"]);
    assert!(repo.path().join("docs.ran").exists(), "{}", out.all());
    assert!(repo.path().join("src.ran").exists(), "{}", out.all());
    assert!(!repo.path().join("build.ran").exists());
}

#[test]
fn without_an_upstream_changes_count_against_head() {
    let repo = Repo::committed(CHANGED);
    repo.write(".gitignore", "*.ran\n");
    let out = repo.run(&["run"]);
    assert!(!repo.path().join("src.ran").exists(), "{}", out.all());
    repo.write("src/main.rs", "fn main() {}\n");
    let out = repo.run(&["run"]);
    assert!(repo.path().join("src.ran").exists(), "{}", out.all());
    assert!(!repo.path().join("docs.ran").exists());
}

#[test]
fn changed_globs_match_like_inputs_a_folder_name_and_star_within_one_folder() {
    let repo = Repo::committed(
        "version: 1\ncache: false\nstages:\n  - name: check\n    actions:\n      - name: folder\n        if: changed('src')\n        run: echo > folder.ran\n      - name: top-md\n        if: changed('*.md')\n        run: echo > top-md.ran\n",
    );
    repo.write(".gitignore", "*.ran\n");
    repo.write("src/deep/main.rs", "fn main() {}\n");
    repo.write("docs/guide.md", "# guide\n");
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let run = repo.run_json(1);
    assert_eq!(
        action_status(&run, "check", "folder"),
        "passed",
        "{}",
        out.all()
    );
    assert_eq!(
        reason(&run, "check", "top-md"),
        "changed('*.md') is false",
        "`*` must not cross `/`: {}",
        out.all()
    );
}

const CLEANUP: &str = "version: 1\ncache: false\nstages:\n  - name: test\n    run: test -e pass\n  - name: after\n    actions:\n      - name: on-failure\n        if: failure()\n        run: echo >> cleaned.out\n      - name: on-success\n        if: success()\n        run: echo >> succeeded.out\n";

#[test]
fn failure_clean_up_runs_only_after_a_failure() {
    let repo = Repo::committed(CLEANUP);
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(repo.path().join("cleaned.out").exists(), "{}", out.all());
    assert!(!repo.path().join("succeeded.out").exists());
    let run = repo.run_json(1);
    assert_eq!(action_status(&run, "after", "on-failure"), "passed");
    assert_eq!(action_status(&run, "after", "on-success"), "skipped");

    repo.write("pass", "");
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(repo.read("cleaned.out"), "\n", "clean-up ran again");
    assert!(repo.path().join("succeeded.out").exists());
    assert_eq!(
        reason(&repo.run_json(2), "after", "on-failure"),
        "failure() is false"
    );
}

#[test]
fn failure_within_a_stage_reaches_a_later_action_of_it() {
    let repo = Repo::committed(
        "version: 1\ncache: false\nstages:\n  - name: s\n    actions:\n      - name: boom\n        run: exit 4\n      - name: report\n        if: failure() && env.HOME\n        run: echo reported > report.out\n      - name: next\n        run: echo > next.out\n",
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert_eq!(repo.read("report.out"), "reported\n");
    assert!(!repo.path().join("next.out").exists());
}

#[test]
fn a_bad_expression_is_a_located_load_time_error() {
    let repo = Repo::committed(
        "version: 1\nstages:\n  - name: a\n    if: env.CI && git.brnch == 'main'\n    run: echo > ran.out\n  - name: b\n    actions:\n      - name: c\n        if: changed(src/**)\n        run: echo > ran.out\n",
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 2, "{}", out.all());
    let all = out.all();
    assert!(all.contains("gantry.yml:4:19"), "{all}");
    assert!(all.contains("unknown variable `git.brnch`"), "{all}");
    assert!(all.contains("did you mean `git.branch`?"), "{all}");
    assert!(all.contains("gantry.yml:9:21"), "{all}");
    assert!(all.contains("takes strings in single quotes"), "{all}");
    assert!(
        all.contains("changed('src/**', 'Cargo.lock')"),
        "hint: {all}"
    );
    assert!(!repo.path().join("ran.out").exists());
}

#[test]
fn dry_run_list_and_graph_show_conditions() {
    let repo = Repo::committed(
        "version: 1\nstages:\n  - name: docs\n    if: changed('docs/**')\n    run: echo docs\n  - name: notify\n    if: failure()\n    run: echo failed\n",
    );
    let out = repo.run(&["run", "--dry-run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout
            .contains("would skip: changed('docs/**') is false (nothing changed)"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("if: failure() (decided when reached)"),
        "{}",
        out.stdout
    );
    let list = repo.run(&["list"]);
    assert!(
        list.stdout
            .contains("[would skip: changed('docs/**') is false (nothing changed)]"),
        "{}",
        list.all()
    );
    assert!(list.stdout.contains("[if: failure()]"), "{}", list.all());
    repo.write("docs/index.md", "# docs\n");
    let graph = repo.run(&["graph"]);
    assert!(
        graph.stdout.contains("[if: changed('docs/**')]"),
        "{}",
        graph.all()
    );
    assert!(graph.stdout.contains("[if: failure()]"), "{}", graph.all());
}

#[test]
fn a_snapshot_run_asks_what_its_commit_changes_against_the_upstream() {
    let (repo, _bare) = with_upstream(CHANGED);
    repo.write("src/lib.rs", "pub fn a() {}\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "src"]);
    // Uncommitted work is not part of the snapshot.
    repo.write("docs/draft.md", "# draft\n");
    let out = repo.run(&["run", "--snapshot"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let run = repo.run_json(1);
    assert_eq!(
        action_status(&run, "check", "src"),
        "passed",
        "{}",
        out.all()
    );
    assert_eq!(
        reason(&run, "check", "docs"),
        "changed('docs/**') is false",
        "{}",
        out.all()
    );
}
