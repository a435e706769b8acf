//! `if:` conditions: a small expression language, parsed by hand with
//! recursive descent when the config loads, so that a bad expression is a
//! located load-time error. No shell is involved.
//!
//! ```text
//! expr       := and ('||' and)*
//! and        := unary ('&&' unary)*
//! unary      := '!' unary | primary
//! primary    := '(' expr ')' | call | operand (('==' | '!=') operand)?
//! call       := changed('GLOB', …) | failure() | success() | always()
//! operand    := VARIABLE | ${VARIABLE} | 'string'
//! ```
//!
//! A bare operand is true when it is set, not empty, and not `false` or `0`.

use std::fmt;

/// A parsed `if:` expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// `a || b`
    Or(Box<Expr>, Box<Expr>),
    /// `a && b`
    And(Box<Expr>, Box<Expr>),
    /// `!a`
    Not(Box<Expr>),
    /// `(a)`, kept so that messages quote the expression as written.
    Group(Box<Expr>),
    /// `a == b` (`equal`) or `a != b`.
    Compare {
        /// Left side.
        left: Operand,
        /// Right side.
        right: Operand,
        /// `==` rather than `!=`.
        equal: bool,
    },
    /// A bare operand, tested for truthiness.
    Truthy(Operand),
    /// `changed('GLOB', …)`: a file matching one of the globs changed.
    Changed(Vec<String>),
    /// `failure()`, `success()` or `always()`.
    Status(Status),
}

/// What a status function asks about the run so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// `failure()`: an earlier action or stage failed.
    Failure,
    /// `success()`: nothing failed so far.
    Success,
    /// `always()`: true.
    Always,
}

/// A variable or a string literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operand {
    /// `git.branch`, `env.CI`, …
    Var(String),
    /// `'main'`
    Literal(String),
}

impl Expr {
    /// Whether a status function appears: such a condition is decided when
    /// the action is reached, and `failure()`/`always()` let it run after a
    /// failure.
    pub fn mentions(&self, wanted: &dyn Fn(Status) -> bool) -> bool {
        match self {
            Expr::Or(a, b) | Expr::And(a, b) => a.mentions(wanted) || b.mentions(wanted),
            Expr::Not(a) | Expr::Group(a) => a.mentions(wanted),
            Expr::Status(s) => wanted(*s),
            _ => false,
        }
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Var(name) => f.write_str(name),
            Operand::Literal(text) => write!(f, "'{text}'"),
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Or(a, b) => write!(f, "{a} || {b}"),
            Expr::And(a, b) => write!(f, "{a} && {b}"),
            Expr::Not(a) => write!(f, "!{a}"),
            Expr::Group(a) => write!(f, "({a})"),
            Expr::Compare { left, right, equal } => {
                write!(f, "{left} {} {right}", if *equal { "==" } else { "!=" })
            }
            Expr::Truthy(o) => write!(f, "{o}"),
            Expr::Changed(globs) => {
                let quoted: Vec<String> = globs.iter().map(|g| format!("'{g}'")).collect();
                write!(f, "changed({})", quoted.join(", "))
            }
            Expr::Status(Status::Failure) => f.write_str("failure()"),
            Expr::Status(Status::Success) => f.write_str("success()"),
            Expr::Status(Status::Always) => f.write_str("always()"),
        }
    }
}

/// Why an expression does not parse: the byte offset in it and what is wrong.
#[derive(Debug, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset into the expression.
    pub offset: usize,
    /// What is wrong there.
    pub message: String,
}

/// What `if:` accepts, for error hints.
pub const HINT: &str = "an `if:` is e.g. `git.branch == 'main'`, `env.CI`, `changed('src/**', 'Cargo.lock')`, `failure()`, `success()`, `always()`, joined with `&&`, `||`, `!` and parentheses; strings in single quotes; variables: git.*, env.NAME, pipeline.name, run.id";

