//! Member lookup in JSON objects.
//!
//! `estado_json::Map` compares the names of a small object's members and hashes only in big
//! ones, which is what this module did by hand over serde_json's always-hashing map; it is
//! kept as the one place path evaluation looks members up.

use estado_json::{Map, Value};

/// The member `name` of `map`.
#[inline]
pub fn get<'a>(map: &'a Map, name: &str) -> Option<&'a Value> {
    map.get(name)
}

/// The member `name` of `map`, to change it.
#[inline]
pub fn get_mut<'a>(map: &'a mut Map, name: &str) -> Option<&'a mut Value> {
    map.get_mut(name)
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
