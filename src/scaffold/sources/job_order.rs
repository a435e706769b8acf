//! The order of a CI job's steps, kept across gantry's stages. CI runs a
//! job's steps one after another in one workspace, so a step may need what
//! an earlier one made; gantry puts each step in the stage its words say
//! (deps, lint, compile, test) and runs the stages in order. These rules
//! keep a step after the steps it may need, and leave out installs that
//! serve only steps that were left out.

use super::{Derived, Found, Skipped};
use crate::scaffold::pipeline::PHASES;

/// One step of a job that was taken.
pub struct Taken {
    /// The stage it was placed in.
    pub phase: &'static str,
    /// Its action's index in `Found::actions`; `None` when the same
    /// command of another job stands for it.
    pub index: Option<usize>,
    /// Neither its command nor its name says what it is, and it may make
    /// something (see `command::unnamed_maker`).
    pub unnamed_maker: bool,
    /// It may make something a later step needs: not a check, a test run
    /// or a script that only prints.
    pub makes: bool,
}

fn order(phase: &str) -> Option<usize> {
    PHASES.iter().position(|p| *p == phase)
}

/// Whether a step of this job taken so far (`taken`) made something in
/// `phase`, as its own action: then a command that another job already
/// runs is taken again after it. Its first copy ran before that step
/// (urfave/cli: the test job's `make diffcheck` checks what `make
/// generate` just wrote, while the docs job's copy ran before it); in
/// another stage, the stage order already puts it after.
pub fn made_before_in_stage(taken: &[Taken], phase: &str) -> bool {
    taken
        .iter()
        .any(|step| step.makes && step.index.is_some() && step.phase == phase)
}

/// A step whose own command and name do not say what it is (`make
/// ensure-goimports`, `./scripts/setup.sh`: placed in a stage only by its
/// job's name, or by default) and that may make something moves to the
/// stage of the earliest later step of its job when that stage comes
/// first (urfave/cli: `make ensure-goimports` installs the goimports that
/// the next step, `make lint`, runs), so it still runs before it.
pub fn run_before_later_steps(taken: &[Taken], actions: &mut [Derived]) {
    let mut earliest_later: Option<&'static str> = None;
    for step in taken.iter().rev() {
        let mut phase = step.phase;
        if let (Some(index), true, Some(later)) = (step.index, step.unnamed_maker, earliest_later) {
            if order(later) < order(phase) {
                actions[index].phase = later;
                phase = later;
            }
        }
        if earliest_later.is_none_or(|later| order(phase) < order(later)) {
            earliest_later = Some(phase);
        }
    }
}

/// An install that a job runs after a step of a later stage that may make
/// something (a build) installs what that step made: typer's
/// test-redistribute job builds an sdist, unpacks it, then runs `pip
/// install --group tests --editable .` in the unpacked copy. It goes to
/// that stage, after the build, instead of `deps`, where the copy does not
/// exist yet.
pub fn install_after_builds(taken: &[Taken], actions: &mut [Derived]) {
    let mut latest_maker: Option<&'static str> = None;
    for step in taken {
        let mut phase = actions_phase(step, actions);
        if let (Some(index), "deps", Some(maker)) = (step.index, phase, latest_maker) {
            if order(maker) > order(phase) {
                actions[index].phase = maker;
                phase = maker;
            }
        }
        if step.makes && latest_maker.is_none_or(|m| order(phase) > order(m)) {
            latest_maker = Some(phase);
        }
    }
}

/// The phase `step` has now (an earlier rule may have moved its action).
fn actions_phase(step: &Taken, actions: &[Derived]) -> &'static str {
    step.index.map_or(step.phase, |i| actions[i].phase)
}

/// A job whose steps taken are all installs, while others were left out,
/// installs only for steps that do not run here (black's diff-shades job:
/// `pip install --group diff-shades`, then analyses that need `${{ … }}`
/// values): its installs are left out too, with why. They would fetch and
/// install what nothing runs, and can fail doing it.
pub fn drop_installs_for_nothing(taken: &[Taken], some_left_out: bool, found: &mut Found) {
    let all_installs = taken
        .iter()
        .all(|step| actions_phase(step, &found.actions) == "deps");
    if !some_left_out || taken.is_empty() || !all_installs {
        return;
    }
    for index in taken.iter().rev().filter_map(|step| step.index) {
        let install = found.actions.remove(index);
        found.skipped.push(Skipped {
            action: None,
            origin: install.origin,
            reason: "it installs what the job's other steps need, and they are all left out".into(),
        });
    }
}
