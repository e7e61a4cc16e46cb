//! Evaluation failures: `States.QueryEvaluationError` with AWS's cause texts.

mod support;

use estado_json::json;
use estado_jsonata::{Expression, JsonataTemplate};
use support::{error_message, fails, states, template, Env};

#[test]
fn undefined_is_not_an_error_for_a_lone_expression() {
    assert_eq!(
        Env::new().eval(&states(json!({})), "$doesNotExist"),
        Ok(None)
    );
}

#[test]
fn calling_a_missing_function_is_t1006() {
    // Recorded on AWS for the field 'Output/FunctionResult'.
    let env = Env::new();
    let got = template(
        &env,
        json!({"FunctionResult": "{% $randomSeeded($states.input.FunctionInput.fst) %}"}),
        &states(json!({"FunctionInput": "fst"})),
        "Output",
    );
    assert_eq!(
        got.expect_err("fails").cause,
        "The JSONata expression '$randomSeeded($states.input.FunctionInput.fst)' specified for the field 'Output/FunctionResult' threw an error during evaluation. T1006: Attempted to invoke a non-function"
    );
}

#[test]
fn causes_quote_the_expression_and_the_field() {
    fails(
        states(json!({"a": "x"})),
        "$states.input.a + 1",
        "The JSONata expression '$states.input.a + 1' specified for the field 'Output' threw an error during evaluation. T2001: The left side of the \"+\" operator must evaluate to a number",
    );
    let e = Expression::compile("$error('boom')").expect("compiles");
    let env = Env::new();
    let err = e
        .evaluate(&json!({}), &env.scope(), "Arguments/Payload")
        .expect_err("fails");
    assert_eq!(err.error, "States.QueryEvaluationError");
    assert_eq!(
        err.cause,
        "The JSONata expression '$error('boom')' specified for the field 'Arguments/Payload' threw an error during evaluation. D3137: boom"
    );
}

#[test]
fn jsonata_messages_read_as_in_jsonata_js() {
    let s = states(json!({"a": "x"}));
    for (expr, message) in [
        ("1 * 'a'", "T2002: The right side of the \"*\" operator must evaluate to a number"),
        ("$length(1)", "T0410: Argument 1 of function \"length\" does not match function signature"),
        ("$length('a', 'b')", "T0410: Argument 2 of function \"length\" does not match function signature"),
        ("$sum(['a'])", "T0412: Argument 1 of function \"sum\" must be an array of \"numbers\""),
        ("$join([1], ',')", "T0412: Argument 1 of function \"join\" must be an array of \"strings\""),
        ("$number('x')", "D3030: Unable to cast value to a number: \"x\""),
        ("$map([1], 'x')", "T0410: Argument 2 of function \"map\" does not match function signature"),
        ("$append(1)", "T0410: Argument 2 of function \"append\" does not match function signature"),
        ("$string(1/0)", "D3001: Attempting to invoke string function on Infinity or NaN"),
        ("$states.input.a()", "T1006: Attempted to invoke a non-function"),
        ("[1..'a']", "T2004: The right side of the range operator (..) must evaluate to an integer"),
        ("$single([1, 2])", "D3138: The $single() function expected exactly 1 matching result.  Instead it matched more."),
        ("$formatBase(10, 99)", "D3100: The radix of the formatBase function must be between 2 and 36.  It was given 99"),
        ("$assert(false, 'msg')", "D3141: msg"),
    ] {
        assert_eq!(error_message(s.clone(), expr), message, "{expr}");
    }
}

#[test]
fn non_finite_results_are_errors() {
    assert_eq!(
        error_message(states(json!({})), "1/0"),
        "D1001: Number out of range: Infinity"
    );
    assert_eq!(
        error_message(states(json!({})), "{'a': -1/0}"),
        "D1001: Number out of range: -Infinity"
    );
}

#[test]
fn syntax_errors_are_compile_errors() {
    for (src, message) in [
        (
            "$sum([1,2",
            "S0203: Expected \"]\" before end of expression",
        ),
        ("10 + * 2", "S0201: Syntax error: 2"),
        ("(1", "S0203: Expected \")\" before end of expression"),
        ("{'a' 1}", "S0202: Expected \":\", got 1"),
        (
            "'unterminated",
            "S0101: String literal must be terminated by a matching quote",
        ),
        ("1 +", "S0207: Unexpected end of expression"),
        (
            "@",
            "S0211: The symbol \"@\" cannot be used as a unary operator",
        ),
    ] {
        let err = Expression::compile(src).expect_err(src);
        assert_eq!(err.to_string(), message, "{src}");
        assert_eq!(err.code(), message.get(..5), "{src}");
    }
    let err = JsonataTemplate::compile(&json!({"a": ["{% $sum([1,2 %}"]})).expect_err("fails");
    assert_eq!(
        err.message(),
        "S0203: Expected \"]\" before end of expression"
    );
}

#[test]
fn runaway_expressions_stop() {
    let s = states(json!({}));
    // Unbounded recursion hits the depth guard instead of the native stack.
    let msg = error_message(s.clone(), "($f := function($n) { 1 + $f($n + 1) }; $f(0))");
    assert!(msg.starts_with('D') || msg.starts_with('U'), "{msg}");
    // Sequences beyond the bound are refused instead of filling memory.
    let msg = error_message(s, "$count([1..20000000])");
    assert!(msg.starts_with("D2014"), "{msg}");
}
