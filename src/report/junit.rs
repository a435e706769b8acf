//! `gantry run --junit FILE` (and `gantry deploy --junit FILE`): the run
//! as JUnit XML, one test case per action (classname = stage), with
//! failure messages and log tails.

use std::io::Write;
use std::path::{Path, PathBuf};

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::{tail, Reporter};
use crate::events::{ActionResult, Status};
use crate::summary::RunSummary;

/// The summary as JUnit XML; `root` resolves the actions' log paths.
pub fn render(summary: &RunSummary, root: &Path) -> anyhow::Result<String> {
    let mut report = Report::new(format!("gantry {}", summary.pipeline));
    report.set_time(summary.duration);
    for stage in &summary.stages {
        let mut suite = TestSuite::new(stage.name.clone());
        suite.set_time(stage.actions.iter().map(|a| a.duration).sum());
        for action in &stage.actions {
            suite.add_test_case(test_case(action, root));
        }
        report.add_test_suite(suite);
    }
    Ok(report.to_string()?)
}

fn test_case(action: &ActionResult, root: &Path) -> TestCase {
    let reason = action.reason.clone().unwrap_or_default();
    let status = match action.status {
        Status::Passed | Status::Cached | Status::Warning => TestCaseStatus::success(),
        Status::Skipped => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(reason.clone());
            status
        }
        Status::Failed | Status::TimedOut | Status::Interrupted => {
            let kind = match action.status {
                Status::Interrupted => NonSuccessKind::Error,
                _ => NonSuccessKind::Failure,
            };
            let mut status = TestCaseStatus::non_success(kind);
            status.set_message(reason.clone());
            status.set_type(action.status.label());
            if let Some(log) = &action.log {
                status.set_description(tail::of_failure(action, &root.join(log)).join("\n"));
            }
            status
        }
    };
    let mut case = TestCase::new(action.action.clone(), status);
    case.set_classname(action.stage.clone());
    case.set_time(action.duration);
    let note = match action.status {
        Status::Cached | Status::Warning => Some(format!("{}: {reason}", action.status.label())),
        _ => None,
    };
    let log = action.log.as_ref().map(|l| format!("log: {}", l.display()));
    let out: Vec<String> = note.into_iter().chain(log).collect();
    if !out.is_empty() {
        case.set_system_out(out.join("\n"));
    }
    case
}

/// Writes the run as JUnit XML.
pub struct Junit<W: Write> {
    out: W,
    /// Where the actions' log paths are relative to.
    root: PathBuf,
}

impl<W: Write> Junit<W> {
    /// A reporter writing to `out`; `root` resolves the log paths.
    pub fn new(out: W, root: &Path) -> Self {
        Junit {
            out,
            root: root.to_path_buf(),
        }
    }
}

impl<W: Write> Reporter for Junit<W> {
    fn finish(&mut self, summary: &RunSummary) -> anyhow::Result<()> {
        let xml = render(summary, &self.root)?;
        self.out.write_all(xml.as_bytes())?;
        self.out.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::{Capture, Run};

    #[test]
    fn one_test_case_per_action_with_the_failure_s_log() {
        let run = Run::new();
        let out = Capture::default();
        insta::assert_snapshot!(run.output(&out, Junit::new(out.clone(), run.root())));
    }
}
