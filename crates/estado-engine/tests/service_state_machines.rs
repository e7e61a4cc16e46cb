//! CreateStateMachine, DescribeStateMachine, UpdateStateMachine, DeleteStateMachine,
//! ListStateMachines over the in-memory store.

use estado_api::shapes::{
    CreateStateMachineInput, DeleteStateMachineInput, DescribeStateMachineInput,
    ListStateMachinesInput, ListTagsForResourceInput, LoggingConfiguration, Tag,
    UpdateStateMachineInput,
};
use estado_api::ErrorCode;
use estado_json::json;

mod common;
use common::service;

const ROLE: &str = "arn:aws:iam::123456789012:role/sfn";
const SM: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:";

fn pass(result: &str) -> String {
    json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": result, "End": true}}})
        .to_string()
}

fn create(name: &str, definition: &str) -> CreateStateMachineInput {
    CreateStateMachineInput {
        name: name.into(),
        definition: definition.into(),
        role_arn: ROLE.into(),
        r#type: None,
        logging_configuration: None,
        tags: None,
        tracing_configuration: None,
        publish: None,
        version_description: None,
        encryption_configuration: None,
    }
}

fn update(arn: &str) -> UpdateStateMachineInput {
    UpdateStateMachineInput {
        state_machine_arn: arn.into(),
        definition: None,
        role_arn: None,
        logging_configuration: None,
        tracing_configuration: None,
        publish: None,
        version_description: None,
        encryption_configuration: None,
    }
}

fn describe(arn: &str) -> DescribeStateMachineInput {
    DescribeStateMachineInput {
        state_machine_arn: arn.into(),
        included_data: None,
    }
}

fn tag(key: &str, value: &str) -> Tag {
    Tag {
        key: Some(key.into()),
        value: Some(value.into()),
    }
}

#[tokio::test]
async fn create_then_describe() {
    let (s, ctx) = service();
    let out = s
        .create_state_machine(&ctx, create("sm", &pass("a")))
        .await
        .unwrap();
    assert_eq!(out.state_machine_arn, format!("{SM}sm"));
    assert_eq!(out.state_machine_version_arn, None);
    let d = s
        .describe_state_machine(&ctx, describe(&out.state_machine_arn))
        .await
        .unwrap();
    assert_eq!(d.name, "sm");
    assert_eq!(d.r#type, "STANDARD");
    assert_eq!(d.status.as_deref(), Some("ACTIVE"));
    assert_eq!(d.definition, pass("a"));
    assert_eq!(d.role_arn, ROLE);
    assert_eq!(d.creation_date, out.creation_date);
    // A machine never updated has no revision id yet.
    assert_eq!(d.revision_id, None);
    let logging = d.logging_configuration.unwrap();
    assert_eq!(logging.level.as_deref(), Some("OFF"));
    assert_eq!(logging.include_execution_data, Some(false));
    assert_eq!(d.tracing_configuration.unwrap().enabled, Some(false));
}

#[tokio::test]
async fn create_is_idempotent_on_name_definition_and_configuration() {
    let (s, ctx) = service();
    let first = s
        .create_state_machine(&ctx, create("sm", &pass("a")))
        .await
        .unwrap();
    // Another role and other tags are ignored, as AWS does.
    let mut again = create("sm", &pass("a"));
    again.role_arn = "arn:aws:iam::123456789012:role/other".into();
    again.tags = Some(vec![tag("k", "v")]);
    let second = s.create_state_machine(&ctx, again).await.unwrap();
    assert_eq!(second.state_machine_arn, first.state_machine_arn);
    assert_eq!(second.creation_date, first.creation_date);
    let d = s
        .describe_state_machine(&ctx, describe(&first.state_machine_arn))
        .await
        .unwrap();
    assert_eq!(d.role_arn, ROLE);
}

#[tokio::test]
async fn create_with_another_definition_or_type_already_exists() {
    let (s, ctx) = service();
    s.create_state_machine(&ctx, create("sm", &pass("a")))
        .await
        .unwrap();
    let e = s
        .create_state_machine(&ctx, create("sm", &pass("b")))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::StateMachineAlreadyExists);
    assert_eq!(
        e.message(),
        Some(format!("State Machine Already Exists: '{SM}sm'").as_str())
    );
    let mut express = create("sm", &pass("a"));
    express.r#type = Some("EXPRESS".into());
    let e = s.create_state_machine(&ctx, express).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::StateMachineAlreadyExists);
    let mut published = create("sm", &pass("a"));
    published.publish = Some(true);
    let e = s.create_state_machine(&ctx, published).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::StateMachineAlreadyExists);
}

