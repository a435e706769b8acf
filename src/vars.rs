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

/// Marks the start and end of an action-output reference left for run time.
const OUTPUT_OPEN: char = '\u{1}';
const OUTPUT_CLOSE: char = '\u{2}';

/// `actions.STAGE.ACTION.outputs.NAME` split into `STAGE.ACTION` and `NAME`;
/// `None` when `name` is not an output reference. Output names are letters,
/// digits, `_` and `-`.
pub fn output_reference(name: &str) -> Option<(&str, &str)> {
    let rest = name.strip_prefix("actions.")?;
    let (target, output) = rest.rsplit_once(".outputs.")?;
    let valid = !output.is_empty()
        && output
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && target.contains('.');
    valid.then_some((target, output))
}

/// `NAME` of a `matrix.NAME` reference (whether the action has that matrix
/// key is the loader's check).
pub fn matrix_reference(name: &str) -> Option<&str> {
    name.strip_prefix("matrix.")
        .filter(|n| !n.is_empty() && !n.contains('.'))
}

/// Splits `STAGE.ACTION` at the first dot where `is_action(stage, action)`
/// holds (stage and action names may themselves contain dots).
pub fn split_target<'a>(
    target: &'a str,
    is_action: &dyn Fn(&str, &str) -> bool,
) -> Option<(&'a str, &'a str)> {
    target
        .match_indices('.')
        .map(|(i, _)| (&target[..i], &target[i + 1..]))
        .find(|(stage, action)| is_action(stage, action))
}

/// Whether `text` still holds action-output references to resolve at run time.
pub fn has_outputs(text: &str) -> bool {
    text.contains(OUTPUT_OPEN)
}

/// Replaces each action-output reference left in `text` by `resolve(name)`,
/// where `name` is `actions.STAGE.ACTION.outputs.NAME`.
pub fn resolve_outputs(
    text: &str,
    resolve: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find(OUTPUT_OPEN) {
        out.push_str(&rest[..open]);
        let after = &rest[open + OUTPUT_OPEN.len_utf8()..];
        let Some(close) = after.find(OUTPUT_CLOSE) else {
            out.push_str(&rest[open..]);
            return Ok(out);
        };
        out.push_str(&resolve(&after[..close])?);
        rest = &after[close + OUTPUT_CLOSE.len_utf8()..];
    }
    out.push_str(rest);
    Ok(out)
}

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

/// Whether `name` is `env.NAME`.
pub fn is_env_name(name: &str) -> bool {
    name.strip_prefix("env.")
        .is_some_and(|n| !n.is_empty() && !n.contains('.'))
}

/// Checks that every reference in `text` names a known variable.
pub fn check(text: &str) -> Result<(), String> {
    for r in references(text) {
        let known = KNOWN.contains(&r.name)
            || output_reference(r.name).is_some()
            || matrix_reference(r.name).is_some()
            || is_env_name(r.name);
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

    /// A copy with `stage.name` set.
    pub fn for_stage(&self, stage: &str) -> Vars {
        let mut vars = self.clone();
        vars.set("stage.name", stage);
        vars
    }

    /// A copy with `stage.name` and `action.name` set.
    pub fn for_action(&self, stage: &str, action: &str) -> Vars {
        let mut vars = self.for_stage(stage);
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
                None if output_reference(r.name).is_some() => {
                    // Outputs exist only at run time: keep a marker to resolve then.
                    Some(format!("{OUTPUT_OPEN}{}{OUTPUT_CLOSE}", r.name))
                }
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

/// Whether `name` can name a shell (environment) variable: a letter or `_`,
/// then letters, digits and `_`.
pub fn is_shell_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
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
    fn output_references_wait_for_run_time() {
        assert_eq!(
            output_reference("actions.build.image.outputs.digest"),
            Some(("build.image", "digest"))
        );
        assert_eq!(output_reference("actions.build.outputs.x"), None);
        assert_eq!(output_reference("actions.a.b.outputs.x.y"), None);
        assert!(check("${actions.a.b.outputs.d}").is_ok());
        let planned = Vars::default()
            .expand("tag=${actions.a.b.outputs.d}!", &|_| None)
            .unwrap();
        assert!(has_outputs(&planned));
        let mut resolve = |name: &str| Ok(format!("<{name}>"));
        assert_eq!(
            resolve_outputs(&planned, &mut resolve),
            Ok("tag=<actions.a.b.outputs.d>!".to_string())
        );
        let is_action = |s: &str, a: &str| s == "v1.2" && a == "x";
        assert_eq!(split_target("v1.2.x", &is_action), Some(("v1.2", "x")));
        assert_eq!(split_target("v1.3.x", &is_action), None);
    }

    #[test]
    fn check_rejects_unknown_names() {
        assert_eq!(check("${git.shaa}"), Err("git.shaa".to_string()));
        assert!(check("${env.X} ${run.id}").is_ok());
    }
}
