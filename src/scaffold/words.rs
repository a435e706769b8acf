//! Words in command lines and files, as init's readers look for them: the
//! first operand after a program's options, and a word that counts only
//! with the right characters around it. Each caller keeps its own rules
//! (which options take a value, which neighbours end a word).

/// The first operand among a command line's `words` (after the program's
/// name): the options before it are skipped, `is_option` telling them,
/// with the word after each of `valued` (`git -C dir checkout`, `uv run
/// --group lint ruff`). `words` is left right after the operand.
pub fn first_operand<'a>(
    words: &mut impl Iterator<Item = &'a str>,
    valued: &[&str],
    is_option: impl Fn(&str) -> bool,
) -> Option<&'a str> {
    while let Some(word) = words.next() {
        if valued.contains(&word) {
            words.next();
        } else if !is_option(word) {
            return Some(word);
        }
    }
    None
}

/// Whether a word starts with `-`: an option, for most programs.
pub fn dashed(word: &str) -> bool {
    word.starts_with('-')
}

/// Whether `text` holds `word` where `bounded` accepts the characters
/// right before and after it (`None` at either end of `text`).
pub fn has_bounded(
    text: &str,
    word: &str,
    bounded: impl Fn(Option<char>, Option<char>) -> bool,
) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        bounded(before, after)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_operand_comes_after_the_options_and_their_values() {
        let mut words = "-C dir --no-pager checkout main".split_whitespace();
        assert_eq!(first_operand(&mut words, &["-C"], dashed), Some("checkout"));
        assert_eq!(words.next(), Some("main"));
        let mut words = "-C dir".split_whitespace();
        assert_eq!(first_operand(&mut words, &["-C"], dashed), None);
        let mut words = "-C".split_whitespace();
        assert_eq!(first_operand(&mut words, &["-C"], dashed), None);
    }

    #[test]
    fn a_word_counts_only_with_the_neighbours_its_caller_accepts() {
        let not_letter = |c: Option<char>| !c.is_some_and(|c| c.is_ascii_alphabetic());
        let apart = |before, after| not_letter(before) && not_letter(after);
        assert!(has_bounded("run tests", "test", |_, _| true));
        assert!(!has_bounded("run tests", "test", apart));
        assert!(has_bounded("tests; test", "test", apart));
        assert!(has_bounded("test", "test", apart));
    }
}
