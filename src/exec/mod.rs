//! The executor: runs a [`Plan`]'s stages in order and each stage's
//! `run_order` groups one after another, the actions of a group at the same
//! time. It reports through [`Event`]s and never prints.

pub mod action;
mod group;
mod not_found;
mod output;
pub mod output_file;
pub mod outputs;
pub mod run_status;
mod shell;

use action::ActionContext;

use crate::cache::Decision;
use crate::events::{ActionResult, Event, Status};
use crate::plan::{Plan, PlannedAction, PlannedStage};
use crate::summary::StageSummary;

/// How to run.
#[derive(Clone, Copy, Debug, Default)]
pub struct ExecOptions {
    /// Go on after a failed stage.
    pub keep_going: bool,
    /// At most this many actions at once (`None`: a whole group at once).
    pub jobs: Option<u32>,
}

/// Runs every stage of `plan`; returns the stages' results in order.
pub fn execute(plan: &Plan, options: ExecOptions, ctx: &ActionContext<'_>) -> Vec<StageSummary> {
    let services = crate::service::Services::new(
        &plan.services,
        &plan.secrets,
        (&plan.pipeline, &plan.root),
        ctx.record,
        ctx.events.clone(),
        ctx.interrupt,
    );
    let ctx = &ActionContext {
        services: Some(&services),
        ..ctx.clone()
    };
    let mut failed = false;
    let mut stages = Vec::new();
    for stage in &plan.stages {
        let only_always = failed && !options.keep_going;
        let summary = run_stage(stage, only_always, failed, options, ctx);
        services.stop(Some(&stage.name));
        failed |= summary.status.fails_stage();
        stages.push(summary);
    }
    services.stop(None);
    stages
}

fn run_stage(
    stage: &PlannedStage,
    only_always: bool,
    failed_before: bool,
    options: ExecOptions,
    ctx: &ActionContext<'_>,
) -> StageSummary {
    let _ = ctx.events.send(Event::StageStarted {
        stage: stage.name.clone(),
    });
    let mut stage_failed = false;
    let mut results = Vec::new();
    for group in &stage.groups {
        let stop = only_always || (stage_failed && !options.keep_going);
        let mut to_run = Vec::new();
        for action in group {
            let failed = failed_before || stage_failed;
            match skip_reason(action, stop, only_always, ctx).or_else(|| unmet(action, failed)) {
                Some(reason) => results.push(skip(action, &reason, ctx)),
                None => to_run.push(action),
            }
        }
        let ran = group::run_group(&to_run, options.jobs, ctx);
        stage_failed |= ran.iter().any(|r| r.status.fails_stage());
        results.extend(ran);
    }
    // Report in listed order, whatever order the groups ran in.
    let order: Vec<&str> = stage
        .groups
        .iter()
        .flatten()
        .map(|a| a.name.as_str())
        .collect();
    results.sort_by_key(|r| order.iter().position(|n| *n == r.action));
    StageSummary::new(stage.name.clone(), results)
}

fn skip_reason(
    action: &PlannedAction,
    stop: bool,
    only_always: bool,
    ctx: &ActionContext<'_>,
) -> Option<String> {
    if ctx.interrupt.requested() {
        Some("interrupted before it started".into())
    } else if stop && !action.always {
        Some(if only_always {
            "an earlier stage failed".into()
        } else {
            "an earlier action in this stage failed".into()
        })
    } else {
        None
    }
}

/// Why its `if:` is false now, given whether anything failed so far.
fn unmet(action: &PlannedAction, failed: bool) -> Option<String> {
    action.condition.as_ref()?.check(failed).err()
}

fn skip(action: &PlannedAction, reason: &str, ctx: &ActionContext<'_>) -> ActionResult {
    not_run(action, Status::Skipped, reason, ctx)
}

/// The result of an action that did not start, reported and remembered.
fn not_run(
    action: &PlannedAction,
    status: Status,
    reason: &str,
    ctx: &ActionContext<'_>,
) -> ActionResult {
    report_not_run(not_run_result(action, status, reason), action, ctx)
}

fn not_run_result(action: &PlannedAction, status: Status, reason: &str) -> ActionResult {
    ActionResult {
        stage: action.stage.clone(),
        action: action.name.clone(),
        status,
        duration: Default::default(),
        exit_code: None,
        attempts: 0,
        log: None,
        reason: Some(reason.to_string()),
        outputs: Default::default(),
        cache: None,
        failure_tail: None,
    }
}

fn report_not_run(
    result: ActionResult,
    action: &PlannedAction,
    ctx: &ActionContext<'_>,
) -> ActionResult {
    let _ = ctx.events.send(Event::ActionFinished {
        key: action.key.clone(),
        result: result.clone(),
        log_file: None,
    });
    ctx.outputs.record(&result);
    result
}

