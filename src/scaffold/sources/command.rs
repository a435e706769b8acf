//! Reading shell commands taken from CI files and task runners: which
//! stage they belong in, whether they rewrite files, and whether they can
//! run on a developer's machine at all.

use crate::scaffold::words::{dashed, first_operand, has_bounded};

/// Commands that install the project's dependencies.
const DEPS: &[&str] = &[
    "npm ci",
    "npm install",
    "npm i ",
    "yarn install",
    "pnpm install",
    "pip install",
    "pip3 install",
    "poetry install",
    "uv sync",
    "uv pip install",
    "bundle install",
    "composer install",
    "go mod download",
    "cargo fetch",
    "dotnet restore",
];

/// Words that make a command a check that needs no build.
const LINT: &[&str] = &[
    "lint",
    "linting",
    "linter",
    "linters",
    "fmt",
    "format",
    "clippy",
    "vet",
    "ruff",
    "flake8",
    "black",
    "isort",
    "mypy",
    "pylint",
    "eslint",
    "prettier",
    "gofmt",
    "golangci",
    "rubocop",
    "stylelint",
    "shellcheck",
    "typecheck",
    "type-check",
    "typing",
    "pyright",
    "style",
    "pre-commit",
    "prek",
];

/// Words that make a command a test run.
const TEST: &[&str] = &[
    "test", "tests", "pytest", "spec", "tox", "nox", "ctest", "unittest", "check", "vitest",
    "jest", "mocha", "ava", "jasmine", "karma", "phpunit", "rspec", "minitest",
];

/// Words that make a command a build.
const COMPILE: &[&str] = &[
    "build", "compile", "all", "tsc", "assemble", "package", "dist",
];

/// The phase of a command: `deps`, `lint`, `compile` or `test`, from the
/// command itself, else from `hint` (a step, target or job name), else `test`.
pub fn phase(command: &str, hint: &str) -> &'static str {
    placed(command, hint).unwrap_or("test")
}

/// The phase the words of `command`, else of `hint`, place it in; `None`
/// when neither says (where [`phase`] falls back to `test`).
fn placed(command: &str, hint: &str) -> Option<&'static str> {
    let installs = |text: &str| {
        let lower = text.to_ascii_lowercase();
        DEPS.iter()
            .any(|d| lower.contains(d) || lower.trim() == d.trim())
    };
    if installs(command) {
        // A script that installs a checker and runs it (`pip install
        // pre-commit`, then `pre-commit run`) is the check, not an install.
        let others: Vec<&str> = command.lines().filter(|l| !installs(l)).collect();
        let checks = others.iter().any(|l| {
            let words = without_flags(l);
            LINT.iter().chain(TEST).any(|w| has_word(&words, w))
        });
        if !checks {
            return Some("deps");
        }
        return placed(&others.join("\n"), hint);
    }
    // A bare `make` runs the Makefile's default target, whatever that is:
    // the step's name says more (requests' `make` is "Install dependencies").
    let bare_make = command.trim() == "make";
    let name = hint.to_ascii_lowercase();
    if bare_make
        && ["install", "dependencies"]
            .iter()
            .any(|w| has_word(&name, w))
    {
        return Some("deps");
    }
    for text in [without_flags(command).as_str(), &name] {
        let has = |words: &[&str]| words.iter().any(|w| has_word(text, w));
        if has(LINT) {
            return Some("lint");
        }
        if has(TEST) {
            return Some("test");
        }
        if has(COMPILE) {
            return Some("compile");
        }
    }
    bare_make.then_some("compile")
}

/// The words of `text` that are not flags: flags say how, not what
/// (`--all-files` is no `all` target).
fn unflagged(text: &str) -> impl Iterator<Item = &str> {
    text.split_whitespace().filter(|w| !w.starts_with('-'))
}

