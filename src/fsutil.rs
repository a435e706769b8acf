//! File-system helpers shared by everything that writes gantry's state,
//! and the one way gantry reads a file: regular files only, size-limited.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// gantry's directory inside the pipeline root (see `record`).
pub const STATE_DIR: &str = ".gantry";

/// Whether a file or directory named `name` is outside the work tree as
/// gantry sees it: git's repository (`.git`) or gantry's own state
/// ([`STATE_DIR`]). Never an input, never watched, never in a build context.
pub fn is_hidden_name(name: impl AsRef<std::ffi::OsStr>) -> bool {
    let name = name.as_ref();
    name == ".git" || name == STATE_DIR
}

/// Replaces `path` with `bytes` atomically: a temporary file next to it
/// (`.NAME.XXXXXX.tmp`, a random name, so threads and processes writing
/// the same path never share one), then a rename, so a reader never sees
/// half a file and a crash leaves the old one; the last rename wins. `mode`
/// sets the permissions (default: as `fs::write` makes them).
pub fn write_atomic(path: &Path, bytes: &[u8], mode: Option<u32>) -> io::Result<()> {
    replace(path, bytes, mode, false)
}

/// [`write_atomic`], and on disk before it returns: the data is flushed
/// before the rename and the folder after it, so after a crash `path`
/// holds either the old or the new bytes — never an empty or partial
/// file, which a rename alone allows on ext4 without a journal. For
/// state whose loss loses data (a deploy group's history, whose undo
/// journals are deleted once it is written; a user's git hook), not for
/// records a later run rebuilds. An error from flushing the folder comes
/// after the rename: `path` may then hold the new bytes already (writing
/// them again is harmless).
pub fn write_durable(path: &Path, bytes: &[u8], mode: Option<u32>) -> io::Result<()> {
    replace(path, bytes, mode, true)
}

fn replace(path: &Path, bytes: &[u8], mode: Option<u32>, durable: bool) -> io::Result<()> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let prefix = format!(
        ".{}.",
        path.file_name().unwrap_or_default().to_string_lossy()
    );
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        // Like `fs::write` (0666 less the umask), not tempfile's 0600.
        .permissions(fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    if let Some(mode) = mode {
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(mode))?;
    }
    if durable {
        tmp.as_file().sync_all()?;
    }
    // On error the temporary file is removed when `tmp` is dropped.
    tmp.persist(path).map_err(|e| e.error)?;
    if durable {
        sync_dir(dir)?;
    }
    Ok(())
}

/// Flushes the folder `dir` itself to disk: the names created, renamed or
/// removed in it.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// The umask that decides the mode of a file created in the folder `dir`
/// (and in folders created below it): `None` when a default ACL on `dir`
/// decides instead, or the umask cannot be read. A file created with a
/// mode that has no bit of it (and no set-id or sticky bit, which are set
/// after the data) gets exactly that mode: a copy needs no `chmod`.
pub fn umask_of(dir: &Path) -> Option<u32> {
    umask().filter(|_| !default_acl(dir))
}

/// The process's umask, as `/proc/self/status` reports it (reading it with
/// `umask(2)` means setting it, which races other threads).
fn umask() -> Option<u32> {
    static UMASK: std::sync::OnceLock<Option<u32>> = std::sync::OnceLock::new();
    *UMASK.get_or_init(|| {
        let status = fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find_map(|l| l.strip_prefix("Umask:"))?;
        u32::from_str_radix(line.trim(), 8).ok()
    })
}

/// Whether `dir` has a default ACL (any answer but "none" or "not
/// supported" counts as one).
fn default_acl(dir: &Path) -> bool {
    use rustix::io::Errno;
    // A buffer, not an empty one: rustix answers 0 for an empty buffer.
    let mut buf = [0u8; 64];
    !matches!(
        rustix::fs::getxattr(dir, "system.posix_acl_default", &mut buf[..]),
        Err(Errno::NODATA | Errno::NOTSUP)
    )
}

/// Largest file gantry reads whole: `gantry.yml`, AppSpec files, `.env`
/// files, run records and cache entries. Anything bigger is refused
/// rather than loaded into memory.
pub const MAX_READ: u64 = 16 * 1024 * 1024;

/// Opens `path` (following links) for reading if it is a regular file. A
/// FIFO, device, socket or directory is refused by its type before it is
/// opened, so opening never blocks and never reads a device.
pub fn open_regular(path: &Path) -> io::Result<File> {
    not_special(&fs::metadata(path)?)?;
    // Non-blocking, in case a FIFO replaced the file since the check.
    let file = OpenOptions::new()
        .read(true)
        .custom_flags((rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::NOCTTY).bits() as i32)
        .open(path)?;
    not_special(&file.metadata()?)?;
    Ok(file)
}

/// Reads the regular file `path` whole, refusing special files (see
/// [`open_regular`]) and files over [`MAX_READ`] bytes.
/// Empties the file at `path` when it is a regular file of its own (one
/// link), checked on the open file so that nothing swapped in between is
/// touched: `Ok(false)` for a link, another kind of file or a file with
/// other names, which is left as it is; an error when there is none.
pub fn empty_own_file(path: &Path) -> io::Result<bool> {
    use std::os::unix::fs::MetadataExt;
    let file = OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path);
    let file = match file {
        Ok(file) => file,
        // O_NOFOLLOW on a link.
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Ok(false),
        Err(e) => return Err(e),
    };
    let meta = file.metadata()?;
    if !meta.is_file() || meta.nlink() != 1 {
        return Ok(false);
    }
    if meta.len() != 0 {
        file.set_len(0)?;
    }
    Ok(true)
}

