"""Step Functions over AWS JSON 1.0 with boto3: state machines, executions, histories, the
ASL interpreter end to end, tasks against this process's SQS/SNS/Kinesis (aws-sdk and optimized
integrations), activities, task tokens, EXPRESS sync executions, and the time scale."""

import json
import threading
import time

import botocore.exceptions
import pytest

from harness import make_client
from sfn_helpers import history, wait_done

ROLE = "arn:aws:iam::000000000000:role/sfn"


@pytest.fixture
def sfn(endpoint):
    # StartSyncExecution's endpoint has a "sync-" host prefix, which 127.0.0.1 cannot take.
    return make_client(endpoint, "stepfunctions", inject_host_prefix=False)


def machine(sfn, name, definition, type_="STANDARD"):
    return sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE,
                                    type=type_)["stateMachineArn"]


def expect_error(code, fn, *args, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        fn(*args, **kwargs)
    assert info.value.response["Error"]["Code"] == code, info.value.response
    return info.value.response["Error"]["Message"]


PASS = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}


def test_state_machine_lifecycle(sfn):
    arn = machine(sfn, "m1", PASS)
    assert arn.endswith(":stateMachine:m1")
    d = sfn.describe_state_machine(stateMachineArn=arn)
    assert d["name"] == "m1" and d["type"] == "STANDARD" and d["status"] == "ACTIVE"
    assert json.loads(d["definition"]) == PASS
    msg = expect_error("InvalidDefinition", sfn.create_state_machine, name="bad", roleArn=ROLE,
                       definition=json.dumps({"StartAt": "pass1", "States": {
                           "pass1": {"Type": "Pass", "Next": "pass3"},
                           "pass2": {"Type": "Pass", "End": True}}}))
    assert msg == ("Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' "
                   "target: pass3 at /States/pass1/Next, MISSING_TRANSITION_TARGET: State "
                   "\"pass2\" is not reachable. at /States/pass2'")
    expect_error("StateMachineAlreadyExists", sfn.create_state_machine, name="m1", roleArn=ROLE,
                 definition=json.dumps({"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}))
    expect_error("InvalidName", sfn.create_state_machine, name="a b", roleArn=ROLE,
                 definition=json.dumps(PASS))
    for i in range(3):
        machine(sfn, "page%d" % i, PASS)
    names, token = [], None
    while True:
        kw = {"maxResults": 2}
        if token:
            kw["nextToken"] = token
        page = sfn.list_state_machines(**kw)
        names += [m["name"] for m in page["stateMachines"]]
        token = page.get("nextToken")
        if not token:
            break
    assert names == ["m1", "page0", "page1", "page2"]
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(
        {"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}))
    assert "Succeed" in sfn.describe_state_machine(stateMachineArn=arn)["definition"]
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "team", "value": "data"}])
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "data"}]
    sfn.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == []
    v = sfn.validate_state_machine_definition(definition=json.dumps({"States": {}}))
    assert v["result"] == "FAIL" and v["diagnostics"][0]["code"] == "SCHEMA_VALIDATION_FAILED"
    assert sfn.validate_state_machine_definition(definition=json.dumps(PASS))["result"] == "OK"
    bad_jsonata = {"QueryLanguage": "JSONata", "StartAt": "A",
                   "States": {"A": {"Type": "Pass", "Output": "{% 1 + %}", "End": True}}}
    expect_error("InvalidDefinition", sfn.create_state_machine, name="j", roleArn=ROLE,
                 definition=json.dumps(bad_jsonata))
    sfn.delete_state_machine(stateMachineArn=arn)
    expect_error("StateMachineDoesNotExist", sfn.describe_state_machine, stateMachineArn=arn)
    expect_error("InvalidArn", sfn.describe_state_machine, stateMachineArn="nope")