/// `command` in lower case without its flags.
fn without_flags(command: &str) -> String {
    unflagged(&command.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `command` is positively a check or a test run, by its words or
/// those of `hint` (a step name): what it makes (reports, coverage data)
/// is not what later build or test commands need. `phase` falls back to
/// `test` for a command it cannot place; this does not.
pub fn is_check(command: &str, hint: &str) -> bool {
    matches!(placed(command, hint), Some("lint" | "test"))
}

/// Whether a step running `command`, named `name`, may make something a
/// later step needs while neither says what it is: no word of either
/// places it (`make ensure-goimports`, `./scripts/setup.sh`), and it does
/// more than print.
pub fn unnamed_maker(command: &str, name: Option<&str>) -> bool {
    placed(command, name.unwrap_or("")).is_none() && !super::dependent::only_prints(command)
}

/// Whether `command` (or `hint`, its name) runs tests: a word such as
/// `test`, `pytest`, `tox` or `check` in it, not just a command `phase`
/// could place nowhere else. `check` alone is weaker: `make check` runs
/// the tests, but `cargo check` only compiles, and a step named "Check
/// documentation" (ripgrep's `cargo doc`) runs none.
pub fn is_test_run(command: &str, hint: &str) -> bool {
    if placed(command, hint) != Some("test") {
        return false;
    }
    let strong = |text: &str| {
        TEST.iter()
            .filter(|w| **w != "check")
            .any(|w| has_word(text, w))
    };
    let words = without_flags(command);
    strong(&words)
        || strong(&hint.to_ascii_lowercase())
        || (has_word(&words, "check") && !words.contains("cargo check"))
}

/// Whether `word` appears in `text` with no letter right before or after it.
/// A test runner's name counts only as a program or script of its own
/// (`npx jest`, `node_modules/.bin/mocha`, `python -m pytest`), not
/// inside an argument: `npx tsc -p tsconfig.jest.json` builds.
fn has_word(text: &str, word: &str) -> bool {
    if TEST.contains(&word) && !matches!(word, "test" | "tests" | "spec" | "check") {
        return text.split_whitespace().any(|token| {
            let token = token.trim_matches(|c: char| "\"'`(),;".contains(c));
            let last = token.rsplit('/').next().unwrap_or(token);
            let stem = last.rsplit_once('.').map_or(last, |(stem, _)| stem);
            last == word || stem == word
        });
    }
    let not_letter = |c: Option<char>| !c.is_some_and(|c| c.is_ascii_alphabetic());
    has_bounded(text, word, |before, after| {
        not_letter(before) && not_letter(after)
    })
}

/// What in `command` rewrites the working tree's files, if anything:
/// `prettier --write`, `eslint --fix`, `cargo fmt` without `--check`, …
pub fn rewrites(command: &str) -> Option<String> {
    let words: Vec<&str> = command.split_whitespace().collect();
    let has = |w: &str| words.contains(&w);
    for flag in ["--write", "--fix", "-w", "--fix-only", "--in-place", "-i"] {
        if has(flag) {
            let tool = [
                "prettier",
                "eslint",
                "xo",
                "ruff",
                "gofmt",
                "goimports",
                "standard",
                "stylelint",
                "autopep8",
                "isort",
                "sed",
                "biome",
            ]
            .iter()
            .find(|t| has(t) || words.iter().any(|w| w.ends_with(&format!("/{t}"))));
            if let Some(tool) = tool {
                return Some(format!("{tool} {flag}"));
            }
        }
    }
    // Lockfile updaters rewrite the lockfile (clap's minimal-versions job:
    // `cargo +nightly generate-lockfile -Z minimal-versions` rewrote the
    // tracked Cargo.lock), unless told only to check.
    const LOCKERS: &[(&str, &str, &[&str])] = &[
        ("cargo generate-lockfile", "Cargo.lock", &[]),
        ("cargo update", "Cargo.lock", &["--locked", "--dry-run"]),
        ("go mod tidy", "go.mod and go.sum", &["-diff"]),
        ("uv lock", "uv.lock", &["--check", "--locked", "--dry-run"]),
        ("poetry lock", "poetry.lock", &["--check"]),
    ];
    for line in command.lines() {
        // `cargo +nightly generate-lockfile`: the toolchain is not the command.
        let words: Vec<&str> = line
            .split_whitespace()
            .filter(|w| !w.starts_with('+'))
            .collect();
        let text = format!(" {} ", words.join(" "));
        for (locker, file, checks_only) in LOCKERS {
            if text.contains(&format!(" {locker} "))
                && !checks_only.iter().any(|c| words.contains(c))
            {
                return Some(format!("`{locker}` rewrites {file}"));
            }
        }
    }
    // pre-commit's hooks are mostly fixers (trailing-whitespace,
    // end-of-file-fixer, ruff-format, …): a run rewrites what they flag.
    if words.windows(2).any(|w| w == ["pre-commit", "run"]) {
        return Some("`pre-commit run`, whose hooks may fix the files they check".into());
    }
    let checks = has("--check") || has("--diff") || has("-l") || has("--verify-no-changes");
    let formatters = [
        ("cargo fmt", "cargo fmt"),
        ("ruff format", "ruff format"),
        ("black ", "black"),
        ("dotnet format", "dotnet format"),
        ("gofmt", "gofmt"),
    ];
    for (pattern, name) in formatters {
        if format!("{command} ").contains(pattern) && !checks {
            return Some(format!("{name} without --check"));
        }
    }
    None
}

/// The git command in `line` that fails when the working tree has
/// changes (`git diff --exit-code`, `git status --porcelain` tested for
/// output, …): CI runs it on a fresh checkout to find files a build or
/// generator changed, so it also fails on any uncommitted edit.
pub fn checks_clean_tree(line: &str) -> Option<&'static str> {
    let words: Vec<&str> = line
        .split_whitespace()
        .map(|w| {
            w.trim_start_matches(['"', '\'', '$', '(', '`'])
                .trim_end_matches(['"', '\'', ')', '`', ';'])
        })
        .collect();
    let git = words.iter().position(|w| *w == "git")?;
    let rest = &words[git + 1..];
    let has = |w: &str| rest.contains(&w);
    match rest.first() {
        Some(&"diff") if has("--exit-code") => Some("git diff --exit-code"),
        Some(&"diff") if has("--quiet") => Some("git diff --quiet"),
        Some(&"diff-index") if has("--quiet") || has("--exit-code") => Some("git diff-index"),
        Some(&"status") if has("--porcelain") => Some("git status --porcelain"),
        _ => None,
    }
}

/// Why a command cannot run on a developer's machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotLocal {
    /// The reason, in the user's words.
    pub reason: String,
    /// What kind of command it is.
    pub kind: Kind,
}

