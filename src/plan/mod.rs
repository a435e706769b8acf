//! Turns a validated [`Pipeline`] plus command-line choices into a [`Plan`]:
//! the selected stages, their `run_order` groups, and for every action the
//! exact command, directory and environment. Everything that can be wrong
//! before a run (an unset variable, a missing secret) is found here.

mod actions;
pub mod condition;
mod env;
mod select;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub use actions::{action_keys, is_action_pattern, keep_only, ActionPatterns};
pub use condition::PlannedCondition;
pub use env::{Layers, FAILED_ACTIONS, GANTRY_EXE, OUTPUT_FILE, PIPELINE_STATUS};
pub use select::{select, Selection};

use crate::config::{Action, ActionKind, Pipeline, Stage};
use crate::diagnostics::ConfigError;
use crate::diagnostics::Diagnostic;
use crate::events::ActionKey;
use crate::git::GitInfo;
use crate::proc::outcome::ActionEnv;
use crate::vars::Vars;

/// Everything a run needs, resolved.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The pipeline's name.
    pub pipeline: String,
    /// Where the config lives; `.gantry/` is created here.
    pub root: PathBuf,
    /// The run's id (`${run.id}`).
    pub run_id: String,
    /// The repository context.
    pub git: GitInfo,
    /// Secret values to mask in all output.
    pub secrets: Vec<String>,
    /// The selected stages, in order.
    pub stages: Vec<PlannedStage>,
    /// Results standing in for actions this run leaves out (`gantry run
    /// STAGE/ACTION`), so that `${actions.…}` references to them resolve.
    pub provided: Vec<crate::events::ActionResult>,
    /// The services the selected stages need.
    pub services: Vec<crate::service::PlannedService>,
}

/// A stage's actions in `run_order` groups: each group runs concurrently,
/// groups one after another.
#[derive(Clone, Debug)]
pub struct PlannedStage {
    /// The stage's name.
    pub name: String,
    /// Groups of actions, in execution order.
    pub groups: Vec<Vec<PlannedAction>>,
}

/// One action, ready to start.
#[derive(Clone, Debug)]
pub struct PlannedAction {
    /// `stage/action`.
    pub key: ActionKey,
    /// The stage's name.
    pub stage: String,
    /// The action's name.
    pub name: String,
    /// What the action does, as shown to people (variables expanded, secrets masked later).
    pub command: String,
    /// What the action does.
    pub work: Work,
    /// Where it runs.
    pub cwd: PathBuf,
    /// Variables set on top of gantry's own environment.
    pub env: Vec<(String, String)>,
    /// Stop it after this long.
    pub timeout: Option<Duration>,
    /// Re-runs allowed after a failure.
    pub retries: u32,
    /// A failure only warns.
    pub continue_on_error: bool,
    /// Runs even after a failure (`always: true`, or an `if:` with
    /// `failure()` or `always()`).
    pub always: bool,
    /// Its `if:`, plan-time parts decided; the rest is decided when reached.
    pub condition: Option<PlannedCondition>,
    /// Glob patterns of its input files (relative to the root), for the cache.
    pub inputs: Vec<String>,
    /// Paths or globs it produces (relative to the root), for the cache.
    pub outputs: Vec<String>,
    /// Whether the cache may skip it (`cache:`, else its kind's default).
    pub cache: bool,
    /// Programs besides its first command word whose identity the cache checks.
    pub tools: Vec<String>,
    /// Not run but reported `cached` with this result (`gantry retry`
    /// reuses what passed in the run it retries).
    pub reuse: Option<Reused>,
    /// The matrix cell it is, for `fail_fast:`/`max_parallel:` and selection by the action's name.
    pub matrix: Option<crate::config::matrix::Cell>,
    /// The container its `run:`/`script:` command runs in (`None`: the host).
    pub container: Option<Box<crate::container::ContainerJob>>,
}

/// An earlier result an action stands on instead of running.
#[derive(Clone, Debug)]
pub struct Reused {
    /// Why it did not run, for people: `passed in run 7`.
    pub reason: String,
    /// The outputs it had then.
    pub outputs: std::collections::BTreeMap<String, String>,
}

