//! Task runners: the `lint`, `build` and `test` targets of a `Makefile`, the
//! recipes of a `justfile` and the tasks of a `Taskfile.yml`, each run
//! through its runner (`make test`, `just lint`, `task build`).

use std::collections::BTreeMap;
use std::path::Path;

use super::{command, Derived, Found, Skipped};

/// Target names per phase, most usual first; the first one present is used.
const WANTED: &[(&str, &[&str])] = &[
    (
        "lint",
        &[
            "lint",
            "check-format",
            "fmt-check",
            "format-check",
            "check-fmt",
            "vet",
            "style",
        ],
    ),
    ("compile", &["all", "build"]),
    ("test", &["test", "tests", "check"]),
];

/// A runner's targets: name → the text of its commands (to spot rewrites).
type Targets = Vec<(String, String)>;

/// One action per phase whose target exists; `default` is the runner's
/// default target, built when no `all`/`build` target exists.
fn actions(file: &str, runner: &str, targets: &Targets, default: Option<&str>) -> Found {
    let mut found = Found::default();
    let recipe = |name: &str| {
        targets
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, r)| r.as_str())
    };
    for (phase, names) in WANTED {
        let chosen = names
            .iter()
            .find(|n| recipe(n).is_some())
            .map(|n| n.to_string());
        let (target, line) = match (chosen, *phase, default) {
            (Some(target), _, _) => (target.clone(), format!("{runner} {target}")),
            // A default target whose name says check (clap's `check-wasm`)
            // or whose recipe only installs (requests' `init: pip install
            // -r requirements-dev.txt`) is not the build either.
            (None, "compile", Some(default))
                if !WANTED.iter().any(|(_, names)| names.contains(&default))
                    && !command::is_check(default, "")
                    && recipe(default).is_none_or(|r| !only_installs(r)) =>
            {
                (default.to_string(), runner.to_string())
            }
            _ => continue,
        };
        found.actions.push(Derived {
            phase,
            // A target named by a variable (`$(EXE)`) is named by what runs it.
            name: if target.contains('$') {
                runner.to_string()
            } else {
                command::slug(&target)
            },
            runs_tests: command::is_test_run(&line, &command::slug(&target)),
            notes: Vec::new(),
            lines: vec![line],
            dir: String::new(),
            origin: if target == default.unwrap_or("") && !names.contains(&target.as_str()) {
                format!("{file}, its default target `{target}`")
            } else {
                format!("{file}, target `{target}`")
            },
            rewrites: recipe(&target).and_then(command::rewrites),
            env: Vec::new(),
            shell: None,
        });
    }
    found
}

/// Whether every line of a recipe installs (`pip install -r
/// requirements-dev.txt`): `npm ci` then `npx tsc -p .` builds.
fn only_installs(recipe: &str) -> bool {
    recipe
        .lines()
        .filter(|l| !l.trim().is_empty())
        .all(|l| command::phase(l, "") == "deps")
}

/// The first of `names` under `root` that is a readable regular file, with
/// its text (a FIFO or device under such a name is passed over, not opened).
fn first_file<'a>(root: &Path, names: &[&'a str]) -> Option<(&'a str, String)> {
    names
        .iter()
        .find_map(|name| Some((*name, crate::scaffold::facts::read(root, name)?)))
}

/// `Makefile` (or `makefile`, `GNUmakefile`): `make lint`, `make all`, `make test`.
pub fn make(root: &Path) -> Found {
    let Some((file, text)) = first_file(root, &["GNUmakefile", "makefile", "Makefile"]) else {
        return Found::default();
    };
    let Makefile {
        mut targets,
        rules,
        default_goal,
    } = scan(&text);
    let runs_checks = runs_checks(&rules);
    targets.retain(|(name, _)| !runs_checks.contains(name));
    let default = default_goal.filter(|goal| !runs_checks.contains(goal));
    actions(file, "make", &targets, default.as_deref())
}

/// What gantry reads of a Makefile, in one pass over its lines.
struct Makefile<'a> {
    /// Its explicit targets in file order, with their recipes.
    targets: Targets,
    /// Each rule's target names and prerequisites.
    rules: Vec<(&'a str, &'a str)>,
    /// What a bare `make` builds: `.DEFAULT_GOAL`, else the first target
    /// of the first rule, even one named by a variable (fd's `$(EXE):`
    /// comes before `completions:`), but not a special `.TARGET` or a `%`
    /// pattern rule, which make passes over too.
    default_goal: Option<String>,
}

