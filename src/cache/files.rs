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

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use foldhash::{HashMap, HashSet};

use super::stat::FileStat;

/// A file found by a scan.
#[derive(Clone, Debug)]
pub struct Scanned {
    /// Relative to the root, `/`-separated (shared: a selection of the
    /// visible files copies no path).
    pub path: Arc<str>,
    /// Its stat data at the scan.
    pub stat: FileStat,
    /// It is a symbolic link (its id is its target).
    pub link: bool,
}

/// What a file holds, as the cache compares it: a git blob id (written
/// with `+x` when an executable bit is set) or a symbolic link's target
/// (written `link:TARGET`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContentId {
    /// A regular file's git blob id.
    Blob {
        /// The blob id.
        oid: git2::Oid,
        /// Any executable bit set.
        exec: bool,
    },
    /// A symbolic link's target.
    Link(String),
}

impl ContentId {
    /// Reads the text form [`ContentId`] is displayed in.
    pub fn parse(text: &str) -> Option<ContentId> {
        if let Some(target) = text.strip_prefix("link:") {
            return Some(ContentId::Link(target.to_string()));
        }
        let (hex, exec) = match text.strip_suffix("+x") {
            Some(hex) => (hex, true),
            None => (text, false),
        };
        let oid = git2::Oid::from_str(hex).ok()?;
        Some(ContentId::Blob { oid, exec })
    }

    /// Calls `with` on the text form; a blob id is written on the stack
    /// (a no-op run digests ten thousand of them).
    fn with_text<R>(&self, with: impl FnOnce(&str) -> R) -> R {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        match self {
            ContentId::Blob { oid, exec } => {
                let mut text = [0u8; 2 * 32 + 2];
                let mut n = 0;
                for byte in oid.as_bytes() {
                    text[n] = DIGITS[usize::from(byte >> 4)];
                    text[n + 1] = DIGITS[usize::from(byte & 15)];
                    n += 2;
                }
                if *exec {
                    text[n..n + 2].copy_from_slice(b"+x");
                    n += 2;
                }
                with(std::str::from_utf8(&text[..n]).unwrap_or_default())
            }
            ContentId::Link(target) => with(&format!("link:{target}")),
        }
    }
}

impl fmt::Display for ContentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.with_text(|text| f.write_str(text))
    }
}

/// What git recorded about a path.
struct Known {
    oid: git2::Oid,
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
    /// In path order, with content ids (files that vanished while being
    /// read are left out).
    files: Vec<(Arc<str>, ContentId)>,
    /// Hash of every path and content id, in path order.
    pub digest: String,
}

impl InputSet {
    /// Path → content id, as stored with an entry and compared to explain
    /// what changed (only an action that runs needs it).
    pub fn ids(&self) -> BTreeMap<String, String> {
        self.files
            .iter()
            .map(|(path, id)| (path.to_string(), id.to_string()))
            .collect()
    }
}

