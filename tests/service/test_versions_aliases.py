"""PublishStateMachineVersion, ListStateMachineVersions, DeleteStateMachineVersion and the
alias operations, including executions started through versions and aliases."""

import datetime as dt
import json

import pytest

from sfn_helpers import create_sm, pass_definition, raises_aws, run_to_end, sm_arn, unique


def published(sfn, prefix, versions=2):
    """A state machine with `versions` published versions, each a different definition."""
    name, sm = create_sm(sfn, prefix, pass_definition({"v": 0}))
    arns = []
    for v in range(1, versions + 1):
        out = sfn.update_state_machine(
            stateMachineArn=sm, definition=pass_definition({"v": v}), publish=True
        )
        arns.append(out["stateMachineVersionArn"])
    return name, sm, arns


@pytest.mark.xfail_on_moto("moto 5.2.5 does not implement PublishStateMachineVersion")
def test_publish_list_describe_delete_versions(sfn):
    name, sm = create_sm(sfn, "ver", pass_definition({"v": 1}))
    v1 = sfn.publish_state_machine_version(stateMachineArn=sm, description="first")
    assert v1["stateMachineVersionArn"] == sm_arn(name) + ":1"
    assert isinstance(v1["creationDate"], dt.datetime)

    sfn.update_state_machine(stateMachineArn=sm, definition=pass_definition({"v": 2}))
    v2 = sfn.publish_state_machine_version(stateMachineArn=sm)
    assert v2["stateMachineVersionArn"] == sm_arn(name) + ":2"

    listed = sfn.list_state_machine_versions(stateMachineArn=sm)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in listed] == [
        v2["stateMachineVersionArn"],
        v1["stateMachineVersionArn"],
    ], "newest first"
    assert all(isinstance(v["creationDate"], dt.datetime) for v in listed)

    described = sfn.describe_state_machine(stateMachineArn=v1["stateMachineVersionArn"])
    assert described["stateMachineArn"] == v1["stateMachineVersionArn"]
    assert described["name"] == name
    assert described["description"] == "first"
    assert json.loads(described["definition"])["States"]["Only"]["Result"] == {"v": 1}

    sfn.delete_state_machine_version(stateMachineVersionArn=v1["stateMachineVersionArn"])
    listed = sfn.list_state_machine_versions(stateMachineArn=sm)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in listed] == [v2["stateMachineVersionArn"]]
    with raises_aws("StateMachineDoesNotExist"):
        sfn.describe_state_machine(stateMachineArn=v1["stateMachineVersionArn"])
    # Deleting a version that is gone is not an error.
    sfn.delete_state_machine_version(stateMachineVersionArn=v1["stateMachineVersionArn"])

    # Version numbers are never reused.
    sfn.update_state_machine(stateMachineArn=sm, definition=pass_definition({"v": 3}))
    v3 = sfn.publish_state_machine_version(stateMachineArn=sm)
    assert v3["stateMachineVersionArn"] == sm_arn(name) + ":3"


@pytest.mark.xfail_on_moto("moto 5.2.5 does not implement PublishStateMachineVersion")
def test_publish_is_idempotent_for_an_unchanged_revision(sfn):
    _, sm = create_sm(sfn, "ver-idem")
    first = sfn.publish_state_machine_version(stateMachineArn=sm)
    again = sfn.publish_state_machine_version(stateMachineArn=sm)
    assert again["stateMachineVersionArn"] == first["stateMachineVersionArn"]
    assert len(sfn.list_state_machine_versions(stateMachineArn=sm)["stateMachineVersions"]) == 1


@pytest.mark.xfail_on_moto("moto returns no revisionId")
def test_publish_with_a_stale_revision_conflicts(sfn):
    _, sm = create_sm(sfn, "ver-stale")
    old = sfn.update_state_machine(stateMachineArn=sm, definition=pass_definition({"r": 1}))
    new = sfn.update_state_machine(stateMachineArn=sm, definition=pass_definition({"r": 2}))
    with raises_aws(
        "ConflictException",
        message=f"Failed to publish the State Machine version for revision {old['revisionId']}. "
        f"The current State Machine revision is {new['revisionId']}.",
    ):
        sfn.publish_state_machine_version(stateMachineArn=sm, revisionId=old["revisionId"])


@pytest.mark.xfail_on_moto("moto 5.2.5 does not implement PublishStateMachineVersion")
def test_publish_unknown_state_machine(sfn):
    arn = sm_arn(unique("ver-missing"))
    with raises_aws("StateMachineDoesNotExist"):
        sfn.publish_state_machine_version(stateMachineArn=arn)


@pytest.mark.xfail_on_moto("moto cannot start an execution of a version ARN")
def test_execution_of_a_version_records_it(sfn):
    _, sm, (v1, v2) = published(sfn, "ver-run")
    described = run_to_end(sfn, v1)
    assert described["stateMachineArn"] == sm
    assert described["stateMachineVersionArn"] == v1
    assert json.loads(described["output"]) == {"v": 1}
    listed = sfn.list_executions(stateMachineArn=v1)["executions"]
    assert [e["executionArn"] for e in listed] == [described["executionArn"]]
    assert listed[0]["stateMachineVersionArn"] == v1


def routing(*pairs):
    return [{"stateMachineVersionArn": arn, "weight": w} for arn, w in pairs]


