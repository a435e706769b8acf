//! `gantry logs --follow`: prints a run's logs as its actions write them,
//! from another terminal, until the run ends. Works on the files in the
//! run's directory, so it needs no help from the running gantry.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::UsageError;
use crate::record;

/// How often the run's directory is looked at again.
const POLL: Duration = Duration::from_millis(50);

/// One log being followed.
struct Followed {
    key: String,
    file: File,
    /// Bytes read but not yet printed: the start of a line still being written.
    partial: Vec<u8>,
}

/// Follows run `id` (default: the newest, finished or not), only the
/// actions of `target` (`STAGE` or `STAGE/ACTION`) when given.
pub fn follow(root: &Path, id: Option<u64>, target: Option<&str>) -> anyhow::Result<u8> {
    let id = match id {
        Some(id) => id,
        None => *record::run_ids(root)
            .last()
            .ok_or_else(|| UsageError("no runs recorded yet".into()))?,
    };
    let dir = record::runs_dir(root).join(id.to_string());
    if !dir.is_dir() {
        return Err(UsageError(format!("no run {id} recorded (see `gantry history`)")).into());
    }
    let single = target.is_some_and(|t| t.contains('/'));
    let mut followed: Vec<Followed> = Vec::new();
    let mut out = std::io::stdout().lock();
    loop {
        // Decide before reading: whatever the run wrote before it ended is read below.
        let finished = finished(&dir);
        for (key, path) in logs(&dir, target) {
            if followed.iter().all(|f| f.key != key) {
                if let Ok(file) = crate::fsutil::open_regular(&path) {
                    followed.push(Followed {
                        key,
                        file,
                        partial: Vec::new(),
                    });
                }
            }
        }
        for log in &mut followed {
            print_new_lines(log, single, finished, &mut out)?;
        }
        out.flush()?;
        if finished {
            break;
        }
        std::thread::sleep(POLL);
    }
    if followed.is_empty() {
        if let Some(target) = target {
            return Err(UsageError(format!("run {id} has no action matching `{target}`")).into());
        }
    }
    Ok(0)
}

/// The newest run, when it is still in progress.
pub fn in_progress(root: &Path) -> Option<u64> {
    let id = *record::run_ids(root).last()?;
    let dir = record::runs_dir(root).join(id.to_string());
    (!finished(&dir) && !dir.join(record::SUMMARY_FILE).exists()).then_some(id)
}

/// Whether the run in `dir` is over: nobody holds its lock, and it either
/// wrote its summary or got as far as creating the lock (a directory
/// without one is a run just starting).
fn finished(dir: &Path) -> bool {
    !record::in_progress(dir)
        && (dir.join(record::SUMMARY_FILE).exists() || dir.join(record::LOCK_FILE).exists())
}

/// The run's logs as `stage/action` and path, those of `target` only.
fn logs(dir: &Path, target: Option<&str>) -> Vec<(String, PathBuf)> {
    let (stage, action) = match target.map(|t| t.split_once('/').unwrap_or((t, ""))) {
        Some((s, a)) => (Some(s), (!a.is_empty()).then_some(a)),
        None => (None, None),
    };
    let mut found: Vec<(std::time::SystemTime, String, PathBuf)> = Vec::new();
    for stage_dir in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let stage_name = stage_dir.file_name().to_string_lossy().to_string();
        if stage_name.starts_with('.') || stage.is_some_and(|s| s != stage_name) {
            continue;
        }
        for entry in std::fs::read_dir(stage_dir.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let file_name = entry.file_name().to_string_lossy().to_string();
            let Some(action_name) = file_name.strip_suffix(".log") else {
                continue;
            };
            if action.is_some_and(|a| !log_of(a, &file_name)) {
                continue;
            }
            let created = entry
                .metadata()
                .and_then(|m| m.modified())
                .unwrap_or(std::time::UNIX_EPOCH);
            found.push((created, format!("{stage_name}/{action_name}"), entry.path()));
        }
    }
    found.sort();
    found
        .into_iter()
        .map(|(_, key, path)| (key, path))
        .collect()
}

/// Whether the log file `file_name` is `action`'s, or one of its matrix
/// cells' (`test` follows `test (python=3.12)`), by the record's own naming.
fn log_of(action: &str, file_name: &str) -> bool {
    if file_name == record::log_file_name(action) {
        return true;
    }
    let stem = record::log_file_name(action);
    let stem = stem.strip_suffix(".log").unwrap_or(&stem);
    file_name
        .strip_prefix(stem)
        .is_some_and(|rest| rest.starts_with(" (") && rest.ends_with(").log"))
}

/// Prints the complete lines `log` gained since the last look, each
/// prefixed with its action unless only one action is followed; at the end
/// of the run, an unterminated last line too.
fn print_new_lines(
    log: &mut Followed,
    single: bool,
    at_end: bool,
    out: &mut impl Write,
) -> std::io::Result<()> {
    log.file.read_to_end(&mut log.partial)?;
    let complete = if at_end {
        log.partial.len()
    } else {
        log.partial
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1)
    };
    let text: Vec<u8> = log.partial.drain(..complete).collect();
    for line in text.split_inclusive(|b| *b == b'\n') {
        if !single {
            write!(out, "[{}] ", log.key)?;
        }
        out.write_all(line)?;
        if !line.ends_with(b"\n") {
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::log_of;

    #[test]
    fn logs_are_found_by_the_record_s_file_names_and_matrix_cells_by_their_action() {
        assert!(log_of("build", "build.log"));
        assert!(!log_of("build", "build-all.log"));
        assert!(log_of("test (os=debian/12)", "test (os=debian_12).log"));
        assert!(log_of("test", "test (os=debian_12).log"));
        assert!(!log_of("tes", "test (os=debian_12).log"));
    }
}
