//! The Install event of one instance as the lifecycle runs it: the
//! clean-up of the last Install, saved files put back on a rollback, the
//! copy and `permissions` — every change journaled first (see
//! [`super::journal`]) and the group state kept in step; when Install
//! fails, the journal is undone at once so the instance is left as it was.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::install;
use super::io::InstanceIo;
use super::job::Instance;
use super::journal::{self, Entry, Journal, Meta, Undone};
use super::lifecycle::{instance_state, Deployment, Shared};
use super::paths::Root;
use super::permissions;
use super::stamps::{self, Record, Vouching};
use super::store::{GroupState, InstanceState, Replaced};
use super::unchanged::{unchanged, Unchanged};
use crate::appspec::FileExistsBehavior;

/// Where the clean-up of `dep` on `instance` sets the last Install's files aside.
pub(super) fn aside_dir(dep_dir: &Path, instance: &Instance) -> PathBuf {
    dep_dir.join(format!("{}.aside", instance.name))
}

/// Why Install failed, and whether the instance was put back as it was.
pub(super) struct InstallFailed {
    /// The reason.
    pub why: String,
    /// The instance is as it was before.
    pub undone: bool,
}

/// Install, journaled; on failure (a full disk, a file in the way) the
/// journal is undone at once, so the instance is left as it was.
pub(super) fn install_step(
    shared: &Shared<'_>,
    dep: &Deployment,
    instance: &Instance,
    root: &Root,
    io: &mut InstanceIo<'_>,
) -> Result<Journal, InstallFailed> {
    let refused = |why| InstallFailed { why, undone: true };
    install::check_links(root, &dep.plan).map_err(refused)?;
    let previous = instance_state(shared, instance, root);
    let begin = Entry::Begin {
        instance: instance.name.clone(),
        deployment: dep.id.clone(),
        root: root.path.clone(),
        previous: previous.clone(),
    };
    let mut journal =
        Journal::begin(journal::path(&dep.dir, &instance.name), &begin).map_err(refused)?;
    match install_journaled(shared, dep, instance, root, io, &mut journal, previous) {
        Ok(()) => Ok(journal),
        Err(why) => Err(undo_now(shared, dep, journal, why, io)),
    }
}

/// Undoes `journal` after Install failed with `why`.
fn undo_now(
    shared: &Shared<'_>,
    dep: &Deployment,
    journal: Journal,
    why: String,
    io: &mut InstanceIo<'_>,
) -> InstallFailed {
    match journal::undo(&journal.path) {
        Ok(undone) => {
            let restored = shared.update_later(|state| put_back_state(state, &undone));
            if undone.restored + undone.removed + undone.modes > 0 {
                io.say(
                    "Install",
                    &format!(
                        "Install failed; the instance is back as it was before {}: {}",
                        dep.id,
                        undone.describe()
                    ),
                );
            }
            shared.finished_with(journal);
            match restored {
                Ok(()) => InstallFailed {
                    why: format!("{why} (the instance was restored as it was before)"),
                    undone: true,
                },
                Err(e) => InstallFailed {
                    why: format!("{why}; {e}"),
                    undone: false,
                },
            }
        }
        Err(e) => InstallFailed {
            why: format!("{why}; putting the instance back failed too: {e} (fix the cause and run `gantry deploy --recover`)"),
            undone: false,
        },
    }
}

/// The instance's record as it was before the undone deployment.
pub fn put_back_state(state: &mut GroupState, undone: &Undone) {
    match &undone.previous {
        Some(previous) => {
            state
                .instances
                .insert(undone.instance.clone(), previous.clone());
        }
        None => {
            state.instances.remove(&undone.instance);
        }
    }
}

