//! Writing [`Derived`] actions as `gantry.yml` text: each with a comment
//! naming where it came from (and whether it rewrites files), `run:` for
//! one line and `script:` for several. Actions in a Python project's
//! directory run inside its `.gantry/venv`.

use super::{command, Derived};
use crate::scaffold::template::Need;

/// The venv every Python action of gantry init uses.
const ACTIVATE: &str = ". .gantry/venv/bin/activate";

/// The first install into that venv brings its pip up to date.
const UPGRADE_PIP: &str = "python -m pip install --quiet --upgrade pip";

/// The rendered actions of one phase, and the programs they need.
pub struct Rendered {
    /// The YAML text of the actions, indented for a stage's `actions:`.
    pub text: String,
    /// The programs they start with, when gantry knows how to install them.
    pub needs: Vec<Need>,
    /// Each action's name, with where it came from.
    pub actions: Vec<(String, String)>,
}

/// The actions of `phase` among `derived`; `python_dirs` are the
/// directories of Python projects, whose commands run in their venv.
/// `deps_files` gives a directory's project prefix (`web/`) and dependency
/// lists (package.json and its lockfile…, relative to the root): an
/// install that reads only those and writes into the project is cached on
/// them, as gantry's own are. A cargo subcommand among `cargo_aliases`
/// (the repository's `.cargo/config.toml` `[alias]`es: `cargo xtask`)
/// needs no program of its own.
pub fn phase(
    derived: &[Derived],
    phase: &str,
    python_dirs: &[String],
    cargo_aliases: &[String],
    deps_files: &dyn Fn(&str) -> (String, Vec<String>),
) -> Rendered {
    let mut out = Rendered {
        text: String::new(),
        needs: Vec::new(),
        actions: Vec::new(),
    };
    let mut names: Vec<String> = Vec::new();
    let mut venv_made: Vec<&str> = Vec::new();
    for action in derived.iter().filter(|a| a.phase == phase) {
        let mut name = action.name.clone();
        let mut n = 2;
        while names.contains(&name) {
            name = format!("{}-{n}", action.name);
            n += 1;
        }
        names.push(name.clone());
        out.actions.push((name.clone(), action.origin.clone()));
        let mut lines = action.lines.clone();
        let in_venv = python_dirs.contains(&action.dir);
        if in_venv {
            lines.insert(0, ACTIVATE.into());
            if phase == "deps" && !venv_made.contains(&action.dir.as_str()) {
                // CI's setup-python comes with a recent pip; a new venv has
                // the one bundled with your Python, which may not know
                // CI's options (`pip install --group`, pip 25.1).
                // The runners CI's commands start here (`uv sync`, `tox
                // run`) come with a setup action that is left out; they
                // are counted as the venv's, so they go into it.
                let runners = venv_runners(derived, &action.dir);
                let mut setup = Vec::new();
                if !runners.is_empty() || action.lines.iter().any(|l| l.contains("pip install")) {
                    setup.push(UPGRADE_PIP.to_string());
                }
                if !runners.is_empty() {
                    setup.push(format!(
                        "python -m pip install --quiet {}",
                        runners.join(" ")
                    ));
                }
                lines.splice(1..1, setup);
                lines.insert(0, "python3 -m venv .gantry/venv".into());
                venv_made.push(&action.dir);
            }
        }
        out.text
            .push_str(&format!("      # From {}.\n", action.origin));
        if let Some(what) = &action.rewrites {
            out.text.push_str(&format!(
                "      # Note: this command rewrites files ({what}); it is kept as the repository runs it.\n"
            ));
        }
        for note in &action.notes {
            out.text.push_str(&format!("      # Note: {note}.\n"));
        }
        out.text.push_str(&format!("      - name: {name}\n"));
        if !action.dir.is_empty() {
            out.text.push_str(&format!(
                "        working_directory: {}\n",
                scalar(&action.dir)
            ));
        }
        if let Some(shell) = &action.shell {
            out.text.push_str(&format!("        shell: {shell}\n"));
        }
        if !action.env.is_empty() {
            out.text.push_str("        env:\n");
            for (name, value) in &action.env {
                out.text
                    .push_str(&format!("          {}: {}\n", scalar(name), scalar(value)));
            }
        }
        if let [line] = lines.as_slice() {
            out.text
                .push_str(&format!("        run: {}\n", scalar(line)));
        } else {
            out.text.push_str("        script:\n");
            for line in &lines {
                out.text
                    .push_str(&format!("          - {}\n", scalar(line)));
            }
        }
        let into = super::installs::installs_into(action, in_venv);
        let (prefix, inputs) = deps_files(&action.dir);
        if let (Some(into), false) = (into.filter(|_| phase == "deps"), inputs.is_empty()) {
            out.text
                .push_str(&format!("        inputs: {}\n", flow_list(&inputs)));
            out.text.push_str(&format!(
                "        outputs: {}\n",
                flow_list(&[format!("{prefix}{into}")])
            ));
        }
        for line in &lines {
            if !(in_venv && crate::scaffold::python::venv_runner(line).is_some()) {
                add_need(&mut out.needs, line.split_whitespace().next().unwrap_or(""));
            }
            // `cargo docs-rs` needs cargo-docs-rs, which CI installs with
            // an install action that is left out.
            let plugin = crate::scaffold::tools::cargo_plugin(line).filter(|plugin| {
                let sub = plugin.strip_prefix("cargo-").unwrap_or_default();
                !cargo_aliases.iter().any(|alias| alias == sub)
            });
            if let Some(plugin) = plugin {
                add_need(&mut out.needs, &plugin);
            }
        }
    }
    out
}

