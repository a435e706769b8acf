//! `gantry export TARGET [-o FILE]`: the pipeline as another CI engine's
//! configuration, on stdout or in a file.

use anyhow::Context;

use super::Globals;
use crate::cli::ExportArgs;
use crate::error::{UsageError, EXIT_OK};

/// Writes the export and returns the exit code.
pub fn execute(globals: &Globals, args: &ExportArgs) -> anyhow::Result<u8> {
    let pipeline = globals.load_pipeline()?;
    let exported =
        crate::export::export(&pipeline, args.target).map_err(|e| UsageError(e.to_string()))?;
    for note in &exported.notes {
        eprintln!("note: {note}");
    }
    let text = exported.text;
    match &args.output {
        None => {
            use std::io::Write;
            std::io::stdout().lock().write_all(text.as_bytes())?;
        }
        Some(file) => {
            let path = globals.cwd.join(file);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            std::fs::write(&path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    Ok(EXIT_OK)
}
