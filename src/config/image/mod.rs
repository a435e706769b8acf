//! The `image:` mapping of an action: how serde reads it ([`RawImage`]) and
//! the load-time checks that turn it into an [`ImageSpec`] — builder name,
//! relative paths, tags, build-arg and label names, storage settings.

pub mod reference;

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::diagnostics::Span;

/// `image:` exactly as written in `gantry.yml`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Image")]
pub struct RawImage {
    /// The build context directory, relative to the pipeline root.
    #[schemars(with = "Option<String>")]
    pub context: Option<Spanned<String>>,
    /// The Dockerfile/Containerfile, relative to the context.
    #[schemars(with = "Option<String>")]
    pub file: Option<Spanned<String>>,
    /// Tags to give the image.
    #[schemars(with = "Option<Vec<String>>")]
    pub tags: Option<Spanned<Vec<Spanned<String>>>>,
    /// `--build-arg NAME=VALUE` pairs.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub build_args: BTreeMap<String, Spanned<String>>,
    /// The build stage to stop at.
    #[schemars(with = "Option<String>")]
    pub target: Option<Spanned<String>>,
    /// The platform to build for, e.g. `linux/arm64`.
    #[schemars(with = "Option<String>")]
    pub platform: Option<Spanned<String>>,
    /// Image labels.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub labels: BTreeMap<String, Spanned<String>>,
    /// `auto`, `docker`, `podman` or `buildah`.
    #[schemars(with = "Option<String>")]
    pub builder: Option<Spanned<String>>,
    /// An OCI archive to write the image to.
    #[schemars(with = "Option<String>")]
    pub output: Option<Spanned<String>>,
    /// buildah/podman storage driver, e.g. `vfs`.
    #[schemars(with = "Option<String>")]
    pub storage_driver: Option<Spanned<String>>,
    /// buildah/podman isolation: `oci`, `chroot` or `rootless`.
    #[schemars(with = "Option<String>")]
    pub isolation: Option<Spanned<String>>,
}

/// A value from the config with where it is written.
pub type Located = (String, Span);

/// Which program builds the image.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builder {
    /// `docker build` (needs a running daemon).
    Docker,
    /// `podman build`.
    Podman,
    /// `buildah build`.
    Buildah,
}

impl Builder {
    /// Every builder, in the order `auto` tries them.
    pub const ALL: [Builder; 3] = [Builder::Docker, Builder::Podman, Builder::Buildah];

    /// The program's name.
    pub fn name(self) -> &'static str {
        match self {
            Builder::Docker => "docker",
            Builder::Podman => "podman",
            Builder::Buildah => "buildah",
        }
    }
}

/// `builder:` as configured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuilderChoice {
    /// The first of docker (daemon answering), podman, buildah found.
    Auto,
    /// This one, or fail.
    Named(Builder),
}

/// A validated `image:` mapping; texts are kept unexpanded, with spans.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageSpec {
    /// Where `image:` is written.
    pub span: Span,
    /// Build context, relative to the root (default `.`).
    pub context: Located,
    /// Dockerfile relative to the context; `None`: `Dockerfile`, else `Containerfile`.
    pub file: Option<Located>,
    /// Tags, at least one.
    pub tags: Vec<Located>,
    /// Build arguments, by name.
    pub build_args: Vec<(String, Located)>,
    /// Build stage to stop at.
    pub target: Option<Located>,
    /// Target platform.
    pub platform: Option<Located>,
    /// Labels set by the user, by name.
    pub labels: Vec<(String, Located)>,
    /// Which builder.
    pub builder: BuilderChoice,
    /// OCI archive path, relative to the root.
    pub output: Option<Located>,
    /// buildah/podman `--storage-driver`.
    pub storage_driver: Option<Located>,
    /// buildah/podman `--isolation`.
    pub isolation: Option<Located>,
}

impl ImageSpec {
    /// One line for `gantry list`, e.g. `image webapp:${git.short_sha} (buildah)`.
    pub fn summary(&self) -> String {
        let tags: Vec<&str> = self.tags.iter().map(|(t, _)| t.as_str()).collect();
        let builder = match self.builder {
            BuilderChoice::Auto => "auto",
            BuilderChoice::Named(b) => b.name(),
        };
        format!("image {} ({builder})", tags.join(" "))
    }

    /// Every text that may hold `${…}` variables, with its place.
    pub fn texts(&self) -> Vec<&Located> {
        let mut all = vec![&self.context];
        all.extend(&self.file);
        all.extend(&self.tags);
        all.extend(self.build_args.iter().map(|(_, v)| v));
        all.extend(&self.target);
        all.extend(&self.platform);
        all.extend(self.labels.iter().map(|(_, v)| v));
        all.extend(&self.output);
        all.extend(&self.storage_driver);
        all.extend(&self.isolation);
        all
    }
}

/// A problem found in an `image:` mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Diagnostic code, `C020`…
    pub code: &'static str,
    /// Where.
    pub span: Span,
    /// What is wrong.
    pub message: String,
    /// What would be valid.
    pub hint: String,
}

