//! `.gantry/runs/<id>/`: one directory per run with every action's log and
//! `run.json`, the run's summary. Ids are sequential numbers.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::summary::RunSummary;

/// The run's summary, beside the stage directories of its logs.
pub const SUMMARY_FILE: &str = "run.json";

/// Names gantry itself uses in a run directory, where every stage also gets
/// a directory: no stage may be named so. (gantry's other files there start
/// with `.`, which no stage name can.)
pub const RESERVED_NAMES: &[&str] = &[SUMMARY_FILE];

/// gantry's directory inside the pipeline root.
pub const STATE_DIR: &str = ".gantry";

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

/// A finished run as recorded in its `run.json`.
#[derive(Clone, Debug)]
pub struct RecordedRun {
    /// The run's id.
    pub id: u64,
    /// The parsed `run.json` (see `summary::RunSummary` for its shape).
    pub summary: serde_json::Value,
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
    _lock: std::sync::Arc<fs::File>,
}

/// Creates and locks `dir`'s lock file.
fn lock_run(dir: &Path) -> anyhow::Result<fs::File> {
    let path = dir.join(LOCK_FILE);
    let file =
        fs::File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
    rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive)
        .with_context(|| format!("cannot lock {}", path.display()))?;
    Ok(file)
}

/// Whether the run in `dir` is still in progress: another gantry (or this
/// one) holds its lock.
pub fn in_progress(dir: &Path) -> bool {
    let Ok(file) = fs::File::open(dir.join(LOCK_FILE)) else {
        return false;
    };
    rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockShared).is_err()
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
                        _lock: std::sync::Arc::new(lock),
                    });
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists => id += 1,
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot create {}", dir.display()))
                }
            }
        }
    }

    /// Where an action's log goes (its stage directory is created).
    pub fn log_path(&self, stage: &str, action: &str) -> anyhow::Result<PathBuf> {
        let dir = self.dir.join(stage);
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(dir.join(format!("{action}.log")))
    }

    /// `path` relative to the pipeline root, for display.
    pub fn relative(&self, path: &Path) -> PathBuf {
        path.strip_prefix(&self.root).unwrap_or(path).to_path_buf()
    }

    /// Writes `run.json` atomically (temp file, then rename).
    pub fn write_summary(&self, summary: &RunSummary) -> anyhow::Result<()> {
        let json = serde_json::to_vec_pretty(summary)?;
        let path = self.dir.join(SUMMARY_FILE);
        crate::fsutil::write_atomic(&path, &json, None)
            .with_context(|| format!("cannot write {}", path.display()))
    }

    /// Deletes the oldest runs so that at most `keep` remain, except runs
    /// still in progress (this one, or a concurrent gantry's).
    pub fn prune(&self, keep: u32) {
        let ids = run_ids(&self.root);
        let excess = ids.len().saturating_sub(keep.max(1) as usize);
        for id in &ids[..excess] {
            let dir = runs_dir(&self.root).join(id.to_string());
            if !in_progress(&dir) {
                let _ = fs::remove_dir_all(dir);
            }
        }
    }
}
