//! The environment an action gets, in layers (later wins):
//! `env_file` < gantry's own environment < pipeline `env` < stage `env` <
//! action `env` < `--env` < the `GANTRY_*` variables. The executor adds
//! the last few as an action starts: [`OUTPUT_FILE`], [`PIPELINE_STATUS`]
//! and [`FAILED_ACTIONS`].

use std::collections::HashMap;
use std::path::Path;

use crate::config::{dotenv, EnvVar, Pipeline};
use crate::diagnostics::Diagnostic;
use crate::vars::Vars;

/// `GANTRY_OUTPUT`: the file an action may write its outputs to.
pub const OUTPUT_FILE: &str = "GANTRY_OUTPUT";
/// `GANTRY_PIPELINE_STATUS`: how the run is going so far.
pub const PIPELINE_STATUS: &str = "GANTRY_PIPELINE_STATUS";
/// `GANTRY_FAILED_ACTIONS`: the actions that failed so far.
pub const FAILED_ACTIONS: &str = "GANTRY_FAILED_ACTIONS";
/// `GANTRY_EXE`: the path of the gantry executable running the action.
pub const GANTRY_EXE: &str = "GANTRY_EXE";

/// The path of this gantry executable, when the system says it. Once the
/// file was replaced or deleted (`cargo install` while gantry runs, as in a
/// long `gantry watch`), Linux names it `PATH (deleted)`: then
/// `/proc/PID/exe`, which still runs this gantry (the one at `PATH` may be
/// another version, or none). Asked afresh for every plan (each run of a
/// `gantry watch`).
pub fn gantry_exe() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let path = exe.to_str()?;
    if path.ends_with(" (deleted)") {
        let running = format!("/proc/{}/exe", std::process::id());
        return Path::new(&running).is_file().then_some(running);
    }
    Path::new(path).is_file().then(|| path.to_string())
}

/// Variables set on top of the inherited environment, with lookups that see
/// the inherited one too.
#[derive(Clone, Debug, Default)]
pub struct Layers {
    set: Vec<(String, String)>,
    index: HashMap<String, usize>,
}

impl Layers {
    /// Sets `name`, replacing an earlier layer's value.
    pub fn set(&mut self, name: &str, value: String) {
        match self.index.get(name) {
            Some(&i) => self.set[i].1 = value,
            None => {
                self.index.insert(name.to_string(), self.set.len());
                self.set.push((name.to_string(), value));
            }
        }
    }

    /// The value an action would see for `name`.
    pub fn lookup(&self, name: &str) -> Option<String> {
        match self.index.get(name) {
            Some(&i) => Some(self.set[i].1.clone()),
            None => std::env::var(name).ok(),
        }
    }

    /// The variables set by layers, in first-set order.
    pub fn vars(&self) -> &[(String, String)] {
        &self.set
    }

    /// These layers with `apply` laid over them and `--env` (`cli_env`)
    /// put back on top: how an action's and a service's layers are made
    /// from the pipeline's.
    pub fn over<E>(
        &self,
        cli_env: &[(String, String)],
        apply: impl FnOnce(&mut Layers) -> Result<(), E>,
    ) -> Result<Layers, E> {
        let mut layers = self.clone();
        apply(&mut layers)?;
        for (name, value) in cli_env {
            layers.set(name, value.clone());
        }
        Ok(layers)
    }

    /// Applies config `env` entries, expanding `${…}` in each value.
    pub fn apply(&mut self, file: &Path, vars: &Vars, env: &[EnvVar]) -> Result<(), Diagnostic> {
        for var in env {
            let value = vars
                .expand(&var.value, &|n| self.lookup(n))
                .map_err(|name| unset_variable(file, var.span, &name))?;
            self.set(&var.name, value);
        }
        Ok(())
    }
}

/// The layers a service sees: `pipeline_layers`, the top-level `defaults:
/// env:` (`defaults_env`), for one declared in `stage` that stage's own
/// `env`, then `--env` (`cli_env`) again, as its actions get them. A value
/// that means one action (`${action.name}`, an action's outputs) is left
/// out: no action is running.
pub fn service_layers(
    pipeline_layers: &Layers,
    vars: &Vars,
    defaults_env: &[EnvVar],
    stage: Option<&crate::config::Stage>,
    cli_env: &[(String, String)],
) -> Layers {
    let vars = match stage {
        Some(stage) => vars.for_stage(&stage.name),
        None => vars.clone(),
    };
    let stage_env = stage.map_or(&[][..], |stage| &stage.env);
    let layered = pipeline_layers.over(cli_env, |layers| {
        for var in defaults_env.iter().chain(stage_env) {
            match vars.expand(&var.value, &|n| layers.lookup(n)) {
                Ok(value) if !crate::vars::has_outputs(&value) => layers.set(&var.name, value),
                _ => {}
            }
        }
        Ok::<(), std::convert::Infallible>(())
    });
    let Ok(layers) = layered;
    layers
}

