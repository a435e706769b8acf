//! The `permissions` section applied after the copy (rules 31–38): which
//! installed paths an entry selects (`object`, `pattern`, `except`,
//! `type`), then mode and owner/group. Owner and group need root; ACLs and
//! SELinux contexts are reported, not applied.

use std::collections::HashSet;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::container::accounts::Accounts;
use super::paths::{self, show, Root};
use crate::appspec::plan::selected;
use crate::appspec::{ObjectType, Permission};

/// Applies `entries` to `targets` (installed paths relative to the root,
/// with whether each is a directory). Returns notes for the log (what was
/// not applied and why), or the first error.
pub fn apply(
    root: &Root,
    entries: &[Permission],
    targets: &[(PathBuf, bool)],
) -> Result<Vec<String>, String> {
    let mut notes = Vec::new();
    let is_root = is_superuser();
    let accounts = root.container.then(|| Accounts::new(&root.path));
    for entry in entries {
        let object = paths::instance_path(&entry.object)?;
        let selected = select(entry, &object, targets);
        let owner = if entry.owner.is_some() || entry.group.is_some() {
            if is_root {
                Some(ids(accounts.as_ref(), entry)?)
            } else {
                notes.push(format!(
                    "owner/group of {} not applied: gantry is not running as root",
                    entry.object
                ));
                None
            }
        } else {
            None
        };
        if !entry.acls.is_empty() || entry.context.is_some() {
            notes.push(format!(
                "acls/context of {} not applied: local deployments set mode and owner only",
                entry.object
            ));
        }
        for path in selected {
            apply_one(root, path, entry, owner)?;
        }
    }
    Ok(notes)
}

/// The targets some entry of `entries` selects: those whose mode or owner
/// [`apply`] may change (an entry with an invalid `object` selects none;
/// [`apply`] refuses it before changing anything of it).
pub fn touched<'t>(entries: &[Permission], targets: &'t [(PathBuf, bool)]) -> HashSet<&'t Path> {
    entries
        .iter()
        .filter_map(|entry| Some((entry, paths::instance_path(&entry.object).ok()?)))
        .flat_map(|(entry, object)| select(entry, &object, targets))
        .collect()
}

fn apply_one(
    root: &Root,
    rel: &Path,
    entry: &Permission,
    owner: Option<(Option<u32>, Option<u32>)>,
) -> Result<(), String> {
    let full = root.path.join(rel);
    let meta = fs::symlink_metadata(&full)
        .map_err(|e| format!("cannot set permissions of {}: {e}", show(rel)))?;
    if let Some(mode) = &entry.mode {
        if !meta.file_type().is_symlink() {
            let bits = u32::from_str_radix(mode, 8)
                .map_err(|_| format!("invalid mode \"{mode}\" for {}", entry.object))?;
            fs::set_permissions(&full, fs::Permissions::from_mode(bits))
                .map_err(|e| format!("cannot chmod {mode} {}: {e}", show(rel)))?;
        }
    }
    if let Some((uid, gid)) = owner {
        std::os::unix::fs::lchown(&full, uid, gid)
            .map_err(|e| format!("cannot chown {}: {e}", show(rel)))?;
    }
    Ok(())
}

/// The targets `entry` applies to (rules 31, 32): the object itself when it
/// is an installed file, else installed paths below it matching `pattern`,
/// `except` and `type`.
pub fn select<'t>(
    entry: &Permission,
    object: &Path,
    targets: &'t [(PathBuf, bool)],
) -> Vec<&'t Path> {
    let wants = |is_dir: bool| {
        let kind = if is_dir {
            ObjectType::Directory
        } else {
            ObjectType::File
        };
        entry.types.contains(&kind)
    };
    if let Some((path, false)) = targets.iter().find(|(p, _)| p == object) {
        return if wants(false) {
            vec![path.as_path()]
        } else {
            Vec::new()
        };
    }
    targets
        .iter()
        .filter(|(path, is_dir)| {
            wants(*is_dir)
                && path.strip_prefix(object).is_ok_and(|rel| {
                    !rel.as_os_str().is_empty() && selected(&rel.to_string_lossy(), entry)
                })
        })
        .map(|(path, _)| path.as_path())
        .collect()
}

/// Whether gantry runs as root.
pub fn is_superuser() -> bool {
    rustix::process::geteuid().is_root()
}

/// The uid and gid for the entry's `owner` and `group` (rule 37: unknown
/// names fail Install): a container's own `accounts`, else this machine's.
fn ids(
    accounts: Option<&Accounts>,
    entry: &Permission,
) -> Result<(Option<u32>, Option<u32>), String> {
    let find = |name: &str, user: bool| match accounts {
        Some(accounts) => accounts.lookup(name, user),
        None => lookup(name, user),
    };
    let machine = match accounts {
        Some(_) => "in the container",
        None => "on this machine",
    };
    let uid = match &entry.owner {
        Some(name) => Some(find(name, true).ok_or_else(|| {
            format!(
                "owner \"{name}\" of {} is not a user {machine}",
                entry.object
            )
        })?),
        None => None,
    };
    let gid = match &entry.group {
        Some(name) => Some(find(name, false).ok_or_else(|| {
            format!(
                "group \"{name}\" of {} is not a group {machine}",
                entry.object
            )
        })?),
        None => None,
    };
    Ok((uid, gid))
}

/// The id of user (or group) `name`, through the C library's name service
/// (`/etc/passwd`, `/etc/group`, LDAP, ...). A lookup that fails counts as
/// not found, as in the CodeDeploy agent.
pub fn lookup(name: &str, user: bool) -> Option<u32> {
    use nix::unistd::{Group, User};
    if user {
        User::from_name(name).ok().flatten().map(|u| u.uid.as_raw())
    } else {
        Group::from_name(name)
            .ok()
            .flatten()
            .map(|g| g.gid.as_raw())
    }
}

#[cfg(test)]
mod tests {
    use crate::appspec::plan::glob as star_match;

    #[test]
    fn stars() {
        assert!(star_match("*.txt", "a.txt"));
        assert!(star_match("*-3.txt", "my-file-3.txt"));
        assert!(!star_match("*-3.txt", "my-file-2.txt"));
        assert!(star_match("a*b*c", "aXbYc"));
        assert!(!star_match("a", "ab"));
        assert!(!star_match("a*a", "a"));
        assert!(star_match("**", "x"));
    }
}
