//! A service's process, kept by a thread of its own: the thread starts it
//! (in its own process group, its output going to the service's log, killed
//! with gantry even by `kill -9`) and lives until told to stop it, because
//! the kernel's parent-death signal follows the thread that started the
//! child. Stopping stops the whole process group, then removes the
//! container (if any, within the engine's housekeeping limit), then any
//! process that escaped the group.

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::engine::{Engine, NotRemoved};
use crate::proc::interrupt::{group_alive, signal_group, Interrupt, KILL_GRACE};
use crate::proc::orphans;
use rustix::process::Signal;

/// How often to look whether a stopped process is gone.
const TICK: Duration = Duration::from_millis(10);

/// What to start.
pub struct Launch {
    /// The program (`sh` or the engine).
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Variables on top of gantry's environment.
    pub env: Vec<(String, String)>,
    /// Where it runs.
    pub cwd: PathBuf,
    /// Its output goes here.
    pub log: File,
    /// The container removed after the group is stopped, in `cwd`, within
    /// the engine's housekeeping limit or until the interrupt
    /// [`Running::stop`] is given fires ([`Engine::remove_until`]).
    pub teardown: Option<Teardown>,
    /// A file holding `PGID TOKEN` while it runs, for the sweep after a `kill -9`.
    pub pid_file: PathBuf,
    /// Values masked as `***` in the log (none: the output goes to the log directly).
    pub secrets: Vec<String>,
}

/// A service's container, removed when it stops.
pub struct Teardown {
    /// Its engine, with the service's engine variables.
    pub engine: Engine,
    /// The container's name.
    pub container: String,
}

/// A started service process.
pub struct Running {
    /// Its process group.
    pub group: i32,
    child: Arc<Mutex<Child>>,
    stop: mpsc::Sender<Arc<Interrupt>>,
    /// Ends with the teardown's failure, if it failed to run or to answer.
    keeper: JoinHandle<Option<String>>,
}

impl Running {
    /// How it ended, if it did.
    pub fn exited(&self) -> Option<ExitStatus> {
        let mut child = self.child.lock().unwrap_or_else(|e| e.into_inner());
        child.try_wait().ok().flatten()
    }

    /// Stops it and everything it started; returns once they are gone.
    /// `Err` says why its teardown (removing its container) did not run to
    /// its end (it did not answer in time, or `cleanup` fired meanwhile):
    /// the container may be left.
    pub fn stop(self, cleanup: Arc<Interrupt>) -> Result<(), String> {
        let _ = self.stop.send(cleanup);
        match self.keeper.join() {
            Ok(None) => Ok(()),
            Ok(Some(why)) => Err(why),
            Err(_) => Err("the service's keeper thread panicked".into()),
        }
    }
}

/// Starts `launch` from a keeper thread.
pub fn start(launch: Launch) -> Result<Running, String> {
    let (started_tx, started_rx) = mpsc::channel();
    let (stop, stop_rx) = mpsc::channel::<Arc<Interrupt>>();
    let keeper = std::thread::spawn(move || {
        let token = orphans::new_token();
        let child = match spawn(&launch, &token) {
            Ok(child) => Arc::new(Mutex::new(child)),
            Err(e) => {
                let _ = started_tx.send(Err(format!(
                    "cannot start `{}`: {e}",
                    launch.program.display()
                )));
                return None;
            }
        };
        let group = child.lock().map(|c| c.id() as i32).unwrap_or(0);
        let _ = std::fs::write(&launch.pid_file, format!("{group} {token}\n"));
        let _ = started_tx.send(Ok((group, Arc::clone(&child))));
        // Until told to stop, or until the manager is gone.
        let cleanup = stop_rx.recv().unwrap_or_default();
        // The engine client first: killed while it creates the container,
        // it creates nothing more, and the removal then finds everything.
        stop_group(group, &child);
        // The engine refusing does not matter (`run --rm` may have removed
        // the container already); not answering in time does.
        let failed = launch.teardown.as_ref().and_then(|teardown| {
            match teardown
                .engine
                .remove_until(&teardown.container, &launch.cwd, &cleanup)
            {
                Err(NotRemoved::MayBeLeft(why)) => Some(why),
                Ok(()) | Err(NotRemoved::Refused(_)) => None,
            }
        });
        orphans::stop(&token);
        let _ = std::fs::remove_file(&launch.pid_file);
        failed
    });
    match started_rx.recv() {
        Ok(Ok((group, child))) => Ok(Running {
            group,
            child,
            stop,
            keeper,
        }),
        Ok(Err(why)) => {
            let _ = keeper.join();
            Err(why)
        }
        Err(_) => Err("the service's keeper thread ended early".into()),
    }
}

