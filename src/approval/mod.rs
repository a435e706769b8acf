//! Manual approval gates (`approval: MESSAGE`), CodePipeline's Manual
//! approval on a laptop: on a terminal gantry pauses its bars and asks;
//! `--yes` or `GANTRY_APPROVE=1` approves; inside the pre-push hook (whose
//! stdin is git's pipe) it asks on the controlling terminal, `/dev/tty`;
//! anywhere else the gate fails closed with a message saying how to approve.
//!
//! The executor never prints, so a gate running on a worker thread sends an
//! [`Event::ApprovalRequested`](crate::events::Event) carrying a
//! [`Request`](crate::events::Request) and waits; the reporter, on the main
//! thread, asks (`report::prompt`) and answers through the request.

mod run;

pub use run::run;

use crate::events::Terminal;

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
        } else if in_hook && crate::term::has_controlling_terminal() {
            Policy::Ask(Terminal::Controlling)
        } else {
            Policy::Refuse { in_hook }
        }
    }
}
