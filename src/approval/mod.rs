//! Manual approval gates (`approval: MESSAGE`), CodePipeline's Manual
//! approval on a laptop: on a terminal gantry pauses its bars and asks;
//! `--yes` or `GANTRY_APPROVE=1` approves; anywhere else the gate fails
//! closed with a message saying how to approve.
//!
//! The executor never prints, so a gate running on a worker thread sends an
//! [`Event::ApprovalRequested`](crate::events::Event) and waits; the reporter,
//! on the main thread, asks ([`prompt::ask`]) and replies through a channel.

mod gates;
pub mod prompt;
mod run;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::SyncSender;
use std::sync::Arc;
use std::time::Instant;

pub use gates::{implied_gate, insert_gates};
pub use run::run;

/// How this run answers approval gates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Approve every gate without asking; says what approved it.
    Approved(&'static str),
    /// Ask on the terminal.
    Ask,
    /// No terminal and no approval given: every gate fails.
    Refuse,
}

impl Policy {
    /// `--yes`/`GANTRY_APPROVE=1` approves; otherwise ask when someone can
    /// answer (gantry's own stdin is a terminal, and stdout or stderr is one
    /// to show the question on), and refuse when not (CI, pipes).
    pub fn decide(yes: bool, interactive: bool) -> Policy {
        if yes {
            Policy::Approved("--yes / GANTRY_APPROVE")
        } else if interactive {
            Policy::Ask
        } else {
            Policy::Refuse
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

    /// Whether the gate stopped waiting.
    pub fn cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }
}
