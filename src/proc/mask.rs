//! Replaces secret values with `***` in a byte stream, also when a secret is
//! split across two chunks.
//!
//! The secrets are compiled once into an Aho-Corasick automaton (a trie with
//! failure links), so masking costs the same per byte whatever the secrets
//! are: a 100 KB secret of one repeated character against megabytes of that
//! character stays linear. The automaton is hand-built rather than taken from
//! the `aho-corasick` crate because streaming needs to know how long the
//! partial match in progress is (the trie depth of the current state), so
//! that only bytes that could still become a secret are held back and a line
//! of ordinary output is never delayed; the crate does not expose that.
//!
//! Every byte covered by some occurrence of some secret is masked;
//! overlapping occurrences (`abcd` and `bc` in `abcd`, `ab` and `bc` in
//! `abc`) become one `***`. A multi-line secret is also masked line by line
//! and with `\r\n` line endings, as GitHub Actions does.

use std::collections::VecDeque;
use std::sync::Arc;

/// What a secret is replaced with.
pub const MASK: &[u8] = b"***";

const ROOT: u32 = 0;

/// The compiled secrets, shared by every stream masking them.
#[derive(Debug)]
pub struct Patterns {
    /// Transitions of the root, dense: most bytes are looked up here.
    root: Box<[u32; 256]>,
    /// Transitions of the other nodes, sorted by byte.
    next: Vec<Vec<(u8, u32)>>,
    fail: Vec<u32>,
    /// Length of the trie path to the node: how many bytes are in play.
    depth: Vec<u32>,
    /// Longest secret ending at the node (directly or via failure links).
    longest: Vec<u32>,
    /// The distinct first bytes of the secrets, to skip to with memchr.
    firsts: Vec<u8>,
}

impl Patterns {
    /// Compiles `secrets` (empty ones are ignored), adding each multi-line
    /// secret's lines and its `\r\n` form.
    pub fn new(secrets: &[String]) -> Self {
        let mut trie = Patterns {
            root: Box::new([ROOT; 256]),
            next: vec![Vec::new()],
            fail: vec![ROOT],
            depth: vec![0],
            longest: vec![0],
            firsts: Vec::new(),
        };
        for secret in secrets.iter().flat_map(|s| variants(s)) {
            trie.insert(secret.as_bytes());
        }
        trie.link();
        trie
    }

    /// Whether there is anything to mask.
    pub fn is_empty(&self) -> bool {
        self.next.len() == 1
    }

    fn insert(&mut self, secret: &[u8]) {
        let mut node = ROOT;
        for &byte in secret {
            node = match self.child(node, byte) {
                Some(child) => child,
                None => {
                    let child = self.next.len() as u32;
                    self.next.push(Vec::new());
                    self.fail.push(ROOT);
                    self.depth.push(self.depth[node as usize] + 1);
                    self.longest.push(0);
                    if node == ROOT {
                        self.root[byte as usize] = child;
                        self.firsts.push(byte);
                    } else {
                        let edges = &mut self.next[node as usize];
                        let at = edges.partition_point(|&(b, _)| b < byte);
                        edges.insert(at, (byte, child));
                    }
                    child
                }
            };
        }
        self.longest[node as usize] = secret.len() as u32;
    }

    fn child(&self, node: u32, byte: u8) -> Option<u32> {
        if node == ROOT {
            let child = self.root[byte as usize];
            return (child != ROOT).then_some(child);
        }
        let edges = &self.next[node as usize];
        edges
            .binary_search_by_key(&byte, |&(b, _)| b)
            .ok()
            .map(|i| edges[i].1)
    }

    /// Failure links and inherited match lengths, breadth first.
    fn link(&mut self) {
        let mut queue: VecDeque<u32> = self.firsts.iter().map(|&b| self.root[b as usize]).collect();
        while let Some(node) = queue.pop_front() {
            for i in 0..self.next[node as usize].len() {
                let (byte, child) = self.next[node as usize][i];
                let mut f = self.fail[node as usize];
                let target = loop {
                    if let Some(t) = self.child(f, byte) {
                        break t;
                    }
                    if f == ROOT {
                        break ROOT;
                    }
                    f = self.fail[f as usize];
                };
                self.fail[child as usize] = target;
                if self.longest[child as usize] == 0 {
                    self.longest[child as usize] = self.longest[target as usize];
                }
                queue.push_back(child);
            }
        }
    }

