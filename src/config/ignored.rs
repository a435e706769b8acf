//! Whether serde skipped a key while reading `gantry.yml`, found in the
//! same pass: a [`Deserializer`] that wraps serde-saphyr's and notes every
//! value a struct ignores (an unknown key). Only then does the loader run
//! the tolerant pass (`shape`) to locate and name those keys, instead of
//! reading every file twice. (`serde_ignored` does the same but fails on
//! the located `Spanned<String>` keys of `env:` and the named mappings.)
//!
//! Not noted: the value serde-saphyr pairs with the marker key of a
//! `Spanned<T>`, and `x-` keys, which gantry.yml allows wherever its types
//! skip unknown keys (the pipeline, stages, actions, `defaults`, included
//! files); the strict mappings refuse them like any other unknown key.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, Visitor};

/// The key serde-saphyr gives the first entry of a `Spanned<T>`'s map.
const SPANNED_MARKER: &str = "__serde_saphyr_private_spanned";

/// Reads `T` from `deserializer`, and whether a key was ignored on the way.
pub fn deserialize<'de, T, D>(deserializer: D) -> Result<(T, bool), D::Error>
where
    T: de::Deserialize<'de>,
    D: Deserializer<'de>,
{
    let ignored = Cell::new(false);
    let value = T::deserialize(Watch {
        inner: deserializer,
        ignored: &ignored,
        key: None,
    })?;
    Ok((value, ignored.get()))
}

/// A deserializer (or seed, visitor, access) that passes everything to
/// `inner`, wrapping what it hands out so that nested values are watched too.
struct Watch<'w, X> {
    inner: X,
    ignored: &'w Cell<bool>,
    /// Set while a map key is read: the key's text, when it is a string.
    key: Option<&'w Cell<Option<KeyKind>>>,
}

/// What a map key says about its value.
#[derive(Clone, Copy)]
enum KeyKind {
    /// Skipping the value is not an unknown key (`x-…`, the `Spanned` marker).
    Exempt,
    /// Any other key.
    Plain,
}

impl<'w, X> Watch<'w, X> {
    fn wrap<Y>(&self, inner: Y) -> Watch<'w, Y> {
        Watch {
            inner,
            ignored: self.ignored,
            key: self.key,
        }
    }

    /// Notes the key being read from its first string (a `Spanned` key's
    /// text is the first string of its `value`).
    fn note_key(&self, text: &str) {
        if let Some(key) = self.key.filter(|k| k.get().is_none()) {
            let exempt = text == SPANNED_MARKER || text.starts_with("x-");
            key.set(Some(if exempt {
                KeyKind::Exempt
            } else {
                KeyKind::Plain
            }));
        }
    }
}

impl<'de, X: DeserializeSeed<'de>> DeserializeSeed<'de> for Watch<'_, X> {
    type Value = X::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<X::Value, D::Error> {
        let watched = self.wrap(deserializer);
        self.inner.deserialize(watched)
    }
}

macro_rules! forward_deserialize {
    ($($method:ident ( $($arg:ident : $ty:ty),* );)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, X::Error> {
                let visitor = self.wrap(visitor);
                self.inner.$method($($arg,)* visitor)
            }
        )*
    };
}

impl<'de, X: Deserializer<'de>> Deserializer<'de> for Watch<'_, X> {
    type Error = X::Error;

