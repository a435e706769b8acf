//! GitHub Actions: `::error` annotations for failed actions and a Markdown
//! summary appended to `$GITHUB_STEP_SUMMARY`, when `GITHUB_ACTIONS=true`.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{tail, Reporter};
use crate::events::Status;
use crate::summary::RunSummary;
use crate::text::human_duration as human;

/// Whether gantry runs inside GitHub Actions.
pub fn active() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

/// One `::error` line per failed or timed-out action, with its log tail.
pub fn annotations(summary: &RunSummary, root: &Path) -> String {
    let mut out = String::new();
    for a in summary.stages.iter().flat_map(|s| &s.actions) {
        if !a.status.is_failure() {
            continue;
        }
        let mut message = format!("{} {}", a.status.label(), a.reason.as_deref().unwrap_or(""));
        if let Some(log) = &a.log {
            let lines = tail::of_failure(a, &root.join(log));
            let _ = write!(message, "\n{}\n(log: {})", lines.join("\n"), log.display());
        }
        let _ = writeln!(
            out,
            "::error title=gantry {}/{}::{}",
            escape(&a.stage, true),
            escape(&a.action, true),
            escape(&message, false)
        );
    }
    out
}

/// The run as a Markdown table for the job summary.
pub fn step_summary(summary: &RunSummary) -> String {
    let verdict = match summary.status {
        Status::Passed => "✔ passed",
        Status::Interrupted => "■ interrupted",
        _ => "✘ failed",
    };
    let mut md = format!(
        "### gantry ▸ {} — {verdict} in {} (run {})\n\n| stage | action | status | duration | note |\n| --- | --- | --- | --- | --- |\n",
        summary.pipeline,
        human(summary.duration),
        summary.run_id
    );
    for a in summary.stages.iter().flat_map(|s| &s.actions) {
        let note = a.reason.as_deref().unwrap_or("").replace('|', "\\|");
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {note} |",
            a.stage,
            a.action,
            a.status.label(),
            human(a.duration)
        );
    }
    md
}

/// Writes the `::error` annotations (to the output GitHub reads them from).
pub struct Annotations<W: Write> {
    out: W,
    /// Where the actions' log paths are relative to.
    root: PathBuf,
}

impl<W: Write> Annotations<W> {
    /// A reporter writing to `out`; `root` resolves the log paths.
    pub fn new(out: W, root: &Path) -> Self {
        Annotations {
            out,
            root: root.to_path_buf(),
        }
    }
}

impl<W: Write> Reporter for Annotations<W> {
    fn finish(&mut self, summary: &RunSummary) -> anyhow::Result<()> {
        // Like the display: a closed pipe must not count as a failure.
        let _ = self
            .out
            .write_all(annotations(summary, &self.root).as_bytes())
            .and_then(|()| self.out.flush());
        Ok(())
    }
}

/// Writes the job summary (to the file `$GITHUB_STEP_SUMMARY` names).
pub struct StepSummary<W: Write> {
    out: W,
}

impl<W: Write> StepSummary<W> {
    /// A reporter writing to `out`.
    pub fn new(out: W) -> Self {
        StepSummary { out }
    }
}

impl<W: Write> Reporter for StepSummary<W> {
    fn finish(&mut self, summary: &RunSummary) -> anyhow::Result<()> {
        self.out
            .write_all(step_summary(summary).as_bytes())
            .and_then(|()| self.out.flush())
            .context("cannot append to the GitHub step summary (GITHUB_STEP_SUMMARY)")
    }
}

/// Escapes workflow-command data (and properties, which also escape `:` and `,`).
fn escape(text: &str, property: bool) -> String {
    let text = text
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        text.replace(':', "%3A").replace(',', "%2C")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::{Capture, Run};

    #[test]
    fn an_error_annotation_per_failed_action() {
        let run = Run::new();
        let out = Capture::default();
        insta::assert_snapshot!(run.output(&out, Annotations::new(out.clone(), run.root())));
    }

    #[test]
    fn the_step_summary_is_a_table_of_the_actions() {
        let run = Run::new();
        let out = Capture::default();
        insta::assert_snapshot!(run.output(&out, StepSummary::new(out.clone())));
    }
}
