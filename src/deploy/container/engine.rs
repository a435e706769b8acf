//! The container engine calls of container instances: podman found by the
//! shared [`crate::engine`] (with the storage driver every other engine
//! call uses), one command run to its end, its output or a clear error.
//! Only podman is used: installing files needs the container's root file
//! system mounted on the host (`podman mount`), which docker's CLI does not
//! offer.

use std::path::{Path, PathBuf};

use crate::config::image::{Builder, BuilderChoice};
use crate::engine::detect::Wanted;
use crate::engine::EngineCommand;
use crate::proc::interrupt::Interrupt;
use crate::proc::process::{self, Capture, Exit, ProcessSpec};

/// What container instances look for: podman only.
const INSTANCES: Wanted = Wanted {
    key: "engine",
    what: "container engine for container instances",
    candidates: &[Builder::Podman],
    hint: "container instances need podman: install it (`apt-get install -y podman runc`; Fedora: `dnf install podman`), or use folder instances (`instances: 2`); docker cannot mount a container's file system for gantry to install into",
};

/// The engine program container instances are driven with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Engine {
    /// podman, as found on the deploy action's `PATH`.
    pub engine: crate::engine::Engine,
    /// Where every call runs: the deploy action's working directory.
    pub cwd: PathBuf,
}

impl Engine {
    /// podman on the `PATH` of `env` (the deploy action's variables on
    /// top of gantry's environment), or an error saying how to get it;
    /// every call runs with `env` (which also sets `DOCKER_HOST`,
    /// [`crate::engine::ENV_STORAGE_DRIVER`] and the like) in `cwd`, the
    /// action's working directory — as for an action's `container:`.
    pub fn find(env: &[(String, String)], cwd: &Path) -> Result<Engine, String> {
        crate::engine::Engine::detect_with_env(&INSTANCES, BuilderChoice::Auto, env, cwd).map(
            |engine| Engine {
                engine,
                cwd: cwd.to_path_buf(),
            },
        )
    }

    /// The engine command (global flags first, with the engine's
    /// variables) that runs `args`.
    pub fn command(&self, args: &[String]) -> EngineCommand {
        self.engine.command(args.iter().cloned())
    }

    /// The command line of `args`, as `--dry-run` shows it.
    pub fn show(&self, args: &[String]) -> String {
        self.engine.command(args.iter().cloned()).display()
    }

    /// Runs the engine with `args`; its stdout, trimmed, or an error with
    /// its stderr and a hint.
    pub fn run(&self, args: &[String], interrupt: &Interrupt) -> Result<String, String> {
        let spec = ProcessSpec {
            separate_stderr: true,
            ..self.command(args).process(&self.cwd, Vec::new())
        };
        let mut out = Capture::default();
        let finished = process::run(&spec, &mut out, interrupt);
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
        match finished.exit {
            Exit::Code(0) => Ok(String::from_utf8_lossy(&out.stdout).trim().to_string()),
            Exit::Interrupted => Err(format!("`{}` interrupted", self.show(args))),
            Exit::SpawnFailed(why) => Err(format!(
                "cannot run {}: {why}",
                self.engine.program.display()
            )),
            exit => Err(format!(
                "`{}` failed ({}): {}{}",
                self.show(args),
                match exit {
                    Exit::Code(code) => format!("exit code {code}"),
                    Exit::Signal(signal) => format!("killed by signal {signal}"),
                    other => format!("{other:?}"),
                },
                if stderr.is_empty() {
                    "no message"
                } else {
                    &stderr
                },
                hint(&stderr)
            )),
        }
    }
}

/// What to try for a known engine failure.
fn hint(stderr: &str) -> String {
    let hint = if stderr.contains("setrlimit") {
        "; the OCI runtime cannot set the default ulimits here: point CONTAINERS_CONF at a containers.conf with `[containers] default_ulimits = []` and `[engine] runtime = \"runc\"`"
    } else if stderr.contains("catatonit") || stderr.contains("init binary") {
        "; container instances run with `--init`: install catatonit (`apt-get install -y catatonit`)"
    } else if stderr.contains("no such container") {
        "; the instance's container is gone: `gantry deploy --reset` recreates the group's instances"
    } else {
        ""
    };
    hint.to_string()
}
