//! Deciding `if:` conditions. Everything but the run's status (git, env,
//! changed files) is decided when the run is planned; `failure()` and
//! `success()` when the executor reaches the action. A false condition
//! names the part of it that was false.

use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::path::Path;

use crate::config::condition::{Expr, Operand, Status};
use crate::config::Condition;
use crate::config::Pattern;

/// A condition with its plan-time parts decided.
#[derive(Clone, Debug)]
pub struct PlannedCondition {
    /// The expression as written (normalised spacing).
    pub text: String,
    expr: Expr,
    /// Each plan-time part (by its text): its value and, when useful, why.
    decided: BTreeMap<String, (bool, String)>,
}

/// What plan-time parts are decided from.
pub struct Facts<'a> {
    /// A variable's value: `git.branch`, `env.CI`, …
    pub var: &'a dyn Fn(&str) -> Option<String>,
    /// Changed files under the pipeline root, computed on first use.
    pub changed: &'a ChangedFiles,
}

/// The changed files of a run, read from git once when a condition asks.
pub struct ChangedFiles {
    root: std::path::PathBuf,
    commit: Option<String>,
    paths: OnceCell<Result<Option<Vec<String>>, String>>,
}

impl ChangedFiles {
    /// Changed files of the repository holding `root`; with `commit` (a
    /// snapshot run), those of that commit, uncommitted work left out.
    pub fn new(root: &Path, commit: Option<String>) -> ChangedFiles {
        ChangedFiles {
            root: root.to_path_buf(),
            commit,
            paths: OnceCell::new(),
        }
    }

    fn get(&self) -> &Result<Option<Vec<String>>, String> {
        self.paths.get_or_init(|| {
            crate::git::changed::changed_paths(&self.root, self.commit.as_deref())
                .map_err(|e| format!("cannot tell which files changed: {}", e.message()))
        })
    }
}

impl PlannedCondition {
    /// Decides every part of `condition` that does not depend on the run's
    /// status; an error when git cannot say what changed.
    pub fn new(condition: &Condition, facts: &Facts<'_>) -> Result<PlannedCondition, String> {
        let mut decided = BTreeMap::new();
        decide(&condition.expr, facts, &mut decided)?;
        Ok(PlannedCondition {
            text: condition.expr.to_string(),
            expr: condition.expr.clone(),
            decided,
        })
    }

    /// Whether the run's status matters (it is decided when reached).
    pub fn needs_status(&self) -> bool {
        self.expr.mentions(&|_| true)
    }

    /// `Err(why)` when false already at plan time, whatever the status.
    pub fn plan_time(&self) -> Result<(), String> {
        match self.eval(&self.expr, None) {
            Some(false) => Err(self.why_false(&self.expr, None)),
            _ => Ok(()),
        }
    }

    /// `Err(why)` when false, given whether something failed so far.
    pub fn check(&self, failed: bool) -> Result<(), String> {
        match self.eval(&self.expr, Some(failed)) {
            Some(false) => Err(self.why_false(&self.expr, Some(failed))),
            _ => Ok(()),
        }
    }

    /// Three-valued: `None` when it depends on a status not known yet.
    fn eval(&self, expr: &Expr, failed: Option<bool>) -> Option<bool> {
        match expr {
            Expr::Or(a, b) => match (self.eval(a, failed), self.eval(b, failed)) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            },
            Expr::And(a, b) => match (self.eval(a, failed), self.eval(b, failed)) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            },
            Expr::Not(a) => self.eval(a, failed).map(|v| !v),
            Expr::Group(a) => self.eval(a, failed),
            Expr::Status(Status::Always) => Some(true),
            Expr::Status(Status::Failure) => failed,
            Expr::Status(Status::Success) => failed.map(|f| !f),
            leaf => self.decided.get(&leaf.to_string()).map(|(v, _)| *v),
        }
    }

    /// The smallest part of a false `expr` that makes it false.
    fn why_false(&self, expr: &Expr, failed: Option<bool>) -> String {
        match expr {
            Expr::And(a, b) => {
                let first = if self.eval(a, failed) == Some(false) {
                    a
                } else {
                    b
                };
                self.why_false(first, failed)
            }
            Expr::Group(inner) if !matches!(**inner, Expr::Or(..)) => self.why_false(inner, failed),
            leaf => match self.decided.get(&leaf.to_string()) {
                Some((_, detail)) if !detail.is_empty() => {
                    format!("{leaf} is false ({detail})")
                }
                _ => format!("{leaf} is false"),
            },
        }
    }
}

