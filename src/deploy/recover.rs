//! Undoing deployments that did not finish: before any deployment (and for
//! `gantry deploy --recover`), every journal left in the group's state
//! folder is undone (see [`super::journal`]), the instance's record put
//! back, and what was restored said.

use anyhow::anyhow;

use super::install_event::put_back_state;
use super::journal;
use super::lifecycle::Shared;
use super::store::DeployStatus;
use crate::proc::outcome::ActionIo;

/// Undoes every unfinished deployment of the group; returns how many
/// instances were restored. An instance that cannot be restored stops
/// everything: deploying over it could lose its files for good.
pub fn recover(shared: &Shared<'_>, io: &mut ActionIo<'_>) -> anyhow::Result<usize> {
    let mut undone_journals = Vec::new();
    for path in journal::unfinished(&shared.job.state) {
        let undone = journal::undo(&path).map_err(|e| {
            anyhow!("{e}; the instance is only partly restored: fix the cause and run `gantry deploy --recover` again (nothing was deployed)")
        })?;
        shared
            .update_later(|state| {
                put_back_state(state, &undone);
                for record in &mut state.deployments {
                    if record.status == DeployStatus::InProgress {
                        record.status = DeployStatus::Stopped;
                    }
                }
            })
            .map_err(anyhow::Error::msg)?;
        let what = match undone.deployment.as_str() {
            "" => "a rollback".to_string(),
            id => format!("deployment {id}"),
        };
        io.say(&format!(
            "recovered instance {} ({}): {what} did not finish; restored it as it was before: {}",
            undone.instance,
            undone.root.display(),
            undone.describe()
        ));
        undone_journals.push(path);
    }
    // The journals go once the records they put back are on disk.
    shared.flush().map_err(anyhow::Error::msg)?;
    for path in &undone_journals {
        journal::discard(path);
    }
    Ok(undone_journals.len())
}
