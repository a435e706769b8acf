//! Outputs from any action through `$GANTRY_OUTPUT`, and the run status
//! clean-up actions see (`GANTRY_PIPELINE_STATUS`, `GANTRY_FAILED_ACTIONS`).

use crate::common;

use common::{action_status, Repo};

fn log(repo: &Repo, id: u64, stage: &str, action: &str) -> String {
    repo.read(&format!(".gantry/runs/{id}/{stage}/{action}.log"))
}

fn outputs(run: &serde_json::Value, stage: usize, action: usize) -> &serde_json::Value {
    &run["stages"][stage]["actions"][action]["outputs"]
}

const ACROSS_STAGES: &str = r#"version: 1
stages:
  - name: build
    actions:
      - name: version
        outputs: [built.count]
        run: |
          echo "version=1.2.$((1 + 2))" >> "$GANTRY_OUTPUT"
          echo built >> built.count
  - name: publish
    actions:
      - name: tag
        cache: false
        run: 'echo "tag v${actions.build.version.outputs.version}"'
"#;

#[test]
fn outputs_reach_later_stages_and_a_cached_producer_still_hands_them_on() {
    let repo = Repo::new(ACROSS_STAGES);
    let first = repo.run(&["run"]);
    assert_eq!(first.code, 0, "{}", first.all());
    assert!(log(&repo, 1, "publish", "tag").contains("tag v1.2.3"));
    assert_eq!(outputs(&repo.run_json(1), 0, 0)["version"], "1.2.3");
    assert!(
        first.stdout.contains("build/version  version: 1.2.3"),
        "{}",
        first.stdout
    );

    let second = repo.run(&["run"]);
    assert_eq!(second.code, 0, "{}", second.all());
    let run = repo.run_json(2);
    assert_eq!(action_status(&run, "build", "version"), "cached", "{run}");
    assert_eq!(repo.read("built.count"), "built\n");
    assert_eq!(outputs(&run, 0, 0)["version"], "1.2.3");
    assert!(log(&repo, 2, "publish", "tag").contains("tag v1.2.3"));
}

#[test]
fn a_heredoc_block_gives_a_multi_line_output() {
    let repo = Repo::new(
        r#"version: 1
stages:
  - name: notes
    run: |
      {
        echo 'text<<END'
        echo 'first line'
        echo
        echo 'third = line'
        echo 'END'
        echo 'after=yes'
      } >> "$GANTRY_OUTPUT"
  - name: show
    run: |
      cat > seen.txt <<'GANTRY'
      ${actions.notes.notes.outputs.text}|${actions.notes.notes.outputs.after}
      GANTRY
"#,
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(repo.read("seen.txt"), "first line\n\nthird = line|yes\n");
    let run = repo.run_json(1);
    assert_eq!(outputs(&run, 0, 0)["text"], "first line\n\nthird = line");
    assert!(
        out.stdout
            .contains("notes/notes  text: first line … (2 more lines)"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_malformed_output_file_fails_the_action_naming_the_line() {
    let repo = Repo::new(
        "version: 1\nstages:\n  - name: a\n    run: printf 'ok=1\\nno value here\\n' >> \"$GANTRY_OUTPUT\"\n",
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 1, "{}", out.all());
    let run = repo.run_json(1);
    assert_eq!(action_status(&run, "a", "a"), "failed");
    let reason = run["stages"][0]["actions"][0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("$GANTRY_OUTPUT line 2: `no value here` is neither"),
        "{reason}"
    );
}

#[test]
fn a_secret_written_as_an_output_is_masked_but_reaches_the_next_action() {
    let repo = Repo::new(
        r#"version: 1
secrets: [API_TOKEN]
stages:
  - name: login
    run: echo "token=$API_TOKEN" >> "$GANTRY_OUTPUT"
  - name: use
    run: '[ "${actions.login.login.outputs.token}" = "hunter2-secret" ] && echo same'
"#,
    );
    let out = repo
        .gantry()
        .args(["run", "--output", "json"])
        .env("API_TOKEN", "hunter2-secret")
        .run();
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(log(&repo, 1, "use", "use").contains("same"));
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON on stdout");
    assert_eq!(outputs(&json, 0, 0)["token"], "***", "{json}");
    assert_eq!(outputs(&repo.run_json(1), 0, 0)["token"], "***");
    let mut everything = out.all();
    for entry in walkdir(repo.path().join(".gantry")) {
        everything.push_str(&String::from_utf8_lossy(&std::fs::read(entry).unwrap()));
    }
    assert!(!everything.contains("hunter2-secret"), "the secret leaked");
}

/// Every file under `dir`.
fn walkdir(dir: std::path::PathBuf) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut todo = vec![dir];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

#[test]
fn a_clean_up_action_reports_the_failed_actions() {
    let repo = Repo::new(
        r#"version: 1
stages:
  - name: check
    actions:
      - name: before
        run: 'echo "$GANTRY_PIPELINE_STATUS[$GANTRY_FAILED_ACTIONS]" > before.txt'
      - name: lint
        run_order: 2
        run: exit 3
      - name: unit-tests
        run_order: 2
        run: 'true'
  - name: deploy
    run: echo never > deployed.txt
  - name: notify
    always: true
    run: |
      echo "$GANTRY_PIPELINE_STATUS" > status.txt
      echo "$GANTRY_FAILED_ACTIONS" | while read -r action; do echo "failed: $action"; done > failed.txt
"#,
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert_eq!(repo.read("before.txt"), "passed[]\n");
    assert!(!repo.path().join("deployed.txt").exists());
    assert_eq!(repo.read("status.txt"), "failed\n");
    assert_eq!(repo.read("failed.txt"), "failed: check/lint\n");
    assert_eq!(
        action_status(&repo.run_json(1), "notify", "notify"),
        "passed"
    );
}

#[test]
fn a_reference_to_a_later_action_is_a_located_error() {
    let repo = Repo::new(
        r#"version: 1
stages:
  - name: a
    actions:
      - name: first
        run: echo ${actions.b.second.outputs.x}
  - name: b
    actions:
      - name: second
        run: echo "x=1" >> "$GANTRY_OUTPUT"
"#,
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 2, "{}", out.all());
    let err = out.all();
    assert!(err.contains("gantry.yml:6:19"), "{err}");
    assert!(err.contains("C065"), "{err}");
    assert!(
        err.contains("b/second, which does not run before this action"),
        "{err}"
    );
    assert!(!repo.path().join(".gantry/runs/1").exists());
}

#[test]
fn a_chosen_action_never_gets_a_masked_secret_from_an_earlier_run() {
    let repo = Repo::new(
        r#"version: 1
secrets: [API_TOKEN]
stages:
  - name: login
    run: echo "token=$API_TOKEN" >> "$GANTRY_OUTPUT"
  - name: use
    run: echo "using ${actions.login.login.outputs.token}"
"#,
    );
    let run = |args: &[&str]| {
        let mut command = repo.command(args);
        command.env("API_TOKEN", "hunter2-secret");
        common::run_command(command)
    };
    let first = run(&["run"]);
    assert_eq!(first.code, 0, "{}", first.all());
    let chosen = run(&["run", "use"]);
    assert_ne!(chosen.code, 0, "{}", chosen.all());
    assert!(
        chosen
            .all()
            .contains("outputs holding a secret are never kept")
            && chosen.all().contains("gantry run login/login"),
        "{}",
        chosen.all()
    );
}
