//! `if:` conditions in each engine's terms: a GitHub Actions expression for
//! `if:`, or GitLab `rules:`. Whatever an engine cannot say exactly is an
//! error naming the part and why, so an export never runs a different
//! pipeline than gantry would.
//!
//! gantry's status rules are GitHub's: a condition without `failure()` or
//! `always()` only holds while nothing failed. GitLab decides the status
//! part with each rule's `when:` and takes the first rule whose `if:` and
//! `changes:` match, so the condition is rewritten as rules in disjunctive
//! form, one per alternative.

use crate::config::condition::{Expr, Operand, Status};

/// What a variable of a condition is in the engine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// A value known when exporting (`pipeline.name`, a literal `env:`).
    Literal(String),
    /// A variable or expression of the engine (`github.sha`, `$CI_COMMIT_SHA`).
    Native(String),
    /// A git ref name (`git.branch` / `git.tag`) with the ref prefix
    /// (`refs/heads/`): GitHub compares `github.ref` with a literal.
    Ref {
        /// The engine's expression for the name (empty when another kind of ref).
        name: String,
        /// `refs/heads/` or `refs/tags/`.
        prefix: &'static str,
    },
}

/// How a variable of a condition is written in the engine, or why it cannot be.
pub type Resolve<'a> = &'a dyn Fn(&str) -> Result<Value, String>;

/// The status functions as a GitHub expression says them in one job: plain
/// `failure()` in the first job; in a job that starts after an earlier job
/// (`needs`), the earlier job's result counts too. `changed(…)` reads the
/// output of a step that asked git (`changed_step`), when there is one.
pub struct GithubStatus {
    /// The job this one needs, when there is one.
    pub after: Option<String>,
    /// The `id:` of the step that tells which `changed(…)` hold.
    pub changed_step: Option<String>,
}

impl GithubStatus {
    fn write(&self, status: Status) -> String {
        match (status, &self.after) {
            (Status::Always, _) => "always()".into(),
            (Status::Failure, None) => "failure()".into(),
            (Status::Success, None) => "success()".into(),
            (Status::Failure, Some(job)) => {
                format!("(failure() || needs.{job}.result != 'success')")
            }
            (Status::Success, Some(job)) => {
                format!("(success() && needs.{job}.result == 'success')")
            }
        }
    }
}

/// `expr` as a GitHub Actions expression (without `${{ }}`). With
/// `after_failure` (the action is clean-up, or the condition mentions
/// `failure()`/`always()`), a part without a status function holds
/// whatever the status; otherwise the engine's implied `success()` applies.
pub fn github(
    expr: &Expr,
    resolve: Resolve<'_>,
    status: &GithubStatus,
    after_failure: bool,
) -> Result<String, String> {
    no_fixed_test(expr)?;
    let text = github_expr(expr, resolve, status)?;
    let mentions = expr.mentions(&|_| true);
    Ok(match (&status.after, after_failure, mentions) {
        // A clean-up action without a status function: `always()` keeps
        // the engine from adding its `success()`.
        (_, true, false) => format!("always() && ({text})"),
        // In a job that always starts, the job before must have passed.
        (Some(_), false, false) => {
            format!("{} && ({text})", status.write(Status::Success))
        }
        _ => text,
    })
}

fn github_expr(expr: &Expr, resolve: Resolve<'_>, status: &GithubStatus) -> Result<String, String> {
    let sub = |e: &Expr| github_expr(e, resolve, status);
    Ok(match expr {
        Expr::Or(a, b) => format!("{} || {}", sub(a)?, sub(b)?),
        Expr::And(a, b) => format!("{} && {}", sub(a)?, sub(b)?),
        // gantry's `!` covers a whole comparison; GitHub's binds tighter.
        Expr::Not(a) if matches!(**a, Expr::Group(_)) => format!("!{}", sub(a)?),
        Expr::Not(a) => format!("!({})", sub(a)?),
        Expr::Group(a) => format!("({})", sub(a)?),
        Expr::Status(s) => status.write(*s),
        Expr::Changed(globs) if status.changed_step.is_some() => {
            let step = status.changed_step.as_deref().unwrap_or_default();
            format!("steps.{step}.outputs.{} == 'true'", changed_output(globs))
        }
        Expr::Changed(_) => {
            return Err(format!(
                "`{expr}`: a GitHub Actions approval job has no condition on changed files \
                 (`on.push.paths` filters whole workflows); move the `if:` to the actions after the approval"
            ))
        }
        Expr::Truthy(operand) => {
            let v = github_operand(operand, resolve)?;
            format!("({v} != '' && {v} != 'false' && {v} != '0')")
        }
        Expr::Compare { left, right, equal } => {
            let op = if *equal { "==" } else { "!=" };
            if let Some(text) = github_ref_compare(left, right, op, resolve)? {
                return Ok(text);
            }
            format!(
                "{} {op} {}",
                github_operand(left, resolve)?,
                github_operand(right, resolve)?
            )
        }
    })
}

