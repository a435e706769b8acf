//! EC2/On-Premises AppSpec files: top-level keys (rule 8), `os` (rule 10),
//! and the sections, each checked in its own module.

use super::check::Checker;
use super::model::{AppSpec, Os};
use super::node::Node;
use super::{files, hooks, permissions, plan, suggest};

const KEYS: &[&str] = &[
    "version",
    "os",
    "files",
    "permissions",
    "hooks",
    "file_exists_behavior",
];
const SERVICE_ONLY: &[&str] = &["Resources", "resources"];

/// Checks an EC2/On-Premises root mapping; the model when `os` is valid.
pub(crate) fn check(c: &mut Checker, root: &Node) -> Option<AppSpec> {
    let entries = root.as_map()?;
    for (key, _) in entries {
        let k = c.key_name(key);
        if SERVICE_ONLY.contains(&k.as_str()) {
            c.error_hint(
                "E013",
                key,
                format!(
                    "`{k}` is for Amazon ECS and AWS Lambda AppSpec files, not EC2/On-Premises"
                ),
                "remove it, or remove `os` if this file is for ECS or Lambda",
            );
        }
    }
    c.unknown_keys_but(
        "E010",
        entries,
        KEYS,
        SERVICE_ONLY,
        "an EC2/On-Premises AppSpec file",
    );
    let os = os(c, root);
    let assumed = os.unwrap_or(Os::Linux);
    let null = Node::null_at(0, 0);
    let section = |name: &str| root.get(name).unwrap_or(&null);
    let (files, targets) = files::check(c, section("files"), assumed);
    let permissions = match c.entry(entries, "permissions") {
        Some((key, value)) => permissions::check(c, key, value, assumed),
        None => Vec::new(),
    };
    if let Some(targets) = &targets {
        plan::check_permissions(c, targets, &permissions, assumed);
    }
    let permissions = permissions.into_iter().map(|(_, p)| p).collect();
    let hooks = hooks::check(c, section("hooks"), assumed);
    let file_exists_behavior = root
        .get("file_exists_behavior")
        .and_then(|n| files::behavior(c, n));
    Some(AppSpec {
        os: os?,
        files,
        permissions,
        hooks,
        file_exists_behavior,
    })
}

/// Rule 10: `os` is `linux` or `windows`.
fn os(c: &mut Checker, root: &Node) -> Option<Os> {
    let Some(node) = root.get("os") else {
        c.error_hint(
            "E012",
            root,
            "the AppSpec file has no `os`".into(),
            "add `os: linux` or `os: windows` (ECS and Lambda files have `Resources` instead)",
        );
        return None;
    };
    match node.as_str() {
        Some("linux") => Some(Os::Linux),
        Some("windows") => Some(Os::Windows),
        _ => {
            let text = node.scalar_text().unwrap_or_default();
            let mut message = format!("unsupported os \"{text}\"");
            if let Some(s) = suggest::closest(&text, &["linux", "windows"]) {
                message.push_str(&format!(" — did you mean \"{s}\"?"));
            }
            c.error_hint(
                "E012",
                node,
                message,
                "write `os: linux` or `os: windows` (lower case)",
            );
            None
        }
    }
}
