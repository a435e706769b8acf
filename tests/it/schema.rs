//! The JSON Schema of gantry.yml: checked in and current, described field by
//! field, and in agreement with the loader on the bundled examples.

use crate::common;

use std::path::Path;

fn schema() -> serde_json::Value {
    let out = std::process::Command::new(common::gantry_bin())
        .arg("schema")
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).expect("gantry schema prints JSON")
}

/// A YAML file as the JSON value the schema is checked against.
fn yaml_as_json(text: &str) -> serde_json::Value {
    serde_saphyr::from_str(text).expect("valid YAML")
}

#[test]
fn checked_in_schema_is_current() {
    let out = common::Gantry::new().arg("schema").run();
    out.success();
    insta::assert_snapshot!("gantry.schema.json", out.stdout);
    common::snapshots::checked_in("docs/gantry.schema.json", &out.stdout);
}

#[test]
fn every_field_has_a_description() {
    let schema = schema();
    let mut missing = Vec::new();
    let mut objects = vec![("(root)".to_string(), &schema)];
    for (name, def) in schema["$defs"].as_object().unwrap() {
        objects.push((name.clone(), def));
    }
    for (name, object) in objects {
        for (field, spec) in object["properties"].as_object().into_iter().flatten() {
            if spec.get("description").is_none() {
                missing.push(format!("{name}.{field}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "fields without a description: {missing:?}"
    );
}

#[test]
fn the_bundled_examples_validate_against_the_schema() {
    let validator = jsonschema::validator_for(&schema()).expect("a valid JSON Schema");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let examples: Vec<_> = std::fs::read_dir(root.join("examples"))
        .unwrap()
        .flatten()
        .map(|e| e.path().join("gantry.yml"))
        .filter(|p| p.is_file())
        .collect();
    assert!(!examples.is_empty());
    for example in examples {
        let text = std::fs::read_to_string(&example).unwrap();
        let example = example.display();
        let errors: Vec<String> = validator
            .iter_errors(&yaml_as_json(&text))
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{example}: {errors:?}");
    }
}

#[test]
fn the_schema_rejects_what_the_loader_rejects() {
    let validator = jsonschema::validator_for(&schema()).unwrap();
    let bad = [
        "version: 1\nstages:\n  - name: a\n    rn: x\n",
        "version: 1\nstages:\n  - name: a\n    run: x\n    retries: many\n",
        "version: 1\nstages:\n  - name: a\n    run: x\n    timeout: soon\n",
        "stages:\n  - name: a\n    run: x\n",
        "version: 1\ndeploy_groups: { dev: { config: TwoAtATime } }\nstages:\n  - { name: a, run: x }\n",
    ];
    for text in bad {
        assert!(
            !validator.is_valid(&yaml_as_json(text)),
            "the schema accepts:\n{text}"
        );
        let repo = common::Repo::new(text);
        assert_ne!(
            repo.run(&["validate"]).code,
            0,
            "the loader accepts:\n{text}"
        );
    }
}

#[test]
fn a_run_keeps_a_copy_of_the_schema_for_editors() {
    let repo = common::Repo::new("version: 1\nstages:\n  - { name: a, run: 'true' }\n");
    assert_eq!(repo.run(&["run"]).code, 0);
    let copy: serde_json::Value =
        serde_json::from_str(&repo.read(".gantry/gantry.schema.json")).unwrap();
    assert_eq!(copy, schema());
}

#[test]
fn the_copy_of_the_schema_is_written_again_when_missing_or_left_by_another_gantry() {
    let repo = common::Repo::new("version: 1\nstages:\n  - { name: a, run: 'true' }\n");
    assert_eq!(repo.run(&["run"]).code, 0);
    let copy = repo.path().join(".gantry/gantry.schema.json");
    let stamp = repo.path().join(".gantry/gantry.schema.stamp");
    std::fs::remove_file(&copy).unwrap();
    assert_eq!(repo.run(&["run"]).code, 0);
    let written: serde_json::Value =
        serde_json::from_str(&repo.read(".gantry/gantry.schema.json")).unwrap();
    assert_eq!(written, schema());
    // An older gantry's copy.
    std::fs::write(&copy, "{}\n").unwrap();
    std::fs::write(&stamp, "0.0.1 1\n").unwrap();
    assert_eq!(repo.run(&["run"]).code, 0);
    let written: serde_json::Value =
        serde_json::from_str(&repo.read(".gantry/gantry.schema.json")).unwrap();
    assert_eq!(written, schema());
}

#[test]
fn the_schema_allows_x_keys_where_the_loader_ignores_them_and_only_there() {
    let validator = jsonschema::validator_for(&schema()).unwrap();
    let allowed = "version: 1
x-a: 1
env: { x-a: [1], A: 1 }
defaults:
  x-a: 1
  env: { x-a: { b: 1 } }
stages:
  - name: s
    x-a: 1
    env: { x-a: 1 }
    actions:
      - name: a
        x-a: 1
        env: { x-a: 1 }
        run: echo
";
    let errors: Vec<String> = validator
        .iter_errors(&yaml_as_json(allowed))
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let strict =
        "version: 1\nstages: [ { name: s, run: echo, container: { image: debian, x-a: 1 } } ]\n";
    assert!(!validator.is_valid(&yaml_as_json(strict)));
}
