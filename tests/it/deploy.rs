//! `gantry deploy` and the `deploy:` action kind: lifecycle order and
//! environment, batches, rollback, file_exists_behavior, permissions,
//! path safety, timeouts — the real binary on real files in temp dirs.

mod checks;
mod durability;
use crate::common;
mod fleet;
mod linked_bundle;
mod outside;
mod recovery;
mod shared_files;
mod stamps;

use std::time::Duration;

use std::path::Path;

use common::{chmod, pids, process_running, tree, wait_for, write_exec, Outcome, Repo};

const TWO_ONE_AT_A_TIME: &str = "version: 1
name: shop
deploy_groups:
  dev:
    instances: 2
    config: OneAtATime
stages:
  - name: ship
    run: 'true'
";

/// Every hook appends `<event> <instance> <tag>` to $HOOK_LOG.
const LOGGING_HOOK: &str = "#!/bin/sh\necho \"$LIFECYCLE_EVENT $(basename \"$PWD\") TAG\" >> \"$HOOK_LOG\"\necho \"hook $LIFECYCLE_EVENT\"\n";

const ALL_HOOKS: &str = include_str!("../fixtures/deploy/all-hooks.yml");

/// Runs gantry with $HOOK_LOG pointing at `hooks.log` in the repository.
fn deploy(repo: &Repo, args: &[&str]) -> Outcome {
    repo.gantry()
        .args(args)
        .env("HOOK_LOG", repo.path().join("hooks.log"))
        .run()
}

/// Revision `dir`: app/index.html, app/run.sh, app/conf/settings, the
/// logging hook tagged `tag`, and ALL_HOOKS as its AppSpec.
fn revision(repo: &Repo, dir: &str, tag: &str) {
    repo.write(&format!("{dir}/appspec.yml"), ALL_HOOKS);
    repo.write(&format!("{dir}/app/index.html"), &format!("{tag} index\n"));
    write_exec(
        repo,
        &format!("{dir}/app/run.sh"),
        &format!("#!/bin/sh\necho {tag}\n"),
    );
    repo.write(
        &format!("{dir}/app/conf/settings"),
        &format!("{tag} settings\n"),
    );
    chmod(repo, &format!("{dir}/app/conf/settings"), 0o600);
    write_exec(
        repo,
        &format!("{dir}/hook.sh"),
        &LOGGING_HOOK.replace("TAG", tag),
    );
}

/// Makes revision `dir`'s hook fail in `event`, saying `says`, with `code`
/// (and succeed in every other event).
fn hook_failing_in(repo: &Repo, dir: &str, event: &str, says: &str, code: u8) {
    write_exec(
        repo,
        &format!("{dir}/hook.sh"),
        &format!(
            "#!/bin/sh\n[ \"$LIFECYCLE_EVENT\" != {event} ] || {{ echo '{says}'; exit {code}; }}\n"
        ),
    );
}

fn instance(repo: &Repo, n: u32) -> std::path::PathBuf {
    repo.path().join(format!(".gantry/targets/dev/{n}"))
}

fn state(repo: &Repo) -> serde_json::Value {
    serde_json::from_str(&repo.read(".gantry/deployments/dev/state.json")).unwrap()
}

