//! The container engine for `image:` services: found by the shared
//! [`crate::engine`] (docker when its daemon answers, else podman, with the
//! storage driver the images were built into), and the command lines that
//! start, probe and list a service's container. buildah cannot run a
//! detached server with published ports, so it does not count here.

use std::path::Path;

use super::plan::PlannedService;
use crate::config::image::{Builder, BuilderChoice};
use crate::config::service::ServiceKind;
use crate::engine::detect::Wanted;
pub use crate::engine::{describe, Engine, EngineCommand};
use crate::engine::{EngineKind, RunOptions, LABEL_RUN};

/// The label every service container carries, with the service's name.
pub const SERVICE_LABEL: &str = "gantry.service";
/// The label naming the gantry process that started the container: the
/// sweep removes containers whose gantry is gone.
pub const PID_LABEL: &str = "gantry.pid";
/// The label naming the run.
pub const RUN_LABEL: &str = LABEL_RUN;

/// What services look for: buildah cannot run a detached server with
/// published ports.
const SERVICES: Wanted = Wanted {
    key: "engine",
    what: "container engine for services",
    candidates: &[Builder::Docker, Builder::Podman],
    hint: "container services need docker or podman: install podman (`apt-get install -y podman`) \
           or start Docker, or give the service as a host command (`run: …`)",
};

/// Finds docker (daemon answering) or podman on `PATH` for a service
/// whose engine runs with `env` (its [`PlannedService::engine_env`]) on top
/// of gantry's environment: `PATH`, `DOCKER_HOST` and the storage driver
/// the images were built into ([`crate::engine::ENV_STORAGE_DRIVER`]) are
/// read from there, and every call of the engine found runs with `env` in
/// `cwd`.
pub fn detect(env: &[(String, String)], cwd: &Path) -> Result<Engine, String> {
    Engine::detect_with_env(&SERVICES, BuilderChoice::Auto, env, cwd)
}

/// The container's name: `gantry-<pipeline>-<run>-<service>`, with what an
/// engine refuses in a name (a pipeline named after a folder `my app`)
/// made `-`.
pub fn container_name(pipeline: &str, run_id: &str, service: &str) -> String {
    crate::engine::container_name(&["gantry", pipeline, run_id, service])
}

/// The command that starts `planned`'s container in the foreground (its
/// output is the service's log). Environment values are not on the
/// command line: `-e NAME` passes them from the engine client's
/// environment, so no secret shows in `ps`.
pub fn run_command(
    engine: &Engine,
    planned: &PlannedService,
    name: &str,
    run_id: &str,
) -> EngineCommand {
    let service = &planned.service;
    let (image, command) = match &service.kind {
        ServiceKind::Container { image, command } => (image.clone(), command.clone()),
        ServiceKind::Host { .. } => (String::new(), Vec::new()),
    };
    let options = RunOptions {
        name: name.to_string(),
        image,
        labels: vec![
            (SERVICE_LABEL.into(), service.name.clone()),
            (RUN_LABEL.into(), run_id.into()),
            (PID_LABEL.into(), std::process::id().to_string()),
        ],
        env: planned.env.iter().map(|(var, _)| var.clone()).collect(),
        remove: true,
        no_sig_proxy: true,
        ports: service
            .ports
            .iter()
            .map(|port| format!("{}:{}", port.host, port.container))
            .collect(),
        command,
        ..Default::default()
    };
    // Services never get buildah, whose `run` is two commands.
    let mut commands = engine.run(&options);
    commands.remove(commands.len() - 1)
}

/// The command that runs `command` with `sh -c` inside container `name`.
pub fn exec_command(engine: &Engine, name: &str, command: &str) -> EngineCommand {
    engine.command(["exec", name, "sh", "-c", command].map(String::from))
}

/// The command that prints `true` while container `name` runs.
pub fn running_command(engine: &Engine, name: &str) -> EngineCommand {
    engine.command(
        [
            "container",
            "inspect",
            "--format",
            "{{.State.Running}}",
            name,
        ]
        .map(String::from),
    )
}

/// The command listing every service container: name and gantry pid.
pub fn list_command(engine: &Engine) -> EngineCommand {
    engine.list_labelled(PID_LABEL)
}

