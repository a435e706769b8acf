//! The files `changed(…)` conditions ask about: what differs from the
//! merge-base with the current branch's upstream (or from HEAD when there is
//! no upstream), committed or not, untracked files included, ignored ones not.

use std::path::Path;

/// Paths (relative to `root`, `/`-separated) changed in the repository
/// holding `root`; `Ok(None)` outside a repository. With `commit` (a
/// snapshot run), what that commit changes, the working tree left out.
pub fn changed_paths(
    root: &Path,
    commit: Option<&str>,
) -> Result<Option<Vec<String>>, git2::Error> {
    let Ok(repo) = git2::Repository::discover(root) else {
        return Ok(None);
    };
    let Some(workdir) = repo.workdir().map(Path::to_path_buf) else {
        return Ok(None);
    };
    let tip = match commit {
        Some(sha) => Some(git2::Oid::from_str(sha)?),
        None => repo.head().ok().and_then(|h| h.target()),
    };
    let base = match tip {
        Some(tip) => Some(merge_base_with_upstream(&repo, tip)?.unwrap_or(tip)),
        None => None,
    };
    let base_tree = match base {
        Some(oid) => Some(repo.find_commit(oid)?.tree()?),
        None => None,
    };
    let mut options = git2::DiffOptions::new();
    options
        .include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false);
    let diff = match (commit, tip) {
        (Some(_), Some(tip)) => {
            let tree = repo.find_commit(tip)?.tree()?;
            repo.diff_tree_to_tree(base_tree.as_ref(), Some(&tree), Some(&mut options))?
        }
        _ => repo.diff_tree_to_workdir_with_index(base_tree.as_ref(), Some(&mut options))?,
    };
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let workdir = std::fs::canonicalize(&workdir).unwrap_or(workdir);
    let prefix = root.strip_prefix(&workdir).unwrap_or(Path::new(""));
    let mut paths = Vec::new();
    for delta in diff.deltas() {
        for file in [delta.old_file(), delta.new_file()] {
            let Some(path) = file.path() else { continue };
            let Ok(inside) = path.strip_prefix(prefix) else {
                continue;
            };
            let text = inside.to_string_lossy().replace('\\', "/");
            if !text.is_empty() && !paths.contains(&text) {
                paths.push(text);
            }
        }
    }
    Ok(Some(paths))
}

/// The merge-base of `head` with the current branch's upstream, if it has one.
fn merge_base_with_upstream(
    repo: &git2::Repository,
    head: git2::Oid,
) -> Result<Option<git2::Oid>, git2::Error> {
    let Ok(reference) = repo.head() else {
        return Ok(None);
    };
    if !reference.is_branch() {
        return Ok(None);
    }
    let branch = git2::Branch::wrap(reference);
    let Ok(upstream) = branch.upstream() else {
        return Ok(None);
    };
    let Some(target) = upstream.get().target() else {
        return Ok(None);
    };
    repo.merge_base(head, target).map(Some)
}
