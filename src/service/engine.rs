//! The container engine for `image:` services: found like an `image:`
//! action's builder (docker when its daemon answers, else podman), and the
//! command lines that start, probe and remove a service's container.
//! buildah cannot run a detached server with published ports, so it does not
//! count here.

use std::path::{Path, PathBuf};

use super::plan::PlannedService;
use crate::config::image::{Builder, BuilderChoice};
use crate::config::service::ServiceKind;
use crate::image::detect;

/// The label every service container carries, with the service's name.
pub const SERVICE_LABEL: &str = "gantry.service";
/// The label naming the gantry process that started the container: the
/// sweep removes containers whose gantry is gone.
pub const PID_LABEL: &str = "gantry.pid";
/// The label naming the run.
pub const RUN_LABEL: &str = "gantry.run";

/// The engine services run on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Engine {
    /// `docker` or `podman`.
    pub name: &'static str,
    /// Its program, as found on `PATH`.
    pub program: PathBuf,
}

/// Finds docker (daemon answering) or podman on `PATH`.
pub fn detect(cwd: &Path, env: &[(String, String)]) -> Result<Engine, String> {
    let path = std::env::var_os("PATH");
    let hint =
        "container services need docker or podman: install podman (`apt-get install -y podman`) \
                or start Docker, or give the service as a host command (`run: …`)";
    let chosen = detect::detect(BuilderChoice::Auto, path.as_deref(), cwd, env)
        .map_err(|why| format!("{}; {hint}", why.split("; install").next().unwrap_or(&why)))?;
    match chosen.builder {
        Builder::Docker => Ok(Engine {
            name: "docker",
            program: chosen.program,
        }),
        Builder::Podman => Ok(Engine {
            name: "podman",
            program: chosen.program,
        }),
        Builder::Buildah => Err(format!(
            "only buildah was found, and it cannot run services; {hint}"
        )),
    }
}

/// The container's name: `gantry-<pipeline>-<run>-<service>`.
pub fn container_name(pipeline: &str, run_id: &str, service: &str) -> String {
    format!("gantry-{pipeline}-{run_id}-{service}")
}

/// `run` arguments that start `planned`'s container in the foreground
/// (its output is the service's log). Environment values are not on the
/// command line: `-e NAME` passes them from the engine client's environment,
/// so no secret shows in `ps`.
pub fn run_args(planned: &PlannedService, name: &str, run_id: &str) -> Vec<String> {
    let service = &planned.service;
    let ServiceKind::Container { image, command } = &service.kind else {
        return Vec::new();
    };
    let mut args: Vec<String> = ["run", "--rm", "--sig-proxy=false", "--name", name]
        .map(String::from)
        .to_vec();
    let labels = [
        format!("{SERVICE_LABEL}={}", service.name),
        format!("{RUN_LABEL}={run_id}"),
        format!("{PID_LABEL}={}", std::process::id()),
    ];
    for label in labels {
        args.push("--label".into());
        args.push(label);
    }
    for (var, _) in &planned.env {
        args.push("-e".into());
        args.push(var.clone());
    }
    for port in &service.ports {
        args.push("-p".into());
        args.push(format!("{}:{}", port.host, port.container));
    }
    args.push(image.clone());
    args.extend(command.iter().cloned());
    args
}

/// `exec` arguments that run `command` with `sh -c` inside container `name`.
pub fn exec_args(name: &str, command: &str) -> Vec<String> {
    ["exec", name, "sh", "-c", command]
        .map(String::from)
        .to_vec()
}

/// `container inspect` arguments that print `true` while container `name` runs.
pub fn running_args(name: &str) -> Vec<String> {
    [
        "container",
        "inspect",
        "--format",
        "{{.State.Running}}",
        name,
    ]
    .map(String::from)
    .to_vec()
}

/// Arguments that kill and remove container `name` at once (a service's
/// container is thrown away, so there is nothing to shut down cleanly):
/// podman's `rm -f` would give a server that ignores SIGTERM (any PID 1
/// without a handler) 10 seconds; docker's kills right away.
pub fn remove_args(engine: &str, name: &str) -> Vec<String> {
    let mut args: Vec<String> = ["rm", "-f"].map(String::from).to_vec();
    if engine == "podman" {
        args.extend(["--time".to_string(), "0".to_string()]);
    }
    args.push(name.to_string());
    args
}

/// `ps` arguments listing every service container: name and gantry pid.
/// docker's template reads a label with `.Label NAME`; podman's `.Labels`
/// is a map.
pub fn list_args(engine: &str) -> Vec<String> {
    let pid = if engine == "docker" {
        format!("{{{{.Label \"{PID_LABEL}\"}}}}")
    } else {
        format!("{{{{index .Labels \"{PID_LABEL}\"}}}}")
    };
    vec![
        "ps".into(),
        "-a".into(),
        "--filter".into(),
        format!("label={SERVICE_LABEL}"),
        "--format".into(),
        format!("{{{{.Names}}}}\t{pid}"),
    ]
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
            let program =
                engine.map_or("<engine>".to_string(), |e| e.program.display().to_string());
            describe(&program, &run_args(planned, &name, run_id))
        }
    }
}

/// A command line for people (dry runs, the live view).
pub fn describe(program: &str, args: &[String]) -> String {
    let mut words = vec![program.to_string()];
    words.extend(args.iter().map(|a| crate::text::shell_quote(a)));
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::service::{Port, Service};
    use crate::diagnostics::Span;

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
        };
        let args = run_args(&planned, "gantry-p-7-db", "7");
        let line = describe("podman", &args);
        assert!(line.starts_with("podman run --rm --sig-proxy=false --name gantry-p-7-db --label gantry.service=db --label gantry.run=7"), "{line}");
        assert!(
            line.contains(" -e POSTGRES_PASSWORD -p 15432:5432 postgres:16 postgres -c fsync=off"),
            "{line}"
        );
        assert!(!line.contains("hunter2"), "{line}");
    }

    #[test]
    fn list_format_is_a_go_template() {
        assert_eq!(
            list_args("podman")[5],
            "{{.Names}}\t{{index .Labels \"gantry.pid\"}}"
        );
        assert_eq!(
            list_args("docker")[5],
            "{{.Names}}\t{{.Label \"gantry.pid\"}}"
        );
    }
}
