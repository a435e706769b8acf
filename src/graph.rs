//! The pipeline as a diagram: readable text for the terminal, Mermaid and
//! Graphviz DOT for documentation. Stages run top to bottom (or left to
//! right); the actions of a `run_order` group run together.

use std::fmt::Write;

use crate::config::{Action, ActionKind, Pipeline};

/// Output formats of `gantry graph`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Box-drawing text for terminals.
    Text,
    /// A Mermaid flowchart.
    Mermaid,
    /// A Graphviz digraph.
    Dot,
}

/// Renders `pipeline` in `format`.
pub fn render(pipeline: &Pipeline, format: Format) -> String {
    match format {
        Format::Text => text(pipeline),
        Format::Mermaid => mermaid(pipeline),
        Format::Dot => dot(pipeline),
    }
}

fn notes(action: &Action) -> String {
    let mut notes = Vec::new();
    if action.always {
        notes.push("always");
    }
    if action.continue_on_error {
        notes.push("may fail");
    }
    if !action.inputs.is_empty() {
        notes.push("cached");
    }
    if matches!(action.kind, ActionKind::Approval { .. }) {
        notes.push("⏸ approval");
    }
    let mut notes: Vec<String> = notes.into_iter().map(String::from).collect();
    if let Some(condition) = &action.condition {
        notes.push(
            condition
                .preview
                .clone()
                .unwrap_or_else(|| format!("if: {}", condition.expr)),
        );
    }
    if notes.is_empty() {
        String::new()
    } else {
        format!(" [{}]", notes.join(", "))
    }
}

fn text(pipeline: &Pipeline) -> String {
    let width = pipeline
        .stages
        .iter()
        .flat_map(|s| &s.actions)
        .map(|a| a.name.chars().count() + notes(a).chars().count())
        .max()
        .unwrap_or(0);
    let mut out = format!("{}\n", pipeline.name);
    for (i, stage) in pipeline.stages.iter().enumerate() {
        let last_stage = i + 1 == pipeline.stages.len();
        let _ = writeln!(
            out,
            "{}─▶ {}",
            if last_stage { "└" } else { "├" },
            stage.name
        );
        let rail = if last_stage { " " } else { "│" };
        let groups = stage.run_order_groups();
        for (g, group) in groups.iter().enumerate() {
            if g > 0 {
                let _ = writeln!(out, "{rail}     then");
            }
            for (j, action) in group.iter().enumerate() {
                let mark = match (group.len(), j) {
                    (1, _) => "•",
                    (_, 0) => "┌",
                    (n, j) if j + 1 == n => "└",
                    _ => "├",
                };
                let together = if group.len() > 1 && j + 1 == group.len() {
                    "  ⇉ together"
                } else {
                    ""
                };
                let name = format!("{}{}", action.name, notes(action));
                let pad = " ".repeat(width - name.chars().count());
                let container = action
                    .container
                    .as_ref()
                    .map(|c| format!("  ▣ {}", c.summary()))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "{rail}     {mark} {name}{pad}  {}{container}{together}",
                    action.kind.summary()
                );
            }
        }
        if !last_stage {
            let _ = writeln!(out, "│");
        }
    }
    out.push_str(&group_lines(pipeline));
    out.push_str(&service_lines(pipeline));
    out
}

/// `services` lines: what each runs and how it is found ready.
fn service_lines(pipeline: &Pipeline) -> String {
    let mut out = String::new();
    if pipeline.services.is_empty() {
        return out;
    }
    out.push_str("\nservices\n");
    for service in &pipeline.services {
        let _ = writeln!(out, "  ◉ {}", service_label(service));
    }
    out
}

/// `service db: image postgres:16, ready: port 5432 (stage test)`.
fn service_label(service: &crate::config::service::Service) -> String {
    let scope = match &service.stage {
        Some(stage) => format!(" (stage {stage})"),
        None => String::new(),
    };
    format!("service {}: {}{scope}", service.name, service.summary())
}

/// The stages whose actions a service serves: its own, or all.
fn served_stages<'p>(
    pipeline: &'p Pipeline,
    service: &'p crate::config::service::Service,
) -> impl Iterator<Item = usize> + 'p {
    pipeline
        .stages
        .iter()
        .enumerate()
        .filter(move |(_, st)| service.serves(&st.name))
        .map(|(i, _)| i)
}

/// `deploy groups:` lines: instances, configuration, approval.
fn group_lines(pipeline: &Pipeline) -> String {
    let mut out = String::new();
    if pipeline.deploy_groups.is_empty() {
        return out;
    }
    out.push_str("\ndeploy groups\n");
    for group in &pipeline.deploy_groups {
        let _ = writeln!(out, "  ▣ {}", group_label(group));
    }
    out
}

fn group_label(group: &crate::config::deploy::DeployGroup) -> String {
    let n = group.instances.len();
    let approval = if group.approval {
        ", approval required"
    } else {
        ""
    };
    let s = if n == 1 { "" } else { "s" };
    let kind = match &group.container {
        Some(image) => format!("container instance{s} ({image})"),
        None => format!("instance{s}"),
    };
    format!("{}: {n} {kind}, {}{approval}", group.name, group.config)
}

/// The deploy group an action deploys to, if it is a `deploy:` action.
fn deploy_group(action: &Action) -> Option<&str> {
    match &action.kind {
        ActionKind::Deploy(deploy) => Some(deploy.group.as_str()),
        _ => None,
    }
}

