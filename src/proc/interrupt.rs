//! Ctrl-C, SIGTERM, SIGHUP and SIGQUIT: stop every running process group,
//! then let the run finish its records.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use rustix::process::{kill_process_group, test_kill_process_group, Pid, Signal, WaitOptions};

/// How long a process group gets between SIGTERM and SIGKILL.
pub const KILL_GRACE: Duration = Duration::from_millis(500);

/// Shared between the signal handler and the actions it must stop.
#[derive(Default)]
pub struct Interrupt {
    requested: AtomicBool,
    /// Set inside the signal handler itself, so a signal is seen at once:
    /// ctrlc's thread, which calls [`Interrupt::trigger`], may run only
    /// after the executor has moved on to the next action.
    signalled: Arc<AtomicBool>,
    /// Shared with the thread that kills after [`KILL_GRACE`], which must
    /// see which groups are still registered then.
    groups: Arc<Mutex<HashSet<i32>>>,
    /// Narrower interrupts (a matrix's `fail_fast:`) that this one triggers
    /// too, while someone holds them: one that nobody holds has nothing left
    /// to stop, and a long `gantry watch` makes one per run.
    children: Mutex<Vec<Weak<Interrupt>>>,
    /// Why [`Interrupt::stop`] stopped this (child) interrupt's actions.
    stop_reason: Mutex<Option<String>>,
    /// The user's signals, shared with every interrupt made from this one.
    signals: Arc<Signals>,
}

/// When a user's signal (Ctrl-C, SIGTERM, SIGHUP, SIGQUIT) cuts a clean-up
/// wait (removing a container) short. Nothing else does: not `gantry
/// watch`'s re-run on a change, not a matrix's `fail_fast:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cut {
    /// A signal after the run's first, which stops the run and lets its
    /// clean-up run: for clean-up during the run.
    FurtherSignal,
    /// The next signal: for the teardown after the run ended (the first
    /// signal then, unless the run was interrupted already).
    NextSignal,
}

/// The user's signals a run got, and the clean-up interrupts they cut.
#[derive(Default)]
struct Signals {
    /// Set inside the signal handler, as [`Interrupt::signalled`] is (that
    /// one is the root interrupt's own).
    flagged: Arc<AtomicBool>,
    /// Handed to the run ([`Interrupt::user_signal`]), and the clean-up
    /// interrupts waiting for a count above theirs, under one lock: a
    /// clean-up made while a signal is handed over is either counted
    /// before it or fired by it.
    delivered: Mutex<Delivered>,
}

