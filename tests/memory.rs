//! Memory stays bounded whatever an action prints. Alone in its own test
//! binary: RUSAGE_CHILDREN covers every child this process waited for.

mod common;

use common::Repo;

#[test]
fn an_action_printing_1_gib_keeps_peak_rss_under_64_mib() {
    let repo = Repo::new(
        "version: 1
secrets: [NEVER_PRINTED]
stages:
  - name: flood
    run: yes \"$(head -c 1000 /dev/zero | tr '\\0' x)\" | head -c 1073741824
  - name: one_line
    run: head -c 268435456 /dev/zero | tr '\\0' y
",
    );
    let status = repo
        .command(&["run"])
        .env("NEVER_PRINTED", "a-secret-value")
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let log = std::fs::metadata(repo.path().join(".gantry/runs/1/flood/flood.log")).unwrap();
    assert_eq!(log.len(), 1 << 30, "the whole output is logged");
    // SAFETY: getrusage fills the struct we pass.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    let peak_mib = usage.ru_maxrss / 1024;
    assert!(peak_mib < 64, "peak RSS {peak_mib} MiB");
    eprintln!("peak RSS of gantry (and its children): {peak_mib} MiB");
}
