//! The `image:` action kind: build a container image with docker, podman or
//! buildah, label it, and optionally export it as an OCI archive.
//!
//! - [`spec`]: the `image:` mapping and its load-time checks (C020–C025);
//! - [`reference`]: image tag syntax;
//! - [`job`]: planning — variables, paths, OCI labels, storage settings;
//! - [`detect`]: finding the builder (`builder: auto`);
//! - [`command`]: the builder command lines;
//! - [`run`](mod@run): running them inside an action.

pub mod command;
pub mod detect;
pub mod job;
pub mod reference;
pub mod run;
pub mod spec;

pub use job::{plan, ImageJob, PlanInput};
pub use run::run;
pub use spec::{check, Builder, BuilderChoice, ImageSpec, RawImage};
