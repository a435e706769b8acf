//! `gantry history`: the recorded runs, newest first.

use std::io::Write;

use super::Globals;
use crate::cli::HistoryArgs;
use crate::record;

/// Prints one line per recorded run.
pub fn execute(globals: &Globals, args: &HistoryArgs) -> anyhow::Result<u8> {
    let pipeline = globals.load_pipeline()?;
    let runs: Vec<_> = record::newest_runs(&pipeline.root)
        .take(args.limit)
        .collect();
    let mut out = std::io::stdout().lock();
    if runs.is_empty() {
        writeln!(
            out,
            "no runs recorded yet in {}",
            record::runs_dir(&pipeline.root).display()
        )?;
        return Ok(0);
    }
    let mut rows = vec![[
        "RUN".to_string(),
        "STARTED".into(),
        "COMMIT".into(),
        "BRANCH".into(),
        "STATUS".into(),
        "DURATION".into(),
    ]];
    for run in &runs {
        let git = &run.summary["git"];
        let dirty = if git["dirty"] == true { "+" } else { "" };
        rows.push([
            run.id.to_string(),
            text(&run.summary["started_at"]),
            format!("{}{dirty}", text(&git["short_sha"])),
            text(&git["branch"]),
            status(&run.summary),
            run.summary["duration_ms"]
                .as_u64()
                .map(|ms| crate::text::human_duration(std::time::Duration::from_millis(ms)))
                .unwrap_or_default(),
        ]);
    }
    let widths: Vec<usize> = (0..6)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        writeln!(out, "{}", line.join("  ").trim_end())?;
    }
    Ok(0)
}

/// `failed`, or `passed (retry of 3)` for a `gantry retry` run.
fn status(summary: &serde_json::Value) -> String {
    let status = text(&summary["status"]).replace('_', " ");
    match summary["retry_of"].as_str() {
        Some(id) => format!("{status} (retry of {id})"),
        None => status,
    }
}

fn text(value: &serde_json::Value) -> String {
    match value.as_str() {
        Some("") | None => "-".to_string(),
        Some(s) => s.to_string(),
    }
}
