//! The toolchain versions a repository declares (`.nvmrc`, `.python-version`,
//! `go.mod`, `.ruby-version`, `.java-version`, `rust-toolchain.toml`,
//! `.tool-versions`), so that exported CI runs the versions the developer
//! runs: `actions/setup-*` steps for GitHub Actions, an `image:` per job for
//! GitLab CI.

use std::path::Path;

use super::yaml::{s, Node};
use super::Job;
use crate::config::ActionKind;

/// A language toolchain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Node.js.
    Node,
    /// Python.
    Python,
    /// Go.
    Go,
    /// Ruby.
    Ruby,
    /// Java.
    Java,
    /// Rust.
    Rust,
}

/// One declared toolchain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Toolchain {
    /// Which language.
    pub kind: Kind,
    /// The version as written (`20`, `3.12.1`, `1.80`, `lts/*`, `stable`).
    pub version: String,
    /// The file that declares it, relative to the root.
    pub file: &'static str,
}

/// The toolchains of a repository, one per kind at most.
#[derive(Clone, Debug, Default)]
pub struct Toolchains(pub Vec<Toolchain>);

/// Command words that tell which toolchain a job uses.
const WORDS: &[(Kind, &[&str])] = &[
    (
        Kind::Node,
        &["npm", "npx", "node", "yarn", "pnpm", "corepack"],
    ),
    (
        Kind::Python,
        &[
            "python", "python3", "pip", "pip3", "pytest", "poetry", "uv", "tox",
        ],
    ),
    (Kind::Go, &["go", "gofmt"]),
    (Kind::Ruby, &["ruby", "bundle", "rake", "gem", "rspec"]),
    (Kind::Java, &["java", "mvn", "mvnw", "gradle", "gradlew"]),
    (Kind::Rust, &["cargo", "rustc", "rustup"]),
];

impl Toolchains {
    /// The toolchains declared at `root`: a kind's own version file wins
    /// over `.tool-versions`.
    pub fn detect(root: &Path) -> Self {
        let read = |name: &str| crate::fsutil::read_to_string(&root.join(name)).ok();
        let first_line = |name: &str| {
            read(name).and_then(|t| {
                t.lines()
                    .map(str::trim)
                    .find(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(str::to_string)
            })
        };
        let mut found = Vec::new();
        let mut add = |kind, file: &'static str, version: Option<String>| {
            if let Some(version) = version.filter(|v| !v.is_empty()) {
                if !found.iter().any(|t: &Toolchain| t.kind == kind) {
                    found.push(Toolchain {
                        kind,
                        version,
                        file,
                    });
                }
            }
        };
        add(Kind::Node, ".nvmrc", first_line(".nvmrc"));
        add(Kind::Node, ".node-version", first_line(".node-version"));
        add(
            Kind::Python,
            ".python-version",
            first_line(".python-version"),
        );
        add(
            Kind::Go,
            "go.mod",
            read("go.mod").and_then(|t| go_version(&t)),
        );
        add(Kind::Ruby, ".ruby-version", first_line(".ruby-version"));
        add(Kind::Java, ".java-version", first_line(".java-version"));
        add(
            Kind::Rust,
            "rust-toolchain.toml",
            read("rust-toolchain.toml").and_then(|t| rust_channel(&t)),
        );
        add(
            Kind::Rust,
            "rust-toolchain",
            read("rust-toolchain").and_then(|t| {
                rust_channel(&t).or_else(|| t.lines().next().map(|l| l.trim().to_string()))
            }),
        );
        for line in read(".tool-versions").unwrap_or_default().lines() {
            let mut words = line.split_whitespace();
            let (Some(tool), Some(version)) = (words.next(), words.next()) else {
                continue;
            };
            let kind = match tool {
                "nodejs" | "node" => Kind::Node,
                "python" => Kind::Python,
                "golang" | "go" => Kind::Go,
                "ruby" => Kind::Ruby,
                "java" => Kind::Java,
                "rust" => Kind::Rust,
                _ => continue,
            };
            add(kind, ".tool-versions", Some(version.to_string()));
        }
        Toolchains(found)
    }

    /// The GitHub Actions steps that install every declared toolchain.
    pub fn github_steps(&self) -> Vec<Node> {
        self.0.iter().map(github_step).collect()
    }

