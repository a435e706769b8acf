//! `.gantry/runs/<id>/`: one directory per run with every action's log and
//! `run.json`, the run's summary. Ids are sequential numbers.
//!
//! Creating a file is the slowest part of an action that does little on
//! some disks (a millisecond or more on ext4 under load: the new inode),
//! so a run reuses the log files of the oldest run, the one pruning would
//! delete when this run ends: renaming and truncating a file costs almost
//! nothing.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::ErrorKind;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Context;

/// The run's summary, beside the stage directories of its logs.
pub const SUMMARY_FILE: &str = "run.json";

/// Names gantry itself uses in a run directory, where every stage also gets
/// a directory: no stage may be named so. (gantry's other files there start
/// with `.`, which no stage name can.)
pub const RESERVED_NAMES: &[&str] = &[SUMMARY_FILE];

/// A pruned run's directory, renamed `.recycled-<id of the run reusing its
/// files>` so that it no longer counts as a run; deleted when that run ends.
const RECYCLED_PREFIX: &str = ".recycled-";

/// gantry's directory inside the pipeline root.
pub const STATE_DIR: &str = crate::fsutil::STATE_DIR;

/// The runs directory of the pipeline rooted at `root`.
pub fn runs_dir(root: &Path) -> PathBuf {
    root.join(STATE_DIR).join("runs")
}

/// Ids of the recorded runs, oldest first.
pub fn run_ids(root: &Path) -> Vec<u64> {
    let mut ids: Vec<u64> = fs::read_dir(runs_dir(root))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect();
    ids.sort_unstable();
    ids
}

/// The id the next run would get.
pub fn next_id(root: &Path) -> u64 {
    run_ids(root).last().map_or(1, |last| last + 1)
}

/// Longest log file name kept whole (file systems allow 255 bytes).
const MAX_LOG_NAME: usize = 200;

/// The log file of action `action`: its name plus `.log`. A matrix cell's
/// name (`test (os=a/b, …)`) may hold `/` or `\\`, written as `_`, and may be
/// too long for a file name: then it is cut and a hash of the whole name
/// keeps it unique.
pub fn log_file_name(action: &str) -> String {
    let safe: String = action
        .chars()
        .map(|c| if matches!(c, '/' | '\\') { '_' } else { c })
        .collect();
    if safe.len() <= MAX_LOG_NAME {
        return format!("{safe}.log");
    }
    let mut cut = MAX_LOG_NAME - 20;
    while !safe.is_char_boundary(cut) {
        cut -= 1;
    }
    let hash = blake3::hash(action.as_bytes()).to_hex();
    format!("{}-{}.log", &safe[..cut], &hash[..16])
}

/// A finished run as recorded in its `run.json`.
#[derive(Clone, Debug)]
pub struct RecordedRun {
    /// The run's id.
    pub id: u64,
    /// The parsed `run.json` (see `summary::RunSummary` for its shape).
    pub summary: serde_json::Value,
}

impl RecordedRun {
    /// The recorded result of every action, stage by stage.
    pub fn actions(&self) -> impl Iterator<Item = &serde_json::Value> {
        self.summary["stages"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|s| s["actions"].as_array().into_iter().flatten())
    }
}

/// Run `id`, if it has a readable `run.json` (a run still in progress, or
/// killed before writing it, has none).
pub fn load_run(root: &Path, id: u64) -> Option<RecordedRun> {
    let path = runs_dir(root).join(id.to_string()).join(SUMMARY_FILE);
    let summary = serde_json::from_slice(&crate::fsutil::read(&path).ok()?).ok()?;
    Some(RecordedRun { id, summary })
}

/// The runs with a readable `run.json`, newest first, each read only when
/// the iterator gets to it.
pub fn newest_runs(root: &Path) -> impl Iterator<Item = RecordedRun> + '_ {
    run_ids(root)
        .into_iter()
        .rev()
        .filter_map(move |id| load_run(root, id))
}

/// The file in a run directory that the running gantry keeps locked
/// (flock), so that other gantry processes know the run is in progress.
pub const LOCK_FILE: &str = ".lock";

/// A run being recorded.
#[derive(Clone, Debug)]
pub struct RunRecord {
    /// The run's id.
    pub id: u64,
    /// `.gantry/runs/<id>/`.
    pub dir: PathBuf,
    /// The pipeline root.
    pub root: PathBuf,
    /// Held for as long as this gantry runs: marks the run in progress.
    _lock: Arc<File>,
    /// Stage directories already created: each is made once per run, not
    /// once per action.
    stage_dirs: Arc<Mutex<HashSet<String>>>,
    /// Log files of a pruned run, to be reused for this run's logs.
    spare_logs: Arc<Mutex<Vec<PathBuf>>>,
    /// `$GANTRY_OUTPUT` files no action is using (see [`RunRecord::output_file`]).
    free_output_files: Arc<Mutex<Vec<PathBuf>>>,
}

