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
use std::sync::{Mutex, MutexGuard};
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
///
/// The state is copied while its lock is held ([`Saver::take`] and the
/// calls that return a [`Write`]); the disk is written after the lock is
/// released ([`Saver::write`]), so instances never wait for the disk to
/// change the state. Copies are numbered: one older than what is on disk
/// is not written (the newer one holds everything it holds).
pub struct Saver {
    pending: Mutex<Pending>,
    /// The number of the copy on disk; held while writing.
    written: Mutex<u64>,
    every: usize,
}

struct Pending {
    journals: Vec<PathBuf>,
    dirty: bool,
    saved_at: Instant,
    /// The number of the last copy taken.
    taken: u64,
}

/// A copy of the state to write, and the journals that go once it is on disk.
#[must_use = "the copy is written by Saver::write"]
pub struct Write {
    number: u64,
    state: Option<GroupState>,
    journals: Vec<PathBuf>,
}

impl Saver {
    /// The saver of a deployment to a group of `instances`.
    pub fn new(instances: usize) -> Self {
        Self {
            pending: Mutex::new(Pending {
                journals: Vec::new(),
                dirty: false,
                saved_at: Instant::now(),
                taken: 0,
            }),
            written: Mutex::new(0),
            every: flush_every(instances),
        }
    }

    fn pending(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `state` (locked by the caller) changed in memory; a copy to write
    /// when one is due.
    pub fn defer(&self, state: &GroupState) -> Option<Write> {
        self.pending().dirty = true;
        self.take_if_due(state)
    }

    /// The instance of the journal at `journal` is done: the journal goes
    /// once `state` (locked by the caller) is on disk. A copy to write when
    /// one is due.
    pub fn finished(&self, journal: PathBuf, state: &GroupState) -> Option<Write> {
        self.pending().journals.push(journal);
        self.take_if_due(state)
    }

    fn take_if_due(&self, state: &GroupState) -> Option<Write> {
        let due = {
            let pending = self.pending();
            pending.journals.len() >= self.every
                || (pending.dirty && pending.saved_at.elapsed() >= MAX_STALE)
        };
        due.then(|| self.take(state, false))
    }

    /// A copy of `state` (locked by the caller) if it changed, or always
    /// with `always`, and the journals of the instances it holds as finished.
    pub fn take(&self, state: &GroupState, always: bool) -> Write {
        let mut pending = self.pending();
        let changed = pending.dirty || always || !pending.journals.is_empty();
        pending.taken += 1;
        pending.dirty = false;
        pending.saved_at = Instant::now();
        Write {
            number: pending.taken,
            state: changed.then(|| state.clone()),
            journals: std::mem::take(&mut pending.journals),
        }
    }

    /// Writes the copy of `write` to `dir`/`state.json` (unless a newer one
    /// is there already), then deletes the journals of the instances it
    /// holds as finished. Called without the state's lock. On a failed
    /// write the journals wait for the next one (or, killed before, the
    /// next deployment undoes those instances).
    pub fn write(&self, write: Write, dir: &Path) -> Result<(), String> {
        let Write {
            number,
            state,
            journals,
        } = write;
        if let Some(state) = state {
            let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
            if number > *written {
                if let Err(e) = state.save(dir) {
                    drop(written);
                    let mut pending = self.pending();
                    pending.dirty = true;
                    pending.journals.extend(journals);
                    return Err(format!("{e:#}"));
                }
                *written = number;
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_older_copy_never_overwrites_a_newer_one_and_its_journals_still_go() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("1.journal");
        std::fs::write(&journal, "{}\n").unwrap();
        let saver = Saver::new(1);
        let mut state = GroupState::default();
        assert!(saver.finished(journal.clone(), &state).is_none());
        let older = saver.take(&state, false);
        state.instances.insert("1".into(), Default::default());
        let newer = saver.take(&state, true);
        saver.write(newer, dir.path()).unwrap();
        saver.write(older, dir.path()).unwrap();
        let on_disk = GroupState::load(dir.path()).unwrap();
        assert!(on_disk.instances.contains_key("1"), "{on_disk:?}");
        assert!(!journal.exists());
    }

    #[test]
    fn a_failed_write_keeps_the_journals_for_the_next_one() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("1.journal");
        std::fs::write(&journal, "{}\n").unwrap();
        let saver = Saver::new(1);
        let state = GroupState::default();
        assert!(saver.finished(journal.clone(), &state).is_none());
        let write = saver.take(&state, false);
        assert!(saver.write(write, &dir.path().join("missing")).is_err());
        assert!(journal.exists());
        saver.write(saver.take(&state, false), dir.path()).unwrap();
        assert!(!journal.exists());
    }
}
