//! `gantry schema`: the JSON Schema of `gantry.yml`.

use std::io::Write;

use anyhow::Context;

use super::Globals;
use crate::cli::SchemaArgs;

/// Prints the schema, or writes it to `--output`.
pub fn execute(globals: &Globals, args: &SchemaArgs) -> anyhow::Result<u8> {
    let text = crate::config::json_schema_text();
    match &args.output {
        Some(path) => {
            let path = globals.cwd.join(path);
            std::fs::write(&path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(0)
}
