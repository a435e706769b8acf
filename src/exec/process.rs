//! Runs one command in its own process group and supervises it from the
//! calling thread: output through one pipe, timeout, interrupt, and no
//! process left behind.
//!
//! One `poll(2)` loop watches the output pipe and a pidfd of the child
//! (Linux ≥ 5.3; elsewhere the loop wakes every 10 ms to check the child),
//! so an action costs no extra threads.

use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::interrupt::{group_alive, signal_group, Interrupt, KILL_GRACE};

/// How long to keep reading output after the main process exited, before
/// deciding that a left-over background process holds the pipe open.
const DRAIN: Duration = Duration::from_millis(100);
/// How long to wait for the pipe to close once the whole group was killed.
const FINAL_DRAIN: Duration = Duration::from_secs(1);
/// Poll interval when the child cannot be watched through a pidfd.
const FALLBACK_TICK: Duration = Duration::from_millis(10);
/// Read size for output; also bounds the memory one action can hold.
const CHUNK: usize = 64 * 1024;

/// What to run.
#[derive(Clone, Debug)]
pub struct ProcessSpec {
    /// The program, e.g. `sh`.
    pub program: String,
    /// Its arguments, e.g. `["-c", "make test"]`.
    pub args: Vec<String>,
    /// Working directory.
    pub cwd: PathBuf,
    /// Variables set on top of gantry's own environment.
    pub env: Vec<(String, String)>,
    /// Stop the whole group after this long.
    pub timeout: Option<Duration>,
}

/// How the process ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Exited with this code.
    Code(i32),
    /// Killed by this signal (not by gantry).
    Signal(i32),
    /// gantry killed it at its timeout.
    TimedOut,
    /// gantry killed it because of Ctrl-C or SIGTERM.
    Interrupted,
    /// It could not be started.
    SpawnFailed(String),
}

/// The end of a supervised process.
#[derive(Debug)]
pub struct Finished {
    /// How the main process ended.
    pub exit: Exit,
    /// Background processes outlived the main one and were stopped.
    pub leftovers_stopped: bool,
}

/// Receives a process's output, in the order it was written.
pub trait OutputSink {
    /// Called with each chunk read from the pipe.
    fn write(&mut self, chunk: &[u8]);
}

/// Runs `spec`, feeding its combined stdout+stderr to `sink` in order.
pub fn run(spec: &ProcessSpec, sink: &mut dyn OutputSink, interrupt: &Interrupt) -> Finished {
    let failed = |why: String| Finished {
        exit: Exit::SpawnFailed(why),
        leftovers_stopped: false,
    };
    if !spec.cwd.is_dir() {
        return failed(format!(
            "working directory {} does not exist",
            spec.cwd.display()
        ));
    }
    let (reader, writer) = match std::io::pipe() {
        Ok(pair) => pair,
        Err(e) => return failed(format!("cannot create a pipe: {e}")),
    };
    let child = match spawn(spec, writer) {
        Ok(child) => child,
        Err(e) => return failed(format!("cannot start `{}`: {e}", spec.program)),
    };
    let group = child.id() as i32;
    interrupt.register(group);
    let mut watch = Watch {
        pidfd: pidfd_open(group),
        child,
        group,
        output: Some(reader),
        buf: vec![0; CHUNK],
        sink,
    };
    let (status, timed_out) = watch.until_exit(spec.timeout);
    let leftovers_stopped = watch.stop_leftovers();
    interrupt.unregister(group);
    Finished {
        exit: classify(status, timed_out, interrupt.requested()),
        leftovers_stopped,
    }
}

fn spawn(spec: &ProcessSpec, writer: std::io::PipeWriter) -> std::io::Result<Child> {
    let mut command = Command::new(&spec.program);
    command
        .args(&spec.args)
        .current_dir(&spec.cwd)
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(writer.try_clone()?)
        .stderr(writer)
        .process_group(0);
    // `command` owns our copies of the pipe's write end; it is dropped on
    // return, so the pipe reports EOF once the process group closes theirs.
    command.spawn()
}

/// A pidfd for `pid`, when the kernel offers them.
fn pidfd_open(pid: i32) -> Option<OwnedFd> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: pidfd_open takes a pid and flags and returns a new fd or -1.
        let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
        if fd >= 0 {
            // SAFETY: the kernel just gave us this descriptor; nobody else owns it.
            return Some(unsafe { OwnedFd::from_raw_fd(fd as RawFd) });
        }
    }
    let _ = pid;
    None
}

