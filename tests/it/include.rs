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