    /// The container image for `job` in GitLab CI: the toolchain its
    /// command words name (`npm test` → Node), else the only declared one;
    /// none for image builds, deployments and approvals, which need other
    /// tools.
    pub fn image_for(&self, job: &Job<'_>) -> Option<String> {
        if !matches!(
            job.action.kind,
            ActionKind::Run { .. } | ActionKind::Script { .. }
        ) {
            return None;
        }
        let script = job.script();
        let named = script
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .find_map(|word| {
                WORDS
                    .iter()
                    .find(|(_, words)| words.contains(&word))
                    .map(|(kind, _)| *kind)
            });
        let toolchain = match named {
            Some(kind) => self.0.iter().find(|t| t.kind == kind),
            None if self.0.len() == 1 => self.0.first(),
            None => None,
        };
        toolchain.and_then(Toolchain::image)
    }
}

impl Toolchain {
    /// The official Docker image for this version, when one is named so.
    pub fn image(&self) -> Option<String> {
        let v = self.version.trim();
        let numeric = |v: &str| v.starts_with(|c: char| c.is_ascii_digit());
        match self.kind {
            Kind::Node => {
                let v = v.trim_start_matches('v');
                match v {
                    "lts/*" | "lts" => Some("node:lts".into()),
                    "node" | "latest" | "current" => Some("node:latest".into()),
                    _ if v.starts_with("lts/") => Some(format!("node:{}", &v["lts/".len()..])),
                    _ if numeric(v) => Some(format!("node:{v}")),
                    _ => None,
                }
            }
            Kind::Python => numeric(v).then(|| format!("python:{v}")),
            Kind::Go => numeric(v).then(|| format!("golang:{v}")),
            Kind::Ruby => {
                let v = v.trim_start_matches("ruby-");
                numeric(v).then(|| format!("ruby:{v}"))
            }
            Kind::Java => {
                let v = v.rsplit('-').next().unwrap_or(v);
                numeric(v).then(|| format!("eclipse-temurin:{v}"))
            }
            Kind::Rust => match v {
                "stable" => Some("rust:latest".into()),
                _ if v.starts_with("nightly") => Some("rustlang/rust:nightly".into()),
                _ if numeric(v) => Some(format!("rust:{v}")),
                _ => None,
            },
        }
    }
}

fn github_step(t: &Toolchain) -> Node {
    let (uses, with): (&str, Vec<(&str, Node)>) = match t.kind {
        Kind::Node => (
            "actions/setup-node@v4",
            vec![("node-version-file", s(t.file))],
        ),
        Kind::Python => (
            "actions/setup-python@v5",
            vec![("python-version-file", s(t.file))],
        ),
        Kind::Go => ("actions/setup-go@v5", vec![("go-version-file", s(t.file))]),
        Kind::Ruby => (
            "ruby/setup-ruby@v1",
            vec![("ruby-version", s(t.version.trim_start_matches("ruby-")))],
        ),
        Kind::Java => (
            "actions/setup-java@v4",
            vec![
                ("distribution", s("temurin")),
                ("java-version-file", s(t.file)),
            ],
        ),
        Kind::Rust => (
            "dtolnay/rust-toolchain@master",
            vec![("toolchain", s(&t.version))],
        ),
    };
    Node::Map(vec![
        ("name".into(), s(format!("toolchain from {}", t.file))),
        ("uses".into(), s(uses)),
        (
            "with".into(),
            Node::Map(with.into_iter().map(|(k, v)| (k.to_string(), v)).collect()),
        ),
    ])
}

/// `toolchain goX` when go.mod has it, else the `go X` directive.
fn go_version(go_mod: &str) -> Option<String> {
    let directive = |name: &str| {
        go_mod.lines().find_map(|l| {
            let mut words = l.split_whitespace();
            (words.next() == Some(name))
                .then(|| words.next().map(str::to_string))
                .flatten()
        })
    };
    directive("toolchain")
        .map(|t| t.trim_start_matches("go").to_string())
        .or_else(|| directive("go"))
}