/// A Makefile's targets, rules and default goal (see [`Makefile`]).
fn scan(text: &str) -> Makefile<'_> {
    let mut targets: Targets = Vec::new();
    let mut rules = Vec::new();
    let mut set_goal = None;
    let mut first_goal = None;
    // The targets of the rule whose recipe lines come next.
    let mut current: Vec<usize> = Vec::new();
    for line in text.lines() {
        // The last setting wins.
        if let Some(goal) = default_goal_set(line) {
            set_goal = Some(goal);
        }
        if let Some(recipe) = line.strip_prefix('\t') {
            for &i in &current {
                targets[i].1.push_str(recipe);
                targets[i].1.push('\n');
            }
            continue;
        }
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        current.clear();
        let Some((names, rest)) = rule_line(line) else {
            continue;
        };
        let prerequisites = rest
            .split('|')
            .next()
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("");
        rules.push((names, prerequisites));
        if first_goal.is_none() {
            first_goal = names
                .split_whitespace()
                .find(|n| !n.starts_with('.') && !n.contains('%'))
                .map(String::from);
        }
        if names.contains('$') || names.contains('%') {
            continue;
        }
        for name in names.split_whitespace() {
            if name.starts_with('.') {
                continue;
            }
            let index = match targets.iter().position(|(n, _)| n == name) {
                Some(i) => i,
                None => {
                    targets.push((name.to_string(), String::new()));
                    targets.len() - 1
                }
            };
            current.push(index);
        }
    }
    Makefile {
        targets,
        rules,
        default_goal: set_goal.or(first_goal),
    }
}

/// The goal a `.DEFAULT_GOAL` line sets, if `line` is one.
fn default_goal_set(line: &str) -> Option<String> {
    let value = line.trim().strip_prefix(".DEFAULT_GOAL")?.trim_start();
    let value = [":::=", "::=", ":=", "?=", "="]
        .iter()
        .find_map(|op| value.strip_prefix(op))?;
    Some(value.trim().to_string()).filter(|v| !v.is_empty())
}

/// A Makefile line as a rule: its target names and what follows the `:`.
/// `None` for a recipe line, a comment, an assignment (`X = y`, `X := y`,
/// `X ::= y`, `X :::= y`) and a function call such as `$(warning …)` or
/// `$(info …)`, whose text may hold a `:`; `$(EXE):` is a rule.
fn rule_line(line: &str) -> Option<(&str, &str)> {
    if line.starts_with('\t') || line.trim_start().starts_with('#') {
        return None;
    }
    let trimmed = line.trim_start();
    let call = ["$(", "${"].iter().any(|open| {
        trimmed.strip_prefix(open).is_some_and(|inner| {
            inner
                .split([')', '}'])
                .next()
                .is_some_and(|name| name.contains(char::is_whitespace))
        })
    });
    if call {
        return None;
    }
    let (names, rest) = line.split_once(':')?;
    let assigns = ["=", ":=", "::="].iter().any(|op| rest.starts_with(op));
    (!assigns && !names.contains('=')).then_some((names, rest))
}

/// The Makefile's targets that depend on its test or lint target (urfave/
/// cli's `all: generate vet test check-binary-size gfmrun`), or on such a
/// target (cobra's `default: all`, `all: fmt test`), among its `rules`
/// (target names, prerequisites): they run the checks, so they are not
/// its build; the checks come from their own targets, and the build from
/// elsewhere.
fn runs_checks(rules: &[(&str, &str)]) -> Vec<String> {
    let checks: Vec<&str> = WANTED
        .iter()
        .filter(|(phase, _)| *phase != "compile")
        .flat_map(|(_, names)| names.iter().copied())
        .collect();
    let mut found: Vec<String> = Vec::new();
    loop {
        let before = found.len();
        for (names, prerequisites) in rules {
            let runs = prerequisites
                .split_whitespace()
                .any(|p| checks.contains(&p) || found.iter().any(|f| f == p));
            if runs {
                // A check that runs another (`test: lint unit`) is still
                // that check; `.PHONY: all` names, it runs nothing.
                for name in names.split_whitespace().filter(|n| !n.starts_with('.')) {
                    if !checks.contains(&name) && !found.iter().any(|f| f == name) {
                        found.push(name.to_string());
                    }
                }
            }
        }
        if found.len() == before {
            return found;
        }
    }
}

#[cfg(test)]
fn runs_the_checks(text: &str) -> Vec<String> {
    runs_checks(&scan(text).rules)
}

#[cfg(test)]
fn default_goal(text: &str) -> Option<String> {
    scan(text).default_goal
}

#[cfg(test)]
fn make_targets(text: &str) -> Targets {
    scan(text).targets
}

