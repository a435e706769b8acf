//! A deployment, resolved: which revision goes to which instance roots, how
//! fast, and where its state lives. Built by the planner for a `deploy:`
//! action and by `gantry deploy`.

use std::path::{Path, PathBuf};

use super::container::{self, container_name, ContainerGroup};
use crate::config::deploy::{DeployAction, DeployGroup, DeploymentConfig, InstanceImage};
use crate::config::Pipeline;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::Span;

/// Where deployments keep their state, below `.gantry/`.
pub const DEPLOYMENTS_DIR: &str = "deployments";

/// What a deployment does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Deploy the revision.
    Deploy,
    /// Redeploy the group's previous successful revision (`--rollback`).
    Rollback,
    /// Only restore instances a deployment did not finish with (`--recover`).
    Recover,
}

/// One local instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instance {
    /// Its name within the group, e.g. `1`.
    pub name: String,
    /// Its root folder (absolute): `/srv/app` in the AppSpec is `<root>/srv/app`.
    pub root: PathBuf,
    /// Given with `--root`: it may lead anywhere, `/` included.
    pub explicit: bool,
    /// The container's name, for a container instance (its root is then
    /// the container's mounted file system, once brought up).
    pub container: Option<String>,
}

/// A deployment to carry out.
#[derive(Clone, Debug)]
pub struct DeployJob {
    /// `APPLICATION_NAME`: the pipeline's name.
    pub application: String,
    /// The deployment group's name.
    pub group: String,
    /// The group's instances, in order.
    pub instances: Vec<Instance>,
    /// How fast to go through them.
    pub config: DeploymentConfig,
    /// Most instances of a batch deployed at the same time.
    pub max_parallel: usize,
    /// `bundle: link`: DownloadBundle hard-links the revision's files.
    pub link_bundle: bool,
    /// The revision folder (absolute).
    pub revision: PathBuf,
    /// The AppSpec file (absolute); `None`: the revision's `appspec.yml`.
    pub appspec: Option<PathBuf>,
    /// `.gantry/` of the pipeline root the revision is in: never copied into a bundle.
    pub state_root: PathBuf,
    /// `.gantry/deployments/<group>/`.
    pub state: PathBuf,
    /// The repository whose `.gantry/` holds instances and history: instance
    /// roots must stay inside it. In a snapshot run this is the real
    /// repository, not the checkout the revision comes from.
    pub home: PathBuf,
    /// Redeploy the last successful revision when the deployment fails.
    pub rollback_on_failure: bool,
    /// An ApplicationStop failure is a warning and the instance goes on.
    pub ignore_application_stop_failures: bool,
    /// Deploy, or roll back by hand.
    pub mode: Mode,
    /// Planned secret values (registered with the run's secrets, which mask
    /// the per-instance logs).
    pub secrets: Vec<String>,
    /// For container instances: their image and engine.
    pub container: Option<ContainerGroup>,
}

impl DeployJob {
    /// The pipeline root whose `.gantry/` holds instances and history.
    pub fn pipeline_root(&self) -> &Path {
        &self.home
    }

    /// A short description for `--dry-run`, `list` and the live line.
    pub fn describe(&self, base: &Path) -> String {
        let rel = |p: &Path| match p.strip_prefix(base) {
            Ok(r) if r.as_os_str().is_empty() => ".".to_string(),
            Ok(r) => r.display().to_string(),
            Err(_) => p.display().to_string(),
        };
        let what = match self.mode {
            Mode::Deploy => format!("deploy {}", rel(&self.revision)),
            Mode::Rollback => "roll back".to_string(),
            Mode::Recover => "recover".to_string(),
        };
        let n = self.instances.len();
        let s = if n == 1 { "" } else { "s" };
        let kind = match &self.container.as_ref().map(|c| &c.image) {
            Some(InstanceImage::Image(image)) => format!("container instance{s} of {image}"),
            Some(InstanceImage::Build { file, .. }) => {
                format!("container instance{s} of {} (built)", rel(file))
            }
            None => format!("instance{s}"),
        };
        format!("{what} to {} ({n} {kind}, {})", self.group, self.config)
    }
}

/// What planning a `deploy:` action needs besides the action itself.
pub struct PlanInput<'a> {
    /// The pipeline, for its deployment groups, root and secrets.
    pub pipeline: &'a Pipeline,
    /// The file the action is written in (its stage's), for its errors.
    pub config: &'a Path,
    /// The action's variables on top of gantry's environment (every engine
    /// call for container instances gets them).
    pub env: &'a [(String, String)],
    /// The action's working directory (where those engine calls run).
    pub cwd: &'a Path,
    /// Looks a variable up as the action would see it.
    pub lookup: &'a dyn Fn(&str) -> Option<String>,
    /// Expands `${…}` in a config text written at a span.
    pub expand: &'a dyn Fn(&str, Span) -> Result<String, Diagnostic>,
}

