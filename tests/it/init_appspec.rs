//! `gantry init` on repositories whose AppSpec files sit below the root,
//! then `gantry run` on what it wrote: a folder that is a complete revision
//! is deployed by a stage of its own; any other AppSpec file is checked on
//! its own by an action in the lint stage (through `$GANTRY_EXE`: the runs
//! have no gantry on `PATH`), which fails, printing the finding, once the
//! file is broken. Also several folders, an unreadable file, a Lambda
//! file, folders that are no source (dependencies, build output, fixtures,
//! git-ignored), and `$GANTRY_EXE` itself: set to the running gantry, not
//! in the cache key, not in a container.

use crate::common;

use std::path::Path;

use common::Repo;

/// A `PATH` with every directory of this one except those holding a
/// `gantry`: the pipeline's actions must reach gantry some other way.
fn path_without_gantry() -> String {
    let path = std::env::var("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .filter(|dir| !dir.join("gantry").exists())
        .map(|dir| dir.display().to_string())
        .collect::<Vec<_>>()
        .join(":")
}

/// `gantry ARGS` in `repo` with [`path_without_gantry`].
fn gantry(repo: &Repo, args: &[&str]) -> common::Outcome {
    repo.gantry()
        .args(args)
        .env("PATH", path_without_gantry())
        .run()
}

/// A trivial project: `make` builds `app.txt`, `make test` checks it.
fn trivial_project(repo: &Repo) {
    repo.write(
        "Makefile",
        "all:\n\techo built > app.txt\ntest:\n\ttest -f app.txt\n",
    );
}

/// The example's revision sources (`examples/webapp/deploy`: appspec.yml,
/// scripts/, config/, but not the `bin/webapp` its build adds) in `dir`.
fn example_revision(repo: &Repo, dir: &str) {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/webapp/deploy");
    let target = repo.path().join(dir);
    std::fs::create_dir_all(&target).unwrap();
    common::copy_tree(&example, &target);
}

/// What the example's build adds: the program its validate.sh asks.
fn example_binary(repo: &Repo, dir: &str) {
    common::write_executable(
        repo,
        &format!("{dir}/bin/webapp"),
        "#!/bin/sh\necho \"Hello, $1!\"\n",
    );
}

/// A complete revision in `dir`: one file to `/srv/NAME`, one hook.
fn complete_revision(repo: &Repo, dir: &str, name: &str) {
    repo.write(
        &format!("{dir}/appspec.yml"),
        &format!(
            "version: 0.0\nos: linux\nfiles:\n  - source: site\n    destination: /srv/{name}\nhooks:\n  AfterInstall:\n    - location: scripts/after.sh\n"
        ),
    );
    repo.write(
        &format!("{dir}/site/index.html"),
        &format!("<p>{name}</p>\n"),
    );
    common::write_executable(
        repo,
        &format!("{dir}/scripts/after.sh"),
        &format!("#!/bin/sh\ncat \"${{GANTRY_INSTANCE_ROOT:-}}/srv/{name}/index.html\"\n"),
    );
}

#[track_caller]
fn assert_contains(text: &str, wanted: &str) {
    assert!(text.contains(wanted), "no {wanted:?} in:\n{text}");
}

#[test]
fn the_example_s_revision_folder_gets_an_appspec_check_that_fails_when_it_breaks() {
    let repo = Repo::empty();
    trivial_project(&repo);
    example_revision(&repo, "deploy");
    let init = gantry(&repo, &["init"]);
    init.success();
    assert_contains(&init.stdout, "lint/appspec-deploy");
    assert_contains(
        &init.stdout,
        "note: the folder deploy/ is not a complete revision (line 6: source \"bin/webapp\" does not exist in the revision)",
    );
    assert_contains(
        &init.stdout,
        "so that a broken AppSpec file fails `gantry run` (and a push, with `gantry hook install`)\n",
    );
    assert_contains(
        &init.stdout,
        "found deploy/appspec.yml: checked by lint/appspec-deploy\n",
    );
    assert_contains(&init.stdout, "docs/deploy.md");
    let config = repo.read("gantry.yml");
    assert_contains(
        &config,
        "      - name: appspec-deploy\n        run: '\"${GANTRY_EXE:-gantry}\" validate --file-only deploy/appspec.yml'\n        inputs: [\"deploy/appspec.yml\"]\n",
    );
    // Nothing deploys a folder the build has not filled yet.
    assert!(!config.contains("deploy_groups:"), "{config}");
    assert!(!config.contains("deploy:"), "{config}");

    let run = gantry(&repo, &["run"]);
    run.success();
    run.status(1, "lint", "appspec-deploy", "passed");
    run.status(1, "test", "test", "passed");

    // A broken AppSpec file fails the pipeline before anything is built.
    std::fs::remove_file(repo.path().join("app.txt")).unwrap();
    let appspec = repo
        .read("deploy/appspec.yml")
        .replace("ApplicationStop:", "ApplicationStopp:");
    repo.write("deploy/appspec.yml", &appspec);
    let run = gantry(&repo, &["run"]);
    run.code(1);
    run.status(2, "lint", "appspec-deploy", "failed");
    run.has("hook \"ApplicationStopp\" is not a lifecycle event");
    run.has("deploy/appspec.yml:17:3");
    assert!(
        !repo.path().join("app.txt").exists(),
        "the build ran after a failed check"
    );
}

#[test]
fn a_complete_revision_folder_gets_a_deploy_stage_that_deploys_it() {
    let repo = Repo::empty();
    trivial_project(&repo);
    example_revision(&repo, "deploy");
    example_binary(&repo, "deploy");
    let init = gantry(&repo, &["init"]);
    init.success();
    assert_contains(
        &init.stdout,
        "found deploy/appspec.yml: the folder deploy/ is a complete revision, deployed by stage deploy to the group dev\n",
    );
    assert_contains(&init.stdout, "stages: compile, test, deploy\n");
    let config = repo.read("gantry.yml");
    for wanted in [
        "deploy_groups:\n  dev:\n    instances: 1\n    config: AllAtOnce\n",
        "  - name: deploy\n    deploy:\n      appspec: deploy/appspec.yml\n      revision: deploy\n      group: dev\n",
    ] {
        assert_contains(&config, wanted);
    }
    assert!(!config.contains("appspec-deploy"), "{config}");

    let run = gantry(&repo, &["run"]);
    run.success();
    run.status(1, "deploy", "deploy", "passed");
    run.has("webapp answered: Hello, ");
    let installed = repo
        .path()
        .join(".gantry/targets/dev/1/opt/webapp/bin/webapp");
    assert!(installed.is_file(), "{}", run.all());
}

#[test]
fn several_appspec_folders_get_an_action_or_a_stage_each_with_their_own_names() {
    let repo = Repo::empty();
    trivial_project(&repo);
    // The root's revision keeps `deploy` and `dev`.
    repo.write("appspec.yml", "version: 0.0\nos: linux\n");
    complete_revision(&repo, "api/deploy", "api");
    complete_revision(&repo, "services/worker/deploy", "worker");
    example_revision(&repo, "web/deploy");
    example_revision(&repo, "jobs");
    let init = gantry(&repo, &["init"]);
    init.success();
    assert_contains(
        &init.stdout,
        "stages: lint, compile, test, deploy, deploy-api-deploy, deploy-services-worker-deploy\n",
    );
    assert_contains(&init.stdout, "lint/appspec-jobs ");
    assert_contains(&init.stdout, "lint/appspec-web-deploy ");
    assert_contains(
        &init.stdout,
        "found jobs/appspec.yml: checked by lint/appspec-jobs\n",
    );
    assert_contains(
        &init.stdout,
        "found web/deploy/appspec.yml: checked by lint/appspec-web-deploy\n",
    );
    let config = repo.read("gantry.yml");
    for wanted in [
        "deploy_groups:\n  dev:\n    instances: 1\n    config: AllAtOnce\n  dev-api-deploy:\n    instances: 1\n    config: AllAtOnce\n  dev-services-worker-deploy:\n",
        "  - name: deploy\n    deploy:\n      appspec: appspec.yml\n      revision: .\n      group: dev\n",
        "  - name: deploy-api-deploy\n    deploy:\n      appspec: api/deploy/appspec.yml\n      revision: api/deploy\n      group: dev-api-deploy\n",
        "validate --file-only jobs/appspec.yml",
        "validate --file-only web/deploy/appspec.yml",
    ] {
        assert_contains(&config, wanted);
    }
    // The same init twice writes the same file.
    gantry(&repo, &["init", "--force"]).success();
    assert_eq!(repo.read("gantry.yml"), config);

    let run = gantry(&repo, &["run"]);
    run.success();
    run.status(1, "lint", "appspec-jobs", "passed");
    run.status(1, "lint", "appspec-web-deploy", "passed");
    run.has("<p>api</p>");
    run.has("<p>worker</p>");
    for (group, name) in [
        ("dev-api-deploy", "api"),
        ("dev-services-worker-deploy", "worker"),
    ] {
        let installed = repo
            .path()
            .join(format!(".gantry/targets/{group}/1/srv/{name}/index.html"));
        assert!(installed.is_file(), "{group}: {}", run.all());
    }
    run.status(1, "deploy", "deploy", "passed");
}

#[test]
fn an_appspec_file_init_cannot_read_is_checked_all_the_same_and_said_so() {
    let repo = Repo::empty();
    trivial_project(&repo);
    repo.write("deploy/appspec.yml", "version: 0.0\nos: linux\nfiles: [\n");
    repo.write(
        "lambda/appspec.yml",
        "version: 0.0\nResources:\n  - fn:\n      Type: AWS::Lambda::Function\n      Properties:\n        Name: fn\n        Alias: live\n        CurrentVersion: 1\n        TargetVersion: 2\n",
    );
    let init = gantry(&repo, &["init"]);
    init.success();
    assert_contains(
        &init.stdout,
        "note: deploy/appspec.yml cannot be read as an AppSpec file (line ",
    );
    assert_contains(
        &init.stdout,
        "lint/appspec-deploy reports this on the first `gantry run`",
    );
    assert_contains(
        &init.stdout,
        "note: lambda/appspec.yml is an AWS Lambda AppSpec file: lint/appspec-lambda checks it, and no stage deploys it",
    );
    let config = repo.read("gantry.yml");
    assert_contains(&config, "validate --file-only deploy/appspec.yml");
    assert!(!config.contains("deploy_groups:"), "{config}");

    let run = gantry(&repo, &["run", "--keep-going"]);
    run.code(1);
    run.status(1, "lint", "appspec-deploy", "failed");
    run.status(1, "lint", "appspec-lambda", "passed");
    run.has("deploy/appspec.yml:3:");
}

#[test]
fn appspec_files_in_dependencies_build_output_fixtures_and_ignored_folders_are_left_out() {
    let repo = Repo::empty();
    trivial_project(&repo);
    example_revision(&repo, "deploy");
    for dir in [
        "node_modules/pkg",
        "web/node_modules/pkg",
        "target/revision",
        "dist",
        "vendor/lib",
        ".gantry/targets/dev/1/opt/app",
        "tests/fixtures/revision",
        "generated/revision",
    ] {
        complete_revision(&repo, dir, "left-out");
    }
    repo.write(".gitignore", "/generated/\n");
    repo.git(&["init", "-q", "-b", "main"]);
    let init = gantry(&repo, &["init"]);
    init.success();
    let config = repo.read("gantry.yml");
    assert_contains(&config, "validate --file-only deploy/appspec.yml");
    for text in [&init.stdout, &config] {
        assert_eq!(
            text.matches("appspec.yml").count(),
            text.matches("deploy/appspec.yml").count(),
            "{text}"
        );
        assert!(!text.contains("left-out"), "{text}");
    }
    assert!(!config.contains("deploy_groups:"), "{config}");
}

#[test]
fn actions_get_the_running_gantry_as_gantry_exe_without_it_in_the_cache_key() {
    let repo = Repo::new(
        "version: 1\nstages:\n  - name: s\n    run: printf %s \"$GANTRY_EXE\" > exe.txt\n    inputs: [gantry.yml]\n    outputs: [exe.txt]\n",
    );
    gantry(&repo, &["run"]).success();
    let bin = common::gantry_bin();
    assert_eq!(
        Path::new(&repo.read("exe.txt")).canonicalize().unwrap(),
        bin.canonicalize().unwrap()
    );
    // Another copy of the same gantry (installed elsewhere, `cargo run`)
    // finds the action cached, and gives its own path to a fresh run.
    let other = tempfile::tempdir().unwrap();
    let copy = other.path().join("gantry");
    std::fs::copy(&bin, &copy).unwrap();
    let run = |args: &[&str]| {
        let mut command = std::process::Command::new(&copy);
        command
            .args(args)
            .current_dir(repo.path())
            .env("PATH", path_without_gantry())
            .stdin(std::process::Stdio::null());
        common::run_command(command)
    };
    let cached = run(&["run"]);
    cached.success();
    assert_eq!(
        common::action_status(&repo.run_json(2), "s", "s"),
        "cached",
        "{}",
        cached.all()
    );
    run(&["run", "--no-cache"]).success();
    assert_eq!(repo.read("exe.txt"), copy.display().to_string());
}

#[test]
fn an_action_in_a_container_gets_no_gantry_exe() {
    if !common::images::podman_available() {
        return;
    }
    let repo = Repo::new(
        "version: 1\nstages:\n  - name: t\n    actions:\n      - { name: in, run: make test, container: { image: localhost/ci:1, engine: podman } }\n",
    );
    let out = common::images::engine_gantry(&repo, &["run", "--dry-run"]).run();
    out.success();
    let shown = out
        .stdout
        .lines()
        .find(|l| l.contains("in container: podman run"))
        .unwrap_or_else(|| panic!("{}", out.stdout));
    assert!(shown.contains("-e GANTRY_STAGE"), "{shown}");
    assert!(!shown.contains("GANTRY_EXE"), "{shown}");
}

#[test]
fn a_revision_complete_only_through_git_ignored_files_is_checked_not_deployed() {
    let repo = Repo::empty();
    trivial_project(&repo);
    example_revision(&repo, "deploy");
    // A leftover local build the repository ignores: a fresh clone lacks it.
    example_binary(&repo, "deploy");
    repo.write(".gitignore", "deploy/bin/\n");
    // A nested repository's revision is not this repository's.
    complete_revision(&repo, "nested/deploy", "nested");
    repo.git(&["init", "-q", "-b", "main", "nested"]);
    repo.git(&["init", "-q", "-b", "main"]);
    let init = gantry(&repo, &["init"]);
    init.success();
    assert_contains(
        &init.stdout,
        "(line 6: source \"bin/webapp\" is git-ignored (built, not committed))",
    );
    assert_contains(&init.stdout, "lint/appspec-deploy");
    let config = repo.read("gantry.yml");
    assert!(!config.contains("deploy_groups:"), "{config}");
    assert!(!init.stdout.contains("nested"), "{}", init.stdout);
    assert!(!config.contains("nested"), "{config}");

    // Committed after all (force-added): a revision again.
    repo.git(&["add", "-f", "deploy/bin/webapp"]);
    let init = gantry(&repo, &["init", "--force"]);
    init.success();
    assert_contains(
        &init.stdout,
        "found deploy/appspec.yml: the folder deploy/ is a complete revision",
    );
}

#[test]
fn a_force_added_appspec_file_in_an_ignored_folder_is_found() {
    let repo = Repo::empty();
    trivial_project(&repo);
    repo.write(".gitignore", "/generated/\n");
    complete_revision(&repo, "generated/revision", "generated");
    repo.git(&["init", "-q", "-b", "main"]);
    repo.git(&["add", "-f", "generated/revision/appspec.yml"]);
    let init = gantry(&repo, &["init"]);
    init.success();
    let config = repo.read("gantry.yml");
    // Tracked, but its site/ and script are ignored: checked, not deployed.
    assert_contains(
        &config,
        "validate --file-only generated/revision/appspec.yml",
    );
    assert_contains(&init.stdout, "is git-ignored (built, not committed)");
}

#[test]
fn each_deploy_stage_names_the_hooks_it_runs_on_this_machine() {
    let repo = Repo::empty();
    trivial_project(&repo);
    repo.write(
        "appspec.yml",
        "version: 0.0\nos: linux\nhooks:\n  BeforeInstall:\n    - location: scripts/install.sh\n      runas: root\n  ApplicationStart:\n    - location: scripts/start.sh\n",
    );
    common::write_executable(&repo, "scripts/install.sh", "#!/bin/sh\n");
    common::write_executable(&repo, "scripts/start.sh", "#!/bin/sh\n");
    complete_revision(&repo, "api/deploy", "api");
    let init = gantry(&repo, &["init", "--dry-run"]);
    init.success();
    assert_contains(
        &init.stdout,
        "note: stage deploy runs the root's hooks on this machine at `gantry run`: scripts/install.sh (BeforeInstall, as root), scripts/start.sh (ApplicationStart)\n",
    );
    assert_contains(
        &init.stdout,
        "note: stage deploy-api-deploy runs api/deploy/'s hooks on this machine at `gantry run`: scripts/after.sh (AfterInstall)\n",
    );
}

#[test]
fn appspec_files_init_leaves_out_are_named_in_a_note() {
    let repo = Repo::empty();
    trivial_project(&repo);
    complete_revision(&repo, "my deploy", "quoted");
    repo.write("web/index.html", "");
    std::os::unix::fs::symlink("gone.yml", repo.path().join("web/appspec.yml")).unwrap();
    std::fs::create_dir_all(repo.path().join("api/appspec.yml")).unwrap();
    complete_revision(&repo, "jobs", "jobs");
    repo.write("jobs/appspec.json", "{}");
    let init = gantry(&repo, &["init"]);
    init.success();
    for wanted in [
        "note: my deploy/appspec.yml was left out: its folder's name needs quoting, which init does not write\n",
        "note: web/appspec.yml was left out: it is a link to nothing\n",
        "note: api/appspec.yml was left out: it is a folder\n",
        "note: jobs also has appspec.json, which gantry deploy ignores (appspec.yml comes first)\n",
    ] {
        assert_contains(&init.stdout, wanted);
    }
    // Notes only: the one file that deploys is the only one used.
    let config = repo.read("gantry.yml");
    assert!(!config.contains("my deploy"), "{config}");
    assert!(!config.contains("web/"), "{config}");
    assert!(!config.contains("api/"), "{config}");
    assert_contains(&config, "appspec: jobs/appspec.yml");
}
