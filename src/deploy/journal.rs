//! The intent log of one instance's Install, so that no file is lost when
//! gantry is killed, the disk fills up or Ctrl-C stops a deployment.
//!
//! Before Install touches the instance, every change it is about to make is
//! appended to `.gantry/deployments/<group>/<deployment>/<instance>.journal`
//! and the log is fsync'd: files and links moved away (clean-up of the last
//! Install, OVERWRITE) with where they were put, saved copies moved back,
//! empty directories removed, paths created, and the mode and owner of
//! existing paths before `permissions` changes them. Entries are written in
//! batches, each one before its changes start, so a `created` entry is only
//! ever logged once the files moved away before it are gone from their place.
//!
//! [`undo`] walks the log backwards and puts the instance back exactly as it
//! was; it can run any number of times. A journal is deleted once its
//! deployment has finished with the instance; one still there belongs to a
//! deployment that did not finish, and the next `gantry deploy` undoes it.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::paths::{self, show};
use super::permissions::is_superuser;
use super::store::InstanceState;

/// The file name suffix of journals.
const SUFFIX: &str = ".journal";

/// Mode and owner of a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    /// Permission bits.
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
}

impl Meta {
    /// The mode and owner of `path` (not following a final link).
    pub fn of(path: &Path) -> Option<Meta> {
        fs::symlink_metadata(path).ok().map(|m| Meta {
            mode: m.permissions().mode() & 0o7777,
            uid: m.uid(),
            gid: m.gid(),
        })
    }
}

/// One logged change; paths are relative to the instance root.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Entry {
    /// The first line: whose journal this is, and the instance's record in
    /// `state.json` before the deployment.
    Begin {
        /// The instance's name.
        instance: String,
        /// The deployment.
        deployment: String,
        /// The instance root (real path).
        root: PathBuf,
        /// The instance's state before the deployment.
        previous: Option<InstanceState>,
    },
    /// A file or link moved from `path` to `saved`.
    MovedOut {
        /// Where it was.
        path: PathBuf,
        /// Where it went (absolute).
        saved: PathBuf,
    },
    /// A saved file moved back from `saved` to `path`.
    MovedIn {
        /// Where it went.
        path: PathBuf,
        /// Where it was (absolute).
        saved: PathBuf,
    },
    /// An empty directory removed.
    Removed {
        /// The directory.
        path: PathBuf,
        /// Its mode and owner.
        meta: Meta,
    },
    /// A path created.
    Created {
        /// The path.
        path: PathBuf,
        /// Whether it is a directory.
        dir: bool,
    },
    /// An installed file left in place: the new revision holds it with the
    /// same bytes, mode, time and owner (nothing to undo; it is neither
    /// moved aside nor rewritten).
    Kept {
        /// The path.
        path: PathBuf,
    },
    /// An existing path whose mode or owner changes.
    Changed {
        /// The path.
        path: PathBuf,
        /// Its mode and owner before.
        meta: Meta,
    },
}

/// An open journal.
pub struct Journal {
    file: File,
    /// Its path.
    pub path: PathBuf,
}

impl Journal {
    /// Starts the journal at `path` with its `Begin` entry.
    pub fn begin(path: PathBuf, begin: &Entry) -> Result<Journal, String> {
        let file = OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .open(&path)
            .map_err(|e| format!("cannot create the journal {}: {e}", path.display()))?;
        let mut journal = Journal { file, path };
        journal.log(std::slice::from_ref(begin))?;
        sync_dir(journal.path.parent());
        Ok(journal)
    }

    /// Appends `entries` and waits until they are on disk.
    pub fn log(&mut self, entries: &[Entry]) -> Result<(), String> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut buf = Vec::new();
        for entry in entries {
            serde_json::to_writer(&mut buf, entry).map_err(|e| e.to_string())?;
            buf.push(b'\n');
        }
        self.file
            .write_all(&buf)
            .and_then(|()| self.file.sync_data())
            .map_err(|e| {
                format!(
                    "cannot write the journal {} (nothing was changed for these entries): {e}",
                    self.path.display()
                )
            })
    }

    /// The deployment is done with the instance: the journal's path, for
    /// [`super::saving::Saver::finished`] to delete it once the instance's
    /// record is on disk.
    pub fn into_path(self) -> PathBuf {
        self.path
    }
}

/// Deletes the journal at `path`, without waiting for the disk. The
/// clean-up's copies set aside beside it stay for [`remove_aside`]: while
/// the journal may still be on disk, undoing it needs them (deleted first, a
/// kill in between left an instance with neither revision's files).
pub fn remove(path: &Path) {
    let _ = fs::remove_file(path);
}

/// Deletes the clean-up's copies set aside beside the journal at `path`
/// (`<instance>.aside`), once the journal's deletion is on disk.
pub fn remove_aside(path: &Path) {
    let _ = fs::remove_dir_all(path.with_extension("aside"));
}

