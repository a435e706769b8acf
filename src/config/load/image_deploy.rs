//! The `image:` and `deploy:` action kinds: exactly one kind per action,
//! the kind's own checks delegated to `config::image::check` and `config::deploy`.

use serde_saphyr::Spanned;

use super::{span, Checker};
use crate::config::image::RawImage;
use crate::config::model::ActionKind;
use crate::config::raw::RawAction;

impl Checker<'_> {
    /// `image:` on a stage that has `actions:` is an error.
    pub(super) fn no_image_next_to_actions(&mut self, image: Option<&Spanned<RawImage>>) {
        if let Some(image) = image {
            self.error(
                "C007",
                span(image),
                "`image:` next to `actions:`".into(),
                "a stage has either `actions:` or the `image:` of a single action",
            );
        }
    }

    /// An `image:` action: the only kind on its action, checked by `config::image`.
    pub(super) fn image_kind(&mut self, raw: &RawAction, image: &Spanned<RawImage>) -> ActionKind {
        let others = [
            ("run", raw.run.as_ref().map(span)),
            ("script", raw.script.as_ref().map(span)),
            ("approval", raw.approval.as_ref().map(span)),
            ("uses", raw.uses.as_ref().map(span)),
            ("deploy", raw.deploy.as_ref().map(span)),
        ];
        for (key, at) in others {
            if let Some(at) = at {
                self.error(
                    "C007",
                    at,
                    format!("action `{}` has both `{key}:` and `image:`", raw.name.value),
                    "keep one kind per action: `run:`, `script:`, `image:`, `approval:` or `uses:`",
                );
            }
        }
        let (spec, problems) = crate::config::image::check(image);
        let file = self.file;
        self.diagnostics
            .extend(problems.into_iter().map(|p| p.diagnostic(file)));
        for (text, at) in spec.texts() {
            self.check_vars(text, *at);
        }
        ActionKind::Image(Box::new(spec))
    }

    /// A `deploy:` action: no `run`/`script` beside it, paths with known variables.
    pub(super) fn deploy_kind(
        &mut self,
        raw: &RawAction,
        deploy: &Spanned<crate::config::deploy::RawDeploy>,
    ) -> ActionKind {
        if raw.run.is_some() || raw.script.is_some() || raw.approval.is_some() || raw.uses.is_some()
        {
            self.error(
                "C007",
                span(deploy),
                format!(
                    "action `{}` has `deploy:` and `run:`/`script:`/`approval:`/`uses:`",
                    raw.name.value
                ),
                "an action does one thing: keep `deploy:`, and move the command to an action of its own",
            );
        }
        let (action, mut found) = crate::config::deploy::action(self.file, deploy);
        self.diagnostics.append(&mut found);
        for (text, at) in action.revision.iter().chain(&action.appspec) {
            self.check_vars(text, *at);
        }
        ActionKind::Deploy(action)
    }
}
