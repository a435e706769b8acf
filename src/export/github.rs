//! GitHub Actions: a workflow whose jobs are the pipeline's actions as
//! steps, in order. Every job of a workflow starts from a fresh checkout,
//! and gantry's actions share one working tree (a later stage uses what an
//! earlier one built), so consecutive actions stay in one job; `run_order`
//! groups run one after another there. Each approval gate is a job of its
//! own bound to a protected environment (whose required reviewers approve),
//! and the actions after it form the next job, which `needs` the gate.
//! The declared `outputs:` of a job's actions reach the jobs after a gate
//! as a workflow artifact (a tar archive, which keeps paths and modes).
//! Each job first installs the toolchains the repository declares
//! ([`super::toolchain`]).
//! Steps get `if: always()` for clean-up, `continue-on-error`,
//! `timeout-minutes`; secrets come from `${{ secrets.NAME }}`.

use super::yaml::{self, s, Node};
use super::{double_quoted, minutes, single_quoted, Job, Model, Work, SHORT_SHA};

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
    let segments = segments(model);
    let mut carried = false;
    for (i, segment) in segments.iter().enumerate() {
        let id = segment_id(segment, &jobs);
        let later_steps = segments[i + 1..]
            .iter()
            .any(|s| matches!(s, Segment::Steps(_)));
        let outputs = match segment {
            Segment::Steps(jobs) if later_steps => outputs(jobs),
            _ => Vec::new(),
        };
        let carry = Carry {
            download: carried && matches!(segment, Segment::Steps(_)),
            upload: (!outputs.is_empty()).then(|| (format!("gantry-outputs-{id}"), outputs)),
        };
        carried |= carry.upload.is_some();
        jobs.push((id.clone(), job(model, segment, previous.as_deref(), &carry)));
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

/// What a job hands on to the jobs after it and takes from the jobs before.
struct Carry {
    /// Take the outputs of earlier jobs.
    download: bool,
    /// The artifact name and the output patterns to keep for later jobs.
    upload: Option<(String, Vec<String>)>,
}

/// The declared output patterns of `jobs`' actions, in order.
fn outputs(jobs: &[&Job<'_>]) -> Vec<String> {
    let mut patterns: Vec<String> = Vec::new();
    for pattern in jobs.iter().flat_map(|j| &j.action.outputs) {
        if !patterns.contains(pattern) {
            patterns.push(pattern.clone());
        }
    }
    patterns
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

fn job(model: &Model<'_>, segment: &Segment<'_, '_>, needs: Option<&str>, carry: &Carry) -> Node {
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
    if let Segment::Steps(jobs) = segment {
        let stages: Vec<&str> = jobs.iter().map(|j| j.stage).collect();
        let needed = super::services::for_stages(model.services, &stages);
        if !needed.is_empty() {
            let (services, env) = super::services::github(&needed, &model.secrets);
            fields.push(("services".into(), services));
            fields.push(("env".into(), Node::Map(env)));
        }
    }
    let steps = steps(model, segment, guard, carry);
    fields.push(("steps".into(), Node::Seq(steps)));
    Node::Map(fields)
}

/// A job's steps: checkout, the declared toolchains, the `GANTRY_*`
/// variables, one step per action; for a gate, one step saying what was
/// approved.
fn steps(
    model: &Model<'_>,
    segment: &Segment<'_, '_>,
    guard: Option<&str>,
    carry: &Carry,
) -> Vec<Node> {
    match segment {
        Segment::Steps(jobs) => {
            let variables = format!(
                "{SHORT_SHA}\necho \"GANTRY_GIT_SHORT_SHA=$GANTRY_GIT_SHORT_SHA\" >> \"$GITHUB_ENV\""
            );
            let mut steps = vec![Node::Map(vec![("uses".into(), s("actions/checkout@v4"))])];
            steps.extend(model.toolchains.github_steps());
            if carry.download {
                steps.extend(download_steps(guard.is_some()));
            }
            steps.push(shell_step("gantry variables", variables));
            steps.extend(jobs.iter().map(|j| step(j, guard)));
            if let Some((name, patterns)) = &carry.upload {
                steps.extend(upload_steps(name, patterns));
            }
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

/// Archives the files matching `patterns` (`!` ones left out) and
/// uploads the archive as the artifact `name`.
fn upload_steps(name: &str, patterns: &[String]) -> Vec<Node> {
    let (exclude, include): (Vec<&String>, Vec<&String>) =
        patterns.iter().partition(|p| p.starts_with('!'));
    let mut tar = vec![format!("tar -czf \"$RUNNER_TEMP/{name}.tgz\"")];
    tar.extend(
        exclude
            .iter()
            .map(|p| format!("--exclude={}", single_quoted(&p[1..]))),
    );
    tar.push("--".into());
    // Unquoted, for bash to expand the globs (`**` with globstar).
    tar.extend(include.iter().map(|p| p.replace(' ', "\\ ")));
    let script = format!("shopt -s globstar dotglob\n{}", tar.join(" "));
    vec![
        Node::Map(vec![
            ("name".into(), s("keep outputs for later jobs")),
            ("shell".into(), s("bash -e {0}")),
            ("run".into(), Node::Block(script)),
        ]),
        Node::Map(vec![
            ("uses".into(), s("actions/upload-artifact@v4")),
            (
                "with".into(),
                Node::Map(vec![
                    ("name".into(), s(name)),
                    (
                        "path".into(),
                        s(format!("${{{{ runner.temp }}}}/{name}.tgz")),
                    ),
                    ("retention-days".into(), Node::Raw("1".into())),
                ]),
            ),
        ]),
    ]
}

/// Downloads the outputs of earlier jobs and unpacks them in place; in a
/// clean-up job, missing outputs (an earlier job failed) are no error.
fn download_steps(cleanup: bool) -> Vec<Node> {
    let mut download = vec![
        ("name".to_string(), s("download outputs of earlier jobs")),
        ("uses".into(), s("actions/download-artifact@v4")),
        (
            "with".into(),
            Node::Map(vec![
                ("pattern".into(), s("gantry-outputs-*")),
                ("merge-multiple".into(), Node::Raw("true".into())),
                ("path".into(), s("${{ runner.temp }}/gantry-outputs")),
            ]),
        ),
    ];
    let unpack = "for archive in \"$RUNNER_TEMP\"/gantry-outputs/*.tgz; do\n  [ -f \"$archive\" ] && tar -xzf \"$archive\"\ndone\ntrue";
    let mut unpack = vec![
        ("name".to_string(), s("unpack outputs of earlier jobs")),
        ("shell".into(), s("sh -e {0}")),
        ("run".into(), Node::Block(unpack.into())),
    ];
    if cleanup {
        download.push(("continue-on-error".into(), Node::Raw("true".into())));
        unpack.insert(1, ("if".into(), s("${{ always() }}")));
    }
    vec![Node::Map(download), Node::Map(unpack)]
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
