//! A whole deployment: validate the AppSpec, copy the bundle, go through
//! the instances in batches (stopping once the minimum of healthy instances
//! cannot be met), record the outcome, and roll back on failure.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use anyhow::bail;

use super::batch;
use super::container;
use super::copy::{self, Refused};
use super::fleet::{self, label, View};
use super::install;
use super::install_event;
use super::job::{DeployJob, Mode};
use super::lifecycle::{Deployment, InstanceResult, Shared, TRAFFIC_EVENTS};
use super::links::Links;
use super::paths::InstanceRoots;
use super::recover;
use super::saving::Saver;
use super::stamps::{self, Record};
use super::store::{self, DeployStatus, DeploymentRecord, GroupState};
use crate::appspec::{self, AppSpec, Os, Platform};
use crate::events::Status;
use crate::proc::outcome::{ActionEnv, ActionIo, Outcome};

/// Where a deployment's bundle comes from.
enum Source {
    /// A copy of the revision folder, whose AppSpec file was checked.
    Revision(Checked),
    /// The bundle of an earlier deployment (a rollback).
    Earlier {
        /// The deployment holding the bundle.
        bundle: String,
        /// The deployment being rolled back.
        rollback_of: Option<String>,
    },
}

/// The rollback verdict when [`start`] refused it (`why`); any other
/// error is the run's, not the rollback's.
fn refused_rollback(why: anyhow::Error) -> anyhow::Result<String> {
    match why.downcast::<Refused>() {
        Ok(refused) => Ok(format!("not done: {refused}")),
        Err(other) => Err(other),
    }
}

/// The revision's AppSpec file, read and checked once per deployment.
struct Checked {
    /// Its file name.
    name: String,
    /// Its content.
    bytes: Vec<u8>,
    /// The model.
    appspec: AppSpec,
}

/// Carries out `job` for `action`; never panics, every problem is the outcome's reason.
pub fn run(action: &ActionEnv<'_>, job: &DeployJob, io: &mut ActionIo<'_>) -> Outcome {
    match deploy(action, job, io) {
        Ok(outcome) => outcome,
        Err(e) => Outcome::failed(format!("{e:#}")),
    }
}

fn deploy(
    action: &ActionEnv<'_>,
    job: &DeployJob,
    io: &mut ActionIo<'_>,
) -> anyhow::Result<Outcome> {
    // Planning registers them too; the per-instance logs mask every value the
    // run's registry holds, including ones added after planning.
    crate::secrets::register(&job.secrets);
    let roots = InstanceRoots::new(job.pipeline_root());
    for instance in &job.instances {
        if let Err(why) = roots.real_root(instance) {
            bail!("{why}; nothing was deployed");
        }
    }
    let _lock = store::lock(&job.state, &job.group)?;
    let up = container::instances::bring_up(job, io.interrupt, &mut |line| io.say(line))
        .map_err(|why| anyhow::anyhow!("{why}; nothing was deployed"))?;
    let job = &up.job;
    let shared = Shared {
        job,
        action,
        interrupt: io.interrupt,
        state: Mutex::new(GroupState::load(&job.state)?),
        saver: Saver::new(job.instances.len()),
        roots,
        scripts: Default::default(),
        earlier: Default::default(),
        deadline: action
            .timeout
            .and_then(|t| std::time::Instant::now().checked_add(t)),
    };
    let recovered = recover::recover(&shared, io)?;
    let outcome = match job.mode {
        Mode::Deploy => deploy_revision(&shared, io)?,
        Mode::Rollback => roll_back_by_hand(&shared, io)?,
        Mode::Recover => {
            if recovered == 0 {
                io.say("nothing to recover: every deployment finished with its instances");
            }
            let mut outcome = Outcome::passed();
            outcome
                .outputs
                .push(("recovered".into(), recovered.to_string()));
            outcome
        }
    };
    shared.flush().map_err(anyhow::Error::msg)?;
    shared.state().prune(&job.state);
    Ok(outcome)
}