#[derive(Default)]
struct Delivered {
    count: usize,
    cleanups: Vec<(usize, Weak<Interrupt>)>,
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
        ctrlc::set_handler(move || handle.user_signal())?;
        // Registered after ctrlc's handler, which signal-hook then chains to.
        for signal in [
            signal_hook::consts::SIGINT,
            signal_hook::consts::SIGTERM,
            signal_hook::consts::SIGHUP,
            signal_hook::consts::SIGQUIT,
        ] {
            signal_hook::flag::register(signal, Arc::clone(&this.signalled))?;
            signal_hook::flag::register(signal, Arc::clone(&this.signals.flagged))?;
        }
        let mut quit = signal_hook::iterator::Signals::new([signal_hook::consts::SIGQUIT])?;
        let handle = Arc::clone(this);
        std::thread::spawn(move || {
            for _ in quit.forever() {
                handle.user_signal();
            }
        });
        Ok(())
    }

    /// Whether an interrupt was requested.
    pub fn requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst) || self.signalled.load(Ordering::SeqCst)
    }

    /// An interrupt for some of the run's actions only: triggering it stops
    /// just the groups registered with it; triggering `self` triggers it too.
    pub fn child(&self) -> Arc<Self> {
        let child = self.sibling();
        let mut children = self.children.lock().unwrap_or_else(|e| e.into_inner());
        if self.requested() {
            child.requested.store(true, Ordering::SeqCst);
        }
        adopt(&mut children, &child);
        child
    }

    /// An interrupt for clean-up (removing a container) that only a
    /// user's signal fires, as `cut` says; triggering `self` does not.
    pub fn cleanup(&self, cut: Cut) -> Arc<Self> {
        let cleanup = self.sibling();
        let mut delivered = self.signals.lock();
        // A signal the handler has flagged but ctrlc's thread not yet
        // handed over is counted: it is the one that stopped the run.
        let seen = delivered
            .count
            .max(usize::from(self.signals.flagged.load(Ordering::SeqCst)));
        let baseline = match cut {
            Cut::FurtherSignal => seen.max(1),
            Cut::NextSignal => seen,
        };
        delivered.cleanups.retain(|(_, c)| c.strong_count() > 0);
        delivered
            .cleanups
            .push((baseline, Arc::downgrade(&cleanup)));
        cleanup
    }

    /// A clean-up interrupt fired already (a signal gave up on clean-up
    /// before).
    pub fn given_up(&self) -> Arc<Self> {
        let cleanup = self.sibling();
        cleanup.requested.store(true, Ordering::SeqCst);
        cleanup
    }

    /// A new interrupt that shares this one's count of user signals.
    fn sibling(&self) -> Arc<Self> {
        Arc::new(Self {
            signals: Arc::clone(&self.signals),
            ..Self::default()
        })
    }

    /// A user's signal: fires the clean-up interrupts it cuts short (see
    /// [`Cut`]), then triggers this one.
    pub fn user_signal(&self) {
        let fired: Vec<Arc<Interrupt>> = {
            let mut delivered = self.signals.lock();
            delivered.count += 1;
            let count = delivered.count;
            delivered
                .cleanups
                .iter()
                .filter(|(baseline, _)| *baseline < count)
                .filter_map(|(_, cleanup)| cleanup.upgrade())
                .collect()
        };
        for cleanup in fired {
            cleanup.trigger();
        }
        self.trigger();
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
            .iter()
            .filter_map(Weak::upgrade)
            .collect();
        for child in children {
            child.trigger();
        }
        let signal = if again { Signal::KILL } else { Signal::TERM };
        // Signalled under the lock: a group that leaves the registry (see
        // `GroupGuard::leave_interrupt`) is signalled before or not at all.
        let groups: Vec<i32> = {
            let registered = self.lock();
            for &group in registered.iter() {
                signal_group(group, signal);
            }
            registered.iter().copied().collect()
        };
        if !again {
            self.kill_after_grace(groups);
        }
    }

    /// SIGKILL to those of `groups` still registered after [`KILL_GRACE`].
    fn kill_after_grace(&self, groups: Vec<i32>) {
        let registry = Arc::clone(&self.groups);
        std::thread::spawn(move || {
            std::thread::sleep(KILL_GRACE);
            kill_still_registered(&registry, &groups);
        });
    }

    /// Tracks a running process group. If an interrupt came in while it was
    /// starting, the group is stopped right away.
    pub fn register(&self, group: i32) {
        self.lock().insert(group);
        if self.requested() {
            signal_group(group, Signal::TERM);
            self.kill_after_grace(vec![group]);
        }
    }

    /// Forgets a group that has ended.
    pub fn unregister(&self, group: i32) {
        self.lock().remove(&group);
    }

    fn lock(&self) -> MutexGuard<'_, HashSet<i32>> {
        self.groups.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Signals {
    fn lock(&self) -> MutexGuard<'_, Delivered> {
        self.delivered.lock().unwrap_or_else(|e| e.into_inner())
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

    /// An interrupt no longer signals the group (its leader is about to be
    /// reaped); a crash still stops it.
    pub fn leave_interrupt(&mut self) {
        self.interrupt.unregister(self.group);
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
            signal_group(self.group, Signal::KILL);
            group_alive(self.group);
            if let Some(token) = self.token {
                super::orphans::stop(token);
            }
        }
        self.interrupt.unregister(self.group);
    }
}

/// Adds `child` to `children`, dropping the ones nobody holds any more.
fn adopt(children: &mut Vec<Weak<Interrupt>>, child: &Arc<Interrupt>) {
    children.retain(|c| c.strong_count() > 0);
    children.push(Arc::downgrade(child));
}

/// SIGKILL to those of `groups` that are still in `registry`. A group that
/// ended during the grace period was unregistered, and its number may
/// already name another process group: that one must not be killed. The
/// lock is held while signalling, so a group cannot end and be forgotten
/// between the check and the kill.
fn kill_still_registered(registry: &Mutex<HashSet<i32>>, groups: &[i32]) {
    let registered = registry.lock().unwrap_or_else(|e| e.into_inner());
    for group in groups.iter().filter(|g| registered.contains(g)) {
        signal_group(*group, Signal::KILL);
    }
}

/// The process group `group` as rustix names it; `None` for a number that
/// names no single group (0 and negative numbers would signal gantry's own
/// group or one process).
fn group_id(group: i32) -> Option<Pid> {
    if group > 0 {
        Pid::from_raw(group)
    } else {
        None
    }
}

/// Sends `signal` to every process in group `group`. A group that is gone
/// already (ESRCH) is what the caller wanted, so errors are ignored.
pub fn signal_group(group: i32, signal: Signal) {
    if let Some(group) = group_id(group) {
        let _ = kill_process_group(group, signal);
    }
}

/// Makes gantry the reaper of its actions' orphans (Linux), so that a
/// background process whose shell exited is still ours to reap and to stop,
/// even where PID 1 never reaps zombies (containers, micro-VMs). Best
/// effort: without it, orphans go to PID 1 as they would anyway.
pub fn become_subreaper() {
    #[cfg(target_os = "linux")]
    // Any non-zero argument sets the attribute; rustix takes it as a pid.
    let _ = rustix::process::set_child_subreaper(Some(rustix::process::getpid()));
}

