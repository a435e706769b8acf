//! Composing `gantry.yml` from the templates: the skeleton's head, the
//! deploy groups, then one stage per phase (deps, lint, compile, test)
//! holding the actions of every project that has some (and the lint stage
//! the checks of AppSpec files that do not deploy yet), then the image
//! stage, then a stage per deployed revision ([`revisions`]). A repository
//! with nothing to build gets the commented placeholder pipeline instead.

use super::detect::Project;
use super::revisions::{self, Found};
use super::sources::render::flow_list;
use super::sources::{render, Derived};
use super::template::{self, Need, Rendered, Vars};

const PIPELINE: &str = include_str!("../../templates/pipeline.yml");
const EMPTY: &str = include_str!("../../templates/empty.yml");
const IMAGE: &str = include_str!("../../templates/image.yml");

/// The stages made of project actions, in pipeline order.
pub const PHASES: [&str; 4] = ["deps", "lint", "compile", "test"];

/// A container image to build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageTarget {
    /// The action's name.
    pub action: String,
    /// The build context, relative to the root.
    pub context: String,
    /// The Dockerfile or Containerfile, relative to the context.
    pub file: String,
    /// The image name (lowercase).
    pub image: String,
}

/// What the pipeline is composed from, besides the projects.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// The pipeline's name.
    pub name: String,
    /// Whether the root is in a git repository with a commit.
    pub git: bool,
    /// Whether an image builder was found.
    pub builder: bool,
    /// The images to build.
    pub images: Vec<ImageTarget>,
    /// The root's AppSpec file to deploy (relative to the root), if any.
    pub appspec: Option<String>,
    /// The AppSpec files below the root.
    pub revisions: Vec<Found>,
    /// Actions taken from the repository's CI files and task runners; a
    /// phase they cover replaces the templates' actions for the projects
    /// in the directories they run in.
    pub derived: Vec<Derived>,
    /// What the repository runs that the pipeline leaves out, and why.
    pub skipped: Vec<super::sources::Skipped>,
    /// The `[alias]`es of the repository's `.cargo/config.toml`.
    pub cargo_aliases: Vec<String>,
}

/// A composed `gantry.yml`.
#[derive(Clone, Debug, Default)]
pub struct Composed {
    /// The file's text.
    pub text: String,
    /// The programs its actions need, each once.
    pub needs: Vec<Need>,
    /// The names of its stages.
    pub stages: Vec<String>,
    /// Whether it is the placeholder pipeline (nothing was found).
    pub placeholder: bool,
    /// Every action, with where it came from.
    pub origins: Vec<ActionOrigin>,
    /// The actions written commented out, in file order.
    pub disabled: Vec<String>,
    /// What the user should know about the pipeline (a default used
    /// where the repository's files had nothing that could run).
    pub notes: Vec<String>,
    /// The revisions its stages deploy.
    pub deploys: Vec<revisions::Deploy>,
    /// The AppSpec files the lint stage checks on their own: each
    /// `STAGE/ACTION` and the file.
    pub checks: Vec<(String, String)>,
}

/// Where one generated action came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionOrigin {
    /// `STAGE/ACTION`.
    pub action: String,
    /// `.github/workflows/ci.yml, job test, step "Tests"` or `gantry's Rust (Cargo) defaults`.
    pub origin: String,
}

