//! The builder command lines of an image action, through the engine's own
//! ([`Engine::build`], [`Engine::export_archive`]): the build, the export of
//! the image to an OCI archive, and what the plan shows of them.

use std::path::Path;

use super::job::ImageJob;
use crate::engine::{BuildOptions, Engine, EngineCommand};

/// `BUILDER build …` for `job`; `iidfile` receives the image id.
pub fn build(job: &ImageJob, engine: &Engine, iidfile: Option<&Path>) -> EngineCommand {
    engine.build(&BuildOptions {
        iidfile: iidfile.map(Path::to_path_buf),
        ..job.build.clone()
    })
}

/// The export of the first tag to `job.output` as an OCI archive, if wanted;
/// `digestfile` receives the manifest digest (podman and buildah only).
pub fn export(job: &ImageJob, engine: &Engine, digestfile: Option<&Path>) -> Option<EngineCommand> {
    let output = job.output.as_ref()?;
    let tag = job.build.tags.first()?;
    Some(engine.export_archive(tag, output, digestfile))
}

/// What `--dry-run`, the live line and the plan show: a one-line summary,
/// then the builder commands (without gantry's temporary id files), or why
/// there is no builder.
pub fn describe(job: &ImageJob) -> String {
    let mut text = format!("build {} → {}", job.build.file, job.build.tags.join(" "));
    if let Some(output) = &job.output {
        text.push_str(&format!(" (archive {output})"));
    }
    match &job.engine {
        Ok(engine) => {
            text.push('\n');
            text.push_str(&build(job, engine, None).display());
            if let Some(step) = export(job, engine, None) {
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
    use crate::config::image::Builder;
    use crate::engine::detect::Chosen;

    fn job(builder: Builder) -> ImageJob {
        let chosen = Chosen {
            builder,
            program: builder.name().into(),
            why: "test".into(),
        };
        ImageJob {
            engine: Ok(Engine::from_chosen(
                chosen,
                Some("vfs".into()),
                Some("chroot".into()),
            )),
            build: BuildOptions {
                context: ".".into(),
                file: "Dockerfile".into(),
                tags: vec!["app:1".into(), "app:latest".into()],
                build_args: vec![("V".into(), "1 2".into())],
                target: Some("prod".into()),
                labels: vec![("a".into(), "b".into())],
                ..Default::default()
            },
            output: Some("out/app.tar".into()),
        }
    }

    fn engine(job: &ImageJob) -> &Engine {
        job.engine.as_ref().expect("an engine")
    }

    #[test]
    fn buildah_gets_storage_flags_and_pushes_to_an_archive() {
        let j = job(Builder::Buildah);
        assert_eq!(
            build(&j, engine(&j), Some(Path::new("/t/iid"))).display(),
            "buildah --storage-driver vfs build --isolation chroot -f Dockerfile -t app:1 \
             -t app:latest --build-arg 'V=1 2' --target prod --label a=b --iidfile /t/iid ."
        );
        assert_eq!(
            export(&j, engine(&j), Some(Path::new("/t/d")))
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
