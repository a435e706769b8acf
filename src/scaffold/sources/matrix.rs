//! A GitHub job's `strategy.matrix`: its cells, expanded as GitHub expands
//! them (every combination of the keys' values, less `exclude:`, with
//! `include:` entries added to the combinations they fit or as cells of
//! their own), and the one cell `gantry init` runs: one that runs on
//! Linux, preferably the one whose Python, Node, Go or Ruby version is the
//! one on this machine, else the first.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Mutex, OnceLock};

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::expression::{self, Matrix};

/// A mapping in the order it is written (a `serde_json` map sorts its keys,
/// and the order of a matrix's keys is the order of its cells).
pub struct Ordered(pub Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct InOrder;
        impl<'de> Visitor<'de> for InOrder {
            type Value = Ordered;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, Value>()? {
                    entries.push(entry);
                }
                Ok(Ordered(entries))
            }
        }
        deserializer.deserialize_map(InOrder)
    }
}

/// A job's `strategy:` as written: with a `matrix:` mapping, or anything
/// else (an expression, which only the CI works out).
#[derive(Deserialize)]
#[serde(untagged)]
pub enum Strategy {
    Keys { matrix: Option<MatrixSpec> },
    Other(serde::de::IgnoredAny),
}

/// A `matrix:` as written.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum MatrixSpec {
    Keys(Ordered),
    Other(serde::de::IgnoredAny),
}

/// The cell of a job's matrix that gantry runs, and the others.
pub struct Chosen {
    pub cell: Map<String, Value>,
    /// Every key any cell defines.
    pub keys: Vec<String>,
    /// The cells CI runs besides this one.
    pub others: Vec<Map<String, Value>>,
    /// The keys whose values pick the job's toolchain (`setup-python`'s
    /// `python-version`): every step runs with them.
    pub toolchain: Vec<String>,
    /// Why this cell: `python3 here is 3.11`, `the first cell`.
    pub why: String,
}

impl Chosen {
    /// The values expressions read.
    pub fn matrix(&self) -> Matrix<'_> {
        Matrix {
            cell: &self.cell,
            keys: &self.keys,
        }
    }

    /// The values of `keys` in `cell`: `python=3.11, os=ubuntu-latest`.
    pub fn shown(&self, keys: &[String]) -> String {
        shown_in(&self.cell, keys)
    }

    /// What a step reading matrix keys `used` runs with, and what CI runs
    /// that it does not: a note for the action's comment.
    pub fn note(&self, used: &[String]) -> String {
        let shown = |cell: &Map<String, Value>| shown_in(cell, used);
        let this = shown(&self.cell);
        let mut others: Vec<String> = Vec::new();
        for cell in &self.others {
            let other = shown(cell);
            if other != this && !others.contains(&other) {
                others.push(other);
            }
        }
        let this = if this.is_empty() {
            format!("{} unset", used.join(", "))
        } else {
            this
        };
        let mut note = format!(
            "CI runs this step for each cell of the job's matrix; this pipeline runs it for {this} only ({})",
            self.why
        );
        if !others.is_empty() {
            let listed: Vec<String> = others.iter().take(4).map(|o| format!("`{o}`")).collect();
            let more = if others.len() > 4 { ", …" } else { "" };
            note.push_str(&format!(
                ", not for {}{more} ({} other {})",
                listed.join(", "),
                others.len(),
                if others.len() == 1 { "value" } else { "values" }
            ));
        }
        note
    }
}

