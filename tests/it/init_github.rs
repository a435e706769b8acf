//! `gantry init` on repositories whose GitHub workflows do what real ones
//! do (cases found running init on flask, just and express): each test
//! writes a minimal `.github/workflows` file reproducing one case into a
//! temp repository and runs the real binary on it.

use crate::common;

use common::Repo;

/// A repository with `workflow` as `.github/workflows/ci.yml` and the
/// other `files`.
fn with_workflow(workflow: &str, files: &[(&str, &str)]) -> Repo {
    let repo = Repo::empty();
    repo.write(".github/workflows/ci.yml", workflow);
    for (path, text) in files {
        repo.write(path, text);
    }
    repo
}

/// The lines of `config` that are not comments.
fn live_lines(config: &str) -> String {
    config
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn commands_that_change_user_settings_are_left_out() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - name: Configure npm loglevel
        run: |
          npm config set loglevel error
      - name: Identify
        run: git config --global user.email ci@example.com
      - name: Run tests
        run: npm test
"#,
        &[(
            "package.json",
            r#"{"name": "x", "scripts": {"test": "node -e 0"}}"#,
        )],
    );
    let out = repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    let live = live_lines(&config);
    assert!(!live.contains("npm config"), "{config}");
    assert!(!live.contains("git config"), "{config}");
    for line in [
        "job test, step \"Configure npm loglevel\": it changes your user's settings for every project (`npm config set`)",
        "job test, step \"Identify\": it changes your user's settings for every project (`git config --global`)",
    ] {
        assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
        assert!(config.contains(line), "no {line:?} in:\n{config}");
    }
    assert!(config.contains("        run: npm test\n"), "{config}");
}

#[test]
fn steps_that_talk_to_the_github_runner_are_left_out() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  build:
    runs-on: ubuntu-latest
    env:
      GITHUB_OWN: set-by-the-workflow
    steps:
      - run: echo "SOURCE_DATE_EPOCH=$(git log -1 --pretty=%ct)" >> $GITHUB_ENV
      - name: Version
        run: echo "version=1" >> "${GITHUB_OUTPUT}"
      - name: Summary
        run: echo "- done" >> $GITHUB_STEP_SUMMARY
      - name: Path
        run: echo "$HOME/.local/bin" >> $GITHUB_PATH
      - name: Own
        run: echo $GITHUB_OWN
      - name: Build
        run: make all
      - name: Where
        run: ls $RUNNER_TEMP
"#,
        &[("Makefile", "all:\n\ttrue\n")],
    );
    let out = repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    let live = live_lines(&config);
    assert!(!live.contains("GITHUB_ENV"), "{config}");
    assert!(!live.contains("GITHUB_OUTPUT"), "{config}");
    assert!(!live.contains("GITHUB_STEP_SUMMARY"), "{config}");
    assert!(!live.contains("GITHUB_PATH"), "{config}");
    assert!(!live.contains("RUNNER_TEMP"), "{config}");
    assert!(live.contains("run: \"echo $GITHUB_OWN\"\n"), "{config}");
    assert!(live.contains("run: make all\n"), "{config}");
    for line in [
        "sets environment variables for the job's later steps through $GITHUB_ENV, a file only GitHub's runner provides (CI plumbing; unset here)",
        "step \"Version\": it sets step outputs for later `${{ steps.… }}` expressions through $GITHUB_OUTPUT",
        "step \"Summary\": it writes the run's summary page on GitHub through $GITHUB_STEP_SUMMARY",
        "step \"Path\": it adds a directory to PATH for the job's later steps through $GITHUB_PATH",
        "step \"Where\": it reads $RUNNER_TEMP, which only GitHub's runner sets",
    ] {
        assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
        assert!(config.contains(line), "no {line:?} in:\n{config}");
    }
    // What is left runs: no step of the pipeline needs GitHub's runner.
    if common::have_programs(&["make"]) {
        repo.run_ok(&["run"]);
    }
}

