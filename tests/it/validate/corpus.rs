//! The AWS AppSpec corpus, read in place: every sample has the status its
//! README gives it. Skipped (with a message) when the corpus is absent, except where
//! `GANTRY_TEST_REQUIRE` names `corpus` (CI).

use std::path::PathBuf;

use super::{shared_dir, validate};

fn corpus() -> Option<PathBuf> {
    let dir = shared_dir().join("corpus/appspec-samples");
    let found = dir.is_dir();
    let install = format!(
        "shared/ beside the checkout, or GANTRY_SHARED_DIR ({})",
        dir.display()
    );
    crate::common::tool_available("corpus", found, &install).then_some(dir)
}

/// Revisions that are complete in the corpus and valid as a whole.
const VALID_REVISIONS: &[&str] = &[
    "agent__features__resources__sample_app_bundle_linux",
    "agent__features__resources__sample_app_bundle_windows",
    "samples__applications__SampleApp_Linux",
    "samples__applications__SampleApp_Windows",
    "samples__conf-mgmt__ansible__local-only",
    "samples__conf-mgmt__salt__local-only",
    "samples__load-balancing__elb",
    "samples__load-balancing__elb-v2",
];

/// AppSpec files valid on their own (revision not published or incomplete).
const VALID_FILES: &[&str] = &[
    "agent__features__resources__sample_app_bundle_linux/appspec_override.yaml",
    "agent__features__resources__sample_app_bundle_linux/appspec_override_file_exists_behavior_disallow.yaml",
    "agent__features__resources__sample_app_bundle_linux/appspec_override_file_exists_behavior_overwrite.yaml",
    "agent__features__resources__sample_app_bundle_linux/appspec_override_file_exists_behavior_retain.yaml",
    "samples__conf-mgmt__chef__solo/appspec.yml",
    "samples__conf-mgmt__puppet__masterless/appspec.yml",
    "userguide__reference-appspec-file-example__ec2/appspec.yml",
    "userguide__reference-appspec-file__spacing-example/appspec.yml",
    "userguide__reference-appspec-file-example__ecs/appspec.yml",
    "userguide__reference-appspec-file-example__ecs/appspec.json",
    "userguide__reference-appspec-file-example__lambda/appspec.yml",
    "userguide__reference-appspec-file-example__lambda/appspec.json",
    "userguide__reference-appspec-file-structure-permissions__example/appspec.yml",
    "appspec-assistant__templates/lambda-default-appspec-template-advanced.json",
    "appspec-assistant__templates/lambda-default-appspec-template-basic.json",
    "appspec-assistant__templates/lambda-default-appspec-template-uncommented.yml",
    "appspec-assistant__templates/lambda-default-appspec-template.yml",
];

#[test]
fn corpus_revisions_are_valid() {
    let Some(dir) = corpus() else { return };
    let mut args = vec!["--format", "json"];
    args.extend(VALID_REVISIONS);
    let run = validate(&dir, &args);
    assert_eq!((run.code, run.codes()), (0, vec![]), "{}", run.stdout);
}

#[test]
fn corpus_files_have_no_errors() {
    let Some(dir) = corpus() else { return };
    let mut args = vec!["--file-only", "--format", "json"];
    args.extend(VALID_FILES);
    let run = validate(&dir, &args);
    assert_eq!(run.code, 0, "{}", run.stdout);
    // The permissions example's `except: [tmp/my-app/…]` never matches (rule 31).
    let warnings = run.found();
    assert_eq!(warnings, [("W001", 66)]);
}

#[test]
fn corpus_build_output_revisions_miss_exactly_the_war() {
    let Some(dir) = corpus() else { return };
    for name in [
        "samples__conf-mgmt__chef__solo",
        "samples__conf-mgmt__puppet__masterless",
    ] {
        let run = validate(&dir, &["--format", "json", name]);
        let found = run.found();
        assert_eq!((run.code, found), (1, vec![("E023", 6)]), "{name}");
        assert!(run.findings[0].message.contains("target/hello.war"));
    }
}

#[test]
fn corpus_custom_event_needs_codedeploy_local() {
    let Some(dir) = corpus() else { return };
    for (name, line) in [
        (
            "agent__features__resources__sample_custom_event_app_bundle_linux",
            22,
        ),
        (
            "agent__features__resources__sample_custom_event_app_bundle_windows",
            14,
        ),
    ] {
        let run = validate(&dir, &["--format", "json", name]);
        let found = run.found();
        assert_eq!((run.code, found), (1, vec![("E041", line)]), "{name}");
    }
}

#[test]
fn corpus_templates_report_their_placeholders() {
    let Some(dir) = corpus() else { return };
    let expect: &[(&str, &[&str])] = &[
        (
            "ecs-default-appspec-template-advanced.json",
            &["E052", "E055"],
        ),
        ("ecs-default-appspec-template-basic.json", &["E052"]),
        (
            "ecs-default-appspec-template-uncommented.yml",
            &["E052", "E055"],
        ),
        ("ecs-default-appspec-template.yml", &["E052"]),
        (
            "server-(ec2-and-onPrem)-default-appspec-template-basic.json",
            &["E024"],
        ),
        (
            "server-(ec2-and-onPrem)-default-appspec-template.yml",
            &["E024"],
        ),
        (
            "server-(ec2-and-onPrem)-default-appspec-template-advanced.json",
            &[
                "E024", "W005", "E037", "E034", "E035", "E036", "E036", "E033",
            ],
        ),
        (
            "server-(ec2-and-onPrem)-default-appspec-template-uncommented.yml",
            &[
                "E024", "W005", "E037", "E034", "E035", "E036", "E036", "E033", "E046",
            ],
        ),
    ];
    for (file, codes) in expect {
        let path = format!("appspec-assistant__templates/{file}");
        let run = validate(&dir, &["--file-only", "--format", "json", &path]);
        assert_eq!((run.code, run.codes()), (1, codes.to_vec()), "{file}");
    }
}
