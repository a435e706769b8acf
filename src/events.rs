//! What the executor tells the reporters. The executor never prints; the
//! reporters (live bars, plain lines, JSON) never run anything. An approval
//! gate's question travels as an event too ([`Request`]); the reporter asks
//! and sends back the [`Answer`].

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::SyncSender;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

pub mod queue;

/// Where the executor sends its events (to the reporting thread).
pub type EventSender = queue::Sender<Event>;

/// How an action (or a whole run) ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Exited 0.
    Passed,
    /// Exited non-zero, was killed by a signal, or could not start.
    Failed,
    /// Killed at its `timeout:`.
    TimedOut,
    /// Not run (not selected after a failure, or after an interrupt).
    Skipped,
    /// Stopped by Ctrl-C or SIGTERM.
    Interrupted,
    /// Failed, but `continue_on_error: true` made it a warning.
    Warning,
    /// Skipped because its inputs did not change since a successful run.
    Cached,
}

impl Status {
    /// The word shown in summaries: `passed`, `timed out`…
    pub fn label(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::TimedOut => "timed out",
            Status::Skipped => "skipped",
            Status::Interrupted => "interrupted",
            Status::Warning => "warning",
            Status::Cached => "cached",
        }
    }

    /// Failed or timed out: what retries, warnings and failure reports are about.
    pub fn is_failure(self) -> bool {
        matches!(self, Status::Failed | Status::TimedOut)
    }

    /// The exit code of a run that ended with this status: 0 passed, 130
    /// interrupted, 1 otherwise.
    pub fn exit_code(self) -> u8 {
        match self {
            Status::Passed => crate::error::EXIT_OK,
            Status::Interrupted => crate::error::EXIT_INTERRUPTED,
            _ => crate::error::EXIT_FAILURE,
        }
    }

    /// Whether this status fails the stage it belongs to.
    pub fn fails_stage(self) -> bool {
        matches!(
            self,
            Status::Failed | Status::TimedOut | Status::Interrupted
        )
    }
}

/// `stage/action`, the name reporters show.
pub type ActionKey = Arc<str>;

/// The result of one action.
#[derive(Clone, Debug, Serialize)]
pub struct ActionResult {
    /// The stage's name.
    pub stage: String,
    /// The action's name.
    pub action: String,
    /// How it ended.
    pub status: Status,
    /// Wall time over all attempts.
    #[serde(rename = "duration_ms", serialize_with = "as_millis")]
    pub duration: Duration,
    /// Exit code of the last attempt, when it exited normally.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// How many times it ran (1 + retries used); 0 when skipped.
    pub attempts: u32,
    /// The log file, relative to the pipeline root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log: Option<PathBuf>,
    /// Why it ended the way it did, e.g. `exit code 2` or `an earlier stage failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Named results, e.g. an image's tags and digest.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub outputs: BTreeMap<String, String>,
    /// Why the cache ran it, e.g. `examples/bad.rs is new` (for a cached
    /// action the reason says why it was skipped).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<String>,
    /// The lines of its log shown under a failure, read once for every
    /// reporter (see `report::FanOut`); `None` until read.
    #[serde(skip)]
    pub failure_tail: Option<Vec<String>>,
}

pub(crate) fn as_millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis() as u64)
}

