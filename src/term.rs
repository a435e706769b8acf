//! The one place that decides colour and whether a stream is a terminal.

use std::io::IsTerminal;

use clap::ValueEnum;

/// Applies `--color`, `NO_COLOR` and `CLICOLOR_FORCE` to stdout and stderr.
///
/// `--color always|never` wins; with `auto`, `NO_COLOR` (any non-empty value)
/// turns colour off, `CLICOLOR_FORCE` (non-empty, not `0`) turns it on, and
/// otherwise each stream is coloured when it is a terminal.
pub fn setup_colors(choice: ColorChoice) {
    let forced = match choice {
        ColorChoice::Always => Some(true),
        ColorChoice::Never => Some(false),
        ColorChoice::Auto if env_set("NO_COLOR") => Some(false),
        ColorChoice::Auto if env_set("CLICOLOR_FORCE") => Some(true),
        ColorChoice::Auto => None,
    };
    console::set_colors_enabled(forced.unwrap_or_else(stdout_is_tty));
    console::set_colors_enabled_stderr(forced.unwrap_or_else(stderr_is_tty));
}

fn env_set(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0")
}

/// Whether stdout is a terminal.
pub fn stdout_is_tty() -> bool {
    std::io::stdout().is_terminal()
}

/// Whether stdin is a terminal (someone could answer a question).
pub fn stdin_is_tty() -> bool {
    std::io::stdin().is_terminal()
}

/// Whether stderr is a terminal.
pub fn stderr_is_tty() -> bool {
    std::io::stderr().is_terminal()
}

/// The controlling terminal's device.
pub const TTY: &str = "/dev/tty";

/// Whether this process has a controlling terminal to ask on.
pub fn has_controlling_terminal() -> bool {
    open_controlling_terminal().is_ok()
}

/// The controlling terminal, for reading and writing.
pub fn open_controlling_terminal() -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new().read(true).write(true).open(TTY)
}

/// When to colour output. (Plain comments on the variants keep
/// `gantry --help` to one line per option.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    // Colour when writing to a terminal, unless NO_COLOR is set.
    #[allow(missing_docs)]
    Auto,
    // Always colour.
    #[allow(missing_docs)]
    Always,
    // Never colour.
    #[allow(missing_docs)]
    Never,
}