impl Problem {
    /// The problem as an error of `file` (with no help when `hint` is empty).
    pub fn diagnostic(self, file: &std::path::Path) -> crate::diagnostics::Diagnostic {
        let Span { line, column } = self.span;
        let d = crate::diagnostics::Diagnostic::error(self.code, file, line, column, self.message);
        if self.hint.is_empty() {
            d
        } else {
            d.with_hint(self.hint)
        }
    }
}

/// Unknown `builder:` value.
pub const C_BUILDER: &str = "C020";
/// A path that is absolute, empty or unusable.
pub const C_PATH: &str = "C021";
/// Missing, empty or invalid tags.
pub const C_TAG: &str = "C022";
/// A bad build-arg or label name.
pub const C_NAME: &str = "C023";
/// Storage settings that do not apply or are not valid.
pub const C_STORAGE: &str = "C024";
/// The context directory or the Dockerfile does not exist (found when planning).
pub const C_MISSING: &str = "C025";

const ISOLATIONS: &[&str] = &["oci", "chroot", "rootless"];

/// Validates `raw` (written at `at`), returning the spec and every problem.
pub fn check(raw: &Spanned<RawImage>) -> (ImageSpec, Vec<Problem>) {
    let at = Span::from(&raw.referenced);
    let raw = &raw.value;
    let mut problems = Vec::new();
    let located = |s: &Spanned<String>| (s.value.clone(), Span::from(&s.referenced));
    let builder = builder(raw.builder.as_ref(), &mut problems);
    let spec = ImageSpec {
        span: at,
        context: raw.context.as_ref().map_or((".".into(), at), located),
        file: raw.file.as_ref().map(located),
        tags: tags(raw.tags.as_ref(), at, &mut problems),
        build_args: named(&raw.build_args, "build argument", &mut problems),
        target: raw.target.as_ref().map(located),
        platform: raw.platform.as_ref().map(located),
        labels: named(&raw.labels, "label", &mut problems),
        builder,
        output: raw.output.as_ref().map(located),
        storage_driver: raw.storage_driver.as_ref().map(located),
        isolation: raw.isolation.as_ref().map(located),
    };
    let paths = [
        ("context", Some(&spec.context)),
        ("file", spec.file.as_ref()),
        ("output", spec.output.as_ref()),
    ];
    for (key, path) in paths {
        if let Some((value, span)) = path.filter(|(v, _)| literal(v)) {
            if let Err(why) = check_path(key, value) {
                problems.push(path_problem(key, why, *span));
            }
        }
    }
    storage(&spec, &mut problems);
    (spec, problems)
}

/// Whether `text` holds no gantry variable (so it can be checked as written).
fn literal(text: &str) -> bool {
    crate::vars::references(text).is_empty()
}

fn builder(raw: Option<&Spanned<String>>, problems: &mut Vec<Problem>) -> BuilderChoice {
    let Some(raw) = raw else {
        return BuilderChoice::Auto;
    };
    if raw.value == "auto" {
        return BuilderChoice::Auto;
    }
    match Builder::ALL.into_iter().find(|b| b.name() == raw.value) {
        Some(b) => BuilderChoice::Named(b),
        None => {
            problems.push(Problem {
                code: C_BUILDER,
                span: Span::from(&raw.referenced),
                message: format!("unknown builder `{}`", raw.value),
                hint: "use `auto`, `docker`, `podman` or `buildah`".into(),
            });
            BuilderChoice::Auto
        }
    }
}

fn tags(
    raw: Option<&Spanned<Vec<Spanned<String>>>>,
    at: Span,
    problems: &mut Vec<Problem>,
) -> Vec<Located> {
    let hint = "e.g. `tags: [\"webapp:${git.short_sha}\", webapp:latest]`";
    let Some(list) = raw.filter(|l| !l.value.is_empty()) else {
        let span = raw.map_or(at, |l| Span::from(&l.referenced));
        problems.push(Problem {
            code: C_TAG,
            span,
            message: "`image:` needs at least one tag in `tags:`".into(),
            hint: hint.into(),
        });
        return Vec::new();
    };
    let mut tags = Vec::new();
    for tag in &list.value {
        let span = Span::from(&tag.referenced);
        if literal(&tag.value) {
            if let Err(why) = reference::check_tag(&tag.value) {
                problems.push(tag_problem(&tag.value, &why, span));
            }
        }
        tags.push((tag.value.clone(), span));
    }
    tags
}

/// The problem for an invalid tag (`why` says what is wrong with it).
pub fn tag_problem(tag: &str, why: &str, span: Span) -> Problem {
    Problem {
        code: C_TAG,
        span,
        message: format!("invalid image tag `{tag}`: {why}"),
        hint: "a tag is NAME[:TAG]: NAME in lowercase letters, digits and `._-/` (a registry \
               host may lead, e.g. `registry.example.com:5000/team/app`), TAG up to 128 of \
               letters, digits, `_`, `.`, `-`"
            .into(),
    }
}

