//! `services:` on the pipeline or a stage: names unique across the
//! pipeline, exactly one of `image:`/`run:`, ports and `ready:` well formed
//! (C095–C098).

use serde_saphyr::Spanned;

use super::{span, Checker};
use crate::config::service::{
    parse_port, RawReady, RawService, RawServices, Ready, Service, ServiceKind,
    DEFAULT_READY_TIMEOUT,
};

impl<'a> Checker<'a> {
    /// A stage named `services` would share its log directory with the
    /// services' logs (`.gantry/runs/<id>/services/`).
    pub(super) fn no_services_stage(&mut self, stages: &[crate::config::Stage]) {
        if self.services.is_empty() {
            return;
        }
        if let Some(stage) = stages.iter().find(|s| s.name == "services") {
            let at = stage.span;
            let message = "stage name `services` is reserved when the pipeline has `services:`";
            let d = crate::diagnostics::Diagnostic::error(
                "C095",
                &stage.file,
                at.line,
                at.column,
                message.into(),
            );
            self.diagnostics.push(d.with_hint(
                "rename the stage: the services' logs go to .gantry/runs/<id>/services/",
            ));
        }
    }

    /// Checks one `services:` mapping; `stage` is the stage it is on.
    pub(super) fn services(&mut self, raw: &RawServices, stage: Option<&str>) {
        for (name, service) in &raw.0 {
            self.check_name("service", name);
            if let Some(first) = self.services.iter().find(|s| s.name == name.value) {
                let message = format!(
                    "service `{}` is already defined at line {}",
                    name.value, first.span.line
                );
                let hint =
                    "service names are unique across the pipeline and its stages: rename one";
                self.error("C095", span(name), message, hint);
                continue;
            }
            if let Some(kind) = self.service_kind(&name.value, service) {
                let checked = Service {
                    name: name.value.clone(),
                    span: span(name),
                    stage: stage.map(str::to_string),
                    kind,
                    env: self.env(&service.value.env),
                    ports: self.ports(&service.value),
                    ready: self.ready(service.value.ready.as_ref()),
                    timeout: service
                        .value
                        .ready
                        .as_ref()
                        .and_then(|r| self.timeout(&r.value.timeout))
                        .unwrap_or(DEFAULT_READY_TIMEOUT),
                };
                self.services.push(checked);
            }
        }
    }

    fn service_kind(&mut self, name: &str, raw: &Spanned<RawService>) -> Option<ServiceKind> {
        let service = &raw.value;
        let hint = "give a container `image: NAME` or a host command `run: COMMAND`";
        match (&service.image, &service.run) {
            (Some(image), None) => {
                let command = service.command.as_ref().map_or_else(Vec::new, |c| {
                    c.value.iter().map(|w| w.value.clone()).collect()
                });
                if image.value.trim().is_empty() {
                    self.error("C096", span(image), "empty `image:`".into(), hint);
                    return None;
                }
                Some(ServiceKind::Container {
                    image: image.value.clone(),
                    command,
                })
            }
            (None, Some(run)) => {
                self.check_vars(&run.value, span(run));
                if let Some(command) = &service.command {
                    let message = "`command:` on a host service".to_string();
                    let hint = "`command:` replaces an `image:`'s command; put the whole command line in `run:`";
                    self.error("C096", span(command), message, hint);
                }
                if let Some(ports) = &service.ports {
                    let message = "`ports:` on a host service".to_string();
                    let hint = "a host command listens on this machine itself; say which port in `ready: { port: N }`";
                    self.error("C096", span(ports), message, hint);
                }
                Some(ServiceKind::Host {
                    command: run.value.clone(),
                    span: span(run),
                })
            }
            (Some(_), Some(run)) => {
                let message = format!("service `{name}` has both `image:` and `run:`");
                self.error("C096", span(run), message, hint);
                None
            }
            (None, None) => {
                let message = format!("service `{name}` has nothing to run");
                self.error("C096", span(raw), message, hint);
                None
            }
        }
    }

    fn ports(&mut self, raw: &RawService) -> Vec<crate::config::service::Port> {
        let Some(list) = &raw.ports else {
            return Vec::new();
        };
        let mut ports = Vec::new();
        for entry in &list.value {
            match parse_port(&entry.value.0) {
                Ok(port) => ports.push(port),
                Err(why) => self.error(
                    "C097",
                    span(entry),
                    format!("invalid port: {why}"),
                    "write \"HOST:CONTAINER\" (e.g. \"15432:5432\") or one port number",
                ),
            }
        }
        ports
    }

    fn ready(&mut self, raw: Option<&Spanned<RawReady>>) -> Option<Ready> {
        let raw = raw?;
        let r = &raw.value;
        let mut found = Vec::new();
        if let Some(port) = &r.port {
            if port.value == 0 {
                let hint = "write a port number from 1 to 65535";
                self.error("C098", span(port), "`port: 0`".into(), hint);
            }
            found.push(Ready::Port(port.value));
        }
        if let Some(run) = &r.run {
            self.check_vars(&run.value, span(run));
            found.push(Ready::Run(run.value.clone()));
        }
        if let Some(log) = &r.log {
            if log.value.is_empty() {
                let hint = "write a text the service prints once it is ready";
                self.error("C098", span(log), "empty `log:`".into(), hint);
            }
            found.push(Ready::Log(log.value.clone()));
        }
        if found.len() != 1 {
            let message = if found.is_empty() {
                "`ready:` says nothing to wait for".to_string()
            } else {
                "`ready:` has more than one of `port`, `run` and `log`".to_string()
            };
            let hint = "give exactly one: `port: 5432`, `run: pg_isready` or `log: \"ready to accept connections\"`";
            self.error("C098", span(raw), message, hint);
            return None;
        }
        found.pop()
    }
}
