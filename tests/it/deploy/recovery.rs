//! OVERWRITE never loses a file: a deployment killed with `kill -9` in the
//! middle of Install, one that fills the disk, and one stopped with Ctrl-C
//! during AfterInstall leave the instance restorable — or restored — to
//! exactly what it was before, hand-placed files and modes included.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::common::{copy_tree, tree, wait_for_file, write_exec, Repo};
use super::{deploy, state, statuses};

const GROUP: &str = "version: 1\ndeploy_groups: { dev: { instances: [inst] } }\nstages: [ { name: s, run: 'true' } ]\n";

/// Installs `app` at /srv/app, replacing what is there, and sets every
/// directory below the root (hand-placed ones too) to 0751.
const OVERWRITING: &str = "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /srv/app\nfile_exists_behavior: OVERWRITE\npermissions:\n  - object: /\n    mode: 751\n    type: [directory]\n";

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Files and modes an operator placed on the instance by hand, some where
/// the revision installs files.
fn hand_place(inst: &Path) {
    std::fs::create_dir_all(inst.join("srv/app/handdir")).unwrap();
    std::fs::write(inst.join("srv/app/hand.txt"), "placed by hand\n").unwrap();
    std::fs::write(inst.join("srv/app/handdir/notes"), "mine\n").unwrap();
    set_mode(&inst.join("srv/app/hand.txt"), 0o600);
    set_mode(&inst.join("srv/app/handdir"), 0o700);
    set_mode(&inst.join("srv/app"), 0o750);
    set_mode(&inst.join("srv"), 0o700);
}

