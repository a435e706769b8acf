//! gantry's custom-action protocol, version 1 (documented in
//! `docs/custom-actions.md`): the job gantry writes to the action's stdin,
//! and the JSON lines the action writes to its stdout.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The protocol version this gantry speaks.
pub const VERSION: u32 = 1;
/// Longest line of protocol output accepted (memory stays bounded).
pub const MAX_LINE: usize = 1024 * 1024;

/// What gantry writes to the action's stdin, once per invocation.
#[derive(Debug, Serialize)]
pub struct Job<'a> {
    /// Always [`VERSION`].
    pub protocol: u32,
    /// The pipeline's name.
    pub pipeline: &'a str,
    /// The run's id.
    pub run_id: &'a str,
    /// `STAGE`.
    pub stage: &'a str,
    /// `ACTION`.
    pub action: &'a str,
    /// The pipeline root, absolute.
    pub workspace: &'a str,
    /// The `with:` inputs, variables expanded.
    pub inputs: BTreeMap<&'a str, &'a str>,
    /// Variables gantry sets for the action (also in its environment).
    pub env: BTreeMap<&'a str, &'a str>,
    /// 1 for the first invocation, 2 for the first continuation…
    pub invocation: u32,
    /// The token the previous invocation returned; `None` the first time.
    pub continuation: Option<&'a str>,
}

/// One line the action wrote.
#[derive(Debug, PartialEq, Eq)]
pub enum Message {
    /// Text for the action's log and live line.
    Log(String),
    /// How far the work is, 0–100.
    Progress(u8),
    /// A value to treat as a secret from now on.
    Mask(String),
    /// The end of this invocation.
    Result(Report),
}

/// The final `result` line.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// `success` (true) or `failure` (false).
    pub success: bool,
    /// Why, for people.
    pub message: Option<String>,
    /// Invoke again with this token.
    pub continuation: Option<String>,
    /// Named results for later actions.
    pub outputs: Vec<(String, String)>,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Wire {
    Log {
        message: String,
    },
    Progress {
        percent: f64,
    },
    Mask {
        value: String,
    },
    Result {
        status: WireStatus,
        #[serde(default)]
        message: Option<String>,
        #[serde(default)]
        continuation: Option<String>,
        #[serde(default)]
        outputs: BTreeMap<String, serde_json::Value>,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum WireStatus {
    Success,
    Failure,
}

/// Parses one line; the error says what is wrong (the caller quotes the line).
pub fn parse(line: &str) -> Result<Message, String> {
    let value: serde_json::Value =
        serde_json::from_str(line).map_err(|e| format!("not JSON ({e})"))?;
    if !value.is_object() {
        return Err("not a JSON object".into());
    }
    if let Some(v) = value.get("protocol") {
        if v.as_u64() != Some(u64::from(VERSION)) {
            return Err(format!(
                "unknown protocol version {v}; this gantry speaks version {VERSION}"
            ));
        }
    }
    let wire: Wire = serde_json::from_value(value).map_err(|e| {
        format!(
            "not a gantry message ({e}); expected \"type\": \"log\", \"progress\", \"mask\" or \"result\""
        )
    })?;
    Ok(match wire {
        Wire::Log { message } => Message::Log(message),
        Wire::Mask { value } => Message::Mask(value),
        Wire::Progress { percent } if (0.0..=100.0).contains(&percent) => {
            Message::Progress(percent.round() as u8)
        }
        Wire::Progress { percent } => {
            return Err(format!("progress {percent} is not between 0 and 100"))
        }
        Wire::Result {
            status,
            message,
            continuation,
            outputs,
        } => Message::Result(Report {
            success: matches!(status, WireStatus::Success),
            message,
            continuation: continuation.filter(|c| !c.is_empty()),
            outputs: outputs_of(outputs)?,
        }),
    })
}

fn outputs_of(raw: BTreeMap<String, serde_json::Value>) -> Result<Vec<(String, String)>, String> {
    raw.into_iter()
        .map(|(name, value)| {
            let valid = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if !valid {
                return Err(format!(
                    "output name `{name}` is not letters, digits, `_` and `-`"
                ));
            }
            let text = match value {
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                other => {
                    return Err(format!(
                        "output `{name}` is {other}; outputs are strings, numbers or booleans"
                    ))
                }
            };
            Ok((name, text))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_messages() {
        assert_eq!(
            parse(r#"{"type":"log","message":"hi"}"#),
            Ok(Message::Log("hi".into()))
        );
        assert_eq!(
            parse(r#"{"type":"mask","value":"tok"}"#),
            Ok(Message::Mask("tok".into()))
        );
        assert_eq!(
            parse(r#"{"type":"progress","percent":42.4,"protocol":1}"#),
            Ok(Message::Progress(42))
        );
        let report = parse(
            r#"{"type":"result","status":"success","continuation":"t","outputs":{"n":3,"url":"u"}}"#,
        );
        assert_eq!(
            report,
            Ok(Message::Result(Report {
                success: true,
                message: None,
                continuation: Some("t".into()),
                outputs: vec![("n".into(), "3".into()), ("url".into(), "u".into())],
            }))
        );
    }

    #[test]
    fn rejects_garbage_versions_and_bad_values() {
        assert!(parse("hello").unwrap_err().starts_with("not JSON"));
        assert!(parse("[1]").unwrap_err().contains("object"));
        assert!(parse(r#"{"type":"log","message":"x","protocol":2}"#)
            .unwrap_err()
            .contains("unknown protocol version 2"));
        assert!(parse(r#"{"type":"dance"}"#)
            .unwrap_err()
            .contains("\"log\""));
        assert!(parse(r#"{"type":"progress","percent":101}"#).is_err());
        assert!(parse(r#"{"type":"result","status":"success","outputs":{"a b":"x"}}"#).is_err());
        assert!(parse(r#"{"type":"result","status":"maybe"}"#).is_err());
    }
}
