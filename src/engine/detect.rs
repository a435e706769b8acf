//! Finding a container engine program: `auto` tries docker (only when its
//! daemon answers), podman, then buildah on the action's `PATH` (those of
//! them the feature can use, see [`Wanted`]); a named one must be on
//! `PATH`. When none is usable, the error lists what was tried and the
//! feature's own hint on how to get one.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use super::EngineEnv;
use crate::config::image::{Builder, BuilderChoice};
use crate::proc::interrupt::Interrupt;
use crate::proc::process::{self, Exit, OutputSink, ProcessSpec};

/// How long `docker info` may take before docker counts as unavailable.
pub const DOCKER_PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// What a feature looks for: its setting's key, what the program is
/// called in errors, the engines it can use (in `auto`'s order) and what to
/// do when none is found.
#[derive(Clone, Copy, Debug)]
pub struct Wanted {
    /// The setting that names an engine (`builder`, `engine`).
    pub key: &'static str,
    /// What the program is called in errors (`container image builder`).
    pub what: &'static str,
    /// The engines that can do the feature's job, in `auto`'s order.
    pub candidates: &'static [Builder],
    /// How to get one, appended to the error.
    pub hint: &'static str,
}

/// The `image:` action's builder (`builder:`): any engine builds.
pub const BUILDER: Wanted = Wanted {
    key: "builder",
    what: "container image builder",
    candidates: &Builder::ALL,
    hint: INSTALL_HINT,
};

/// The engine of `container:` (`engine:`): any engine runs a command.
pub const CONTAINER: Wanted = Wanted {
    key: "engine",
    what: "container engine",
    candidates: &Builder::ALL,
    hint: INSTALL_HINT,
};

/// How to install an engine.
pub const INSTALL_HINT: &str =
    "install one, e.g. `apt-get install -y buildah` or `apt-get install -y podman` \
     (Fedora: `dnf install buildah`; macOS: `brew install podman`), or start Docker \
     (https://docs.docker.com/engine/install/), then run again";

/// The engine a feature will use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chosen {
    /// Which engine.
    pub builder: Builder,
    /// Its program, as found on `PATH`.
    pub program: PathBuf,
    /// Why it was chosen, for the log (e.g. `auto: docker's daemon did not answer`).
    pub why: String,
}

/// Finds the engine `wanted` for `choice` on `path` (the action's `PATH`),
/// with `env` the action's variables (for `DOCKER_HOST` and the like). The
/// error says what was tried and gives `wanted`'s hint.
pub fn detect(
    wanted: &Wanted,
    choice: BuilderChoice,
    path: Option<&OsStr>,
    cwd: &Path,
    env: &[(String, String)],
) -> Result<Chosen, String> {
    let Wanted {
        key, what, hint, ..
    } = *wanted;
    let find = |b: Builder| which::which_in(b.name(), path, cwd).ok();
    match choice {
        BuilderChoice::Named(builder) => match find(builder) {
            Some(program) => Ok(Chosen {
                builder,
                program,
                why: format!("set by `{key}:`"),
            }),
            None => Err(format!(
                "`{key}: {0}` but `{0}` is not on PATH; {hint}",
                builder.name(),
            )),
        },
        BuilderChoice::Auto => {
            let mut tried = Vec::new();
            for &builder in wanted.candidates {
                let Some(program) = find(builder) else {
                    tried.push(format!("{} (not on PATH)", builder.name()));
                    continue;
                };
                if builder == Builder::Docker {
                    if let Err(why) = docker_answers(&program, env, cwd) {
                        tried.push(format!("docker ({why})"));
                        continue;
                    }
                }
                let mut why = String::from("auto");
                if !tried.is_empty() {
                    why = format!("auto; skipped {}", tried.join(", "));
                }
                return Ok(Chosen {
                    builder,
                    program,
                    why,
                });
            }
            Err(format!(
                "no {what} found: tried {}; {hint}",
                tried.join(", ")
            ))
        }
    }
}

