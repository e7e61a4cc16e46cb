//! What each intrinsic function returns, one test per function, examples from AWS's
//! documentation first.

mod intrinsics_support;

use estado_json::{json, Value};
use intrinsics_support::{eval, eval_seeded, give};

#[test]
fn format() {
    give(
        json!({"name": "Arnav", "template": "Hello, my name is {}."}),
        "States.Format('Hello, my name is {}.', $.name)",
        json!("Hello, my name is Arnav."),
    );
    give(
        json!({"name": "Arnav", "template": "Hello, my name is {}."}),
        "States.Format($.template, $.name)",
        json!("Hello, my name is Arnav."),
    );
    give(json!({}), "States.Format('no holes')", json!("no holes"));
    give(json!({}), "States.Format('{}{}', 1, 'a')", json!("1a"));
}

#[test]
fn format_prints_values_as_java_does() {
    let input = json!({"obj": {"Arg1": 1, "Arg2": []}, "list": [1, "x", null, 1.5, {"k": true}]});
    give(
        input.clone(),
        "States.Format('{}', $.obj)",
        json!("{Arg1=1, Arg2=[]}"),
    );
    give(
        input,
        "States.Format('{}', $.list)",
        json!("[1, x, null, 1.5, {k=true}]"),
    );
    give(json!({}), "States.Format('{}', null)", json!("null"));
    give(
        json!({}),
        "States.Format('{} {}', true, false)",
        json!("true false"),
    );
    give(json!({}), "States.Format('{}', 1.0)", json!("1.0"));
    give(json!({}), "States.Format('{}', 1e7)", json!("1.0E7"));
    give(json!({}), "States.Format('{}', -42)", json!("-42"));
    give(
        json!({"s": "{\"a\": 1}"}),
        "States.Format('={}=', $.s)",
        json!("={\"a\": 1}="),
    );
}

#[test]
fn format_escapes() {
    give(json!({}), r"States.Format('\{\}')", json!("{}"));
    give(json!({}), r"States.Format('\{{}\}', 5)", json!("{5}"));
    give(
        json!({}),
        r"States.Format('it\'s {}', 'me')",
        json!("it's me"),
    );
    give(
        json!({}),
        r"States.Format('back\\slash {}', 1)",
        json!(r"back\slash 1"),
    );
    // A lone brace is text.
    give(
        json!({}),
        "States.Format('a { b } {}', 1)",
        json!("a { b } 1"),
    );
    // A template from the input has no escapes: every {} is a placeholder.
    give(
        json!({"t": "x{}y"}),
        "States.Format($.t, 'Z')",
        json!("xZy"),
    );
}

#[test]
fn string_to_json() {
    give(
        json!({"escapedJsonString": "{\"foo\": \"bar\"}"}),
        "States.StringToJson($.escapedJsonString)",
        json!({"foo": "bar"}),
    );
    give(json!({}), "States.StringToJson('')", Value::Null);
    give(json!({}), "States.StringToJson('  ')", Value::Null);
    give(
        json!({}),
        "States.StringToJson('[1, 2.5, \"x\"]')",
        json!([1, 2.5, "x"]),
    );
    give(
        json!({}),
        "States.StringToJson('\"HelloWorld\"')",
        json!("HelloWorld"),
    );
    give(json!({}), r"States.StringToJson('\{\}')", json!({}));
}

#[test]
fn json_to_string() {
    give(
        json!({"unescapedJson": {"foo": "bar"}}),
        "States.JsonToString($.unescapedJson)",
        json!("{\"foo\":\"bar\"}"),
    );
    give(
        json!({"v": "HelloWorld"}),
        "States.JsonToString($.v)",
        json!("\"HelloWorld\""),
    );
    give(
        json!({"v": [1, 1.5, null, true]}),
        "States.JsonToString($.v)",
        json!("[1,1.5,null,true]"),
    );
    give(
        json!({"v": 1e20}),
        "States.JsonToString($.v)",
        json!("1.0E20"),
    );
    give(
        json!({"v": "a\nb\"c"}),
        "States.JsonToString($.v)",
        json!("\"a\\nb\\\"c\""),
    );
}

#[test]
fn array() {
    give(json!({"Id": 123456}), "States.Array($.Id)", json!([123456]));
    give(json!({}), "States.Array()", json!([]));
    give(
        json!({"a": {"b": 1}}),
        "States.Array('x', 1, -2.5, true, null, $.a, States.Array())",
        json!(["x", 1, -2.5, true, null, {"b": 1}, []]),
    );
}

