//! Which files an action's `inputs:` name, and a content id for each —
//! taken from git where git already knows the content, hashed otherwise.
//!
//! In a work tree, a tracked file whose size, mtime and inode still match
//! the index entry (and that is not "racily clean") gets the index's object
//! id without being read. In a snapshot checkout, a file untouched since the
//! checkout gets the commit tree's object id. Everything else is hashed with
//! blake3. Results are memoised for the run.

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// What git recorded about a path.
struct Known {
    oid: String,
    stat: Option<Stat>,
}

#[derive(PartialEq, Eq)]
struct Stat {
    size: u64,
    mtime: (i64, u32),
    ino: u64,
}

enum Trust {
    /// Index entries count when their stat matches and is older than the index file.
    Index { index_mtime: (i64, u32) },
    /// Tree entries count for files not modified since the checkout finished.
    Checkout { done: SystemTime },
    /// No git information.
    Nothing,
}

/// File lookups for one run, rooted at the pipeline root.
pub struct FileIndex {
    root: PathBuf,
    known: HashMap<String, Known>,
    trust: Trust,
    ids: Mutex<HashMap<String, Option<String>>>,
    /// Threads for hashing (the CPU count is looked up once).
    threads: usize,
    walks: Mutex<HashMap<PathBuf, Arc<Vec<String>>>>,
    matches: Mutex<HashMap<Vec<String>, Arc<Vec<String>>>>,
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
            let stat = Stat {
                size: u64::from(entry.file_size),
                mtime: (i64::from(entry.mtime.seconds()), entry.mtime.nanoseconds()),
                ino: u64::from(entry.ino),
            };
            index.known.insert(
                rel,
                Known {
                    oid: entry.id.to_string(),
                    stat: Some(stat),
                },
            );
        }
        index.trust = Trust::Index {
            index_mtime: (meta.mtime(), meta.mtime_nsec() as u32),
        };
        index
    }

    /// Lookups in a fresh checkout of `commit` made at `done`, whose
    /// repository top level is `checkout_top`.
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

    fn empty(root: &Path) -> FileIndex {
        FileIndex {
            root: root.to_path_buf(),
            known: HashMap::new(),
            trust: Trust::Nothing,
            ids: Mutex::default(),
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            walks: Mutex::default(),
            matches: Mutex::default(),
        }
    }

    /// Forgets every memoised lookup: an action ran and may have changed files.
    pub fn forget(&self) {
        lock(&self.ids).clear();
        lock(&self.walks).clear();
        lock(&self.matches).clear();
    }

    /// The files (relative to the root, `/`-separated, sorted) matching any
    /// of `patterns`, memoised per pattern list until [`FileIndex::forget`].
    pub fn matching(&self, patterns: &[String]) -> Arc<Vec<String>> {
        if let Some(found) = lock(&self.matches).get(patterns) {
            return Arc::clone(found);
        }
        let found = Arc::new(self.match_now(patterns));
        lock(&self.matches).insert(patterns.to_vec(), Arc::clone(&found));
        found
    }

    fn match_now(&self, patterns: &[String]) -> Vec<String> {
        let mut files = Vec::new();
        for pattern in patterns {
            let Ok(glob) = globset::GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
            else {
                continue;
            };
            let matcher = glob.compile_matcher();
            let (prefix, literal) = literal_prefix(pattern);
            let start = self.root.join(&prefix);
            if literal && start.is_file() {
                files.push(prefix);
                continue;
            }
            let tree = self.walk(&start);
            let dir_pattern = literal.then(|| format!("{prefix}/"));
            files.extend(
                tree.iter()
                    .filter(|f| match &dir_pattern {
                        Some(dir) => f.starts_with(dir.as_str()),
                        None => matcher.is_match(f.as_str()),
                    })
                    .cloned(),
            );
        }
        files.sort_unstable();
        files.dedup();
        files
    }

    /// Files under `dir` (relative to the root), memoised per directory.
    fn walk(&self, dir: &Path) -> Arc<Vec<String>> {
        if let Some(found) = lock(&self.walks).get(dir) {
            return Arc::clone(found);
        }
        let mut files = Vec::new();
        collect(&self.root, dir, &mut files);
        let files = Arc::new(files);
        lock(&self.walks).insert(dir.to_path_buf(), Arc::clone(&files));
        files
    }

    /// The content id of each of `files` (`None`: it vanished), computing
    /// the ones not known yet on all cores.
    pub fn content_ids(&self, files: &[String]) -> Vec<Option<String>> {
        let missing: Vec<&String> = {
            let ids = lock(&self.ids);
            files.iter().filter(|f| !ids.contains_key(*f)).collect()
        };
        let chunk = missing.len().div_ceil(self.threads).max(256);
        let computed: Vec<(String, Option<String>)> = std::thread::scope(|scope| {
            let workers: Vec<_> = missing
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|f| ((*f).clone(), self.compute_id(f)))
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
        ids.extend(computed);
        files
            .iter()
            .map(|f| ids.get(f).cloned().flatten())
            .collect()
    }

    fn compute_id(&self, rel: &str) -> Option<String> {
        let path = self.root.join(rel);
        let meta = std::fs::symlink_metadata(&path).ok()?;
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&path).ok()?;
            return Some(format!("l:{}", target.display()));
        }
        if let Some(known) = self.known.get(rel).filter(|k| self.trusted(k, &meta)) {
            return Some(format!("g:{}", known.oid));
        }
        let mut hasher = blake3::Hasher::new();
        hasher
            .update_reader(crate::fsutil::open_regular(&path).ok()?)
            .ok()?;
        Some(format!("b:{}", hasher.finalize().to_hex()))
    }

    fn trusted(&self, known: &Known, meta: &std::fs::Metadata) -> bool {
        let mtime = (meta.mtime(), meta.mtime_nsec() as u32);
        match (&self.trust, &known.stat) {
            (Trust::Index { index_mtime }, Some(stat)) => {
                let now = Stat {
                    size: meta.size() & 0xFFFF_FFFF,
                    mtime,
                    ino: meta.ino() & 0xFFFF_FFFF,
                };
                now == *stat && mtime < *index_mtime
            }
            (Trust::Checkout { done }, None) => meta.modified().is_ok_and(|m| m < *done),
            _ => false,
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
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

/// The leading components of `pattern` without glob characters, and whether
/// that is the whole pattern.
fn literal_prefix(pattern: &str) -> (String, bool) {
    let parts: Vec<&str> = pattern.split('/').collect();
    let literal: Vec<&str> = parts
        .iter()
        .take_while(|p| !p.contains(['*', '?', '[', '{']))
        .copied()
        .collect();
    (literal.join("/"), literal.len() == parts.len())
}

/// Every file below `dir`, relative to `root`, skipping `.git` and `.gantry`.
fn collect(root: &Path, dir: &Path, files: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if name == ".git" || name == ".gantry" {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            collect(root, &path, files);
        } else if let Ok(rel) = path.strip_prefix(root) {
            files.push(rel.to_string_lossy().into_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::literal_prefix;

    #[test]
    fn literal_prefix_stops_at_the_first_glob() {
        assert_eq!(literal_prefix("src/**/*.rs"), ("src".into(), false));
        assert_eq!(literal_prefix("Cargo.toml"), ("Cargo.toml".into(), true));
        assert_eq!(literal_prefix("*.md"), ("".into(), false));
        assert_eq!(literal_prefix("a/b"), ("a/b".into(), true));
    }
}
