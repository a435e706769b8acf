//! `gantry export TARGET`: the pipeline as another CI engine's native
//! configuration, one module per target. All targets share one model
//! ([`Model`]): the jobs in order with what they wait for, the environment
//! split into literal values (native env) and values with variables (shell
//! `export` lines), and secrets named, never inlined.
//!
//! Adding an action kind: one arm in [`work`] (and one per target where the
//! kind maps to something native, e.g. CodePipeline's CodeDeploy action).

mod codebuild;
mod codepipeline;
mod github;
mod gitlab;
mod toolchain;
mod yaml;

use crate::config::{Action, ActionKind, EnvVar, Pipeline};
use crate::vars;

/// CI engines `gantry export` writes for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportTarget {
    /// A GitHub Actions workflow (.github/workflows/*.yml).
    GithubActions,
    /// A GitLab CI/CD pipeline (.gitlab-ci.yml).
    GitlabCi,
    /// An AWS CodeBuild buildspec.yml (version 0.2).
    Codebuild,
    /// AWS CodePipeline `create-pipeline` input JSON.
    Codepipeline,
}

/// Why a pipeline cannot be exported.
#[derive(Debug, thiserror::Error)]
#[error("cannot export to {target}: {message}")]
pub struct ExportError {
    /// The target's name.
    pub target: &'static str,
    /// What is not supported, and what to do.
    pub message: String,
}

/// The pipeline as `target`'s configuration text.
pub fn export(pipeline: &Pipeline, target: ExportTarget) -> Result<String, ExportError> {
    let name = target_name(target);
    let model = Model::of(pipeline).map_err(|message| ExportError {
        target: name,
        message,
    })?;
    Ok(match target {
        ExportTarget::GithubActions => github::render(&model),
        ExportTarget::GitlabCi => gitlab::render(&model),
        ExportTarget::Codebuild => codebuild::render(&model),
        ExportTarget::Codepipeline => codepipeline::render(&model),
    })
}

/// The name shown for `target`.
pub fn target_name(target: ExportTarget) -> &'static str {
    match target {
        ExportTarget::GithubActions => "GitHub Actions",
        ExportTarget::GitlabCi => "GitLab CI",
        ExportTarget::Codebuild => "AWS CodeBuild",
        ExportTarget::Codepipeline => "AWS CodePipeline",
    }
}

/// The pipeline, flattened for exporters.
pub struct Model<'a> {
    /// The pipeline's name.
    pub name: &'a str,
    /// Literal pipeline-wide variables (secrets excluded).
    pub env: Vec<(String, String)>,
    /// Names of the secrets, to take from the target's secret store.
    pub secrets: Vec<String>,
    /// Whether an `env_file` was left out.
    pub env_file: bool,
    /// Every action, stage by stage, groups in order.
    pub jobs: Vec<Job<'a>>,
    /// The toolchain versions the repository declares.
    pub toolchains: toolchain::Toolchains,
}

/// One action as a CI job.
pub struct Job<'a> {
    /// The stage's name.
    pub stage: &'a str,
    /// The action.
    pub action: &'a Action,
    /// The `run_order` group within the stage, from 0.
    pub group: usize,
    /// The jobs of the group before this one (`stage`, `action`).
    pub needs: Vec<(&'a str, &'a str)>,
    /// What the job does.
    pub work: Work,
    /// Literal variables of the stage and action layers.
    pub env: Vec<(String, String)>,
    /// Shell lines to run before the work: `export` of variables whose
    /// values use `${…}`, and `cd` into the working directory.
    pub prologue: Vec<String>,
}

/// What a job does, variables translated to shell references.
pub enum Work {
    /// A shell command: `shell -c text` (`-e` when `errexit`).
    Shell {
        /// The shell program.
        shell: String,
        /// Stop at the first failing line (`script:`).
        errexit: bool,
        /// The command text.
        text: String,
    },
    /// A manual approval with its question.
    Approval(String),
}