#[tokio::test]
async fn create_with_publish_makes_version_one() {
    let (s, ctx) = service();
    let mut req = create("sm", &pass("a"));
    req.publish = Some(true);
    req.version_description = Some("first".into());
    let out = s.create_state_machine(&ctx, req.clone()).await.unwrap();
    assert_eq!(out.state_machine_version_arn, Some(format!("{SM}sm:1")));
    let v = s
        .describe_state_machine(&ctx, describe(&format!("{SM}sm:1")))
        .await
        .unwrap();
    assert_eq!(v.state_machine_arn, format!("{SM}sm:1"));
    assert_eq!(v.description.as_deref(), Some("first"));
    // The repeat answers with the same version.
    let again = s.create_state_machine(&ctx, req).await.unwrap();
    assert_eq!(again.state_machine_version_arn, Some(format!("{SM}sm:1")));
}

#[tokio::test]
async fn create_refuses_bad_names_roles_and_options() {
    let (s, ctx) = service();
    let e = s
        .create_state_machine(&ctx, create("bad name", &pass("a")))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidName);
    assert_eq!(e.message(), Some("Invalid Name: 'bad name'"));

    let mut bad_role = create("sm", &pass("a"));
    bad_role.role_arn = "arn:aws:iam::aws:policy/AWSBatchFullAccess".into();
    let e = s.create_state_machine(&ctx, bad_role).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArn);
    assert_eq!(
        e.message(),
        Some("Invalid Role Arn: 'arn:aws:iam::aws:policy/AWSBatchFullAccess'")
    );

    let mut description_only = create("sm", &pass("a"));
    description_only.version_description = Some("v".into());
    let e = s
        .create_state_machine(&ctx, description_only)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ValidationException);
    assert_eq!(
        e.message(),
        Some("Version description can only be set when publish is true")
    );

    let mut logging = create("sm", &pass("a"));
    logging.logging_configuration = Some(LoggingConfiguration {
        level: Some("ALL".into()),
        include_execution_data: Some(true),
        destinations: None,
    });
    let e = s.create_state_machine(&ctx, logging).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidLoggingConfiguration);

    let mut tags = create("sm", &pass("a"));
    tags.tags = Some((0..51).map(|i| tag(&format!("k{i}"), "v")).collect());
    let e = s.create_state_machine(&ctx, tags).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::TooManyTags);
    assert_eq!(e.resource_name(), Some(format!("{SM}sm").as_str()));
}

#[tokio::test]
async fn create_reports_definition_errors_as_aws_does() {
    let (s, ctx) = service();
    let bad_timestamp = json!({"StartAt": "WaitUntil", "States": {
        "WaitUntil": {"Type": "Wait", "Timestamp": "2016-03-14T01:59:00", "End": true}}});
    let e = s
        .create_state_machine(&ctx, create("sm", &bad_timestamp.to_string()))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidDefinition);
    assert_eq!(
        e.message(),
        Some("Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: String does not match RFC3339 timestamp at /States/WaitUntil/Timestamp'")
    );

    // Several diagnostics are joined with ", "; one without a location reads "at null".
    let loop_and_dangling = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "NOPE"}}});
    let e = s
        .create_state_machine(&ctx, create("sm", &loop_and_dangling.to_string()))
        .await
        .unwrap_err();
    assert_eq!(
        e.message(),
        Some("Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: NOPE at /States/A/Next, MISSING_END_STATE: Workflow has no terminal state at null'")
    );
}

#[tokio::test]
async fn express_machines_refuse_activities() {
    let (s, ctx) = service();
    let def = json!({"StartAt": "ActivityTask", "States": {"ActivityTask": {"Type": "Task",
        "Resource": "arn:aws:states:us-east-1:123456789012:activity:act", "End": true}}});
    let mut req = create("sm", &def.to_string());
    req.r#type = Some("EXPRESS".into());
    let e = s.create_state_machine(&ctx, req).await.unwrap_err();
    assert_eq!(
        e.message(),
        Some("Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state machine does not support Activity ARN at /States/ActivityTask/Resource'")
    );
    // The same definition is fine for a standard machine.
    s.create_state_machine(&ctx, create("sm", &def.to_string()))
        .await
        .unwrap();
}

