//! The functions Step Functions adds to JSONata (AWS docs: "JSONata functions provided by Step
//! Functions"), and the built-ins it replaces.

mod support;

use estado_json::json;
use support::{error_message, give, states, undefined, Env};

fn none() -> estado_json::Value {
    states(json!({}))
}

#[test]
fn partition_chunks_an_array() {
    give(
        none(),
        "$partition([1, 2, 3, 4, 5, 6, 7, 8, 9], 3)",
        json!([[1, 2, 3], [4, 5, 6], [7, 8, 9]]),
    );
    give(
        none(),
        "$partition([0, 1, 2, 3], 3)",
        json!([[0, 1, 2], [3]]),
    );
    give(none(), "$partition([0, 1], 5)", json!([[0, 1]]));
    give(none(), "$partition([0], 1)", json!([[0]]));
    give(none(), "$partition([], 2)", json!([]));
    give(none(), "$partition('single', 2)", json!([["single"]]));
    undefined(none(), "$partition($nothing, 2)");
}

#[test]
fn partition_rejects_bad_sizes() {
    for expr in [
        "$partition([1], 0)",
        "$partition([1], -1)",
        "$partition([1], 1.5)",
    ] {
        let msg = error_message(none(), expr);
        assert!(msg.contains("must be a positive integer"), "{expr}: {msg}");
    }
    assert_eq!(
        error_message(none(), "$partition([1], 'a')"),
        "T0410: Argument 2 of function \"partition\" does not match function signature"
    );
    assert_eq!(
        error_message(none(), "$partition([1], 1, 2)"),
        "T0410: Argument 3 of function \"partition\" does not match function signature"
    );
}

#[test]
fn range_counts_inclusively() {
    give(none(), "$range(0, 10, 2)", json!([0, 2, 4, 6, 8, 10]));
    give(none(), "$range(0, 9, 3)", json!([0, 3, 6, 9]));
    give(none(), "$range(0, 10, 3)", json!([0, 3, 6, 9]));
    give(none(), "$range(1, 9, 2)", json!([1, 3, 5, 7, 9]));
    give(none(), "$range(5, 1, -2)", json!([5, 3, 1]));
    give(none(), "$range(1, 1, 1)", json!([1]));
    give(none(), "$range(5, 1, 1)", json!([]));
    give(none(), "$range(0, 1, 0.5)", json!([0, 0.5, 1]));
}

#[test]
fn range_rejects_a_zero_step_and_huge_ranges() {
    assert!(error_message(none(), "$range(0, 1, 0)").contains("non-zero"));
    assert!(error_message(none(), "$range(0, 1e12, 1)").contains("more than the limit"));
    assert_eq!(
        error_message(none(), "$range('a', 1, 1)"),
        "T0410: Argument 1 of function \"range\" does not match function signature"
    );
}

#[test]
fn hash_supports_aws_algorithms() {
    // The same digests AWS recorded for States.Hash("input data", ...).
    give(
        none(),
        "$hash('input data', 'MD5')",
        json!("812f45842bc6d66ee14572ce20db8e86"),
    );
    give(
        none(),
        "$hash('input data', 'SHA-1')",
        json!("aaff4a450a104cd177d28d18d74485e8cae074b7"),
    );
    give(
        none(),
        "$hash('input data', 'SHA-256')",
        json!("b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"),
    );
    give(
        none(),
        "$hash('abc', 'SHA-384')",
        json!("cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"),
    );
    give(
        none(),
        "$hash('abc', 'SHA-512')",
        json!("ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
    );
    undefined(none(), "$hash($nothing, 'MD5')");
}

#[test]
fn hash_rejects_unknown_algorithms_and_non_strings() {
    assert!(error_message(none(), "$hash('a', 'sha-256')").contains("'sha-256' is not supported"));
    assert_eq!(
        error_message(none(), "$hash(1, 'MD5')"),
        "T0410: Argument 1 of function \"hash\" does not match function signature"
    );
}

#[test]
fn random_without_seed_draws_from_the_execution_entropy() {
    let env = Env::new();
    let a = env
        .eval(&none(), "$random()")
        .expect("ok")
        .expect("defined");
    let b = env
        .eval(&none(), "$random()")
        .expect("ok")
        .expect("defined");
    let n = a.as_f64().expect("number");
    assert!((0.0..1.0).contains(&n), "{n}");
    assert_ne!(a, b, "the entropy source advances");
    // The same entropy state gives the same values (replay).
    let replay = Env::new();
    assert_eq!(replay.eval(&none(), "$random()"), Ok(Some(a)));
    // Two draws in one expression differ.
    let pair = env
        .eval(&none(), "[$random(), $random()]")
        .expect("ok")
        .expect("defined");
    assert_ne!(pair[0], pair[1]);
}

#[test]
fn seeded_random_is_deterministic() {
    // java.util.Random(42).nextDouble()
    give(none(), "$random(42)", json!(0.7275636800328681));
    give(none(), "$random(42) = $random(42)", json!(true));
    give(none(), "$random(1) = $random(2)", json!(false));
    assert_eq!(
        error_message(none(), "$random('fst')"),
        "T0410: Argument 1 of function \"random\" does not match function signature"
    );
}

#[test]
fn an_expression_that_draws_nothing_leaves_the_entropy_alone() {
    let env = Env::new();
    let before = env.entropy.state();
    env.eval(&none(), "$states.input").expect("ok");
    assert_eq!(env.entropy.state(), before);
    env.eval(&none(), "$uuid()").expect("ok");
    assert_ne!(env.entropy.state(), before);
}

#[test]
fn uuid_is_a_version_4_uuid() {
    let env = Env::new();
    let v = env.eval(&none(), "$uuid()").expect("ok").expect("defined");
    let s = v.as_str().expect("string");
    assert_eq!(s.len(), 36);
    let groups: Vec<_> = s.split('-').map(str::len).collect();
    assert_eq!(groups, [8, 4, 4, 4, 12]);
    assert_eq!(&s[14..15], "4");
    assert!(matches!(&s[19..20], "8" | "9" | "a" | "b"), "{s}");
    assert!(s
        .chars()
        .all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    assert_ne!(env.eval(&none(), "$uuid()"), Ok(Some(v)));
}

#[test]
fn parse_reads_json_text() {
    let give_parse = |text: &str, expected: estado_json::Value| {
        give(
            states(json!({"FunctionInput": text})),
            "$parse($states.input.FunctionInput)",
            expected,
        )
    };
    // The cases AWS recorded.
    give_parse("-0", json!(0));
    give_parse("1", json!(1));
    give_parse("1.1", json!(1.1));
    give_parse("true", json!(true));
    give_parse("\"HelloWorld\"", json!("HelloWorld"));
    give_parse("[1, 2, \"HelloWorld\"]", json!([1, 2, "HelloWorld"]));
    give_parse(
        "{\"Arg1\": 1, \"Arg2\": []}",
        json!({"Arg1": 1, "Arg2": []}),
    );
    give(none(), "$parse('{\"a\": {\"b\": 2}}').a.b", json!(2));
    undefined(none(), "$parse($nothing)");
}

#[test]
fn parse_rejects_what_is_not_json() {
    assert!(error_message(none(), "$parse('{oops')").contains("could not parse"));
    assert_eq!(
        error_message(none(), "$parse(1)"),
        "T0410: Argument 1 of function \"parse\" does not match function signature"
    );
}

#[test]
fn eval_is_refused() {
    assert_eq!(
        error_message(none(), "$eval('1 + 1')"),
        "The function $eval is not supported by Step Functions"
    );
}
