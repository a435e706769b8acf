//! GitHub Actions: the `run:` steps of the jobs in `.github/workflows/*.yml`
//! that can run on a developer's machine. Jobs with `services:`, deployment
//! jobs and jobs for other operating systems are skipped, and so are
//! `uses:` steps and commands that need secrets or CI expressions. A job
//! with a `strategy.matrix` runs one cell of it ([`matrix`]), whose
//! `${{ matrix.… }}` values its steps' expressions are worked out with
//! ([`expression`]); a job that runs another job's commands with other
//! packages installed is left out ([`variants`]).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::dependent::{self, LeftOut, Makes};
use super::expression::{self, Logic};
use super::job_order::{self, Taken};
use super::matrix::{self, Chosen, MatrixSpec, Strategy};
use super::variants::{self, Profile};
use super::{command, shown, Derived, Found, Skipped};

/// Environment variables: `NAME: value` (numbers and booleans too).
type Env = BTreeMap<String, serde_json::Value>;

#[derive(Deserialize, Default)]
struct Workflow {
    /// The events it runs for.
    #[serde(rename = "on")]
    events: Option<serde_json::Value>,
    #[serde(default)]
    env: Env,
    #[serde(default)]
    jobs: BTreeMap<String, Job>,
}

#[derive(Deserialize, Default)]
struct Job {
    name: Option<String>,
    #[serde(rename = "runs-on")]
    runs_on: Option<serde_json::Value>,
    services: Option<serde_json::Value>,
    environment: Option<serde_json::Value>,
    uses: Option<String>,
    #[serde(rename = "if")]
    condition: Option<String>,
    defaults: Option<Defaults>,
    strategy: Option<Strategy>,
    #[serde(default)]
    env: Env,
    #[serde(default)]
    steps: Vec<Step>,
}

#[derive(Deserialize, Default)]
struct Defaults {
    run: Option<RunDefaults>,
}

#[derive(Deserialize, Default)]
struct RunDefaults {
    #[serde(rename = "working-directory")]
    working_directory: Option<String>,
}

#[derive(Deserialize, Default)]
struct Step {
    name: Option<String>,
    #[serde(rename = "if")]
    condition: Option<String>,
    uses: Option<String>,
    with: Option<serde_json::Value>,
    run: Option<String>,
    shell: Option<String>,
    #[serde(rename = "working-directory")]
    working_directory: Option<String>,
    #[serde(default)]
    env: Env,
}

/// Every workflow file, in name order.
fn workflow_files(root: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(root.join(".github/workflows")) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    files
}

/// The actions of every workflow under `root`.
pub fn read(root: &Path) -> Found {
    let workflows: Vec<(String, Result<Workflow, String>)> = workflow_files(root)
        .into_iter()
        .map(|path| {
            let text = crate::fsutil::read_to_string(&path).unwrap_or_default();
            let workflow = serde_saphyr::from_str::<Workflow>(&text)
                .map_err(|e| first_line(&e.to_string()).to_string());
            (shown(root, &path), workflow)
        })
        .collect();
    let mut found = Found::default();
    let jobs = jobs_to_read(&workflows, &mut found.skipped);
    // Each job's steps, read on its own: what it runs and what is taken
    // of it tell the variant jobs (see `variants`); the others' steps are
    // then added in order, with the rules that look across jobs.
    let reads: Vec<JobSteps> = jobs
        .iter()
        .map(|(file, id, job, env)| read_job(root, file, id, job, env))
        .collect();
    let variant_of = variant_jobs(root, &jobs, &reads);
    for (((file, id, _, _), steps), variant) in jobs.iter().zip(reads).zip(variant_of) {
        match variant {
            Some(reason) => found.skipped.push(Skipped {
                action: None,
                origin: format!("{file}, job {id}"),
                reason,
            }),
            None => add_job(steps, &mut found),
        }
    }
    found
}

/// A job to read: its file, its id, the job and its workflow's `env:`.
type JobToRead<'a> = (&'a str, &'a str, &'a Job, &'a Env);

/// The jobs of `workflows` whose steps are read, in order; the workflows
/// and jobs left out as a whole go to `skipped`, with why.
fn jobs_to_read<'a>(
    workflows: &'a [(String, Result<Workflow, String>)],
    skipped: &mut Vec<Skipped>,
) -> Vec<JobToRead<'a>> {
    let mut jobs = Vec::new();
    for (file, workflow) in workflows {
        let whole = |reason: String| Skipped {
            action: None,
            origin: file.clone(),
            reason,
        };
        match workflow {
            Ok(workflow) if workflow.events.as_ref().is_some_and(only_for_releases) => skipped
                .push(whole(
                    "it runs only when a tag is pushed or a release is published (`on:`)".into(),
                )),
            Ok(workflow) if workflow.events.as_ref().is_some_and(|on| !checks_changes(on)) => {
                skipped.push(whole(match event_names(workflow.events.as_ref()).join(", ") {
                    events if events.is_empty() => {
                        "it runs for no event (`on:`): it checks no change of yours".into()
                    }
                    events => format!(
                        "it runs only for {events} (`on:`), not for pushes or pull requests: it checks no change of yours"
                    ),
                }))
            }
            Ok(workflow) => {
                let checks_changes = workflow.events.as_ref().is_none_or(runs_for_pull_requests);
                for (id, job) in &workflow.jobs {
                    if !checks_changes && builds_a_pages_site(job) {
                        skipped.push(Skipped {
                            action: None,
                            origin: format!("{file}, job {id}"),
                            reason: "it builds the GitHub Pages site a deploy publishes (`actions/upload-pages-artifact`), in a workflow that does not run for pull requests".into(),
                        });
                        continue;
                    }
                    jobs.push((file.as_str(), id.as_str(), job, &workflow.env));
                }
            }
            Err(e) => skipped.push(whole(format!("it is not a workflow gantry can read: {e}"))),
        }
    }
    jobs
}

/// What reading one job told about it, for [`variant_jobs`].
#[derive(Default)]
struct JobRead {
    /// What it runs (`None` for a job left out as a whole).
    profile: Option<Profile>,
    /// What the steps taken from it run.
    taken: Profile,
    /// Whether one of its `run:` steps runs tests.
    runs_tests: bool,
    /// Whether one of the steps taken from it runs tests.
    taken_tests: bool,
}

