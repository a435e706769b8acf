//! Running a `run:`/`script:` action inside its container: build the image
//! when the action's container is a `build:` (once per run: the image is
//! tagged by a hash of its files and reused while the engine has it), start
//! the container with the workspace mounted, and remove it whatever
//! happens — exit, timeout, Ctrl-C. Containers left by a gantry that was
//! killed (`kill -9`) are swept before the first container of the next run.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use super::job::{build_command, short_hash, ContainerJob, Image, Workspace};
use crate::engine::LABEL_RUN_DIR;
use crate::engine::{failure_hint, BuildOptions, Engine, EngineCommand, EngineKind, NotRemoved};
use crate::events::Status;
use crate::proc::interrupt::{Cut, Interrupt};
use crate::proc::outcome::ActionEnv;
use crate::proc::outcome::{ActionIo, Outcome};
use crate::proc::process::{self, Exit, OutputSink};

/// The exit code docker and podman give when the engine itself failed.
const ENGINE_FAILED: i32 = 125;
/// How much of the engine's stderr an error quotes.
const STDERR_TAIL: usize = 2000;

/// Runs `program args…` of `action` in its container.
pub fn run(
    action: &ActionEnv<'_>,
    job: &ContainerJob,
    command: Vec<String>,
    workspace: &Workspace<'_>,
    io: &mut ActionIo<'_>,
) -> Outcome {
    let engine = match &job.engine {
        Ok(engine) => engine,
        Err(why) => return Outcome::failed(why.clone()),
    };
    let started = Instant::now();
    // The sweep runs while this container starts: leftovers have other names.
    let sweeping = start_sweep(engine, workspace.state_root, &job.cwd, io.interrupt);
    let image = match &job.image {
        Image::Reference(image) => image.clone(),
        Image::Build { .. } => match build_once(engine, job, action, io) {
            Ok(tag) => tag,
            Err(outcome) => {
                finish_sweep(sweeping, io);
                return outcome;
            }
        },
    };
    let options = job.action_options(&image, action, workspace, command);
    let name = options.name.clone();
    io.say(&format!(
        "container {name}: {image} with {} ({}; {})",
        engine.name(),
        engine.program.display(),
        engine.why
    ));
    let steps = engine.run(&options);
    let mut outcome = Outcome::passed();
    let mut engine_failed = false;
    let mut never_started = false;
    for (i, step) in steps.iter().enumerate() {
        let last = i + 1 == steps.len();
        let mut spec = step.process(&job.cwd, action.env.to_vec());
        spec.timeout = action.timeout.map(|t| t.saturating_sub(started.elapsed()));
        spec.separate_stderr = true;
        // Processes in the container end with it; the engine's own
        // helpers (conmon) leave the group by design.
        spec.detached_may_stay = true;
        let mut tee = Tee::new(io.output);
        let mut finished = process::run(&spec, &mut tee, io.interrupt);
        if io.interrupt.requested() && matches!(finished.exit, Exit::Code(_)) {
            // The signal reached the command through the engine and its
            // init, which report their own exit code: the action was
            // stopped all the same.
            finished.exit = Exit::Interrupted;
        }
        outcome = Outcome::of_process(&finished, action.timeout);
        never_started = matches!(finished.exit, Exit::SpawnFailed(_));
        let stderr = tee.stderr_tail();
        engine_failed = match finished.exit {
            Exit::Code(code) if engine.kind != EngineKind::Buildah => {
                code == ENGINE_FAILED || (code == 126 || code == 127) && said_error(&stderr)
            }
            Exit::Code(code) => code != 0 && !last,
            Exit::SpawnFailed(_) => true,
            _ => false,
        };
        if engine_failed {
            outcome.reason = Some(engine_failure(engine, step, &stderr));
        }
        if outcome.status != Status::Passed {
            break;
        }
    }
    // `--rm` removes a container whose command ended; one whose engine
    // client was stopped (timeout, Ctrl-C) or failed is removed here.
    let needs_removal =
        engine.kind == EngineKind::Buildah || engine_failed || outcome.exit_code.is_none();
    finish_sweep(sweeping, io);
    if needs_removal {
        // A Ctrl-C after the run's first stops waiting for a hung removal.
        let cleanup = io.interrupt.cleanup(Cut::FurtherSignal);
        match engine.remove_until(&name, &job.cwd, &cleanup) {
            Ok(()) => {}
            // An engine that could not start created nothing.
            Err(NotRemoved::MayBeLeft(_)) if never_started => {}
            // After an engine failure the container most likely never
            // existed, and the engine refusing to remove it says so.
            Err(NotRemoved::Refused(_)) if engine_failed => {}
            Err(not_removed) => outcome.add_reason(&not_removed_reason(&name, not_removed)),
        }
    }
    outcome
}

