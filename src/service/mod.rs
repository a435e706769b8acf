//! `services:`: long-running helpers (a database, a fake API) that the
//! actions of the pipeline or of one stage talk to, started before the
//! first action that needs them and always stopped.
//!
//! `services:` as written and validated is `config::service` (checked in
//! `config::load`); here is what runs them:
//!
//! - [`plan`](mod@plan): the services a run needs, variables expanded;
//! - [`engine`]: docker or podman, and the container command lines;
//! - [`process`]: a service's process group, kept by a thread of its own;
//! - [`ready`]: waiting until a service is ready;
//! - [`sweep`]: removing what a killed gantry left behind;
//! - [`manager`]: the run's services, for the executor.

pub mod engine;
pub mod manager;
pub mod plan;
pub mod process;
pub mod ready;
pub mod sweep;

pub use manager::Services;
pub use plan::PlannedService;
