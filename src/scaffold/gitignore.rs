//! Keeping `.gantry/` (run records, logs, cache, artifacts) out of git.

/// Whether a `.gitignore` line already ignores the root's `.gantry/`.
fn ignores_state(line: &str) -> bool {
    matches!(
        line.trim(),
        ".gantry"
            | ".gantry/"
            | "/.gantry"
            | "/.gantry/"
            | ".gantry/*"
            | "/.gantry/*"
            | ".gantry/**"
            | "/.gantry/**"
    )
}

/// The new `.gitignore` text with `.gantry/` appended, or `None` when
/// `existing` already ignores it. A missing file counts as empty; the
/// result always ends with a newline.
pub fn with_state_dir(existing: Option<&str>) -> Option<String> {
    let existing = existing.unwrap_or("");
    if existing.lines().any(ignores_state) {
        return None;
    }
    let mut text = existing.to_string();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(".gantry/\n");
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_once_and_keeps_a_trailing_newline() {
        assert_eq!(with_state_dir(None).unwrap(), ".gantry/\n");
        assert_eq!(with_state_dir(Some("")).unwrap(), ".gantry/\n");
        assert_eq!(
            with_state_dir(Some("/target")).unwrap(),
            "/target\n.gantry/\n"
        );
        assert_eq!(with_state_dir(Some("a\n")).unwrap(), "a\n.gantry/\n");
        let once = with_state_dir(Some("a\n")).unwrap();
        assert_eq!(with_state_dir(Some(&once)), None);
    }

    #[test]
    fn recognises_the_usual_spellings() {
        for line in [
            ".gantry",
            ".gantry/",
            "/.gantry/",
            "/.gantry",
            "  .gantry/  ",
        ] {
            assert_eq!(
                with_state_dir(Some(&format!("x\n{line}\n"))),
                None,
                "{line}"
            );
        }
        assert!(with_state_dir(Some("# .gantry/\n.gantry-old/\n!.gantry/\n")).is_some());
    }
}
