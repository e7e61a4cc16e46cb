//! Property tests: compiling and evaluating never panic, whatever the text or data.

mod support;

use estado_json::{json, Value};
use estado_jsonata::{expression_text, Expression, JsonataTemplate};
use proptest::prelude::*;
use support::Env;

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        "[a-z$%{} ]{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-c]", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Expression-shaped text: JSONata tokens glued together, mostly meaningful, often not.
fn arb_expression() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("$states.input"),
        Just("$states.input.a"),
        Just("$states"),
        Just("$v"),
        Just("$x"),
        Just("1"),
        Just("0"),
        Just("-1.5"),
        Just("'s'"),
        Just("null"),
        Just("true"),
        Just("["),
        Just("]"),
        Just("("),
        Just(")"),
        Just("{"),
        Just("}"),
        Just(","),
        Just(":"),
        Just(";"),
        Just("."),
        Just(".."),
        Just("+"),
        Just("-"),
        Just("*"),
        Just("/"),
        Just("%"),
        Just("&"),
        Just("="),
        Just("<"),
        Just("?"),
        Just(":="),
        Just("~>"),
        Just("^"),
        Just("@"),
        Just("#"),
        Just("*"),
        Just("**"),
        Just("and"),
        Just("in"),
        Just("function($p){$p}"),
        Just("$partition("),
        Just("$range("),
        Just("$hash("),
        Just("$random("),
        Just("$uuid("),
        Just("$parse("),
        Just("$now("),
        Just("$millis("),
        Just("$eval("),
        Just("$sum("),
        Just("$string("),
        Just("$map("),
        Just("$reduce("),
        Just("$sort("),
        Just("$lookup("),
        Just("$error("),
    ];
    prop::collection::vec(token, 0..12).prop_map(|tokens| tokens.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn compiling_arbitrary_text_never_panics(src in ".{0,64}") {
        let _ = Expression::compile(&src);
    }

    #[test]
    fn evaluating_never_panics(src in arb_expression(), input in arb_json(), var in arb_json()) {
        if let Ok(expr) = Expression::compile(&src) {
            let env = Env::with_vars(json!({"v": var}));
            let states = json!({"input": input, "context": {}});
            let result = expr.evaluate(&states, &env.scope(), "Output");
            if let Err(e) = result {
                prop_assert_eq!(e.error, "States.QueryEvaluationError");
                let prefix = format!("The JSONata expression '{src}' specified for the field 'Output' ");
                prop_assert!(e.cause.starts_with(&prefix), "{}", e.cause);
            }
        }
    }

    #[test]
    fn templates_without_delimited_strings_are_literal(value in arb_json()) {
        let has_expr = value.to_string().contains("{%");
        if !has_expr {
            let t = JsonataTemplate::compile(&value).expect("literal templates compile");
            let env = Env::new();
            prop_assert_eq!(t.eval(&json!({}), &env.scope(), "Output"), Ok(value));
        }
    }

    #[test]
    fn delimiters_round_trip(inner in ".{0,32}") {
        let wrapped = format!("{{%{inner}%}}");
        prop_assert_eq!(expression_text(&wrapped), Some(inner.trim()));
    }

    #[test]
    fn input_values_come_back_unchanged(input in arb_json()) {
        let env = Env::new();
        let got = env.eval(&json!({"input": input.clone()}), "$states.input");
        // JSONata computes in f64: compare through the same lens.
        let expected = normalise(&input);
        prop_assert_eq!(got.map(|v| v.map(|v| normalise(&v))), Ok(Some(expected)));
    }
}

/// Integers beyond 2^53 lose precision in f64 exactly as JavaScript's do.
fn normalise(v: &Value) -> Value {
    match v {
        Value::Number(n) => json!(n.as_f64().unwrap_or_default()),
        Value::Array(items) => Value::Array(items.iter().map(normalise).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), normalise(v))).collect())
        }
        other => other.clone(),
    }
}

#[test]
fn deeply_nested_text_does_not_overflow_the_stack() {
    for depth in [100, 1_000, 10_000] {
        let src = format!("{}1{}", "(".repeat(depth), ")".repeat(depth));
        let _ = Expression::compile(&src);
        let src = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        if let Ok(e) = Expression::compile(&src) {
            let env = Env::new();
            let _ = e.evaluate(&json!({}), &env.scope(), "Output");
        }
    }
}
