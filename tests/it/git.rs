//! git-aware runs: variables, the header, snapshots — on real temporary
//! git repositories.

use crate::common;

use common::Repo;

const ECHO_GIT: &str = "version: 1
stages:
  - name: show
    run: echo \"${git.sha} ${git.short_sha} ${git.branch} [${git.tag}] ${git.dirty}\" > vars.txt; env | grep ^GANTRY_GIT_ | sort > env.txt
";

#[test]
fn git_variables_are_expanded_and_exported() {
    let repo = Repo::committed(ECHO_GIT);
    repo.git(&["tag", "v1.0"]);
    let sha = repo.git(&["rev-parse", "HEAD"]);
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let expected = format!("{sha} {} main [v1.0] false\n", &sha[..7]);
    assert_eq!(repo.read("vars.txt"), expected);
    let env = repo.read("env.txt");
    assert!(env.contains(&format!("GANTRY_GIT_SHA={sha}")), "{env}");
    assert!(env.contains("GANTRY_GIT_BRANCH=main") && env.contains("GANTRY_GIT_TAG=v1.0"));
    assert!(
        out.stdout.contains(&format!("main @ {}", &sha[..7])),
        "header: {}",
        out.stdout
    );
}

#[test]
fn dirty_tree_is_reported_but_gantry_records_do_not_count() {
    let repo = Repo::committed(ECHO_GIT);
    // A first run creates .gantry/, which must not make the tree dirty.
    assert_eq!(repo.run(&["run"]).code, 0);
    std::fs::remove_file(repo.path().join("vars.txt")).unwrap();
    std::fs::remove_file(repo.path().join("env.txt")).unwrap();
    let clean = repo.run(&["run", "--dry-run"]);
    assert!(clean.stdout.contains(" false\" >"), "{}", clean.stdout);
    repo.write("new-file.txt", "x");
    let out = repo.run(&["run"]);
    assert!(repo.read("vars.txt").trim_end().ends_with("true"));
    assert!(out.stdout.contains("uncommitted changes"), "{}", out.stdout);
}

#[test]
fn outside_a_repository_git_variables_are_empty_with_a_notice() {
    let repo = Repo::new(ECHO_GIT);
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(repo.read("vars.txt"), "   [] \n");
    assert!(
        out.stdout.contains("not a git repository"),
        "{}",
        out.stdout
    );
}

#[test]
fn repository_is_found_from_a_subdirectory() {
    let repo = Repo::committed(ECHO_GIT);
    std::fs::create_dir_all(repo.path().join("a/b")).unwrap();
    let mut command = repo.command(&["run"]);
    command.current_dir(repo.path().join("a/b"));
    assert_eq!(common::run_command(command).code, 0);
    assert!(repo.read("vars.txt").contains(" main "));
}

const SNAPSHOT: &str = "version: 1
stages:
  - name: check
    run: grep -q committed content.txt && test ! -e untracked.txt && pwd > \"$OUT/where\"
";

#[test]
fn snapshot_runs_the_committed_tree_only() {
    let repo = Repo::new(SNAPSHOT);
    repo.write("content.txt", "committed\n");
    repo.git(&["init", "-q", "-b", "main"]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "initial"]);
    repo.write("content.txt", "edited in the work tree\n");
    repo.write("untracked.txt", "not committed\n");
    let out_dir = tempfile::tempdir().unwrap();
    let plain = repo
        .command(&["run"])
        .env("OUT", out_dir.path())
        .output()
        .unwrap();
    assert_eq!(
        plain.status.code(),
        Some(1),
        "the work tree fails the check"
    );

    let out = repo
        .command(&["run", "--snapshot"])
        .env("OUT", out_dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ran_in = std::fs::read_to_string(out_dir.path().join("where")).unwrap();
    assert!(
        ran_in.trim().ends_with(".gantry/snapshot"),
        "ran in {ran_in}"
    );
    assert!(
        std::path::Path::new(ran_in.trim())
            .join("content.txt")
            .exists(),
        "the checkout is kept for the next snapshot run"
    );
    let run = repo.run_json(2);
    let sha = repo.git(&["rev-parse", "HEAD"]);
    assert_eq!(run["snapshot"]["commit"], sha.as_str());
    assert_eq!(run["git"]["dirty"], false);
    assert!(
        repo.path().join(".gantry/runs/2/check/check.log").exists(),
        "records land in the real repo"
    );
}

