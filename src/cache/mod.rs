//! The action cache. An action is skipped, reported `cached`, only when
//! running it again would do the same: its fingerprint (work, environment,
//! the programs it runs, the content of its inputs) matches a successful
//! run's, and its outputs on disk are that run's — or could be restored
//! from the cache's store. Every decision says why.

mod files;
mod fingerprint;
pub mod inputs;
pub(crate) mod outputs;
mod stat;
pub mod store;
mod table;
mod tools;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use files::FileIndex;
pub use fingerprint::Parts;
pub use outputs::Damage;
use outputs::Objects;
pub use stat::FileStat;
use store::Entry;

use crate::plan::PlannedAction;

/// What the cache decided for an action.
#[derive(Debug)]
pub enum Decision {
    /// Skip it: nothing changed since `since_run`.
    Skip {
        /// The run whose result still holds.
        since_run: String,
        /// The named outputs the action had in that run.
        outputs: BTreeMap<String, String>,
    },
    /// Skip it once its changed or deleted output files are put back.
    Restore {
        /// The entry whose outputs are restored.
        entry: Box<Entry>,
        /// What is wrong with them now.
        damage: Vec<Damage>,
        /// What to record if restoring fails and it runs.
        pending: Pending,
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
    parts: Parts,
    fingerprint: String,
    inputs: std::sync::Arc<files::InputSet>,
    dir: PathBuf,
    /// The newest entry's output files, when the decision already read it:
    /// recording reuses their digests without reading the entry again.
    previous: Option<BTreeMap<String, outputs::OutputFile>>,
}

impl Decision {
    /// `nothing changed since run 4`, `examples/bad.rs is new`…, for reporters.
    pub fn describe(&self) -> String {
        match self {
            Decision::Skip { since_run, .. } => skip_reason(since_run),
            Decision::Restore { entry, damage, .. } => restore_reason(entry, damage),
            Decision::Run { reason, .. } => reason.clone(),
        }
    }
}

/// Why a cached action was skipped: `nothing changed since run 4`.
pub fn skip_reason(since_run: &str) -> String {
    format!("nothing changed since run {since_run}")
}

fn restore_reason(entry: &Entry, damage: &[Damage]) -> String {
    let first = damage.first().map(Damage::describe).unwrap_or_default();
    let more = match damage.len() {
        0 | 1 => String::new(),
        n => format!(" and {} more", n - 1),
    };
    format!("restored outputs from run {} ({first}{more})", entry.run_id)
}

/// The cache for one run.
pub struct Cache {
    files: FileIndex,
    tools: tools::Tools,
    state_root: PathBuf,
    enabled: bool,
    run_id: String,
    /// Some entry was dropped in this run: unreferenced outputs are deleted at the end.
    dropped: std::sync::atomic::AtomicBool,
}

impl Cache {
    /// A cache reading files through `files` and storing entries under
    /// `state_root`; with `enabled` false (`--no-cache`) nothing is skipped.
    pub fn new(files: FileIndex, state_root: &Path, enabled: bool, run_id: &str) -> Cache {
        Cache {
            files,
            tools: tools::Tools::default(),
            state_root: state_root.to_path_buf(),
            enabled,
            run_id: run_id.to_string(),
            dropped: Default::default(),
        }
    }

    /// Where the stat table of a work tree (or, with `snapshot`, of
    /// snapshot checkouts) is kept.
    pub fn table_path(state_root: &Path, snapshot: bool) -> PathBuf {
        let name = if snapshot {
            "stat-snapshot.tsv"
        } else {
            "stat-worktree.tsv"
        };
        store::cache_dir(state_root).join(name)
    }

    /// Looks up the inputs of every cached action of `pipeline` ahead of
    /// time (one scan of the tree, shared by all of them); `None` when no
    /// action is cached.
    pub fn prefetch(pipeline: &crate::config::Pipeline, files: FileIndex) -> Option<FileIndex> {
        let config = std::iter::once(&pipeline.file).chain(&pipeline.included);
        let files = files.leaving_out(config.map(PathBuf::as_path));
        let mut any = false;
        for action in pipeline.stages.iter().flat_map(|s| &s.actions) {
            if crate::plan::cached(pipeline, action) {
                any = true;
                files.inputs(&action.inputs, &action.outputs);
            }
        }
        any.then_some(files)
    }

