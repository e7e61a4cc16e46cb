//! The intrinsic call syntax: what parses, what is rejected, and properties that hold for any
//! input (no panics; literals round-trip).

mod intrinsics_support;

use estado_expr::intrinsics::{looks_like_call, Call};
use estado_json::{json, Value};
use intrinsics_support::{eval, give, rejects};
use proptest::prelude::*;

#[test]
fn recognises_calls() {
    assert!(looks_like_call("States.Format('x')"));
    assert!(looks_like_call("States.UUID()"));
    assert!(looks_like_call("States.Anything ("));
    assert!(!looks_like_call("$.States.Format('x')"));
    assert!(!looks_like_call("States.('x')"));
    assert!(!looks_like_call("States.Format"));
    assert!(!looks_like_call(" States.Format('x')"));
    assert!(!looks_like_call("states.Format('x')"));
}

#[test]
fn calls_can_be_shared_between_threads() {
    fn check<T: Clone + std::fmt::Debug + Send + Sync>() {}
    check::<Call>();
    check::<estado_expr::intrinsics::IntrinsicParseError>();
}

#[test]
fn parse_errors_say_where() {
    let err = Call::parse("States.Array(1é)").err();
    assert_eq!(err.as_ref().map(|e| e.offset()), Some(14));
    assert_eq!(err.as_ref().map(|e| e.call()), Some("States.Array(1é)"));
    assert_eq!(
        err.map(|e| e.message().to_string()),
        Some("expected ',' or ')' after an argument".to_string())
    );
}

#[test]
fn names_and_sources() {
    let call = Call::parse("States.ArrayRange(1, 9, 2)").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(call.name(), "States.ArrayRange");
    assert_eq!(call.source(), "States.ArrayRange(1, 9, 2)");
    assert_eq!(call.to_string(), "States.ArrayRange(1, 9, 2)");
}

#[test]
fn literals() {
    give(
        json!({}),
        "States.Array('a b', 0, -7, 2.5, -0.25, 1e3, 2E-2, true, false, null)",
        json!(["a b", 0, -7, 2.5, -0.25, 1000.0, 0.02, true, false, null]),
    );
    give(
        json!({}),
        "States.Array(9223372036854775807)",
        json!([9223372036854775807_i64]),
    );
    give(
        json!({}),
        r"States.Array('\'', '\\', '\{\}', 'a\\\'b')",
        json!(["'", "\\", "{}", "a\\'b"]),
    );
    // Raw control characters and non-ASCII text are kept as they are.
    give(
        json!({}),
        "States.Array('Hello\nWorld', 'día ✓')",
        json!(["Hello\nWorld", "día ✓"]),
    );
    // Commas and parentheses inside strings are text.
    give(
        json!({}),
        "States.Array('a, b)', ')(')",
        json!(["a, b)", ")("]),
    );
}

#[test]
fn blanks_between_tokens() {
    give(
        json!({"a": 1}),
        "States.Array (  $.a ,\n\t2 , States.Array( ) )  ",
        json!([1, 2, []]),
    );
    give(
        json!({}),
        "States.UUID( )",
        eval(&json!({}), "States.UUID()").unwrap_or(Value::Null),
    );
}

#[test]
fn rejects_malformed_calls() {
    rejects("States.Nope(1)", "unknown intrinsic function 'States.Nope'");
    rejects(
        "States.format('x')",
        "unknown intrinsic function 'States.format'",
    );
    rejects("Format('x')", "starting with 'States.'");
    rejects("States.Array(1", "missing ')'");
    rejects("States.Array(1,", "missing ')'");
    rejects("States.Array('abc)", "unterminated string literal");
    rejects("States.Array('abc\\')", "unterminated string literal");
    // Only \', \{, \} and \\ are escapes: AWS rejects `\"` (a recorded CreateStateMachine).
    rejects(
        r#"States.StringToJson('{"a":"b \"c\""}')"#,
        r#"invalid escape sequence '\"'"#,
    );
    rejects(r"States.Format('a\nb')", r"invalid escape sequence '\n'");
    rejects("States.Array(1 2)", "expected ',' or ')'");
    rejects("States.Array(1,)", "expected an argument");
    rejects("States.Array(,1)", "expected an argument");
    rejects(
        "States.Array(1))",
        "unexpected text after the closing parenthesis",
    );
    rejects("States.Array(1) x", "unexpected text");
    rejects("States.Array(\"x\")", "expected an argument");
    rejects("States.Array(True)", "expected an argument");
    rejects("States.Array(nulls)", "expected an argument");
    rejects("States.Array(-)", "invalid number '-'");
    rejects("States.Array(1.2.3)", "invalid number '1.2.3'");
    rejects("States.Array($.a[)", "invalid path '$.a[)'");
    rejects("States.Array", "expected '('");
}

