//! Reads a custom action's stdout as protocol lines: `log` messages go to the
//! action's output, `progress` to the live bar, `mask` values become
//! secrets, the `result` is kept. stderr
//! is plain text for the log. The first bad line is remembered, quoted.

use super::protocol::{self, Message, Report, MAX_LINE};
use crate::proc::process::OutputSink;

/// How much of a bad line an error message quotes.
const QUOTE: usize = 200;

/// The protocol reader around the action's normal output.
pub struct ProtocolSink<'a> {
    inner: &'a mut dyn OutputSink,
    partial: Vec<u8>,
    line_no: usize,
    overlong: bool,
    /// The `result` line, once read.
    pub result: Option<Report>,
    /// The first protocol error, with the line quoted.
    pub error: Option<String>,
}

impl<'a> ProtocolSink<'a> {
    /// A reader forwarding to `inner`.
    pub fn new(inner: &'a mut dyn OutputSink) -> Self {
        Self {
            inner,
            partial: Vec::new(),
            line_no: 0,
            overlong: false,
            result: None,
            error: None,
        }
    }

    /// Handles a last line without a line ending.
    pub fn finish(&mut self) {
        if !self.partial.is_empty() {
            let line = std::mem::take(&mut self.partial);
            self.line(&line);
        }
    }

    fn line(&mut self, raw: &[u8]) {
        self.line_no += 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let text = String::from_utf8_lossy(raw);
        if text.trim().is_empty() {
            return;
        }
        let parsed = match std::str::from_utf8(raw) {
            Ok(text) => protocol::parse(text),
            Err(_) => Err("not UTF-8".to_string()),
        };
        match parsed {
            Ok(Message::Log(message)) => self.inner.write(format!("{message}\n").as_bytes()),
            Ok(Message::Progress(percent)) => self.inner.progress(percent),
            Ok(Message::Mask(value)) => crate::secrets::register([&value]),
            Ok(Message::Result(_)) if self.result.is_some() => {
                self.fail("a second `result`", &text);
            }
            Ok(Message::Result(report)) => {
                if let Some(m) = &report.message {
                    self.inner.write(format!("{m}\n").as_bytes());
                }
                self.result = Some(report);
            }
            Err(why) => {
                self.inner.write(format!("{text}\n").as_bytes());
                self.fail(&why, &text);
            }
        }
    }

    fn fail(&mut self, why: &str, line: &str) {
        if self.error.is_some() {
            return;
        }
        // Masked before it is cut, so that a cut cannot leave half a secret.
        let line = crate::secrets::mask(line);
        let mut quoted: String = line.chars().take(QUOTE).collect();
        if quoted.len() < line.len() {
            quoted.push('…');
        }
        self.error = Some(format!(
            "bad protocol output, line {}: {why}: `{quoted}` (see docs/custom-actions.md)",
            self.line_no
        ));
    }
}

impl OutputSink for ProtocolSink<'_> {
    fn write(&mut self, chunk: &[u8]) {
        let mut rest = chunk;
        while let Some(at) = memchr::memchr(b'\n', rest) {
            let (head, tail) = rest.split_at(at);
            rest = &tail[1..];
            if self.overlong {
                self.overlong = false;
                continue;
            }
            self.partial.extend_from_slice(head);
            let line = std::mem::take(&mut self.partial);
            self.line(&line);
        }
        if self.overlong {
            return;
        }
        self.partial.extend_from_slice(rest);
        if self.partial.len() > MAX_LINE {
            self.line_no += 1;
            let start = String::from_utf8_lossy(&self.partial).into_owned();
            self.fail(&format!("a line longer than {MAX_LINE} bytes"), &start);
            self.partial.clear();
            self.overlong = true;
        }
    }

    fn write_stderr(&mut self, chunk: &[u8]) {
        self.inner.write(chunk);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Collect(Vec<u8>, Vec<u8>);
    impl OutputSink for Collect {
        fn write(&mut self, chunk: &[u8]) {
            self.0.extend_from_slice(chunk);
        }
        fn progress(&mut self, percent: u8) {
            self.1.push(percent);
        }
    }

    #[test]
    fn lines_split_across_chunks_are_joined() {
        let mut out = Collect::default();
        let mut sink = ProtocolSink::new(&mut out);
        sink.write(b"{\"type\":\"log\",\"mess");
        sink.write(b"age\":\"a\"}\n{\"type\":\"progress\",\"percent\":5}\n");
        sink.write(b"{\"type\":\"result\",\"status\":\"success\"}");
        sink.finish();
        assert!(sink.error.is_none(), "{:?}", sink.error);
        assert!(sink.result.as_ref().is_some_and(|r| r.success));
        assert_eq!(out.0, b"a\n");
        assert_eq!(out.1, [5]);
    }

    #[test]
    fn the_first_bad_line_is_quoted_with_its_number() {
        let mut out = Collect::default();
        let mut sink = ProtocolSink::new(&mut out);
        sink.write(b"\n{\"type\":\"log\",\"message\":\"ok\"}\noops not json\nworse\n");
        let error = sink.error.clone().unwrap();
        assert!(
            error.contains("line 3") && error.contains("`oops not json`"),
            "{error}"
        );
    }

    #[test]
    fn an_overlong_line_is_an_error_and_memory_stays_bounded() {
        let mut out = Collect::default();
        let mut sink = ProtocolSink::new(&mut out);
        let chunk = vec![b'x'; 64 * 1024];
        for _ in 0..40 {
            sink.write(&chunk);
        }
        assert!(sink.partial.len() <= MAX_LINE + chunk.len());
        sink.write(b"\n{\"type\":\"result\",\"status\":\"success\"}\n");
        assert!(sink.error.unwrap().contains("longer than"));
        assert!(sink.result.is_some());
    }
}
