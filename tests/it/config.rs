//! gantry.yml errors, stage selection, dry runs, `list`, the environment an
//! action sees, and config discovery.

use crate::common;

use common::{action_status, Gantry, Repo};

/// Runs `gantry run` on `config` and returns stderr, asserting a config
/// error (exit code 2, no run started).
fn config_error(config: &str) -> String {
    Gantry::new().config(config).arg("run").run().config_error()
}

#[test]
fn unknown_key_names_line_column_and_valid_keys() {
    let err = config_error("version: 1\nstages:\n  - name: a\n    rn: echo\n");
    assert!(err.contains("gantry.yml:4:5"), "{err}");
    assert!(err.contains("unknown key `rn`"), "{err}");
    assert!(err.contains("did you mean `run`?"), "{err}");
    assert!(
        err.contains("(valid keys here: actions, always, approval,"),
        "lists what is valid: {err}"
    );
}

#[test]
fn every_structure_error_is_reported_at_once_in_file_order() {
    let err = config_error(
        "version: 1
stages:
  - name: build
    run: echo
    timout: 5s
  - name: test
    actions:
      - name: unit
        run_ordr: 2
        run: echo
      - run: echo
        retries: many
",
    );
    let at = |needle: &str| {
        err.find(needle)
            .unwrap_or_else(|| panic!("no {needle:?} in {err}"))
    };
    assert!(at("gantry.yml:5:5") < at("gantry.yml:9:9"), "{err}");
    assert!(at("gantry.yml:9:9") < at("gantry.yml:11:9"), "{err}");
    assert!(at("gantry.yml:11:9") < at("gantry.yml:12:18"), "{err}");
    assert!(err.contains("missing key `name`"), "{err}");
    assert!(err.contains("error: 4 errors in gantry.yml"), "{err}");
}

#[test]
fn unknown_keys_and_name_and_variable_errors_come_together() {
    let err = config_error(
        "version: 1
stages:
  - name: build
    run: echo ${git.sha1}
    timout: 5s
  - name: build
    run: echo
",
    );
    let at = |needle: &str| {
        err.find(needle)
            .unwrap_or_else(|| panic!("no {needle:?} in {err}"))
    };
    assert!(at("gantry.yml:4:15") < at("gantry.yml:5:5"), "{err}");
    assert!(at("gantry.yml:5:5") < at("gantry.yml:6:11"), "{err}");
    assert!(err.contains("unknown variable `${git.sha1}`"), "{err}");
    assert!(err.contains("unknown key `timout`"), "{err}");
    assert!(err.contains("duplicate stage name `build`"), "{err}");
    assert!(err.contains("error: 3 errors in gantry.yml"), "{err}");
}

#[test]
fn at_most_twenty_errors_are_shown_and_the_rest_counted() {
    let mut config = String::from("version: 1\nstages:\n  - name: a\n    run: echo\n");
    for i in 0..25 {
        config.push_str(&format!("    typo{i}: 1\n"));
    }
    let err = config_error(&config);
    assert_eq!(err.matches("error[C001]").count(), 20, "{err}");
    assert!(err.contains("typo19") && !err.contains("typo20"), "{err}");
    assert!(
        err.contains(
            "error: 25 errors in gantry.yml (5 more not shown; `gantry validate` lists them all)"
        ),
        "{err}"
    );
}

#[test]
fn misspelt_deployment_group_suggests_the_group() {
    let err = config_error(
        "version: 1\ndeploy_groups: { staging: {}, prod: {} }\nstages:\n  - name: s\n    deploy: { group: stagign }\n",
    );
    assert!(err.contains("no deployment group named `stagign`"), "{err}");
    assert!(err.contains("did you mean `staging`?"), "{err}");
}

#[test]
fn unknown_keys_suggest_the_closest_valid_key() {
    let err = config_error(
        "version: 1\nstages:\n  - name: a\n    run: echo\n    timout: 5s\n  - name: b\n    actions:\n      - { name: c, run: x, run_ordr: 2 }\n",
    );
    assert!(err.contains("unknown key `timout`"), "{err}");
    assert!(err.contains("did you mean `timeout`?"), "{err}");
    assert!(err.contains("did you mean `run_order`?"), "{err}");
}

#[test]
fn misindented_key_says_which_columns_differ() {
    let err = config_error(
        "version: 1\nstages:\n  - name: test\n    actions:\n      - name: unit\n        run: echo\n       bad: 1\n",
    );
    assert!(err.contains("gantry.yml:7:8"), "{err}");
    assert!(
        err.contains(
            "the indentation of line 7 (column 8) does not match its siblings (line 6, column 9)"
        ),
        "{err}"
    );
}

