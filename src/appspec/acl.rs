//! `acls` entries (rule 35) and the SELinux `context` mapping (rule 36) of a
//! `permissions` entry, checked the way the agent parses them.

use super::check::Checker;
use super::model::SelinuxContext;
use super::node::Node;

const CONTEXT_KEYS: &[&str] = &["name", "type", "range"];
const MAX_CATEGORY: u32 = 1023;

/// `acls`: a list of ACL entry strings.
pub(crate) fn acls(c: &mut Checker, node: &Node) -> Vec<String> {
    let Some(items) = c.seq("E035", node, "`acls`") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let Some(text) = c.string("E035", item, "an `acls` entry") else {
            continue;
        };
        match check_ace(text) {
            Ok(()) => out.push(text.to_string()),
            Err(why) => c.error_hint("E035", item, format!("invalid ACL entry \"{text}\": {why}"), "write [d:]u|g:NAME:PERMS or [d:]m|o:PERMS, e.g. u:deploy:rwx, d:g:web:r-x, m::rw, d:o:5; set non-default base entries with `mode`"),
        }
    }
    out
}

fn is_default(word: &str) -> bool {
    matches!(word, "d" | "default")
}

/// The agent's `AceInfo` parse of one entry, `[d[efault]:][u[ser]|g[roup]|m[ask]|o[ther]:][name]:perms`,
/// read from the right: perms, then a name (or a bare `m`/`o` kind), then a
/// kind (or `d`), then `d`. So `d:o:3`, `d:m:7`, `m:7` and `mask::rw` are valid.
fn check_ace(text: &str) -> Result<(), String> {
    parse_ace(text).map(|_| ())
}

/// Whether `text` is a valid default (`d:`/`default:`) ACL entry, as the
/// agent reads it (`d:rw` is an entry for a user named `d`).
pub(crate) fn is_default_entry(text: &str) -> bool {
    parse_ace(text) == Ok(true)
}

/// [`check_ace`]; `Ok(true)` for a default entry.
fn parse_ace(text: &str) -> Result<bool, String> {
    let parts: Vec<&str> = text.split(':').rev().collect();
    if !(2..=4).contains(&parts.len()) {
        return Err("it needs 2 to 4 colon-separated parts".into());
    }
    let mut default = false;
    if parts.len() == 4 {
        if !is_default(parts[3]) {
            return Err(format!(
                "with four parts the first must be `d` or `default`, not `{}`",
                parts[3]
            ));
        }
        default = true;
    }
    let mut kind = None;
    if parts.len() >= 3 {
        match parts[2] {
            d if is_default(d) && default => return Err("`default` is given twice".into()),
            d if is_default(d) => default = true,
            "m" | "mask" => kind = Some('m'),
            "o" | "other" => kind = Some('o'),
            "g" | "group" => kind = Some('g'),
            "u" | "user" => kind = Some('u'),
            other => return Err(format!("unknown entry type `{other}`")),
        }
    }
    let name = match (parts[1], kind) {
        ("m" | "mask", None) => {
            kind = Some('m');
            ""
        }
        ("o" | "other", None) => {
            kind = Some('o');
            ""
        }
        (name, _) => name,
    };
    let kind = kind.unwrap_or('u');
    if matches!(kind, 'm' | 'o') && !name.is_empty() {
        return Err("mask and other entries take no name".into());
    }
    if !default && kind != 'm' && name.is_empty() {
        return Err("an entry without a user or group name is a base entry".into());
    }
    check_perms(parts[0])?;
    Ok(default)
}

fn check_perms(perms: &str) -> Result<(), String> {
    let digit = perms.len() == 1 && perms.chars().all(|ch| ('0'..='7').contains(&ch));
    let letters = !perms.is_empty() && perms.chars().all(|ch| "rwx-".contains(ch));
    if digit || letters {
        Ok(())
    } else {
        Err(format!(
            "permissions `{perms}` must be one octal digit or a mix of r, w, x and -"
        ))
    }
}

