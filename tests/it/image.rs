//! The `image:` action kind: real buildah builds (skipped with a message
//! when buildah is absent; CI installs it), builder detection with stand-in
//! builders on `PATH`, dry runs, and located config errors.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{action_status, Repo};

const DOCKERFILE: &str = r#"FROM scratch
COPY busybox /bin/busybox
ARG GREETING
RUN ["/bin/busybox", "sh", "-c", "echo greeting=$GREETING > /greeting && /bin/busybox cat /greeting"]
"#;

/// Whether the real buildah (and busybox) are here; says so when not.
fn buildah_present() -> bool {
    common::have_program("buildah", "apt-get install -y buildah")
        && common::tool_available(
            "busybox",
            busybox().is_some(),
            "apt-get install -y busybox-static",
        )
}

fn busybox() -> Option<PathBuf> {
    ["/bin/busybox", "/usr/bin/busybox"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

/// A private containers-storage for one test, so tests neither share nor
/// leave images in the machine's store.
struct Storage {
    conf: PathBuf,
    _dir: tempfile::TempDir,
}

impl Storage {
    fn new() -> Storage {
        let dir = tempfile::tempdir().expect("temp dir");
        let conf = dir.path().join("storage.conf");
        let text = format!(
            "[storage]\ndriver = \"vfs\"\ngraphroot = \"{0}/graph\"\nrunroot = \"{0}/run\"\n",
            dir.path().display()
        );
        std::fs::write(&conf, text).unwrap();
        Storage { conf, _dir: dir }
    }

    /// `buildah ARGS` against this storage; its stdout.
    fn buildah(&self, args: &[&str]) -> String {
        let out = Command::new("buildah")
            .args(["--storage-driver", "vfs"])
            .args(args)
            .env("CONTAINERS_STORAGE_CONF", &self.conf)
            .output()
            .expect("buildah runs");
        assert!(out.status.success(), "buildah {args:?}: {out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A gantry command in `repo` using this storage.
    fn gantry(&self, repo: &Repo, args: &[&str]) -> common::Outcome {
        repo.gantry()
            .args(args)
            .env("CONTAINERS_STORAGE_CONF", &self.conf)
            .run()
    }
}

/// A repo with `config`, the Dockerfile above and busybox in the context.
fn image_repo(config: &str) -> Repo {
    let repo = Repo::new(config);
    repo.write("Dockerfile", DOCKERFILE);
    if let Some(bb) = busybox() {
        std::fs::copy(bb, repo.path().join("busybox")).unwrap();
    }
    repo
}

/// Makes `repo` a git repository with one commit and an `origin` remote;
/// returns HEAD's sha.
fn git_init(repo: &Repo, origin: &str) -> String {
    let git = git2::Repository::init(repo.path()).unwrap();
    let sig = git2::Signature::now("t", "t@example.com").unwrap();
    let tree = git.treebuilder(None).unwrap().write().unwrap();
    let tree = git.find_tree(tree).unwrap();
    let head = git.commit(Some("HEAD"), &sig, &sig, "init", &tree, &[]);
    git.remote("origin", origin).unwrap();
    head.unwrap().to_string()
}

/// The outputs of `stage/action` in run `id`.
fn outputs(repo: &Repo, id: u64, stage: &str) -> serde_json::Value {
    let run = repo.run_json(id);
    run["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == stage)
        .map(|s| s["actions"][0]["outputs"].clone())
        .unwrap_or_else(|| panic!("no stage {stage} in {run}"))
}

/// The bytes of `name` in the tar archive `archive` (ustar; PAX headers skipped).
fn tar_entry(archive: &[u8], name: &str) -> Option<Vec<u8>> {
    let mut at = 0;
    while at + 512 <= archive.len() {
        let header = &archive[at..at + 512];
        if header.iter().all(|b| *b == 0) {
            return None;
        }
        let text = |r: std::ops::Range<usize>| {
            String::from_utf8_lossy(&header[r])
                .trim_matches(|c| c == '\0' || c == ' ')
                .to_string()
        };
        let size = usize::from_str_radix(&text(124..136), 8).ok()?;
        let body = at + 512;
        if text(0..100).trim_start_matches("./") == name {
            return archive.get(body..body + size).map(<[u8]>::to_vec);
        }
        at = body + size.div_ceil(512) * 512;
    }
    None
}

#[test]
fn buildah_builds_tags_labels_and_archives_a_scratch_image() {
    if !buildah_present() {
        return;
    }
    let repo = image_repo(
        r#"version: 1
name: webapp
stages:
  - name: image
    image:
      builder: buildah
      tags: ["webapp:${git.short_sha}", "webapp:run-${run.id}"]
      build_args: { GREETING: "hello ${pipeline.name}" }
      labels: { team: "${env.TEAM}" }
      output: .gantry/artifacts/app.oci.tar
      storage_driver: vfs
      isolation: chroot
"#,
    );
    let sha = git_init(&repo, "https://me:s3cret@example.com/team/webapp.git");
    let short = &sha[..7];
    let storage = Storage::new();
    let out = repo
        .gantry()
        .args(["run"])
        .env("CONTAINERS_STORAGE_CONF", &storage.conf)
        .env("TEAM", "platform")
        .run();
    assert_eq!(out.code, 0, "{}", out.all());
    let log = repo.read(".gantry/runs/1/image/image.log");
    assert!(log.contains("gantry: builder: buildah"), "{log}");
    assert!(log.contains("greeting=hello webapp"), "RUN output: {log}");
    assert!(
        log.contains("--storage-driver vfs build --isolation chroot"),
        "{log}"
    );

    let images = storage.buildah(&["images", "--format", "{{.Name}}:{{.Tag}}"]);
    assert!(
        images.contains(&format!("localhost/webapp:{short}")),
        "{images}"
    );
    assert!(images.contains("localhost/webapp:run-1"), "{images}");

    let inspected = storage.buildah(&["inspect", "webapp:run-1"]);
    let inspected: serde_json::Value = serde_json::from_str(&inspected).unwrap();
    let labels = &inspected["OCIv1"]["config"]["Labels"];
    assert_eq!(labels["org.opencontainers.image.revision"], sha.as_str());
    assert_eq!(
        labels["org.opencontainers.image.source"],
        "https://example.com/team/webapp.git"
    );
    assert!(labels["org.opencontainers.image.created"].is_string());
    assert_eq!(labels["team"], "platform");

    let archive = std::fs::read(repo.path().join(".gantry/artifacts/app.oci.tar")).unwrap();
    let index = tar_entry(&archive, "index.json").expect("index.json in the archive");
    let index: serde_json::Value = serde_json::from_slice(&index).unwrap();
    let manifest = &index["manifests"][0];
    assert_eq!(
        manifest["annotations"]["org.opencontainers.image.ref.name"],
        format!("webapp:{short}")
    );
    let outputs = outputs(&repo, 1, "image");
    assert_eq!(outputs["digest"], manifest["digest"], "{outputs}");
    assert_eq!(outputs["tags"], format!("webapp:{short} webapp:run-1"));
    assert_eq!(outputs["archive"], ".gantry/artifacts/app.oci.tar");
    let id = outputs["image_id"].as_str().expect("image_id");
    let inspected = storage.buildah(&["inspect", "--format", "{{.FromImageID}}", "webapp:run-1"]);
    assert!(id.ends_with(inspected.trim()), "{id} vs {inspected}");
    assert!(out.stdout.contains("image_id: sha256:"), "{}", out.stdout);
}

#[test]
fn storage_settings_come_from_the_environment_and_user_labels_win() {
    if !buildah_present() {
        return;
    }
    let repo = image_repo(
        r#"version: 1
stages:
  - name: image
    image:
      builder: buildah
      tags: [envstore:1]
      labels: { org.opencontainers.image.created: "2001-01-01T00:00:00Z" }
"#,
    );
    let storage = Storage::new();
    let out = repo
        .gantry()
        .args(["run"])
        .env("CONTAINERS_STORAGE_CONF", &storage.conf)
        .env("GANTRY_BUILDAH_STORAGE_DRIVER", "vfs")
        .env("GANTRY_BUILDAH_ISOLATION", "chroot")
        .run();
    assert_eq!(out.code, 0, "{}", out.all());
    let log = repo.read(".gantry/runs/1/image/image.log");
    assert!(
        log.contains("--storage-driver vfs build --isolation chroot"),
        "{log}"
    );
    let created = storage.buildah(&[
        "inspect",
        "--format",
        "{{index .OCIv1.Config.Labels \"org.opencontainers.image.created\"}}",
        "envstore:1",
    ]);
    assert_eq!(created.trim(), "2001-01-01T00:00:00Z");
    assert!(
        !log.contains("org.opencontainers.image.revision"),
        "no git: {log}"
    );
}

#[test]
fn failing_build_step_fails_the_action_naming_the_builder() {
    if !buildah_present() {
        return;
    }
    let repo = image_repo(
        "version: 1
stages:
  - name: image
    image: { builder: buildah, tags: [broken:1], storage_driver: vfs, isolation: chroot }
  - name: after
    run: echo ran > after.txt
",
    );
    repo.write(
        "Dockerfile",
        "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"false\"]\n",
    );
    let storage = Storage::new();
    let out = storage.gantry(&repo, &["run"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.all().contains("`buildah build` failed: exit code"),
        "{}",
        out.all()
    );
    assert_eq!(
        action_status(&repo.run_json(1), "after", "after"),
        "skipped"
    );
    let log = repo.read(".gantry/runs/1/image/image.log");
    assert!(
        log.contains("STEP 3/4: RUN"),
        "builder output is logged: {log}"
    );
}

#[test]
fn no_builder_on_path_fails_listing_what_was_tried_and_how_to_install() {
    let repo = image_repo("version: 1\nstages:\n  - name: image\n    image: { tags: [app:1] }\n");
    let empty = tempfile::tempdir().unwrap();
    let out = repo.gantry().args(["run"]).env("PATH", empty.path()).run();
    assert_eq!(out.code, 1, "{}", out.all());
    let all = out.all();
    assert!(
        all.contains(
            "no container image builder found: tried docker (not on PATH), \
             podman (not on PATH), buildah (not on PATH)"
        ),
        "{all}"
    );
    assert!(all.contains("apt-get install -y buildah"), "{all}");
    assert!(
        !all.contains("panicked") && !all.contains("stack backtrace"),
        "{all}"
    );
    assert_eq!(action_status(&repo.run_json(1), "image", "image"), "failed");
}

/// Writes an executable `name` into `dir` running `body` with `/bin/sh`.
fn stand_in(dir: &Path, name: &str, body: &str) {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A stand-in builder that appends its arguments to `calls` and fills the
/// id files it is given.
fn recording_builder(calls: &Path) -> String {
    format!(
        r#"echo "$@" >> '{}'
while [ $# -gt 0 ]; do
  case "$1" in
    --iidfile) echo sha256:feedface > "$2" ;;
    --digestfile) echo sha256:d16e57 > "$2" ;;
  esac
  shift
done
echo stand-in built"#,
        calls.display()
    )
}

const STAND_IN_CONFIG: &str = "version: 1
stages:
  - name: image
    image:
      tags: [app:1]
      build_args: { V: '2' }
      platform: linux/amd64
      target: prod
      output: out/app.tar
";

#[test]
fn auto_skips_a_docker_whose_daemon_does_not_answer() {
    let repo = image_repo(STAND_IN_CONFIG);
    let bin = tempfile::tempdir().unwrap();
    let calls = bin.path().join("calls");
    stand_in(bin.path(), "docker", "exec /bin/sleep 30");
    stand_in(bin.path(), "podman", &recording_builder(&calls));
    let out = repo
        .gantry()
        .args(["run"])
        .env("PATH", bin.path())
        .env("GANTRY_BUILDAH_STORAGE_DRIVER", "vfs")
        .env("GANTRY_BUILDAH_ISOLATION", "chroot")
        .run();
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.elapsed < Duration::from_secs(15),
        "took {:?}",
        out.elapsed
    );
    let log = repo.read(".gantry/runs/1/image/image.log");
    assert!(
        log.contains("builder: podman") && log.contains("did not answer within 3s"),
        "{log}"
    );
    let calls = std::fs::read_to_string(&calls).unwrap();
    let lines: Vec<&str> = calls.lines().collect();
    assert!(
        lines[0].starts_with(
            "--storage-driver vfs build --isolation chroot -f Dockerfile -t app:1 \
             --build-arg V=2 --target prod --platform linux/amd64 --label \
             org.opencontainers.image.created="
        ),
        "{calls}"
    );
    assert!(lines[0].ends_with(" ."), "{calls}");
    assert!(
        lines[1].starts_with("--storage-driver vfs push --digestfile ")
            && lines[1].ends_with(" app:1 oci-archive:out/app.tar:app:1"),
        "{calls}"
    );
    let outputs = outputs(&repo, 1, "image");
    assert_eq!(outputs["image_id"], "sha256:feedface");
    assert_eq!(outputs["digest"], "sha256:d16e57");
    assert_eq!(outputs["builder"], "podman");
}

#[test]
fn auto_prefers_docker_when_its_daemon_answers() {
    let repo = image_repo(STAND_IN_CONFIG);
    let bin = tempfile::tempdir().unwrap();
    let calls = bin.path().join("calls");
    stand_in(bin.path(), "docker", &recording_builder(&calls));
    stand_in(bin.path(), "buildah", "echo buildah must not run; exit 1");
    let out = repo
        .gantry()
        .args(["run"])
        .env("PATH", bin.path())
        .env("GANTRY_BUILDAH_STORAGE_DRIVER", "vfs")
        .run();
    assert_eq!(out.code, 0, "{}", out.all());
    let calls = std::fs::read_to_string(&calls).unwrap();
    let lines: Vec<&str> = calls.lines().collect();
    assert!(lines[0].starts_with("info"), "the daemon is asked: {calls}");
    assert!(
        lines[1].starts_with("build -f Dockerfile -t app:1"),
        "{calls}"
    );
    assert!(lines[1].contains("--iidfile "), "{calls}");
    assert_eq!(lines.last(), Some(&"save -o out/app.tar app:1"), "{calls}");
    assert!(!calls.contains("storage-driver"), "{calls}");
    let outputs = outputs(&repo, 1, "image");
    assert_eq!(outputs["builder"], "docker");
    assert!(
        outputs.get("digest").is_none(),
        "docker reports no digest: {outputs}"
    );
}

#[test]
fn dry_run_shows_the_builder_commands_and_runs_nothing() {
    let repo = image_repo(
        "version: 1
stages:
  - name: image
    image:
      builder: buildah
      tags: ['app:${run.id}']
      labels: { org.opencontainers.image.created: now }
      output: out/app.tar
      storage_driver: vfs
      isolation: chroot
",
    );
    let bin = tempfile::tempdir().unwrap();
    let marker = bin.path().join("ran");
    stand_in(
        bin.path(),
        "buildah",
        &format!(": > '{}'", marker.display()),
    );
    let out = repo
        .gantry()
        .args(["run", "--dry-run"])
        .env("PATH", bin.path())
        .run();
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout
            .contains("$ build Dockerfile → app:1 (archive out/app.tar)"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(
            "$ buildah --storage-driver vfs build --isolation chroot -f Dockerfile -t app:1 \
             --label org.opencontainers.image.created=now ."
        ),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("$ buildah --storage-driver vfs push app:1 oci-archive:out/app.tar:app:1"),
        "{}",
        out.stdout
    );
    assert!(!marker.exists(), "dry run started the builder");
    assert!(!repo.path().join(".gantry/runs").exists());
}

/// Runs `gantry run` on `config` (with a Dockerfile) and returns stderr,
/// asserting a config error that starts no run.
fn config_error(config: &str) -> String {
    image_repo(config).run(&["run"]).config_error()
}

#[test]
fn image_config_errors_are_located_with_what_is_valid() {
    let cases = [
        (
            "image: { tags: [a], colour: red }",
            "gantry.yml:4:25",
            "unknown key `colour`",
        ),
        (
            "image: { tags: [a], builder: kaniko }",
            "C020",
            "`auto`, `docker`, `podman` or `buildah`",
        ),
        (
            "image: { tags: [a], context: /srv }",
            "C021",
            "must be a relative path",
        ),
        ("image: { tags: [] }", "C022", "at least one tag"),
        ("image: { context: . }", "C022", "at least one tag"),
        ("image: { tags: [Web:1] }", "C022", "uppercase"),
        (
            "image: { tags: [a], labels: { 'a b': c } }",
            "C023",
            "invalid label name",
        ),
        (
            "image: { tags: [a], builder: docker, isolation: chroot }",
            "C024",
            "does not apply",
        ),
        (
            "image: { tags: [a], isolation: jail }",
            "C024",
            "`oci`, `chroot` or `rootless`",
        ),
        (
            "image: { tags: ['a:${git.shaa}'] }",
            "C010",
            "unknown variable `${git.shaa}`",
        ),
        (
            "run: echo\n    image: { tags: [a] }",
            "C007",
            "both `run:` and `image:`",
        ),
    ];
    for (stage, code, says) in cases {
        let err = config_error(&format!("version: 1\nstages:\n  - name: s\n    {stage}\n"));
        assert!(err.contains(code) && err.contains(says), "{stage}: {err}");
        assert!(
            err.contains("gantry.yml:4:") || err.contains("gantry.yml:5:"),
            "{err}"
        );
    }
}

#[test]
fn image_next_to_actions_is_an_error() {
    let err = config_error(
        "version: 1\nstages:\n  - name: s\n    image: { tags: [a] }\n    actions: [{ name: x, run: echo }]\n",
    );
    assert!(
        err.contains("gantry.yml:4:12") && err.contains("`image:` next to `actions:`"),
        "{err}"
    );
}

#[test]
fn missing_context_or_dockerfile_is_a_located_plan_error() {
    let err = config_error(
        "version: 1\nstages:\n  - name: s\n    image: { tags: [a], context: nowhere }\n",
    );
    assert!(
        err.contains("C025") && err.contains("gantry.yml:4:34"),
        "{err}"
    );
    assert!(err.contains("`nowhere` is not a directory"), "{err}");
    let err = config_error(
        "version: 1\nstages:\n  - name: s\n    image: { tags: [a], file: Nope.dockerfile }\n",
    );
    assert!(err.contains("no file `Nope.dockerfile`"), "{err}");
    let repo = Repo::new("version: 1\nstages:\n  - name: s\n    image: { tags: [a] }\n");
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr.contains("no Dockerfile or Containerfile"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_tag_left_empty_by_a_variable_is_a_plan_error() {
    let err = config_error(
        "version: 1\nstages:\n  - name: s\n    image: { tags: ['app:${git.short_sha}'] }\n",
    );
    assert!(
        err.contains("C022") && err.contains("gantry.yml:4:21"),
        "{err}"
    );
    assert!(err.contains("the tag after `:` is empty"), "{err}");
}

#[test]
fn containerfile_is_used_when_there_is_no_dockerfile() {
    let repo =
        Repo::new("version: 1\nstages:\n  - name: s\n    image: { builder: buildah, tags: [a] }\n");
    repo.write("Containerfile", "FROM scratch\n");
    let bin = tempfile::tempdir().unwrap();
    stand_in(bin.path(), "buildah", "exit 0");
    let out = repo
        .gantry()
        .args(["run", "--dry-run"])
        .env("PATH", bin.path())
        .run();
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout.contains("build -f Containerfile -t a"),
        "{}",
        out.stdout
    );
    let list = repo.run(&["list"]);
    assert!(list.stdout.contains("image a (buildah)"), "{}", list.stdout);
}
