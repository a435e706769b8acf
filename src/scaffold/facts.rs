//! Facts about Rust, Go, Maven, Gradle, .NET, Ruby and PHP projects: the
//! commands and switches their templates need (Node and Python, which need
//! more reading, have modules of their own).

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::ecosystem::Facts;
use super::template::Vars;

/// The text of `dir/name`, if it is a readable UTF-8 file.
pub fn read(dir: &Path, name: &str) -> Option<String> {
    crate::fsutil::read_to_string(&dir.join(name)).ok()
}

/// Whether `dir/name` exists (file or directory).
pub fn exists(dir: &Path, name: &str) -> bool {
    dir.join(name).exists()
}

/// Files where a repository says which checks it runs: CI, hooks, task runners.
const CHECK_FILES: &[&str] = &[
    ".gitlab-ci.yml",
    ".pre-commit-config.yaml",
    "Makefile",
    "makefile",
    "GNUmakefile",
    "justfile",
    "Justfile",
    "Taskfile.yml",
    "Taskfile.yaml",
    "tox.ini",
    "noxfile.py",
    "package.json",
];

/// The text of the files in `dir` that say which checks the repository
/// runs: [`CHECK_FILES`] and GitHub workflows.
fn check_files_text(dir: &Path) -> String {
    let mut text = String::new();
    for name in CHECK_FILES {
        text.push_str(&read(dir, name).unwrap_or_default());
    }
    let workflows = dir.join(".github/workflows");
    for entry in std::fs::read_dir(workflows).into_iter().flatten().flatten() {
        text.push_str(&crate::fsutil::read_to_string(&entry.path()).unwrap_or_default());
    }
    text
}

/// The repository's CI, hook and task runner files, each directory's read
/// once per `gantry init` (when first asked): the projects of a repository
/// share its root's CI files.
#[derive(Default)]
pub struct CheckFiles {
    read: RefCell<HashMap<PathBuf, Rc<str>>>,
}

impl CheckFiles {
    /// The checks that apply to the project in `dir`.
    pub fn uses<'a>(&'a self, dir: &'a Path) -> Uses<'a> {
        Uses {
            files: self,
            dir,
            texts: OnceCell::new(),
        }
    }

    /// The check files' text of `dir` and up to two parent directories (a
    /// project in `services/api` is checked by the root's CI), stopping at
    /// the repository's root.
    fn texts(&self, dir: &Path) -> Vec<Rc<str>> {
        let mut texts = Vec::new();
        for dir in dir.ancestors().take(3) {
            let text = self
                .read
                .borrow_mut()
                .entry(dir.to_path_buf())
                .or_insert_with(|| check_files_text(dir).into())
                .clone();
            texts.push(text);
            if dir.join(".git").exists() {
                break;
            }
        }
        texts
    }
}

/// What the repository's CI, hooks and task runners say about one project,
/// for all the questions its facts ask.
pub struct Uses<'a> {
    files: &'a CheckFiles,
    dir: &'a Path,
    texts: OnceCell<Vec<Rc<str>>>,
}

impl Uses<'_> {
    /// Whether they mention any of `words`.
    pub fn any(&self, words: &[&str]) -> bool {
        let texts = self.texts.get_or_init(|| self.files.texts(self.dir));
        texts
            .iter()
            .any(|text| words.iter().any(|w| text.contains(w)))
    }
}

/// Sets a switch: `"1"` when `on`, else empty (false for `#% if`).
pub fn flag(vars: &mut Vars, name: &str, on: bool) {
    vars.insert(name.into(), if on { "1" } else { "" }.into());
}

/// Sets a text variable.
pub fn text(vars: &mut Vars, name: &str, value: &str) {
    vars.insert(name.into(), value.into());
}

/// Whether `name` is safe to write unquoted in a command and a YAML value.
pub fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// The files among `names` that exist in `dir`.
fn present(dir: &Path, names: &[&str]) -> Vec<String> {
    names
        .iter()
        .filter(|n| exists(dir, n))
        .map(|n| n.to_string())
        .collect()
}

