//! The `approval:` and `uses:` action kinds: exactly one kind per action,
//! a message for a gate, a usable name and inputs for a custom action.

use serde_saphyr::Spanned;

use super::{span, Checker};
use crate::config::model::{ActionKind, EnvVar};
use crate::config::raw::{EnvMap, RawAction};
use crate::diagnostics::Span;

impl Checker<'_> {
    /// Errors for `approval:`, `uses:`, `with:` on a stage with `actions:`.
    pub(super) fn stage_with_actions_has_no_gate(
        &mut self,
        approval: &Option<Spanned<String>>,
        uses: &Option<Spanned<String>>,
        with: &Option<Spanned<EnvMap>>,
    ) {
        let hint = "a stage has either `actions:` or the keys of a single action";
        if let Some(a) = approval {
            self.error(
                "C060",
                span(a),
                "`approval:` next to `actions:`".into(),
                hint,
            );
        }
        if let Some(u) = uses {
            self.error("C060", span(u), "`uses:` next to `actions:`".into(), hint);
        }
        if let Some(w) = with {
            self.error("C060", span(w), "`with:` next to `actions:`".into(), hint);
        }
    }

    /// The `approval:` and `uses:` kinds; `None` when the action has neither.
    pub(super) fn gate_or_custom_kind(&mut self, raw: &RawAction) -> Option<ActionKind> {
        if let (Some(with), None) = (&raw.with, &raw.uses) {
            self.error(
                "C062",
                span(with),
                "`with:` without `uses:`".into(),
                "`with:` passes inputs to a custom action: add `uses: NAME`, or remove `with:`",
            );
        }
        let kinds = [
            ("run", raw.run.as_ref().map(span)),
            ("script", raw.script.as_ref().map(span)),
            ("approval", raw.approval.as_ref().map(span)),
            ("uses", raw.uses.as_ref().map(span)),
        ];
        let given: Vec<(&str, Span)> = kinds
            .iter()
            .filter_map(|(k, s)| s.map(|s| (*k, s)))
            .collect();
        if raw.approval.is_none() && raw.uses.is_none() {
            return None;
        }
        if given.len() > 1 {
            self.error(
                "C060",
                given[1].1,
                format!(
                    "action `{}` has both `{}:` and `{}:`",
                    raw.name.value, given[0].0, given[1].0
                ),
                "an action does one thing: keep one of `run:`, `script:`, `approval:`, `uses:`",
            );
            return Some(ActionKind::Script { lines: Vec::new() });
        }
        Some(match (&raw.approval, &raw.uses) {
            (Some(message), _) => self.approval_kind(message),
            (_, Some(uses)) => self.custom_kind(uses, raw.with.as_ref()),
            (None, None) => ActionKind::Script { lines: Vec::new() },
        })
    }

    fn approval_kind(&mut self, message: &Spanned<String>) -> ActionKind {
        if message.value.trim().is_empty() {
            self.error(
                "C063",
                span(message),
                "`approval:` needs a message".into(),
                "write the question to ask, e.g. `approval: Deploy to prod?`",
            );
        }
        self.check_vars(&message.value, span(message));
        ActionKind::Approval {
            message: message.value.clone(),
            span: span(message),
        }
    }

    fn custom_kind(
        &mut self,
        uses: &Spanned<String>,
        with: Option<&Spanned<EnvMap>>,
    ) -> ActionKind {
        let name = &uses.value;
        let valid = !name.is_empty()
            && !name.chars().any(|c| c.is_whitespace() || c.is_control())
            && (name.contains('/')
                || name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)));
        if !valid {
            self.error(
                "C061",
                span(uses),
                format!("invalid custom action `{name}`"),
                "write `uses: NAME` to run `gantry-action-NAME` from PATH (letters, digits, `.`, `_`, `-`), or a path with a `/`, e.g. `uses: ./tools/notify`",
            );
        }
        let mut inputs = Vec::new();
        for (key, value) in with.map(|w| w.value.0.as_slice()).unwrap_or_default() {
            let k = &key.value;
            if k.is_empty() || k.chars().any(|c| c.is_whitespace() || c.is_control()) {
                self.error(
                    "C062",
                    span(key),
                    format!("invalid input name `{k}`"),
                    "input names are words without spaces, e.g. `channel`",
                );
            }
            self.check_vars(&value.value.0, span(value));
            inputs.push(EnvVar {
                name: k.clone(),
                value: value.value.0.clone(),
                span: span(value),
            });
        }
        ActionKind::Custom {
            uses: name.clone(),
            span: span(uses),
            with: inputs,
        }
    }
}