#[test]
fn steps_after_a_left_out_step_that_makes_something_are_left_out_too() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  checksum:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd
      - uses: actions/setup-node@v4
      - name: Install shellcheck
        run: sudo apt-get install -y shellcheck
      - name: Lint
        run: make lint
      - name: Download Release Archives
        env:
          GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}
        run: gh release download --dir release v1
      - name: Create Checksums
        run: |
          cd release
          shasum -a 256 * > ../SHA256SUMS
      - name: List
        run: ls
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "SOURCE_DATE_EPOCH=$(git log -1 --pretty=%ct)" >> $GITHUB_ENV
      - name: Build
        run: make all
      - name: Stamp
        run: echo "built at $SOURCE_DATE_EPOCH" > stamp.txt
  docs:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/download-artifact@v4
        with:
          name: site
      - name: Check site
        run: ./check-site.sh
"#,
        &[("Makefile", "all:\n\ttrue\nlint:\n\ttrue\ntest:\n\ttrue\n")],
    );
    let out = repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    let live = live_lines(&config);
    for gone in ["shasum", "run: ls", "stamp.txt", "check-site"] {
        assert!(!live.contains(gone), "{gone} in:\n{config}");
    }
    for kept in ["run: make lint\n", "run: make all\n"] {
        assert!(live.contains(kept), "no {kept} in:\n{config}");
    }
    let after = |step: &str| {
        format!("it comes after step \"{step}\", which is left out and may have made what it needs")
    };
    for line in [
        format!(
            "job checksum, step \"Create Checksums\": {}",
            after("Download Release Archives")
        ),
        format!(
            "job checksum, step \"List\": {}",
            after("Download Release Archives")
        ),
        format!(
            "job build, step \"Stamp\": {}",
            after("echo \"SOURCE_DATE_EPOCH=$(git log -1 --pretty=%ct)\" >> $GITHUB_ENV")
        ),
        format!(
            "job docs, step \"Check site\": {}",
            after("actions/download-artifact")
        ),
    ] {
        assert!(
            out.stdout.contains(&line),
            "no {line:?} in:\n{}",
            out.stdout
        );
        assert!(config.contains(&line), "no {line:?} in:\n{config}");
    }
    if common::have_programs(&["make"]) {
        repo.run_ok(&["run"]);
    }
}

#[test]
fn left_out_github_actions_are_listed_once_per_action_with_a_count() {
    let checkout = "actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd";
    let workflow = format!(
        r#"
on: [push]
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: {checkout}
      - uses: astral-sh/setup-uv@cec208311dfd045dd5311c1add060b2062131d57
      - run: make lint
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: {checkout}
      - name: Set up uv
        uses: astral-sh/setup-uv@v6
      - run: make test
  typing:
    runs-on: ubuntu-latest
    steps:
      - uses: {checkout}
      - run: make typing
      - uses: dessant/lock-threads@v5
"#
    );
    let repo = with_workflow(
        &workflow,
        &[(
            "Makefile",
            "lint:\n\ttrue\ntest:\n\ttrue\ntyping:\n\ttrue\n",
        )],
    );
    let out = repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    let listed = [
        "actions/checkout (3 steps): a GitHub action, which runs only on GitHub\n",
        "astral-sh/setup-uv (2 steps): a GitHub action, which runs only on GitHub\n",
        "dessant/lock-threads (1 step): a GitHub action, which runs only on GitHub\n",
    ];
    for line in listed {
        assert!(
            out.stdout.contains(&format!("\nskipped {line}")),
            "no {line:?} in:\n{}",
            out.stdout
        );
        assert!(
            config.contains(&format!("\n#   {line}")),
            "no {line:?} in:\n{config}"
        );
    }
    let skipped = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("skipped "))
        .count();
    assert_eq!(skipped, listed.len(), "{}", out.stdout);
    assert!(!config.contains("@de0fac2e"), "{config}");
}

#[test]
fn the_same_dependencies_installed_by_two_jobs_are_installed_once() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - name: Install dependencies
        run: npm install --ignore-scripts --include=dev
      - name: Run lint
        run: npm run lint
  test:
    runs-on: ubuntu-latest
    steps:
      - name: Install dependencies
        run: npm install
      - name: Run tests
        run: npm test
