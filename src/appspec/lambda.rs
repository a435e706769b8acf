//! AWS Lambda AppSpec files: `Resources` with one function (rule 62);
//! `Hooks` are checked in [`super::service_hooks`]. The docs spell keys both
//! PascalCase and all-lowercase; both are accepted.

use super::check::Checker;
use super::node::{Node, Value};

/// (PascalCase, lowercase) spellings of the function properties.
const PROPERTIES: &[(&str, &str)] = &[
    ("Name", "name"),
    ("Alias", "alias"),
    ("CurrentVersion", "currentversion"),
    ("TargetVersion", "targetversion"),
];

/// Checks the `Resources` list of a Lambda AppSpec file.
pub(crate) fn check_resources(c: &mut Checker, node: &Node) {
    let Some((item, entries)) = c.single_resource(
        "E070",
        node,
        "each AppSpec file deploys one Lambda function version",
    ) else {
        return;
    };
    let [(name, function)] = entries else {
        c.error_hint(
            "E070",
            item,
            "the `Resources` item must be one `LogicalName: {Type, Properties}` mapping".into(),
            "write `- myLambdaFunction:` then `Type:` and `Properties:` below it",
        );
        return;
    };
    let label = c.key_name(name);
    let Some(fields) = c.map("E070", function, &format!("`{label}`")) else {
        return;
    };
    c.unknown_keys(
        "E070",
        fields,
        &["Type", "type", "Properties", "properties"],
        &format!("`{label}`"),
    );
    match either(function, "Type", "type") {
        Some(t) if t.as_str() == Some("AWS::Lambda::Function") => {}
        other => c.error_hint(
            "E071",
            other.unwrap_or(function),
            format!("`{label}` must have `Type: AWS::Lambda::Function`"),
            "write `Type: AWS::Lambda::Function`",
        ),
    }
    match either(function, "Properties", "properties") {
        Some(p) => properties(c, p),
        None => c.error_hint(
            "E072",
            function,
            format!("`{label}` has no `Properties`"),
            "add `Properties:` with Name, Alias, CurrentVersion and TargetVersion",
        ),
    }
}

fn either<'n>(node: &'n Node, a: &str, b: &str) -> Option<&'n Node> {
    node.get(a).or_else(|| node.get(b))
}

fn properties(c: &mut Checker, node: &Node) {
    let Some(entries) = c.map("E072", node, "`Properties`") else {
        return;
    };
    let allowed: Vec<&str> = PROPERTIES.iter().flat_map(|(a, b)| [*a, *b]).collect();
    c.unknown_keys("E074", entries, &allowed, "Lambda `Properties`");
    for (key, lower) in PROPERTIES {
        let Some(value) = either(node, key, lower) else {
            c.error_hint(
                "E072",
                node,
                format!("`Properties` has no `{key}`"),
                "Name, Alias, CurrentVersion and TargetVersion are all required",
            );
            continue;
        };
        if key.ends_with("Version") {
            version(c, key, value);
        } else if value.as_str().is_none_or(|s| s.trim().is_empty()) {
            c.error_hint(
                "E072",
                value,
                format!("`{key}` must be a non-empty string"),
                format!("write the function's {}", key.to_lowercase()),
            );
        }
    }
}

/// `CurrentVersion`/`TargetVersion`: a positive whole number, quoted or not.
fn version(c: &mut Checker, key: &str, value: &Node) {
    let ok = match &value.value {
        Value::Int(i) => *i > 0,
        Value::Str(s) => s.parse::<u64>().is_ok_and(|v| v > 0),
        _ => false,
    };
    if !ok {
        let text = value.scalar_text().unwrap_or_default();
        c.error_hint(
            "E073",
            value,
            format!("`{key}` \"{text}\" is not a function version number"),
            "write a published version number such as \"1\" ($LATEST and aliases are not versions)",
        );
    }
}
