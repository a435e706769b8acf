//! Which steps of a CI job may need what an earlier, left-out step would
//! have made. A left-out step that only prepares the machine (a checkout,
//! a `setup-*` action, a cache, an installed tool, a setting) leaves
//! nothing behind that a developer's machine lacks; one that downloads,
//! publishes, talks to a service or fills in CI expressions may have made
//! the files or values the job's later steps use, so those are left out
//! too, each naming the step it came after.

/// What a left-out step would have made that later steps of its job may need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Makes {
    /// Nothing: it prepares the machine, or it did not run on Linux anyway.
    Nothing,
    /// Only these environment variables (`NAME=… >> $GITHUB_ENV`).
    Env(Vec<String>),
    /// Anything: files, state, values.
    Anything,
}

/// A step of a job that is left out: why, and what it would have made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeftOut {
    pub reason: String,
    pub makes: Makes,
}

impl LeftOut {
    pub fn new(reason: impl Into<String>, makes: Makes) -> LeftOut {
        LeftOut {
            reason: reason.into(),
            makes,
        }
    }
}

/// What a `uses:` step (`owner/name@pin`, with its `with:`) would have made:
/// nothing for a checkout of this repository, `setup-*`, toolchain and
/// install actions, caches (a cache miss must work too), uploads
/// (nothing later reads what they send) and checks (a linter's action,
/// told by its name as a `run:` step is: `golangci/golangci-lint-action`,
/// `pre-commit/action`); anything for the rest (a
/// download, a checkout of another repository, an action gantry does not
/// know).
pub fn uses_makes(uses: &str, with: Option<&serde_json::Value>) -> Makes {
    let name = action_name(uses).to_ascii_lowercase();
    let with_key = |key: &str| with.and_then(|w| w.get(key)).is_some();
    if name == "actions/checkout" {
        return if with_key("repository") || with_key("path") {
            Makes::Anything
        } else {
            Makes::Nothing
        };
    }
    // The same rule as for a left-out `run:` step: a check makes reports.
    if super::command::is_check(action_name(uses), "") {
        return Makes::Nothing;
    }
    let prepares = SETS_UP.iter().chain(&["upload", "codecov", "coveralls"]);
    if prepares.into_iter().any(|w| name.contains(w)) && !name.contains("download") {
        Makes::Nothing
    } else {
        Makes::Anything
    }
}

/// Whether a `uses:` step only sets the job up: a checkout of this
/// repository, a `setup-*`, toolchain or install action, a cache. Left
/// out, it leaves the job's work to its `run:` steps.
pub fn sets_up(uses: &str) -> bool {
    let name = action_name(uses).to_ascii_lowercase();
    name == "actions/checkout" || SETS_UP.iter().any(|w| name.contains(w))
}

/// Words in an action's name that say it sets the job up.
const SETS_UP: &[&str] = &[
    "setup",
    "cache",
    "toolchain",
    "install",
    "mise-action",
    "asdf",
];

/// `owner/name` of a `uses:` value, without its `@pin`.
pub fn action_name(uses: &str) -> &str {
    uses.split('@').next().unwrap_or(uses).trim()
}

/// Whether a script only prints (`echo "Testing on Node ${{ matrix.node }}"`,
/// `printf`): every line starts with `echo` or `printf`, and nothing
/// redirects into a file or moves, copies or removes one. A guard that
/// tests a condition and prints or stops counts too (black's "Assert PR
/// target is main": `if [ "$GITHUB_BASE_REF" != "main" ]; then echo …
/// && exit 1; fi`): it makes nothing either.
pub fn only_prints(run: &str) -> bool {
    let mut lines = run
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .peekable();
    let prints = |words: &[&str]| {
        matches!(words.first(), Some(&"echo" | &"printf"))
            && !words.iter().any(|w| {
                ["cd", "mv", "cp", "rm", "mkdir", "touch", "tee"]
                    .contains(&w.trim_start_matches(['(', '`', '$', ';', '&', '|']))
            })
    };
    // One command of a guard: a test, a print, `exit`, or shell syntax.
    let guards = |mut words: &[&str]| {
        while let Some((&("then" | "else" | "if" | "elif" | "!"), rest)) = words.split_first() {
            words = rest;
        }
        match words.first() {
            None | Some(&("fi" | "exit" | "true" | "false" | ":")) => true,
            Some(&("[" | "[[" | "test")) => true,
            _ => prints(words),
        }
    };
    lines.peek().is_some()
        && !run.contains('>')
        && lines.all(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            if prints(&words) {
                return true;
            }
            line.split(';')
                .flat_map(|part| part.split("&&"))
                .flat_map(|part| part.split("||"))
                .all(|part| guards(&part.split_whitespace().collect::<Vec<_>>()))
        })
}