/// `./NAME` for an executable wrapper script, `sh ./NAME` for one that lost
/// its executable bit (a Windows checkout), with a note.
fn wrapper(dir: &Path, name: &str, notes: &mut Vec<String>) -> String {
    use std::os::unix::fs::PermissionsExt;
    let executable = std::fs::metadata(dir.join(name))
        .map(|m| m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false);
    if executable {
        format!("./{name}")
    } else {
        notes.push(format!(
            "{name} is not executable, so the pipeline runs `sh ./{name}`; \
             `git update-index --chmod=+x {name}` fixes that"
        ));
        format!("sh ./{name}")
    }
}

/// Rust: `--workspace` for a workspace root.
pub fn rust(dir: &Path, checks: &CheckFiles) -> Facts {
    let manifest = read(dir, "Cargo.toml").unwrap_or_default();
    let workspace = manifest.lines().any(|l| l.trim() == "[workspace]");
    let mut vars = Vars::new();
    let uses = checks.uses(dir);
    let fmt = ["rustfmt.toml", ".rustfmt.toml"]
        .iter()
        .any(|f| exists(dir, f))
        || uses.any(&["cargo fmt", "rustfmt", "id: fmt"]);
    let clippy = ["clippy.toml", ".clippy.toml"]
        .iter()
        .any(|f| exists(dir, f))
        || manifest.contains("lints.clippy]")
        || uses.any(&["clippy"]);
    flag(&mut vars, "fmt", fmt);
    flag(&mut vars, "clippy", clippy);
    text(
        &mut vars,
        "workspace",
        if workspace { " --workspace" } else { "" },
    );
    Facts {
        vars,
        label: "Rust (Cargo)".into(),
        ..Facts::default()
    }
}

/// Go modules.
pub fn go(dir: &Path, checks: &CheckFiles) -> Facts {
    let mut vars = Vars::new();
    let uses = checks.uses(dir);
    let golangci =
        exists(dir, ".golangci.yml") || exists(dir, ".golangci.yaml") || uses.any(&["golangci"]);
    flag(
        &mut vars,
        "gofmt",
        golangci || uses.any(&["gofmt", "goimports", "go fmt"]),
    );
    flag(&mut vars, "vet", golangci || uses.any(&["go vet"]));
    Facts {
        vars,
        label: "Go".into(),
        ..Facts::default()
    }
}

/// Maven: the wrapper if there is one; Spotless and Checkstyle when the POM
/// configures them.
pub fn maven(dir: &Path) -> Facts {
    let pom = read(dir, "pom.xml").unwrap_or_default();
    let mut facts = Facts {
        label: "Java (Maven)".into(),
        ..Facts::default()
    };
    let wrapped = exists(dir, "mvnw");
    let mvn = if wrapped {
        wrapper(dir, "mvnw", &mut facts.notes)
    } else {
        "mvn".into()
    };
    let vars = &mut facts.vars;
    text(vars, "mvn", &mvn);
    flag(vars, "wrapper", wrapped);
    flag(vars, "spotless", pom.contains("spotless-maven-plugin"));
    flag(vars, "checkstyle", pom.contains("maven-checkstyle-plugin"));
    facts
}

/// Gradle: the wrapper if there is one; `check -x test` when a lint plugin
/// is configured.
pub fn gradle(dir: &Path) -> Facts {
    let build = ["build.gradle", "build.gradle.kts"]
        .iter()
        .filter_map(|f| read(dir, f))
        .collect::<String>();
    let mut facts = Facts {
        label: "Java (Gradle)".into(),
        ..Facts::default()
    };
    let wrapped = exists(dir, "gradlew");
    let gradle = if wrapped {
        wrapper(dir, "gradlew", &mut facts.notes)
    } else {
        "gradle".into()
    };
    let lint = ["checkstyle", "spotless", "ktlint", "detekt", "pmd"]
        .iter()
        .any(|p| build.contains(p));
    text(&mut facts.vars, "gradle", &gradle);
    flag(&mut facts.vars, "wrapper", wrapped);
    flag(&mut facts.vars, "lint", lint);
    facts
}

/// The solution and project files directly in `dir`, solutions first.
pub fn dotnet_targets(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|e| e.path().is_file())
        .filter_map(|e| e.file_name().to_str().map(String::from))
        .filter(|n| dotnet_rank(n).is_some())
        .collect();
    names.sort_by_key(|n| (dotnet_rank(n), n.clone()));
    names
}

