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
//! A `matrix:` action is a job of its own with `strategy.matrix` (listing
//! gantry's cells, so both agree on them); an `if:` is the step's `if:`
//! ([`super::condition`]). Every step writes `$GANTRY_OUTPUT` into
//! `$GITHUB_OUTPUT`; a later step reads an output through
//! `steps.ID.outputs`, a later job through its job's `outputs:`.

use super::condition::{self, GithubStatus};
use super::yaml::{self, s, Node};
use super::{double_quoted, minutes, single_quoted, Job, Matrix, Model, Work, SHORT_SHA};
use crate::cli::ExportTarget;

/// A run of actions in one job, or an approval gate.
enum Segment<'m, 'a> {
    Steps(Vec<&'m Job<'a>>),
    Gate(&'m Job<'a>),
}

/// The workflow file.
pub fn render(model: &Model<'_>) -> Result<String, String> {
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
    let segments = segments(model);
    let mut ids: Vec<String> = Vec::new();
    for segment in &segments {
        let id = segment_id(segment, &ids);
        ids.push(id);
    }
    let mut jobs = Vec::new();
    let mut carried = false;
    for (i, segment) in segments.iter().enumerate() {
        let id = ids[i].clone();
        let later_steps = segments[i + 1..]
            .iter()
            .any(|s| matches!(s, Segment::Steps(_)));
        let outputs = match segment {
            Segment::Steps(jobs) if later_steps => outputs(jobs),
            _ => Vec::new(),
        };
        let upload = (!outputs.is_empty()).then(|| {
            let name = match segment_matrix(segment) {
                Some(_) => format!("gantry-outputs-{id}-${{{{ strategy.job-index }}}}"),
                None => format!("gantry-outputs-{id}"),
            };
            (name, outputs)
        });
        let carry = Carry {
            download: carried && matches!(segment, Segment::Steps(_)),
            upload,
        };
        carried |= carry.upload.is_some();
        let place = Place {
            segments: &segments,
            ids: &ids,
            index: i,
        };
        jobs.push((id, job(model, &place, &carry)?));
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
    Ok(out)
}

/// Where a segment is in the workflow: every segment, their job ids, and
/// its own index.
struct Place<'p, 'm, 'a> {
    segments: &'p [Segment<'m, 'a>],
    ids: &'p [String],
    index: usize,
}

impl Place<'_, '_, '_> {
    fn segment(&self) -> &Segment<'_, '_> {
        &self.segments[self.index]
    }

    /// The job before this one, which it `needs`.
    fn before(&self) -> Option<&str> {
        self.index.checked_sub(1).map(|i| self.ids[i].as_str())
    }

    /// The id of the job whose steps hold `stage/action`.
    fn job_of(&self, stage: &str, action: &str) -> Option<(usize, &str)> {
        self.segments.iter().enumerate().find_map(|(i, seg)| {
            let holds = match seg {
                Segment::Steps(jobs) => jobs.iter().any(|j| j.stage == stage && j.name == action),
                Segment::Gate(job) => job.stage == stage && job.name == action,
            };
            holds.then(|| (i, self.ids[i].as_str()))
        })
    }
}

