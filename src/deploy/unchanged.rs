//! Which files of the last Install a new Install leaves in place, so that
//! deploying a revision that differs in one file writes one file.
//!
//! The instance never shares storage with the kept bundle (a hook or a user
//! may change an installed file in place, which would change the bundle a
//! rollback needs), so each Install used to move every file of the last
//! Install aside and write the whole revision again. A file is now left
//! where it is when the last Install put it there (it is in the instance's
//! clean-up list), it is not one the rolled-back Install replaced, its
//! folder is inside the root, and it already is exactly what the copy would
//! make: a regular file with the bundle file's size, mode, modification
//! time and owner, and — compared byte for byte, a read from the page cache
//! rather than a write — the same bytes. A file a hook or a user changed
//! since fails the comparison and is written again.
//!
//! A kept file is logged in the Install journal as `kept`: undoing the
//! journal leaves it alone (it holds the bytes it held before), and it is
//! neither moved aside by the clean-up nor counted as created. It stays in
//! the clean-up list, as do the folders of the last Install that hold kept
//! files, so a later revision without them still removes them.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::copy::{already_there, FileCopy};
use super::install::Plan;
use super::paths::{self, Root};
use super::store::InstanceState;

/// The paths (relative to the root) Install leaves in place: files that
/// already hold what `plan` installs there, and the folders of the last
/// Install that contain them.
/// A linked bundle file (`bundle: link`) that changed since it was linked
/// is an error.
pub fn unchanged(
    root: &Root,
    plan: &Plan,
    previous: &InstanceState,
) -> Result<HashSet<PathBuf>, String> {
    let installed: HashSet<&Path> = previous
        .installed
        .iter()
        .filter(|i| !i.dir)
        .map(|i| i.path.as_path())
        .collect();
    let replaced: HashSet<&Path> = previous.replaced.iter().map(|r| r.path.as_path()).collect();
    let mut safe_parents: HashSet<&Path> = HashSet::new();
    let mut candidates = Vec::new();
    for (from, target) in &plan.files {
        if !installed.contains(target.as_path())
            || replaced.contains(target.as_path())
            || !paths::plain_relative(target)
        {
            continue;
        }
        let parent = target.parent().unwrap_or(Path::new(""));
        if !safe_parents.contains(parent) {
            if !root.dir_inside(parent) {
                continue;
            }
            safe_parents.insert(parent);
        }
        candidates.push(FileCopy {
            from: from.clone(),
            to: root.path.join(target),
        });
    }
    let mut kept: HashSet<PathBuf> = already_there(&candidates, plan.linked.as_ref())?
        .into_iter()
        .filter_map(|full| full.strip_prefix(&root.path).ok().map(Path::to_path_buf))
        .collect();
    let installed_dirs: HashSet<&Path> = previous
        .installed
        .iter()
        .filter(|i| i.dir)
        .map(|i| i.path.as_path())
        .collect();
    let planned_dirs: HashSet<&Path> = plan.dirs.iter().map(PathBuf::as_path).collect();
    let folders: Vec<PathBuf> = kept
        .iter()
        .flat_map(|file| file.ancestors().skip(1))
        .filter(|dir| installed_dirs.contains(dir) && planned_dirs.contains(dir))
        .map(Path::to_path_buf)
        .collect();
    kept.extend(folders);
    Ok(kept)
}