fn decide(
    expr: &Expr,
    facts: &Facts<'_>,
    decided: &mut BTreeMap<String, (bool, String)>,
) -> Result<(), String> {
    let value = |o: &Operand| match o {
        Operand::Var(name) => (facts.var)(name),
        Operand::Literal(text) => Some(text.clone()),
    };
    let shown = |o: &Operand, v: &Option<String>| match (o, v) {
        (Operand::Var(name), Some(v)) => format!("{name} is '{v}'"),
        (Operand::Var(name), None) => format!("{name} is not set"),
        (Operand::Literal(_), _) => String::new(),
    };
    let outcome = match expr {
        Expr::Or(a, b) | Expr::And(a, b) => {
            decide(a, facts, decided)?;
            return decide(b, facts, decided);
        }
        Expr::Not(a) | Expr::Group(a) => return decide(a, facts, decided),
        Expr::Status(_) => return Ok(()),
        Expr::Compare { left, right, equal } => {
            let (l, r) = (value(left), value(right));
            let same = l.as_deref().unwrap_or("") == r.as_deref().unwrap_or("");
            let details: Vec<String> = [shown(left, &l), shown(right, &r)]
                .into_iter()
                .filter(|d| !d.is_empty())
                .collect();
            (same == *equal, details.join(", "))
        }
        Expr::Truthy(operand) => {
            let v = value(operand);
            let truthy = v
                .as_deref()
                .is_some_and(|v| !v.is_empty() && v != "false" && v != "0");
            let detail = match (&v, operand) {
                (Some(v), _) if v.is_empty() => format!("{operand} is empty"),
                (_, Operand::Var(_)) => shown(operand, &v),
                _ => String::new(),
            };
            (truthy, detail)
        }
        Expr::Changed(globs) => match facts.changed.get() {
            Err(why) => return Err(why.clone()),
            Ok(None) => (
                true,
                "not a git repository: everything counts as changed".into(),
            ),
            Ok(Some(paths)) => {
                // Matched as `inputs:` are: `*` stays within a folder, and
                // a plain path names a file or everything below a folder.
                let patterns: Vec<Pattern> = globs.iter().map(|g| Pattern::new(g)).collect();
                let hit = paths.iter().any(|p| patterns.iter().any(|g| g.matches(p)));
                let detail = if paths.is_empty() {
                    "nothing changed".to_string()
                } else {
                    String::new()
                };
                (hit, detail)
            }
        },
    };
    decided.insert(expr.to_string(), outcome);
    Ok(())
}

/// Fills each `if:`'s [`Condition::preview`] with what a run planned now
/// would make of it; left empty when the pipeline cannot be planned (a
/// missing secret, say): `gantry list` and `graph` then show the `if:` only.
pub fn preview(pipeline: &mut crate::config::Pipeline) {
    if !pipeline
        .stages
        .iter()
        .flat_map(|s| &s.actions)
        .any(|a| a.condition.is_some())
    {
        return;
    }
    let options = super::PlanOptions {
        selection: &super::Selection::default(),
        cli_env: &[],
        run_id: "preview".into(),
        git: crate::git::GitInfo::discover(&pipeline.root),
    };
    let Ok(plan) = super::plan(pipeline, options) else {
        return;
    };
    for planned in plan.stages.iter().flat_map(|s| s.groups.iter().flatten()) {
        let Some(condition) = &planned.condition else {
            continue;
        };
        let verdict = match condition.plan_time() {
            Err(why) => format!("would skip: {why}"),
            Ok(()) => format!("if: {}", condition.text),
        };
        let action = pipeline
            .stages
            .iter_mut()
            .filter(|s| s.name == planned.stage)
            .flat_map(|s| s.actions.iter_mut())
            .find(|a| a.name == planned.name);
        if let Some(c) = action.and_then(|a| a.condition.as_mut()) {
            c.preview = Some(verdict);
        }
    }
}
