//! GitHub Actions expressions (`${{ … }}`) that `gantry init` can work out
//! on this machine: literals, the `matrix.…` values of the matrix cell it
//! chose for the job, the `env.…` values the workflow sets, the operators
//! and the pure functions (`format`, `contains`, `startsWith`, `endsWith`,
//! `join`, `toJSON`, `fromJSON`); in an `if:`, the status functions
//! (`success()`, …) of a run where nothing failed, and `github.event_name`
//! when the caller asks about one event (see [`Scope`]). Every other
//! context (`github.…`, `secrets.…`, `runner.…`, `steps.…`) and function
//! (`hashFiles`, …) is known only to the CI: such an expression stays
//! [`Unknown`].
//!
//! Values compare as GitHub compares them: strings ignoring case, other
//! mixed types as numbers, lists and mappings never equal; context names
//! and mapping keys ignore case.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// The matrix values a job's steps see: the chosen cell, and every key any
/// cell of the matrix defines (a key other cells define is `null` in this
/// one, as on GitHub; a key no cell defines cannot be told).
pub struct Matrix<'a> {
    pub cell: &'a Map<String, Value>,
    pub keys: &'a [String],
}

/// What an expression can read here: the job's matrix cell, the `env`
/// context (the workflow's, the job's and the step's `env:` values,
/// worked out; a name it does not hold is unknown: an earlier step may
/// have set it through `$GITHUB_ENV`), the run's status and the event.
#[derive(Clone, Copy, Default)]
pub struct Scope<'a> {
    pub matrix: Option<&'a Matrix<'a>>,
    pub env: Option<&'a BTreeMap<String, String>>,
    pub status: Status,
    /// `github.event_name`, when the caller asks about one event.
    pub event_name: Option<&'a str>,
}

/// What the status functions of an `if:` (`success()`, `always()`,
/// `failure()`, `cancelled()`) say.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Status {
    /// They cannot be told (outside an `if:`).
    #[default]
    Unknown,
    /// A run where nothing failed and nothing was cancelled: a gantry
    /// run, where a failed action stops the stages after it.
    Passing,
    /// A run where something failed or was cancelled.
    Failed,
}

/// Why an expression cannot be worked out here: what it reads
/// (`github.event_name`, `secrets.TOKEN`, `hashFiles()`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unknown(pub String);

/// `text` with every `${{ … }}` replaced by its value, and the matrix keys
/// the expressions read; `Err` names the first thing that cannot be known.
pub fn substitute(text: &str, matrix: Option<&Matrix>) -> Result<(String, Vec<String>), Unknown> {
    substitute_in(
        text,
        &Scope {
            matrix,
            ..Scope::default()
        },
    )
}

/// [`substitute`] reading everything `scope` holds.
pub fn substitute_in(text: &str, scope: &Scope) -> Result<(String, Vec<String>), Unknown> {
    let mut ctx = Ctx::new(scope);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let inner = &rest[start + 3..];
        let end = closing(inner).ok_or_else(|| Unknown("an unclosed `${{`".into()))?;
        let expr = parse(&inner[..end])?;
        let value = eval(&expr, &mut ctx)?;
        out.push_str(&shown(&value)?);
        rest = &inner[end + 2..];
    }
    out.push_str(rest);
    Ok((out, ctx.used))
}

/// Whether an `if:` condition (with or without `${{ }}`) holds in a
/// passing run (see [`Status::Passing`]).
pub fn holds(condition: &str, matrix: Option<&Matrix>) -> Result<bool, Unknown> {
    holds_in(
        condition,
        &Scope {
            matrix,
            status: Status::Passing,
            ..Scope::default()
        },
    )
}

/// [`holds`] reading everything `scope` holds.
pub fn holds_in(condition: &str, scope: &Scope) -> Result<bool, Unknown> {
    let text = condition.trim();
    let inner = if text.starts_with("${{") {
        whole_inner(text).ok_or_else(|| Unknown(format!("`{text}`, which gantry cannot read")))?
    } else {
        text
    };
    truth(&parse(inner)?, &mut Ctx::new(scope))
}

/// The inside of `text` when it is one whole `${{ … }}` and nothing else.
fn whole_inner(text: &str) -> Option<&str> {
    let inner = text.trim().strip_prefix("${{")?;
    let end = closing(inner)?;
    inner[end + 2..].trim().is_empty().then(|| &inner[..end])
}

/// The value of `text` when it is one whole expression (`${{ matrix.runner
/// }}`, which may be a list); `None` when it is not.
pub fn whole(text: &str, scope: &Scope) -> Option<Result<Value, Unknown>> {
    let inner = whole_inner(text)?;
    Some(parse(inner).and_then(|expr| eval(&expr, &mut Ctx::new(scope))))
}

