//! How the run is going, for clean-up actions: `GANTRY_PIPELINE_STATUS`
//! (`passed`, `failed` or `interrupted` so far) and `GANTRY_FAILED_ACTIONS`
//! (one `stage/action` per line; names may hold spaces and commas).

use crate::events::Status;

pub use crate::plan::{FAILED_ACTIONS as FAILED, PIPELINE_STATUS as STATUS};

/// Both variables for an action starting now, given the failures so far
/// (as [`super::outputs::Produced::failures`] lists them) and whether the
/// run was interrupted.
pub fn variables(failures: &[(String, Status)], interrupted: bool) -> [(String, String); 2] {
    let status = if interrupted || failures.iter().any(|(_, s)| *s == Status::Interrupted) {
        "interrupted"
    } else if failures.is_empty() {
        "passed"
    } else {
        "failed"
    };
    let failed: Vec<&str> = failures.iter().map(|(name, _)| name.as_str()).collect();
    [
        (STATUS.to_string(), status.to_string()),
        (FAILED.to_string(), failed.join("\n")),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_follows_the_worst_so_far() {
        assert_eq!(variables(&[], false)[0].1, "passed");
        assert_eq!(variables(&[], false)[1].1, "");
        let failed = [
            ("build/lint".to_string(), Status::Failed),
            ("test/unit (a, b)".to_string(), Status::TimedOut),
        ];
        let vars = variables(&failed, false);
        assert_eq!(vars[0].1, "failed");
        assert_eq!(vars[1].1, "build/lint\ntest/unit (a, b)");
        assert_eq!(variables(&failed, true)[0].1, "interrupted");
        let stopped = [("a/b".to_string(), Status::Interrupted)];
        assert_eq!(variables(&stopped, false)[0].1, "interrupted");
    }
}
