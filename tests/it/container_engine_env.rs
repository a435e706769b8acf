//! The variables the config gives an action in a `container:` (its `env:`)
//! reach every call of its engine — the sweep's listing and removal, the
//! check whether the image is there, the build and the run — so that
//! `DOCKER_HOST`, `CONTAINERS_STORAGE_CONF` and the like point them all at
//! the same engine and store; so does a container service's engine
//! environment (the pipeline's and its stage's `env:`, its own on top) to
//! every call for that service — finding the engine, the sweep, the start,
//! the ready check and the removal — while the container itself gets only
//! the service's own `env:`; and a deploy action's `env:` reaches every
//! call for its container instances, podman found on the action's own
//! `PATH` and run in its working directory. Stand-in engines on `PATH`
//! write each call's subcommand and the values they see.

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

/// A stand-in engine for services at `bin/NAME` that appends `NAME
/// SUBCOMMAND $CONTAINERS_STORAGE_CONF $DOCKER_HOST` to `calls`, its
/// arguments to `calls.args` and `NAME SUBCOMMAND $PWD` to `calls.pwd`: `info` answers only for `answers_on` (a
/// `DOCKER_HOST`; `None`: never), `ps` lists a service container whose
/// gantry is gone, `run` writes each `-e NAME` with the value the engine
/// sees to `calls.container` and stays up, `exec` (the ready check) and
/// `rm` pass.
fn recording_service_engine(repo: &Repo, name: &str, calls: &Path, answers_on: Option<&str>) {
    let info = match answers_on {
        Some(host) => format!(r#"[ "$DOCKER_HOST" = '{host}' ] || exit 1"#),
        None => "exit 1".into(),
    };
    write_executable(
        repo,
        &format!("bin/{name}"),
        &format!(
            r#"#!/bin/sh
while [ "${{1#--}}" != "$1" ]; do shift 2; done
echo "{name} $1 ${{CONTAINERS_STORAGE_CONF:-unset}} ${{DOCKER_HOST:-unset}}" >> '{calls}'
echo "$*" >> '{calls}.args'
echo "{name} $1 $PWD" >> '{calls}.pwd'
case "$1" in
  info) {info} ;;
  ps) printf 'gantry-left-svc\t2147483646\n' ;;
  run)
    while [ $# -gt 0 ]; do
      [ "$1" = -e ] && printf '%s=%s\n' "$2" "$(printenv "$2")" >> '{calls}.container'
      shift
    done
    exec sleep 600 ;;
esac
exit 0
"#,
            calls = calls.display()
        ),
    );
}

/// Runs `repo`'s pipeline (with `flags`) from its folder `sub/`, with only
/// the stand-ins of `bin/` and the system's programs on `PATH`, and nothing
/// of this machine's engine settings.
fn run_with_stand_ins(repo: &Repo, flags: &[&str]) -> crate::common::Outcome {
    let path = format!("{}:/usr/bin:/bin", repo.path().join("bin").display());
    repo.write("sub/.keep", "");
    let out = repo
        .gantry()
        .current_dir(repo.path().join("sub"))
        .args(["run"])
        .args(flags)
        .env("PATH", path)
        .env("TEST_DB_SECRET", "s3cret-db")
        .env("TEST_PIPELINE_SECRET", "s3cret-pipeline")
        .env_remove("DOCKER_HOST")
        .env_remove("CONTAINERS_STORAGE_CONF")
        .run();
    assert_eq!(out.code, 0, "{}", out.all());
    out
}

/// Runs `repo`'s pipeline as [`run_with_stand_ins`] does, with stand-in
/// podman and docker (whose daemon does not answer) recording at the
/// returned path.
fn run_with_silent_docker(repo: &Repo) -> std::path::PathBuf {
    let calls = repo.path().join("calls");
    recording_service_engine(repo, "podman", &calls, None);
    recording_service_engine(repo, "docker", &calls, None);
    run_with_stand_ins(repo, &[]);
    calls
}

/// Every line of the stand-ins' log at `calls` saw `expected` (`STORE HOST`);
/// returns the log.
fn assert_every_call_saw(calls: &Path, expected: &str) -> String {
    let log = std::fs::read_to_string(calls).unwrap();
    let without: Vec<&str> = log
        .lines()
        .filter(|l| !l.ends_with(&format!(" {expected}")))
        .collect();
    assert!(
        without.is_empty(),
        "engine calls without the service's engine environment `{expected}`: {without:?}\n{log}"
    );
    log
}

