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
/// gantry.yml points at it). Best effort: a failure here never stops a run.
fn refresh_schema(dir: &Path) {
    let path = dir.join("gantry.schema.json");
    let text = crate::config::json_schema_text();
    if crate::fsutil::read(&path).ok().as_deref() != Some(text.as_bytes()) {
        let _ = crate::fsutil::write_atomic(&path, text.as_bytes(), None);
    }
}
