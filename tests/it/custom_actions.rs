//! Custom actions (`uses:`): the JSON job on stdin, JSON lines back, results,
//! continuations, progress, outputs for later actions, and bad output.

use crate::common;

use common::{action_status, write_executable, Repo};

/// A repo whose pipeline runs `./act` (with `script` as its body) then
/// prints one of its outputs.
fn repo_with_action(body: &str, extra: &str) -> Repo {
    let repo = Repo::new(&format!(
        "version: 1
stages:
  - name: build
    actions:
      - name: act
        uses: ./act
        with: {{ greeting: 'hello ${{pipeline.name}}', count: 3 }}
{extra}"
    ));
    write_executable(&repo, "act", &format!("#!/bin/sh\n{body}\n"));
    repo
}

fn log(repo: &Repo, id: u64, stage: &str, action: &str) -> String {
    repo.read(&format!(".gantry/runs/{id}/{stage}/{action}.log"))
}

#[test]
fn success_gets_the_job_on_stdin_and_its_outputs_reach_later_actions() {
    let repo = repo_with_action(
        r#"cat > job.json
echo '{"type":"log","message":"working"}'
echo '{"type":"result","status":"success","outputs":{"url":"http://example/1","n":7}}'"#,
        "  - name: use
    run: echo \"url=${actions.build.act.outputs.url}\"
",
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let job: serde_json::Value = serde_json::from_str(&repo.read("job.json")).unwrap();
    assert_eq!(job["protocol"], 1);
    assert_eq!(job["inputs"]["count"], "3");
    assert!(job["inputs"]["greeting"]
        .as_str()
        .unwrap()
        .starts_with("hello "));
    assert_eq!(job["stage"], "build");
    assert_eq!(job["run_id"], "1");
    assert_eq!(job["invocation"], 1);
    assert!(job["continuation"].is_null());
    assert_eq!(job["env"]["GANTRY_ACTION"], "act");
    assert!(job["workspace"].as_str().unwrap().starts_with('/'));
    let run = repo.run_json(1);
    assert_eq!(
        run["stages"][0]["actions"][0]["outputs"]["url"],
        "http://example/1"
    );
    assert_eq!(run["stages"][0]["actions"][0]["outputs"]["n"], "7");
    assert!(log(&repo, 1, "build", "act").contains("working"));
    assert!(log(&repo, 1, "use", "use").contains("url=http://example/1"));
}

#[test]
fn a_failure_result_fails_the_action_with_its_message() {
    let repo = repo_with_action(
        r#"echo '{"type":"result","status":"failure","message":"quota exceeded"}'"#,
        "",
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 1, "{}", out.all());
    let run = repo.run_json(1);
    assert_eq!(action_status(&run, "build", "act"), "failed");
    assert_eq!(run["stages"][0]["actions"][0]["reason"], "quota exceeded");
}

#[test]
fn continuation_tokens_invoke_again_until_done() {
    let repo = repo_with_action(
        r#"job=$(cat)
echo "$job" >> jobs.txt
case "$job" in
  *'"continuation":null'*) echo '{"type":"result","status":"success","continuation":"t2","outputs":{"first":"a"}}' ;;
  *'"continuation":"t2"'*) echo '{"type":"result","status":"success","continuation":"t3"}' ;;
  *'"continuation":"t3"'*) echo '{"type":"result","status":"success","outputs":{"last":"z"}}' ;;
  *) echo '{"type":"result","status":"failure","message":"unexpected job"}' ;;