/// `git.branch == 'main'` as `github.ref == 'refs/heads/main'`.
fn github_ref_compare(
    left: &Operand,
    right: &Operand,
    op: &str,
    resolve: Resolve<'_>,
) -> Result<Option<String>, String> {
    let (var, literal) = match (left, right) {
        (Operand::Var(v), Operand::Literal(l)) | (Operand::Literal(l), Operand::Var(v)) => (v, l),
        _ => return Ok(None),
    };
    match resolve(var)? {
        Value::Ref { prefix, .. } if !literal.is_empty() => Ok(Some(format!(
            "github.ref {op} {}",
            github_string(&format!("{prefix}{literal}"))
        ))),
        _ => Ok(None),
    }
}

fn github_operand(operand: &Operand, resolve: Resolve<'_>) -> Result<String, String> {
    Ok(match operand {
        Operand::Literal(text) => github_string(text),
        Operand::Var(name) => match resolve(name)? {
            Value::Literal(text) => github_string(&text),
            Value::Native(text) | Value::Ref { name: text, .. } => text,
        },
    })
}

fn github_string(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Refuses, for every engine, a part of `expr` that tests only fixed
/// strings (`'a' == 'b'`, `'yes'` alone): its answer is known when
/// exporting, and an exported constant hides a mistake.
fn no_fixed_test(expr: &Expr) -> Result<(), String> {
    let literal = |o: &Operand| matches!(o, Operand::Literal(_));
    match expr {
        Expr::Or(a, b) | Expr::And(a, b) => {
            no_fixed_test(a)?;
            no_fixed_test(b)
        }
        Expr::Not(a) | Expr::Group(a) => no_fixed_test(a),
        Expr::Compare { left, right, equal } if literal(left) && literal(right) => Err(format!(
            "`{left} {} {right}` compares two fixed strings; test a variable \
             (`git.branch`, `git.tag`, `env.NAME`) against a string",
            if *equal { "==" } else { "!=" }
        )),
        Expr::Truthy(operand) if literal(operand) => Err(format!(
            "`{operand}` is a fixed string; test a variable (`env.NAME`) instead"
        )),
        _ => Ok(()),
    }
}

/// The name of the step output that tells whether `changed(globs)` holds.
fn changed_output(globs: &[String]) -> String {
    // FNV-1a: the same call gets the same name in the step and the `if:`.
    let mut hash: u32 = 0x811c_9dc5;
    for byte in globs.join("\n").bytes() {
        hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
    }
    format!("changed_{hash:08x}")
}

/// The `changed(…)` calls of `expr`, each once, in order.
fn changed_calls(expr: &Expr) -> Vec<&[String]> {
    match expr {
        Expr::Or(a, b) | Expr::And(a, b) => {
            let mut calls = changed_calls(a);
            for call in changed_calls(b) {
                if !calls.contains(&call) {
                    calls.push(call);
                }
            }
            calls
        }
        Expr::Not(a) | Expr::Group(a) => changed_calls(a),
        Expr::Changed(globs) => vec![globs.as_slice()],
        _ => Vec::new(),
    }
}

/// The script of a step that tells, as its outputs, which `changed(…)` of
/// `expr` hold: paths changed by the push (`git diff` from the commit
/// before it, `$BEFORE`), gantry's globs as git `:(glob)` patterns. With no
/// commit to compare with (a new branch, a manual run), every path counts
/// as changed. `None` when `expr` has no `changed(…)`.
pub fn github_changed_script(expr: &Expr) -> Result<Option<String>, String> {
    let calls = changed_calls(expr);
    if calls.is_empty() {
        return Ok(None);
    }
    let mut lines = vec![
        "if [ -z \"$BEFORE\" ] || ! git cat-file -e \"$BEFORE^{commit}\" 2>/dev/null; then".to_string(),
        "  echo \"gantry: no commit before this push to compare with: every path counts as changed\"".into(),
        "  all=true".into(),
        "fi".into(),
    ];
    for globs in calls {
        let mut specs = Vec::new();
        for glob in globs {
            for pattern in pathname_globs(glob, "git")? {
                specs.push(format!("':(glob){pattern}'"));
            }
        }
        let name = changed_output(globs);
        lines.push(format!(
            "if [ -n \"${{all:-}}\" ] || [ -n \"$(git diff --name-only \"$BEFORE\" HEAD -- {})\" ]; then echo {name}=true; else echo {name}=false; fi >> \"$GITHUB_OUTPUT\"",
            specs.join(" ")
        ));
    }
    Ok(Some(lines.join("\n")))
}

/// One GitLab rule: the job runs with `when` if `if` and `changes` match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// The `if:` expression, when the rule has one.
    pub condition: Option<String>,
    /// `changes:` patterns, when the rule has them.
    pub changes: Vec<String>,
    /// `on_success`, `on_failure`, `always` or `never`.
    pub when: &'static str,
}

