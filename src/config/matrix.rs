//! `matrix:` on an action: its axes, `include:` and `exclude:` as in GitHub
//! Actions, expanded at load time into one action per cell named
//! `test (python=3.11, os=a)` whose `${matrix.NAME}` variables are set.

use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::raw::{EnvMap, Scalar};
use crate::diagnostics::{span, Span};

/// At most this many cells per matrix (GitHub Actions' limit).
pub const MAX_CELLS: usize = 256;

/// One axis as written: `NAME: [values]`.
pub type Axis = (Spanned<String>, Spanned<Vec<Spanned<Scalar>>>);

/// A `matrix:` mapping as written: axes in file order, then the lists.
#[derive(Debug, Default)]
pub struct RawMatrix {
    /// `NAME: [values]`, in file order.
    pub axes: Vec<Axis>,
    /// `include:` entries.
    pub include: Vec<Spanned<EnvMap>>,
    /// `exclude:` entries.
    pub exclude: Vec<Spanned<EnvMap>>,
}

impl<'de> Deserialize<'de> for RawMatrix {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MatrixVisitor;
        impl<'de> Visitor<'de> for MatrixVisitor {
            type Value = RawMatrix;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a mapping of names to lists of values, e.g. { python: [\"3.11\", \"3.12\"] }, with optional `include:`/`exclude:` lists",
                )
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawMatrix, A::Error> {
                let mut matrix = RawMatrix::default();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    match key.value.as_str() {
                        "include" => matrix.include = map.next_value()?,
                        "exclude" => matrix.exclude = map.next_value()?,
                        _ => matrix.axes.push((key, map.next_value()?)),
                    }
                }
                Ok(matrix)
            }
        }
        deserializer.deserialize_map(MatrixVisitor)
    }
}

impl schemars::JsonSchema for RawMatrix {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Matrix".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let cell = serde_json::json!({
            "type": "object",
            "propertyNames": { "pattern": "^[A-Za-z0-9_-]+$" },
            "additionalProperties": { "type": ["string", "number", "boolean"] }
        });
        schemars::json_schema!({
            "description": "Run the action once per combination of the listed values (`NAME: [values]`), as actions named `ACTION (NAME=value, …)` that see `${matrix.NAME}`. `include:` adds keys to matching cells or adds cells; `exclude:` removes the cells it matches.",
            "type": "object",
            "properties": {
                "include": {
                    "description": "Cells to extend or add: an entry whose matrix values match cells adds its other keys to them, otherwise it is a cell of its own.",
                    "type": "array",
                    "items": cell
                },
                "exclude": {
                    "description": "Combinations to leave out: every cell whose values match all of an entry's keys.",
                    "type": "array",
                    "items": cell
                }
            },
            "propertyNames": { "pattern": "^[A-Za-z0-9_-]+$" },
            "additionalProperties": {
                "type": "array",
                "minItems": 1,
                "items": { "type": ["string", "number", "boolean"] }
            }
        })
    }
}

/// One cell of an expanded matrix, kept on each of its actions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    /// The action's name as written (`test`): `gantry run STAGE/test` runs every cell.
    pub base: String,
    /// Every name of the matrix: one this cell has no value for reads as empty.
    pub keys: Vec<String>,
    /// `NAME` → value, axes first, then keys `include:` added.
    pub values: Vec<(String, String)>,
    /// At most this many cells of the matrix at once (`max_parallel:`).
    pub max_parallel: Option<u32>,
    /// When one cell fails, skip the cells not started and stop the running ones.
    pub fail_fast: bool,
}

impl Cell {
    /// `test (python=3.11, os=a)`.
    pub fn name(&self) -> String {
        let values: Vec<String> = self
            .values
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        format!("{} ({})", self.base, values.join(", "))
    }

    /// `(NAME, value)` for every `${matrix.NAME}`, empty where this cell has none.
    pub fn variables(&self) -> impl Iterator<Item = (&str, &str)> {
        self.keys.iter().map(|k| {
            let value = self.values.iter().find(|(n, _)| n == k);
            (k.as_str(), value.map_or("", |(_, v)| v.as_str()))
        })
    }
}

/// A problem in a `matrix:`, with where it is and a hint.
pub struct Problem {
    /// Where.
    pub span: Span,
    /// What is wrong.
    pub message: String,
    /// What would be valid.
    pub hint: &'static str,
}

fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

type Combo = Vec<(String, String)>;

fn entries(map: &EnvMap) -> Combo {
    map.0
        .iter()
        .map(|(k, v)| (k.value.clone(), v.value.0.clone()))
        .collect()
}

