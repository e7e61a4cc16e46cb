//! The behaviour is serde_json's (with `preserve_order`): checked against it directly.

use proptest::prelude::*;

use super::*;

fn both(text: &str) -> (Value, serde_json::Value) {
    (
        from_str(text).expect("ours parses"),
        serde_json::from_str(text).expect("serde_json parses"),
    )
}

#[test]
fn text_in_and_out_is_serde_json_s() {
    for text in [
        r#"{"b":1,"a":[true,false,null,1.5,-2,18446744073709551615,"x\"y\u00e9\n"],"c":{}}"#,
        r#"[]"#,
        r#"{"a":1,"b":2,"a":3}"#,
        r#"1e300"#,
        r#"-0.0"#,
        r#"0.1"#,
        r#"{"k":1.0000000000000002}"#,
        r#""\ud83d\ude00""#,
    ] {
        let (ours, theirs) = both(text);
        assert_eq!(ours.to_string(), theirs.to_string(), "{text}");
        assert_eq!(format!("{ours:#}"), format!("{theirs:#}"), "{text}");
        assert_eq!(
            to_string(&ours).unwrap(),
            serde_json::to_string(&theirs).unwrap()
        );
        assert_eq!(Value::from(theirs.clone()), ours);
        assert_eq!(serde_json::Value::from(ours), theirs);
    }
}

#[test]
fn a_repeated_key_keeps_its_first_place_and_its_last_value() {
    let v = from_str(r#"{"a":1,"b":2,"a":3}"#).unwrap();
    assert_eq!(v.to_string(), r#"{"a":3,"b":2}"#);
    let many: String = (0..40)
        .map(|i| format!("\"k{}\":{i}", i % 20))
        .collect::<Vec<_>>()
        .join(",");
    let (ours, theirs) = both(&format!("{{{many}}}"));
    assert_eq!(ours.to_string(), theirs.to_string());
    assert_eq!(ours.as_object().unwrap().len(), 20);
}

#[test]
fn objects_compare_without_regard_to_order() {
    assert_eq!(json!({"a": 1, "b": [2]}), json!({"b": [2], "a": 1}));
    assert_ne!(json!({"a": 1}), json!({"a": 1, "b": 2}));
    assert_ne!(json!({"a": 1, "b": 2}), json!({"a": 1, "c": 2}));
}

#[test]
fn indexing_and_comparisons_behave_as_serde_json_s() {
    let mut v = json!({"a": {"b": [10, "x"]}});
    assert_eq!(v["a"]["b"][0], 10);
    assert_eq!(v["a"]["b"][1], "x");
    assert!(v["missing"]["deeper"].is_null());
    assert_eq!(v["a"]["b"].type_name(), "array");
    assert_eq!(
        v.get("a").and_then(|a| a.get("b")).map(|b| b[0].clone()),
        Some(json!(10))
    );
    v["new"] = json!(true);
    v["a"]["b"][0] = json!(11);
    assert_eq!(v, json!({"a": {"b": [11, "x"]}, "new": true}));
    let mut n = Value::Null;
    n["k"] = json!(1);
    assert_eq!(n, json!({"k": 1}));
    assert_eq!(json!(1.5), 1.5);
    assert_eq!(json!(-3), -3);
    assert!(json!("s") == "s");
    assert_eq!(Value::from(f64::NAN), Value::Null);
}

#[test]
fn a_big_object_is_indexed_and_stays_consistent() {
    let mut ours = Map::new();
    let mut theirs = serde_json::Map::new();
    for i in 0..100 {
        ours.insert(format!("key{i}"), json!(i));
        theirs.insert(format!("key{i}"), serde_json::json!(i));
    }
    for i in (0..100).step_by(7) {
        assert_eq!(
            ours.remove(format!("key{i}").as_str())
                .map(serde_json::Value::from),
            theirs.remove(&format!("key{i}"))
        );
    }
    for i in (3..100).step_by(11) {
        assert_eq!(
            ours.shift_remove(format!("key{i}").as_str())
                .map(serde_json::Value::from),
            theirs.shift_remove(&format!("key{i}"))
        );
    }
    ours.retain(|k, _| !k.ends_with('5'));
    theirs.retain(|k, _| !k.ends_with('5'));
    let (ours, theirs) = (Value::Object(ours), serde_json::Value::Object(theirs));
    assert_eq!(ours.to_string(), theirs.to_string());
    for i in 0..100 {
        let k = format!("key{i}");
        assert_eq!(
            ours.get(&k).cloned().map(serde_json::Value::from),
            theirs.get(&k).cloned()
        );
    }
}

#[test]
fn entries_insert_and_update() {
    let mut m = Map::new();
    *m.entry("a").or_insert(json!(0)) = json!(1);
    m.entry("a")
        .and_modify(|v| *v = json!(2))
        .or_insert(json!(9));
    m.entry("b").or_insert_with(|| json!([]));
    assert_eq!(Value::Object(m).to_string(), r#"{"a":2,"b":[]}"#);
}

/// JSON documents of a few levels, with repeated keys now and then.
fn document() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        "[a-c\u{e9}\"\\\\]{0,4}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 64, 24, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            prop::collection::vec(("[a-e]{1,2}", inner), 0..24)
                .prop_map(|members| serde_json::Value::Object(members.into_iter().collect())),
        ]
    })
}

