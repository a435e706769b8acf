//! The tolerant pass over `gantry.yml`. serde stops at the first mistake, so
//! when it fails the file is also read as a plain located YAML tree and
//! checked against the JSON Schema derived from the loader's own types:
//! every unknown key (with a did-you-mean), missing key and wrong type is
//! found in one go instead of one per run.
//!
//! serde stays the authority on what is valid; this pass also runs on a
//! file serde accepted but skipped a key of (see `ignored`), to report the
//! unknown keys that the loader's types no longer refuse themselves (`x-`
//! keys are allowed where the schema says so, in `patternProperties`). It
//! also finds what only serde knows besides the schema: a key written twice
//! in one mapping, a duration or count serde refuses (asking serde itself).
//! When every finding is an unknown or repeated `key: value` (on a line of
//! its own, or an entry of a flow mapping), a value serde refuses, or a
//! wrong word for a [`Choice`](super::choice::Choice),
//! [`Shape::without_mistakes`] gives the text with those keys blanked
//! and those values written as `1` (every other position unchanged),
//! so that the loader's own checks can run as well and report their
//! findings too.

use std::ops::Range;
use std::path::Path;

use serde_json::Value as Schema;

use crate::appspec::node::{kind, Node, Value};
use crate::diagnostics::{Diagnostic, Span};
use crate::suggest;

/// What the tolerant pass found.
pub struct Shape {
    /// Every shape problem, located, in file order.
    pub found: Vec<Diagnostic>,
    /// The findings the text without them ([`Shape::without_mistakes`])
    /// no longer has: unknown and repeated keys (left out with their
    /// values) and values serde refuses (written as `1`). The loader reads
    /// that text, so these are reported from here; serde skips unknown
    /// keys, so those are reported from here even when serde reads the file.
    pub blanked: Vec<Diagnostic>,
    /// Where the left-out `key: value` entries are written: a line of its
    /// own, or an entry of a flow mapping with its comma.
    removable: Vec<Range<usize>>,
    /// Where the values serde refuses are written: each becomes `1` (a
    /// valid duration and count) padded with spaces, so that the key stays
    /// and the loader's checks of its mapping read as without the mistake.
    replaced: Vec<Range<usize>>,
    /// Where a block mapping whose every entry is blanked starts: `{}` is
    /// written there, or the mapping would become null.
    emptied: Vec<usize>,
    /// Some finding is not such an entry, nor a word serde reads as text.
    stuck: bool,
    /// Where serde may report a finding's mistake other than at the
    /// finding (line and column), with the message it then gives, when
    /// only that message is the same mistake: see [`Shape::covers`].
    also_at: Vec<((usize, usize), Option<String>)>,
}

impl Shape {
    /// Whether the pass found the mistake serde reported as `serde_error`
    /// too: a finding at its line and column (another finding on its line
    /// is another mistake).
    pub fn covers(&self, serde_error: &Diagnostic) -> bool {
        let at = (serde_error.line, serde_error.column);
        let same =
            |message: &Option<String>| message.as_ref().is_none_or(|m| *m == serde_error.message);
        self.found.iter().any(|d| (d.line, d.column) == at)
            || self.also_at.iter().any(|(p, m)| *p == at && same(m))
    }

    /// The findings and serde's error, which is left out when the pass
    /// found the same mistake: every mistake once.
    pub fn with(self, serde_error: Diagnostic) -> Vec<Diagnostic> {
        let covered = self.covers(&serde_error);
        let mut all = self.found;
        if !covered {
            all.push(serde_error);
        }
        all
    }

    /// `text` with the unknown and repeated keys blanked (a space for each
    /// character, so every other line and column stays; `{}` where a block
    /// mapping would be left empty) and the values serde refuses written
    /// as `1`, when every finding is one of those or a wrong word; `None`
    /// otherwise.
    pub fn without_mistakes(&self, text: &str) -> Option<String> {
        if self.stuck || (self.removable.is_empty() && self.replaced.is_empty()) {
            return None;
        }
        let blank = |at: usize| {
            let within = |r: &Range<usize>| r.contains(&at);
            self.removable.iter().any(within) || self.replaced.iter().any(within)
        };
        let mut kept = String::with_capacity(text.len());
        let mut close = false;
        for (at, c) in text.char_indices() {
            if self.emptied.contains(&at) {
                kept.push('{');
                close = true;
            } else if close {
                kept.push('}');
                close = false;
            } else if self.replaced.iter().any(|r| r.start == at) {
                kept.push('1');
            } else if c != '\n' && blank(at) {
                kept.push(' ');
            } else {
                kept.push(c);
            }
        }
        Some(kept)
    }