fn dotnet_rank(name: &str) -> Option<u8> {
    let ext = Path::new(name).extension()?.to_str()?;
    match ext {
        "sln" | "slnx" => Some(0),
        "csproj" | "fsproj" | "vbproj" => Some(1),
        _ => None,
    }
}

/// .NET: which solution or project to build, and whether a test project exists.
pub fn dotnet(dir: &Path, checks: &CheckFiles) -> Facts {
    let targets = dotnet_targets(dir);
    let mut facts = Facts {
        label: ".NET".into(),
        ..Facts::default()
    };
    let target = targets.first().cloned().unwrap_or_default();
    let target = if plain_name(&target) {
        target
    } else {
        facts.notes.push(format!(
            "`{target}` needs quoting in a command; the pipeline lets dotnet find the project itself"
        ));
        String::new()
    };
    if targets.len() > 1 && !target.ends_with(".sln") && !target.ends_with(".slnx") {
        facts.notes.push(format!(
            "several .NET projects and no solution: the pipeline builds {target}; `dotnet new sln` and `dotnet sln add` make one for all"
        ));
    }
    let tests = super::detect::any_file(dir, 4, &|path: &Path| {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        name.ends_with("proj")
            && crate::fsutil::read_to_string(path)
                .is_ok_and(|t| t.contains("Microsoft.NET.Test.Sdk"))
    });
    text(&mut facts.vars, "target", &target);
    let format = exists(dir, ".editorconfig") || checks.uses(dir).any(&["dotnet format"]);
    flag(&mut facts.vars, "format", format);
    flag(&mut facts.vars, "tests", tests);
    if !tests {
        facts.notes.push("no .NET test project (one referencing Microsoft.NET.Test.Sdk) found: no test action; `dotnet new xunit` starts one".into());
    }
    facts
}

/// Ruby: Bundler when there is a Gemfile; RuboCop when configured; RSpec,
/// `rake test` or the default Rake task for tests.
pub fn ruby(dir: &Path) -> Facts {
    let gemfile = read(dir, "Gemfile");
    let rakefile = read(dir, "Rakefile").unwrap_or_default();
    let bundler = gemfile.is_some();
    let gems = gemfile.unwrap_or_default();
    let mut facts = Facts {
        label: if bundler {
            "Ruby (Bundler)"
        } else {
            "Ruby (Rake)"
        }
        .into(),
        ..Facts::default()
    };
    // A `gemspec` line makes the gemspec (and whatever it reads) decide too.
    if !gems.lines().any(|l| l.trim_start().starts_with("gemspec")) {
        facts.deps_files = present(dir, &["Gemfile", "Gemfile.lock"]);
    }
    let rspec = (exists(dir, ".rspec") || dir.join("spec").is_dir())
        && (!bundler || gems.contains("rspec"));
    let rake_test = ["TestTask", "task :test", "task test", "task(:test"]
        .iter()
        .any(|p| rakefile.contains(p));
    let rake_default = rakefile.contains("default");
    let vars = &mut facts.vars;
    text(vars, "exec", if bundler { "bundle exec " } else { "" });
    flag(vars, "bundler", bundler);
    let rubocop = exists(dir, ".rubocop.yml") || gems.contains("rubocop");
    flag(vars, "rubocop", rubocop);
    // `bundle install` leaves out a Gemfile's `optional: true` groups, and
    // `bundle exec` cannot start their gems: rack keeps RuboCop in one.
    let group = optional_group(&gems, "rubocop").filter(|_| rubocop && bundler);
    text(vars, "rubocop_group", group.as_deref().unwrap_or(""));
    flag(vars, "rspec", rspec);
    flag(vars, "rake_test", !rspec && rake_test);
    flag(vars, "rake_default", !rspec && !rake_test && rake_default);
    if !rspec && !rake_test && !rake_default {
        facts.notes.push(
            "no RSpec suite, `rake test` task or default Rake task found: no Ruby test action"
                .into(),
        );
    }
    facts
}

