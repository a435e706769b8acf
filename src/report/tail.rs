//! The last lines of a log file, read without loading the whole file.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

const WINDOW: u64 = 64 * 1024;

/// Up to `n` last lines of the file at `path`.
pub fn last_lines(path: &Path, n: usize) -> Vec<String> {
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
