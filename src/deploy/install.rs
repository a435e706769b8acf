//! The Install event on one instance: clean-up of what the previous Install
//! left (rule 24), the `files` plan (rule 18), `file_exists_behavior`
//! (rules 21–23), the copy, and the list of what was installed for the
//! next clean-up. Everything is decided before the first byte is written,
//! so a DISALLOW conflict leaves the instance untouched.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use super::copy::{copy_files, FileCopy};
use super::journal::{move_file, Entry, Journal, Meta};
use super::links::Links;
use super::paths::{self, show, Root};
use super::stamps::{self, Record, Vouching};
use super::store::{Installed, Replaced};
use crate::appspec::{AppSpec, FileExistsBehavior};

/// What one `files` walk produces.
#[derive(Debug, Default)]
pub struct Plan {
    /// Directories to exist, relative to the root, parents first.
    pub dirs: Vec<PathBuf>,
    /// Regular files: bundle path and target (relative).
    pub files: Vec<(PathBuf, PathBuf)>,
    /// Symlinks: target (relative) and link text.
    pub links: Vec<(PathBuf, PathBuf)>,
    /// With `bundle: link`, the bundle's record of the revision files it
    /// hard-links: each is checked as Install opens it.
    pub linked: Option<Links>,
    /// The bundle the plan installs from.
    pub bundle: PathBuf,
    /// The bundle's record of its files' content ids (empty for a linked
    /// bundle, or one without a record): see [`super::stamps`].
    pub origins: Record,
    /// When `origins` was written ([`super::stamps::recorded_at`]).
    pub origins_at: Option<(i64, i64)>,
}

impl Plan {
    /// The content id of the bundle file `from`, when the bundle records one.
    pub fn content_of(&self, from: &Path) -> Option<u64> {
        let rel = from.strip_prefix(&self.bundle).ok()?.to_str()?;
        self.origins.get(rel).map(|e| e.content)
    }

    /// Every target path with whether it is a directory (for permissions).
    pub fn targets(&self) -> Vec<(PathBuf, bool)> {
        let dirs = self.dirs.iter().map(|d| (d.clone(), true));
        let files = self.files.iter().map(|(_, t)| (t.clone(), false));
        let links = self.links.iter().map(|(t, _)| (t.clone(), false));
        dirs.chain(files).chain(links).collect()
    }
}

/// What Install did.
#[derive(Debug, Default)]
pub struct Done {
    /// Created paths, in creation order (the next clean-up list).
    pub installed: Vec<Installed>,
    /// Files and links written.
    pub files: usize,
    /// Bytes copied.
    pub bytes: u64,
    /// Files replaced (OVERWRITE), their originals set aside.
    pub replaced: Vec<Replaced>,
    /// Paths kept because of RETAIN.
    pub retained: HashSet<PathBuf>,
    /// Files left in place: already what the revision holds.
    pub kept: usize,
    /// The files written whose stamps vouch for their bytes, by target,
    /// with the content id of the bundle file each holds.
    pub stamps: Vec<(String, stamps::Entry)>,
}

/// Removes what a previous Install created, newest first: files and links
/// are moved to `aside` (journaled, so an interrupted deployment can put
/// them back), directories removed only when empty. Entries leading out of
/// the root (through `..` or a link) are skipped, and so are the paths the
/// next Install leaves in place (`kept`, see [`super::unchanged`]).
pub fn clean_up(
    root: &Root,
    installed: &[Installed],
    kept: &HashSet<PathBuf>,
    journal: &mut Journal,
    aside: &Path,
) -> Result<(), String> {
    let mut safe_parents: HashSet<PathBuf> = HashSet::new();
    let mut steps = Vec::new();
    for entry in installed.iter().rev() {
        let rel = &entry.path;
        if !paths::plain_relative(rel) || kept.contains(rel) {
            continue;
        }
        let parent = rel.parent().unwrap_or(Path::new("")).to_path_buf();
        if !safe_parents.contains(&parent) {
            if !root.dir_inside(&parent) {
                continue;
            }
            safe_parents.insert(parent);
        }
        let full = root.path.join(rel);
        let Ok(meta) = fs::symlink_metadata(&full) else {
            continue;
        };
        if entry.dir && meta.is_dir() {
            if let Some(meta) = Meta::of(&full) {
                steps.push(Entry::Removed {
                    path: rel.clone(),
                    meta,
                });
            }
        } else if !entry.dir && !meta.is_dir() {
            steps.push(Entry::MovedOut {
                path: rel.clone(),
                saved: aside.join(rel),
            });
        }
    }
    journal.log(&steps)?;
    for step in &steps {
        match step {
            Entry::Removed { path, .. } => {
                let _ = fs::remove_dir(root.path.join(path));
            }
            Entry::MovedOut { path, saved } => move_file(&root.path.join(path), saved)
                .map_err(|e| format!("cannot remove {} (clean-up): {e}", show(path)))?,
            _ => {}
        }
    }
    Ok(())
}