#[test]
fn colon_inside_a_plain_value_suggests_quoting() {
    let err = config_error("version: 1\nstages:\n  - name: a\n    run: echo: two\n");
    assert!(err.contains("gantry.yml:4:14"), "{err}");
    assert!(err.contains("must be quoted"), "{err}");
}

#[test]
fn list_item_among_mapping_keys_is_named_as_such() {
    let err = config_error("version: 1\nstages:\n  - name: test\n    run: echo\n    - name: x\n");
    assert!(
        err.contains(
            "a `-` list item on line 5 is mixed with mapping keys: line 4 has the key `run`"
        ),
        "{err}"
    );
}

#[test]
fn source_lines_are_bounded_and_control_characters_escaped() {
    // A raw escape sequence is a YAML error, so its line is echoed.
    let long = "x".repeat(100_000);
    let err = config_error(&format!(
        "version: 1\nstages:\n  - name: a\n    run: \"{long} \x1b]0;pwned\x07 {long}\"\n"
    ));
    assert!(err.len() < 4_000, "{} bytes of error", err.len());
    assert!(!err.contains('\x1b') && !err.contains('\x07'), "{err:?}");
    assert!(err.contains("\\u{1b}]0;pwned\\u{7}"), "{err}");
    let line = err.lines().find(|l| l.starts_with("4 |")).unwrap();
    assert!(line.contains('…'), "{line}");
    let caret = err.lines().find(|l| l.trim_end().ends_with('^')).unwrap();
    assert_eq!(
        line.find("\\u{1b}").map(|i| line[..i].chars().count()),
        Some(caret.chars().count() - 1),
        "caret under the escape character:\n{line}\n{caret}"
    );
}

#[test]
fn output_reference_errors_point_at_the_reference() {
    let line = "    run: echo before ${actions.nope.x.outputs.o} after";
    let err = config_error(&format!("version: 1\nstages:\n  - name: a\n{line}\n"));
    let column = line.find("${").unwrap() + 1;
    assert!(err.contains(&format!("gantry.yml:4:{column}")), "{err}");
    assert!(err.contains("C064"), "{err}");
}

#[test]
fn caret_counts_display_width_of_wide_characters() {
    let err = config_error("version: 1\nstages:\n  - name: a\n    run: echo 日本語 ${git.nope}\n");
    let line = err.lines().find(|l| l.starts_with("4 |")).unwrap();
    let caret = err.lines().find(|l| l.trim_end().ends_with('^')).unwrap();
    let before = &line[..line.find("${git.nope}").unwrap()];
    let width = before.chars().count() + before.chars().filter(|c| !c.is_ascii()).count();
    assert_eq!(caret.chars().count() - 1, width, "\n{line}\n{caret}");
}

#[test]
fn wrong_type_is_located() {
    let err = config_error("version: 1\nstages:\n  - name: a\n    run: echo\n    retries: lots\n");
    assert!(err.contains("gantry.yml:5:14"), "{err}");
}

#[test]
fn bad_duration_is_located_and_explained() {
    let err = config_error("version: 1\nstages:\n  - name: a\n    run: echo\n    timeout: 10x\n");
    assert!(err.contains("gantry.yml:5:14"), "{err}");
    assert!(
        err.contains("invalid duration `10x`") && err.contains("10m"),
        "{err}"
    );
}

#[test]
fn duplicate_stage_and_action_names_are_errors() {
    let err = config_error(
        "version: 1
stages:
  - name: a
    actions:
      - { name: x, run: echo }
      - { name: x, run: echo }
  - name: a
    run: echo
",
    );
    assert!(
        err.contains("gantry.yml:6:17") && err.contains("duplicate action name `x`"),
        "{err}"
    );
    assert!(
        err.contains("gantry.yml:7:11") && err.contains("duplicate stage name `a`"),
        "{err}"
    );
}

#[test]
fn duplicate_yaml_keys_are_errors_not_silently_dropped() {
    let err =
        config_error("version: 1\nstages:\n  - name: a\n    run: echo one\n    run: echo two\n");
    assert!(
        err.contains("gantry.yml:5:5") && err.contains("duplicate"),
        "{err}"
    );
}

#[test]
fn empty_pipeline_and_empty_file_are_errors() {
    let err = config_error("version: 1\nstages: []\n");
    assert!(
        err.contains("gantry.yml:2:9") && err.contains("no stages"),
        "{err}"
    );
    let err = config_error("# nothing here\n");
    assert!(err.contains("the config is empty"), "{err}");
}

