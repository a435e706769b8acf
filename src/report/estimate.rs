//! How long each action usually takes: the median duration of its last
//! few passing runs, read from the run records, for the live progress bars
//! (read only when bars are drawn, and only as far back as needed).

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

/// Passing runs of an action that make its estimate.
const SAMPLES: usize = 5;

/// Records read at most, newest first, to find them.
const RUNS_READ: usize = 30;

/// Expected durations by `stage/action`.
#[derive(Default)]
pub struct Estimates(HashMap<String, Duration>);

/// Of a run record, only what an estimate needs (the rest of the file is
/// skipped, not built into values).
#[derive(serde::Deserialize)]
struct Recorded {
    #[serde(default)]
    stages: Vec<RecordedStage>,
}

#[derive(serde::Deserialize)]
struct RecordedStage {
    #[serde(default)]
    actions: Vec<RecordedAction>,
}

#[derive(serde::Deserialize)]
struct RecordedAction {
    stage: Option<String>,
    action: Option<String>,
    status: Option<String>,
    duration_ms: Option<u64>,
}

impl Estimates {
    /// The estimates of the actions `keys` (`stage/action`) from the run
    /// records of the pipeline whose state lives in `state_root`; reading
    /// stops once each of them has its samples.
    pub fn from_history<'a>(
        state_root: &Path,
        keys: impl IntoIterator<Item = &'a str>,
    ) -> Estimates {
        let mut samples: HashMap<String, Vec<Duration>> = keys
            .into_iter()
            .map(|k| (k.to_string(), Vec::new()))
            .collect();
        let mut wanting = samples.len();
        let runs = crate::record::runs_dir(state_root);
        for id in crate::record::run_ids(state_root)
            .into_iter()
            .rev()
            .take(RUNS_READ)
        {
            if wanting == 0 {
                break;
            }
            let path = runs.join(id.to_string()).join(crate::record::SUMMARY_FILE);
            let Some(run) = crate::fsutil::read(&path)
                .ok()
                .and_then(|bytes| serde_json::from_slice::<Recorded>(&bytes).ok())
            else {
                continue;
            };
            for action in run.stages.into_iter().flat_map(|s| s.actions) {
                let (Some(stage), Some(name), Some(ms)) =
                    (action.stage, action.action, action.duration_ms)
                else {
                    continue;
                };
                if action.status.as_deref() != Some("passed") {
                    continue;
                }
                let Some(list) = samples.get_mut(&format!("{stage}/{name}")) else {
                    continue;
                };
                if list.len() < SAMPLES {
                    list.push(Duration::from_millis(ms));
                    wanting -= usize::from(list.len() == SAMPLES);
                }
            }
        }
        Estimates(
            samples
                .into_iter()
                .filter(|(_, list)| !list.is_empty())
                .map(|(key, mut list)| {
                    list.sort_unstable();
                    (key, list[list.len() / 2])
                })
                .collect(),
        )
    }

    /// The expected duration of `key` (`stage/action`), if it ever passed.
    pub fn get(&self, key: &str) -> Option<Duration> {
        self.0.get(key).copied()
    }
}

/// `███████░░░` for `elapsed` out of `expected`, `width` cells.
pub fn bar(elapsed: Duration, expected: Duration, width: usize) -> String {
    let fraction = if expected.is_zero() {
        1.0
    } else {
        (elapsed.as_secs_f64() / expected.as_secs_f64()).min(1.0)
    };
    let full = (fraction * width as f64).round() as usize;
    format!("{}{}", "█".repeat(full), "░".repeat(width - full))
}

/// Tenths under 10 s, whole seconds above (`4.2s`, `41s`, `1m20s`):
/// estimates are not more precise than that.
pub fn seconds(d: Duration) -> String {
    let s = d.as_secs();
    if s < 10 {
        format!("{:.1}s", d.as_secs_f64())
    } else if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{}h{:02}m", s / 3600, (s / 60) % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_fills_with_elapsed_time_and_stops_full() {
        let s = Duration::from_secs;
        assert_eq!(bar(s(0), s(10), 10), "░░░░░░░░░░");
        assert_eq!(bar(s(4), s(10), 10), "████░░░░░░");
        assert_eq!(bar(s(30), s(10), 10), "██████████");
        assert_eq!(seconds(s(41)), "41s");
        assert_eq!(seconds(Duration::from_millis(4240)), "4.2s");
        assert_eq!(seconds(s(80)), "1m20s");
    }

    #[test]
    fn the_estimate_is_the_median_of_recent_passing_runs() {
        let dir = tempfile::tempdir().unwrap();
        let runs = crate::record::runs_dir(dir.path());
        for (id, ms, status) in [
            (1, 9000, "passed"),
            (2, 1000, "passed"),
            (3, 3000, "passed"),
            (4, 99000, "failed"),
        ] {
            let run = runs.join(id.to_string());
            std::fs::create_dir_all(&run).unwrap();
            let json = serde_json::json!({"stages": [{"name": "test", "actions": [
                {"stage": "test", "action": "unit", "status": status, "duration_ms": ms}]}]});
            std::fs::write(run.join("run.json"), json.to_string()).unwrap();
        }
        let estimates = Estimates::from_history(dir.path(), ["test/unit", "test/other"]);
        assert_eq!(estimates.get("test/unit"), Some(Duration::from_secs(3)));
        assert_eq!(estimates.get("test/other"), None);
    }
}
