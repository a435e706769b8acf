//! Reporters turn executor events and the run's summary into output. They
//! are the only code of a run that prints or writes reports: the display
//! (live bars on a terminal, plain prefixed lines elsewhere), run.json and
//! the `--output json` summary, JUnit, GitHub's annotations and step
//! summary. Each writes to a `Write` it is given; a run reaches them all
//! through one [`FanOut`], which masks secrets first.

pub mod dry_run;
pub mod estimate;
mod fanout;
pub mod github;
mod json;
pub mod junit;
mod live;
pub mod masked;
mod overall;
mod plain;
pub mod prompt;
mod service_line;
pub mod sink;
mod stage_line;
pub mod table;
mod tail;

#[cfg(test)]
mod fixture;

use std::io::Write;

pub use fanout::FanOut;
pub use json::JsonSummary;
pub use junit::Junit;
pub use live::LiveReporter;
pub use plain::PlainReporter;

use crate::events::Event;
use crate::plan::Plan;
use crate::summary::RunSummary;

/// Lines of a failed action's log shown under it.
pub const FAILURE_TAIL_LINES: usize = 20;

/// Consumes a run's events and its summary. A reporter that only writes
/// the summary leaves `start` and `event` as they are.
pub trait Reporter {
    /// Called once before anything runs.
    fn start(&mut self, _plan: &Plan) {}
    /// Called for every event, in order.
    fn event(&mut self, _event: &Event) {}
    /// Called once at the end with the summary; an error means this
    /// report could not be written (the run's outcome stands).
    fn finish(&mut self, summary: &RunSummary) -> anyhow::Result<()>;
}

/// Summary formats of `gantry run` (and `deploy`, `retry`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Progress and a summary table for people.
    Human,
    /// The run summary as one JSON document on stdout; progress goes to stderr.
    Json,
}

/// The stream human output goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error (when stdout carries JSON).
    Stderr,
}

impl Stream {
    /// Writes `text` to the stream, ignoring errors (a closed pipe must not
    /// stop the run; the exit code still tells).
    pub fn write(self, text: &str) {
        let _ = self.writer().write_all(text.as_bytes());
    }

    /// A writer to the stream.
    pub fn writer(self) -> Box<dyn Write> {
        match self {
            Stream::Stdout => Box::new(std::io::stdout()),
            Stream::Stderr => Box::new(std::io::stderr()),
        }
    }

    /// A console style that honours this stream's colour setting.
    pub fn style(self, style: console::Style) -> console::Style {
        match self {
            Stream::Stdout => style.for_stdout(),
            Stream::Stderr => style.for_stderr(),
        }
    }
}

/// `==> stage`, bold cyan.
pub fn stage_heading(stage: &str, stream: Stream) -> String {
    let style = stream.style(console::Style::new().bold().cyan());
    style.apply_to(format!("==> {stage}")).to_string()
}

/// `$ command`, prefixed `attempt N: ` for a retry.
pub fn command_line(attempt: u32, command: &str) -> String {
    if attempt > 1 {
        format!("attempt {attempt}: $ {command}")
    } else {
        format!("$ {command}")
    }
}

/// `skipped: reason` or `cached: reason` for an action that did not run.
pub fn not_run_text(result: &crate::events::ActionResult) -> Option<String> {
    use crate::events::Status;
    match (result.status, &result.reason) {
        (s @ (Status::Skipped | Status::Cached), Some(r)) => Some(format!("{}: {r}", s.label())),
        _ => None,
    }
}

/// The header line: pipeline, run id, and the git context.
pub fn header(plan: &Plan, stream: Stream) -> String {
    let bold = stream.style(console::Style::new().bold());
    let dim = stream.style(console::Style::new().dim());
    let git = if plan.git.in_repo {
        let branch = if plan.git.branch.is_empty() {
            "detached HEAD"
        } else {
            plan.git.branch.as_str()
        };
        let dirty = if plan.git.dirty {
            ", uncommitted changes"
        } else {
            ""
        };
        format!("{branch} @ {}{dirty}", plan.git.short_sha)
    } else {
        "not a git repository: ${git.*} variables are empty".to_string()
    };
    format!(
        "{} {} {}\n",
        bold.apply_to(format!("gantry ▸ {}", plan.pipeline)),
        dim.apply_to(format!("run {}", plan.run_id)),
        dim.apply_to(format!("({git})"))
    )
}
