//! Local AWS CodeDeploy in-place deployments: what the agent does on each
//! server, done on local instance folders (`.gantry/targets/<group>/<n>/`)
//! so that hook scripts, file mappings and permissions can be seen to work
//! before a real deployment. Used by the `deploy:` action kind and by
//! `gantry deploy`; see `docs/deploy.md`.
//!
//! [`run`] carries out a [`DeployJob`]: the AppSpec is validated, the
//! revision copied into the group's store (DownloadBundle), the instances
//! deployed in batches ([`batch`]) through the lifecycle ([`lifecycle`]),
//! and a failed deployment rolled back.

pub mod batch;
pub mod container;
mod copy;
mod engine;
mod fleet;
mod hooks;
mod install;
mod install_event;
mod io;
pub mod job;
mod journal;
pub mod lifecycle;
mod links;
mod paths;
mod permissions;
mod recover;
mod saving;
mod sharing;
mod stamps;
pub mod store;
mod unchanged;

pub use engine::run;
pub use job::{DeployJob, Instance, Mode};
