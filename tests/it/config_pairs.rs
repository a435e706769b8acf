//! Two independent mistakes in different places of gantry.yml are both
//! reported in one run, each as it reads alone: a generator of such pairs
//! drawn from the kinds serde alone finds (a bad duration, a negative or
//! fractional count, a wrong type, a duplicate key) and those the tolerant
//! pass finds (unknown keys, wrong words); in an included file's stages
//! the same pairs read the same.

use crate::common::Gantry;
use crate::config::errors_with_messages;

/// The config with a line for each slot: `# G` in a deployment group,
/// `# D` in `defaults:`, `# S` in a one-action stage, `# A` in an action.
const BASE: &str = "version: 1
deploy_groups:
  dev:
    instances: 2
    # G
defaults:
  env: { A: 1 }
  # D
stages:
  - name: a
    run: echo
    # S
  - name: b
    actions:
      - name: c
        run: echo
        # A
";

/// Each mistake: its slot and the line written there.
const MISTAKES: &[(&str, &str)] = &[
    ("G", "    colour: blue"),
    ("G", "    bundle: hardlink"),
    ("G", "    max_parallel: -1"),
    ("G", "    approval: [true]"),
    ("G", "    instances: 3"),
    ("D", "  timeout: 5 parsecs"),
    ("D", "  retries: -1"),
    ("D", "  working_directory: [a]"),
    ("D", "  env: { B: 2 }"),
    ("S", "    timeout: 5 parsecs"),
    ("S", "    retries: -1"),
    ("S", "    max_parallel: 1.5"),
    ("S", "    shell: [bash]"),
    ("S", "    timout: 5s"),
    ("S", "    run: echo again"),
    ("A", "        timeout: 5 parsecs"),
    ("A", "        retries: 1.5"),
    ("A", "        shell: [bash]"),
    ("A", "        colour: blue"),
    ("A", "        run: echo again"),
];

/// BASE with the given mistakes in their slots (other slots stay comments).
fn with(mistakes: &[(&str, &str)]) -> String {
    let mut text = BASE.to_string();
    for (slot, line) in mistakes {
        let marker = format!("{}# {slot}", &line[..line.len() - line.trim_start().len()]);
        text = text.replacen(&marker, line, 1);
    }
    text
}

fn errors(config: &str) -> Vec<String> {
    let err = Gantry::new().config(config).arg("run").run().config_error();
    let mut found = errors_with_messages(&err);
    found.sort();
    found
}

#[test]
fn two_mistakes_in_different_places_are_both_reported_as_each_alone() {
    let alone: Vec<Vec<String>> = MISTAKES.iter().map(|m| errors(&with(&[*m]))).collect();
    for (m, found) in MISTAKES.iter().zip(&alone) {
        assert_eq!(found.len(), 1, "{m:?} alone is one error: {found:#?}");
    }
    let (mut pairs, mut both, mut missed) = (0, 0, Vec::new());
    for i in 0..MISTAKES.len() {
        for j in i + 1..MISTAKES.len() {
            if MISTAKES[i].0 == MISTAKES[j].0 {
                continue;
            }
            pairs += 1;
            let found = errors(&with(&[MISTAKES[i], MISTAKES[j]]));
            let mut expected = [alone[i].clone(), alone[j].clone()].concat();
            expected.sort();
            if found == expected {
                both += 1;
            } else {
                missed.push(format!(
                    "{:?} + {:?}:\n  expected {expected:?}\n  found    {found:?}",
                    MISTAKES[i].1.trim(),
                    MISTAKES[j].1.trim()
                ));
            }
        }
    }
    eprintln!("{both} of {pairs} pairs reported both mistakes as alone");
    assert!(
        missed.is_empty(),
        "{both} of {pairs}:\n{}",
        missed.join("\n")
    );
}

/// The errors of `config`'s stages written in an included file instead
/// (at the same lines), named as if they were gantry.yml's.
fn errors_included(config: &str) -> Vec<String> {
    let at = config.find("stages:").unwrap();
    let lines_before = config[..at].matches('\n').count();
    let included = format!("{}{}", "\n".repeat(lines_before), &config[at..]);
    let err = Gantry::new()
        .config("version: 1\ninclude: [ci/c.yml]\nstages: []\n")
        .file("ci/c.yml", &included)
        .arg("run")
        .run()
        .config_error();
    let mut found: Vec<String> = errors_with_messages(&err)
        .into_iter()
        .map(|e| e.replacen(" ci/c.yml:", " gantry.yml:", 1))
        .collect();
    found.sort();
    found
}

#[test]
fn two_mistakes_in_an_included_files_stages_read_as_in_gantry_yml() {
    let in_slot = |slot: &str| -> Vec<(&str, &str)> {
        MISTAKES
            .iter()
            .copied()
            .filter(|(s, _)| *s == slot)
            .collect()
    };
    for stage in in_slot("S") {
        for action in in_slot("A") {
            let config = with(&[stage, action]);
            let here = errors(&config);
            assert_eq!(here.len(), 2, "{config}\n{here:#?}");
            assert_eq!(errors_included(&config), here, "{config}");
        }
    }
}