#[test]
fn unsupported_version_and_unknown_variable_are_errors() {
    let err = config_error("version: 2\nstages:\n  - name: a\n    run: echo\n");
    assert!(
        err.contains("gantry.yml:1:10") && err.contains("version 2"),
        "{err}"
    );
    let err = config_error("version: 1\nstages:\n  - name: a\n    run: echo ${git.shaa}\n");
    // The caret points at the variable, not at the start of the value.
    assert!(
        err.contains("gantry.yml:4:15") && err.contains("git.shaa"),
        "{err}"
    );
    assert!(err.contains("did you mean `${git.sha}`?"), "{err}");
}

#[test]
fn action_without_command_and_tabs_are_errors() {
    let err = config_error("version: 1\nstages:\n  - name: a\n    actions:\n      - name: b\n");
    assert!(
        err.contains("gantry.yml:5:15") && err.contains("nothing to run"),
        "{err}"
    );
    let err = config_error("version: 1\nstages:\n\t- name: a\n");
    assert!(err.contains("gantry.yml:3:"), "{err}");
}

#[test]
fn garbage_input_never_panics() {
    let inputs: &[&[u8]] = &[
        b"\xff\xfe\x00garbage",
        b"[1, 2, 3]",
        b"version: 1\nstages: {a: b}\n",
        b"a: &a [*a]\n",
        b"version: 1\nstages:\n  - name: a\n    run: [unclosed\n",
        b"version: 99999999999999999999\n",
        b"---\n---\n",
        b"version: 1\nstages:\n  - ~\n",
        b"version: 1\nstages:\n  - name: ''\n    run: x\n",
        b"version: 1\nstages:\n  - name: a/../b\n    run: x\n",
    ];
    for input in inputs {
        let repo = Repo::new("");
        std::fs::write(repo.path().join("gantry.yml"), input).unwrap();
        let out = repo.run(&["run"]);
        assert_eq!(
            out.code,
            2,
            "input {:?}: {}",
            String::from_utf8_lossy(input),
            out.all()
        );
        assert!(out.stderr.contains("gantry.yml"), "{}", out.stderr);
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    }
}

const STAGES: &str = "version: 1
stages:
  - { name: lint, run: echo lint >> ran }
  - { name: build, run: echo build >> ran }
  - { name: test, run: echo test >> ran }
  - { name: deploy, run: echo deploy >> ran }
";

#[test]
fn named_stages_run_alone() {
    let repo = Repo::new(STAGES);
    assert_eq!(repo.run(&["run", "test", "lint"]).code, 0);
    assert_eq!(repo.read("ran"), "lint\ntest\n");
}

#[test]
fn from_to_and_skip_select_a_range() {
    let repo = Repo::new(STAGES);
    assert_eq!(
        repo.run(&["run", "--from", "build", "--to", "deploy", "--skip", "test"])
            .code,
        0
    );
    assert_eq!(repo.read("ran"), "build\ndeploy\n");
}

#[test]
fn misspelt_stage_in_from_and_skip_suggests_the_stage() {
    let repo = Repo::new(
        "version: 1\nstages:\n  - { name: build, run: echo }\n  - { name: test, run: echo }\n",
    );
    for args in [
        &["run", "--from", "tset"][..],
        &["run", "--skip", "biuld"],
        &["run", "tets"],
    ] {
        let out = repo.run(args);
        assert_eq!(out.code, 2, "{}", out.all());
        assert!(
            out.stderr.contains("did you mean `"),
            "{args:?}: {}",
            out.stderr
        );
    }
}