/// What an action does, resolved. Each action kind has a variant and a
/// runner module; the executor dispatches on this in `exec::action`.
#[derive(Clone, Debug)]
pub enum Work {
    /// `run:` / `script:`: a command in a shell.
    Shell {
        /// The shell program.
        program: String,
        /// Its arguments (`-c COMMAND` or `-e -c SCRIPT`).
        args: Vec<String>,
    },
    /// `image:`: a container image build.
    Image(Box<crate::image::ImageJob>),
    /// `approval:`: a manual gate.
    Approval {
        /// The question, variables expanded.
        message: String,
    },
    /// `uses:`: a custom action speaking gantry's JSON protocol.
    Custom {
        /// `NAME` (found as `gantry-action-NAME` on PATH) or a path with a `/`.
        uses: String,
        /// The `with:` inputs, variables expanded.
        inputs: Vec<(String, String)>,
    },
    /// `deploy:`: a local CodeDeploy in-place deployment.
    Deploy(Box<crate::deploy::DeployJob>),
}

/// Inputs to planning besides the pipeline.
pub struct PlanOptions<'a> {
    /// Which stages.
    pub selection: &'a Selection,
    /// `--env KEY=VALUE` pairs.
    pub cli_env: &'a [(String, String)],
    /// The run id to expand `${run.id}` with.
    pub run_id: String,
    /// The repository context.
    pub git: GitInfo,
}