/// Kinds of commands that cannot run on a developer's machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// It prepares the machine (installs a tool, changes a setting): what a
    /// developer's machine already has, so later commands need nothing it makes.
    Prepares,
    /// It publishes, downloads or otherwise talks to a service.
    Service,
    /// It needs what only the CI has: secrets, `${{ … }}` expressions.
    CiOnly,
}

impl NotLocal {
    fn new(reason: String, kind: Kind) -> NotLocal {
        NotLocal { reason, kind }
    }
}

/// The git subcommand of a line of `command` that changes the checkout,
/// the index or the repository (`checkout HEAD^2` in a CodeQL job, `reset
/// --hard`, `clean -fdx`, `fetch --tags`…): run before a push, it would
/// move the developer's work. Reading commands (`diff --exit-code`,
/// `status`, `log`, `describe`, `ls-files`) are fine.
fn changes_the_checkout(command: &str) -> Option<String> {
    const CHANGING: &[&str] = &[
        "checkout",
        "switch",
        "restore",
        "reset",
        "clean",
        "stash",
        "commit",
        "merge",
        "rebase",
        "pull",
        "fetch",
        "cherry-pick",
        "revert",
        "am",
        "apply",
        "add",
        "rm",
        "mv",
        "tag",
        "submodule",
        "worktree",
        "update-ref",
        "update-index",
        "gc",
        "prune",
        "lfs",
        "remote",
        "branch",
    ];
    for line in command.lines() {
        for segment in line.split(['&', '|', ';']) {
            let mut words = segment.split_whitespace();
            if words.next() != Some("git") {
                continue;
            }
            // Options before the subcommand: `-C dir`, `-c key=value`.
            let sub = first_operand(&mut words, &["-C", "-c"], dashed);
            let Some(sub) = sub.filter(|s| CHANGING.contains(s)) else {
                continue;
            };
            // `git branch` / `git tag` / `git remote` alone only list.
            let rest: Vec<&str> = words.collect();
            if matches!(sub, "branch" | "tag" | "remote")
                && rest
                    .iter()
                    .all(|w| matches!(*w, "-l" | "--list" | "-a" | "-v" | "-r"))
            {
                continue;
            }
            let shown: Vec<&str> = std::iter::once(sub)
                .chain(rest.iter().copied().take(2))
                .collect();
            return Some(shown.join(" "));
        }
    }
    None
}

