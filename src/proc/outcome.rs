//! What every action kind hands back, and what it is given to do its work.

use std::fs::File;
use std::io::Write;
use std::time::Duration;

use super::interrupt::Interrupt;
use super::process::{self, Exit, Finished, OutputSink, ProcessSpec};
use crate::config::duration::human;
use crate::events::Status;

/// How one attempt of an action ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Passed, failed, timed out or interrupted.
    pub status: Status,
    /// The exit code, when a process exited normally.
    pub exit_code: Option<i32>,
    /// Why it ended so, for people.
    pub reason: Option<String>,
    /// Named results for the summary and later actions (e.g. `image`, `digest`).
    pub outputs: Vec<(String, String)>,
}

impl Outcome {
    /// A passed attempt with no outputs.
    pub fn passed() -> Self {
        Self {
            status: Status::Passed,
            exit_code: None,
            reason: None,
            outputs: Vec::new(),
        }
    }

    /// A failed attempt, with why.
    pub fn failed(reason: impl Into<String>) -> Self {
        Self {
            status: Status::Failed,
            reason: Some(reason.into()),
            ..Self::passed()
        }
    }

    /// The outcome of a supervised process; `timeout` names the limit in the reason.
    pub fn of_process(finished: &Finished, timeout: Option<Duration>) -> Self {
        let mut outcome = match &finished.exit {
            Exit::Code(0) => Self {
                exit_code: Some(0),
                ..Self::passed()
            },
            Exit::Code(code) => Self {
                exit_code: Some(*code),
                ..Self::failed(format!("exit code {code}"))
            },
            Exit::Signal(signal) => Self::failed(format!("killed by signal {signal}")),
            Exit::TimedOut => Self {
                status: Status::TimedOut,
                ..Self::failed(format!(
                    "timed out after {}",
                    timeout.map(human).unwrap_or_default()
                ))
            },
            Exit::Interrupted => Self {
                status: Status::Interrupted,
                ..Self::failed("interrupted")
            },
            Exit::SpawnFailed(why) | Exit::Unwatchable(why) => Self::failed(why.clone()),
        };
        if finished.leftovers_stopped {
            outcome.add_reason(LEFTOVERS);
        }
        if !finished.orphans_stopped.is_empty() {
            outcome.add_reason(&super::orphans::describe(&finished.orphans_stopped));
        }
        outcome
    }

    /// Appends `text` to the reason.
    pub fn add_reason(&mut self, text: &str) {
        self.reason = Some(match self.reason.take() {
            Some(r) => format!("{r}; {text}"),
            None => text.to_string(),
        });
    }
}

/// Writes `gantry: text` into an action's log, secrets masked like the
/// action's output.
pub fn log_note(mut log: &File, text: &str) {
    let _ = writeln!(log, "gantry: {}", crate::secrets::mask(text));
}

/// The note for background processes stopped after the main one exited.
pub const LEFTOVERS: &str = "stopped background processes left running by the action";

/// What an action kind gets to do its work: the action's output stream
/// (masked, logged, shown live), the log for gantry's own notes, and the
/// run's interrupt.
pub struct ActionIo<'a> {
    /// Where the action's output goes.
    pub output: &'a mut dyn OutputSink,
    /// Ctrl-C state; long-running kinds must stop when it is requested.
    pub interrupt: &'a Interrupt,
    pub(crate) log: &'a File,
}

impl ActionIo<'_> {
    /// Shows a line from gantry in the action's output (and log), e.g. which
    /// builder was chosen.
    pub fn say(&mut self, text: &str) {
        self.output.write(format!("gantry: {text}\n").as_bytes());
    }

    /// Writes a note into the log only.
    pub fn note(&mut self, text: &str) {
        log_note(self.log, text);
    }

    /// Runs a process with its output going to the action's output.
    pub fn run_process(&mut self, spec: &ProcessSpec) -> Finished {
        process::run(spec, self.output, self.interrupt)
    }
}
