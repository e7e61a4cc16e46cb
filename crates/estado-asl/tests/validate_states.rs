//! Each state type's own rules: Task resources and timeouts, Choice rules, Wait, Fail, Map,
//! Parallel, Retry/Catch, and the expressions inside fields.

use estado_asl::validate::{is_valid, validate, MachineType, Options, Severity};
use estado_json::{json, Value};

/// A machine whose only state is `state`, named `S`.
fn one(state: Value) -> Value {
    json!({"StartAt": "S", "States": {"S": state}})
}

fn jsonata(state: Value) -> Value {
    json!({"QueryLanguage": "JSONata", "StartAt": "S", "States": {"S": state}})
}

fn errors(def: &Value, opts: &Options) -> Vec<(String, String, Option<String>)> {
    validate(def, opts)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| (d.code, d.message, d.location))
        .collect()
}

/// `def` is rejected with exactly one `SCHEMA_VALIDATION_FAILED` error.
fn rejects(def: Value, message: &str, location: &str) {
    rejects_as(
        def,
        &Options::default(),
        "SCHEMA_VALIDATION_FAILED",
        message,
        location,
    );
}

fn rejects_as(def: Value, opts: &Options, code: &str, message: &str, location: &str) {
    assert_eq!(
        errors(&def, opts),
        vec![(
            code.to_string(),
            message.to_string(),
            Some(location.to_string())
        )],
        "for {def:#}"
    );
}

fn accepts(def: Value) {
    let diags = validate(&def, &Options::default());
    assert!(is_valid(&diags), "{def:#}\n{diags:#?}");
}

fn express() -> Options {
    Options {
        machine_type: MachineType::Express,
    }
}

fn task(resource: &str) -> Value {
    json!({"Type": "Task", "Resource": resource, "End": true})
}

#[test]
fn task_resources_must_be_recognized() {
    rejects(
        one(task("arn:aws:states:::dynamodb:query")),
        "The resource provided arn:<partition>:states:::dynamodb:query is not recognized. The value is not a valid resource ARN, or the resource is not available in this region.",
        "/States/S/Resource",
    );
    for ok in [
        "arn:aws:states:::lambda:invoke",
        "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "arn:aws:states:::states:startExecution.sync:2",
        "arn:aws:states:::aws-sdk:dynamodb:query",
        "arn:aws:lambda:us-east-1:111111111111:function:f",
        "arn:aws:states:us-east-1:111111111111:activity:a",
    ] {
        accepts(one(task(ok)));
    }
}

#[test]
fn express_machines_refuse_activities_sync_and_callbacks() {
    rejects_as(
        one(task("arn:aws:states:us-east-1:111111111111:activity:a")),
        &express(),
        "SCHEMA_VALIDATION_FAILED",
        "Express state machine does not support Activity ARN",
        "/States/S/Resource",
    );
    rejects_as(
        one(task("arn:aws:states:::states:startExecution.sync")),
        &express(),
        "SCHEMA_VALIDATION_FAILED",
        "Express state machine does not support '.sync' service integration",
        "/States/S/Resource",
    );
    rejects_as(
        one(task("arn:aws:states:::sqs:sendMessage.waitForTaskToken")),
        &express(),
        "SCHEMA_VALIDATION_FAILED",
        "Express state machine does not support '.waitForTaskToken' service integration ",
        "/States/S/Resource",
    );
}

#[test]
fn timeouts_and_their_paths_are_exclusive() {
    let mut t = task("arn:aws:states:::lambda:invoke");
    t["TimeoutSeconds"] = json!(10);
    t["TimeoutSecondsPath"] = json!("$.t");
    rejects(
        one(t),
        "There should only be one of the following fields: [TimeoutSeconds, TimeoutSecondsPath]",
        "/States/S",
    );
    let mut t = task("arn:aws:states:::lambda:invoke");
    t["TimeoutSeconds"] = json!(0);
    rejects(one(t), "Minimum value is 1", "/States/S/TimeoutSeconds");
    let mut t = task("arn:aws:states:::lambda:invoke");
    t["TimeoutSeconds"] = json!("{% 120 %}");
    accepts(jsonata(t));
}

#[test]
fn credentials_need_a_role() {
    let mut t = task("arn:aws:states:::lambda:invoke");
    t["Credentials"] = json!({"InvalidField": "invalid"});
    rejects(
        jsonata(t),
        "The field 'RoleArn' is required but was missing",
        "/States/S/Credentials",
    );
    let mut t = task("arn:aws:states:::lambda:invoke");
    t["Credentials"] = json!({"RoleArn.$": "$.role"});
    accepts(one(t));
}