/// Whether the engine itself reported an error: podman's `Error: …` and
/// docker's `docker: Error …` lines (126 and 127 are also the exit codes of
/// a command that cannot run or is not found inside the container).
fn said_error(stderr: &str) -> bool {
    stderr
        .lines()
        .any(|l| l.starts_with("Error: ") || l.starts_with("docker: "))
}

/// The reason for an engine failure: which command, the engine's own
/// words, and what to do when gantry knows.
fn engine_failure(engine: &Engine, step: &EngineCommand, stderr: &str) -> String {
    let verb = step.verb();
    // podman's and docker's own error lines, without their warnings.
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("Error: ") || l.starts_with("docker: "))
        .collect();
    let said = if errors.is_empty() {
        stderr.trim().to_string()
    } else {
        errors.join("\n")
    };
    let mut text = format!("{} {verb} failed", engine.name());
    if said.is_empty() {
        text.push_str(" (it printed nothing on stderr)");
    } else {
        text.push_str(&format!(": {said}"));
    }
    if let Some(hint) = failure_hint(engine.kind, stderr) {
        text.push_str(&format!("\nhint: {hint}"));
    }
    text
}

/// What an action's output says of container `name`, not removed: why
/// it may be left, or what the engine said when it refused.
fn not_removed_reason(name: &str, not_removed: NotRemoved) -> String {
    match not_removed {
        NotRemoved::MayBeLeft(why) => format!("container {name} may be left: {why}"),
        NotRemoved::Refused(said) => format!("could not remove container {name}: {said}"),
    }
}

/// Forwards everything to the action's output and keeps the end of stderr.
struct Tee<'a> {
    inner: &'a mut dyn OutputSink,
    stderr: Vec<u8>,
}

impl<'a> Tee<'a> {
    fn new(inner: &'a mut dyn OutputSink) -> Self {
        Tee {
            inner,
            stderr: Vec::new(),
        }
    }

    fn stderr_tail(&self) -> String {
        let text = String::from_utf8_lossy(&self.stderr);
        let start = text.len().saturating_sub(STDERR_TAIL);
        let start = (start..=text.len())
            .find(|i| text.is_char_boundary(*i))
            .unwrap_or(text.len());
        text[start..].to_string()
    }
}

impl OutputSink for Tee<'_> {
    fn write(&mut self, chunk: &[u8]) {
        self.inner.write(chunk);
    }
    fn write_stderr(&mut self, chunk: &[u8]) {
        self.stderr.extend_from_slice(chunk);
        if self.stderr.len() > 2 * STDERR_TAIL {
            self.stderr.drain(..self.stderr.len() - STDERR_TAIL);
        }
        self.inner.write_stderr(chunk);
    }
    fn progress(&mut self, percent: u8) {
        self.inner.progress(percent);
    }
}

