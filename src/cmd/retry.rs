//! `gantry retry [RUN]`: runs a recorded run's actions again, except those
//! that passed (or were cached), which stand with their recorded results and
//! outputs. A snapshot run is retried on the same commit.

use std::collections::BTreeMap;

use super::run::{run_options, run_target, Extra, Target};
use super::Globals;
use crate::cli::RetryArgs;
use crate::driver::RunOptions;
use crate::error::UsageError;
use crate::plan::{Plan, Reused};
use crate::record::{self, RecordedRun};

/// Retries the chosen run; returns the new run's exit code.
pub fn execute(globals: &Globals, args: &RetryArgs) -> anyhow::Result<u8> {
    let pipeline = globals.load_pipeline()?;
    let run = match args.run {
        Some(id) => record::load_run(&pipeline.root, id)
            .ok_or_else(|| UsageError(format!("no run {id} recorded (see `gantry history`)"))),
        None => record::newest_runs(&pipeline.root)
            .next()
            .ok_or_else(|| UsageError("no runs recorded yet: nothing to retry".into())),
    }?;
    if run.summary["status"] == "passed" {
        eprintln!("run {} passed: nothing to retry", run.id);
        return Ok(crate::error::EXIT_OK);
    }
    let reused = reusable(&run);
    let selectors = actions(&run);
    let env = env(&run, &args.exec.env)?;
    let target = Target {
        selectors: &selectors,
        env: &env,
        snapshot: run.summary["snapshot"]["commit"].as_str(),
        ..Target::default()
    };
    let options = RunOptions {
        output: args.output,
        cache: !args.no_cache,
        approve: args.yes,
        ..run_options(globals, &args.exec)
    };
    let adjust = |plan: &mut Plan| {
        for action in plan
            .stages
            .iter_mut()
            .flat_map(|s| s.groups.iter_mut().flatten())
        {
            if let Some(reuse) = reused.get(&(action.stage.clone(), action.name.clone())) {
                action.reuse = Some(reuse.clone());
            }
        }
    };
    let extra = Extra {
        adjust: Some(&adjust),
        retry_of: Some(run.id),
        ..Extra::default()
    };
    run_target(globals, &target, &options, &extra)
}

/// The run's `--env` values, then `given` (which win); a value the run
/// did not keep (it held a secret) must be given again.
fn env(run: &RecordedRun, given: &[(String, String)]) -> Result<Vec<(String, String)>, UsageError> {
    let recorded = run.summary["env"].as_object().into_iter().flatten();
    let mut env = Vec::new();
    for (name, value) in recorded {
        match value.as_str() {
            Some(value) => env.push((name.clone(), value.to_string())),
            None if given.iter().any(|(n, _)| n == name) => {}
            None => {
                return Err(UsageError(format!(
                    "run {} was given `--env {name}=…` holding a secret, which is not kept: \
                     give it again (`gantry retry -e {name}=VALUE`)",
                    run.id
                )))
            }
        }
    }
    env.extend(given.iter().cloned());
    Ok(env)
}

/// The run's actions, as exact `stage/action` patterns.
fn actions(run: &RecordedRun) -> Vec<String> {
    run.actions()
        .map(|a| globset::escape(&format!("{}/{}", text(&a["stage"]), text(&a["action"]))))
        .collect()
}

/// The actions that passed (or stood cached) in `run`, with their outputs.
fn reusable(run: &RecordedRun) -> BTreeMap<(String, String), Reused> {
    run.actions()
        .filter(|a| matches!(a["status"].as_str(), Some("passed" | "cached" | "warning")))
        .map(|a| {
            let status = text(&a["status"]);
            let reuse = Reused {
                reason: format!("{status} in run {}", run.id),
                outputs: super::run::string_map(&a["outputs"]),
            };
            ((text(&a["stage"]), text(&a["action"])), reuse)
        })
        .collect()
}

fn text(value: &serde_json::Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}
