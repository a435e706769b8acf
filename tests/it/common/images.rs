//! Container images for the container tests, built on this machine (no
//! registry is reachable here): a busybox image `FROM scratch`, and a Debian
//! bookworm minbase rootfs from `mmdebstrap` imported with `podman import`.
//! Each is built once per machine (kept in podman's store) under a file
//! lock, so concurrent tests share one build.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{have_program, tool_available, Gantry, Repo};

/// The busybox image's reference.
pub const BUSYBOX: &str = "localhost/gantry-test-busybox:latest";
/// The Debian image's reference (bash, passwd/useradd, su, runuser).
pub const DEBIAN: &str = "localhost/gantry-test-debian:bookworm";

/// A `containers.conf` that lets podman 4.3 run containers on this kind of
/// machine (crun fails on setrlimit; runc with no default ulimits works).
/// Tests pass it to gantry as `CONTAINERS_CONF` unless one is already set.
pub fn containers_conf() -> PathBuf {
    if let Some(set) = std::env::var_os("CONTAINERS_CONF") {
        return PathBuf::from(set);
    }
    let path = std::env::temp_dir().join("gantry-test-containers.conf");
    if !path.exists() {
        let text = "[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = \"runc\"\n";
        let temp = path.with_extension(format!("{}.tmp", std::process::id()));
        std::fs::write(&temp, text).unwrap();
        std::fs::rename(&temp, &path).unwrap();
    }
    path
}

/// A private container store in a temp folder whose configured driver is
/// `driver`: the folder (removed when dropped) and its `storage.conf`, for
/// `CONTAINERS_STORAGE_CONF`.
pub fn private_store(driver: &str) -> (tempfile::TempDir, PathBuf) {
    let store = tempfile::tempdir().unwrap();
    let conf = store.path().join("storage.conf");
    std::fs::write(
        &conf,
        format!(
            "[storage]\ndriver = \"{driver}\"\ngraphroot = \"{0}/graph\"\nrunroot = \"{0}/run\"\n",
            store.path().display()
        ),
    )
    .unwrap();
    (store, conf)
}

/// A `vfs` container store of one test's own (see [`private_store`]),
/// holding `image` from this machine's store. gantry removes any container
/// of a run no longer in progress that its engine lists, in any repository:
/// a test that leaves containers behind on purpose keeps them here, where
/// the gantry runs of tests running in parallel do not look.
pub struct OwnStore {
    _dir: tempfile::TempDir,
    conf: PathBuf,
}

