//! The daily loop: `gantry run STAGE/ACTION` (and globs), `gantry retry`,
//! `gantry logs --follow`, on real runs.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use common::{action_status, wait_for_file, write_executable, Repo};

/// build/version is a custom action giving output `tag` (and counting its
/// runs in built.txt); test/unit uses the tag and fails until `fixed` exists.
const PIPELINE: &str = "version: 1
stages:
  - name: build
    actions:
      - name: version
        uses: ./act
  - name: lint
    actions:
      - { name: clippy, run: echo clippy }
      - { name: fmt, run: echo fmt }
  - name: test
    actions:
      - name: unit
        run: 'echo \"unit ${actions.build.version.outputs.tag}\"; test -e fixed'
      - { name: after, run: echo after }
  - name: ship
    run: echo shipped
";

fn repo() -> Repo {
    let repo = Repo::new(PIPELINE);
    write_executable(
        &repo,
        "act",
        "#!/bin/sh\necho built >> built.txt\necho '{\"type\":\"result\",\"status\":\"success\",\"outputs\":{\"tag\":\"v1\"}}'\n",
    );
    repo
}

/// `stage/action` of every action in run `id`'s record.
fn recorded(repo: &Repo, id: u64) -> Vec<String> {
    repo.run_json(id)["stages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["actions"].as_array().unwrap())
        .map(|a| {
            format!(
                "{}/{}",
                a["stage"].as_str().unwrap(),
                a["action"].as_str().unwrap()
            )
        })
        .collect()
}

fn times_built(repo: &Repo) -> usize {
    std::fs::read_to_string(repo.path().join("built.txt"))
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

#[test]
fn run_selects_single_actions_and_globs() {
    let repo = repo();
    repo.write("fixed", "");
    assert_eq!(repo.run(&["run"]).code, 0);
    let out = repo.run(&["run", "*/clippy"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(recorded(&repo, 2), ["lint/clippy"]);
    let out = repo.run(&["run", "test/*", "lint/fmt"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(recorded(&repo, 3), ["lint/fmt", "test/unit", "test/after"]);
    // A whole stage beside a pattern keeps all its actions.
    assert_eq!(repo.run(&["run", "lint", "test/after"]).code, 0);
    assert_eq!(
        recorded(&repo, 4),
        ["lint/clippy", "lint/fmt", "test/after"]
    );
    let unknown = repo.run(&["run", "tset/*"]);
    assert_eq!(unknown.code, 2, "{}", unknown.all());
    assert!(
        unknown.stderr.contains("no action matches `tset/*`")
            && unknown.stderr.contains("test/unit, test/after"),
        "{}",
        unknown.stderr
    );
    assert!(!repo.path().join(".gantry/runs/5").exists());
}

#[test]
fn a_chosen_action_takes_outputs_from_the_latest_run_or_names_the_action_to_run_first() {
    let repo = repo();
    repo.write("fixed", "");
    let first = repo.run(&["run", "test/unit"]);
    assert_eq!(first.code, 2, "{}", first.all());
    assert!(
        first
            .stderr
            .contains("build/version is not part of this run")
            && first
                .stderr
                .contains("run `gantry run build/version` first"),
        "{}",
        first.stderr
    );
    assert!(!repo.path().join(".gantry/runs/1").exists());
    assert_eq!(repo.run(&["run", "build/version"]).code, 0);
    assert_eq!(times_built(&repo), 1);
    let out = repo.run(&["run", "test/unit"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(recorded(&repo, 2), ["test/unit"]);
    assert!(repo
        .read(".gantry/runs/2/test/unit.log")
        .contains("unit v1"));
    assert_eq!(times_built(&repo), 1, "build/version ran again");
    // The same for stages left out by name or --from (--no-cache: the
    // cache would rightly skip test/unit, nothing having changed).
    assert_eq!(repo.run(&["run", "--no-cache", "test"]).code, 0);
    assert_eq!(repo.run(&["run", "--no-cache", "--from", "test"]).code, 0);
    assert!(repo
        .read(".gantry/runs/4/test/unit.log")
        .contains("unit v1"));
    assert_eq!(times_built(&repo), 1, "build/version ran again");
}

#[test]
fn retry_after_a_failure_runs_only_the_failed_and_skipped_actions_and_passes() {
    let repo = repo();
    assert_eq!(repo.run(&["run"]).code, 1);
    let run1 = repo.run_json(1);
    assert_eq!(action_status(&run1, "test", "unit"), "failed");
    assert_eq!(action_status(&run1, "test", "after"), "skipped");
    assert_eq!(action_status(&run1, "ship", "ship"), "skipped");
    repo.write("fixed", "");
    let out = repo.run(&["retry"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let run2 = repo.run_json(2);
    assert_eq!(run2["retry_of"], "1");
    assert_eq!(run2["status"], "passed");
    for (stage, action) in [("build", "version"), ("lint", "clippy"), ("lint", "fmt")] {
        assert_eq!(
            action_status(&run2, stage, action),
            "cached",
            "{stage}/{action}"
        );
        assert!(!repo
            .path()
            .join(format!(".gantry/runs/2/{stage}/{action}.log"))
            .exists());
    }
    for (stage, action) in [("test", "unit"), ("test", "after"), ("ship", "ship")] {
        assert_eq!(
            action_status(&run2, stage, action),
            "passed",
            "{stage}/{action}"
        );
    }
    assert_eq!(times_built(&repo), 1, "a passed action ran again");
    // The reused action's outputs reached the retried one.
    assert!(repo
        .read(".gantry/runs/2/test/unit.log")
        .contains("unit v1"));
    let reason = &run2["stages"][0]["actions"][0]["reason"];
    assert_eq!(reason, "passed in run 1");
    let history = repo.run(&["history"]);
    let line = history.stdout.lines().nth(1).unwrap();
    assert!(
        line.starts_with("2 ") && line.contains("passed (retry of 1)"),
        "{}",
        history.stdout
    );
    let again = repo.run(&["retry"]);
    assert_eq!(again.code, 0);
    assert!(
        again.stderr.contains("run 2 passed: nothing to retry"),
        "{}",
        again.stderr
    );
    assert!(!repo.path().join(".gantry/runs/3").exists());
    let missing = repo.run(&["retry", "9"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("no run 9"), "{}", missing.stderr);
}

#[test]
fn retry_of_a_snapshot_run_runs_on_the_same_commit() {
    // The action notes the commit it ran on in MARK/shas, outside the repo,
    // and passes once MARK/fixed exists.
    let repo = Repo::committed(
        "version: 1
stages:
  - name: check
    run: 'echo $GANTRY_GIT_SHA >> ${env.MARK}/shas; test -e ${env.MARK}/fixed'
",
    );
    let mark = tempfile::tempdir().unwrap();
    let env = format!("MARK={}", mark.path().display());
    let snapshot_sha = repo.git(&["rev-parse", "HEAD"]);
    let out = repo.run(&["run", "--snapshot", "--env", &env]);
    assert_eq!(out.code, 1, "{}", out.all());
    repo.write("later.txt", "a newer commit");
    repo.git(&["add", "later.txt"]);
    repo.git(&["commit", "-q", "-m", "later"]);
    std::fs::write(mark.path().join("fixed"), "").unwrap();
    let out = repo.run(&["retry", "--env", &env]);
    assert_eq!(out.code, 0, "{}", out.all());
    let shas = std::fs::read_to_string(mark.path().join("shas")).unwrap();
    assert_eq!(shas, format!("{snapshot_sha}\n{snapshot_sha}\n"));
    assert_eq!(
        repo.run_json(2)["snapshot"]["commit"],
        snapshot_sha.as_str()
    );
}

#[test]
fn logs_follow_prints_lines_as_they_are_written() {
    // wait/w prints `first`, then waits for `go` before printing `second`.
    let repo = Repo::new(
        "version: 1
stages:
  - name: wait
    actions:
      - name: w
        run: 'echo first; touch started; while [ ! -e go ]; do sleep 0.02; done; echo second'
      - { name: z, run: echo zz }
",
    );
    let mut run = repo
        .command(&["run"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(wait_for_file(&repo, "started", Duration::from_secs(20)));
    let meanwhile = repo.run(&["logs"]);
    assert!(
        meanwhile
            .stderr
            .contains("run 1 is still in progress: `gantry logs --follow`"),
        "{}",
        meanwhile.stderr
    );
    let mut follow = repo
        .command(&["logs", "--follow"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let stdout = follow.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let _ = tx.send(line.unwrap());
        }
    });
    // `first` arrives while the action is still blocked on `go`.
    let line = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("first line");
    assert_eq!(line, "[wait/w] first");
    assert!(run.try_wait().unwrap().is_none(), "the run ended early");
    repo.write("go", "");
    let mut rest = Vec::new();
    loop {
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(line) => rest.push(line),
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => panic!("--follow did not end: {rest:?}"),
        }
    }
    assert_eq!(rest, ["[wait/w] second", "[wait/z] zz"]);
    assert!(follow.wait().unwrap().success());
    assert!(run.wait().unwrap().success());
    // After the run, --follow of one action prints its log and ends.
    let one = repo.run(&["logs", "--follow", "wait/w"]);
    assert_eq!(one.code, 0, "{}", one.all());
    assert_eq!(one.stdout, "first\nsecond\n");
    let none = repo.run(&["logs", "--follow", "wait/nope"]);
    assert_eq!(none.code, 2, "{}", none.all());
}

#[test]
fn when_no_kept_run_has_the_outputs_they_come_from_the_cache() {
    // keep_runs: 1 prunes the run that built; the cache entry remains
    // (a `uses:` action is cached only when it says `cache: true`).
    let repo = Repo::new(
        &PIPELINE
            .replace(
                "        uses: ./act\n",
                "        uses: ./act\n        inputs: [act]\n        cache: true\n",
            )
            .replace("version: 1\n", "version: 1\nkeep_runs: 1\n"),
    );
    write_executable(
        &repo,
        "act",
        "#!/bin/sh\necho built >> built.txt\necho '{\"type\":\"result\",\"status\":\"success\",\"outputs\":{\"tag\":\"v2\"}}'\n",
    );
    repo.write("fixed", "");
    assert_eq!(repo.run(&["run", "build/version"]).code, 0);
    assert_eq!(repo.run(&["run", "lint/fmt"]).code, 0);
    assert!(
        !repo.path().join(".gantry/runs/1").exists(),
        "run 1 was not pruned"
    );
    let out = repo.run(&["run", "test/unit"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(repo
        .read(".gantry/runs/3/test/unit.log")
        .contains("unit v2"));
    assert_eq!(times_built(&repo), 1);
    // With neither a run nor a cache entry, the error names the action.
    assert_eq!(repo.run(&["cache", "clean"]).code, 0);
    assert_eq!(repo.run(&["run", "lint/fmt"]).code, 0);
    let out = repo.run(&["run", "test/unit"]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr.contains("run `gantry run build/version` first"),
        "{}",
        out.stderr
    );
}

#[test]
fn retry_reuses_the_runs_env_values_but_never_writes_down_a_secret() {
    let repo = Repo::new(
        "version: 1
secrets: [TOKEN]
stages:
  - name: test
    run: test \"$MODE\" = fast && test \"$TOKEN\" = s3cret-value && test -f fixed
",
    );
    let out = repo.run(&["run", "-e", "MODE=fast", "-e", "TOKEN=s3cret-value"]);
    assert_eq!(out.code, 1, "{}", out.all());
    let run1 = repo.read(".gantry/runs/1/run.json");
    assert!(!run1.contains("s3cret-value"), "{run1}");
    let env = &repo.run_json(1)["env"];
    assert_eq!(env["MODE"], "fast");
    assert!(env["TOKEN"].is_null(), "{env}");
    repo.write("fixed", "");
    let refused = repo.run(&["retry"]);
    assert_eq!(refused.code, 2, "{}", refused.all());
    assert!(
        refused.stderr.contains("TOKEN") && refused.stderr.contains("give it again"),
        "{}",
        refused.stderr
    );
    // MODE comes from run 1; the secret is given again.
    let out = repo.run(&["retry", "-e", "TOKEN=s3cret-value"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(repo.run_json(2)["retry_of"], "1");
    assert_eq!(repo.run_json(2)["env"]["MODE"], "fast");
}
