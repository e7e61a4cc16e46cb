//! PublishStateMachineVersion, ListStateMachineVersions, DeleteStateMachineVersion and the
//! alias verbs over the in-memory store.

use std::sync::Arc;

use estado_api::shapes::{
    CreateStateMachineAliasInput, CreateStateMachineInput, DeleteStateMachineAliasInput,
    DeleteStateMachineVersionInput, DescribeStateMachineAliasInput, ListStateMachineAliasesInput,
    ListStateMachineVersionsInput, PublishStateMachineVersionInput, RoutingConfigurationListItem,
    UpdateStateMachineAliasInput, UpdateStateMachineInput,
};
use estado_api::ErrorCode;
use estado_engine::service::{Ctx, Service};
use estado_json::json;

mod common;
use common::service;

const SM: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:sm";

fn pass(result: &str) -> String {
    json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": result, "End": true}}})
        .to_string()
}

/// A service with machine `sm` and `versions` published versions (1..=versions).
async fn with_versions(versions: usize) -> (Arc<Service>, Ctx) {
    let (s, ctx) = service();
    s.create_state_machine(
        &ctx,
        CreateStateMachineInput {
            name: "sm".into(),
            definition: pass("0"),
            role_arn: "arn:aws:iam::123456789012:role/r".into(),
            r#type: None,
            logging_configuration: None,
            tags: None,
            tracing_configuration: None,
            publish: None,
            version_description: None,
            encryption_configuration: None,
        },
    )
    .await
    .unwrap();
    for i in 1..=versions {
        set_definition(&s, &ctx, &pass(&i.to_string())).await;
        s.publish_state_machine_version(&ctx, publish(None))
            .await
            .unwrap();
    }
    (s, ctx)
}

async fn set_definition(s: &Service, ctx: &Ctx, definition: &str) -> Option<String> {
    s.update_state_machine(
        ctx,
        UpdateStateMachineInput {
            state_machine_arn: SM.into(),
            definition: Some(definition.into()),
            role_arn: None,
            logging_configuration: None,
            tracing_configuration: None,
            publish: None,
            version_description: None,
            encryption_configuration: None,
        },
    )
    .await
    .unwrap()
    .revision_id
}

fn publish(revision: Option<&str>) -> PublishStateMachineVersionInput {
    PublishStateMachineVersionInput {
        state_machine_arn: SM.into(),
        revision_id: revision.map(str::to_owned),
        description: None,
    }
}

fn route(pairs: &[(&str, i32)]) -> Vec<RoutingConfigurationListItem> {
    pairs
        .iter()
        .map(|(arn, weight)| RoutingConfigurationListItem {
            state_machine_version_arn: (*arn).into(),
            weight: *weight,
        })
        .collect()
}

fn alias(name: &str, pairs: &[(&str, i32)]) -> CreateStateMachineAliasInput {
    CreateStateMachineAliasInput {
        description: None,
        name: name.into(),
        routing_configuration: route(pairs),
    }
}

fn versions_of(arn: &str) -> ListStateMachineVersionsInput {
    ListStateMachineVersionsInput {
        state_machine_arn: arn.into(),
        next_token: None,
        max_results: None,
    }
}

#[tokio::test]
async fn publish_numbers_versions_and_is_idempotent_per_revision() {
    let (s, ctx) = with_versions(0).await;
    let v1 = s
        .publish_state_machine_version(&ctx, publish(None))
        .await
        .unwrap();
    assert_eq!(v1.state_machine_version_arn, format!("{SM}:1"));
    let again = s
        .publish_state_machine_version(&ctx, publish(None))
        .await
        .unwrap();
    assert_eq!(
        again.state_machine_version_arn,
        v1.state_machine_version_arn
    );
    assert_eq!(again.creation_date, v1.creation_date);
    set_definition(&s, &ctx, &pass("x")).await;
    let v2 = s
        .publish_state_machine_version(&ctx, publish(None))
        .await
        .unwrap();
    assert_eq!(v2.state_machine_version_arn, format!("{SM}:2"));
}

