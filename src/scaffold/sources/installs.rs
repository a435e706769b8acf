//! One dependency install per tool and directory. CI files often install
//! the same dependencies in several jobs (`npm install --ignore-scripts`
//! for the lint job, `npm install` for the tests); the pipeline needs them
//! once. Installs of a whole dependency tree (npm, yarn, pnpm, Bundler,
//! Composer, Poetry, `uv sync`, …) keep the most complete one; `pip
//! install` lines add up, so they become one action with each distinct
//! line once. Either way the kept action says which it stands for.

use super::{Derived, Found};

/// Tools that install a whole dependency tree into one place, and the
/// commands that do it (followed only by options).
const TREE: &[(&str, &[&str])] = &[
    ("npm", &["npm ci", "npm install", "npm i"]),
    ("yarn", &["yarn install", "yarn"]),
    ("pnpm", &["pnpm install", "pnpm i"]),
    ("bundler", &["bundle install"]),
    ("composer", &["composer install"]),
    ("poetry", &["poetry install"]),
    ("uv", &["uv sync"]),
    ("go", &["go mod download"]),
    ("cargo", &["cargo fetch"]),
    ("dotnet", &["dotnet restore"]),
];

/// Commands that add packages to a Python environment.
const PIP: &[&str] = &[
    "pip install",
    "pip3 install",
    "python -m pip install",
    "python3 -m pip install",
    "uv pip install",
];

/// Options that install less than the plain command does.
const NARROWER: &[&str] = &[
    "--ignore-scripts",
    "--omit",
    "--production",
    "--prod",
    "--only",
    "--no-dev",
    "--without",
    "--no-root",
    "--no-install-project",
    "--no-optional",
    "--no-default-groups",
];

/// Options that install more than the plain command does.
const WIDER: &[&str] = &[
    "--all-extras",
    "--all-groups",
    "--all-features",
    "--with",
    "--extras",
    "--extra",
    "--group",
    "--include",
    "--dev",
];

/// What installs the dependencies of `action`: a tree tool's name, `pip`,
/// or `None` when it does anything else too.
fn installer(action: &Derived) -> Option<&'static str> {
    let tool_of = |line: &str| -> Option<&'static str> {
        let line = line.trim();
        if PIP.iter().any(|p| line.starts_with(p)) {
            return Some("pip");
        }
        TREE.iter().find_map(|(tool, commands)| {
            commands
                .iter()
                .any(|c| {
                    line.strip_prefix(c).is_some_and(|rest| {
                        (rest.is_empty() || rest.starts_with(' '))
                            && rest.split_whitespace().all(|w| w.starts_with('-'))
                    })
                })
                .then_some(*tool)
        })
    };
    let first = tool_of(action.lines.first()?)?;
    action
        .lines
        .iter()
        .all(|l| tool_of(l) == Some(first))
        .then_some(first)
}

/// Where the install `action` puts what it installs, relative to its
/// directory, when that is one place of the project's own (a cached
/// install is run again once it is gone); `None` for installs into shared
/// caches or places set elsewhere (Bundler, Poetry, Go, Cargo, .NET) and
/// for pip outside a venv of gantry's.
pub fn installs_into(action: &Derived, in_venv: bool) -> Option<&'static str> {
    match installer(action)? {
        "npm" | "yarn" | "pnpm" => Some("node_modules"),
        "composer" => Some("vendor"),
        "uv" => Some(".venv"),
        "pip" if in_venv => Some(".gantry/venv/bin/python"),
        _ => None,
    }
}

/// How much more than the plain command an install installs.
fn completeness(action: &Derived) -> i32 {
    let words: Vec<&str> = action
        .lines
        .iter()
        .flat_map(|l| l.split_whitespace())
        .collect();
    let has = |options: &[&str]| {
        words
            .iter()
            .filter(|w| {
                options
                    .iter()
                    .any(|o| *w == o || w.starts_with(&format!("{o}=")))
            })
            .count() as i32
    };
    has(WIDER) - 2 * has(NARROWER)
}

