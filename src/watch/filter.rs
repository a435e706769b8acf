//! Which changed paths matter to `gantry watch`: those under the pipeline
//! root, outside `.git/` and `.gantry/`, that are an input of a watched
//! action by the cache's own rules (`cache::inputs::InputRules`: the default
//! set of files git sees minus outputs, `$default`, written patterns, `!`
//! exclusions). The config file always matters.

use std::path::{Component, Path, PathBuf};

use crate::cache::inputs::InputRules;

/// Decides whether a changed path should start a run.
pub struct Filter {
    root: PathBuf,
    /// `gantry.yml` and the files it includes.
    config: Vec<PathBuf>,
    /// The watched actions' input rules.
    actions: Vec<InputRules>,
    repo: Option<git2::Repository>,
}

impl Filter {
    /// A filter for the pipeline under `root` read from `config`, whose
    /// watched actions declare `(inputs, outputs)`.
    pub fn new<'a>(
        root: &Path,
        config: &Path,
        actions: impl IntoIterator<Item = (&'a [String], &'a [String])>,
    ) -> Filter {
        // Canonical, as git reports its work tree: a root reached through
        // a symbolic link still finds the .gitignore rules.
        let real = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        Filter {
            root: real(root),
            config: vec![real(config)],
            actions: actions
                .into_iter()
                .map(|(inputs, outputs)| InputRules::new(inputs, outputs))
                .collect(),
            repo: git2::Repository::discover(root).ok(),
        }
    }

    /// Also counts the files `gantry.yml` includes as the config.
    pub fn with_included(mut self, files: &[PathBuf]) -> Filter {
        let real = |p: &PathBuf| p.canonicalize().unwrap_or_else(|_| p.clone());
        self.config.extend(files.iter().map(real));
        self
    }

    /// The pipeline root this filter watches.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `path` relative to the root, `/`-separated, when it matters.
    pub fn relevant(&self, path: &Path) -> Option<String> {
        if self.config.iter().any(|c| c == path) {
            return self.relative(path);
        }
        let relative = self.relative(path)?;
        let hidden = Path::new(&relative)
            .components()
            .any(|c| matches!(c, Component::Normal(name) if crate::fsutil::is_hidden_name(name)));
        if hidden {
            return None;
        }
        let visible = !self.ignored_by_git(path);
        self.actions
            .iter()
            .any(|rules| rules.includes(&relative, visible))
            .then_some(relative)
    }

    fn relative(&self, path: &Path) -> Option<String> {
        let relative = path.strip_prefix(&self.root).ok()?;
        let text = relative.to_str()?.replace(std::path::MAIN_SEPARATOR, "/");
        (!text.is_empty()).then_some(text)
    }

    fn ignored_by_git(&self, path: &Path) -> bool {
        let Some(repo) = &self.repo else {
            return false;
        };
        let Some(workdir) = repo.workdir() else {
            return false;
        };
        let Ok(inside) = path.strip_prefix(workdir) else {
            return false;
        };
        repo.is_path_ignored(inside).unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(root: &Path, inputs: &[&[&str]]) -> Filter {
        filter_with_outputs(
            root,
            &inputs.iter().map(|i| (*i, &[][..])).collect::<Vec<_>>(),
        )
    }

    fn filter_with_outputs(root: &Path, actions: &[(&[&str], &[&str])]) -> Filter {
        let own = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<String>>();
        let lists: Vec<(Vec<String>, Vec<String>)> =
            actions.iter().map(|(i, o)| (own(i), own(o))).collect();
        Filter::new(
            root,
            &root.join("gantry.yml"),
            lists.iter().map(|(i, o)| (i.as_slice(), o.as_slice())),
        )
    }

    #[test]
    fn exclusions_default_and_outputs_follow_the_cache() {
        let root = Path::new("/repo");
        let f = filter_with_outputs(root, &[(&["!docs/**"], &["dist"])]);
        assert!(f.relevant(&root.join("src/a.rs")).is_some());
        assert!(f.relevant(&root.join("docs/a.md")).is_none(), "excluded");
        assert!(f.relevant(&root.join("dist/app.js")).is_none(), "an output");
        let f = filter(root, &[&["$default", "!*.md"]]);
        assert!(f.relevant(&root.join("src/a.rs")).is_some());
        assert!(f.relevant(&root.join("README.md")).is_none());
    }

    #[test]
    fn state_and_git_directories_never_matter() {
        let root = Path::new("/repo");
        let f = filter(root, &[&[]]);
        assert_eq!(
            f.relevant(&root.join("src/a.rs")).as_deref(),
            Some("src/a.rs")
        );
        assert_eq!(f.relevant(&root.join(".gantry/runs/1/summary.json")), None);
        assert_eq!(f.relevant(&root.join(".git/index")), None);
        assert_eq!(f.relevant(&root.join("sub/.git/HEAD")), None);
        assert_eq!(f.relevant(Path::new("/elsewhere/a.rs")), None);
    }

    #[test]
    fn inputs_narrow_the_watched_set_and_the_config_always_counts() {
        let root = Path::new("/repo");
        let f = filter(root, &[&["src", "*.toml"], &["docs/**/*.md"]]);
        assert!(f.relevant(&root.join("src/deep/a.rs")).is_some());
        assert!(f.relevant(&root.join("Cargo.toml")).is_some());
        assert!(f.relevant(&root.join("docs/x/y.md")).is_some());
        assert!(f.relevant(&root.join("srcx/a.rs")).is_none());
        assert!(f.relevant(&root.join("sub/Cargo.toml")).is_none());
        assert!(f.relevant(&root.join("README.md")).is_none());
        assert!(f.relevant(&root.join("gantry.yml")).is_some());
    }

    #[test]
    fn included_config_files_count_like_gantry_yml() {
        let root = Path::new("/repo");
        let f = filter(root, &[&["src"]]);
        assert!(f.relevant(&root.join("ci/more.yml")).is_none());
        let f = f.with_included(&[root.join("ci/more.yml")]);
        assert!(f.relevant(&root.join("ci/more.yml")).is_some());
    }

    #[test]
    fn an_action_without_inputs_watches_everything() {
        let root = Path::new("/repo");
        let f = filter(root, &[&["src"], &[]]);
        assert!(f.relevant(&root.join("README.md")).is_some());
    }

    #[test]
    fn gitignored_paths_do_not_matter() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        git2::Repository::init(&root).unwrap();
        std::fs::write(root.join(".gitignore"), "target/\n*.log\n").unwrap();
        let f = filter(&root, &[&[]]);
        assert!(f.relevant(&root.join("target/debug/x")).is_none());
        assert!(f.relevant(&root.join("run.log")).is_none());
        assert!(f.relevant(&root.join("src/main.rs")).is_some());
    }
}
