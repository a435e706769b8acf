//! `container:` on actions with real engines (podman with runc here, buildah
//! with chroot isolation): the workspace and environment inside, file
//! ownership, timeouts and `kill -9` leaving no container behind, `build:`
//! containers, engine failures, located config errors, and what
//! `--dry-run` and `graph` show. Images are built locally
//! (`common::images`), never pulled.

use std::os::unix::fs::MetadataExt;
use std::process::Command;
use std::time::Instant;

use crate::common::images::{
    assert_rm_stopped, busybox_binary, busybox_image, engine_gantry, hanging_rm_only_for, podman,
    stand_in_podman, write_busybox_context, OwnStore, BUSYBOX, HANGING_RM,
};
use crate::common::{action_result, Outcome, Repo};

/// gantry in `repo` with this machine's `containers.conf`.
fn gantry(repo: &Repo, args: &[&str]) -> Outcome {
    engine_gantry(repo, args).run()
}

/// A repository whose pipeline runs in the busybox image: `container:` the
/// image, then `stages` (the list's items); `None` (skipped) without
/// podman or busybox.
fn in_busybox(stages: &str) -> Option<Repo> {
    let image = busybox_image()?;
    Some(Repo::new(&format!(
        "version: 1\ncontainer: \"{image}\"\nstages:\n{stages}"
    )))
}

/// A stage that creates `started` in the workspace, then runs for minutes.
const LONG_STAGE: &str = "  - name: long\n    run: touch started && sleep 300\n";

/// Names of the containers (running or not) that runs of `repo` started.
fn containers_of(repo: &Repo) -> Vec<String> {
    containers_listed_by(podman(), repo)
}

/// [`containers_of`] `repo` as `podman` (on some store) lists them.
fn containers_listed_by(mut podman: Command, repo: &Repo) -> Vec<String> {
    let out = podman
        .args([
            "ps",
            "-a",
            "--filter",
            "label=gantry.run-dir",
            "--format",
            "{{.Names}}\t{{index .Labels \"gantry.run-dir\"}}",
        ])
        .output()
        .expect("podman ps runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let root = repo.path().display().to_string();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .filter(|(_, dir)| dir.starts_with(&root))
        .map(|(name, _)| name.to_string())
        .collect()
}

/// Fails unless no container that a run of `repo` started is left.
#[track_caller]
fn assert_no_containers(repo: &Repo) {
    let left = containers_of(repo);
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn an_action_in_a_container_sees_the_workspace_and_its_env_and_writes_as_the_user() {
    let Some(image) = busybox_image() else { return };
    let repo = Repo::new(&format!(
        r#"version: 1
name: ctr
secrets: [TOKEN]
env: {{ GREETING: hello }}
defaults: {{ container: "{image}" }}
stages:
  - name: test
    working_directory: sub
    env: {{ LEVEL: "3" }}
    script:
      - echo "greeting=$GREETING level=$LEVEL token=$TOKEN pwd=$(pwd)"
      - cat ../input.txt
      - echo made > made-inside.txt
      - echo "where=inside" >> "$GANTRY_OUTPUT"
      - test ! -e /etc/gantry-host-only
"#
    ));
    repo.write("input.txt", "from the host\n");
    repo.write("sub/.keep", "");
    let out = engine_gantry(&repo, &["run"])
        .env("TOKEN", "s3cr3t-value")
        .run();
    out.success();
    let sub = repo.path().join("sub");
    assert!(
        out.stdout.contains(&format!(
            "greeting=hello level=3 token=*** pwd={}",
            sub.display()
        )),
        "{}",
        out.all()
    );
    assert!(!out.all().contains("s3cr3t-value"), "{}", out.all());
    assert!(out.stdout.contains("from the host"), "{}", out.all());
    let made = sub.join("made-inside.txt");
    assert_eq!(std::fs::read_to_string(&made).unwrap(), "made\n");
    let meta = std::fs::metadata(&made).unwrap();
    // SAFETY: getuid/getgid only read the calling process's ids.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    assert_eq!((meta.uid(), meta.gid()), (uid, gid));
    let run = repo.run_json(1);
    let result = action_result(&run, "test", "test");
    assert_eq!(result["outputs"]["where"], "inside", "{result}");
    assert!(out.stdout.contains("with podman"), "{}", out.all());
    assert_no_containers(&repo);
}

#[test]
fn a_timeout_stops_and_removes_the_container() {
    let Some(repo) =
        in_busybox("  - name: slow\n    timeout: 2s\n    run: setsid sleep 300 & sleep 300\n")
    else {
        return;
    };
    let out = gantry(&repo, &["run"]);
    assert_ne!(out.code, 0, "{}", out.all());
    out.status(1, "slow", "slow", "timed_out");
    assert_no_containers(&repo);
}

#[test]
fn ctrl_c_stops_and_removes_the_container() {
    let Some(repo) = in_busybox(LONG_STAGE) else {
        return;
    };
    let out = engine_gantry(&repo, &["run"])
        .start_until("started")
        .interrupt();
    out.code(130);
    out.status(1, "long", "long", "interrupted");
    assert_no_containers(&repo);
}

#[test]
fn a_container_left_by_a_killed_gantry_is_removed_by_the_next_run() {
    let Some(repo) = in_busybox(&format!("{LONG_STAGE}  - name: quick\n    run: \"true\"\n"))
    else {
        return;
    };
    // Not swept first by the runs of the tests running meanwhile.
    let store = OwnStore::with(BUSYBOX);
    store
        .gantry(&repo, &["run", "long"])
        .start_until("started")
        .kill();
    let left = containers_listed_by(store.podman(), &repo);
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].starts_with("gantry-long-long-1-"), "{left:?}");

    let out = store.gantry(&repo, &["run", "quick"]).run();
    assert_eq!(out.code, 0, "{}", out.all());
    let now = containers_listed_by(store.podman(), &repo);
    assert!(now.is_empty(), "{now:?}");
    let log = repo.read(".gantry/runs/2/quick/quick.log");
    assert!(
        log.contains(&format!(
            "removed containers left by earlier runs: {}",
            left[0]
        )),
        "{log}"
    );
}