fn deploy_revision(shared: &Shared<'_>, io: &mut ActionIo<'_>) -> anyhow::Result<Outcome> {
    let job = shared.job;
    let file = super::job::appspec_file(&job.revision, job.appspec.as_deref())
        .map_err(anyhow::Error::msg)?;
    let (report, bytes) = appspec::check_in_revision(&file);
    if let Some(platform) = report.platform.filter(|p| *p != Platform::Server) {
        return Ok(Outcome::failed(format!(
            "{} is an {} AppSpec; local deployment supports EC2/On-Premises revisions only (`files`, `permissions` and script hooks on instances): nothing was deployed",
            file.display(),
            platform.name()
        )));
    }
    let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.is_error()).collect();
    let (Some(appspec), Some(bytes), true) = (report.appspec, bytes, errors.is_empty()) else {
        for d in &errors {
            let hint = d.hint.as_ref().map_or(String::new(), |h| format!(" ({h})"));
            io.say(&format!(
                "{}: [{}] {}{hint}",
                d.location(),
                d.code,
                d.message
            ));
        }
        return Ok(Outcome::failed(format!(
            "{} in the AppSpec (see `gantry validate`): nothing was deployed",
            crate::error::plural(errors.len().max(1), "error")
        )));
    };
    let name = file
        .file_name()
        .map_or("appspec.yml".into(), |n| n.to_string_lossy().into_owned());
    let checked = Checked {
        name,
        bytes,
        appspec,
    };
    let dep = start(shared, io, Source::Revision(checked))?;
    let all: Vec<usize> = (0..shared.job.instances.len()).collect();
    let results = run_batches(shared, &dep, &all, io);
    let status = finish(shared, &dep, &results)?;
    let mut outcome = outcome_of(shared, &dep, &results);
    let interrupted = results.iter().any(|r| r.status == Status::Interrupted);
    if status != DeployStatus::Succeeded && shared.job.rollback_on_failure && !interrupted {
        roll_back_after_failure(shared, &dep, &results, io, &mut outcome)?;
    } else if status != DeployStatus::Succeeded && !interrupted {
        outcome.add_reason(
            "no rollback (--no-rollback / rollback: false): the instances keep the failed state",
        );
    }
    Ok(outcome)
}

fn roll_back_by_hand(shared: &Shared<'_>, io: &mut ActionIo<'_>) -> anyhow::Result<Outcome> {
    let state = shared.state().clone();
    let Some(target) = state.rollback_target() else {
        return Ok(Outcome::failed(format!(
            "group `{}` has no earlier successful revision to roll back to (other than the one deployed now)",
            shared.job.group
        )));
    };
    io.say(&format!(
        "rolling back to the revision of {} ({})",
        target.id,
        target.revision.display()
    ));
    let source = Source::Earlier {
        bundle: target.bundle.clone(),
        rollback_of: state.deployments.last().map(|d| d.id.clone()),
    };
    let dep = start(shared, io, source)?;
    let all: Vec<usize> = (0..shared.job.instances.len()).collect();
    let results = run_batches(shared, &dep, &all, io);
    finish(shared, &dep, &results)?;
    Ok(outcome_of(shared, &dep, &results))
}

