//! The `approval:` action kind: waits for an answer according to the run's
//! [`Policy`] and turns it into an [`Outcome`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::Policy;
use crate::events::{Answer, Event, EventSender, Request, Status, Terminal};
use crate::proc::outcome::{ActionEnv, ActionIo, Outcome};
use crate::text::human_duration;

/// How often a waiting gate checks for Ctrl-C.
const TICK: Duration = Duration::from_millis(100);
/// Extra wait past the deadline for the prompt to answer `TimedOut` itself.
const GRACE: Duration = Duration::from_secs(1);

/// Runs the gate `action` asking `message`.
pub fn run(
    action: &ActionEnv<'_>,
    message: &str,
    policy: Policy,
    events: &EventSender,
    io: &mut ActionIo<'_>,
) -> Outcome {
    match policy {
        Policy::Approved(by) => {
            io.say(&format!("{message} — approved by {by}"));
            Outcome::passed()
        }
        Policy::Refuse { in_hook: false } => Outcome::failed(format!(
            "needs approval (\"{message}\") and there is no terminal to ask on; \
             approve with `gantry run --yes` or GANTRY_APPROVE=1"
        )),
        Policy::Refuse { in_hook: true } => Outcome::failed(format!(
            "needs approval (\"{message}\") and this push has no terminal to ask on; \
             approve with GANTRY_APPROVE=1 (`GANTRY_APPROVE=1 git push`, as `gantry run --yes` does), \
             or keep this stage out of pushes with `gantry hook install --to STAGE` \
             (a stage before {})",
            action.stage
        )),
        Policy::Ask(terminal) => ask(action, message, terminal, events, io),
    }
}

fn ask(
    action: &ActionEnv<'_>,
    message: &str,
    terminal: Terminal,
    events: &EventSender,
    io: &mut ActionIo<'_>,
) -> Outcome {
    let (reply, answers) = mpsc::sync_channel(1);
    let deadline = action
        .timeout
        .and_then(crate::proc::process::deadline_after);
    let cancelled = Arc::new(AtomicBool::new(false));
    let request = Request::new(reply, terminal, deadline, cancelled.clone());
    io.note(&format!("asking: {message}"));
    let event = Event::ApprovalRequested {
        key: action.key.clone(),
        message: message.to_string(),
        request,
    };
    if events.send(event).is_err() {
        return Outcome::failed("nobody to ask for approval: the run is ending");
    }
    let answer = loop {
        match answers.recv_timeout(TICK) {
            Ok(answer) => break answer,
            Err(RecvTimeoutError::Timeout) if io.interrupt.requested() => break Answer::Cancelled,
            Err(RecvTimeoutError::Timeout) => {
                let late = deadline.and_then(|d| d.checked_add(GRACE));
                if late.is_some_and(|late| Instant::now() > late) {
                    break Answer::TimedOut;
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                break Answer::Unreadable("this output mode cannot ask".into())
            }
        }
    };
    cancelled.store(true, Ordering::SeqCst);
    outcome(answer, action, io)
}

fn outcome(answer: Answer, action: &ActionEnv<'_>, io: &mut ActionIo<'_>) -> Outcome {
    match answer {
        Answer::Approved => {
            io.say("approved at the prompt");
            Outcome::passed()
        }
        Answer::Rejected => Outcome::failed("rejected at the prompt"),
        Answer::TimedOut => Outcome {
            status: Status::TimedOut,
            ..Outcome::failed(format!(
                "no answer within {}",
                action.timeout.map(human_duration).unwrap_or_default()
            ))
        },
        Answer::Cancelled => Outcome {
            status: Status::Interrupted,
            ..Outcome::failed("interrupted while waiting for approval")
        },
        Answer::Unreadable(why) => Outcome::failed(format!(
            "could not ask for approval ({why}); approve with `gantry run --yes` or GANTRY_APPROVE=1"
        )),
    }
}
