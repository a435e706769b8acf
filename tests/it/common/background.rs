//! gantry started in the background and stopped part-way through its run,
//! as a user does with ctrl-c or `kill -9`:
//!
//! ```ignore
//! let out = repo.gantry().args(["run"]).start_until("started").interrupt();
//! out.code(130);
//! ```

use std::process::{Child, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{Gantry, Outcome, Repo};

/// How long a run may take to reach its marker file (a container may have
/// to start first).
const START_LIMIT: Duration = Duration::from_secs(60);

/// How long gantry may take to stop after ctrl-c (it stops the containers
/// and services it started first).
const STOP_LIMIT: Duration = Duration::from_secs(60);

/// How long a failing test waits for gantry's output to end before it
/// reports what it has: a process gantry left may hold the pipes open.
const OUTPUT_LIMIT: Duration = Duration::from_secs(5);

/// A gantry running in the background whose run has reached its marker;
/// killed when dropped (a test that failed before it stopped gantry).
#[must_use = "a Running gantry is stopped with .interrupt() or .kill()"]
pub struct Running {
    child: Child,
    repo: Repo,
    start: Instant,
    /// The threads reading stdout and stderr, until they are joined.
    output: Option<(JoinHandle<String>, JoinHandle<String>)>,
}

impl Gantry {
    /// Starts gantry in the background, its output collected, and waits
    /// (at most a minute) until its run has created `marker` (a path
    /// relative to the repository); fails the test, after killing gantry,
    /// if the run never does, and at once, with what it printed, if gantry
    /// exits first.
    #[track_caller]
    pub fn start_until(self, marker: &str) -> Running {
        let repo = self.repo().clone();
        let start = Instant::now();
        let mut child = self
            .command()
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start gantry: {e}"));
        let stdout = super::gantry::drain(child.stdout.take().unwrap());
        let stderr = super::gantry::drain(child.stderr.take().unwrap());
        let mut running = Running {
            child,
            repo,
            start,
            output: Some((stdout, stderr)),
        };
        // Killed when dropped, if the run never creates it.
        running.wait_until(marker);
        running
    }
}

impl Running {
    /// Stops gantry as ctrl-c does (SIGINT) and waits for it to finish:
    /// its exit code and all it printed.
    #[track_caller]
    pub fn interrupt(mut self) -> Outcome {
        self.ctrl_c();
        let Some(status) = super::gantry::wait_until(&mut self.child, Instant::now() + STOP_LIMIT)
        else {
            panic!(
                "gantry was still running {STOP_LIMIT:?} after SIGINT (now killed):\n{}",
                self.printed()
            );
        };
        let (stdout, stderr) = self.output.take().expect("output is joined once");
        Outcome::of_run(
            status,
            stdout.join().unwrap(),
            stderr.join().unwrap(),
            self.start.elapsed(),
            Some(self.repo.clone()),
        )
    }

    /// Sends gantry SIGINT, as ctrl-c does, and goes on at once.
    #[track_caller]
    pub fn ctrl_c(&mut self) {
        // SAFETY: sending a signal to our own child process.
        let sent = unsafe { libc::kill(self.child.id() as i32, libc::SIGINT) };
        assert_eq!(
            sent,
            0,
            "SIGINT to gantry: {}",
            std::io::Error::last_os_error()
        );
    }

    /// Waits (at most a minute) until the run has created `marker` (a path
    /// relative to the repository); fails the test if it never does, and
    /// at once, with what gantry printed, if gantry exits first.
    #[track_caller]
    pub fn wait_until(&mut self, marker: &str) {
        let path = self.repo.path().join(marker);
        let child = &mut self.child;
        let reached = super::wait_for(START_LIMIT, || {
            if path.exists() {
                return Some(Ok(()));
            }
            child.try_wait().unwrap().map(Err)
        });
        match reached {
            Some(Ok(())) => {}
            Some(Err(status)) => panic!(
                "gantry exited ({status}) before the run created {marker}:\n{}",
                self.printed()
            ),
            None => panic!("the run never created {marker} within {START_LIMIT:?}"),
        }
    }

    /// Kills gantry (SIGKILL, as `kill -9`), leaving behind whatever it
    /// started, and reaps it. What it printed is not waited for: a process
    /// it left may hold its output open.
    pub fn kill(mut self) {
        self.child.kill().expect("kill -9 gantry");
        self.child.wait().expect("gantry is waited for");
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Running {
    /// What gantry printed, for a failure message (see [`printed`]).
    fn printed(&mut self) -> String {
        let (stdout, stderr) = self.output.take().expect("output is joined once");
        printed(stdout, stderr)
    }
}

/// What gantry printed, for a failure message: stdout and stderr once both
/// pipes have ended, or a note for a pipe still held open after a few
/// seconds.
fn printed(stdout: JoinHandle<String>, stderr: JoinHandle<String>) -> String {
    let ended = |pipe: &JoinHandle<String>| {
        super::wait_for(OUTPUT_LIMIT, || pipe.is_finished().then_some(())).is_some()
    };
    let text = |pipe: JoinHandle<String>| {
        if ended(&pipe) {
            pipe.join().unwrap()
        } else {
            format!("(still held open after {OUTPUT_LIMIT:?} by a process gantry left)")
        }
    };
    format!("stdout:\n{}\nstderr:\n{}", text(stdout), text(stderr))
}
