//! The `gantry.yml` file exactly as serde reads it, with spans kept so that
//! every later check can point at a line and column.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::duration::Duration;
use crate::config::image::RawImage;

/// Top level of `gantry.yml`.
// No `deny_unknown_fields` on the three mappings below: keys starting with
// `x-` are ignored (they hold YAML anchors), and every other unknown key is
// reported by the schema pass in `shape.rs`, with a did-you-mean.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields, rename = "Pipeline", extend("patternProperties" = { "^x-": {} }))]
pub struct RawPipeline {
    /// Config format version; must be 1.
    #[schemars(with = "u32")]
    pub version: Spanned<u32>,
    /// The pipeline's name (default: the root directory's name); letters, digits, `.`, `_`, `-`.
    #[schemars(with = "Option<String>")]
    pub name: Option<Spanned<String>>,
    /// Environment for every action; values may use `${…}` variables.
    #[serde(default)]
    pub env: EnvMap,
    /// A dotenv file (KEY=VALUE lines) loaded before `env`, relative to the root.
    #[schemars(with = "Option<String>")]
    pub env_file: Option<Spanned<String>>,
    /// Environment variables whose values are masked as *** in all output and logs; each must have a value when a run starts.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub secrets: Vec<Spanned<String>>,
    /// The program that runs commands as `SHELL -c COMMAND` (default `sh`).
    #[schemars(with = "Option<String>")]
    pub shell: Option<Spanned<String>>,
    /// How many run records `.gantry/runs/` keeps (default 50).
    #[schemars(with = "Option<u32>")]
    pub keep_runs: Option<Spanned<u32>>,
    /// The stages, run in order. At least one.
    #[schemars(with = "Vec<RawStage>")]
    pub stages: Spanned<Vec<RawStage>>,
    /// `false`: no action of the pipeline is skipped by the cache (stages and actions may opt back in with `cache: true`).
    pub cache: Option<bool>,
    /// Deployment groups for `deploy:` actions, by name.
    #[serde(default)]
    pub deploy_groups: crate::config::deploy::RawDeployGroups,
    /// YAML files whose stages come after this file's, in order; paths relative to this file, inside the repository.
    #[schemars(with = "Option<Vec<String>>")]
    pub include: Option<Spanned<Vec<Spanned<String>>>>,
    /// Values every action gets unless its stage or itself sets them.
    pub defaults: Option<super::defaults::RawDefaults>,
    /// Run every `run`/`script` action's command in a container: an image reference or `{ build: FILE, context: DIR }` (see docs/containers.md); the innermost `container:` wins.
    #[schemars(with = "Option<crate::config::container::RawContainer>")]
    pub container: Option<Spanned<crate::config::container::RawContainer>>,
    /// Long-running helpers for the whole pipeline (see docs/containers.md, "Services").
    #[serde(default)]
    pub services: crate::config::service::RawServices,
}

