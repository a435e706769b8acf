//! `${actions.STAGE.ACTION.outputs.NAME}` references: the action must exist
//! and run before the one that uses its output (an earlier stage, or a lower
//! `run_order` group of the same stage). Values are filled in at run time.

use std::collections::BTreeSet;

use super::model::{Action, ActionKind, Pipeline};
use crate::diagnostics::Diagnostic;
use crate::diagnostics::Span;
use crate::vars;

/// Where an action runs: stage index, then its group within the stage.
type Position = (usize, u32);

/// Every misplaced or dangling output reference in `pipeline`, located at
/// the reference inside its value (`source` is the config's text,
/// `included` the files an included stage's text is in).
pub fn check_output_references(
    pipeline: &Pipeline,
    source: &str,
    included: &[super::include::IncludedFile],
) -> Vec<Diagnostic> {
    let mut found = BTreeSet::new();
    let at = |span: Span, text: &str, name: &str| span.narrowed_to(text, &format!("${{{name}}}"));
    let main = pipeline.file.as_path();
    for var in &pipeline.env {
        for name in output_names(&var.value) {
            let span = at(var.span, source, &name);
            found.insert((
                main,
                span.line,
                span.column,
                "C066",
                format!("`${{{name}}}` in the pipeline's `env:`"),
                "action outputs exist only once the action ran: use them in a stage's or action's `env:` or command".to_string(),
            ));
        }
    }
    let positions = positions(pipeline);
    for (stage_index, stage) in pipeline.stages.iter().enumerate() {
        let file = stage.file.as_path();
        let text_of_file = included
            .iter()
            .find(|f| f.file == stage.file)
            .map_or(source, |f| f.text.as_str());
        for (action, position) in stage.actions.iter().zip(stage.run_order_keys()) {
            let here = (stage_index, position);
            for (text, span) in texts(action) {
                for name in output_names(text) {
                    if let Some((code, message, hint)) = problem(&name, here, &positions) {
                        let span = at(span, text_of_file, &name);
                        found.insert((file, span.line, span.column, code, message, hint));
                    }
                }
            }
        }
    }
    found
        .into_iter()
        .map(|(file, line, column, code, message, hint)| {
            Diagnostic::error(code, file, line, column, message).with_hint(hint)
        })
        .collect()
}

fn output_names(text: &str) -> Vec<String> {
    vars::references(text)
        .into_iter()
        .filter(|r| vars::output_reference(r.name).is_some())
        .map(|r| r.name.to_string())
        .collect()
}

/// Every action as `(stage, action, position)`.
fn positions(pipeline: &Pipeline) -> Vec<(String, String, Position)> {
    let mut all = Vec::new();
    for (i, stage) in pipeline.stages.iter().enumerate() {
        for (action, key) in stage.actions.iter().zip(stage.run_order_keys()) {
            all.push((stage.name.clone(), action.name.clone(), (i, key)));
        }
    }
    all
}

fn problem(
    name: &str,
    here: Position,
    positions: &[(String, String, Position)],
) -> Option<(&'static str, String, String)> {
    let (target, _) = vars::output_reference(name)?;
    let find = |s: &str, a: &str| positions.iter().find(|(ps, pa, _)| ps == s && pa == a);
    let Some((stage, action)) = vars::split_target(target, &|s, a| find(s, a).is_some()) else {
        let earlier: Vec<String> = positions
            .iter()
            .filter(|(_, _, at)| *at < here)
            .map(|(s, a, _)| format!("{s}.{a}"))
            .collect();
        let hint = if earlier.is_empty() {
            "no action runs before this one, so there are no outputs to use".to_string()
        } else {
            format!(
                "write `${{actions.STAGE.ACTION.outputs.NAME}}` with an earlier action: {}",
                earlier.join(", ")
            )
        };
        return Some(("C064", format!("`${{{name}}}` names no action"), hint));
    };
    let (_, _, at) = find(stage, action)?;
    (*at >= here).then(|| {
        (
            "C065",
            format!("`${{{name}}}` uses an output of {stage}/{action}, which does not run before this action"),
            "use outputs of actions in earlier stages, or of a lower `run_order` in the same stage".to_string(),
        )
    })
}

/// The texts of an action that may hold `${…}` references, with their places.
fn texts(action: &Action) -> Vec<(&str, Span)> {
    let mut texts: Vec<(&str, Span)> = match &action.kind {
        ActionKind::Run { command, span } => vec![(command.as_str(), *span)],
        ActionKind::Script { lines } => lines.iter().map(|(l, s)| (l.as_str(), *s)).collect(),
        ActionKind::Approval { message, span } => vec![(message.as_str(), *span)],
        ActionKind::Custom { with, .. } => {
            with.iter().map(|v| (v.value.as_str(), v.span)).collect()
        }
        // Output references are not filled in image or deploy settings (yet).
        ActionKind::Image(_) | ActionKind::Deploy(_) => Vec::new(),
    };
    texts.extend(action.env.iter().map(|v| (v.value.as_str(), v.span)));
    if let Some((dir, span)) = &action.working_directory {
        texts.push((dir.as_str(), *span));
    }
    texts
}
