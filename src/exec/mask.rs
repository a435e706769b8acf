//! Replaces secret values with `***` in a byte stream, also when a secret is
//! split across two chunks.

/// What a secret is replaced with.
pub const MASK: &[u8] = b"***";

/// A streaming masker over a fixed set of secret values.
pub struct Masker {
    secrets: Vec<Vec<u8>>,
    /// Which bytes begin some secret: everything else is copied in bulk.
    starts: [bool; 256],
    /// The distinct first bytes, for memchr when there are few.
    firsts: Vec<u8>,
    pending: Vec<u8>,
}

impl Masker {
    /// A masker for `secrets` (empty values are ignored).
    pub fn new(secrets: &[String]) -> Self {
        let mut secrets: Vec<Vec<u8>> = secrets
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.as_bytes().to_vec())
            .collect();
        // Longest first, so a secret containing another is masked whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        let mut starts = [false; 256];
        for secret in &secrets {
            starts[secret[0] as usize] = true;
        }
        let firsts = (0..=255u8).filter(|&b| starts[b as usize]).collect();
        Self {
            secrets,
            starts,
            firsts,
            pending: Vec::new(),
        }
    }

    /// Whether there is anything to mask.
    pub fn is_active(&self) -> bool {
        !self.secrets.is_empty()
    }

    /// Masks `chunk`, appending what is safe to emit to `out`. Bytes that
    /// could be the start of a secret are held back until the next call.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        if !self.is_active() {
            out.extend_from_slice(chunk);
            return;
        }
        self.pending.extend_from_slice(chunk);
        let used = self.scan(&self.pending, out);
        self.pending.drain(..used);
    }

    /// Copies `buf` to `out` with every whole secret masked, stopping where
    /// the rest could still become a secret; returns how much was used.
    fn scan(&self, buf: &[u8], out: &mut Vec<u8>) -> usize {
        let mut i = 0;
        while i < buf.len() {
            let skip = self.next_candidate(&buf[i..]).unwrap_or(buf.len() - i);
            out.extend_from_slice(&buf[i..i + skip]);
            i += skip;
            if i == buf.len() {
                break;
            }
            if let Some(secret) = self.secrets.iter().find(|s| buf[i..].starts_with(s)) {
                out.extend_from_slice(MASK);
                i += secret.len();
            } else if self.could_start_secret(&buf[i..]) {
                break;
            } else {
                out.push(buf[i]);
                i += 1;
            }
        }
        i
    }

    /// Offset of the first byte in `rest` that begins some secret.
    fn next_candidate(&self, rest: &[u8]) -> Option<usize> {
        let firsts = &self.firsts;
        match firsts.len() {
            1 => memchr::memchr(firsts[0], rest),
            2 => memchr::memchr2(firsts[0], firsts[1], rest),
            3 => memchr::memchr3(firsts[0], firsts[1], firsts[2], rest),
            _ => rest.iter().position(|&b| self.starts[b as usize]),
        }
    }

    /// Emits whatever was held back (the stream has ended).
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        out.append(&mut self.pending);
    }

    /// Masks a whole string at once (as `push` then `finish` would),
    /// without copying the masker.
    pub fn mask_str(&self, text: &str) -> String {
        if !self.is_active() {
            return text.to_string();
        }
        let bytes = text.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let used = self.scan(bytes, &mut out);
        out.extend_from_slice(&bytes[used..]);
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Whether `rest` is a proper prefix of some secret (more input could complete it).
    fn could_start_secret(&self, rest: &[u8]) -> bool {
        self.secrets
            .iter()
            .any(|s| s.len() > rest.len() && s.starts_with(rest))
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

    #[test]
    fn masks_whole_and_split_secrets() {
        assert_eq!(run(&["hunter2"], &["pw=hunter2!"]), "pw=***!");
        assert_eq!(
            run(&["hunter2"], &["pw=hun", "ter2 and hunt", "er2"]),
            "pw=*** and ***"
        );
        assert_eq!(run(&["hunter2"], &["hunte", "r3"]), "hunter3");
    }

    #[test]
    fn longest_secret_wins_and_empty_is_ignored() {
        assert_eq!(run(&["abc", "abcdef", ""], &["xabcdefy abc"]), "x***y ***");
    }

    #[test]
    fn held_back_prefix_is_flushed_at_end() {
        assert_eq!(run(&["secret"], &["the sec"]), "the sec");
    }
}
