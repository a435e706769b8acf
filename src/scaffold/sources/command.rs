//! Reading shell commands taken from CI files and task runners: which
//! stage they belong in, whether they rewrite files, and whether they can
//! run on a developer's machine at all.

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
    "typing",
    "style",
    "pre-commit",
    "prek",
];

/// Words that make a command a test run.
const TEST: &[&str] = &[
    "test", "pytest", "spec", "tox", "nox", "ctest", "unittest", "check",
];

/// Words that make a command a build.
const COMPILE: &[&str] = &[
    "build", "compile", "all", "tsc", "assemble", "package", "dist",
];

/// The phase of a command: `deps`, `lint`, `compile` or `test`, from the
/// command itself, else from `hint` (a step, target or job name), else `test`.
pub fn phase(command: &str, hint: &str) -> &'static str {
    let lower = command.to_ascii_lowercase();
    if DEPS
        .iter()
        .any(|d| lower.contains(d) || lower.trim() == d.trim())
    {
        return "deps";
    }
    // Flags say how, not what: `--all-files` is no `all` target.
    let words: Vec<&str> = lower
        .split_whitespace()
        .filter(|w| !w.starts_with('-'))
        .collect();
    for text in [words.join(" ").as_str(), &hint.to_ascii_lowercase()] {
        let has = |words: &[&str]| words.iter().any(|w| has_word(text, w));
        if has(LINT) {
            return "lint";
        }
        if has(TEST) {
            return "test";
        }
        if has(COMPILE) || text.trim() == "make" {
            return "compile";
        }
    }
    "test"
}

/// Whether `word` appears in `text` with no letter right before or after it.
fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphabetic())
            && !after.is_some_and(|c| c.is_ascii_alphabetic())
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

/// Why `command` cannot run on a developer's machine, if it cannot.
pub fn not_local(command: &str) -> Option<String> {
    let words: Vec<&str> = command.split_whitespace().collect();
    let first = words.first().copied().unwrap_or("");
    let machine = [
        "sudo", "apt-get", "apt", "yum", "dnf", "apk", "brew", "choco", "rustup",
    ];
    if machine.contains(&first) {
        return Some(format!("it changes the machine (`{first}`)"));
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
        return Some(format!("it installs a tool for the whole machine (`{g}`)"));
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
        return Some(format!(
            "it publishes or talks to a service (`{}`)",
            p.trim()
        ));
    }
    if command.contains("secrets.") || command.contains("${{ secrets") {
        return Some("it needs CI secrets".into());
    }
    if command.contains("${{") {
        return Some("it uses a `${{ … }}` expression that only the CI fills in".into());
    }
    None
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
    let words: Vec<&str> = line.split_whitespace().collect();
    let rest = RUNNERS
        .iter()
        .find(|r| words.starts_with(r))
        .map_or(&words[..], |r| &words[r.len()..]);
    let mut kept: Vec<&str> = Vec::new();
    for word in rest.iter().filter(|w| !w.starts_with('-')) {
        if kept.last() != Some(word) {
            kept.push(word);
        }
    }
    if kept.is_empty() {
        line.to_string()
    } else {
        kept.join(" ")
    }
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
        assert_eq!(phase("make test", ""), "test");
        assert_eq!(phase("./run.sh", "Unit tests"), "test");
        assert_eq!(phase("./run.sh", "Build docs"), "compile");
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
        assert_eq!(phase("tox run -e typing", ""), "lint");
        assert_eq!(phase("cargo test --all-targets", ""), "test");
        assert_eq!(phase("./ci.sh --all", "Unit tests"), "test");
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
        assert_eq!(rewrites("ruff format --check ."), None);
        assert_eq!(rewrites("prettier --check ."), None);
        assert_eq!(rewrites("gofmt -l ."), None);
    }

    #[test]
    fn what_cannot_run_locally_says_why() {
        assert!(not_local("sudo apt-get install -y libfoo")
            .unwrap()
            .contains("sudo"));
        assert!(not_local("npm publish").is_some());
        assert!(not_local("cargo install cargo-deny")
            .unwrap()
            .contains("whole machine"));
        assert!(not_local("echo ${{ secrets.TOKEN }}")
            .unwrap()
            .contains("secrets"));
        assert!(not_local("pytest -k ${{ matrix.k }}")
            .unwrap()
            .contains("expression"));
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
        assert_eq!(summary("npx eslint ."), "eslint");
        assert_eq!(summary("cargo test --all"), "cargo-test");
        assert_eq!(summary("--weird"), "weird");
    }
}