    /// Whether `line`:`column` of the text without the mistakes is in a
    /// blanked range or next to one (only blanks between): an error of
    /// that text there comes from the blanking, not from the file.
    pub fn by_blanked(&self, text: &str, line: usize, column: usize) -> bool {
        let Some(at) = offset(text, line, column) else {
            return false;
        };
        let blank = |between: Option<&str>| between.is_some_and(|b| b.trim().is_empty());
        self.removable.iter().any(|r| {
            r.contains(&at)
                || (at <= r.start && blank(text.get(at..r.start)))
                || (r.end <= at && blank(text.get(r.end..at)))
        })
    }
}

/// The byte offset of `line`:`column` (both from 1, the column in
/// characters) in `text`; its end when the position is past it.
fn offset(text: &str, line: usize, column: usize) -> Option<usize> {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .map(str::len)
        .sum();
    let rest = text.get(start..)?;
    let within = rest
        .char_indices()
        .nth(column.checked_sub(1)?)
        .map_or(rest.len(), |(i, _)| i);
    Some(start + within)
}

/// Every shape problem of `text` (a `gantry.yml`), located; none when the
/// text is not even YAML (the parser's own error says why).
#[cfg(test)]
pub fn check(file: &Path, text: &str) -> Shape {
    check_against(file, text, pipeline_schema())
}

/// The JSON Schema of `gantry.yml`, derived once per process (the pass
/// runs on every load serde refused or skipped a key of).
pub fn pipeline_schema() -> &'static Schema {
    static SCHEMA: std::sync::LazyLock<serde_json::Value> =
        std::sync::LazyLock::new(super::json_schema);
    &SCHEMA
}

/// Every shape problem of `text` against `schema` (gantry.yml's, or an
/// included file's), located; none when the text is not even YAML (the
/// parser's own error says why).
pub fn check_against(file: &Path, text: &str, schema: &Schema) -> Shape {
    // Repeated keys are kept, so that they are found with everything else.
    let mut options = super::load::yaml_options();
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::PassThrough;
    let Ok(root) = serde_saphyr::from_str_with_options::<Node>(text, options) else {
        return Shape {
            found: Vec::new(),
            blanked: Vec::new(),
            removable: Vec::new(),
            replaced: Vec::new(),
            emptied: Vec::new(),
            stuck: true,
            also_at: Vec::new(),
        };
    };
    let mut walk = Walk {
        file,
        lines: text.split('\n').collect(),
        text,
        defs: &schema["$defs"],
        found: Vec::new(),
        blanked: Vec::new(),
        removable: Vec::new(),
        replaced: Vec::new(),
        emptied: Vec::new(),
        stuck: false,
        also_at: Vec::new(),
    };
    walk.node(&root, schema, "the config");
    walk.found.sort_by_key(|d| (d.line, d.column));
    Shape {
        found: walk.found,
        blanked: walk.blanked,
        removable: walk.removable,
        replaced: walk.replaced,
        emptied: walk.emptied,
        stuck: walk.stuck,
        also_at: walk.also_at,
    }
}

struct Walk<'a> {
    file: &'a Path,
    text: &'a str,
    lines: Vec<&'a str>,
    defs: &'a Schema,
    found: Vec<Diagnostic>,
    blanked: Vec<Diagnostic>,
    removable: Vec<Range<usize>>,
    replaced: Vec<Range<usize>>,
    emptied: Vec<usize>,
    stuck: bool,
    also_at: Vec<((usize, usize), Option<String>)>,
}

impl<'a> Walk<'a> {
    fn report(&mut self, node: &Node, message: String, hint: String) {
        self.stuck = true;
        self.add(node, message, hint);
    }

    fn add(&mut self, node: &Node, message: String, hint: String) {
        let d = Diagnostic::error("C001", self.file, node.line, node.column, message);
        self.found.push(d.with_hint(hint));
    }

