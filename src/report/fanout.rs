//! The one place a run's events and summary go: masked once (no secret
//! reaches any output), then handed to every reporter in turn. A failed
//! action's log tail is read here once, for all of them.

use std::borrow::Cow;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::{masked, tail, Reporter, FAILURE_TAIL_LINES};
use crate::events::Event;
use crate::plan::Plan;
use crate::summary::RunSummary;

/// Every reporter of a run, behind the masking.
pub struct FanOut {
    reporters: Vec<Box<dyn Reporter>>,
    /// The log tails of failed actions by (stage, action), for the summary.
    tails: HashMap<(String, String), Vec<String>>,
}

impl FanOut {
    /// The reporters, in the order they write at the end.
    pub fn new(reporters: Vec<Box<dyn Reporter>>) -> FanOut {
        FanOut {
            reporters,
            tails: HashMap::new(),
        }
    }

    /// Before anything runs.
    pub fn start(&mut self, plan: &Plan) {
        for reporter in &mut self.reporters {
            reporter.start(plan);
        }
    }

    /// Each event, masked; a failed action's with its log tail.
    pub fn event(&mut self, event: &Event) {
        let event = self.with_tail(event);
        let event = masked::event(&event);
        for reporter in &mut self.reporters {
            reporter.event(&event);
        }
    }

    /// `event` with the log tail of the failed action it ends, read now
    /// and kept for the summary.
    fn with_tail<'a>(&mut self, event: &'a Event) -> Cow<'a, Event> {
        let Event::ActionFinished {
            result,
            log_file: Some(log),
            ..
        } = event
        else {
            return Cow::Borrowed(event);
        };
        if !result.status.is_failure() || result.failure_tail.is_some() {
            return Cow::Borrowed(event);
        }
        let lines = tail::failure_lines(log, FAILURE_TAIL_LINES);
        let id = (result.stage.clone(), result.action.clone());
        self.tails.insert(id, lines.clone());
        let mut event = event.clone();
        if let Event::ActionFinished { result, .. } = &mut event {
            result.failure_tail = Some(lines);
        }
        Cow::Owned(event)
    }

    /// The masked summary to every reporter, each in turn even when one
    /// fails or crashes; returns what went wrong.
    pub fn finish(&mut self, summary: &RunSummary) -> Vec<anyhow::Error> {
        let mut summary = summary.clone();
        for action in summary.stages.iter_mut().flat_map(|s| &mut s.actions) {
            if action.failure_tail.is_none() && action.status.is_failure() {
                let id = (action.stage.clone(), action.action.clone());
                action.failure_tail = self.tails.remove(&id);
            }
        }
        masked::summary(&mut summary);
        let mut errors = Vec::new();
        for reporter in &mut self.reporters {
            match catch_unwind(AssertUnwindSafe(|| reporter.finish(&summary))) {
                Ok(Ok(())) => {}
                Ok(Err(error)) => errors.push(error),
                Err(panic) => errors.push(anyhow::anyhow!(
                    "a reporter crashed while writing the summary: {}",
                    crate::exec::panic_message(&*panic)
                )),
            }
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::{Capture, Run};
    use crate::report::{JsonSummary, PlainReporter, Stream};

    /// A report that cannot be written.
    struct Failing;

    impl Reporter for Failing {
        fn finish(&mut self, _: &RunSummary) -> anyhow::Result<()> {
            anyhow::bail!("cannot write report.xml")
        }
    }

    /// A reporter with a bug.
    struct Crashing;

    impl Reporter for Crashing {
        fn finish(&mut self, _: &RunSummary) -> anyhow::Result<()> {
            panic!("bug in a reporter")
        }
    }

    #[test]
    fn no_secret_reaches_a_reporter_and_a_failing_one_stops_none() {
        let secret = "fan-out-s3cret-4711".to_string();
        crate::secrets::register([&secret]);
        let run = Run::new();
        let (plain, json) = (Capture::default(), Capture::default());
        let mut fan_out = FanOut::new(vec![
            Box::new(PlainReporter::new(plain.writer(), Stream::Stdout, false)),
            Box::new(Failing),
            Box::new(Crashing),
            Box::new(JsonSummary::new(json.clone())),
        ]);
        fan_out.start(&run.plan);
        for mut event in run.events() {
            match &mut event {
                Event::Output { line, .. } => line.push_str(&format!(" token={secret}")),
                Event::ActionFinished { result, .. } => {
                    result.reason = Some(format!("{secret} was refused"));
                }
                _ => {}
            }
            fan_out.event(&event);
        }
        let mut summary = run.summary();
        let lint = &mut summary.stages[0].actions[1];
        lint.reason = Some(format!("{secret} was refused"));
        lint.outputs.insert("token".into(), secret.clone());
        let errors: Vec<String> = fan_out
            .finish(&summary)
            .iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(
            errors,
            [
                "cannot write report.xml",
                "a reporter crashed while writing the summary: bug in a reporter"
            ]
        );
        for text in [plain.text(run.root()), json.text(run.root())] {
            assert!(!text.contains(&secret), "{text}");
            assert!(text.contains("*** was refused"), "{text}");
        }
        assert!(plain
            .text(run.root())
            .contains("Compiling app v0.1.0 token=***"));
        assert!(json.text(run.root()).contains(r#""token": "***""#));
    }

    #[test]
    fn a_failed_action_s_log_is_read_once_for_every_reporter() {
        let run = Run::new();
        let (plain, junit) = (Capture::default(), Capture::default());
        let mut fan_out = FanOut::new(vec![
            Box::new(PlainReporter::new(plain.writer(), Stream::Stdout, true)),
            Box::new(crate::report::Junit::new(junit.writer(), run.root())),
        ]);
        fan_out.start(&run.plan);
        for event in run.events() {
            fan_out.event(&event);
        }
        // Read when the action ended: the summary's reporters still show it.
        std::fs::remove_file(run.root().join(crate::report::fixture::lint_log())).unwrap();
        assert!(fan_out.finish(&run.summary()).is_empty());
        for text in [plain.text(run.root()), junit.text(run.root())] {
            assert!(text.contains("error: unused variable `x`"), "{text}");
        }
    }
}
