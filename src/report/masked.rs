//! The masking in front of every reporter and record (see
//! [`super::FanOut`]): events and the run summary pass through
//! [`crate::secrets`] before anything shows or stores them, so a secret in
//! gantry's own text (a reason, a note, an approval question, a custom
//! action's output) is hidden like one in action output.

use std::borrow::Cow;

use crate::events::{ActionResult, Event};
use crate::secrets::mask_in_place;
use crate::summary::RunSummary;

/// `event` with its texts masked.
pub fn event(event: &Event) -> Cow<'_, Event> {
    let patterns = crate::secrets::patterns();
    if patterns.is_empty() {
        // Nothing to hide: no copy of the event on the per-line path.
        return Cow::Borrowed(event);
    }
    // One masker for every text of the event.
    let masker = crate::proc::mask::Masker::with_patterns(patterns);
    let mask_in_place = |text: &mut String| *text = masker.mask_str(text);
    let mut event = event.clone();
    match &mut event {
        Event::StageStarted { stage } => mask_in_place(stage),
        Event::ActionStarted { command, .. } => mask_in_place(command),
        Event::Output { line, .. } => mask_in_place(line),
        Event::Note { text, .. } => mask_in_place(text),
        Event::Retrying { reason, .. } => mask_in_place(reason),
        Event::Progress { .. } => {}
        Event::ApprovalRequested { message, .. } => mask_in_place(message),
        Event::ActionFinished { result, .. } => result_text(result),
        Event::Service { state, .. } => match state {
            crate::events::ServiceState::Starting { command } => mask_in_place(command),
            crate::events::ServiceState::Failed { reason, .. } => mask_in_place(reason),
            crate::events::ServiceState::NotRemoved { why, .. }
            | crate::events::ServiceState::LeftoverNotRemoved { why, .. } => mask_in_place(why),
            _ => {}
        },
    }
    Cow::Owned(event)
}

/// Masks every text of `summary` that a run can fill in: what `run.json`,
/// `--output json`, JUnit and the GitHub summary are made from.
pub fn summary(summary: &mut RunSummary) {
    for value in summary.env.values_mut().flatten() {
        mask_in_place(value);
    }
    for stage in &mut summary.stages {
        for action in &mut stage.actions {
            result_text(action);
        }
    }
}

fn result_text(result: &mut ActionResult) {
    if let Some(reason) = &mut result.reason {
        mask_in_place(reason);
    }
    for value in result.outputs.values_mut() {
        mask_in_place(value);
    }
    for line in result.failure_tail.iter_mut().flatten() {
        mask_in_place(line);
    }
}
