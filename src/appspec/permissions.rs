//! The `permissions` section (rules 28–34; `acls` and `context` in
//! [`super::acl`]). Linux only (rule 29).

use super::acl;
use super::check::Checker;
use super::model::{ObjectType, Os, Permission};
use super::node::{kind, Node, Value};

const ENTRY_KEYS: &[&str] = &[
    "object", "pattern", "except", "owner", "group", "mode", "acls", "context", "type",
];

/// Checks `permissions` and returns the entries it could read, each with
/// its node.
pub(crate) fn check<'n>(
    c: &mut Checker,
    at_key: &Node,
    node: &'n Node,
    os: Os,
) -> Vec<(&'n Node, Permission)> {
    if node.is_null() {
        return Vec::new();
    }
    let Some(items) = c.seq("E030", node, "`permissions`") else {
        return Vec::new();
    };
    if os == Os::Windows && !items.is_empty() {
        // Rule 29.
        c.error_hint("E032", at_key, "`permissions` is not supported with `os: windows`".into(), "the agent refuses permissions for Windows instances; remove the section or set permissions from a hook script");
        return Vec::new();
    }
    items
        .iter()
        .filter_map(|item| Some((item, entry(c, item)?)))
        .collect()
}

fn entry(c: &mut Checker, item: &Node) -> Option<Permission> {
    let entries = c.map("E030", item, "a `permissions` entry")?;
    c.unknown_keys_warning("W006", entries, ENTRY_KEYS, "a `permissions` entry");
    let object = object(c, item, entries);
    let get = |k: &str| item.get(k).filter(|n| !n.is_null());
    let pattern = get("pattern")
        .and_then(|n| c.string("E037", n, "`pattern`"))
        .unwrap_or("**")
        .to_string();
    let except = get("except").map(|n| except(c, n)).unwrap_or_default();
    let owner = get("owner")
        .and_then(|n| c.string("E030", n, "`owner`"))
        .map(str::to_string);
    let group = get("group")
        .and_then(|n| c.string("E030", n, "`group`"))
        .map(str::to_string);
    let mode = get("mode").and_then(|n| mode(c, n));
    let acls = get("acls").map(|n| acl::acls(c, n)).unwrap_or_default();
    let context = get("context").and_then(|n| acl::context(c, n));
    let types = get("type").map_or(vec![ObjectType::File, ObjectType::Directory], |n| {
        types(c, n)
    });
    Some(Permission {
        object: object?,
        pattern,
        except,
        owner,
        group,
        mode,
        acls,
        context,
        types,
        line: item.line,
    })
}

/// `object`: required and non-empty (rule 28); a relative one is only a
/// warning, as the agent accepts it and it matches no installed path.
fn object(c: &mut Checker, item: &Node, entries: &[(Node, Node)]) -> Option<String> {
    let Some((_, node)) = c.entry(entries, "object") else {
        c.error_hint(
            "E031",
            item,
            "a `permissions` entry has no `object`".into(),
            "add `object: /path/on/the/instance` (a file or directory this deployment installs)",
        );
        return None;
    };
    let text = node.scalar_text();
    match text.as_deref().map(str::trim) {
        Some(s) if s.starts_with('/') => Some(s.to_string()),
        Some(s) if !s.is_empty() => {
            c.warning("W005", node, format!("`object` \"{s}\" is not an absolute path, so it matches nothing"), "the agent accepts it but only applies permissions to installed paths on the instance; write the absolute destination path");
            None
        }
        _ => {
            c.error_hint(
                "E031",
                node,
                "`object` must be a non-empty path".into(),
                "write the absolute path of an installed file or directory",
            );
            None
        }
    }
}

/// `except`: a list of simple globs; a `/` in one never matches (rule 31).
fn except(c: &mut Checker, node: &Node) -> Vec<String> {
    let Some(items) = c.seq("E037", node, "`except`") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let Some(s) = c.string("E037", item, "an `except` entry") else {
            continue;
        };
        if s.contains('/') {
            c.warning("W001", item, format!("`except` entry \"{s}\" contains `/` and never matches"), "the agent compares `except` entries with the names of direct children of `object` only");
        }
        out.push(s.to_string());
    }
    out
}

/// `type`: a list of `file` and/or `directory` (rule 30).
fn types(c: &mut Checker, node: &Node) -> Vec<ObjectType> {
    let Some(items) = node.as_seq() else {
        let found = kind(&node.value);
        c.error_hint(
            "E033",
            node,
            format!("`type` must be a list, found {found}"),
            "write `type: [file]`, `type: [directory]` or both; a scalar crashes the agent",
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        match item.as_str() {
            Some("file") => out.push(ObjectType::File),
            Some("directory") => out.push(ObjectType::Directory),
            _ => {
                let text = item.scalar_text().unwrap_or_default();
                c.error_hint(
                    "E033",
                    item,
                    format!("unknown object type \"{text}\""),
                    "`type` items are `file` or `directory`",
                );
            }
        }
    }
    out
}

/// `mode` (rules 7, 34): octal digits as the agent reads them.
fn mode(c: &mut Checker, node: &Node) -> Option<String> {
    let raw = node.raw(c.source).unwrap_or("").trim();
    let text = match &node.value {
        Value::Int(_) if raw.len() > 1 && (raw.starts_with('0') || raw.starts_with("+0")) => {
            let shown = node.scalar_text().unwrap_or_default();
            c.error_hint(
                "E034",
                node,
                format!(
                    "unquoted mode {raw} is the octal number {shown} to the agent's YAML parser"
                ),
                format!("quote it: mode: \"{raw}\" (or drop the leading zero)"),
            );
            return None;
        }
        Value::Int(i) => i.to_string(),
        Value::Str(s) => s.clone(),
        other => {
            c.error_hint(
                "E034",
                node,
                format!("`mode` must be octal digits, found {}", kind(other)),
                "write e.g. mode: 644 or mode: \"0755\"",
            );
            return None;
        }
    };
    match check_mode(&text) {
        Ok(mode) => Some(mode),
        Err(why) => {
            c.error_hint(
                "E034",
                node,
                format!("invalid mode \"{text}\": {why}"),
                "write 3 or 4 octal digits, e.g. 644, 755 or \"4755\"",
            );
            None
        }
    }
}

/// The agent's mode check: left-pad to 3, at most 4 characters, each 0–7.
fn check_mode(text: &str) -> Result<String, &'static str> {
    let padded = format!("{text:0>3}");
    if !padded.chars().all(|ch| ('0'..='7').contains(&ch)) {
        return Err("only the digits 0-7 are allowed");
    }
    if padded.len() > 4 {
        return Err("more than four digits");
    }
    Ok(padded)
}

#[cfg(test)]
mod tests {
    use super::check_mode;

    #[test]
    fn modes_follow_the_agent() {
        assert_eq!(check_mode("644").as_deref(), Ok("644"));
        assert_eq!(check_mode("12").as_deref(), Ok("012"));
        assert_eq!(check_mode("0").as_deref(), Ok("000"));
        assert_eq!(check_mode("4755").as_deref(), Ok("4755"));
        assert!(check_mode("9999").is_err());
        assert!(check_mode("12345").is_err());
        assert!(check_mode("u+x").is_err());
        assert!(check_mode("-644").is_err());
    }
}
