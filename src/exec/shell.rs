//! The `run:` / `script:` action kind: one command in a shell.

use crate::proc::outcome::{ActionEnv, ActionIo, Outcome};

/// Runs `program args…` for `action` and reports how it ended.
pub fn run(
    action: &ActionEnv<'_>,
    program: &str,
    args: &[String],
    io: &mut ActionIo<'_>,
) -> Outcome {
    let spec = action.process(program, args.to_vec());
    let finished = io.run_process(&spec);
    Outcome::of_process(&finished, action.timeout)
}
