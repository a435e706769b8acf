//! `matrix:` on an action: expansion into named cells, `${matrix.NAME}`,
//! `include:`/`exclude:`, `fail_fast:`, `max_parallel:`, selection and
//! located errors — the real binary on temp repos.

use crate::common;

use common::Repo;

/// `(action, status)` of every action of `stage` in run `id`, in order.
fn statuses(repo: &Repo, id: u64, stage: &str) -> Vec<(String, String)> {
    let run = repo.run_json(id);
    run["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == stage)
        .unwrap_or_else(|| panic!("no stage {stage} in {run}"))["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["action"].as_str().unwrap().to_string(),
                a["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(a, s)| (a.to_string(), s.to_string()))
        .collect()
}

#[test]
fn a_failed_cell_skips_the_cells_not_started_and_stops_the_running_ones() {
    // 2×2 minus one excluded cell = 3 cells, two at a time: (3.11, a) and
    // (3.11, b) start; b fails once a is running; a is stopped before it
    // can finish, (3.12, a) never starts.
    let repo = Repo::new(
        r#"version: 1
stages:
  - name: test
    actions:
      - name: unit
        cache: false
        matrix:
          python: ["3.11", "3.12"]
          os_pkg: [a, b]
          exclude:
            - { python: "3.12", os_pkg: b }
        max_parallel: 2
        run: |
          touch "started-${matrix.python}-${matrix.os_pkg}"
          if [ "${matrix.os_pkg}" = b ]; then
            while [ ! -e started-3.11-a ]; do sleep 0.02; done
            exit 3
          fi
          sleep 30
          touch "finished-${matrix.python}-${matrix.os_pkg}"
  - name: after
    run: touch after-ran
"#,
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert_eq!(
        statuses(&repo, 1, "test"),
        pairs(&[
            ("unit (python=3.11, os_pkg=a)", "skipped"),
            ("unit (python=3.11, os_pkg=b)", "failed"),
            ("unit (python=3.12, os_pkg=a)", "skipped"),
        ])
    );
    assert_eq!(statuses(&repo, 1, "after"), pairs(&[("after", "skipped")]));
    let run = repo.run_json(1);
    let actions = run["stages"][0]["actions"].as_array().unwrap();
    assert_eq!(
        actions[0]["reason"],
        "stopped: `unit (python=3.11, os_pkg=b)` failed and `fail_fast` is on"
    );
    assert_eq!(
        actions[2]["reason"],
        "`unit (python=3.11, os_pkg=b)` failed and `fail_fast` is on"
    );
    assert_eq!(run["status"], "failed");
    assert!(repo.path().join("started-3.11-a").exists());
    assert!(!repo.path().join("finished-3.11-a").exists());
    assert!(!repo.path().join("started-3.12-a").exists());
    assert!(!repo.path().join("after-ran").exists());
    // The stopped cell's log is there, under its cell name.
    assert!(repo
        .path()
        .join(".gantry/runs/1/test/unit (python=3.11, os_pkg=a).log")
        .exists());
}

#[test]
fn include_adds_keys_and_cells_and_without_fail_fast_every_cell_runs() {
    let repo = Repo::new(
        r#"version: 1
stages:
  - name: test
    cache: false
    matrix:
      v: [1, 2]
      include:
        - { v: 2, extra: x }
        - { v: 3, extra: "a/b" }
    fail_fast: false
    run: |
      echo "v=${matrix.v} extra=${matrix.extra} name=${action.name}" > "out-${matrix.v}"
      [ "${matrix.v}" != 1 ]
"#,
    );
    let list = repo.run(&["list"]);
    assert!(
        list.stdout.contains("test (v=3, extra=a/b)"),
        "{}",
        list.all()
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert_eq!(
        statuses(&repo, 1, "test"),
        pairs(&[
            ("test (v=1)", "failed"),
            ("test (v=2, extra=x)", "passed"),
            ("test (v=3, extra=a/b)", "passed"),
        ])
    );
    assert_eq!(repo.read("out-1"), "v=1 extra= name=test (v=1)\n");
    assert_eq!(repo.read("out-2"), "v=2 extra=x name=test (v=2, extra=x)\n");
    assert_eq!(
        repo.read("out-3"),
        "v=3 extra=a/b name=test (v=3, extra=a/b)\n"
    );
    // A `/` in a value does not make a directory of the log's name.
    assert!(repo
        .path()
        .join(".gantry/runs/1/test/test (v=3, extra=a_b).log")
        .exists());
}

#[test]
fn selecting_the_action_runs_every_cell_and_a_cell_runs_alone() {
    let repo = Repo::new(
        r#"version: 1
stages:
  - name: test
    actions:
      - name: unit
        cache: false
        matrix: { os: [a, b] }
        run: touch "ran-${matrix.os}-${run.id}"
      - name: lint
        run: touch "lint-${run.id}"
"#,
    );
    let dry = repo.run(&["run", "--dry-run", "test/unit"]);
    assert_eq!(dry.code, 0, "{}", dry.all());
    assert!(dry.stdout.contains("unit (os=a)") && dry.stdout.contains("unit (os=b)"));
    let graph = repo.run(&["graph"]);
    assert!(graph.stdout.contains("unit (os=b)"), "{}", graph.all());

    let out = repo.run(&["run", "test/unit"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(
        statuses(&repo, 1, "test"),
        pairs(&[("unit (os=a)", "passed"), ("unit (os=b)", "passed")])
    );
    assert!(!repo.path().join("lint-1").exists());

    let out = repo.run(&["run", "test/unit (os=b)"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(
        statuses(&repo, 2, "test"),
        pairs(&[("unit (os=b)", "passed")])
    );
    assert!(!repo.path().join("ran-a-2").exists());
    assert!(repo.path().join("ran-b-2").exists());
}

#[test]
fn max_parallel_one_runs_cells_one_at_a_time() {
    // Cell 1 waits (up to `tries` × 20ms) for cell 2 to start; cell 2 fails
    // if cell 1 had not finished when it started (checked before it says so). Run together, cell 2 starts while
    // cell 1 waits and fails (cell 1 waits up to 30s: a loaded machine may
    // start cell 2 late); one at a time, both pass (cell 1 waits 1s in vain).
    let config = |max_parallel: &str, tries: u32| {
        format!(
            r#"version: 1
stages:
  - name: test
    actions:
      - name: cell
        cache: false
        fail_fast: false
        {max_parallel}
        matrix: {{ n: [1, 2] }}
        run: |
          if [ ${{matrix.n}} = 1 ]; then
            i=0
            while [ ! -e started-2 ] && [ $i -lt {tries} ]; do sleep 0.02; i=$((i+1)); done
            touch done-1
          else
            finished=no; [ -e done-1 ] && finished=yes
            touch started-2
            [ $finished = yes ]
          fi
"#
        )
    };
    let repo = Repo::new(&config("max_parallel: 1", 50));
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(
        statuses(&repo, 1, "test"),
        pairs(&[("cell (n=1)", "passed"), ("cell (n=2)", "passed")])
    );

    // The same cells without the limit do overlap: the check can fail.
    let together = Repo::new(&config("", 1500));
    let out = together.run(&["run"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert_eq!(
        statuses(&together, 1, "test"),
        pairs(&[("cell (n=1)", "passed"), ("cell (n=2)", "failed")])
    );
}

#[test]
fn a_bad_matrix_is_a_located_error() {
    let repo = Repo::new(
        r#"version: 1
stages:
  - name: test
    actions:
      - name: unit
        matrix:
          python: []
          os: [a]
          exclude: [{ pyhton: "3.12" }]
        max_parallel: 0
        run: echo ${matrix.pyton}
      - name: lint
        fail_fast: false
        run: echo ${matrix.os}
  - name: all-out
    matrix: { a: [1], exclude: [{ a: 1 }] }
    run: "true"
"#,
    );
    let out = repo.run(&["validate"]);
    assert_ne!(out.code, 0, "{}", out.all());
    let text = out.all();
    for expected in [
        "gantry.yml:7:19",
        "matrix `python` has no values",
        "gantry.yml:9:23",
        "`exclude:` names `pyhton`, which is not a matrix axis",
        "gantry.yml:10:23",
        "`max_parallel:` must be at least 1",
        "gantry.yml:11:19",
        "unknown matrix variable `${matrix.pyton}`",
        "did you mean `${matrix.python}`?",
        "gantry.yml:13:20",
        "`fail_fast:` without `matrix:`",
        "gantry.yml:14:19",
        "`${matrix.os}` outside a matrix action",
        "gantry.yml:16:13",
        "the matrix has no cells",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // Nothing runs.
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(!repo.path().join(".gantry/runs/1/run.json").exists());
}

#[test]
fn export_keeps_every_cell_of_a_matrix() {
    let repo = Repo::new(
        "version: 1\nstages:\n  - name: test\n    matrix: { os: [a, b] }\n    run: echo ${matrix.os}\n",
    );
    let export = |target: &str| {
        let out = repo.run(&["export", target]);
        assert_eq!(out.code, 0, "{target}: {}", out.all());
        out.stdout
    };
    let github = export("github-actions");
    assert!(
        github.contains("- os: a\n") && github.contains("- os: b\n"),
        "{github}"
    );
    assert!(github.contains("echo ${{ matrix.os }}"), "{github}");
    let gitlab = export("gitlab-ci");
    assert!(gitlab.contains("parallel:\n    matrix:"), "{gitlab}");
    assert!(gitlab.contains("echo ${os}"), "{gitlab}");
    let codebuild = export("codebuild");
    assert!(
        codebuild.contains("echo a") && codebuild.contains("echo b"),
        "{codebuild}"
    );
}
