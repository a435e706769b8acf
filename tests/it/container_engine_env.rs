//! The variables the config gives an action in a `container:` (its `env:`)
//! reach every call of its engine — the sweep's listing and removal, the
//! check whether the image is there, the build and the run — so that
//! `DOCKER_HOST`, `CONTAINERS_STORAGE_CONF` and the like point them all at
//! the same engine and store; so does a container service's `env:`, to the
//! calls for that service, and a deploy action's `env:` to every call for
//! its container instances. A stand-in podman on `PATH` writes each call's
//! subcommand and the value it sees.

use std::path::Path;

use crate::common::{write_executable, Repo};

/// A stand-in podman that appends `SUBCOMMAND $ENGINE_STORE` to `calls`
/// and behaves just enough: `ps` lists one action container of a run that
/// is over (so the sweep removes it), `image inspect` answers once `build`
/// filled its store, `run` prints what it ran (a service's stays up until
/// it is stopped), `container inspect` finds no instance, `mount` gives a
/// folder as the instance's file system.
fn recording_podman(repo: &Repo, calls: &Path) {
    write_executable(
        repo,
        "bin/podman",
        &format!(
            r#"#!/bin/sh
while [ "${{1#--}}" != "$1" ]; do shift 2; done
echo "$1 ${{ENGINE_STORE:-unset}}" >> '{calls}'
store='{calls}.store'
case "$1" in
  ps) case "$*" in *gantry.run-dir*) printf 'gantry-left-1\t/nonexistent/.gantry/runs/1\n' ;; esac ;;
  image) [ -e "$store" ] && echo sha256:0123 || exit 125 ;;
  build) : > "$store" ;;
  run) case "$*" in *gantry.service=*) exec sleep 600 ;; *) echo ran ;; esac ;;
  container) echo "Error: no such container" >&2; exit 125 ;;
  mount) mkdir -p '{calls}.root' && echo '{calls}.root' ;;
esac
"#,
            calls = calls.display()
        ),
    );
}

/// The stand-in engine's log at `calls` has a call of each of `verbs`, and
/// every call saw the action's `ENGINE_STORE` (`from-action`).
fn assert_every_call_has_the_actions_env(calls: &Path, verbs: &[&str]) {
    let calls = std::fs::read_to_string(calls).unwrap();
    for verb in verbs {
        assert!(
            calls.lines().any(|l| l.starts_with(&format!("{verb} "))),
            "no `{verb}` call: {calls}"
        );
    }
    let without: Vec<&str> = calls
        .lines()
        .filter(|l| !l.ends_with(" from-action"))
        .collect();
    assert!(
        without.is_empty(),
        "engine calls without the action's env: {without:?}\n{calls}"
    );
}

#[test]
fn a_container_actions_env_reaches_every_engine_call() {
    let repo = Repo::new(
        r#"version: 1
stages:
  - name: test
    actions:
      - name: built
        run: make test
        container: { build: ci/Containerfile, context: ci, engine: podman }
        env: { ENGINE_STORE: from-action }
      - name: pulled
        run: make lint
        container: { image: localhost/ci:1, engine: podman }
        env: { ENGINE_STORE: from-action }
"#,
    );
    repo.write("ci/Containerfile", "FROM scratch\n");
    let calls = repo.path().join("calls");
    recording_podman(&repo, &calls);
    let path = format!("{}:/usr/bin:/bin", repo.path().join("bin").display());
    let out = repo.gantry().args(["run"]).env("PATH", path).run();
    assert_eq!(out.code, 0, "{}", out.all());
    assert_every_call_has_the_actions_env(&calls, &["ps", "rm", "image", "build", "run"]);
}

#[test]
fn a_container_services_env_reaches_its_start_check_and_removal() {
    let repo = Repo::new(
        r#"version: 1
services:
  db:
    image: localhost/db:1
    env: { ENGINE_STORE: from-service }
    ready: { run: "true" }
stages:
  - name: test
    run: echo using the service
"#,
    );
    let calls = repo.path().join("calls");
    recording_podman(&repo, &calls);
    // The service names no engine: a docker that never answers makes sure
    // gantry picks the stand-in podman, whatever docker this machine has.
    write_executable(
        &repo,
        "bin/docker",
        "#!/bin/sh
exit 1
",
    );
    let path = format!("{}:/usr/bin:/bin", repo.path().join("bin").display());
    let out = repo.gantry().args(["run"]).env("PATH", path).run();
    assert_eq!(out.code, 0, "{}", out.all());
    let calls = std::fs::read_to_string(&calls).unwrap();
    let service_calls: Vec<&str> = calls
        .lines()
        .filter(|l| ["run ", "exec ", "rm "].iter().any(|v| l.starts_with(v)))
        .collect();
    // The sweep's `ps` comes first, with gantry's own environment.
    assert!(service_calls.len() >= 3, "{calls}");
    for verb in ["run", "exec", "rm"] {
        assert!(
            service_calls
                .iter()
                .any(|l| *l == format!("{verb} from-service")),
            "no `{verb}` call with the service's env: {calls}"
        );
    }
    assert!(
        service_calls.iter().all(|l| l.ends_with(" from-service")),
        "{calls}"
    );
}

#[test]
fn a_deploy_actions_env_reaches_every_engine_call_for_its_container_instances() {
    if !crate::common::running_as_root() {
        return;
    }
    let repo = Repo::new(
        r#"version: 1
name: engine-env
deploy_groups:
  dev:
    instances: { count: 1, image: "localhost/base:1" }
stages:
  - name: ship
    actions:
      - name: ship
        deploy: { group: dev, revision: rev }
        env: { ENGINE_STORE: from-action }
"#,
    );
    repo.write(
        "rev/appspec.yml",
        "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /srv/www\n",
    );
    repo.write("rev/app/index.html", "hello\n");
    let calls = repo.path().join("calls");
    recording_podman(&repo, &calls);
    let path = format!("{}:/usr/bin:/bin", repo.path().join("bin").display());
    let out = repo.gantry().args(["run"]).env("PATH", path).run();
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(
        std::fs::read_to_string(repo.path().join("calls.root/srv/www/index.html")).unwrap(),
        "hello\n",
        "installed through the mounted file system"
    );
    assert_every_call_has_the_actions_env(&calls, &["container", "run", "mount", "umount"]);
}
