//! The run's overall line under the live bars:
//! `stage 3/5 · 7/12 actions · ~1m20s left`, the time left from the
//! estimates of the actions not finished yet (left out while one of them
//! has no history).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::estimate::{self, Estimates};
use crate::plan::Plan;

/// Progress of the whole run, shared with the bar that draws it.
#[derive(Clone, Default)]
pub struct Overall(Arc<Mutex<State>>);

#[derive(Default)]
struct State {
    stages: Vec<String>,
    stage: usize,
    actions: usize,
    done: usize,
    /// Unfinished actions: their estimate and, once running, their start.
    left: HashMap<String, (Option<Duration>, Option<Instant>)>,
}

impl Overall {
    /// Progress of `plan`, with `estimates` for its actions.
    pub fn new(plan: &Plan, estimates: &Estimates) -> Overall {
        let mut state = State {
            stages: plan.stages.iter().map(|s| s.name.clone()).collect(),
            ..State::default()
        };
        for action in plan.stages.iter().flat_map(|s| s.groups.iter().flatten()) {
            state
                .left
                .insert(action.key.to_string(), (estimates.get(&action.key), None));
            state.actions += 1;
        }
        Overall(Arc::new(Mutex::new(state)))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stage `name` started.
    pub fn stage_started(&self, name: &str) {
        let mut state = self.lock();
        if let Some(i) = state.stages.iter().position(|s| s == name) {
            state.stage = i + 1;
        }
    }

    /// Action `key` started.
    pub fn action_started(&self, key: &str) {
        if let Some(entry) = self.lock().left.get_mut(key) {
            entry.1.get_or_insert_with(Instant::now);
        }
    }

    /// Action `key` finished (however it ended).
    pub fn action_finished(&self, key: &str) {
        let mut state = self.lock();
        if state.left.remove(key).is_some() {
            state.done += 1;
        }
    }

    /// The line as it reads now.
    pub fn line(&self) -> String {
        let state = self.lock();
        let mut text = format!(
            "stage {}/{} · {}/{} actions",
            state.stage,
            state.stages.len(),
            state.done,
            state.actions
        );
        let left: Option<Duration> = state
            .left
            .values()
            .map(|(expected, started)| {
                let ran = started.map(|t| t.elapsed()).unwrap_or_default();
                expected.map(|e| e.saturating_sub(ran))
            })
            .sum();
        if let Some(left) = left {
            text.push_str(&format!(" · ~{} left", estimate::seconds(left)));
        }
        text
    }
}