pub fn read(path: &Path) -> io::Result<Vec<u8>> {
    read_limited(path, MAX_READ)
}

/// [`read`] as UTF-8 text.
pub fn read_to_string(path: &Path) -> io::Result<String> {
    String::from_utf8(read(path)?).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// Reads the regular file `path` whole if it has at most `limit` bytes.
pub fn read_limited(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = open_regular(path)?;
    let size = file.metadata()?.len();
    if size > limit {
        return Err(too_large(size, limit));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    // One byte more than allowed tells a file that grew since it was measured.
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64, limit));
    }
    Ok(bytes)
}

fn not_special(meta: &fs::Metadata) -> io::Result<()> {
    let kind = meta.file_type();
    let what = if kind.is_file() {
        return Ok(());
    } else if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO (named pipe)"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else {
        "not a regular file"
    };
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("it is {what}, not a regular file"),
    ))
}

fn too_large(size: u64, limit: u64) -> io::Error {
    let mib = |n: u64| n as f64 / (1024.0 * 1024.0);
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "it is {:.1} MiB, more than the {:.0} MiB gantry reads",
            mib(size),
            mib(limit)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_with_a_default_acl_has_no_umask_to_go_by() {
        let dir = tempfile::tempdir().unwrap();
        let status = fs::read_to_string("/proc/self/status").unwrap();
        let line = status
            .lines()
            .find_map(|l| l.strip_prefix("Umask:"))
            .unwrap();
        let umask = u32::from_str_radix(line.trim(), 8).unwrap();
        assert_eq!(umask_of(dir.path()), Some(umask));
        // user::rwx group::r-x other::r-x, in the kernel's xattr layout
        // (version 2, then tag, permissions and id per entry).
        let mut acl = 2u32.to_le_bytes().to_vec();
        for (tag, perm) in [(0x01u16, 7u16), (0x04, 5), (0x20, 5)] {
            acl.extend(tag.to_le_bytes());
            acl.extend(perm.to_le_bytes());
            acl.extend(u32::MAX.to_le_bytes());
        }
        let set = rustix::fs::setxattr(
            dir.path(),
            "system.posix_acl_default",
            &acl,
            rustix::fs::XattrFlags::empty(),
        );
        match set {
            Ok(()) => assert_eq!(umask_of(dir.path()), None),
            Err(e) => {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "cannot set a default ACL: {e}"
                );
                eprintln!("note: no default ACLs on this file system ({e}); that half not checked");
            }
        }
    }

    #[test]
    fn only_a_plain_file_of_its_own_is_emptied_never_what_a_link_names() {
        let dir = tempfile::tempdir().unwrap();
        let own = dir.path().join("own");
        fs::write(&own, "secret=1\n").unwrap();
        assert!(empty_own_file(&own).unwrap());
        assert_eq!(fs::read(&own).unwrap(), b"");
        let target = dir.path().join("target");
        fs::write(&target, "keep\n").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(!empty_own_file(&link).unwrap());
        let hard = dir.path().join("hard");
        fs::hard_link(&target, &hard).unwrap();
        assert!(!empty_own_file(&hard).unwrap());
        assert_eq!(fs::read(&target).unwrap(), b"keep\n");
        let gone = dir.path().join("gone");
        assert_eq!(
            empty_own_file(&gone).unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
    }

    #[test]
    fn replaces_the_file_and_leaves_no_temporary_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        write_atomic(&path, b"one", None).unwrap();
        write_atomic(&path, b"two", Some(0o755)).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o755
        );
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn new_files_get_the_permissions_fs_write_gives() {
        let dir = tempfile::tempdir().unwrap();
        let (ours, theirs) = (dir.path().join("ours"), dir.path().join("theirs"));
        write_atomic(&ours, b"x", None).unwrap();
        fs::write(&theirs, b"x").unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&ours), mode(&theirs));
    }

    #[test]
    fn threads_writing_one_path_at_once_all_succeed_and_one_wins() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let contents: Vec<Vec<u8>> = (0..8).map(|i| vec![b'a' + i; 64 * 1024]).collect();
        let start = std::sync::Barrier::new(contents.len());
        std::thread::scope(|scope| {
            let writers: Vec<_> = contents
                .iter()
                .map(|bytes| {
                    let (path, start) = (&path, &start);
                    scope.spawn(move || {
                        start.wait();
                        (0..20).try_for_each(|_| write_atomic(path, bytes, None))
                    })
                })
                .collect();
            for writer in writers {
                writer.join().unwrap().unwrap();
            }
        });
        let result = fs::read(&path).unwrap();
        assert!(contents.contains(&result), "a mix of writes");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "temporary files left: {names:?}");
    }

    #[test]
    fn reads_refuse_devices_directories_and_large_files() {
        let dir = tempfile::tempdir().unwrap();
        let err = read(Path::new("/dev/zero")).unwrap_err();
        assert!(err.to_string().contains("a device"), "{err}");
        let err = read(dir.path()).unwrap_err();
        assert!(err.to_string().contains("a directory"), "{err}");
        let big = dir.path().join("big");
        File::create(&big).unwrap().set_len(MAX_READ + 1).unwrap();
        let err = read(&big).unwrap_err();
        assert!(err.to_string().contains("more than the 16 MiB"), "{err}");
        assert_eq!(
            read_limited(&big, MAX_READ + 1).unwrap().len() as u64,
            MAX_READ + 1
        );
    }
}
