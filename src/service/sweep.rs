//! Removing service containers left behind by a gantry that was killed
//! (`kill -9`): every service container names the gantry process that
//! started it (label `gantry.pid`); one whose gantry is gone is removed.

use std::path::Path;

use super::engine::{self, Engine};
use crate::engine::NotRemoved;
use crate::proc::interrupt::Interrupt;

/// What the sweep could not do: remove `container`, or (`None`) list the
/// containers at all, because the engine did not answer in time, could
/// not start, or `interrupt` fired.
pub struct NotSwept {
    /// The leftover container; `None`: the listing failed.
    pub container: Option<String>,
    /// Why: the engine command and what became of it.
    pub why: String,
}

/// Removes service containers whose gantry process is gone (running the
/// engine in `cwd`, stopped by `interrupt`); returns what it could not
/// remove. A removal the engine refuses (the container went meanwhile) is
/// not reported.
pub fn containers(engine: &Engine, cwd: &Path, interrupt: &Interrupt) -> Vec<NotSwept> {
    let text = match engine::list_command(engine).capture_until(cwd, interrupt) {
        Ok((_, text, _)) => text,
        Err(why) => {
            return vec![NotSwept {
                container: None,
                why,
            }]
        }
    };
    let leftovers = text
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .filter(|(_, pid)| !gantry_alive(pid.trim()))
        .map(|(name, _)| name.trim().to_string());
    let mut failed = Vec::new();
    for name in leftovers {
        if let Err(NotRemoved::MayBeLeft(why)) = engine.remove_until(&name, cwd, interrupt) {
            failed.push(NotSwept {
                container: Some(name),
                why,
            });
        }
    }
    failed
}

/// Whether `pid` is a running gantry process (a reused pid runs something else).
fn gantry_alive(pid: &str) -> bool {
    let Ok(pid) = pid.parse::<u32>() else {
        return false;
    };
    if pid == std::process::id() {
        return true;
    }
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .is_ok_and(|comm| comm.trim().starts_with("gantry"))
}
