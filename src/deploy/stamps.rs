//! Stat data that vouches for a file's bytes, so that deploying a revision
//! that differs in one file reads and writes only that file.
//!
//! Where gantry copies a file it records the file's stamp (inode, size,
//! modification and change times, mode and owner): DownloadBundle for each
//! revision file it copies into the kept bundle (`<deployment>/origins`),
//! Install for each file it writes into an instance
//! (`<group>/stamps/<instance>`). Each entry also names the bytes by a
//! content id, made new when a bundle writes new bytes and carried along
//! when a later bundle links the same file from an earlier one. While a
//! file's stat data is still exactly its stamp, it holds the recorded bytes:
//! any write, truncation, chmod or `touch -r` moves the change time, which
//! no user can set.
//!
//! A stamp vouches only when a later change cannot leave the change time
//! equal: the file system hands out a finer timestamp to a change made after
//! the change time was read (multigrain timestamps: Linux 6.13 and later on
//! ext4, XFS, btrfs and tmpfs), or the change time was already two seconds
//! old when read (git's "racily clean" rule, which covers coarse clocks). A
//! stamp that does not vouch is not recorded: that file's bytes are compared
//! the next time, and the comparison records one that does.
//!
//! The records are hints, checked against the files each time: a missing,
//! stale or damaged record costs a byte comparison, never a wrong file.

use foldhash::HashMap;
use std::fs::Metadata;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// What identifies one version of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// Inode number.
    pub ino: u64,
    /// Size in bytes.
    pub size: u64,
    /// Modification time (seconds, nanoseconds).
    pub mtime: (i64, i64),
    /// Mode, owner and group.
    pub mode: (u32, u32, u32),
    /// Change time (seconds, nanoseconds): an edit or a chmod moves it,
    /// and so does adding or removing a link to the file.
    pub ctime: (i64, i64),
    /// Links to the file when stamped.
    pub nlink: u64,
}

impl Stamp {
    /// The stamp of a file's metadata.
    pub fn of(meta: &Metadata) -> Stamp {
        Stamp {
            ino: meta.ino(),
            size: meta.size(),
            mtime: (meta.mtime(), meta.mtime_nsec()),
            mode: (meta.mode(), meta.uid(), meta.gid()),
            ctime: (meta.ctime(), meta.ctime_nsec()),
            nlink: meta.nlink(),
        }
    }

    /// Whether `now` is this version of the file, unchanged since stamped
    /// (a new link to it moves the change time too).
    pub fn unchanged(&self, now: &Stamp) -> bool {
        (self.ino, self.size, self.mtime, self.mode, self.ctime)
            == (now.ino, now.size, now.mtime, now.mode, now.ctime)
    }
}

/// What a bundle file looked like when DownloadBundle wrote or linked it:
/// its size, modification time and mode (with the file type). A hook that
/// writes the file changes at least its modification time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// Size in bytes.
    pub size: u64,
    /// Modification time (seconds, nanoseconds).
    pub mtime: (i64, i64),
    /// `st_mode`.
    pub mode: u32,
}

impl Shape {
    /// The shape of a file's metadata.
    pub fn of(meta: &Metadata) -> Shape {
        Shape {
            size: meta.size(),
            mtime: (meta.mtime(), meta.mtime_nsec()),
            mode: meta.mode(),
        }
    }
}

/// Stat data of a change older than this vouches: a change within the same
/// timestamp tick as the one read, or a write whose data was still being
/// copied when its change time was read, would otherwise go unseen.
const SETTLE: Duration = Duration::from_secs(2);

/// Whether stamps read from now on, on one file system, vouch for bytes.
#[derive(Clone, Copy, Debug)]
pub struct Vouching {
    /// The file system's device: a file on another one (a mount below) is
    /// not vouched for.
    dev: Option<u64>,
    /// The file system gives a change after a read a newer change time.
    multigrain: bool,
    /// Otherwise, change times before this (seconds, nanoseconds) vouch.
    settled_before: (i64, i64),
}