/// The `files` plan of `appspec` for the revision at `bundle`.
pub fn plan(appspec: &AppSpec, bundle: &Path) -> Result<Plan, String> {
    let mut plan = Plan {
        bundle: bundle.to_path_buf(),
        ..Plan::default()
    };
    let mut seen_dirs = HashSet::new();
    for mapping in &appspec.files {
        let source = paths::revision_path(&mapping.source)?;
        let destination = paths::instance_path(&mapping.destination)?;
        let from = bundle.join(&source);
        let Ok(meta) = fs::symlink_metadata(&from) else {
            return Err(format!(
                "source \"{}\" does not exist in the revision",
                mapping.source
            ));
        };
        add_dir(&mut plan, &mut seen_dirs, &destination);
        if from.is_dir() {
            walk(
                &mut plan,
                &mut seen_dirs,
                &from,
                &destination,
                &mut Vec::new(),
            )?;
        } else {
            let name = source.file_name().map(PathBuf::from).unwrap_or_default();
            add_entry(
                &mut plan,
                &from,
                meta.file_type().is_symlink(),
                destination.join(name),
            )?;
        }
    }
    Ok(plan)
}

fn add_dir(plan: &mut Plan, seen: &mut HashSet<PathBuf>, dir: &Path) {
    let mut at = PathBuf::new();
    for part in dir.components() {
        at.push(part);
        if seen.insert(at.clone()) {
            plan.dirs.push(at.clone());
        }
    }
}

fn add_entry(plan: &mut Plan, from: &Path, is_link: bool, to: PathBuf) -> Result<(), String> {
    if is_link {
        let text =
            fs::read_link(from).map_err(|e| format!("cannot read link {}: {e}", from.display()))?;
        plan.links.push((to, text));
    } else {
        plan.files.push((from.to_path_buf(), to));
    }
    Ok(())
}

/// The contents of directory `from` go below `to`; directory links are
/// followed (rule 20), other links copied as links. `chain` holds the
/// identities (device, inode) of the directories being walked: a link back
/// into one is a loop. Entries are typed by the directory listing; only a
/// link costs a `stat`, to see whether it leads to a directory.
fn walk(
    plan: &mut Plan,
    seen: &mut HashSet<PathBuf>,
    from: &Path,
    to: &Path,
    chain: &mut Vec<(u64, u64)>,
) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::metadata(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    let id = (meta.dev(), meta.ino());
    if chain.contains(&id) {
        return Err(format!(
            "directory symlink {} leads back into a directory it is in (a loop)",
            from.display()
        ));
    }
    chain.push(id);
    let mut entries: Vec<_> = fs::read_dir(from)
        .map_err(|e| format!("cannot read {}: {e}", from.display()))?
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().ok();
        let is_link = kind.is_some_and(|t| t.is_symlink());
        let is_dir = match kind {
            Some(t) if !t.is_symlink() => t.is_dir(),
            _ => path.is_dir(),
        };
        if is_dir {
            add_dir(plan, seen, &target);
            walk(plan, seen, &path, &target, chain)?;
        } else {
            add_entry(plan, &path, is_link, target)?;
        }
    }
    chain.pop();
    Ok(())
}

/// Refuses the plan when one of its links would lead outside `root` once
/// installed (checked before anything is touched).
pub fn check_links(root: &Root, plan: &Plan) -> Result<(), String> {
    let planned: HashMap<PathBuf, PathBuf> = plan.links.iter().cloned().collect();
    for (at, text) in &plan.links {
        paths::check_installed_link(root, &planned, at, text)?;
    }
    Ok(())
}

