//! One run of a plan, whatever asked for it (`gantry run`, `deploy`,
//! `retry`, `watch`), in the same steps every time: plan → claim a run
//! record (re-plan only if a concurrent run took the id) → execute while
//! the reporters show it → summary → reporters finish (table, run.json,
//! JUnit, GitHub, JSON) → prune old records → exit code.
//!
//! The command decides what to plan (a closure from run id to [`Plan`]);
//! the driver knows nothing about the command line: it takes a
//! [`RunOptions`].

mod execute;
mod outputs;
mod state;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::cache::{Cache, FileIndex};
use crate::plan::Plan;
use crate::proc::interrupt::Interrupt;
use crate::record::{self, RunRecord};
use crate::report::OutputFormat;
use crate::summary::SnapshotInfo;

pub use state::ensure_state_dir;

/// How a run runs and what it reports: everything but what to plan.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Go on with later stages after a stage failed.
    pub keep_going: bool,
    /// At most this many actions at once (`None`: as run_order allows).
    pub jobs: Option<u32>,
    /// How the summary is printed on stdout.
    pub output: OutputFormat,
    /// Also write the run as JUnit XML here (an absolute path).
    pub junit: Option<PathBuf>,
    /// Approve every approval gate without asking.
    pub approve: bool,
    /// Started by the pre-push hook: gates ask on the controlling terminal.
    pub pre_push: bool,
    /// Whether the cache may skip actions.
    pub cache: bool,
    /// Print the plan instead of running it.
    pub dry_run: bool,
    /// Say where the snapshot's checkout is when the run ends.
    pub keep_snapshot: bool,
    /// `-q`: only failures and the summary.
    pub quiet: bool,
    /// `-v`: every output line, also on a terminal.
    pub verbose: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            keep_going: false,
            jobs: None,
            output: OutputFormat::Human,
            junit: None,
            approve: false,
            pre_push: false,
            cache: true,
            dry_run: false,
            keep_snapshot: false,
            quiet: false,
            verbose: false,
        }
    }
}

/// What a command hands the driver to run.
pub struct Job<'a> {
    /// Where `.gantry/` is (the real repository, also for snapshot runs).
    pub state_root: &'a Path,
    /// How many run records to keep (`keep_runs:`).
    pub keep_runs: u32,
    /// Plans the run, given its id (`${run.id}`).
    pub planner: &'a dyn Fn(String) -> anyhow::Result<Plan>,
    /// File lookups for the cache, when some action is cached.
    pub files: Option<FileIndex>,
    /// The snapshot the run ran on, for run.json.
    pub snapshot: Option<SnapshotInfo>,
    /// The run this one retries (`gantry retry`), for run.json.
    pub retry_of: Option<u64>,
    /// The `--env` values given, for run.json (and so `gantry retry`).
    pub env: &'a [(String, String)],
    /// Stops the run (`gantry watch` cancels runs with it and handles
    /// Ctrl-C itself); without it, the driver handles Ctrl-C.
    pub interrupt: Option<&'a Arc<Interrupt>>,
}

/// Runs `job` and returns the exit code.
pub fn run(job: Job<'_>, options: &RunOptions) -> anyhow::Result<u8> {
    let Job {
        state_root,
        keep_runs,
        planner,
        files,
        snapshot,
        retry_of,
        env,
        interrupt,
    } = job;
    let next = record::next_id(state_root);
    // Plan before claiming a run directory: a config error leaves nothing behind.
    let plan = planner(next.to_string())?;
    let mut files = files;
    let mut cache = |run_id: &str| {
        files
            .take()
            .map(|f| Cache::new(f, state_root, options.cache, run_id))
    };
    if options.dry_run {
        crate::report::dry_run::print(&plan, cache(&plan.run_id).as_ref(), state_root);
        return Ok(crate::error::EXIT_OK);
    }
    ensure_state_dir(state_root)?;
    let record = RunRecord::create(state_root, next)?;
    // Only when a concurrent run took `next` does `${run.id}` change.
    let plan = if record.id == next {
        plan
    } else {
        planner(record.id.to_string())?
    };
    record.recycle_oldest(keep_runs);
    let cache = cache(&plan.run_id);
    let (mut outputs, every_line) = outputs::fan_out(options, &record);
    let mut summary = execute::execute(
        &plan,
        &record,
        cache.as_ref(),
        interrupt,
        options,
        &mut outputs,
        every_line,
    )?;
    let kept = snapshot.as_ref().map(|s| s.dir.clone());
    summary.snapshot = snapshot;
    summary.retry_of = retry_of.map(|id| id.to_string());
    // Checked now, when every secret of the run is known.
    summary.env = env
        .iter()
        .map(|(name, value)| {
            let kept = (crate::secrets::mask(value) == *value).then(|| value.clone());
            (name.clone(), kept)
        })
        .collect();
    // The run is over: a report that cannot be written is reported, but
    // the exit code still says how the run went.
    for error in outputs.finish(&summary) {
        crate::report_error(&anyhow::anyhow!(
            "{error:#}; the run's outcome stands: {}",
            summary.status.label()
        ));
    }
    if let Some(cache) = &cache {
        cache.save();
    }
    if let Some(dir) = kept.filter(|_| options.keep_snapshot) {
        eprintln!("snapshot kept at {}", dir.display());
    }
    // Last, once everything about this run is out: deleting the oldest
    // records is the slowest part of finishing on a busy disk.
    record.prune(keep_runs);
    Ok(summary.status.exit_code())
}