/// Whether `text` is one expression that CI itself leaves empty in some of
/// its runs (`${{ cond && '1' || '' }}`, `${{ inputs.x || '' }}`): an
/// optional toggle, which is empty wherever its condition does not hold.
pub fn optional_toggle(text: &str) -> bool {
    let Some(inner) = whole_inner(text) else {
        return false;
    };
    match parse(inner) {
        Ok(Expr::Binary(Op::Or, _, last)) => {
            matches!(*last, Expr::Literal(Value::Null))
                || matches!(&*last, Expr::Literal(Value::String(s)) if s.is_empty())
        }
        _ => false,
    }
}

/// Where the `}}` that closes an expression is in `inner` (the text after
/// `${{`), outside its string literals.
fn closing(inner: &str) -> Option<usize> {
    let bytes = inner.as_bytes();
    let mut quoted = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => quoted = !quoted,
            b'}' if !quoted && bytes.get(i + 1) == Some(&b'}') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The value of `${{ expr }}` in a string, as GitHub writes it there.
pub fn shown(value: &Value) -> Result<String, Unknown> {
    Ok(match value {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number_text(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => s.clone(),
        Value::Array(_) | Value::Object(_) => {
            return Err(Unknown("a list or mapping written into a string".into()))
        }
    })
}

/// A number as GitHub writes it (.NET's `G15`): 15 significant digits,
/// `1000` for `1e3` and `3` for `3.0`, an exponent (`1E+15`, `1E-05`)
/// only for the very large and very small.
pub fn number_text(n: f64) -> String {
    if n.is_nan() {
        return "NaN".into();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if n == 0.0 {
        return "0".into();
    }
    let scientific = format!("{n:.14e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
    if (-5..15).contains(&exponent) {
        let rounded: f64 = format!("{mantissa}e{exponent}").parse().unwrap_or(n);
        format!("{rounded}")
    } else {
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}E{sign}{:02}", exponent.abs())
    }
}

/// A number as a JSON value: a whole one as an integer (`toJSON(1)` is
/// `1`, not `1.0`).
fn number_value(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9e15 {
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

/// `value` with its whole numbers as integers, as `toJSON` writes them.
fn whole_numbers(value: &Value) -> Value {
    match value {
        Value::Number(n) => n.as_f64().map_or_else(|| value.clone(), number_value),
        Value::Array(items) => Value::Array(items.iter().map(whole_numbers).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), whole_numbers(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Debug, PartialEq)]
enum Expr {
    Literal(Value),
    /// A context and its properties: `matrix.python`, `github.event.ref`.
    Path(String, Vec<Expr>),
    Not(Box<Expr>),
    Binary(Op, Box<Expr>, Box<Expr>),
    Call(String, Vec<Expr>),
    /// Properties of a call's or a parenthesised value:
    /// `fromJSON(x)[0]`, `(a || b).name`.
    Index(Box<Expr>, Vec<Expr>),
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Word(String),
    Str(String),
    Num(f64),
    Punct(&'static str),
}

/// The tokens of `text`; `filters` reads the `*` of a filter
/// (`needs.*.result`).
fn tokens(text: &str, filters: bool) -> Result<Vec<Token>, Unknown> {
    const PUNCT: [&str; 16] = [
        "==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")", "[", "]", ",", ".", "*",
    ];
    let punct = if filters { &PUNCT[..] } else { &PUNCT[..15] };
    let bad = || Unknown(format!("`{}`, which gantry cannot read", text.trim()));
    let mut out = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let c = rest.chars().next().unwrap_or(' ');
        if c == '\'' {
            let mut value = String::new();
            let mut chars = rest[1..].char_indices();
            let mut end = None;
            while let Some((i, ch)) = chars.next() {
                if ch == '\'' {
                    if rest[1 + i + 1..].starts_with('\'') {
                        value.push('\'');
                        chars.next();
                    } else {
                        end = Some(1 + i + 1);
                        break;
                    }
                } else {
                    value.push(ch);
                }
            }
            out.push(Token::Str(value));
            rest = &rest[end.ok_or_else(bad)?..];
        } else if c.is_ascii_digit()
            || (c == '-' && rest[1..].starts_with(|d: char| d.is_ascii_digit()))
        {
            // A signed exponent (`-2.99e-2`) is part of the number.
            let bytes = rest.as_bytes();
            let hex = rest.trim_start_matches('-').starts_with("0x");
            let mut end = 1;
            while let Some(&b) = bytes.get(end) {
                let exponent_sign =
                    (b == b'-' || b == b'+') && !hex && matches!(bytes[end - 1], b'e' | b'E');
                if !(b.is_ascii_alphanumeric() || b == b'.' || exponent_sign) {
                    break;
                }
                end += 1;
            }
            let word = &rest[..end];
            let n = match word.strip_prefix("0x") {
                Some(hex) => i64::from_str_radix(hex, 16).map(|n| n as f64).ok(),
                None => word.parse().ok(),
            };
            out.push(Token::Num(n.ok_or_else(bad)?));
            rest = &rest[end..];
        } else if c.is_ascii_alphabetic() || c == '_' {
            let end = rest
                .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '-'))
                .unwrap_or(rest.len());
            out.push(Token::Word(rest[..end].to_string()));
            rest = &rest[end..];
        } else if let Some(p) = punct.iter().find(|p| rest.starts_with(**p)) {
            out.push(Token::Punct(p));
            rest = &rest[p.len()..];
        } else {
            return Err(bad());
        }
        rest = rest.trim_start();
    }
    Ok(out)
}

/// The expression `text` (without `${{ }}`), parsed.
fn parse(text: &str) -> Result<Expr, Unknown> {
    parse_with(text, false)
}

/// [`parse`], reading a filter (`needs.*`) as a path segment `*` when
/// `filters` is set: its value cannot be worked out, its shape can.
fn parse_with(text: &str, filters: bool) -> Result<Expr, Unknown> {
    let tokens = tokens(text, filters)?;
    let mut parser = Parser {
        tokens,
        at: 0,
        depth: 0,
        operators: 0,
    };
    let expr = parser.binary(0)?;
    if parser.at != parser.tokens.len() {
        return Err(Unknown(format!(
            "`{}`, which gantry cannot read",
            text.trim()
        )));
    }
    Ok(expr)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    /// How deep the parse is: nesting beyond [`DEEPEST`] is refused, not
    /// a stack overflow.
    depth: usize,
    /// How many binary operators it has read: a chain longer than
    /// [`MOST_OPERATORS`] is refused (its tree is as deep as it is long).
    operators: usize,
}

const DEEPEST: usize = 64;
const MOST_OPERATORS: usize = 256;

/// The binary operators by precedence, loosest first.
const LEVELS: [&[(&str, Op)]; 4] = [
    &[("||", Op::Or)],
    &[("&&", Op::And)],
    &[("==", Op::Eq), ("!=", Op::Ne)],
    &[("<=", Op::Le), (">=", Op::Ge), ("<", Op::Lt), (">", Op::Gt)],
];

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn eat(&mut self, punct: &str) -> bool {
        if matches!(self.peek(), Some(Token::Punct(p)) if *p == punct) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, punct: &str) -> Result<(), Unknown> {
        if self.eat(punct) {
            Ok(())
        } else {
            Err(Unknown(format!("an expression without its `{punct}`")))
        }
    }

    fn binary(&mut self, level: usize) -> Result<Expr, Unknown> {
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut left = self.binary(level + 1)?;
        'more: loop {
            for (punct, op) in LEVELS[level] {
                if self.eat(punct) {
                    self.operators += 1;
                    if self.operators > MOST_OPERATORS {
                        return Err(Unknown("an expression with too many operators".into()));
                    }
                    let right = self.binary(level + 1)?;
                    left = Expr::Binary(*op, Box::new(left), Box::new(right));
                    continue 'more;
                }
            }
            return Ok(left);
        }
    }

    fn unary(&mut self) -> Result<Expr, Unknown> {
        self.depth += 1;
        if self.depth > DEEPEST {
            return Err(Unknown("an expression nested too deeply".into()));
        }
        let expr = self.operand();
        self.depth -= 1;
        expr
    }

    fn operand(&mut self) -> Result<Expr, Unknown> {
        if self.eat("!") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.eat("(") {
            let inner = self.binary(0)?;
            self.expect(")")?;
            return self.indexed(inner, "(…)");
        }
        let token = self.peek().cloned();
        self.at += 1;
        match token {
            Some(Token::Str(s)) => Ok(Expr::Literal(Value::String(s))),
            Some(Token::Num(n)) => Ok(Expr::Literal(number_value(n))),
            Some(Token::Word(word)) => match word.as_str() {
                "true" => Ok(Expr::Literal(Value::Bool(true))),
                "false" => Ok(Expr::Literal(Value::Bool(false))),
                "null" => Ok(Expr::Literal(Value::Null)),
                _ if self.eat("(") => {
                    let mut args = Vec::new();
                    if !self.eat(")") {
                        loop {
                            args.push(self.binary(0)?);
                            if self.eat(")") {
                                break;
                            }
                            self.expect(",")?;
                        }
                    }
                    let shown = format!("{word}(…)");
                    self.indexed(Expr::Call(word, args), &shown)
                }
                _ => {
                    let path = self.path(&word)?;
                    Ok(Expr::Path(word, path))
                }
            },
            _ => Err(Unknown("an expression gantry cannot read".into())),
        }
    }

    /// `value` with the properties read after it (`.name`, `[0]`).
    fn indexed(&mut self, value: Expr, shown: &str) -> Result<Expr, Unknown> {
        let path = self.path(shown)?;
        Ok(if path.is_empty() {
            value
        } else {
            Expr::Index(Box::new(value), path)
        })
    }

    /// The properties read next (`.name`, `[expr]`), of `shown`.
    fn path(&mut self, shown: &str) -> Result<Vec<Expr>, Unknown> {
        let mut path = Vec::new();
        loop {
            if self.eat(".") {
                match self.peek().cloned() {
                    Some(Token::Word(name)) => {
                        self.at += 1;
                        path.push(Expr::Literal(Value::String(name)));
                    }
                    // Only `parse_with` reads a `*`.
                    Some(Token::Punct("*")) => {
                        self.at += 1;
                        path.push(Expr::Literal(Value::String("*".into())));
                    }
                    _ => return Err(Unknown(format!("`{shown}.*`, a filter"))),
                }
            } else if self.eat("[") {
                path.push(self.binary(0)?);
                self.expect("]")?;
            } else {
                return Ok(path);
            }
        }
    }
}

/// An `if:` condition read for its shape rather than its value: its
/// `||` alternatives and `&&` clauses, each clause with the words it
/// holds (for rules that look for a word, as github's OS rule does).
#[derive(Debug, PartialEq)]
pub enum Logic {
    /// `a || b || …` (parentheses dropped): its alternatives.
    Any(Vec<Logic>),
    /// `a && b && …`: the clauses it needs.
    All(Vec<Logic>),
    /// Anything else.
    Clause {
        /// The context and property names, functions and strings in it, as
        /// written (`runner`, `os`, `windows`; `startsWith`).
        words: Vec<String>,
        /// Whether it negates: a `!` or `!=` anywhere in it.
        negates: bool,
    },
}

/// The shape of the condition `text` (without `${{ }}`); a filter
/// (`needs.*.result`), which [`holds`] cannot work out, is read too.
pub fn logic(text: &str) -> Result<Logic, Unknown> {
    Ok(Logic::of(&parse_with(text, true)?))
}

impl Logic {
    fn of(expr: &Expr) -> Logic {
        let of_all = |op| {
            let mut operands = Vec::new();
            flatten(expr, op, &mut operands);
            operands.into_iter().map(Logic::of).collect()
        };
        match expr {
            Expr::Binary(Op::Or, _, _) => Logic::Any(of_all(Op::Or)),
            Expr::Binary(Op::And, _, _) => Logic::All(of_all(Op::And)),
            _ => {
                let (mut words, mut negates) = (Vec::new(), false);
                clause_words(expr, &mut words, &mut negates);
                Logic::Clause { words, negates }
            }
        }
    }
}

/// The operands of a chain of `op` (`a || (b || c)`: `a`, `b`, `c`).
fn flatten<'a>(expr: &'a Expr, op: Op, out: &mut Vec<&'a Expr>) {
    match expr {
        Expr::Binary(o, a, b) if *o == op => {
            flatten(a, op, out);
            flatten(b, op, out);
        }
        other => out.push(other),
    }
}

