//! Roots, names, indexes and result shaping.

mod path_support;

use estado_expr::path::{Path, Root};
use estado_json::json;
use path_support::*;

#[test]
fn root_is_the_whole_input() {
    give(json!({"a": 1}), "$", json!({"a": 1}));
    give(json!("text"), "$", json!("text"));
}

#[test]
fn dot_and_bracket_names() {
    let doc = json!({"a": {"b": {"c": 3}}, "with space": 1, "a-b": 2, "q'uote": 4});
    give(doc.clone(), "$.a.b.c", json!(3));
    give(doc.clone(), "$['a']['b']['c']", json!(3));
    give(doc.clone(), "$[\"a\"][\"b\"]", json!({"c": 3}));
    give(doc.clone(), "$['with space']", json!(1));
    give(doc.clone(), "$.a-b", json!(2));
    give(doc.clone(), "$.a.['b'].c", json!(3));
    give(doc, "$['q\\'uote']", json!(4));
}

#[test]
fn unicode_names() {
    give(json!({"ключ": {"名前": true}}), "$.ключ.名前", json!(true));
}

#[test]
fn indexes_count_from_either_end() {
    let doc = json!({"xs": [10, 20, 30]});
    give(doc.clone(), "$.xs[0]", json!(10));
    give(doc.clone(), "$.xs[-1]", json!(30));
    give(doc.clone(), "$.xs[ 1 ]", json!(20));
    absent(doc.clone(), "$.xs[3]");
    absent(doc, "$.xs[-4]");
}

#[test]
fn index_unions_are_indefinite() {
    let doc = json!({"xs": [10, 20, 30]});
    give(doc.clone(), "$.xs[0,2]", json!([10, 30]));
    give(doc.clone(), "$.xs[2,0,9]", json!([30, 10]));
    give(doc, "$.xs[0, -1]", json!([10, 30]));
}

#[test]
fn name_unions_merge_at_the_end_and_branch_in_the_middle() {
    let doc = json!({"a": {"x": 1}, "b": {"x": 2}, "c": 3});
    give(doc.clone(), "$['a','c']", json!({"a": {"x": 1}, "c": 3}));
    give(doc.clone(), "$['a','missing']", json!({"a": {"x": 1}}));
    give(doc, "$['a','b'].x", json!([1, 2]));
}

#[test]
fn slices_follow_jayway() {
    let doc = json!([0, 1, 2, 3, 4]);
    give(doc.clone(), "$[1:3]", json!([1, 2]));
    give(doc.clone(), "$[:2]", json!([0, 1]));
    give(doc.clone(), "$[-2:]", json!([3, 4]));
    give(doc.clone(), "$[3:]", json!([3, 4]));
    give(doc.clone(), "$[:-1]", json!([0, 1, 2, 3]));
    give(doc.clone(), "$[2:99]", json!([2, 3, 4]));
    // Jayway quirks: a negative end in [from:to] selects nothing; a negative start is
    // normalised element by element.
    give(doc.clone(), "$[1:-1]", json!([]));
    give(doc.clone(), "$[-2:5]", json!([3, 4, 0, 1, 2, 3, 4]));
    give(json!([]), "$[0:2]", json!([]));
}

#[test]
fn slice_steps_are_not_jayway() {
    rejected("$[::2]");
    rejected("$[:]");
}

#[test]
fn wildcards() {
    let doc = json!({"a": {"x": 1, "y": 2}, "b": [3, 4]});
    give(doc.clone(), "$.a.*", json!([1, 2]));
    give(doc.clone(), "$.a[*]", json!([1, 2]));
    give(doc.clone(), "$.b[*]", json!([3, 4]));
    give(doc.clone(), "$.*", json!([{"x": 1, "y": 2}, [3, 4]]));
    give(doc, "$[*][*]", json!([1, 2, 3, 4]));
    give(json!(5), "$.*", json!([]));
}

#[test]
fn wildcard_then_member_skips_what_lacks_it() {
    let doc = json!({"items": [{"id": 1}, {"name": "x"}, 7, {"id": 3}]});
    give(doc, "$.items[*].id", json!([1, 3]));
}

#[test]
fn deep_scan() {
    let doc = json!({
        "store": {
            "book": [
                {"author": "A", "price": 8},
                {"author": "B", "price": 12, "isbn": "x"}
            ],
            "bicycle": {"color": "red", "price": 19}
        }
    });
    give(doc.clone(), "$..author", json!(["A", "B"]));
    give(doc.clone(), "$.store..price", json!([8, 12, 19]));
    give(doc.clone(), "$..book[0].author", json!(["A"]));
    give(doc.clone(), "$..book[-1].author", json!(["B"]));
    // A merged name list after `..` only matches objects that have every name (Jayway).
    give(
        doc.clone(),
        "$..['color','price']",
        json!([{"color": "red", "price": 19}]),
    );
    give(doc.clone(), "$..['color','isbn']", json!([]));
    give(
        doc.clone(),
        "$..*",
        json!([
            {"book": [{"author": "A", "price": 8}, {"author": "B", "price": 12, "isbn": "x"}],
             "bicycle": {"color": "red", "price": 19}},
            [{"author": "A", "price": 8}, {"author": "B", "price": 12, "isbn": "x"}],
            {"color": "red", "price": 19},
            {"author": "A", "price": 8},
            {"author": "B", "price": 12, "isbn": "x"},
            "A", 8, "B", 12, "x", "red", 19
        ]),
    );
    give(doc, "$..[0]", json!([{"author": "A", "price": 8}]));
}

