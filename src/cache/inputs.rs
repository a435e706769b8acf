//! Which files are an action's inputs. Without `inputs:` (or with only `!`
//! exclusions, or with `$default` among them) the set starts from every file
//! git would see under the root, minus `.gantry/` and the action's own
//! `outputs:`; written patterns add files (ignored ones too: the user named
//! them), and `!PATTERN` entries take files out.

use super::files::{FileIndex, Scanned};
use crate::config::{Pattern, DEFAULT_INPUTS};

/// One action's input rules, compiled: what [`select`] applies to a whole
/// tree, asked of a single path (as `gantry watch` does for each change).
pub struct InputRules {
    /// The default set (every file git sees, minus outputs) is included.
    default: bool,
    included: Vec<Pattern>,
    excluded: Vec<Pattern>,
    outputs: Vec<Pattern>,
}

impl InputRules {
    /// The rules of an action with `inputs` and `outputs`.
    pub fn new(inputs: &[String], outputs: &[String]) -> InputRules {
        let (excluded, included): (Vec<&String>, Vec<&String>) =
            inputs.iter().partition(|p| p.starts_with('!'));
        InputRules {
            default: included.is_empty() || included.iter().any(|p| *p == DEFAULT_INPUTS),
            included: included
                .iter()
                .filter(|p| **p != DEFAULT_INPUTS)
                .map(|p| Pattern::new(p))
                .collect(),
            excluded: excluded.iter().map(|p| Pattern::new(&p[1..])).collect(),
            outputs: outputs.iter().map(|p| Pattern::new(p)).collect(),
        }
    }

    /// Whether `path` (relative to the root) is an input; `visible` says
    /// whether git would see it (not ignored, outside `.gantry/`). Written
    /// patterns take ignored files too: the user named them.
    pub fn includes(&self, path: &str, visible: bool) -> bool {
        if self.excluded.iter().any(|x| x.matches(path)) {
            return false;
        }
        self.included.iter().any(|p| p.matches(path))
            || (self.default && visible && !self.outputs.iter().any(|o| o.matches(path)))
    }
}

/// The input files of an action with `inputs` and `outputs`, sorted by path.
pub fn select(files: &FileIndex, inputs: &[String], outputs: &[String]) -> Vec<Scanned> {
    let rules = InputRules::new(inputs, outputs);
    let mut chosen: Vec<Scanned> = Vec::new();
    if rules.default {
        chosen.extend(
            files
                .visible()
                .iter()
                .filter(|f| !rules.outputs.iter().any(|o| o.matches(&f.path)))
                .cloned(),
        );
    }
    for pattern in &rules.included {
        chosen.extend(
            files
                .walk(pattern.start())
                .iter()
                .filter(|f| pattern.matches(&f.path))
                .cloned(),
        );
    }
    chosen.retain(|f| !rules.excluded.iter().any(|x| x.matches(&f.path)));
    chosen.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    chosen.dedup_by(|a, b| a.path == b.path);
    chosen
}

/// The files matching `patterns` (outputs), ignored ones included, sorted.
pub fn matching(files: &FileIndex, patterns: &[String]) -> Vec<Scanned> {
    let mut chosen: Vec<Scanned> = Vec::new();
    for written in patterns {
        let pattern = Pattern::new(written);
        chosen.extend(
            files
                .walk(pattern.start())
                .iter()
                .filter(|f| pattern.matches(&f.path))
                .cloned(),
        );
    }
    chosen.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    chosen.dedup_by(|a, b| a.path == b.path);
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(inputs: &[&str], outputs: &[&str]) -> InputRules {
        let own = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        InputRules::new(&own(inputs), &own(outputs))
    }

    #[test]
    fn rules_read_default_exclusions_and_outputs_like_select() {
        let everything = rules(&[], &["dist"]);
        assert!(everything.includes("src/a.rs", true));
        assert!(!everything.includes("target/x", false), "ignored by git");
        assert!(!everything.includes("dist/app.js", true), "an output");
        let only_exclusions = rules(&["!docs/**"], &[]);
        assert!(only_exclusions.includes("src/a.rs", true));
        assert!(!only_exclusions.includes("docs/a.md", true));
        let default_plus = rules(&["$default", "vendor/lib.a", "!*.md"], &[]);
        assert!(default_plus.includes("src/a.rs", true));
        assert!(
            default_plus.includes("vendor/lib.a", false),
            "named, so read though ignored"
        );
        assert!(!default_plus.includes("README.md", true));
        let narrow = rules(&["src"], &[]);
        assert!(narrow.includes("src/deep/a.rs", true));
        assert!(!narrow.includes("README.md", true));
    }
}