/// The values of `keys` in `cell` (those it sets): `python=3.11, os=ubuntu-latest`.
fn shown_in(cell: &Map<String, Value>, keys: &[String]) -> String {
    keys.iter()
        .filter_map(|k| {
            let value = match cell.get(k)? {
                Value::Null => return None,
                nested @ (Value::Array(_) | Value::Object(_)) => nested.to_string(),
                scalar => expression::shown(scalar).ok()?,
            };
            Some(format!("{k}={value}"))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The most cells GitHub runs for one matrix: it refuses a workflow whose
/// matrix has more.
pub const MOST_CELLS: usize = 256;

/// How many combinations of its keys' values a matrix may have for
/// gantry to expand it: a few excludes may bring a larger one down to
/// [`MOST_CELLS`], but not this far (`7 keys × 10 values` would be 10⁷).
const MOST_COMBINATIONS: usize = 16 * MOST_CELLS;

/// Why a matrix's cells are not known here.
#[derive(Debug)]
pub enum NoCells {
    /// It is computed by an expression only the CI works out.
    Computed,
    /// It has more cells than GitHub runs: the job does not run at all.
    Refused(String),
}

/// The cells of `spec` in GitHub's order; `Err` when they cannot be known
/// here (a matrix computed by an expression, or one GitHub refuses).
pub fn cells(spec: &MatrixSpec) -> Result<Vec<Map<String, Value>>, NoCells> {
    let MatrixSpec::Keys(keys) = spec else {
        return Err(NoCells::Computed);
    };
    if serde_json::to_string(&keys.0.iter().map(|(_, v)| v).collect::<Vec<_>>())
        .unwrap_or_default()
        .contains("${{")
    {
        return Err(NoCells::Computed);
    }
    let too_many = || {
        NoCells::Refused(format!(
            "its matrix has more than {MOST_CELLS} cells, which GitHub refuses"
        ))
    };
    let combinations = keys
        .0
        .iter()
        .filter(|(key, _)| key != "include" && key != "exclude")
        .fold(1usize, |product, (_, value)| {
            product.saturating_mul(value.as_array().map_or(1, Vec::len))
        });
    if combinations > MOST_COMBINATIONS {
        return Err(too_many());
    }
    let entries = |value: &Value| -> Vec<Map<String, Value>> {
        value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| i.as_object().cloned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let (mut include, mut exclude) = (Vec::new(), Vec::new());
    let mut originals: Vec<&str> = Vec::new();
    let mut combos: Vec<Map<String, Value>> = vec![Map::new()];
    for (key, value) in &keys.0 {
        match key.as_str() {
            "include" => include = entries(value),
            "exclude" => exclude = entries(value),
            _ => {
                originals.push(key);
                let values = match value {
                    Value::Array(values) => values.clone(),
                    other => vec![other.clone()],
                };
                combos = combos
                    .iter()
                    .flat_map(|combo| {
                        values.iter().map(move |v| {
                            let mut combo = combo.clone();
                            combo.insert(key.clone(), v.clone());
                            combo
                        })
                    })
                    .collect();
            }
        }
    }
    if originals.is_empty() {
        combos.clear();
    }
    let same = |a: Option<&Value>, b: &Value| {
        a.is_some_and(|a| a == b || (expression::shown(a).ok() == expression::shown(b).ok()))
    };
    combos.retain(|combo| {
        !exclude
            .iter()
            .any(|ex| ex.iter().all(|(k, v)| same(combo.get(k), v)))
    });
    let original = combos.len();
    for entry in include {
        let mut fitted = false;
        for combo in combos.iter_mut().take(original) {
            let fits = entry
                .iter()
                .filter(|(k, _)| originals.contains(&k.as_str()))
                .all(|(k, v)| same(combo.get(k), v));
            if fits {
                for (k, v) in &entry {
                    if !originals.contains(&k.as_str()) {
                        combo.insert(k.clone(), v.clone());
                    }
                }
                fitted = true;
            }
        }
        if !fitted {
            combos.push(entry);
        }
    }
    if combos.len() > MOST_CELLS {
        return Err(too_many());
    }
    Ok(combos)
}

/// Every key any of `cells` sets, sorted.
pub fn keys(cells: &[Map<String, Value>]) -> Vec<String> {
    let mut keys: Vec<String> = cells.iter().flat_map(|c| c.keys().cloned()).collect();
    keys.sort();
    keys.dedup();
    keys
}

/// The cell to run among `cells`: of those `runs_here` accepts (Linux),
/// one that `installs_its_own` does not (a cell with an install step of
/// its own, `if: matrix.deps == 'minimum'`, tests other dependencies than
/// the rest of the pipeline would), and of those the one with the most
/// tool versions matching the tool's version here (`versions`: a version
/// as the job writes it, `${{ matrix.python }}` or `1.${{ matrix.go
/// }}.x`, and the program it is the version of), else the first. `None`
/// when no cell runs here.
pub fn choose(
    cells: Vec<Map<String, Value>>,
    runs_here: impl Fn(&Map<String, Value>) -> bool,
    installs_its_own: impl Fn(&Map<String, Value>) -> bool,
    versions: &[(String, &'static str)],
) -> Option<Chosen> {
    let keys = keys(&cells);
    let here: Vec<usize> = (0..cells.len()).filter(|i| runs_here(&cells[*i])).collect();
    let first = *here.first()?;
    // Each tool's version in `cell`, and the one here.
    let asked = |cell: &Map<String, Value>| -> Vec<(String, &'static str, String)> {
        let values = Matrix { cell, keys: &keys };
        versions
            .iter()
            .filter_map(|(written, program)| {
                let (value, used) = expression::substitute(written, Some(&values)).ok()?;
                // The local tool is asked only about a version a cell sets.
                if used.is_empty() || value.is_empty() {
                    return None;
                }
                Some((value, *program, local_version(program)?))
            })
            .collect()
    };
    let matched = |cell: &Map<String, Value>| -> Vec<String> {
        asked(cell)
            .into_iter()
            .filter(|(value, _, local)| version_matches(value, local))
            .map(|(_, program, local)| format!("{program} here is {local}"))
            .collect()
    };
    let own_installs: Vec<bool> = cells.iter().map(&installs_its_own).collect();
    let best = here
        .iter()
        .copied()
        .max_by_key(|i| {
            (
                !own_installs[*i],
                matched(&cells[*i]).len(),
                std::cmp::Reverse(*i),
            )
        })
        .unwrap_or(first);
    let mut why = matched(&cells[best]);
    why.dedup();
    if why.is_empty() {
        why.push(if here.len() < cells.len() {
            "the first cell that runs on Linux".into()
        } else {
            "the first cell".into()
        });
        let passed_over = here
            .iter()
            .any(|i| own_installs[*i] && !matched(&cells[*i]).is_empty());
        for (_, program, local) in asked(&cells[best]) {
            why.push(if passed_over {
                format!("{program} here is {local}, whose cell installs other dependencies")
            } else {
                format!("{program} here is {local}, which no cell asks for")
            });
        }
    }
    let mut cells = cells;
    let cell = cells.remove(best);
    Some(Chosen {
        cell,
        keys,
        others: cells,
        toolchain: Vec::new(),
        why: why.join("; "),
    })
}

/// The program a matrix key gives the version of, by its name
/// (`python-version`, `node`, `go`, `ruby`).
pub fn program_of_key(key: &str) -> Option<&'static str> {
    let key = key.to_ascii_lowercase();
    if key.contains("python") || key == "py" {
        Some("python3")
    } else if key.contains("node") {
        Some("node")
    } else if key == "go"
        || key.starts_with("go-")
        || key.starts_with("go_")
        || key.contains("golang")
    {
        Some("go")
    } else if key.contains("ruby") {
        Some("ruby")
    } else {
        None
    }
}

/// The program a `setup-*` action installs (`actions/setup-python`).
pub fn program_of_setup(action: &str) -> Option<&'static str> {
    let action = action.to_ascii_lowercase();
    [
        ("setup-python", "python3"),
        ("setup-node", "node"),
        ("setup-go", "go"),
        ("setup-ruby", "ruby"),
    ]
    .iter()
    .find(|(setup, _)| action.contains(setup))
    .map(|(_, program)| *program)
}

/// Whether matrix value `value` (`3.11`, `20.x`, `v18`) names the version
/// `local` (`3.11.7`): each of its numbers is the local version's.
fn version_matches(value: &str, local: &str) -> bool {
    let value = value.trim().trim_start_matches('v');
    let value = value
        .strip_suffix(".x")
        .or_else(|| value.strip_suffix(".*"))
        .unwrap_or(value);
    if value.is_empty() || !value.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return false;
    }
    let mut local = local.split('.');
    value.split('.').all(|part| local.next() == Some(part))
}

/// The version of `program` on this machine (`3.11.7`), asked once.
fn local_version(program: &'static str) -> Option<String> {
    static SEEN: OnceLock<Mutex<BTreeMap<&'static str, Option<String>>>> = OnceLock::new();
    let seen = SEEN.get_or_init(Default::default);
    if let Some(known) = seen.lock().ok()?.get(program) {
        return known.clone();
    }
    let arg = if program == "go" {
        "version"
    } else {
        "--version"
    };
    let version = std::process::Command::new(program)
        .arg(arg)
        .stdin(std::process::Stdio::null())
        .output()
        .ok()
        .filter(|out| out.status.success())
        .and_then(|out| {
            let text = String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr);
            version_in(&text)
        });
    seen.lock().ok()?.insert(program, version.clone());
    version
}

/// The first version number in a program's `--version` text
/// (`Python 3.11.7`, `v20.1.0`, `go version go1.22.1 linux/amd64`).
fn version_in(text: &str) -> Option<String> {
    text.split_whitespace().find_map(|word| {
        let word = word.trim_start_matches("go").trim_start_matches('v');
        let end = word
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(word.len());
        let number = word[..end].trim_end_matches('.');
        (number.contains('.') && number.starts_with(|c: char| c.is_ascii_digit()))
            .then(|| number.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(yaml: &str) -> MatrixSpec {
        serde_saphyr::from_str(yaml).unwrap()
    }

    fn shown(cells: &[Map<String, Value>]) -> Vec<String> {
        cells
            .iter()
            .map(|c| Value::Object(c.clone()).to_string())
            .collect()
    }

    #[test]
    fn cells_are_expanded_as_github_expands_them() {
        let cells = cells(&spec(
            "os: [ubuntu, windows]\npython: ['3.10', '3.11']\nexclude:\n  - {os: windows, python: '3.10'}\ninclude:\n  - {python: '3.11', extra: x}\n  - {python: '3.14', os: mac}\n",
        ))
        .unwrap();
        assert_eq!(
            shown(&cells),
            [
                r#"{"os":"ubuntu","python":"3.10"}"#,
                r#"{"extra":"x","os":"ubuntu","python":"3.11"}"#,
                r#"{"extra":"x","os":"windows","python":"3.11"}"#,
                r#"{"os":"mac","python":"3.14"}"#,
            ]
        );
        let only_include =
            cells_of("include:\n  - {python: '3.14'}\n  - {python: '3.13', tox: min}\n");
        assert_eq!(
            shown(&only_include),
            [r#"{"python":"3.14"}"#, r#"{"python":"3.13","tox":"min"}"#]
        );
        // The example of GitHub's documentation ("Expanding or adding
        // matrix configurations").
        let documented = cells_of(
            "fruit: [apple, pear]\nanimal: [cat, dog]\ninclude:\n  - color: green\n  - color: pink\n    animal: cat\n  - fruit: apple\n    shape: circle\n  - fruit: banana\n  - fruit: banana\n    animal: cat\n",
        );
        assert_eq!(
            shown(&documented),
            [
                r#"{"animal":"cat","color":"pink","fruit":"apple","shape":"circle"}"#,
                r#"{"animal":"dog","color":"green","fruit":"apple","shape":"circle"}"#,
                r#"{"animal":"cat","color":"pink","fruit":"pear"}"#,
                r#"{"animal":"dog","color":"green","fruit":"pear"}"#,
                r#"{"fruit":"banana"}"#,
                r#"{"animal":"cat","fruit":"banana"}"#,
            ]
        );
        assert!(super::cells(&spec("${{ fromJSON(needs.x.outputs.m) }}")).is_err());
        assert!(super::cells(&spec("v: ${{ fromJSON(inputs.v) }}")).is_err());
    }

    #[test]
    fn a_matrix_github_refuses_is_not_expanded() {
        let ten = "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]";
        let huge: String = (0..7).map(|k| format!("k{k}: {ten}\n")).collect();
        let refused = |yaml: &str| {
            matches!(
                super::cells(&spec(yaml)),
                Err(NoCells::Refused(reason)) if reason == "its matrix has more than 256 cells, which GitHub refuses"
            )
        };
        assert!(refused(&huge));
        assert!(refused("a: [1, 2]\nb: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129]\n"));
        // 256 cells, the most GitHub runs, are expanded; so is a larger
        // product that excludes bring down to 256.
        let cells_of_product = |a: usize, b: usize| {
            let list = |n: usize| {
                format!(
                    "[{}]",
                    (0..n).map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
                )
            };
            format!("a: {}\nb: {}\n", list(a), list(b))
        };
        assert_eq!(cells_of(&cells_of_product(16, 16)).len(), 256);
        let excluded = cells_of_product(17, 16) + "exclude:\n  - a: 16\n";
        assert_eq!(cells_of(&excluded).len(), 256);
    }

    fn cells_of(yaml: &str) -> Vec<Map<String, Value>> {
        cells(&spec(yaml)).unwrap()
    }

    #[test]
    fn the_cell_that_runs_here_is_chosen() {
        let all = cells_of("os: [windows-latest, ubuntu-latest]\nv: [a, b]\n");
        let linux = |c: &Map<String, Value>| c["os"] == "ubuntu-latest";
        let chosen = choose(all, linux, |_| false, &[]).unwrap();
        assert_eq!(chosen.cell["v"], "a");
        assert_eq!(chosen.why, "the first cell that runs on Linux");
        assert_eq!(chosen.others.len(), 3);
        assert!(chosen
            .note(&["v".into()])
            .ends_with("this pipeline runs it for v=a only (the first cell that runs on Linux), not for `v=b` (1 other value)"));
        assert!(choose(cells_of("os: [macos-latest]\n"), |_| false, |_| false, &[]).is_none());
        // A cell with an install of its own is passed over.
        let deps = cells_of("include:\n  - {deps: minimum}\n  - {deps: latest}\n");
        let chosen = choose(deps, |_| true, |c| c["deps"] == "minimum", &[]).unwrap();
        assert_eq!(chosen.cell["deps"], "latest");
    }

    #[test]
    fn versions_are_read_and_matched() {
        assert_eq!(version_in("Python 3.11.7\n").as_deref(), Some("3.11.7"));
        assert_eq!(version_in("v20.20.2").as_deref(), Some("20.20.2"));
        assert_eq!(
            version_in("go version go1.22.1 linux/amd64").as_deref(),
            Some("1.22.1")
        );
        assert_eq!(version_in("ruby 3.1.2p20 (2022)").as_deref(), Some("3.1.2"));
        assert!(version_matches("3.11", "3.11.7"));
        assert!(version_matches("20.x", "20.20.2"));
        assert!(version_matches("v20", "20.20.2"));
        assert!(!version_matches("3.1", "3.11.7"));
        assert!(!version_matches("3.14t", "3.14.0"));
        assert!(!version_matches("pypy-3.11", "3.11.7"));
        assert_eq!(program_of_key("python-version"), Some("python3"));
        assert_eq!(program_of_key("go"), Some("go"));
        assert_eq!(program_of_key("goal"), None);
        assert_eq!(program_of_setup("actions/setup-node@v4"), Some("node"));
    }
}