// The action fields are repeated here rather than shared through
// `#[serde(flatten)]`: flatten does not work with `deny_unknown_fields` and
// would lose the spans that every error message needs.
/// A stage: either `actions:` or the fields of one action directly.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields, rename = "Stage", extend("patternProperties" = { "^x-": {} }))]
pub struct RawStage {
    /// Unique stage name; letters, digits, `.`, `_`, `-`.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// The stage's actions. Without it, the stage's own `run`/`script`/`image`/`deploy`/`approval`/`uses` make it one action named like the stage.
    #[schemars(with = "Option<Vec<RawAction>>")]
    pub actions: Option<Spanned<Vec<RawAction>>>,
    /// A shell command, run as `sh -c COMMAND`.
    #[schemars(with = "Option<String>")]
    pub run: Option<Spanned<String>>,
    /// Commands run in one shell with `-e`: the first failing line fails the action.
    #[schemars(with = "Option<Vec<String>>")]
    pub script: Option<Spanned<Vec<Spanned<String>>>>,
    /// Build a container image with docker, podman or buildah.
    #[schemars(with = "Option<RawImage>")]
    pub image: Option<Spanned<RawImage>>,
    /// A local CodeDeploy in-place deployment onto a deployment group's instances.
    #[schemars(with = "Option<crate::config::deploy::RawDeploy>")]
    pub deploy: Option<Spanned<crate::config::deploy::RawDeploy>>,
    /// Environment for the action (on a stage with `actions:`, for all of them); values may use `${…}` variables.
    #[serde(default)]
    pub env: EnvMap,
    /// Stop the action's whole process group after this long: `30s`, `10m`, `1h30m`, `500ms` or a number of seconds.
    #[schemars(with = "Option<Duration>")]
    pub timeout: Option<Spanned<Duration>>,
    /// Actions with equal run_order run at the same time, lower first (missing counts as 1 once any action of the stage has one).
    #[schemars(with = "Option<u32>")]
    pub run_order: Option<Spanned<u32>>,
    /// A failure only warns and does not fail the stage.
    pub continue_on_error: Option<bool>,
    /// Run even after an earlier failure (clean-up).
    pub always: Option<bool>,
    /// Run only when this condition holds, e.g. `git.branch == 'main' && changed('src/**')` (see "Conditions" in docs/configuration.md).
    #[serde(rename = "if")]
    #[schemars(rename = "if", with = "Option<String>")]
    pub condition: Option<Spanned<String>>,
    /// Directory to run in, relative to the root.
    #[schemars(with = "Option<String>")]
    pub working_directory: Option<Spanned<String>>,
    /// How many times to re-run a failed or timed-out action.
    pub retries: Option<u32>,
    /// The program that runs this action's command (default: the pipeline's `shell`).
    #[schemars(with = "Option<String>")]
    pub shell: Option<Spanned<String>>,
    /// Glob patterns of the files the action reads (default: every file git would see under the root). `$default` stands for that set, `!PATTERN` leaves files out.
    #[schemars(with = "Option<Vec<String>>")]
    pub inputs: Option<Spanned<Vec<Spanned<String>>>>,
    /// Paths or globs the action produces: kept by the cache, verified before a cached skip and restored when changed or deleted.
    #[schemars(with = "Option<Vec<String>>")]
    pub outputs: Option<Spanned<Vec<Spanned<String>>>>,
    /// Whether the cache may skip the action when nothing changed (default: true for `run`, `script` and `image`, false for `deploy`, approvals, `uses` and `always: true`).
    pub cache: Option<bool>,
    /// Programs the action runs besides its first command word (names looked up on PATH, or paths): a change to one re-runs it.
    #[schemars(with = "Option<Vec<String>>")]
    pub tools: Option<Spanned<Vec<Spanned<String>>>>,
    /// `approval: MESSAGE`: the one action is an approval gate.
    #[schemars(with = "Option<String>")]
    pub approval: Option<Spanned<String>>,
    /// `uses: NAME`: the one action runs the custom action `gantry-action-NAME`.
    #[schemars(with = "Option<String>")]
    pub uses: Option<Spanned<String>>,
    /// Inputs of a `uses:` action.
    #[schemars(with = "Option<EnvMap>")]
    pub with: Option<Spanned<EnvMap>>,
    /// Run the action once per combination of values (see docs/configuration.md, "Matrix").
    #[schemars(with = "Option<super::matrix::RawMatrix>")]
    pub matrix: Option<Spanned<super::matrix::RawMatrix>>,
    /// With `matrix:`: at most this many of its cells run at once (default: all, within `--jobs`).
    #[schemars(with = "Option<u32>")]
    pub max_parallel: Option<Spanned<u32>>,
    /// With `matrix:`: when one cell fails, skip the cells not yet started and stop the running ones (default true).
    #[schemars(with = "Option<bool>")]
    pub fail_fast: Option<Spanned<bool>>,
    /// Run the command in a container: an image reference or `{ build: FILE, context: DIR }` (see docs/containers.md); the innermost `container:` wins.
    #[schemars(with = "Option<crate::config::container::RawContainer>")]
    pub container: Option<Spanned<crate::config::container::RawContainer>>,
    /// Long-running helpers for this stage's actions (see docs/containers.md, "Services").
    #[serde(default)]
    pub services: crate::config::service::RawServices,
}

