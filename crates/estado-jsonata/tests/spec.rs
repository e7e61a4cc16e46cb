//! Expressions as ASL uses them: `$states`, workflow variables, JSONata semantics, numbers.

mod support;

use estado_json::json;
use support::{give, states, undefined, Env};

#[test]
fn states_input_is_bound() {
    give(states(json!({"a": 1})), "$states.input.a + 1", json!(2));
    give(
        states(json!({"a": [1, 2, 3]})),
        "$states.input.a[$ > 1]",
        json!([2, 3]),
    );
    give(
        states(json!({"input_data": "test"})),
        "$states.input",
        json!({"input_data": "test"}),
    );
    give(
        states(json!({"part1": {"hello": "world"}, "part2": {"foo": "bar"}})),
        "$merge([$states.input.part1, $states.input.part2])",
        json!({"hello": "world", "foo": "bar"}),
    );
}

#[test]
fn every_field_of_states_is_visible() {
    let s = json!({
        "input": {"x": 1},
        "result": {"Payload": "p"},
        "errorOutput": {"Error": "E", "Cause": "C"},
        "context": {"Execution": {"Id": "arn"}, "Map": {"Item": {"Value": 5}}}
    });
    give(s.clone(), "$states.result.Payload", json!("p"));
    give(s.clone(), "$states.errorOutput.Error", json!("E"));
    give(s.clone(), "$states.context.Map.Item.Value", json!(5));
    give(
        s.clone(),
        "$states.context.Execution.Id & '/' & $states.input.x",
        json!("arn/1"),
    );
    give(
        s.clone(),
        "$keys($states)",
        json!(["input", "result", "errorOutput", "context"]),
    );
    give(s, "$states.input.x + $count($keys($states))", json!(5));
}

#[test]
fn missing_values_are_undefined() {
    undefined(states(json!({})), "$states.input.nothing");
    undefined(states(json!({})), "$doesNotExist");
    undefined(states(json!({})), "$states.result");
}

#[test]
fn workflow_variables_are_bound_by_name() {
    let env =
        Env::with_vars(json!({"varname": {"varfield": 3}, "var_constant_1": 10, "theAnswer": 42}));
    let s = states(json!({"input_values": [1, 2]}));
    assert_eq!(env.eval(&s, "$varname.varfield"), Ok(Some(json!(3))));
    assert_eq!(env.eval(&s, "$theAnswer"), Ok(Some(json!(42))));
    assert_eq!(
        env.eval(&s, "$sum($states.input.input_values) + $var_constant_1"),
        Ok(Some(json!(13)))
    );
    // A local binding shadows a workflow variable of the same name.
    assert_eq!(
        env.eval(&s, "($theAnswer := 1; $theAnswer)"),
        Ok(Some(json!(1)))
    );
    assert_eq!(
        env.eval(&s, "$map([1, 2], function($theAnswer) { $theAnswer * 2 })"),
        Ok(Some(json!([2, 4])))
    );
}

#[test]
fn the_jsonata_language_is_complete() {
    let s = states(json!({
        "data": {"firstname": "Ana", "lastname": "Li", "address": {"street": " 1 Main ", "city": "X"},
                 "interests": [{"category": "home", "type": "house", "yearBuilt": 1990, "estimatedValue": 10},
                               {"category": "home", "type": "flat", "yearBuilt": 2000, "estimatedValue": 5},
                               {"category": "car", "type": "car", "yearBuilt": 2010, "estimatedValue": 1}]}
    }));
    give(
        s.clone(),
        "$states.input.data.firstname & ' ' & $states.input.data.lastname",
        json!("Ana Li"),
    );
    give(
        s.clone(),
        "$join($each($states.input.data.address, function($v) { $trim($v) }), ', ')",
        json!("1 Main, X"),
    );
    give(
        s.clone(),
        "$states.input.data.interests[category = 'home']{'total': $sum(estimatedValue)}",
        json!({"total": 15}),
    );
    give(
        s.clone(),
        "$states.input.data.interests^(>yearBuilt).type",
        json!(["car", "flat", "house"]),
    );
    give(s.clone(), "$count($states.input.data.interests)", json!(3));
    give(
        s.clone(),
        "$states.input.data.interests[0].type",
        json!("house"),
    );
    give(
        s.clone(),
        "$contains('hello$world', /^hello\\$/)",
        json!(true),
    );
    give(
        s.clone(),
        "$contains('hello$world', /^hello\\ /)",
        json!(false),
    );
    give(s.clone(), "$number('2')", json!(2));
    give(s.clone(), "[1..3]", json!([1, 2, 3]));
    give(s.clone(), "$not(null in [1, 2])", json!(true));
    give(s.clone(), "$exists($x) ? 'yes' : 'no'", json!("no"));
    give(s.clone(), "$string({'a': [1, 2]})", json!("{\"a\":[1,2]}"));
    give(
        s.clone(),
        "$formatNumber(12.345, '#,##0.00')",
        json!("12.34"),
    );
    give(s.clone(), "$uppercase('abc')", json!("ABC"));
    give(
        s,
        "($f := function($n) { $n <= 1 ? 1 : $n * $f($n - 1) }; $f(5))",
        json!(120),
    );
}

