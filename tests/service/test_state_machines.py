"""CreateStateMachine, DescribeStateMachine, UpdateStateMachine, DeleteStateMachine,
ListStateMachines: members, idempotency and errors as AWS answers them."""

import datetime as dt
import json

import pytest

from sfn_helpers import (
    OTHER_ROLE_ARN,
    ROLE_ARN,
    create_sm,
    definition,
    pass_definition,
    raises_aws,
    sm_arn,
    unique,
)


@pytest.mark.xfail_on_moto("moto's loggingConfiguration lacks includeExecutionData")
def test_create_standard_then_describe_every_member(sfn):
    name = unique("sm-describe")
    text = pass_definition({"hello": "world"})
    created = sfn.create_state_machine(
        name=name, definition=text, roleArn=ROLE_ARN, tags=[{"key": "team", "value": "estado"}]
    )
    assert created["stateMachineArn"] == sm_arn(name)
    assert isinstance(created["creationDate"], dt.datetime)
    assert "stateMachineVersionArn" not in created

    described = sfn.describe_state_machine(stateMachineArn=created["stateMachineArn"])
    assert described["stateMachineArn"] == sm_arn(name)
    assert described["name"] == name
    assert described["status"] == "ACTIVE"
    assert json.loads(described["definition"]) == json.loads(text)
    assert described["roleArn"] == ROLE_ARN
    assert described["type"] == "STANDARD"
    assert described["creationDate"] == created["creationDate"]
    assert described["loggingConfiguration"] == {"level": "OFF", "includeExecutionData": False}
    assert described["tracingConfiguration"] == {"enabled": False}
    # AWS reports a revision only once the state machine has been updated.
    assert "revisionId" not in described


def test_create_express(sfn):
    name, arn = create_sm(sfn, "sm-express", type="EXPRESS")
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert described["type"] == "EXPRESS"
    assert described["name"] == name


def test_create_with_publish_returns_version_one(sfn):
    name = unique("sm-publish")
    created = sfn.create_state_machine(
        name=name, definition=pass_definition(), roleArn=ROLE_ARN, publish=True
    )
    assert created["stateMachineVersionArn"] == sm_arn(name) + ":1"


def test_version_description_without_publish_is_refused(sfn):
    with raises_aws(
        "ValidationException", message="Version description can only be set when publish is true"
    ):
        sfn.create_state_machine(
            name=unique("sm-desc"),
            definition=pass_definition(),
            roleArn=ROLE_ARN,
            versionDescription="v1",
        )


@pytest.mark.xfail_on_moto("moto answers with an empty error code")
def test_definition_without_states_is_invalid(sfn):
    with raises_aws(
        "InvalidDefinition",
        message="Invalid State Machine Definition: "
        "'SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /'",
    ):
        sfn.create_state_machine(
            name=unique("sm-invalid"), definition='{"StartAt": "A"}', roleArn=ROLE_ARN
        )


@pytest.mark.xfail_on_moto("moto answers with an empty error code")
def test_definition_with_a_bad_timestamp_is_invalid(sfn):
    text = definition(
        {"WaitUntil": {"Type": "Wait", "Timestamp": "2016-12-05T21:29:29", "End": True}}
    )
    with raises_aws(
        "InvalidDefinition",
        message="Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: "
        "String does not match RFC3339 timestamp at /States/WaitUntil/Timestamp'",
    ):
        sfn.create_state_machine(name=unique("sm-ts"), definition=text, roleArn=ROLE_ARN)


@pytest.mark.xfail_on_moto("moto answers with an empty error code")
def test_definition_that_is_not_json_is_invalid(sfn):
    with raises_aws("InvalidDefinition", message_prefix="Invalid State Machine Definition: '"):
        sfn.create_state_machine(
            name=unique("sm-notjson"), definition="not a definition", roleArn=ROLE_ARN
        )


@pytest.mark.xfail_on_moto("moto does not check transition targets")
def test_definition_with_unreachable_target_is_invalid(sfn):
    text = definition({"A": {"Type": "Pass", "Next": "Nowhere"}})
    with raises_aws(
        "InvalidDefinition", message_prefix="Invalid State Machine Definition: '"
    ) as info:
        sfn.create_state_machine(name=unique("sm-next"), definition=text, roleArn=ROLE_ARN)
    assert "MISSING_TRANSITION_TARGET" in info.value.response["Error"]["Message"]


def test_role_that_is_not_an_arn_is_refused(sfn):
    with raises_aws("InvalidArn"):
        sfn.create_state_machine(
            name=unique("sm-role"), definition=pass_definition(), roleArn="not-a-role-arn"
        )


@pytest.mark.parametrize("bad", ["has space", "semi;colon", "slash/name", "q?mark"])
def test_name_with_forbidden_characters_is_invalid(sfn, bad):
    with raises_aws("InvalidName", message=f"Invalid Name: '{bad}'"):
        sfn.create_state_machine(name=bad, definition=pass_definition(), roleArn=ROLE_ARN)