#[test]
fn unknown_stage_is_a_usage_error_listing_stages() {
    let repo = Repo::new(STAGES);
    let out = repo.run(&["run", "tset"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("no stage named `tset`")
            && out.stderr.contains("lint, build, test, deploy")
    );
}

#[test]
fn dry_run_expands_variables_and_runs_nothing() {
    let repo = Repo::new(
        "version: 1
name: shop
env: { TARGET: prod }
stages:
  - name: build
    run: echo ${pipeline.name}-${env.TARGET}-${run.id}-${stage.name} > out
",
    );
    let out = repo.run(&["run", "--dry-run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout.contains("echo shop-prod-1-build > out"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("env TARGET=prod"), "{}", out.stdout);
    assert!(!repo.path().join("out").exists());
    assert!(!repo.path().join(".gantry").exists());
}

#[test]
fn dry_run_masks_secrets() {
    let repo = Repo::new(
        "version: 1\nsecrets: [TOKEN]\nstages:\n  - name: a\n    run: curl -H ${env.TOKEN}\n",
    );
    let out = repo
        .command(&["run", "--dry-run"])
        .env("TOKEN", "s3cr3t")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("curl -H ***") && !stdout.contains("s3cr3t"),
        "{stdout}"
    );
}

#[test]
fn list_prints_the_tree() {
    let repo = Repo::new(
        "version: 1
name: shop
stages:
  - name: lint
    actions:
      - { name: fmt, run: cargo fmt --check, run_order: 1 }
      - { name: clippy, run: cargo clippy, run_order: 1 }
  - name: test
    run: cargo test
",
    );
    let out = repo.run(&["list"]);
    assert_eq!(out.code, 0);
    let expected = "shop\n├─ lint\n│  ├─ fmt [run_order 1]  cargo fmt --check\n│  └─ clippy [run_order 1]  cargo clippy\n└─ test\n   └─ test  cargo test\n";
    assert_eq!(out.stdout, expected);
}

#[test]
fn environment_layers_and_gantry_variables() {
    let repo = Repo::new(
        "version: 1
name: shop
env_file: .env
env: { LEVEL: pipeline, FROM_FILE_OVERRIDDEN: pipeline }
stages:
  - name: s
    env: { LEVEL: stage, STAGE_ONLY: yes-stage }
    actions:
      - name: a
        env: { LEVEL: action }
        run: env | grep -E '^(LEVEL|STAGE_ONLY|FROM_FILE|FROM_FILE_OVERRIDDEN|CLI|GANTRY_[A-Z_]+)=' | sort > env.txt
",
    );
    repo.write(
        ".env",
        "FROM_FILE=file\nFROM_FILE_OVERRIDDEN=file\nCLI=file\n",
    );
    let out = repo.run(&["run", "--env", "CLI=cli"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let env = repo.read("env.txt");
    for expected in [
        "LEVEL=action",
        "STAGE_ONLY=yes-stage",
        "FROM_FILE=file",
        "FROM_FILE_OVERRIDDEN=pipeline",
        "CLI=cli",
        "GANTRY_RUN_ID=1",
        "GANTRY_STAGE=s",
        "GANTRY_ACTION=a",
        "GANTRY_PIPELINE=shop",
    ] {
        assert!(
            env.lines().any(|l| l == expected),
            "missing {expected} in\n{env}"
        );
    }
}

#[test]
fn bad_env_file_line_is_located() {
    let repo = Repo::new("version: 1\nenv_file: .env\nstages:\n  - name: a\n    run: echo\n");
    repo.write(".env", "A=1\nthis is not an assignment\n");
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains(".env:2:1"), "{}", out.stderr);
}

#[test]
fn config_is_found_upward_and_with_f_and_c() {
    let repo = Repo::new("version: 1\nstages:\n  - name: a\n    run: pwd > where\n");
    std::fs::create_dir_all(repo.path().join("sub/dir")).unwrap();
    let mut command = repo.command(&["run"]);
    command.current_dir(repo.path().join("sub/dir"));
    assert_eq!(common::run_command(command).code, 0);
    let root = repo.path().canonicalize().unwrap();
    assert_eq!(
        repo.read("where").trim(),
        root.to_str().unwrap(),
        "actions run in the root"
    );

    repo.write(
        "other/pipeline.yml",
        "version: 1\nstages:\n  - name: b\n    run: touch other-ran\n",
    );
    assert_eq!(repo.run(&["-f", "other/pipeline.yml", "run"]).code, 0);
    assert!(repo.path().join("other/other-ran").exists());

    let elsewhere = tempfile::tempdir().unwrap();
    let mut command = common::run_command({
        let mut c = std::process::Command::new(common::gantry_bin());
        c.current_dir(elsewhere.path())
            .args(["-C", repo.path().to_str().unwrap(), "list"]);
        c
    });
    command.stdout.truncate(200);
    assert_eq!(command.code, 0, "{}", command.all());

    let nowhere = tempfile::tempdir().unwrap();
    let mut c = std::process::Command::new(common::gantry_bin());
    c.current_dir(nowhere.path()).arg("run");
    let out = common::run_command(c);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no gantry.yml"), "{}", out.stderr);
}

#[test]
fn working_directory_is_relative_to_the_root_and_checked() {
    let repo = Repo::new(
        "version: 1
stages:
  - name: a
    working_directory: app
    run: pwd > ../where
  - name: b
    working_directory: missing
    run: 'true'
",
    );
    std::fs::create_dir(repo.path().join("app")).unwrap();
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 1);
    assert!(repo.read("where").trim().ends_with("/app"));
    let run = repo.run_json(1);
    assert_eq!(action_status(&run, "b", "b"), "failed");
    assert!(
        out.stdout.contains("working directory") && out.stdout.contains("does not exist"),
        "{}",
        out.stdout
    );
}

#[test]
fn script_lists_stop_at_the_first_failing_line() {
    let repo = Repo::new(
        "version: 1
stages:
  - name: a
    script:
      - echo one >> lines
      - 'false'
      - echo three >> lines
",
    );
    assert_eq!(repo.run(&["run"]).code, 1);
    assert_eq!(repo.read("lines"), "one\n");
}

/// The message, location and help of the one `error[CODE]` in `err`.
#[track_caller]
fn finding(err: &str, code: &str) -> [String; 3] {
    let lines: Vec<&str> = err.lines().collect();
    let header = format!("error[{code}]");
    let starts: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with(&header))
        .collect();
    assert_eq!(starts.len(), 1, "one {header} in\n{err}");
    let rest = &lines[starts[0]..];
    let line = |prefix: &str| {
        rest.iter()
            .find(|l| l.trim_start().starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix:?} after {header} in\n{err}"))
            .to_string()
    };
    [rest[0].to_string(), line("-->"), line("= help:")]
}

#[test]
fn a_wrong_word_reads_the_same_when_other_errors_come_with_it() {
    // `{X}` is where an unknown key goes, in a mapping serde reads strictly.
    let mistakes = [
        ("    bundle: hardlink\n", "", "C042"),
        ("    bundle: 5\n", "", "C042"),
        ("    config: OneAtTime\n", "", "C043"),
        ("    config: 5\n", "", "C043"),
        ("    config: { minimum_healthy: 1.50 }\n", "", "C043"),
        ("    config: { minimum_healthy: \"150%\" }\n", "", "C043"),
        (
            "",
            "    container: { image: debian, engine: dokker{X} }\n",
            "C091",
        ),
        (
            "",
            "    container: { image: debian, engine: 1{X} }\n",
            "C091",
        ),
    ];
    for (group, stage, code) in mistakes {
        let pipeline = |unknown: bool, wrong_type: bool| {
            let mut group = group.to_string();
            if unknown && !group.is_empty() {
                group.push_str("    colour: blue\n");
            }
            let stage = stage.replace("{X}", if unknown { ", colour: blue" } else { "" });
            let last = if wrong_type {
                "    retries: lots\n"
            } else {
                ""
            };
            format!("version: 1\ndeploy_groups:\n  dev:\n    instances: 2\n{group}stages:\n  - name: s\n    run: 'true'\n{stage}{last}")
        };
        let alone = finding(&config_error(&pipeline(false, false)), code);
        assert!(
            !alone[2].contains("valid values"),
            "the loader's help: {alone:?}"
        );
        // serde refuses an unknown key in a group or `container:`, and a wrong type.
        for config in [pipeline(true, false), pipeline(false, true)] {
            let err = config_error(&config);
            assert!(err.contains("error[C001]"), "the other error too: {err}");
            assert_eq!(finding(&err, code), alone, "{config}");
        }
    }
}

#[test]
fn a_wrong_bundle_in_a_flow_mapping_reads_the_same_next_to_an_unknown_key() {
    let config = |extra: &str| {
        format!("version: 1\ndeploy_groups: {{ dev: {{ instances: 1, bundle: hardlink{extra} }} }}\nstages: [ {{ name: s, run: 'true' }} ]\n")
    };
    let alone = finding(&config_error(&config("")), "C042");
    assert_eq!(alone[0], "error[C042]: bundle: hardlink");
    assert!(alone[1].ends_with("gantry.yml:2:47"), "{alone:?}");
    let err = config_error(&config(", ignore_application_stop_failures: \"yes\""));
    assert!(
        err.contains("unknown key `ignore_application_stop_failures`"),
        "{err}"
    );
    assert_eq!(finding(&err, "C042"), alone);
}

#[test]
fn values_the_loader_accepts_stay_valid_next_to_other_errors() {
    // serde reads a quoted whole number or boolean as one, and a quoted duration.
    let valid = "version: 1\ndeploy_groups:\n  dev:\n    config: CodeDeployDefault.AllAtOnce\nstages:\n  - name: s\n    run: 'true'\n    container: { image: debian, engine: ~ }\n    retries: '2'\n    run_order: \"1\"\n    timeout: '30'\n    cache: 'false'\n";
    Gantry::new().config(valid).arg("validate").run().success();
    let err = config_error(&format!("{valid}    shell: [bash]\n"));
    assert!(err.contains("`shell` must be a string"), "{err}");
    assert!(err.contains("error: 1 error in gantry.yml"), "{err}");
}

#[test]
fn a_wrong_engine_in_an_included_file_reads_the_same_next_to_other_errors() {
    let stages =
        "stages:\n  - name: c\n    run: 'true'\n    container: { image: debian, engine: dokker }\n";
    let main = "version: 1\ninclude: [ci/c.yml]\nstages: [ { name: s, run: 'true' } ]\n";
    let alone = finding(
        &Gantry::new()
            .config(main)
            .file("ci/c.yml", stages)
            .arg("run")
            .run()
            .config_error(),
        "C091",
    );
    assert!(alone[1].ends_with("ci/c.yml:4:41"), "{alone:?}");
    let both = format!("{stages}    retries: lots\n");
    let err = Gantry::new()
        .config(main)
        .file("ci/c.yml", &both)
        .arg("run")
        .run()
        .config_error();
    assert!(err.contains("`retries` must be a whole number"), "{err}");
    assert_eq!(finding(&err, "C091"), alone);
}

#[test]
fn the_loaders_checks_run_next_to_an_unknown_key_in_a_flow_mapping() {
    let err = config_error(
        "version: 1\ndeploy_groups: { dev: { colour: blue, instances: 0 } }\nstages: [ { name: s, run: 'true', tïmeout: 5s, if: 'nope' } ]\n",
    );
    assert!(err.contains("unknown key `colour`"), "{err}");
    assert!(err.contains("unknown key `tïmeout`"), "{err}");
    assert!(err.contains("gantry.yml:2:50"), "{err}");
    assert!(err.contains("error[C042]: a group of 0 instances"), "{err}");
    assert!(err.contains("gantry.yml:3:53"), "{err}");
    assert!(err.contains("error[C016]: invalid `if:`"), "{err}");
    assert!(err.contains("error: 4 errors in gantry.yml"), "{err}");
}

/// Every error in `err` as `CODE file:line:col`, in the order reported.
fn located_errors(err: &str) -> Vec<String> {
    let lines: Vec<&str> = err.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(code) = line
            .strip_prefix("error[")
            .and_then(|rest| rest.split(']').next())
        else {
            continue;
        };
        let at = lines[i + 1..]
            .iter()
            .find_map(|l| l.trim_start().strip_prefix("--> "))
            .unwrap_or_else(|| panic!("no location after {line:?} in\n{err}"));
        found.push(format!("{code} {at}"));
    }
    found
}