#[test]
fn numbers_come_back_as_javascript_writes_them() {
    let s = states(json!({}));
    give(s.clone(), "1 + 1", json!(2));
    give(s.clone(), "1/3", json!(0.3333333333333333));
    give(s.clone(), "0.1 + 0.2", json!(0.30000000000000004));
    give(s.clone(), "1e18 + 1", json!(1_000_000_000_000_000_000i64));
    give(s.clone(), "-0", json!(0));
    give(s.clone(), "10 / 4", json!(2.5));
    give(s.clone(), "$sum([0.5, 0.5])", json!(1));
    // Integral results are integers in JSON, not 2.0.
    let v = Env::new().eval(&s, "4 / 2").expect("ok").expect("defined");
    assert!(v.is_i64(), "{v}");
    // Beyond u64 there is no JSON integer; the value stays exact as a float.
    let big = Env::new()
        .eval(&s, "1e20 + 1")
        .expect("ok")
        .expect("defined");
    assert_eq!(big.as_f64(), Some(1e20));
}

#[test]
fn input_numbers_keep_their_value() {
    give(
        states(json!({"n": 9007199254740993u64})),
        "$states.input.n",
        json!(9007199254740992u64),
    );
    give(states(json!({"n": 1.5})), "$states.input.n * 2", json!(3));
    give(states(json!({"n": -7})), "$abs($states.input.n)", json!(7));
}

#[test]
fn functions_and_regexes_have_no_json_form() {
    undefined(states(json!({})), "$sum");
    undefined(states(json!({})), "function($x) { $x }");
    give(states(json!({})), "{'f': $sum, 'n': 1}", json!({"n": 1}));
    give(states(json!({})), "[1, $sum]", json!([1, null]));
}

#[test]
fn clock_is_the_execution_s_not_the_system_s() {
    let s = states(json!({}));
    give(s.clone(), "$millis()", json!(support::NOW_MILLIS));
    give(s.clone(), "$now()", json!("2024-02-29T12:34:56.789Z"));
    give(
        s.clone(),
        "$now('[Y0001]-[M01]-[D01]')",
        json!("2024-02-29"),
    );
    give(s.clone(), "$now('[H01]:[m01]', '+0100')", json!("13:34"));
    give(s.clone(), "$toMillis($now())", json!(support::NOW_MILLIS));
    give(
        s,
        "[$millis(), $millis()][0] = [$millis(), $millis()][1]",
        json!(true),
    );
}

#[test]
fn expressions_are_shared_across_threads() {
    let expr = estado_jsonata::Expression::compile("$states.input.n * 2").expect("compiles");
    let handles: Vec<_> = (0..4)
        .map(|n| {
            let expr = expr.clone();
            std::thread::spawn(move || {
                let env = Env::new();
                expr.evaluate(&states(json!({"n": n})), &env.scope(), "Output")
            })
        })
        .collect();
    for (n, h) in handles.into_iter().enumerate() {
        assert_eq!(h.join().expect("thread"), Ok(Some(json!(n * 2))));
    }
}

#[test]
fn source_is_the_compiled_text() {
    let expr = estado_jsonata::Expression::compile("$states.input").expect("compiles");
    assert_eq!(expr.source(), "$states.input");
    assert_eq!(format!("{expr:?}"), "Expression(\"$states.input\")");
}