"#,
        &[(
            "package.json",
            r#"{"name": "x", "scripts": {"lint": "node -e 0", "test": "node -e 0", "postinstall": "node -e \"require('fs').writeFileSync('installed', '')\""}}"#,
        )],
    );
    let out = repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    let live = live_lines(&config);
    assert_eq!(live.matches("npm install").count(), 1, "{config}");
    assert!(
        config.contains("      # From .github/workflows/ci.yml, job test, step \"Install dependencies\"; it also stands for .github/workflows/ci.yml, job lint, step \"Install dependencies\" (`npm install --ignore-scripts --include=dev`).\n      - name: install-dependencies\n        run: npm install\n"),
        "{config}"
    );
    assert!(
        out.stdout.contains("note: 2 installs of npm dependencies are one action, `npm install` (from .github/workflows/ci.yml, job test, step \"Install dependencies\"): it stands for .github/workflows/ci.yml, job lint, step \"Install dependencies\" (`npm install --ignore-scripts --include=dev`)\n"),
        "{}",
        out.stdout
    );
    if common::have_programs(&["node", "npm"]) {
        repo.run_ok(&["run"]);
        // The kept install is the one that runs the package's scripts.
        assert!(repo.path().join("installed").exists());
    }
}

#[test]
fn when_no_test_step_can_be_taken_the_test_stage_runs_the_ecosystem_default() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Versions
        run: echo "Rust $(rustc -V)"
      - name: Run tests
        run: cargo test --features ${{ inputs.features }}
"#,
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[features]\na = []\nb = []\n",
            ),
            (
                "src/lib.rs",
                "pub fn two() -> u32 {\n    2\n}\n\n#[test]\nfn adds() {\n    assert_eq!(two(), 2);\n}\n",
            ),
        ],
    );
    let out = repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    assert!(
        config.contains("      - name: test\n        run: cargo test\n"),
        "{config}"
    );
    assert!(
        out.stdout.contains("note: no test step of the repository's CI or task runners could be taken (see what was skipped): the test stage runs gantry's Rust (Cargo) default instead: test/test\n"),
        "{}",
        out.stdout
    );
    // The flask case: the type check is a check, the matrix test run is
    // left out, and the Python default runs the suite.
    let python = with_workflow(
        r#"
on: [push]
jobs:
  tests:
    runs-on: ubuntu-latest
    env:
      TOX_ENV: ${{ matrix.tox || format('py{0}', matrix.python) }}
    steps:
      - run: uv run --locked tox run
  typing:
    runs-on: ubuntu-latest
    steps:
      - run: uv run --locked tox run -e typing
"#,
        &[(
            "pyproject.toml",
            "[project]\nname = \"demo\"\nversion = \"0\"\n\n[tool.pytest.ini_options]\ntestpaths = [\"tests\"]\n",
        )],
    );
    let dry = python.run_ok(&["init", "--dry-run"]);
    for line in [
        "  lint/tox-run-typing from .github/workflows/ci.yml, job typing",
        "  test/pytest from gantry's Python defaults\n",
        "the test stage runs gantry's Python default instead: test/pytest\n",
    ] {
        let squeezed = dry.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
        let line_squeezed = line.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            squeezed.contains(&line_squeezed),
            "no {line:?} in:\n{}",
            dry.stdout
        );
    }
    if !common::have_programs(&["cargo"]) {
        return;
    }
    repo.run_ok(&["run"]);
    repo.write(
        "tests/new.rs",
        "#[test]\nfn breaks() {\n    assert_eq!(1, 2);\n}\n",
    );
    let failed = repo.run(&["run"]);
    assert_ne!(failed.code, 0, "the suite runs:\n{}", failed.all());
}

#[test]
fn a_workflow_that_runs_only_for_tags_is_left_out() {
    let repo = with_workflow(
        r#"
on:
  push:
    branches: [main]
  pull_request:
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: make test
"#,
        &[
            ("Makefile", "test:\n\ttrue\n"),
            (
                ".github/workflows/release.yml",
                r#"
on:
  push:
    tags: ['*']
  workflow_dispatch:
jobs:
  package:
    runs-on: ubuntu-latest
    steps:
      - name: Generate Manpage
        run: ./package.sh
"#,
            ),
        ],
    );
    let out = repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    assert!(!live_lines(&config).contains("package.sh"), "{config}");
    let line = ".github/workflows/release.yml: it runs only when a tag is pushed or a release is published (`on:`)\n";
    assert!(
        out.stdout.contains(&format!("skipped {line}")),
        "{}",
        out.stdout
    );
    assert!(config.contains(&format!("#   {line}")), "{config}");
    assert!(live_lines(&config).contains("run: make test\n"), "{config}");
}

