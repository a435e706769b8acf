//! `container:` on the pipeline, in `defaults:`, on a stage or an action:
//! checked by `container::spec`, the innermost one kept. Only `run:` and
//! `script:` actions run in a container; the other kinds drive engines or
//! instances themselves and stay on the host.

use serde_saphyr::Spanned;

use super::{span, ActionDefaults, Checker};
use crate::config::container::{self as spec, ContainerSpec, RawContainer};
use crate::config::model::ActionKind;
use crate::config::raw::RawAction;

impl Checker<'_> {
    /// A `container:` value, checked; `None` when absent or unusable.
    pub(super) fn container(
        &mut self,
        raw: &Option<Spanned<RawContainer>>,
    ) -> Option<ContainerSpec> {
        let raw = raw.as_ref()?;
        let (found, problems) = spec::check(raw);
        let file = self.file;
        self.diagnostics
            .extend(problems.into_iter().map(|p| p.diagnostic(file)));
        let found = found?;
        for (text, at) in found.texts() {
            self.check_vars(text, *at);
        }
        Some(found)
    }

    /// The pipeline-wide container: top-level `container:` or
    /// `defaults.container:` (not both).
    pub(super) fn top_container(
        &mut self,
        top: &Option<Spanned<RawContainer>>,
        defaults: Option<&crate::config::defaults::RawDefaults>,
    ) -> Option<ContainerSpec> {
        let in_defaults = defaults.and_then(|d| d.container.as_ref());
        if let (Some(_), Some(second)) = (top, in_defaults) {
            self.error(
                spec::C_SHAPE,
                span(second),
                "`container:` is set both at the top level and in `defaults:`".into(),
                "keep one of them: both mean \"every action's container unless its stage or itself sets one\"",
            );
        }
        match top {
            Some(_) => self.container(top),
            None => defaults.and_then(|d| self.container(&d.container)),
        }
    }

    /// The action's container: its own, else its stage's or the pipeline's.
    /// An action kind that runs on the host refuses one of its own and
    /// ignores an inherited one.
    pub(super) fn action_container(
        &mut self,
        raw: &RawAction,
        kind: &ActionKind,
        defaults: &ActionDefaults,
    ) -> Option<ContainerSpec> {
        let in_container = matches!(kind, ActionKind::Run { .. } | ActionKind::Script { .. });
        let own = self.container(&raw.container);
        if let (Some(at), false) = (&raw.container, in_container) {
            let what = match kind {
                ActionKind::Image(_) => "an `image:` action",
                ActionKind::Deploy(_) => "a `deploy:` action",
                ActionKind::Approval { .. } => "an approval",
                _ => "a `uses:` action",
            };
            self.error(
                spec::C_SHAPE,
                span(at),
                format!("`container:` on {what}, which runs on the host"),
                "only `run:` and `script:` commands run in a container; image builds, \
                 deployments, approvals and custom actions drive engines or instances themselves",
            );
            return None;
        }
        if !in_container {
            return None;
        }
        own.or_else(|| defaults.container.clone())
    }
}
