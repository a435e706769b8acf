//! Planning an action's container: the engine found, the image reference
//! expanded or the build's files checked against the disk, and what
//! `--dry-run` shows. The result is a [`ContainerJob`].

use std::path::{Path, PathBuf};

use crate::config::container::{self as spec, ContainerSpec, Source};
use crate::config::image::Problem;
use crate::config::relative_to;
use crate::diagnostics::Diagnostic;
use crate::engine::{
    container_name, detect, BuildOptions, Engine, EngineCommand, Owner, RunOptions,
};
use crate::engine::{LABEL_RUN, LABEL_RUN_DIR};
use crate::image::PlanInput;
use crate::proc::outcome::ActionEnv;

/// The run an action's container belongs to.
pub struct Workspace<'a> {
    /// The run's id (`gantry.run` label).
    pub run_id: &'a str,
    /// The run's directory (`gantry.run-dir` label; its lock marks the
    /// run in progress). The action's outputs file lives there.
    pub run_dir: &'a Path,
    /// Where `.gantry/runs/` is, for sweeping buildah's leftovers.
    pub state_root: &'a Path,
}

/// An action's container, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerJob {
    /// The engine, or why there is none.
    pub engine: Result<Engine, String>,
    /// What the container runs from.
    pub image: Image,
    /// The pipeline root: mounted at the same path.
    pub root: PathBuf,
    /// The action's working directory: where every engine call for the
    /// action runs (finding the engine, the sweep, the image check, the
    /// build, the run, the removal), so that a relative path in its `env:`
    /// (`CONTAINERS_STORAGE_CONF`, `DOCKER_CONFIG`) means one file for all.
    pub cwd: PathBuf,
    /// Whose files the container writes into the workspace.
    pub owner: Owner,
    /// Variables of gantry's own environment passed in too (the
    /// pipeline's `secrets:`): the container sees only what the config
    /// gives it, not the whole host environment.
    pub passed: Vec<String>,
    /// Shares the host's network, so that services (published on the
    /// host, named by `GANTRY_SERVICE_*_HOST`) are reachable inside.
    pub host_network: bool,
}

/// The image an action's container runs from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Image {
    /// An image reference, expanded.
    Reference(String),
    /// A build, paths relative to the pipeline root (the build runs in the
    /// action's working directory: see [`ContainerJob::build_paths`]).
    Build {
        /// The Containerfile.
        file: String,
        /// The build context.
        context: String,
        /// The repository the image is tagged in; the tag is a hash of the
        /// build's files (see `run::build_tag`).
        repository: String,
    },
}

/// Resolves `spec` for one action; `pipeline` names the built image's
/// repository, `passed` the host variables it gets besides the action's.
pub fn plan(
    spec: &ContainerSpec,
    pipeline: &str,
    passed: Vec<String>,
    input: &PlanInput<'_>,
) -> Result<ContainerJob, Diagnostic> {
    let fail = |p: Problem| crate::image::job::diagnostic(input.config, p);
    let image = match &spec.source {
        Source::Image((text, at)) => {
            let image = (input.expand)(text, *at)?;
            spec::check_reference(&image).map_err(|why| {
                fail(Problem {
                    code: spec::C_SHAPE,
                    span: *at,
                    message: format!("invalid image reference `{image}`: {why}"),
                    hint:
                        "e.g. `debian:bookworm` or `localhost/ci:1` (check the variables it uses)"
                            .into(),
                })
            })?;
            Image::Reference(image)
        }
        Source::Build { file, context } => {
            let file_path = (input.expand)(&file.0, file.1)?;
            let context_path = (input.expand)(&context.0, context.1)?;
            let missing = |span, message: String| {
                fail(Problem {
                    code: spec::C_BUILD,
                    span,
                    message,
                    hint: "`build:` and `context:` are relative to the pipeline root".into(),
                })
            };
            if !input.root.join(&context_path).is_dir() {
                return Err(missing(
                    context.1,
                    format!("the build context `{context_path}` is not a directory"),
                ));
            }
            if !input.root.join(&file_path).is_file() {
                return Err(missing(
                    file.1,
                    format!("no Containerfile `{file_path}` to build"),
                ));
            }
            Image::Build {
                file: file_path,
                context: context_path,
                repository: repository(pipeline),
            }
        }
    };
    let path_var = (input.lookup)("PATH");
    let engine = Engine::detect(
        &detect::CONTAINER,
        spec.engine,
        path_var.as_deref().map(std::ffi::OsStr::new),
        input.cwd,
        input.env,
        input.lookup,
    );
    Ok(ContainerJob {
        engine,
        image,
        root: input.root.to_path_buf(),
        cwd: input.cwd.to_path_buf(),
        owner: Owner::invoking(),
        passed,
        host_network: false,
    })
}

/// `localhost/gantry-<pipeline>`, lowercased, in the characters image
/// names allow.
fn repository(pipeline: &str) -> String {
    let name: String = pipeline
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("localhost/gantry-{}", name.trim_matches('-'))
}