#[test]
fn a_container_services_engine_runs_with_the_pipelines_env_and_its_container_gets_only_its_own() {
    let repo = Repo::new(
        r#"version: 1
secrets: [TEST_DB_SECRET, TEST_PIPELINE_SECRET]
env:
  CONTAINERS_STORAGE_CONF: pipeline-storage.conf
  PIPELINE_TOKEN: ${env.TEST_PIPELINE_SECRET}
services:
  db:
    image: localhost/db:1
    env: { DB_PASSWORD: "${env.TEST_DB_SECRET}" }
    ready: { run: "true" }
stages:
  - name: test
    run: echo using the service
"#,
    );
    let calls = repo.path().join("calls");
    recording_service_engine(&repo, "podman", &calls, None);
    recording_service_engine(&repo, "docker", &calls, None);
    let out = run_with_stand_ins(&repo, &[]);

    let log = std::fs::read_to_string(&calls).unwrap();
    // docker is asked first and does not answer: the service gets podman.
    assert!(log.starts_with("docker info "), "{log}");
    let podman: Vec<&str> = log.lines().filter(|l| l.starts_with("podman ")).collect();
    for verb in ["ps", "rm", "run", "exec"] {
        assert!(
            podman
                .iter()
                .any(|l| l.starts_with(&format!("podman {verb} "))),
            "no `{verb}` call: {log}"
        );
    }
    assert_every_call_saw(&calls, "pipeline-storage.conf unset");
    // All in one directory (the pipeline root), so that a relative path in
    // the engine's environment means one file, whichever folder gantry
    // was started from.
    let pwd = std::fs::read_to_string(calls.with_extension("pwd")).unwrap();
    let root = repo.path().display().to_string();
    let elsewhere: Vec<&str> = pwd.lines().filter(|l| !l.ends_with(&root)).collect();
    assert!(
        elsewhere.is_empty(),
        "engine calls outside the pipeline root: {elsewhere:?}"
    );
    let args = std::fs::read_to_string(calls.with_extension("args")).unwrap();
    assert!(
        args.lines().any(|l| l.ends_with(" gantry-left-svc")),
        "the service container of a gantry that is gone was not removed: {args}"
    );

    // The container gets the service's own env:, not the engine's.
    let container = std::fs::read_to_string(calls.with_extension("container")).unwrap();
    assert_eq!(container, "DB_PASSWORD=s3cret-db\n");
    // Values go by name: no secret on a command line or in the output.
    for secret in ["s3cret-db", "s3cret-pipeline"] {
        assert!(!args.contains(secret), "{secret} on a command line: {args}");
        assert!(!out.all().contains(secret), "{secret} shown: {}", out.all());
    }
}

