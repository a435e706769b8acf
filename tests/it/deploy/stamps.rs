//! Stat data that vouches for bytes: a second deployment knows unchanged
//! files by their stat data instead of reading them, and still catches
//! every change — an edit that restores size and modification time, a
//! damaged record, a file mapped from another source.

use std::os::unix::fs::MetadataExt;

use super::common::Repo;
use super::deploy;

/// A repository with one folder instance whose AppSpec installs `app/`
/// of revision `rev/` to `/srv/app`, with `n` files in it.
fn repo_with_files(n: usize) -> Repo {
    let repo =
        Repo::new("version: 1\ndeploy_groups: { dev: {} }\nstages: [ { name: s, run: 'true' } ]\n");
    repo.write(
        "rev/appspec.yml",
        "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /srv/app\n",
    );
    for i in 0..n {
        repo.write(&format!("rev/app/f{i}.txt"), &format!("file {i}\n"));
    }
    repo
}

/// Deploys `rev` and returns (DownloadBundle's line in the run log,
/// Install's line in the output).
fn deploy_rev(repo: &Repo) -> (String, String) {
    let out = deploy(repo, &["deploy", "--revision", "rev"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let run = out
        .all()
        .lines()
        .find_map(|l| l.split("(run ").nth(1))
        .and_then(|r| r.split(')').next())
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no run number: {}", out.all()));
    let log = repo.read(&format!(".gantry/runs/{run}/deploy/dev.log"));
    let line = |what: &str, text: &str| {
        text.lines()
            .find(|l| l.contains(what))
            .unwrap_or_else(|| panic!("no {what} line: {text}"))
            .to_string()
    };
    (
        line("DownloadBundle:", &log),
        line("installed ", &out.all()),
    )
}

/// Whether this machine's kernel and the temp folder's file system give a
/// change made after a file's times were read a newer change time (Linux
/// 6.13 and later on ext4, XFS, btrfs, tmpfs): only then does stat data read
/// just after writing vouch. CI's machines have it; a local run elsewhere
/// checks the fallback instead and says so.
fn multigrain(dir: &std::path::Path) -> bool {
    let release = std::process::Command::new("uname")
        .arg("-r")
        .output()
        .unwrap();
    let release = String::from_utf8_lossy(&release.stdout).to_string();
    let mut parts = release
        .split(|c: char| !c.is_ascii_digit())
        .map(|n| n.parse::<u32>().unwrap_or(0));
    let kernel = (parts.next().unwrap_or(0), parts.next().unwrap_or(0)) >= (6, 13);
    let fs = std::process::Command::new("stat")
        .args(["-f", "-c", "%T"])
        .arg(dir)
        .output()
        .unwrap();
    let fs = String::from_utf8_lossy(&fs.stdout).trim().to_string();
    let has = kernel && ["ext2/ext3", "xfs", "btrfs", "tmpfs"].contains(&fs.as_str());
    if !has {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run on a kernel with multigrain timestamps (found {release:?} on {fs})"
        );
        eprintln!("note: no multigrain timestamps here ({release:?}, {fs}): checking the fallback (bytes compared) instead");
    }
    has
}

/// Edits `path` in place: same size, modification time put back.
fn edit_keeping_size_and_mtime(repo: &Repo, path: &str, content: &str) {
    let file = repo.path().join(path);
    let mtime = std::fs::metadata(&file).unwrap().modified().unwrap();
    std::fs::write(&file, content).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
}

#[test]
fn an_unchanged_revision_is_known_by_stat_data_and_an_edit_is_still_seen() {
    let repo = repo_with_files(5);
    deploy_rev(&repo);
    edit_keeping_size_and_mtime(&repo, "rev/app/f0.txt", "FILE 0\n");
    let (bundle, install) = deploy_rev(&repo);
    // appspec.yml and f1..f4 are linked; f0 is read, found changed, copied.
    assert!(
        bundle.contains("5 unchanged files linked to the previous bundle"),
        "{bundle}"
    );
    assert!(install.contains("installed 1 files"), "{install}");
    assert!(install.contains("4 unchanged left in place"), "{install}");
    if multigrain(repo.path()) {
        assert!(bundle.contains(", 5 known by their stat data"), "{bundle}");
        assert!(
            install.contains("(4 known by their stat data)"),
            "{install}"
        );
    }
    assert_eq!(
        repo.read(".gantry/targets/dev/1/srv/app/f0.txt"),
        "FILE 0\n"
    );
    let bundles = std::fs::read_dir(repo.path().join(".gantry/deployments/dev"))
        .unwrap()
        .filter_map(|e| {
            let path = e.unwrap().path().join("revision/app/f0.txt");
            path.exists()
                .then(|| std::fs::read_to_string(path).unwrap())
        })
        .collect::<Vec<_>>();
    assert!(bundles.contains(&"file 0\n".to_string()), "{bundles:?}");
    assert!(bundles.contains(&"FILE 0\n".to_string()), "{bundles:?}");
}

/// An installed file edited behind gantry's back (size and modification
/// time put back) is written again, also when its stamp was recorded.
#[test]
fn an_installed_file_edited_in_place_is_written_again() {
    let repo = repo_with_files(3);
    deploy_rev(&repo);
    deploy_rev(&repo); // records stamps from a comparison too
    edit_keeping_size_and_mtime(&repo, ".gantry/targets/dev/1/srv/app/f1.txt", "FILE 1\n");
    let (_, install) = deploy_rev(&repo);
    assert!(install.contains("installed 1 files"), "{install}");
    assert!(install.contains("2 unchanged left in place"), "{install}");
    assert_eq!(
        repo.read(".gantry/targets/dev/1/srv/app/f1.txt"),
        "file 1\n"
    );
}

/// Damaged records cost a comparison, never a wrong file; the next
/// deployment writes good ones.
#[test]
fn a_damaged_record_costs_a_comparison_not_a_wrong_file() {
    let repo = repo_with_files(5);
    deploy_rev(&repo);
    let dev = repo.path().join(".gantry/deployments/dev");
    for entry in std::fs::read_dir(&dev).unwrap() {
        let origins = entry.unwrap().path().join("origins");
        if origins.exists() {
            std::fs::write(&origins, b"gstamp1\n\x0a\0\0\0app/f1.txt\x01").unwrap();
        }
    }
    std::fs::write(dev.join("stamps/1"), "not a record").unwrap();
    repo.write("rev/app/f1.txt", "file one\n");
    let (bundle, install) = deploy_rev(&repo);
    assert!(
        bundle.contains(
            "5 unchanged files linked to the previous bundle, 0 known by their stat data"
        ),
        "{bundle}"
    );
    assert!(
        install.contains("4 unchanged left in place (0 known by their stat data)"),
        "{install}"
    );
    assert_eq!(
        repo.read(".gantry/targets/dev/1/srv/app/f1.txt"),
        "file one\n"
    );
    let (bundle, install) = deploy_rev(&repo);
    if multigrain(repo.path()) {
        assert!(
            bundle.contains("6 unchanged files linked to the previous bundle, 6 known"),
            "{bundle}"
        );
        assert!(
            install.contains("5 unchanged left in place (5 known"),
            "{install}"
        );
    }
}

/// A target that the new AppSpec installs from another bundle file with
/// the same size and modification time is compared, not vouched for: its
/// record names the bytes of the file it was installed from.
#[test]
fn a_target_installed_from_another_source_is_compared() {
    let repo = repo_with_files(0);
    repo.write("rev/a/f.txt", "AAAA\n");
    repo.write("rev/b/f.txt", "BBBB\n");
    let time = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
    for file in ["rev/a/f.txt", "rev/b/f.txt"] {
        let f = std::fs::File::options()
            .write(true)
            .open(repo.path().join(file))
            .unwrap();
        f.set_modified(time).unwrap();
    }
    let spec = |source: &str| {
        format!("version: 0.0\nos: linux\nfiles:\n  - source: {source}\n    destination: /srv\n")
    };
    repo.write("rev/appspec.yml", &spec("a"));
    deploy_rev(&repo);
    let installed = repo.path().join(".gantry/targets/dev/1/srv/f.txt");
    let before = std::fs::metadata(&installed).unwrap().ino();
    repo.write("rev/appspec.yml", &spec("b"));
    let (_, install) = deploy_rev(&repo);
    assert!(install.contains("installed 1 files"), "{install}");
    assert_eq!(repo.read(".gantry/targets/dev/1/srv/f.txt"), "BBBB\n");
    assert_ne!(std::fs::metadata(&installed).unwrap().ino(), before);
}
