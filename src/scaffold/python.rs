//! Python projects: a virtual environment under `.gantry/venv`, what to
//! install into it (requirements files, the project itself, the tools),
//! and pytest, ruff and flake8 when the project configures them.
//!
//! `pyproject.toml` is read line by line for its table headers and the keys
//! of `[project.optional-dependencies]`; that is all gantry needs from it.

use std::path::Path;

use super::ecosystem::Facts;
use super::facts::{exists, flag, read, text, CheckFiles, Uses};
use super::words::has_bounded;

/// Requirements files installed when present, in this order.
const REQUIREMENTS: &[&str] = &[
    "requirements.txt",
    "requirements-dev.txt",
    "dev-requirements.txt",
    "requirements-test.txt",
];

/// What `pyproject.toml` (and friends) say.
#[derive(Debug, Default, PartialEq, Eq)]
struct Config {
    /// `[build-system]` or `[project]`: `pip install -e .` works.
    installable: bool,
    /// Extras of `[project.optional-dependencies]` worth installing.
    extras: Vec<String>,
    /// The test groups of `[dependency-groups]` (`test`, `tests`).
    test_groups: Vec<String>,
    pytest: bool,
    /// pytest is a dependency the pyproject declares (what uv installs).
    pytest_declared: bool,
    ruff: bool,
    flake8: bool,
}

/// Table headers and the keys of `[project.optional-dependencies]`.
fn read_pyproject(text: &str) -> Config {
    let mut config = Config::default();
    let mut table = String::new();
    for line in text.lines().map(str::trim) {
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.split(']').next()) {
            table = header.trim_matches(['[', ' ']).to_string();
            config.installable |= table == "build-system" || table == "project";
            config.pytest |= table == "tool.pytest.ini_options";
            config.ruff |= table == "tool.ruff" || table.starts_with("tool.ruff.");
            config.flake8 |= table == "tool.flake8";
            continue;
        }
        let key = line.split('=').next().unwrap_or("").trim();
        if table == "project.optional-dependencies" && ["dev", "test", "tests"].contains(&key) {
            config.extras.push(key.to_string());
        }
        if table == "dependency-groups" && ["test", "tests"].contains(&key) {
            config.test_groups.push(key.to_string());
        }
    }
    config.pytest_declared = declares(text, "pytest");
    config
}

/// Whether any requirements file or the pyproject names `tool`.
fn mentions(dir: &Path, tool: &str) -> bool {
    REQUIREMENTS
        .iter()
        .chain(&["pyproject.toml"])
        .filter_map(|f| read(dir, f))
        .any(|t| {
            t.lines().any(|l| {
                let l = l.trim().trim_start_matches(['"', '\'']);
                // At the start of the line.
                has_bounded(l, tool, |before, after| {
                    before.is_none() && !after.is_some_and(|c| c.is_alphanumeric() || c == '-')
                })
            })
        })
}

/// Whether the pyproject `text` lists `package` as a dependency (`"pytest"`,
/// `'pytest>=8'`), in any table: what uv installs from it.
fn declares(text: &str, package: &str) -> bool {
    ["\"", "'"].iter().any(|quote| {
        let quoted = format!("{quote}{package}");
        has_bounded(text, &quoted, |_, after| {
            !after.is_some_and(|c| c.is_alphanumeric() || "-_.".contains(c))
        })
    })
}

fn section_in(dir: &Path, file: &str, header: &str) -> bool {
    read(dir, file).is_some_and(|t| t.lines().any(|l| l.trim() == header))
}

/// Whether `dir` holds `test_*.py` or `*_test.py` files (for unittest).
fn has_tests(dir: &Path) -> bool {
    super::detect::any_file(dir, 4, &|path: &Path| {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        name.ends_with(".py") && (name.starts_with("test_") || name.ends_with("_test.py"))
    })
}

/// What the project configures, from every file that can say it.
fn configured(dir: &Path, uses: &Uses<'_>) -> Config {
    let mut config =
        read(dir, "pyproject.toml").map_or_else(Config::default, |t| read_pyproject(&t));
    config.installable |= exists(dir, "setup.py");
    config.pytest |= exists(dir, "pytest.ini")
        || exists(dir, "conftest.py")
        || section_in(dir, "setup.cfg", "[tool:pytest]")
        || section_in(dir, "tox.ini", "[pytest]")
        || mentions(dir, "pytest");
    config.ruff |= exists(dir, "ruff.toml")
        || exists(dir, ".ruff.toml")
        || mentions(dir, "ruff")
        || uses.any(&["ruff"]);
    config.flake8 |= exists(dir, ".flake8")
        || section_in(dir, "setup.cfg", "[flake8]")
        || section_in(dir, "tox.ini", "[flake8]")
        || mentions(dir, "flake8");
    config
}

/// Runners that CI jobs install with a setup action (`astral-sh/setup-uv`,
/// `pip install tox`) and whose commands `gantry init` takes from them:
/// installed into the venv, where those commands run, so they run on a
/// machine that lacks them.
pub const RUNNERS: &[(&str, &[&str])] = &[
    ("uv", &["uv run ", "uv sync", "uv build", "uv pip "]),
    ("tox", &["tox run", "tox -e", "tox -p"]),
    ("nox", &["nox -s", "nox --session"]),
    ("pre-commit", &["pre-commit run"]),
];

