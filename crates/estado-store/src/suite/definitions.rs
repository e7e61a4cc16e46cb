//! State machines, versions, aliases, activities and tags.

use super::fixtures::*;
use crate::*;

/// `state_machine_to_start` (which a backend may answer from a cache) sees every change made
/// through the same store at once: a create, an update, a new version, a delete, a re-create.
pub async fn machines_to_start_see_this_stores_changes<S: Store>(store: S) {
    let sm = machine("cached", 10);
    assert_eq!(
        ok(store.state_machine_to_start(&sm.arn).await, "to start"),
        None,
        "no machine yet"
    );
    ok(store.create_state_machine(sm.clone()).await, "create");
    for _ in 0..3 {
        assert_eq!(
            ok(store.state_machine_to_start(&sm.arn).await, "to start"),
            Some(sm.clone()),
            "a created machine is there to start (read again: from a cache, if any)"
        );
    }
    let mut changed = sm.clone();
    changed.definition = r#"{"Comment":"changed"}"#.into();
    changed.revision_id = "rev-2".into();
    ok(store.update_state_machine(changed.clone()).await, "update");
    assert_eq!(
        ok(store.state_machine_to_start(&sm.arn).await, "to start"),
        Some(changed.clone()),
        "an update is seen at once"
    );
    ok(
        store.create_version(version("cached", 1)).await,
        "create version",
    );
    assert_eq!(
        ok(store.state_machine_to_start(&sm.arn).await, "to start").map(|m| m.next_version),
        Some(2),
        "a new version's counter is seen at once"
    );
    ok(store.delete_state_machine(&sm.arn).await, "delete");
    assert_eq!(
        ok(store.state_machine_to_start(&sm.arn).await, "to start"),
        None,
        "a deleted machine is gone at once"
    );
    let again = machine("cached", 30);
    ok(store.create_state_machine(again.clone()).await, "re-create");
    assert_eq!(
        ok(store.state_machine_to_start(&sm.arn).await, "to start"),
        Some(again),
        "a re-created machine is the new one"
    );
}

/// Create, read, replace and delete state machines; `AlreadyExists`/`NotFound` where due;
/// deleting a machine takes its versions, aliases and tags along.
pub async fn state_machine_crud<S: Store>(store: S) {
    let sm = machine("orders", 10);
    ok(store.create_state_machine(sm.clone()).await, "create");
    assert_eq!(
        ok(store.get_state_machine(&sm.arn).await, "get"),
        Some(sm.clone()),
        "a created machine reads back exactly"
    );
    match store.create_state_machine(machine("orders", 99)).await {
        Err(StoreError::AlreadyExists(_)) => {}
        other => panic!("creating a taken ARN: expected AlreadyExists, got {other:?}"),
    }
    assert_eq!(
        ok(store.get_state_machine(&sm.arn).await, "get").map(|m| m.created_ms),
        Some(10),
        "a failed create leaves the original"
    );
    assert_eq!(
        ok(store.get_state_machine(&machine_arn("nope")).await, "get"),
        None
    );

    let mut changed = sm.clone();
    changed.definition = r#"{"Comment":"changed"}"#.into();
    changed.revision_id = "rev-2".into();
    changed.updated_ms = 20;
    changed.description = None;
    changed.logging = None;
    ok(store.update_state_machine(changed.clone()).await, "update");
    assert_eq!(
        ok(store.get_state_machine(&sm.arn).await, "get"),
        Some(changed),
        "update replaces the record"
    );
    match store.update_state_machine(machine("ghost", 1)).await {
        Err(StoreError::NotFound(_)) => {}
        other => panic!("updating an unknown machine: expected NotFound, got {other:?}"),
    }

    ok(
        store.create_version(version("orders", 1)).await,
        "create version",
    );
    ok(
        store.put_alias(alias("orders", "live", 5), true).await,
        "create alias",
    );
    ok(
        store.tag(&sm.arn, vec![("team".into(), "a".into())]).await,
        "tag",
    );
    ok(store.delete_state_machine(&sm.arn).await, "delete");
    assert_eq!(ok(store.get_state_machine(&sm.arn).await, "get"), None);
    assert_eq!(
        ok(store.list_versions(&sm.arn).await, "list versions"),
        vec![],
        "versions go with their machine"
    );
    assert_eq!(
        ok(store.get_version(&version("orders", 1).arn).await, "get"),
        None
    );
    assert_eq!(
        ok(store.list_aliases(&sm.arn).await, "list aliases"),
        vec![],
        "aliases go with their machine"
    );
    assert_eq!(ok(store.tags(&sm.arn).await, "tags"), vec![], "tags go too");
    ok(
        store.delete_state_machine(&sm.arn).await,
        "deleting an absent machine is not an error",
    );
}