#[test]
fn runners_that_ci_installs_with_a_setup_action_go_into_the_python_venv() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  typing:
    runs-on: ubuntu-latest
    steps:
      - uses: astral-sh/setup-uv@v6
      - run: uv run --locked tox run -e typing
"#,
        &[(
            "pyproject.toml",
            "[project]\nname = \"demo\"\nversion = \"0\"\n\n[tool.pytest.ini_options]\ntestpaths = [\"tests\"]\n",
        )],
    );
    let out = repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    assert!(
        config
            .contains("          - .gantry/venv/bin/python -m pip install --quiet pytest uv tox\n"),
        "{config}"
    );
    assert!(
        config.contains("          - \". .gantry/venv/bin/activate\"\n          - uv run --locked tox run -e typing\n"),
        "{config}"
    );
    // uv comes with the venv: no warning that it is missing here.
    assert!(!out.stderr.contains("uv not found"), "{}", out.stderr);
}

#[test]
fn an_imported_install_is_cached_on_the_dependency_lists_like_gantrys_own() {
    let repo = with_workflow(
        "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm ci\n      - run: npm test\n",
        &[
            ("package.json", r#"{"name": "x", "scripts": {"test": "true"}}"#),
            ("package-lock.json", r#"{"name": "x", "lockfileVersion": 3}"#),
        ],
    );
    repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    assert!(
        config.contains("        run: npm ci\n        inputs: [\"package.json\", \"package-lock.json\"]\n        outputs: [\"node_modules\"]\n"),
        "{config}"
    );
    // A stand-in npm that logs each call and installs into node_modules.
    common::write_exec(
        &repo,
        "bin/npm",
        "#!/bin/sh\necho \"$*\" >> \"$NPM_LOG\"\n[ \"$1\" != ci ] || { mkdir -p node_modules && echo {} > node_modules/.package-lock.json; }\n",
    );
    let path = format!(
        "{}:{}",
        repo.path().join("bin").display(),
        std::env::var("PATH").unwrap()
    );
    let log = repo.path().join("npm.log");
    for _ in 0..2 {
        repo.gantry()
            .args(["run"])
            .env("PATH", &path)
            .env("NPM_LOG", &log)
            .run()
            .success();
    }
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        "ci\ntest\ntest\n",
        "the second run installs nothing"
    );
    assert_eq!(
        common::action_status(&repo.run_json(2), "deps", "npm-ci"),
        "cached"
    );
}

#[test]
fn a_left_out_check_action_does_not_take_the_later_steps_with_it() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-go@v5
      - uses: golangci/golangci-lint-action@v6
      - run: go build ./...
      - run: go test -race ./...
"#,
        &[("go.mod", "module example.com/demo\n\ngo 1.21\n")],
    );
    let out = repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    let live = live_lines(&config);
    for kept in ["run: go build ./...\n", "run: go test -race ./...\n"] {
        assert!(live.contains(kept), "no {kept} in:\n{config}");
    }
    assert!(!config.contains("it comes after step"), "{config}");
    assert!(!out.stdout.contains("no test step"), "{}", out.stdout);
}

#[test]
fn a_left_out_step_that_only_prints_or_checks_does_not_take_the_later_steps_with_it() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: echo "Testing on Node ${{ matrix.node }}"
      - run: npm ci
      - run: npm test
  docs:
    runs-on: ubuntu-latest
    steps:
      - run: echo "OS=$RUNNER_OS"
      - run: pytest --basetemp=$RUNNER_TEMP/p
      - run: mkdocs build
