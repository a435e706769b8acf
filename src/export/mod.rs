//! `gantry export TARGET`: the pipeline as another CI engine's native
//! configuration, one module per target. All targets share one model
//! ([`Model`]): the jobs in order with what they wait for, the environment
//! split into literal values (native env) and values with variables (shell
//! `export` lines), and secrets named, never inlined.
//!
//! A `matrix:` action is one job with its cells for the targets that run
//! matrices natively (GitHub Actions, GitLab), else one job per cell;
//! `${matrix.NAME}` and `${actions.S.A.outputs.N}` become what the target
//! reads them from, and each job carries its `if:` for the target's
//! translation ([`condition`]). What a target cannot say is an error
//! located in gantry.yml, never a silently different pipeline.
//!
//! Adding an action kind: one arm in [`work`] (and one per target where the
//! kind maps to something native, e.g. CodePipeline's CodeDeploy action).

mod codebuild;
mod codepipeline;
mod condition;
mod github;
mod gitlab;
mod services;
mod toolchain;
mod yaml;

use crate::config::{Action, ActionKind, Condition, EnvVar, Pipeline};
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

/// An export: the configuration text, and what the text cannot say itself.
pub struct Exported {
    /// `target`'s configuration.
    pub text: String,
    /// Notes for the user that the file has no place for (a JSON file has
    /// no comments); the other targets write theirs in the file's header.
    pub notes: Vec<String>,
}

/// The pipeline as `target`'s configuration text.
pub fn export(pipeline: &Pipeline, target: ExportTarget) -> Result<Exported, ExportError> {
    let name = target_name(target);
    let error = |message| ExportError {
        target: name,
        message,
    };
    services::check(&pipeline.services, target).map_err(error)?;
    let model = Model::of(pipeline, target).map_err(error)?;
    let text = match target {
        ExportTarget::GithubActions => github::render(&model),
        ExportTarget::GitlabCi => gitlab::render(&model),
        ExportTarget::Codebuild => codebuild::render(&model),
        ExportTarget::Codepipeline => Ok(codepipeline::render(&model)),
    }
    .map_err(error)?;
    let notes = match target {
        ExportTarget::Codepipeline => model.notes,
        _ => Vec::new(),
    };
    Ok(Exported { text, notes })
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
    /// `services:` of the pipeline and its stages.
    pub services: &'a [crate::config::service::Service],
    /// What the target does differently, said in the file's header.
    pub notes: Vec<String>,
    pipeline: &'a Pipeline,
}

/// One action as a CI job.
pub struct Job<'a> {
    /// The stage's name.
    pub stage: &'a str,
    /// The action (for a matrix the target runs natively, its first cell).
    pub action: &'a Action,
    /// The action's name: for a matrix the target runs natively, the name
    /// written in gantry.yml; otherwise the cell's (`test (python=3.12)`).
    pub name: String,
    /// The `run_order` group within the stage, from 0.
    pub group: usize,
    /// The jobs of the group before this one (`stage`, `action`).
    pub needs: Vec<(&'a str, String)>,
    /// What the job does.
    pub work: Work,
    /// Literal variables of the stage and action layers.
    pub env: Vec<(String, String)>,
    /// Shell lines to run before the work: `export` of variables whose
    /// values use `${…}`, and `cd` into the working directory.
    pub prologue: Vec<String>,
    /// The image its command runs in (`container:`), for targets with a
    /// per-job image.
    pub container: Option<String>,
    /// The `if:` of the stage and action.
    pub condition: Option<&'a Condition>,
    /// Runs after an earlier failure: `always: true`, or an `if:` with
    /// `failure()` or `always()`.
    pub after_failure: bool,
    /// The cells, when the target runs the matrix natively.
    pub matrix: Option<Matrix>,
    /// Outputs of earlier actions this one reads.
    pub reads: Vec<OutputRef>,
    /// Outputs of this action that later ones read.
    pub writes: Vec<OutputRef>,
}

/// A `matrix:` action's cells, for targets that run matrices natively.
pub struct Matrix {
    /// Every name of the matrix.
    pub keys: Vec<String>,
    /// Each cell's values.
    pub cells: Vec<Vec<(String, String)>>,
    /// `max_parallel:`.
    pub max_parallel: Option<u32>,
    /// `fail_fast:`.
    pub fail_fast: bool,
}

