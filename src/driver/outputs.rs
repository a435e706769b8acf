//! Which reporters a run has, from its options and its surroundings: the
//! display (live bars on a terminal, plain lines elsewhere), run.json, the
//! JUnit file, GitHub's annotations and step summary, the JSON summary.

use super::RunOptions;
use crate::record::RunRecord;
use crate::report::sink::FileSink;
use crate::report::{
    github, FanOut, JsonSummary, Junit, LiveReporter, OutputFormat, PlainReporter, Reporter, Stream,
};
use crate::term;

/// The run's reporters behind one fan-out, and whether the executor
/// should send every output line.
pub(super) fn fan_out(options: &RunOptions, record: &RunRecord) -> (FanOut, bool) {
    let (display, every_line) = display(options, record);
    let mut reporters = vec![
        display,
        Box::new(JsonSummary::new(FileSink::replace(record.summary_path()))),
    ];
    if let Some(path) = &options.junit {
        reporters.push(Box::new(Junit::new(
            FileSink::replace(path.clone()),
            &record.root,
        )));
    }
    if github::active() {
        let annotations: Box<dyn std::io::Write> = match options.output {
            OutputFormat::Json => Box::new(std::io::stderr()),
            OutputFormat::Human => Box::new(std::io::stdout()),
        };
        reporters.push(Box::new(github::Annotations::new(
            annotations,
            &record.root,
        )));
        if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") {
            reporters.push(Box::new(github::StepSummary::new(FileSink::append(
                path.into(),
            ))));
        }
    }
    if options.output == OutputFormat::Json {
        reporters.push(Box::new(JsonSummary::new(std::io::stdout())));
    }
    (FanOut::new(reporters), every_line)
}

/// Live bars when the human stream is a terminal, plain lines otherwise.
fn display(options: &RunOptions, record: &RunRecord) -> (Box<dyn Reporter>, bool) {
    let (stream, tty) = match options.output {
        OutputFormat::Human => (Stream::Stdout, term::stdout_is_tty()),
        OutputFormat::Json => (Stream::Stderr, term::stderr_is_tty()),
    };
    if tty {
        let live = LiveReporter::new(stream.writer(), stream, options.verbose, options.quiet)
            .with_history(&record.root);
        (Box::new(live), options.verbose)
    } else {
        let plain = PlainReporter::new(stream.writer(), stream, options.quiet);
        (Box::new(plain), !options.quiet)
    }
}