#[test]
fn array_partition() {
    give(
        json!({"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9]}),
        "States.ArrayPartition($.inputArray, 4)",
        json!([[1, 2, 3, 4], [5, 6, 7, 8], [9]]),
    );
    give(json!({"a": []}), "States.ArrayPartition($.a, 3)", json!([]));
    give(
        json!({"a": [0, 1]}),
        "States.ArrayPartition($.a, 5)",
        json!([[0, 1]]),
    );
}

#[test]
fn array_contains() {
    let input = json!({"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9], "lookingFor": 5});
    give(
        input,
        "States.ArrayContains($.inputArray, $.lookingFor)",
        json!(true),
    );
    give(
        json!({"a": [{"1": 2, "2": []}]}),
        "States.ArrayContains($.a, States.StringToJson('{\"1\": 2, \"2\": []}'))",
        json!(true),
    );
    give(
        json!({"a": [[1, 2, 3], 2]}),
        "States.ArrayContains($.a, null)",
        json!(false),
    );
    give(
        json!({"a": ["x"]}),
        "States.ArrayContains($.a, 'x')",
        json!(true),
    );
}

#[test]
fn array_range() {
    give(
        json!({}),
        "States.ArrayRange(1, 9, 2)",
        json!([1, 3, 5, 7, 9]),
    );
    give(
        json!({}),
        "States.ArrayRange(0, 10, 3)",
        json!([0, 3, 6, 9]),
    );
    give(json!({}), "States.ArrayRange(5, 1, 1)", json!([]));
    give(json!({}), "States.ArrayRange(5, 1, -2)", json!([5, 3, 1]));
    give(
        json!({}),
        "States.ArrayRange(-3, -1, 1)",
        json!([-3, -2, -1]),
    );
    give(
        json!({}),
        "States.ArrayRange(1, 1000, 1)",
        Value::Array((1..=1000).map(Value::from).collect()),
    );
}

#[test]
fn array_get_item() {
    give(
        json!({"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9], "index": 5}),
        "States.ArrayGetItem($.inputArray, $.index)",
        json!(6),
    );
    give(
        json!({"a": ["x", {"y": 1}]}),
        "States.ArrayGetItem($.a, 1)",
        json!({"y": 1}),
    );
}

#[test]
fn array_length() {
    give(
        json!({"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9]}),
        "States.ArrayLength($.inputArray)",
        json!(9),
    );
    give(json!({}), "States.ArrayLength(States.Array())", json!(0));
}

#[test]
fn array_unique() {
    give(
        json!({"inputArray": [1, 2, 3, 3, 3, 3, 3, 3, 4]}),
        "States.ArrayUnique($.inputArray)",
        json!([1, 2, 3, 4]),
    );
    give(
        json!({"a": [{"k": 1}, "x", {"k": 1}, null, "x", null]}),
        "States.ArrayUnique($.a)",
        json!([{"k": 1}, "x", null]),
    );
}

#[test]
fn base64() {
    give(
        json!({"input": "Data to encode"}),
        "States.Base64Encode($.input)",
        json!("RGF0YSB0byBlbmNvZGU="),
    );
    give(
        json!({"base64": "RGF0YSB0byBlbmNvZGU="}),
        "States.Base64Decode($.base64)",
        json!("Data to encode"),
    );
    give(json!({}), "States.Base64Encode('')", json!(""));
    give(json!({}), "States.Base64Decode('')", json!(""));
    give(
        json!({}),
        "States.Base64Encode('héllo ✓')",
        json!("aMOpbGxvIOKckw=="),
    );
    // Padding is optional, as with Java's decoder.
    give(json!({}), "States.Base64Decode('RGF0YQ')", json!("Data"));
    give(
        json!({}),
        "States.Base64Decode(States.Base64Encode('round trip'))",
        json!("round trip"),
    );
}

#[test]
fn hash() {
    let input = json!({"Data": "input data"});
    give(
        input.clone(),
        "States.Hash($.Data, 'MD5')",
        json!("812f45842bc6d66ee14572ce20db8e86"),
    );
    give(
        input.clone(),
        "States.Hash($.Data, 'SHA-1')",
        json!("aaff4a450a104cd177d28d18d74485e8cae074b7"),
    );
    give(
        input.clone(),
        "States.Hash($.Data, 'SHA-256')",
        json!("b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"),
    );
    give(
        input.clone(),
        "States.Hash($.Data, 'SHA-384')",
        json!("d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562"),
    );
    give(
        input,
        "States.Hash($.Data, 'SHA-512')",
        json!("6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4"),
    );
}

#[test]
fn json_merge() {
    give(
        json!({"json1": {"a": {"a1": 1, "a2": 2}, "b": 2}, "json2": {"a": {"a3": 1, "a4": 2}, "c": 3}}),
        "States.JsonMerge($.json1, $.json2, false)",
        json!({"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3}),
    );
    // The second object's value replaces the first's in the first's position.
    let merged = eval(
        &json!({"x": {"k": 1, "m": 2}, "y": {"k": 3}}),
        "States.JsonMerge($.x, $.y, false)",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        serde_json::to_string(&merged).ok(),
        Some(r#"{"k":3,"m":2}"#.to_string())
    );
}

#[test]
fn math_random_stays_in_range() {
    for seed in 0..200 {
        let got = eval_seeded(
            &json!({"start": 1, "end": 999}),
            "States.MathRandom($.start, $.end)",
            seed,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let n = got
            .as_i64()
            .unwrap_or_else(|| panic!("not an integer: {got}"));
        assert!((1..999).contains(&n), "{n}");
    }
    // Rounded bounds: 12.5 -> 13, 44.51 -> 45.
    for seed in 0..100 {
        let got = eval_seeded(&json!({}), "States.MathRandom(12.5, 44.51)", seed)
            .unwrap_or_else(|e| panic!("{e}"));
        let n = got
            .as_i64()
            .unwrap_or_else(|| panic!("not an integer: {got}"));
        assert!((13..45).contains(&n), "{n}");
    }
    give(json!({}), "States.MathRandom(5, 6)", json!(5));
}

#[test]
fn math_random_is_deterministic() {
    // Unseeded: determined by the scope's entropy alone.
    let a = eval_seeded(&json!({}), "States.MathRandom(0, 1000000)", 11);
    let b = eval_seeded(&json!({}), "States.MathRandom(0, 1000000)", 11);
    assert_eq!(a, b);
    // Seeded: Java's `new Random(seed).nextInt(end - start) + start`, whatever the entropy.
    for entropy in [1, 2, 3] {
        assert_eq!(
            eval_seeded(&json!({}), "States.MathRandom(0, 999, 3)", entropy),
            Ok(json!(239))
        );
        assert_eq!(
            eval_seeded(&json!({}), "States.MathRandom(10, 26, -5)", entropy),
            Ok(json!(14))
        );
    }
}

#[test]
fn math_add() {
    give(
        json!({"value1": 111, "step": -1}),
        "States.MathAdd($.value1, $.step)",
        json!(110),
    );
    // Non-integers are rounded first, halves up (Java's Math.round).
    for (a, b, sum) in [
        (1.49, 1.5, 3),
        (-1.5, 0.0, -1),
        (-1.51, 0.0, -2),
        (2.5, 0.0, 3),
        (1.5, 1.51, 4),
        (-3.5, 0.0, -3),
        (-1.5, -1.51, -3),
        (1.49, -1.49, 0),
    ] {
        give(
            json!({"a": a, "b": b}),
            "States.MathAdd($.a, $.b)",
            json!(sum),
        );
    }
    give(
        json!({}),
        "States.MathAdd(2147483647, 2147483647)",
        json!(4294967294_i64),
    );
}

#[test]
fn string_split() {
    give(
        json!({"inputString": "1,2,3,4,5", "splitter": ","}),
        "States.StringSplit($.inputString, $.splitter)",
        json!(["1", "2", "3", "4", "5"]),
    );
    give(
        json!({"inputString": "This.is+a,test=string", "splitter": ".+,="}),
        "States.StringSplit($.inputString, $.splitter)",
        json!(["This", "is", "a", "test", "string"]),
    );
    give(json!({}), "States.StringSplit(',,,,', ',')", json!([]));
    give(json!({}), "States.StringSplit('abc', '')", json!(["abc"]));
    give(json!({}), "States.StringSplit('', ',')", json!([]));
}

#[test]
fn uuid() {
    let got = eval(&json!({}), "States.UUID()").unwrap_or_else(|e| panic!("{e}"));
    let text = got
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {got}"));
    let groups: Vec<&str> = text.split('-').collect();
    assert_eq!(
        groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
        [8, 4, 4, 4, 12],
        "{text}"
    );
    assert!(
        text.chars()
            .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c)),
        "{text}"
    );
    assert!(groups[2].starts_with('4'), "version 4: {text}");
    assert!(
        groups[3].starts_with(['8', '9', 'a', 'b']),
        "RFC 4122 variant: {text}"
    );
    // Same entropy, same UUID; other entropy, another.
    assert_eq!(
        eval_seeded(&json!({}), "States.UUID()", 1),
        eval_seeded(&json!({}), "States.UUID()", 1)
    );
    assert_ne!(
        eval_seeded(&json!({}), "States.UUID()", 1),
        eval_seeded(&json!({}), "States.UUID()", 2)
    );
}

#[test]
fn arguments_from_context_variables_and_nested_calls() {
    give(
        json!({}),
        "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), 0)",
        json!("Machine"),
    );
    give(
        json!({}),
        "States.Format('{} {}', $greeting, $person.name)",
        json!("Hello Ada"),
    );
    give(json!({}), "States.ArrayLength($numbers)", json!(3));
    give(
        json!({}),
        "States.Format('It\\'s {}!', $$.Map.Item.Value)",
        json!("It's Pikachu!"),
    );
    give(
        json!({"ImageRecipe": {"Arn": "arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/my.recipe.name/1.0.0"}}),
        "States.Format('{}.{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 2))",
        json!("1.0.0"),
    );
    // Indefinite paths give arrays; brackets and filters stay inside the path argument.
    give(
        json!({"items": [{"n": 1, "tag": "a,b"}, {"n": 2, "tag": "c"}]}),
        "States.Array($.items[*].n, $.items[?(@.n > 1)].tag, $['items'][0]['tag'])",
        json!([[1, 2], ["c"], "a,b"]),
    );
}
