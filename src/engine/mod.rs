//! Container engines (docker, podman, buildah), shared by every container
//! feature: the `image:` action, actions in a `container:`, `services:`,
//! and container deployment instances.
//!
//! - [`detect`]: finding the program — docker when its daemon answers, else
//!   podman, else buildah, among those the feature can use, with the
//!   feature's own hint when none is found; [`Engine::detect`] adds the
//!   storage driver ([`ENV_STORAGE_DRIVER`]), so that every feature uses
//!   the store the images are in (an `image:` action's own
//!   `storage_driver:` key applies to that action only).
//! - Command building: [`Engine::command`] (global flags first),
//!   [`Engine::run`] (`run` for docker and podman; `from` + `run` for
//!   buildah, which has no `run IMAGE`), [`Engine::remove`] (and
//!   [`Engine::remove_until`], the one place that runs it and tells a
//!   container that may be left from one the engine refused to remove),
//!   [`Engine::image_id`], [`Engine::list_labelled`], [`Engine::build`]
//!   (with the engine's isolation), [`Engine::export_archive`].
//! - [`failure_hint`]: what to do about an engine's known failures.
//!
//! - [`EngineEnv`]: the variables of the config's `env:` that every call of
//!   an engine runs with ([`Engine::env`], carried by each [`EngineCommand`]),
//!   so that `DOCKER_HOST`, `CONTAINERS_STORAGE_CONF` and the like point the
//!   build, the run, the checks and the removals at the same engine and store.
//!
//! Nothing here runs a process but [`EngineCommand::capture`] and its kin:
//! callers run the other [`EngineCommand`]s they get
//! (supervised, as any action's process, through [`EngineCommand::process`])
//! and show them with [`EngineCommand::display`].

pub mod detect;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

pub use crate::config::image::{Builder as EngineKind, BuilderChoice as EngineChoice};
use crate::proc::interrupt::Interrupt;
use crate::proc::process::{self, Capture, Exit, ProcessSpec};
use crate::text::shell_quote as quote;

/// Why [`Engine::remove_until`] did not remove a container.
#[derive(Debug, PartialEq, Eq)]
pub enum NotRemoved {
    /// The engine did not answer in time, could not start, or the
    /// interrupt fired: the container may be left. Which command, and what
    /// became of it.
    MayBeLeft(String),
    /// The engine answered that it could not remove it: its stderr.
    Refused(String),
}

/// The label every container gantry starts carries: the run's id.
pub const LABEL_RUN: &str = "gantry.run";
/// The label naming the run's directory (`.gantry/runs/<id>`): while that
/// run's lock is held, its containers are in use; otherwise they are
/// leftovers that the next run removes. Only for containers that live no
/// longer than their run (never on long-lived ones such as deploy instances).
pub const LABEL_RUN_DIR: &str = "gantry.run-dir";
/// Environment variable that sets podman's and buildah's `--storage-driver`
/// for every engine call (the `image:` action's `storage_driver:` overrides it).
pub const ENV_STORAGE_DRIVER: &str = "GANTRY_BUILDAH_STORAGE_DRIVER";

/// The isolation buildah builds and runs a container feature's containers
/// with: chroot needs no OCI runtime.
pub const BUILDAH_ISOLATION: &str = "chroot";

/// The engine a container feature uses, found on `PATH`, with the settings
/// every command of it gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Engine {
    /// docker, podman or buildah.
    pub kind: EngineKind,
    /// The program, as found on `PATH`.
    pub program: PathBuf,
    /// Why it was chosen, for the log (e.g. `auto; skipped docker (…)`).
    pub why: String,
    /// podman's and buildah's `--storage-driver` (from [`ENV_STORAGE_DRIVER`],
    /// or an `image:` action's `storage_driver:`).
    pub storage_driver: Option<String>,
    /// podman's and buildah's `--isolation` for `build` (buildah's also for
    /// `run`): [`BUILDAH_ISOLATION`] for buildah in a container feature, an
    /// `image:` action's `isolation:`.
    pub isolation: Option<String>,
    /// The variables every call runs with, on top of gantry's environment.
    pub env: EngineEnv,
}

/// The variables an engine's calls run with on top of gantry's own
/// environment: the `env:` the config gives the action (or service) that
/// uses the engine. Compared and hashed by the values of the variables an
/// engine reads ([`engine_reads`]) only: the actions of a run differ in
/// `GANTRY_ACTION`, and those of a matrix in their own variables, yet ask
/// the engine the same questions and share one build. Debug output names
/// the variables without their values, which may be secrets.
#[derive(Clone, Default)]
pub struct EngineEnv(pub Vec<(String, String)>);

impl EngineEnv {
    /// The variables an engine reads, by name, with the value each call
    /// sees (the last one given).
    fn engine_read(&self) -> BTreeMap<&str, &str> {
        self.0
            .iter()
            .filter(|(name, _)| engine_reads(name))
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect()
    }

