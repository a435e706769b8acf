//! `gantry run --snapshot [REV]`: a clean checkout of one commit, so that
//! uncommitted and untracked files cannot change a run's result.
//!
//! The checkout is kept in `.gantry/snapshot/` and brought to the next
//! commit incrementally, as `git checkout --force` would: it is a small git
//! repository of its own that borrows the real repository's objects
//! (`objects/info/alternates`, nothing is copied) and whose index remembers
//! the stat data of every file, so only files that differ are written.
//! Files the commit does not track are removed unless the commit's
//! `.gitignore` ignores them, so build folders (`target/`, `node_modules/`)
//! survive and the next build is incremental. `--clean` starts from an
//! empty folder. One run at a time uses the checkout (a lock), and a run
//! that finds it in use waits.

use std::fs::{self, File, TryLockError};
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::error::UsageError;

/// The checkout's folder, below `.gantry/`.
const SNAPSHOT_DIR: &str = "snapshot";
/// The lock file held while a run uses the checkout, below `.gantry/`.
const LOCK_FILE: &str = "snapshot.lock";

/// A checked-out commit, locked for this process until dropped.
pub struct Snapshot {
    /// The checkout's root (the repository's top level, as of the commit).
    pub dir: PathBuf,
    /// The full commit id.
    pub commit: String,
    /// The repository's real top level.
    pub workdir: PathBuf,
    /// When the checkout was complete: files older than this are as committed.
    pub checked_out_at: std::time::SystemTime,
    /// Whether the checkout was made from an empty folder (first use,
    /// `--clean`, or an unusable previous one) rather than updated.
    pub fresh: bool,
    /// Held until the run ends: one run at a time uses the checkout.
    _lock: File,
}

impl Snapshot {
    /// Brings `<state_dir>/snapshot/` to `rev` (a commit-ish: `HEAD`, a sha,
    /// a branch or tag) of the repository containing `dir`; `clean` empties
    /// it first. `state_dir` is the real repository's `.gantry/`. While
    /// another run holds the checkout, `waiting` is called once with its
    /// path, and this waits.
    pub fn checkout(
        dir: &Path,
        rev: &str,
        state_dir: &Path,
        clean: bool,
        waiting: &dyn Fn(&Path),
    ) -> anyhow::Result<Snapshot> {
        let repo = git2::Repository::discover(dir).map_err(|_| {
            UsageError(format!(
                "--snapshot needs a git repository, and {} is not in one",
                dir.display()
            ))
        })?;
        let workdir = repo
            .workdir()
            .ok_or_else(|| UsageError("--snapshot needs a repository with a work tree".into()))?
            .to_path_buf();
        let commit = repo
            .revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
            .map_err(|e| {
                UsageError(format!(
                    "cannot resolve `{rev}` to a commit: {}",
                    e.message()
                ))
            })?
            .id();
        fs::create_dir_all(state_dir)
            .with_context(|| format!("cannot create {}", state_dir.display()))?;
        let target = state_dir.join(SNAPSHOT_DIR);
        let lock = lock(&state_dir.join(LOCK_FILE), || waiting(&target))?;
        let objects = repo.commondir().join("objects");
        let mut fresh = clean || !target.join(".git").is_dir();
        if clean {
            remove(&target)?;
        }
        let updated = update(&target, &objects, &repo, commit);
        if let Err(e) = updated {
            if fresh {
                return Err(e);
            }
            // An unusable checkout (objects pruned, a damaged index): start over.
            fresh = true;
            remove(&target)?;
            update(&target, &objects, &repo, commit)?;
        }
        Ok(Snapshot {
            dir: target,
            commit: commit.to_string(),
            workdir,
            checked_out_at: std::time::SystemTime::now(),
            fresh,
            _lock: lock,
        })
    }

    /// Where `real` (a path in the real work tree) is in the snapshot.
    pub fn map(&self, real: &Path) -> Option<PathBuf> {
        let workdir = self.workdir.canonicalize().ok()?;
        let real = real.canonicalize().ok()?;
        let relative = real.strip_prefix(workdir).ok()?;
        Some(self.dir.join(relative))
    }
}

/// Takes the snapshot lock, waiting (after calling `waiting`) while
/// another run holds it.
fn lock(path: &Path, waiting: impl Fn()) -> anyhow::Result<File> {
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => return Ok(file),
        Err(TryLockError::WouldBlock) => waiting(),
        Err(TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
    file.lock()
        .with_context(|| format!("cannot lock {}", path.display()))?;
    Ok(file)
}

fn remove(target: &Path) -> anyhow::Result<()> {
    match fs::remove_dir_all(target) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("cannot remove {}", target.display()))
        }
        _ => Ok(()),
    }
}

/// Makes `target` a checkout of `commit`: a repository borrowing `objects`,
/// updated like `git checkout --force` plus the removal of untracked files
/// that are not ignored.
fn update(
    target: &Path,
    objects: &Path,
    real: &git2::Repository,
    commit: git2::Oid,
) -> anyhow::Result<()> {
    let repo = match git2::Repository::open(target) {
        Ok(repo) => repo,
        Err(_) => git2::Repository::init(target)
            .with_context(|| format!("cannot create the snapshot in {}", target.display()))?,
    };
    let info = repo.path().join("objects/info");
    fs::create_dir_all(&info)?;
    let objects = objects
        .canonicalize()
        .unwrap_or_else(|_| objects.to_path_buf());
    fs::write(info.join("alternates"), format!("{}\n", objects.display()))
        .context("cannot link the snapshot to the repository's objects")?;
    // The real repository's local ignore rules apply to the snapshot too.
    if let Ok(exclude) = fs::read(real.commondir().join("info/exclude")) {
        fs::create_dir_all(repo.path().join("info"))?;
        fs::write(repo.path().join("info/exclude"), exclude)?;
    }
    let tree = repo
        .find_commit(commit)
        .and_then(|c| c.tree())
        .with_context(|| format!("cannot read commit {commit} for the snapshot"))?;
    let mut checkout = git2::build::CheckoutBuilder::new();
    checkout
        .force()
        .remove_untracked(true)
        .recreate_missing(true);
    repo.checkout_tree(tree.as_object(), Some(&mut checkout))
        .with_context(|| format!("cannot check out {commit} into {}", target.display()))?;
    repo.set_head_detached(commit)
        .with_context(|| format!("cannot record {commit} in the snapshot"))?;
    Ok(())
}
