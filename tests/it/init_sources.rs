//! `gantry init` mirrors what the repository already runs: fixture
//! repositories in `tests/fixtures/init/` carry their own CI file and task
//! runner; `gantry init && gantry run` must run the same commands and pass,
//! leave every tracked file as it was, and — with no narrow `inputs:` — fail
//! once a new file breaks the build or the tests. Plus `--from`,
//! `--template make`, `--dry-run` origins and rewriting scripts.
//!
//! Each full run needs its ecosystem's tools; locally a missing tool skips
//! with a message, under CI (`CI` set) it fails.

use crate::common;

use common::{Outcome, Repo};

/// A copy of fixture `name` committed to a fresh git repository, then
/// `gantry init` (its output) with the result committed too.
fn committed_init(name: &str) -> (Repo, Outcome) {
    let repo = Repo::fixture(&format!("init/{name}"));
    repo.git(&["init", "-q", "-b", "main"]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "fixture"]);
    let init = repo.run_ok(&["init"]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "gantry init"]);
    (repo, init)
}

/// `text` with every run of spaces made one (the origin list is aligned).
fn squeeze(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if !(c == ' ' && out.ends_with(' ')) {
            out.push(c);
        }
    }
    out
}

/// Whether the aligned output `text` has `line` (spaces squeezed in both).
fn says(text: &str, line: &str) -> bool {
    squeeze(text).contains(&squeeze(line))
}

/// Every `expected` command ran (`[stage/action] $ COMMAND`) and passed,
/// and the tracked files are exactly as committed.
fn ran_and_passed(repo: &Repo, run: &Outcome, expected: &[(&str, &str)]) {
    for (action, command) in expected {
        let line = format!("[{action}] $ {command}\n");
        assert!(run.stdout.contains(&line), "no {line:?} in:\n{}", run.all());
        let passed = format!("[{action}] ✔ passed");
        assert!(run.stdout.contains(&passed), "{action}:\n{}", run.all());
    }
    unchanged(repo);
}

/// `git status` shows no tracked file changed (build outputs are new,
/// untracked files; sources must not be rewritten).
fn unchanged(repo: &Repo) {
    let status = repo.git(&["status", "--porcelain", "--untracked-files=no"]);
    assert_eq!(status, "", "the pipeline changed tracked files");
}

/// After a passing run, `new_file` (which breaks the build or the tests)
/// is added and `gantry run` must fail: a new file is never outside the
/// actions' inputs.
fn new_file_fails_the_run(repo: &Repo, new_file: &str, text: &str) {
    repo.write(new_file, text);
    let out = repo.run(&["run"]);
    assert_ne!(
        out.code,
        0,
        "{new_file} did not fail the run:\n{}",
        out.all()
    );
    assert!(out.stdout.contains("✘"), "{}", out.all());
}

#[test]
fn c_with_a_makefile_and_a_clib_package_json_gets_make_actions_not_npm() {
    let (repo, init) = committed_init("c-make");
    let config = repo.read("gantry.yml");
    assert!(!config.contains("run: npm"), "{config}");
    for line in [
        "      # From .github/workflows/ci.yml, job build, step \"Build\".\n      - name: build\n        run: make all\n",
        "      # From .github/workflows/ci.yml, job build, step \"Test\".\n      - name: test\n        run: make test\n",
        "#   .github/workflows/ci.yml, job release: it deploys or publishes\n",
        "#   .github/workflows/ci.yml, job build, step \"Install a compiler\": it changes the machine (`sudo`)\n",
    ] {
        assert!(config.contains(line), "no {line:?} in:\n{config}");
    }
    assert!(
        init.stdout.contains("commands taken from: github-actions"),
        "{}",
        init.stdout
    );
    assert!(init.stdout.contains("clib"), "{}", init.stdout);
    if !common::have_programs(&["make", "cc"]) {
        return;
    }
    let run = repo.run_ok(&["run"]);
    ran_and_passed(
        &repo,
        &run,
        &[("compile/build", "make all"), ("test/test", "make test")],
    );
    new_file_fails_the_run(
        &repo,
        "tests/new.sh",
        "#!/bin/sh\n./hello | grep -q goodbye\n",
    );
}

