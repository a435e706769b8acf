//! Recognising "command not found": a shell that cannot find a program exits
//! 127 and prints a line naming it, worded differently by each shell. The
//! program's name lets the failure say how to install it.

/// The program a shell's "not found" line names, e.g. `cargo` from
/// `sh: 1: cargo: not found` (dash), `bash: line 1: cargo: command not found`
/// (bash) or `zsh: command not found: cargo`.
pub fn missing_program(line: &str) -> Option<String> {
    let line = line.trim();
    let program = if let Some(rest) = line.split_once("command not found: ") {
        rest.1
    } else {
        let head = line
            .strip_suffix(": command not found")
            .or_else(|| line.strip_suffix(": not found"))?;
        // What comes before is the shell's own prefix (`sh: 1`, `bash: line 3`).
        let (prefix, program) = head.rsplit_once(": ")?;
        if prefix.is_empty() {
            return None;
        }
        program
    };
    let program = program.trim();
    let plausible = !program.is_empty() && !program.contains(char::is_whitespace);
    plausible.then(|| program.to_string())
}

/// The reason added to exit code 127: which program is missing and how to
/// install it (the hint `gantry init` gives, when it knows the program).
pub fn reason(program: &str) -> String {
    match crate::scaffold::tools::install_hint(program) {
        Some(hint) => format!("`{program}` is not installed or not on PATH: {hint}"),
        None => {
            format!("`{program}` is not installed or not on PATH: install it, or fix the command")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_program_from_every_shell() {
        for line in [
            "sh: 1: cargo: not found",
            "/bin/sh: 1: cargo: not found",
            "bash: cargo: command not found",
            "bash: line 1: cargo: command not found",
            "zsh: command not found: cargo",
            "sh: cargo: not found",
        ] {
            assert_eq!(missing_program(line).as_deref(), Some("cargo"), "{line}");
        }
        assert_eq!(missing_program("test result: file not found"), None);
        assert_eq!(missing_program("error: not found"), None);
    }

    #[test]
    fn known_programs_get_the_init_hint() {
        assert!(reason("cargo").contains("rustup"), "{}", reason("cargo"));
        assert!(reason("gantry-no-such-tool").contains("not installed"));
    }
}
