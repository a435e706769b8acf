//! Amazon ECS AppSpec files: `Resources` with one `TargetService` (rules
//! 58–60); `Hooks` are checked in [`super::service_hooks`].

use super::check::Checker;
use super::node::{kind, Node, Value};

const PROPERTY_KEYS: &[&str] = &[
    "TaskDefinition",
    "LoadBalancerInfo",
    "PlatformVersion",
    "NetworkConfiguration",
    "CapacityProviderStrategy",
];
const STRATEGY_KEYS: &[&str] = &["Base", "CapacityProvider", "Weight"];
const AWSVPC_KEYS: &[&str] = &["Subnets", "SecurityGroups", "AssignPublicIp"];

/// Checks the `Resources` list of an ECS AppSpec file.
pub(crate) fn check_resources(c: &mut Checker, node: &Node) {
    let Some((item, entries)) = c.single_resource(
        "E050",
        node,
        "an ECS AppSpec file deploys one service: `- TargetService: …`",
    ) else {
        return;
    };
    c.unknown_keys(
        "E050",
        entries,
        &["TargetService"],
        "the ECS `Resources` item",
    );
    let Some((_, service)) = c.entry(entries, "TargetService") else {
        if entries.is_empty() {
            c.error(
                "E050",
                item,
                "the `Resources` item has no `TargetService`".into(),
            );
        }
        return;
    };
    let Some(fields) = c.map("E050", service, "`TargetService`") else {
        return;
    };
    c.unknown_keys("E050", fields, &["Type", "Properties"], "`TargetService`");
    match service.get("Type") {
        Some(t) if t.as_str() == Some("AWS::ECS::Service") => {}
        other => {
            let at = other.unwrap_or(service);
            c.error_hint(
                "E051",
                at,
                "`TargetService` must have `Type: AWS::ECS::Service`".into(),
                "write `Type: AWS::ECS::Service`",
            );
        }
    }
    match service.get("Properties") {
        Some(p) => properties(c, p),
        None => c.error_hint(
            "E052",
            service,
            "`TargetService` has no `Properties`".into(),
            "add `Properties:` with `TaskDefinition` and `LoadBalancerInfo`",
        ),
    }
}

fn properties(c: &mut Checker, node: &Node) {
    let Some(entries) = c.map("E052", node, "`Properties`") else {
        return;
    };
    c.unknown_keys("E057", entries, PROPERTY_KEYS, "ECS `Properties`");
    match node.get("TaskDefinition") {
        Some(td) => task_definition(c, td),
        None => c.error_hint(
            "E052",
            node,
            "`Properties` has no `TaskDefinition`".into(),
            "add `TaskDefinition: arn:aws:ecs:REGION:ACCOUNT:task-definition/FAMILY:REVISION`",
        ),
    }
    match node.get("LoadBalancerInfo") {
        Some(lb) => load_balancer(c, lb),
        None => c.error_hint(
            "E053",
            node,
            "`Properties` has no `LoadBalancerInfo`".into(),
            "add `LoadBalancerInfo:` with `ContainerName` and `ContainerPort`",
        ),
    }
    if let Some(pv) = node.get("PlatformVersion") {
        if pv.as_str().is_none_or(|s| s.trim().is_empty()) {
            c.error_hint(
                "E054",
                pv,
                format!(
                    "`PlatformVersion` must be a string, found {}",
                    kind(&pv.value)
                ),
                "write e.g. `PlatformVersion: \"LATEST\"` or `\"1.4.0\"`",
            );
        }
    }
    if let Some(nc) = node.get("NetworkConfiguration") {
        network(c, nc);
    }
    if let Some(cps) = node.get("CapacityProviderStrategy") {
        strategy(c, cps);
    }
}

/// `arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>`.
fn task_definition(c: &mut Checker, node: &Node) {
    let valid = node.as_str().is_some_and(is_task_definition_arn);
    if !valid {
        let text = node.scalar_text().unwrap_or_default();
        c.error_hint(
            "E052",
            node,
            format!("`TaskDefinition` \"{text}\" is not a task definition ARN"),
            "write arn:aws:ecs:REGION:ACCOUNT:task-definition/FAMILY:REVISION",
        );
    }
}

fn is_task_definition_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.split(':').collect();
    let [a, partition, service, region, account, resource, revision] = parts[..] else {
        return false;
    };
    let family = resource.strip_prefix("task-definition/").unwrap_or("");
    a == "arn"
        && partition.starts_with("aws")
        && service == "ecs"
        && !region.is_empty()
        && account.len() == 12
        && account.chars().all(|ch| ch.is_ascii_digit())
        && !family.is_empty()
        && !revision.is_empty()
        && revision.chars().all(|ch| ch.is_ascii_digit())
}

