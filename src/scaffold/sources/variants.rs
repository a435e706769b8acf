//! CI jobs that run another job's commands in a variant environment: the
//! same commands with other packages installed, such as requests' `urllib3
//! 1.x` job, which is its main test job plus `pip install "urllib3<2"`.
//! Every action of a gantry pipeline shares one environment (a Python
//! project's `.gantry/venv`, a Node project's `node_modules`), so taking
//! such a job's install would change what every other action tests, and
//! which version wins would depend on the order. A variant job runs
//! nothing the other job does not, so leaving it out loses no command.

use std::collections::{BTreeMap, BTreeSet};

use super::{command, dependent};

/// What a job runs: its commands, split into installs and the rest (what
/// only prints is left aside), each line with its spacing and spelling of
/// `pip` made uniform.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    runs: BTreeSet<String>,
    /// Each install, uniform → as written.
    installs: BTreeMap<String, String>,
}

impl Profile {
    /// The profile of a job whose `run:` steps are `scripts`.
    pub fn of<'a>(scripts: impl IntoIterator<Item = &'a str>) -> Profile {
        let mut profile = Profile::default();
        for script in scripts {
            for line in script.replace("\\\n", " ").lines() {
                if dependent::only_prints(line) {
                    continue;
                }
                for command in line.split(" && ") {
                    let written = command.trim();
                    if written.is_empty() || written.starts_with('#') {
                        continue;
                    }
                    let uniform = uniform(written);
                    if command::phase(&uniform, "") == "deps" {
                        profile.installs.insert(uniform, written.to_string());
                    } else {
                        profile.runs.insert(uniform);
                    }
                }
            }
        }
        profile
    }

    /// Whether this job runs every command (not install) of `other`.
    pub fn runs_all_of(&self, other: &Profile) -> bool {
        other.runs.is_subset(&self.runs)
    }
}

/// `command` with runs of spaces made one and `python -m pip` written `pip`.
fn uniform(command: &str) -> String {
    let words: Vec<&str> = command.split_whitespace().collect();
    let mut text = words.join(" ");
    for pip in ["python3 -m pip ", "python -m pip ", "pip3 "] {
        text = text.replace(pip, "pip ");
    }
    text
}

/// The installs (as written) by which job `variant` is a variant of job
/// `main`, if it is one: it runs only commands `main` runs too, and
/// installs more than `main` — everything `main` installs and more, or a
/// version constraint of a package (`"urllib3<2"`, `react@17`, `-c
/// constraints.txt`) where `main` constrains nothing it does not.
pub fn extra_installs(variant: &Profile, main: &Profile) -> Option<Vec<String>> {
    if variant.runs.is_empty() || !main.runs_all_of(variant) {
        return None;
    }
    let extra: Vec<&String> = variant
        .installs
        .keys()
        .filter(|k| !main.installs.contains_key(*k))
        .collect();
    if extra.is_empty() {
        return None;
    }
    let missing: Vec<&String> = main
        .installs
        .keys()
        .filter(|k| !variant.installs.contains_key(*k))
        .collect();
    let superset = missing.is_empty();
    let constrains =
        extra.iter().any(|k| constrained(k)) && !missing.iter().any(|k| constrained(k));
    (superset || constrains).then(|| extra.iter().map(|k| variant.installs[*k].clone()).collect())
}

/// Whether an install asks for particular versions: a requirement with a
/// version operator (`urllib3<2`, `django==4.2`), a package at a version
/// (`react@17`, `@types/node@18`), or a constraints file (`-c`).
fn constrained(install: &str) -> bool {
    install
        .split_whitespace()
        .any(|word| matches!(word, "-c" | "--constraint") || word.starts_with("--constraint="))
        || !pinned(install).is_empty()
}

/// The packages an install asks for at particular versions: `urllib3`
/// of `pip install "urllib3<2"`, `react` of `npm install react@17`. A
/// floor alone (`"pytest>=8"`, `>`) asks for no other version than a
/// plain install gives, and pins nothing.
fn pinned(install: &str) -> Vec<String> {
    install
        .split_whitespace()
        .map(|word| word.trim_matches(['"', '\'']))
        .filter(|word| !word.starts_with('-'))
        .filter_map(|word| {
            let at = word
                .char_indices()
                .skip(1)
                .find(|(i, c)| *c == '@' && i + 1 < word.len())
                .map(|(i, _)| i);
            let pins = ["==", "<", "~=", "!="].iter().any(|op| word.contains(op));
            let op = word.find(['=', '<', '>', '~', '!']).filter(|_| pins);
            let end = at.or(op)?;
            let name = word[..end].split('[').next().unwrap_or_default();
            (!name.is_empty()).then(|| name.to_string())
        })
        .collect()
}

/// The installs of `variant` (as written) that ask for another version of
/// a package the project itself depends on (`declared`) and that `main`,
/// a job that runs tests, does not ask for: `variant` tests an alternative
/// version, `main` what a plain install gives.
pub fn alternative_versions(
    variant: &Profile,
    main: &Profile,
    declared: impl Fn(&str) -> bool,
) -> Option<Vec<String>> {
    let alternatives: Vec<String> = variant
        .installs
        .iter()
        .filter(|(uniform, _)| !main.installs.contains_key(*uniform))
        .filter(|(uniform, _)| pinned(uniform).iter().any(|p| declared(p)))
        .map(|(_, written)| written.clone())
        .collect();
    (!alternatives.is_empty()).then_some(alternatives)
}