def test_alias_lifecycle(sfn):
    name, sm, (v1, v2) = published(sfn, "alias")
    alias_name = unique("live")
    created = sfn.create_state_machine_alias(
        name=alias_name, description="prod", routingConfiguration=routing((v1, 100))
    )
    alias = created["stateMachineAliasArn"]
    assert alias == f"{sm}:{alias_name}"
    assert isinstance(created["creationDate"], dt.datetime)

    described = sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
    assert described["stateMachineAliasArn"] == alias
    assert described["name"] == alias_name
    assert described["description"] == "prod"
    assert described["routingConfiguration"] == routing((v1, 100))
    assert described["creationDate"] == created["creationDate"]

    updated = sfn.update_state_machine_alias(
        stateMachineAliasArn=alias, routingConfiguration=routing((v1, 50), (v2, 50))
    )
    assert isinstance(updated["updateDate"], dt.datetime)
    described = sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
    assert sorted(
        described["routingConfiguration"], key=lambda r: r["stateMachineVersionArn"]
    ) == routing((v1, 50), (v2, 50))
    assert described["description"] == "prod"
    assert described["updateDate"] == updated["updateDate"]

    listed = sfn.list_state_machine_aliases(stateMachineArn=sm)["stateMachineAliases"]
    assert [a["stateMachineAliasArn"] for a in listed] == [alias]

    sfn.delete_state_machine_alias(stateMachineAliasArn=alias)
    assert sfn.list_state_machine_aliases(stateMachineArn=sm)["stateMachineAliases"] == []
    with raises_aws("ResourceNotFound"):
        sfn.describe_state_machine_alias(stateMachineAliasArn=alias)


@pytest.mark.xfail_on_moto("moto does not detect a conflicting alias")
def test_create_alias_is_idempotent_and_conflicts_on_change(sfn):
    _, sm, (v1, v2) = published(sfn, "alias-idem")
    first = sfn.create_state_machine_alias(name="stable", routingConfiguration=routing((v1, 100)))
    again = sfn.create_state_machine_alias(name="stable", routingConfiguration=routing((v1, 100)))
    assert again["stateMachineAliasArn"] == first["stateMachineAliasArn"]
    with raises_aws(
        "ConflictException",
        message="Failed to create alias because an alias with the same name and a different "
        "routing configuration already exists.",
    ):
        sfn.create_state_machine_alias(name="stable", routingConfiguration=routing((v2, 100)))


@pytest.mark.xfail_on_moto("moto cannot start an execution through an alias ARN")
def test_start_execution_through_an_alias_records_it(sfn):
    _, sm, (v1, _v2) = published(sfn, "alias-run")
    alias = sfn.create_state_machine_alias(name="current", routingConfiguration=routing((v1, 100)))[
        "stateMachineAliasArn"
    ]
    described = run_to_end(sfn, alias)
    assert described["status"] == "SUCCEEDED"
    assert described["stateMachineArn"] == sm
    assert described["stateMachineAliasArn"] == alias
    assert described["stateMachineVersionArn"] == v1
    assert json.loads(described["output"]) == {"v": 1}
    listed = sfn.list_executions(stateMachineArn=sm)["executions"]
    assert listed[0]["stateMachineAliasArn"] == alias


@pytest.mark.xfail_on_moto("moto words routing configuration errors differently")
def test_invalid_routing_configurations(sfn):
    _, sm, (v1, v2) = published(sfn, "alias-bad")
    with raises_aws(
        "ValidationException",
        message="Sum of routing configuration weights must equal 100. Received: [70, 29]",
    ):
        sfn.create_state_machine_alias(name="bad", routingConfiguration=routing((v1, 70), (v2, 29)))
    with raises_aws(
        "ValidationException",
        message=f"Routing configuration must contain state machine version ARNs. Received: [{sm}]",
    ):
        sfn.create_state_machine_alias(name="bad", routingConfiguration=routing((sm, 100)))
    with raises_aws(
        "ValidationException",
        message="Routing configuration must contain distinct state machine version ARNs. "
        f"Received: [{v1}, {v1}]",
    ):
        sfn.create_state_machine_alias(name="bad", routingConfiguration=routing((v1, 50), (v1, 50)))
    with raises_aws(
        "ValidationException",
        message="1 validation error detected: Value '101' at "
        "'routingConfiguration.1.member.weight' failed to satisfy constraint: "
        "Member must have value less than or equal to 100",
    ):
        sfn.create_state_machine_alias(name="bad", routingConfiguration=routing((v1, 101)))


@pytest.mark.xfail_on_moto("moto does not check alias names")
def test_alias_name_must_not_be_all_digits(sfn):
    _, _sm, (v1, _v2) = published(sfn, "alias-name")
    with raises_aws(
        "ValidationException",
        message="1 validation error detected: Value '123' at 'name' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: "
        "^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$",
    ):
        sfn.create_state_machine_alias(name="123", routingConfiguration=routing((v1, 100)))


@pytest.mark.xfail_on_moto("moto 5.2.5 does not implement DeleteStateMachineVersion")
def test_a_version_behind_an_alias_cannot_be_deleted(sfn):
    _, _sm, (v1, _v2) = published(sfn, "alias-del")
    alias_name = unique("pinned")
    sfn.create_state_machine_alias(name=alias_name, routingConfiguration=routing((v1, 100)))
    with raises_aws(
        "ConflictException",
        message="Version to be deleted must not be referenced by an alias. "
        f"Current list of aliases referencing this version: [{alias_name}]",
    ):
        sfn.delete_state_machine_version(stateMachineVersionArn=v1)


@pytest.mark.xfail_on_moto("moto words ResourceNotFound differently")
def test_update_an_unknown_alias(sfn):
    _, sm, (v1, _v2) = published(sfn, "alias-missing")
    with raises_aws(
        "ResourceNotFound", message="Request references a resource that does not exist."
    ):
        sfn.update_state_machine_alias(
            stateMachineAliasArn=f"{sm}:{unique('ghost')}", description="x"
        )
