//! `gantry run --snapshot [REV]`: a clean checkout of one commit in a
//! temporary directory, made with git2, so that uncommitted and untracked
//! files cannot change a run's result.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::error::UsageError;

/// A checked-out commit; removed on drop unless kept.
pub struct Snapshot {
    /// The checkout's root (the repository's top level, as of the commit).
    pub dir: PathBuf,
    /// The full commit id.
    pub commit: String,
    /// The repository's real top level.
    pub workdir: PathBuf,
    /// When the checkout was complete: files older than this are as committed.
    pub checked_out_at: std::time::SystemTime,
    temp: Option<tempfile::TempDir>,
}

impl Snapshot {
    /// Checks out `rev` (a commit-ish: `HEAD`, a sha, a branch or tag) of
    /// the repository containing `dir` into a new temporary directory.
    pub fn checkout(dir: &Path, rev: &str) -> anyhow::Result<Snapshot> {
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
            })?;
        let temp = tempfile::Builder::new()
            .prefix("gantry-snapshot-")
            .tempdir()
            .context("cannot create a temporary directory for the snapshot")?;
        let mut checkout = git2::build::CheckoutBuilder::new();
        checkout
            .target_dir(temp.path())
            .force()
            .update_index(false)
            .recreate_missing(true);
        repo.checkout_tree(commit.as_object(), Some(&mut checkout))
            .with_context(|| {
                format!(
                    "cannot check out {} into {}",
                    commit.id(),
                    temp.path().display()
                )
            })?;
        Ok(Snapshot {
            dir: temp.path().to_path_buf(),
            commit: commit.id().to_string(),
            workdir,
            checked_out_at: std::time::SystemTime::now(),
            temp: Some(temp),
        })
    }

    /// Keeps the checkout on disk after the run (`--keep-snapshot`).
    pub fn keep(&mut self) {
        if let Some(temp) = self.temp.take() {
            let _ = temp.keep();
        }
    }

    /// Where `real` (a path in the real work tree) is in the snapshot.
    pub fn map(&self, real: &Path) -> Option<PathBuf> {
        let workdir = self.workdir.canonicalize().ok()?;
        let real = real.canonicalize().ok()?;
        let relative = real.strip_prefix(workdir).ok()?;
        Some(self.dir.join(relative))
    }
}
