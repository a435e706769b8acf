//! Settings that take one of a few words (`bundle:`, a group's `config:`,
//! `engine:`): the words and the one error a wrong word gets. The loader
//! checks these values on a file serde read; the tolerant pass (`shape`)
//! meets them when serde could not read the file. Both ask the [`Choice`]
//! here, so the same mistake gets the same code, message and help whether
//! or not something else in the file is wrong too.

use crate::config::image::Problem;
use crate::diagnostics::Span;

/// A setting whose value is one of a few words.
pub struct Choice {
    /// The words, in the order the JSON schema's `enum` and the help list them.
    pub words: &'static [&'static str],
    /// A prefix that may be written before a word (`CodeDeployDefault.`).
    prefix: Option<&'static str>,
    /// The diagnostic code of any other word.
    code: &'static str,
    /// What any other word is called, e.g. "unknown engine `dokker`".
    message: fn(&str) -> String,
    /// What would be valid.
    hint: &'static str,
}

/// `bundle:` of a deployment group.
pub const BUNDLE: Choice = Choice {
    words: &["copy", "link"],
    prefix: None,
    code: "C042",
    message: |written| format!("bundle: {written}"),
    hint: "give `copy` (the default: the kept bundle owns its data) or `link` (hard links to the revision's files, for revision folders that are rebuilt, never edited in place)",
};

/// A named `config:` of a deployment group.
pub const DEPLOYMENT_CONFIG: Choice = Choice {
    words: &["AllAtOnce", "HalfAtATime", "OneAtATime"],
    prefix: Some("CodeDeployDefault."),
    code: "C043",
    message: |written| format!("unknown deployment configuration `{written}`"),
    hint: "use one of AllAtOnce, HalfAtATime, OneAtATime, or { minimum_healthy: N } / { minimum_healthy: \"N%\" }",
};

/// `engine:` of a `container:` mapping.
pub const ENGINE: Choice = Choice {
    words: &["auto", "docker", "podman", "buildah"],
    prefix: None,
    code: crate::config::container::C_ENGINE,
    message: |written| format!("unknown engine `{written}`"),
    hint: "use `auto`, `docker`, `podman` or `buildah`",
};

/// Every choice, for the tolerant pass.
const ALL: [&Choice; 3] = [&BUNDLE, &DEPLOYMENT_CONFIG, &ENGINE];

impl Choice {
    /// The word `written` (at `at`) stands for, or the problem with it
    /// (with a "did you mean" when it is close to a word).
    pub fn pick(&self, written: &str, at: Span) -> Result<&'static str, Problem> {
        let word = self
            .prefix
            .and_then(|p| written.strip_prefix(p))
            .unwrap_or(written);
        match self.words.iter().find(|w| **w == word) {
            Some(found) => Ok(found),
            None => Err(Problem {
                code: self.code,
                span: at,
                message: (self.message)(written),
                hint: format!("{}{}", crate::suggest::lead(word, self.words), self.hint),
            }),
        }
    }

    /// The choice whose words a JSON schema `enum` lists (the schema's
    /// `enum` of each choice is its [`Choice::words`]).
    pub fn listing(words: &[&str]) -> Option<&'static Choice> {
        ALL.into_iter().find(|c| c.words == words)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_enum_of_the_schema_is_a_choice_and_choices_differ() {
        fn enums<'a>(node: &'a serde_json::Value, found: &mut Vec<Vec<&'a str>>) {
            match node {
                serde_json::Value::Object(map) => {
                    if let Some(list) = map.get("enum").and_then(|e| e.as_array()) {
                        found.push(list.iter().filter_map(|w| w.as_str()).collect());
                    }
                    map.values().for_each(|v| enums(v, found));
                }
                serde_json::Value::Array(list) => list.iter().for_each(|v| enums(v, found)),
                _ => {}
            }
        }
        let schema = crate::config::json_schema();
        let mut found = Vec::new();
        enums(&schema, &mut found);
        assert_eq!(found.len(), ALL.len(), "{found:?}");
        for words in &found {
            assert!(
                Choice::listing(words).is_some(),
                "no choice lists {words:?}"
            );
        }
        for (i, a) in ALL.iter().enumerate() {
            assert!(ALL[i + 1..].iter().all(|b| a.words != b.words));
            for word in a.words {
                assert!(a.hint.contains(word), "the hint names `{word}`");
            }
        }
    }

    #[test]
    fn picks_a_word_or_says_what_is_valid() {
        let at = Span { line: 1, column: 2 };
        assert_eq!(BUNDLE.pick("link", at).ok(), Some("link"));
        let c = DEPLOYMENT_CONFIG.pick("CodeDeployDefault.AllAtOnce", at);
        assert_eq!(c.ok(), Some("AllAtOnce"));
        let wrong = ENGINE.pick("dokker", at).unwrap_err();
        assert_eq!(wrong.code, "C091");
        assert_eq!(wrong.message, "unknown engine `dokker`");
        assert!(wrong.hint.starts_with("did you mean `docker`? use `auto`"));
    }

    #[test]
    fn the_loader_knows_every_word() {
        // Its callers match the words, and any other is unreachable.
        for bundle in BUNDLE.words {
            for config in DEPLOYMENT_CONFIG.words {
                for engine in ENGINE.words {
                    let text = format!(
                        "version: 1\n\
                         deploy_groups: {{ dev: {{ instances: 2, bundle: {bundle}, config: {config} }} }}\n\
                         stages: [ {{ name: s, run: 'true', container: {{ image: debian, engine: {engine} }} }} ]\n"
                    );
                    let loaded =
                        crate::config::load_text(std::path::Path::new("gantry.yml"), &text);
                    assert!(loaded.is_ok(), "{text}");
                }
            }
        }
    }
}
