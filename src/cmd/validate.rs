//! `gantry validate`: check config files and print findings.

use std::io::Write;
use std::path::PathBuf;

use super::Globals;
use crate::cli::{FindingFormat, ValidateArgs};
use crate::config;
use crate::diagnostics::{self, Diagnostic, Sources};
use crate::error::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE};

/// Validates the given paths (or what the repository root holds).
pub fn execute(ctx: &Globals, args: &ValidateArgs) -> anyhow::Result<u8> {
    let files: Vec<PathBuf> = if args.paths.is_empty() {
        vec![config::find_config(&ctx.cwd, ctx.config_file.as_deref())?]
    } else {
        args.paths.iter().map(|p| ctx.cwd.join(p)).collect()
    };
    let mut findings: Vec<Diagnostic> = Vec::new();
    for file in &files {
        if let Err(e) = config::load(file) {
            findings.extend(e.diagnostics);
        }
    }
    print(&findings, args.format, files.len())?;
    let (errors, _) = diagnostics::count(&findings);
    Ok(if errors == 0 {
        EXIT_OK
    } else if findings.iter().any(|d| d.code == "C001") {
        EXIT_USAGE
    } else {
        EXIT_FAILURE
    })
}

fn print(findings: &[Diagnostic], format: FindingFormat, checked: usize) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let mut sources = Sources::default();
    for d in findings {
        match format {
            FindingFormat::Human => write!(out, "{}", diagnostics::render_human(d, &mut sources))?,
            FindingFormat::Json => writeln!(out, "{}", diagnostics::render_json(d))?,
            FindingFormat::Github => writeln!(out, "{}", diagnostics::render_github(d))?,
        }
    }
    if format == FindingFormat::Human {
        let (errors, warnings) = diagnostics::count(findings);
        writeln!(
            out,
            "checked {}: {}, {}",
            crate::error::plural(checked, "file"),
            crate::error::plural(errors, "error"),
            crate::error::plural(warnings, "warning")
        )?;
    }
    Ok(())
}