"#,
        &[(
            "package.json",
            r#"{"name": "x", "scripts": {"test": "node -e 0"}}"#,
        )],
    );
    let out = repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    let live = live_lines(&config);
    for kept in ["run: npm ci\n", "run: npm test\n", "run: mkdocs build\n"] {
        assert!(live.contains(kept), "no {kept} in:\n{config}");
    }
    assert!(!config.contains("it comes after step"), "{config}");
    assert!(
        out.stdout
            .contains("step \"echo \"OS=$RUNNER_OS\"\": it reads $RUNNER_OS"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_step_of_a_job_named_test_is_the_test_run() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: npm ci
      - run: npm run ci
"#,
        &[(
            "package.json",
            r#"{"name": "x", "scripts": {"ci": "node -e 0", "test": "node -e 0"}}"#,
        )],
    );
    let out = repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    let live = live_lines(&config);
    assert!(live.contains("run: npm run ci\n"), "{config}");
    // The job's step runs the tests: gantry's `npm test` would run them twice.
    assert!(!live.contains("run: npm test\n"), "{config}");
    assert!(!out.stdout.contains("no test step"), "{}", out.stdout);
}

#[test]
fn a_runner_that_is_not_installed_into_the_venv_is_needed_on_the_machine() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: pipx install nox
      - run: nox
"#,
        &[
            (
                "pyproject.toml",
                "[project]\nname = \"demo\"\nversion = \"0\"\n",
            ),
            (
                "noxfile.py",
                "import nox\n\n\n@nox.session\ndef tests(session):\n    session.run(\"python\", \"-c\", \"0\")\n",
            ),
        ],
    );
    // A PATH without nox, whatever this machine has installed.
    let empty = repo.path().join("empty-bin");
    std::fs::create_dir_all(&empty).unwrap();
    let out = repo.gantry().args(["init"]).env("PATH", &empty).run();
    out.success();
    let config = repo.read("gantry.yml");
    assert!(
        config.contains("          - \". .gantry/venv/bin/activate\"\n          - nox\n"),
        "{config}"
    );
    // The venv gets no nox (CI runs no `nox -s`), so it must be on the machine.
    assert!(!config.contains("--quiet nox"), "{config}");
    assert!(
        out.stderr.contains("warning: nox not found"),
        "{}",
        out.stderr
    );
}

#[test]
fn uv_runs_the_tests_only_with_what_the_pyproject_declares_for_them() {
    let pytest_action = |pyproject: &str, files: &[(&str, &str)]| {
        let repo = Repo::empty();
        repo.write("pyproject.toml", pyproject);
        repo.write("uv.lock", "version = 1\n");
        for (path, text) in files {
            repo.write(path, text);
        }
        repo.run_ok(&["init"]);
        let config = repo.read("gantry.yml");
        let line = config
            .lines()
            .skip_while(|l| !l.ends_with("- name: pytest"))
            .nth(1)
            .unwrap_or_else(|| panic!("no pytest action in:\n{config}"))
            .trim()
            .to_string();
        line
    };
    let head = "[project]\nname = \"demo\"\nversion = \"0\"\n\n[tool.pytest.ini_options]\ntestpaths = [\"tests\"]\n";
    // pytest in an extra: uv installs it with `--extra`.
    assert_eq!(
        pytest_action(
            &format!("{head}\n[project.optional-dependencies]\ntest = [\"pytest>=8\"]\n"),
            &[]
        ),
        "run: .gantry/venv/bin/uv run --locked --extra test pytest"
    );
    // pytest in a dependency group: `--group`.
    assert_eq!(
        pytest_action(
            &format!("{head}\n[dependency-groups]\ntests = [\n    \"pytest\",\n]\n"),
            &[]
        ),
        "run: .gantry/venv/bin/uv run --locked --group tests pytest"
    );
    // pytest only in a requirements file: uv's environment would lack it.
    assert_eq!(
        pytest_action(head, &[("requirements-dev.txt", "pytest\n")]),
        "run: .gantry/venv/bin/python -m pytest"
    );
}

#[test]
fn a_step_after_a_left_out_action_names_the_action_as_the_left_out_list_does() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  docs:
    runs-on: ubuntu-latest
    steps:
      - name: Fetch site
        uses: actions/download-artifact@de0fac2e4500dabe0009e67214ff5f5447ce83dd
      - name: Check site
        run: ./check-site.sh
      - uses: actions/download-artifact@de0fac2e4500dabe0009e67214ff5f5447ce83dd
      - name: Check more
        run: ./check-more.sh
  test:
    runs-on: ubuntu-latest
    steps:
      - run: make test
