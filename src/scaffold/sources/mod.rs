//! What the repository already runs: the commands of its CI files and task
//! runners, turned into pipeline actions that say where they came from.
//!
//! Each reader ([`github`], [`gitlab`], [`runners`], [`npm`],
//! [`python_runners`]) turns one kind
//! of file into [`Derived`] actions and [`Skipped`] steps; [`read`] merges
//! them per phase (the first source, in [`Origin::ALL`] order, that says
//! something about a phase decides it) and [`command`] classifies commands.

pub mod command;
mod dependent;
mod expression;
mod github;
mod gitlab;
mod installs;
mod job_order;
mod matrix;
mod npm;
mod python_runners;
pub mod render;
mod runners;
mod variants;

use std::path::Path;

/// A kind of file `gantry init` can take commands from (`--from`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Origin {
    /// The `run:` steps of `.github/workflows/*.yml`.
    GithubActions,
    /// The `script:` of the jobs in `.gitlab-ci.yml`.
    GitlabCi,
    /// The `lint`/`build`/`test` targets of a `Makefile`.
    Make,
    /// The `lint`/`build`/`test` recipes of a `justfile`.
    Just,
    /// The `lint`/`build`/`test` tasks of a `Taskfile.yml`.
    Task,
    /// The `lint`/`build`/`test` scripts of `package.json`.
    Npm,
    /// The check and test environments of `tox.ini`.
    Tox,
    /// The check and test sessions of `noxfile.py`.
    Nox,
}

impl Origin {
    /// Every source, most trusted first: CI says what must pass; task
    /// runners say how the maintainers run it; package scripts last.
    pub const ALL: [Origin; 8] = [
        Origin::GithubActions,
        Origin::GitlabCi,
        Origin::Make,
        Origin::Just,
        Origin::Task,
        Origin::Npm,
        Origin::Tox,
        Origin::Nox,
    ];

    /// The name `--from` takes.
    pub fn key(self) -> &'static str {
        match self {
            Origin::GithubActions => "github-actions",
            Origin::GitlabCi => "gitlab-ci",
            Origin::Make => "make",
            Origin::Just => "just",
            Origin::Task => "task",
            Origin::Npm => "npm",
            Origin::Tox => "tox",
            Origin::Nox => "nox",
        }
    }
}

/// One action taken from the repository's own files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Derived {
    /// The stage it belongs in: one of [`super::pipeline::PHASES`].
    pub phase: &'static str,
    /// A name for the action (made valid and unique when rendered).
    pub name: String,
    /// Its shell lines, run in one shell with `-e`.
    pub lines: Vec<String>,
    /// Its working directory relative to the root (`""` for the root).
    pub dir: String,
    /// Where it came from, for comments and the terminal:
    /// `.github/workflows/ci.yml, job test, step "Run tests"`.
    pub origin: String,
    /// Set when the command rewrites files (`prettier --write`): what does.
    pub rewrites: Option<String>,
    /// Environment variables the source sets for it, in order.
    pub env: Vec<(String, String)>,
    /// The shell, when the source needs one other than `sh` (`bash`).
    pub shell: Option<String>,
    /// Whether it runs tests, as its reader tells from the command and the
    /// names it placed it by (a step of job `test` running `npm run ci`):
    /// a test stage with no such action also gets the project's own tests.
    pub runs_tests: bool,
    /// What its comment says about how it was taken (the matrix cell it
    /// runs, a CI variable set empty).
    pub notes: Vec<String>,
}

/// A step of the repository's files that the pipeline leaves out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// Where it is: `.github/workflows/ci.yml, job deploy`.
    pub origin: String,
    /// Why it cannot run locally.
    pub reason: String,
    /// The GitHub action a `uses:` step runs (`actions/checkout`, without
    /// its `@pin`): such steps are listed once per action, with a count.
    pub action: Option<String>,
}

/// The left-out list, one line each, as the terminal and the comment at
/// the end of `gantry.yml` show it: every step with its reason, then one
/// line per GitHub action (`actions/checkout (4 steps): …`).
pub fn left_out_lines(skipped: &[Skipped]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut actions: Vec<(&str, usize)> = Vec::new();
    for s in skipped {
        match &s.action {
            None => lines.push(format!("{}: {}", s.origin, s.reason)),
            Some(name) => match actions.iter_mut().find(|(n, _)| n == name) {
                Some((_, count)) => *count += 1,
                None => actions.push((name, 1)),
            },
        }
    }
    lines.extend(actions.into_iter().map(|(name, count)| {
        format!(
            "{name} ({}): a GitHub action, which runs only on GitHub",
            crate::error::plural(count, "step")
        )
    }));
    lines
}

pub use installs::merge as merge_installs;

/// What one source (or all of them) said.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Found {
    /// The actions, in the order their files list them.
    pub actions: Vec<Derived>,
    /// The steps left out, with why.
    pub skipped: Vec<Skipped>,
    /// The sources that had something to say (`--dry-run` and the terminal).
    pub used: Vec<Origin>,
}

