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

/// urfave/cli: `echo "${GITHUB_WORKSPACE}/.local/bin" >> "${GITHUB_PATH}"`
/// reads a runner variable only to write the PATH line: it is PATH
/// plumbing, which takes no later step with it, so the job's checks and
/// tests are still taken.
#[test]
fn a_runner_variable_read_only_for_the_path_line_does_not_take_the_later_steps() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - name: Set PATH
        run: echo "${GITHUB_WORKSPACE}/.local/bin" >>"${GITHUB_PATH}"
      - run: make lint
      - run: make test
      - name: Stamp
        run: echo "$GITHUB_WORKSPACE" > where.txt
      - run: cat where.txt
"#,
        &[("Makefile", "lint:\n\ttrue\ntest:\n\ttrue\n")],
    );
    let out = repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    let live = live_lines(&config);
    for kept in ["run: make lint\n", "run: make test\n"] {
        assert!(live.contains(kept), "no {kept} in:\n{config}");
    }
    assert!(!live.contains("GITHUB_"), "{config}");
    for line in [
        "step \"Set PATH\": it adds a directory to PATH for the job's later steps through $GITHUB_PATH",
        // A read that is not only written to a runner file still makes
        // what the script makes.
        "step \"Stamp\": it reads $GITHUB_WORKSPACE, which only GitHub's runner sets",
        "step \"cat where.txt\": it comes after step \"Stamp\"",
    ] {
        assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
    }
    if common::have_programs(&["make"]) {
        repo.run_ok(&["run"]);
    }
}

/// rack: `chmod -R o-w /opt/hostedtoolcache/Ruby` fixes up the Ruby a
/// setup action installed into the runner's tool cache. The path exists
/// only on GitHub's machines (here the command fails, or changes
/// something else): the step is left out as preparing the machine, so
/// the tests after it are still taken; a step that reads the runner's
/// workspace is left out with what it makes.
#[test]
fn a_step_that_names_a_path_of_the_ci_runner_is_left_out() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - name: Change permissions
        run: chmod -R o-w /opt/hostedtoolcache/Ruby
      - run: make test
      - name: Local builds folder
        run: ls build/builds/
      - name: Fetch fixtures
        run: cp -r /home/runner/fixtures fixtures
      - name: Check fixtures
        run: make check-fixtures
"#,
        &[("Makefile", "test:\n\ttrue\ncheck-fixtures:\n\ttrue\n")],
    );
    let out = repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    let live = live_lines(&config);
    assert!(live.contains("run: make test\n"), "{config}");
    assert!(live.contains("run: ls build/builds/\n"), "{config}");
    for gone in ["hostedtoolcache", "/home/runner", "check-fixtures"] {
        assert!(!live.contains(gone), "{gone} in:\n{config}");
    }
    for line in [
        "step \"Change permissions\": it uses `/opt/hostedtoolcache`, a path that exists only on the CI's own machines",
        "step \"Fetch fixtures\": it uses `/home/runner/`, a path that exists only on the CI's own machines",
        "step \"Check fixtures\": it comes after step \"Fetch fixtures\"",
    ] {
        assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
    }
}

/// urfave/cli: `make ensure-goimports` installs the goimports that the
/// next step, `make lint`, runs. The lint stage comes before the test
/// stage the job's name would put the install in, so a step that does not
/// say what it is goes to the stage of the later step that may need it;
/// a step whose words place it (a build) stays where they do.
#[test]
fn a_step_that_does_not_say_what_it_is_runs_before_the_later_steps_of_its_job() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: make ensure-tool
      - run: make lint
      - run: make test
  build:
    runs-on: ubuntu-latest
    steps:
      - run: make build
      - run: make check-format
"#,
        &[
            (
                "Makefile",
                concat!(
                    "ensure-tool:\n\tmkdir -p .local/bin\n",
                    "\tprintf '#!/bin/sh\\necho linted\\n' > .local/bin/tool\n",
                    "\tchmod +x .local/bin/tool\n",
                    "lint:\n\t.local/bin/tool\n",
                    "test:\n\ttrue\n",
                    "build:\n\ttrue\n",
                    "check-format:\n\ttrue\n",
                ),
            ),
            (".gitignore", ".local/\n"),
        ],
    );
    let out = repo.run_ok(&["init"]);
    for line in [
        "lint/make-ensure-tool",
        "lint/make-lint",
        "lint/make-check-format",
        "compile/make-build",
        "test/make-test",
    ] {
        assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
    }
    let config = repo.read("gantry.yml");
    let at = |text: &str| {
        config
            .find(text)
            .unwrap_or_else(|| panic!("no {text} in:\n{config}"))
    };
    assert!(
        at("run: make ensure-tool") < at("run: make lint"),
        "{config}"
    );
    if common::have_programs(&["make"]) {
        repo.run_ok(&["run"]);
    }
}

/// urfave/cli's `make diffcheck` (and many Go repositories' `git diff
/// --exit-code` after `go generate`) checks that CI's build changed no
/// tracked file. Locally it also fails on the `.gitignore` line init adds:
/// init says to commit what it wrote first.
#[test]
fn a_step_that_needs_a_clean_tree_says_to_commit_what_init_wrote() {
    let repo = with_workflow(
        "on: [push]\njobs:\n  check:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make generate\n      - run: git diff --exit-code\n  tidy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make generate && git diff --quiet\n",
        &[
            ("Makefile", "generate:\n\ttrue\n"),
            (".gitignore", "/out\n"),
        ],
    );
    repo.git(&["init", "-q", "-b", "main"]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "start"]);
    let out = repo.run_ok(&["init"]);
    // One note for both steps.
    let note = "`git diff --exit-code` (from .github/workflows/ci.yml, job check, step \"git diff --exit-code\" and 1 more) fails while the working tree has uncommitted changes, such as the gantry.yml and .gitignore init writes: commit them before `gantry run`";
    assert!(out.stdout.contains(note), "{}", out.stdout);
    if common::have_programs(&["make"]) {
        let first = repo.run(&["run"]);
        assert_ne!(first.code, 0, "{}", first.all());
        repo.git(&["add", "-A"]);
        repo.git(&["commit", "-q", "-m", "gantry init"]);
        repo.run_ok(&["run"]);
    }
}

/// anyhow: the `miri` and `minimal` jobs set up Rust nightly
/// (`dtolnay/rust-toolchain@miri`, a `toolchain: nightly-…` input) for
/// `cargo miri test` and `-Z minimal-versions`, which fail on the stable
/// toolchain most machines default to. Their steps get `RUSTUP_TOOLCHAIN`
/// naming that nightly; a job on stable, or on a toolchain chosen by a
/// matrix expression, runs on the machine's default.
#[test]
fn steps_of_a_job_on_rust_nightly_run_on_nightly() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  miri:
    runs-on: ubuntu-latest
    steps:
      - uses: dtolnay/rust-toolchain@miri
      - run: make miri
  minimal:
    runs-on: ubuntu-latest
    steps:
      - uses: dtolnay/rust-toolchain@master
        with:
          toolchain: nightly-2025-01-01
      - run: make minimal
  test:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        rust: [nightly, stable]
    steps:
      - uses: dtolnay/rust-toolchain@master
        with:
          toolchain: ${{ matrix.rust }}
      - run: make test
      - uses: dtolnay/rust-toolchain@stable
      - run: make check
