//! Waiting for a started service to be ready: its port accepts
//! connections, its check command exits 0, or its log shows a text; up to
//! its timeout, failing at once when the service exits or gantry is
//! interrupted.

use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::process::Running;
use crate::config::duration::human;
use crate::config::service::{Ready, Service, HOST};
use crate::proc::interrupt::Interrupt;
use crate::proc::process::{self, Exit, OutputSink, ProcessSpec};

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
        return started(service, running, check, interrupt);
    };
    let deadline = Instant::now() + service.timeout;
    let mut interval = FIRST_INTERVAL;
    loop {
        if interrupt.requested() {
            return Err("interrupted while waiting for it to be ready".into());
        }
        if let Some(status) = running.exited() {
            return Err(format!("it exited ({status}) before it was ready"));
        }
        let ready_now = match ready {
            Ready::Port(port) => port_open(service.host_port(*port)),
            Ready::Log(text) => log_contains(log, text),
            Ready::Run(_) => check.is_some_and(|c| check_passes(c, interrupt)),
        };
        if ready_now {
            return Ok(());
        }
        if Instant::now() >= deadline {
            let what = match ready {
                Ready::Port(port) => format!(
                    "port {} on {HOST} did not accept connections",
                    service.host_port(*port)
                ),
                Ready::Log(text) => format!("its output did not show {text:?}"),
                Ready::Run(command) => format!("`{command}` did not succeed"),
            };
            return Err(format!("{what} within {}", human(service.timeout)));
        }
        std::thread::sleep(interval);
        interval = (interval * 2).min(INTERVAL);
    }
}

/// Without `ready:`: a host command is ready once started; a container
/// once the engine says it runs (`check`), up to the timeout.
fn started(
    service: &Service,
    running: &Running,
    check: Option<&CheckCommand>,
    interrupt: &Interrupt,
) -> Result<(), String> {
    let deadline = Instant::now() + service.timeout;
    let mut interval = FIRST_INTERVAL;
    loop {
        if let Some(status) = running.exited() {
            return Err(format!("it exited ({status}) right after starting"));
        }
        if check.is_none_or(|c| check_passes(c, interrupt)) {
            return Ok(());
        }
        if interrupt.requested() {
            return Err("interrupted while it started".into());
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "its container was not running within {}",
                human(service.timeout)
            ));
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
