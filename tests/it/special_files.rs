//! Every file gantry reads is refused by type when it is a FIFO, device or
//! socket (before it is opened: no hang) and by size above 16 MiB (no
//! reading a sparse file or a device into memory).

use crate::common;

use std::time::Duration;

use common::{Gantry, Outcome, Repo};

/// Generous: these commands take milliseconds; a blocked open never ends.
const DEADLINE: Duration = Duration::from_secs(60);

/// Runs gantry with `args` in `repo`, failing the test if it hangs.
fn bounded(repo: &Repo, args: &[&str]) -> Outcome {
    Gantry::in_repo(repo).args(args).deadline(DEADLINE).run()
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
    bounded(&repo, &["run"])
        .code(2)
        .stderr_has("cannot read the config: it is a FIFO")
        .stderr_has("--> gantry.yml");
    std::fs::remove_file(repo.path().join("gantry.yml")).unwrap();
    sparse(&repo, "gantry.yml", SEVENTEEN_MIB);
    bounded(&repo, &["run"])
        .code(2)
        .stderr_has("more than the 16 MiB");
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
        bounded(&repo, &["validate", file])
            .code(2)
            .has(what)
            .has(file);
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
    bounded(&repo, &["run"])
        .code(2)
        .stderr_has(".env: it is a FIFO");
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
    let out = bounded(&repo, &["init"]);
    out.success();
    assert!(repo.read("gantry.yml").contains("cargo"), "{out}");
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
    repo.run(&["run"]).success();
    repo.run(&["run"]).success();
    mkfifo(&repo, ".gantry/runs/2/run.json");
    mkfifo(&repo, ".gantry/runs/1/s/s.log");
    bounded(&repo, &["history"]).success();
    let out = bounded(&repo, &["logs", "1"]);
    assert_ne!(out.code, 0, "{out}");
    out.stderr_has("s.log: it is a FIFO");
}