/// The words of a [`Logic::Clause`], and whether it negates.
fn clause_words(expr: &Expr, words: &mut Vec<String>, negates: &mut bool) {
    match expr {
        Expr::Literal(Value::String(s)) => words.push(s.clone()),
        Expr::Literal(_) => {}
        Expr::Path(context, path) => {
            words.push(context.clone());
            for segment in path {
                clause_words(segment, words, negates);
            }
        }
        Expr::Not(inner) => {
            *negates = true;
            clause_words(inner, words, negates);
        }
        Expr::Binary(op, a, b) => {
            *negates |= *op == Op::Ne;
            clause_words(a, words, negates);
            clause_words(b, words, negates);
        }
        Expr::Call(name, args) => {
            words.push(name.clone());
            for arg in args {
                clause_words(arg, words, negates);
            }
        }
        Expr::Index(value, path) => {
            clause_words(value, words, negates);
            for segment in path {
                clause_words(segment, words, negates);
            }
        }
    }
}

fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0 && !n.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

fn as_number(value: &Value) -> f64 {
    match value {
        Value::Null => 0.0,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Value::String(s) if s.trim().is_empty() => 0.0,
        Value::String(s) => {
            let s = s.trim();
            match s.strip_prefix("0x") {
                Some(hex) => i64::from_str_radix(hex, 16).map_or(f64::NAN, |n| n as f64),
                None => s.parse().unwrap_or(f64::NAN),
            }
        }
        Value::Array(_) | Value::Object(_) => f64::NAN,
    }
}

