//! The deploy parts of `gantry.yml`: the top-level `deploy_groups:` mapping
//! and the `deploy:` action key, as serde reads them and as the rest of
//! gantry uses them once checked (codes C040–C044).

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::config::choice::{BUNDLE, DEPLOYMENT_CONFIG};
use crate::config::{ActionKind, Stage};
use crate::diagnostics::Diagnostic;
use crate::diagnostics::{span, Span};

/// Most instances one group may have.
pub const MAX_INSTANCES: u32 = 10_000;

/// `deploy_groups:` in file order.
#[derive(Debug, Default)]
pub struct RawDeployGroups(pub Vec<(Spanned<String>, Spanned<RawDeployGroup>)>);

/// One group under `deploy_groups:`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "DeployGroup")]
pub struct RawDeployGroup {
    /// A number of instances, or a list of root folders.
    #[schemars(with = "Option<RawInstances>")]
    pub instances: Option<Spanned<RawInstances>>,
    /// The deployment configuration.
    #[schemars(with = "Option<RawDeployConfig>")]
    pub config: Option<Spanned<RawDeployConfig>>,
    /// Ask for approval before every deployment to this group.
    pub approval: Option<bool>,
    /// Most instances of a batch deployed at the same time.
    #[schemars(with = "Option<MaxParallel>")]
    pub max_parallel: Option<Spanned<u64>>,
    /// How DownloadBundle keeps the revision: `copy` (default) or `link`.
    #[schemars(with = "Option<BundleKeeping>")]
    pub bundle: Option<Spanned<String>>,
}

/// `bundle:` in the JSON schema.
struct BundleKeeping;

impl schemars::JsonSchema for BundleKeeping {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "BundleKeeping".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "How DownloadBundle keeps the revision: `copy` (default: the kept bundle owns its data) or `link` (hard links to the revision's files, for revision folders that are rebuilt, never edited in place; a bundle whose files changed since is refused).",
            "type": "string",
            "enum": BUNDLE.words
        })
    }
}

/// `max_parallel:` in the JSON schema.
struct MaxParallel;

impl schemars::JsonSchema for MaxParallel {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "MaxParallel".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Most instances of a batch deployed at the same time (default: 4 per CPU core).",
            "type": "integer",
            "format": "uint64",
            "minimum": 1,
            "maximum": MAX_INSTANCES
        })
    }
}

/// `instances:` as written.
#[derive(Debug)]
pub enum RawInstances {
    /// `instances: 3` (as read: a negative count too, to be refused).
    Count(i128),
    /// `instances: [a, b]`.
    Roots(Vec<Spanned<String>>),
    /// `instances: { count: 2, image: debian:bookworm }` (or `build:`).
    Containers(Box<RawContainerInstances>),
}

/// `instances: { count, image | build, context }`: long-lived containers.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawContainerInstances {
    /// How many (default 1).
    pub count: Option<Spanned<u64>>,
    /// The image every instance is created from.
    pub image: Option<Spanned<String>>,
    /// A Containerfile to build the image from, relative to the pipeline root.
    pub build: Option<Spanned<String>>,
    /// The build context (default: the pipeline root).
    pub context: Option<Spanned<String>>,
}

/// `config:` as written: a name, or `{ minimum_healthy: N | "N%" }`.
#[derive(Debug)]
pub enum RawDeployConfig {
    /// `AllAtOnce`, `HalfAtATime`, `OneAtATime` (or a misspelling).
    Named(String),
    /// A number or boolean (a wrong name), as serde read it: `1.50` is
    /// `1.5` here, so the loader quotes the text as written instead.
    Scalar(String),
    /// `minimum_healthy`, where it is written.
    MinimumHealthy(Spanned<MinimumText>),
}

