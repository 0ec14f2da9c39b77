"""RedriveExecution with boto3: a failed STANDARD execution runs again from the state it
failed in, with that state's input and the variables it saw; the states that succeeded do not
run again; the execution keeps its ARN and counts its redrives; and a redrive point survives
kill -9.

AWS's contract (RedriveExecution API reference): failed, aborted and timed-out STANDARD
executions of the last 14 days can be redriven; "it continues the failed execution from the
unsuccessful step and uses the same input ... doesn't rerun [the successful] steps"; the history
gets an ExecutionRedriven event; a SUCCEEDED or RUNNING execution answers
ExecutionNotRedrivable."""

import json

import botocore.exceptions
import pytest

from harness import ACCOUNT, make_client
from sfn_helpers import history, wait_done

ROLE = "arn:aws:iam::%s:role/sfn" % ACCOUNT


def definition(first_url, second_url):
    return json.dumps({
        "QueryLanguage": "JSONata", "StartAt": "First", "States": {
            "First": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                      "Arguments": {"QueueUrl": first_url, "MessageBody": "first"},
                      "Assign": {"greeting": "{% $states.input.msg %}"}, "Output": "{% {} %}",
                      "Next": "Second"},
            "Second": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                       "Arguments": {"QueueUrl": second_url,
                                     "MessageBody": "{% $greeting & ' again' %}"},
                       "End": True}}})


def bodies(sqs, url):
    got = []
    while True:
        r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        if not r.get("Messages"):
            return got
        for m in r["Messages"]:
            got.append(m["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def failed_execution(endpoint, name):
    """An execution whose second state failed because its queue did not exist yet."""
    sfn = make_client(endpoint, "stepfunctions")
    sqs = make_client(endpoint, "sqs")
    first = sqs.create_queue(QueueName=name + "-first")["QueueUrl"]
    second = sqs.create_queue(QueueName=name + "-second")["QueueUrl"]
    sqs.delete_queue(QueueUrl=second)
    machine = sfn.create_state_machine(name=name, roleArn=ROLE,
                                       definition=definition(first, second))["stateMachineArn"]
    arn = sfn.start_execution(stateMachineArn=machine, input='{"msg": "hello"}')["executionArn"]
    d = wait_done(sfn, arn)
    assert d["status"] == "FAILED", d
    return arn, first, second


def test_redrive_reruns_only_the_failed_state(endpoint):
    sfn = make_client(endpoint, "stepfunctions")
    sqs = make_client(endpoint, "sqs")
    arn, first, second = failed_execution(endpoint, "redrive")
    d = sfn.describe_execution(executionArn=arn)
    assert d["redriveStatus"] == "REDRIVABLE" and d["redriveCount"] == 0
    sqs.create_queue(QueueName="redrive-second")
    r = sfn.redrive_execution(executionArn=arn)
    assert "redriveDate" in r
    d = wait_done(sfn, arn)
    assert d["status"] == "SUCCEEDED", d
    assert d["redriveCount"] == 1 and "redriveDate" in d
    assert d["redriveStatus"] == "NOT_REDRIVABLE"
    assert d["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven."
    # First ran once; Second got the variable First assigned before the failure.
    assert bodies(sqs, first) == ["first"]
    assert bodies(sqs, second) == ["hello again"]
    types = [e["type"] for e in history(sfn, arn)]
    assert types.count("ExecutionStarted") == 1 and types.count("ExecutionFailed") == 1
    assert types.count("ExecutionRedriven") == 1 and types[-1] == "ExecutionSucceeded"
    redriven = [e for e in history(sfn, arn) if e["type"] == "ExecutionRedriven"][0]
    assert redriven["executionRedrivenEventDetails"] == {"redriveCount": 1}
    assert [e["stateEnteredEventDetails"]["name"] for e in history(sfn, arn)
            if e["type"] == "TaskStateEntered"] == ["First", "Second", "Second"]
    listed = sfn.list_executions(stateMachineArn=d["stateMachineArn"],
                                 redriveFilter="REDRIVEN")["executions"]
    assert [x["executionArn"] for x in listed] == [arn] and listed[0]["redriveCount"] == 1
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sfn.redrive_execution(executionArn=arn)
    assert e.value.response["Error"]["Code"] == "ExecutionNotRedrivable"


def test_stopped_executions_redrive_and_running_ones_do_not(endpoint):
    sfn = make_client(endpoint, "stepfunctions")
    machine = sfn.create_state_machine(name="stoppable", roleArn=ROLE, definition=json.dumps({
        "StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 1, "End": True}}}))
    arn = sfn.start_execution(stateMachineArn=machine["stateMachineArn"])["executionArn"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sfn.redrive_execution(executionArn=arn)
    assert e.value.response["Error"]["Code"] == "ExecutionNotRedrivable"
    sfn.stop_execution(executionArn=arn)
    assert sfn.describe_execution(executionArn=arn)["status"] == "ABORTED"
    sfn.redrive_execution(executionArn=arn, clientToken="once")
    # The same token again is the same redrive, not a second one.
    sfn.redrive_execution(executionArn=arn, clientToken="once")
    d = wait_done(sfn, arn)
    assert d["status"] == "SUCCEEDED" and d["redriveCount"] == 1


def test_a_redrive_point_survives_kill_9(tidepool_factory):
    server = tidepool_factory(durability="sync")
    arn, first, second = failed_execution(server.endpoint, "durable-redrive")
    server.kill()
    server = tidepool_factory(durability="sync", data_dir=server.data_dir)
    sfn = make_client(server.endpoint, "stepfunctions")
    sqs = make_client(server.endpoint, "sqs")
    assert sfn.describe_execution(executionArn=arn)["redriveStatus"] == "REDRIVABLE"
    sqs.create_queue(QueueName="durable-redrive-second")
    sfn.redrive_execution(executionArn=arn)
    assert wait_done(sfn, arn)["status"] == "SUCCEEDED"
    assert bodies(sqs, second) == ["hello again"]
    assert bodies(sqs, first) == ["first"]
