//! [`Services`]: the run's services, started when the first action that
//! needs them is about to run and stopped when their stage (or, for the
//! pipeline's, the run) ends — also after a failure, an interrupt or a
//! panic (on drop). It reports through [`Event::Service`] and never prints.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Instant;

use super::engine::{self, Engine, EngineCommand};
use super::plan::PlannedService;
use super::process::{self, Launch, Running, Teardown};
use super::ready::{self, CheckCommand};
use crate::config::service::{Ready, ServiceKind};
use crate::engine::{EngineEnv, ENV_STORAGE_DRIVER};
use crate::events::{Event, EventSender, ServiceState};
use crate::proc::interrupt::{Cut, Interrupt};
use crate::record::RunRecord;

/// The services of one run.
pub struct Services<'a> {
    planned: &'a [PlannedService],
    secrets: &'a [String],
    pipeline: &'a str,
    root: &'a std::path::Path,
    record: &'a RunRecord,
    events: EventSender,
    interrupt: &'a Interrupt,
    /// The engines found, by what decides which one answers (see [`EngineKey`]).
    engines: Mutex<HashMap<EngineKey, Result<Engine, String>>>,
    /// The engines and stores swept for service containers left by a
    /// killed gantry (by their listing command).
    swept: Mutex<HashSet<EngineCommand>>,
    swept_hosts: OnceLock<()>,
    /// Started (or failed) services, in start order.
    state: Mutex<Vec<(usize, Slot)>>,
    /// A user's signal cut the removal of a container short: every later
    /// removal is cut short at once (see [`Services::cleanup`]).
    abandoned: AtomicBool,
}

enum Slot {
    Up(Running),
    Failed(String),
    Stopped,
}

impl<'a> Services<'a> {
    /// The `planned` services of a run of `pipeline` under `root` (whose
    /// `secrets` are masked in their logs), none started yet.
    pub fn new(
        planned: &'a [PlannedService],
        secrets: &'a [String],
        (pipeline, root): (&'a str, &'a std::path::Path),
        record: &'a RunRecord,
        events: EventSender,
        interrupt: &'a Interrupt,
    ) -> Self {
        Services {
            planned,
            secrets,
            pipeline,
            root,
            record,
            events,
            interrupt,
            engines: Mutex::default(),
            swept: Mutex::default(),
            swept_hosts: OnceLock::new(),
            state: Mutex::new(Vec::new()),
            abandoned: AtomicBool::new(false),
        }
    }

    /// Starts the services an action of `stage` needs (the pipeline's and
    /// the stage's) unless they run already, and returns the variables that
    /// tell where they are; the error says which one is not ready and why.
    pub fn ensure(&self, stage: &str) -> Result<Vec<(String, String)>, String> {
        let mut variables = Vec::new();
        let mut state = self.lock();
        for (index, planned) in self.planned.iter().enumerate() {
            let service = &planned.service;
            if !service.serves(stage) {
                continue;
            }
            match state.iter().find(|(i, _)| *i == index).map(|(_, s)| s) {
                Some(Slot::Up(_)) => {}
                Some(Slot::Failed(why)) => return Err(why.clone()),
                Some(Slot::Stopped) => {
                    return Err(format!("service `{}` was already stopped", service.name))
                }
                None => {
                    let slot = self.start(planned);
                    let failed = match &slot {
                        Slot::Failed(why) => Some(why.clone()),
                        _ => None,
                    };
                    state.push((index, slot));
                    if let Some(why) = failed {
                        return Err(why);
                    }
                }
            }
            variables.extend(service.variables());
        }
        Ok(variables)
    }

    /// Stops the services of `stage` (`None`: every service still up, the
    /// teardown after the run).
    pub fn stop(&self, stage: Option<&str>) {
        let cut = if stage.is_some() {
            Cut::FurtherSignal
        } else {
            Cut::NextSignal
        };
        let mut state = self.lock();
        let mut cleanup = None;
        for (index, slot) in state.iter_mut().rev() {
            let planned = &self.planned[*index];
            if stage.is_some() && planned.service.stage.as_deref() != stage {
                continue;
            }
            if let Slot::Up(running) = std::mem::replace(slot, Slot::Stopped) {
                let cleanup = cleanup.get_or_insert_with(|| self.cleanup(cut));
                if self.halt(planned, running, cleanup) {
                    self.send(planned, ServiceState::Stopped);
                }
            }
        }
        if let Some(cleanup) = cleanup {
            self.cleaned_up(&cleanup);
        }
    }