fn lookup<'c>(combo: &'c Combo, key: &str) -> Option<&'c str> {
    combo
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The cells' values of `matrix` (`at`: where `matrix:` is written), or the
/// problems that keep it from expanding.
pub fn expand(matrix: &RawMatrix, at: Span) -> Result<Vec<Combo>, Vec<Problem>> {
    let mut problems = Vec::new();
    let axis_names: Vec<&str> = matrix.axes.iter().map(|(k, _)| k.value.as_str()).collect();
    for (key, values) in &matrix.axes {
        if !valid_key(&key.value) {
            problems.push(Problem {
                span: span(key),
                message: format!("invalid matrix name `{}`", key.value),
                hint: "use letters, digits, `_` and `-` (it is read as `${matrix.NAME}`)",
            });
        }
        if values.value.is_empty() {
            problems.push(Problem {
                span: span(values),
                message: format!("matrix `{}` has no values", key.value),
                hint: "list at least one value, e.g. [\"3.11\", \"3.12\"]",
            });
        }
        for value in &values.value {
            if value.value.0.chars().any(char::is_control) {
                problems.push(Problem {
                    span: span(value),
                    message: "a matrix value may not contain control characters".into(),
                    hint: "matrix values become part of the action's name; keep them on one line",
                });
            }
        }
    }
    for entry in matrix.include.iter().chain(&matrix.exclude) {
        for (key, _) in &entry.value.0 {
            if !valid_key(&key.value) {
                problems.push(Problem {
                    span: span(key),
                    message: format!("invalid matrix name `{}`", key.value),
                    hint: "use letters, digits, `_` and `-` (it is read as `${matrix.NAME}`)",
                });
            }
        }
    }
    for entry in &matrix.exclude {
        for (key, _) in &entry.value.0 {
            if !axis_names.contains(&key.value.as_str()) {
                problems.push(Problem {
                    span: span(key),
                    message: format!(
                        "`exclude:` names `{}`, which is not a matrix axis",
                        key.value
                    ),
                    hint: "exclude by the names listed in `matrix:` (not by keys `include:` adds)",
                });
            }
        }
        if entry.value.0.is_empty() {
            problems.push(Problem {
                span: span(entry),
                message: "empty `exclude:` entry".into(),
                hint: "name the values of the cells to leave out, e.g. { python: \"3.11\", os: a }",
            });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut combos: Vec<Combo> = if matrix.axes.is_empty() {
        Vec::new()
    } else {
        vec![Vec::new()]
    };
    for (key, values) in &matrix.axes {
        let count = combos.len().saturating_mul(values.value.len());
        if count > MAX_CELLS {
            return Err(vec![too_many(at, count)]);
        }
        combos = combos
            .iter()
            .flat_map(|combo| {
                values.value.iter().map(move |v| {
                    let mut next = combo.clone();
                    next.push((key.value.clone(), v.value.0.clone()));
                    next
                })
            })
            .collect();
    }
    combos.retain(|combo| {
        !matrix.exclude.iter().any(|ex| {
            entries(&ex.value)
                .iter()
                .all(|(k, v)| lookup(combo, k) == Some(v.as_str()))
        })
    });
    let originals = combos.len();
    for inc in &matrix.include {
        let inc = entries(&inc.value);
        let mut matched = false;
        for combo in combos.iter_mut().take(originals) {
            let fits = inc
                .iter()
                .filter(|(k, _)| axis_names.contains(&k.as_str()))
                .all(|(k, v)| lookup(combo, k) == Some(v.as_str()));
            if fits {
                matched = true;
                for (k, v) in inc
                    .iter()
                    .filter(|(k, _)| !axis_names.contains(&k.as_str()))
                {
                    match combo.iter_mut().find(|(ck, _)| ck == k) {
                        Some(slot) => slot.1 = v.clone(),
                        None => combo.push((k.clone(), v.clone())),
                    }
                }
            }
        }
        if !matched && !inc.is_empty() {
            combos.push(inc);
        }
    }
    if combos.is_empty() {
        return Err(vec![Problem {
            span: at,
            message: "the matrix has no cells (every combination is excluded, or nothing is listed)".into(),
            hint: "list values, e.g. matrix: { python: [\"3.11\", \"3.12\"] }, or fewer `exclude:` entries",
        }]);
    }
    if combos.len() > MAX_CELLS {
        return Err(vec![too_many(at, combos.len())]);
    }
    Ok(combos)
}

fn too_many(at: Span, count: usize) -> Problem {
    Problem {
        span: at,
        message: format!("the matrix has {count} cells; at most {MAX_CELLS} are allowed"),
        hint: "list fewer values, or leave combinations out with `exclude:`",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand_yaml(yaml: &str) -> Result<Vec<String>, Vec<String>> {
        let raw: RawMatrix =
            serde_saphyr::from_str_with_options(yaml, super::super::load::yaml_options()).unwrap();
        match expand(&raw, Span::default()) {
            Ok(combos) => Ok(combos
                .into_iter()
                .map(|values| {
                    Cell {
                        base: "t".into(),
                        keys: Vec::new(),
                        values,
                        max_parallel: None,
                        fail_fast: true,
                    }
                    .name()
                })
                .collect()),
            Err(problems) => Err(problems.into_iter().map(|p| p.message).collect()),
        }
    }

    #[test]
    fn product_in_axis_order_minus_excluded() {
        let names = expand_yaml("{ a: [1, 2], b: [x, y], exclude: [{ a: 2, b: y }] }").unwrap();
        assert_eq!(names, ["t (a=1, b=x)", "t (a=1, b=y)", "t (a=2, b=x)"]);
    }

    #[test]
    fn include_extends_matching_cells_or_adds_one() {
        let names = expand_yaml("{ a: [1, 2], include: [{ a: 1, extra: e }, { a: 3, extra: f }] }")
            .unwrap();
        assert_eq!(names, ["t (a=1, extra=e)", "t (a=2)", "t (a=3, extra=f)"]);
    }

    #[test]
    fn refuses_empty_and_unknown_excludes() {
        assert!(expand_yaml("{ a: [] }").is_err());
        assert!(expand_yaml("{ a: [1], exclude: [{ b: 1 }] }").is_err());
        assert!(expand_yaml("{ a: [1], exclude: [{ a: 1 }] }").is_err());
        assert!(expand_yaml("{}").is_err());
    }
}
