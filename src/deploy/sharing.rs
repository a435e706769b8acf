//! Files a kept bundle shares with later bundles. DownloadBundle
//! hard-links a revision file whose stat data is unchanged from the
//! previous bundle instead of copying it (see [`super::stamps`]), so the
//! two bundles hold the same file. A hook of the later deployment that
//! writes that file in place through `$GANTRY_BUNDLE` (a BeforeInstall
//! hook rendering a template: `envsubst < conf.tpl > conf`) therefore
//! writes the earlier bundle's file as well. Before an earlier bundle is
//! installed again (a rollback to it), each of its files that a later kept
//! bundle shares is checked against the shape (size, modification time,
//! mode) the later bundle recorded when it linked it; a changed one is
//! refused by name. A deployment's own hooks editing its own bundle is no
//! such change: they ran before any later bundle linked the file. A later
//! bundle about to be pruned is checked against the earlier ones still
//! kept first, and what it found noted beside them (`changed-later.json`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::{self, Metadata};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::stamps::{self, Linked, Record, Shape};
use super::store::{bundle_dir, GroupState};

/// One bundle file a later deployment changed in place.
#[derive(Debug, Serialize, Deserialize)]
struct Changed {
    /// Relative to the bundle.
    rel: String,
    /// The later deployments whose bundles share it.
    sharers: Vec<String>,
}

/// Changed files: each one's sharers, by path relative to the bundle.
type Found = BTreeMap<String, Vec<String>>;

/// The note beside a bundle of its files found changed through a later
/// bundle that was pruned since.
const NOTE: &str = "changed-later.json";

/// Checks the kept bundle of deployment `target` (in the group's state
/// folder `store`) before it is installed again: an error naming the files
/// a later kept bundle linked from it and a later deployment then changed
/// in place (and those found so before a later bundle was pruned). Costs
/// one `lstat` per file of the later bundles' records that the target
/// holds, more only for a changed one.
/// With `only`, just those files are checked (ApplicationStop's scripts,
/// run from an earlier bundle), and the error says they are not run.
/// The group's state is locked only to list the later bundles: the scan
/// runs without it, so other instances' threads go on. `current`: a
/// later deployment whose record is in memory (the one running), which is
/// then not read from disk.
pub fn check(
    state: &Mutex<GroupState>,
    store: &Path,
    target: &str,
    only: Option<&[String]>,
    current: Option<(&str, &Record)>,
) -> Result<(), String> {
    let (revision, later) = {
        let state = state.lock().unwrap_or_else(|e| e.into_inner());
        let Some(at) = state.deployments.iter().position(|d| d.id == target) else {
            return Ok(());
        };
        if state.deployments[at].linked {
            return Ok(()); // `bundle: link` has its own record (see `links`)
        }
        let later: Vec<String> = state.deployments[at + 1..]
            .iter()
            .filter(|d| d.bundle == d.id && !d.linked)
            .map(|d| d.id.clone())
            .collect();
        (state.deployments[at].revision.clone(), later)
    };
    let bundle = bundle_dir(store, target);
    let later: Vec<Later> = later
        .iter()
        .map(|id| Later {
            id,
            dir: bundle_dir(store, id),
            record: current.filter(|(c, _)| c == id).map(|(_, r)| r),
        })
        .filter(|l| l.dir.is_dir())
        .collect();
    let mut found = noted(&bundle);
    merge(&mut found, scan(&bundle, &later, only));
    if let Some(only) = only {
        found.retain(|rel, _| only.contains(rel));
    }
    if found.is_empty() {
        return Ok(());
    }
    let changed = listed(found);
    Err(refusal(target, &revision, &changed, only.is_some()))
}