/// Whether docker's daemon answers `docker info`, asked in `cwd` (where
/// the feature's other engine calls run: a relative `DOCKER_CONFIG` means
/// the same there) or, when an earlier action creates that folder, in the
/// nearest one there is. Asked once per program, the variables it reads
/// ([`super::engine_reads`]) and, only when one of them holds a relative
/// path, the folder it was asked in ([`EngineEnv::folder_for`]), in a
/// gantry process: the actions of every folder share one probe.
fn docker_answers(program: &Path, env: &[(String, String)], cwd: &Path) -> Result<(), String> {
    type Asked = HashMap<(PathBuf, EngineEnv, Option<PathBuf>), Result<(), String>>;
    static ASKED: OnceLock<Mutex<Asked>> = OnceLock::new();
    // The run is planned before an earlier action makes the folder.
    let asked_in = cwd
        .ancestors()
        .find(|dir| dir.is_dir())
        .unwrap_or(Path::new("/"));
    let vars = EngineEnv(env.to_vec());
    let folder = vars.folder_for(asked_in);
    let key = (program.to_path_buf(), vars, folder);
    let cache = ASKED.get_or_init(Default::default);
    if let Some(answer) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return answer.clone();
    }
    let answer = probe_docker(program, env, asked_in);
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, answer.clone());
    answer
}

/// Asks `docker info` in `cwd`, supervised like any action's process (its
/// own process group, killed whole at the deadline), its output discarded.
fn probe_docker(program: &Path, env: &[(String, String)], cwd: &Path) -> Result<(), String> {
    struct Discard;
    impl OutputSink for Discard {
        fn write(&mut self, _: &[u8]) {}
    }
    let spec = ProcessSpec {
        program: program.display().to_string(),
        args: ["info", "--format", "{{.ServerVersion}}"]
            .map(String::from)
            .to_vec(),
        cwd: cwd.to_path_buf(),
        env: env.to_vec(),
        timeout: Some(DOCKER_PROBE_TIMEOUT),
        ..Default::default()
    };
    match process::run(&spec, &mut Discard, &Interrupt::default()).exit {
        Exit::Code(0) => Ok(()),
        Exit::SpawnFailed(why) => Err(format!("cannot run `docker info`: {why}")),
        Exit::TimedOut => Err(format!(
            "found, but its daemon did not answer within {}s",
            DOCKER_PROBE_TIMEOUT.as_secs()
        )),
        _ => Err("found, but its daemon is not running".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_path_lists_every_builder_tried() {
        let dir = std::env::temp_dir();
        let err = detect(
            &BUILDER,
            BuilderChoice::Auto,
            Some(OsStr::new("")),
            &dir,
            &[],
        )
        .expect_err("nothing on an empty PATH");
        for name in ["docker (not on PATH)", "podman (not on PATH)", "buildah"] {
            assert!(err.contains(name), "{err}");
        }
        assert!(err.contains("apt-get install -y buildah"), "{err}");
    }

    #[test]
    fn a_feature_tries_only_its_engines_and_gives_its_hint() {
        let dir = std::env::temp_dir();
        let wanted = Wanted {
            key: "engine",
            what: "container engine for services",
            candidates: &[Builder::Docker, Builder::Podman],
            hint: "services need docker or podman",
        };
        let err = detect(
            &wanted,
            BuilderChoice::Auto,
            Some(OsStr::new("")),
            &dir,
            &[],
        )
        .expect_err("nothing on an empty PATH");
        assert_eq!(
            err,
            "no container engine for services found: tried docker (not on PATH), \
             podman (not on PATH); services need docker or podman"
        );
    }

    #[test]
    fn docker_is_asked_in_the_nearest_folder_there_is() {
        use std::os::unix::fs::PermissionsExt;
        let bin = tempfile::tempdir().unwrap();
        let docker = bin.path().join("docker");
        // Answers only where its relative config is.
        std::fs::write(&docker, "#!/bin/sh\n[ -e docker.conf ]\n").unwrap();
        std::fs::set_permissions(&docker, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(bin.path().join("docker.conf"), "").unwrap();
        let not_yet = bin.path().join("dist/site");
        let chosen = detect(
            &BUILDER,
            BuilderChoice::Auto,
            Some(bin.path().as_os_str()),
            &not_yet,
            &[],
        )
        .expect("docker answers");
        assert_eq!(chosen.builder, Builder::Docker, "{}", chosen.why);
    }

    #[test]
    fn a_named_builder_must_be_on_path() {
        let dir = std::env::temp_dir();
        let choice = BuilderChoice::Named(Builder::Podman);
        let err = detect(&BUILDER, choice, Some(OsStr::new("")), &dir, &[]).expect_err("not found");
        assert!(
            err.starts_with("`builder: podman` but `podman` is not on PATH"),
            "{err}"
        );
    }
}
