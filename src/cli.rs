//! The command line: one clap-derive tree that also feeds `--help`, the man
//! pages and the shell completions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use crate::export::ExportTarget;
pub use crate::report::OutputFormat;
pub use crate::term::ColorChoice;

/// Run your release pipeline locally before you push.
#[derive(Debug, Parser)]
#[command(
    name = "gantry",
    version,
    about = "Run your release pipeline locally before you push",
    after_help = "Examples:\n  gantry run                 run every stage of ./gantry.yml\n  gantry run test --dry-run  show what the test stage would run\n  gantry list                stages and actions as a tree\n  gantry validate            check gantry.yml and appspec.yml"
)]
pub struct Cli {
    /// Work in DIR, as if gantry had been started there.
    #[arg(short = 'C', long = "directory", global = true, value_name = "DIR")]
    pub directory: Option<PathBuf>,
    /// Use this config file instead of looking for gantry.yml upward.
    #[arg(short = 'f', long = "file", global = true, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Print less: no live output, only failures and the summary.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more: every output line of every action, also on a terminal.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a gantry.yml that fits this repository (and, with --appspec, an appspec.yml).
    Init(InitArgs),
    /// Run the pipeline: every stage, or the named ones.
    Run(RunArgs),
    /// Run the pipeline again whenever an input file changes.
    Watch(WatchArgs),
    /// Print the stages and actions as a tree.
    List,
    /// Draw the pipeline: stages, parallel groups, gates.
    Graph(GraphArgs),
    /// Check appspec.yml files and gantry.yml for mistakes.
    Validate(ValidateArgs),
    /// Carry out a CodeDeploy in-place deployment on local instances.
    Deploy(DeployArgs),
    /// Install, remove or inspect the git pre-push hook.
    #[command(subcommand)]
    Hook(HookCommand),
    /// Manage the action cache.
    #[command(subcommand)]
    Cache(CacheCommand),
    /// List recent runs: id, start time, commit, status, duration.
    History(HistoryArgs),
    /// Re-run what failed, timed out, was interrupted or skipped in a run (the latest by default).
    Retry(RetryArgs),
    /// Print the logs of a run (the latest by default), or follow a run in progress.
    Logs(LogsArgs),
    /// Write the pipeline as another CI engine's configuration.
    Export(ExportArgs),
    /// Print the JSON Schema of gantry.yml (for editors).
    Schema(SchemaArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
}

/// Arguments of `gantry export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The CI engine to write configuration for.
    #[arg(value_enum)]
    pub target: ExportTarget,
    /// Write to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `gantry hook …`.
#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Install the pre-push hook (an existing hook is chained, never overwritten).
    Install(HookStages),
    /// Remove gantry's pre-push hook and restore a chained one.
    Uninstall,
    /// Say which pre-push hook is installed, and where.
    Status,
    /// Run by the installed hook: check every pushed commit.
    #[command(hide = true)]
    PrePush {
        /// The stages the push runs.
        #[command(flatten)]
        stages: HookStages,
        /// Run the hook gantry moved to pre-push.gantry-chained first.
        #[arg(long)]
        chained: bool,
        /// The remote's name (from git).
        remote: Option<String>,
        /// The remote's URL (from git).
        url: Option<String>,
    },
}

/// Which stages a push runs (`gantry hook install`). By default every
/// stage that neither deploys nor asks for approval.
#[derive(Clone, Debug, Default, Args)]
pub struct HookStages {
    /// Stop after this stage.
    #[arg(long, value_name = "STAGE", add = stage_names())]
    pub to: Option<String>,
    /// Leave out this stage (repeatable).
    #[arg(long, value_name = "STAGE", add = stage_names())]
    pub skip: Vec<String>,
    /// Also run stages that deploy or ask for approval (a gate asks on the terminal).
    #[arg(long)]
    pub all: bool,
}

/// Arguments of `gantry graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// Text for the terminal, or Mermaid / Graphviz DOT for documentation.
    #[arg(long, value_enum, default_value_t = GraphFormat::Text)]
    pub format: GraphFormat,
}

/// Formats of `gantry graph`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// A diagram in box-drawing text.
    Text,
    /// A Mermaid flowchart.
    Mermaid,
    /// A Graphviz digraph.
    Dot,
}

/// `gantry cache …`.
#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// Delete every cache entry: the next run runs everything.
    Clean,
}

/// Arguments of `gantry init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Overwrite an existing gantry.yml (and, with --appspec, appspec.yml and its scripts).
    #[arg(long)]
    pub force: bool,
    /// Use this ecosystem's template (or this task runner's targets) for the directory instead of detecting.
    #[arg(long, value_enum, value_name = "NAME", conflicts_with = "from")]
    pub template: Option<crate::scaffold::Template>,
    /// Take the lint/build/test commands from this source only (default: CI files, then task runners, then package.json scripts).
    #[arg(long, value_enum, value_name = "SOURCE")]
    pub from: Option<crate::scaffold::Origin>,
    /// Also write an EC2/On-Premises appspec.yml and scripts/ with its hook scripts.
    #[arg(long)]
    pub appspec: bool,
    /// Print every file that would be written; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Arguments of `gantry history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// How many runs to list, newest first.
    #[arg(short = 'n', long, default_value_t = 20, value_name = "N")]
    pub limit: usize,
}

