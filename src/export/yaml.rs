//! Exported CI files as YAML: a small ordered document model ([`Node`])
//! written by serde-saphyr's serializer. Mappings keep insertion order,
//! sequences are indented under their key, scripts are literal blocks
//! (`|`), and a string value is double-quoted unless it is made of letters,
//! digits and `_./-` and reads back as the same string in YAML 1.1 and 1.2
//! (CI systems parse with different YAML libraries).

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// A YAML value.
#[derive(Clone, Debug)]
pub enum Node {
    /// A string, quoted when needed.
    Str(String),
    /// A boolean or a number, written as YAML reads it (`true`, `5`, `0.2`).
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
    let mut options = serde_saphyr::SerializerOptions::default();
    // `key:\n  - item`, not `key:\n- item`.
    options.compact_list_indent = false;
    // Every `Block` is a literal block, however short; other long strings
    // stay on one line rather than being folded (`>`).
    options.min_fold_chars = 0;
    options.prefer_block_scalars = false;
    // Nothing in a `Node` can make the serializer fail (no anchors, tags or
    // single quotes; strings only as keys); should it, JSON is YAML too.
    serde_saphyr::to_string_with_options(node, options)
        .or_else(|_| serde_json::to_string_pretty(node).map(|json| json + "\n"))
        .unwrap_or_default()
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Str(text) => string(text, ser),
            Node::Raw(text) => raw(text, ser),
            Node::Block(text) if block_ok(text) => serde_saphyr::LitStr(text).serialize(ser),
            Node::Block(text) => string(text, ser),
            Node::Seq(items) => {
                let mut seq = ser.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Node::Map(pairs) => {
                let mut map = ser.serialize_map(Some(pairs.len()))?;
                for (key, value) in pairs {
                    map.serialize_entry(&Node::Str(key.clone()), value)?;
                }
                map.end()
            }
        }
    }
}

/// `text` plain when [`plain_is_safe`], else double-quoted. (serde-saphyr
/// chooses the style of keys itself: plain whenever YAML reads it back.)
fn string<S: Serializer>(text: &str, ser: S) -> Result<S::Ok, S::Error> {
    if plain_is_safe(text) {
        ser.serialize_str(text)
    } else {
        serde_saphyr::DoubleQuoted(text).serialize(ser)
    }
}

/// A boolean or number as such; anything else as a string.
fn raw<S: Serializer>(text: &str, ser: S) -> Result<S::Ok, S::Error> {
    if let Ok(b) = text.parse::<bool>() {
        ser.serialize_bool(b)
    } else if let Ok(n) = text.parse::<i64>() {
        ser.serialize_i64(n)
    } else if let Ok(f) = text.parse::<f64>() {
        ser.serialize_f64(f)
    } else {
        string(text, ser)
    }
}

/// Literal blocks cannot start with a space or hold control characters.
fn block_ok(text: &str) -> bool {
    !text.starts_with([' ', '\t', '\n'])
        && !text.chars().any(|c| c.is_control() && c != '\n')
        && !text.lines().any(|l| l.ends_with([' ', '\t']))
}

/// Whether `text` reads back as the same string, as a plain scalar, in YAML
/// 1.1 and 1.2: only `[A-Za-z0-9_./-]`, not starting like a number, an
/// indicator or a YAML 1.1 boolean/null.
fn plain_is_safe(text: &str) -> bool {
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
    plain_chars && !special
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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

    #[test]
    fn blocks_keep_every_trailing_newline_and_controls_are_escaped() {
        let doc = Node::Map(vec![
            ("a".into(), Node::Block("x\n\n".into())),
            ("b".into(), s("\u{1b}[31m\u{7f}")),
            ("c".into(), Node::Raw("0.2".into())),
            ("d".into(), Node::Raw("true".into())),
        ]);
        assert_eq!(
            render(&doc),
            "a: |+\n  x\n\nb: \"\\e[31m\\x7F\"\nc: 0.2\nd: true\n"
        );
    }

    /// What a node means once YAML is read back.
    fn meaning(node: &Node) -> serde_json::Value {
        use serde_json::Value;
        match node {
            Node::Str(text) | Node::Block(text) => Value::String(text.clone()),
            Node::Raw(text) => serde_json::from_str(text).unwrap(),
            Node::Seq(items) => Value::Array(items.iter().map(meaning).collect()),
            Node::Map(pairs) => {
                Value::Object(pairs.iter().map(|(k, v)| (k.clone(), meaning(v))).collect())
            }
        }
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z0-9 ._/-]{0,12}",
            "[a-z]{1,5}(\n[ a-z#:\"'\\\\]{0,8}){0,4}\n{0,3}",
            "\\PC{0,10}",
            ".{0,10}",
            Just("yes".to_string()),
            Just("~".to_string()),
            Just("- x".to_string()),
        ]
    }

    fn node() -> impl Strategy<Value = Node> {
        let leaf = prop_oneof![
            text().prop_map(Node::Str),
            text().prop_map(Node::Block),
            prop_oneof![Just("true"), Just("false"), Just("5"), Just("0.2")]
                .prop_map(|r| Node::Raw(r.into())),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Node::Seq),
                proptest::collection::btree_map(text(), inner, 0..4)
                    .prop_map(|m| Node::Map(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn every_document_reads_back_as_written(doc in proptest::collection::btree_map(text(), node(), 1..4)) {
            let doc = Node::Map(doc.into_iter().collect());
            let yaml = render(&doc);
            let read: serde_json::Value = serde_saphyr::from_str(&yaml)
                .map_err(|e| TestCaseError::fail(format!("{e}\n{yaml}")))?;
            prop_assert_eq!(read, meaning(&doc), "\n{}", yaml);
        }
    }
}
