//! Copying files fast: `std::io::copy` between files (copy_file_range on
//! Linux, so the kernel moves the data), several files at a time, mode and
//! timestamps kept (rule 20). Also the DownloadBundle copy of a revision.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

use super::paths::check_link;

/// At most this many files are copied at the same time.
const MAX_WORKERS: usize = 8;

/// One file to copy: `from` (a regular file) to `to` (which must not exist).
#[derive(Clone, Debug)]
pub struct FileCopy {
    /// Source path.
    pub from: PathBuf,
    /// Destination path.
    pub to: PathBuf,
}

/// Copies every file of `jobs`, in parallel; returns the bytes copied or
/// the first error. Destinations are created new, never written through.
pub fn copy_files(jobs: &[FileCopy]) -> Result<u64, String> {
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(2, MAX_WORKERS)
        .min(jobs.len().max(1));
    let next = AtomicUsize::new(0);
    let bytes = AtomicU64::new(0);
    let failed = AtomicBool::new(false);
    let error = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while !failed.load(Ordering::Relaxed) {
                    let Some(job) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) else {
                        break;
                    };
                    match copy_one(&job.from, &job.to) {
                        Ok(n) => {
                            bytes.fetch_add(n, Ordering::Relaxed);
                        }
                        Err(e) => {
                            failed.store(true, Ordering::Relaxed);
                            let why = format!(
                                "cannot copy {} to {}: {e}",
                                job.from.display(),
                                job.to.display()
                            );
                            error
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .get_or_insert(why);
                        }
                    }
                }
            });
        }
    });
    match error.into_inner().unwrap_or_else(|e| e.into_inner()) {
        Some(why) => Err(why),
        None => Ok(bytes.into_inner()),
    }
}

/// Copies one regular file, keeping its mode and timestamps.
fn copy_one(from: &Path, to: &Path) -> io::Result<u64> {
    let mut src = File::open(from)?;
    let meta = src.metadata()?;
    let mut dst = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(to)?;
    let n = io::copy(&mut src, &mut dst)?;
    dst.set_permissions(fs::Permissions::from_mode(
        meta.permissions().mode() & 0o7777,
    ))?;
    let times = fs::FileTimes::new()
        .set_accessed(meta.accessed()?)
        .set_modified(meta.modified()?);
    dst.set_times(times)?;
    Ok(n)
}

/// Copies the revision `from` into the new directory `to` (DownloadBundle):
/// directories, files and symlinks, leaving out `exclude` (gantry's state
/// directory). Symlinks are copied as links and refused when absolute or
/// leading out of the revision (rules 16, 20).
pub fn copy_revision(from: &Path, to: &Path, exclude: &Path) -> Result<u64, String> {
    // Compared as canonical paths: `--revision .` must not copy `.gantry/` into itself.
    let from =
        &fs::canonicalize(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    let exclude = &fs::canonicalize(exclude).unwrap_or_else(|_| exclude.to_path_buf());
    let mut files = Vec::new();
    let mut dirs = vec![PathBuf::new()];
    let mut modes = Vec::new();
    while let Some(rel) = dirs.pop() {
        let dir = from.join(&rel);
        let meta = fs::metadata(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        fs::create_dir_all(to.join(&rel))
            .map_err(|e| format!("cannot create {}: {e}", to.join(&rel).display()))?;
        modes.push((to.join(&rel), meta.permissions().mode() & 0o7777));
        let entries =
            fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
            let child = rel.join(entry.file_name());
            let kind = entry
                .file_type()
                .map_err(|e| format!("cannot read {}: {e}", entry.path().display()))?;
            if entry.path() == *exclude {
                continue;
            }
            if kind.is_symlink() {
                let target = fs::read_link(entry.path())
                    .map_err(|e| format!("cannot read link {}: {e}", entry.path().display()))?;
                check_link(&child, &target)?;
                std::os::unix::fs::symlink(&target, to.join(&child))
                    .map_err(|e| format!("cannot copy link {}: {e}", child.display()))?;
            } else if kind.is_dir() {
                dirs.push(child);
            } else if kind.is_file() {
                files.push(FileCopy {
                    from: entry.path(),
                    to: to.join(&child),
                });
            }
        }
    }
    let bytes = copy_files(&files)?;
    for (dir, mode) in modes.iter().rev() {
        let _ = fs::set_permissions(dir, fs::Permissions::from_mode(*mode | 0o700));
    }
    Ok(bytes)
}