#[test]
fn two_mistakes_on_one_line_are_two_errors() {
    let run = "stages: [ { name: s, run: 'true' } ]\n";
    let cases = [
        // An unknown key, then a value serde alone refuses.
        (
            "version: 1\nstages: [ { name: s, run: 'true', tïmeout: 5s, timeout: many } ]\n".to_string(),
            vec!["C001 gantry.yml:2:35", "C001 gantry.yml:2:57"],
            "invalid duration `many`",
        ),
        (
            "version: 1\nstages: [ { name: s, actions: [ { name: a, run: 'true', colour: 1, retries: -1 } ] } ]\n".to_string(),
            vec!["C001 gantry.yml:2:57", "C001 gantry.yml:2:77"],
            "expected a whole number from 0 to 4294967295",
        ),
        (
            "{ version: 1, stages: [ { name: s, run: 'true' } ], colour: 1, keep_runs: -1 }\n".to_string(),
            vec!["C001 gantry.yml:1:53", "C001 gantry.yml:1:75"],
            "expected a whole number from 0 to 4294967295",
        ),
        // A value serde alone refuses, then a wrong type or an unknown key.
        (
            "version: 1\nstages: [ { name: s, run: 'true', timeout: many, retries: many } ]\n".to_string(),
            vec!["C001 gantry.yml:2:44", "C001 gantry.yml:2:59"],
            "invalid duration `many`",
        ),
        (
            format!("version: 1\ndefaults: {{ container: 3, colour: 1 }}\n{run}"),
            vec!["C001 gantry.yml:2:13", "C001 gantry.yml:2:27"],
            "invalid type: integer `3`",
        ),
        // A wrong word, then an unknown key.
        (
            format!("version: 1\ndeploy_groups: {{ dev: {{ config: true, colour: blue }} }}\n{run}"),
            vec!["C043 gantry.yml:2:33", "C001 gantry.yml:2:39"],
            "unknown key `colour`",
        ),
    ];
    for (config, expected, message) in cases {
        let err = config_error(&config);
        assert_eq!(located_errors(&err), expected, "{config}\n{err}");
        assert!(err.contains(message), "{err}");
        assert!(err.contains("error: 2 errors in gantry.yml"), "{err}");
    }
}

