//! `gantry logs [RUN] [STAGE[/ACTION]]`: print recorded logs.

use std::io::Write;

use super::Globals;
use crate::cli::LogsArgs;
use crate::error::UsageError;
use crate::record::{self, RecordedRun};

/// Prints the selected logs, each under a `==> stage/action (status)` header.
pub fn execute(globals: &Globals, args: &LogsArgs) -> anyhow::Result<u8> {
    let pipeline = globals.load_pipeline()?;
    let (run_id, target) = parse_selector(&args.selector)?;
    if args.follow {
        return super::follow::follow(&pipeline.root, run_id, target.as_deref());
    }
    if run_id.is_none() {
        if let Some(id) = super::follow::in_progress(&pipeline.root) {
            eprintln!("run {id} is still in progress: `gantry logs --follow` shows its lines as they come");
        }
    }
    let run = match run_id {
        Some(id) => record::load_run(&pipeline.root, id),
        None => record::newest_runs(&pipeline.root).next(),
    }
    .ok_or_else(|| match run_id {
        Some(id) => UsageError(format!("no run {id} recorded (see `gantry history`)")),
        None => UsageError("no runs recorded yet".into()),
    })?;
    let actions = select_actions(&run, target.as_deref(), args.failed)?;
    let mut out = std::io::stdout().lock();
    for action in actions {
        let key = format!("{}/{}", text(&action["stage"]), text(&action["action"]));
        let status = text(&action["status"]).replace('_', " ");
        writeln!(
            out,
            "{}",
            console::style(format!("==> {key} ({status})")).bold()
        )?;
        match action["log"].as_str() {
            Some(log) => {
                let path = pipeline.root.join(log);
                let mut file = crate::fsutil::open_regular(&path)
                    .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
                std::io::copy(&mut file, &mut out)?;
            }
            None => writeln!(out, "(no log: {})", text(&action["reason"]))?,
        }
    }
    Ok(0)
}

/// `[RUN] [STAGE[/ACTION]]`: a leading number is a run id.
fn parse_selector(selector: &[String]) -> Result<(Option<u64>, Option<String>), UsageError> {
    match selector {
        [] => Ok((None, None)),
        [one] => Ok(match one.parse() {
            Ok(id) => (Some(id), None),
            Err(_) => (None, Some(one.clone())),
        }),
        [run, target] => {
            let id = run
                .parse()
                .map_err(|_| UsageError(format!("`{run}` is not a run id (a number)")))?;
            Ok((Some(id), Some(target.clone())))
        }
        _ => Err(UsageError("expected at most RUN and STAGE[/ACTION]".into())),
    }
}

fn select_actions<'a>(
    run: &'a RecordedRun,
    target: Option<&str>,
    failed_only: bool,
) -> Result<Vec<&'a serde_json::Value>, UsageError> {
    let (stage, action) = match target.map(|t| t.split_once('/').unwrap_or((t, ""))) {
        Some((s, a)) => (Some(s), (!a.is_empty()).then_some(a)),
        None => (None, None),
    };
    let chosen: Vec<&serde_json::Value> = run
        .actions()
        .filter(|a| stage.is_none_or(|s| a["stage"] == s))
        .filter(|a| action.is_none_or(|n| a["action"] == n))
        .filter(|a| !failed_only || matches!(a["status"].as_str(), Some("failed" | "timed_out")))
        .collect();
    if chosen.is_empty() && target.is_some() {
        return Err(UsageError(format!(
            "run {} has no action matching `{}`",
            run.id,
            target.unwrap_or_default()
        )));
    }
    Ok(chosen)
}

fn text(value: &serde_json::Value) -> String {
    value.as_str().unwrap_or("").to_string()
}