/// The instance one Install writes on, and what is known of it.
pub struct Onto<'a> {
    /// Its root.
    pub root: &'a Root,
    /// Paths already what the plan puts there ([`super::unchanged`]).
    pub kept: &'a HashSet<PathBuf>,
    /// Where files replaced under OVERWRITE are moved.
    pub aside: &'a Path,
    /// Whether stamps read on its file system vouch (the one the
    /// unchanged-file check used: one `statfs` per instance).
    pub vouching: &'a Vouching,
}

/// Carries out `plan` below `onto.root`. `record` is called with the full list
/// of paths about to be created before anything is written. Files replaced
/// under OVERWRITE are moved below `onto.aside` first; every move and every
/// path created is in `journal` before it happens. Paths in `onto.kept` are
/// already what the plan puts there: they are listed, not written. A
/// linked bundle file that changed since it was linked is an error.
pub fn install(
    onto: &Onto<'_>,
    plan: &Plan,
    behavior: FileExistsBehavior,
    journal: &mut Journal,
    record: &mut dyn FnMut(&[Installed]) -> Result<(), String>,
) -> Result<Done, String> {
    let Onto {
        root,
        kept,
        aside,
        vouching,
    } = *onto;
    let mut done = Done::default();
    let (replace, skip) = existing(root, plan, behavior, kept)?;
    let planned = planned_list(root, plan, &skip, kept);
    record(&planned)?;
    let moves: Vec<Entry> = replace
        .iter()
        .map(|target| Entry::MovedOut {
            path: target.clone(),
            saved: aside.join(target),
        })
        .collect();
    journal.log(&moves)?;
    for target in replace {
        let saved = aside.join(&target);
        move_file(&root.path.join(&target), &saved)
            .map_err(|e| format!("cannot replace {}: {e}", show(&target)))?;
        done.replaced.push(Replaced {
            path: target,
            saved,
            by: None,
        });
    }
    let created: Vec<Entry> = planned
        .iter()
        .filter(|i| !kept.contains(&i.path))
        .map(|i| Entry::Created {
            path: i.path.clone(),
            dir: i.dir,
        })
        .collect();
    journal.log(&created)?;
    // Kept folders first: in the clean-up list, a folder comes before what it holds.
    done.installed.extend(
        planned
            .iter()
            .filter(|i| i.dir && kept.contains(&i.path))
            .cloned(),
    );
    for dir in &plan.dirs {
        root.create_dirs(dir, &mut done.installed)?;
    }
    let to_copy: Vec<&(PathBuf, PathBuf)> = plan
        .files
        .iter()
        .filter(|(_, t)| !skip.contains(t) && !kept.contains(t))
        .collect();
    let copies: Vec<FileCopy> = to_copy
        .iter()
        .map(|(from, t)| FileCopy {
            from: from.clone(),
            to: root.path.join(t),
        })
        .collect();
    let copied = copy_files(&copies, plan.linked.as_ref(), vouching)?;
    done.bytes = copied.bytes;
    for ((from, target), stamp) in to_copy.into_iter().zip(copied.stamps) {
        if let (Some(key), Some(content), Some(stamp)) =
            (target.to_str(), plan.content_of(from), stamp)
        {
            let entry = stamps::Entry {
                content,
                stamp: Some(stamp),
                seen: None,
                linked: None,
            };
            done.stamps.push((key.to_string(), entry));
        }
    }
    for (target, text) in plan.links.iter().filter(|(t, _)| !skip.contains(t)) {
        std::os::unix::fs::symlink(text, root.path.join(target))
            .map_err(|e| format!("cannot create link {}: {e}", show(target)))?;
    }
    done.files = copies.len() + plan.links.len()
        - plan.links.iter().filter(|(t, _)| skip.contains(t)).count();
    done.kept = plan.files.iter().filter(|(_, t)| kept.contains(t)).count();
    done.retained = skip;
    done.installed
        .extend(planned.into_iter().filter(|i| !i.dir));
    Ok(done)
}

