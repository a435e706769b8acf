//! The fluent way to run the real `gantry` binary in a test:
//!
//! ```ignore
//! Gantry::new()
//!     .config(yaml)
//!     .args(["run"])
//!     .env("NAME", "value")
//!     .run()
//!     .code(1)
//!     .stdout_has("✘ pipeline failed");
//! ```
//!
//! A `Gantry` owns (a share of) the temporary [`Repo`] it runs in, so the
//! [`Outcome`] it returns can still read the repository's files and run
//! records. Every assertion is `#[track_caller]` and returns the outcome,
//! so they chain: a failure points at the test's line and prints what
//! gantry printed.

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::Repo;

/// Variables of the test's own environment that change how gantry prints
/// or builds; a test that needs one sets it.
const SCRUBBED: [&str; 6] = [
    "NO_COLOR",
    "CLICOLOR_FORCE",
    "GITHUB_ACTIONS",
    "GANTRY_BUILDAH_STORAGE_DRIVER",
    "GANTRY_BUILDAH_ISOLATION",
    "RUST_BACKTRACE",
];

/// One `gantry` invocation, built up fluently and run with [`Gantry::run`].
#[must_use = "a Gantry does nothing until .run()"]
pub struct Gantry {
    /// `None` when running in a directory that is not a test repository.
    repo: Option<Repo>,
    dir: PathBuf,
    args: Vec<OsString>,
    env: Vec<(OsString, Option<OsString>)>,
    stdin: Option<Vec<u8>>,
    deadline: Option<Duration>,
}

impl Default for Gantry {
    fn default() -> Self {
        Gantry::new()
    }
}

impl Gantry {
    /// gantry in a new, empty temporary repository.
    pub fn new() -> Gantry {
        Gantry::in_repo(&Repo::empty())
    }

    /// gantry in `repo` (the repository is shared, not copied).
    pub fn in_repo(repo: &Repo) -> Gantry {
        Gantry {
            repo: Some(repo.clone()),
            dir: repo.path().to_path_buf(),
            args: Vec::new(),
            env: Vec::new(),
            stdin: None,
            deadline: None,
        }
    }

    /// gantry in `dir`, which is not a test repository (e.g. a corpus read
    /// in place): the methods that write files are not available.
    pub fn in_dir(dir: &Path) -> Gantry {
        Gantry {
            repo: None,
            dir: dir.to_path_buf(),
            args: Vec::new(),
            env: Vec::new(),
            stdin: None,
            deadline: None,
        }
    }

    /// Writes `yaml` as the repository's `gantry.yml`.
    pub fn config(self, yaml: &str) -> Gantry {
        self.repo().write("gantry.yml", yaml);
        self
    }

    /// Writes `text` to `relative` in the repository.
    pub fn file(self, relative: &str, text: &str) -> Gantry {
        self.repo().write(relative, text);
        self
    }

    /// Writes an executable `relative` (a script with a `#!` line).
    pub fn executable(self, relative: &str, text: &str) -> Gantry {
        super::write_executable(self.repo(), relative, text);
        self
    }

    /// Runs in `dir` instead of the repository's root (relative paths are
    /// taken from the root).
    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Gantry {
        self.dir = self.repo().path().join(dir);
        self
    }

    /// One more argument.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Gantry {
        self.args.push(arg.as_ref().to_os_string());
        self
    }

    /// More arguments.
    pub fn args<I, S>(mut self, args: I) -> Gantry
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_os_string()));
        self
    }

    /// Sets `name` to `value` in gantry's environment.
    pub fn env(mut self, name: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Gantry {
        self.env.push((
            name.as_ref().to_os_string(),
            Some(value.as_ref().to_os_string()),
        ));
        self
    }

    /// Removes `name` from gantry's environment.
    pub fn env_remove(mut self, name: impl AsRef<OsStr>) -> Gantry {
        self.env.push((name.as_ref().to_os_string(), None));
        self
    }

    /// Feeds `input` on stdin (otherwise stdin is empty: /dev/null).
    pub fn stdin(mut self, input: impl Into<Vec<u8>>) -> Gantry {
        self.stdin = Some(input.into());
        self
    }

    /// Fails the test (and kills gantry) if it has not exited after `limit`.
    pub fn deadline(mut self, limit: Duration) -> Gantry {
        self.deadline = Some(limit);
        self
    }

    /// The repository gantry runs in.
    #[track_caller]
    pub fn repo(&self) -> &Repo {
        self.repo
            .as_ref()
            .expect("Gantry::in_dir runs outside a test repository")
    }

    /// The command as built, for a test that spawns it itself (to signal
    /// it, or to read its output while it runs). Stdin is /dev/null.
    pub fn command(&self) -> Command {
        let mut command = Command::new(super::gantry_bin());
        command.args(&self.args).current_dir(&self.dir);
        for name in SCRUBBED {
            command.env_remove(name);
        }
        for (name, value) in &self.env {
            match value {
                Some(value) => command.env(name, value),
                None => command.env_remove(name),
            };
        }
        command.stdin(Stdio::null());
        command
    }

    /// Runs gantry to completion and collects what it printed.
    #[track_caller]
    pub fn run(self) -> Outcome {
        let mut command = self.command();
        if self.stdin.is_some() {
            command.stdin(Stdio::piped());
        }
        let start = Instant::now();
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start gantry: {e}"));
        if let Some(input) = self.stdin {
            let mut stdin = child.stdin.take().unwrap();
            // gantry may exit without reading all of it: a closed pipe is fine.
            std::thread::spawn(move || {
                let _ = std::io::Write::write_all(&mut stdin, &input);
            });
        }
        let stdout = drain(child.stdout.take().unwrap());
        let stderr = drain(child.stderr.take().unwrap());
        let status = match self.deadline {
            None => child.wait().expect("gantry is waited for"),
            Some(limit) => wait_until(&mut child, start + limit)
                .unwrap_or_else(|| panic!("gantry {:?} still running after {limit:?}", self.args)),
        };
        Outcome::of_run(
            status,
            stdout.join().unwrap(),
            stderr.join().unwrap(),
            start.elapsed(),
            self.repo,
        )
    }
}