/// The key a `git config` line of `command` sets in the repository's own
/// `.git/config` (black's diff-shades job: `git config user.name
/// "diff-shades-gha"`, which would sign your later commits with CI's
/// name), if any. Reading (`--get`, `--list`, a key alone) is fine;
/// `--global` and `--system` are the user's settings, said elsewhere.
fn sets_repository_config(command: &str) -> Option<String> {
    for line in command.lines() {
        for segment in line.split(['&', '|', ';']) {
            let words: Vec<&str> = segment.split_whitespace().collect();
            let Some(at) = words.windows(2).position(|w| w == ["git", "config"]) else {
                continue;
            };
            let rest = &words[at + 2..];
            let reads = [
                "--get",
                "--get-all",
                "--get-regexp",
                "-l",
                "--list",
                "get",
                "list",
            ];
            if rest
                .iter()
                .any(|w| reads.contains(w) || *w == "--global" || *w == "--system")
            {
                continue;
            }
            let args: Vec<&str> = rest
                .iter()
                .copied()
                .filter(|w| !w.starts_with('-') && !matches!(*w, "set" | "unset"))
                .collect();
            let writes = [
                "--unset",
                "--unset-all",
                "--add",
                "--replace-all",
                "unset",
                "set",
            ];
            if args.len() >= 2 || rest.iter().any(|w| writes.contains(w)) {
                return args.first().map(|key| key.to_string());
            }
        }
    }
    None
}

/// Commands that change the settings of the user who runs them (their
/// `~/.npmrc`, `~/.gitconfig`, …), for every project, not just this one.
const USER_SETTINGS: &[&str] = &[
    "npm config set",
    "npm config delete",
    "npm set ",
    "yarn config set",
    "pnpm config set",
    "pip config set",
    "pip3 config set",
    "git config --global",
    "git config --system",
    "bundle config set --global",
    "composer config --global",
    "composer global config",
    "poetry config",
    "go env -w",
    "gh config set",
    "conda config",
];

/// Why `command` cannot run on a developer's machine, if it cannot.
pub fn not_local(command: &str) -> Option<NotLocal> {
    let machine = [
        "sudo", "apt-get", "apt", "yum", "dnf", "apk", "brew", "choco", "rustup",
    ];
    // Any line of a script: `case … in x) sudo apt-get install …` prepares too.
    let first_words = command.lines().filter_map(|l| l.split_whitespace().next());
    for first in first_words {
        if machine.contains(&first) {
            return Some(NotLocal::new(
                format!("it changes the machine (`{first}`)"),
                Kind::Prepares,
            ));
        }
    }
    let global = [
        "npm install -g",
        "npm i -g",
        "npm install --global",
        "cargo install",
        "go install",
        "gem install",
        "pipx install",
        "corepack enable",
    ];
    if let Some(g) = global.iter().find(|g| command.contains(*g)) {
        return Some(NotLocal::new(
            format!("it installs a tool for the whole machine (`{g}`)"),
            Kind::Prepares,
        ));
    }
    // A pip install told to leave the venv (nox's `uv pip install --system
    // .`): on your machine it would go into the system's or your user's
    // Python, for every project.
    let outside_venv = command.lines().find_map(|line| {
        let words: Vec<&str> = line.split_whitespace().collect();
        let installs = words.windows(2).any(|w| w == ["pip", "install"]);
        let flag = ["--system", "--user", "--break-system-packages"]
            .into_iter()
            .find(|f| words.contains(f));
        flag.filter(|_| installs)
    });
    if let Some(flag) = outside_venv {
        return Some(NotLocal::new(
            format!("it installs into the machine's Python (`pip install {flag}`)"),
            Kind::Prepares,
        ));
    }
    if let Some(s) = USER_SETTINGS.iter().find(|s| command.contains(*s)) {
        return Some(NotLocal::new(
            format!(
                "it changes your user's settings for every project (`{}`)",
                s.trim()
            ),
            Kind::Prepares,
        ));
    }
    // A job that uninstalls packages tests a variant environment (requests'
    // `no_chardet` job); in the one venv every action shares it would
    // break the others.
    let uninstall = [
        "pip uninstall",
        "pip3 uninstall",
        "npm uninstall",
        "npm rm ",
        "yarn remove",
        "pnpm remove",
    ];
    if let Some(u) = uninstall.iter().find(|u| command.contains(*u)) {
        return Some(NotLocal::new(
            format!(
                "it removes packages from the environment every action shares (`{}`)",
                u.trim()
            ),
            Kind::Service,
        ));
    }
    if let Some((path, kind)) = runner_path(command) {
        return Some(NotLocal::new(
            format!("it uses `{path}`, a path that exists only on the CI's own machines"),
            kind,
        ));
    }
    if let Some(key) = sets_repository_config(command) {
        // What CI sets here (an identity for the commits it makes) your
        // machine has its own way: nothing later depends on it.
        return Some(NotLocal::new(
            format!("it changes this repository's git settings (`git config {key}`), which you keep your own"),
            Kind::Prepares,
        ));
    }
    if let Some(what) = changes_the_checkout(command) {
        return Some(NotLocal::new(
            format!("it changes your git checkout or repository (`git {what}`)"),
            Kind::Service,
        ));
    }
    let publishes = [
        "npm publish",
        "cargo publish",
        "twine upload",
        "docker push",
        "docker login",
        "gh release",
        "codecov",
        "coveralls",
        "git push",
        "aws ",
        "gcloud ",
        "kubectl ",
        "curl -s https://codecov",
    ];
    if let Some(p) = publishes.iter().find(|p| command.contains(*p)) {
        return Some(NotLocal::new(
            format!("it publishes or talks to a service (`{}`)", p.trim()),
            Kind::Service,
        ));
    }
    if command.contains("secrets.") || command.contains("${{ secrets") {
        return Some(NotLocal::new("it needs CI secrets".into(), Kind::CiOnly));
    }
    if command.contains("${{") {
        return Some(NotLocal::new(CI_EXPRESSION.into(), Kind::CiOnly));
    }
    None
}