/// Creates the deployment: its id and record, and its bundle (DownloadBundle).
fn start(shared: &Shared<'_>, io: &mut ActionIo<'_>, source: Source) -> anyhow::Result<Deployment> {
    let job = shared.job;
    // An earlier bundle installed again: none of its files changed through
    // a later bundle sharing it. Checked before the deployment is recorded,
    // so a refused rollback leaves no record and no folder behind.
    if let Source::Earlier { bundle, .. } = &source {
        if let Err(why) = super::sharing::check(&shared.state, &job.state, bundle, None, None) {
            return Err(Refused(format!("{why}; nothing was deployed")).into());
        }
    }
    let (record, dir) = new_record(shared, &source)?;
    let (id, bundle_id) = (record.id.clone(), record.bundle.clone());
    let appspec_name = record.appspec.clone();
    let rollback_of = record.rollback_of.clone();
    shared
        .update(|s| s.deployments.push(record))
        .map_err(anyhow::Error::msg)?;
    let bundle = store::bundle_dir(&job.state, &bundle_id);
    let (mut links, origins) = match source {
        Source::Revision(_) => download_bundle(shared, &id, &bundle, io)?,
        Source::Earlier { .. } => (None, None),
    };
    let checked = match &source {
        Source::Revision(checked) => Some(checked),
        Source::Earlier { .. } => None,
    };
    let linked = shared.state().bundle_linked(&bundle_id);
    let opened = match links.as_mut() {
        // A linked bundle owns its AppSpec file and hook scripts (see `links`).
        Some(links) => links
            .own(Path::new(&appspec_name))
            .and_then(|()| open_bundle(&bundle, &appspec_name, checked))
            .and_then(|(appspec, plan)| {
                for script in appspec.hooks.values().flatten() {
                    links.own(&super::paths::revision_path(&script.location)?)?;
                }
                links.save()?;
                Ok((appspec, plan))
            }),
        None => super::links::checked(linked, &bundle_id, &bundle).and_then(|verified| {
            links = verified;
            open_bundle(&bundle, &appspec_name, checked)
        }),
    };
    let (appspec, mut plan) = match opened {
        Ok(opened) => opened,
        Err(why) => {
            mark(shared, &id, DeployStatus::Failed)?;
            return Err(Refused(format!("{why}; nothing was deployed")).into());
        }
    };
    if links.is_none() && !linked {
        plan.origins = origins.unwrap_or_else(|| Record::load(&stamps::bundle_record(&bundle)));
        plan.origins_at = stamps::recorded_at(&bundle);
    }
    plan.linked = links;
    let traffic: Vec<&str> = TRAFFIC_EVENTS
        .iter()
        .copied()
        .filter(|e| appspec.hooks.contains_key(*e))
        .collect();
    if !traffic.is_empty() {
        io.say(&format!(
            "{} not run: local deployment groups have no load balancer",
            traffic.join(", ")
        ));
    }
    let what = match &source {
        Source::Revision(_) => job.describe(job.state_root.parent().unwrap_or(Path::new("/"))),
        Source::Earlier { bundle, .. } => {
            format!("redeploy the revision of {bundle} to {}", job.group)
        }
    };
    io.say(&format!("deployment {id}: {what}"));
    Ok(Deployment {
        id,
        bundle_id,
        bundle,
        appspec,
        plan,
        dir,
        rollback_of,
    })
}

/// A new deployment id and directory, and its record (in progress).
fn new_record(shared: &Shared<'_>, source: &Source) -> anyhow::Result<(DeploymentRecord, PathBuf)> {
    let (id, dir) = store::new_deployment(&shared.job.state)?;
    let state = shared.state();
    let (bundle, appspec, rollback_of, revision) = match source {
        Source::Revision(checked) => (
            id.clone(),
            checked.name.clone(),
            None,
            shared.job.revision.clone(),
        ),
        Source::Earlier {
            bundle,
            rollback_of,
        } => (
            bundle.clone(),
            state.appspec_of(bundle),
            rollback_of.clone(),
            state
                .deployments
                .iter()
                .find(|d| &d.bundle == bundle)
                .map_or_else(PathBuf::new, |d| d.revision.clone()),
        ),
    };
    let record = DeploymentRecord {
        id,
        bundle,
        revision,
        appspec,
        rollback_of,
        started_at: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        status: DeployStatus::InProgress,
        instances: Default::default(),
        linked: matches!(source, Source::Revision(_)) && shared.job.link_bundle,
    };
    Ok((record, dir))
}

