//! The AppSpec files of a repository and what the generated pipeline does
//! with each: the root's (or the one `--appspec` writes) and each complete
//! revision below the root get a `deploy` stage and a deploy group; an
//! AppSpec file whose folder is not a complete revision yet (the build
//! assembles it), is broken, or is not for EC2/On-Premises gets an action
//! in the lint stage that checks the file on its own, and a note.
//!
//! Below the root, AppSpec files are looked for in the folders
//! [`detect::source_dirs`] gives (no dependencies, build output, examples
//! or fixtures), [`DEPTH`] levels down, leaving out what git ignores.
//! Whether a folder is a complete revision is what `gantry validate DIR`
//! says ([`crate::appspec::check_in_revision`]).

use std::path::{Path, PathBuf};

use super::detect;
use super::facts::plain_name;
use super::template::{self, Vars};
use crate::appspec::{self, Os, Platform};
use crate::diagnostics::Diagnostic;

const TEMPLATE: &str = include_str!("../../templates/deploy.yml");

/// How deep below the root AppSpec files are looked for
/// (`services/api/deploy/appspec.yml` is 3).
const DEPTH: usize = 3;

/// At most this many findings are named in a note.
const NAMED_FINDINGS: usize = 3;

/// An AppSpec file found below the root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// Its folder, relative to the root, `/`-separated.
    pub dir: String,
    /// The file, relative to the root (`deploy/appspec.yml`).
    pub appspec: String,
    /// What `gantry validate` says about it.
    pub state: State,
}

/// What `gantry validate` says about an AppSpec file below the root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    /// Its folder is a complete EC2/On-Premises revision: it deploys.
    Complete,
    /// The file is valid on its own, but its folder lacks what it names
    /// (the findings, `line N: message`).
    Incomplete(Vec<String>),
    /// The file has errors of its own (the findings); `unreadable` when it
    /// cannot be read or parsed at all.
    Broken {
        unreadable: bool,
        findings: Vec<String>,
    },
    /// A valid AppSpec file that `gantry deploy` does not carry out: what
    /// it is (`an Amazon ECS AppSpec file`).
    Undeployable(String),
}

/// Every AppSpec file below `root` (not the root's own), in folder order;
/// none in a nested repository (a folder holding its own `.git`).
pub fn find(root: &Path) -> Vec<Found> {
    let git = Git::new(root);
    detect::source_dirs(root, DEPTH)
        .into_iter()
        .filter(|dir| !dir.is_empty() && !in_nested_repository(root, dir))
        .filter_map(|dir| {
            let file = appspec::find_appspec(&root.join(&dir))?;
            let name = file.file_name()?.to_str()?;
            let appspec = format!("{dir}/{name}");
            if git.ignores(&appspec) {
                return None;
            }
            let state = state(&file, &dir, &git);
            Some(Found {
                dir,
                appspec,
                state,
            })
        })
        .collect()
}

/// A note for each AppSpec file that [`find`] (or, at the root, the
/// `deploy` stage) leaves out although a user may expect it used: in a
/// folder whose name needs quoting, one that is a folder or a link to
/// nothing, and each after the first in a folder with several.
pub fn left_out(root: &Path) -> Vec<String> {
    let git = Git::new(root);
    let mut notes = Vec::new();
    for dir in detect::source_dirs_any_name(root, DEPTH) {
        if !dir.is_empty() && in_nested_repository(root, &dir) {
            continue;
        }
        let folder = root.join(&dir);
        let shown = |name: &str| match dir.as_str() {
            "" => name.to_string(),
            dir => format!("{dir}/{name}"),
        };
        let present: Vec<&str> = appspec::APPSPEC_NAMES
            .iter()
            .copied()
            .filter(|name| folder.join(name).symlink_metadata().is_ok())
            .filter(|name| !git.ignores(&shown(name)))
            .collect();
        let Some(first) = present.first() else {
            continue;
        };
        if dir
            .split('/')
            .any(|name| !name.is_empty() && !plain_name(name))
        {
            notes.push(format!(
                "{} was left out: its folder's name needs quoting, which init does not write",
                shown(first)
            ));
            continue;
        }
        let mut files = Vec::new();
        for name in present {
            let path = folder.join(name);
            let what = if path.is_file() {
                files.push(name);
                continue;
            } else if path.is_dir() {
                "a folder"
            } else if path.exists() {
                "not a file"
            } else {
                "a link to nothing"
            };
            notes.push(format!("{} was left out: it is {what}", shown(name)));
        }
        if let [first, others @ ..] = files.as_slice() {
            let folder = if dir.is_empty() { "the root" } else { &dir };
            notes.extend(others.iter().map(|other| {
                format!(
                    "{folder} also has {other}, which gantry deploy ignores ({first} comes first)"
                )
            }));
        }
    }
    notes
}

