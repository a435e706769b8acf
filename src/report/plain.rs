//! Plain output for pipes and CI: one line per event, prefixed with
//! `[stage/action]`, no escape codes beyond colour (and none when colour is off).

use std::io::Write;

use super::stage_line::StageLines;
use super::{
    command_line, header, not_run_text, stage_heading, table, tail, Reporter, Stream,
    FAILURE_TAIL_LINES,
};
use crate::events::{Event, ServiceState, Status};
use crate::plan::Plan;
use crate::summary::RunSummary;
use crate::text::human_duration as human;

/// Prints events as plain lines.
pub struct PlainReporter {
    out: Box<dyn Write>,
    /// What `out` is: its colour setting, its width, where prompts go.
    stream: Stream,
    quiet: bool,
    stages: StageLines,
    /// The summary table's width, when not the terminal's.
    columns: Option<usize>,
}

impl PlainReporter {
    /// A reporter writing to `out`, which is (or stands for) `stream`;
    /// `quiet` drops output lines and passing actions.
    pub fn new(out: Box<dyn Write>, stream: Stream, quiet: bool) -> Self {
        Self {
            out,
            stream,
            quiet,
            stages: StageLines::default(),
            columns: None,
        }
    }

    /// The summary table fits `columns` (instead of the terminal).
    pub fn with_columns(mut self, columns: usize) -> Self {
        self.columns = Some(columns);
        self
    }

    /// Writes `text`, ignoring errors (a closed pipe must not stop the
    /// run; the exit code still tells).
    fn write(&mut self, text: &str) {
        let _ = self.out.write_all(text.as_bytes());
    }

    fn line(&mut self, text: String) {
        self.write(&format!("{text}\n"));
    }

    /// A service's line; a failure is followed by its log's tail.
    fn service(&mut self, name: &str, stage: Option<&str>, state: &ServiceState) {
        let label = super::service_line::label(name, stage);
        let detail = super::service_line::detail(state);
        match state {
            ServiceState::Failed { log_file, .. } => {
                let (icon, style) = table::status_style(Status::Failed, self.stream);
                self.line(format!(
                    "[{label}] {}",
                    style.apply_to(format!("{icon} {detail}"))
                ));
                for l in tail::failure_lines(log_file, FAILURE_TAIL_LINES) {
                    self.line(format!("[{label}] {l}"));
                }
            }
            ServiceState::NotRemoved { .. } | ServiceState::LeftoverNotRemoved { .. } => {
                let (icon, style) = table::status_style(Status::Warning, self.stream);
                self.line(format!(
                    "[{label}] {}",
                    style.apply_to(format!("{icon} {detail}"))
                ));
            }
            _ if self.quiet => {}
            ServiceState::Ready { .. } => {
                let (icon, style) = table::status_style(Status::Passed, self.stream);
                self.line(format!(
                    "[{label}] {}",
                    style.apply_to(format!("{icon} {detail}"))
                ));
            }
            _ => {
                let dim = self.stream.style(console::Style::new().dim());
                self.line(format!("[{label}] {}", dim.apply_to(detail)));
            }
        }
    }
}

impl Reporter for PlainReporter {
    fn start(&mut self, plan: &Plan) {
        self.stages = StageLines::new(plan);
        if !self.quiet {
            self.write(&header(plan, self.stream));
        }
    }

    fn event(&mut self, event: &Event) {
        let dim = self.stream.style(console::Style::new().dim());
        match event {
            Event::StageStarted { stage } => {
                self.stages.started(stage);
                if !self.quiet {
                    self.line(stage_heading(stage, self.stream));
                }
            }
            Event::ActionStarted {
                key,
                attempt,
                command,
            } if !self.quiet => {
                self.line(format!(
                    "[{key}] {}",
                    dim.apply_to(command_line(*attempt, command))
                ));
            }
            Event::Output { key, line } if !self.quiet => self.line(format!("[{key}] {line}")),
            Event::Note { key, text } if !self.quiet => {
                self.line(format!("[{key}] {}", dim.apply_to(text)));
            }
            Event::Retrying {
                key,
                attempt,
                reason,
            } => {
                self.line(format!("[{key}] {reason}; retrying (attempt {attempt})"));
            }
            Event::ActionFinished {
                key,
                result,
                log_file,
            } => {
                let stage_line = self.stages.finished(key, result.status, self.stream);
                let failed = result.status.is_failure();
                if self.quiet && !failed {
                    return;
                }
                let (icon, style) = table::status_style(result.status, self.stream);
                let what = not_run_text(result).unwrap_or_else(|| {
                    let (s, d) = (result.status.label(), human(result.duration));
                    match &result.reason {
                        Some(r) => format!("{s} in {d}: {r}"),
                        None => format!("{s} in {d}"),
                    }
                });
                self.line(format!(
                    "[{key}] {}",
                    style.apply_to(format!("{icon} {what}"))
                ));
                if self.quiet && failed {
                    if let Some(path) = log_file {
                        for l in tail::of_failure(result, path).iter() {
                            self.line(format!("[{key}] {l}"));
                        }
                    }
                }
                if let Some(line) = stage_line.filter(|_| !self.quiet) {
                    self.line(line);
                }
            }
            Event::ApprovalRequested {
                key,
                message,
                request,
            } => super::prompt::ask(key, message, request, self.stream),
            Event::Service { name, stage, state } => self.service(name, stage.as_deref(), state),
            _ => {}
        }
    }

    fn finish(&mut self, summary: &RunSummary) -> anyhow::Result<()> {
        let table = table::render_fixed(summary, self.stream, self.columns);
        self.write(&table);
        let _ = self.out.flush();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::{without_clock, Capture, Run};

    #[test]
    fn plain_lines_of_a_run() {
        let run = Run::new();
        let out = Capture::default();
        let reporter = PlainReporter::new(out.writer(), Stream::Stdout, false).with_columns(100);
        insta::assert_snapshot!(without_clock(&run.output(&out, reporter)));
    }

    #[test]
    fn quiet_plain_lines_are_failures_with_their_log_and_the_summary() {
        let run = Run::new();
        let out = Capture::default();
        let reporter = PlainReporter::new(out.writer(), Stream::Stdout, true).with_columns(100);
        insta::assert_snapshot!(without_clock(&run.output(&out, reporter)));
    }
}