/// Puts back the files a rolled-back Install replaced (journaled).
pub fn restore(root: &Root, replaced: &[Replaced], journal: &mut Journal) -> Result<(), String> {
    let back: Vec<&Replaced> = replaced
        .iter()
        .filter(|r| paths::plain_relative(&r.path))
        .collect();
    let mut steps = Vec::new();
    let mut seen = HashSet::new();
    for r in &back {
        let mut at = PathBuf::new();
        for part in r.path.parent().into_iter().flat_map(Path::components) {
            at.push(part);
            if seen.insert(at.clone()) && fs::symlink_metadata(root.path.join(&at)).is_err() {
                steps.push(Entry::Created {
                    path: at.clone(),
                    dir: true,
                });
            }
        }
        steps.push(Entry::MovedIn {
            path: r.path.clone(),
            saved: r.saved.clone(),
        });
    }
    journal.log(&steps)?;
    for r in back {
        if let Some(parent) = r.path.parent() {
            root.create_dirs(parent, &mut Vec::new())?;
        }
        move_file(&r.saved, &root.path.join(&r.path))
            .map_err(|e| format!("cannot put back {}: {e}", show(&r.path)))?;
    }
    Ok(())
}

/// Targets that already exist: those to replace (OVERWRITE) and those to
/// keep (RETAIN); with DISALLOW, an error naming them.
fn existing(
    root: &Root,
    plan: &Plan,
    behavior: FileExistsBehavior,
    kept: &HashSet<PathBuf>,
) -> Result<(Vec<PathBuf>, HashSet<PathBuf>), String> {
    let (mut replace, mut skip, mut clashes) = (Vec::new(), HashSet::new(), Vec::new());
    let targets = plan
        .files
        .iter()
        .map(|(_, t)| t)
        .chain(plan.links.iter().map(|(t, _)| t))
        .filter(|t| !kept.contains(*t));
    let mut listings = Listings::default();
    for target in targets {
        match listings.kind(root, target) {
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(format!("cannot inspect {}: {e}", show(target))),
            Ok(is_dir) if is_dir => {
                return Err(format!(
                    "cannot install {}: a directory is in the way",
                    show(target)
                ))
            }
            Ok(_) => match behavior {
                FileExistsBehavior::Disallow => clashes.push(show(target)),
                FileExistsBehavior::Overwrite => replace.push(target.clone()),
                FileExistsBehavior::Retain => {
                    skip.insert(target.clone());
                }
            },
        }
    }
    if clashes.is_empty() {
        return Ok((replace, skip));
    }
    let more = match clashes.len() {
        n if n > 3 => format!(" and {} more", n - 3),
        _ => String::new(),
    };
    clashes.truncate(3);
    Err(format!("a file already exists at {}{more} (file_exists_behavior: DISALLOW); remove it, or set file_exists_behavior: OVERWRITE or RETAIN in the AppSpec", clashes.join(", ")))
}

/// What is already in the instance's folders, read once per folder (one
/// listing instead of a `stat` per planned file).
#[derive(Default)]
struct Listings {
    /// Per folder (relative to the root), as first read.
    folders: HashMap<PathBuf, Listing>,
}

/// One folder of the instance.
enum Listing {
    Missing,
    /// It cannot be listed: each path in it is looked at instead.
    Unreadable,
    /// Its entries, and whether each is a directory.
    Entries(HashMap<std::ffi::OsString, bool>),
}

impl Listings {
    /// Whether something is at `target` (relative to the root) and whether
    /// it is a directory (a link is not); `NotFound` when nothing is. A
    /// folder that cannot be listed falls back to looking at the path.
    fn kind(&mut self, root: &Root, target: &Path) -> std::io::Result<bool> {
        let parent = target.parent().unwrap_or(Path::new(""));
        let name = target.file_name();
        match (name, self.folder(root, parent)) {
            (Some(_), Listing::Missing) => Err(ErrorKind::NotFound.into()),
            (Some(name), Listing::Entries(entries)) => entries
                .get(name)
                .copied()
                .ok_or_else(|| ErrorKind::NotFound.into()),
            _ => fs::symlink_metadata(root.path.join(target)).map(|m| m.is_dir()),
        }
    }