/// Why a command with a `${{ … }}` expression gantry cannot work out is
/// left out.
pub const CI_EXPRESSION: &str = "it uses a `${{ … }}` expression that only the CI fills in";

/// Where hosted CI runners keep their tool caches (what a setup action
/// installs into, which a step may fix up: rack's `chmod -R o-w
/// /opt/hostedtoolcache/Ruby`), and their fixed workspace and home
/// folders. None exists on a developer's machine, so a command that names
/// one fails there or, worse, changes something else.
const RUNNER_PATHS: [(&str, Kind); 9] = [
    ("/opt/hostedtoolcache", Kind::Prepares),
    ("/__t/", Kind::Prepares),
    ("C:\\hostedtoolcache", Kind::Prepares),
    ("/home/runner/", Kind::CiOnly),
    ("/Users/runner/", Kind::CiOnly),
    ("/__w/", Kind::CiOnly),
    ("/github/workspace", Kind::CiOnly),
    ("/github/home", Kind::CiOnly),
    ("/builds/", Kind::CiOnly),
];

/// The hosted runner's path `command` names, if any (as the start of a
/// word: `build/builds/` is the repository's own), and whether it is the
/// runner's tool cache (preparing what your machine has its own way) or
/// its workspace.
fn runner_path(command: &str) -> Option<(&'static str, Kind)> {
    RUNNER_PATHS.iter().copied().find(|(path, _)| {
        has_bounded(command, path, |before, _| {
            before.is_none_or(|c| c.is_whitespace() || "\"'=:(".contains(c))
        })
    })
}

/// What a script of the repository that a step runs does to the machine.
#[derive(Debug, PartialEq, Eq)]
pub enum ScriptChanges {
    /// It only sets the machine up (ripgrep's `ci/ubuntu-install-packages`:
    /// `sudo apt-get install`): the step is left out, for this reason.
    Only(String),
    /// It also checks, tests or builds (`rustup component add clippy`,
    /// then `cargo clippy` and `cargo test`): the step is kept, with this
    /// note.
    Also(String),
}

/// What a step that runs a script of the repository (`ci/ubuntu-install-
/// packages`, `bash scripts/setup.sh`, read from `dir`) does to the
/// machine, when the script changes it: the step's own words do not say
/// so. Only machine changes count: a test script may well commit in a
/// temporary repository, with its own `git config user.email`.
pub fn script_prepares(dir: &std::path::Path, command: &str) -> Option<ScriptChanges> {
    command.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        let mut first = words.next()?;
        if matches!(first, "bash" | "sh" | "source" | ".") {
            first = first_operand(&mut words, &[], dashed)?;
        }
        let script = first.trim_start_matches("./");
        let path_like = script.contains('/') || script.ends_with(".sh");
        if !path_like || script.contains("..") || script.starts_with(['/', '$', '~']) {
            return None;
        }
        let text = crate::scaffold::facts::read(dir, script)?;
        // What the script runs, not what its comments and messages say.
        let commands: Vec<&str> = text
            .lines()
            .map(str::trim_start)
            .filter(|l| !l.starts_with('#') && !l.starts_with("echo ") && !l.starts_with("printf "))
            .collect();
        let not = commands.iter().find_map(|l| {
            not_local(l).filter(|n| n.kind == Kind::Prepares && sets_repository_config(l).is_none())
        })?;
        let what = not.reason.strip_prefix("it ").unwrap_or(&not.reason);
        let checks = commands
            .iter()
            .any(|l| matches!(placed(l, ""), Some("lint" | "test" | "compile")));
        Some(if checks {
            ScriptChanges::Also(format!("{script} also {what}"))
        } else {
            ScriptChanges::Only(format!("it runs {script}, which {what}"))
        })
    })
}