    /// The state after reading `byte` in `state`; `work` counts the
    /// transitions followed.
    fn step(&self, mut state: u32, byte: u8, work: &mut u64) -> u32 {
        loop {
            *work += 1;
            if let Some(next) = self.child(state, byte) {
                return next;
            }
            if state == ROOT {
                return ROOT;
            }
            state = self.fail[state as usize];
        }
    }

    /// Offset of the first byte in `rest` that begins some secret.
    fn next_candidate(&self, rest: &[u8]) -> Option<usize> {
        let firsts = &self.firsts;
        match firsts.len() {
            1 => memchr::memchr(firsts[0], rest),
            2 => memchr::memchr2(firsts[0], firsts[1], rest),
            3 => memchr::memchr3(firsts[0], firsts[1], firsts[2], rest),
            _ => rest.iter().position(|&b| self.root[b as usize] != ROOT),
        }
    }
}

/// `secret` itself and, when it spans lines, each non-blank line and the
/// `\r\n` form.
fn variants(secret: &str) -> Vec<String> {
    if secret.is_empty() {
        return Vec::new();
    }
    let mut all = vec![secret.to_string()];
    if secret.contains('\n') {
        let lf = secret.replace("\r\n", "\n");
        all.push(lf.replace('\n', "\r\n"));
        all.push(lf.clone());
        all.extend(
            lf.lines()
                .filter(|line| !line.trim().is_empty())
                .map(str::to_string),
        );
    }
    all
}

/// A streaming masker over a fixed set of secret values.
pub struct Masker {
    patterns: Arc<Patterns>,
    state: u32,
    /// Stream offset of the next byte to read.
    pos: u64,
    /// Stream offset up to which output is decided.
    decided: u64,
    /// The undecided bytes, from `decided` to `pos`.
    pending: VecDeque<u8>,
    /// Masked spans not yet written, in order, disjoint.
    spans: VecDeque<(u64, u64)>,
    /// The end of the last written span, while a match overlapping it
    /// could still extend it (then `decided` equals it).
    open: Option<u64>,
    /// Work done, in automaton steps (for tests of linearity).
    steps: u64,
}

impl Masker {
    /// A masker for `secrets` (empty values are ignored).
    pub fn new(secrets: &[String]) -> Self {
        Self::with_patterns(Arc::new(Patterns::new(secrets)))
    }

    /// A masker over already compiled secrets.
    pub fn with_patterns(patterns: Arc<Patterns>) -> Self {
        Self {
            patterns,
            state: ROOT,
            pos: 0,
            decided: 0,
            pending: VecDeque::new(),
            spans: VecDeque::new(),
            open: None,
            steps: 0,
        }
    }

    /// Whether there is anything to mask.
    pub fn is_active(&self) -> bool {
        !self.patterns.is_empty()
    }

