//! Checks that need the revision directory: sources and scripts exist
//! (rules 15, 44), nothing leads out of the revision through a symlink
//! (rules 16, 20), no two entries install the same target (rule 19), and
//! scripts look runnable (rule 44, warnings).

use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::check::Checker;
use super::model::{FileMapping, Os};
use super::node::Node;
use super::paths;

/// Upper bound on directory entries walked per revision, so that a huge tree
/// (say a `source: /` over a build directory) cannot stall validation.
const MAX_WALK: usize = 200_000;

/// Target paths on the instance (normalised, see
/// [`paths::normalise_destination`]): whether each is a directory, and the
/// index of the `files` entry that installs it.
pub(crate) type Targets = HashMap<String, (bool, usize)>;

/// Rules 15, 16, 19, 20 for the `files` entries `pairs` (entry node,
/// mapping); returns every path the entries install.
pub(crate) fn check_sources(
    c: &mut Checker,
    root: &Path,
    pairs: &[(&Node, FileMapping)],
    os: Os,
) -> Targets {
    let real_root = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let mut targets = Targets::new();
    for (index, (item, m)) in pairs.iter().enumerate() {
        let at = item.get("source").unwrap_or(item);
        let Some(rel) = paths::inside_revision(&m.source, os) else {
            continue; // reported as E022 already
        };
        let path = root.join(&rel);
        if fs::symlink_metadata(&path).is_err() {
            c.error_hint("E023", at, format!("source \"{}\" does not exist in the revision", m.source), format!("the revision is {}; if this is a build output, build first, or check the AppSpec file alone with --file-only", root.display()));
            continue;
        }
        if escapes(&real_root, &path) {
            c.error_hint("E022", at, format!("source \"{}\" leads outside the revision through a symlink", m.source), "the agent follows directory links and copies what they point to; keep sources inside the revision");
            continue;
        }
        let destination = paths::normalise_destination(&m.destination, os);
        let mut found = Vec::new();
        collect_targets(&real_root, &path, &destination, &mut found);
        let mut collided = false;
        for (target, is_dir, outside) in found {
            if outside {
                c.error_hint("E022", at, format!("\"{target}\" would be copied from a directory symlink that leads outside the revision"), "the agent follows directory links (rule 20); remove the link or point it inside the revision");
                continue;
            }
            if !collided {
                collided = add_target(c, at, &mut targets, target, is_dir, index);
            }
        }
    }
    targets
}

fn escapes(real_root: &Path, path: &Path) -> bool {
    fs::canonicalize(path).is_ok_and(|real| !real.starts_with(real_root))
}

/// Records `target`; two files, or a file and a directory, at one path is
/// E025 (rule 19). Returns whether it reported a collision.
fn add_target(
    c: &mut Checker,
    at: &Node,
    targets: &mut Targets,
    target: String,
    is_dir: bool,
    index: usize,
) -> bool {
    let Some(&(earlier_dir, earlier)) = targets.get(&target) else {
        targets.insert(target, (is_dir, index));
        return false;
    };
    if earlier_dir && is_dir {
        return false; // creating the same directory twice is fine
    }
    let what = if is_dir == earlier_dir {
        "two files"
    } else {
        "a file and a directory"
    };
    c.error_hint("E025", at, format!("\"{target}\" would be installed twice ({what} at the same path)"), format!("the agent fails the Install step on duplicate targets; the other one comes from `files` entry {}", earlier + 1));
    true
}