impl Job<'_> {
    /// `stage/action`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.stage, self.action.name)
    }

    /// The whole shell script: prologue, then the command.
    pub fn script(&self) -> String {
        let mut lines = self.prologue.clone();
        if let Work::Shell { text, .. } = &self.work {
            lines.push(text.clone());
        }
        lines.join("\n")
    }
}

impl<'a> Model<'a> {
    fn of(pipeline: &'a Pipeline) -> Result<Self, String> {
        let secrets: Vec<String> = pipeline.secrets.iter().map(|s| s.name.clone()).collect();
        let env = literal_env(&pipeline.env, &secrets);
        let mut jobs = Vec::new();
        let mut previous: Vec<(&str, &str)> = Vec::new();
        for stage in &pipeline.stages {
            let groups = stage.run_order_groups();
            for (g, group) in groups.iter().enumerate() {
                let mut current = Vec::new();
                for action in group {
                    let job = job(pipeline, &stage.name, action, g, previous.clone(), &secrets)?;
                    current.push((stage.name.as_str(), action.name.as_str()));
                    jobs.push(job);
                }
                previous = current;
            }
        }
        Ok(Model {
            name: &pipeline.name,
            env,
            secrets,
            env_file: pipeline.env_file.is_some(),
            jobs,
            toolchains: toolchain::Toolchains::detect(&pipeline.root),
        })
    }

    /// The `GANTRY_*` variables every job gets, with values written in the
    /// target's own terms (`sha`, `branch`, `tag`, `run_id`).
    pub fn gantry_env(
        &self,
        sha: &str,
        branch: &str,
        tag: &str,
        run_id: &str,
    ) -> Vec<(String, String)> {
        [
            ("GANTRY_PIPELINE", self.name),
            ("GANTRY_RUN_ID", run_id),
            ("GANTRY_GIT_SHA", sha),
            ("GANTRY_GIT_BRANCH", branch),
            ("GANTRY_GIT_TAG", tag),
            ("GANTRY_GIT_DIRTY", "false"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }
}

/// The shell line that derives `GANTRY_GIT_SHORT_SHA` from `GANTRY_GIT_SHA`.
pub const SHORT_SHA: &str =
    "GANTRY_GIT_SHORT_SHA=$(printf '%.7s' \"$GANTRY_GIT_SHA\"); export GANTRY_GIT_SHORT_SHA";

fn job<'a>(
    pipeline: &'a Pipeline,
    stage: &'a str,
    action: &'a Action,
    group: usize,
    needs: Vec<(&'a str, &'a str)>,
    secrets: &[String],
) -> Result<Job<'a>, String> {
    let key = format!("{stage}/{}", action.name);
    if let Some(cell) = &action.matrix {
        return Err(format!(
            "{stage}/{} has `matrix:`, which export does not translate yet; \
             write one action per combination for the exported file, or keep the matrix for local runs",
            cell.base
        ));
    }
    if let Some(condition) = &action.condition {
        return Err(format!(
            "{key} has `if: {}`, which gantry cannot export yet; \
             remove the `if:` from the exported copy or keep the pipeline for local runs",
            condition.expr
        ));
    }
    let to_shell = |text: &str| shell_text(text, pipeline, stage, &action.name, &key);
    let mut prologue = Vec::new();
    // Pipeline values with variables, unless the stage or action sets the name.
    for var in pipeline.env.iter().filter(|v| has_refs(&v.value)) {
        if !secrets.contains(&var.name) && !action.env.iter().any(|a| a.name == var.name) {
            prologue.push(export_line(&var.name, &to_shell(&var.value)?));
        }
    }
    for var in action.env.iter().filter(|v| has_refs(&v.value)) {
        if !secrets.contains(&var.name) {
            prologue.push(export_line(&var.name, &to_shell(&var.value)?));
        }
    }
    if let Some((dir, _)) = &action.working_directory {
        prologue.push(format!("cd \"{}\"", double_quoted(&to_shell(dir)?)));
    }
    Ok(Job {
        stage,
        action,
        group,
        needs,
        work: work(action, &to_shell, &key)?,
        env: literal_env(&action.env, secrets),
        prologue,
    })
}