    /// Masks `chunk`, appending what is safe to emit to `out`. Bytes that
    /// could be the start of a secret are held back until the next call.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        if !self.is_active() {
            out.extend_from_slice(chunk);
            return;
        }
        let patterns = Arc::clone(&self.patterns);
        let mut i = 0;
        while i < chunk.len() {
            if self.state == ROOT {
                // Nothing in play: copy up to the next byte that starts a secret.
                let skip = patterns
                    .next_candidate(&chunk[i..])
                    .unwrap_or(chunk.len() - i);
                if skip > 0 {
                    self.steps += 1;
                    self.accept_plain(&chunk[i..i + skip], out);
                    i += skip;
                    continue;
                }
            }
            let byte = chunk[i];
            self.state = patterns.step(self.state, byte, &mut self.steps);
            self.pending.push_back(byte);
            self.pos += 1;
            let longest = patterns.longest[self.state as usize];
            if longest > 0 {
                self.found(self.pos - u64::from(longest), self.pos);
            }
            i += 1;
        }
        let safe = self.pos - u64::from(patterns.depth[self.state as usize]);
        self.emit(safe, out);
    }

    /// Bytes read at the root that begin no secret: nothing is in play, so
    /// they and everything before them are decided.
    fn accept_plain(&mut self, bytes: &[u8], out: &mut Vec<u8>) {
        self.emit(self.pos, out);
        out.extend_from_slice(bytes);
        self.pos += bytes.len() as u64;
        self.decided = self.pos;
        self.open = None;
    }

    /// A secret occupies `start..end` (`end` is the current position).
    fn found(&mut self, mut start: u64, end: u64) {
        if let Some(open) = self.open {
            if start < open {
                // Extends a span already written as `***`: swallow the rest.
                self.spans.clear();
                self.pending.clear();
                self.decided = end;
                self.open = Some(end);
                return;
            }
        }
        while let Some(&(s, e)) = self.spans.back() {
            if e <= start {
                break;
            }
            start = start.min(s);
            self.spans.pop_back();
        }
        self.spans.push_back((start, end));
    }

    /// Writes out everything before `safe`, the earliest offset a match
    /// still in progress could start at.
    fn emit(&mut self, safe: u64, out: &mut Vec<u8>) {
        while let Some(&(start, end)) = self.spans.front() {
            if start >= safe {
                break;
            }
            self.spans.pop_front();
            self.copy_to(start, out);
            out.extend_from_slice(MASK);
            let n = end.saturating_sub(self.decided) as usize;
            self.pending.drain(..n.min(self.pending.len()));
            self.decided = end;
            self.open = Some(end);
        }
        if safe > self.decided {
            self.copy_to(safe, out);
            self.open = None;
        }
    }

    /// Copies pending bytes up to stream offset `to`.
    fn copy_to(&mut self, to: u64, out: &mut Vec<u8>) {
        let n = to.saturating_sub(self.decided) as usize;
        out.extend(self.pending.drain(..n.min(self.pending.len())));
        self.decided = self.decided.max(to);
    }

    /// Switches to `patterns` (the secrets so far and more) mid-stream: the
    /// bytes held back are masked again with the new secrets, so a secret
    /// being printed across the switch is still caught.
    pub fn switch_to(&mut self, patterns: Arc<Patterns>, out: &mut Vec<u8>) {
        let held: Vec<u8> = self.pending.drain(..).collect();
        let steps = self.steps;
        *self = Self::with_patterns(patterns);
        self.steps = steps;
        self.push(&held, out);
    }

    /// Emits whatever was held back (the stream has ended): secrets found
    /// in it are masked, unfinished prefixes are not secrets.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        self.emit(self.pos, out);
        self.state = ROOT;
        self.open = None;
    }

    /// Masks a whole string at once (as `push` then `finish` would) with
    /// the same compiled secrets, leaving this masker's stream untouched.
    pub fn mask_str(&self, text: &str) -> String {
        if !self.is_active() {
            return text.to_string();
        }
        let mut masker = Self::with_patterns(Arc::clone(&self.patterns));
        let mut out = Vec::with_capacity(text.len());
        masker.push(text.as_bytes(), &mut out);
        masker.finish(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Automaton transitions followed so far, a measure of work: at most
    /// two per byte (each failure link followed was paid for by a byte).
    pub fn steps(&self) -> u64 {
        self.steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(secrets: &[&str], chunks: &[&str]) -> String {
        let secrets: Vec<String> = secrets.iter().map(|s| s.to_string()).collect();
        let mut m = Masker::new(&secrets);
        let mut out = Vec::new();
        for c in chunks {
            m.push(c.as_bytes(), &mut out);
        }
        m.finish(&mut out);
        String::from_utf8(out).unwrap()
    }

    /// Every way of cutting `text` into two and three chunks masks alike.
    fn all_splits(secrets: &[&str], text: &str) -> String {
        let whole = run(secrets, &[text]);
        for i in 0..=text.len() {
            assert_eq!(
                run(secrets, &[&text[..i], &text[i..]]),
                whole,
                "split at {i}"
            );
            for j in i..=text.len() {
                let three = [&text[..i], &text[i..j], &text[j..]];
                assert_eq!(run(secrets, &three), whole, "split at {i}, {j}");
            }
        }
        whole
    }

    #[test]
    fn masks_whole_and_split_secrets() {
        assert_eq!(run(&["hunter2"], &["pw=hunter2!"]), "pw=***!");
        assert_eq!(
            run(&["hunter2"], &["pw=hun", "ter2 and hunt", "er2"]),
            "pw=*** and ***"
        );
        assert_eq!(run(&["hunter2"], &["hunte", "r3"]), "hunter3");
        assert_eq!(
            all_splits(&["hunter2"], "hunter2hunter2 hunter"),
            "****** hunter"
        );
    }

    #[test]
    fn longest_secret_wins_and_empty_is_ignored() {
        assert_eq!(run(&["abc", "abcdef", ""], &["xabcdefy abc"]), "x***y ***");
    }

    #[test]
    fn held_back_prefix_is_flushed_at_end() {
        assert_eq!(run(&["secret"], &["the sec"]), "the sec");
    }

    #[test]
    fn a_shorter_secret_inside_a_held_back_prefix_is_masked_at_end() {
        assert_eq!(all_splits(&["abcd", "bc"], "xxabc"), "xxa***");
        assert_eq!(all_splits(&["abcd", "bc"], "abcd abc"), "*** a***");
    }

    #[test]
    fn overlapping_secrets_are_masked_together() {
        assert_eq!(all_splits(&["ab", "bc"], "-abc-"), "-***-");
        assert_eq!(all_splits(&["b", "abc"], "abc ab"), "*** a***");
        assert_eq!(all_splits(&["aab"], "aaab aab"), "a*** ***");
    }

    #[test]
    fn switching_secrets_mid_stream_keeps_what_was_held_back() {
        let mut m = Masker::new(&["hunter2".to_string()]);
        let mut out = Vec::new();
        m.push(b"a hun", &mut out);
        m.switch_to(
            Arc::new(Patterns::new(&["hunter2".into(), "tok".into()])),
            &mut out,
        );
        m.push(b"ter2 tok", &mut out);
        m.finish(&mut out);
        assert_eq!(out, b"a *** ***");
    }

    #[test]
    fn multi_line_secrets_are_masked_whole_and_by_line() {
        let secret = "line one\nline two\n";
        assert_eq!(run(&[secret], &["<line one\nline two\n>"]), "<***>");
        assert_eq!(run(&[secret], &["a line two b"]), "a *** b");
        assert_eq!(run(&[secret], &["<line one\r\nline two\r\n>"]), "<***>");
        let crlf = "first\r\nsecond";
        assert_eq!(run(&[crlf], &["first\nsecond|second"]), "***|***");
    }

    /// Masks by brute force: every occurrence of every secret, spans that
    /// share a byte merged.
    fn reference(secrets: &[String], text: &[u8]) -> Vec<u8> {
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for s in secrets.iter().filter(|s| !s.is_empty()) {
            let s = s.as_bytes();
            for i in 0..text.len() {
                if text[i..].starts_with(s) {
                    spans.push((i, i + s.len()));
                }
            }
        }
        spans.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (s, e) in spans {
            match merged.last_mut() {
                Some(last) if s < last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        let mut out = Vec::new();
        let mut at = 0;
        for (s, e) in merged {
            out.extend_from_slice(&text[at..s]);
            out.extend_from_slice(MASK);
            at = e;
        }
        out.extend_from_slice(&text[at..]);
        out
    }

    proptest::proptest! {
        #[test]
        fn streaming_matches_brute_force(
            secrets in proptest::collection::vec("[ab]{1,5}", 1..4),
            text in "[abc]{0,40}",
            cuts in proptest::collection::vec(0usize..41, 0..4),
        ) {
            let mut m = Masker::new(&secrets);
            let mut out = Vec::new();
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(text.len())).collect();
            cuts.sort_unstable();
            let mut at = 0;
            for cut in cuts.into_iter().chain([text.len()]) {
                m.push(&text.as_bytes()[at..cut], &mut out);
                at = cut;
            }
            m.finish(&mut out);
            proptest::prop_assert_eq!(out, reference(&secrets, text.as_bytes()));
        }
    }

    #[test]
    fn work_is_linear_in_the_output() {
        let secret = "a".repeat(100_000);
        let mut m = Masker::new(&[secret]);
        let mut out = Vec::new();
        let chunk = vec![b'a'; 8192];
        let total = 1280 * chunk.len();
        for _ in 0..1280 {
            m.push(&chunk, &mut out);
        }
        m.finish(&mut out);
        assert_eq!(out, MASK);
        assert!(m.steps() <= 2 * total as u64, "{} steps", m.steps());
    }
}