/// `text` with each `${a.b}` written `$${a.b}`: gantry would read a dotted
/// `${…}` as its own variable, the shell should see it as written.
pub fn escape_vars(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let dotted = after
            .find('}')
            .is_some_and(|end| after[..end].contains('.'));
        let escaped = i > 0 && rest[..i].ends_with('$');
        out.push_str(if dotted && !escaped { "$${" } else { "${" });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// A valid, readable action name from `text` (`Run unit tests` → `run-unit-tests`).
pub fn slug(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(5)
        .collect();
    if words.is_empty() {
        "step".into()
    } else {
        words.join("-")
    }
}

/// What an unnamed step's command line does, for its action's name: without
/// a runner in front (`uv run`, `poetry run`, `npx`…), flags, and a word
/// repeated right after itself (`uv run --locked --group pre-commit
/// pre-commit run --all-files` → `pre-commit run`).
pub fn command_summary(line: &str) -> String {
    const RUNNERS: &[&[&str]] = &[
        &["uv", "run"],
        &["poetry", "run"],
        &["pipenv", "run"],
        &["pdm", "run"],
        &["hatch", "run"],
        &["rye", "run"],
        &["pnpm", "exec"],
        &["bundle", "exec"],
        &["npx"],
        &["bunx"],
    ];
    /// The runners' options that take the next word as their value.
    const VALUED: &[&str] = &[
        "--group",
        "--only-group",
        "--no-group",
        "--with",
        "--extra",
        "--python",
        "-p",
        "--package",
        "--project",
        "--directory",
        "--env-file",
        "--index",
        "-C",
    ];
    let words: Vec<&str> = line.split_whitespace().collect();
    // Leading `NAME=value` words set the command's environment, not what it is.
    let assignments = words.iter().take_while(|w| is_env_assignment(w)).count();
    let words = &words[assignments.min(words.len().saturating_sub(1))..];
    let rest: Vec<&str> = match RUNNERS.iter().find(|r| words.starts_with(r)) {
        // The runner's own options come before the command it runs.
        Some(r) => {
            let mut after = words[r.len()..].iter().copied();
            let operand = first_operand(&mut after, VALUED, dashed);
            operand.into_iter().chain(after).collect()
        }
        None => words.to_vec(),
    };
    let rest = rest.join(" ");
    let mut kept: Vec<&str> = unflagged(&rest).collect();
    kept.dedup();
    if kept.is_empty() {
        line.to_string()
    } else {
        kept.join(" ")
    }
}

/// Whether `word` is a shell `NAME=value` assignment.
fn is_env_assignment(word: &str) -> bool {
    word.split_once('=')
        .is_some_and(|(name, _)| crate::vars::is_shell_name(name))
}

/// Whether YAML would read `text`, written plain, as something other than a string.
pub fn is_yaml_keyword(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    [
        "true", "false", "yes", "no", "on", "off", "null", "~", "y", "n",
    ]
    .contains(&lower.as_str())
        || text.parse::<f64>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_follow_the_command_then_the_name() {
        assert_eq!(phase("npm ci", ""), "deps");
        assert_eq!(phase("python -m pip install -e .[test]", ""), "deps");
        assert_eq!(phase("cargo fmt --all --check", ""), "lint");
        assert_eq!(phase("cargo clippy -- -D warnings", ""), "lint");
        assert_eq!(phase("cargo test", ""), "test");
        assert_eq!(phase("make all", ""), "compile");
        assert_eq!(phase("make", ""), "compile");
        assert_eq!(phase("make", "Install dependencies"), "deps");
        assert_eq!(phase("make", "Run the test suite"), "test");
        assert_eq!(phase("make", "Build"), "compile");
        assert_eq!(phase("make test", ""), "test");
        assert_eq!(phase("./run.sh", "Unit tests"), "test");
        assert!(is_test_run("make check", ""));
        assert!(!is_test_run("cargo check --workspace", ""));
        assert!(!is_test_run(
            "cargo doc --no-deps",
            "Check documentation docs"
        ));
        // ofetch runs `pnpm vitest --coverage`: the runner's name says test.
        assert!(is_test_run("pnpm vitest --coverage", "ci"));
        assert!(is_test_run("npx jest --ci", ""));
        assert_eq!(phase("./run.sh", "Build docs"), "compile");
        // httpx's step names: "Run linting checks".
        assert_eq!(phase("./run.sh", "Run linting"), "lint");
        assert_eq!(phase("./run.sh", "Run the linters"), "lint");
        assert_eq!(phase("./whatever", ""), "test");
        assert_eq!(phase("go vet ./...", ""), "lint");
        assert_eq!(phase("npm run build", ""), "compile");
        assert_eq!(
            phase(
                "uv run --group pre-commit pre-commit run --show-diff-on-failure --all-files",
                ""
            ),
            "lint"
        );
        assert_eq!(phase("prek run --all-files", ""), "lint");
        assert_eq!(
            phase(
                "python -m pip install pre-commit==4.6.0\npre-commit run --all-files",
                "Run pre-commit"
            ),
            "lint"
        );
        assert_eq!(phase("pip install -e .\npytest -q", ""), "test");
        assert_eq!(phase("make\npython -m pip install 'urllib3<2'", ""), "deps");
        assert_eq!(phase("npm ci && npm test", ""), "deps");
        assert_eq!(phase("tox run -e typing", ""), "lint");
        assert_eq!(phase("cargo test --all-targets", ""), "test");
        assert_eq!(phase("./ci.sh --all", "Unit tests"), "test");
    }

    #[test]
    fn checks_are_told_from_commands_that_make_something() {
        assert!(is_check("cargo test --features x", ""));
        assert!(is_check("./run.sh", "Run tests"));
        assert!(is_check("uv run tox run", ""));
        assert!(!is_check("./whatever", ""));
        assert!(!is_check("cargo build", "Build"));
        assert!(!is_check("tar xf archive.tgz", "Extract binaries"));
        assert!(!is_check("npm ci", "Install and test"));
    }

    #[test]
    fn test_runs_are_told_from_whatever_lands_in_the_test_stage() {
        assert!(is_test_run("npm run test-ci", "run-tests"));
        assert!(is_test_run("./run.sh", "unit-tests"));
        assert!(!is_test_run(
            "echo \"Node.js version: $(node -v)\"",
            "output-node-versions"
        ));
        assert!(!is_test_run("uv run tox run -e typing", "typing"));
        assert!(!is_test_run("pre-commit run --all-files", ""));
    }

    #[test]
    fn rewriting_commands_are_recognised() {
        assert_eq!(
            rewrites("prettier --write ."),
            Some("prettier --write".into())
        );
        assert_eq!(rewrites("xo --fix && ava"), Some("xo --fix".into()));
        assert_eq!(
            rewrites("cargo fmt --all"),
            Some("cargo fmt without --check".into())
        );
        assert_eq!(rewrites("cargo fmt --all -- --check"), None);
        assert_eq!(
            rewrites("uv run --group pre-commit pre-commit run --all-files"),
            Some("`pre-commit run`, whose hooks may fix the files they check".into())
        );
        assert_eq!(rewrites("pip install pre-commit"), None);
        assert_eq!(
            rewrites("cargo +nightly generate-lockfile -Z minimal-versions"),
            Some("`cargo generate-lockfile` rewrites Cargo.lock".into())
        );
        assert_eq!(rewrites("cargo update --workspace --locked"), None);
        assert_eq!(rewrites("go mod tidy -diff"), None);
        assert_eq!(
            rewrites("go mod tidy"),
            Some("`go mod tidy` rewrites go.mod and go.sum".into())
        );
    }

    #[test]
    fn git_config_that_writes_the_repository_settings_is_recognised() {
        assert_eq!(
            sets_repository_config("git config user.name \"diff-shades-gha\""),
            Some("user.name".into())
        );
        assert_eq!(
            sets_repository_config("cd x && git config --local core.autocrlf false"),
            Some("core.autocrlf".into())
        );
        assert_eq!(
            sets_repository_config("git config --unset user.email"),
            Some("user.email".into())
        );
        assert_eq!(sets_repository_config("git config --get user.name"), None);
        assert_eq!(sets_repository_config("git config user.name"), None);
        assert_eq!(
            sets_repository_config("git config --global user.name x"),
            None
        );
        assert_eq!(sets_repository_config("git diff"), None);
    }

    #[test]
    fn commands_that_need_a_clean_tree_are_recognised() {
        assert_eq!(
            checks_clean_tree("git diff --exit-code"),
            Some("git diff --exit-code")
        );
        assert_eq!(
            checks_clean_tree("go mod tidy && git diff --quiet go.mod"),
            Some("git diff --quiet")
        );
        assert_eq!(
            checks_clean_tree("test -z \"$(git status --porcelain)\""),
            Some("git status --porcelain")
        );
        assert_eq!(checks_clean_tree("git diff HEAD~1"), None);
        assert_eq!(checks_clean_tree("git log -1"), None);
        assert_eq!(rewrites("ruff format --check ."), None);
        assert_eq!(rewrites("prettier --check ."), None);
        assert_eq!(rewrites("gofmt -l ."), None);
    }

    #[test]
    fn git_commands_that_move_the_checkout_are_not_run_before_a_push() {
        for (line, shown) in [
            ("git checkout HEAD^2", "checkout HEAD^2"),
            (
                "git -C sub reset --hard origin/main",
                "reset --hard origin/main",
            ),
            ("make && git clean -fdx", "clean -fdx"),
            ("git fetch --tags --force", "fetch --tags --force"),
            ("git submodule update --init", "submodule update --init"),
            ("git tag v1.0", "tag v1.0"),
        ] {
            assert_eq!(changes_the_checkout(line).as_deref(), Some(shown), "{line}");
        }
        for line in [
            "git diff --exit-code",
            "git status --porcelain",
            "git describe --tags",
            "git ls-files '*.go'",
            "git branch",
            "git tag --list",
            "git log -1 --pretty=%ct",
            "echo git checkout",
        ] {
            assert_eq!(changes_the_checkout(line), None, "{line}");
        }
        assert!(not_local("make\npython -m pip uninstall -y chardet")
            .unwrap()
            .reason
            .contains("removes packages"));
        assert!(not_local("git checkout HEAD^2")
            .unwrap()
            .reason
            .contains("changes your git checkout"));
    }

    #[test]
    fn what_cannot_run_locally_says_why() {
        let why = |c: &str| not_local(c).map(|n| n.reason).unwrap_or_default();
        assert!(why("sudo apt-get install -y libfoo").contains("sudo"));
        assert_eq!(
            not_local("case $T in\n  x)\n    sudo apt-get install y\n    ;;\nesac\n")
                .unwrap()
                .kind,
            Kind::Prepares
        );
        assert!(why("npm config set loglevel error").contains("your user's settings"));
        assert!(why("git config --global user.name ci").contains("your user's settings"));
        assert!(
            why("uv pip install --system .").contains("machine's Python (`pip install --system`)")
        );
        assert!(why("python -m pip install --user tox").contains("--user"));
        assert_eq!(not_local("python -m pip install -e ."), None);
        // Without --global it is this repository's setting, still yours.
        assert!(why("git config user.name ci").contains("this repository's git settings"));
        assert_eq!(
            not_local("gh release download v1").unwrap().kind,
            Kind::Service
        );
        assert!(not_local("npm publish").is_some());
        assert!(why("cargo install cargo-deny").contains("whole machine"));
        assert!(why("echo ${{ secrets.TOKEN }}").contains("secrets"));
        assert!(why("pytest -k ${{ matrix.k }}").contains("expression"));
        assert_eq!(not_local("cargo test --all"), None);
    }

    #[test]
    fn dotted_shell_variables_are_escaped() {
        assert_eq!(
            escape_vars("echo ${HOME} ${a.b} $${c.d}"),
            "echo ${HOME} $${a.b} $${c.d}"
        );
        assert_eq!(slug("Run unit tests (fast)"), "run-unit-tests-fast");
        assert_eq!(slug("???"), "step");
        let summary = |line| slug(&command_summary(line));
        assert_eq!(
            summary("uv run --locked --no-default-groups --group pre-commit pre-commit run --show-diff-on-failure --all-files"),
            "pre-commit-run"
        );
        assert_eq!(
            summary("uv run --locked tox run -e typing"),
            "tox-run-typing"
        );
        assert_eq!(
            summary("uv run --locked --no-default-groups --group dev tox run -e typing"),
            "tox-run-typing"
        );
        assert_eq!(summary("uv run --group"), "uv-run-group");
        assert_eq!(summary("npx eslint ."), "eslint");
        assert_eq!(summary("cargo test --all"), "cargo-test");
        assert_eq!(summary("--weird"), "weird");
        assert_eq!(
            summary("RICHGO_FORCE_COLOR=1 PATH=$HOME/go/bin/:$PATH make richtest"),
            "make-richtest"
        );
        assert_eq!(summary("CI=1"), "ci-1");
    }
}
