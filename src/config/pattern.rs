//! The path patterns of `inputs:`, `outputs:` and `changed()`: a literal
//! path (the file, or every file below the folder) or a glob whose `*` stays
//! within one folder. The cache, `gantry watch` and `if:` conditions all
//! match paths through [`Pattern`], so they read a pattern the same way.

/// A compiled `inputs:`/`outputs:` pattern: a literal path (the file, or
/// every file below the folder) or a glob.
pub struct Pattern {
    prefix: String,
    literal: bool,
    glob: Option<globset::GlobMatcher>,
}

impl Pattern {
    /// Compiles `pattern` (already validated by the config loader).
    pub fn new(pattern: &str) -> Pattern {
        let (prefix, literal) = literal_prefix(pattern);
        let glob = (!literal)
            .then(|| {
                globset::GlobBuilder::new(pattern)
                    .literal_separator(true)
                    .build()
                    .ok()
            })
            .flatten()
            .map(|g| g.compile_matcher());
        Pattern {
            prefix,
            literal,
            glob,
        }
    }

    /// Whether `path` (relative to the root) is matched.
    pub fn matches(&self, path: &str) -> bool {
        if self.literal {
            path == self.prefix
                || (path.starts_with(self.prefix.as_str())
                    && path.as_bytes().get(self.prefix.len()) == Some(&b'/'))
        } else {
            self.glob.as_ref().is_some_and(|g| g.is_match(path))
        }
    }

    /// The folder (or file) a walk for this pattern starts at.
    pub fn start(&self) -> &str {
        &self.prefix
    }
}

/// The leading components of `pattern` without glob characters, and whether
/// that is the whole pattern.
fn literal_prefix(pattern: &str) -> (String, bool) {
    let parts: Vec<&str> = pattern.split('/').collect();
    let literal: Vec<&str> = parts
        .iter()
        .take_while(|p| !p.contains(['*', '?', '[', '{']))
        .copied()
        .collect();
    (literal.join("/"), literal.len() == parts.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_prefix_stops_at_the_first_glob() {
        assert_eq!(literal_prefix("src/**/*.rs"), ("src".into(), false));
        assert_eq!(literal_prefix("Cargo.toml"), ("Cargo.toml".into(), true));
        assert_eq!(literal_prefix("*.md"), ("".into(), false));
        assert_eq!(literal_prefix("a/b"), ("a/b".into(), true));
    }

    #[test]
    fn a_literal_folder_matches_what_is_below_it_only() {
        let out = Pattern::new("out");
        assert!(out.matches("out"));
        assert!(out.matches("out/app"));
        assert!(!out.matches("output.txt"));
        assert!(Pattern::new("docs/**").matches("docs/a/b.md"));
        assert!(!Pattern::new("*.md").matches("docs/a.md"));
    }
}