#[test]
fn template_paths_must_parse() {
    rejects(
        one(json!({"Type": "Pass", "End": true, "Parameters": {"a": {"lorem.$": "ipsum"}}})),
        "The value for the field 'lorem.$' must be a valid JSONPath or a valid intrinsic function call",
        "/States/S/Parameters/a",
    );
    rejects(
        one(json!({"Type": "Pass", "End": true,
                   "Parameters": {"parsed.$": "States.StringToJson('{\"text\":\"An \\\"escaped\\\" quote\"}')"}})),
        "The value for the field 'parsed.$' must be a valid JSONPath or a valid intrinsic function call",
        "/States/S/Parameters",
    );
    accepts(one(json!({"Type": "Pass", "End": true, "Parameters": {
        "a.$": "$.x", "b.$": "$$.Execution.Id", "c.$": "States.Format('{}', $.y)", "d": "$.literal"}})));
}

#[test]
fn reference_paths_hold_one_node_of_the_input() {
    rejects(
        one(json!({"Type": "Pass", "End": true, "ResultPath": "$foo"})),
        "Value is not a Reference Path",
        "/States/S/ResultPath",
    );
    rejects(
        one(json!({"Type": "Pass", "End": true, "ResultPath": "$.a[*]"})),
        "Value is not a Reference Path",
        "/States/S/ResultPath",
    );
    accepts(one(
        json!({"Type": "Pass", "End": true, "ResultPath": null, "InputPath": null}),
    ));
}

#[test]
fn jsonata_expressions_must_compile() {
    let def = jsonata(json!({"Type": "Pass", "End": true, "Output": {"v": "{% 1 + %}"}}));
    let errs = errors(&def, &Options::default());
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].0, "INVALID_JSONATA_EXPRESSION");
    assert_eq!(errs[0].2.as_deref(), Some("/States/S/Output/v"));
    accepts(jsonata(
        json!({"Type": "Pass", "End": true, "Output": {"v": "{% $states.input %}", "w": "{% 10 %"}}),
    ));
}

#[test]
fn wait_needs_exactly_one_duration() {
    rejects(
        one(json!({"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": true})),
        "There should only be one of the following fields: [Seconds, Timestamp, SecondsPath, TimestampPath]",
        "/States/S",
    );
    rejects(
        one(json!({"Type": "Wait", "End": true})),
        "Exactly one of these fields is required: [Seconds, Timestamp, SecondsPath, TimestampPath]",
        "/States/S",
    );
    rejects(
        one(json!({"Type": "Wait", "Timestamp": "2016-12-05T25:29:29Z", "End": true})),
        "String does not match RFC3339 timestamp",
        "/States/S/Timestamp",
    );
    rejects(
        one(json!({"Type": "Wait", "Timestamp": "{% '2016-03-14T01:59:00Z' %}", "End": true})),
        "String does not match RFC3339 timestamp",
        "/States/S/Timestamp",
    );
    accepts(jsonata(
        json!({"Type": "Wait", "Timestamp": "{% $states.input.t %}", "End": true}),
    ));
}

#[test]
fn fail_error_and_error_path_are_exclusive() {
    rejects(
        one(json!({"Type": "Fail", "Error": "E", "ErrorPath": "$.e"})),
        "There should only be one of the following fields: [Error, ErrorPath]",
        "/States/S",
    );
    accepts(one(
        json!({"Type": "Fail", "ErrorPath": "States.Format('{}', $.e)", "CausePath": "$.c"}),
    ));
}

fn choice(rule: Value) -> Value {
    json!({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [rule], "Default": "D"},
        "D": {"Type": "Succeed"}}})
}

#[test]
fn choice_rules_compare_one_variable_with_one_operator() {
    accepts(choice(
        json!({"Variable": "$.x", "NumericEquals": 1, "Next": "D"}),
    ));
    accepts(choice(
        json!({"And": [{"Variable": "$.x", "IsPresent": true},
                                   {"Not": {"Variable": "$.x", "StringMatches": "a*"}}], "Next": "D"}),
    ));
    rejects(
        choice(json!({"Variable": "$.x", "NumericEquals": 1, "StringEquals": "a", "Next": "D"})),
        "A Choice Rule must have exactly one comparison operator or one of [And, Or, Not]",
        "/States/C/Choices[0]",
    );
    rejects(
        choice(json!({"NumericEquals": 1, "Next": "D"})),
        "These fields are required: [Variable]",
        "/States/C/Choices[0]",
    );
    rejects(
        choice(json!({"Variable": "$.x", "NumericEquals": 1})),
        "These fields are required: [Next]",
        "/States/C/Choices[0]",
    );
    rejects(
        choice(json!({"Variable": "$.x", "TimestampEquals": "yesterday", "Next": "D"})),
        "String does not match RFC3339 timestamp",
        "/States/C/Choices[0]/TimestampEquals",
    );
}

#[test]
fn jsonata_choice_rules_hold_a_condition() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input.x > 1 %}", "Next": "D"}]},
        "D": {"Type": "Succeed"}}});
    accepts(def);
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsNull": true, "Next": "D"}]},
        "D": {"Type": "Succeed"}}});
    let errs = errors(&def, &Options::default());
    assert!(
        errs.iter()
            .any(|e| e.1 == "These fields are required: [Condition]"),
        "{errs:?}"
    );
}

