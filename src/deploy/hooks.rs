//! Running the scripts of one lifecycle event on one instance, as the agent
//! does (rules 44–50): in file order, the first failure failing the event;
//! the agent's environment variables; each script's `timeout`; `runas`
//! through `su` when gantry is root. Scripts run in the instance root, the
//! local stand-in for the agent's working directory `/` — or, on a
//! container instance, inside the container ([`super::container::hook`]).

use std::collections::HashMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::container::hook::HookTarget;
use super::io::InstanceIo;
use super::paths;
use super::permissions::is_superuser;
use crate::appspec::{resolve_script, HookScript, ScriptPath};
use crate::events::Status;
use crate::proc::outcome::{Outcome, LEFTOVERS};
use crate::proc::process::{Exit, Finished, ProcessSpec};

/// The variables every script gets (rule 49), besides the action's.
pub struct HookEnv<'a> {
    /// The action's environment.
    pub base: Vec<(String, String)>,
    /// `DEPLOYMENT_ID`.
    pub deployment_id: String,
    /// `APPLICATION_NAME`.
    pub application: String,
    /// `DEPLOYMENT_GROUP_NAME`.
    pub group: String,
    /// The instance root, as `GANTRY_INSTANCE_ROOT`.
    pub instance_root: String,
    /// When the action's own `timeout` runs out.
    pub deadline: Option<Instant>,
    /// For a container instance: scripts run inside it.
    pub container: Option<InContainer>,
    /// The scripts found so far, shared by every instance.
    pub scripts: &'a Scripts,
}

/// Hook scripts looked up once per deployment run and shared by every
/// instance: where each `location` of a bundle leads (links resolved, so
/// one leading out of the revision is refused), made executable the first
/// time. Only gantry writes the bundles, once, before any instance.
#[derive(Default)]
pub struct Scripts {
    prepared: Mutex<HashMap<(PathBuf, String), Result<String, String>>>,
}

impl Scripts {
    fn prepared(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<(PathBuf, String), Result<String, String>>> {
        self.prepared.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The path of `script` of `bundle` to run; see [`prepare`].
    fn prepare(
        &self,
        io: &mut InstanceIo<'_>,
        event: &str,
        script: &HookScript,
        bundle: &Path,
    ) -> Result<String, String> {
        let key = (bundle.to_path_buf(), script.location.clone());
        if let Some(found) = self.prepared().get(&key) {
            return found.clone();
        }
        let found = prepare(io, event, script, bundle);
        self.prepared().insert(key, found.clone());
        found
    }
}

/// A container instance the scripts run in.
pub struct InContainer {
    /// The container.
    pub target: HookTarget,
    /// The group's state folder, mounted inside at [`BUNDLE_MOUNT`](super::container::BUNDLE_MOUNT).
    pub state: PathBuf,
}

impl InContainer {
    /// Where the host path `path` (in a bundle) is inside the container.
    fn inside(&self, path: &Path) -> PathBuf {
        super::container::inside(&self.state, path)
    }
}

impl HookEnv<'_> {
    fn vars(&self, event: &str, bundle: &Path) -> Vec<(String, String)> {
        let bundle = match &self.container {
            Some(c) => c.inside(bundle),
            None => bundle.to_path_buf(),
        };
        let mut env = self.base.clone();
        env.extend([
            ("LIFECYCLE_EVENT".into(), event.to_string()),
            ("DEPLOYMENT_ID".into(), self.deployment_id.clone()),
            ("APPLICATION_NAME".into(), self.application.clone()),
            ("DEPLOYMENT_GROUP_NAME".into(), self.group.clone()),
            (
                "DEPLOYMENT_GROUP_ID".into(),
                format!("local-{}-{}", self.application, self.group),
            ),
            ("GANTRY_INSTANCE_ROOT".into(), self.instance_root.clone()),
            ("GANTRY_BUNDLE".into(), bundle.display().to_string()),
        ]);
        env
    }
}

/// Runs `scripts` of `event` from the revision at `bundle`, in the instance
/// root `cwd`. Returns a failure reason, or `None` when every script passed.
pub fn run_event(
    io: &mut InstanceIo<'_>,
    event: &str,
    scripts: &[HookScript],
    bundle: &Path,
    cwd: &Path,
    env: &HookEnv<'_>,
) -> Option<(Status, String)> {
    let vars = env.vars(event, bundle);
    for script in scripts {
        io.note(&format!(
            "LifecycleEvent - {event}\nScript - {}",
            script.location
        ));
        let path = match env.scripts.prepare(io, event, script, bundle) {
            Ok(path) => path,
            Err(why) => return Some((Status::Failed, why)),
        };
        let path = match &env.container {
            Some(c) => c.inside(Path::new(&path)).display().to_string(),
            None => path,
        };
        let as_root = is_superuser() || env.container.is_some();
        let (program, args) = command(io, event, script, &path, as_root);
        let mut timeout = Duration::from_secs(u64::from(script.timeout));
        if let Some(deadline) = env.deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Some((Status::TimedOut, "the action's timeout ran out".into()));
            }
            timeout = timeout.min(left);
        }
        let spec = ProcessSpec {
            program,
            args,
            cwd: cwd.to_path_buf(),
            env: vars.clone(),
            timeout: Some(timeout),
            // Hooks such as ApplicationStart start services with setsid.
            detached_may_stay: true,
            ..Default::default()
        };
        let finished = run_script(io, event, spec, env, &script.location);
        let outcome = Outcome::of_process(&finished, Some(timeout));
        if finished.leftovers_stopped {
            io.say(event, &format!("{LEFTOVERS} ({}); start services detached (setsid) or through the service manager", script.location));
        }
        if outcome.status != Status::Passed {
            let why = outcome.reason.unwrap_or_default();
            return Some((outcome.status, format!("script {}: {why}", script.location)));
        }
    }
    None
}