/// The runner of [`RUNNERS`] that the command `line` starts, when it runs
/// one of the commands for which init installs it into the venv: such a
/// line needs nothing on the machine. The same commands, found in the CI
/// text, decide the install ([`facts`]), so a bare `nox` is needed on
/// the machine rather than assumed in the venv.
pub fn venv_runner(line: &str) -> Option<&'static str> {
    let program = line.split_whitespace().next()?;
    RUNNERS
        .iter()
        .find(|(tool, commands)| *tool == program && commands.iter().any(|c| line.contains(c)))
        .map(|(tool, _)| *tool)
}

/// Facts about the Python project in `dir`.
pub fn facts(dir: &Path, checks: &CheckFiles) -> Facts {
    let uses = checks.uses(dir);
    let config = configured(dir, &uses);
    let mut facts = Facts {
        label: "Python".into(),
        ..Facts::default()
    };
    let mut files: Vec<&str> = vec!["pyproject.toml", "setup.py", "setup.cfg"];
    files.extend(REQUIREMENTS);
    facts.deps_files = files
        .iter()
        .filter(|f| exists(dir, f))
        .map(|f| f.to_string())
        .collect();
    let requirements: Vec<&str> = REQUIREMENTS
        .iter()
        .copied()
        .filter(|f| exists(dir, f))
        .collect();
    // With a uv.lock the tests run in the environment it pins: the
    // newest pytest and plugins need not be what the project works with.
    // uv installs only what the pyproject declares: pytest only in a
    // requirements file would be missing there.
    let uv_tests = config.pytest && exists(dir, "uv.lock") && config.pytest_declared;
    let tools: Vec<&str> = [
        ("pytest", config.pytest),
        ("ruff", config.ruff),
        ("flake8", config.flake8),
    ]
    .into_iter()
    .chain(
        RUNNERS
            .iter()
            .map(|(tool, commands)| (*tool, uses.any(commands) || (*tool == "uv" && uv_tests))),
    )
    .filter(|(_, on)| *on)
    .map(|(t, _)| t)
    .collect();
    let unittest = !config.pytest && has_tests(dir);
    if !config.pytest && !unittest {
        facts
            .notes
            .push("no pytest configuration and no test_*.py files: no Python test action".into());
    }
    let extras = if config.extras.is_empty() {
        String::new()
    } else {
        format!("[{}]", config.extras.join(","))
    };
    let vars = &mut facts.vars;
    text(
        vars,
        "requirements",
        &requirements
            .iter()
            .map(|r| format!(" -r {r}"))
            .collect::<String>(),
    );
    flag(vars, "installable", config.installable);
    text(vars, "extras", &extras);
    text(vars, "tools", &tools.join(" "));
    flag(vars, "pytest", config.pytest);
    flag(vars, "uv_tests", uv_tests);
    // The test groups and the extras, where the pyproject may list pytest.
    text(
        vars,
        "uv_groups",
        &config
            .test_groups
            .iter()
            .map(|g| format!(" --group {g}"))
            .chain(config.extras.iter().map(|e| format!(" --extra {e}")))
            .collect::<String>(),
    );
    flag(vars, "unittest", unittest);
    flag(vars, "ruff", config.ruff);
    let ruff_format = config.ruff
        && (read(dir, "pyproject.toml").is_some_and(|t| t.contains("[tool.ruff.format]"))
            || uses.any(&["ruff format", "ruff-format"]));
    flag(vars, "ruff_format", ruff_format);
    flag(vars, "flake8", config.flake8);
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tables_and_extras() {
        let text = "[build-system]\nrequires = [\"hatchling\"]\n[project.optional-dependencies]\ndev = [\"pytest\"]\ndocs = [\"x\"]\n[tool.ruff.lint]\nselect = [\"E\"]\n[[tool.pytest.ini_options]]\n[dependency-groups]\ndev = [\"ruff\"]\ntests = [\n    \"pytest\",\n]\n";
        let c = read_pyproject(text);
        assert!(c.installable && c.ruff && c.pytest && !c.flake8);
        assert_eq!(c.extras, vec!["dev"]);
        assert_eq!(c.test_groups, vec!["tests"]);
        assert_eq!(read_pyproject("[tool.black]\n"), Config::default());
    }

    #[test]
    fn dependencies_are_told_by_their_quoted_names() {
        assert!(declares("test = [\"pytest>=8\"]", "pytest"));
        assert!(declares("dev = [\n  'pytest',\n]", "pytest"));
        assert!(!declares("test = [\"pytest-cov\"]", "pytest"));
        assert!(!declares("[tool.pytest.ini_options]", "pytest"));
    }

    #[test]
    fn runners_are_in_the_venv_for_the_commands_that_install_them() {
        assert_eq!(venv_runner("uv run --locked pytest"), Some("uv"));
        assert_eq!(venv_runner("nox -s tests"), Some("nox"));
        assert_eq!(venv_runner("nox"), None);
        assert_eq!(venv_runner("make nox -s"), None);
    }
}
