//! The tool check: which programs the generated actions need are missing
//! from `PATH`, each with how to install it. It never stops `gantry init`;
//! the findings are printed after the files are written.

use std::path::Path;

use super::template::Need;
use crate::config::image::BuilderChoice;
use crate::engine::detect;

/// The needs whose program is not on `PATH` (looked up from `cwd`).
pub fn missing(needs: &[Need], cwd: &Path) -> Vec<Need> {
    let path = std::env::var_os("PATH");
    needs
        .iter()
        .filter(|n| which::which_in(&n.program, path.as_ref(), cwd).is_err())
        .cloned()
        .collect()
}

/// The names of the `[alias]` table (and `alias.NAME = …` keys) of
/// `.cargo/config.toml` or `.cargo/config` under `root`: a cargo
/// subcommand that is one (`cargo xtask`) needs no program of its own.
pub fn cargo_aliases(root: &Path) -> Vec<String> {
    let mut aliases = Vec::new();
    for name in [".cargo/config.toml", ".cargo/config"] {
        let Some(text) = super::facts::read(root, name) else {
            continue;
        };
        let mut in_alias = false;
        for line in text.lines().map(str::trim) {
            if line.starts_with('[') {
                in_alias = line.trim_matches(['[', ']', ' ']) == "alias";
                continue;
            }
            let Some((key, _)) = line.split_once('=') else {
                continue;
            };
            let key = key.trim().trim_matches('"');
            let alias = if in_alias {
                Some(key)
            } else {
                key.strip_prefix("alias.")
            };
            if let Some(alias) = alias.filter(|a| !a.is_empty() && !a.starts_with('#')) {
                aliases.push(alias.trim_matches('"').to_string());
            }
        }
    }
    aliases
}

/// The Rust toolchains of `wanted` (`RUSTUP_TOOLCHAIN` values of the
/// actions: `nightly`, `nightly-2025-01-01`) that rustup does not have
/// installed, each with how to install it; all of them when rustup itself
/// is not on `PATH` (a cargo not run by rustup ignores the variable).
pub fn missing_rust_toolchains(wanted: &[String], cwd: &Path) -> Vec<Need> {
    if wanted.is_empty() {
        return Vec::new();
    }
    let path = std::env::var_os("PATH");
    let installed = which::which_in("rustup", path.as_ref(), cwd)
        .ok()
        .and_then(|rustup| {
            std::process::Command::new(rustup)
                .args(["toolchain", "list"])
                .output()
                .ok()
        })
        .filter(|out| out.status.success());
    let Some(installed) = installed else {
        return wanted
            .iter()
            .map(|name| Need {
                program: format!("Rust {name}"),
                hint: format!(
                    "install rustup (https://rustup.rs), then rustup toolchain install {name}"
                ),
            })
            .collect();
    };
    let listed = String::from_utf8_lossy(&installed.stdout).into_owned();
    let has = |name: &str| {
        listed
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .any(|t| {
                t == name
                    || t.strip_prefix(name)
                        .and_then(|rest| rest.strip_prefix('-'))
                        .is_some_and(|triple| !triple.starts_with(|c: char| c.is_ascii_digit()))
            })
    };
    wanted
        .iter()
        .filter(|name| !has(name))
        .map(|name| Need {
            program: format!("Rust {name}"),
            hint: format!("rustup toolchain install {name}"),
        })
        .collect()
}

/// Whether `gantry run` would find an image builder (docker with a running
/// daemon, podman or buildah), as `builder: auto` decides; `Err` says what
/// was tried and how to install one.
pub fn image_builder(cwd: &Path) -> Result<String, String> {
    let path = std::env::var_os("PATH");
    let env: Vec<(String, String)> = std::env::vars().collect();
    detect::detect(
        &detect::BUILDER,
        BuilderChoice::Auto,
        path.as_deref(),
        cwd,
        &env,
    )
    .map(|chosen| chosen.builder.name().to_string())
}

/// Task runners and tools that commands taken from a repository's own CI
/// files often start with, which no template names.
const RUNNER_HINTS: &[(&str, &str)] = &[
    ("make", "install make, e.g. apt-get install make"),
    (
        "just",
        "install just: https://just.systems/man/en/packages.html",
    ),
    ("task", "install Task: https://taskfile.dev/installation/"),
    (
        "npx",
        "npx comes with Node.js: https://nodejs.org/en/download",
    ),
    ("tox", "pip install tox"),
    ("nox", "pip install nox"),
    (
        "uv",
        "install uv: https://docs.astral.sh/uv/getting-started/installation/",
    ),
    ("pre-commit", "pip install pre-commit"),
    (
        "poetry",
        "install Poetry: https://python-poetry.org/docs/#installation",
    ),
    (
        "shellcheck",
        "install ShellCheck, e.g. apt-get install shellcheck",
    ),
    ("mdbook", "cargo install mdbook"),
];

