//! One diagnostics type for everything gantry reports about a file: config
//! errors in `gantry.yml`, AppSpec findings, YAML syntax errors.
//!
//! A [`Diagnostic`] carries a severity, a stable code, a location and a
//! message with an optional hint. Rendering is separate from detection:
//! [`render_human`] prints compiler-style text with the source line and a
//! caret, [`render_json`] one JSON object per finding, [`render_github`]
//! GitHub Actions workflow commands.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::text;

/// A config file that could not be loaded: every problem found, located.
#[derive(Debug, thiserror::Error)]
#[error("{} in {}", crate::error::plural(.diagnostics.len(), "error"), .file)]
pub struct ConfigError {
    /// The config file, as shown to the user.
    pub file: String,
    /// What is wrong, with locations.
    pub diagnostics: Vec<Diagnostic>,
}

/// A place in the config file, for messages about a value found valid at load
/// time but wrong at run time (a missing secret, an unset variable).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl Span {
    /// Where `needle` first appears in `source` at or after this span (the
    /// start of the value holding it), so that a caret points inside the
    /// value; this span itself when the value spells it differently
    /// (escapes in a quoted string).
    pub fn narrowed_to(self, source: &str, needle: &str) -> Span {
        let first = self.line.saturating_sub(1);
        for (index, line) in source.split('\n').enumerate().skip(first) {
            let start = if index == first {
                line.char_indices()
                    .nth(self.column.saturating_sub(1))
                    .map_or(line.len(), |(i, _)| i)
            } else {
                0
            };
            if let Some(found) = line[start..].find(needle) {
                let column = line[..start + found].chars().count() + 1;
                return Span {
                    line: index + 1,
                    column,
                };
            }
        }
        self
    }
}

/// Where the value `s` starts (the spot an alias refers to, for an alias).
pub fn span<T>(s: &serde_saphyr::Spanned<T>) -> Span {
    Span::from(&s.referenced)
}

/// The text of `s` as written in `text`, the file it was read from (an
/// alias's own text, as the tolerant pass quotes it too).
pub fn written<'t, T>(text: &'t str, s: &serde_saphyr::Spanned<T>) -> Option<&'t str> {
    text.get(byte_range(&s.referenced.span())?)
}

/// The bytes of the file a serde-saphyr span covers, when it says.
pub fn byte_range(at: &serde_saphyr::Span) -> Option<std::ops::Range<usize>> {
    let start = usize::try_from(at.byte_offset()?).ok()?;
    let len = usize::try_from(at.byte_len()?).ok()?;
    Some(start..start.checked_add(len)?)
}

impl From<&serde_saphyr::Location> for Span {
    fn from(l: &serde_saphyr::Location) -> Self {
        Span {
            line: l.line() as usize,
            column: l.column() as usize,
        }
    }
}

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Fails validation (exit code 1) or stops a config from loading (exit code 2).
    Error,
    /// Reported, but does not fail validation.
    Warning,
}

/// A located finding about a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable code, e.g. `C004` for config errors or `E012` for AppSpec errors.
    pub code: String,
    /// The file the finding is about.
    pub file: PathBuf,
    /// 1-based line; 0 when the finding is about the file as a whole.
    pub line: usize,
    /// 1-based column; 0 when unknown.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// What would be valid, or how to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The file's lines are never quoted (a dotenv file holds secrets).
    #[serde(skip)]
    pub hide_source: bool,
}

impl Diagnostic {
    /// An error at `line:column` of `file`.
    pub fn error(code: &str, file: &Path, line: usize, column: usize, message: String) -> Self {
        Self {
            severity: Severity::Error,
            code: code.to_string(),
            file: file.to_path_buf(),
            line,
            column,
            message,
            hint: None,
            hide_source: false,
        }
    }

