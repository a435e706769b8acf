//! What the cache remembers about a file without reading it: size, mtime,
//! ctime, inode and the executable bit — the stat data git's index trusts.

use std::os::unix::fs::MetadataExt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// A file's stat data. Two equal `FileStat`s of the same path mean the file
/// was not written in between (an edit that restores the old mtime with
/// `touch -r` still changes the ctime).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStat {
    /// Size in bytes.
    pub size: u64,
    /// Modification time: seconds, nanoseconds.
    pub mtime: (i64, u32),
    /// Status change time: seconds, nanoseconds.
    pub ctime: (i64, u32),
    /// Inode number.
    pub ino: u64,
    /// Any executable bit set.
    pub exec: bool,
}

/// Files changed less than this long before they were read may change again
/// within the same timestamp tick, so their content ids are not remembered
/// (git's "racily clean" rule, with a margin for coarse clocks).
const SETTLE: Duration = Duration::from_secs(2);

impl FileStat {
    /// The stat data of `meta`.
    pub fn of(meta: &std::fs::Metadata) -> FileStat {
        FileStat {
            size: meta.size(),
            mtime: (meta.mtime(), meta.mtime_nsec() as u32),
            ctime: (meta.ctime(), meta.ctime_nsec() as u32),
            ino: meta.ino(),
            exec: meta.mode() & 0o111 != 0,
        }
    }

    /// The stat data of a `statx` result (the same fields `of` reads).
    pub fn of_statx(stat: &rustix::fs::Statx) -> FileStat {
        FileStat {
            size: stat.stx_size,
            mtime: (stat.stx_mtime.tv_sec, stat.stx_mtime.tv_nsec),
            ctime: (stat.stx_ctime.tv_sec, stat.stx_ctime.tv_nsec),
            ino: stat.stx_ino,
            exec: stat.stx_mode & 0o111 != 0,
        }
    }

    /// Whether the file was last changed long enough before `now` that a
    /// content id read now may be trusted for as long as the stat is equal.
    pub fn settled(&self, now: SystemTime) -> bool {
        let Ok(now) = now.duration_since(UNIX_EPOCH) else {
            return false;
        };
        let limit = now.saturating_sub(SETTLE);
        let at =
            |(s, ns): (i64, u32)| u64::try_from(s).map_or(Duration::ZERO, |s| Duration::new(s, ns));
        at(self.mtime) < limit && at(self.ctime) < limit
    }
}

#[cfg(test)]
mod tests {
    use super::FileStat;
    use rustix::fs::{AtFlags, StatxFlags, CWD};
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_statx_by_name_reads_what_metadata_reads() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a");
        std::fs::write(&file, "abc").unwrap();
        let tool = dir.path().join("tool");
        std::fs::write(&tool, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink("a", &link).unwrap();
        for path in [&file, &tool, &link] {
            let meta = std::fs::symlink_metadata(path).unwrap();
            let statx = rustix::fs::statx(
                CWD,
                path.as_path(),
                AtFlags::SYMLINK_NOFOLLOW,
                StatxFlags::BASIC_STATS,
            )
            .unwrap();
            assert_eq!(FileStat::of_statx(&statx), FileStat::of(&meta), "{path:?}");
        }
        let tool = std::fs::metadata(&tool).unwrap();
        assert!(FileStat::of(&tool).exec);
    }
}
