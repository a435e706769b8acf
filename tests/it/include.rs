//! Reuse in gantry.yml: `include:` chains, top-level `defaults:` and `x-`
//! keys holding YAML anchors, on real runs.

use crate::common;

use common::{action_status, Repo};

/// `gantry run` that must fail on the config (exit 2, no run started).
fn config_error(repo: &Repo) -> String {
    repo.run(&["run"]).config_error()
}

const MAIN: &str = "version: 1
include: [ci/b.yml]
stages:
  - name: a
    run: echo a >> order.txt
";

const B: &str = "include: [../shared/c.yml]
stages:
  - name: b
    run: echo b >> order.txt
";

const C: &str = "stages:
  - name: c1
    run: echo c1 >> order.txt
  - name: c2
    run: echo c2 >> order.txt
";

#[test]
fn an_include_chain_runs_its_stages_in_order() {
    let repo = Repo::new(MAIN);
    repo.write("ci/b.yml", B);
    repo.write("shared/c.yml", C);
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(repo.read("order.txt"), "a\nb\nc1\nc2\n");
    let run = repo.run_json(1);
    assert_eq!(action_status(&run, "c2", "c2"), "passed");
}

#[test]
fn an_error_in_an_included_file_is_located_in_that_file() {
    let repo = Repo::new(MAIN);
    repo.write("ci/b.yml", B);
    repo.write(
        "shared/c.yml",
        "stages:\n  - name: c1\n    run: echo c1\n    timout: 5s\n",
    );
    let err = config_error(&repo);
    assert!(err.contains("shared/c.yml:4:5"), "{err}");
    assert!(err.contains("unknown key `timout`"), "{err}");
    assert!(
        err.contains("4 |     timout: 5s"),
        "quotes the included file: {err}"
    );

    repo.write("shared/c.yml", "stages:\n  - name: c1\n    run: [\n");
    let err = config_error(&repo);
    assert!(err.contains("shared/c.yml:3:"), "a YAML error too: {err}");
}

#[test]
fn a_duplicate_stage_across_files_names_both() {
    let repo = Repo::new(MAIN);
    repo.write(
        "ci/b.yml",
        "stages:\n  - name: b\n    run: echo\n  - name: a\n    run: echo\n",
    );
    let err = config_error(&repo);
    assert!(err.contains("ci/b.yml:4:11"), "{err}");
    assert!(
        err.contains("duplicate stage name `a`: gantry.yml:4:11 has one too"),
        "{err}"
    );
}

#[test]
fn cycles_missing_files_and_paths_outside_the_repository_are_located_errors() {
    let repo = Repo::new(MAIN);
    repo.git(&["init", "-q"]);
    repo.write(
        "ci/b.yml",
        "include: [../gantry.yml, missing.yml, ../../outside.yml]\nstages: []\n",
    );
    let err = config_error(&repo);
    assert!(err.contains("ci/b.yml:1:11"), "{err}");
    assert!(
        err.contains("include cycle: gantry.yml → ci/b.yml → gantry.yml"),
        "{err}"
    );
    assert!(err.contains("ci/b.yml:1:26"), "{err}");
    assert!(
        err.contains("cannot read the included file `missing.yml`"),
        "{err}"
    );
    assert!(err.contains("ci/b.yml:1:39"), "{err}");
    assert!(
        err.contains("`../../outside.yml` is outside the repository"),
        "{err}"
    );
}