/// Composes the pipeline for `projects` and what `settings` add.
pub fn compose(projects: &[Project], settings: &Settings) -> Result<Composed, String> {
    let prefixes = action_prefixes(projects);
    let mut rendered = Vec::new();
    for (project, prefix) in projects.iter().zip(&prefixes) {
        rendered.push(render_project(project, prefix)?);
    }
    let python_dirs = super::detect::python_dirs(projects);
    let mut vars = Vars::new();
    vars.insert("name".into(), settings.name.clone());
    vars.insert("found".into(), found(projects, settings));
    let skeleton = template::render("pipeline.yml", PIPELINE, &vars)?;
    let part = |name: &str| skeleton.section(name).map_or("", |s| s.text.as_str());
    let deploys = revisions::deploys(settings.appspec.as_deref(), &settings.revisions);
    let mut out = Composed {
        text: part("head").to_string(),
        ..Composed::default()
    };
    out.text.push_str(&revisions::groups_text(&deploys)?);
    out.text.push_str(part("stages"));
    let mut disabled = String::new();
    let mut disabled_at_end = Vec::new();
    for phase in PHASES {
        let composed = compose_phase(phase, projects, &rendered, settings, &python_dirs, &deploys)?;
        disabled.push_str(&composed.disabled);
        out.notes.extend(composed.notes);
        out.checks.extend(composed.checks);
        disabled_at_end.extend(composed.disabled_actions);
        if composed.text.is_empty() {
            continue;
        }
        out.text.push_str(part(phase));
        out.text.push_str(&composed.text);
        add_needs(&mut out.needs, &composed.needs);
        out.origins.extend(composed.origins);
        out.disabled.extend(composed.commented);
        out.stages.push(phase.to_string());
    }
    // The trailer, with the phases that have no live action, comes last.
    out.disabled.extend(disabled_at_end);
    if !settings.images.is_empty() {
        out.text.push_str(part("image"));
        for target in &settings.images {
            out.text.push_str(&image_action(target, settings)?);
        }
        out.stages.push("image".into());
    }
    out.text.push_str(&revisions::stages_text(&deploys)?);
    out.stages.extend(deploys.iter().map(|d| d.stage.clone()));
    out.deploys = deploys;
    if out.stages.is_empty() {
        return placeholder(&vars);
    }
    out.text.push_str(&trailer(settings, &disabled));
    Ok(out)
}

/// The actions of one phase (stage): the repository's own commands for
/// it, then the templates' actions of the projects those do not cover.
#[derive(Default)]
struct Phase {
    /// The actions' text; empty when the phase has no live action.
    text: String,
    needs: Vec<Need>,
    origins: Vec<ActionOrigin>,
    /// The names of the actions `text` holds commented out.
    commented: Vec<String>,
    /// Commented-out checks of a phase with no live action, with a
    /// commented stage header, for the end of the file.
    disabled: String,
    /// The names of the actions `disabled` holds.
    disabled_actions: Vec<String>,
    /// What the user should know about the phase.
    notes: Vec<String>,
    /// Its actions checking AppSpec files: `STAGE/ACTION` and the file.
    checks: Vec<(String, String)>,
}