#[tokio::test]
async fn publish_checks_the_revision() {
    let (s, ctx) = with_versions(0).await;
    // A machine never updated is at revision INITIAL.
    s.publish_state_machine_version(&ctx, publish(Some("INITIAL")))
        .await
        .unwrap();
    let r1 = set_definition(&s, &ctx, &pass("x")).await.unwrap();
    let r2 = set_definition(&s, &ctx, &pass("y")).await.unwrap();
    let e = s
        .publish_state_machine_version(&ctx, publish(Some(&r1)))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConflictException);
    assert_eq!(
        e.message(),
        Some(format!("Failed to publish the State Machine version for revision {r1}. The current State Machine revision is {r2}.").as_str())
    );
    let v = s
        .publish_state_machine_version(&ctx, publish(Some(&r2)))
        .await
        .unwrap();
    assert_eq!(v.state_machine_version_arn, format!("{SM}:2"));
}

#[tokio::test]
async fn publish_errors() {
    let (s, ctx) = service();
    let e = s
        .publish_state_machine_version(&ctx, publish(None))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::StateMachineDoesNotExist);
    let mut bad = publish(None);
    bad.state_machine_arn = "arn:aws:states:us-east-1:123456789012:activity:a".into();
    assert_eq!(
        s.publish_state_machine_version(&ctx, bad)
            .await
            .unwrap_err()
            .code(),
        ErrorCode::InvalidArn
    );
}

