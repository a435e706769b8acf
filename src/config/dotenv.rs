//! `env_file:`: a dotenv file of `KEY=VALUE` lines.
//!
//! Blank lines and `#` comments are skipped; `export KEY=VALUE` is accepted;
//! values may be bare (a ` #` starts a comment), 'single-quoted' (literal) or
//! "double-quoted" (with `\n`, `\t`, `\"` and `\\` escapes).

use std::path::Path;

use crate::diagnostics::Diagnostic;

/// Parses dotenv `text`; `file` names it in diagnostics.
pub fn parse(file: &Path, text: &str) -> Result<Vec<(String, String)>, Diagnostic> {
    let mut vars = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let indent = raw.len() - line.len();
        let line = line.strip_prefix("export ").map_or(line, str::trim_start);
        let error = |column: usize, message: &str| {
            // The line is not quoted: its value may be a secret.
            Diagnostic::error("C012", file, index + 1, column, message.to_string())
                .with_hint("write KEY=VALUE, e.g. DB_PASSWORD=hunter2 or NAME=\"two words\"")
                .without_source()
        };
        let Some((key, value)) = line.split_once('=') else {
            return Err(error(indent + 1, "expected KEY=VALUE"));
        };
        let key = key.trim();
        if !crate::vars::is_shell_name(key) {
            return Err(error(indent + 1, &format!("invalid variable name `{key}`")));
        }
        let value_column = raw.len() - value.len() + 1;
        let value = parse_value(value.trim()).map_err(|m| error(value_column, m))?;
        vars.push((key.to_string(), value));
    }
    Ok(vars)
}

fn parse_value(value: &str) -> Result<String, &'static str> {
    if let Some(rest) = value.strip_prefix('\'') {
        return rest
            .strip_suffix('\'')
            .map(str::to_string)
            .ok_or("unterminated single quote");
    }
    if let Some(rest) = value.strip_prefix('"') {
        let inner = rest.strip_suffix('"').ok_or("unterminated double quote")?;
        return Ok(unescape(inner));
    }
    let bare = match value.find(" #") {
        Some(at) => &value[..at],
        None => value,
    };
    Ok(bare.trim_end().to_string())
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_forms() {
        let text = "# c\nA=1\nexport B = two words # note\nC='x # y'\nD=\"a\\nb\"\n\n";
        let vars = parse(Path::new(".env"), text).unwrap();
        let expect = [
            ("A", "1"),
            ("B", "two words"),
            ("C", "x # y"),
            ("D", "a\nb"),
        ];
        let expect: Vec<_> = expect
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(vars, expect);
    }

    #[test]
    fn locates_bad_lines() {
        let err = parse(Path::new(".env"), "A=1\n  nonsense\n").unwrap_err();
        assert_eq!((err.line, err.column), (2, 3));
        let err = parse(Path::new(".env"), "A=\"open\n").unwrap_err();
        assert_eq!((err.line, err.column), (1, 3));
    }
}