    /// Where `key: value` is written, with what goes with it, when it can
    /// be blanked: all of its line when the pair is all the line holds (a
    /// block mapping entry), or the entry and its comma in a flow mapping
    /// (which may span lines); the value a one-line scalar.
    fn entry(&self, key: &Node, value: &Node) -> Option<(Range<usize>, bool)> {
        let line = self.lines.get(key.line.checked_sub(1)?)?;
        let (start, len) = value.bytes?;
        let end = start + len;
        let one_line = !self.text.get(start..end)?.contains('\n');
        let scalar = !matches!(value.value, Value::Seq(_) | Value::Map(_) | Value::Null);
        if !(one_line && scalar && value.line == key.line) {
            return None;
        }
        let (key_start, _) = key.bytes?;
        // A `{ … }` mapping may go on over several lines.
        let space = [' ', '\r', '\n'];
        let after = self.text.get(end..)?.trim_start_matches(space);
        let before = self.text.get(..key_start)?.trim_end_matches(space);
        let line_start = line.as_ptr() as usize - self.text.as_ptr() as usize;
        let line_end = line_start + line.len();
        let indent = line.len() - line.trim_start_matches(' ').len();
        let rest = self.text.get(end..line_end)?.trim_start();
        // An entry of a `{ … }` mapping alone on its line (commas written
        // first) takes its comma along, or a `, ,` would be left.
        let in_flow = after.starts_with([',', '}']);
        if indent + 1 == key.column && (rest.is_empty() || rest.starts_with('#')) && !in_flow {
            return Some((line_start..line_end, true));
        }
        let range = match after.chars().next()? {
            ',' => key_start..self.text.len() - after.len() + 1,
            '}' if before.ends_with(',') => before.len() - 1..end,
            '}' if before.ends_with('{') => key_start..end,
            _ => return None,
        };
        Some((range, false))
    }

    /// Follows `$ref`s into `$defs`.
    fn resolve(&self, mut schema: &'a Schema) -> &'a Schema {
        while let Some(name) = schema["$ref"].as_str() {
            schema = &self.defs[name.trim_start_matches("#/$defs/")];
        }
        schema
    }

    fn node(&mut self, node: &Node, schema: &'a Schema, what: &str) {
        let schema = self.resolve(schema);
        match self.serde_reads(node, schema) {
            Some(Ok(())) => return,
            Some(Err(refused)) => return self.refused(node, refused),
            None => {}
        }
        let branches = schema["anyOf"].as_array().or(schema["oneOf"].as_array());
        if let Some(branches) = branches {
            let branches: Vec<&Schema> = branches.iter().map(|b| self.resolve(b)).collect();
            let fitting: Vec<&Schema> = branches
                .iter()
                .copied()
                .filter(|b| accepts(b, &node.value))
                .collect();
            match fitting.as_slice() {
                [] => self.wrong_type(node, &branches, what),
                [one] => self.node(node, one, what),
                _ => {}
            }
            return;
        }
        if !accepts(schema, &node.value) {
            self.wrong_type(node, &[schema], what);
            return;
        }
        match &node.value {
            Value::Map(entries) => self.map(node, entries, schema),
            Value::Seq(items) => {
                let item_what = format!("an item of {what}");
                for item in items {
                    self.node(item, &schema["items"], &item_what);
                }
            }
            Value::Str(text) => {
                self.enumerated(node, text, schema);
                self.minimum_healthy(node, text, schema);
            }
            // serde reads a number or boolean as the text written where a string is wanted.
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                if let Some(written) = node.raw(self.text) {
                    self.enumerated(node, written, schema);
                    self.minimum_healthy(node, written, schema);
                }
            }
            _ => {}
        }
    }

