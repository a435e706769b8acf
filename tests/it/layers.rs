//! The top-level modules of `src/` form layers (see docs/architecture.md):
//! a module imports only modules of lower layers, so the module graph has
//! no cycle. This test reads every file under `src/`, collects the
//! `crate::…` paths of its code (comments do not count; `use crate::{a, b}`
//! groups and `super::` paths that reach the crate root do) per top-level
//! module, and fails naming the cycle or the upward import, with where it is.
//!
//! A new top-level module must be given a layer in [`LAYERS`]
//! (tests/it/layers.rs) and in the table of docs/architecture.md, which
//! must list the same layers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, top to bottom. A module may import modules of the layers
/// below its own, never of its own layer or above.
const LAYERS: &[(&str, &[&str])] = &[
    ("commands", &["cmd"]),
    ("command line", &["cli"]),
    ("run driver", &["driver"]),
    (
        "reporters and command helpers",
        &["report", "watch", "export", "graph"],
    ),
    ("executor", &["exec"]),
    ("action cache", &["cache"]),
    ("planner, scaffolding", &["plan", "scaffold"]),
    ("services and containers", &["service", "container"]),
    ("action kinds", &["image", "deploy", "custom", "approval"]),
    ("container engines", &["engine"]),
    ("gantry.yml", &["config"]),
    ("run records", &["record"]),
    ("run summary", &["summary"]),
    ("AppSpec, git", &["appspec", "git"]),
    ("diagnostics", &["diagnostics"]),
    ("secret values", &["secrets"]),
    ("processes", &["proc"]),
    ("events", &["events"]),
    (
        "leaves",
        &["error", "term", "text", "fsutil", "suggest", "vars"],
    ),
];

/// Where an import is written: `src/…:line`.
type Evidence = String;

/// From module → to module → where (the first few places).
type Graph = BTreeMap<String, BTreeMap<String, Vec<Evidence>>>;

#[test]
fn top_level_modules_form_the_declared_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = top_level_modules(&src);
    let graph = import_graph(&src, &modules);
    assert!(
        graph
            .get("config")
            .is_some_and(|to| to.contains_key("diagnostics")),
        "the import graph misses config -> diagnostics: the scan is broken"
    );

    let layer_of = layer_index();
    let mut problems = Vec::new();
    for module in &modules {
        if !layer_of.contains_key(module.as_str()) {
            problems.push(format!(
                "src/{module} has no layer: add it to LAYERS in tests/it/layers.rs \
                 (and to docs/architecture.md)"
            ));
        }
    }
    for module in layer_of.keys() {
        if !modules.contains(*module) {
            problems.push(format!("LAYERS names `{module}`, which is not in src/"));
        }
    }
    if let Some(cycle) = find_cycle(&graph) {
        problems.push(format!("module cycle: {}", describe_path(&cycle, &graph)));
    }
    for (from, targets) in &graph {
        for (to, evidence) in targets {
            let (Some(&f), Some(&t)) = (layer_of.get(from.as_str()), layer_of.get(to.as_str()))
            else {
                continue;
            };
            if t <= f {
                let (from_layer, to_layer) = (LAYERS[f].0, LAYERS[t].0);
                let how = if t == f {
                    "its own layer"
                } else {
                    "a higher layer"
                };
                problems.push(format!(
                    "{from} ({from_layer}) imports {to} ({to_layer}), {how}: {}",
                    evidence.join(", ")
                ));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn the_architecture_page_lists_the_same_layers() {
    let page = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/architecture.md");
    let text = std::fs::read_to_string(&page).unwrap();
    let section = text
        .split("\n## Layers\n")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("docs/architecture.md has a `## Layers` section");
    let documented: Vec<(String, Vec<String>)> = section
        .lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("| layer") && !l.starts_with("| ---"))
        .map(|row| {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            let modules = cells[2]
                .split(',')
                .map(|m| m.trim().trim_matches('`').to_string())
                .collect();
            (cells[1].to_string(), modules)
        })
        .collect();
    let declared: Vec<(String, Vec<String>)> = LAYERS
        .iter()
        .map(|(name, modules)| {
            let modules = modules.iter().map(|m| m.to_string()).collect();
            (name.to_string(), modules)
        })
        .collect();
    assert_eq!(
        documented, declared,
        "the layer table of docs/architecture.md and LAYERS differ"
    );
}

#[test]
fn the_scan_sees_use_groups_and_super_paths_but_not_comments() {
    let modules: BTreeSet<String> = ["config", "plan", "events", "exec", "report", "secrets"]
        .map(String::from)
        .into();
    let code = r#"
        //! See [`crate::report`] for who prints.
        use crate::{config::{self, Pipeline}, plan};
        /* crate::exec is mentioned here only */
        #[serde(serialize_with = "crate::events::as_millis")]
        fn f() -> &'static str { let _ = 'x'; "http://example.com" }
        fn g() { super::super::secrets::mask("x"); }
    "#;
    let mut found: Vec<String> = imports(code, &["report".into(), "a".into()], &modules)
        .into_iter()
        .map(|(to, _)| to)
        .collect();
    found.sort();
    found.dedup();
    assert_eq!(found, ["config", "events", "plan", "secrets"]);
}

#[test]
fn a_cycle_is_found_and_named() {
    let mut graph = Graph::new();
    for (from, to) in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")] {
        graph
            .entry(from.into())
            .or_default()
            .insert(to.into(), vec![format!("src/{from}.rs:1")]);
    }
    let cycle = find_cycle(&graph).expect("a -> b -> c -> a");
    assert_eq!(
        describe_path(&cycle, &graph),
        "a -> b (src/a.rs:1) -> c (src/b.rs:1) -> a (src/c.rs:1)"
    );
    graph.get_mut("c").unwrap().remove("a");
    assert_eq!(find_cycle(&graph), None);
}

fn layer_index() -> BTreeMap<&'static str, usize> {
    let mut index = BTreeMap::new();
    for (i, (_, modules)) in LAYERS.iter().enumerate() {
        for module in *modules {
            assert!(
                index.insert(*module, i).is_none(),
                "LAYERS names `{module}` twice"
            );
        }
    }
    index
}

