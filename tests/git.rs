//! git-aware runs: variables, the header, snapshots — on real temporary
//! git repositories.

mod common;

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
    assert!(ran_in.contains("gantry-snapshot-"), "ran in {ran_in}");
    assert!(
        !std::path::Path::new(ran_in.trim()).exists(),
        "the snapshot is removed afterwards"
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
