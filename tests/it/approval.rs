//! Approval gates: fail closed without a terminal, `--yes` and
//! `GANTRY_APPROVE=1` approve, and on a terminal gantry asks.

use crate::common;

use common::{action_status, Repo};

const GATED: &str = "version: 1
stages:
  - name: build
    run: echo built
  - name: gate
    approval: Deploy ${pipeline.name} to prod?
  - name: deploy
    run: echo deployed
";

#[test]
fn without_a_terminal_a_gate_fails_closed_and_says_how_to_approve() {
    let repo = Repo::new(GATED);
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stdout.contains("no terminal to ask on"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("--yes") && out.stdout.contains("GANTRY_APPROVE=1"));
    let run = repo.run_json(1);
    assert_eq!(action_status(&run, "build", "build"), "passed");
    assert_eq!(action_status(&run, "gate", "gate"), "failed");
    assert_eq!(action_status(&run, "deploy", "deploy"), "skipped");
}

#[test]
fn yes_approves_every_gate() {
    let repo = Repo::new(GATED);
    let out = repo.run(&["run", "--yes"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stdout.contains("approved by"), "{}", out.stdout);
    assert_eq!(
        action_status(&repo.run_json(1), "deploy", "deploy"),
        "passed"
    );
}

#[test]
fn gantry_approve_1_approves_and_0_does_not() {
    let repo = Repo::new(GATED);
    let mut approve = repo.command(&["run"]);
    approve.env("GANTRY_APPROVE", "1");
    assert_eq!(common::run_command(approve).code, 0);
    let mut refuse = repo.command(&["run"]);
    refuse.env("GANTRY_APPROVE", "0");
    let out = common::run_command(refuse);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(out.stdout.contains("no terminal to ask on"));
}

#[test]
fn on_a_terminal_y_approves() {
    let repo = Repo::new(GATED);
    let Some(out) = common::run_on_tty(&repo, "run", "y\n") else {
        return;
    };
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stdout.contains("Deploy ") && out.stdout.contains("to prod? [y/N]"));
    let log = repo.read(".gantry/runs/1/gate/gate.log");
    assert!(log.contains("gantry: approved at the prompt"), "{log}");
    assert_eq!(
        action_status(&repo.run_json(1), "deploy", "deploy"),
        "passed"
    );
}

#[test]
fn on_a_terminal_n_rejects_and_stops_the_pipeline() {
    let repo = Repo::new(GATED);
    let Some(out) = common::run_on_tty(&repo, "run", "n\n") else {
        return;
    };
    assert_eq!(out.code, 1, "{}", out.all());
    let run = repo.run_json(1);
    assert_eq!(action_status(&run, "gate", "gate"), "failed");
    assert_eq!(action_status(&run, "deploy", "deploy"), "skipped");
    assert!(
        out.stdout.contains("rejected at the prompt"),
        "{}",
        out.stdout
    );
}

#[test]
fn an_unanswered_gate_times_out() {
    let repo = Repo::new(
        "version: 1
stages:
  - name: gate
    approval: Go?
    timeout: 1s
",
    );
    let Some(out) = common::run_on_tty(&repo, "run", "") else {
        return;
    };
    assert_eq!(out.code, 1, "{}", out.all());
    assert_eq!(
        action_status(&repo.run_json(1), "gate", "gate"),
        "timed_out"
    );
    assert!(out.stdout.contains("no answer within 1"), "{}", out.stdout);
    assert!(out.elapsed.as_secs() < 10);
}

#[test]
fn dry_run_and_list_show_the_question() {
    let repo = Repo::new(GATED);
    let out = repo.run(&["run", "--dry-run"]);
    assert!(out.stdout.contains("approval: Deploy "), "{}", out.stdout);
    let list = repo.run(&["list"]);
    assert!(list
        .stdout
        .contains("approval: Deploy ${pipeline.name} to prod?"));
}

#[test]
fn a_gate_with_a_command_or_no_message_is_a_located_error() {
    let repo = Repo::new(
        "version: 1
stages:
  - name: s
    actions:
      - { name: a, approval: Go?, run: echo }
      - { name: b, approval: '' }
",
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr.contains("C060") && out.stderr.contains("both `run:` and `approval:`"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("gantry.yml:6:") && out.stderr.contains("C063"),
        "{}",
        out.stderr
    );
}

#[test]
fn with_stdout_piped_the_question_goes_to_the_terminal_on_stderr() {
    let repo = Repo::new(GATED);
    let Some(out) = common::run_on_tty(&repo, "run | cat", "y\n") else {
        return;
    };
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stdout.contains("to prod? [y/N]"), "{}", out.stdout);
    assert_eq!(
        action_status(&repo.run_json(1), "deploy", "deploy"),
        "passed"
    );
}
