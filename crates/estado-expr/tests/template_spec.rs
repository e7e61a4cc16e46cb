//! Payload templates: `"x.$"` members hold paths or intrinsic calls.

mod path_support;

use estado_expr::template::{Dynamic, Template, TemplateError};
use estado_json::{json, Value};
use estado_types::StatesError;
use path_support::Env;

#[track_caller]
fn render(template: Value, input: Value) -> Value {
    render_in(&Env::new(), template, input)
}

#[track_caller]
fn render_in(env: &Env, template: Value, input: Value) -> Value {
    Template::compile(&template)
        .expect("template compiles")
        .eval(&input, &env.scope())
        .expect("template evaluates")
}

#[test]
fn the_spec_example() {
    // From the States Language specification (Parameters).
    assert_eq!(
        render(
            json!({"flagged": true, "parts": {"first.$": "$.vals[0]", "last3.$": "$.vals[3:]"}}),
            json!({"flagged": 7, "vals": [0, 10, 20, 30, 40, 50]}),
        ),
        json!({"flagged": true, "parts": {"first": 0, "last3": [30, 40, 50]}})
    );
}

#[test]
fn static_values_are_copied_at_any_depth() {
    let t = json!({"a": [1, {"b": "$.not.a.path"}], "c": null, "d": "$"});
    assert_eq!(render(t.clone(), json!({})), t);
    assert!(Template::compile(&t).unwrap().is_static());
    assert_eq!(render(json!("scalar"), json!({})), json!("scalar"));
}

#[test]
fn dynamic_members_inside_arrays() {
    assert_eq!(
        render(json!({"list": [{"v.$": "$.x"}, 2]}), json!({"x": "y"})),
        json!({"list": [{"v": "y"}, 2]})
    );
}

#[test]
fn literal_members_beside_dynamic_ones_keep_their_values_and_places_on_every_run() {
    let t = Template::compile(&json!({
        "first": 1,
        "x.$": "$.x",
        "nested": {"deep": [true, null], "y.$": "$.y"},
        "list": {"k": "v"},
        "last": "z"
    }))
    .expect("template compiles");
    let env = Env::new();
    for (x, y) in [(1, "a"), (2, "b")] {
        let out = t
            .eval(&json!({"x": x, "y": y}), &env.scope())
            .expect("template evaluates");
        assert_eq!(
            out,
            json!({"first": 1, "x": x, "nested": {"deep": [true, null], "y": y}, "list": {"k": "v"}, "last": "z"})
        );
        assert_eq!(keys_of(&out), ["first", "x", "nested", "list", "last"]);
    }
}

/// The object's member names, in order.
fn keys_of(v: &Value) -> Vec<&str> {
    v.as_object()
        .expect("an object")
        .keys()
        .map(|k| k.as_str())
        .collect()
}

#[test]
fn members_keep_template_order() {
    let out = render(json!({"z": 1, "a.$": "$.a", "m": 2}), json!({"a": 0}));
    let keys = keys_of(&out);
    assert_eq!(keys, ["z", "a", "m"]);
}

#[test]
fn built_objects_answer_lookups_by_name() {
    // Twelve members (more than the lookups that compare names scan), static and dynamic:
    // every member must be found through the object's own hash index.
    let mut t = estado_json::Map::new();
    for i in 0..12 {
        if i % 2 == 0 {
            t.insert(format!("k{i}.$"), json!(format!("$.v[{i}]")));
        } else {
            t.insert(format!("k{i}"), json!(i));
        }
    }
    let input = json!({"v": (0..12).map(|i| i * 10).collect::<Vec<_>>()});
    let out = render(Value::Object(t), input);
    let out = out.as_object().unwrap();
    for i in 0..12 {
        let want = if i % 2 == 0 { json!(i * 10) } else { json!(i) };
        assert_eq!(out.get(&format!("k{i}")), Some(&want), "k{i}");
    }
    let keys: Vec<String> = out.keys().map(|k| k.to_string()).collect();
    assert_eq!(keys, (0..12).map(|i| format!("k{i}")).collect::<Vec<_>>());
}

#[test]
fn a_static_and_a_dynamic_member_of_one_name_give_one_member() {
    // `a` and `a.$` both emit `a`: the later member's value takes the earlier one's place.
    let out = render(json!({"a": 1, "b": 2, "a.$": "$.x"}), json!({"x": "late"}));
    assert_eq!(out, json!({"a": "late", "b": 2}));
    let keys = keys_of(&out);
    assert_eq!(keys, ["a", "b"]);
}

#[test]
fn context_variables_and_intrinsics() {
    let env = Env::new()
        .with_context(json!({"Execution": {"Id": "arn:exec"}}))
        .with_var("total", json!(42));
    assert_eq!(
        render_in(
            &env,
            json!({
                "id.$": "$$.Execution.Id",
                "total.$": "$total",
                "msg.$": "States.Format('{} items', $.n)",
                "all.$": "$"
            }),
            json!({"n": 3}),
        ),
        json!({"id": "arn:exec", "total": 42, "msg": "3 items", "all": {"n": 3}})
    );
}

#[test]
fn a_missing_path_is_the_recorded_aws_cause() {
    let t = Template::compile(&json!({"value.$": "$$.Execution.Input.no_such_jsonpath"})).unwrap();
    let err = t
        .eval(&json!({"int-literal": 0}), &Env::new().scope())
        .unwrap_err();
    assert_eq!(
        err,
        StatesError::runtime(
            "The JSONPath '$$.Execution.Input.no_such_jsonpath' specified for the field 'value.$' \
             could not be found in the input '{\"int-literal\":0}'"
        )
    );
    let t = Template::compile(&json!({"address.$": "$.application.address"})).unwrap();
    let err = t
        .eval(&json!({"flagged": false}), &Env::new().scope())
        .unwrap_err();
    assert_eq!(
        err.cause,
        "The JSONPath '$.application.address' specified for the field 'address.$' could not be \
         found in the input '{\"flagged\":false}'"
    );
}

#[test]
fn dynamic_values_for_error_path() {
    let d = Dynamic::parse("$.ErrorX").unwrap();
    let err = d
        .eval(&json!({"Error": "e"}), &Env::new().scope(), "ErrorPath")
        .unwrap_err();
    assert_eq!(
        err.cause,
        "The JSONPath '$.ErrorX' specified for the field 'ErrorPath' could not be found in the \
         input '{\"Error\":\"e\"}'"
    );
    let d = Dynamic::parse("States.Format('{}!', $.Error)").unwrap();
    assert!(matches!(d, Dynamic::Intrinsic(_)));
    assert_eq!(
        d.eval(&json!({"Error": "e"}), &Env::new().scope(), "ErrorPath")
            .unwrap(),
        json!("e!")
    );
}

#[test]
fn invalid_templates_name_the_field() {
    let cases = [
        (json!({"a.$": 5}), "a.$"),
        (json!({"nested": {"b.$": "plain text"}}), "b.$"),
        (json!({"c.$": "$.a["}), "c.$"),
        (json!([{"d.$": "States.Nope(1)"}]), "d.$"),
    ];
    for (t, field) in cases {
        let err = Template::compile(&t).unwrap_err();
        assert_eq!(err.field(), field, "{t}");
        assert!(err.to_string().contains(field), "{err}");
    }
    assert!(matches!(
        Template::compile(&json!({"a.$": 5})),
        Err(TemplateError::NotAString { .. })
    ));
}