fn load_balancer(c: &mut Checker, node: &Node) {
    let Some(entries) = c.map("E053", node, "`LoadBalancerInfo`") else {
        return;
    };
    c.unknown_keys(
        "E053",
        entries,
        &["ContainerName", "ContainerPort"],
        "`LoadBalancerInfo`",
    );
    match node.get("ContainerName") {
        Some(n) if n.as_str().is_some_and(|s| !s.trim().is_empty()) => {}
        Some(n) => c.error_hint(
            "E053",
            n,
            "`ContainerName` must be a non-empty string".into(),
            "name the container of the task definition that receives traffic",
        ),
        None => c.error_hint(
            "E053",
            node,
            "`LoadBalancerInfo` has no `ContainerName`".into(),
            "add `ContainerName: \"my-container\"`",
        ),
    }
    match node.get("ContainerPort") {
        Some(Node {
            value: Value::Int(1..=65535),
            ..
        }) => {}
        Some(n) => c.error_hint(
            "E053",
            n,
            format!(
                "`ContainerPort` must be a port number 1-65535, found {}",
                n.raw(c.source).unwrap_or("?").trim()
            ),
            "write a number without quotes, e.g. `ContainerPort: 80`",
        ),
        None => c.error_hint(
            "E053",
            node,
            "`LoadBalancerInfo` has no `ContainerPort`".into(),
            "add `ContainerPort: 80`",
        ),
    }
}

/// `NetworkConfiguration.AwsvpcConfiguration`: all of its keys or none (rule 60).
fn network(c: &mut Checker, node: &Node) {
    let Some(entries) = c.map("E055", node, "`NetworkConfiguration`") else {
        return;
    };
    c.unknown_keys(
        "E055",
        entries,
        &["AwsvpcConfiguration"],
        "`NetworkConfiguration`",
    );
    let Some(vpc) = node.get("AwsvpcConfiguration") else {
        return;
    };
    let Some(fields) = c.map("E055", vpc, "`AwsvpcConfiguration`") else {
        return;
    };
    c.unknown_keys("E055", fields, AWSVPC_KEYS, "`AwsvpcConfiguration`");
    for key in AWSVPC_KEYS {
        match vpc.get(key) {
            None => c.error_hint("E055", vpc, format!("`AwsvpcConfiguration` has no `{key}`"), "give all three of Subnets, SecurityGroups and AssignPublicIp, or leave NetworkConfiguration out"),
            Some(v) if *key == "AssignPublicIp" => {
                if !matches!(v.as_str(), Some("ENABLED" | "DISABLED")) {
                    let text = v.scalar_text().unwrap_or_default();
                    c.error_hint("E055", v, format!("invalid AssignPublicIp \"{text}\""), "write ENABLED or DISABLED");
                }
            }
            Some(v) => {
                let ok = v.as_seq().is_some_and(|items| !items.is_empty() && items.iter().all(|i| i.as_str().is_some_and(|s| !s.trim().is_empty())));
                if !ok {
                    c.error_hint("E055", v, format!("`{key}` must be a non-empty list of strings"), format!("write e.g. `{key}: [\"{}-1234abcd\"]`", if *key == "Subnets" { "subnet" } else { "sg" }));
                }
            }
        }
    }
}

/// `CapacityProviderStrategy` (rule 60).
fn strategy(c: &mut Checker, node: &Node) {
    let Some(items) = c.seq("E056", node, "`CapacityProviderStrategy`") else {
        return;
    };
    let (mut bases, mut weights) = (0, 0);
    for item in items {
        let (base, weight) = strategy_item(c, item);
        bases += usize::from(base);
        weights += usize::from(weight);
    }
    if bases > 1 {
        c.error_hint(
            "E056",
            node,
            "more than one capacity provider has a Base above 0".into(),
            "only one provider in a strategy may define a base",
        );
    }
    if items.len() > 1 && weights == 0 {
        c.error_hint(
            "E056",
            node,
            "no capacity provider has a Weight above 0".into(),
            "with several providers at least one needs a weight",
        );
    }
}

/// One `{Base, CapacityProvider, Weight}` item; returns whether its Base
/// and its Weight are above 0.
fn strategy_item(c: &mut Checker, item: &Node) -> (bool, bool) {
    let Some(entries) = c.map("E056", item, "a `CapacityProviderStrategy` item") else {
        return (false, false);
    };
    c.unknown_keys(
        "E056",
        entries,
        STRATEGY_KEYS,
        "a `CapacityProviderStrategy` item",
    );
    if item
        .get("CapacityProvider")
        .and_then(Node::as_str)
        .is_none_or(|s| s.trim().is_empty())
    {
        c.error_hint(
            "E056",
            item,
            "a capacity provider item needs `CapacityProvider`".into(),
            "write e.g. `CapacityProvider: \"FARGATE\"`",
        );
    }
    let mut above_zero = |key: &str| match item.get(key).map(|n| (n, &n.value)) {
        None | Some((_, Value::Int(0))) => false,
        Some((_, Value::Int(1..))) => true,
        Some((n, _)) => {
            c.error_hint(
                "E056",
                n,
                format!("`{key}` must be a whole number ≥ 0"),
                format!("write e.g. `{key}: 1`"),
            );
            false
        }
    };
    (above_zero("Base"), above_zero("Weight"))
}

#[cfg(test)]
mod tests {
    use super::is_task_definition_arn;

    #[test]
    fn task_definition_arns() {
        assert!(is_task_definition_arn(
            "arn:aws:ecs:us-east-1:111222333444:task-definition/my-family:1"
        ));
        assert!(!is_task_definition_arn("[Your task definition arn]"));
        assert!(!is_task_definition_arn(
            "arn:aws:ecs:us-east-1:111222333444:task-definition/my-family"
        ));
        assert!(!is_task_definition_arn(
            "arn:aws:lambda:us-east-1:111222333444:task-definition/f:1"
        ));
    }
}
