//! Planning services: the ones a run's selected stages need, with `${…}`
//! expanded in their environment and commands.

use crate::config::Pipeline;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::Span;

use crate::config::service::{Ready, Service, ServiceKind};

/// A service ready to start: the config's service with its texts expanded.
#[derive(Clone, Debug)]
pub struct PlannedService {
    /// The service, its host command and `ready: { run }` expanded.
    pub service: Service,
    /// Its environment, expanded (for a host command, on top of the
    /// pipeline's environment layers).
    pub env: Vec<(String, String)>,
}

/// The services of `pipeline` that the stages named in `stages` need:
/// the pipeline's own (when any stage runs) and those of the stages.
/// `base_env` is the pipeline-wide environment a host command starts from;
/// `expand` expands `${…}` at a place in the config.
pub fn plan(
    pipeline: &Pipeline,
    stages: &[&str],
    base_env: &[(String, String)],
    expand: &dyn Fn(&str, Span) -> Result<String, Diagnostic>,
) -> Result<Vec<PlannedService>, Diagnostic> {
    let needed = pipeline
        .services
        .iter()
        .filter(|s| stages.iter().any(|stage| s.serves(stage)));
    let mut planned = Vec::new();
    for service in needed {
        let mut service = service.clone();
        let mut env = match service.kind {
            ServiceKind::Host { .. } => base_env.to_vec(),
            ServiceKind::Container { .. } => Vec::new(),
        };
        for var in &service.env {
            let value = expand(&var.value, var.span)?;
            env.retain(|(name, _)| *name != var.name);
            env.push((var.name.clone(), value));
        }
        if let ServiceKind::Host { command, span } = &mut service.kind {
            *command = expand(command, *span)?;
        }
        if let Some(Ready::Run(command)) = &mut service.ready {
            *command = expand(command, service.span)?;
        }
        planned.push(PlannedService { service, env });
    }
    Ok(planned)
}
