//! The ecosystems `gantry init` knows: how each is recognised, which
//! template it uses, and the facts its template needs.

use std::path::Path;

use super::facts;
use super::template::Vars;

/// A kind of project, recognised by its manifest files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Ecosystem {
    /// Rust with Cargo (`Cargo.toml`).
    Rust,
    /// Node with npm, yarn or pnpm (`package.json`).
    Node,
    /// Go modules (`go.mod`).
    Go,
    /// Python (`pyproject.toml`, `setup.py`, `requirements.txt`).
    Python,
    /// Java with Maven (`pom.xml`).
    Maven,
    /// Java or Kotlin with Gradle (`gradlew`, `build.gradle[.kts]`).
    Gradle,
    /// .NET (`*.sln`, `*.csproj`, `*.fsproj`, `*.vbproj`).
    Dotnet,
    /// Ruby with Bundler or Rake (`Gemfile`, `Rakefile`).
    Ruby,
    /// PHP with Composer (`composer.json`).
    Php,
}

/// What detection learnt about one project.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// Template variables specific to the ecosystem.
    pub vars: Vars,
    /// The label shown to the user, e.g. `Node (pnpm)`.
    pub label: String,
    /// Files (relative to the project) that decide its installed
    /// dependencies: the `inputs:` of its `deps` action.
    pub deps_files: Vec<String>,
    /// Things the user should know, e.g. a missing test script.
    pub notes: Vec<String>,
}

impl Ecosystem {
    /// Every ecosystem, in the order projects are listed in a pipeline.
    pub const ALL: [Ecosystem; 9] = [
        Ecosystem::Rust,
        Ecosystem::Go,
        Ecosystem::Node,
        Ecosystem::Python,
        Ecosystem::Maven,
        Ecosystem::Gradle,
        Ecosystem::Dotnet,
        Ecosystem::Ruby,
        Ecosystem::Php,
    ];

    /// Short lowercase name, as `--template` takes it.
    pub fn key(self) -> &'static str {
        match self {
            Ecosystem::Rust => "rust",
            Ecosystem::Node => "node",
            Ecosystem::Go => "go",
            Ecosystem::Python => "python",
            Ecosystem::Maven => "maven",
            Ecosystem::Gradle => "gradle",
            Ecosystem::Dotnet => "dotnet",
            Ecosystem::Ruby => "ruby",
            Ecosystem::Php => "php",
        }
    }

    /// The template file's name and text.
    pub fn template(self) -> (&'static str, &'static str) {
        match self {
            Ecosystem::Rust => ("rust.yml", include_str!("../../templates/rust.yml")),
            Ecosystem::Node => ("node.yml", include_str!("../../templates/node.yml")),
            Ecosystem::Go => ("go.yml", include_str!("../../templates/go.yml")),
            Ecosystem::Python => ("python.yml", include_str!("../../templates/python.yml")),
            Ecosystem::Maven => ("maven.yml", include_str!("../../templates/maven.yml")),
            Ecosystem::Gradle => ("gradle.yml", include_str!("../../templates/gradle.yml")),
            Ecosystem::Dotnet => ("dotnet.yml", include_str!("../../templates/dotnet.yml")),
            Ecosystem::Ruby => ("ruby.yml", include_str!("../../templates/ruby.yml")),
            Ecosystem::Php => ("php.yml", include_str!("../../templates/php.yml")),
        }
    }

    /// Whether `dir` holds a project of this ecosystem.
    pub fn found_in(self, dir: &Path) -> bool {
        let has = |name: &str| dir.join(name).is_file();
        match self {
            Ecosystem::Rust => has("Cargo.toml"),
            Ecosystem::Node => has("package.json"),
            Ecosystem::Go => has("go.mod"),
            Ecosystem::Python => {
                has("pyproject.toml") || has("setup.py") || has("requirements.txt")
            }
            Ecosystem::Maven => has("pom.xml"),
            Ecosystem::Gradle => ["gradlew", "build.gradle", "build.gradle.kts"]
                .iter()
                .any(|f| has(f)),
            Ecosystem::Dotnet => !facts::dotnet_targets(dir).is_empty(),
            Ecosystem::Ruby => has("Gemfile") || has("Rakefile"),
            Ecosystem::Php => has("composer.json"),
        }
    }

    /// What the template needs to know about the project in `dir`.
    /// `checks` reads the repository's CI files once for every project.
    pub fn facts(self, dir: &Path, checks: &facts::CheckFiles) -> Facts {
        match self {
            Ecosystem::Rust => facts::rust(dir, checks),
            Ecosystem::Node => super::node::facts(dir),
            Ecosystem::Go => facts::go(dir, checks),
            Ecosystem::Python => super::python::facts(dir, checks),
            Ecosystem::Maven => facts::maven(dir),
            Ecosystem::Gradle => facts::gradle(dir),
            Ecosystem::Dotnet => facts::dotnet(dir, checks),
            Ecosystem::Ruby => facts::ruby(dir),
            Ecosystem::Php => facts::php(dir),
        }
    }
}

/// What `gantry init --template` takes: an ecosystem's template, or a task
/// runner whose targets the pipeline runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Template {
    /// Rust with Cargo.
    Rust,
    /// Node with npm, yarn or pnpm.
    Node,
    /// Go modules.
    Go,
    /// Python.
    Python,
    /// Java with Maven.
    Maven,
    /// Java or Kotlin with Gradle.
    Gradle,
    /// .NET.
    Dotnet,
    /// Ruby with Bundler or Rake.
    Ruby,
    /// PHP with Composer.
    Php,
    /// `make` targets: `lint`, `all` (or `build`, or the default), `test`.
    Make,
    /// `just` recipes: `lint`, `build`, `test`.
    Just,
    /// Task (`Taskfile.yml`) tasks: `lint`, `build`, `test`.
    Task,
}

impl Template {
    /// The ecosystem whose template this is, if it is one.
    pub fn ecosystem(self) -> Option<Ecosystem> {
        Some(match self {
            Template::Rust => Ecosystem::Rust,
            Template::Node => Ecosystem::Node,
            Template::Go => Ecosystem::Go,
            Template::Python => Ecosystem::Python,
            Template::Maven => Ecosystem::Maven,
            Template::Gradle => Ecosystem::Gradle,
            Template::Dotnet => Ecosystem::Dotnet,
            Template::Ruby => Ecosystem::Ruby,
            Template::Php => Ecosystem::Php,
            Template::Make | Template::Just | Template::Task => return None,
        })
    }

    /// The task runner this is, if it is one.
    pub fn runner(self) -> Option<super::sources::Origin> {
        use super::sources::Origin;
        match self {
            Template::Make => Some(Origin::Make),
            Template::Just => Some(Origin::Just),
            Template::Task => Some(Origin::Task),
            _ => None,
        }
    }
}