    /// The value an engine call sees for `name`: the last one given here,
    /// else gantry's own environment's.
    pub fn lookup(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .rev()
            .find(|(var, _)| var == name)
            .map(|(_, value)| value.clone())
            .or_else(|| std::env::var(name).ok())
    }

    /// The folder an engine call's answer depends on when it runs in
    /// `cwd`: `cwd` when a variable an engine reads holds a relative path
    /// ([`holds_relative_path`]: `CONTAINERS_STORAGE_CONF=ci.conf`,
    /// `DOCKER_CONFIG=.docker`), which names another file in another
    /// folder; `None` when every folder gets the same answer. What gantry
    /// remembers of an engine's answers (the docker probe, an image's id,
    /// the sweep, a build) is keyed by it.
    pub fn folder_for(&self, cwd: &Path) -> Option<PathBuf> {
        self.engine_read()
            .into_iter()
            .any(|(name, value)| holds_relative_path(name, value))
            .then(|| cwd.to_path_buf())
    }
}

/// Whether variable `name`'s `value` holds a path relative to the folder
/// a process runs in: one of its `:`-separated entries (a `PATH`-like
/// list; a `unix://` socket's path) is not empty, does not start with `/`,
/// and either the name says it holds a path (`…_CONF`, `…_CONFIG`,
/// `…_FILE`, `…_DIR`, `…_PATH`, `HOME`, `PATH`, `TMPDIR`, `XDG_…`) or the
/// entry looks like one (has a `/` or a `.`). Other URLs (`ssh://…`,
/// `http://…`) and words (`vfs`, `1`, `chroot`) are no paths.
pub fn holds_relative_path(name: &str, value: &str) -> bool {
    let value = value.strip_prefix("unix://").unwrap_or(value);
    if value.contains("://") {
        return false;
    }
    let path_name = ["_CONF", "_CONFIG", "_FILE", "_DIR", "_PATH"]
        .iter()
        .any(|end| name.ends_with(end))
        || ["HOME", "PATH", "TMPDIR"].contains(&name)
        || name.starts_with("XDG_");
    value.split(':').any(|entry| {
        !entry.is_empty() && !entry.starts_with('/') && (path_name || entry.contains(['/', '.']))
    })
}

/// Whether docker, podman or buildah (or what they run: runc, conmon, a
/// build's proxy settings) may read the variable `name`: where the engine
/// and its store are (`DOCKER_HOST`, `CONTAINER_HOST`,
/// `CONTAINERS_STORAGE_CONF`, `STORAGE_DRIVER`, `XDG_*`, `HOME`), its
/// registries' credentials, temporary files, programs, proxies and build
/// timestamps. Two engines whose variables agree on these are one engine.
pub fn engine_reads(name: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "DOCKER_",
        "BUILDKIT_",
        "BUILDX_",
        "CONTAINER",
        "PODMAN_",
        "BUILDAH_",
        "STORAGE_",
        "REGISTRY_",
        "REGISTRIES_",
        "XDG_",
    ];
    const NAMES: &[&str] = &[
        "HOME",
        "TMPDIR",
        "PATH",
        "SOURCE_DATE_EPOCH",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
    ];
    PREFIXES.iter().any(|p| name.starts_with(p))
        || NAMES.contains(&name)
        || name.to_ascii_uppercase().ends_with("_PROXY")
}

impl PartialEq for EngineEnv {
    fn eq(&self, other: &Self) -> bool {
        self.engine_read() == other.engine_read()
    }
}

impl Eq for EngineEnv {}

impl std::hash::Hash for EngineEnv {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.engine_read().hash(state);
    }
}

impl std::fmt::Debug for EngineEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(name, _)| name))
            .finish()
    }
}

/// One engine invocation: `program args…` with its variables. Equal
/// commands ask the engine the same question, so they key what is
/// remembered of its answers.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EngineCommand {
    /// Which engine.
    pub kind: EngineKind,
    /// Its program.
    pub program: PathBuf,
    /// Its arguments, global flags first.
    pub args: Vec<String>,
    /// The engine's variables ([`Engine::env`]).
    pub env: EngineEnv,
}

impl EngineCommand {
    /// The command as people read it: the engine's name and shell-quoted
    /// arguments (environment values are never in it: see [`RunOptions::env`]).
    pub fn display(&self) -> String {
        describe(self.kind.name(), &self.args)
    }

    /// The subcommand (`run`, `from`, `build`…), after the global flags.
    pub fn verb(&self) -> &str {
        let mut args = self.args.iter();
        while let Some(arg) = args.next() {
            if arg == "--storage-driver" {
                args.next();
            } else {
                return arg;
            }
        }
        ""
    }

    /// A process spec running this command in `cwd` with the engine's
    /// variables set, and `more` on top (a container's values, which `-e
    /// NAME` reads from the engine's environment).
    pub fn process(&self, cwd: &Path, more: Vec<(String, String)>) -> ProcessSpec {
        let mut env = self.env.0.clone();
        env.extend(more);
        ProcessSpec {
            program: self.program.display().to_string(),
            args: self.args.clone(),
            cwd: cwd.to_path_buf(),
            env,
            ..Default::default()
        }
    }