/// What `action` does, for exporters. New action kinds get an arm here.
fn work(
    action: &Action,
    to_shell: &dyn Fn(&str) -> Result<String, String>,
    key: &str,
) -> Result<Work, String> {
    let shell = |errexit, text| Work::Shell {
        shell: action.shell.clone(),
        errexit,
        text,
    };
    match &action.kind {
        ActionKind::Run { command, .. } => Ok(shell(false, to_shell(command)?)),
        ActionKind::Script { lines } => {
            let lines: Result<Vec<_>, _> = lines.iter().map(|(l, _)| to_shell(l)).collect();
            Ok(shell(true, lines?.join("\n")))
        }
        ActionKind::Approval { message, .. } => Ok(Work::Approval(to_shell(message)?)),
        ActionKind::Image(spec) => Ok(shell(true, image_commands(spec, to_shell)?)),
        ActionKind::Deploy(deploy) => Ok(shell(true, deploy_commands(deploy, to_shell)?)),
        ActionKind::Custom { uses, .. } => Err(format!(
            "{key} runs the custom action `{uses}` (`uses:`), which has no native equivalent; \
             run it with a `run:` command in the exported file, or keep it for local runs"
        )),
    }
}

/// An `image:` build as `docker build` (and `docker save` for `output:`):
/// the builder hosted CI runners have.
fn image_commands(
    spec: &crate::config::image::ImageSpec,
    to_shell: &dyn Fn(&str) -> Result<String, String>,
) -> Result<String, String> {
    let quote = |text: &str| -> Result<String, String> {
        Ok(format!("\"{}\"", double_quoted(&to_shell(text)?)))
    };
    let mut build = vec!["docker build".to_string()];
    if let Some((file, _)) = &spec.file {
        build.push(format!(
            "-f {}",
            quote(&format!("{}/{file}", spec.context.0))?
        ));
    }
    for (tag, _) in &spec.tags {
        build.push(format!("-t {}", quote(tag)?));
    }
    for (name, (value, _)) in &spec.build_args {
        build.push(format!(
            "--build-arg {}",
            quote(&format!("{name}={value}"))?
        ));
    }
    for (name, (value, _)) in &spec.labels {
        build.push(format!("--label {}", quote(&format!("{name}={value}"))?));
    }
    if let Some((target, _)) = &spec.target {
        build.push(format!("--target {}", quote(target)?));
    }
    if let Some((platform, _)) = &spec.platform {
        build.push(format!("--platform {}", quote(platform)?));
    }
    build.push(quote(&spec.context.0)?);
    let mut lines = vec![build.join(" ")];
    if let (Some((output, _)), Some((tag, _))) = (&spec.output, spec.tags.first()) {
        let dir = std::path::Path::new(output)
            .parent()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        if !dir.is_empty() {
            lines.push(format!("mkdir -p {}", quote(&dir)?));
        }
        lines.push(format!("docker save -o {} {}", quote(output)?, quote(tag)?));
    }
    Ok(lines.join("\n"))
}

