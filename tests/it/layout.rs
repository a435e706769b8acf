//! The integration tests stay one binary: no top-level `tests/NAME.rs` (a
//! second binary, linked and run on its own) but `memory.rs`, and no file
//! in `tests/it/` that `main.rs` forgets to declare (it would silently
//! never run).

use std::path::Path;

#[test]
fn every_test_file_is_a_declared_module_of_the_one_binary() {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let rust_files = |dir: &Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter_map(|n| n.strip_suffix(".rs").map(str::to_string))
            .collect();
        names.sort();
        names
    };
    // memory.rs measures a child's peak RSS, which must not inherit this
    // binary's (see its module doc).
    let top_level: Vec<String> = rust_files(&tests)
        .into_iter()
        .filter(|n| n != "memory")
        .collect();
    assert!(
        top_level.is_empty(),
        "tests/{top_level:?}.rs: move integration tests to tests/it/NAME.rs and add `mod NAME;` to tests/it/main.rs"
    );
    let main = std::fs::read_to_string(tests.join("it/main.rs")).unwrap();
    let undeclared: Vec<String> = rust_files(&tests.join("it"))
        .into_iter()
        .filter(|n| n != "main" && !main.lines().any(|l| l.trim() == format!("mod {n};")))
        .collect();
    assert!(
        undeclared.is_empty(),
        "tests/it/{undeclared:?}.rs never run: add `mod NAME;` to tests/it/main.rs"
    );
}
