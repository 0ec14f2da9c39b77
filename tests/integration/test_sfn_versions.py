"""Step Functions versions and aliases with boto3: publishing (explicitly and with `publish` on
Create/UpdateStateMachine), executions of a version or through an alias running that version's
definition, weighted routing, the errors AWS answers, and all of it after a kill -9.

AWS's contract (Step Functions developer guide, "State machine versions and aliases"): a version
is an immutable snapshot numbered from 1; publishing an unchanged machine returns the latest
version; an alias routes to one or two versions of its machine with weights summing to 100; a
version an alias refers to cannot be deleted (ConflictException); DescribeExecution names the
version and alias an execution ran."""

import json

import botocore.exceptions
import pytest

from harness import ACCOUNT, REGION, make_client
from sfn_helpers import wait_done

ROLE = "arn:aws:iam::%s:role/sfn" % ACCOUNT


def machine(result):
    return json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": result,
                                                       "End": True}}})


def error_code(fn, **kw):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        fn(**kw)
    return e.value.response["Error"]["Code"]


def output(sfn, execution):
    d = wait_done(sfn, execution)
    assert d["status"] == "SUCCEEDED", d
    return json.loads(d["output"])


def test_versions_run_their_own_definition(endpoint):
    sfn = make_client(endpoint, "stepfunctions")
    created = sfn.create_state_machine(name="versioned", roleArn=ROLE, definition=machine("one"),
                                       publish=True, versionDescription="first")
    arn = created["stateMachineArn"]
    v1 = created["stateMachineVersionArn"]
    assert v1 == arn + ":1"
    # Publishing an unchanged machine gives the latest version back.
    assert sfn.publish_state_machine_version(stateMachineArn=arn)["stateMachineVersionArn"] == v1
    upd = sfn.update_state_machine(stateMachineArn=arn, definition=machine("two"), publish=True,
                                   versionDescription="second")
    v2 = upd["stateMachineVersionArn"]
    assert v2 == arn + ":2"
    sfn.update_state_machine(stateMachineArn=arn, definition=machine("three"))
    assert error_code(sfn.publish_state_machine_version, stateMachineArn=arn,
                      revisionId="not-the-current-one") == "ConflictException"
    d1 = sfn.describe_state_machine(stateMachineArn=v1)
    assert d1["stateMachineArn"] == v1 and d1["description"] == "first"
    assert json.loads(d1["definition"])["States"]["P"]["Result"] == "one"
    listed = sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in listed] == [v2, v1]
    # Versions are not state machines of their own.
    assert [m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]] == [arn]

    e1 = sfn.start_execution(stateMachineArn=v1)["executionArn"]
    e2 = sfn.start_execution(stateMachineArn=v2)["executionArn"]
    e3 = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert [output(sfn, e) for e in (e1, e2, e3)] == ["one", "two", "three"]
    assert e1.startswith("arn:aws:states:%s:%s:execution:versioned:" % (REGION, ACCOUNT))
    d = sfn.describe_execution(executionArn=e1)
    assert d["stateMachineArn"] == arn and d["stateMachineVersionArn"] == v1
    assert "stateMachineVersionArn" not in sfn.describe_execution(executionArn=e3)
    by_version = sfn.list_executions(stateMachineArn=v2)["executions"]
    assert [x["executionArn"] for x in by_version] == [e2]
    assert len(sfn.list_executions(stateMachineArn=arn)["executions"]) == 3

    sfn.delete_state_machine_version(stateMachineVersionArn=v1)
    assert error_code(sfn.describe_state_machine, stateMachineArn=v1) == \
        "StateMachineDoesNotExist"
    # Numbers are never given again.
    v3 = sfn.publish_state_machine_version(stateMachineArn=arn)["stateMachineVersionArn"]
    assert v3 == arn + ":3"