#[test]
fn a_stage_services_engine_runs_with_the_stages_env_under_its_own() {
    let repo = Repo::new(
        r#"version: 1
env: { CONTAINERS_STORAGE_CONF: pipeline-storage.conf, DOCKER_HOST: unix:///pipeline.sock }
stages:
  - name: test
    env:
      CONTAINERS_STORAGE_CONF: stage-storage.conf
      LOG_NAME: ${action.name}.log
    services:
      api:
        image: localhost/api:1
        env: { DOCKER_HOST: "unix:///service.sock" }
        ready: { run: "true" }
    run: echo using the service
"#,
    );
    let calls = run_with_silent_docker(&repo);
    let log = assert_every_call_saw(&calls, "stage-storage.conf unix:///service.sock");
    assert!(log.lines().any(|l| l.starts_with("podman run ")), "{log}");
    let container = std::fs::read_to_string(calls.with_extension("container")).unwrap();
    assert_eq!(container, "DOCKER_HOST=unix:///service.sock\n");
}

#[test]
fn a_docker_host_in_the_pipelines_env_chooses_that_docker_for_services() {
    let repo = Repo::new(
        r#"version: 1
env: { DOCKER_HOST: "unix:///remote-docker.sock" }
services:
  db:
    image: localhost/db:1
    ready: { run: "true" }
stages:
  - name: test
    run: echo using the service
"#,
    );
    let calls = repo.path().join("calls");
    recording_service_engine(&repo, "podman", &calls, None);
    recording_service_engine(&repo, "docker", &calls, Some("unix:///remote-docker.sock"));
    let dry = run_with_stand_ins(&repo, &["--dry-run"]);
    assert!(
        dry.stdout.contains("bin/docker run --rm"),
        "--dry-run shows another engine than the run would use: {}",
        dry.all()
    );
    run_with_stand_ins(&repo, &[]);
    let log = assert_every_call_saw(&calls, "unset unix:///remote-docker.sock");
    assert!(
        !log.contains("podman "),
        "the docker the pipeline points at answers, yet podman was used: {log}"
    );
    for verb in ["info", "ps", "run", "exec", "rm"] {
        assert!(
            log.lines()
                .any(|l| l.starts_with(&format!("docker {verb} "))),
            "no `docker {verb}` call: {log}"
        );
    }
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

#[test]
fn every_engine_call_of_a_container_action_runs_in_its_working_directory() {
    let repo = Repo::new(
        r#"version: 1
stages:
  - name: test
    actions:
      - name: built
        run: make test
        working_directory: app
        container: { build: ci/Containerfile, context: ci }
        env: { CONTAINERS_STORAGE_CONF: storage.conf }
      - name: pulled
        run: make lint
        working_directory: app
        container: { image: localhost/ci:1 }
        env: { CONTAINERS_STORAGE_CONF: storage.conf }
"#,
    );
    repo.write("ci/Containerfile", "FROM scratch\n");
    repo.write("app/Makefile", "test:\n");
    let calls = repo.path().join("calls");
    // A relative CONTAINERS_STORAGE_CONF is a file in the directory the
    // engine runs in: the build fills it, `image inspect` answers from it.
    write_executable(
        &repo,
        "bin/podman",
        &format!(
            r#"#!/bin/sh
while [ "${{1#--}}" != "$1" ]; do shift 2; done
echo "podman $1 $PWD" >> '{calls}'
case "$1" in
  image) [ -e "$CONTAINERS_STORAGE_CONF" ] && echo sha256:0123 || exit 125 ;;
  build)
    for arg; do [ "$previous" = -f ] && file=$arg; previous=$arg; done
    [ -f "$file" ] && [ -d "$previous" ] || {{ echo "Error: no $file or $previous in $PWD" >&2; exit 125; }}
    : > "$CONTAINERS_STORAGE_CONF" ;;
  run) echo ran ;;
esac
exit 0
"#,
            calls = calls.display()
        ),
    );
    write_executable(
        &repo,
        "bin/docker",
        &format!(
            "#!/bin/sh\necho \"docker $1 $PWD\" >> '{}'\nexit 1\n",
            calls.display()
        ),
    );
    let path = format!("{}:/usr/bin:/bin", repo.path().join("bin").display());
    let out = repo
        .gantry()
        .args(["run"])
        .env("PATH", path)
        .env_remove("DOCKER_HOST")
        .run();
    assert_eq!(out.code, 0, "{}", out.all());
    let log = std::fs::read_to_string(&calls).unwrap();
    let app = repo.path().join("app");
    for call in [
        "docker info",
        "podman ps",
        "podman image",
        "podman build",
        "podman run",
    ] {
        assert!(
            log.lines().any(|l| l.starts_with(&format!("{call} "))),
            "no `{call}` call: {log}"
        );
    }
    let elsewhere: Vec<&str> = log
        .lines()
        .filter(|l| !l.ends_with(&format!(" {}", app.display())))
        .collect();
    assert!(
        elsewhere.is_empty(),
        "engine calls outside the action's working directory: {elsewhere:?}\n{log}"
    );
    assert!(app.join("storage.conf").exists(), "{log}");
}

