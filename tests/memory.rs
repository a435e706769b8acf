//! Memory stays bounded whatever an action prints. The peak is read from
//! `wait4` on the one gantry process (it covers gantry and the children it
//! waited for).
//!
//! The one test kept out of the `it` binary: Linux counts a process's RSS
//! before exec (its parent's, shared through fork) in its peak, and the `it`
//! binary running hundreds of tests has a peak far above the limit.

#[path = "it/common/mod.rs"]
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
    let child = repo
        .command(&["run"])
        .env("NEVER_PRINTED", "a-secret-value")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (status, usage) = wait_with_usage(child);
    assert!(
        libc::WIFEXITED(status),
        "gantry ended by a signal: {status}"
    );
    assert_eq!(libc::WEXITSTATUS(status), 0);
    let log = std::fs::metadata(repo.path().join(".gantry/runs/1/flood/flood.log")).unwrap();
    assert_eq!(log.len(), 1 << 30, "the whole output is logged");
    assert!(usage.ru_maxrss > 0, "wait4 reported no memory use");
    let peak_mib = usage.ru_maxrss / 1024;
    assert!(peak_mib < 64, "peak RSS {peak_mib} MiB");
    eprintln!("peak RSS of gantry (and its children): {peak_mib} MiB");
}

/// Waits for `child` with `wait4`: its raw wait status and the resource use
/// of that process and the descendants it waited for (no other child's).
fn wait_with_usage(child: std::process::Child) -> (i32, libc::rusage) {
    let pid = child.id() as libc::pid_t;
    // The Child is not waited for again: dropping it does not reap.
    drop(child);
    let mut status = 0;
    // SAFETY: wait4 fills the status and rusage we pass; rusage is plain data.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(reaped, pid, "wait4: {}", std::io::Error::last_os_error());
    (status, usage)
}
