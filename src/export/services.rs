//! `services:` in exported CI files: GitHub Actions' job `services:` (ports
//! published on the runner, a `ready: { run }` as the container's health
//! check, which the runner waits for) and GitLab's job `services:`
//! (reached by alias on their container port). A host command cannot be
//! exported: CI runners start services from images only. Neither can a
//! service's `${…}` other than `${env.NAME}`.

use super::yaml::{s, Node};
use super::ExportTarget;
use crate::config::service::{variable_prefix, Ready, Service, ServiceKind};

/// Why `services` cannot go to `target`, if they cannot.
pub fn check(services: &[Service], target: ExportTarget) -> Result<(), String> {
    let target = match target {
        ExportTarget::GithubActions => "github",
        ExportTarget::GitlabCi => "gitlab",
        ExportTarget::Codebuild | ExportTarget::Codepipeline => "other",
    };
    for service in services {
        if let ServiceKind::Host { command, .. } = &service.kind {
            return Err(format!(
                "service `{}` is a host command (`run: {command}`): CI runners start services \
                 from container images only; give it an `image:` (with `command:`) to export it",
                service.name
            ));
        }
        if !matches!(target, "github" | "gitlab") {
            return Err(format!(
                "service `{}`: this target has no services; export to GitHub Actions or GitLab CI, \
                 or start the service from an action",
                service.name
            ));
        }
        let command_set =
            matches!(&service.kind, ServiceKind::Container { command, .. } if !command.is_empty());
        if target == "github" && command_set {
            return Err(format!(
                "service `{}` sets `command:`, which GitHub Actions services cannot; \
                 build an image whose default command is the one you need",
                service.name
            ));
        }
        for var in &service.env {
            let rest = without_env_references(&var.value);
            if rest.contains("${") && !rest.contains("$${") {
                return Err(format!(
                    "service `{}`: `{}` uses a variable other than `${{env.NAME}}`, \
                     which CI services cannot resolve; give it a literal value",
                    service.name, var.name
                ));
            }
        }
    }
    Ok(())
}

/// The services a job needs: the pipeline's, and those of `stages`.
pub fn for_stages<'s>(services: &'s [Service], stages: &[&str]) -> Vec<&'s Service> {
    services
        .iter()
        .filter(|s| stages.iter().any(|stage| s.serves(stage)))
        .collect()
}

/// A GitHub Actions job's `services:` and the `GANTRY_SERVICE_*` variables
/// its steps get (the runner publishes the ports on localhost).
pub fn github(services: &[&Service], secrets: &[String]) -> (Node, Vec<(String, Node)>) {
    let mut map = Vec::new();
    let mut env = Vec::new();
    for service in services {
        let ServiceKind::Container { image, .. } = &service.kind else {
            continue;
        };
        let mut fields = vec![("image".to_string(), s(image))];
        if !service.env.is_empty() {
            let vars = service
                .env
                .iter()
                .map(|v| {
                    let value = translate(&v.value, &|name| {
                        let store = if secrets.iter().any(|s| s == name) {
                            "secrets"
                        } else {
                            "vars"
                        };
                        format!("${{{{ {store}.{name} }}}}")
                    });
                    (v.name.clone(), s(value))
                })
                .collect();
            fields.push(("env".into(), Node::Map(vars)));
        }
        if !service.ports.is_empty() {
            let ports = service
                .ports
                .iter()
                .map(|p| s(format!("{}:{}", p.host, p.container)))
                .collect();
            fields.push(("ports".into(), Node::Seq(ports)));
        }
        if let Some(Ready::Run(command)) = &service.ready {
            let retries = (service.timeout.as_secs() / 2).max(1);
            fields.push((
                "options".into(),
                s(format!(
                    "--health-cmd \"{}\" --health-interval 2s --health-timeout 5s --health-retries {retries}",
                    command.replace('\\', "\\\\").replace('"', "\\\"")
                )),
            ));
        }
        map.push((service.name.clone(), Node::Map(fields)));
        for (name, value) in service.variables() {
            env.push((name, s(value)));
        }
    }
    (Node::Map(map), env)
}

/// A GitLab job's `services:` and the `GANTRY_SERVICE_*` variables its
/// script gets: each service is reached by its name (the alias) on its
/// container port.
pub fn gitlab(services: &[&Service]) -> (Node, Vec<(String, Node)>) {
    let mut list = Vec::new();
    let mut env = Vec::new();
    for service in services {
        let ServiceKind::Container { image, command } = &service.kind else {
            continue;
        };
        let mut fields = vec![
            ("name".to_string(), s(image)),
            ("alias".into(), s(&service.name)),
        ];
        if !command.is_empty() {
            fields.push(("command".into(), Node::Seq(command.iter().map(s).collect())));
        }
        if !service.env.is_empty() {
            let vars = service
                .env
                .iter()
                .map(|v| {
                    (
                        v.name.clone(),
                        s(translate(&v.value, &|name| format!("${name}"))),
                    )
                })
                .collect();
            fields.push(("variables".into(), Node::Map(vars)));
        }
        list.push(Node::Map(fields));
        let prefix = variable_prefix(&service.name);
        env.push((format!("{prefix}_HOST"), s(&service.name)));
        let port = match service.ready {
            Some(Ready::Port(p)) => Some(p),
            _ => service.ports.first().map(|p| p.container),
        };
        if let Some(port) = port {
            env.push((format!("{prefix}_PORT"), s(port.to_string())));
        }
    }
    (Node::Seq(list), env)
}

/// `text` with every `${env.NAME}` written as `reference(NAME)`.
fn translate(text: &str, reference: &dyn Fn(&str) -> String) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${env.") {
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push_str(&reference(&rest[start + 6..start + end]));
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

fn without_env_references(text: &str) -> String {
    translate(text, &|_| String::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_references_are_translated() {
        assert_eq!(
            translate("a${env.PW}b${env.X}", &|n| format!("<{n}>")),
            "a<PW>b<X>"
        );
        assert_eq!(without_env_references("${git.sha}"), "${git.sha}");
    }
}
