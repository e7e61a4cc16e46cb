//! [`Map`]: a JSON object that keeps its members in insertion order.
//!
//! serde_json's order-preserving map is an `IndexMap`: every object, even `{"x": 1}`, allocates a
//! hash table beside its entries and hashes each key with SipHash on every insert and lookup.
//! Almost every object an execution handles is small (a state's input, a `Parameters` result, a
//! Map item), so here the entries are one vector, looked up by comparing keys, and keys of up to
//! 24 bytes are stored inline (no allocation). Only an object that grows past [`INDEXED_FROM`]
//! members gets a hash index beside its entries, so big objects keep constant-time lookups.
//!
//! The behaviour is serde_json's `Map` with `preserve_order`: `insert` of an existing key
//! replaces its value in place, `remove` is `swap_remove` (the last member takes the removed
//! one's place), equality ignores order.

use std::borrow::Borrow;
use std::fmt;
use std::hash::BuildHasher;

use hashbrown::HashTable;

use crate::Value;

/// A member's name. Names of up to 24 bytes are kept inline.
pub type Key = compact_str::CompactString;

/// From this many members on, an object keeps a hash index of its keys.
pub const INDEXED_FROM: usize = 16;

#[derive(Clone, Default)]
pub struct Map {
    entries: Vec<(Key, Value)>,
    index: Option<Box<Index>>,
}

#[derive(Clone)]
struct Index {
    table: HashTable<usize>,
    hasher: foldhash::fast::RandomState,
}

impl Index {
    fn build(entries: &[(Key, Value)]) -> Box<Index> {
        let hasher = foldhash::fast::RandomState::default();
        let mut table = HashTable::with_capacity(entries.len());
        for (i, (k, _)) in entries.iter().enumerate() {
            let h = hasher.hash_one(k.as_str());
            table.insert_unique(h, i, |&j| hasher.hash_one(entries[j].0.as_str()));
        }
        Box::new(Index { table, hasher })
    }

    fn hash(&self, key: &str) -> u64 {
        self.hasher.hash_one(key)
    }
}

impl Map {
    pub fn new() -> Self {
        Map::default()
    }

    pub fn with_capacity(capacity: usize) -> Self {
        Map {
            entries: Vec::with_capacity(capacity),
            index: None,
        }
    }

