//! `matrix:`, `max_parallel:` and `fail_fast:` on an action: one action per
//! cell, and `${matrix.NAME}` checked against the matrix's names.

use super::{span, ActionDefaults, Checker};
use crate::config::matrix::{self, Cell};
use crate::config::model::Action;
use crate::config::raw::RawAction;
use crate::diagnostics::Span;
use crate::vars;

const CODE: &str = "C070";

impl Checker<'_> {
    /// The action, or one action per cell of its `matrix:`.
    pub(super) fn action_or_cells(
        &mut self,
        mut raw: RawAction,
        defaults: &ActionDefaults,
    ) -> Vec<Action> {
        let max_parallel = raw.max_parallel.take();
        let fail_fast = raw.fail_fast.take();
        let Some(written) = raw.matrix.take() else {
            let stray = [
                ("max_parallel", max_parallel.as_ref().map(span)),
                ("fail_fast", fail_fast.as_ref().map(span)),
            ];
            for (key, at) in stray {
                if let Some(at) = at {
                    let message = format!("`{key}:` without `matrix:`");
                    self.error(
                        CODE,
                        at,
                        message,
                        "it applies to the cells of a `matrix:` action; add `matrix:` or remove it",
                    );
                }
            }
            return vec![self.action(raw, defaults)];
        };
        if let Some(m) = max_parallel.as_ref().filter(|m| m.value == 0) {
            let hint = "write 1 or more, or leave it out to run every cell at once";
            self.error(
                CODE,
                span(m),
                "`max_parallel:` must be at least 1".into(),
                hint,
            );
        }
        let m = &written.value;
        let mut keys: Vec<String> = m.axes.iter().map(|(k, _)| k.value.clone()).collect();
        for (k, _) in m.include.iter().flat_map(|e| &e.value.0) {
            if !keys.contains(&k.value) {
                keys.push(k.value.clone());
            }
        }
        self.matrix_keys = Some(keys.clone());
        let action = self.action(raw, defaults);
        self.matrix_keys = None;
        let combos = match matrix::expand(m, span(&written)) {
            Ok(combos) => combos,
            Err(problems) => {
                for p in problems {
                    self.error(CODE, p.span, p.message, p.hint);
                }
                return vec![action];
            }
        };
        combos
            .into_iter()
            .map(|values| {
                let cell = Cell {
                    base: action.name.clone(),
                    keys: keys.clone(),
                    values,
                    max_parallel: max_parallel.as_ref().map(|m| m.value),
                    fail_fast: fail_fast.as_ref().is_none_or(|f| f.value),
                };
                Action {
                    name: cell.name(),
                    matrix: Some(cell),
                    ..action.clone()
                }
            })
            .collect()
    }

    /// `${matrix.NAME}`: only in a `matrix:` action, and only its names.
    pub(super) fn check_matrix_vars(&mut self, text: &str, at: Span) {
        for r in vars::references(text) {
            let Some(name) = vars::matrix_reference(r.name) else {
                continue;
            };
            let here = at.narrowed_to(self.text, &format!("${{{}}}", r.name));
            match &self.matrix_keys {
                None => self.error(
                    CODE,
                    here,
                    format!("`${{{}}}` outside a matrix action", r.name),
                    "`${matrix.NAME}` is set only in an action with `matrix:` (write `$${` for a literal `${`)",
                ),
                Some(keys) if !keys.iter().any(|k| k == name) => {
                    let names: Vec<&str> = keys.iter().map(String::as_str).collect();
                    let known = format!("this matrix sets: {}", names.join(", "));
                    let typed = |close: &str| format!("${{matrix.{close}}}");
                    let hint = crate::suggest::hint(name, &names, typed, known);
                    self.error(
                        CODE,
                        here,
                        format!("unknown matrix variable `${{{}}}`", r.name),
                        &hint,
                    );
                }
                Some(_) => {}
            }
        }
    }
}