/// The command line that starts `planned`, for `--dry-run`: the engine's
/// (`<engine>` when none is found) or the host shell's.
pub fn start_line(
    planned: &PlannedService,
    engine: Option<&Engine>,
    pipeline: &str,
    run_id: &str,
) -> String {
    match &planned.service.kind {
        ServiceKind::Host { command, .. } => describe("sh", &["-c".to_string(), command.clone()]),
        ServiceKind::Container { .. } => {
            let name = container_name(pipeline, run_id, &planned.service.name);
            // Without an engine, docker's and podman's common line.
            let unknown = Engine {
                kind: EngineKind::Podman,
                program: "<engine>".into(),
                why: String::new(),
                storage_driver: None,
                isolation: None,
                env: Default::default(),
            };
            let engine = engine.unwrap_or(&unknown);
            let command = run_command(engine, planned, &name, run_id);
            describe(&engine.program.display().to_string(), &command.args)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pipeline_named_after_a_folder_with_a_space_gives_a_valid_name() {
        assert_eq!(container_name("my app", "12", "db"), "gantry-my-app-12-db");
        assert_eq!(container_name("shop", "3", "cache"), "gantry-shop-3-cache");
    }
    use crate::config::service::{Port, Service};
    use crate::diagnostics::Span;

    fn engine(kind: EngineKind, storage_driver: Option<&str>) -> Engine {
        Engine {
            kind,
            program: kind.name().into(),
            why: "test".into(),
            storage_driver: storage_driver.map(String::from),
            isolation: None,
            env: Default::default(),
        }
    }

    #[test]
    fn run_args_label_publish_and_keep_values_off_the_command_line() {
        let planned = PlannedService {
            service: Service {
                name: "db".into(),
                span: Span::default(),
                stage: None,
                kind: ServiceKind::Container {
                    image: "postgres:16".into(),
                    command: vec!["postgres".into(), "-c".into(), "fsync=off".into()],
                },
                env: Vec::new(),
                ports: vec![Port {
                    host: 15432,
                    container: 5432,
                }],
                ready: None,
                timeout: std::time::Duration::from_secs(1),
            },
            env: vec![("POSTGRES_PASSWORD".into(), "hunter2".into())],
            engine_env: vec![("POSTGRES_PASSWORD".into(), "hunter2".into())],
        };
        let podman = engine(EngineKind::Podman, None);
        let line = run_command(&podman, &planned, "gantry-p-7-db", "7").display();
        assert!(line.starts_with("podman run --rm --sig-proxy=false --name gantry-p-7-db --label gantry.service=db --label gantry.run=7"), "{line}");
        assert!(
            line.contains(" -e POSTGRES_PASSWORD -p 15432:5432 postgres:16 postgres -c fsync=off"),
            "{line}"
        );
        assert!(!line.contains("hunter2"), "{line}");

        // The store the `image:` actions built into (`vfs` on a machine
        // without overlay) is the one the service's image is looked up in.
        let vfs = engine(EngineKind::Podman, Some("vfs"));
        let name = "gantry-p-7-db";
        for command in [
            run_command(&vfs, &planned, name, "7"),
            exec_command(&vfs, name, "true"),
            running_command(&vfs, name),
            vfs.remove(name),
            list_command(&vfs),
        ] {
            let line = command.display();
            assert!(line.starts_with("podman --storage-driver vfs "), "{line}");
        }
        let docker = engine(EngineKind::Docker, Some("vfs"));
        let line = run_command(&docker, &planned, name, "7").display();
        assert!(line.starts_with("docker run --rm"), "{line}");
    }

    #[test]
    fn list_format_is_a_go_template() {
        assert_eq!(
            list_command(&engine(EngineKind::Podman, None)).args[5],
            "{{.Names}}\t{{index .Labels \"gantry.pid\"}}"
        );
        assert_eq!(
            list_command(&engine(EngineKind::Podman, None)).args[3],
            "label=gantry.pid"
        );
        assert_eq!(
            list_command(&engine(EngineKind::Docker, None)).args[5],
            "{{.Names}}\t{{.Label \"gantry.pid\"}}"
        );
    }
}