/// File lookups for one run, rooted at the pipeline root.
pub struct FileIndex {
    root: PathBuf,
    known: HashMap<String, Known>,
    /// How many of `known` are outside `.gantry/`: a scan that finds that
    /// many of them found them all.
    known_outside_state: usize,
    trust: Trust,
    /// Content ids by path, valid while the stat data is equal, for files
    /// that `known` cannot vouch for; kept on disk between runs in `table`.
    ids: Mutex<super::table::Table>,
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
        let (Some(workdir), Ok(mut git_index)) = (repo.workdir(), repo.index()) else {
            return index;
        };
        let Some(prefix) = relative_prefix(workdir, root) else {
            return index;
        };
        let Ok(meta) = std::fs::metadata(repo.path().join("index")) else {
            return index;
        };
        index.known.reserve(git_index.len());
        let mut unusual = false;
        for entry in git_index.iter() {
            unusual |= unusual_entry(&entry);
            let stat = IndexStat {
                size: entry.file_size,
                ino: entry.ino,
                mtime: (entry.mtime.seconds() as u32, entry.mtime.nanoseconds()),
                ctime: (entry.ctime.seconds() as u32, entry.ctime.nanoseconds()),
            };
            let known = Known {
                oid: entry.id,
                stat: Some(stat),
                mode: entry.mode,
            };
            let path = String::from_utf8(entry.path)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            let Some(rel) = strip(path, &prefix) else {
                continue;
            };
            index.known.insert(rel, known);
        }
        index.count_known();
        if !unusual {
            index.index_facts = index_facts(&repo, &mut git_index, &prefix);
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
                        entry.id(),
                    ));
                }
                git2::TreeWalkResult::Ok
            });
            Some(blobs)
        });
        for (path, oid) in tree.into_iter().flatten() {
            if let Some(rel) = strip(path, &prefix) {
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
        index.count_known();
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

    fn count_known(&mut self) {
        self.known_outside_state = self.known.keys().filter(|p| !in_state_dir(p)).count();
    }

    fn empty(root: &Path) -> FileIndex {
        FileIndex {
            root: root.to_path_buf(),
            known: HashMap::default(),
            known_outside_state: 0,
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
        let ids = self.content_ids(&files);
        let files: Vec<(Arc<str>, ContentId)> = files
            .into_iter()
            .zip(ids)
            .filter_map(|(f, id)| Some((f.path, id?)))
            .collect();
        let mut digest = super::fingerprint::Fields::default();
        for (path, id) in &files {
            digest.add(path);
            id.with_text(|id| digest.add(id));
        }
        let found = Arc::new(InputSet {
            digest: digest.finish(),
            files,
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
                let mut collected = Collected {
                    files: Vec::new(),
                    into: &found,
                    dir: None,
                };
                let root = &root;
                Box::new(move |entry| {
                    // Directories need no stat: the walk reads them.
                    let Ok(entry) = entry else {
                        return ignore::WalkState::Continue;
                    };
                    if entry.file_type().is_some_and(|t| !t.is_dir()) {
                        if let Some(file) = collected.scan(root, entry.path()) {
                            collected.files.push(file);
                        }
                    }
                    ignore::WalkState::Continue
                })
            });
        let mut files = found.into_inner().unwrap_or_else(|e| e.into_inner());
        // Tracked files that an ignore rule would hide are still git's.
        let tracked = files
            .iter()
            .filter(|f| self.known.contains_key(&*f.path))
            .count();
        if tracked < self.known_outside_state {
            let seen: HashSet<&str> = files.iter().map(|f| &*f.path).collect();
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
        }
        let (config, files): (Vec<Scanned>, Vec<Scanned>) = files
            .into_iter()
            .partition(|f| self.config.iter().any(|c| **c == *f.path));
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

    /// The content id of each of `files` (`None`: it vanished): git's id
    /// when git vouches for the file's stat data, the stat table's when it
    /// does, read on all cores otherwise.
    pub fn content_ids(&self, files: &[Scanned]) -> Vec<Option<ContentId>> {
        let mut result: Vec<Option<ContentId>> = vec![None; files.len()];
        let mut missing = Vec::new();
        {
            let mut ids = lock(&self.ids);
            for (i, file) in files.iter().enumerate() {
                if let Some(oid) = self.vouched(file) {
                    result[i] = Some(ContentId::Blob {
                        oid,
                        exec: file.stat.exec,
                    });
                    // The table keeps only what git cannot tell.
                    if !ids.is_empty() && ids.remove(&*file.path).is_some() {
                        self.ids_changed.store(true, Ordering::Relaxed);
                    }
                    continue;
                }
                match ids.get(&*file.path) {
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
        let computed: Vec<(usize, Option<ContentId>)> = std::thread::scope(|scope| {
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
                    ids.insert(file.path.to_string(), (file.stat, id.clone()));
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
        let mut found = 0;
        // Tracked files whose stat data git cannot vouch for: read below.
        let mut unsure: Vec<Scanned> = Vec::new();
        for file in visible.iter().chain(&config_seen) {
            let Some(known) = self.known.get(&*file.path) else {
                return Some(true);
            };
            found += 1;
            match (file.link, known.mode == 0o120000) {
                (true, true) => {
                    let target = std::fs::read_link(self.root.join(&*file.path)).ok()?;
                    let oid = git2::Oid::hash_object(
                        git2::ObjectType::Blob,
                        target.as_os_str().as_encoded_bytes(),
                    )
                    .ok()?;
                    if oid != known.oid {
                        return Some(true);
                    }
                }
                (false, false) => {
                    if facts.file_mode && file.stat.exec != (known.mode == 0o100755) {
                        return Some(true);
                    }
                    if self.vouched(file).is_none() {
                        unsure.push(file.clone());
                    }
                }
                _ => return Some(true),
            }
        }
        if found != self.known_outside_state {
            // A tracked file is gone.
            return Some(true);
        }
        let ids = self.content_ids(&unsure);
        let differs = ids.iter().zip(&unsure).any(|(id, file)| match id {
            Some(ContentId::Blob { oid, .. }) => {
                self.known.get(&*file.path).map(|k| k.oid) != Some(*oid)
            }
            _ => true,
        });
        Some(differs)
    }

    /// Git's id of `file`, when git vouches for its stat data.
    fn vouched(&self, file: &Scanned) -> Option<git2::Oid> {
        if file.link {
            return None;
        }
        let known = self.known.get(&*file.path)?;
        self.trusted(known, &file.stat).then_some(known.oid)
    }

    fn compute_id(&self, file: &Scanned) -> Option<ContentId> {
        let path = self.root.join(&*file.path);
        if file.link {
            return super::outputs::link_id(&path)
                .as_deref()
                .and_then(ContentId::parse);
        }
        // Refuses a FIFO or device that replaced the file since the scan.
        let open = crate::fsutil::open_regular(&path).ok()?;
        let oid = crate::git::blob::blob_id(&open).ok()?;
        Some(ContentId::Blob {
            oid: git2::Oid::from_str(&oid).ok()?,
            exec: file.stat.exec,
        })
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
/// The caller has checked that no entry is [`unusual_entry`].
fn index_facts(
    repo: &git2::Repository,
    index: &mut git2::Index,
    prefix: &str,
) -> Option<IndexFacts> {
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
    let head = repo.head().ok()?.peel_to_commit().ok()?.tree_id();
    let staged = match cached_tree(index) {
        Some(tree) => tree != head,
        None => {
            let head = repo.find_tree(head).ok()?;
            repo.diff_tree_to_index(Some(&head), Some(index), None)
                .ok()?
                .deltas()
                .len()
                > 0
        }
    };
    Some(IndexFacts {
        staged,
        file_mode: config.get_bool("core.fileMode").unwrap_or(true),
    })
}

/// The tree the index's cache-tree extension records for all of its
/// entries, when that record is valid: git keeps it in step with the
/// entries (`git add` invalidates the directories it touches, `git commit`
/// writes it whole) and builds commits from it. Asked of libgit2 as a tree
/// write into an empty object database, so nothing is ever written: when
/// the record cannot answer, the write fails and the caller compares trees.
fn cached_tree(index: &mut git2::Index) -> Option<git2::Oid> {
    let nowhere = git2::Repository::from_odb(git2::Odb::new().ok()?).ok()?;
    index.write_tree_to(&nowhere).ok()
}

/// An index entry that makes the scan unable to stand in for `git status`:
/// a conflict, intent-to-add, skip-worktree, a submodule, attribute rules.
fn unusual_entry(entry: &git2::IndexEntry) -> bool {
    const STAGE_MASK: u16 = 0x3000;
    const INTENT_TO_ADD: u16 = 1 << 13;
    const SKIP_WORKTREE: u16 = 1 << 14;
    const GITLINK: u32 = 0o160000;
    entry.flags & STAGE_MASK != 0
        || entry.flags_extended & (INTENT_TO_ADD | SKIP_WORKTREE) != 0
        || entry.mode == GITLINK
        || entry.path.ends_with(b".gitattributes")
}

fn in_state_dir(path: &str) -> bool {
    path == ".gantry" || path.starts_with(".gantry/") || path.contains("/.gantry/")
}

/// One walker thread's files, handed over when the thread is done (rather
/// than a lock per file).
struct Collected<'a> {
    files: Vec<Scanned>,
    into: &'a Mutex<Vec<Scanned>>,
    /// The directory of the last file stat'ed, and a handle on it.
    dir: Option<(PathBuf, rustix::fd::OwnedFd)>,
}

impl Collected<'_> {
    /// The file at `path` as a [`Scanned`], stat'ed by its name in a
    /// handle on its directory (kept while the walk stays there): the
    /// kernel then resolves one name instead of the whole path, which was
    /// a good part of each `statx`. Without a handle, by its whole path.
    fn scan(&mut self, root: &Path, path: &Path) -> Option<Scanned> {
        use rustix::fs::{AtFlags, Mode, OFlags, StatxFlags};
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            return scanned(root, path, std::fs::symlink_metadata(path).ok());
        };
        if self
            .dir
            .as_ref()
            .is_none_or(|(dir, _)| dir.as_os_str() != parent.as_os_str())
        {
            let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
            self.dir = rustix::fs::open(parent, flags, Mode::empty())
                .ok()
                .map(|fd| (parent.to_path_buf(), fd));
        }
        let Some((_, dir)) = &self.dir else {
            return scanned(root, path, std::fs::symlink_metadata(path).ok());
        };
        let stat = rustix::fs::statx(
            dir,
            name,
            AtFlags::SYMLINK_NOFOLLOW,
            StatxFlags::BASIC_STATS,
        )
        .ok()?;
        let kind = u32::from(stat.stx_mode) & 0o170000;
        if kind != 0o100000 && kind != 0o120000 {
            return None;
        }
        scanned_as(root, path, FileStat::of_statx(&stat), kind == 0o120000)
    }
}

impl Drop for Collected<'_> {
    fn drop(&mut self) {
        lock(self.into).append(&mut self.files);
    }
}

/// A regular file or symbolic link at `path`, as a [`Scanned`].
fn scanned(root: &Path, path: &Path, meta: Option<std::fs::Metadata>) -> Option<Scanned> {
    let meta = meta?;
    let kind = meta.file_type();
    if !kind.is_file() && !kind.is_symlink() {
        return None;
    }
    scanned_as(root, path, FileStat::of(&meta), kind.is_symlink())
}

/// `path`, with its stat data and whether it is a symbolic link, as a
/// [`Scanned`] relative to `root`.
fn scanned_as(root: &Path, path: &Path, stat: FileStat, link: bool) -> Option<Scanned> {
    // Byte-wise: `Path::strip_prefix` compares component by component.
    let root = root.as_os_str().as_encoded_bytes();
    let rel = path.as_os_str().as_encoded_bytes().strip_prefix(root)?;
    let rel = match rel.strip_prefix(b"/") {
        Some(rel) => rel,
        None if rel.is_empty() || root.ends_with(b"/") => rel,
        None => return None,
    };
    Some(Scanned {
        path: Arc::from(String::from_utf8_lossy(rel).as_ref()),
        stat,
        link,
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

fn strip(path: String, prefix: &str) -> Option<String> {
    if prefix.is_empty() {
        return Some(path);
    }
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
        // `git write-tree` makes the index's cache tree whole again: it
        // then answers alone, and still differs from HEAD's tree.
        git(&root, &["write-tree"]);
        assert!(dirty(&root, "staged, cache tree written"));
        git(&root, &["commit", "-q", "-m", "staged"]);
        write("src/a.txt", "staged\n");
        assert!(!dirty(&root, "committed"));
    }

    #[test]
    fn the_table_keeps_neither_what_the_index_vouches_for_nor_what_just_changed() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        std::fs::write(root.join("a.txt"), "a\n").unwrap();
        // Older than the index about to be written: git vouches for it.
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        std::fs::File::options()
            .write(true)
            .open(root.join("a.txt"))
            .unwrap()
            .set_modified(hour_ago)
            .unwrap();
        git(&root, &["init", "-q", "-b", "main"]);
        git(&root, &["add", "-A"]);
        git(&root, &["commit", "-q", "-m", "c"]);
        std::fs::write(root.join("b.txt"), "b\n").unwrap();
        // A table from an earlier version, which copied the index's ids.
        let table = root.join(".gantry/stat.tsv");
        let meta = std::fs::symlink_metadata(root.join("a.txt")).unwrap();
        let old = super::super::table::Table::from_iter([(
            "a.txt".to_string(),
            (
                super::FileStat::of(&meta),
                super::ContentId::parse("0123456789abcdef0123456789abcdef01234567").unwrap(),
            ),
        )]);
        super::super::table::save(&table, &old).unwrap();
        let files = FileIndex::for_worktree(&root).with_table(table.clone());
        let visible = files.visible();
        let ids = files.content_ids(&visible);
        let paths: Vec<&str> = visible.iter().map(|f| &*f.path).collect();
        assert_eq!(paths, ["a.txt", "b.txt"]);
        let blob = |text: &str| super::ContentId::Blob {
            oid: git2::Oid::hash_object(git2::ObjectType::Blob, text.as_bytes()).unwrap(),
            exec: false,
        };
        assert_eq!(
            ids,
            [Some(blob("a\n")), Some(blob("b\n"))],
            "a.txt from the index before the table"
        );
        assert!(
            files.vouched(&visible[0]).is_some(),
            "a.txt: from the index"
        );
        assert!(files.vouched(&visible[1]).is_none(), "b.txt: untracked");
        // b.txt changed less than a tick ago could change again unseen:
        // read every time until it settles; a.txt is the index's to tell.
        assert!(super::lock(&files.ids).is_empty());
        files.save();
        assert_eq!(std::fs::read_to_string(&table).unwrap(), "");
    }

    #[test]
    fn the_cache_tree_answers_without_writing_objects() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::write(root.join("src/a"), "a").unwrap();
        git(&root, &["init", "-q", "-b", "main"]);
        git(&root, &["add", "-A"]);
        git(&root, &["commit", "-q", "-m", "c"]);
        let repo = git2::Repository::open(&root).unwrap();
        let head = repo.head().unwrap().peel_to_commit().unwrap().tree_id();
        assert_eq!(super::cached_tree(&mut repo.index().unwrap()), Some(head));
        std::fs::write(root.join("src/a"), "b").unwrap();
        git(&root, &["add", "src/a"]);
        let objects = || walk_count(&root.join(".git/objects"));
        let before = objects();
        let repo = git2::Repository::open(&root).unwrap();
        assert_eq!(super::cached_tree(&mut repo.index().unwrap()), None);
        assert_eq!(objects(), before, "no object is written");
    }

    fn walk_count(dir: &Path) -> usize {
        std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| match e.file_type().unwrap().is_dir() {
                true => walk_count(&e.path()),
                false => 1,
            })
            .sum()
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
