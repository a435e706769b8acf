//! The `hooks` section of an EC2/On-Premises AppSpec file: event names
//! (rules 40–42) and script entries (rules 43–47).

use std::collections::BTreeMap;

use super::check::Checker;
use super::model::{HookScript, Os, DEFAULT_TIMEOUT};
use super::node::{kind, Node, Value};
use super::{paths, revision, suggest, yaml11};

/// Events that can run scripts (rule 40), in lifecycle order (rule 54).
pub const SERVER_EVENTS: &[&str] = &[
    "ApplicationStop",
    "BeforeBlockTraffic",
    "AfterBlockTraffic",
    "BeforeInstall",
    "AfterInstall",
    "ApplicationStart",
    "ValidateService",
    "BeforeAllowTraffic",
    "AfterAllowTraffic",
];

/// Steps of the agent and the service that cannot run scripts (rule 41).
pub const RESERVED_EVENTS: &[&str] = &[
    "DownloadBundle",
    "Install",
    "BlockTraffic",
    "AllowTraffic",
    "Start",
    "End",
];

/// The per-event limit for the sum of script timeouts (rule 46).
const EVENT_LIMIT: u64 = 3600;

const SCRIPT_KEYS: &[&str] = &["location", "timeout", "runas", "sudo"];

/// Checks `hooks` and returns the scripts per event.
pub(crate) fn check(c: &mut Checker, node: &Node, os: Os) -> BTreeMap<String, Vec<HookScript>> {
    let mut hooks = BTreeMap::new();
    if node.is_null() {
        return hooks;
    }
    let Some(entries) = node.as_map() else {
        let found = kind(&node.value);
        c.error_hint("E040", node, format!("`hooks` must be a mapping from event names to script lists, found {found}"), "write `hooks:` then e.g. `  BeforeInstall:` and `    - location: scripts/install.sh`; a list of hooks is the ECS/Lambda form");
        return hooks;
    };
    for (key, scripts) in entries {
        let name = c.key_name(key);
        event_name(c, key, &name);
        if scripts.is_null() {
            continue; // rule 39: ignored
        }
        let Some(items) = c.seq("E040", scripts, &format!("the scripts of {name}")) else {
            continue;
        };
        let list: Vec<HookScript> = items.iter().filter_map(|i| script(c, i, os)).collect();
        total_timeout(c, key, &name, items);
        hooks.insert(name, list);
    }
    hooks
}

/// Rules 40–42: a scriptable event name.
fn event_name(c: &mut Checker, key: &Node, name: &str) {
    if SERVER_EVENTS.contains(&name) {
        return;
    }
    if RESERVED_EVENTS.contains(&name) {
        c.error_hint(
            "E042",
            key,
            format!("\"{name}\" is run by CodeDeploy itself and cannot have scripts"),
            format!(
                "put the scripts under an event next to it, e.g. {}",
                neighbour(name)
            ),
        );
        return;
    }
    let mut message = format!("hook \"{name}\" is not a lifecycle event");
    let hint = match suggest::closest(name, SERVER_EVENTS) {
        Some(s) => {
            message.push_str(&format!(" — did you mean \"{s}\"?"));
            format!("EC2/On-Premises events: {}", SERVER_EVENTS.join(", "))
        }
        None if super::service_hooks::ECS_EVENTS.contains(&name) => format!(
            "{name} is an Amazon ECS event; EC2/On-Premises events: {}",
            SERVER_EVENTS.join(", ")
        ),
        None => format!(
            "EC2/On-Premises events: {} (custom events exist only with codedeploy-local --events)",
            SERVER_EVENTS.join(", ")
        ),
    };
    c.error_hint("E041", key, message, hint);
}

fn neighbour(reserved: &str) -> &'static str {
    match reserved {
        "DownloadBundle" | "Install" => "BeforeInstall or AfterInstall",
        "BlockTraffic" => "BeforeBlockTraffic or AfterBlockTraffic",
        "AllowTraffic" => "BeforeAllowTraffic or AfterAllowTraffic",
        _ => "ApplicationStop or ValidateService",
    }
}

/// One `- location: … timeout: … runas: …` entry (rule 43).
fn script(c: &mut Checker, item: &Node, os: Os) -> Option<HookScript> {
    let Some(entries) = item.as_map() else {
        let found = kind(&item.value);
        c.error_hint(
            "E040",
            item,
            format!("a hook script must be a mapping with `location`, found {found}"),
            "write `- location: scripts/start.sh`",
        );
        return None;
    };
    c.unknown_keys_warning("W006", entries, SCRIPT_KEYS, "a hook script");
    let location = location(c, item, os);
    let timeout = item
        .get("timeout")
        .filter(|n| !n.is_null())
        .and_then(|n| timeout(c, n));
    let runas = item
        .get("runas")
        .filter(|n| !n.is_null())
        .and_then(|n| c.string("E048", n, "`runas`"))
        .map(|s| s.trim().to_string());
    let sudo = sudo(c, item);
    if os == Os::Windows && (runas.is_some() || sudo) {
        let at = item
            .get("runas")
            .or_else(|| item.get("sudo"))
            .unwrap_or(item);
        c.warning(
            "W004",
            at,
            "`runas` and `sudo` are ignored on Windows".into(),
            "the Windows agent runs every script as its own user (rule 47)",
        );
    }
    Some(HookScript {
        location: location?,
        timeout: timeout.unwrap_or(DEFAULT_TIMEOUT),
        runas,
        sudo,
        line: item.line,
    })
}

