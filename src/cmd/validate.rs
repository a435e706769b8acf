//! `gantry validate`: check AppSpec files, revision directories and
//! `gantry.yml`, in parallel, and print every finding.
//!
//! A file argument named `gantry.yml`/`gantry.yaml` is a config; any other
//! file is an AppSpec file, checked with its folder as the revision (the
//! sources and scripts it names, as `gantry deploy` reads it); a directory is
//! a revision. `--file-only` checks AppSpec files without their revision. Without
//! arguments gantry checks the repository root: the directory of the
//! `gantry.yml` found upward from the working directory, else the working
//! directory. Exit code 0: no errors; 1: AppSpec errors; 2: an input could
//! not be read or parsed, or any `gantry.yml` error (the code `gantry run`
//! exits with for it).

use std::io::Write;
use std::path::{Path, PathBuf};

use super::Globals;
use crate::appspec::{self, Platform};
use crate::cli::{self, FindingFormat, ValidateArgs};
use crate::config;
use crate::diagnostics::{self, Diagnostic, Sources};
use crate::error::{UsageError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE};

/// One thing to check.
#[derive(Debug)]
enum Target {
    /// A `gantry.yml`.
    Config(PathBuf),
    /// An AppSpec file on its own.
    AppSpec(PathBuf),
    /// A revision directory.
    Revision(PathBuf),
}

/// How AppSpec targets are checked.
#[derive(Clone, Copy, Debug)]
struct Options {
    /// `--platform`: the platform, instead of detecting it.
    platform: Option<Platform>,
    /// `--file-only`: leave out the revision checks.
    file_only: bool,
}

/// Validates the given paths (or what the repository root holds).
pub fn execute(ctx: &Globals, args: &ValidateArgs) -> anyhow::Result<u8> {
    let targets = if args.paths.is_empty() {
        default_targets(ctx)?
    } else {
        args.paths
            .iter()
            .map(|p| classify(ctx.cwd.join(p)))
            .collect()
    };
    let options = Options {
        platform: args.platform.map(platform),
        file_only: args.file_only,
    };
    if ctx.verbose {
        list_targets(&targets);
    }
    let mut findings = check_all(&targets, options);
    if let Ok(cwd) = std::env::current_dir() {
        diagnostics::relativize(&mut findings, &cwd);
    }
    if ctx.quiet {
        findings.retain(Diagnostic::is_error);
    }
    print(&findings, args.format, targets.len())?;
    Ok(exit_code(&findings))
}

/// `-v`: name every target on stderr before checking.
fn list_targets(targets: &[Target]) {
    let mut err = std::io::stderr().lock();
    for target in targets {
        let (what, path) = match target {
            Target::Config(p) => ("config", p),
            Target::AppSpec(p) => ("appspec", p),
            Target::Revision(p) => ("revision", p),
        };
        let _ = writeln!(err, "checking {what} {}", path.display());
    }
}

fn platform(p: cli::Platform) -> Platform {
    match p {
        cli::Platform::Server => Platform::Server,
        cli::Platform::Ecs => Platform::Ecs,
        cli::Platform::Lambda => Platform::Lambda,
    }
}

fn classify(path: PathBuf) -> Target {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if path.is_dir() {
        Target::Revision(path)
    } else if config::CONFIG_NAMES.contains(&name) {
        Target::Config(path)
    } else {
        Target::AppSpec(path)
    }
}

/// The repository root's `gantry.yml` and AppSpec revision, whichever exist.
fn default_targets(ctx: &Globals) -> anyhow::Result<Vec<Target>> {
    let explicit = ctx.config_file.is_some();
    let config = match config::find_config(&ctx.cwd, ctx.config_file.as_deref()) {
        Ok(path) => Some(path),
        Err(e) if explicit => return Err(e.into()),
        Err(_) => None,
    };
    let root = config
        .as_deref()
        .and_then(Path::parent)
        .unwrap_or(&ctx.cwd)
        .to_path_buf();
    let mut targets: Vec<Target> = config.into_iter().map(Target::Config).collect();
    if appspec::find_appspec(&root).is_some() {
        targets.push(Target::Revision(root.clone()));
    }
    if targets.is_empty() {
        let names = appspec::APPSPEC_NAMES.join(", ");
        return Err(UsageError(format!(
            "nothing to validate in {}: no gantry.yml, {names}",
            root.display()
        ))
        .into());
    }
    Ok(targets)
}

fn check_one(target: &Target, options: Options) -> Vec<Diagnostic> {
    let Options {
        platform,
        file_only,
    } = options;
    match target {
        Target::Config(path) => config::load(path)
            .err()
            .map(|e| e.diagnostics)
            .unwrap_or_default(),
        Target::AppSpec(path) if file_only => appspec::validate_file(path, platform),
        Target::AppSpec(path) => appspec::validate_in_revision(path, platform),
        Target::Revision(dir) => appspec::validate_revision(dir, platform, file_only),
    }
}

/// Checks every target on all cores, keeping the findings in argument order.
fn check_all(targets: &[Target], options: Options) -> Vec<Diagnostic> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(targets.len())
        .max(1);
    if threads == 1 {
        return targets.iter().flat_map(|t| check_one(t, options)).collect();
    }
    let chunk = targets.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = targets
            .chunks(chunk)
            .map(|part| {
                std::thread::Builder::new()
                    // Deeply nested YAML recurses; debug builds need room.
                    .stack_size(16 << 20)
                    .spawn_scoped(scope, move || {
                        part.iter()
                            .flat_map(|t| check_one(t, options))
                            .collect::<Vec<_>>()
                    })
            })
            .collect();
        let mut all = Vec::new();
        for (handle, part) in handles.into_iter().zip(targets.chunks(chunk)) {
            match handle.map(|h| h.join()) {
                Ok(Ok(found)) => all.extend(found),
                // Could not spawn or the thread died: check this part here.
                _ => all.extend(part.iter().flat_map(|t| check_one(t, options))),
            }
        }
        all
    })
}

fn exit_code(findings: &[Diagnostic]) -> u8 {
    // Every gantry.yml finding is an error with a `C` code.
    let unreadable = |d: &Diagnostic| {
        appspec::UNREADABLE_CODES.contains(&d.code.as_str())
            || (d.is_error() && d.code.starts_with('C'))
    };
    if findings.iter().any(unreadable) {
        EXIT_USAGE
    } else if findings.iter().any(Diagnostic::is_error) {
        EXIT_FAILURE
    } else {
        EXIT_OK
    }
}

fn print(findings: &[Diagnostic], format: FindingFormat, checked: usize) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut sources = Sources::default();
    for d in findings {
        match format {
            FindingFormat::Human => {
                write!(out, "{}", diagnostics::render_human(d, &mut sources))?;
                if crate::report::github::active() {
                    writeln!(out, "{}", diagnostics::render_github(d))?;
                }
            }
            FindingFormat::Json => writeln!(out, "{}", diagnostics::render_json(d))?,
            FindingFormat::Github => writeln!(out, "{}", diagnostics::render_github(d))?,
        }
    }
    if format == FindingFormat::Human {
        let (errors, warnings) = diagnostics::count(findings);
        writeln!(
            out,
            "checked {}: {}, {}",
            crate::error::plural(checked, "file"),
            crate::error::plural(errors, "error"),
            crate::error::plural(warnings, "warning")
        )?;
    }
    out.flush()?;
    Ok(())
}