fn spawn(launch: &Launch, token: &str) -> std::io::Result<Child> {
    let (stdout, stderr): (Stdio, Stdio) = if launch.secrets.is_empty() {
        (
            launch.log.try_clone()?.into(),
            launch.log.try_clone()?.into(),
        )
    } else {
        let writer = masked_into(&launch.log, &launch.secrets)?;
        (writer.try_clone()?.into(), writer.into())
    };
    let mut command = Command::new(&launch.program);
    command
        .args(&launch.args)
        .current_dir(&launch.cwd)
        .envs(launch.env.iter().map(|(k, v)| (k, v)))
        .env(orphans::TOKEN_VAR, token)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .process_group(0);
    crate::proc::process::die_with_gantry(&mut command);
    command.spawn()
}

/// A pipe whose every byte goes to `log` with `secrets` masked, copied by a
/// thread that ends when the last writer (the whole service) is gone.
fn masked_into(log: &File, secrets: &[String]) -> std::io::Result<std::io::PipeWriter> {
    use std::io::{Read, Write};
    let (mut reader, writer) = std::io::pipe()?;
    let mut log = log.try_clone()?;
    let mut masker = crate::proc::mask::Masker::new(secrets);
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 16 * 1024];
        let mut out = Vec::new();
        while let Ok(n @ 1..) = reader.read(&mut buf) {
            out.clear();
            masker.push(&buf[..n], &mut out);
            let _ = log.write_all(&out);
        }
        out.clear();
        masker.finish(&mut out);
        let _ = log.write_all(&out);
    });
    Ok(writer)
}

/// SIGTERM to the group, SIGKILL after the grace period; the leader reaped.
fn stop_group(group: i32, child: &Mutex<Child>) {
    let mut child = child.lock().unwrap_or_else(|e| e.into_inner());
    if child.try_wait().ok().flatten().is_none() {
        signal_group(group, Signal::TERM);
        let until = Instant::now() + KILL_GRACE;
        while child.try_wait().ok().flatten().is_none() && Instant::now() < until {
            std::thread::sleep(TICK);
        }
    }
    signal_group(group, Signal::KILL);
    let _ = child.wait();
    group_alive(group);
}

/// Host services left running by a gantry that was killed (`kill -9`):
/// each `services/*.pid` of a run no longer in progress names a process
/// group and the token its processes carry; a group whose members still
/// carry it is killed.
pub fn sweep_host(runs: &Path) {
    let Ok(run_dirs) = std::fs::read_dir(runs) else {
        return;
    };
    for run in run_dirs.flatten() {
        if crate::record::in_progress(&run.path()) {
            continue;
        }
        let Ok(files) = std::fs::read_dir(run.path().join("services")) else {
            continue;
        };
        for file in files.flatten() {
            let path = file.path();
            if path.extension().is_none_or(|e| e != "pid") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let mut words = text.split_whitespace();
            let (Some(group), Some(token)) = (
                words.next().and_then(|g| g.parse::<i32>().ok()),
                words.next(),
            ) else {
                continue;
            };
            if group > 1 && group_carries(group, token) {
                signal_group(group, Signal::KILL);
            }
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Whether some process of group `group` carries `token` in its environment
/// (the group number alone may have been reused since).
fn group_carries(group: i32, token: &str) -> bool {
    orphans::pids()
        .filter(|&pid| orphans::stat(pid).is_some_and(|s| s.group == group))
        .any(|pid| orphans::carries(pid, token))
}
