//! Deployments at scale: the kept bundle stores an unchanged file once,
//! large groups deploy with bounded parallelism and a summarised view.

use std::os::unix::fs::MetadataExt;

use super::common::Repo;
use super::{deploy, state};

/// The bundle directory of every deployment, oldest first.
fn bundles(repo: &Repo) -> Vec<std::path::PathBuf> {
    state(repo)["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            repo.path().join(format!(
                ".gantry/deployments/dev/{}/revision",
                d["bundle"].as_str().unwrap()
            ))
        })
        .collect()
}

/// A repository with one folder instance and a revision `rev/` whose
/// AppSpec installs `app/` to `/srv/app`.
fn one_instance_repo() -> Repo {
    let repo =
        Repo::new("version: 1\ndeploy_groups: { dev: {} }\nstages: [ { name: s, run: 'true' } ]\n");
    repo.write(
        "rev/appspec.yml",
        "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /srv/app\n",
    );
    repo
}

#[test]
fn a_second_bundle_links_unchanged_files_and_writes_changed_ones() {
    let repo = one_instance_repo();
    repo.write("rev/app/same.txt", "unchanged\n");
    repo.write("rev/app/changed.txt", "first\n");
    let out = deploy(&repo, &["deploy", "--revision", "rev"]);
    assert_eq!(out.code, 0, "{}", out.all());
    repo.write("rev/app/changed.txt", "second, longer\n");
    let out = deploy(&repo, &["deploy", "--revision", "rev"]);
    assert_eq!(out.code, 0, "{}", out.all());

    let [first, second] = &bundles(&repo)[..] else {
        panic!("two deployments expected: {:?}", bundles(&repo));
    };
    let ino = |p: std::path::PathBuf| std::fs::metadata(p).unwrap().ino();
    assert_eq!(
        ino(first.join("app/same.txt")),
        ino(second.join("app/same.txt"))
    );
    assert_ne!(
        ino(first.join("app/changed.txt")),
        ino(second.join("app/changed.txt"))
    );
    assert_eq!(
        std::fs::read_to_string(first.join("app/changed.txt")).unwrap(),
        "first\n"
    );
    assert_eq!(
        repo.read(".gantry/targets/dev/1/srv/app/changed.txt"),
        "second, longer\n"
    );
}

/// A group of `n` HalfAtATime instances with `max_parallel: 3`, whose hook
/// records how many instances run it at once and fails on instance `fail`.
fn large_group(n: usize, fail: &str) -> Repo {
    let repo = Repo::new(&format!(
        "version: 1\ndeploy_groups:\n  dev: {{ instances: {n}, config: HalfAtATime, max_parallel: 3 }}\nstages: [ {{ name: s, run: 'true' }} ]\n"
    ));
    repo.write(
        "rev/appspec.yml",
        "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /srv/app\nhooks:\n  AfterInstall:\n    - location: hook.sh\n",
    );
    repo.write("rev/app/index.html", "x\n");
    // Each running hook holds a file in $RUNNING; the most seen at once is
    // appended to $PEAK (mkdir is the lock).
    super::common::write_exec(
        &repo,
        "rev/hook.sh",
        &format!(
            "#!/bin/sh\nme=\"$RUNNING/$(basename \"$PWD\")\"\ntouch \"$me\"\nls \"$RUNNING\" | wc -l >> \"$PEAK\"\necho \"instance $(basename \"$PWD\") says hello\"\nsleep 0.05\nrm \"$me\"\n[ \"$(basename \"$PWD\")\" != \"{fail}\" ]\n"
        ),
    );
    std::fs::create_dir_all(repo.path().join("running")).unwrap();
    repo
}

fn run_large(repo: &Repo) -> super::common::Outcome {
    let mut command = repo.command(&["deploy", "--revision", "rev", "--no-rollback"]);
    command
        .env("RUNNING", repo.path().join("running"))
        .env("PEAK", repo.path().join("peak"));
    super::common::run_command(command)
}