/// Fails unless `inst` is exactly `before` (a copy taken earlier): same
/// files and contents (`diff -r`), same modes (`stat`).
#[track_caller]
fn same_as(before: &Path, inst: &Path) {
    let diff = Command::new("diff")
        .arg("-r")
        .arg(before)
        .arg(inst)
        .output()
        .unwrap();
    assert!(
        diff.status.success(),
        "diff -r:\n{}",
        String::from_utf8_lossy(&diff.stdout)
    );
    let modes = |dir: &Path| {
        let out = Command::new("sh")
            .arg("-c")
            .arg("cd \"$1\" && find . -mindepth 1 -print0 | sort -z | xargs -0 stat -c '%a %U %G %n'")
            .arg("sh")
            .arg(dir)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(modes(before), modes(inst), "modes differ (stat)");
    assert_eq!(tree(before), tree(inst));
}

/// A copy of `inst` with its modes, to compare with later.
fn snapshot(inst: &Path, to: &Path) {
    copy_tree(inst, to);
    let fix = Command::new("sh")
        .arg("-c")
        .arg("cd \"$1\" && find . -mindepth 1 | while read -r p; do chmod \"$(stat -c %a \"$p\")\" \"$2/$p\"; done")
        .arg("sh")
        .arg(inst)
        .arg(to)
        .status()
        .unwrap();
    assert!(fix.success());
}

#[test]
fn kill_9_in_the_middle_of_installing_4000_files_is_undone_by_recover() {
    let repo = Repo::new(GROUP);
    let inst = repo.path().join("inst");
    // A first deployment, then hand-placed files over it.
    repo.write("rev1/appspec.yml", OVERWRITING);
    for i in 0..5 {
        repo.write(&format!("rev1/app/f{i}"), &format!("first {i}\n"));
    }
    let out = deploy(&repo, &["deploy", "--revision", "rev1"]);
    assert_eq!(out.code, 0, "{}", out.all());
    hand_place(&inst);
    let before = tempfile::tempdir().unwrap();
    snapshot(&inst, before.path());

    repo.write("rev2/appspec.yml", OVERWRITING);
    for d in 0..40 {
        for f in 0..100 {
            repo.write(&format!("rev2/app/d{d:02}/f{f:03}"), "new\n");
        }
    }
    repo.write("rev2/app/hand.txt", "from the revision\n");
    let mut child = repo
        .command(&["deploy", "--revision", "rev2"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !inst.join("srv/app/d02/f000").exists() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "Install never started"
        );
        assert!(child.try_wait().unwrap().is_none(), "gantry ended early");
        std::thread::yield_now();
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    // Files are copied several at a time, in no fixed order: one missing
    // is enough to show Install was interrupted.
    let copied = (0..40)
        .flat_map(|d| (0..100).map(move |f| format!("srv/app/d{d:02}/f{f:03}")))
        .filter(|p| inst.join(p).exists())
        .count();
    assert!(
        copied < 4000,
        "killed after Install had finished: the test did not interrupt it"
    );
    assert_ne!(
        std::fs::read_to_string(inst.join("srv/app/hand.txt"))
            .ok()
            .as_deref(),
        Some("placed by hand\n"),
        "the hand-placed file had been replaced when gantry was killed"
    );

    let out = repo.run(&["deploy", "--recover"]);
    assert_eq!(out.code, 0, "{}", out.all());
    out.has("recovered instance 1");
    out.has("did not finish; restored it as it was before: put back 6 files");
    same_as(before.path(), &inst);
    let out = repo.run(&["deploy", "--recover"]);
    out.has("nothing to recover");
    assert_eq!(statuses(&repo), ["succeeded", "stopped"]);

    // The next deployment goes ahead, and keeps the hand-placed file it replaces.
    let out = deploy(&repo, &["deploy", "--revision", "rev2"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let replaced = &state(&repo)["instances"]["1"]["replaced"];
    let saved = replaced[0]["saved"].as_str().unwrap();
    assert_eq!(
        std::fs::read_to_string(saved).unwrap(),
        "placed by hand\n",
        "{replaced}"
    );
}

/// Mounts a 2 MiB tmpfs at `dir`; unmounted when dropped.
struct Tmpfs<'a>(&'a Path);

impl<'a> Tmpfs<'a> {
    fn mount(dir: &'a Path) -> Option<Tmpfs<'a>> {
        std::fs::create_dir_all(dir).unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"])
            .arg(dir)
            .stderr(Stdio::null())
            .status();
        match status {
            Ok(s) if s.success() => Some(Tmpfs(dir)),
            _ if std::env::var("CI").as_deref() == Ok("true") => {
                panic!("cannot mount a tmpfs (CI runs as root and must be able to)")
            }
            _ => {
                eprintln!("skipped: cannot mount a tmpfs here (not root?); CI runs this test");
                None
            }
        }
    }
}

impl Drop for Tmpfs<'_> {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.0).status();
    }
}

#[test]
fn a_disk_that_fills_up_during_install_leaves_the_instance_as_it_was() {
    let repo = Repo::new(GROUP);
    let inst = repo.path().join("inst");
    let Some(_mounted) = Tmpfs::mount(&inst) else {
        return;
    };
    hand_place(&inst);
    let before = tempfile::tempdir().unwrap();
    snapshot(&inst, before.path());
    repo.write("rev/appspec.yml", OVERWRITING);
    repo.write("rev/app/hand.txt", "from the revision\n");
    let mib = "x".repeat(1024 * 1024);
    for i in 0..3 {
        repo.write(&format!("rev/app/big{i}"), &mib);
    }
    let out = deploy(&repo, &["deploy", "--revision", "rev"]);
    assert_eq!(out.code, 1, "{}", out.all());
    out.has("No space left on device");
    out.has("the instance is back as it was before");
    same_as(before.path(), &inst);
}

#[test]
fn ctrl_c_during_after_install_of_a_first_deployment_is_undone_by_the_next_deployment() {
    let repo = Repo::new(GROUP);
    let inst = repo.path().join("inst");
    hand_place(&inst);
    let before = tempfile::tempdir().unwrap();
    snapshot(&inst, before.path());
    repo.write(
        "rev/appspec.yml",
        &format!("{OVERWRITING}hooks:\n  AfterInstall:\n    - location: wait.sh\n"),
    );
    repo.write("rev/app/hand.txt", "from the revision\n");
    repo.write("rev/app/new.txt", "new\n");
    write_exec(
        &repo,
        "rev/wait.sh",
        "#!/bin/sh\ntouch \"$HOOK_LOG.started\"\nsleep 300\n",
    );
    let mut command = repo.command(&["deploy", "--revision", "rev"]);
    command.env("HOOK_LOG", repo.path().join("hooks.log"));
    let mut child = command.stdout(Stdio::null()).spawn().unwrap();
    assert!(
        wait_for_file(&repo, "hooks.log.started", Duration::from_secs(30)),
        "AfterInstall never started"
    );
    assert_eq!(
        std::fs::read_to_string(inst.join("srv/app/hand.txt")).unwrap(),
        "from the revision\n"
    );
    // SAFETY: sending a signal to our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    assert_eq!(child.wait().unwrap().code(), Some(130));

    let out = deploy(&repo, &["deploy", "--rollback"]);
    out.has("recovered instance 1");
    same_as(before.path(), &inst);

    // Stopped again, a plain `gantry deploy` restores the instance before
    // its own BeforeInstall: the hook finds it as it was (diff -r).
    std::fs::remove_file(repo.path().join("hooks.log.started")).unwrap();
    let mut child = command.stdout(Stdio::null()).spawn().unwrap();
    assert!(wait_for_file(
        &repo,
        "hooks.log.started",
        Duration::from_secs(30)
    ));
    // SAFETY: sending a signal to our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    assert_eq!(child.wait().unwrap().code(), Some(130));
    repo.write(
        "rev/appspec.yml",
        &format!("{OVERWRITING}hooks:\n  BeforeInstall:\n    - location: check.sh\n"),
    );
    write_exec(
        &repo,
        "rev/check.sh",
        "#!/bin/sh\nexec diff -r \"$BEFORE\" .\n",
    );
    let mut command = repo.command(&["deploy", "--revision", "rev"]);
    command.env("BEFORE", before.path());
    let out = super::common::run_command(command);
    assert_eq!(out.code, 0, "{}", out.all());
    out.has("recovered instance 1");
}

#[test]
fn the_kept_copy_of_a_replaced_file_outlives_pruning() {
    let repo = Repo::new(GROUP);
    let inst = repo.path().join("inst");
    hand_place(&inst);
    repo.write("rev/appspec.yml", OVERWRITING);
    repo.write("rev/app/hand.txt", "from the revision\n");
    for n in 0..8 {
        repo.write("rev/app/n.txt", &format!("{n}\n"));
        let out = deploy(&repo, &["deploy", "--revision", "rev"]);
        assert_eq!(out.code, 0, "{}", out.all());
    }
    let replaced = &state(&repo)["instances"]["1"]["replaced"];
    assert_eq!(replaced.as_array().map(Vec::len), Some(1), "{replaced}");
    let saved = replaced[0]["saved"].as_str().unwrap();
    assert_eq!(
        std::fs::read_to_string(saved).ok().as_deref(),
        Some("placed by hand\n"),
        "the only copy of the hand-placed file was pruned"
    );
}
