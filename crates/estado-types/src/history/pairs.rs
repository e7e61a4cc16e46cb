//! Reading a JSON object into an ordered list of pairs (for the model's map shapes, whose
//! serialised order is the order the producer added the entries in).

use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserialize, MapAccess, Visitor};

pub(super) struct PairsVisitor<K, V>(PhantomData<(K, V)>);

impl<K, V> PairsVisitor<K, V> {
    pub(super) fn new() -> Self {
        PairsVisitor(PhantomData)
    }
}

impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Visitor<'de> for PairsVisitor<K, V> {
    type Value = Vec<(K, V)>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // The size hint comes from the input; cap it so a hostile hint cannot reserve gigabytes.
        let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
        while let Some(pair) = map.next_entry()? {
            pairs.push(pair);
        }
        Ok(pairs)
    }
}
