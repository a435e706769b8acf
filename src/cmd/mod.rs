//! One module per subcommand; [`execute`] dispatches to them.

mod cache;
mod completions;
mod deploy;
mod deploy_instances;
mod export;
mod follow;
mod graph;
mod history;
mod hook;
mod init;
mod list;
mod logs;
mod retry;
mod run;
mod schema;
mod validate;
mod watch;

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cli::{Cli, Command};
use crate::config::{self, Pipeline};

/// What every subcommand gets: the global options, resolved.
pub struct Globals {
    /// The directory gantry works in (`-C DIR`, else the current directory).
    pub cwd: PathBuf,
    /// `-f FILE`, if given.
    pub config_file: Option<PathBuf>,
    /// `-q`.
    pub quiet: bool,
    /// `-v`.
    pub verbose: bool,
}

impl Globals {
    /// Finds and loads the pipeline config.
    pub fn load_pipeline(&self) -> anyhow::Result<Pipeline> {
        let path = config::find_config(&self.cwd, self.config_file.as_deref())?;
        Ok(config::load(&path)?)
    }
}

/// Runs the parsed command line and returns the exit code.
pub fn execute(cli: Cli) -> anyhow::Result<u8> {
    let cwd = resolve_cwd(cli.directory.as_deref())?;
    let ctx = Globals {
        cwd,
        config_file: cli.file,
        quiet: cli.quiet,
        verbose: cli.verbose,
    };
    match cli.command {
        Command::Init(args) => init::execute(&ctx, &args),
        Command::Run(args) => run::execute(&ctx, &args),
        Command::Watch(args) => watch::execute(&ctx, &args),
        Command::List => list::execute(&ctx),
        Command::Graph(args) => graph::execute(&ctx, &args),
        Command::Validate(args) => validate::execute(&ctx, &args),
        Command::Cache(command) => cache::execute(&ctx, &command),
        Command::Hook(command) => hook::execute(&ctx, &command),
        Command::History(args) => history::execute(&ctx, &args),
        Command::Logs(args) => logs::execute(&ctx, &args),
        Command::Retry(args) => retry::execute(&ctx, &args),
        Command::Schema(args) => schema::execute(&ctx, &args),
        Command::Completions(args) => completions::execute(&args),
        Command::Export(args) => export::execute(&ctx, &args),
        Command::Deploy(args) => deploy::execute(&ctx, &args),
    }
}

fn resolve_cwd(directory: Option<&Path>) -> anyhow::Result<PathBuf> {
    let current = std::env::current_dir().context("cannot read the current directory")?;
    match directory {
        None => Ok(current),
        Some(dir) => {
            let dir = current.join(dir);
            anyhow::ensure!(
                dir.is_dir(),
                crate::error::UsageError(format!("-C {}: no such directory", dir.display()))
            );
            Ok(dir)
        }
    }
}
