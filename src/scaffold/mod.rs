//! `gantry init`: look at a repository, and write a `gantry.yml` (and, on
//! request, an AppSpec revision) that runs on the first try.
//!
//! - [`detect`] finds the projects (one per ecosystem and directory);
//! - [`sources`] reads what the repository already runs (CI files, task
//!   runners, package scripts);
//! - [`ecosystem`], `facts`, `node` and `python` learn what their templates need;
//! - [`template`] renders the files of `templates/`;
//! - [`pipeline`] composes the stages; [`appspec`] the `--appspec` files;
//! - [`revisions`] finds the AppSpec files below the root and decides which
//!   deploy and which are checked on their own;
//! - [`tools`] looks up the programs the actions need;
//! - [`write`](mod@write) writes everything or nothing.
//!
//! [`plan`] does everything except writing, so `--dry-run` shows exactly
//! what [`write::write_all`] would write.

pub mod appspec;
pub mod detect;
pub mod ecosystem;
pub(crate) mod facts;
mod gitignore;
mod node;
pub mod pipeline;
mod python;
pub mod revisions;
pub mod sources;
pub mod template;
pub mod tools;
mod words;
pub mod write;

use std::path::{Path, PathBuf};

pub use ecosystem::{Ecosystem, Template};
pub use sources::Origin;

use crate::error::UsageError;
use detect::Project;
use pipeline::{Composed, ImageTarget, Settings};
use write::{Change, FileChange};

/// Dockerfile names, in order of preference.
const DOCKERFILES: [&str; 2] = ["Dockerfile", "Containerfile"];

/// How `gantry init` was asked to work.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Use this ecosystem (or task runner) for the root instead of detecting.
    pub template: Option<Template>,
    /// Take the commands from this source only.
    pub from: Option<Origin>,
    /// Also write `appspec.yml` and its hook scripts.
    pub appspec: bool,
    /// Overwrite existing files.
    pub force: bool,
}

/// Everything `gantry init` would do, decided and checked.
#[derive(Debug)]
pub struct Scaffold {
    /// The pipeline root: the directory of the config.
    pub root: PathBuf,
    /// The projects found (or chosen with `--template`).
    pub projects: Vec<Project>,
    /// The generated pipeline.
    pub pipeline: Composed,
    /// The container images it builds.
    pub images: Vec<ImageTarget>,
    /// The image builder `gantry run` would use, or why there is none
    /// (only looked up when there are images).
    pub builder: Result<String, String>,
    /// The files to write, in order.
    pub files: Vec<FileChange>,
    /// Things the user should know about the projects.
    pub notes: Vec<String>,
    /// What the repository's CI files and task runners said.
    pub sources: sources::Found,
}