    /// What cuts the removal of containers short: a user's signal, as
    /// `cut` says (the run's first stops the services and lets their
    /// removal run); at once when one did so before.
    fn cleanup(&self, cut: Cut) -> Arc<Interrupt> {
        if self.abandoned.load(Ordering::SeqCst) {
            self.interrupt.given_up()
        } else {
            self.interrupt.cleanup(cut)
        }
    }

    /// Runs `clean` with a clean-up interrupt that a further user signal
    /// cuts short, remembering whether one did.
    fn cut_short<R>(&self, clean: impl FnOnce(&Arc<Interrupt>) -> R) -> R {
        let cleanup = self.cleanup(Cut::FurtherSignal);
        let done = clean(&cleanup);
        self.cleaned_up(&cleanup);
        done
    }

    /// Remembers whether `cleanup` fired.
    fn cleaned_up(&self, cleanup: &Interrupt) {
        if cleanup.requested() {
            self.abandoned.store(true, Ordering::SeqCst);
        }
    }

    /// Stops `running`, the process of `planned`; `false` (and said so)
    /// when its container may be left because removing it did not answer
    /// or `cleanup` cut it short.
    fn halt(&self, planned: &PlannedService, running: Running, cleanup: &Arc<Interrupt>) -> bool {
        let group = running.group;
        let stopped = running.stop(Arc::clone(cleanup));
        self.interrupt.unregister(group);
        let Err(why) = stopped else {
            return true;
        };
        let container = engine::container_name(
            self.pipeline,
            &self.record.id.to_string(),
            &planned.service.name,
        );
        self.send(planned, ServiceState::NotRemoved { container, why });
        false
    }

