//! `gantry watch`: run the pipeline, then again whenever one of its inputs
//! changes. A change during a run cancels it (its process groups are
//! stopped as on Ctrl-C) and starts over; the cache keeps each run to what
//! changed.

use std::io::Write;

use clap::{Args, FromArgMatches};

use super::Globals;
use crate::cli::{RunArgs, WatchArgs};
use crate::config::Pipeline;
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
    let run_args = run_args(args);
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
        if let Err(e) = super::run::execute_with(
            globals,
            &run_args,
            &super::run::Extra {
                interrupt: Some(&interrupt),
                ..Default::default()
            },
        ) {
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

/// `gantry run`'s arguments with its defaults, and the watch's options.
fn run_args(args: &WatchArgs) -> RunArgs {
    let command = RunArgs::augment_args(clap::Command::new("run"));
    let matches = command.get_matches_from(["run"]);
    let mut run = RunArgs::from_arg_matches(&matches).expect("gantry run's defaults parse");
    run.stages = args.stages.clone();
    run.keep_going = args.keep_going;
    run.jobs = args.jobs;
    run.env = args.env.clone();
    run
}

/// What the selected stages' actions read, by the cache's input rules.
fn filter(pipeline: &Pipeline, stages: &[String]) -> anyhow::Result<Filter> {
    let selection = Selection {
        stages: stages.to_vec(),
        ..Selection::default()
    };
    let chosen = plan::select(pipeline, &selection)?;
    let inputs = chosen
        .iter()
        .flat_map(|&i| &pipeline.stages[i].actions)
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
