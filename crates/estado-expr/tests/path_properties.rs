//! Property tests: the parser and the evaluator never panic, normalized forms re-parse, ResultPath
//! writes what reference paths read, and results agree with `jsonpath-rust` (an RFC 9535
//! implementation) wherever Jayway and RFC 9535 agree.

mod path_support;

use estado_expr::path::Path;
use estado_json::{json, Value};
use jsonpath_rust::JsonPath as _;
use path_support::Env;
use proptest::prelude::*;

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-5i64..20).prop_map(Value::from),
        (-5.0f64..20.0).prop_map(|f| json!(f)),
        prop::sample::select(vec!["a", "b", "x", "", "1"]).prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec(
                (prop::sample::select(vec!["a", "b", "c", "k", "n"]), inner),
                0..5
            )
            .prop_map(|members| Value::Object(
                members
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect()
            )),
        ]
    })
}

/// Steps on which Jayway and RFC 9535 agree (no name unions, no negative or reversed slices,
/// no filters on objects, no `..` before an index).
fn arb_agreeing_step() -> impl Strategy<Value = String> {
    let name = prop::sample::select(vec!["a", "b", "c", "k", "n"]);
    prop_oneof![
        name.clone().prop_map(|n| format!(".{n}")),
        name.clone().prop_map(|n| format!("['{n}']")),
        (0usize..4).prop_map(|i| format!("[{i}]")),
        Just("[*]".to_string()),
        Just(".*".to_string()),
        name.prop_map(|n| format!("..{n}")),
        (0usize..3, 1usize..4).prop_map(|(a, len)| format!("[{a}:{}]", a + len)),
        (0usize..3, 0usize..3)
            .prop_filter("distinct", |(a, b)| a != b)
            .prop_map(|(a, b)| format!("[{a},{b}]")),
    ]
}

fn arb_path_text() -> impl Strategy<Value = String> {
    prop::collection::vec(arb_agreeing_step(), 0..5)
        .prop_map(|steps| format!("${}", steps.concat()))
}

/// Path-flavoured noise, to reach deep into the parser.
fn arb_pathish() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "$", "$$", "@", ".", "..", "[", "]", "(", ")", "?", "*", ":", ",", "'", "\"", "\\",
            "a", "b1", "-1", "0", "7", " ", "==", "!=", "<", ">=", "=~", "/x/i", "&&", "||", "!",
            "in", "nin", "size", "empty", "true", "null", "{", "}", "length()", "max()", "é",
        ]),
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

fn sorted(mut values: Vec<Value>) -> Vec<String> {
    let mut out: Vec<String> = values.drain(..).map(|v| v.to_string()).collect();
    out.sort();
    out
}

