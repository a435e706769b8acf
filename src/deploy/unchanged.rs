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
//! time and owner, and the same bytes. The bytes are known without reading
//! them when the instance's record vouches for the file (see
//! [`super::stamps`]: the bundle file's content id is the one the file was
//! installed from, and the file's stat data is what Install recorded);
//! otherwise they are compared byte for byte, a read from the page cache
//! rather than a write. A file a hook or a user changed since fails the
//! check and is written again.
//!
//! A kept file is logged in the Install journal as `kept`: undoing the
//! journal leaves it alone (it holds the bytes it held before), and it is
//! neither moved aside by the clean-up nor counted as created. It stays in
//! the clean-up list, as do the folders of the last Install that hold kept
//! files, so a later revision without them still removes them.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use super::copy::{already_there, FileCopy};
use super::install::Plan;
use super::paths::{self, Root};
use super::stamps::{Entry, Record, Stamp, Vouching};
use super::store::InstanceState;

/// What Install leaves in place.
#[derive(Debug, Default)]
pub struct Unchanged {
    /// Paths relative to the root: files and the folders holding them.
    pub paths: HashSet<PathBuf>,
    /// Of the files, those whose stamp vouches for their bytes, for the
    /// instance's next record ([`super::stamps`]).
    pub stamps: Record,
    /// Files known unchanged by the record alone (not read).
    pub vouched: usize,
}

/// The paths (relative to the root) Install leaves in place: files that
/// already hold what `plan` installs there, and the folders of the last
/// Install that contain them. A file the instance's record (`stamps`, from
/// the last Install) vouches for — the bundle file has the recorded content
/// id and the installed file is the stamped version — is not read; any
/// other is compared byte for byte.
/// A linked bundle file (`bundle: link`) that changed since it was linked
/// is an error.
pub fn unchanged(
    root: &Root,
    plan: &Plan,
    previous: &InstanceState,
    stamps: &Record,
    vouching: &Vouching,
) -> Result<Unchanged, String> {
    let installed: HashSet<&Path> = previous
        .installed
        .iter()
        .filter(|i| !i.dir)
        .map(|i| i.path.as_path())
        .collect();
    let replaced: HashSet<&Path> = previous.replaced.iter().map(|r| r.path.as_path()).collect();
    let mut safe_parents: HashSet<&Path> = HashSet::new();
    // Compared byte for byte: the copies, and each one's target and content id.
    let (mut jobs, mut candidates) = (Vec::new(), Vec::new());
    let mut done = Unchanged::default();
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
        let content = plan.content_of(from);
        let key = target.to_str();
        let entry = key.and_then(|k| stamps.get(k));
        if let Some(entry) = vouched(root, (from, plan.origins_at), target, content, entry) {
            done.paths.insert(target.clone());
            done.stamps
                .files
                .insert(key.unwrap_or_default().to_string(), entry);
            done.vouched += 1;
            continue;
        }
        jobs.push(FileCopy {
            from: from.clone(),
            to: root.path.join(target),
        });
        candidates.push((target, content));
    }
    for (i, stamp) in already_there(&jobs, plan.linked.as_ref(), vouching)? {
        let (target, content) = candidates[i];
        if let (Some(key), Some(content), Some(stamp)) = (target.to_str(), content, stamp) {
            let entry = Entry {
                content,
                stamp: Some(stamp),
                seen: None,
                linked: None,
            };
            done.stamps.files.insert(key.to_string(), entry);
        }
        done.paths.insert(target.clone());
    }
    let installed_dirs: HashSet<&Path> = previous
        .installed
        .iter()
        .filter(|i| i.dir)
        .map(|i| i.path.as_path())
        .collect();
    let planned_dirs: HashSet<&Path> = plan.dirs.iter().map(PathBuf::as_path).collect();
    let folders: Vec<PathBuf> = done
        .paths
        .iter()
        .flat_map(|file| file.ancestors().skip(1))
        .filter(|dir| installed_dirs.contains(dir) && planned_dirs.contains(dir))
        .map(Path::to_path_buf)
        .collect();
    done.paths.extend(folders);
    Ok(done)
}

/// The record's entry for the installed file `target` when it vouches
/// that the file holds the bytes of the bundle file `from` (content id
/// `content`): same content id, the bundle file still the regular file of
/// that size, modification time, mode and owner, last changed before the
/// bundle's record was written (`recorded_at`: a hook may have changed it
/// through `$GANTRY_BUNDLE`, even putting its size and modification time
/// back), and the installed file still the stamped version (two `statx`;
/// nothing read).
fn vouched(
    root: &Root,
    (from, recorded_at): (&Path, Option<(i64, i64)>),
    target: &Path,
    content: Option<u64>,
    entry: Option<&Entry>,
) -> Option<Entry> {
    use std::os::unix::fs::MetadataExt;
    let entry = entry.filter(|e| Some(e.content) == content)?;
    let stamp = entry.stamp?;
    let bundle = fs::symlink_metadata(from).ok()?;
    let theirs = Stamp::of(&bundle);
    if !bundle.is_file()
        || (theirs.size, theirs.mtime, theirs.mode) != (stamp.size, stamp.mtime, stamp.mode)
        || recorded_at.is_none_or(|at| (bundle.ctime(), bundle.ctime_nsec()) >= at)
    {
        return None;
    }
    let meta = fs::symlink_metadata(root.path.join(target)).ok()?;
    (meta.is_file() && stamp.unchanged(&Stamp::of(&meta))).then_some(*entry)
}
