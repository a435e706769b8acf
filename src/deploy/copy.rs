//! Copying files fast: a reflink (`FICLONE`) where the filesystem shares
//! extents (btrfs, XFS), else `std::io::copy` between files
//! (copy_file_range on Linux, so the kernel moves the data), several files at
//! a time, mode and timestamps kept (rule 20). Also the DownloadBundle copy
//! of a revision, which hard-links a file the previous bundle already holds
//! byte for byte (bundles are gantry's own and never written after).

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use super::links::Links;
use super::paths::check_link;
use super::stamps::{Entry, Linked, NewContent, Record, Shape, Stamp, Vouching};

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

/// What [`copy_files`] did.
#[derive(Debug, Default)]
pub struct Copied {
    /// Bytes copied.
    pub bytes: u64,
    /// Per job, the stamp of the file it wrote, when it vouches (see
    /// [`super::stamps`]).
    pub stamps: Vec<Option<Stamp>>,
}

/// Copies every file of `jobs`, in parallel; returns the bytes copied and
/// each written file's stamp (taken as `vouching` says), or the first
/// error. Destinations are created new, never written through.
/// With `links` (a bundle that hard-links the revision's files), a source
/// file that changed since it was linked is an error naming it.
pub fn copy_files(
    jobs: &[FileCopy],
    links: Option<&Links>,
    vouching: &Vouching,
) -> Result<Copied, String> {
    let stamps: Vec<OnceLock<Stamp>> = jobs.iter().map(|_| OnceLock::new()).collect();
    let bytes = in_parallel(jobs, |i, job| {
        let (src, meta) = open_source(&job.from)?;
        if let Some(links) = links {
            links
                .check(&job.from, &meta)
                .map_err(|why| io::Error::other(Refused(why)))?;
        }
        let (n, written) = copy_open_stat(src, &meta, &job.to)?;
        if let Some(stamp) = vouching.written(&written) {
            let _ = stamps[i].set(stamp);
        }
        Ok(n)
    })?;
    Ok(Copied {
        bytes,
        stamps: stamps.into_iter().map(OnceLock::into_inner).collect(),
    })
}