/// What `origin` says about the repository at `root`.
pub fn read_one(root: &Path, origin: Origin) -> Found {
    match origin {
        Origin::GithubActions => github::read(root),
        Origin::GitlabCi => gitlab::read(root),
        Origin::Make => runners::make(root),
        Origin::Just => runners::just(root),
        Origin::Task => runners::task(root),
        Origin::Npm => npm::read(root),
        Origin::Tox => python_runners::tox(root),
        Origin::Nox => python_runners::nox(root),
    }
}

/// The actions of the repository's own files: with `only`, that source's;
/// otherwise each phase comes from the first source that has actions for it.
pub fn read(root: &Path, only: Option<Origin>) -> Found {
    let origins: Vec<Origin> = match only {
        Some(origin) => vec![origin],
        None => Origin::ALL.to_vec(),
    };
    let mut merged = Found::default();
    for origin in origins {
        let found = read_one(root, origin);
        let new_phases: Vec<&str> = super::pipeline::PHASES
            .iter()
            .copied()
            .filter(|p| !merged.actions.iter().any(|a| a.phase == *p))
            .collect();
        let taken: Vec<Derived> = found
            .actions
            .into_iter()
            .filter(|a| new_phases.contains(&a.phase))
            .collect();
        if !taken.is_empty() {
            merged.used.push(origin);
        }
        merged.actions.extend(taken);
        merged.skipped.extend(found.skipped);
    }
    merged
}

/// `path` relative to `root`, `/`-separated, for origins.
fn shown(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// What `--template make|just|task` writes: the runner's targets, or, when
/// the file is missing or has none of them, its usual build and test.
pub fn runner_or_default(root: &Path, runner: Origin) -> Found {
    let found = read_one(root, runner);
    if !found.actions.is_empty() {
        return found;
    }
    let program = runner.key();
    let (build, test) = match runner {
        Origin::Make => ("make", "make test"),
        _ => (
            if program == "just" {
                "just build"
            } else {
                "task build"
            },
            if program == "just" {
                "just test"
            } else {
                "task test"
            },
        ),
    };
    let origin = format!("--template {program} (the usual targets; edit them to yours)");
    let action = |phase, name: &str, line: &str| Derived {
        phase,
        name: name.into(),
        lines: vec![line.into()],
        dir: String::new(),
        origin: origin.clone(),
        rewrites: None,
        env: Vec::new(),
        shell: None,
        runs_tests: phase == "test",
        notes: Vec::new(),
    };
    Found {
        actions: vec![
            action("compile", "build", build),
            action("test", "test", test),
        ],
        skipped: found.skipped,
        used: vec![runner],
    }
}

/// Why `--from ORIGIN` found nothing, naming the files it reads.
pub fn nothing_from(origin: Origin) -> &'static str {
    match origin {
        Origin::GithubActions => "no `run:` step that can run locally in .github/workflows/*.yml",
        Origin::GitlabCi => "no job that can run locally in .gitlab-ci.yml",
        Origin::Make => "no Makefile with a lint, all, build, test or default target",
        Origin::Just => "no justfile with a lint, build, test or default recipe",
        Origin::Task => "no Taskfile.yml with a lint, build, test or default task",
        Origin::Npm => "no package.json with a lint, build or test script",
        Origin::Tox => "no tox.ini with a check or test environment",
        Origin::Nox => "no noxfile.py with a check or test session",
    }
}

/// Moves to `skipped` the actions that would `pip install` outside a
/// Python project's venv (into the machine's Python): `python_dirs` are
/// the directories whose actions run in `.gantry/venv`.
pub fn keep_pip_in_venvs(found: &mut Found, python_dirs: &[String]) {
    let (kept, outside): (Vec<Derived>, Vec<Derived>) = std::mem::take(&mut found.actions)
        .into_iter()
        .partition(|a| {
            python_dirs.contains(&a.dir) || !a.lines.iter().any(|l| l.contains("pip install"))
        });
    found.actions = kept;
    found.skipped.extend(outside.into_iter().map(|a| Skipped {
        action: None,
        origin: a.origin,
        reason: "it installs into the machine's Python (`pip install` outside a Python project's venv)".into(),
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pip_installs_stay_in_python_projects() {
        let action = |dir: &str, line: &str| Derived {
            phase: "deps",
            name: "x".into(),
            lines: vec![line.into()],
            dir: dir.into(),
            origin: format!("ci {dir}"),
            rewrites: None,
            env: Vec::new(),
            shell: None,
            runs_tests: false,
            notes: Vec::new(),
        };
        let mut found = Found {
            actions: vec![
                action("py", "pip install -e ."),
                action("", "pip install mkdocs"),
                action("", "npm ci"),
            ],
            ..Found::default()
        };
        keep_pip_in_venvs(&mut found, &["py".into()]);
        let kept: Vec<&str> = found.actions.iter().map(|a| a.origin.as_str()).collect();
        assert_eq!(kept, ["ci py", "ci "]);
        assert_eq!(found.skipped.len(), 1);
        assert!(found.skipped[0].reason.contains("machine's Python"));
    }
}