    /// Runs this short command (a listing, a removal, an inspection) to its
    /// end in `cwd`, with the engine's variables and at most
    /// [`housekeeping_limit`] (a hung engine must not block gantry): exit
    /// code, stdout, stderr; `Err` says it did not answer in time (it is
    /// stopped then, with every process it started) or could not start.
    pub fn capture(&self, cwd: &Path) -> Result<(i32, String, String), String> {
        self.capture_until(cwd, &Interrupt::default())
    }

    /// [`EngineCommand::capture`], also stopped when `interrupt` is
    /// triggered (`Err` then says so).
    pub fn capture_until(
        &self,
        cwd: &Path,
        interrupt: &Interrupt,
    ) -> Result<(i32, String, String), String> {
        let limit = housekeeping_limit();
        let mut spec = self.process(cwd, Vec::new());
        spec.timeout = Some(limit);
        spec.separate_stderr = true;
        spec.detached_may_stay = true;
        let mut sink = Capture::default();
        let finished = process::run(&spec, &mut sink, interrupt);
        let out = String::from_utf8_lossy(&sink.stdout).into_owned();
        let err = String::from_utf8_lossy(&sink.stderr).into_owned();
        // An engine that exited by itself as the interrupt came answered,
        // unless its code says the signal stopped it (128 + SIGINT/SIGTERM).
        if let (Exit::Interrupted, Some(code)) = (&finished.exit, finished.own_code) {
            if code != i32::from(crate::error::EXIT_INTERRUPTED) && code != 143 {
                return Ok((code, out, err));
            }
        }
        match finished.exit {
            Exit::Code(code) => Ok((code, out, err)),
            Exit::SpawnFailed(why) => Err(why),
            Exit::TimedOut => Err(format!(
                "`{}` did not answer within {}",
                self.display(),
                crate::text::human_duration(limit)
            )),
            Exit::Interrupted => Err(format!(
                "`{}` was interrupted before it answered",
                self.display()
            )),
            other => Err(format!("`{}` ended: {other:?}", self.display())),
        }
    }

    /// This command as a [`std::process::Command`] with the engine's
    /// variables, for one that runs on the user's terminal (`exec -it`).
    pub fn std_command(&self) -> std::process::Command {
        let mut command = std::process::Command::new(&self.program);
        command.args(&self.args).envs(self.env.0.iter().cloned());
        command
    }
}

/// How long removing a container, inspecting an image or listing
/// containers may take.
const HOUSEKEEPING: std::time::Duration = std::time::Duration::from_secs(60);

/// TEST-ONLY: milliseconds that replace [`HOUSEKEEPING`], so that the
/// integration tests' hung stand-in engines show gantry giving up without
/// each test waiting a minute. Only tests set it; it is not a user setting
/// and not documented as one.
const HOUSEKEEPING_TEST_VAR: &str = "GANTRY_TEST_HOUSEKEEPING_MS";

/// [`HOUSEKEEPING`], unless a test set [`HOUSEKEEPING_TEST_VAR`].
fn housekeeping_limit() -> std::time::Duration {
    std::env::var(HOUSEKEEPING_TEST_VAR)
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(HOUSEKEEPING, std::time::Duration::from_millis)
}

/// Whose files a container writes into bind mounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    /// gantry runs as root: the container runs as its image's user (root).
    Root,
    /// A user: files must belong to this uid and gid.
    User {
        /// The invoking user's id.
        uid: u32,
        /// The invoking user's group id.
        gid: u32,
    },
}

impl Owner {
    /// The user running gantry.
    pub fn invoking() -> Owner {
        let uid = rustix::process::getuid().as_raw();
        let gid = rustix::process::getgid().as_raw();
        if uid == 0 {
            Owner::Root
        } else {
            Owner::User { uid, gid }
        }
    }
}

/// What to run in a container.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// The container's name (`--name`).
    pub name: String,
    /// The image reference or id.
    pub image: String,
    /// Labels (`--label K=V`); add [`LABEL_RUN`] and [`LABEL_RUN_DIR`].
    pub labels: Vec<(String, String)>,
    /// Host directories bind-mounted read-write at the same path inside.
    pub mounts: Vec<PathBuf>,
    /// The working directory inside.
    pub workdir: Option<PathBuf>,
    /// Variables passed in, by name: docker and podman read each value from
    /// their own environment (so values never show on a command line);
    /// buildah gets `NAME=VALUE`, so give the values in `env_values` too.
    pub env: Vec<String>,
    /// The values of `env` (for buildah only).
    pub env_values: Vec<(String, String)>,
    /// Whose files the container writes.
    pub owner: Option<Owner>,
    /// Start detached (`-d`) instead of attached; ignored by buildah.
    pub detach: bool,
    /// Remove the container when it ends (`--rm`); ignored by buildah
    /// (remove its working container with [`Engine::remove`]).
    pub remove: bool,
    /// The client does not pass signals on (`--sig-proxy=false`): the
    /// container is stopped by removing it; ignored by buildah.
    pub no_sig_proxy: bool,
    /// A small init as PID 1 that forwards signals and reaps (`--init`).
    pub init: bool,
    /// `--network`, e.g. `host`.
    pub network: Option<String>,
    /// Published ports (`-p HOST:CONTAINER`); ignored by buildah.
    pub ports: Vec<String>,
    /// The command and its arguments.
    pub command: Vec<String>,
}

