//! A revision file whose stat data is unchanged is hard-linked from the
//! previous deployment's bundle into the next one. A hook of the later
//! deployment that writes that file in place (`$GANTRY_BUNDLE`) writes the
//! earlier bundle's file too: gantry never installs such a file as the
//! earlier revision's, while a deployment's own hooks may still edit its
//! own bundle, rollbacks to it included.

use super::common::Repo;
use super::stamps::wait_until_settled;

/// One instance; the AppSpec installs `app/` to `/srv/app`. BeforeInstall
/// renders `app/conf` in place when the bundle holds `render`;
/// ValidateService fails when it holds `fail`. The template `app/conf`
/// never changes, so each bundle links it from the previous one.
fn repo() -> Repo {
    let repo =
        Repo::new("version: 1\ndeploy_groups: { dev: {} }\nstages: [ { name: s, run: 'true' } ]\n");
    repo.write(
        "rev/appspec.yml",
        "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /srv/app\nhooks:\n  BeforeInstall:\n    - location: render.sh\n  ValidateService:\n    - location: validate.sh\n",
    );
    repo.write("rev/app/conf", "greeting=${GREETING}\n");
    repo.write("rev/app/other", "untouched\n");
    super::common::write_exec(
        &repo,
        "rev/render.sh",
        "#!/bin/sh\nb=\"$GANTRY_BUNDLE\"\n[ ! -e \"$b/render\" ] || echo \"greeting=rendered by $DEPLOYMENT_ID\" > \"$b/app/conf\"\n",
    );
    super::common::write_exec(
        &repo,
        "rev/validate.sh",
        "#!/bin/sh\n[ ! -e \"$GANTRY_BUNDLE/fail\" ] || { echo unhealthy; exit 3; }\n",
    );
    wait_until_settled(&repo, "rev");
    repo
}

fn deploy(repo: &Repo, args: &[&str], code: i32) -> super::common::Outcome {
    let out = repo.gantry().args(args).run();
    assert_eq!(out.code, code, "{}", out.all());
    out
}

fn conf(repo: &Repo) -> String {
    repo.read(".gantry/targets/dev/1/srv/app/conf")
}

