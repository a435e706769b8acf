//! The secret values this gantry process knows, and the masking every
//! output channel goes through: reporters (live and plain), run records,
//! JSON and JUnit output, GitHub annotations and step summaries, action
//! logs and gantry's own messages. Planning registers the values of the
//! variables named in `secrets:` (and every value a stage or action `env`
//! gives them); from then on [`mask`] hides them wherever text leaves gantry.

use std::sync::{Arc, Mutex, PoisonError};

use crate::exec::mask::{Masker, Patterns};

struct Known {
    values: Vec<String>,
    patterns: Arc<Patterns>,
}

static KNOWN: Mutex<Option<Known>> = Mutex::new(None);

/// Adds `values` to the known secrets (empty and already known ones are ignored).
pub fn register<'a>(values: impl IntoIterator<Item = &'a String>) {
    let mut known = KNOWN.lock().unwrap_or_else(PoisonError::into_inner);
    let known = known.get_or_insert_with(|| Known {
        values: Vec::new(),
        patterns: Arc::new(Patterns::new(&[])),
    });
    let before = known.values.len();
    for value in values {
        if !value.is_empty() && !known.values.contains(value) {
            known.values.push(value.clone());
        }
    }
    if known.values.len() != before {
        known.patterns = Arc::new(Patterns::new(&known.values));
    }
}

/// The known secrets, compiled.
pub fn patterns() -> Arc<Patterns> {
    let known = KNOWN.lock().unwrap_or_else(PoisonError::into_inner);
    match known.as_ref() {
        Some(known) => Arc::clone(&known.patterns),
        None => Arc::new(Patterns::new(&[])),
    }
}

/// A streaming masker over the secrets known now.
pub fn masker() -> Masker {
    Masker::with_patterns(patterns())
}

/// `text` with every known secret replaced by `***`.
pub fn mask(text: &str) -> String {
    masker().mask_str(text)
}

/// Masks `text` in place.
pub fn mask_in_place(text: &mut String) {
    let masked = mask(text);
    if masked != *text {
        *text = masked;
    }
}
