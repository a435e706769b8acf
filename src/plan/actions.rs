//! `gantry run STAGE/ACTION` and globs over `stage/action` names
//! (`'test/*'`, `'*/clippy'`): which actions of the selected stages a run
//! keeps. Arguments without a `/` stay whole-stage names (see `select`).

use globset::{GlobBuilder, GlobMatcher};

use super::Plan;
use crate::config::Pipeline;
use crate::error::UsageError;

/// Whether a `gantry run` argument names actions (`STAGE/ACTION`, globs
/// allowed) rather than a whole stage.
pub fn is_action_pattern(arg: &str) -> bool {
    arg.contains('/')
}

/// The `STAGE/ACTION` patterns of a command line, each known to match.
#[derive(Debug, Default)]
pub struct ActionPatterns {
    matchers: Vec<GlobMatcher>,
}

impl ActionPatterns {
    /// Compiles `patterns`; one that is not a valid glob, or that matches no
    /// action of `pipeline`, is an error listing the actions there are.
    pub fn parse(pipeline: &Pipeline, patterns: &[String]) -> Result<Self, UsageError> {
        let keys = action_keys(pipeline);
        let mut matchers = Vec::new();
        for pattern in patterns {
            let matcher = GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| UsageError(format!("`{pattern}` is not a valid pattern: {e}")))?
                .compile_matcher();
            if !keys.iter().any(|k| matcher.is_match(k)) {
                return Err(UsageError(format!(
                    "no action matches `{pattern}` in {}; actions are: {}",
                    pipeline.file.display(),
                    keys.join(", ")
                )));
            }
            matchers.push(matcher);
        }
        Ok(Self { matchers })
    }

    /// Whether there are no patterns (every action of a selected stage runs).
    pub fn is_empty(&self) -> bool {
        self.matchers.is_empty()
    }

    /// Whether `key` (`stage/action`) matches one of the patterns.
    pub fn matches(&self, key: &str) -> bool {
        self.matchers.iter().any(|m| m.is_match(key))
    }

    /// Whether action `name` of `stage` matches, by its own name or, for a
    /// matrix cell, by its `matrix:` action's name (`base`).
    pub fn matches_action(&self, stage: &str, name: &str, base: Option<&str>) -> bool {
        self.matches(&format!("{stage}/{name}"))
            || base.is_some_and(|b| self.matches(&format!("{stage}/{b}")))
    }

    /// The stages holding a matching action, in pipeline order.
    pub fn stages(&self, pipeline: &Pipeline) -> Vec<String> {
        pipeline
            .stages
            .iter()
            .filter(|s| {
                s.actions.iter().any(|a| {
                    let base = a.matrix.as_ref().map(|c| c.base.as_str());
                    self.matches_action(&s.name, &a.name, base)
                })
            })
            .map(|s| s.name.clone())
            .collect()
    }
}

/// Every `stage/action` of `pipeline`, in order (for completion and
/// errors); a `matrix:` action's own name first, then its cells.
pub fn action_keys(pipeline: &Pipeline) -> Vec<String> {
    let mut keys = Vec::new();
    for stage in &pipeline.stages {
        for action in &stage.actions {
            if let Some(cell) = &action.matrix {
                let base = format!("{}/{}", stage.name, cell.base);
                if !keys.contains(&base) {
                    keys.push(base);
                }
            }
            keys.push(format!("{}/{}", stage.name, action.name));
        }
    }
    keys
}

/// Drops from `plan` every action that is neither in one of `whole_stages`
/// nor matched by `patterns`, and the groups and stages left empty. With no
/// patterns the plan is left as it is.
pub fn keep_only(plan: &mut Plan, whole_stages: &[String], patterns: &ActionPatterns) {
    if patterns.is_empty() {
        return;
    }
    for stage in &mut plan.stages {
        if whole_stages.contains(&stage.name) {
            continue;
        }
        for group in &mut stage.groups {
            group.retain(|a| {
                let base = a.matrix.as_ref().map(|c| c.base.as_str());
                patterns.matches_action(&a.stage, &a.name, base)
            });
        }
        stage.groups.retain(|g| !g.is_empty());
    }
    plan.stages.retain(|s| !s.groups.is_empty());
}
