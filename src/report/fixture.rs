//! A small run for the reporters' tests: a real plan of a two-stage
//! pipeline, the events of running it (one action passes with output and
//! outputs, one fails with a log, one is skipped) and its summary, and a
//! writer whose bytes the test reads after the reporter is done.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use tempfile::TempDir;

use super::Reporter;
use crate::events::{ActionResult, Event, Status};
use crate::plan::{Plan, PlanOptions, Selection};
use crate::summary::{RunSummary, StageSummary, Totals};

/// The pipeline: `build` (compile, lint at the same time), then `test`.
const CONFIG: &str = "\
version: 1
name: app
stages:
  - name: build
    actions:
      - name: compile
        run: cargo build
      - name: lint
        run: cargo clippy
  - name: test
    actions:
      - name: unit
        run: cargo test
";

/// A pipeline root with its gantry.yml and the failed action's log.
pub struct Run {
    /// Holds the files.
    pub dir: TempDir,
    /// The plan of run 7.
    pub plan: Plan,
}

impl Run {
    /// Plans run 7 of [`CONFIG`] and writes the log of `build/lint`.
    pub fn new() -> Run {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("gantry.yml"), CONFIG).unwrap();
        let pipeline = crate::config::load(&dir.path().join("gantry.yml")).unwrap();
        let options = PlanOptions {
            selection: &Selection::default(),
            cli_env: &[],
            run_id: "7".into(),
            git: Default::default(),
        };
        let plan = crate::plan::plan(&pipeline, options).unwrap();
        let log = dir.path().join(lint_log());
        std::fs::create_dir_all(log.parent().unwrap()).unwrap();
        std::fs::write(
            &log,
            "Checking app\nerror: unused variable `x`\n  --> src/main.rs:2:9\n",
        )
        .unwrap();
        Run { dir, plan }
    }

    /// The pipeline root.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// What the executor sends while running the plan.
    pub fn events(&self) -> Vec<Event> {
        let key = |k: &str| -> Arc<str> { k.into() };
        let results = self.results();
        let finished = |i: usize, log: Option<PathBuf>| Event::ActionFinished {
            key: key(&format!("{}/{}", results[i].stage, results[i].action)),
            result: results[i].clone(),
            log_file: log,
        };
        vec![
            Event::StageStarted {
                stage: "build".into(),
            },
            Event::ActionStarted {
                key: key("build/compile"),
                attempt: 1,
                command: "cargo build".into(),
            },
            Event::ActionStarted {
                key: key("build/lint"),
                attempt: 1,
                command: "cargo clippy".into(),
            },
            Event::Output {
                key: key("build/compile"),
                line: "Compiling app v0.1.0".into(),
            },
            Event::Note {
                key: key("build/compile"),
                text: "cache: inputs changed".into(),
            },
            finished(0, None),
            Event::Retrying {
                key: key("build/lint"),
                attempt: 2,
                reason: "exited with 101".into(),
            },
            Event::ActionStarted {
                key: key("build/lint"),
                attempt: 2,
                command: "cargo clippy".into(),
            },
            finished(1, Some(self.root().join(lint_log()))),
            Event::StageStarted {
                stage: "test".into(),
            },
            finished(2, None),
        ]
    }

    /// The results of the three actions.
    pub fn results(&self) -> Vec<ActionResult> {
        let result = |stage: &str, action: &str, status, ms| ActionResult {
            stage: stage.into(),
            action: action.into(),
            status,
            duration: Duration::from_millis(ms),
            exit_code: None,
            attempts: 1,
            log: None,
            reason: None,
            outputs: BTreeMap::new(),
            cache: None,
            failure_tail: None,
        };
        let mut compile = result("build", "compile", Status::Passed, 4200);
        compile.exit_code = Some(0);
        compile.log = Some(".gantry/runs/7/build/compile.log".into());
        compile.outputs.insert("version".into(), "0.1.0".into());
        let mut lint = result("build", "lint", Status::Failed, 61_000);
        lint.exit_code = Some(101);
        lint.attempts = 2;
        lint.log = Some(lint_log());
        lint.reason = Some("exited with 101".into());
        let mut unit = result("test", "unit", Status::Skipped, 0);
        unit.attempts = 0;
        unit.reason = Some("an earlier stage failed".into());
        vec![compile, lint, unit]
    }

    /// The run's summary.
    pub fn summary(&self) -> RunSummary {
        let results = self.results();
        let stages = vec![
            StageSummary::new("build".into(), results[..2].to_vec()),
            StageSummary::new("test".into(), results[2..].to_vec()),
        ];
        let totals = Totals::of(&stages);
        RunSummary {
            schema: 1,
            run_id: "7".into(),
            pipeline: self.plan.pipeline.clone(),
            status: totals.status(),
            started_at: "2026-11-30T03:00:00Z".into(),
            duration: Duration::from_millis(65_300),
            git: Default::default(),
            log_dir: ".gantry/runs/7".into(),
            snapshot: None,
            retry_of: None,
            env: Default::default(),
            stages,
            totals,
        }
    }

    /// Everything `reporter` writes to `out` for the whole run, colour
    /// codes removed and the temporary root shown as `[ROOT]`.
    pub fn output<R: Reporter>(&self, out: &Capture, mut reporter: R) -> String {
        reporter.start(&self.plan);
        for event in self.events() {
            reporter.event(&event);
        }
        reporter.finish(&self.summary()).unwrap();
        out.text(self.root())
    }
}

/// The failed action's log, relative to the root.
pub fn lint_log() -> PathBuf {
    ".gantry/runs/7/build/lint.log".into()
}

/// A writer the test keeps a handle to.
#[derive(Clone, Default)]
pub struct Capture(Rc<RefCell<Vec<u8>>>);

impl Capture {
    /// A boxed writer into this capture.
    pub fn writer(&self) -> Box<dyn Write> {
        Box::new(self.clone())
    }

    /// What was written, as text without colour, `root` as `[ROOT]`.
    pub fn text(&self, root: &Path) -> String {
        let bytes = self.0.borrow();
        let text = console::strip_ansi_codes(&String::from_utf8_lossy(&bytes)).into_owned();
        text.replace(&root.display().to_string(), "[ROOT]")
    }
}

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Stage lines show how long the stage took on the clock: not the same
/// from one test run to the next.
pub fn without_clock(text: &str) -> String {
    let clock = regex::Regex::new(r"(passed|failed|skipped)  \d+(ms|\.\ds)\n").unwrap();
    clock.replace_all(text, "$1  [TIME]\n").into_owned()
}