/// Before the bundle of deployment `pruned` is deleted: notes, beside
/// each earlier bundle still kept (`kept`), the files it shares with the
/// pruned one that were changed in place, so that a rollback to it still
/// refuses them.
pub fn note_before_pruning(state: &GroupState, store: &Path, pruned: &str, kept: &HashSet<String>) {
    let Some(at) = state.deployments.iter().position(|d| d.id == pruned) else {
        return;
    };
    if state.deployments[at].linked || !bundle_dir(store, pruned).is_dir() {
        return;
    }
    let dir = bundle_dir(store, pruned);
    let record = Record::load(&stamps::bundle_record(&dir));
    let later = [Later {
        id: pruned,
        dir,
        record: Some(&record),
    }];
    for earlier in &state.deployments[..at] {
        if earlier.linked || !kept.contains(&earlier.id) {
            continue;
        }
        let bundle = bundle_dir(store, &earlier.id);
        let found = scan(&bundle, &later, None);
        if found.is_empty() {
            continue;
        }
        let mut all = noted(&bundle);
        merge(&mut all, found);
        // On disk before the pruned bundle, the only other evidence, is deleted.
        if let Ok(json) = serde_json::to_vec(&listed(all)) {
            let _ = crate::fsutil::write_durable(&bundle.with_file_name(NOTE), &json, None);
        }
    }
}

/// Adds `found` to `changed`, one entry per file.
fn merge(changed: &mut Found, found: Found) {
    for (rel, sharers) in found {
        changed.entry(rel).or_default().extend(sharers);
    }
}

/// `found` as a list, by path.
fn listed(found: Found) -> Vec<Changed> {
    found
        .into_iter()
        .map(|(rel, sharers)| Changed { rel, sharers })
        .collect()
}

/// The files noted changed beside the bundle at `bundle`.
fn noted(bundle: &Path) -> Found {
    let listed: Vec<Changed> = crate::fsutil::read(&bundle.with_file_name(NOTE))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default();
    let mut found = Found::new();
    for c in listed {
        found.entry(c.rel).or_default().extend(c.sharers);
    }
    found
}

/// A later bundle than the one checked.
struct Later<'a> {
    /// Its deployment.
    id: &'a str,
    /// Its folder.
    dir: PathBuf,
    /// Its record, when in memory already (else read from beside `dir`).
    record: Option<&'a Record>,
}

/// The files of the bundle at `bundle` that one of the `later` bundles
/// shares and that changed since it linked them (of `only`, when given).
fn scan(bundle: &Path, later: &[Later], only: Option<&[String]>) -> Found {
    // Read only when a later bundle has no record.
    let mut own: Option<Record> = None;
    let mut ours: HashMap<String, Option<Metadata>> = HashMap::new();
    let mut changed = Found::new();
    for Later { id, dir, record } in later {
        let loaded;
        let theirs = match record {
            Some(record) => *record,
            None => {
                loaded = Record::load(&stamps::bundle_record(dir));
                &loaded
            }
        };
        // Killed in DownloadBundle, a later bundle has no record: the
        // target's own names the files and what they looked like (a file
        // it shares looked so when linked: its own hooks ran before).
        let record = if theirs.files.is_empty() {
            &*own.get_or_insert_with(|| Record::load(&stamps::bundle_record(bundle)))
        } else {
            theirs
        };
        let entries: Vec<(&String, &stamps::Entry)> = match only {
            Some(only) => only
                .iter()
                .filter_map(|rel| record.files.get_key_value(rel))
                .collect(),
            None => record.files.iter().collect(),
        };
        for (rel, entry) in entries {
            let Some(shape) = entry.shape() else {
                continue;
            };
            let mine = ours.entry(rel.clone()).or_insert_with(|| {
                fs::symlink_metadata(bundle.join(rel))
                    .ok()
                    .filter(|m| m.is_file())
            });
            let Some(mine) = mine else {
                continue;
            };
            // The target's own record says nothing of how a later bundle linked it.
            let linked = entry.linked.filter(|_| !theirs.files.is_empty());
            if mine.nlink() < 2
                || as_linked(mine, &shape, linked)
                || !same_file(mine, &dir.join(rel))
            {
                continue;
            }
            changed.entry(rel.clone()).or_default().push(id.to_string());
        }
    }
    changed
}

/// Whether a file now `meta` is as it was when linked (`then`, and its
/// change time and links just after, when recorded), or was only made
/// executable as gantry does with a hook script (rule 44): a later
/// deployment running an earlier bundle's ApplicationStop script makes the
/// shared file executable, which moves its change time too.
fn as_linked(meta: &Metadata, then: &Shape, linked: Option<Linked>) -> bool {
    let now = Shape::of(meta);
    (now.size, now.mtime) == (then.size, then.mtime)
        && (now.mode != then.mode && now.mode == then.mode | 0o755
            || now.mode == then.mode && linked.is_none_or(|l| l.unchanged(meta)))
}

