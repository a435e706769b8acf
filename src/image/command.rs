//! The builder command lines: `build` for docker, podman and buildah, and
//! the export of the image to an OCI archive (`push … oci-archive:` for
//! podman and buildah, `docker save` for docker), plus their display.

use std::path::Path;

use super::job::ImageJob;
use crate::config::image::Builder;

/// One builder invocation: `program args…`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The builder.
    pub builder: Builder,
    /// Its arguments.
    pub args: Vec<String>,
}

impl Step {
    /// The command as people read it: the builder's name and shell-quoted arguments.
    pub fn display(&self) -> String {
        crate::engine::describe(self.builder.name(), &self.args)
    }
}

/// The global flags buildah and podman take before the subcommand.
fn global(job: &ImageJob, builder: Builder) -> Vec<String> {
    crate::engine::global_flags(builder, job.storage_driver.as_deref())
}

/// `BUILDER build …` for `job`; `iidfile` receives the image id.
pub fn build(job: &ImageJob, builder: Builder, iidfile: Option<&Path>) -> Step {
    let mut args = global(job, builder);
    args.push("build".into());
    if let (Some(isolation), Builder::Buildah | Builder::Podman) = (&job.isolation, builder) {
        args.extend(["--isolation".into(), isolation.clone()]);
    }
    args.extend(["-f".into(), job.file.clone()]);
    for tag in &job.tags {
        args.extend(["-t".into(), tag.clone()]);
    }
    for (name, value) in &job.build_args {
        args.extend(["--build-arg".into(), format!("{name}={value}")]);
    }
    if let Some(target) = &job.target {
        args.extend(["--target".into(), target.clone()]);
    }
    if let Some(platform) = &job.platform {
        args.extend(["--platform".into(), platform.clone()]);
    }
    for (name, value) in &job.labels {
        args.extend(["--label".into(), format!("{name}={value}")]);
    }
    if let Some(file) = iidfile {
        args.extend(["--iidfile".into(), file.display().to_string()]);
    }
    args.push(job.context.clone());
    Step { builder, args }
}

/// The export of the first tag to `job.output` as an OCI archive, if wanted;
/// `digestfile` receives the manifest digest (podman and buildah only).
pub fn export(job: &ImageJob, builder: Builder, digestfile: Option<&Path>) -> Option<Step> {
    let output = job.output.as_ref()?;
    let tag = job.tags.first()?;
    let mut args = global(job, builder);
    match builder {
        Builder::Docker => args.extend(["save".into(), "-o".into(), output.clone(), tag.clone()]),
        Builder::Buildah | Builder::Podman => {
            args.push("push".into());
            if let Some(file) = digestfile {
                args.extend(["--digestfile".into(), file.display().to_string()]);
            }
            args.extend([tag.clone(), format!("oci-archive:{output}:{tag}")]);
        }
    }
    Some(Step { builder, args })
}

/// What `--dry-run`, the live line and the plan show: a one-line summary,
/// then the builder commands (without gantry's temporary id files), or why
/// there is no builder.
pub fn describe(job: &ImageJob) -> String {
    let mut text = format!("build {} → {}", job.file, job.tags.join(" "));
    if let Some(output) = &job.output {
        text.push_str(&format!(" (archive {output})"));
    }
    match &job.builder {
        Ok(chosen) => {
            text.push('\n');
            text.push_str(&build(job, chosen.builder, None).display());
            if let Some(step) = export(job, chosen.builder, None) {
                text.push('\n');
                text.push_str(&step.display());
            }
        }
        Err(why) => text.push_str(&format!("\n# fails: {why}")),
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::detect::Chosen;

    fn job(builder: Builder) -> ImageJob {
        ImageJob {
            builder: Ok(Chosen {
                builder,
                program: builder.name().into(),
                why: "test".into(),
            }),
            context: ".".into(),
            file: "Dockerfile".into(),
            tags: vec!["app:1".into(), "app:latest".into()],
            build_args: vec![("V".into(), "1 2".into())],
            target: Some("prod".into()),
            platform: None,
            labels: vec![("a".into(), "b".into())],
            output: Some("out/app.tar".into()),
            storage_driver: Some("vfs".into()),
            isolation: Some("chroot".into()),
        }
    }

    #[test]
    fn buildah_gets_storage_flags_and_pushes_to_an_archive() {
        let j = job(Builder::Buildah);
        assert_eq!(
            build(&j, Builder::Buildah, Some(Path::new("/t/iid"))).display(),
            "buildah --storage-driver vfs build --isolation chroot -f Dockerfile -t app:1 \
             -t app:latest --build-arg 'V=1 2' --target prod --label a=b --iidfile /t/iid ."
        );
        assert_eq!(
            export(&j, Builder::Buildah, Some(Path::new("/t/d")))
                .map(|s| s.display())
                .as_deref(),
            Some("buildah --storage-driver vfs push --digestfile /t/d app:1 oci-archive:out/app.tar:app:1")
        );
    }

    #[test]
    fn docker_gets_no_storage_flags_and_saves() {
        let j = job(Builder::Docker);
        let shown = describe(&j);
        let lines: Vec<_> = shown.lines().collect();
        assert_eq!(
            lines[0],
            "build Dockerfile → app:1 app:latest (archive out/app.tar)"
        );
        assert!(
            lines[1].starts_with("docker build -f Dockerfile -t app:1"),
            "{shown}"
        );
        assert!(
            !shown.contains("--isolation") && !shown.contains("vfs"),
            "{shown}"
        );
        assert_eq!(lines[2], "docker save -o out/app.tar app:1");
    }

    #[test]
    fn quoting_keeps_odd_arguments_whole() {
        let quote = crate::text::shell_quote;
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("a=b"), "a=b");
    }
}
