//! The `container:` setting as written — an image reference
//! (`container: debian:bookworm`) or a mapping (`{ image: …, engine: … }`,
//! `{ build: ci/Containerfile, context: . }`) — and its load-time checks
//! (C090–C092).

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::image::Located;
use super::image::{Builder as EngineKind, BuilderChoice as EngineChoice};
use crate::diagnostics::Span;

/// `container:` exactly as written: a string is the `image:` of the mapping.
#[derive(Debug, Default)]
pub struct RawContainer {
    /// An image reference.
    pub image: Option<Spanned<String>>,
    /// A Containerfile/Dockerfile to build, relative to the pipeline root.
    pub build: Option<Spanned<String>>,
    /// The build context (default `.`).
    pub context: Option<Spanned<String>>,
    /// `auto`, `docker`, `podman` or `buildah`.
    pub engine: Option<Spanned<String>>,
}

/// The mapping form, as serde reads it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    image: Option<Spanned<String>>,
    build: Option<Spanned<String>>,
    context: Option<Spanned<String>>,
    engine: Option<Spanned<String>>,
}

impl<'de> Deserialize<'de> for RawContainer {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ContainerVisitor;
        impl<'de> Visitor<'de> for ContainerVisitor {
            type Value = RawContainer;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "an image reference (e.g. `debian:bookworm`) or a mapping such as \
                     `{ build: ci/Containerfile, context: . }`",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawContainer, E> {
                // The string's own span is the container's (see `check`).
                Ok(RawContainer {
                    image: Some(Spanned::new(
                        v.to_string(),
                        serde_saphyr::Location::UNKNOWN,
                        serde_saphyr::Location::UNKNOWN,
                    )),
                    ..Default::default()
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawContainer, A::Error> {
                let m = RawMapping::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(RawContainer {
                    image: m.image,
                    build: m.build,
                    context: m.context,
                    engine: m.engine,
                })
            }
        }
        deserializer.deserialize_any(ContainerVisitor)
    }
}

impl schemars::JsonSchema for RawContainer {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Container".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Run the action's command in a container: an image reference, or a mapping with `image:` or `build:` (see docs/containers.md).",
            "anyOf": [
                { "type": "string", "description": "An image reference, e.g. `debian:bookworm`." },
                {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {
                        "image": { "type": ["string", "null"], "description": "An image reference, e.g. `debian:bookworm`." },
                        "build": { "type": ["string", "null"], "description": "A Containerfile/Dockerfile to build (once per run, reused by content), relative to the pipeline root." },
                        "context": { "type": ["string", "null"], "description": "With `build:`: the build context directory, relative to the pipeline root (default `.`)." },
                        "engine": {
                            "description": "`auto` (default): docker when its daemon answers, else podman, else buildah.",
                            "anyOf": [ { "type": "string", "enum": super::choice::ENGINE.words }, { "type": "null" } ]
                        }
                    }
                }
            ]
        })
    }
}

/// Where the container's image comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// An image reference, before `${…}` expansion.
    Image(Located),
    /// A build of `file` in `context` (both relative to the pipeline root).
    Build {
        /// The Containerfile.
        file: Located,
        /// The build context.
        context: Located,
    },
}

/// A checked `container:` setting; texts unexpanded, with spans.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerSpec {
    /// Where `container:` is written.
    pub span: Span,
    /// Image or build.
    pub source: Source,
    /// Which engine.
    pub engine: EngineChoice,
}

impl ContainerSpec {
    /// One line for `list`/`graph`: `in debian:bookworm` or `in build of ci/Containerfile`.
    pub fn summary(&self) -> String {
        let engine = match self.engine {
            EngineChoice::Auto => String::new(),
            EngineChoice::Named(kind) => format!(" ({})", kind.name()),
        };
        match &self.source {
            Source::Image((image, _)) => format!("in {image}{engine}"),
            Source::Build { file, .. } => format!("in build of {}{engine}", file.0),
        }
    }

    /// Every text that may hold `${…}` variables, with its place.
    pub fn texts(&self) -> Vec<&Located> {
        match &self.source {
            Source::Image(image) => vec![image],
            Source::Build { file, context } => vec![file, context],
        }
    }
}

/// A problem found in a `container:` setting.
pub type Problem = crate::config::image::Problem;

/// A `container:` value that is not an image or a build.
pub const C_SHAPE: &str = "C090";
/// An unknown `engine:`.
pub const C_ENGINE: &str = "C091";
/// A build file or context that is absolute, empty or missing (found when planning).
pub const C_BUILD: &str = "C092";

