//! Generated files checked in beside the code (`completions/`, `docs/man/`,
//! `docs/gantry.schema.json`): each test first asserts the generated text
//! against its insta snapshot (reviewed with `cargo insta review`), then
//! [`checked_in`] keeps the file equal to that approved text. See
//! "Updating snapshots" in CONTRIBUTING.md.

use std::path::Path;

/// Fails unless the checked-in file `relative` (from the crate root) is
/// `text`, which the caller has just asserted against its snapshot. A stale
/// file is rewritten from `text` except under CI, and the test fails
/// either way (so CI never passes with a stale file) unless
/// `INSTA_UPDATE=always` asked for every snapshot to be rewritten.
#[track_caller]
pub fn checked_in(relative: &str, text: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    if std::fs::read(&path).ok().as_deref() == Some(text.as_bytes()) {
        return;
    }
    if in_ci() {
        panic!(
            "{relative} is stale: it differs from its approved snapshot. \
             Run `cargo test --test it` locally (it rewrites the file) and commit it."
        );
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("cannot rewrite {relative}: {e}"));
    if std::env::var("INSTA_UPDATE").as_deref() != Ok("always") {
        panic!("{relative} was stale: rewritten from its approved snapshot; commit it.");
    }
}

/// Whether this runs under CI, the way insta decides it (`CI` set, and
/// not to `false`, `0` or nothing): there, nothing is rewritten.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "false" | "0" | ""))
}
