//! `include:`: stages kept in other YAML files of the repository. Paths are
//! relative to the including file; each file's own stages come first, then
//! those of the files it includes, in the order listed (depth first), so a
//! chain `gantry.yml → b.yml → c.yml` runs its stages in that order.
//! A file that includes itself (directly or through others), a path outside
//! the repository and an unreadable or invalid file are errors located in
//! the file that has the problem.

use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::raw::RawStage;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::Span;

/// An included file as written: more stages, and maybe more includes.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields, rename = "IncludedFile", extend("patternProperties" = { "^x-": {} }))]
pub struct RawIncluded {
    /// More files to include, relative to this one.
    #[schemars(with = "Option<Vec<String>>")]
    pub include: Option<Spanned<Vec<Spanned<String>>>>,
    /// Stages appended to the pipeline's, in order.
    #[serde(default)]
    pub stages: Vec<RawStage>,
}

/// Reads a file's bytes, from disk or from a commit (`gantry hook`).
pub type Read<'r> = &'r dyn Fn(&Path) -> Result<Vec<u8>, String>;

/// One included file, kept so that its stages' findings can quote it.
pub struct IncludedFile {
    /// Its path: the including file's directory joined with what was written.
    pub file: PathBuf,
    /// Its text.
    pub text: String,
}

/// Everything the includes of a config brought in.
#[derive(Default)]
pub struct Includes {
    /// The included files, in the order they were read.
    pub files: Vec<IncludedFile>,
    /// Their stages, each with the index of its file in `files`.
    pub stages: Vec<(usize, RawStage)>,
    /// Problems, each located in the file that has it.
    pub diagnostics: Vec<Diagnostic>,
    /// Whether some listed file could not be read (its stages are missing).
    pub incomplete: bool,
}

/// Follows the `include:` list of `main` (and theirs, recursively).
pub fn resolve(main: &Path, list: Option<&Spanned<Vec<Spanned<String>>>>, read: Read) -> Includes {
    let dir = main.parent().unwrap_or(Path::new(""));
    let boundary = dir
        .ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(dir)
        .to_path_buf();
    let mut walk = Walk {
        boundary,
        read,
        stack: vec![normalize(main)],
        out: Includes::default(),
    };
    walk.list(main, list);
    walk.out
}

struct Walk<'r> {
    /// The repository's top directory (or the config's when not in git).
    boundary: PathBuf,
    read: Read<'r>,
    /// The chain of files being read, for cycles.
    stack: Vec<PathBuf>,
    out: Includes,
}

impl Walk<'_> {
    fn list(&mut self, from: &Path, list: Option<&Spanned<Vec<Spanned<String>>>>) {
        for entry in list.map(|l| l.value.as_slice()).unwrap_or_default() {
            let at = Span::from(&entry.referenced);
            let read = self.entry(from, &entry.value);
            if !matches!(read, Ok(true)) {
                self.out.incomplete = true;
            }
            if let Err((code, message, hint)) = read {
                let d = Diagnostic::error(code, from, at.line, at.column, message);
                self.out.diagnostics.push(d.with_hint(hint));
            }
        }
    }

    /// Follows one entry of an `include:` list: whether its file was read
    /// (its own errors are reported), or the error of the entry itself.
    fn entry(
        &mut self,
        from: &Path,
        written: &str,
    ) -> Result<bool, (&'static str, String, String)> {
        let written = written.trim();
        if written.is_empty() || Path::new(written).is_absolute() {
            return Err((
                "C080",
                format!("`{written}` is not a relative path"),
                "write the included file's path relative to this file, e.g. ci/test.yml".into(),
            ));
        }
        let path = normalize(&from.parent().unwrap_or(Path::new("")).join(written));
        if !self.inside(&path) {
            return Err((
                "C081",
                format!("`{written}` is outside the repository"),
                format!("included files must lie inside {}", shown(&self.boundary)),
            ));
        }
        if let Some(start) = self.stack.iter().position(|p| *p == path) {
            let chain: Vec<String> = self.stack[start..]
                .iter()
                .chain([&path])
                .map(|p| shown(p.strip_prefix(&self.boundary).unwrap_or(p)))
                .collect();
            return Err((
                "C082",
                format!("include cycle: {}", chain.join(" → ")),
                "a file cannot include itself, directly or through other files".into(),
            ));
        }
        let bytes = (self.read)(&path).map_err(|e| {
            (
                "C083",
                format!("cannot read the included file `{written}`: {e}"),
                "check the path: it is relative to the file that includes it".to_string(),
            )
        })?;
        Ok(self.file(path, &bytes))
    }

    /// Parses one included file and follows its own includes; whether it
    /// could be read (else its errors are reported and its stages missing).
    fn file(&mut self, path: PathBuf, bytes: &[u8]) -> bool {
        let text = match super::load::decode(&path, bytes) {
            Ok(text) => text.to_string(),
            Err(d) => {
                self.out.diagnostics.push(d);
                return false;
            }
        };
        let (raw, earlier) =
            match super::tolerant::read::<RawIncluded>(&path, &text, included_schema()) {
                Ok(read) => read,
                Err(found) => {
                    self.out.diagnostics.extend(found);
                    return false;
                }
            };
        self.out.diagnostics.extend(earlier);
        let index = self.out.files.len();
        self.out.files.push(IncludedFile {
            file: path.clone(),
            text,
        });
        self.out
            .stages
            .extend(raw.stages.into_iter().map(|s| (index, s)));
        self.stack.push(path.clone());
        self.list(&path, raw.include.as_ref());
        self.stack.pop();
        true
    }

    /// Inside the repository, also after following symbolic links.
    fn inside(&self, path: &Path) -> bool {
        let lexical = !path.components().any(|c| c == Component::ParentDir)
            && path.starts_with(&self.boundary);
        let real = match (path.canonicalize(), self.boundary.canonicalize()) {
            (Ok(p), Ok(b)) => p.starts_with(b),
            _ => true,
        };
        lexical && real
    }
}

/// The JSON Schema of an included file, for its tolerant second pass
/// (derived once per process).
pub fn included_schema() -> &'static serde_json::Value {
    static SCHEMA: std::sync::LazyLock<serde_json::Value> = std::sync::LazyLock::new(|| {
        serde_json::to_value(schemars::schema_for!(RawIncluded)).unwrap_or_default()
    });
    &SCHEMA
}

/// `path` with `.` and `a/..` taken out, without touching the disk (the
/// file may exist only in a commit).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                let popped =
                    matches!(out.components().next_back(), Some(Component::Normal(_))) && out.pop();
                if !popped && !out.has_root() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// `path` spelled relative to `base` (both as [`normalize`]d), with `..` to
/// climb out of `base`.
pub fn relative_to(path: &Path, base: &Path) -> PathBuf {
    let (path, base) = (normalize(path), normalize(base));
    let common = path
        .components()
        .zip(base.components())
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = PathBuf::new();
    for _ in base.components().skip(common) {
        out.push("..");
    }
    for part in path.components().skip(common) {
        out.push(part);
    }
    out
}

fn shown(path: &Path) -> String {
    if path.as_os_str().is_empty() {
        ".".into()
    } else {
        path.display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_without_the_disk() {
        assert_eq!(normalize(Path::new("a/./b/../c.yml")), Path::new("a/c.yml"));
        assert_eq!(normalize(Path::new("../x.yml")), Path::new("../x.yml"));
        assert_eq!(normalize(Path::new("/r/a/../../..")), Path::new("/"));
        assert_eq!(
            relative_to(Path::new("/r/shared/ci.yml"), Path::new("/r/app")),
            Path::new("../shared/ci.yml")
        );
    }
}
