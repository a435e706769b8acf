//! `Hooks` of Amazon ECS and AWS Lambda AppSpec files: a list of single-key
//! mappings from event name to a Lambda function name (rules 61, 63).

use super::check::Checker;
use super::node::{kind, Node};
use super::suggest;

/// Events an ECS AppSpec file can hook (rule 61), in run order.
pub const ECS_EVENTS: &[&str] = &[
    "BeforeInstall",
    "AfterInstall",
    "AfterAllowTestTraffic",
    "BeforeAllowTraffic",
    "AfterAllowTraffic",
];

/// Events a Lambda AppSpec file can hook (rule 63), in run order.
pub const LAMBDA_EVENTS: &[&str] = &["BeforeAllowTraffic", "AfterAllowTraffic"];

/// Checks a `Hooks` list against `events`; `platform` names the platform in messages.
pub(crate) fn check(c: &mut Checker, node: &Node, events: &[&str], platform: &str) {
    if node.is_null() {
        return;
    }
    let Some(items) = node.as_seq() else {
        let found = kind(&node.value);
        c.error_hint(
            "E060",
            node,
            format!("`Hooks` must be a list, found {found}"),
            "write `Hooks:` then `  - BeforeAllowTraffic: \"MyValidationFunction\"`",
        );
        return;
    };
    let mut seen: Vec<String> = Vec::new();
    for item in items {
        let Some(entries) = item.as_map().filter(|e| e.len() == 1) else {
            c.error_hint(
                "E060",
                item,
                "each `Hooks` item must be one `EventName: FunctionName` pair".into(),
                "write `- BeforeAllowTraffic: \"MyValidationFunction\"`, one event per list item",
            );
            continue;
        };
        let (key, value) = &entries[0];
        let name = c.key_name(key);
        if !events.contains(&name.as_str()) {
            unknown_event(c, key, &name, events, platform);
        } else if seen.contains(&name) {
            c.error_hint(
                "E062",
                key,
                format!("hook \"{name}\" is listed twice"),
                "each hook runs once per deployment; keep one function per event",
            );
        }
        seen.push(name.clone());
        if value.as_str().is_none_or(|s| s.trim().is_empty()) {
            c.error_hint(
                "E060",
                value,
                format!("hook \"{name}\" must name a Lambda function"),
                "write the function name (or ARN) as a string",
            );
        }
    }
}

fn unknown_event(c: &mut Checker, key: &Node, name: &str, events: &[&str], platform: &str) {
    let mut message = format!("hook \"{name}\" is not a lifecycle event");
    if let Some(s) = suggest::closest(name, events) {
        message.push_str(&format!(" — did you mean \"{s}\"?"));
    } else {
        message.push_str(&format!(" of {platform} deployments"));
    }
    c.error_hint(
        "E061",
        key,
        message,
        format!("{platform} events: {}", events.join(", ")),
    );
}