/// Reads `pipe` to its end on a thread (so neither pipe can fill and stall
/// gantry while the other is read).
pub(super) fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        pipe.read_to_end(&mut bytes)
            .expect("gantry's output is readable");
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Waits for `child` until `deadline`; kills and reaps it and returns
/// `None` when the deadline passes first.
pub(super) fn wait_until(
    child: &mut std::process::Child,
    deadline: Instant,
) -> Option<std::process::ExitStatus> {
    super::wait_for(deadline.saturating_duration_since(Instant::now()), || {
        child.try_wait().unwrap()
    })
    .or_else(|| {
        let _ = child.kill();
        let _ = child.wait();
        None
    })
}

/// What one gantry run printed and returned.
#[derive(Debug)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
    /// The repository it ran in, when it ran through [`Gantry`] in one.
    repo: Option<Repo>,
}

impl Outcome {
    /// The outcome of gantry that exited with `status` after printing
    /// `stdout` and `stderr`, in `repo` when it ran in a test repository.
    pub(super) fn of_run(
        status: std::process::ExitStatus,
        stdout: String,
        stderr: String,
        elapsed: Duration,
        repo: Option<Repo>,
    ) -> Outcome {
        Outcome {
            code: status.code().unwrap_or(-1),
            stdout,
            stderr,
            elapsed,
            repo,
        }
    }

    /// An outcome of a process run outside [`Gantry`].
    pub fn from_output(output: std::process::Output, elapsed: Duration) -> Outcome {
        Outcome {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            elapsed,
            repo: None,
        }
    }

    /// stdout followed by stderr.
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// The repository gantry ran in.
    #[track_caller]
    pub fn repo(&self) -> &Repo {
        self.repo
            .as_ref()
            .expect("this outcome is not of a run in a test repository")
    }

    /// The parsed `run.json` of run `id` in the repository.
    #[track_caller]
    pub fn run_json(&self, id: u64) -> serde_json::Value {
        self.repo().run_json(id)
    }

    /// stdout parsed as one JSON document.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// stdout parsed as one JSON value per line.
    #[track_caller]
    pub fn json_lines<T: serde::de::DeserializeOwned>(&self) -> Vec<T> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }

    /// Fails unless gantry exited with `code`.
    #[track_caller]
    pub fn code(&self, code: i32) -> &Outcome {
        assert_eq!(
            self.code, code,
            "expected exit code {code}, got {}\n{}",
            self.code, self
        );
        self
    }

    /// Fails unless gantry exited 0.
    #[track_caller]
    pub fn success(&self) -> &Outcome {
        self.code(0)
    }

    /// Fails unless stdout contains `text`.
    #[track_caller]
    pub fn stdout_has(&self, text: &str) -> &Outcome {
        assert!(self.stdout.contains(text), "{text:?} not on stdout\n{self}");
        self
    }

    /// Fails unless stderr contains `text`.
    #[track_caller]
    pub fn stderr_has(&self, text: &str) -> &Outcome {
        assert!(self.stderr.contains(text), "{text:?} not on stderr\n{self}");
        self
    }

    /// Fails unless stdout or stderr contains `text`.
    #[track_caller]
    pub fn has(&self, text: &str) -> &Outcome {
        assert!(
            self.stdout.contains(text) || self.stderr.contains(text),
            "{text:?} printed nowhere\n{self}"
        );
        self
    }

    /// Fails if stdout or stderr contains `text`.
    #[track_caller]
    pub fn lacks(&self, text: &str) -> &Outcome {
        assert!(
            !self.stdout.contains(text) && !self.stderr.contains(text),
            "{text:?} printed\n{self}"
        );
        self
    }

    /// Fails unless stdout is exactly `text`.
    #[track_caller]
    pub fn stdout_is(&self, text: &str) -> &Outcome {
        assert_eq!(self.stdout, text, "stdout differs\n{self}");
        self
    }

    /// Fails unless gantry refused its configuration: exit code 2, no run
    /// started, no panic. Returns stderr (the diagnostics) to check further.
    #[track_caller]
    pub fn config_error(&self) -> String {
        self.code(2).lacks("panicked");
        assert!(
            !self.repo().path().join(".gantry/runs").exists(),
            "a run started on a bad config\n{self}"
        );
        self.stderr.clone()
    }

    /// Fails unless `stage/action` of run `id` recorded `status`.
    #[track_caller]
    pub fn status(&self, id: u64, stage: &str, action: &str, status: &str) -> &Outcome {
        let run = self.run_json(id);
        assert_eq!(
            super::action_status(&run, stage, action),
            status,
            "{stage}/{action} of run {id}\n{self}"
        );
        self
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "--- exit code {} ---\n--- stdout ---\n{}--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}