    fn map(&mut self, node: &Node, entries: &[(Node, Node)], schema: &'a Schema) {
        let properties = schema["properties"].as_object();
        let names: Vec<&str> = properties
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default();
        // Where serde ignores `x-` keys, the schema says so; elsewhere such
        // a key is a name (of a group, a service) or an unknown key.
        let x_keys_ignored = schema["patternProperties"].get("^x-").is_some();
        let mut seen = std::collections::HashSet::new();
        let mut blanked_lines = 0;
        for (key, value) in entries {
            let Some(name) = key.scalar_text() else {
                continue;
            };
            let whole_line = if !seen.insert(name.clone()) {
                self.repeated_key(key, value, &name)
            } else if x_keys_ignored && name.starts_with("x-") {
                // `x-` keys hold YAML anchors and are ignored by the loader.
                false
            } else if let Some(sub) = properties.and_then(|p| p.get(&name)) {
                self.value(key, value, sub, &name);
                false
            } else {
                match &schema["additionalProperties"] {
                    Schema::Bool(false) => self.unknown_key(key, value, &name, &names),
                    sub @ Schema::Object(_) => {
                        self.value(key, value, sub, &name);
                        false
                    }
                    _ => false,
                }
            };
            blanked_lines += usize::from(whole_line);
        }
        // Blanked, every line of a block mapping would leave null.
        if blanked_lines > 0 && blanked_lines == entries.len() {
            let first = entries.first().and_then(|(key, _)| key.bytes);
            match first {
                Some((start, _)) => self.emptied.push(start),
                None => self.stuck = true,
            }
        }
        for required in schema["required"].as_array().into_iter().flatten() {
            let Some(required) = required.as_str() else {
                continue;
            };
            if !entries.iter().any(|(k, _)| k.as_str() == Some(required)) {
                // serde names a missing key at one of the mapping's keys
                // (its last one, or the last left when unknown keys are blanked).
                let message = Some(format!("missing field `{required}`"));
                for (key, _) in entries {
                    self.also_at.push(((key.line, key.column), message.clone()));
                }
                self.report(
                    node,
                    format!("missing key `{required}`"),
                    format!("add `{required}:` to this mapping"),
                );
            }
        }
    }

    /// The value of `key`, checked against `schema`. serde reports a value
    /// of the wrong type at its key.
    fn value(&mut self, key: &Node, value: &Node, schema: &'a Schema, name: &str) {
        let before = self.found.len();
        self.node(value, schema, &format!("`{name}`"));
        let at_value = |d: &Diagnostic| (d.line, d.column) == (value.line, value.column);
        if self.found[before..].iter().any(at_value) {
            self.also_at.push(((key.line, key.column), None));
        }
    }

    /// A key written twice in one mapping, as serde reports it (at the
    /// second one); whether all of its line is blanked.
    fn repeated_key(&mut self, key: &Node, value: &Node, name: &str) -> bool {
        let message = format!("duplicate mapping key: {name}");
        let d = super::load::with_yaml_hint(Diagnostic::error(
            "C001", self.file, key.line, key.column, message,
        ));
        self.found.push(d.clone());
        match self.entry(key, value) {
            Some((range, whole_line)) => {
                self.removable.push(range);
                self.blanked.push(d);
                whole_line
            }
            None => {
                self.stuck = true;
                false
            }
        }
    }

    /// How serde reads the scalar `node` as the type `schema` stands for,
    /// where the schema's type says too little: a duration, a whole number
    /// of a range (what serde says, for a value the schema's type allows),
    /// or a quoted whole number or boolean (which serde reads, though it is
    /// a string). `None`: the schema decides.
    fn serde_reads(&self, node: &Node, schema: &Schema) -> Option<Result<(), Diagnostic>> {
        if matches!(node.value, Value::Seq(_) | Value::Map(_) | Value::Null) {
            return None;
        }
        let written = node.raw(self.text)?;
        // An alias, anchor or tag means nothing on its own; a block scalar
        // is not a duration or a number.
        if written.starts_with(['*', '&', '!', '|', '>']) || written.contains('\n') {
            return None;
        }
        let read = |ok: Result<(), serde_saphyr::Error>| {
            ok.map_err(|e| {
                super::load::with_yaml_hint(Diagnostic::from_yaml_error("C001", self.file, &e))
            })
        };
        fn parse<T: serde::de::DeserializeOwned>(written: &str) -> Result<(), serde_saphyr::Error> {
            serde_saphyr::from_str_with_options::<T>(written, super::load::yaml_options())
                .map(|_| ())
        }
        if std::ptr::eq(schema, &self.defs["Duration"]) {
            return Some(read(parse::<super::duration::Duration>(written)));
        }
        let format = schema["format"].as_str();
        let max = match format {
            Some("uint16") => Some(u64::from(u16::MAX)),
            Some("uint32") => Some(u64::from(u32::MAX)),
            Some("uint64") => Some(u64::MAX),
            _ => None,
        };
        match (&node.value, max) {
            // A number read already: only its range is left to check.
            (Value::Int(n), Some(max)) => Some(if (0..=i128::from(max)).contains(n) {
                Ok(())
            } else {
                let message = crate::diagnostics::expected_whole_number(max);
                let (line, column) = (node.line, node.column);
                Err(Diagnostic::error("C001", self.file, line, column, message))
            }),
            // Any other refusal is the schema's wrong type, as when alone.
            (Value::Str(_), Some(_)) => {
                let read = match format {
                    Some("uint16") => parse::<u16>(written),
                    Some("uint32") => parse::<u32>(written),
                    _ => parse::<u64>(written),
                };
                read.is_ok().then_some(Ok(()))
            }
            (Value::Str(_), None) if types(schema).contains(&"boolean") => {
                parse::<bool>(written).is_ok().then_some(Ok(()))
            }
            _ => None,
        }
    }