#[tokio::test]
async fn versions_describe_their_own_revision() {
    let (s, ctx) = with_versions(2).await;
    set_definition(&s, &ctx, &pass("latest")).await;
    let v1 = s
        .describe_state_machine(
            &ctx,
            estado_api::shapes::DescribeStateMachineInput {
                state_machine_arn: format!("{SM}:1"),
                included_data: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(v1.definition, pass("1"));
    assert_eq!(v1.name, "sm");
    assert!(v1.revision_id.is_some());
}

#[tokio::test]
async fn list_versions_newest_first_with_pages() {
    let (s, ctx) = with_versions(3).await;
    let mut req = versions_of(SM);
    req.max_results = Some(2);
    let first = s
        .list_state_machine_versions(&ctx, req.clone())
        .await
        .unwrap();
    let arns: Vec<_> = first
        .state_machine_versions
        .iter()
        .map(|v| v.state_machine_version_arn.clone())
        .collect();
    assert_eq!(arns, [format!("{SM}:3"), format!("{SM}:2")]);
    req.next_token = first.next_token;
    let second = s.list_state_machine_versions(&ctx, req).await.unwrap();
    assert_eq!(second.state_machine_versions.len(), 1);
    assert_eq!(
        second.state_machine_versions[0].state_machine_version_arn,
        format!("{SM}:1")
    );
    assert_eq!(second.next_token, None);
    let mut garbage = versions_of(SM);
    garbage.next_token = Some("x".into());
    assert_eq!(
        s.list_state_machine_versions(&ctx, garbage)
            .await
            .unwrap_err()
            .code(),
        ErrorCode::InvalidToken
    );
}

#[tokio::test]
async fn delete_version_is_idempotent_and_numbers_are_not_reused() {
    let (s, ctx) = with_versions(2).await;
    let del = DeleteStateMachineVersionInput {
        state_machine_version_arn: format!("{SM}:2"),
    };
    s.delete_state_machine_version(&ctx, del.clone())
        .await
        .unwrap();
    s.delete_state_machine_version(&ctx, del).await.unwrap();
    set_definition(&s, &ctx, &pass("next")).await;
    let v = s
        .publish_state_machine_version(&ctx, publish(None))
        .await
        .unwrap();
    assert_eq!(v.state_machine_version_arn, format!("{SM}:3"));
    let e = s
        .delete_state_machine_version(
            &ctx,
            DeleteStateMachineVersionInput {
                state_machine_version_arn: SM.into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArn);
}

#[tokio::test]
async fn a_version_in_use_by_an_alias_cannot_be_deleted() {
    let (s, ctx) = with_versions(1).await;
    s.create_state_machine_alias(&ctx, alias("prod", &[(&format!("{SM}:1"), 100)]))
        .await
        .unwrap();
    let e = s
        .delete_state_machine_version(
            &ctx,
            DeleteStateMachineVersionInput {
                state_machine_version_arn: format!("{SM}:1"),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConflictException);
    assert_eq!(
        e.message(),
        Some("Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [prod]")
    );
}

#[tokio::test]
async fn alias_lifecycle() {
    let (s, ctx) = with_versions(2).await;
    let v1 = format!("{SM}:1");
    let v2 = format!("{SM}:2");
    let mut req = alias("prod", &[(&v1, 100)]);
    req.description = Some("d".into());
    let created = s
        .create_state_machine_alias(&ctx, req.clone())
        .await
        .unwrap();
    assert_eq!(created.state_machine_alias_arn, format!("{SM}:prod"));
    // The same request again is the same alias.
    let again = s.create_state_machine_alias(&ctx, req).await.unwrap();
    assert_eq!(again.creation_date, created.creation_date);
    let describe = || DescribeStateMachineAliasInput {
        state_machine_alias_arn: format!("{SM}:prod"),
    };
    let d = s
        .describe_state_machine_alias(&ctx, describe())
        .await
        .unwrap();
    assert_eq!(d.name.as_deref(), Some("prod"));
    assert_eq!(d.description.as_deref(), Some("d"));
    assert_eq!(d.routing_configuration, Some(route(&[(&v1, 100)])));

    s.update_state_machine_alias(
        &ctx,
        UpdateStateMachineAliasInput {
            state_machine_alias_arn: format!("{SM}:prod"),
            description: None,
            routing_configuration: Some(route(&[(&v1, 50), (&v2, 50)])),
        },
    )
    .await
    .unwrap();
    let d = s
        .describe_state_machine_alias(&ctx, describe())
        .await
        .unwrap();
    assert_eq!(
        d.routing_configuration,
        Some(route(&[(&v1, 50), (&v2, 50)]))
    );
    assert_eq!(d.description.as_deref(), Some("d"));

    let del = DeleteStateMachineAliasInput {
        state_machine_alias_arn: format!("{SM}:prod"),
    };
    s.delete_state_machine_alias(&ctx, del.clone())
        .await
        .unwrap();
    s.delete_state_machine_alias(&ctx, del).await.unwrap();
    let e = s
        .describe_state_machine_alias(&ctx, describe())
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ResourceNotFound);
}

#[tokio::test]
async fn create_alias_conflicts_with_a_different_alias_of_the_same_name() {
    let (s, ctx) = with_versions(2).await;
    s.create_state_machine_alias(&ctx, alias("prod", &[(&format!("{SM}:1"), 100)]))
        .await
        .unwrap();
    let e = s
        .create_state_machine_alias(&ctx, alias("prod", &[(&format!("{SM}:2"), 100)]))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConflictException);
    assert_eq!(
        e.message(),
        Some("Failed to create alias because an alias with the same name and a different routing configuration already exists.")
    );
}

#[tokio::test]
async fn routing_must_be_versions_of_one_machine_weighing_100() {
    let (s, ctx) = with_versions(2).await;
    let v1 = format!("{SM}:1");
    let v2 = format!("{SM}:2");
    let invalid = |pairs: &[(&str, i32)], message: String| {
        let s = s.clone();
        let ctx = ctx.clone();
        let req = alias("a", pairs);
        async move {
            let e = s.create_state_machine_alias(&ctx, req).await.unwrap_err();
            assert_eq!(e.code(), ErrorCode::ValidationException);
            assert_eq!(e.reason(), Some("INVALID_ROUTING_CONFIGURATION"));
            assert_eq!(e.message(), Some(message.as_str()));
        }
    };
    invalid(
        &[(SM, 100)],
        format!("Routing configuration must contain state machine version ARNs. Received: [{SM}]"),
    )
    .await;
    invalid(
        &[(&v1, 50), (&v1, 50)],
        format!("Routing configuration must contain distinct state machine version ARNs. Received: [{v1}, {v1}]"),
    )
    .await;
    invalid(
        &[(&v1, 70), (&v2, 29)],
        "Sum of routing configuration weights must equal 100. Received: [70, 29]".into(),
    )
    .await;
    let other = "arn:aws:states:us-east-1:123456789012:stateMachine:other:1";
    let e = s
        .create_state_machine_alias(&ctx, alias("a", &[(&v1, 50), (other, 50)]))
        .await
        .unwrap_err();
    assert_eq!(e.reason(), Some("INVALID_ROUTING_CONFIGURATION"));
    // A version that does not exist is not found.
    let e = s
        .create_state_machine_alias(&ctx, alias("a", &[(&format!("{SM}:9"), 100)]))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ResourceNotFound);
    assert_eq!(
        e.message(),
        Some("Request references a resource that does not exist.")
    );
}

#[tokio::test]
async fn update_alias_errors() {
    let (s, ctx) = with_versions(1).await;
    let update = |arn: &str, description: Option<&str>| UpdateStateMachineAliasInput {
        state_machine_alias_arn: arn.into(),
        description: description.map(str::to_owned),
        routing_configuration: None,
    };
    let e = s
        .update_state_machine_alias(&ctx, update(&format!("{SM}:nope"), Some("d")))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ResourceNotFound);
    assert_eq!(
        e.message(),
        Some("Request references a resource that does not exist.")
    );
    s.create_state_machine_alias(&ctx, alias("prod", &[(&format!("{SM}:1"), 100)]))
        .await
        .unwrap();
    let e = s
        .update_state_machine_alias(&ctx, update(&format!("{SM}:prod"), None))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ValidationException);
    let e = s
        .update_state_machine_alias(&ctx, update(SM, Some("d")))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArn);
}

