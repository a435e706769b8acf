//! Rules that need the install plan, checked when the revision is at hand:
//! a permission on an installed file takes no pattern, except or default ACL
//! (rule 32), and no installed path may be matched by two permissions
//! entries (rule 33). Matching follows rule 31.

use std::collections::HashMap;

use super::acl;
use super::check::Checker;
use super::model::{ObjectType, Os, Permission};
use super::node::Node;
use super::paths;
use super::revision::Targets;

/// Checks the permissions `entries` (entry node, permission) against the
/// paths the `files` section installs.
pub(crate) fn check_permissions(
    c: &mut Checker,
    targets: &Targets,
    entries: &[(&Node, Permission)],
    os: Os,
) {
    let mut owner: HashMap<&str, usize> = HashMap::new();
    for (index, (item, p)) in entries.iter().enumerate() {
        let at = item.get("object").unwrap_or(item);
        let object = paths::normalise_destination(&p.object, os);
        if let Some((false, _)) = targets.get(&object) {
            file_object(c, item, p);
        }
        let matched = matches(targets, &object, p);
        default_acl_on_files(c, item, p, targets, &matched);
        let mut reported = false;
        for path in matched {
            match owner.get(path) {
                Some(&first) if first != index && !reported => {
                    let message = format!(
                        "\"{path}\" is matched by permissions entries {} and {}",
                        first + 1,
                        index + 1
                    );
                    c.error_hint("E039", at, message, "the agent fails the Install step when two entries set the same path; narrow `pattern`/`except`/`type`");
                    reported = true;
                }
                Some(_) => {}
                None => {
                    owner.insert(path, index);
                }
            }
        }
    }
}

/// Rule 32: an entry whose object is an installed file.
fn file_object(c: &mut Checker, item: &Node, p: &Permission) {
    let at = |key: &str| item.get(key).unwrap_or(item);
    if p.pattern != "**" {
        c.error_hint(
            "E038",
            at("pattern"),
            format!("`pattern` on \"{}\", which is a file", p.object),
            "a pattern applies below a directory; remove it or set `object` to the directory",
        );
    }
    if !p.except.is_empty() {
        c.error_hint(
            "E038",
            at("except"),
            format!("`except` on \"{}\", which is a file", p.object),
            "remove `except`, or set `object` to the directory",
        );
    }
    if p.acls.iter().any(|a| acl::is_default_entry(a)) {
        c.error_hint(
            "E038",
            at("acls"),
            format!("a default ACL entry on \"{}\", which is a file", p.object),
            "default (`d:`) entries are for directories only",
        );
    }
}

/// Rule 32 as the agent applies it: a default ACL entry fails Install for
/// every installed *file* the entry matches, also below a directory object
/// (the agent checks each matched file), so it needs `type: [directory]`.
fn default_acl_on_files(
    c: &mut Checker,
    item: &Node,
    p: &Permission,
    targets: &Targets,
    matched: &[&str],
) {
    let Some(default) = p.acls.iter().find(|a| acl::is_default_entry(a)) else {
        return;
    };
    let Some(file) = matched
        .iter()
        .find(|m| targets.get(**m).is_some_and(|(dir, _)| !dir))
    else {
        return;
    };
    if targets
        .get(p.object.trim_end_matches('/'))
        .is_some_and(|(dir, _)| !dir)
    {
        return; // the object itself is a file: reported by file_object
    }
    let at = item.get("acls").unwrap_or(item);
    c.error_hint(
        "E038",
        at,
        format!("default ACL entry \"{default}\" would be applied to the installed file \"{file}\""),
        "the agent fails Install when a default (`d:`) entry matches a file; add `type: [directory]` to this entry",
    );
}

/// The installed paths entry `p` applies to (rules 31, 32).
fn matches<'t>(targets: &'t Targets, object: &str, p: &Permission) -> Vec<&'t str> {
    if let Some((false, _)) = targets.get(object) {
        let applies = p.types.contains(&ObjectType::File);
        return targets
            .get_key_value(object)
            .filter(|_| applies)
            .map(|(k, _)| k.as_str())
            .into_iter()
            .collect();
    }
    let prefix = format!("{}/", object.trim_end_matches('/'));
    targets
        .iter()
        .filter(|(path, (is_dir, _))| {
            let kind = if *is_dir {
                ObjectType::Directory
            } else {
                ObjectType::File
            };
            p.types.contains(&kind)
                && path
                    .strip_prefix(&prefix)
                    .is_some_and(|rel| selected(rel, p))
        })
        .map(|(path, _)| path.as_str())
        .collect()
}

/// Whether `rel` (a path below `object`) is selected by `pattern` and
/// `except`: `**` takes every depth; other patterns and every `except` look
/// at direct children only (rule 31). `gantry deploy` applies the same rule.
pub(crate) fn selected(rel: &str, p: &Permission) -> bool {
    let direct = !rel.contains('/');
    let pattern_ok = p.pattern == "**" || (direct && glob(&p.pattern, rel));
    let excepted = direct && p.except.iter().any(|e| glob(e, rel));
    pattern_ok && !excepted
}

/// A simple glob: `*` matches any run of characters, everything else is literal.
pub(crate) fn glob(pattern: &str, name: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    let pieces: Vec<&str> = parts.collect();
    let Some((last, middle)) = pieces.split_last() else {
        return rest.is_empty(); // no `*` at all
    };
    for piece in middle {
        match rest.find(piece) {
            Some(i) => rest = &rest[i + piece.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn simple_globs() {
        assert!(glob("*.txt", "a.txt"));
        assert!(glob("*-3.txt", "my-file-3.txt"));
        assert!(!glob("*-3.txt", "my-file-2.txt"));
        assert!(glob("*my-folder*", "my-folder-1"));
        assert!(glob("a", "a"));
        assert!(!glob("a", "ab"));
        assert!(glob("**", "x"));
        assert!(!glob("a*a", "a"));
    }
}