    /// The decision for `action`; `None` when the cache does not apply to it.
    pub fn decide(&self, action: &PlannedAction, root: &Path) -> Option<Decision> {
        if !action.cache {
            return None;
        }
        let mut pending = self.pending(action, root);
        let run = |reason: String, pending| Some(Decision::Run { reason, pending });
        if !self.enabled {
            return run("--no-cache".into(), pending);
        }
        let Some(entry) = store::load(&pending.dir, &pending.fingerprint) else {
            let reason = match store::load_last(&pending.dir) {
                None => "no earlier successful run".to_string(),
                Some(last) => {
                    let reason = fingerprint::explain(
                        &last.parts,
                        &pending.parts,
                        &store::load_last_inputs(&pending.dir),
                        &pending.inputs.ids(),
                    );
                    pending.previous = Some(last.files);
                    reason
                }
            };
            return run(reason, pending);
        };
        let damage = outputs::verify(root, &entry.files);
        if !damage.is_empty() {
            return Some(Decision::Restore {
                entry: Box::new(entry),
                damage,
                pending,
            });
        }
        let missing = action.outputs.iter().find(|pattern| {
            let pattern = crate::config::Pattern::new(pattern);
            !entry.files.keys().any(|f| pattern.matches(f))
        });
        if let Some(missing) = missing {
            return run(format!("output `{missing}` is missing"), pending);
        }
        Some(Decision::Skip {
            since_run: entry.run_id,
            outputs: entry.outputs,
        })
    }

    fn pending(&self, action: &PlannedAction, root: &Path) -> Pending {
        let inputs = self.files.inputs(&action.inputs, &action.outputs);
        let parts = Parts {
            work: fingerprint::work_part(action, root, store::FORMAT),
            env: fingerprint::env_part(action),
            tools: self.tools.of(action),
            inputs: inputs.digest.clone(),
        };
        Pending {
            fingerprint: parts.fingerprint(),
            parts,
            inputs,
            dir: store::action_dir(&self.state_root, &action.stage, &action.name),
            previous: None,
        }
    }

    /// Puts back the outputs of a [`Decision::Restore`]; `Ok` with the
    /// reason to report, `Err` with why it could not (then the action runs).
    pub fn restore(
        &self,
        entry: &Entry,
        damage: &[Damage],
        pending: &Pending,
        root: &Path,
    ) -> Result<String, String> {
        let objects = Objects::new(&store::cache_dir(&self.state_root));
        let restored = outputs::restore(root, &entry.files, damage, &objects)?;
        self.files.rescan();
        let mut updated = entry.clone();
        for (path, stat) in restored {
            if let Some(file) = updated.files.get_mut(&path) {
                file.stat = stat;
            }
        }
        let _ = store::update(&pending.dir, &updated);
        Ok(restore_reason(entry, damage))
    }

    /// An action ran: files may have changed, so the next lookup scans again.
    pub fn action_ran(&self) {
        self.files.rescan();
    }

    /// Stores the fingerprint taken before the action ran, with the named
    /// outputs and the output files it produced, after it passed.
    pub fn record(
        &self,
        action: &PlannedAction,
        pending: &Pending,
        named: &BTreeMap<String, String>,
        root: &Path,
    ) {
        let loaded;
        let previous = match &pending.previous {
            Some(files) => files,
            None => {
                loaded = store::load_last(&pending.dir)
                    .map(|e| e.files)
                    .unwrap_or_default();
                &loaded
            }
        };
        let objects = Objects::new(&store::cache_dir(&self.state_root));
        let found = inputs::matching(&self.files, &action.outputs);
        let entry = Entry {
            format: store::FORMAT,
            fingerprint: pending.fingerprint.clone(),
            parts: pending.parts.clone(),
            run_id: self.run_id.clone(),
            outputs: named.clone(),
            files: outputs::record(root, &found, previous, &objects),
        };
        if let Ok(true) = store::save(&pending.dir, &entry, &pending.inputs.ids()) {
            self.dropped
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Keeps what this run learnt about files for the next run, and
    /// deletes kept outputs no entry needs any more.
    pub fn save(&self) {
        self.files.save();
        if self.dropped.load(std::sync::atomic::Ordering::Relaxed) {
            store::collect_garbage(&store::cache_dir(&self.state_root));
        }
    }
}
