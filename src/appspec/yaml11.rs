//! Plain scalars typed exactly as the agent's YAML loader types them (rule 7).
//!
//! The agent reads AppSpec files with Ruby's `YAML.load`, which in Psych 4 is
//! a *safe* load: a plain scalar Psych would turn into a `Date`, `Time` or
//! `Symbol` (`2024-01-01`, `2024-01-01 10:00:00`, `:root`) and any alias
//! (`*name`) make it refuse the whole file, wherever they appear. Other plain
//! scalars follow Psych's YAML 1.1 resolver, which differs from serde-saphyr's
//! YAML 1.2 one in places (`0o0` and `1e3` are strings, `1:30` is an integer,
//! `1,000` is 1000). [`scan`] walks the parser's events once, reports what the
//! safe load refuses, and [`retype`] gives every plain scalar of the located
//! tree the agent's type.
//!
//! [`tokenize`] is a port of `Psych::ScalarScanner#tokenize` (Psych 4.0, the
//! version the agent runs on Ruby 3.1).

use std::collections::HashMap;
use std::sync::LazyLock;

use granit_parser::{Event, Parser, ScalarStyle};
use regex::Regex;

use super::node::{Node, Value};

/// What Psych makes of a plain scalar.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Typed {
    /// A plain value the safe load accepts, as a tree value.
    Value(Value),
    /// A class the safe load refuses: `Date`, `Time` or `Symbol`.
    Refused(&'static str),
}

/// Something the agent's safe YAML load refuses.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Refusal {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// `Date`, `Time`, `Symbol` or `alias`.
    pub what: &'static str,
    /// The scalar or alias as written.
    pub text: String,
}

/// The outcome of [`scan`].
#[derive(Debug, Default)]
pub(crate) struct Scan {
    /// Agent type of every plain scalar, by 1-based (line, column).
    pub plain: HashMap<(usize, usize), Value>,
    /// Scalars and aliases the safe load refuses, in file order.
    pub refused: Vec<Refusal>,
}

/// Walks the YAML events of `text` (already known to parse).
pub(crate) fn scan(text: &str) -> Scan {
    let mut out = Scan::default();
    for event in Parser::new_from_str(text) {
        let Ok((event, span)) = event else { break };
        let (line, column) = (span.start.line(), span.start.col() + 1);
        match event {
            Event::Scalar(value, ScalarStyle::Plain, _, None) => match tokenize(&value) {
                Typed::Value(v) => {
                    out.plain.insert((line, column), v);
                }
                Typed::Refused(what) => {
                    out.plain
                        .insert((line, column), Value::Str(value.to_string()));
                    out.refused.push(Refusal {
                        line,
                        column,
                        what,
                        text: value.to_string(),
                    });
                }
            },
            Event::Alias(_) => {
                let written = span.slice(text).unwrap_or("*");
                out.refused.push(Refusal {
                    line,
                    column,
                    what: "alias",
                    text: written.trim().to_string(),
                });
            }
            _ => {}
        }
    }
    out
}

/// Gives every plain scalar of `node` (keys included) the type in `plain`.
pub(crate) fn retype(node: &mut Node, plain: &HashMap<(usize, usize), Value>) {
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| retype(n, plain)),
        Value::Map(entries) => {
            for (k, v) in entries {
                retype(k, plain);
                retype(v, plain);
            }
        }
        value => {
            if let Some(typed) = plain.get(&(node.line, node.column)) {
                // Same text, so a string stays the string serde-saphyr read.
                if !matches!((&*value, typed), (Value::Str(_), Value::Str(_))) {
                    *value = typed.clone();
                }
            }
        }
    }
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("a valid built-in pattern")
}

static STRING_LIKE: LazyLock<Regex> =
    LazyLock::new(|| re(r"^[^0-9.:-]?[\p{Alphabetic}_ \t\r\f\v!@#$%\^&*(){}<>|/\\~;=]+"));
static TIME: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^-?[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}:?(?:[0-9][0-9])?))?$",
    )
});
static DATE: LazyLock<Regex> =
    LazyLock::new(|| re(r"^[0-9]{4}-(?:1[012]|0[0-9]|[0-9])-(?:[12][0-9]|3[01]|0[0-9]|[0-9])$"));