fn ids(repo: &Repo) -> Vec<String> {
    let state: serde_json::Value =
        serde_json::from_str(&repo.read(".gantry/deployments/dev/state.json")).unwrap();
    state["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_rollback_to_a_bundle_file_a_later_hook_wrote_in_place_is_refused() {
    let repo = repo();
    deploy(&repo, &["deploy", "--revision", "rev"], 0);
    assert_eq!(conf(&repo), "greeting=${GREETING}\n");
    // The second deployment renders its conf in place, then fails: the
    // automatic rollback would redeploy the first bundle.
    repo.write("rev/render", "");
    repo.write("rev/fail", "");
    let out = deploy(&repo, &["deploy", "--revision", "rev"], 1);
    let ids = ids(&repo);
    let (first, second) = (&ids[0], &ids[1]);
    let rendered = format!("greeting=rendered by {second}\n");
    out.has(&format!(
        "app/conf of {first}'s kept bundle was changed in place since {second} linked it"
    ));
    out.has("nothing was deployed");
    // The instance keeps what the failed deployment installed: the refused
    // rollback wrote nothing.
    assert_eq!(conf(&repo), rendered);
    assert_eq!(
        repo.read(".gantry/targets/dev/1/srv/app/other"),
        "untouched\n"
    );
    // By hand too.
    let out = deploy(&repo, &["deploy", "--rollback"], 1);
    out.has(&format!("app/conf of {first}'s kept bundle"));
    assert_eq!(conf(&repo), rendered);
    // A later bundle without its record (gantry killed in its
    // DownloadBundle): the target's own record says what the file was.
    std::fs::remove_file(
        repo.path()
            .join(format!(".gantry/deployments/dev/{second}/origins")),
    )
    .unwrap();
    let out = deploy(&repo, &["deploy", "--rollback"], 1);
    out.has(&format!("app/conf of {first}'s kept bundle"));
    assert_eq!(conf(&repo), rendered);
    // What the message advises: deploying the revision again.
    std::fs::remove_file(repo.path().join("rev/render")).unwrap();
    std::fs::remove_file(repo.path().join("rev/fail")).unwrap();
    deploy(&repo, &["deploy", "--revision", "rev"], 0);
    assert_eq!(conf(&repo), "greeting=${GREETING}\n");
}

#[test]
fn a_rollback_to_a_bundle_its_own_hooks_edited_works() {
    let repo = repo();
    deploy(&repo, &["deploy", "--revision", "rev"], 0);
    // The second deployment renders its own (linked) conf and succeeds.
    repo.write("rev/render", "");
    deploy(&repo, &["deploy", "--revision", "rev"], 0);
    let second = ids(&repo)[1].clone();
    let rendered = format!("greeting=rendered by {second}\n");
    assert_eq!(conf(&repo), rendered);
    // The third fails without rendering: the rollback redeploys the second
    // bundle, whose hook renders its own conf again.
    std::fs::remove_file(repo.path().join("rev/render")).unwrap();
    repo.write("rev/fail", "");
    let out = deploy(&repo, &["deploy", "--revision", "rev"], 1);
    out.has(&format!("restored the revision of {second}"));
    let rollback = ids(&repo)[3].clone();
    assert_eq!(conf(&repo), format!("greeting=rendered by {rollback}\n"));
    // By hand, after a good deployment: the same bundle again.
    std::fs::remove_file(repo.path().join("rev/fail")).unwrap();
    deploy(&repo, &["deploy", "--revision", "rev"], 0);
    deploy(&repo, &["deploy", "--rollback"], 0);
    let by_hand = ids(&repo).last().unwrap().clone();
    assert_eq!(conf(&repo), format!("greeting=rendered by {by_hand}\n"));
}

#[test]
fn the_refusal_outlives_pruning_of_the_later_bundle() {
    let repo = repo();
    deploy(&repo, &["deploy", "--revision", "rev"], 0);
    let first = ids(&repo)[0].clone();
    repo.write("rev/render", "");
    repo.write("rev/fail", "");
    deploy(&repo, &["deploy", "--revision", "rev", "--no-rollback"], 1);
    let second = ids(&repo)[1].clone();
    // Five more failed deployments: the second one's folder is pruned, the
    // first one's bundle is kept (the last successful one).
    std::fs::remove_file(repo.path().join("rev/render")).unwrap();
    for _ in 0..5 {
        deploy(&repo, &["deploy", "--revision", "rev", "--no-rollback"], 1);
    }
    let store = repo.path().join(".gantry/deployments/dev");
    assert!(!store.join(&second).exists(), "{second} was not pruned");
    assert!(store.join(&first).join("revision").is_dir());
    let out = deploy(&repo, &["deploy", "--rollback"], 1);
    out.has(&format!(
        "app/conf of {first}'s kept bundle was changed in place since {second} linked it"
    ));
    assert_eq!(conf(&repo), "greeting=${GREETING}\n");
}

/// rev/stop.sh, an ApplicationStop script, and rev/render.sh, a
/// BeforeInstall hook that appends to the bundle's stop.sh in place once
/// the revision holds a file `render`.
fn stop_and_rewriting_render(repo: &Repo) {
    super::common::write_exec(repo, "rev/stop.sh", "#!/bin/sh\necho stopping\n");
    super::common::write_exec(
        repo,
        "rev/render.sh",
        "#!/bin/sh\nb=\"$GANTRY_BUNDLE\"\n[ ! -e \"$b/render\" ] || echo 'echo rewritten' >> \"$b/stop.sh\"\n",
    );
}

/// ApplicationStop runs the last successful bundle's scripts: one that a
/// later deployment's hook rewrote in place is not run.
#[test]
fn application_stop_does_not_run_a_script_a_later_hook_rewrote() {
    let repo = repo();
    repo.write(
        "rev/appspec.yml",
        "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /srv/app\nhooks:\n  ApplicationStop:\n    - location: stop.sh\n  BeforeInstall:\n    - location: render.sh\n  ValidateService:\n    - location: validate.sh\n",
    );
    stop_and_rewriting_render(&repo);
    wait_until_settled(&repo, "rev");
    deploy(&repo, &["deploy", "--revision", "rev"], 0);
    let first = ids(&repo)[0].clone();
    repo.write("rev/render", "");
    repo.write("rev/fail", "");
    deploy(&repo, &["deploy", "--revision", "rev", "--no-rollback"], 1);
    let second = ids(&repo)[1].clone();
    std::fs::remove_file(repo.path().join("rev/render")).unwrap();
    std::fs::remove_file(repo.path().join("rev/fail")).unwrap();
    let out = deploy(&repo, &["deploy", "--revision", "rev"], 1);
    out.has(&format!(
        "stop.sh of {first}'s kept bundle was changed in place since {second} linked it"
    ));
    out.has(&format!(
        "gantry does not run it as {first}'s ApplicationStop script"
    ));
    out.lacks("rewritten");
    // The way past it, as for any ApplicationStop failure.
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
    out.lacks("rewritten");
}

/// A later deployment runs the earlier bundle's ApplicationStop script,
/// which gantry makes executable (rule 44) in the file both bundles share:
/// no reason to refuse a rollback to it.
#[test]
fn a_script_gantry_made_executable_is_no_change() {
    let repo = repo();
    repo.write(
        "rev/appspec.yml",
        "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /srv/app\nhooks:\n  ApplicationStop:\n    - location: stop.sh\n",
    );
    repo.write("rev/stop.sh", "#!/bin/sh\necho stopping\n");
    super::common::chmod(&repo, "rev/stop.sh", 0o644);
    wait_until_settled(&repo, "rev");
    deploy(&repo, &["deploy", "--revision", "rev"], 0);
    deploy(&repo, &["deploy", "--revision", "rev"], 0).has("made it executable");
    let first = ids(&repo)[0].clone();
    deploy(&repo, &["deploy", "--rollback"], 0).has(&format!("redeploy the revision of {first}"));
}

/// A refused rollback records nothing: no failed deployment and no
/// folder, so refused attempts never push older deployments' folders out
/// of the newest five.
#[test]
fn a_refused_rollback_leaves_no_deployment_behind() {
    let repo = repo();
    deploy(&repo, &["deploy", "--revision", "rev"], 0);
    repo.write("rev/render", "");
    repo.write("rev/fail", "");
    // The automatic rollback is refused.
    deploy(&repo, &["deploy", "--revision", "rev"], 1).has("rollback not done");
    let store = repo.path().join(".gantry/deployments/dev");
    let folders = || {
        let mut names: Vec<String> = std::fs::read_dir(&store)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("d-"))
            .collect();
        names.sort();
        names
    };
    assert_eq!(ids(&repo).len(), 2, "{:?}", ids(&repo));
    assert_eq!(folders(), ids(&repo));
    // And by hand, again and again.
    for _ in 0..3 {
        deploy(&repo, &["deploy", "--rollback"], 1).has("nothing was deployed");
    }
    assert_eq!(ids(&repo).len(), 2, "{:?}", ids(&repo));
    assert_eq!(folders(), ids(&repo));
}