/// The targets that copying `path` into `destination` creates (rule 18): a
/// file lands at `destination/<name>`, a directory's contents below
/// `destination`. Each item is (target, is directory, leads outside).
fn collect_targets(
    real_root: &Path,
    path: &Path,
    destination: &str,
    out: &mut Vec<(String, bool, bool)>,
) {
    if !path.is_dir() {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push((format!("{destination}/{name}"), false, false));
        return;
    }
    out.push((destination.to_string(), true, false));
    let mut stack: Vec<(PathBuf, String)> = vec![(path.to_path_buf(), destination.to_string())];
    while let Some((dir, target)) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if out.len() >= MAX_WALK {
                return;
            }
            let child = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let child_target = format!("{target}/{name}");
            // The listing's type: only a link costs a `stat`, to see where it leads.
            let kind = entry.file_type().ok();
            let is_link = kind.is_some_and(|t| t.is_symlink());
            let is_dir = match kind {
                Some(t) if !t.is_symlink() => t.is_dir(),
                _ => child.is_dir(),
            };
            if is_dir {
                if is_link && escapes(real_root, &child) {
                    out.push((child_target, true, true));
                    continue;
                }
                out.push((child_target.clone(), true, false));
                if !is_link {
                    stack.push((child, child_target));
                }
            } else {
                out.push((child_target, false, false));
            }
        }
    }
}

/// Rule 44: the script at `location` exists; on Linux it should be executable
/// and start with `#!` (warnings: the agent chmods it, and exec needs an interpreter).
pub(crate) fn check_script(c: &mut Checker, root: &Path, at: &Node, location: &str, os: Os) {
    let Some(rel) = paths::inside_revision(location, os) else {
        return; // reported as E044 already
    };
    let path = match resolve_script(root, Path::new(&rel)) {
        ScriptPath::Inside(path) => path,
        ScriptPath::Outside(real) => {
            c.error_hint(
                "E045",
                at,
                format!("script \"{location}\" leads outside the revision through a symlink (to {})", real.display()),
                "hook scripts run from the revision; resolved link by link, this one does not stay in it",
            );
            return;
        }
        ScriptPath::Missing => root.join(&rel),
    };
    let Ok(meta) = fs::metadata(&path) else {
        let hint = if location.contains(' ') {
            "`location` is the whole path: the agent does not pass arguments to scripts (rule 44)"
                .to_string()
        } else {
            format!("the agent fails the event with \"Script does not exist at specified location\"; the revision is {}", root.display())
        };
        c.error_hint(
            "E045",
            at,
            format!("script \"{location}\" does not exist in the revision"),
            hint,
        );
        return;
    };
    if !meta.is_file() {
        c.error_hint(
            "E045",
            at,
            format!("script \"{location}\" is not a file"),
            "`location` names the script file itself",
        );
        return;
    }
    if os == Os::Linux {
        runnable(c, &path, &meta, at, location);
    }
}

/// Where a hook script's `location` leads, symlinks resolved.
#[derive(Debug, PartialEq, Eq)]
pub enum ScriptPath {
    /// Its real path, inside the revision.
    Inside(PathBuf),
    /// Its real path, outside the revision.
    Outside(PathBuf),
    /// Nothing is there (or a link leads nowhere).
    Missing,
}

/// Resolves the script `rel` (relative to the revision `root`) by real
/// path, every link followed, so that a chain of relative links whose `..`
/// look harmless cannot lead out. `gantry validate` and `gantry deploy`
/// both use this before trusting a script.
pub fn resolve_script(root: &Path, rel: &Path) -> ScriptPath {
    let (Ok(real_root), Ok(real)) = (fs::canonicalize(root), fs::canonicalize(root.join(rel)))
    else {
        return ScriptPath::Missing;
    };
    if real.starts_with(&real_root) {
        ScriptPath::Inside(real)
    } else {
        ScriptPath::Outside(real)
    }
}

#[cfg(unix)]
fn is_executable(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_meta: &fs::Metadata) -> bool {
    true
}

fn runnable(c: &mut Checker, path: &Path, meta: &fs::Metadata, at: &Node, location: &str) {
    if !is_executable(meta) {
        c.warning("W002", at, format!("script \"{location}\" is not executable"), format!("the agent will chmod +x it, but record the mode in git: chmod +x {location} && git update-index --chmod=+x {location}"));
    }
    let mut head = [0u8; 2];
    let has_shebang = crate::fsutil::open_regular(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && &head == b"#!";
    if !has_shebang {
        c.warning(
            "W003",
            at,
            format!("script \"{location}\" does not start with a shebang (#!)"),
            "the agent executes the file directly; start it with e.g. #!/bin/bash",
        );
    }
}
