//! GitHub Actions: a workflow whose jobs are the pipeline's actions as
//! steps, in order. Every job of a workflow starts from a fresh checkout,
//! and gantry's actions share one working tree (a later stage uses what an
//! earlier one built), so consecutive actions stay in one job; `run_order`
//! groups run one after another there. Each approval gate is a job of its
//! own bound to a protected environment (whose required reviewers approve),
//! and the actions after it form the next job, which `needs` the gate.
//! Steps get `if: always()` for clean-up, `continue-on-error`,
//! `timeout-minutes`; secrets come from `${{ secrets.NAME }}`.

use super::yaml::{self, s, Node};
use super::{double_quoted, minutes, Job, Model, Work, SHORT_SHA};

/// A run of actions in one job, or an approval gate.
enum Segment<'m, 'a> {
    Steps(Vec<&'m Job<'a>>),
    Gate(&'m Job<'a>),
}

/// The workflow file.
pub fn render(model: &Model<'_>) -> String {
    let mut env = model.gantry_env(
        "${{ github.sha }}",
        "${{ github.ref_name }}",
        "${{ github.ref_type == 'tag' && github.ref_name || '' }}",
        "${{ github.run_number }}",
    );
    env.extend(model.env.iter().cloned());
    let mut env: Vec<(String, Node)> = env.into_iter().map(|(k, v)| (k, s(v))).collect();
    for secret in &model.secrets {
        env.push((secret.clone(), s(format!("${{{{ secrets.{secret} }}}}"))));
    }
    let mut jobs = Vec::new();
    let mut previous: Option<String> = None;
    for segment in segments(model) {
        let id = segment_id(&segment, &jobs);
        jobs.push((id.clone(), job(&segment, previous.as_deref())));
        previous = Some(id);
    }
    let doc = Node::Map(vec![
        ("name".into(), s(model.name)),
        (
            "on".into(),
            Node::Map(vec![
                ("push".into(), Node::Map(vec![])),
                ("workflow_dispatch".into(), Node::Map(vec![])),
            ]),
        ),
        ("env".into(), Node::Map(env)),
        ("jobs".into(), Node::Map(jobs)),
    ]);
    let mut out = super::header(
        model,
        "github-actions",
        "Secrets to define in the repository settings",
        "define its variables as repository variables",
    );
    out.push_str(&yaml::render(&doc));
    out
}

fn segments<'m, 'a>(model: &'m Model<'a>) -> Vec<Segment<'m, 'a>> {
    let mut segments = Vec::new();
    let mut steps = Vec::new();
    for job in &model.jobs {
        if matches!(job.work, Work::Approval(_)) {
            if !steps.is_empty() {
                segments.push(Segment::Steps(std::mem::take(&mut steps)));
            }
            segments.push(Segment::Gate(job));
        } else {
            steps.push(job);
        }
    }
    if !steps.is_empty() {
        segments.push(Segment::Steps(steps));
    }
    segments
}

/// A job id for `segment`: the first stage's name (a gate's
/// `stage-action`) in letters, digits, `-` and `_`, made unique among `taken`.
fn segment_id(segment: &Segment<'_, '_>, taken: &[(String, Node)]) -> String {
    let raw = match segment {
        Segment::Steps(jobs) => jobs
            .first()
            .map_or("pipeline".into(), |j| j.stage.to_string()),
        Segment::Gate(job) => format!("{}-{}", job.stage, job.action.name),
    };
    let mut base: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !base.starts_with(|c: char| c.is_ascii_alphabetic()) {
        base.insert(0, '_');
    }
    let mut id = base.clone();
    let mut n = 2;
    while taken.iter().any(|(k, _)| *k == id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

fn job(segment: &Segment<'_, '_>, needs: Option<&str>) -> Node {
    let name = match segment {
        Segment::Steps(jobs) => {
            let first = jobs.first().map_or("", |j| j.stage);
            let last = jobs.last().map_or("", |j| j.stage);
            if first == last {
                first.to_string()
            } else {
                format!("{first} … {last}")
            }
        }
        Segment::Gate(job) => format!("approval: {}", job.key()),
    };
    let mut fields = vec![
        ("name".to_string(), s(name)),
        ("runs-on".into(), s("ubuntu-latest")),
    ];
    if let Some(id) = needs {
        fields.push(("needs".into(), Node::Seq(vec![s(id)])));
    }
    // A clean-up step must run after an earlier job failed: the job always
    // starts, and its other steps check that the job before succeeded.
    let guard = match segment {
        Segment::Steps(jobs) if jobs.iter().any(|j| j.action.always) => needs,
        _ => None,
    };
    if guard.is_some() {
        fields.push(("if".into(), s("${{ always() }}")));
    }
    if let Segment::Gate(job) = segment {
        let environment = format!("approval-{}-{}", job.stage, job.action.name);
        fields.push(("environment".into(), s(environment)));
    }
    let steps = steps(segment, guard);
    fields.push(("steps".into(), Node::Seq(steps)));
    Node::Map(fields)
}

/// A job's steps: checkout, the `GANTRY_*` variables, one step per action;
/// for a gate, one step saying what was approved.
fn steps(segment: &Segment<'_, '_>, guard: Option<&str>) -> Vec<Node> {
    match segment {
        Segment::Steps(jobs) => {
            let variables = format!(
                "{SHORT_SHA}\necho \"GANTRY_GIT_SHORT_SHA=$GANTRY_GIT_SHORT_SHA\" >> \"$GITHUB_ENV\""
            );
            let mut steps = vec![
                Node::Map(vec![("uses".into(), s("actions/checkout@v4"))]),
                shell_step("gantry variables", variables),
            ];
            steps.extend(jobs.iter().map(|j| step(j, guard)));
            steps
        }
        Segment::Gate(job) => match &job.work {
            Work::Approval(message) => vec![shell_step(
                &job.key(),
                format!("echo \"approved: {}\"", double_quoted(message)),
            )],
            Work::Shell { .. } => Vec::new(),
        },
    }
}

fn shell_step(name: &str, script: String) -> Node {
    Node::Map(vec![
        ("name".into(), s(name)),
        ("shell".into(), s("sh {0}")),
        ("run".into(), Node::Block(script)),
    ])
}

/// One action as a step; `guard` names the job before when this job runs
/// even after a failure, so that only clean-up steps then run.
fn step(job: &Job<'_>, guard: Option<&str>) -> Node {
    let mut fields = vec![("name".to_string(), s(job.key()))];
    if job.action.always {
        fields.push(("if".into(), s("${{ always() }}")));
    } else if let Some(before) = guard {
        fields.push((
            "if".into(),
            s(format!("needs.{before}.result == 'success'")),
        ));
    }
    if job.action.continue_on_error {
        fields.push(("continue-on-error".into(), Node::Raw("true".into())));
    }
    if let Some(t) = job.action.timeout {
        fields.push(("timeout-minutes".into(), Node::Raw(minutes(t).to_string())));
    }
    let mut env = vec![
        ("GANTRY_STAGE".to_string(), s(job.stage)),
        ("GANTRY_ACTION".into(), s(&job.action.name)),
    ];
    env.extend(job.env.iter().map(|(k, v)| (k.clone(), s(v))));
    fields.push(("env".into(), Node::Map(env)));
    if let Work::Shell { shell, errexit, .. } = &job.work {
        let flag = if *errexit { " -e" } else { "" };
        fields.push(("shell".into(), s(format!("{shell}{flag} {{0}}"))));
    }
    fields.push(("run".into(), Node::Block(job.script())));
    Node::Map(fields)
}
