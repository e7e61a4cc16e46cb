//! CreateActivity, DescribeActivity, DeleteActivity, ListActivities and the tagging verbs.

use estado_api::shapes::{
    CreateActivityInput, CreateStateMachineInput, DeleteActivityInput, DescribeActivityInput,
    EncryptionConfiguration, ListActivitiesInput, ListTagsForResourceInput,
    PublishStateMachineVersionInput, Tag, TagResourceInput, UntagResourceInput,
};
use estado_api::ErrorCode;
use estado_engine::service::{Ctx, Service};

mod common;
use common::service;

const ACT: &str = "arn:aws:states:us-east-1:123456789012:activity:";
const SM: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:sm";

fn activity(name: &str) -> CreateActivityInput {
    CreateActivityInput {
        name: name.into(),
        tags: None,
        encryption_configuration: None,
    }
}

fn tag(key: &str, value: &str) -> Tag {
    Tag {
        key: Some(key.into()),
        value: Some(value.into()),
    }
}

async fn tags_of(s: &Service, ctx: &Ctx, arn: &str) -> Vec<Tag> {
    s.list_tags_for_resource(
        ctx,
        ListTagsForResourceInput {
            resource_arn: arn.into(),
        },
    )
    .await
    .unwrap()
    .tags
    .unwrap()
}

async fn machine(s: &Service, ctx: &Ctx) {
    s.create_state_machine(
        ctx,
        CreateStateMachineInput {
            name: "sm".into(),
            definition: r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#.into(),
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
}

#[tokio::test]
async fn activity_lifecycle() {
    let (s, ctx) = service();
    let created = s.create_activity(&ctx, activity("work")).await.unwrap();
    assert_eq!(created.activity_arn, format!("{ACT}work"));
    let describe = || DescribeActivityInput {
        activity_arn: format!("{ACT}work"),
    };
    let d = s.describe_activity(&ctx, describe()).await.unwrap();
    assert_eq!(d.name, "work");
    assert_eq!(d.creation_date, created.creation_date);
    let del = DeleteActivityInput {
        activity_arn: format!("{ACT}work"),
    };
    s.delete_activity(&ctx, del.clone()).await.unwrap();
    s.delete_activity(&ctx, del).await.unwrap();
    let e = s.describe_activity(&ctx, describe()).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::ActivityDoesNotExist);
    assert_eq!(
        e.message(),
        Some(format!("Activity Does Not Exist: '{ACT}work'").as_str())
    );
}

#[tokio::test]
async fn create_activity_is_idempotent_by_name() {
    let (s, ctx) = service();
    let mut first = activity("work");
    first.tags = Some(vec![tag("a", "1")]);
    let one = s.create_activity(&ctx, first).await.unwrap();
    let mut repeat = activity("work");
    repeat.tags = Some(vec![tag("b", "2")]);
    let two = s.create_activity(&ctx, repeat).await.unwrap();
    assert_eq!(
        (two.activity_arn.as_str(), two.creation_date),
        (one.activity_arn.as_str(), one.creation_date)
    );
    // The repeat's tags are ignored.
    assert_eq!(
        tags_of(&s, &ctx, &one.activity_arn).await,
        vec![tag("a", "1")]
    );
    let mut encrypted = activity("work");
    encrypted.encryption_configuration = Some(EncryptionConfiguration {
        kms_key_id: Some("key".into()),
        kms_data_key_reuse_period_seconds: None,
        r#type: "CUSTOMER_MANAGED_KMS_KEY".into(),
    });
    let e = s.create_activity(&ctx, encrypted).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::ActivityAlreadyExists);
}

#[tokio::test]
async fn activity_errors() {
    let (s, ctx) = service();
    let e = s.create_activity(&ctx, activity("a b")).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidName);
    let mut many = activity("a");
    many.tags = Some((0..51).map(|i| tag(&i.to_string(), "")).collect());
    assert_eq!(
        s.create_activity(&ctx, many).await.unwrap_err().code(),
        ErrorCode::TooManyTags
    );
    let e = s
        .describe_activity(
            &ctx,
            DescribeActivityInput {
                activity_arn: SM.into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArn);
    assert_eq!(
        e.message(),
        Some("Invalid Arn: 'Resource type not valid in this context: statemachine'")
    );
    let e = s
        .delete_activity(
            &ctx,
            DeleteActivityInput {
                activity_arn: "nope".into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArn);
}

#[tokio::test]
async fn list_activities_in_pages() {
    let (s, ctx) = service();
    for name in ["x", "y", "z"] {
        s.create_activity(&ctx, activity(name)).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    let page = |token| ListActivitiesInput {
        max_results: Some(2),
        next_token: token,
    };
    let first = s.list_activities(&ctx, page(None)).await.unwrap();
    let names: Vec<_> = first.activities.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["x", "y"]);
    let second = s
        .list_activities(&ctx, page(first.next_token))
        .await
        .unwrap();
    assert_eq!(second.activities.len(), 1);
    assert_eq!(second.activities[0].activity_arn, format!("{ACT}z"));
    assert_eq!(second.next_token, None);
    let e = s
        .list_activities(&ctx, page(Some("bad".into())))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidToken);
}