"#,
        &[(
            "Makefile",
            concat!(
                "all:\n\ttrue\n",
                "miri:\n\ttest \"$$RUSTUP_TOOLCHAIN\" = nightly\n",
                "minimal:\n\ttest \"$$RUSTUP_TOOLCHAIN\" = nightly-2025-01-01\n",
                "test:\n\ttrue\n",
                "check:\n\ttrue\n",
            ),
        )],
    );
    let out = repo.run_ok(&["init"]);
    // A toolchain rustup does not have is warned about, with its install.
    let warning = "warning: Rust nightly-2025-01-01 not found: ";
    assert!(
        out.all().contains(warning),
        "no {warning:?} in:\n{}",
        out.all()
    );
    assert!(
        out.all()
            .contains("rustup toolchain install nightly-2025-01-01"),
        "{}",
        out.all()
    );
    let config = repo.read("gantry.yml");
    for (action, toolchain) in [
        ("make-miri", "nightly"),
        ("make-minimal", "nightly-2025-01-01"),
    ] {
        let wanted = format!(
            "      - name: {action}\n        env:\n          RUSTUP_TOOLCHAIN: {toolchain}\n"
        );
        assert!(config.contains(&wanted), "no {wanted:?} in:\n{config}");
    }
    assert_eq!(config.matches("RUSTUP_TOOLCHAIN").count(), 2, "{config}");
    if common::have_programs(&["make"]) {
        repo.run_ok(&["run"]);
    }
}

/// black's diff-shades job runs `git config user.name "diff-shades-gha"`
/// (no `--global`): on your machine that writes the repository's
/// `.git/config`, and your next commits would carry CI's name. Such a
/// step is left out as a setting you keep your own, and takes no later
/// step with it.
#[test]
fn a_step_that_writes_the_repository_git_config_is_left_out() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  analysis:
    runs-on: ubuntu-latest
    steps:
      - name: Configure git
        run: |
          git config user.name "ci-bot"
          git config user.email "ci-bot@example.com"
      - run: git config --get core.bare
      - run: make test
"#,
        &[("Makefile", "test:\n\ttrue\n")],
    );
    repo.git(&["init", "-q", "-b", "main"]);
    let out = repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    let live = live_lines(&config);
    assert!(!live.contains("ci-bot"), "{config}");
    assert!(
        live.contains("run: git config --get core.bare\n"),
        "{config}"
    );
    assert!(live.contains("run: make test\n"), "{config}");
    let line = "step \"Configure git\": it changes this repository's git settings (`git config user.name`), which you keep your own";
    assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
    if common::have_programs(&["make"]) {
        repo.run_ok(&["run"]);
        let local = std::fs::read_to_string(repo.path().join(".git/config")).unwrap();
        assert!(!local.contains("ci-bot"), "{local}");
    }
}

/// black: the diff-shades job installs with `HATCH_BUILD_HOOKS_ENABLE=1`
/// and `CC: clang-18` in its `env:` (to compile black with mypyc); the
/// docs job's `pip install -e ".[d]"` has neither. Merged into one
/// install, the action keeps only what every step had: the docs install
/// is not turned into a compile that needs clang-18.
#[test]
fn merged_pip_installs_keep_only_the_environment_every_step_had() {
    let repo = with_workflow(
        r#"
on: [push]
env:
  PIP_DISABLE_PIP_VERSION_CHECK: "1"
jobs:
  analysis:
    runs-on: ubuntu-latest
    env:
      HATCH_BUILD_HOOKS_ENABLE: "1"
      CC: clang-18
    steps:
      - name: Install dependencies
        run: python -m pip install --group diff-shades
  docs:
    runs-on: ubuntu-latest
    steps:
      - name: Install dependencies
        run: python -m pip install -e ".[d]"
      - name: Build documentation
        run: python -c "print('docs')"
"#,
        &[(
            "pyproject.toml",
            "[project]\nname = \"demo\"\nversion = \"0.1\"\n",
        )],
    );
    repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    let live = live_lines(&config);
    // One install action for both steps.
    assert_eq!(
        live.matches("- name: install-dependencies").count(),
        1,
        "{config}"
    );
    assert!(live.contains("--group diff-shades\n"), "{config}");
    assert!(
        live.contains("PIP_DISABLE_PIP_VERSION_CHECK: \"1\"\n"),
        "{config}"
    );
    for gone in ["HATCH_BUILD_HOOKS_ENABLE", "clang-18"] {
        assert!(!live.contains(gone), "{gone} in:\n{config}");
    }
}

/// black's lint job starts with "Assert PR target is main", a guard that
/// reads `$GITHUB_BASE_REF`: left out, but it only tests a condition and
/// prints, so it makes nothing the job's checks need and they are taken.
#[test]
fn a_left_out_guard_step_does_not_take_the_later_steps_with_it() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - name: Assert PR target is main
        if: github.event_name == 'pull_request'
        run: |
          if [ "$GITHUB_BASE_REF" != "main" ]; then
              echo "::error::PR targeting '$GITHUB_BASE_REF', please refile targeting 'main'." && exit 1
          fi
      - name: Format ourselves
        run: make lint
"#,
        &[("Makefile", "lint:\n\ttrue\n")],
    );
    let out = repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    assert!(live_lines(&config).contains("run: make lint\n"), "{config}");
    let line = "step \"Assert PR target is main\": it reads $GITHUB_BASE_REF, which only GitHub's runner sets";
    assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
    assert!(!out.stdout.contains("it comes after"), "{}", out.stdout);
}

/// black installs with `python -m pip install --group tox` (pip 25.1 and
/// later); CI's setup-python has a recent pip, the venv gantry makes for
/// CI's commands has the one bundled with your Python ("no such option:
/// --group"). The venv's first install brings pip up to date first.
#[test]
fn the_venv_for_ci_pip_installs_gets_an_up_to_date_pip_first() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - name: Install dependencies
        run: python -m pip install -e . --group tox
      - run: tox -e lint
"#,
        &[(
            "pyproject.toml",
            "[project]\nname = \"demo\"\nversion = \"0.1\"\n[dependency-groups]\ntox = [\"tox\"]\n",
        )],
    );
    repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    let wanted = concat!(
        "        script:\n",
        "          - python3 -m venv .gantry/venv\n",
        "          - \". .gantry/venv/bin/activate\"\n",
        "          - python -m pip install --quiet --upgrade pip\n",
        // `tox -e lint` runs in the venv: its runner goes there too.
        "          - python -m pip install --quiet tox\n",
        "          - python -m pip install -e . --group tox\n",
    );
    assert!(config.contains(wanted), "no {wanted:?} in:\n{config}");
    assert_eq!(config.matches("--upgrade pip").count(), 1, "{config}");
}