/// A condition's leaf, negated or not, after `!` is pushed down.
#[derive(Clone, Debug)]
enum Leaf {
    Compare(Operand, Operand, bool),
    Truthy(Operand, bool),
    Changed(Vec<String>, bool),
    Status(Status, bool),
}

/// At most this many alternatives (rules) per condition.
const MAX_RULES: usize = 16;

/// `expr` as GitLab `rules:`; `after_failure` as in [`github`].
pub fn gitlab(expr: &Expr, resolve: Resolve<'_>, after_failure: bool) -> Result<Vec<Rule>, String> {
    no_fixed_test(expr)?;
    let terms = dnf(expr, false)?;
    let mut rules = Vec::new();
    for term in terms {
        if let Some(rule) = gitlab_rule(expr, &term, resolve, after_failure)? {
            rules.push(rule);
        }
    }
    let success = rules.iter().any(|r| r.when == "on_success");
    let failure = rules.iter().any(|r| r.when == "on_failure");
    if success && failure {
        return Err(format!(
            "`{expr}` holds in one part only after a failure and in another only without one; \
             GitLab takes the first rule that matches and cannot say both: split it into two actions"
        ));
    }
    // Rules that hold whatever the status come first: GitLab stops at the
    // first rule that matches, and a later one could only add runs.
    rules.sort_by_key(|r| r.when != "always");
    if rules.is_empty() {
        rules.push(Rule {
            condition: None,
            changes: Vec::new(),
            when: "never",
        });
    }
    Ok(rules)
}

fn gitlab_rule(
    expr: &Expr,
    term: &[Leaf],
    resolve: Resolve<'_>,
    after_failure: bool,
) -> Result<Option<Rule>, String> {
    let mut parts = Vec::new();
    let mut changes: Option<Vec<String>> = None;
    let (mut failure, mut success) = (false, false);
    let mut status_written = false;
    for leaf in term {
        match leaf {
            Leaf::Status(s, negated) => {
                status_written = true;
                match (s, negated) {
                    (Status::Always, false) => {}
                    (Status::Always, true) => return Ok(None),
                    (Status::Failure, false) | (Status::Success, true) => failure = true,
                    (Status::Success, false) | (Status::Failure, true) => success = true,
                }
            }
            Leaf::Changed(globs, false) => {
                if changes.is_some() {
                    return Err(format!(
                        "`{expr}` needs two `changed(…)` to hold at once; a GitLab rule has one \
                         `changes:` list (any of its paths): join them into one `changed(…)` or split the action"
                    ));
                }
                let mut patterns = Vec::new();
                for glob in globs {
                    patterns.extend(gitlab_glob(glob)?);
                }
                changes = Some(patterns);
            }
            Leaf::Changed(globs, true) => {
                let quoted: Vec<String> = globs.iter().map(|g| format!("'{g}'")).collect();
                return Err(format!(
                    "`!changed({})` in `{expr}`: GitLab `rules: changes:` can only ask whether \
                     files changed, not that none did",
                    quoted.join(", ")
                ));
            }
            Leaf::Compare(left, right, equal) => {
                parts.push(gitlab_compare(left, right, *equal, resolve)?)
            }
            Leaf::Truthy(operand, negated) => {
                parts.push(gitlab_truthy(operand, *negated, resolve)?)
            }
        }
    }
    let when = match (failure, success) {
        (true, true) => return Ok(None),
        (true, false) => "on_failure",
        (false, true) => "on_success",
        (false, false) if status_written || after_failure => "always",
        (false, false) => "on_success",
    };
    Ok(Some(Rule {
        condition: (!parts.is_empty()).then(|| parts.join(" && ")),
        changes: changes.unwrap_or_default(),
        when,
    }))
}

