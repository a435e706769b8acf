//! The files the cache looks at, found by one shared scan per run, and a
//! content id (a git blob id) for each — read from git or from the cache's
//! own stat table when the stat data proves the file unchanged, hashed
//! otherwise.
//!
//! The default inputs are the files git would see: the git index's entries
//! plus untracked files that are not ignored (walked with the `ignore`
//! crate, which reads `.gitignore`, `.git/info/exclude` and the global
//! excludes file). A file counts as unchanged without being read only when
//! its size, mtime, ctime and inode all match, as in git.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use super::stat::FileStat;

/// A file found by a scan.
#[derive(Clone, Debug)]
pub struct Scanned {
    /// Relative to the root, `/`-separated.
    pub path: String,
    /// Its stat data at the scan.
    pub stat: FileStat,
    /// It is a symbolic link (its id is its target).
    pub link: bool,
}

/// What git recorded about a path.
struct Known {
    oid: String,
    stat: Option<IndexStat>,
}

/// The 32-bit stat data git's index keeps.
#[derive(PartialEq, Eq)]
struct IndexStat {
    size: u32,
    ino: u32,
    mtime: (u32, u32),
    ctime: (u32, u32),
}

impl IndexStat {
    fn of(stat: &FileStat) -> IndexStat {
        IndexStat {
            size: stat.size as u32,
            ino: stat.ino as u32,
            mtime: (stat.mtime.0 as u32, stat.mtime.1),
            ctime: (stat.ctime.0 as u32, stat.ctime.1),
        }
    }
}

enum Trust {
    /// Index entries count when their stat matches and is older than the index file.
    Index { index_mtime: (i64, u32) },
    /// Tree entries count for files not changed since the checkout finished.
    Checkout { done: SystemTime },
    /// No git information.
    Nothing,
}

/// An action's `inputs:` and `outputs:`, which decide its input files.
type SelectionKey = (Vec<String>, Vec<String>);

/// An action's input files with their content ids, and one digest over all.
#[derive(Debug)]
pub struct InputSet {
    /// Path → content id (files that vanished while being read are left out).
    pub ids: std::collections::BTreeMap<String, String>,
    /// Hash of every path and content id, in path order.
    pub digest: String,
}

/// File lookups for one run, rooted at the pipeline root.
pub struct FileIndex {
    root: PathBuf,
    known: HashMap<String, Known>,
    trust: Trust,
    /// Content ids by path, valid while the stat data is equal; kept on disk
    /// between runs in `table`.
    ids: Mutex<HashMap<String, (FileStat, String)>>,
    ids_changed: AtomicBool,
    table: Option<PathBuf>,
    threads: usize,
    visible: Mutex<Option<Arc<Vec<Scanned>>>>,
    walks: Mutex<HashMap<PathBuf, Arc<Vec<Scanned>>>>,
    selections: Mutex<HashMap<SelectionKey, Arc<InputSet>>>,
    /// The pipeline's config files: what they say is part of every fingerprint.
    config: Vec<String>,
}

impl FileIndex {
    /// Lookups in a work tree, using the git index when `root` is in a repository.
    pub fn for_worktree(root: &Path) -> FileIndex {
        let mut index = FileIndex::empty(root);
        let Ok(repo) = git2::Repository::discover(root) else {
            return index;
        };
        let (Some(workdir), Ok(git_index)) = (repo.workdir(), repo.index()) else {
            return index;
        };
        let Some(prefix) = relative_prefix(workdir, root) else {
            return index;
        };
        let Ok(meta) = std::fs::metadata(repo.path().join("index")) else {
            return index;
        };
        for entry in git_index.iter() {
            let path = String::from_utf8_lossy(&entry.path).into_owned();
            let Some(rel) = strip(&path, &prefix) else {
                continue;
            };
            let stat = IndexStat {
                size: entry.file_size,
                ino: entry.ino,
                mtime: (entry.mtime.seconds() as u32, entry.mtime.nanoseconds()),
                ctime: (entry.ctime.seconds() as u32, entry.ctime.nanoseconds()),
            };
            let oid = entry.id.to_string();
            index.known.insert(
                rel,
                Known {
                    oid,
                    stat: Some(stat),
                },
            );
        }
        let stat = FileStat::of(&meta);
        index.trust = Trust::Index {
            index_mtime: stat.mtime,
        };
        index
    }