/// `context`: SELinux `name` (user), `type` (required by the agent), `range`.
pub(crate) fn context(c: &mut Checker, node: &Node) -> Option<SelinuxContext> {
    let entries = c.map("E036", node, "`context`")?;
    for (key, _) in entries {
        if c.key_name(key) == "user" {
            c.error_hint(
                "E036",
                key,
                "the agent ignores `user` in `context`".into(),
                "the agent reads the SELinux user from `name`; write `name: system_u`",
            );
        }
    }
    c.unknown_keys_but("E036", entries, CONTEXT_KEYS, &["user"], "`context`");
    let name = item_string(c, node, "name");
    let range = item_string(c, node, "range");
    if let (Some(r), Some(at)) = (&range, node.get("range")) {
        if let Err(why) = check_range(r) {
            c.error_hint(
                "E036",
                at,
                format!("invalid SELinux range \"{r}\": {why}"),
                "write sN[-sM][:cA[.cB],…], e.g. s0-s0:c0.c1023",
            );
        }
    }
    let Some(type_) = item_string(c, node, "type") else {
        c.error_hint(
            "E036",
            node,
            "`context` has no `type`".into(),
            "the agent requires the SELinux type, e.g. `type: httpd_sys_content_t`",
        );
        return None;
    };
    Some(SelinuxContext { name, type_, range })
}

fn item_string(c: &mut Checker, node: &Node, key: &str) -> Option<String> {
    let value = node.get(key).filter(|v| !v.is_null())?;
    c.string("E036", value, &format!("`context` `{key}`"))
        .map(str::to_string)
}

/// `sN[-sM][:cA[.cB][,…]]` with high ≥ low and categories 0–1023, no repeats.
fn check_range(range: &str) -> Result<(), String> {
    let (levels, categories) = match range.split_once(':') {
        Some((l, c)) => (l, Some(c)),
        None => (range, None),
    };
    let (low, high) = match levels.split_once('-') {
        Some((l, h)) => (number(l, 's')?, number(h, 's')?),
        None => (number(levels, 's')?, number(levels, 's')?),
    };
    if high < low {
        return Err("the high sensitivity is below the low one".into());
    }
    let Some(categories) = categories else {
        return Ok(());
    };
    let mut seen = vec![false; MAX_CATEGORY as usize + 1];
    for item in categories.split(',') {
        let (a, b) = match item.split_once('.') {
            Some((a, b)) => (number(a, 'c')?, number(b, 'c')?),
            None => (number(item, 'c')?, number(item, 'c')?),
        };
        if a > b || b > MAX_CATEGORY {
            return Err(format!(
                "category `{item}` is out of order or above c{MAX_CATEGORY}"
            ));
        }
        for n in a..=b {
            if std::mem::replace(&mut seen[n as usize], true) {
                return Err(format!("category c{n} is listed twice"));
            }
        }
    }
    Ok(())
}

fn number(text: &str, prefix: char) -> Result<u32, String> {
    text.strip_prefix(prefix)
        .filter(|d| !d.is_empty() && d.chars().all(|ch| ch.is_ascii_digit()))
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| format!("`{text}` is not `{prefix}` followed by digits"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acl_entries_follow_the_agent() {
        for ok in [
            "u:deploy:rwx",
            "d:u:deploy:rw",
            "default:g:web:5",
            "m::rw",
            "d:u::rwx",
            "deploy:rw",
            "d:o::r",
            "d:o:3",
            "d:u:bob:7",
            "d:m:7",
            "m:7",
            "mask::rw",
            "mask:rw",
            "default:other:r-x",
            "u:m:rw",
        ] {
            assert_eq!(check_ace(ok), Ok(()), "{ok}");
        }
        for bad in [
            "u::rw",
            "g::r",
            "o:r",
            "u:deploy:rwz",
            "x:a:b:c:d",
            "d:default:u:a:r",
            "m:bob:r",
            "rw",
            "default:d:u:r",
            "o:bob:r",
        ] {
            assert!(check_ace(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ranges_follow_the_agent() {
        for ok in ["s0", "s0-s0:c0.c1023", "s1-s2:c1,c3.c5"] {
            assert_eq!(check_range(ok), Ok(()), "{ok}");
        }
        for bad in ["s2-s1", "s0:c1024", "s0:c5.c1", "s0:c1,c0.c2", "x0", "s0:"] {
            assert!(check_range(bad).is_err(), "{bad}");
        }
    }
}