def test_aliases_route_by_weight(endpoint):
    sfn = make_client(endpoint, "stepfunctions")
    arn = sfn.create_state_machine(name="aliased", roleArn=ROLE, definition=machine("a"),
                                   publish=True)["stateMachineArn"]
    v1 = arn + ":1"
    v2 = sfn.update_state_machine(stateMachineArn=arn, definition=machine("b"),
                                  publish=True)["stateMachineVersionArn"]
    alias = sfn.create_state_machine_alias(
        name="live", description="prod",
        routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}])
    alias_arn = alias["stateMachineAliasArn"]
    assert alias_arn == arn + ":live"
    d = sfn.describe_state_machine_alias(stateMachineAliasArn=alias_arn)
    assert d["name"] == "live" and d["description"] == "prod"
    assert d["routingConfiguration"] == [{"stateMachineVersionArn": v1, "weight": 100}]
    e = sfn.start_execution(stateMachineArn=alias_arn)["executionArn"]
    assert output(sfn, e) == "a"
    desc = sfn.describe_execution(executionArn=e)
    assert desc["stateMachineAliasArn"] == alias_arn and desc["stateMachineVersionArn"] == v1
    assert [x["executionArn"] for x in
            sfn.list_executions(stateMachineArn=alias_arn)["executions"]] == [e]

    sfn.update_state_machine_alias(stateMachineAliasArn=alias_arn, routingConfiguration=[
        {"stateMachineVersionArn": v1, "weight": 50}, {"stateMachineVersionArn": v2, "weight": 50}])
    seen = {output(sfn, sfn.start_execution(stateMachineArn=alias_arn)["executionArn"])
            for _ in range(40)}
    assert seen == {"a", "b"}

    listed = sfn.list_state_machine_aliases(stateMachineArn=arn)["stateMachineAliases"]
    assert [a["stateMachineAliasArn"] for a in listed] == [alias_arn]
    # A version an alias uses cannot go; bad routing is refused.
    assert error_code(sfn.delete_state_machine_version, stateMachineVersionArn=v1) == \
        "ConflictException"
    assert error_code(sfn.create_state_machine_alias, name="bad", routingConfiguration=[
        {"stateMachineVersionArn": v1, "weight": 60},
        {"stateMachineVersionArn": v2, "weight": 30}]) == "ValidationException"
    assert error_code(sfn.create_state_machine_alias, name="ghost", routingConfiguration=[
        {"stateMachineVersionArn": arn + ":9", "weight": 100}]) == "ResourceNotFound"
    assert error_code(sfn.create_state_machine_alias, name="live", routingConfiguration=[
        {"stateMachineVersionArn": v2, "weight": 100}]) == "ConflictException"
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias_arn)
    assert error_code(sfn.describe_state_machine_alias, stateMachineAliasArn=alias_arn) == \
        "ResourceNotFound"
    sfn.delete_state_machine_version(stateMachineVersionArn=v1)


def test_versions_and_aliases_survive_kill_9(tidepool_factory):
    server = tidepool_factory(durability="sync")
    sfn = make_client(server.endpoint, "stepfunctions")
    arn = sfn.create_state_machine(name="kept", roleArn=ROLE, definition=machine("old"),
                                   publish=True)["stateMachineArn"]
    sfn.update_state_machine(stateMachineArn=arn, definition=machine("new"))
    alias = sfn.create_state_machine_alias(name="stable", routingConfiguration=[
        {"stateMachineVersionArn": arn + ":1", "weight": 100}])["stateMachineAliasArn"]
    e = sfn.start_execution(stateMachineArn=alias)["executionArn"]
    wait_done(sfn, e)
    server.kill()
    server = tidepool_factory(durability="sync", data_dir=server.data_dir)
    sfn = make_client(server.endpoint, "stepfunctions")
    assert sfn.describe_execution(executionArn=e)["stateMachineAliasArn"] == alias
    assert output(sfn, sfn.start_execution(stateMachineArn=alias)["executionArn"]) == "old"
    assert output(sfn, sfn.start_execution(stateMachineArn=arn)["executionArn"]) == "new"
    # The next version number survived too.
    assert sfn.publish_state_machine_version(stateMachineArn=arn)["stateMachineVersionArn"] == \
        arn + ":2"
    sfn.delete_state_machine(stateMachineArn=arn)
    assert error_code(sfn.describe_state_machine_alias, stateMachineAliasArn=alias) == \
        "ResourceNotFound"