/// An action's `$GANTRY_OUTPUT` file: `.gantry/runs/<id>/.output-<n>`.
const OUTPUT_FILE_PREFIX: &str = ".output-";

/// Creates and locks `dir`'s lock file.
fn lock_run(dir: &Path) -> anyhow::Result<File> {
    let path = dir.join(LOCK_FILE);
    let file = File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
    file.try_lock()
        .with_context(|| format!("cannot lock {}", path.display()))?;
    Ok(file)
}

/// Whether the run in `dir` is still in progress: another gantry (or this
/// one) holds its lock.
pub fn in_progress(dir: &Path) -> bool {
    let Ok(file) = File::open(dir.join(LOCK_FILE)) else {
        return false;
    };
    file.try_lock_shared().is_err()
}

impl RunRecord {
    /// Claims `first` (from [`next_id`]) or, if a concurrent gantry in the
    /// same repository took it meanwhile, the next free id, by creating its
    /// directory.
    pub fn create(root: &Path, first: u64) -> anyhow::Result<RunRecord> {
        let runs = runs_dir(root);
        fs::create_dir_all(&runs).with_context(|| format!("cannot create {}", runs.display()))?;
        let mut id = first;
        loop {
            let dir = runs.join(id.to_string());
            match fs::create_dir(&dir) {
                Ok(()) => {
                    let lock = lock_run(&dir)?;
                    return Ok(RunRecord {
                        id,
                        dir,
                        root: root.to_path_buf(),
                        _lock: Arc::new(lock),
                        stage_dirs: Default::default(),
                        spare_logs: Default::default(),
                        free_output_files: Default::default(),
                    });
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists => id += 1,
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot create {}", dir.display()))
                }
            }
        }
    }

    /// Sets aside the oldest run, if [`prune`](Self::prune) will delete it
    /// when this run ends, so that this run's logs reuse its files.
    pub fn recycle_oldest(&self, keep: u32) {
        let ids = run_ids(&self.root);
        if ids.len() <= keep.max(1) as usize {
            return;
        }
        let oldest = runs_dir(&self.root).join(ids[0].to_string());
        if in_progress(&oldest) || fs::rename(&oldest, self.recycled_dir()).is_err() {
            return;
        }
        *self.spare_logs.lock().unwrap_or_else(|e| e.into_inner()) =
            reusable_logs(&self.recycled_dir());
    }

    /// `.gantry/runs/.recycled-<id>/`: the pruned run whose files this run reuses.
    fn recycled_dir(&self) -> PathBuf {
        runs_dir(&self.root).join(format!("{RECYCLED_PREFIX}{}", self.id))
    }

    /// Where an action's log goes (its stage directory is created the
    /// first time a stage asks).
    pub fn log_path(&self, stage: &str, action: &str) -> anyhow::Result<PathBuf> {
        let dir = self.dir.join(stage);
        let mut made = self.stage_dirs.lock().unwrap_or_else(|e| e.into_inner());
        if !made.contains(stage) {
            fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
            made.insert(stage.to_string());
        }
        Ok(dir.join(log_file_name(action)))
    }

    /// Creates the log file at `path` (from [`log_path`](Self::log_path)),
    /// empty, reusing a recycled run's file when there is one.
    pub fn create_log(&self, path: &Path) -> std::io::Result<File> {
        match self.reuse_spare(path) {
            Some(file) => Ok(file),
            None => File::create(path),
        }
    }

    /// A path for an action's `$GANTRY_OUTPUT` file. One file per action
    /// running at a time is reused by the run's actions, emptied after each
    /// ([`RunRecord::release_output_file`]): a new file per action would
    /// cost a new inode, up to a millisecond on ext4, and renaming one into
    /// place costs about as much. The file may not exist yet.
    pub fn output_file(&self) -> PathBuf {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let free = self
            .free_output_files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop();
        free.unwrap_or_else(|| {
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            self.dir.join(format!("{OUTPUT_FILE_PREFIX}{n}"))
        })
    }

    /// Takes back the `$GANTRY_OUTPUT` file `path` once its action is done
    /// with it (and it was read): empties it (the values may be secrets),
    /// or deletes it when it is not a plain file of its own (a link,
    /// another kind of file), which is never emptied.
    pub fn release_output_file(&self, path: PathBuf) {
        use std::os::unix::fs::MetadataExt;
        // Usually the action wrote no outputs: an empty file of its own
        // needs no open (nothing is written to it here).
        let untouched = fs::symlink_metadata(&path)
            .is_ok_and(|m| m.is_file() && m.nlink() == 1 && m.len() == 0);
        let emptied = untouched
            || match crate::fsutil::empty_own_file(&path) {
                Ok(emptied) => emptied,
                // Deleted by the action: a new one is made when needed.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
                Err(_) => false,
            };
        if emptied {
            self.free_output_files
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(path);
        } else {
            let _ = fs::remove_file(&path);
        }
    }

