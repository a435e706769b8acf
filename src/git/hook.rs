//! The git `pre-push` hook: where git looks for hooks, and installing,
//! chaining and removing gantry's hook without ever losing an existing one.
//!
//! gantry recognises its own hook by its exact content: the hook records its
//! settings on one line, and a file is gantry's only when rendering those
//! settings gives back exactly the file's bytes. Anything else — a hook that
//! merely mentions gantry, an edited copy, a symlink — is the user's, and is
//! moved aside (never rewritten) or left alone.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::error::UsageError;

/// Text every gantry hook carries (for people; recognition is by content).
pub const MARKER: &str = "installed by `gantry hook install`";
/// The name an existing hook is moved to when gantry's is chained in front.
pub const CHAINED: &str = "pre-push.gantry-chained";
/// Starts the line that records the hook's settings.
const SETTINGS_LINE: &str = "# gantry-hook: ";

/// Which stages a push runs, and whether a chained hook runs first: what
/// `gantry hook install` records in the hook.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HookSettings {
    /// Stop after this stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Leave these stages out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skip: Vec<String>,
    /// Also run stages that deploy or ask for approval.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all: bool,
    /// gantry moved the user's hook to `pre-push.gantry-chained` and runs it first.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub chained: bool,
}

impl HookSettings {
    /// The `gantry hook pre-push` options that carry these settings.
    pub fn args(&self) -> Vec<String> {
        let mut args = Vec::new();
        if self.chained {
            args.push("--chained".to_string());
        }
        if self.all {
            args.push("--all".to_string());
        }
        if let Some(to) = &self.to {
            args.extend(["--to".to_string(), to.clone()]);
        }
        for skip in &self.skip {
            args.extend(["--skip".to_string(), skip.clone()]);
        }
        args
    }
}

/// The settings line's content: the binary the hook calls, and the settings.
#[derive(Serialize, Deserialize)]
struct Recorded {
    gantry: String,
    #[serde(flatten)]
    settings: HookSettings,
}

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
    /// No pre-push hook (not even a dangling symlink).
    Absent,
    /// gantry's hook, with the settings it records.
    Gantry(HookSettings),
    /// Someone else's hook (any file or symlink that is not exactly gantry's).
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

    /// Whether `pre-push.gantry-chained` exists (a dangling symlink counts).
    pub fn chained_exists(&self) -> bool {
        present(&self.chained())
    }

    /// What the pre-push hook is now. Symlinks are never followed: gantry
    /// writes regular files only, so a symlink is always the user's.
    pub fn state(&self) -> HookState {
        let path = self.hook();
        match fs::symlink_metadata(&path) {
            Err(e) if e.kind() == ErrorKind::NotFound => HookState::Absent,
            Ok(meta) if meta.file_type().is_file() => match crate::fsutil::read(&path) {
                Ok(bytes) => recognise(&bytes, || self.chained_exists()),
                Err(_) => HookState::Foreign,
            },
            _ => HookState::Foreign,
        }
    }

    /// Installs gantry's hook with `wanted` settings; an existing foreign
    /// hook is moved aside unchanged and chained (it runs first). Returns
    /// what was done, for people.
    pub fn install(&self, gantry: &Path, wanted: &HookSettings) -> anyhow::Result<String> {
        fs::create_dir_all(&self.dir)
            .with_context(|| format!("cannot create {}", self.dir.display()))?;
        let mut settings = HookSettings {
            chained: false,
            ..wanted.clone()
        };
        let mut done = format!("installed the pre-push hook in {}", self.dir.display());
        let mut moved_aside = false;
        match self.state() {
            HookState::Gantry(old) => {
                // A chained hook that has since gone is forgotten, so a file
                // put there later is stale, not chained.
                settings.chained = old.chained && self.chained_exists();
                done = format!("updated the pre-push hook in {}", self.dir.display());
            }
            HookState::Foreign if self.chained_exists() => {
                return Err(UsageError(format!(
                    "{} exists and so does {}: gantry will not overwrite either; \
                     merge or remove one of them, then run `gantry hook install` again",
                    self.hook().display(),
                    self.chained().display()
                ))
                .into())
            }
            HookState::Foreign => {
                // rename moves the file or symlink itself: byte-for-byte.
                fs::rename(self.hook(), self.chained())
                    .with_context(|| format!("cannot move {} aside", self.hook().display()))?;
                settings.chained = true;
                moved_aside = true;
                done.push_str(&format!(
                    "; your existing hook now runs first (kept as {CHAINED})"
                ));
            }
            HookState::Absent => {}
        }
        if !settings.chained && self.chained_exists() {
            done.push_str(&stale_note(&self.chained()));
        }
        if let Err(e) = write_executable(&self.hook(), &script(gantry, &settings)) {
            if moved_aside {
                // Put the user's hook back rather than leave none.
                let _ = fs::rename(self.chained(), self.hook());
            }
            return Err(e);
        }
        Ok(done)
    }

    /// Removes gantry's hook and puts back the hook it chained — only that
    /// one: a `pre-push.gantry-chained` gantry did not chain is never activated.
    /// Returns what was done.
    pub fn uninstall(&self) -> anyhow::Result<String> {
        match self.state() {
            HookState::Absent => {
                let mut said = "no pre-push hook is installed".to_string();
                if self.chained_exists() {
                    said.push_str(&stale_note(&self.chained()));
                }
                Ok(said)
            }
            HookState::Foreign => Err(UsageError(format!(
                "{} is not gantry's hook; leaving it alone",
                self.hook().display()
            ))
            .into()),
            HookState::Gantry(settings) if settings.chained && self.chained_exists() => {
                // One rename replaces gantry's hook: never a moment without a hook.
                fs::rename(self.chained(), self.hook())
                    .with_context(|| format!("cannot restore {}", self.chained().display()))?;
                Ok("removed gantry's pre-push hook and restored the previous one".into())
            }
            HookState::Gantry(settings) => {
                fs::remove_file(self.hook())
                    .with_context(|| format!("cannot remove {}", self.hook().display()))?;
                let mut said = "removed gantry's pre-push hook".to_string();
                if settings.chained {
                    said.push_str(&format!(
                        "; the hook it chained ({CHAINED}) is no longer there"
                    ));
                } else if self.chained_exists() {
                    said.push_str(&stale_note(&self.chained()));
                }
                Ok(said)
            }
        }
    }
}

