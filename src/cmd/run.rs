//! `gantry run`: loads the pipeline (from the work tree or a snapshot),
//! chooses what of it to run, and hands that to the run driver.

use std::sync::Arc;

use super::Globals;
use crate::cli::{ExecArgs, RunArgs};
use crate::driver::{self, Job, RunOptions};
use crate::plan::{self, Plan, PlanOptions, Selection};
use crate::proc::interrupt::Interrupt;

mod choose;
pub(super) mod only;
mod source;

pub(super) use only::string_map;
use only::Only;
use source::Source;

/// Runs the pipeline and returns the exit code.
pub fn execute(globals: &Globals, args: &RunArgs) -> anyhow::Result<u8> {
    let chosen;
    let args = if args.choose {
        chosen = choose::run_args(globals, args)?;
        &chosen
    } else {
        args
    };
    let target = Target {
        selectors: &args.stages,
        from: args.from.clone(),
        to: args.to.clone(),
        skip: args.skip.clone(),
        env: &args.exec.env,
        snapshot: args.snapshot.as_deref(),
        clean: args.clean,
    };
    let options = RunOptions {
        output: args.output,
        junit: args.junit.as_ref().map(|path| globals.cwd.join(path)),
        approve: args.yes,
        pre_push: args.pre_push,
        // `--snapshot --clean` asks for a build from nothing: a skipped
        // action would leave the fresh checkout without what it builds.
        cache: !args.no_cache && !args.clean,
        dry_run: args.dry_run,
        keep_snapshot: args.keep_snapshot,
        ..run_options(globals, &args.exec)
    };
    run_target(globals, &target, &options, &Extra::default())
}

/// The options `gantry run`, `retry` and `watch` share, with `-q` and `-v`;
/// the rest as `gantry run` has them by default.
pub(super) fn run_options(globals: &Globals, exec: &ExecArgs) -> RunOptions {
    RunOptions {
        keep_going: exec.keep_going,
        jobs: exec.jobs,
        quiet: globals.quiet,
        verbose: globals.verbose,
        ..RunOptions::default()
    }
}

/// Which part of which pipeline to run.
#[derive(Default)]
pub(super) struct Target<'a> {
    /// Stages and `STAGE/ACTION` patterns, as `gantry run` takes them.
    pub selectors: &'a [String],
    /// `--from`.
    pub from: Option<String>,
    /// `--to`.
    pub to: Option<String>,
    /// `--skip`.
    pub skip: Vec<String>,
    /// `--env KEY=VALUE`.
    pub env: &'a [(String, String)],
    /// Run on a snapshot of this revision.
    pub snapshot: Option<&'a str>,
    /// Start the snapshot's checkout afresh.
    pub clean: bool,
}

/// What `gantry retry` and `gantry watch` add to a run.
#[derive(Default)]
pub(super) struct Extra<'a> {
    /// Changes the plan before it runs (marks actions reused).
    pub adjust: Option<&'a dyn Fn(&mut Plan)>,
    /// The run this one retries, recorded in `run.json`.
    pub retry_of: Option<u64>,
    /// Stops the run (`gantry watch` cancels runs with it and handles
    /// Ctrl-C itself); without it, Ctrl-C is handled by the driver.
    pub interrupt: Option<&'a Arc<Interrupt>>,
}

/// Runs `target` of the pipeline with `options` and `extra`'s changes.
pub(super) fn run_target(
    globals: &Globals,
    target: &Target<'_>,
    options: &RunOptions,
    extra: &Extra<'_>,
) -> anyhow::Result<u8> {
    let mut source = Source::load(globals, target.snapshot, target.clean)?;
    let files = source.files.take();
    let pipeline = &source.pipeline;
    let (only, stages) = Only::parse(pipeline, target.selectors)?;
    let selection = Selection {
        stages,
        from: target.from.clone(),
        to: target.to.clone(),
        skip: target.skip.clone(),
    };
    let planner = |run_id: String| -> anyhow::Result<Plan> {
        let options = PlanOptions {
            selection: &selection,
            cli_env: target.env,
            run_id,
            git: source.git.clone(),
        };
        let mut plan = plan::plan(pipeline, options)?;
        only.apply(pipeline, &mut plan, &source.state_root)?;
        if let Some(adjust) = extra.adjust {
            adjust(&mut plan);
        }
        Ok(plan)
    };
    let job = Job {
        state_root: &source.state_root,
        keep_runs: pipeline.keep_runs,
        planner: &planner,
        files,
        snapshot: source.snapshot_info(),
        retry_of: extra.retry_of,
        env: target.env,
        interrupt: extra.interrupt,
    };
    driver::run(job, options)
}