/// The `deploy:` key of an action.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Deploy")]
pub struct RawDeploy {
    /// The deployment group (default: the only one declared).
    #[schemars(with = "Option<String>")]
    pub group: Option<Spanned<String>>,
    /// The revision folder, relative to the pipeline root.
    #[schemars(with = "Option<String>")]
    pub revision: Option<Spanned<String>>,
    /// The AppSpec file, relative to the pipeline root.
    #[schemars(with = "Option<String>")]
    pub appspec: Option<Spanned<String>>,
    /// Roll back automatically when the deployment fails (default true).
    pub rollback: Option<bool>,
    /// Go on to DownloadBundle when ApplicationStop fails on an instance
    /// (CodeDeploy's `--ignore-application-stop-failures`; default false).
    pub ignore_application_stop_failures: Option<bool>,
}

impl schemars::JsonSchema for RawDeployGroups {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "DeployGroups".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let group = generator.subschema_for::<RawDeployGroup>();
        schemars::json_schema!({
            "description": "Deployment groups by name (letters, digits, `.`, `_`, `-`).",
            "type": "object",
            "propertyNames": { "pattern": "^[A-Za-z0-9_-][A-Za-z0-9._-]*$" },
            "additionalProperties": group
        })
    }
}

impl schemars::JsonSchema for RawInstances {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Instances".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "How many instances (default roots `.gantry/targets/<group>/<n>`), their root folders, or long-lived container instances (`{ count: 2, image: debian:bookworm }` or `{ count: 2, build: ci/Containerfile }`).",
            "oneOf": [
                { "type": "integer", "minimum": 1, "maximum": MAX_INSTANCES },
                { "type": "array", "items": { "type": "string" }, "minItems": 1 },
                {
                    "type": "object",
                    "properties": {
                        "count": { "description": "How many containers (default 1).", "type": "integer", "minimum": 1, "maximum": MAX_INSTANCES },
                        "image": { "description": "The image each instance is created from (never pulled by gantry: the engine pulls it when missing).", "type": "string" },
                        "build": { "description": "A Containerfile (relative to the pipeline root) built into the instances' image.", "type": "string" },
                        "context": { "description": "The build context of `build:` (default: the pipeline root).", "type": "string" }
                    },
                    "oneOf": [ { "required": ["image"] }, { "required": ["build"] } ],
                    "additionalProperties": false
                }
            ]
        })
    }
}

impl schemars::JsonSchema for RawDeployConfig {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "DeploymentConfig".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "How fast a deployment goes through the instances: a named configuration, or a minimum of healthy instances (a count or a percentage).",
            "oneOf": [
                { "enum": DEPLOYMENT_CONFIG.words },
                {
                    "type": "object",
                    "properties": {
                        "minimum_healthy": { "type": ["integer", "string"], "pattern": MINIMUM_PATTERN }
                    },
                    "required": ["minimum_healthy"],
                    "additionalProperties": false
                }
            ]
        })
    }
}

/// How fast a deployment goes through a group's instances.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeploymentConfig {
    /// Every instance at once (minimum healthy: 0).
    AllAtOnce,
    /// Up to half of the instances at a time (minimum healthy: 50%).
    HalfAtATime,
    /// One instance at a time (minimum healthy: all but one).
    OneAtATime,
    /// A custom minimum of healthy instances.
    MinimumHealthy(Minimum),
}

/// A minimum number of healthy instances.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Minimum {
    /// This many instances.
    Count(u32),
    /// This percentage of the group, rounded up.
    Percent(u32),
}

impl fmt::Display for DeploymentConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeploymentConfig::AllAtOnce => f.write_str("AllAtOnce"),
            DeploymentConfig::HalfAtATime => f.write_str("HalfAtATime"),
            DeploymentConfig::OneAtATime => f.write_str("OneAtATime"),
            DeploymentConfig::MinimumHealthy(Minimum::Count(n)) => {
                write!(f, "minimum {n} healthy")
            }
            DeploymentConfig::MinimumHealthy(Minimum::Percent(p)) => {
                write!(f, "minimum {p}% healthy")
            }
        }
    }
}

