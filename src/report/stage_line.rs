//! The line that sums up a stage once its last action finished
//! (`✔ lint  2 passed  7.7s`), printed by the live and the plain reporter,
//! so that the output reads as a per-stage summary while the run goes on.

use std::collections::HashMap;
use std::time::Instant;

use super::{table, Stream};
use crate::events::Status;
use crate::plan::Plan;
use crate::text::human_duration as human;

/// Longest stage name shown; longer ones end in `…` (80-column lines).
const NAME_WIDTH: usize = 28;

#[derive(Default)]
struct Tally {
    planned: usize,
    counts: Vec<(Status, usize)>,
    started: Option<Instant>,
}

/// Finished actions per stage.
#[derive(Default)]
pub struct StageLines(HashMap<String, Tally>);

impl StageLines {
    /// Counts for `plan`'s stages.
    pub fn new(plan: &Plan) -> StageLines {
        StageLines(
            plan.stages
                .iter()
                .map(|stage| {
                    let tally = Tally {
                        planned: stage.groups.iter().map(Vec::len).sum(),
                        ..Tally::default()
                    };
                    (stage.name.clone(), tally)
                })
                .collect(),
        )
    }

    /// `stage` has started: its duration counts from now.
    pub fn started(&mut self, stage: &str) {
        if let Some(tally) = self.0.get_mut(stage) {
            tally.started = Some(Instant::now());
        }
    }

    /// Counts action `key` (`stage/action`) as finished with `status`;
    /// returns the stage's line when it was the stage's last action.
    pub fn finished(&mut self, key: &str, status: Status, stream: Stream) -> Option<String> {
        let stage = key.split('/').next().unwrap_or_default();
        let tally = self.0.get_mut(stage)?;
        match tally.counts.iter_mut().find(|(s, _)| *s == status) {
            Some((_, n)) => *n += 1,
            None => tally.counts.push((status, 1)),
        }
        let done: usize = tally.counts.iter().map(|(_, n)| n).sum();
        if done < tally.planned {
            return None;
        }
        let worst = tally
            .counts
            .iter()
            .map(|(s, _)| *s)
            .find(|s| s.is_failure())
            .unwrap_or(Status::Passed);
        let counts = tally
            .counts
            .iter()
            .map(|(s, n)| format!("{n} {}", s.label()))
            .collect::<Vec<_>>()
            .join(", ");
        let took = tally
            .started
            .map(|t| human(t.elapsed()))
            .unwrap_or_default();
        let (icon, style) = table::status_style(worst, stream);
        let dim = stream.style(console::Style::new().dim());
        Some(format!(
            "{} {}  {counts}  {}",
            style.apply_to(icon),
            style.apply_to(console::truncate_str(stage, NAME_WIDTH, "…")),
            dim.apply_to(took)
        ))
    }
}
