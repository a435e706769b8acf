//! One instance's in-place deployment, event by event (rule 54):
//! ApplicationStop (the last successful revision's scripts, rule 52),
//! DownloadBundle, BeforeInstall, Install, AfterInstall, ApplicationStart,
//! ValidateService.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use super::container::hook::HookTarget;
use super::hooks::{run_event, HookEnv, InContainer, Scripts};
use super::install;
use super::install_event::{install_step, InstallFailed};
use super::io::InstanceIo;
use super::job::{DeployJob, Instance};
use super::journal::Journal;
use super::paths::{InstanceRoots, Root};
use super::saving::{Saver, Write};
use super::store::{bundle_dir, GroupState, InstanceState};
use crate::appspec::{AppSpec, HookScript};
use crate::events::Status;
use crate::proc::interrupt::Interrupt;
use crate::proc::outcome::ActionEnv;

/// The in-place lifecycle events, in order.
pub const EVENTS: [&str; 7] = [
    "ApplicationStop",
    "DownloadBundle",
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "ApplicationStart",
    "ValidateService",
];

/// Events that need a load balancer, which local groups do not have.
pub const TRAFFIC_EVENTS: [&str; 4] = [
    "BeforeBlockTraffic",
    "AfterBlockTraffic",
    "BeforeAllowTraffic",
    "AfterAllowTraffic",
];

/// What every instance of a deployment shares.
pub struct Shared<'a> {
    /// The job.
    pub job: &'a DeployJob,
    /// The action, for its environment.
    pub action: &'a ActionEnv<'a>,
    /// Ctrl-C state.
    pub interrupt: &'a Interrupt,
    /// The group's state; see [`super::saving`] for when it is written.
    pub state: Mutex<GroupState>,
    /// Writes the state in batches and deletes finished instances' journals.
    pub saver: Saver,
    /// When the action's `timeout` runs out: no script runs past it.
    pub deadline: Option<Instant>,
    /// Which instance roots may be deployed to.
    pub roots: InstanceRoots,
    /// Hook scripts found so far.
    pub scripts: Scripts,
    /// The AppSpecs of earlier bundles read so far, for ApplicationStop.
    pub earlier: EarlierAppSpecs,
}

/// The AppSpecs of earlier bundles, each read once per deployment run
/// rather than once per instance (`None`: no longer readable), and the
/// checks of their ApplicationStop scripts that stand for the run (see
/// [`Shared::stop_scripts_checked`]).
#[derive(Default)]
pub struct EarlierAppSpecs(
    Mutex<HashMap<PathBuf, Option<Arc<AppSpec>>>>,
    Mutex<HashMap<PathBuf, Result<(), String>>>,
);

impl EarlierAppSpecs {
    /// The AppSpec file `name` of the bundle at `bundle`.
    fn get(&self, bundle: &Path, name: &str) -> Option<Arc<AppSpec>> {
        // Held while reading: the instances that need it wait for one read.
        let mut read = self.0.lock().unwrap_or_else(|e| e.into_inner());
        read.entry(bundle.join(name))
            .or_insert_with_key(|file| crate::appspec::load(file).ok().map(Arc::new))
            .clone()
    }
}

impl Shared<'_> {
    /// The check of the earlier bundle `id` at `bundle` (`linked`: with
    /// `bundle: link`) before its ApplicationStop `scripts` run. A linked
    /// bundle: [`super::links::checked`], which stats every file, made
    /// once per run (the instances that need it wait for one check). One
    /// that owns its files: [`super::sharing::check`] of the scripts, made
    /// for every instance, as a hook on an instance of an earlier batch may
    /// write a shared script in place before the next batch runs it. A
    /// refusal stands for the run. `dep`: the deployment running.
    fn stop_scripts_checked(
        &self,
        linked: bool,
        id: &str,
        bundle: &Path,
        scripts: &[HookScript],
        dep: &Deployment,
    ) -> Result<(), String> {
        let mut checked = self.earlier.1.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(result) = checked.get(bundle) {
            return result.clone();
        }
        if linked {
            let result = super::links::checked(linked, id, bundle).map(drop);
            checked.insert(bundle.to_path_buf(), result.clone());
            return result;
        }
        drop(checked);
        let rels: Vec<String> = scripts
            .iter()
            .filter_map(|s| super::paths::revision_path(&s.location).ok())
            .filter_map(|rel| rel.to_str().map(str::to_string))
            .collect();
        // The running deployment's record is in memory.
        let current = Some((dep.id.as_str(), &dep.plan.origins));
        super::sharing::check(&self.state, &self.job.state, id, Some(&rels), current).inspect_err(
            |why| {
                let mut checked = self.earlier.1.lock().unwrap_or_else(|e| e.into_inner());
                checked.insert(bundle.to_path_buf(), Err(why.clone()));
            },
        )
    }

    /// The state, locked.
    pub fn state(&self) -> MutexGuard<'_, GroupState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Changes the state and writes it now (with every instance's progress
    /// so far): for changes of the deployment itself.
    pub fn update(&self, change: impl FnOnce(&mut GroupState)) -> Result<(), String> {
        let write = {
            let mut state = self.state();
            change(&mut state);
            self.saver.take(&state, true)
        };
        self.saver.write(write, &self.job.state)
    }

    /// Changes an instance's state in memory; written with the next batch
    /// of instances (its Install journal covers it until then).
    pub fn update_later(&self, change: impl FnOnce(&mut GroupState)) -> Result<(), String> {
        let write = {
            let mut state = self.state();
            change(&mut state);
            self.saver.defer(&state)
        };
        self.write(write)
    }

    /// The deployment is done with an instance: its journal is deleted
    /// once the instance's state is on disk.
    pub fn finished_with(&self, journal: Journal) {
        let write = self.saver.finished(journal.into_path(), &self.state());
        // A failed write leaves the journal: the next deployment undoes the instance.
        let _ = self.write(write);
    }

    /// Writes the state if it changed and deletes the journals of finished
    /// instances (at the end of a batch).
    pub fn flush(&self) -> Result<(), String> {
        let write = self.saver.take(&self.state(), false);
        self.saver.write(write, &self.job.state)
    }

    /// Writes `write` (taken under the state's lock, which is released by now).
    fn write(&self, write: Option<Write>) -> Result<(), String> {
        match write {
            Some(write) => self.saver.write(write, &self.job.state),
            None => Ok(()),
        }
    }
}