/// The matrix of a segment that is a matrix job.
fn segment_matrix<'s>(segment: &'s Segment<'_, '_>) -> Option<&'s Matrix> {
    match segment {
        Segment::Steps(jobs) => jobs.first().and_then(|j| j.matrix.as_ref()),
        Segment::Gate(_) => None,
    }
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
        if matches!(job.work, Work::Approval(_)) || job.matrix.is_some() {
            if !steps.is_empty() {
                segments.push(Segment::Steps(std::mem::take(&mut steps)));
            }
            segments.push(match job.work {
                Work::Approval(_) => Segment::Gate(job),
                Work::Shell { .. } => Segment::Steps(vec![job]),
            });
        } else {
            // A GitHub job runs in one container: a change of container starts a job.
            if steps
                .last()
                .is_some_and(|last: &&Job<'_>| last.container != job.container)
            {
                segments.push(Segment::Steps(std::mem::take(&mut steps)));
            }
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
fn segment_id(segment: &Segment<'_, '_>, taken: &[String]) -> String {
    let raw = match segment {
        Segment::Steps(jobs) => match jobs.first() {
            Some(j) if j.matrix.is_some() => format!("{}-{}", j.stage, j.name),
            Some(j) => j.stage.to_string(),
            None => "pipeline".into(),
        },
        Segment::Gate(job) => format!("{}-{}", job.stage, job.name),
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
    while taken.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

fn job(model: &Model<'_>, place: &Place<'_, '_, '_>, carry: &Carry) -> Result<Node, String> {
    let segment = place.segment();
    let needs = place.before();
    let name = match segment {
        Segment::Steps(jobs) => {
            let first = jobs.first().map_or("", |j| j.stage);
            let last = jobs.last().map_or("", |j| j.stage);
            match jobs.first() {
                Some(j) if j.matrix.is_some() => j.key(),
                _ if first == last => first.to_string(),
                _ => format!("{first} … {last}"),
            }
        }
        Segment::Gate(job) => format!("approval: {}", job.key()),
    };
    let mut fields = vec![
        ("name".to_string(), s(name)),
        ("runs-on".into(), s("ubuntu-latest")),
    ];
    let mut needed: Vec<String> = needs.iter().map(|n| n.to_string()).collect();
    let mut outputs = Vec::new();
    if let Segment::Steps(jobs) = segment {
        for read in jobs.iter().flat_map(|j| &j.reads) {
            match place.job_of(&read.stage, &read.action) {
                Some((i, id)) if i != place.index && !needed.iter().any(|n| n == id) => {
                    needed.push(id.to_string())
                }
                _ => {}
            }
        }
        // Outputs read by later jobs leave this one as job outputs.
        for job in jobs.iter() {
            for write in &job.writes {
                let later = model.jobs.iter().any(|j| {
                    j.reads.contains(write)
                        && place
                            .job_of(j.stage, &j.name)
                            .is_some_and(|(i, _)| i != place.index)
                });
                if later {
                    let value = format!("${{{{ steps.{}.outputs.{} }}}}", step_id(job), write.name);
                    outputs.push((write.var.clone(), s(value)));
                }
            }
        }
    }
    if !needed.is_empty() {
        fields.push((
            "needs".into(),
            Node::Seq(needed.into_iter().map(s).collect()),
        ));
    }
    if let Segment::Steps(jobs) = segment {
        if let Some(image) = jobs.first().and_then(|j| j.container.as_ref()) {
            fields.push(("container".into(), s(image)));
        }
    }
    // A clean-up step must run after an earlier job failed: the job always
    // starts, and its other steps check that the job before succeeded.
    let guard = match segment {
        Segment::Steps(jobs) if jobs.iter().any(|j| j.after_failure) => needs,
        _ => None,
    };
    if guard.is_some() {
        fields.push(("if".into(), s("${{ always() }}")));
    }
    if let Segment::Gate(job) = segment {
        if job.condition.is_some() {
            model.condition(
                job,
                |_, _| -> Result<(), String> {
                    Err(
                        "GitHub Actions asks for the approval when the job starts, before any \
                         condition of a step; move the `if:` to the actions after the approval"
                            .into(),
                    )
                },
                ExportTarget::GithubActions,
            )?;
        }
        let environment = format!("approval-{}-{}", job.stage, job.name);
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
    if let Some(matrix) = segment_matrix(segment) {
        fields.push(("strategy".into(), strategy(matrix)));
    }
    if !outputs.is_empty() {
        fields.push(("outputs".into(), Node::Map(outputs)));
    }
    let steps = steps(model, place, guard, carry)?;
    fields.push(("steps".into(), Node::Seq(steps)));
    Ok(Node::Map(fields))
}

/// `strategy:` of a matrix job: gantry's cells as `include:` entries (so
/// GitHub runs exactly the cells gantry runs), `fail-fast`, `max-parallel`.
fn strategy(matrix: &Matrix) -> Node {
    let cells = matrix
        .cells
        .iter()
        .map(|cell| Node::Map(cell.iter().map(|(k, v)| (k.clone(), s(v))).collect()))
        .collect();
    let mut fields = vec![
        (
            "matrix".to_string(),
            Node::Map(vec![("include".into(), Node::Seq(cells))]),
        ),
        ("fail-fast".into(), Node::Raw(matrix.fail_fast.to_string())),
    ];
    if let Some(n) = matrix.max_parallel {
        fields.push(("max-parallel".into(), Node::Raw(n.to_string())));
    }
    Node::Map(fields)
}

/// A job's steps: checkout, the declared toolchains, the `GANTRY_*`
/// variables, one step per action; for a gate, one step saying what was
/// approved.
fn steps(
    model: &Model<'_>,
    place: &Place<'_, '_, '_>,
    guard: Option<&str>,
    carry: &Carry,
) -> Result<Vec<Node>, String> {
    Ok(match place.segment() {
        Segment::Steps(jobs) => {
            let variables = format!(
                "{SHORT_SHA}\necho \"GANTRY_GIT_SHORT_SHA=$GANTRY_GIT_SHORT_SHA\" >> \"$GITHUB_ENV\""
            );
            let mut checkout = vec![("uses".to_string(), s("actions/checkout@v4"))];
            // `changed(…)` compares with the commit before the push: the history is needed.
            let history = jobs.iter().any(|j| {
                j.condition.is_some_and(|c| {
                    condition::github_changed_script(&c.expr).is_ok_and(|s| s.is_some())
                })
            });
            if history {
                checkout.push((
                    "with".into(),
                    Node::Map(vec![("fetch-depth".into(), Node::Raw("0".into()))]),
                ));
            }
            let mut steps = vec![Node::Map(checkout)];
            steps.extend(model.toolchains.github_steps());
            if carry.download {
                steps.extend(download_steps(guard.is_some()));
            }
            steps.push(shell_step("gantry variables", variables));
            for job in jobs {
                steps.extend(step(model, place, job, guard)?);
            }
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
    })
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

/// The `id:` of the step of `job`.
fn step_id(job: &Job<'_>) -> String {
    let id: String = job
        .key()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("_{id}")
}

/// One action as a step; `guard` names the job before when this job runs
/// even after a failure, so that only clean-up steps then run.
fn step(
    model: &Model<'_>,
    place: &Place<'_, '_, '_>,
    job: &Job<'_>,
    guard: Option<&str>,
) -> Result<Vec<Node>, String> {
    let mut fields = vec![("name".to_string(), s(job.key()))];
    if !job.writes.is_empty() {
        fields.push(("id".into(), s(step_id(job))));
    }
    let changed_script = model.condition(
        job,
        |c, _| condition::github_changed_script(&c.expr),
        ExportTarget::GithubActions,
    )?;
    let changed = changed_script.flatten().map(|script| {
        let id = format!("_changed{}", step_id(job));
        let step = Node::Map(vec![
            ("name".into(), s(format!("changed files for {}", job.key()))),
            ("id".into(), s(&id)),
            ("if".into(), s("${{ always() }}")),
            (
                "env".into(),
                Node::Map(vec![("BEFORE".into(), s("${{ github.event.before }}"))]),
            ),
            ("shell".into(), s("sh -e {0}")),
            ("run".into(), Node::Block(script)),
        ]);
        (id, step)
    });
    let status = GithubStatus {
        after: guard.map(str::to_string),
        changed_step: changed.as_ref().map(|(id, _)| id.clone()),
    };
    let condition = model.condition(
        job,
        |c, resolve| condition::github(&c.expr, resolve, &status, job.after_failure),
        ExportTarget::GithubActions,
    )?;
    if let Some(expr) = condition {
        fields.push(("if".into(), s(format!("${{{{ {expr} }}}}"))));
    } else if job.action.always {
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
    let action_name = match &job.matrix {
        Some(m) => m.cell_name(&job.name, |k| format!("${{{{ matrix.{k} }}}}")),
        None => job.name.clone(),
    };
    let mut env = vec![
        ("GANTRY_STAGE".to_string(), s(job.stage)),
        ("GANTRY_ACTION".into(), s(action_name)),
    ];
    env.extend(job.env.iter().map(|(k, v)| (k.clone(), s(v))));
    for read in &job.reads {
        let value = match (
            model.producer(read),
            place.job_of(&read.stage, &read.action),
        ) {
            (Some(p), Some((i, _))) if i == place.index => {
                format!("${{{{ steps.{}.outputs.{} }}}}", step_id(p), read.name)
            }
            (_, Some((_, id))) => format!("${{{{ needs.{id}.outputs.{} }}}}", read.var),
            _ => String::new(),
        };
        env.push((read.var.clone(), s(value)));
    }
    fields.push(("env".into(), Node::Map(env)));
    if let Work::Shell { shell, errexit, .. } = &job.work {
        let flag = if *errexit { " -e" } else { "" };
        fields.push(("shell".into(), s(format!("{shell}{flag} {{0}}"))));
    }
    let script = format!(
        "GANTRY_OUTPUT=\"$GITHUB_OUTPUT\"; export GANTRY_OUTPUT\n{}",
        job.script()
    );
    fields.push(("run".into(), Node::Block(script)));
    let mut steps: Vec<Node> = changed.into_iter().map(|(_, step)| step).collect();
    steps.push(Node::Map(fields));
    Ok(steps)
}
