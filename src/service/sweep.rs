//! Removing service containers left behind by a gantry that was killed
//! (`kill -9`): every service container names the gantry process that
//! started it (label `gantry.pid`); one whose gantry is gone is removed.

use std::path::Path;

use super::engine::{self, Engine};

/// Removes service containers whose gantry process is gone (running the
/// engine in `cwd`); returns their names.
pub fn containers(engine: &Engine, cwd: &Path) -> Vec<String> {
    let Ok((_, text, _)) = engine::list_command(engine).capture(cwd) else {
        return Vec::new();
    };
    let leftovers: Vec<String> = text
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .filter(|(_, pid)| !gantry_alive(pid.trim()))
        .map(|(name, _)| name.trim().to_string())
        .collect();
    for name in &leftovers {
        let _ = engine.remove(name).capture(cwd);
    }
    leftovers
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
