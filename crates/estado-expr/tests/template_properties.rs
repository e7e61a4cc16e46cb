//! Property tests: compiling and evaluating arbitrary templates never panics, and templates
//! without `"x.$"` members evaluate to themselves.

mod path_support;

use estado_expr::template::Template;
use estado_json::{json, Map, Value};
use path_support::Env;
use proptest::prelude::*;

fn arb_template() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<i32>().prop_map(Value::from),
        prop::sample::select(vec![
            "$",
            "$.a",
            "$.b[0]",
            "$..a",
            "$$.Execution.Id",
            "$v.x",
            "$.a[?(@.k > 1)]",
            "States.Format('{}', $.a)",
            "States.Array(1, $.b)",
            "States.Nope(",
            "plain",
            "$[",
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop::sample::select(vec!["a", "b.$", "c", "d.$", ".$"]),
                    inner
                ),
                0..4
            )
            .prop_map(|members| Value::Object(
                members
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect::<Map>()
            )),
        ]
    })
}

fn has_dynamic_member(v: &Value) -> bool {
    match v {
        Value::Object(map) => map
            .iter()
            .any(|(k, v)| k.ends_with(".$") || has_dynamic_member(v)),
        Value::Array(items) => items.iter().any(has_dynamic_member),
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn compile_and_eval_never_panic(t in arb_template()) {
        if let Ok(template) = Template::compile(&t) {
            let env = Env::new().with_var("v", json!({"x": 1}));
            let _ = template.eval(&json!({"a": [1, {"k": 2}], "b": ["x"]}), &env.scope());
        }
    }

    #[test]
    fn static_templates_are_copied(t in arb_template()) {
        prop_assume!(!has_dynamic_member(&t));
        let template = Template::compile(&t).expect("static templates compile");
        prop_assert!(template.is_static());
        prop_assert_eq!(template.eval(&json!({}), &Env::new().scope()).expect("eval"), t);
    }
}
