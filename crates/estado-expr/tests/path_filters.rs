//! Filters `[?(...)]` and path functions, with Jayway's value semantics.

mod path_support;

use estado_json::{json, Value};
use path_support::*;

fn books() -> Value {
    json!({
        "store": {
            "book": [
                {"category": "reference", "author": "Nigel Rees", "title": "Sayings", "price": 8.95},
                {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword", "price": 12.99},
                {"category": "fiction", "author": "Herman Melville", "title": "Moby Dick",
                 "isbn": "0-553-21311-3", "price": 8.99},
                {"category": "fiction", "author": "J. R. R. Tolkien", "title": "The Lord",
                 "isbn": "0-395-19395-8", "price": 22.99}
            ],
            "bicycle": {"color": "red", "price": 19.95}
        },
        "expensive": 10
    })
}

fn titles(expr: &str, expected: &[&str]) {
    give(
        books(),
        &format!("$.store.book[?({expr})].title"),
        json!(expected),
    );
}

#[test]
fn comparisons() {
    titles("@.price > 10", &["Sword", "The Lord"]);
    titles("@.price >= 12.99", &["Sword", "The Lord"]);
    titles("@.price < 9", &["Sayings", "Moby Dick"]);
    titles("@.price <= 8.95", &["Sayings"]);
    titles("@.category == 'reference'", &["Sayings"]);
    titles("@.category == \"reference\"", &["Sayings"]);
    titles("@.category != 'fiction'", &["Sayings"]);
    titles("@.author > 'I'", &["Sayings", "The Lord"]);
}

#[test]
fn string_ordering_is_lexicographic() {
    give(
        json!([{"n": "apple"}, {"n": "banana"}, {"n": "cherry"}]),
        "$[?(@.n > 'b')].n",
        json!(["banana", "cherry"]),
    );
}

#[test]
fn comparing_with_the_document_root() {
    titles("@.price > $.expensive", &["Sword", "The Lord"]);
}

#[test]
fn existence() {
    titles("@.isbn", &["Moby Dick", "The Lord"]);
    titles("!@.isbn", &["Sayings", "Sword"]);
    give(
        json!([{"a": null}, {"b": 1}]),
        "$[?(@.a)]",
        json!([{"a": null}]),
    );
}

#[test]
fn logical_operators_and_precedence() {
    titles("@.price < 10 && @.category == 'fiction'", &["Moby Dick"]);
    titles(
        "@.price > 20 || @.category == 'reference'",
        &["Sayings", "The Lord"],
    );
    // && binds tighter than ||.
    titles(
        "@.category == 'reference' || @.price > 20 && @.isbn",
        &["Sayings", "The Lord"],
    );
    titles(
        "(@.category == 'reference' || @.price > 20) && @.isbn",
        &["The Lord"],
    );
    titles("!(@.price > 10)", &["Sayings", "Moby Dick"]);
    titles("!(@.price > 10 || @.isbn)", &["Sayings"]);
}

#[test]
fn regex_matches_the_whole_value() {
    titles("@.author =~ /.*Rees/", &["Sayings"]);
    titles("@.author =~ /rees/", &[]);
    titles("@.author =~ /.*REES/i", &["Sayings"]);
    titles("@.title =~ /S.*/", &["Sayings", "Sword"]);
}

#[test]
fn list_operators() {
    titles("@.category in ['reference', 'other']", &["Sayings"]);
    titles("@.category nin ['fiction']", &["Sayings"]);
    give(
        json!([{"t": ["a", "b"]}, {"t": ["a", "c"]}, {"t": []}]),
        "$[?(@.t subsetof ['a', 'b'])].t",
        json!([["a", "b"], []]),
    );
    give(
        json!([{"t": ["a", "b"]}, {"t": ["x"]}]),
        "$[?(@.t anyof ['b', 'z'])].t",
        json!([["a", "b"]]),
    );
    give(
        json!([{"t": ["a", "b"]}, {"t": ["x"]}]),
        "$[?(@.t noneof ['b', 'z'])].t",
        json!([["x"]]),
    );
    give(
        json!([{"t": ["a", "b"]}, {"t": "abc"}, {"t": "xyz"}]),
        "$[?(@.t contains 'b')].t",
        json!([["a", "b"], "abc"]),
    );
}

#[test]
fn size_and_empty() {
    let doc = json!([{"v": [1, 2]}, {"v": "ab"}, {"v": []}, {"v": ""}, {"v": 3}]);
    give(doc.clone(), "$[?(@.v size 2)].v", json!([[1, 2], "ab"]));
    give(doc.clone(), "$[?(@.v empty true)].v", json!([[], ""]));
    give(doc, "$[?(@.v empty false)].v", json!([[1, 2], "ab"]));
}

#[test]
fn numbers_and_numeric_strings_compare_equal() {
    let doc = json!([{"v": 1}, {"v": "1"}, {"v": 1.0}, {"v": "x"}, {"v": true}]);
    give(doc.clone(), "$[?(@.v == 1)].v", json!([1, "1", 1.0]));
    give(doc.clone(), "$[?(@.v === 1)].v", json!([1, 1.0]));
    give(doc.clone(), "$[?(@.v == '1')].v", json!([1, "1", 1.0]));
    // Jayway's equality is not symmetric: a string compares with the number's Java text.
    give(doc.clone(), "$[?('1' == @.v)].v", json!([1, "1"]));
    give(doc.clone(), "$[?(@.v == true)].v", json!([true]));
    give(doc, "$[?(@.v != 1)].v", json!(["x", true]));
}

#[test]
fn missing_values_equal_nothing() {
    let doc = json!([{"v": null}, {}]);
    give(doc.clone(), "$[?(@.v == null)]", json!([{"v": null}]));
    give(doc, "$[?(@.v != null)]", json!([{}]));
}

#[test]
fn json_literals() {
    let doc = json!([{"v": [1, 2]}, {"v": {"a": 1}}, {"v": [2, 1]}]);
    give(doc.clone(), "$[?(@.v == [1,2])].v", json!([[1, 2]]));
    give(doc, "$[?(@.v == {\"a\": 1})].v", json!([{"a": 1}]));
}

#[test]
fn filters_on_scalars_and_on_the_current_node() {
    give(json!([1, 5, 10]), "$[?(@ > 3)]", json!([5, 10]));
    give(json!(["a", "b"]), "$[?(@ == 'b')]", json!(["b"]));
    // A filter applied to an object tests the object itself (Jayway).
    give(
        json!({"a": {"x": 1}}),
        "$.a[?(@.x == 1)]",
        json!([{"x": 1}]),
    );
    give(json!({"a": {"x": 1}}), "$.a[?(@.x == 2)]", json!([]));
}

#[test]
fn filters_in_deep_scans_and_nested_filters() {
    give(
        books(),
        "$..book[?(@.price > 20)].author",
        json!(["J. R. R. Tolkien"]),
    );
    give(
        json!({"groups": [{"m": [{"ok": true}]}, {"m": [{"ok": false}]}]}),
        "$.groups[?(@.m[?(@.ok == true)])].m",
        json!([[{"ok": true}], [{"ok": false}]]),
    );
    give(
        json!({"groups": [{"m": [{"ok": true}]}, {"m": []}]}),
        "$.groups[?(@.m[0].ok)].m",
        json!([[{"ok": true}]]),
    );
}

#[test]
fn filter_on_a_missing_or_scalar_target() {
    give(json!({"x": [5]}), "$.x[*][?(@.a)]", json!([]));
    absent(json!({"a": 5}), "$.x[*][?(@.a)]");
    absent(json!({"a": 5}), "$.x[?(@.a)]");
    absent(json!({"a": 5}), "$.a[?(@.a)]");
}

#[test]
fn length_and_size() {
    let doc = json!({"xs": [1, 2, 3], "o": {"a": 1, "b": 2}, "s": "abc"});
    give(doc.clone(), "$.xs.length()", json!(3));
    give(doc.clone(), "$.o.length()", json!(2));
    give(doc.clone(), "$.xs.size()", json!(3));
    give(doc.clone(), "$.s.length()", json!(null));
    give(
        json!([{"a": [1]}, {"a": [1, 2]}]),
        "$[*].a.length()",
        json!([1, 2]),
    );
    give(
        json!([{"a": [1]}, {"a": [1, 2, 3]}]),
        "$[?(@.a.length() > 2)]",
        json!([{"a": [1, 2, 3]}]),
    );
}

#[test]
fn numeric_functions_compute_in_doubles() {
    let doc = json!({"xs": [1, 2, 3, 4], "e": []});
    give(doc.clone(), "$.xs.sum()", json!(10.0));
    give(doc.clone(), "$.xs.min()", json!(1.0));
    give(doc.clone(), "$.xs.max()", json!(4.0));
    give(doc.clone(), "$.xs.avg()", json!(2.5));
    give(doc.clone(), "$.xs.stddev()", json!(1.118033988749895));
    absent(doc, "$.e.sum()");
}

#[test]
fn other_functions() {
    let doc = json!({"xs": [1, 2, 3], "o": {"a": 1, "b": 2}, "w": ["a", "b"], "n": 1});
    give(doc.clone(), "$.o.keys()", json!(["a", "b"]));
    give(doc.clone(), "$.xs.first()", json!(1));
    give(doc.clone(), "$.xs.last()", json!(3));
    give(doc.clone(), "$.xs.index(1)", json!(2));
    give(doc.clone(), "$.xs.index(-1)", json!(3));
    give(doc.clone(), "$.w.concat()", json!("ab"));
    give(doc.clone(), "$.w.concat(\"c\", $.n)", json!("abc1"));
    give(doc.clone(), "$.xs.append(4)", json!([1, 2, 3, 4]));
    give(doc, "$.xs.max(10)", json!(10.0));
}