#[test]
fn defaults_apply_unless_a_stage_or_action_sets_its_own() {
    let repo = Repo::new(
        "version: 1
defaults:
  retries: 1
  timeout: 20s
  env: { LEVEL: default, KEEP: kept }
stages:
  - name: flaky
    run: test -e once || { touch once; exit 1; }
  - name: strict
    retries: 0
    run: test -e twice || { touch twice; exit 1; }
    continue_on_error: true
  - name: env
    actions:
      - name: own
        env: { LEVEL: own }
        run: echo \"$LEVEL $KEEP\" > own.txt
      - name: inherited
        run: echo \"$LEVEL $KEEP\" > inherited.txt
",
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let run = repo.run_json(1);
    assert_eq!(
        action_status(&run, "flaky", "flaky"),
        "passed",
        "retried once"
    );
    assert_ne!(
        action_status(&run, "strict", "strict"),
        "passed",
        "its own retries: 0 wins"
    );
    assert_eq!(repo.read("own.txt"), "own kept\n");
    assert_eq!(repo.read("inherited.txt"), "default kept\n");
}

#[test]
fn x_keys_hold_anchors_that_merge_keys_reuse() {
    let repo = Repo::new(
        "version: 1
x-rust: &rust
  env: { TOOL: cargo }
  retries: 0
stages:
  - name: build
    x-note: ignored too
    <<: *rust
    run: echo \"$TOOL\" > tool.txt
  - name: test
    <<: *rust
    env: { TOOL: own }
    run: echo \"$TOOL\" > test.txt
",
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(repo.read("tool.txt"), "cargo\n");
    assert_eq!(
        repo.read("test.txt"),
        "own\n",
        "a key of its own wins over the merge"
    );
}

#[test]
fn editing_an_included_file_reruns_only_the_stage_it_changes() {
    let repo = Repo::new(MAIN);
    repo.write(
        "ci/b.yml",
        "stages:\n  - name: b\n    run: echo b >> order.txt\n",
    );
    repo.write("order.txt", "");
    repo.write(".gitignore", "order.txt\n");
    assert_eq!(repo.run(&["run"]).code, 0);
    repo.write(
        "ci/b.yml",
        "stages:\n  - name: b\n    run: echo b2 >> order.txt\n",
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let run = repo.run_json(2);
    assert_eq!(action_status(&run, "a", "a"), "cached", "{}", out.all());
    assert_eq!(action_status(&run, "b", "b"), "passed");
}

#[test]
fn a_structure_error_elsewhere_still_counts_the_included_stages() {
    let repo = Repo::new(
        "version: 1
include: [ci/b.yml]
deploy_groups:
  web:
    instances: 1
    bogus: 2
stages: []
",
    );
    repo.write("ci/b.yml", "stages:\n  - name: b\n    run: echo b\n");
    let err = config_error(&repo);
    assert!(err.contains("unknown key `bogus`"), "{err}");
    assert!(
        !err.contains("no stages"),
        "the included stage counts: {err}"
    );
}

/// Mistakes elsewhere that make gantry read the file each way: serde skips
/// an unknown top-level key; refuses one in `container:` (the file is read
/// again without it); stops at a wrong type (only the tolerant pass runs);
/// refuses a count (left out, the file is read again).
const ELSEWHERE: &[&str] = &[
    "colour: 1\n",
    "container: { image: debian, colour: 1 }\n",
    "keep_runs: [1]\n",
    "keep_runs: -1\n",
];

/// `gantry validate` on `config` (and `ci/c.yml`, when given).
fn validate(config: &str, included: Option<&str>) -> common::Outcome {
    let gantry = common::Gantry::new().config(config);
    let gantry = match included {
        Some(text) => gantry.file("ci/c.yml", text),
        None => gantry,
    };
    gantry.arg("validate").run()
}

#[test]
fn x_keys_are_ignored_where_the_docs_say_also_next_to_other_errors() {
    let stage = "stages:\n  - name: s\n    run: echo\n";
    let places = [
        (format!("version: 1\nx-a: &a [1]\n{stage}"), None),
        (format!("version: 1\nenv: {{ x-a: [1], A: 1 }}\n{stage}"), None),
        (format!("version: 1\ndefaults:\n  x-a: {{ b: 1 }}\n  retries: 1\n{stage}"), None),
        (format!("version: 1\ndefaults:\n  env: {{ x-a: [1] }}\n{stage}"), None),
        (format!("version: 1\n{stage}    x-a: {{ b: 1 }}\n"), None),
        (format!("version: 1\n{stage}    env: {{ x-a: {{ b: 1 }} }}\n"), None),
        (
            "version: 1\nstages:\n  - name: s\n    actions:\n      - name: a\n        x-a: [1]\n        run: echo\n".to_string(),
            None,
        ),
        (
            "version: 1\nstages:\n  - name: s\n    actions:\n      - name: a\n        env: { x-a: [1] }\n        run: echo\n".to_string(),
            None,
        ),
        (
            "version: 1\nstages:\n  - name: s\n    uses: foo\n    with: { x-a: [1], b: 1 }\n".to_string(),
            None,
        ),
        (
            "version: 1\ninclude: [ci/c.yml]\nstages: []\n".to_string(),
            Some("x-a: &a [1]\nstages:\n  - name: c\n    x-b: 1\n    run: echo\n"),
        ),
    ];
    for (config, included) in places {
        validate(&config, included).success();
        for other in ELSEWHERE {
            let with_other = format!("{config}{other}");
            let out = validate(&with_other, included);
            let err = out.code(2).all();
            assert!(err.contains("1 error, 0 warnings"), "{with_other}\n{err}");
            assert!(
                !err.contains("`x-a`") && !err.contains("`x-b`"),
                "{with_other}\n{err}"
            );
        }
    }
}

#[test]
fn x_keys_are_unknown_keys_in_the_strict_mappings_also_next_to_other_errors() {
    let places = [
        "version: 1\nstages:\n  - name: s\n    run: echo\n    container: { image: debian, x-a: 1 }\n",
        "version: 1\ndeploy_groups:\n  dev: { instances: 1, x-a: 1 }\nstages:\n  - name: s\n    run: echo\n",
        "version: 1\ndeploy_groups:\n  dev: { instances: 1 }\nstages:\n  - name: s\n    deploy: { group: dev, revision: r, x-a: 1 }\n",
        "version: 1\nservices:\n  db: { run: sleep 9, x-a: 1 }\nstages:\n  - name: s\n    run: echo\n",
    ];
    for config in places {
        let alone = validate(config, None).code(2).all();
        assert!(alone.contains("unknown key `x-a`"), "{config}\n{alone}");
        assert!(alone.contains("1 error, 0 warnings"), "{config}\n{alone}");
        let at = alone
            .lines()
            .find(|l| l.trim_start().starts_with("-->"))
            .unwrap();
        for other in ELSEWHERE {
            let with_other = format!("{config}{other}");
            let err = validate(&with_other, None).code(2).all();
            assert!(err.contains("unknown key `x-a`"), "{with_other}\n{err}");
            assert!(err.contains(at), "{with_other}\n{err}");
            assert!(err.contains("2 errors, 0 warnings"), "{with_other}\n{err}");
        }
    }
}

#[test]
fn findings_about_an_included_stage_name_the_included_file() {
    let repo = Repo::new(
        "version: 1
include: [ci/c.yml]
deploy_groups: { dev: { instances: 1 } }
services: { db: { run: sleep 9 } }
stages:
  - name: a
    run: echo
",
    );
    repo.write(
        "ci/c.yml",
        "stages:
  - name: b
    deploy: { group: dve, revision: r }
  - name: c
    run: echo ${actions.zz.yy.outputs.v}
  - name: services
    run: echo
",
    );
    let err = config_error(&repo);
    assert_eq!(
        crate::config::errors_with_messages(&err),
        [
            "C040 ci/c.yml:3:22 no deployment group named `dve`",
            "C064 ci/c.yml:5:15 `${actions.zz.yy.outputs.v}` names no action",
            "C095 ci/c.yml:6:11 stage name `services` is reserved when the pipeline has `services:`",
        ],
        "{err}"
    );
}

/// Fails unless loading `repo`'s config gives exactly the error `expected`
/// (`CODE file:line:col message`).
#[track_caller]
fn only_error(repo: &Repo, expected: &str) {
    let err = config_error(repo);
    assert_eq!(
        crate::config::errors_with_messages(&err),
        [expected],
        "{err}"
    );
}

#[test]
fn run_time_errors_of_an_included_stage_name_the_included_file() {
    let repo = Repo::new(
        "version: 1
include: [ci/c.yml]
stages:
  - name: a
    run: echo
",
    );
    // Line 4 of the included file is in gantry.yml too: only the file tells.
    repo.write(
        "ci/c.yml",
        "stages:
  - name: b
    env: { X: x }
    run: echo ${env.GANTRY_TEST_UNSET}
",
    );
    only_error(
        &repo,
        "C012 ci/c.yml:4:10 `${env.GANTRY_TEST_UNSET}` has no value",
    );

    repo.write(
        "ci/c.yml",
        "stages:
  - name: b
    services: { db: { run: sleep 9, env: { P: '${env.GANTRY_TEST_UNSET}' } } }
    run: echo
",
    );
    only_error(
        &repo,
        "C012 ci/c.yml:3:47 `${env.GANTRY_TEST_UNSET}` has no value",
    );

    // What the stage has from gantry.yml's `defaults:` is written there.
    repo.write(
        "gantry.yml",
        "version: 1
include: [ci/c.yml]
defaults: { env: { D: '${env.GANTRY_TEST_UNSET}' } }
stages: []
",
    );
    repo.write("ci/c.yml", "stages:\n  - name: b\n    run: echo\n");
    only_error(
        &repo,
        "C012 gantry.yml:3:23 `${env.GANTRY_TEST_UNSET}` has no value",
    );
    repo.write(
        "gantry.yml",
        "version: 1
include: [ci/c.yml]
defaults: { working_directory: '${env.GANTRY_TEST_UNSET}' }
stages: []
",
    );
    only_error(
        &repo,
        "C012 gantry.yml:3:32 `${env.GANTRY_TEST_UNSET}` has no value",
    );
    // So is the container every action runs in, and the stage's own is
    // written in the included file.
    repo.write(
        "gantry.yml",
        "version: 1
include: [ci/c.yml]
container: { image: '${env.GANTRY_TEST_UNSET}' }
stages: []
",
    );
    only_error(
        &repo,
        "C012 gantry.yml:3:21 `${env.GANTRY_TEST_UNSET}` has no value",
    );
    repo.write(
        "ci/c.yml",
        "stages:\n  - name: b\n    container: { image: '${env.GANTRY_TEST_UNSET}' }\n    run: echo\n",
    );
    only_error(
        &repo,
        "C012 ci/c.yml:3:25 `${env.GANTRY_TEST_UNSET}` has no value",
    );
}

#[test]
fn an_if_that_cannot_be_decided_in_an_included_stage_names_the_included_file() {
    let repo = Repo::committed(
        "version: 1
include: [ci/c.yml]
stages:
  - name: a
    run: echo
",
    );
    repo.write(
        "ci/c.yml",
        "stages:
  - name: b
    if: changed('src/**')
    run: echo
",
    );
    // git cannot read a broken index, so which files changed is unknown.
    repo.write(".git/index", "not an index");
    let out = repo.run(&["run"]);
    let err = out.all();
    let c016: Vec<String> = crate::config::errors_with_messages(&err)
        .into_iter()
        .filter(|e| e.starts_with("C016"))
        .collect();
    assert_eq!(c016.len(), 1, "{err}");
    assert!(c016[0].starts_with("C016 ci/c.yml:3:9 "), "{err}");
}

#[test]
fn findings_list_the_configs_own_first_then_each_included_files_in_line_order() {
    let repo = Repo::new(
        "version: 1
include: [ci/c.yml, ci/b.yml]
stages:
  - name: a
    run: echo
  - name: a2
    run: echo
    timout: 5s
",
    );
    repo.write(
        "ci/c.yml",
        "stages:\n  - name: c\n    run: echo\n    retires: 1\n",
    );
    repo.write("ci/b.yml", "stages:\n  - name: b\n    rn: echo\n");
    let err = config_error(&repo);
    let at: Vec<String> = crate::config::errors_with_messages(&err)
        .iter()
        .map(|e| e.split(' ').take(2).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        at,
        [
            "C001 gantry.yml:8:5",
            "C007 ci/b.yml:2:11",
            "C001 ci/b.yml:3:5",
            "C001 ci/c.yml:4:5"
        ],
        "{err}"
    );
}
