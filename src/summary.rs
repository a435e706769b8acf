//! The end-of-run summary: what `run.json` holds, what `--output json`
//! prints, and what the summary table shows.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use crate::events::{ActionResult, Status};
use crate::git::GitInfo;

/// A whole run.
#[derive(Clone, Debug, Serialize)]
pub struct RunSummary {
    /// Version of this document's shape.
    pub schema: u32,
    /// The run's id.
    pub run_id: String,
    /// The pipeline's name.
    pub pipeline: String,
    /// `passed`, `failed` or `interrupted`.
    pub status: Status,
    /// Start time, RFC 3339, UTC.
    pub started_at: String,
    /// Wall time.
    #[serde(rename = "duration_ms", serialize_with = "crate::events::as_millis")]
    pub duration: Duration,
    /// The repository context.
    pub git: GitInfo,
    /// The run's directory, relative to the pipeline root.
    pub log_dir: PathBuf,
    /// Set when the run used `--snapshot`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<SnapshotInfo>,
    /// The run this one retried (`gantry retry`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_of: Option<String>,
    /// The `--env` values the run was given, for `gantry retry`; `None`
    /// (`null`) for one that holds a secret, which is never written down.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub env: std::collections::BTreeMap<String, Option<String>>,
    /// Every selected stage.
    pub stages: Vec<StageSummary>,
    /// How many actions ended in each status.
    pub totals: Totals,
}

/// Where a snapshot run ran.
#[derive(Clone, Debug, Serialize)]
pub struct SnapshotInfo {
    /// The commit checked out.
    pub commit: String,
    /// The checkout (`.gantry/snapshot/`).
    pub dir: PathBuf,
    /// Whether the checkout stays after the run (always: the next snapshot
    /// run updates it).
    pub kept: bool,
    /// Whether it was checked out from an empty folder rather than updated.
    pub fresh: bool,
}

/// One stage of a run.
#[derive(Clone, Debug, Serialize)]
pub struct StageSummary {
    /// The stage's name.
    pub name: String,
    /// The worst status of its actions.
    pub status: Status,
    /// Its actions, in listed order.
    pub actions: Vec<ActionResult>,
}

/// Counts of actions per status.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Totals {
    /// Exited 0.
    pub passed: usize,
    /// Failed.
    pub failed: usize,
    /// Killed at their timeout.
    pub timed_out: usize,
    /// Not run.
    pub skipped: usize,
    /// Stopped by Ctrl-C.
    pub interrupted: usize,
    /// Failed with `continue_on_error`.
    pub warning: usize,
    /// Skipped by the cache.
    pub cached: usize,
}

impl StageSummary {
    /// A stage summary whose status is derived from its actions.
    pub fn new(name: String, actions: Vec<ActionResult>) -> Self {
        let status = stage_status(actions.iter().map(|a| a.status));
        Self {
            name,
            status,
            actions,
        }
    }
}

/// A stage's status from its actions' statuses: the worst of them, in the
/// order interrupted, timed out, failed, warning, passed, cached, skipped.
pub fn stage_status(statuses: impl IntoIterator<Item = Status>) -> Status {
    let statuses: Vec<Status> = statuses.into_iter().collect();
    let has = |s: Status| statuses.contains(&s);
    if has(Status::Interrupted) {
        Status::Interrupted
    } else if has(Status::TimedOut) {
        Status::TimedOut
    } else if has(Status::Failed) {
        Status::Failed
    } else if has(Status::Warning) {
        Status::Warning
    } else if has(Status::Passed) {
        Status::Passed
    } else if has(Status::Cached) {
        Status::Cached
    } else {
        Status::Skipped
    }
}

impl Totals {
    /// Counts the actions of `stages`.
    pub fn of(stages: &[StageSummary]) -> Totals {
        let mut t = Totals::default();
        for a in stages.iter().flat_map(|s| &s.actions) {
            match a.status {
                Status::Passed => t.passed += 1,
                Status::Failed => t.failed += 1,
                Status::TimedOut => t.timed_out += 1,
                Status::Skipped => t.skipped += 1,
                Status::Interrupted => t.interrupted += 1,
                Status::Warning => t.warning += 1,
                Status::Cached => t.cached += 1,
            }
        }
        t
    }

    /// The run's overall status.
    pub fn status(&self) -> Status {
        if self.interrupted > 0 {
            Status::Interrupted
        } else if self.failed + self.timed_out > 0 {
            Status::Failed
        } else {
            Status::Passed
        }
    }
}
