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
        let overall = crate::summary::stage_status(tally.counts.iter().map(|(s, _)| *s));
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
        let (icon, style) = table::status_style(overall, stream);
        let dim = stream.style(console::Style::new().dim());
        Some(format!(
            "{} {}  {counts}  {}",
            style.apply_to(icon),
            style.apply_to(console::truncate_str(stage, NAME_WIDTH, "…")),
            dim.apply_to(took)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line of a stage of `planned` actions that ended with `statuses`.
    fn line(statuses: &[Status]) -> String {
        let mut lines = StageLines(HashMap::from([(
            "build".to_string(),
            Tally {
                planned: statuses.len(),
                ..Tally::default()
            },
        )]));
        let mut last = None;
        for (i, status) in statuses.iter().enumerate() {
            last = lines.finished(&format!("build/a{i}"), *status, Stream::Stderr);
        }
        console::strip_ansi_codes(&last.expect("the last action ends the stage")).into_owned()
    }

    #[test]
    fn the_stage_line_shows_the_stage_status_of_the_summary() {
        use Status::*;
        assert!(line(&[Passed, Passed]).starts_with("✔ build  2 passed"));
        assert!(line(&[Passed, Failed]).starts_with("✘ build"));
        assert!(line(&[Passed, Interrupted]).starts_with("■ build"));
        assert!(line(&[Passed, Warning]).starts_with("! build"));
        assert!(line(&[Skipped, Skipped]).starts_with("– build  2 skipped"));
        assert!(line(&[Cached]).starts_with("↺ build  1 cached"));
        assert!(line(&[TimedOut, Failed]).starts_with("⏱ build"));
    }
}
