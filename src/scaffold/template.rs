//! A small line-based template language for the files under `templates/`.
//!
//! - `{{name}}` is replaced by the variable `name` (an unknown name is an error);
//! - `#% if name` / `#% if !name` / `#% else` / `#% end` keep or drop the lines
//!   between them (a variable is true when it is set and not empty);
//! - `#% section name` starts a named part of the file (the lines before the
//!   first one form the section `""`);
//! - `#% needs program: install hint` records a program that the kept lines
//!   need, for the tool check after writing;
//! - `#% gate name: note` / `#% end` keeps the lines between them when `name`
//!   is true, and otherwise keeps them commented out (`# `), after a comment
//!   `# Not enabled: note` (for checks the repository shows no sign of using).
//!
//! Directive lines may be indented and never reach the output.

use std::collections::BTreeMap;

/// Template variables: name → value.
pub type Vars = BTreeMap<String, String>;

/// A program a rendered template needs, and how to install it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Need {
    /// The program looked up on `PATH`, e.g. `cargo-clippy`.
    pub program: String,
    /// What to do when it is missing, e.g. `rustup component add clippy`.
    pub hint: String,
}

/// One named part of a rendered template.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Section {
    /// The section's name (`""` before the first `#% section`).
    pub name: String,
    /// The rendered lines, each ending in a newline.
    pub text: String,
    /// Programs the kept lines need.
    pub needs: Vec<Need>,
    /// The names of the actions (`- name: NAME` lines) it holds.
    pub actions: Vec<String>,
    /// The names of the actions it holds commented out (a gate that is off).
    pub disabled: Vec<String>,
}

/// A rendered template: its sections in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rendered {
    /// The sections, in file order.
    pub sections: Vec<Section>,
}

impl Rendered {
    /// The section called `name`, if the template has it.
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name == name)
    }
}

/// Renders `template` (named `file` in errors) with `vars`.
pub fn render(file: &str, template: &str, vars: &Vars) -> Result<Rendered, String> {
    let mut out = Rendered {
        sections: vec![Section::default()],
    };
    let mut stack: Vec<Block> = Vec::new();
    for (index, line) in template.lines().enumerate() {
        let at = |message: String| format!("{file}:{}: {message}", index + 1);
        let dropping = stack.iter().any(|b| !b.taken);
        let commenting = stack.iter().any(|b| b.commented);
        match line.trim_start().strip_prefix("#%") {
            Some(directive) => {
                directive_line(
                    directive.trim(),
                    vars,
                    dropping || commenting,
                    &mut stack,
                    &mut out,
                )
                .map_err(at)?;
            }
            None if dropping => {}
            None => {
                let mut text = substitute(line, vars).map_err(at)?;
                let section = out.sections.last_mut().expect("never empty");
                if let Some(name) = text.trim_start().strip_prefix("- name: ") {
                    match commenting {
                        true => section.disabled.push(name.to_string()),
                        false => section.actions.push(name.to_string()),
                    }
                }
                if commenting && !text.trim_start().starts_with('#') {
                    let indent = text.len() - text.trim_start().len();
                    text.insert_str(indent, "# ");
                }
                section.text.push_str(&text);
                section.text.push('\n');
            }
        }
    }
    if !stack.is_empty() {
        return Err(format!("{file}: an `#% if` has no `#% end`"));
    }
    Ok(out)
}

/// An open `#% if` or `#% gate`.
struct Block {
    /// Whether its lines are kept.
    taken: bool,
    /// Whether its lines are kept commented out (a gate that is off).
    commented: bool,
}

/// Runs one directive; `quiet` is set inside a dropped or commented block,
/// where `#% needs` records nothing.
fn directive_line(
    directive: &str,
    vars: &Vars,
    quiet: bool,
    stack: &mut Vec<Block>,
    out: &mut Rendered,
) -> Result<(), String> {
    let (word, rest) = directive.split_once(' ').unwrap_or((directive, ""));
    let rest = rest.trim();
    let is_set = |name: &str| vars.get(name).is_some_and(|v| !v.is_empty());
    match word {
        "if" => {
            let (negated, name) = match rest.strip_prefix('!') {
                Some(name) => (true, name),
                None => (false, rest),
            };
            stack.push(Block {
                taken: is_set(name) != negated,
                commented: false,
            });
        }
        "gate" => {
            let (name, note) = rest.split_once(':').ok_or("`#% gate` wants `name: note`")?;
            let on = is_set(name.trim());
            let dropping = stack.iter().any(|b| !b.taken);
            if !on && !dropping {
                let note = substitute(note.trim(), vars)?;
                let section = out.sections.last_mut().expect("never empty");
                section
                    .text
                    .push_str(&format!("      # Not enabled: {note}\n"));
            }
            stack.push(Block {
                taken: true,
                commented: !on,
            });
        }
        "else" => {
            let top = stack.last_mut().ok_or("`#% else` without `#% if`")?;
            top.taken = !top.taken;
        }
        "end" => {
            stack.pop().ok_or("`#% end` without `#% if`")?;
        }
        "section" if stack.is_empty() => out.sections.push(Section {
            name: rest.to_string(),
            ..Section::default()
        }),
        "section" => return Err("`#% section` inside `#% if`".into()),
        "needs" if quiet => {}
        "needs" => {
            let (program, hint) = rest
                .split_once(':')
                .ok_or("`#% needs` wants `program: hint`")?;
            let need = Need {
                program: substitute(program.trim(), vars)?,
                hint: substitute(hint.trim(), vars)?,
            };
            out.sections
                .last_mut()
                .expect("never empty")
                .needs
                .push(need);
        }
        other => return Err(format!("unknown directive `#% {other}`")),
    }
    Ok(())
}

