//! Behaviours pinned by executions recorded on AWS (tests/conformance).

use estado_expr::path::Path;
use estado_expr::template::Template;
use estado_json::{json, Value};
use estado_types::{NoVars, Scope, SplitMix64};

fn eval_template(template: Value, input: Value) -> Value {
    let ctx = json!({});
    let rng = SplitMix64::new(1);
    let scope = Scope {
        context: &ctx,
        vars: &NoVars,
        entropy: &rng,
        now_millis: 0,
    };
    Template::compile(&template)
        .unwrap()
        .eval(&input, &scope)
        .unwrap()
}

#[test]
fn indefinite_paths_over_missing_members_give_an_empty_list() {
    for path in [
        "$.items[*]",
        "$.items[1:]",
        "$.items[:1]",
        "$.item.items[1:5].itemValue",
    ] {
        assert_eq!(
            eval_template(json!({"item.$": path}), json!({})),
            json!({"item": []}),
            "{path}"
        );
    }
}

#[test]
fn a_backslash_before_the_other_quote_is_kept() {
    let input = json!({"Test\\\"\"Name\"": "Value\"\\"});
    let ctx = json!({});
    let rng = SplitMix64::new(1);
    let scope = Scope {
        context: &ctx,
        vars: &NoVars,
        entropy: &rng,
        now_millis: 0,
    };
    let p = Path::parse("$['Test\\\"\"Name\"']").unwrap();
    assert_eq!(p.query(&input, &scope).unwrap(), Some(json!("Value\"\\")));
    let p = Path::parse("$[\"it\\'s\"]").unwrap();
    assert_eq!(
        p.query(&json!({"it\\'s": 1}), &scope).unwrap(),
        Some(json!(1))
    );
}
