//! `services:`: real podman containers (the locally built busybox image,
//! never pulled) and host commands as small TCP servers (busybox `nc`),
//! readiness by port and by log line, the log tail of a service that never
//! becomes ready, nothing left behind after a failure or a `kill -9`, and
//! located config errors.

use crate::common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::images::{busybox_image, containers_conf, podman};
use common::{action_status, process_running, Outcome, Repo};

/// A port nobody listens on right now (the kernel's pick, released).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A pipeline name unique to this test process and test, so that the
/// label filters below see only this test's containers.
fn unique(name: &str) -> String {
    format!("{name}-{}", std::process::id())
}

fn gantry(repo: &Repo, args: &[&str]) -> Command {
    let mut command = repo.command(args);
    command.env("CONTAINERS_CONF", containers_conf());
    command
}

fn run(repo: &Repo, args: &[&str]) -> Outcome {
    common::run_command(gantry(repo, args))
}

/// Names of containers (running or not) labelled as service `service`
/// of a gantry run whose container names start with `prefix`.
fn containers(prefix: &str) -> Vec<String> {
    let out = podman()
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

/// Waits (at most `limit`) until `done` holds.
fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    done()
}

#[test]
fn container_and_host_services_serve_a_two_stage_pipeline() {
    let Some(image) = busybox_image() else { return };
    let name = unique("svc-two");
    let (web, local) = (free_port(), free_port());
    let repo = Repo::new(&format!(
        r#"version: 1
name: {name}
services:
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
    let all = out.all();
    assert_eq!(out.code, 0, "{all}");
    assert!(all.contains("[unit/unit] hello-from-container"), "{all}");
    assert!(
        all.contains("[integration/both] hello-from-container"),
        "{all}"
    );
    assert!(all.contains("[integration/both] hello-from-host"), "{all}");
    assert!(all.contains("local at 127.0.0.1"), "{all}");
    for line in [
        "[service web] starting: ",
        "[service web] ✔ ready in ",
        "[service integration/local] ✔ ready in ",
        "[service integration/local] stopped",
        "[service web] stopped",
    ] {
        assert!(all.contains(line), "{line} missing in:\n{all}");
    }
    // The stage's service stops with its stage, the pipeline's at the end.
    let local_stopped = all.find("[service integration/local] stopped").unwrap();
    assert!(local_stopped < all.find("[service web] stopped").unwrap());
    assert!(repo
        .read(".gantry/runs/1/services/web.log")
        .contains("booting"));
    assert!(repo
        .read(".gantry/runs/1/services/local.log")
        .contains(&format!("serving on {local}")));
    assert!(containers(&format!("gantry-{name}-")).is_empty());
    assert!(std::net::TcpStream::connect(("127.0.0.1", local)).is_err());
}

#[test]
fn an_action_in_a_container_reaches_a_host_service_at_its_given_address() {
    let Some(image) = busybox_image() else { return };
    let name = unique("svc-in-container");
    let port = free_port();
    let repo = Repo::new(&format!(
        r#"version: 1
name: {name}
services:
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
    let out = run(&repo, &["run"]);
    let all = out.all();
    assert_eq!(out.code, 0, "{all}");
    assert!(all.contains("[talk/talk] hello-from-host"), "{all}");
    assert!(containers(&format!("gantry-{name}-")).is_empty());
}

/// A service's container runs from the store the pipeline's images were
/// built into: on a machine where only `vfs` works, an `image:` action
/// builds with buildah into `vfs` (`GANTRY_BUILDAH_STORAGE_DRIVER`, in a
/// store whose configured driver is overlay), and a service runs that image.
#[test]
fn a_service_runs_an_image_built_into_the_vfs_store() {
    if busybox_image().is_none() || !common::have_program("buildah", "apt-get install -y buildah") {
        return;
    }
    let busybox = ["/bin/busybox", "/usr/bin/busybox"]
        .into_iter()
        .find(|p| std::path::Path::new(p).is_file())
        .expect("busybox_image found busybox");
    let name = unique("svc-vfs");
    let (_store, conf) = crate::common::images::private_store("overlay");
    let repo = Repo::new(&format!(
        r#"version: 1
name: {name}
stages:
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
    std::fs::create_dir_all(repo.path().join("ci")).unwrap();
    std::fs::copy(busybox, repo.path().join("ci/busybox")).unwrap();
    repo.write(
        "ci/Containerfile",
        "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n",
    );
    let mut command = gantry(&repo, &["run"]);
    command
        .env("CONTAINERS_STORAGE_CONF", &conf)
        .env("GANTRY_BUILDAH_STORAGE_DRIVER", "vfs")
        .env("GANTRY_BUILDAH_ISOLATION", "chroot");
    let out = common::run_command(command);
    let all = out.all();
    assert_eq!(out.code, 0, "{all}");
    assert!(all.contains("[service test/web] ✔ ready in "), "{all}");
    assert!(
        all.contains("[service test/web] starting: ") && all.contains(" --storage-driver vfs run "),
        "{all}"
    );
    assert!(all.contains("used-the-service"), "{all}");
}

#[test]
fn a_service_that_never_becomes_ready_fails_its_stage_with_its_log_tail() {
    let Some(image) = busybox_image() else { return };
    let name = unique("svc-never");
    let port = free_port();
    let repo = Repo::new(&format!(
        r#"version: 1
name: {name}
stages:
  - name: build
    run: echo built
  - name: test
    services:
      db:
        image: {image}
        command: [sh, -c, "echo still warming up; exec sleep 300"]
        ready: {{ log: "ready to accept connections", timeout: 2s }}
      api:
        run: echo "api has no config"; exec sleep 300
        ready: {{ port: {port}, timeout: 1s }}
    actions:
      - name: unit
        run: echo never runs
"#
    ));
    let out = run(&repo, &["run"]);
    let all = out.all();
    assert_eq!(out.code, 1, "{all}");
    assert!(!all.contains("never runs\n[test/unit] ✔"), "{all}");
    assert!(
        all.contains("[service test/db] ✘ not ready: its output did not show \"ready to accept connections\" within 2.0s"),
        "{all}"
    );
    assert!(all.contains("[service test/db] still warming up"), "{all}");
    assert!(
        all.contains("service `db` is not ready: its output did not show \"ready to accept connections\" within 2.0s"),
        "{all}"
    );
    assert!(all.contains("log: .gantry/runs/1/services/db.log"), "{all}");
    let record = repo.run_json(1);
    assert_eq!(action_status(&record, "build", "build"), "passed");
    assert_eq!(action_status(&record, "test", "unit"), "failed");
    assert!(containers(&format!("gantry-{name}-")).is_empty());

    // The host command, alone: its port never opens within its timeout.
    let repo = Repo::new(&format!(
        r#"version: 1
name: {name}-host
stages:
  - name: test
    services:
      api:
        run: echo "api has no config"; exec sleep 300
        ready: {{ port: {port}, timeout: 1s }}
    run: echo never runs
"#
    ));
    let out = run(&repo, &["run"]);
    let all = out.all();
    assert_eq!(out.code, 1, "{all}");
    assert!(
        all.contains(&format!(
            "[service test/api] ✘ not ready: port {port} on 127.0.0.1 did not accept connections within 1.0s"
        )),
        "{all}"
    );
    assert!(
        all.contains("[service test/api] api has no config"),
        "{all}"
    );
}

#[test]
fn services_are_stopped_after_a_failure_and_a_timeout() {
    let Some(image) = busybox_image() else { return };
    let name = unique("svc-fail");
    let port = free_port();
    let repo = Repo::new(&format!(
        r#"version: 1
name: {name}
services:
  web:
    image: {image}
    command: [sh, -c, "sleep 1; touch /up; exec sleep 300"]
    ready: {{ run: test -e /up }}
  helper:
    run: echo $$ > helper.pid; busybox nc -ll -p {port} -e echo hi & echo $! >> helper.pid; wait
    ready: {{ port: {port} }}
  probe:
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
"#
    ));
    let out = run(&repo, &["run"]);
    let all = out.all();
    assert_eq!(out.code, 1, "{all}");
    let record = repo.run_json(1);
    assert_eq!(action_status(&record, "test", "fails"), "failed");
    assert_eq!(action_status(&record, "test", "slow"), "timed_out");
    assert!(all.contains("[service web] stopped"), "{all}");
    assert!(all.contains("[service helper] stopped"), "{all}");
    // Readiness by command: inside the container, and on this machine.
    assert!(all.contains("[service web] ✔ ready in "), "{all}");
    assert!(all.contains("[service probe] ✔ ready in "), "{all}");
    assert!(containers(&format!("gantry-{name}-")).is_empty());
    for pid in common::pids(&repo, "helper.pid") {
        assert!(!process_running(pid), "helper process {pid} still runs");
    }
}

#[test]
fn the_next_run_sweeps_what_a_killed_gantry_left() {
    let Some(image) = busybox_image() else { return };
    let name = unique("svc-kill");
    let port = free_port();
    let repo = Repo::new(&format!(
        r#"version: 1
name: {name}
services:
  web:
    image: {image}
    command: [sh, -c, "echo up; exec sleep 300"]
    ready: {{ log: up }}
  helper:
    run: busybox nc -ll -p {port} -e echo hi & echo $! > helper.pid; wait
    ready: {{ port: {port} }}
stages:
  - name: test
    run: touch started; exec sleep 300
"#
    ));
    let mut gantry_run = gantry(&repo, &["run"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    assert!(common::wait_for_file(
        &repo,
        "started",
        Duration::from_secs(60)
    ));
    gantry_run.kill().unwrap();
    gantry_run.wait().unwrap();
    let prefix = format!("gantry-{name}-1-");
    // The container outlives its killed gantry; the helper's server (a
    // grandchild, not the service's own process) too.
    assert_eq!(containers(&prefix).len(), 1);
    let helper = common::pids(&repo, "helper.pid");
    assert!(helper.iter().all(|pid| process_running(*pid)));

    repo.write("gantry.yml", &format!(
        "version: 1\nname: {name}\nservices:\n  web:\n    image: {image}\n    command: [sh, -c, \"exec sleep 300\"]\n  helper:\n    run: exec sleep 300\nstages:\n  - name: test\n    run: echo second\n"
    ));
    let out = run(&repo, &["run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(containers(&prefix).is_empty(), "{:?}", containers(&prefix));
    assert!(
        wait_until(Duration::from_secs(10), || helper
            .iter()
            .all(|pid| !process_running(*pid))),
        "{helper:?} still run after:\n{}",
        out.all()
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
    let all = out.all();
    assert_eq!(out.code, 0, "{all}");
    assert!(
        all.contains("run --rm --sig-proxy=false --name gantry-dry-1-db"),
        "{all}"
    );
    assert!(
        all.contains("-e POSTGRES_PASSWORD -p 15432:5432 postgres:16"),
        "{all}"
    );
    assert!(!all.contains("hunter2"), "{all}");
    assert!(all.contains("$ sh -c './fake-api --port 9000'"), "{all}");
    let out = run(&repo, &["graph"]);
    let all = out.all();
    assert_eq!(out.code, 0, "{all}");
    assert!(all.contains("service db: image postgres:16"), "{all}");
    assert!(
        all.contains("service api: run ./fake-api --port 9000, ready: port 9000"),
        "{all}"
    );
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
    let Some(image) = busybox_image() else { return };
    let name = unique("svc-int");
    let port = free_port();
    let repo = Repo::new(&format!(
        r#"version: 1
name: {name}
secrets: [SERVICE_TOKEN]
services:
  web:
    image: {image}
    command: [sh, -c, "echo token=$SERVICE_TOKEN; exec sleep 300"]
    env: {{ SERVICE_TOKEN: "${{env.SERVICE_TOKEN}}" }}
    ready: {{ log: "token=" }}
  helper:
    run: echo "helper token=$SERVICE_TOKEN"; busybox nc -ll -p {port} -e echo hi & echo $! > helper.pid; wait
    ready: {{ port: {port} }}
stages:
  - name: test
    run: touch started; exec sleep 300
"#
    ));
    let mut command = gantry(&repo, &["run"]);
    command.env("SERVICE_TOKEN", "s3cr3t-value-42");
    let child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    assert!(common::wait_for_file(
        &repo,
        "started",
        Duration::from_secs(60)
    ));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ne!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("[service web] stopped"), "{all}");
    assert!(all.contains("[service helper] stopped"), "{all}");
    assert!(containers(&format!("gantry-{name}-")).is_empty());
    for pid in common::pids(&repo, "helper.pid") {
        assert!(!process_running(pid), "helper server {pid} still runs");
    }
    assert_eq!(repo.read(".gantry/runs/1/services/web.log"), "token=***\n");
    assert!(repo
        .read(".gantry/runs/1/services/helper.log")
        .contains("helper token=***"));
    assert!(!all.contains("s3cr3t-value-42"), "{all}");
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
