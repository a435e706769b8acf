//! No write outside the instance root: AppSpec paths without `..`, symlinks
//! in the revision that stay inside it, and directories created only below
//! the root without following a link out of it.

use std::collections::HashMap;
use std::fs;
use std::io::ErrorKind;
use std::path::{Component, Path, PathBuf};

use super::job::Instance;
use super::store::Installed;

/// A `source` or hook `location`: relative to the revision root, a leading
/// `/` ignored (rule 14). `..` is refused outright.
pub fn revision_path(path: &str) -> Result<PathBuf, String> {
    let mut out = PathBuf::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                return Err(format!(
                    "\"{path}\" contains `..`; paths in the AppSpec stay inside the revision"
                ))
            }
            name => out.push(name),
        }
    }
    Ok(out)
}

/// A `destination` or permission `object`: absolute on the instance,
/// returned relative to the instance root. `..` is refused.
pub fn instance_path(path: &str) -> Result<PathBuf, String> {
    if !path.starts_with('/') {
        return Err(format!("\"{path}\" is not an absolute path"));
    }
    revision_path(path).map_err(|_| {
        format!("\"{path}\" contains `..`; a destination cannot climb out of the instance root")
    })
}

/// Checks a symlink found at `link` (relative to the revision root) that
/// points to `target`: absolute targets and targets leading out of the
/// revision are refused.
pub fn check_link(link: &Path, target: &Path) -> Result<(), String> {
    if target.is_absolute() {
        return Err(format!(
            "symlink {} in the revision points to the absolute path {}; use a relative link inside the revision",
            link.display(),
            target.display()
        ));
    }
    let mut depth: usize = link.components().count().saturating_sub(1);
    for part in target.components() {
        match part {
            Component::ParentDir if depth == 0 => {
                return Err(format!(
                "symlink {} in the revision points outside it ({}); keep links inside the revision",
                link.display(),
                target.display()
            ))
            }
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            _ => {}
        }
    }
    Ok(())
}

/// Which instance roots gantry deploys to: resolved against the pipeline
/// root, whose real path is looked up once per deployment run.
pub struct InstanceRoots {
    pipeline: PathBuf,
    real_pipeline: PathBuf,
}

impl InstanceRoots {
    /// The policy for instances of the pipeline rooted at `pipeline`.
    pub fn new(pipeline: &Path) -> Self {
        Self {
            pipeline: pipeline.to_path_buf(),
            real_pipeline: real_path(pipeline).unwrap_or_else(|_| pipeline.to_path_buf()),
        }
    }

    /// The real path of `instance`'s root (links resolved; the missing part
    /// appended as written), looked up anew at every call. Unless the root
    /// was given with `--root`, a root whose real path is `/`, or that a
    /// symlink among its components leads outside the pipeline root, is
    /// refused: a link must not turn an instance into the machine itself.
    pub fn real_root(&self, instance: &Instance) -> Result<PathBuf, String> {
        let written = &instance.root;
        let real = real_path(written).map_err(|e| {
            format!(
                "cannot resolve the instance root {}: {e}",
                written.display()
            )
        })?;
        if instance.explicit {
            return Ok(real);
        }
        let through_link = written.starts_with(&self.pipeline) || real != lexical(written);
        let refused = if real == Path::new("/") {
            Some("is `/` itself".to_string())
        } else if through_link && !real.starts_with(&self.real_pipeline) {
            Some(format!(
                "leads through a symlink to {}, outside the pipeline root {}",
                real.display(),
                self.real_pipeline.display()
            ))
        } else {
            None
        };
        match refused {
            Some(what) => Err(format!(
                "instance root {} {what}; gantry does not deploy there unless told so with `gantry deploy --root {}`",
                written.display(),
                real.display()
            )),
            None => Ok(real),
        }
    }
}

/// `path` with every existing part resolved to its real path and the rest
/// (which does not exist yet) appended as written.
fn real_path(path: &Path) -> std::io::Result<PathBuf> {
    let mut existing = lexical(path);
    let mut rest = Vec::new();
    loop {
        match fs::canonicalize(&existing) {
            Ok(real) => return Ok(rest.iter().rev().fold(real, |p, part| p.join(part))),
            Err(e) if e.kind() == ErrorKind::NotFound => {
                let Some(name) = existing.file_name().map(PathBuf::from) else {
                    return Err(e);
                };
                rest.push(name);
                existing.pop();
            }
            Err(e) => return Err(e),
        }
    }
}

/// `path` without `.` components (`..` is refused in configured roots).
fn lexical(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect()
}

/// Links followed at most while resolving one installed link (as Linux's 40).
const MAX_LINKS: u32 = 40;

/// Checks where the link to install at `at` (relative to the root) with the
/// text `text` leads once installed: resolved component by component from
/// its installed place, through the links of the plan (`planned`) and those
/// already on the instance. A link that leaves the root is an error, wherever
/// it pointed in the revision.
pub fn check_installed_link(
    root: &Root,
    planned: &HashMap<PathBuf, PathBuf>,
    at: &Path,
    text: &Path,
) -> Result<(), String> {
    let start = at.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut budget = MAX_LINKS;
    follow(root, planned, start, text, &mut budget).map(|_| ()).map_err(|()| {
        format!(
            "symlink {} -> {} would lead outside the instance root once installed; nothing was installed (keep links pointing inside what the AppSpec installs)",
            show(at),
            text.display()
        )
    })
}

