//! Where an action's output goes: secrets masked, the log file written as
//! the output streams, lines handed to the reporters. Memory stays bounded
//! whatever the action prints.

use std::fs::File;
use std::io::Write;
use std::time::{Duration, Instant};

use crate::events::{ActionKey, Event, EventSender};
use crate::proc::mask::Masker;
use crate::proc::process::OutputSink;

/// Longest line passed to reporters; longer ones are cut into pieces.
const MAX_LINE: usize = 4096;
/// When only the latest line is shown, send it at most this often.
const LATEST_LINE_EVERY: Duration = Duration::from_millis(100);

/// The output of one action attempt.
pub struct ActionOutput {
    key: ActionKey,
    masker: Masker,
    /// The secrets' generation the masker was made for.
    generation: u64,
    log: File,
    events: EventSender,
    every_line: bool,
    partial: Vec<u8>,
    masked: Vec<u8>,
    last_sent: Option<Instant>,
    unsent: Option<String>,
    log_error: Option<std::io::Error>,
    mid_line: bool,
    missing_program: Option<String>,
}

/// How an action's output ended, for the note gantry adds after it.
#[derive(Debug, Default)]
pub struct OutputEnd {
    /// The output did not end with a newline.
    pub mid_line: bool,
    /// The last program a shell said it could not find.
    pub missing_program: Option<String>,
    /// Why the log is incomplete, if writing it failed (the output still
    /// reached the reporters).
    pub log_problem: Option<String>,
}

impl ActionOutput {
    /// Output for `key`, logged to `log`, masking every known secret (the
    /// plan registered its own); `every_line` sends each line as an event,
    /// otherwise only the latest line, throttled.
    pub fn new(key: ActionKey, log: File, events: EventSender, every_line: bool) -> Self {
        Self {
            key,
            generation: crate::secrets::generation(),
            masker: crate::secrets::masker(),
            log,
            events,
            every_line,
            partial: Vec::new(),
            masked: Vec::new(),
            last_sent: None,
            unsent: None,
            log_error: None,
            mid_line: false,
            missing_program: None,
        }
    }

    /// Flushes what the masker held back and the last unterminated line.
    pub fn finish(mut self) -> OutputEnd {
        let mut tail = Vec::new();
        self.masker.finish(&mut tail);
        self.accept(&tail);
        if !self.partial.is_empty() {
            let line = std::mem::take(&mut self.partial);
            self.line(&line);
        }
        if let Some(line) = self.unsent.take() {
            self.send(line);
        }
        OutputEnd {
            mid_line: self.mid_line,
            missing_program: self.missing_program,
            log_problem: self
                .log_error
                .map(|e| format!("log incomplete: {}", without_os_code(&e))),
        }
    }

    fn accept(&mut self, masked: &[u8]) {
        if self.log_error.is_none() {
            if let Err(e) = self.log.write_all(masked) {
                self.log_error = Some(e);
            }
        }
        if let Some(&last) = masked.last() {
            self.mid_line = last != b'\n';
        }
        let mut rest = masked;
        while let Some(at) = memchr::memchr(b'\n', rest) {
            let (head, tail) = rest.split_at(at);
            self.partial.extend_from_slice(head);
            let line = std::mem::take(&mut self.partial);
            self.line(&line);
            rest = &tail[1..];
        }
        self.partial.extend_from_slice(rest);
        while self.partial.len() >= MAX_LINE {
            let piece: Vec<u8> = self.partial.drain(..MAX_LINE).collect();
            self.line(&piece);
        }
    }

    fn line(&mut self, raw: &[u8]) {
        // A carriage return redraws the line (progress bars): keep what is shown last.
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let shown = raw.rsplit(|&b| b == b'\r').next().unwrap_or(raw);
        let text = String::from_utf8_lossy(shown).into_owned();
        if let Some(program) = super::not_found::missing_program(&text) {
            self.missing_program = Some(program);
        }
        if self.every_line {
            self.send(text);
            return;
        }
        let due = self
            .last_sent
            .is_none_or(|t| t.elapsed() >= LATEST_LINE_EVERY);
        if due && !text.trim().is_empty() {
            self.send(text);
            self.last_sent = Some(Instant::now());
            self.unsent = None;
        } else if !text.trim().is_empty() {
            self.unsent = Some(text);
        }
    }

    fn send(&self, line: String) {
        let _ = self.events.send(Event::Output {
            key: self.key.clone(),
            line,
        });
    }
}

/// `No space left on device`, without the ` (os error 28)` people need not read.
fn without_os_code(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

impl OutputSink for ActionOutput {
    fn progress(&mut self, percent: u8) {
        let _ = self.events.send(Event::Progress {
            key: self.key.clone(),
            percent,
        });
    }

    fn write(&mut self, chunk: &[u8]) {
        let mut masked = std::mem::take(&mut self.masked);
        masked.clear();
        if self.generation != crate::secrets::generation() {
            // A secret was added (a custom action's `mask`): mask with it from here on.
            self.generation = crate::secrets::generation();
            self.masker
                .switch_to(crate::secrets::patterns(), &mut masked);
        }
        self.masker.push(chunk, &mut masked);
        self.accept(&masked);
        self.masked = masked;
    }
}