#[test]
fn two_mistakes_on_one_line_of_an_included_file_are_two_errors() {
    let err = Gantry::new()
        .config("version: 1\ninclude: [ci/c.yml]\nstages: [ { name: s, run: 'true' } ]\n")
        .file(
            "ci/c.yml",
            "stages: [ { name: c, run: 'true', container: 3, run_order: [1] } ]\n",
        )
        .arg("run")
        .run()
        .config_error();
    assert_eq!(
        located_errors(&err),
        ["C001 ci/c.yml:1:35", "C001 ci/c.yml:1:60"],
        "{err}"
    );
    assert!(err.contains("invalid type: integer `3`"), "{err}");
    assert!(err.contains("`run_order` must be a whole number"), "{err}");
}

#[test]
fn a_mistake_serde_and_the_tolerant_pass_both_find_is_one_error() {
    // serde places these at another column than the tolerant pass: at the
    // key of a wrongly typed value, at a key of a mapping missing `name`.
    let cases = [
        ("version: 1\nstages: [ { run: 'true' } ]\n", vec!["C001 gantry.yml:2:11"]),
        (
            "version: 1\nstages: [ { name: s, run: 'true', timeout: [1] } ]\n",
            vec!["C001 gantry.yml:2:44"],
        ),
        (
            "version: 1\nenv: { A: 1, B: [1] }\nstages: [ { name: s, run: 'true' } ]\n",
            vec!["C001 gantry.yml:2:17"],
        ),
        (
            "version: 1\ndeploy_groups: { dev: { config: [1] } }\nstages: [ { name: s, run: 'true' } ]\n",
            vec!["C001 gantry.yml:2:33"],
        ),
        (
            "version: 1\nstages: [ { name: s, run: 'true' }, { nam: c, run: 'true' } ]\n",
            vec!["C001 gantry.yml:2:37", "C001 gantry.yml:2:39"],
        ),
    ];
    for (config, expected) in cases {
        let err = config_error(config);
        assert_eq!(located_errors(&err), expected, "{config}\n{err}");
    }
}