impl Matrix {
    /// `GANTRY_ACTION` of a cell as gantry names it, `value(key)` writing
    /// the engine's reference to a value: `test (os=${{ matrix.os }})`,
    /// or the action's name when cells set different keys.
    pub fn cell_name(&self, base: &str, value: impl Fn(&str) -> String) -> String {
        let uniform = self.cells.iter().all(|c| {
            c.len() == self.keys.len() && c.iter().zip(&self.keys).all(|((k, _), key)| k == key)
        });
        if !uniform {
            return base.to_string();
        }
        let values: Vec<String> = self
            .keys
            .iter()
            .map(|k| format!("{k}={}", value(k)))
            .collect();
        format!("{base} ({})", values.join(", "))
    }
}

/// `${actions.STAGE.ACTION.outputs.NAME}`, and the variable that carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputRef {
    /// The producer's stage.
    pub stage: String,
    /// The producer's action.
    pub action: String,
    /// The output's name.
    pub name: String,
    /// The shell variable the export reads it from (`GANTRY_OUT_…`).
    pub var: String,
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
        format!("{}/{}", self.stage, self.name)
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

/// Whether `target` runs a `matrix:` as one job with cells (else: one job
/// per cell, values written out).
fn native_matrix(target: ExportTarget) -> bool {
    matches!(target, ExportTarget::GithubActions | ExportTarget::GitlabCi)
}