/// The error for `${name}` having no value.
pub fn unset_variable(file: &Path, span: crate::diagnostics::Span, name: &str) -> Diagnostic {
    Diagnostic::error(
        "C012",
        file,
        span.line,
        span.column,
        format!("`${{{name}}}` has no value"),
    )
    .with_hint(match name.strip_prefix("env.") {
        Some(var) => format!("set {var} in the environment, in `env:` or with --env {var}=…"),
        None => "this variable is empty outside a git repository".to_string(),
    })
}

/// The pipeline-wide layers: `env_file`, then pipeline `env`, then `--env`.
pub fn pipeline_layers(
    pipeline: &Pipeline,
    vars: &Vars,
    cli_env: &[(String, String)],
) -> Result<Layers, Diagnostic> {
    let mut layers = Layers::default();
    if let Some((path, span)) = &pipeline.env_file {
        let full = pipeline.root.join(path);
        let text = crate::fsutil::read_to_string(&full).map_err(|e| {
            Diagnostic::error(
                "C012",
                &pipeline.file,
                span.line,
                span.column,
                format!("cannot read env_file {}: {e}", full.display()),
            )
        })?;
        for (name, value) in dotenv::parse(&full, &text)? {
            // gantry's own environment wins over the file (the dotenv convention).
            if std::env::var_os(&name).is_none() {
                layers.set(&name, value);
            }
        }
    }
    layers.apply(&pipeline.file, vars, &pipeline.env)?;
    for (name, value) in cli_env {
        layers.set(name, value.clone());
    }
    Ok(layers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Stage;
    use crate::diagnostics::Span;

    fn var(name: &str, value: &str) -> EnvVar {
        EnvVar {
            name: name.into(),
            value: value.into(),
            span: Span::default(),
        }
    }

    #[test]
    fn a_stage_service_sees_the_stages_env_under_the_command_line_without_action_values() {
        let mut pipeline = Layers::default();
        pipeline.set("STORE", "pipeline.conf".into());
        pipeline.set("HOST", "unix:///pipeline.sock".into());
        let stage = Stage {
            name: "test".into(),
            span: Span::default(),
            file: "gantry.yml".into(),
            actions: Vec::new(),
            env: vec![
                var("STORE", "${stage.name}.conf"),
                var("HOST", "unix:///stage.sock"),
                var("LOG", "${action.name}.log"),
                var("ID", "${actions.build.image.outputs.image_id}"),
            ],
        };
        let cli = [("HOST".to_string(), "unix:///cli.sock".to_string())];
        let layers = service_layers(&pipeline, &Vars::default(), &[], Some(&stage), &cli);
        assert_eq!(
            layers.vars(),
            [
                ("STORE".to_string(), "test.conf".to_string()),
                ("HOST".into(), "unix:///cli.sock".into())
            ]
        );
    }

    #[test]
    fn services_see_the_defaults_env_over_the_pipelines_and_under_their_stages() {
        let mut pipeline = Layers::default();
        pipeline.set("STORE", "pipeline.conf".into());
        let defaults = [
            var("STORE", "ci.conf"),
            var("HOST", "unix:///defaults.sock"),
        ];
        let layers = service_layers(&pipeline, &Vars::default(), &defaults, None, &[]);
        assert_eq!(
            layers.vars(),
            [
                ("STORE".to_string(), "ci.conf".to_string()),
                ("HOST".into(), "unix:///defaults.sock".into())
            ]
        );
        let stage = Stage {
            name: "test".into(),
            span: Span::default(),
            file: "gantry.yml".into(),
            actions: Vec::new(),
            env: vec![var("HOST", "unix:///stage.sock")],
        };
        let layers = service_layers(&pipeline, &Vars::default(), &defaults, Some(&stage), &[]);
        assert_eq!(
            layers.vars(),
            [
                ("STORE".to_string(), "ci.conf".to_string()),
                ("HOST".into(), "unix:///stage.sock".into())
            ]
        );
    }
}
