//! Processes an action left running outside its process group (`setsid`,
//! a double fork): gantry is their subreaper, so they become its children
//! when their parent exits. Each action's processes carry a token in their
//! environment; once the action ended, gantry's children that carry its
//! token are stopped (SIGTERM, then SIGKILL) and reaped, and their command
//! lines are returned for the summary.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rustix::io::Errno;
use rustix::process::{
    kill_process, waitid, waitpid, Pid, Signal, WaitId, WaitIdOptions, WaitOptions,
};

use super::interrupt::KILL_GRACE;

/// The environment variable that marks a process (and everything it starts)
/// as belonging to one supervised action process.
pub const TOKEN_VAR: &str = "GANTRY_PROCESS_TOKEN";

/// How often to look whether stopped processes are gone.
const TICK: Duration = Duration::from_millis(10);
/// Stopping a process can orphan its own children: look again this often at most.
const ROUNDS: usize = 8;

/// A token unique to one supervised process of this gantry.
pub fn new_token() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!(
        "{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Stops gantry's children that carry `token`; returns their command lines.
pub fn stop(token: &str) -> Vec<String> {
    let mut stopped = Vec::new();
    for _ in 0..ROUNDS {
        let found = children(token);
        if found.is_empty() {
            break;
        }
        for (pid, _) in &found {
            signal(*pid, Signal::TERM);
        }
        let until = Instant::now().checked_add(KILL_GRACE);
        while found.iter().any(|(pid, _)| !reaped(*pid, false))
            && until.is_some_and(|u| Instant::now() < u)
        {
            std::thread::sleep(TICK);
        }
        for (pid, _) in &found {
            if !reaped(*pid, false) {
                signal(*pid, Signal::KILL);
                reaped(*pid, true);
            }
        }
        stopped.extend(found.into_iter().map(|(_, command)| command));
    }
    stopped
}

/// "stopped 1 process left running: sleep 300"
pub fn describe(stopped: &[String]) -> String {
    let noun = if stopped.len() == 1 {
        "process"
    } else {
        "processes"
    };
    format!(
        "stopped {} {noun} left running: {}",
        stopped.len(),
        stopped.join(", ")
    )
}

/// gantry's living children that carry `token`, with their command lines.
fn children(token: &str) -> Vec<(i32, String)> {
    // The common case, one action at a time that left nothing behind: no
    // child at all, so no need to read every process's /proc entries.
    if !has_children() {
        return Vec::new();
    }
    let me = std::process::id() as i32;
    pids()
        .filter(|&pid| stat(pid).is_some_and(|s| s.running && s.parent == me))
        .filter(|&pid| carries(pid, token))
        .map(|pid| (pid, command_line(pid)))
        .collect()
}

/// Every process id in `/proc`.
pub fn pids() -> impl Iterator<Item = i32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
}

/// What `/proc/<pid>/stat` says of a process.
pub struct Stat {
    /// Neither a zombie nor dead.
    pub running: bool,
    /// Its parent's id.
    pub parent: i32,
    /// Its process group's id.
    pub group: i32,
}

/// `/proc/<pid>/stat` of `pid`, if it is there.
pub fn stat(pid: i32) -> Option<Stat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name, in parentheses, may hold spaces and `)`.
    let mut fields = text.rsplit_once(')')?.1.split_whitespace();
    let state = fields.next()?;
    Some(Stat {
        running: state != "Z" && state != "X",
        parent: fields.next()?.parse().ok()?,
        group: fields.next()?.parse().ok()?,
    })
}

/// Whether `pid` carries `token` (in [`TOKEN_VAR`]) in its environment.
pub fn carries(pid: i32, token: &str) -> bool {
    let marker = format!("{TOKEN_VAR}={token}");
    std::fs::read(format!("/proc/{pid}/environ"))
        .is_ok_and(|env| env.split(|&b| b == 0).any(|v| v == marker.as_bytes()))
}

fn command_line(pid: i32) -> String {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let words: Vec<String> = raw
        .split(|&b| b == 0)
        .filter(|w| !w.is_empty())
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .collect();
    if words.is_empty() {
        std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .map(|c| c.trim().to_string())
            .unwrap_or_else(|_| format!("pid {pid}"))
    } else {
        words.join(" ")
    }
}

/// Whether gantry has any child process, running or exited but not reaped
/// (of any of its threads: orphans are re-parented to one of them).
fn has_children() -> bool {
    // WNOWAIT: an exited child stays to be reaped by whoever waits for it.
    // __WALL (which rustix does not name) also counts children made by
    // clone(2) with another exit signal than SIGCHLD.
    const WALL: u32 = 0x4000_0000;
    let options = WaitIdOptions::EXITED
        | WaitIdOptions::NOHANG
        | WaitIdOptions::NOWAIT
        | WaitIdOptions::from_bits_retain(WALL);
    !matches!(waitid(WaitId::All, options), Err(Errno::CHILD))
}

fn signal(pid: i32, signal: Signal) {
    if let Some(pid) = Pid::from_raw(pid) {
        let _ = kill_process(pid, signal);
    }
}

/// Reaps child `pid` if it exited (waiting for it when `block`); true once it is gone.
fn reaped(pid: i32, block: bool) -> bool {
    let Some(pid) = Pid::from_raw(pid) else {
        return true;
    };
    let options = if block {
        WaitOptions::empty()
    } else {
        WaitOptions::NOHANG
    };
    match waitpid(Some(pid), options) {
        Ok(Some(_)) | Err(_) => true,
        Ok(None) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_stopped_processes() {
        assert_eq!(
            describe(&["sleep 300".into()]),
            "stopped 1 process left running: sleep 300"
        );
        assert_eq!(
            describe(&["a".into(), "b".into()]),
            "stopped 2 processes left running: a, b"
        );
    }

    #[test]
    fn a_child_is_seen_until_it_is_reaped() {
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        assert!(has_children());
        child.kill().unwrap();
        child.wait().unwrap();
    }

    #[test]
    fn tokens_are_unique() {
        assert_ne!(new_token(), new_token());
    }

    #[test]
    fn stat_reads_parent_and_group() {
        let me = stat(std::process::id() as i32).unwrap();
        assert!(me.running);
        assert_eq!(
            me.parent,
            rustix::process::getppid().map_or(0, |p| p.as_raw_nonzero().get())
        );
        assert_eq!(me.group, rustix::process::getpgrp().as_raw_nonzero().get());
    }
}
