//! The end-of-run summary table and totals line.

use std::fmt::Write;

use super::Stream;
use crate::config::duration::human;
use crate::events::Status;
use crate::summary::RunSummary;

/// The icon and style for a status.
pub fn status_style(status: Status, stream: Stream) -> (&'static str, console::Style) {
    let (icon, style) = match status {
        Status::Passed => ("✔", console::Style::new().green()),
        Status::Failed => ("✘", console::Style::new().red().bold()),
        Status::TimedOut => ("⏱", console::Style::new().red().bold()),
        Status::Skipped => ("–", console::Style::new().dim()),
        Status::Interrupted => ("■", console::Style::new().yellow().bold()),
        Status::Warning => ("!", console::Style::new().yellow()),
        Status::Cached => ("↺", console::Style::new().cyan()),
    };
    (icon, stream.style(style))
}

/// The table: stage, action, status, duration, and the log or the reason.
pub fn render(summary: &RunSummary, stream: Stream) -> String {
    let mut rows = vec![[
        "STAGE".to_string(),
        "ACTION".into(),
        "STATUS".into(),
        "DURATION".into(),
        "LOG".into(),
    ]];
    let mut statuses = vec![None];
    for stage in &summary.stages {
        for a in &stage.actions {
            let detail = match (&a.log, &a.reason, a.status) {
                (_, Some(reason), Status::Skipped | Status::Cached) => reason.clone(),
                (Some(log), Some(reason), _) => format!("{} ({reason})", log.display()),
                (Some(log), None, _) => log.display().to_string(),
                (None, reason, _) => reason.clone().unwrap_or_default(),
            };
            let duration = if matches!(a.status, Status::Skipped | Status::Cached) {
                String::new()
            } else {
                human(a.duration)
            };
            let (icon, _) = status_style(a.status, stream);
            rows.push([
                a.stage.clone(),
                a.action.clone(),
                format!("{icon} {}", a.status.label()),
                duration,
                detail,
            ]);
            statuses.push(Some(a.status));
        }
    }
    let widths: Vec<usize> = (0..4)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let bold = stream.style(console::Style::new().bold());
    let mut out = String::from("\n");
    for (row, status) in rows.iter().zip(&statuses) {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate().take(4) {
            let pad = " ".repeat(widths[c] - cell.chars().count() + 2);
            let cell = match (c, status) {
                (2, Some(s)) => status_style(*s, stream).1.apply_to(cell).to_string(),
                _ => cell.clone(),
            };
            let _ = write!(line, "{cell}{pad}");
        }
        line.push_str(&row[4]);
        let line = line.trim_end();
        let _ = match status {
            None => writeln!(out, "{}", bold.apply_to(line)),
            Some(_) => writeln!(out, "{line}"),
        };
    }
    out.push_str(&outputs(summary, stream));
    out.push_str(&totals_line(summary, stream));
    out
}

/// `stage/action  name: value` lines for actions that produced outputs.
fn outputs(summary: &RunSummary, stream: Stream) -> String {
    let dim = stream.style(console::Style::new().dim());
    let mut out = String::new();
    for a in summary.stages.iter().flat_map(|s| &s.actions) {
        for (name, value) in &a.outputs {
            let _ = writeln!(
                out,
                "{}/{}  {}: {value}",
                a.stage,
                a.action,
                dim.apply_to(name)
            );
        }
    }
    if out.is_empty() {
        out
    } else {
        format!("\n{out}")
    }
}

/// `✔ 4 passed, 1 skipped in 3.2s (run 7)`.
pub fn totals_line(summary: &RunSummary, stream: Stream) -> String {
    let t = &summary.totals;
    let counts = [
        (t.passed, "passed"),
        (t.failed, "failed"),
        (t.timed_out, "timed out"),
        (t.interrupted, "interrupted"),
        (t.warning, "warning"),
        (t.cached, "cached"),
        (t.skipped, "skipped"),
    ];
    let parts: Vec<String> = counts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, word)| format!("{n} {word}"))
        .collect();
    let (icon, style) = status_style(summary.status, stream);
    let verdict = match summary.status {
        Status::Passed => "pipeline passed",
        Status::Interrupted => "pipeline interrupted",
        _ => "pipeline failed",
    };
    format!(
        "{} {}: {} in {} (run {})\n",
        style.apply_to(icon),
        style.apply_to(verdict),
        parts.join(", "),
        human(summary.duration),
        summary.run_id
    )
}
