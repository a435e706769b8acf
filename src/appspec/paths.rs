//! Path rules shared by `files` and `hooks`: sources and script locations are
//! relative to the revision root and must stay inside it (rules 14, 16, 44);
//! destinations are absolute for the OS (rule 17).

use super::model::Os;

/// `path` as a normalised relative path inside the revision (`""` = the root),
/// or `None` when it climbs out of the revision. A leading `/` is ignored, as
/// the agent joins it onto the revision directory (rule 14); on Windows `\`
/// is a separator too.
pub fn inside_revision(path: &str, os: Os) -> Option<String> {
    let path = match os {
        Os::Windows => path.replace('\\', "/"),
        Os::Linux => path.to_string(),
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            name => parts.push(name),
        }
    }
    Some(parts.join("/"))
}

/// Whether `destination` is a fully qualified path for `os` (rule 17):
/// `/…` on Linux, `C:\…` or `C:/…` on Windows.
pub fn is_absolute_destination(destination: &str, os: Os) -> bool {
    match os {
        Os::Linux => destination.starts_with('/'),
        Os::Windows => {
            let b = destination.as_bytes();
            b.len() >= 3
                && b[0].is_ascii_alphabetic()
                && b[1] == b':'
                && matches!(b[2], b'\\' | b'/')
        }
    }
}

/// `destination` with `\` read as `/` (Windows), trailing separators and
/// `.` parts removed, for comparing targets (rule 19).
pub fn normalise_destination(destination: &str, os: Os) -> String {
    let d = match os {
        Os::Windows => destination.replace('\\', "/").to_ascii_lowercase(),
        Os::Linux => destination.to_string(),
    };
    let parts: Vec<&str> = d
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let prefix = if d.starts_with('/') { "/" } else { "" };
    format!("{prefix}{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_stay_inside() {
        assert_eq!(
            inside_revision("/index.html", Os::Linux).as_deref(),
            Some("index.html")
        );
        assert_eq!(inside_revision("/", Os::Linux).as_deref(), Some(""));
        assert_eq!(
            inside_revision("a/./b/../c", Os::Linux).as_deref(),
            Some("a/c")
        );
        assert_eq!(inside_revision("../x", Os::Linux), None);
        assert_eq!(inside_revision("a/../../x", Os::Linux), None);
        assert_eq!(
            inside_revision("\\index.html", Os::Windows).as_deref(),
            Some("index.html")
        );
    }

    #[test]
    fn destinations_are_absolute_per_os() {
        assert!(is_absolute_destination("/var/www", Os::Linux));
        assert!(!is_absolute_destination("var/www", Os::Linux));
        assert!(is_absolute_destination("C:\\inetpub\\wwwroot", Os::Windows));
        assert!(!is_absolute_destination("/var/www", Os::Windows));
        assert_eq!(normalise_destination("/var/www/", Os::Linux), "/var/www");
    }
}