impl<'a> Model<'a> {
    fn of(pipeline: &'a Pipeline, target: ExportTarget) -> Result<Self, String> {
        let secrets: Vec<String> = pipeline.secrets.iter().map(|s| s.name.clone()).collect();
        let env = literal_env(&pipeline.env, &secrets);
        let mut jobs: Vec<Job<'a>> = Vec::new();
        let mut notes = Vec::new();
        let mut previous: Vec<(&str, String)> = Vec::new();
        for stage in &pipeline.stages {
            let groups = stage.run_order_groups();
            for (g, group) in groups.iter().enumerate() {
                let mut current: Vec<(&str, String)> = Vec::new();
                for action in group {
                    let cell = action.matrix.as_ref().filter(|_| native_matrix(target));
                    if let (Some(cell), Some(last)) = (cell, jobs.last_mut()) {
                        if last.stage == stage.name && last.name == cell.base {
                            if let Some(m) = last.matrix.as_mut() {
                                m.cells.push(cell.values.clone());
                                continue;
                            }
                        }
                    }
                    no_condition(pipeline, target, &stage.name, action)?;
                    let job = job(
                        pipeline,
                        target,
                        &stage.name,
                        action,
                        g,
                        previous.clone(),
                        &secrets,
                    )
                    .map_err(|why| format!("{}: {why}", at(pipeline, action.span)))?;
                    current.push((stage.name.as_str(), job.name.clone()));
                    jobs.push(job);
                }
                previous = current;
            }
        }
        link_outputs(&mut jobs);
        for note in jobs.iter().flat_map(|j| matrix_notes(j, target)) {
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
        notes.extend(gantry_note(&jobs));
        Ok(Model {
            name: &pipeline.name,
            env,
            secrets,
            env_file: pipeline.env_file.is_some(),
            jobs,
            toolchains: toolchain::Toolchains::detect(&pipeline.root),
            services: &pipeline.services,
            notes,
            pipeline,
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

    /// `job`'s `if:` as `translate` writes it for the target, the error
    /// located at the `if:` and naming it.
    pub fn condition<T>(
        &self,
        job: &Job<'_>,
        translate: impl FnOnce(&Condition, condition::Resolve<'_>) -> Result<T, String>,
        target: ExportTarget,
    ) -> Result<Option<T>, String> {
        let Some(c) = job.condition else {
            return Ok(None);
        };
        let resolve = |name: &str| resolve_var(self.pipeline, job.action, target, name);
        translate(c, &resolve).map(Some).map_err(|why| {
            format!(
                "{}: {} has `if: {}`: {why}",
                at(self.pipeline, c.span),
                job.key(),
                c.expr
            )
        })
    }

    /// The job that writes `output`.
    pub fn producer(&self, output: &OutputRef) -> Option<&Job<'a>> {
        self.jobs
            .iter()
            .find(|j| j.stage == output.stage && j.name == output.action)
    }
}

/// `file:line:column` of `span` in the pipeline's config, the file as
/// diagnostics show it (relative to the current directory when below it).
fn at(pipeline: &Pipeline, span: crate::diagnostics::Span) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    let file = match pipeline.file.strip_prefix(&cwd) {
        Ok(relative) if !relative.as_os_str().is_empty() => relative,
        _ => pipeline.file.as_path(),
    };
    format!("{}:{}:{}", file.display(), span.line, span.column)
}

/// What a condition's variable is in `target`'s terms.
fn resolve_var(
    pipeline: &Pipeline,
    action: &Action,
    target: ExportTarget,
    name: &str,
) -> Result<condition::Value, String> {
    use condition::Value;
    let github = target == ExportTarget::GithubActions;
    let engine = target_name(target);
    let native = |gh: &str, gl: &str| Ok(Value::Native(if github { gh } else { gl }.into()));
    if let Some(var) = name.strip_prefix("env.") {
        if pipeline.secrets.iter().any(|s| s.name == var) {
            return Err(format!(
                "`{name}` is a secret, which {engine} conditions do not read; \
                 test a variable that is not secret"
            ));
        }
        let set = action
            .env
            .iter()
            .rev()
            .map(|v| (v, true))
            .chain(pipeline.env.iter().rev().map(|v| (v, false)))
            .find(|(v, _)| v.name == var);
        return match set {
            Some((v, _)) if has_refs(&v.value) => Err(format!(
                "`{name}` is set with `${{…}}` in gantry.yml, which the export works out in the \
                 job's shell, after {engine} has decided the condition; test a variable with a literal value"
            )),
            Some((v, true)) if github => Ok(Value::Literal(v.value.replace("$${", "${"))),
            Some(_) => native(&format!("env.{var}"), &format!("${var}")),
            None if github && var == "CI" => Ok(Value::Literal("true".into())),
            None if github => Err(format!(
                "`{name}` is not set in gantry.yml (gantry reads it from your shell), and a \
                 GitHub Actions `if:` only sees the variables the workflow sets; \
                 set it under the pipeline's `env:` in gantry.yml"
            )),
            None => native("", &format!("${var}")),
        };
    }
    let git_ref = |kind: &str, prefix: &'static str, gl: &str| {
        if github {
            Ok(Value::Ref {
                name: format!("(github.ref_type == '{kind}' && github.ref_name || '')"),
                prefix,
            })
        } else {
            Ok(Value::Native(gl.into()))
        }
    };
    match name {
        "git.sha" => native("github.sha", "$CI_COMMIT_SHA"),
        "git.branch" => git_ref("branch", "refs/heads/", "$CI_COMMIT_BRANCH"),
        "git.tag" => git_ref("tag", "refs/tags/", "$CI_COMMIT_TAG"),
        "run.id" => native("github.run_number", "$CI_PIPELINE_IID"),
        "git.dirty" | "pipeline.name" | "action.name" => {
            let value = match name {
                "git.dirty" => "false (a CI checkout is clean)".to_string(),
                "pipeline.name" => format!("'{}'", pipeline.name),
                _ => format!("'{}'", action.name),
            };
            Err(format!(
                "`{name}` is fixed when exporting ({value}), so {engine} would test a constant; \
                 leave it out of the `if:`, or test `git.branch`, `git.tag`, `git.sha` or `env.NAME` instead"
            ))
        }
        _ => Err(format!(
            "`{name}` has no equivalent in {engine} conditions; test `git.sha`, `git.branch`, \
             `git.tag` or `env.NAME` instead"
        )),
    }
}

/// A note naming the jobs that run gantry itself (`gantry validate …`,
/// `"$GANTRY_EXE" …`, as `gantry init` writes for an AppSpec file): no
/// exported file installs gantry, so on a fresh runner they fail until the
/// user adds a step that does.
fn gantry_note(jobs: &[Job<'_>]) -> Option<String> {
    let runs_gantry = |text: &str| {
        text.lines().any(|line| {
            line.split_whitespace()
                .find(|w| !w.contains('=') || w.starts_with(['"', '$']))
                .map(|w| w.trim_matches(['"', '\'']))
                .is_some_and(|w| {
                    w == "gantry" || w.starts_with("$GANTRY_EXE") || w.starts_with("${GANTRY_EXE")
                })
        })
    };
    let keys: Vec<String> = jobs
        .iter()
        .filter(|job| matches!(&job.work, Work::Shell { text, .. } if runs_gantry(text)))
        .map(Job::key)
        .collect();
    let (s, it) = if keys.len() == 1 {
        ("s", "it")
    } else {
        ("", "them")
    };
    (!keys.is_empty()).then(|| {
        format!(
            "{} run{s} gantry itself, which this file does not install: add a step that installs gantry \
             before {it} (or keep {it} for local runs)",
            keys.join(", "),
        )
    })
}

/// What `target` does with `job`'s matrix that gantry does otherwise.
fn matrix_notes(job: &Job<'_>, target: ExportTarget) -> Vec<String> {
    let Some(cell) = &job.action.matrix else {
        return Vec::new();
    };
    let mut notes = Vec::new();
    match target {
        ExportTarget::GitlabCi => {
            if let Some(n) = cell.max_parallel {
                notes.push(format!(
                    "{}/{}: max_parallel: {n} is not exported: GitLab starts every cell of a matrix at once",
                    job.stage, cell.base
                ));
            }
            if cell.fail_fast {
                notes.push(format!(
                    "{}/{}: fail_fast is not exported: GitLab lets the other cells finish when one fails",
                    job.stage, cell.base
                ));
            }
        }
        ExportTarget::Codepipeline if cell.fail_fast => notes.push(format!(
            "{}/{}: fail_fast is not exported: CodePipeline lets the other cells (actions) finish when one fails",
            job.stage, cell.base
        )),
        _ => {}
    }
    notes
}

/// Records on each producer the outputs later jobs read.
fn link_outputs(jobs: &mut [Job<'_>]) {
    let reads: Vec<OutputRef> = jobs.iter().flat_map(|j| j.reads.clone()).collect();
    for read in reads {
        let producer = jobs
            .iter_mut()
            .find(|j| j.stage == read.stage && j.name == read.action);
        if let Some(p) = producer {
            if !p.writes.contains(&read) {
                p.writes.push(read);
            }
        }
    }
}

/// The SHELL variable that carries output `name` of `stage/action`.
fn output_var(stage: &str, action: &str, name: &str) -> String {
    let clean = |t: &str| -> String {
        t.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect()
    };
    format!(
        "GANTRY_OUT_{}_{}_{}",
        clean(stage),
        clean(action),
        clean(name)
    )
}

/// The shell line that derives `GANTRY_GIT_SHORT_SHA` from `GANTRY_GIT_SHA`.
pub const SHORT_SHA: &str =
    "GANTRY_GIT_SHORT_SHA=$(printf '%.7s' \"$GANTRY_GIT_SHA\"); export GANTRY_GIT_SHORT_SHA";

/// Refuses an `if:` for a target without conditions (`native_matrix`
/// targets have them), the error located at the `if:`.
fn no_condition(
    pipeline: &Pipeline,
    target: ExportTarget,
    stage: &str,
    action: &Action,
) -> Result<(), String> {
    match (&action.condition, native_matrix(target)) {
        (Some(c), false) => Err(format!(
            "{}: {stage}/{} has `if: {}`: {} has no conditions on its commands; \
             remove the `if:` from the exported copy, or export to github-actions or gitlab-ci",
            at(pipeline, c.span),
            action.name,
            c.expr,
            target_name(target)
        )),
        _ => Ok(()),
    }
}

fn job<'a>(
    pipeline: &'a Pipeline,
    target: ExportTarget,
    stage: &'a str,
    action: &'a Action,
    group: usize,
    needs: Vec<(&'a str, String)>,
    secrets: &[String],
) -> Result<Job<'a>, String> {
    let native = native_matrix(target);
    let name = match &action.matrix {
        Some(cell) if native => cell.base.clone(),
        _ => action.name.clone(),
    };
    let key = format!("{stage}/{name}");
    let reads = std::cell::RefCell::new(Vec::new());
    let names = Names {
        pipeline,
        target,
        stage,
        action,
        key: &key,
        reads: &reads,
    };
    let to_shell = |text: &str| shell_text(text, &names);
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
    let work = work(action, &to_shell, &key)?;
    let matrix = match &action.matrix {
        Some(cell) if native => Some(Matrix {
            keys: cell.keys.clone(),
            cells: vec![cell.values.clone()],
            max_parallel: cell.max_parallel,
            fail_fast: cell.fail_fast,
        }),
        _ => None,
    };
    Ok(Job {
        stage,
        action,
        name,
        group,
        needs,
        work,
        env: literal_env(&action.env, secrets),
        prologue,
        container: container(action, &key)?,
        condition: action.condition.as_ref(),
        after_failure: action.always
            || action
                .condition
                .as_ref()
                .is_some_and(Condition::runs_after_failure),
        matrix,
        reads: reads.into_inner(),
        writes: Vec::new(),
    })
}

/// The image reference of the action's `container:`; a `build:` (CI
/// engines take images from a registry) or a reference with variables
/// cannot be exported.
fn container(action: &Action, key: &str) -> Result<Option<String>, String> {
    use crate::config::container::Source;
    let Some(spec) = &action.container else {
        return Ok(None);
    };
    match &spec.source {
        Source::Image((image, _)) if !image.contains("${") => Ok(Some(image.clone())),
        Source::Image((image, _)) => Err(format!(
            "{key} runs in `container: {image}`, whose variables CI engines do not expand \
             in an image name; write the image reference out for the exported file"
        )),
        Source::Build {
            file: (file, _), ..
        } => Err(format!(
            "{key} runs in a container built from {file} (`container: {{ build: … }}`), \
             and CI engines take a job's image from a registry: push the image and name it \
             with `container: IMAGE` for the exported file"
        )),
    }
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

/// What [`shell_text`] needs to write an action's variables.
struct Names<'a, 'r> {
    pipeline: &'a Pipeline,
    target: ExportTarget,
    stage: &'a str,
    action: &'a Action,
    key: &'r str,
    reads: &'r std::cell::RefCell<Vec<OutputRef>>,
}

/// `text` with gantry's `${…}` variables turned into shell references to
/// the `GANTRY_*` variables (or literals), as the exported job defines them:
/// `${matrix.X}` as the engine's matrix value, an action's output as the
/// `GANTRY_OUT_…` variable the job gets.
fn shell_text(text: &str, names: &Names<'_, '_>) -> Result<String, String> {
    let (pipeline, key) = (names.pipeline, names.key);
    let mut out = String::new();
    let mut last = 0;
    for r in vars::references(text) {
        out.push_str(&text[last..r.start].replace("$${", "${"));
        let value = match r.name {
            "pipeline.name" => pipeline.name.clone(),
            "stage.name" => names.stage.to_string(),
            "action.name" => names.action.name.clone(),
            "run.id" => "${GANTRY_RUN_ID}".into(),
            name if name.starts_with("git.") => {
                format!(
                    "${{GANTRY_GIT_{}}}",
                    name["git.".len()..].to_ascii_uppercase()
                )
            }
            name if name.starts_with("env.") => format!("${{{}}}", &name["env.".len()..]),
            name if vars::matrix_reference(name).is_some() => matrix_value(name, names)?,
            name => output_value(name, names)
                .map_err(|why| format!("{key} uses `${{{name}}}`: {why}"))?,
        };
        out.push_str(&value);
        last = r.end;
    }
    out.push_str(&text[last..].replace("$${", "${"));
    Ok(out)
}

/// `${matrix.X}`: the engine's matrix value, or the cell's own.
fn matrix_value(name: &str, names: &Names<'_, '_>) -> Result<String, String> {
    let key = vars::matrix_reference(name).unwrap_or_default();
    Ok(match names.target {
        ExportTarget::GithubActions => format!("${{{{ matrix.{key} }}}}"),
        ExportTarget::GitlabCi if crate::vars::is_shell_name(key) => format!("${{{key}}}"),
        ExportTarget::GitlabCi => {
            return Err(format!(
                "{} uses `${{{name}}}`: GitLab passes matrix values as variables, and `{key}` \
                 is not a variable name (letters, digits and `_`); rename the matrix key",
                names.key
            ))
        }
        _ => names
            .action
            .matrix
            .iter()
            .flat_map(|c| c.variables())
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.to_string())
            .unwrap_or_default(),
    })
}

/// `${actions.STAGE.ACTION.outputs.NAME}` as the variable that carries it.
fn output_value(name: &str, names: &Names<'_, '_>) -> Result<String, String> {
    let engine = target_name(names.target);
    let Some((target, output)) = vars::output_reference(name) else {
        return Err("not a variable the export knows".into());
    };
    if !native_matrix(names.target) {
        return Err(format!(
            "{engine} gets no outputs of actions from the export; \
             pass the value through a file, or export to github-actions or gitlab-ci"
        ));
    }
    let stages = &names.pipeline.stages;
    let producer = vars::split_target(target, &|s, a| {
        stages
            .iter()
            .any(|st| st.name == s && st.actions.iter().any(|x| x.name == a))
    });
    let Some((stage, action)) = producer else {
        return Err("no such action".into());
    };
    let producer = stages
        .iter()
        .filter(|s| s.name == stage)
        .flat_map(|s| &s.actions)
        .find(|a| a.name == action);
    if producer.is_some_and(|a| a.matrix.is_some()) {
        return Err(format!(
            "the action is a matrix cell, and {engine} keeps one value for all cells of a matrix; \
             write the output from an action without `matrix:`"
        ));
    }
    let var = output_var(stage, action, output);
    let read = OutputRef {
        stage: stage.to_string(),
        action: action.to_string(),
        name: output.to_string(),
        var: var.clone(),
    };
    let mut reads = names.reads.borrow_mut();
    if !reads.contains(&read) {
        reads.push(read);
    }
    Ok(format!("${{{var}}}"))
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
    for note in &model.notes {
        out.push_str(&format!("# {note}.\n"));
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
