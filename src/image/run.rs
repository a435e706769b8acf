//! Running an image action: say which builder was chosen, run the build
//! (output streaming into the action's log and live line), export the OCI
//! archive when `output:` asks for one, and hand back tags, image id, digest
//! and archive as the action's outputs.

use std::path::Path;
use std::time::Instant;

use super::command;
use super::job::ImageJob;
use crate::engine::{EngineCommand, EngineKind};
use crate::events::Status;
use crate::proc::outcome::{ActionEnv, ActionIo, Outcome};

/// Builds the image of `job` for `action`.
pub fn run(action: &ActionEnv<'_>, job: &ImageJob, io: &mut ActionIo<'_>) -> Outcome {
    let engine = match &job.engine {
        Ok(engine) => engine,
        Err(why) => return Outcome::failed(why.clone()),
    };
    io.say(&format!(
        "builder: {} ({}; {})",
        engine.name(),
        engine.program.display(),
        engine.why
    ));
    if engine.kind == EngineKind::Docker
        && (engine.storage_driver.is_some() || engine.isolation.is_some())
    {
        io.say("storage_driver and isolation apply to buildah and podman; docker ignores them");
    }
    let scratch = match tempfile::Builder::new().prefix("gantry-image-").tempdir() {
        Ok(s) => s,
        Err(e) => return Outcome::failed(format!("cannot create a temporary directory: {e}")),
    };
    let started = Instant::now();
    let iidfile = scratch.path().join("iid");
    let build = command::build(job, engine, Some(&iidfile));
    let outcome = run_step(action, &build, io, started);
    if outcome.status != Status::Passed {
        return outcome;
    }
    let mut outputs = vec![
        ("builder".to_string(), engine.name().to_string()),
        ("tags".to_string(), job.build.tags.join(" ")),
    ];
    if let Some(id) = read_trimmed(&iidfile) {
        outputs.push(("image_id".into(), id));
    }
    if let Some(output) = &job.output {
        let digestfile = scratch.path().join("digest");
        if let Err(why) = prepare_archive(&action.cwd.join(output)) {
            return Outcome::failed(why);
        }
        if let Some(step) = command::export(job, engine, Some(&digestfile)) {
            let outcome = run_step(action, &step, io, started);
            if outcome.status != Status::Passed {
                return outcome;
            }
        }
        if let Some(digest) = read_trimmed(&digestfile) {
            outputs.push(("digest".into(), digest));
        }
        outputs.push(("archive".into(), output.clone()));
    }
    Outcome {
        outputs,
        ..Outcome::passed()
    }
}

/// Runs one builder command within what is left of the action's timeout.
fn run_step(
    action: &ActionEnv<'_>,
    step: &EngineCommand,
    io: &mut ActionIo<'_>,
    started: Instant,
) -> Outcome {
    io.say(&format!("$ {}", step.display()));
    let mut spec = step.process(action.cwd, action.env.to_vec());
    spec.timeout = action.timeout.map(|t| t.saturating_sub(started.elapsed()));
    let mut outcome = Outcome::of_process(&io.run_process(&spec), action.timeout);
    if outcome.status == Status::Failed {
        let reason = outcome.reason.take().unwrap_or_default();
        outcome.reason = Some(format!(
            "`{} {}` failed: {reason}",
            step.kind.name(),
            step.verb()
        ));
    }
    outcome
}

/// Creates the archive's directory and removes an archive left by an earlier run.
fn prepare_archive(path: &Path) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("cannot replace {}: {e}", path.display())),
    }
}

fn read_trimmed(path: &Path) -> Option<String> {
    let text = crate::fsutil::read_to_string(path).ok()?;
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}