/// black's diff-shades job installs `--group diff-shades` (fetched from
/// GitHub) for analyses that need `${{ … }}` values and are left out:
/// with nothing of its job to install for, the install is left out too.
/// A job whose installs are followed by a taken step keeps them.
#[test]
fn an_install_for_steps_that_are_all_left_out_is_left_out() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  analysis:
    runs-on: ubuntu-latest
    steps:
      - name: Install dependencies
        run: python -m pip install --group analysis
      - name: Analyze
        run: analyze --target ${{ github.sha }}
  test:
    runs-on: ubuntu-latest
    steps:
      - name: Install dependencies
        run: python -m pip install -e .
      - run: python -m unittest
"#,
        &[(
            "pyproject.toml",
            "[project]\nname = \"demo\"\nversion = \"0.1\"\n[dependency-groups]\nanalysis = [\"x\"]\n",
        )],
    );
    let out = repo.run_ok(&["init"]);
    let live = live_lines(&repo.read("gantry.yml"));
    assert!(!live.contains("--group analysis"), "{live}");
    assert!(live.contains("python -m pip install -e .\n"), "{live}");
    let line = "job analysis, step \"Install dependencies\": it installs what the job's other steps need, and they are all left out";
    assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
}

/// rack's documentation workflow (on pushes to main only) generates the
/// site with rdoc into the checkout's tracked `docs/` and uploads it for
/// `actions/deploy-pages`: publishing, not a check, so the job is left
/// out. The same job in a workflow that runs for pull requests checks the
/// docs build and is taken.
#[test]
fn a_job_that_builds_a_pages_site_only_for_publishing_is_left_out() {
    let workflow = |on: &str| {
        format!(
            r#"
on: {on}
jobs:
  generate:
    runs-on: ubuntu-latest
    steps:
      - name: Generate documentation
        run: make docs
      - uses: actions/upload-pages-artifact@v5
        with:
          path: docs
  deploy:
    runs-on: ubuntu-latest
    environment:
      name: github-pages
    needs: generate
    steps:
      - uses: actions/deploy-pages@v5
"#
        )
    };
    let files = [("Makefile", "docs:\n\ttrue\n")];
    let repo = with_workflow(&workflow("\n  push:\n    branches: [main]"), &files);
    let out = repo.run_ok(&["init"]);
    assert!(!live_lines(&repo.read("gantry.yml")).contains("make docs"));
    let line = "job generate: it builds the GitHub Pages site a deploy publishes (`actions/upload-pages-artifact`), in a workflow that does not run for pull requests";
    assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
    let repo = with_workflow(&workflow("[push, pull_request]"), &files);
    repo.run_ok(&["init"]);
    assert!(live_lines(&repo.read("gantry.yml")).contains("run: make docs\n"));
}

/// ofetch: the autofix job runs `pnpm run lint:fix` (`eslint --fix`,
/// `prettier -w`) for `autofix-ci/action` to commit back; taken, it
/// rewrote the user's files just before `pnpm lint` checked them, so lint
/// always passed. A job that ends in an action committing its changes is
/// left out. And `pnpm vitest --coverage` is the test run (vitest, jest,
/// mocha, … say test), so no default test action is added next to it.
#[test]
fn a_fixer_job_is_left_out_and_a_test_runner_step_is_the_test_run() {
    let repo = with_workflow(
        r#"
on: [push, pull_request]
jobs:
  autofix:
    runs-on: ubuntu-latest
    steps:
      - run: npm run lint:fix
      - uses: autofix-ci/action@7a166d7532b277f34e16238930461bf77f9d7ed8
  ci:
    runs-on: ubuntu-latest
    steps:
      - run: npm run lint
      - run: npx vitest --coverage
"#,
        &[(
            "package.json",
            r#"{"name": "x", "scripts": {"lint": "eslint .", "lint:fix": "eslint --fix .", "test": "npm run lint && vitest run"}}"#,
        )],
    );
    let out = repo.run_ok(&["init"]);
    let live = live_lines(&repo.read("gantry.yml"));
    assert!(!live.contains("lint:fix"), "{live}");
    assert!(live.contains("run: npm run lint\n"), "{live}");
    assert!(live.contains("run: npx vitest --coverage\n"), "{live}");
    assert!(!live.contains("npm test"), "{live}");
    let line = "job autofix: it changes files for `autofix-ci/action` to commit back";
    assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
    assert!(!out.stdout.contains("no test step"), "{}", out.stdout);
}

/// attrs installs with `uv sync` in CI, after `hynek/setup-cached-uv`
/// (left out). gantry counts uv as a tool of its venv (no "uv not found"
/// warning), so the venv that CI's install starts in must get it: it was
/// created empty and `uv sync` failed where uv is not installed.
#[test]
fn runners_of_ci_commands_go_into_the_venv_a_ci_install_creates() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  install-dev:
    runs-on: ubuntu-latest
    steps:
      - uses: hynek/setup-cached-uv@v2
      - run: uv sync
      - run: uv run --only-group tox tox run -f lint
"#,
        &[(
            "pyproject.toml",
            "[project]\nname = \"demo\"\nversion = \"0.1\"\n",
        )],
    );
    let out = repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    let wanted = concat!(
        "          - python3 -m venv .gantry/venv\n",
        "          - \". .gantry/venv/bin/activate\"\n",
        "          - python -m pip install --quiet --upgrade pip\n",
        "          - python -m pip install --quiet uv\n",
        "          - uv sync\n",
    );
    assert!(config.contains(wanted), "no {wanted:?} in:\n{config}");
    assert!(!out.stdout.contains("uv not found"), "{}", out.stdout);
}

/// A CI step that runs a package script (`npm run format`, whose script
/// is `prettier --write .`; `yarn fix`, which runs `npm run lint -- --fix`
/// style scripts) rewrites files just as the script's text does: init
/// says so, as it does for a `prettier --write` written in the step.
#[test]
fn a_step_running_a_package_script_that_rewrites_files_says_so() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  format:
    runs-on: ubuntu-latest
    steps:
      - run: npm ci
      - run: npm run format
      - run: git diff --exit-code
      - run: yarn fix
      - run: npm test
"#,
        &[(
            "package.json",
            r#"{"name": "x", "scripts": {"format": "prettier --write .", "fix": "npm run fix:lint", "fix:lint": "eslint --fix .", "test": "node -e 0"}}"#,
        )],
    );
    let out = repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    for what in [
        "prettier --write, in package.json's `format` script",
        "eslint --fix, in package.json's `fix` script",
    ] {
        let comment = format!(
            "# Note: this command rewrites files ({what}); it is kept as the repository runs it."
        );
        assert!(config.contains(&comment), "no {comment:?} in:\n{config}");
        assert!(out.stdout.contains(what), "no {what:?} in:\n{}", out.stdout);
    }
    assert_eq!(
        config.matches("# Note: this command rewrites").count(),
        2,
        "{config}"
    );
}

