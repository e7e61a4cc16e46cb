//! ARN and name tables: what AWS accepts, and the error for what it refuses.

use estado_api::arn::*;
use estado_api::names::{check_name, is_valid_name};
use estado_api::{ApiError, ErrorCode};

const P: &str = "arn:aws:states:us-east-1:123456789012";

fn message(error: ApiError) -> String {
    assert_eq!(error.code(), ErrorCode::InvalidArn);
    error.message().unwrap_or_default().to_owned()
}

/// `parse` accepts `arn` and formats it back unchanged.
fn accepts<T: std::fmt::Display>(parse: fn(&str) -> Result<T, ApiError>, arn: &str) -> T {
    let parsed = parse(arn).unwrap_or_else(|e| panic!("{arn}: {e}"));
    assert_eq!(parsed.to_string(), arn);
    parsed
}

/// `parse` refuses `arn` with `Invalid Arn: '<detail>'`.
fn refuses<T: std::fmt::Debug>(parse: fn(&str) -> Result<T, ApiError>, arn: &str, detail: &str) {
    match parse(arn) {
        Ok(parsed) => panic!("{arn} accepted as {parsed:?}"),
        Err(error) => assert_eq!(message(error), format!("Invalid Arn: '{detail}'"), "{arn}"),
    }
}

#[test]
fn state_machine_arns() {
    let arn = accepts(
        StateMachineArn::parse,
        &format!("{P}:stateMachine:HelloWorld"),
    );
    assert_eq!(
        arn,
        ArnScope::new("us-east-1", "123456789012").state_machine("HelloWorld")
    );
    let labelled = accepts(
        StateMachineArn::parse,
        &format!("{P}:stateMachine:HelloWorld/Map"),
    );
    assert_eq!(labelled.label.as_deref(), Some("Map"));
    accepts(
        StateMachineArn::parse,
        "arn:aws-cn:states:cn-north-1:123456789012:stateMachine:a-b_c.d",
    );

    refuses(
        StateMachineArn::parse,
        "not-an-arn",
        "Invalid ARN prefix: not-an-arn",
    );
    refuses(StateMachineArn::parse, "", "Invalid ARN prefix: ");
    refuses(
        StateMachineArn::parse,
        &format!("{P}:execution:HelloWorld:run"),
        "Resource type not valid in this context: execution",
    );
    refuses(
        StateMachineArn::parse,
        &format!("{P}:activity:a"),
        "Resource type not valid in this context: activity",
    );
    for bad in [
        format!("{P}:stateMachine:"),
        format!("{P}:stateMachine:a b"),
        format!("{P}:stateMachine:HelloWorld:1"),
        format!("{P}:stateMachine:a/b/c"),
        "arn:aws:lambda:us-east-1:123456789012:stateMachine:x".to_owned(),
        "arn:aws:states:us-east-1:12345:stateMachine:x".to_owned(),
        "arn:aws:states::123456789012:stateMachine:x".to_owned(),
        "arn:gcp:states:us-east-1:123456789012:stateMachine:x".to_owned(),
        "arn:aws:states:US-EAST-1:123456789012:stateMachine:x".to_owned(),
        "arn:aws:states:us-east-1:123456789012".to_owned(),
    ] {
        refuses(StateMachineArn::parse, &bad, &bad);
    }
}

#[test]
fn versions_and_aliases() {
    let target = accepts(
        StateMachineTarget::parse,
        &format!("{P}:stateMachine:HelloWorld:12"),
    );
    assert!(matches!(&target, StateMachineTarget::Version(v) if v.version == 12));
    assert_eq!(target.state_machine().name, "HelloWorld");
    let target = accepts(
        StateMachineTarget::parse,
        &format!("{P}:stateMachine:HelloWorld:PROD"),
    );
    assert!(matches!(&target, StateMachineTarget::Alias(a) if a.alias == "PROD"));
    accepts(
        StateMachineTarget::parse,
        &format!("{P}:stateMachine:HelloWorld"),
    );
    accepts(
        StateMachineVersionArn::parse,
        &format!("{P}:stateMachine:HelloWorld:1"),
    );
    accepts(
        StateMachineAliasArn::parse,
        &format!("{P}:stateMachine:HelloWorld:v1.2_beta"),
    );

    for bad in [
        format!("{P}:stateMachine:HelloWorld:0"),
        format!("{P}:stateMachine:HelloWorld:01"),
        format!("{P}:stateMachine:HelloWorld:a b"),
        format!("{P}:stateMachine:HelloWorld:1:2"),
        format!("{P}:stateMachine:Hello/Map:1"),
    ] {
        refuses(StateMachineTarget::parse, &bad, &bad);
    }
    let alias = format!("{P}:stateMachine:HelloWorld:PROD");
    refuses(StateMachineVersionArn::parse, &alias, &alias);
    let version = format!("{P}:stateMachine:HelloWorld:3");
    refuses(StateMachineAliasArn::parse, &version, &version);
}