/// Merges the deps actions of `found` that install with the same tool in
/// the same directory; returns a note for each merge.
pub fn merge(found: &mut Found) -> Vec<String> {
    let mut notes = Vec::new();
    let mut kept: Vec<Derived> = Vec::new();
    // Each group: its directory, its tool, where its first action is in
    // `kept` (the group's place in the order), its actions.
    let mut groups: Vec<(String, &'static str, usize, Vec<Derived>)> = Vec::new();
    for action in std::mem::take(&mut found.actions) {
        let tool = (action.phase == "deps")
            .then(|| installer(&action))
            .flatten();
        match tool {
            Some(tool) => match groups
                .iter_mut()
                .find(|(d, t, _, _)| *d == action.dir && *t == tool)
            {
                Some((_, _, _, group)) => group.push(action),
                None => {
                    groups.push((action.dir.clone(), tool, kept.len(), vec![action.clone()]));
                    kept.push(action);
                }
            },
            None => kept.push(action),
        }
    }
    for (dir, tool, place, group) in groups {
        if group.len() < 2 {
            continue;
        }
        let merged = if tool == "pip" {
            pip_union(&group)
        } else {
            most_complete(&group)
        };
        let others: Vec<String> = group
            .iter()
            .filter(|a| a.origin != merged.origin)
            .map(|a| format!("{} (`{}`)", a.origin, a.lines.join("; ")))
            .collect();
        notes.push(format!(
            "{} installs of {tool} dependencies{} are one action, `{}` (from {}): it stands for {}",
            group.len(),
            if dir.is_empty() {
                String::new()
            } else {
                format!(" in {dir}")
            },
            merged.lines.join("; "),
            merged.origin,
            others.join(", ")
        ));
        kept[place] = Derived {
            origin: format!(
                "{}; it also stands for {}",
                merged.origin,
                others.join(", ")
            ),
            ..merged
        };
    }
    found.actions = kept;
    notes
}

/// The install of `group` that installs the most (the first of equals).
fn most_complete(group: &[Derived]) -> Derived {
    let best = group
        .iter()
        .enumerate()
        .max_by_key(|(i, a)| (completeness(a), -(*i as i32)))
        .map(|(_, a)| a)
        .expect("a group has actions");
    best.clone()
}

/// One action with every distinct `pip install` line of `group`, in
/// order, and only the environment every one of its steps had: a variable
/// one job sets for its own install would change how the others install
/// (black's diff-shades job sets `HATCH_BUILD_HOOKS_ENABLE=1` and `CC:
/// clang-18`, which turned the docs job's `pip install -e .` into a mypyc
/// compile needing clang-18).
fn pip_union(group: &[Derived]) -> Derived {
    let mut first = group[0].clone();
    first
        .env
        .retain(|var| group.iter().all(|action| action.env.contains(var)));
    for action in &group[1..] {
        for line in &action.lines {
            if !first.lines.contains(line) {
                first.lines.push(line.clone());
            }
        }
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deps(origin: &str, lines: &[&str]) -> Derived {
        Derived {
            phase: "deps",
            name: "install".into(),
            lines: lines.iter().map(|l| l.to_string()).collect(),
            dir: String::new(),
            origin: origin.into(),
            rewrites: None,
            env: Vec::new(),
            shell: None,
            runs_tests: false,
            notes: Vec::new(),
        }
    }

    #[test]
    fn merged_pip_installs_keep_only_the_environment_they_share() {
        let with_env = |origin: &str, line: &str, env: &[(&str, &str)]| Derived {
            env: env
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            ..deps(origin, &[line])
        };
        let mut found = Found {
            actions: vec![
                with_env(
                    "diff-shades",
                    "pip install --group diff-shades",
                    &[
                        ("CC", "clang-18"),
                        ("HATCH_BUILD_HOOKS_ENABLE", "1"),
                        ("PIP_X", "1"),
                    ],
                ),
                with_env("docs", "pip install -e .[d]", &[("PIP_X", "1")]),
            ],
            ..Found::default()
        };
        merge(&mut found);
        assert_eq!(found.actions.len(), 1);
        assert_eq!(
            found.actions[0].env,
            vec![("PIP_X".to_string(), "1".to_string())]
        );
    }

    #[test]
    fn the_most_complete_install_stands_for_the_others() {
        let mut found = Found {
            actions: vec![
                deps("lint", &["npm install --ignore-scripts --include=dev"]),
                deps("build", &["npm ci", "npm run build"]),
                deps("test", &["npm install"]),
                deps("docs", &["pip install -r docs/requirements.txt"]),
                deps(
                    "py",
                    &[
                        "pip install -e .[test]",
                        "pip install -r docs/requirements.txt",
                    ],
                ),
            ],
            ..Found::default()
        };
        let notes = merge(&mut found);
        let lines: Vec<Vec<String>> = found.actions.iter().map(|a| a.lines.clone()).collect();
        assert_eq!(
            lines,
            vec![
                vec!["npm install".to_string()],
                vec!["npm ci".into(), "npm run build".into()],
                vec![
                    "pip install -r docs/requirements.txt".into(),
                    "pip install -e .[test]".into()
                ],
            ]
        );
        assert!(found.actions[0]
            .origin
            .starts_with("test; it also stands for lint"));
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(
            notes[0].starts_with(
                "2 installs of npm dependencies are one action, `npm install` (from test)"
            ),
            "{notes:?}"
        );
    }
}