fn statuses(repo: &Repo) -> Vec<String> {
    state(repo)["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["status"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn one_at_a_time_failure_on_instance_2_rolls_both_back_to_the_previous_files() {
    let repo = Repo::new(TWO_ONE_AT_A_TIME);
    revision(&repo, "v1", "v1");
    let out = deploy(&repo, &["deploy", "--revision", "v1"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let before = (tree(&instance(&repo, 1)), tree(&instance(&repo, 2)));
    assert_eq!(
        before.0["srv/app/conf/settings"],
        (0o600, "v1 settings\n".into())
    );
    assert_eq!(before.0["srv/app/run.sh"].0, 0o755);

    revision(&repo, "v2", "v2");
    repo.write("v2/app/extra/new.txt", "only in v2\n");
    std::fs::remove_file(repo.path().join("v2/app/conf/settings")).unwrap();
    let failing = "if [ \"$LIFECYCLE_EVENT\" = ValidateService ] && [ \"$(basename \"$PWD\")\" = 2 ]; then echo 'instance 2 is unhealthy'; exit 7; fi\n";
    write_exec(
        &repo,
        "v2/hook.sh",
        &format!("{}{failing}", LOGGING_HOOK.replace("TAG", "v2")),
    );
    std::fs::remove_file(repo.path().join("hooks.log")).unwrap();

    let out = deploy(&repo, &["deploy", "--revision", "v2"]);
    assert_eq!(out.code, 1, "{}", out.all());
    out.has("dev/2: failed in ValidateService: script hook.sh: exit code 7");
    out.has("dev/1: succeeded");
    out.has("[dev/2 ValidateService] instance 2 is unhealthy");
    out.has("restored the revision of");

    let log = repo.read("hooks.log");
    let lines: Vec<&str> = log.lines().collect();
    let deployment: Vec<&str> = lines.iter().copied().take(9).collect();
    assert_eq!(
        deployment,
        [
            "ApplicationStop 1 v1",
            "BeforeInstall 1 v2",
            "AfterInstall 1 v2",
            "ApplicationStart 1 v2",
            "ValidateService 1 v2",
            "ApplicationStop 2 v1",
            "BeforeInstall 2 v2",
            "AfterInstall 2 v2",
            "ApplicationStart 2 v2",
        ],
        "instance 1 goes through the whole lifecycle before instance 2 starts:\n{log}"
    );
    // The rollback: instance 1 last succeeded with v2, so its stop script is v2's.
    assert!(lines.contains(&"ApplicationStop 1 v2"), "{log}");
    assert!(lines.contains(&"ValidateService 2 v1"), "{log}");
    assert_eq!(lines.last(), Some(&"ValidateService 2 v1"), "{log}");

    let after = (tree(&instance(&repo, 1)), tree(&instance(&repo, 2)));
    assert_eq!(after.0, before.0, "instance 1 holds exactly v1 again");
    assert_eq!(after.1, before.1, "instance 2 holds exactly v1 again");
    assert_eq!(statuses(&repo), ["succeeded", "failed", "succeeded"]);
    let deployments = state(&repo)["deployments"].clone();
    assert_eq!(deployments[2]["rollback_of"], deployments[1]["id"]);
    assert_eq!(deployments[2]["bundle"], deployments[0]["id"]);
}

#[test]
fn hooks_run_in_lifecycle_order_with_the_agent_environment() {
    let repo = Repo::new(
        "version: 1
name: shop
deploy_groups:
  dev: { instances: 1 }
stages:
  - name: ship
    deploy: { group: dev, revision: rev }
",
    );
    repo.write("rev/appspec.yml", ALL_HOOKS);
    repo.write("rev/app/index.html", "hi\n");
    let hook = "#!/bin/sh\nif [ -f srv/app/index.html ]; then installed=yes; else installed=no; fi\necho \"$LIFECYCLE_EVENT|$DEPLOYMENT_ID|$APPLICATION_NAME|$DEPLOYMENT_GROUP_NAME|$DEPLOYMENT_GROUP_ID|$PWD|$installed\" >> \"$HOOK_LOG\"\n";
    write_exec(&repo, "rev/hook.sh", hook);
    let out = deploy(&repo, &["run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let id = state(&repo)["deployments"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let root = std::fs::canonicalize(instance(&repo, 1)).unwrap();
    let expected: Vec<String> = [
        ("BeforeInstall", "no"),
        ("AfterInstall", "yes"),
        ("ApplicationStart", "yes"),
        ("ValidateService", "yes"),
    ]
    .iter()
    .map(|(event, installed)| {
        format!(
            "{event}|{id}|shop|dev|local-shop-dev|{}|{installed}",
            root.display()
        )
    })
    .collect();
    assert_eq!(repo.read("hooks.log").lines().collect::<Vec<_>>(), expected);
    let instance_log = repo.read(&format!(".gantry/deployments/dev/{id}/1.log"));
    assert!(
        instance_log.contains("LifecycleEvent - ValidateService"),
        "{instance_log}"
    );
    assert!(repo
        .read(".gantry/runs/1/ship/ship.log")
        .contains("installed 1 files"));

    // The second deployment stops the application with the first revision's script.
    repo.write("rev/appspec.yml", &ALL_HOOKS.replace("hook.sh", "hook2.sh"));
    write_exec(
        &repo,
        "rev/hook2.sh",
        "#!/bin/sh\necho \"v2 $LIFECYCLE_EVENT\" >> \"$HOOK_LOG\"\n",
    );
    std::fs::remove_file(repo.path().join("hooks.log")).unwrap();
    let out = deploy(&repo, &["run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let log = repo.read("hooks.log");
    assert!(
        log.starts_with("ApplicationStop|"),
        "the previous revision's stop script runs first:\n{log}"
    );
    assert!(log.ends_with("v2 ValidateService\n"), "{log}");
}

#[test]
fn disallow_refuses_an_existing_file_and_writes_nothing() {
    let repo =
        Repo::new("version: 1\ndeploy_groups: { dev: {} }\nstages: [ { name: s, run: 'true' } ]\n");
    repo.write(
        "rev/appspec.yml",
        "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /srv/app\n",
    );
    repo.write("rev/app/index.html", "from the revision\n");
    repo.write("rev/app/other.html", "other\n");
    repo.write(
        ".gantry/targets/dev/1/srv/app/index.html",
        "already there\n",
    );
    let out = deploy(&repo, &["deploy", "--revision", "rev"]);
    assert_eq!(out.code, 1, "{}", out.all());
    out.has("a file already exists at /srv/app/index.html (file_exists_behavior: DISALLOW)");
    assert_eq!(
        repo.read(".gantry/targets/dev/1/srv/app/index.html"),
        "already there\n"
    );
    assert!(!instance(&repo, 1).join("srv/app/other.html").exists());

    let overwrite = "version: 0.0\nos: linux\nfile_exists_behavior: OVERWRITE\nfiles:\n  - source: app\n    destination: /srv/app\n";
    repo.write("rev/appspec.yml", overwrite);
    let out = deploy(&repo, &["deploy", "--revision", "rev"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(
        repo.read(".gantry/targets/dev/1/srv/app/index.html"),
        "from the revision\n"
    );

    // Files of the previous deployment are cleaned up first: DISALLOW does not trip on them.
    repo.write(
        "rev/appspec.yml",
        &overwrite.replace("OVERWRITE", "DISALLOW"),
    );
    let out = deploy(&repo, &["deploy", "--revision", "rev"]);
    assert_eq!(out.code, 0, "{}", out.all());
}

#[test]
fn retain_keeps_an_existing_file() {
    let repo =
        Repo::new("version: 1\ndeploy_groups: { dev: {} }\nstages: [ { name: s, run: 'true' } ]\n");
    let spec = "version: 0.0\nos: linux\nfile_exists_behavior: RETAIN\nfiles:\n  - source: app\n    destination: /srv/app\n";
    repo.write("rev/appspec.yml", spec);
    repo.write("rev/app/index.html", "from the revision\n");
    repo.write(".gantry/targets/dev/1/srv/app/index.html", "local edit\n");
    let out = deploy(&repo, &["deploy", "--revision", "rev"]);
    assert_eq!(out.code, 0, "{}", out.all());
    out.has("1 kept (RETAIN)");
    assert_eq!(
        repo.read(".gantry/targets/dev/1/srv/app/index.html"),
        "local edit\n"
    );
}

#[test]
fn permissions_set_modes_by_pattern_except_and_type() {
    let repo =
        Repo::new("version: 1\ndeploy_groups: { dev: {} }\nstages: [ { name: s, run: 'true' } ]\n");
    repo.write(
        "rev/appspec.yml",
        r#"version: 0.0
os: linux
files:
  - source: app
    destination: /srv/app
permissions:
  - object: /srv/app
    pattern: "*"
    except: [b.txt]
    type: [file]
    mode: "600"
  - object: /srv
    type: [directory]
    mode: 750
  - object: /srv/app/b.txt
    mode: "0640"
    owner: nobody
"#,
    );
    repo.write("rev/app/a.html", "a\n");
    repo.write("rev/app/b.txt", "b\n");
    repo.write("rev/app/sub/c.html", "c\n");
    let out = deploy(&repo, &["deploy", "--revision", "rev"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let t = tree(&instance(&repo, 1));
    assert_eq!(t["srv/app/a.html"].0, 0o600, "direct child matched by *");
    assert_eq!(
        t["srv/app/b.txt"].0, 0o640,
        "excepted from entry 1, set by entry 3"
    );
    assert_eq!(
        t["srv/app/sub/c.html"].0, 0o644,
        "patterns other than ** look at direct children only"
    );
    assert_eq!(t["srv/app"].0, 0o750);
    assert_eq!(t["srv/app/sub"].0, 0o750);
    let owner = std::os::unix::fs::MetadataExt::uid(
        &std::fs::metadata(instance(&repo, 1).join("srv/app/b.txt")).unwrap(),
    );
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        assert_ne!(owner, 0, "owner: nobody applied when running as root");
    } else {
        assert!(
            out.all()
                .contains("not applied: gantry is not running as root"),
            "{}",
            out.all()
        );
    }
}

#[test]
fn a_hook_that_runs_too_long_is_stopped_at_its_timeout() {
    let repo =
        Repo::new("version: 1\ndeploy_groups: { dev: {} }\nstages: [ { name: s, run: 'true' } ]\n");
    repo.write("rev/app/index.html", "x\n");
    repo.write("rev/appspec.yml", "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /srv/app\nhooks:\n  ApplicationStart:\n    - location: slow.sh\n      timeout: 1\n");
    let slow = "#!/bin/sh\necho starting\nsleep 30 &\necho $! > \"$HOOK_LOG.pid\"\nwait\n";
    write_exec(&repo, "rev/slow.sh", slow);
    let out = deploy(&repo, &["deploy", "--revision", "rev"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.elapsed < Duration::from_secs(15),
        "took {:?}",
        out.elapsed
    );
    out.has("timed out in ApplicationStart: script slow.sh: timed out after 1");
    // No earlier revision: the rollback removes what the failed one installed.
    out.has("no earlier successful deployment");
    assert!(!instance(&repo, 1).join("srv/app/index.html").exists());
    let sleeper = pids(&repo, "hooks.log.pid");
    assert_eq!(sleeper.len(), 1);
    assert!(
        !process_running(sleeper[0]),
        "the script's child outlived the deployment"
    );
}

#[test]
fn no_rollback_keeps_the_failed_state_and_rollback_restores_it_by_hand() {
    let repo = Repo::new(TWO_ONE_AT_A_TIME);
    revision(&repo, "v1", "v1");
    assert_eq!(deploy(&repo, &["deploy", "--revision", "v1"]).code, 0);
    let before = tree(&instance(&repo, 1));
    revision(&repo, "v2", "v2");
    write_exec(
        &repo,
        "v2/hook.sh",
        "#!/bin/sh\n[ \"$LIFECYCLE_EVENT\" != ValidateService ]\n",
    );
    let out = deploy(&repo, &["deploy", "--revision", "v2", "--no-rollback"]);
    assert_eq!(out.code, 1, "{}", out.all());
    out.has("no rollback");
    assert_eq!(
        repo.read(".gantry/targets/dev/1/srv/app/index.html"),
        "v2 index\n"
    );
    assert_eq!(
        repo.read(".gantry/targets/dev/2/srv/app/index.html"),
        "v1 index\n",
        "minimum of 1 healthy of 2 no longer met: instance 2 not touched"
    );
    assert!(
        out.all()
            .contains("dev/2: skipped (the minimum of 1 healthy of 2 can no longer be met)"),
        "{}",
        out.all()
    );

    let out = deploy(&repo, &["deploy", "--rollback"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(tree(&instance(&repo, 1)), before);
    assert_eq!(statuses(&repo), ["succeeded", "failed", "succeeded"]);
}

#[test]
fn half_at_a_time_deploys_in_batches_of_half_the_group() {
    let repo = Repo::new("version: 1\ndeploy_groups:\n  dev: { instances: 4, config: HalfAtATime }\nstages: [ { name: s, run: 'true' } ]\n");
    revision(&repo, "v1", "v1");
    let out = deploy(&repo, &["deploy", "--revision", "v1"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout.contains("batch 1 of 2: dev/1, dev/2"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("batch 2 of 2: dev/3, dev/4"),
        "{}",
        out.stdout
    );
    let log = repo.read("hooks.log");
    let lines: Vec<&str> = log.lines().collect();
    let last_of_first = lines
        .iter()
        .rposition(|l| l.ends_with(" 1 v1") || l.ends_with(" 2 v1"));
    let first_of_second = lines
        .iter()
        .position(|l| l.ends_with(" 3 v1") || l.ends_with(" 4 v1"));
    assert!(last_of_first < first_of_second, "{log}");
}

#[test]
fn a_background_process_holding_the_output_does_not_fail_the_event() {
    let repo =
        Repo::new("version: 1\ndeploy_groups: { dev: {} }\nstages: [ { name: s, run: 'true' } ]\n");
    repo.write(
        "rev/appspec.yml",
        "version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: start.sh\n",
    );
    write_exec(
        &repo,
        "rev/start.sh",
        "#!/bin/sh\nsleep 30 &\necho started\n",
    );
    let out = deploy(&repo, &["deploy", "--revision", "rev"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.elapsed < Duration::from_secs(10),
        "took {:?}",
        out.elapsed
    );
    out.has("stopped background processes");
}

#[test]
fn a_rollback_puts_back_a_file_the_failed_deployment_overwrote() {
    let repo = Repo::new(TWO_ONE_AT_A_TIME);
    revision(&repo, "v1", "v1");
    assert_eq!(deploy(&repo, &["deploy", "--revision", "v1"]).code, 0);
    repo.write(".gantry/targets/dev/1/srv/app/local.conf", "set by hand\n");
    let before = tree(&instance(&repo, 1));
    revision(&repo, "v2", "v2");
    repo.write("v2/app/local.conf", "from v2\n");
    let spec = ALL_HOOKS.replace(
        "os: linux\n",
        "os: linux\nfile_exists_behavior: OVERWRITE\n",
    );
    repo.write("v2/appspec.yml", &spec);
    write_exec(
        &repo,
        "v2/hook.sh",
        "#!/bin/sh\n[ \"$LIFECYCLE_EVENT\" != ApplicationStart ]\n",
    );
    let out = deploy(&repo, &["deploy", "--revision", "v2"]);
    assert_eq!(out.code, 1, "{}", out.all());
    out.has("dev/1: failed in ApplicationStart");
    assert_eq!(
        tree(&instance(&repo, 1)),
        before,
        "nothing lost: the hand-made file is back"
    );
}

#[test]
fn the_action_timeout_bounds_every_hook() {
    let repo = Repo::new(
        "version: 1
deploy_groups: { dev: {} }
stages:
  - name: ship
    timeout: 1s
    deploy: { revision: rev }
",
    );
    repo.write(
        "rev/appspec.yml",
        "version: 0.0\nos: linux\nhooks:\n  BeforeInstall:\n    - location: slow.sh\n",
    );
    write_exec(&repo, "rev/slow.sh", "#!/bin/sh\nsleep 30\n");
    let out = deploy(&repo, &["run"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.elapsed < Duration::from_secs(15),
        "took {:?}",
        out.elapsed
    );
    out.has("timed out in BeforeInstall");
}

#[test]
fn the_repository_root_as_revision_leaves_gantry_state_out_of_the_bundle() {
    let repo =
        Repo::new("version: 1\ndeploy_groups: { dev: {} }\nstages: [ { name: s, run: 'true' } ]\n");
    repo.write(
        "appspec.yml",
        "version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: /srv/app\n",
    );
    repo.write("index.html", "x\n");
    let out = deploy(&repo, &["deploy", "--revision", "."]);
    assert_eq!(out.code, 0, "{}", out.all());
    let installed = tree(&instance(&repo, 1));
    assert!(
        installed.contains_key("srv/app/index.html"),
        "{installed:?}"
    );
    assert!(
        installed.contains_key("srv/app/gantry.yml"),
        "{installed:?}"
    );
    assert!(
        !installed.keys().any(|k| k.contains(".gantry")),
        "{installed:?}"
    );
}

#[test]
fn the_example_webapp_revision_deploys_and_validates() {
    let repo = Repo::new(
        "version: 1
name: webapp
deploy_groups:
  dev: { instances: 2, config: OneAtATime }
stages:
  - name: revision
    script:
      - mkdir -p target/revision/bin
      - cp -R $FIXTURE/. target/revision/
      - printf '#!/bin/sh\\necho \"Hello, $1!\"\\n' > target/revision/bin/webapp
      - chmod +x target/revision/bin/webapp
  - name: deploy
    deploy: { group: dev, revision: target/revision }
",
    );
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/webapp/deploy");
    let out = repo.gantry().args(["run"]).env("FIXTURE", fixture).run();
    assert_eq!(out.code, 0, "{}", out.all());
    out.has("[dev/2 ValidateService] webapp answered: Hello, dev!");
    let t = tree(&instance(&repo, 2));
    assert_eq!(t["opt/webapp/bin/webapp"].0, 0o755);
    assert_eq!(t["etc/webapp/webapp.conf"], (0o640, "name=dev\n".into()));
}

#[test]
fn ctrl_c_stops_the_deployment_without_rolling_back_and_leaves_no_process() {
    let repo = Repo::new("version: 1\ndeploy_groups: { dev: { instances: 2, config: AllAtOnce } }\nstages: [ { name: s, run: 'true' } ]\n");
    repo.write("rev/appspec.yml", "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /srv/app\nhooks:\n  ApplicationStart:\n    - location: start.sh\n");
    repo.write("rev/app/index.html", "x\n");
    let start = "#!/bin/sh\nsleep 300 &\necho $! >> \"$HOOK_LOG.pids\"\nwait\n";
    write_exec(&repo, "rev/start.sh", start);
    let mut command = repo.command(&["deploy", "--revision", "rev"]);
    command.env("HOOK_LOG", repo.path().join("hooks.log"));
    let mut child = command.stdout(std::process::Stdio::null()).spawn().unwrap();
    let both = || {
        let exists = repo.path().join("hooks.log.pids").exists();
        (exists && pids(&repo, "hooks.log.pids").len() == 2).then_some(())
    };
    assert!(
        wait_for(Duration::from_secs(20), both).is_some(),
        "the hooks never started"
    );
    // SAFETY: sending a signal to our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    assert_eq!(child.wait().unwrap().code(), Some(130));
    assert_eq!(
        statuses(&repo),
        ["stopped"],
        "no rollback deployment after Ctrl-C"
    );
    assert!(
        instance(&repo, 1).join("srv/app/index.html").exists(),
        "the state is kept"
    );
    let hooks = pids(&repo, "hooks.log.pids");
    assert_eq!(hooks.len(), 2, "{hooks:?}");
    for pid in hooks {
        assert!(!process_running(pid), "process {pid} outlived Ctrl-C");
    }
}

#[test]
fn a_failed_deployment_gets_junit_and_github_annotations_like_a_run() {
    let repo = Repo::new(TWO_ONE_AT_A_TIME);
    revision(&repo, "v1", "v1");
    hook_failing_in(&repo, "v1", "ValidateService", "the service is down", 4);
    let summary = repo.path().join("summary.md");
    let out = repo
        .gantry()
        .args(["deploy", "--revision", "v1", "--junit", "report.xml"])
        .env("HOOK_LOG", repo.path().join("hooks.log"))
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .run();
    assert_eq!(out.code, 1, "{}", out.all());
    let xml = repo.read("report.xml");
    assert!(
        xml.contains(r#"<testcase name="dev" classname="deploy""#),
        "{xml}"
    );
    assert!(xml.contains("<failure message="), "{xml}");
    assert!(xml.contains("the service is down"), "{xml}");
    let error = out
        .stdout
        .lines()
        .find(|l| l.starts_with("::error"))
        .unwrap_or_else(|| panic!("an annotation in:\n{}", out.stdout));
    assert!(
        error.starts_with("::error title=gantry deploy/dev::failed "),
        "{error}"
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.contains("| deploy | dev | failed |"), "{md}");
}

/// ApplicationStop runs the last successful revision's scripts: when those
/// fail, no new revision could ever be deployed without a way past them.
/// `--ignore-application-stop-failures` (or the `deploy:` action's setting)
/// warns and goes on, as CodeDeploy's option does; without it the error
/// says so.
#[test]
fn a_broken_application_stop_of_the_last_revision_can_be_deployed_past() {
    let repo = Repo::new(TWO_ONE_AT_A_TIME);
    revision(&repo, "v1", "v1");
    hook_failing_in(&repo, "v1", "ApplicationStop", "stop is broken", 3);
    assert_eq!(deploy(&repo, &["deploy", "--revision", "v1"]).code, 0);
    revision(&repo, "v2", "v2");
    let out = deploy(&repo, &["deploy", "--revision", "v2", "--no-rollback"]);
    assert_eq!(out.code, 1, "{}", out.all());
    out.has("failed in ApplicationStop");
    out.has("`gantry deploy --ignore-application-stop-failures` goes on past them");
    assert_eq!(
        repo.read(".gantry/targets/dev/1/srv/app/index.html"),
        "v1 index\n"
    );

    let out = deploy(
        &repo,
        &[
            "deploy",
            "--revision",
            "v2",
            "--ignore-application-stop-failures",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.all());
    out.has("warning: failed, and the deployment goes on (--ignore-application-stop-failures)");
    for n in [1, 2] {
        assert_eq!(
            repo.read(&format!(".gantry/targets/dev/{n}/srv/app/index.html")),
            "v2 index\n"
        );
    }
    // v2's own ApplicationStop works: the next deployment needs no option.
    revision(&repo, "v3", "v3");
    assert_eq!(deploy(&repo, &["deploy", "--revision", "v3"]).code, 0);
}

/// The same from gantry.yml: `ignore_application_stop_failures: true` on the
/// `deploy:` action.
#[test]
fn the_deploy_action_can_ignore_application_stop_failures() {
    let repo = Repo::new(
        "version: 1
name: shop
deploy_groups:
  dev: { instances: 1 }
stages:
  - name: ship
    actions:
      - name: dev
        deploy:
          revision: rev
          ignore_application_stop_failures: true
",
    );
    revision(&repo, "rev", "v1");
    write_exec(
        &repo,
        "rev/hook.sh",
        "#!/bin/sh\n[ \"$LIFECYCLE_EVENT\" != ApplicationStop ] || exit 3\n",
    );
    let out = repo.gantry().args(["run"]).run();
    assert_eq!(out.code, 0, "{}", out.all());
    repo.write("rev/app/index.html", "v2 index\n");
    let out = repo.gantry().args(["run", "-v"]).run();
    assert_eq!(out.code, 0, "{}", out.all());
    out.has("warning: failed, and the deployment goes on");
    assert_eq!(
        repo.read(".gantry/targets/dev/1/srv/app/index.html"),
        "v2 index\n"
    );
}
