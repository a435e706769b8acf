//! `gantry.yml`: finding it, reading it, and turning it into a validated
//! [`Pipeline`] in one step. Every problem becomes a located [`Diagnostic`].
//!
//! [`Diagnostic`]: crate::diagnostics::Diagnostic

pub mod dotenv;
pub mod duration;
mod load;
mod model;
mod raw;
mod refs;

pub use load::{find_config, insert_group_gates, load, load_text, CONFIG_NAMES};
pub use model::{Action, ActionKind, EnvVar, Pipeline, Secret, Span, Stage};
