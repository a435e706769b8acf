//! GitLab CI: each job of `.gitlab-ci.yml` that can run locally becomes an
//! action running its `before_script` and `script`. Jobs with `services:`,
//! an `environment:`, `when: manual`, a deploy or release stage, or a
//! `trigger:` are skipped, and so are commands that need CI variables.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::{command, Derived, Found, Skipped};

/// Top-level keys that are settings, not jobs.
const RESERVED: &[&str] = &[
    "stages",
    "variables",
    "default",
    "include",
    "workflow",
    "image",
    "services",
    "before_script",
    "after_script",
    "cache",
];

const FILE: &str = ".gitlab-ci.yml";

/// The lines of a `script:` value: a string or a list of strings.
fn lines(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => s.lines().map(String::from).collect(),
        Value::Array(items) => items.iter().flat_map(lines).collect(),
        _ => Vec::new(),
    }
}

/// The actions of `.gitlab-ci.yml` under `root`.
pub fn read(root: &Path) -> Found {
    let mut found = Found::default();
    let Some(text) = crate::scaffold::facts::read(root, FILE) else {
        return found;
    };
    let doc: BTreeMap<String, Value> = match serde_saphyr::from_str(&text) {
        Ok(doc) => doc,
        Err(e) => {
            found.skipped.push(Skipped {
                action: None,
                origin: FILE.into(),
                reason: format!(
                    "gantry cannot read it: {}",
                    e.to_string().lines().next().unwrap_or("")
                ),
            });
            return found;
        }
    };
    let default_before = doc
        .get("default")
        .and_then(|d| d.get("before_script"))
        .or_else(|| doc.get("before_script"))
        .map(lines)
        .unwrap_or_default();
    for (id, job) in &doc {
        if RESERVED.contains(&id.as_str()) || id.starts_with('.') || !job.is_object() {
            continue;
        }
        let Some(script) = job.get("script") else {
            continue;
        };
        let origin = format!("{FILE}, job {id}");
        if let Some(reason) = skip_reason(id, job) {
            found.skipped.push(Skipped {
                origin,
                reason,
                action: None,
            });
            continue;
        }
        let before = job
            .get("before_script")
            .map(lines)
            .unwrap_or_else(|| default_before.clone());
        let all: Vec<String> = before
            .into_iter()
            .chain(lines(script))
            .filter(|l| !l.trim().is_empty())
            .collect();
        let joined = all.join("\n");
        if let Some(reason) = command::not_local(&joined)
            .map(|n| n.reason)
            .or_else(|| ci_variables(&joined))
        {
            found.skipped.push(Skipped {
                origin,
                reason,
                action: None,
            });
            continue;
        }
        let stage = job.get("stage").and_then(Value::as_str).unwrap_or("test");
        let last = all.last().cloned().unwrap_or_default();
        found.actions.push(Derived {
            phase: stage_phase(stage).unwrap_or_else(|| command::phase(&last, id)),
            name: command::slug(id),
            runs_tests: command::is_test_run(&all.join("\n"), &format!("{stage} {id}")),
            notes: Vec::new(),
            rewrites: command::rewrites(&joined),
            env: Vec::new(),
            shell: None,
            lines: all.iter().map(|l| command::escape_vars(l)).collect(),
            dir: String::new(),
            origin,
        });
    }
    found
}

/// The phase a GitLab stage name means, when it names one.
fn stage_phase(stage: &str) -> Option<&'static str> {
    match stage {
        "build" | "compile" => Some("compile"),
        "lint" | "check" | "static" => Some("lint"),
        "test" | "tests" => Some("test"),
        _ => None,
    }
}

fn skip_reason(id: &str, job: &Value) -> Option<String> {
    let stage = job.get("stage").and_then(Value::as_str).unwrap_or("");
    if job.get("services").is_some() {
        return Some("it needs services (containers GitLab starts next to the job)".into());
    }
    if job.get("trigger").is_some() {
        return Some("it triggers another pipeline".into());
    }
    if job.get("environment").is_some()
        || ["deploy", "release", "publish", "pages"]
            .iter()
            .any(|w| stage.contains(w) || id.contains(w))
    {
        return Some("it deploys or publishes".into());
    }
    if job.get("when").and_then(Value::as_str) == Some("manual") {
        return Some("it runs only when started by hand (`when: manual`)".into());
    }
    None
}

/// Why commands that read GitLab's `$CI_…` variables cannot run locally.
fn ci_variables(text: &str) -> Option<String> {
    (text.contains("$CI_") || text.contains("${CI_"))
        .then(|| "it reads GitLab's CI variables (`$CI_…`)".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_become_actions_by_stage() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(
            tmp.path().join(FILE),
            "stages: [build, test, deploy]\ndefault:\n  before_script: [echo hi]\n.tmpl:\n  script: [x]\ncompile:\n  stage: build\n  script: make all\nunit:\n  stage: test\n  script:\n    - make test\nint:\n  services: [postgres]\n  script: [make it]\nship:\n  stage: deploy\n  script: [./ship]\n",
        )
        .unwrap();
        let found = read(tmp.path());
        let got: Vec<(&str, &str, Vec<String>)> = found
            .actions
            .iter()
            .map(|a| (a.phase, a.name.as_str(), a.lines.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "compile",
                    "compile",
                    vec!["echo hi".into(), "make all".into()]
                ),
                ("test", "unit", vec!["echo hi".into(), "make test".into()]),
            ]
        );
        assert_eq!(found.skipped.len(), 2, "{:?}", found.skipped);
    }
}
