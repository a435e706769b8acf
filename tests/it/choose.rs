//! `gantry run --choose`: a fuzzy picker on a terminal (driven under a
//! pseudo-terminal by typing a filter and Enter), and a clear refusal
//! without one.

use crate::common;

use common::{run_on_tty, Repo};

const PIPELINE: &str = "version: 1
stages:
  - name: lint
    run: echo lint >> ran.txt
  - name: test
    actions:
      - { name: unit, run: echo unit >> ran.txt }
      - { name: e2e, run: echo e2e >> ran.txt }
";

#[test]
fn typing_a_filter_and_enter_runs_the_chosen_stage() {
    let repo = Repo::new(PIPELINE);
    let Some(out) = run_on_tty(&repo, "run --choose", "lin\r") else {
        return;
    };
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(repo.read("ran.txt"), "lint\n");
    assert!(out.stdout.contains("Run (type to filter"), "{}", out.stdout);
    let run = repo.run_json(1);
    assert_eq!(run["stages"].as_array().unwrap().len(), 1, "{run}");
}

#[test]
fn a_chosen_action_runs_alone() {
    let repo = Repo::new(PIPELINE);
    let Some(out) = run_on_tty(&repo, "run --choose", "e2e\r") else {
        return;
    };
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(repo.read("ran.txt"), "e2e\n");
}

#[test]
fn without_a_terminal_choose_refuses_and_says_what_to_do() {
    let repo = Repo::new(PIPELINE);
    let out = repo.run(&["run", "--choose"]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr.contains("--choose needs a terminal"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("gantry run STAGE"), "{}", out.stderr);
    assert!(!repo.path().join("ran.txt").exists());
}

#[test]
fn choose_and_named_stages_do_not_mix() {
    let repo = Repo::new(PIPELINE);
    let out = repo.run(&["run", "--choose", "lint"]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("cannot be used with"), "{}", out.stderr);
}
