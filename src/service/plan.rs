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
    /// Its environment, expanded: a container's is its own `env:` only; a
    /// host command's is that on top of the pipeline's environment layers.
    pub env: Vec<(String, String)>,
    /// What every engine call for a container service runs with (engine
    /// detection, the sweep, the run, the `ready:` check, the removal): the
    /// environment layers that apply to it (the pipeline's, its stage's)
    /// with its own `env:` on top. Empty for a host command.
    pub engine_env: Vec<(String, String)>,
}

/// The environment layers services start from: expanded variables set on
/// top of gantry's own environment.
pub struct BaseEnv<'a> {
    /// The pipeline's layers (`env_file`, `env:`, `--env`): a host
    /// command's environment and a pipeline-level service's engine's.
    pub pipeline: &'a [(String, String)],
    /// Those and the named stage's `env:`: the engine's of a service
    /// declared in that stage.
    pub stage: &'a dyn Fn(&str) -> Vec<(String, String)>,
}

/// The services of `pipeline` that the stages named in `stages` need:
/// the pipeline's own (when any stage runs) and those of the stages.
/// `base` is the environment they start from; `expand` expands `${…}` at a
/// place in the config.
pub fn plan(
    pipeline: &Pipeline,
    stages: &[&str],
    base: &BaseEnv<'_>,
    expand: &dyn Fn(&str, Span) -> Result<String, Diagnostic>,
) -> Result<Vec<PlannedService>, Diagnostic> {
    let needed = pipeline
        .services
        .iter()
        .filter(|s| stages.iter().any(|stage| s.serves(stage)));
    let mut planned = Vec::new();
    for service in needed {
        let mut service = service.clone();
        let (mut env, mut engine_env) = match (&service.kind, &service.stage) {
            (ServiceKind::Host { .. }, _) => (base.pipeline.to_vec(), Vec::new()),
            (ServiceKind::Container { .. }, None) => (Vec::new(), base.pipeline.to_vec()),
            (ServiceKind::Container { .. }, Some(stage)) => (Vec::new(), (base.stage)(stage)),
        };
        let container = matches!(service.kind, ServiceKind::Container { .. });
        for var in &service.env {
            let value = expand(&var.value, var.span)?;
            env.retain(|(name, _)| *name != var.name);
            env.push((var.name.clone(), value.clone()));
            if container {
                engine_env.retain(|(name, _)| *name != var.name);
                engine_env.push((var.name.clone(), value));
            }
        }
        if let ServiceKind::Host { command, span } = &mut service.kind {
            *command = expand(command, *span)?;
        }
        if let Some(Ready::Run(command)) = &mut service.ready {
            *command = expand(command, service.span)?;
        }
        planned.push(PlannedService {
            service,
            env,
            engine_env,
        });
    }
    Ok(planned)
}