/// How `a` compares with `b`, as GitHub compares: strings ignoring case
/// (upper-cased, as .NET's `OrdinalIgnoreCase`), mixed types as numbers;
/// `None` when they do not compare (NaN; lists and mappings, which GitHub
/// compares by instance, and every one here is a copy).
fn compare(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::String(x), Value::String(y)) => Some(x.to_uppercase().cmp(&y.to_uppercase())),
        (Value::Array(_) | Value::Object(_), _) | (_, Value::Array(_) | Value::Object(_)) => None,
        _ => as_number(a).partial_cmp(&as_number(b)),
    }
}

fn text_of(value: &Value) -> Result<String, Unknown> {
    shown(value)
}

/// An evaluation: what it can read, and the matrix keys it read.
struct Ctx<'s> {
    scope: &'s Scope<'s>,
    used: Vec<String>,
}

impl<'s> Ctx<'s> {
    fn new(scope: &'s Scope<'s>) -> Self {
        Ctx {
            scope,
            used: Vec::new(),
        }
    }
}

/// Whether `expr` is truthy, where that is known even if its value is not:
/// `&&` with an operand known to be falsy is falsy, `||` with one known
/// to be truthy is truthy, whatever the others are.
fn truth(expr: &Expr, ctx: &mut Ctx) -> Result<bool, Unknown> {
    match expr {
        Expr::Not(inner) => truth(inner, ctx).map(|t| !t),
        Expr::Binary(op @ (Op::And | Op::Or), a, b) => {
            // What decides it: a truthy operand of `||`, a falsy one of `&&`.
            let decisive = *op == Op::Or;
            match truth(a, ctx) {
                Ok(t) if t == decisive => Ok(t),
                Ok(_) => truth(b, ctx),
                Err(unknown) => match truth(b, ctx) {
                    Ok(t) if t == decisive => Ok(t),
                    _ => Err(unknown),
                },
            }
        }
        _ => Ok(truthy(&eval(expr, ctx)?)),
    }
}