#[test]
fn the_loaders_checks_run_next_to_an_unknown_key_in_a_mapping_over_two_lines() {
    let err = config_error(
        "version: 1\ndeploy_groups: { dev: { instances: 0,\n    colour: blue } }\nstages: [ { name: s, run: 'true' } ]\n",
    );
    assert_eq!(
        located_errors(&err),
        ["C042 gantry.yml:2:36", "C001 gantry.yml:3:5"],
        "{err}"
    );
    assert!(err.contains("unknown key `colour`"), "{err}");
}

#[test]
fn an_unknown_key_alone_on_its_line_in_a_flow_mapping_with_leading_commas_is_one_error() {
    // Blanking the key's whole line left `, ,` (or `{ ,`) behind, and the
    // YAML error of that text was reported as if it were in the file.
    let cases = [
        (
            "version: 1\ndeploy_groups:\n  dev: { instances: 1\n   ,\n   colour: blue\n   , bundle: lnk }\nstages: [ { name: s, run: 'true' } ]\n",
            ["C001 gantry.yml:5:4", "C042 gantry.yml:6:14"],
        ),
        (
            "version: 1\ndeploy_groups:\n  dev: {\n   colour: blue\n   , bundle: lnk }\nstages: [ { name: s, run: 'true' } ]\n",
            ["C001 gantry.yml:4:4", "C042 gantry.yml:5:14"],
        ),
    ];
    for (config, expected) in cases {
        let err = config_error(config);
        assert_eq!(located_errors(&err), expected, "{config}\n{err}");
        assert!(err.contains("unknown key `colour`"), "{err}");
        assert!(err.contains("bundle: lnk"), "{err}");
    }
}

#[test]
fn a_block_mapping_of_unknown_keys_only_is_their_errors_and_the_loaders() {
    // Blanked, the mapping became null and serde's `expected mapping start`
    // there was reported as if it were in the file.
    let run = "stages:\n  - name: s\n    run: 'true'\n";
    let cases = [
        (
            format!("version: 1\ndeploy_groups:\n  dev:\n    colour: 1\n{run}"),
            vec!["C001 gantry.yml:4:5"],
        ),
        (
            format!("version: 1\ndeploy_groups:\n  dev:\n    colour: 1\n    bundel: lnk\n{run}"),
            vec!["C001 gantry.yml:4:5", "C001 gantry.yml:5:5"],
        ),
        (
            format!("version: 1\nservices:\n  db:\n    colour: 1\n{run}"),
            vec!["C001 gantry.yml:4:5", "C096 gantry.yml:4:5"],
        ),
    ];
    for (config, expected) in cases {
        let err = config_error(&config);
        assert_eq!(located_errors(&err), expected, "{config}\n{err}");
        assert!(err.contains("unknown key `colour`"), "{err}");
        assert!(!err.contains("expected mapping start"), "{err}");
    }
}

/// Every error in `err` as `CODE file:line:col message`, in the order reported.
pub(crate) fn errors_with_messages(err: &str) -> Vec<String> {
    let headers = err
        .lines()
        .filter_map(|l| l.strip_prefix("error["))
        .filter_map(|rest| rest.split_once("]: ").map(|(_, m)| m.to_string()));
    located_errors(err)
        .into_iter()
        .zip(headers)
        .map(|(at, message)| format!("{at} {message}"))
        .collect()
}