/// One action of a stage.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields, rename = "Action", extend("patternProperties" = { "^x-": {} }))]
pub struct RawAction {
    /// Name, unique within the stage; letters, digits, `.`, `_`, `-`.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// A shell command, run as `sh -c COMMAND`.
    #[schemars(with = "Option<String>")]
    pub run: Option<Spanned<String>>,
    /// Commands run in one shell with `-e`: the first failing line fails the action.
    #[schemars(with = "Option<Vec<String>>")]
    pub script: Option<Spanned<Vec<Spanned<String>>>>,
    /// Build a container image with docker, podman or buildah.
    #[schemars(with = "Option<RawImage>")]
    pub image: Option<Spanned<RawImage>>,
    /// A local CodeDeploy in-place deployment onto a deployment group's instances.
    #[schemars(with = "Option<crate::config::deploy::RawDeploy>")]
    pub deploy: Option<Spanned<crate::config::deploy::RawDeploy>>,
    /// Environment for the action (on a stage with `actions:`, for all of them); values may use `${…}` variables.
    #[serde(default)]
    pub env: EnvMap,
    /// Stop the action's whole process group after this long: `30s`, `10m`, `1h30m`, `500ms` or a number of seconds.
    #[schemars(with = "Option<Duration>")]
    pub timeout: Option<Spanned<Duration>>,
    /// Actions with equal run_order run at the same time, lower first (missing counts as 1 once any action of the stage has one).
    #[schemars(with = "Option<u32>")]
    pub run_order: Option<Spanned<u32>>,
    /// A failure only warns and does not fail the stage.
    pub continue_on_error: Option<bool>,
    /// Run even after an earlier failure (clean-up).
    pub always: Option<bool>,
    /// Run only when this condition holds, e.g. `git.branch == 'main' && changed('src/**')` (see "Conditions" in docs/configuration.md).
    #[serde(rename = "if")]
    #[schemars(rename = "if", with = "Option<String>")]
    pub condition: Option<Spanned<String>>,
    /// Directory to run in, relative to the root.
    #[schemars(with = "Option<String>")]
    pub working_directory: Option<Spanned<String>>,
    /// How many times to re-run a failed or timed-out action.
    pub retries: Option<u32>,
    /// The program that runs this action's command (default: the pipeline's `shell`).
    #[schemars(with = "Option<String>")]
    pub shell: Option<Spanned<String>>,
    /// Glob patterns of the files the action reads (default: every file git would see under the root). `$default` stands for that set, `!PATTERN` leaves files out.
    #[schemars(with = "Option<Vec<String>>")]
    pub inputs: Option<Spanned<Vec<Spanned<String>>>>,
    /// Paths or globs the action produces: kept by the cache, verified before a cached skip and restored when changed or deleted.
    #[schemars(with = "Option<Vec<String>>")]
    pub outputs: Option<Spanned<Vec<Spanned<String>>>>,
    /// Whether the cache may skip the action when nothing changed (default: true for `run`, `script` and `image`, false for `deploy`, approvals, `uses` and `always: true`).
    pub cache: Option<bool>,
    /// Programs the action runs besides its first command word (names looked up on PATH, or paths): a change to one re-runs it.
    #[schemars(with = "Option<Vec<String>>")]
    pub tools: Option<Spanned<Vec<Spanned<String>>>>,
    /// `approval: MESSAGE`: the one action is an approval gate.
    #[schemars(with = "Option<String>")]
    pub approval: Option<Spanned<String>>,
    /// `uses: NAME`: the one action runs the custom action `gantry-action-NAME`.
    #[schemars(with = "Option<String>")]
    pub uses: Option<Spanned<String>>,
    /// Inputs of a `uses:` action.
    #[schemars(with = "Option<EnvMap>")]
    pub with: Option<Spanned<EnvMap>>,
    /// Run the action once per combination of values (see docs/configuration.md, "Matrix").
    #[schemars(with = "Option<super::matrix::RawMatrix>")]
    pub matrix: Option<Spanned<super::matrix::RawMatrix>>,
    /// With `matrix:`: at most this many of its cells run at once (default: all, within `--jobs`).
    #[schemars(with = "Option<u32>")]
    pub max_parallel: Option<Spanned<u32>>,
    /// With `matrix:`: when one cell fails, skip the cells not yet started and stop the running ones (default true).
    #[schemars(with = "Option<bool>")]
    pub fail_fast: Option<Spanned<bool>>,
    /// Run the command in a container: an image reference or `{ build: FILE, context: DIR }` (see docs/containers.md); the innermost `container:` wins.
    #[schemars(with = "Option<crate::config::container::RawContainer>")]
    pub container: Option<Spanned<crate::config::container::RawContainer>>,
}

/// An `env:` mapping in file order, keys and values located.
#[derive(Debug, Default)]
pub struct EnvMap(pub Vec<(Spanned<String>, Spanned<Scalar>)>);

impl<'de> Deserialize<'de> for EnvMap {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EnvVisitor;
        impl<'de> Visitor<'de> for EnvVisitor {
            type Value = EnvMap;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of variable names to values, e.g. { APP_ENV: dev }")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<EnvMap, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    if key.value.starts_with("x-") {
                        map.next_value::<de::IgnoredAny>()?;
                        continue;
                    }
                    let value = map.next_value::<Spanned<Scalar>>()?;
                    entries.push((key, value));
                }
                Ok(EnvMap(entries))
            }
        }
        deserializer.deserialize_map(EnvVisitor)
    }
}

/// A string, number or boolean, kept as the text an environment variable gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scalar(pub String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ScalarVisitor;
        impl Visitor<'_> for ScalarVisitor {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        deserializer.deserialize_any(ScalarVisitor)
    }
}

impl schemars::JsonSchema for EnvMap {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "EnvMap".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Environment variables: NAME → a string, number or boolean. Keys starting with `x-` are ignored (a place for YAML anchors).",
            "type": "object",
            "propertyNames": { "pattern": "^([A-Za-z_][A-Za-z0-9_]*|x-.*)$" },
            "patternProperties": { "^x-": {} },
            "additionalProperties": { "type": ["string", "number", "boolean"] }
        })
    }
}