#[test]
fn snapshot_of_an_older_revision_and_keep_snapshot() {
    let repo = Repo::new(SNAPSHOT);
    repo.write("content.txt", "committed\n");
    repo.git(&["init", "-q", "-b", "main"]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "good"]);
    let good = repo.git(&["rev-parse", "HEAD"]);
    repo.write("content.txt", "broken\n");
    repo.git(&["commit", "-q", "-am", "bad"]);
    let out_dir = tempfile::tempdir().unwrap();
    let bad = repo
        .command(&["run", "--snapshot"])
        .env("OUT", out_dir.path())
        .status()
        .unwrap();
    assert_eq!(bad.code(), Some(1));
    let out = repo
        .command(&["run", &format!("--snapshot={good}"), "--keep-snapshot"])
        .env("OUT", out_dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let kept = repo.run_json(2)["snapshot"]["dir"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        std::path::Path::new(&kept).join("content.txt").exists(),
        "kept at {kept}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains(&kept));
    std::fs::remove_dir_all(kept).unwrap();
}

#[test]
fn snapshot_errors_are_clear() {
    let plain = Repo::new(SNAPSHOT);
    let out = plain.run(&["run", "--snapshot"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("needs a git repository"),
        "{}",
        out.stderr
    );

    let repo = Repo::committed(SNAPSHOT);
    let out = repo.run(&["run", "--snapshot=no-such-rev"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("cannot resolve `no-such-rev`"),
        "{}",
        out.stderr
    );

    let uncommitted = Repo::new(SNAPSHOT);
    uncommitted.write("README", "x");
    uncommitted.git(&["init", "-q", "-b", "main"]);
    uncommitted.git(&["add", "README"]);
    uncommitted.git(&["commit", "-q", "-m", "no config"]);
    let out = uncommitted.run(&["run", "--snapshot"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("is not committed"), "{}", out.stderr);
}

const DEPLOYS: &str = "version: 1
name: shop
deploy_groups:
  dev: { instances: 1 }
stages:
  - name: ship
    deploy: { group: dev, revision: rev }
";

/// Writes revision `rev/` whose app says `version`.
fn revision(repo: &Repo, version: &str) {
    repo.write(
        "rev/appspec.yml",
        "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /srv/app\n",
    );
    repo.write("rev/app/version.txt", &format!("{version}\n"));
}

#[test]
fn a_snapshot_run_deploys_to_the_repositorys_instances_and_rollback_sees_it() {
    let repo = Repo::new(DEPLOYS);
    revision(&repo, "v1");
    repo.git(&["init", "-q", "-b", "main"]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "v1"]);
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let installed = ".gantry/targets/dev/1/srv/app/version.txt";
    assert_eq!(repo.read(installed), "v1\n");

    revision(&repo, "v2");
    repo.git(&["commit", "-q", "-am", "v2"]);
    revision(&repo, "v3, not committed");
    let out = repo.run(&["run", "--snapshot"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(
        repo.read(installed),
        "v2\n",
        "the snapshot deployed the committed v2 onto the repository's instance"
    );
    let state: serde_json::Value =
        serde_json::from_str(&repo.read(".gantry/deployments/dev/state.json")).unwrap();
    assert_eq!(state["deployments"].as_array().unwrap().len(), 2, "{state}");

    let out = repo.run(&["deploy", "--rollback"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(repo.read(installed), "v1\n", "rolled back to v1");
}

/// Counts its builds in the ignored `target/`, leaves an untracked file
/// behind, and fails if one from an earlier run is still there.
const BUILDS: &str = "version: 1
stages:
  - name: build
    script:
      - test ! -e leftover.txt
      - mkdir -p target && echo build >> target/builds
      - cp a.txt target/a-copy
      - echo junk > leftover.txt
";

fn inode_and_mtime(path: &std::path::Path) -> (u64, std::time::SystemTime) {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).unwrap();
    (meta.ino(), meta.modified().unwrap())
}

#[test]
fn the_snapshot_is_kept_and_updated_file_by_file_and_clean_starts_afresh() {
    let repo = Repo::new(BUILDS);
    repo.write(".gitignore", "target/\n");
    repo.write("a.txt", "one\n");
    repo.write("b.txt", "unchanged\n");
    repo.write("c.txt", "removed later\n");
    repo.git(&["init", "-q", "-b", "main"]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "one"]);
    let out = repo.run(&["run", "--snapshot"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(repo.run_json(1)["snapshot"]["fresh"], true);
    let snap = repo.path().join(".gantry/snapshot");
    // A run that changed a tracked file in the checkout does not leak it.
    std::fs::write(snap.join("b.txt"), "changed by a build\n").unwrap();
    let b_changed = inode_and_mtime(&snap.join("b.txt"));

    repo.write("a.txt", "two\n");
    std::fs::remove_file(repo.path().join("c.txt")).unwrap();
    repo.write("d.txt", "new\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "two"]);
    repo.write("a.txt", "not committed\n");
    let out = repo.run(&["run", "--snapshot"]);
    assert_eq!(out.code, 0, "the leftover was removed: {}", out.all());
    assert_eq!(repo.run_json(2)["snapshot"]["fresh"], false);
    assert_eq!(
        std::fs::read_to_string(snap.join("a.txt")).unwrap(),
        "two\n"
    );
    assert_eq!(
        std::fs::read_to_string(snap.join("target/a-copy")).unwrap(),
        "two\n"
    );
    assert!(!snap.join("c.txt").exists() && snap.join("d.txt").exists());
    assert_eq!(
        std::fs::read_to_string(snap.join("b.txt")).unwrap(),
        "unchanged\n",
        "a file changed in the checkout is restored"
    );
    assert_ne!(inode_and_mtime(&snap.join("b.txt")), b_changed);
    assert_eq!(
        std::fs::read_to_string(snap.join("target/builds")).unwrap(),
        "build\nbuild\n",
        "the ignored build folder survived"
    );
    let d_before = inode_and_mtime(&snap.join("d.txt"));
    let out = repo.run(&["run", "--snapshot"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(
        inode_and_mtime(&snap.join("d.txt")),
        d_before,
        "an unchanged file is not rewritten"
    );

    let out = repo.run(&["run", "--snapshot", "--clean"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(repo.run_json(4)["snapshot"]["fresh"], true);
    assert_eq!(
        std::fs::read_to_string(snap.join("target/builds")).unwrap(),
        "build\n",
        "--clean starts from an empty folder"
    );
    // The checkout's own repository sees the pushed commit, clean.
    let head = repo.git(&["rev-parse", "HEAD"]);
    let out = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(&snap)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), head);
}

#[test]
fn a_second_snapshot_run_waits_for_the_first() {
    use std::io::BufRead;
    let repo = Repo::new(
        "version: 1
stages:
  - name: hold
    script:
      - touch \"$OUT/started-${run.id}\"
      - while [ ! -e \"$OUT/release\" ]; do sleep 0.05; done
",
    );
    repo.git(&["init", "-q", "-b", "main"]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "one"]);
    let out_dir = tempfile::tempdir().unwrap();
    let spawn = || {
        repo.command(&["run", "--snapshot"])
            .env("OUT", out_dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let mut first = spawn();
    let limit = std::time::Duration::from_secs(60);
    let started = common::wait_for(limit, || {
        out_dir.path().join("started-1").exists().then_some(())
    });
    assert!(started.is_some(), "the first run never started");
    let mut second = spawn();
    let stderr = std::io::BufReader::new(second.stderr.take().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let release = || std::fs::write(out_dir.path().join("release"), "").unwrap();
    let waiting = loop {
        match rx.recv_timeout(limit) {
            Ok(line) if line.contains("waiting for it to finish") => break true,
            Ok(_) => continue,
            Err(_) => break false,
        }
    };
    if !waiting {
        release();
    }
    assert!(waiting, "the second run says it waits");
    assert!(
        second.try_wait().unwrap().is_none() && !out_dir.path().join("started-2").exists(),
        "and does not start while the first holds the checkout"
    );
    release();
    assert!(first.wait().unwrap().success());
    assert!(second.wait().unwrap().success());
    reader.join().unwrap();
    assert!(out_dir.path().join("started-2").exists());
}