#[test]
fn rejects_argument_counts_no_function_accepts() {
    rejects(
        "States.UUID(1)",
        "States.UUID takes exactly 0 arguments, but 1 was given",
    );
    rejects(
        "States.MathAdd(1)",
        "States.MathAdd takes exactly 2 arguments, but 1 was given",
    );
    rejects(
        "States.ArrayRange(1, 2)",
        "States.ArrayRange takes exactly 3 arguments, but 2 were given",
    );
    rejects(
        "States.MathRandom(1)",
        "States.MathRandom takes 2 to 3 arguments, but 1 was given",
    );
    rejects(
        "States.MathRandom(1, 2, 3, 4)",
        "States.MathRandom takes 2 to 3 arguments, but 4 were given",
    );
    rejects(
        "States.Format()",
        "States.Format takes at least 1 argument, but 0 were given",
    );
    rejects(
        "States.JsonMerge($.a, $.b)",
        "States.JsonMerge takes exactly 3 arguments, but 2 were given",
    );
    rejects(
        "States.Array(States.Hash('x'))",
        "States.Hash takes exactly 2 arguments, but 1 was given",
    );
    rejects(
        "States.Format(1, 2)",
        "States.Format's first argument must be a string, but was: 1",
    );
}

#[test]
fn nesting_is_limited_to_ten_calls() {
    let nest = |depth: usize| format!("{}1{}", "States.Array(".repeat(depth), ")".repeat(depth));
    assert!(Call::parse(&nest(10)).is_ok());
    rejects(&nest(11), "nested at most 10 deep");
    rejects(&nest(10_000), "nested at most 10 deep");
}

/// Writes `s` as an intrinsic string literal.
fn quote(s: &str) -> String {
    let mut out = String::from("'");
    for c in s.chars() {
        if matches!(c, '\'' | '\\' | '{' | '}') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

proptest! {
    #[test]
    fn parsing_never_panics(src in "\\PC*") {
        let _ = Call::parse(&src);
    }

    #[test]
    fn parsing_call_like_text_never_panics(
        name in "(Format|Array|ArrayRange|MathAdd|Hash|UUID|X)",
        body in "[ -~\\n]{0,40}",
    ) {
        let src = format!("States.{name}({body}");
        if let Ok(call) = Call::parse(&src) {
            prop_assert!(looks_like_call(&src));
            let _ = eval(&json!({"a": [1, "x"], "b": {"c": null}}), call.source());
        }
    }

    #[test]
    fn string_literals_round_trip(s in "\\PC*") {
        let src = format!("States.Array({})", quote(&s));
        prop_assert_eq!(eval(&json!({}), &src), Ok(json!([s.clone()])));
        // Every brace is escaped, so Format has no placeholders and returns the text itself.
        let src = format!("States.Format({})", quote(&s));
        prop_assert_eq!(eval(&json!({}), &src), Ok(json!(s)));
    }

    #[test]
    fn integer_literals_round_trip(i in any::<i64>()) {
        prop_assert_eq!(eval(&json!({}), &format!("States.Array({i})")), Ok(json!([i])));
    }

    #[test]
    fn float_literals_round_trip(f in any::<f64>().prop_filter("finite", |f| f.is_finite())) {
        let src = format!("States.Array({f:?})");
        let got = eval(&json!({}), &src).map(|v| v[0].as_f64());
        prop_assert_eq!(got, Ok(Some(f)));
    }

    #[test]
    fn evaluation_never_panics(
        name in prop::sample::select(vec![
            "Format", "StringToJson", "JsonToString", "Array", "ArrayPartition", "ArrayContains",
            "ArrayRange", "ArrayGetItem", "ArrayLength", "ArrayUnique", "Base64Encode",
            "Base64Decode", "Hash", "JsonMerge", "MathRandom", "MathAdd", "StringSplit", "UUID",
        ]),
        args in prop::collection::vec(prop::sample::select(vec![
            "'{}'", "'SHA-1'", "'a,b'", "''", "','", "0", "-1", "3", "2.5", "1e9", "-2147483649",
            "true", "false", "null", "$.arr", "$.obj", "$.str", "$.num", "$", "States.Array()",
        ]), 0..4),
    ) {
        let src = format!("States.{name}({})", args.join(", "));
        if let Ok(call) = Call::parse(&src) {
            let input = json!({"arr": [1, 1, "x", {"k": []}], "obj": {"k": 1}, "str": "{\"a\":1}", "num": 7.5});
            let _ = eval(&input, call.source());
        }
    }
}
