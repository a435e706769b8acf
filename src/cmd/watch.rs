//! `gantry watch`: run the pipeline, then again whenever one of its inputs
//! changes. A change during a run cancels it (its process groups are
//! stopped as on Ctrl-C) and starts over; the cache keeps each run to what
//! changed.

use std::io::Write;

use super::run::only::Only;
use super::run::{run_options, run_target, Extra, Target};
use super::Globals;
use crate::cli::WatchArgs;
use crate::config::Pipeline;
use crate::driver::RunOptions;
use crate::error::EXIT_INTERRUPTED;
use crate::plan::{self, Selection};
use crate::proc::interrupt::Interrupt;
use crate::term;
use crate::watch::filter::Filter;
use crate::watch::{Wake, Watching};

/// Clears the screen and its scrollback, and homes the cursor.
const CLEAR: &str = "\x1b[2J\x1b[3J\x1b[H";

/// Watches and runs until Ctrl-C (or SIGTERM, SIGHUP).
pub fn execute(globals: &Globals, args: &WatchArgs) -> anyhow::Result<u8> {
    let target = Target {
        selectors: &args.stages,
        env: &args.exec.env,
        ..Target::default()
    };
    let options = RunOptions {
        approve: approved_by_env(),
        ..run_options(globals, &args.exec)
    };
    // A broken config or an unknown stage at the start is an error; later,
    // while watching, it is reported and the next change tries again.
    let watching = Watching::start(filter(&globals.load_pipeline()?, &args.stages)?)?;
    ctrlc::set_handler(watching.quitter())?;
    let clear = !args.no_clear && term::stdout_is_tty();
    loop {
        let interrupt = Interrupt::new();
        let Some(start) = watching.start_run(&interrupt) else {
            break;
        };
        if clear {
            print!("{CLEAR}");
            let _ = std::io::stdout().flush();
        }
        for path in &start.written_by_runs {
            eprintln!(
                "note: {path} changed during each of the last {} runs: it is taken as written by the run and no longer starts one \
                 (add it to .gitignore or leave it out of inputs:; restart gantry watch to watch it again)",
                crate::watch::changes::LOOP_LIMIT
            );
        }
        if !start.changed.is_empty() {
            eprintln!("gantry watch: changed: {}", shorten(&start.changed));
        }
        let extra = Extra {
            interrupt: Some(&interrupt),
            ..Extra::default()
        };
        if let Err(e) = run_target(globals, &target, &options, &extra) {
            crate::report_error(&e);
        }
        watching.end_run();
        if let Ok(filter) = globals
            .load_pipeline()
            .and_then(|p| filter(&p, &args.stages))
        {
            watching.set_filter(filter);
        }
        eprintln!("gantry watch: waiting for changes (Ctrl-C to stop)");
        match watching.wait(|e| eprintln!("warning: watching files: {e}")) {
            Wake::Quit => break,
            Wake::Changed => {}
        }
    }
    Ok(EXIT_INTERRUPTED)
}

/// `GANTRY_APPROVE`, read as `gantry run` reads it (watch has no `--yes`).
fn approved_by_env() -> bool {
    use clap::builder::{FalseyValueParser, TypedValueParser};
    std::env::var_os("GANTRY_APPROVE").is_some_and(|value| {
        FalseyValueParser::new()
            .parse_ref(&clap::Command::new("watch"), None, &value)
            .unwrap_or(false)
    })
}

/// What the chosen stages' or actions' actions read (`STAGE` or
/// `STAGE/ACTION`, as `gantry run` takes them), by the cache's input rules.
fn filter(pipeline: &Pipeline, selectors: &[String]) -> anyhow::Result<Filter> {
    let (only, stages) = Only::parse(pipeline, selectors)?;
    let selection = Selection {
        stages,
        ..Selection::default()
    };
    let chosen = plan::select(pipeline, &selection)?;
    let inputs = chosen
        .iter()
        .map(|&i| &pipeline.stages[i])
        .flat_map(|s| s.actions.iter().filter(|a| only.chooses(&s.name, a)))
        .map(|a| (a.inputs.as_slice(), a.outputs.as_slice()));
    Ok(Filter::new(&pipeline.root, &pipeline.file, inputs).with_included(&pipeline.included))
}

/// The first few paths, and how many more.
fn shorten(paths: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut text = paths
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if paths.len() > SHOWN {
        text.push_str(&format!(" and {} more", paths.len() - SHOWN));
    }
    text
}