    /// A warning at `line:column` of `file`.
    pub fn warning(code: &str, file: &Path, line: usize, column: usize, message: String) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(code, file, line, column, message)
        }
    }

    /// Adds a hint saying what would be valid.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Leaves the source line out when rendering, for files of secrets.
    pub fn without_source(mut self) -> Self {
        self.hide_source = true;
        self
    }

    /// Whether this finding is an error (as opposed to a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:column`, leaving out the parts that are unknown.
    pub fn location(&self) -> String {
        let file = self.file.display();
        match (self.line, self.column) {
            (0, _) => format!("{file}"),
            (line, 0) => format!("{file}:{line}"),
            (line, column) => format!("{file}:{line}:{column}"),
        }
    }

    /// Turns a serde-saphyr error into a located diagnostic with `code`.
    pub fn from_yaml_error(code: &str, file: &Path, err: &serde_saphyr::Error) -> Self {
        let (line, column) = err
            .location()
            .map(|l| (l.line() as usize, l.column() as usize))
            .unwrap_or((0, 0));
        let message = strip_location_suffix(&err.without_snippet().to_string());
        Self::error(code, file, line, column, message)
    }
}

/// serde-saphyr appends " at line N, column M" to its messages; we print the
/// location ourselves, in front.
fn strip_location_suffix(message: &str) -> String {
    let trimmed = match message.rfind(" at line ") {
        Some(idx) if message[idx..].contains(", column ") => &message[..idx],
        _ => message,
    };
    // The library suggests a Rust API; our users edit YAML.
    let message = trimmed
        .replace(", set DuplicateKeyPolicy in Options if acceptable", "")
        .trim()
        .to_string();
    // A number out of a Rust type's range (`retries: -1`): say which
    // numbers would do, not the type's name.
    let range = match message.as_str() {
        "invalid u8" => Some(u64::from(u8::MAX)),
        "invalid u16" => Some(u64::from(u16::MAX)),
        "invalid u32" => Some(u64::from(u32::MAX)),
        "invalid u64" | "invalid usize" => Some(u64::MAX),
        _ => None,
    };
    range.map_or(message, expected_whole_number)
}

/// What a number out of range of a count of at most `max` is told.
pub fn expected_whole_number(max: u64) -> String {
    format!("expected a whole number from 0 to {max}")
}

/// Shows each diagnostic's file relative to `base` when it lies below it,
/// as people typed it (`gantry.yml`, not `/home/me/repo/gantry.yml`).
pub fn relativize(diagnostics: &mut [Diagnostic], base: &Path) {
    for d in diagnostics {
        if let Ok(relative) = d.file.strip_prefix(base) {
            if !relative.as_os_str().is_empty() {
                d.file = relative.to_path_buf();
            }
        }
    }
}

/// Counts errors and warnings in `diagnostics`.
pub fn count(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    (errors, diagnostics.len() - errors)
}

/// Caches source files so that every finding can show its line.
#[derive(Default)]
pub struct Sources {
    files: HashMap<PathBuf, Option<String>>,
}

impl Sources {
    /// Registers the text of `file`, e.g. when it was already read for parsing.
    pub fn insert(&mut self, file: &Path, text: String) {
        self.files.insert(file.to_path_buf(), Some(text));
    }