esac"#,
        "",
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(repo.read("jobs.txt").lines().count(), 3);
    assert!(repo.read("jobs.txt").contains(r#""invocation":3"#));
    let outputs = &repo.run_json(1)["stages"][0]["actions"][0]["outputs"];
    assert_eq!(outputs["first"], "a");
    assert_eq!(outputs["last"], "z");
}

#[test]
fn continuations_stop_at_the_actions_timeout() {
    let repo = Repo::new(
        "version: 1
stages:
  - name: build
    uses: ./act
    timeout: 1s
",
    );
    write_executable(
        &repo,
        "act",
        "#!/bin/sh\ncat >/dev/null\nsleep 0.2\necho '{\"type\":\"result\",\"status\":\"success\",\"continuation\":\"again\"}'\n",
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert_eq!(
        action_status(&repo.run_json(1), "build", "build"),
        "timed_out"
    );
    assert!(out.elapsed.as_secs() < 10);
}

#[test]
fn progress_drives_the_live_bar() {
    let repo = repo_with_action(
        r#"echo '{"type":"progress","percent":37}'
sleep 0.5
echo '{"type":"result","status":"success"}'"#,
        "",
    );
    let Some(out) = common::run_on_tty(&repo, "run", "") else {
        return;
    };
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stdout.contains(" 37%"), "{}", out.stdout);
    let plain = repo.run(&["run"]);
    assert_eq!(
        plain.code,
        0,
        "plain output ignores progress: {}",
        plain.all()
    );
    assert!(!plain.stdout.contains("37%"), "{}", plain.stdout);
}

#[test]
fn garbage_output_fails_the_action_quoting_the_line() {
    let repo = repo_with_action(
        r#"echo '{"type":"log","message":"fine"}'
echo 'Traceback (most recent call last):'
echo '{"type":"result","status":"success"}'"#,
        "",
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 1, "{}", out.all());
    let reason = repo.run_json(1)["stages"][0]["actions"][0]["reason"].to_string();
    assert!(
        reason.contains("line 2") && reason.contains("Traceback (most recent call last):"),
        "{reason}"
    );
    assert!(reason.contains("not JSON"), "{reason}");
}

#[test]
fn a_missing_result_an_unknown_version_and_a_bad_exit_fail() {
    let cases = [
        (
            r#"echo '{"type":"log","message":"bye"}'"#,
            "without a `result` line",
        ),
        (
            r#"echo '{"type":"result","status":"success","protocol":9}'"#,
            "unknown protocol version 9",
        ),
        (
            r#"echo '{"type":"result","status":"failure","message":"boom"}'; exit 3"#,
            "exit code 3; boom",
        ),
    ];
    for (body, expected) in cases {
        let repo = repo_with_action(body, "");
        let out = repo.run(&["run"]);
        assert_eq!(out.code, 1, "{}", out.all());
        let reason = repo.run_json(1)["stages"][0]["actions"][0]["reason"].to_string();
        assert!(reason.contains(expected), "{expected}: {reason}");
    }
}

#[test]
fn stderr_is_plain_text_in_the_log() {
    let repo = repo_with_action(
        r#"echo 'not json, but on stderr' >&2
echo '{"type":"result","status":"success"}'"#,
        "",
    );
    assert_eq!(repo.run(&["run"]).code, 0);
    assert!(log(&repo, 1, "build", "act").contains("not json, but on stderr"));
}

#[test]
fn uses_name_finds_gantry_action_name_on_path_or_says_how() {
    let repo = Repo::new(
        "version: 1
stages:
  - name: wait
    uses: wait
    with: { steps: 3, label: smoke }
  - name: show
    run: echo \"${actions.wait.wait.outputs.label} after ${actions.wait.wait.outputs.steps}\"
",
    );
    let missing = repo.run(&["run"]);
    assert_eq!(missing.code, 1);
    assert!(
        missing
            .stdout
            .contains("no executable `gantry-action-wait` on PATH"),
        "{}",
        missing.stdout
    );
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/actions");
    let path = format!(
        "{}:{}",
        examples.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = repo.gantry().args(["run"]).env("PATH", path).run();
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(log(&repo, 2, "wait", "wait").contains("smoke: step 3 of 3"));
    assert!(log(&repo, 2, "show", "show").contains("smoke after 3"));
}

#[test]
fn an_output_that_was_not_produced_fails_the_user_with_a_reason() {
    let repo = repo_with_action(
        r#"echo '{"type":"result","status":"success","outputs":{"url":"u"}}'"#,
        "  - name: use
    run: echo ${actions.build.act.outputs.digest}
",
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 1, "{}", out.all());
    let reason = repo.run_json(1)["stages"][1]["actions"][0]["reason"].to_string();
    assert!(
        reason.contains("build/act (passed) has no output `digest` (its outputs: url)"),
        "{reason}"
    );
    // Run alone, `use` gets build/act's outputs from run 1: still no digest.
    let only_use = repo.run(&["run", "use"]);
    assert_eq!(only_use.code, 1);
    assert!(
        only_use
            .stdout
            .contains("build/act (cached) has no output `digest` (its outputs: url)"),
        "{}",
        only_use.stdout
    );
}

#[test]
fn dry_run_shows_output_references_unexpanded() {
    let repo = repo_with_action(
        "true",
        "  - name: use
    run: deploy --digest ${actions.build.act.outputs.digest}
",
    );
    let out = repo.run(&["run", "--dry-run"]);
    assert!(
        out.stdout
            .contains("deploy --digest <output of build/act: digest>"),
        "{}",
        out.stdout
    );
}

#[test]
fn bad_references_and_with_without_uses_are_located_errors() {
    let repo = Repo::new(
        "version: 1
env: { X: '${actions.a.a.outputs.o}' }
stages:
  - name: a
    actions:
      - { name: a, run: 'echo ${actions.b.b.outputs.o}' }
      - { name: c, run: 'echo ${actions.nope.x.outputs.o}' }
      - { name: d, run: echo, with: { k: v } }
  - name: b
    run: echo
",
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 2, "{}", out.all());
    for expected in [
        "gantry.yml:2:",
        "C066",
        "gantry.yml:6:",
        "C065",
        "does not run before this action",
        "gantry.yml:7:",
        "C064",
        "names no action",
        "C062",
        "`with:` without `uses:`",
    ] {
        assert!(out.stderr.contains(expected), "{expected}: {}", out.stderr);
    }
}
