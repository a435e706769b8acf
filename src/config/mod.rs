//! `gantry.yml`: finding it, reading it, and turning it into a validated
//! [`Pipeline`] in one step. Every problem becomes a located [`Diagnostic`].
//!
//! [`Diagnostic`]: crate::diagnostics::Diagnostic

mod choice;
pub mod condition;
pub mod container;
mod defaults;
pub mod deploy;
pub mod dotenv;
pub mod duration;
pub mod gates;
mod ignored;
pub mod image;
mod include;
mod indentation;
mod load;
pub mod matrix;
mod model;
mod pattern;
mod raw;
mod refs;
pub mod service;
mod shape;
mod tolerant;

pub use include::{normalize, relative_to};
pub use load::{find_config, insert_group_gates, load, load_text, load_text_with, CONFIG_NAMES};
pub use model::{Action, ActionKind, Condition, EnvVar, Pipeline, Secret, Stage, DEFAULT_INPUTS};
pub use pattern::Pattern;

/// Whether `name` can name a pipeline, stage, action or deployment group:
/// letters, digits, `.`, `_`, `-`, not starting with `.` (names become
/// directory and file names).
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

/// The JSON Schema of `gantry.yml`, derived from the types the loader
/// reads it into (for editors: `gantry schema`).
pub fn json_schema() -> serde_json::Value {
    let mut schema =
        serde_json::to_value(schemars::schema_for!(raw::RawPipeline)).unwrap_or_default();
    if let Some(object) = schema.as_object_mut() {
        object.insert("title".into(), "gantry.yml".into());
        object.insert(
            "description".into(),
            "The release pipeline gantry runs locally before you push; every key is described in docs/configuration.md.".into(),
        );
    }
    schema
}

/// [`json_schema`] as pretty JSON with a final newline, as `gantry schema`
/// prints it and `.gantry/gantry.schema.json` holds it.
pub fn json_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&json_schema()).unwrap_or_default();
    text.push('\n');
    text
}