/// Why each of `jobs` is left out as a variant environment, if it is:
/// one that runs another job's commands with other packages installed,
/// when the steps taken from that job run them all; or one that tests,
/// installing another version of a package the project depends on, when
/// another job's taken steps run tests with what a plain install gives.
fn variant_jobs(root: &Path, jobs: &[JobToRead], reads: &[JobSteps]) -> Vec<Option<String>> {
    let mut why: Vec<Option<String>> = vec![None; jobs.len()];
    // The dependency lists of each job folder, read once when first asked.
    let lists: std::cell::RefCell<BTreeMap<std::path::PathBuf, Vec<String>>> = Default::default();
    // Same commands first, so that a job found to be such a variant is
    // named by no alternative-version variant as the job it varies.
    for same_commands in [true, false] {
        for v in 0..jobs.len() {
            let Some(variant) = reads[v].read.profile.as_ref().filter(|_| why[v].is_none()) else {
                continue;
            };
            let (file, _, job, _) = jobs[v];
            let dir = root.join(job_dir(job).unwrap_or_default());
            let declared = |package: &str| {
                let mut lists = lists.borrow_mut();
                let found = lists
                    .entry(dir.clone())
                    .or_insert_with(|| variants::dependency_lists(&dir));
                variants::lists_name(found, package)
            };
            let main = (0..jobs.len())
                .filter(|m| *m != v && why[*m].is_none())
                .find_map(|m| {
                    let main = &reads[m].read;
                    let profile = main.profile.as_ref()?;
                    let extra = if same_commands {
                        variants::extra_installs(variant, profile)
                            .filter(|_| main.taken.runs_all_of(variant))
                    } else {
                        // A job that tests, against one whose taken steps test.
                        variants::alternative_versions(variant, profile, declared)
                            .filter(|_| reads[v].read.runs_tests && main.taken_tests)
                    };
                    Some((m, extra?))
                });
            let Some((m, extra)) = main else {
                continue;
            };
            let (main_file, main_id, _, _) = jobs[m];
            let job = if main_file == file {
                format!("job {main_id}")
            } else {
                format!("job {main_id} of {main_file}")
            };
            let what = if same_commands {
                format!("runs what {job} runs with other packages installed")
            } else {
                format!("installs another version of a package the project depends on, while {job} tests what a plain install gives")
            };
            let installs: Vec<String> = extra.iter().map(|e| format!("`{e}`")).collect();
            why[v] = Some(format!(
                "it {what} ({}): a variant environment, which in the one environment every action shares would change what the other actions test",
                installs.join(", ")
            ));
        }
    }
    why
}

/// A job's `defaults.run.working-directory`.
fn job_dir(job: &Job) -> Option<String> {
    job.defaults
        .as_ref()
        .and_then(|d| d.run.as_ref())
        .and_then(|r| r.working_directory.clone())
}

/// Whether a workflow's `on:` runs it only for a pushed tag or a
/// published release (besides by hand): a release workflow, whose steps
/// build and publish what a tag names, not checks of the working tree.
fn only_for_releases(on: &serde_json::Value) -> bool {
    use serde_json::Value;
    let events: Vec<(&str, Option<&Value>)> = match on {
        Value::String(event) => vec![(event.as_str(), None)],
        Value::Array(events) => events
            .iter()
            .filter_map(|e| Some((e.as_str()?, None)))
            .collect(),
        Value::Object(map) => map
            .iter()
            .map(|(e, spec)| (e.as_str(), Some(spec)))
            .collect(),
        _ => return false,
    };
    let release = |(event, spec): &(&str, Option<&Value>)| match *event {
        "release" => true,
        "push" => spec.is_some_and(|spec| {
            spec.get("tags").is_some()
                && spec.get("branches").is_none()
                && spec.get("branches-ignore").is_none()
        }),
        _ => false,
    };
    let triggers: Vec<_> = events
        .into_iter()
        .filter(|(event, _)| *event != "workflow_dispatch")
        .collect();
    !triggers.is_empty() && triggers.iter().all(release)
}

/// Actions that commit the job's changes to the repository: a job that
/// ends with one exists to change files (ofetch's autofix job runs `pnpm
/// run lint:fix`, `eslint --fix` and `prettier -w`, for autofix.ci).
const COMMITS_CHANGES: &[&str] = &[
    "autofix-ci/action",
    "stefanzweifel/git-auto-commit-action",
    "endbug/add-and-commit",
    "peter-evans/create-pull-request",
];

/// Whether a workflow's `on:` runs it for changes: pushes, pull requests,
/// a merge queue, or another workflow that calls it. One that runs only
/// on a schedule, by hand, for issues or after another workflow (typer's
/// monthly `prek auto-update` that opens a pull request, a nightly test
/// against CPython's main branch) is maintenance, not a check.
fn checks_changes(on: &serde_json::Value) -> bool {
    event_names(Some(on)).iter().any(|event| {
        matches!(
            *event,
            "push" | "pull_request" | "pull_request_target" | "merge_group" | "workflow_call"
        )
    })
}