    /// Reports what serde would say of the scalar `node` (`refused`), which
    /// the text without the mistakes has as `1`.
    fn refused(&mut self, node: &Node, refused: Diagnostic) {
        let mut d = refused;
        (d.line, d.column) = (node.line, node.column);
        self.found.push(d.clone());
        match node.bytes {
            Some((start, len)) if len > 0 => {
                self.replaced.push(start..start + len);
                self.blanked.push(d);
            }
            _ => self.stuck = true,
        }
    }

    /// Reports the unknown `key`; whether all of its line is blanked.
    fn unknown_key(&mut self, key: &Node, value: &Node, name: &str, names: &[&str]) -> bool {
        let whole_line = match self.entry(key, value) {
            Some((range, whole_line)) => {
                self.removable.push(range);
                whole_line
            }
            None => {
                self.stuck = true;
                false
            }
        };
        let valid = format!("valid keys here: {}", names.join(", "));
        let hint = suggest::hint(name, names, str::to_string, valid);
        self.add(key, format!("unknown key `{name}`"), hint);
        self.blanked.extend(self.found.last().cloned());
        whole_line
    }

    /// A string that must be one of a few words (`AllAtOnce`, …).
    fn enumerated(&mut self, node: &Node, text: &str, schema: &Schema) {
        let Some(allowed) = schema["enum"].as_array() else {
            return;
        };
        let allowed: Vec<&str> = allowed.iter().filter_map(Schema::as_str).collect();
        // The loader's own check of the setting, so that the mistake reads
        // the same whether or not serde could read the file.
        // Every `enum` of the schema is a choice's words (see choice's tests).
        let Some(choice) = super::choice::Choice::listing(&allowed) else {
            return;
        };
        let at = Span {
            line: node.line,
            column: node.column,
        };
        // Not stuck: serde reads the word as text, and the loader checks it.
        if let Err(p) = choice.pick(text, at) {
            self.found.push(p.diagnostic(self.file));
        }
    }

    /// A deployment group's `minimum_healthy:`, checked as the loader
    /// checks it (the part that does not depend on the group's size).
    fn minimum_healthy(&mut self, node: &Node, text: &str, schema: &Schema) {
        use super::deploy::{minimum_form, MINIMUM_PATTERN};
        if schema["pattern"].as_str() != Some(MINIMUM_PATTERN) {
            return;
        }
        let at = Span {
            line: node.line,
            column: node.column,
        };
        // Not stuck: serde reads any scalar here, and the loader checks it.
        if let Err(d) = minimum_form(self.file, text, at) {
            self.found.push(d);
        }
    }

    fn wrong_type(&mut self, node: &Node, schemas: &[&Schema], what: &str) {
        let mut expected: Vec<&str> = schemas
            .iter()
            .flat_map(|s| types(s))
            .filter(|t| *t != "null")
            .map(type_words)
            .collect();
        expected.dedup();
        let expected = expected.join(" or ");
        let message = match &node.value {
            // YAML 1.1 spellings (`yes`, `on`) are strings in gantry.yml.
            Value::Str(text) if expected == type_words("boolean") => {
                format!("invalid boolean `{text}` for {what}")
            }
            other => format!("{what} must be {expected}, found {}", kind(other)),
        };
        self.report(node, message, format!("write {expected} here"));
    }
}

/// The JSON types a schema allows (an `enum` of words counts as strings).
fn types(schema: &Schema) -> Vec<&str> {
    match &schema["type"] {
        Schema::String(t) => vec![t.as_str()],
        Schema::Array(list) => list.iter().filter_map(Schema::as_str).collect(),
        _ if schema.get("enum").is_some() => vec!["string"],
        _ if schema.get("properties").is_some() => vec!["object"],
        _ => Vec::new(),
    }
}