def test_name_longer_than_80_characters_is_a_validation_error(sfn):
    name = "n" * 81
    with raises_aws(
        "ValidationException",
        message=f"1 validation error detected: Value '{name}' at 'name' failed to satisfy "
        "constraint: Member must have length less than or equal to 80",
    ):
        sfn.create_state_machine(name=name, definition=pass_definition(), roleArn=ROLE_ARN)


def test_create_is_idempotent_for_an_identical_request(sfn):
    name = unique("sm-idem")
    text = pass_definition({"n": 1})
    first = sfn.create_state_machine(name=name, definition=text, roleArn=ROLE_ARN)
    again = sfn.create_state_machine(name=name, definition=text, roleArn=ROLE_ARN)
    assert again["stateMachineArn"] == first["stateMachineArn"]


def test_create_ignores_a_different_role_on_an_idempotent_request(sfn):
    # AWS: "If a following request has a different roleArn or tags, Step Functions will ignore
    # these differences and treat it as an idempotent request of the previous."
    name = unique("sm-idem-role")
    text = pass_definition()
    first = sfn.create_state_machine(name=name, definition=text, roleArn=ROLE_ARN)
    again = sfn.create_state_machine(name=name, definition=text, roleArn=OTHER_ROLE_ARN)
    assert again["stateMachineArn"] == first["stateMachineArn"]
    assert (
        sfn.describe_state_machine(stateMachineArn=first["stateMachineArn"])["roleArn"] == ROLE_ARN
    )


@pytest.mark.xfail_on_moto("moto does not compare definitions")
def test_same_name_with_a_different_definition_already_exists(sfn):
    name, arn = create_sm(sfn, "sm-exists", pass_definition({"v": 1}))
    with raises_aws("StateMachineAlreadyExists", message=f"State Machine Already Exists: '{arn}'"):
        sfn.create_state_machine(name=name, definition=pass_definition({"v": 2}), roleArn=ROLE_ARN)


def test_describe_unknown_state_machine(sfn):
    arn = sm_arn(unique("sm-missing"))
    with raises_aws("StateMachineDoesNotExist", message=f"State Machine Does Not Exist: '{arn}'"):
        sfn.describe_state_machine(stateMachineArn=arn)


@pytest.mark.xfail_on_moto("moto words InvalidArn messages differently")
def test_describe_with_a_garbage_arn(sfn):
    with raises_aws("InvalidArn", message="Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'"):
        sfn.describe_state_machine(stateMachineArn="not_a_valid_arn")


def test_describe_with_an_activity_arn_is_invalid(sfn):
    with raises_aws("InvalidArn"):
        sfn.describe_state_machine(
            stateMachineArn=f"arn:aws:states:us-east-1:123456789012:activity:{unique('a')}"
        )


@pytest.mark.xfail_on_moto("moto returns no revisionId")
def test_update_definition_then_role_changes_revision(sfn):
    _, arn = create_sm(sfn, "sm-update", pass_definition({"v": 0}))

    new_text = pass_definition({"v": 1})
    first = sfn.update_state_machine(stateMachineArn=arn, definition=new_text)
    assert isinstance(first["updateDate"], dt.datetime)
    assert first["revisionId"]
    assert "stateMachineVersionArn" not in first
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert json.loads(described["definition"]) == json.loads(new_text)
    assert described["revisionId"] == first["revisionId"]
    assert described["roleArn"] == ROLE_ARN

    second = sfn.update_state_machine(stateMachineArn=arn, roleArn=OTHER_ROLE_ARN)
    assert second["revisionId"] != first["revisionId"]
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert described["roleArn"] == OTHER_ROLE_ARN
    assert json.loads(described["definition"]) == json.loads(new_text)
    assert described["revisionId"] == second["revisionId"]


@pytest.mark.xfail_on_moto("moto issues a new revisionId for an update that changes nothing")
def test_update_with_the_same_values_keeps_the_revision(sfn):
    _, arn = create_sm(sfn, "sm-same")
    first = sfn.update_state_machine(stateMachineArn=arn, roleArn=OTHER_ROLE_ARN)
    again = sfn.update_state_machine(stateMachineArn=arn, roleArn=OTHER_ROLE_ARN)
    assert again["revisionId"] == first["revisionId"]


def test_update_with_publish_returns_a_version(sfn):
    name, arn = create_sm(sfn, "sm-update-publish")
    out = sfn.update_state_machine(
        stateMachineArn=arn, definition=pass_definition({"v": 2}), publish=True
    )
    assert out["stateMachineVersionArn"] == sm_arn(name) + ":1"
    again = sfn.update_state_machine(
        stateMachineArn=arn, definition=pass_definition({"v": 3}), publish=True
    )
    assert again["stateMachineVersionArn"] == sm_arn(name) + ":2"


