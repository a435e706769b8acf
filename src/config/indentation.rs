//! YAML structure errors in users' terms. The parser says "did not find
//! expected key" or "mapping values are not allowed in this context"; what
//! the user did is indent a line differently from its siblings, or put a
//! `-` list item among mapping keys. This looks at the lines themselves and
//! says which.

use crate::diagnostics::Diagnostic;

/// Parser messages that come from a line in the wrong column.
const STRUCTURE_MESSAGES: &[&str] = &[
    "did not find expected key",
    "did not find expected '-' indicator",
    "mapping values are not allowed",
    "block sequence entries are not allowed",
];

/// A line of the file as indentation sees it.
struct Line<'a> {
    number: usize,
    /// 1-based column of the first character.
    column: usize,
    /// 1-based column of the content after any `- ` markers.
    content_column: usize,
    /// Starts with a `-` list item marker.
    item: bool,
    content: &'a str,
}

impl<'a> Line<'a> {
    fn parse(number: usize, text: &'a str) -> Option<Self> {
        let trimmed = text.trim_start_matches(' ');
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return None;
        }
        let column = text.len() - trimmed.len() + 1;
        let mut content = trimmed;
        while let Some(rest) = content.strip_prefix("- ").or(content.strip_prefix("-\t")) {
            content = rest.trim_start_matches(' ');
        }
        let item = content.len() != trimmed.len() || trimmed == "-";
        Some(Line {
            number,
            column,
            content_column: column + trimmed.len() - content.len(),
            item,
            content,
        })
    }

    /// The key this line starts with, if it is `key: …`.
    fn key(&self) -> Option<&'a str> {
        let (key, _) = self.content.split_once(':')?;
        (!key.is_empty() && !key.contains(' ')).then_some(key)
    }
}

/// A clearer diagnostic for a YAML structure error, or `None` when the
/// lines do not show an indentation mistake.
pub fn explain(diagnostic: &Diagnostic, text: &str) -> Option<Diagnostic> {
    let parser_says = diagnostic.message.as_str();
    if !STRUCTURE_MESSAGES.iter().any(|m| parser_says.contains(m)) {
        return None;
    }
    let lines: Vec<&str> = text.split('\n').collect();
    let at = diagnostic.line.checked_sub(1)?;
    let current = Line::parse(diagnostic.line, lines.get(at)?.trim_end_matches('\r'))?;
    let earlier = || {
        lines[..at]
            .iter()
            .enumerate()
            .rev()
            .filter_map(|(i, l)| Line::parse(i + 1, l.trim_end_matches('\r')))
    };
    let previous = earlier().next()?;
    let (message, hint) = if current.item {
        let key = previous
            .key()
            .filter(|_| current.column == previous.content_column);
        if let Some(key) = key {
            mixed_item(&current, &previous, key)
        } else {
            let sibling = earlier().find(|l| l.item)?;
            if sibling.column == current.column {
                return None;
            }
            misaligned("list item", &current, sibling.number, sibling.column)
        }
    } else {
        if previous.content.ends_with(':') && current.column > previous.content_column {
            return None;
        }
        if current.column == previous.content_column {
            return None;
        }
        misaligned("line", &current, previous.number, previous.content_column)
    };
    let mut explained = Diagnostic::error(
        &diagnostic.code,
        &diagnostic.file,
        current.number,
        current.column,
        message,
    );
    explained.hint = Some(format!("{hint} (the YAML parser says: {parser_says})"));
    Some(explained)
}

fn mixed_item(current: &Line, previous: &Line, key: &str) -> (String, String) {
    (
        format!(
            "a `-` list item on line {} is mixed with mapping keys: line {} has the key `{key}` in the same column ({})",
            current.number, previous.number, current.column
        ),
        "a mapping cannot also hold list items: put the list under its own key ending in `:` (e.g. `actions:`) and indent it further".into(),
    )
}

fn misaligned(
    what: &str,
    current: &Line,
    sibling_line: usize,
    sibling_column: usize,
) -> (String, String) {
    (
        format!(
            "the indentation of line {} (column {}) does not match its siblings (line {sibling_line}, column {sibling_column})",
            current.number, current.column
        ),
        format!(
            "start the {what} in column {sibling_column} like its siblings, or in the column of the mapping it belongs to"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn explain_at(text: &str, line: usize, column: usize, parser: &str) -> Option<Diagnostic> {
        let d = Diagnostic::error("C001", Path::new("gantry.yml"), line, column, parser.into());
        explain(&d, text)
    }

    #[test]
    fn a_key_indented_less_than_its_siblings() {
        let text = "stages:\n  - name: t\n    actions:\n      - name: u\n        run: echo\n       bad: 1\n";
        let d = explain_at(text, 6, 8, "did not find expected '-' indicator").unwrap();
        assert_eq!((d.line, d.column), (6, 8));
        assert!(
            d.message
                .contains("(column 8) does not match its siblings (line 5, column 9)"),
            "{}",
            d.message
        );
    }

    #[test]
    fn a_list_item_among_mapping_keys() {
        let text = "stages:\n  - name: test\n    run: echo\n    - name: x\n";
        let d = explain_at(text, 4, 7, "did not find expected key").unwrap();
        assert!(
            d.message
                .contains("mixed with mapping keys: line 3 has the key `run`"),
            "{}",
            d.message
        );
    }

    #[test]
    fn a_list_item_out_of_line_with_its_siblings() {
        let text = "a:\n  b:\n      - name: u\n        run: echo\n     - name: x\n";
        let d = explain_at(text, 5, 6, "did not find expected key").unwrap();
        assert!(
            d.message
                .contains("line 5 (column 6) does not match its siblings (line 3, column 7)"),
            "{}",
            d.message
        );
    }

    #[test]
    fn other_errors_are_left_alone() {
        assert!(explain_at("a: [\n", 1, 4, "did not find expected ',' or ']'").is_none());
    }
}