    /// The text of line `line` (1-based) of `file`, read from disk on first use.
    pub fn line(&mut self, file: &Path, line: usize) -> Option<String> {
        let text = self
            .files
            .entry(file.to_path_buf())
            .or_insert_with(|| crate::fsutil::read(file).ok().map(|b| lossy(&b)));
        let text = text.as_ref()?;
        text.split('\n')
            .nth(line.checked_sub(1)?)
            // Masked before any cutting or escaping, so no part of a secret shows.
            .map(|l| crate::secrets::mask(l.trim_end_matches('\r')))
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Longest message or hint shown, in columns; text from files can be long.
const MAX_MESSAGE: usize = 1000;

/// Compiler-style text: `error[CODE]: message`, the location, the source line
/// with a caret under the column, and the hint. Text from the file is
/// escaped and bounded (see [`crate::text`]).
pub fn render_human(diagnostic: &Diagnostic, sources: &mut Sources) -> String {
    let (label, style) = match diagnostic.severity {
        Severity::Error => ("error", console::Style::new().red().bold()),
        Severity::Warning => ("warning", console::Style::new().yellow().bold()),
    };
    let blue = console::Style::new().blue().bold();
    let number = diagnostic.line.to_string();
    let gutter = " ".repeat(number.len());
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {}",
        style.apply_to(format!("{label}[{}]", diagnostic.code)),
        console::style(shown(&diagnostic.message)).bold()
    );
    let location = text::escape_controls(&diagnostic.location(), false);
    let _ = writeln!(out, "{gutter}{} {location}", blue.apply_to("-->"));
    let source = match diagnostic.hide_source {
        true => None,
        false => sources.line(&diagnostic.file, diagnostic.line),
    };
    if let Some(source) = source {
        let (source, pad) = text::source_window(&source, diagnostic.column.max(1));
        let _ = writeln!(out, "{gutter} {}", blue.apply_to("|"));
        let _ = writeln!(
            out,
            "{} {} {source}",
            blue.apply_to(&number),
            blue.apply_to("|")
        );
        if diagnostic.column > 0 {
            let _ = writeln!(
                out,
                "{gutter} {} {}{}",
                blue.apply_to("|"),
                " ".repeat(pad),
                style.apply_to("^")
            );
        }
    }
    if let Some(hint) = &diagnostic.hint {
        let hint = shown(hint);
        let _ = writeln!(out, "{gutter} {} {hint}", console::style("= help:").bold());
    }
    out
}

/// A message or hint as printed: secrets masked first (so that shortening
/// cannot leave part of one), then escaped and bounded.
fn shown(message: &str) -> String {
    text::shorten(&crate::secrets::mask(message), MAX_MESSAGE)
}

/// One JSON object per finding, one per line.
pub fn render_json(diagnostic: &Diagnostic) -> String {
    serde_json::to_string(diagnostic).unwrap_or_default()
}

/// A GitHub Actions workflow command (`::error file=…,line=…,col=…::…`).
pub fn render_github(diagnostic: &Diagnostic) -> String {
    let kind = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut message = format!("[{}] {}", diagnostic.code, diagnostic.message);
    if let Some(hint) = &diagnostic.hint {
        message.push_str(" — ");
        message.push_str(hint);
    }
    let message = text::escape_controls(&message, true);
    let mut props = format!(
        "file={}",
        escape_property(&diagnostic.file.to_string_lossy())
    );
    if diagnostic.line > 0 {
        let _ = write!(props, ",line={}", diagnostic.line);
    }
    if diagnostic.column > 0 {
        let _ = write!(props, ",col={}", diagnostic.column);
    }
    format!("::{kind} {props}::{}", escape_data(&message))
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// 1-based line and column of the first invalid byte of `bytes`, given
/// `valid_up_to` from a [`std::str::Utf8Error`].
pub fn utf8_error_position(bytes: &[u8], valid_up_to: usize) -> (usize, usize) {
    let valid = &bytes[..valid_up_to.min(bytes.len())];
    let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&valid[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_saphyr_location_suffix() {
        assert_eq!(
            strip_location_suffix("unknown field `x` at line 4, column 5"),
            "unknown field `x`"
        );
        assert_eq!(
            strip_location_suffix(
                "duplicate mapping key: name, set DuplicateKeyPolicy in Options if acceptable at line 2, column 1"
            ),
            "duplicate mapping key: name"
        );
    }

    /// The caret sits under the character the column names, counted in
    /// terminal columns: a CJK character takes two, a tab is shown as one
    /// space (the parser counts it as one column).
    #[test]
    fn the_caret_counts_display_columns_of_wide_characters_and_tabs() {
        let file = Path::new("gantry.yml");
        let mut sources = Sources::default();
        sources.insert(file, "\tキー: 値 ${bad}\n".into());
        // 1-based column of `$`: tab, キ, ー, `:`, space, 値, space, `$`.
        let d = Diagnostic::error("C001", file, 1, 8, "bad".into());
        let text = console::strip_ansi_codes(&render_human(&d, &mut sources)).into_owned();
        let lines: Vec<&str> = text.lines().collect();
        let column_of = |line: &str, c: char| crate::text::width(&line[..line.find(c).unwrap()]);
        let (source, caret) = (lines[3], lines[4]);
        assert_eq!(source, "1 |  キー: 値 ${bad}");
        assert_eq!(column_of(caret, '^'), column_of(source, '$'), "\n{text}");
    }

    #[test]
    fn github_escapes_properties_and_data() {
        let d = Diagnostic::error("E001", Path::new("a,b.yml"), 3, 4, "50%\nbad".into());
        assert_eq!(
            render_github(&d),
            "::error file=a%2Cb.yml,line=3,col=4::[E001] 50%25%0Abad"
        );
    }
}