/// How to install `program`, in the words `gantry init` uses for it (the
/// templates' `#% needs` lines, then the task runners'); also shown when
/// an action fails because the program is missing.
pub fn install_hint(program: &str) -> Option<String> {
    if matches!(program, "npm" | "pnpm" | "yarn") {
        return Some(super::node::install_hint(program).to_string());
    }
    super::ecosystem::Ecosystem::ALL
        .iter()
        .flat_map(|e| e.template().1.lines())
        .find_map(|line| {
            let (needed, hint) = line.trim().strip_prefix("#% needs ")?.split_once(':')?;
            (needed.trim() == program).then(|| hint.trim().to_string())
        })
        .or_else(|| {
            RUNNER_HINTS
                .iter()
                .find(|(p, _)| *p == program)
                .map(|(_, hint)| hint.to_string())
        })
        .or_else(|| cargo_plugin_hint(program))
}

/// How to install the program behind a cargo subcommand (`cargo docs-rs`
/// runs `cargo-docs-rs`): Miri is a rustup component, the others come
/// from crates.io (CI installs them with an install action that is left
/// out).
fn cargo_plugin_hint(program: &str) -> Option<String> {
    let sub = program.strip_prefix("cargo-")?;
    Some(if sub == "miri" {
        "rustup component add miri (on the toolchain the action uses)".into()
    } else {
        format!("cargo install {program}")
    })
}

/// The external program a `cargo` command line runs (`cargo docs-rs` →
/// `cargo-docs-rs`, `cargo +nightly miri test` → `cargo-miri`), if its
/// subcommand is not one of cargo's own.
pub fn cargo_plugin(line: &str) -> Option<String> {
    const BUILT_IN: &[&str] = &[
        "add",
        "b",
        "bench",
        "build",
        "c",
        "check",
        "clean",
        "config",
        "d",
        "doc",
        "fetch",
        "fix",
        "generate-lockfile",
        "help",
        "info",
        "init",
        "install",
        "locate-project",
        "login",
        "logout",
        "metadata",
        "new",
        "owner",
        "package",
        "pkgid",
        "publish",
        "r",
        "remove",
        "report",
        "run",
        "rustc",
        "rustdoc",
        "search",
        "t",
        "test",
        "tree",
        "uninstall",
        "update",
        "vendor",
        "verify-project",
        "version",
        "yank",
    ];
    let mut words = line.split_whitespace();
    if words.next() != Some("cargo") {
        return None;
    }
    // Cargo's own flags that take a value as the next word: `cargo
    // --color always test` runs `test`, not `always`.
    const TAKES_VALUE: &[&str] = &[
        "--color",
        "-Z",
        "--config",
        "-C",
        "--target-dir",
        "--manifest-path",
        "--explain",
    ];
    // `+nightly` picks the toolchain.
    let sub = super::words::first_operand(&mut words, TAKES_VALUE, |w| w.starts_with(['+', '-']))?;
    let named = sub.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    (named && !BUILT_IN.contains(&sub)).then(|| format!("cargo-{sub}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_subcommands_name_their_program_and_its_install() {
        assert_eq!(
            cargo_plugin("cargo docs-rs").as_deref(),
            Some("cargo-docs-rs")
        );
        assert_eq!(
            cargo_plugin("cargo +nightly miri test").as_deref(),
            Some("cargo-miri")
        );
        assert_eq!(
            cargo_plugin("cargo clippy --all-targets").as_deref(),
            Some("cargo-clippy")
        );
        assert_eq!(cargo_plugin("cargo test --workspace"), None);
        assert_eq!(cargo_plugin("cargo --version"), None);
        assert_eq!(cargo_plugin("cargo --color always test"), None);
        assert_eq!(cargo_plugin("cargo -Z unstable-options test"), None);
        assert_eq!(
            cargo_plugin("cargo +nightly --config x=1 -C sub docs-rs").as_deref(),
            Some("cargo-docs-rs")
        );
        assert_eq!(
            install_hint("cargo-outdated").as_deref(),
            Some("cargo install cargo-outdated")
        );
        assert_eq!(
            install_hint("cargo-clippy").as_deref(),
            Some("rustup component add clippy")
        );
    }

    #[test]
    fn reports_only_programs_not_on_path() {
        let need = |program: &str| Need {
            program: program.into(),
            hint: format!("get {program}"),
        };
        let needs = [need("sh"), need("gantry-no-such-program")];
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(missing(&needs, &cwd), vec![need("gantry-no-such-program")]);
    }

    #[test]
    fn hints_come_from_templates_node_and_task_runners() {
        assert_eq!(
            install_hint("cargo").as_deref(),
            Some("install Rust with rustup: https://rustup.rs")
        );
        assert!(install_hint("pnpm").unwrap().contains("corepack"));
        assert_eq!(install_hint("tox").as_deref(), Some("pip install tox"));
        assert_eq!(install_hint("gantry-no-such-program"), None);
    }
}