/// A checked deployment group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeployGroup {
    /// The group's name.
    pub name: String,
    /// Where the name is written.
    pub span: Span,
    /// Each instance's root folder, relative to the pipeline root (or absolute).
    pub instances: Vec<PathBuf>,
    /// How fast to go through the instances.
    pub config: DeploymentConfig,
    /// Deployments to this group wait for an approval gate.
    pub approval: bool,
    /// Most instances of a batch deployed at once (`None`: 4 per core).
    pub max_parallel: Option<usize>,
    /// `bundle: link`: the kept bundle hard-links the revision's files.
    pub link_bundle: bool,
    /// Container instances' image (`None`: folder instances).
    pub container: Option<InstanceImage>,
}

/// What container instances are created from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InstanceImage {
    /// An image reference, e.g. `debian:bookworm`.
    Image(String),
    /// A Containerfile and its build context, relative to the pipeline root.
    Build {
        /// The Containerfile.
        file: PathBuf,
        /// The build context.
        context: PathBuf,
    },
}

impl fmt::Display for InstanceImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceImage::Image(image) => f.write_str(image),
            InstanceImage::Build { file, .. } => write!(f, "{} (built)", file.display()),
        }
    }
}

/// A checked `deploy:` action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeployAction {
    /// The group's name (resolved to the only group when not written).
    pub group: String,
    /// Where `deploy:` (or `group:`) is written.
    pub span: Span,
    /// The revision folder, before `${…}` expansion.
    pub revision: Option<(String, Span)>,
    /// The AppSpec file, before `${…}` expansion.
    pub appspec: Option<(String, Span)>,
    /// Roll back automatically on failure.
    pub rollback: bool,
    /// An ApplicationStop failure is a warning and the instance goes on.
    pub ignore_application_stop_failures: bool,
}

impl DeployGroup {
    /// The default instance roots: `.gantry/targets/<group>/<n>`.
    pub fn default_roots(group: &str, count: u32) -> Vec<PathBuf> {
        (1..=count)
            .map(|n| {
                Path::new(crate::record::STATE_DIR)
                    .join("targets")
                    .join(group)
                    .join(n.to_string())
            })
            .collect()
    }
}

impl<'de> Deserialize<'de> for RawDeployGroups {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct GroupsVisitor;
        impl<'de> Visitor<'de> for GroupsVisitor {
            type Value = RawDeployGroups;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of group names to groups, e.g. { dev: { instances: 2 } }")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut groups = Vec::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    groups.push((key, map.next_value()?));
                }
                Ok(RawDeployGroups(groups))
            }
        }
        deserializer.deserialize_map(GroupsVisitor)
    }
}

impl<'de> Deserialize<'de> for RawInstances {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct InstancesVisitor;
        impl<'de> Visitor<'de> for InstancesVisitor {
            type Value = RawInstances;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number of instances (e.g. 2) or a list of instance root folders")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(RawInstances::Count(v.into()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(RawInstances::Count(v.into()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut roots = Vec::new();
                while let Some(root) = seq.next_element::<Spanned<String>>()? {
                    roots.push(root);
                }
                Ok(RawInstances::Roots(roots))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                RawContainerInstances::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|c| RawInstances::Containers(Box::new(c)))
            }
        }
        deserializer.deserialize_any(InstancesVisitor)
    }
}

