//! GitHub Actions: `::error` annotations for failed actions and a Markdown
//! summary appended to `$GITHUB_STEP_SUMMARY`, when `GITHUB_ACTIONS=true`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use super::{tail, FAILURE_TAIL_LINES};
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
            let lines = tail::failure_lines(&root.join(log), FAILURE_TAIL_LINES);
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

/// Appends the step summary to the file GitHub names, if any.
pub fn append_step_summary(summary: &RunSummary) -> anyhow::Result<()> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") else {
        return Ok(());
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)?;
    file.write_all(step_summary(summary).as_bytes())?;
    Ok(())
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
