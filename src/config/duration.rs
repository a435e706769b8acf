//! Durations in the config: `30s`, `10m`, `1h30m`, `500ms`, or a plain number of seconds.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

/// A parsed duration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Duration(pub std::time::Duration);

/// The longest duration gantry accepts (30 days): longer values are
/// certainly a mistake, and keeping them bounded keeps every deadline
/// computed from them representable.
pub const MAX: std::time::Duration = std::time::Duration::from_secs(30 * 24 * 3600);

const EXPECTED: &str = "a duration such as 30s, 10m, 1h30m or 500ms (a plain number means seconds)";

/// Parses `30s`, `10m`, `1h 30m`, `500ms`, or a whole number of seconds.
pub fn parse(text: &str) -> Result<std::time::Duration, String> {
    let trimmed = text.trim();
    if let Ok(seconds) = trimmed.parse::<u64>() {
        return Ok(std::time::Duration::from_secs(seconds));
    }
    match humantime::parse_duration(trimmed) {
        Ok(d) if !trimmed.is_empty() => Ok(d),
        _ => Err(format!("invalid duration `{text}`: expected {EXPECTED}")),
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DurationVisitor;
        impl Visitor<'_> for DurationVisitor {
            type Value = Duration;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(EXPECTED)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
                Ok(Duration(std::time::Duration::from_secs(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
                u64::try_from(v)
                    .map(|s| Duration(std::time::Duration::from_secs(s)))
                    .map_err(|_| E::custom(format!("invalid duration `{v}`: expected {EXPECTED}")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Duration, E> {
                std::time::Duration::try_from_secs_f64(v)
                    .map(Duration)
                    .map_err(|_| E::custom(format!("invalid duration `{v}`: expected {EXPECTED}")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
                parse(v).map(Duration).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(DurationVisitor)
    }
}

impl schemars::JsonSchema for Duration {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": EXPECTED,
            "oneOf": [
                { "type": "integer", "minimum": 0 },
                { "type": "string", "pattern": "^\\s*\\d+(\\.\\d+)?\\s*([a-z]+\\s*(\\d+(\\.\\d+)?\\s*[a-z]+\\s*)*)?$" }
            ]
        })
    }
}

/// `d`, unless it is longer than [`MAX`]: then why not, for a config error.
pub fn within_max(d: std::time::Duration) -> Result<std::time::Duration, String> {
    if d <= MAX {
        Ok(d)
    } else {
        Err(format!(
            "duration {} is longer than the maximum of 30 days",
            crate::text::human_duration(d)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration as D;

    #[test]
    fn parses_units_and_plain_seconds() {
        assert_eq!(parse("30s"), Ok(D::from_secs(30)));
        assert_eq!(parse("10m"), Ok(D::from_secs(600)));
        assert_eq!(parse("1h30m"), Ok(D::from_secs(5400)));
        assert_eq!(parse("500ms"), Ok(D::from_millis(500)));
        assert_eq!(parse("45"), Ok(D::from_secs(45)));
    }

    #[test]
    fn rejects_unknown_units() {
        assert!(parse("10x").unwrap_err().contains("invalid duration `10x`"));
        assert!(parse("").is_err());
    }

    #[test]
    fn caps_durations_at_thirty_days() {
        assert_eq!(within_max(MAX), Ok(MAX));
        let huge = parse("5124095576030431h").unwrap();
        assert!(within_max(huge).unwrap_err().contains("maximum of 30 days"));
    }
}
