//! Ctrl-C, SIGTERM, SIGHUP and SIGQUIT: stop every running process group,
//! then let the run finish its records.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a process group gets between SIGTERM and SIGKILL.
pub const KILL_GRACE: Duration = Duration::from_millis(500);

/// Shared between the signal handler and the actions it must stop.
#[derive(Default)]
pub struct Interrupt {
    requested: AtomicBool,
    groups: Mutex<HashSet<i32>>,
    /// Narrower interrupts (a matrix's `fail_fast:`) that this one triggers too.
    children: Mutex<Vec<Arc<Interrupt>>>,
    /// Why [`Interrupt::stop`] stopped this (child) interrupt's actions.
    stop_reason: Mutex<Option<String>>,
}

impl Interrupt {
    /// A new, untriggered interrupt.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Installs the handler that triggers `this` on Ctrl-C, SIGTERM, SIGHUP
    /// and SIGQUIT (Ctrl-\, which would otherwise kill gantry at once and
    /// orphan its actions).
    pub fn install_handler(this: &Arc<Self>) -> anyhow::Result<()> {
        let handle = Arc::clone(this);
        ctrlc::set_handler(move || handle.trigger())?;
        let mut quit = signal_hook::iterator::Signals::new([signal_hook::consts::SIGQUIT])?;
        let handle = Arc::clone(this);
        std::thread::spawn(move || {
            for _ in quit.forever() {
                handle.trigger();
            }
        });
        Ok(())
    }

    /// Whether an interrupt was requested.
    pub fn requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }

    /// An interrupt for some of the run's actions only: triggering it stops
    /// just the groups registered with it; triggering `self` triggers it too.
    pub fn child(&self) -> Arc<Self> {
        let child = Self::new();
        let mut children = self.children.lock().unwrap_or_else(|e| e.into_inner());
        if self.requested() {
            child.requested.store(true, Ordering::SeqCst);
        }
        children.push(Arc::clone(&child));
        child
    }

    /// Triggers this (child) interrupt for `reason`, which
    /// [`Interrupt::stop_reason`] then tells: the actions it stopped were
    /// stopped by gantry, not by the user.
    pub fn stop(&self, reason: String) {
        *self.stop_reason.lock().unwrap_or_else(|e| e.into_inner()) = Some(reason);
        self.trigger();
    }

    /// Why [`Interrupt::stop`] was called, if it was.
    pub fn stop_reason(&self) -> Option<String> {
        self.stop_reason
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Stops every registered group: SIGTERM now, SIGKILL after a grace
    /// period; a second trigger kills at once.
    pub fn trigger(&self) {
        // Set before the children are read, so that a child made meanwhile
        // sees it (see `child`).
        let again = self.requested.swap(true, Ordering::SeqCst);
        let children: Vec<Arc<Interrupt>> = self
            .children
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        for child in children {
            child.trigger();
        }
        let groups: Vec<i32> = self.lock().iter().copied().collect();
        let signal = if again { libc::SIGKILL } else { libc::SIGTERM };
        for &group in &groups {
            signal_group(group, signal);
        }
        if !again {
            std::thread::spawn(move || {
                std::thread::sleep(KILL_GRACE);
                for group in groups {
                    signal_group(group, libc::SIGKILL);
                }
            });
        }
    }

    /// Tracks a running process group. If an interrupt came in while it was
    /// starting, the group is stopped right away.
    pub fn register(&self, group: i32) {
        self.lock().insert(group);
        if self.requested() {
            signal_group(group, libc::SIGTERM);
        }
    }

    /// Forgets a group that has ended.
    pub fn unregister(&self, group: i32) {
        self.lock().remove(&group);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<i32>> {
        self.groups.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A registered process group that is stopped (SIGKILL) and forgotten when
/// dropped, also while a panic unwinds: a crash inside gantry never leaves
/// an action's processes running.
pub struct GroupGuard<'a> {
    interrupt: &'a Interrupt,
    group: i32,
    token: Option<&'a str>,
    ended: bool,
}

impl<'a> GroupGuard<'a> {
    /// Registers `group` with `interrupt` (see [`Interrupt::register`]);
    /// `token` marks processes of the group's action that may leave the
    /// group (see [`super::orphans`]).
    pub fn register(interrupt: &'a Interrupt, group: i32, token: Option<&'a str>) -> Self {
        interrupt.register(group);
        Self {
            interrupt,
            group,
            token,
            ended: false,
        }
    }

    /// The group ended normally; dropping the guard only forgets it.
    pub fn ended(&mut self) {
        self.ended = true;
    }
}

impl Drop for GroupGuard<'_> {
    fn drop(&mut self) {
        if !self.ended {
            // Killed at once: there is no supervisor left to wait for a
            // graceful end. Members already dead are reaped; the leader may
            // stay a zombie, which runs nothing.
            signal_group(self.group, libc::SIGKILL);
            group_alive(self.group);
            if let Some(token) = self.token {
                super::orphans::stop(token);
            }
        }
        self.interrupt.unregister(self.group);
    }
}

/// Sends `signal` to every process in group `group`.
pub fn signal_group(group: i32, signal: i32) {
    // SAFETY: kill(2) with a negative pid signals a process group; it has no
    // memory-safety preconditions.
    unsafe {
        libc::kill(-group, signal);
    }
}

/// Makes gantry the reaper of its actions' orphans (Linux), so that a
/// background process whose shell exited is still ours to reap and to stop,
/// even where PID 1 never reaps zombies (containers, micro-VMs).
pub fn become_subreaper() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_CHILD_SUBREAPER takes an integer flag and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    }
}

/// Whether any process of group `group` is still running. Members that
/// already exited are reaped first: a zombie must not count as running.
/// Call only after the group's leader was waited for.
pub fn group_alive(group: i32) -> bool {
    loop {
        // SAFETY: waitpid with WNOHANG and a null status pointer only reaps
        // exited children of ours in that process group.
        let reaped = unsafe { libc::waitpid(-group, std::ptr::null_mut(), libc::WNOHANG) };
        if reaped <= 0 {
            break;
        }
    }
    // SAFETY: signal 0 only checks for existence.
    unsafe { libc::kill(-group, 0) == 0 }
}
