//! `gantry graph`: the pipeline as a diagram.

use std::io::Write;

use super::Globals;
use crate::cli::{GraphArgs, GraphFormat};
use crate::graph::{self, Format};

/// Prints the diagram in the chosen format.
pub fn execute(globals: &Globals, args: &GraphArgs) -> anyhow::Result<u8> {
    let mut pipeline = globals.load_pipeline()?;
    crate::plan::condition::preview(&mut pipeline);
    let format = match args.format {
        GraphFormat::Text => Format::Text,
        GraphFormat::Mermaid => Format::Mermaid,
        GraphFormat::Dot => Format::Dot,
    };
    std::io::stdout()
        .lock()
        .write_all(graph::render(&pipeline, format).as_bytes())?;
    Ok(0)
}