/// Decides and checks everything for a config at `config`, writing nothing.
pub fn plan(config: &Path, options: &Options) -> anyhow::Result<Scaffold> {
    let root = config.parent().unwrap_or(Path::new(".")).to_path_buf();
    refuse_overwrites(&root, config, options)?;
    let projects = match options.template {
        Some(t) => t
            .ecosystem()
            .map(|e| detect::forced(&root, e))
            .into_iter()
            .collect(),
        None => detect::projects(&root),
    };
    let mut sources = match options.template.map(|t| (t, t.runner())) {
        Some((_, Some(runner))) => sources::runner_or_default(&root, runner),
        Some((_, None)) => sources::Found::default(),
        None => sources::read(&root, options.from),
    };
    sources::keep_pip_in_venvs(&mut sources, &detect::python_dirs(&projects));
    let merged_installs = sources::merge_installs(&mut sources);
    if let (Some(origin), true) = (options.from, sources.actions.is_empty()) {
        return Err(UsageError(format!(
            "--from {}: {}",
            origin.key(),
            sources::nothing_from(origin)
        ))
        .into());
    }
    let name = pipeline_name(&root);
    let images = images(&root, &projects, &image_name(&name));
    let builder = if images.is_empty() {
        Err(String::new())
    } else {
        tools::image_builder(&root)
    };
    let settings = Settings {
        name,
        git: crate::git::GitInfo::discover(&root).in_repo,
        builder: builder.is_ok(),
        images: images.clone(),
        appspec: deployed_appspec(&root, options),
        revisions: revisions::find(&root),
        derived: sources.actions.clone(),
        skipped: sources.skipped.clone(),
        cargo_aliases: tools::cargo_aliases(&root),
    };
    let pipeline = pipeline::compose(&projects, &settings).map_err(bug)?;
    if let Err(found) = crate::config::load_text(config, &pipeline.text) {
        let first = found.first().map_or(String::new(), |d| d.message.clone());
        return Err(bug(format!("the generated gantry.yml is invalid: {first}")));
    }
    let files = files(&root, config, &pipeline, options, &settings.name)?;
    let mut notes = notes(&projects);
    notes.extend(merged_installs);
    notes.extend(pipeline.notes.iter().cloned());
    notes.extend(revisions::hook_notes(&root, &pipeline.deploys));
    notes.extend(revisions::left_out(&root));
    notes.extend(sources.actions.iter().filter_map(|a| {
        let what = a.rewrites.as_ref()?;
        Some(format!(
            "`{}` (from {}) rewrites files ({what}); it is kept as the repository runs it",
            a.lines.join("; "),
            a.origin
        ))
    }));
    // The same note of several actions (the matrix cell of a job's
    // steps) once, naming them all.
    let mut taken: Vec<(&str, Vec<&str>)> = Vec::new();
    for action in &sources.actions {
        for note in &action.notes {
            match taken.iter_mut().find(|(n, _)| n == note) {
                Some((_, names)) => names.push(&action.name),
                None => taken.push((note, vec![&action.name])),
            }
        }
    }
    notes.extend(
        taken
            .into_iter()
            .map(|(note, names)| format!("{}: {note}", names.join(", "))),
    );
    notes.extend(clean_tree_note(&sources.actions));
    Ok(Scaffold {
        root,
        projects,
        pipeline,
        images,
        builder,
        files,
        notes,
        sources,
    })
}

/// One note for the actions that need a clean working tree (`git diff
/// --exit-code`), naming the first and counting the others.
fn clean_tree_note(actions: &[sources::Derived]) -> Option<String> {
    let mut checks = actions.iter().filter_map(|a| {
        let check = a
            .lines
            .iter()
            .find_map(|l| sources::command::checks_clean_tree(l))?;
        Some((check, &a.origin))
    });
    let (check, origin) = checks.next()?;
    let others = match checks.count() {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    Some(format!(
        "`{check}` (from {origin}{others}) fails while the working tree has uncommitted changes, such as the gantry.yml and .gitignore init writes: commit them before `gantry run`"
    ))
}

/// Writes the planned files, all or nothing.
pub fn write(scaffold: &Scaffold) -> anyhow::Result<()> {
    write::write_all(&scaffold.files)
}

fn bug(message: String) -> anyhow::Error {
    anyhow::anyhow!("{message} (a bug in gantry init; please report it)")
}

/// The files to write: the config, the `--appspec` revision, `.gitignore`.
fn files(
    root: &Path,
    config: &Path,
    pipeline: &Composed,
    options: &Options,
    name: &str,
) -> anyhow::Result<Vec<FileChange>> {
    let shown = config.strip_prefix(root).unwrap_or(config);
    let mut files = vec![FileChange::new(
        root,
        &shown.to_string_lossy(),
        pipeline.text.clone(),
        0o644,
    )];
    if options.appspec {
        for (rel, text, mode) in appspec::render(&image_name(name)).map_err(bug)? {
            files.push(FileChange::new(root, &rel, text, mode));
        }
    }
    let existing = crate::fsutil::read_to_string(&root.join(".gitignore")).ok();
    if let Some(text) = gitignore::with_state_dir(existing.as_deref()) {
        let mut change = FileChange::new(root, ".gitignore", text, 0o644);
        if change.change == Change::Replace {
            change.change = Change::Append;
        }
        files.push(change);
    }
    Ok(files)
}

/// Stops before anything is written if a file would be overwritten without `--force`.
fn refuse_overwrites(root: &Path, config: &Path, options: &Options) -> anyhow::Result<()> {
    if options.force {
        return Ok(());
    }
    let mut taken: Vec<String> = Vec::new();
    if config.exists() {
        taken.push(
            config
                .file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into()),
        );
    }
    let is_default = config.file_name().is_some_and(|n| n == "gantry.yml");
    if is_default && root.join("gantry.yaml").exists() {
        taken.push("gantry.yaml".into());
    }
    if options.appspec {
        let appspecs = crate::appspec::APPSPEC_NAMES.iter().copied();
        taken.extend(
            appspecs
                .chain(appspec::paths().into_iter().skip(1))
                .filter(|p| root.join(p).exists())
                .map(String::from),
        );
    }
    taken.dedup();
    if taken.is_empty() {
        return Ok(());
    }
    Err(UsageError(format!(
        "{} already {}; `gantry init --force` overwrites {}",
        taken.join(", "),
        if taken.len() == 1 { "exists" } else { "exist" },
        if taken.len() == 1 { "it" } else { "them" },
    ))
    .into())
}

