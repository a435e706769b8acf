//! Runs one command in its own process group and supervises it from the
//! calling thread: output through one pipe, timeout, interrupt, and no
//! process left behind.
//!
//! One `poll(2)` loop watches the output pipe and a pidfd of the child
//! (Linux ≥ 5.3; elsewhere the loop wakes every 10 ms to check the child),
//! so an action costs no extra threads. If `poll` itself fails (other than
//! by a signal), the process can no longer be watched: it is killed and
//! reported as [`Exit::Unwatchable`], rather than polled again in a loop.

use std::ffi::OsStr;
use std::io::Read;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec};
use rustix::fs::{Mode, OFlags};
use rustix::io::Errno;
use rustix::process::Signal;

use super::interrupt::{group_alive, signal_group, GroupGuard, Interrupt, KILL_GRACE};
use super::orphans;
use super::spawn::Child;

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
#[derive(Clone, Debug, Default)]
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
    /// Bytes written to the process's stdin, which is then closed
    /// (`None`: stdin is `/dev/null`).
    pub stdin: Option<Vec<u8>>,
    /// Read stderr through a pipe of its own and hand it to
    /// [`OutputSink::write_stderr`] (`false`: stderr shares stdout's pipe).
    pub separate_stderr: bool,
    /// Let processes that left the process group (`setsid`) run on after
    /// the process ended: deployment hooks start services so. Otherwise
    /// they are stopped and named in [`Finished::orphans_stopped`].
    pub detached_may_stay: bool,
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
    /// gantry could no longer watch it (`poll` failed, with this error) and
    /// killed it.
    Unwatchable(String),
}

/// The end of a supervised process.
#[derive(Debug)]
pub struct Finished {
    /// How the main process ended.
    pub exit: Exit,
    /// Background processes outlived the main one and were stopped.
    pub leftovers_stopped: bool,
    /// Command lines of processes that left the process group, outlived the
    /// process and were stopped.
    pub orphans_stopped: Vec<String>,
    /// The exit code the main process returned by itself, also when an
    /// interrupt came meanwhile (`exit` then says `Interrupted`); `None`
    /// when a signal ended it, it timed out or never ran.
    pub own_code: Option<i32>,
}

/// Receives a process's output, in the order it was written.
pub trait OutputSink {
    /// Called with each chunk read from the pipe.
    fn write(&mut self, chunk: &[u8]);

    /// Called with each chunk of stderr when it has a pipe of its own
    /// ([`ProcessSpec::separate_stderr`]); by default treated like stdout.
    fn write_stderr(&mut self, chunk: &[u8]) {
        self.write(chunk);
    }

    /// How far the work is, 0–100, when the action reports it; shown by
    /// live reporters. Ignored by default.
    fn progress(&mut self, percent: u8) {
        let _ = percent;
    }
}

/// A sink that keeps a process's stdout and stderr apart, whole (for the
/// short engine and housekeeping commands whose output is read, not shown).
#[derive(Default)]
pub struct Capture {
    /// Everything written to stdout.
    pub stdout: Vec<u8>,
    /// Everything written to stderr (with [`ProcessSpec::separate_stderr`]).
    pub stderr: Vec<u8>,
}

impl OutputSink for Capture {
    fn write(&mut self, chunk: &[u8]) {
        self.stdout.extend_from_slice(chunk);
    }

    fn write_stderr(&mut self, chunk: &[u8]) {
        self.stderr.extend_from_slice(chunk);
    }
}

