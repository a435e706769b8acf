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
//!
//! A `matrix:` action is one job with `parallel: matrix:` listing gantry's
//! cells (GitLab has no `exclude:`); an `if:` becomes `rules:`
//! ([`super::condition`]), and jobs that need a job with rules need it
//! `optional: true` (a job left out by its rules is not in the pipeline).
//! Outputs written to `$GANTRY_OUTPUT` that later jobs read leave the job as
//! a dotenv report, which GitLab turns into variables of the jobs that need it.

use super::condition::{self, Rule};
use super::yaml::{self, s, Node};
use super::{double_quoted, minutes, Job, Matrix, Model, Work, SHORT_SHA};
use crate::cli::ExportTarget;

/// The dotenv report of a job whose outputs later jobs read.
const DOTENV: &str = ".gantry-outputs.env";

/// The `.gitlab-ci.yml` text.
pub fn render(model: &Model<'_>) -> Result<String, String> {
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
            job_name(job.stage, &job.name),
            self::job(model, index, job)?,
        ));
    }
    let mut out = super::header(
        model,
        "gitlab-ci",
        "Secrets to define as masked CI/CD variables of the project",
        "define its variables as CI/CD variables",
    );
    out.push_str(&yaml::render(&Node::Map(doc)));
    Ok(out)
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