/// `justfile` (any capitalisation): `just lint`, `just build`, `just test`.
pub fn just(root: &Path) -> Found {
    let Some((file, text)) = first_file(root, &["justfile", "Justfile", ".justfile"]) else {
        return Found::default();
    };
    let mut targets: Targets = Vec::new();
    for line in text.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = targets.last_mut() {
                last.1.push_str(line.trim());
                last.1.push('\n');
            }
            continue;
        }
        let line = line.trim_start_matches('@');
        let Some((head, rest)) = line.split_once(':') else {
            continue;
        };
        let name = head.split_whitespace().next().unwrap_or("");
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if valid
            && !rest.starts_with('=')
            && !["set", "alias", "export", "import", "mod"].contains(&name)
        {
            targets.push((name.to_string(), String::new()));
        }
    }
    let default = targets.first().map(|(n, _)| n.clone());
    actions(file, "just", &targets, default.as_deref())
}

#[derive(serde::Deserialize)]
struct Taskfile {
    #[serde(default)]
    tasks: BTreeMap<String, serde_json::Value>,
}

/// `Taskfile.yml`: `task lint`, `task build`, `task test`.
pub fn task(root: &Path) -> Found {
    let names = [
        "Taskfile.yml",
        "Taskfile.yaml",
        "taskfile.yml",
        "taskfile.yaml",
    ];
    let Some((file, text)) = first_file(root, &names) else {
        return Found::default();
    };
    match serde_saphyr::from_str::<Taskfile>(&text) {
        Ok(taskfile) => {
            let targets: Targets = taskfile
                .tasks
                .iter()
                .map(|(name, task)| (name.clone(), task.to_string()))
                .collect();
            let default = taskfile.tasks.contains_key("default").then_some("default");
            actions(file, "task", &targets, default)
        }
        Err(e) => Found {
            skipped: vec![Skipped {
                action: None,
                origin: file.into(),
                reason: format!(
                    "gantry cannot read it: {}",
                    e.to_string().lines().next().unwrap_or("")
                ),
            }],
            ..Found::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makefile_targets_and_recipes() {
        let text = "CC ?= cc\nX := 1\n.PHONY: all test\nall: hello\n\nhello: hello.c\n\t$(CC) -o $@ $<\ntest: all\n\t./hello | grep -q hi\nfmt:\n\tclang-format -i *.c\n%.o: %.c\n\tcc -c $<\n";
        let targets = make_targets(text);
        let names: Vec<&str> = targets.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["all", "hello", "test", "fmt"]);
        assert_eq!(targets[2].1, "./hello | grep -q hi\n");
        let found = actions("Makefile", "make", &targets, Some("all"));
        let got: Vec<(&str, &str)> = found
            .actions
            .iter()
            .map(|a| (a.phase, a.lines[0].as_str()))
            .collect();
        assert_eq!(got, [("compile", "make all"), ("test", "make test")]);
    }

    #[test]
    fn the_default_target_builds_when_there_is_no_all_or_build() {
        let targets =
            make_targets("prog: prog.c\n\tcc -o prog prog.c\nlint:\n\tprettier --write .\n");
        let found = actions("Makefile", "make", &targets, Some("prog"));
        let got: Vec<(&str, &str)> = found
            .actions
            .iter()
            .map(|a| (a.phase, a.lines[0].as_str()))
            .collect();
        assert_eq!(got, [("lint", "make lint"), ("compile", "make")]);
        assert_eq!(
            found.actions[0].rewrites.as_deref(),
            Some("prettier --write")
        );
        assert!(found.actions[1].origin.contains("default target `prog`"));
    }

    #[test]
    fn a_target_that_depends_on_the_checks_is_not_the_build() {
        let cli = ".PHONY: all\nall: generate vet test check-binary-size gfmrun\n%:\n\tgo run scripts/build.go $*\n";
        assert_eq!(runs_the_checks(cli), ["all"]);
        let c = "all: prog\nprog: prog.c\n\tcc -o prog prog.c\ncheck: all\n\t./prog --self-test\n";
        assert!(runs_the_checks(c).is_empty());
        assert!(runs_the_checks("test: lint unit\nlint:\nunit:\n").is_empty());
        let clap = make_targets("check-wasm:\n\tcargo check\ndoc:\n\tcargo doc\n");
        let found = actions("Makefile", "make", &clap, Some("check-wasm"));
        assert!(found.actions.is_empty(), "{:?}", found.actions);
    }

    #[test]
    fn the_default_goal_is_the_first_rule_or_default_goal() {
        let fd = "PROFILE=release\nEXE=target/$(PROFILE)/fd\n\n$(EXE): Cargo.toml\n\tcargo build\n\n.PHONY: completions\ncompletions: a\n";
        assert_eq!(default_goal(fd).as_deref(), Some("$(EXE)"));
        let set = ".PHONY: x\n%.o: %.c\n\tcc\nprog: prog.o\n.DEFAULT_GOAL := check\ncheck:\n";
        assert_eq!(default_goal(set).as_deref(), Some("check"));
        assert_eq!(
            default_goal(&set.replace(".DEFAULT_GOAL", "#")).as_deref(),
            Some("prog")
        );
        assert_eq!(default_goal("CC := cc\n"), None);
    }
}