#[test]
fn states_all_stands_alone_in_the_last_retrier() {
    let mut t = task("arn:aws:states:::lambda:invoke");
    t["Retry"] = json!([{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}]);
    rejects(
        one(t),
        "'States.ALL' must appear in the last Retrier or Catcher",
        "/States/S/Retry[0]/ErrorEquals",
    );
    let mut t = task("arn:aws:states:::lambda:invoke");
    t["Retry"] = json!([{"ErrorEquals": ["X", "States.ALL"]}]);
    rejects(
        one(t),
        "'States.ALL' must appear alone in the 'ErrorEquals' array",
        "/States/S/Retry[0]/ErrorEquals",
    );
    let mut t = task("arn:aws:states:::lambda:invoke");
    t["Retry"] = json!([{"ErrorEquals": ["X"], "BackoffRate": 0.5}]);
    rejects(
        one(t),
        "Minimum value is 1.0",
        "/States/S/Retry[0]/BackoffRate",
    );
}

#[test]
fn retry_and_catch_belong_to_task_parallel_and_map() {
    rejects(
        one(json!({"Type": "Pass", "End": true, "Retry": []})),
        "Field 'Retry' is not supported",
        "/States/S",
    );
}

fn map(extra: Value) -> Value {
    let mut m = json!({"Type": "Map", "End": true,
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}});
    if let (Some(m), Value::Object(extra)) = (m.as_object_mut(), extra) {
        m.extend(extra);
    }
    one(m)
}

#[test]
fn map_limits() {
    rejects(
        map(json!({"ToleratedFailurePercentage": 105})),
        "Maximum value is 100.0",
        "/States/S/ToleratedFailurePercentage",
    );
    rejects(
        map(json!({"MaxConcurrency": -1})),
        "Minimum value is 0",
        "/States/S/MaxConcurrency",
    );
    rejects(
        map(json!({"MaxConcurrencyPath": "$$.Execution.Input.n"})),
        "Value is not a Reference Path",
        "/States/S/MaxConcurrencyPath",
    );
    rejects(
        map(
            json!({"ItemProcessor": {"ProcessorConfig": {"Mode": "SIDEWAYS"}, "StartAt": "P",
                                     "States": {"P": {"Type": "Pass", "End": true}}}}),
        ),
        "The value for the field 'Mode' must be one of [INLINE, DISTRIBUTED]",
        "/States/S/ItemProcessor/ProcessorConfig/Mode",
    );
}

#[test]
fn map_needs_a_processor_and_parallel_needs_branches() {
    rejects(
        one(json!({"Type": "Map", "End": true})),
        "These fields are required: [ItemProcessor]",
        "/States/S",
    );
    rejects(
        one(json!({"Type": "Parallel", "End": true})),
        "These fields are required: [Branches]",
        "/States/S",
    );
    let def = one(json!({"Type": "Parallel", "End": true,
                         "Branches": [{"StartAt": "X", "States": {"X": {"Type": "Pass"}}}]}));
    assert_eq!(
        errors(&def, &Options::default()),
        vec![
            (
                "SCHEMA_VALIDATION_FAILED".to_string(),
                "Exactly one of these fields is required: [Next, End]".to_string(),
                Some("/States/S/Branches[0]/States/X".to_string())
            ),
            (
                "MISSING_END_STATE".to_string(),
                "Workflow has no terminal state".to_string(),
                Some("/States/S/Branches[0]".to_string())
            ),
        ]
    );
}

#[test]
fn distributed_map_readers_and_writers_use_s3() {
    accepts(map(json!({
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                       "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItems": 10},
                       "Parameters": {"Bucket": "b", "Key.$": "$.key"}},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "b", "Prefix": "p"}},
        "ItemBatcher": {"MaxItemsPerBatch": 2}})));
    rejects(
        map(json!({"ItemReader": {"Resource": "arn:aws:states:::s3:deleteObject"}})),
        "The resource provided arn:<partition>:states:::s3:deleteObject is not recognized. The value is not a valid resource ARN, or the resource is not available in this region.",
        "/States/S/ItemReader/Resource",
    );
}

#[test]
fn pass_results_with_paths_are_static_warnings_only() {
    let def = one(json!({"Type": "Pass", "End": true, "Result": {"x.$": "$.y"}}));
    let diags = validate(&def, &Options::default());
    assert!(is_valid(&diags));
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code, "PASS_RESULT_IS_STATIC");
}

/// Found by fuzzing: a JSONata Map's literal `Items` array with a broken expression must be
/// rejected by validation (compilation refused it after validation had accepted it).
#[test]
fn jsonata_items_array_elements_must_compile() {
    let def = estado_json::json!({"QueryLanguage": "JSONata", "StartAt": "Start", "States": {"Start": {
        "Type": "Map", "Items": [1, "{%%}", 3], "End": true,
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}});
    let diags = estado_asl::validate::validate(&def, &Default::default());
    assert!(!estado_asl::validate::is_valid(&diags), "{diags:?}");
    assert!(
        diags.iter().any(|d| d
            .location
            .as_deref()
            .is_some_and(|l| l.starts_with("/States/Start/Items"))),
        "{diags:?}"
    );
}