impl Vouching {
    /// For the file system holding `dir`, from now on. Only file systems
    /// whose change times are known to move with every change (ext4, XFS,
    /// btrfs, tmpfs) vouch at all: FAT, for one, has no change time.
    pub fn for_dir(dir: &Path) -> Vouching {
        let limit = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .saturating_sub(SETTLE);
        let known = known_file_system(dir);
        let dev = known
            .then(|| std::fs::metadata(dir).ok().map(|m| m.dev()))
            .flatten();
        Vouching {
            dev,
            multigrain: known && kernel_has_multigrain_timestamps(),
            settled_before: (limit.as_secs() as i64, i64::from(limit.subsec_nanos())),
        }
    }

    /// The stamp of a file gantry has just written and no one else writes
    /// (`meta`, read after its last change), when it vouches: at once with
    /// multigrain timestamps (whose nanoseconds show the file system keeps
    /// them: ext4 with small inodes keeps whole seconds), else once settled.
    pub fn written(&self, meta: &Metadata) -> Option<Stamp> {
        let stamp = self.on_this_file_system(meta)?;
        let fine = self.multigrain && stamp.ctime.1 != 0;
        (fine || stamp.ctime < self.settled_before).then_some(stamp)
    }

    /// The stamp of a file someone else may be writing (a revision file, an
    /// installed file compared with the bundle), when it vouches: only once
    /// its last change is [`SETTLE`] old, since `write(2)` moves the change
    /// time before it copies the data.
    pub fn observed(&self, meta: &Metadata) -> Option<Stamp> {
        let stamp = self.on_this_file_system(meta)?;
        (stamp.ctime < self.settled_before).then_some(stamp)
    }

    fn on_this_file_system(&self, meta: &Metadata) -> Option<Stamp> {
        (self.dev == Some(meta.dev())).then(|| Stamp::of(meta))
    }
}

/// Whether `dir` is on ext4, XFS, btrfs or tmpfs.
fn known_file_system(dir: &Path) -> bool {
    const EXT4: u32 = 0xEF53;
    const XFS: u32 = 0x5846_5342;
    const BTRFS: u32 = 0x9123_683E;
    const TMPFS: u32 = 0x0102_1994;
    // The magic is a signed 32-bit or a 64-bit field depending on the
    // architecture; its low 32 bits are the file system's number.
    rustix::fs::statfs(dir).is_ok_and(|fs| matches!(fs.f_type as u32, EXT4 | XFS | BTRFS | TMPFS))
}

/// Whether this kernel gives a change made after an inode's times were
/// read a fine-grained change time (multigrain timestamps, Linux 6.13 and
/// later, on ext4, XFS, btrfs and tmpfs).
fn kernel_has_multigrain_timestamps() -> bool {
    static KERNEL: OnceLock<bool> = OnceLock::new();
    *KERNEL.get_or_init(|| {
        let uname = rustix::system::uname();
        kernel_has_multigrain(&uname.release().to_string_lossy())
    })
}

/// Whether a kernel release (`6.13.0-1-amd64`) is 6.13 or later.
fn kernel_has_multigrain(release: &str) -> bool {
    let mut parts = release
        .split(|c: char| !c.is_ascii_digit())
        .map(|n| n.parse::<u32>().unwrap_or(0));
    let major = parts.next().unwrap_or(0);
    let minor = parts.next().unwrap_or(0);
    (major, minor) >= (6, 13)
}

/// Content ids for the bytes one bundle writes new: random (per bundle,
/// then hashed with the path), so no two bundles ever mint the same id,
/// even one whose folder name an earlier, pruned bundle had.
#[derive(Clone, Debug)]
pub struct NewContent {
    /// Random keys.
    keys: std::collections::hash_map::RandomState,
}

impl Default for NewContent {
    fn default() -> Self {
        NewContent::new()
    }
}

impl NewContent {
    /// For a new bundle.
    pub fn new() -> NewContent {
        NewContent {
            keys: std::collections::hash_map::RandomState::new(),
        }
    }

    /// The id of the bytes written at `rel`.
    pub fn at(&self, rel: &str) -> u64 {
        use std::hash::BuildHasher;
        self.keys.hash_one(rel)
    }
}

/// A bundle file's change time and number of links just after
/// DownloadBundle hard-linked it from an earlier bundle: an edit that keeps
/// size, modification time and mode (`cp -p`, `touch -r`) still moves the
/// change time (see [`super::sharing`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Linked {
    /// Change time (seconds, nanoseconds).
    pub ctime: (i64, i64),
    /// Links to the file then.
    pub nlink: u64,
}