/// The AppSpec of the bundle at `bundle` and its install plan (paths,
/// links), made once before any instance is touched. A copy of the checked
/// revision's file is not parsed again; any other (an earlier bundle, or a
/// revision whose AppSpec changed while it was copied) is checked now.
fn open_bundle(
    bundle: &Path,
    name: &str,
    checked: Option<&Checked>,
) -> Result<(AppSpec, install::Plan), String> {
    let file = bundle.join(name);
    let copied = checked.filter(|c| crate::fsutil::read(&file).is_ok_and(|b| b == c.bytes));
    let appspec = match copied {
        Some(checked) => checked.appspec.clone(),
        None => appspec::load(&file).map_err(|_| {
            format!(
                "the AppSpec of the bundle {} cannot be read or is no longer valid",
                bundle.display()
            )
        })?,
    };
    if appspec.os == Os::Windows {
        return Err("the AppSpec says `os: windows`; gantry deploys Linux revisions only".into());
    }
    let plan = install::plan(&appspec, bundle)?;
    Ok((appspec, plan))
}

/// DownloadBundle: the revision copied (or with `bundle: link`, linked)
/// into the kept bundle; returns the record of linked files when linked,
/// else the bundle's record of its files ([`stamps`]).
fn download_bundle(
    shared: &Shared<'_>,
    id: &str,
    bundle: &Path,
    io: &mut ActionIo<'_>,
) -> anyhow::Result<(Option<Links>, Option<Record>)> {
    let started = std::time::Instant::now();
    let mut links = shared.job.link_bundle.then(|| Links::new(bundle));
    // The newest earlier bundle still on disk that owns its files: files it
    // holds unchanged are linked, so a revision that differs in one file
    // writes one file. (A linked bundle shares its files with a revision.)
    // One with a record of its files first: without one (gantry killed in
    // its DownloadBundle), every file would be read to be compared.
    let kept: Vec<PathBuf> = {
        let state = shared.state();
        state
            .deployments
            .iter()
            .rev()
            .filter(|d| links.is_none() && !state.bundle_linked(&d.bundle))
            .map(|d| store::bundle_dir(&shared.job.state, &d.bundle))
            .filter(|dir| dir != bundle)
            .collect()
    };
    let (mut previous, mut newest) = (None, None);
    for dir in kept.into_iter().filter(|dir| dir.is_dir()) {
        let record = Record::load(&stamps::bundle_record(&dir));
        if !record.files.is_empty() {
            let recorded_at = stamps::recorded_at(&dir);
            previous = Some((dir, record, recorded_at));
            break;
        }
        newest.get_or_insert(dir);
    }
    let previous = previous.or_else(|| newest.map(|dir| (dir, Record::default(), None)));
    let earlier = previous
        .as_ref()
        .map(|(dir, record, recorded_at)| copy::Earlier {
            dir,
            record,
            recorded_at: *recorded_at,
        });
    let copied = copy::copy_revision(
        &shared.job.revision,
        bundle,
        &shared.job.state_root,
        earlier,
        links.as_mut(),
    )
    .and_then(|done| {
        if links.is_none() {
            done.record.save(&stamps::bundle_record(bundle))?;
            // Without the mark, files of the last clock tick are compared.
            let _ = stamps::mark_recorded(bundle);
        }
        Ok(done)
    });
    match copied {
        Ok(done) => {
            let how = match &links {
                Some(links) => format!(
                    "{} files hard-linked from the revision (`bundle: link`)",
                    links.files.len()
                ),
                None => format!(
                    "{} unchanged files linked to the previous bundle, {} known by their stat data",
                    done.reused, done.vouched
                ),
            };
            io.note(&format!(
                "DownloadBundle: copied {} to {} ({} bytes written, {how}) in {:.2?}",
                shared.job.revision.display(),
                bundle.display(),
                done.bytes,
                started.elapsed()
            ));
            let origins = links.is_none().then_some(done.record);
            Ok((links, origins))
        }
        Err(why) => {
            mark(shared, id, DeployStatus::Failed)?;
            Err(Refused(format!(
                "DownloadBundle failed: {why}; nothing was deployed"
            ))
            .into())
        }
    }
}