/// `expr` (negated when `negate`) as alternatives of conjunctions of leaves.
fn dnf(expr: &Expr, negate: bool) -> Result<Vec<Vec<Leaf>>, String> {
    let or = |a: Vec<Vec<Leaf>>, b: Vec<Vec<Leaf>>| -> Result<Vec<Vec<Leaf>>, String> {
        let mut all = a;
        all.extend(b);
        bounded(expr, all)
    };
    let and = |a: Vec<Vec<Leaf>>, b: Vec<Vec<Leaf>>| -> Result<Vec<Vec<Leaf>>, String> {
        let mut all = Vec::new();
        for x in &a {
            for y in &b {
                let mut term = x.clone();
                term.extend(y.iter().cloned());
                all.push(term);
            }
        }
        bounded(expr, all)
    };
    match (expr, negate) {
        (Expr::Or(a, b), false) | (Expr::And(a, b), true) => or(dnf(a, negate)?, dnf(b, negate)?),
        (Expr::And(a, b), false) | (Expr::Or(a, b), true) => and(dnf(a, negate)?, dnf(b, negate)?),
        (Expr::Not(a), _) => dnf(a, !negate),
        (Expr::Group(a), _) => dnf(a, negate),
        (Expr::Compare { left, right, equal }, _) => Ok(vec![vec![Leaf::Compare(
            left.clone(),
            right.clone(),
            *equal != negate,
        )]]),
        (Expr::Truthy(o), _) => Ok(vec![vec![Leaf::Truthy(o.clone(), negate)]]),
        (Expr::Changed(globs), _) => Ok(vec![vec![Leaf::Changed(globs.clone(), negate)]]),
        (Expr::Status(s), _) => Ok(vec![vec![Leaf::Status(*s, negate)]]),
    }
}

fn bounded(expr: &Expr, terms: Vec<Vec<Leaf>>) -> Result<Vec<Vec<Leaf>>, String> {
    if terms.len() > MAX_RULES {
        return Err(format!(
            "`{expr}` needs more than {MAX_RULES} GitLab rules once written out; simplify it"
        ));
    }
    Ok(terms)
}

/// A GitLab operand: `$NAME` or a quoted string; an error for a value
/// known when exporting (GitLab compares a variable with something).
fn gitlab_operand(operand: &Operand, resolve: Resolve<'_>) -> Result<String, String> {
    match operand {
        Operand::Literal(text) => gitlab_string(text),
        Operand::Var(name) => match resolve(name)? {
            Value::Native(text) | Value::Ref { name: text, .. } => Ok(text),
            Value::Literal(_) => Err(format!(
                "`{name}` has a fixed value, and a GitLab `rules: if:` compares CI/CD variables; \
                 leave it out of the condition"
            )),
        },
    }
}

fn gitlab_compare(
    left: &Operand,
    right: &Operand,
    equal: bool,
    resolve: Resolve<'_>,
) -> Result<String, String> {
    // Two fixed strings never get here (`no_fixed_test`).
    let l = gitlab_operand(left, resolve)?;
    let r = gitlab_operand(right, resolve)?;
    // gantry reads an unset variable as empty; GitLab tells them apart.
    let empty = |o: &Operand| matches!(o, Operand::Literal(t) if t.is_empty());
    let var = if empty(right) { &l } else { &r };
    Ok(match (empty(left) || empty(right), equal) {
        (true, true) => format!("({var} == \"\" || {var} == null)"),
        (true, false) => format!("{var} != \"\" && {var} != null"),
        (false, true) => format!("{l} == {r}"),
        (false, false) => format!("{l} != {r}"),
    })
}

/// Set, not empty, not `false` nor `0` (or the opposite when `negated`).
fn gitlab_truthy(operand: &Operand, negated: bool, resolve: Resolve<'_>) -> Result<String, String> {
    let v = gitlab_operand(operand, resolve)?;
    Ok(if negated {
        format!("({v} == null || {v} == \"\" || {v} == \"false\" || {v} == \"0\")")
    } else {
        format!("{v} && {v} != \"false\" && {v} != \"0\"")
    })
}