#[derive(Debug, Clone)]
enum Op {
    Insert(String, i64),
    Remove(String),
    ShiftRemove(String),
    Retain(char),
}

fn op() -> impl Strategy<Value = Op> {
    let key = "[a-z]{1,2}";
    prop_oneof![
        4 => (key, any::<i64>()).prop_map(|(k, v)| Op::Insert(k, v)),
        1 => key.prop_map(Op::Remove),
        1 => key.prop_map(Op::ShiftRemove),
        1 => prop::char::range('a', 'z').prop_map(Op::Retain),
    ]
}

proptest! {
    #[test]
    fn parsing_and_writing_match_serde_json(doc in document()) {
        let text = doc.to_string();
        let (ours, theirs) = both(&text);
        prop_assert_eq!(ours.to_string(), theirs.to_string());
        prop_assert_eq!(Value::from(theirs), ours.clone());
        prop_assert_eq!(ours.clone(), ours.clone());
    }

    #[test]
    fn map_operations_match_serde_json(ops in prop::collection::vec(op(), 0..200)) {
        let mut ours = Map::new();
        let mut theirs = serde_json::Map::new();
        for op in ops {
            match op {
                Op::Insert(k, v) => {
                    let a = ours.insert(k.as_str(), json!(v)).map(serde_json::Value::from);
                    prop_assert_eq!(a, theirs.insert(k, serde_json::json!(v)));
                }
                Op::Remove(k) => {
                    let a = ours.remove(k.as_str()).map(serde_json::Value::from);
                    prop_assert_eq!(a, theirs.remove(&k));
                }
                Op::ShiftRemove(k) => {
                    let a = ours.shift_remove(k.as_str()).map(serde_json::Value::from);
                    prop_assert_eq!(a, theirs.shift_remove(&k));
                }
                Op::Retain(c) => {
                    ours.retain(|k, _| !k.starts_with(c));
                    theirs.retain(|k, _| !k.starts_with(c));
                }
            }
            prop_assert_eq!(ours.len(), theirs.len());
        }
        let keys: Vec<&str> = ours.keys().map(|k| k.as_str()).collect();
        let their_keys: Vec<&str> = theirs.keys().map(|k| k.as_str()).collect();
        prop_assert_eq!(keys, their_keys);
        for (k, v) in &theirs {
            let mine = ours.get(k.as_str()).cloned().map(serde_json::Value::from);
            prop_assert_eq!(mine.as_ref(), Some(v));
        }
    }
}

#[test]
fn finds_members_of_small_and_large_objects_alike() {
    for n in [0usize, 1, 8, 9, 40] {
        let mut map = Map::new();
        for i in 0..n {
            map.insert(format!("k{i}"), json!(i));
        }
        for i in 0..n {
            assert_eq!(map.get(&format!("k{i}")), Some(&json!(i)));
            *map.get_mut(&format!("k{i}")).expect("present") = json!(-1);
            assert_eq!(map[&format!("k{i}")], json!(-1));
        }
        assert_eq!(map.get("missing"), None);
        assert_eq!(map.get("k"), None);
        assert!(map.get_mut("missing").is_none());
    }
}

#[test]
fn an_occupied_entry_removes_as_serde_json_s_does() {
    for n in [3usize, INDEXED_FROM + 4] {
        let mut ours = Map::new();
        let mut theirs = serde_json::Map::new();
        for i in 0..n {
            ours.insert(format!("k{i}"), json!(i));
            theirs.insert(format!("k{i}"), serde_json::json!(i));
        }
        for key in ["k1", "k0"] {
            let Entry::Occupied(e) = ours.entry(key) else {
                panic!("{key} is present");
            };
            let serde_json::map::Entry::Occupied(t) = theirs.entry(key) else {
                panic!("{key} is present");
            };
            assert_eq!(serde_json::Value::from(e.remove()), t.remove());
        }
        let keys: Vec<&str> = ours.keys().map(|k| k.as_str()).collect();
        let their_keys: Vec<&str> = theirs.keys().map(|k| k.as_str()).collect();
        assert_eq!(keys, their_keys);
        for (k, v) in &theirs {
            assert_eq!(
                ours.get(k.as_str())
                    .cloned()
                    .map(serde_json::Value::from)
                    .as_ref(),
                Some(v)
            );
        }
    }
}
