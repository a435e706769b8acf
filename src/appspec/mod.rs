//! AWS CodeDeploy AppSpec files: parsing, validation against the numbered
//! rules of `appspec-rules.md` (cited as "rule N" throughout), and a typed
//! model of EC2/On-Premises files for `gantry deploy`.
//!
//! Entry points: [`validate_file`] checks one file on its own,
//! [`validate_in_revision`] checks one file and the sources and scripts it
//! names in its folder, [`validate_revision`] does that for a revision
//! directory, [`check_bytes`] works on content already
//! read, and [`load`] returns the validated [`AppSpec`] model.
//!
//! Parsing uses serde-saphyr into a located value tree ([`node`]) typed the
//! way the agent's YAML 1.1 parser types scalars (rule 7).

mod acl;
mod check;
mod ecs;
mod files;
mod hooks;
mod lambda;
pub mod model;
pub mod node;
mod parse;
mod paths;
mod permissions;
pub(crate) mod plan;
mod revision;
mod server;
mod service_hooks;
use crate::suggest;
mod top;
mod yaml11;

use std::path::{Path, PathBuf};

pub use hooks::{RESERVED_EVENTS, SERVER_EVENTS};
pub use model::{
    AppSpec, FileExistsBehavior, FileMapping, HookScript, ObjectType, Os, Permission,
    SelinuxContext,
};
pub use revision::{resolve_script, ScriptPath};
pub use service_hooks::{ECS_EVENTS, LAMBDA_EVENTS};

use crate::diagnostics::Diagnostic;

/// File names of an AppSpec file in a revision directory, in the order they
/// are looked for (rule 1; `appspec.json` for ECS and Lambda revisions).
pub const APPSPEC_NAMES: &[&str] = &["appspec.yml", "appspec.yaml", "appspec.json"];

/// Codes that mean the input could not be read or parsed (exit code 2).
pub const UNREADABLE_CODES: &[&str] = &["E001", "E002", "E005", "E006"];

/// The CodeDeploy compute platform an AppSpec file is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Platform {
    /// EC2/On-Premises (`os`, `files`, `permissions`, script hooks).
    Server,
    /// Amazon ECS (`Resources` with a `TargetService`).
    Ecs,
    /// AWS Lambda (`Resources` with a function).
    Lambda,
}

impl Platform {
    /// The platform's name as AWS writes it.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Server => "EC2/On-Premises",
            Platform::Ecs => "Amazon ECS",
            Platform::Lambda => "AWS Lambda",
        }
    }
}

/// The outcome of checking one AppSpec file.
#[derive(Debug)]
pub struct Report {
    /// The platform the file was checked as (`None` when it could not be parsed).
    pub platform: Option<Platform>,
    /// The model, for an EC2/On-Premises file whose `os` is valid (even
    /// when other findings exist: check [`Report::diagnostics`]).
    pub appspec: Option<AppSpec>,
    /// Every finding, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

/// Checks the content `bytes` of `file`. `platform` forces a platform
/// (else it is detected, rule 12); `revision` is the revision root when the
/// sources and scripts the file names should be checked too.
pub fn check_bytes(
    file: &Path,
    bytes: &[u8],
    platform: Option<Platform>,
    revision: Option<&Path>,
) -> Report {
    let parsed = parse::parse(file, bytes);
    let mut diagnostics = parsed.diagnostics;
    let (mut detected, mut appspec) = (None, None);
    if let Some(root) = &parsed.root {
        let mut checker = check::Checker::new(file, parsed.text, revision);
        let (p, model) = top::check(&mut checker, root, platform);
        if p == Platform::Server {
            diagnostics.extend(parsed.agent_refusals);
        }
        detected = Some(p);
        appspec = model;
        diagnostics.append(&mut checker.diagnostics);
    }
    diagnostics.sort_by_key(|d| (d.line, d.column));
    Report {
        platform: detected,
        appspec,
        diagnostics,
    }
}

/// Checks the AppSpec file at `path` on its own (sources and scripts are not
/// looked for: use [`validate_in_revision`] for that).
pub fn validate_file(path: &Path, platform: Option<Platform>) -> Vec<Diagnostic> {
    check_path(path, platform, None).diagnostics
}

/// Checks the AppSpec file at `path` with its folder as the revision root,
/// as `gantry deploy` reads it: the sources and scripts it names too.
pub fn validate_in_revision(path: &Path, platform: Option<Platform>) -> Vec<Diagnostic> {
    check_path(path, platform, Some(revision_root(path))).diagnostics
}

/// Checks the revision rooted at `dir`: its AppSpec file (see
/// [`APPSPEC_NAMES`]) and the files and scripts that file names; with
/// `file_only`, its AppSpec file alone.
pub fn validate_revision(
    dir: &Path,
    platform: Option<Platform>,
    file_only: bool,
) -> Vec<Diagnostic> {
    match find_appspec(dir) {
        Some(file) if file_only => validate_file(&file, platform),
        Some(file) => check_path(&file, platform, Some(dir)).diagnostics,
        None => vec![Diagnostic::error(
            "E001",
            dir,
            0,
            0,
            format!("no {} in this directory", APPSPEC_NAMES.join(", ")),
        )
        .with_hint("a revision directory holds its AppSpec file at its root")],
    }
}

/// The revision an AppSpec file belongs to: the folder holding it.
fn revision_root(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The AppSpec file of the revision rooted at `dir`, if any.
pub fn find_appspec(dir: &Path) -> Option<PathBuf> {
    APPSPEC_NAMES
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
}

/// Reads and validates the EC2/On-Premises AppSpec file at `path`, with its
/// directory as the revision root, and returns the model. Any error (or an
/// ECS/Lambda file) gives `Err` with every finding; warnings alone do not.
pub fn load(path: &Path) -> Result<AppSpec, Vec<Diagnostic>> {
    let report = check_path(path, Some(Platform::Server), Some(revision_root(path)));
    match report.appspec {
        Some(appspec) if !report.diagnostics.iter().any(Diagnostic::is_error) => Ok(appspec),
        _ => Err(report.diagnostics),
    }
}

/// Reads and checks the AppSpec file at `path` as `gantry deploy` does:
/// its platform detected (rule 12), its folder as the revision root. Also
/// returns the bytes checked (none when the file cannot be read), so that a
/// copy of the file can be recognised as the one checked.
pub fn check_in_revision(path: &Path) -> (Report, Option<Vec<u8>>) {
    read_and_check(path, None, Some(revision_root(path)))
}

fn check_path(path: &Path, platform: Option<Platform>, revision: Option<&Path>) -> Report {
    read_and_check(path, platform, revision).0
}

fn read_and_check(
    path: &Path,
    platform: Option<Platform>,
    revision: Option<&Path>,
) -> (Report, Option<Vec<u8>>) {
    match crate::fsutil::read(path) {
        Ok(bytes) => (check_bytes(path, &bytes, platform, revision), Some(bytes)),
        Err(e) => (
            Report {
                platform: None,
                appspec: None,
                diagnostics: vec![Diagnostic::error(
                    "E001",
                    path,
                    0,
                    0,
                    format!("cannot read the AppSpec file: {e}"),
                )],
            },
            None,
        ),
    }
}