/// Whether a value of this YAML kind can be read as `schema` says.
fn accepts(schema: &Schema, value: &Value) -> bool {
    let allowed = types(schema);
    allowed.is_empty()
        || allowed.iter().any(|t| match (*t, value) {
            ("null", Value::Null) | ("boolean", Value::Bool(_)) => true,
            ("integer", Value::Int(_)) => true,
            ("number", Value::Int(_) | Value::Float(_)) => true,
            // serde reads any scalar as text where a string is wanted.
            ("string", Value::Str(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_)) => true,
            ("array", Value::Seq(_)) | ("object", Value::Map(_)) => true,
            _ => false,
        })
}

fn type_words(json_type: &str) -> &str {
    match json_type {
        "boolean" => "`true` or `false`",
        "integer" => "a whole number",
        "number" => "a number",
        "string" => "a string",
        "array" => "a list",
        "object" => "a mapping",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(text: &str) -> Vec<String> {
        check(Path::new("gantry.yml"), text)
            .found
            .into_iter()
            .map(|d| {
                format!(
                    "{}:{} {} ({})",
                    d.line,
                    d.column,
                    d.message,
                    d.hint.unwrap_or_default()
                )
            })
            .collect()
    }

    #[test]
    fn finds_every_unknown_key_with_a_suggestion() {
        let found = messages(
            "version: 1\nstages:\n  - name: a\n    run: x\n    timout: 5s\n  - name: b\n    actions:\n      - name: c\n        run_ordr: 2\n        run: y\n",
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].starts_with("5:5 unknown key `timout` (did you mean `timeout`?"));
        assert!(found[1].starts_with("9:9 unknown key `run_ordr` (did you mean `run_order`?"));
    }

    #[test]
    fn finds_wrong_types_and_missing_keys() {
        let found = messages("version: 1\nstages:\n  - run: x\n    retries: [1]\n");
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].contains("3:5 missing key `name`"), "{found:?}");
        assert!(found[1].contains("`retries` must be a whole number, found a list"));
    }

    #[test]
    fn unknown_keys_can_be_blanked_in_place() {
        let blanked = |text: &str| check(Path::new("gantry.yml"), text).without_mistakes(text);
        let text = "version: 1\nstages:\n  - name: a\n    timout: 5s # typo\n    run: x\n";
        assert_eq!(
            blanked(text).as_deref(),
            Some(format!("version: 1\nstages:\n  - name: a\n{:21}\n    run: x\n", "").as_str())
        );
        let flow = "version: 1\nstages:\n  - { name: a, timout: 5s, run: x }\n  - { name: b, run: y, tïmout: \"5s\" }\n  - { tïmout: 5s, name: c, run: z }\n";
        assert_eq!(
            blanked(flow).as_deref(),
            Some("version: 1\nstages:\n  - { name: a,             run: x }\n  - { name: b, run: y               }\n  - {             name: c, run: z }\n")
        );
        let lines = "version: 1\nstages:\n  - { name: a, run: x,\n      timout: 5s }\n  - { name: b, timout: 5s\n    , run: y }\n";
        assert_eq!(
            blanked(lines).as_deref(),
            Some("version: 1\nstages:\n  - { name: a, run: x \n                 }\n  - { name: b,           \n      run: y }\n")
        );
        // A list item's first key, a mapping value, a wrong type: not blanked.
        for stuck in [
            "version: 1\nstages:\n  - timout: 5s\n    name: a\n    run: x\n",
            "version: 1\nstages:\n  - name: a\n    run: x\n    timout: { a: 1 }\n",
            "version: 1\nstages:\n  - name: a\n    run: x\n    timout: 5s\n    retries: many\n",
        ] {
            assert_eq!(blanked(stuck), None, "{stuck}");
        }
    }

    #[test]
    fn finds_repeated_keys_and_values_serde_refuses_and_leaves_them_out() {
        let text = "version: 1\nkeep_runs: -1\nstages:\n  - name: a\n    run: x\n    timeout: 5 parsecs\n    run: y\n";
        let found = messages(text);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(
            found[0].starts_with("2:12 expected a whole number from 0 to 4294967295"),
            "{found:?}"
        );
        assert!(
            found[1].starts_with("6:14 invalid duration `5 parsecs`"),
            "{found:?}"
        );
        assert!(
            found[2].starts_with("7:5 duplicate mapping key: run (each key"),
            "{found:?}"
        );
        let blanked = check(Path::new("gantry.yml"), text).without_mistakes(text);
        let kept = format!(
            "version: 1\nkeep_runs: 1 \nstages:\n  - name: a\n    run: x\n    timeout: 1        \n{:10}\n",
            ""
        );
        assert_eq!(blanked, Some(kept));
        // A required key keeps its key too.
        let version = "version: -1\nstages: []\n";
        let blanked = check(Path::new("gantry.yml"), version).without_mistakes(version);
        assert_eq!(blanked.as_deref(), Some("version: 1 \nstages: []\n"));
    }

    #[test]
    fn configs_serde_reads_have_no_findings() {
        // The bundled examples and every gantry.yml in the docs that loads.
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = Vec::new();
        for example in std::fs::read_dir(root.join("examples")).unwrap().flatten() {
            if let Ok(text) = std::fs::read_to_string(example.path().join("gantry.yml")) {
                texts.push(text);
            }
        }
        for entry in std::fs::read_dir(root.join("docs")).unwrap().flatten() {
            let doc = std::fs::read_to_string(entry.path()).unwrap_or_default();
            for block in doc.split("```yaml\n").skip(1) {
                let block = block.split("```").next().unwrap_or_default();
                if block.starts_with("version: 1") {
                    texts.push(block.to_string());
                }
            }
        }
        let mut loaded = 0;
        for text in &texts {
            if super::super::load::parse::<crate::config::raw::RawPipeline>(text).is_ok() {
                loaded += 1;
                assert_eq!(messages(text), Vec::<String>::new(), "{text}");
            }
        }
        assert!(loaded >= 5, "{loaded} of {} configs loaded", texts.len());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, failure_persistence: None, ..Default::default() })]

        /// Whatever serde reads without skipping a key, the pass finds
        /// nothing in: it never reports a mistake serde would not.
        #[test]
        fn finds_nothing_in_what_serde_reads(
            lines in proptest::collection::vec((0usize..12, 0usize..ODD_VALUES.len()), 1..4)
        ) {
            let mut text: Vec<String> = "version: 1\nx-a: &a 2\nenv: { A: 1 }\ndefaults:\n  retries: 1\nstages:\n  - name: s\n    run: x\n  - name: t\n    actions:\n      - name: a\n        run: y\n"
                .lines()
                .map(str::to_string)
                .collect();
            for (at, odd) in lines {
                // After a line of a mapping, at its indentation.
                let at = at.clamp(4, text.len());
                let before = &text[at - 1];
                let indent = before.len() - before.trim_start_matches([' ', '-']).len();
                text.insert(at, format!("{:indent$}{}", "", ODD_VALUES[odd]));
            }
            let text = text.join("\n") + "\n";
            if let Ok((_, false)) = crate::config::load::parse::<crate::config::raw::RawPipeline>(&text) {
                proptest::prop_assert_eq!(messages(&text), Vec::<String>::new(), "{}", text);
            }
        }
    }

    /// Valid but unusual values: quoted numbers and booleans, YAML number
    /// spellings, anchors, `x-` keys.
    const ODD_VALUES: &[&str] = &[
        "retries: '3'",
        "retries: 0x10",
        "retries: *a",
        "timeout: 1.5",
        "timeout: '1h 30m'",
        "timeout: 0",
        "cache: 'true'",
        "always: \"false\"",
        "x-b: { c: [1, 2] }",
        "env: { B: 2, x-c: [1] }",
        "run_order: +2",
        "keep_runs: '7'",
        "working_directory: 12",
        "shell: true",
    ];

    #[test]
    fn a_valid_config_has_no_findings() {
        assert!(messages(
            "version: 1\nstages:\n  - name: a\n    run: x\n    timeout: 5s\n    env: { A: 1 }\n"
        )
        .is_empty());
    }

    #[test]
    fn a_block_mapping_of_unknown_keys_only_stays_a_mapping_when_blanked() {
        let text = "version: 1\nservices:\n  db:\n    colour: 1\n    bundel: x\nstages: []\n";
        let shape = check(Path::new("gantry.yml"), text);
        let cleaned = shape.without_mistakes(text).unwrap();
        assert_eq!(
            cleaned,
            "version: 1\nservices:\n  db:\n    {}       \n             \nstages: []\n"
        );
        // `db:` ends next to the blanked lines; `services:` does not.
        assert!(shape.by_blanked(&cleaned, 3, 6));
        assert!(shape.by_blanked(&cleaned, 5, 10));
        assert!(!shape.by_blanked(&cleaned, 2, 3));
    }
}