    /// Moves a spare log file to `path` and empties it; `None` when there
    /// is none left (or it cannot be reused: the caller creates a new file).
    fn reuse_spare(&self, path: &Path) -> Option<File> {
        loop {
            let spare = self
                .spare_logs
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .pop()?;
            if fs::rename(&spare, path).is_err() {
                continue;
            }
            return match fs::OpenOptions::new().write(true).truncate(true).open(path) {
                Ok(file) => Some(file),
                Err(_) => {
                    let _ = fs::remove_file(path);
                    None
                }
            };
        }
    }

    /// `path` relative to the pipeline root, for display.
    pub fn relative(&self, path: &Path) -> PathBuf {
        path.strip_prefix(&self.root).unwrap_or(path).to_path_buf()
    }

    /// Where this run's `run.json` goes.
    pub fn summary_path(&self) -> PathBuf {
        self.dir.join(SUMMARY_FILE)
    }

    /// Deletes the oldest runs so that at most `keep` remain, except runs
    /// still in progress (this one, or a concurrent gantry's), and what is
    /// left of recycled runs no longer in use.
    pub fn prune(&self, keep: u32) {
        let runs = runs_dir(&self.root);
        let _ = fs::remove_dir_all(self.recycled_dir());
        let free = std::mem::take(
            &mut *self
                .free_output_files
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        );
        for path in free {
            let _ = fs::remove_file(path);
        }
        let ids = run_ids(&self.root);
        let excess = ids.len().saturating_sub(keep.max(1) as usize);
        for id in &ids[..excess] {
            let dir = runs.join(id.to_string());
            if !in_progress(&dir) {
                let _ = fs::remove_dir_all(dir);
            }
        }
        // Left behind by a gantry that was killed before it could clean up.
        for entry in fs::read_dir(&runs).into_iter().flatten().flatten() {
            let name = entry.file_name();
            let Some(user) = name.to_str().and_then(|n| n.strip_prefix(RECYCLED_PREFIX)) else {
                continue;
            };
            if !in_progress(&runs.join(user)) {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
}

/// The log files in the stage directories of a run: regular files that
/// nothing else links to (a log someone kept a hard link to is not reused).
fn reusable_logs(run: &Path) -> Vec<PathBuf> {
    let files_in = |dir: fs::DirEntry| fs::read_dir(dir.path()).into_iter().flatten().flatten();
    fs::read_dir(run)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .flat_map(files_in)
        .filter(|e| {
            e.file_name().to_string_lossy().ends_with(".log")
                && e.metadata().is_ok_and(|m| m.is_file() && m.nlink() == 1)
        })
        .map(|e| e.path())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{log_file_name, RunRecord};
    use std::fs;

    #[test]
    fn an_output_file_is_emptied_and_reused_by_the_next_action() {
        let root = tempfile::tempdir().unwrap();
        let record = RunRecord::create(root.path(), 1).unwrap();
        let first = record.output_file();
        fs::write(&first, "token=secret\n").unwrap();
        record.release_output_file(first.clone());
        assert_eq!(fs::read(&first).unwrap(), b"");
        assert_eq!(record.output_file(), first);
        // In use: another action gets a file of its own.
        assert_ne!(record.output_file(), first);
    }

    #[test]
    fn a_linked_output_file_is_deleted_not_emptied() {
        let root = tempfile::tempdir().unwrap();
        let record = RunRecord::create(root.path(), 1).unwrap();
        let kept = root.path().join("kept");
        fs::write(&kept, "keep me").unwrap();
        let symlink = record.output_file();
        std::os::unix::fs::symlink(&kept, &symlink).unwrap();
        record.release_output_file(symlink.clone());
        let hard = record.output_file();
        fs::hard_link(&kept, &hard).unwrap();
        record.release_output_file(hard.clone());
        assert_eq!(fs::read_to_string(&kept).unwrap(), "keep me");
        assert!(fs::symlink_metadata(&symlink).is_err());
        assert!(fs::symlink_metadata(&hard).is_err());
        assert_ne!(record.output_file(), symlink);
    }

    #[test]
    fn pruning_deletes_the_output_files() {
        let root = tempfile::tempdir().unwrap();
        let record = RunRecord::create(root.path(), 1).unwrap();
        let path = record.output_file();
        fs::write(&path, "").unwrap();
        record.release_output_file(path.clone());
        record.prune(3);
        assert!(!path.exists());
    }

    #[test]
    fn log_names_are_file_names() {
        assert_eq!(log_file_name("build"), "build.log");
        assert_eq!(
            log_file_name("test (os=debian/12, py=3.11)"),
            "test (os=debian_12, py=3.11).log"
        );
        let long = format!("t ({})", "k=é, ".repeat(100));
        let name = log_file_name(&long);
        assert!(name.len() <= 255, "{}", name.len());
        assert_ne!(name, log_file_name(&format!("{long}x")));
    }
}
