//! Users and groups of a container instance, read from its own
//! `/etc/passwd` and `/etc/group` (below its mounted root), so that
//! `permissions:` owners are the container's users, not the host's.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};

/// The accounts of one container's file system, each file read at most
/// once (when a name is first looked up in it): one `Accounts` serves all
/// the `permissions:` entries of a deployment to an instance.
pub struct Accounts {
    rootfs: PathBuf,
    passwd: OnceCell<Option<String>>,
    group: OnceCell<Option<String>>,
}

impl Accounts {
    /// The accounts of the container whose root is mounted at `rootfs`.
    pub fn new(rootfs: &Path) -> Accounts {
        Accounts {
            rootfs: rootfs.to_path_buf(),
            passwd: OnceCell::new(),
            group: OnceCell::new(),
        }
    }

    /// The id of user (`user: true`) or group `name` in the container's
    /// `passwd`/`group` file; a number is taken as the id itself (as chown
    /// does).
    pub fn lookup(&self, name: &str, user: bool) -> Option<u32> {
        let (cell, file) = if user {
            (&self.passwd, "etc/passwd")
        } else {
            (&self.group, "etc/group")
        };
        let text = cell.get_or_init(|| crate::fsutil::read_to_string(&self.rootfs.join(file)).ok());
        text.as_deref()
            .and_then(|text| find(text, name))
            .or_else(|| name.parse().ok())
    }
}

/// The third field of the `name:` line of a passwd/group file.
fn find(text: &str, name: &str) -> Option<u32> {
    text.lines().find_map(|line| {
        let mut fields = line.split(':');
        (fields.next() == Some(name))
            .then(|| fields.nth(1)?.parse().ok())
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_id_field() {
        let text = "root:x:0:0:root:/root:/bin/bash\nweb:x:1001:1001::/home/web:/bin/sh\n";
        assert_eq!(find(text, "web"), Some(1001));
        assert_eq!(find(text, "root"), Some(0));
        assert_eq!(find(text, "we"), None);
    }

    #[test]
    fn each_file_is_read_once() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("etc")).unwrap();
        let passwd = root.path().join("etc/passwd");
        std::fs::write(&passwd, "web:x:1001:1001::/home/web:/bin/sh\n").unwrap();
        std::fs::write(root.path().join("etc/group"), "web:x:1002:\n").unwrap();
        let accounts = Accounts::new(root.path());
        assert_eq!(accounts.lookup("web", true), Some(1001));
        std::fs::remove_file(&passwd).unwrap();
        assert_eq!(accounts.lookup("web", true), Some(1001));
        assert_eq!(accounts.lookup("web", false), Some(1002));
        assert_eq!(accounts.lookup("7", true), Some(7));
        assert_eq!(accounts.lookup("nobody", true), None);
    }
}