/// Runs `spec` for the script at `location`: on the host, or inside the
/// instance's container, where a script stopped by its timeout or Ctrl-C
/// has its process group killed too.
fn run_script(
    io: &mut InstanceIo<'_>,
    event: &str,
    spec: ProcessSpec,
    env: &HookEnv<'_>,
    location: &str,
) -> Finished {
    let Some(c) = &env.container else {
        return io.run(event, &spec);
    };
    let (spec, running) = c.target.wrap(spec);
    let finished = io.run(event, &spec);
    if matches!(finished.exit, Exit::TimedOut | Exit::Interrupted) {
        if let Err(why) = c.target.stop(&running) {
            let name = &c.target.container;
            io.say(
                event,
                &format!("cannot stop {location} inside {name}: {why}"),
            );
        }
    }
    finished
}

/// The script's path in the bundle, made executable if needed (rule 44).
fn prepare(
    io: &mut InstanceIo<'_>,
    event: &str,
    script: &HookScript,
    bundle: &Path,
) -> Result<String, String> {
    let rel = paths::revision_path(&script.location)?;
    let path = match resolve_script(bundle, &rel) {
        ScriptPath::Inside(path) => path,
        ScriptPath::Outside(real) => {
            return Err(format!(
                "script {} leads outside the revision through a symlink (to {}); not run",
                script.location,
                real.display()
            ))
        }
        ScriptPath::Missing => bundle.join(rel),
    };
    let meta = fs::metadata(&path)
        .ok()
        .filter(fs::Metadata::is_file)
        .ok_or_else(|| {
            format!(
                "Script does not exist at specified location: {}",
                script.location
            )
        })?;
    let mode = meta.permissions().mode();
    if mode & 0o111 == 0 {
        io.say(
            event,
            &format!(
                "warning: {} is not executable; made it executable, as the agent does",
                script.location
            ),
        );
        fs::set_permissions(&path, fs::Permissions::from_mode(mode | 0o755)).map_err(|e| {
            format!(
                "Unable to set script {} as executable: {e}",
                script.location
            )
        })?;
    }
    Ok(path.display().to_string())
}

/// How to start the script: directly, or through `su`/`sudo` (rule 47).
fn command(
    io: &mut InstanceIo<'_>,
    event: &str,
    script: &HookScript,
    path: &str,
    root: bool,
) -> (String, Vec<String>) {
    match (&script.runas, script.sudo, root) {
        (Some(user), _, true) => ("su".into(), vec![user.clone(), "-c".into(), path.into()]),
        (Some(user), _, false) => {
            io.say(event, &format!("runas: {user} not honoured: gantry is not running as root; {} runs as the current user", script.location));
            (path.into(), Vec::new())
        }
        (None, true, false) => {
            io.say(
                event,
                &format!(
                    "sudo: true not honoured: {} runs as the current user",
                    script.location
                ),
            );
            (path.into(), Vec::new())
        }
        (None, _, _) => (path.into(), Vec::new()),
    }
}
