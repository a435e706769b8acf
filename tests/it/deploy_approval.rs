//! A deploy group with `approval: true` puts a gate in front of its
//! deployments, in `gantry run` and in `gantry deploy`.

use crate::common;

use common::Repo;

const CONFIG: &str = "version: 1
deploy_groups:
  prod: { instances: 1, config: AllAtOnce, approval: true }
stages:
  - name: deploy
    deploy: { group: prod, revision: rev }
";

fn repo() -> Repo {
    let repo = Repo::new(CONFIG);
    repo.write(
        "rev/appspec.yml",
        "version: 0.0\nos: linux\nfiles:\n  - source: app.txt\n    destination: /srv/app\n",
    );
    repo.write("rev/app.txt", "release 1\n");
    repo
}

fn deployed(repo: &Repo) -> bool {
    repo.path()
        .join(".gantry/targets/prod/1/srv/app/app.txt")
        .exists()
}

#[test]
fn run_fails_closed_at_the_implied_gate_without_approval() {
    let repo = repo();
    let out = repo
        .command(&["run"])
        .env_remove("GANTRY_APPROVE")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("deploy/approve-deploy"), "{stdout}");
    assert!(!deployed(&repo), "nothing deployed without approval");
    let list = repo.run(&["list"]);
    assert!(
        list.stdout.contains("approve-deploy") && list.stdout.contains("Deploy to prod?"),
        "{}",
        list.stdout
    );
}

#[test]
fn run_with_yes_passes_the_gate_and_deploys() {
    let repo = repo();
    let out = repo.run(&["run", "--yes"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(deployed(&repo));
}

#[test]
fn gantry_deploy_asks_too() {
    let repo = repo();
    let refused = repo
        .command(&["deploy", "--group", "prod"])
        .env_remove("GANTRY_APPROVE")
        .output()
        .unwrap();
    assert_eq!(
        refused.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&refused.stdout)
    );
    assert!(!deployed(&repo));
    let approved = repo
        .command(&["deploy", "--group", "prod"])
        .env("GANTRY_APPROVE", "1")
        .output()
        .unwrap();
    assert_eq!(
        approved.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&approved.stdout)
    );
    assert!(deployed(&repo));
}