    /// The listing of `folder`, read the first time it is asked for.
    fn folder(&mut self, root: &Root, folder: &Path) -> &Listing {
        self.folders.entry(folder.to_path_buf()).or_insert_with(|| {
            match fs::read_dir(root.path.join(folder)) {
                Err(e) if e.kind() == ErrorKind::NotFound => Listing::Missing,
                Err(_) => Listing::Unreadable,
                Ok(entries) => {
                    let names: Option<HashMap<_, _>> = entries
                        .map(|entry| {
                            let entry = entry.ok()?;
                            Some((entry.file_name(), entry.file_type().ok()?.is_dir()))
                        })
                        .collect();
                    names.map_or(Listing::Unreadable, Listing::Entries)
                }
            }
        })
    }
}

/// The directories not there yet (or kept) and every file to write or
/// keep, in order: the next clean-up list.
fn planned_list(
    root: &Root,
    plan: &Plan,
    skip: &HashSet<PathBuf>,
    kept: &HashSet<PathBuf>,
) -> Vec<Installed> {
    let dirs = plan
        .dirs
        .iter()
        .filter(|d| kept.contains(*d) || fs::symlink_metadata(root.path.join(d)).is_err())
        .map(|d| Installed {
            path: d.clone(),
            dir: true,
        });
    let files = plan
        .files
        .iter()
        .map(|(_, t)| t)
        .chain(plan.links.iter().map(|(t, _)| t))
        .filter(|t| !skip.contains(*t))
        .map(|t| Installed {
            path: t.clone(),
            dir: false,
        });
    dirs.chain(files).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::appspec::{FileMapping, Os};

    fn spec(files: &[(&str, &str)]) -> AppSpec {
        AppSpec {
            os: Os::Linux,
            files: files
                .iter()
                .map(|(s, d)| FileMapping {
                    source: s.to_string(),
                    destination: d.to_string(),
                    line: 1,
                })
                .collect(),
            permissions: Vec::new(),
            hooks: Default::default(),
            file_exists_behavior: None,
        }
    }

    #[test]
    fn files_land_as_the_agent_installs_them() {
        let dir = tempfile::tempdir().unwrap();
        let rev = dir.path();
        fs::create_dir_all(rev.join("app/sub")).unwrap();
        fs::write(rev.join("app/sub/a"), "a").unwrap();
        fs::write(rev.join("one.txt"), "1").unwrap();
        std::os::unix::fs::symlink("app/sub", rev.join("linked")).unwrap();
        let plan = plan(
            &spec(&[("app", "/srv"), ("/one.txt", "/etc/x/"), ("linked", "/l")]),
            rev,
        )
        .unwrap();
        let targets: Vec<PathBuf> = plan.files.iter().map(|(_, t)| t.clone()).collect();
        let expected = ["srv/sub/a", "etc/x/one.txt", "l/a"].map(PathBuf::from);
        assert_eq!(
            targets, expected,
            "a directory's contents, a file by its name, a directory link followed"
        );
        assert!(plan.dirs.contains(&PathBuf::from("etc/x")));
        assert!(plan.dirs.contains(&PathBuf::from("srv/sub")));
    }

    #[test]
    fn a_directory_link_loop_is_an_error_not_a_hang() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("app")).unwrap();
        std::os::unix::fs::symlink(".", dir.path().join("app/again")).unwrap();
        let err = plan(&spec(&[("app", "/srv")]), dir.path()).unwrap_err();
        assert!(err.contains("(a loop)"), "{err}");
    }

    #[test]
    fn links_into_each_other_are_a_loop() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("app/a")).unwrap();
        fs::create_dir_all(dir.path().join("app/b")).unwrap();
        std::os::unix::fs::symlink("../b", dir.path().join("app/a/to-b")).unwrap();
        std::os::unix::fs::symlink("../a", dir.path().join("app/b/to-a")).unwrap();
        let err = plan(&spec(&[("app/a", "/srv")]), dir.path()).unwrap_err();
        assert!(err.contains("(a loop)"), "{err}");
    }

    #[test]
    fn a_missing_source_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = plan(&spec(&[("nope", "/srv")]), dir.path()).unwrap_err();
        assert!(err.contains("does not exist"), "{err}");
    }
}
