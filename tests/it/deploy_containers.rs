//! Container instances (`instances: { count, image }`): deployments onto
//! long-lived Debian containers, checked from inside them with
//! `podman exec` — owners and `runas:` users that exist only in the
//! container, rollback, hooks stopped inside at their timeout, instances
//! kept between deployments and recreated by `--reset`, and `--shell`.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::images::{containers_conf, debian_image, engine_gantry, podman};
use crate::common::{run_command, running_as_root, write_exec, Outcome, Repo};

/// The group's containers, removed when the test ends (also on failure).
struct Instances {
    pipeline: String,
}

impl Instances {
    fn name(&self, n: u32) -> String {
        format!("gantry-{}-dev-{n}", self.pipeline)
    }
}

impl Drop for Instances {
    fn drop(&mut self) {
        let _ = podman()
            .args(["rm", "-f", "-t", "0", &self.name(1), &self.name(2)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// The Debian image and a unique pipeline name; `None` (skipped) without
/// podman, mmdebstrap or root (mounting a container's file system needs it).
fn setup(test: &str) -> Option<(&'static str, Instances)> {
    let image = debian_image()?;
    if !running_as_root() {
        return None;
    }
    let pipeline = format!("ci-{test}-{}", std::process::id());
    Some((image, Instances { pipeline }))
}

fn config(pipeline: &str, image: &str) -> String {
    format!(
        "version: 1
name: {pipeline}
secrets: [API_TOKEN]
env: {{ API_TOKEN: \"${{env.API_TOKEN}}\" }}
deploy_groups:
  dev:
    instances: {{ count: 2, image: \"{image}\" }}
    config: AllAtOnce
stages:
  - name: ship
    deploy: {{ group: dev, revision: rev }}
"
    )
}

/// The value of the secret `API_TOKEN`.
const SECRET: &str = "s3cr3t-c0ntainer-v4lue";

/// gantry with this machine's `containers.conf` and the secret.
fn gantry(repo: &Repo, args: &[&str]) -> Outcome {
    engine_gantry(repo, args).env("API_TOKEN", SECRET).run()
}

/// `podman exec <container> sh -c <script>`: its stdout, trimmed.
fn inside(container: &str, script: &str) -> String {
    let out = podman()
        .args(["exec", container, "sh", "-c", script])
        .output()
        .expect("podman exec runs");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

const APPSPEC: &str = "version: 0.0
os: linux
files:
  - source: app
    destination: /srv/www
permissions:
  - object: /srv/www
    owner: web
    group: web
    mode: 640
    type: [file]
hooks:
  ApplicationStop:
    - location: hooks/stop.sh
  BeforeInstall:
    - location: hooks/before.sh
  ApplicationStart:
    - location: hooks/start.sh
      runas: web
  ValidateService:
    - location: hooks/validate.sh
      runas: web
";

/// Revision `tag`: its index page, the hooks; ValidateService exits `validate`.
fn revision(repo: &Repo, tag: &str, validate: u8) {
    repo.write("rev/appspec.yml", APPSPEC);
    repo.write("rev/app/index.html", &format!("{tag}\n"));
    write_exec(
        repo,
        "rev/hooks/stop.sh",
        "#!/bin/sh\necho \"stopping $(cat /srv/www/index.html)\" >> /var/log/stops\n",
    );
    write_exec(
        repo,
        "rev/hooks/before.sh",
        "#!/bin/sh\nset -e\nid web >/dev/null 2>&1 || useradd --system --user-group web\nmkdir -p /var/lib/app && chown web /var/lib/app\nif [ -f /srv/www/index.html ]; then echo \"found $(cat /srv/www/index.html)\"; fi\necho \"token=$API_TOKEN\"\n",
    );
    write_exec(
        repo,
        "rev/hooks/start.sh",
        "#!/bin/sh\nid -un > /var/lib/app/started-by\n",
    );
    write_exec(
        repo,
        "rev/hooks/validate.sh",
        &format!("#!/bin/sh\ncat /srv/www/index.html\nexit {validate}\n"),
    );
}

#[test]
fn a_deployment_onto_two_debian_containers_rolls_back_inside_them() {
    let Some((image, instances)) = setup("rollback") else {
        return;
    };
    let repo = Repo::new(&config(&instances.pipeline, image));
    revision(&repo, "v1", 0);
    let first = gantry(&repo, &["run"]);
    assert_eq!(first.code, 0, "{}", first.all());
    for n in [1, 2] {
        let c = instances.name(n);
        assert_eq!(
            inside(&c, "stat -c '%U:%G %a' /srv/www/index.html; cat /srv/www/index.html /var/lib/app/started-by"),
            "web:web 640\nv1\nweb",
            "{c}: files owned by the user BeforeInstall created, ApplicationStart ran as it"
        );
    }
    assert!(
        !repo.path().join(".gantry/targets").exists(),
        "nothing was installed on the host"
    );

    revision(&repo, "v2", 1);
    let second = gantry(&repo, &["run"]);
    assert_ne!(second.code, 0, "{}", second.all());
    let out = second.all();
    assert!(out.contains("[dev/1 ValidateService] v2"), "{out}");
    assert!(
        out.contains("[dev/2 BeforeInstall] found v1"),
        "the instances were kept: {out}"
    );
    assert!(out.contains("restored the revision of"), "{out}");
    assert!(
        out.contains("[dev/1 BeforeInstall] token=***"),
        "the secret reached the hook, masked: {out}"
    );
    let logs = String::from_utf8_lossy(
        &Command::new("grep")
            .args(["-r", SECRET, ".gantry"])
            .current_dir(repo.path())
            .output()
            .unwrap()
            .stdout,
    )
    .into_owned();
    assert!(
        !out.contains(SECRET) && logs.is_empty(),
        "the secret is masked everywhere: {out}{logs}"
    );
    for n in [1, 2] {
        let c = instances.name(n);
        assert_eq!(
            inside(&c, "stat -c '%U:%G %a' /srv/www/index.html; cat /srv/www/index.html /var/log/stops"),
            "web:web 640\nv1\nstopping v1\nstopping v2",
            "{c}: rolled back to v1 inside the container, ApplicationStop of each deployed revision ran"
        );
    }
}

#[test]
fn a_hook_stopped_by_its_timeout_is_killed_inside_the_container() {
    let Some((image, instances)) = setup("timeout") else {
        return;
    };
    let repo = Repo::new(&config(&instances.pipeline, image));
    repo.write(
        "rev/appspec.yml",
        "version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: start.sh\n      timeout: 2\n",
    );
    write_exec(
        &repo,
        "rev/start.sh",
        "#!/bin/sh\nsleep 4242 &\nsleep 4243\n",
    );
    let out = gantry(&repo, &["run"]);
    assert_ne!(out.code, 0, "{}", out.all());
    assert!(out.all().contains("timed out"), "{}", out.all());
    let left = "for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline; echo; done | grep -c 'sleep 42[4]' || true";
    for n in [1, 2] {
        let c = instances.name(n);
        let deadline = Instant::now() + Duration::from_secs(20);
        while inside(&c, left) != "0" {
            assert!(
                Instant::now() < deadline,
                "{c}: the hook's processes outlived its timeout"
            );
            std::thread::yield_now();
        }
    }
}

#[test]
fn reset_recreates_the_instances_and_shell_opens_one() {
    let Some((image, instances)) = setup("reset") else {
        return;
    };
    let repo = Repo::new(&config(&instances.pipeline, image));
    revision(&repo, "v1", 0);
    assert_eq!(gantry(&repo, &["run"]).code, 0);
    let id = |n| {
        let out = podman()
            .args(["inspect", "--format", "{{.Id}}", &instances.name(n)])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let before = id(1);

    let no_tty = gantry(&repo, &["deploy", "--group", "dev", "--shell", "1"]);
    assert_eq!(no_tty.code, 2, "{}", no_tty.all());
    assert!(
        no_tty.stderr.contains("needs a terminal"),
        "{}",
        no_tty.stderr
    );
    assert!(
        no_tty
            .stderr
            .contains(&format!("podman exec {} COMMAND", instances.name(1))),
        "{}",
        no_tty.stderr
    );

    let reset = gantry(&repo, &["deploy", "--group", "dev", "--reset"]);
    assert_eq!(reset.code, 0, "{}", reset.all());
    assert_ne!(id(1), before, "instance 1 is a new container");
    for n in [1, 2] {
        let c = instances.name(n);
        assert_eq!(
            inside(&c, "ls /srv; id -u web 2>/dev/null; echo fresh"),
            "fresh",
            "{c}"
        );
    }
    let again = gantry(&repo, &["run"]);
    assert_eq!(
        again.code,
        0,
        "a reset group deploys afresh: {}",
        again.all()
    );
    assert!(!again.all().contains("found v1"), "{}", again.all());

    if !crate::common::have_program("script", "apt-get install bsdutils") {
        return;
    }
    let gantry_bin = crate::common::gantry_bin();
    let shell = Command::new("script")
        .args([
            "-qec",
            &format!("{} deploy --group dev --shell 2", gantry_bin.display()),
            "/dev/null",
        ])
        .current_dir(repo.path())
        .env("CONTAINERS_CONF", containers_conf())
        .env("API_TOKEN", SECRET)
        // As every other gantry of this test runs: the instances live in
        // the engine's default store.
        .env_remove("GANTRY_BUILDAH_STORAGE_DRIVER")
        .env_remove("GANTRY_BUILDAH_ISOLATION")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(b"echo on-$(cat /etc/hostname)-$((6*7)); exit 3\n")?;
            child.wait_with_output()
        })
        .expect("script runs");
    let text = String::from_utf8_lossy(&shell.stdout);
    assert!(
        text.contains(&format!("on-{}-42", instances.name(2))),
        "{text}"
    );
    assert_eq!(
        shell.status.code(),
        Some(3),
        "the shell's exit code: {text}"
    );
}

#[test]
fn container_instance_config_errors_are_located() {
    let stages = "stages: [ { name: s, run: 'true' } ]\n";
    let cases = [
        (
            "{ count: 2 }",
            "5:16",
            "container instances without `image:` or `build:`",
        ),
        (
            "{ count: 0, image: x }",
            "5:25",
            "a group of 0 container instances",
        ),
        (
            "{ image: a, build: b }",
            "5:25",
            "both `image:` and `build:`",
        ),
        (
            "{ image: a, context: . }",
            "5:37",
            "`context:` without `build:`",
        ),
        ("{ image: '' }", "5:25", "`image:` is empty"),
        ("{ image: a, imgae: b }", "5:28", "unknown field `imgae`"),
    ];
    for (instances, at, message) in cases {
        let repo = Repo::new(&format!(
            "version: 1\nname: p\ndeploy_groups:\n  dev:\n    instances: {instances}\n{stages}"
        ));
        let out = repo.run(&["list"]);
        assert_eq!(out.code, 2, "{instances}\n{}", out.all());
        assert!(out.stderr.contains(message), "{instances}\n{}", out.stderr);
        assert!(
            out.stderr.contains(&format!("gantry.yml:{at}")),
            "{instances}\n{}",
            out.stderr
        );
    }
}

#[test]
fn shell_and_reset_need_container_instances() {
    let repo = Repo::new("version: 1\nname: p\ndeploy_groups: { dev: { instances: 2 } }\nstages: [ { name: s, run: 'true' } ]\n");
    for args in [["--shell", "1"].as_slice(), ["--reset"].as_slice()] {
        let out = repo.run(&[&["deploy", "--group", "dev"], args].concat());
        assert_eq!(out.code, 2, "{}", out.all());
        assert!(
            out.stderr.contains("group `dev` has folder instances"),
            "{}",
            out.stderr
        );
    }
    assert!(
        !repo.path().join(".gantry/targets").exists(),
        "nothing was deployed"
    );
}

#[test]
fn dry_run_shows_the_engine_commands() {
    if !crate::common::have_program("podman", "apt-get install -y podman") {
        return;
    }
    let repo = Repo::new(&config("shop", "localhost/some-image:1"));
    let out = gantry(&repo, &["run", "--dry-run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    for line in [
        "deploy rev to dev (2 container instances of localhost/some-image:1, AllAtOnce)",
        "podman run -d --name gantry-shop-dev-1 --hostname gantry-shop-dev-1",
        "--label io.gantry.group=dev",
        "podman mount gantry-shop-dev-1",
        "podman exec --workdir / --env LIFECYCLE_EVENT --env DEPLOYMENT_ID gantry-shop-dev-1 sh -c",
        "# likewise for instance 2",
    ] {
        assert!(
            out.stdout.contains(line),
            "{line:?} missing from:\n{}",
            out.stdout
        );
    }
    let graph = gantry(&repo, &["graph"]);
    assert!(
        graph
            .stdout
            .contains("dev: 2 container instances (localhost/some-image:1), AllAtOnce"),
        "{}",
        graph.stdout
    );
    let nothing = podman()
        .args(["container", "exists", "gantry-shop-dev-1"])
        .status()
        .unwrap();
    assert!(!nothing.success(), "a dry run creates no container");
}

#[test]
fn a_hook_left_running_by_a_killed_gantry_is_stopped_at_the_next_deployment() {
    let Some((image, instances)) = setup("killed") else {
        return;
    };
    let repo = Repo::new(&config(&instances.pipeline, image));
    repo.write(
        "rev/appspec.yml",
        "version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: start.sh\n",
    );
    write_exec(&repo, "rev/start.sh", "#!/bin/sh\nsleep 4244\n");
    let mut command = repo.command(&["run"]);
    command
        .env("CONTAINERS_CONF", containers_conf())
        .env("API_TOKEN", SECRET)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = command.spawn().expect("gantry starts");
    let running = "for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline; echo; done | grep -c 'sleep 42[4]4' || true";
    let c = instances.name(1);
    let deadline = Instant::now() + Duration::from_secs(60);
    while inside(&c, running) != "1" {
        assert!(Instant::now() < deadline, "the hook never started in {c}");
        std::thread::yield_now();
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        inside(&c, running),
        "1",
        "kill -9 of gantry leaves the hook running inside"
    );

    let recover = gantry(&repo, &["deploy", "--group", "dev", "--recover"]);
    assert_eq!(recover.code, 0, "{}", recover.all());
    for n in [1, 2] {
        assert_eq!(inside(&instances.name(n), running), "0", "instance {n}");
    }
}

#[test]
fn an_engine_failure_is_reported_with_its_message_and_leaves_no_container() {
    let Some((image, instances)) = setup("engine") else {
        return;
    };
    let repo = Repo::new(&config(&instances.pipeline, image));
    revision(&repo, "v1", 0);
    let conf = repo.path().join("broken-containers.conf");
    std::fs::write(&conf, "[engine]\nruntime = \"gantry-no-such-runtime\"\n").unwrap();
    let mut command = repo.command(&["run"]);
    command
        .env("CONTAINERS_CONF", &conf)
        .env("API_TOKEN", SECRET);
    let out = run_command(command);
    assert_eq!(out.code, 1, "{}", out.all());
    let text = out.all();
    assert!(
        text.contains("gantry-no-such-runtime"),
        "the engine's own message: {text}"
    );
    assert!(
        text.contains("`podman ") && text.contains(&instances.name(1)),
        "{text}"
    );
    assert!(text.contains("nothing was deployed"), "{text}");
    let left = podman()
        .args(["container", "exists", &instances.name(1)])
        .status()
        .unwrap();
    assert!(!left.success(), "no half-made container is left");
}