/// Whether `path` is the file `meta` describes (same device and inode).
fn same_file(meta: &Metadata, path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| (m.dev(), m.ino()) == (meta.dev(), meta.ino()))
}

fn refusal(target: &str, revision: &Path, changed: &[Changed], scripts: bool) -> String {
    let first = &changed[0];
    let by = first.sharers.join(", ");
    let writer = match first.sharers.len() {
        1 => format!("a hook of {by}"),
        _ => format!("a hook of one of {by}"),
    };
    let more = match changed.len() - 1 {
        0 => String::new(),
        1 => format!(" (and {})", changed[1].rel),
        n => format!(" (and {n} more files)"),
    };
    format!(
        "{rel} of {target}'s kept bundle was changed in place since {linker} linked it{more}: the bundles of {target} and {by} share the file (DownloadBundle hard-links a revision file whose stat data is unchanged instead of copying it), and {writer} wrote it in place through $GANTRY_BUNDLE (or something else did); {what}",
        rel = first.rel,
        linker = first.sharers[0],
        what = if scripts {
            format!("gantry does not run it as {target}'s ApplicationStop script")
        } else {
            format!(
                "gantry does not install it as {target}'s revision: deploy that revision again instead (`gantry deploy --revision {}`)",
                revision.display()
            )
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::stamps::Entry;
    use crate::deploy::store::{DeployStatus, DeploymentRecord};

    fn record(id: &str) -> DeploymentRecord {
        DeploymentRecord {
            id: id.into(),
            bundle: id.into(),
            revision: PathBuf::from("/rev"),
            appspec: "appspec.yml".into(),
            rollback_of: None,
            started_at: String::new(),
            status: DeployStatus::Succeeded,
            instances: Default::default(),
            linked: false,
        }
    }

    /// Two bundles sharing `conf`, the later one's record holding `entry`
    /// made from the file's metadata when linked; then `conf` rewritten in
    /// place through the later bundle.
    fn shared_then_written(entry: impl Fn(&Metadata) -> Entry) -> (tempfile::TempDir, GroupState) {
        let store = tempfile::tempdir().unwrap();
        let (first, second) = (
            bundle_dir(store.path(), "d-1"),
            bundle_dir(store.path(), "d-2"),
        );
        fs::create_dir_all(&first).unwrap();
        fs::create_dir_all(&second).unwrap();
        fs::write(first.join("conf"), "greeting=${GREETING}\n").unwrap();
        fs::hard_link(first.join("conf"), second.join("conf")).unwrap();
        let meta = fs::symlink_metadata(second.join("conf")).unwrap();
        let mut theirs = Record::default();
        theirs.files.insert("conf".into(), entry(&meta));
        theirs.save(&stamps::bundle_record(&second)).unwrap();
        fs::write(second.join("conf"), "greeting=rendered\n").unwrap();
        let state = GroupState {
            deployments: vec![record("d-1"), record("d-2")],
            ..GroupState::default()
        };
        (store, state)
    }

    #[test]
    fn a_shared_file_written_through_the_later_bundle_is_refused_with_or_without_a_stamp() {
        let stamped = |m: &Metadata| Entry {
            content: 1,
            stamp: Some(stamps::Stamp::of(m)),
            seen: None,
            linked: None,
        };
        // A revision file changed just before DownloadBundle: no stamp, its shape seen.
        let unstamped = |m: &Metadata| Entry {
            content: 1,
            stamp: None,
            seen: Some(Shape::of(m)),
            linked: None,
        };
        for (store, state) in [shared_then_written(stamped), shared_then_written(unstamped)] {
            let state = Mutex::new(state);
            let why = check(&state, store.path(), "d-1", None, None).unwrap_err();
            assert!(
                why.starts_with(
                    "conf of d-1's kept bundle was changed in place since d-2 linked it"
                ),
                "{why}"
            );
            // The later bundle itself is its deployment's own to edit.
            check(&state, store.path(), "d-2", None, None).unwrap();
            // ApplicationStop scripts other than `conf` are not refused.
            check(&state, store.path(), "d-1", Some(&["stop.sh".into()]), None).unwrap();
        }
    }
}