#[test]
fn a_deploy_action_finds_podman_on_its_own_path_and_runs_it_in_its_working_directory() {
    if !crate::common::running_as_root() {
        return;
    }
    let repo = Repo::new(
        r#"version: 1
name: engine-path
deploy_groups:
  dev:
    instances: { count: 1, image: "localhost/base:1" }
stages:
  - name: ship
    actions:
      - name: ship
        deploy: { group: dev, revision: rev }
        working_directory: app
        env: { PATH: "${env.TEST_ENGINE_BIN}:/usr/bin:/bin" }
"#,
    );
    repo.write(
        "rev/appspec.yml",
        "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /srv/www\nhooks:\n  ApplicationStart:\n    - location: start.sh\n",
    );
    repo.write("rev/app/index.html", "hello\n");
    repo.write("rev/start.sh", "#!/bin/sh\necho started\n");
    repo.write("app/.keep", "");
    repo.write("gantry-path/.keep", "");
    // The stand-in is only on the action's PATH: gantry's own has no
    // engine at all.
    let calls = repo.path().join("engine/calls");
    std::fs::create_dir_all(calls.parent().unwrap()).unwrap();
    let bin = repo.path().join("engine");
    write_executable(
        &repo,
        "engine/podman",
        &format!(
            r#"#!/bin/sh
while [ "${{1#--}}" != "$1" ]; do shift 2; done
echo "$1 $PWD" >> '{calls}'
case "$1" in
  container) echo "Error: no such container" >&2; exit 125 ;;
  mount) mkdir -p '{calls}.root' && echo '{calls}.root' ;;
esac
exit 0
"#,
            calls = calls.display()
        ),
    );
    let out = repo
        .gantry()
        .args(["run"])
        .env("PATH", repo.path().join("gantry-path"))
        .env("TEST_ENGINE_BIN", &bin)
        .env_remove("DOCKER_HOST")
        .run();
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(
        std::fs::read_to_string(repo.path().join("engine/calls.root/srv/www/index.html")).unwrap(),
        "hello\n",
        "installed through the stand-in's mounted file system"
    );
    let log = std::fs::read_to_string(&calls).unwrap();
    let app = repo.path().join("app");
    for verb in ["container", "run", "mount", "exec", "umount"] {
        assert!(
            log.lines().any(|l| l.starts_with(&format!("{verb} "))),
            "no `{verb}` call: {log}"
        );
    }
    let elsewhere: Vec<&str> = log
        .lines()
        .filter(|l| !l.ends_with(&format!(" {}", app.display())))
        .collect();
    assert!(
        elsewhere.is_empty(),
        "engine calls outside the action's working directory: {elsewhere:?}\n{log}"
    );
}

/// Stand-in docker and podman for `container:` actions that append `NAME
/// SUBCOMMAND $CONTAINERS_STORAGE_CONF $DOCKER_CONFIG $PWD` to `calls`:
/// docker's daemon never answers, podman never has an image (`image
/// inspect` fails), builds and runs pass, its `ps` lists nothing.
fn counting_engines(repo: &Repo, calls: &Path) {
    for (name, body) in [
        ("docker", "exit 1"),
        (
            "podman",
            "case \"$1\" in image) exit 125 ;; run) echo ran ;; esac\nexit 0",
        ),
    ] {
        write_executable(
            repo,
            &format!("bin/{name}"),
            &format!(
                r#"#!/bin/sh
while [ "${{1#--}}" != "$1" ]; do shift 2; done
echo "{name} $1 ${{CONTAINERS_STORAGE_CONF:-unset}} ${{DOCKER_CONFIG:-unset}} $PWD" >> '{calls}'
{body}
"#,
                calls = calls.display()
            ),
        );
    }
}

/// Runs `repo`'s pipeline with only the stand-ins of `bin/` and the
/// system's programs on `PATH`; returns the stand-ins' log at `calls`.
fn run_counting(repo: &Repo, calls: &Path) -> String {
    let path = format!("{}:/usr/bin:/bin", repo.path().join("bin").display());
    let out = repo
        .gantry()
        .args(["run"])
        .env("PATH", path)
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONFIG")
        .env_remove("CONTAINERS_STORAGE_CONF")
        .run();
    assert_eq!(out.code, 0, "{}", out.all());
    std::fs::read_to_string(calls).unwrap()
}

/// How many lines of `log` start with `prefix`.
fn calls_of(log: &str, prefix: &str) -> usize {
    log.lines().filter(|l| l.starts_with(prefix)).count()
}