/// What an image build gets (`build` of [`Engine::build`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BuildOptions {
    /// The Containerfile (`-f`), relative to the working directory.
    pub file: String,
    /// The build context, relative to the working directory.
    pub context: String,
    /// Tags (`-t`).
    pub tags: Vec<String>,
    /// `--build-arg NAME=VALUE` pairs.
    pub build_args: Vec<(String, String)>,
    /// `--target`.
    pub target: Option<String>,
    /// `--platform`.
    pub platform: Option<String>,
    /// `--label NAME=VALUE` pairs.
    pub labels: Vec<(String, String)>,
    /// The file that receives the image id (`--iidfile`).
    pub iidfile: Option<PathBuf>,
}

impl Engine {
    /// Finds the engine `wanted` for `choice` on `path` (the action's
    /// `PATH`), with `env` the action's variables (`DOCKER_HOST`: every
    /// call of the engine gets them) and `lookup` reading
    /// [`ENV_STORAGE_DRIVER`]. The error says what was tried and gives
    /// `wanted`'s hint.
    pub fn detect(
        wanted: &detect::Wanted,
        choice: EngineChoice,
        path: Option<&OsStr>,
        cwd: &Path,
        env: &[(String, String)],
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Engine, String> {
        let chosen = detect::detect(wanted, choice, path, cwd, env)?;
        let isolation = (chosen.builder == EngineKind::Buildah).then(|| BUILDAH_ISOLATION.into());
        Ok(Engine::from_chosen(
            chosen,
            lookup(ENV_STORAGE_DRIVER).filter(|v| !v.is_empty()),
            isolation,
        )
        .with_env(env))
    }

    /// [`Engine::detect`] for a caller whose variables are `env` on top of
    /// gantry's environment (a service's engine environment, a deploy
    /// action's): `PATH`, `DOCKER_HOST` and [`ENV_STORAGE_DRIVER`] are read
    /// from there, the docker probe asks from `cwd`.
    pub fn detect_with_env(
        wanted: &detect::Wanted,
        choice: EngineChoice,
        env: &[(String, String)],
        cwd: &Path,
    ) -> Result<Engine, String> {
        let vars = EngineEnv(env.to_vec());
        let lookup = |name: &str| vars.lookup(name);
        let path = lookup("PATH");
        Engine::detect(
            wanted,
            choice,
            path.as_deref().map(OsStr::new),
            cwd,
            env,
            &lookup,
        )
    }

    /// This engine with every call running with `env` set.
    pub fn with_env(self, env: &[(String, String)]) -> Engine {
        Engine {
            env: EngineEnv(env.to_vec()),
            ..self
        }
    }

    /// The engine `chosen`, its commands with `storage_driver` and
    /// `isolation` (and no variables: see [`Engine::with_env`]).
    pub fn from_chosen(
        chosen: detect::Chosen,
        storage_driver: Option<String>,
        isolation: Option<String>,
    ) -> Engine {
        Engine {
            kind: chosen.builder,
            program: chosen.program,
            why: chosen.why,
            storage_driver,
            isolation,
            env: EngineEnv::default(),
        }
    }

    /// The engine's name: `docker`, `podman` or `buildah`.
    pub fn name(&self) -> &'static str {
        self.kind.name()
    }

    /// `program GLOBAL-FLAGS args…`.
    pub fn command(&self, args: impl IntoIterator<Item = String>) -> EngineCommand {
        let mut all = global_flags(self.kind, self.storage_driver.as_deref());
        all.extend(args);
        EngineCommand {
            kind: self.kind,
            program: self.program.clone(),
            args: all,
            env: self.env.clone(),
        }
    }

    /// The commands that run `o`: one `run` for docker and podman; for
    /// buildah `from --name` (creating the working container) then `run`.
    pub fn run(&self, o: &RunOptions) -> Vec<EngineCommand> {
        if self.kind == EngineKind::Buildah {
            return self.buildah_run(o);
        }
        let mut args = vec!["run".to_string()];
        if o.remove {
            args.push("--rm".into());
        }
        if o.no_sig_proxy {
            args.push("--sig-proxy=false".into());
        }
        if o.detach {
            args.push("-d".into());
        }
        if o.init {
            args.push("--init".into());
        }
        args.extend(["--name".into(), o.name.clone()]);
        for (k, v) in &o.labels {
            args.extend(["--label".into(), format!("{k}={v}")]);
        }
        for dir in &o.mounts {
            args.extend(["-v".into(), volume(dir)]);
        }
        if let Some(dir) = &o.workdir {
            args.extend(["-w".into(), dir.display().to_string()]);
        }
        for name in &o.env {
            args.extend(["-e".into(), name.clone()]);
        }
        match (o.owner, self.kind) {
            (Some(Owner::User { .. }), EngineKind::Podman) => {
                // Rootless podman maps the user's id to itself inside.
                args.push("--userns=keep-id".into());
            }
            (Some(Owner::User { uid, gid }), _) => {
                args.extend(["--user".into(), format!("{uid}:{gid}")]);
            }
            _ => {}
        }
        if let Some(network) = &o.network {
            args.extend(["--network".into(), network.clone()]);
        }
        for port in &o.ports {
            args.extend(["-p".into(), port.clone()]);
        }
        args.push(o.image.clone());
        args.extend(o.command.iter().cloned());
        vec![self.command(args)]
    }