/// The `channel = "…"` of a rust-toolchain(.toml) file's `[toolchain]` table.
fn rust_channel(text: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let (key, value) = l.split_once('=')?;
        (key.trim() == "channel").then(|| value.trim().trim_matches(['"', '\'']).to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(files: &[(&str, &str)]) -> Vec<(Kind, String, &'static str)> {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        Toolchains::detect(dir.path())
            .0
            .into_iter()
            .map(|t| (t.kind, t.version, t.file))
            .collect()
    }

    #[test]
    fn reads_each_version_file() {
        let found = detect(&[
            (".nvmrc", "v20.11.1\n"),
            (".python-version", "# pyenv\n3.12\n"),
            ("go.mod", "module x\n\ngo 1.22\n\ntoolchain go1.22.3\n"),
            (".ruby-version", "ruby-3.3.0\n"),
            (".java-version", "17\n"),
            (
                "rust-toolchain.toml",
                "[toolchain]\nchannel = \"1.80\"\ncomponents = [\"clippy\"]\n",
            ),
        ]);
        assert_eq!(
            found,
            vec![
                (Kind::Node, "v20.11.1".into(), ".nvmrc"),
                (Kind::Python, "3.12".into(), ".python-version"),
                (Kind::Go, "1.22.3".into(), "go.mod"),
                (Kind::Ruby, "ruby-3.3.0".into(), ".ruby-version"),
                (Kind::Java, "17".into(), ".java-version"),
                (Kind::Rust, "1.80".into(), "rust-toolchain.toml"),
            ]
        );
    }

    #[test]
    fn tool_versions_fills_in_what_no_own_file_declares() {
        let found = detect(&[
            (".python-version", "3.11\n"),
            (
                ".tool-versions",
                "python 3.9\nnodejs 18.19.0\nterraform 1.6\n",
            ),
            ("go.mod", "module x\ngo 1.21\n"),
        ]);
        assert_eq!(
            found,
            vec![
                (Kind::Python, "3.11".into(), ".python-version"),
                (Kind::Go, "1.21".into(), "go.mod"),
                (Kind::Node, "18.19.0".into(), ".tool-versions"),
            ]
        );
        assert!(detect(&[("package.json", "{}")]).is_empty());
    }

    #[test]
    fn images_follow_the_declared_version() {
        let image = |kind, version: &str| {
            Toolchain {
                kind,
                version: version.into(),
                file: "",
            }
            .image()
        };
        assert_eq!(image(Kind::Node, "v20").as_deref(), Some("node:20"));
        assert_eq!(image(Kind::Node, "lts/*").as_deref(), Some("node:lts"));
        assert_eq!(image(Kind::Node, "lts/iron").as_deref(), Some("node:iron"));
        assert_eq!(image(Kind::Python, "3.12").as_deref(), Some("python:3.12"));
        assert_eq!(image(Kind::Python, "pypy3.10"), None);
        assert_eq!(image(Kind::Go, "1.22.3").as_deref(), Some("golang:1.22.3"));
        assert_eq!(
            image(Kind::Ruby, "ruby-3.3.0").as_deref(),
            Some("ruby:3.3.0")
        );
        assert_eq!(
            image(Kind::Java, "temurin-21").as_deref(),
            Some("eclipse-temurin:21")
        );
        assert_eq!(image(Kind::Rust, "1.80").as_deref(), Some("rust:1.80"));
        assert_eq!(image(Kind::Rust, "stable").as_deref(), Some("rust:latest"));
        assert_eq!(image(Kind::Rust, "beta"), None);
    }

    #[test]
    fn github_steps_install_each_toolchain_from_its_file() {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in [
            ("go.mod", "module x\ngo 1.22\n"),
            (".ruby-version", "3.3.0\n"),
            (".java-version", "21\n"),
            ("rust-toolchain.toml", "[toolchain]\nchannel = \"1.80\"\n"),
        ] {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let steps = Toolchains::detect(dir.path()).github_steps();
        let text =
            crate::export::yaml::render(&Node::Map(vec![("steps".into(), Node::Seq(steps))]));
        for expected in [
            "uses: \"actions/setup-go@v5\"\n    with:\n      go-version-file: go.mod\n",
            "uses: \"ruby/setup-ruby@v1\"\n    with:\n      ruby-version: \"3.3.0\"\n",
            "uses: \"actions/setup-java@v4\"\n    with:\n      distribution: temurin\n      java-version-file: \".java-version\"\n",
            "uses: \"dtolnay/rust-toolchain@master\"\n    with:\n      toolchain: \"1.80\"\n",
        ] {
            assert!(text.contains(expected), "{expected} missing:\n{text}");
        }
    }
}