#[tokio::test]
async fn create_refuses_definitions_over_one_mib() {
    let (s, ctx) = service();
    let huge = pass(&"x".repeat(1_048_577));
    let e = s
        .create_state_machine(&ctx, create("sm", &huge))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ValidationException);
}

#[tokio::test]
async fn create_tags_the_machine() {
    let (s, ctx) = service();
    let mut req = create("sm", &pass("a"));
    req.tags = Some(vec![tag("team", "core"), tag("env", "")]);
    let out = s.create_state_machine(&ctx, req).await.unwrap();
    let tags = s
        .list_tags_for_resource(
            &ctx,
            ListTagsForResourceInput {
                resource_arn: out.state_machine_arn,
            },
        )
        .await
        .unwrap()
        .tags
        .unwrap();
    assert_eq!(tags, vec![tag("team", "core"), tag("env", "")]);
}

#[tokio::test]
async fn describe_unknown_machines_and_versions() {
    let (s, ctx) = service();
    let e = s
        .describe_state_machine(&ctx, describe(&format!("{SM}nope")))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::StateMachineDoesNotExist);
    assert_eq!(
        e.message(),
        Some(format!("State Machine Does Not Exist: '{SM}nope'").as_str())
    );
    s.create_state_machine(&ctx, create("sm", &pass("a")))
        .await
        .unwrap();
    let e = s
        .describe_state_machine(&ctx, describe(&format!("{SM}sm:2")))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::StateMachineDoesNotExist);
    let e = s
        .describe_state_machine(&ctx, describe("not-an-arn"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArn);
    let e = s
        .describe_state_machine(
            &ctx,
            describe("arn:aws:states:us-east-1:123456789012:activity:a"),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArn);
}

#[tokio::test]
async fn describe_metadata_only_leaves_the_definition_out() {
    let (s, ctx) = service();
    let out = s
        .create_state_machine(&ctx, create("sm", &pass("a")))
        .await
        .unwrap();
    let mut req = describe(&out.state_machine_arn);
    req.included_data = Some("METADATA_ONLY".into());
    assert_eq!(
        s.describe_state_machine(&ctx, req)
            .await
            .unwrap()
            .definition,
        "{}"
    );
}

#[tokio::test]
async fn update_makes_a_new_revision_only_on_change() {
    let (s, ctx) = service();
    let arn = s
        .create_state_machine(&ctx, create("sm", &pass("a")))
        .await
        .unwrap()
        .state_machine_arn;
    let mut req = update(&arn);
    req.definition = Some(pass("b"));
    let first = s.update_state_machine(&ctx, req.clone()).await.unwrap();
    let revision = first.revision_id.clone().unwrap();
    assert_eq!(revision.len(), 36, "a UUID: {revision}");
    let d = s
        .describe_state_machine(&ctx, describe(&arn))
        .await
        .unwrap();
    assert_eq!(d.definition, pass("b"));
    assert_eq!(d.revision_id.as_deref(), Some(revision.as_str()));
    // The same definition again changes nothing.
    let same = s.update_state_machine(&ctx, req).await.unwrap();
    assert_eq!(same.revision_id.as_deref(), Some(revision.as_str()));
    // A new role is a new revision.
    let mut role = update(&arn);
    role.role_arn = Some("arn:aws:iam::123456789012:role/other".into());
    let other = s.update_state_machine(&ctx, role).await.unwrap();
    assert_ne!(other.revision_id.as_deref(), Some(revision.as_str()));
}