/// Runs `spec`, feeding its combined stdout+stderr to `sink` in order.
pub fn run(spec: &ProcessSpec, sink: &mut dyn OutputSink, interrupt: &Interrupt) -> Finished {
    let failed = |why: String| Finished {
        exit: Exit::SpawnFailed(why),
        leftovers_stopped: false,
        orphans_stopped: Vec::new(),
        own_code: None,
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
    let (errors, error_writer) = if spec.separate_stderr {
        match std::io::pipe() {
            Ok((r, w)) => (Some(r), Some(w)),
            Err(e) => return failed(format!("cannot create a pipe: {e}")),
        }
    } else {
        (None, None)
    };
    let token = (!spec.detached_may_stay).then(orphans::new_token);
    let (child, stdin) = match spawn(spec, token.as_deref(), writer, error_writer) {
        Ok(started) => started,
        Err(e) => return failed(format!("cannot start `{}`: {e}", spec.program)),
    };
    feed_stdin(stdin, spec.stdin.as_deref());
    let group = child.id();
    let mut registered = GroupGuard::register(interrupt, group, token.as_deref());
    let mut watch = Watch {
        pidfd: pidfd_open(group),
        child,
        group,
        output: Some(reader),
        errors,
        buf: read_buffer(),
        sink,
    };
    let watched = watch.until_exit(spec.timeout);
    // The leader is not reaped yet: while it is a zombie its id, the
    // group's, cannot be given to another process, so an interrupt
    // signalling the registered group never reaches a stranger. From here
    // on only `stop_leftovers` signals the group, each time just after
    // seeing a process of it alive.
    registered.leave_interrupt();
    let watched = watched.map(|timed_out| (watch.child.wait().ok(), timed_out));
    let leftovers_stopped = watch.stop_leftovers();
    registered.ended();
    drop(registered);
    let orphans_stopped = token.as_deref().map(orphans::stop).unwrap_or_default();
    let own_code = match &watched {
        Ok((Some(status), false)) => status.code(),
        _ => None,
    };
    let exit = match watched {
        Ok((status, timed_out)) => classify(status, timed_out, interrupt.requested()),
        Err(e) => Exit::Unwatchable(format!("cannot watch the process (poll: {e}); killed it")),
    };
    Finished {
        exit,
        leftovers_stopped,
        orphans_stopped,
        own_code,
    }
}

/// The pipes' write ends are the child's: ours are closed on return, so
/// the pipes report EOF once the process group closes theirs.
fn spawn(
    spec: &ProcessSpec,
    token: Option<&str>,
    writer: std::io::PipeWriter,
    error_writer: Option<std::io::PipeWriter>,
) -> std::io::Result<(Child, Option<std::io::PipeWriter>)> {
    let (stdin, stdin_writer): (OwnedFd, _) = match spec.stdin {
        Some(_) => {
            let (reader, writer) = std::io::pipe()?;
            (reader.into(), Some(writer))
        }
        None => (
            rustix::fs::open("/dev/null", OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty())?,
            None,
        ),
    };
    let mut env: Vec<(&OsStr, &OsStr)> = spec
        .env
        .iter()
        .map(|(k, v)| (OsStr::new(k), OsStr::new(v)))
        .collect();
    if let Some(token) = token {
        env.push((OsStr::new(orphans::TOKEN_VAR), OsStr::new(token)));
    }
    let stderr = error_writer.as_ref().map_or(writer.as_fd(), |w| w.as_fd());
    let child = super::spawn::spawn(&super::spawn::Spawn {
        program: &spec.program,
        args: &spec.args,
        cwd: &spec.cwd,
        env,
        stdio: [stdin.as_fd(), writer.as_fd(), stderr],
    })?;
    Ok((child, stdin_writer))
}

/// Makes the child get SIGKILL when gantry dies, even by `kill -9`
/// (Linux: PR_SET_PDEATHSIG), for processes started by std's `Command`
/// (services; actions are started by [`super::spawn`], which does the same).
/// The signal fires when the *thread* that spawned the child exits.
pub(crate) fn die_with_gantry(command: &mut Command) {
    #[cfg(target_os = "linux")]
    {
        let gantry = rustix::process::getpid();
        // SAFETY: the closure runs between fork and exec and only makes two
        // async-signal-safe system calls (prctl, getppid); it allocates
        // nothing (an error from a raw errno is not boxed), as malloc in a
        // forked child of a multi-threaded process can deadlock.
        unsafe {
            command.pre_exec(move || {
                use rustix::process::{getppid, set_parent_process_death_signal, Signal};
                set_parent_process_death_signal(Some(Signal::KILL))?;
                // gantry died before the prctl: do not run unsupervised.
                if getppid() != Some(gantry) {
                    return Err(rustix::io::Errno::SRCH.into());
                }
                Ok(())
            });
        }
    }
    let _ = command;
}

/// Writes `bytes` to the child's stdin from a short-lived thread (so a child
/// that reads slowly cannot block supervision), then closes it. A child that
/// exits without reading makes the write fail with EPIPE, which is ignored.
fn feed_stdin(pipe: Option<std::io::PipeWriter>, bytes: Option<&[u8]>) {
    let (Some(mut pipe), Some(bytes)) = (pipe, bytes) else {
        return;
    };
    let bytes = bytes.to_vec();
    std::thread::spawn(move || {
        use std::io::Write;
        let _ = pipe.write_all(&bytes);
    });
}

/// A pidfd for `pid`, when the kernel offers them.
fn pidfd_open(pid: i32) -> Option<OwnedFd> {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{pidfd_open, Pid, PidfdFlags};
        pidfd_open(Pid::from_raw(pid)?, PidfdFlags::empty()).ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = pid;
        None
    }
}