fn is_gate(action: &Action) -> bool {
    matches!(action.kind, ActionKind::Approval { .. })
}

/// Escapes text for a quoted Mermaid label.
fn mermaid_label(text: &str) -> String {
    text.replace('"', "#quot;")
}

fn mermaid(pipeline: &Pipeline) -> String {
    let mut out = String::from("flowchart TD\n");
    for (i, stage) in pipeline.stages.iter().enumerate() {
        let _ = writeln!(out, "  subgraph s{i}[\"{}\"]", mermaid_label(&stage.name));
        let groups = stage.run_order_groups();
        for (g, group) in groups.iter().enumerate() {
            for action in group {
                let id = node_id(i, &stage.actions, action);
                let label = format!("{}{}", action.name, notes(action));
                let (open, close) = if is_gate(action) {
                    ("{{", "}}")
                } else {
                    ("[", "]")
                };
                let _ = writeln!(out, "    {id}{open}\"{}\"{close}", mermaid_label(&label));
                if let Some(previous) = g.checked_sub(1).map(|p| &groups[p]) {
                    for before in previous {
                        let _ =
                            writeln!(out, "    {} --> {id}", node_id(i, &stage.actions, before));
                    }
                }
            }
        }
        let _ = writeln!(out, "  end");
        if i > 0 {
            let _ = writeln!(out, "  s{} --> s{i}", i - 1);
        }
    }
    for (g, group) in pipeline.deploy_groups.iter().enumerate() {
        let _ = writeln!(out, "  g{g}[(\"{}\")]", mermaid_label(&group_label(group)));
        for (i, stage) in pipeline.stages.iter().enumerate() {
            for action in stage
                .actions
                .iter()
                .filter(|a| deploy_group(a) == Some(&group.name))
            {
                let _ = writeln!(out, "  {} -.-> g{g}", node_id(i, &stage.actions, action));
            }
        }
    }
    for (v, service) in pipeline.services.iter().enumerate() {
        let label = mermaid_label(&service_label(service));
        let _ = writeln!(out, "  v{v}([\"{label}\"])");
        for i in served_stages(pipeline, service) {
            let _ = writeln!(out, "  v{v} -.- s{i}");
        }
    }
    out
}

fn node_id(stage: usize, actions: &[Action], action: &Action) -> String {
    let index = actions
        .iter()
        .position(|a| std::ptr::eq(a, action))
        .unwrap_or(0);
    format!("s{stage}a{index}")
}

/// Escapes text for a quoted DOT string.
fn dot_label(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

fn dot(pipeline: &Pipeline) -> String {
    let mut out = format!(
        "digraph \"{}\" {{\n  rankdir=LR;\n  compound=true;\n  node [shape=box, style=rounded];\n",
        dot_label(&pipeline.name)
    );
    let mut previous_stage: Option<(usize, String)> = None;
    for (i, stage) in pipeline.stages.iter().enumerate() {
        let _ = writeln!(
            out,
            "  subgraph cluster_{i} {{\n    label=\"{}\";",
            dot_label(&stage.name)
        );
        let groups = stage.run_order_groups();
        for (g, group) in groups.iter().enumerate() {
            for action in group {
                let id = node_id(i, &stage.actions, action);
                let label = format!("{}{}", action.name, notes(action));
                let shape = if is_gate(action) {
                    ", shape=hexagon"
                } else {
                    ""
                };
                let _ = writeln!(out, "    {id} [label=\"{}\"{shape}];", dot_label(&label));
                if let Some(previous) = g.checked_sub(1).map(|p| &groups[p]) {
                    for before in previous {
                        let _ =
                            writeln!(out, "    {} -> {id};", node_id(i, &stage.actions, before));
                    }
                }
            }
        }
        let _ = writeln!(out, "  }}");
        let first = node_id(i, &stage.actions, groups[0][0]);
        if let Some((p, last)) = &previous_stage {
            let _ = writeln!(
                out,
                "  {last} -> {first} [ltail=cluster_{p}, lhead=cluster_{i}];"
            );
        }
        let last_group = groups.last().map(|g| g[0]).unwrap_or(groups[0][0]);
        previous_stage = Some((i, node_id(i, &stage.actions, last_group)));
    }
    for (g, group) in pipeline.deploy_groups.iter().enumerate() {
        let _ = writeln!(
            out,
            "  g{g} [label=\"{}\", shape=cylinder];",
            dot_label(&group_label(group))
        );
        for (i, stage) in pipeline.stages.iter().enumerate() {
            for action in stage
                .actions
                .iter()
                .filter(|a| deploy_group(a) == Some(&group.name))
            {
                let _ = writeln!(
                    out,
                    "  {} -> g{g} [style=dashed];",
                    node_id(i, &stage.actions, action)
                );
            }
        }
    }
    for (v, service) in pipeline.services.iter().enumerate() {
        let label = dot_label(&service_label(service));
        let _ = writeln!(out, "  v{v} [label=\"{label}\", shape=component];");
        for i in served_stages(pipeline, service) {
            let actions = &pipeline.stages[i].actions;
            let Some(first) = actions.first().map(|a| node_id(i, actions, a)) else {
                continue;
            };
            let _ = writeln!(
                out,
                "  v{v} -> {first} [style=dotted, arrowhead=none, lhead=cluster_{i}];"
            );
        }
    }
    out.push_str("}\n");
    out
}
