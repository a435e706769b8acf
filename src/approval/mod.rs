//! Manual approval gates (`approval: MESSAGE`), CodePipeline's Manual
//! approval on a laptop: on a terminal gantry pauses its bars and asks;
//! `--yes` or `GANTRY_APPROVE=1` approves; inside the pre-push hook (whose
//! stdin is git's pipe) it asks on the controlling terminal, `/dev/tty`;
//! anywhere else the gate fails closed with a message saying how to approve.
//!
//! The executor never prints, so a gate running on a worker thread sends an
//! [`Event::ApprovalRequested`](crate::events::Event) and waits; the reporter,
//! on the main thread, asks ([`crate::report::prompt::ask`]) and replies through a channel.

mod run;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::SyncSender;
use std::sync::Arc;
use std::time::Instant;

pub use run::run;

/// How this run answers approval gates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Approve every gate without asking; says what approved it.
    Approved(&'static str),
    /// Ask on a terminal.
    Ask(Terminal),
    /// No terminal and no approval given: every gate fails.
    Refuse {
        /// The run is the pre-push hook's: the message says how to approve a push.
        in_hook: bool,
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

impl Policy {
    /// `--yes`/`GANTRY_APPROVE=1` approves; otherwise ask when someone can
    /// answer (gantry's own stdin is a terminal, and stdout or stderr is one
    /// to show the question on; or, in the pre-push hook, the process has a
    /// controlling terminal), and refuse when not (CI, pipes, no terminal).
    pub fn decide(yes: bool, interactive: bool, in_hook: bool) -> Policy {
        if yes {
            Policy::Approved("--yes / GANTRY_APPROVE")
        } else if interactive {
            Policy::Ask(Terminal::Stdin)
        } else if in_hook && crate::report::prompt::has_controlling_terminal() {
            Policy::Ask(Terminal::Controlling)
        } else {
            Policy::Refuse { in_hook }
        }
    }
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