/// Resolves a `deploy:` action into its job; [`DeployJob::describe`] gives
/// the command line shown for it.
pub fn plan(deploy: &DeployAction, input: &PlanInput<'_>) -> Result<DeployJob, Diagnostic> {
    let (pipeline, expand) = (input.pipeline, input.expand);
    let group = find_group(pipeline, deploy, input.config)?;
    let root = &pipeline.root;
    let path = |v: &Option<(String, Span)>| -> Result<Option<PathBuf>, Diagnostic> {
        v.as_ref()
            .map(|(text, at)| Ok(root.join(expand(text, *at)?)))
            .transpose()
    };
    let appspec = path(&deploy.appspec)?;
    let revision = match (path(&deploy.revision)?, &appspec) {
        (Some(r), _) => r,
        (None, Some(a)) => a.parent().unwrap_or(root).to_path_buf(),
        (None, None) => root.clone(),
    };
    // Instances and deployment history are the real repository's, also
    // when a snapshot run deploys a revision from its checkout.
    let real_root = &pipeline.state_root;
    let state_root = root.join(crate::record::STATE_DIR);
    let job = DeployJob {
        application: pipeline.name.clone(),
        group: group.name.clone(),
        instances: group
            .instances
            .iter()
            .enumerate()
            .map(|(i, r)| Instance {
                name: (i + 1).to_string(),
                root: real_root.join(r),
                explicit: false,
                container: group
                    .container
                    .as_ref()
                    .map(|_| container_name(&pipeline.name, &group.name, &(i + 1).to_string())),
            })
            .collect(),
        config: group.config,
        max_parallel: group.max_parallel.unwrap_or_else(default_parallel),
        link_bundle: group.link_bundle,
        revision,
        appspec,
        state: real_root
            .join(crate::record::STATE_DIR)
            .join(DEPLOYMENTS_DIR)
            .join(&group.name),
        state_root,
        home: real_root.clone(),
        rollback_on_failure: deploy.rollback,
        ignore_application_stop_failures: deploy.ignore_application_stop_failures,
        mode: Mode::Deploy,
        secrets: pipeline
            .secrets
            .iter()
            .filter_map(|s| (input.lookup)(&s.name))
            .collect(),
        container: group.container.as_ref().map(|image| ContainerGroup {
            image: container::resolve(image, root),
            pipeline: pipeline.name.clone(),
            env: crate::engine::EngineEnv(input.env.to_vec()),
            cwd: input.cwd.to_path_buf(),
            engine: None,
        }),
    };
    Ok(job)
}

/// The command line shown for a planned `job`: what it deploys where, then
/// the engine command lines of its container instances.
pub fn command_line(job: &DeployJob, root: &Path) -> String {
    let mut command = job.describe(root);
    for line in container::instances::commands(job) {
        command.push('\n');
        command.push_str(&line);
    }
    command
}

/// The AppSpec file deploying `revision` reads: `appspec` (which must sit at
/// the revision's root, rule 1), else the revision's `appspec.yml`. `Err`
/// says what is wrong and what would do.
pub fn appspec_file(revision: &Path, appspec: Option<&Path>) -> Result<PathBuf, String> {
    let names = crate::appspec::APPSPEC_NAMES.join(", ");
    let wanted = format!("a revision is a folder with an AppSpec file ({names}) at its root");
    // The AppSpec file first: with only `--appspec`, the revision is its folder.
    match appspec {
        Some(file) if file.is_dir() => {
            return Err(format!(
                "the AppSpec file {} is a folder; name the file ({names}) in the revision's root",
                file.display()
            ))
        }
        Some(file) if !file.exists() => {
            return Err(format!(
                "the AppSpec file {} does not exist",
                file.display()
            ))
        }
        _ => {}
    }
    if !revision.exists() {
        return Err(format!(
            "the revision folder {} does not exist; {wanted}",
            revision.display()
        ));
    }
    if !revision.is_dir() {
        return Err(format!(
            "the revision {} is not a folder; {wanted}",
            revision.display()
        ));
    }
    let file = match appspec {
        Some(file) if !file.is_file() => {
            return Err(format!("the AppSpec file {} is not a file", file.display()))
        }
        // Found in the revision's root by construction when not given.
        Some(file) => {
            let parent = file.parent().and_then(|p| p.canonicalize().ok());
            if parent != revision.canonicalize().ok() {
                return Err(format!("the AppSpec file {} is not at the root of the revision {}; the agent reads it from there (rule 1)", file.display(), revision.display()));
            }
            file.to_path_buf()
        }
        None => crate::appspec::find_appspec(revision).ok_or_else(|| {
            format!(
                "the revision {} has no AppSpec file at its root; {wanted}",
                revision.display()
            )
        })?,
    };
    Ok(file)
}

/// The group `deploy` names; C040 when there is none.
fn find_group<'p>(
    pipeline: &'p Pipeline,
    deploy: &DeployAction,
    config: &Path,
) -> Result<&'p DeployGroup, Diagnostic> {
    if let Some(group) = pipeline
        .deploy_groups
        .iter()
        .find(|g| g.name == deploy.group)
    {
        return Ok(group);
    }
    let names: Vec<&str> = pipeline
        .deploy_groups
        .iter()
        .map(|g| g.name.as_str())
        .collect();
    let (message, hint) = crate::config::deploy::unknown_group(&deploy.group, &names);
    let at = deploy.span;
    Err(Diagnostic::error("C040", config, at.line, at.column, message).with_hint(hint))
}

/// Instances deployed at once when the group does not say: 4 per core
/// (an instance's deployment mostly waits on the disk and its hooks).
pub fn default_parallel() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()) * 4
}
