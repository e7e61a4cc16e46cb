//! The machine level: parsing, top-level fields, query languages, state names, transitions.

use estado_asl::validate::{is_valid, validate, validate_text, MachineType, Options};
use estado_json::{json, Value};

/// The error diagnostics of `def` as `(code, message, location)`.
fn errors_of(def: &Value) -> Vec<(String, String, Option<String>)> {
    validate(def, &Options::default())
        .into_iter()
        .filter(|d| d.severity == estado_asl::validate::Severity::Error)
        .map(|d| (d.code, d.message, d.location))
        .collect()
}

/// `def` is rejected with exactly this one error.
fn rejects(def: Value, code: &str, message: &str, location: Option<&str>) {
    let expected = vec![(
        code.to_string(),
        message.to_string(),
        location.map(str::to_string),
    )];
    assert_eq!(errors_of(&def), expected, "for {def:#}");
}

fn accepts(def: Value) {
    let diags = validate(&def, &Options::default());
    assert!(is_valid(&diags), "{def:#}\n{diags:#?}");
}

fn pass_end() -> Value {
    json!({"Type": "Pass", "End": true})
}

#[test]
fn a_minimal_machine_is_valid() {
    accepts(json!({"StartAt": "A", "States": {"A": pass_end()}}));
}

#[test]
fn text_that_is_not_json_is_reported_like_jackson() {
    let diags = validate_text("not a definition", &Options::default());
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code, "INVALID_JSON_DESCRIPTION");
    assert_eq!(
        diags[0].location.as_deref(),
        Some("[Source: (String)\"not a definition\"; line: 1, column: 4]")
    );
}

#[test]
fn empty_text_and_non_objects_are_not_definitions() {
    for text in [" ", "[]", "42", "null"] {
        let diags = validate_text(text, &Options::default());
        assert_eq!(diags.len(), 1, "{text:?}");
        assert_eq!(diags[0].code, "SCHEMA_VALIDATION_FAILED");
        assert_eq!(diags[0].message, "Definition must be a valid JSON object");
        assert_eq!(diags[0].location, None);
    }
}

#[test]
fn states_and_start_at_are_required() {
    rejects(
        json!({}),
        "SCHEMA_VALIDATION_FAILED",
        "These fields are required: [States, StartAt]",
        Some("/"),
    );
    rejects(
        json!({"States": {"A": pass_end()}}),
        "SCHEMA_VALIDATION_FAILED",
        "These fields are required: [StartAt]",
        Some("/"),
    );
}

#[test]
fn unknown_top_level_fields_are_not_supported() {
    rejects(
        json!({"Coment": "x", "StartAt": "A", "States": {"A": pass_end()}}),
        "SCHEMA_VALIDATION_FAILED",
        "Field 'Coment' is not supported",
        Some("/"),
    );
}

#[test]
fn a_jsonata_machine_cannot_have_jsonpath_states() {
    rejects(
        json!({"QueryLanguage": "JSONata", "StartAt": "Pass",
               "States": {"Pass": {"Type": "Pass", "End": true, "QueryLanguage": "JSONPath"}}}),
        "SCHEMA_VALIDATION_FAILED",
        "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
        Some("/States/Pass"),
    );
}

#[test]
fn a_jsonpath_machine_may_have_jsonata_states() {
    accepts(
        json!({"StartAt": "Map", "QueryLanguage": "JSONPath", "States": {"Map": {
        "Type": "Map", "QueryLanguage": "JSONata", "End": true,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Pass",
                          "States": {"Pass": {"QueryLanguage": "JSONPath", "Type": "Pass", "End": true}}}}}}),
    );
}

#[test]
fn fields_of_the_other_query_language_are_refused_at_the_state() {
    rejects(
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Output": 1, "End": true}}}),
        "SCHEMA_VALIDATION_FAILED",
        "The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the 'JSONata' QueryLanguage",
        Some("/States/P"),
    );
    rejects(
        json!({"QueryLanguage": "JSONata", "StartAt": "P",
               "States": {"P": {"Type": "Pass", "InputPath": "$.a", "End": true}}}),
        "SCHEMA_VALIDATION_FAILED",
        "The QueryLanguage is set to 'JSONata', but field 'InputPath' is only supported for the 'JSONPath' QueryLanguage",
        Some("/States/P"),
    );
}

