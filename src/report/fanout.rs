//! The one place a run's events and summary go: masked once (no secret
//! reaches any output), then handed to every reporter in turn.

use std::panic::{catch_unwind, AssertUnwindSafe};

use super::{masked, Reporter};
use crate::events::Event;
use crate::plan::Plan;
use crate::summary::RunSummary;

/// Every reporter of a run, behind the masking.
pub struct FanOut {
    reporters: Vec<Box<dyn Reporter>>,
}

impl FanOut {
    /// The reporters, in the order they write at the end.
    pub fn new(reporters: Vec<Box<dyn Reporter>>) -> FanOut {
        FanOut { reporters }
    }

    /// Before anything runs.
    pub fn start(&mut self, plan: &Plan) {
        for reporter in &mut self.reporters {
            reporter.start(plan);
        }
    }

    /// Each event, masked.
    pub fn event(&mut self, event: &Event) {
        let event = masked::event(event);
        for reporter in &mut self.reporters {
            reporter.event(&event);
        }
    }

    /// The masked summary to every reporter, each in turn even when one
    /// fails or crashes; returns what went wrong.
    pub fn finish(&mut self, summary: &RunSummary) -> Vec<anyhow::Error> {
        let mut summary = summary.clone();
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
