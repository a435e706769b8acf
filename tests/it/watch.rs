//! `gantry watch`: re-runs on a file write, cancels a run in progress on a
//! second write (its processes stopped), ignores writes under `.gantry/`
//! and gitignored paths, never cuts a container removal short, and leaves
//! no process behind when stopped. The real binary on temp repos; every
//! wait is for a condition, with a deadline.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::{process_running, Repo};

const DEADLINE: Duration = Duration::from_secs(30);

/// A running `gantry watch`, its output going to files in `marks` (a
/// directory outside the repository, so that writing them changes nothing
/// watched). Stopped (SIGTERM, then SIGKILL) when dropped.
struct Watch {
    child: Child,
    marks: tempfile::TempDir,
}

impl Watch {
    fn start(repo: &Repo, marks: tempfile::TempDir, args: &[&str]) -> Watch {
        Watch::start_with_env(repo, marks, args, &[])
    }

    fn start_with_env(
        repo: &Repo,
        marks: tempfile::TempDir,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Watch {
        let mut command = repo.command(&["watch", "--no-clear"]);
        command
            .args(args)
            .env_remove("DOCKER_HOST")
            .envs(env.iter().copied());
        Watch::spawn(command, marks)
    }

    /// `command` (a `gantry watch`) started with its output in `marks`.
    fn spawn(mut command: std::process::Command, marks: tempfile::TempDir) -> Watch {
        let stdout = std::fs::File::create(marks.path().join("stdout")).unwrap();
        let stderr = std::fs::File::create(marks.path().join("stderr")).unwrap();
        command
            .stdout(Stdio::from(stdout))
            .stderr(Stdio::from(stderr));
        Watch {
            child: command.spawn().expect("gantry watch starts"),
            marks,
        }
    }

    fn mark(&self, name: &str) -> PathBuf {
        self.marks.path().join(name)
    }

    fn lines(&self, name: &str) -> Vec<String> {
        std::fs::read_to_string(self.mark(name))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Waits until `name` has at least `count` lines.
    fn wait_lines(&self, name: &str, count: usize) -> Vec<String> {
        let start = Instant::now();
        loop {
            let lines = self.lines(name);
            if lines.len() >= count {
                return lines;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "{name} has {} line(s), waited for {count}; stderr:\n{}",
                lines.len(),
                self.lines("stderr").join("\n")
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until `name` has a line containing `text`.
    fn wait_for(&self, name: &str, text: &str) {
        let start = Instant::now();
        while !self.lines(name).iter().any(|l| l.contains(text)) {
            assert!(
                start.elapsed() < DEADLINE,
                "no {text:?} in {name}; stderr:\n{}",
                self.lines("stderr").join("\n")
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops gantry as a terminal's Ctrl-C or a service manager would and
    /// waits for it to exit; returns its exit code.
    fn stop(&mut self) -> i32 {
        // SAFETY: kill(2) on our own child's pid.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            assert!(
                start.elapsed() < DEADLINE,
                "gantry watch did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn marks() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// A pipeline whose one action appends a line to `runs` in `marks`.
fn counting_repo(marks: &Path) -> Repo {
    let repo = Repo::new(&format!(
        "version: 1
stages:
  - name: build
    run: echo run >> {}
",
        marks.join("runs").display()
    ));
    repo.write("src/main.c", "int main;\n");
    repo
}

#[test]
fn a_file_write_runs_the_pipeline_again() {
    let marks = marks();
    let repo = counting_repo(marks.path());
    let mut watch = Watch::start(&repo, marks, &[]);
    watch.wait_lines("runs", 1);
    repo.write("src/main.c", "int main(void);\n");
    watch.wait_lines("runs", 2);
    let stderr = watch.wait_lines("stderr", 3).join("\n");
    assert!(stderr.contains("changed: src/main.c"), "{stderr}");
    assert_eq!(watch.stop(), 130);
    // Each run is recorded like any other.
    assert_eq!(repo.run_json(2)["status"], "passed");
}

/// `cargo install` over a running `gantry watch`: the runs after it still
/// give actions the gantry that runs them (`/proc/PID/exe`), not a path
/// where there is none (or another version).
#[test]
fn a_run_after_gantry_s_file_was_deleted_still_gives_actions_this_gantry() {
    let marks = marks();
    let repo = Repo::new(&format!(
        "version: 1
stages:
  - name: build
    run: '\"$GANTRY_EXE\" --version >> {}'
",
        marks.path().join("runs").display()
    ));
    repo.write("src/main.c", "int main;\n");
    let bin = tempfile::tempdir().unwrap();
    let copy = bin.path().join("gantry");
    std::fs::copy(common::gantry_bin(), &copy).unwrap();
    let template = repo.command(&["watch", "--no-clear"]);
    let mut command = std::process::Command::new(&copy);
    command
        .args(template.get_args())
        .current_dir(template.get_current_dir().unwrap())
        .stdin(Stdio::null());
    for (name, value) in template.get_envs() {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    let mut watch = Watch::spawn(command, marks);
    let first = watch.wait_lines("runs", 1);
    std::fs::remove_file(&copy).unwrap();
    repo.write("src/main.c", "int main(void);\n");
    let runs = watch.wait_lines("runs", 2);
    assert!(first[0].starts_with("gantry "), "{first:?}");
    assert_eq!(runs[1], first[0], "{runs:?}");
    assert_eq!(watch.stop(), 130);
    assert_eq!(repo.run_json(2)["status"], "passed");
}

#[test]
fn a_write_during_a_run_cancels_it_and_starts_over() {
    let marks = marks();
    let pids = marks.path().join("pids");
    let repo = Repo::new(&format!(
        "version: 1
stages:
  - name: test
    run: echo $$ >> {pids}; sleep 60; echo finished >> {done}
",
        pids = pids.display(),
        done = marks.path().join("done").display()
    ));
    let mut watch = Watch::start(&repo, marks, &[]);
    let first: i32 = watch.wait_lines("pids", 1)[0].parse().unwrap();
    repo.write("input.txt", "edit\n");
    let second: i32 = watch.wait_lines("pids", 2)[1].parse().unwrap();
    assert_ne!(first, second);
    assert!(
        !process_running(first),
        "the cancelled run's shell is stopped"
    );
    assert!(
        !watch.mark("done").exists(),
        "the cancelled run did not go on"
    );
    assert_eq!(repo.run_json(1)["status"], "interrupted");
    assert_eq!(watch.stop(), 130);
    assert!(!process_running(second), "stopping the watch stops its run");
    assert_eq!(repo.run_json(2)["status"], "interrupted");
}

#[test]
fn writes_under_gantry_git_and_gitignored_paths_start_no_run() {
    let marks = marks();
    let repo = counting_repo(marks.path());
    repo.git(&["init", "-q"]);
    repo.write(".gitignore", "build/\n");
    let mut watch = Watch::start(&repo, marks, &[]);
    watch.wait_lines("runs", 1);
    repo.write(".gantry/scratch.txt", "not an input\n");
    repo.write("build/out.o", "not an input\n");
    repo.write(".git/info/notes", "not an input\n");
    // A real change afterwards: the run it starts lists every change seen
    // since the last run, so an ignored write would show up here.
    repo.write("src/main.c", "int main(void);\n");
    watch.wait_lines("runs", 2);
    let stderr = watch.wait_lines("stderr", 3).join("\n");
    assert!(stderr.contains("changed: src/main.c"), "{stderr}");
    for ignored in [".gantry", "build/", ".git/"] {
        assert!(!stderr.contains(ignored), "{ignored} in: {stderr}");
    }
    assert_eq!(watch.stop(), 130);
    // Every run was started by a listed change (the runs' own records under
    // .gantry/ started none).
    let started_by_changes = stderr.matches("changed:").count();
    assert_eq!(
        watch.lines("runs").len(),
        started_by_changes + 1,
        "{stderr}"
    );
}

#[test]
fn gantry_approve_approves_the_gates_of_watched_runs() {
    let marks = marks();
    let repo = Repo::new(&format!(
        "version: 1
stages:
  - name: gate
    approval: Go?
  - name: build
    run: echo run >> {}
",
        marks.path().join("runs").display()
    ));
    let mut watch = Watch::start_with_env(&repo, marks, &[], &[("GANTRY_APPROVE", "1")]);
    watch.wait_lines("runs", 1);
    watch.wait_for("stderr", "waiting for changes");
    assert_eq!(watch.stop(), 130);
    assert_eq!(repo.run_json(1)["status"], "passed");
}

#[test]
fn stage_slash_action_runs_and_watches_only_that_action() {
    let marks = marks();
    let runs = marks.path().join("runs");
    let repo = Repo::new(&format!(
        "version: 1
stages:
  - name: build
    actions:
      - {{ name: one, inputs: ['one/**'], run: echo one >> {runs} }}
      - {{ name: two, inputs: ['two/**'], run: echo two >> {runs} }}
",
        runs = runs.display()
    ));
    repo.write("one/a.txt", "1\n");
    repo.write("two/b.txt", "2\n");
    let mut watch = Watch::start(&repo, marks, &["build/one"]);
    assert_eq!(watch.wait_lines("runs", 1), ["one"]);
    repo.write("two/b.txt", "not watched\n");
    // A watched change afterwards: its run lists every change seen since
    // the last run, so the other action's input would show up here.
    repo.write("one/a.txt", "watched\n");
    watch.wait_lines("runs", 2);
    let stderr = watch.wait_lines("stderr", 3).join("\n");
    assert!(stderr.contains("changed: one/a.txt"), "{stderr}");
    assert!(!stderr.contains("two/b.txt"), "{stderr}");
    assert_eq!(watch.stop(), 130);
    assert_eq!(watch.lines("runs"), ["one", "one"]);
}

/// A write while the teardown of a run waits for a hung removal of its
/// service's container re-runs the pipeline, but only after that removal
/// ran to its limit: a re-run never cuts a removal short (only Ctrl-C
/// does). A stand-in podman in `marks`, outside the watched repository:
/// run 1's container's removal hangs, run 2's is instant.
#[test]
fn a_write_during_a_hung_container_removal_does_not_cut_it_short() {
    use std::os::unix::fs::PermissionsExt;
    let marks = marks();
    let m = marks.path().display().to_string();
    let bin = marks.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let podman = format!(
        "#!/bin/sh\nwhile [ \"${{1#--}}\" != \"$1\" ]; do shift 2; done\ncase \"$1\" in\n  run) exec sleep 120 ;;\n  rm) [ \"$5\" = gantry-wrm-1-db ] || exit 0; echo $$ >> '{m}/engine.pids'; sleep 120 & echo $! >> '{m}/engine.pids'; echo started >> '{m}/rm.started'; wait ;;\nesac\nexit 0\n"
    );
    for (name, text) in [
        ("podman", podman.as_str()),
        ("docker", "#!/bin/sh\nexit 1\n"),
    ] {
        std::fs::write(bin.join(name), text).unwrap();
        std::fs::set_permissions(bin.join(name), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let repo = Repo::new(&format!(
        "version: 1\nname: wrm\nservices:\n  db:\n    image: localhost/db:1\n    ready: {{ run: \"true\" }}\nstages:\n  - name: test\n    run: echo run >> '{m}/runs'\n"
    ));
    let path = format!("{}:/usr/bin:/bin", bin.display());
    let env = [
        ("PATH", path.as_str()),
        ("GANTRY_TEST_HOUSEKEEPING_MS", "3000"),
    ];
    let mut watch = Watch::start_with_env(&repo, marks, &[], &env);
    watch.wait_lines("rm.started", 1);
    repo.write("input.txt", "edit\n");
    watch.wait_lines("runs", 2);
    watch.wait_for("stdout", "[service db] stopped");
    let stdout = watch.lines("stdout").join("\n");
    assert!(
        stdout.contains("`podman rm -f -t 0 gantry-wrm-1-db` did not answer within 3.0s"),
        "{stdout}"
    );
    assert!(!stdout.contains("was interrupted"), "{stdout}");
    assert_eq!(watch.stop(), 130);
    for pid in watch.wait_lines("engine.pids", 2) {
        let pid: i32 = pid.parse().unwrap();
        assert!(!process_running(pid), "engine process {pid} still runs");
    }
}