/// Replaces every `{{name}}` in `line`.
fn substitute(line: &str, vars: &Vars) -> Result<String, String> {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or("`{{` without `}}`")?;
        let name = after[..end].trim();
        let value = vars
            .get(name)
            .ok_or_else(|| format!("unknown template variable `{name}`"))?;
        out.push_str(value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn substitutes_and_splits_sections() {
        let t = "head {{a}}\n#% section one\n  x: {{ a }}{{b}}\n#% section two\ny\n";
        let r = render("t", t, &vars(&[("a", "1"), ("b", "2")])).unwrap();
        assert_eq!(r.section("").unwrap().text, "head 1\n");
        assert_eq!(r.section("one").unwrap().text, "  x: 12\n");
        assert_eq!(r.section("two").unwrap().text, "y\n");
        assert!(r.section("three").is_none());
    }

    #[test]
    fn conditionals_nest_and_needs_follow_them() {
        let t = "#% if a\nA\n  #% needs prog-a: get a\n#% if !b\nnot b\n#% else\nB\n#% needs prog-b: get b\n#% end\n#% end\n#% if b\nonly b\n#% end\n";
        let r = render("t", t, &vars(&[("a", "yes"), ("b", "")])).unwrap();
        let s = r.section("").unwrap();
        assert_eq!(s.text, "A\nnot b\n");
        assert_eq!(
            s.needs,
            vec![Need {
                program: "prog-a".into(),
                hint: "get a".into()
            }]
        );
        let r = render("t", t, &vars(&[("b", "1")])).unwrap();
        assert_eq!(r.section("").unwrap().text, "only b\n");
        assert!(r.section("").unwrap().needs.is_empty());
    }

    #[test]
    fn a_gate_that_is_off_is_written_commented_out_with_its_note() {
        let t = "#% gate fmt: no sign of {{tool}}\n      - name: fmt\n#% needs cargo: get it\n        run: x\n#% end\n";
        let off = render("t", t, &vars(&[("tool", "rustfmt")])).unwrap();
        let s = off.section("").unwrap();
        assert_eq!(
            s.text,
            "      # Not enabled: no sign of rustfmt\n      # - name: fmt\n        # run: x\n"
        );
        assert!(s.needs.is_empty());
        assert!(s.actions.is_empty());
        assert_eq!(s.disabled, ["fmt"]);
        let on = render("t", t, &vars(&[("tool", "x"), ("fmt", "1")])).unwrap();
        assert_eq!(
            on.section("").unwrap().text,
            "      - name: fmt\n        run: x\n"
        );
        assert_eq!(on.section("").unwrap().needs.len(), 1);
        assert_eq!(on.section("").unwrap().actions, ["fmt"]);
        assert!(on.section("").unwrap().disabled.is_empty());
    }

    #[test]
    fn mistakes_are_errors_with_the_line() {
        let v = vars(&[]);
        assert_eq!(
            render("t", "ok\n{{nope}}\n", &v).unwrap_err(),
            "t:2: unknown template variable `nope`"
        );
        assert!(render("t", "#% if a\n", &v)
            .unwrap_err()
            .contains("no `#% end`"));
        assert!(render("t", "#% end\n", &v).unwrap_err().contains("without"));
        assert!(render("t", "#% else\n", &v)
            .unwrap_err()
            .contains("without"));
        assert!(render("t", "#% frob\n", &v)
            .unwrap_err()
            .contains("unknown"));
        assert!(render("t", "{{a\n", &v)
            .unwrap_err()
            .contains("without `}}`"));
        assert!(render("t", "#% needs x\n", &v)
            .unwrap_err()
            .contains("program: hint"));
        assert!(render("t", "#% if a\n#% section s\n#% end\n", &v).is_err());
    }
}
