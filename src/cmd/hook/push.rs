//! Which stages a `git push` runs: the selection recorded by `gantry hook
//! install`, applied to the pipeline as committed in the pushed commit. By
//! default a push runs every stage that neither deploys nor asks for
//! approval — a push must never deploy.

use std::path::Path;

use anyhow::Context;

use crate::cli::HookStages;
use crate::config::{self, ActionKind, Pipeline, Stage};
use crate::error::UsageError;
use crate::plan::{self, Selection};

/// The stages a push runs, and a sentence saying why.
#[derive(Debug, PartialEq, Eq)]
pub struct PushStages {
    /// Stage names, in pipeline order (may be empty).
    pub run: Vec<String>,
    /// Why these stages (and not the others), for the hook's first line.
    pub why: String,
}

/// Why a stage is left out of a push by default, if it is.
fn unsafe_for_push(stage: &Stage) -> Option<&'static str> {
    let kinds = || stage.actions.iter().map(|a| &a.kind);
    if kinds().any(|k| matches!(k, ActionKind::Deploy(_))) {
        Some("deploys")
    } else if kinds().any(|k| matches!(k, ActionKind::Approval { .. })) {
        Some("asks for approval")
    } else {
        None
    }
}

/// Applies `wanted` to `pipeline`. A `--skip` naming a stage the pipeline
/// no longer has is ignored; an unknown `--to` is an error (where to stop
/// is then unknown, and the hook fails closed).
pub fn choose(pipeline: &Pipeline, wanted: &HookStages) -> Result<PushStages, UsageError> {
    let skip: Vec<String> = wanted
        .skip
        .iter()
        .filter(|s| pipeline.stages.iter().any(|st| &&st.name == s))
        .cloned()
        .collect();
    let selection = Selection {
        to: wanted.to.clone(),
        skip: skip.clone(),
        ..Selection::default()
    };
    if let Some(to) = wanted
        .to
        .as_deref()
        .filter(|to| !stage_exists(pipeline, to))
    {
        let names: Vec<&str> = pipeline.stages.iter().map(|s| s.name.as_str()).collect();
        return Err(UsageError(format!(
            "the hook was installed with `--to {to}`, and the pipeline has no stage `{to}` \
             (stages: {}); install it again with `gantry hook install --to STAGE`",
            names.join(", ")
        )));
    }
    // With every stage skipped, nothing is left: not an error for a push.
    let chosen = plan::select(pipeline, &selection).unwrap_or_default();
    let mut run = Vec::new();
    let mut left_out = Vec::new();
    for i in chosen {
        let stage = &pipeline.stages[i];
        match unsafe_for_push(stage) {
            Some(reason) if !wanted.all => left_out.push(format!("{} ({reason})", stage.name)),
            _ => run.push(stage.name.clone()),
        }
    }
    let mut why = Vec::new();
    if wanted.all {
        why.push("every stage, deploys and approvals included (installed with --all)".to_string());
    } else {
        why.push("the stages that neither deploy nor ask for approval".to_string());
    }
    if let Some(to) = &wanted.to {
        why.push(format!("up to {to} (--to)"));
    }
    if !skip.is_empty() {
        why.push(format!("without {} (--skip)", skip.join(", ")));
    }
    let mut why = why.join(", ");
    if !left_out.is_empty() {
        why.push_str(&format!(
            "; left out: {} — a push never deploys",
            left_out.join(", ")
        ));
    }
    why.push_str("; change with `gantry hook install --to/--skip/--all`");
    Ok(PushStages { run, why })
}

fn stage_exists(pipeline: &Pipeline, name: &str) -> bool {
    pipeline.stages.iter().any(|s| s.name == name)
}