/// `src/X.rs` and `src/X/` (besides the crate roots).
fn top_level_modules(src: &Path) -> BTreeSet<String> {
    std::fs::read_dir(src)
        .unwrap()
        .flatten()
        .filter_map(|entry| {
            let path = entry.path();
            let name = path.file_name()?.to_str()?.to_string();
            if path.is_dir() {
                Some(name)
            } else {
                let stem = name.strip_suffix(".rs")?;
                (!matches!(stem, "lib" | "main")).then(|| stem.to_string())
            }
        })
        .collect()
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

fn import_graph(src: &Path, modules: &BTreeSet<String>) -> Graph {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut graph = Graph::new();
    for file in files {
        let relative = file.strip_prefix(src).unwrap();
        let mut path: Vec<String> = relative
            .iter()
            .map(|c| c.to_string_lossy().trim_end_matches(".rs").to_string())
            .collect();
        if path.last().is_some_and(|l| l == "mod") {
            path.pop();
        }
        let Some(top) = path.first().filter(|t| modules.contains(*t)).cloned() else {
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        for (to, line) in imports(&text, &path, modules) {
            if to != top {
                let places = graph.entry(top.clone()).or_default().entry(to).or_default();
                if places.len() < 3 {
                    places.push(format!("src/{}:{line}", relative.display()));
                }
            }
        }
    }
    graph
}

/// The top-level modules `text` (the file of module `path`) refers to, with
/// the line of each reference.
fn imports(text: &str, path: &[String], modules: &BTreeSet<String>) -> Vec<(String, usize)> {
    let code = strip_comments(text);
    let mut found = Vec::new();
    let (mut line, mut skip_to, mut previous) = (1, 0, ' ');
    for (at, c) in code.char_indices() {
        if c == '\n' {
            line += 1;
        }
        let after_ident = previous.is_alphanumeric() || previous == '_';
        previous = c;
        if at < skip_to || after_ident {
            continue;
        }
        let rest = &code[at..];
        let names = if let Some(after) = rest.strip_prefix("crate::") {
            skip_to = at + "crate::".len();
            path_heads(after)
        } else if rest.starts_with("super::") {
            let mut hops = 0;
            let mut after = rest;
            while let Some(next) = after.strip_prefix("super::") {
                hops += 1;
                after = next;
            }
            skip_to = at + (rest.len() - after.len());
            if hops >= path.len() {
                path_heads(after)
            } else {
                Vec::new()
            }
        } else {
            continue;
        };
        for name in names {
            if modules.contains(&name) {
                found.push((name, line));
            }
        }
    }
    found
}

/// The first segment of the path starting `text` (`config` of
/// `config::Pipeline`), or of each member of a `{…}` group.
fn path_heads(text: &str) -> Vec<String> {
    let text = text.trim_start();
    if let Some(group) = text.strip_prefix('{') {
        let mut heads = Vec::new();
        let mut depth = 0;
        let mut start = true;
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => start = true,
                c if start && !c.is_whitespace() => {
                    start = false;
                    heads.push(ident(&group[i..]));
                }
                _ => {}
            }
        }
        heads
    } else {
        vec![ident(text)]
    }
}