/// `sudo` (rule 47): a boolean, false when absent.
fn sudo(c: &mut Checker, item: &Node) -> bool {
    match item.get("sudo").map(|n| (n, &n.value)) {
        None | Some((_, Value::Null)) => false,
        Some((_, Value::Bool(b))) => *b,
        Some((n, other)) => {
            let message = format!("`sudo` must be true or false, found {}", kind(other));
            c.error_hint("E048", n, message, "write `sudo: true`");
            false
        }
    }
}

/// `location`: required, inside the revision, existing there (rules 43, 44, 16).
fn location(c: &mut Checker, item: &Node, os: Os) -> Option<String> {
    let node = item.get("location");
    let text = node
        .and_then(Node::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let (Some(node), Some(text)) = (node, text) else {
        let (at, message) = match node {
            Some(n) if !n.is_null() && n.as_str().is_none() => (
                n,
                format!("`location` must be a path, found {}", kind(&n.value)),
            ),
            Some(n) => (n, "a hook script has an empty `location`".to_string()),
            None => (item, "a hook script has no `location`".to_string()),
        };
        c.error_hint("E043", at, message, "write the script path relative to the revision root, e.g. `location: scripts/start.sh`");
        return None;
    };
    if paths::inside_revision(text, os).is_none() {
        c.error_hint("E044", node, format!("script \"{text}\" is outside the revision"), "script locations are relative to the directory holding the AppSpec file; remove the `..` parts");
        return None;
    }
    if let Some(root) = c.revision {
        revision::check_script(c, root, node, text, os);
    }
    Some(text.to_string())
}

/// The timeout the agent uses for `node` (rule 45): Ruby's `to_i` of the
/// value, so `1.9` is 1 and `"300s"` is 300; `None` when `to_i` fails
/// (`true`, a list, an infinite number), which crashes the agent's parser.
fn agent_timeout(node: &Node) -> Option<i128> {
    match &node.value {
        Value::Int(i) => Some(*i),
        Value::Float(f) if f.is_finite() => Some(f.trunc() as i128),
        Value::Str(s) => Some(yaml11::ruby_to_i(s)),
        // `timeout || 3600`: false (`off`, `no`) falls back to the default.
        Value::Bool(false) => Some(i128::from(DEFAULT_TIMEOUT)),
        _ => None,
    }
}

/// `timeout` (rules 45, 46): what the agent reads must be 1 to 3600 seconds;
/// a value it truncates on the way (`1.5`, `"300s"`, `1e3`) is a warning
/// naming the number it will use.
fn timeout(c: &mut Checker, node: &Node) -> Option<u32> {
    let text = node.raw(c.source).unwrap_or("").trim().to_string();
    match agent_timeout(node) {
        Some(s @ 1..=3600) => {
            let whole = match &node.value {
                Value::Int(_) => true,
                Value::Str(t) => t.trim().parse::<i128>() == Ok(s),
                _ => false,
            };
            if !whole {
                c.warning(
                    "W007",
                    node,
                    format!(
                        "timeout {text} is read by the agent as {s} second{}",
                        if s == 1 { "" } else { "s" }
                    ),
                    format!("the agent keeps only the leading whole number; write `timeout: {s}` if that is what you mean"),
                );
            }
            u32::try_from(s).ok()
        }
        Some(s) if s > 3600 => {
            c.error_hint(
                "E046",
                node,
                format!("timeout {text} is {s} seconds, above the 3600-second limit of one lifecycle event"),
                "use at most 3600 seconds, or split the work across events",
            );
            None
        }
        read => {
            let why = match read {
                Some(s) => format!("the agent reads it as {s} seconds and refuses it"),
                None => format!("the agent cannot read {} as a number", kind(&node.value)),
            };
            c.error_hint(
                "E046",
                node,
                format!("invalid timeout \"{text}\": {why}"),
                "write a whole number of seconds from 1 to 3600, e.g. `timeout: 300`",
            );
            None
        }
    }
}

/// Rule 46: the timeouts given in one event add up to at most 3600.
fn total_timeout(c: &mut Checker, key: &Node, name: &str, items: &[Node]) {
    let total: u64 = items
        .iter()
        .filter_map(|i| i.get("timeout"))
        .filter(|t| t.value != Value::Bool(false)) // the default, like no timeout
        .filter_map(|t| agent_timeout(t).and_then(|s| u64::try_from(s).ok()))
        .fold(0u64, u64::saturating_add);
    let single_too_long = items.len() == 1;
    if total > EVENT_LIMIT && !single_too_long {
        c.error_hint(
            "E047",
            key,
            format!("the script timeouts of {name} add up to {total} seconds"),
            "one lifecycle event may take at most 3600 seconds in total; lower the timeouts",
        );
    }
}
