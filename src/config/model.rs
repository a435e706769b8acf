//! The validated pipeline: what the planner and executor work from.

use std::path::PathBuf;
use std::time::Duration;

use crate::diagnostics::Span;

/// An environment variable set by the config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvVar {
    /// The variable's name.
    pub name: String,
    /// Its value, before `${…}` expansion.
    pub value: String,
    /// Where the value is written.
    pub span: Span,
}

/// A name listed under `secrets:`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Secret {
    /// The environment variable holding the secret.
    pub name: String,
    /// Where it is listed.
    pub span: Span,
}

/// A parsed `if:`, with where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    /// The expression.
    pub expr: super::condition::Expr,
    /// Where the `if:` value is written.
    pub span: Span,
    /// For `gantry list`/`graph`: what a run planned now would make of it
    /// (`would skip: …`), once previewed.
    pub preview: Option<String>,
}

impl Condition {
    /// Whether it may hold after a failure (`failure()` or `always()`):
    /// the action is then clean-up, not skipped for an earlier failure.
    pub fn runs_after_failure(&self) -> bool {
        use super::condition::Status;
        self.expr
            .mentions(&|s| matches!(s, Status::Failure | Status::Always))
    }
}

/// A whole pipeline, validated.
#[derive(Clone, Debug)]
pub struct Pipeline {
    /// The config file it was read from.
    pub file: PathBuf,
    /// The directory holding the config: actions run here, `.gantry/` lives here.
    pub root: PathBuf,
    /// The real repository's pipeline root, where `.gantry/` (run records,
    /// cache, deployment instances and history) lives. The same as `root`
    /// except in a `--snapshot` run, whose `root` is in the checkout.
    pub state_root: PathBuf,
    /// The pipeline's name (`name:`, else the root directory's name).
    pub name: String,
    /// Pipeline-wide environment.
    pub env: Vec<EnvVar>,
    /// Top-level `defaults: env:`, before `${…}` expansion. Every action has
    /// it merged into its own already; services' environments get it too.
    pub defaults_env: Vec<EnvVar>,
    /// Top-level `defaults: working_directory:`, before `${…}` expansion,
    /// with where it is written. The actions without their own have it.
    pub defaults_working_directory: Option<(String, Span)>,
    /// The top-level `container:` (or `defaults: container:`), with where
    /// it is written. The actions without one of their own or their
    /// stage's have it.
    pub defaults_container: Option<crate::config::container::ContainerSpec>,
    /// A dotenv file to load, relative to `root`.
    pub env_file: Option<(PathBuf, Span)>,
    /// Variables whose values are masked in all output.
    pub secrets: Vec<Secret>,
    /// Run records to keep in `.gantry/runs/`.
    pub keep_runs: u32,
    /// `cache:` at the top level: the default for every action.
    pub cache: Option<bool>,
    /// The stages, in order.
    pub stages: Vec<Stage>,
    /// `deploy_groups:`, in file order.
    pub deploy_groups: Vec<crate::config::deploy::DeployGroup>,
    /// The files `include:` brought in, besides `file`.
    pub included: Vec<PathBuf>,
    /// `services:` of the pipeline and of its stages, in file order.
    pub services: Vec<crate::config::service::Service>,
}

/// The `inputs:` entry that stands for the default input set.
pub const DEFAULT_INPUTS: &str = "$default";

/// A stage: actions run in `run_order` groups, stages one after another.
#[derive(Clone, Debug)]
pub struct Stage {
    /// Unique stage name.
    pub name: String,
    /// Where the stage's name is written.
    pub span: Span,
    /// The file the stage is written in (an included file's, for an
    /// included stage): the file its and its actions' spans point into.
    pub file: PathBuf,
    /// The stage's actions, in listed order.
    pub actions: Vec<Action>,
    /// The stage's own `env:`, before `${…}` expansion. Its actions have it
    /// merged into theirs already; its container services' engine calls
    /// run with it.
    pub env: Vec<EnvVar>,
}

impl Stage {
    /// Listed order, one at a time, unless some action has `run_order`; then
    /// equal values form a group (missing counts as 1, as in CodePipeline).
    pub fn run_order_groups(&self) -> Vec<Vec<&Action>> {
        let actions = &self.actions;
        let keys = self.run_order_keys();
        let mut orders = keys.clone();
        orders.sort_unstable();
        orders.dedup();
        orders
            .into_iter()
            .map(|order| {
                actions
                    .iter()
                    .zip(&keys)
                    .filter(|(_, key)| **key == order)
                    .map(|(action, _)| action)
                    .collect()
            })
            .collect()
    }