/// The event names of a workflow's `on:`.
fn event_names(on: Option<&serde_json::Value>) -> Vec<&str> {
    match on {
        Some(serde_json::Value::String(event)) => vec![event.as_str()],
        Some(serde_json::Value::Array(events)) => {
            events.iter().filter_map(|e| e.as_str()).collect()
        }
        Some(serde_json::Value::Object(map)) => map.keys().map(String::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Whether a workflow's `on:` runs it for pull requests (or a merge
/// queue): then its jobs check changes before they are merged.
fn runs_for_pull_requests(on: &serde_json::Value) -> bool {
    event_names(Some(on)).iter().any(|event| {
        matches!(
            *event,
            "pull_request" | "pull_request_target" | "merge_group"
        )
    })
}

/// Whether `job` builds a GitHub Pages site: it uploads one for
/// `actions/deploy-pages` (rack's documentation job, which writes the
/// site into the checkout's `docs/`). In a workflow that never runs for
/// pull requests, that is publishing, not a check.
fn builds_a_pages_site(job: &Job) -> bool {
    job.steps.iter().any(|step| {
        step.uses
            .as_deref()
            .is_some_and(|u| dependent::action_name(u) == "actions/upload-pages-artifact")
    })
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// Why a whole job cannot run locally, if it cannot.
fn job_skip_reason(id: &str, job: &Job) -> Option<String> {
    let label = job.name.as_deref().unwrap_or(id).to_ascii_lowercase();
    if job.uses.is_some() {
        return Some("it calls a reusable workflow".into());
    }
    if job
        .condition
        .as_deref()
        .is_some_and(|c| c.contains("refs/tags"))
    {
        return Some("it runs only for tags (a release)".into());
    }
    if job.services.is_some() {
        return Some("it needs services (containers GitHub starts next to the job)".into());
    }
    if let Some(condition) = job.condition.as_deref() {
        // A job's `if:` reads no matrix and no `env`.
        let passing = expression::Scope {
            status: expression::Status::Passing,
            ..expression::Scope::default()
        };
        if runs_after_a_failure(condition, &passing) {
            return Some("it runs only after another job failed (`if:`), to report it".into());
        }
        match expression::holds_in(condition, &passing) {
            Ok(false) => return Some(format!("its `if: {}` never holds", condition.trim())),
            Ok(true) => {}
            Err(_) => {
                let holds_for = |event| {
                    let scope = expression::Scope {
                        event_name: Some(event),
                        ..passing
                    };
                    expression::holds_in(condition, &scope)
                };
                if holds_for("push") == Ok(false) && holds_for("pull_request") == Ok(false) {
                    return Some(format!(
                        "its `if: {}` holds for no push or pull request: it runs only for other events (a schedule, a release, by hand), and checks no change of yours",
                        condition.trim()
                    ));
                }
            }
        }
    }
    if let Some(committer) = job
        .steps
        .iter()
        .filter_map(|step| step.uses.as_deref())
        .map(dependent::action_name)
        .find(|name| COMMITS_CHANGES.contains(&name.to_ascii_lowercase().as_str()))
    {
        return Some(format!(
            "it changes files for `{committer}` to commit back (a fixer job: here it would rewrite your files before the checks read them)"
        ));
    }
    if job.environment.is_some()
        || ["deploy", "release", "publish"]
            .iter()
            .any(|w| label.contains(w))
    {
        return Some("it deploys or publishes".into());
    }
    if ["coverage", "codecov", "coveralls"]
        .iter()
        .any(|w| label.contains(w) || id.contains(w))
    {
        return Some("it measures coverage for an upload, with tools CI installs".into());
    }
    other_runner(&runs_on(job))
}

/// A job's `runs-on:` as text.
fn runs_on(job: &Job) -> String {
    match &job.runs_on {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// Why a job whose `runs-on:` is `runs_on` does not run here: another
/// system than Linux (an expression is given the benefit of the doubt).
fn other_runner(runs_on: &str) -> Option<String> {
    let lower = runs_on.to_ascii_lowercase();
    (!lower.contains("ubuntu")
        && !lower.contains("linux")
        && !lower.contains("${{")
        && !lower.is_empty())
    .then(|| format!("it runs on {}", lower.trim_matches('"')))
}

/// Whether `written` reads `matrix.KEY` (not a longer key).
fn mentions_key(written: &str, key: &str) -> bool {
    let reference = format!("matrix.{key}");
    crate::scaffold::words::has_bounded(written, &reference, |_, after| {
        !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    })
}

/// The matrix cell a job runs here, if it has a matrix gantry can read:
/// `Err` says why the job does not run here at all (every cell is for
/// another system).
fn chosen_cell(job: &Job) -> Result<Option<Chosen>, String> {
    let Some(Strategy::Keys {
        matrix: Some(spec @ MatrixSpec::Keys(_)),
    }) = &job.strategy
    else {
        return Ok(None);
    };
    let cells = match matrix::cells(spec) {
        Ok(cells) => cells,
        Err(matrix::NoCells::Refused(reason)) => return Err(reason),
        Err(matrix::NoCells::Computed) => return Ok(None),
    };
    if cells.is_empty() {
        return Ok(None);
    }
    let keys = matrix::keys(&cells);
    let runs_on = runs_on(job);
    // Why a cell does not run here: `runs-on` worked out for it. One
    // whole expression may give a list of labels (`[self-hosted, macOS,
    // ARM64]`); one that cannot be worked out is no Linux runner (an
    // expression in a longer text, `ubuntu-${{ … }}`, is read as written).
    let runner = |cell: &serde_json::Map<String, serde_json::Value>| {
        let values = expression::Matrix { cell, keys: &keys };
        let scope = expression::Scope {
            matrix: Some(&values),
            ..expression::Scope::default()
        };
        let labels = match expression::whole(&runs_on, &scope) {
            None => Ok(expression::substitute_in(&runs_on, &scope)
                .map_or_else(|_| runs_on.clone(), |(text, _)| text)),
            Some(Ok(serde_json::Value::Array(labels))) => labels
                .iter()
                .map(expression::shown)
                .collect::<Result<Vec<_>, _>>()
                .map(|labels| labels.join(", ")),
            Some(value) => value.and_then(|value| expression::shown(&value)),
        };
        match labels {
            Ok(labels) => other_runner(&labels),
            Err(unknown) => Some(format!(
                "it runs on `{}`, which gantry cannot work out ({})",
                runs_on.trim(),
                unknown.0
            )),
        }
    };
    // Whether a cell has an install step of its own: one whose `if:`
    // holds for it and not for every cell (`matrix.deps == 'minimum'`).
    let installs = |step: &&Step| {
        step.run
            .as_deref()
            .is_some_and(|run| command::phase(run, step.name.as_deref().unwrap_or("")) == "deps")
    };
    let own_installs: Vec<&str> = job
        .steps
        .iter()
        .filter(installs)
        .filter_map(|step| step.condition.as_deref())
        .filter(|condition| condition.contains("matrix"))
        .collect();
    let holds_in = |condition: &str, cell: &serde_json::Map<String, serde_json::Value>| {
        expression::holds(condition, Some(&expression::Matrix { cell, keys: &keys }))
    };
    let all = cells.clone();
    let installs_its_own = |cell: &serde_json::Map<String, serde_json::Value>| {
        own_installs.iter().any(|condition| {
            holds_in(condition, cell) == Ok(true)
                && all
                    .iter()
                    .any(|other| holds_in(condition, other) == Ok(false))
        })
    };
    // The programs whose versions the matrix gives: by a `setup-*`
    // action's `with: { python-version: ${{ matrix.X }} }` (or
    // `1.${{ matrix.go }}.x`), or by the key's name.
    let mut versions: Vec<(String, &'static str)> = Vec::new();
    for step in &job.steps {
        let (Some(uses), Some(serde_json::Value::Object(with))) = (&step.uses, &step.with) else {
            continue;
        };
        let Some(program) = matrix::program_of_setup(uses) else {
            continue;
        };
        for (name, value) in with {
            match value.as_str() {
                Some(value) if name.contains("version") && value.contains("matrix.") => {
                    versions.push((value.to_string(), program))
                }
                _ => {}
            }
        }
    }
    let setup_versions = versions.len();
    for key in &keys {
        let named = format!("${{{{ matrix.{key} }}}}");
        match matrix::program_of_key(key) {
            Some(program) if !versions.iter().any(|(v, _)| mentions_key(v, key)) => {
                versions.push((named, program))
            }
            _ => {}
        }
    }
    let first_runner = runner(&cells[0]);
    let toolchain: Vec<String> = keys
        .iter()
        .filter(|key| {
            versions[..setup_versions]
                .iter()
                .any(|(v, _)| mentions_key(v, key))
        })
        .cloned()
        .collect();
    match matrix::choose(
        cells,
        |cell| runner(cell).is_none(),
        installs_its_own,
        &versions,
    ) {
        Some(chosen) => Ok(Some(Chosen {
            toolchain,
            ..chosen
        })),
        None => Err(format!(
            "{} (every cell of its matrix)",
            first_runner.unwrap_or_else(|| "it runs on another system".into())
        )),
    }
}

/// The environment a step running `run` sees (workflow, then job, then
/// step), with its `${{ … }}` values worked out for the job's matrix cell;
/// `Err` says why it cannot be set locally.
fn step_env(layers: [&Env; 3], run: &str, matrix: Option<&Chosen>) -> Result<StepEnv, String> {
    let mut out = StepEnv::default();
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    let values = matrix.map(Chosen::matrix);
    for (depth, layer) in layers.iter().enumerate() {
        // A step's values read the workflow's and the job's.
        let outer = env_context(&layers[..depth], values.as_ref());
        let scope = expression::Scope {
            matrix: values.as_ref(),
            env: Some(&outer),
            ..expression::Scope::default()
        };
        for (name, value) in layer.iter() {
            let written = env_text(value);
            let value = match expression::substitute_in(&written, &scope) {
                Ok((value, used)) => {
                    out.matrix_keys.extend(used);
                    value
                }
                Err(unknown)
                    if expression::optional_toggle(&written) && !written.contains("secrets.") =>
                {
                    let reads = if dependent::shell_vars(run).any(|n| n == name) {
                        "the step's commands read it"
                    } else {
                        "the step's commands do not name it, but a program they run may read it"
                    };
                    out.notes.push(format!(
                        "{name} is set empty, as CI sets it in its runs where `{}` does not hold (gantry cannot tell {} here); {reads}",
                        written.trim(),
                        unknown.0
                    ));
                    String::new()
                }
                Err(unknown) => {
                    let not = command::not_local(&written)
                        .map_or_else(|| command::CI_EXPRESSION.to_string(), |not| not.reason);
                    return Err(format!(
                        "its environment variable {name}: {}",
                        with_unknown(not, &unknown)
                    ));
                }
            };
            if let Some(not) = command::not_local(&value) {
                return Err(format!("its environment variable {name}: {}", not.reason));
            }
            env.insert(name.clone(), command::escape_vars(&value));
        }
    }
    out.env = env.into_iter().collect();
    Ok(out)
}

/// An `env:` value as GitHub sets it: empty for none, a number as
/// GitHub writes it (`1e3` is `1000`, `3.0` is `3`).
fn env_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => expression::number_text(n.as_f64().unwrap_or(f64::NAN)),
        other => other.to_string(),
    }
}

/// The `env` context a step's expressions read: the values of `layers`
/// (the workflow's, the job's, the step's `env:`) gantry can work out for
/// the matrix cell, a later layer's winning (one it cannot work out is
/// unknown, not the earlier layer's).
fn env_context(layers: &[&Env], matrix: Option<&expression::Matrix>) -> BTreeMap<String, String> {
    let mut known = BTreeMap::new();
    for layer in layers {
        let outer = known.clone();
        let scope = expression::Scope {
            matrix,
            env: Some(&outer),
            ..expression::Scope::default()
        };
        for (name, value) in layer.iter() {
            match expression::substitute_in(&env_text(value), &scope) {
                Ok((value, _)) => known.insert(name.clone(), value),
                Err(_) => known.remove(name),
            };
        }
    }
    known
}

/// A step's environment, and what it took to work it out.
#[derive(Default)]
struct StepEnv {
    env: Vec<(String, String)>,
    /// The matrix keys its values read.
    matrix_keys: Vec<String>,
    /// What the action's comment says about it (a toggle set empty).
    notes: Vec<String>,
}

/// `reason` naming what could not be worked out, when it is the
/// expression reason.
fn with_unknown(reason: String, unknown: &expression::Unknown) -> String {
    if reason == command::CI_EXPRESSION {
        format!("{reason}: {}", unknown.0)
    } else {
        reason
    }
}

/// Whether a script needs bash rather than `sh` (GitHub runs steps in bash).
fn needs_bash(run: &str, shell: Option<&str>) -> bool {
    shell.is_some_and(|s| s.starts_with("bash"))
        || ["[[", "<(", "$'", "pipefail", "source ", "shopt", "declare "]
            .iter()
            .any(|b| run.contains(b))
}

/// One job's steps, read on their own (see [`read_job`]), for
/// [`add_job`] to add to what was found.
#[derive(Default)]
struct JobSteps {
    /// Why the whole job is left out, if it is.
    whole: Option<Skipped>,
    /// Each step with something to run, in order.
    steps: Vec<StepRead>,
    /// Whether a step that does the job's work was left out: a `run:` step
    /// or an action that does not just set the job up (a checkout, a
    /// `setup-*`, a cache).
    work_left_out: bool,
    /// What it runs, for [`variant_jobs`].
    read: JobRead,
}

/// One step of a job, read on its own.
enum StepRead {
    Left(Skipped),
    Taken {
        action: Derived,
        /// See [`Taken::unnamed_maker`].
        unnamed_maker: bool,
        /// See [`Taken::makes`].
        makes: bool,
    },
}

/// Reads the steps of one job on their own, and says what it runs: each
/// step's action or why it is left out, with the rules within the job
/// (a step after one left out that may have made what it needs). What
/// looks across jobs is [`add_job`]'s.
fn read_job(root: &Path, file: &str, id: &str, job: &Job, workflow_env: &Env) -> JobSteps {
    let job_origin = format!("{file}, job {id}");
    let chosen = match job_skip_reason(id, job).map_or_else(|| chosen_cell(job), Err) {
        Ok(chosen) => chosen,
        Err(reason) => {
            return JobSteps {
                whole: Some(Skipped {
                    action: None,
                    origin: job_origin,
                    reason,
                }),
                ..JobSteps::default()
            };
        }
    };
    let mut read = JobRead {
        profile: Some(Profile::of(
            job.steps.iter().filter_map(|s| s.run.as_deref()),
        )),
        runs_tests: job.steps.iter().any(|step| {
            let hint = format!("{} {id}", step.name.as_deref().unwrap_or(""));
            step.run
                .as_deref()
                .is_some_and(|run| command::is_test_run(run, &hint))
        }),
        ..JobRead::default()
    };
    let mut taken_scripts: Vec<&str> = Vec::new();
    let job_dir = job_dir(job);
    let context = StepContext {
        root,
        job_id: id,
        job_dir: job_dir.as_deref(),
        env: [workflow_env, &job.env],
        matrix: chosen.as_ref(),
    };
    let mut steps: Vec<StepRead> = Vec::new();
    // The steps left out so far, and what each would have made.
    let mut left_out: Vec<(String, Makes)> = Vec::new();
    let mut work_left_out = false;
    // The Rust toolchain the job's toolchain action set up, when it is a
    // nightly (see `nightly_toolchain`).
    let mut toolchain: Option<String> = None;
    for (index, step) in job.steps.iter().enumerate() {
        if let Some(uses) = &step.uses {
            if let Some(chosen) = rust_toolchain(uses, step.with.as_ref()) {
                toolchain = nightly_toolchain(&chosen);
            }
        }
        let label = step
            .name
            .clone()
            .or_else(|| step.uses.clone())
            .or_else(|| {
                step.run
                    .as_deref()
                    .and_then(|r| r.lines().next())
                    .map(String::from)
            })
            .unwrap_or_else(|| format!("step {}", index + 1));
        let origin = format!("{job_origin}, step \"{label}\"");
        match step_action(step, &context, toolchain.as_deref(), origin.clone()) {
            Err(left) => {
                let action = step
                    .uses
                    .as_deref()
                    .map(|u| dependent::action_name(u).to_string());
                // A later step names a left-out action as the left-out
                // list does (`actions/download-artifact (2 steps)`): its
                // own line, name and pin are folded into that one.
                work_left_out |= step.uses.as_deref().is_none_or(|u| !dependent::sets_up(u));
                left_out.push((action.clone().unwrap_or(label), left.makes));
                steps.push(StepRead::Left(Skipped {
                    action,
                    origin,
                    reason: left.reason,
                }));
            }
            Ok(Some(action)) => {
                let text = [action.lines.join("\n")]
                    .into_iter()
                    .chain(action.env.iter().map(|(_, v)| v.clone()))
                    .collect::<Vec<_>>()
                    .join("\n");
                if let Some(earlier) = dependent::depends_on(&left_out, &text) {
                    steps.push(StepRead::Left(Skipped {
                        action: None,
                        origin,
                        reason: format!(
                            "it comes after step \"{earlier}\", which is left out and may have made what it needs"
                        ),
                    }));
                    work_left_out = true;
                    left_out.push((label, Makes::Anything));
                    continue;
                }
                let run = step.run.as_deref().unwrap_or_default();
                taken_scripts.push(run);
                read.taken_tests |= action.runs_tests;
                let name = step.name.as_deref();
                steps.push(StepRead::Taken {
                    unnamed_maker: command::unnamed_maker(run, name),
                    makes: !command::is_check(run, name.unwrap_or(""))
                        && !dependent::only_prints(run),
                    action,
                });
            }
            Ok(None) => {}
        }
    }
    read.taken = Profile::of(taken_scripts);
    JobSteps {
        whole: None,
        steps,
        work_left_out,
        read,
    }
}

/// Adds one job's steps, read by [`read_job`], to `found`: a command
/// another job already runs is taken once, and the job's steps keep their
/// order across stages (see `job_order`).
fn add_job(job: JobSteps, found: &mut Found) {
    if let Some(whole) = job.whole {
        found.skipped.push(whole);
        return;
    }
    // The steps taken, in order (see `job_order`).
    let mut taken: Vec<Taken> = Vec::new();
    for step in job.steps {
        let (action, unnamed_maker, makes) = match step {
            StepRead::Left(skipped) => {
                found.skipped.push(skipped);
                continue;
            }
            StepRead::Taken {
                action,
                unnamed_maker,
                makes,
            } => (action, unnamed_maker, makes),
        };
        // The same command in another job (a matrix, say) runs once,
        // unless this job made something before it in the same
        // stage (see `job_order::made_before_in_stage`).
        // A nightly toolchain's run is not the stable one's.
        let toolchain = |a: &Derived| {
            a.env
                .iter()
                .find(|(name, _)| name == "RUSTUP_TOOLCHAIN")
                .map(|(_, value)| value.clone())
        };
        let seen = found.actions.iter().any(|a| {
            a.lines == action.lines && a.dir == action.dir && toolchain(a) == toolchain(&action)
        }) && !job_order::made_before_in_stage(&taken, action.phase);
        taken.push(Taken {
            phase: action.phase,
            index: (!seen).then_some(found.actions.len()),
            unnamed_maker,
            makes,
        });
        if !seen {
            found.actions.push(action);
        }
    }
    job_order::run_before_later_steps(&taken, &mut found.actions);
    job_order::install_after_builds(&taken, &mut found.actions);
    job_order::drop_installs_for_nothing(&taken, job.work_left_out, found);
}

/// What rewrites files in the `package.json` script a line of `run`
/// starts (`npm run format`, `pnpm run lint:fix`, `yarn test`), in the
/// manifest of `dir`, and in the scripts that one runs with `npm run X`:
/// a CI step running it would rewrite your files here.
fn script_rewrites(root: &Path, dir: &str, run: &str) -> Option<String> {
    let manifest: serde_json::Value = crate::scaffold::facts::read(&root.join(dir), "package.json")
        .and_then(|text| serde_json::from_str(&text).ok())?;
    let scripts = &manifest["scripts"];
    let script = |name: &str| scripts[name].as_str();
    run.lines().find_map(|line| {
        let words: Vec<&str> = line.split_whitespace().collect();
        let name = match words.as_slice() {
            [pm, "run" | "run-script", name, ..] if is_node_pm(pm) => *name,
            [pm, "test" | "t", ..] if is_node_pm(pm) => "test",
            ["yarn" | "pnpm", name, ..] if script(name).is_some() => *name,
            _ => return None,
        };
        let text = script(name)?;
        let called = text
            .split_whitespace()
            .filter_map(|w| script(w).filter(|_| w != name));
        std::iter::once(text)
            .chain(called)
            .find_map(command::rewrites)
            .map(|what| format!("{what}, in package.json's `{name}` script"))
    })
}

/// Whether `program` is a Node package manager that runs package scripts.
fn is_node_pm(program: &str) -> bool {
    matches!(program, "npm" | "pnpm" | "yarn" | "bun")
}

/// The toolchain a Rust toolchain action (`dtolnay/rust-toolchain`,
/// `actions-rs/toolchain`, …) sets up: its `toolchain:` input, else the
/// ref it is pinned to (`dtolnay/rust-toolchain@nightly`); `None` for any
/// other action.
fn rust_toolchain(uses: &str, with: Option<&serde_json::Value>) -> Option<String> {
    let name = dependent::action_name(uses).to_ascii_lowercase();
    let rust = name.contains("rust-toolchain")
        || name == "actions-rs/toolchain"
        || name.contains("setup-rust");
    if !rust {
        return None;
    }
    let input = with
        .and_then(|w| w.get("toolchain"))
        .and_then(|v| v.as_str());
    let pinned = uses.split_once('@').map(|(_, r)| r.trim());
    input.or(pinned).map(String::from)
}

/// A job's steps after its toolchain action set up a nightly Rust
/// (`dtolnay/rust-toolchain@nightly`, `@miri`, `toolchain:
/// nightly-2025-01-01`) need it: `cargo miri`, `-Z` flags and nightly
/// features fail on the stable toolchain most machines default to. They
/// get `RUSTUP_TOOLCHAIN` naming it, which rustup's `cargo`, `rustc` and
/// the tools under them obey, as `cargo +nightly` would. Stable, beta and
/// version pins (an MSRV job) run on yours.
fn nightly_toolchain(chosen: &str) -> Option<String> {
    if chosen == "miri" {
        return Some("nightly".into());
    }
    (chosen.starts_with("nightly") && !chosen.contains("${{")).then(|| chosen.to_string())
}

/// Whether an `if:` runs a step (or job) only when something earlier
/// failed: `failure()` (not negated, and not `always()` besides), or a
/// failed result of the jobs it needs (`contains(needs.*.result,
/// 'failure')`: clap's "CI" job, whose one step is `exit 1`;
/// `needs.build.result == 'failure'`, `!= 'success'`), which a gantry run
/// does not have. `needs.build.result == 'success'` runs after a passing
/// build, as gantry's stages do.
fn only_after_a_failure(condition: Option<&str>) -> bool {
    condition.is_some_and(|c| {
        let on_failure = c.contains("failure()")
            && !c.contains("!failure()")
            && !c.contains("always()")
            && !c.contains("||");
        let c: String = c.chars().filter(|ch| !ch.is_whitespace()).collect();
        let needs_failed = c.contains(".result=='failure'")
            || c.contains(".outcome=='failure'")
            || c.contains(".conclusion=='failure'")
            || c.contains(".result!='success'")
            || c.contains("'failure'==needs.")
            || c.contains("'success'!=needs.")
            || (c.contains("contains(needs.")
                && !c.contains("!contains(needs.")
                && c.contains("'failure')"));
        on_failure || ((c.contains("needs.") || c.contains("steps.")) && needs_failed)
    })
}

/// Whether `condition` holds only in a run where something failed or was
/// cancelled: [`only_after_a_failure`], or a condition that does not hold
/// in a passing run (`scope`) and may in a failed one (`cancelled()`,
/// `!success()`, `failure() || cancelled()`).
fn runs_after_a_failure(condition: &str, scope: &expression::Scope) -> bool {
    let failed = expression::Scope {
        status: expression::Status::Failed,
        ..*scope
    };
    only_after_a_failure(Some(condition))
        || (expression::holds_in(condition, scope) == Ok(false)
            && expression::holds_in(condition, &failed) != Ok(false))
}

/// The operating system an `if:` limits a step to, when it is not Linux:
/// every `||` alternative must name Windows or macOS, and not negate it
/// (`!=`, or `!startsWith(matrix.os, 'windows')` (ripgrep), runs it
/// everywhere but there).
fn other_os(condition: Option<&str>) -> Option<&'static str> {
    let condition = condition?.to_ascii_lowercase();
    let condition = condition.trim();
    let condition = condition
        .strip_prefix("${{")
        .and_then(|c| c.strip_suffix("}}"))
        .unwrap_or(condition);
    os_of(&expression::logic(condition).ok()?)
}

/// The non-Linux OS a condition limits to (see [`other_os`]): in each
/// alternative, the first clause that names one.
fn os_of(condition: &Logic) -> Option<&'static str> {
    let alternatives = match condition {
        Logic::Any(alternatives) => alternatives.as_slice(),
        one => std::slice::from_ref(one),
    };
    let mut found: Option<&'static str> = None;
    for alternative in alternatives {
        let clauses = match alternative {
            Logic::All(clauses) => clauses.as_slice(),
            one => std::slice::from_ref(one),
        };
        let os = clauses.iter().find_map(|clause| match clause {
            Logic::Clause { words, negates } => {
                let (_, os) = [("windows", "Windows"), ("macos", "macOS")]
                    .into_iter()
                    .find(|(os, _)| words.iter().any(|word| word.contains(os)))?;
                (!negates).then_some(os)
            }
            nested => os_of(nested),
        })?;
        found = Some(match found {
            Some(other) if other != os => "Windows or macOS",
            _ => os,
        });
    }
    found
}

/// The files GitHub's runner gives a step to pass things back to it, and
/// what writing to each does: CI plumbing, with no meaning on this machine.
const RUNNER_FILES: [(&str, &str); 5] = [
    (
        "GITHUB_ENV",
        "sets environment variables for the job's later steps",
    ),
    (
        "GITHUB_OUTPUT",
        "sets step outputs for later `${{ steps.… }}` expressions",
    ),
    (
        "GITHUB_PATH",
        "adds a directory to PATH for the job's later steps",
    ),
    (
        "GITHUB_STEP_SUMMARY",
        "writes the run's summary page on GitHub",
    ),
    ("GITHUB_STATE", "saves state for an action's post step"),
];

/// Why `run` cannot run here if it uses a `$GITHUB_…` or `$RUNNER_…`
/// variable that only GitHub's runner sets (`defined` says which ones the
/// workflow sets itself), and what it would have made for later steps:
/// the variables it writes to `$GITHUB_ENV`; nothing for outputs (only
/// `${{ steps.… }}` reads them, and those steps are left out on their
/// own), PATH (setup: the tool is on yours), the summary and state; and
/// for a variable it only reads, what the script itself makes (`made`:
/// nothing for a check or an `echo`). A variable read only on a line that
/// writes to one of the runner's files (`echo "$GITHUB_WORKSPACE/bin" >>
/// $GITHUB_PATH`) only makes what is written there: the step is that
/// file's plumbing, and said so.
fn runner_variable(
    run: &str,
    defined: impl Fn(&str) -> bool,
    made: impl Fn() -> Makes,
) -> Option<(String, Makes)> {
    let runner_set = |name: &&str| {
        (name.starts_with("GITHUB_") || name.starts_with("RUNNER_")) && !defined(name)
    };
    let used: Vec<&str> = dependent::shell_vars(run).filter(runner_set).collect();
    let file = |name: &str| RUNNER_FILES.iter().find(|(file, _)| *file == name);
    let first = *used
        .iter()
        .find(|name| file(name).is_some())
        .or_else(|| used.first())?;
    let reason = match file(first) {
        Some((_, what)) => format!(
            "it {what} through ${first}, a file only GitHub's runner provides (CI plumbing; unset here)"
        ),
        None => format!("it reads ${first}, which only GitHub's runner sets"),
    };
    // Lines that read a runner variable for something other than a line
    // written to one of the runner's files.
    let reads_elsewhere = run.lines().any(|line| {
        let vars: Vec<&str> = dependent::shell_vars(line).filter(runner_set).collect();
        vars.iter().any(|name| file(name).is_none())
            && !vars
                .iter()
                .any(|name| file(name).is_some() && line.contains('>'))
    });
    let makes = if reads_elsewhere && made() == Makes::Anything {
        Makes::Anything
    } else if used.contains(&"GITHUB_ENV") {
        dependent::env_written(run)
    } else {
        Makes::Nothing
    };
    Some((reason, makes))
}

/// What a job gives each of its steps.
struct StepContext<'a> {
    root: &'a Path,
    job_id: &'a str,
    job_dir: Option<&'a str>,
    /// The workflow's and the job's `env:`.
    env: [&'a Env; 2],
    /// The matrix cell the job runs here.
    matrix: Option<&'a Chosen>,
}

/// The action of one step; `Err` says why it cannot run locally, `None`
/// is a step with nothing to run.
fn step_action(
    step: &Step,
    job: &StepContext,
    toolchain: Option<&str>,
    origin: String,
) -> Result<Option<Derived>, LeftOut> {
    if let Some(uses) = &step.uses {
        return Err(LeftOut::new(
            format!("`uses: {uses}` is a GitHub action, which runs only on GitHub"),
            dependent::uses_makes(uses, step.with.as_ref()),
        ));
    }
    let Some(written) = &step.run else {
        return Ok(None);
    };
    let values = job.matrix.map(Chosen::matrix);
    let layers = [job.env[0], job.env[1], &step.env];
    let env = env_context(&layers, values.as_ref());
    let scope = expression::Scope {
        matrix: values.as_ref(),
        env: Some(&env),
        ..expression::Scope::default()
    };
    // The script with the matrix cell's values in, when every expression
    // in it can be worked out here; as written otherwise (and left out).
    let (run, mut matrix_keys, unknown) = match expression::substitute_in(written, &scope) {
        Ok((run, used)) => (run, used, None),
        Err(unknown) => (written.clone(), Vec::new(), Some(unknown)),
    };
    let run = &run;
    // What a step left out below would have made: nothing when it is a
    // check, a test run or only prints, anything otherwise (a build, a
    // download, …). Asked only when the step is left out.
    let made = || {
        if command::is_check(run, step.name.as_deref().unwrap_or("")) || dependent::only_prints(run)
        {
            Makes::Nothing
        } else {
            Makes::Anything
        }
    };
    // A condition that holds for the cell run here, in a passing run, is
    // taken whatever else it names (`startsWith(matrix.os, 'windows') ==
    // false`).
    let passing = expression::Scope {
        status: expression::Status::Passing,
        ..scope
    };
    let condition = step.condition.as_deref();
    let holds = condition.map(|c| expression::holds_in(c, &passing));
    if let (Some(condition), Some(holds)) = (condition, holds.filter(|h| *h != Ok(true))) {
        if runs_after_a_failure(condition, &passing) {
            // jq's "Test logs": `cat test-suite.log` for CI's log page; a
            // passing run has nothing to show and gantry keeps every log.
            return Err(LeftOut::new(
                "it runs only after an earlier step or job failed (`if:`), to show or report it",
                Makes::Nothing,
            ));
        }
        if holds == Ok(false) {
            // It did not run in this cell on GitHub either.
            let when = match job.matrix.filter(|_| condition.contains("matrix")) {
                Some(chosen) => format!(
                    "does not hold for the job's matrix cell run here ({})",
                    chosen.shown(&chosen.keys)
                ),
                None => "never holds".into(),
            };
            return Err(LeftOut::new(
                format!("its `if: {}` {when}", condition.trim()),
                Makes::Nothing,
            ));
        }
        if let Some(os) = other_os(Some(condition)) {
            // It did not run on GitHub's Linux runners either.
            return Err(LeftOut::new(
                format!("it runs only on {os} (`if:`)"),
                Makes::Nothing,
            ));
        }
    }
    let shell = step.shell.as_deref();
    if shell.is_some_and(|s| s.starts_with("pwsh") || s.starts_with("powershell") || s == "cmd") {
        return Err(LeftOut::new("it runs in PowerShell or cmd", made()));
    }
    // `shell: python` (or any program but a shell's: `bash -el {0}` is
    // bash) runs the script in another language than gantry's lines.
    if let Some(program) = shell
        .and_then(|s| s.split_whitespace().next())
        .map(|program| program.rsplit('/').next().unwrap_or(program))
        .filter(|program| !matches!(*program, "bash" | "sh"))
    {
        return Err(LeftOut::new(
            format!(
                "it runs in {program} (`shell:`), not in a shell gantry runs its commands with"
            ),
            made(),
        ));
    }
    let defined = |name: &str| layers.iter().any(|env| env.contains_key(name));
    if let Some((reason, makes)) = runner_variable(run, defined, made) {
        return Err(LeftOut::new(reason, makes));
    }
    if let Some(not) = command::not_local(run) {
        let makes = match not.kind {
            command::Kind::Prepares => Makes::Nothing,
            command::Kind::Service => Makes::Anything,
            command::Kind::CiOnly => made(),
        };
        let reason = match &unknown {
            Some(unknown) => with_unknown(not.reason, unknown),
            None => not.reason,
        };
        return Err(LeftOut::new(reason, makes));
    }
    // The folder, worked out for the matrix cell as the script is.
    let written_dir = step
        .working_directory
        .as_deref()
        .or(job.job_dir)
        .unwrap_or_default();
    let dir = match expression::substitute_in(written_dir, &scope) {
        Ok((dir, used)) => {
            matrix_keys.extend(used);
            dir
        }
        Err(unknown) => {
            let reason = with_unknown(command::CI_EXPRESSION.to_string(), &unknown);
            return Err(LeftOut::new(
                format!("its working-directory: {reason}"),
                made(),
            ));
        }
    };
    let dir = dir.trim_start_matches("./").trim_end_matches('/');
    let mut origin = origin;
    match command::script_prepares(&job.root.join(dir), run) {
        Some(command::ScriptChanges::Only(reason)) => {
            return Err(LeftOut::new(reason, Makes::Nothing));
        }
        Some(command::ScriptChanges::Also(note)) => origin = format!("{origin} ({note})"),
        None => {}
    }
    let StepEnv {
        mut env,
        matrix_keys: env_keys,
        mut notes,
    } = step_env(layers, run, job.matrix).map_err(|reason| LeftOut::new(reason, made()))?;
    matrix_keys.extend(env_keys);
    matrix_keys.extend(job.matrix.iter().flat_map(|c| c.toolchain.iter().cloned()));
    matrix_keys.sort();
    matrix_keys.dedup();
    if let (Some(chosen), false) = (job.matrix, matrix_keys.is_empty()) {
        notes.insert(0, chosen.note(&matrix_keys));
    }
    // A `rust-toolchain(.toml)` file in the step's folder or above picks
    // the toolchain on CI too (it beats the action's default); the
    // variable would beat the file.
    let pinned_by_file = Path::new(dir).ancestors().any(|d| {
        ["rust-toolchain", "rust-toolchain.toml"]
            .iter()
            .any(|f| job.root.join(d).join(f).is_file())
    });
    if let Some(toolchain) =
        toolchain.filter(|_| !pinned_by_file && !env.iter().any(|(n, _)| n == "RUSTUP_TOOLCHAIN"))
    {
        env.push(("RUSTUP_TOOLCHAIN".into(), toolchain.into()));
        env.sort();
    }
    let lines: Vec<String> = run
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(command::escape_vars)
        .collect();
    if lines.is_empty() {
        return Ok(None);
    }
    // `Test on ${{ matrix.os }}` names the action by the cell's value.
    let step_name = step.name.as_ref().map(|named| {
        expression::substitute_in(named, &scope).map_or_else(|_| named.clone(), |(n, _)| n)
    });
    let name = step_name.clone().unwrap_or_else(|| lines[0].clone());
    let label = match step_name {
        Some(named) => named,
        None => command::command_summary(&lines[0]),
    };
    // The job's id places a step as much as its own name does; a step
    // that only prints (versions, say) runs no tests in any job.
    let hint = format!("{name} {}", job.job_id);
    Ok(Some(Derived {
        phase: command::phase(run, &hint),
        runs_tests: command::is_test_run(run, &hint) && !dependent::only_prints(run),
        name: command::slug(&label),
        rewrites: command::rewrites(run).or_else(|| script_rewrites(job.root, dir, run)),
        lines,
        dir: if dir == "." {
            String::new()
        } else {
            dir.to_string()
        },
        origin,
        env,
        shell: needs_bash(run, shell).then(|| "bash".to_string()),
        notes,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_workflows_are_told_by_their_events() {
        let on = |yaml: &str| {
            let value: serde_json::Value = serde_saphyr::from_str(yaml).unwrap();
            only_for_releases(&value)
        };
        assert!(on("push:\n  tags: ['*']\n"));
        assert!(on("release:\n  types: [published]\nworkflow_dispatch:\n"));
        assert!(on("[release]"));
        assert!(!on("push:\n  tags: ['*']\n  branches: [main]\n"));
        assert!(!on("push:\n  tags: ['*']\npull_request:\n"));
        assert!(!on("[push, pull_request]"));
        assert!(!on("workflow_dispatch:\n"));
    }

    #[test]
    fn runnable_steps_become_actions_and_the_rest_is_skipped_with_a_reason() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join(".github/workflows");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("ci.yml"),
            r#"
on: [push]
env:
  CARGO_TERM_COLOR: always
jobs:
  test:
    runs-on: ubuntu-latest
    env:
      RUSTFLAGS: -D warnings
    steps:
      - uses: actions/checkout@v4
      - name: Check formatting
        run: cargo fmt --all -- --check
      - name: Windows only
        if: runner.os == 'Windows'
        run: choco install thing
      - run: |
          cargo test --all
          echo ${{ matrix.x }}
      - name: Tests
        run: |
          # the suite
          cargo test
      - name: Publish docs
        run: ./docs.sh
        env:
          TOKEN: ${{ secrets.DOCS }}
  db:
    runs-on: ubuntu-latest
    services:
      postgres: { image: postgres }
    steps:
      - run: cargo test --features db
  deploy:
    runs-on: ubuntu-latest
    environment: prod
    steps:
      - run: ./deploy.sh
"#,
        )
        .unwrap();
        let found = read(tmp.path());
        let runs: Vec<(&str, Vec<String>)> = found
            .actions
            .iter()
            .map(|a| (a.phase, a.lines.clone()))
            .collect();
        assert_eq!(
            runs,
            vec![
                ("lint", vec!["cargo fmt --all -- --check".to_string()]),
                ("test", vec!["cargo test".to_string()]),
            ]
        );
        assert_eq!(
            found.actions[1].origin,
            ".github/workflows/ci.yml, job test, step \"Tests\""
        );
        let reasons: Vec<String> = found
            .skipped
            .iter()
            .map(|s| format!("{}: {}", s.origin, s.reason))
            .collect();
        assert_eq!(
            found.actions[0].env,
            [
                ("CARGO_TERM_COLOR".to_string(), "always".to_string()),
                ("RUSTFLAGS".to_string(), "-D warnings".to_string())
            ]
        );
        assert_eq!(reasons.len(), 6, "{reasons:#?}");
        assert!(
            reasons[0].contains("job db: it needs services"),
            "{reasons:#?}"
        );
        assert!(
            reasons[1].contains("job deploy: it deploys"),
            "{reasons:#?}"
        );
        assert!(reasons[2].contains("actions/checkout@v4"), "{reasons:#?}");
        assert!(reasons[3].contains("runs only on Windows"), "{reasons:#?}");
        // A test run that is left out makes nothing the next step needs.
        assert!(reasons[4].contains("expression"), "{reasons:#?}");
        assert!(
            reasons[5].contains("TOKEN: it needs CI secrets"),
            "{reasons:#?}"
        );
    }
}
