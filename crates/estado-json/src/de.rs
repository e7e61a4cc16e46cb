//! Reading: serde's `Deserialize`, so serde_json (or any serde format) reads into a [`Value`].
//! Objects are gathered on the stack and stored in a vector of exactly their size.

use std::fmt;

use serde::de::{Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use smallvec::SmallVec;

use crate::{Key, Map, Number, Value, INDEXED_FROM};

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_i128<E: serde::de::Error>(self, n: i128) -> Result<Value, E> {
        match (i64::try_from(n), u64::try_from(n)) {
            (Ok(i), _) => Ok(Value::Number(i.into())),
            (_, Ok(u)) => Ok(Value::Number(u.into())),
            _ => Ok(Number::from_f64(n as f64).map_or(Value::Null, Value::Number)),
        }
    }

    fn visit_f64<E>(self, f: f64) -> Result<Value, E> {
        Ok(Number::from_f64(f).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Deserialize::deserialize(d)
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items: SmallVec<[Value; 8]> = SmallVec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(exact_vec(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, access: A) -> Result<Value, A::Error> {
        gather_map(access).map(Value::Object)
    }
}

/// The items in a vector of exactly their number.
fn exact_vec<T>(mut items: SmallVec<[T; 8]>) -> Vec<T> {
    if items.spilled() {
        let mut v = items.into_vec();
        v.shrink_to_fit();
        v
    } else {
        let mut v = Vec::with_capacity(items.len());
        v.extend(items.drain(..));
        v
    }
}

/// An object's members: gathered on the stack while few (a repeated key keeps its first place
/// and takes the last value, as `insert` does), then stored in a vector of exactly their number;
/// an object that reaches [`INDEXED_FROM`] members becomes a [`Map`] with its index there and
/// takes the rest by `insert`.
fn gather_map<'de, A: MapAccess<'de>>(mut access: A) -> Result<Map, A::Error> {
    let mut gathered: SmallVec<[(Key, Value); 8]> = SmallVec::new();
    while let Some(key) = access.next_key_seed(KeySeed)? {
        let value = access.next_value()?;
        if let Some(slot) = gathered.iter_mut().find(|(k, _)| *k == key) {
            slot.1 = value;
            continue;
        }
        gathered.push((key, value));
        if gathered.len() >= INDEXED_FROM {
            let mut map = Map::from_distinct(exact_vec(gathered));
            while let Some(key) = access.next_key_seed(KeySeed)? {
                let value = access.next_value()?;
                map.insert(key, value);
            }
            return Ok(map);
        }
    }
    Ok(Map::from_distinct(exact_vec(gathered)))
}

/// A member name, kept inline when short (no `String` made for it).
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_str<E>(self, s: &str) -> Result<Key, E> {
        Ok(Key::from(s))
    }

    fn visit_string<E>(self, s: String) -> Result<Key, E> {
        Ok(Key::from(s))
    }
}

impl<'de> Deserialize<'de> for Value {
    #[inline]
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct MapVisitor;

impl<'de> Visitor<'de> for MapVisitor {
    type Value = Map;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, access: A) -> Result<Map, A::Error> {
        gather_map(access)
    }
}

impl<'de> Deserialize<'de> for Map {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Map, D::Error> {
        d.deserialize_map(MapVisitor)
    }
}
