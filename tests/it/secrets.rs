//! Secrets stay masked in everything gantry prints or writes: its own
//! messages as well as action output, in every channel.

use crate::common;

use std::path::Path;

use common::{write_executable, Repo};

const SECRET: &str = "hunter2-s3cret";

/// Every file below `dir`, as text.
fn all_files(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            text += &all_files(&path);
        } else {
            text += &String::from_utf8_lossy(&std::fs::read(&path).unwrap());
        }
    }
    text
}

#[test]
fn gantry_own_messages_are_masked_in_every_channel() {
    let repo = Repo::new(
        "version: 1
secrets: [API_TOKEN]
stages:
  - name: gate
    actions:
      - name: ask
        approval: 'ship with ${env.API_TOKEN}?'
        continue_on_error: true
      - name: bad
        uses: ./bad
        continue_on_error: true
      - name: good
        uses: ./good
      - name: show
        run: echo \"url=${actions.gate.good.outputs.url}\"
  - name: last
    run: exit 3
",
    );
    write_executable(&repo, "bad", "#!/bin/sh\necho \"oops $API_TOKEN\"\n");
    write_executable(
        &repo,
        "good",
        "#!/bin/sh\necho '{\"type\":\"result\",\"status\":\"success\",\"outputs\":{\"url\":\"https://u:'$API_TOKEN'@host\"}}'\n",
    );
    let summary = repo.path().join("step-summary.md");
    let out = common::run_command({
        let mut command = repo.command(&["run", "--output", "json", "--junit", "junit.xml"]);
        command
            .env("API_TOKEN", SECRET)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", &summary);
        command
    });
    assert_eq!(out.code, 1, "{}", out.all());
    // The messages are there, masked.
    let run = repo.run_json(1);
    let actions = &run["stages"][0]["actions"];
    assert!(
        actions[0]["reason"]
            .as_str()
            .unwrap()
            .contains("ship with ***?"),
        "{run}"
    );
    assert!(
        actions[1]["reason"].as_str().unwrap().contains("oops ***"),
        "{run}"
    );
    assert_eq!(actions[2]["outputs"]["url"], "https://u:***@host");
    assert!(repo
        .read(".gantry/runs/1/gate/show.log")
        .contains("url=https://u:***@host"));
    let logs = repo.command(&["logs"]).output().unwrap();
    let logs = String::from_utf8_lossy(&logs.stdout);
    assert!(logs.contains("oops ***"), "{logs}");
    let everything = [
        out.all(),
        all_files(&repo.path().join(".gantry/runs")),
        repo.read("junit.xml"),
        std::fs::read_to_string(&summary).unwrap(),
        logs.into_owned(),
    ]
    .concat();
    assert!(everything.contains("::error"), "{everything}");
    assert!(!everything.contains(SECRET), "{everything}");
}

#[test]
fn dry_run_masks_the_directory_and_errors_are_masked() {
    let repo = Repo::new(
        "version: 1
secrets: [API_TOKEN]
stages:
  - name: s
    working_directory: 'sub/${env.API_TOKEN}'
    run: 'true'
",
    );
    let out = repo
        .gantry()
        .args(["run", "--dry-run"])
        .env("API_TOKEN", SECRET)
        .run();
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stdout.contains("cwd: sub/***"), "{}", out.stdout);
    assert!(!out.all().contains(SECRET), "{}", out.all());
    // A top-level error naming a path built from the secret.
    let junit = format!("missing/{SECRET}/junit.xml");
    let out = repo
        .gantry()
        .args(["run", "--junit", &junit])
        .env("API_TOKEN", SECRET)
        .run();
    assert_ne!(out.code, 0, "{}", out.all());
    assert!(
        out.stderr.contains("missing/***/junit.xml"),
        "{}",
        out.stderr
    );
    assert!(!out.all().contains(SECRET), "{}", out.all());
}

#[test]
fn a_syntax_error_in_the_env_file_does_not_quote_the_line() {
    let repo = Repo::new(
        "version: 1
env_file: .env
secrets: [API_TOKEN]
stages:
  - name: s
    run: 'true'
",
    );
    repo.write(".env", &format!("OTHER=1\nAPI_TOKEN=\"{SECRET}\n"));
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains(".env:2:11"), "{}", out.stderr);
    assert!(
        out.stderr.contains("unterminated double quote"),
        "{}",
        out.stderr
    );
    assert!(!out.all().contains(SECRET), "{}", out.all());
}