fn mark(shared: &Shared<'_>, id: &str, status: DeployStatus) -> anyhow::Result<()> {
    shared
        .update(|s| {
            if let Some(r) = s.record_mut(id) {
                r.status = status;
            }
        })
        .map_err(anyhow::Error::msg)
}

/// Deploys `dep` to the instances `indices` in batches.
fn run_batches(
    shared: &Shared<'_>,
    dep: &Deployment,
    indices: &[usize],
    io: &mut ActionIo<'_>,
) -> Vec<InstanceResult> {
    let config = shared.job.config;
    let n = indices.len();
    let batches = batch::batches(n, config);
    let mut results: Vec<InstanceResult> = Vec::new();
    let mut stop: Option<String> = None;
    let mut view = View::new(
        &shared.job.group,
        shared.job.instances.len(),
        n,
        batches.len(),
    );
    for (b, positions) in batches.iter().enumerate() {
        let batch: Vec<usize> = positions.iter().map(|&p| indices[p]).collect();
        let failed = results.iter().filter(|r| r.status.fails_stage()).count();
        if stop.is_none() && shared.interrupt.requested() {
            stop = Some("interrupted".into());
        } else if stop.is_none() && !batch::minimum_still_met(n, failed, batch.len(), config) {
            let minimum = batch::minimum_healthy(n, config);
            stop = Some(format!(
                "the minimum of {minimum} healthy of {n} can no longer be met"
            ));
        }
        if let Some(why) = &stop {
            results.extend(batch.iter().map(|&i| InstanceResult::skipped(i, why)));
            continue;
        }
        let names = if view.summarised {
            format!("{} instances", batch.len())
        } else {
            let names: Vec<String> = batch.iter().map(|&i| label(shared, i)).collect();
            names.join(", ")
        };
        io.say(&format!("batch {} of {}: {names}", b + 1, batches.len()));
        view.batch_started(b);
        results.extend(fleet::run_batch(shared, dep, &batch, io, &mut view));
        if let Err(why) = shared.flush() {
            io.say(&format!("cannot record the batch's progress: {why}"));
        }
    }
    results
}

/// Records how `dep` ended; returns its status.
fn finish(
    shared: &Shared<'_>,
    dep: &Deployment,
    results: &[InstanceResult],
) -> anyhow::Result<DeployStatus> {
    let status = if results.iter().any(|r| r.status == Status::Interrupted) {
        DeployStatus::Stopped
    } else if results.iter().all(|r| r.status == Status::Passed) {
        DeployStatus::Succeeded
    } else {
        DeployStatus::Failed
    };
    let per_instance: Vec<(String, String)> = results
        .iter()
        .map(|r| (shared.job.instances[r.index].name.clone(), r.describe()))
        .collect();
    shared
        .update(|s| {
            if let Some(record) = s.record_mut(&dep.id) {
                record.status = status;
                record.instances = per_instance.into_iter().collect();
            }
        })
        .map_err(anyhow::Error::msg)?;
    Ok(status)
}

/// The action's outcome: every instance's status as an output, the first
/// failure as the reason.
fn outcome_of(shared: &Shared<'_>, dep: &Deployment, results: &[InstanceResult]) -> Outcome {
    let mut outcome = Outcome::passed();
    outcome.outputs.push(("deployment".into(), dep.id.clone()));
    let summarised = shared.job.instances.len() > fleet::SUMMARY_ABOVE;
    for r in results {
        // A large group lists its failures only, after the count.
        if !summarised || r.status != Status::Passed {
            outcome.outputs.push((label(shared, r.index), r.describe()));
        }
    }
    if summarised {
        let succeeded = results
            .iter()
            .filter(|r| r.status == Status::Passed)
            .count();
        outcome.outputs.insert(
            1,
            (
                "instances".into(),
                format!("{succeeded}/{} succeeded", results.len()),
            ),
        );
    }
    if let Some(worst) = results.iter().find(|r| r.status.fails_stage()) {
        outcome.status = worst.status;
        outcome.reason = Some(format!(
            "{} {}",
            label(shared, worst.index),
            worst.describe()
        ));
    }
    outcome
}

