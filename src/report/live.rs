//! Live output for terminals: one spinner line per running action with its
//! elapsed time and latest output line; finished actions become ✔/✘ lines
//! above the bars, failures followed by the tail of their log.

use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::estimate::{self, Estimates};
use super::overall::Overall;
use super::stage_line::StageLines;
use super::{
    command_line, header, not_run_text, stage_heading, table, tail, Reporter, Stream,
    FAILURE_TAIL_LINES,
};
use crate::events::{ActionKey, Event, ServiceState, Status};
use crate::plan::Plan;
use crate::summary::RunSummary;
use crate::text::human_duration as human;

/// Draws live progress bars.
pub struct LiveReporter {
    /// Where lines go when no bars are drawn (`-q`, or no terminal), and
    /// the summary table.
    out: Box<dyn Write>,
    /// The terminal the bars are drawn on.
    stream: Stream,
    multi: MultiProgress,
    bars: HashMap<ActionKey, ProgressBar>,
    verbose: bool,
    quiet: bool,
    estimates: Estimates,
    /// Where the run records that make the estimates are, read at the start.
    history: Option<std::path::PathBuf>,
    stages: StageLines,
    /// The run's overall line, below the action bars.
    overall: Option<(Overall, ProgressBar)>,
    /// The summary table's width, when not the terminal's.
    columns: Option<usize>,
}

/// Longest action name shown on a bar; longer ones end in `…`, so that a
/// bar fits on an 80-column line.
const NAME_WIDTH: usize = 28;

impl LiveReporter {
    /// Bars on `stream`, other output to `out` (the same stream, or in
    /// tests a buffer standing for it); `verbose` also prints every output
    /// line.
    pub fn new(out: Box<dyn Write>, stream: Stream, verbose: bool, quiet: bool) -> Self {
        let target = if quiet {
            ProgressDrawTarget::hidden()
        } else {
            match stream {
                Stream::Stdout => ProgressDrawTarget::stdout(),
                Stream::Stderr => ProgressDrawTarget::stderr(),
            }
        };
        Self {
            out,
            stream,
            multi: MultiProgress::with_draw_target(target),
            bars: HashMap::new(),
            verbose,
            quiet,
            estimates: Estimates::default(),
            history: None,
            stages: StageLines::default(),
            overall: None,
            columns: None,
        }
    }

    /// The summary table fits `columns` (instead of the terminal).
    pub fn with_columns(mut self, columns: usize) -> Self {
        self.columns = Some(columns);
        self
    }

    /// Draws a bar with an estimate for actions that passed before, in
    /// the run records of the pipeline whose state lives in `state_root`.
    pub fn with_history(mut self, state_root: &std::path::Path) -> Self {
        self.history = Some(state_root.to_path_buf());
        self
    }

    fn println(&mut self, text: String) {
        if self.quiet || self.multi.is_hidden() {
            let _ = writeln!(self.out, "{text}");
        } else {
            let _ = self.multi.println(text);
        }
    }

    fn bar(&mut self, key: &ActionKey) -> ProgressBar {
        if let Some(bar) = self.bars.get(key) {
            return bar.clone();
        }
        let style = match self.estimates.get(key) {
            Some(expected) => ProgressStyle::with_template(
                "{spinner:.cyan} {prefix:.bold} {estimate} {wide_msg:.dim}",
            )
            .map(|style| {
                style.with_key(
                    "estimate",
                    move |state: &indicatif::ProgressState, out: &mut dyn std::fmt::Write| {
                        let elapsed = state.elapsed();
                        let _ = write!(
                            out,
                            "{} {:>4} / ~{}",
                            estimate::bar(elapsed, expected, 10),
                            estimate::seconds(elapsed),
                            estimate::seconds(expected)
                        );
                    },
                )
            }),
            None => ProgressStyle::with_template(
                "{spinner:.cyan} {prefix:.bold} {elapsed:>4.dim} {wide_msg:.dim}",
            ),
        }
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bar = ProgressBar::new_spinner().with_style(style);
        let bar = match &self.overall {
            Some((_, below)) => self.multi.insert_before(below, bar),
            None => self.multi.add(bar),
        };
        bar.set_prefix(console::truncate_str(key, NAME_WIDTH, "…").into_owned());
        bar.enable_steady_tick(Duration::from_millis(100));
        self.bars.insert(key.clone(), bar.clone());
        bar
    }

