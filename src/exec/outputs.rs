//! `${actions.STAGE.ACTION.outputs.NAME}` at run time: the planner leaves
//! such references as markers; just before an action starts they are
//! replaced by what the earlier action produced, or the action fails saying
//! why the value is missing.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use crate::events::{ActionResult, Status};
use crate::plan::{PlannedAction, Work};
use crate::vars;

/// How each finished action ended and what it produced, by (stage, action).
type Results = HashMap<(String, String), (Status, BTreeMap<String, String>)>;

/// What the finished actions of this run produced.
#[derive(Debug, Default)]
pub struct Produced {
    results: Mutex<Results>,
    /// `stage/action` and status of each action that failed, in the order they ended.
    failures: Mutex<Vec<(String, Status)>>,
}

impl Produced {
    /// Remembers how `result`'s action ended and its outputs.
    pub fn record(&self, result: &ActionResult) {
        let mut results = self.results.lock().unwrap_or_else(|e| e.into_inner());
        results.insert(
            (result.stage.clone(), result.action.clone()),
            (result.status, result.outputs.clone()),
        );
        drop(results);
        if result.status.fails_stage() {
            self.failures
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((format!("{}/{}", result.stage, result.action), result.status));
        }
    }

    /// The actions that failed so far (`stage/action`, status), in the order they ended.
    pub fn failures(&self) -> Vec<(String, Status)> {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// `action` with every output reference filled in; `Ok(None)` when it has
    /// none; the error says which value is missing and why.
    pub fn resolve(&self, action: &PlannedAction) -> Result<Option<PlannedAction>, String> {
        if !mentions_outputs(action) {
            return Ok(None);
        }
        let results = self.results.lock().unwrap_or_else(|e| e.into_inner());
        let mut lookup = |name: &str| value(&results, name);
        let mut fill = |text: &str| vars::resolve_outputs(text, &mut lookup);
        let mut resolved = action.clone();
        resolved.command = fill(&action.command)?;
        for (_, value) in &mut resolved.env {
            *value = fill(value)?;
        }
        resolved.cwd = fill(&action.cwd.to_string_lossy())?.into();
        resolved.work = match &action.work {
            Work::Shell { program, args } => Work::Shell {
                program: program.clone(),
                args: args.iter().map(|a| fill(a)).collect::<Result<_, _>>()?,
            },
            Work::Approval { message } => Work::Approval {
                message: fill(message)?,
            },
            Work::Custom { uses, inputs } => Work::Custom {
                uses: uses.clone(),
                inputs: inputs
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), fill(v)?)))
                    .collect::<Result<_, String>>()?,
            },
            // Output references are not filled in image or deploy settings (yet).
            Work::Image(_) | Work::Deploy(_) => action.work.clone(),
        };
        Ok(Some(resolved))
    }
}

fn mentions_outputs(action: &PlannedAction) -> bool {
    vars::has_outputs(&action.command)
        || action.env.iter().any(|(_, v)| vars::has_outputs(v))
        || vars::has_outputs(&action.cwd.to_string_lossy())
        || match &action.work {
            Work::Custom { inputs, .. } => inputs.iter().any(|(_, v)| vars::has_outputs(v)),
            _ => false,
        }
}

fn value(results: &Results, name: &str) -> Result<String, String> {
    let Some((target, output)) = vars::output_reference(name) else {
        return Err(format!("`${{{name}}}` is not an output reference"));
    };
    let known = |s: &str, a: &str| results.contains_key(&(s.to_string(), a.to_string()));
    let Some((stage, action)) = vars::split_target(target, &known) else {
        return Err(format!(
            "`${{{name}}}`: that action did not run in this run; select its stage too"
        ));
    };
    let (status, outputs) = &results[&(stage.to_string(), action.to_string())];
    if let Some(value) = outputs.get(output) {
        return Ok(value.clone());
    }
    let produced = if outputs.is_empty() {
        "none".to_string()
    } else {
        outputs.keys().cloned().collect::<Vec<_>>().join(", ")
    };
    Err(format!(
        "`${{{name}}}`: {stage}/{action} ({}) has no output `{output}` (its outputs: {produced})",
        status.label()
    ))
}
