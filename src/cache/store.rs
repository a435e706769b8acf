//! Cache entries on disk: `.gantry/cache/<stage>/<action>.json`, one per
//! action, describing its last successful run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::fsutil::write_atomic;
use crate::record::STATE_DIR;

/// Bumped when the entry format or fingerprint recipe changes.
pub const FORMAT: u32 = 2;

/// What an action's last successful run saw. The per-file list is kept in
/// a second file, read only to explain what changed.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    /// [`FORMAT`] at the time of writing.
    pub format: u32,
    /// Hash of the action's definition (command, directory, environment, gantry version).
    pub definition: String,
    /// Hash of every input file's path and content id.
    pub digest: String,
    /// The run that recorded it.
    pub run_id: String,
    /// The action's outputs in that run, reported again when it is skipped.
    #[serde(default)]
    pub outputs: BTreeMap<String, String>,
}

/// The cache directory of the pipeline whose state lives in `state_root`.
pub fn cache_dir(state_root: &Path) -> PathBuf {
    state_root.join(STATE_DIR).join("cache")
}

fn entry_path(state_root: &Path, stage: &str, action: &str) -> PathBuf {
    cache_dir(state_root)
        .join(stage)
        .join(format!("{action}.json"))
}

fn files_path(state_root: &Path, stage: &str, action: &str) -> PathBuf {
    cache_dir(state_root)
        .join(stage)
        .join(format!("{action}.files.json"))
}

/// The input files (path → content id) recorded with an action's entry.
pub fn load_files(state_root: &Path, stage: &str, action: &str) -> BTreeMap<String, String> {
    crate::fsutil::read(&files_path(state_root, stage, action))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// The stored entry of an action, if there is a readable one.
pub fn load(state_root: &Path, stage: &str, action: &str) -> Option<Entry> {
    let bytes = crate::fsutil::read(&entry_path(state_root, stage, action)).ok()?;
    serde_json::from_slice::<Entry>(&bytes)
        .ok()
        .filter(|e| e.format == FORMAT)
}

/// Stores an entry and its file list, each atomically (temp file, then
/// rename; the entry last, so a reader never sees it without its files).
pub fn save(
    state_root: &Path,
    stage: &str,
    action: &str,
    entry: &Entry,
    files: &BTreeMap<String, String>,
) -> std::io::Result<()> {
    let path = entry_path(state_root, stage, action);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    write_atomic(
        &files_path(state_root, stage, action),
        &serde_json::to_vec(files)?,
        None,
    )?;
    write_atomic(&path, &serde_json::to_vec(entry)?, None)
}

/// Deletes every entry; returns whether there was a cache.
pub fn clean(state_root: &Path) -> std::io::Result<bool> {
    let dir = cache_dir(state_root);
    if !dir.exists() {
        return Ok(false);
    }
    std::fs::remove_dir_all(dir)?;
    Ok(true)
}