#[tokio::test]
async fn list_aliases_of_a_machine_or_a_version() {
    let (s, ctx) = with_versions(2).await;
    let v1 = format!("{SM}:1");
    let v2 = format!("{SM}:2");
    s.create_state_machine_alias(&ctx, alias("a", &[(&v1, 100)]))
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    s.create_state_machine_alias(&ctx, alias("b", &[(&v2, 100)]))
        .await
        .unwrap();
    let list = |arn: &str, max: Option<i32>, token: Option<String>| ListStateMachineAliasesInput {
        state_machine_arn: arn.into(),
        next_token: token,
        max_results: max,
    };
    let all = s
        .list_state_machine_aliases(&ctx, list(SM, Some(1), None))
        .await
        .unwrap();
    assert_eq!(
        all.state_machine_aliases[0].state_machine_alias_arn,
        format!("{SM}:a")
    );
    let rest = s
        .list_state_machine_aliases(&ctx, list(SM, Some(1), all.next_token))
        .await
        .unwrap();
    assert_eq!(
        rest.state_machine_aliases[0].state_machine_alias_arn,
        format!("{SM}:b")
    );
    assert_eq!(rest.next_token, None);
    let of_v2 = s
        .list_state_machine_aliases(&ctx, list(&v2, None, None))
        .await
        .unwrap();
    assert_eq!(of_v2.state_machine_aliases.len(), 1);
    assert_eq!(
        of_v2.state_machine_aliases[0].state_machine_alias_arn,
        format!("{SM}:b")
    );

    let e = s
        .list_state_machine_aliases(&ctx, list(&format!("{SM}x"), None, None))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::StateMachineDoesNotExist);
    let e = s
        .list_state_machine_aliases(&ctx, list(&format!("{SM}:7"), None, None))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ResourceNotFound);
}
