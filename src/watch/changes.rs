//! What counts as a change worth a run, beyond the [`super::filter`]:
//! the content must differ from what was last seen (a save that writes the
//! same bytes, or a run regenerating a file identically, is no change), and
//! a file that changes during every run is the run's own output, not an
//! edit: after [`LOOP_LIMIT`] runs in a row it stops starting runs.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

/// Consecutive runs during which a path changed before it counts as
/// written by the run itself.
pub const LOOP_LIMIT: u32 = 3;

/// Change bookkeeping across runs.
#[derive(Default)]
pub struct Changes {
    /// The content last seen per relative path (`None`: absent).
    seen: HashMap<String, Option<String>>,
    /// Changes not yet answered by a run.
    pending: BTreeSet<String>,
    /// Paths that changed while the latest run was going on.
    during_run: HashSet<String>,
    /// Per path, how many runs in a row it changed during.
    streak: HashMap<String, u32>,
    /// Paths found to change during every run: no longer watched.
    written_by_runs: HashSet<String>,
}

impl Changes {
    /// Notes that `relative` (at `path`) may have changed; `in_run`: while a
    /// run was going on. Returns whether it is a real change.
    pub fn note(&mut self, relative: String, path: &Path, in_run: bool) -> bool {
        if self.written_by_runs.contains(&relative) {
            return false;
        }
        if path.is_dir() {
            return false;
        }
        let content = crate::cache::outputs::hash(path);
        if self.seen.get(&relative) == Some(&content) {
            return false;
        }
        self.seen.insert(relative.clone(), content);
        if in_run {
            self.during_run.insert(relative.clone());
        }
        self.pending.insert(relative);
        true
    }

    /// Whether a change is waiting for a run.
    pub fn is_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// The changes waiting for a run, which is starting now. Returns them
    /// and the paths that have just been found to change during every run.
    pub fn start_run(&mut self) -> (Vec<String>, Vec<String>) {
        let changed = std::mem::take(&mut self.pending).into_iter().collect();
        let during = std::mem::take(&mut self.during_run);
        self.streak.retain(|path, _| during.contains(path));
        let mut looping = Vec::new();
        for path in during {
            let streak = self.streak.entry(path.clone()).or_default();
            *streak += 1;
            if *streak >= LOOP_LIMIT {
                self.streak.remove(&path);
                self.written_by_runs.insert(path.clone());
                looping.push(path);
            }
        }
        looping.sort();
        (changed, looping)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_content_again_is_no_change() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.txt");
        let mut changes = Changes::default();
        std::fs::write(&file, "one").unwrap();
        assert!(changes.note("a.txt".into(), &file, false));
        std::fs::write(&file, "one").unwrap();
        assert!(!changes.note("a.txt".into(), &file, false));
        std::fs::write(&file, "two").unwrap();
        assert!(changes.note("a.txt".into(), &file, false));
        std::fs::remove_file(&file).unwrap();
        assert!(changes.note("a.txt".into(), &file, false));
        assert_eq!(changes.start_run().0, vec!["a.txt".to_string()]);
        assert!(!changes.is_pending());
    }

    #[test]
    fn a_file_changing_during_every_run_stops_counting() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("stamp");
        let mut changes = Changes::default();
        for run in 1..=LOOP_LIMIT {
            std::fs::write(&file, format!("run {run}")).unwrap();
            assert!(changes.note("stamp".into(), &file, true));
            let (_, looping) = changes.start_run();
            assert_eq!(looping.is_empty(), run < LOOP_LIMIT, "run {run}");
        }
        std::fs::write(&file, "again").unwrap();
        assert!(!changes.note("stamp".into(), &file, true));
    }

    #[test]
    fn a_run_without_the_change_resets_the_count() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.rs");
        let mut changes = Changes::default();
        for run in 1..=LOOP_LIMIT * 2 {
            if run % LOOP_LIMIT != 0 {
                std::fs::write(&file, format!("edit {run}")).unwrap();
                assert!(changes.note("a.rs".into(), &file, true));
            }
            assert!(changes.start_run().1.is_empty(), "run {run}");
        }
    }
}