    /// Each action's `run_order` group key: its position when no action of the
    /// stage has `run_order` (one after another), else `run_order` with missing
    /// counted as 1. Actions with equal keys run together, lower first; the
    /// cells of one `matrix:` action always share their action's key.
    pub fn run_order_keys(&self) -> Vec<u32> {
        let actions = &self.actions;
        if actions.iter().all(|a| a.run_order.is_none()) {
            let mut key = 0;
            let mut previous: Option<&Action> = None;
            actions
                .iter()
                .map(|a| {
                    let same_matrix = previous
                        .and_then(|p| p.matrix.as_ref())
                        .zip(a.matrix.as_ref())
                        .is_some_and(|(p, c)| p.base == c.base);
                    if previous.is_some() && !same_matrix {
                        key += 1;
                    }
                    previous = Some(a);
                    key
                })
                .collect()
        } else {
            actions.iter().map(|a| a.run_order.unwrap_or(1)).collect()
        }
    }
}

/// What an action does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActionKind {
    /// A shell command (`run:`).
    Run {
        /// The command line, before `${…}` expansion.
        command: String,
        /// Where the command is written.
        span: Span,
    },
    /// A list of commands run in one shell with `-e` (`script:`).
    Script {
        /// The lines, before `${…}` expansion, with where each is written.
        lines: Vec<(String, Span)>,
    },
    /// A container image build (`image:`).
    Image(Box<crate::config::image::ImageSpec>),
    /// A manual approval gate (`approval: MESSAGE`).
    Approval {
        /// The question shown, before `${…}` expansion.
        message: String,
        /// Where the message is written.
        span: Span,
    },
    /// A custom action (`uses: NAME`, `with:` inputs).
    Custom {
        /// `NAME` of `gantry-action-NAME` on PATH, or a path (with a `/`) relative to the root.
        uses: String,
        /// Where `uses:` is written.
        span: Span,
        /// The `with:` inputs, before `${…}` expansion, in file order.
        with: Vec<EnvVar>,
    },
    /// A local CodeDeploy in-place deployment (`deploy:`).
    Deploy(crate::config::deploy::DeployAction),
}

/// One action of a stage, with stage defaults already applied.
#[derive(Clone, Debug)]
pub struct Action {
    /// Name, unique within its stage.
    pub name: String,
    /// Where the action's name is written.
    pub span: Span,
    /// What it runs.
    pub kind: ActionKind,
    /// Stage then action environment, in that order (later wins).
    pub env: Vec<EnvVar>,
    /// Kill the action's process group after this long.
    pub timeout: Option<Duration>,
    /// Actions with equal `run_order` run together, lower first.
    pub run_order: Option<u32>,
    /// A failure counts as a warning and does not stop the pipeline.
    pub continue_on_error: bool,
    /// Runs even when an earlier action or stage failed (clean-up).
    pub always: bool,
    /// `if:` of the stage and of the action (both must hold).
    pub condition: Option<Condition>,
    /// Directory to run in, relative to the pipeline root.
    pub working_directory: Option<(String, Span)>,
    /// How many times to re-run a failed action.
    pub retries: u32,
    /// The shell that runs the command (`sh` unless `shell:` says otherwise).
    pub shell: String,
    /// Glob patterns of the files the action reads; with them it can be cached.
    pub inputs: Vec<String>,
    /// Paths or globs the action must have produced for a cached skip.
    pub outputs: Vec<String>,
    /// `cache:` of the action or its stage; `None`: the kind's default.
    pub cache: Option<bool>,
    /// `tools:` besides the first command word, whose identity the cache checks.
    pub tools: Vec<String>,
    /// The matrix cell this action is, when its action has `matrix:`.
    pub matrix: Option<super::matrix::Cell>,
    /// The container its `run`/`script` command runs in (`None`: the host).
    pub container: Option<crate::config::container::ContainerSpec>,
}

impl ActionKind {
    /// One line saying what the action does, for `list`, `graph` and the like.
    pub fn summary(&self) -> String {
        match self {
            ActionKind::Run { command, .. } => first_line(command),
            ActionKind::Image(spec) => spec.summary(),
            ActionKind::Approval { message, .. } => format!("approval: {}", first_line(message)),
            ActionKind::Custom { uses, .. } => format!("uses {uses}"),
            ActionKind::Deploy(deploy) => {
                let revision = deploy.revision.as_ref().map_or(".", |(r, _)| r.as_str());
                format!("deploy {revision} to {}", deploy.group)
            }
            ActionKind::Script { lines } => match lines.len() {
                0 => String::new(),
                1 => first_line(&lines[0].0),
                n => format!("{} (+{} more)", first_line(&lines[0].0), n - 1),
            },
        }
    }
}

fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    if text.lines().count() > 1 {
        format!("{line} …")
    } else {
        line.to_string()
    }
}