/// Runs `each` over `jobs` on a bounded pool; returns the sum of what it
/// returned or the first error.
fn in_parallel(
    jobs: &[FileCopy],
    each: impl Fn(usize, &FileCopy) -> io::Result<u64> + Sync,
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
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else {
                        break;
                    };
                    match each(i, job) {
                        Ok(n) => {
                            bytes.fetch_add(n, Ordering::Relaxed);
                        }
                        Err(e) => {
                            failed.store(true, Ordering::Relaxed);
                            let why = match e.get_ref().and_then(|r| r.downcast_ref::<Refused>()) {
                                Some(refused) => refused.0.clone(),
                                None => format!(
                                    "cannot copy {} to {}: {e}",
                                    job.from.display(),
                                    job.to.display()
                                ),
                            };
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

/// A deployment step refused for a reason that is the whole message (a
/// linked bundle file that changed, a bundle a later deployment changed):
/// not an I/O error, and nothing was written.
#[derive(Debug)]
pub(super) struct Refused(pub(super) String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

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

/// Open flags of a file only read: no final link followed, never blocking
/// (a FIFO), never becoming the controlling terminal.
const NO_FOLLOW_NO_BLOCK: i32 = (rustix::fs::OFlags::NONBLOCK.bits()
    | rustix::fs::OFlags::NOCTTY.bits()
    | rustix::fs::OFlags::NOFOLLOW.bits()) as i32;

/// Opens the regular file `path` for reading without following a final
/// link, and returns it with its metadata (one `statx`). Callers know the
/// path as a regular file (from its directory listing or the plan); the
/// open is non-blocking and the type checked on the open file, so a FIFO
/// or device that replaced it since is refused, never read.
fn open_source(path: &Path) -> io::Result<(File, fs::Metadata)> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(NO_FOLLOW_NO_BLOCK)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    Ok((file, meta))
}

/// Copies one regular file, keeping its mode and timestamps.
pub(super) fn copy_one(from: &Path, to: &Path) -> io::Result<u64> {
    let (src, meta) = open_source(from)?;
    copy_open(src, &meta, to, None).map(|(n, _)| n)
}

/// Copies the open regular file `src` (whose metadata is `meta`) to the
/// new file `to`: per file one open, one clone or copy, one chmod and one
/// timestamp update, as `cp -a` does. With `umask` (what decides the new
/// file's mode, see [`crate::fsutil::umask_of`]), a file whose mode it
/// leaves whole is created with that mode and needs no chmod. Returns the
/// bytes copied and the new file.
fn copy_open(
    src: File,
    meta: &fs::Metadata,
    to: &Path,
    umask: Option<u32>,
) -> io::Result<(u64, File)> {
    let mode = mode_of(meta);
    // Set-id bits are set after the data; a file others may write is kept
    // private until its data is in.
    let exact = umask.is_some_and(|umask| mode & (umask | 0o7022) == 0);
    let mut dst = create(to, if exact { mode } else { 0o600 })?;
    let n = copy_contents(src, meta, &mut dst)?;
    if !exact {
        dst.set_permissions(fs::Permissions::from_mode(mode))?;
    }
    dst.set_times(times_of(meta)?)?;
    Ok((n, dst))
}

/// [`copy_open`], returning the new file's metadata after the copy (for
/// its stamp) instead of the file. The file is created with its final
/// mode, and changed only when that did not give it (the umask or a
/// default ACL took bits away, or a set-id bit, which is set after the
/// data): one `fstat` instead of one `chmod`.
fn copy_open_stat(src: File, meta: &fs::Metadata, to: &Path) -> io::Result<(u64, fs::Metadata)> {
    let mode = mode_of(meta);
    // Set-id bits are set after the data; a file others may write is kept
    // private until its data is in (and stamped).
    let private = mode & 0o7022 != 0;
    let dst = &mut create(to, if private { 0o600 } else { mode })?;
    let n = copy_contents(src, meta, dst)?;
    dst.set_times(times_of(meta)?)?;
    let written = dst.metadata()?;
    if written.permissions().mode() & 0o7777 == mode {
        return Ok((n, written));
    }
    dst.set_permissions(fs::Permissions::from_mode(mode))?;
    Ok((n, dst.metadata()?))
}

/// Creates the new file `to` (never through a link) with `mode`.
fn create(to: &Path, mode: u32) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(to)
}

/// Clones or copies `src` (metadata `meta`) into `dst`; the bytes copied.
fn copy_contents(mut src: File, meta: &fs::Metadata, dst: &mut File) -> io::Result<u64> {
    if clone(&src, dst) {
        Ok(meta.len())
    } else {
        copy_data(&mut src, dst, meta.len())
    }
}

/// The permission bits (with set-id and sticky bits) a copy gets.
fn mode_of(meta: &fs::Metadata) -> u32 {
    meta.permissions().mode() & 0o7777
}

/// The access and modification times a copy gets.
fn times_of(meta: &fs::Metadata) -> io::Result<fs::FileTimes> {
    Ok(fs::FileTimes::new()
        .set_accessed(meta.accessed()?)
        .set_modified(meta.modified()?))
}

/// Copies `size` bytes (the size the source had when opened) from `src` to
/// `dst` with `copy_file_range`, so the kernel moves the data; it stops
/// once `size` bytes are copied, without a last call to see the end.
/// Where the kernel cannot (another file system on old kernels, special
/// file systems), it falls back to a copy through user space.
fn copy_data(src: &mut File, dst: &mut File, size: u64) -> io::Result<u64> {
    use rustix::io::Errno;
    let mut copied = 0u64;
    while copied < size {
        let want = usize::try_from(size - copied).unwrap_or(usize::MAX);
        match rustix::fs::copy_file_range(&*src, None, &*dst, None, want) {
            Ok(0) => break, // the file shrank since it was opened
            Ok(n) => copied += n as u64,
            Err(Errno::INTR) => {}
            Err(Errno::XDEV | Errno::NOSYS | Errno::INVAL | Errno::OPNOTSUPP | Errno::PERM)
                if copied == 0 =>
            {
                return io::copy(src, dst);
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(copied)
}

/// An earlier bundle that owns its files, and its record of them.
pub struct Earlier<'a> {
    /// The bundle folder.
    pub dir: &'a Path,
    /// Its record ([`super::stamps`]).
    pub record: &'a Record,
    /// When that record was written (its modification time: seconds,
    /// nanoseconds), just after the bundle was made and before any hook
    /// ran: a bundle file changed since has a later change time.
    pub recorded_at: Option<(i64, i64)>,
}

/// What [`copy_revision`] did.
#[derive(Debug, Default)]
pub struct Bundled {
    /// Bytes written.
    pub bytes: u64,
    /// Files linked from the earlier bundle.
    pub reused: usize,
    /// Of those, the ones its record vouched for (not read).
    pub vouched: usize,
    /// The new bundle's record: each regular file's content id and the
    /// stamp of the revision file it came from.
    pub record: Record,
}

/// Copies the revision `from` into the new directory `to` (DownloadBundle):
/// directories, files and symlinks, leaving out `exclude` (gantry's state
/// directory). Symlinks are copied as links and refused when absolute or
/// leading out of the revision (rules 16, 20). A file that `previous` (an
/// earlier bundle that owns its files) holds at the same path with the same
/// bytes, mode and modification time is hard-linked from there instead of
/// written again; when the earlier bundle's record vouches that the
/// revision file is the one it copied (same stamp), without reading it.
/// With `links` (`bundle: link`), each regular file is hard-linked from the
/// revision instead and its stamp recorded there (a file that cannot be
/// linked, such as on another file system, is copied).
pub fn copy_revision(
    from: &Path,
    to: &Path,
    exclude: &Path,
    previous: Option<Earlier<'_>>,
    links: Option<&mut Links>,
) -> Result<Bundled, String> {
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
    let umask = crate::fsutil::umask_of(to);
    let linking = links.is_some();
    let linked = Mutex::new(Vec::new());
    let recorded = Mutex::new(Vec::with_capacity(files.len()));
    let reused = AtomicUsize::new(0);
    let vouched = AtomicUsize::new(0);
    let vouching = Vouching::for_dir(from);
    let ids = NewContent::new();
    let record = |rel: &str, entry: Entry| {
        lock(&recorded).push((rel.to_string(), entry));
    };
    let bytes = in_parallel(&files, |_, job| {
        let rel = job.to.strip_prefix(to).ok();
        let key = rel.and_then(Path::to_str);
        if linking && key.is_some() && fs::hard_link(&job.from, &job.to).is_ok() {
            // Stamped after linking, which moves the change time.
            let meta = fs::symlink_metadata(&job.to)?;
            if meta.is_file() {
                let rel = rel.map(Path::to_path_buf).unwrap_or_default();
                lock(&linked).push((rel, Stamp::of(&meta)));
                return Ok(0);
            }
            fs::remove_file(&job.to)?;
        }
        let earlier = previous.as_ref().zip(rel);
        let known = earlier.zip(key).and_then(|((e, _), key)| e.record.get(key));
        if let (Some((earlier, rel)), Some(entry)) = (earlier, known) {
            let theirs = earlier.dir.join(rel);
            if vouched_unchanged(entry, &job.from)
                && still_a_copy(entry, &theirs, earlier.recorded_at)
                && fs::hard_link(&theirs, &job.to).is_ok()
            {
                let linked = just_linked(&job.to)?;
                record(key.unwrap_or_default(), Entry { linked, ..*entry });
                reused.fetch_add(1, Ordering::Relaxed);
                vouched.fetch_add(1, Ordering::Relaxed);
                return Ok(0);
            }
        }
        let (src, meta) = open_source(&job.from)?;
        let stamp = vouching.observed(&meta);
        if let Some((earlier, rel)) = earlier {
            let theirs = earlier.dir.join(rel);
            if same_content(&src, &meta, &theirs, false)?.is_some() {
                fs::hard_link(&theirs, &job.to)?;
                let linked = just_linked(&job.to)?;
                if let Some(key) = key {
                    // The bytes were just compared: the id names them. (A
                    // mode gantry gave the earlier file since, rule 44, is
                    // Install's to compare.)
                    let content = known.map_or_else(|| ids.at(key), |e| e.content);
                    let seen = stamp.is_none().then(|| Shape::of(&meta));
                    record(
                        key,
                        Entry {
                            content,
                            stamp,
                            seen,
                            linked,
                        },
                    );
                }
                reused.fetch_add(1, Ordering::Relaxed);
                return Ok(0);
            }
        }
        let (n, _) = copy_open(src, &meta, &job.to, umask)?;
        if let Some(key) = key {
            record(
                key,
                Entry {
                    content: ids.at(key),
                    stamp,
                    // A copy keeps the size, modification time and mode
                    // (which a stamp holds already).
                    seen: stamp.is_none().then(|| Shape::of(&meta)),
                    linked: None,
                },
            );
        }
        Ok(n)
    })?;
    if let Some(links) = links {
        links
            .files
            .extend(linked.into_inner().unwrap_or_else(|e| e.into_inner()));
    }
    for (dir, mode) in modes.iter().rev() {
        let _ = fs::set_permissions(dir, fs::Permissions::from_mode(*mode | 0o700));
    }
    let files = recorded.into_inner().unwrap_or_else(|e| e.into_inner());
    Ok(Bundled {
        bytes,
        reused: reused.into_inner(),
        vouched: vouched.into_inner(),
        record: Record {
            files: if linking {
                Default::default()
            } else {
                files.into_iter().collect()
            },
        },
    })
}

/// The bundle file `path`, just hard-linked from an earlier bundle (see
/// [`Linked`]).
fn just_linked(path: &Path) -> io::Result<Option<Linked>> {
    Ok(Some(Linked::of(&fs::symlink_metadata(path)?)))
}

/// Whether the revision file `path` is still the version `entry` recorded
/// a vouching stamp of (one `statx`, nothing read).
fn vouched_unchanged(entry: &Entry, path: &Path) -> bool {
    entry.stamp.is_some_and(|stamp| {
        fs::symlink_metadata(path)
            .is_ok_and(|meta| meta.is_file() && stamp.unchanged(&Stamp::of(&meta)))
    })
}

/// Whether the bundle file `path` still looks like the copy of the revision
/// file `entry` recorded: a regular file (not a link) with its size,
/// modification time and mode, last changed before its bundle's record was
/// written (`recorded_at`). A hook may change bundle files
/// (`$GANTRY_BUNDLE`), even keeping their size and modification time
/// (`touch -r`); one that did is not linked into the next bundle by stat
/// data, and its content id is not carried. A change in the same clock
/// tick as the record counts as later: that file is compared.
fn still_a_copy(entry: &Entry, path: &Path, recorded_at: Option<(i64, i64)>) -> bool {
    use std::os::unix::fs::MetadataExt;
    entry.stamp.is_some_and(|stamp| {
        fs::symlink_metadata(path).is_ok_and(|meta| {
            meta.is_file()
                && (meta.size(), (meta.mtime(), meta.mtime_nsec()), meta.mode())
                    == (stamp.size, stamp.mtime, stamp.mode.0)
                && recorded_at.is_some_and(|at| (meta.ctime(), meta.ctime_nsec()) < at)
        })
    })
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The jobs of `pairs` (a bundle file `from`, an installed file `to`) whose
/// installed file already is what copying would make: a regular file with
/// the same bytes, mode, modification time and owner, by index in `pairs`;
/// each with the stamp of the installed file when it vouches. Compared several at a time; a
/// file that cannot be read counts as different.
/// With `links`, a bundle file that changed since it was linked is an error.
pub fn already_there(
    pairs: &[FileCopy],
    links: Option<&Links>,
    vouching: &Vouching,
) -> Result<Vec<(usize, Option<Stamp>)>, String> {
    let same = Mutex::new(Vec::new());
    in_parallel(pairs, |i, job| {
        let Ok((src, meta)) = open_source(&job.from) else {
            return Ok(0);
        };
        if let Some(links) = links {
            links
                .check(&job.from, &meta)
                .map_err(|why| io::Error::other(Refused(why)))?;
        }
        if let Ok(Some(theirs)) = same_content(&src, &meta, &job.to, true) {
            lock(&same).push((i, vouching.observed(&theirs)));
        }
        Ok(0)
    })?;
    Ok(same.into_inner().unwrap_or_else(|e| e.into_inner()))
}

/// Whether `other` is a regular file (not a link) with the same size, mode,
/// modification time (and with `owner`, owner and group) as the open
/// regular file `file` (metadata `meta`), and then the same bytes; if so,
/// `other`'s metadata, read before its bytes. `other` is looked at before
/// it is opened, so a device there is never opened.
fn same_content(
    file: &File,
    meta: &fs::Metadata,
    other: &Path,
    owner: bool,
) -> io::Result<Option<fs::Metadata>> {
    use std::os::unix::fs::MetadataExt;
    let Ok(theirs) = fs::symlink_metadata(other) else {
        return Ok(None);
    };
    if !theirs.file_type().is_file()
        || theirs.len() != meta.len()
        || theirs.mode() != meta.mode()
        || theirs.mtime() != meta.mtime()
        || theirs.mtime_nsec() != meta.mtime_nsec()
        || (owner && (theirs.uid(), theirs.gid()) != (meta.uid(), meta.gid()))
    {
        return Ok(None);
    }
    let Ok(open) = OpenOptions::new()
        .read(true)
        .custom_flags(NO_FOLLOW_NO_BLOCK)
        .open(other)
    else {
        return Ok(None);
    };
    Ok(same_bytes(file, &open)?.then_some(theirs))
}

/// Whether the open files `a` and `b` hold the same bytes (read by offset,
/// so neither file's position moves: `a` may be copied next).
fn same_bytes(a: &File, b: &File) -> io::Result<bool> {
    let (mut x, mut y) = (vec![0u8; 64 * 1024], vec![0u8; 64 * 1024]);
    let mut at = 0u64;
    loop {
        let n = read_full_at(a, &mut x, at)?;
        if n != read_full_at(b, &mut y, at)? || x[..n] != y[..n] {
            return Ok(false);
        }
        if n == 0 {
            return Ok(true);
        }
        at += n as u64;
    }
}

/// Reads at offset `at` until `buf` is full or the file ends; returns how
/// much was read.
fn read_full_at(file: &File, buf: &mut [u8], at: u64) -> io::Result<usize> {
    use std::os::unix::fs::FileExt;
    let mut filled = 0;
    while filled < buf.len() {
        match file.read_at(&mut buf[filled..], at + filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jobs(n: usize) -> Vec<FileCopy> {
        (0..n)
            .map(|i| FileCopy {
                from: PathBuf::from(format!("d{}/f{i}", i / 10)),
                to: PathBuf::from(format!("out/f{i}")),
            })
            .collect()
    }

    #[test]
    fn every_job_runs_once() {
        for n in [0, 1, 2, 3, 7, 100, 1001] {
            let jobs = jobs(n);
            let seen = Mutex::new(vec![0u32; n]);
            let total = in_parallel(&jobs, |i, job| {
                assert_eq!(job.to, PathBuf::from(format!("out/f{i}")));
                lock(&seen)[i] += 1;
                Ok(i as u64)
            })
            .unwrap();
            assert_eq!(total, (0..n as u64).sum::<u64>(), "{n} jobs");
            assert!(lock(&seen).iter().all(|&c| c == 1), "{n} jobs");
        }
    }

    #[test]
    fn a_copy_keeps_every_mode_bit_whatever_the_umask_takes() {
        let dir = tempfile::tempdir().unwrap();
        for (i, mode) in [
            0o644, 0o600, 0o755, 0o666, 0o777, 0o444, 0o4755, 0o2750, 0o1777, 0,
        ]
        .into_iter()
        .enumerate()
        {
            let from = dir.path().join(format!("from{i}"));
            fs::write(&from, format!("content {i}")).unwrap();
            fs::set_permissions(&from, fs::Permissions::from_mode(mode)).unwrap();
            let (src, meta) = open_source(&from).unwrap();
            let to = dir.path().join(format!("to{i}"));
            let (n, written) = copy_open_stat(src, &meta, &to).unwrap();
            assert_eq!(n, meta.len());
            assert_eq!(written.permissions().mode() & 0o7777, mode, "{mode:o}");
            let now = fs::symlink_metadata(&to).unwrap();
            assert_eq!(now.permissions().mode() & 0o7777, mode, "{mode:o}");
            assert_eq!(Stamp::of(&now), Stamp::of(&written), "{mode:o}");
            assert_eq!(now.modified().unwrap(), meta.modified().unwrap());
            assert_eq!(fs::read(&to).unwrap(), fs::read(&from).unwrap());
        }
    }

    #[test]
    fn a_bundle_keeps_every_mode_bit_whatever_the_umask_takes() {
        let dir = tempfile::tempdir().unwrap();
        let (from, to) = (dir.path().join("rev"), dir.path().join("bundle"));
        fs::create_dir_all(from.join("sub")).unwrap();
        let modes = [0o644, 0o600, 0o755, 0o666, 0o777, 0o444, 0o4755, 0o2750, 0];
        for (i, mode) in modes.into_iter().enumerate() {
            let file = from.join(format!("sub/f{i}"));
            fs::write(&file, format!("content {i}")).unwrap();
            fs::set_permissions(&file, fs::Permissions::from_mode(mode)).unwrap();
        }
        let done = copy_revision(&from, &to, &dir.path().join("none"), None, None).unwrap();
        assert_eq!(done.record.files.len(), modes.len());
        for (i, mode) in modes.into_iter().enumerate() {
            let copy = fs::symlink_metadata(to.join(format!("sub/f{i}"))).unwrap();
            assert_eq!(copy.permissions().mode() & 0o7777, mode, "{mode:o}");
        }
    }

    #[test]
    fn an_error_names_its_files() {
        let jobs = jobs(1000);
        let err = in_parallel(&jobs, |i, _| {
            if i == 3 {
                Err(io::Error::other("disk full"))
            } else {
                Ok(0)
            }
        })
        .unwrap_err();
        assert_eq!(err, "cannot copy d0/f3 to out/f3: disk full");
    }
}
