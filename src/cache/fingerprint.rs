//! What an action's cache entry is keyed on, in parts that can each be
//! compared to say why it re-runs: its work after expansion, its
//! environment (values by hash only), the programs it runs, and its inputs.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::tools::Tool;
use crate::plan::{PlannedAction, Work};

/// The compared parts of a fingerprint.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parts {
    /// Hash of the work, directory, patterns and cache format.
    pub work: String,
    /// Variable name → hash of its value.
    pub env: BTreeMap<String, String>,
    /// Program name → where it was found and its identity.
    pub tools: BTreeMap<String, Tool>,
    /// Hash of every input file's path and content id.
    pub inputs: String,
}

impl Parts {
    /// The fingerprint: one hash over every part.
    pub fn fingerprint(&self) -> String {
        let mut f = Fields::default();
        f.add(&self.work);
        for (k, v) in &self.env {
            f.add(k);
            f.add(v);
        }
        for (k, t) in &self.tools {
            f.add(k);
            f.add(&t.path);
            f.add(&t.identity);
        }
        f.add(&self.inputs);
        f.finish()
    }
}

/// Length-prefixed fields into one blake3 hash, so that no two field lists
/// hash alike by shifting text from one field to the next.
#[derive(Default)]
pub struct Fields(blake3::Hasher);

impl Fields {
    /// Adds one field.
    pub fn add(&mut self, text: &str) -> &mut Fields {
        self.0.update(&(text.len() as u64).to_le_bytes());
        self.0.update(text.as_bytes());
        self
    }

    /// The hex digest.
    pub fn finish(&self) -> String {
        self.0.finalize().to_hex().to_string()
    }
}

/// Hash of what `action` does: `format` (the cache format), gantry's
/// version, its work, directory, shell patterns.
pub fn work_part(action: &PlannedAction, root: &Path, format: u32) -> String {
    let mut f = Fields::default();
    f.add(&format.to_string()).add(env!("CARGO_PKG_VERSION"));
    f.add(&action.work.fingerprint(root));
    f.add(&relative(&action.cwd, root));
    if let Some(container) = &action.container {
        f.add("container")
            .add(&crate::container::identity(container));
    }
    for pattern in &action.inputs {
        f.add("in").add(pattern);
    }
    for pattern in &action.outputs {
        f.add("out").add(pattern);
    }
    f.finish()
}

/// Variables that differ from run to run without changing what an action
/// does: the run's id, and whether the work tree has uncommitted changes
/// (the inputs already say which, and an action's own untracked outputs
/// flip it), where its outputs file is, and how the run is going so far
/// (set as the action starts; listed so the fingerprint never depends on
/// them however the cache is asked); and where the gantry executable is
/// (`cargo run` or an installed one: its version is in the work part).
const PER_RUN: &[&str] = &[
    "GANTRY_RUN_ID",
    "GANTRY_GIT_DIRTY",
    crate::plan::OUTPUT_FILE,
    crate::plan::PIPELINE_STATUS,
    crate::plan::FAILED_ACTIONS,
    crate::plan::GANTRY_EXE,
];

/// Every variable the action gets from gantry except the [`PER_RUN`] ones,
/// each value as a short hash (secrets are never stored).
pub fn env_part(action: &PlannedAction) -> BTreeMap<String, String> {
    action
        .env
        .iter()
        .filter(|(k, _)| !PER_RUN.contains(&k.as_str()))
        .map(|(k, v)| {
            let hash = Fields::default().add(k).add(v).finish();
            (k.clone(), hash[..16].to_string())
        })
        .collect()
}