/// Resolves `text` from the directory `at`; `Err` when it climbs above the
/// root, is absolute, or loops.
fn follow(
    root: &Root,
    planned: &HashMap<PathBuf, PathBuf>,
    mut at: PathBuf,
    text: &Path,
    budget: &mut u32,
) -> Result<PathBuf, ()> {
    for part in text.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                if !at.pop() {
                    return Err(());
                }
            }
            Component::Normal(name) => {
                at.push(name);
                let link = planned.get(&at).cloned().or_else(|| {
                    let full = root.path.join(&at);
                    fs::symlink_metadata(&full)
                        .is_ok_and(|m| m.file_type().is_symlink())
                        .then(|| fs::read_link(&full).ok())
                        .flatten()
                });
                if let Some(next) = link {
                    *budget = budget.checked_sub(1).ok_or(())?;
                    at.pop();
                    at = follow(root, planned, at, &next, budget)?;
                }
            }
            Component::RootDir | Component::Prefix(_) => return Err(()),
        }
    }
    Ok(at)
}

/// Whether `rel` (read from the state file) is a plain relative path: no
/// `..`, not absolute.
pub fn plain_relative(rel: &Path) -> bool {
    !rel.as_os_str().is_empty() && rel.components().all(|c| matches!(c, Component::Normal(_)))
}

/// Safe directory handling below one instance root.
pub struct Root {
    /// The root, canonical.
    pub path: PathBuf,
    /// A container's file system: its users and groups are its own.
    pub container: bool,
}

impl Root {
    /// The root of `instance`, by its real path, created if missing; see
    /// [`InstanceRoots::real_root`] for which roots are refused.
    pub fn open(instance: &Instance, roots: &InstanceRoots) -> Result<Root, String> {
        let path = roots.real_root(instance)?;
        let container = instance.container.is_some();
        // An existing root's real path is the one just resolved.
        if path.is_dir() {
            return Ok(Root { path, container });
        }
        fs::create_dir_all(&path)
            .and_then(|()| fs::canonicalize(&path))
            .map(|path| Root { path, container })
            .map_err(|e| format!("cannot create the instance root {}: {e}", path.display()))
    }

    /// Whether the directory `rel` exists and, links resolved, lies inside the root.
    pub fn dir_inside(&self, rel: &Path) -> bool {
        fs::canonicalize(self.path.join(rel)).is_ok_and(|p| p.starts_with(&self.path))
    }

    /// Creates directory `rel` and its missing ancestors; each one created
    /// is appended to `created`. A file in the way, or a link leading out of
    /// the root, is an error.
    pub fn create_dirs(&self, rel: &Path, created: &mut Vec<Installed>) -> Result<(), String> {
        let mut at = PathBuf::new();
        for part in rel.components() {
            at.push(part);
            let full = self.path.join(&at);
            match fs::symlink_metadata(&full) {
                Ok(m) if m.is_dir() => {}
                Ok(m) if m.file_type().is_symlink() && self.dir_inside(&at) => {}
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(format!("{} is a symlink leading outside the instance root or to something other than a directory; gantry does not write through it", show(&at)));
                }
                Ok(_) => {
                    return Err(format!(
                        "cannot create directory {}: a file is in the way",
                        show(&at)
                    ))
                }
                Err(e) if e.kind() == ErrorKind::NotFound => {
                    fs::create_dir(&full)
                        .map_err(|e| format!("cannot create directory {}: {e}", show(&at)))?;
                    created.push(Installed {
                        path: at.clone(),
                        dir: true,
                    });
                }
                Err(e) => return Err(format!("cannot inspect {}: {e}", show(&at))),
            }
        }
        Ok(())
    }
}

/// `rel` as an absolute path on the instance, for messages.
pub fn show(rel: &Path) -> String {
    format!("/{}", rel.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_dot_is_refused() {
        assert_eq!(revision_path("/a/./b").unwrap(), PathBuf::from("a/b"));
        assert!(revision_path("a/../b").is_err());
        assert_eq!(
            instance_path("/srv/app/").unwrap(),
            PathBuf::from("srv/app")
        );
        assert!(instance_path("/srv/../etc").is_err());
        assert!(instance_path("srv").is_err());
    }

    #[test]
    fn links_stay_inside() {
        assert!(check_link(Path::new("a/l"), Path::new("b")).is_ok());
        assert!(check_link(Path::new("a/l"), Path::new("../b")).is_ok());
        assert!(check_link(Path::new("a/l"), Path::new("../../b")).is_err());
        assert!(check_link(Path::new("l"), Path::new("/etc/passwd")).is_err());
        assert!(check_link(Path::new("a/l"), Path::new("x/../../..")).is_err());
    }
}
