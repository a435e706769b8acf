//! `services:`: real podman containers (the locally built busybox image,
//! never pulled) and host commands as small TCP servers (busybox `nc`),
//! readiness by port and by log line, the log tail of a service that never
//! becomes ready, nothing left behind after a failure or a `kill -9`, and
//! located config errors.

use crate::common;

use std::process::Command;
use std::time::Duration;

use common::images::{
    assert_rm_stopped, busybox_binary, busybox_image, engine_gantry, hanging_rm_only_for, podman,
    private_store, stand_in_podman, write_busybox_context, OwnStore,
};
use common::{process_running, Outcome, Repo};

/// A port nobody listens on right now (the kernel's pick, released).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// gantry in `repo` with this machine's `containers.conf`.
fn run(repo: &Repo, args: &[&str]) -> Outcome {
    engine_gantry(repo, args).run()
}

/// A pipeline on the busybox image, and a free port for a host service.
struct Pipeline {
    image: &'static str,
    /// Unique to this test and test process, so that [`containers`] sees
    /// only this test's containers.
    name: String,
    port: u16,
}

impl Pipeline {
    /// The pipeline of test `test`; `None` (skipped) without podman or
    /// busybox.
    fn busybox(test: &str) -> Option<Pipeline> {
        Some(Pipeline {
            image: busybox_image()?,
            name: format!("{test}-{}", std::process::id()),
            port: free_port(),
        })
    }

    /// A `gantry.yml`: `version: 1`, the pipeline's name, then `rest`.
    fn config(&self, rest: &str) -> String {
        format!("version: 1\nname: {}\n{rest}", self.name)
    }

    /// A repository whose `gantry.yml` is [`Pipeline::config`].
    fn repo(&self, rest: &str) -> Repo {
        Repo::new(&self.config(rest))
    }

    /// The host service `helper`: after `before`, a busybox `nc` server
    /// on the port (ready when it listens), its pid added to `helper.pid`.
    fn helper(&self, before: &str) -> String {
        let port = self.port;
        format!(
            "  helper:\n    run: {before}busybox nc -ll -p {port} -e echo hi & echo $! >> helper.pid; wait\n    ready: {{ port: {port} }}\n"
        )
    }

    /// Fails unless no container of this pipeline's runs is left.
    #[track_caller]
    fn assert_no_containers(&self) {
        let left = containers(&format!("gantry-{}-", self.name));
        assert!(left.is_empty(), "{left:?}");
    }
}

/// Fails unless `out` shows the services `names` stopped, and no process
/// listed in `helper.pid` still runs.
#[track_caller]
fn assert_stopped(out: &Outcome, repo: &Repo, names: &[&str]) {
    for name in names {
        out.has(&format!("[service {name}] stopped"));
    }
    for pid in common::pids(repo, "helper.pid") {
        assert!(!process_running(pid), "helper process {pid} still runs");
    }
}

/// Names of service containers (running or not) of gantry runs whose
/// container names start with `prefix`.
fn containers(prefix: &str) -> Vec<String> {
    containers_listed_by(podman(), prefix)
}

