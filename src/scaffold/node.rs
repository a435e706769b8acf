//! Node projects: the package manager from the lockfile (or the
//! `packageManager` field), and the `lint`, `build` and `test` scripts of
//! `package.json`.

use std::path::Path;

use super::ecosystem::Facts;
use super::facts::{exists, flag, read, text};

/// The default `test` script of `npm init`, which always fails.
pub const NPM_INIT_TEST: &str = "no test specified";

/// A package manager and how the pipeline calls it.
struct Manager {
    program: &'static str,
    install: &'static str,
    lockfile: Option<&'static str>,
}

fn manager(dir: &Path, manifest: &serde_json::Value) -> Manager {
    let declared = manifest["packageManager"].as_str().unwrap_or("");
    let m = |program, install, lockfile| Manager {
        program,
        install,
        lockfile,
    };
    if exists(dir, "pnpm-lock.yaml") {
        m(
            "pnpm",
            "pnpm install --frozen-lockfile",
            Some("pnpm-lock.yaml"),
        )
    } else if exists(dir, "yarn.lock") && exists(dir, ".yarnrc.yml") {
        m("yarn", "yarn install --immutable", Some("yarn.lock"))
    } else if exists(dir, "yarn.lock") {
        m("yarn", "yarn install --frozen-lockfile", Some("yarn.lock"))
    } else if exists(dir, "package-lock.json") {
        m("npm", "npm ci", Some("package-lock.json"))
    } else if exists(dir, "npm-shrinkwrap.json") {
        m("npm", "npm ci", Some("npm-shrinkwrap.json"))
    } else if declared.starts_with("pnpm@") {
        m("pnpm", "pnpm install", None)
    } else if declared.starts_with("yarn@") {
        m("yarn", "yarn install", None)
    } else {
        m("npm", "npm install", None)
    }
}

/// The package manager's program for the Node project in `dir`.
pub fn program(dir: &Path, manifest: &serde_json::Value) -> &'static str {
    manager(dir, manifest).program
}

/// How to install the package manager `program`.
pub(super) fn install_hint(program: &str) -> &'static str {
    match program {
        "pnpm" => "corepack enable pnpm (or npm install -g pnpm)",
        "yarn" => "corepack enable yarn (or npm install -g yarn)",
        _ => "npm comes with Node.js: https://nodejs.org/en/download",
    }
}

/// Facts about the Node project in `dir`.
pub fn facts(dir: &Path) -> Facts {
    let manifest: serde_json::Value = read(dir, "package.json")
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let pm = manager(dir, &manifest);
    let scripts = &manifest["scripts"];
    let script = |name: &str| scripts[name].as_str().filter(|s| !s.trim().is_empty());
    let mut facts = Facts {
        label: format!("Node ({})", pm.program),
        ..Facts::default()
    };
    facts.deps_files = ["package.json", ".npmrc"]
        .iter()
        .chain(pm.lockfile.iter())
        .filter(|f| exists(dir, f))
        .map(|f| f.to_string())
        .collect();
    let placeholder_test = script("test").is_some_and(|t| t.contains(NPM_INIT_TEST));
    if placeholder_test {
        facts.notes.push(
            "package.json's `test` script is npm's placeholder that always fails: no test action until it runs real tests".into(),
        );
    }
    let (lint, build, test) = (
        script("lint").is_some(),
        script("build").is_some(),
        script("test").is_some() && !placeholder_test,
    );
    let no_scripts = !lint && !build && !test && !placeholder_test;
    if no_scripts && manifest["dependencies"].is_object() {
        facts.notes.push(
            "package.json has no `lint`, `build` or `test` script: the pipeline only installs; add them and run `gantry init --force`".into(),
        );
    }
    if manifest.get("workspaces").is_some() {
        // Every workspace's package.json decides what is installed too.
        facts.deps_files.clear();
    }
    let has_deps = [
        "dependencies",
        "devDependencies",
        "optionalDependencies",
        "peerDependencies",
    ]
    .iter()
    .any(|k| manifest[k].as_object().is_some_and(|o| !o.is_empty()));
    let install = has_deps
        || manifest.get("workspaces").is_some()
        || pm.lockfile.is_some()
        || scripts.as_object().is_some_and(|o| !o.is_empty());
    if !install {
        facts.notes.push(
            "package.json lists no dependencies and no scripts (a manifest for another tool, such as clib): nothing to install or run for Node".into(),
        );
    }
    for name in ["lint", "build", "test"] {
        if let Some(what) = script(name).and_then(super::sources::command::rewrites) {
            facts.notes.push(format!(
                "package.json's `{name}` script rewrites files ({what}); the pipeline runs it as the repository does"
            ));
        }
    }
    let vars = &mut facts.vars;
    flag(vars, "install_deps", install);
    text(vars, "pm", pm.program);
    text(vars, "pm_hint", install_hint(pm.program));
    text(vars, "install", pm.install);
    flag(vars, "lint", lint);
    flag(vars, "build", build);
    flag(vars, "test", test);
    facts
}
