//! GitLab CI/CD: one GitLab stage per `run_order` group (so groups run in
//! parallel and in order), one job per action with `needs` on the group
//! before, `when: always` for clean-up, `allow_failure` for
//! `continue_on_error`, `timeout`, and approval gates as blocking manual jobs.
//! Secrets are CI/CD variables defined in the project, never written here.
//!
//! Every GitLab job starts from a clean checkout, so an action's declared
//! `outputs:` are its job's `artifacts:`, and every later job `needs` the
//! jobs whose outputs it may use (GitLab only hands a job the artifacts of
//! the jobs it `needs`). Each job runs in the `image:` of the toolchain the
//! repository declares ([`super::toolchain`]).

use super::yaml::{self, s, Node};
use super::{double_quoted, minutes, Job, Model, Work, SHORT_SHA};

/// The `.gitlab-ci.yml` text.
pub fn render(model: &Model<'_>) -> String {
    let mut stages: Vec<String> = Vec::new();
    for job in &model.jobs {
        let name = stage_name(model, job);
        if !stages.contains(&name) {
            stages.push(name);
        }
    }
    let mut variables = model.gantry_env(
        "$CI_COMMIT_SHA",
        "$CI_COMMIT_BRANCH",
        "$CI_COMMIT_TAG",
        "$CI_PIPELINE_IID",
    );
    variables.extend(model.env.iter().cloned());
    let mut doc = vec![
        (
            "stages".to_string(),
            Node::Seq(stages.into_iter().map(s).collect()),
        ),
        (
            "variables".into(),
            Node::Map(variables.into_iter().map(|(k, v)| (k, s(v))).collect()),
        ),
    ];
    for (index, job) in model.jobs.iter().enumerate() {
        doc.push((
            job_name(job.stage, &job.action.name),
            self::job(model, index, job),
        ));
    }
    let mut out = super::header(
        model,
        "gitlab-ci",
        "Secrets to define as masked CI/CD variables of the project",
        "define its variables as CI/CD variables",
    );
    out.push_str(&yaml::render(&Node::Map(doc)));
    out
}

fn job_name(stage: &str, action: &str) -> String {
    format!("{stage}:{action}")
}

/// The GitLab stage of a job: the gantry stage, `-N` for its later groups.
fn stage_name(model: &Model<'_>, job: &Job<'_>) -> String {
    let groups = model
        .jobs
        .iter()
        .filter(|j| j.stage == job.stage)
        .map(|j| j.group)
        .max()
        .unwrap_or(0);
    if groups == 0 {
        job.stage.to_string()
    } else {
        format!("{}-{}", job.stage, job.group + 1)
    }
}

fn job(model: &Model<'_>, index: usize, job: &Job<'_>) -> Node {
    let mut fields = vec![("stage".to_string(), s(stage_name(model, job)))];
    if let (Work::Shell { .. }, Some(image)) = (&job.work, model.toolchains.image_for(job)) {
        fields.push(("image".into(), s(image)));
    }
    // A clean-up job waits for every earlier stage through stage order
    // instead (and so gets every earlier artifact): GitLab skips a job
    // whose `needs` were skipped.
    if !job.action.always {
        fields.push(("needs".into(), Node::Seq(needs(model, index, job))));
    }
    let mut variables = vec![
        ("GANTRY_STAGE".to_string(), s(job.stage)),
        ("GANTRY_ACTION".into(), s(&job.action.name)),
    ];
    variables.extend(job.env.iter().map(|(k, v)| (k.clone(), s(v))));
    let needed = match job.work {
        Work::Shell { .. } => super::services::for_stages(model.services, &[job.stage]),
        Work::Approval(_) => Vec::new(),
    };
    if !needed.is_empty() {
        let (services, env) = super::services::gitlab(&needed);
        fields.push(("services".into(), services));
        variables.extend(env);
    }
    fields.push(("variables".into(), Node::Map(variables)));
    if let Some(t) = job.action.timeout {
        fields.push(("timeout".into(), s(format!("{} minutes", minutes(t)))));
    }
    if job.action.continue_on_error {
        fields.push(("allow_failure".into(), Node::Raw("true".into())));
    }
    fields.push(("script".into(), Node::Seq(script(job))));
    if let Some(artifacts) = artifacts(job) {
        fields.push(("artifacts".into(), artifacts));
    }
    match &job.work {
        Work::Shell { .. } if job.action.always => fields.push(("when".into(), s("always"))),
        Work::Shell { .. } => {}
        Work::Approval(_) => {
            fields.push(("when".into(), s("manual")));
            fields.push(("allow_failure".into(), Node::Raw("false".into())));
        }
    }
    Node::Map(fields)
}

/// The jobs of the group before, then every earlier job with `outputs:`
/// (in an earlier group, so finished before this one starts) whose
/// artifacts this job may use; an approval gate needs only the group before.
fn needs(model: &Model<'_>, index: usize, job: &Job<'_>) -> Vec<Node> {
    let mut names: Vec<String> = job.needs.iter().map(|(st, a)| job_name(st, a)).collect();
    if matches!(job.work, Work::Shell { .. }) {
        let earlier = model.jobs[..index]
            .iter()
            .filter(|j| !j.action.outputs.is_empty())
            .filter(|j| (j.stage, j.group) != (job.stage, job.group));
        for producer in earlier {
            let name = job_name(producer.stage, &producer.action.name);
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names.into_iter().map(s).collect()
}

/// The job's declared `outputs:` as `artifacts:` (`!` patterns as
/// `exclude:`), kept a day: long enough for the rest of the pipeline.
fn artifacts(job: &Job<'_>) -> Option<Node> {
    let (exclude, paths): (Vec<&String>, Vec<&String>) =
        job.action.outputs.iter().partition(|p| p.starts_with('!'));
    if paths.is_empty() {
        return None;
    }
    let mut fields = vec![(
        "paths".to_string(),
        Node::Seq(paths.into_iter().map(|p| s(p.as_str())).collect()),
    )];
    if !exclude.is_empty() {
        let exclude = exclude.into_iter().map(|p| s(&p[1..])).collect();
        fields.push(("exclude".into(), Node::Seq(exclude)));
    }
    fields.push(("expire_in".into(), s("1 day")));
    Some(Node::Map(fields))
}

/// The job's `script:`: the `GANTRY_*` and `export` lines, then the command
/// (one entry per line of a `script:`, which GitLab checks line by line).
fn script(job: &Job<'_>) -> Vec<Node> {
    let mut script = vec![s(SHORT_SHA)];
    match &job.work {
        Work::Shell {
            shell,
            errexit,
            text,
        } => {
            script.extend(job.prologue.iter().map(s));
            if shell == "sh" && *errexit {
                script.extend(text.lines().map(s));
            } else if shell == "sh" {
                script.push(Node::Block(text.clone()));
            } else {
                let flag = if *errexit { " -e" } else { "" };
                let quoted = super::single_quoted(text);
                script.push(s(format!("{shell}{flag} -c {quoted}")));
            }
        }
        Work::Approval(message) => {
            script.push(s(format!("echo \"approved: {}\"", double_quoted(message))));
        }
    }
    script
}
