//! `gantry cache clean`.

use super::Globals;
use crate::cache::store;
use crate::cli::CacheCommand;

/// Runs a `gantry cache` subcommand.
pub fn execute(globals: &Globals, command: &CacheCommand) -> anyhow::Result<u8> {
    match command {
        CacheCommand::Clean => {
            let pipeline = globals.load_pipeline()?;
            let dir = store::cache_dir(&pipeline.root);
            if store::clean(&pipeline.root)? {
                println!("removed {}", dir.display());
            } else {
                println!("no cache at {}", dir.display());
            }
            Ok(0)
        }
    }
}
