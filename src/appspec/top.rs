//! The top level of any AppSpec file: which platform it is for (rule 12),
//! `version` (rule 9), and the allowed keys of ECS and Lambda files (rule 58).

use super::check::Checker;
use super::model::AppSpec;
use super::node::{kind, Node, Value};
use super::{ecs, lambda, server, service_hooks, Platform};

const SERVICE_KEYS: &[&str] = &["version", "Resources", "resources", "Hooks", "hooks"];
const SERVER_ONLY: &[&str] = &["os", "files", "permissions", "file_exists_behavior"];

/// Checks a parsed root mapping; returns the platform it was checked as and,
/// for EC2/On-Premises, the model.
pub(crate) fn check(
    c: &mut Checker,
    root: &Node,
    forced: Option<Platform>,
) -> (Platform, Option<AppSpec>) {
    let platform = forced.unwrap_or_else(|| detect(root));
    version(c, root);
    let model = match platform {
        Platform::Server => server::check(c, root),
        Platform::Ecs | Platform::Lambda => {
            service(c, root, platform);
            None
        }
    };
    (platform, model)
}

/// Rule 12: `os` means EC2/On-Premises; otherwise `Resources` decides.
pub(crate) fn detect(root: &Node) -> Platform {
    if root.get("os").is_some() {
        return Platform::Server;
    }
    let Some(resources) = root.get("Resources").or_else(|| root.get("resources")) else {
        return Platform::Server;
    };
    let first = resources.as_seq().and_then(|items| items.first());
    let Some((name, body)) = first.and_then(Node::as_map).and_then(|e| e.first()) else {
        return Platform::Ecs;
    };
    let type_ = body
        .get("Type")
        .or_else(|| body.get("type"))
        .and_then(Node::as_str);
    match type_ {
        Some("AWS::ECS::Service") => Platform::Ecs,
        Some("AWS::Lambda::Function") => Platform::Lambda,
        _ if name.as_str() == Some("TargetService") => Platform::Ecs,
        _ => Platform::Lambda,
    }
}

/// Rule 9: `version` is the YAML number 0.0.
fn version(c: &mut Checker, root: &Node) {
    let Some(v) = root.get("version") else {
        c.error_hint(
            "E011",
            root,
            "the AppSpec file has no `version`".into(),
            "add `version: 0.0` as the first line",
        );
        return;
    };
    match &v.value {
        Value::Float(f) if *f == 0.0 => {}
        Value::Int(0) => {}
        Value::Str(s) if v.raw(c.source).is_some_and(|r| !r.starts_with(['"', '\''])) => c.error_hint(
            "E011",
            v,
            format!("`version: {s}` is the string \"{s}\" to the agent's YAML 1.1 parser, not the number 0.0"),
            "write `version: 0.0`: the agent compares it with the number 0.0",
        ),
        Value::Str(s) => c.error_hint(
            "E011",
            v,
            format!("`version` is the string \"{s}\", not the number 0.0"),
            "write `version: 0.0` without quotes: the agent compares it with the number 0.0",
        ),
        other => {
            let text = v
                .raw(c.source)
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map_or_else(|| kind(other).to_string(), str::to_string);
            c.error_hint(
                "E011",
                v,
                format!("unsupported version {text}"),
                "the only AppSpec version is `version: 0.0`",
            );
        }
    }
}

/// ECS and Lambda files (rules 58–63).
fn service(c: &mut Checker, root: &Node, platform: Platform) {
    let Some(entries) = root.as_map() else { return };
    let name = platform.name();
    for (key, _) in entries {
        let k = c.key_name(key);
        if SERVER_ONLY.contains(&k.as_str()) {
            c.error_hint("E013", key, format!("`{k}` is for EC2/On-Premises AppSpec files, not {name}"), format!("remove `{k}`, or check with --platform server if this file is for EC2/On-Premises"));
        }
    }
    let what = format!("an {name} AppSpec file");
    c.unknown_keys_but("E010", entries, SERVICE_KEYS, SERVER_ONLY, &what);
    match root.get("Resources").or_else(|| root.get("resources")) {
        Some(r) if platform == Platform::Ecs => ecs::check_resources(c, r),
        Some(r) => lambda::check_resources(c, r),
        None => c.error_hint(
            if platform == Platform::Ecs {
                "E050"
            } else {
                "E070"
            },
            root,
            format!("an {name} AppSpec file needs `Resources`"),
            "see docs/appspec.md for the `Resources` section",
        ),
    }
    if let Some(hooks) = root.get("Hooks").or_else(|| root.get("hooks")) {
        let events = if platform == Platform::Ecs {
            service_hooks::ECS_EVENTS
        } else {
            service_hooks::LAMBDA_EVENTS
        };
        service_hooks::check(c, hooks, events, name);
    }
}