/// Whether `dir` (below `root`) or a folder between them holds a `.git`.
fn in_nested_repository(root: &Path, dir: &str) -> bool {
    let mut path = root.to_path_buf();
    dir.split('/').any(|name| {
        path.push(name);
        path.join(".git").exists()
    })
}

/// What `gantry validate --file-only FILE`, then `gantry validate DIR`,
/// say about `file` in the folder `dir`; a `files:` source or hook script
/// that git ignores counts as missing (a fresh clone, or a snapshot run,
/// lacks it).
fn state(file: &Path, dir: &str, git: &Git) -> State {
    // Read once: the file alone first, then with its folder as the revision.
    let (report, bytes) = appspec::check_in_revision(file);
    let alone = match &bytes {
        Some(bytes) => appspec::check_bytes(file, bytes, None, None).diagnostics,
        None => report.diagnostics.clone(),
    };
    let errors: Vec<Diagnostic> = alone.into_iter().filter(Diagnostic::is_error).collect();
    if !errors.is_empty() {
        return State::Broken {
            unreadable: errors
                .iter()
                .any(|d| appspec::UNREADABLE_CODES.contains(&d.code.as_str())),
            findings: errors.iter().map(finding).collect(),
        };
    }
    if let Some(platform @ (Platform::Ecs | Platform::Lambda)) = report.platform {
        return State::Undeployable(format!("an {} AppSpec file", platform.name()));
    }
    if report.appspec.as_ref().is_some_and(|a| a.os == Os::Windows) {
        return State::Undeployable("a Windows revision (`os: windows`)".into());
    }
    let mut missing: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(finding)
        .collect();
    if missing.is_empty() {
        if let Some(spec) = &report.appspec {
            missing = ignored_parts(spec, dir, git);
        }
    }
    if missing.is_empty() {
        State::Complete
    } else {
        State::Incomplete(missing)
    }
}

/// The `files:` sources and hook scripts of `spec` (in the folder `dir`)
/// that git ignores: built locally, not committed.
fn ignored_parts(spec: &appspec::AppSpec, dir: &str, git: &Git) -> Vec<String> {
    let sources = spec
        .files
        .iter()
        .map(|f| (f.line, "source", f.source.as_str()));
    let scripts = spec
        .hooks
        .values()
        .flatten()
        .map(|h| (h.line, "hook script", h.location.as_str()));
    let mut found: Vec<(usize, String)> = sources
        .chain(scripts)
        .filter_map(|(line, what, path)| {
            let rel = path.trim_start_matches('/');
            (!rel.is_empty() && git.ignores(&format!("{dir}/{rel}"))).then(|| {
                (
                    line,
                    format!("line {line}: {what} \"{path}\" is git-ignored (built, not committed)"),
                )
            })
        })
        .collect();
    found.sort();
    found.dedup();
    found.into_iter().map(|(_, text)| text).collect()
}

/// `line 6: source "bin/app" does not exist in the revision`.
fn finding(d: &Diagnostic) -> String {
    match d.line {
        0 => d.message.clone(),
        line => format!("line {line}: {}", d.message),
    }
}

/// What git ignores and tracks, for a root in a git work tree: the
/// repository, the root relative to its work tree, and the tracked paths
/// (sorted). Read on the first question: most roots have no AppSpec file
/// below them, and then git is never asked.
struct Git {
    root: PathBuf,
    found: std::cell::OnceCell<Option<(git2::Repository, PathBuf, Vec<String>)>>,
}

impl Git {
    fn new(root: &Path) -> Git {
        Git {
            root: root.to_path_buf(),
            found: std::cell::OnceCell::new(),
        }
    }

    fn open(&self) -> Option<&(git2::Repository, PathBuf, Vec<String>)> {
        self.found
            .get_or_init(|| {
                // Canonical, as git spells its work tree.
                let real = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
                let repo = git2::Repository::discover(&self.root).ok()?;
                let below = real(&self.root)
                    .strip_prefix(real(repo.workdir()?))
                    .ok()?
                    .to_path_buf();
                let mut tracked = repo.index().map_or_else(
                    |_| Vec::new(),
                    |index| {
                        index
                            .iter()
                            .map(|e| String::from_utf8_lossy(&e.path).into_owned())
                            .collect()
                    },
                );
                tracked.sort_unstable();
                Some((repo, below, tracked))
            })
            .as_ref()
    }