    fn lock(&self) -> MutexGuard<'_, Vec<(usize, Slot)>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn send(&self, planned: &PlannedService, state: ServiceState) {
        let _ = self.events.send(Event::Service {
            name: planned.service.name.clone(),
            stage: planned.service.stage.clone(),
            state,
        });
    }

    fn start(&self, planned: &PlannedService) -> Slot {
        let name = &planned.service.name;
        let dir = self.record.dir.join("services");
        let log_path = dir.join(format!("{name}.log"));
        let fail = |why: String| {
            self.send(
                planned,
                ServiceState::Failed {
                    reason: why.clone(),
                    log_file: log_path.clone(),
                },
            );
            Slot::Failed(format!(
                "service `{name}` is not ready: {why} (log: {})",
                self.record.relative(&log_path).display()
            ))
        };
        let prepared = std::fs::create_dir_all(&dir)
            .and_then(|()| File::create(&log_path))
            .map_err(|e| format!("cannot create {}: {e}", log_path.display()));
        let log = match prepared {
            Ok(log) => log,
            Err(why) => return fail(why),
        };
        let (launch, check) = match self.launch(planned, log, dir.join(format!("{name}.pid"))) {
            Ok(found) => found,
            Err(why) => return fail(why),
        };
        let command = engine::describe(&launch.program.to_string_lossy(), &launch.args);
        self.send(planned, ServiceState::Starting { command });
        let started = Instant::now();
        let running = match process::start(launch) {
            Ok(running) => running,
            Err(why) => return fail(why),
        };
        self.interrupt.register(running.group);
        let waited = ready::wait(
            &planned.service,
            &running,
            &log_path,
            check.as_ref(),
            self.interrupt,
        );
        match waited {
            Ok(()) => {
                self.send(
                    planned,
                    ServiceState::Ready {
                        after: started.elapsed(),
                    },
                );
                Slot::Up(running)
            }
            Err(why) => {
                self.cut_short(|cleanup| self.halt(planned, running, cleanup));
                fail(why)
            }
        }
    }

    /// How to start `planned`, and how to run its `ready: { run }` check.
    fn launch(
        &self,
        planned: &PlannedService,
        log: File,
        pid_file: PathBuf,
    ) -> Result<(Launch, Option<CheckCommand>), String> {
        let check_command = match &planned.service.ready {
            Some(Ready::Run(command)) => Some(command.clone()),
            _ => None,
        };
        match &planned.service.kind {
            ServiceKind::Host { command, .. } => {
                self.swept_hosts.get_or_init(|| {
                    process::sweep_host(&crate::record::runs_dir(&self.record.root))
                });
                let shell = PathBuf::from("sh");
                let check = check_command.map(|c| CheckCommand {
                    program: shell.clone(),
                    args: vec!["-c".into(), c],
                    env: planned.env.clone(),
                    cwd: self.root.to_path_buf(),
                    output: None,
                });
                let launch = Launch {
                    program: shell,
                    args: vec!["-c".into(), command.clone()],
                    env: planned.env.clone(),
                    cwd: self.root.to_path_buf(),
                    log,
                    teardown: None,
                    pid_file,
                    secrets: self.secrets.to_vec(),
                };
                Ok((launch, check))
            }
            ServiceKind::Container { .. } => {
                // Every call for this service (start, ready check, removal)
                // runs with its engine's environment, which `-e NAME` reads
                // the values of the service's own `env:` from.
                let engine = &self.engine(planned)?;
                let run_id = self.record.id.to_string();
                let name = engine::container_name(self.pipeline, &run_id, &planned.service.name);
                let (probe, output) = match check_command {
                    Some(c) => (engine::exec_command(engine, &name, &c), None),
                    None => (engine::running_command(engine, &name), Some("true".into())),
                };
                let check = Some(CheckCommand {
                    program: probe.program,
                    args: probe.args,
                    env: probe.env.0,
                    cwd: self.root.to_path_buf(),
                    output,
                });
                let start = engine::run_command(engine, planned, &name, &run_id);
                let launch = Launch {
                    program: start.program,
                    args: start.args,
                    env: start.env.0,
                    cwd: self.root.to_path_buf(),
                    log,
                    teardown: Some(Teardown {
                        engine: engine.clone(),
                        container: name,
                    }),
                    pid_file,
                    secrets: self.secrets.to_vec(),
                };
                Ok((launch, check))
            }
        }
    }

    /// The engine for `planned`, running with its engine environment:
    /// found once per run for each [`EngineKey`]; the first time an engine
    /// and store is used, service containers of gantry processes that are
    /// gone are removed from it.
    fn engine(&self, planned: &PlannedService) -> Result<Engine, String> {
        let env = &planned.engine_env;
        let key = EngineKey::of(env);
        let found = {
            let mut engines = self.engines.lock().unwrap_or_else(|e| e.into_inner());
            engines
                .entry(key)
                .or_insert_with(|| engine::detect(env, self.root))
                .clone()
        };
        let engine = found?.with_env(env);
        let listing = engine::list_command(&engine);
        let first = self
            .swept
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(listing);
        if first {
            let left =
                self.cut_short(|cleanup| super::sweep::containers(&engine, self.root, cleanup));
            for left in left {
                let state = ServiceState::LeftoverNotRemoved {
                    container: left.container,
                    why: left.why,
                };
                self.send(planned, state);
            }
        }
        Ok(engine)
    }
}

/// What decides which engine a service gets: the variables of its engine
/// environment that an engine reads ([`EngineEnv`]'s comparison: `PATH`,
/// `DOCKER_HOST`, …) and the storage driver ([`ENV_STORAGE_DRIVER`], which
/// is gantry's own and no engine's).
#[derive(Clone, PartialEq, Eq, Hash)]
struct EngineKey(EngineEnv, Option<String>);

impl EngineKey {
    fn of(env: &[(String, String)]) -> EngineKey {
        let env = EngineEnv(env.to_vec());
        let driver = env.lookup(ENV_STORAGE_DRIVER);
        EngineKey(env, driver)
    }
}

impl Drop for Services<'_> {
    fn drop(&mut self) {
        self.stop(None);
    }
}
