//! Deployments at scale: the kept bundle stores an unchanged file once,
//! large groups deploy with bounded parallelism and a summarised view.

use std::os::unix::fs::MetadataExt;

use super::common::Repo;
use super::{deploy, state};

/// The bundle directory of every deployment, oldest first.
fn bundles(repo: &Repo) -> Vec<std::path::PathBuf> {
    state(repo)["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            repo.path().join(format!(
                ".gantry/deployments/dev/{}/revision",
                d["bundle"].as_str().unwrap()
            ))
        })
        .collect()
}

#[test]
fn a_second_bundle_links_unchanged_files_and_writes_changed_ones() {
    let repo =
        Repo::new("version: 1\ndeploy_groups: { dev: {} }\nstages: [ { name: s, run: 'true' } ]\n");
    repo.write(
        "rev/appspec.yml",
        "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /srv/app\n",
    );
    repo.write("rev/app/same.txt", "unchanged\n");
    repo.write("rev/app/changed.txt", "first\n");
    let out = deploy(&repo, &["deploy", "--revision", "rev"]);
    assert_eq!(out.code, 0, "{}", out.all());
    repo.write("rev/app/changed.txt", "second, longer\n");
    let out = deploy(&repo, &["deploy", "--revision", "rev"]);
    assert_eq!(out.code, 0, "{}", out.all());

    let [first, second] = &bundles(&repo)[..] else {
        panic!("two deployments expected: {:?}", bundles(&repo));
    };
    let ino = |p: std::path::PathBuf| std::fs::metadata(p).unwrap().ino();
    assert_eq!(
        ino(first.join("app/same.txt")),
        ino(second.join("app/same.txt"))
    );
    assert_ne!(
        ino(first.join("app/changed.txt")),
        ino(second.join("app/changed.txt"))
    );
    assert_eq!(
        std::fs::read_to_string(first.join("app/changed.txt")).unwrap(),
        "first\n"
    );
    assert_eq!(
        repo.read(".gantry/targets/dev/1/srv/app/changed.txt"),
        "second, longer\n"
    );
}
