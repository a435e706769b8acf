//! Runs one planned action: its attempts, its log, its result.

use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use super::output::ActionOutput;
use super::output_file::{self, OutputFile};
use super::run_status;
use super::shell;
use crate::events::{ActionResult, Event, EventSender, Status};
use crate::plan::{PlannedAction, Work};
use crate::proc::interrupt::Interrupt;
use crate::proc::outcome::{log_note, ActionIo, Outcome};
use crate::record::RunRecord;

/// What every action of a run shares.
#[derive(Clone)]
pub struct ActionContext<'a> {
    /// The run's record, for log paths.
    pub record: &'a RunRecord,
    /// Where events go.
    pub events: EventSender,
    /// Ctrl-C state.
    pub interrupt: &'a Interrupt,
    /// Values to mask.
    /// Send every output line (plain mode) or only the latest (live bars).
    pub every_line: bool,
    /// The action cache, when actions declare `inputs:`.
    pub cache: Option<&'a crate::cache::Cache>,
    /// The root actions run in (for cache paths).
    pub root: &'a std::path::Path,
    /// How approval gates are answered.
    pub approval: crate::approval::Policy,
    /// Outputs of finished actions, for `${actions.…}` references.
    pub outputs: std::sync::Arc<super::outputs::Produced>,
    /// The run's services; set by [`super::execute`].
    pub services: Option<&'a crate::service::Services<'a>>,
}

/// Runs `action` (with retries) and returns its result; events are sent
/// for its start, output and retries, not for its end.
pub fn run(action: &PlannedAction, ctx: &ActionContext<'_>) -> ActionResult {
    let start = Instant::now();
    let mut result = ActionResult {
        stage: action.stage.clone(),
        action: action.name.clone(),
        status: Status::Failed,
        duration: Default::default(),
        exit_code: None,
        attempts: 0,
        log: None,
        reason: None,
        outputs: Default::default(),
        cache: None,
        failure_tail: None,
    };
    let log_path = match ctx.record.log_path(&action.stage, &action.name) {
        Ok(p) => p,
        Err(e) => {
            result.reason = Some(format!("{e:#}"));
            return result;
        }
    };
    result.log = Some(ctx.record.relative(&log_path));
    let log = match ctx.record.create_log(&log_path) {
        Ok(f) => f,
        Err(e) => {
            result.reason = Some(format!("cannot create {}: {e}", log_path.display()));
            return result;
        }
    };
    let output_file = OutputFile::of_run(ctx.record);
    let action = &with_run_variables(action, ctx, &output_file);
    let command = crate::secrets::mask(action.command.lines().next().unwrap_or(""));
    for attempt in 1..=action.retries + 1 {
        result.attempts = attempt;
        let _ = ctx.events.send(Event::ActionStarted {
            key: action.key.clone(),
            attempt,
            command: command.clone(),
        });
        if attempt > 1 {
            log_note(
                &log,
                &format!("attempt {attempt} of {}", action.retries + 1),
                crate::secrets::mask,
            );
        }
        let outcome = attempt_once(action, ctx, &log, &output_file);
        result.status = outcome.status;
        result.exit_code = outcome.exit_code;
        result.reason = outcome.reason;
        result.outputs = outcome.outputs.into_iter().collect();
        let retry =
            result.status.is_failure() && attempt <= action.retries && !ctx.interrupt.requested();
        if !retry {
            break;
        }
        let _ = ctx.events.send(Event::Retrying {
            key: action.key.clone(),
            attempt: attempt + 1,
            reason: result.reason.clone().unwrap_or_default(),
        });
    }
    if action.continue_on_error && result.status.is_failure() {
        result.status = Status::Warning;
    }
    result.duration = start.elapsed();
    result
}

/// The log's absolute path, for reporters.
pub fn log_file(ctx: &ActionContext<'_>, result: &ActionResult) -> Option<PathBuf> {
    result.log.as_ref().map(|l| ctx.record.root.join(l))
}

/// `action` with the variables only known as it starts: where to write its
/// outputs, and how the run is going.
fn with_run_variables(
    action: &PlannedAction,
    ctx: &ActionContext<'_>,
    output_file: &OutputFile,
) -> PlannedAction {
    let mut action = action.clone();
    let failures = ctx.outputs.failures();
    action
        .env
        .extend(run_status::variables(&failures, ctx.interrupt.requested()));
    action.env.push((
        output_file::VARIABLE.to_string(),
        output_file.path().to_string_lossy().into_owned(),
    ));
    action
}

fn attempt_once(
    action: &PlannedAction,
    ctx: &ActionContext<'_>,
    log: &File,
    output_file: &OutputFile,
) -> Outcome {
    let Ok(log_for_output) = log.try_clone() else {
        return Outcome::failed("cannot write the log");
    };
    if let Err(why) = output_file.reset() {
        return Outcome::failed(why);
    }
    let mut output = ActionOutput::new(
        action.key.clone(),
        log_for_output,
        ctx.events.clone(),
        ctx.every_line,
    );
    let mut io = ActionIo {
        output: &mut output,
        interrupt: ctx.interrupt,
        log,
        mask: crate::secrets::mask,
    };
    let env = action.env();
    let outcome = match &action.work {
        Work::Shell { program, args } => match &action.container {
            Some(job) => {
                let run_id = ctx.record.id.to_string();
                let workspace = crate::container::Workspace {
                    run_id: &run_id,
                    run_dir: &ctx.record.dir,
                    state_root: &ctx.record.root,
                };
                let command = std::iter::once(program.clone()).chain(args.iter().cloned());
                crate::container::run(&env, job, command.collect(), &workspace, &mut io)
            }
            None => shell::run(&env, program, args, &mut io),
        },
        Work::Image(job) => crate::image::run(&env, job, &mut io),
        Work::Approval { message } => {
            crate::approval::run(&env, message, ctx.approval, &ctx.events, &mut io)
        }
        Work::Custom { uses, inputs } => {
            let run_id = ctx.record.id.to_string();
            let workspace = crate::custom::Workspace {
                run_id: &run_id,
                root: &ctx.record.root,
            };
            crate::custom::run(&env, uses, inputs, &workspace, &mut io)
        }
        Work::Deploy(job) => crate::deploy::run(&env, job, &mut io),
    };
    let mut outcome = outcome;
    add_written_outputs(&mut outcome, output_file);
    let end = output.finish();
    if let (Some(127), Some(program)) = (outcome.exit_code, &end.missing_program) {
        outcome.add_reason(&super::not_found::reason(program));
    }
    if let Some(log_problem) = &end.log_problem {
        outcome.add_reason(log_problem);
    }
    if let Some(why) = &outcome.reason {
        // Never glue gantry's line to output that did not end its line.
        if end.mid_line {
            log_newline(log);
        }
        log_note(log, why, crate::secrets::mask);
    }
    outcome
}

/// Adds what the attempt wrote to `$GANTRY_OUTPUT` to the outputs its kind
/// named (which win); a malformed file fails a passed attempt.
fn add_written_outputs(outcome: &mut Outcome, output_file: &OutputFile) {
    match output_file.read() {
        Ok(written) => {
            for (name, value) in written {
                if !outcome.outputs.iter().any(|(n, _)| *n == name) {
                    outcome.outputs.push((name, value));
                }
            }
        }
        Err(why) if outcome.status == Status::Passed => {
            outcome.status = Status::Failed;
            outcome.add_reason(&why);
        }
        Err(why) => outcome.add_reason(&why),
    }
}

/// Ends the action's last line in the log when its output did not.
fn log_newline(mut log: &File) {
    let _ = log.write_all(b"\n");
}
