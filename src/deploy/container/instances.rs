//! Bringing a group's container instances up before a deployment (create
//! the missing ones, start stopped ones, mount each one's file system as
//! its instance root), recreating them (`gantry deploy --reset`), opening a
//! shell in one (`--shell N`), and the engine commands `--dry-run` shows.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::engine::Engine;
use super::hook::{HookTarget, STOP_STALE};
use super::{built_image, ContainerGroup, BUNDLE_MOUNT};
use crate::config::deploy::InstanceImage;
use crate::deploy::job::DeployJob;
use crate::proc::interrupt::Interrupt;

/// The label holding the group's state folder: a container made for
/// another checkout's pipeline of the same name is not taken over.
const STATE_LABEL: &str = "io.gantry.state";

/// A job whose container instances are up, their file systems mounted
/// until this is dropped.
pub struct Up {
    /// The job, each container instance's root its mounted file system.
    pub job: DeployJob,
    engine: Option<Engine>,
    mounted: Vec<String>,
}

impl Drop for Up {
    fn drop(&mut self) {
        // A running container keeps its own mount; this only ends gantry's.
        if let (Some(engine), false) = (&self.engine, self.mounted.is_empty()) {
            let mut args = strings(&["umount"]);
            args.append(&mut self.mounted);
            let _ = engine.run(&args, &Interrupt::default());
        }
    }
}

/// `job` with its container instances running and their roots mounted
/// (unchanged for folder instances). `say` gets what was done.
pub fn bring_up(
    job: &DeployJob,
    interrupt: &Interrupt,
    say: &mut dyn FnMut(&str),
) -> Result<Up, String> {
    let mut up = Up {
        job: job.clone(),
        engine: None,
        mounted: Vec::new(),
    };
    let Some(group) = &job.container else {
        return Ok(up);
    };
    if !crate::deploy::permissions::is_superuser() {
        return Err("container instances need gantry to run as root: files are installed through the container's mounted file system (`podman mount`), which needs root; rootless podman is not supported yet (use folder instances, `instances: N`, meanwhile)".into());
    }
    let engine = Engine::find(&group.env.0, &group.cwd)?;
    std::fs::create_dir_all(&job.state)
        .map_err(|e| format!("cannot create {}: {e}", job.state.display()))?;
    up.engine = Some(engine.clone());
    let mut done = start_all(&engine, job, group, interrupt);
    done.sort_by_key(|(i, _)| *i);
    let mut first_error = None;
    for (i, started) in done {
        match started {
            Ok(started) => {
                started.said.iter().for_each(|line| say(line));
                up.mounted.push(started.name);
                let instance = &mut up.job.instances[i];
                instance.root = started.root.into();
                instance.explicit = true;
            }
            Err(why) => {
                first_error.get_or_insert(why);
            }
        }
    }
    if let Some(why) = first_error {
        return Err(why);
    }
    if let Some(container) = &mut up.job.container {
        container.engine = Some(engine);
    }
    Ok(up)
}

