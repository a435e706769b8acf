//! `gantry run`: plan, execute on a worker thread, report on this one,
//! record the run, and turn its status into the exit code.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{mpsc, Arc};
use std::time::{Instant, SystemTime};

use anyhow::Context;

use super::Globals;
use crate::cache::Cache;
use crate::cli::{OutputFormat, RunArgs};
use crate::error::{EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK};
use crate::events::Status;
use crate::exec::action::ActionContext;
use crate::exec::{self, ExecOptions};
use crate::plan::{self, Plan, PlanOptions, Selection};
use crate::proc::interrupt::Interrupt;
use crate::record::{self, RunRecord};
use crate::report::estimate::Estimates;
use crate::report::{github, junit, masked, LiveReporter, PlainReporter, Reporter, Stream};
use crate::summary::{RunSummary, StageSummary, Totals};
use crate::term;

mod choose;
mod dry_run;
mod only;
mod source;

pub(super) use only::string_map;
use only::Only;
use source::Source;

/// Bounded, so a flood of output slows the action instead of filling memory.
const EVENT_QUEUE: usize = 1024;

/// Runs the pipeline and returns the exit code.
pub fn execute(globals: &Globals, args: &RunArgs) -> anyhow::Result<u8> {
    if args.choose {
        let chosen = choose::run_args(globals, args)?;
        return execute_with(globals, &chosen, &Extra::default());
    }
    execute_with(globals, args, &Extra::default())
}

/// What `gantry retry` and `gantry watch` add to a run.
#[derive(Default)]
pub(super) struct Extra<'a> {
    /// Changes the plan before it runs (marks actions reused).
    pub adjust: Option<&'a dyn Fn(&mut Plan)>,
    /// The run this one retries, recorded in `run.json`.
    pub retry_of: Option<u64>,
    /// Stops the run (`gantry watch` cancels runs with it and handles
    /// Ctrl-C itself); without it, Ctrl-C is handled here.
    pub interrupt: Option<&'a Arc<Interrupt>>,
}

/// [`execute`], with `extra`'s changes.
pub(super) fn execute_with(
    globals: &Globals,
    args: &RunArgs,
    extra: &Extra<'_>,
) -> anyhow::Result<u8> {
    let mut source = Source::load(globals, args.snapshot.as_deref(), args.clean)?;
    let files = source.files.take();
    let pipeline = &source.pipeline;
    let (only, stages) = Only::parse(pipeline, &args.stages)?;
    let selection = Selection {
        stages,
        from: args.from.clone(),
        to: args.to.clone(),
        skip: args.skip.clone(),
    };
    let options = |run_id: String| PlanOptions {
        selection: &selection,
        cli_env: &args.env,
        run_id,
        git: source.git.clone(),
    };
    let planned = |run_id: String| -> anyhow::Result<Plan> {
        let mut plan = plan::plan(pipeline, options(run_id))?;
        only.apply(pipeline, &mut plan, &source.state_root)?;
        if let Some(adjust) = extra.adjust {
            adjust(&mut plan);
        }
        Ok(plan)
    };
    let next = record::next_id(&source.state_root);
    // Plan before claiming a run directory: a config error leaves nothing behind.
    let plan = planned(next.to_string())?;
    let mut files = files;
    let mut cache = |run_id: &str| {
        files
            .take()
            .map(|f| Cache::new(f, &source.state_root, cache_enabled(args), run_id))
    };
    if args.dry_run {
        dry_run::print(&plan, cache(&plan.run_id).as_ref());
        return Ok(EXIT_OK);
    }
    ensure_state_dir(&source.state_root)?;
    let record = RunRecord::create(&source.state_root, next)?;
    // Only when a concurrent run took `next` does `${run.id}` change.
    let plan = if record.id == next {
        plan
    } else {
        planned(record.id.to_string())?
    };
    let keep_runs = pipeline.keep_runs;
    record.recycle_oldest(keep_runs);
    let cache = cache(&plan.run_id);
    let mut summary = run_plan_with(
        globals,
        args,
        &plan,
        &record,
        cache.as_ref(),
        extra.interrupt,
    )?;
    if let Some(cache) = &cache {
        cache.save();
    }
    if args.keep_snapshot {
        if let Some(snapshot) = &source.snapshot {
            eprintln!("snapshot kept at {}", snapshot.dir.display());
        }
    }
    summary.snapshot = source.snapshot_info();
    summary.retry_of = extra.retry_of.map(|id| id.to_string());
    finish_records(globals, args, &summary, &record, &source.state_root);
    if args.output == OutputFormat::Json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    }
    // Last, once everything about this run is out: deleting the oldest
    // records is the slowest part of finishing on a busy disk.
    record.prune(keep_runs);
    Ok(match summary.status {
        Status::Passed => EXIT_OK,
        Status::Interrupted => EXIT_INTERRUPTED,
        _ => EXIT_FAILURE,
    })
}

/// Whether the cache may skip actions: not with `--no-cache`, and not with
/// `--snapshot --clean`, which asks for a build from nothing (a skipped
/// action would leave the fresh checkout without what it builds).
fn cache_enabled(args: &RunArgs) -> bool {
    !args.no_cache && !args.clean
}