/// Resolves `pipeline` into a plan.
pub fn plan(pipeline: &Pipeline, options: PlanOptions<'_>) -> anyhow::Result<Plan> {
    let chosen = select(pipeline, options.selection)?;
    let fail = |diagnostics: Vec<Diagnostic>| ConfigError {
        file: pipeline.file.display().to_string(),
        diagnostics,
    };
    let mut vars = Vars::default();
    for (name, value) in options.git.variables() {
        vars.set(name, value);
    }
    vars.set("run.id", options.run_id.clone());
    vars.set("pipeline.name", pipeline.name.clone());
    let layers =
        env::pipeline_layers(pipeline, &vars, options.cli_env).map_err(|d| fail(vec![d]))?;
    let mut secrets = secret_values(pipeline, &layers).map_err(fail)?;
    // Known before the actions are planned, so that their errors are masked.
    crate::secrets::register(&secrets);
    // A snapshot run asks the real repository what its commit changes.
    let changed = if pipeline.state_root != pipeline.root {
        let commit = Some(options.git.sha.clone()).filter(|s| !s.is_empty());
        condition::ChangedFiles::new(&pipeline.state_root, commit)
    } else {
        condition::ChangedFiles::new(&pipeline.root, None)
    };
    let run = RunFacts {
        changed,
        gantry_exe: env::gantry_exe(),
    };
    let mut stages = Vec::new();
    for i in chosen {
        let stage = &pipeline.stages[i];
        let groups = stage
            .run_order_groups()
            .into_iter()
            .map(|group| {
                group
                    .into_iter()
                    .map(|a| plan_action(pipeline, stage, a, &vars, &layers, &options, &run))
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|d| fail(vec![d]))?;
        stages.push(PlannedStage {
            name: stage.name.clone(),
            groups,
        });
    }
    let services = plan_services(pipeline, &stages, &vars, &layers, options.cli_env);
    let planned = services.as_deref().unwrap_or_default();
    overridden_secrets(pipeline, &stages, planned, &mut secrets);
    // Before a service's error is returned: its message is shown masked.
    crate::secrets::register(&secrets);
    let services = services.map_err(|d| fail(vec![d]))?;
    Ok(Plan {
        pipeline: pipeline.name.clone(),
        root: pipeline.root.clone(),
        run_id: options.run_id,
        git: options.git,
        secrets,
        stages,
        provided: Vec::new(),
        services,
    })
}

/// The services `stages` need, `${…}` expanded as their stage's actions
/// would (the pipeline's service as a pipeline-level action's): with the
/// layers it starts from, its stage's `env:` among them.
fn plan_services(
    pipeline: &Pipeline,
    stages: &[PlannedStage],
    vars: &Vars,
    layers: &Layers,
    cli_env: &[(String, String)],
) -> Result<Vec<crate::service::PlannedService>, Diagnostic> {
    let names: Vec<&str> = stages.iter().map(|s| s.name.as_str()).collect();
    let service_layers =
        |stage| env::service_layers(layers, vars, &pipeline.defaults_env, stage, cli_env);
    // Each layering once, with its variables: the pipeline's, and that of
    // each stage that declares a service.
    let top = service_layers(None);
    let mut by_stage = std::collections::HashMap::new();
    for stage in &pipeline.stages {
        if pipeline
            .services
            .iter()
            .any(|s| s.stage.as_ref() == Some(&stage.name))
        {
            let layering = (
                stage,
                vars.for_stage(&stage.name),
                service_layers(Some(stage)),
            );
            by_stage.insert(stage.name.as_str(), layering);
        }
    }
    // A stage's services are written in its file (an included one, maybe).
    let expand = |text: &str, span, stage: Option<&str>, own: &[(String, String)]| {
        let (file, vars, layers) = match stage.and_then(|name| by_stage.get(name)) {
            Some((stage, vars, layers)) => (stage.file.as_path(), vars, layers),
            None => (pipeline.file.as_path(), vars, &top),
        };
        let lookup = |n: &str| match own.iter().find(|(name, _)| name == n) {
            Some((_, value)) => Some(value.clone()),
            None => layers.lookup(n),
        };
        vars.expand(text, &lookup)
            .map_err(|name| env::unset_variable(file, span, &name))
    };
    let base = crate::service::plan::BaseEnv {
        pipeline: top.vars(),
        stages: by_stage
            .iter()
            .map(|(name, (_, _, layers))| (*name, layers.vars()))
            .collect(),
    };
    crate::service::plan::plan(pipeline, &names, &base, &expand)
}

/// Every secret's value; a secret with no value is an error naming it.
fn secret_values(pipeline: &Pipeline, layers: &Layers) -> Result<Vec<String>, Vec<Diagnostic>> {
    let mut values = Vec::new();
    let mut missing = Vec::new();
    for secret in &pipeline.secrets {
        match layers.lookup(&secret.name) {
            Some(value) => values.push(value),
            None => missing.push(
                Diagnostic::error(
                    "C013",
                    &pipeline.file,
                    secret.span.line,
                    secret.span.column,
                    format!("secret `{}` is not set", secret.name),
                )
                .with_hint(format!(
                    "export {0}, put it in the env_file, or pass --env {0}=…",
                    secret.name
                )),
            ),
        }
    }
    if missing.is_empty() {
        Ok(values)
    } else {
        Err(missing)
    }
}

/// Adds the values a stage, action or service `env` gives a variable named
/// in `secrets:`: they are as secret as the value they replace.
fn overridden_secrets(
    pipeline: &Pipeline,
    stages: &[PlannedStage],
    services: &[crate::service::PlannedService],
    secrets: &mut Vec<String>,
) {
    let actions = stages.iter().flat_map(|s| s.groups.iter().flatten());
    let services = services
        .iter()
        .flat_map(|s| s.env.iter().chain(&s.engine_env));
    for (name, value) in actions.flat_map(|a| &a.env).chain(services) {
        let named = pipeline.secrets.iter().any(|s| &s.name == name);
        if named && !value.is_empty() && !secrets.contains(value) {
            secrets.push(value.clone());
        }
    }
}

/// What every action of one plan shares: the files the commit changed
/// (for `if: changed(…)`), and this gantry's path (`GANTRY_EXE`), asked once.
struct RunFacts {
    changed: condition::ChangedFiles,
    gantry_exe: Option<String>,
}

fn plan_action(
    pipeline: &Pipeline,
    stage: &Stage,
    action: &Action,
    vars: &Vars,
    pipeline_layers: &Layers,
    options: &PlanOptions<'_>,
    run: &RunFacts,
) -> Result<PlannedAction, Diagnostic> {
    let mut vars = vars.for_action(&stage.name, &action.name);
    for (name, value) in action.matrix.iter().flat_map(|cell| cell.variables()) {
        vars.set(&format!("matrix.{name}"), value);
    }
    // The action's spans point into its stage's file (an included one,
    // maybe), but for what it has from the top-level `defaults:`.
    let file = stage.file.as_path();
    let mut layers = pipeline_layers.over(options.cli_env, |layers| {
        action.env.iter().try_for_each(|var| {
            let inherited = pipeline.defaults_env.contains(var);
            let written = if inherited { &pipeline.file } else { file };
            layers.apply(written, &vars, std::slice::from_ref(var))
        })
    })?;
    let exported = [
        ("GANTRY_RUN_ID", options.run_id.as_str()),
        ("GANTRY_PIPELINE", pipeline.name.as_str()),
        ("GANTRY_STAGE", stage.name.as_str()),
        ("GANTRY_ACTION", action.name.as_str()),
        ("GANTRY_GIT_SHA", options.git.sha.as_str()),
        ("GANTRY_GIT_SHORT_SHA", options.git.short_sha.as_str()),
        ("GANTRY_GIT_BRANCH", options.git.branch.as_str()),
        ("GANTRY_GIT_TAG", options.git.tag.as_str()),
    ];
    for (name, value) in exported {
        layers.set(name, value.to_string());
    }
    let dirty = vars.get("git.dirty").unwrap_or_default().to_string();
    layers.set("GANTRY_GIT_DIRTY", dirty);
    // This gantry, for actions that run it (`"$GANTRY_EXE" validate …`):
    // the one on PATH may be another or none. Not in a container, where
    // the path means nothing.
    if let (None, Some(exe)) = (&action.container, &run.gantry_exe) {
        layers.set(env::GANTRY_EXE, exe.clone());
    }
    let expand_in = |file: &Path, text: &str, span| {
        vars.expand(text, &|n| layers.lookup(n))
            .map_err(|name| env::unset_variable(file, span, &name))
    };
    let expand = |text: &str, span| expand_in(file, text, span);
    let cwd = match &action.working_directory {
        Some((dir, span)) => {
            let inherited = action.working_directory == pipeline.defaults_working_directory;
            let written = if inherited { &pipeline.file } else { file };
            pipeline.root.join(expand_in(written, dir, *span)?)
        }
        None => pipeline.root.clone(),
    };
    // What an `image:` action and an action's `container:` are planned from.
    let lookup = |n: &str| layers.lookup(n);
    let image_input = crate::image::PlanInput {
        config: file,
        root: &pipeline.root,
        cwd: &cwd,
        git_sha: &options.git.sha,
        env: layers.vars(),
        lookup: &lookup,
        expand: &expand,
    };
    let image = |spec: &crate::config::image::ImageSpec| {
        let job = crate::image::plan(spec, &image_input)?;
        let command = crate::image::command::describe(&job);
        Ok((Work::Image(Box::new(job)), command))
    };
    let deploy = |deploy: &crate::config::deploy::DeployAction| {
        let input = crate::deploy::job::PlanInput {
            pipeline,
            config: file,
            env: layers.vars(),
            cwd: &cwd,
            lookup: &lookup,
            expand: &expand,
        };
        let job = crate::deploy::job::plan(deploy, &input)?;
        let command = crate::deploy::job::command_line(&job, &pipeline.root);
        Ok((Work::Deploy(Box::new(job)), command))
    };
    let planners = Planners {
        image: &image,
        deploy: &deploy,
    };
    let (work, command) = work(action, &expand, &planners)?;
    let container = match &action.container {
        Some(spec) => {
            let secrets = pipeline.secrets.iter().map(|s| s.name.clone()).collect();
            // One gantry.yml gives every action (an included stage's too)
            // is written there.
            let top = |text: &str, span| expand_in(&pipeline.file, text, span);
            let inherited = action.container == pipeline.defaults_container;
            let input = crate::image::PlanInput {
                config: if inherited { &pipeline.file } else { file },
                expand: if inherited { &top } else { &expand },
                ..image_input
            };
            let job = crate::container::job::plan(spec, &pipeline.name, secrets, &input)?;
            Some(Box::new(job))
        }
        None => None,
    };
    let condition = match &action.condition {
        Some(c) => {
            let var = |name: &str| match name.strip_prefix("env.") {
                Some(n) => layers.lookup(n),
                None => vars.get(name).map(str::to_string),
            };
            let facts = condition::Facts {
                var: &var,
                changed: &run.changed,
            };
            let planned = PlannedCondition::new(c, &facts)
                .map_err(|why| Diagnostic::error("C016", file, c.span.line, c.span.column, why))?;
            Some(planned)
        }
        None => None,
    };
    Ok(PlannedAction {
        key: Arc::from(format!("{}/{}", stage.name, action.name)),
        stage: stage.name.clone(),
        name: action.name.clone(),
        command,
        work,
        cwd,
        env: layers.vars().to_vec(),
        timeout: action.timeout,
        retries: action.retries,
        continue_on_error: action.continue_on_error,
        always: runs_after_failure(action),
        condition,
        inputs: action.inputs.clone(),
        outputs: action.outputs.clone(),
        cache: cached(pipeline, action),
        tools: action.tools.clone(),
        reuse: None,
        matrix: action.matrix.clone(),
        container,
    })
}

/// `cache:` of the action (or its stage) when written; otherwise actions
/// without side effects are cached unless the pipeline says `cache: false`,
/// and deployments, approvals, custom actions and clean-up are not.
pub fn cached(pipeline: &Pipeline, action: &Action) -> bool {
    let side_effects = runs_after_failure(action)
        || matches!(
            action.kind,
            ActionKind::Deploy(_) | ActionKind::Approval { .. } | ActionKind::Custom { .. }
        );
    action
        .cache
        .unwrap_or(!side_effects && pipeline.cache.unwrap_or(true))
}

/// `always: true`, or an `if:` that may hold after a failure.
fn runs_after_failure(action: &Action) -> bool {
    action.always
        || action
            .condition
            .as_ref()
            .is_some_and(|c| c.runs_after_failure())
}

/// What `action` does, variables expanded, and the text shown for it.
/// Planners for the kinds that need more than variable expansion (the
/// directory, the environment layers, the pipeline's deploy groups).
struct Planners<'a> {
    image: &'a dyn Fn(&crate::config::image::ImageSpec) -> Planned,
    deploy: &'a dyn Fn(&crate::config::deploy::DeployAction) -> Planned,
}

