"""TestState's mock validation and mock.fieldValidationMode: a mocked Task result is checked against the output
shape of the operation the Task calls. STRICT (the default) requires the required members and
checks the present ones, PRESENT checks only the present ones, NONE checks nothing; members
the shape does not have are not checked. The expected messages are AWS's, as recorded against
the real service (LocalStack's snapshot tests test_field_validation_mode* and
test_state_mock_validation, November 2025 to February 2026)."""

import json

import botocore.exceptions
import pytest

from harness import ACCOUNT, make_client

ROLE = "arn:aws:iam::%s:role/sfn" % ACCOUNT
PREFIX = "Mock result schema validation error: "


@pytest.fixture
def sfn(endpoint):
    return make_client(endpoint, "stepfunctions", inject_host_prefix=False)


def task(resource, **fields):
    return dict({"Type": "Task", "Resource": resource, "End": True}, **fields)


def run(sfn, state, result, mode=None):
    mock = {"result": json.dumps(result)}
    if mode:
        mock["fieldValidationMode"] = mode
    return sfn.test_state(definition=json.dumps(state), roleArn=ROLE, input="{}", mock=mock)


def refused(sfn, state, result, mode=None):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        run(sfn, state, result, mode)
    assert e.value.response["Error"]["Code"] == "ValidationException"
    return e.value.response["Error"]["Message"]


START = task("arn:aws:states:::states:startExecution",
             Parameters={"StateMachineArn": "arn:aws:states:us-east-1:%s:stateMachine:T" % ACCOUNT})


def test_strict_requires_the_required_members_in_pascal_case(sfn):
    assert refused(sfn, START, {}) == PREFIX + "Required field 'ExecutionArn' is missing"
    assert refused(sfn, START, {"executionArn": "a", "startDate": "d"}) == (
        PREFIX + "Required field 'ExecutionArn' is missing")
    for wrong in (True, 1764103483):
        assert refused(sfn, START, {"ExecutionArn": "a", "StartDate": wrong}) == (
            PREFIX + "Field 'StartDate' must be a string")
    ok = run(sfn, START, {"ExecutionArn": "a", "StartDate": "2025-11-25T00:00:00Z"})
    assert ok["status"] == "SUCCEEDED"


def test_present_checks_only_what_is_there_and_none_checks_nothing(sfn):
    assert run(sfn, START, {}, "PRESENT")["status"] == "SUCCEEDED"
    assert refused(sfn, START, {"ExecutionArn": "a", "StartDate": True}, "PRESENT") == (
        PREFIX + "Field 'StartDate' must be a string")
    for result in ({}, {"ExecutionArn": "a", "StartDate": True}):
        r = run(sfn, START, result, "NONE")
        assert r["status"] == "SUCCEEDED" and json.loads(r["output"]) == result
    with pytest.raises(botocore.exceptions.ClientError) as e:
        run(sfn, START, {}, "LAX")
    assert e.value.response["Error"]["Code"] == "ValidationException"


def test_types_enums_and_ranges_of_each_service(sfn):
    lam = task("arn:aws:states:::lambda:invoke", Parameters={"FunctionName": "f"})
    assert refused(sfn, lam, {"StatusCode": "200"}) == PREFIX + "Field 'StatusCode' must be a number"
    ddb = task("arn:aws:states:::dynamodb:putItem",
               Parameters={"TableName": "t", "Item": {"id": {"S": "1"}}})
    assert refused(sfn, ddb, {"ConsumedCapacity": {"CapacityUnits": "123.45"}}) == (
        PREFIX + "Field 'CapacityUnits' must be a number")
    s3 = task("arn:aws:states:::aws-sdk:s3:getObject", Parameters={"Bucket": "b", "Key": "k"})
    assert refused(sfn, s3, {"ContentLength": "9000"}) == (
        PREFIX + "Field 'ContentLength' must be a number")
    assert refused(sfn, s3, {"StorageClass": "Papyrus"}) == (
        PREFIX + "Field 'StorageClass' is not an expected value")
    get_function = task("arn:aws:states:::aws-sdk:lambda:getFunction",
                        Parameters={"FunctionName": "f"})
    assert refused(sfn, get_function, {"Configuration": {"MemorySize": 127}}) == (
        PREFIX + "Field 'MemorySize' is less than the minimum value")
    # AWS's recording used 10241 when the model's maximum was 10240; it is 32768 now.
    assert refused(sfn, get_function, {"Configuration": {"MemorySize": 32769}}) == (
        PREFIX + "Field 'MemorySize' exceeds the maximum value")


def test_members_outside_the_shape_are_not_checked(sfn):
    sqs = task("arn:aws:states:::sqs:sendMessage", Parameters={"QueueUrl": "q", "MessageBody": "m"})
    for result in ({"random": "json"}, {}):
        r = run(sfn, sqs, result)
        assert r["status"] == "SUCCEEDED" and json.loads(r["output"]) == result
    # A function ARN's result is the function's own output: nothing to check.
    fn = task("arn:aws:lambda:us-east-1:%s:function:f" % ACCOUNT)
    assert run(sfn, fn, {"StatusCode": "x"})["status"] == "SUCCEEDED"


def message(sfn, state, **kw):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sfn.test_state(definition=json.dumps(state), roleArn=ROLE, **kw)
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def test_which_states_take_a_mock_and_what_it_must_be(sfn):
    result = {"result": "{}"}
    for kind in ("Pass", "Succeed"):
        assert message(sfn, {"Type": kind, "End": True} if kind == "Pass" else {"Type": kind},
                       mock=result) == (
            "ValidationException", "State type '%s' is not supported when a mock is specified"
            % kind)
    assert message(sfn, {"Type": "Fail"}, mock={"errorOutput": {"error": "E"}}) == (
        "ValidationException", "State type 'Fail' is not supported when a mock is specified")
    parallel = {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}]}
    assert message(sfn, parallel) == (
        "InvalidDefinition", "TestState API does not support Map or Parallel states. Supported "
        "state types include: [Task, Wait, Pass, Succeed, Fail, Choice]")
    assert message(sfn, parallel, mock={"result": "{}"}) == (
        "ValidationException", "Mocked result must be an array.")
    assert message(sfn, parallel, mock={"result": "[1]"}) == (
        "ValidationException", "Mocked result must contain the same number of items as number "
        "of Parallel branches.")
    processor = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                 "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    plain_map = {"Type": "Map", "End": True, "ItemProcessor": processor}
    assert message(sfn, plain_map, mock={"result": "{}"}) == (
        "ValidationException", "Mocked result must be an array.")
    writer = dict(plain_map, ResultWriter={"Resource": "arn:aws:states:::s3:putObject",
                                           "Parameters": {"Bucket": "b", "Prefix": "p"}})
    assert message(sfn, writer, mock={"result": "[]"}) == (
        "ValidationException", "Mocked result must be a JSON object.")
    both = {"result": "{}", "errorOutput": {"error": "E"}}
    assert message(sfn, START, mock=both) == (
        "ValidationException",
        "A test mock should have only one of the following fields: [result, errorOutput].")
    assert message(sfn, START, mock={"result": "{}", "fieldValidationMode": "NONE"},
                   revealSecrets=True) == (
        "ValidationException", "TestState does not support RevealSecrets when a mock is "
        "specified.")