#[test]
fn rust_gets_the_checks_of_its_workflow_and_a_new_example_fails_the_run() {
    let (repo, init) = committed_init("rust-ci");
    for line in [
        "lint/formatting  from .github/workflows/rust.yml, job check, step \"Formatting\"",
        "compile/build    from gantry's Rust (Cargo) defaults",
        "skipped .github/workflows/rust.yml, job integration: it needs services",
        "skipped .github/workflows/rust.yml, job coverage: it measures coverage",
    ] {
        assert!(says(&init.stdout, line), "no {line:?} in:\n{}", init.stdout);
    }
    let config = repo.read("gantry.yml");
    let tests = "      - name: tests\n        env:\n          CARGO_TERM_COLOR: always\n          RUSTFLAGS: \"-D warnings\"\n        run: cargo test --all\n";
    assert!(config.contains(tests), "{config}");
    if !common::have_programs(&["cargo", "cargo-clippy", "cargo-fmt"]) {
        return;
    }
    let run = repo.run_ok(&["run"]);
    ran_and_passed(
        &repo,
        &run,
        &[
            ("lint/formatting", "cargo fmt --all -- --check"),
            ("lint/clippy", "cargo clippy --all-targets -- -D warnings"),
            ("compile/build", "cargo build --release"),
            ("test/tests", "cargo test --all"),
        ],
    );
    new_file_fails_the_run(
        &repo,
        "examples/bad.rs",
        "fn main() { let x: u32 = \"no\"; }\n",
    );
}

#[test]
fn rust_template_pipeline_fails_on_a_new_test_file() {
    let (repo, _) = committed_init("rust");
    if !common::have_programs(&["cargo"]) {
        return;
    }
    let run = repo.run_ok(&["run"]);
    ran_and_passed(&repo, &run, &[("test/test", "cargo test")]);
    new_file_fails_the_run(
        &repo,
        "tests/new.rs",
        "#[test]\nfn breaks() {\n    assert_eq!(1, 2);\n}\n",
    );
}

#[test]
fn python_gets_its_gitlab_jobs_in_the_venv_and_a_new_test_fails_the_run() {
    let (repo, init) = committed_init("python-ci");
    let config = repo.read("gantry.yml");
    for line in [
        "      # From .gitlab-ci.yml, job unit.\n      - name: unit\n        script:\n          - \". .gantry/venv/bin/activate\"\n          - python -m pip install --quiet -r requirements.txt\n          - python -m unittest discover -s tests -t . -v\n",
        "#   .gitlab-ci.yml, job pages: it deploys or publishes\n",
    ] {
        assert!(config.contains(line), "no {line:?} in:\n{config}");
    }
    assert!(
        init.stdout.contains("commands taken from: gitlab-ci"),
        "{}",
        init.stdout
    );
    if !common::have_programs(&["python3"]) {
        return;
    }
    let run = repo.run_ok(&["run"]);
    ran_and_passed(
        &repo,
        &run,
        &[
            ("deps/venv", "python3 -m venv .gantry/venv"),
            ("lint/syntax", ". .gantry/venv/bin/activate"),
            ("test/unit", ". .gantry/venv/bin/activate"),
        ],
    );
    let log = repo.read(".gantry/runs/1/test/unit.log");
    assert!(log.contains("test_greets_by_name"), "{log}");
    new_file_fails_the_run(
        &repo,
        "tests/test_new.py",
        "import unittest\n\n\nclass New(unittest.TestCase):\n    def test_breaks(self):\n        self.assertEqual(1, 2)\n",
    );
}

#[test]
fn node_gets_its_workflow_steps_and_a_new_test_file_fails_the_run() {
    let (repo, init) = committed_init("node-ci");
    assert!(
        says(
            &init.stdout,
            "deps/npm-ci from .github/workflows/node.yml, job test, step \"npm ci\""
        ),
        "{}",
        init.stdout
    );
    assert!(
        !repo.read("gantry.yml").contains("prettier"),
        "the format script is not a check"
    );
    if !common::have_programs(&["node", "npm"]) {
        return;
    }
    let run = repo.run_ok(&["run"]);
    ran_and_passed(
        &repo,
        &run,
        &[
            ("deps/npm-ci", "npm ci"),
            ("lint/npm-run-lint", "npm run lint"),
            ("test/npm-test", "npm test"),
        ],
    );
    new_file_fails_the_run(
        &repo,
        "test/new.test.js",
        "const test = require(\"node:test\");\nconst assert = require(\"node:assert\");\ntest(\"breaks\", () => assert.strictEqual(1, 2));\n",
    );
}

