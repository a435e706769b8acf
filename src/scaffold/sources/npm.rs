//! `package.json` scripts: `lint`, `build` and `test`, run with the
//! package manager the lockfile belongs to (npm's always-failing
//! placeholder `test` script is left out).

use std::path::Path;

use super::{command, Derived, Found};

/// The actions of the root's `package.json` scripts.
pub fn read(root: &Path) -> Found {
    let mut found = Found::default();
    let Some(manifest) = crate::scaffold::facts::read(root, "package.json")
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
    else {
        return found;
    };
    let pm = crate::scaffold::node::program(root, &manifest);
    let scripts = &manifest["scripts"];
    let script = |name: &str| scripts[name].as_str().filter(|s| !s.trim().is_empty());
    for (phase, name) in [("lint", "lint"), ("compile", "build"), ("test", "test")] {
        let Some(text) = script(name) else { continue };
        if name == "test" && text.contains(crate::scaffold::node::NPM_INIT_TEST) {
            continue;
        }
        // What the script runs, and the scripts it runs with `npm run X`.
        let mut all = text.to_string();
        for word in text.split_whitespace() {
            if let Some(called) = script(word).filter(|_| word != name) {
                all.push('\n');
                all.push_str(called);
            }
        }
        let line = if name == "test" {
            format!("{pm} test")
        } else {
            format!("{pm} run {name}")
        };
        found.actions.push(Derived {
            phase,
            name: name.into(),
            runs_tests: command::is_test_run(&line, name),
            notes: Vec::new(),
            lines: vec![line],
            dir: String::new(),
            origin: format!("package.json, script `{name}`"),
            rewrites: all.lines().find_map(command::rewrites),
            env: Vec::new(),
            shell: None,
        });
    }
    found
}