/// typer's `bump-pre-commit-hooks` workflow runs monthly (`on: schedule`,
/// `workflow_dispatch`): `prek auto-update` rewrote `.pre-commit-config.
/// yaml` on every `gantry run`, as its nightly CPython test would build
/// CPython. A workflow that runs for no push or pull request is
/// maintenance and left out; one that runs for pushes too is taken.
#[test]
fn a_workflow_that_runs_only_on_a_schedule_is_left_out() {
    let repo = with_workflow(
        "on:\n  push:\n    branches: [main]\n  schedule:\n    - cron: \"0 0 * * *\"\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n",
        &[("Makefile", "test:\n\ttrue\nbump:\n\ttrue\n")],
    );
    repo.write(
        ".github/workflows/bump.yml",
        "on:\n  schedule:\n    - cron: \"0 12 1 * *\"\n  workflow_dispatch:\njobs:\n  bump:\n    runs-on: ubuntu-latest\n    steps:\n      - name: Bump pre-commit hooks\n        run: make bump\n",
    );
    let out = repo.run_ok(&["init"]);
    let live = live_lines(&repo.read("gantry.yml"));
    assert!(live.contains("run: make test\n"), "{live}");
    assert!(!live.contains("make bump"), "{live}");
    let line = "skipped .github/workflows/bump.yml: it runs only for schedule, workflow_dispatch (`on:`), not for pushes or pull requests: it checks no change of yours";
    assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
}

/// typer's test-redistribute job builds an sdist, unpacks it, and only
/// then installs from the unpacked copy (`cd dist/typer*/ && pip install
/// --editable .`). In the deps stage that install ran before the build
/// and found no copy. An install that comes after a build of its job goes
/// to the build's stage, after it; installs before any build stay in deps.
#[test]
fn an_install_after_a_build_of_its_job_runs_after_the_build() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  redistribute:
    runs-on: ubuntu-latest
    steps:
      - name: Install build dependencies
        run: npm install
      - name: Build source distribution
        run: make dist
      - name: Install test dependencies
        run: npm install ./dist/pkg.tgz
      - run: make test
"#,
        &[
            ("Makefile", "dist:\n\ttrue\ntest:\n\ttrue\n"),
            ("package.json", r#"{"name": "x", "scripts": {}}"#),
        ],
    );
    let out = repo.run_ok(&["init"]);
    for line in [
        "deps/install-build-dependencies",
        "compile/build-source-distribution",
        "compile/install-test-dependencies",
        "test/make-test",
    ] {
        assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
    }
    let config = repo.read("gantry.yml");
    let at = |text: &str| {
        config
            .find(text)
            .unwrap_or_else(|| panic!("no {text} in:\n{config}"))
    };
    assert!(
        at("run: make dist") < at("run: npm install ./dist/pkg.tgz"),
        "{config}"
    );
}