"#,
        &[("Makefile", "test:\n\ttrue\n")],
    );
    let out = repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    for line in [
        "job docs, step \"Check site\": it comes after step \"actions/download-artifact\", which is left out",
        "job docs, step \"Check more\": it comes after step \"actions/download-artifact\", which is left out",
        "actions/download-artifact (2 steps): a GitHub action",
    ] {
        assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
        assert!(config.contains(line), "no {line:?} in:\n{config}");
    }
    assert!(!config.contains("de0fac2e"), "{config}");
    assert!(!out.stdout.contains("de0fac2e"), "{}", out.stdout);
}

#[test]
fn steps_that_move_the_git_checkout_are_left_out_and_so_are_the_steps_after_them() {
    // requests' CodeQL workflow checks out the pull request's merge parent.
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  analyze:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: git checkout HEAD^2
      - run: make test
  generated:
    runs-on: ubuntu-latest
    steps:
      - run: make generate
      - run: git diff --exit-code
"#,
        &[("Makefile", "test:\n\ttrue\ngenerate:\n\ttrue\n")],
    );
    repo.git(&["init", "-q", "-b", "main"]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "one"]);
    repo.git(&["commit", "-q", "--allow-empty", "-m", "two"]);
    let out = repo.run_ok(&["init"]);
    let live = live_lines(&repo.read("gantry.yml"));
    assert!(!live.contains("git checkout"), "{live}");
    assert!(live.contains("git diff --exit-code"), "{live}");
    assert!(
        out.stdout.contains("job analyze, step \"git checkout HEAD^2\": it changes your git checkout or repository (`git checkout HEAD^2`)"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(
            "job analyze, step \"make test\": it comes after step \"git checkout HEAD^2\""
        ),
        "{}",
        out.stdout
    );
    let head = repo.git(&["rev-parse", "HEAD"]);
    repo.run_ok(&["run"]);
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head);
}

#[test]
fn a_job_that_uninstalls_packages_is_a_variant_and_is_left_out() {
    let repo = with_workflow(
        "on: [push]\njobs:\n  no_chardet:\n    runs-on: ubuntu-latest\n    steps:\n      - name: Install dependencies\n        run: |\n          make\n          python -m pip uninstall -y chardet\n      - name: Run tests\n        run: make ci\n",
        &[("Makefile", "ci:\n\ttrue\n")],
    );
    let out = repo.run_ok(&["init"]);
    assert!(!live_lines(&repo.read("gantry.yml")).contains("uninstall"));
    for line in [
        "job no_chardet, step \"Install dependencies\": it removes packages from the environment every action shares (`pip uninstall`)",
        "job no_chardet, step \"Run tests\": it comes after step \"Install dependencies\"",
    ] {
        assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
    }
}

#[test]
fn a_step_that_installs_a_checker_and_runs_it_is_the_check() {
    // requests' lint job: `pip install pre-commit==…` then `pre-commit run`.
    let repo = with_workflow(
        "on: [push]\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - name: Run pre-commit\n        run: |\n          python -m pip install pre-commit==4.6.0\n          pre-commit run --all-files\n",
        &[("pyproject.toml", "[project]\nname = \"x\"\nversion = \"0\"\n")],
    );
    let out = repo.run_ok(&["init", "--dry-run"]);
    assert!(
        out.stdout.contains("  lint/run-pre-commit  from .github/workflows/ci.yml, job lint, step \"Run pre-commit\""),
        "{}",
        out.stdout
    );
}

