//! `gantry init`: for a fixture mini-repository per ecosystem (in
//! `tests/fixtures/init/`), the generated `gantry.yml` passes `gantry
//! validate` and `gantry run --dry-run`; where the ecosystem's tools are on
//! this machine (Rust always, Node and Python when present) a full `gantry
//! run` passes too. Plus the empty directory, `--force`, `--dry-run`,
//! `--template`, `--appspec`, `.gitignore` and the tool check.

use crate::common;

use std::os::unix::fs::PermissionsExt;

use common::Repo;

/// `gantry init` in a copy of fixture `name`, then `validate` (clean) and
/// `run --dry-run`; the generated config must contain every `expected` line.
fn init_fixture(name: &str, expected: &[&str]) -> Repo {
    let repo = Repo::fixture(&format!("init/{name}"));
    repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    for line in expected {
        assert!(config.contains(line), "{name}: no `{line}` in:\n{config}");
    }
    validate_clean(&repo);
    repo.run_ok(&["run", "--dry-run"]);
    assert_eq!(repo.read(".gitignore"), ".gantry/\n");
    repo
}

fn validate_clean(repo: &Repo) {
    let out = repo.run_ok(&["validate"]);
    assert!(
        out.stdout.contains("0 errors, 0 warnings"),
        "findings:\n{}",
        out.all()
    );
}