/// The property `key` of `value` (mapping keys ignoring case, list
/// indexes from whole numbers); null when it has none.
fn member(value: &Value, key: &Value) -> Value {
    match value {
        Value::Object(map) => text_of(key)
            .ok()
            .and_then(|name| {
                map.get(&name).or_else(|| {
                    map.iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(&name))
                        .map(|(_, v)| v)
                })
            })
            .cloned()
            .unwrap_or(Value::Null),
        Value::Array(items) => {
            let index = as_number(key);
            if index >= 0.0 && index.fract() == 0.0 {
                items.get(index as usize).cloned().unwrap_or(Value::Null)
            } else {
                Value::Null
            }
        }
        _ => Value::Null,
    }
}

fn eval(expr: &Expr, ctx: &mut Ctx) -> Result<Value, Unknown> {
    use std::cmp::Ordering::*;
    Ok(match expr {
        Expr::Literal(v) => v.clone(),
        Expr::Not(_) => Value::Bool(truth(expr, ctx)?),
        Expr::Binary(Op::Or, a, b) => {
            let a = eval(a, ctx)?;
            if truthy(&a) {
                a
            } else {
                eval(b, ctx)?
            }
        }
        Expr::Binary(Op::And, a, b) => {
            let a = eval(a, ctx)?;
            if truthy(&a) {
                eval(b, ctx)?
            } else {
                a
            }
        }
        Expr::Binary(op, a, b) => {
            let order = compare(&eval(a, ctx)?, &eval(b, ctx)?);
            Value::Bool(match op {
                Op::Eq => order == Some(Equal),
                Op::Ne => order != Some(Equal),
                Op::Lt => order == Some(Less),
                Op::Le => matches!(order, Some(Less | Equal)),
                Op::Gt => order == Some(Greater),
                Op::Ge => matches!(order, Some(Greater | Equal)),
                Op::Or | Op::And => unreachable!("handled above"),
            })
        }
        Expr::Path(context, path) => {
            let mut segments = path.iter();
            let mut value = context_value(context, &mut segments, ctx)?;
            for segment in segments {
                let key = eval(segment, ctx)?;
                value = member(&value, &key);
            }
            value
        }
        Expr::Index(base, path) => {
            let mut value = eval(base, ctx)?;
            for segment in path {
                let key = eval(segment, ctx)?;
                value = member(&value, &key);
            }
            value
        }
        Expr::Call(name, args) if args.is_empty() && ctx.scope.status != Status::Unknown => {
            let passing = ctx.scope.status == Status::Passing;
            match name.to_ascii_lowercase().as_str() {
                "always" => Value::Bool(true),
                "success" => Value::Bool(passing),
                "failure" | "cancelled" => Value::Bool(!passing),
                _ => call(name, &[])?,
            }
        }
        Expr::Call(name, args) => {
            let args = args
                .iter()
                .map(|a| eval(a, ctx))
                .collect::<Result<Vec<_>, _>>()?;
            call(name, &args)?
        }
    })
}