def test_execution_history_and_idempotency(sfn):
    arn = machine(sfn, "m", {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Parameters": {"sum.$": "States.MathAdd($.a, $.b)",
                                             "name.$": "$$.Execution.Name"},
              "ResultPath": "$.r", "Next": "C"},
        "C": {"Type": "Choice", "Choices": [
            {"Variable": "$.r.sum", "NumericGreaterThan": 2, "Next": "Big"}],
              "Default": "Small"},
        "Big": {"Type": "Succeed", "OutputPath": "$.r"},
        "Small": {"Type": "Fail", "Error": "TooSmall", "Cause": "sum <= 2"}}})
    e = sfn.start_execution(stateMachineArn=arn, name="run1", input='{"a":1,"b":2}')
    d = wait_done(sfn, e["executionArn"])
    assert d["status"] == "SUCCEEDED"
    assert json.loads(d["output"]) == {"sum": 3, "name": "run1"}
    events = history(sfn, e["executionArn"])
    assert [ev["type"] for ev in events] == [
        "ExecutionStarted", "PassStateEntered", "PassStateExited", "ChoiceStateEntered",
        "ChoiceStateExited", "SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"]
    assert [ev["id"] for ev in events] == list(range(1, 9))
    assert events[1]["previousEventId"] == 0 and events[2]["previousEventId"] == 2
    assert events[0]["executionStartedEventDetails"]["roleArn"] == ROLE
    rev = sfn.get_execution_history(executionArn=e["executionArn"], reverseOrder=True,
                                    maxResults=1, includeExecutionData=False)
    assert rev["events"][0]["type"] == "ExecutionSucceeded" and rev["nextToken"]
    assert "output" not in rev["events"][0]["executionSucceededEventDetails"]
    expect_error("ExecutionAlreadyExists", sfn.start_execution, stateMachineArn=arn,
                 name="run1", input='{"a":1,"b":2}')
    f = sfn.start_execution(stateMachineArn=arn, name="run2", input='{"a":1,"b":1}')
    d = wait_done(sfn, f["executionArn"])
    assert (d["status"], d["error"], d["cause"]) == ("FAILED", "TooSmall", "sum <= 2")
    listed = sfn.list_executions(stateMachineArn=arn, statusFilter="FAILED")["executions"]
    assert [x["name"] for x in listed] == ["run2"]
    page = sfn.list_executions(stateMachineArn=arn, maxResults=1)
    assert page["executions"][0]["name"] == "run2" and page["nextToken"]
    dm = sfn.describe_state_machine_for_execution(executionArn=f["executionArn"])
    assert dm["stateMachineArn"] == arn and "Choice" in dm["definition"]
    expect_error("InvalidExecutionInput", sfn.start_execution, stateMachineArn=arn, input="{")
    expect_error("ExecutionDoesNotExist", sfn.describe_execution,
                 executionArn=e["executionArn"] + "x")


@pytest.mark.tidepool(args=["--time-scale", "0.01"])
def test_wait_retry_and_stop_with_time_scale(sfn):
    # 100 s of Wait at a time scale of 0.01 takes about 1 s.
    arn = machine(sfn, "w", {"StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": 100, "End": True}}})
    started = time.time()
    e = sfn.start_execution(stateMachineArn=arn, name="w1")["executionArn"]
    assert wait_done(sfn, e)["status"] == "SUCCEEDED"
    assert 0.9 <= time.time() - started < 5
    running = sfn.start_execution(stateMachineArn=arn, name="w2", input="{}")["executionArn"]
    # Same name and input while running: the same execution.
    assert sfn.start_execution(stateMachineArn=arn, name="w2", input="{}")["executionArn"] == running
    sfn.stop_execution(executionArn=running, error="Stopped", cause="by test")
    d = sfn.describe_execution(executionArn=running)
    assert (d["status"], d["error"]) == ("ABORTED", "Stopped")
    assert history(sfn, running)[-1]["type"] == "ExecutionAborted"