/// Writes what the finished run leaves behind: `run.json`, the JUnit file,
/// GitHub's annotations and step summary. The run is over, so a failure
/// here is reported, but the exit code still says how the run went.
fn finish_records(
    globals: &Globals,
    args: &RunArgs,
    summary: &RunSummary,
    record: &RunRecord,
    root: &std::path::Path,
) {
    let report = |result: anyhow::Result<()>| {
        if let Err(e) = result {
            let why = crate::secrets::mask(&format!("{e:#}"));
            eprintln!(
                "error: {why}; the run's outcome stands: {}",
                summary.status.label()
            );
        }
    };
    report(record.write_summary(summary));
    if let Some(path) = &args.junit {
        report(junit::write(summary, root, &globals.cwd.join(path)));
    }
    if github::active() {
        let annotations = github::annotations(summary, root);
        match args.output {
            OutputFormat::Json => eprint!("{annotations}"),
            OutputFormat::Human => print!("{annotations}"),
        }
        report(
            github::append_step_summary(summary)
                .context("cannot append to the GitHub step summary (GITHUB_STEP_SUMMARY)"),
        );
    }
}

/// Creates `.gantry/` with a `.gitignore` of its own, so that its records
/// never show up in `git status` even before `gantry init` edits .gitignore.
pub(super) fn ensure_state_dir(root: &std::path::Path) -> anyhow::Result<()> {
    let dir = root.join(record::STATE_DIR);
    std::fs::create_dir_all(&dir)?;
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        std::fs::write(
            ignore,
            "# written by gantry: run records stay out of git\n*\n",
        )?;
    }
    refresh_schema(&dir);
    Ok(())
}

/// Keeps `.gantry/gantry.schema.json` current for editors (a
/// `# yaml-language-server: $schema=.gantry/gantry.schema.json` comment in
/// gantry.yml points at it). Best effort: a failure here never stops a run.
fn refresh_schema(dir: &std::path::Path) {
    let path = dir.join("gantry.schema.json");
    let text = super::schema::text();
    if crate::fsutil::read(&path).ok().as_deref() != Some(text.as_bytes()) {
        let _ = crate::fsutil::write_atomic(&path, text.as_bytes(), None);
    }
}

pub(super) fn run_plan(
    globals: &Globals,
    args: &RunArgs,
    plan: &Plan,
    record: &RunRecord,
    cache: Option<&Cache>,
) -> anyhow::Result<RunSummary> {
    run_plan_with(globals, args, plan, record, cache, None)
}

fn run_plan_with(
    globals: &Globals,
    args: &RunArgs,
    plan: &Plan,
    record: &RunRecord,
    cache: Option<&Cache>,
    interrupt: Option<&Arc<Interrupt>>,
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
    let (mut reporter, every_line) = reporter(globals, args.output, &record.root);
    let started_at = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
    let start = Instant::now();
    reporter.start(plan);
    let options = ExecOptions {
        keep_going: args.keep_going,
        jobs: args.jobs,
    };
    let (tx, rx) = mpsc::sync_channel(EVENT_QUEUE);
    let outputs = exec::outputs::Produced::default();
    plan.provided.iter().for_each(|r| outputs.record(r));
    let mut crashed = None;
    let stages: Vec<StageSummary> = std::thread::scope(|scope| {
        let worker = scope.spawn(|| {
            let ctx = ActionContext {
                record,
                events: tx,
                interrupt: &interrupt,
                secrets: &plan.secrets,
                every_line,
                cache,
                root: &plan.root,
                approval: crate::approval::Policy::decide(
                    args.yes,
                    term::stdin_is_tty() && (term::stdout_is_tty() || term::stderr_is_tty()),
                    args.pre_push,
                ),
                outputs: std::sync::Arc::new(outputs),
            };
            exec::execute(plan, options, &ctx)
        });
        let reported = catch_unwind(AssertUnwindSafe(|| {
            for event in &rx {
                reporter.event(&event);
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
            let why = crate::secrets::mask(why);
            eprintln!("error: {why}; the run is marked failed");
            Status::Failed
        }
        // Stopped before any action started: nothing ran, nothing passed.
        None if interrupt.requested() && totals.status() == Status::Passed => Status::Interrupted,
        None => totals.status(),
    };
    let mut summary = RunSummary {
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
        stages,
        totals,
    };
    masked::summary(&mut summary);
    if catch_unwind(AssertUnwindSafe(|| reporter.finish(&summary))).is_err() {
        eprintln!("error: the reporter crashed while printing the summary");
    }
    Ok(summary)
}

/// Live bars when the human stream is a terminal, plain lines otherwise,
/// behind the masking. Returns whether the executor should send every
/// output line.
fn reporter(
    globals: &Globals,
    output: OutputFormat,
    state_root: &std::path::Path,
) -> (masked::Masked, bool) {
    let (reporter, every_line) = unmasked_reporter(globals, output, state_root);
    (masked::Masked(reporter), every_line)
}

fn unmasked_reporter(
    globals: &Globals,
    output: OutputFormat,
    state_root: &std::path::Path,
) -> (Box<dyn Reporter>, bool) {
    let (stream, tty) = match output {
        OutputFormat::Human => (Stream::Stdout, term::stdout_is_tty()),
        OutputFormat::Json => (Stream::Stderr, term::stderr_is_tty()),
    };
    if tty {
        let live = LiveReporter::new(stream, globals.verbose, globals.quiet)
            .with_estimates(Estimates::from_history(state_root));
        (Box::new(live), globals.verbose)
    } else {
        (
            Box::new(PlainReporter::new(stream, globals.quiet)),
            !globals.quiet,
        )
    }
}
