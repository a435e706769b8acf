//! The container engine calls of container instances, kept thin (find the
//! program, run one command, return its output or a clear error) so they
//! can be switched to the shared engine module. Only podman is used:
//! installing files needs the container's root file system mounted on the
//! host (`podman mount`), which docker's CLI does not offer.

use std::path::PathBuf;

use crate::proc::interrupt::Interrupt;
use crate::proc::process::{self, Capture, Exit, ProcessSpec};

/// The engine program container instances are driven with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Engine {
    /// `podman`, as found on `PATH`.
    pub program: PathBuf,
}

impl Engine {
    /// podman on `PATH`, or an error saying how to get it.
    pub fn find() -> Result<Engine, String> {
        which::which("podman")
            .map(|program| Engine { program })
            .map_err(|_| {
                "container instances need podman, which is not on PATH: install it (`apt-get install -y podman runc`; Fedora: `dnf install podman`), or use folder instances (`instances: 2`); docker cannot mount a container's file system for gantry to install into".to_string()
            })
    }

    /// The command line of `args`, as `--dry-run` shows it.
    pub fn show(&self, args: &[String]) -> String {
        let name = self
            .program
            .file_name()
            .unwrap_or_default()
            .to_string_lossy();
        let mut line = name.into_owned();
        for arg in args {
            line.push(' ');
            line.push_str(&crate::text::shell_quote(arg));
        }
        line
    }

    /// Runs the engine with `args`; its stdout, trimmed, or an error with
    /// its stderr and a hint.
    pub fn run(&self, args: &[String], interrupt: &Interrupt) -> Result<String, String> {
        let spec = ProcessSpec {
            program: self.program.display().to_string(),
            args: args.to_vec(),
            cwd: PathBuf::from("/"),
            separate_stderr: true,
            ..Default::default()
        };
        let mut out = Capture::default();
        let finished = process::run(&spec, &mut out, interrupt);
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
        match finished.exit {
            Exit::Code(0) => Ok(String::from_utf8_lossy(&out.stdout).trim().to_string()),
            Exit::Interrupted => Err(format!("`{}` interrupted", self.show(args))),
            Exit::SpawnFailed(why) => Err(format!("cannot run {}: {why}", self.program.display())),
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
