//! Which stages a run covers: named stages, `--from`, `--to`, `--skip`.

use crate::config::Pipeline;
use crate::error::UsageError;

/// The stage selection from the command line.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Run only these (empty: all).
    pub stages: Vec<String>,
    /// Start at this stage.
    pub from: Option<String>,
    /// Stop after this stage.
    pub to: Option<String>,
    /// Leave these out.
    pub skip: Vec<String>,
}

/// Indices of the selected stages, in pipeline order.
pub fn select(pipeline: &Pipeline, selection: &Selection) -> Result<Vec<usize>, UsageError> {
    let index = |name: &str| {
        pipeline
            .stages
            .iter()
            .position(|s| s.name == name)
            .ok_or_else(|| unknown_stage(pipeline, name))
    };
    let from = selection
        .from
        .as_deref()
        .map(index)
        .transpose()?
        .unwrap_or(0);
    let to = match selection.to.as_deref() {
        Some(name) => index(name)?,
        None => pipeline.stages.len().saturating_sub(1),
    };
    if from > to {
        return Err(UsageError(format!(
            "--from {} comes after --to {} in the pipeline",
            pipeline.stages[from].name, pipeline.stages[to].name
        )));
    }
    let named = selection
        .stages
        .iter()
        .map(|n| index(n))
        .collect::<Result<Vec<_>, _>>()?;
    let skipped = selection
        .skip
        .iter()
        .map(|n| index(n))
        .collect::<Result<Vec<_>, _>>()?;
    let chosen: Vec<usize> = (from..=to)
        .filter(|i| named.is_empty() || named.contains(i))
        .filter(|i| !skipped.contains(i))
        .collect();
    if chosen.is_empty() {
        return Err(UsageError(
            "no stage left to run after --from/--to/--skip".into(),
        ));
    }
    Ok(chosen)
}

fn unknown_stage(pipeline: &Pipeline, name: &str) -> UsageError {
    let names: Vec<&str> = pipeline.stages.iter().map(|s| s.name.as_str()).collect();
    let suggestion = crate::suggest::lead(name, &names);
    UsageError(format!(
        "no stage named `{name}` in {}; {suggestion}stages are: {}",
        pipeline.file.display(),
        names.join(", ")
    ))
}
