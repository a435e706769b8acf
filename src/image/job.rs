//! Planning an image action: variables expanded, paths checked against the
//! disk, gantry's OCI labels added, and the builder found, with the storage
//! settings from the config or the environment. The result is an [`ImageJob`].

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::config::image::reference;
use crate::config::image::{self as spec, ImageSpec, Located, Problem};
use crate::diagnostics::Diagnostic;
use crate::diagnostics::Span;
use crate::engine::{detect, BuildOptions, Engine};

/// Environment variable that sets `storage_driver:` for every image action
/// (and the storage driver of every other engine call).
pub use crate::engine::ENV_STORAGE_DRIVER;
/// Environment variable that sets `isolation:` for every image action.
pub const ENV_ISOLATION: &str = "GANTRY_BUILDAH_ISOLATION";

/// The OCI label for the commit an image was built from.
pub const LABEL_REVISION: &str = "org.opencontainers.image.revision";
/// The OCI label for where the source lives.
pub const LABEL_SOURCE: &str = "org.opencontainers.image.source";
/// The OCI label for when the image was built.
pub const LABEL_CREATED: &str = "org.opencontainers.image.created";

/// An image build, resolved: what the builder gets, paths as given relative
/// to the action's directory.
#[derive(Clone, Debug)]
pub struct ImageJob {
    /// The builder to run, with the action's `storage_driver` and
    /// `isolation`, or why there is none.
    pub engine: Result<Engine, String>,
    /// The build, expanded: context and Dockerfile relative to the
    /// action's directory, at least one tag, the user's labels then
    /// gantry's OCI labels the user did not set; no id file.
    pub build: BuildOptions,
    /// OCI archive to write, relative to the action's directory.
    pub output: Option<String>,
}

/// What planning an image action needs from the planner.
pub struct PlanInput<'a> {
    /// The config file, for diagnostics.
    pub config: &'a Path,
    /// The pipeline root (for the source label's repository).
    pub root: &'a Path,
    /// The action's directory; paths are relative to it.
    pub cwd: &'a Path,
    /// HEAD's commit id; empty outside git.
    pub git_sha: &'a str,
    /// The action's variables on top of gantry's environment.
    pub env: &'a [(String, String)],
    /// Looks a variable up as the action would see it.
    pub lookup: &'a dyn Fn(&str) -> Option<String>,
    /// Expands `${…}` in a config text written at a span.
    pub expand: &'a dyn Fn(&str, Span) -> Result<String, Diagnostic>,
}

/// Resolves `spec` for one action.
pub fn plan(spec: &ImageSpec, input: &PlanInput<'_>) -> Result<ImageJob, Diagnostic> {
    let fail = |p: Problem| diagnostic(input.config, p);
    let expand = |l: &Located| (input.expand)(&l.0, l.1);
    let path = |key: &str, l: &Located| -> Result<String, Diagnostic> {
        let value = expand(l)?;
        spec::check_path(key, &value).map_err(|why| fail(spec::path_problem(key, why, l.1)))?;
        Ok(value)
    };
    let context = path("context", &spec.context)?;
    let file = dockerfile(spec, &context, input)?;
    let mut tags = Vec::new();
    for tag in &spec.tags {
        let value = expand(tag)?;
        reference::check_tag(&value).map_err(|why| fail(spec::tag_problem(&value, &why, tag.1)))?;
        tags.push(value);
    }
    let pairs = |list: &[(String, Located)]| -> Result<Vec<(String, String)>, Diagnostic> {
        list.iter()
            .map(|(k, v)| Ok((k.clone(), expand(v)?)))
            .collect()
    };
    let mut labels = pairs(&spec.labels)?;
    add_oci_labels(&mut labels, input);
    let output = match &spec.output {
        Some(o) => Some(path("output", o)?),
        None => None,
    };
    let (storage_driver, isolation) = storage(spec, input)?;
    let path_var = (input.lookup)("PATH");
    let engine = detect::detect(
        &detect::BUILDER,
        spec.builder,
        path_var.as_deref().map(std::ffi::OsStr::new),
        input.cwd,
        input.env,
    )
    .map(|chosen| Engine::from_chosen(chosen, storage_driver, isolation).with_env(input.env));
    Ok(ImageJob {
        engine,
        build: BuildOptions {
            file,
            context,
            tags,
            build_args: pairs(&spec.build_args)?,
            target: spec.target.as_ref().map(expand).transpose()?,
            platform: spec.platform.as_ref().map(expand).transpose()?,
            labels,
            iidfile: None,
        },
        output,
    })
}

/// A problem as a diagnostic in `config`.
pub fn diagnostic(config: &Path, p: Problem) -> Diagnostic {
    Diagnostic::error(p.code, config, p.span.line, p.span.column, p.message).with_hint(p.hint)
}