thread_local! {
    /// The read buffer of the last process this thread supervised: reused,
    /// because after every fork each page gantry writes to again costs a
    /// page fault, and a new 64 KiB buffer is 16 of them per action.
    static READ_BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// A buffer of [`CHUNK`] bytes (its contents are left over: only what a
/// read returns is ever used).
fn read_buffer() -> Vec<u8> {
    let mut buf = READ_BUFFER.take();
    buf.resize(CHUNK, 0);
    buf
}

/// What `poll` reported.
struct Ready {
    output: bool,
    errors: bool,
    exited: bool,
}

struct Watch<'a> {
    pidfd: Option<OwnedFd>,
    child: Child,
    group: i32,
    output: Option<std::io::PipeReader>,
    errors: Option<std::io::PipeReader>,
    buf: Vec<u8>,
    sink: &'a mut dyn OutputSink,
}

impl Drop for Watch<'_> {
    fn drop(&mut self) {
        READ_BUFFER.set(std::mem::take(&mut self.buf));
    }
}

impl Watch<'_> {
    /// Reads output until the main process exits, enforcing the timeout:
    /// SIGTERM to the group at the deadline, SIGKILL after the grace period.
    /// Leaves the exited process unreaped (the caller reaps it) and returns
    /// whether it timed out, or the error of a `poll` that failed, after
    /// killing the group and reaping its leader.
    fn until_exit(&mut self, timeout: Option<Duration>) -> Result<bool, Errno> {
        let mut deadline = timeout.and_then(deadline_after);
        let mut timed_out = false;
        loop {
            if self.exited() {
                return Ok(timed_out);
            }
            let wait = deadline.map(|at| at.saturating_duration_since(Instant::now()));
            let ready = match self.poll(wait) {
                Ok(ready) => ready,
                Err(e) => {
                    signal_group(self.group, Signal::KILL);
                    let _ = self.child.wait();
                    return Err(e);
                }
            };
            self.read_ready(&ready);
            if ready.exited && self.exited() {
                return Ok(timed_out);
            }
            match deadline {
                Some(at) if Instant::now() >= at && !timed_out => {
                    timed_out = true;
                    signal_group(self.group, Signal::TERM);
                    deadline = deadline_after(KILL_GRACE);
                }
                Some(at) if Instant::now() >= at => {
                    signal_group(self.group, Signal::KILL);
                    deadline = None;
                }
                _ => {}
            }
        }
    }

    /// Whether the main process exited, without reaping it (a process that
    /// cannot be waited for counts as exited: `wait` then says why).
    fn exited(&self) -> bool {
        use rustix::process::{waitid, Pid, WaitId, WaitIdOptions};
        let Some(pid) = Pid::from_raw(self.group) else {
            return true;
        };
        let options = WaitIdOptions::EXITED | WaitIdOptions::NOHANG | WaitIdOptions::NOWAIT;
        loop {
            match waitid(WaitId::Pid(pid), options) {
                Ok(status) => return status.is_some(),
                Err(Errno::INTR) => continue,
                Err(_) => return true,
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
        signal_group(self.group, Signal::TERM);
        let until = deadline_after(KILL_GRACE);
        while group_alive(self.group) && until.is_some_and(|u| Instant::now() < u) {
            self.drain_for(Duration::from_millis(10));
        }
        // Only to a group seen alive just now: once its last process is
        // reaped, its id may be another group's.
        if group_alive(self.group) {
            signal_group(self.group, Signal::KILL);
            group_alive(self.group);
        }
        self.drain_for(FINAL_DRAIN);
        true
    }

    /// Reads output until EOF or until `patience` has passed (or `poll`
    /// fails: then what was not read is lost, and the pipes are closed).
    fn drain_for(&mut self, patience: Duration) {
        let Some(until) = deadline_after(patience) else {
            return;
        };
        while self.output.is_some() || self.errors.is_some() {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            match self.poll(Some(left)) {
                Ok(ready) => self.read_ready(&ready),
                Err(_) => {
                    self.output = None;
                    self.errors = None;
                }
            }
        }
    }

    fn read_ready(&mut self, ready: &Ready) {
        if ready.output {
            self.read_once(false);
        }
        if ready.errors {
            self.read_once(true);
        }
    }

    fn read_once(&mut self, stderr: bool) {
        let slot = if stderr {
            &mut self.errors
        } else {
            &mut self.output
        };
        let Some(reader) = slot.as_mut() else {
            return;
        };
        match reader.read(&mut self.buf) {
            Ok(0) => *slot = None,
            Ok(n) if stderr => self.sink.write_stderr(&self.buf[..n]),
            Ok(n) => {
                #[cfg(debug_assertions)]
                inject_fault("panic-on-output");
                self.sink.write(&self.buf[..n])
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => *slot = None,
        }
    }

    /// Waits until output is readable, the child exited, or `wait` passed.
    /// A signal that interrupts the wait reports nothing ready; any other
    /// error is returned.
    fn poll(&self, wait: Option<Duration>) -> Result<Ready, Errno> {
        #[cfg(test)]
        if let Some(e) = tests::FAIL_POLL.get() {
            return Err(e);
        }
        let mut wait = wait;
        if self.pidfd.is_none() {
            wait = Some(wait.map_or(FALLBACK_TICK, |w| w.min(FALLBACK_TICK)));
        }
        let timeout = wait.map(poll_timeout);
        // In this order: output, errors, pidfd, each when present.
        let mut fds: Vec<PollFd<'_>> = Vec::with_capacity(3);
        fds.extend(self.output.as_ref().map(|o| PollFd::new(o, PollFlags::IN)));
        fds.extend(self.errors.as_ref().map(|e| PollFd::new(e, PollFlags::IN)));
        fds.extend(self.pidfd.as_ref().map(|p| PollFd::new(p, PollFlags::IN)));
        match rustix::event::poll(&mut fds, timeout.as_ref()) {
            Ok(_) => {}
            Err(Errno::INTR) => {
                return Ok(Ready {
                    output: false,
                    errors: false,
                    exited: false,
                })
            }
            Err(e) => return Err(e),
        }
        let mut fired = fds.iter().map(|p| !p.revents().is_empty());
        Ok(Ready {
            output: self.output.is_some() && fired.next().unwrap_or(false),
            errors: self.errors.is_some() && fired.next().unwrap_or(false),
            exited: self.pidfd.is_some() && fired.next().unwrap_or(false),
        })
    }
}

/// Test-only fault injection (debug builds): with `GANTRY_FAULT=NAME`, the
/// fault point `NAME` panics, so tests can prove that a crash inside gantry
/// still fails the run, writes its record and stops its processes.
#[cfg(debug_assertions)]
fn inject_fault(name: &str) {
    if std::env::var_os("GANTRY_FAULT").is_some_and(|v| v == name) {
        panic!("injected fault `{name}`");
    }
}

/// The longest single wait handed to `poll`: where poll(2) takes
/// milliseconds as a C `int` (rustix's libc backend), a longer one fails.
/// A longer wait just means another turn of the loop.
const MAX_POLL_WAIT: Duration = Duration::from_millis(i32::MAX as u64);

/// `wait` as poll's timeout, capped at [`MAX_POLL_WAIT`] so that no
/// duration overflows (poll gets nanoseconds: a wait never ends early).
pub fn poll_timeout(wait: Duration) -> Timespec {
    let wait = wait.min(MAX_POLL_WAIT);
    Timespec {
        tv_sec: wait.as_secs() as _,
        tv_nsec: wait.subsec_nanos() as _,
    }
}

/// The instant `after` from now, or `None` (no deadline) when the clock
/// cannot represent it. Config durations are capped at load time, so this
/// is a second line of defence: no duration makes gantry panic.
pub fn deadline_after(after: Duration) -> Option<Instant> {
    Instant::now().checked_add(after)
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

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        /// Makes `poll` on this thread fail with this error.
        pub(super) static FAIL_POLL: std::cell::Cell<Option<Errno>> =
            const { std::cell::Cell::new(None) };
    }

    struct Discard;
    impl OutputSink for Discard {
        fn write(&mut self, _: &[u8]) {}
    }

    #[test]
    fn the_exited_leader_stays_unreaped_until_its_group_is_dealt_with() {
        let null = std::fs::File::open("/dev/null").unwrap();
        let child = crate::proc::spawn::spawn(&crate::proc::spawn::Spawn {
            program: "sh",
            args: &["-c".to_string(), "exit 3".to_string()],
            cwd: std::path::Path::new("/"),
            env: Vec::new(),
            stdio: [null.as_fd(), null.as_fd(), null.as_fd()],
        })
        .unwrap();
        let group = child.id();
        let mut sink = Discard;
        let mut watch = Watch {
            pidfd: pidfd_open(group),
            child,
            group,
            output: None,
            errors: None,
            buf: read_buffer(),
            sink: &mut sink,
        };
        assert_eq!(watch.until_exit(None), Ok(false));
        // A zombie still holds the group's id.
        let stat = super::orphans::stat(group).expect("the leader is still there");
        assert!(!stat.running);
        assert_eq!(stat.group, group);
        assert_eq!(watch.child.wait().unwrap().code(), Some(3));
        assert!(super::orphans::stat(group).is_none_or(|s| s.group != group));
    }

    #[test]
    fn a_failing_poll_kills_the_process_instead_of_polling_again() {
        let spec = ProcessSpec {
            program: "sleep".into(),
            args: vec!["30".into()],
            cwd: std::env::temp_dir(),
            ..Default::default()
        };
        FAIL_POLL.set(Some(Errno::NOMEM));
        let finished = run(&spec, &mut Discard, &Interrupt::default());
        FAIL_POLL.set(None);
        let Exit::Unwatchable(why) = &finished.exit else {
            panic!("{:?}", finished.exit);
        };
        assert!(why.starts_with("cannot watch the process (poll: "), "{why}");
        assert!(!finished.leftovers_stopped);
    }

    #[test]
    fn any_duration_gives_a_deadline_or_none_without_panicking() {
        assert!(deadline_after(Duration::from_secs(1)).is_some());
        assert_eq!(deadline_after(Duration::MAX), None);
    }

    #[test]
    fn poll_waits_are_exact_and_capped() {
        let t = poll_timeout(Duration::from_micros(1500));
        assert_eq!((t.tv_sec, t.tv_nsec), (0, 1_500_000));
        let t = poll_timeout(Duration::MAX);
        assert_eq!((t.tv_sec, t.tv_nsec), (2_147_483, 647_000_000));
    }
}