    /// A map of `entries` whose keys are known to be distinct.
    pub(crate) fn from_distinct(entries: Vec<(Key, Value)>) -> Self {
        let index = (entries.len() >= INDEXED_FROM).then(|| Index::build(&entries));
        Map { entries, index }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.index = None;
    }

    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            None => self.entries.iter().position(|(k, _)| k.as_str() == key),
            Some(index) => {
                let entries = &self.entries;
                index
                    .table
                    .find(index.hash(key), |&i| entries[i].0.as_str() == key)
                    .copied()
            }
        }
    }

    pub fn get<Q: ?Sized + Borrow<str>>(&self, key: &Q) -> Option<&Value> {
        self.position(key.borrow()).map(|i| &self.entries[i].1)
    }

    pub fn get_mut<Q: ?Sized + Borrow<str>>(&mut self, key: &Q) -> Option<&mut Value> {
        self.position(key.borrow()).map(|i| &mut self.entries[i].1)
    }

    pub fn contains_key<Q: ?Sized + Borrow<str>>(&self, key: &Q) -> bool {
        self.position(key.borrow()).is_some()
    }

    /// Sets `key` to `value`. An existing member keeps its place and its old value is returned;
    /// a new one goes last.
    pub fn insert(&mut self, key: impl Into<Key>, value: Value) -> Option<Value> {
        let key = key.into();
        match self.position(&key) {
            Some(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            None => {
                self.push_new(key, value);
                None
            }
        }
    }

    /// Appends a member whose key is not in the map.
    fn push_new(&mut self, key: Key, value: Value) {
        let i = self.entries.len();
        if let Some(index) = &mut self.index {
            let h = index.hash(&key);
            let entries = &self.entries;
            let hasher = &index.hasher;
            index
                .table
                .insert_unique(h, i, |&j| hasher.hash_one(entries[j].0.as_str()));
        }
        self.entries.push((key, value));
        if self.index.is_none() && self.entries.len() >= INDEXED_FROM {
            self.index = Some(Index::build(&self.entries));
        }
    }

    /// Removes `key`; the last member takes its place (serde_json's `remove` with
    /// `preserve_order`).
    pub fn remove<Q: ?Sized + Borrow<str>>(&mut self, key: &Q) -> Option<Value> {
        self.swap_remove(key)
    }

    pub fn swap_remove<Q: ?Sized + Borrow<str>>(&mut self, key: &Q) -> Option<Value> {
        self.swap_remove_entry(key).map(|(_, v)| v)
    }

    fn swap_remove_entry<Q: ?Sized + Borrow<str>>(&mut self, key: &Q) -> Option<(Key, Value)> {
        let i = self.position(key.borrow())?;
        Some(self.swap_remove_at(i))
    }

    /// Removes the member at `i`; the last one takes its place.
    fn swap_remove_at(&mut self, i: usize) -> (Key, Value) {
        let last = self.entries.len() - 1;
        if let Some(index) = &mut self.index {
            // Forget `i`, then point the last member's slot at `i`, where it moves.
            let h = index.hash(self.entries[i].0.as_str());
            if let Ok(found) = index.table.find_entry(h, |&j| j == i) {
                found.remove();
            }
            if i != last {
                let h = index.hash(self.entries[last].0.as_str());
                if let Some(slot) = index.table.find_mut(h, |&j| j == last) {
                    *slot = i;
                }
            }
        }
        self.entries.swap_remove(i)
    }

    /// Removes `key`, keeping the order of the others.
    pub fn shift_remove<Q: ?Sized + Borrow<str>>(&mut self, key: &Q) -> Option<Value> {
        self.shift_remove_entry(key).map(|(_, v)| v)
    }

    fn shift_remove_entry<Q: ?Sized + Borrow<str>>(&mut self, key: &Q) -> Option<(Key, Value)> {
        let i = self.position(key.borrow())?;
        let removed = self.entries.remove(i);
        self.reindex();
        Some(removed)
    }

    /// Keeps the members for which `keep` is true, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&Key, &mut Value) -> bool) {
        let before = self.entries.len();
        self.entries.retain_mut(|(k, v)| keep(k, v));
        if self.entries.len() != before {
            self.reindex();
        }
    }

    fn reindex(&mut self) {
        if self.index.is_some() {
            self.index = (self.entries.len() >= INDEXED_FROM).then(|| Index::build(&self.entries));
        }
    }

    /// Moves every member of `other` into this map (as `insert` would), leaving it empty.
    pub fn append(&mut self, other: &mut Map) {
        other.index = None;
        for (k, v) in other.entries.drain(..) {
            self.insert(k, v);
        }
    }

    pub fn entry(&mut self, key: impl Into<Key>) -> Entry<'_> {
        let key = key.into();
        match self.position(&key) {
            Some(i) => Entry::Occupied(OccupiedEntry { map: self, i }),
            None => Entry::Vacant(VacantEntry { map: self, key }),
        }
    }

    pub fn iter(&self) -> Iter<'_> {
        Iter(self.entries.iter())
    }

    pub fn iter_mut(&mut self) -> IterMut<'_> {
        IterMut(self.entries.iter_mut())
    }

    pub fn keys(&self) -> Keys<'_> {
        Keys(self.entries.iter())
    }

    pub fn values(&self) -> Values<'_> {
        Values(self.entries.iter())
    }

    pub fn values_mut(&mut self) -> ValuesMut<'_> {
        ValuesMut(self.entries.iter_mut())
    }

    pub fn first(&self) -> Option<(&Key, &Value)> {
        self.entries.first().map(|(k, v)| (k, v))
    }

    pub fn last(&self) -> Option<(&Key, &Value)> {
        self.entries.last().map(|(k, v)| (k, v))
    }
}

pub enum Entry<'a> {
    Occupied(OccupiedEntry<'a>),
    Vacant(VacantEntry<'a>),
}

pub struct OccupiedEntry<'a> {
    map: &'a mut Map,
    i: usize,
}

pub struct VacantEntry<'a> {
    map: &'a mut Map,
    key: Key,
}

impl<'a> Entry<'a> {
    pub fn key(&self) -> &Key {
        match self {
            Entry::Occupied(e) => e.key(),
            Entry::Vacant(e) => &e.key,
        }
    }

    pub fn or_insert(self, default: Value) -> &'a mut Value {
        match self {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(default),
        }
    }

    pub fn or_insert_with(self, default: impl FnOnce() -> Value) -> &'a mut Value {
        match self {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(default()),
        }
    }

    pub fn and_modify(mut self, f: impl FnOnce(&mut Value)) -> Self {
        if let Entry::Occupied(e) = &mut self {
            f(e.get_mut());
        }
        self
    }
}

impl<'a> OccupiedEntry<'a> {
    pub fn key(&self) -> &Key {
        &self.map.entries[self.i].0
    }

    pub fn get(&self) -> &Value {
        &self.map.entries[self.i].1
    }

    pub fn get_mut(&mut self) -> &mut Value {
        &mut self.map.entries[self.i].1
    }