/// Builds the image of a `build:` container unless the engine already has
/// it under its content tag; concurrent actions of the run wait for one
/// build. Returns the tag.
fn build_once(
    engine: &Engine,
    job: &ContainerJob,
    action: &ActionEnv<'_>,
    io: &mut ActionIo<'_>,
) -> Result<String, Outcome> {
    let tag = identity_tag(job)?;
    let Image::Build { file, context, .. } = &job.image else {
        return Ok(tag);
    };
    let step = build_command(engine, job, file, context, &tag);
    let slot = build_slot(engine, file, context, &tag);
    let folder = engine.env.folder_for(&job.cwd);
    let mut built = slot.lock().unwrap_or_else(|e| e.into_inner());
    if built.contains(&folder) || image_id(engine, &tag, &job.cwd).is_some() {
        built.insert(folder);
        io.say(&format!("container image {tag}: reused"));
        return Ok(tag);
    }
    io.say(&format!("$ {}", step.display()));
    let mut spec = step.process(&job.cwd, action.env.to_vec());
    spec.timeout = action.timeout;
    spec.separate_stderr = true;
    let mut tee = Tee::new(io.output);
    let finished = process::run(&spec, &mut tee, io.interrupt);
    let mut outcome = Outcome::of_process(&finished, action.timeout);
    if outcome.status != Status::Passed {
        if outcome.exit_code.is_some() {
            outcome.reason = Some(engine_failure(engine, &step, &tee.stderr_tail()));
        }
        return Err(outcome);
    }
    built.insert(folder);
    Ok(tag)
}

/// Where the image `engine` builds from `file` and `context` (relative to
/// the pipeline root) as `tag` is known to be there in this gantry process
/// (it was built or found), behind the lock concurrent actions wait on.
/// Keyed by the build as the root would run it, whichever folder an action
/// runs it from, with the engine's flags and variables: the same tag built
/// with another storage driver is in another store. Within it, by
/// [`crate::engine::EngineEnv::folder_for`]: `None` for every folder
/// unless a relative path in the engine's variables
/// (`CONTAINERS_STORAGE_CONF=store.conf`) may mean another store in
/// another folder — there, the engine is asked again after the wait.
fn build_slot(
    engine: &Engine,
    file: &str,
    context: &str,
    tag: &str,
) -> Arc<Mutex<HashSet<Option<PathBuf>>>> {
    type Slots = HashMap<EngineCommand, Arc<Mutex<HashSet<Option<PathBuf>>>>>;
    static BUILDS: OnceLock<Mutex<Slots>> = OnceLock::new();
    let from_root = engine.build(&BuildOptions {
        file: file.into(),
        context: context.into(),
        tags: vec![tag.into()],
        ..Default::default()
    });
    BUILDS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(from_root)
        .or_default()
        .clone()
}

/// `REPOSITORY:HASH` of a build: the hash covers the Containerfile and
/// every file of the context (`.git`, `.gantry` and what `.gitignore` or
/// `.dockerignore` leave out excepted).
fn identity_tag(job: &ContainerJob) -> Result<String, Outcome> {
    let Image::Build {
        file,
        context,
        repository,
    } = &job.image
    else {
        return Err(Outcome::failed("not a build"));
    };
    let hash = build_hash(&job.root, file, context).map_err(Outcome::failed)?;
    Ok(format!("{repository}:{}", &hash[..16]))
}