fn named(
    map: &BTreeMap<String, Spanned<String>>,
    what: &str,
    problems: &mut Vec<Problem>,
) -> Vec<(String, Located)> {
    let mut out = Vec::new();
    for (name, value) in map {
        let span = Span::from(&value.referenced);
        if name.is_empty() || name.contains(['=', ' ', '\t', '\n']) {
            problems.push(Problem {
                code: C_NAME,
                span,
                message: format!("invalid {what} name `{name}`"),
                hint: "a name must be non-empty and hold no `=` or whitespace".into(),
            });
        }
        out.push((name.clone(), (value.value.clone(), span)));
    }
    out
}

/// Checks a path value of `key` as gantry will use it.
pub fn check_path(key: &str, value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err(format!("`{key}:` is empty"));
    }
    if value.starts_with('/') {
        return Err(format!("`{key}:` must be a relative path, not `{value}`"));
    }
    if key == "output" && value.contains(':') {
        return Err(format!(
            "`output:` cannot contain `:` (it is written as `oci-archive:PATH`): `{value}`"
        ));
    }
    Ok(())
}

/// The problem for a bad path value of `key`.
pub fn path_problem(key: &str, why: String, span: Span) -> Problem {
    let example = match key {
        "context" => "e.g. `context: .` or `context: services/api`, relative to the pipeline root",
        "file" => "e.g. `file: Dockerfile.prod`, relative to the context",
        _ => "e.g. `output: .gantry/artifacts/app.oci.tar`, relative to the pipeline root",
    };
    Problem {
        code: C_PATH,
        span,
        message: why,
        hint: example.into(),
    }
}

fn storage(spec: &ImageSpec, problems: &mut Vec<Problem>) {
    if spec.builder == BuilderChoice::Named(Builder::Docker) {
        let set = [
            ("storage_driver", &spec.storage_driver),
            ("isolation", &spec.isolation),
        ];
        for (key, value) in set {
            if let Some((_, span)) = value {
                problems.push(Problem {
                    code: C_STORAGE,
                    span: *span,
                    message: format!("`{key}:` does not apply to `builder: docker`"),
                    hint: "docker's daemon decides storage and isolation; remove the key, or \
                           use `builder: buildah` or `podman`"
                        .into(),
                });
            }
        }
    }
    if let Some((value, span)) = spec.isolation.as_ref().filter(|(v, _)| literal(v)) {
        if let Err(problem) = check_isolation(value, *span) {
            problems.push(problem);
        }
    }
}

/// Checks an `isolation:` value (also the `GANTRY_BUILDAH_ISOLATION` one).
pub fn check_isolation(value: &str, span: Span) -> Result<(), Problem> {
    if ISOLATIONS.contains(&value) {
        return Ok(());
    }
    Err(Problem {
        code: C_STORAGE,
        span,
        message: format!("unknown isolation `{value}`"),
        hint: "use `oci`, `chroot` or `rootless` (see `man buildah-build`)".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(yaml: &str) -> (ImageSpec, Vec<Problem>) {
        let raw: Spanned<RawImage> = serde_saphyr::from_str(yaml).expect("parses");
        check(&raw)
    }

    #[test]
    fn defaults_and_numbers_as_text() {
        let (spec, problems) = parse("tags: [app:1]\nbuild_args: { VERSION: 1.2, DEBUG: true }\n");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(spec.context.0, ".");
        assert_eq!(spec.builder, BuilderChoice::Auto);
        let args: Vec<_> = spec
            .build_args
            .iter()
            .map(|(k, v)| format!("{k}={}", v.0))
            .collect();
        assert_eq!(args, ["DEBUG=true", "VERSION=1.2"]);
    }

    #[test]
    fn reports_each_bad_value_with_its_code() {
        let (_, problems) = parse(
            "tags: [App]\nbuilder: kaniko\ncontext: /abs\noutput: 'a:b'\nlabels: { 'a=b': x }\n",
        );
        let codes: Vec<_> = problems.iter().map(|p| p.code).collect();
        assert_eq!(
            codes,
            [C_BUILDER, C_TAG, C_NAME, C_PATH, C_PATH],
            "{problems:?}"
        );
        assert_eq!(problems[0].span.line, 2);
    }

    #[test]
    fn missing_or_empty_tags_are_errors() {
        assert_eq!(parse("context: .\n").1[0].code, C_TAG);
        assert_eq!(parse("tags: []\n").1[0].code, C_TAG);
    }

    #[test]
    fn variables_are_checked_after_expansion_not_before() {
        let (_, problems) = parse("tags: ['${pipeline.name}:${git.short_sha}']\n");
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn storage_settings_do_not_apply_to_docker() {
        let (_, problems) = parse("tags: [a]\nbuilder: docker\nisolation: chroot\n");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].code, C_STORAGE);
        let (_, problems) = parse("tags: [a]\nisolation: jail\n");
        assert_eq!(problems[0].code, C_STORAGE);
    }
}