#[test]
fn a_value_an_action_env_gives_a_secret_is_masked_too() {
    let repo = Repo::new(
        "version: 1
secrets: [API_TOKEN]
stages:
  - name: s
    env: { API_TOKEN: stage-override-value }
    actions:
      - name: a
        run: echo \"token=$API_TOKEN\"
      - name: b
        env: { API_TOKEN: action-override-value }
        run: echo \"token=$API_TOKEN\"
",
    );
    let out = repo.gantry().args(["run"]).env("API_TOKEN", SECRET).run();
    assert_eq!(out.code, 0, "{}", out.all());
    let logs = all_files(&repo.path().join(".gantry/runs"));
    let everything = out.all() + &logs;
    assert_eq!(everything.matches("token=***").count(), 4, "{everything}");
    assert!(!everything.contains("override-value"), "{everything}");
}

#[test]
fn multi_line_secrets_are_masked_whole_and_line_by_line() {
    let repo = Repo::new(
        "version: 1
secrets: [KEY]
stages:
  - name: s
    run: |
      printf 'whole: %s\\n' \"$KEY\"
      printf 'crlf: first-line-of-key\\r\\nsecond-line-of-key\\r\\n'
      printf 'alone: second-line-of-key\\n'
",
    );
    let out = repo
        .gantry()
        .args(["run"])
        .env("KEY", "first-line-of-key\nsecond-line-of-key")
        .run();
    assert_eq!(out.code, 0, "{}", out.all());
    let log = repo.read(".gantry/runs/1/s/s.log");
    assert!(log.contains("whole: ***\n"), "{log}");
    assert!(log.contains("crlf: ***\r\n"), "{log}");
    assert!(log.contains("alone: ***\n"), "{log}");
    assert!(!(out.all() + &log).contains("line-of-key"), "{log}");
}

#[test]
fn a_short_secret_inside_a_held_back_prefix_is_masked_at_the_end() {
    let repo = Repo::new(
        "version: 1
secrets: [LONG, SHORT]
stages:
  - name: s
    run: printf 'x-abc'
",
    );
    let out = repo
        .gantry()
        .args(["run"])
        .env("LONG", "abcd")
        .env("SHORT", "bc")
        .run();
    assert_eq!(out.code, 0, "{}", out.all());
    let log = repo.read(".gantry/runs/1/s/s.log");
    assert_eq!(log, "x-a***");
    assert!(out.stdout.contains("x-a***"), "{}", out.stdout);
}

#[test]
fn a_long_repeated_secret_against_megabytes_of_near_matches_is_masked() {
    // Every position of the 10 MiB starts a near-match of the 100 KB
    // secret: the quadratic masker took minutes here, the linear one a
    // second. The work bound itself is pinned by the masker's unit test.
    let repo = Repo::new(
        "version: 1
secrets: [LONG]
stages:
  - name: s
    run: |
      line=$(head -c 99999 /dev/zero | tr '\\0' a)
      yes \"$line\" | head -n 105
      printf '%sa\\n' \"$line\"
",
    );
    let out = repo
        .gantry()
        .args(["run"])
        .env("LONG", "a".repeat(100_000))
        .run();
    assert_eq!(out.code, 0, "{}", out.all());
    let near = format!("{}\n", "a".repeat(99_999)).repeat(105);
    let log = repo.read(".gantry/runs/1/s/s.log");
    assert!(log == near + "***\n", "{} bytes of log", log.len());
}

#[test]
fn a_custom_action_can_pass_a_new_secret_through_its_outputs() {
    let repo = Repo::new(
        "version: 1
stages:
  - name: auth
    uses: ./mint
  - name: use
    run: 'echo \"got ${actions.auth.auth.outputs.token}\"; test \"${actions.auth.auth.outputs.token}\" = minted-tok-123'
",
    );
    write_executable(
        &repo,
        "mint",
        r#"#!/bin/sh
echo '{"type":"mask","value":"minted-tok-123"}'
echo '{"type":"log","message":"minted minted-tok-123"}'
echo '{"type":"result","status":"success","outputs":{"token":"minted-tok-123"}}'
"#,
    );
    let out = repo.run(&["run", "--output", "json"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let run = repo.run_json(1);
    assert_eq!(run["stages"][0]["actions"][0]["outputs"]["token"], "***");
    let mint = repo.read(".gantry/runs/1/auth/auth.log");
    assert!(mint.contains("minted ***"), "{mint}");
    assert!(repo.read(".gantry/runs/1/use/use.log").contains("got ***"));
    let everything = out.all() + &all_files(&repo.path().join(".gantry/runs"));
    assert!(!everything.contains("minted-tok-123"), "{everything}");
}