impl Linked {
    /// Of a file's metadata.
    pub fn of(meta: &Metadata) -> Linked {
        Linked {
            ctime: (meta.ctime(), meta.ctime_nsec()),
            nlink: meta.nlink(),
        }
    }

    /// Whether a file now `meta` is as it was: the change time is compared
    /// only while the number of links is what it was, as in `links::same`
    /// (the next bundle linking the file, or one pruned, moves it without
    /// changing the file).
    pub fn unchanged(&self, meta: &Metadata) -> bool {
        meta.nlink() != self.nlink || (meta.ctime(), meta.ctime_nsec()) == self.ctime
    }
}

/// One recorded file: the content id of its bytes, and a stamp of the file
/// that held them when recorded (when it vouched).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Names the bytes.
    pub content: u64,
    /// The file's stat data then.
    pub stamp: Option<Stamp>,
    /// Without a stamp (only then), the file's shape then, when known (a
    /// bundle's record knows it: see [`super::sharing`]).
    pub seen: Option<Shape>,
    /// In a bundle's record, for a file linked from an earlier bundle: the
    /// bundle file just after linking.
    pub linked: Option<Linked>,
}

impl Entry {
    /// The file's size, modification time and mode when recorded.
    pub fn shape(&self) -> Option<Shape> {
        self.stamp
            .map(|s| Shape {
                size: s.size,
                mtime: s.mtime,
                mode: s.mode.0,
            })
            .or(self.seen)
    }
}

/// Marks the record of the bundle folder `bundle`, just written, as the
/// moment the bundle was complete: its modification time is set to now by
/// the kernel after its times were read, which on a kernel with multigrain
/// timestamps (Linux 6.13+) gives it a fine-grained time that every later
/// change of any file is not earlier than, and every earlier change is
/// before. (Otherwise the time is the clock tick's, and files changed in
/// the same tick count as changed since: compared, never trusted.)
pub fn mark_recorded(bundle: &Path) -> std::io::Result<()> {
    use rustix::fs::{statx, utimensat, AtFlags, StatxFlags, Timespec, Timestamps, CWD};
    let path = bundle_record(bundle);
    statx(
        CWD,
        &path,
        AtFlags::empty(),
        StatxFlags::MTIME | StatxFlags::CTIME,
    )?;
    let now = Timespec {
        tv_sec: 0,
        tv_nsec: rustix::fs::UTIME_NOW,
    };
    let omit = Timespec {
        tv_sec: 0,
        tv_nsec: rustix::fs::UTIME_OMIT,
    };
    utimensat(
        CWD,
        &path,
        &Timestamps {
            last_access: omit,
            last_modification: now,
        },
        AtFlags::empty(),
    )?;
    Ok(())
}

/// When the record of the bundle folder `bundle` was written (its
/// modification time: seconds, nanoseconds): just after DownloadBundle
/// made the bundle, before any hook ran, so a bundle file whose change
/// time is not earlier may have been changed by a hook.
pub fn recorded_at(bundle: &Path) -> Option<(i64, i64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(bundle_record(bundle))
        .ok()
        .map(|m| (m.mtime(), m.mtime_nsec()))
}

/// Recorded files by path (relative, UTF-8: others are not recorded).
#[derive(Debug, Default)]
pub struct Record {
    /// The entries.
    pub files: HashMap<String, Entry>,
}

/// The first bytes of a record file (and its format's version).
const MAGIC: &[u8; 8] = b"gstamp2\n";

/// The first bytes of a record of the first format, without [`Linked`].
const MAGIC_1: &[u8; 8] = b"gstamp1\n";

/// Bytes of an entry after its path: content id, then the stamp's fields
/// (an inode of 0, which no file has, for no stamp: then size,
/// modification time and mode are the shape seen, a mode of 0 for none),
/// then [`Linked`] (a link count of 0 for none), little-endian.
const FIELDS: usize = 8 * 14;

/// [`FIELDS`] of the first format.
const FIELDS_1: usize = 8 * 11;

impl Record {
    /// The entry of `rel`.
    pub fn get(&self, rel: &str) -> Option<&Entry> {
        self.files.get(rel)
    }

    /// Reads the record at `path`; empty when it is missing or damaged.
    pub fn load(path: &Path) -> Record {
        // Larger than gantry's usual read cap: a revision of 200,000 files
        // has a record of about 25 MiB.
        crate::fsutil::read_limited(path, 256 * 1024 * 1024)
            .ok()
            .and_then(|bytes| Record::decode(&bytes))
            .unwrap_or_default()
    }

