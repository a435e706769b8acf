//! Python's task runners: the environments of `tox.ini` (`tox -e lint`,
//! and `tox -e py` for the test environments, run with this machine's
//! Python) and the sessions of `noxfile.py` (`nox -s lint`, `nox -s tests`).

use std::path::Path;

use super::{command, Derived, Found};

/// Environment or session names that are checks rather than test runs;
/// `format`-like environments usually rewrite files, so they are no check.
fn is_lint(name: &str) -> bool {
    if ["format", "fmt", "fix", "autoformat", "reformat"].contains(&name) {
        return false;
    }
    command::phase(name, "") == "lint"
        || ["mypy", "pyright", "typing", "types", "pre-commit"].contains(&name)
}

/// `tox.ini`: its `envlist` and `[testenv:NAME]` sections.
pub fn tox(root: &Path) -> Found {
    let Some(text) = crate::scaffold::facts::read(root, "tox.ini") else {
        return Found::default();
    };
    let mut envs: Vec<String> = Vec::new();
    let mut in_tox = false;
    let mut in_envlist = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(section) = trimmed.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            in_tox = section == "tox";
            in_envlist = false;
            if let Some(env) = section.strip_prefix("testenv:") {
                envs.push(env.trim().to_string());
            }
            continue;
        }
        let continued = in_envlist && line.starts_with([' ', '\t']);
        let listed = if in_tox && trimmed.starts_with("envlist") {
            in_envlist = true;
            trimmed.split_once('=').map_or("", |(_, v)| v)
        } else if continued {
            trimmed
        } else {
            in_envlist = false;
            continue;
        };
        envs.extend(
            listed
                .split(',')
                .map(str::trim)
                .filter(|e| !e.is_empty() && !e.contains('{'))
                .map(String::from),
        );
    }
    // An environment listed in `envlist` and given its own section counts once.
    let mut seen = std::collections::HashSet::new();
    envs.retain(|e| seen.insert(e.clone()));
    actions("tox.ini", "tox -e", "environment", &envs, "py")
}

/// `noxfile.py`: the functions decorated with `@nox.session` (or `@session`).
pub fn nox(root: &Path) -> Found {
    let Some(text) = crate::scaffold::facts::read(root, "noxfile.py") else {
        return Found::default();
    };
    let mut sessions = Vec::new();
    let mut decorated = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with("@nox.session") || line.starts_with("@session") {
            decorated = true;
        } else if let (true, Some(rest)) = (decorated, line.strip_prefix("def ")) {
            let name = rest.split('(').next().unwrap_or("").trim();
            if !name.is_empty() {
                sessions.push(name.to_string());
            }
            decorated = false;
        }
    }
    let test = sessions
        .iter()
        .find(|s| s.starts_with("test"))
        .cloned()
        .unwrap_or_default();
    actions("noxfile.py", "nox -s", "session", &sessions, &test)
}

/// One lint action per check environment, and one test action.
fn actions(file: &str, run: &str, kind: &str, names: &[String], test: &str) -> Found {
    let mut found = Found::default();
    for name in names.iter().filter(|n| is_lint(n)) {
        found.actions.push(derived(file, run, kind, name, "lint"));
    }
    let has_tests = names.iter().any(|n| !is_lint(n) && !n.contains("doc"));
    if has_tests && !test.is_empty() {
        found.actions.push(derived(file, run, kind, test, "test"));
    }
    found
}

fn derived(file: &str, run: &str, kind: &str, name: &str, phase: &'static str) -> Derived {
    let line = format!("{run} {name}");
    Derived {
        phase,
        name: command::slug(name),
        runs_tests: command::is_test_run(&line, &command::slug(name)),
        notes: Vec::new(),
        lines: vec![line],
        dir: String::new(),
        origin: format!("{file}, {kind} `{name}`"),
        rewrites: None,
        env: Vec::new(),
        shell: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tox_environments_and_nox_sessions() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(
            tmp.path().join("tox.ini"),
            "[tox]\nenvlist = py310, py311,\n    lint\n[testenv]\ncommands = pytest\n[testenv:lint]\ncommands = ruff check .\n[testenv:docs]\n",
        )
        .unwrap();
        std::fs::write(
            tmp.path().join("noxfile.py"),
            "import nox\n\n@nox.session(python=[\"3.12\"])\ndef tests(session):\n    session.run(\"pytest\")\n\n@nox.session\ndef lint(session):\n    pass\n",
        )
        .unwrap();
        let lines = |found: Found| -> Vec<(&'static str, String)> {
            found
                .actions
                .into_iter()
                .map(|a| (a.phase, a.lines.join("")))
                .collect()
        };
        assert_eq!(
            lines(tox(tmp.path())),
            [
                ("lint", "tox -e lint".to_string()),
                ("test", "tox -e py".to_string())
            ]
        );
        std::fs::write(
            tmp.path().join("tox.ini"),
            "[tox]\nenvlist = lint, py312\n[testenv:lint]\ncommands = ruff check .\n",
        )
        .unwrap();
        assert_eq!(
            lines(tox(tmp.path())),
            [
                ("lint", "tox -e lint".to_string()),
                ("test", "tox -e py".to_string())
            ],
            "an environment named twice, apart, is one action"
        );
        assert_eq!(
            lines(nox(tmp.path())),
            [
                ("lint", "nox -s lint".to_string()),
                ("test", "nox -s tests".to_string())
            ]
        );
    }
}