/// What `poll` reported.
struct Ready {
    output: bool,
    exited: bool,
}

struct Watch<'a> {
    pidfd: Option<OwnedFd>,
    child: Child,
    group: i32,
    output: Option<std::io::PipeReader>,
    buf: Vec<u8>,
    sink: &'a mut dyn OutputSink,
}

impl Watch<'_> {
    /// Reads output until the main process exits, enforcing the timeout:
    /// SIGTERM to the group at the deadline, SIGKILL after the grace period.
    fn until_exit(&mut self, timeout: Option<Duration>) -> (Option<ExitStatus>, bool) {
        let mut deadline = timeout.map(|t| Instant::now() + t);
        let mut timed_out = false;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return (Some(status), timed_out);
            }
            let wait = deadline.map(|at| at.saturating_duration_since(Instant::now()));
            let ready = self.poll(wait);
            if ready.output {
                self.read_once();
            }
            if ready.exited {
                return (self.child.wait().ok(), timed_out);
            }
            match deadline {
                Some(at) if Instant::now() >= at && !timed_out => {
                    timed_out = true;
                    signal_group(self.group, libc::SIGTERM);
                    deadline = Some(Instant::now() + KILL_GRACE);
                }
                Some(at) if Instant::now() >= at => {
                    signal_group(self.group, libc::SIGKILL);
                    deadline = None;
                }
                _ => {}
            }
        }
    }

    /// After the main process ended: drain output briefly, then stop any
    /// process of the group that is still running. Returns whether there was one.
    fn stop_leftovers(&mut self) -> bool {
        self.drain_for(DRAIN);
        if !group_alive(self.group) {
            self.drain_for(DRAIN);
            return false;
        }
        signal_group(self.group, libc::SIGTERM);
        let until = Instant::now() + KILL_GRACE;
        while group_alive(self.group) && Instant::now() < until {
            self.drain_for(Duration::from_millis(10));
        }
        signal_group(self.group, libc::SIGKILL);
        group_alive(self.group);
        self.drain_for(FINAL_DRAIN);
        true
    }

    /// Reads output until EOF or until `patience` has passed.
    fn drain_for(&mut self, patience: Duration) {
        let until = Instant::now() + patience;
        while self.output.is_some() {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            if self.poll(Some(left)).output {
                self.read_once();
            }
        }
    }

    fn read_once(&mut self) {
        let Some(reader) = self.output.as_mut() else {
            return;
        };
        match reader.read(&mut self.buf) {
            Ok(0) => self.output = None,
            Ok(n) => self.sink.write(&self.buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => self.output = None,
        }
    }

    /// Waits until output is readable, the child exited, or `wait` passed.
    fn poll(&self, wait: Option<Duration>) -> Ready {
        let mut fds = Vec::with_capacity(2);
        if let Some(out) = &self.output {
            fds.push(pollfd(out.as_raw_fd()));
        }
        if let Some(pidfd) = &self.pidfd {
            fds.push(pollfd(pidfd.as_raw_fd()));
        }
        let mut wait = wait;
        if self.pidfd.is_none() {
            wait = Some(wait.map_or(FALLBACK_TICK, |w| w.min(FALLBACK_TICK)));
        }
        let millis = wait.map_or(-1, |w| {
            w.as_millis().min(i32::MAX as u128) as i32
                + i32::from(w.subsec_nanos() % 1_000_000 != 0)
        });
        // SAFETY: `fds` is a valid array of pollfd structs of the given length.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, millis) };
        if n <= 0 {
            return Ready {
                output: false,
                exited: false,
            };
        }
        let fired = |fd: RawFd| fds.iter().any(|p| p.fd == fd && p.revents != 0);
        Ready {
            output: self.output.as_ref().is_some_and(|o| fired(o.as_raw_fd())),
            exited: self.pidfd.as_ref().is_some_and(|p| fired(p.as_raw_fd())),
        }
    }
}

fn pollfd(fd: RawFd) -> libc::pollfd {
    libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    }
}

fn classify(status: Option<ExitStatus>, timed_out: bool, interrupted: bool) -> Exit {
    if timed_out {
        return Exit::TimedOut;
    }
    match status {
        Some(s) if s.success() => Exit::Code(0),
        _ if interrupted => Exit::Interrupted,
        Some(s) => match (s.code(), s.signal()) {
            (Some(code), _) => Exit::Code(code),
            (None, Some(signal)) => Exit::Signal(signal),
            (None, None) => Exit::Code(-1),
        },
        None => Exit::SpawnFailed("lost track of the process".into()),
    }
}