    /// Turns the action's spinner into a bar showing `percent`.
    fn progress(&mut self, key: &ActionKey, percent: u8) {
        let Some(bar) = self.bars.get(key) else {
            return;
        };
        if bar.length() != Some(100) {
            let style = ProgressStyle::with_template(
                "{spinner:.cyan} {prefix:.bold} {elapsed:>4.dim} {bar:20.cyan/blue} {pos:>3}% {wide_msg:.dim}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.set_length(100);
        }
        bar.set_position(u64::from(percent.min(100)));
    }

    fn finished(&mut self, key: &ActionKey, event: &Event) {
        let Event::ActionFinished {
            result, log_file, ..
        } = event
        else {
            return;
        };
        if let Some(bar) = self.bars.remove(key) {
            bar.finish_and_clear();
            self.multi.remove(&bar);
        }
        if let Some((overall, _)) = &self.overall {
            overall.action_finished(key);
        }
        self.action_line(key, result, log_file.as_deref());
        let line = self.stages.finished(key, result.status, self.stream);
        if let Some(line) = line.filter(|_| !self.quiet) {
            self.println(line);
        }
    }

    /// The ✔/✘ line of a finished action, and the log tail of a failure.
    fn action_line(
        &mut self,
        key: &ActionKey,
        result: &crate::events::ActionResult,
        log_file: Option<&std::path::Path>,
    ) {
        let failed = result.status.is_failure();
        if self.quiet && !failed {
            return;
        }
        let (icon, style) = table::status_style(result.status, self.stream);
        let dim = self.stream.style(console::Style::new().dim());
        let detail = not_run_text(result).unwrap_or_else(|| match &result.reason {
            Some(r) => format!("{}  {r}", human(result.duration)),
            None => human(result.duration),
        });
        self.println(format!(
            "{} {}  {}",
            style.apply_to(icon),
            style.apply_to(console::truncate_str(key, 2 * NAME_WIDTH, "…")),
            dim.apply_to(detail)
        ));
        if failed {
            if let Some(path) = log_file {
                for line in tail::of_failure(result, path).iter() {
                    self.println(format!("  {} {line}", dim.apply_to("│")));
                }
            }
        }
    }
}

impl LiveReporter {
    /// A service's spinner while it starts, then its own line; a failure
    /// is followed by its log's tail.
    fn service(&mut self, name: &str, stage: Option<&str>, state: &ServiceState) {
        let label = super::service_line::label(name, stage);
        let key: ActionKey = label.as_str().into();
        let detail = super::service_line::detail(state);
        if let ServiceState::Starting { .. } = state {
            self.bar(&key).set_message(one_line(&detail));
            return;
        }
        if let Some(bar) = self.bars.remove(&key) {
            bar.finish_and_clear();
            self.multi.remove(&bar);
        }
        let dim = self.stream.style(console::Style::new().dim());
        match state {
            ServiceState::Failed { log_file, .. } => {
                let (icon, style) = table::status_style(Status::Failed, self.stream);
                self.println(format!(
                    "{} {}  {}",
                    style.apply_to(icon),
                    style.apply_to(&label),
                    dim.apply_to(&detail)
                ));
                for line in tail::failure_lines(log_file, FAILURE_TAIL_LINES) {
                    self.println(format!("  {} {line}", dim.apply_to("│")));
                }
            }
            ServiceState::NotRemoved { .. } | ServiceState::LeftoverNotRemoved { .. } => {
                let (icon, style) = table::status_style(Status::Warning, self.stream);
                self.println(format!(
                    "{} {}  {}",
                    style.apply_to(icon),
                    style.apply_to(&label),
                    style.apply_to(&detail)
                ));
            }
            _ if self.quiet => {}
            ServiceState::Ready { .. } => {
                let (icon, style) = table::status_style(Status::Passed, self.stream);
                self.println(format!(
                    "{} {}  {}",
                    style.apply_to(icon),
                    label,
                    dim.apply_to(&detail)
                ));
            }
            _ => self.println(format!(
                "{} {}  {}",
                dim.apply_to("■"),
                label,
                dim.apply_to(&detail)
            )),
        }
    }
}

impl Reporter for LiveReporter {
    fn start(&mut self, plan: &Plan) {
        self.stages = StageLines::new(plan);
        if !self.quiet && !self.multi.is_hidden() {
            if let Some(root) = &self.history {
                let keys = plan.stages.iter().flat_map(|s| s.groups.iter().flatten());
                self.estimates = Estimates::from_history(root, keys.map(|a| &*a.key));
            }
            let overall = Overall::new(plan, &self.estimates);
            let line = overall.clone();
            let style = ProgressStyle::with_template("{overall:.dim}")
                .map(|style| {
                    style.with_key(
                        "overall",
                        move |_: &indicatif::ProgressState, out: &mut dyn std::fmt::Write| {
                            let _ = out.write_str(&line.line());
                        },
                    )
                })
                .unwrap_or_else(|_| ProgressStyle::default_spinner());
            let bar = self.multi.add(ProgressBar::new_spinner().with_style(style));
            bar.enable_steady_tick(Duration::from_millis(250));
            self.overall = Some((overall, bar));
        }
        if !self.quiet {
            self.println(header(plan, self.stream).trim_end().to_string());
        }
    }