/// Deletes the undone journal at `path`, then the clean-up's copies beside it.
pub fn discard(path: &Path) {
    remove(path);
    sync_dir(path.parent());
    remove_aside(path);
}

pub(super) fn sync_dir(dir: Option<&Path>) {
    if let Some(dir) = dir {
        let _ = crate::fsutil::sync_dir(dir);
    }
}

/// The journal of `instance` in the deployment folder `dep_dir`.
pub fn path(dep_dir: &Path, instance: &str) -> PathBuf {
    dep_dir.join(format!("{instance}{SUFFIX}"))
}

/// Journals left in the group's state folder `state` by deployments that
/// did not finish, oldest deployment first.
pub fn unfinished(state: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(state)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("d-"))
        .flat_map(|e| fs::read_dir(e.path()).into_iter().flatten().flatten())
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(SUFFIX))
        .collect();
    found.sort();
    found
}

/// Whether the deployment folder `dir` holds a journal (it is never pruned then).
pub fn has_journal(dir: &Path) -> bool {
    fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| e.file_name().to_string_lossy().ends_with(SUFFIX))
}

/// What [`undo`] did.
#[derive(Debug, Default)]
pub struct Undone {
    /// The instance.
    pub instance: String,
    /// The interrupted deployment.
    pub deployment: String,
    /// Its root.
    pub root: PathBuf,
    /// The instance's state before the deployment.
    pub previous: Option<InstanceState>,
    /// Files and links put back.
    pub restored: usize,
    /// Paths the deployment created, removed.
    pub removed: usize,
    /// Modes and owners put back, directories recreated.
    pub modes: usize,
}

impl Undone {
    /// `put back 3 files, removed 12 paths, restored 1 mode`.
    pub fn describe(&self) -> String {
        use crate::error::plural;
        format!(
            "put back {}, removed {} it had created, restored {}",
            plural(self.restored, "file"),
            plural(self.removed, "path"),
            plural(self.modes, "mode")
        )
    }
}

/// Puts the instance of the journal at `path` back as it was before the
/// journal's deployment, newest change first. A torn last line (gantry
/// killed while writing it) is ignored: its changes had not started.
pub fn undo(path: &Path) -> Result<Undone, String> {
    let text = fs::read_to_string(path)
        .map_err(|e| format!("cannot read the journal {}: {e}", path.display()))?;
    let mut entries: Vec<Entry> = text
        .lines()
        .map_while(|line| serde_json::from_str(line).ok())
        .collect();
    if entries.is_empty() {
        return Ok(Undone::default());
    }
    let Entry::Begin {
        instance,
        deployment,
        root,
        previous,
    } = entries.remove(0)
    else {
        return Err(format!(
            "the journal {} does not start with its instance",
            path.display()
        ));
    };
    let mut undone = Undone {
        instance,
        deployment,
        root,
        previous,
        ..Undone::default()
    };
    // Where each path was moved out, in log order: a path created after its
    // original was moved out holds the original again once that is put back
    // (an undo run before, then killed), and must not be removed again.
    let mut moved_out: HashMap<&Path, Vec<(usize, &Path)>> = HashMap::new();
    for (i, entry) in entries.iter().enumerate() {
        if let Entry::MovedOut { path, saved } = entry {
            moved_out.entry(path).or_default().push((i, saved));
        }
    }
    let root = undone.root.clone();
    if !root.is_dir() {
        return Err(format!(
            "the instance root {} of the unfinished deployment {} is missing; the files it moved away are kept in {} (mount or recreate the root, then run `gantry deploy --recover`)",
            root.display(),
            undone.deployment,
            path.parent().unwrap_or(Path::new(".")).display()
        ));
    }
    for (i, entry) in entries.iter().enumerate().rev() {
        if let Entry::Created { path, .. } = entry {
            let put_back = moved_out
                .get(path.as_path())
                .and_then(|m| m.iter().rev().find(|(at, _)| *at < i))
                .is_some_and(|(_, saved)| fs::symlink_metadata(saved).is_err());
            if put_back {
                continue;
            }
        }
        undo_one(&root, entry, &mut undone)?;
    }
    Ok(undone)
}

