//! Every `gantry.yml` example in the docs (a ```yaml block with
//! `version: 1`, or a `stages:` fragment) is valid: extracted and checked
//! with `gantry validate`.

use crate::common;

use std::path::Path;

/// A yaml block whose first line is `# PATH.yml`: a file that examples of
/// the same page include; (page, path, text).
type Companion = (String, String, String);

/// (file, first line, text) of every yaml block that is a whole gantry.yml,
/// and the companion files of each page.
fn examples_and_companions() -> (Vec<(String, usize, String)>, Vec<Companion>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.push(root.join("README.md"));
    files.sort();
    let mut found = Vec::new();
    let mut companions = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut block: Option<(usize, String)> = None;
        for (n, line) in text.lines().enumerate() {
            match &mut block {
                None if line.trim_start().starts_with("```yaml") => {
                    block = Some((n + 2, String::new()))
                }
                Some((start, body)) if line.trim_start().starts_with("```") => {
                    let name = file.file_name().unwrap().to_string_lossy().into_owned();
                    let first = body
                        .lines()
                        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
                    let path = body
                        .lines()
                        .next()
                        .and_then(|l| l.strip_prefix("# "))
                        .filter(|p| p.ends_with(".yml") && !p.contains(' '));
                    if let Some(path) = path {
                        companions.push((name, path.to_string(), std::mem::take(body)));
                    } else if body.lines().any(|l| l.trim() == "version: 1") {
                        found.push((name, *start, std::mem::take(body)));
                    } else if first.is_some_and(|l| l.starts_with("stages:")) {
                        // A fragment: the stages of a pipeline.
                        found.push((name, *start, format!("version: 1\n{body}")));
                    }
                    block = None;
                }
                Some((_, body)) => {
                    body.push_str(line);
                    body.push('\n');
                }
                None => {}
            }
        }
    }
    (found, companions)
}

#[test]
fn every_config_example_in_the_docs_validates() {
    let (examples, companions) = examples_and_companions();
    assert!(
        examples.len() >= 4,
        "found only {} examples",
        examples.len()
    );
    let mut failures = Vec::new();
    for (file, line, text) in &examples {
        let repo = common::Repo::new(text);
        for (_, path, body) in companions.iter().filter(|c| c.0 == *file) {
            repo.write(path, body);
        }
        let out = repo.run(&["validate", "gantry.yml"]);
        if out.code != 0 {
            failures.push(format!("{file}:{line}:\n{}", out.all()));
        }
    }
    assert!(
        failures.is_empty(),
        "invalid examples:\n{}",
        failures.join("\n")
    );
}

/// Every `scripts/bench-*.sh` (except the shared library) rewrites its own
/// table in docs/performance.md with `--update-docs`, and that table holds
/// a measurement (its date and machine), not a placeholder.
#[test]
fn every_benchmark_regenerates_its_table_in_the_performance_page() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = std::fs::read_to_string(root.join("docs/performance.md")).unwrap();
    let mut scripts: Vec<_> = std::fs::read_dir(root.join("scripts"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("bench-") && n.ends_with(".sh") && n != "bench-lib.sh")
        .collect();
    scripts.sort();
    assert!(scripts.len() >= 9, "benchmark scripts found: {scripts:?}");
    let mut problems = Vec::new();
    for script in &scripts {
        let text = std::fs::read_to_string(root.join("scripts").join(script)).unwrap();
        let Some(name) = text
            .lines()
            .find_map(|l| l.split("bench_update_docs ").nth(1))
            .and_then(|rest| rest.split_whitespace().next())
        else {
            problems.push(format!(
                "{script}: has no --update-docs (bench_update_docs NAME FILE)"
            ));
            continue;
        };
        if !text.contains("--update-docs") {
            problems.push(format!(
                "{script}: calls bench_update_docs without an --update-docs flag"
            ));
        }
        // A script that keeps one table per kind of file system names its
        // section `PREFIX-$(bench_fs_key …)`: every `PREFIX…` section counts.
        let name = name.trim_matches('"');
        let names: Vec<String> = match name.split_once("$(") {
            Some((prefix, _)) => page
                .split("<!-- bench:")
                .skip(1)
                .filter_map(|rest| rest.split_once(" -->").map(|(n, _)| n.to_string()))
                .filter(|n| n.starts_with(prefix))
                .collect(),
            None => vec![name.to_string()],
        };
        if names.is_empty() {
            problems.push(format!(
                "docs/performance.md: no <!-- bench:{name}… --> section for {script}"
            ));
        }
        for name in names {
            let (begin, end) = (
                format!("<!-- bench:{name} -->"),
                format!("<!-- /bench:{name} -->"),
            );
            let Some(table) = page
                .split_once(&begin)
                .and_then(|(_, rest)| rest.split_once(&end))
                .map(|(table, _)| table)
            else {
                problems.push(format!(
                    "docs/performance.md: no {begin} … {end} section for {script}"
                ));
                continue;
            };
            if !(table.contains("Measured ") && table.contains("vCPUs") && table.contains("| ---"))
            {
                problems.push(format!(
                    "docs/performance.md: the {name} section holds no measured table (run scripts/{script} --update-docs)"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
