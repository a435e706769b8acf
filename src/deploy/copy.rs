//! Copying files fast: a reflink (`FICLONE`) where the filesystem shares
//! extents (btrfs, XFS), else `std::io::copy` between files
//! (copy_file_range on Linux, so the kernel moves the data), several files at
//! a time, mode and timestamps kept (rule 20). Also the DownloadBundle copy
//! of a revision, which hard-links a file the previous bundle already holds
//! byte for byte (bundles are gantry's own and never written after).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

use super::paths::check_link;
use crate::fsutil;

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
    in_parallel(jobs, |job| copy_one(&job.from, &job.to))
}

/// Runs `each` over `jobs` on a bounded pool; returns the sum of what it
/// returned or the first error.
fn in_parallel(
    jobs: &[FileCopy],
    each: impl Fn(&FileCopy) -> io::Result<u64> + Sync,
) -> Result<u64, String> {
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
                    match each(job) {
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

/// Cleared once the filesystem says it cannot reflink, so a copy does not
/// ask again for every file.
static REFLINKS: AtomicBool = AtomicBool::new(true);

/// Makes `dst` share `src`'s extents; false when the filesystem cannot.
fn clone(src: &File, dst: &File) -> bool {
    if !REFLINKS.load(Ordering::Relaxed) {
        return false;
    }
    match rustix::fs::ioctl_ficlone(dst, src) {
        Ok(()) => true,
        Err(e) => {
            if e != rustix::io::Errno::XDEV {
                REFLINKS.store(false, Ordering::Relaxed);
            }
            false
        }
    }
}

/// Copies one regular file, keeping its mode and timestamps.
fn copy_one(from: &Path, to: &Path) -> io::Result<u64> {
    // Refuses a FIFO or device that replaced a planned file.
    let mut src = fsutil::open_regular(from)?;
    let meta = src.metadata()?;
    let mut dst = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(to)?;
    let n = if clone(&src, &dst) {
        meta.len()
    } else {
        io::copy(&mut src, &mut dst)?
    };
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
/// leading out of the revision (rules 16, 20). A file that `previous` (an
/// earlier bundle) holds at the same path with the same bytes, mode and
/// modification time is hard-linked from there instead of written again.
/// Returns the bytes written.
pub fn copy_revision(
    from: &Path,
    to: &Path,
    exclude: &Path,
    previous: Option<&Path>,
) -> Result<u64, String> {
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
    let bytes = in_parallel(&files, |job| {
        let earlier = previous.and_then(|p| {
            let rel = job.to.strip_prefix(to).ok()?;
            Some(p.join(rel))
        });
        match earlier {
            Some(earlier) if same_file_content(&job.from, &earlier)? => {
                fs::hard_link(&earlier, &job.to)?;
                Ok(0)
            }
            _ => copy_one(&job.from, &job.to),
        }
    })?;
    for (dir, mode) in modes.iter().rev() {
        let _ = fs::set_permissions(dir, fs::Permissions::from_mode(*mode | 0o700));
    }
    Ok(bytes)
}

/// The jobs of `pairs` (a bundle file `from`, an installed file `to`) whose
/// installed file already is what copying would make: a regular file with
/// the same bytes, mode, modification time and owner. Compared several at a
/// time; a file that cannot be read counts as different.
pub fn already_there(pairs: &[FileCopy]) -> Vec<PathBuf> {
    let same = Mutex::new(Vec::new());
    let _ = in_parallel(pairs, |job| {
        if same_file_content(&job.from, &job.to).unwrap_or(false) && same_owner(&job.from, &job.to)
        {
            same.lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(job.to.clone());
        }
        Ok(0)
    });
    same.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// Whether `a` and `b` have the same owner and group (a copy of a bundle
/// file is owned as the bundle file is: both are gantry's writes).
fn same_owner(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::metadata(a), fs::symlink_metadata(b)) {
        (Ok(a), Ok(b)) => a.uid() == b.uid() && a.gid() == b.gid(),
        _ => false,
    }
}

/// Whether `earlier` is a regular file (not a link) with the same bytes,
/// mode and modification time as the regular file `file`.
fn same_file_content(file: &Path, earlier: &Path) -> io::Result<bool> {
    let Ok(theirs) = fs::symlink_metadata(earlier) else {
        return Ok(false);
    };
    let ours = fs::metadata(file)?;
    if !theirs.file_type().is_file()
        || theirs.len() != ours.len()
        || theirs.permissions().mode() != ours.permissions().mode()
        || theirs.modified()? != ours.modified()?
    {
        return Ok(false);
    }
    let (mut a, mut b) = (fsutil::open_regular(file)?, File::open(earlier)?);
    let (mut x, mut y) = (vec![0u8; 64 * 1024], vec![0u8; 64 * 1024]);
    loop {
        let n = read_full(&mut a, &mut x)?;
        if n != read_full(&mut b, &mut y)? || x[..n] != y[..n] {
            return Ok(false);
        }
        if n == 0 {
            return Ok(true);
        }
    }
}

/// Reads until `buf` is full or the file ends; returns how much was read.
fn read_full(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}
