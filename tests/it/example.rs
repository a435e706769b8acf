//! The bundled example (`examples/webapp`) passes end to end, as the
//! README promises. Runs on a copy, so the checkout stays clean.

use crate::common;

use std::path::Path;
use std::process::Command;

#[test]
fn the_bundled_webapp_example_passes_end_to_end() {
    let builder = which::which("buildah").is_ok() || which::which("podman").is_ok();
    if !common::tool_available("buildah", builder, "apt-get install -y buildah (or podman)") {
        return;
    }
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/webapp");
    let work = tempfile::tempdir().unwrap();
    let status = Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", source.display()))
        .arg(work.path())
        .status()
        .unwrap();
    assert!(status.success());
    let _ = std::fs::remove_dir_all(work.path().join("target"));
    let _ = std::fs::remove_dir_all(work.path().join(".gantry"));
    let storage = tempfile::tempdir().unwrap();
    let storage_conf = storage.path().join("storage.conf");
    std::fs::write(
        &storage_conf,
        format!(
            "[storage]\ndriver = \"vfs\"\nrunroot = \"{0}/run\"\ngraphroot = \"{0}/graph\"\n",
            storage.path().display()
        ),
    )
    .unwrap();
    let out = Command::new(common::gantry_bin())
        .arg("run")
        .current_dir(work.path())
        .env("CONTAINERS_STORAGE_CONF", &storage_conf)
        .env("GANTRY_BUILDAH_STORAGE_DRIVER", "vfs")
        .env("GANTRY_BUILDAH_ISOLATION", "chroot")
        .env("CARGO_TARGET_DIR", work.path().join("target"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for stage in ["lint", "compile", "test", "image", "revision", "deploy"] {
        assert!(
            stdout.contains(&format!("==> {stage}")),
            "stage {stage} missing: {stdout}"
        );
    }
    assert!(work
        .path()
        .join(".gantry/artifacts/webapp-1.oci.tar")
        .exists());
    assert!(
        stdout.contains("dev/1: succeeded") && stdout.contains("dev/2: succeeded"),
        "{stdout}"
    );
    for instance in ["1", "2"] {
        let binary = work.path().join(format!(
            ".gantry/targets/dev/{instance}/opt/webapp/bin/webapp"
        ));
        assert!(
            binary.exists(),
            "instance {instance} holds the deployed binary"
        );
    }
}