#[test]
fn actions_in_two_folders_building_one_containerfile_share_one_build() {
    let repo = Repo::new(
        r#"version: 1
stages:
  - name: test
    actions:
      - name: root
        run: make test
        run_order: 1
        container: { build: ci/Containerfile, context: ci, engine: podman }
      - name: web
        run: make test
        run_order: 1
        working_directory: app/web
        container: { build: ci/Containerfile, context: ci, engine: podman }
"#,
    );
    repo.write("ci/Containerfile", "FROM scratch\n");
    repo.write("app/web/.keep", "");
    let calls = repo.path().join("calls");
    counting_engines(&repo, &calls);
    let log = run_counting(&repo, &calls);
    // The engine never says it has the image: only gantry's memory of the
    // first build spares the second.
    assert_eq!(
        calls_of(&log, "podman build "),
        1,
        "the same Containerfile was built once per folder: {log}"
    );
    assert_eq!(calls_of(&log, "podman run "), 2, "{log}");
}

#[test]
fn engine_answers_are_shared_across_folders_unless_a_relative_path_in_its_env_differs() {
    let action = |name: &str, dir: &str, env: &str| {
        format!(
            "      - name: {name}\n        run: make test\n        working_directory: {dir}\n        \
             cache: true\n        container: {{ image: localhost/ci:1 }}\n{env}"
        )
    };
    let relative = "        env: { CONTAINERS_STORAGE_CONF: storage.conf }\n";
    let config = format!(
        "version: 1\nstages:\n  - name: plain\n    actions:\n{}{}{}  - name: relative\n    actions:\n{}{}",
        action("a", "a", ""),
        action("b", "b", ""),
        action("c", "c", ""),
        action("a", "a", relative),
        action("b", "b", relative),
    );
    let repo = Repo::new(&config);
    for dir in ["a", "b", "c"] {
        repo.write(&format!("{dir}/.keep"), "");
    }
    let calls = repo.path().join("calls");
    counting_engines(&repo, &calls);
    let log = run_counting(&repo, &calls);
    // Without a relative path, every folder gets the same answers: docker
    // is probed, leftovers are swept and the image's id is asked once.
    for question in ["docker info", "podman ps", "podman image"] {
        assert_eq!(
            calls_of(&log, &format!("{question} unset ")),
            1,
            "`{question}` asked once per folder: {log}"
        );
        // `storage.conf` is another file in each folder: asked in each.
        assert_eq!(
            calls_of(&log, &format!("{question} storage.conf ")),
            2,
            "`{question}` with a relative store not asked in each folder: {log}"
        );
    }
}

#[test]
fn docker_is_probed_once_for_folders_an_earlier_action_creates() {
    let repo = Repo::new(
        r#"version: 1
stages:
  - name: make
    run: mkdir -p out/a out/b
  - name: use
    actions:
      - name: a
        run: make test
        working_directory: out/a
        container: { image: localhost/ci:1 }
        env: { DOCKER_CONFIG: .docker }
      - name: b
        run: make test
        working_directory: out/b
        container: { image: localhost/ci:1 }
        env: { DOCKER_CONFIG: .docker }
"#,
    );
    let calls = repo.path().join("calls");
    counting_engines(&repo, &calls);
    let log = run_counting(&repo, &calls);
    // Planned before `out/` exists, both are asked about in the pipeline
    // root, where `.docker` is one folder: one probe.
    let probes: Vec<&str> = log
        .lines()
        .filter(|l| l.starts_with("docker info "))
        .collect();
    assert_eq!(
        probes,
        [format!(
            "docker info unset .docker {}",
            repo.path().display()
        )],
        "{log}"
    );
    // Once made, each folder's `.docker` is its own: swept in each.
    assert_eq!(calls_of(&log, "podman ps unset .docker "), 2, "{log}");
}

#[test]
fn the_defaults_env_reaches_a_services_engine_as_it_reaches_the_actions() {
    let repo = Repo::new(
        r#"version: 1
defaults:
  env: { CONTAINERS_STORAGE_CONF: ci-storage.conf }
services:
  db:
    image: localhost/db:1
    ready: { run: "true" }
stages:
  - name: test
    services:
      api:
        image: localhost/api:1
        ready: { run: "true" }
    run: echo using the services
"#,
    );
    let calls = run_with_silent_docker(&repo);
    let log = assert_every_call_saw(&calls, "ci-storage.conf unset");
    let args = std::fs::read_to_string(calls.with_extension("args")).unwrap();
    for service in ["db", "api"] {
        assert!(
            args.lines()
                .any(|l| l.starts_with("run ") && l.contains(&format!("gantry.service={service}"))),
            "no `run` of {service}: {args}\n{log}"
        );
    }
}
