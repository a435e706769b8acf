//! The identity of the programs an action runs: the resolved path, size and
//! mtime of its shell, of the first word of each command line, of an image
//! builder, and of every `tools:` entry — so a toolchain upgrade re-runs the
//! action without running any `--version`. Lookups are memoised per run.

use std::collections::{BTreeMap, HashMap};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::files::lock;
use crate::plan::{PlannedAction, Work};

/// One program as found for an action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    /// Where it was found (empty: not found).
    pub path: String,
    /// `size:mtime` of the file, or `missing`.
    pub identity: String,
}

/// Tool lookups for one run.
#[derive(Default)]
pub struct Tools {
    memo: Mutex<HashMap<(String, String, PathBuf), Tool>>,
}

/// Words that start a shell line but are no program.
const SHELL_WORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "{",
    "}", "(", ")", "!", "[[", "function", "cd", "export", "set", "unset", "local", "return",
    "exit", "source", ".", "eval", "exec", "test", "[", "true", "false", ":", "echo", "printf",
    "read", "shift", "trap", "wait", "alias", "ulimit", "umask",
];

impl Tools {
    /// The programs `action` runs, by the name it uses for them.
    pub fn of(&self, action: &PlannedAction) -> BTreeMap<String, Tool> {
        let path_var = action
            .env
            .iter()
            .rev()
            .find(|(k, _)| k == "PATH")
            .map(|(_, v)| v.clone())
            .or_else(|| std::env::var("PATH").ok())
            .unwrap_or_default();
        names(action)
            .into_iter()
            .map(|name| {
                let tool = self.find(&name, &path_var, &action.cwd);
                (name, tool)
            })
            .collect()
    }

    fn find(&self, name: &str, path_var: &str, cwd: &Path) -> Tool {
        let key = (name.to_string(), path_var.to_string(), cwd.to_path_buf());
        if let Some(tool) = lock(&self.memo).get(&key) {
            return tool.clone();
        }
        let found = which::which_in(name, Some(path_var), cwd).ok();
        let tool = match found.as_deref().map(|p| (p, std::fs::metadata(p))) {
            Some((path, Ok(meta))) => Tool {
                path: path.display().to_string(),
                identity: format!("{}:{}.{}", meta.size(), meta.mtime(), meta.mtime_nsec()),
            },
            _ => Tool {
                path: String::new(),
                identity: "missing".into(),
            },
        };
        lock(&self.memo).insert(key, tool.clone());
        tool
    }
}

/// The shell, the first word of each command line, an image builder, and `tools:`.
fn names(action: &PlannedAction) -> Vec<String> {
    let mut names = action.tools.clone();
    match &action.work {
        // In a container the image's identity stands for its programs.
        Work::Shell { .. } if action.container.is_some() => {}
        Work::Shell { program, args } => {
            names.push(program.clone());
            if let Some(text) = args.last() {
                names.extend(text.lines().filter_map(first_word));
            }
        }
        Work::Image(job) => {
            if let Ok(engine) = &job.engine {
                names.push(engine.program.display().to_string());
            }
        }
        _ => {}
    }
    names.sort();
    names.dedup();
    names
}

/// The program a shell line starts with, if it names one: leading
/// `NAME=value` assignments skipped; keywords, builtins and words with
/// expansions (`$CC`) left out.
fn first_word(line: &str) -> Option<String> {
    let word = line
        .split_whitespace()
        .find(|w| !is_assignment(w))?
        .trim_matches(|c| c == '"' || c == '\'');
    let usable = !word.is_empty()
        && !word.starts_with('#')
        && !word.contains(['$', '`', '(', ')', '<', '>', '|', '&', ';', '*', '?'])
        && !SHELL_WORDS.contains(&word);
    usable.then(|| word.to_string())
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

#[cfg(test)]
mod tests {
    use super::first_word;

    #[test]
    fn the_first_word_skips_assignments_and_builtins() {
        assert_eq!(
            first_word("RUSTFLAGS=-Dwarnings cargo build").as_deref(),
            Some("cargo")
        );
        assert_eq!(
            first_word("  ./scripts/test.sh --all").as_deref(),
            Some("./scripts/test.sh")
        );
        assert_eq!(first_word("cd src && make"), None);
        assert_eq!(first_word("$CC -o app main.c"), None);
        assert_eq!(first_word("# a comment"), None);
        assert_eq!(first_word(""), None);
    }
}