/// jq's "Test logs" step (`if: ${{ failure() }}`, `cat test-suite.log
/// tests/*.log`) shows CI's logs after a failed test; run every time here
/// it failed when the tests had not made those logs. A step that runs
/// only after a failure is left out (gantry keeps every action's log), and
/// so is one that reads the results of the jobs it needs (clap's "CI"
/// job: `exit 1` unless all passed, which failed every run);
/// `always()` and `!failure()` steps are not.
#[test]
fn a_step_that_runs_only_after_a_failure_is_left_out() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: make check
      - name: Test logs
        if: ${{ failure() }}
        run: cat test-suite.log tests/*.log
      - name: Summary
        if: ${{ !failure() }}
        run: make summary
  ci:
    needs: [test]
    if: always()
    steps:
      - name: Failed
        run: exit 1
        if: "contains(needs.*.result, 'failure') || contains(needs.*.result, 'skipped')"
  notify:
    needs: [test]
    if: failure()
    steps:
      - run: ./notify-maintainers.sh
"#,
        &[("Makefile", "check:\n\ttrue\nsummary:\n\ttrue\n")],
    );
    let out = repo.run_ok(&["init"]);
    let live = live_lines(&repo.read("gantry.yml"));
    assert!(!live.contains("test-suite.log"), "{live}");
    // clap's "CI" job: `exit 1` when a needed job did not pass.
    assert!(!live.contains("exit 1"), "{live}");
    assert!(!live.contains("notify"), "{live}");
    let notify = "job notify: it runs only after another job failed (`if:`), to report it";
    assert!(
        out.stdout.contains(notify),
        "no {notify:?} in:\n{}",
        out.stdout
    );
    assert!(live.contains("run: make summary\n"), "{live}");
    let line = "step \"Test logs\": it runs only after an earlier step or job failed (`if:`), to show or report it";
    assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
    if common::have_programs(&["make"]) {
        repo.run_ok(&["run"]);
    }
}

/// clap's minimal-versions job runs `cargo +nightly generate-lockfile -Z
/// minimal-versions`, which rewrites the tracked Cargo.lock: kept as the
/// repository runs it, and said so, as for a formatter without --check;
/// `cargo update --locked` only checks and is not.
#[test]
fn a_step_that_rewrites_the_lockfile_says_so() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  minimal-versions:
    runs-on: ubuntu-latest
    steps:
      - uses: dtolnay/rust-toolchain@nightly
      - name: Downgrade dependencies to minimal versions
        run: cargo +nightly generate-lockfile -Z minimal-versions
      - run: cargo +stable check --locked
  lockfile:
    runs-on: ubuntu-latest
    steps:
      - run: cargo update --workspace --locked
"#,
        &[],
    );
    let out = repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    let what = "`cargo generate-lockfile` rewrites Cargo.lock";
    assert!(out.stdout.contains(what), "{}", out.stdout);
    assert_eq!(
        config.matches("# Note: this command rewrites").count(),
        1,
        "{config}"
    );
}

/// anyhow's doc and outdated jobs run `cargo docs-rs` and `cargo
/// outdated`, programs CI installs with `dtolnay/install` (left out as a
/// setup action). init warns when such a cargo subcommand's program is not
/// on PATH, with how to install it, as for any program a step starts.
#[test]
fn a_cargo_subcommand_that_is_not_installed_is_warned_about() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  doc:
    runs-on: ubuntu-latest
    steps:
      - uses: dtolnay/install@cargo-gantry-no-such-plugin
      - run: cargo gantry-no-such-plugin --workspace
      - run: cargo test
"#,
        &[],
    );
    let out = repo.run_ok(&["init"]);
    let line =
        "warning: cargo-gantry-no-such-plugin not found: cargo install cargo-gantry-no-such-plugin";
    assert!(out.all().contains(line), "no {line:?} in:\n{}", out.all());
}

/// nox's CI installs the project with `uv pip install --system .`: on a
/// runner that is a throwaway Python, on your machine the system's (or,
/// with `--user`, your user's for every project). Such an install is left
/// out; the project's install into gantry's venv stays.
#[test]
fn a_pip_install_into_the_system_python_is_left_out() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - name: Install Nox-under-test (uv)
        run: uv pip install --system .
      - name: Install tools
        run: python -m pip install --user tox
      - run: python -m pip install -e .
      - run: python -m unittest
"#,
        &[(
            "pyproject.toml",
            "[project]\nname = \"demo\"\nversion = \"0.1\"\n",
        )],
    );
    let out = repo.run_ok(&["init"]);
    let live = live_lines(&repo.read("gantry.yml"));
    assert!(!live.contains("--system"), "{live}");
    assert!(!live.contains("--user"), "{live}");
    assert!(live.contains("python -m pip install -e .\n"), "{live}");
    for line in [
        "step \"Install Nox-under-test (uv)\": it installs into the machine's Python (`pip install --system`)",
        "step \"Install tools\": it installs into the machine's Python (`pip install --user`)",
    ] {
        assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
    }
}

/// urfave/cli runs `make diffcheck` in two jobs: after `make gfmrun` in
/// the docs job and after `make generate` in the test job, where it checks
/// what generate just wrote. Taken once, at the docs job's place, it ran
/// before `make generate`. A command another job already runs is taken
/// again when its own job made something before it in the same stage; a
/// plain repeat (a matrix of jobs) still runs once.
#[test]
fn a_repeated_check_after_a_new_step_of_its_job_in_the_same_stage_runs_again() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  docs:
    runs-on: ubuntu-latest
    steps:
      - run: make gfmrun
      - run: make diffcheck
  test:
    runs-on: ubuntu-latest
    steps:
      - run: make gfmrun
      - run: make generate
      - run: make diffcheck
  test-again:
    runs-on: ubuntu-latest
    steps:
      - run: make gfmrun
      - run: make diffcheck
"#,
        &[(
            "Makefile",
            "gfmrun:\n\ttrue\ngenerate:\n\ttrue\ndiffcheck:\n\ttrue\n",
        )],
    );
    repo.run_ok(&["init"]);
    let live = live_lines(&repo.read("gantry.yml"));
    assert_eq!(live.matches("run: make diffcheck\n").count(), 2, "{live}");
    assert_eq!(live.matches("run: make gfmrun\n").count(), 1, "{live}");
    let generate = live.find("run: make generate").unwrap();
    assert!(live[generate..].contains("run: make diffcheck\n"), "{live}");
}

/// ripgrep's test job runs `ci/ubuntu-install-packages`, a script of the
/// repository that runs `sudo apt-get install zsh …`: the step's words say
/// nothing, the script's do. It is left out as changing the machine, and
/// takes no later step with it; a script that does not prepare the
/// machine (a test script committing in a temporary repository) is taken.
/// Its zsh completion test (`if: … && !startsWith(matrix.os, 'windows')`)
/// runs everywhere but on Windows, so it is not left out as Windows-only.
#[test]
fn a_step_running_a_script_that_changes_the_machine_is_left_out() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - name: Install packages (Ubuntu)
        run: ci/ubuntu-install-packages
      - run: bash ci/test-commits.sh
      - name: Test zsh shell completions (Unix, sans cross)
        if: matrix.target == '' && !startsWith(matrix.os, 'windows')
        run: make complete
      - name: Windows only
        if: runner.os == 'Windows'
        run: make windows
"#,
        &[
            (
                "ci/ubuntu-install-packages",
                "#!/bin/sh\nif ! command -V sudo; then\n  apt-get update\nfi\nsudo apt-get install -y zsh\n",
            ),
            (
                "ci/test-commits.sh",
                "set -e\n# needs: cargo install cargo-nextest\necho \"or: sudo apt-get install git\"\nd=$(mktemp -d)\ngit -C \"$d\" init -q\ngit -C \"$d\" commit -q --allow-empty -m x\n",
            ),
            ("Makefile", "complete:\n\ttrue\nwindows:\n\ttrue\n"),
        ],
    );
    let out = repo.run_ok(&["init"]);
    let live = live_lines(&repo.read("gantry.yml"));
    assert!(!live.contains("ubuntu-install-packages"), "{live}");
    assert!(live.contains("run: bash ci/test-commits.sh\n"), "{live}");
    assert!(live.contains("run: make complete\n"), "{live}");
    assert!(!live.contains("make windows"), "{live}");
    let line = "step \"Install packages (Ubuntu)\": it runs ci/ubuntu-install-packages, which changes the machine (`apt-get`)";
    assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
}

/// ripgrep: the test job's steps all need `${{ … }}` values, so what the
/// test stage got was the docs job's "Check documentation" (`cargo doc`),
/// counted as the test run for the word "check": the pipeline ran no
/// test. `check` alone in a step's name, or `cargo check`, runs no tests;
/// `make check` does.
#[test]
fn a_step_named_check_that_runs_no_tests_leaves_the_default_test_in() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  docs:
    runs-on: ubuntu-latest
    steps:
      - name: Check documentation
        run: cargo doc --no-deps --workspace
      - run: cargo check --workspace
"#,
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
            ),
            ("src/lib.rs", ""),
        ],
    );
    let out = repo.run_ok(&["init", "--dry-run"]);
    let line = "test/test";
    assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
    assert!(
        out.stdout
            .contains("the test stage runs gantry's Rust (Cargo) default instead"),
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

/// A step that does not say what it is (`./scripts/smoke-run.sh bin/app`)
/// after `make build` needs the build: it does not move to the lint stage
/// of the `make lint` after it, which runs before the build.
#[test]
fn a_step_after_a_build_does_not_move_before_the_build() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  ci:
    runs-on: ubuntu-latest
    steps:
      - run: make build
      - run: ./scripts/smoke-run.sh bin/app
      - run: make lint
      - run: make test
"#,
        &[
            (
                "Makefile",
                "build:\n\tmkdir -p bin && printf '#!/bin/sh\\n' > bin/app && chmod +x bin/app\nlint:\n\ttrue\ntest:\n\ttrue\n",
            ),
            ("scripts/smoke-run.sh", "#!/bin/sh\nset -e\n\"$1\"\n"),
            (".gitignore", "bin/\n"),
        ],
    );
    let out = repo.run_ok(&["init"]);
    for line in [
        "compile/make-build",
        "compile/scripts-smoke-run-sh-bin",
        "lint/make-lint",
    ] {
        assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
    }
    let config = repo.read("gantry.yml");
    let build = config.find("run: make build").expect("build");
    let smoke = config.find("smoke-run.sh bin/app\"").expect("smoke");
    assert!(build < smoke, "{config}");
}

/// A repository script that sets up a tool and then checks and tests
/// (`rustup component add clippy`, then `cargo clippy`, `cargo test`) is
/// the job's lint and tests: it is kept, with a note that it also changes
/// the machine. A test script that sets `git config user.email` in a
/// temporary repository changes no machine; a script that only installs
/// is left out.
#[test]
fn a_script_that_sets_up_and_then_checks_is_kept_with_a_note() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - name: Install tools
        run: ci/install.sh
      - name: Run CI script
        run: ci/script.sh
      - name: Run tests
        run: ./scripts/test.sh
"#,
        &[
            (
                "ci/install.sh",
                "#!/bin/sh\nset -e\nsudo apt-get install -y zsh\ncargo install cargo-nextest\n",
            ),
            (
                "ci/script.sh",
                "#!/bin/bash\nset -ex\nrustup component add clippy rustfmt\ncargo fmt --check\ncargo clippy -- -D warnings\ncargo test --all-features\n",
            ),
            (
                "scripts/test.sh",
                "#!/bin/sh\nset -e\ntmp=$(mktemp -d)\ncd \"$tmp\" && git init -q\ngit config user.email test@example.com\ncd -\nnpm test\n",
            ),
        ],
    );
    let out = repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    let live = live_lines(&config);
    assert!(!live.contains("ci/install.sh"), "{config}");
    assert!(live.contains("run: ci/script.sh\n"), "{config}");
    assert!(live.contains("run: \"./scripts/test.sh\"\n"), "{config}");
    let note = "step \"Run CI script\" (ci/script.sh also changes the machine (`rustup`))";
    assert!(config.contains(note), "no {note:?} in:\n{config}");
    let line = "step \"Install tools\": it runs ci/install.sh, which changes the machine (`sudo`)";
    assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
}

/// A job that runs when the build it needs passed (`needs.build.result ==
/// 'success'`) is taken, as gantry's stages run after a passing build; a
/// job that runs when it failed (`!= 'success'`, `== 'failure'`) is not.
#[test]
fn a_job_that_runs_after_its_needs_passed_is_taken() {
    let repo = with_workflow(
        r#"
on: [push, pull_request]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: make build
  test:
    needs: build
    if: ${{ !cancelled() && needs.build.result == 'success' }}
    runs-on: ubuntu-latest
    steps:
      - run: make unit
  report:
    needs: build
    if: ${{ always() && needs.build.result != 'success' }}
    runs-on: ubuntu-latest
    steps:
      - run: make report
"#,
        &[(
            "Makefile",
            "build:\n\ttrue\nunit:\n\ttrue\nreport:\n\ttrue\n",
        )],
    );
    let out = repo.run_ok(&["init"]);
    let live = live_lines(&repo.read("gantry.yml"));
    assert!(live.contains("run: make unit\n"), "{live}");
    assert!(!live.contains("make report"), "{live}");
    let line = "job report: it runs only after another job failed (`if:`), to report it";
    assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
}

/// A step whose `if:` names only Windows and macOS, joined by `||`
/// (`runner.os`, which no matrix cell sets), runs on none of GitHub's
/// Linux runners: it is left out. One that runs on Linux as one of its
/// alternatives is taken.
#[test]
fn a_step_for_windows_or_macos_is_left_out() {
    let repo = with_workflow(
        r#"
on: [push, pull_request]
jobs:
  test:
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        os: [ubuntu-latest, windows-latest, macos-latest]
    steps:
      - name: Fix paths
        if: runner.os == 'Windows' || runner.os == 'macOS'
        run: make fix-paths
      - name: Windows only
        if: runner.os == 'Windows' && (matrix.node == '18' || matrix.node == '20')
        run: make win
      - name: Linux or mac
        if: matrix.os == 'ubuntu-latest' || matrix.os == 'macos-latest'
        run: make unix
      - run: make test
"#,
        &[(
            "Makefile",
            "fix-paths:\n\ttrue\nwin:\n\ttrue\nunix:\n\ttrue\ntest:\n\ttrue\n",
        )],
    );
    let out = repo.run_ok(&["init"]);
    let live = live_lines(&repo.read("gantry.yml"));
    assert!(!live.contains("make fix-paths"), "{live}");
    assert!(!live.contains("make win"), "{live}");
    assert!(live.contains("run: make unix\n"), "{live}");
    for line in [
        "step \"Fix paths\": it runs only on Windows or macOS (`if:`)",
        "step \"Windows only\": it runs only on Windows (`if:`)",
    ] {
        assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
    }
}

/// The same `cargo test` in a nightly job and, later, in a stable one runs
/// twice: once with `RUSTUP_TOOLCHAIN: nightly`, once on your toolchain;
/// the nightly copy does not stand for the stable one.
#[test]
fn the_same_command_on_another_toolchain_is_no_duplicate() {
    let repo = with_workflow(
        r#"
on: [push, pull_request]
jobs:
  a-nightly:
    runs-on: ubuntu-latest
    steps:
      - uses: dtolnay/rust-toolchain@nightly
      - run: cargo test
  stable:
    runs-on: ubuntu-latest
    steps:
      - uses: dtolnay/rust-toolchain@stable
      - run: cargo test
  stable-again:
    runs-on: ubuntu-latest
    steps:
      - uses: dtolnay/rust-toolchain@stable
      - run: cargo test
"#,
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
            ),
            ("src/lib.rs", ""),
        ],
    );
    repo.run_ok(&["init"]);
    let live = live_lines(&repo.read("gantry.yml"));
    assert_eq!(live.matches("run: cargo test\n").count(), 2, "{live}");
    assert_eq!(
        live.matches("RUSTUP_TOOLCHAIN: nightly").count(),
        1,
        "{live}"
    );
}

/// A test runner's name inside an argument (`tsconfig.jest.json`) does not
/// make a build a test run; as the program (`npx jest`, a path to
/// `mocha`), it does.
#[test]
fn a_test_runner_named_in_an_argument_is_no_test_run() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  ci:
    runs-on: ubuntu-latest
    steps:
      - run: npx tsc -p tsconfig.jest.json
      - run: npx jest --ci
      - run: ./node_modules/.bin/mocha
"#,
        &[("package.json", r#"{"name": "x"}"#)],
    );
    let out = repo.run_ok(&["init", "--dry-run"]);
    for line in [
        "compile/tsc-tsconfig-jest-json",
        "test/jest ",
        "test/node-modules-bin-mocha",
    ] {
        assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
    }
}

/// `cargo xtask` is an `[alias]` of `.cargo/config.toml`, and `always` in
/// `cargo --color always test` the value of a flag: neither is a cargo
/// plugin to install, so init warns about neither.
#[test]
fn cargo_aliases_and_flag_values_are_no_plugins() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  ci:
    runs-on: ubuntu-latest
    steps:
      - run: cargo xtask codegen --check
      - run: cargo --color always test
      - run: cargo -Z unstable-options test
      - run: cargo gantry-no-such-plugin
"#,
        &[
            (
                ".cargo/config.toml",
                "[alias]\nxtask = \"run --package xtask --\"\n",
            ),
            (
                "Cargo.toml",
                "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
            ),
            ("src/lib.rs", ""),
        ],
    );
    let out = repo.run_ok(&["init"]);
    let all = out.all();
    for program in ["cargo-xtask", "cargo-always", "cargo-unstable-options"] {
        let warning = format!("{program} not found");
        assert!(!all.contains(&warning), "{warning:?} in:\n{all}");
    }
    assert!(
        all.contains("cargo-gantry-no-such-plugin not found"),
        "{all}"
    );
}

/// A workflow with `on: {}` runs for no event: init says so in those words.
#[test]
fn a_workflow_for_no_event_says_so() {
    let repo = with_workflow(
        r#"
on: {}
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: make test
"#,
        &[("Makefile", "test:\n\ttrue\n")],
    );
    let out = repo.run_ok(&["init", "--dry-run"]);
    let line =
        ".github/workflows/ci.yml: it runs for no event (`on:`): it checks no change of yours";
    assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
}

/// A job that installs (`npm ci`) and caches `node_modules` for a test job
/// leaves out only its checkout, setup and cache actions: its install is
/// what the tests need, not an install for steps left out.
#[test]
fn an_install_job_whose_left_out_steps_only_set_up_keeps_its_install() {
    let repo = with_workflow(
        r#"
on: [push, pull_request]
jobs:
  install:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
      - run: npm ci
      - uses: actions/cache/save@v4
        with:
          path: node_modules
          key: nm-${{ hashFiles('package-lock.json') }}
  test:
    needs: install
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/cache/restore@v4
        with:
          path: node_modules
          key: nm-${{ hashFiles('package-lock.json') }}
      - run: npm test
"#,
        &[
            (
                "package.json",
                r#"{"name": "x", "scripts": {"test": "node -e 0"}}"#,
            ),
            ("package-lock.json", "{}"),
        ],
    );
    let out = repo.run_ok(&["init", "--dry-run"]);
    let line = "deps/npm-ci from .github/workflows/ci.yml, job install, step \"npm ci\"";
    let squeezed = out.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(squeezed.contains(line), "no {line:?} in:\n{}", out.stdout);
    assert!(
        !out.stdout.contains("they are all left out"),
        "{}",
        out.stdout
    );
}

/// A nightly job in a repository with a `rust-toolchain.toml` runs on the
/// file's toolchain on CI (the file beats the action's default), so its
/// steps get no `RUSTUP_TOOLCHAIN`, which would beat the file.
#[test]
fn a_rust_toolchain_file_keeps_the_nightly_variable_out() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  nightly:
    runs-on: ubuntu-latest
    steps:
      - uses: dtolnay/rust-toolchain@nightly
      - run: cargo test
      - run: cargo test --manifest-path sub/Cargo.toml
        working-directory: sub
"#,
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
            ),
            ("src/lib.rs", ""),
            ("rust-toolchain.toml", "[toolchain]\nchannel = \"1.80\"\n"),
        ],
    );
    repo.run_ok(&["init"]);
    let live = live_lines(&repo.read("gantry.yml"));
    assert!(live.contains("run: cargo test\n"), "{live}");
    assert!(!live.contains("RUSTUP_TOOLCHAIN"), "{live}");
}

/// GitHub runs at most 256 jobs for one matrix and refuses a larger one:
/// such a job is left out saying so, not expanded (7 keys of 10 values
/// are 10⁷ cells, which took 15 GB), and the other jobs are read.
#[test]
fn a_job_whose_matrix_github_refuses_is_left_out() {
    let keys: String = (0..7)
        .map(|k| format!("        k{k}: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n"))
        .collect();
    let repo = with_workflow(
        &format!(
            "on: [push]\njobs:\n  huge:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n{keys}    steps:\n      - run: make huge\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n"
        ),
        &[("Makefile", "test huge:\n\ttrue\n")],
    );
    let out = repo.run_ok(&["init", "--dry-run"]);
    let line = "job huge: its matrix has more than 256 cells, which GitHub refuses";
    assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
    assert!(out.stdout.contains("run: make test\n"), "{}", out.stdout);
    assert!(!out.stdout.contains("run: make huge"), "{}", out.stdout);
}

/// A job that installs a version floor of a test runner (`"pytest>=8"`)
/// and runs part of the tests is no variant: a floor pins no other
/// version than the main job's.
#[test]
fn a_job_installing_a_version_floor_is_no_variant() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: pip install -e . pytest
      - run: pytest tests/unit
  integration:
    runs-on: ubuntu-latest
    steps:
      - run: pip install -e . "pytest>=8"
      - run: pytest tests/integration
"#,
        &[(
            "pyproject.toml",
            "[project]\nname = \"x\"\nversion = \"0\"\ndependencies = [\"pytest\"]\n",
        )],
    );
    let out = repo.run_ok(&["init", "--dry-run"]);
    assert!(
        out.stdout.contains("pytest tests/integration"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("job integration: "), "{}", out.stdout);
}

/// `runs-on: ${{ matrix.runner }}` whose value is a list of labels
/// (`[self-hosted, macOS, ARM64]`) runs where its labels say: such a cell
/// is no Linux cell.
#[test]
fn a_runner_label_list_from_the_matrix_is_read_label_by_label() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  mac:
    runs-on: ${{ matrix.runner }}
    strategy:
      matrix:
        runner: [[self-hosted, macOS, ARM64]]
    steps:
      - run: make mac
  both:
    runs-on: ${{ matrix.runner }}
    strategy:
      matrix:
        runner: [[self-hosted, macOS, ARM64], ubuntu-latest]
    steps:
      - run: make both R=${{ matrix.runner }}
  partial:
    runs-on: ubuntu-${{ inputs.version }}
    strategy:
      matrix:
        v: [1]
    steps:
      - run: make partial V=${{ matrix.v }}
"#,
        &[("Makefile", "mac both partial:\n\ttrue\n")],
    );
    let out = repo.run_ok(&["init", "--dry-run"]);
    assert!(!out.stdout.contains("run: make mac"), "{}", out.stdout);
    let line = "job mac: it runs on self-hosted, macos, arm64 (every cell of its matrix)";
    assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
    // An expression in a longer `runs-on:` is read as written.
    assert!(
        out.stdout.contains("run: make partial V=1\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("make both R=ubuntu-latest"),
        "{}",
        out.stdout
    );
}

/// An `include:` cell that exists to test another set of dependencies (a
/// step that installs only in that cell: `if: matrix.deps == 'minimum'`)
/// is not the cell run here, even when its Python version is this
/// machine's: the whole pipeline would test the minimum dependencies.
#[test]
fn a_cell_that_installs_other_dependencies_is_not_the_one_run() {
    let python = local_python();
    let repo = with_workflow(
        &format!(
            r#"
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        python-version: ['3.98', '3.99']
        include:
          - python-version: '{python}'
            deps: minimum
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: ${{{{ matrix.python-version }}}}
      - name: Minimum dependencies
        if: matrix.deps == 'minimum'
        run: pip install -c constraints-min.txt -e .
      - run: make test
"#
        ),
        &[("Makefile", "test:\n\ttrue\n")],
    );
    let out = repo.run_ok(&["init", "--dry-run"]);
    assert!(
        out.stdout
            .contains("this pipeline runs it for python-version=3.98 only"),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("run: pip install -c"),
        "{}",
        out.stdout
    );
}

/// A job's own `if:` is read as a step's is: a job whose condition never
/// holds, or holds for no push and no pull request (a scheduled or
/// release-only job in a workflow that also runs for pushes), is left out
/// saying so; one whose condition reads what only CI knows is kept.
#[test]
fn a_job_whose_if_does_not_hold_for_a_push_is_left_out() {
    let repo = with_workflow(
        r#"
on: [push, pull_request, schedule]
jobs:
  never:
    if: false
    runs-on: ubuntu-latest
    steps:
      - run: make never
  nightly:
    if: github.event_name == 'schedule'
    runs-on: ubuntu-latest
    steps:
      - run: make nightly
  test:
    if: github.event_name == 'push' || github.event_name == 'pull_request'
    runs-on: ubuntu-latest
    steps:
      - run: make test
  after:
    needs: test
    if: ${{ !cancelled() && needs.test.result == 'success' }}
    runs-on: ubuntu-latest
    steps:
      - run: make after
"#,
        &[("Makefile", "never nightly test after:\n\ttrue\n")],
    );
    let out = repo.run_ok(&["init", "--dry-run"]);
    for line in [
        "job never: its `if: false` never holds",
        "job nightly: its `if: github.event_name == 'schedule'` holds for no push or pull request: it runs only for other events (a schedule, a release, by hand), and checks no change of yours",
    ] {
        assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
    }
    for kept in ["run: make test\n", "run: make after\n"] {
        assert!(out.stdout.contains(kept), "no {kept:?} in:\n{}", out.stdout);
    }
    for gone in ["run: make never", "run: make nightly"] {
        assert!(!out.stdout.contains(gone), "{gone} in:\n{}", out.stdout);
    }
}

/// A gantry run is one where nothing has failed or been cancelled before a
/// step runs: `success()` and `always()` hold, `failure()` and
/// `cancelled()` do not, so a step that runs only after a failure or a
/// cancellation is left out however its `if:` says so.
#[test]
fn a_step_that_runs_only_after_a_failure_or_cancellation_is_left_out_however_written() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - id: build
        run: make build
      - name: Cancelled
        if: cancelled()
        run: make cancelled
      - name: Not success
        if: ${{ !success() }}
        run: make not-success
      - name: Failure or cancelled
        if: failure() || cancelled()
        run: make failed-or-cancelled
      - name: Build failed
        if: always() && steps.build.outcome == 'failure'
        run: make build-failed
      - name: Success
        if: success()
        run: make success
      - name: Always
        if: ${{ always() }}
        run: make always
"#,
        &[("Makefile", "build cancelled not-success failed-or-cancelled build-failed success always:\n\ttrue\n")],
    );
    let out = repo.run_ok(&["init", "--dry-run"]);
    for gone in [
        "make cancelled",
        "make not-success",
        "make failed-or-cancelled",
        "make build-failed",
    ] {
        assert!(
            !out.stdout.contains(&format!("run: {gone}")),
            "{gone} in:\n{}",
            out.stdout
        );
    }
    for step in [
        "Cancelled",
        "Not success",
        "Failure or cancelled",
        "Build failed",
    ] {
        let line = format!("step \"{step}\": it runs only after an earlier step or job failed (`if:`), to show or report it");
        assert!(
            out.stdout.contains(&line),
            "no {line:?} in:\n{}",
            out.stdout
        );
    }
    for kept in [
        "run: make build\n",
        "run: make success\n",
        "run: make always\n",
    ] {
        assert!(out.stdout.contains(kept), "no {kept:?} in:\n{}", out.stdout);
    }
}

/// `startsWith(matrix.os, 'windows') == false` holds for the Linux cell
/// run here: the step is taken, not left out for naming Windows.
#[test]
fn a_step_whose_if_holds_for_the_linux_cell_is_taken_whatever_os_it_names() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  test:
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        os: [ubuntu-latest, windows-latest]
    steps:
      - name: Not on Windows
        if: startsWith(matrix.os, 'windows') == false
        run: make unix
"#,
        &[("Makefile", "unix:\n\ttrue\n")],
    );
    let out = repo.run_ok(&["init", "--dry-run"]);
    assert!(out.stdout.contains("run: make unix\n"), "{}", out.stdout);
    assert!(
        !out.stdout.contains("runs only on Windows"),
        "{}",
        out.stdout
    );
}

/// A `working-directory:` (the job's default or the step's) is worked out
/// for the matrix cell run here, as the script is; one gantry cannot work
/// out leaves the step out naming what it reads.
#[test]
fn a_working_directory_from_the_matrix_is_worked_out() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        pkg: [alpha, beta]
    defaults:
      run:
        working-directory: packages/${{ matrix.pkg }}
    steps:
      - name: Package tests
        run: make test
      - name: Sub tests
        run: make sub
        working-directory: ./sub-${{ matrix.pkg }}
      - name: Workspace
        run: make ws
        working-directory: ${{ github.workspace }}/ws
"#,
        &[
            ("packages/alpha/Makefile", "test:\n\ttrue\n"),
            ("sub-alpha/Makefile", "sub:\n\ttrue\n"),
        ],
    );
    let out = repo.run_ok(&["init", "--dry-run"]);
    for line in [
        "working_directory: packages/alpha\n",
        "working_directory: sub-alpha\n",
        "this pipeline runs it for pkg=alpha only",
        "step \"Workspace\": its working-directory: it uses a `${{ … }}` expression that only the CI fills in: github.workspace",
    ] {
        assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
    }
    assert!(!out.stdout.contains("${{ matrix.pkg }}"), "{}", out.stdout);
    assert!(!out.stdout.contains("run: make ws"), "{}", out.stdout);
}

/// `env:` values that are not strings are set as GitHub sets them: an
/// empty value empty, numbers as GitHub writes them (`1e3` is `1000`,
/// `3.0` is `3`).
#[test]
fn env_values_that_are_not_strings_are_set_as_github_sets_them() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    env:
      EMPTY:
      FLOAT: 1e3
      WHOLE: 3.0
      HALF: 0.5
      FLAG: true
    steps:
      - run: make test
"#,
        &[("Makefile", "test:\n\ttrue\n")],
    );
    let out = repo.run_ok(&["init", "--dry-run"]);
    for line in [
        "EMPTY: \"\"\n",
        "FLOAT: \"1000\"\n",
        "WHOLE: \"3\"\n",
        "HALF: \"0.5\"\n",
        "FLAG: \"true\"\n",
    ] {
        assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
    }
    assert!(!out.stdout.contains("null"), "{}", out.stdout);
}

/// `${{ env.X }}` reads the workflow's, job's or step's `env:`: known
/// here, worked out as the script's other values are.
#[test]
fn an_env_expression_reads_the_workflows_env() {
    let repo = with_workflow(
        r#"
on: [push]
env:
  PROFILE: release
jobs:
  build:
    runs-on: ubuntu-latest
    env:
      TARGET: x86_64
    steps:
      - run: make build TARGET=${{ env.TARGET }} PROFILE=${{ env.PROFILE }} MODE=${{ env.MODE }}
        env:
          MODE: fast
      - run: make other T=${{ env.UNSET }}
"#,
        &[("Makefile", "build other:\n\ttrue\n")],
    );
    let out = repo.run_ok(&["init", "--dry-run"]);
    assert!(
        out.stdout
            .contains("run: make build TARGET=x86_64 PROFILE=release MODE=fast\n"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("run: make other"), "{}", out.stdout);
}

/// A step in another language than a shell's (`shell: python`) is not
/// written as shell lines; `shell: bash -el {0}` is bash.
#[test]
fn a_step_in_python_is_no_shell_script() {
    let repo = with_workflow(
        r#"
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - name: Python step
        shell: python
        run: |
          import sys
          print(sys.version)
      - name: Login shell
        shell: bash -el {0}
        run: make test
"#,
        &[("Makefile", "test:\n\ttrue\n")],
    );
    let out = repo.run_ok(&["init", "--dry-run"]);
    assert!(!out.stdout.contains("import sys"), "{}", out.stdout);
    let line = "step \"Python step\": it runs in python (`shell:`), not in a shell";
    assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
    assert!(out.stdout.contains("run: make test\n"), "{}", out.stdout);
}
