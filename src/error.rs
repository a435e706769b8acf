//! Errors that decide gantry's exit code.
//!
//! 0 success, 1 pipeline or validation failure, 2 usage or config error,
//! 130 interrupted. A config that cannot be loaded is a
//! `diagnostics::ConfigError` (exit code 2), next to the diagnostics it
//! carries.

/// Exit code of a successful command.
pub const EXIT_OK: u8 = 0;
/// Exit code when the pipeline failed or validation found errors.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code for usage and config errors.
pub const EXIT_USAGE: u8 = 2;
/// Exit code when the run was interrupted (Ctrl-C, SIGTERM).
pub const EXIT_INTERRUPTED: u8 = 130;

/// A mistake in how gantry was called (exit code 2), e.g. an unknown stage name.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// `n thing` or `n things`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}