    fn buildah_run(&self, o: &RunOptions) -> Vec<EngineCommand> {
        let from = vec![
            "from".to_string(),
            "--quiet".into(),
            "--pull-never".into(),
            "--name".into(),
            o.name.clone(),
            o.image.clone(),
        ];
        let mut args = vec!["run".to_string()];
        args.extend(self.isolation_flag());
        for dir in &o.mounts {
            args.extend(["-v".into(), volume(dir)]);
        }
        if let Some(dir) = &o.workdir {
            args.extend(["--workingdir".into(), dir.display().to_string()]);
        }
        for name in &o.env {
            let value = o
                .env_values
                .iter()
                .rev()
                .find(|(k, _)| k == name)
                .map_or("", |(_, v)| v.as_str());
            args.extend(["--env".into(), format!("{name}={value}")]);
        }
        if let Some(network) = &o.network {
            args.extend(["--network".into(), network.clone()]);
        }
        // Rootless buildah maps the user to root inside, so files written
        // as root inside belong to the user outside: no `--user`.
        args.push(o.name.clone());
        args.push("--".into());
        args.extend(o.command.iter().cloned());
        vec![self.command(from), self.command(args)]
    }

    /// Stops and removes container `name` at once (`rm -f -t 0`; buildah:
    /// `rm`). Removing a container that is not there fails harmlessly.
    pub fn remove(&self, name: &str) -> EngineCommand {
        let args: Vec<String> = match self.kind {
            EngineKind::Buildah => vec!["rm".into(), name.into()],
            EngineKind::Podman => vec![
                "rm".into(),
                "-f".into(),
                "-t".into(),
                "0".into(),
                name.into(),
            ],
            EngineKind::Docker => vec!["rm".into(), "-f".into(), name.into()],
        };
        self.command(args)
    }

    /// Stops and removes container `name` ([`Engine::remove`], in `cwd`)
    /// within the housekeeping limit or until `interrupt` fires
    /// ([`EngineCommand::capture_until`]); a container that is not there
    /// is not an error. Callers say what is left in their own words.
    pub fn remove_until(
        &self,
        name: &str,
        cwd: &Path,
        interrupt: &Interrupt,
    ) -> Result<(), NotRemoved> {
        let (code, _, stderr) = self
            .remove(name)
            .capture_until(cwd, interrupt)
            .map_err(NotRemoved::MayBeLeft)?;
        let lower = stderr.to_ascii_lowercase();
        let gone = ["no such container", "no container with name", "not known"]
            .iter()
            .any(|s| lower.contains(s));
        if code == 0 || gone {
            Ok(())
        } else {
            Err(NotRemoved::Refused(stderr.trim().to_string()))
        }
    }

    /// Prints the id of `image` (a content digest), failing when the
    /// engine does not have it.
    pub fn image_id(&self, image: &str) -> EngineCommand {
        let args: Vec<String> = match self.kind {
            EngineKind::Buildah => ["inspect", "--type", "image", "--format", "{{.FromImageID}}"]
                .map(String::from)
                .into_iter()
                .chain([image.to_string()])
                .collect(),
            _ => ["image", "inspect", "--format", "{{.Id}}"]
                .map(String::from)
                .into_iter()
                .chain([image.to_string()])
                .collect(),
        };
        self.command(args)
    }

    /// Lists the containers that carry `label`, one per line as
    /// `NAME<TAB>VALUE` (buildah: every working container's name, with an
    /// empty value, since buildah cannot filter by label).
    pub fn list_labelled(&self, label: &str) -> EngineCommand {
        let args: Vec<String> = match self.kind {
            EngineKind::Buildah => vec![
                "containers".into(),
                "--noheading".into(),
                "--format".into(),
                "{{.ContainerName}}\t".into(),
            ],
            kind => {
                // docker's template has `.Label NAME`, podman's a `.Labels` map.
                let value = match kind {
                    EngineKind::Docker => format!("{{{{.Label \"{label}\"}}}}"),
                    _ => format!("{{{{index .Labels \"{label}\"}}}}"),
                };
                vec![
                    "ps".into(),
                    "-a".into(),
                    "--filter".into(),
                    format!("label={label}"),
                    "--format".into(),
                    format!("{{{{.Names}}}}\t{value}"),
                ]
            }
        };
        self.command(args)
    }

