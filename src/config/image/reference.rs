//! Image references as tags: `[HOST[:PORT]/]PATH[:TAG]`, checked the way
//! docker, podman and buildah parse them, so that a bad tag is a located
//! config error rather than a builder failure halfway through a run.

const MAX_TAG: usize = 128;

/// Checks `reference` (e.g. `registry:5000/team/app:1.2`) and says what is
/// wrong with it.
pub fn check_tag(reference: &str) -> Result<(), String> {
    if reference.is_empty() {
        return Err("it is empty".into());
    }
    if reference.contains('@') {
        return Err("a digest (`@sha256:…`) cannot be given to a build".into());
    }
    let (name, tag) = split_tag(reference);
    if let Some(tag) = tag {
        check_tag_part(tag)?;
    }
    let mut components: Vec<&str> = name.split('/').collect();
    if components.len() > 1 && is_host(components[0]) {
        check_host(components[0])?;
        components.remove(0);
    }
    components.into_iter().try_for_each(check_component)
}

/// `name` and the tag after the last `:` that follows the last `/`.
fn split_tag(reference: &str) -> (&str, Option<&str>) {
    let slash = reference.rfind('/').map_or(0, |i| i + 1);
    match reference[slash..].rfind(':') {
        Some(i) => (&reference[..slash + i], Some(&reference[slash + i + 1..])),
        None => (reference, None),
    }
}

fn check_tag_part(tag: &str) -> Result<(), String> {
    let valid = !tag.is_empty()
        && tag.len() <= MAX_TAG
        && !tag.starts_with(['.', '-'])
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    if valid {
        Ok(())
    } else if tag.is_empty() {
        Err("the tag after `:` is empty (a variable with no value?)".into())
    } else {
        Err(format!("`{tag}` is not a valid tag"))
    }
}

/// A first component is a registry host when it looks like one.
fn is_host(component: &str) -> bool {
    component.contains(['.', ':']) || component == "localhost"
}

fn check_host(host: &str) -> Result<(), String> {
    let valid = host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || ".-:".contains(c))
        && !host.starts_with(['.', '-', ':']);
    if valid {
        Ok(())
    } else {
        Err(format!("`{host}` is not a valid registry host"))
    }
}

fn check_component(part: &str) -> Result<(), String> {
    if part.is_empty() {
        return Err("the name has an empty part".into());
    }
    if part.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(format!(
            "`{part}` has uppercase letters; names are lowercase"
        ));
    }
    let allowed = part
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    let edges = |c: char| c.is_ascii_alphanumeric();
    let ends_ok = part.starts_with(edges) && part.ends_with(edges);
    if allowed && ends_ok {
        Ok(())
    } else {
        Err(format!(
            "`{part}` may only hold lowercase letters, digits and `._-` between letters or digits"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::check_tag;

    #[test]
    fn accepts_usual_references() {
        for ok in [
            "app",
            "webapp:abc1234",
            "team/app:1.2.3",
            "localhost/app:latest",
            "registry.example.com:5000/team/my_app-x:v1_2",
        ] {
            assert!(check_tag(ok).is_ok(), "{ok}: {:?}", check_tag(ok));
        }
    }

    #[test]
    fn rejects_bad_references_saying_why() {
        for (bad, says) in [
            ("", "empty"),
            ("App:1", "uppercase"),
            ("app:", "empty"),
            ("app:-x", "not a valid tag"),
            ("app@sha256:00", "digest"),
            ("a//b", "empty part"),
            ("my app", "lowercase letters"),
            ("-app", "between letters"),
        ] {
            let err = check_tag(bad).expect_err(bad);
            assert!(err.contains(says), "{bad}: {err}");
        }
    }
}
