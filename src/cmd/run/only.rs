//! `gantry run STAGE/ACTION…`: keeps only the chosen actions, and finds
//! the outputs that the actions left out would have given the chosen ones:
//! from the latest run that has them, else from the cache. An output
//! nobody has is an error naming the action to run first.

use std::collections::BTreeMap;
use std::path::Path;

use crate::config::Pipeline;
use crate::error::UsageError;
use crate::events::{ActionResult, Status};
use crate::plan::{self, ActionPatterns, Plan, PlannedAction, Work};
use crate::record;
use crate::vars;

/// The command line's choice of actions.
pub struct Only {
    /// Stage names given whole.
    whole: Vec<String>,
    /// `STAGE/ACTION` patterns.
    patterns: ActionPatterns,
}

impl Only {
    /// Splits `gantry run`'s arguments into whole stages and action
    /// patterns; also returns the stages to select (both kinds, in order
    /// given then pipeline order).
    pub fn parse(pipeline: &Pipeline, args: &[String]) -> Result<(Only, Vec<String>), UsageError> {
        let (patterns, whole): (Vec<String>, Vec<String>) = args
            .iter()
            .cloned()
            .partition(|a| plan::is_action_pattern(a));
        let patterns = ActionPatterns::parse(pipeline, &patterns)?;
        let mut stages = whole.clone();
        for stage in patterns.stages(pipeline) {
            if !stages.contains(&stage) {
                stages.push(stage);
            }
        }
        Ok((Only { whole, patterns }, stages))
    }

    /// Whether `action` of stage `stage` (one of the stages to select) is
    /// chosen: its stage was named whole, or it matches a pattern.
    pub fn chooses(&self, stage: &str, action: &crate::config::Action) -> bool {
        let base = action.matrix.as_ref().map(|c| c.base.as_str());
        self.patterns.is_empty()
            || self.whole.iter().any(|s| s == stage)
            || self.patterns.matches_action(stage, &action.name, base)
    }

    /// Drops the actions not chosen from `plan` and fills `plan.provided`
    /// with what the chosen ones need from the actions the run leaves out.
    pub fn apply(
        &self,
        pipeline: &Pipeline,
        plan: &mut Plan,
        state_root: &Path,
    ) -> Result<(), UsageError> {
        plan::keep_only(plan, &self.whole, &self.patterns);
        // Also for stages left out by name, --from, --to or --skip.
        plan.provided = provided(pipeline, plan, state_root)?;
        Ok(())
    }
}

/// Results standing in for the actions that `plan`'s actions take outputs
/// from but that `plan` does not run.
fn provided(
    pipeline: &Pipeline,
    plan: &Plan,
    state_root: &Path,
) -> Result<Vec<ActionResult>, UsageError> {
    let exists = |s: &str, a: &str| {
        pipeline
            .stages
            .iter()
            .any(|st| st.name == s && st.actions.iter().any(|x| x.name == a))
    };
    let planned: Vec<&PlannedAction> = plan
        .stages
        .iter()
        .flat_map(|s| s.groups.iter().flatten())
        .collect();
    let mut found: Vec<ActionResult> = Vec::new();
    for action in &planned {
        for name in output_references(action) {
            let Some((target, _)) = vars::output_reference(&name) else {
                continue;
            };
            let Some((stage, source)) = vars::split_target(target, &exists) else {
                continue;
            };
            let in_plan = planned.iter().any(|a| a.stage == stage && a.name == source);
            let known = found.iter().any(|r| r.stage == stage && r.action == source);
            if in_plan || known {
                continue;
            }
            let Some((reason, outputs)) = earlier_outputs(state_root, stage, source) else {
                return Err(UsageError(format!(
                    "{} uses `${{{name}}}`, but {stage}/{source} is not part of this run and \
                     neither an earlier run nor the cache has its outputs (outputs \
                     holding a secret are never kept); run \
                     `gantry run {stage}/{source}` first (or choose it too)",
                    action.key
                )));
            };
            found.push(ActionResult {
                stage: stage.to_string(),
                action: source.to_string(),
                status: Status::Cached,
                duration: Default::default(),
                exit_code: None,
                attempts: 0,
                log: None,
                reason: Some(reason),
                cache: None,
                outputs,
                failure_tail: None,
            });
        }
    }
    Ok(found)
}

/// Every `actions.STAGE.ACTION.outputs.NAME` that `action` still refers to.
fn output_references(action: &PlannedAction) -> Vec<String> {
    let mut texts: Vec<&str> = vec![&action.command];
    texts.extend(action.env.iter().map(|(_, v)| v.as_str()));
    let cwd = action.cwd.to_string_lossy();
    texts.push(&cwd);
    match &action.work {
        Work::Shell { args, .. } => texts.extend(args.iter().map(String::as_str)),
        Work::Custom { inputs, .. } => texts.extend(inputs.iter().map(|(_, v)| v.as_str())),
        _ => {}
    }
    let mut names = Vec::new();
    for text in texts {
        let _ = vars::resolve_outputs(text, &mut |name| {
            if !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
            Ok(String::new())
        });
    }
    names
}

/// The outputs `stage/action` had when it last succeeded: in the newest
/// recorded run where it passed, else in the cache's entry for it. Recorded
/// outputs that were masked are not used (the cache never holds secret ones).
fn earlier_outputs(
    state_root: &Path,
    stage: &str,
    action: &str,
) -> Option<(String, BTreeMap<String, String>)> {
    let recorded = record::newest_runs(state_root).find_map(|run| {
        let result = run
            .actions()
            .find(|a| a["stage"] == stage && a["action"] == action)?;
        let succeeded = matches!(result["status"].as_str(), Some("passed" | "cached"));
        let outputs = string_map(&result["outputs"]);
        // A secret is recorded as `***`: handing that on would be wrong.
        let masked = outputs.values().any(|v| v.contains("***"));
        (succeeded && !masked).then_some((run.id, outputs))
    });
    if let Some((id, outputs)) = recorded {
        return Some((format!("outputs from run {id}"), outputs));
    }
    let dir = crate::cache::store::action_dir(state_root, stage, action);
    let entry = crate::cache::store::load_last(&dir)?;
    Some((
        format!("outputs from the cache (run {})", entry.run_id),
        entry.outputs,
    ))
}

/// A JSON object of strings as a map (other values are skipped).
pub(in crate::cmd) fn string_map(value: &serde_json::Value) -> BTreeMap<String, String> {
    value
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
        .collect()
}