fn relative(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

impl Work {
    /// The work as the cache compares it: every setting that changes what
    /// it does, spelled out field by field; for `image:` without the
    /// `created` label (a time) and the builder's "why chosen" text, for
    /// `deploy:` with paths relative to `root`.
    pub fn fingerprint(&self, root: &Path) -> String {
        let mut f = Fields::default();
        match self {
            Work::Shell { program, args } => {
                f.add("shell").add(program);
                for a in args {
                    f.add(a);
                }
            }
            Work::Image(job) => {
                let build = &job.build;
                f.add("image");
                match &job.engine {
                    Ok(engine) => f.add(&format!("{:?}", engine.kind)),
                    Err(_) => f.add("no builder"),
                };
                f.add(&build.context).add(&build.file);
                build.tags.iter().for_each(|t| {
                    f.add("tag").add(t);
                });
                for (k, v) in &build.build_args {
                    f.add("arg").add(k).add(v);
                }
                for (k, v) in build
                    .labels
                    .iter()
                    .filter(|(k, _)| k != crate::image::job::LABEL_CREATED)
                {
                    f.add("label").add(k).add(v);
                }
                let (storage_driver, isolation) = match &job.engine {
                    Ok(engine) => (&engine.storage_driver, &engine.isolation),
                    Err(_) => (&None, &None),
                };
                for option in [
                    &build.target,
                    &build.platform,
                    &job.output,
                    storage_driver,
                    isolation,
                ] {
                    f.add(option.as_deref().unwrap_or("\0"));
                }
            }
            Work::Approval { message } => {
                f.add("approval").add(message);
            }
            Work::Custom { uses, inputs } => {
                f.add("uses").add(uses);
                for (k, v) in inputs {
                    f.add(k).add(v);
                }
            }
            Work::Deploy(job) => {
                f.add("deploy").add(&job.application).add(&job.group);
                for instance in &job.instances {
                    f.add(&instance.name).add(&relative(&instance.root, root));
                }
                f.add(&format!("{:?}", job.config));
                f.add(&relative(&job.revision, root));
                f.add(
                    &job.appspec
                        .as_deref()
                        .map_or("\0".into(), |a| relative(a, root)),
                );
                f.add(&format!("{} {:?}", job.rollback_on_failure, job.mode));
                if job.ignore_application_stop_failures {
                    f.add("ignore-application-stop-failures");
                }
            }
        }
        f.finish()
    }
}

/// Why an action with `new` parts must run when the last entry had `old`:
/// the first difference, in people's words.
pub fn explain(
    old: &Parts,
    new: &Parts,
    old_inputs: &BTreeMap<String, String>,
    new_inputs: &BTreeMap<String, String>,
) -> String {
    if old.work != new.work {
        return "its command or settings changed".into();
    }
    let gantry = |k: &&String| k.starts_with("GANTRY_");
    describe_changes(old_inputs, new_inputs)
        .or_else(|| tool_change(&old.tools, &new.tools))
        .or_else(|| env_change(&old.env, &new.env, &|k| !gantry(k)))
        .or_else(|| env_change(&old.env, &new.env, &gantry))
        .unwrap_or_else(|| "its inputs changed".into())
}

fn tool_change(old: &BTreeMap<String, Tool>, new: &BTreeMap<String, Tool>) -> Option<String> {
    for (name, tool) in new {
        match old.get(name) {
            Some(before) if before == tool => {}
            _ if tool.path.is_empty() => return Some(format!("{name} is no longer found")),
            _ => return Some(format!("{name} changed ({})", tool.path)),
        }
    }
    old.keys()
        .find(|n| !new.contains_key(*n))
        .map(|name| format!("{name} is no longer used"))
}

/// The first difference between the variables `which` selects.
fn env_change(
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
    which: &dyn Fn(&&String) -> bool,
) -> Option<String> {
    for (name, value) in new.iter().filter(|(k, _)| which(k)) {
        match old.get(name) {
            None => return Some(format!("env {name} is new")),
            Some(before) if before != value => return Some(format!("env {name} changed")),
            Some(_) => {}
        }
    }
    old.keys()
        .filter(which)
        .find(|k| !new.contains_key(*k))
        .map(|k| format!("env {k} was removed"))
}

/// `src/a.rs changed`, `examples/bad.rs is new (and 2 more)`… or `None` if equal.
pub fn describe_changes(
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> Option<String> {
    let mut changes = Vec::new();
    for (path, id) in new {
        match old.get(path) {
            None => changes.push(format!("{path} is new")),
            Some(previous) if previous != id => changes.push(format!("{path} changed")),
            Some(_) => {}
        }
    }
    changes.extend(
        old.keys()
            .filter(|p| !new.contains_key(*p))
            .map(|p| format!("{p} was deleted")),
    );
    let first = changes.first()?.clone();
    Some(match changes.len() {
        1 => first,
        n => format!("{first} (and {} more)", n - 1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn describes_the_first_change_and_counts_the_rest() {
        let old = map(&[("a", "1"), ("b", "2"), ("gone", "3")]);
        let new = map(&[("a", "1"), ("b", "9"), ("c", "4")]);
        assert_eq!(
            describe_changes(&old, &new).unwrap(),
            "b changed (and 2 more)"
        );
        assert_eq!(describe_changes(&old, &old), None);
    }

    #[test]
    fn a_changed_variable_is_named_but_its_value_is_not_kept() {
        let old = map(&[("TOKEN", "aaaa")]);
        let new = map(&[("TOKEN", "bbbb")]);
        assert_eq!(
            env_change(&old, &new, &|_| true).unwrap(),
            "env TOKEN changed"
        );
    }
}