/// [`containers`] as `podman` (on some store) lists them.
fn containers_listed_by(mut podman: Command, prefix: &str) -> Vec<String> {
    let out = podman
        .args(["ps", "-a", "--filter", "label=gantry.service"])
        .args(["--format", "{{.Names}}"])
        .output()
        .expect("podman ps runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|n| n.starts_with(prefix))
        .map(str::to_string)
        .collect()
}

/// The pipeline's only stage for a test that stops gantry part-way: it
/// creates `started` in the repository, then runs for minutes.
const STARTED_STAGE: &str = "stages:\n  - name: test\n    run: touch started; exec sleep 300\n";

#[test]
fn container_and_host_services_serve_a_two_stage_pipeline() {
    let Some(p) = Pipeline::busybox("svc-two") else {
        return;
    };
    let (image, web, local) = (p.image, p.port, free_port());
    let repo = p.repo(&format!(
        r#"services:
  web:
    image: {image}
    command: [sh, -c, "echo booting; sleep 1; exec nc -ll -p 8080 -e echo hello-from-container"]
    ports: ["{web}:8080"]
    ready: {{ port: 8080, timeout: 30s }}
stages:
  - name: unit
    run: busybox nc "$GANTRY_SERVICE_WEB_HOST" "$GANTRY_SERVICE_WEB_PORT" </dev/null
  - name: integration
    services:
      local:
        run: echo "serving on $PORT"; exec busybox nc -ll -p "$PORT" -e echo hello-from-host
        env: {{ PORT: "{local}" }}
        ready: {{ log: "serving on", timeout: 30s }}
    actions:
      - name: both
        run: |
          busybox nc 127.0.0.1 {web} </dev/null
          busybox nc 127.0.0.1 {local} </dev/null
          echo "local at $GANTRY_SERVICE_LOCAL_HOST"
"#
    ));
    let out = run(&repo, &["run"]);
    out.success();
    for line in [
        "[unit/unit] hello-from-container",
        "[integration/both] hello-from-container",
        "[integration/both] hello-from-host",
        "local at 127.0.0.1",
        "[service web] starting: ",
        "[service web] ✔ ready in ",
        "[service integration/local] ✔ ready in ",
        "[service integration/local] stopped",
        "[service web] stopped",
    ] {
        out.has(line);
    }
    // The stage's service stops with its stage, the pipeline's at the end.
    let all = out.all();
    let local_stopped = all.find("[service integration/local] stopped").unwrap();
    assert!(local_stopped < all.find("[service web] stopped").unwrap());
    assert!(repo
        .read(".gantry/runs/1/services/web.log")
        .contains("booting"));
    assert!(repo
        .read(".gantry/runs/1/services/local.log")
        .contains(&format!("serving on {local}")));
    p.assert_no_containers();
    assert!(std::net::TcpStream::connect(("127.0.0.1", local)).is_err());
}

#[test]
fn an_action_in_a_container_reaches_a_host_service_at_its_given_address() {
    let Some(p) = Pipeline::busybox("svc-in-container") else {
        return;
    };
    let (image, port) = (p.image, p.port);
    let repo = p.repo(&format!(
        r#"services:
  local:
    run: exec busybox nc -ll -p "$PORT" -e echo hello-from-host
    env: {{ PORT: "{port}" }}
    ready: {{ port: {port}, timeout: 30s }}
stages:
  - name: talk
    container: {image}
    run: nc "$GANTRY_SERVICE_LOCAL_HOST" "$GANTRY_SERVICE_LOCAL_PORT" </dev/null
"#
    ));
    run(&repo, &["run"])
        .success()
        .has("[talk/talk] hello-from-host");
    p.assert_no_containers();
}

/// A service's container runs from the store the pipeline's images were
/// built into: on a machine where only `vfs` works, an `image:` action
/// builds with buildah into `vfs` (`GANTRY_BUILDAH_STORAGE_DRIVER`, in a
/// store whose configured driver is overlay), and a service runs that image.
#[test]
fn a_service_runs_an_image_built_into_the_vfs_store() {
    let Some(p) = Pipeline::busybox("svc-vfs") else {
        return;
    };
    if !common::have_program("buildah", "apt-get install -y buildah") {
        return;
    }
    let busybox = busybox_binary().expect("busybox_image found busybox");
    let name = &p.name;
    let (_store, conf) = private_store("overlay");
    let repo = p.repo(&format!(
        r#"stages:
  - name: build
    image:
      builder: buildah
      file: Containerfile
      context: ci
      tags: [localhost/{name}:1]
  - name: test
    services:
      web:
        image: localhost/{name}:1
        command: [sh, -c, "echo serving; exec sleep 300"]
        ready: {{ log: serving, timeout: 30s }}
    run: echo used-the-service
"#
    ));
    write_busybox_context(&repo.path().join("ci"), &busybox, "");
    let out = engine_gantry(&repo, &["run"])
        .env("CONTAINERS_STORAGE_CONF", &conf)
        .env("GANTRY_BUILDAH_STORAGE_DRIVER", "vfs")
        .env("GANTRY_BUILDAH_ISOLATION", "chroot")
        .run();
    out.success().has("[service test/web] ✔ ready in ");
    let all = out.all();
    assert!(
        all.contains("[service test/web] starting: ") && all.contains(" --storage-driver vfs run "),
        "{all}"
    );
    out.has("used-the-service");
}

#[test]
fn a_service_that_never_becomes_ready_fails_its_stage_with_its_log_tail() {
    let Some(p) = Pipeline::busybox("svc-never") else {
        return;
    };
    let (image, name, port) = (p.image, &p.name, p.port);
    // A host command whose port never opens within its timeout.
    let api = format!(
        "      api:\n        run: echo \"api has no config\"; exec sleep 300\n        ready: {{ port: {port}, timeout: 1s }}\n"
    );
    let repo = p.repo(&format!(
        r#"stages:
  - name: build
    run: echo built
  - name: test
    services:
      db:
        image: {image}
        command: [sh, -c, "echo still warming up; exec sleep 300"]
        ready: {{ log: "ready to accept connections", timeout: 2s }}
{api}    actions:
      - name: unit
        run: echo never runs
"#
    ));
    let out = run(&repo, &["run"]);
    out.code(1);
    assert!(!out.all().contains("never runs\n[test/unit] ✔"), "{out}");
    for expected in [
        "[service test/db] ✘ not ready: its output did not show \"ready to accept connections\" within 2.0s",
        "[service test/db] still warming up",
        "service `db` is not ready: its output did not show \"ready to accept connections\" within 2.0s",
        "log: .gantry/runs/1/services/db.log",
    ] {
        out.has(expected);
    }
    out.status(1, "build", "build", "passed")
        .status(1, "test", "unit", "failed");
    p.assert_no_containers();

    // The host command, alone.
    let repo = Repo::new(&format!(
        "version: 1\nname: {name}-host\nstages:\n  - name: test\n    services:\n{api}    run: echo never runs\n"
    ));
    run(&repo, &["run"])
        .code(1)
        .has(&format!(
            "[service test/api] ✘ not ready: port {port} on 127.0.0.1 did not accept connections within 1.0s"
        ))
        .has("[service test/api] api has no config");
}

#[test]
fn services_are_stopped_after_a_failure_and_a_timeout() {
    let Some(p) = Pipeline::busybox("svc-fail") else {
        return;
    };
    let image = p.image;
    let repo = p.repo(&format!(
        r#"services:
  web:
    image: {image}
    command: [sh, -c, "sleep 1; touch /up; exec sleep 300"]
    ready: {{ run: test -e /up }}
{helper}  probe:
    run: sleep 1; touch probe.ready; exec sleep 300
    ready: {{ run: test -e probe.ready }}
stages:
  - name: test
    actions:
      - name: fails
        run: exit 3
      - name: slow
        run: sleep 30
        timeout: 300ms
        always: true
"#,
        helper = p.helper("echo $$ > helper.pid; ")
    ));
    let out = run(&repo, &["run"]);
    out.code(1)
        .status(1, "test", "fails", "failed")
        .status(1, "test", "slow", "timed_out");
    // Readiness by command: inside the container, and on this machine.
    out.has("[service web] ✔ ready in ")
        .has("[service probe] ✔ ready in ");
    p.assert_no_containers();
    assert_stopped(&out, &repo, &["web", "helper"]);
}

#[test]
fn the_next_run_sweeps_what_a_killed_gantry_left() {
    let Some(p) = Pipeline::busybox("svc-kill") else {
        return;
    };
    let (image, name) = (p.image, &p.name);
    let repo = p.repo(&format!(
        r#"services:
  web:
    image: {image}
    command: [sh, -c, "echo up; exec sleep 300"]
    ready: {{ log: up }}
{helper}{STARTED_STAGE}"#,
        helper = p.helper("")
    ));
    // Not swept first by the runs of the tests running meanwhile.
    let store = OwnStore::with(image);
    let containers = |prefix: &str| containers_listed_by(store.podman(), prefix);
    store.gantry(&repo, &["run"]).start_until("started").kill();
    let prefix = format!("gantry-{name}-1-");
    // The container outlives its killed gantry; the helper's server (a
    // grandchild, not the service's own process) too.
    assert_eq!(containers(&prefix).len(), 1);
    let helper = common::pids(&repo, "helper.pid");
    assert!(helper.iter().all(|pid| process_running(*pid)));

    repo.write("gantry.yml", &p.config(&format!(
        "services:\n  web:\n    image: {image}\n    command: [sh, -c, \"exec sleep 300\"]\n  helper:\n    run: exec sleep 300\nstages:\n  - name: test\n    run: echo second\n"
    )));
    let out = store.gantry(&repo, &["run"]).run();
    out.success();
    assert!(containers(&prefix).is_empty(), "{:?}", containers(&prefix));
    let helper_gone = || helper.iter().all(|pid| !process_running(*pid));
    assert!(
        common::wait_for(Duration::from_secs(10), || helper_gone().then_some(())).is_some(),
        "{helper:?} still run after:\n{out}"
    );
    assert!(containers(&format!("gantry-{name}-")).is_empty());
}

#[test]
fn dry_run_shows_the_engine_command_line_and_graph_shows_services() {
    let repo = Repo::new(
        r#"version: 1
name: dry
services:
  db:
    image: postgres:16
    env: { POSTGRES_PASSWORD: hunter2 }
    ports: ["15432:5432"]
    ready: { run: pg_isready -h localhost }
stages:
  - name: test
    services:
      api:
        run: ./fake-api --port 9000
        ready: { port: 9000 }
    run: make test
"#,
    );
    let out = run(&repo, &["run", "--dry-run"]);
    out.success()
        .has("run --rm --sig-proxy=false --name gantry-dry-1-db")
        .has("-e POSTGRES_PASSWORD -p 15432:5432 postgres:16");
    assert!(!out.all().contains("hunter2"), "{out}");
    out.has("$ sh -c './fake-api --port 9000'");
    run(&repo, &["graph"])
        .success()
        .has("service db: image postgres:16")
        .has("service api: run ./fake-api --port 9000, ready: port 9000");
}

#[test]
fn service_config_errors_are_located_with_hints() {
    let repo = Repo::new(
        r#"version: 1
services:
  db:
    image: postgres:16
    run: postgres
  cache:
    run: redis-server
    ports: ["6379"]
    ready: { port: 6379, log: ready }
stages:
  - name: test
    services:
      cache: { run: other }
      web: { image: nginx, ports: ["80:x"] }
    run: make test
"#,
    );
    let out = run(&repo, &["list"]);
    let all = out.all();
    assert_ne!(out.code, 0, "{all}");
    for expected in [
        "gantry.yml:5:10",
        "service `db` has both `image:` and `run:`",
        "gantry.yml:8:12",
        "`ports:` on a host service",
        "gantry.yml:9:12",
        "`ready:` has more than one of `port`, `run` and `log`",
        "gantry.yml:13:7",
        "service `cache` is already defined at line 6",
        "gantry.yml:14:36",
        "invalid port: `x` is not a port number",
    ] {
        assert!(all.contains(expected), "{expected} missing in:\n{all}");
    }
}

#[test]
fn services_export_to_github_actions_and_gitlab_and_host_commands_do_not() {
    let config = r#"version: 1
name: exp
secrets: [DB_PASSWORD]
services:
  db:
    image: postgres:16
    env: { POSTGRES_PASSWORD: "${env.DB_PASSWORD}" }
    ports: ["15432:5432"]
    ready: { run: pg_isready -h localhost, timeout: 30s }
stages:
  - name: build
    run: make
  - name: test
    services:
      cache: { image: "redis:7", ports: ["6379"], ready: { port: 6379 } }
    run: make test
"#;
    let repo = Repo::new(config);
    let out = run(&repo, &["export", "github-actions"]);
    assert_eq!(out.code, 0, "{}", out.all());
    for expected in [
        "    services:\n      db:\n        image: \"postgres:16\"\n        env:\n          POSTGRES_PASSWORD: \"${{ secrets.DB_PASSWORD }}\"\n        ports:\n          - \"15432:5432\"\n",
        "options: \"--health-cmd \\\"pg_isready -h localhost\\\" --health-interval 2s --health-timeout 5s --health-retries 15\"",
        "      GANTRY_SERVICE_DB_PORT: \"15432\"\n",
        "      GANTRY_SERVICE_CACHE_HOST: \"127.0.0.1\"\n",
    ] {
        assert!(out.stdout.contains(expected), "{expected} missing in:\n{}", out.stdout);
    }
    let out = run(&repo, &["export", "gitlab-ci"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let test_job = &out.stdout[out.stdout.find("\"test:test\":").expect("test job")..];
    for expected in [
        "  services:\n    - name: \"postgres:16\"\n      alias: db\n      variables:\n        POSTGRES_PASSWORD: \"$DB_PASSWORD\"\n    - name: \"redis:7\"\n      alias: cache\n",
        "    GANTRY_SERVICE_DB_HOST: db\n    GANTRY_SERVICE_DB_PORT: \"5432\"\n",
    ] {
        assert!(test_job.contains(expected), "{expected} missing in:\n{test_job}");
    }
    // The build job has the pipeline's service only.
    let build_job = &out.stdout
        [out.stdout.find("\"build:build\":").unwrap()..out.stdout.find("\"test:test\":").unwrap()];
    assert!(
        build_job.contains("alias: db") && !build_job.contains("alias: cache"),
        "{build_job}"
    );

    repo.write(
        "gantry.yml",
        &config.replace(
            "  db:\n",
            "  api:\n    run: ./fake-api --port 9000\n  db:\n",
        ),
    );
    for target in ["github-actions", "gitlab-ci"] {
        let out = run(&repo, &["export", target]);
        assert_ne!(out.code, 0, "{}", out.all());
        assert!(
            out.stderr.contains("service `api` is a host command (`run: ./fake-api --port 9000`): CI runners start services from container images only"),
            "{}",
            out.stderr
        );
        assert!(out.stdout.is_empty(), "{}", out.stdout);
    }
}

#[test]
fn ctrl_c_stops_the_services_and_service_logs_mask_secrets() {
    let Some(p) = Pipeline::busybox("svc-int") else {
        return;
    };
    let image = p.image;
    let repo = p.repo(&format!(
        r#"secrets: [SERVICE_TOKEN]
services:
  web:
    image: {image}
    command: [sh, -c, "echo token=$SERVICE_TOKEN; exec sleep 300"]
    env: {{ SERVICE_TOKEN: "${{env.SERVICE_TOKEN}}" }}
    ready: {{ log: "token=" }}
{helper}{STARTED_STAGE}"#,
        helper = p.helper("echo \"helper token=$SERVICE_TOKEN\"; ")
    ));
    let out = engine_gantry(&repo, &["run"])
        .env("SERVICE_TOKEN", "s3cr3t-value-42")
        .start_until("started")
        .interrupt();
    assert_ne!(out.code, 0, "{out}");
    p.assert_no_containers();
    assert_stopped(&out, &repo, &["web", "helper"]);
    assert_eq!(repo.read(".gantry/runs/1/services/web.log"), "token=***\n");
    assert!(repo
        .read(".gantry/runs/1/services/helper.log")
        .contains("helper token=***"));
    assert!(!out.all().contains("s3cr3t-value-42"), "{out}");
}

#[test]
fn a_stage_named_services_is_refused_next_to_services() {
    let repo = Repo::new(
        "version: 1\nservices:\n  db: { run: sleep 1 }\nstages:\n  - name: services\n    run: \"true\"\n",
    );
    let out = run(&repo, &["list"]);
    assert_ne!(out.code, 0, "{}", out.all());
    assert!(
        out.all().contains("gantry.yml:5:11")
            && out
                .all()
                .contains("stage name `services` is reserved when the pipeline has `services:`"),
        "{}",
        out.all()
    );
}

#[test]
fn a_stage_host_service_runs_with_the_pipelines_env_the_stages_and_its_own() {
    let repo = Repo::new(
        r#"version: 1
env: { FROM_PIPELINE: pipeline, SHARED: pipeline, OVERRIDDEN: pipeline }
stages:
  - name: test
    env: { FROM_STAGE: "${stage.name}-stage", SHARED: stage, OVERRIDDEN: stage }
    services:
      helper:
        run: echo $$ > helper.pid; echo "$FROM_PIPELINE $FROM_STAGE $SHARED $OVERRIDDEN" > seen; exec sleep 300
        env: { OVERRIDDEN: own }
        ready: { run: '[ "$FROM_STAGE" = test-stage ] && test -s seen', timeout: 10s }
    run: cat seen
"#,
    );
    let out = run(&repo, &["run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(repo.read("seen"), "pipeline test-stage stage own\n");
    assert_stopped(&out, &repo, &["test/helper"]);
}

#[test]
fn a_services_own_env_expands_from_the_env_it_starts_with() {
    let repo = Repo::new(
        r#"version: 1
env: { SHARED: pipeline }
defaults: { env: { FROM_DEFAULTS: defaults } }
services:
  top:
    run: echo "$FROM_DEFAULTS_TOO" > top.seen; exec sleep 300
    env: { FROM_DEFAULTS_TOO: "${env.FROM_DEFAULTS}" }
    ready: { run: test -s top.seen, timeout: 10s }
stages:
  - name: test
    env: { SHARED: stage }
    services:
      helper:
        run: echo $$ > helper.pid; echo "$MINE" > seen; exec sleep 300
        env: { STAGE: "${stage.name}", MINE: "${env.SHARED} in ${env.STAGE}" }
        ready: { run: test -s seen, timeout: 10s }
    run: cat seen top.seen
"#,
    );
    let out = run(&repo, &["run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(repo.read("seen"), "stage in test\n");
    assert_eq!(repo.read("top.seen"), "defaults\n");
    assert_stopped(&out, &repo, &["test/helper", "top"]);
}

/// A container engine whose `rm` hangs: gantry gives up on removing the
/// service's container after the engine housekeeping limit (cut to one
/// second through gantry's test-only `GANTRY_TEST_HOUSEKEEPING_MS`), says
/// which container may be left, finishes, and leaves no process behind.
#[test]
fn a_hung_container_removal_is_given_up_and_reported() {
    let repo = Repo::new(
        r#"version: 1
name: hung-rm
services:
  db:
    image: localhost/db:1
    ready: { run: "true" }
stages:
  - name: test
    run: echo using the service
"#,
    );
    let pids = repo.path().join("engine.pids");
    common::write_executable(
        &repo,
        "bin/podman",
        &format!(
            r#"#!/bin/sh
while [ "${{1#--}}" != "$1" ]; do shift 2; done
case "$1" in
  run) echo $$ >> '{pids}'; exec sleep 120 ;;
  rm) echo $$ >> '{pids}'; sleep 120 & echo $! >> '{pids}'; wait ;;
esac
exit 0
"#,
            pids = pids.display()
        ),
    );
    common::write_executable(&repo, "bin/docker", "#!/bin/sh\nexit 1\n");
    let path = format!("{}:/usr/bin:/bin", repo.path().join("bin").display());
    let out = repo
        .gantry()
        .args(["run"])
        .env("PATH", path)
        .env("GANTRY_TEST_HOUSEKEEPING_MS", "1000")
        .env_remove("DOCKER_HOST")
        .deadline(Duration::from_secs(30))
        .run();
    assert_eq!(out.code, 0, "{}", out.all());
    out.has("[service db] ! stopped, but its container `gantry-hung-rm-1-db` may be left: `podman rm -f -t 0 gantry-hung-rm-1-db` did not answer within 1.0s");
    let pids = common::pids(&repo, "engine.pids");
    assert_eq!(pids.len(), 3, "the run, rm and rm's sleep: {pids:?}");
    for pid in pids {
        assert!(!process_running(pid), "engine process {pid} still runs");
    }
}

/// The pipeline `name` with container service `db` and stage `test` running `run`.
fn one_container_service(name: &str, run: &str) -> Repo {
    Repo::new(&format!(
        "version: 1\nname: {name}\nservices:\n  db:\n    image: localhost/db:1\n    ready: {{ run: \"true\" }}\nstages:\n  - name: test\n    run: {run}\n"
    ))
}

/// A stand-in podman whose service containers sleep, whose `ps` lists
/// `listed` (`NAME<TAB>GANTRY-PID` lines), and whose `rm` of container
/// `hangs` hangs ([`common::images::HANGING_RM`]); the `PATH` to run gantry with.
fn engine_whose_rm_hangs(repo: &Repo, listed: &str, hangs: &str) -> String {
    let rm = hanging_rm_only_for(hangs, "exit 0");
    stand_in_podman(
        repo,
        &format!("  ps) printf '%s' '{listed}' ;;\n  run) exec sleep 120 ;;\n{rm}"),
    )
}

/// Removing a service container a killed gantry left (before the
/// service's own starts) that hangs is given up on at the housekeeping
/// limit, as the removal of the run's own is, and said the same way.
#[test]
fn a_hung_removal_of_a_leftover_container_is_reported() {
    let repo = one_container_service("sweep-hung", "echo using the service");
    let path = engine_whose_rm_hangs(&repo, "gantry-old-9-db\t999999999\n", "gantry-old-9-db");
    let out = repo
        .gantry()
        .args(["run"])
        .env("PATH", path)
        .env("GANTRY_TEST_HOUSEKEEPING_MS", "1000")
        .env_remove("DOCKER_HOST")
        .deadline(Duration::from_secs(30))
        .run();
    assert_eq!(out.code, 0, "{}", out.all());
    out.has("[service db] ! container `gantry-old-9-db`, left by a gantry that is gone, may still be there: `podman rm -f -t 0 gantry-old-9-db` did not answer within 1.0s");
    out.has("[service db] stopped");
    assert_rm_stopped(&repo);
}

/// Ctrl-C stops the run; a second Ctrl-C while its service's container
/// removal hangs stops waiting for it (long before the housekeeping
/// limit, here ten minutes) and names the container left and the command.
#[test]
fn a_second_ctrl_c_stops_waiting_for_a_hung_container_removal() {
    let repo = one_container_service("ctrl-c-rm", "touch started; sleep 300");
    let path = engine_whose_rm_hangs(&repo, "", "gantry-ctrl-c-rm-1-db");
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
    assert_eq!(out.code, 130, "{}", out.all());
    out.has("[service db] ! stopped, but its container `gantry-ctrl-c-rm-1-db` may be left: `podman rm -f -t 0 gantry-ctrl-c-rm-1-db` was interrupted before it answered");
    assert_rm_stopped(&repo);
}

/// After a run that passed, the first Ctrl-C stops waiting for a hung
/// removal of its service's container.
#[test]
fn ctrl_c_during_the_teardown_after_a_run_stops_waiting_for_a_hung_removal() {
    let repo = one_container_service("teardown-rm", "echo using the service");
    let path = engine_whose_rm_hangs(&repo, "", "gantry-teardown-rm-1-db");
    let out = repo
        .gantry()
        .args(["run"])
        .env("PATH", path)
        .env("GANTRY_TEST_HOUSEKEEPING_MS", "600000")
        .env_remove("DOCKER_HOST")
        .start_until("rm.started")
        .interrupt();
    assert_eq!(out.code, 130, "{}", out.all());
    out.has("[service db] ! stopped, but its container `gantry-teardown-rm-1-db` may be left: `podman rm -f -t 0 gantry-teardown-rm-1-db` was interrupted before it answered");
    assert_rm_stopped(&repo);
}

/// One Ctrl-C while a stage's service container's removal hangs stops the
/// run but gives up on no removal: that one runs to its limit, and the
/// pipeline's service is still removed after it.
#[test]
fn the_first_ctrl_c_during_a_stage_services_removal_gives_up_on_no_removal() {
    let repo = Repo::new(
        "version: 1\nname: stage-rm\nservices:\n  db:\n    image: localhost/db:1\n    ready: { run: \"true\" }\nstages:\n  - name: test\n    services:\n      cache:\n        image: localhost/cache:1\n        ready: { run: \"true\" }\n    run: echo using the services\n  - name: later\n    run: echo never runs\n",
    );
    let rm = hanging_rm_only_for(
        "gantry-stage-rm-1-cache",
        "{ touch \"$DIR/removed-$5\"; exit 0; }",
    );
    let path = stand_in_podman(&repo, &format!("  run) exec sleep 120 ;;\n{rm}"));
    let out = repo
        .gantry()
        .args(["run"])
        .env("PATH", path)
        .env("GANTRY_TEST_HOUSEKEEPING_MS", "3000")
        .env_remove("DOCKER_HOST")
        .start_until("rm.started")
        .interrupt();
    assert_eq!(out.code, 130, "{}", out.all());
    out.has("[service test/cache] ! stopped, but its container `gantry-stage-rm-1-cache` may be left: `podman rm -f -t 0 gantry-stage-rm-1-cache` did not answer within 3.0s");
    out.has("[service db] stopped");
    assert!(
        repo.path().join("removed-gantry-stage-rm-1-db").exists(),
        "{}",
        out.all()
    );
    assert_rm_stopped(&repo);
}

#[test]
fn a_secret_given_in_a_services_own_env_is_masked_where_its_command_is_shown() {
    let repo = Repo::new(
        r#"version: 1
secrets: [API_KEY]
stages:
  - name: test
    services:
      mock:
        run: 'echo "key=${env.API_KEY}" > seen; exec sleep 300'
        env: { API_KEY: "${env.MOCK_KEY}" }
        ready: { run: test -s seen, timeout: 10s }
    run: cat seen
"#,
    );
    let out = engine_gantry(&repo, &["run", "--verbose"])
        .env("API_KEY", "the-ci-key-31")
        .env("MOCK_KEY", "s3cr3t-mock-77")
        .run();
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(repo.read("seen"), "key=s3cr3t-mock-77\n");
    assert!(out.all().contains("key=***"), "{}", out.all());
    assert!(!out.all().contains("s3cr3t-mock-77"), "{}", out.all());
    for log in ["services/mock.log", "test/test.log"] {
        let text = repo.read(&format!(".gantry/runs/1/{log}"));
        assert!(!text.contains("s3cr3t-mock-77"), "{log}: {text}");
    }
}