/// Whether the dependency lists in `dir` (pyproject.toml, setup.py,
/// setup.cfg, requirements files, package.json) name `package`, as a
/// quoted string or at the start of a line.
#[cfg(test)]
fn declared_in(dir: &std::path::Path, package: &str) -> bool {
    lists_name(&dependency_lists(dir), package)
}

/// The dependency lists in `dir`, lowercased with `_` as `-`, for
/// [`lists_name`]: read once per folder.
pub fn dependency_lists(dir: &std::path::Path) -> Vec<String> {
    let files = [
        "pyproject.toml",
        "setup.py",
        "setup.cfg",
        "requirements.txt",
        "requirements-dev.txt",
        "requirements-test.txt",
        "package.json",
    ];
    files
        .iter()
        .filter_map(|file| crate::scaffold::facts::read(dir, file))
        .map(|text| text.to_ascii_lowercase().replace('_', "-"))
        .collect()
}

/// Whether `lists` ([`dependency_lists`]) name `package`, as a quoted
/// string or at the start of a line.
pub fn lists_name(lists: &[String], package: &str) -> bool {
    let package = package.to_ascii_lowercase().replace('_', "-");
    lists.iter().any(|text| {
        crate::scaffold::words::has_bounded(text, &package, |before, after| {
            let starts = matches!(before, None | Some('"' | '\'' | '\n' | ' '));
            starts && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_that_adds_installs_to_another_jobs_commands_is_a_variant() {
        let main = Profile::of(["make", "make ci"]);
        let urllib3 = Profile::of(["make\npython  -m pip install \"urllib3<2\"", "make ci"]);
        assert_eq!(
            extra_installs(&urllib3, &main),
            Some(vec!["python  -m pip install \"urllib3<2\"".to_string()])
        );
        assert_eq!(extra_installs(&main, &urllib3), None);
        // Another check with its own tools is no variant.
        let lint =
            Profile::of(["python -m pip install pre-commit==4.6.0\npre-commit run --all-files"]);
        assert_eq!(extra_installs(&lint, &main), None);
        // An extra print or version line does not hide a variant.
        let printed = Profile::of([
            "pip install -e .[tests]\npip install 'django<4'",
            "echo \"Django $(python -m django --version)\"\npytest",
        ]);
        let tests = Profile::of(["pip install -e .[tests] && pytest"]);
        assert!(extra_installs(&printed, &tests).is_some());
        // Installs that differ without a version constraint: no telling
        // which is the main one.
        let min = Profile::of(["pip install -r requirements-min.txt", "pytest"]);
        assert_eq!(extra_installs(&min, &tests), None);
        let constrained_min = Profile::of(["pip install -c constraints-min.txt -e .", "pytest"]);
        assert!(extra_installs(&constrained_min, &tests).is_some());
        // Identical jobs (a copy in another workflow) are no variants.
        assert_eq!(extra_installs(&tests, &tests), None);
    }

    #[test]
    fn version_constraints_are_recognised() {
        assert!(constrained("pip install \"urllib3<2\""));
        assert!(constrained("npm install --no-save react@17"));
        assert!(constrained("npm i @types/node@18"));
        assert!(!constrained("npm i @types/node"));
        assert!(!constrained("pip install -e .[tests]"));
        assert!(!constrained("pip install --upgrade pip"));
        assert_eq!(
            pinned("pip install 'Django[bcrypt]>=4,<5' pytest"),
            ["Django"]
        );
        assert_eq!(pinned("npm i -D @types/node@18 react"), ["@types/node"]);
        // A floor is no pin; an upper bound, a compatible release or an
        // exclusion is.
        assert!(!constrained("pip install -e . \"pytest>=8\""));
        assert!(pinned("pip install 'pytest>8'").is_empty());
        assert_eq!(
            pinned("pip install 'a<=2' b~=1.4 c!=3 d===1"),
            ["a", "b", "c", "d"]
        );
    }

    #[test]
    fn an_alternative_version_of_a_declared_package_is_a_variant() {
        let main = Profile::of(["pip install -e .[tests]", "pytest"]);
        let old = Profile::of([
            "pip install -e .[tests]",
            "pip install \"urllib3<2\"",
            "pytest -m 'not h2'",
        ]);
        let declared = |p: &str| p == "urllib3";
        assert_eq!(
            alternative_versions(&old, &main, declared),
            Some(vec!["pip install \"urllib3<2\"".to_string()])
        );
        let tool = Profile::of(["pip install pre-commit==4.6.0", "pre-commit run"]);
        assert_eq!(alternative_versions(&tool, &main, declared), None);
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(
            tmp.path().join("pyproject.toml"),
            "[project]\ndependencies = [\n    \"urllib3>=1.26,<3\",\n    \"charset_normalizer\",\n]\n",
        )
        .unwrap();
        assert!(declared_in(tmp.path(), "urllib3"));
        assert!(declared_in(tmp.path(), "charset-normalizer"));
        assert!(!declared_in(tmp.path(), "urllib"));
        assert!(!declared_in(tmp.path(), "pre-commit"));
    }
}