/// A `deploy:` as a real CodeDeploy deployment with the AWS CLI: the
/// revision is pushed to `$GANTRY_DEPLOY_BUCKET` and deployed to the group
/// of the application named like the pipeline (CodePipeline gets a native
/// CodeDeploy action instead). `GANTRY_DEPLOY_DRY_RUN=1` only says what it
/// would deploy, to try a workflow without AWS.
fn deploy_commands(
    deploy: &crate::config::deploy::DeployAction,
    to_shell: &dyn Fn(&str) -> Result<String, String>,
) -> Result<String, String> {
    let revision = match &deploy.revision {
        Some((dir, _)) => to_shell(dir)?,
        None => ".".to_string(),
    };
    let group = double_quoted(&deploy.group);
    let revision = double_quoted(&revision);
    Ok(format!(
        "if [ -n \"${{GANTRY_DEPLOY_DRY_RUN:-}}\" ]; then\n\
         \x20 echo \"would deploy {revision} to the CodeDeploy group {group} of $GANTRY_PIPELINE\"\n\
         else\n\
         \x20 key=\"$GANTRY_PIPELINE/$(date +%Y%m%d%H%M%S)-$$.zip\"\n\
         \x20 aws deploy push --application-name \"$GANTRY_PIPELINE\" --s3-location \"s3://$GANTRY_DEPLOY_BUCKET/$key\" --source \"{revision}\"\n\
         \x20 id=$(aws deploy create-deployment --application-name \"$GANTRY_PIPELINE\" --deployment-group-name \"{group}\" --s3-location \"bucket=$GANTRY_DEPLOY_BUCKET,key=$key,bundleType=zip\" --query deploymentId --output text)\n\
         \x20 aws deploy wait deployment-successful --deployment-id \"$id\"\n\
         fi"
    ))
}

fn has_refs(text: &str) -> bool {
    !vars::references(text).is_empty()
}

/// Literal (variable-free, non-secret) entries of `env`, later ones winning.
fn literal_env(env: &[EnvVar], secrets: &[String]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for var in env {
        out.retain(|(k, _)| *k != var.name);
        if !has_refs(&var.value) && !secrets.contains(&var.name) {
            out.push((var.name.clone(), var.value.replace("$${", "${")));
        }
    }
    out
}

fn export_line(name: &str, value: &str) -> String {
    format!("export {name}=\"{}\"", double_quoted(value))
}

/// Escapes `"`, `\` and backquotes for a double-quoted shell string,
/// leaving `$` references to expand.
pub fn double_quoted(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('`', "\\`")
}

/// `text` with gantry's `${…}` variables turned into shell references to
/// the `GANTRY_*` variables (or literals), as the exported job defines them.
fn shell_text(
    text: &str,
    pipeline: &Pipeline,
    stage: &str,
    action: &str,
    key: &str,
) -> Result<String, String> {
    let mut out = String::new();
    let mut last = 0;
    for r in vars::references(text) {
        out.push_str(&text[last..r.start].replace("$${", "${"));
        let value = match r.name {
            "pipeline.name" => pipeline.name.clone(),
            "stage.name" => stage.to_string(),
            "action.name" => action.to_string(),
            "run.id" => "${GANTRY_RUN_ID}".into(),
            name if name.starts_with("git.") => {
                format!(
                    "${{GANTRY_GIT_{}}}",
                    name["git.".len()..].to_ascii_uppercase()
                )
            }
            name if name.starts_with("env.") => format!("${{{}}}", &name["env.".len()..]),
            name => {
                return Err(format!(
                    "{key} uses `${{{name}}}`: outputs of actions are not exported yet; \
                     pass the value through the target's own artifacts or variables"
                ))
            }
        };
        out.push_str(&value);
        last = r.end;
    }
    out.push_str(&text[last..].replace("$${", "${"));
    Ok(out)
}

/// The comment lines that open an exported YAML file: where it comes from,
/// which secrets to define (`secrets_note: NAME, …`), and what to do about
/// a left-out `env_file` (`env_file_note`).
fn header(model: &Model<'_>, target: &str, secrets_note: &str, env_file_note: &str) -> String {
    let mut out = format!("# Generated by `gantry export {target}` from gantry.yml.\n");
    if !model.secrets.is_empty() {
        out.push_str(&format!(
            "# {secrets_note}: {}.\n",
            model.secrets.join(", ")
        ));
    }
    if model.env_file {
        out.push_str(&format!("# env_file is not exported: {env_file_note}.\n"));
    }
    out
}

/// Whole minutes, rounded up (CI engines count timeouts in minutes).
pub fn minutes(duration: std::time::Duration) -> u64 {
    duration.as_secs().div_ceil(60).max(1)
}

/// `text` single-quoted for a POSIX shell.
pub fn single_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}
