//! `bundle: link` (a deploy group setting, opt-in): DownloadBundle
//! hard-links the revision's files into the kept bundle instead of copying
//! them, for revision folders that are rebuilt (new files), never edited in
//! place. The bundle then shares each file with the revision folder, so an
//! edit made there in place would change the bundle too. DownloadBundle
//! records every linked file's identity (inode, size, modification time,
//! mode and owner, change time and number of links) in
//! `<deployment>/links.json`; whenever the bundle is used
//! later (Install and the unchanged-file check, as each file is opened;
//! ApplicationStop of a later deployment and a rollback, the whole bundle
//! before anything runs) its files are checked against that record, and a
//! changed one is refused by name instead of run or installed.
//!
//! The AppSpec file and the hook scripts are copied, never linked: a hook
//! script may be made executable (rule 44), which must not change the
//! user's file.

use std::collections::BTreeMap;
use std::fs::{self, Metadata};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::stamps::Stamp;

#[cfg(doc)]
use super::store::GroupState;

/// The record's file name in the deployment folder (beside `revision/`).
const FILE: &str = "links.json";

/// Whether `now` is the linked version `recorded` of a file. The change
/// time is compared only while the number of links is what it was: the
/// next deployment's bundle linking the same file, or an old bundle pruned,
/// moves it without changing the file.
fn same(recorded: &Stamp, now: &Stamp) -> bool {
    (recorded.ino, recorded.size, recorded.mtime, recorded.mode)
        == (now.ino, now.size, now.mtime, now.mode)
        && (recorded.nlink != now.nlink || recorded.ctime == now.ctime)
}

/// The linked files of one bundle, by path relative to it.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Links {
    /// The bundle (not stored: where the record was found).
    #[serde(skip)]
    pub bundle: PathBuf,
    /// Each linked file's stamp.
    pub files: BTreeMap<PathBuf, Stamp>,
    /// The paths of `files` by inode, for a file reached through a linked
    /// folder (built on first need).
    #[serde(skip)]
    by_inode: std::sync::OnceLock<std::collections::HashMap<u64, PathBuf>>,
}

impl Links {
    /// An empty record for the bundle at `bundle`.
    pub fn new(bundle: &Path) -> Links {
        Links {
            bundle: bundle.to_path_buf(),
            files: BTreeMap::new(),
            by_inode: std::sync::OnceLock::new(),
        }
    }

    /// Writes the record beside the bundle.
    pub fn save(&self) -> Result<(), String> {
        let path = record_path(&self.bundle);
        let json = serde_json::to_vec(self).map_err(|e| e.to_string())?;
        crate::fsutil::write_atomic(&path, &json, None)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    }

    /// Checks the bundle file `path` (absolute), whose metadata is `meta`,
    /// against the record: an error naming it when it changed.
    pub fn check(&self, path: &Path, meta: &Metadata) -> Result<(), String> {
        let Ok(rel) = path.strip_prefix(&self.bundle) else {
            return Ok(());
        };
        // Under another name when reached through a folder link (rule 20).
        let rel = if self.files.contains_key(rel) {
            rel
        } else {
            match self.by_inode().get(&meta.ino()) {
                Some(rel) => rel.as_path(),
                None => return Ok(()),
            }
        };
        match self.files.get(rel) {
            Some(stamp) if !same(stamp, &Stamp::of(meta)) => Err(changed(&self.bundle, rel)),
            _ => Ok(()),
        }
    }

    fn by_inode(&self) -> &std::collections::HashMap<u64, PathBuf> {
        self.by_inode.get_or_init(|| {
            self.files
                .iter()
                .map(|(rel, stamp)| (stamp.ino, rel.clone()))
                .collect()
        })
    }

    /// Checks every linked file of the bundle; the first changed one is an error.
    pub fn verify(&self) -> Result<(), String> {
        for (rel, stamp) in &self.files {
            match fs::symlink_metadata(self.bundle.join(rel)) {
                Ok(meta) if meta.is_file() && same(stamp, &Stamp::of(&meta)) => {}
                _ => return Err(changed(&self.bundle, rel)),
            }
        }
        Ok(())
    }

    /// Replaces the linked file `rel` by a copy the bundle owns (the AppSpec
    /// file, hook scripts); nothing when `rel` is not a linked file.
    /// A `rel` that is a link (or goes through one) owns the file it names
    /// in the bundle. The file must still be what was linked.
    pub fn own(&mut self, rel: &Path) -> Result<(), String> {
        let real = fs::canonicalize(self.bundle.join(rel)).ok();
        let inside = fs::canonicalize(&self.bundle)
            .ok()
            .zip(real)
            .and_then(|(bundle, real)| real.strip_prefix(bundle).ok().map(Path::to_path_buf));
        let Some(rel) = inside else {
            return Ok(()); // missing or outside: the hook's own checks say so
        };
        let Some(stamp) = self.files.remove(&rel) else {
            return Ok(());
        };
        self.by_inode = std::sync::OnceLock::new();
        let path = self.bundle.join(&rel);
        let rel = rel.as_path();
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_file() && same(&stamp, &Stamp::of(&meta)) => {}
            _ => return Err(changed(&self.bundle, rel)),
        }
        let copy = path.with_file_name(format!(
            ".{}.gantry-copy",
            path.file_name().unwrap_or_default().to_string_lossy()
        ));
        let _ = fs::remove_file(&copy);
        super::copy::copy_one(&path, &copy)
            .and_then(|_| fs::rename(&copy, &path))
            .map_err(|e| format!("cannot copy {} into the bundle: {e}", rel.display()))
    }
}

/// Where the record of the bundle at `bundle` is.
fn record_path(bundle: &Path) -> PathBuf {
    bundle.with_file_name(FILE)
}

fn changed(bundle: &Path, rel: &Path) -> String {
    let id = bundle
        .parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(
        "{} changed in the revision folder since deployment {id} hard-linked it into its kept bundle (`bundle: link`) (a hook that writes a bundle file in place through $GANTRY_BUNDLE writes the revision folder's file too); gantry does not run or install from changed content: rebuild revision folders with new files instead of editing them in place, or use the default `bundle: copy`",
        rel.display()
    )
}

/// The record of the bundle `bundle_id` (at `bundle`) when it is a linked
/// one (`linked`, from [`GroupState::bundle_linked`]), checked against the
/// files now; `None` for a bundle that owns its files.
pub fn checked(linked: bool, bundle_id: &str, bundle: &Path) -> Result<Option<Links>, String> {
    if !linked {
        return Ok(None);
    }
    let path = record_path(bundle);
    let text = crate::fsutil::read_to_string(&path).map_err(|e| {
        format!(
            "the kept bundle of {bundle_id} hard-links the revision's files (`bundle: link`) and its record of them, {}, cannot be read ({e}); it cannot be checked, so it is not used",
            path.display()
        )
    })?;
    let mut links: Links = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{} is damaged ({e}); the bundle cannot be checked, so it is not used",
            path.display()
        )
    })?;
    links.bundle = bundle.to_path_buf();
    links.verify()?;
    Ok(Some(links))
}