#[test]
fn item_processors_cannot_declare_a_query_language() {
    rejects(
        json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
            "ItemProcessor": {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": pass_end()}}}}}),
        "SCHEMA_VALIDATION_FAILED",
        "Field 'QueryLanguage' is not supported",
        Some("/States/M/ItemProcessor"),
    );
}

#[test]
fn state_names_are_at_most_80_characters() {
    let long = "x".repeat(81);
    let def = json!({"StartAt": long.clone(), "States": {long.clone(): pass_end()}});
    let errors = errors_of(&def);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "INVALID_STATE_NAME");
    accepts(json!({"StartAt": "x".repeat(80), "States": {"x".repeat(80): pass_end()}}));
}

#[test]
fn state_names_are_unique_in_the_whole_machine() {
    rejects(
        json!({"StartAt": "M", "States": {
            "M": {"Type": "Map", "Next": "Final", "Iterator": {"StartAt": "Final", "States": {"Final": pass_end()}}},
            "Final": pass_end()}}),
        "DUPLICATE_STATE_NAME",
        "Duplicate State name: Final",
        Some("/States/Final"),
    );
}

#[test]
fn a_name_written_twice_in_one_states_object_is_a_duplicate() {
    let text = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}, "A": {"Type": "Succeed"}}}"#;
    let diags = validate_text(text, &Options::default());
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].code, "DUPLICATE_STATE_NAME");
    assert_eq!(diags[0].location.as_deref(), Some("/States/A"));
}

#[test]
fn transition_targets_must_exist_in_the_same_scope() {
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "NOPE"},
        "B": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsNull": true, "Next": "GONE"}], "Default": "A"}}});
    let errors = errors_of(&def);
    assert_eq!(
        errors,
        vec![
            (
                "MISSING_TRANSITION_TARGET".into(),
                "Missing 'Next' target: NOPE".into(),
                Some("/States/A/Next".into())
            ),
            (
                "MISSING_TRANSITION_TARGET".into(),
                "Missing 'Next' target: GONE".into(),
                Some("/States/B/Choices[0]/Next".into())
            ),
            (
                "MISSING_END_STATE".into(),
                "Workflow has no terminal state".into(),
                None
            ),
        ]
    );
}

#[test]
fn unreachable_states_are_reported_in_order() {
    rejects(
        json!({"StartAt": "A", "States": {"A": pass_end(), "C": pass_end()}}),
        "MISSING_TRANSITION_TARGET",
        "State \"C\" is not reachable.",
        Some("/States/C"),
    );
}

#[test]
fn no_terminal_state_suppresses_the_reachability_walk() {
    rejects(
        json!({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"},
            "Z": {"Type": "Pass", "Next": "A"}}}),
        "MISSING_END_STATE",
        "Workflow has no terminal state",
        None,
    );
}

#[test]
fn catchers_make_their_targets_reachable() {
    accepts(json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F"}]},
        "F": {"Type": "Fail", "Error": "E"}}}));
}

#[test]
fn next_and_end_are_exclusive() {
    rejects(
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B", "End": true}, "B": pass_end()}}),
        "SCHEMA_VALIDATION_FAILED",
        "There should only be one of the following fields: [Next, End]",
        Some("/States/A"),
    );
}

#[test]
fn terminal_states_cannot_have_next() {
    rejects(
        json!({"StartAt": "A", "States": {"A": {"Type": "Succeed", "Next": "A"}}}),
        "SCHEMA_VALIDATION_FAILED",
        "Field 'Next' is not supported",
        Some("/States/A"),
    );
}

#[test]
fn express_machines_validate_like_standard_ones_otherwise() {
    let opts = Options {
        machine_type: MachineType::Express,
    };
    let diags = validate(&json!({"States": {"S": pass_end()}}), &opts);
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].message, "These fields are required: [StartAt]");
}

proptest::proptest! {
    #[test]
    fn validate_text_never_panics(text in "\\PC{0,80}") {
        let _ = validate_text(&text, &Options::default());
    }

    #[test]
    fn validate_never_panics_on_state_shaped_noise(
        ty in proptest::sample::select(vec!["Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map", "Nope"]),
        key in proptest::sample::select(vec!["Next", "End", "Seconds", "Timestamp", "Choices", "Branches",
            "ItemProcessor", "Resource", "Retry", "Catch", "Parameters", "ResultPath", "Output", "Items"]),
        value in proptest::sample::select(vec![json!(null), json!(1), json!(-1), json!("$.x"), json!("{% $x %}"),
            json!([]), json!([{}]), json!({}), json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}), json!(true)]),
    ) {
        let def = json!({"StartAt": "S", "States": {"S": {"Type": ty, key: value}}});
        let _ = validate(&def, &Options::default());
    }
}