/// The pipeline as committed in `commit`, read from git's objects (nothing
/// is checked out): the config `gantry run --snapshot` would find from `workdir`.
pub fn committed_pipeline(workdir: &Path, commit: &str) -> anyhow::Result<Pipeline> {
    let real = config::find_config(workdir, None)?;
    let repo = git2::Repository::discover(workdir).context("cannot open the repository")?;
    let top = repo
        .workdir()
        .and_then(|w| w.canonicalize().ok())
        .context("the repository has no work tree")?;
    let relative = real
        .canonicalize()
        .ok()
        .and_then(|r| r.strip_prefix(&top).ok().map(Path::to_path_buf))
        .with_context(|| format!("{} is outside the repository", real.display()))?;
    let tree = repo
        .revparse_single(commit)
        .and_then(|o| o.peel_to_tree())
        .with_context(|| format!("cannot read commit {commit}"))?;
    let short: String = commit.chars().take(7).collect();
    let blob = tree
        .get_path(&relative)
        .and_then(|entry| entry.to_object(&repo))
        .and_then(|object| object.peel_to_blob())
        .map_err(|_| {
            UsageError(format!(
                "{} is not committed at {short}; commit it, or push with --no-verify",
                real.display()
            ))
        })?;
    if blob.size() as u64 > crate::fsutil::MAX_READ {
        return Err(UsageError(format!(
            "{}@{short} is larger than {} MiB",
            real.display(),
            crate::fsutil::MAX_READ >> 20
        ))
        .into());
    }
    let text = std::str::from_utf8(blob.content())
        .map_err(|_| UsageError(format!("{}@{short} is not UTF-8", real.display())))?;
    // Included files come from the same commit, found relative to the
    // config's place in the tree.
    let base = real.parent().unwrap_or(Path::new(""));
    let tree_dir = relative.parent().unwrap_or(Path::new(""));
    let read = |path: &Path| -> Result<Vec<u8>, String> {
        let in_tree = config::normalize(&tree_dir.join(config::relative_to(path, base)));
        tree.get_path(&in_tree)
            .and_then(|entry| entry.to_object(&repo))
            .and_then(|object| object.peel_to_blob())
            .map(|blob| blob.content().to_vec())
            .map_err(|_| format!("not committed at {short}"))
    };
    config::load_text_with(&real, text, &read).map_err(|diagnostics| {
        crate::diagnostics::ConfigError {
            file: format!("{}@{short}", real.display()),
            diagnostics,
        }
        .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PIPELINE: &str = "version: 1
stages:
  - { name: lint, run: 'true' }
  - { name: test, run: 'true' }
  - name: gate
    approval: Ship?
  - name: ship
    deploy: { group: dev }
  - { name: smoke, run: 'true' }
deploy_groups:
  dev: { instances: 1 }
";

    fn pipeline() -> Pipeline {
        config::load_text(Path::new("gantry.yml"), PIPELINE).expect("valid")
    }

    fn run(wanted: HookStages) -> Vec<String> {
        choose(&pipeline(), &wanted).unwrap().run
    }

    #[test]
    fn by_default_a_push_leaves_out_deploys_and_approvals() {
        let chosen = choose(&pipeline(), &HookStages::default()).unwrap();
        assert_eq!(chosen.run, ["lint", "test", "smoke"]);
        assert!(
            chosen.why.contains("gate (asks for approval)"),
            "{}",
            chosen.why
        );
        assert!(chosen.why.contains("ship (deploys)"), "{}", chosen.why);
    }

    #[test]
    fn to_skip_and_all_narrow_or_widen_it() {
        let to = |s: &str| HookStages {
            to: Some(s.into()),
            ..HookStages::default()
        };
        assert_eq!(run(to("test")), ["lint", "test"]);
        assert_eq!(
            run(HookStages {
                skip: vec!["lint".into(), "gone".into()],
                ..HookStages::default()
            }),
            ["test", "smoke"]
        );
        assert_eq!(
            run(HookStages {
                all: true,
                ..to("ship")
            }),
            ["lint", "test", "gate", "ship"]
        );
        assert!(choose(&pipeline(), &to("nope")).is_err());
    }
}
