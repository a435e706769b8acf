//! Planning services: the ones a run's selected stages need, with `${…}`
//! expanded in their environment and commands.

use std::collections::HashMap;

use crate::config::Pipeline;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::Span;

use crate::config::service::{Ready, Service, ServiceKind};

/// A service ready to start: the config's service with its texts expanded.
#[derive(Clone, Debug)]
pub struct PlannedService {
    /// The service, its host command and `ready: { run }` expanded.
    pub service: Service,
    /// Its environment, expanded: a container's is its own `env:` only; a
    /// host command's is that on top of the environment layers that apply
    /// to it (the pipeline's, `defaults: env:`, its stage's), as a
    /// container's engine's.
    pub env: Vec<(String, String)>,
    /// What every engine call for a container service runs with (engine
    /// detection, the sweep, the run, the `ready:` check, the removal): the
    /// environment layers that apply to it (the pipeline's, `defaults:
    /// env:`, its stage's) with its own `env:` on top. Empty for a host
    /// command.
    pub engine_env: Vec<(String, String)>,
}

/// The environment layers services start from: expanded variables set on
/// top of gantry's own environment.
pub struct BaseEnv<'a> {
    /// The pipeline's layers (`env_file`, `env:`, `defaults: env:`,
    /// `--env`): what a pipeline-level host command and container engine
    /// start from.
    pub pipeline: &'a [(String, String)],
    /// By stage name, those and the stage's `env:`: what a host command or
    /// container engine of a service declared in that stage starts from.
    pub stages: HashMap<&'a str, &'a [(String, String)]>,
}

/// Expands `${…}` in a text written at a span of the config, in the file of
/// the stage named (the config's when none), with the variables given set
/// on top of the environment the service starts from.
pub type Expand<'e> =
    &'e dyn Fn(&str, Span, Option<&str>, &[(String, String)]) -> Result<String, Diagnostic>;

/// The services of `pipeline` that the stages named in `stages` need:
/// the pipeline's own (when any stage runs) and those of the stages.
/// `base` is the environment they start from; `expand` expands `${…}` at a
/// place in the config (in the file of the stage named, if any).
pub fn plan(
    pipeline: &Pipeline,
    stages: &[&str],
    base: &BaseEnv<'_>,
    expand: Expand<'_>,
) -> Result<Vec<PlannedService>, Diagnostic> {
    let needed = pipeline
        .services
        .iter()
        .filter(|s| stages.iter().any(|stage| s.serves(stage)));
    let mut planned = Vec::new();
    for service in needed {
        let mut service = service.clone();
        let stage = service.stage.clone();
        // The layers it starts from: the pipeline's, and its stage's `env:`
        // for one declared in a stage; its own `env:` goes on top.
        let mut layered = service
            .stage
            .as_deref()
            .and_then(|stage| base.stages.get(stage))
            .copied()
            .unwrap_or(base.pipeline)
            .to_vec();
        // Each value sees the ones before it, as an action's `env:` does.
        let mut own: Vec<(String, String)> = Vec::new();
        for var in &service.env {
            let value = expand(&var.value, var.span, stage.as_deref(), &own)?;
            own.push((var.name.clone(), value));
        }
        let expand = |text: &str, at: Span| expand(text, at, stage.as_deref(), &own);
        layered.retain(|(name, _)| !own.iter().any(|(var, _)| var == name));
        layered.extend(own.iter().cloned());
        if let ServiceKind::Host { command, span } = &mut service.kind {
            *command = expand(command, *span)?;
        }
        if let Some(Ready::Run(command)) = &mut service.ready {
            *command = expand(command, service.span)?;
        }
        // A host command runs with them all; a container's engine does,
        // while the container gets only the service's own.
        let (env, engine_env) = match service.kind {
            ServiceKind::Host { .. } => (layered, Vec::new()),
            ServiceKind::Container { .. } => (own, layered),
        };
        planned.push(PlannedService {
            service,
            env,
            engine_env,
        });
    }
    Ok(planned)
}
