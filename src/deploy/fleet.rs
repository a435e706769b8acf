//! One batch on a bounded pool of threads (`max_parallel:`), and the view
//! of a large group: above [`SUMMARY_ABOVE`] instances the action's output
//! gets a progress line (`dev: 612/1000 succeeded · batch 2/2`) and one line
//! per failure instead of every instance's lines (those stay in each
//! instance's log).

use std::fs::OpenOptions;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use super::io::InstanceIo;
use super::lifecycle::{self, deploy_instance, Deployment, InstanceResult, Shared};
use crate::events::Status;
use crate::proc::outcome::ActionIo;

/// Groups of more instances than this get the summarised view.
pub const SUMMARY_ABOVE: usize = 20;

/// What the action's output shows of a deployment's progress.
pub struct View {
    /// Summarised (a large group) or a line per instance line.
    pub summarised: bool,
    group: String,
    total: usize,
    batches: usize,
    batch: usize,
    succeeded: usize,
    done: usize,
    shown_at: usize,
}

impl View {
    /// The view of deploying `total` instances of `group` in `batches`.
    pub fn new(group: &str, group_size: usize, total: usize, batches: usize) -> Self {
        Self {
            summarised: group_size > SUMMARY_ABOVE,
            group: group.to_string(),
            total,
            batches,
            batch: 0,
            succeeded: 0,
            done: 0,
            shown_at: 0,
        }
    }

    /// Batch `b` (from 0) starts.
    pub fn batch_started(&mut self, b: usize) {
        self.batch = b + 1;
    }

    /// `dev: 612/1000 succeeded · batch 2/2`.
    pub fn progress(&self) -> String {
        format!(
            "{}: {}/{} succeeded · batch {}/{}",
            self.group, self.succeeded, self.total, self.batch, self.batches
        )
    }

    /// An instance finished: a summarised view says a failure at once and
    /// the progress every tenth of the group.
    fn finished(&mut self, result: &InstanceResult, label: &str, io: &mut ActionIo<'_>) {
        self.done += 1;
        if result.status == Status::Passed {
            self.succeeded += 1;
        } else if self.summarised {
            io.say(&format!("{label} {}", result.describe()));
        }
        if self.summarised && self.done - self.shown_at >= self.total.div_ceil(10) {
            self.shown_at = self.done;
            io.say(&self.progress());
        }
    }

    /// A batch ended: the summarised view shows where it stands.
    pub fn batch_ended(&mut self, io: &mut ActionIo<'_>) {
        if self.summarised && self.shown_at != self.done {
            self.shown_at = self.done;
            io.say(&self.progress());
        }
    }
}

/// Deploys one batch on at most `max_parallel` threads; instance output
/// lines come back over a channel to the action's output (unless the view
/// is summarised). Results are in instance order.
pub fn run_batch(
    shared: &Shared<'_>,
    dep: &Deployment,
    batch: &[usize],
    io: &mut ActionIo<'_>,
    view: &mut View,
) -> Vec<InstanceResult> {
    let workers = shared.job.max_parallel.clamp(1, batch.len().max(1));
    let next = AtomicUsize::new(0);
    let (line_tx, line_rx) = mpsc::sync_channel::<Vec<u8>>(1024);
    let (done_tx, done_rx) = mpsc::channel::<InstanceResult>();
    let mut results = std::thread::scope(|scope| {
        for _ in 0..workers {
            let lines = (!view.summarised).then(|| line_tx.clone());
            let done = done_tx.clone();
            let next = &next;
            scope.spawn(move || {
                while let Some(&index) = batch.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let result = catch_unwind(AssertUnwindSafe(|| {
                        deploy_one(shared, dep, index, lines.clone())
                    }))
                    .unwrap_or_else(|_| InstanceResult {
                        status: Status::Failed,
                        touched: true,
                        ..InstanceResult::skipped(index, "the deployment thread crashed")
                    });
                    if done.send(result).is_err() {
                        break;
                    }
                }
            });
        }
        drop((line_tx, done_tx));
        for line in line_rx {
            io.output.write(&line);
        }
        let mut results = Vec::with_capacity(batch.len());
        for result in done_rx {
            view.finished(&result, &label(shared, result.index), io);
            results.push(result);
        }
        results
    });
    results.sort_by_key(|r| r.index);
    view.batch_ended(io);
    results
}

fn deploy_one(
    shared: &Shared<'_>,
    dep: &Deployment,
    index: usize,
    lines: Option<mpsc::SyncSender<Vec<u8>>>,
) -> InstanceResult {
    let instance = &shared.job.instances[index];
    let log = OpenOptions::new()
        .create(true)
        .append(true)
        .open(lifecycle::log_path(&dep.dir, instance))
        .ok();
    let mut instance_io = InstanceIo {
        label: label(shared, index),
        lines,
        log,
        interrupt: shared.interrupt,
    };
    deploy_instance(shared, dep, index, &mut instance_io)
}

/// `dev/3`.
pub fn label(shared: &Shared<'_>, index: usize) -> String {
    format!("{}/{}", shared.job.group, shared.job.instances[index].name)
}
