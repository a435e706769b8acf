//! Cache entries on disk. Each action has a folder,
//! `.gantry/cache/<stage>/<action>/`, holding one entry per fingerprint it
//! passed with (`<fingerprint>.json`, the newest few kept), `last` naming
//! the newest, and `last.inputs.json` (its input files) to explain what
//! changed. Output contents live in `.gantry/cache/objects/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::fingerprint::Parts;
use super::outputs::OutputFile;
use crate::fsutil::write_atomic;
use crate::record::STATE_DIR;

/// Bumped when the entry format or fingerprint recipe changes.
pub const FORMAT: u32 = 3;

/// Entries kept per action: enough to go back a few changes and restore.
const KEEP: usize = 4;

/// What a successful run of an action recorded.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    /// [`FORMAT`] at the time of writing.
    pub format: u32,
    /// The fingerprint it is filed under.
    pub fingerprint: String,
    /// The parts of the fingerprint, to explain a difference.
    pub parts: Parts,
    /// The run that recorded it.
    pub run_id: String,
    /// The action's named outputs in that run, reported again when it is skipped.
    #[serde(default)]
    pub outputs: BTreeMap<String, String>,
    /// The files under its `outputs:` after that run.
    #[serde(default)]
    pub files: BTreeMap<String, OutputFile>,
}

/// The cache directory of the pipeline whose state lives in `state_root`.
pub fn cache_dir(state_root: &Path) -> PathBuf {
    state_root.join(STATE_DIR).join("cache")
}

/// The folder of one action's entries.
pub fn action_dir(state_root: &Path, stage: &str, action: &str) -> PathBuf {
    cache_dir(state_root).join(stage).join(action)
}

/// Entries and input lists of very large trees are far beyond the 16 MiB
/// of config files; still bounded, and never a special file.
pub const MAX_READ: u64 = 1 << 30;

fn read<T: serde::de::DeserializeOwned>(path: &Path) -> Option<T> {
    serde_json::from_slice(&crate::fsutil::read_limited(path, MAX_READ).ok()?).ok()
}

/// The entry recorded for `fingerprint`, if there is a readable one.
pub fn load(dir: &Path, fingerprint: &str) -> Option<Entry> {
    read::<Entry>(&dir.join(format!("{fingerprint}.json")))
        .filter(|e| e.format == FORMAT && e.fingerprint == fingerprint)
}

/// The newest entry.
pub fn load_last(dir: &Path) -> Option<Entry> {
    let name = crate::fsutil::read_to_string(&dir.join("last")).ok()?;
    load(dir, name.trim())
}

/// The input files (path → content id) of the newest entry.
pub fn load_last_inputs(dir: &Path) -> BTreeMap<String, String> {
    read(&dir.join("last.inputs.json")).unwrap_or_default()
}

/// Stores `entry` as the newest, with its input files; each file is written
/// atomically, `last` last, so a reader never sees it without the rest.
/// Returns whether older entries were dropped (their kept outputs may be
/// garbage now: see [`collect_garbage`]).
pub fn save(dir: &Path, entry: &Entry, inputs: &BTreeMap<String, String>) -> std::io::Result<bool> {
    std::fs::create_dir_all(dir)?;
    let name = format!("{}.json", entry.fingerprint);
    write_atomic(&dir.join(name), &serde_json::to_vec(entry)?, None)?;
    write_atomic(
        &dir.join("last.inputs.json"),
        &serde_json::to_vec(inputs)?,
        None,
    )?;
    write_atomic(&dir.join("last"), entry.fingerprint.as_bytes(), None)?;
    Ok(prune(dir))
}

/// Rewrites an existing entry (e.g. with the stat data of restored files).
pub fn update(dir: &Path, entry: &Entry) -> std::io::Result<()> {
    let name = format!("{}.json", entry.fingerprint);
    write_atomic(&dir.join(name), &serde_json::to_vec(entry)?, None)
}

/// Keeps the newest [`KEEP`] entries of an action; whether it dropped any.
fn prune(dir: &Path) -> bool {
    let Ok(read) = std::fs::read_dir(dir) else {
        return false;
    };
    let mut entries: Vec<(std::time::SystemTime, PathBuf)> = read
        .flatten()
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.ends_with(".json") && name != "last.inputs.json"
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if entries.len() <= KEEP {
        return false;
    }
    entries.sort();
    for (_, path) in &entries[..entries.len() - KEEP] {
        let _ = std::fs::remove_file(path);
    }
    true
}

/// Deletes kept outputs that no entry of any action refers to any more.
pub fn collect_garbage(cache_dir: &Path) {
    let mut referenced = std::collections::HashSet::new();
    let stages = std::fs::read_dir(cache_dir).into_iter().flatten().flatten();
    for action in stages.flat_map(|s| std::fs::read_dir(s.path()).into_iter().flatten().flatten()) {
        for file in std::fs::read_dir(action.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            if let Some(entry) = read::<Entry>(&file.path()) {
                referenced.extend(entry.files.into_values().map(|f| f.digest));
            }
        }
    }
    let objects = cache_dir.join("objects");
    for head in std::fs::read_dir(&objects).into_iter().flatten().flatten() {
        for object in std::fs::read_dir(head.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let digest = format!(
                "{}{}",
                head.file_name().to_string_lossy(),
                object.file_name().to_string_lossy()
            );
            if !referenced.contains(&digest) {
                let _ = std::fs::remove_file(object.path());
            }
        }
    }
}

/// Deletes every entry and kept output; returns whether there was a cache.
pub fn clean(state_root: &Path) -> std::io::Result<bool> {
    let dir = cache_dir(state_root);
    if !dir.exists() {
        return Ok(false);
    }
    std::fs::remove_dir_all(dir)?;
    Ok(true)
}