    /// Writes the record to `path` (atomically).
    pub fn save(&self, path: &Path) -> Result<(), String> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        crate::fsutil::write_atomic(path, &self.encode(), None)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    }

    /// The record as bytes: a binary file, not JSON, as it is written and
    /// read on every deployment and a 10,000-file revision's record is a
    /// megabyte (JSON took longer to write than the stat calls it saves).
    /// Per entry: the path's length (u32) and bytes, then [`FIELDS`].
    fn encode(&self) -> Vec<u8> {
        let size: usize = self.files.keys().map(|k| 4 + k.len() + FIELDS).sum();
        let mut out = Vec::with_capacity(MAGIC.len() + size);
        out.extend_from_slice(MAGIC);
        for (rel, e) in &self.files {
            let Ok(len) = u32::try_from(rel.len()) else {
                continue;
            };
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(rel.as_bytes());
            let s = e.stamp;
            let shape = e.shape();
            let linked = e.linked;
            let fields: [u64; 14] = [
                e.content,
                s.map_or(0, |s| s.ino),
                shape.map_or(0, |s| s.size),
                shape.map_or(0, |s| s.mtime.0 as u64),
                shape.map_or(0, |s| s.mtime.1 as u64),
                shape.map_or(0, |s| u64::from(s.mode)),
                s.map_or(0, |s| u64::from(s.mode.1)),
                s.map_or(0, |s| u64::from(s.mode.2)),
                s.map_or(0, |s| s.ctime.0 as u64),
                s.map_or(0, |s| s.ctime.1 as u64),
                s.map_or(0, |s| s.nlink),
                linked.map_or(0, |l| l.ctime.0 as u64),
                linked.map_or(0, |l| l.ctime.1 as u64),
                linked.map_or(0, |l| l.nlink),
            ];
            for field in fields {
                out.extend_from_slice(&field.to_le_bytes());
            }
        }
        out
    }

    /// The record in `bytes`; `None` when they are not one.
    fn decode(bytes: &[u8]) -> Option<Record> {
        let (mut rest, size) = match bytes.strip_prefix(MAGIC) {
            Some(rest) => (rest, FIELDS),
            None => (bytes.strip_prefix(MAGIC_1)?, FIELDS_1),
        };
        let mut files = HashMap::default();
        while !rest.is_empty() {
            let (len, tail) = rest.split_first_chunk::<4>()?;
            let len = u32::from_le_bytes(*len) as usize;
            if len.checked_add(size).is_none_or(|n| tail.len() < n) {
                return None;
            }
            let rel = std::str::from_utf8(&tail[..len]).ok()?.to_string();
            let mut f = [0u64; 14];
            for (i, chunk) in tail[len..len + size].chunks_exact(8).enumerate() {
                f[i] = u64::from_le_bytes(chunk.try_into().ok()?);
            }
            let stamp = (f[1] != 0).then(|| Stamp {
                ino: f[1],
                size: f[2],
                mtime: (f[3] as i64, f[4] as i64),
                mode: (f[5] as u32, f[6] as u32, f[7] as u32),
                ctime: (f[8] as i64, f[9] as i64),
                nlink: f[10],
            });
            let seen = (stamp.is_none() && f[5] != 0).then(|| Shape {
                size: f[2],
                mtime: (f[3] as i64, f[4] as i64),
                mode: f[5] as u32,
            });
            let linked = (f[13] != 0).then(|| Linked {
                ctime: (f[11] as i64, f[12] as i64),
                nlink: f[13],
            });
            files.insert(
                rel,
                Entry {
                    content: f[0],
                    stamp,
                    seen,
                    linked,
                },
            );
            rest = &tail[len + size..];
        }
        Some(Record { files })
    }
}

/// Where the record of the bundle at `bundle` is (beside it).
pub fn bundle_record(bundle: &Path) -> PathBuf {
    bundle.with_file_name("origins")
}