#[tokio::test]
async fn tag_untag_and_list() {
    let (s, ctx) = service();
    machine(&s, &ctx).await;
    let tag_req = |tags| TagResourceInput {
        resource_arn: SM.into(),
        tags,
    };
    s.tag_resource(&ctx, tag_req(vec![tag("k1", "v1"), tag("k2", "v2")]))
        .await
        .unwrap();
    s.tag_resource(&ctx, tag_req(vec![tag("k1", "new")]))
        .await
        .unwrap();
    assert_eq!(
        tags_of(&s, &ctx, SM).await,
        vec![tag("k1", "new"), tag("k2", "v2")]
    );
    s.untag_resource(
        &ctx,
        UntagResourceInput {
            resource_arn: SM.into(),
            tag_keys: vec!["k1".into(), "absent".into()],
        },
    )
    .await
    .unwrap();
    assert_eq!(tags_of(&s, &ctx, SM).await, vec![tag("k2", "v2")]);

    s.create_activity(&ctx, activity("work")).await.unwrap();
    let act = format!("{ACT}work");
    s.tag_resource(
        &ctx,
        TagResourceInput {
            resource_arn: act.clone(),
            tags: vec![tag("a", "")],
        },
    )
    .await
    .unwrap();
    assert_eq!(tags_of(&s, &ctx, &act).await, vec![tag("a", "")]);
}

#[tokio::test]
async fn tags_are_limited_to_fifty() {
    let (s, ctx) = service();
    machine(&s, &ctx).await;
    let fifty: Vec<Tag> = (0..50).map(|i| tag(&format!("k{i}"), "v")).collect();
    s.tag_resource(
        &ctx,
        TagResourceInput {
            resource_arn: SM.into(),
            tags: fifty,
        },
    )
    .await
    .unwrap();
    // Replacing an existing key is fine; a 51st key is not.
    s.tag_resource(
        &ctx,
        TagResourceInput {
            resource_arn: SM.into(),
            tags: vec![tag("k0", "w")],
        },
    )
    .await
    .unwrap();
    let e = s
        .tag_resource(
            &ctx,
            TagResourceInput {
                resource_arn: SM.into(),
                tags: vec![tag("k50", "v")],
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::TooManyTags);
    assert_eq!(e.resource_name(), Some(SM));
}

#[tokio::test]
async fn tagging_unknown_or_untaggable_resources() {
    let (s, ctx) = service();
    let e = s
        .tag_resource(
            &ctx,
            TagResourceInput {
                resource_arn: SM.into(),
                tags: vec![tag("k", "v")],
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ResourceNotFound);
    assert_eq!(
        e.message(),
        Some(format!("Resource not found: '{SM}'").as_str())
    );
    assert_eq!(e.resource_name(), Some(SM));

    // A version ARN is well formed but not taggable: ResourceNotFound, as AWS answers.
    machine(&s, &ctx).await;
    s.publish_state_machine_version(
        &ctx,
        PublishStateMachineVersionInput {
            state_machine_arn: SM.into(),
            revision_id: None,
            description: None,
        },
    )
    .await
    .unwrap();
    let e = s
        .tag_resource(
            &ctx,
            TagResourceInput {
                resource_arn: format!("{SM}:1"),
                tags: vec![tag("k", "v")],
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ResourceNotFound);

    let e = s
        .list_tags_for_resource(
            &ctx,
            ListTagsForResourceInput {
                resource_arn: "arn:aws:states:us-east-1:123456789012:execution:sm:e".into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArn);
    let e = s
        .untag_resource(
            &ctx,
            UntagResourceInput {
                resource_arn: format!("{ACT}gone"),
                tag_keys: vec![],
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ResourceNotFound);
}