    /// Lookups in a checkout of `commit` made at `done`, whose repository
    /// top level is `checkout_top`.
    pub fn for_snapshot(
        root: &Path,
        repo_dir: &Path,
        commit: &str,
        checkout_top: &Path,
        done: SystemTime,
    ) -> FileIndex {
        let mut index = FileIndex::empty(root);
        let Some(prefix) = relative_prefix(checkout_top, root) else {
            return index;
        };
        let tree = git2::Repository::discover(repo_dir).ok().and_then(|repo| {
            let oid = git2::Oid::from_str(commit).ok()?;
            let tree = repo.find_commit(oid).ok()?.tree().ok()?;
            let mut blobs = Vec::new();
            let _ = tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
                if entry.kind() == Some(git2::ObjectType::Blob) {
                    blobs.push((
                        format!("{dir}{}", entry.name().unwrap_or_default()),
                        entry.id().to_string(),
                    ));
                }
                git2::TreeWalkResult::Ok
            });
            Some(blobs)
        });
        for (path, oid) in tree.into_iter().flatten() {
            if let Some(rel) = strip(&path, &prefix) {
                index.known.insert(rel, Known { oid, stat: None });
            }
        }
        index.trust = Trust::Checkout { done };
        index
    }

    /// Remembers content ids between runs in `table` (read now, written by
    /// [`FileIndex::save`]).
    pub fn with_table(mut self, table: PathBuf) -> FileIndex {
        let loaded = super::table::load(&table);
        *lock(&self.ids) = loaded;
        self.table = Some(table);
        self
    }

    /// Leaves the pipeline's config files (`gantry.yml` and the files it
    /// includes) out of the visible files: the parts of them an action uses
    /// are in its fingerprint already, so editing one stage does not re-run
    /// the others.
    pub fn leaving_out<'p>(mut self, config: impl IntoIterator<Item = &'p Path>) -> FileIndex {
        self.config = config
            .into_iter()
            .filter_map(|c| c.strip_prefix(&self.root).ok())
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        self
    }

    fn empty(root: &Path) -> FileIndex {
        FileIndex {
            root: root.to_path_buf(),
            known: HashMap::new(),
            trust: Trust::Nothing,
            ids: Mutex::default(),
            ids_changed: AtomicBool::new(false),
            table: None,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            visible: Mutex::default(),
            walks: Mutex::default(),
            selections: Mutex::default(),
            config: Vec::new(),
        }
    }

    /// The root the paths are relative to.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Writes the content ids learnt in this run for the next one (best effort).
    pub fn save(&self) {
        if let (Some(table), true) = (&self.table, self.ids_changed.load(Ordering::Relaxed)) {
            let _ = super::table::save(table, &lock(&self.ids));
        }
    }

    /// An action ran and may have changed files: the next lookup scans
    /// again. Content ids are kept (they are checked against stat data).
    pub fn rescan(&self) {
        *lock(&self.visible) = None;
        lock(&self.walks).clear();
        lock(&self.selections).clear();
    }

    /// The files selected by `inputs` (see [`super::inputs`]) with the
    /// action's `outputs` left out of the default set, and their content
    /// ids; memoised (actions with the same patterns share it) until
    /// [`FileIndex::rescan`].
    pub fn inputs(&self, inputs: &[String], outputs: &[String]) -> Arc<InputSet> {
        let key = (inputs.to_vec(), outputs.to_vec());
        if let Some(found) = lock(&self.selections).get(&key) {
            return Arc::clone(found);
        }
        let files = super::inputs::select(self, inputs, outputs);
        let ids: std::collections::BTreeMap<String, String> = files
            .iter()
            .zip(self.content_ids(&files))
            .filter_map(|(f, id)| Some((f.path.clone(), id?)))
            .collect();
        let mut digest = super::fingerprint::Fields::default();
        for (path, id) in &ids {
            digest.add(path).add(id);
        }
        let found = Arc::new(InputSet {
            digest: digest.finish(),
            ids,
        });
        lock(&self.selections).insert(key, Arc::clone(&found));
        found
    }

    /// Every file git would see under the root (tracked, and untracked but
    /// not ignored), without `.git/` and `.gantry/`, sorted by path.
    pub fn visible(&self) -> Arc<Vec<Scanned>> {
        if let Some(found) = lock(&self.visible).as_ref() {
            return Arc::clone(found);
        }
        let found = Arc::new(self.scan_visible());
        *lock(&self.visible) = Some(Arc::clone(&found));
        found
    }

    fn scan_visible(&self) -> Vec<Scanned> {
        let found = Mutex::new(Vec::new());
        let root = self.root.clone();
        ignore::WalkBuilder::new(&self.root)
            .standard_filters(false)
            .git_ignore(true)
            .git_exclude(true)
            .git_global(true)
            // A snapshot checkout may live inside the repository's own
            // `.gantry/` (ignored as a whole): only its own ignore files count.
            .parents(!matches!(self.trust, Trust::Checkout { .. }))
            .require_git(false)
            .filter_entry(|e| e.file_name() != ".git" && e.file_name() != ".gantry")
            .threads(self.threads)
            .build_parallel()
            .run(|| {
                let found = &found;
                let root = &root;
                Box::new(move |entry| {
                    if let Ok(entry) = entry {
                        if let Some(file) = scanned(root, entry.path(), entry.metadata().ok()) {
                            lock(found).push(file);
                        }
                    }
                    ignore::WalkState::Continue
                })
            });
        let mut files = found.into_inner().unwrap_or_else(|e| e.into_inner());
        // Tracked files that an ignore rule would hide are still git's.
        let seen: HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
        let hidden: Vec<Scanned> = self
            .known
            .keys()
            .filter(|p| !seen.contains(p.as_str()) && !in_state_dir(p))
            .filter_map(|p| {
                let path = self.root.join(p);
                scanned(&self.root, &path, std::fs::symlink_metadata(&path).ok())
            })
            .collect();
        files.extend(hidden);
        files.retain(|f| !self.config.contains(&f.path));
        files.sort_unstable_by(|a, b| a.path.cmp(&b.path));
        files
    }

    /// Every file below `dir` (relative to the root), ignored ones too,
    /// without `.git/` and `.gantry/`; memoised until [`FileIndex::rescan`].
    pub fn walk(&self, dir: &str) -> Arc<Vec<Scanned>> {
        let start = self.root.join(dir);
        if let Some(found) = lock(&self.walks).get(&start) {
            return Arc::clone(found);
        }
        let mut files = Vec::new();
        collect(&self.root, &start, &mut files);
        let files = Arc::new(files);
        lock(&self.walks).insert(start, Arc::clone(&files));
        files
    }

    /// The content id of each of `files` (`None`: it vanished), reading the
    /// ones not known yet on all cores.
    pub fn content_ids(&self, files: &[Scanned]) -> Vec<Option<String>> {
        let mut result: Vec<Option<String>> = vec![None; files.len()];
        let mut missing = Vec::new();
        {
            let ids = lock(&self.ids);
            for (i, file) in files.iter().enumerate() {
                match ids.get(&file.path) {
                    Some((stat, id)) if *stat == file.stat => result[i] = Some(id.clone()),
                    _ => missing.push(i),
                }
            }
        }
        if missing.is_empty() {
            return result;
        }
        let now = SystemTime::now();
        let chunk = missing.len().div_ceil(self.threads).max(256);
        let computed: Vec<(usize, Option<String>)> = std::thread::scope(|scope| {
            let workers: Vec<_> = missing
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|&i| (i, self.compute_id(&files[i])))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().unwrap_or_default())
                .collect()
        });
        let mut ids = lock(&self.ids);
        for (i, id) in computed {
            let file = &files[i];
            if let Some(id) = &id {
                if file.stat.settled(now) {
                    ids.insert(file.path.clone(), (file.stat, id.clone()));
                    self.ids_changed.store(true, Ordering::Relaxed);
                }
            }
            result[i] = id;
        }
        result
    }

    fn compute_id(&self, file: &Scanned) -> Option<String> {
        let path = self.root.join(&file.path);
        let exec = if file.stat.exec { "+x" } else { "" };
        if file.link {
            let target = std::fs::read_link(&path).ok()?;
            return Some(format!("link:{}", target.display()));
        }
        if let Some(known) = self.known.get(&file.path) {
            if self.trusted(known, &file.stat) {
                return Some(format!("{}{exec}", known.oid));
            }
        }
        // Refuses a FIFO or device that replaced the file since the scan.
        crate::fsutil::open_regular(&path).ok()?;
        let oid = git2::Oid::hash_file(git2::ObjectType::Blob, &path).ok()?;
        Some(format!("{oid}{exec}"))
    }

    fn trusted(&self, known: &Known, stat: &FileStat) -> bool {
        match (&self.trust, &known.stat) {
            (Trust::Index { index_mtime }, Some(recorded)) => {
                IndexStat::of(stat) == *recorded && stat.mtime < *index_mtime
            }
            (Trust::Checkout { done }, None) => {
                let done = done
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs() as i64);
                stat.mtime.0 < done && stat.ctime.0 < done
            }
            _ => false,
        }
    }
}