/// Without an earlier revision, a rollback removes what `failed` installed.
fn remove_failed(
    shared: &Shared<'_>,
    failed: &Deployment,
    touched: &[usize],
    io: &mut ActionIo<'_>,
    outcome: &mut Outcome,
) -> anyhow::Result<()> {
    for &i in touched {
        install_event::remove_installed(shared, i, &failed.dir).map_err(anyhow::Error::msg)?;
    }
    shared.flush().map_err(anyhow::Error::msg)?;
    io.say(&format!(
        "no earlier successful deployment: removed what {} installed",
        failed.id
    ));
    outcome.outputs.push((
        "rollback".into(),
        format!("removed the files of {} (no earlier revision)", failed.id),
    ));
    outcome.add_reason("rolled back: no earlier revision, installed files removed");
    Ok(())
}

/// Redeploys the last successful revision to every instance the failed
/// deployment touched; with none, removes what it installed.
fn roll_back_after_failure(
    shared: &Shared<'_>,
    failed: &Deployment,
    results: &[InstanceResult],
    io: &mut ActionIo<'_>,
    outcome: &mut Outcome,
) -> anyhow::Result<()> {
    let touched: Vec<usize> = results
        .iter()
        .filter(|r| r.touched)
        .map(|r| r.index)
        .collect();
    if touched.is_empty() {
        return Ok(());
    }
    let target = shared.state().last_successful().cloned();
    let Some(target) = target else {
        return remove_failed(shared, failed, &touched, io, outcome);
    };
    io.say(&format!(
        "rolling back: redeploying the revision of {} to the instances {} touched",
        target.id, failed.id
    ));
    let source = Source::Earlier {
        bundle: target.bundle.clone(),
        rollback_of: Some(failed.id.clone()),
    };
    let dep = match start(shared, io, source) {
        Ok(dep) => dep,
        Err(why) => {
            // The failed deployment's outcome stands; the rollback's refusal
            // is added. An error writing the state is the run's.
            let verdict = refused_rollback(why)?;
            outcome.outputs.push(("rollback".into(), verdict.clone()));
            outcome.add_reason(&format!("rollback {verdict}"));
            return Ok(());
        }
    };
    let again = run_batches(shared, &dep, &touched, io);
    let status = finish(shared, &dep, &again)?;
    let verdict =
        match status {
            DeployStatus::Succeeded => format!("{} restored the revision of {}", dep.id, target.id),
            _ => format!(
                "{} failed: {}",
                dep.id,
                again.iter().find(|r| r.status != Status::Passed).map_or(
                    String::new(),
                    |r| format!("{} {}", label(shared, r.index), r.describe())
                )
            ),
        };
    outcome.outputs.push(("rollback".into(), verdict.clone()));
    outcome.add_reason(&format!("rollback {verdict}"));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn only_a_refused_rollback_is_a_verdict_other_errors_are_the_runs() {
        let refused: anyhow::Error = Refused("conf changed; nothing was deployed".into()).into();
        assert_eq!(
            refused_rollback(refused).unwrap(),
            "not done: conf changed; nothing was deployed"
        );
        let full = std::io::Error::from_raw_os_error(28); // ENOSPC
        let written = Err::<(), _>(full)
            .context("cannot write state.json")
            .unwrap_err();
        let why = refused_rollback(written).unwrap_err();
        assert_eq!(
            format!("{why:#}"),
            format!(
                "cannot write state.json: {}",
                std::io::Error::from_raw_os_error(28)
            )
        );
    }
}
