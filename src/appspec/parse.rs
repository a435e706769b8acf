//! From bytes to a located [`Node`] tree: encoding (rule 5 BOM, UTF-8),
//! emptiness (rule 2), YAML syntax and duplicate keys (rules 3, 4), and a
//! top-level mapping (rule 6). Every failure is a located finding.

use std::path::Path;

use super::node::{kind, Node};
use super::yaml11::{self, Refusal};
use crate::diagnostics::Diagnostic;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A parsed file: its text (BOM removed) and the top-level node.
pub(crate) struct Parsed<'a> {
    /// The text the nodes' byte spans refer to.
    pub text: &'a str,
    /// The document's root node (a mapping, unless `diagnostics` says otherwise).
    pub root: Option<Node>,
    /// What went wrong on the way.
    pub diagnostics: Vec<Diagnostic>,
    /// What the CodeDeploy agent's safe YAML load refuses (E008): findings
    /// for EC2/On-Premises files only, the ones the agent reads.
    pub agent_refusals: Vec<Diagnostic>,
}

/// Decodes and parses `bytes`, the content of `file`.
pub(crate) fn parse<'a>(file: &Path, bytes: &'a [u8]) -> Parsed<'a> {
    let mut diagnostics = Vec::new();
    let bytes = match bytes.strip_prefix(BOM) {
        Some(rest) => {
            // Rule 5: the agent's libyaml miscounts columns after a BOM.
            diagnostics.push(
                Diagnostic::error("E003", file, 1, 1, "the file starts with a byte-order mark (BOM)".into())
                    .with_hint("remove the BOM: the agent then sees only the first key; save as UTF-8 without BOM"),
            );
            rest
        }
        None => bytes,
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            diagnostics.push(not_utf8(file, bytes, e.valid_up_to()));
            return Parsed {
                text: "",
                root: None,
                diagnostics,
                agent_refusals: Vec::new(),
            };
        }
    };
    let mut agent_refusals = Vec::new();
    let root = parse_text(file, text, &mut diagnostics, &mut agent_refusals);
    Parsed {
        text,
        root,
        diagnostics,
        agent_refusals,
    }
}

fn parse_text(
    file: &Path,
    text: &str,
    diagnostics: &mut Vec<Diagnostic>,
    agent_refusals: &mut Vec<Diagnostic>,
) -> Option<Node> {
    if is_blank(text) {
        // Rule 2.
        diagnostics.push(
            Diagnostic::error("E004", file, 0, 0, "the AppSpec file is empty".into())
                .with_hint("an AppSpec file needs at least `version: 0.0` and, for EC2/On-Premises, `os: linux` or `os: windows`"),
        );
        return None;
    }
    let options = serde_saphyr::options! { legacy_octal_numbers: true };
    let mut root: Node = match serde_saphyr::from_str_with_options(text, options) {
        Ok(root) => root,
        Err(e) => {
            diagnostics.push(yaml_error(file, &e));
            return None;
        }
    };
    let scan = yaml11::scan(text);
    yaml11::retype(&mut root, &scan.plain);
    agent_refusals.extend(scan.refused.iter().map(|r| refused(file, r)));
    if root.as_map().is_none() {
        // Rule 6.
        let message = format!(
            "the top level of an AppSpec file must be a mapping, found {}",
            kind(&root.value)
        );
        diagnostics.push(
            Diagnostic::error("E007", file, root.line, root.column, message)
                .with_hint("start with `version: 0.0` at column 1, one key per line"),
        );
        return None;
    }
    Some(root)
}

/// E008 (rule 7): the agent's safe YAML load refuses dates, times, symbols
/// and aliases anywhere in the file.
fn refused(file: &Path, r: &Refusal) -> Diagnostic {
    let (message, hint) = if r.what == "alias" {
        (
            format!("alias {} is refused by the agent's YAML loader", r.text),
            "the agent loads AppSpec files with aliases disabled; write the value out in full instead of `&anchor`/`*alias`".to_string(),
        )
    } else {
        let kind = match r.what {
            "Date" => "a date",
            "Time" => "a timestamp",
            _ => "a Ruby symbol",
        };
        (
            format!("unquoted {} is {kind} to the agent's YAML loader, which refuses it", r.text),
            format!("quote it: \"{}\" (the agent's safe YAML load accepts only strings, numbers, booleans and null)", r.text),
        )
    };
    Diagnostic::error("E008", file, r.line, r.column, message).with_hint(hint)
}

/// Only whitespace and comments.
fn is_blank(text: &str) -> bool {
    text.lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
}

fn not_utf8(file: &Path, bytes: &[u8], valid_up_to: usize) -> Diagnostic {
    let (line, column) = crate::diagnostics::utf8_error_position(bytes, valid_up_to);
    Diagnostic::error(
        "E002",
        file,
        line,
        column,
        "the file is not valid UTF-8".into(),
    )
    .with_hint("save the AppSpec file as UTF-8")
}

/// A YAML syntax error (E005, rule 3) or a duplicate key (E006, rule 4).
fn yaml_error(file: &Path, err: &serde_saphyr::Error) -> Diagnostic {
    let mut d = Diagnostic::from_yaml_error("E005", file, err);
    d.message = d.message.replace(
        "; use from_str_multiple or from_str_multiple_with_options",
        "",
    );
    if d.message.contains("duplicate mapping key") {
        let d = Diagnostic {
            code: "E006".into(),
            ..d
        };
        return d.with_hint(
            "the agent silently keeps only the last of duplicate keys; merge or remove one",
        );
    }
    if d.message.contains("tab") {
        return d
            .with_hint("indent with spaces: the agent's YAML parser rejects tabs as indentation");
    }
    if d.message.contains("multiple YAML documents") {
        return d.with_hint("an AppSpec file holds one YAML document; remove the `---` separator");
    }
    if d.message.contains("budget breached") || d.message.contains("recursion limit") {
        let d = Diagnostic {
            message: "the YAML is nested too deeply or is too large".into(),
            ..d
        };
        return d.with_hint(
            "an AppSpec file needs a few levels of nesting; check for runaway brackets or aliases",
        );
    }
    d
}