    forward_deserialize! {
        deserialize_any();
        deserialize_bool();
        deserialize_i8();
        deserialize_i16();
        deserialize_i32();
        deserialize_i64();
        deserialize_i128();
        deserialize_u8();
        deserialize_u16();
        deserialize_u32();
        deserialize_u64();
        deserialize_u128();
        deserialize_f32();
        deserialize_f64();
        deserialize_char();
        deserialize_str();
        deserialize_string();
        deserialize_bytes();
        deserialize_byte_buf();
        deserialize_option();
        deserialize_unit();
        deserialize_unit_struct(name: &'static str);
        deserialize_newtype_struct(name: &'static str);
        deserialize_seq();
        deserialize_tuple(len: usize);
        deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_map();
        deserialize_struct(name: &'static str, fields: &'static [&'static str]);
        deserialize_enum(name: &'static str, variants: &'static [&'static str]);
        deserialize_identifier();
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, X::Error> {
        self.ignored.set(true);
        self.inner.deserialize_ignored_any(visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

macro_rules! forward_visit {
    ($($method:ident ( $ty:ty );)*) => {
        $(
            fn $method<E: de::Error>(self, v: $ty) -> Result<X::Value, E> {
                self.inner.$method(v)
            }
        )*
    };
}

impl<'de, X: Visitor<'de>> Visitor<'de> for Watch<'_, X> {
    type Value = X::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.inner.expecting(f)
    }

    forward_visit! {
        visit_bool(bool);
        visit_i8(i8);
        visit_i16(i16);
        visit_i32(i32);
        visit_i64(i64);
        visit_i128(i128);
        visit_u8(u8);
        visit_u16(u16);
        visit_u32(u32);
        visit_u64(u64);
        visit_u128(u128);
        visit_f32(f32);
        visit_f64(f64);
        visit_char(char);
        visit_bytes(&[u8]);
        visit_borrowed_bytes(&'de [u8]);
        visit_byte_buf(Vec<u8>);
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<X::Value, E> {
        self.note_key(v);
        self.inner.visit_str(v)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<X::Value, E> {
        self.note_key(v);
        self.inner.visit_borrowed_str(v)
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<X::Value, E> {
        self.note_key(&v);
        self.inner.visit_string(v)
    }

    fn visit_none<E: de::Error>(self) -> Result<X::Value, E> {
        self.inner.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<X::Value, E> {
        self.inner.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<X::Value, D::Error> {
        let watched = self.wrap(deserializer);
        self.inner.visit_some(watched)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<X::Value, D::Error> {
        let watched = self.wrap(deserializer);
        self.inner.visit_newtype_struct(watched)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<X::Value, A::Error> {
        let watched = self.wrap(seq);
        self.inner.visit_seq(watched)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<X::Value, A::Error> {
        let watched = Entries {
            inner: map,
            ignored: self.ignored,
            key: Cell::new(None),
            within: self.key,
        };
        self.inner.visit_map(watched)
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<X::Value, A::Error> {
        let watched = self.wrap(data);
        self.inner.visit_enum(watched)
    }
}

impl<'de, X: de::SeqAccess<'de>> de::SeqAccess<'de> for Watch<'_, X> {
    type Error = X::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, X::Error> {
        let seed = self.wrap(seed);
        self.inner.next_element_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

/// A watched map: its keys are read with a note of what they say, its
/// values watched unless the key exempts them.
struct Entries<'w, X> {
    inner: X,
    ignored: &'w Cell<bool>,
    key: Cell<Option<KeyKind>>,
    /// The key this map is part of (the map of a `Spanned` key), if any.
    within: Option<&'w Cell<Option<KeyKind>>>,
}

impl<'de, X: de::MapAccess<'de>> de::MapAccess<'de> for Entries<'_, X> {
    type Error = X::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, X::Error> {
        self.key.set(None);
        let seed = Watch {
            inner: seed,
            ignored: self.ignored,
            key: Some(&self.key),
        };
        self.inner.next_key_seed(seed)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, X::Error> {
        match self.key.get() {
            Some(KeyKind::Exempt) => self.inner.next_value_seed(seed),
            _ => self.inner.next_value_seed(Watch {
                inner: seed,
                ignored: self.ignored,
                key: self.within,
            }),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'w, 'de, X: de::EnumAccess<'de>> de::EnumAccess<'de> for Watch<'w, X> {
    type Error = X::Error;
    type Variant = Watch<'w, X::Variant>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self::Variant), X::Error> {
        let (ignored, key) = (self.ignored, self.key);
        let (value, variant) = self.inner.variant_seed(Watch {
            inner: seed,
            ignored,
            key,
        })?;
        let variant = Watch {
            inner: variant,
            ignored,
            key,
        };
        Ok((value, variant))
    }
}

impl<'de, X: de::VariantAccess<'de>> de::VariantAccess<'de> for Watch<'_, X> {
    type Error = X::Error;

    fn unit_variant(self) -> Result<(), X::Error> {
        self.inner.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, X::Error> {
        let seed = self.wrap(seed);
        self.inner.newtype_variant_seed(seed)
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, X::Error> {
        let visitor = self.wrap(visitor);
        self.inner.tuple_variant(len, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, X::Error> {
        let visitor = self.wrap(visitor);
        self.inner.struct_variant(fields, visitor)
    }
}

#[cfg(test)]
mod tests {
    use crate::config::raw::RawPipeline;

    fn skipped(text: &str) -> bool {
        crate::config::load::parse::<RawPipeline>(text).unwrap().1
    }

    #[test]
    fn notes_unknown_keys_anywhere_but_not_spans_or_x_keys() {
        let valid = "version: 1\nx-a: &a { A: 1 }\nenv: { A: 1, x-b: 2 }\ndeploy_groups: { dev: { instances: 1 } }\nstages:\n  - name: a\n    x-note: hi\n    actions:\n      - { name: b, run: x, env: *a }\n";
        assert!(!skipped(valid));
        assert!(skipped(&valid.replace("x-a:", "xa:")));
        assert!(skipped(&valid.replace("x-note:", "note:")));
        assert!(skipped(&valid.replace("run: x,", "run: x, timout: 5,")));
    }
}
