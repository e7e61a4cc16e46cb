"""TagResource, UntagResource, ListTagsForResource on state machines and activities."""

import pytest

from sfn_helpers import activity_arn, create_sm, raises_aws, sm_arn, unique


def tags_of(sfn, arn):
    return sorted(
        (t["key"], t["value"]) for t in sfn.list_tags_for_resource(resourceArn=arn)["tags"]
    )


def test_tags_given_at_creation_are_listed(sfn):
    _, sm = create_sm(
        sfn, "tag-create", tags=[{"key": "a", "value": "1"}, {"key": "b", "value": ""}]
    )
    assert tags_of(sfn, sm) == [("a", "1"), ("b", "")]
    act = sfn.create_activity(name=unique("tag-act"), tags=[{"key": "k", "value": "v"}])[
        "activityArn"
    ]
    assert tags_of(sfn, act) == [("k", "v")]


@pytest.mark.parametrize("kind", ["state machine", "activity"])
def test_tag_untag_list(sfn, kind):
    if kind == "activity":
        arn = sfn.create_activity(name=unique("tag-act"))["activityArn"]
    else:
        _, arn = create_sm(sfn, "tag-sm")
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == []

    sfn.tag_resource(
        resourceArn=arn,
        tags=[{"key": "key1", "value": "value1"}, {"key": "key2", "value": "value2"}],
    )
    assert tags_of(sfn, arn) == [("key1", "value1"), ("key2", "value2")]

    # Tagging an existing key replaces its value.
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "key1", "value": "changed"}])
    assert tags_of(sfn, arn) == [("key1", "changed"), ("key2", "value2")]

    # Removing a key that is not there is not an error.
    sfn.untag_resource(resourceArn=arn, tagKeys=["key2", "never-set"])
    assert tags_of(sfn, arn) == [("key1", "changed")]


@pytest.mark.xfail_on_moto("moto does not check that the resource exists")
def test_tag_an_unknown_resource(sfn):
    arn = sm_arn(unique("tag-missing"))
    with raises_aws("ResourceNotFound"):
        sfn.tag_resource(resourceArn=arn, tags=[{"key": "k", "value": "v"}])
    with raises_aws("ResourceNotFound"):
        sfn.list_tags_for_resource(resourceArn=activity_arn(unique("tag-missing")))
    with raises_aws("ResourceNotFound"):
        sfn.untag_resource(resourceArn=arn, tagKeys=["k"])


@pytest.mark.xfail_on_moto("moto does not check the ARN")
def test_tag_with_a_garbage_arn(sfn):
    with raises_aws("InvalidArn"):
        sfn.tag_resource(resourceArn="garbage", tags=[{"key": "k", "value": "v"}])


@pytest.mark.xfail_on_moto("moto 5.2.5 does not implement PublishStateMachineVersion")
def test_a_version_cannot_be_tagged(sfn):
    name, sm = create_sm(sfn, "tag-version")
    version = sfn.publish_state_machine_version(stateMachineArn=sm)["stateMachineVersionArn"]
    with raises_aws("ResourceNotFound", message=f"Resource not found: '{version}'"):
        sfn.tag_resource(resourceArn=version, tags=[{"key": "k", "value": "v"}])


@pytest.mark.xfail_on_moto("moto does not limit the number of tags")
def test_more_than_50_tags(sfn):
    _, sm = create_sm(sfn, "tag-many")
    sfn.tag_resource(resourceArn=sm, tags=[{"key": f"k{i}", "value": "v"} for i in range(50)])
    assert len(tags_of(sfn, sm)) == 50
    with raises_aws("TooManyTags") as info:
        sfn.tag_resource(resourceArn=sm, tags=[{"key": "one-too-many", "value": "v"}])
    assert info.value.response.get("resourceName") in (None, sm)
    assert len(tags_of(sfn, sm)) == 50


@pytest.mark.xfail_on_moto("moto does not limit the number of tags")
def test_more_than_50_tags_at_creation(sfn):
    with raises_aws("TooManyTags"):
        sfn.create_state_machine(
            name=unique("tag-create-many"),
            definition='{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}',
            roleArn="arn:aws:iam::123456789012:role/r",
            tags=[{"key": f"k{i}", "value": "v"} for i in range(51)],
        )