fn job(model: &Model<'_>, index: usize, job: &Job<'_>) -> Result<Node, String> {
    let mut fields = vec![("stage".to_string(), s(stage_name(model, job)))];
    let image = job
        .container
        .clone()
        .or_else(|| model.toolchains.image_for(job));
    if let (Work::Shell { .. }, Some(image)) = (&job.work, image) {
        fields.push(("image".into(), s(image)));
    }
    // A clean-up job waits for every earlier stage through stage order
    // instead (and so gets every earlier artifact): GitLab skips a job
    // whose `needs` were skipped.
    if !job.after_failure {
        fields.push(("needs".into(), Node::Seq(needs(model, index, job))));
    }
    let mut variables = vec![
        ("GANTRY_STAGE".to_string(), s(job.stage)),
        (
            "GANTRY_ACTION".into(),
            s(match &job.matrix {
                Some(m) => m.cell_name(&job.name, |k| format!("${k}")),
                None => job.name.clone(),
            }),
        ),
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
    if let Some(matrix) = &job.matrix {
        fields.push((
            "parallel".into(),
            Node::Map(vec![("matrix".into(), parallel(matrix))]),
        ));
    }
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
    let rules = model.condition(
        job,
        |c, resolve| condition::gitlab(&c.expr, resolve, job.after_failure),
        ExportTarget::GitlabCi,
    )?;
    let manual = matches!(job.work, Work::Approval(_));
    match rules {
        Some(rules) => fields.push(("rules".into(), rules_node(model, job, rules, manual)?)),
        None if manual => fields.push(("when".into(), s("manual"))),
        None if job.action.always => fields.push(("when".into(), s("always"))),
        None => {}
    }
    if manual {
        fields.push(("allow_failure".into(), Node::Raw("false".into())));
    }
    Ok(Node::Map(fields))
}

/// `rules:`; an approval's rules start it by hand where the action would run.
fn rules_node(
    model: &Model<'_>,
    job: &Job<'_>,
    rules: Vec<Rule>,
    manual: bool,
) -> Result<Node, String> {
    let mut out = Vec::new();
    for rule in rules {
        let when = match (manual, rule.when) {
            (true, "on_success") => "manual",
            (true, "never") | (false, _) => rule.when,
            (true, _) => {
                return model
                    .condition(
                        job,
                        |_, _| -> Result<(), String> {
                            Err(
                                "a GitLab approval (a manual job) cannot also wait for a failure; \
                                 test only git and env variables in an approval's `if:`"
                                    .into(),
                            )
                        },
                        ExportTarget::GitlabCi,
                    )
                    .map(|_| Node::Seq(Vec::new()))
            }
        };
        let mut fields = Vec::new();
        if let Some(c) = rule.condition {
            fields.push(("if".to_string(), s(c)));
        }
        if !rule.changes.is_empty() {
            fields.push((
                "changes".into(),
                Node::Seq(rule.changes.into_iter().map(s).collect()),
            ));
        }
        fields.push(("when".into(), s(when)));
        out.push(Node::Map(fields));
    }
    Ok(Node::Seq(out))
}

/// `parallel: matrix:` entries: the axes when the cells are every
/// combination of them, else one entry per cell (GitLab has no `exclude:`).
fn parallel(matrix: &Matrix) -> Node {
    let mut axes: Vec<(String, Vec<String>)> = matrix
        .keys
        .iter()
        .map(|k| (k.clone(), Vec::new()))
        .collect();
    for cell in &matrix.cells {
        for (k, v) in cell {
            if let Some((_, values)) = axes.iter_mut().find(|(key, _)| key == k) {
                if !values.contains(v) {
                    values.push(v.clone());
                }
            }
        }
    }
    let product: usize = axes.iter().map(|(_, v)| v.len()).product();
    let complete =
        matrix.cells.iter().all(|c| c.len() == axes.len()) && product == matrix.cells.len();
    let entry = |pairs: Vec<(String, Node)>| Node::Map(pairs);
    if complete {
        let pairs = axes
            .into_iter()
            .map(|(k, vs)| (k, Node::Seq(vs.into_iter().map(s).collect())))
            .collect();
        return Node::Seq(vec![entry(pairs)]);
    }
    Node::Seq(
        matrix
            .cells
            .iter()
            .map(|cell| entry(cell.iter().map(|(k, v)| (k.clone(), s(v))).collect()))
            .collect(),
    )
}

/// The jobs of the group before, then every earlier job with `outputs:`
/// (in an earlier group, so finished before this one starts) whose
/// artifacts this job may use, and the jobs whose outputs it reads; an
/// approval gate needs only the group before. A job with `rules:` may not
/// be in the pipeline: it is needed `optional: true`.
fn needs(model: &Model<'_>, index: usize, job: &Job<'_>) -> Vec<Node> {
    let find = |stage: &str, name: &str| {
        model.jobs[..index]
            .iter()
            .find(|j| j.stage == stage && j.name == name)
    };
    let mut list: Vec<&Job<'_>> = job.needs.iter().filter_map(|(st, a)| find(st, a)).collect();
    if matches!(job.work, Work::Shell { .. }) {
        let earlier = model.jobs[..index]
            .iter()
            .filter(|j| !j.action.outputs.is_empty())
            .filter(|j| (j.stage, j.group) != (job.stage, job.group));
        list.extend(earlier);
        list.extend(job.reads.iter().filter_map(|r| find(&r.stage, &r.action)));
    }
    // A job left out by its rules no longer orders what comes after it:
    // what it waits for is waited for here too.
    let mut i = 0;
    while i < list.len() {
        if list[i].condition.is_some() {
            let before = list[i].needs.iter().filter_map(|(st, a)| find(st, a));
            let before: Vec<&Job<'_>> = before.collect();
            list.extend(before);
        }
        i += 1;
    }
    let mut names: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for j in list {
        // A conditional clean-up job is skipped when nothing failed, and
        // GitLab skips the jobs that need a skipped job.
        if j.after_failure && j.condition.is_some() {
            continue;
        }
        let name = job_name(j.stage, &j.name);
        if names.contains(&name) {
            continue;
        }
        names.push(name.clone());
        out.push(if j.condition.is_some() {
            Node::Map(vec![
                ("job".into(), s(name)),
                ("optional".into(), Node::Raw("true".into())),
            ])
        } else {
            s(name)
        });
    }
    out
}

/// The job's declared `outputs:` as `artifacts:` (`!` patterns as
/// `exclude:`), kept a day: long enough for the rest of the pipeline.
fn artifacts(job: &Job<'_>) -> Option<Node> {
    let (exclude, paths): (Vec<&String>, Vec<&String>) =
        job.action.outputs.iter().partition(|p| p.starts_with('!'));
    let mut fields = Vec::new();
    if !paths.is_empty() {
        fields.push((
            "paths".to_string(),
            Node::Seq(paths.into_iter().map(|p| s(p.as_str())).collect()),
        ));
        if !exclude.is_empty() {
            let exclude = exclude.into_iter().map(|p| s(&p[1..])).collect();
            fields.push(("exclude".into(), Node::Seq(exclude)));
        }
    }
    if !job.writes.is_empty() {
        fields.push((
            "reports".into(),
            Node::Map(vec![("dotenv".into(), s(DOTENV))]),
        ));
    }
    if fields.is_empty() {
        return None;
    }
    fields.push(("expire_in".into(), s("1 day")));
    Some(Node::Map(fields))
}

/// The job's `script:`: the `GANTRY_*` and `export` lines, then the command
/// (one entry per line of a `script:`, which GitLab checks line by line).
fn script(job: &Job<'_>) -> Vec<Node> {
    let mut script = vec![s(SHORT_SHA)];
    if let Work::Shell { .. } = job.work {
        script.push(s("GANTRY_OUTPUT=$(mktemp); export GANTRY_OUTPUT"));
    }
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
            script.extend(job.writes.iter().map(|w| s(dotenv_line(w))));
        }
        Work::Approval(message) => {
            script.push(s(format!("echo \"approved: {}\"", double_quoted(message))));
        }
    }
    script
}

/// Copies output `write` from `$GANTRY_OUTPUT` into the dotenv report,
/// under the variable later jobs read; a multi-line value fails the job
/// (a dotenv report holds one line per variable).
fn dotenv_line(write: &super::OutputRef) -> String {
    let (name, var) = (&write.name, &write.var);
    format!(
        "if grep -q '^{name}<<' \"$GANTRY_OUTPUT\"; then echo \"gantry: output {name} has several lines, which a GitLab dotenv report cannot carry\" >&2; exit 1; fi; \
         printf '%s=%s\\n' {var} \"$(sed -n 's/^{name}=//p' \"$GANTRY_OUTPUT\" | tail -n 1)\" >> \"$CI_PROJECT_DIR/{DOTENV}\""
    )
}
