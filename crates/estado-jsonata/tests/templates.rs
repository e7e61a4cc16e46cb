//! `{% %}` templates: `Output`, `Arguments`, `Assign`, `Items`, ...

mod support;

use estado_json::json;
use estado_jsonata::{unexpected_result_type, JsonataTemplate};
use support::{states, template, Env};

#[test]
fn strings_in_delimiters_are_expressions_at_any_depth() {
    let env = Env::with_vars(json!({"customerName": "María"}));
    let got = template(
        &env,
        json!({
            "static": "Hello",
            "title": "{% $states.input.title %}",
            "name": "{% $customerName %}",
            "not-evaluated": "$customerName",
            "nested": {"list": [1, "{% $number('2') %}", 3], "flag": true}
        }),
        &states(json!({"title": "Doctor"})),
        "Arguments",
    );
    assert_eq!(
        got,
        Ok(json!({
            "static": "Hello",
            "title": "Doctor",
            "name": "María",
            "not-evaluated": "$customerName",
            "nested": {"list": [1, 2, 3], "flag": true}
        }))
    );
}

#[test]
fn a_lone_expression_is_the_whole_value() {
    let env = Env::new();
    let s = states(json!({"items": [1, 2]}));
    assert_eq!(
        template(&env, json!("{% $states.input.items %}"), &s, "Items"),
        Ok(json!([1, 2]))
    );
    assert_eq!(
        template(&env, json!("{% {'foo': 'bar'} %}"), &s, "Output"),
        Ok(json!({"foo": "bar"}))
    );
    assert_eq!(
        template(&env, json!("{% null %}"), &s, "Output"),
        Ok(json!(null))
    );
}

#[test]
fn literal_templates_stay_literal() {
    let t = JsonataTemplate::compile(&json!({"a": [1, {"b": "c"}], "d": "{ % not % }"}))
        .expect("compiles");
    assert!(t.is_literal());
    assert!(t.as_expression().is_none());
    let env = Env::new();
    assert_eq!(
        t.eval(&json!({}), &env.scope(), "Output"),
        Ok(json!({"a": [1, {"b": "c"}], "d": "{ % not % }"}))
    );
}

#[test]
fn undefined_is_an_error_naming_the_field_path() {
    // Recorded on AWS.
    let env = Env::new();
    let s = states(json!({}));
    assert_eq!(
        template(&env, json!("{% $doesNotExist %}"), &s, "Output").expect_err("fails").cause,
        "The JSONata expression '$doesNotExist' specified for the field 'Output' returned nothing (undefined)."
    );
    assert_eq!(
        template(&env, json!({"result": "{% $doesNotExist %}"}), &s, "Output").expect_err("fails").cause,
        "The JSONata expression '$doesNotExist' specified for the field 'Output/result' returned nothing (undefined)."
    );
    let err =
        template(&env, json!({"a": {"b": [0, "{% $x %}"]}}), &s, "Arguments").expect_err("fails");
    assert_eq!(err.error, "States.QueryEvaluationError");
    assert!(
        err.cause.contains("for the field 'Arguments/a/b/1'"),
        "{}",
        err.cause
    );
}

#[test]
fn all_expressions_of_a_template_see_the_same_bindings() {
    let env = Env::with_vars(json!({"v": 10}));
    let s = json!({"input": {"a": 1}, "result": {"b": 2}});
    assert_eq!(
        template(
            &env,
            json!({"whole": "{% $states %}", "a": "{% $states.input.a + $v %}", "b": "{% $states.result.b %}"}),
            &s,
            "Output"
        ),
        Ok(json!({"whole": {"input": {"a": 1}, "result": {"b": 2}}, "a": 11, "b": 2}))
    );
}

#[test]
fn single_expression_templates_expose_their_source_for_type_errors() {
    let t = JsonataTemplate::compile(&json!("{% $ItemsVar %}")).expect("compiles");
    let env = Env::with_vars(json!({"ItemsVar": "string"}));
    let value = t
        .eval(&json!({}), &env.scope(), "Items")
        .expect("evaluates");
    let expr = t.as_expression().expect("one expression");
    let err = unexpected_result_type(expr.source(), "Items", "array", &value);
    assert_eq!(
        err.cause,
        "The JSONata expression '$ItemsVar' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was 'string' for value: \"string\""
    );
}