#[test]
fn definite_paths_give_a_value_or_nothing() {
    absent(json!({"a": 1}), "$.b");
    absent(json!({"a": 1}), "$.b.c");
    absent(json!({"a": "text"}), "$.a.b");
    absent(json!({"a": null}), "$.a[0]");
    give(json!({"a": null}), "$.a", json!(null));
}

#[test]
fn indefinite_paths_give_arrays_even_when_empty() {
    give(json!({"a": 1}), "$.a[*]", json!([]));
    give(json!({"a": {"b": 1}}), "$.*.c", json!([]));
    give(json!({"a": [1]}), "$.a[5:]", json!([]));
    give(json!({}), "$..x", json!([]));
}

#[test]
fn a_missing_member_before_the_first_indefinite_step_is_absence() {
    // Jayway raises "Missing property" while the path so far is definite.
    absent(json!({"a": 1}), "$.b[*]");
    absent(json!({"a": 1}), "$.b..c");
}

#[test]
fn context_and_variable_roots() {
    let env = Env::new()
        .with_context(json!({"Execution": {"Id": "arn:x", "Input": {"k": [1, 2]}}}))
        .with_var("order", json!({"items": [{"sku": "a"}, {"sku": "b"}]}))
        .with_var("n", json!(5));
    give_in(&env, json!({}), "$$.Execution.Id", json!("arn:x"));
    give_in(&env, json!({}), "$$.Execution.Input.k[1]", json!(2));
    give_in(&env, json!({}), "$$", env.context.clone());
    give_in(&env, json!({}), "$order.items[*].sku", json!(["a", "b"]));
    give_in(&env, json!({}), "$n", json!(5));
    let missing = Path::parse("$nope.x").unwrap();
    assert_eq!(missing.query(&json!({}), &env.scope()).unwrap(), None);
}

#[test]
fn roots_are_reported() {
    assert_eq!(Path::parse("$.a").unwrap().root(), &Root::Input);
    assert_eq!(Path::parse("$$.a").unwrap().root(), &Root::Context);
    assert_eq!(
        Path::parse("$my_var.a").unwrap().root(),
        &Root::Variable("my_var".into())
    );
    assert_eq!(Path::parse("$.a").unwrap().source(), "$.a");
}

#[test]
fn definiteness() {
    for p in [
        "$",
        "$.a",
        "$.a[0].b",
        "$['a']",
        "$['a','b']",
        "$.a.length()",
        "$$.x",
        "$v.y",
    ] {
        assert!(Path::parse(p).unwrap().is_definite(), "{p} is definite");
    }
    for p in [
        "$.a[*]",
        "$..a",
        "$.a[0,1]",
        "$.a[1:]",
        "$.a[?(@.b)]",
        "$['a','b'].c",
        "$.*",
    ] {
        assert!(!Path::parse(p).unwrap().is_definite(), "{p} is indefinite");
    }
}

#[test]
fn normalized_form() {
    let cases = [
        ("$", "$"),
        ("$.a.b", "$['a']['b']"),
        ("$.a[0]", "$['a'][0]"),
        ("$[\"a\"]", "$[\"a\"]"),
        ("$['a','b']", "$['a','b']"),
        ("$.a[*]", "$['a'][*]"),
        ("$.*", "$[*]"),
        ("$..a", "$..['a']"),
        ("$.a[1:3]", "$['a'][1:3]"),
        ("$.a[?(@.b)]", "$['a'][?]"),
        ("$.a.length()", "$['a'].length()"),
        ("$$.Execution.Id", "$['Execution']['Id']"),
    ];
    for (src, want) in cases {
        assert_eq!(Path::parse(src).unwrap().normalized(), want, "{src}");
    }
}

#[test]
fn malformed_paths_are_rejected() {
    for p in [
        "",
        "a",
        "$.",
        "$..",
        "$.a.",
        "$a b",
        "$.a b",
        "$[",
        "$['a'",
        "$['a]",
        "$[a]",
        "$[0",
        "$.a[?(@.b]",
        "$.a[*",
        "$[1:2:3:x]",
        "$...a",
        "$.a()",
        "$.nosuch()",
        "$[99999999999]",
        "$.a.length().b",
        "$ ",
        "$$$",
        "$[?(@.a == )]",
    ] {
        rejected(p);
    }
}

#[test]
fn reference_paths_select_single_nodes_only() {
    for p in [
        "$",
        "$.a",
        "$['a'].b[0]",
        "$.a[-1]",
        "$$.Execution.Id",
        "$var.a",
    ] {
        assert!(Path::parse_reference(p).is_ok(), "{p} is a reference path");
    }
    for p in [
        "$.a[*]",
        "$..a",
        "$.a[0,1]",
        "$.a[1:]",
        "$.a[?(@.b)]",
        "$['a','b']",
        "$.*",
        "$.a.length()",
    ] {
        assert!(
            Path::parse_reference(p).is_err(),
            "{p} is not a reference path"
        );
    }
}

#[test]
fn paths_are_send_sync_clone() {
    fn check<T: Send + Sync + Clone + std::fmt::Debug>() {}
    check::<Path>();
    check::<estado_expr::template::Template>();
}

#[test]
fn a_wildcard_under_an_indefinite_step_skips_primitives() {
    // Found by the RFC 9535 property test: the null at index 1 has nothing under `[*]`, and the
    // object at index 0 still gives its member's first element.
    let doc = json!([{"a": [null]}, null]);
    give(doc.clone(), "$[1,0][*][0]", json!([null]));
    give(doc.clone(), "$[0,1][*][0]", json!([null]));
    give(doc, "$[*][*][0]", json!([null]));
}
