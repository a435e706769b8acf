//! Checks before and around a deployment: config errors, an invalid
//! AppSpec, paths leading out of the instance or revision, `--root`.

use super::common::Repo;
use super::{deploy, instance};

#[test]
fn paths_leading_out_of_the_instance_or_revision_are_refused() {
    let repo =
        Repo::new("version: 1\ndeploy_groups: { dev: {} }\nstages: [ { name: s, run: 'true' } ]\n");
    repo.write("rev/app/index.html", "x\n");
    repo.write("rev/appspec.yml", "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /srv/../../../escaped\n");
    let out = deploy(&repo, &["deploy", "--revision", "rev"]);
    assert_eq!(out.code, 1, "{}", out.all());
    out.has("contains `..`");
    assert!(!repo.path().join(".gantry/escaped").exists());
    assert!(!instance(&repo, 1).exists(), "no instance was touched");

    repo.write(
        "rev/appspec.yml",
        "version: 0.0\nos: linux\nfiles:\n  - source: ../outside\n    destination: /srv\n",
    );
    let out = deploy(&repo, &["deploy", "--revision", "rev"]);
    assert_eq!(out.code, 1, "{}", out.all());
    out.has("E022");

    repo.write(
        "rev/appspec.yml",
        "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /srv/app\n",
    );
    std::os::unix::fs::symlink("/etc/passwd", repo.path().join("rev/app/passwd")).unwrap();
    let out = deploy(&repo, &["deploy", "--revision", "rev"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.all()
            .contains("points to the absolute path /etc/passwd"),
        "{}",
        out.all()
    );

    std::fs::remove_file(repo.path().join("rev/app/passwd")).unwrap();
    repo.write("secret.txt", "secret\n");
    std::os::unix::fs::symlink("../../secret.txt", repo.path().join("rev/app/secret")).unwrap();
    let out = deploy(&repo, &["deploy", "--revision", "rev"]);
    assert_eq!(out.code, 1, "{}", out.all());
    out.has("points outside it");
    assert!(!instance(&repo, 1).exists(), "no instance was touched");

    // A link already in the instance root is not written through.
    std::fs::remove_file(repo.path().join("rev/app/secret")).unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(instance(&repo, 1)).unwrap();
    std::os::unix::fs::symlink(outside.path(), instance(&repo, 1).join("srv")).unwrap();
    let out = deploy(&repo, &["deploy", "--revision", "rev"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.all()
            .contains("symlink leading outside the instance root"),
        "{}",
        out.all()
    );
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
}

#[test]
fn deploy_config_errors_are_located() {
    let cases = [
        ("deploy_groups: { dev: {} }\nstages:\n  - name: s\n    deploy: { group: prod }\n", "C040", "no deployment group named `prod`"),
        ("deploy_groups: { dev: { instances: 0 } }\nstages: [ { name: s, run: 'true' } ]\n", "C042", "a group of 0 instances"),
        ("deploy_groups: { dev: { instances: 10001 } }\nstages: [ { name: s, run: 'true' } ]\n", "C042", "a group of 10001 instances"),
        ("deploy_groups: { dev: { instances: -3 } }\nstages: [ { name: s, run: 'true' } ]\n", "C042", "a group of -3 instances"),
        ("deploy_groups: { dev: { max_parallel: 0 } }\nstages: [ { name: s, run: 'true' } ]\n", "C042", "max_parallel: 0"),
        ("deploy_groups: { dev: { instances: [a, a] } }\nstages: [ { name: s, run: 'true' } ]\n", "C042", "the same instance root twice"),
        ("deploy_groups: { dev: { instances: ['/'] } }\nstages: [ { name: s, run: 'true' } ]\n", "C042", "`/` as an instance root"),
        ("deploy_groups: { dev: { config: TwoAtATime } }\nstages: [ { name: s, run: 'true' } ]\n", "C043", "unknown deployment configuration `TwoAtATime`"),
        ("deploy_groups: { dev: { instances: 2, config: { minimum_healthy: 2 } } }\nstages: [ { name: s, run: 'true' } ]\n", "C043", "invalid minimum_healthy `2`"),
        ("deploy_groups: { dev: { instances: 2, config: { minimum_healthy: '+50%' } } }\nstages: [ { name: s, run: 'true' } ]\n", "C043", "invalid minimum_healthy `+50%`"),
        ("deploy_groups: { dev: { instances: 2, config: { minimum_healthy: '50 %' } } }\nstages: [ { name: s, run: 'true' } ]\n", "C043", "invalid minimum_healthy `50 %`"),
        ("deploy_groups: { dev: { instances: 2, config: { minimum_healthy: 5000000000 } } }\nstages: [ { name: s, run: 'true' } ]\n", "C043", "a number of instances from 0 to 1 (this group has 2"),
        ("deploy_groups: { 'd v': {} }\nstages: [ { name: s, run: 'true' } ]\n", "C041", "invalid deployment group name"),
        ("deploy_groups: { dev: {} }\nstages:\n  - name: s\n    deploy: { revision: '' }\n", "C044", "`revision:` is empty"),
        ("deploy_groups: { dev: {} }\nstages:\n  - name: s\n    run: 'true'\n    deploy: {}\n", "C007", "has `deploy:` and `run:`"),
        ("deploy_groups: { dev: { approval: yes } }\nstages: [ { name: s, run: 'true' } ]\n", "C001", "invalid boolean"),
    ];
    for (config, code, message) in cases {
        let repo = Repo::new(&format!("version: 1\n{config}"));
        let out = repo.run(&["list"]);
        assert_eq!(out.code, 2, "{config}\n{}", out.all());
        assert!(out.stderr.contains(code), "{config}\n{}", out.stderr);
        assert!(out.stderr.contains(message), "{config}\n{}", out.stderr);
    }
}

#[test]
fn an_invalid_appspec_never_starts_a_deployment() {
    let repo =
        Repo::new("version: 1\ndeploy_groups: { dev: {} }\nstages: [ { name: s, run: 'true' } ]\n");
    repo.write("rev/appspec.yml", "version: 0.0\nos: Linux\n");
    let out = deploy(&repo, &["deploy", "--revision", "rev"]);
    assert_eq!(out.code, 1, "{}", out.all());
    out.has("[E012]");
    out.has("nothing was deployed");
    assert!(!repo.path().join(".gantry/targets").exists());
    assert!(!repo
        .path()
        .join(".gantry/deployments/dev/state.json")
        .exists());
}

#[test]
fn root_deploys_onto_one_folder() {
    let repo = Repo::new("version: 1\nstages: [ { name: s, run: 'true' } ]\n");
    repo.write(
        "rev/appspec.yml",
        "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /opt/app\n",
    );
    repo.write("rev/app/index.html", "x\n");
    let out = deploy(&repo, &["deploy", "--revision", "rev", "--root", "box"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(repo.read("box/opt/app/index.html"), "x\n");
    assert!(repo
        .path()
        .join(".gantry/deployments/local/state.json")
        .exists());
    let out = repo.run(&[
        "deploy",
        "--revision",
        "rev",
        "--root",
        "box",
        "--group",
        "../x",
    ]);
    assert_eq!(out.code, 2, "{}", out.all());
    out.has("invalid group name `../x`");
}

#[test]
fn a_revision_that_cannot_be_deployed_is_a_usage_error_before_any_run() {
    let repo =
        Repo::new("version: 1\ndeploy_groups: { dev: {} }\nstages: [ { name: s, run: 'true' } ]\n");
    repo.write("afile", "not a folder\n");
    std::fs::create_dir(repo.path().join("empty")).unwrap();
    repo.write("rev/appspec.yml", "version: 0.0\nos: linux\n");
    let cases: [(&[&str], &str); 7] = [
        (&["--revision", "nope"], "the revision folder {root}/nope does not exist"),
        (&["--revision", "afile"], "the revision {root}/afile is not a folder"),
        (&["--revision", "empty"], "the revision {root}/empty has no AppSpec file at its root"),
        (&["--appspec", "rev/other.yml"], "the AppSpec file {root}/rev/other.yml does not exist"),
        (&["--appspec", "nope/appspec.yml"], "the AppSpec file {root}/nope/appspec.yml does not exist"),
        (&["--appspec", "rev"], "the AppSpec file {root}/rev is a folder"),
        (
            &["--revision", "empty", "--appspec", "rev/appspec.yml"],
            "the AppSpec file {root}/rev/appspec.yml is not at the root of the revision {root}/empty",
        ),
    ];
    let root = repo.path().display().to_string();
    for (args, says) in cases {
        let out = deploy(&repo, &[&["deploy"], args].concat());
        assert_eq!(out.code, 2, "{args:?}: {}", out.all());
        out.stderr_has(&says.replace("{root}", &root));
        if args.len() == 2 && args[0] == "--revision" {
            out.stderr_has("a revision is a folder with an AppSpec file (appspec.yml, appspec.yaml, appspec.json) at its root");
        }
        assert!(
            !repo.path().join(".gantry/runs").exists(),
            "{args:?} recorded a run: {}",
            out.all()
        );
    }
    // The revision itself deploys.
    deploy(&repo, &["deploy", "--revision", "rev"]).success();
}
