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
    /// The index entry's mode (0o100644, 0o100755, 0o120000); 0 from a tree.
    mode: u32,
}

/// What the git index says beyond its entries, for [`FileIndex::dirty`]:
/// present only when the scan can stand in for `git status`.
struct IndexFacts {
    /// The index differs from HEAD's tree (staged changes).
    staged: bool,
    /// `core.fileMode`: whether the executable bit counts.
    file_mode: bool,
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
    /// Config files the walk saw (not ignored), left out of `visible`.
    config_seen: Mutex<Vec<Scanned>>,
    index_facts: Option<IndexFacts>,
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
        index.index_facts = index_facts(&repo, &git_index, &prefix);
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
                    mode: entry.mode,
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
                index.known.insert(
                    rel,
                    Known {
                        oid,
                        stat: None,
                        mode: 0,
                    },
                );
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
            config_seen: Mutex::default(),
            index_facts: None,
        }
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
            .filter_entry(|e| !crate::fsutil::is_hidden_name(e.file_name()))
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
        let (config, files): (Vec<Scanned>, Vec<Scanned>) = files
            .into_iter()
            .partition(|f| self.config.contains(&f.path));
        *lock(&self.config_seen) = config;
        let mut files = files;
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

    /// Whether [`FileIndex::dirty`] can answer: the root is the top level
    /// of a work tree whose index has no conflicts, intent-to-add,
    /// skip-worktree or submodule entries and no attribute rules (filters
    /// and line-ending conversion make git compare other bytes).
    pub fn tells_dirty(&self) -> bool {
        self.index_facts.is_some()
    }

    /// Whether the work tree differs from HEAD as `git status` counts it
    /// (staged or unstaged changes to tracked files, untracked files that are
    /// not ignored; `.gantry/` left out), read from this run's scan instead
    /// of a second walk of the tree; `None` when it cannot tell (see
    /// [`FileIndex::tells_dirty`]).
    pub fn dirty(&self) -> Option<bool> {
        let facts = self.index_facts.as_ref()?;
        if facts.staged {
            return Some(true);
        }
        let visible = self.visible();
        let config_seen = lock(&self.config_seen).clone();
        let mut present: HashSet<&str> = HashSet::with_capacity(visible.len());
        let mut tracked: Vec<Scanned> = Vec::new();
        let mut expected: Vec<String> = Vec::new();
        for file in visible.iter().chain(&config_seen) {
            let Some(known) = self.known.get(&file.path) else {
                return Some(true);
            };
            present.insert(&file.path);
            let exec = known.mode == 0o100755 && facts.file_mode;
            match (file.link, known.mode == 0o120000) {
                (true, true) => {
                    let target = std::fs::read_link(self.root.join(&file.path)).ok()?;
                    let oid = git2::Oid::hash_object(
                        git2::ObjectType::Blob,
                        target.as_os_str().as_encoded_bytes(),
                    )
                    .ok()?;
                    if oid.to_string() != known.oid {
                        return Some(true);
                    }
                }
                (false, false) => {
                    tracked.push(file.clone());
                    expected.push(format!("{}{}", known.oid, if exec { "+x" } else { "" }));
                }
                _ => return Some(true),
            }
        }
        if self
            .known
            .keys()
            .any(|path| !present.contains(path.as_str()) && !in_state_dir(path))
        {
            return Some(true);
        }
        let ids = self.content_ids(&tracked);
        let differs = ids.iter().zip(&expected).any(|(id, want)| match id {
            None => true,
            Some(id) if facts.file_mode => id != want,
            Some(id) => id.trim_end_matches("+x") != want,
        });
        Some(differs)
    }

    fn compute_id(&self, file: &Scanned) -> Option<String> {
        let path = self.root.join(&file.path);
        let exec = if file.stat.exec { "+x" } else { "" };
        if file.link {
            return super::outputs::link_id(&path);
        }
        if let Some(known) = self.known.get(&file.path) {
            if self.trusted(known, &file.stat) {
                return Some(format!("{}{exec}", known.oid));
            }
        }
        // Refuses a FIFO or device that replaced the file since the scan.
        let open = crate::fsutil::open_regular(&path).ok()?;
        let oid = crate::git::blob::blob_id(&open).ok()?;
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

/// The index facts [`FileIndex::dirty`] needs, when the scan of `prefix`
/// (the pipeline root in the work tree) can stand in for `git status`.
fn index_facts(repo: &git2::Repository, index: &git2::Index, prefix: &str) -> Option<IndexFacts> {
    const STAGE_MASK: u16 = 0x3000;
    const INTENT_TO_ADD: u16 = 1 << 13;
    const SKIP_WORKTREE: u16 = 1 << 14;
    const GITLINK: u32 = 0o160000;
    if !prefix.is_empty() || repo.path().join("info/attributes").exists() {
        return None;
    }
    let config = repo.config().ok()?;
    if config
        .get_string("core.autocrlf")
        .is_ok_and(|v| v != "false")
        || config.get_string("core.attributesFile").is_ok()
    {
        return None;
    }
    let unusual = index.iter().any(|e| {
        e.flags & STAGE_MASK != 0
            || e.flags_extended & (INTENT_TO_ADD | SKIP_WORKTREE) != 0
            || e.mode == GITLINK
            || e.path.ends_with(b".gitattributes")
    });
    if unusual {
        return None;
    }
    let head = repo.head().ok()?.peel_to_tree().ok()?;
    let staged = repo
        .diff_tree_to_index(Some(&head), Some(index), None)
        .ok()?
        .deltas()
        .len()
        > 0;
    Some(IndexFacts {
        staged,
        file_mode: config.get_bool("core.fileMode").unwrap_or(true),
    })
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
        if crate::fsutil::is_hidden_name(&name) {
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

#[cfg(test)]
mod dirty_tests {
    use super::FileIndex;
    use std::path::Path;
    use std::process::Command;

    fn git(root: &Path, args: &[&str]) {
        let status = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@e"])
            .args(args)
            .current_dir(root)
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    }

    /// The scan's answer, checked against libgit2's status.
    fn dirty(root: &Path, case: &str) -> bool {
        let files = FileIndex::for_worktree(root).leaving_out([root.join("gantry.yml").as_path()]);
        assert!(files.tells_dirty(), "{case}: the scan should answer");
        let scanned = files.dirty().expect("an answer");
        let status = crate::git::GitInfo::discover(root).dirty;
        assert_eq!(scanned, status, "{case}: scan and git status disagree");
        scanned
    }

    #[test]
    fn the_scan_tells_dirtiness_as_git_status_does() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let write = |p: &str, t: &str| {
            let path = root.join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, t).unwrap();
        };
        write("gantry.yml", "version: 1\n");
        write("src/a.txt", "a\n");
        write("run.sh", "#!/bin/sh\n");
        write(".gitignore", "*.log\n.gantry/\n");
        std::os::unix::fs::symlink("src/a.txt", root.join("link")).unwrap();
        git(&root, &["init", "-q", "-b", "main"]);
        git(&root, &["add", "-A"]);
        git(&root, &["commit", "-q", "-m", "c"]);
        assert!(!dirty(&root, "clean"));
        write("debug.log", "x\n");
        write(".gantry/runs/1/x", "x\n");
        assert!(!dirty(&root, "ignored and state files only"));
        write("src/a.txt", "b\n");
        assert!(dirty(&root, "modified"));
        write("src/a.txt", "a\n");
        assert!(!dirty(&root, "modified back"));
        write("new.txt", "n\n");
        assert!(dirty(&root, "untracked"));
        std::fs::remove_file(root.join("new.txt")).unwrap();
        write("gantry.yml", "version: 1\nname: x\n");
        assert!(dirty(&root, "config modified"));
        git(&root, &["checkout", "-q", "gantry.yml"]);
        std::fs::remove_file(root.join("run.sh")).unwrap();
        assert!(dirty(&root, "deleted"));
        git(&root, &["checkout", "-q", "run.sh"]);
        assert!(!dirty(&root, "restored"));
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(root.join("run.sh"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
        assert!(dirty(&root, "made executable"));
        std::fs::set_permissions(root.join("run.sh"), std::fs::Permissions::from_mode(0o644))
            .unwrap();
        std::fs::remove_file(root.join("link")).unwrap();
        std::os::unix::fs::symlink("run.sh", root.join("link")).unwrap();
        assert!(dirty(&root, "link retargeted"));
        std::fs::remove_file(root.join("link")).unwrap();
        std::os::unix::fs::symlink("src/a.txt", root.join("link")).unwrap();
        assert!(!dirty(&root, "link back"));
        write("src/a.txt", "staged\n");
        git(&root, &["add", "src/a.txt"]);
        write("src/a.txt", "a\n");
        assert!(dirty(&root, "staged, work tree as HEAD"));
    }

    #[test]
    fn a_subfolder_root_or_attributes_leave_it_to_git_status() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("app")).unwrap();
        std::fs::write(root.join("app/x"), "x").unwrap();
        std::fs::write(root.join(".gitattributes"), "* text=auto\n").unwrap();
        git(&root, &["init", "-q", "-b", "main"]);
        git(&root, &["add", "-A"]);
        git(&root, &["commit", "-q", "-m", "c"]);
        assert!(!FileIndex::for_worktree(&root.join("app")).tells_dirty());
        assert!(!FileIndex::for_worktree(&root).tells_dirty());
    }
}
