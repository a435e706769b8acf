//! What counts as a change worth a run, beyond the [`super::filter`]:
//! the content must differ from what was last seen (a save that writes the
//! same bytes, or a run regenerating a file identically, is no change), and
//! a file that changes during every run is the run's own output, not an
//! edit: after [`LOOP_LIMIT`] runs in a row it stops starting runs.
//! A file is [`look`]ed at outside the watch's lock: its stat data first,
//! its content only when that differs from what was seen.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::cache::FileStat;

/// Consecutive runs during which a path changed before it counts as
/// written by the run itself.
pub const LOOP_LIMIT: u32 = 3;

/// A file as last seen; `None`: absent.
pub type Seen = Option<Version>;

/// A file's content as seen, with the stat data it had then.
#[derive(Clone, Debug)]
pub struct Version {
    /// `None` when written too recently for equal stat data to prove the
    /// content equal (see [`RACY`]).
    stat: Option<FileStat>,
    /// Its digest; `None`: unreadable or not a regular file.
    digest: Option<String>,
}

/// A file written this shortly before it was looked at may be written
/// again within the same timestamp tick: its stat data is not trusted.
const RACY: Duration = Duration::from_secs(2);

fn content(seen: &Seen) -> Option<&str> {
    seen.as_ref().and_then(|v| v.digest.as_deref())
}

/// What the file at `path` is now, reading its content only when its stat
/// data differs from `before`'s; `None` for a directory (no change).
pub fn look(path: &Path, before: Option<&Seen>) -> Option<Seen> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Some(None);
    };
    if meta.is_dir() {
        return None;
    }
    let stat = FileStat::of(&meta);
    if let Some(Some(known)) = before {
        if known.stat == Some(stat) {
            return Some(Some(known.clone()));
        }
    }
    let settled = meta
        .modified()
        .ok()
        .and_then(|m| SystemTime::now().duration_since(m).ok())
        .is_some_and(|age| age >= RACY);
    Some(Some(Version {
        stat: settled.then_some(stat),
        digest: crate::cache::outputs::hash(path),
    }))
}

/// Change bookkeeping across runs.
#[derive(Default)]
pub struct Changes {
    /// How each relative path was last seen.
    seen: HashMap<String, Seen>,
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
    /// How `relative` was last seen, for [`look`]; `None` when it is not
    /// watched any more (see [`Changes::start_run`]).
    pub fn before(&self, relative: &str) -> Option<Option<&Seen>> {
        (!self.written_by_runs.contains(relative)).then(|| self.seen.get(relative))
    }

    /// Notes that `relative` is `now` (from [`look`]); `in_run`: while a
    /// run was going on. Returns whether its content changed.
    pub fn note(&mut self, relative: String, now: Seen, in_run: bool) -> bool {
        if self.written_by_runs.contains(&relative) {
            return false;
        }
        let same = self
            .seen
            .get(&relative)
            .is_some_and(|old| content(old) == content(&now));
        self.seen.insert(relative.clone(), now);
        if same {
            return false;
        }
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

    /// What the watch does for an event on `path`.
    fn note(changes: &mut Changes, relative: String, path: &Path, in_run: bool) -> bool {
        let Some(before) = changes.before(&relative).map(|b| b.cloned()) else {
            return false;
        };
        let Some(now) = look(path, before.as_ref()) else {
            return false;
        };
        changes.note(relative, now, in_run)
    }

    #[test]
    fn the_same_content_again_is_no_change() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.txt");
        let mut changes = Changes::default();
        std::fs::write(&file, "one").unwrap();
        assert!(note(&mut changes, "a.txt".into(), &file, false));
        std::fs::write(&file, "one").unwrap();
        assert!(!note(&mut changes, "a.txt".into(), &file, false));
        std::fs::write(&file, "two").unwrap();
        assert!(note(&mut changes, "a.txt".into(), &file, false));
        std::fs::remove_file(&file).unwrap();
        assert!(note(&mut changes, "a.txt".into(), &file, false));
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
            assert!(note(&mut changes, "stamp".into(), &file, true));
            let (_, looping) = changes.start_run();
            assert_eq!(looping.is_empty(), run < LOOP_LIMIT, "run {run}");
        }
        std::fs::write(&file, "again").unwrap();
        assert!(!note(&mut changes, "stamp".into(), &file, true));
    }

    #[test]
    fn a_run_without_the_change_resets_the_count() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.rs");
        let mut changes = Changes::default();
        for run in 1..=LOOP_LIMIT * 2 {
            if run % LOOP_LIMIT != 0 {
                std::fs::write(&file, format!("edit {run}")).unwrap();
                assert!(note(&mut changes, "a.rs".into(), &file, true));
            }
            assert!(changes.start_run().1.is_empty(), "run {run}");
        }
    }

    #[test]
    fn equal_settled_stat_data_means_the_content_is_not_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.bin");
        std::fs::write(&path, "content").unwrap();
        let old = SystemTime::now() - Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(old)
            .unwrap();
        let first = look(&path, None).unwrap().unwrap();
        assert!(first.stat.is_some(), "settled: its stat data is kept");
        let remembered = Some(Version {
            digest: Some("remembered".into()),
            ..first.clone()
        });
        let again = look(&path, Some(&remembered)).unwrap();
        assert_eq!(content(&again), Some("remembered"));
        // Just written: not trusted, read.
        std::fs::write(&path, "content").unwrap();
        let now = look(&path, Some(&remembered)).unwrap();
        assert_eq!(content(&now), first.digest.as_deref());
        assert!(now.unwrap().stat.is_none());
    }
}