    fn event(&mut self, event: &Event) {
        match event {
            Event::StageStarted { stage } => {
                self.stages.started(stage);
                if let Some((overall, _)) = &self.overall {
                    overall.stage_started(stage);
                }
                if !self.quiet {
                    self.println(stage_heading(stage, self.stream));
                }
            }
            Event::ActionStarted {
                key,
                attempt,
                command,
            } => {
                let bar = self.bar(key);
                bar.set_message(command_line(*attempt, command));
                if let Some((overall, _)) = &self.overall {
                    overall.action_started(key);
                }
            }
            Event::Output { key, line } => {
                if self.verbose {
                    self.println(format!("[{key}] {line}"));
                }
                if let Some(bar) = self.bars.get(key) {
                    bar.set_message(one_line(line));
                }
            }
            Event::Retrying {
                key,
                attempt,
                reason,
            } => {
                self.println(format!("  {key}: {reason}; retrying (attempt {attempt})"));
            }
            Event::Note { key, text } if !self.quiet => {
                let dim = self.stream.style(console::Style::new().dim());
                self.println(format!(
                    "{} {}  {}",
                    dim.apply_to("▶"),
                    console::truncate_str(key, 2 * NAME_WIDTH, "…"),
                    dim.apply_to(text)
                ));
            }
            Event::ActionFinished { key, .. } => self.finished(key, event),
            Event::Progress { key, percent } => self.progress(key, *percent),
            Event::Service { name, stage, state } => self.service(name, stage.as_deref(), state),
            Event::ApprovalRequested {
                key,
                message,
                request,
            } => {
                let stream = self.stream;
                self.multi
                    .suspend(|| super::prompt::ask(key, message, request, stream));
            }
            _ => {}
        }
    }

    fn finish(&mut self, summary: &RunSummary) -> anyhow::Result<()> {
        for (_, bar) in self.bars.drain() {
            bar.finish_and_clear();
        }
        if let Some((_, bar)) = self.overall.take() {
            bar.finish_and_clear();
        }
        let _ = self.multi.clear();
        let _ = self
            .out
            .write_all(table::render_fixed(summary, self.stream, self.columns).as_bytes());
        let _ = self.out.flush();
        Ok(())
    }
}

#[cfg(test)]
impl LiveReporter {
    /// Draws no bars (as when the stream is no terminal): everything the
    /// reporter prints goes to its writer.
    fn without_bars(self) -> Self {
        self.multi.set_draw_target(ProgressDrawTarget::hidden());
        self
    }
}

/// Bar messages must stay on one line.
fn one_line(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || *c == '\t')
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::{without_clock, Capture, Run};

    /// What is left of the live output without bars: the lines printed
    /// above them, and the summary table.
    #[test]
    fn live_lines_of_a_run() {
        let run = Run::new();
        let out = Capture::default();
        let reporter = LiveReporter::new(out.writer(), Stream::Stdout, false, false)
            .without_bars()
            .with_columns(100);
        insta::assert_snapshot!(without_clock(&run.output(&out, reporter)));
    }
}
