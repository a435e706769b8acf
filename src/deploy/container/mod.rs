//! Container instances: `instances: { count: 2, image: debian:bookworm }`
//! makes each instance of a group a long-lived container,
//! `gantry-<pipeline>-<group>-<n>`, kept between deployments (a machine
//! that stays, as a server does) and recreated by `gantry deploy --reset`.
//!
//! How the lifecycle reaches inside, and why:
//! - **Files** are installed through the container's mounted root file
//!   system (`podman mount`): the instance root of a folder instance
//!   becomes the container's `/`. Every piece of the folder machinery — the
//!   install journal, OVERWRITE originals set aside, the clean-up list in
//!   `state.json`, `gantry deploy --recover` and rollback — works on it
//!   unchanged, and modes and owners are set with the same calls, so what
//!   the hooks see inside is exactly what was journaled. `podman cp`
//!   (a tar stream per file, no way to move a file aside and back) or an
//!   exec-side copy would need a second, remote implementation of all of it.
//! - **Owners** named in `permissions:` are looked up in the container's
//!   own `/etc/passwd` and `/etc/group` ([`accounts`]), so a user created
//!   by a BeforeInstall hook (`useradd`) is the one that owns the files.
//! - **Hooks** run inside with `podman exec` ([`hook`]): the bundle is
//!   mounted read-only at [`BUNDLE_MOUNT`], `runas:` goes through `su`
//!   inside (gantry is root there), the environment is passed by name
//!   (values never on a command line), output goes through the same masking
//!   sink as host hooks, and a script stopped by its timeout or Ctrl-C has
//!   its whole process group killed inside the container too.
//!
//! Mounting a container's file system needs root (rootless podman is not
//! supported yet); the engine calls live in [`engine`], podman through the
//! shared [`crate::engine`].

pub mod accounts;
pub mod engine;
pub mod hook;
pub mod instances;

use std::path::PathBuf;

use crate::config::deploy::InstanceImage;

/// Where the group's deployment folder (bundles) is mounted, read-only,
/// inside each container instance.
pub const BUNDLE_MOUNT: &str = "/opt/gantry/deployment-root";

/// The container side of a group's job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerGroup {
    /// What the instances are created from (a build's paths absolute).
    pub image: InstanceImage,
    /// The pipeline's name, for container names and labels.
    pub pipeline: String,
    /// The deploy action's variables: every engine call for the group's
    /// instances runs with them (creating, mounting, hooks, removing).
    /// Debug output names them without their values, which may be secrets.
    pub env: crate::engine::EngineEnv,
    /// The deploy action's working directory: where the engine is looked
    /// for from and every engine call for the instances runs, so that a
    /// relative path in `env` (`CONTAINERS_STORAGE_CONF`) means one file.
    pub cwd: PathBuf,
    /// The engine, once the instances are up.
    pub engine: Option<engine::Engine>,
}

/// `gantry-<pipeline>-<group>-<n>`, with characters a container name cannot
/// hold replaced by `-`.
pub fn container_name(pipeline: &str, group: &str, instance: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "_.-".contains(c) {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    };
    format!(
        "gantry-{}-{}-{}",
        clean(pipeline),
        clean(group),
        clean(instance)
    )
}

/// The image name a `build:` group's Containerfile is built into.
pub fn built_image(pipeline: &str, group: &str) -> String {
    format!(
        "localhost/{}:latest",
        container_name(pipeline, group, "instance").to_ascii_lowercase()
    )
}

/// The absolute form of `image` for a pipeline at `root`.
pub fn resolve(image: &InstanceImage, root: &std::path::Path) -> InstanceImage {
    match image {
        InstanceImage::Image(_) => image.clone(),
        InstanceImage::Build { file, context } => InstanceImage::Build {
            file: root.join(file),
            context: match context.to_str() {
                Some(".") => root.to_path_buf(),
                _ => root.join(context),
            },
        },
    }
}

/// A container's view of the host path `path` below the group's state
/// folder `state` (a bundle, a script in it).
pub fn inside(state: &std::path::Path, path: &std::path::Path) -> PathBuf {
    match path.strip_prefix(state) {
        Ok(rel) => PathBuf::from(BUNDLE_MOUNT).join(rel),
        Err(_) => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_hold_only_what_an_engine_accepts() {
        assert_eq!(
            container_name("web app", "dev", "1"),
            "gantry-web-app-dev-1"
        );
        assert_eq!(
            built_image("Web", "dev"),
            "localhost/gantry-web-dev-instance:latest"
        );
    }

    #[test]
    fn debug_output_names_the_env_without_its_values() {
        let group = ContainerGroup {
            image: InstanceImage::Image("debian:bookworm".into()),
            pipeline: "web".into(),
            env: crate::engine::EngineEnv(vec![("API_TOKEN".into(), "s3cret".into())]),
            cwd: PathBuf::from("/src"),
            engine: None,
        };
        let shown = format!("{group:?}");
        assert!(shown.contains("API_TOKEN"), "{shown}");
        assert!(!shown.contains("s3cret"), "{shown}");
    }
}