fn install_journaled(
    shared: &Shared<'_>,
    dep: &Deployment,
    instance: &Instance,
    root: &Root,
    io: &mut InstanceIo<'_>,
    journal: &mut Journal,
    previous: Option<InstanceState>,
) -> Result<(), String> {
    let mut kept = Vec::new();
    let record_path = stamps::instance_record(&shared.job.state, &instance.name);
    let vouching = Vouching::for_dir(&root.path);
    let Unchanged {
        paths: in_place,
        stamps: mut stamped,
        vouched,
    } = match &previous {
        Some(p) => unchanged(root, &dep.plan, p, &Record::load(&record_path), &vouching)?,
        None => Unchanged::default(),
    };
    let mut left: Vec<&PathBuf> = in_place.iter().collect();
    left.sort();
    let entries: Vec<Entry> = left
        .into_iter()
        .map(|path| Entry::Kept { path: path.clone() })
        .collect();
    journal.log(&entries)?;
    if let Some(previous) = previous {
        install::clean_up(
            root,
            &previous.installed,
            &in_place,
            journal,
            &aside_dir(&dep.dir, instance),
        )?;
        let (back, stay): (Vec<Replaced>, Vec<Replaced>) =
            previous.replaced.into_iter().partition(|r| {
                dep.rollback_of.is_some()
                    && r.by.as_ref().or(previous.replaced_by.as_ref()) == dep.rollback_of.as_ref()
            });
        install::restore(root, &back, journal)?;
        kept = stay
            .into_iter()
            .map(|r| Replaced {
                by: r.by.or_else(|| previous.replaced_by.clone()),
                ..r
            })
            .collect();
    }
    let started = Instant::now();
    let behavior = dep
        .appspec
        .file_exists_behavior
        .unwrap_or(FileExistsBehavior::Disallow);
    let mut record = |planned: &[super::store::Installed]| {
        shared.update_later(|state| {
            let entry = state.instances.entry(instance.name.clone()).or_default();
            entry.root = root.path.clone();
            entry.installed = planned.to_vec();
        })
    };
    let aside = dep.dir.join(format!("{}.replaced", instance.name));
    let onto = install::Onto {
        root,
        kept: &in_place,
        aside: &aside,
        vouching: &vouching,
    };
    let done = install::install(&onto, &dep.plan, behavior, journal, &mut record)?;
    kept.extend(done.replaced.iter().map(|r| Replaced {
        by: Some(dep.id.clone()),
        ..r.clone()
    }));
    shared.update_later(|state| {
        let entry = state.instances.entry(instance.name.clone()).or_default();
        entry.root = root.path.clone();
        entry.installed = done.installed.clone();
        entry.replaced = kept;
        entry.replaced_by = Some(dep.id.clone());
    })?;
    // Kept paths existed before: permissions may change their modes, which
    // the journal must be able to put back.
    let created: HashSet<&Path> = done
        .installed
        .iter()
        .map(|i| i.path.as_path())
        .filter(|p| !in_place.contains(*p))
        .collect();
    let targets: Vec<(PathBuf, bool)> = dep
        .plan
        .targets()
        .into_iter()
        .filter(|(p, _)| !done.retained.contains(p))
        .collect();
    // Only the paths a `permissions` entry selects can change.
    let touched = permissions::touched(&dep.appspec.permissions, &targets);
    let changed: Vec<Entry> = targets
        .iter()
        .filter(|(p, _)| !created.contains(p.as_path()) && touched.contains(p.as_path()))
        .filter_map(|(p, _)| {
            Meta::of(&root.path.join(p)).map(|meta| Entry::Changed {
                path: p.clone(),
                meta,
            })
        })
        .collect();
    journal.log(&changed)?;
    for note in permissions::apply(root, &dep.appspec.permissions, &targets)? {
        io.say("Install", &note);
    }
    stamped.files.extend(done.stamps.iter().cloned());
    // `permissions` changed these after they were stamped.
    stamped
        .files
        .retain(|path, _| !touched.contains(Path::new(path)));
    // Only a hint for the next Install (checked against the files then):
    // without it, the next Install compares bytes.
    let _ = stamped.save(&record_path);
    let secs = started.elapsed().as_secs_f64();
    let mib = done.bytes as f64 / (1024.0 * 1024.0);
    let retained = match done.retained.len() {
        0 => String::new(),
        n => format!(", {n} kept (RETAIN)"),
    };
    let unchanged = match done.kept {
        0 => String::new(),
        n => format!(", {n} unchanged left in place ({vouched} known by their stat data)"),
    };
    io.say(
        "Install",
        &format!(
            "installed {} files, {mib:.1} MiB in {secs:.2}s ({:.0} MiB/s){unchanged}{retained}",
            done.files,
            mib / secs.max(1e-6)
        ),
    );
    Ok(())
}

/// Removes what the last Install put on instance `index` and puts back
/// what it replaced (a rollback with no earlier revision to go back to);
/// journaled in `dep_dir` like an Install.
pub fn remove_installed(shared: &Shared<'_>, index: usize, dep_dir: &Path) -> Result<(), String> {
    let instance = &shared.job.instances[index];
    let root = Root::open(instance, &shared.roots)?;
    if let Some(previous) = instance_state(shared, instance, &root) {
        let begin = Entry::Begin {
            instance: instance.name.clone(),
            deployment: String::new(),
            root: root.path.clone(),
            previous: Some(previous.clone()),
        };
        let mut journal = Journal::begin(journal::path(dep_dir, &instance.name), &begin)?;
        let aside = aside_dir(dep_dir, instance);
        install::clean_up(
            &root,
            &previous.installed,
            &HashSet::new(),
            &mut journal,
            &aside,
        )?;
        install::restore(&root, &previous.replaced, &mut journal)?;
        shared.update_later(|state| {
            if let Some(entry) = state.instances.get_mut(&instance.name) {
                entry.installed.clear();
                entry.replaced.clear();
            }
        })?;
        shared.finished_with(journal);
    }
    Ok(())
}