#[tokio::test]
async fn update_with_publish_publishes_each_revision_once() {
    let (s, ctx) = service();
    let arn = s
        .create_state_machine(&ctx, create("sm", &pass("a")))
        .await
        .unwrap()
        .state_machine_arn;
    let mut req = update(&arn);
    req.definition = Some(pass("b"));
    req.publish = Some(true);
    req.version_description = Some("b".into());
    let out = s.update_state_machine(&ctx, req.clone()).await.unwrap();
    assert_eq!(out.state_machine_version_arn, Some(format!("{arn}:1")));
    let again = s.update_state_machine(&ctx, req).await.unwrap();
    assert_eq!(again.state_machine_version_arn, Some(format!("{arn}:1")));
    let mut next = update(&arn);
    next.definition = Some(pass("c"));
    next.publish = Some(true);
    let out = s.update_state_machine(&ctx, next).await.unwrap();
    assert_eq!(out.state_machine_version_arn, Some(format!("{arn}:2")));
}

#[tokio::test]
async fn update_errors() {
    let (s, ctx) = service();
    let arn = s
        .create_state_machine(&ctx, create("sm", &pass("a")))
        .await
        .unwrap()
        .state_machine_arn;
    let e = s
        .update_state_machine(&ctx, update(&arn))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::MissingRequiredParameter);
    assert_eq!(
        e.message(),
        Some("Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified")
    );
    let mut description = update(&arn);
    description.definition = Some(pass("b"));
    description.version_description = Some("v".into());
    assert_eq!(
        s.update_state_machine(&ctx, description)
            .await
            .unwrap_err()
            .code(),
        ErrorCode::ValidationException
    );
    let mut bad = update(&arn);
    bad.definition = Some("{}".into());
    let e = s.update_state_machine(&ctx, bad).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidDefinition);
    assert_eq!(
        e.message(),
        Some("Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are required: [States, StartAt] at /'")
    );
    let mut missing = update(&format!("{SM}nope"));
    missing.definition = Some(pass("b"));
    assert_eq!(
        s.update_state_machine(&ctx, missing)
            .await
            .unwrap_err()
            .code(),
        ErrorCode::StateMachineDoesNotExist
    );
    let mut labelled = update(&format!("{SM}sm/label"));
    labelled.definition = Some(pass("b"));
    let e = s.update_state_machine(&ctx, labelled).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::ValidationException);
    assert_eq!(e.reason(), Some("API_DOES_NOT_SUPPORT_LABELED_ARNS"));
    let mut role = update(&arn);
    role.role_arn = Some("role".into());
    assert_eq!(
        s.update_state_machine(&ctx, role).await.unwrap_err().code(),
        ErrorCode::InvalidArn
    );
}

#[tokio::test]
async fn delete_is_idempotent_and_removes_versions() {
    let (s, ctx) = service();
    let mut req = create("sm", &pass("a"));
    req.publish = Some(true);
    let arn = s
        .create_state_machine(&ctx, req)
        .await
        .unwrap()
        .state_machine_arn;
    let del = || DeleteStateMachineInput {
        state_machine_arn: arn.clone(),
    };
    s.delete_state_machine(&ctx, del()).await.unwrap();
    s.delete_state_machine(&ctx, del()).await.unwrap();
    for gone in [arn.clone(), format!("{arn}:1")] {
        assert_eq!(
            s.describe_state_machine(&ctx, describe(&gone))
                .await
                .unwrap_err()
                .code(),
            ErrorCode::StateMachineDoesNotExist
        );
    }
    let e = s
        .delete_state_machine(
            &ctx,
            DeleteStateMachineInput {
                state_machine_arn: "bad".into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArn);
}

#[tokio::test]
async fn list_pages_in_creation_order() {
    let (s, ctx) = service();
    for name in ["c", "a", "b"] {
        s.create_state_machine(&ctx, create(name, &pass(name)))
            .await
            .unwrap();
        // Distinct creation times keep the order independent of the ARN tiebreak.
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    let page = |token: Option<String>| ListStateMachinesInput {
        max_results: Some(2),
        next_token: token,
    };
    let first = s.list_state_machines(&ctx, page(None)).await.unwrap();
    let names: Vec<_> = first
        .state_machines
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(names, ["c", "a"]);
    assert_eq!(first.state_machines[0].r#type, "STANDARD");
    let second = s
        .list_state_machines(&ctx, page(first.next_token))
        .await
        .unwrap();
    let names: Vec<_> = second
        .state_machines
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(names, ["b"]);
    assert_eq!(second.next_token, None);
    let e = s
        .list_state_machines(&ctx, page(Some("garbage".into())))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidToken);
}
