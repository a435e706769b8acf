//! Text made safe and short enough for a terminal: control characters from
//! files escaped (a file must not be able to drive the terminal, whatever
//! `--color` says), widths counted in terminal columns (`unicode-width`),
//! long text shortened with `…`.

use std::fmt::Write as _;

use unicode_width::UnicodeWidthChar;

/// Columns of a source line shown under a diagnostic, around the caret.
pub const SOURCE_WINDOW: usize = 200;

/// Whether `c` must not reach a terminal as is: C0/C1 controls (escape
/// sequences, carriage returns) and the bidirectional overrides that make
/// text read differently from what it is.
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// How `c` is shown: itself, or an escape such as `\u{1b}`.
fn shown(c: char) -> String {
    if is_unsafe(c) {
        c.escape_unicode().to_string()
    } else {
        c.to_string()
    }
}

/// `text` with every control character escaped (`\u{1b}`); newlines and
/// tabs are kept when `keep_layout` is set (multi-line messages).
pub fn escape_controls(text: &str, keep_layout: bool) -> String {
    if !text.chars().any(is_unsafe) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if keep_layout && (c == '\n' || c == '\t') {
            out.push(c);
        } else {
            let _ = write!(out, "{}", shown(c));
        }
    }
    out
}

/// Terminal columns taken by `text`.
pub fn width(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// `text` on one line and at most `max` columns wide, ending in `…` when cut.
pub fn shorten(text: &str, max: usize) -> String {
    let one_line = escape_controls(text, false);
    if width(&one_line) <= max {
        return one_line;
    }
    let mut out = String::new();
    let mut used = 0;
    for c in one_line.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// A source line ready to print: controls escaped, tabs as one space (the
/// parser counts a tab as one column), at most [`SOURCE_WINDOW`] columns
/// around 1-based `column` with `…` where it was cut, and the number of
/// columns in front of that character (where the caret goes).
pub fn source_window(line: &str, column: usize) -> (String, usize) {
    let pieces: Vec<(String, usize)> = line
        .chars()
        .map(|c| {
            let text = if c == '\t' { " ".to_string() } else { shown(c) };
            let w = width(&text);
            (text, w)
        })
        .collect();
    let caret = column.saturating_sub(1).min(pieces.len());
    let (mut low, mut high, mut used) = (caret, caret, 0);
    while low > 0 && used + pieces[low - 1].1 <= SOURCE_WINDOW / 2 {
        low -= 1;
        used += pieces[low].1;
    }
    while high < pieces.len() && used + pieces[high].1 <= SOURCE_WINDOW {
        used += pieces[high].1;
        high += 1;
    }
    while low > 0 && used + pieces[low - 1].1 <= SOURCE_WINDOW {
        low -= 1;
        used += pieces[low].1;
    }
    let mut text = String::new();
    let mut pad = 0;
    if low > 0 {
        text.push('…');
        pad += 1;
    }
    for (i, (piece, w)) in pieces[low..high].iter().enumerate() {
        text.push_str(piece);
        if low + i < caret {
            pad += w;
        }
    }
    if high < pieces.len() {
        text.push('…');
    }
    (text, pad)
}

/// `arg` quoted for a POSIX shell when it needs to be (for command lines
/// shown to users, e.g. by `--dry-run`).
pub fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+%".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_controls() {
        assert_eq!(
            escape_controls("a\u{1b}[31mb\r", false),
            "a\\u{1b}[31mb\\u{d}"
        );
        assert_eq!(escape_controls("a\nb\u{202e}", true), "a\nb\\u{202e}");
    }

    #[test]
    fn counts_wide_characters() {
        assert_eq!(width("日本"), 4);
        assert_eq!(shorten("日本語のテキスト", 7), "日本語…");
        assert_eq!(shorten("short", 10), "short");
    }

    #[test]
    fn windows_a_long_line_around_the_column() {
        let line = format!("{}X{}", "a".repeat(5000), "b".repeat(5000));
        let (text, pad) = source_window(&line, 5001);
        assert!(width(&text) <= SOURCE_WINDOW + 2, "{}", width(&text));
        assert!(text.starts_with('…') && text.ends_with('…'));
        assert_eq!(text.chars().nth(pad), Some('X'));
    }

    #[test]
    fn caret_padding_counts_display_columns() {
        let (text, pad) = source_window("名前: ${bad}", 5);
        assert_eq!(text, "名前: ${bad}");
        assert_eq!(pad, 6);
    }
}
