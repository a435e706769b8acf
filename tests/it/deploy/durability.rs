//! A crash never loses a deploy group's history: `state.json` is on disk
//! (its data flushed before the rename that replaces it, its folder after)
//! before the undo journals of the instances it records as finished are
//! deleted. Checked from the system calls gantry makes (`strace`), since
//! a crash cannot be staged in a test.

use std::process::Command;

use super::common::{have_program, run_command, Repo};
use super::{revision, TWO_ONE_AT_A_TIME};

#[test]
fn state_json_is_flushed_and_renamed_before_any_journal_is_deleted() {
    if !have_program("strace", "apt-get install strace") {
        return;
    }
    let repo = Repo::new(TWO_ONE_AT_A_TIME);
    revision(&repo, "rev", "v1");
    let trace = repo.path().join("trace");
    let gantry = repo
        .gantry()
        .args(["deploy", "--revision", "rev"])
        .env("HOOK_LOG", repo.path().join("hooks.log"))
        .command();
    let mut traced = Command::new("strace");
    traced
        .args(["-f", "-y", "-qq", "-o"])
        .arg(&trace)
        .args([
            "-e",
            "trace=fsync,fdatasync,rename,renameat,renameat2,unlink,unlinkat",
        ])
        .arg(gantry.get_program())
        .args(gantry.get_args())
        .current_dir(gantry.get_current_dir().unwrap());
    for (name, value) in gantry.get_envs() {
        match value {
            Some(value) => traced.env(name, value),
            None => traced.env_remove(name),
        };
    }
    let out = run_command(traced);
    out.success();
    let calls: Vec<String> = std::fs::read_to_string(&trace)
        .unwrap()
        .lines()
        .filter(|l| !l.contains("resumed>") && !l.contains("<unfinished"))
        .map(|l| {
            l.split_once(' ')
                .map_or(l, |(_, call)| call.trim())
                .to_string()
        })
        .collect();
    let find = |what: &dyn Fn(&str) -> bool, after: usize| {
        calls[after..]
            .iter()
            .position(|c| what(c))
            .map(|i| i + after)
    };
    let state_tmp = |c: &str| c.contains("/.state.json.") && c.contains(".tmp");
    let mut at = 0;
    let mut saves = 0;
    // Every save of state.json: fsync of its temporary file, the rename
    // over state.json, then fsync of the group's folder.
    while let Some(flush) = find(&|c| c.starts_with("fsync(") && state_tmp(c), at) {
        let rename = find(&|c| c.starts_with("rename") && state_tmp(c), flush)
            .unwrap_or_else(|| panic!("no rename after {}:\n{calls:#?}", calls[flush]));
        assert!(calls[rename].contains("/state.json\""), "{}", calls[rename]);
        let dir = find(
            &|c| c.starts_with("fsync(") && c.contains("/deployments/dev>"),
            rename,
        )
        .unwrap_or_else(|| panic!("no folder fsync after {}:\n{calls:#?}", calls[rename]));
        at = dir + 1;
        saves += 1;
    }
    assert!(saves > 0, "state.json was never flushed:\n{calls:#?}");
    // Each journal is deleted only after a state.json that holds its
    // instance as finished is on disk.
    let journals: Vec<usize> = (0..calls.len())
        .filter(|&i| calls[i].starts_with("unlink") && calls[i].contains(".journal\""))
        .collect();
    assert!(!journals.is_empty(), "no journal deleted:\n{calls:#?}");
    for i in journals {
        let durable_before = (0..i)
            .rev()
            .find(|&j| calls[j].starts_with("fsync(") && calls[j].contains("/deployments/dev>"));
        let renamed_before = (0..i)
            .rev()
            .find(|&j| calls[j].starts_with("rename") && state_tmp(&calls[j]));
        assert!(
            matches!((renamed_before, durable_before), (Some(r), Some(d)) if r < d),
            "{} before state.json was on disk:\n{calls:#?}",
            calls[i]
        );
    }
}