def test_sqs_sns_and_kinesis_integrations(sfn, endpoint):
    sqs = make_client(endpoint, "sqs")
    sns = make_client(endpoint, "sns")
    kinesis = make_client(endpoint, "kinesis")
    q = sqs.create_queue(QueueName="out")["QueueUrl"]
    topic = sns.create_topic(Name="t")["TopicArn"]
    q2 = sqs.create_queue(QueueName="from-sns")["QueueUrl"]
    q2_arn = sqs.get_queue_attributes(QueueUrl=q2, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=q2_arn,
                  Attributes={"RawMessageDelivery": "true"})
    kinesis.create_stream(StreamName="orders", ShardCount=1)
    arn = machine(sfn, "integrations", {"StartAt": "Send", "States": {
        "Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                 "Parameters": {"QueueUrl": q, "MessageBody.$": "$.body"},
                 "ResultPath": "$.sent", "Next": "Publish"},
        "Publish": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
                    "Parameters": {"TopicArn": topic, "Message.$": "$.body"},
                    "ResultPath": "$.published", "Next": "Put"},
        "Put": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:kinesis:putRecord",
                "Parameters": {"StreamName": "orders", "PartitionKey": "k", "Data.$": "$.body"},
                "ResultSelector": {"shard.$": "$.ShardId"}, "ResultPath": "$.put",
                "Next": "Missing"},
        "Missing": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sqs:sendMessage",
                    "Parameters": {"QueueUrl": q + "-nope", "MessageBody": "x"},
                    "Catch": [{"ErrorEquals": ["SQS.QueueDoesNotExistException"],
                               "ResultPath": "$.caught", "Next": "Done"}], "End": True},
        "Done": {"Type": "Succeed"}}})
    e = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"body": "hello"}))
    d = wait_done(sfn, e["executionArn"])
    assert d["status"] == "SUCCEEDED", d
    out = json.loads(d["output"])
    assert out["sent"]["MessageId"] and out["published"]["MessageId"]
    assert out["put"] == {"shard": "shardId-000000000000"}
    assert out["caught"]["Error"] == "SQS.QueueDoesNotExistException"
    msgs = sqs.receive_message(QueueUrl=q, WaitTimeSeconds=2)["Messages"]
    assert msgs[0]["Body"] == "hello"
    msgs = sqs.receive_message(QueueUrl=q2, WaitTimeSeconds=2)["Messages"]
    assert msgs[0]["Body"] == "hello"
    it = kinesis.get_shard_iterator(StreamName="orders", ShardId="shardId-000000000000",
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert kinesis.get_records(ShardIterator=it)["Records"][0]["Data"] == b"hello"
    types = [ev["type"] for ev in history(sfn, e["executionArn"])]
    assert types.count("TaskSucceeded") == 3 and types.count("TaskFailed") == 1
    failed = [ev for ev in history(sfn, e["executionArn"]) if ev["type"] == "TaskFailed"][0]
    assert failed["taskFailedEventDetails"]["resourceType"] == "aws-sdk:sqs"
    # A Lambda function cannot be reached yet: the Task fails, it never succeeds silently.
    lam = machine(sfn, "lam", {"StartAt": "L", "States": {"L": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:f",
        "End": True}}})
    d = wait_done(sfn, sfn.start_execution(stateMachineArn=lam)["executionArn"])
    assert (d["status"], d["error"]) == ("FAILED", "Lambda.ResourceNotFoundException")


def test_wait_for_task_token_through_sqs(sfn, endpoint):
    sqs = make_client(endpoint, "sqs")
    q = sqs.create_queue(QueueName="tokens")["QueueUrl"]
    arn = machine(sfn, "tok", {"StartAt": "Ask", "States": {"Ask": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": q, "MessageBody": {"token.$": "$$.Task.Token",
                                                      "order.$": "$.order"}},
        "End": True}}})
    e = sfn.start_execution(stateMachineArn=arn, input='{"order":7}')["executionArn"]
    msg = sqs.receive_message(QueueUrl=q, WaitTimeSeconds=5)["Messages"][0]
    body = json.loads(msg["Body"])
    assert body["order"] == 7
    assert sfn.describe_execution(executionArn=e)["status"] == "RUNNING"
    sfn.send_task_success(taskToken=body["token"], output='{"approved":true}')
    d = wait_done(sfn, e)
    assert (d["status"], json.loads(d["output"])) == ("SUCCEEDED", {"approved": True})
    assert [ev["type"] for ev in history(sfn, e)] == [
        "ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted",
        "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"]
    expect_error("TaskTimedOut", sfn.send_task_success, taskToken=body["token"], output="{}")
    expect_error("InvalidToken", sfn.send_task_failure, taskToken="not-a-token")