/// The variables a script writes to `$GITHUB_ENV` (`echo "NAME=…"`,
/// `echo "NAME<<EOF"`): `Env` of them, or `Anything` when it writes there
/// in a way whose names cannot be read.
pub fn env_written(run: &str) -> Makes {
    let mut names = Vec::new();
    for (i, _) in run.match_indices("echo ") {
        let arg = run[i + 5..].trim_start().trim_start_matches(['"', '\'']);
        let end = arg
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(arg.len());
        let (name, after) = arg.split_at(end);
        if !name.is_empty() && (after.starts_with('=') || after.starts_with("<<")) {
            names.push(name.to_string());
        }
    }
    if names.is_empty() {
        Makes::Anything
    } else {
        Makes::Env(names)
    }
}

/// The earlier left-out step (its label) that a step running `text` (its
/// script and environment values) may depend on, among `before` in order.
pub fn depends_on<'a>(before: &'a [(String, Makes)], text: &str) -> Option<&'a str> {
    before
        .iter()
        .find(|(_, makes)| match makes {
            Makes::Nothing => false,
            Makes::Anything => true,
            Makes::Env(names) => names.iter().any(|n| mentions(text, n)),
        })
        .map(|(label, _)| label.as_str())
}

/// Whether `text` reads shell variable `name` (`$NAME`, `${NAME…}`).
fn mentions(text: &str, name: &str) -> bool {
    shell_vars(text).any(|n| n == name)
}

/// The names of the shell variables `text` reads (`$NAME`, `${NAME…}`),
/// in order; an empty name for a `$` not followed by one.
pub fn shell_vars(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices('$').map(|(i, _)| {
        let rest = text[i + 1..].strip_prefix('{').unwrap_or(&text[i + 1..]);
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        &rest[..end]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setup_actions_make_nothing_downloads_make_anything() {
        let pinned = "actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd";
        assert_eq!(uses_makes(pinned, None), Makes::Nothing);
        let other = serde_json::json!({"repository": "o/r"});
        assert_eq!(uses_makes(pinned, Some(&other)), Makes::Anything);
        for setup in [
            "actions/setup-node@v4",
            "Swatinem/rust-cache@v2",
            "dtolnay/rust-toolchain@stable",
            "taiki-e/install-action@v2",
            "actions/upload-artifact@v4",
            "jdx/mise-action@v2",
            "golangci/golangci-lint-action@v6",
            "pre-commit/action@v3.0.1",
            "astral-sh/ruff-action@v3",
            "psf/black@stable",
        ] {
            assert_eq!(uses_makes(setup, None), Makes::Nothing, "{setup}");
        }
        for makes in ["actions/download-artifact@v4", "actions/github-script@v7"] {
            assert_eq!(uses_makes(makes, None), Makes::Anything, "{makes}");
        }
    }

    #[test]
    fn scripts_that_only_print_are_told_from_the_rest() {
        assert!(only_prints("echo \"Testing on Node ${{ matrix.node }}\""));
        assert!(only_prints("echo \"OS=$RUNNER_OS\"\nprintf '%s\\n' done"));
        assert!(!only_prints("echo x > out.txt"));
        assert!(!only_prints("echo x; cp a b"));
        assert!(!only_prints("echo x\nmake all"));
        assert!(!only_prints(""));
        let guard = "if [ \"$GITHUB_BASE_REF\" != \"main\" ]; then\n    echo \"::error::wrong target\" && exit 1\nfi";
        assert!(only_prints(guard));
        assert!(only_prints("test -n \"$TOKEN\" || exit 1"));
        assert!(!only_prints("if [ -f x ]; then make all; fi"));
        assert!(!only_prints("if make check; then echo ok; fi"));
        assert!(!only_prints("[ -d out ] || mkdir out"));
    }

    #[test]
    fn later_steps_depend_on_what_they_read() {
        let env = env_written("echo \"SOURCE_DATE_EPOCH=$(git log -1)\" >> $GITHUB_ENV");
        assert_eq!(env, Makes::Env(vec!["SOURCE_DATE_EPOCH".into()]));
        assert_eq!(env_written("cat vars >> $GITHUB_ENV"), Makes::Anything);
        let before = vec![
            ("setup".to_string(), Makes::Nothing),
            ("epoch".to_string(), env),
        ];
        assert_eq!(depends_on(&before, "uv build"), None);
        assert_eq!(
            depends_on(&before, "echo $SOURCE_DATE_EPOCH"),
            Some("epoch")
        );
        assert_eq!(
            depends_on(&before, "echo ${SOURCE_DATE_EPOCH:-0}"),
            Some("epoch")
        );
        assert_eq!(depends_on(&before, "echo $SOURCE_DATE_EPOCHS"), None);
        let more = [before, vec![("download".to_string(), Makes::Anything)]].concat();
        assert_eq!(depends_on(&more, "cd release"), Some("download"));
    }
}