    /// `build [--isolation I] -f FILE -t TAG… … CONTEXT` of `o`.
    pub fn build(&self, o: &BuildOptions) -> EngineCommand {
        let mut args = vec!["build".to_string()];
        args.extend(self.isolation_flag());
        args.extend(["-f".into(), o.file.clone()]);
        for tag in &o.tags {
            args.extend(["-t".into(), tag.clone()]);
        }
        for (name, value) in &o.build_args {
            args.extend(["--build-arg".into(), format!("{name}={value}")]);
        }
        if let Some(target) = &o.target {
            args.extend(["--target".into(), target.clone()]);
        }
        if let Some(platform) = &o.platform {
            args.extend(["--platform".into(), platform.clone()]);
        }
        for (name, value) in &o.labels {
            args.extend(["--label".into(), format!("{name}={value}")]);
        }
        if let Some(file) = &o.iidfile {
            args.extend(["--iidfile".into(), file.display().to_string()]);
        }
        args.push(o.context.clone());
        self.command(args)
    }

    /// Writes image `tag` to the OCI archive `archive`: `push [--digestfile
    /// F] TAG oci-archive:ARCHIVE:TAG` for podman and buildah (`digestfile`
    /// receives the manifest digest), `save -o ARCHIVE TAG` for docker.
    pub fn export_archive(
        &self,
        tag: &str,
        archive: &str,
        digestfile: Option<&Path>,
    ) -> EngineCommand {
        let mut args: Vec<String> = Vec::new();
        match self.kind {
            EngineKind::Docker => {
                args.extend(["save".into(), "-o".into(), archive.into(), tag.into()]);
            }
            EngineKind::Buildah | EngineKind::Podman => {
                args.push("push".into());
                if let Some(file) = digestfile {
                    args.extend(["--digestfile".into(), file.display().to_string()]);
                }
                args.extend([tag.into(), format!("oci-archive:{archive}:{tag}")]);
            }
        }
        self.command(args)
    }

    /// `--isolation I` when the engine takes it and has one (docker has no
    /// such flag).
    fn isolation_flag(&self) -> Vec<String> {
        match (&self.isolation, self.kind) {
            (Some(isolation), EngineKind::Podman | EngineKind::Buildah) => {
                vec!["--isolation".into(), isolation.clone()]
            }
            _ => Vec::new(),
        }
    }
}

/// The flags `kind` takes before its subcommand: podman's and buildah's
/// `--storage-driver` (docker has no such flag).
fn global_flags(kind: EngineKind, storage_driver: Option<&str>) -> Vec<String> {
    match (storage_driver, kind) {
        (Some(driver), EngineKind::Podman | EngineKind::Buildah) => {
            vec!["--storage-driver".into(), driver.to_string()]
        }
        _ => Vec::new(),
    }
}

/// A command line for people (dry runs, the live view, errors): `program`
/// and the shell-quoted `args`.
pub fn describe(program: &str, args: &[String]) -> String {
    let mut words = vec![program.to_string()];
    words.extend(args.iter().map(|a| quote(a)));
    words.join(" ")
}

/// `DIR:DIR`, the host directory mounted at the same path.
fn volume(dir: &Path) -> String {
    format!("{0}:{0}", dir.display())
}

/// A container name from `parts`: characters engines refuse become `-`
/// (names match `[a-zA-Z0-9][a-zA-Z0-9_.-]*`).
pub fn container_name(parts: &[&str]) -> String {
    let joined = parts.join("-");
    let mut name: String = joined
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_.-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        name.insert(0, 'g');
    }
    name
}

