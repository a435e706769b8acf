//! Runs one command in its own process group and supervises it: output
//! through one pipe, timeout, interrupt, and no process left behind.

use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use super::interrupt::{group_alive, signal_group, Interrupt, KILL_GRACE};

/// How long to keep reading output after the main process exited, before
/// deciding that a left-over background process holds the pipe open.
const DRAIN: Duration = Duration::from_millis(100);
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

enum Msg {
    Eof,
    Exited(std::io::Result<ExitStatus>),
}

/// Receives a process's output, in the order it was written.
pub trait OutputSink: Send + 'static {
    /// Called with each chunk read from the pipe.
    fn write(&mut self, chunk: &[u8]);
}

/// Runs `spec`, feeding its combined stdout+stderr to `sink` in order.
/// Returns the sink once all output was read (`None` if a process that
/// escaped the group still holds the pipe).
pub fn run<S: OutputSink>(
    spec: &ProcessSpec,
    sink: S,
    interrupt: &Interrupt,
) -> (Finished, Option<S>) {
    let failed = |why: String, sink| {
        let exit = Exit::SpawnFailed(why);
        let finished = Finished {
            exit,
            leftovers_stopped: false,
        };
        (finished, Some(sink))
    };
    if !spec.cwd.is_dir() {
        let why = format!("working directory {} does not exist", spec.cwd.display());
        return failed(why, sink);
    }
    let (reader, writer) = match std::io::pipe() {
        Ok(pair) => pair,
        Err(e) => return failed(format!("cannot create a pipe: {e}"), sink),
    };
    let child = spawn(spec, writer);
    let child = match child {
        Ok(child) => child,
        Err(e) => return failed(format!("cannot start `{}`: {e}", spec.program), sink),
    };
    let group = child.id() as i32;
    interrupt.register(group);
    let (tx, rx) = mpsc::channel();
    let reader = start_reader(reader, sink, tx.clone());
    let mut child = child;
    thread::spawn(move || {
        let _ = tx.send(Msg::Exited(child.wait()));
    });
    let mut supervisor = Supervisor {
        group,
        rx,
        eof: false,
    };
    let (status, timed_out) = supervisor.wait_for_exit(spec.timeout);
    let leftovers_stopped = supervisor.stop_leftovers();
    interrupt.unregister(group);
    let exit = classify(status, timed_out, interrupt.requested());
    let sink = if supervisor.eof {
        reader.join().ok()
    } else {
        None
    };
    (
        Finished {
            exit,
            leftovers_stopped,
        },
        sink,
    )
}

fn spawn(spec: &ProcessSpec, writer: std::io::PipeWriter) -> std::io::Result<std::process::Child> {
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
    // return, so the reader sees EOF once the process group closes theirs.
    command.spawn()
}

fn start_reader<S: OutputSink>(
    mut reader: std::io::PipeReader,
    mut sink: S,
    tx: mpsc::Sender<Msg>,
) -> thread::JoinHandle<S> {
    thread::spawn(move || {
        let mut buf = vec![0u8; CHUNK];
        loop {
            match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => sink.write(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
        let _ = tx.send(Msg::Eof);
        sink
    })
}

struct Supervisor {
    group: i32,
    rx: mpsc::Receiver<Msg>,
    eof: bool,
}

impl Supervisor {
    /// Waits for the main process, enforcing the timeout: SIGTERM to the
    /// group at the deadline, SIGKILL after the grace period.
    fn wait_for_exit(&mut self, timeout: Option<Duration>) -> (Option<ExitStatus>, bool) {
        let start = Instant::now();
        let mut deadline = timeout.map(|t| start + t);
        let mut timed_out = false;
        loop {
            let msg = match deadline {
                Some(at) => self
                    .rx
                    .recv_timeout(at.saturating_duration_since(Instant::now())),
                None => self.rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            match msg {
                Ok(Msg::Eof) => self.eof = true,
                Ok(Msg::Exited(status)) => return (status.ok(), timed_out),
                Err(RecvTimeoutError::Timeout) if !timed_out => {
                    timed_out = true;
                    signal_group(self.group, libc::SIGTERM);
                    deadline = Some(Instant::now() + KILL_GRACE);
                }
                Err(RecvTimeoutError::Timeout) => {
                    signal_group(self.group, libc::SIGKILL);
                    deadline = None;
                }
                Err(RecvTimeoutError::Disconnected) => return (None, timed_out),
            }
        }
    }

    /// After the main process ended: drain output briefly, then stop any
    /// process of the group that is still running. Returns whether there was one.
    fn stop_leftovers(&mut self) -> bool {
        self.wait_for_eof(DRAIN);
        if !group_alive(self.group) {
            return false;
        }
        signal_group(self.group, libc::SIGTERM);
        let until = Instant::now() + KILL_GRACE;
        while group_alive(self.group) && Instant::now() < until {
            thread::sleep(Duration::from_millis(10));
        }
        signal_group(self.group, libc::SIGKILL);
        self.wait_for_eof(Duration::from_secs(1));
        true
    }

    fn wait_for_eof(&mut self, patience: Duration) {
        let until = Instant::now() + patience;
        while !self.eof {
            match self
                .rx
                .recv_timeout(until.saturating_duration_since(Instant::now()))
            {
                Ok(Msg::Eof) => self.eof = true,
                Ok(Msg::Exited(_)) => {}
                Err(_) => return,
            }
        }
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
