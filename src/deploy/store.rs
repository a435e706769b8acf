//! The revision store and deployment state of one group, under
//! `.gantry/deployments/<group>/`:
//!
//! ```text
//! state.json              history, last successful revision, clean-up lists
//! .lock                   held (flock) while a deployment runs
//! <deployment-id>/revision/      the bundle (DownloadBundle's copy)
//! <deployment-id>/<instance>.log every hook's output on that instance
//! ```
//!
//! `state.json` is written atomically (temp file, then rename): at once for
//! changes of a deployment (its record, its status), in batches for the
//! instances' progress (see [`super::saving`], which also says why a kill
//! between two writes loses nothing).

use std::collections::{BTreeMap, HashSet};
use std::fs::{self, File};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};

/// Deployment directories kept besides those still needed (rule 26: the
/// agent keeps 5 by default).
pub const KEEP_DEPLOYMENTS: usize = 5;

/// How a deployment ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeployStatus {
    /// Still running (or gantry was killed).
    InProgress,
    /// Every instance succeeded.
    Succeeded,
    /// Some instance failed.
    Failed,
    /// Stopped by Ctrl-C.
    Stopped,
}

/// One deployment of the group.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DeploymentRecord {
    /// `d-…`.
    pub id: String,
    /// The deployment whose directory holds the bundle (itself, or the
    /// redeployed one for a rollback).
    pub bundle: String,
    /// The revision folder it was made from.
    pub revision: PathBuf,
    /// The AppSpec file's name in the bundle.
    #[serde(default = "default_appspec")]
    pub appspec: String,
    /// The deployment this one rolls back, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback_of: Option<String>,
    /// Start time, RFC 3339.
    pub started_at: String,
    /// How it ended.
    pub status: DeployStatus,
    /// Per instance: `succeeded`, or the event it failed in and why.
    #[serde(default)]
    pub instances: BTreeMap<String, String>,
    /// Its bundle hard-links the revision's files (`bundle: link`, see
    /// [`super::links`]): checked before every later use.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub linked: bool,
}

fn default_appspec() -> String {
    "appspec.yml".into()
}

/// A path installed on an instance, for the next clean-up (rule 24).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Installed {
    /// Relative to the instance root.
    pub path: PathBuf,
    /// A directory gantry created (removed only when empty).
    pub dir: bool,
}

/// What gantry knows about one instance.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct InstanceState {
    /// The root the clean-up list is relative to.
    pub root: PathBuf,
    /// The bundle of the last deployment that succeeded on this instance:
    /// its ApplicationStop scripts run first next time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_successful: Option<String>,
    /// What the last Install created, in creation order.
    #[serde(default)]
    pub installed: Vec<Installed>,
    /// Files the last Install replaced (OVERWRITE) that no deployment had
    /// installed: put back when that deployment is rolled back.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replaced: Vec<Replaced>,
    /// The deployment whose Install replaced them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<String>,
}

/// A file replaced by an Install, and where the original was set aside.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replaced {
    /// Relative to the instance root.
    pub path: PathBuf,
    /// The original, in the deployment's folder.
    pub saved: PathBuf,
    /// The deployment whose Install replaced it (older records: `replaced_by`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// The state of a group.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct GroupState {
    /// Shape version.
    pub schema: u32,
    /// Deployments, oldest first.
    pub deployments: Vec<DeploymentRecord>,
    /// Per instance name.
    pub instances: BTreeMap<String, InstanceState>,
}