/// One deployment (a new revision, or a rollback).
pub struct Deployment {
    /// `d-…`.
    pub id: String,
    /// The deployment whose directory holds the bundle.
    pub bundle_id: String,
    /// The bundle.
    pub bundle: PathBuf,
    /// Its AppSpec.
    pub appspec: AppSpec,
    /// What Install copies, made once for every instance.
    pub plan: install::Plan,
    /// Where the instance logs go.
    pub dir: PathBuf,
    /// The deployment this one rolls back: files its Install replaced are put back.
    pub rollback_of: Option<String>,
}

/// How an instance's deployment ended.
#[derive(Clone, Debug)]
pub struct InstanceResult {
    /// Index in the job's instances.
    pub index: usize,
    /// Passed, failed, timed out, skipped or interrupted.
    pub status: Status,
    /// The event it failed in.
    pub event: Option<&'static str>,
    /// Why it failed or was skipped.
    pub reason: String,
    /// Whether anything ran on it.
    pub touched: bool,
}

impl InstanceResult {
    /// A result for an instance that was not deployed.
    pub fn skipped(index: usize, reason: &str) -> Self {
        Self {
            index,
            status: Status::Skipped,
            event: None,
            reason: reason.to_string(),
            touched: false,
        }
    }

    /// `succeeded`, `failed in Install: …`, for summaries.
    pub fn describe(&self) -> String {
        match (self.status, self.event) {
            (Status::Passed, _) => "succeeded".into(),
            (Status::Skipped, _) => format!("skipped ({})", self.reason),
            (status, Some(event)) => format!("{} in {event}: {}", status.label(), self.reason),
            (status, None) => format!("{}: {}", status.label(), self.reason),
        }
    }
}

/// Deploys `dep` to instance `index`.
pub fn deploy_instance(
    shared: &Shared<'_>,
    dep: &Deployment,
    index: usize,
    io: &mut InstanceIo<'_>,
) -> InstanceResult {
    let instance = &shared.job.instances[index];
    let mut result = InstanceResult {
        touched: true,
        ..InstanceResult::skipped(index, "")
    };
    let root = match Root::open(instance, &shared.roots) {
        Ok(root) => root,
        Err(why) => return fail(result, EVENTS[0], Status::Failed, why),
    };
    let env = hook_env(shared, dep, instance, &root);
    // Open from Install until the instance is done; left on disk when the
    // deployment is interrupted, for the next one to undo.
    let mut journal: Option<Journal> = None;
    for event in EVENTS {
        if shared.interrupt.requested() {
            return fail(result, event, Status::Interrupted, "interrupted".into());
        }
        let started = Instant::now();
        let failure = match event {
            "ApplicationStop" => application_stop(shared, dep, instance, &root, &env, io)
                .and_then(|failure| ignored_stop_failure(shared, failure, io)),
            "DownloadBundle" => None,
            "Install" => match install_step(shared, dep, instance, &root, io) {
                Ok(opened) => {
                    journal = Some(opened);
                    None
                }
                Err(InstallFailed { why, undone }) => {
                    result.touched = !undone;
                    Some((Status::Failed, why))
                }
            },
            _ => match dep.appspec.hooks.get(event) {
                Some(scripts) => run_event(io, event, scripts, &dep.bundle, &root.path, &env),
                None => None,
            },
        };
        io.note(&format!(
            "gantry: {event} done in {:.2?}",
            started.elapsed()
        ));
        if let Some((status, why)) = failure {
            if status != Status::Interrupted {
                close(shared, journal);
            }
            return fail(result, event, status, why);
        }
    }
    let marked = mark_successful(shared, dep, instance, &root);
    close(shared, journal);
    if let Err(why) = marked {
        return fail(result, "ValidateService", Status::Failed, why);
    }
    result.status = Status::Passed;
    result
}

