//! The `image:` action kind: build a container image with docker, podman or
//! buildah, label it, and optionally export it as an OCI archive.
//!
//! - [`crate::config::image`]: the `image:` mapping, its load-time checks
//!   (C020–C025) and image tag syntax;
//! - [`job`]: planning — variables, paths, OCI labels, storage settings;
//! - [`crate::engine::detect`] (below): finding the builder (`builder: auto`);
//! - [`command`]: the builder command lines;
//! - [`run`](mod@run): running them inside an action.

pub mod command;
pub mod job;
pub mod run;

pub use job::{plan, ImageJob, PlanInput};
pub use run::run;