/// [`start_one`] for every container instance of `job`, `max_parallel` at
/// a time; results by instance index.
fn start_all(
    engine: &Engine,
    job: &DeployJob,
    group: &ContainerGroup,
    interrupt: &Interrupt,
) -> Vec<(usize, Result<Started, String>)> {
    let names: Vec<(usize, String)> = job
        .instances
        .iter()
        .enumerate()
        .filter_map(|(i, instance)| Some((i, instance.container.clone()?)))
        .collect();
    let image = Mutex::new(None);
    let next = AtomicUsize::new(0);
    let workers = job.max_parallel.clamp(1, names.len().max(1));
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    while let Some((i, name)) = names.get(next.fetch_add(1, Ordering::Relaxed)) {
                        done.push((*i, start_one(engine, job, group, name, &image, interrupt)));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// One container instance, up and mounted.
struct Started {
    name: String,
    root: String,
    said: Vec<String>,
}

/// Creates container `name` if missing (building the group's image once),
/// starts it if stopped, stops hooks a killed gantry left running in it,
/// and mounts its file system.
fn start_one(
    engine: &Engine,
    job: &DeployJob,
    group: &ContainerGroup,
    name: &str,
    image: &Mutex<Option<String>>,
    interrupt: &Interrupt,
) -> Result<Started, String> {
    let run = |args: &[String]| engine.run(args, interrupt);
    let mut said = Vec::new();
    match inspect(engine, name, interrupt)? {
        None => {
            let image = {
                let mut built = image.lock().unwrap_or_else(|e| e.into_inner());
                match &*built {
                    Some(image) => image.clone(),
                    None => built
                        .insert(ensure_image(
                            engine,
                            group,
                            &job.group,
                            interrupt,
                            &mut |l| said.push(l.to_string()),
                        )?)
                        .clone(),
                }
            };
            if let Err(why) = run(&create_args(job, name, &image)) {
                // Not left half made: the next deployment creates it afresh.
                let _ = run(&strings(&["rm", "-f", "-t", "0", name]));
                return Err(why);
            }
            said.push(format!("created container instance {name} from {image}"));
        }
        Some((running, owner)) => {
            adopt(name, &owner, job)?;
            if running {
                // `/run/gantry` is a tmpfs: a stopped container has no stale records.
                let target = HookTarget {
                    engine: engine.clone(),
                    container: name.to_string(),
                };
                run(&target.sh(STOP_STALE, &[]))?;
            } else {
                run(&strings(&["start", name]))?;
            }
        }
    }
    let root = run(&strings(&["mount", name]))?;
    Ok(Started {
        name: name.to_string(),
        root,
        said,
    })
}

/// Whether container `name` runs, and its state label; `None` when there
/// is no such container.
fn inspect(
    engine: &Engine,
    name: &str,
    interrupt: &Interrupt,
) -> Result<Option<(bool, String)>, String> {
    let format = format!("{{{{.State.Running}}}} {{{{index .Config.Labels \"{STATE_LABEL}\"}}}}");
    match engine.run(
        &strings(&["container", "inspect", "--format", &format, name]),
        interrupt,
    ) {
        Ok(out) => {
            let (running, owner) = out.split_once(' ').unwrap_or((&out, ""));
            Ok(Some((running == "true", owner.to_string())))
        }
        Err(why) if why.contains("no such container") => Ok(None),
        Err(why) => Err(why),
    }
}

/// Checks that the container `name`, made for the state folder `owner`,
/// belongs to this group.
fn adopt(name: &str, owner: &str, job: &DeployJob) -> Result<(), String> {
    if Path::new(owner) != job.state {
        return Err(format!(
            "the container {name} is not this group's instance: it was created for the deployments in {} (run from that checkout, or `gantry deploy --group {} --reset` to recreate it for this one)",
            if owner.is_empty() { "another tool" } else { owner },
            job.group
        ));
    }
    Ok(())
}

/// The image to create instances from: the named one, or the group's
/// Containerfile built now (the engine's layer cache makes a rebuild cheap).
fn ensure_image(
    engine: &Engine,
    group: &ContainerGroup,
    name: &str,
    interrupt: &Interrupt,
    say: &mut dyn FnMut(&str),
) -> Result<String, String> {
    match &group.image {
        InstanceImage::Image(image) => Ok(image.clone()),
        InstanceImage::Build { file, context } => {
            let tag = built_image(&group.pipeline, name);
            engine.run(&build_args(file, context, &tag), interrupt)?;
            say(&format!("built {tag} from {}", file.display()));
            Ok(tag)
        }
    }
}

fn build_args(file: &Path, context: &Path, tag: &str) -> Vec<String> {
    let mut args = strings(&["build", "-q", "-f"]);
    args.push(file.display().to_string());
    args.extend(strings(&["-t", tag]));
    args.push(context.display().to_string());
    args
}

/// `podman run -d …`: a long-lived container, labelled with its group, the
/// group's deployment folder mounted read-only for the hooks.
fn create_args(job: &DeployJob, name: &str, image: &str) -> Vec<String> {
    let pipeline = job.container.as_ref().map_or("", |c| c.pipeline.as_str());
    let instance = name.rsplit('-').next().unwrap_or_default();
    let mut args = strings(&["run", "-d", "--name", name, "--hostname", name]);
    for (key, value) in [
        ("io.gantry.pipeline", pipeline),
        ("io.gantry.group", job.group.as_str()),
        ("io.gantry.instance", instance),
        (STATE_LABEL, &job.state.display().to_string()),
    ] {
        args.extend(["--label".into(), format!("{key}={value}")]);
    }
    args.extend([
        "--volume".into(),
        format!("{}:{BUNDLE_MOUNT}:ro", job.state.display()),
        "--tmpfs".into(),
        "/run/gantry".into(),
    ]);
    // `--init`: a hook's orphans are reaped, not left as zombies of `sleep`.
    args.extend(strings(&[
        "--init",
        "--entrypoint",
        "sleep",
        image,
        "infinity",
    ]));
    args
}

/// Removes the group's containers and forgets what was installed on them
/// (their records and any unfinished journal), then brings them up afresh.
/// The caller holds the group's lock.
pub fn reset(
    job: &DeployJob,
    interrupt: &Interrupt,
    say: &mut dyn FnMut(&str),
) -> Result<Up, String> {
    let engine = match &job.container {
        Some(group) => Engine::find(&group.env.0, &group.cwd)?,
        None => Engine::find(&[], &job.home)?,
    };
    for name in job.instances.iter().filter_map(|i| i.container.as_deref()) {
        if engine
            .run(&strings(&["container", "exists", name]), interrupt)
            .is_ok()
        {
            engine.run(&strings(&["rm", "-f", "-t", "0", name]), interrupt)?;
            say(&format!("removed container instance {name}"));
        }
    }
    for journal in crate::deploy::journal::unfinished(&job.state) {
        crate::deploy::journal::discard(&journal);
    }
    let mut state =
        crate::deploy::store::GroupState::load(&job.state).map_err(|e| format!("{e:#}"))?;
    for instance in &job.instances {
        state.instances.remove(&instance.name);
    }
    state.save(&job.state).map_err(|e| format!("{e:#}"))?;
    bring_up(job, interrupt, say)
}

/// Instance `n` (from 1) of the group, running; for `--shell`.
pub fn one_up(
    job: &DeployJob,
    n: usize,
    interrupt: &Interrupt,
    say: &mut dyn FnMut(&str),
) -> Result<(Engine, String), String> {
    let count = job.instances.len();
    let Some(instance) = n.checked_sub(1).and_then(|i| job.instances.get(i)) else {
        return Err(format!(
            "group `{}` has instances 1 to {count}; there is no instance {n}",
            job.group
        ));
    };
    let Some(name) = instance.container.clone() else {
        return Err(format!("group `{}` has folder instances: instance {n} is the folder {} (give the group `instances: {{ count: {count}, image: … }}` for container instances)", job.group, instance.root.display()));
    };
    let single = DeployJob {
        instances: vec![instance.clone()],
        ..job.clone()
    };
    let up = bring_up(&single, interrupt, say)?;
    let engine = up.engine.clone().ok_or("no engine")?;
    Ok((engine, name))
}

/// The engine command lines of a deployment to `job`'s container
/// instances, for `--dry-run`: the first instance's, and how many more.
pub fn commands(job: &DeployJob) -> Vec<String> {
    let Some(group) = &job.container else {
        return Vec::new();
    };
    let engine = match Engine::find(&group.env.0, &group.cwd) {
        Ok(engine) => engine,
        Err(why) => return vec![format!("# fails: {why}")],
    };
    let Some(first) = job.instances.first().and_then(|i| i.container.as_deref()) else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    let image = match &group.image {
        InstanceImage::Image(image) => image.clone(),
        InstanceImage::Build { file, context } => {
            let tag = built_image(&group.pipeline, &job.group);
            lines.push(format!(
                "{}   # when an instance is created",
                engine.show(&build_args(file, context, &tag))
            ));
            tag
        }
    };
    lines.push(format!(
        "{}   # when missing",
        engine.show(&create_args(job, first, &image))
    ));
    lines.push(engine.show(&strings(&["start", first])));
    lines.push(format!(
        "{}   # the instance root: files are installed below it",
        engine.show(&strings(&["mount", first]))
    ));
    let target = HookTarget {
        engine: engine.clone(),
        container: first.to_string(),
    };
    let (mut hook, running) = target.wrap(crate::proc::process::ProcessSpec {
        program: format!("{BUNDLE_MOUNT}/<deployment>/revision/<script>"),
        env: vec![
            ("LIFECYCLE_EVENT".into(), String::new()),
            ("DEPLOYMENT_ID".into(), String::new()),
        ],
        ..Default::default()
    });
    if let Some(token) = hook.args.iter_mut().find(|a| **a == running.token) {
        *token = "<token>".into();
    }
    lines.push(format!("{}   # each hook script", engine.show(&hook.args)));
    match job.instances.len() {
        1 => {}
        2 => lines.push("# likewise for instance 2".into()),
        n => lines.push(format!("# likewise for instances 2 to {n}")),
    }
    lines
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| a.to_string()).collect()
}