    /// Whether git ignores `rel` (relative to the root), or a folder it is
    /// in, and tracks nothing there (a force-added file is not ignored).
    fn ignores(&self, rel: &str) -> bool {
        let Some((repo, below, tracked)) = self.open() else {
            return false;
        };
        let path = below.join(rel);
        let Some(key) = path.to_str() else {
            return false;
        };
        let inside = format!("{key}/");
        // Sorted: the paths below `key/` follow one another from where it would go.
        let first_inside = tracked.partition_point(|t| t.as_str() < inside.as_str());
        let is_tracked = tracked.binary_search_by(|t| t.as_str().cmp(key)).is_ok()
            || tracked
                .get(first_inside)
                .is_some_and(|t| t.starts_with(&inside));
        if is_tracked {
            return false;
        }
        repo.is_path_ignored(&path).unwrap_or(false)
    }
}

/// A `deploy` stage of the pipeline and the group it deploys to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deploy {
    /// The stage's name.
    pub stage: String,
    /// The deploy group's name.
    pub group: String,
    /// The revision folder, relative to the root (`.` for the root).
    pub revision: String,
    /// The AppSpec file, relative to the root.
    pub appspec: String,
}

/// The deployments: the root's AppSpec file (`root`), then each complete
/// revision of `found`. One alone is the stage `deploy` to the group
/// `dev`; the root's keeps those names among several, the others' are
/// `deploy-ID` and `dev-ID`, ID being the folder (`services-api`).
pub fn deploys(root: Option<&str>, found: &[Found]) -> Vec<Deploy> {
    let mut all: Vec<Deploy> = root
        .map(|appspec| Deploy {
            stage: "deploy".into(),
            group: "dev".into(),
            revision: ".".into(),
            appspec: appspec.to_string(),
        })
        .into_iter()
        .collect();
    let complete = found.iter().filter(|f| f.state == State::Complete);
    let alone = all.is_empty() && complete.clone().count() == 1;
    for f in complete {
        let (stage, group) = if alone {
            ("deploy".to_string(), "dev".to_string())
        } else {
            let id = unique(&id(&f.dir), |id| {
                all.iter().any(|d| d.group == format!("dev-{id}"))
            });
            (format!("deploy-{id}"), format!("dev-{id}"))
        };
        all.push(Deploy {
            stage,
            group,
            revision: f.dir.clone(),
            appspec: f.appspec.clone(),
        });
    }
    all
}

/// For each of `deploys` (in `root`) whose AppSpec file has hooks, a note
/// naming the scripts its stage runs on this machine, in lifecycle order,
/// and their `runas:` users (honoured when gantry runs as root).
pub fn hook_notes(root: &Path, deploys: &[Deploy]) -> Vec<String> {
    deploys
        .iter()
        .filter_map(|deploy| {
            let spec = appspec::load(&root.join(&deploy.appspec)).ok()?;
            let scripts: Vec<String> = appspec::SERVER_EVENTS
                .iter()
                .filter_map(|event| Some((event, spec.hooks.get(*event)?)))
                .flat_map(|(event, scripts)| {
                    scripts.iter().map(move |s| match &s.runas {
                        Some(user) => format!("{} ({event}, as {user})", s.location),
                        None => format!("{} ({event})", s.location),
                    })
                })
                .collect();
            if scripts.is_empty() {
                return None;
            }
            let whose = if deploy.revision == "." {
                "the root's".to_string()
            } else {
                format!("{}/'s", deploy.revision)
            };
            Some(format!(
                "stage {} runs {whose} hooks on this machine at `gantry run`: {}",
                deploy.stage,
                scripts.join(", ")
            ))
        })
        .collect()
}

/// `services/api` → `services-api`.
fn id(dir: &str) -> String {
    dir.replace('/', "-")
}

/// `name`, or `name-2`, `name-3`, … the first that is not `taken`.
fn unique(name: &str, taken: impl Fn(&str) -> bool) -> String {
    let mut candidate = name.to_string();
    let mut n = 1;
    while taken(&candidate) {
        n += 1;
        candidate = format!("{name}-{n}");
    }
    candidate
}

/// The `deploy_groups:` mapping of `deploys` (empty without any).
pub fn groups_text(deploys: &[Deploy]) -> Result<String, String> {
    let Some(first) = deploys.first() else {
        return Ok(String::new());
    };
    let mut vars = deploy_vars(first);
    vars.insert(
        "several".into(),
        if deploys.len() > 1 { "1" } else { "" }.into(),
    );
    let mut text = section(&vars, "groups")?;
    for deploy in deploys {
        text.push_str(&section(&deploy_vars(deploy), "group")?);
    }
    Ok(text)
}