/// `major.minor` of the machine's `python3`, as `gantry init` reads it.
fn local_python() -> String {
    assert!(common::have_programs(&["python3"]));
    let out = std::process::Command::new("python3")
        .args(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
        .output()
        .expect("python3 runs");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn a_job_that_runs_the_main_jobs_commands_with_other_packages_installed_is_left_out() {
    // requests' run-tests.yml: the main job installs with `make` and runs
    // `make ci`; the `urllib3` job does the same with `urllib3<2` on top.
    let python = local_python();
    let repo = with_workflow(
        &format!(
            r#"
on: [push, pull_request]
jobs:
  build:
    runs-on: ${{{{ matrix.os }}}}
    strategy:
      matrix:
        python-version: ["3.99", "{python}"]
        os: [ubuntu-22.04, windows-latest]
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: ${{{{ matrix.python-version }}}}
      - name: Install dependencies
        run: make
      - name: Run tests
        run: make ci
  urllib3:
    name: 'urllib3 1.x'
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Install dependencies
        run: |
          make
          python  -m pip install "urllib3<2"
      - name: Print the version
        run: echo "urllib3 $(python -c 'import urllib3; print(urllib3.__version__)')"
      - name: Run tests
        run: make ci
  legacy:
    runs-on: ubuntu-latest
    steps:
      - run: make
      - run: pip install "urllib3<2"
      - name: Run tests
        run: make ci-legacy
  docs:
    runs-on: ubuntu-latest
    steps:
      - run: pip install "sphinx<8"
      - run: make html
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: pip install "ruff==0.5.0"
      - run: ruff check
"#
        ),
        &[
            ("Makefile", "init:\n\ttrue\nci:\n\ttrue\nci-legacy:\n\ttrue\n"),
            (
                "pyproject.toml",
                "[project]\nname = \"demo\"\nversion = \"0\"\ndependencies = [\"urllib3>=1.26,<3\"]\n[project.optional-dependencies]\ndocs = [\"sphinx\"]\n",
            ),
        ],
    );
    let out = repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    let live = live_lines(&config);
    assert!(!live.contains("urllib3"), "{config}");
    for kept in ["- make\n", "- make ci\n"] {
        assert!(live.contains(kept), "no {kept:?} in:\n{config}");
    }
    for line in [
        "job urllib3: it runs what job build runs with other packages installed (`python  -m pip install \"urllib3<2\"`): a variant environment, which in the one environment every action shares would change what the other actions test",
        // Other commands, but another version of a dependency.
        "job legacy: it installs another version of a package the project depends on, while job build tests what a plain install gives (`pip install \"urllib3<2\"`)",
    ] {
        assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
        assert!(config.contains(line), "no {line:?} in:\n{config}");
    }
    // A tool pinned for a check of its own, a pinned dependency for a
    // build that tests nothing: no variants.
    assert!(live.contains("ruff==0.5.0"), "{config}");
    assert!(live.contains("sphinx<8"), "{config}");

    // The same for npm: a job that pins another React for the same tests.
    let node = with_workflow(
        r#"
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: npm ci
      - run: npm test
  react17:
    runs-on: ubuntu-latest
    steps:
      - run: npm ci
      - run: npm install --no-save react@17
      - run: npm test
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: npm ci
      - run: npm install --no-save eslint@9
      - run: npx eslint .
"#,
        &[(
            "package.json",
            r#"{"name": "x", "scripts": {"test": "node -e 0"}}"#,
        )],
    );
    let out = node.run_ok(&["init", "--dry-run"]);
    assert!(
        out.stdout.contains("job react17: it runs what job test runs with other packages installed (`npm install --no-save react@17`)"),
        "{}",
        out.stdout
    );
    // A job with commands of its own installs what they need: it stays.
    assert!(out.stdout.contains("eslint@9"), "{}", out.stdout);
}

#[test]
fn a_matrix_job_runs_one_cell_chosen_for_this_machine_and_says_which() {
    // flask's tests.yaml: an include-only matrix, `runs-on` and the tox
    // environment worked out from the cell.
    let python = local_python();
    let repo = with_workflow(
        &format!(
            r#"
on: [push]
jobs:
  tests:
    name: ${{{{ matrix.name || matrix.python }}}}
    runs-on: ${{{{ matrix.os || 'ubuntu-latest' }}}}
    strategy:
      matrix:
        include:
          - {{python: '3.99'}}
          - {{name: Windows, python: '{python}', os: windows-latest}}
          - {{python: '{python}'}}
          - {{name: Minimum, python: '{python}', tox: min}}
    steps:
      - name: Windows only
        if: matrix.os == 'windows-latest'
        run: make windows
      - name: Tests on py${{{{ matrix.python }}}}
        run: make test
        env:
          ENVNAME: ${{{{ matrix.tox || format('py{{0}}', matrix.python) }}}}
  features:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        features: [fast, slow]
    steps:
      - run: make check FEATURES=${{{{ matrix.features }}}}
      - run: make ref REF=${{{{ github.ref }}}}
  mac:
    runs-on: ${{{{ matrix.os }}}}
    strategy:
      matrix:
        os: [macos-latest, macos-13]
    steps:
      - run: make mac
"#
        ),
        &[(
            "Makefile",
            &format!(
                "test:\n\ttest \"$$ENVNAME\" = py{python}\ncheck:\n\ttest \"$(FEATURES)\" = fast\nwindows mac ref:\n\tfalse\n"
            ),
        )],
    );
    let out = repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    let live = live_lines(&config);
    for kept in [
        format!("- name: tests-on-py{}\n", python.replace('.', "-")),
        format!("ENVNAME: py{python}\n"),
        "run: make test\n".into(),
        "run: make check FEATURES=fast\n".into(),
    ] {
        assert!(live.contains(&kept), "no {kept:?} in:\n{config}");
    }
    for gone in ["make windows", "make mac", "make ref"] {
        assert!(!live.contains(gone), "{gone} in:\n{config}");
    }
    for line in [
        format!("this pipeline runs it for python={python} only (python3 here is {python}."),
        "this pipeline runs it for features=fast only (the first cell), not for `features=slow` (1 other value)".into(),
        "job tests, step \"Windows only\": its `if: matrix.os == 'windows-latest'` does not hold for the job's matrix cell run here".into(),
        "job features, step \"make ref REF=${{ github.ref }}\": it uses a `${{ … }}` expression that only the CI fills in: github.ref".into(),
        "job mac: it runs on macos-latest (every cell of its matrix)".into(),
    ] {
        assert!(config.contains(&line), "no {line:?} in:\n{config}");
        assert!(out.stdout.contains(&line), "no {line:?} in:\n{}", out.stdout);
    }
    if common::have_programs(&["make"]) {
        repo.run_ok(&["run"]);
    }
}

#[test]
fn an_env_toggle_ci_leaves_empty_in_some_runs_is_set_empty_and_the_step_kept() {
    // requests' install step sets PYO3_USE_ABI3_FORWARD_COMPATIBILITY to
    // `${{ cond && '1' || '' }}`: empty wherever `cond` does not hold.
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - name: Build
        env:
          FORWARD_COMPAT: ${{ github.event_name == 'schedule' && '1' || '' }}
        run: make
      - name: Test
        env:
          DEBUG: ${{ inputs.debug || '' }}
        run: make test DEBUG=$DEBUG
      - name: Check
        env:
          TOKEN: ${{ github.token }}
        run: make check
"#,
        &[(
            "Makefile",
            "all:\n\ttest -z \"$$FORWARD_COMPAT\"\ntest:\n\ttest -z \"$(DEBUG)\"\ncheck:\n\tfalse\n",
        )],
    );
    let out = repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    let live = live_lines(&config);
    for kept in [
        "FORWARD_COMPAT: \"\"\n",
        "run: make\n",
        "DEBUG: \"\"\n",
        "run: \"make test DEBUG=$DEBUG\"\n",
    ] {
        assert!(live.contains(kept), "no {kept:?} in:\n{config}");
    }
    assert!(!live.contains("make check"), "{config}");
    for line in [
        "FORWARD_COMPAT is set empty, as CI sets it in its runs where `${{ github.event_name == 'schedule' && '1' || '' }}` does not hold (gantry cannot tell github.event_name here); the step's commands do not name it, but a program they run may read it",
        "DEBUG is set empty, as CI sets it in its runs where `${{ inputs.debug || '' }}` does not hold (gantry cannot tell inputs.debug here); the step's commands read it",
        "job test, step \"Check\": its environment variable TOKEN: it uses a `${{ … }}` expression that only the CI fills in: github.token",
    ] {
        assert!(config.contains(line), "no {line:?} in:\n{config}");
        assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
    }
    if common::have_programs(&["make"]) {
        repo.run_ok(&["run"]);
    }
}
