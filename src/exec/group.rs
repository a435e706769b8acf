//! Runs one `run_order` group: at most `--jobs` actions at once, each worker
//! taking the next action in listed order; the cells of a `matrix:` action
//! at most `max_parallel:` at once, and with `fail_fast:` a failed cell
//! skips its matrix's cells not yet started and stops the running ones.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::action::ActionContext;
use crate::events::{ActionResult, Status};
use crate::plan::PlannedAction;
use crate::proc::interrupt::Interrupt;

/// What a worker does next.
enum Next<'p> {
    Run(&'p PlannedAction),
    Skip(&'p PlannedAction, String),
    Wait,
    Done,
}

/// The group's progress, shared by its workers.
struct State<'p> {
    pending: Vec<&'p PlannedAction>,
    /// Running cells per matrix (its action's name).
    running: HashMap<&'p str, u32>,
    /// The first failed cell per `fail_fast` matrix.
    failed: HashMap<&'p str, String>,
    results: Vec<ActionResult>,
}

impl<'p> State<'p> {
    fn next(&mut self) -> Next<'p> {
        if self.pending.is_empty() {
            return Next::Done;
        }
        for i in 0..self.pending.len() {
            let action = self.pending[i];
            let Some(cell) = &action.matrix else {
                return Next::Run(self.pending.remove(i));
            };
            if let Some(failed) = self.failed.get(cell.base.as_str()) {
                let reason = format!("`{failed}` failed and `fail_fast` is on");
                return Next::Skip(self.pending.remove(i), reason);
            }
            let running = self.running.entry(cell.base.as_str()).or_default();
            if cell.max_parallel.is_none_or(|max| *running < max) {
                *running += 1;
                return Next::Run(self.pending.remove(i));
            }
        }
        Next::Wait
    }
}

/// Runs `actions` (one group) and returns their results, in finishing order.
pub(super) fn run_group(
    actions: &[&PlannedAction],
    jobs: Option<u32>,
    ctx: &ActionContext<'_>,
) -> Vec<ActionResult> {
    let workers = jobs
        .map_or(actions.len(), |j| (j as usize).min(actions.len()))
        .max(1);
    // One stop switch per fail_fast matrix: stopping its cells stops nothing else.
    let stops: HashMap<&str, Arc<Interrupt>> = actions
        .iter()
        .filter_map(|a| a.matrix.as_ref().filter(|c| c.fail_fast))
        .map(|c| (c.base.as_str(), ctx.interrupt.child()))
        .collect();
    let state = Mutex::new(State {
        pending: actions.to_vec(),
        running: HashMap::new(),
        failed: HashMap::new(),
        results: Vec::new(),
    });
    let changed = Condvar::new();
    let work = || worker(&state, &changed, &stops, ctx);
    if workers == 1 {
        work();
    } else {
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(work);
            }
        });
    }
    state
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .results
}

fn lock<'a, 'p>(state: &'a Mutex<State<'p>>) -> MutexGuard<'a, State<'p>> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

fn worker(
    state: &Mutex<State<'_>>,
    changed: &Condvar,
    stops: &HashMap<&str, Arc<Interrupt>>,
    ctx: &ActionContext<'_>,
) {
    loop {
        let mut guard = lock(state);
        let action = loop {
            match guard.next() {
                Next::Run(action) => break action,
                Next::Skip(action, reason) => {
                    drop(guard);
                    let result = super::skip(action, &reason, ctx);
                    guard = lock(state);
                    guard.results.push(result);
                }
                Next::Wait => guard = changed.wait(guard).unwrap_or_else(|e| e.into_inner()),
                Next::Done => return,
            }
        };
        drop(guard);
        let stop = action
            .matrix
            .as_ref()
            .and_then(|c| stops.get(c.base.as_str()));
        let result = match stop {
            Some(stop) => {
                let cell_ctx = ActionContext {
                    interrupt: stop,
                    ..ctx.clone()
                };
                super::run_and_report(action, &cell_ctx)
            }
            None => super::run_and_report(action, ctx),
        };
        let mut guard = lock(state);
        if let Some(cell) = &action.matrix {
            if let Some(running) = guard.running.get_mut(cell.base.as_str()) {
                *running -= 1;
            }
            let failed = matches!(result.status, Status::Failed | Status::TimedOut);
            if failed && cell.fail_fast && !guard.failed.contains_key(cell.base.as_str()) {
                guard.failed.insert(&cell.base, action.name.clone());
                if let Some(stop) = stop {
                    stop.stop(format!(
                        "stopped: `{}` failed and `fail_fast` is on",
                        action.name
                    ));
                }
            }
        }
        guard.results.push(result);
        drop(guard);
        changed.notify_all();
    }
}