#[test]
fn executions() {
    let arn = accepts(
        ExecutionArn::parse,
        &format!("{P}:execution:HelloWorld:run-1"),
    );
    assert_eq!(
        arn.state_machine_arn().to_string(),
        format!("{P}:stateMachine:HelloWorld")
    );
    let child = accepts(
        ExecutionArn::parse,
        &format!("{P}:execution:HelloWorld/Map:3b8c8e1a-0a3c-4c4f-9f39-4f3d5b5a8b11"),
    );
    assert_eq!(child.map_label.as_deref(), Some("Map"));
    let express = accepts(
        ExpressExecutionArn::parse,
        &format!("{P}:express:HelloWorld:run-1:5f1e2d3c-1111-2222-3333-444455556666"),
    );
    assert_eq!(express.id, "5f1e2d3c-1111-2222-3333-444455556666");
    assert!(matches!(
        accepts(AnyExecutionArn::parse, &format!("{P}:express:a:b:c")),
        AnyExecutionArn::Express(_)
    ));
    assert!(matches!(
        accepts(AnyExecutionArn::parse, &format!("{P}:execution:a:b")),
        AnyExecutionArn::Standard(_)
    ));

    refuses(
        ExecutionArn::parse,
        &format!("{P}:stateMachine:HelloWorld"),
        "Resource type not valid in this context: statemachine",
    );
    refuses(
        ExecutionArn::parse,
        &format!("{P}:express:a:b:c"),
        "Resource type not valid in this context: express",
    );
    for bad in [
        format!("{P}:execution:HelloWorld"),
        format!("{P}:execution:HelloWorld:run:extra"),
        format!("{P}:execution:HelloWorld:"),
        format!("{P}:execution::run"),
    ] {
        refuses(ExecutionArn::parse, &bad, &bad);
    }
    let bad = format!("{P}:express:a:b");
    refuses(AnyExecutionArn::parse, &bad, &bad);
}

#[test]
fn activities_map_runs_and_taggable_resources() {
    accepts(ActivityArn::parse, &format!("{P}:activity:get-greeting"));
    let run = accepts(
        MapRunArn::parse,
        &format!("{P}:mapRun:HelloWorld/Map:3b8c8e1a-0a3c-4c4f-9f39-4f3d5b5a8b11"),
    );
    assert_eq!(
        (run.state_machine.as_str(), run.label.as_str()),
        ("HelloWorld", "Map")
    );
    let bad = format!("{P}:mapRun:HelloWorld:3b8c");
    refuses(MapRunArn::parse, &bad, &bad);
    assert!(matches!(
        accepts(TaggableArn::parse, &format!("{P}:activity:a")),
        TaggableArn::Activity(_)
    ));
    assert!(matches!(
        accepts(TaggableArn::parse, &format!("{P}:stateMachine:a")),
        TaggableArn::StateMachine(_)
    ));
    refuses(
        TaggableArn::parse,
        &format!("{P}:execution:a:b"),
        "Resource type not valid in this context: execution",
    );
    refuses(
        ActivityArn::parse,
        &format!("{P}:mapRun:a/b:c"),
        "Resource type not valid in this context: maprun",
    );
}

#[test]
fn arns_are_built_from_their_parts() {
    let machine = ArnScope::new("eu-west-1", "000000000000").state_machine("orders");
    assert_eq!(
        machine.to_string(),
        "arn:aws:states:eu-west-1:000000000000:stateMachine:orders"
    );
    assert_eq!(machine.version(2).to_string(), format!("{machine}:2"));
    assert_eq!(machine.alias("PROD").to_string(), format!("{machine}:PROD"));
    assert_eq!(
        machine.execution("e1").to_string(),
        "arn:aws:states:eu-west-1:000000000000:execution:orders:e1"
    );
    assert_eq!(
        machine.express_execution("e1", "id").to_string(),
        "arn:aws:states:eu-west-1:000000000000:express:orders:e1:id"
    );
    assert_eq!(
        machine.map_run("Map", "id").to_string(),
        "arn:aws:states:eu-west-1:000000000000:mapRun:orders/Map:id"
    );
    let parsed: StateMachineArn = machine.to_string().parse().unwrap();
    assert_eq!(parsed, machine);
}

#[test]
fn names() {
    let max = "n".repeat(80);
    for good in [
        "a",
        "HelloWorld",
        "run-1_2.3",
        "3b8c8e1a-0a3c-4c4f-9f39-4f3d5b5a8b11",
        "名前",
        "a!@()+=-'",
        max.as_str(),
    ] {
        assert!(is_valid_name(good), "{good:?}");
        assert_eq!(check_name(good), Ok(()));
    }
    let long = "n".repeat(81);
    let bad = [
        "",
        long.as_str(),
        "a b",
        "a\tb",
        "a\u{a0}b",
        "a<b",
        "a>b",
        "a{b",
        "a}b",
        "a[b",
        "a]b",
        "a?b",
        "a*b",
        "a\"b",
        "a#b",
        "a%b",
        "a\\b",
        "a^b",
        "a|b",
        "a~b",
        "a`b",
        "a$b",
        "a&b",
        "a,b",
        "a;b",
        "a:b",
        "a/b",
        "a\u{0}b",
        "a\u{1f}b",
        "a\u{7f}b",
        "a\u{9f}b",
    ];
    for name in bad {
        assert!(!is_valid_name(name), "{name:?}");
        let error = check_name(name).unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidName);
        assert_eq!(
            error.body()["message"],
            format!("Invalid Name: '{name}'"),
            "{name:?}"
        );
    }
}
