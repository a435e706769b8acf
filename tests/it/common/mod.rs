//! Shared test support: [`Repo`], a temporary repository with a
//! `gantry.yml`; [`Gantry`], the fluent builder that runs the real `gantry`
//! binary in one; and the small helpers several test modules need.

#![allow(dead_code)]

mod background;
mod gantry;
pub mod images;
pub mod snapshots;

pub use gantry::{Gantry, Outcome};

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A temporary repository, removed when the last clone is dropped (a
/// [`Gantry`] and its [`Outcome`] hold one).
#[derive(Clone, Debug)]
pub struct Repo {
    dir: Arc<tempfile::TempDir>,
}

impl Repo {
    /// A repository whose `gantry.yml` is `config`.
    pub fn new(config: &str) -> Repo {
        let repo = Repo::empty();
        repo.write("gantry.yml", config);
        repo
    }

    /// The repository's root.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `text` to `relative` (parents created).
    pub fn write(&self, relative: &str, text: &str) {
        let path = self.path().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Reads `relative` to a string.
    pub fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path().join(relative))
            .unwrap_or_else(|e| panic!("cannot read {relative}: {e}"))
    }

    /// gantry in this repository: see [`Gantry`].
    pub fn gantry(&self) -> Gantry {
        Gantry::in_repo(self)
    }

    /// A gantry command that runs in the repository, colour left to gantry.
    pub fn command(&self, args: &[&str]) -> Command {
        self.gantry().args(args).command()
    }

    /// Runs gantry with `args` and collects its output.
    pub fn run(&self, args: &[&str]) -> Outcome {
        self.gantry().args(args).run()
    }

    /// Runs gantry with `args` and fails the test unless it exited 0.
    #[track_caller]
    pub fn run_ok(&self, args: &[&str]) -> Outcome {
        let out = self.run(args);
        out.success();
        out
    }

    /// The parsed `run.json` of run `id`.
    pub fn run_json(&self, id: u64) -> serde_json::Value {
        let text = self.read(&format!(".gantry/runs/{id}/run.json"));
        serde_json::from_str(&text).expect("run.json is JSON")
    }
}

/// Runs `command` to completion, collecting its output and wall time.
pub fn run_command(mut command: Command) -> Outcome {
    let start = Instant::now();
    let output = command.output().expect("gantry runs");
    Outcome::from_output(output, start.elapsed())
}

/// The binary under test.
pub fn gantry_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_gantry"))
}

/// The result of `action` of `stage` in a parsed run.json.
pub fn action_result<'a>(
    run: &'a serde_json::Value,
    stage: &str,
    action: &str,
) -> &'a serde_json::Value {
    run["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == stage)
        .and_then(|s| {
            s["actions"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["action"] == action)
        })
        .unwrap_or_else(|| panic!("no {stage}/{action} in {run}"))
}

/// The status of `action` of `stage` in a parsed run.json.
pub fn action_status<'a>(run: &'a serde_json::Value, stage: &str, action: &str) -> &'a str {
    action_result(run, stage, action)["status"]
        .as_str()
        .unwrap_or_else(|| panic!("{stage}/{action} has no status in {run}"))
}

/// Whether process `pid` is still running (a zombie counts as gone).
pub fn process_running(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            let state = stat.rsplit(')').next().unwrap_or("").trim_start();
            !state.starts_with('Z') && !state.starts_with('X')
        }
        Err(_) => false,
    }
}

/// The pids listed one per line in `relative`.
pub fn pids(repo: &Repo, relative: &str) -> Vec<i32> {
    repo.read(relative)
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}

/// Polls `check` until it returns `Some` (which is returned) or `limit`
/// has passed (`None`): a wait for a condition, with a deadline.
pub fn wait_for<T>(limit: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(found) = check() {
            return Some(found);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits until `relative` exists in `repo` (at most `limit`).
pub fn wait_for_file(repo: &Repo, relative: &str, limit: Duration) -> bool {
    wait_for(limit, || repo.path().join(relative).exists().then_some(())).is_some()
}

impl Repo {
    /// Runs `git ARGS` in the repository (tests may use git; gantry does not).
    pub fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(self.path())
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.com")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.com")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// A repository with `config` committed on branch `main`.
    pub fn committed(config: &str) -> Repo {
        let repo = Repo::new(config);
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["add", "-A"]);
        repo.git(&["commit", "-q", "-m", "initial"]);
        repo
    }
}

