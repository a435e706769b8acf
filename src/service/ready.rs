//! Waiting for a started service to be ready: its port accepts
//! connections, its check command exits 0, or its log shows a text; up to
//! its timeout, failing at once when the service exits or gantry is
//! interrupted.

use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::process::Running;
use crate::config::service::{Ready, Service, HOST};
use crate::proc::interrupt::Interrupt;
use crate::proc::process::{self, Exit, OutputSink, ProcessSpec};
use crate::text::human_duration as human;

/// How soon readiness is checked again at first; the interval doubles up to [`INTERVAL`].
const FIRST_INTERVAL: Duration = Duration::from_millis(5);
/// How often readiness is checked at most.
const INTERVAL: Duration = Duration::from_millis(100);
/// How long a port proxy gets to close a connection it cannot forward.
const PROXY_GRACE: Duration = Duration::from_millis(100);
/// Longest a single check (a connect, a check command) may take.
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

/// How a `ready: { run }` check is run.
pub struct CheckCommand {
    /// The program (`sh`, or the engine for `exec`).
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Its environment on top of gantry's.
    pub env: Vec<(String, String)>,
    /// Where it runs.
    pub cwd: PathBuf,
    /// Passes only when its output (trimmed) is this, not just on exit 0.
    pub output: Option<String>,
}

/// Waits until `service` is ready; the error says why it is not.
pub fn wait(
    service: &Service,
    running: &Running,
    log: &Path,
    check: Option<&CheckCommand>,
    interrupt: &Interrupt,
) -> Result<(), String> {
    let Some(ready) = &service.ready else {
        // A host command is ready once started; a container once the
        // engine says it runs (`check`).
        let phase = Phase {
            waiting: "while it started",
            exited: "right after starting",
        };
        return poll(service, running, interrupt, &phase, || {
            if check.is_none_or(|c| check_passes(c, interrupt)) {
                return Ok(());
            }
            Err("its container was not running".to_string())
        });
    };
    let phase = Phase {
        waiting: "while waiting for it to be ready",
        exited: "before it was ready",
    };
    poll(service, running, interrupt, &phase, || {
        let ready_now = match ready {
            Ready::Port(port) => port_open(service.host_port(*port)),
            Ready::Log(text) => log_contains(log, text),
            Ready::Run(_) => check.is_some_and(|c| check_passes(c, interrupt)),
        };
        if ready_now {
            return Ok(());
        }
        Err(match ready {
            Ready::Port(port) => format!(
                "port {} on {HOST} did not accept connections",
                service.host_port(*port)
            ),
            Ready::Log(text) => format!("its output did not show {text:?}"),
            Ready::Run(command) => format!("`{command}` did not succeed"),
        })
    })
}

/// How the errors of a wait say when things went wrong.
struct Phase {
    /// `interrupted …`.
    waiting: &'static str,
    /// `it exited (status) …`.
    exited: &'static str,
}

/// Asks `ready` (`Err`: what is not there yet) until it says ready, with
/// growing intervals, up to `service`'s timeout; fails at once when the
/// service exits or gantry is interrupted.
fn poll(
    service: &Service,
    running: &Running,
    interrupt: &Interrupt,
    phase: &Phase,
    mut ready: impl FnMut() -> Result<(), String>,
) -> Result<(), String> {
    let deadline = Instant::now() + service.timeout;
    let mut interval = FIRST_INTERVAL;
    loop {
        if interrupt.requested() {
            return Err(format!("interrupted {}", phase.waiting));
        }
        if let Some(status) = running.exited() {
            return Err(format!("it exited ({status}) {}", phase.exited));
        }
        let missing = match ready() {
            Ok(()) => return Ok(()),
            Err(missing) => missing,
        };
        if Instant::now() >= deadline {
            return Err(format!("{missing} within {}", human(service.timeout)));
        }
        std::thread::sleep(interval);
        interval = (interval * 2).min(INTERVAL);
    }
}

/// Whether a server answers on `port`. A user-space port proxy (docker's,
/// rootless podman's) accepts the connection before the container listens
/// and then closes it: a connection closed at once does not count; data, or
/// silence (a server waiting for its client to speak first), does.
fn port_open(port: u16) -> bool {
    use std::io::Read;
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut stream) = TcpStream::connect_timeout(&address, CHECK_TIMEOUT) else {
        return false;
    };
    if stream.set_read_timeout(Some(PROXY_GRACE)).is_err() {
        return true;
    }
    let mut byte = [0u8; 1];
    match stream.read(&mut byte) {
        Ok(0) => false,
        Ok(_) => true,
        Err(e) => matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
    }
}

fn log_contains(log: &Path, text: &str) -> bool {
    std::fs::read(log).is_ok_and(|bytes| {
        let needle = text.as_bytes();
        bytes.windows(needle.len().max(1)).any(|w| w == needle)
    })
}

fn check_passes(check: &CheckCommand, interrupt: &Interrupt) -> bool {
    struct Collect(Vec<u8>);
    impl OutputSink for Collect {
        fn write(&mut self, chunk: &[u8]) {
            if self.0.len() < 4096 {
                self.0.extend_from_slice(chunk);
            }
        }
    }
    let spec = ProcessSpec {
        program: check.program.display().to_string(),
        args: check.args.clone(),
        cwd: check.cwd.clone(),
        env: check.env.clone(),
        timeout: Some(CHECK_TIMEOUT),
        ..Default::default()
    };
    let mut output = Collect(Vec::new());
    let passed = process::run(&spec, &mut output, interrupt).exit == Exit::Code(0);
    passed
        && check
            .output
            .as_ref()
            .is_none_or(|want| String::from_utf8_lossy(&output.0).trim() == want)
}