/// A cached skip: reported with the outputs of the run it stands for, so
/// later `${actions.…}` references still resolve.
fn cached(
    action: &PlannedAction,
    reason: &str,
    outputs: std::collections::BTreeMap<String, String>,
    ctx: &ActionContext<'_>,
) -> ActionResult {
    let result = ActionResult {
        outputs,
        ..not_run_result(action, Status::Cached, reason)
    };
    report_not_run(result, action, ctx)
}

/// Runs an action; a panic inside gantry while it runs fails the action
/// (its processes were stopped as the panic unwound) instead of the run.
fn run_and_report(action: &PlannedAction, ctx: &ActionContext<'_>) -> ActionResult {
    let run = std::panic::AssertUnwindSafe(|| run_guarded(action, ctx));
    match std::panic::catch_unwind(run) {
        Ok(result) => result,
        Err(panic) => {
            let why = format!(
                "gantry crashed while running it: {}",
                panic_message(&*panic)
            );
            not_run(action, Status::Failed, &why, ctx)
        }
    }
}

/// Whether an output value holds a secret: such an action is not cached,
/// since the cache would have to keep the value on disk.
fn holds_secret(outputs: &std::collections::BTreeMap<String, String>) -> bool {
    outputs
        .values()
        .any(|value| crate::secrets::mask(value) != *value)
}

/// `action` with the `GANTRY_SERVICE_*` variables of the services it
/// needs, once they are ready (`None`: it needs none). Shell commands and
/// custom actions need their pipeline's and stage's services; image
/// builds, deployments and approvals do not.
fn services_for(
    action: &PlannedAction,
    ctx: &ActionContext<'_>,
) -> Result<Option<PlannedAction>, String> {
    let Some(services) = ctx.services.filter(|_| action.uses_services()) else {
        return Ok(None);
    };
    let variables = services.ensure(&action.stage)?;
    if variables.is_empty() {
        return Ok(None);
    }
    Ok(Some(action.with_services(variables)))
}

/// The text of a panic's payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

fn run_guarded(action: &PlannedAction, ctx: &ActionContext<'_>) -> ActionResult {
    if ctx.interrupt.requested() {
        let why = ctx.interrupt.stop_reason();
        return skip(
            action,
            why.as_deref().unwrap_or("interrupted before it started"),
            ctx,
        );
    }
    if let Some(reused) = &action.reuse {
        return cached(action, &reused.reason, reused.outputs.clone(), ctx);
    }
    let resolved = match ctx.outputs.resolve(action) {
        Ok(resolved) => resolved,
        Err(why) => return not_run(action, Status::Failed, &why, ctx),
    };
    let action = resolved.as_ref().unwrap_or(action);
    let (pending, why) = match ctx.cache.map(|c| (c, c.decide(action, ctx.root))) {
        Some((_, Some(Decision::Skip { since_run, outputs }))) => {
            return cached(action, &crate::cache::skip_reason(&since_run), outputs, ctx);
        }
        Some((
            cache,
            Some(Decision::Restore {
                entry,
                damage,
                pending,
            }),
        )) => match cache.restore(&entry, &damage, &pending, ctx.root) {
            Ok(reason) => return cached(action, &reason, entry.outputs.clone(), ctx),
            Err(why) => (Some(pending), Some(format!("{why}; running it"))),
        },
        Some((_, Some(Decision::Run { reason, pending }))) => (Some(pending), Some(reason)),
        _ => (None, None),
    };
    if let Some(why) = &why {
        let _ = ctx.events.send(Event::Note {
            key: action.key.clone(),
            text: format!("ran: {why}"),
        });
    }
    let with_services;
    let action = match services_for(action, ctx) {
        Ok(None) => action,
        Ok(Some(with)) => {
            with_services = with;
            &with_services
        }
        Err(why) => return not_run(action, Status::Failed, &why, ctx),
    };
    let mut result = action::run(action, ctx);
    result.cache = why;
    if let (Status::Interrupted, Some(why)) = (result.status, ctx.interrupt.stop_reason()) {
        // Stopped by a matrix's fail_fast, not by the user.
        result.status = Status::Skipped;
        result.reason = Some(why);
    }
    ctx.outputs.record(&result);
    if let Some(cache) = ctx.cache {
        cache.action_ran();
        let outputs_on_disk = !holds_secret(&result.outputs);
        if let (Some(pending), Status::Passed, true) = (&pending, result.status, outputs_on_disk) {
            cache.record(action, pending, &result.outputs, ctx.root);
        }
    }
    let _ = ctx.events.send(Event::ActionFinished {
        key: action.key.clone(),
        result: result.clone(),
        log_file: action::log_file(ctx, &result),
    });
    result
}