/// Our result as a node list (Jayway's absence is the empty list).
fn ours_as_list(path: &Path, doc: &Value) -> Vec<Value> {
    match path.query(doc, &Env::new().scope()).expect("query") {
        None => vec![],
        Some(v) if path.is_definite() => vec![v],
        Some(Value::Array(items)) => items,
        Some(other) => panic!("indefinite path gave a non-array {other}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parse_never_panics(s in "\\PC{0,40}") {
        let _ = Path::parse(&s);
        let _ = Path::parse_reference(&s);
    }

    #[test]
    fn parse_never_panics_on_pathish_text(s in arb_pathish()) {
        if let Ok(path) = Path::parse(&s) {
            // Whatever parses also evaluates without panicking.
            let _ = path.query(&json!({"a": [1, {"b": 2}], "b": "x"}), &Env::new().scope());
        }
        let _ = Path::parse_reference(&s);
    }

    #[test]
    fn query_never_panics(doc in arb_json(), path in arb_path_text()) {
        let path = Path::parse(&path).expect("generated paths parse");
        let _ = path.query(&doc, &Env::new().scope());
        let _ = path.select(&doc, &Env::new().scope());
    }

    #[test]
    fn filters_never_panic(doc in arb_json(), op in prop::sample::select(vec![
        "@.a > 1", "@.a == 'x'", "@ == 1", "@.a", "!@.b", "@.a in [1, 'a']", "@.a size 2",
        "@.a empty true", "@.a =~ /a.*/", "@.k subsetof [1]", "@.n.length() > 1", "$.a",
        "@.a == @.b || @.c < 3 && !(@.a)", "@.a anyof ['x']", "@..a",
    ])) {
        for shape in ["$[?({})]", "$..[?({})]", "$.*[?({})].a", "$[*][?({})]"] {
            let text = shape.replace("{}", op);
            let path = Path::parse(&text).expect("filter paths parse");
            let _ = path.query(&doc, &Env::new().scope());
        }
    }

    #[test]
    fn normalized_form_reparses_to_itself(path in arb_path_text()) {
        let parsed = Path::parse(&path).expect("generated paths parse");
        let normalized = parsed.normalized();
        let again = Path::parse(&normalized).expect("normalized form parses");
        prop_assert_eq!(again.normalized(), normalized);
        prop_assert_eq!(again.is_definite(), parsed.is_definite());
    }

    #[test]
    fn result_path_then_reference_path_reads_the_value(
        names in prop::collection::vec(prop::sample::select(vec!["a", "b", "c"]), 1..4),
        doc in arb_json(),
        value in arb_json(),
    ) {
        let text = format!("${}", names.iter().map(|n| format!(".{n}")).collect::<String>());
        let path = Path::parse_reference(&text).expect("reference path");
        if let Ok(updated) = path.set(doc, value.clone()) {
            prop_assert_eq!(path.query(&updated, &Env::new().scope()).expect("query"), Some(value));
        }
    }

    #[test]
    fn agrees_with_rfc9535_where_jayway_does(doc in arb_json(), text in arb_path_text()) {
        let path = Path::parse(&text).expect("generated paths parse");
        let theirs = serde_json::Value::from(doc.clone());
        let oracle: Vec<Value> = match theirs.query(&text) {
            Ok(found) => found.into_iter().cloned().map(Value::from).collect(),
            Err(_) => return Ok(()),
        };
        prop_assert_eq!(sorted(ours_as_list(&path, &doc)), sorted(oracle), "{} on {}", text, doc);
    }
}

#[test]
fn agrees_with_rfc9535_on_filters_over_arrays() {
    let doc = json!({
        "book": [
            {"category": "reference", "author": "Rees", "price": 8.95},
            {"category": "fiction", "author": "Waugh", "price": 12.99, "isbn": "1"},
            {"category": "fiction", "author": "Melville", "price": 8.99, "isbn": "2"},
            {"category": "fiction", "author": "Tolkien", "price": 22.99}
        ],
        "nums": [1, 5, 10, 15],
        "limit": 10
    });
    for text in [
        "$.book[?(@.price > 10)]",
        "$.book[?(@.price < 10)].author",
        "$.book[?(@.isbn)].author",
        "$.book[?(@.category == 'fiction' && @.price < 20)].author",
        "$.book[?(@.category == 'reference' || @.price > 20)].author",
        "$.book[?(@.author != 'Rees')].price",
        "$.book[?(@.price > $.limit)].author",
        "$.nums[?(@ >= 10)]",
        "$.nums[?(@ == 5)]",
        "$..book[?(@.price <= 8.99)].author",
        "$.book[0:2].author",
        "$.book[-1:].author",
        "$.book[*].isbn",
        "$..author",
        "$..price",
    ] {
        let path = Path::parse(text).unwrap();
        let theirs = serde_json::Value::from(doc.clone());
        let oracle: Vec<Value> = theirs
            .query(text)
            .unwrap()
            .into_iter()
            .cloned()
            .map(Value::from)
            .collect();
        assert_eq!(sorted(ours_as_list(&path, &doc)), sorted(oracle), "{text}");
    }
}
