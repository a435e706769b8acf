//! gantry: run a repository's release pipeline locally before pushing, and
//! validate (and carry out) AWS CodeDeploy AppSpec files.
//!
//! The binary is glue: [`main_entry`] parses the command line, dispatches to
//! `cmd::*`, and maps the outcome to an exit code.
//!
//! The modules form layers, each importing only the ones below it: `cmd` →
//! `cli` → reporters → `exec` → `cache` → `plan` → action kinds (`image`,
//! `deploy`, `custom`, `approval`) → `config` → records, diagnostics and
//! secrets → `proc` → leaves such as `events` and `text`. The exact order
//! is in docs/architecture.md and is checked by tests/it/layers.rs.

// These docs are for gantry's developers (`cargo doc --document-private-items`,
// checked in CI): a public item may point at the private one that explains it.
#![allow(rustdoc::private_intra_doc_links)]

pub mod approval;
pub mod appspec;
pub mod cache;
pub mod cli;
mod cmd;
pub mod config;
pub mod container;
pub mod custom;
pub mod deploy;
pub mod diagnostics;
pub mod driver;
pub mod engine;
pub mod error;
pub mod events;
pub mod exec;
pub mod export;
pub mod fsutil;
pub mod git;
pub mod graph;
pub mod image;
pub mod plan;
pub mod proc;
pub mod record;
pub mod report;
pub mod scaffold;
pub mod secrets;
pub mod service;
pub mod suggest;
pub mod summary;
pub mod term;
pub mod text;
pub mod vars;
pub mod watch;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::diagnostics::{render_human, Sources};

use crate::diagnostics::ConfigError;
use crate::error::{UsageError, EXIT_FAILURE, EXIT_USAGE};

/// Runs gantry with the process's arguments and returns its exit code.
pub fn main_entry() -> ExitCode {
    // `COMPLETE=bash gantry` prints a dynamic completion script; the shell
    // then calls gantry back to complete, e.g. stage names.
    clap_complete::CompleteEnv::with_factory(<cli::Cli as clap::CommandFactory>::command)
        .complete();
    let cli = cli::Cli::parse();
    term::setup_colors(cli.color);
    match cmd::execute(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => ExitCode::from(report_error(&err)),
    }
}

/// Config errors shown before gantry stops listing them.
const MAX_CONFIG_ERRORS: usize = 20;

/// Prints `err` on stderr, secrets masked, and returns the exit code it
/// stands for.
pub(crate) fn report_error(err: &anyhow::Error) -> u8 {
    if is_broken_pipe(err) {
        return 0;
    }
    let mut text = Vec::new();
    let code = render_error(err, &mut text);
    let _ = std::io::stderr().lock().write_all(&text);
    code
}

/// Writes `err` as shown to people, secrets masked, and returns its exit
/// code.
fn render_error(err: &anyhow::Error, stderr: &mut Vec<u8>) -> u8 {
    if let Some(config) = err.downcast_ref::<ConfigError>() {
        let mut sources = Sources::default();
        let mut shown = config.diagnostics.clone();
        if let Ok(cwd) = std::env::current_dir() {
            diagnostics::relativize(&mut shown, &cwd);
        }
        for d in shown.iter().take(MAX_CONFIG_ERRORS) {
            // Masks its message, source line and hint itself.
            let _ = write!(stderr, "{}", render_human(d, &mut sources));
        }
        let file = shown
            .first()
            .map_or(config.file.clone(), |d| d.file.display().to_string());
        let file = text::escape_controls(&secrets::mask(&file), false);
        let more = match shown.len().saturating_sub(MAX_CONFIG_ERRORS) {
            0 => String::new(),
            n => format!(" ({n} more not shown; `gantry validate` lists them all)"),
        };
        let _ = writeln!(
            stderr,
            "{}: {} in {file}{more}",
            console::style("error").red().bold().for_stderr(),
            error::plural(shown.len(), "error")
        );
        return EXIT_USAGE;
    }
    let _ = writeln!(
        stderr,
        "{}: {}",
        console::style("error").red().bold().for_stderr(),
        // Masked before escaping, so that escaping cannot split a secret.
        text::escape_controls(&secrets::mask(&format!("{err:#}")), true)
    );
    if err.downcast_ref::<UsageError>().is_some() {
        EXIT_USAGE
    } else {
        EXIT_FAILURE
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