fn compose_phase(
    phase: &str,
    projects: &[Project],
    rendered: &[Rendered],
    settings: &Settings,
    python_dirs: &[String],
    deploys: &[revisions::Deploy],
) -> Result<Phase, String> {
    let deps_files = |dir: &str| -> (String, Vec<String>) {
        projects
            .iter()
            .find(|p| p.dir == dir)
            .map(|p| {
                let prefix = p.prefix();
                let files = p
                    .facts
                    .deps_files
                    .iter()
                    .map(|f| format!("{prefix}{f}"))
                    .collect();
                (prefix, files)
            })
            .unwrap_or_default()
    };
    let derived = render::phase(
        &settings.derived,
        phase,
        python_dirs,
        &settings.cargo_aliases,
        &deps_files,
    );
    // The test stage must run the tests: actions that landed there without
    // running any (`echo`, a script of unknown purpose) leave the
    // project's own test action in.
    let covered: Vec<&str> = settings
        .derived
        .iter()
        .filter(|d| d.phase == phase)
        .filter(|d| phase != "test" || d.runs_tests)
        .map(|d| d.dir.as_str())
        .collect();
    let sections: Vec<(&Project, &template::Section)> = projects
        .iter()
        .zip(rendered)
        .filter(|(p, _)| !covered.contains(&p.dir.as_str()))
        .filter_map(|(p, r)| Some((p, r.section(phase)?)))
        .collect();
    let (live, off): (Vec<_>, Vec<_>) = sections
        .into_iter()
        .partition(|(_, s)| !s.actions.is_empty());
    // The lint stage checks the AppSpec files that do not deploy.
    let checks = if phase == "lint" {
        let taken: Vec<String> = derived
            .actions
            .iter()
            .map(|(name, _)| name.clone())
            .chain(
                live.iter()
                    .chain(&off)
                    .flat_map(|(_, s)| s.actions.iter().chain(&s.disabled).cloned()),
            )
            .collect();
        revisions::checks(&settings.revisions, deploys, &taken)?
    } else {
        revisions::Checks::default()
    };
    let mut out = Phase {
        notes: checks.notes,
        ..Phase::default()
    };
    if live.is_empty() && derived.text.is_empty() && checks.text.is_empty() {
        for (_, section) in off.iter().filter(|(_, s)| !s.disabled.is_empty()) {
            out.disabled
                .push_str(&format!("  # - name: {phase}\n  #   actions:\n"));
            out.disabled.push_str(&section.text);
            out.disabled_actions
                .extend(section.disabled.iter().cloned());
        }
        return Ok(out);
    }
    out.text.push_str(&derived.text);
    add_needs(&mut out.needs, &derived.needs);
    out.origins = derived
        .actions
        .iter()
        .map(|(name, origin)| ActionOrigin {
            action: format!("{phase}/{name}"),
            origin: origin.clone(),
        })
        .collect();
    for (project, section) in live.iter().filter(|_| phase == "test") {
        if settings.derived.iter().any(|d| d.dir == project.dir) {
            let place = if project.dir.is_empty() {
                String::new()
            } else {
                format!(" for {}", project.dir)
            };
            out.notes.push(format!(
                "no test step of the repository's CI or task runners could be taken{place} (see what was skipped): the test stage runs gantry's {} default instead: {}",
                project.facts.label,
                section
                    .actions
                    .iter()
                    .map(|a| format!("test/{a}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    for (project, section) in &live {
        add_section(&mut out, phase, project, section);
    }
    out.text.push_str(&checks.text);
    for (name, file) in checks.actions {
        out.origins.push(ActionOrigin {
            action: format!("{phase}/{name}"),
            origin: format!("{file}, an AppSpec file (gantry validate --file-only)"),
        });
        out.checks.push((format!("{phase}/{name}"), file));
    }
    for (project, section) in &off {
        add_section(&mut out, phase, project, section);
    }
    Ok(out)
}

/// Adds a project's template section (its live and commented-out actions).
fn add_section(out: &mut Phase, phase: &str, project: &Project, section: &template::Section) {
    out.text.push_str(&section.text);
    add_needs(&mut out.needs, &section.needs);
    out.commented.extend(section.disabled.iter().cloned());
    out.origins
        .extend(section.actions.iter().map(|name| ActionOrigin {
            action: format!("{phase}/{name}"),
            origin: format!("gantry's {} defaults", project.facts.label),
        }));
}

/// The comments at the end of the file: the checks written commented out,
/// then what the repository runs that cannot run locally.
fn trailer(settings: &Settings, disabled: &str) -> String {
    let mut text = String::new();
    if !disabled.is_empty() {
        text.push_str(
            "  # Checks this repository shows no sign of using (see each note); to add\n  # one, uncomment it into a stage.\n",
        );
        text.push_str(disabled);
    }
    if !settings.skipped.is_empty() {
        text.push_str(
            "# Left out: what the repository's CI runs that cannot run on this machine.\n",
        );
        for line in super::sources::left_out_lines(&settings.skipped) {
            text.push_str(&format!("#   {line}\n"));
        }
    }
    text
}

fn placeholder(vars: &Vars) -> Result<Composed, String> {
    let rendered = template::render("empty.yml", EMPTY, vars)?;
    Ok(Composed {
        text: rendered.sections.into_iter().map(|s| s.text).collect(),
        needs: Vec::new(),
        stages: vec!["build".into()],
        placeholder: true,
        origins: vec![ActionOrigin {
            action: "build/build".into(),
            origin: "a placeholder: nothing to build was found".into(),
        }],
        disabled: Vec::new(),
        notes: Vec::new(),
        deploys: Vec::new(),
        checks: Vec::new(),
    })
}

/// `Rust (Cargo) in ., Node (npm) in web` for the head comment.
fn found(projects: &[Project], settings: &Settings) -> String {
    let mut parts: Vec<String> = projects
        .iter()
        .map(|p| format!("{} in {}", p.facts.label, p.place()))
        .collect();
    for derived in &settings.derived {
        let file = derived.origin.split(',').next().unwrap_or("").to_string();
        if !parts.contains(&file) {
            parts.push(file);
        }
    }
    if !settings.images.is_empty() {
        parts.push(crate::error::plural(settings.images.len(), "Dockerfile"));
    }
    if let Some(appspec) = &settings.appspec {
        parts.push(appspec.clone());
    }
    parts.extend(settings.revisions.iter().map(|r| r.appspec.clone()));
    if parts.is_empty() {
        "this repository".into()
    } else {
        parts.join(", ")
    }
}

fn add_needs(all: &mut Vec<Need>, more: &[Need]) {
    for need in more {
        if !all.iter().any(|n| n.program == need.program) {
            all.push(need.clone());
        }
    }
}

/// Renders one project's template; actions of a project in a subdirectory
/// get `working_directory:`.
fn render_project(project: &Project, prefix: &str) -> Result<Rendered, String> {
    let mut vars = project.facts.vars.clone();
    vars.insert("dir".into(), project.prefix());
    vars.insert("prefix".into(), prefix.to_string());
    let deps: Vec<String> = project
        .facts
        .deps_files
        .iter()
        .map(|f| format!("{}{f}", project.prefix()))
        .collect();
    // An install reads only these files, so they are complete `inputs:`;
    // without any, the action's inputs are the whole tree (the default).
    let deps_inputs = if deps.is_empty() {
        String::new()
    } else {
        flow_list(&deps)
    };
    vars.insert("deps_inputs".into(), deps_inputs);
    let (file, text) = project.ecosystem.template();
    let mut rendered = template::render(file, text, &vars)?;
    if !project.dir.is_empty() {
        for section in &mut rendered.sections {
            section.text = with_working_directory(&section.text, &project.dir);
        }
    }
    Ok(rendered)
}

fn with_working_directory(text: &str, dir: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        out.push_str(line);
        out.push('\n');
        if line.starts_with("      - name: ") {
            out.push_str(&format!("        working_directory: {dir}\n"));
        }
    }
    out
}

/// Action name prefixes: none for a single project, else `ID-` where ID is
/// the directory (`services-api`) or, at the root, the ecosystem (`rust`);
/// projects that would share one get their ecosystem appended.
fn action_prefixes(projects: &[Project]) -> Vec<String> {
    if projects.len() < 2 {
        return vec![String::new(); projects.len()];
    }
    let ids: Vec<String> = projects.iter().map(project_id).collect();
    projects
        .iter()
        .zip(&ids)
        .map(|(p, id)| {
            if ids.iter().filter(|other| *other == id).count() > 1 {
                format!("{id}-{}-", p.ecosystem.key())
            } else {
                format!("{id}-")
            }
        })
        .collect()
}

fn project_id(project: &Project) -> String {
    if project.dir.is_empty() {
        project.ecosystem.key().to_string()
    } else {
        project.dir.replace('/', "-")
    }
}

/// The image stage's action for `target`.
fn image_action(target: &ImageTarget, settings: &Settings) -> Result<String, String> {
    let mut vars = Vars::new();
    vars.insert("action".into(), target.action.clone());
    vars.insert("context".into(), target.context.clone());
    vars.insert("file".into(), target.file.clone());
    vars.insert("image".into(), target.image.clone());
    vars.insert("git".into(), if settings.git { "1" } else { "" }.into());
    vars.insert(
        "builder".into(),
        if settings.builder { "1" } else { "" }.into(),
    );
    let rendered = template::render("image.yml", IMAGE, &vars)?;
    Ok(rendered
        .section("action")
        .map_or(String::new(), |s| s.text.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scaffold::detect;
    use crate::scaffold::ecosystem::Ecosystem;
    use std::path::Path;

    #[test]
    fn flow_lists_quote_every_item() {
        assert_eq!(flow_list(&[]), "[]");
        assert_eq!(
            flow_list(&["src/**".into(), "a\"b".into()]),
            r#"["src/**", "a\"b"]"#
        );
    }

    #[test]
    fn prefixes_tell_projects_apart() {
        let tmp = tempfile::tempdir().unwrap();
        let project = |e: Ecosystem, dir: &str| Project {
            dir: dir.into(),
            ..detect::forced(tmp.path(), e)
        };
        let one = [project(Ecosystem::Rust, "")];
        assert_eq!(action_prefixes(&one), vec![""]);
        let many = [
            project(Ecosystem::Rust, ""),
            project(Ecosystem::Node, "web"),
            project(Ecosystem::Python, "web"),
            project(Ecosystem::Go, "services/api"),
        ];
        assert_eq!(
            action_prefixes(&many),
            vec!["rust-", "web-node-", "web-python-", "services-api-"]
        );
    }

    /// Every template, with every switch off and then on, composes a
    /// config that `config::load_text` accepts.
    #[test]
    fn every_template_variant_is_a_valid_config() {
        let tmp = tempfile::tempdir().unwrap();
        let settings = Settings {
            name: "app".into(),
            images: vec![ImageTarget {
                action: "container".into(),
                context: ".".into(),
                file: "Dockerfile".into(),
                image: "app".into(),
            }],
            appspec: Some("appspec.yml".into()),
            revisions: [
                revisions::State::Complete,
                revisions::State::Incomplete(vec!["line 6: bin/app".into()]),
                revisions::State::Broken {
                    unreadable: true,
                    findings: vec!["line 1: not YAML".into()],
                },
                revisions::State::Undeployable("an Amazon ECS AppSpec file".into()),
            ]
            .into_iter()
            .enumerate()
            .map(|(n, state)| Found {
                dir: format!("deploy/r{n}"),
                appspec: format!("deploy/r{n}/appspec.yml"),
                state,
            })
            .collect(),
            ..Settings::default()
        };
        for ecosystem in Ecosystem::ALL {
            for on in ["", "1"] {
                let mut project = detect::forced(tmp.path(), ecosystem);
                for value in project.facts.vars.values_mut() {
                    if value.is_empty() || value == "1" {
                        *value = on.to_string();
                    }
                }
                let projects = [
                    project.clone(),
                    Project {
                        dir: "sub".into(),
                        ..project
                    },
                ];
                let composed = compose(&projects, &settings).unwrap();
                let loaded = crate::config::load_text(Path::new("gantry.yml"), &composed.text);
                assert!(
                    loaded.is_ok(),
                    "{ecosystem:?} {on:?}: {loaded:?}\n{}",
                    composed.text
                );
                assert!(!composed.needs.is_empty() || on.is_empty(), "{ecosystem:?}");
                // What init reports is what the file says.
                let commented: Vec<&str> = composed
                    .text
                    .lines()
                    .filter_map(|l| l.strip_prefix("      # - name: "))
                    .collect();
                assert_eq!(composed.disabled, commented, "{ecosystem:?} {on:?}");
                let live: Vec<&str> = composed
                    .text
                    .lines()
                    .filter_map(|l| l.strip_prefix("      - name: "))
                    .collect();
                for origin in &composed.origins {
                    let name = origin.action.split_once('/').unwrap().1;
                    assert!(live.contains(&name), "{origin:?} in\n{}", composed.text);
                }
            }
        }
    }
}