static BASE60_INT: LazyLock<Regex> =
    LazyLock::new(|| re(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9]){1,2}$"));
static BASE60_FLOAT: LazyLock<Regex> =
    LazyLock::new(|| re(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9]){1,2}\.[0-9_]*$"));
static FLOAT: LazyLock<Regex> =
    LazyLock::new(|| re(r"^[-+]?([0-9][0-9_,]*)?\.[0-9]*([eE][-+][0-9]+)?$"));
static INTEGER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:[-+]?0b[0-1_,]+|[-+]?0[0-7_,]+|[-+]?(?:0|[1-9](?:[0-9]|,[0-9]|_[0-9])*)|[-+]?0x[0-9a-fA-F_,]+)$",
    )
});

/// `Psych::ScalarScanner#tokenize` for one plain scalar.
pub(crate) fn tokenize(s: &str) -> Typed {
    let value = |v| Typed::Value(v);
    let string = || Typed::Value(Value::Str(s.to_string()));
    if s.is_empty() {
        return value(Value::Null);
    }
    if STRING_LIKE.is_match(s) || s.contains('\n') {
        if s.chars().count() > 5 {
            return string();
        }
        let lower = s.to_ascii_lowercase();
        return match lower.as_str() {
            "~" | "null" => value(Value::Null),
            "yes" | "true" | "on" => value(Value::Bool(true)),
            "no" | "false" | "off" => value(Value::Bool(false)),
            _ => string(),
        };
    }
    if TIME.is_match(s) {
        return Typed::Refused("Time");
    }
    if DATE.is_match(s) {
        return Typed::Refused("Date");
    }
    match s.to_ascii_lowercase().as_str() {
        ".inf" | "+.inf" => return value(Value::Float(f64::INFINITY)),
        "-.inf" => return value(Value::Float(f64::NEG_INFINITY)),
        ".nan" => return value(Value::Float(f64::NAN)),
        _ => {}
    }
    if s.starts_with(':') && s.len() > 1 {
        return Typed::Refused("Symbol");
    }
    if BASE60_INT.is_match(s) {
        return base60(s, |n| ruby_to_i(n) as f64)
            .map_or_else(string, |f| value(Value::Int(f as i128)));
    }
    if BASE60_FLOAT.is_match(s) {
        return base60(s, ruby_to_f).map_or_else(string, |f| value(Value::Float(f)));
    }
    if FLOAT.is_match(s) {
        if s.trim_start_matches(['-', '+']) == "." {
            return string();
        }
        return float(s).map_or_else(string, |f| value(Value::Float(f)));
    }
    if INTEGER.is_match(s) {
        return integer(s).map_or_else(string, |i| value(Value::Int(i)));
    }
    string()
}

/// Psych's base-60 sum: part `e` of the split counts `60 ** |e - 2|`.
fn base60(s: &str, part: impl Fn(&str) -> f64) -> Option<f64> {
    let mut total = 0.0;
    for (e, n) in s.split(':').enumerate() {
        let power = i32::try_from(e.abs_diff(2)).ok()?;
        total += part(n) * 60f64.powi(power);
    }
    Some(total)
}

/// Ruby's `String#to_i`: an optional sign and leading digits (with single
/// underscores between them), 0 when there are none.
pub(crate) fn ruby_to_i(s: &str) -> i128 {
    let s = s.trim_start();
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let mut n: i128 = 0;
    let mut previous_underscore = false;
    for ch in digits.chars() {
        match ch {
            '0'..='9' => {
                n = n
                    .saturating_mul(10)
                    .saturating_add(i128::from(ch as u8 - b'0'));
                previous_underscore = false;
            }
            '_' if !previous_underscore && n != 0 => previous_underscore = true,
            _ => break,
        }
    }
    if negative {
        -n
    } else {
        n
    }
}

/// Ruby's `String#to_f` for the digit-and-dot strings base 60 produces.
fn ruby_to_f(s: &str) -> f64 {
    s.replace('_', "").parse().unwrap_or(0.0)
}

/// `Float(string.gsub(/[,_]|\.([Ee]|$)/, '\1'))`.
fn float(s: &str) -> Option<f64> {
    let cleaned: String = s.chars().filter(|c| !matches!(c, ',' | '_')).collect();
    let cleaned = cleaned
        .strip_suffix('.')
        .map(str::to_string)
        .unwrap_or_else(|| cleaned.replacen(".e", "e", 1).replacen(".E", "E", 1));
    cleaned.parse().ok()
}