/// Parses an `if:` expression; `known(name)` says whether a variable exists.
pub fn parse(text: &str, known: &dyn Fn(&str) -> bool) -> Result<Expr, ParseError> {
    let mut parser = Parser {
        text,
        pos: 0,
        known,
    };
    parser.skip_space();
    if parser.pos == text.len() {
        return Err(parser.error("the condition is empty".into()));
    }
    let expr = parser.or()?;
    parser.skip_space();
    if parser.pos < text.len() {
        return Err(parser.error(format!(
            "unexpected `{}` after a complete condition",
            parser.rest_token()
        )));
    }
    Ok(expr)
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    known: &'a dyn Fn(&str) -> bool,
}

impl<'a> Parser<'a> {
    fn error(&self, message: String) -> ParseError {
        ParseError {
            offset: self.pos,
            message,
        }
    }

    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn rest_token(&self) -> String {
        let rest = self.rest();
        let end = rest
            .char_indices()
            .find(|(i, c)| *i > 0 && (c.is_whitespace() || "()!&|=,'".contains(*c)))
            .map_or(rest.len(), |(i, _)| i);
        rest[..end].to_string()
    }

    fn skip_space(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    /// Consumes `token` (after spaces) if it comes next.
    fn eat(&mut self, token: &str) -> bool {
        self.skip_space();
        if self.rest().starts_with(token) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.and()?;
        while self.eat("||") {
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.unary()?;
        while self.eat("&&") {
            let right = self.unary()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        self.skip_space();
        if self.rest().starts_with('!') && !self.rest().starts_with("!=") {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        self.skip_space();
        if self.rest().is_empty() {
            return Err(self.error("the condition ends where a value was expected".into()));
        }
        if self.eat("(") {
            let inner = self.or()?;
            if !self.eat(")") {
                return Err(self.error("expected `)` to close the `(`".into()));
            }
            return Ok(Expr::Group(Box::new(inner)));
        }
        let start = self.pos;
        let left = self.operand()?;
        if let Operand::Var(name) = &left {
            if self.rest().starts_with('(') {
                return self.call(name.clone(), start);
            }
            self.check_known(name, start)?;
        }
        let equal = if self.eat("==") {
            true
        } else if self.eat("!=") {
            false
        } else {
            if self.rest().trim_start().starts_with('=') {
                self.skip_space();
                return Err(self.error("`=` is not an operator; compare with `==`".into()));
            }
            return Ok(Expr::Truthy(left));
        };
        self.skip_space();
        let right_start = self.pos;
        let right = self.operand()?;
        if let Operand::Var(name) = &right {
            self.check_known(name, right_start)?;
        }
        Ok(Expr::Compare { left, right, equal })
    }

    fn check_known(&self, name: &str, at: usize) -> Result<(), ParseError> {
        if (self.known)(name) {
            Ok(())
        } else {
            Err(ParseError {
                offset: at,
                message: format!("unknown variable `{name}`"),
            })
        }
    }

    fn call(&mut self, name: String, start: usize) -> Result<Expr, ParseError> {
        self.pos += 1; // `(`
        let mut args = Vec::new();
        if !self.eat(")") {
            loop {
                self.skip_space();
                if !self.rest().starts_with('\'') {
                    return Err(self.error(format!(
                        "`{name}(…)` takes strings in single quotes, e.g. 'src/**'"
                    )));
                }
                let at = self.pos;
                let Operand::Literal(arg) = self.operand()? else {
                    unreachable!("a quote starts a literal")
                };
                args.push((arg, at));
                if self.eat(")") {
                    break;
                }
                if !self.eat(",") {
                    return Err(self.error("expected `,` or `)` after an argument".into()));
                }
            }
        }
        let no_args = |status| {
            if let Some((_, at)) = args.first() {
                Err(ParseError {
                    offset: *at,
                    message: format!("`{name}()` takes no arguments"),
                })
            } else {
                Ok(Expr::Status(status))
            }
        };
        match name.as_str() {
            "failure" => no_args(Status::Failure),
            "success" => no_args(Status::Success),
            "always" => no_args(Status::Always),
            "changed" => {
                if args.is_empty() {
                    return Err(ParseError {
                        offset: start,
                        message: "`changed()` needs at least one glob, e.g. changed('src/**')"
                            .into(),
                    });
                }
                for (glob, at) in &args {
                    let outside = glob.starts_with('/') || glob.split('/').any(|p| p == "..");
                    let bad = if glob.is_empty() || outside {
                        Some("is not a path inside the repository".to_string())
                    } else {
                        globset::Glob::new(glob)
                            .err()
                            .map(|e| format!("is not a valid glob: {}", e.kind()))
                    };
                    if let Some(why) = bad {
                        return Err(ParseError {
                            offset: *at,
                            message: format!("`{glob}` {why}"),
                        });
                    }
                }
                Ok(Expr::Changed(args.into_iter().map(|(g, _)| g).collect()))
            }
            _ => Err(ParseError {
                offset: start,
                message: format!("unknown function `{name}()`"),
            }),
        }
    }

    fn operand(&mut self) -> Result<Operand, ParseError> {
        self.skip_space();
        let rest = self.rest();
        if let Some(body) = rest.strip_prefix('\'') {
            let Some(end) = body.find('\'') else {
                return Err(self.error("unterminated string: add the closing `'`".into()));
            };
            self.pos += end + 2;
            return Ok(Operand::Literal(body[..end].to_string()));
        }
        if let Some(body) = rest.strip_prefix("${") {
            let Some(end) = body.find('}') else {
                return Err(self.error("`${` without its closing `}`".into()));
            };
            self.pos += end + 3;
            return Ok(Operand::Var(body[..end].trim().to_string()));
        }
        if rest.starts_with('"') {
            return Err(self.error("strings are written in single quotes: 'main'".into()));
        }
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || "._-".contains(c)))
            .unwrap_or(rest.len());
        if len == 0 {
            return Err(self.error(format!("expected a value, found `{}`", self.rest_token())));
        }
        self.pos += len;
        Ok(Operand::Var(rest[..len].to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(name: &str) -> bool {
        name == "git.branch" || name.starts_with("env.")
    }

    fn ok(text: &str) -> String {
        parse(text, &known).unwrap().to_string()
    }

    fn err(text: &str) -> (usize, String) {
        let e = parse(text, &known).unwrap_err();
        (e.offset, e.message)
    }

    #[test]
    fn precedence_and_round_trip() {
        assert_eq!(
            ok("git.branch=='main'||env.CI&&!failure()"),
            "git.branch == 'main' || env.CI && !failure()"
        );
        let e = parse("a.b == 'x' || env.X && env.Y", &|_| true).unwrap();
        assert!(matches!(e, Expr::Or(_, _)));
        assert_eq!(ok("(${git.branch} != 'x')"), "(git.branch != 'x')");
        assert_eq!(
            ok("changed('src/**', 'Cargo.lock')"),
            "changed('src/**', 'Cargo.lock')"
        );
    }

    #[test]
    fn errors_point_into_the_expression() {
        assert_eq!(err("git.brnch == 'main'").0, 0);
        assert_eq!(err("env.CI && git.branch = 'x'").0, 21);
        assert_eq!(err("changed(src)").0, 8);
        assert_eq!(err("failure('x')").0, 8);
        assert_eq!(err("nope()").1, "unknown function `nope()`");
        assert_eq!(err("(env.CI").0, 7);
        assert_eq!(
            err("env.CI env.X").1,
            "unexpected `env.X` after a complete condition"
        );
        assert_eq!(err("git.branch == \"main\"").0, 14);
        assert_eq!(err("  ").1, "the condition is empty");
        assert_eq!(err("changed('../x')").0, 8);
    }
}