def test_activities(sfn):
    act = sfn.create_activity(name="work")["activityArn"]
    assert sfn.describe_activity(activityArn=act)["name"] == "work"
    assert [a["name"] for a in sfn.list_activities()["activities"]] == ["work"]
    arn = machine(sfn, "act", {"StartAt": "Do", "States": {"Do": {
        "Type": "Task", "Resource": act, "HeartbeatSeconds": 60, "ResultPath": "$.result",
        "End": True}}})
    results = {}

    def worker():
        client = make_client(sfn.meta.endpoint_url, "stepfunctions", read_timeout=70)
        task = client.get_activity_task(activityArn=act, workerName="w1")
        results["input"] = json.loads(task["input"])
        client.send_task_heartbeat(taskToken=task["taskToken"])
        client.send_task_success(taskToken=task["taskToken"], output='{"n":2}')

    t = threading.Thread(target=worker)
    t.start()  # parks in GetActivityTask before the execution starts
    time.sleep(0.2)
    e = sfn.start_execution(stateMachineArn=arn, input='{"n":1}')["executionArn"]
    t.join(10)
    d = wait_done(sfn, e)
    assert results["input"] == {"n": 1}
    assert json.loads(d["output"]) == {"n": 1, "result": {"n": 2}}
    types = [ev["type"] for ev in history(sfn, e)]
    assert types == ["ExecutionStarted", "TaskStateEntered", "ActivityScheduled",
                     "ActivityStarted", "ActivitySucceeded", "TaskStateExited",
                     "ExecutionSucceeded"]
    sfn.delete_activity(activityArn=act)
    expect_error("ActivityDoesNotExist", sfn.describe_activity, activityArn=act)


def test_express_sync_execution_parallel_and_map(sfn):
    arn = machine(sfn, "ex", {"StartAt": "P", "States": {"P": {
        "Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "M", "States": {"M": {
                "Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2,
                "ItemSelector": {"i.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value"},
                "ItemProcessor": {"StartAt": "F", "States": {"F": {
                    "Type": "Pass", "Parameters": {"s.$": "States.Format('{}:{}', $.i, $.v)"},
                    "OutputPath": "$.s", "End": True}}},
                "End": True}}},
            {"StartAt": "H", "States": {"H": {
                "Type": "Pass", "Parameters": {"h.$": "States.Hash($.items[0], 'MD5')"},
                "End": True}}}]}}}, type_="EXPRESS")
    out = sfn.start_sync_execution(stateMachineArn=arn, input='{"items":["a","b","c"]}')
    assert out["status"] == "SUCCEEDED", out
    assert json.loads(out["output"]) == [["0:a", "1:b", "2:c"],
                                         {"h": "0cc175b9c0f1b6a831c399e269772661"}]
    std = machine(sfn, "std", PASS)
    expect_error("StateMachineTypeNotSupported", sfn.start_sync_execution, stateMachineArn=std)
    fail = machine(sfn, "exfail", {"StartAt": "F", "States": {"F": {
        "Type": "Fail", "Error": "E", "Cause": "C"}}}, type_="EXPRESS")
    out = sfn.start_sync_execution(stateMachineArn=fail)
    assert (out["status"], out["error"], out["cause"]) == ("FAILED", "E", "C")


def test_start_execution_from_a_task(sfn):
    child = machine(sfn, "child", {"StartAt": "C", "States": {"C": {
        "Type": "Pass", "Parameters": {"got.$": "$.x"}, "End": True}}})
    parent = machine(sfn, "parent", {"StartAt": "Opt", "States": {
        "Opt": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution",
                "Parameters": {"StateMachineArn": child, "Input": {"x": 1}},
                "ResultPath": "$.opt", "Next": "Sdk"},
        "Sdk": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:startExecution",
                "Parameters": {"StateMachineArn": child, "Name": "from-sdk",
                               "Input": "{\"x\":2}"},
                "ResultSelector": {"arn.$": "$.ExecutionArn"}, "ResultPath": "$.sdk",
                "End": True}}})
    d = wait_done(sfn, sfn.start_execution(stateMachineArn=parent)["executionArn"])
    assert d["status"] == "SUCCEEDED", d
    out = json.loads(d["output"])
    assert out["opt"]["ExecutionArn"].startswith(child.replace(":stateMachine:", ":execution:"))
    assert "StartDate" in out["opt"]
    assert out["sdk"]["arn"].endswith(":execution:child:from-sdk")
    first = wait_done(sfn, out["opt"]["ExecutionArn"])
    second = wait_done(sfn, out["sdk"]["arn"])
    assert json.loads(first["output"]) == {"got": 1}
    assert json.loads(second["output"]) == {"got": 2}