/// The stages deploying `deploys`, in order.
pub fn stages_text(deploys: &[Deploy]) -> Result<String, String> {
    deploys
        .iter()
        .map(|d| section(&deploy_vars(d), "deploy"))
        .collect()
}

/// The lint stage's actions that check AppSpec files on their own.
#[derive(Debug, Default)]
pub struct Checks {
    /// The actions' text.
    pub text: String,
    /// Each action's name and the AppSpec file it checks.
    pub actions: Vec<(String, String)>,
    /// What the user should know about each file.
    pub notes: Vec<String>,
}

/// An action for each AppSpec file of `found` that does not deploy, named
/// `appspec-ID` unless a name in `taken` (the lint stage's other actions)
/// has that, and a note for each; for folders that are not complete
/// revisions, how to deploy the revision the build assembles, to a group
/// none of `deploys` has.
pub fn checks(found: &[Found], deploys: &[Deploy], taken: &[String]) -> Result<Checks, String> {
    let mut out = Checks::default();
    for f in found.iter().filter(|f| f.state != State::Complete) {
        let action = unique(&format!("appspec-{}", id(&f.dir)), |name| {
            taken.iter().any(|t| t == name) || out.actions.iter().any(|(a, _)| a == name)
        });
        let mut vars = Vars::new();
        vars.insert("action".into(), action.clone());
        vars.insert("appspec".into(), f.appspec.clone());
        vars.insert("why".into(), why(f));
        out.text.push_str(&section(&vars, "check")?);
        out.notes.push(note(f, &format!("lint/{action}")));
        out.actions.push((action, f.appspec.clone()));
    }
    if found
        .iter()
        .any(|f| matches!(f.state, State::Incomplete(_)))
    {
        let group = unique("dev", |g| deploys.iter().any(|d| d.group == g));
        out.notes.push(deploy_hint(&group));
    }
    Ok(out)
}

/// The comment line above a check action: why it only checks the file.
fn why(f: &Found) -> String {
    match &f.state {
        State::Complete => String::new(),
        State::Incomplete(_) => format!(
            "the folder {}/ is not a complete revision (`gantry validate {}` lists what it lacks).",
            f.dir, f.dir
        ),
        State::Broken { .. } => format!(
            "`gantry init` found errors in {}: this fails until they are fixed.",
            f.appspec
        ),
        State::Undeployable(what) => format!(
            "{} is {what}, which `gantry deploy` does not carry out (it deploys Linux EC2/On-Premises revisions).",
            f.appspec
        ),
    }
}

/// The note init prints for an AppSpec file that `action` checks.
fn note(f: &Found, action: &str) -> String {
    let file = &f.appspec;
    match &f.state {
        State::Complete => String::new(),
        State::Incomplete(missing) => format!(
            "the folder {}/ is not a complete revision ({}): {action} checks {file} on its own, as `gantry validate --file-only {file}` does, so that a broken AppSpec file fails `gantry run` (and a push, with `gantry hook install`)",
            f.dir,
            named(missing),
        ),
        State::Broken {
            unreadable: true,
            findings,
        } => format!(
            "{file} cannot be read as an AppSpec file ({}): {action} reports this on the first `gantry run` and fails until it is fixed; `gantry validate {file}` shows every finding",
            named(findings)
        ),
        State::Broken { findings, .. } => format!(
            "{file} has {} ({}): {action} fails until {} fixed; `gantry validate {file}` shows every finding",
            crate::error::plural(findings.len(), "error"),
            named(findings),
            if findings.len() == 1 { "it is" } else { "they are" },
        ),
        State::Undeployable(what) => format!(
            "{file} is {what}: {action} checks it, and no stage deploys it (`gantry deploy` carries out Linux EC2/On-Premises revisions)"
        ),
    }
}

/// How to deploy a revision that the build assembles, naming the group
/// `group` (one no stage deploys to yet).
fn deploy_hint(group: &str) -> String {
    format!(
        "once the build assembles a whole revision in a folder (say target/revision), deploy it locally with a last stage `deploy: {{ revision: target/revision, group: {group} }}` and a top-level `deploy_groups: {{ {group}: {{ instances: 1 }} }}` (docs/deploy.md in gantry's repository)"
    )
}

/// The first few findings, `; `-separated, and how many more there are.
fn named(findings: &[String]) -> String {
    let mut text = findings
        .iter()
        .take(NAMED_FINDINGS)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if findings.len() > NAMED_FINDINGS {
        text.push_str(&format!("; and {} more", findings.len() - NAMED_FINDINGS));
    }
    text
}

