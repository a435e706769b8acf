//! The checker every rule module reports through: it knows the file, its
//! text (to look at scalars as written) and collects [`Diagnostic`]s.

use std::path::Path;

use super::node::{kind, Node, Value};
use super::suggest;
use crate::diagnostics::Diagnostic;

/// Collects findings about one AppSpec file.
pub(crate) struct Checker<'a> {
    /// The file, as named in findings.
    pub file: &'a Path,
    /// Its text (BOM removed), for [`Node::raw`].
    pub source: &'a str,
    /// The revision root, when the whole revision is being checked.
    pub revision: Option<&'a Path>,
    /// Findings so far.
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Checker<'a> {
    /// An empty checker for `file` with text `source`.
    pub fn new(file: &'a Path, source: &'a str, revision: Option<&'a Path>) -> Self {
        Checker {
            file,
            source,
            revision,
            diagnostics: Vec::new(),
        }
    }

    /// Reports an error at `at`.
    pub fn error(&mut self, code: &str, at: &Node, message: String) {
        let d = Diagnostic::error(code, self.file, at.line, at.column, message);
        self.diagnostics.push(d);
    }

    /// Reports an error at `at` with a hint.
    pub fn error_hint(&mut self, code: &str, at: &Node, message: String, hint: impl Into<String>) {
        let d = Diagnostic::error(code, self.file, at.line, at.column, message);
        self.diagnostics.push(d.with_hint(hint));
    }

    /// Reports a warning at `at` with a hint.
    pub fn warning(&mut self, code: &str, at: &Node, message: String, hint: impl Into<String>) {
        let d = Diagnostic::warning(code, self.file, at.line, at.column, message);
        self.diagnostics.push(d.with_hint(hint));
    }

    /// A key's name: its string value, else its text as written.
    pub fn key_name(&self, key: &Node) -> String {
        match &key.value {
            Value::Str(s) => s.clone(),
            Value::Seq(_) | Value::Map(_) => format!("<{}>", kind(&key.value)),
            _ => key
                .raw(self.source)
                .map(|r| r.trim().to_string())
                .or_else(|| key.scalar_text())
                .unwrap_or_default(),
        }
    }

    /// The entries of `node` if it is a mapping; otherwise reports `code`
    /// saying that `what` must be a mapping.
    pub fn map<'n>(
        &mut self,
        code: &str,
        node: &'n Node,
        what: &str,
    ) -> Option<&'n [(Node, Node)]> {
        if let Some(entries) = node.as_map() {
            return Some(entries);
        }
        let found = kind(&node.value);
        self.error(
            code,
            node,
            format!("{what} must be a mapping, found {found}"),
        );
        None
    }

    /// The items of `node` if it is a list; otherwise reports `code`.
    pub fn seq<'n>(&mut self, code: &str, node: &'n Node, what: &str) -> Option<&'n [Node]> {
        if let Some(items) = node.as_seq() {
            return Some(items);
        }
        let found = kind(&node.value);
        self.error(code, node, format!("{what} must be a list, found {found}"));
        None
    }

    /// The string value of `node`; otherwise reports `code`.
    pub fn string<'n>(&mut self, code: &str, node: &'n Node, what: &str) -> Option<&'n str> {
        if let Some(s) = node.as_str() {
            return Some(s);
        }
        let found = kind(&node.value);
        self.error(
            code,
            node,
            format!("{what} must be a string, found {found}"),
        );
        None
    }

    /// Reports every key of `entries` that is not in `allowed` as `code`,
    /// suggesting the closest allowed key.
    pub fn unknown_keys(
        &mut self,
        code: &str,
        entries: &[(Node, Node)],
        allowed: &[&str],
        what: &str,
    ) {
        self.unknown_keys_but(code, entries, allowed, &[], what);
    }

    /// [`Checker::unknown_keys`], leaving out the keys in `ignored` (reported
    /// elsewhere with a better message).
    pub fn unknown_keys_but(
        &mut self,
        code: &str,
        entries: &[(Node, Node)],
        allowed: &[&str],
        ignored: &[&str],
        what: &str,
    ) {
        for (key, name, hint) in self.unknown(entries, allowed, ignored, what) {
            self.error_hint(code, key, format!("unknown key \"{name}\" in {what}"), hint);
        }
    }

    /// Warns (`code`) about every key of `entries` not in `allowed`: for keys
    /// the agent ignores inside an entry, where a typo silently drops a setting.
    pub fn unknown_keys_warning(
        &mut self,
        code: &str,
        entries: &[(Node, Node)],
        allowed: &[&str],
        what: &str,
    ) {
        for (key, name, hint) in self.unknown(entries, allowed, &[], what) {
            let message = format!("unknown key \"{name}\" in {what} is ignored by the agent");
            self.warning(code, key, message, hint);
        }
    }

    /// Each key of `entries` in neither `allowed` nor `ignored`, with its
    /// name and a hint (did you mean, and the keys `what` takes).
    fn unknown<'n>(
        &self,
        entries: &'n [(Node, Node)],
        allowed: &[&str],
        ignored: &[&str],
        what: &str,
    ) -> Vec<(&'n Node, String, String)> {
        let list = allowed.join(", ");
        entries
            .iter()
            .map(|(key, _)| (key, self.key_name(key)))
            .filter(|(_, name)| {
                !allowed.contains(&name.as_str()) && !ignored.contains(&name.as_str())
            })
            .map(|(key, name)| {
                let hint = match suggest::did_you_mean(&name, allowed) {
                    Some(s) => format!("{s} ({what} takes: {list})"),
                    None => format!("{what} takes: {list}"),
                };
                (key, name, hint)
            })
            .collect()
    }

    /// The key node and value of `name` in `entries`.
    pub fn entry<'n>(
        &self,
        entries: &'n [(Node, Node)],
        name: &str,
    ) -> Option<(&'n Node, &'n Node)> {
        entries
            .iter()
            .find(|(k, _)| self.key_name(k) == name)
            .map(|(k, v)| (k, v))
    }

    /// The one item (and its entries) of the mapping a `Resources` list must hold (rules
    /// 59, 62); otherwise reports `code` with `hint`.
    pub fn single_resource<'n>(
        &mut self,
        code: &str,
        node: &'n Node,
        hint: &str,
    ) -> Option<(&'n Node, &'n [(Node, Node)])> {
        let items = self.seq(code, node, "`Resources`")?;
        let [item] = items else {
            let message = format!(
                "`Resources` must hold exactly one item, found {}",
                items.len()
            );
            self.error_hint(code, node, message, hint);
            return None;
        };
        Some((item, self.map(code, item, "the `Resources` item")?))
    }
}
