//! `gantry deploy --shell N` and `gantry deploy --reset`: a shell inside a
//! container instance, and recreating a group's container instances.

use crate::cli::DeployArgs;
use crate::deploy::container::instances;
use crate::deploy::{store, DeployJob};
use crate::error::{UsageError, EXIT_OK};
use crate::plan::{Plan, Work};
use crate::proc::interrupt::Interrupt;

/// Runs `--shell` or `--reset` for the group's job in `plan`; the exit code.
pub fn execute(plan: &Plan, args: &DeployArgs) -> anyhow::Result<u8> {
    let job = plan
        .stages
        .iter()
        .flat_map(|s| s.groups.iter().flatten())
        .find_map(|a| match &a.work {
            Work::Deploy(job) => Some(job.as_ref()),
            _ => None,
        })
        .ok_or_else(|| anyhow::anyhow!("no deployment group to work on"))?;
    let mut say = |line: &str| eprintln!("gantry: {line}");
    match args.shell {
        Some(n) => shell(job, n, &mut say),
        None => reset(job, &mut say),
    }
}

fn reset(job: &DeployJob, say: &mut dyn FnMut(&str)) -> anyhow::Result<u8> {
    if job.container.is_none() {
        return Err(UsageError(format!(
            "group `{}` has folder instances; --reset recreates container instances (`instances: {{ count: N, image: … }}`)",
            job.group
        ))
        .into());
    }
    let _lock = store::lock(&job.state, &job.group)?;
    instances::reset(job, &Interrupt::default(), say).map_err(anyhow::Error::msg)?;
    say(&format!(
        "group `{}`: {} container instances recreated",
        job.group,
        job.instances.len()
    ));
    Ok(EXIT_OK)
}

fn shell(job: &DeployJob, n: usize, say: &mut dyn FnMut(&str)) -> anyhow::Result<u8> {
    if job.container.is_none() {
        return Err(UsageError(format!(
            "group `{}` has folder instances: instance {n} is a folder on this machine, not a container (give the group `instances: {{ count: N, image: … }}` for container instances)",
            job.group
        ))
        .into());
    }
    let name = crate::deploy::container::container_name(
        job.container.as_ref().map_or("", |c| c.pipeline.as_str()),
        &job.group,
        &n.to_string(),
    );
    if !crate::term::stdin_is_tty() || !crate::term::stdout_is_tty() {
        return Err(UsageError(format!(
            "--shell is interactive and needs a terminal, but stdin or stdout is not one; to run a command in instance {n}, use `podman exec {name} COMMAND`"
        ))
        .into());
    }
    let (engine, name) = {
        let _lock = store::lock(&job.state, &job.group)?;
        instances::one_up(job, n, &Interrupt::default(), say).map_err(anyhow::Error::msg)?
    };
    say(&format!("shell in {name} (exit it to come back)"));
    let args = ["exec", "-it", &name, "sh", "-c"]
        .map(String::from)
        .into_iter()
        .chain(["if command -v bash >/dev/null; then exec bash; else exec sh; fi".into()]);
    let shell = engine.command(&args.collect::<Vec<_>>());
    let status = shell
        .std_command()
        .current_dir(&engine.cwd)
        .status()
        .map_err(|e| anyhow::anyhow!("cannot run {}: {e}", shell.program.display()))?;
    Ok(status.code().map_or(1, |c| u8::try_from(c).unwrap_or(1)))
}