/// The value of context `context` (names ignoring case, as GitHub reads
/// them) with the first of its properties that tells it (`matrix.python`,
/// `env.TARGET`) taken from `segments`; `Err` for a context known only to
/// the CI.
fn context_value<'e>(
    context: &str,
    segments: &mut impl Iterator<Item = &'e Expr>,
    ctx: &mut Ctx,
) -> Result<Value, Unknown> {
    let scope = *ctx.scope;
    let mut segments = segments.peekable();
    let first = segments.peek().map(|segment| match segment {
        Expr::Literal(Value::String(name)) => name.clone(),
        _ => String::new(),
    });
    let shown = match &first {
        Some(name) if !name.is_empty() => format!("{context}.{name}"),
        _ => context.to_string(),
    };
    if context.eq_ignore_ascii_case("matrix") {
        let Some(matrix) = scope.matrix else {
            return Err(Unknown(format!(
                "{shown}, and the job has no matrix gantry can read"
            )));
        };
        let Some(segment) = segments.next() else {
            return Ok(Value::Object(matrix.cell.clone()));
        };
        let name = text_of(&eval(segment, ctx)?)?;
        let Some(key) = matrix
            .keys
            .iter()
            .find(|key| key.eq_ignore_ascii_case(&name))
        else {
            return Err(Unknown(format!(
                "matrix.{name}, which the job's matrix does not define"
            )));
        };
        if !ctx.used.contains(key) {
            ctx.used.push(key.clone());
        }
        return Ok(matrix.cell.get(key).cloned().unwrap_or(Value::Null));
    }
    let event_name = first
        .as_deref()
        .is_some_and(|name| name.eq_ignore_ascii_case("event_name"));
    if context.eq_ignore_ascii_case("github") && event_name {
        if let Some(event) = scope.event_name {
            return Ok(Value::String(event.to_string()));
        }
    }
    if context.eq_ignore_ascii_case("env") {
        if let (Some(env), Some(segment)) = (scope.env, segments.next()) {
            let name = text_of(&eval(segment, ctx)?)?;
            let value = env.get(&name).or_else(|| {
                env.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(&name))
                    .map(|(_, v)| v)
            });
            if let Some(value) = value {
                return Ok(Value::String(value.clone()));
            }
            return Err(Unknown(format!(
                "env.{name}, which no `env:` of the workflow, job or step sets"
            )));
        }
    }
    Err(Unknown(shown))
}

