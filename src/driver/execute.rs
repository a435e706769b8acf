//! The run itself: the executor on a worker thread, its events through the
//! reporters on this one, and the summary of what happened.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use super::RunOptions;
use crate::cache::Cache;
use crate::events::Status;
use crate::exec::action::ActionContext;
use crate::exec::{self, ExecOptions};
use crate::plan::Plan;
use crate::proc::interrupt::Interrupt;
use crate::record::RunRecord;
use crate::report::FanOut;
use crate::summary::{RunSummary, StageSummary, Totals};
use crate::term;

/// Bounded, so a flood of output slows the action instead of filling memory.
const EVENT_QUEUE: usize = 1024;

/// Runs `plan`, showing its events on `outputs`, and returns its summary
/// (not yet shown: the caller finishes the reporters). `every_line`: the
/// executor sends every output line (else only what the reporters need).
pub(super) fn execute(
    plan: &Plan,
    record: &RunRecord,
    cache: Option<&Cache>,
    interrupt: Option<&Arc<Interrupt>>,
    options: &RunOptions,
    outputs: &mut FanOut,
    every_line: bool,
) -> anyhow::Result<RunSummary> {
    let interrupt = match interrupt {
        Some(given) => Arc::clone(given),
        None => {
            let own = Interrupt::new();
            Interrupt::install_handler(&own)?;
            own
        }
    };
    crate::proc::interrupt::become_subreaper();
    let started_at = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
    let start = Instant::now();
    outputs.start(plan);
    let exec_options = ExecOptions {
        keep_going: options.keep_going,
        jobs: options.jobs,
    };
    let (tx, mut rx) = crate::events::queue::bounded(EVENT_QUEUE);
    let produced = exec::outputs::Produced::default();
    plan.provided.iter().for_each(|r| produced.record(r));
    let mut crashed = None;
    let stages: Vec<StageSummary> = std::thread::scope(|scope| {
        let worker = scope.spawn(|| {
            let ctx = ActionContext {
                record,
                events: tx,
                interrupt: &interrupt,
                every_line,
                cache,
                root: &plan.root,
                approval: crate::approval::Policy::decide(
                    options.approve,
                    term::stdin_is_tty() && (term::stdout_is_tty() || term::stderr_is_tty()),
                    options.pre_push,
                ),
                outputs: Arc::new(produced),
                services: None,
            };
            exec::execute(plan, exec_options, &ctx)
        });
        let reported = catch_unwind(AssertUnwindSafe(|| {
            for event in rx.iter() {
                outputs.event(&event);
            }
        }));
        if let Err(panic) = reported {
            crashed = Some(format!(
                "the reporter crashed: {}",
                exec::panic_message(&*panic)
            ));
            interrupt.trigger();
            rx.iter().for_each(drop);
        }
        match worker.join() {
            Ok(stages) => stages,
            Err(panic) => {
                crashed = Some(format!(
                    "the executor crashed: {}",
                    exec::panic_message(&*panic)
                ));
                Vec::new()
            }
        }
    });
    let totals = Totals::of(&stages);
    let status = match &crashed {
        Some(why) => {
            crate::report_error(&anyhow::anyhow!("{why}; the run is marked failed"));
            Status::Failed
        }
        // Stopped before any action started: nothing ran, nothing passed.
        None if interrupt.requested() && totals.status() == Status::Passed => Status::Interrupted,
        None => totals.status(),
    };
    Ok(RunSummary {
        schema: 1,
        run_id: plan.run_id.clone(),
        pipeline: plan.pipeline.clone(),
        status,
        started_at,
        duration: start.elapsed(),
        git: plan.git.clone(),
        log_dir: record.relative(&record.dir),
        snapshot: None,
        retry_of: None,
        env: Default::default(),
        stages,
        totals,
    })
}