/// Validates `raw`, returning the spec (`None` when unusable) and every problem.
pub fn check(raw: &Spanned<RawContainer>) -> (Option<ContainerSpec>, Vec<Problem>) {
    let at = Span::from(&raw.referenced);
    let value = &raw.value;
    let mut problems = Vec::new();
    // A string's own span is unset: it is the container's.
    let located = |s: &Spanned<String>| {
        let span = Span::from(&s.referenced);
        (s.value.clone(), if span.line == 0 { at } else { span })
    };
    let problem = |code, span, message: String, hint: &str| Problem {
        code,
        span,
        message,
        hint: hint.into(),
    };
    let engine = match &value.engine {
        None => EngineChoice::Auto,
        Some(e) => match super::choice::ENGINE.pick(&e.value, located(e).1) {
            Ok("docker") => EngineChoice::Named(EngineKind::Docker),
            Ok("podman") => EngineChoice::Named(EngineKind::Podman),
            Ok("buildah") => EngineChoice::Named(EngineKind::Buildah),
            Ok("auto") => EngineChoice::Auto,
            Ok(other) => unreachable!("`{other}` is in ENGINE.words but not handled here"),
            Err(wrong) => {
                problems.push(wrong);
                EngineChoice::Auto
            }
        },
    };
    let shape_hint = "write an image reference (`container: debian:bookworm`) or a build \
                      (`container: { build: ci/Containerfile, context: . }`)";
    let source = match (&value.image, &value.build) {
        (Some(image), None) => {
            let (text, span) = located(image);
            if let Some(context) = &value.context {
                problems.push(problem(
                    C_SHAPE,
                    located(context).1,
                    "`context:` without `build:`".into(),
                    "`context:` is the directory of a `build:`; an `image:` has none",
                ));
            }
            if !text.contains("${") {
                if let Err(why) = check_reference(&text) {
                    problems.push(problem(
                        C_SHAPE,
                        span,
                        format!("invalid image reference `{text}`: {why}"),
                        "e.g. `debian:bookworm`, `localhost/ci:1` or `registry.example.com/team/ci@sha256:…`",
                    ));
                }
            }
            Some(Source::Image((text, span)))
        }
        (None, Some(build)) => {
            let file = located(build);
            let context = value.context.as_ref().map_or((".".into(), file.1), located);
            for (key, (text, span)) in [("build", &file), ("context", &context)] {
                if let Err(why) = crate::config::image::check_path(key, text) {
                    problems.push(problem(
                        C_BUILD,
                        *span,
                        why,
                        "paths are relative to the pipeline root, e.g. `{ build: ci/Containerfile, context: . }`",
                    ));
                }
            }
            Some(Source::Build { file, context })
        }
        (Some(_), Some(build)) => {
            problems.push(problem(
                C_SHAPE,
                located(build).1,
                "`container:` has both `image:` and `build:`".into(),
                "keep one: run in an existing image, or build one",
            ));
            None
        }
        (None, None) => {
            problems.push(problem(
                C_SHAPE,
                at,
                "`container:` names no image".into(),
                shape_hint,
            ));
            None
        }
    };
    let spec = source.map(|source| ContainerSpec {
        span: at,
        source,
        engine,
    });
    (spec, problems)
}

/// Checks an image reference to run: a tag reference as `image:` checks
/// them, optionally pinned by a digest (`NAME@sha256:HEX`).
pub fn check_reference(reference: &str) -> Result<(), String> {
    if reference.trim() != reference || reference.contains(char::is_whitespace) {
        return Err("it contains whitespace".into());
    }
    match reference.split_once('@') {
        None => super::image::reference::check_tag(reference),
        Some((name, digest)) => {
            super::image::reference::check_tag(name)?;
            let valid = digest.split_once(':').is_some_and(|(algo, hex)| {
                !algo.is_empty()
                    && algo.chars().all(|c| c.is_ascii_alphanumeric())
                    && hex.len() >= 32
                    && hex.chars().all(|c| c.is_ascii_hexdigit())
            });
            if valid {
                Ok(())
            } else {
                Err(format!("`{digest}` is not a digest such as `sha256:…`"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_may_be_pinned_by_digest() {
        assert!(check_reference("debian:bookworm").is_ok());
        assert!(check_reference("localhost/ci:1").is_ok());
        let pinned = format!("debian@sha256:{}", "a".repeat(64));
        assert!(check_reference(&pinned).is_ok());
        assert!(check_reference("debian@latest").is_err());
        assert!(check_reference("Debian Bookworm").is_err());
        assert!(check_reference("").is_err());
    }
}
