//! Every file gantry reads is refused by type when it is a FIFO, device or
//! socket (before it is opened: no hang) and by size above 16 MiB (no
//! reading a sparse file or a device into memory).

use crate::common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Outcome, Repo};

/// Generous: these commands take milliseconds; a blocked open never ends.
const DEADLINE: Duration = Duration::from_secs(60);

/// Runs `command`, killing it if it is still running at the deadline.
fn run_bounded(mut command: Command) -> Outcome {
    let start = Instant::now();
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gantry starts");
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("gantry hung (killed after {DEADLINE:?})");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    Outcome {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        elapsed: start.elapsed(),
    }
}

fn mkfifo(repo: &Repo, relative: &str) {
    let path = repo.path().join(relative);
    let _ = std::fs::remove_file(&path);
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    assert_eq!(
        unsafe { libc::mkfifo(c.as_ptr(), 0o644) },
        0,
        "mkfifo {relative}"
    );
}

fn sparse(repo: &Repo, relative: &str, size: u64) {
    let file = std::fs::File::create(repo.path().join(relative)).unwrap();
    file.set_len(size).unwrap();
}

const SEVENTEEN_MIB: u64 = 17 * 1024 * 1024;

#[test]
fn a_fifo_or_oversized_gantry_yml_is_refused() {
    let repo = Repo::empty();
    mkfifo(&repo, "gantry.yml");
    let out = run_bounded(repo.command(&["run"]));
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("gantry.yml"), "{}", out.stderr);
    assert!(out.stderr.contains("FIFO"), "{}", out.stderr);
    std::fs::remove_file(repo.path().join("gantry.yml")).unwrap();
    sparse(&repo, "gantry.yml", SEVENTEEN_MIB);
    let out = run_bounded(repo.command(&["run"]));
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr.contains("more than the 16 MiB"),
        "{}",
        out.stderr
    );
}

#[test]
fn validate_refuses_a_fifo_a_device_and_a_sparse_appspec() {
    let repo = Repo::empty();
    mkfifo(&repo, "appspec.yml");
    sparse(&repo, "big.yml", SEVENTEEN_MIB);
    for (file, what) in [
        ("appspec.yml", "FIFO"),
        ("/dev/zero", "a device"),
        ("big.yml", "more than the 16 MiB"),
    ] {
        let out = run_bounded(repo.command(&["validate", file]));
        assert_eq!(out.code, 2, "{file}: {}", out.all());
        assert!(out.all().contains(what), "{file}: {}", out.all());
        assert!(out.all().contains(file), "{file}: {}", out.all());
    }
}

#[test]
fn a_fifo_env_file_is_refused() {
    let repo = Repo::new(
        "version: 1
env_file: .env
stages:
  - name: s
    run: 'true'
",
    );
    mkfifo(&repo, ".env");
    let out = run_bounded(repo.command(&["run"]));
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains(".env: it is a FIFO"), "{}", out.stderr);
}

#[test]
fn init_passes_over_fifos_named_like_the_files_it_reads() {
    let repo = Repo::empty();
    repo.write(
        "Cargo.toml",
        "[package]\nname = \"x\"\nversion = \"0.1.0\"\n",
    );
    for name in [
        "Makefile",
        "justfile",
        "Taskfile.yml",
        "tox.ini",
        "package.json",
        ".gitlab-ci.yml",
    ] {
        mkfifo(&repo, name);
    }
    let out = run_bounded(repo.command(&["init"]));
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(repo.read("gantry.yml").contains("cargo"), "{}", out.all());
}

#[test]
fn records_and_logs_that_are_fifos_do_not_hang_history_or_logs() {
    let repo = Repo::new(
        "version: 1
stages:
  - name: s
    run: echo hello
",
    );
    assert_eq!(repo.run(&["run"]).code, 0);
    assert_eq!(repo.run(&["run"]).code, 0);
    mkfifo(&repo, ".gantry/runs/2/run.json");
    mkfifo(&repo, ".gantry/runs/1/s/s.log");
    let out = run_bounded(repo.command(&["history"]));
    assert_eq!(out.code, 0, "{}", out.all());
    let out = run_bounded(repo.command(&["logs", "1"]));
    assert_ne!(out.code, 0, "{}", out.all());
    assert!(out.stderr.contains("s.log: it is a FIFO"), "{}", out.stderr);
}
