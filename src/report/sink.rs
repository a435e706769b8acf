//! Files that reports are written to whole: what a reporter writes is kept
//! in memory and goes to the file on `flush`, replacing it atomically (a
//! reader never sees half a run.json or JUnit file) or appended to it (the
//! GitHub step summary, which other steps write to as well).

use std::io::{self, Write};
use std::path::PathBuf;

/// A file written on `flush`.
pub struct FileSink {
    path: PathBuf,
    append: bool,
    buffer: Vec<u8>,
}

impl FileSink {
    /// Replaces the file at `path` on flush.
    pub fn replace(path: PathBuf) -> FileSink {
        FileSink {
            path,
            append: false,
            buffer: Vec::new(),
        }
    }

    /// Appends to the file at `path` (created if missing) on flush.
    pub fn append(path: PathBuf) -> FileSink {
        FileSink {
            append: true,
            ..FileSink::replace(path)
        }
    }
}

impl Write for FileSink {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    /// Writes what was written since the last flush to the file; errors
    /// name the file.
    fn flush(&mut self) -> io::Result<()> {
        let bytes = std::mem::take(&mut self.buffer);
        let written = if self.append {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)
                .and_then(|mut file| file.write_all(&bytes))
        } else {
            crate::fsutil::write_atomic(&self.path, &bytes, None)
        };
        written.map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot write {}: {e}", self.path.display()),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_written_on_flush_replaced_or_appended() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        std::fs::write(&path, "old\n").unwrap();
        let mut append = FileSink::append(path.clone());
        writeln!(append, "more").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\n");
        append.flush().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\nmore\n");
        let mut replace = FileSink::replace(path.clone());
        writeln!(replace, "new").unwrap();
        replace.flush().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
    }

    #[test]
    fn an_unwritable_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no/such/dir/report.xml");
        let mut sink = FileSink::replace(path);
        write!(sink, "x").unwrap();
        let error = sink.flush().unwrap_err().to_string();
        assert!(error.starts_with("cannot write "), "{error}");
        assert!(error.contains("no/such/dir/report.xml"), "{error}");
    }
}