/// `Integer(string.gsub(/[,_]/, ''))`: `0b`, `0x` and leading-zero octal.
fn integer(s: &str) -> Option<i128> {
    let cleaned: String = s.chars().filter(|c| !matches!(c, ',' | '_')).collect();
    let (negative, body) = match cleaned.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, cleaned.strip_prefix('+').unwrap_or(&cleaned)),
    };
    let n = if let Some(bin) = body.strip_prefix("0b") {
        i128::from_str_radix(bin, 2).ok()?
    } else if let Some(hex) = body.strip_prefix("0x") {
        i128::from_str_radix(hex, 16).ok()?
    } else if body.len() > 1 && body.starts_with('0') {
        i128::from_str_radix(&body[1..], 8).ok()?
    } else {
        body.parse().ok()?
    };
    Some(if negative { -n } else { n })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Value {
        match tokenize(s) {
            Typed::Value(v) => v,
            Typed::Refused(what) => panic!("{s} refused as {what}"),
        }
    }

    #[test]
    fn psych_types_plain_scalars() {
        assert_eq!(v("0.0"), Value::Float(0.0));
        assert_eq!(v("0"), Value::Int(0));
        assert_eq!(v("0o0"), Value::Str("0o0".into()));
        assert_eq!(v("0644"), Value::Int(420));
        assert_eq!(v("0x1F"), Value::Int(31));
        assert_eq!(v("0b101"), Value::Int(5));
        assert_eq!(v("1_000"), Value::Int(1000));
        assert_eq!(v("1,000"), Value::Int(1000));
        assert_eq!(v("09"), Value::Str("09".into()));
        assert_eq!(v("1e3"), Value::Str("1e3".into()));
        assert_eq!(v("1.5"), Value::Float(1.5));
        assert_eq!(v("1."), Value::Float(1.0));
        assert_eq!(v("1.0e+3"), Value::Float(1000.0));
        assert_eq!(v("1:30"), Value::Int(5400));
        assert_eq!(v("yes"), Value::Bool(true));
        assert_eq!(v("Off"), Value::Bool(false));
        assert_eq!(v("y"), Value::Str("y".into()));
        assert_eq!(v("NULL"), Value::Null);
        assert_eq!(v("~"), Value::Null);
        assert_eq!(v("linux"), Value::Str("linux".into()));
        assert_eq!(v("300s"), Value::Str("300s".into()));
    }

    #[test]
    fn safe_load_refuses_dates_times_and_symbols() {
        assert_eq!(tokenize("2024-01-01"), Typed::Refused("Date"));
        assert_eq!(tokenize("2024-1-1"), Typed::Refused("Date"));
        assert_eq!(tokenize("2024-01-01 10:00:00"), Typed::Refused("Time"));
        assert_eq!(tokenize("2024-01-01T10:00:00Z"), Typed::Refused("Time"));
        assert_eq!(tokenize(":root"), Typed::Refused("Symbol"));
        assert_eq!(v("2024-13-01"), Value::Str("2024-13-01".into()));
    }

    #[test]
    fn to_i_reads_leading_digits() {
        assert_eq!(ruby_to_i("300s"), 300);
        assert_eq!(ruby_to_i("1e3"), 1);
        assert_eq!(ruby_to_i(" 42"), 42);
        assert_eq!(ruby_to_i("-5"), -5);
        assert_eq!(ruby_to_i("1_000"), 1000);
        assert_eq!(ruby_to_i("soon"), 0);
    }

    #[test]
    fn scan_finds_aliases_and_dates_with_positions() {
        let scan = scan("a: &x 1\nb: *x\nc: 2024-01-01\nd: '2024-01-01'\n");
        let found: Vec<_> = scan
            .refused
            .iter()
            .map(|r| (r.line, r.column, r.what, r.text.as_str()))
            .collect();
        assert_eq!(found, [(2, 4, "alias", "*x"), (3, 4, "Date", "2024-01-01")]);
        assert_eq!(scan.plain.get(&(1, 7)), Some(&Value::Int(1)));
    }
}