#[test]
fn a_build_container_is_built_once_and_reused_by_content() {
    let Some(image) = busybox_image() else { return };
    let repo = Repo::new(
        r#"version: 1
container: { build: ci/Containerfile, context: ci }
stages:
  - name: test
    actions:
      - { name: one, run: cat /marker, cache: false }
      - { name: two, run: cat /marker, cache: false }
"#,
    );
    // A tag unique to this test, so that the content hash is new to the engine.
    let marker = format!("built-{}-{:?}", std::process::id(), Instant::now());
    repo.write(
        "ci/Containerfile",
        &format!("FROM {image}\nRUN echo {marker} > /marker\n"),
    );
    let out = gantry(&repo, &["run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let printed = out
        .stdout
        .lines()
        .filter(|l| l.ends_with(&format!("] {marker}")));
    assert_eq!(printed.count(), 2, "{}", out.all());
    assert_eq!(out.stdout.matches(" build ").count(), 1, "{}", out.all());
    assert!(out.stdout.contains(": reused"), "{}", out.all());
    let tag = out
        .stdout
        .lines()
        .find_map(|l| l.split_once(": reused")?.0.rsplit(' ').next())
        .expect("the reused tag is named")
        .to_string();
    assert!(tag.starts_with("localhost/gantry-"), "{tag}");

    let again = gantry(&repo, &["run"]);
    assert_eq!(again.code, 0, "{}", again.all());
    assert!(!again.stdout.contains(" build "), "{}", again.all());
    let _ = podman().args(["rmi", "-f", &tag]).output();
}

#[test]
fn the_cache_knows_the_container_image_by_its_id() {
    let Some(busybox) = busybox_image() else {
        return;
    };
    let tag = format!("localhost/gantry-test-cache-{}:1", std::process::id());
    let retag = |from: &str| {
        let status = podman().args(["tag", from, &tag]).status().unwrap();
        assert!(status.success());
    };
    retag(busybox);
    let repo = Repo::new(&format!(
        "version: 1\ncontainer: {tag}\nstages:\n  - {{ name: test, run: echo ran }}\n"
    ));
    gantry(&repo, &["run"]).success();
    gantry(&repo, &["run"]).status(2, "test", "test", "cached");
    // Same name, other image: the action runs again.
    let build = tempfile::tempdir().unwrap();
    std::fs::write(
        build.path().join("Containerfile"),
        format!("FROM {busybox}\nRUN touch /other\n"),
    )
    .unwrap();
    let built = podman()
        .args(["build", "-q", "-t", &tag])
        .arg(build.path())
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    gantry(&repo, &["run"]).status(3, "test", "test", "passed");
    let _ = podman().args(["rmi", "-f", &tag]).output();
}

#[test]
fn an_engine_failure_is_reported_with_its_words_and_a_hint() {
    if busybox_image().is_none() {
        return;
    }
    let repo = Repo::new(
        r#"version: 1
stages:
  - name: missing
    container: localhost/gantry-test-no-such-image:1
    run: "true"
  - name: docker
    container: { image: localhost/gantry-test-no-such-image:1, engine: docker }
    run: "true"
  - name: command
    container: localhost/gantry-test-busybox:latest
    run: no-such-command-here
"#,
    );
    let out = gantry(&repo, &["run", "--keep-going"]);
    assert_ne!(out.code, 0, "{}", out.all());
    let run = repo.run_json(1);
    let reason = action_result(&run, "missing", "missing")["reason"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(reason.starts_with("podman run failed: Error: "), "{reason}");
    assert!(
        !reason.contains("retrying"),
        "only the engine's error lines: {reason}"
    );
    assert!(
        reason.contains("hint: the image is not on this machine"),
        "{reason}"
    );
    let docker = action_result(&run, "docker", "docker")["reason"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // A command missing inside the container exits 127 like on the host:
    // the command's failure, not the engine's.
    let command = action_result(&run, "command", "command")["reason"]
        .as_str()
        .unwrap_or_default();
    assert!(command.starts_with("exit code 127"), "{command}");
    assert!(!command.contains("podman run failed"), "{command}");
    if which::which("docker").is_ok() {
        // No daemon answers on these machines: docker's own words, and a hint.
        assert!(docker.starts_with("docker run failed: "), "{docker}");
        assert!(docker.contains("hint: start the Docker daemon"), "{docker}");
        assert!(!docker.contains("could not remove"), "{docker}");
    } else {
        assert!(
            docker.starts_with("`engine: docker` but `docker` is not on PATH"),
            "{docker}"
        );
    }
}

#[test]
fn bad_container_settings_are_located_config_errors() {
    let repo = Repo::new(
        r#"version: 1
stages:
  - name: both
    container: { image: "debian:12", build: Containerfile }
    run: "true"
  - name: engine
    container: { image: "debian:12", engine: dockr }
    run: "true"
  - name: bad
    container: "Debian Bookworm"
    run: "true"
  - name: build
    image: { tags: [app:1] }
    container: "debian:12"
"#,
    );
    let out = repo.run(&["list"]);
    let text = out.all();
    assert_ne!(out.code, 0, "{text}");
    assert!(
        text.contains("gantry.yml:4:") && text.contains("both `image:` and `build:`"),
        "{text}"
    );
    assert!(text.contains("gantry.yml:7:"), "{text}");
    assert!(text.contains("dockr"), "{text}");
    assert!(
        text.contains("gantry.yml:10:")
            && text.contains("invalid image reference `Debian Bookworm`"),
        "{text}"
    );
    assert!(
        text.contains("gantry.yml:14:") && text.contains("`container:` on an `image:` action"),
        "{text}"
    );
}

#[test]
fn a_missing_containerfile_is_a_located_error_before_anything_runs() {
    let repo = Repo::new(
        "version: 1\nstages:\n  - name: t\n    container: { build: ci/Containerfile }\n    run: \"true\"\n",
    );
    let out = repo.run(&["run"]);
    assert_ne!(out.code, 0, "{}", out.all());
    assert!(
        out.all().contains("gantry.yml:4:")
            && out.all().contains("no Containerfile `ci/Containerfile`"),
        "{}",
        out.all()
    );
    assert!(!repo.path().join(".gantry/runs/1").exists());
}

#[test]
fn inner_containers_win_and_host_kinds_stay_on_the_host() {
    let repo = Repo::new(
        r#"version: 1
container: "localhost/outer:1"
stages:
  - name: a
    container: "localhost/stage:1"
    actions:
      - { name: own, run: "true", container: "localhost/action:1" }
      - { name: inherited, run: "true" }
  - name: b
    run: "true"
  - name: gate
    approval: go?
"#,
    );
    let out = repo.run(&["graph"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let line = |name: &str| {
        out.stdout
            .lines()
            .find(|l| l.contains(&format!(" {name} ")))
            .unwrap_or_else(|| panic!("no {name} in {}", out.stdout))
            .to_string()
    };
    assert!(
        line("own").contains("in localhost/action:1"),
        "{}",
        out.stdout
    );
    assert!(
        line("inherited").contains("in localhost/stage:1"),
        "{}",
        out.stdout
    );
    assert!(line("b").contains("in localhost/outer:1"), "{}", out.stdout);
    assert!(!line("gate").contains("▣"), "{}", out.stdout);
}

/// Runs `gantry run --dry-run` in a repository whose `gantry.yml` is
/// `config` and fails unless its `in container: podman run …` line shows
/// each of `parts`, `{root}` in them the repository's root; returns the
/// repository.
#[track_caller]
fn assert_dry_run_shows(config: &str, parts: &[&str]) -> Repo {
    let repo = Repo::new(config);
    let out = gantry(&repo, &["run", "--dry-run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let shown = out
        .stdout
        .lines()
        .find(|l| l.contains("in container: podman run"))
        .unwrap_or_else(|| panic!("{}", out.stdout));
    let root = repo.path().display().to_string();
    for part in parts.iter().map(|p| p.replace("{root}", &root)) {
        assert!(shown.contains(&part), "{part} missing in {shown}");
    }
    repo
}

#[test]
fn dry_run_shows_the_engine_command_lines() {
    if busybox_image().is_none() {
        return;
    }
    let repo = assert_dry_run_shows(
        "version: 1\ncontainer: { image: localhost/ci:1, engine: podman }\nstages:\n  - { name: t, run: make test }\n",
        &[
            "--rm",
            "--init",
            "-v {root}:{root}",
            "-w {root}",
            "-e GANTRY_STAGE",
            "localhost/ci:1 sh -c 'make test'",
        ],
    );
    assert!(containers_of(&repo).is_empty());
}

/// The dry run's container line is the real run's: the container's name,
/// labels and run-directory mount, and the `GANTRY_SERVICE_*` variables and
/// host network an action next to services gets.
#[test]
fn dry_run_shows_the_container_as_a_run_with_services_starts_it() {
    if !crate::common::images::podman_available() {
        return;
    }
    let repo = assert_dry_run_shows(
        "version: 1\ncontainer: { image: localhost/ci:1, engine: podman }\nservices:\n  api: { run: exec sleep 300, ready: { port: 9000 } }\nstages:\n  - { name: t, run: make test }\n",
        &[
            "--name gantry-t-t-1-",
            "--label gantry.run=1",
            "--label gantry.run-dir={root}/.gantry/runs/1",
            "--label gantry.action=t/t",
            "-e GANTRY_SERVICE_API_HOST -e GANTRY_SERVICE_API_PORT",
            "--network host",
            "localhost/ci:1 sh -c 'make test'",
        ],
    );
    assert!(!repo.path().join(".gantry/runs/1").exists());
}

/// buildah: a private vfs store, a `build:` from scratch with busybox, and
/// the action run with `buildah run` (chroot isolation); its working
/// container is removed.
#[test]
fn buildah_builds_and_runs_the_container() {
    if !crate::common::have_program("buildah", "apt-get install -y buildah") {
        return;
    }
    let Some(busybox) = busybox_binary() else {
        return;
    };
    let (_store, conf) = crate::common::images::private_store("vfs");
    let repo = Repo::new(
        r#"version: 1
stages:
  - name: t
    container: { build: ci/Containerfile, context: ci, engine: buildah }
    run: echo "inside=$(cat /marker) in $(pwd)" && touch by-buildah
"#,
    );
    write_busybox_context(
        &repo.path().join("ci"),
        &busybox,
        "RUN echo buildah-made > /marker\n",
    );
    let out = repo
        .gantry()
        .args(["run"])
        .env("CONTAINERS_STORAGE_CONF", &conf)
        .env("GANTRY_BUILDAH_STORAGE_DRIVER", "vfs")
        .run();
    out.success();
    assert!(
        out.stdout
            .contains(&format!("inside=buildah-made in {}", repo.path().display())),
        "{}",
        out.all()
    );
    assert!(repo.path().join("by-buildah").exists());
    let left = Command::new("buildah")
        .args(["--storage-driver", "vfs", "containers", "--noheading"])
        .env("CONTAINERS_STORAGE_CONF", &conf)
        .output()
        .unwrap();
    assert!(left.status.success());
    assert_eq!(
        String::from_utf8_lossy(&left.stdout).trim(),
        "",
        "working containers left"
    );
}

#[test]
fn export_maps_container_to_each_engines_job_image() {
    let repo = Repo::new(
        r#"version: 1
name: x
container: "debian:bookworm"
stages:
  - name: lint
    run: make lint
  - name: test
    container: "rust:1.89"
    run: cargo test
"#,
    );
    let github = repo.run(&["export", "github-actions"]);
    assert_eq!(github.code, 0, "{}", github.all());
    let at = |text: &str, needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle} in {text}"))
    };
    let (lint, test) = (
        at(&github.stdout, "name: lint"),
        at(&github.stdout, "name: test"),
    );
    assert!(lint < at(&github.stdout, "container: \"debian:bookworm\""));
    assert!(test < at(&github.stdout, "container: \"rust:1.89\""));
    let gitlab = repo.run(&["export", "gitlab-ci"]);
    assert!(
        gitlab.stdout.contains("image: \"debian:bookworm\""),
        "{}",
        gitlab.all()
    );
    assert!(
        gitlab.stdout.contains("image: \"rust:1.89\""),
        "{}",
        gitlab.all()
    );
    let codebuild = repo.run(&["export", "codebuild"]);
    assert_ne!(codebuild.code, 0);
    assert!(
        codebuild
            .all()
            .contains("a CodeBuild build runs in one image"),
        "{}",
        codebuild.all()
    );

    repo.write(
        "gantry.yml",
        "version: 1\ncontainer: \"debian:bookworm\"\nstages:\n  - { name: t, run: make }\n",
    );
    let one = repo.run(&["export", "codebuild"]);
    assert_eq!(one.code, 0, "{}", one.all());
    assert!(
        one.stdout.contains("image=debian:bookworm"),
        "{}",
        one.all()
    );

    repo.write(
        "gantry.yml",
        "version: 1\ncontainer: { build: Containerfile }\nstages:\n  - { name: t, run: make }\n",
    );
    let built = repo.run(&["export", "gitlab-ci"]);
    assert_ne!(built.code, 0);
    assert!(built.all().contains("push the image"), "{}", built.all());
}

/// Ctrl-C stops an action in a container; a second Ctrl-C while removing
/// its container hangs stops waiting for it (long before the housekeeping
/// limit, here ten minutes) and says which command did not finish. A
/// stand-in podman (its docker answers no daemon): `run` runs for minutes,
/// `rm` hangs.
#[test]
fn a_second_ctrl_c_stops_waiting_for_a_hung_container_removal() {
    let repo = Repo::new(
        "version: 1\ncontainer: localhost/busy:1\nstages:\n  - name: long\n    run: sleep 300\n",
    );
    let run = "  run) touch \"$DIR/started\"; exec sleep 120 ;;";
    let path = stand_in_podman(&repo, &format!("{run}\n{HANGING_RM}"));
    let mut running = repo
        .gantry()
        .args(["run"])
        .env("PATH", path)
        .env("GANTRY_TEST_HOUSEKEEPING_MS", "600000")
        .env_remove("DOCKER_HOST")
        .start_until("started");
    running.ctrl_c();
    running.wait_until("rm.started");
    let out = running.interrupt();
    out.code(130);
    out.status(1, "long", "long", "interrupted");
    out.has("; container gantry-long-long-1-");
    out.has(" may be left: `podman rm -f -t 0 gantry-long-long-1-");
    out.has("` was interrupted before it answered");
    assert_rm_stopped(&repo);
}

/// Removing a container a killed gantry left that hangs is given up on at
/// the housekeeping limit and said in the action's output, naming the
/// container and the command. A stand-in podman: `ps` lists the leftover.
#[test]
fn a_hung_removal_of_a_leftover_container_is_said() {
    let repo = Repo::new(
        "version: 1\ncontainer: localhost/busy:1\nstages:\n  - name: quick\n    run: 'true'\n",
    );
    let ps = "  ps) printf 'gantry-old-1-x\\t%s\\n' \"$DIR/.gantry/runs/99\" ;;";
    let out = repo
        .gantry()
        .args(["run"])
        .env(
            "PATH",
            stand_in_podman(&repo, &format!("{ps}\n{HANGING_RM}")),
        )
        .env("GANTRY_TEST_HOUSEKEEPING_MS", "1000")
        .env_remove("DOCKER_HOST")
        .run();
    out.code(0);
    out.has("[quick/quick] gantry: could not remove a container left by an earlier run: container gantry-old-1-x may be left: `podman rm -f -t 0 gantry-old-1-x` did not answer within 1.0s");
    assert_rm_stopped(&repo);
}

/// Listing the containers killed gantries left that hangs is given up on
/// at the housekeeping limit and said in the action's output with the
/// command, as a hung removal of one is (and as services say it). A
/// stand-in podman: `ps` hangs.
#[test]
fn a_hung_listing_of_leftover_containers_is_said() {
    let repo = Repo::new(
        "version: 1\ncontainer: localhost/busy:1\nstages:\n  - name: quick\n    run: 'true'\n",
    );
    let ps = "  ps) sleep 120 & wait ;;";
    let out = repo
        .gantry()
        .args(["run"])
        .env("PATH", stand_in_podman(&repo, ps))
        .env("GANTRY_TEST_HOUSEKEEPING_MS", "1000")
        .env_remove("DOCKER_HOST")
        .run();
    out.code(0);
    out.has(
        "[quick/quick] gantry: containers left by earlier runs were not looked for: `podman ps ",
    );
    out.has("` did not answer within 1.0s");
}

/// A matrix cell that fails (`fail_fast:` on) stops the other cells, not
/// the removal of another cell's container: that one runs to its limit,
/// and the cell says its container may be left. A stand-in podman: cell
/// `b`'s engine fails (exit 125, so its container is removed), cell `a`
/// fails once that removal hangs.
#[test]
fn fail_fast_does_not_cut_another_cells_container_removal() {
    let repo = Repo::new(
        "version: 1\ncontainer: localhost/busy:1\nstages:\n  - name: cells\n    matrix: { x: [a, b] }\n    run: echo cell-${matrix.x}\n",
    );
    let run = "  run) case \"$*\" in *cell-a*) until [ -e \"$DIR/rm.started\" ]; do sleep 0.1; done; exit 1 ;; *) exit 125 ;; esac ;;";
    let out = repo
        .gantry()
        .args(["run", "--jobs", "2"])
        .env(
            "PATH",
            stand_in_podman(&repo, &format!("{run}\n{HANGING_RM}")),
        )
        .env("GANTRY_TEST_HOUSEKEEPING_MS", "3000")
        .env_remove("DOCKER_HOST")
        .run();
    out.code(1);
    out.has(" may be left: `podman rm -f -t 0 gantry-cells-cells");
    out.has("` did not answer within 3.0s");
    out.lacks("was interrupted");
    assert_rm_stopped(&repo);
}

/// Ctrl-C stops the action and lets the sweep of a leftover container
/// run; a further Ctrl-C while that removal hangs stops the sweep long
/// before the housekeeping limit (here ten minutes), naming the leftover.
#[test]
fn a_second_ctrl_c_stops_a_hung_sweep_of_leftover_containers() {
    let repo = Repo::new(
        "version: 1\ncontainer: localhost/busy:1\nstages:\n  - name: long\n    run: sleep 300\n",
    );
    let ps = "  ps) printf 'gantry-old-1-x\\t%s\\n' \"$DIR/.gantry/runs/99\" ;;";
    let run = "  run) trap 'touch \"$DIR/stopped\"; exit 143' TERM; touch \"$DIR/started\"; sleep 120 & wait ;;";
    let rm = hanging_rm_only_for("gantry-old-1-x", "exit 0");
    let mut running = repo
        .gantry()
        .args(["run"])
        .env(
            "PATH",
            stand_in_podman(&repo, &format!("{ps}\n{run}\n{rm}")),
        )
        .env("GANTRY_TEST_HOUSEKEEPING_MS", "600000")
        .env_remove("DOCKER_HOST")
        .start_until("started");
    running.wait_until("rm.started");
    running.ctrl_c();
    running.wait_until("stopped");
    let out = running.interrupt();
    out.code(130);
    out.has("could not remove a container left by an earlier run: container gantry-old-1-x may be left: `podman rm -f -t 0 gantry-old-1-x` was interrupted before it answered");
    assert_rm_stopped(&repo);
}