/// Writes an executable `relative` with `text` (a script with a `#!` line).
pub fn write_executable(repo: &Repo, relative: &str, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    repo.write(relative, text);
    let path = repo.path().join(relative);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Whether the tool `name` (`present` says if it was found) may be used by
/// a test. A missing tool named in `GANTRY_TEST_REQUIRE` (a comma-separated
/// list that `.ci/run` sets, or `all`) fails the test, so CI never passes by
/// skipping; elsewhere the test says it skipped and how to install the tool.
pub fn tool_available(name: &str, present: bool, install: &str) -> bool {
    if present {
        return true;
    }
    let required = std::env::var("GANTRY_TEST_REQUIRE").unwrap_or_default();
    if required
        .split(',')
        .any(|tool| tool.trim() == name || tool.trim() == "all")
    {
        panic!("{name} is required here (GANTRY_TEST_REQUIRE) but not installed: {install}");
    }
    eprintln!("SKIPPED: {name} is not installed ({install})");
    false
}

/// Whether the tests run as root, which mounting a container's file system
/// needs (see [`tool_available`]).
pub fn running_as_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    tool_available("root", root, "run the container instance tests as root")
}

/// Whether the program `program` is on `PATH` (see [`tool_available`]).
pub fn have_program(program: &str, install: &str) -> bool {
    tool_available(program, which::which(program).is_ok(), install)
}

/// Whether every one of `programs` is on `PATH` (see [`tool_available`]:
/// each missing one is reported, or fails where it is required).
pub fn have_programs(programs: &[&str]) -> bool {
    programs
        .iter()
        .all(|p| have_program(p, "install it the way .ci/run does"))
}

/// Runs `gantry ARGS` on a pseudo-terminal through util-linux `script`,
/// with `input` typed on it; `None` when `script` is not installed.
pub fn run_on_tty(repo: &Repo, args: &str, input: &str) -> Option<Outcome> {
    use std::io::Write;
    if !have_program("script", "apt-get install bsdutils") {
        return None;
    }
    let command = format!("{} {args}", gantry_bin().display());
    let mut script = Command::new("script");
    script
        .args(["-qec", &command, "/dev/null"])
        .current_dir(repo.path())
        .env_remove("NO_COLOR")
        .env_remove("GANTRY_APPROVE")
        .env("TERM", "xterm-256color")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = script.spawn().expect("script runs");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).unwrap();
    let output = child.wait_with_output().expect("script ends");
    drop(stdin);
    Some(Outcome::from_output(output, start.elapsed()))
}

/// Writes an executable file.
pub fn write_exec(repo: &Repo, relative: &str, text: &str) {
    write_executable(repo, relative, text);
}

/// Sets the mode of `relative`.
pub fn chmod(repo: &Repo, relative: &str, mode: u32) {
    let path = repo.path().join(relative);
    std::fs::set_permissions(
        path,
        <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(mode),
    )
    .unwrap();
}

/// Every path below `dir` with its mode and, for files, contents.
pub fn tree(dir: &Path) -> std::collections::BTreeMap<String, (u32, String)> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let rel = path.strip_prefix(dir).unwrap().display().to_string();
            let contents = if meta.is_file() {
                std::fs::read_to_string(&path).unwrap()
            } else if meta.file_type().is_symlink() {
                format!("-> {}", std::fs::read_link(&path).unwrap().display())
            } else {
                stack.push(path);
                String::new()
            };
            out.insert(
                rel,
                (
                    std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o7777,
                    contents,
                ),
            );
        }
    }
    out
}

impl Repo {
    /// An empty temporary directory, without a `gantry.yml`.
    pub fn empty() -> Repo {
        Repo {
            dir: Arc::new(tempfile::tempdir().expect("temp dir")),
        }
    }

    /// A temporary copy of `tests/fixtures/NAME` (file modes kept).
    pub fn fixture(name: &str) -> Repo {
        let repo = Repo::empty();
        let source = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        copy_tree(&source, repo.path());
        repo
    }
}

/// Copies the files below `from` into `to` (directories created, modes kept).
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A tmpfs mounted over a directory for the length of a test (to fill a
/// disk on purpose); unmounted when dropped.
pub struct Tmpfs {
    dir: PathBuf,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` (e.g. `256k`) on `dir`, created if needed.
    /// Needs root; `None` (the test skips) where that is not allowed, unless
    /// `tmpfs` is required (see [`tool_available`]).
    pub fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(dir).unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        tool_available("tmpfs", mounted, "mounting a tmpfs needs root").then(|| Tmpfs {
            dir: dir.to_path_buf(),
        })
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
    }
}
