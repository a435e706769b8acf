//! "Did you mean …?" suggestions by edit distance, shared by every check
//! that meets a misspelt word: `gantry.yml` keys and stage names, AppSpec
//! keys and lifecycle event names.

/// The candidate closest to `word`, if it is close enough to be a likely typo:
/// a case-insensitive match, or an edit distance (a swap of two neighbours
/// counting as one edit) of at most a third of the
/// word's length (at least 1, at most 3).
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    if let Some(same) = candidates.iter().find(|c| c.eq_ignore_ascii_case(word)) {
        return Some(same);
    }
    let limit = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .iter()
        .map(|c| (strsim::osa_distance(word, c), *c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// `did you mean "X"?` for the closest candidate, if any.
pub fn did_you_mean(word: &str, candidates: &[&str]) -> Option<String> {
    closest(word, candidates).map(|c| format!("did you mean \"{c}\"?"))
}

/// A hint naming what is valid (`valid`), in parentheses after
/// ``did you mean `X`?`` when `word` is close to a candidate; `typed`
/// writes the candidate as one would type it (`${X}`, say).
pub fn hint(
    word: &str,
    candidates: &[&str],
    typed: impl Fn(&str) -> String,
    valid: String,
) -> String {
    match closest(word, candidates) {
        Some(close) => format!("did you mean `{}`? ({valid})", typed(close)),
        None => valid,
    }
}

/// ``did you mean `X`? `` (with a space, to lead a sentence) when `word` is
/// close to a candidate, else nothing.
pub fn lead(word: &str, candidates: &[&str]) -> String {
    closest(word, candidates)
        .map(|close| format!("did you mean `{close}`? "))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos_and_case_mistakes() {
        let events = ["BeforeInstall", "AfterInstall", "ApplicationStart"];
        assert_eq!(closest("BeforInstall", &events), Some("BeforeInstall"));
        assert_eq!(closest("afterinstall", &events), Some("AfterInstall"));
        assert_eq!(closest("Deploy", &events), None);
        let keys = ["run_order", "timeout", "run"];
        assert_eq!(closest("run_ordr", &keys), Some("run_order"));
        assert_eq!(closest("timout", &keys), Some("timeout"));
    }
}