/// `gantry init` with an empty `PATH` (no tool is found); its stderr.
fn init_without_path(repo: &Repo) -> String {
    let bin = tempfile::tempdir().unwrap();
    let out = repo
        .command(&["init"])
        .env("PATH", bin.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn rust_fixture_gets_build_and_test_and_unused_linters_commented_out() {
    let repo = init_fixture(
        "rust",
        &[
            "run: cargo build --release",
            "run: cargo test",
            "      # Not enabled: no rustfmt.toml and no `cargo fmt` in CI",
            "      # - name: fmt\n",
            "        # run: cargo fmt --all --check\n",
            "        # run: cargo clippy --all-targets -- -D warnings\n",
        ],
    );
    // No narrow `inputs:` that a new source file would fall outside of.
    assert!(!repo.read("gantry.yml").contains("inputs:"));
}

#[test]
fn rust_linters_are_enabled_when_the_repository_configures_them() {
    let repo = Repo::fixture("init/rust");
    repo.write("rustfmt.toml", "edition = \"2021\"\n");
    repo.write("clippy.toml", "");
    repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    assert!(
        config.contains("\n        run: cargo fmt --all --check\n"),
        "{config}"
    );
    assert!(
        config.contains("\n        run: cargo clippy --all-targets -- -D warnings\n"),
        "{config}"
    );
    assert!(!config.contains("Not enabled"), "{config}");
    validate_clean(&repo);
}

#[test]
fn rust_fixture_runs_end_to_end_twice() {
    let repo = init_fixture("rust", &[]);
    // As in a real crate: a git repository that ignores its build folder.
    repo.write(".gitignore", ".gantry/\n/target\n");
    repo.git(&["init", "-q", "-b", "main"]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "crate"]);
    for _ in 0..2 {
        let run = repo.run_ok(&["run"]);
        for stage in ["compile", "test"] {
            assert!(
                run.stdout.contains(&format!("==> {stage}")),
                "{}",
                run.all()
            );
        }
    }
    // Nothing changed between the runs: the second one is all cache hits.
    let second = repo.run_json(2);
    for stage in second["stages"].as_array().unwrap() {
        for action in stage["actions"].as_array().unwrap() {
            assert_eq!(action["status"], "cached", "{action}");
        }
    }
}

#[test]
fn node_fixture_installs_with_npm_ci_and_runs_its_scripts() {
    let repo = init_fixture(
        "node",
        &[
            "run: npm ci",
            r#"inputs: ["package.json", "package-lock.json"]"#,
            r#"outputs: ["node_modules"]"#,
            "run: npm run lint",
            "run: npm run build",
            "run: npm test",
        ],
    );
    if !common::have_programs(&["node", "npm"]) {
        return;
    }
    let out = repo.run_ok(&["run"]);
    assert!(
        out.all().contains("built dist/index.js") || repo.path().join("dist/index.js").exists()
    );
}

#[test]
fn python_fixture_uses_a_venv_ruff_and_pytest() {
    let repo = init_fixture(
        "python",
        &[
            "python3 -m venv .gantry/venv",
            ".gantry/venv/bin/python -m pip install --quiet pytest ruff",
            "run: .gantry/venv/bin/ruff check --no-fix --extend-exclude .gantry .",
            "run: .gantry/venv/bin/python -m pytest",
        ],
    );
    if !common::have_programs(&["python3"]) {
        return;
    }
    let out = repo.run_ok(&["run"]);
    assert!(out.stdout.contains("==> test"), "{}", out.all());
}

#[test]
fn go_fixture_gets_build_and_test_and_gofmt_vet_only_when_used() {
    let used = Repo::fixture("init/go");
    used.write(".golangci.yml", "linters:\n  enable: [govet]\n");
    used.run_ok(&["init"]);
    let config = used.read("gantry.yml");
    assert!(
        config.contains("\n          - unformatted=$(gofmt -l .)\n"),
        "{config}"
    );
    assert!(config.contains("\n        run: go vet ./...\n"), "{config}");
    let repo = init_fixture(
        "go",
        &[
            "      # Not enabled: no gofmt, goimports or golangci-lint",
            "          # - unformatted=$(gofmt -l .)\n",
            "        # run: go vet ./...\n",
            "run: go build ./...",
            "run: go test ./...",
        ],
    );
    if common::have_program("go", "apt-get install golang") {
        repo.run_ok(&["run"]);
    }
}

#[test]
fn maven_fixture_packages_then_tests() {
    init_fixture(
        "maven",
        &[
            "run: mvn --batch-mode -DskipTests package",
            "run: mvn --batch-mode test",
        ],
    );
}

#[test]
fn gradle_fixture_uses_the_wrapper_and_checkstyle() {
    init_fixture(
        "gradle",
        &[
            "run: ./gradlew check -x test",
            "run: ./gradlew assemble",
            "run: ./gradlew test",
        ],
    );
}

#[test]
fn dotnet_fixture_restores_formats_and_builds() {
    let repo = init_fixture(
        "dotnet",
        &[
            "run: dotnet restore Hello.csproj",
            "# run: dotnet format Hello.csproj --verify-no-changes --no-restore",
            "run: dotnet build Hello.csproj --no-restore --configuration Release",
        ],
    );
    assert!(!repo.read("gantry.yml").contains("dotnet test"));
}

#[test]
fn ruby_fixture_bundles_runs_rubocop_and_rake_test() {
    init_fixture(
        "ruby",
        &[
            "run: bundle install",
            "run: bundle exec rubocop",
            "run: bundle exec rake test",
        ],
    );
}

#[test]
fn php_fixture_installs_checks_and_runs_composer_test() {
    init_fixture(
        "php",
        &[
            "run: composer install --no-interaction --no-progress",
            "run: composer validate --no-check-publish",
            "php -l",
            "run: vendor/bin/phpstan analyse --no-progress",
            "run: composer test",
        ],
    );
}

#[test]
fn a_containerfile_gets_an_image_stage_tagged_with_the_run_outside_git() {
    let repo = init_fixture("container", &["file: Containerfile", "context: ."]);
    let image = image_name(&repo);
    let config = repo.read("gantry.yml");
    assert!(
        config.contains(&format!(r#"tags: ["{image}:${{run.id}}"]"#)),
        "{config}"
    );
    assert!(config.contains(&format!("output: .gantry/artifacts/{image}.oci.tar")));
}

/// The image name gantry init derives from the repository's directory name.
fn image_name(repo: &Repo) -> String {
    let dir = repo
        .path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_lowercase();
    let words: Vec<&str> = dir
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.join("-")
}

#[test]
fn in_a_committed_git_repository_the_image_is_tagged_with_the_commit() {
    let repo = Repo::fixture("init/container");
    repo.git(&["init", "-q", "-b", "main"]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "initial"]);
    repo.run_ok(&["init"]);
    let tag = format!(r#"tags: ["{}:${{git.short_sha}}"]"#, image_name(&repo));
    assert!(repo.read("gantry.yml").contains(&tag));
    validate_clean(&repo);
    repo.run_ok(&["run", "--dry-run"]);
}

#[test]
fn without_an_image_builder_the_image_is_a_warning_and_said_so() {
    let repo = Repo::fixture("init/container");
    let stderr = init_without_path(&repo);
    assert!(
        stderr.contains("no container image builder found"),
        "{stderr}"
    );
    assert!(repo.read("gantry.yml").contains("continue_on_error: true"));
    validate_clean(&repo);
}

#[test]
fn a_monorepo_gets_one_stage_per_phase_with_an_action_per_project() {
    let repo = init_fixture(
        "monorepo",
        &[
            "- name: web-install\n        working_directory: web\n        run: npm install",
            "- name: worker-venv\n        working_directory: worker",
            "- name: api-build\n        working_directory: api",
            "      # - name: api-gofmt\n",
            "- name: worker-flake8",
            "run: .gantry/venv/bin/flake8 --extend-exclude .gantry .",
            "- name: api-test",
            "run: .gantry/venv/bin/python -m unittest discover",
            "context: api",
        ],
    );
    let config = repo.read("gantry.yml");
    for stage in ["deps", "lint", "compile", "test", "image"] {
        let header = format!("  - name: {stage}\n");
        assert_eq!(config.matches(&header).count(), 1, "{stage}:\n{config}");
    }
    // npm's placeholder test script fails by design: it is left out, and said so.
    assert!(!config.contains("web-test"));
    let out = repo.run_ok(&["init", "--dry-run", "--force"]);
    assert!(out.stdout.contains("npm's placeholder"), "{}", out.stdout);
}

#[test]
fn an_empty_directory_gets_a_placeholder_pipeline_that_runs() {
    let repo = Repo::empty();
    let out = repo.run_ok(&["init"]);
    assert!(out.stdout.contains("no project found"), "{}", out.stdout);
    assert!(out.stdout.contains("gantry hook install"), "{}", out.stdout);
    validate_clean(&repo);
    let run = repo.run_ok(&["run"]);
    assert!(
        run.all().contains("put your build and test commands in it"),
        "{}",
        run.all()
    );
}

#[test]
fn an_existing_gantry_yml_is_kept_unless_forced() {
    let repo = Repo::fixture("init/rust");
    repo.write("gantry.yml", "mine\n");
    let out = repo.run(&["init"]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out
        .stderr
        .contains("gantry.yml already exists; `gantry init --force` overwrites it"));
    assert_eq!(repo.read("gantry.yml"), "mine\n");
    assert!(
        !repo.path().join(".gitignore").exists(),
        "nothing is written"
    );
    repo.run_ok(&["init", "--force"]);
    assert!(repo.read("gantry.yml").contains("cargo test"));
}

#[test]
fn dry_run_prints_every_file_and_writes_nothing() {
    let repo = Repo::fixture("init/rust");
    let out = repo.run_ok(&["init", "--dry-run", "--appspec"]);
    for file in [
        "gantry.yml",
        "appspec.yml",
        "scripts/start_server.sh",
        ".gitignore",
    ] {
        assert!(
            out.stdout.contains(&format!("--- would create {file}")),
            "{file}: {}",
            out.stdout
        );
    }
    assert!(out.stdout.contains("run: cargo clippy"));
    assert!(out.stdout.contains("nothing was written"));
    let mut names: Vec<String> = std::fs::read_dir(repo.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["Cargo.lock", "Cargo.toml", "src"]);
}

#[test]
fn gitignore_gets_gantry_once_and_keeps_its_lines() {
    let repo = Repo::fixture("init/rust");
    repo.write(".gitignore", "/target");
    let out = repo.run_ok(&["init"]);
    assert!(
        out.stdout.contains("added .gantry/ to .gitignore"),
        "{}",
        out.stdout
    );
    assert_eq!(repo.read(".gitignore"), "/target\n.gantry/\n");
    repo.run_ok(&["init", "--force"]);
    assert_eq!(repo.read(".gitignore"), "/target\n.gantry/\n");
    let other = Repo::fixture("init/rust");
    other.write(".gitignore", "/.gantry\n");
    other.run_ok(&["init"]);
    assert_eq!(other.read(".gitignore"), "/.gantry\n");
}

#[test]
fn appspec_writes_a_revision_that_validates_without_findings() {
    let repo = Repo::fixture("init/rust");
    repo.run_ok(&["init", "--appspec"]);
    let appspec = repo.read("appspec.yml");
    assert!(appspec.contains("destination: /opt/"));
    for script in [
        "stop_server",
        "install_dependencies",
        "start_server",
        "validate_service",
    ] {
        let path = repo.path().join(format!("scripts/{script}.sh"));
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o111, 0o111, "{script} is executable");
        assert!(appspec.contains(&format!("location: scripts/{script}.sh")));
        assert!(repo
            .read(&format!("scripts/{script}.sh"))
            .starts_with("#!/bin/bash\n"));
    }
    validate_clean(&repo);
    let out = repo.run_ok(&["validate", "appspec.yml"]);
    assert!(
        out.stdout.contains("0 errors, 0 warnings"),
        "{}",
        out.stdout
    );
}

#[test]
fn an_appspec_gets_a_deploy_stage_and_a_dev_group_that_deploy() {
    let repo = Repo::empty();
    let out = repo.run_ok(&["init", "--appspec"]);
    assert!(out.stdout.contains("stages: deploy"), "{}", out.stdout);
    let config = repo.read("gantry.yml");
    for line in [
        "deploy_groups:\n  dev:\n    instances: 1\n    config: AllAtOnce\n",
        "  - name: deploy\n    deploy:\n      appspec: appspec.yml\n      revision: .\n      group: dev\n",
    ] {
        assert!(config.contains(line), "no {line:?} in:\n{config}");
    }
    validate_clean(&repo);
    repo.run_ok(&["run", "--dry-run"]);
    let run = repo.run_ok(&["run"]);
    assert!(run.all().contains("is installed in"), "{}", run.all());
    let app = image_name(&repo);
    let installed = repo
        .path()
        .join(format!(".gantry/targets/dev/1/opt/{app}/appspec.yml"));
    assert!(installed.is_file(), "{}", run.all());
    // An appspec.yml already there is found without --appspec.
    repo.run_ok(&["init", "--force"]);
    assert!(repo.read("gantry.yml").contains("appspec: appspec.yml"));
}

#[test]
fn appspec_hook_scripts_run_as_a_deployment_would_run_them() {
    let repo = Repo::fixture("init/rust");
    repo.run_ok(&["init", "--appspec"]);
    let instance = tempfile::tempdir().unwrap();
    for script in [
        "install_dependencies",
        "start_server",
        "validate_service",
        "stop_server",
    ] {
        let out = std::process::Command::new(repo.path().join(format!("scripts/{script}.sh")))
            .env("GANTRY_INSTANCE_ROOT", instance.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{script}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(instance.path().join("opt").is_dir());
}

#[test]
fn appspec_refuses_to_overwrite_an_existing_revision() {
    let repo = Repo::fixture("init/rust");
    repo.write("scripts/start_server.sh", "#!/bin/sh\nmine\n");
    let out = repo.run(&["init", "--appspec"]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr
            .contains("scripts/start_server.sh already exists"),
        "{}",
        out.stderr
    );
    assert!(
        !repo.path().join("gantry.yml").exists(),
        "nothing is written"
    );
    assert!(!repo.path().join("appspec.yml").exists());
}

#[test]
fn missing_tools_are_reported_after_writing_with_how_to_install_them() {
    let repo = Repo::fixture("init/rust");
    repo.write("clippy.toml", "");
    let stderr = init_without_path(&repo);
    assert!(
        stderr.contains("warning: cargo-clippy not found: rustup component add clippy"),
        "{stderr}"
    );
    assert!(stderr.contains("warning: cargo not found: install Rust with rustup"));
    assert_eq!(
        stderr.matches("warning: cargo not found").count(),
        1,
        "each tool once"
    );
    assert!(
        repo.read("gantry.yml").contains("cargo clippy"),
        "written all the same"
    );
}

#[test]
fn template_picks_an_ecosystem_by_hand() {
    let repo = Repo::empty();
    let out = repo.run_ok(&["init", "--template", "python"]);
    assert!(out.stdout.contains("found Python in ."), "{}", out.stdout);
    let config = repo.read("gantry.yml");
    assert!(config.contains("python3 -m venv .gantry/venv"), "{config}");
    validate_clean(&repo);
    let bad = repo.run(&["init", "--force", "--template", "cobol"]);
    assert_eq!(bad.code, 2);
}

#[test]
fn node_package_managers_follow_the_lockfile() {
    let cases = [
        (
            "pnpm-lock.yaml",
            None,
            "run: pnpm install --frozen-lockfile",
            "run: pnpm run lint",
        ),
        (
            "yarn.lock",
            Some(".yarnrc.yml"),
            "run: yarn install --immutable",
            "run: yarn run lint",
        ),
        (
            "yarn.lock",
            None,
            "run: yarn install --frozen-lockfile",
            "run: yarn test",
        ),
    ];
    for (lockfile, extra, install, script) in cases {
        let repo = Repo::empty();
        repo.write(
            "package.json",
            r#"{"scripts": {"lint": "eslint .", "test": "vitest run"}}"#,
        );
        repo.write(lockfile, "");
        if let Some(extra) = extra {
            repo.write(extra, "");
        }
        let out = repo.run_ok(&["init"]);
        let config = repo.read("gantry.yml");
        assert!(
            config.contains(install) && config.contains(script),
            "{lockfile}:\n{config}"
        );
        assert!(out.stdout.contains("found Node ("), "{}", out.stdout);
        validate_clean(&repo);
    }
}

#[test]
fn init_points_editors_at_the_schema() {
    let repo = Repo::new("");
    std::fs::remove_file(repo.path().join("gantry.yml")).unwrap();
    repo.write(
        "Cargo.toml",
        "[package]\nname = \"x\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    repo.write("src/main.rs", "fn main() {}\n");
    assert_eq!(repo.run(&["init"]).code, 0);
    let config = repo.read("gantry.yml");
    assert!(
        config.starts_with("# yaml-language-server: $schema=.gantry/gantry.schema.json\n"),
        "{config}"
    );
    assert!(repo.path().join(".gantry/gantry.schema.json").is_file());
}

#[test]
fn a_pre_commit_hook_counts_as_using_a_check() {
    let repo = Repo::fixture("init/rust");
    repo.write(
        ".pre-commit-config.yaml",
        "repos:\n  - repo: https://github.com/doublify/pre-commit-rust\n    rev: v1.0\n    hooks:\n      - id: fmt\n",
    );
    repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    assert!(
        config.contains("\n        run: cargo fmt --all --check\n"),
        "{config}"
    );
    assert!(config.contains("        # run: cargo clippy"), "{config}");
}

#[test]
fn python_without_lint_settings_gets_ruff_commented_out_with_a_note() {
    let repo = Repo::fixture("init/python");
    let settings = repo.read("pyproject.toml");
    let without_ruff: String = settings
        .lines()
        .filter(|l| !l.contains("ruff"))
        .map(|l| format!("{l}\n"))
        .collect();
    repo.write("pyproject.toml", &without_ruff);
    let out = repo.run_ok(&["init"]);
    assert!(
        out.all()
            .contains("written commented out, as the repository shows no sign of using them: ruff"),
        "{}",
        out.all()
    );
    let config = repo.read("gantry.yml");
    assert!(
        config.contains("      # Not enabled: no ruff or flake8 settings")
            && config.contains("      # - name: ruff\n"),
        "{config}"
    );
    assert!(!config.contains("\n      - name: ruff"), "{config}");
    validate_clean(&repo);
}

#[test]
fn a_python_project_with_a_uv_lock_runs_its_tests_in_the_locked_environment() {
    let repo = Repo::empty();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"demo\"\nversion = \"0\"\n\n[dependency-groups]\ndev = [\"ruff\"]\ntests = [\n    \"pytest\",\n]\n\n[tool.pytest.ini_options]\ntestpaths = [\"tests\"]\n",
    );
    repo.write("uv.lock", "version = 1\n");
    let out = repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    for line in [
        "          - .gantry/venv/bin/python -m pip install --quiet pytest uv\n",
        "      - name: pytest\n        run: .gantry/venv/bin/uv run --locked --group tests pytest\n",
    ] {
        assert!(config.contains(line), "no {line:?} in:\n{config}");
    }
    assert!(!out.stderr.contains("uv not found"), "{}", out.stderr);
    validate_clean(&repo);
}
