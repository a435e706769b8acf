//! A tiny web app's core: the greeting it serves.

/// The greeting for `name`; an empty name greets the world.
pub fn greeting(name: &str) -> String {
    let name = name.trim();
    if name.is_empty() {
        "Hello, world!".to_string()
    } else {
        format!("Hello, {name}!")
    }
}

#[cfg(test)]
mod tests {
    use super::greeting;

    #[test]
    fn greets_by_name() {
        assert_eq!(greeting("gantry"), "Hello, gantry!");
    }

    #[test]
    fn greets_the_world_when_nameless() {
        assert_eq!(greeting("  "), "Hello, world!");
    }
}
