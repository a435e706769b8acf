//! `gantry run --dry-run`: the plan, every variable expanded, nothing run.

use std::fmt::Write;
use std::path::Path;

use crate::cache::{Cache, Decision};
use crate::plan::Plan;
use crate::vars;

/// Prints what a run would do; `state_root` holds `.gantry/runs/`.
pub fn print(plan: &Plan, cache: Option<&Cache>, state_root: &Path) {
    print!("{}", render(plan, cache, state_root));
}

/// The plan as text, secrets masked.
pub fn render(plan: &Plan, cache: Option<&Cache>, state_root: &Path) -> String {
    crate::secrets::mask(&unmasked(plan, cache, state_root))
}

fn unmasked(plan: &Plan, cache: Option<&Cache>, state_root: &Path) -> String {
    let bold = console::Style::new().bold();
    let dim = console::Style::new().dim();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {}",
        bold.apply_to(format!("gantry ▸ {}", plan.pipeline)),
        dim.apply_to(format!(
            "dry run: nothing is executed (would be run {})",
            plan.run_id
        ))
    );
    let workspace = crate::container::Workspace {
        run_id: &plan.run_id,
        run_dir: &crate::record::runs_dir(state_root).join(&plan.run_id),
        state_root,
    };
    write_services(&mut out, plan, None);
    for stage in &plan.stages {
        let _ = writeln!(
            out,
            "{}",
            console::style(format!("==> {}", stage.name)).cyan().bold()
        );
        write_services(&mut out, plan, Some(&stage.name));
        for (g, group) in stage.groups.iter().enumerate() {
            let together = if group.len() > 1 {
                " (these run at the same time)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  {}",
                dim.apply_to(format!("step {}{together}", g + 1))
            );
            for action in group {
                let _ = writeln!(out, "  [{}]", action.key);
                for line in shown(plan, &action.command).lines() {
                    let _ = writeln!(out, "      $ {line}");
                }
                // As a run gives it: with the services' variables.
                let running = with_services(plan, action);
                if let (Some(job), crate::plan::Work::Shell { program, args }) =
                    (&running.container, &running.work)
                {
                    let command = std::iter::once(program.clone()).chain(args.iter().cloned());
                    let shown = job.describe(&running.env(), command.collect(), &workspace);
                    for line in shown.lines() {
                        let _ = writeln!(
                            out,
                            "      {}",
                            dim.apply_to(format!("in container: {line}"))
                        );
                    }
                }
                let mut facts = vec![format!("cwd: {}", relative(plan, &action.cwd))];
                if let Some(t) = action.timeout {
                    facts.push(format!("timeout: {}", crate::text::human_duration(t)));
                }
                if action.retries > 0 {
                    facts.push(format!("retries: {}", action.retries));
                }
                if action.always {
                    facts.push("always".into());
                }
                if action.continue_on_error {
                    facts.push("continue_on_error".into());
                }
                let _ = writeln!(out, "      {}", dim.apply_to(facts.join("  ")));
                if let Some(condition) = &action.condition {
                    let _ = writeln!(out, "      {}", condition_verdict(condition));
                    if condition.plan_time().is_err() {
                        continue;
                    }
                }
                if let Some(decision) = cache.and_then(|c| c.decide(action, &plan.root)) {
                    let verdict = match &decision {
                        Decision::Restore { entry, damage, .. } => {
                            let what: Vec<String> = damage.iter().map(|d| d.describe()).collect();
                            format!(
                                "would restore outputs from run {} and skip ({})",
                                entry.run_id,
                                what.join(", ")
                            )
                        }
                        Decision::Skip { .. } => format!("would skip ({})", decision.describe()),
                        Decision::Run { .. } => format!("would run ({})", decision.describe()),
                    };
                    let _ = writeln!(out, "      cache: {verdict}");
                }
                for (k, v) in action.env.iter().filter(|(k, _)| !k.starts_with("GANTRY_")) {
                    let _ = writeln!(
                        out,
                        "      {}",
                        dim.apply_to(format!("env {k}={}", shown(plan, v)))
                    );
                }
            }
        }
    }
    out
}