/// `list_state_machines` orders by creation time, then ARN, and pages with `after`.
pub async fn state_machine_paging<S: Store>(store: S) {
    // Created out of order, two with the same creation time.
    for (name, created) in [("d", 40), ("b", 20), ("c", 20), ("a", 30), ("e", 10)] {
        ok(
            store.create_state_machine(machine(name, created)).await,
            "create",
        );
    }
    let expected: Vec<String> = ["e", "b", "c", "a", "d"]
        .iter()
        .map(|n| machine_arn(n))
        .collect();
    let all = ok(store.list_state_machines(None, 100).await, "list");
    assert_eq!(arns(&all, |m| &m.arn), expected, "creation order, then ARN");
    assert_eq!(all[0], machine("e", 10), "listed records are complete");

    let mut paged = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = ok(store.list_state_machines(after.as_deref(), 2).await, "page");
        assert!(page.len() <= 2, "a page holds at most `limit` records");
        let Some(last) = page.last() else { break };
        after = Some(last.arn.clone());
        paged.extend(arns(&page, |m| &m.arn));
    }
    assert_eq!(paged, expected, "pages join up without gaps or repeats");
    assert_eq!(
        ok(
            store
                .list_state_machines(Some(&machine_arn("zzz")), 10)
                .await,
            "list"
        ),
        vec![],
        "a cursor naming no record gives an empty page"
    );
    assert_eq!(ok(store.list_state_machines(None, 0).await, "list"), vec![]);
}

/// `create_version` stores the version and advances the machine's `next_version` in the same
/// transaction; versions list newest first.
pub async fn versions_advance_the_counter<S: Store>(store: S) {
    let sm = machine("m", 1);
    ok(store.create_state_machine(sm.clone()).await, "create");
    match store.create_version(version("other", 1)).await {
        Err(StoreError::NotFound(_)) => {}
        other => panic!("a version of an unknown machine: expected NotFound, got {other:?}"),
    }
    for n in [1, 2, 3] {
        ok(
            store.create_version(version("m", n)).await,
            "create version",
        );
        let next = ok(store.get_state_machine(&sm.arn).await, "get").map(|m| m.next_version);
        assert_eq!(next, Some(n + 1), "next_version follows the newest version");
    }
    match store.create_version(version("m", 2)).await {
        Err(StoreError::AlreadyExists(_)) => {}
        other => panic!("a taken version ARN: expected AlreadyExists, got {other:?}"),
    }
    assert_eq!(
        ok(store.get_version(&version("m", 2).arn).await, "get"),
        Some(version("m", 2))
    );
    let listed = ok(store.list_versions(&sm.arn).await, "list");
    assert_eq!(
        listed,
        vec![version("m", 3), version("m", 2), version("m", 1)],
        "newest first"
    );

    ok(store.delete_version(&version("m", 3).arn).await, "delete");
    assert_eq!(
        ok(store.get_version(&version("m", 3).arn).await, "get"),
        None
    );
    assert_eq!(
        ok(store.get_state_machine(&sm.arn).await, "get").map(|m| m.next_version),
        Some(4),
        "deleting a version never reuses its number"
    );
    ok(
        store.create_version(version("m", 4)).await,
        "create version",
    );
    assert_eq!(
        arns(&ok(store.list_versions(&sm.arn).await, "list"), |v| &v.arn),
        vec![
            version("m", 4).arn,
            version("m", 2).arn,
            version("m", 1).arn
        ]
    );
    assert_eq!(
        ok(store.list_versions(&machine_arn("other")).await, "list"),
        vec![]
    );
}

