//! Output of one instance's deployment: every line prefixed with the
//! instance and event (`[dev/1 BeforeInstall] …`) and sent to the action's
//! output (through a channel, as instances of a batch run on their own
//! threads), and written to the instance's log with every secret the run
//! knows masked (the run's registry, so a value added mid-run is masked too).

use std::fs::File;
use std::io::Write;
use std::sync::mpsc::SyncSender;

use crate::proc::interrupt::Interrupt;
use crate::proc::mask::Masker;
use crate::proc::process::{self, Finished, OutputSink, ProcessSpec};
use crate::secrets;

/// Longest line passed on; longer ones are cut.
const MAX_LINE: usize = 4096;

/// What an instance's deployment writes to.
pub struct InstanceIo<'a> {
    /// `dev/1`.
    pub label: String,
    /// Lines for the action's output; `None` for a summarised large group
    /// (the lines are in the instance's log only).
    pub lines: Option<SyncSender<Vec<u8>>>,
    /// The instance's log, `None` when it could not be created.
    pub log: Option<File>,
    /// Ctrl-C state.
    pub interrupt: &'a Interrupt,
}

impl InstanceIo<'_> {
    /// A line from gantry about `event`, shown and logged.
    pub fn say(&mut self, event: &str, text: &str) {
        let mut sink = self.sink(event);
        sink.write(format!("gantry: {text}\n").as_bytes());
        sink.finish();
    }

    /// Writes `text` to the log only.
    pub fn note(&mut self, text: &str) {
        if let Some(log) = &mut self.log {
            let masked = secrets::mask(text);
            let _ = writeln!(log, "{masked}");
        }
    }

    /// Runs a hook script for `event`, its output prefixed and logged.
    pub fn run(&mut self, event: &str, spec: &ProcessSpec) -> Finished {
        let interrupt = self.interrupt;
        let mut sink = self.sink(event);
        let finished = process::run(spec, &mut sink, interrupt);
        sink.finish();
        finished
    }

    fn sink(&mut self, event: &str) -> PrefixSink<'_> {
        PrefixSink {
            prefix: format!("[{} {event}] ", self.label),
            lines: self.lines.as_ref(),
            log: self.log.as_mut(),
            masker: secrets::masker(),
            partial: Vec::new(),
        }
    }
}

/// Splits output into lines, prefixes them, and passes them on.
struct PrefixSink<'a> {
    prefix: String,
    lines: Option<&'a SyncSender<Vec<u8>>>,
    log: Option<&'a mut File>,
    masker: Masker,
    partial: Vec<u8>,
}

impl PrefixSink<'_> {
    fn line(&mut self, line: &[u8]) {
        let mut shown = Vec::with_capacity(self.prefix.len() + line.len() + 1);
        shown.extend_from_slice(self.prefix.as_bytes());
        shown.extend_from_slice(line);
        shown.push(b'\n');
        if let Some(log) = &mut self.log {
            let mut masked = Vec::new();
            self.masker.push(&shown, &mut masked);
            let _ = log.write_all(&masked);
        }
        if let Some(lines) = self.lines {
            let _ = lines.send(shown);
        }
    }

    fn finish(mut self) {
        if !self.partial.is_empty() {
            let rest = std::mem::take(&mut self.partial);
            self.line(&rest);
        }
        if let Some(log) = &mut self.log {
            let mut tail = Vec::new();
            self.masker.finish(&mut tail);
            let _ = log.write_all(&tail);
        }
    }
}

impl OutputSink for PrefixSink<'_> {
    fn write(&mut self, chunk: &[u8]) {
        let mut rest = chunk;
        while let Some(at) = memchr::memchr(b'\n', rest) {
            self.partial.extend_from_slice(&rest[..at]);
            let line = std::mem::take(&mut self.partial);
            self.line(&line);
            rest = &rest[at + 1..];
        }
        self.partial.extend_from_slice(rest);
        while self.partial.len() >= MAX_LINE {
            let piece: Vec<u8> = self.partial.drain(..MAX_LINE).collect();
            self.line(&piece);
        }
    }
}
