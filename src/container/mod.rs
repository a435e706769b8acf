//! Containers for actions (`container:` on the pipeline, in `defaults:`, on
//! a stage or an action; the innermost wins).
//!
//! - [`crate::engine`] (below the action kinds): finding docker, podman or
//!   buildah and building their command lines — shared with `image:`,
//!   services and container deploy instances;
//! - [`crate::config::container`] (in the config layer): the `container:`
//!   setting as written and its load-time checks;
//! - [`job`]: planning — the engine, the image or build, the mounts;
//! - [`run`](mod@run): running an action's command inside, removing the
//!   container whatever happens, and sweeping leftovers of runs that died.

pub mod job;
pub mod run;

pub use crate::engine::{Engine, EngineChoice, EngineCommand, EngineKind, Owner, RunOptions};
pub use job::{ContainerJob, Workspace};
pub use run::{identity, run};