/// The hash of a build's files, computed once per process.
fn build_hash(root: &Path, file: &str, context: &str) -> Result<String, String> {
    static HASHES: OnceLock<Mutex<HashMap<PathBuf, String>>> = OnceLock::new();
    let key = root.join(context).join("\0").join(file);
    let memo = HASHES.get_or_init(Default::default);
    if let Some(hash) = memo.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Ok(hash.clone());
    }
    let mut hasher = blake3::Hasher::new();
    let mut add = |name: &str, path: &Path| -> Result<(), String> {
        let bytes = crate::fsutil::read(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        hasher.update(&(name.len() as u64).to_le_bytes());
        hasher.update(name.as_bytes());
        hasher.update(&(bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
        Ok(())
    };
    add(file, &root.join(file))?;
    let dir = root.join(context);
    let mut files = Vec::new();
    let walk = ignore::WalkBuilder::new(&dir)
        .hidden(false)
        .require_git(false)
        .add_custom_ignore_filename(".dockerignore")
        .filter_entry(|e| !crate::fsutil::is_hidden_name(e.file_name()))
        .build();
    for entry in walk {
        let entry = entry.map_err(|e| format!("cannot list the build context: {e}"))?;
        if entry.file_type().is_some_and(|t| t.is_file()) {
            files.push(entry.into_path());
        }
    }
    files.sort();
    for path in files {
        let name = path
            .strip_prefix(&dir)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        add(&name, &path)?;
    }
    let hash = hasher.finalize().to_hex().to_string();
    memo.lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, hash.clone());
    Ok(hash)
}

/// The engine's id of `image`, when it has it.
fn image_id(engine: &Engine, image: &str, cwd: &Path) -> Option<String> {
    answer_id(&engine.image_id(image), cwd)
}

/// The id an [`Engine::image_id`] command prints, when it succeeds.
fn answer_id(question: &EngineCommand, cwd: &Path) -> Option<String> {
    match question.capture(cwd) {
        Ok((0, out, _)) => Some(out.trim().to_string()).filter(|s| !s.is_empty()),
        _ => None,
    }
}

/// A question to an engine and the folder its answer depends on
/// ([`crate::engine::EngineEnv::folder_for`]): what is remembered of the
/// engine's answers is keyed by it.
type Asked = (EngineCommand, Option<PathBuf>);

/// What the cache knows the container by: the image's id for a reference
/// (`missing:REF` while the engine does not have it), the hash of its files
/// for a build. The engine is asked once per question (program, storage
/// driver, image and the variables it runs with) in a gantry process, and
/// once per working directory only when a relative path in those
/// variables may name another store there.
pub fn identity(job: &ContainerJob) -> String {
    static IDS: OnceLock<Mutex<HashMap<Asked, String>>> = OnceLock::new();
    let Ok(engine) = &job.engine else {
        return "no engine".into();
    };
    let id = match &job.image {
        Image::Reference(image) => {
            let question = (engine.image_id(image), engine.env.folder_for(&job.cwd));
            let memo = IDS.get_or_init(Default::default);
            let known = memo
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(&question)
                .cloned();
            known.unwrap_or_else(|| {
                let id =
                    answer_id(&question.0, &job.cwd).unwrap_or_else(|| format!("missing:{image}"));
                memo.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(question, id.clone());
                id
            })
        }
        // The build's files are hashed once per process (`build_hash`).
        Image::Build { .. } => match identity_tag(job) {
            Ok(tag) => format!("build:{tag}"),
            Err(_) => "build:unreadable".into(),
        },
    };
    format!("{}:{id}", engine.name())
}

/// Starts, once per engine and store (and working directory, only where a
/// relative path in the engine's variables points) in a gantry process, the
/// removal of the containers of runs that are no longer in progress (their
/// gantry was killed), on a thread of its own.
fn start_sweep(
    engine: &Engine,
    state_root: &Path,
    cwd: &Path,
    interrupt: &Interrupt,
) -> Option<std::thread::JoinHandle<Swept>> {
    static SWEPT: OnceLock<Mutex<HashSet<Asked>>> = OnceLock::new();
    let listing = engine.list_labelled(LABEL_RUN_DIR);
    let first = SWEPT
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert((listing.clone(), engine.env.folder_for(cwd)));
    if !first {
        return None;
    }
    let (engine, state_root, cwd) = (engine.clone(), state_root.to_path_buf(), cwd.to_path_buf());
    // A Ctrl-C after the run's first stops it, as it stops a removal.
    let cleanup = interrupt.cleanup(Cut::FurtherSignal);
    std::thread::Builder::new()
        .name("container-sweep".into())
        .spawn(move || sweep(&engine, &listing, &state_root, &cwd, &cleanup))
        .ok()
}

/// What the sweep removed, and what it could not do (the listing or
/// removing a leftover), in the action's words.
#[derive(Default)]
struct Swept {
    removed: Vec<String>,
    failed: Vec<String>,
}

/// Waits for the sweep and notes what it removed, and what it could not,
/// in the action's log.
fn finish_sweep(sweeping: Option<std::thread::JoinHandle<Swept>>, io: &mut ActionIo<'_>) {
    let Swept { removed, failed } = sweeping.and_then(|h| h.join().ok()).unwrap_or_default();
    for why in failed {
        io.say(&why);
    }
    if !removed.is_empty() {
        io.note(&format!(
            "removed containers left by earlier runs: {}",
            removed.join(", ")
        ));
    }
}

/// Removes the leftover containers `listing` (the engine's
/// [`Engine::list_labelled`]) finds, until `interrupt` fires: their names,
/// and why some could not be removed (or the listing did not answer).
fn sweep(
    engine: &Engine,
    listing: &EngineCommand,
    state_root: &Path,
    cwd: &Path,
    interrupt: &Interrupt,
) -> Swept {
    let listing = match listing.capture_until(cwd, interrupt) {
        Ok((0, listing, _)) => listing,
        // The engine answered with an error (as services, not said): nothing to sweep.
        Ok(_) => return Swept::default(),
        Err(why) => {
            return Swept {
                removed: Vec::new(),
                failed: vec![format!(
                    "containers left by earlier runs were not looked for: {why}"
                )],
            }
        }
    };
    // buildah cannot label working containers: its names end with a hash
    // of their run's directory, matched against this repository's runs.
    let finished_runs: HashMap<String, PathBuf> = if engine.kind == EngineKind::Buildah {
        crate::record::run_ids(state_root)
            .into_iter()
            .map(|id| crate::record::runs_dir(state_root).join(id.to_string()))
            .filter(|dir| !crate::record::in_progress(dir))
            .map(|dir| (short_hash(&dir.display().to_string()), dir))
            .collect()
    } else {
        HashMap::new()
    };
    let mut swept = Swept::default();
    for line in listing.lines() {
        let (name, run_dir) = line.split_once('\t').unwrap_or((line, ""));
        let leftover = if engine.kind == EngineKind::Buildah {
            name.starts_with("gantry-")
                && name
                    .rsplit('-')
                    .next()
                    .is_some_and(|h| finished_runs.contains_key(h))
        } else {
            !run_dir.is_empty() && !crate::record::in_progress(Path::new(run_dir))
        };
        if !leftover {
            continue;
        }
        let removed = if interrupt.requested() {
            Err(format!(
                "container {name} may be left: interrupted before its removal"
            ))
        } else {
            engine
                .remove_until(name, cwd, interrupt)
                .map_err(|not_removed| not_removed_reason(name, not_removed))
        };
        match removed {
            Ok(()) => swept.removed.push(name.to_string()),
            Err(why) => swept.failed.push(format!(
                "could not remove a container left by an earlier run: {why}"
            )),
        }
    }
    swept
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;
    use std::time::Duration;

    use crate::engine::Owner;
    use crate::events::ActionKey;
    use crate::proc::process::Capture;

    /// A stand-in podman with one image store per storage driver (a file
    /// in `dir`): `build` fills the store, `image inspect` answers from it,
    /// `ps` lists nothing.
    fn fake_podman(dir: &Path) -> PathBuf {
        let program = dir.join("podman");
        let script = format!(
            "#!/bin/sh\n\
             driver=default\n\
             if [ \"$1\" = --storage-driver ]; then driver=$2; shift 2; fi\n\
             store='{}/store-'$driver\n\
             case \"$1\" in\n\
             build) : > \"$store\" ;;\n\
             image) [ -e \"$store\" ] && echo \"sha256:$driver\" ;;\n\
             esac\n",
            dir.display()
        );
        std::fs::write(&program, script).unwrap();
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        program
    }

    fn engine(program: &Path, storage_driver: Option<&str>) -> Engine {
        Engine {
            kind: EngineKind::Podman,
            program: program.to_path_buf(),
            why: "test".into(),
            storage_driver: storage_driver.map(String::from),
            isolation: None,
            env: Default::default(),
        }
    }

    fn job(engine: Engine, image: Image, root: &Path) -> ContainerJob {
        ContainerJob {
            engine: Ok(engine),
            image,
            root: root.to_path_buf(),
            cwd: root.to_path_buf(),
            owner: Owner::Root,
            passed: Vec::new(),
            host_network: false,
        }
    }

    #[test]
    fn an_image_id_is_remembered_per_storage_driver() {
        let dir = tempfile::tempdir().unwrap();
        let podman = fake_podman(dir.path());
        std::fs::write(dir.path().join("store-default"), "").unwrap();
        let image = Image::Reference("localhost/only-in-default:1".into());
        let default = job(engine(&podman, None), image.clone(), dir.path());
        let vfs = job(engine(&podman, Some("vfs")), image, dir.path());
        assert_eq!(identity(&default), "podman:sha256:default");
        assert_eq!(identity(&vfs), "podman:missing:localhost/only-in-default:1");
        assert_eq!(identity(&default), "podman:sha256:default");
    }

    #[test]
    fn an_image_built_into_one_store_is_built_again_for_another() {
        let dir = tempfile::tempdir().unwrap();
        let podman = fake_podman(dir.path());
        std::fs::create_dir(dir.path().join("ci")).unwrap();
        std::fs::write(dir.path().join("ci/Containerfile"), "FROM scratch\n").unwrap();
        let image = Image::Build {
            file: "ci/Containerfile".into(),
            context: "ci".into(),
            repository: "localhost/gantry-slot-test".into(),
        };
        let log = tempfile::tempfile().unwrap();
        let key: ActionKey = "s/a".into();
        let action = ActionEnv {
            key: &key,
            stage: "s",
            name: "a",
            cwd: dir.path(),
            env: &[],
            timeout: Some(Duration::from_secs(60)),
        };
        for driver in [None, Some("vfs")] {
            let engine = engine(&podman, driver);
            let job = job(engine.clone(), image.clone(), dir.path());
            let mut output = Capture::default();
            let interrupt = Interrupt::default();
            let mut io = ActionIo {
                output: &mut output,
                interrupt: &interrupt,
                log: &log,
                mask: |s| s.to_string(),
            };
            let built = build_once(&engine, &job, &action, &mut io);
            assert!(built.is_ok(), "{built:?}");
        }
        assert!(dir.path().join("store-default").exists());
        assert!(
            dir.path().join("store-vfs").exists(),
            "the build into the default store was taken for one into vfs"
        );
    }

    #[test]
    fn each_store_is_swept() {
        let dir = tempfile::tempdir().unwrap();
        let podman = fake_podman(dir.path());
        for driver in [None, Some("vfs")] {
            let sweeping = start_sweep(
                &engine(&podman, driver),
                dir.path(),
                dir.path(),
                &Interrupt::default(),
            );
            let handle = sweeping.expect("a sweep of this store");
            let swept = handle.join().unwrap();
            assert!(swept.removed.is_empty() && swept.failed.is_empty());
        }
        assert!(start_sweep(
            &engine(&podman, Some("vfs")),
            dir.path(),
            dir.path(),
            &Interrupt::default()
        )
        .is_none());
    }

    #[test]
    fn a_build_slot_is_shared_across_variables_no_engine_reads() {
        let slot = |vars: &[(&str, &str)]| {
            let env: Vec<(String, String)> = vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            let engine = engine(Path::new("/nonexistent/slot-test/podman"), None).with_env(&env);
            build_slot(&engine, "ci/Containerfile", "ci", "localhost/slot:1")
        };
        assert!(
            Arc::ptr_eq(
                &slot(&[("NODE_VERSION", "18"), ("GANTRY_ACTION", "test/a")]),
                &slot(&[("NODE_VERSION", "20"), ("GANTRY_ACTION", "test/b")]),
            ),
            "a matrix's own variables make no other image"
        );
        assert!(
            !Arc::ptr_eq(
                &slot(&[("CONTAINERS_STORAGE_CONF", "/a.conf")]),
                &slot(&[("CONTAINERS_STORAGE_CONF", "/b.conf")]),
            ),
            "another store is another build"
        );
    }
}
