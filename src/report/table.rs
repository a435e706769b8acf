//! The end-of-run summary table and totals line.

use std::fmt::Write;

use super::Stream;
use crate::events::Status;
use crate::summary::RunSummary;
use crate::text;
use crate::text::human_duration as human;

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

/// The narrowest the log/reason column gets on a narrow terminal.
const MIN_DETAIL: usize = 20;

/// The fewest columns a shortened stage or action name keeps.
const MIN_NAME: usize = 8;
/// The width assumed when the stream is not a terminal and `COLUMNS` is unset.
const DEFAULT_WIDTH: usize = 120;

/// Columns available on the stream: the terminal's width, else `COLUMNS`,
/// else [`DEFAULT_WIDTH`].
fn terminal_width(stream: Stream) -> usize {
    let term = match stream {
        Stream::Stdout => console::Term::stdout(),
        Stream::Stderr => console::Term::stderr(),
    };
    term.size_checked()
        .map(|(_, columns)| usize::from(columns))
        .or_else(|| std::env::var("COLUMNS").ok()?.trim().parse().ok())
        .filter(|&w| w > 0)
        .unwrap_or(DEFAULT_WIDTH)
}

/// The table: stage, action, status, duration, and the log or the reason,
/// one row per action; details too long for the terminal are shortened
/// with `…` and follow the table in full.
pub fn render(summary: &RunSummary, stream: Stream) -> String {
    render_in(summary, stream, terminal_width(stream))
}

/// [`render_in`] `columns` wide when given (a reporter's fixed width in
/// tests), else [`render`].
pub fn render_fixed(summary: &RunSummary, stream: Stream, columns: Option<usize>) -> String {
    render_in(
        summary,
        stream,
        columns.unwrap_or_else(|| terminal_width(stream)),
    )
}

/// [`render`] for a stream `columns` wide.
pub fn render_in(summary: &RunSummary, stream: Stream, columns: usize) -> String {
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
    let shortened_names = fit_names(&mut rows, columns);
    let widths: Vec<usize> = (0..4)
        .map(|c| rows.iter().map(|r| text::width(&r[c])).max().unwrap_or(0))
        .collect();
    let room = columns
        .saturating_sub(widths.iter().map(|w| w + 2).sum())
        .max(MIN_DETAIL);
    let bold = stream.style(console::Style::new().bold());
    let mut out = String::from("\n");
    let mut shortened = shortened_names;
    for (row, status) in rows.iter().zip(&statuses) {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate().take(4) {
            let pad = " ".repeat(widths[c] - text::width(cell) + 2);
            let cell = match (c, status) {
                (2, Some(s)) => status_style(*s, stream).1.apply_to(cell).to_string(),
                _ => cell.clone(),
            };
            let _ = write!(line, "{cell}{pad}");
        }
        let detail = text::shorten(&row[4], room);
        if detail != row[4] && !shortened.iter().any(|(at, _)| at == &row[..2]) {
            let full = format!("{}/{}: {}", row[0], row[1], row[4]);
            shortened.push(([row[0].clone(), row[1].clone()], full));
        }
        line.push_str(&detail);
        let line = line.trim_end();
        let _ = match status {
            None => writeln!(out, "{}", bold.apply_to(line)),
            Some(_) => writeln!(out, "{line}"),
        };
    }
    if !shortened.is_empty() {
        out.push('\n');
        for (_, full) in shortened {
            let _ = writeln!(out, "{}", text::escape_controls(&full, true));
        }
    }
    out.push_str(&outputs(summary, stream));
    out.push_str(&totals_line(summary, stream));
    out
}

/// Shortens the stage and action names (with `…`) when they leave less
/// than [`MIN_DETAIL`] columns for the log or reason, so that every row
/// keeps to one line of `columns`. Returns, per shortened row, its
/// shortened names and the full `stage/action: detail` text to print
/// below the table.
fn fit_names(rows: &mut [[String; 5]], columns: usize) -> Vec<([String; 2], String)> {
    let widest =
        |c: usize, rows: &[[String; 5]]| rows.iter().map(|r| text::width(&r[c])).max().unwrap_or(0);
    let fixed = widest(2, rows) + widest(3, rows) + 4 * 2;
    let names = widest(0, rows) + widest(1, rows);
    let room = columns.saturating_sub(fixed + MIN_DETAIL);
    if names <= room {
        return Vec::new();
    }
    // Each name column gets a share of the room, at least a few columns.
    let stage_room = (room * widest(0, rows) / names.max(1)).max(MIN_NAME);
    let action_room = room.saturating_sub(stage_room).max(MIN_NAME);
    let mut shortened = Vec::new();
    for row in rows.iter_mut().skip(1) {
        let (stage, action) = (
            text::shorten(&row[0], stage_room),
            text::shorten(&row[1], action_room),
        );
        if stage != row[0] || action != row[1] {
            let full = format!("{}/{}: {}", row[0], row[1], row[4]);
            row[0] = stage;
            row[1] = action;
            shortened.push(([row[0].clone(), row[1].clone()], full));
        }
    }
    shortened
}

/// `stage/action  name: value` lines for actions that produced outputs.
fn outputs(summary: &RunSummary, stream: Stream) -> String {
    let dim = stream.style(console::Style::new().dim());
    let mut out = String::new();
    for a in summary.stages.iter().flat_map(|s| &s.actions) {
        for (name, value) in &a.outputs {
            let _ = writeln!(
                out,
                "{}/{}  {}: {}",
                a.stage,
                a.action,
                dim.apply_to(name),
                one_line(value)
            );
        }
    }
    if out.is_empty() {
        out
    } else {
        format!("\n{out}")
    }
}

/// An output's value on one line: a multi-line value shows its first line
/// and how many follow (run.json has all of it).
fn one_line(value: &str) -> String {
    let mut lines = value.lines();
    let first = text::escape_controls(lines.next().unwrap_or(""), false);
    match lines.count() {
        0 => first,
        1 => format!("{first} … (1 more line)"),
        more => format!("{first} … ({more} more lines)"),
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
