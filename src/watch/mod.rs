//! `gantry watch`'s side of the file system: a recursive, debounced watch
//! of the pipeline root whose relevant changes ([`filter`], [`changes`])
//! cancel the run in progress and wake the command's loop.

pub mod changes;
pub mod filter;

use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer_opt, DebounceEventResult, Debouncer, NoCache};

use crate::proc::interrupt::Interrupt;
use changes::Changes;
use filter::Filter;

/// Changes closer together than this start one run.
pub const DEBOUNCE: Duration = Duration::from_millis(200);

/// Changes reported this soon after a run ended still count as made during
/// it (they were debounced, or written by its last process).
const SETTLE: Duration = Duration::from_secs(1);

/// What [`Watching::wait`] returns.
pub enum Wake {
    /// Files changed (the next run takes them: see `RunStart::changed`).
    Changed,
    /// Ctrl-C or a termination signal: stop watching.
    Quit,
}

/// A run is about to start: what started it.
pub struct RunStart {
    /// The changes it answers (empty for the first run).
    pub changed: Vec<String>,
    /// Paths just found to change during every run, no longer watched.
    pub written_by_runs: Vec<String>,
}

struct State {
    filter: Filter,
    changes: Changes,
    /// The run in progress, to cancel on a change.
    running: Option<Arc<Interrupt>>,
    ended: Option<Instant>,
    quit: bool,
    errors: Vec<String>,
}

struct Shared {
    state: Mutex<State>,
    woken: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn on_events(&self, result: DebounceEventResult) {
        let paths: Vec<PathBuf> = match result {
            // Reads (a run opening its sources) are no change.
            Ok(events) => events
                .into_iter()
                .filter(|e| !matches!(e.kind, EventKind::Access(_)))
                .flat_map(|e| e.event.paths)
                .collect(),
            Err(errors) => {
                let mut state = self.lock();
                state
                    .errors
                    .extend(errors.into_iter().map(|e| e.to_string()));
                self.woken.notify_all();
                return;
            }
        };
        // Files are read without the lock (a large one takes a while), so
        // that a signal or the run loop never waits for it.
        let (wanted, in_run) = {
            let state = self.lock();
            let in_run =
                state.running.is_some() || state.ended.is_some_and(|t| t.elapsed() < SETTLE);
            let wanted: Vec<_> = paths
                .into_iter()
                .filter_map(|path| {
                    let relative = state.filter.relevant(&path)?;
                    let before = state.changes.before(&relative)?.cloned();
                    Some((relative, path, before))
                })
                .collect();
            (wanted, in_run)
        };
        let seen: Vec<_> = wanted
            .into_iter()
            .filter_map(|(relative, path, before)| {
                Some((relative, changes::look(&path, before.as_ref())?))
            })
            .collect();
        let mut state = self.lock();
        let mut changed = false;
        for (relative, now) in seen {
            changed |= state.changes.note(relative, now, in_run);
        }
        if changed {
            if let Some(run) = &state.running {
                run.trigger();
            }
            self.woken.notify_all();
        }
    }
}

/// A live watch of the pipeline root.
pub struct Watching {
    shared: Arc<Shared>,
    _debouncer: Debouncer<RecommendedWatcher, NoCache>,
}

impl Watching {
    /// Starts watching `filter`'s root.
    pub fn start(filter: Filter) -> anyhow::Result<Watching> {
        let root = filter.root().to_path_buf();
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                filter,
                changes: Changes::default(),
                running: None,
                ended: None,
                quit: false,
                errors: Vec::new(),
            }),
            woken: Condvar::new(),
        });
        let handler = Arc::clone(&shared);
        // No file-id cache: it would walk the whole tree up front, and only
        // paths matter here, not renames.
        let mut debouncer = new_debouncer_opt::<_, RecommendedWatcher, NoCache>(
            DEBOUNCE,
            None,
            move |result| handler.on_events(result),
            NoCache,
            notify::Config::default(),
        )?;
        debouncer
            .watch(&root, RecursiveMode::Recursive)
            .map_err(|e| anyhow::anyhow!("cannot watch {}: {e}", root.display()))?;
        Ok(Watching {
            shared,
            _debouncer: debouncer,
        })
    }

    /// A handle that stops the watch from a signal handler: it cancels the
    /// run in progress and makes [`Watching::wait`] return [`Wake::Quit`].
    pub fn quitter(&self) -> impl Fn() + Send + 'static {
        let shared = Arc::clone(&self.shared);
        move || {
            let mut state = shared.lock();
            state.quit = true;
            if let Some(run) = &state.running {
                run.user_signal();
            }
            shared.woken.notify_all();
        }
    }

    /// Replaces the filter (the config may have changed what is watched).
    pub fn set_filter(&self, filter: Filter) {
        self.shared.lock().filter = filter;
    }

    /// A run cancelled by `interrupt` starts now; `None` if watching stopped.
    pub fn start_run(&self, interrupt: &Arc<Interrupt>) -> Option<RunStart> {
        let mut state = self.shared.lock();
        if state.quit {
            return None;
        }
        state.running = Some(Arc::clone(interrupt));
        let (changed, written_by_runs) = state.changes.start_run();
        Some(RunStart {
            changed,
            written_by_runs,
        })
    }

    /// The run started last has ended.
    pub fn end_run(&self) {
        let mut state = self.shared.lock();
        state.running = None;
        state.ended = Some(Instant::now());
    }

    /// Waits for a change (returned at once if one came during the last
    /// run) or for the signal to stop. Watcher errors are handed to `warn`.
    pub fn wait(&self, mut warn: impl FnMut(&str)) -> Wake {
        let mut state = self.shared.lock();
        loop {
            for error in std::mem::take(&mut state.errors) {
                warn(&error);
            }
            if state.quit {
                return Wake::Quit;
            }
            if state.changes.is_pending() {
                return Wake::Changed;
            }
            state = self
                .shared
                .woken
                .wait(state)
                .unwrap_or_else(|e| e.into_inner());
        }
    }
}
