//! What the run knows about the repository: commit, branch, tag, dirtiness.
//! Read with git2; gantry never shells out to git.

pub mod blob;
pub mod changed;
pub mod hook;
pub mod snapshot;

use std::path::Path;

use serde::Serialize;

/// The git context of a run; all empty outside a repository.
#[derive(Clone, Debug, Default, Serialize)]
pub struct GitInfo {
    /// Whether the pipeline root is inside a git repository with a commit.
    pub in_repo: bool,
    /// Full commit id of HEAD.
    pub sha: String,
    /// First 7 characters of `sha`.
    pub short_sha: String,
    /// Current branch (empty when HEAD is detached).
    pub branch: String,
    /// A tag pointing at HEAD, if any.
    pub tag: String,
    /// Whether tracked or untracked files differ from HEAD.
    pub dirty: bool,
}

impl GitInfo {
    /// Reads the repository that contains `dir`.
    pub fn discover(dir: &Path) -> GitInfo {
        GitInfo::discover_knowing(dir, None)
    }

    /// [`GitInfo::discover`], with the work tree's dirtiness already known
    /// (from the cache's scan of it) when `dirty` is given: a second walk of
    /// a large tree is the slowest part of reading the repository.
    pub fn discover_knowing(dir: &Path, dirty: Option<bool>) -> GitInfo {
        match git2::Repository::discover(dir) {
            Ok(repo) => read(&repo, dirty).unwrap_or_default(),
            Err(_) => GitInfo::default(),
        }
    }

    /// The context of `commit` (a full id) in the repository containing
    /// `dir`, for a snapshot run: never dirty; the branch is the current one
    /// when HEAD is at that commit.
    pub fn at_commit(dir: &Path, commit: &str) -> GitInfo {
        let Ok(repo) = git2::Repository::discover(dir) else {
            return GitInfo::default();
        };
        let Ok(oid) = git2::Oid::from_str(commit) else {
            return GitInfo::default();
        };
        let head = repo.head().ok();
        let branch = head
            .as_ref()
            .filter(|h| h.is_branch() && h.target() == Some(oid))
            .and_then(|h| h.shorthand().ok())
            .unwrap_or_default()
            .to_string();
        GitInfo {
            in_repo: true,
            sha: commit.to_string(),
            short_sha: commit.chars().take(7).collect(),
            branch,
            tag: tag_at(&repo, oid).unwrap_or_default(),
            dirty: false,
        }
    }

    /// The `${git.*}` variables as (name, value) pairs.
    pub fn variables(&self) -> [(&'static str, String); 5] {
        [
            ("git.sha", self.sha.clone()),
            ("git.short_sha", self.short_sha.clone()),
            ("git.branch", self.branch.clone()),
            ("git.tag", self.tag.clone()),
            (
                "git.dirty",
                if self.in_repo {
                    self.dirty.to_string()
                } else {
                    String::new()
                },
            ),
        ]
    }
}

fn read(repo: &git2::Repository, dirty: Option<bool>) -> Option<GitInfo> {
    let head = repo.head().ok()?;
    let commit = head.peel_to_commit().ok()?;
    let sha = commit.id().to_string();
    let branch = if head.is_branch() {
        head.shorthand().unwrap_or_default().to_string()
    } else {
        String::new()
    };
    Some(GitInfo {
        in_repo: true,
        short_sha: sha.chars().take(7).collect(),
        sha,
        branch,
        tag: tag_at(repo, commit.id()).unwrap_or_default(),
        dirty: dirty.unwrap_or_else(|| is_dirty(repo)),
    })
}

fn tag_at(repo: &git2::Repository, commit: git2::Oid) -> Option<String> {
    let names = repo.tag_names(None).ok()?;
    let mut tags: Vec<&str> = names
        .iter()
        .flatten()
        .flatten()
        .filter(|name| {
            repo.revparse_single(&format!("refs/tags/{name}"))
                .and_then(|o| o.peel_to_commit())
                .is_ok_and(|c| c.id() == commit)
        })
        .collect();
    tags.sort_unstable();
    tags.last().map(|t| t.to_string())
}

fn is_dirty(repo: &git2::Repository) -> bool {
    let mut options = git2::StatusOptions::new();
    options
        .include_untracked(true)
        .include_ignored(false)
        .exclude_submodules(true);
    // gantry's own records must not make the tree dirty when `.gantry/` is
    // not (yet) in .gitignore.
    repo.statuses(Some(&mut options)).is_ok_and(|statuses| {
        statuses.iter().any(|entry| {
            entry
                .path()
                .is_ok_and(|p| !p.split('/').any(crate::fsutil::is_hidden_name))
        })
    })
}
