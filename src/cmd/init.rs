//! `gantry init`: write a `gantry.yml` for the repository in the working
//! directory (or `-C DIR`; `-f FILE` names the file), then say what was
//! found, what is missing and what to do next.

use std::io::Write;

use super::Globals;
use crate::cli::InitArgs;
use crate::scaffold::write::Change;
use crate::scaffold::{self, tools, Options, Scaffold};

/// Plans, then writes (or with `--dry-run` prints) the files.
pub fn execute(ctx: &Globals, args: &InitArgs) -> anyhow::Result<u8> {
    let config = ctx.cwd.join(
        ctx.config_file
            .as_deref()
            .unwrap_or(std::path::Path::new("gantry.yml")),
    );
    let options = Options {
        template: args.template,
        from: args.from,
        appspec: args.appspec,
        force: args.force,
    };
    let plan = scaffold::plan(&config, &options)?;
    let mut out = std::io::stdout().lock();
    print_found(&mut out, &plan)?;
    if args.dry_run {
        print_files(&mut out, &plan)?;
        writeln!(out, "dry run: nothing was written")?;
        return Ok(0);
    }
    scaffold::write(&plan)?;
    // The schema the `yaml-language-server` line points at, for editors.
    crate::driver::ensure_state_dir(&plan.root)?;
    for file in &plan.files {
        let what = match file.change {
            Change::Create => "created",
            Change::Replace => "overwrote",
            Change::Append => "added .gantry/ to",
        };
        writeln!(out, "{what} {}", file.shown)?;
    }
    print_checks(&mut out, &plan)?;
    print_next_steps(&mut out, &plan)?;
    Ok(0)
}

fn print_found(out: &mut impl Write, plan: &Scaffold) -> anyhow::Result<()> {
    if plan.pipeline.placeholder {
        writeln!(
            out,
            "no project found in {} (no Cargo.toml, package.json, go.mod, pyproject.toml, pom.xml, …): \
             writing a minimal pipeline with one placeholder stage to edit",
            plan.root.display()
        )?;
    }
    for project in &plan.projects {
        writeln!(out, "found {} in {}", project.facts.label, project.place())?;
    }
    for image in &plan.images {
        let dir = if image.context == "." {
            "."
        } else {
            &image.context
        };
        writeln!(out, "found {} in {dir}: an image stage", image.file)?;
    }
    for deploy in plan.pipeline.deploys.iter().filter(|d| d.revision != ".") {
        writeln!(
            out,
            "found {}: the folder {}/ is a complete revision, deployed by stage {} to the group {}",
            deploy.appspec, deploy.revision, deploy.stage, deploy.group
        )?;
    }
    for (action, appspec) in &plan.pipeline.checks {
        writeln!(out, "found {appspec}: checked by {action}")?;
    }
    writeln!(out, "stages: {}", plan.pipeline.stages.join(", "))?;
    print_origins(out, plan)?;
    for note in &plan.notes {
        writeln!(out, "note: {note}")?;
    }
    Ok(())
}

/// Where each action came from, and what the repository runs that the
/// pipeline leaves out (and why).
fn print_origins(out: &mut impl Write, plan: &Scaffold) -> anyhow::Result<()> {
    if !plan.sources.used.is_empty() {
        let used: Vec<&str> = plan.sources.used.iter().map(|o| o.key()).collect();
        writeln!(out, "commands taken from: {}", used.join(", "))?;
    }
    let width = plan
        .pipeline
        .origins
        .iter()
        .map(|o| o.action.len())
        .max()
        .unwrap_or(0);
    for origin in &plan.pipeline.origins {
        writeln!(out, "  {:width$}  from {}", origin.action, origin.origin)?;
    }
    let off = &plan.pipeline.disabled;
    if !off.is_empty() {
        writeln!(
            out,
            "written commented out, as the repository shows no sign of using them: {}",
            off.join(", ")
        )?;
    }
    for line in scaffold::sources::left_out_lines(&plan.sources.skipped) {
        writeln!(out, "skipped {line}")?;
    }
    Ok(())
}

/// `--dry-run`: each file with its path.
fn print_files(out: &mut impl Write, plan: &Scaffold) -> anyhow::Result<()> {
    for file in &plan.files {
        let what = match file.change {
            Change::Create => "would create",
            Change::Replace => "would overwrite",
            Change::Append => "would add .gantry/ to",
        };
        writeln!(out, "--- {what} {} (mode {:o})", file.shown, file.mode)?;
        write!(out, "{}", file.text)?;
    }
    Ok(())
}

/// Missing tools and a missing image builder: warnings, after writing.
fn print_checks(out: &mut impl Write, plan: &Scaffold) -> anyhow::Result<()> {
    let mut missing = tools::missing(&plan.pipeline.needs, &plan.root);
    let mut toolchains: Vec<String> = Vec::new();
    for action in &plan.sources.actions {
        for (name, value) in &action.env {
            if name == "RUSTUP_TOOLCHAIN" && !toolchains.contains(value) {
                toolchains.push(value.clone());
            }
        }
    }
    missing.extend(tools::missing_rust_toolchains(&toolchains, &plan.root));
    let mut err = std::io::stderr().lock();
    for need in &missing {
        writeln!(err, "warning: {} not found: {}", need.program, need.hint)?;
    }
    if let (false, Err(why)) = (plan.images.is_empty(), &plan.builder) {
        writeln!(
            err,
            "warning: {why}; until then a failed image build is a warning (continue_on_error)"
        )?;
    }
    if !missing.is_empty() {
        writeln!(
            out,
            "{} the pipeline needs {} not installed: see the warnings",
            if missing.len() == 1 {
                "a program"
            } else {
                "programs"
            },
            if missing.len() == 1 { "is" } else { "are" },
        )?;
    }
    Ok(())
}

fn print_next_steps(out: &mut impl Write, plan: &Scaffold) -> anyhow::Result<()> {
    writeln!(out, "\nnext steps:")?;
    if plan.pipeline.placeholder {
        writeln!(
            out,
            "  edit gantry.yml: replace the placeholder stage with your commands"
        )?;
    }
    writeln!(
        out,
        "  gantry run --dry-run   see every command without running it"
    )?;
    writeln!(out, "  gantry run             run the pipeline")?;
    writeln!(out, "  gantry hook install    run it before every git push")?;
    Ok(())
}
