//! Custom actions (`uses: NAME`, `with:` inputs): an executable
//! `gantry-action-NAME` from PATH (or a path) that speaks gantry's JSON-lines
//! protocol ([`protocol`]). A `result` with a `continuation` token makes
//! gantry invoke it again with the token, as CodePipeline does for long
//! jobs, until no token comes back or the action's timeout passes.

pub mod protocol;
mod sink;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use protocol::Job;
use sink::ProtocolSink;

use crate::events::Status;
use crate::proc::outcome::{ActionEnv, ActionIo, Outcome};
use crate::proc::process::{self, Exit};
use crate::text::human_duration;

/// How long continuations may go on when the action has no `timeout:`.
pub const DEFAULT_LIMIT: Duration = Duration::from_secs(60 * 60);

/// What a custom action learns about the run besides its own settings.
pub struct Workspace<'a> {
    /// The run's id.
    pub run_id: &'a str,
    /// The pipeline root.
    pub root: &'a Path,
}

/// One invocation's end: done, or go on with a token.
enum Step {
    Done(Outcome),
    Again(String, Vec<(String, String)>),
}

/// Runs the custom action `uses` with `inputs` for `action`.
pub fn run(
    action: &ActionEnv<'_>,
    uses: &str,
    inputs: &[(String, String)],
    workspace: &Workspace<'_>,
    io: &mut ActionIo<'_>,
) -> Outcome {
    let program = match locate(uses, action, workspace.root) {
        Ok(p) => p,
        Err(why) => return Outcome::failed(why),
    };
    let limit = action.timeout.unwrap_or(DEFAULT_LIMIT);
    let deadline = crate::proc::process::deadline_after(limit);
    let mut outputs: Vec<(String, String)> = Vec::new();
    let mut token: Option<String> = None;
    for invocation in 1.. {
        let left = deadline.map_or(limit, |d| d.saturating_duration_since(Instant::now()));
        if left.is_zero() {
            return out_of_time(invocation - 1, limit);
        }
        if let Some(token) = &token {
            io.note(&format!("invocation {invocation}, continuation `{token}`"));
        }
        let job = job(action, inputs, workspace, invocation, token.as_deref());
        match invoke(action, &program, job, left, limit, io) {
            Step::Done(mut outcome) => {
                merge(&mut outputs, std::mem::take(&mut outcome.outputs));
                outcome.outputs = outputs;
                return outcome;
            }
            Step::Again(next, more) => {
                merge(&mut outputs, more);
                token = Some(next);
            }
        }
        if io.interrupt.requested() {
            return Outcome {
                status: Status::Interrupted,
                ..Outcome::failed("interrupted between continuations")
            };
        }
    }
    Outcome::failed("too many continuations")
}

fn out_of_time(invocations: u32, limit: Duration) -> Outcome {
    Outcome {
        status: Status::TimedOut,
        ..Outcome::failed(format!(
            "still not done after {invocations} invocations in {}",
            human_duration(limit)
        ))
    }
}

/// `gantry-action-NAME` on the action's PATH, or a path relative to the root.
fn locate(uses: &str, action: &ActionEnv<'_>, root: &Path) -> Result<PathBuf, String> {
    if uses.contains('/') {
        let path = root.join(uses);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!("custom action {} does not exist", path.display()))
        };
    }
    let name = format!("gantry-action-{uses}");
    let path = action
        .env
        .iter()
        .rev()
        .find(|(k, _)| k == "PATH")
        .map(|(_, v)| std::ffi::OsString::from(v))
        .or_else(|| std::env::var_os("PATH"));
    which::which_in(&name, path, action.cwd).map_err(|_| {
        format!(
            "no executable `{name}` on PATH; install it, or give its path: `uses: ./tools/{name}`"
        )
    })
}

fn job(
    action: &ActionEnv<'_>,
    inputs: &[(String, String)],
    workspace: &Workspace<'_>,
    invocation: u32,
    continuation: Option<&str>,
) -> Vec<u8> {
    let env = action.env.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let pipeline = action
        .env
        .iter()
        .find(|(k, _)| k == "GANTRY_PIPELINE")
        .map_or("", |(_, v)| v.as_str());
    let job = Job {
        protocol: protocol::VERSION,
        pipeline,
        run_id: workspace.run_id,
        stage: action.stage,
        action: action.name,
        workspace: &workspace.root.to_string_lossy(),
        inputs: inputs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect(),
        env: env.collect(),
        invocation,
        continuation,
    };
    let mut bytes = serde_json::to_vec(&job).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

fn invoke(
    action: &ActionEnv<'_>,
    program: &Path,
    job: Vec<u8>,
    left: Duration,
    limit: Duration,
    io: &mut ActionIo<'_>,
) -> Step {
    let mut spec = action.process(&program.to_string_lossy(), Vec::new());
    spec.timeout = Some(left);
    spec.stdin = Some(job);
    spec.separate_stderr = true;
    let mut sink = ProtocolSink::new(&mut *io.output);
    let finished = process::run(&spec, &mut sink, io.interrupt);
    sink.finish();
    let (error, result) = (sink.error.take(), sink.result.take());
    if finished.exit != Exit::Code(0) {
        let mut outcome = Outcome::of_process(&finished, Some(limit));
        if let Some(why) = error.or(result.and_then(|r| r.message)) {
            outcome.add_reason(&why);
        }
        return Step::Done(outcome);
    }
    let name = program.file_name().unwrap_or_default().to_string_lossy();
    match (error, result) {
        (Some(why), _) => Step::Done(Outcome::failed(why)),
        (None, None) => Step::Done(Outcome::failed(format!(
            "`{name}` exited without a `result` line (see docs/custom-actions.md)"
        ))),
        (None, Some(r)) if !r.success => Step::Done(Outcome::failed(
            r.message
                .unwrap_or_else(|| format!("`{name}` reported failure")),
        )),
        (None, Some(r)) => match r.continuation {
            Some(token) => Step::Again(token, r.outputs),
            None => Step::Done(Outcome {
                outputs: r.outputs,
                exit_code: Some(0),
                ..Outcome::passed()
            }),
        },
    }
}

/// Adds `more` to `outputs`, a later value of a name replacing the earlier.
fn merge(outputs: &mut Vec<(String, String)>, more: Vec<(String, String)>) {
    for (name, value) in more {
        match outputs.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => outputs.push((name, value)),
        }
    }
}
