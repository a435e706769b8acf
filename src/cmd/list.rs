//! `gantry list`: the stages and actions as a tree.

use std::io::Write;

use super::Globals;
use crate::config::Pipeline;

/// Prints the pipeline's stages and actions.
pub fn execute(ctx: &Globals) -> anyhow::Result<u8> {
    let mut pipeline = ctx.load_pipeline()?;
    crate::plan::condition::preview(&mut pipeline);
    let mut out = std::io::stdout().lock();
    write!(out, "{}", tree(&pipeline))?;
    Ok(0)
}

/// The tree as text: one line per stage, one per action with what it runs.
pub fn tree(pipeline: &Pipeline) -> String {
    let mut text = format!("{}\n", console::style(&pipeline.name).bold());
    for (i, stage) in pipeline.stages.iter().enumerate() {
        let last_stage = i + 1 == pipeline.stages.len();
        let (branch, indent) = if last_stage {
            ("└─", "   ")
        } else {
            ("├─", "│  ")
        };
        text.push_str(&format!(
            "{branch} {}\n",
            console::style(&stage.name).cyan()
        ));
        for (j, action) in stage.actions.iter().enumerate() {
            let twig = if j + 1 == stage.actions.len() {
                "└─"
            } else {
                "├─"
            };
            let mut notes = Vec::new();
            if let Some(order) = action.run_order {
                notes.push(format!("run_order {order}"));
            }
            if action.always {
                notes.push("always".to_string());
            }
            if action.continue_on_error {
                notes.push("continue_on_error".to_string());
            }
            if let Some(condition) = &action.condition {
                notes.push(
                    condition
                        .preview
                        .clone()
                        .unwrap_or_else(|| format!("if: {}", condition.expr)),
                );
            }
            let notes = if notes.is_empty() {
                String::new()
            } else {
                format!(" [{}]", notes.join(", "))
            };
            text.push_str(&format!(
                "{indent}{twig} {}{notes}  {}\n",
                action.name,
                console::style(action.kind.summary()).dim()
            ));
        }
    }
    text
}