/// The errors of `stages` written in gantry.yml, and in an included file
/// (with the file name made gantry.yml's), for comparison. Both have the
/// stages from line 2 on.
fn errors_here_and_included(stages: &str) -> (Vec<String>, Vec<String>) {
    let here = errors_with_messages(&config_error(&format!("version: 1\n{stages}")));
    let included = Gantry::new()
        .config("version: 1\ninclude: [ci/c.yml]\nstages: []\n")
        .file("ci/c.yml", &format!("# more stages\n{stages}"))
        .arg("run")
        .run()
        .config_error();
    let included = errors_with_messages(&included)
        .into_iter()
        .map(|e| e.replacen(" ci/c.yml:", " gantry.yml:", 1))
        .collect();
    (here, included)
}

#[test]
fn an_included_file_reports_the_same_mistakes_at_once_as_gantry_yml() {
    let cases = [
        // A key serde refuses (in `container:`), a loader check, a skipped key.
        "stages:\n  - name: a\n    run: echo\n    container: { image: debian, colour: 1 }\n    if: 'nope'\n  - { name: b, run: echo, colour: 1 }\n",
        // A wrong type next to a key serde refuses.
        "stages:\n  - name: a\n    run: echo\n    container: { image: debian, colour: 1 }\n    retries: many\n",
        // A wrong word, an unknown key in a strict mapping, a duplicate name.
        "stages:\n  - name: a\n    run: echo\n    container: { image: debian, engine: dokker, colour: 1 }\n  - name: a\n    run: echo\n",
    ];
    for stages in cases {
        let (here, included) = errors_here_and_included(stages);
        assert!(here.len() >= 2, "{stages}\n{here:#?}");
        assert_eq!(included, here, "{stages}");
    }
}

#[test]
fn the_loaders_checks_run_next_to_a_bad_duration_count_or_repeated_key() {
    // Each of these is left out (with its key) for the loader's checks.
    for (line, message) in [
        ("    timeout: 5 parsecs\n", "invalid duration `5 parsecs`"),
        (
            "    retries: -1\n",
            "expected a whole number from 0 to 4294967295",
        ),
        ("    run: echo again\n", "duplicate mapping key: run"),
        ("    env: { A: 1, A: 2 }\n", "duplicate mapping key: A"),
    ] {
        let config =
            format!("version: 1\nstages:\n  - name: s\n    run: echo\n{line}    if: nope\n");
        let err = config_error(&config);
        assert!(err.contains(message), "{config}\n{err}");
        assert!(
            err.contains("error[C016]: invalid `if:`"),
            "{config}\n{err}"
        );
        assert!(
            err.contains("error: 2 errors in gantry.yml"),
            "{config}\n{err}"
        );
    }
    // The key stays (its value read as 1): `ready:` still says what to wait for.
    let config = "version: 1\nservices:\n  db:\n    run: sleep 9\n    ready: { port: 70000 }\nstages:\n  - name: s\n    run: echo\n    if: nope\n";
    let err = config_error(config);
    assert_eq!(
        located_errors(&err),
        ["C001 gantry.yml:5:20", "C016 gantry.yml:9:9"],
        "{err}"
    );
    assert!(
        err.contains("expected a whole number from 0 to 65535"),
        "{err}"
    );
}

#[test]
fn a_number_for_a_word_is_quoted_as_written_alone_and_next_to_other_errors() {
    for (written, block) in [
        ("1.50", true),
        ("0x1F", true),
        ("1e3", false),
        ("True", false),
    ] {
        // `config:` itself, and its `minimum_healthy:`.
        for (value, says) in [
            (written.to_string(), "unknown deployment configuration"),
            (
                format!("{{ minimum_healthy: {written} }}"),
                "invalid minimum_healthy",
            ),
        ] {
            let group = if block {
                format!("deploy_groups:\n  dev:\n    instances: 2\n    config: {value}   # sic\n")
            } else {
                format!("deploy_groups: {{ dev: {{ instances: 2, config: {value} }} }}\n")
            };
            let config = format!("version: 1\n{group}stages: [ {{ name: s, run: 'true' }} ]\n");
            let alone = finding(&config_error(&config), "C043");
            assert_eq!(alone[0], format!("error[C043]: {says} `{written}`"));
            // A wrong type (only the tolerant pass reads the file), a value
            // serde refuses (the file is read again without it).
            for other in ["keep_runs: [1]\n", "keep_runs: -1\n"] {
                let err = config_error(&format!("{config}{other}"));
                assert_eq!(finding(&err, "C043"), alone, "{config}{other}");
            }
        }
    }
}
