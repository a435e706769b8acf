//! Top-level `defaults:`: action settings given once for the whole pipeline.
//! A stage's or action's own value wins; `env:` merges (the action's own
//! variables last, so they win).

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::duration::Duration;
use super::raw::EnvMap;

/// `defaults:` as written.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields, rename = "Defaults", extend("patternProperties" = { "^x-": {} }))]
pub struct RawDefaults {
    /// Every action's `timeout:` unless its stage or itself sets one.
    #[schemars(with = "Option<Duration>")]
    pub timeout: Option<Spanned<Duration>>,
    /// Every action's `retries:` unless its stage or itself sets them.
    pub retries: Option<u32>,
    /// Environment every action gets; a stage's or action's `env:` adds to it and wins on a shared name.
    #[serde(default)]
    pub env: EnvMap,
    /// Every action's `working_directory:` unless its stage or itself sets one.
    #[schemars(with = "Option<String>")]
    pub working_directory: Option<Spanned<String>>,
    /// Every `run`/`script` action's `container:` unless its stage or itself sets one.
    #[schemars(with = "Option<crate::config::container::RawContainer>")]
    pub container: Option<Spanned<crate::config::container::RawContainer>>,
}
