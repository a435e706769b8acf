//! The secret values this gantry process knows, and the masking every
//! output channel goes through: reporters (live and plain), run records,
//! JSON and JUnit output, GitHub annotations and step summaries, action
//! logs and gantry's own messages. Planning registers the values of the
//! variables named in `secrets:` (and every value a stage or action `env`
//! gives them); a custom action can add one at run time (a `mask` message).
//! From then on [`mask`] hides them wherever text leaves gantry.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use crate::proc::mask::{Masker, Patterns};

struct Known {
    values: Vec<String>,
    patterns: Arc<Patterns>,
}

static KNOWN: LazyLock<Mutex<Known>> = LazyLock::new(|| {
    Mutex::new(Known {
        values: Vec::new(),
        patterns: Arc::new(Patterns::new(&[])),
    })
});

/// Bumped whenever a secret is added, so streams can pick it up.
static GENERATION: AtomicU64 = AtomicU64::new(0);

/// Adds `values` to the known secrets (empty and already known ones are ignored).
pub fn register<'a>(values: impl IntoIterator<Item = &'a String>) {
    let mut known = KNOWN.lock().unwrap_or_else(PoisonError::into_inner);
    let before = known.values.len();
    for value in values {
        if !value.is_empty() && !known.values.contains(value) {
            known.values.push(value.clone());
        }
    }
    if known.values.len() != before {
        known.patterns = Arc::new(Patterns::new(&known.values));
        GENERATION.fetch_add(1, Ordering::SeqCst);
    }
}

/// Changes whenever a secret is added.
pub fn generation() -> u64 {
    GENERATION.load(Ordering::SeqCst)
}

/// The known secrets, compiled.
pub fn patterns() -> Arc<Patterns> {
    let known = KNOWN.lock().unwrap_or_else(PoisonError::into_inner);
    Arc::clone(&known.patterns)
}

/// A streaming masker over the secrets known now.
pub fn masker() -> Masker {
    Masker::with_patterns(patterns())
}

/// `text` with every known secret replaced by `***`.
pub fn mask(text: &str) -> String {
    let patterns = patterns();
    if patterns.is_empty() {
        return text.to_string();
    }
    Masker::with_patterns(patterns).mask_str(text)
}

/// Masks `text` in place.
pub fn mask_in_place(text: &mut String) {
    let patterns = patterns();
    if !patterns.is_empty() {
        let masked = Masker::with_patterns(patterns).mask_str(text);
        if masked != *text {
            *text = masked;
        }
    }
}
