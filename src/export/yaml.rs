//! A small YAML writer for exported CI files: block mappings and sequences
//! in insertion order, literal blocks for scripts, and strings quoted (JSON
//! style, valid YAML) whenever a plain scalar could be misread.

/// A YAML value.
#[derive(Clone, Debug)]
pub enum Node {
    /// A string, quoted when needed.
    Str(String),
    /// A scalar written as is (numbers, `true`).
    Raw(String),
    /// Multi-line text as a literal block (`|`).
    Block(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in order.
    Map(Vec<(String, Node)>),
}

/// A string node.
pub fn s(text: impl Into<String>) -> Node {
    Node::Str(text.into())
}

/// Renders `node` (a mapping) as a document.
pub fn render(node: &Node) -> String {
    let mut out = String::new();
    match node {
        Node::Map(pairs) => map(&mut out, pairs, 0),
        other => {
            out.push_str(&inline(other));
            out.push('\n');
        }
    }
    out
}

fn map(out: &mut String, pairs: &[(String, Node)], indent: usize) {
    for (key, value) in pairs {
        out.push_str(&" ".repeat(indent));
        out.push_str(&scalar(key));
        out.push(':');
        value_after_key(out, value, indent);
    }
}

fn value_after_key(out: &mut String, value: &Node, indent: usize) {
    match value {
        Node::Map(pairs) if !pairs.is_empty() => {
            out.push('\n');
            map(out, pairs, indent + 2);
        }
        Node::Seq(items) if !items.is_empty() => {
            out.push('\n');
            seq(out, items, indent + 2);
        }
        Node::Block(text) if block_ok(text) => block(out, text, indent + 2),
        other => {
            out.push(' ');
            out.push_str(&inline(other));
            out.push('\n');
        }
    }
}

fn seq(out: &mut String, items: &[Node], indent: usize) {
    for item in items {
        out.push_str(&" ".repeat(indent));
        out.push('-');
        match item {
            Node::Map(pairs) if !pairs.is_empty() => {
                let (first_key, first_value) = &pairs[0];
                out.push(' ');
                out.push_str(&scalar(first_key));
                out.push(':');
                value_after_key(out, first_value, indent + 2);
                map(out, &pairs[1..], indent + 2);
            }
            other => value_after_key(out, other, indent),
        }
    }
}

/// Literal blocks cannot start with a space or hold control characters.
fn block_ok(text: &str) -> bool {
    !text.starts_with([' ', '\t', '\n'])
        && !text.chars().any(|c| c.is_control() && c != '\n')
        && !text.lines().any(|l| l.ends_with([' ', '\t']))
}

fn block(out: &mut String, text: &str, indent: usize) {
    let chomp = if text.ends_with('\n') { "" } else { "-" };
    out.push_str(&format!(" |{chomp}\n"));
    for line in text.lines() {
        if !line.is_empty() {
            out.push_str(&" ".repeat(indent));
            out.push_str(line);
        }
        out.push('\n');
    }
}

fn inline(node: &Node) -> String {
    match node {
        Node::Str(text) | Node::Block(text) => scalar(text),
        Node::Raw(text) => text.clone(),
        Node::Seq(items) => format!(
            "[{}]",
            items.iter().map(inline).collect::<Vec<_>>().join(", ")
        ),
        Node::Map(pairs) => format!(
            "{{{}}}",
            pairs
                .iter()
                .map(|(k, v)| format!("{}: {}", scalar(k), inline(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// `text` plain when that reads back as the same string in YAML 1.1 and
/// 1.2, else double-quoted.
pub fn scalar(text: &str) -> String {
    let plain_chars = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./-".contains(c))
        && !text.starts_with(['-', '.']);
    let lower = text.to_ascii_lowercase();
    let special = matches!(
        lower.as_str(),
        "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null" | "~"
    ) || text.starts_with(|c: char| c.is_ascii_digit());
    if plain_chars && !special {
        text.to_string()
    } else {
        serde_json::to_string(text).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_nested_blocks_and_quotes_what_needs_it() {
        let doc = Node::Map(vec![
            ("name".into(), s("web app")),
            (
                "on".into(),
                Node::Map(vec![("push".into(), Node::Map(vec![]))]),
            ),
            (
                "steps".into(),
                Node::Seq(vec![Node::Map(vec![
                    ("run".into(), Node::Block("echo a\necho b".into())),
                    ("if".into(), s("${{ always() }}")),
                ])]),
            ),
            ("n".into(), Node::Raw("5".into())),
            ("v".into(), s("1.0")),
        ]);
        assert_eq!(
            render(&doc),
            "name: \"web app\"\n\"on\":\n  push: {}\nsteps:\n  - run: |-\n      echo a\n      echo b\n    if: \"${{ always() }}\"\n\"n\": 5\nv: \"1.0\"\n"
        );
    }
}
