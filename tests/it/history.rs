//! `gantry history` and `gantry logs`.

use crate::common;

use std::time::Duration;

use common::{action_status, wait_for_file, Repo};

const TWO_STAGES: &str = "version: 1
stages:
  - name: build
    run: echo building
  - name: test
    run: echo testing; exit ${env.CODE}
";

#[test]
fn history_lists_runs_newest_first_with_commit_and_status() {
    let repo = Repo::committed(TWO_STAGES);
    let sha = repo.git(&["rev-parse", "--short=7", "HEAD"]);
    assert_eq!(repo.run(&["run", "--env", "CODE=0"]).code, 0);
    assert_eq!(repo.run(&["run", "--env", "CODE=3"]).code, 1);
    let out = repo.run(&["history"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(
        lines[0].starts_with("RUN") && lines[0].contains("COMMIT") && lines[0].contains("STATUS")
    );
    assert!(
        lines[1].starts_with("2 ") && lines[1].contains("failed") && lines[1].contains(&sha),
        "{}",
        out.stdout
    );
    assert!(lines[2].starts_with("1 ") && lines[2].contains("passed") && lines[2].contains("main"));
    assert_eq!(repo.run(&["history", "-n", "1"]).stdout.lines().count(), 2);
}

#[test]
fn logs_print_the_latest_run_a_chosen_run_and_only_failures() {
    let repo = Repo::new(TWO_STAGES);
    assert_eq!(repo.run(&["run", "--env", "CODE=0"]).code, 0);
    assert_eq!(repo.run(&["run", "--env", "CODE=4"]).code, 1);
    let latest = repo.run(&["logs"]);
    assert!(
        latest
            .stdout
            .contains("==> build/build (passed)\nbuilding\n"),
        "{}",
        latest.stdout
    );
    assert!(latest
        .stdout
        .contains("==> test/test (failed)\ntesting\ngantry: exit code 4"));
    let failed = repo.run(&["logs", "--failed"]);
    assert!(!failed.stdout.contains("build/build") && failed.stdout.contains("test/test"));
    let first = repo.run(&["logs", "1", "test"]);
    assert!(first.stdout.contains("test/test (passed)") && !first.stdout.contains("build"));
    let missing = repo.run(&["logs", "9"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("no run 9"));
    let unknown = repo.run(&["logs", "nope/x"]);
    assert_eq!(unknown.code, 2);
}

#[test]
fn pruning_never_deletes_a_run_still_in_progress() {
    // Run 1 waits for `go`; meanwhile run 2 finishes and prunes to one run.
    let repo = Repo::new(
        "version: 1
keep_runs: 1
stages:
  - name: wait
    run: 'if [ \"$GANTRY_RUN_ID\" = 1 ]; then touch started; while [ ! -e go ]; do sleep 0.02; done; fi; echo done'
",
    );
    let first = repo
        .command(&["run"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    assert!(wait_for_file(&repo, "started", Duration::from_secs(10)));
    let second = repo.run(&["run"]);
    assert_eq!(second.code, 0, "{}", second.all());
    assert!(
        repo.path().join(".gantry/runs/1").is_dir(),
        "the run in progress was pruned"
    );
    repo.write("go", "");
    let first = first.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert_eq!(first.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
    assert_eq!(action_status(&repo.run_json(1), "wait", "wait"), "passed");
    assert!(repo.read(".gantry/runs/1/wait/wait.log").contains("done"));
}

#[test]
fn a_record_that_cannot_be_written_is_reported_without_changing_the_outcome() {
    // The action puts a directory where run.json goes, so writing it fails.
    let repo = Repo::new(
        "version: 1
stages:
  - name: block
    run: mkdir -p .gantry/runs/1/run.json/x
",
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stderr.contains("cannot write") && out.stderr.contains("run.json"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("outcome stands: passed"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_run_reuses_the_files_of_the_run_it_prunes_without_their_old_contents() {
    // Run 1 writes a long log and run 2 a short one into the same file names;
    // run 3 prunes run 1 and reuses its files.
    let repo = Repo::new(
        "version: 1
keep_runs: 2
cache: false
stages:
  - name: build
    actions:
      - { name: long, run: 'if [ \"$GANTRY_RUN_ID\" = 1 ]; then seq 1000; fi; echo run $GANTRY_RUN_ID' }
      - { name: kept, run: 'echo kept by run $GANTRY_RUN_ID' }
",
    );
    assert_eq!(repo.run(&["run"]).code, 0);
    // Someone keeps run 1's log by a hard link: it must survive the pruning intact.
    std::fs::hard_link(
        repo.path().join(".gantry/runs/1/build/kept.log"),
        repo.path().join("kept.log"),
    )
    .unwrap();
    assert_eq!(repo.run(&["run"]).code, 0);
    let inode = |path: &str| {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(repo.path().join(path)).unwrap().ino()
    };
    let reusable = inode(".gantry/runs/1/build/long.log");
    let third = repo.run(&["run"]);
    assert_eq!(third.code, 0, "{}", third.all());
    assert_eq!(repo.read(".gantry/runs/3/build/long.log"), "run 3\n");
    assert_eq!(inode(".gantry/runs/3/build/long.log"), reusable);
    assert_eq!(
        repo.read(".gantry/runs/3/build/kept.log"),
        "kept by run 3\n"
    );
    assert_eq!(repo.read("kept.log"), "kept by run 1\n");
    let mut left: Vec<String> = std::fs::read_dir(repo.path().join(".gantry/runs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["2", "3"], "pruned run 1 and left nothing behind");
}
