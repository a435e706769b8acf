//! The `GANTRY_OUTPUT` file every action may write its outputs to, in
//! GitHub's `$GITHUB_OUTPUT` format: `name=value` lines and
//! `name<<DELIMITER` … `DELIMITER` blocks for multi-line values.

use std::path::{Path, PathBuf};

use crate::record::RunRecord;

pub use crate::plan::OUTPUT_FILE as VARIABLE;

/// An action's output file, in the run's directory: made empty before each
/// attempt, read after it, emptied when the action is done (values may be
/// secrets, and only the masked record of them is kept) and then used by a
/// later action of the run.
pub struct OutputFile<'a> {
    path: Option<PathBuf>,
    record: &'a RunRecord,
}

impl<'a> OutputFile<'a> {
    /// A file of `record`'s run that no running action uses.
    pub fn of_run(record: &'a RunRecord) -> Self {
        Self {
            path: Some(record.output_file()),
            record,
        }
    }

    /// Where the action writes.
    pub fn path(&self) -> &Path {
        self.path.as_deref().unwrap_or(Path::new(""))
    }

    /// Makes the file exist and be empty for a new attempt (an empty file,
    /// as released, is left alone: no new file, no write).
    /// A link or other file an earlier attempt put there is replaced, never
    /// followed.
    pub fn reset(&self) -> Result<(), String> {
        let path = self.path();
        // As released: an empty plain file, nothing to do.
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.len() == 0) {
            return Ok(());
        }
        if let Ok(true) = crate::fsutil::empty_own_file(path) {
            return Ok(());
        }
        let _ = std::fs::remove_file(path);
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map(drop)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))
    }

    /// The outputs written in this attempt; a file the action deleted holds none.
    pub fn read(&self) -> Result<Vec<(String, String)>, String> {
        match std::fs::read(self.path()) {
            Ok(bytes) => parse(&String::from_utf8_lossy(&bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(format!("cannot read ${VARIABLE}: {e}")),
        }
    }
}

impl Drop for OutputFile<'_> {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            self.record.release_output_file(path);
        }
    }
}

/// The outputs in `text`, in written order (a name written again keeps its
/// last value); the error names the line and what is wrong.
pub fn parse(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut outputs: Vec<(String, String)> = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((index, line)) = lines.next() {
        let number = index + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let eq = line.find('=');
        let heredoc = line
            .find("<<")
            .filter(|open| eq.is_none_or(|eq| *open < eq));
        let (name, value) = match (heredoc, eq) {
            (Some(open), _) => {
                let delimiter = &line[open + 2..];
                if delimiter.is_empty() {
                    return Err(format!(
                        "${VARIABLE} line {number}: `{line}` has no delimiter after `<<`"
                    ));
                }
                let mut body = Vec::new();
                loop {
                    match lines.next() {
                        Some((_, l)) if l.strip_suffix('\r').unwrap_or(l) == delimiter => break,
                        Some((_, l)) => body.push(l.strip_suffix('\r').unwrap_or(l)),
                        None => {
                            return Err(format!(
                                "${VARIABLE} line {number}: `{}<<{delimiter}` is never closed by a line `{delimiter}`",
                                &line[..open]
                            ))
                        }
                    }
                }
                (&line[..open], body.join("\n"))
            }
            (None, Some(eq)) => (&line[..eq], line[eq + 1..].to_string()),
            (None, None) => {
                return Err(format!(
                "${VARIABLE} line {number}: `{line}` is neither `name=value` nor `name<<DELIMITER`"
            ))
            }
        };
        check_name(name, number)?;
        outputs.retain(|(n, _)| n != name);
        outputs.push((name.to_string(), value));
    }
    Ok(outputs)
}

/// Names must be usable in `${actions.STAGE.ACTION.outputs.NAME}`.
fn check_name(name: &str, number: usize) -> Result<(), String> {
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "${VARIABLE} line {number}: output name `{name}` may hold only letters, digits, `_` and `-`"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn lines_and_blocks() {
        let text = "a=1\n\nb=x=y\nnotes<<EOF\nline 1\n\nline=3\nEOF\nc=\n";
        assert_eq!(
            parse(text).unwrap(),
            pairs(&[
                ("a", "1"),
                ("b", "x=y"),
                ("notes", "line 1\n\nline=3"),
                ("c", "")
            ])
        );
    }

    #[test]
    fn a_name_written_again_keeps_its_last_value() {
        assert_eq!(
            parse("a=1\nb=2\na=3\n").unwrap(),
            pairs(&[("b", "2"), ("a", "3")])
        );
    }

    #[test]
    fn crlf_lines_are_accepted() {
        assert_eq!(
            parse("a=1\r\nm<<E\r\nx\r\nE\r\n").unwrap(),
            pairs(&[("a", "1"), ("m", "x")])
        );
    }

    #[test]
    fn mistakes_name_their_line() {
        assert!(parse("a=1\nnonsense\n").unwrap_err().contains("line 2"));
        assert!(parse("m<<EOF\nx\n").unwrap_err().contains("never closed"));
        assert!(parse("m<<\n").unwrap_err().contains("no delimiter"));
        assert!(parse("a b=1\n").unwrap_err().contains("`a b`"));
        assert!(parse("=1\n").unwrap_err().contains("line 1"));
    }
}