/// Something that happened during a run, in the order it happened.
#[derive(Clone, Debug)]
pub enum Event {
    /// A stage begins.
    StageStarted {
        /// The stage's name.
        stage: String,
    },
    /// An action (attempt) begins.
    ActionStarted {
        /// `stage/action`.
        key: ActionKey,
        /// 1 for the first run, 2 for the first retry…
        attempt: u32,
        /// The first line of what it runs, for display.
        command: String,
    },
    /// One line of an action's output, secrets already masked.
    Output {
        /// `stage/action`.
        key: ActionKey,
        /// The line, without its line ending.
        line: String,
    },
    /// Something gantry says about an action, e.g. why the cache did not skip it.
    Note {
        /// `stage/action`.
        key: ActionKey,
        /// The text.
        text: String,
    },
    /// An attempt failed and the action will run again.
    Retrying {
        /// `stage/action`.
        key: ActionKey,
        /// The attempt about to start.
        attempt: u32,
        /// Why the previous one failed.
        reason: String,
    },
    /// An action reported how far its work is (custom actions' `progress`).
    Progress {
        /// `stage/action`.
        key: ActionKey,
        /// 0–100.
        percent: u8,
    },
    /// An approval gate waits for an answer: the reporter asks the person at
    /// the terminal (with its bars paused) and answers through `request`.
    ApprovalRequested {
        /// `stage/action`.
        key: ActionKey,
        /// The question.
        message: String,
        /// Where the answer goes, and until when to wait.
        request: Request,
    },
    /// An action is done (or skipped).
    ActionFinished {
        /// `stage/action`.
        key: ActionKey,
        /// Its result.
        result: ActionResult,
        /// The absolute log path, for showing the tail on failure.
        log_file: Option<PathBuf>,
    },
    /// A service (`services:`) is starting, ready, failed or stopped.
    Service {
        /// The service's name.
        name: String,
        /// The stage it belongs to; `None`: the pipeline's.
        stage: Option<String>,
        /// What happened.
        state: ServiceState,
    },
}

/// A service's life, as reporters show it.
#[derive(Clone, Debug)]
pub enum ServiceState {
    /// Being started.
    Starting {
        /// What runs, for display (an engine command line or the host command).
        command: String,
    },
    /// Ready: actions that need it run now.
    Ready {
        /// From start to ready.
        after: Duration,
    },
    /// It did not become ready; the stage that needed it fails.
    Failed {
        /// Why.
        reason: String,
        /// Its log, for showing the tail.
        log_file: PathBuf,
    },
    /// Stopped (and its container removed).
    Stopped,
    /// Stopped, but removing its container did not answer in time (or
    /// could not start): the container may be left.
    NotRemoved {
        /// The container's name.
        container: String,
        /// Why (the removal command and its limit, or that it was
        /// interrupted).
        why: String,
    },
    /// Removing the service containers left by a gantry that is gone
    /// (before this service's container starts) did not answer in time,
    /// could not start or was interrupted: they may be left.
    LeftoverNotRemoved {
        /// The leftover container; `None`: they could not even be listed.
        container: Option<String>,
        /// Why (the engine command and its limit).
        why: String,
    },
}

/// Where a gate asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Terminal {
    /// gantry's own stdin, a terminal.
    Stdin,
    /// The controlling terminal (`/dev/tty`), in the pre-push hook.
    Controlling,
}

/// How a person answered (or did not).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// `y`/`yes`.
    Approved,
    /// `n`/`no`, an empty line, or the end of input.
    Rejected,
    /// No answer before the gate's `timeout:`.
    TimedOut,
    /// The run was interrupted while asking.
    Cancelled,
    /// The terminal could not be read.
    Unreadable(String),
}

/// A pending question: the reply channel, the deadline, and a flag the gate
/// sets when it stops waiting (Ctrl-C), so the prompt stops too.
#[derive(Clone, Debug)]
pub struct Request {
    reply: SyncSender<Answer>,
    terminal: Terminal,
    deadline: Option<Instant>,
    cancelled: Arc<AtomicBool>,
}

impl Request {
    /// A question for the gate that waits on `reply`: ask on `terminal`
    /// until `deadline`, or until the gate sets `cancelled`.
    pub fn new(
        reply: SyncSender<Answer>,
        terminal: Terminal,
        deadline: Option<Instant>,
        cancelled: Arc<AtomicBool>,
    ) -> Self {
        Self {
            reply,
            terminal,
            deadline,
            cancelled,
        }
    }

    /// Sends the answer to the waiting gate (ignored if it stopped waiting).
    pub fn answer(&self, answer: Answer) {
        let _ = self.reply.try_send(answer);
    }

    /// When to stop waiting, if the gate has a `timeout:`.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Where to ask.
    pub fn terminal(&self) -> Terminal {
        self.terminal
    }

    /// Whether the gate stopped waiting.
    pub fn cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }
}
