//! AWS CodeBuild `buildspec.yml` (version 0.2): one build, every action a
//! command of the `build` phase in pipeline order (a buildspec has no
//! parallelism, so `run_order` groups run one after another), each in its
//! own shell with `timeout` when it has one; `always` actions in `finally`.
//! Secrets come from Secrets Manager (placeholder ids to adjust). A
//! `matrix:` action is one command per cell, its values written in; with
//! `fail_fast: false` the cells after a failing one still run, and the
//! build fails after the last.

use super::yaml::{self, s, Node};
use super::{double_quoted, single_quoted, Job, Model, Work, SHORT_SHA};

/// The buildspec text; a pipeline whose commands run in more than one
/// `container:` image cannot be one build.
pub fn render(model: &Model<'_>) -> Result<String, String> {
    let image = image(model)?;
    let env = env(model);
    let mut commands = vec![s(
        "export GANTRY_GIT_SHA=\"${CODEBUILD_RESOLVED_SOURCE_VERSION}\" GANTRY_RUN_ID=\"${CODEBUILD_BUILD_NUMBER}\" GANTRY_GIT_BRANCH=\"${CODEBUILD_WEBHOOK_HEAD_REF#refs/heads/}\"",
    )];
    commands.push(s(SHORT_SHA));
    // Actions may write outputs; no later command reads them here.
    commands.push(s("GANTRY_OUTPUT=$(mktemp); export GANTRY_OUTPUT"));
    let mut finally = Vec::new();
    for (i, job) in model.jobs.iter().enumerate() {
        let list = if job.action.always {
            &mut finally
        } else {
            &mut commands
        };
        list.push(Node::Block(command(job)));
        if let Some(check) = cells_failed(job, model.jobs.get(i + 1)) {
            list.push(s(check));
        }
    }
    let mut build = vec![
        ("on-failure".to_string(), s("ABORT")),
        ("commands".into(), Node::Seq(commands)),
    ];
    if !finally.is_empty() {
        build.push(("finally".into(), Node::Seq(finally)));
    }
    let doc = Node::Map(vec![
        ("version".into(), Node::Raw("0.2".into())),
        ("env".into(), env),
        (
            "phases".into(),
            Node::Map(vec![("build".into(), Node::Map(build))]),
        ),
    ]);
    let mut out = super::header(
        model,
        "codebuild",
        "Secrets (adjust the Secrets Manager ids under env.secrets-manager)",
        "add its variables under env.variables",
    );
    if let Some(image) = image {
        out.push_str(&format!(
            "# Image: a buildspec cannot name its image; set the project's environment image to {image}\n\
             # (`aws codebuild update-project --name PROJECT --environment type=LINUX_CONTAINER,computeType=BUILD_GENERAL1_SMALL,image={image}`).\n"
        ));
    }
    out.push_str(&yaml::render(&doc));
    Ok(out)
}

/// The one image every command runs in (`container:`), if any.
fn image(model: &Model<'_>) -> Result<Option<String>, String> {
    let commands = model
        .jobs
        .iter()
        .filter(|j| matches!(j.work, Work::Shell { .. }));
    let mut images: Vec<(Option<&String>, String)> = Vec::new();
    for job in commands {
        if !images.iter().any(|(i, _)| *i == job.container.as_ref()) {
            images.push((job.container.as_ref(), job.key()));
        }
    }
    match images.as_slice() {
        [] | [(None, _)] => Ok(None),
        [(Some(image), _)] => Ok(Some(image.to_string())),
        [(a, first), (b, second), ..] => Err(format!(
            "a CodeBuild build runs in one image, but {first} runs in {} and {second} in {}; \
             give every command the same `container:`, or export to codepipeline (one CodeBuild project per action)",
            a.map_or("the build's own image", |i| i.as_str()),
            b.map_or("the build's own image", |i| i.as_str())
        )),
    }
}

/// `env:`: literal variables, and secrets from Secrets Manager.
fn env(model: &Model<'_>) -> Node {
    let mut variables = model.gantry_env(
        "${CODEBUILD_RESOLVED_SOURCE_VERSION}",
        "${CODEBUILD_WEBHOOK_HEAD_REF#refs/heads/}",
        "",
        "${CODEBUILD_BUILD_NUMBER}",
    );
    // CodeBuild does not expand `${…}` in env values: those are set in the shell below.
    variables.retain(|(_, v)| !v.contains('$'));
    variables.extend(model.env.iter().cloned());
    let mut env = vec![(
        "variables".to_string(),
        Node::Map(variables.into_iter().map(|(k, v)| (k, s(v))).collect()),
    )];
    if !model.secrets.is_empty() {
        let secrets = model
            .secrets
            .iter()
            .map(|name| (name.clone(), s(format!("gantry/{}:{name}", model.name))))
            .collect();
        env.push(("secrets-manager".into(), Node::Map(secrets)));
    }
    Node::Map(env)
}

/// One action as one command: a comment naming it, then its script in a
/// shell of its own (so `cd` and `exit` stay inside), with its variables.
fn command(job: &Job<'_>) -> String {
    let mut assignments = vec![
        format!("GANTRY_STAGE={}", single_quoted(job.stage)),
        format!("GANTRY_ACTION={}", single_quoted(&job.action.name)),
    ];
    assignments.extend(
        job.env
            .iter()
            .map(|(k, v)| format!("{k}={}", single_quoted(v))),
    );
    let prefix = assignments.join(" ");
    let run = match &job.work {
        Work::Shell { shell, errexit, .. } => {
            let flag = if *errexit { " -e" } else { "" };
            let timeout = job
                .action
                .timeout
                .map(|t| format!("timeout {}s ", t.as_secs().max(1)))
                .unwrap_or_default();
            format!("{prefix} {timeout}{shell}{flag} -c {}", single_quoted(&job.script()))
        }
        Work::Approval(message) => format!(
            "[ \"${{GANTRY_APPROVE:-}}\" = 1 ] || {{ echo \"approval needed: {}; set GANTRY_APPROVE=1 on the build to approve\"; exit 1; }}",
            double_quoted(message)
        ),
    };
    let keep_going = job.action.matrix.as_ref().is_some_and(|c| !c.fail_fast);
    let run = if job.action.continue_on_error {
        format!(
            "{run} || echo \"gantry: {} failed (continue_on_error)\"",
            job.key()
        )
    } else if keep_going {
        format!(
            "{run} || {{ echo \"gantry: {} failed; the other cells go on (fail_fast: false)\"; GANTRY_CELLS_FAILED=1; }}",
            job.key()
        )
    } else {
        run
    };
    format!("# {}\n{run}", job.key())
}

/// After the last cell of a `fail_fast: false` matrix: fail the build if a
/// cell failed (each cell went on after a failing one).
fn cells_failed(job: &Job<'_>, next: Option<&Job<'_>>) -> Option<String> {
    let cell = job.action.matrix.as_ref().filter(|c| !c.fail_fast)?;
    let same = |j: &Job<'_>| {
        j.stage == job.stage
            && j.action
                .matrix
                .as_ref()
                .is_some_and(|c| c.base == cell.base)
    };
    if next.is_some_and(same) || job.action.continue_on_error {
        return None;
    }
    Some(format!(
        "if [ -n \"${{GANTRY_CELLS_FAILED:-}}\" ]; then echo \"gantry: a cell of {}/{} failed\"; exit 1; fi",
        job.stage, cell.base
    ))
}