impl GroupState {
    /// Reads `state.json` of `dir` (a missing file is an empty state).
    pub fn load(dir: &Path) -> anyhow::Result<GroupState> {
        let path = dir.join("state.json");
        let text = match crate::fsutil::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(GroupState::default()),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is damaged; move it away to start the group afresh (files installed so far are then not cleaned up)",
                path.display()
            )
        })
    }

    /// Writes `state.json` of `dir` atomically and durably (the journals of
    /// the instances it holds as finished are deleted once it is written).
    pub fn save(&self, dir: &Path) -> anyhow::Result<()> {
        let mut state = self.clone();
        state.schema = 1;
        let json = serde_json::to_vec_pretty(&state)?;
        let path = dir.join("state.json");
        crate::fsutil::write_durable(&path, &json, None)
            .with_context(|| format!("cannot write {}", path.display()))
    }

    /// The record of deployment `id`.
    pub fn record_mut(&mut self, id: &str) -> Option<&mut DeploymentRecord> {
        self.deployments.iter_mut().find(|d| d.id == id)
    }

    /// The AppSpec file name of the bundle `bundle`.
    pub fn appspec_of(&self, bundle: &str) -> String {
        self.deployments
            .iter()
            .find(|d| d.bundle == bundle)
            .map_or_else(default_appspec, |d| d.appspec.clone())
    }

    /// Whether the bundle of deployment `bundle` hard-links the revision's
    /// files (`bundle: link`).
    pub fn bundle_linked(&self, bundle: &str) -> bool {
        self.deployments.iter().any(|d| d.id == bundle && d.linked)
    }

    /// The most recent successful deployment.
    pub fn last_successful(&self) -> Option<&DeploymentRecord> {
        self.deployments
            .iter()
            .rev()
            .find(|d| d.status == DeployStatus::Succeeded)
    }

    /// What `gantry deploy --rollback` redeploys: the last successful
    /// revision if the latest deployment did not succeed, else the
    /// successful one before it.
    pub fn rollback_target(&self) -> Option<&DeploymentRecord> {
        let latest_ok = self
            .deployments
            .last()
            .is_some_and(|d| d.status == DeployStatus::Succeeded);
        let mut successful = self
            .deployments
            .iter()
            .rev()
            .filter(|d| d.status == DeployStatus::Succeeded);
        if latest_ok {
            let current = successful.next()?.bundle.clone();
            successful.find(|d| d.bundle != current)
        } else {
            successful.next()
        }
    }

    /// Bundles that must be kept: the newest deployments', the last
    /// successful ones, and every instance's.
    fn needed_bundles(&self) -> HashSet<String> {
        let mut keep: HashSet<String> = self
            .deployments
            .iter()
            .rev()
            .take(KEEP_DEPLOYMENTS)
            .map(|d| d.bundle.clone())
            .collect();
        keep.extend(self.last_successful().map(|d| d.bundle.clone()));
        keep.extend(self.rollback_target().map(|d| d.bundle.clone()));
        keep.extend(
            self.instances
                .values()
                .filter_map(|i| i.last_successful.clone()),
        );
        keep
    }

    /// Deletes deployment directories of `dir` no longer needed (rule 26).
    pub fn prune(&self, dir: &Path) {
        let keep = self.needed_bundles();
        let keep_logs: HashSet<&str> = self
            .deployments
            .iter()
            .rev()
            .take(KEEP_DEPLOYMENTS)
            .map(|d| d.id.as_str())
            .collect();
        let saved: Vec<&Path> = self
            .instances
            .values()
            .flat_map(|i| i.replaced.iter().map(|r| r.saved.as_path()))
            .collect();
        for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            // A kept copy of a replaced file, or a journal, may be the only copy left.
            let holds_copies = saved.iter().any(|s| s.starts_with(entry.path()))
                || super::journal::has_journal(&entry.path());
            if name.starts_with("d-")
                && !keep.contains(&name)
                && !keep_logs.contains(name.as_str())
                && !holds_copies
            {
                super::sharing::note_before_pruning(self, dir, &name, &keep);
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
}

/// The group's lock, held while a deployment runs.
pub struct Lock {
    _file: File,
}

/// Takes the group's lock in `dir` (created if missing), or fails saying
/// that another deployment to the group is running.
pub fn lock(dir: &Path, group: &str) -> anyhow::Result<Lock> {
    let missing: Vec<&Path> = dir.ancestors().take_while(|d| !d.is_dir()).collect();
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    // The new folders' names on disk too, before state.json is written
    // durably into the group's folder.
    for created in missing {
        if let Some(parent) = created.parent() {
            let _ = crate::fsutil::sync_dir(parent);
        }
    }
    let path = dir.join(".lock");
    let file = File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
    // An exclusive flock(2), released when the file is closed.
    if file.try_lock().is_err() {
        bail!(
            "another deployment to group `{group}` is running (it holds {}); wait for it to finish",
            path.display()
        );
    }
    Ok(Lock { _file: file })
}

/// Creates a new deployment directory in `dir` and returns its id:
/// `d-` and 9 upper-case base-36 digits of the time, so ids sort by age.
pub fn new_deployment(dir: &Path) -> anyhow::Result<(String, PathBuf)> {
    let mut stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    loop {
        let id = format!("d-{}", base36(stamp));
        let path = dir.join(&id);
        match fs::create_dir(&path) {
            Ok(()) => return Ok((id, path)),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => stamp += 1,
            Err(e) => return Err(e).with_context(|| format!("cannot create {}", path.display())),
        }
    }
}

fn base36(mut n: u64) -> String {
    const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut out = vec![b'0'; 9];
    for slot in out.iter_mut().rev() {
        *slot = DIGITS[(n % 36) as usize];
        n /= 36;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The bundle (revision copy) of deployment `id` in `dir`.
pub fn bundle_dir(dir: &Path, id: &str) -> PathBuf {
    dir.join(id).join("revision")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, status: DeployStatus) -> DeploymentRecord {
        DeploymentRecord {
            id: id.into(),
            bundle: id.into(),
            revision: PathBuf::new(),
            appspec: default_appspec(),
            rollback_of: None,
            started_at: String::new(),
            status,
            instances: BTreeMap::new(),
            linked: false,
        }
    }

    #[test]
    fn rollback_target_is_the_previous_good_revision() {
        let mut state = GroupState::default();
        assert!(state.rollback_target().is_none());
        state
            .deployments
            .push(record("d-1", DeployStatus::Succeeded));
        assert!(state.rollback_target().is_none());
        state
            .deployments
            .push(record("d-2", DeployStatus::Succeeded));
        assert_eq!(state.rollback_target().unwrap().id, "d-1");
        state.deployments.push(record("d-3", DeployStatus::Failed));
        assert_eq!(state.rollback_target().unwrap().id, "d-2");
    }

    #[test]
    fn ids_sort_by_time() {
        assert_eq!(base36(0), "000000000");
        assert!(base36(1_700_000_000_000) < base36(1_700_000_000_001));
    }
}
