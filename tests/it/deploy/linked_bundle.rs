//! `bundle: link`: the kept bundle hard-links the revision's files, and a
//! bundle whose files were edited in place since is refused, naming the
//! file, wherever it would be used (Install and the unchanged-file check,
//! ApplicationStop of the next deployment, a rollback).

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::MetadataExt;

use crate::common::{write_exec, Outcome, Repo};

const LINKED: &str = "version: 1
name: shop
deploy_groups:
  dev:
    instances: 1
    bundle: link
stages:
  - name: ship
    run: 'true'
";

/// The AppSpec with an ApplicationStop and a BeforeInstall hook (hook.sh).
const HOOKED: &str = "version: 0.0
os: linux
files:
  - source: app
    destination: /srv/app
hooks:
  ApplicationStop:
    - location: hook.sh
  BeforeInstall:
    - location: hook.sh
";

/// The AppSpec with no hooks.
const PLAIN: &str = "version: 0.0
os: linux
files:
  - source: app
    destination: /srv/app
";

/// `gantry ARGS` in `repo`, which must exit with `code`.
fn deploy(repo: &Repo, args: &[&str], code: i32) -> Outcome {
    let out = repo.gantry().args(args).run();
    assert_eq!(out.code, code, "{}", out.all());
    out
}

fn revision(repo: &Repo, appspec: &str) {
    repo.write("rev/appspec.yml", appspec);
    repo.write("rev/app/a.txt", "one\n");
    repo.write("rev/app/b.txt", "bee\n");
    write_exec(repo, "rev/hook.sh", "#!/bin/sh\nexit 0\n");
}

fn links(repo: &Repo, rel: &str) -> u64 {
    fs::metadata(repo.path().join(rel)).unwrap().nlink()
}

/// Appends to a revision file in place (same inode): what `bundle: link` refuses.
fn edit_in_place(repo: &Repo, rel: &str) {
    OpenOptions::new()
        .append(true)
        .open(repo.path().join(rel))
        .unwrap()
        .write_all(b"edited\n")
        .unwrap();
}

#[test]
fn the_bundle_links_the_revision_files_and_the_instance_gets_copies() {
    let repo = Repo::new(LINKED);
    revision(&repo, HOOKED);
    deploy(&repo, &["deploy", "--revision", "rev"], 0);
    assert_eq!(
        links(&repo, "rev/app/a.txt"),
        2,
        "the bundle links the file"
    );
    assert_eq!(
        links(&repo, ".gantry/targets/dev/1/srv/app/a.txt"),
        1,
        "the instance owns its copy"
    );
    assert_eq!(links(&repo, "rev/appspec.yml"), 1, "the AppSpec is copied");
    assert_eq!(links(&repo, "rev/hook.sh"), 1, "hook scripts are copied");
}

#[test]
fn by_default_the_bundle_owns_its_files() {
    let repo = Repo::new(&LINKED.replace("    bundle: link\n", ""));
    revision(&repo, PLAIN);
    deploy(&repo, &["deploy", "--revision", "rev"], 0);
    assert_eq!(links(&repo, "rev/app/a.txt"), 1);
}

#[test]
fn a_revision_file_edited_before_install_is_refused_by_install() {
    let repo = Repo::new(LINKED);
    revision(&repo, HOOKED);
    // BeforeInstall edits the revision in place, after DownloadBundle linked it.
    let edit = format!(
        "#!/bin/sh\n[ \"$LIFECYCLE_EVENT\" = BeforeInstall ] && [ -e {flag} ] && echo more >> {file}\nexit 0\n",
        flag = repo.path().join("edit-now").display(),
        file = repo.path().join("rev/app/a.txt").display()
    );
    write_exec(&repo, "rev/hook.sh", &edit);
    repo.write("edit-now", "");
    let out = deploy(&repo, &["deploy", "--revision", "rev"], 1);
    out.has("app/a.txt changed in the revision folder since deployment");
    assert!(!repo
        .path()
        .join(".gantry/targets/dev/1/srv/app/a.txt")
        .exists());

    // A second deployment: the unchanged-file check meets the edit first.
    fs::remove_file(repo.path().join("edit-now")).unwrap();
    deploy(&repo, &["deploy", "--revision", "rev"], 0);
    repo.write("edit-now", "");
    let out = deploy(&repo, &["deploy", "--revision", "rev"], 1);
    out.has("app/a.txt changed in the revision folder since deployment");
    assert_eq!(
        repo.read(".gantry/targets/dev/1/srv/app/a.txt"),
        "one\nmore\n",
        "the instance keeps what the last deployment installed"
    );
}

#[test]
fn application_stop_refuses_a_previous_bundle_edited_in_place() {
    let repo = Repo::new(LINKED);
    revision(&repo, HOOKED);
    deploy(&repo, &["deploy", "--revision", "rev"], 0);
    edit_in_place(&repo, "rev/app/b.txt");
    let out = deploy(&repo, &["deploy", "--revision", "rev", "--no-rollback"], 1);
    out.has("failed in ApplicationStop");
    out.has("app/b.txt changed in the revision folder since deployment");
    out.has("--ignore-application-stop-failures");
    // Without a way past it, no deployment could ever succeed again.
    let out = deploy(
        &repo,
        &[
            "deploy",
            "--revision",
            "rev",
            "--ignore-application-stop-failures",
        ],
        0,
    );
    out.has("warning: failed, and the deployment goes on");
    assert_eq!(
        repo.read(".gantry/targets/dev/1/srv/app/b.txt"),
        "bee\nedited\n"
    );
    // The new bundle is checked from now on, and it is intact.
    deploy(&repo, &["deploy", "--revision", "rev"], 0);
}

