//! `services:` as written in `gantry.yml` (with spans) and as validated:
//! a named long-running helper, either a container (`image:`) or a host
//! command (`run:`), with how to tell that it is ready.

use std::fmt;
use std::time::Duration;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::raw::{EnvMap, Scalar};
use super::EnvVar;
use crate::diagnostics::Span;

/// How long a service may take to become ready unless `ready: { timeout: … }` says.
pub const DEFAULT_READY_TIMEOUT: Duration = Duration::from_secs(60);

/// `services:` as written: names in file order.
#[derive(Debug, Default)]
pub struct RawServices(pub Vec<(Spanned<String>, Spanned<RawService>)>);

/// One service as written.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Service")]
pub struct RawService {
    /// Run the service in a container of this image (docker or podman).
    #[schemars(with = "Option<String>")]
    pub image: Option<Spanned<String>>,
    /// With `image:`: the container's command, replacing the image's default (a list of words).
    #[schemars(with = "Option<Vec<String>>")]
    pub command: Option<Spanned<Vec<Spanned<String>>>>,
    /// Run the service on this machine as `sh -c COMMAND` (no engine needed).
    #[schemars(with = "Option<String>")]
    pub run: Option<Spanned<String>>,
    /// Environment for the service; values may use `${…}` variables.
    #[serde(default)]
    pub env: EnvMap,
    /// With `image:`: ports published on this machine, `"HOST:CONTAINER"` or `PORT`.
    #[schemars(with = "Option<Vec<RawPortSchema>>")]
    pub ports: Option<Spanned<Vec<Spanned<Scalar>>>>,
    /// How to tell the service is ready: exactly one of `port`, `run` or `log`, and an optional `timeout`.
    #[schemars(with = "Option<RawReady>")]
    pub ready: Option<Spanned<RawReady>>,
}

/// `ready:` as written.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "ServiceReady")]
pub struct RawReady {
    /// Ready once this TCP port on this machine accepts connections (a published container port is translated).
    #[schemars(with = "Option<u16>")]
    pub port: Option<Spanned<u16>>,
    /// Ready once this command exits 0 (inside the container for `image:` services).
    #[schemars(with = "Option<String>")]
    pub run: Option<Spanned<String>>,
    /// Ready once the service's output contains this text.
    #[schemars(with = "Option<String>")]
    pub log: Option<Spanned<String>>,
    /// Give up after this long (default 60s): `30s`, `2m`.
    #[schemars(with = "Option<super::duration::Duration>")]
    pub timeout: Option<Spanned<super::duration::Duration>>,
}

/// A `ports:` entry in the JSON schema.
struct RawPortSchema;

impl schemars::JsonSchema for RawPortSchema {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ServicePort".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "`\"HOST:CONTAINER\"` (e.g. \"15432:5432\") or one port published as itself.",
            "type": ["string", "integer"]
        })
    }
}

impl<'de> Deserialize<'de> for RawServices {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ServicesVisitor;
        impl<'de> Visitor<'de> for ServicesVisitor {
            type Value = RawServices;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a mapping of service names to services, e.g. { db: { image: postgres:16 } }",
                )
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut services = Vec::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    services.push((key, map.next_value()?));
                }
                Ok(RawServices(services))
            }
        }
        deserializer.deserialize_map(ServicesVisitor)
    }
}

impl schemars::JsonSchema for RawServices {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Services".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let service = generator.subschema_for::<RawService>();
        schemars::json_schema!({
            "description": "Long-running helpers (a database, a fake API) by name: started before the first action that needs them, always stopped.",
            "type": "object",
            "propertyNames": { "pattern": "^[A-Za-z0-9_-][A-Za-z0-9._-]*$" },
            "additionalProperties": service
        })
    }
}

/// A validated service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    /// Its name, unique in the pipeline.
    pub name: String,
    /// Where the name is written.
    pub span: Span,
    /// The stage it belongs to; `None`: the whole pipeline's.
    pub stage: Option<String>,
    /// What runs.
    pub kind: ServiceKind,
    /// `env:`, before `${…}` expansion.
    pub env: Vec<EnvVar>,
    /// Published ports (containers only).
    pub ports: Vec<Port>,
    /// How readiness is checked; `None`: ready once started.
    pub ready: Option<Ready>,
    /// How long readiness may take.
    pub timeout: Duration,
}

