//! Users and groups of a container instance, read from its own
//! `/etc/passwd` and `/etc/group` (below its mounted root), so that
//! `permissions:` owners are the container's users, not the host's.

use std::path::Path;

/// The id of user (`user: true`) or group `name` in the `passwd`/`group`
/// file below `rootfs`; a number is taken as the id itself (as chown does).
pub fn lookup(rootfs: &Path, name: &str, user: bool) -> Option<u32> {
    let file = if user { "etc/passwd" } else { "etc/group" };
    let text = crate::fsutil::read_to_string(&rootfs.join(file)).ok();
    text.as_deref()
        .and_then(|text| find(text, name))
        .or_else(|| name.parse().ok())
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
}
