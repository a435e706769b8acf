//! When the group's `state.json` is written while a deployment runs, so
//! that a fleet costs O(1) state writing per instance and a `kill -9` at any
//! moment still leaves every instance recoverable.
//!
//! `state.json` holds every instance, so writing it is O(N); writing it at
//! every step of every instance (as gantry once did) made a deployment to N
//! instances O(N²): 1,000 instances took 15–52 s where 250 took 3.4 s.
//! Instead, an instance's steps change the state in memory only
//! ([`Saver::defer`]), and the state is written in batches: when
//! [`flush_every`] instances have finished since the last write, after
//! [`MAX_STALE`] has passed, at the end of each batch, and whenever the
//! deployment itself changes (its record, its status).
//!
//! Crash safety rests on one rule: **an instance's Install journal is
//! deleted only after a `state.json` holding the instance's final record is
//! on disk.** An instance that finishes hands its journal here
//! ([`Saver::finished`]); the journal stays until the next write, which
//! then deletes it. Killed before that write, gantry leaves the journal, and
//! the next `gantry deploy` (or `--recover`) undoes that instance's
//! deployment and puts back the record the journal's first line holds
//! (what `state.json` said before), whatever `state.json` says meanwhile.
//! An instance whose journal is gone has its final record on disk.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::journal;
use super::store::GroupState;

/// The longest an instance's progress waits in memory before `state.json`
/// is written (for whoever reads it meanwhile).
const MAX_STALE: Duration = Duration::from_secs(2);

/// Write `state.json` after this many instances of a group of `instances`
/// have finished: a sixteenth of the group, so a deployment writes it a
/// bounded number of times per batch whatever the group's size.
pub fn flush_every(instances: usize) -> usize {
    (instances / 16).max(32)
}

/// Finished instances' journals waiting for the next write of `state.json`.
pub struct Saver {
    pending: Mutex<Pending>,
    every: usize,
}

struct Pending {
    journals: Vec<PathBuf>,
    dirty: bool,
    saved_at: Instant,
}

impl Saver {
    /// The saver of a deployment to a group of `instances`.
    pub fn new(instances: usize) -> Self {
        Self {
            pending: Mutex::new(Pending {
                journals: Vec::new(),
                dirty: false,
                saved_at: Instant::now(),
            }),
            every: flush_every(instances),
        }
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `state` (locked by the caller) changed in memory; written when due.
    pub fn defer(&self, state: &GroupState, dir: &Path) -> Result<(), String> {
        self.pending().dirty = true;
        self.write_if_due(state, dir)
    }

    /// The instance of the journal at `journal` is done: the journal goes
    /// once `state` (locked by the caller) is on disk.
    pub fn finished(&self, journal: PathBuf, state: &GroupState, dir: &Path) -> Result<(), String> {
        self.pending().journals.push(journal);
        self.write_if_due(state, dir)
    }

    fn write_if_due(&self, state: &GroupState, dir: &Path) -> Result<(), String> {
        let due = {
            let pending = self.pending();
            pending.journals.len() >= self.every
                || (pending.dirty && pending.saved_at.elapsed() >= MAX_STALE)
        };
        if due {
            self.write(state, dir, false)
        } else {
            Ok(())
        }
    }

    /// Writes `state` (locked by the caller) to `dir`/`state.json` if it
    /// changed, or always with `always`, then deletes the journals of the
    /// instances it holds as finished. On a failed write the journals stay:
    /// the next deployment undoes those instances.
    pub fn write(&self, state: &GroupState, dir: &Path, always: bool) -> Result<(), String> {
        let mut pending = self.pending();
        if pending.dirty || always || !pending.journals.is_empty() {
            state.save(dir).map_err(|e| format!("{e:#}"))?;
        }
        pending.dirty = false;
        pending.saved_at = Instant::now();
        let journals = std::mem::take(&mut pending.journals);
        drop(pending);
        let mut folders = BTreeSet::new();
        for path in &journals {
            journal::remove(path);
            folders.extend(path.parent().map(Path::to_path_buf));
        }
        // One sync per deployment folder, not one per instance.
        for folder in folders {
            journal::sync_dir(Some(&folder));
        }
        // Only now: a journal still on disk needs its copies to undo its instance.
        for path in &journals {
            journal::remove_aside(path);
        }
        Ok(())
    }
}
