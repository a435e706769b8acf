//! `${namespace.name}` variables in commands, env values and paths.
//!
//! Only references with a dot are gantry's (`${git.sha}`, `${env.HOME}`);
//! everything else, `${HOME}` or `${x:-y}`, is left to the shell. `$${` writes
//! a literal `${`.

use std::collections::BTreeMap;

/// The variables gantry knows, apart from `env.*`.
pub const KNOWN: &[&str] = &[
    "git.sha",
    "git.short_sha",
    "git.branch",
    "git.tag",
    "git.dirty",
    "run.id",
    "pipeline.name",
    "stage.name",
    "action.name",
];

/// One `${ns.name}` reference found in a text.
#[derive(Debug, PartialEq, Eq)]
pub struct Reference<'a> {
    /// Byte offset of the `$`.
    pub start: usize,
    /// Byte offset just past the `}`.
    pub end: usize,
    /// The full name, e.g. `git.sha` or `env.HOME`.
    pub name: &'a str,
}

/// Every gantry reference in `text`, in order (escaped `$${` ones excluded).
pub fn references(text: &str) -> Vec<Reference<'_>> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(pos) = text[i..].find("${") {
        let start = i + pos;
        if start > 0 && bytes[start - 1] == b'$' {
            i = start + 2;
            continue;
        }
        let body_start = start + 2;
        match text[body_start..].find('}') {
            Some(len) => {
                let name = &text[body_start..body_start + len];
                if is_gantry_name(name) {
                    found.push(Reference {
                        start,
                        end: body_start + len + 1,
                        name,
                    });
                }
                i = body_start;
            }
            None => break,
        }
    }
    found
}

fn is_gantry_name(name: &str) -> bool {
    let Some((ns, rest)) = name.split_once('.') else {
        return false;
    };
    !ns.is_empty()
        && ns.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
        && !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-')
}

/// Checks that every reference in `text` names a known variable.
pub fn check(text: &str) -> Result<(), String> {
    for r in references(text) {
        let known = KNOWN.contains(&r.name)
            || r.name
                .strip_prefix("env.")
                .is_some_and(|n| !n.is_empty() && !n.contains('.'));
        if !known {
            return Err(r.name.to_string());
        }
    }
    Ok(())
}

/// Values for expansion: the fixed variables and the environment.
#[derive(Clone, Debug, Default)]
pub struct Vars {
    values: BTreeMap<String, String>,
}

impl Vars {
    /// Sets `name` (e.g. `git.sha`) to `value`.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.values.insert(name.to_string(), value.into());
    }

    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// A copy with `stage.name` and `action.name` set.
    pub fn for_action(&self, stage: &str, action: &str) -> Vars {
        let mut vars = self.clone();
        vars.set("stage.name", stage);
        vars.set("action.name", action);
        vars
    }

    /// Expands every reference in `text`; `env` answers `${env.NAME}`.
    /// Fails with the name of the first variable that has no value.
    pub fn expand(
        &self,
        text: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<String, String> {
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for r in references(text) {
            out.push_str(&unescape(&text[last..r.start]));
            let value = match r.name.strip_prefix("env.") {
                Some(var) => env(var),
                None => self.get(r.name).map(str::to_string),
            };
            out.push_str(&value.ok_or_else(|| r.name.to_string())?);
            last = r.end;
        }
        out.push_str(&unescape(&text[last..]));
        Ok(out)
    }
}

fn unescape(text: &str) -> String {
    text.replace("$${", "${")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_only_dotted_references() {
        let refs = references("echo ${git.sha} ${HOME} ${x:-y} $${git.sha} ${env.USER}");
        let names: Vec<_> = refs.iter().map(|r| r.name).collect();
        assert_eq!(names, ["git.sha", "env.USER"]);
    }

    #[test]
    fn expands_and_unescapes() {
        let mut vars = Vars::default();
        vars.set("git.sha", "abc");
        let env = |k: &str| (k == "USER").then(|| "me".to_string());
        assert_eq!(
            vars.expand("${git.sha}-${env.USER} $${git.sha} ${HOME}", &env),
            Ok("abc-me ${git.sha} ${HOME}".to_string())
        );
        assert_eq!(
            vars.expand("${env.NOPE}", &env),
            Err("env.NOPE".to_string())
        );
    }

    #[test]
    fn check_rejects_unknown_names() {
        assert_eq!(check("${git.shaa}"), Err("git.shaa".to_string()));
        assert!(check("${env.X} ${run.id}").is_ok());
    }
}