#[test]
fn a_rollback_to_a_bundle_edited_in_place_is_refused() {
    let repo = Repo::new(LINKED);
    revision(&repo, PLAIN);
    deploy(&repo, &["deploy", "--revision", "rev"], 0);
    // Rebuilt: a.txt is a new file (the first bundle keeps the old one) ...
    fs::remove_file(repo.path().join("rev/app/a.txt")).unwrap();
    repo.write("rev/app/a.txt", "two\n");
    // ... but b.txt is edited in place, which changes the first bundle too.
    edit_in_place(&repo, "rev/app/b.txt");
    deploy(&repo, &["deploy", "--revision", "rev"], 0);
    let out = deploy(&repo, &["deploy", "--rollback"], 1);
    out.has("app/b.txt changed in the revision folder since deployment");
    out.has("nothing was deployed");
    assert_eq!(repo.read(".gantry/targets/dev/1/srv/app/a.txt"), "two\n");
}

#[test]
fn a_rollback_to_an_intact_linked_bundle_works() {
    let repo = Repo::new(LINKED);
    revision(&repo, PLAIN);
    deploy(&repo, &["deploy", "--revision", "rev"], 0);
    fs::remove_file(repo.path().join("rev/app/a.txt")).unwrap();
    repo.write("rev/app/a.txt", "two\n");
    deploy(&repo, &["deploy", "--revision", "rev"], 0);
    deploy(&repo, &["deploy", "--rollback"], 0);
    assert_eq!(repo.read(".gantry/targets/dev/1/srv/app/a.txt"), "one\n");
}

#[test]
fn an_unknown_bundle_setting_is_a_located_error() {
    let repo = Repo::new(&LINKED.replace("bundle: link", "bundle: hardlink"));
    revision(&repo, PLAIN);
    let out = deploy(&repo, &["deploy", "--revision", "rev"], 2);
    out.has("C042")
        .has("gantry.yml:6:13")
        .has("bundle: hardlink");
}

/// A hook `location` that is a link: the file it names is what the bundle
/// must own, or making the script executable would change the user's
/// revision file through the hard link (and then refuse it as changed).
#[test]
fn a_hook_script_reached_through_a_link_is_owned_and_the_revision_is_untouched() {
    use std::os::unix::fs::PermissionsExt;
    let repo = Repo::new(LINKED);
    repo.write(
        "rev/appspec.yml",
        "version: 0.0
os: linux
files:
  - source: app
    destination: /srv/app
  - source: bin
    destination: /srv/bin
hooks:
  AfterInstall:
    - location: scripts/run.sh
",
    );
    repo.write("rev/app/a.txt", "one\n");
    repo.write("rev/bin/real.sh", "#!/bin/sh\necho real hook ran\n");
    fs::set_permissions(
        repo.path().join("rev/bin/real.sh"),
        fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    fs::create_dir_all(repo.path().join("rev/scripts")).unwrap();
    std::os::unix::fs::symlink("../bin/real.sh", repo.path().join("rev/scripts/run.sh")).unwrap();
    let out = deploy(&repo, &["deploy", "--revision", "rev", "-v"], 0);
    out.has("real hook ran");
    let meta = fs::metadata(repo.path().join("rev/bin/real.sh")).unwrap();
    assert_eq!(
        meta.permissions().mode() & 0o777,
        0o644,
        "the revision file is not chmod'ed"
    );
    assert_eq!(meta.nlink(), 1, "the bundle owns a copy of the script");
    assert_eq!(links(&repo, "rev/app/a.txt"), 2, "other files stay linked");
    deploy(&repo, &["deploy", "--revision", "rev"], 0);
}

/// A file reached through a linked folder (which Install follows, rule 20)
/// is checked under its own name.
#[test]
fn a_file_reached_through_a_linked_folder_is_checked_too() {
    let repo = Repo::new(LINKED);
    revision(&repo, HOOKED);
    repo.write("rev/data/x.txt", "ex\n");
    std::os::unix::fs::symlink("../data", repo.path().join("rev/app/linkdir")).unwrap();
    // BeforeInstall edits data/x.txt in place, after DownloadBundle linked it.
    let edit = format!(
        "#!/bin/sh\n[ \"$LIFECYCLE_EVENT\" = BeforeInstall ] && echo more >> {file}\nexit 0\n",
        file = repo.path().join("rev/data/x.txt").display()
    );
    write_exec(&repo, "rev/hook.sh", &edit);
    let out = deploy(&repo, &["deploy", "--revision", "rev"], 1);
    out.has("data/x.txt changed in the revision folder since deployment");
    assert!(!repo
        .path()
        .join(".gantry/targets/dev/1/srv/app/linkdir/x.txt")
        .exists());
}

/// With `bundle: link` a hook rendering a bundle file in place writes the
/// revision folder's file: its own Install refuses it, and says why.
#[test]
fn a_hook_writing_a_linked_bundle_file_in_place_is_refused_and_explained() {
    let repo = Repo::new(LINKED);
    revision(&repo, HOOKED);
    write_exec(
        &repo,
        "rev/hook.sh",
        "#!/bin/sh
[ \"$LIFECYCLE_EVENT\" != BeforeInstall ] || echo rendered > \"$GANTRY_BUNDLE/app/a.txt\"\n",
    );
    let out = deploy(&repo, &["deploy", "--revision", "rev"], 1);
    out.has("app/a.txt changed in the revision folder since deployment");
    out.has("a hook that writes a bundle file in place through $GANTRY_BUNDLE writes the revision folder's file too");
    assert_eq!(repo.read("rev/app/a.txt"), "rendered\n");
    assert!(!repo
        .path()
        .join(".gantry/targets/dev/1/srv/app/a.txt")
        .exists());
}