/// Where the record of what Install wrote on `instance` is, in the group's
/// state folder `state`.
pub fn instance_record(state: &Path, instance: &str) -> PathBuf {
    state.join("stamps").join(instance)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels_from_6_13_have_multigrain_timestamps() {
        for (release, has) in [
            ("6.13.0", true),
            ("6.18.44-fc-v657", true),
            ("7.0.1", true),
            ("6.12.9-amd64", false),
            ("6.6.0", false),
            ("5.15.0-91-generic", false),
            ("garbage", false),
        ] {
            assert_eq!(kernel_has_multigrain(release), has, "{release}");
        }
    }

    #[test]
    fn a_record_survives_the_disk_and_a_damaged_one_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a");
        std::fs::write(&file, "abc").unwrap();
        let stamp = Stamp::of(&std::fs::symlink_metadata(&file).unwrap());
        let mut record = Record::default();
        record.files.insert(
            "d/a".into(),
            Entry {
                content: 7,
                stamp: Some(stamp),
                seen: None,
                linked: Some(Linked {
                    ctime: (8, 9),
                    nlink: 2,
                }),
            },
        );
        record.files.insert(
            "b".into(),
            Entry {
                content: u64::MAX,
                stamp: None,
                seen: None,
                linked: None,
            },
        );
        record.files.insert(
            "c".into(),
            Entry {
                content: 3,
                stamp: None,
                seen: Some(Shape {
                    size: 4,
                    mtime: (-5, 6),
                    mode: 0o100644,
                }),
                linked: None,
            },
        );
        let path = dir.path().join("x/origins");
        record.save(&path).unwrap();
        assert_eq!(Record::load(&path).files, record.files);
        let whole = std::fs::read(&path).unwrap();
        for cut in [0, 5, whole.len() - 1] {
            std::fs::write(&path, &whole[..cut]).unwrap();
            assert!(Record::load(&path).files.is_empty(), "cut at {cut}");
        }
        assert!(Record::load(&dir.path().join("missing")).files.is_empty());
    }

    #[test]
    fn a_change_that_restores_size_and_mtime_still_changes_the_stamp() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a");
        std::fs::write(&file, "abc").unwrap();
        let meta = std::fs::symlink_metadata(&file).unwrap();
        let before = Stamp::of(&meta);
        std::fs::write(&file, "xyz").unwrap();
        let f = std::fs::File::options().write(true).open(&file).unwrap();
        f.set_modified(meta.modified().unwrap()).unwrap();
        let after = Stamp::of(&std::fs::symlink_metadata(&file).unwrap());
        assert_eq!((before.size, before.mtime), (after.size, after.mtime));
        // Equal only where the change fell into the same clock tick, which a
        // stamp that vouches rules out.
        if Vouching::for_dir(dir.path()).multigrain {
            assert!(!before.unchanged(&after), "{before:?} {after:?}");
        }
    }

    #[test]
    fn a_fresh_change_time_vouches_only_for_a_file_gantry_wrote_with_multigrain_timestamps() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a");
        std::fs::write(&file, "abc").unwrap();
        let meta = std::fs::symlink_metadata(&file).unwrap();
        let here = Vouching::for_dir(dir.path());
        let coarse = Vouching {
            multigrain: false,
            ..here
        };
        assert_eq!(coarse.written(&meta), None, "written just now");
        assert_eq!(coarse.observed(&meta), None, "written just now");
        let fine = Vouching {
            multigrain: true,
            ..here
        };
        assert_eq!(fine.written(&meta), Some(Stamp::of(&meta)));
        assert_eq!(
            fine.observed(&meta),
            None,
            "someone else may still be writing it"
        );
        let later = Vouching {
            settled_before: (meta.ctime() + 3, 0),
            ..coarse
        };
        assert_eq!(later.written(&meta), Some(Stamp::of(&meta)), "settled");
        assert_eq!(later.observed(&meta), Some(Stamp::of(&meta)), "settled");
        let elsewhere = Vouching {
            dev: Some(meta.dev() + 1),
            ..later
        };
        assert_eq!(elsewhere.written(&meta), None, "another file system");
        assert_eq!(elsewhere.observed(&meta), None, "another file system");
    }

    #[test]
    fn new_content_ids_differ_between_bundles() {
        let (a, b) = (NewContent::new(), NewContent::new());
        assert_ne!(a.at("app/x"), b.at("app/x"));
        assert_ne!(a.at("app/x"), a.at("app/y"));
        assert_eq!(a.at("app/x"), a.at("app/x"));
    }
}