impl ContainerJob {
    /// A build's Containerfile and context as the build (run in
    /// [`ContainerJob::cwd`]) is given them: relative to that directory.
    pub fn build_paths(&self, file: &str, context: &str) -> (String, String) {
        let from_cwd = |path: &str| {
            let relative = relative_to(&self.root.join(path), &self.cwd);
            match relative.as_os_str().is_empty() {
                true => ".".to_string(),
                false => relative.display().to_string(),
            }
        };
        (from_cwd(file), from_cwd(context))
    }

    /// The options of the container that runs `command` for an action in
    /// `workdir` with the variables `env`; `name` and `labels` identify it.
    pub fn options(
        &self,
        image: &str,
        name: &[&str],
        workdir: PathBuf,
        env: &[(String, String)],
        command: Vec<String>,
    ) -> RunOptions {
        let mut names: Vec<String> = Vec::new();
        let mut values = env.to_vec();
        for name in &self.passed {
            if let Some(value) = std::env::var_os(name) {
                values.push((name.clone(), value.to_string_lossy().into_owned()));
            }
        }
        for (k, _) in &values {
            if !names.contains(k) {
                names.push(k.clone());
            }
        }
        RunOptions {
            name: container_name(name),
            image: image.to_string(),
            mounts: vec![self.root.clone()],
            workdir: Some(workdir),
            env: names,
            env_values: values,
            owner: Some(self.owner),
            remove: true,
            init: true,
            command,
            network: self.host_network.then(|| "host".to_string()),
            ..Default::default()
        }
    }

    /// The options of the container that runs `command` for `action` in
    /// `workspace`'s run: named and labelled after it, the run directory
    /// mounted when it is outside the workspace.
    pub fn action_options(
        &self,
        image: &str,
        action: &ActionEnv<'_>,
        workspace: &Workspace<'_>,
        command: Vec<String>,
    ) -> RunOptions {
        let hash = short_hash(&workspace.run_dir.display().to_string());
        let mut options = self.options(
            image,
            &["gantry", action.stage, action.name, workspace.run_id, &hash],
            action.cwd.to_path_buf(),
            action.env,
            command,
        );
        options.labels = vec![
            (LABEL_RUN.into(), workspace.run_id.into()),
            (
                LABEL_RUN_DIR.into(),
                workspace.run_dir.display().to_string(),
            ),
            ("gantry.action".into(), action.key.to_string()),
        ];
        if !workspace.run_dir.starts_with(&self.root) {
            // `$GANTRY_OUTPUT` is written there.
            options.mounts.push(workspace.run_dir.to_path_buf());
        }
        options
    }

    /// What `--dry-run` shows: the engine and the commands it would run
    /// (built as a run builds them: the container's name, labels and
    /// variables as in `workspace`'s run), or why there is no engine.
    pub fn describe(
        &self,
        action: &ActionEnv<'_>,
        command: Vec<String>,
        workspace: &Workspace<'_>,
    ) -> String {
        let engine = match &self.engine {
            Ok(engine) => engine,
            Err(why) => return format!("# fails: {why}"),
        };
        let mut lines = Vec::new();
        let image = match &self.image {
            Image::Reference(image) => image.clone(),
            Image::Build {
                file,
                context,
                repository,
            } => {
                let tag = format!("{repository}:<hash of {context}>");
                lines.push(format!(
                    "{}   # once per run, unless the engine has it",
                    build_command(engine, self, file, context, &tag).display()
                ));
                tag
            }
        };
        let options = self.action_options(&image, action, workspace, command);
        lines.extend(engine.run(&options).iter().map(EngineCommand::display));
        lines.join("\n")
    }
}

/// The build of `job`'s `build:` image (`file` and `context` relative to
/// the root), tagged `tag`, to run in the job's working directory.
pub fn build_command(
    engine: &Engine,
    job: &ContainerJob,
    file: &str,
    context: &str,
    tag: &str,
) -> EngineCommand {
    let (file, context) = job.build_paths(file, context);
    engine.build(&BuildOptions {
        file,
        context,
        tags: vec![tag.into()],
        ..Default::default()
    })
}

/// A short hex hash of `text`.
pub fn short_hash(text: &str) -> String {
    blake3::hash(text.as_bytes()).to_hex()[..8].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_build_in_a_working_directory_is_given_its_paths_from_there() {
        let job = |cwd: &str| ContainerJob {
            engine: Err("none".into()),
            image: Image::Reference(String::new()),
            root: "/r".into(),
            cwd: cwd.into(),
            owner: Owner::Root,
            passed: Vec::new(),
            host_network: false,
        };
        assert_eq!(
            job("/r/app/web").build_paths("ci/Containerfile", "ci"),
            ("../../ci/Containerfile".into(), "../../ci".into())
        );
        assert_eq!(
            job("/r").build_paths("ci/Containerfile", "."),
            ("ci/Containerfile".into(), ".".into())
        );
    }

    #[test]
    fn repositories_are_lowercase_image_names() {
        assert_eq!(repository("WebApp_2"), "localhost/gantry-webapp-2");
        assert!(crate::config::container::check_reference(&format!(
            "{}:abc",
            repository("My.Pipeline")
        ))
        .is_ok());
    }
}
