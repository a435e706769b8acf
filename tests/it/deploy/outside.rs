//! Nothing outside the instance, ever: instance roots that are links out of
//! the pipeline, hook scripts reached through chains of links, links that
//! escape once installed, and AppSpecs of other platforms.

use std::os::unix::fs::symlink;
use std::path::Path;

use super::common::Repo;
use super::deploy;

const SIMPLE: &str =
    "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /gantry-escape-probe\n";

fn group(instances: &str) -> String {
    format!("version: 1\ndeploy_groups: {{ dev: {{ instances: {instances} }} }}\nstages: [ {{ name: s, run: 'true' }} ]\n")
}

#[test]
fn an_instance_root_linked_to_slash_or_outside_the_pipeline_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    for (link, to) in [("rootlink", Path::new("/")), ("outlink", outside.path())] {
        let repo = Repo::new(&group(&format!("[{link}]")));
        repo.write("rev/appspec.yml", SIMPLE);
        repo.write("rev/app/marker", "x\n");
        symlink(to, repo.path().join(link)).unwrap();
        let out = deploy(&repo, &["deploy", "--revision", "rev"]);
        assert_eq!(out.code, 1, "{}", out.all());
        out.has("nothing was deployed");
        out.has(&format!("--root {}", to.display()));
        assert!(
            !to.join("gantry-escape-probe").exists(),
            "{link}: written through the link"
        );
    }

    // A link among the components, not only the last one.
    let repo = Repo::new(&group("[via/inst]"));
    repo.write("rev/appspec.yml", SIMPLE);
    repo.write("rev/app/marker", "x\n");
    symlink(outside.path(), repo.path().join("via")).unwrap();
    let out = deploy(&repo, &["deploy", "--revision", "rev"]);
    assert_eq!(out.code, 1, "{}", out.all());
    out.has("leads through a symlink to");
    assert!(!outside.path().join("inst").exists());

    // Given explicitly with --root, it is the user's choice; state.json keeps the real path.
    let out = deploy(
        &repo,
        &["deploy", "--revision", "rev", "--root", "via/inst"],
    );
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(outside
        .path()
        .join("inst/gantry-escape-probe/marker")
        .is_file());
    let state: serde_json::Value =
        serde_json::from_str(&repo.read(".gantry/deployments/dev/state.json")).unwrap();
    let real = outside.path().canonicalize().unwrap().join("inst");
    assert_eq!(
        state["instances"]["root"]["root"],
        real.display().to_string()
    );
}

#[test]
fn a_link_inside_the_pipeline_is_fine() {
    let repo = Repo::new(&group("[alias]"));
    repo.write("rev/appspec.yml", SIMPLE);
    repo.write("rev/app/marker", "x\n");
    std::fs::create_dir_all(repo.path().join("real-instance")).unwrap();
    symlink("real-instance", repo.path().join("alias")).unwrap();
    let out = deploy(&repo, &["deploy", "--revision", "rev"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(repo
        .path()
        .join("real-instance/gantry-escape-probe/marker")
        .is_file());
}

/// `rev/hooks/h.sh` reaches `evil` (absolute, outside the revision) through
/// `a/…/j/u -> ../…/..` (the revision root): every link's text climbs no
/// higher than the revision, but `u/../..` climbs from the link's target.
fn chained_hook(repo: &Repo, evil: &Path) {
    let deep = "a/b/c/d/e/f/g/h/i/j";
    std::fs::create_dir_all(repo.path().join("rev").join(deep)).unwrap();
    symlink(
        "../".repeat(10).trim_end_matches('/'),
        repo.path().join("rev").join(deep).join("u"),
    )
    .unwrap();
    let climb = "../".repeat(11);
    let target = format!(
        "../{deep}/u/{climb}{}",
        evil.display().to_string().trim_start_matches('/')
    );
    std::fs::create_dir_all(repo.path().join("rev/hooks")).unwrap();
    symlink(target, repo.path().join("rev/hooks/h.sh")).unwrap();
    repo.write(
        "rev/appspec.yml",
        "version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: hooks/h.sh\n",
    );
}

#[test]
fn a_hook_script_reached_through_a_chain_of_links_out_of_the_revision_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    let evil = outside.path().join("evil.sh");
    let ran = outside.path().join("ran");
    std::fs::write(&evil, format!("#!/bin/sh\ntouch {}\n", ran.display())).unwrap();
    std::fs::set_permissions(&evil, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let repo = Repo::new(&group("1"));
    chained_hook(&repo, &evil);

    let out = repo.run(&["validate", "rev"]);
    assert_ne!(out.code, 0, "{}", out.all());
    out.has("leads outside the revision through a symlink");

    let out = deploy(&repo, &["deploy", "--revision", "rev"]);
    assert_eq!(out.code, 1, "{}", out.all());
    out.has("leads outside the revision through a symlink");
    assert!(!ran.exists(), "the script outside the revision ran");
}

#[test]
fn a_link_that_leads_out_once_installed_is_refused_before_install() {
    let repo = Repo::new(&group("1"));
    repo.write("rev/x.txt", "inside the revision\n");
    let deep = repo.path().join("rev/a/b/c/d/e/f/g/h");
    std::fs::create_dir_all(&deep).unwrap();
    symlink(format!("{}x.txt", "../".repeat(8)), deep.join("lnk")).unwrap();
    repo.write(
        "rev/appspec.yml",
        "version: 0.0\nos: linux\nfiles:\n  - source: a/b/c/d/e/f/g/h/lnk\n    destination: /\n",
    );
    let out = deploy(&repo, &["deploy", "--revision", "rev"]);
    assert_eq!(out.code, 1, "{}", out.all());
    out.has("would lead outside the instance root once installed");
    let inst = super::instance(&repo, 1);
    assert!(
        std::fs::symlink_metadata(inst.join("lnk")).is_err(),
        "the link was installed"
    );
}

#[test]
fn ecs_and_lambda_appspecs_are_refused_as_not_deployable_locally() {
    let ecs = "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n        TaskDefinition: arn:aws:ecs:us-east-1:111122223333:task-definition/t:1\n        LoadBalancerInfo:\n          ContainerName: web\n          ContainerPort: 80\nHooks:\n  - BeforeInstall: CheckIt\n";
    let lambda = "version: 0.0\nResources:\n  - fn:\n      Type: AWS::Lambda::Function\n      Properties:\n        Name: f\n        Alias: live\n        CurrentVersion: 1\n        TargetVersion: 2\nHooks:\n  - BeforeAllowTraffic: CheckIt\n";
    for (spec, name) in [(ecs, "Amazon ECS"), (lambda, "AWS Lambda")] {
        let repo = Repo::new(&group("1"));
        repo.write("rev/appspec.yml", spec);
        let out = deploy(&repo, &["deploy", "--revision", "rev"]);
        assert_eq!(out.code, 1, "{}", out.all());
        out.has(&format!(
            "is an {name} AppSpec; local deployment supports EC2/On-Premises revisions only"
        ));
        assert!(!out.all().contains("unknown key"), "{}", out.all());
    }
}