/// The pure functions of GitHub's expressions.
fn call(name: &str, args: &[Value]) -> Result<Value, Unknown> {
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Null);
    let lower = |v: &Value| text_of(v).map(|s| s.to_lowercase());
    Ok(match name.to_ascii_lowercase().as_str() {
        "format" => {
            let template = text_of(&arg(0))?;
            let mut out = String::new();
            let mut rest = template.as_str();
            while let Some(i) = rest.find(['{', '}']) {
                out.push_str(&rest[..i]);
                let after = &rest[i..];
                if after.starts_with("{{") || after.starts_with("}}") {
                    out.push_str(&after[..1]);
                    rest = &after[2..];
                } else if let Some(close) = after.find('}').filter(|_| after.starts_with('{')) {
                    let index: usize = after[1..close]
                        .parse()
                        .map_err(|_| Unknown(format!("format('{template}', …)")))?;
                    // GitHub refuses a `{N}` with no argument N.
                    let value = args
                        .get(index + 1)
                        .ok_or_else(|| Unknown(format!("format('{template}', …)")))?;
                    out.push_str(&text_of(value)?);
                    rest = &after[close + 1..];
                } else {
                    return Err(Unknown(format!("format('{template}', …)")));
                }
            }
            out.push_str(rest);
            Value::String(out)
        }
        "contains" => Value::Bool(match arg(0) {
            Value::Array(items) => items
                .iter()
                .any(|item| compare(item, &arg(1)) == Some(std::cmp::Ordering::Equal)),
            haystack => lower(&haystack)?.contains(&lower(&arg(1))?),
        }),
        "startswith" => Value::Bool(lower(&arg(0))?.starts_with(&lower(&arg(1))?)),
        "endswith" => Value::Bool(lower(&arg(0))?.ends_with(&lower(&arg(1))?)),
        "join" => match arg(0) {
            Value::Array(items) => {
                let sep = if args.len() > 1 {
                    text_of(&arg(1))?
                } else {
                    ",".into()
                };
                let parts = items.iter().map(text_of).collect::<Result<Vec<_>, _>>()?;
                Value::String(parts.join(&sep))
            }
            other => Value::String(text_of(&other)?),
        },
        "tojson" => {
            Value::String(serde_json::to_string_pretty(&whole_numbers(&arg(0))).unwrap_or_default())
        }
        "fromjson" => serde_json::from_str(&text_of(&arg(0))?)
            .map_err(|_| Unknown("fromJSON of text that is not JSON".into()))?,
        _ => return Err(Unknown(format!("{name}()"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(json: &str) -> Map<String, Value> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn matrix_values_operators_and_functions_are_worked_out() {
        let values = cell(r#"{"python": "3.11", "os": "ubuntu-latest", "n": 3}"#);
        let keys = ["python".to_string(), "os".into(), "n".into(), "tox".into()];
        let matrix = Matrix {
            cell: &values,
            keys: &keys,
        };
        let sub = |t: &str| substitute(t, Some(&matrix)).map(|(text, _)| text);
        assert_eq!(sub("py${{ matrix.python }}").unwrap(), "py3.11");
        assert_eq!(
            sub("${{ matrix.tox || format('py{0}', matrix.python) }}").unwrap(),
            "py3.11"
        );
        assert_eq!(
            sub("${{ matrix.python == '3.15-dev' && '1' || '' }}").unwrap(),
            ""
        );
        assert_eq!(
            sub("${{ matrix.python == '3.11' && '1' || '' }}").unwrap(),
            "1"
        );
        assert_eq!(
            sub("${{ matrix['os'] == 'UBUNTU-LATEST' }}").unwrap(),
            "true"
        );
        assert_eq!(
            sub("${{ matrix.n == '3' && !(matrix.n > 4) }}").unwrap(),
            "true"
        );
        assert_eq!(
            sub("${{ startsWith(matrix.os, 'ubuntu') }}").unwrap(),
            "true"
        );
        assert_eq!(
            sub("${{ contains(fromJSON('[\"a\", \"B\"]'), 'b') }}").unwrap(),
            "true"
        );
        assert_eq!(sub("${{ format('{{{0}}}', 'x') }}").unwrap(), "{x}");
        assert_eq!(sub("it's ${{ 'a''b' }} }}").unwrap(), "it's a'b }}");
        assert_eq!(
            substitute("${{ matrix.os }}-${{ matrix.python }}", Some(&matrix))
                .unwrap()
                .1,
            ["os", "python"]
        );
        let unknown = |t: &str| substitute(t, Some(&matrix)).unwrap_err().0;
        assert_eq!(unknown("${{ github.event_name }}"), "github.event_name");
        assert_eq!(unknown("${{ secrets.TOKEN }}"), "secrets.TOKEN");
        assert_eq!(unknown("${{ hashFiles('x') }}"), "hashFiles()");
        assert!(unknown("${{ matrix.rust }}").contains("does not define"));
        assert!(substitute("${{ matrix.x }}", None)
            .unwrap_err()
            .0
            .contains("no matrix"));
    }

    #[test]
    fn odd_expressions_are_unknown_not_a_panic() {
        let deep = format!("${{{{ {}1{} }}}}", "(".repeat(5000), ")".repeat(5000));
        let nots = format!("${{{{ {}true }}}}", "!".repeat(5000));
        let chain = format!("${{{{ 1{} }}}}", " == 1".repeat(3000));
        let ands = format!("${{{{ true{} }}}}", " && true".repeat(100_000));
        for text in [
            "${{",
            "${{ }}",
            "${{ 'unclosed }}",
            "${{ matrix. }}",
            "${{ a[ }}",
            "${{ f(1, }}",
            "${{ format('{9}') }}",
            "${{ format('{0}{1}', 'x') }}",
            "${{ format('{') }}",
            "${{ -x }}",
            "${{ 1 == }}",
            "${{ é }}",
            "${{ matrix.n… }}",
            deep.as_str(),
            nots.as_str(),
            chain.as_str(),
            ands.as_str(),
        ] {
            assert!(substitute(text, None).is_err(), "{text}");
            assert!(holds(text, None).is_err(), "{text}");
        }
    }

    #[test]
    fn a_condition_known_false_or_true_by_one_operand_is_known() {
        let values = cell(r#"{"python-version": "3.11"}"#);
        let keys = ["python-version".to_string()];
        let matrix = Matrix {
            cell: &values,
            keys: &keys,
        };
        let holds = |t: &str| holds(t, Some(&matrix));
        assert_eq!(
            holds("github.event_name == 'push' && matrix.python-version == '3.12'"),
            Ok(false)
        );
        assert_eq!(
            holds("${{ matrix.python-version == '3.12' && github.event_name == 'push' }}"),
            Ok(false)
        );
        assert_eq!(
            holds("github.event_name == 'push' || matrix.python-version == '3.11'"),
            Ok(true)
        );
        assert_eq!(
            holds("!(github.event_name == 'push' && matrix.python-version == '3.12')"),
            Ok(true)
        );
        assert!(holds("github.event_name == 'push' && matrix.python-version == '3.11'").is_err());
        assert!(holds("github.event_name == 'push' || matrix.python-version == '3.12'").is_err());
        // Its value is still not known where it is written into text.
        assert!(substitute(
            "${{ github.event_name == 'push' && matrix.python-version == '3.12' }}",
            Some(&matrix)
        )
        .is_err());
    }

    #[test]
    fn names_indexes_numbers_and_comparisons_read_as_on_github() {
        let values = cell(r#"{"Python": "3.11", "cfg": ["a", "b"], "n": 3.0}"#);
        let keys = ["Python".to_string(), "cfg".into(), "n".into()];
        let matrix = Matrix {
            cell: &values,
            keys: &keys,
        };
        let sub = |t: &str| substitute(t, Some(&matrix));
        // Context names and keys ignore case.
        assert_eq!(
            sub("${{ MATRIX.python }}").unwrap(),
            ("3.11".to_string(), vec!["Python".to_string()])
        );
        assert_eq!(sub("${{ matrix['PYTHON'] }}").unwrap().0, "3.11");
        // Indexes are numbers; a call's or a parenthesised value has
        // properties too.
        assert_eq!(sub("${{ matrix.cfg[0] }}").unwrap().0, "a");
        assert_eq!(sub("${{ matrix.cfg[1.5] }}").unwrap().0, "");
        assert_eq!(sub("${{ fromJSON('[1, 2]')[1] }}").unwrap().0, "2");
        assert_eq!(
            sub("${{ fromJSON('{\"a\": {\"B\": 4}}').a.b }}").unwrap().0,
            "4"
        );
        assert_eq!(sub("${{ (matrix.cfg)[1] }}").unwrap().0, "b");
        // Numbers as GitHub writes them.
        assert_eq!(sub("${{ toJSON(1) }}").unwrap().0, "1");
        assert_eq!(sub("${{ toJSON(matrix.n) }}").unwrap().0, "3");
        assert_eq!(sub("${{ -2.99e-2 }}").unwrap().0, "-0.0299");
        assert_eq!(sub("${{ 1e3 }}").unwrap().0, "1000");
        assert_eq!(sub("${{ 1.5E+2 }}").unwrap().0, "150");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(1e15), "1E+15");
        assert_eq!(number_text(1.5e-7), "1.5E-07");
        // Strings order upper-cased ('_' sorts after 'A'); lists and
        // mappings are equal only to themselves.
        assert_eq!(sub("${{ 'a' < '_' }}").unwrap().0, "true");
        assert_eq!(
            sub("${{ fromJSON('[]') == fromJSON('[]') }}").unwrap().0,
            "false"
        );
        assert_eq!(sub("${{ matrix.cfg != matrix.cfg }}").unwrap().0, "true");
    }

    #[test]
    fn env_values_the_workflow_sets_are_known() {
        let env: BTreeMap<String, String> = [("TARGET".to_string(), "x86".to_string())].into();
        let scope = Scope {
            env: Some(&env),
            ..Scope::default()
        };
        assert_eq!(
            substitute_in("make TARGET=${{ env.TARGET }}", &scope)
                .unwrap()
                .0,
            "make TARGET=x86"
        );
        assert_eq!(substitute_in("${{ ENV.target }}", &scope).unwrap().0, "x86");
        assert!(substitute_in("${{ env.OTHER }}", &scope)
            .unwrap_err()
            .0
            .contains("env.OTHER"));
        assert_eq!(
            substitute("${{ env.TARGET }}", None).unwrap_err().0,
            "env.TARGET"
        );
        assert_eq!(holds_in("env.TARGET == 'X86'", &scope), Ok(true));
    }

    #[test]
    fn status_functions_and_the_event_are_known_where_the_caller_says() {
        assert_eq!(holds("success() && always()", None), Ok(true));
        assert_eq!(holds("${{ !success() }}", None), Ok(false));
        assert_eq!(holds("failure() || cancelled()", None), Ok(false));
        let failed = Scope {
            status: Status::Failed,
            ..Scope::default()
        };
        assert_eq!(holds_in("failure() || cancelled()", &failed), Ok(true));
        assert!(substitute("${{ success() }}", None).is_err());
        let push = Scope {
            event_name: Some("push"),
            ..Scope::default()
        };
        assert_eq!(
            holds_in("github.event_name == 'schedule'", &push),
            Ok(false)
        );
        assert!(holds("github.event_name == 'schedule'", None).is_err());
    }

    #[test]
    fn optional_toggles_are_expressions_that_fall_back_to_empty() {
        assert!(optional_toggle(
            "${{ matrix.v == '3.15-dev' && '1' || '' }}"
        ));
        assert!(optional_toggle("${{ github.event.inputs.debug || null }}"));
        assert!(!optional_toggle("${{ secrets.TOKEN }}"));
        assert!(!optional_toggle("${{ a || 'x' }}"));
        assert!(!optional_toggle("-${{ a || '' }}"));
    }

    #[test]
    fn a_condition_reads_as_alternatives_of_clauses_with_their_words() {
        let clause = |words: &[&str], negates| Logic::Clause {
            words: words.iter().map(|w| w.to_string()).collect(),
            negates,
        };
        assert_eq!(
            logic("contains(needs.*.result, 'failure') || a && (b != 'x' || !c)").unwrap(),
            Logic::Any(vec![
                clause(&["contains", "needs", "*", "result", "failure"], false),
                Logic::All(vec![
                    clause(&["a"], false),
                    Logic::Any(vec![clause(&["b", "x"], true), clause(&["c"], true)]),
                ]),
            ])
        );
        // Its value is still not worked out.
        assert!(holds("contains(needs.*.result, 'failure')", None).is_err());
    }
}