#[test]
fn node_template_pipeline_fails_on_a_new_module_with_a_syntax_error() {
    let (repo, _) = committed_init("node");
    if !common::have_programs(&["node", "npm"]) {
        return;
    }
    let run = repo.run_ok(&["run"]);
    ran_and_passed(&repo, &run, &[("test/test", "npm test")]);
    new_file_fails_the_run(
        &repo,
        "test/broken.test.js",
        "require(\"node:test\")(\"x\", () => {\n",
    );
}

#[test]
fn ruby_gets_its_workflow_steps_and_a_new_test_fails_the_run() {
    let (repo, _) = committed_init("ruby-rake");
    if !common::have_programs(&["ruby", "rake"]) {
        return;
    }
    let run = repo.run_ok(&["run"]);
    ran_and_passed(
        &repo,
        &run,
        &[
            ("test/syntax", "ruby -wc lib/greet.rb"),
            ("test/tests", "rake test"),
        ],
    );
    new_file_fails_the_run(
        &repo,
        "test/test_new.rb",
        "require \"minitest/autorun\"\n\nclass NewTest < Minitest::Test\n  def test_breaks\n    assert_equal 1, 2\n  end\nend\n",
    );
}

#[test]
fn from_picks_one_source_and_says_when_it_has_nothing() {
    let repo = Repo::fixture("init/node-ci");
    repo.write(
        "Makefile",
        "lint:\n\tnode --check index.js\ntest:\n\tnode --test\n",
    );
    let out = repo.run_ok(&["init", "--dry-run", "--from", "make"]);
    assert!(
        says(&out.stdout, "lint/lint from Makefile, target `lint`"),
        "{}",
        out.stdout
    );
    assert!(
        says(&out.stdout, "test/test from Makefile, target `test`"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("from .github"), "{}", out.stdout);
    let npm = repo.run_ok(&["init", "--dry-run", "--from", "npm"]);
    assert!(
        says(&npm.stdout, "test/test from package.json, script `test`"),
        "{}",
        npm.stdout
    );
    let none = repo.run(&["init", "--from", "gitlab-ci"]);
    assert_eq!(none.code, 2, "{}", none.all());
    assert!(
        none.stderr
            .contains("--from gitlab-ci: no job that can run locally in .gitlab-ci.yml"),
        "{}",
        none.stderr
    );
    assert!(
        !repo.path().join("gantry.yml").exists(),
        "nothing is written"
    );
}

#[test]
fn template_make_runs_the_makefile_or_the_usual_targets() {
    let repo = Repo::empty();
    repo.run_ok(&["init", "--template", "make"]);
    let config = repo.read("gantry.yml");
    assert!(
        config.contains("        run: make\n") && config.contains("        run: make test\n"),
        "{config}"
    );
    let repo = Repo::fixture("init/c-make");
    repo.run_ok(&["init", "--template", "make"]);
    let config = repo.read("gantry.yml");
    assert!(
        config
            .contains("# From Makefile, target `all`.\n      - name: all\n        run: make all\n"),
        "{config}"
    );
    for runner in ["just", "task"] {
        let repo = Repo::empty();
        repo.run_ok(&["init", "--template", runner]);
        assert!(repo
            .read("gantry.yml")
            .contains(&format!("run: {runner} test\n")));
    }
}

#[test]
fn a_script_that_rewrites_files_is_kept_and_said_so() {
    let repo = Repo::empty();
    repo.write(
        "package.json",
        r#"{"scripts": {"test": "xo --fix && ava"}, "devDependencies": {"xo": "1", "ava": "1"}}"#,
    );
    let out = repo.run_ok(&["init", "--dry-run"]);
    assert!(
        out.stdout.contains("      # Note: this command rewrites files (xo --fix); it is kept as the repository runs it.\n      - name: test\n        run: npm test\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(
            "note: `npm test` (from package.json, script `test`) rewrites files (xo --fix)"
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn dry_run_names_the_source_of_every_action() {
    let repo = Repo::fixture("init/python-ci");
    let out = repo.run_ok(&["init", "--dry-run"]);
    for line in [
        "  deps/venv    from gantry's Python defaults\n",
        "  lint/syntax  from .gitlab-ci.yml, job syntax\n",
        "  test/unit    from .gitlab-ci.yml, job unit\n",
        "skipped .gitlab-ci.yml, job pages: it deploys or publishes\n",
        "--- would create gantry.yml",
    ] {
        assert!(says(&out.stdout, line), "no {line:?} in:\n{}", out.stdout);
    }
}

#[test]
fn ruff_runs_without_fixing_even_when_the_project_says_fix() {
    let repo = Repo::fixture("init/python");
    repo.write(
        "pyproject.toml",
        "[tool.pytest.ini_options]\ntestpaths = [\"tests\"]\npythonpath = [\".\"]\n\n[tool.ruff]\nfix = true\n",
    );
    let source = "import os\n\n\ndef answer():\n    return 42\n";
    repo.write("extra.py", source);
    repo.git(&["init", "-q", "-b", "main"]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "fixture"]);
    repo.run_ok(&["init"]);
    assert!(repo.read("gantry.yml").contains("ruff check --no-fix"));
    if !common::have_programs(&["python3"]) {
        return;
    }
    let out = repo.run(&["run"]);
    assert_ne!(
        out.code,
        0,
        "the unused import fails the lint:\n{}",
        out.all()
    );
    assert_eq!(repo.read("extra.py"), source, "ruff left the source alone");
    unchanged(&repo);
}

#[test]
fn python_template_pipeline_leaves_tracked_files_alone() {
    let (repo, _) = committed_init("python");
    if !common::have_programs(&["python3"]) {
        return;
    }
    let run = repo.run_ok(&["run"]);
    ran_and_passed(
        &repo,
        &run,
        &[
            (
                "lint/ruff",
                ".gantry/venv/bin/ruff check --no-fix --extend-exclude .gantry .",
            ),
            ("test/pytest", ".gantry/venv/bin/python -m pytest"),
        ],
    );
}

#[test]
fn unnamed_pre_commit_steps_are_lint_named_by_what_they_run_and_replace_the_default_linters() {
    let repo = Repo::empty();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"demo\"\nversion = \"0.1\"\n[tool.ruff]\nline-length = 100\n",
    );
    repo.write("tests/test_demo.py", "def test_one():\n    assert True\n");
    repo.write(
        ".github/workflows/checks.yaml",
        "on: push\njobs:\n  main:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: uv run --locked --group pre-commit pre-commit run --show-diff-on-failure --all-files\n  typing:\n    runs-on: ubuntu-latest\n    steps:\n      - run: uv run --locked tox run -e typing\n",
    );
    let out = repo.run_ok(&["init", "--dry-run"]);
    for line in [
        "  lint/pre-commit-run  from .github/workflows/checks.yaml, job main, step",
        "  lint/tox-run-typing  from .github/workflows/checks.yaml, job typing, step",
        "  test/unittest  from gantry's Python defaults",
    ] {
        assert!(says(&out.stdout, line), "no {line:?} in:\n{}", out.stdout);
    }
    // The repository's own lint replaces gantry's unpinned ruff, which
    // reported different findings than the version the project pins.
    assert!(!out.stdout.contains("lint/ruff"), "{}", out.stdout);
    assert!(!out.stdout.contains("compile/"), "{}", out.stdout);
    // click: its hooks include end-of-file-fixer and `codespell
    // --write-changes`; `--all-files` lets them rewrite the checkout.
    let fixes = "rewrites files (`pre-commit run`, whose hooks may fix the files they check); it is kept as the repository runs it";
    assert!(out.stdout.contains(fixes), "{}", out.stdout);
}

/// fd: the Makefile's first rule builds `$(EXE)`, a target named by a
/// variable; `completions:` comes after it. A bare `make` builds the
/// first rule, so that is what the action says it runs (it said
/// `completions`, which would write files into the checkout).
#[test]
fn the_default_make_target_is_the_first_rule_even_one_named_by_a_variable() {
    let repo = Repo::empty();
    repo.write(
        "Makefile",
        concat!(
            "OUT=build/prog\n\n",
            "$(OUT): prog.sh\n\tmkdir -p build\n\tcp prog.sh $@\n\n",
            ".PHONY: completions\n",
            "completions: $(OUT)\n\tmkdir -p autocomplete\n\techo done > autocomplete/prog.bash\n",
        ),
    );
    repo.write("prog.sh", "echo prog\n");
    let out = repo.run_ok(&["init"]);
    assert!(
        says(
            &out.stdout,
            "compile/make from Makefile, its default target `$(OUT)`"
        ),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("completions"), "{}", out.stdout);
    let config = repo.read("gantry.yml");
    assert!(
        config.contains("# From Makefile, its default target `$(OUT)`.\n      - name: make\n        run: make\n"),
        "{config}"
    );
    if common::have_programs(&["make"]) {
        repo.run_ok(&["run"]);
        assert!(repo.path().join("build/prog").is_file());
    }
}

/// rack keeps RuboCop in `group :maintenance, optional: true`: a plain
/// `bundle install` leaves it out and `bundle exec rubocop` then cannot
/// start it. Both actions get `BUNDLE_WITH` naming the group. (A path gem
/// stands in for RuboCop: no gem server is needed.)
#[test]
fn rubocop_in_an_optional_gemfile_group_is_installed_and_runs() {
    let repo = Repo::empty();
    repo.write(
        "Gemfile",
        "group :maintenance, optional: true do\n  gem \"rubocop\", path: \"vendor/rubocop\", require: false\nend\n",
    );
    repo.write(".rubocop.yml", "AllCops:\n  NewCops: enable\n");
    repo.write(
        "vendor/rubocop/rubocop.gemspec",
        "Gem::Specification.new do |s|\n  s.name = \"rubocop\"\n  s.version = \"0.0.1\"\n  s.summary = \"stand-in\"\n  s.authors = [\"t\"]\n  s.files = [\"exe/rubocop\"]\n  s.bindir = \"exe\"\n  s.executables = [\"rubocop\"]\nend\n",
    );
    repo.write(
        "vendor/rubocop/exe/rubocop",
        "#!/usr/bin/env ruby\nputs \"no offenses\"\n",
    );
    common::chmod(&repo, "vendor/rubocop/exe/rubocop", 0o755);
    repo.run_ok(&["init"]);
    let config = repo.read("gantry.yml");
    for action in ["bundle", "rubocop"] {
        let at = config
            .find(&format!("- name: {action}\n"))
            .unwrap_or_else(|| panic!("no {action} in:\n{config}"));
        let body = &config[at..];
        let end = body[1..].find("- name:").map_or(body.len(), |e| e + 1);
        assert!(
            body[..end].contains("BUNDLE_WITH: maintenance\n"),
            "{action}:\n{config}"
        );
    }
    if common::have_programs(&["ruby", "bundle"]) {
        let run = repo.run_ok(&["run"]);
        assert!(
            run.stdout.contains("[lint/rubocop] no offenses"),
            "{}",
            run.all()
        );
    }
}

/// urfave/cli's Makefile: `all: generate vet test check-binary-size
/// gfmrun` is "every check", not the build. Taken as the compile action
/// it ran the tests (and the rest) a second time. A target that depends on
/// the test or lint target is not the build: `make test` and `make lint`
/// come from their own targets, the build from the ecosystem.
#[test]
fn a_make_target_that_runs_the_checks_is_not_the_build() {
    let repo = Repo::empty();
    repo.write(
        "Makefile",
        ".PHONY: all\nall: vet test\n\nvet:\n\ttrue\n\ntest:\n\ttrue\n",
    );
    repo.write(
        "Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    repo.write("src/lib.rs", "");
    let out = repo.run_ok(&["init", "--dry-run"]);
    for line in [
        "lint/vet from Makefile, target `vet`",
        "compile/build from gantry's Rust (Cargo) defaults",
        "test/test from Makefile, target `test`",
    ] {
        assert!(says(&out.stdout, line), "no {line:?} in:\n{}", out.stdout);
    }
    assert!(!out.stdout.contains("make all"), "{}", out.stdout);
    // clap's Makefile starts with `check-wasm:`: a default target whose
    // name says check is not the build either.
    repo.write("Makefile", "check-wasm:\n\tcargo check\n\nvet:\n\ttrue\n");
    let out = repo.run_ok(&["init", "--dry-run", "--force"]);
    assert!(
        says(
            &out.stdout,
            "compile/build from gantry's Rust (Cargo) defaults"
        ),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("check-wasm"), "{}", out.stdout);
    // requests' Makefile starts with `init:`, which only installs.
    repo.write(
        "Makefile",
        "init:\n\tpython -m pip install -r requirements-dev.txt\n\nvet:\n\ttrue\n",
    );
    let out = repo.run_ok(&["init", "--dry-run", "--force"]);
    assert!(
        says(
            &out.stdout,
            "compile/build from gantry's Rust (Cargo) defaults"
        ),
        "{}",
        out.stdout
    );
}