/// What to do about an engine failure whose stderr is `stderr`, when it is
/// one gantry knows.
pub fn failure_hint(kind: EngineKind, stderr: &str) -> Option<&'static str> {
    let text = stderr.to_ascii_lowercase();
    if text.contains("setrlimit") {
        Some(
            "the OCI runtime cannot set resource limits here (crun in a restricted \
             container or VM): point CONTAINERS_CONF at a containers.conf with \
             `[containers] default_ulimits = []` and `[engine] runtime = \"runc\"` \
             (see docs/containers.md)",
        )
    } else if text.contains("cannot connect to the docker daemon")
        || text.contains("is the docker daemon running")
    {
        Some("start the Docker daemon, or choose another engine with `engine: podman`")
    } else if text.contains("newuidmap") || text.contains("subuid") {
        Some(
            "rootless containers need ids in /etc/subuid and /etc/subgid for your user \
             (`usermod --add-subuids 100000-165535 --add-subgids 100000-165535 $USER`)",
        )
    } else if text.contains("image not known")
        || text.contains("no such image")
        || text.contains("manifest unknown")
        || text.contains("pinging container registry")
        || text.contains("unable to find image")
    {
        Some("the image is not on this machine and cannot be pulled: build or load it first (`image:` action, `podman load`)")
    } else if kind == EngineKind::Buildah && text.contains("chroot") {
        Some("buildah runs containers with chroot isolation, which needs root or a user namespace (`buildah unshare`)")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine(kind: EngineKind) -> Engine {
        Engine {
            kind,
            program: kind.name().into(),
            why: "test".into(),
            storage_driver: Some("vfs".into()),
            isolation: (kind == EngineKind::Buildah).then(|| BUILDAH_ISOLATION.into()),
            env: EngineEnv::default(),
        }
    }

    fn options() -> RunOptions {
        RunOptions {
            name: "gantry-test-unit-1".into(),
            image: "localhost/ci:1".into(),
            labels: vec![(LABEL_RUN.into(), "7".into())],
            mounts: vec!["/src/app".into()],
            workdir: Some("/src/app".into()),
            env: vec!["TOKEN".into()],
            env_values: vec![("TOKEN".into(), "s3cret".into())],
            owner: Some(Owner::User {
                uid: 1000,
                gid: 100,
            }),
            remove: true,
            init: true,
            command: vec!["sh".into(), "-c".into(), "make test".into()],
            ..Default::default()
        }
    }

    #[test]
    fn podman_runs_attached_with_keep_id_and_env_by_name() {
        let shown: Vec<String> = engine(EngineKind::Podman)
            .run(&options())
            .iter()
            .map(EngineCommand::display)
            .collect();
        assert_eq!(
            shown,
            [
                "podman --storage-driver vfs run --rm --init --name gantry-test-unit-1 \
              --label gantry.run=7 -v /src/app:/src/app -w /src/app -e TOKEN --userns=keep-id \
              localhost/ci:1 sh -c 'make test'"
            ]
        );
        assert!(!shown[0].contains("s3cret"));
    }

    #[test]
    fn docker_maps_the_user_and_takes_no_storage_flags() {
        let shown = engine(EngineKind::Docker).run(&options())[0].display();
        assert!(shown.starts_with("docker run --rm"), "{shown}");
        assert!(shown.contains("--user 1000:100"), "{shown}");
        assert!(!shown.contains("vfs"), "{shown}");
    }

    #[test]
    fn buildah_creates_a_working_container_then_runs_in_it() {
        let commands = engine(EngineKind::Buildah).run(&options());
        assert_eq!(
            commands[0].display(),
            "buildah --storage-driver vfs from --quiet --pull-never --name gantry-test-unit-1 localhost/ci:1"
        );
        assert_eq!(
            commands[1].display(),
            "buildah --storage-driver vfs run --isolation chroot -v /src/app:/src/app \
             --workingdir /src/app --env TOKEN=s3cret gantry-test-unit-1 -- sh -c 'make test'"
        );
        assert_eq!(
            engine(EngineKind::Buildah).remove("x").display(),
            "buildah --storage-driver vfs rm x"
        );
    }

    /// A stand-in podman whose `rm` answers as the container's name says.
    #[test]
    fn a_removal_tells_a_container_left_from_one_refused_or_gone() {
        use std::os::unix::fs::PermissionsExt;
        let bin = tempfile::tempdir().unwrap();
        let program = bin.path().join("podman");
        let script = "#!/bin/sh\ncase \"$*\" in\n\
                      *' rm -f -t 0 removed') exit 0 ;;\n\
                      *' rm -f -t 0 hangs') exec sleep 60 ;;\n\
                      *' rm -f -t 0 gone') echo 'Error: no container with name or ID \"gone\" found: no such container' >&2; exit 1 ;;\n\
                      *) echo '  Error: container busy is in use  ' >&2; exit 2 ;;\n\
                      esac\n";
        std::fs::write(&program, script).unwrap();
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        let podman = Engine {
            program,
            ..engine(EngineKind::Podman)
        };
        let remove =
            |name: &str, interrupt: &Interrupt| podman.remove_until(name, bin.path(), interrupt);
        let quiet = Interrupt::default();
        assert_eq!(remove("removed", &quiet), Ok(()));
        assert_eq!(remove("gone", &quiet), Ok(()), "not there is not an error");
        assert_eq!(
            remove("busy", &quiet),
            Err(NotRemoved::Refused(
                "Error: container busy is in use".into()
            ))
        );
        let fired = Interrupt::default();
        fired.trigger();
        assert_eq!(
            remove("hangs", &fired),
            Err(NotRemoved::MayBeLeft(
                "`podman --storage-driver vfs rm -f -t 0 hangs` was interrupted before it answered"
                    .into()
            ))
        );
        let missing = Engine {
            program: bin.path().join("no-such-podman"),
            ..engine(EngineKind::Podman)
        };
        assert!(matches!(
            missing.remove_until("removed", bin.path(), &quiet),
            Err(NotRemoved::MayBeLeft(_))
        ));
    }

    #[test]
    fn a_container_feature_builds_with_chroot_on_buildah_only() {
        use std::os::unix::fs::PermissionsExt;
        let bin = tempfile::tempdir().unwrap();
        let built: Vec<String> = [EngineKind::Buildah, EngineKind::Podman]
            .into_iter()
            .map(|kind| {
                let program = bin.path().join(kind.name());
                std::fs::write(&program, "#!/bin/sh\n").unwrap();
                std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
                let found = Engine::detect(
                    &detect::CONTAINER,
                    EngineChoice::Named(kind),
                    Some(bin.path().as_os_str()),
                    bin.path(),
                    &[],
                    &|_| None,
                )
                .unwrap();
                let build = BuildOptions {
                    file: "ci/Containerfile".into(),
                    context: "ci".into(),
                    tags: vec!["localhost/ci:1".into()],
                    ..Default::default()
                };
                found.build(&build).display()
            })
            .collect();
        assert_eq!(
            built,
            [
                "buildah build --isolation chroot -f ci/Containerfile -t localhost/ci:1 ci",
                "podman build -f ci/Containerfile -t localhost/ci:1 ci"
            ]
        );
    }

    #[test]
    fn commands_carry_the_engines_variables_and_differ_by_those_it_reads() {
        let with = |vars: &[(&str, &str)]| {
            let env: Vec<(String, String)> = vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            engine(EngineKind::Podman)
                .with_env(&env)
                .image_id("localhost/ci:1")
        };
        let one = with(&[("DOCKER_HOST", "unix:///a"), ("GANTRY_ACTION", "one")]);
        let two = with(&[("DOCKER_HOST", "unix:///a"), ("GANTRY_ACTION", "two")]);
        let elsewhere = with(&[("DOCKER_HOST", "unix:///b"), ("GANTRY_ACTION", "one")]);
        assert_eq!(one, two, "gantry's own variables are no engine's business");
        assert_ne!(one, elsewhere, "another DOCKER_HOST is another engine");
        assert_eq!(
            with(&[("DOCKER_HOST", "unix:///a"), ("NODE_VERSION", "18")]),
            with(&[("NODE_VERSION", "20"), ("DOCKER_HOST", "unix:///a")]),
            "variables no engine reads, and their order, make no other question"
        );
        assert_ne!(
            with(&[("XDG_RUNTIME_DIR", "/run/user/1")]),
            with(&[("XDG_RUNTIME_DIR", "/run/user/2")]),
            "another runtime directory is another podman"
        );
        let spec = one.process(Path::new("/"), vec![("TOKEN".into(), "s3cret".into())]);
        assert_eq!(
            spec.env,
            [
                ("DOCKER_HOST".to_string(), "unix:///a".to_string()),
                ("GANTRY_ACTION".into(), "one".into()),
                ("TOKEN".into(), "s3cret".into())
            ]
        );
        let shown = format!("{:?}", with(&[("TOKEN", "s3cret")]));
        assert!(
            shown.contains("TOKEN") && !shown.contains("s3cret"),
            "{shown}"
        );
    }

    #[test]
    fn only_a_relative_path_an_engine_reads_ties_its_answers_to_a_folder() {
        let folder = |vars: &[(&str, &str)]| {
            let env = vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            EngineEnv(env).folder_for(Path::new("/r/app"))
        };
        for relative in [
            ("CONTAINERS_STORAGE_CONF", "ci/storage.conf"),
            ("DOCKER_CONFIG", ".docker"),
            ("DOCKER_CONFIG", "dockercfg"),
            ("REGISTRY_AUTH_FILE", "auth.json"),
            ("PATH", "/usr/bin:bin"),
            ("DOCKER_HOST", "unix://run/docker.sock"),
        ] {
            assert_eq!(
                folder(&[relative]),
                Some(PathBuf::from("/r/app")),
                "{relative:?}"
            );
        }
        for shared in [
            ("CONTAINERS_STORAGE_CONF", "/etc/storage.conf"),
            ("DOCKER_HOST", "unix:///run/docker.sock"),
            ("DOCKER_HOST", "ssh://ci@build-box"),
            ("HTTPS_PROXY", "http://proxy.corp:3128"),
            ("STORAGE_DRIVER", "vfs"),
            ("DOCKER_BUILDKIT", "1"),
            ("GANTRY_BUILDAH_STORAGE_DRIVER", "vfs"),
            ("NODE_CONFIG", "app.json"),
        ] {
            assert_eq!(folder(&[shared]), None, "{shared:?}");
        }
    }

    #[test]
    fn names_keep_only_what_engines_accept() {
        assert_eq!(
            container_name(&["gantry", "test", "unit (stable)", "3"]),
            "gantry-test-unit--stable--3"
        );
        assert_eq!(container_name(&["_x"]), "g_x");
    }

    #[test]
    fn known_failures_get_a_hint() {
        let crun =
            "Error: crun: setrlimit `RLIMIT_NPROC`: Operation not permitted: OCI permission denied";
        assert!(failure_hint(EngineKind::Podman, crun)
            .unwrap()
            .contains("runc"));
        assert!(failure_hint(EngineKind::Podman, "all fine").is_none());
    }
}
