//! Property test: the gantry.yml loader never panics, on random bytes or
//! on valid configs with random edits; every rejection is located.

use std::path::Path;

use proptest::prelude::*;

const VALID: &str = "version: 1
name: shop
env: { A: 1, B: two }
secrets: [TOKEN]
stages:
  - name: lint
    actions:
      - { name: fmt, run: cargo fmt --check, run_order: 1 }
      - { name: clippy, run: cargo clippy, run_order: 1, timeout: 10m }
  - name: test
    script: [make test, make check]
    inputs: [\"src/**\"]
    retries: 2
";

fn check(text: &str) {
    match gantry::config::load_text(Path::new("gantry.yml"), text) {
        Ok(_) => {}
        Err(diagnostics) => {
            assert!(
                !diagnostics.is_empty(),
                "a rejection names at least one problem"
            );
            for d in diagnostics {
                assert!(!d.message.is_empty());
                assert_eq!(d.file, Path::new("gantry.yml"));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_text_never_panics(text in "\\PC{0,200}") {
        check(&text);
    }

    #[test]
    fn edited_configs_never_panic(at in 0usize..400, cut in 0usize..20, insert in "[ -~\\n\\t]{0,12}") {
        let at = at.min(VALID.len());
        let end = (at + cut).min(VALID.len());
        let (at, end) = (floor(VALID, at), floor(VALID, end));
        let text = format!("{}{insert}{}", &VALID[..at], &VALID[end..]);
        check(&text);
    }
}

fn floor(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[test]
fn the_seed_config_is_valid() {
    assert!(gantry::config::load_text(Path::new("gantry.yml"), VALID).is_ok());
}