/// What an action does, and how to show it.
type Planned = Result<(Work, String), Diagnostic>;

fn work(
    action: &Action,
    expand: &dyn Fn(&str, crate::diagnostics::Span) -> Result<String, Diagnostic>,
    planners: &Planners<'_>,
) -> Result<(Work, String), Diagnostic> {
    let shell = |args: Vec<String>| Work::Shell {
        program: action.shell.clone(),
        args,
    };
    Ok(match &action.kind {
        ActionKind::Image(spec) => (planners.image)(spec)?,
        ActionKind::Deploy(deploy) => (planners.deploy)(deploy)?,
        ActionKind::Run { command, span } => {
            let command = expand(command, *span)?;
            (shell(vec!["-c".to_string(), command.clone()]), command)
        }
        ActionKind::Script { lines } => {
            let lines = lines
                .iter()
                .map(|(line, span)| expand(line, *span))
                .collect::<Result<Vec<_>, _>>()?;
            let script = lines.join("\n");
            (
                shell(vec!["-e".into(), "-c".into(), script.clone()]),
                script,
            )
        }
        ActionKind::Approval { message, span } => {
            let message = expand(message, *span)?;
            let shown = format!("approval: {message}");
            (Work::Approval { message }, shown)
        }
        ActionKind::Custom { uses, with, .. } => {
            let inputs = with
                .iter()
                .map(|v| Ok((v.name.clone(), expand(&v.value, v.span)?)))
                .collect::<Result<Vec<_>, Diagnostic>>()?;
            let shown = format!("uses {uses}");
            (
                Work::Custom {
                    uses: uses.clone(),
                    inputs,
                },
                shown,
            )
        }
    })
}

impl PlannedAction {
    /// What the action's kind gets to know of it: its name, directory,
    /// environment and timeout.
    pub fn env(&self) -> ActionEnv<'_> {
        ActionEnv {
            key: &self.key,
            stage: &self.stage,
            name: &self.name,
            cwd: &self.cwd,
            env: &self.env,
            timeout: self.timeout,
        }
    }

    /// Whether the action uses its pipeline's and stage's services: shell
    /// commands and custom actions do; image builds, deployments and
    /// approvals do not.
    pub fn uses_services(&self) -> bool {
        matches!(self.work, Work::Shell { .. } | Work::Custom { .. })
    }

    /// The action as it runs next to services that `variables`
    /// (`GANTRY_SERVICE_*`) locate: with them, and its container, if any,
    /// on the host's network, where those addresses are.
    pub fn with_services(&self, variables: Vec<(String, String)>) -> PlannedAction {
        let mut action = self.clone();
        action.env.extend(variables);
        if let Some(job) = action.container.as_mut() {
            job.host_network = true;
        }
        action
    }
}