/// The first group of the Gemfile `gems` that lists `gem` inside a `group
/// …, optional: true do` block (`maintenance` for `group :maintenance,
/// optional: true do … gem "rubocop" … end`), if any.
fn optional_group(gems: &str, gem: &str) -> Option<String> {
    let mut group: Option<String> = None;
    let mut depth = 0;
    for line in gems.lines().map(str::trim) {
        let opens = line.ends_with(" do")
            || line.contains(" do |")
            || line.starts_with("if ")
            || line.starts_with("unless ");
        if let Some(rest) = line.strip_prefix("group ").filter(|_| depth == 0 && opens) {
            let optional = rest.contains("optional: true") || rest.contains(":optional => true");
            group = optional
                .then(|| rest.split(',').next())
                .flatten()
                .map(|name| {
                    name.trim()
                        .trim_start_matches(':')
                        .trim_matches(['"', '\''])
                        .to_string()
                });
            depth = 1;
            continue;
        }
        if opens {
            depth += 1;
        } else if line == "end" && depth > 0 {
            depth -= 1;
            if depth == 0 {
                group = None;
            }
        } else if depth > 0 && group.is_some() {
            let named = line
                .strip_prefix("gem ")
                .and_then(|rest| rest.split(',').next())
                .map(|name| name.trim().trim_matches(['"', '\'']));
            if named == Some(gem) {
                return group;
            }
        }
    }
    None
}

/// PHP: Composer, a syntax check, the analysers listed in `require-dev`,
/// and `composer test` or PHPUnit.
pub fn php(dir: &Path) -> Facts {
    let manifest: serde_json::Value = read(dir, "composer.json")
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let dev = |package: &str| {
        manifest["require-dev"].get(package).is_some() || manifest["require"].get(package).is_some()
    };
    let mut facts = Facts {
        label: "PHP (Composer)".into(),
        ..Facts::default()
    };
    facts.deps_files = present(dir, &["composer.json", "composer.lock"]);
    let script_test = manifest["scripts"].get("test").is_some();
    let phpunit =
        dev("phpunit/phpunit") || exists(dir, "phpunit.xml") || exists(dir, "phpunit.xml.dist");
    let pest = dev("pestphp/pest");
    let vars = &mut facts.vars;
    flag(
        vars,
        "phpstan",
        dev("phpstan/phpstan") || exists(dir, "phpstan.neon") || exists(dir, "phpstan.neon.dist"),
    );
    flag(vars, "cs_fixer", dev("friendsofphp/php-cs-fixer"));
    flag(vars, "phpcs", dev("squizlabs/php_codesniffer"));
    flag(vars, "script_test", script_test);
    flag(vars, "pest", !script_test && pest);
    flag(vars, "phpunit", !script_test && !pest && phpunit);
    if !script_test && !pest && !phpunit {
        facts.notes.push(
            "no `test` script in composer.json and no PHPUnit or Pest: no PHP test action".into(),
        );
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gem_in_an_optional_group_names_the_group() {
        let rack = "source 'https://rubygems.org'\ngemspec\n\ngroup :maintenance, optional: true do\n  gem \"rubocop\", require: false\nend\n\ngroup :doc do\n  if RUBY_ENGINE == \"jruby\"\n    gem \"rdoc\", \"< 8\"\n  else\n    gem \"rdoc\"\n  end\nend\n";
        assert_eq!(
            optional_group(rack, "rubocop").as_deref(),
            Some("maintenance")
        );
        assert_eq!(optional_group(rack, "rdoc"), None);
        let plain = "group :development do\n  gem 'rubocop'\nend\ngem 'rake'\n";
        assert_eq!(optional_group(plain, "rubocop"), None);
        let nested = "group :lint, :style, optional: true do\n  unless ENV['CI']\n    gem 'rubocop'\n  end\nend\n";
        assert_eq!(optional_group(nested, "rubocop").as_deref(), Some("lint"));
    }

    #[test]
    fn the_check_files_of_a_directory_are_read_once_for_every_project() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join(".git")).unwrap();
        for sub in ["a", "b"] {
            std::fs::create_dir(root.path().join(sub)).unwrap();
        }
        let makefile = root.path().join("Makefile");
        std::fs::write(&makefile, "lint:\n\tcargo clippy\n").unwrap();
        let checks = CheckFiles::default();
        let a = root.path().join("a");
        assert!(checks.uses(&a).any(&["clippy"]));
        assert!(!checks.uses(&a).any(&["golangci"]));
        std::fs::remove_file(&makefile).unwrap();
        // b's parent is the root, read already for a.
        assert!(checks.uses(&root.path().join("b")).any(&["clippy"]));
        assert!(!CheckFiles::default()
            .uses(&root.path().join("b"))
            .any(&["clippy"]));
    }
}
