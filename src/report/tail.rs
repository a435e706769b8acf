//! The lines of a failed action's log shown under it: the first lines that
//! look like the failure (a panic, `error:`, `FAILED`, an assertion and the
//! lines right after it) and the last lines, so that a long backtrace does
//! not push the assertion out of view. Reads at most a bounded part of the
//! file, whatever its size.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use crate::events::ActionResult;

/// How much of the end of the log is read for the last lines.
const WINDOW: u64 = 64 * 1024;
/// How much of the start of the log is searched for error-looking lines.
const SEARCH: u64 = 8 * 1024 * 1024;
/// At most this many error-looking lines (with their follow-up lines).
const MAX_ERROR_LINES: usize = 12;
/// Lines kept after an error-looking line (an assertion's `left:`/`right:`).
const FOLLOW_UP: usize = 4;
/// Shown between the error lines and the last lines when some were left out.
pub const GAP: &str = "⋮";

/// Up to `n` last lines of the file at `path`.
fn last_lines(path: &Path, n: usize) -> Vec<String> {
    let Ok(mut file) = crate::fsutil::open_regular(path) else {
        return Vec::new();
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let start = len.saturating_sub(WINDOW);
    if file.seek(SeekFrom::Start(start)).is_err() {
        return Vec::new();
    }
    let mut bytes = Vec::new();
    let _ = file.take(WINDOW).read_to_end(&mut bytes);
    let text = String::from_utf8_lossy(&bytes);
    let mut lines: Vec<&str> = text.lines().collect();
    if start > 0 && !lines.is_empty() {
        lines.remove(0); // probably cut in the middle
    }
    let skip = lines.len().saturating_sub(n);
    lines[skip..].iter().map(|l| l.replace('\r', "")).collect()
}

/// The lines shown under the failed action `result`: those the
/// [`super::FanOut`] read once for every reporter, else read from `log`
/// now (a summary that did not come through a `FanOut`).
pub fn of_failure<'a>(result: &'a ActionResult, log: &Path) -> Cow<'a, [String]> {
    match &result.failure_tail {
        Some(lines) => Cow::Borrowed(lines),
        None => Cow::Owned(failure_lines(log, super::FAILURE_TAIL_LINES)),
    }
}

/// What to show under a failed action: the first error-looking lines of the
/// log, [`GAP`] when lines were left out, then up to `n` last lines.
pub fn failure_lines(path: &Path, n: usize) -> Vec<String> {
    let Ok(file) = crate::fsutil::open_regular(path) else {
        return Vec::new();
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut scan = Scan::new(n);
    for line in BufReader::new(file.take(SEARCH)).split(b'\n') {
        let Ok(line) = line else { break };
        scan.line(String::from_utf8_lossy(&line).replace('\r', ""));
    }
    let (picked, gap, last): (Vec<(usize, String)>, bool, Vec<String>) = if len <= SEARCH {
        // The whole log was scanned: lines are known by position.
        let tail_start = scan.last.front().map_or(scan.count, |(i, _)| *i);
        let picked: Vec<_> = scan
            .picked
            .into_iter()
            .filter(|(i, _)| *i < tail_start)
            .collect();
        let gap = picked.last().is_some_and(|(i, _)| i + 1 < tail_start);
        (picked, gap, scan.last.into_iter().map(|(_, l)| l).collect())
    } else {
        let last = last_lines(path, n);
        let picked = scan.picked.into_iter().filter(|(_, l)| !last.contains(l));
        (picked.collect(), true, last)
    };
    let mut shown: Vec<String> = picked.into_iter().map(|(_, l)| l).collect();
    if gap && !shown.is_empty() {
        shown.push(GAP.into());
    }
    shown.extend(last);
    shown
}

/// One pass over the log keeping only what may be shown: the first
/// error-looking lines with the lines that explain them (up to
/// [`MAX_ERROR_LINES`]) and the last `n` lines, each with its index.
struct Scan {
    n: usize,
    count: usize,
    following: usize,
    picked: Vec<(usize, String)>,
    last: VecDeque<(usize, String)>,
}

impl Scan {
    fn new(n: usize) -> Self {
        Scan {
            n,
            count: 0,
            following: 0,
            picked: Vec::new(),
            last: VecDeque::with_capacity(n + 1),
        }
    }

    fn line(&mut self, line: String) {
        let index = self.count;
        self.count += 1;
        if self.picked.len() < MAX_ERROR_LINES {
            if self.following > 0 && explains(&line) {
                self.picked.push((index, line.clone()));
                self.following -= 1;
            } else if looks_like_error(&line) {
                self.picked.push((index, line.clone()));
                self.following = FOLLOW_UP;
            } else {
                self.following = 0;
            }
        }
        self.last.push_back((index, line));
        if self.last.len() > self.n {
            self.last.pop_front();
        }
    }
}

/// Whether a line reads like the failure itself.
pub fn looks_like_error(line: &str) -> bool {
    let t = line.trim_start();
    const STARTS: &[&str] = &[
        "error:",
        "error[",
        "Error:",
        "ERROR",
        "FAIL",
        "fatal:",
        "Traceback (most recent call last)",
        "assert",
        "AssertionError",
        "E   ",
    ];
    STARTS.iter().any(|s| t.starts_with(s))
        || t.contains("panicked at")
        || t.contains("FAILED")
        || t.contains("Exception:")
}

/// Whether a line after an error line still belongs to it (an assertion's
/// `left:`/`right:`, an expected/actual pair), not a backtrace or a blank.
fn explains(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty()
        && !t.starts_with("stack backtrace:")
        && !t.starts_with("note:")
        && !t.starts_with("at ")
        // A backtrace frame: `  12: some::function`.
        && t.split_once(':').is_none_or(|(n, _)| n.parse::<u32>().is_err())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn shows_the_panic_above_a_long_backtrace() {
        let mut text = String::from("running 1 test\nthread 'main' panicked at src/lib.rs:3:5:\nassertion `left == right` failed\n  left: 1\n right: 2\nstack backtrace:\n");
        for i in 0..50 {
            text.push_str(&format!("  {i}: frame{i}\n"));
        }
        text.push_str("error: test failed\n");
        let (_dir, path) = log(&text);
        let shown = failure_lines(&path, 5);
        assert_eq!(shown[0], "thread 'main' panicked at src/lib.rs:3:5:");
        assert_eq!(shown[3], " right: 2");
        assert_eq!(shown[4], GAP);
        assert_eq!(shown.last().unwrap(), "error: test failed");
        assert_eq!(shown.len(), 10);
    }

    #[test]
    fn a_short_log_is_shown_once() {
        let (_dir, path) = log("error: x\nb\n");
        assert_eq!(failure_lines(&path, 20), vec!["error: x", "b"]);
    }
}