/// What a service runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServiceKind {
    /// A container of `image`, with `command` replacing its default when not empty.
    Container {
        /// The image reference.
        image: String,
        /// The container's command words.
        command: Vec<String>,
    },
    /// `sh -c COMMAND` on this machine.
    Host {
        /// The command, before `${…}` expansion.
        command: String,
        /// Where it is written.
        span: Span,
    },
}

/// A published port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Port {
    /// The port on this machine.
    pub host: u16,
    /// The port inside the container.
    pub container: u16,
}

/// A readiness check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ready {
    /// A TCP port on this machine accepts connections.
    Port(u16),
    /// A command exits 0.
    Run(String),
    /// The service's output contains this text.
    Log(String),
}

impl Service {
    /// Whether the actions of stage `stage` use this service: a pipeline's
    /// service serves every stage, a stage's only its own.
    pub fn serves(&self, stage: &str) -> bool {
        self.stage.as_deref().is_none_or(|own| own == stage)
    }

    /// The port actions reach it on: the host side of a published port
    /// named by `ready: { port }`, else the first published port, else the
    /// readiness port.
    pub fn port(&self) -> Option<u16> {
        match self.ready {
            Some(Ready::Port(p)) => Some(self.host_port(p)),
            _ => self.ports.first().map(|p| p.host),
        }
    }

    /// The port on this machine that `port` (as written in `ready:`) means.
    pub fn host_port(&self, port: u16) -> u16 {
        self.ports
            .iter()
            .find(|p| p.container == port)
            .map_or(port, |p| p.host)
    }

    /// `GANTRY_SERVICE_<NAME>_HOST` / `_PORT`, as actions see them.
    pub fn variables(&self) -> Vec<(String, String)> {
        let prefix = variable_prefix(&self.name);
        let mut vars = vec![(format!("{prefix}_HOST"), HOST.to_string())];
        if let Some(port) = self.port() {
            vars.push((format!("{prefix}_PORT"), port.to_string()));
        }
        vars
    }

    /// One line for `graph`, `list` and the like.
    pub fn summary(&self) -> String {
        let what = match &self.kind {
            ServiceKind::Container { image, .. } => format!("image {image}"),
            ServiceKind::Host { command, .. } => format!("run {}", first_line(command)),
        };
        let ready = match &self.ready {
            Some(Ready::Port(p)) => format!(", ready: port {p}"),
            Some(Ready::Run(c)) => format!(", ready: run {}", first_line(c)),
            Some(Ready::Log(l)) => format!(", ready: log {l:?}"),
            None => String::new(),
        };
        format!("{what}{ready}")
    }
}

/// Where actions reach services: they run on this machine, containers
/// publish their ports here.
pub const HOST: &str = "127.0.0.1";

/// `GANTRY_SERVICE_<NAME>`: upper case, anything but letters and digits as `_`.
pub fn variable_prefix(name: &str) -> String {
    let upper: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("GANTRY_SERVICE_{upper}")
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// Parses a `ports:` entry: `"HOST:CONTAINER"` or one port.
pub fn parse_port(text: &str) -> Result<Port, String> {
    let number = |t: &str| {
        t.trim()
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| format!("`{t}` is not a port number (1–65535)"))
    };
    match text.split_once(':') {
        Some((host, container)) => Ok(Port {
            host: number(host)?,
            container: number(container)?,
        }),
        None => {
            let port = number(text)?;
            Ok(Port {
                host: port,
                container: port,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_parse_both_forms() {
        assert_eq!(
            parse_port("15432:5432"),
            Ok(Port {
                host: 15432,
                container: 5432
            })
        );
        assert_eq!(
            parse_port("6379"),
            Ok(Port {
                host: 6379,
                container: 6379
            })
        );
        assert!(parse_port("99999")
            .unwrap_err()
            .contains("not a port number"));
        assert!(parse_port("a:1").is_err());
    }

    #[test]
    fn a_pipeline_service_serves_every_stage_a_stage_service_its_own() {
        let service = |stage: Option<&str>| Service {
            name: "db".into(),
            span: Span::default(),
            stage: stage.map(String::from),
            kind: ServiceKind::Host {
                command: "true".into(),
                span: Span::default(),
            },
            env: Vec::new(),
            ports: Vec::new(),
            ready: None,
            timeout: Duration::from_secs(1),
        };
        assert!(service(None).serves("unit"));
        assert!(service(Some("it")).serves("it"));
        assert!(!service(Some("it")).serves("unit"));
    }

    #[test]
    fn variable_names_are_upper_case() {
        assert_eq!(variable_prefix("my-db.1"), "GANTRY_SERVICE_MY_DB_1");
    }
}
