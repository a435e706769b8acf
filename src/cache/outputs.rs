//! An action's output files in the cache: recorded after a passing run
//! (content digest and stat data of each, the content kept in a
//! content-addressed store under `.gantry/cache/objects/`), verified before
//! a cached skip (stat first, content only when the stat differs), and
//! restored from the store when they were changed or deleted.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::files::Scanned;
use super::stat::FileStat;

/// One recorded output file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputFile {
    /// blake3 of the content, or `link:TARGET` for a symbolic link.
    pub digest: String,
    /// Its stat data once recorded.
    pub stat: FileStat,
}

/// What is wrong with an output on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Damage {
    /// It is gone.
    Deleted(String),
    /// Its content differs from the recorded run's.
    Changed(String),
}

impl Damage {
    /// `out/app was deleted`, `out/app was changed`.
    pub fn describe(&self) -> String {
        match self {
            Damage::Deleted(p) => format!("{p} was deleted"),
            Damage::Changed(p) => format!("{p} was changed"),
        }
    }

    fn path(&self) -> &str {
        match self {
            Damage::Deleted(p) | Damage::Changed(p) => p,
        }
    }
}

/// The content-addressed store of output files.
pub struct Objects {
    dir: PathBuf,
}

impl Objects {
    /// The store in `cache_dir`.
    pub fn new(cache_dir: &Path) -> Objects {
        Objects {
            dir: cache_dir.join("objects"),
        }
    }

    fn path(&self, digest: &str) -> PathBuf {
        let (head, tail) = digest.split_at(digest.len().min(2));
        self.dir.join(head).join(tail)
    }

    /// Keeps a copy of `file`'s content under `digest`. A copy, not a hard
    /// link: tools (and people) rewrite outputs in place, which would change
    /// a linked copy too. `std::fs::copy` clones the blocks on file systems
    /// that can (btrfs, XFS).
    fn keep(&self, file: &Path, digest: &str) -> std::io::Result<()> {
        let target = self.path(digest);
        if target.exists() {
            return Ok(());
        }
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = target.with_extension(format!("tmp{}", std::process::id()));
        std::fs::copy(file, &tmp)?;
        std::fs::rename(tmp, target)
    }

    /// Whether the stored content of `digest` is intact (it is read).
    fn intact(&self, digest: &str) -> bool {
        hash(&self.path(digest)).as_deref() == Some(digest)
    }
}

/// Records `files` (found under the action's `outputs:` after it passed),
/// reusing the digest of a file whose stat equals `previous`'s record.
pub fn record(
    root: &Path,
    files: &[Scanned],
    previous: &BTreeMap<String, OutputFile>,
    objects: &Objects,
) -> BTreeMap<String, OutputFile> {
    let mut recorded = BTreeMap::new();
    for file in files {
        let path = root.join(&*file.path);
        let reused = previous
            .get(&*file.path)
            .filter(|p| p.stat == file.stat && objects.path(&p.digest).exists());
        if let Some(same) = reused {
            recorded.insert(file.path.to_string(), same.clone());
            continue;
        }
        let digest = if file.link {
            link_id(&path)
        } else {
            hash(&path).filter(|d| objects.keep(&path, d).is_ok())
        };
        let stat = std::fs::symlink_metadata(&path).map(|m| FileStat::of(&m));
        if let (Some(digest), Ok(stat)) = (digest, stat) {
            recorded.insert(file.path.to_string(), OutputFile { digest, stat });
        }
    }
    recorded
}

/// The recorded outputs that differ on disk; reads only files whose stat
/// data changed.
pub fn verify(root: &Path, recorded: &BTreeMap<String, OutputFile>) -> Vec<Damage> {
    recorded
        .iter()
        .filter_map(|(rel, file)| {
            let path = root.join(rel);
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                return Some(Damage::Deleted(rel.clone()));
            };
            if FileStat::of(&meta) == file.stat {
                return None;
            }
            let now = if meta.file_type().is_symlink() {
                link_id(&path)
            } else {
                hash(&path)
            };
            let same = now.as_deref() == Some(file.digest.as_str())
                && (meta.permissions().mode() & 0o111 != 0) == file.stat.exec;
            (!same).then(|| Damage::Changed(rel.clone()))
        })
        .collect()
}

/// Puts back every damaged output from the store; returns the new stat
/// data of each restored file, or why it could not.
pub fn restore(
    root: &Path,
    recorded: &BTreeMap<String, OutputFile>,
    damage: &[Damage],
    objects: &Objects,
) -> Result<BTreeMap<String, FileStat>, String> {
    let mut restored = BTreeMap::new();
    for d in damage {
        let rel = d.path();
        let Some(file) = recorded.get(rel) else {
            continue;
        };
        let path = root.join(rel);
        let cannot = |why: &str| format!("{} and {why}", d.describe());
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| cannot(&e.to_string()))?;
        }
        let tmp = path.with_file_name(format!(
            ".{}.gantry-restore",
            path.file_name().unwrap_or_default().to_string_lossy()
        ));
        let _ = std::fs::remove_file(&tmp);
        if let Some(target) = file.digest.strip_prefix("link:") {
            std::os::unix::fs::symlink(target, &tmp).map_err(|e| cannot(&e.to_string()))?;
        } else {
            if !objects.intact(&file.digest) {
                return Err(cannot("its kept copy is gone or changed"));
            }
            std::fs::copy(objects.path(&file.digest), &tmp).map_err(|e| cannot(&e.to_string()))?;
            let mode = if file.stat.exec { 0o755 } else { 0o644 };
            let _ = std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(mode));
        }
        std::fs::rename(&tmp, &path).map_err(|e| cannot(&e.to_string()))?;
        if let Ok(meta) = std::fs::symlink_metadata(&path) {
            restored.insert(rel.to_string(), FileStat::of(&meta));
        }
    }
    Ok(restored)
}

/// The content id of the symbolic link `path`: `link:TARGET`.
pub(crate) fn link_id(path: &Path) -> Option<String> {
    let target = std::fs::read_link(path).ok()?;
    Some(format!("link:{}", target.display()))
}

/// The content digest of the regular file `path` (`None`: unreadable, gone
/// or not a regular file, so a FIFO never blocks).
pub(crate) fn hash(path: &Path) -> Option<String> {
    let mut hasher = blake3::Hasher::new();
    hasher
        .update_reader(crate::fsutil::open_regular(path).ok()?)
        .ok()?;
    Some(hasher.finalize().to_hex().to_string())
}