/// The venv runners (`uv`, `tox`, …) that the actions in `dir` start.
fn venv_runners<'a>(derived: &[Derived], dir: &str) -> Vec<&'a str> {
    let mut runners = Vec::new();
    for action in derived.iter().filter(|a| a.dir == dir) {
        for runner in action
            .lines
            .iter()
            .filter_map(|l| crate::scaffold::python::venv_runner(l))
        {
            if !runners.contains(&runner) {
                runners.push(runner);
            }
        }
    }
    runners
}

fn add_need(needs: &mut Vec<Need>, program: &str) {
    if needs.iter().any(|n| n.program == program) {
        return;
    }
    if let Some(hint) = crate::scaffold::tools::install_hint(program) {
        needs.push(Need {
            program: program.to_string(),
            hint,
        });
    }
}

/// A YAML flow list of double-quoted strings: `["a", "b"]`.
pub fn flow_list(items: &[String]) -> String {
    let quoted: Vec<String> = items
        .iter()
        .map(|i| serde_json::Value::String(i.clone()).to_string())
        .collect();
    format!("[{}]", quoted.join(", "))
}

/// `text` as a YAML scalar: plain when that reads back the same, else
/// double-quoted (JSON strings are YAML).
pub fn scalar(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " ./_-=+,()".contains(c))
        && !text.starts_with([' ', '-', '.', '('])
        && !text.ends_with(' ');
    if plain && !command::is_yaml_keyword(text) {
        text.to_string()
    } else {
        serde_json::Value::String(text.to_string()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn derived(phase: &'static str, name: &str, lines: &[&str], dir: &str) -> Derived {
        Derived {
            phase,
            name: name.into(),
            lines: lines.iter().map(|l| l.to_string()).collect(),
            dir: dir.into(),
            origin: "Makefile, target `test`".into(),
            rewrites: None,
            env: Vec::new(),
            shell: None,
            runs_tests: phase == "test",
            notes: Vec::new(),
        }
    }

    #[test]
    fn actions_say_where_they_came_from_and_python_ones_use_the_venv() {
        let all = [
            derived("test", "test", &["make test"], ""),
            derived("test", "test", &["pytest -q", "echo 'a: b'"], "py"),
            derived("deps", "install", &["pip install -e ."], "py"),
        ];
        let test = phase(&all, "test", &["py".into()], &[], &|_| Default::default());
        assert_eq!(
            test.text,
            "      # From Makefile, target `test`.\n      - name: test\n        run: make test\n      # From Makefile, target `test`.\n      - name: test-2\n        working_directory: py\n        script:\n          - \". .gantry/venv/bin/activate\"\n          - pytest -q\n          - \"echo 'a: b'\"\n"
        );
        assert_eq!(test.needs[0].program, "make");
        let origin = "Makefile, target `test`".to_string();
        assert_eq!(
            test.actions,
            [("test".into(), origin.clone()), ("test-2".into(), origin)]
        );
        let deps = phase(&all, "deps", &["py".into()], &[], &|_| Default::default());
        assert!(deps.text.contains("- python3 -m venv .gantry/venv\n          - \". .gantry/venv/bin/activate\"\n          - python -m pip install --quiet --upgrade pip\n          - pip install -e ."), "{}", deps.text);
    }
}
