//! The `gantry.yml` file exactly as serde reads it, with spans kept so that
//! every later check can point at a line and column.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::duration::Duration;
use crate::image::RawImage;

/// Top level of `gantry.yml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPipeline {
    pub version: Spanned<u32>,
    pub name: Option<Spanned<String>>,
    #[serde(default)]
    pub env: EnvMap,
    pub env_file: Option<Spanned<String>>,
    #[serde(default)]
    pub secrets: Vec<Spanned<String>>,
    pub shell: Option<Spanned<String>>,
    pub keep_runs: Option<Spanned<u32>>,
    pub stages: Spanned<Vec<RawStage>>,
    #[serde(default)]
    pub deploy_groups: crate::deploy::config::RawDeployGroups,
}

/// A stage: either `actions:` or the fields of one action directly.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStage {
    pub name: Spanned<String>,
    pub actions: Option<Spanned<Vec<RawAction>>>,
    pub run: Option<Spanned<String>>,
    pub script: Option<Spanned<Vec<Spanned<String>>>>,
    pub image: Option<Spanned<RawImage>>,
    pub deploy: Option<Spanned<crate::deploy::config::RawDeploy>>,
    #[serde(default)]
    pub env: EnvMap,
    pub timeout: Option<Spanned<Duration>>,
    pub run_order: Option<Spanned<u32>>,
    pub continue_on_error: Option<bool>,
    pub always: Option<bool>,
    pub working_directory: Option<Spanned<String>>,
    pub retries: Option<u32>,
    pub shell: Option<Spanned<String>>,
    pub inputs: Option<Spanned<Vec<Spanned<String>>>>,
    pub outputs: Option<Spanned<Vec<Spanned<String>>>>,
    /// `approval: MESSAGE`: the one action is an approval gate.
    pub approval: Option<Spanned<String>>,
    /// `uses: NAME`: the one action runs the custom action `gantry-action-NAME`.
    pub uses: Option<Spanned<String>>,
    /// Inputs of a `uses:` action.
    pub with: Option<Spanned<EnvMap>>,
}

/// One action of a stage.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAction {
    pub name: Spanned<String>,
    pub run: Option<Spanned<String>>,
    pub script: Option<Spanned<Vec<Spanned<String>>>>,
    pub image: Option<Spanned<RawImage>>,
    pub deploy: Option<Spanned<crate::deploy::config::RawDeploy>>,
    #[serde(default)]
    pub env: EnvMap,
    pub timeout: Option<Spanned<Duration>>,
    pub run_order: Option<Spanned<u32>>,
    pub continue_on_error: Option<bool>,
    pub always: Option<bool>,
    pub working_directory: Option<Spanned<String>>,
    pub retries: Option<u32>,
    pub shell: Option<Spanned<String>>,
    pub inputs: Option<Spanned<Vec<Spanned<String>>>>,
    pub outputs: Option<Spanned<Vec<Spanned<String>>>>,
    /// `approval: MESSAGE`: the one action is an approval gate.
    pub approval: Option<Spanned<String>>,
    /// `uses: NAME`: the one action runs the custom action `gantry-action-NAME`.
    pub uses: Option<Spanned<String>>,
    /// Inputs of a `uses:` action.
    pub with: Option<Spanned<EnvMap>>,
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