/// `action` as it would run: with the `GANTRY_SERVICE_*` variables of the
/// services it uses, as the executor adds them once they are ready.
fn with_services(plan: &Plan, action: &crate::plan::PlannedAction) -> crate::plan::PlannedAction {
    let variables: Vec<(String, String)> = plan
        .services
        .iter()
        .filter(|p| action.uses_services() && p.service.serves(&action.stage))
        .flat_map(|p| p.service.variables())
        .collect();
    if variables.is_empty() || action.container.is_none() {
        return action.clone();
    }
    action.with_services(variables)
}

/// The engine a container service would use (found with its engine
/// environment, as a run finds it); `None` for a host command.
fn service_engine(
    plan: &Plan,
    planned: &crate::service::PlannedService,
) -> Option<Result<crate::service::engine::Engine, String>> {
    matches!(
        planned.service.kind,
        crate::config::service::ServiceKind::Container { .. }
    )
    .then(|| crate::service::engine::detect(&planned.engine_env, &plan.root))
}

/// The services of `stage` (`None`: the pipeline's): the command line that
/// would start each, and how it would be found ready.
fn write_services(out: &mut String, plan: &Plan, stage: Option<&str>) {
    let dim = console::Style::new().dim();
    for planned in plan
        .services
        .iter()
        .filter(|p| p.service.stage.as_deref() == stage)
    {
        let service = &planned.service;
        let engine = service_engine(plan, planned);
        let engine_found = engine.as_ref().and_then(|e| e.as_ref().ok());
        let _ = writeln!(out, "  [service {}]", service.name);
        let line =
            crate::service::engine::start_line(planned, engine_found, &plan.pipeline, &plan.run_id);
        let _ = writeln!(out, "      $ {line}");
        if let Some(Err(why)) = &engine {
            let _ = writeln!(out, "      {}", dim.apply_to(format!("no engine: {why}")));
        }
        let mut facts = vec![format!(
            "ready: {}",
            match &service.ready {
                Some(crate::config::service::Ready::Port(p)) =>
                    format!("port {}", service.host_port(*p)),
                Some(crate::config::service::Ready::Run(c)) => format!("run {c}"),
                Some(crate::config::service::Ready::Log(l)) => format!("log {l:?}"),
                None => "once started".into(),
            }
        )];
        facts.push(format!(
            "timeout: {}",
            crate::text::human_duration(service.timeout)
        ));
        for (name, value) in service.variables() {
            facts.push(format!("{name}={value}"));
        }
        let _ = writeln!(out, "      {}", dim.apply_to(facts.join("  ")));
    }
}

/// What a run would make of an `if:`.
pub fn condition_verdict(condition: &crate::plan::PlannedCondition) -> String {
    match condition.plan_time() {
        Err(why) => format!("would skip: {why}"),
        Ok(()) if condition.needs_status() => {
            format!("if: {} (decided when reached)", condition.text)
        }
        Ok(()) => format!("if: {} is true", condition.text),
    }
}

/// `text` with action-output references, which get values only at run time,
/// shown as `<output of STAGE/ACTION: NAME>`.
fn shown(plan: &Plan, text: &str) -> String {
    let describe = |name: &str| {
        let Some((target, output)) = vars::output_reference(name) else {
            return Ok(format!("<{name}>"));
        };
        let planned = |s: &str, a: &str| {
            plan.stages
                .iter()
                .any(|st| st.name == s && st.groups.iter().flatten().any(|x| x.name == a))
        };
        let (stage, action) = vars::split_target(target, &planned)
            .or_else(|| target.split_once('.'))
            .unwrap_or((target, ""));
        Ok(format!("<output of {stage}/{action}: {output}>"))
    };
    vars::resolve_outputs(text, &mut { describe }).unwrap_or_else(|e: String| e)
}

fn relative(plan: &Plan, path: &std::path::Path) -> String {
    match path.strip_prefix(&plan.root) {
        Ok(p) if p.as_os_str().is_empty() => ".".into(),
        Ok(p) => p.display().to_string(),
        Err(_) => path.display().to_string(),
    }
}