/// Arguments of `gantry logs`.
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// A run id (default: the latest run), then optionally STAGE or STAGE/ACTION.
    #[arg(value_name = "RUN] [STAGE[/ACTION]", num_args = 0..=2)]
    pub selector: Vec<String>,
    /// Only the actions that failed or timed out.
    #[arg(long)]
    pub failed: bool,
    /// Print lines as they are written, until the run ends (default run:
    /// the newest, also while it is still running).
    #[arg(long, conflicts_with = "failed")]
    pub follow: bool,
}

/// Arguments of `gantry retry`.
#[derive(Debug, Args)]
pub struct RetryArgs {
    /// The run to retry (default: the latest).
    #[arg(value_name = "RUN")]
    pub run: Option<u64>,
    /// How the actions run.
    #[command(flatten)]
    pub exec: ExecArgs,
    /// How to print the end-of-run summary on stdout.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub output: OutputFormat,
    /// Run every retried action, even those the cache would skip.
    #[arg(long)]
    pub no_cache: bool,
    /// Approve every approval gate without asking (also GANTRY_APPROVE=1).
    #[arg(short = 'y', long, env = "GANTRY_APPROVE", value_parser = clap::builder::FalseyValueParser::new())]
    pub yes: bool,
}

/// Arguments of `gantry deploy`.
#[derive(Debug, Args)]
pub struct DeployArgs {
    /// The deployment group (default: the only one in gantry.yml).
    #[arg(short, long, value_name = "GROUP")]
    pub group: Option<String>,
    /// The revision folder (default: the group's `deploy:` action's, else the pipeline root).
    #[arg(long, value_name = "DIR", conflicts_with = "rollback")]
    pub revision: Option<PathBuf>,
    /// The AppSpec file, at the revision's root (default: its appspec.yml).
    #[arg(long, value_name = "FILE", conflicts_with = "rollback")]
    pub appspec: Option<PathBuf>,
    /// Deploy onto DIR as the group's only instance. `--root /` deploys onto
    /// this machine for real: files go to their real paths, scripts run as
    /// on a server.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Redeploy the group's previous successful revision.
    #[arg(long)]
    pub rollback: bool,
    /// Only restore instances that a killed or interrupted deployment left
    /// half done, as they were before it (every deployment does this first).
    #[arg(long, conflicts_with_all = ["rollback", "revision", "appspec"])]
    pub recover: bool,
    /// On failure, keep the failed state for inspection instead of rolling back.
    #[arg(long)]
    pub no_rollback: bool,
    /// When ApplicationStop fails on an instance (its scripts fail, or the
    /// previous revision's kept bundle changed), warn and go on with the
    /// deployment, as CodeDeploy's option of the same name.
    #[arg(long, conflicts_with_all = ["recover", "shell", "reset"])]
    pub ignore_application_stop_failures: bool,
    /// Open an interactive shell in container instance N of the group
    /// (started first if needed; needs a terminal).
    #[arg(long, value_name = "N", conflicts_with_all = ["rollback", "recover", "revision", "appspec", "root", "reset"])]
    pub shell: Option<usize>,
    /// Remove the group's container instances and create them afresh from
    /// their image (what deployments installed on them is gone).
    #[arg(long, conflicts_with_all = ["rollback", "recover", "revision", "appspec", "root"])]
    pub reset: bool,
    /// Approve the group's approval gate without asking (also GANTRY_APPROVE=1).
    #[arg(short = 'y', long, env = "GANTRY_APPROVE", value_parser = clap::builder::FalseyValueParser::new())]
    pub yes: bool,
    /// How to print the summary on stdout.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub output: OutputFormat,
    /// Also write the deployment as JUnit XML to FILE (one test case).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
}