fn deploy_vars(deploy: &Deploy) -> Vars {
    let mut vars = Vars::new();
    vars.insert("stage".into(), deploy.stage.clone());
    vars.insert("group".into(), deploy.group.clone());
    vars.insert("revision".into(), deploy.revision.clone());
    vars.insert("appspec".into(), deploy.appspec.clone());
    vars.insert(
        "sub".into(),
        if deploy.revision == "." { "" } else { "1" }.into(),
    );
    vars
}

/// The variables of `templates/deploy.yml`: every section is rendered
/// with all of them, the ones it does not use empty.
const VARIABLES: [&str; 8] = [
    "stage", "group", "revision", "appspec", "sub", "several", "action", "why",
];

/// One section of `templates/deploy.yml`, rendered with `vars`.
fn section(vars: &Vars, name: &str) -> Result<String, String> {
    let mut all: Vars = VARIABLES
        .iter()
        .map(|v| (v.to_string(), String::new()))
        .collect();
    all.extend(vars.clone());
    let rendered = template::render("deploy.yml", TEMPLATE, &all)?;
    Ok(rendered
        .section(name)
        .map_or(String::new(), |s| s.text.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(dir: &str, state: State) -> Found {
        Found {
            dir: dir.into(),
            appspec: format!("{dir}/appspec.yml"),
            state,
        }
    }

    fn names(deploys: &[Deploy]) -> Vec<(&str, &str, &str)> {
        deploys
            .iter()
            .map(|d| (d.stage.as_str(), d.group.as_str(), d.revision.as_str()))
            .collect()
    }

    #[test]
    fn one_revision_is_deploy_to_dev_and_the_root_keeps_those_names() {
        let sub = [found("deploy", State::Complete)];
        assert_eq!(
            names(&deploys(None, &sub)),
            vec![("deploy", "dev", "deploy")]
        );
        assert_eq!(
            names(&deploys(Some("appspec.yml"), &sub)),
            vec![
                ("deploy", "dev", "."),
                ("deploy-deploy", "dev-deploy", "deploy")
            ]
        );
    }

    #[test]
    fn several_revisions_get_distinct_stage_and_group_names() {
        let subs = [
            found("a/b", State::Complete),
            found("a-b", State::Complete),
            found("web", State::Incomplete(vec!["x".into()])),
        ];
        assert_eq!(
            names(&deploys(None, &subs)),
            vec![
                ("deploy-a-b", "dev-a-b", "a/b"),
                ("deploy-a-b-2", "dev-a-b-2", "a-b")
            ]
        );
    }

    #[test]
    fn check_action_names_avoid_the_lint_stage_s_own() {
        let subs = [
            found("web", State::Incomplete(vec!["x".into()])),
            found("api", State::Complete),
        ];
        let checks = checks(&subs, &[], &["appspec-web".into()]).unwrap();
        assert_eq!(
            checks.actions,
            vec![("appspec-web-2".to_string(), "web/appspec.yml".to_string())]
        );
        assert!(checks.text.contains("validate --file-only web/appspec.yml"));
        assert!(checks.notes[0].contains("lint/appspec-web-2"));
    }

    #[test]
    fn what_validate_says_decides_the_state() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("appspec.yml");
        let state_of = |text: &str| {
            std::fs::write(&file, text).unwrap();
            let outside_git = Git {
                root: tmp.path().to_path_buf(),
                found: None.into(),
            };
            state(&file, "deploy", &outside_git)
        };
        assert_eq!(state_of("version: 0.0\nos: linux\n"), State::Complete);
        assert_eq!(
            state_of("version: 0.0\nos: linux\nhooks:\n  ApplicationStopp:\n    - location: a.sh\n"),
            State::Broken {
                unreadable: false,
                findings: vec![
                    "line 4: hook \"ApplicationStopp\" is not a lifecycle event — did you mean \"ApplicationStop\"?".into()
                ],
            }
        );
        assert!(matches!(
            state_of("version: 0.0\nos: linux\nfiles: [\n"),
            State::Broken {
                unreadable: true,
                ..
            }
        ));
        assert_eq!(
            state_of(
                "version: 0.0\nos: linux\nfiles:\n  - source: bin/app\n    destination: /opt/app\n"
            ),
            State::Incomplete(vec![
                "line 4: source \"bin/app\" does not exist in the revision".into()
            ])
        );
        assert_eq!(
            state_of("version: 0.0\nos: windows\n"),
            State::Undeployable("a Windows revision (`os: windows`)".into())
        );
    }

    #[test]
    fn many_findings_are_counted_after_the_first_few() {
        let five: Vec<String> = (1..=5).map(|n| format!("f{n}")).collect();
        assert_eq!(named(&five), "f1; f2; f3; and 2 more");
    }
}
