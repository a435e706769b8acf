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
            (None, "compile", Some(default))
                if !WANTED.iter().any(|(_, names)| names.contains(&default)) =>
            {
                (default.to_string(), runner.to_string())
            }
            _ => continue,
        };
        found.actions.push(Derived {
            phase,
            name: command::slug(&target),
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
    let targets = make_targets(&text);
    let default = targets.first().map(|(n, _)| n.clone());
    actions(file, "make", &targets, default.as_deref())
}

/// A Makefile's explicit targets in file order, with their recipes.
fn make_targets(text: &str) -> Targets {
    let mut targets: Targets = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    for line in text.lines() {
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
        let Some((names, rest)) = line.split_once(':') else {
            continue;
        };
        if rest.starts_with('=')
            || names.contains('=')
            || names.contains('$')
            || names.contains('%')
        {
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
    targets
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
}