/// Arguments of `gantry run`.
#[derive(Clone, Debug, Args)]
pub struct RunArgs {
    /// Run only these stages (in pipeline order), or only these actions:
    /// STAGE/ACTION, globs allowed ('test/*', '*/clippy').
    #[arg(value_name = "STAGE[/ACTION]", add = stage_and_action_names())]
    pub stages: Vec<String>,
    /// Pick what to run from a fuzzy-searchable list of stages and actions (needs a terminal).
    #[arg(long, conflicts_with = "stages")]
    pub choose: bool,
    /// Start at this stage.
    #[arg(long, value_name = "STAGE", add = stage_names())]
    pub from: Option<String>,
    /// Stop after this stage.
    #[arg(long, value_name = "STAGE", add = stage_names())]
    pub to: Option<String>,
    /// Leave out this stage (repeatable).
    #[arg(long, value_name = "STAGE", add = stage_names())]
    pub skip: Vec<String>,
    /// Print the plan with every variable expanded; run nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// How the actions run.
    #[command(flatten)]
    pub exec: ExecArgs,
    /// How to print the end-of-run summary on stdout.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub output: OutputFormat,
    /// Run on a clean temporary checkout of REV (default HEAD; write
    /// `--snapshot=REV`): uncommitted and untracked files cannot change the result.
    #[arg(long, value_name = "REV", num_args = 0..=1, require_equals = true, default_missing_value = "HEAD")]
    pub snapshot: Option<String>,
    /// Also write the run as JUnit XML to FILE (one test case per action).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Run every action, even those the cache would skip.
    #[arg(long)]
    pub no_cache: bool,
    /// Print where the snapshot's checkout is (it is kept in .gantry/snapshot/ for the next run).
    #[arg(long, requires = "snapshot")]
    pub keep_snapshot: bool,
    /// Start the snapshot from a pristine checkout (build folders in .gantry/snapshot/ are deleted) and run every action.
    #[arg(long, requires = "snapshot")]
    pub clean: bool,
    /// Set by the pre-push hook: approval gates ask on the controlling terminal.
    #[arg(long, hide = true)]
    pub pre_push: bool,
    /// Approve every approval gate without asking (also GANTRY_APPROVE=1).
    #[arg(short = 'y', long, env = "GANTRY_APPROVE", value_parser = clap::builder::FalseyValueParser::new())]
    pub yes: bool,
}

/// How a run's actions run: the options `gantry run`, `retry` and `watch`
/// share.
#[derive(Clone, Debug, Default, Args)]
pub struct ExecArgs {
    /// Go on with later stages after a stage failed.
    #[arg(long)]
    pub keep_going: bool,
    /// Run at most N actions at once (default: as many as run_order allows).
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub jobs: Option<u32>,
    /// Set an environment variable for every action (repeatable; wins over the config).
    #[arg(short, long = "env", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub env: Vec<(String, String)>,
}

/// Arguments of `gantry watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Run only these stages, or only these actions (STAGE/ACTION, globs
    /// allowed, as for `gantry run`), and watch only their inputs.
    #[arg(value_name = "STAGE[/ACTION]", add = stage_and_action_names())]
    pub stages: Vec<String>,
    /// Keep earlier runs' output on screen instead of clearing it before each run.
    #[arg(long)]
    pub no_clear: bool,
    /// How the actions run.
    #[command(flatten)]
    pub exec: ExecArgs,
}

/// Arguments of `gantry validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Files or revision directories to check (default: what the repository root holds).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The compute platform, instead of detecting it from the content.
    #[arg(long, value_enum)]
    pub platform: Option<Platform>,
    /// Check AppSpec files on their own: do not look in the revision (the
    /// file's folder) for the sources and scripts they name.
    #[arg(long)]
    pub file_only: bool,
    /// How to print findings.
    #[arg(long, value_enum, default_value_t = FindingFormat::Human)]
    pub format: FindingFormat,
}

/// CodeDeploy compute platforms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Platform {
    /// EC2/On-Premises.
    Server,
    /// Amazon ECS.
    Ecs,
    /// AWS Lambda.
    Lambda,
}

/// Output formats for findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FindingFormat {
    /// Compiler-style text with the source line and a caret.
    Human,
    /// One JSON object per finding, one per line.
    Json,
    /// GitHub Actions `::error` workflow commands.
    Github,
}

/// Arguments of `gantry schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Write to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Arguments of `gantry completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to print a completion script for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Completes stage names from the nearest `gantry.yml` (dynamic
/// completion: `source <(COMPLETE=bash gantry)`).
fn stage_names() -> clap_complete::engine::ArgValueCandidates {
    clap_complete::engine::ArgValueCandidates::new(|| {
        nearest_pipeline()
            .map(|p| stage_candidates(&p))
            .unwrap_or_default()
    })
}

/// Completes stage names and `stage/action` names.
fn stage_and_action_names() -> clap_complete::engine::ArgValueCandidates {
    clap_complete::engine::ArgValueCandidates::new(|| {
        let Some(pipeline) = nearest_pipeline() else {
            return Vec::new();
        };
        let mut candidates = stage_candidates(&pipeline);
        candidates.extend(
            crate::plan::action_keys(&pipeline)
                .into_iter()
                .map(clap_complete::engine::CompletionCandidate::new),
        );
        candidates
    })
}

fn stage_candidates(
    pipeline: &crate::config::Pipeline,
) -> Vec<clap_complete::engine::CompletionCandidate> {
    pipeline
        .stages
        .iter()
        .map(|s| {
            let help = format!("{} action(s)", s.actions.len());
            clap_complete::engine::CompletionCandidate::new(s.name.clone()).help(Some(help.into()))
        })
        .collect()
}

/// The pipeline of the nearest `gantry.yml`, if it loads.
fn nearest_pipeline() -> Option<crate::config::Pipeline> {
    let cwd = std::env::current_dir().ok()?;
    let path = crate::config::find_config(&cwd, None).ok()?;
    crate::config::load(&path).ok()
}

fn parse_key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_string(), value.to_string())),
        _ => Err(format!("expected KEY=VALUE, got `{s}`")),
    }
}
