//! The `files` section and `file_exists_behavior` (rules 13–17, 19, 21).

use super::check::Checker;
use super::model::{FileExistsBehavior, FileMapping, Os};
use super::node::Node;
use super::paths;
use super::revision::{self, Targets};

const ITEM_KEYS: &[&str] = &["source", "destination"];

/// Checks `files` and returns the mappings it could read and, when the
/// revision is at hand, every path they install.
pub(crate) fn check(c: &mut Checker, files: &Node, os: Os) -> (Vec<FileMapping>, Option<Targets>) {
    if files.is_null() {
        return (Vec::new(), c.revision.map(|_| Targets::new())); // rule 11
    }
    let Some(items) = c.seq("E020", files, "`files`") else {
        return (Vec::new(), None);
    };
    let mut pairs = Vec::new();
    for item in items {
        if let Some(m) = mapping(c, item, os) {
            pairs.push((item, m));
        }
    }
    let targets = match c.revision {
        Some(root) => Some(revision::check_sources(c, root, &pairs, os)),
        None => {
            duplicates(c, &pairs, os);
            None
        }
    };
    (pairs.into_iter().map(|(_, m)| m).collect(), targets)
}

/// One `- source: … destination: …` entry (rule 13).
fn mapping(c: &mut Checker, item: &Node, os: Os) -> Option<FileMapping> {
    let entries = c.map("E020", item, "a `files` entry")?;
    c.unknown_keys_warning("W006", entries, ITEM_KEYS, "a `files` entry");
    let source = required(c, item, entries, "source");
    let destination = required(c, item, entries, "destination");
    if let Some((node, s)) = &source {
        if paths::inside_revision(s, os).is_none() {
            // Rule 16.
            c.error_hint("E022", node, format!("source \"{s}\" is outside the revision"), "sources are relative to the directory holding the AppSpec file; remove the `..` parts");
        }
    }
    if let Some((node, d)) = &destination {
        if !paths::is_absolute_destination(d, os) {
            // Rule 17.
            let example = match os {
                Os::Linux => "/var/www/html",
                Os::Windows => "C:\\inetpub\\wwwroot",
            };
            c.error_hint(
                "E024",
                node,
                format!("destination \"{d}\" is not an absolute path"),
                format!("write a fully qualified path, e.g. {example}"),
            );
        }
    }
    Some(FileMapping {
        source: source?.1,
        destination: destination?.1,
        line: item.line,
    })
}

/// The non-empty string value of `key`, or E021.
fn required<'n>(
    c: &mut Checker,
    item: &'n Node,
    entries: &'n [(Node, Node)],
    key: &str,
) -> Option<(&'n Node, String)> {
    let Some((_, value)) = c.entry(entries, key) else {
        c.error_hint(
            "E021",
            item,
            format!("a `files` entry has no {key}"),
            "each entry needs both `source` (in the revision) and `destination` (on the instance)",
        );
        return None;
    };
    match value.as_str() {
        Some(s) if !s.trim().is_empty() => Some((value, s.to_string())),
        _ => {
            c.error_hint(
                "E021",
                value,
                format!("`{key}` must be a non-empty path"),
                format!(
                    "write a path, e.g. `{key}: {}`",
                    if key == "source" {
                        "/"
                    } else {
                        "/var/www/html"
                    }
                ),
            );
            None
        }
    }
}

/// Rule 19 without the revision at hand: the same source into the same
/// destination twice. (With the revision, [`revision::check_sources`]
/// compares every installed target.)
fn duplicates(c: &mut Checker, pairs: &[(&Node, FileMapping)], os: Os) {
    let mut seen: Vec<(Option<String>, String)> = Vec::new();
    for (item, m) in pairs {
        let key = (
            paths::inside_revision(&m.source, os),
            paths::normalise_destination(&m.destination, os),
        );
        if seen.contains(&key) {
            let message = format!(
                "\"{}\" is installed into \"{}\" twice",
                m.source, m.destination
            );
            c.error_hint("E025", item, message, "the agent fails the Install step when two entries install the same target; remove one");
        } else {
            seen.push(key);
        }
    }
}

/// `file_exists_behavior` (rule 21).
pub(crate) fn behavior(c: &mut Checker, node: &Node) -> Option<FileExistsBehavior> {
    let value = match node.as_str() {
        Some("DISALLOW") => Some(FileExistsBehavior::Disallow),
        Some("OVERWRITE") => Some(FileExistsBehavior::Overwrite),
        Some("RETAIN") => Some(FileExistsBehavior::Retain),
        _ => None,
    };
    if value.is_none() && !node.is_null() {
        let text = node.scalar_text().unwrap_or_default();
        c.error_hint(
            "E026",
            node,
            format!("invalid file_exists_behavior \"{text}\""),
            "use DISALLOW, OVERWRITE or RETAIN (upper case)",
        );
    }
    value
}