/// Whether any process of group `group` is still running. Members that
/// already exited are reaped first: a zombie must not count as running.
/// Call only after the group's leader was waited for.
pub fn group_alive(group: i32) -> bool {
    let Some(group) = group_id(group) else {
        return false;
    };
    // Ok(None): members are running; Err(ECHILD): none of ours is left.
    while let Ok(Some(_)) = rustix::process::waitpgid(group, WaitOptions::NOHANG) {}
    test_kill_process_group(group).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    use std::process::{Child, Command};

    /// A `sleep` in a process group of its own.
    fn group_leader() -> Child {
        Command::new("sleep")
            .arg("30")
            .process_group(0)
            .spawn()
            .unwrap()
    }

    /// The signal that ended `child`, after SIGTERM from the test itself: a
    /// SIGKILL sent earlier wins (the process is already exiting).
    fn ending_signal(mut child: Child) -> Option<i32> {
        signal_group(child.id() as i32, Signal::TERM);
        child.wait().unwrap().signal()
    }

    #[test]
    fn children_nobody_holds_are_forgotten_held_ones_still_triggered() {
        let parent = Interrupt::new();
        let held = parent.child();
        for _ in 0..1000 {
            drop(parent.child());
            drop(parent.cleanup(Cut::NextSignal));
        }
        let len = parent.children.lock().unwrap().len();
        assert!(len <= 2, "{len} children kept for 1 held");
        let cleanups = parent.signals.lock().cleanups.len();
        assert!(cleanups <= 1, "{cleanups} clean-ups kept, none held");
        parent.trigger();
        assert!(held.requested());
    }

    #[test]
    fn only_user_signals_cut_clean_up() {
        let run = Interrupt::new();
        let matrix = run.child();
        let (during, after) = (
            matrix.cleanup(Cut::FurtherSignal),
            run.cleanup(Cut::NextSignal),
        );
        // `gantry watch`'s re-run, a matrix's `fail_fast:`.
        run.trigger();
        matrix.stop("a cell failed".into());
        assert!(!during.requested() && !after.requested());
        run.user_signal();
        assert!(after.requested(), "the teardown after the run: the first");
        assert!(
            !during.requested(),
            "the run's first signal stops the run only"
        );
        run.user_signal();
        assert!(during.requested(), "a further signal");
    }

    #[test]
    fn the_signal_that_stopped_the_run_does_not_cut_clean_up_made_after_it() {
        let run = Interrupt::new();
        // The handler flags it at once; ctrlc's thread hands it over later.
        run.signals.flagged.store(true, Ordering::SeqCst);
        let (during, after) = (
            run.cleanup(Cut::FurtherSignal),
            run.cleanup(Cut::NextSignal),
        );
        run.user_signal();
        assert!(!during.requested() && !after.requested());
        run.user_signal();
        assert!(during.requested() && after.requested());
        assert!(run.given_up().requested());
    }

    #[test]
    fn a_group_registered_after_the_trigger_is_killed_after_the_grace() {
        use std::io::BufRead;
        // Ignores SIGTERM (an ignored signal stays ignored across exec).
        let mut leader = Command::new("sh")
            .args(["-c", "trap '' TERM; echo ready; exec sleep 30"])
            .stdout(std::process::Stdio::piped())
            .process_group(0)
            .spawn()
            .unwrap();
        let mut ready = String::new();
        std::io::BufReader::new(leader.stdout.take().unwrap())
            .read_line(&mut ready)
            .unwrap();
        let interrupt = Interrupt::default();
        interrupt.trigger();
        interrupt.register(leader.id() as i32);
        assert_eq!(leader.wait().unwrap().signal(), Some(Signal::KILL.as_raw()));
        interrupt.unregister(leader.id() as i32);
    }

    #[test]
    fn the_delayed_kill_spares_a_group_that_was_unregistered() {
        let leader = group_leader();
        let group = leader.id() as i32;
        let interrupt = Interrupt::default();
        interrupt.register(group);
        interrupt.unregister(group);
        kill_still_registered(&interrupt.groups, &[group]);
        assert_eq!(ending_signal(leader), Some(Signal::TERM.as_raw()));
    }

    #[test]
    fn the_delayed_kill_stops_a_group_still_registered() {
        let leader = group_leader();
        let group = leader.id() as i32;
        let interrupt = Interrupt::default();
        interrupt.register(group);
        kill_still_registered(&interrupt.groups, &[group]);
        assert_eq!(ending_signal(leader), Some(Signal::KILL.as_raw()));
        interrupt.unregister(group);
    }

    #[test]
    fn no_group_number_signals_gantry_itself() {
        assert_eq!(group_id(0), None);
        assert_eq!(group_id(-1), None);
        assert!(group_id(1).is_some());
    }
}