/// Batch by batch: a hook on the first batch's instance writing the shared
/// ApplicationStop script in place is seen before the next batch runs it.
#[test]
fn application_stop_rechecks_the_script_for_each_batch() {
    let repo = repo();
    repo.write(
        "gantry.yml",
        "version: 1\ndeploy_groups: { dev: { instances: 2, config: OneAtATime } }\nstages: [ { name: s, run: 'true' } ]\n",
    );
    repo.write(
        "rev/appspec.yml",
        "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /srv/app\nhooks:\n  ApplicationStop:\n    - location: stop.sh\n  BeforeInstall:\n    - location: render.sh\n",
    );
    stop_and_rewriting_render(&repo);
    wait_until_settled(&repo, "rev");
    deploy(&repo, &["deploy", "--revision", "rev"], 0);
    let first = ids(&repo)[0].clone();
    repo.write("rev/render", "");
    // The first instance's BeforeInstall appends to the shared stop.sh;
    // the second instance's ApplicationStop must not run it.
    let out = deploy(&repo, &["deploy", "--revision", "rev", "--no-rollback"], 1);
    let second = ids(&repo)[1].clone();
    out.has(&format!(
        "stop.sh of {first}'s kept bundle was changed in place since {second} linked it"
    ));
    out.lacks("rewritten");
}

/// A later hook that rewrites a shared file keeping its size,
/// modification time and mode (`touch -r`, `cp -p`) still moves its change
/// time; the next deployments linking the same file again do not.
#[test]
fn an_edit_that_keeps_size_and_mtime_is_refused_and_relinking_is_not() {
    let repo = repo();
    super::common::write_exec(
        &repo,
        "rev/render.sh",
        "#!/bin/sh\nc=\"$GANTRY_BUNDLE/app/conf\"\n[ -e \"$GANTRY_BUNDLE/render\" ] || exit 0\nr=$(mktemp)\ntouch -r \"$c\" \"$r\"\nt=$(sed 's/[${}]/x/g' \"$c\")\necho \"$t\" > \"$c\"\ntouch -r \"$r\" \"$c\"\nrm -f \"$r\"\n",
    );
    wait_until_settled(&repo, "rev");
    // Three deployments link the same conf, one from the other.
    for _ in 0..3 {
        deploy(&repo, &["deploy", "--revision", "rev"], 0);
    }
    let second = ids(&repo)[1].clone();
    deploy(&repo, &["deploy", "--rollback"], 0).has(&format!("redeploy the revision of {second}"));
    repo.write("rev/render", "");
    repo.write("rev/fail", "");
    let out = deploy(&repo, &["deploy", "--revision", "rev"], 1);
    let ids = ids(&repo);
    // The fifth linked conf from the bundle the rollback redeployed (the
    // second's), and rewrote it; the automatic rollback to it is refused.
    let fifth = &ids[4];
    out.has(&format!(
        "app/conf of {second}'s kept bundle was changed in place since {fifth} linked it"
    ));
}