/// `put_alias` with `create` fails on a taken ARN; without it, on a missing one.
pub async fn aliases_create_and_update<S: Store>(store: S) {
    ok(store.create_state_machine(machine("m", 1)).await, "create");
    let a = alias("m", "live", 50);
    match store.put_alias(a.clone(), false).await {
        Err(StoreError::NotFound(_)) => {}
        other => panic!("updating a missing alias: expected NotFound, got {other:?}"),
    }
    ok(store.put_alias(a.clone(), true).await, "create alias");
    match store.put_alias(a.clone(), true).await {
        Err(StoreError::AlreadyExists(_)) => {}
        other => panic!("creating a taken alias: expected AlreadyExists, got {other:?}"),
    }
    let mut updated = a.clone();
    updated.description = Some("blue/green".into());
    updated.routing = vec![("v1".into(), 90), ("v2".into(), 10)];
    updated.updated_ms = 60;
    ok(
        store.put_alias(updated.clone(), false).await,
        "update alias",
    );
    assert_eq!(
        ok(store.get_alias(&a.arn).await, "get"),
        Some(updated.clone())
    );

    let early = alias("m", "canary", 20);
    ok(store.put_alias(early.clone(), true).await, "create alias");
    assert_eq!(
        ok(store.list_aliases(&machine_arn("m")).await, "list"),
        vec![early.clone(), updated],
        "aliases list in creation order"
    );
    ok(store.delete_alias(&a.arn).await, "delete");
    assert_eq!(ok(store.get_alias(&a.arn).await, "get"), None);
    assert_eq!(
        ok(store.list_aliases(&machine_arn("m")).await, "list"),
        vec![early]
    );
    ok(store.delete_alias(&a.arn).await, "deleting twice is fine");
}

/// Activities: create (`AlreadyExists` on a taken ARN), read, delete, page in creation order.
pub async fn activity_crud_and_paging<S: Store>(store: S) {
    for (name, created) in [("c", 3), ("a", 1), ("b", 2), ("b2", 2)] {
        ok(
            store.create_activity(activity(name, created)).await,
            "create",
        );
    }
    match store.create_activity(activity("a", 9)).await {
        Err(StoreError::AlreadyExists(_)) => {}
        other => panic!("a taken activity ARN: expected AlreadyExists, got {other:?}"),
    }
    assert_eq!(
        ok(store.get_activity(&activity_arn("a")).await, "get"),
        Some(activity("a", 1))
    );
    let expected: Vec<String> = ["a", "b", "b2", "c"]
        .iter()
        .map(|n| activity_arn(n))
        .collect();
    let all = ok(store.list_activities(None, 10).await, "list");
    assert_eq!(arns(&all, |a| &a.arn), expected);
    let first = ok(store.list_activities(None, 3).await, "page");
    assert_eq!(arns(&first, |a| &a.arn), expected[..3]);
    let rest = ok(store.list_activities(Some(&expected[2]), 3).await, "page");
    assert_eq!(arns(&rest, |a| &a.arn), expected[3..]);

    ok(
        store
            .tag(&activity_arn("a"), vec![("k".into(), "v".into())])
            .await,
        "tag",
    );
    ok(store.delete_activity(&activity_arn("a")).await, "delete");
    assert_eq!(
        ok(store.get_activity(&activity_arn("a")).await, "get"),
        None
    );
    assert_eq!(
        ok(store.tags(&activity_arn("a")).await, "tags"),
        vec![],
        "tags go with the activity"
    );
    ok(
        store.delete_activity(&activity_arn("a")).await,
        "deleting twice is fine",
    );
}

/// Tags keep insertion order; setting a key again replaces its value in place.
pub async fn tags_keep_insertion_order<S: Store>(store: S) {
    let arn = machine_arn("tagged");
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    assert_eq!(ok(store.tags(&arn).await, "tags"), vec![], "no tags yet");
    ok(
        store.tag(&arn, pairs(&[("z", "1"), ("a", "2")])).await,
        "tag",
    );
    ok(
        store.tag(&arn, pairs(&[("m", "3"), ("z", "4")])).await,
        "tag",
    );
    assert_eq!(
        ok(store.tags(&arn).await, "tags"),
        pairs(&[("z", "4"), ("a", "2"), ("m", "3")])
    );
    ok(
        store.untag(&arn, &["a".into(), "missing".into()]).await,
        "untag",
    );
    assert_eq!(
        ok(store.tags(&arn).await, "tags"),
        pairs(&[("z", "4"), ("m", "3")])
    );
    assert_eq!(
        ok(store.tags(&machine_arn("other")).await, "tags"),
        vec![],
        "tags belong to one resource"
    );
    ok(
        store.untag(&machine_arn("other"), &["z".into()]).await,
        "untag",
    );
}
