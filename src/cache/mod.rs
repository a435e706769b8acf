//! The action cache: an action with `inputs:` is skipped, reported
//! `cached`, when its definition and the content of its inputs match its
//! last successful run and its `outputs:` exist. Every decision says why.

mod files;
pub mod store;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use files::FileIndex;
use store::Entry;

use crate::plan::PlannedAction;

/// What the cache decided for an action.
#[derive(Debug)]
pub enum Decision {
    /// Skip it: nothing changed since `since_run`.
    Skip {
        /// The run whose result still holds.
        since_run: String,
        /// The outputs the action had in that run.
        outputs: BTreeMap<String, String>,
    },
    /// Run it, because of `reason`; record `pending` if it passes.
    Run {
        /// Why it must run, for people.
        reason: String,
        /// What to store after a successful run.
        pending: Pending,
    },
}

/// The fingerprint taken before an action ran, stored if it passes.
#[derive(Debug)]
pub struct Pending {
    entry: Entry,
    files: BTreeMap<String, String>,
}

impl Decision {
    /// `inputs unchanged since run 41` or `src/main.rs changed`, for reporters.
    pub fn describe(&self) -> String {
        match self {
            Decision::Skip { since_run, .. } => skip_reason(since_run),
            Decision::Run { reason, .. } => reason.clone(),
        }
    }
}

/// Why a cached action was skipped: `inputs unchanged since run 41`.
pub fn skip_reason(since_run: &str) -> String {
    format!("inputs unchanged since run {since_run}")
}

/// The cache for one run.
pub struct Cache {
    files: FileIndex,
    state_root: PathBuf,
    enabled: bool,
    run_id: String,
}

impl Cache {
    /// A cache reading files through `files` and storing entries under
    /// `state_root`; with `enabled` false (`--no-cache`) nothing is skipped.
    pub fn new(files: FileIndex, state_root: &Path, enabled: bool, run_id: &str) -> Cache {
        Cache {
            files,
            state_root: state_root.to_path_buf(),
            enabled,
            run_id: run_id.to_string(),
        }
    }

    /// The decision for `action`; `None` when it declares no `inputs:`.
    pub fn decide(&self, action: &PlannedAction, root: &Path) -> Option<Decision> {
        if action.inputs.is_empty() {
            return None;
        }
        let matched = self.files.matching(&action.inputs);
        let ids = self.files.content_ids(&matched);
        let entry = Entry {
            format: store::FORMAT,
            definition: definition(action, root),
            digest: digest(&matched, &ids),
            run_id: self.run_id.clone(),
            outputs: BTreeMap::new(),
        };
        let pending = || Pending {
            entry: entry.clone(),
            files: matched
                .iter()
                .zip(&ids)
                .filter_map(|(f, id)| Some((f.clone(), id.clone()?)))
                .collect(),
        };
        let run = |reason: String| {
            Some(Decision::Run {
                reason,
                pending: pending(),
            })
        };
        if !self.enabled {
            return run("--no-cache".into());
        }
        let Some(previous) = store::load(&self.state_root, &action.stage, &action.name) else {
            return run("no earlier successful run".into());
        };
        if previous.definition != entry.definition {
            return run("its command or environment changed".into());
        }
        if previous.digest != entry.digest {
            let old = store::load_files(&self.state_root, &action.stage, &action.name);
            let pending = pending();
            let change = describe_changes(&old, &pending.files);
            let reason = change.unwrap_or_else(|| "its inputs changed".into());
            return Some(Decision::Run { reason, pending });
        }
        if let Some(missing) = self.missing_output(action, root) {
            return run(format!("output `{missing}` is missing"));
        }
        Some(Decision::Skip {
            since_run: previous.run_id,
            outputs: previous.outputs,
        })
    }

    /// An action ran: files may have changed, so lookups start afresh.
    pub fn action_ran(&self) {
        self.files.forget();
    }

    /// Stores the fingerprint taken before the action ran, with the
    /// outputs it produced, after it passed.
    pub fn record(
        &self,
        action: &PlannedAction,
        pending: &Pending,
        outputs: &BTreeMap<String, String>,
    ) {
        let entry = Entry {
            outputs: outputs.clone(),
            ..pending.entry.clone()
        };
        let _ = store::save(
            &self.state_root,
            &action.stage,
            &action.name,
            &entry,
            &pending.files,
        );
    }

    fn missing_output<'a>(&self, action: &'a PlannedAction, root: &Path) -> Option<&'a str> {
        action.outputs.iter().map(String::as_str).find(|pattern| {
            let literal = !pattern.contains(['*', '?', '[', '{']);
            if literal {
                !root.join(pattern).exists()
            } else {
                self.files.matching(&[pattern.to_string()]).is_empty()
            }
        })
    }
}

/// Hash of every (path, content id) pair, in path order.
fn digest(files: &[String], ids: &[Option<String>]) -> String {
    let mut hasher = blake3::Hasher::new();
    for (file, id) in files.iter().zip(ids) {
        if let Some(id) = id {
            hasher.update(file.as_bytes());
            hasher.update(b"\0");
            hasher.update(id.as_bytes());
            hasher.update(b"\n");
        }
    }
    hasher.finalize().to_hex().to_string()
}

/// Hash of what the action does: its work, directory, configured
/// environment (not the per-run `GANTRY_*` values) and gantry's version.
fn definition(action: &PlannedAction, root: &Path) -> String {
    let mut hasher = blake3::Hasher::new();
    let mut field = |text: &str| {
        hasher.update(&(text.len() as u64).to_le_bytes());
        hasher.update(text.as_bytes());
    };
    field(env!("CARGO_PKG_VERSION"));
    field(&format!("{:?}", action.work));
    field(
        &action
            .cwd
            .strip_prefix(root)
            .unwrap_or(&action.cwd)
            .to_string_lossy(),
    );
    let env: BTreeMap<&str, &str> = action
        .env
        .iter()
        .filter(|(k, _)| !k.starts_with("GANTRY_"))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    for (k, v) in env {
        field(k);
        field(v);
    }
    for pattern in action.inputs.iter().chain(&action.outputs) {
        field(pattern);
    }
    hasher.finalize().to_hex().to_string()
}

/// `src/a.rs changed`, `src/b.rs added (and 2 more)`… or `None` if equal.
fn describe_changes(
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> Option<String> {
    let mut changes = Vec::new();
    for (path, id) in new {
        match old.get(path) {
            None => changes.push(format!("{path} added")),
            Some(previous) if previous != id => changes.push(format!("{path} changed")),
            Some(_) => {}
        }
    }
    changes.extend(
        old.keys()
            .filter(|p| !new.contains_key(*p))
            .map(|p| format!("{p} removed")),
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
}