/// The Dockerfile's path relative to the action's directory; the context
/// directory and the file must exist.
fn dockerfile(
    spec: &ImageSpec,
    context: &str,
    input: &PlanInput<'_>,
) -> Result<String, Diagnostic> {
    let missing = |span: Span, message: String, hint: &str| {
        diagnostic(
            input.config,
            Problem {
                code: spec::C_MISSING,
                span,
                message,
                hint: hint.into(),
            },
        )
    };
    let dir = input.cwd.join(context);
    if !dir.is_dir() {
        return Err(missing(
            spec.context.1,
            format!(
                "the build context `{context}` is not a directory ({})",
                dir.display()
            ),
            "`context:` is relative to the pipeline root (or the action's working_directory)",
        ));
    }
    let file = match &spec.file {
        Some(f) => {
            let name = (input.expand)(&f.0, f.1)?;
            spec::check_path("file", &name)
                .map_err(|why| diagnostic(input.config, spec::path_problem("file", why, f.1)))?;
            if !dir.join(&name).is_file() {
                return Err(missing(
                    f.1,
                    format!("no file `{name}` in the build context `{context}`"),
                    "`file:` is relative to `context:`",
                ));
            }
            name
        }
        None => ["Dockerfile", "Containerfile"]
            .into_iter()
            .find(|n| dir.join(n).is_file())
            .ok_or_else(|| {
                missing(
                    spec.span,
                    format!("no Dockerfile or Containerfile in the build context `{context}`"),
                    "add one, or name it with `file:` (relative to `context:`)",
                )
            })?
            .to_string(),
    };
    Ok(under(context, &file))
}

/// `file` inside `dir`, written the short way when `dir` is `.`.
fn under(dir: &str, file: &str) -> String {
    match dir.trim_end_matches('/') {
        "." | "" => file.to_string(),
        d => format!("{d}/{file}"),
    }
}

/// Adds revision, source and created unless the user set them.
fn add_oci_labels(labels: &mut Vec<(String, String)>, input: &PlanInput<'_>) {
    let created = created(input.lookup);
    let defaults = [
        (
            LABEL_REVISION,
            Some(input.git_sha.to_string()).filter(|s| !s.is_empty()),
        ),
        (LABEL_SOURCE, source_url(input.root)),
        (LABEL_CREATED, Some(created)),
    ];
    for (name, value) in defaults {
        if let Some(value) = value {
            if !labels.iter().any(|(k, _)| k == name) {
                labels.push((name.to_string(), value));
            }
        }
    }
}

/// Now, or `SOURCE_DATE_EPOCH` for reproducible builds, as RFC 3339.
fn created(lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let at = lookup("SOURCE_DATE_EPOCH")
        .and_then(|s| s.trim().parse::<u64>().ok())
        // An epoch the clock cannot represent counts as unset, not a panic.
        .and_then(|secs| UNIX_EPOCH.checked_add(Duration::from_secs(secs)))
        .unwrap_or_else(SystemTime::now);
    humantime::format_rfc3339_seconds(at).to_string()
}

/// The URL of the `origin` remote (else the first remote), without any
/// credentials in it; scp-like `git@host:path` becomes `https://host/path`.
pub fn source_url(root: &Path) -> Option<String> {
    let repo = git2::Repository::discover(root).ok()?;
    let remotes = repo.remotes().ok()?;
    let names: Vec<&str> = remotes.iter().flatten().flatten().collect();
    let name = names
        .iter()
        .find(|n| **n == "origin")
        .or_else(|| names.first())?;
    let remote = repo.find_remote(name).ok()?;
    Some(clean_url(remote.url().ok()?))
}

fn clean_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let host = authority.rsplit('@').next().unwrap_or(authority);
        return format!("{scheme}://{host}/{path}");
    }
    match url.split_once(':') {
        Some((user_host, path)) if !user_host.contains('/') => {
            let host = user_host.rsplit('@').next().unwrap_or(user_host);
            format!("https://{host}/{}", path.trim_start_matches('/'))
        }
        _ => url.to_string(),
    }
}

/// `storage_driver` / `isolation` from the config, else from the environment.
fn storage(
    spec: &ImageSpec,
    input: &PlanInput<'_>,
) -> Result<(Option<String>, Option<String>), Diagnostic> {
    let from = |key: &Option<Located>, var: &str| -> Result<Option<String>, Diagnostic> {
        match key {
            Some(l) => (input.expand)(&l.0, l.1).map(Some),
            None => Ok((input.lookup)(var).filter(|v| !v.is_empty())),
        }
    };
    let driver = from(&spec.storage_driver, ENV_STORAGE_DRIVER)?;
    let isolation = from(&spec.isolation, ENV_ISOLATION)?;
    if let Some(value) = &isolation {
        let span = spec.isolation.as_ref().map_or(spec.span, |l| l.1);
        spec::check_isolation(value, span).map_err(|mut p| {
            if spec.isolation.is_none() {
                p.message = format!("{ENV_ISOLATION}: {}", p.message);
            }
            diagnostic(input.config, p)
        })?;
    }
    Ok((driver, isolation))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_credentials() {
        assert_eq!(
            clean_url("https://me:token@github.com/team/app.git"),
            "https://github.com/team/app.git"
        );
        assert_eq!(
            clean_url("git@github.com:team/app.git"),
            "https://github.com/team/app.git"
        );
        assert_eq!(clean_url("/srv/git/app"), "/srv/git/app");
    }

    #[test]
    fn files_under_the_context() {
        assert_eq!(under(".", "Dockerfile"), "Dockerfile");
        assert_eq!(under("app/", "Containerfile"), "app/Containerfile");
    }

    #[test]
    fn created_honours_source_date_epoch() {
        let lookup = |k: &str| (k == "SOURCE_DATE_EPOCH").then(|| "0".to_string());
        assert_eq!(created(&lookup), "1970-01-01T00:00:00Z");
        let huge = |_: &str| Some(u64::MAX.to_string());
        assert!(!created(&huge).is_empty());
    }
}
