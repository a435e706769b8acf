//! How reporters name a service and say what happened to it: its own line,
//! `service db` (or `service test/db` for a stage's), starting / ready /
//! not ready / stopped / stopped with its container maybe left / a
//! container left by an earlier gantry maybe still there.

use crate::events::ServiceState;
use crate::text::human_duration as human;

/// `service db` or `service STAGE/db`.
pub fn label(name: &str, stage: Option<&str>) -> String {
    match stage {
        Some(stage) => format!("service {stage}/{name}"),
        None => format!("service {name}"),
    }
}

/// What happened, in words: `starting: podman run …`, `ready in 0.4s`…
pub fn detail(state: &ServiceState) -> String {
    match state {
        ServiceState::Starting { command } => format!("starting: {command}"),
        ServiceState::Ready { after } => format!("ready in {}", human(*after)),
        ServiceState::Failed { reason, .. } => format!("not ready: {reason}"),
        ServiceState::Stopped => "stopped".into(),
        ServiceState::NotRemoved { container, why } => {
            format!("stopped, but its container `{container}` may be left: {why}")
        }
        ServiceState::LeftoverNotRemoved {
            container: Some(container),
            why,
        } => format!(
            "container `{container}`, left by a gantry that is gone, may still be there: {why}"
        ),
        ServiceState::LeftoverNotRemoved {
            container: None,
            why,
        } => format!("containers left by a gantry that is gone were not looked for: {why}"),
    }
}
