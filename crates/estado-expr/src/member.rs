//! Member lookup in JSON objects, tuned for the small objects state data is made of.
//!
//! `serde_json`'s ordered map hashes every key looked up with SipHash (about 150 instructions
//! for a short key); comparing the names of a handful of members is several times cheaper.
//! Larger objects use the hash index.

use estado_json::{Map, Value};

/// Up to this many members, a lookup compares names instead of hashing.
const SCAN_UP_TO: usize = 8;

/// The member `name` of `map`.
#[inline]
pub fn get<'a>(map: &'a Map, name: &str) -> Option<&'a Value> {
    if map.len() <= SCAN_UP_TO {
        map.iter().find(|(k, _)| k.as_str() == name).map(|(_, v)| v)
    } else {
        map.get(name)
    }
}

/// The member `name` of `map`, to change it.
#[inline]
pub fn get_mut<'a>(map: &'a mut Map, name: &str) -> Option<&'a mut Value> {
    if map.len() <= SCAN_UP_TO {
        map.iter_mut()
            .find(|(k, _)| k.as_str() == name)
            .map(|(_, v)| v)
    } else {
        map.get_mut(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use estado_json::json;

    #[test]
    fn finds_members_of_small_and_large_objects_alike() {
        for n in [0usize, 1, 8, 9, 40] {
            let mut map = Map::new();
            for i in 0..n {
                map.insert(format!("k{i}"), json!(i));
            }
            for i in 0..n {
                assert_eq!(get(&map, &format!("k{i}")), Some(&json!(i)));
                *get_mut(&mut map, &format!("k{i}")).expect("present") = json!(-1);
                assert_eq!(map[&format!("k{i}")], json!(-1));
            }
            assert_eq!(get(&map, "missing"), None);
            assert_eq!(get(&map, "k"), None);
            assert!(get_mut(&mut map, "missing").is_none());
        }
    }
}