fn ident(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// `text` with comments blanked (line breaks kept, so lines still count);
/// string and character literals are kept as they are.
fn strip_comments(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if chars[i] == '\n' {
                        out.push('\n');
                    }
                    i += 1;
                }
            }
        } else if c == '"' || (c == 'r' && matches!(next, Some('"' | '#')) && is_raw(&chars, i)) {
            let end = literal_end(&chars, i);
            out.extend(&chars[i..end]);
            i = end;
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{1b}'), else a lifetime.
            let end = match (next, chars.get(i + 2)) {
                (Some('\\'), _) => chars[i + 2..]
                    .iter()
                    .position(|&c| c == '\'')
                    .map_or(i + 1, |p| i + 2 + p + 1),
                (Some(_), Some('\'')) => i + 3,
                _ => i + 1,
            };
            out.extend(&chars[i..end]);
            i = end;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Whether the `r` at `i` starts a raw string (`r"…"`, `r#"…"#`), not an
/// identifier ending in `r`.
fn is_raw(chars: &[char], i: usize) -> bool {
    let after_ident = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
    let hashes = chars[i + 1..].iter().take_while(|&&c| c == '#').count();
    !after_ident && chars.get(i + 1 + hashes) == Some(&'"')
}

/// Just past the string literal starting at `start` (`"…"` or raw).
fn literal_end(chars: &[char], start: usize) -> usize {
    if chars[start] == 'r' {
        let hashes = chars[start + 1..].iter().take_while(|&&c| c == '#').count();
        let mut i = start + 2 + hashes;
        while i < chars.len() {
            if chars[i] == '"'
                && chars[i + 1..].iter().take(hashes).all(|&c| c == '#')
                && chars.len() >= i + 1 + hashes
            {
                return i + 1 + hashes;
            }
            i += 1;
        }
        return chars.len();
    }
    let mut i = start + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    chars.len()
}

/// A cycle of `graph` as the modules along it (first repeated at the end),
/// or `None` when the graph is acyclic.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        node: &str,
        graph: &Graph,
        marks: &mut BTreeMap<String, Mark>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        marks.insert(node.to_string(), Mark::Open);
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flat_map(|t| t.keys()) {
            match marks.get(next) {
                Some(Mark::Open) => {
                    let from = stack.iter().position(|m| m == next).unwrap();
                    let mut cycle = stack[from..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Some(Mark::Done) => {}
                None => {
                    if let Some(cycle) = visit(next, graph, marks, stack) {
                        return Some(cycle);
                    }
                }
            }
        }
        stack.pop();
        marks.insert(node.to_string(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for node in graph.keys() {
        if !marks.contains_key(node) {
            if let Some(cycle) = visit(node, graph, &mut marks, &mut Vec::new()) {
                return Some(cycle);
            }
        }
    }
    None
}

/// `a -> b (where a imports b) -> …`.
fn describe_path(path: &[String], graph: &Graph) -> String {
    let mut text = path[0].clone();
    for pair in path.windows(2) {
        let place = graph
            .get(&pair[0])
            .and_then(|t| t.get(&pair[1]))
            .and_then(|e| e.first())
            .map_or(String::new(), |e| format!(" ({e})"));
        text.push_str(&format!(" -> {}{place}", pair[1]));
    }
    text
}
