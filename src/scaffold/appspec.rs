//! `gantry init --appspec`: an EC2/On-Premises `appspec.yml` and the hook
//! scripts it names, from `templates/appspec/`.

use super::template::{self, Vars};

/// The hook scripts: path in the revision, template name and text.
const SCRIPTS: [(&str, &str, &str); 4] = [
    (
        "scripts/stop_server.sh",
        "appspec/stop_server.sh",
        include_str!("../../templates/appspec/stop_server.sh"),
    ),
    (
        "scripts/install_dependencies.sh",
        "appspec/install_dependencies.sh",
        include_str!("../../templates/appspec/install_dependencies.sh"),
    ),
    (
        "scripts/start_server.sh",
        "appspec/start_server.sh",
        include_str!("../../templates/appspec/start_server.sh"),
    ),
    (
        "scripts/validate_service.sh",
        "appspec/validate_service.sh",
        include_str!("../../templates/appspec/validate_service.sh"),
    ),
];

const APPSPEC: &str = include_str!("../../templates/appspec/appspec.yml");

/// A file of the revision: path relative to the root, text, mode.
pub type RevisionFile = (String, String, u32);

/// The paths `--appspec` writes, relative to the root.
pub fn paths() -> Vec<&'static str> {
    std::iter::once("appspec.yml")
        .chain(SCRIPTS.iter().map(|(path, _, _)| *path))
        .collect()
}

/// `appspec.yml` and the scripts, for an application called `name` (which
/// names `/opt/NAME` on the instance), checked with the AppSpec rules.
pub fn render(name: &str) -> Result<Vec<RevisionFile>, String> {
    let mut vars = Vars::new();
    vars.insert("name".into(), name.to_string());
    let text = |file: &str, body: &str| -> Result<String, String> {
        let rendered = template::render(file, body, &vars)?;
        Ok(rendered.sections.into_iter().map(|s| s.text).collect())
    };
    let appspec = text("appspec/appspec.yml", APPSPEC)?;
    let report = crate::appspec::check_bytes(
        std::path::Path::new("appspec.yml"),
        appspec.as_bytes(),
        None,
        None,
    );
    if let Some(first) = report.diagnostics.first() {
        return Err(format!(
            "the generated appspec.yml has a finding: [{}] {}",
            first.code, first.message
        ));
    }
    let mut files = vec![("appspec.yml".to_string(), appspec, 0o644)];
    for (path, file, body) in SCRIPTS {
        files.push((path.to_string(), text(file, body)?, 0o755));
    }
    Ok(files)
}