impl<'de> Deserialize<'de> for RawDeployConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ConfigVisitor;
        impl<'de> Visitor<'de> for ConfigVisitor {
            type Value = RawDeployConfig;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("AllAtOnce, HalfAtATime, OneAtATime or { minimum_healthy: N | \"N%\" }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(RawDeployConfig::Named(v.to_string()))
            }
            // Other scalars are names too (a wrong one, C043), as for any
            // setting that takes one of a few words.
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(RawDeployConfig::Scalar(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(RawDeployConfig::Scalar(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(RawDeployConfig::Scalar(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(RawDeployConfig::Scalar(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut minimum = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key != "minimum_healthy" {
                        return Err(de::Error::unknown_field(&key, &["minimum_healthy"]));
                    }
                    minimum = Some(map.next_value::<Spanned<MinimumText>>()?);
                }
                minimum
                    .map(RawDeployConfig::MinimumHealthy)
                    .ok_or_else(|| de::Error::missing_field("minimum_healthy"))
            }
        }
        deserializer.deserialize_any(ConfigVisitor)
    }
}

/// The schema's pattern of `minimum_healthy:`, by which the tolerant pass
/// knows to check it with [`minimum_form`].
pub const MINIMUM_PATTERN: &str = "^\\d+%?$";

/// `minimum_healthy:` as serde read it.
#[derive(Debug)]
pub enum MinimumText {
    /// A string (`"50%"`).
    Str(String),
    /// A number or boolean: `1.50` is `1.5` here, so the loader quotes the
    /// text as written instead.
    Scalar(String),
}

impl<'de> Deserialize<'de> for MinimumText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl Visitor<'_> for TextVisitor {
            type Value = MinimumText;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number of instances or a percentage such as \"50%\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(MinimumText::Str(v.to_string()))
            }
            // Any other scalar is read, to be refused with its text as
            // written (C043) rather than as serde formats it.
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(MinimumText::Scalar(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(MinimumText::Scalar(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(MinimumText::Scalar(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(MinimumText::Scalar(v.to_string()))
            }
        }
        deserializer.deserialize_any(TextVisitor)
    }
}

/// Checks `deploy_groups:` of `text`; `file` names the config in diagnostics.
pub fn groups(
    file: &Path,
    text: &str,
    raw: &RawDeployGroups,
) -> (Vec<DeployGroup>, Vec<Diagnostic>) {
    let mut found = Vec::new();
    let groups = raw
        .0
        .iter()
        .map(|(name, group)| {
            check_group_name(file, name, &mut found);
            let instances = instances(file, &name.value, group, &mut found);
            let config = group
                .value
                .config
                .as_ref()
                .map_or(DeploymentConfig::OneAtATime, |c| {
                    deployment_config(file, text, c, instances.len(), &mut found)
                });
            DeployGroup {
                name: name.value.clone(),
                span: span(name),
                instances,
                config,
                approval: group.value.approval.unwrap_or(false),
                max_parallel: max_parallel(file, &group.value, &mut found),
                link_bundle: link_bundle(file, &group.value, &mut found),
                container: container_image(file, &group.value, &mut found),
            }
        })
        .collect();
    (groups, found)
}

fn max_parallel(file: &Path, group: &RawDeployGroup, found: &mut Vec<Diagnostic>) -> Option<usize> {
    let raw = group.max_parallel.as_ref()?;
    if (1..=u64::from(MAX_INSTANCES)).contains(&raw.value) {
        return Some(raw.value as usize);
    }
    found.push(error(
        file,
        "C042",
        span(raw),
        format!("max_parallel: {}", raw.value),
        &format!("give 1 to {MAX_INSTANCES} instances deployed at the same time, or leave it out (4 per CPU core)"),
    ));
    None
}

fn link_bundle(file: &Path, group: &RawDeployGroup, found: &mut Vec<Diagnostic>) -> bool {
    let Some(raw) = group.bundle.as_ref() else {
        return false;
    };
    match BUNDLE.pick(&raw.value, span(raw)) {
        Ok("link") => true,
        Ok("copy") => false,
        Ok(other) => unreachable!("`{other}` is in BUNDLE.words but not handled here"),
        Err(p) => {
            found.push(p.diagnostic(file));
            false
        }
    }
}

fn check_group_name(file: &Path, name: &Spanned<String>, found: &mut Vec<Diagnostic>) {
    let n = &name.value;
    if !crate::config::valid_name(n) {
        found.push(error(
            file,
            "C041",
            span(name),
            format!("invalid deployment group name `{n}`"),
            "use letters, digits, `.`, `_` and `-` (the name becomes a directory name)",
        ));
    }
}

fn instances(
    file: &Path,
    group: &str,
    raw: &Spanned<RawDeployGroup>,
    found: &mut Vec<Diagnostic>,
) -> Vec<PathBuf> {
    let Some(instances) = &raw.value.instances else {
        return DeployGroup::default_roots(group, 1);
    };
    let at = span(instances);
    match &instances.value {
        RawInstances::Count(n) if (1..=i128::from(MAX_INSTANCES)).contains(n) => {
            DeployGroup::default_roots(group, *n as u32)
        }
        RawInstances::Count(n) => {
            found.push(error(
                file,
                "C042",
                at,
                format!("a group of {n} instances"),
                &format!("give 1 to {MAX_INSTANCES} instances, or a list of instance root folders"),
            ));
            Vec::new()
        }
        RawInstances::Roots(roots) => instance_roots(file, roots, at, found),
        RawInstances::Containers(containers) => {
            let count = containers.count.as_ref().map_or(1, |c| c.value);
            if !(1..=u64::from(MAX_INSTANCES)).contains(&count) {
                let at = containers.count.as_ref().map_or(at, span);
                found.push(error(
                    file,
                    "C042",
                    at,
                    format!("a group of {count} container instances"),
                    &format!("give `count:` from 1 to {MAX_INSTANCES}"),
                ));
                return Vec::new();
            }
            DeployGroup::default_roots(group, count as u32)
        }
    }
}

/// The image of container instances (`None`: folder instances); exactly one
/// of `image:` and `build:` (C042).
fn container_image(
    file: &Path,
    group: &RawDeployGroup,
    found: &mut Vec<Diagnostic>,
) -> Option<InstanceImage> {
    let instances = group.instances.as_ref()?;
    let RawInstances::Containers(raw) = &instances.value else {
        return None;
    };
    let text = |s: &Spanned<String>, key: &str, found: &mut Vec<Diagnostic>| {
        if s.value.trim().is_empty() {
            found.push(error(file, "C042", span(s), format!("`{key}:` is empty"), "name an image such as debian:bookworm, or a Containerfile relative to the pipeline root"));
        }
        s.value.trim().to_string()
    };
    match (&raw.image, &raw.build) {
        (Some(image), None) => {
            if let Some(context) = &raw.context {
                found.push(error(
                    file,
                    "C042",
                    span(context),
                    "`context:` without `build:`".into(),
                    "`context:` is the build context of `build:`; with `image:` leave it out",
                ));
            }
            Some(InstanceImage::Image(text(image, "image", found)))
        }
        (None, Some(build)) => Some(InstanceImage::Build {
            file: PathBuf::from(text(build, "build", found)),
            context: PathBuf::from(
                raw.context
                    .as_ref()
                    .map_or(".".into(), |c| text(c, "context", found)),
            ),
        }),
        (Some(image), Some(_)) => {
            found.push(error(
                file,
                "C042",
                span(image),
                "container instances with both `image:` and `build:`".into(),
                "give one: `image: debian:bookworm` or `build: ci/Containerfile`",
            ));
            None
        }
        (None, None) => {
            found.push(error(file, "C042", span(instances), "container instances without `image:` or `build:`".into(), "add `image: debian:bookworm` or `build: ci/Containerfile`, or write `instances: 2` for folder instances"));
            None
        }
    }
}

fn instance_roots(
    file: &Path,
    roots: &[Spanned<String>],
    at: Span,
    found: &mut Vec<Diagnostic>,
) -> Vec<PathBuf> {
    if roots.is_empty() || roots.len() > MAX_INSTANCES as usize {
        found.push(error(file, "C042", at, format!("a list of {} instance roots", roots.len()), &format!("list 1 to {MAX_INSTANCES} folders, e.g. [.gantry/targets/dev/a, .gantry/targets/dev/b]")));
    }
    let mut seen = Vec::new();
    let mut unique = std::collections::HashSet::new();
    for root in roots {
        let path = Path::new(&root.value);
        let problem = if root.value.trim().is_empty() {
            Some("an empty instance root")
        } else if path
            .components()
            .all(|c| c == std::path::Component::RootDir)
        {
            Some("`/` as an instance root")
        } else if path
            .components()
            .any(|c| c == std::path::Component::ParentDir)
        {
            Some("`..` in an instance root")
        } else if !unique.insert(path) {
            Some("the same instance root twice")
        } else {
            None
        };
        match problem {
            Some(what) => found.push(error(file, "C042", span(root), what.to_string(), "each instance is its own folder below the pipeline root (or an absolute folder other than `/`); `gantry deploy --root /` is the only way to deploy onto this machine")),
            None => seen.push(path),
        }
    }
    seen.into_iter().map(Path::to_path_buf).collect()
}

fn deployment_config(
    file: &Path,
    text: &str,
    raw: &Spanned<RawDeployConfig>,
    instances: usize,
    found: &mut Vec<Diagnostic>,
) -> DeploymentConfig {
    let at = span(raw);
    let word = match &raw.value {
        RawDeployConfig::Named(name) => name.as_str(),
        RawDeployConfig::Scalar(read) => crate::diagnostics::written(text, raw).unwrap_or(read),
        RawDeployConfig::MinimumHealthy(minimum) => {
            let written = match &minimum.value {
                MinimumText::Str(read) => read.as_str(),
                MinimumText::Scalar(read) => {
                    crate::diagnostics::written(text, minimum).unwrap_or(read)
                }
            };
            return match minimum_form(file, written, span(minimum))
                .and_then(|m| within(file, m, written, span(minimum), instances))
            {
                Ok(minimum) => DeploymentConfig::MinimumHealthy(minimum),
                Err(d) => {
                    found.push(d);
                    DeploymentConfig::OneAtATime
                }
            };
        }
    };
    match DEPLOYMENT_CONFIG.pick(word, at) {
        Ok("AllAtOnce") => DeploymentConfig::AllAtOnce,
        Ok("HalfAtATime") => DeploymentConfig::HalfAtATime,
        Ok("OneAtATime") => DeploymentConfig::OneAtATime,
        Ok(other) => unreachable!("`{other}` is in DEPLOYMENT_CONFIG.words but not handled here"),
        Err(p) => {
            found.push(p.diagnostic(file));
            DeploymentConfig::OneAtATime
        }
    }
}

/// `minimum_healthy:` written as `written` (a string's value, any other
/// scalar's text as written), whatever the group: `N`, or `N%` from 0 to
/// 99. `Err` is the C043 at `at`; the tolerant pass checks it the same way.
pub fn minimum_form(file: &Path, written: &str, at: Span) -> Result<Minimum, Diagnostic> {
    // Digits only, as the schema's pattern says: not `+50%`, `50 %` or `0x1`.
    // A count too large for any group saturates, for the group check to name.
    let digits = |text: &str| -> Option<u32> {
        let all = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
        all.then(|| text.parse::<u32>().unwrap_or(u32::MAX))
    };
    let (read, hint) = match written.strip_suffix('%') {
        Some(percent) => (
            digits(percent).filter(|p| *p < 100).map(Minimum::Percent),
            "a percentage from 0% to 99% of the group's instances",
        ),
        None => (
            digits(written).map(Minimum::Count),
            "a whole number of instances, or a percentage such as \"50%\"",
        ),
    };
    read.ok_or_else(|| {
        let message = format!("invalid minimum_healthy `{written}`");
        error(file, "C043", at, message, hint)
    })
}

/// `minimum` (written `written` at `at`) for a group of `instances`: a
/// count must leave one instance to deploy at a time.
fn within(
    file: &Path,
    minimum: Minimum,
    written: &str,
    at: Span,
    instances: usize,
) -> Result<Minimum, Diagnostic> {
    match minimum {
        Minimum::Count(n) if n as usize >= instances.max(1) => {
            let hint = format!(
                "a number of instances from 0 to {} (this group has {instances}; at least one must be deployable at a time), or a percentage such as \"50%\"",
                instances.saturating_sub(1)
            );
            let message = format!("invalid minimum_healthy `{written}`");
            Err(error(file, "C043", at, message, &hint))
        }
        fine => Ok(fine),
    }
}

/// Checks the `deploy:` key of an action; `raw_span` locates it.
pub fn action(file: &Path, raw: &Spanned<RawDeploy>) -> (DeployAction, Vec<Diagnostic>) {
    let mut found = Vec::new();
    let located = |s: &Option<Spanned<String>>, key: &str, found: &mut Vec<Diagnostic>| {
        let s = s.as_ref()?;
        if s.value.trim().is_empty() {
            found.push(error(
                file,
                "C044",
                span(s),
                format!("`{key}:` is empty"),
                &format!("name a path relative to the pipeline root, or leave `{key}:` out"),
            ));
        }
        Some((s.value.clone(), span(s)))
    };
    let revision = located(&raw.value.revision, "revision", &mut found);
    let appspec = located(&raw.value.appspec, "appspec", &mut found);
    let action = DeployAction {
        group: raw
            .value
            .group
            .as_ref()
            .map_or(String::new(), |g| g.value.clone()),
        span: raw.value.group.as_ref().map_or(span(raw), span),
        revision,
        appspec,
        rollback: raw.value.rollback.unwrap_or(true),
        ignore_application_stop_failures: raw
            .value
            .ignore_application_stop_failures
            .unwrap_or(false),
    };
    (action, found)
}

/// Resolves every `deploy:` action's group against `groups`: an unknown
/// name, or no name with other than exactly one group, is C040, located in
/// the file of the action's stage (an included stage's file).
pub fn resolve_groups(groups: &[DeployGroup], stages: &mut [Stage]) -> Vec<Diagnostic> {
    let names: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
    let mut found = Vec::new();
    for stage in stages {
        let file = stage.file.as_path();
        for action in &mut stage.actions {
            let ActionKind::Deploy(deploy) = &mut action.kind else {
                continue;
            };
            if deploy.group.is_empty() && names.len() == 1 {
                deploy.group = names[0].to_string();
            }
            if names.contains(&deploy.group.as_str()) {
                continue;
            }
            let (message, hint) = unknown_group(&deploy.group, &names);
            found.push(error(file, "C040", deploy.span, message, &hint));
        }
    }
    found
}

/// The message and hint for a group name not in `names`.
pub fn unknown_group(group: &str, names: &[&str]) -> (String, String) {
    let message = if group.is_empty() {
        "`deploy:` does not say which deployment group".to_string()
    } else {
        format!("no deployment group named `{group}`")
    };
    let hint = if names.is_empty() {
        "declare it at the top level, e.g. `deploy_groups: { dev: { instances: 2, config: OneAtATime } }`".to_string()
    } else {
        let close = crate::suggest::lead(group, names);
        format!("{close}add `group:` with one of: {}", names.join(", "))
    };
    (message, hint)
}

fn error(file: &Path, code: &str, at: Span, message: String, hint: &str) -> Diagnostic {
    Diagnostic::error(code, file, at.line, at.column, message).with_hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimum_counts_and_percentages() {
        let parse = |written: &str, instances: usize| {
            let (file, at) = (Path::new("gantry.yml"), Span::default());
            minimum_form(file, written, at)
                .and_then(|m| within(file, m, written, at, instances))
                .map_err(|d| d.message)
        };
        assert_eq!(parse("1", 2), Ok(Minimum::Count(1)));
        assert!(parse("2", 2).is_err());
        assert_eq!(parse("75%", 4), Ok(Minimum::Percent(75)));
        assert!(parse("100%", 4).is_err());
        assert_eq!(parse("0", 1), Ok(Minimum::Count(0)));
        for wrong in ["many", "1.50", "+1", "0x1", "-1", "1e0"] {
            assert_eq!(
                parse(wrong, 4),
                Err(format!("invalid minimum_healthy `{wrong}`"))
            );
        }
    }
}
