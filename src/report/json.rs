//! The run summary as one pretty JSON document: `run.json` in the run's
//! record, and `--output json` on stdout.

use std::io::Write;

use super::Reporter;
use crate::summary::RunSummary;

/// Writes the summary as JSON.
pub struct JsonSummary<W: Write> {
    out: W,
}

impl<W: Write> JsonSummary<W> {
    /// A reporter writing to `out`.
    pub fn new(out: W) -> Self {
        JsonSummary { out }
    }
}

impl<W: Write> Reporter for JsonSummary<W> {
    fn finish(&mut self, summary: &RunSummary) -> anyhow::Result<()> {
        let mut json = serde_json::to_vec_pretty(summary)?;
        json.push(b'\n');
        self.out.write_all(&json)?;
        self.out.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::{Capture, Run};

    #[test]
    fn the_summary_as_json() {
        let run = Run::new();
        let out = Capture::default();
        insta::assert_snapshot!(run.output(&out, JsonSummary::new(out.clone())));
    }
}
