//! Removing service containers left behind by a gantry that was killed
//! (`kill -9`): every service container names the gantry process that
//! started it (label `gantry.pid`); one whose gantry is gone is removed.

use std::process::{Command, Stdio};

use super::engine::{self, Engine};

/// Removes service containers whose gantry process is gone; returns their names.
pub fn containers(engine: &Engine) -> Vec<String> {
    let list = engine::list_command(engine);
    let Ok(listed) = Command::new(&list.program)
        .args(&list.args)
        .envs(list.env.0.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
    else {
        return Vec::new();
    };
    let text = String::from_utf8_lossy(&listed.stdout);
    let leftovers: Vec<String> = text
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .filter(|(_, pid)| !gantry_alive(pid.trim()))
        .map(|(name, _)| name.trim().to_string())
        .collect();
    for name in &leftovers {
        let remove = engine.remove(name);
        let _ = Command::new(&remove.program)
            .args(&remove.args)
            .envs(remove.env.0.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
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