#[test]
fn a_large_group_is_summarised_and_bounded_by_max_parallel() {
    let repo = large_group(24, "none");
    let out = run_large(&repo);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout.contains("batch 1 of 2: 12 instances"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("dev: 12/24 succeeded · batch 1/2"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("dev: 24/24 succeeded · batch 2/2"),
        "{}",
        out.stdout
    );
    // No line per instance in the output; each instance's log has its lines.
    assert!(!out.stdout.contains("says hello"), "{}", out.stdout);
    assert!(!out.stdout.contains("dev/5 succeeded"), "{}", out.stdout);
    let peak: Vec<usize> = repo
        .read("peak")
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect();
    assert_eq!(peak.len(), 24);
    assert!(
        peak.iter().all(|&p| p <= 3),
        "more than 3 at once: {peak:?}"
    );
}

#[test]
fn a_large_group_lists_its_failures_only() {
    let repo = large_group(24, "7");
    let out = run_large(&repo);
    assert_ne!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout.contains("dev/7 failed in AfterInstall"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("dev/8 succeeded"), "{}", out.stdout);
    // 12 of the first batch ran; 11 healthy + 12 deploying < 12: stopped.
    assert!(
        out.stdout.contains("dev: 11/24 succeeded · batch 1/2"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_small_group_keeps_a_line_per_instance() {
    let repo = large_group(4, "none");
    let out = run_large(&repo);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout.contains("batch 1 of 2: dev/1, dev/2"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("says hello"), "{}", out.stdout);
    assert!(!out.stdout.contains("succeeded · batch"), "{}", out.stdout);
}

/// An instance is recorded as deployed in `state.json`, or its Install
/// journal is still there: `state.json` is written in batches, and a
/// journal goes only once its instance's record is on disk.
#[test]
fn kill_9_with_finished_instances_not_yet_recorded_is_recovered_consistently() {
    let repo = Repo::new(
        "version: 1\ndeploy_groups:\n  dev: { instances: 40, config: AllAtOnce, max_parallel: 4 }\nstages: [ { name: s, run: 'true' } ]\n",
    );
    let files = "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /srv/app\n";
    repo.write("rev1/appspec.yml", files);
    repo.write("rev1/app/old.txt", "first\n");
    let out = deploy(&repo, &["deploy", "--revision", "rev1"]);
    assert_eq!(out.code, 0, "{}", out.all());

    // Instance 30's hook says it runs (its pid in $MARK) and waits: gantry
    // is killed while the other instances have finished or are in flight.
    repo.write(
        "rev2/appspec.yml",
        &format!("{files}hooks:\n  AfterInstall:\n    - location: hook.sh\n"),
    );
    repo.write("rev2/app/new.txt", "second\n");
    super::common::write_exec(
        &repo,
        "rev2/hook.sh",
        "#!/bin/sh\nif [ \"$(basename \"$PWD\")\" = 30 ] && [ ! -e \"$MARK\" ]; then echo $$ > \"$MARK.tmp\"; mv \"$MARK.tmp\" \"$MARK\"; exec sleep 120; fi\n",
    );
    let mark = repo.path().join("mark");
    let mut child = repo.command(&["deploy", "--revision", "rev2"]);
    child
        .env("MARK", &mark)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = child.spawn().unwrap();
    assert!(
        super::common::wait_for_file(&repo, "mark", std::time::Duration::from_secs(120)),
        "instance 30's hook never ran"
    );
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let sleeper: i32 = repo.read("mark").trim().parse().unwrap();
    // SAFETY: a plain kill(2) of the hook's sleep, which this test started.
    unsafe { libc::kill(sleeper, libc::SIGKILL) };

    let second = state(&repo)["deployments"][1]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let deployed = |s: &serde_json::Value, n: usize| {
        s["instances"][n.to_string()]["last_successful"].as_str() == Some(second.as_str())
    };
    let killed = state(&repo);
    let mut installed = 0;
    for n in 1..=40 {
        let inst = repo.path().join(format!(".gantry/targets/dev/{n}"));
        let journal = repo
            .path()
            .join(format!(".gantry/deployments/dev/{second}/{n}.journal"));
        if inst.join("srv/app/new.txt").exists() {
            installed += 1;
            assert!(
                deployed(&killed, n) || journal.exists(),
                "instance {n} holds the new files with neither a record nor a journal"
            );
        }
    }
    assert!(installed > 1, "gantry was killed before Install ran");

    let out = repo.run(&["deploy", "--recover"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let recovered = state(&repo);
    // A missing file names the instance, its records and what recovery said.
    let read = |n: usize, file: &str| {
        let path = repo
            .path()
            .join(format!(".gantry/targets/dev/{n}/srv/app/{file}"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "instance {n}: cannot read {}: {e}\nrecord when killed: {}\nrecord after --recover: {}\n{}",
                path.display(),
                killed["instances"][n.to_string()],
                recovered["instances"][n.to_string()],
                out.all()
            )
        })
    };
    for n in 1..=40 {
        let inst = repo.path().join(format!(".gantry/targets/dev/{n}"));
        if deployed(&recovered, n) {
            assert_eq!(read(n, "new.txt"), "second\n", "instance {n}");
            assert!(!inst.join("srv/app/old.txt").exists(), "instance {n}");
        } else {
            assert!(!inst.join("srv/app/new.txt").exists(), "instance {n}");
            assert_eq!(read(n, "old.txt"), "first\n", "instance {n}");
        }
    }
    // The records match the files: with DISALLOW, a file left on an
    // instance that its record does not list would stop this deployment.
    let mut again = repo.command(&["deploy", "--revision", "rev2"]);
    again.env("MARK", &mark);
    let out = super::common::run_command(again);
    assert_eq!(out.code, 0, "{}", out.all());
}

/// Install leaves a file that already holds the revision's bytes where it
/// is (same inode), writes a changed one, rewrites one edited on the
/// instance behind gantry's back, and a rollback still puts back the
/// previous content.
#[test]
fn install_leaves_unchanged_files_in_place_and_rollback_still_restores() {
    let repo = one_instance_repo();
    repo.write("rev/app/same.txt", "unchanged\n");
    repo.write("rev/app/sub/deep.txt", "deep\n");
    repo.write("rev/app/edited.txt", "original\n");
    repo.write("rev/app/changed.txt", "first\n");
    let out = deploy(&repo, &["deploy", "--revision", "rev"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let inst = repo.path().join(".gantry/targets/dev/1/srv/app");
    let ino = |p: &str| std::fs::metadata(inst.join(p)).unwrap().ino();
    let (same, deep, changed) = (ino("same.txt"), ino("sub/deep.txt"), ino("changed.txt"));
    // Edited on the instance: same size, modification time put back.
    let edited = inst.join("edited.txt");
    let mtime = std::fs::metadata(&edited).unwrap().modified().unwrap();
    std::fs::write(&edited, "0riginal\n").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&edited)
        .unwrap()
        .set_modified(mtime)
        .unwrap();

    repo.write("rev/app/changed.txt", "second, longer\n");
    let out = deploy(&repo, &["deploy", "--revision", "rev"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.all().contains("installed 2 files") && out.all().contains("2 unchanged left in place"),
        "{}",
        out.all()
    );
    assert_eq!(ino("same.txt"), same, "an unchanged file was rewritten");
    assert_eq!(ino("sub/deep.txt"), deep, "an unchanged file was rewritten");
    assert_ne!(ino("changed.txt"), changed);
    assert_eq!(
        repo.read(".gantry/targets/dev/1/srv/app/changed.txt"),
        "second, longer\n"
    );
    assert_eq!(
        repo.read(".gantry/targets/dev/1/srv/app/edited.txt"),
        "original\n"
    );

    let out = deploy(&repo, &["deploy", "--rollback"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(
        repo.read(".gantry/targets/dev/1/srv/app/changed.txt"),
        "first\n"
    );
    assert_eq!(
        repo.read(".gantry/targets/dev/1/srv/app/same.txt"),
        "unchanged\n"
    );
    assert_eq!(ino("same.txt"), same);

    // A revision without them removes the kept files and their folder.
    std::fs::remove_dir_all(repo.path().join("rev/app")).unwrap();
    repo.write("rev/app/only.txt", "only\n");
    let out = deploy(&repo, &["deploy", "--revision", "rev"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let mut left: Vec<String> = std::fs::read_dir(&inst)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["only.txt"]);
}
