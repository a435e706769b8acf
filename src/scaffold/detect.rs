//! Finding the projects of a repository: the root and its subdirectories
//! (two levels deep) are looked at for every ecosystem's manifest. A project
//! hides deeper ones of the same ecosystem (workspaces, multi-module builds);
//! projects of other ecosystems below it are projects of their own.

use std::path::Path;

use super::ecosystem::{Ecosystem, Facts};
use super::facts::{plain_name, CheckFiles};

/// How deep below the root projects are looked for (`services/api` is 2).
const MAX_DEPTH: usize = 2;

/// Directories whose files are never sources: dependencies and build output.
const NOT_SOURCES: &[&str] = &[
    "node_modules",
    "target",
    "vendor",
    "build",
    "dist",
    "out",
    "bin",
    "obj",
    "venv",
    "__pycache__",
    "coverage",
];

/// Directories that hold no project of their own besides [`NOT_SOURCES`]:
/// documentation, examples and test fixtures.
const NOT_PROJECTS: &[&str] = &[
    "docs",
    "doc",
    "examples",
    "example",
    "test",
    "tests",
    "testdata",
    "fixtures",
    "third_party",
];

/// How many directory entries a search for source files may look at.
const SEARCH_BUDGET: usize = 5000;

/// A project found in the repository.
#[derive(Clone, Debug)]
pub struct Project {
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
    /// Its directory relative to the root, `/`-separated, empty for the root.
    pub dir: String,
    /// What its template needs.
    pub facts: Facts,
}

impl Project {
    /// `dir` with a trailing `/` (empty for the root), to prefix paths with.
    pub fn prefix(&self) -> String {
        if self.dir.is_empty() {
            String::new()
        } else {
            format!("{}/", self.dir)
        }
    }

    /// Where the project is, for messages: `.` for the root.
    pub fn place(&self) -> &str {
        if self.dir.is_empty() {
            "."
        } else {
            &self.dir
        }
    }
}

/// Every project under `root`: the root's first, then subdirectories in
/// name order; within a directory, in [`Ecosystem::ALL`] order.
pub fn projects(root: &Path) -> Vec<Project> {
    let checks = CheckFiles::default();
    let mut found: Vec<Project> = Vec::new();
    for rel in source_dirs(root, MAX_DEPTH) {
        let dir = root.join(&rel);
        for ecosystem in Ecosystem::ALL {
            let inside_same = found
                .iter()
                .any(|p| p.ecosystem == ecosystem && contains(&p.dir, &rel));
            if !inside_same && ecosystem.found_in(&dir) {
                found.push(Project {
                    ecosystem,
                    dir: rel.clone(),
                    facts: ecosystem.facts(&dir, &checks),
                });
            }
        }
    }
    found
}

/// The project of `ecosystem` at the root, found or not (`--template`).
pub fn forced(root: &Path, ecosystem: Ecosystem) -> Project {
    Project {
        ecosystem,
        dir: String::new(),
        facts: ecosystem.facts(root, &CheckFiles::default()),
    }
}

/// The directories where the user's own sources may be, relative to
/// `root` and `/`-separated: `""` for the root, then its subdirectories at
/// most `depth` levels down, each followed by its own, in name order.
/// Hidden directories, symbolic links, [`NOT_SOURCES`] and [`NOT_PROJECTS`]
/// are left out, with everything below them.
pub fn source_dirs(root: &Path, depth: usize) -> Vec<String> {
    let mut dirs = Vec::new();
    collect_dirs(root, String::new(), depth, true, &mut dirs);
    dirs
}

/// [`source_dirs`], with the folders whose names need quoting in YAML or
/// a shell (spaces, `#`, `:`, quotes), and what is below them, too.
pub fn source_dirs_any_name(root: &Path, depth: usize) -> Vec<String> {
    let mut dirs = Vec::new();
    collect_dirs(root, String::new(), depth, false, &mut dirs);
    dirs
}

fn collect_dirs(root: &Path, rel: String, depth: usize, plain: bool, dirs: &mut Vec<String>) {
    let children = if depth == 0 {
        Vec::new()
    } else {
        subdirectories(&root.join(&rel), plain)
    };
    let prefix = if rel.is_empty() {
        String::new()
    } else {
        format!("{rel}/")
    };
    dirs.push(rel);
    for name in children {
        if !NOT_PROJECTS.contains(&name.as_str()) && !NOT_SOURCES.contains(&name.as_str()) {
            collect_dirs(root, format!("{prefix}{name}"), depth - 1, plain, dirs);
        }
    }
}

/// The directories of the Python projects: their actions run in a venv.
pub fn python_dirs(projects: &[Project]) -> Vec<String> {
    projects
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::Python)
        .map(|p| p.dir.clone())
        .collect()
}

/// Whether the directory `inner` is `outer` or below it.
fn contains(outer: &str, inner: &str) -> bool {
    outer.is_empty() || inner == outer || inner.starts_with(&format!("{outer}/"))
}

/// The subdirectories of `dir` (no hidden ones, no symlinks; with `plain`
/// only those usable as project names), sorted.
fn subdirectories(dir: &Path, plain: bool) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().to_str().map(String::from))
        .filter(|n| !n.starts_with('.') && (!plain || plain_name(n)))
        .collect();
    names.sort();
    names
}

/// Whether some file under `dir` (at most `depth` levels down, outside
/// dependency and build directories) satisfies `wanted`; gives up after
/// [`SEARCH_BUDGET`] entries.
pub fn any_file(dir: &Path, depth: usize, wanted: &dyn Fn(&Path) -> bool) -> bool {
    let mut budget = SEARCH_BUDGET;
    search(dir, depth, wanted, &mut budget)
}

fn search(dir: &Path, depth: usize, wanted: &dyn Fn(&Path) -> bool, budget: &mut usize) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    let mut dirs = Vec::new();
    for entry in entries.flatten() {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let name = entry.file_name();
        let name = name.to_str().unwrap_or("");
        if kind.is_file() && wanted(&entry.path()) {
            return true;
        }
        if kind.is_dir() && !name.starts_with('.') && !NOT_SOURCES.contains(&name) {
            dirs.push(entry.path());
        }
    }
    depth > 0 && dirs.iter().any(|d| search(d, depth - 1, wanted, budget))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn source_dirs_go_depth_levels_down_and_skip_what_is_no_source() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        for dir in [
            "a/b/c/d",
            "a/node_modules/x",
            "a/.hidden/x",
            "target/revision",
            "examples/x",
            "z",
        ] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
        }
        assert_eq!(source_dirs(root, 3), ["", "a", "a/b", "a/b/c", "z"]);
        assert_eq!(source_dirs(root, 1), ["", "a", "z"]);
        assert_eq!(source_dirs(root, 0), [""]);
    }

    #[test]
    fn a_project_hides_nested_ones_of_its_ecosystem_only() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(
            root,
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/a\"]\n",
        );
        write(root, "crates/a/Cargo.toml", "[package]\nname = \"a\"\n");
        write(root, "crates/a/src/lib.rs", "");
        write(root, "web/package.json", "{}");
        write(root, "web/node_modules/x/package.json", "{}");
        write(root, "docs/requirements.txt", "sphinx\n");
        write(root, "services/api/go.mod", "module api\n");
        let found: Vec<(Ecosystem, String)> = projects(root)
            .into_iter()
            .map(|p| (p.ecosystem, p.dir))
            .collect();
        assert_eq!(
            found,
            vec![
                (Ecosystem::Rust, String::new()),
                (Ecosystem::Go, "services/api".into()),
                (Ecosystem::Node, "web".into()),
            ]
        );
    }
}
