//! The git `pre-push` hook: where git looks for hooks, and installing,
//! chaining and removing gantry's hook without ever losing an existing one.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::error::UsageError;

/// Marks a hook file as gantry's.
pub const MARKER: &str = "installed by `gantry hook install`";
/// The name an existing hook is moved to when gantry's is chained in front.
pub const CHAINED: &str = "pre-push.gantry-chained";

/// Where hooks live for a repository.
#[derive(Debug)]
pub struct HooksDir {
    /// The directory git runs hooks from.
    pub dir: PathBuf,
    /// Whether it comes from `core.hooksPath`.
    pub from_config: bool,
    /// The repository's work tree (where hooks run).
    pub workdir: PathBuf,
}

/// What `pre-push` currently is.
#[derive(Debug, PartialEq, Eq)]
pub enum HookState {
    /// No pre-push hook.
    Absent,
    /// gantry's hook.
    Gantry,
    /// Someone else's hook.
    Foreign,
}

impl HooksDir {
    /// The hooks directory git really uses for the repository containing
    /// `dir`: `core.hooksPath` (relative to the work tree) or `.git/hooks`.
    pub fn discover(dir: &Path) -> anyhow::Result<HooksDir> {
        let repo = git2::Repository::discover(dir)
            .map_err(|_| UsageError(format!("{} is not in a git repository", dir.display())))?;
        let workdir = repo
            .workdir()
            .ok_or_else(|| UsageError("a bare repository has no pre-push hook to run".into()))?
            .to_path_buf();
        let configured = repo
            .config()
            .and_then(|mut c| c.snapshot())
            .and_then(|c| c.get_path("core.hooksPath"))
            .ok();
        Ok(match configured {
            Some(path) => HooksDir {
                dir: workdir.join(path),
                from_config: true,
                workdir,
            },
            None => HooksDir {
                dir: repo.commondir().join("hooks"),
                from_config: false,
                workdir,
            },
        })
    }

    /// The pre-push hook's path.
    pub fn hook(&self) -> PathBuf {
        self.dir.join("pre-push")
    }

    /// Where a chained hook is kept.
    pub fn chained(&self) -> PathBuf {
        self.dir.join(CHAINED)
    }

    /// What the pre-push hook is now.
    pub fn state(&self) -> HookState {
        match fs::read(self.hook()) {
            Err(_) => HookState::Absent,
            Ok(text) if String::from_utf8_lossy(&text).contains(MARKER) => HookState::Gantry,
            Ok(_) => HookState::Foreign,
        }
    }

    /// Installs gantry's hook; an existing foreign hook is moved aside and
    /// chained (it runs first). Returns what was done, for people.
    pub fn install(&self, gantry: &Path) -> anyhow::Result<String> {
        fs::create_dir_all(&self.dir)
            .with_context(|| format!("cannot create {}", self.dir.display()))?;
        let mut done = format!("installed the pre-push hook in {}", self.dir.display());
        match self.state() {
            HookState::Gantry => {
                done = format!("updated the pre-push hook in {}", self.dir.display())
            }
            HookState::Foreign if self.chained().exists() => {
                return Err(UsageError(format!(
                    "{} exists and so does {}: gantry will not overwrite either; \
                     merge or remove one of them, then run `gantry hook install` again",
                    self.hook().display(),
                    self.chained().display()
                ))
                .into())
            }
            HookState::Foreign => {
                fs::rename(self.hook(), self.chained())?;
                done.push_str(&format!(
                    "; your existing hook now runs first (kept as {CHAINED})"
                ));
            }
            HookState::Absent => {}
        }
        write_executable(&self.hook(), &script(gantry))?;
        Ok(done)
    }

    /// Removes gantry's hook and puts a chained hook back. Returns what was done.
    pub fn uninstall(&self) -> anyhow::Result<String> {
        match self.state() {
            HookState::Absent => Ok("no pre-push hook is installed".into()),
            HookState::Foreign => Err(UsageError(format!(
                "{} is not gantry's hook; leaving it alone",
                self.hook().display()
            ))
            .into()),
            HookState::Gantry => {
                fs::remove_file(self.hook())?;
                if self.chained().exists() {
                    fs::rename(self.chained(), self.hook())?;
                    Ok("removed gantry's pre-push hook and restored the previous one".into())
                } else {
                    Ok("removed gantry's pre-push hook".into())
                }
            }
        }
    }
}

/// The hook script: hands everything to `gantry hook pre-push`.
fn script(gantry: &Path) -> String {
    let path = gantry.display().to_string().replace('\'', r"'\''");
    format!(
        "#!/bin/sh\n\
         # gantry pre-push hook, {MARKER}; remove it with `gantry hook uninstall`.\n\
         # Runs the pipeline on a clean snapshot of each commit being pushed.\n\
         # `git push --no-verify` skips it.\n\
         gantry='{path}'\n\
         [ -x \"$gantry\" ] || gantry=gantry\n\
         exec \"$gantry\" hook pre-push \"$@\"\n"
    )
}

fn write_executable(path: &Path, text: &str) -> anyhow::Result<()> {
    crate::fsutil::write_atomic(path, text.as_bytes(), Some(0o755))
        .with_context(|| format!("cannot write {}", path.display()))
}

/// One line git feeds a pre-push hook.
#[derive(Debug, PartialEq, Eq)]
pub struct PushedRef {
    /// The local ref being pushed.
    pub local_ref: String,
    /// Its commit (all zeros for a deletion).
    pub local_sha: String,
    /// The remote ref.
    pub remote_ref: String,
}

/// The refs in git's `<local ref> <local sha> <remote ref> <remote sha>`
/// lines, deletions left out.
pub fn pushed_refs(stdin: &str) -> Vec<PushedRef> {
    stdin
        .lines()
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            let (local_ref, local_sha, remote_ref) = (parts.next()?, parts.next()?, parts.next()?);
            let deletion = local_sha.bytes().all(|b| b == b'0');
            (!deletion).then(|| PushedRef {
                local_ref: local_ref.to_string(),
                local_sha: local_sha.to_string(),
                remote_ref: remote_ref.to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deletions_are_skipped() {
        let zeros = "0".repeat(40);
        let a = "a".repeat(40);
        let stdin = format!(
            "refs/heads/main {a} refs/heads/main {zeros}\n(delete) {zeros} refs/heads/old {a}\n"
        );
        let refs = pushed_refs(&stdin);
        assert_eq!(refs.len(), 1);
        assert_eq!(refs[0].local_sha, a);
    }
}