fn gitlab_string(text: &str) -> Result<String, String> {
    // gantry's strings hold no `'`; GitLab's reading of `\` is not documented.
    if text.contains('\\') {
        Err(format!(
            "the string '{text}' holds a backslash, which a GitLab `rules: if:` may read differently"
        ))
    } else if text.contains('"') {
        Ok(format!("'{text}'"))
    } else {
        Ok(format!("\"{text}\""))
    }
}

/// A `changed(…)` pattern as GitLab `changes:` patterns. gantry reads it
/// as `inputs:` are read: a path without wildcards names a file or
/// everything below a folder, `*` and `?` stay within a folder, `**/` spans
/// folders and a trailing `/**` takes everything below. GitLab (Ruby
/// `fnmatch` with `FNM_PATHNAME`) reads `*` alike but a trailing `**` only
/// as one level, so `docs` becomes `docs` and `docs/**/*`, `docs/**`
/// becomes `docs/**/*`; what cannot be said exactly is an error.
pub fn gitlab_glob(glob: &str) -> Result<Vec<String>, String> {
    pathname_globs(glob, "GitLab")
}

/// [`gitlab_glob`] for `engine`: GitLab's `changes:` and git's `:(glob)`
/// pathspecs (which have no `{a,b}`) read patterns alike.
fn pathname_globs(glob: &str, engine: &str) -> Result<Vec<String>, String> {
    if glob
        .split('/')
        .any(|part| part != "**" && part.contains("**"))
    {
        return Err(format!(
            "the path pattern '{glob}' has `**` inside a name, which {engine} reads as `*`; \
             write `**` as a whole part (`src/**/*.rs`)"
        ));
    }
    if engine == "git" && glob.contains('{') {
        return Err(format!(
            "the path pattern '{glob}' has `{{…}}`, which git's path patterns do not know; \
             write one pattern per alternative"
        ));
    }
    let literal = !glob.contains(['*', '?', '[', '{']);
    Ok(if literal {
        vec![glob.to_string(), format!("{glob}/**/*")]
    } else if glob == "**" {
        vec!["**/*".to_string()]
    } else if let Some(head) = glob.strip_suffix("/**") {
        vec![format!("{head}/**/*")]
    } else {
        vec![glob.to_string()]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::condition::parse;

    fn resolve(name: &str) -> Result<Value, String> {
        match name {
            "git.branch" => Ok(Value::Ref {
                name: "BRANCH".into(),
                prefix: "refs/heads/",
            }),
            "git.short_sha" => Err("no short sha".into()),
            "pipeline.name" => Ok(Value::Literal("shop".into())),
            n => Ok(Value::Native(format!("${}", &n["env.".len()..]))),
        }
    }

    fn expr(text: &str) -> Expr {
        parse(text, &|_| true).unwrap()
    }

    fn gh(text: &str, after: Option<&str>, after_failure: bool) -> Result<String, String> {
        let status = GithubStatus {
            after: after.map(str::to_string),
            changed_step: None,
        };
        github(&expr(text), &resolve, &status, after_failure)
    }

    /// A rule as `(if, changes, when)`.
    type Written = (Option<String>, Vec<String>, &'static str);

    fn gl(text: &str) -> Result<Vec<Written>, String> {
        let e = expr(text);
        let after = e.mentions(&|s| s != Status::Success);
        Ok(gitlab(&e, &resolve, after)?
            .into_iter()
            .map(|r| (r.condition, r.changes, r.when))
            .collect())
    }

    #[test]
    fn github_branch_env_status_and_grouping() {
        assert_eq!(
            gh("git.branch == 'main' && !(env.CI || failure())", None, false).unwrap(),
            "github.ref == 'refs/heads/main' && !(($CI != '' && $CI != 'false' && $CI != '0') || failure())"
        );
        assert_eq!(gh("failure()", None, true).unwrap(), "failure()");
        assert_eq!(
            gh("env.X == 'y'", None, true).unwrap(),
            "always() && ($X == 'y')"
        );
        assert_eq!(
            gh("env.X == 'y'", Some("build"), false).unwrap(),
            "(success() && needs.build.result == 'success') && ($X == 'y')"
        );
        assert_eq!(
            gh("failure() || env.X == pipeline.name", Some("build"), true).unwrap(),
            "(failure() || needs.build.result != 'success') || $X == 'shop'"
        );
    }

    #[test]
    fn github_negation_covers_the_whole_comparison() {
        assert_eq!(
            gh("!env.A == 'x' && !failure()", None, false).unwrap(),
            "!($A == 'x') && !(failure())"
        );
    }

    #[test]
    fn github_refuses_what_it_cannot_say() {
        let e = gh("env.A && !('a' == 'b')", None, false).unwrap_err();
        assert!(e.contains("`'a' == 'b'` compares two fixed strings"), "{e}");
        let e = gh("changed('src/**') && env.CI", None, false).unwrap_err();
        assert!(e.contains("`changed('src/**')`"), "{e}");
        assert_eq!(
            gh("git.short_sha == 'abc'", None, false).unwrap_err(),
            "no short sha"
        );
    }

    #[test]
    fn github_changed_reads_the_output_of_a_git_step() {
        let e = expr("changed('src/*.rs') || !changed('docs/**')");
        let script = github_changed_script(&e).unwrap().unwrap();
        let (a, b) = (
            changed_output(&["src/*.rs".into()]),
            changed_output(&["docs/**".into()]),
        );
        assert!(script.contains(&format!(
            "git diff --name-only \"$BEFORE\" HEAD -- ':(glob)src/*.rs')\" ]; then echo {a}=true"
        )));
        assert!(script.contains("':(glob)docs/**/*'") && script.contains(&b));
        let status = GithubStatus {
            after: None,
            changed_step: Some("c".into()),
        };
        assert_eq!(
            github(&e, &resolve, &status, false).unwrap(),
            format!("steps.c.outputs.{a} == 'true' || !(steps.c.outputs.{b} == 'true')")
        );
        assert!(github_changed_script(&expr("env.A")).unwrap().is_none());
        assert!(github_changed_script(&expr("changed('{a,b}')")).is_err());
    }

    #[test]
    fn gitlab_rules_in_disjunctive_form() {
        assert_eq!(
            gl("git.branch == 'main' && changed('src/**', 'Cargo.lock')").unwrap(),
            [(
                Some("BRANCH == \"main\"".into()),
                vec![
                    "src/**/*".into(),
                    "Cargo.lock".into(),
                    "Cargo.lock/**/*".into()
                ],
                "on_success"
            )]
        );
        assert_eq!(
            gl("!(env.A == 'x' || env.B)").unwrap(),
            [(
                Some(
                    "$A != \"x\" && ($B == null || $B == \"\" || $B == \"false\" || $B == \"0\")"
                        .into()
                ),
                vec![],
                "on_success"
            )]
        );
        assert_eq!(
            gl("failure() && env.NOTIFY || always() && env.A == ''").unwrap(),
            [
                (Some("($A == \"\" || $A == null)".into()), vec![], "always"),
                (
                    Some("$NOTIFY && $NOTIFY != \"false\" && $NOTIFY != \"0\"".into()),
                    vec![],
                    "on_failure"
                ),
            ]
        );
        assert_eq!(gl("!always()").unwrap(), [(None, vec![], "never")]);
        assert_eq!(gl("env.A || failure()").unwrap()[0].2, "always");
    }

    #[test]
    fn gitlab_refuses_what_it_cannot_say() {
        for (text, says) in [
            ("!changed('a')", "not that none did"),
            ("changed('a') && changed('b')", "one `changes:` list"),
            (
                "success() && env.A || failure() && env.B",
                "cannot say both",
            ),
            ("pipeline.name == 'shop'", "fixed value"),
            ("'a' == 'b' || env.A", "two fixed strings"),
            ("env.A == 'a\\b'", "backslash"),
            ("changed('src/a**')", "`**` inside a name"),
        ] {
            let e = gl(text).unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
        }
    }

    #[test]
    fn gitlab_globs_keep_gantrys_meaning() {
        assert_eq!(gitlab_glob("src/**").unwrap(), ["src/**/*"]);
        assert_eq!(gitlab_glob("**/*.rs").unwrap(), ["**/*.rs"]);
        assert_eq!(gitlab_glob("src/*.rs").unwrap(), ["src/*.rs"]);
        assert_eq!(gitlab_glob("docs").unwrap(), ["docs", "docs/**/*"]);
        assert_eq!(gitlab_glob("**").unwrap(), ["**/*"]);
        assert_eq!(gitlab_glob("{a,b}/*.md").unwrap(), ["{a,b}/*.md"]);
        assert!(gitlab_glob("a**b").is_err());
        assert!(pathname_globs("{a,b}/*.md", "git").is_err());
    }
}