fn undo_one(root: &Path, entry: &Entry, undone: &mut Undone) -> Result<(), String> {
    // The path on the instance, when its parent is (or, created, would be) inside the root.
    let at = |rel: &Path| -> Option<PathBuf> {
        let mut parent = root.join(rel.parent().unwrap_or(Path::new("")));
        while fs::symlink_metadata(&parent).is_err() && parent.pop() {}
        let inside = paths::plain_relative(rel)
            && fs::canonicalize(&parent).is_ok_and(|p| p.starts_with(root));
        inside.then(|| root.join(rel))
    };
    let exists = |p: &Path| fs::symlink_metadata(p).is_ok();
    let fail = |what: &str, rel: &Path, e: std::io::Error| {
        format!(
            "cannot {what} {} while restoring the instance: {e}",
            show(rel)
        )
    };
    match entry {
        Entry::Begin { .. } | Entry::Kept { .. } => {}
        Entry::Created { path, dir } => {
            let Some(full) = at(path) else { return Ok(()) };
            let removed = match fs::symlink_metadata(&full) {
                Ok(m) if *dir && m.is_dir() => fs::remove_dir(&full).is_ok(),
                Ok(m) if !*dir && !m.is_dir() => {
                    fs::remove_file(&full).map_err(|e| fail("remove", path, e))?;
                    true
                }
                _ => false,
            };
            undone.removed += usize::from(removed);
        }
        Entry::Changed { path, meta } => {
            if let Some(full) = at(path).filter(|p| exists(p)) {
                set_meta(&full, *meta).map_err(|e| fail("restore the mode of", path, e))?;
                undone.modes += 1;
            }
        }
        Entry::Removed { path, meta } => {
            if let Some(full) = at(path).filter(|p| !exists(p)) {
                fs::create_dir(&full).map_err(|e| fail("recreate", path, e))?;
                set_meta(&full, *meta).map_err(|e| fail("restore the mode of", path, e))?;
                undone.modes += 1;
            }
        }
        Entry::MovedOut { path, saved } => {
            let Some(full) = at(path) else { return Ok(()) };
            if !exists(saved) {
                return Ok(()); // never moved
            }
            // When both are there (a move by copy whose original was not yet
            // removed), the original stays; the saved copy is never deleted here.
            if !exists(&full) {
                move_file(saved, &full).map_err(|e| fail("put back", path, e))?;
                undone.restored += 1;
            }
        }
        Entry::MovedIn { path, saved } => {
            let Some(full) = at(path) else { return Ok(()) };
            // Both there: a move by copy not finished, or undone already and
            // an older file put back since; either way nothing is removed.
            if !exists(saved) && exists(&full) {
                move_file(&full, saved).map_err(|e| fail("set aside again", path, e))?;
            }
        }
    }
    Ok(())
}

fn set_meta(path: &Path, meta: Meta) -> std::io::Result<()> {
    if is_superuser() {
        std::os::unix::fs::lchown(path, Some(meta.uid), Some(meta.gid))?;
    }
    if !fs::symlink_metadata(path)?.file_type().is_symlink() {
        fs::set_permissions(path, fs::Permissions::from_mode(meta.mode))?;
    }
    Ok(())
}

/// Moves a file or link from `from` to `to` (parents created): a rename,
/// or across file systems a copy to `to` made complete before `from` is
/// removed, so that at any moment one whole copy exists.
pub fn move_file(from: &Path, to: &Path) -> std::io::Result<()> {
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent)?;
    }
    match fs::rename(from, to) {
        Ok(()) => return Ok(()),
        Err(e) if e.raw_os_error() != Some(rustix::io::Errno::XDEV.raw_os_error()) => {
            return Err(e)
        }
        Err(_) => {}
    }
    let partial = to.with_file_name(format!(
        "{}.partial",
        to.file_name().unwrap_or_default().to_string_lossy()
    ));
    let _ = fs::remove_file(&partial);
    let meta = fs::symlink_metadata(from)?;
    if meta.file_type().is_symlink() {
        std::os::unix::fs::symlink(fs::read_link(from)?, &partial)?;
    } else {
        // Mode and times kept; a FIFO or device is refused, never read.
        super::copy::copy_one(from, &partial)?;
    }
    if is_superuser() {
        std::os::unix::fs::lchown(&partial, Some(meta.uid()), Some(meta.gid()))?;
    }
    fs::rename(&partial, to)?;
    match fs::remove_file(from) {
        Err(e) if e.kind() != ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_torn_last_line_is_ignored_and_undo_is_repeatable() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        let saved = dir.path().join("saved/f");
        fs::create_dir_all(&root).unwrap();
        fs::write(root.join("f"), "hand-placed").unwrap();
        let journal_path = dir.path().join("1.journal");
        let mut journal = Journal::begin(
            journal_path.clone(),
            &Entry::Begin {
                instance: "1".into(),
                deployment: "d-1".into(),
                root: root.clone(),
                previous: None,
            },
        )
        .unwrap();
        journal
            .log(&[Entry::MovedOut {
                path: "f".into(),
                saved: saved.clone(),
            }])
            .unwrap();
        move_file(&root.join("f"), &saved).unwrap();
        journal
            .log(&[Entry::Created {
                path: "f".into(),
                dir: false,
            }])
            .unwrap();
        fs::write(root.join("f"), "new").unwrap();
        fs::OpenOptions::new()
            .append(true)
            .open(&journal_path)
            .unwrap()
            .write_all(b"{\"op\":\"crea")
            .unwrap();
        for _ in 0..2 {
            undo(&journal_path).unwrap();
            assert_eq!(fs::read_to_string(root.join("f")).unwrap(), "hand-placed");
        }
    }
}