/// The AppSpec file a `deploy` stage deploys: the one `--appspec` writes,
/// else one the root already has.
fn deployed_appspec(root: &Path, options: &Options) -> Option<String> {
    if options.appspec {
        return Some("appspec.yml".into());
    }
    let found = crate::appspec::find_appspec(root)?;
    Some(found.file_name()?.to_string_lossy().into_owned())
}

/// Notes of the projects, naming the project when there are several.
fn notes(projects: &[Project]) -> Vec<String> {
    projects
        .iter()
        .flat_map(|p| {
            p.facts.notes.iter().map(move |note| {
                if projects.len() == 1 && p.dir.is_empty() {
                    note.clone()
                } else {
                    format!("{} in {}: {note}", p.facts.label, p.place())
                }
            })
        })
        .collect()
}

/// The root's name as a pipeline name: letters, digits, `.`, `_`, `-`.
fn pipeline_name(root: &Path) -> String {
    let dir = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let raw = dir
        .file_name()
        .map_or(String::new(), |n| n.to_string_lossy().into_owned());
    let name: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let name = name.trim_matches(['-', '.']).to_string();
    if name.is_empty() {
        "app".into()
    } else {
        name
    }
}

/// A lowercase image (and application) name: `[a-z0-9]` words joined by `-`.
fn image_name(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        "app".into()
    } else {
        words.join("-")
    }
}

/// A Dockerfile (or Containerfile) at the root and in each project directory.
fn images(root: &Path, projects: &[Project], app: &str) -> Vec<ImageTarget> {
    let mut dirs = vec![String::new()];
    for p in projects {
        if !dirs.contains(&p.dir) {
            dirs.push(p.dir.clone());
        }
    }
    let mut found: Vec<ImageTarget> = dirs
        .iter()
        .filter_map(|dir| {
            let file = DOCKERFILES
                .iter()
                .find(|f| root.join(dir).join(f).is_file())?;
            let id = if dir.is_empty() {
                "root".to_string()
            } else {
                dir.replace('/', "-")
            };
            Some(ImageTarget {
                action: id.clone(),
                context: if dir.is_empty() {
                    ".".into()
                } else {
                    dir.clone()
                },
                file: file.to_string(),
                image: if dir.is_empty() {
                    app.to_string()
                } else {
                    image_name(&format!("{app}-{id}"))
                },
            })
        })
        .collect();
    if let [only] = found.as_mut_slice() {
        only.action = "container".into();
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_usable_as_pipeline_and_image_names() {
        assert_eq!(pipeline_name(Path::new("/tmp/My App")), "My-App");
        assert_eq!(pipeline_name(Path::new("/tmp/.tmpXy")), "tmpXy");
        assert_eq!(image_name("My_App.v2"), "my-app-v2");
        assert_eq!(image_name("__"), "app");
    }
}