    pub fn into_mut(self) -> &'a mut Value {
        &mut self.map.entries[self.i].1
    }

    pub fn insert(&mut self, value: Value) -> Value {
        std::mem::replace(self.get_mut(), value)
    }

    /// Removes the member; the last one takes its place.
    pub fn remove(self) -> Value {
        self.map.swap_remove_at(self.i).1
    }
}

impl<'a> VacantEntry<'a> {
    pub fn key(&self) -> &Key {
        &self.key
    }

    pub fn insert(self, value: Value) -> &'a mut Value {
        let i = self.map.entries.len();
        self.map.push_new(self.key, value);
        &mut self.map.entries[i].1
    }
}

impl PartialEq for Map {
    /// Equal when both have the same members, in any order (as serde_json's `Map`).
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self
                .entries
                .iter()
                .enumerate()
                .all(|(i, (k, v))| match other.entries.get(i) {
                    // Same order: the common case, no lookup.
                    Some((ok, ov)) if ok == k => ov == v,
                    _ => other.get(k.as_str()) == Some(v),
                })
    }
}

impl Eq for Map {}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<Q: ?Sized + Borrow<str>> std::ops::Index<&Q> for Map {
    type Output = Value;

    fn index(&self, key: &Q) -> &Value {
        match self.get(key) {
            Some(v) => v,
            None => panic!("no entry found for key {:?}", key.borrow()),
        }
    }
}

impl<Q: ?Sized + Borrow<str>> std::ops::IndexMut<&Q> for Map {
    fn index_mut(&mut self, key: &Q) -> &mut Value {
        let k = key.borrow();
        match self.position(k) {
            Some(i) => &mut self.entries[i].1,
            None => panic!("no entry found for key {k:?}"),
        }
    }
}

impl<K: Into<Key>> FromIterator<(K, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(iter: I) -> Self {
        let iter = iter.into_iter();
        let mut map = Map::with_capacity(iter.size_hint().0);
        for (k, v) in iter {
            map.insert(k, v);
        }
        map
    }
}

impl<K: Into<Key>> Extend<(K, Value)> for Map {
    fn extend<I: IntoIterator<Item = (K, Value)>>(&mut self, iter: I) {
        let iter = iter.into_iter();
        self.entries.reserve(iter.size_hint().0);
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

macro_rules! iterator {
    ($(#[$doc:meta])* $name:ident<$a:lifetime>, $inner:ty, $item:ty, |$e:pat_param| $map:expr) => {
        $(#[$doc])*
        pub struct $name<$a>($inner);

        impl<$a> Iterator for $name<$a> {
            type Item = $item;

            #[inline]
            fn next(&mut self) -> Option<$item> {
                self.0.next().map(|$e| $map)
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                self.0.size_hint()
            }
        }

        impl<$a> DoubleEndedIterator for $name<$a> {
            fn next_back(&mut self) -> Option<$item> {
                self.0.next_back().map(|$e| $map)
            }
        }

        impl<$a> ExactSizeIterator for $name<$a> {}
    };
}

iterator!(
    /// The members, in order.
    Iter<'a>, std::slice::Iter<'a, (Key, Value)>, (&'a Key, &'a Value), |(k, v)| (k, v)
);
iterator!(
    /// The members, in order, values mutable.
    IterMut<'a>, std::slice::IterMut<'a, (Key, Value)>, (&'a Key, &'a mut Value), |(k, v)| (&*k, v)
);
iterator!(
    /// The keys, in order.
    Keys<'a>, std::slice::Iter<'a, (Key, Value)>, &'a Key, |(k, _)| k
);
iterator!(
    /// The values, in order.
    Values<'a>, std::slice::Iter<'a, (Key, Value)>, &'a Value, |(_, v)| v
);
iterator!(
    /// The values, in order, mutable.
    ValuesMut<'a>, std::slice::IterMut<'a, (Key, Value)>, &'a mut Value, |(_, v)| v
);

/// The members, in order, by value.
pub struct IntoIter(std::vec::IntoIter<(Key, Value)>);

impl Iterator for IntoIter {
    type Item = (Key, Value);

    #[inline]
    fn next(&mut self) -> Option<(Key, Value)> {
        self.0.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for IntoIter {
    fn next_back(&mut self) -> Option<(Key, Value)> {
        self.0.next_back()
    }
}

impl ExactSizeIterator for IntoIter {}

impl IntoIterator for Map {
    type Item = (Key, Value);
    type IntoIter = IntoIter;

    fn into_iter(self) -> IntoIter {
        IntoIter(self.entries.into_iter())
    }
}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a Key, &'a Value);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &'a mut Map {
    type Item = (&'a Key, &'a mut Value);
    type IntoIter = IterMut<'a>;

    fn into_iter(self) -> IterMut<'a> {
        self.iter_mut()
    }
}