@pytest.mark.xfail_on_moto("moto answers with an empty error code")
def test_update_without_anything_to_change(sfn):
    _, arn = create_sm(sfn, "sm-update-nothing")
    # Recorded on AWS before KMS support as "Either the definition, the role ARN, the
    # LoggingConfiguration, or the TracingConfiguration must be specified"; newer messages
    # also name the EncryptionConfiguration.
    with raises_aws(
        "MissingRequiredParameter",
        message_prefix="Either the definition, the role ARN, the LoggingConfiguration,",
    ) as info:
        sfn.update_state_machine(stateMachineArn=arn)
    assert info.value.response["Error"]["Message"].endswith("must be specified")


@pytest.mark.xfail_on_moto("moto answers with an empty error code")
def test_update_with_an_invalid_definition(sfn):
    _, arn = create_sm(sfn, "sm-update-invalid")
    with raises_aws("InvalidDefinition", message_prefix="Invalid State Machine Definition: '"):
        sfn.update_state_machine(stateMachineArn=arn, definition='{"StartAt": "A"}')


def test_update_unknown_state_machine(sfn):
    arn = sm_arn(unique("sm-missing"))
    with raises_aws("StateMachineDoesNotExist", message=f"State Machine Does Not Exist: '{arn}'"):
        sfn.update_state_machine(stateMachineArn=arn, definition=pass_definition())


def test_delete_then_describe(sfn):
    _, arn = create_sm(sfn, "sm-delete")
    sfn.delete_state_machine(stateMachineArn=arn)
    # AWS may briefly report the machine as DELETING before it is gone.
    try:
        described = sfn.describe_state_machine(stateMachineArn=arn)
    except sfn.exceptions.StateMachineDoesNotExist:
        return
    assert described["status"] == "DELETING"


def test_delete_unknown_state_machine_succeeds(sfn):
    sfn.delete_state_machine(stateMachineArn=sm_arn(unique("sm-never")))


def test_delete_with_a_garbage_arn(sfn):
    with raises_aws("InvalidArn"):
        sfn.delete_state_machine(stateMachineArn="garbage")


def _listed_with_prefix(pages, prefix):
    return [
        m["name"] for page in pages for m in page["stateMachines"] if m["name"].startswith(prefix)
    ]


def test_list_pages_by_max_results(sfn):
    prefix = unique("sm-list")
    names = {f"{prefix}-{i}" for i in range(5)}
    for n in sorted(names):
        sfn.create_state_machine(
            name=n,
            definition=pass_definition(),
            roleArn=ROLE_ARN,
            type="EXPRESS" if n.endswith("4") else "STANDARD",
        )

    pages, token = [], None
    while True:
        kwargs = {"maxResults": 2}
        if token:
            kwargs["nextToken"] = token
        page = sfn.list_state_machines(**kwargs)
        assert len(page["stateMachines"]) <= 2
        pages.append(page)
        token = page.get("nextToken")
        if not token:
            break
    assert len(pages) >= 3
    listed = _listed_with_prefix(pages, prefix)
    assert sorted(listed) == sorted(names), "every machine exactly once"

    entry = next(m for page in pages for m in page["stateMachines"] if m["name"] == f"{prefix}-4")
    assert entry["stateMachineArn"] == sm_arn(f"{prefix}-4")
    assert entry["type"] == "EXPRESS"
    assert isinstance(entry["creationDate"], dt.datetime)


def test_list_paginator_walks_every_page(sfn):
    prefix = unique("sm-paginate")
    names = {f"{prefix}-{i}" for i in range(3)}
    for n in names:
        sfn.create_state_machine(name=n, definition=pass_definition(), roleArn=ROLE_ARN)
    pages = list(
        sfn.get_paginator("list_state_machines").paginate(PaginationConfig={"PageSize": 1})
    )
    assert sorted(_listed_with_prefix(pages, prefix)) == sorted(names)
    assert all(len(p["stateMachines"]) <= 1 for p in pages)


@pytest.mark.xfail_on_moto("moto does not check model constraints")
def test_list_refuses_max_results_over_1000(sfn):
    with raises_aws(
        "ValidationException",
        message="1 validation error detected: Value '1001' at 'maxResults' failed to satisfy "
        "constraint: Member must have value less than or equal to 1000",
    ):
        sfn.list_state_machines(maxResults=1001)


def test_list_with_a_token_never_issued(sfn):
    with raises_aws("InvalidToken"):
        sfn.list_state_machines(nextToken="this-token-was-never-issued")


def test_deleted_machine_leaves_the_list(sfn):
    name, arn = create_sm(sfn, "sm-unlisted")
    sfn.delete_state_machine(stateMachineArn=arn)
    pages = list(sfn.get_paginator("list_state_machines").paginate())
    assert name not in _listed_with_prefix(pages, name)
