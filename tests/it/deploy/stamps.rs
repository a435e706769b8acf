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

/// Waits until every file of `dir` was last changed more than two seconds
/// ago: only then does the stat data of a file someone else writes vouch.
pub(super) fn wait_until_settled(repo: &Repo, dir: &str) {
    let newest = walk(&repo.path().join(dir))
        .into_iter()
        .map(|m| {
            std::time::UNIX_EPOCH
                + std::time::Duration::new(m.ctime() as u64, m.ctime_nsec() as u32)
        })
        .max()
        .unwrap();
    let settled = newest + std::time::Duration::from_millis(2100);
    super::common::wait_for(std::time::Duration::from_secs(10), || {
        (std::time::SystemTime::now() > settled).then_some(())
    })
    .expect("the clock did not pass two seconds after the files' last change");
}

fn walk(dir: &std::path::Path) -> Vec<std::fs::Metadata> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let meta = std::fs::symlink_metadata(entry.path()).unwrap();
        if meta.is_dir() {
            found.extend(walk(&entry.path()));
        } else {
            found.push(meta);
        }
    }
    found
}

#[test]
fn an_unchanged_revision_is_known_by_stat_data_and_an_edit_is_still_seen() {
    let repo = repo_with_files(5);
    wait_until_settled(&repo, "rev");
    deploy_rev(&repo);
    edit_keeping_size_and_mtime(&repo, "rev/app/f0.txt", "FILE 0\n");
    let (bundle, install) = deploy_rev(&repo);
    // appspec.yml and f1..f4 are linked, known by the stat data recorded
    // from settled files; f0 is read, found changed, copied.
    assert!(
        bundle.contains(
            "5 unchanged files linked to the previous bundle, 5 known by their stat data"
        ),
        "{bundle}"
    );
    assert!(install.contains("installed 1 files"), "{install}");
    assert!(install.contains("4 unchanged left in place"), "{install}");
    if multigrain(repo.path()) {
        // Files gantry wrote itself vouch at once.
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

/// A revision file changed just now (someone may still be writing it) is
/// not vouched for by its stat data: it is compared.
#[test]
fn a_revision_file_changed_just_now_is_compared() {
    let repo = repo_with_files(2);
    deploy_rev(&repo);
    let (bundle, _) = deploy_rev(&repo);
    assert!(
        bundle.contains(
            "3 unchanged files linked to the previous bundle, 0 known by their stat data"
        ),
        "{bundle}"
    );
}

/// A BeforeInstall hook that renders a bundle file in place
/// (`$GANTRY_BUNDLE`) on every deployment: each deployment installs what
/// its hook rendered, although the revision file never changes.
#[test]
fn a_bundle_file_a_hook_rewrote_is_installed_as_rewritten() {
    let repo = repo_with_files(2);
    repo.write("rev/app/config", "value=0\n");
    repo.write(
        "rev/appspec.yml",
        "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /srv/app\nhooks:\n  BeforeInstall:\n    - location: render.sh\n",
    );
    super::common::write_exec(
        &repo,
        "rev/render.sh",
        "#!/bin/sh\nn=$(cat \"$COUNTER\" 2>/dev/null || echo 1)\necho $((n + 1)) > \"$COUNTER\"\necho \"value=$n\" > \"$GANTRY_BUNDLE/app/config\"\n",
    );
    wait_until_settled(&repo, "rev");
    for n in 1..=3 {
        let out = repo
            .gantry()
            .args(["deploy", "--revision", "rev"])
            .env("COUNTER", repo.path().join("counter"))
            .run();
        assert_eq!(out.code, 0, "{}", out.all());
        assert_eq!(
            repo.read(".gantry/targets/dev/1/srv/app/config"),
            format!("value={n}\n"),
            "deployment {n}"
        );
    }
}

/// A revision file that gantry's earlier bundle made executable (rule 44,
/// an ApplicationStart script also installed by `files`) and the user then
/// made executable too: the instance gets the new mode.
#[test]
fn a_mode_the_revision_gained_reaches_the_instance() {
    let repo = repo_with_files(1);
    repo.write(
        "rev/appspec.yml",
        "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /srv/app\nhooks:\n  ApplicationStart:\n    - location: app/start.sh\n",
    );
    repo.write("rev/app/start.sh", "#!/bin/sh\ntrue\n");
    super::common::chmod(&repo, "rev/app/start.sh", 0o644);
    wait_until_settled(&repo, "rev");
    deploy_rev(&repo);
    let installed = repo.path().join(".gantry/targets/dev/1/srv/app/start.sh");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().mode() & 0o777;
    assert_eq!(mode(&installed), 0o644);
    super::common::chmod(&repo, "rev/app/start.sh", 0o755);
    deploy_rev(&repo);
    assert_eq!(mode(&installed), 0o755);
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
    // Once settled, a comparison records stat data that vouches again.
    wait_until_settled(&repo, "rev");
    wait_until_settled(&repo, ".gantry/targets/dev/1");
    deploy_rev(&repo);
    let (bundle, install) = deploy_rev(&repo);
    assert!(
        bundle.contains(
            "6 unchanged files linked to the previous bundle, 6 known by their stat data"
        ),
        "{bundle}"
    );
    assert!(
        install.contains("5 unchanged left in place (5 known by their stat data)"),
        "{install}"
    );
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

/// The stat data of a revision file vouches for the earlier bundle's copy
/// only while that copy is still a regular file like it: a link put there
/// (by a hook, through `$GANTRY_BUNDLE`) is not linked into the next bundle.
#[test]
fn a_link_in_place_of_an_earlier_bundle_file_is_not_carried() {
    let repo = repo_with_files(2);
    wait_until_settled(&repo, "rev");
    deploy_rev(&repo);
    let dev = repo.path().join(".gantry/deployments/dev");
    let earlier = std::fs::read_dir(&dev)
        .unwrap()
        .map(|e| e.unwrap().path().join("revision/app/f0.txt"))
        .find(|p| p.exists())
        .unwrap();
    std::fs::remove_file(&earlier).unwrap();
    std::os::unix::fs::symlink("f1.txt", &earlier).unwrap();
    deploy_rev(&repo);
    let installed = repo.path().join(".gantry/targets/dev/1/srv/app/f0.txt");
    let meta = std::fs::symlink_metadata(&installed).unwrap();
    assert!(meta.is_file(), "{meta:?}");
    assert_eq!(
        repo.read(".gantry/targets/dev/1/srv/app/f0.txt"),
        "file 0\n"
    );
}

/// The newest bundle has no record of its files (gantry was killed in its
/// DownloadBundle): the next bundle links from the newest one that has a
/// record, knowing its files by their stat data instead of reading them.
#[test]
fn a_bundle_without_a_record_is_passed_over_for_one_with_a_record() {
    let repo = repo_with_files(5);
    wait_until_settled(&repo, "rev");
    deploy_rev(&repo);
    deploy_rev(&repo);
    let store = repo.path().join(".gantry/deployments/dev");
    let mut ids: Vec<_> = std::fs::read_dir(&store)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("d-"))
        .collect();
    ids.sort();
    std::fs::remove_file(store.join(ids.last().unwrap()).join("origins")).unwrap();
    let (bundle, install) = deploy_rev(&repo);
    // The first bundle's files were linked again after its record was
    // written, so they are compared, not known by their stat data; but
    // its record carries their content ids, so Install knows the
    // installed files by theirs (from the bundle without a record it
    // would compare every one).
    assert!(
        bundle.contains("6 unchanged files linked to the previous bundle"),
        "{bundle}"
    );
    assert!(
        install.contains("5 unchanged left in place (5 known by their stat data)"),
        "{install}"
    );
}

/// A BeforeInstall hook that rewrites a bundle file in place and puts its
/// size and modification time back (once): the next deployment of the
/// unchanged revision installs the revision's bytes, not the hook's (the
/// earlier bundle's file changed after its record was written).
#[test]
fn a_bundle_file_a_hook_rewrote_keeping_size_and_mtime_is_not_carried() {
    let repo = repo_with_files(1);
    repo.write("rev/app/conf", "AAAA\n");
    repo.write(
        "rev/appspec.yml",
        "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /srv/app\nhooks:\n  BeforeInstall:\n    - location: edit.sh\n",
    );
    super::common::write_exec(
        &repo,
        "rev/edit.sh",
        "#!/bin/sh\n[ -n \"$EDIT\" ] || exit 0\nf=\"$GANTRY_BUNDLE/app/conf\"\nmt=$(stat -c %y \"$f\")\nprintf 'BBBB\\n' > \"$f\"\ntouch -d \"$mt\" \"$f\"\n",
    );
    wait_until_settled(&repo, "rev");
    let installed = ".gantry/targets/dev/1/srv/app/conf";
    for (edit, expected) in [("", "AAAA\n"), ("1", "BBBB\n"), ("", "AAAA\n")] {
        let out = repo
            .gantry()
            .args(["deploy", "--revision", "rev"])
            .env("EDIT", edit)
            .run();
        assert_eq!(out.code, 0, "{}", out.all());
        assert_eq!(
            repo.read(installed),
            expected,
            "EDIT={edit:?}: {}",
            out.all()
        );
    }
}
