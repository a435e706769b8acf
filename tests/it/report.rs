//! Reports for people and CI: graph, JUnit XML, GitHub Actions annotations.

use crate::common;

use common::Repo;

const PIPELINE: &str = "version: 1
name: shop
stages:
  - name: lint
    actions:
      - { name: fmt, run: 'true', run_order: 1 }
      - { name: clippy, run: 'true', run_order: 1 }
      - { name: audit, run: 'true', run_order: 2, continue_on_error: true }
  - name: test
    run: echo first; echo the last words; exit 3
  - name: deploy
    run: 'true'
  - name: cleanup
    always: true
    run: 'true'
";

#[test]
fn graph_text_shows_stages_groups_and_notes() {
    let repo = Repo::new(PIPELINE);
    let out = repo.run(&["graph"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let expected = "shop
├─▶ lint
│     ┌ fmt               true
│     └ clippy            true  ⇉ together
│     then
│     • audit [may fail]  true
│
├─▶ test
│     • test              echo first; echo the last words; exit 3
│
├─▶ deploy
│     • deploy            true
│
└─▶ cleanup
      • cleanup [always]  true
";
    assert_eq!(out.stdout, expected);
}

#[test]
fn graph_mermaid_links_groups_and_stages() {
    let repo = Repo::new(PIPELINE);
    let out = repo.run(&["graph", "--format", "mermaid"]);
    assert!(out.stdout.starts_with("flowchart TD\n"));
    for edge in ["s0a0 --> s0a2", "s0a1 --> s0a2", "s0 --> s1", "s2 --> s3"] {
        assert!(out.stdout.contains(edge), "missing {edge}: {}", out.stdout);
    }
}

#[test]
fn graph_dot_renders_with_graphviz() {
    let repo = Repo::new(PIPELINE);
    let out = repo.run(&["graph", "--format", "dot"]);
    assert!(out.stdout.contains("subgraph cluster_0") && out.stdout.contains("lhead=cluster_1"));
    if !common::have_program("dot", "apt-get install graphviz") {
        return;
    }
    let dot_file = repo.path().join("graph.dot");
    std::fs::write(&dot_file, &out.stdout).unwrap();
    let svg = std::process::Command::new("dot")
        .arg("-Tsvg")
        .arg(&dot_file)
        .output()
        .unwrap();
    assert!(
        svg.status.success(),
        "{}",
        String::from_utf8_lossy(&svg.stderr)
    );
    assert!(String::from_utf8_lossy(&svg.stdout).contains("<svg"));
}

#[test]
fn junit_has_one_test_case_per_action_with_failures_and_skips() {
    let repo = Repo::new(PIPELINE);
    let out = repo.run(&["run", "--junit", "report.xml"]);
    assert_eq!(out.code, 1);
    let xml = repo.read("report.xml");
    // Parsed by a standard consumer: Python's xml.etree.
    let script = "import sys, xml.etree.ElementTree as ET\n\
        root = ET.parse(sys.argv[1]).getroot()\n\
        for case in root.iter('testcase'):\n\
        \x20   kind = 'failure' if case.find('failure') is not None else 'skipped' if case.find('skipped') is not None else 'ok'\n\
        \x20   print(case.get('classname'), case.get('name'), kind, float(case.get('time')) >= 0)\n";
    let parsed = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(repo.path().join("report.xml"))
        .output()
        .unwrap();
    assert!(
        parsed.status.success(),
        "{}",
        String::from_utf8_lossy(&parsed.stderr)
    );
    let cases = String::from_utf8_lossy(&parsed.stdout);
    assert_eq!(
        cases,
        "lint fmt ok True\nlint clippy ok True\nlint audit ok True\ntest test failure True\ndeploy deploy skipped True\ncleanup cleanup ok True\n"
    );
    assert!(
        xml.contains("exit code 3") && xml.contains("the last words"),
        "{xml}"
    );
}

#[test]
fn github_actions_gets_annotations_and_a_step_summary() {
    let repo = Repo::new(PIPELINE);
    let summary = repo.path().join("summary.md");
    let out = repo
        .command(&["run"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    let error = stdout
        .lines()
        .find(|l| l.starts_with("::error"))
        .expect("an annotation");
    assert!(
        error.starts_with("::error title=gantry test/test::failed exit code 3%0A"),
        "{error}"
    );
    assert!(error.contains("the last words"), "{error}");
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.contains("### gantry ▸ shop — ✘ failed"), "{md}");
    assert!(md.contains("| test | test | failed |"), "{md}");
    let plain = repo.run(&["run"]);
    assert!(
        !plain.stdout.contains("::error"),
        "only under GitHub Actions"
    );
}

#[test]
fn a_junit_file_that_cannot_be_written_is_reported_but_keeps_the_exit_code() {
    let passing = Repo::new("version: 1\nstages:\n  - name: a\n    run: 'true'\n");
    let out = passing.run(&["run", "--junit", "no/such/dir/report.xml"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stderr.contains("no/such/dir/report.xml") && out.stderr.contains("outcome stands"),
        "{}",
        out.all()
    );
    let failing = Repo::new(PIPELINE);
    let out = failing.run(&["run", "--junit", "no/such/dir/report.xml"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr.contains("no/such/dir/report.xml"),
        "{}",
        out.all()
    );
    // The run's own record is still written.
    assert!(failing
        .read(".gantry/runs/1/run.json")
        .contains("\"failed\""));
}

#[test]
fn a_step_summary_that_cannot_be_written_is_reported_but_keeps_the_exit_code() {
    let repo = Repo::new("version: 1\nstages:\n  - name: a\n    run: 'true'\n");
    // A directory: appending to it fails.
    let out = repo
        .command(&["run"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", repo.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("GITHUB_STEP_SUMMARY") && stderr.contains("outcome stands"),
        "{stderr}"
    );
}

#[test]
fn validate_adds_annotations_under_github_actions() {
    let repo = Repo::new("version: 1\nstages:\n  - name: a\n    rn: x\n");
    let out = repo
        .command(&["validate"])
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("error[C001]"), "{stdout}");
    assert!(
        stdout.contains("::error file=gantry.yml,line=4,col=5::[C001]"),
        "{stdout}"
    );
}

#[test]
fn graph_shows_approval_gates_and_deploy_groups() {
    let repo = Repo::new(
        "version: 1
deploy_groups:
  prod: { instances: 4, config: HalfAtATime, approval: true }
stages:
  - name: ship
    deploy: { group: prod, revision: rev }
",
    );
    let text = repo.run(&["graph"]).stdout;
    assert!(
        text.contains("approve-ship [⏸ approval]  approval: Deploy to prod?"),
        "{text}"
    );
    assert!(
        text.contains("deploy groups\n  ▣ prod: 4 instances, HalfAtATime, approval required"),
        "{text}"
    );
    let mermaid = repo.run(&["graph", "--format", "mermaid"]).stdout;
    assert!(
        mermaid.contains("s0a0{{\"approve-ship [⏸ approval]\"}}")
            && mermaid.contains("s0a1 -.-> g0"),
        "{mermaid}"
    );
    let dot = repo.run(&["graph", "--format", "dot"]).stdout;
    assert!(
        dot.contains("shape=hexagon") && dot.contains("shape=cylinder"),
        "{dot}"
    );
}

/// A script that fails like a Rust test: the assertion, then a long backtrace.
const PANIC_SCRIPT: &str = "#!/bin/sh
echo 'running 1 test'
echo \"thread 'main' panicked at src/lib.rs:3:5:\"
echo 'assertion `left == right` failed'
echo '  left: 1'
echo ' right: 2'
echo 'stack backtrace:'
i=0
while [ $i -lt 60 ]; do echo \"  $i: frame_$i\"; i=$((i+1)); done
echo 'error: test failed'
exit 101
";

#[test]
fn failure_tail_shows_the_assertion_above_a_long_backtrace() {
    let repo = Repo::new("version: 1\nstages:\n  - name: test\n    run: ./fail.sh\n");
    common::write_executable(&repo, "fail.sh", PANIC_SCRIPT);
    // -q shows only failures, each followed by its tail.
    let out = repo.run(&["--color=never", "run", "-q"]);
    assert_eq!(out.code, 1, "{}", out.all());
    let shown = out.stdout;
    for wanted in [
        "[test/test] thread 'main' panicked at src/lib.rs:3:5:",
        "[test/test] assertion `left == right` failed",
        "[test/test]  right: 2",
        "[test/test] ⋮",
        "[test/test] error: test failed",
        "[test/test] gantry: exit code 101",
    ] {
        assert!(shown.contains(wanted), "no {wanted:?} in\n{shown}");
    }
    assert!(
        !shown.contains("frame_5\n"),
        "the middle of the backtrace is left out:\n{shown}"
    );
}

#[test]
fn output_without_a_final_newline_is_not_glued_to_gantrys_line() {
    let repo =
        Repo::new("version: 1\nstages:\n  - name: s\n    run: printf 'no newline here'; exit 3\n");
    let out = repo.run(&["--color=never", "run", "-q"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stdout.contains("[s/s] no newline here\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("[s/s] gantry: exit code 3\n"),
        "{}",
        out.stdout
    );
    let log = repo.read(".gantry/runs/1/s/s.log");
    assert_eq!(log, "no newline here\ngantry: exit code 3\n");
}

#[test]
fn missing_tool_names_the_tool_and_how_to_install_it() {
    // The shell's own PATH is emptied, so `cargo` is not found whatever is installed.
    let repo = Repo::new(
        "version: 1\nstages:\n  - name: build\n    run: PATH=/nonexistent; cargo build\n",
    );
    let out = repo
        .gantry()
        .args(["--color=never", "run", "-q"])
        .env("COLUMNS", "400")
        .run();
    assert_eq!(out.code, 1, "{}", out.all());
    let hint =
        "`cargo` is not installed or not on PATH: install Rust with rustup: https://rustup.rs";
    let under_action = out
        .stdout
        .lines()
        .find(|l| l.starts_with("[build/build] ✘ failed"))
        .unwrap_or_else(|| panic!("no failure line in\n{}", out.stdout));
    assert!(under_action.contains(hint), "{under_action}");
    let table_row = out
        .stdout
        .lines()
        .find(|l| l.starts_with("build ") && l.contains("failed"))
        .unwrap_or_else(|| panic!("no summary row in\n{}", out.stdout));
    assert!(table_row.contains(hint), "{table_row}");
    let run = repo.run_json(1);
    let reason = run.to_string();
    assert!(reason.contains("rustup"), "{reason}");
}

#[test]
fn long_reasons_keep_one_table_row_per_action_and_follow_in_full() {
    let repo = Repo::new(
        "version: 1\nstages:\n  - name: build\n    actions:\n      - { name: a, run: 'true' }\n      - { name: b, run: 'exit 3', continue_on_error: true, timeout: 1h }\n      - { name: c, run: 'PATH=/nonexistent; some-missing-tool-with-a-long-name --and-flags' }\n",
    );
    let out = repo
        .gantry()
        .args(["--color=never", "run"])
        .env("COLUMNS", "70")
        .run();
    assert_eq!(out.code, 1, "{}", out.all());
    let table: Vec<&str> = out
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("STAGE"))
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(
        table.len(),
        4,
        "header and one row per action:\n{}",
        out.stdout
    );
    for row in &table {
        assert!(
            row.chars().count() <= 70,
            "row wider than the terminal: {row:?}"
        );
    }
    assert!(table[3].ends_with('…'), "{}", table[3]);
    assert!(
        out.stdout
            .contains("build/c: .gantry/runs/1/build/c.log (exit code 127; `some-missing-tool-with-a-long-name` is not installed"),
        "full reason below the table:\n{}",
        out.stdout
    );
}

#[test]
fn long_names_keep_every_table_row_within_the_terminal_width() {
    let repo = Repo::new(
        "version: 1
stages:
  - name: a-very-long-stage-name-for-integration-tests
    actions:
      - { name: an-action-with-an-extremely-long-descriptive-name-here, run: 'false' }
      - { name: short, run: 'true' }
",
    );
    let out = repo.gantry().args(["run"]).env("COLUMNS", "80").run();
    assert_eq!(out.code, 1, "{}", out.all());
    let table: Vec<&str> = out
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("STAGE"))
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(table.len(), 3, "{}", out.stdout);
    for row in &table {
        assert!(
            row.chars().count() <= 80,
            "{} columns: {row}",
            row.chars().count()
        );
    }
    assert!(table[1].starts_with("a-very-long-st…"), "{}", table[1]);
    // The full names follow the table.
    assert!(
        out.stdout.contains(
            "a-very-long-stage-name-for-integration-tests/an-action-with-an-extremely-long-descriptive-name-here: "
        ),
        "{}",
        out.stdout
    );
}
