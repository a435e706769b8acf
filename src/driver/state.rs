//! `.gantry/`, where a pipeline's records live: made on first use.

use std::path::Path;

use crate::record;

/// Creates `.gantry/` with a `.gitignore` of its own, so that its records
/// never show up in `git status` even before `gantry init` edits .gitignore.
pub fn ensure_state_dir(root: &Path) -> anyhow::Result<()> {
    let dir = root.join(record::STATE_DIR);
    std::fs::create_dir_all(&dir)?;
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        std::fs::write(
            ignore,
            "# written by gantry: run records stay out of git\n*\n",
        )?;
    }
    refresh_schema(&dir);
    Ok(())
}

/// Keeps `.gantry/gantry.schema.json` current for editors (a
/// `# yaml-language-server: $schema=.gantry/gantry.schema.json` comment in
/// gantry.yml points at it). Written when it is missing or another gantry
/// wrote it (a stamp beside it says which), not generated on every run.
/// Best effort: a failure here never stops a run.
fn refresh_schema(dir: &Path) {
    let path = dir.join("gantry.schema.json");
    let stamp_path = dir.join("gantry.schema.stamp");
    let stamp = writer_stamp();
    let stamped = crate::fsutil::read(&stamp_path).ok().as_deref() == Some(stamp.as_bytes());
    if stamped && path.is_file() {
        return;
    }
    let text = crate::config::json_schema_text();
    if crate::fsutil::write_atomic(&path, text.as_bytes(), None).is_ok() {
        let _ = crate::fsutil::write_atomic(&stamp_path, stamp.as_bytes(), None);
    }
}

/// Which gantry this is: its version and when its executable was written
/// (a build of the same version with another schema has another time).
fn writer_stamp() -> String {
    let built = std::env::current_exe()
        .and_then(std::fs::metadata)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    format!("{} {built}\n", env!("CARGO_PKG_VERSION"))
}
