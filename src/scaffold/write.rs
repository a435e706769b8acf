//! Writing the generated files all or nothing: every file is first written
//! to a temporary file next to its target, and only when all of them are
//! complete are they renamed into place.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// What happens to one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// A new file.
    Create,
    /// An existing file is replaced (`--force`).
    Replace,
    /// A line is added to an existing file.
    Append,
}

/// One file to write.
#[derive(Clone, Debug)]
pub struct FileChange {
    /// Where, absolute.
    pub path: PathBuf,
    /// Where, as shown to the user.
    pub shown: String,
    /// The whole new content.
    pub text: String,
    /// Permission bits.
    pub mode: u32,
    /// What kind of change it is.
    pub change: Change,
}

impl FileChange {
    /// A file at `root/rel` with `text`: created, or replaced if it exists
    /// (an existing symlink is followed, and the file keeps its mode).
    pub fn new(root: &Path, rel: &str, text: String, mode: u32) -> FileChange {
        let mut path = root.join(rel);
        let mut change = Change::Create;
        let mut mode = mode;
        if let Ok(meta) = std::fs::metadata(&path) {
            change = Change::Replace;
            mode = meta.permissions().mode() & 0o7777;
            path = std::fs::canonicalize(&path).unwrap_or(path);
        }
        FileChange {
            path,
            shown: rel.to_string(),
            text,
            mode,
            change,
        }
    }
}

/// Writes every change, or none: on any error before the renames, nothing
/// is left behind (directories created for the files are removed again).
pub fn write_all(changes: &[FileChange]) -> anyhow::Result<()> {
    let mut created_dirs = Vec::new();
    let staged = stage(changes, &mut created_dirs);
    let staged = match staged {
        Ok(staged) => staged,
        Err(e) => {
            for dir in created_dirs.iter().rev() {
                let _ = std::fs::remove_dir(dir);
            }
            return Err(e);
        }
    };
    for (temp, change) in staged.into_iter().zip(changes) {
        temp.persist(&change.path)
            .with_context(|| format!("cannot write {}", change.shown))?;
    }
    Ok(())
}

/// Writes every file's content to a temporary file beside it.
fn stage(
    changes: &[FileChange],
    created_dirs: &mut Vec<PathBuf>,
) -> anyhow::Result<Vec<tempfile::NamedTempFile>> {
    let mut staged = Vec::new();
    for change in changes {
        let parent = change.path.parent().unwrap_or(Path::new("."));
        create_dirs(parent, created_dirs)
            .with_context(|| format!("cannot create the directory for {}", change.shown))?;
        let mut temp = tempfile::Builder::new()
            .prefix(".gantry-init-")
            .tempfile_in(parent)
            .with_context(|| format!("cannot write {}", change.shown))?;
        std::io::Write::write_all(&mut temp, change.text.as_bytes())
            .and_then(|()| temp.as_file().sync_all())
            .and_then(|()| {
                let perms = std::fs::Permissions::from_mode(change.mode);
                std::fs::set_permissions(temp.path(), perms)
            })
            .with_context(|| format!("cannot write {}", change.shown))?;
        staged.push(temp);
    }
    Ok(staged)
}

/// Creates `dir` and missing parents, remembering each one created.
fn create_dirs(dir: &Path, created: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        create_dirs(parent, created)?;
    }
    std::fs::create_dir(dir)?;
    created.push(dir.to_path_buf());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_everything_with_modes() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("old"), "x").unwrap();
        let changes = [
            FileChange::new(tmp.path(), "a/b/script.sh", "#!/bin/sh\n".into(), 0o755),
            FileChange::new(tmp.path(), "old", "new".into(), 0o644),
        ];
        assert_eq!(changes[0].change, Change::Create);
        assert_eq!(changes[1].change, Change::Replace);
        write_all(&changes).unwrap();
        let meta = std::fs::metadata(tmp.path().join("a/b/script.sh")).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o755);
        assert_eq!(
            std::fs::read_to_string(tmp.path().join("old")).unwrap(),
            "new"
        );
        let names: Vec<_> = std::fs::read_dir(tmp.path().join("a/b")).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file left");
    }

    #[test]
    fn a_failure_leaves_nothing_behind() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("file"), "x").unwrap();
        let changes = [
            FileChange::new(tmp.path(), "new/dir/a.txt", "a".into(), 0o644),
            // A path below a regular file cannot be created.
            FileChange::new(tmp.path(), "file/b.txt", "b".into(), 0o644),
        ];
        assert!(write_all(&changes).is_err());
        assert!(!tmp.path().join("new").exists());
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
    }
}