impl OwnStore {
    /// A new store with `image` (copied with `podman save` and `load`).
    pub fn with(image: &str) -> OwnStore {
        let (dir, conf) = private_store("vfs");
        let tar = dir.path().join("image.tar");
        let mut save = podman();
        save.args(["save", "-q", "-o"]).arg(&tar).arg(image);
        let mut load = podman();
        load.env("CONTAINERS_STORAGE_CONF", &conf)
            .args(["load", "-q", "-i"])
            .arg(&tar);
        for mut step in [save, load] {
            let out = step.output().expect("podman runs");
            assert!(
                out.status.success(),
                "{step:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        OwnStore { _dir: dir, conf }
    }

    /// `podman` on this store (see [`podman`]).
    pub fn podman(&self) -> Command {
        let mut command = podman();
        command.env("CONTAINERS_STORAGE_CONF", &self.conf);
        command
    }

    /// gantry in `repo` with `args` on this store (see [`engine_gantry`]).
    pub fn gantry(&self, repo: &Repo, args: &[&str]) -> Gantry {
        engine_gantry(repo, args).env("CONTAINERS_STORAGE_CONF", &self.conf)
    }
}

impl Drop for OwnStore {
    /// Removes the store's containers, so a test that failed before it
    /// cleaned up (after a `kill -9`, say) leaves none running.
    fn drop(&mut self) {
        let _ = self
            .podman()
            .args(["rm", "-af", "-t", "0"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
}

/// `podman` with this machine's `containers.conf`.
pub fn podman() -> Command {
    let mut command = Command::new("podman");
    command.env("CONTAINERS_CONF", containers_conf());
    command
}

/// Whether podman (with runc) is installed; see [`tool_available`].
pub fn podman_available() -> bool {
    have_program("podman", "apt-get install -y podman runc")
        && have_program("runc", "apt-get install -y runc")
}

/// gantry in `repo` with `args` and this machine's `containers.conf`.
pub fn engine_gantry(repo: &Repo, args: &[&str]) -> Gantry {
    repo.gantry()
        .args(args)
        .env("CONTAINERS_CONF", containers_conf())
}

/// This machine's static busybox; `None` when it is not installed (and
/// not required, see [`tool_available`]).
pub fn busybox_binary() -> Option<PathBuf> {
    let busybox = ["/bin/busybox", "/usr/bin/busybox"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.is_file());
    let installed = tool_available(
        "busybox",
        busybox.is_some(),
        "apt-get install -y busybox-static",
    );
    busybox.filter(|_| installed)
}

/// Writes into `dir` a build context for an image `FROM scratch` with
/// `busybox` installed as its commands, its Containerfile ending in `more`
/// (further instructions, one a line).
pub fn write_busybox_context(dir: &Path, busybox: &Path, more: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::copy(busybox, dir.join("busybox")).unwrap();
    std::fs::write(
        dir.join("Containerfile"),
        format!(
            "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n{more}"
        ),
    )
    .unwrap();
}

/// The busybox test image, built if missing; `None` when podman or a static
/// busybox is not installed (and not required).
pub fn busybox_image() -> Option<&'static str> {
    if !podman_available() {
        return None;
    }
    let busybox = busybox_binary()?;
    build_once(BUSYBOX, |dir| {
        write_busybox_context(dir, &busybox, "");
        let mut build = podman();
        build.args(["build", "-q", "-t", BUSYBOX]).arg(dir);
        build
    });
    Some(BUSYBOX)
}

/// The Debian test image, made with `mmdebstrap` (about 15 s) if missing;
/// `None` when podman or mmdebstrap is not installed (and not required).
pub fn debian_image() -> Option<&'static str> {
    if !podman_available() || !have_program("mmdebstrap", "apt-get install -y mmdebstrap") {
        return None;
    }
    build_once(DEBIAN, |dir| {
        let tar = dir.join("rootfs.tar");
        let status = Command::new("mmdebstrap")
            .args([
                "--quiet",
                "--variant=minbase",
                "--include=passwd",
                "bookworm",
            ])
            .arg(&tar)
            .status()
            .expect("mmdebstrap runs");
        assert!(status.success(), "mmdebstrap failed: {status}");
        let mut import = podman();
        import.args(["import", "-q"]).arg(&tar).arg(DEBIAN);
        import
    });
    Some(DEBIAN)
}

/// Makes `image` with the command `make` returns (given a scratch folder)
/// unless podman already has it, holding a machine-wide lock meanwhile.
fn build_once(image: &str, make: impl FnOnce(&Path) -> Command) {
    let exists = || {
        podman()
            .args(["image", "exists", image])
            .status()
            .is_ok_and(|s| s.success())
    };
    if exists() {
        return;
    }
    let lock_path = std::env::temp_dir().join("gantry-test-images.lock");
    let lock = File::create(&lock_path).expect("image lock file");
    lock.lock().expect("image lock");
    if !exists() {
        let dir = tempfile::tempdir().unwrap();
        let output = make(dir.path()).output().expect("image build runs");
        assert!(
            output.status.success(),
            "building {image} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// A stand-in podman in `repo/bin` whose docker answers no daemon (so
/// gantry picks podman): it skips the global flags, then runs `cases` (arms
/// of `case "$1" in`, where `$DIR` is the repository), and exits 0 for
/// anything else. For engines that hang or fail on cue. Returns the `PATH`
/// to run gantry with.
pub fn stand_in_podman(repo: &Repo, cases: &str) -> String {
    let dir = repo.path().display();
    super::write_executable(
        repo,
        "bin/podman",
        &format!(
            "#!/bin/sh\nDIR='{dir}'\nwhile [ \"${{1#--}}\" != \"$1\" ]; do shift 2; done\ncase \"$1\" in\n{cases}\nesac\nexit 0\n"
        ),
    );
    super::write_executable(repo, "bin/docker", "#!/bin/sh\nexit 1\n");
    format!("{dir}/bin:/usr/bin:/bin")
}

/// A `rm` arm for [`stand_in_podman`] that hangs, recording its pids in
/// `engine.pids` and creating `rm.started`.
pub const HANGING_RM: &str = "  rm) echo $$ >> \"$DIR/engine.pids\"; sleep 120 & echo $! >> \"$DIR/engine.pids\"; touch \"$DIR/rm.started\"; wait ;;";

/// [`HANGING_RM`] for the container `name` only; removing any other runs
/// `otherwise` (shell, ending in `exit`).
pub fn hanging_rm_only_for(name: &str, otherwise: &str) -> String {
    HANGING_RM.replacen(
        "rm)",
        &format!("rm) [ \"$5\" = '{name}' ] || {otherwise};"),
        1,
    )
}

/// Asserts that the stand-in engine's hanging `rm` and its `sleep`
/// (`engine.pids`) are gone.
#[track_caller]
pub fn assert_rm_stopped(repo: &Repo) {
    let pids = super::pids(repo, "engine.pids");
    assert_eq!(pids.len(), 2, "rm and rm's sleep: {pids:?}");
    for pid in pids {
        assert!(
            !super::process_running(pid),
            "engine process {pid} still runs"
        );
    }
}