/// Whether `path` exists as anything, a dangling symlink included.
fn present(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

fn stale_note(chained: &Path) -> String {
    format!(
        "; {} was not chained by this hook, so gantry leaves it alone and never runs it \
         (rename it to pre-push yourself if you want it back)",
        chained.display()
    )
}

/// `Gantry` when `bytes` are exactly a hook gantry writes (this version's,
/// or an older version's, whose chained hook is whatever `chained` says).
fn recognise(bytes: &[u8], chained: impl Fn() -> bool) -> HookState {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return HookState::Foreign;
    };
    if let Some(json) = text
        .lines()
        .find_map(|line| line.strip_prefix(SETTINGS_LINE))
    {
        if let Ok(recorded) = serde_json::from_str::<Recorded>(json) {
            if script(Path::new(&recorded.gantry), &recorded.settings) == text {
                return HookState::Gantry(recorded.settings);
            }
        }
        return HookState::Foreign;
    }
    let legacy_path = text
        .lines()
        .find_map(|line| line.strip_prefix("gantry='")?.strip_suffix('\''))
        .map(|quoted| quoted.replace(r"'\''", "'"));
    match legacy_path {
        Some(path) if legacy_script(Path::new(&path)) == text => HookState::Gantry(HookSettings {
            chained: chained(),
            ..HookSettings::default()
        }),
        _ => HookState::Foreign,
    }
}

/// Single-quoted for sh.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The hook script: hands everything to `gantry hook pre-push`.
fn script(gantry: &Path, settings: &HookSettings) -> String {
    let path = gantry.display().to_string();
    let recorded = Recorded {
        gantry: path.clone(),
        settings: settings.clone(),
    };
    let json = serde_json::to_string(&recorded).unwrap_or_default();
    let args: String = settings
        .args()
        .iter()
        .map(|a| format!(" {}", quoted(a)))
        .collect();
    format!(
        "#!/bin/sh\n\
         # gantry pre-push hook, {MARKER}; remove it with `gantry hook uninstall`.\n\
         # Runs the pipeline on a clean snapshot of each commit being pushed\n\
         # (`gantry hook install --to/--skip/--all` chooses the stages);\n\
         # `git push --no-verify` skips it. gantry knows this file by its exact\n\
         # content: once edited, it is treated as your own hook.\n\
         {SETTINGS_LINE}{json}\n\
         gantry={}\n\
         [ -x \"$gantry\" ] || gantry=gantry\n\
         exec \"$gantry\" hook pre-push{args} -- \"$@\"\n",
        quoted(&path)
    )
}

/// The hook older gantry versions wrote, recognised so that an upgrade
/// replaces it instead of chaining it.
fn legacy_script(gantry: &Path) -> String {
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
    crate::fsutil::write_durable(path, text.as_bytes(), Some(0o755))
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

    #[test]
    fn only_the_exact_content_is_gantrys_hook() {
        let settings = HookSettings {
            skip: vec!["slow".into()],
            chained: true,
            ..HookSettings::default()
        };
        let text = script(Path::new("/usr/bin/gantry"), &settings);
        assert_eq!(
            recognise(text.as_bytes(), || false),
            HookState::Gantry(settings)
        );
        let edited = text.replace("exec", "echo hi\nexec");
        assert_eq!(recognise(edited.as_bytes(), || false), HookState::Foreign);
        let mentions = format!("#!/bin/sh\n# not {MARKER}\nexit 0\n");
        assert_eq!(recognise(mentions.as_bytes(), || false), HookState::Foreign);
        let legacy = legacy_script(Path::new("/opt/it's/gantry"));
        assert_eq!(
            recognise(legacy.as_bytes(), || true),
            HookState::Gantry(HookSettings {
                chained: true,
                ..HookSettings::default()
            })
        );
        assert_eq!(
            recognise(format!("{legacy}\n").as_bytes(), || true),
            HookState::Foreign
        );
    }
}