fn in_state_dir(path: &str) -> bool {
    path == ".gantry" || path.starts_with(".gantry/") || path.contains("/.gantry/")
}

/// A regular file or symbolic link at `path`, as a [`Scanned`].
fn scanned(root: &Path, path: &Path, meta: Option<std::fs::Metadata>) -> Option<Scanned> {
    let meta = meta?;
    let kind = meta.file_type();
    if !kind.is_file() && !kind.is_symlink() {
        return None;
    }
    let rel = path.strip_prefix(root).ok()?.to_string_lossy().into_owned();
    Some(Scanned {
        path: rel,
        stat: FileStat::of(&meta),
        link: kind.is_symlink(),
    })
}

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// `root` relative to `top` as a `/`-terminated prefix ("" for the top itself).
fn relative_prefix(top: &Path, root: &Path) -> Option<String> {
    let top = top.canonicalize().ok()?;
    let root = root.canonicalize().ok()?;
    let rel = root.strip_prefix(top).ok()?.to_string_lossy().into_owned();
    Some(if rel.is_empty() {
        rel
    } else {
        format!("{rel}/")
    })
}

fn strip(path: &str, prefix: &str) -> Option<String> {
    path.strip_prefix(prefix).map(str::to_string)
}

/// Every file below `dir`, relative to `root`, skipping `.git` and `.gantry`.
fn collect(root: &Path, dir: &Path, files: &mut Vec<Scanned>) {
    if let Some(file) = scanned(root, dir, std::fs::symlink_metadata(dir).ok()) {
        files.push(file);
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if name == ".git" || name == ".gantry" {
            continue;
        }
        let path = entry.path();
        match entry.metadata() {
            Ok(meta) if meta.is_dir() => collect(root, &path, files),
            Ok(meta) => files.extend(scanned(root, &path, Some(meta))),
            Err(_) => {}
        }
    }
}