fn close(shared: &Shared<'_>, journal: Option<Journal>) {
    if let Some(journal) = journal {
        shared.finished_with(journal);
    }
}

/// Records `dep`'s bundle as the instance's last successful revision —
/// after ValidateService, not after Install as the agent does (rule 27).
fn mark_successful(
    shared: &Shared<'_>,
    dep: &Deployment,
    instance: &Instance,
    root: &Root,
) -> Result<(), String> {
    shared.update_later(|state| {
        let entry = state.instances.entry(instance.name.clone()).or_default();
        entry.root = root.path.clone();
        entry.last_successful = Some(dep.bundle_id.clone());
    })
}

fn hook_env<'a>(
    shared: &'a Shared<'_>,
    dep: &Deployment,
    instance: &Instance,
    root: &Root,
) -> HookEnv<'a> {
    let engine = shared.job.container.as_ref().and_then(|c| c.engine.clone());
    let container = instance
        .container
        .clone()
        .zip(engine)
        .map(|(container, engine)| InContainer {
            target: HookTarget { engine, container },
            state: shared.job.state.clone(),
        });
    HookEnv {
        base: shared.action.env.to_vec(),
        deployment_id: dep.id.clone(),
        application: shared.job.application.clone(),
        group: shared.job.group.clone(),
        // A container instance's root is its own `/`.
        instance_root: match &container {
            Some(_) => "/".into(),
            None => root.path.display().to_string(),
        },
        deadline: shared.deadline,
        container,
        scripts: &shared.scripts,
    }
}

fn fail(
    mut result: InstanceResult,
    event: &'static str,
    status: Status,
    reason: String,
) -> InstanceResult {
    result.status = status;
    result.event = Some(event);
    result.reason = reason;
    result
}

/// This instance's record, when it is about the same root.
pub(super) fn instance_state(
    shared: &Shared<'_>,
    instance: &Instance,
    root: &Root,
) -> Option<InstanceState> {
    shared
        .state()
        .instances
        .get(&instance.name)
        .filter(|s| s.root == root.path)
        .cloned()
}

/// ApplicationStop runs from the last revision that succeeded on the instance (rule 52).
fn application_stop(
    shared: &Shared<'_>,
    dep: &Deployment,
    instance: &Instance,
    root: &Root,
    env: &HookEnv<'_>,
    io: &mut InstanceIo<'_>,
) -> Option<(Status, String)> {
    let previous = instance_state(shared, instance, root)?.last_successful?;
    let bundle = bundle_dir(&shared.job.state, &previous);
    let name = shared.state().appspec_of(&previous);
    let appspec = match shared.earlier.get(&bundle, &name) {
        Some(appspec) => appspec,
        None => {
            io.say(
                "ApplicationStop",
                &format!(
                    "skipped: the previous revision ({previous}) is no longer readable at {}",
                    bundle.display()
                ),
            );
            return None;
        }
    };
    let scripts = appspec.hooks.get("ApplicationStop")?;
    let linked = shared.state().bundle_linked(&previous);
    if let Err(why) = shared.stop_scripts_checked(linked, &previous, &bundle, scripts, dep) {
        return Some((Status::Failed, why));
    }
    run_event(io, "ApplicationStop", scripts, &bundle, &root.path, env)
}

/// An ApplicationStop `failure`, or `None` with a warning when the
/// deployment ignores ApplicationStop failures. An interruption is never
/// ignored.
fn ignored_stop_failure(
    shared: &Shared<'_>,
    failure: (Status, String),
    io: &mut InstanceIo<'_>,
) -> Option<(Status, String)> {
    if failure.0 == Status::Interrupted {
        return Some(failure);
    }
    if !shared.job.ignore_application_stop_failures {
        let (status, why) = failure;
        return Some((
            status,
            format!("{why} (the scripts are the last successful revision's: `gantry deploy --ignore-application-stop-failures` goes on past them)"),
        ));
    }
    io.say(
        "ApplicationStop",
        &format!(
            "warning: failed, and the deployment goes on (--ignore-application-stop-failures): {}",
            failure.1
        ),
    );
    None
}

/// The instance log of `dep` for `instance`.
pub fn log_path(dep_dir: &Path, instance: &Instance) -> PathBuf {
    dep_dir.join(format!("{}.log", instance.name))
}
