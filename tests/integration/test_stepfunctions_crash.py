"""Step Functions executions survive kill -9 (`--durability sync`, `--time-scale 0.01`).

Executions are parked in a Wait state and in a Retry backoff (a Task failing against a queue
that does not exist yet); the server is killed with SIGKILL and restarted on the same data dir.
After the restart every execution is still RUNNING in the state it was in, the Wait finishes
on its original deadline (not a full Wait after the restart), the Retry runs again once the
queue exists, and no completed state appears twice in the history.
"""

import json
import time

from harness import make_client
from sfn_helpers import history, wait_done

ROLE = "arn:aws:iam::000000000000:role/sfn"
ARGS = ["--time-scale", "0.01"]


def history_types(sfn, arn):
    return [e["type"] for e in history(sfn, arn)]


def test_kill_9_resumes_waits_and_retries(tidepool_factory, tmp_path):
    data_dir = tmp_path / "sfn"
    server = tidepool_factory(durability="sync", args=ARGS, data_dir=data_dir)
    sfn = make_client(server.endpoint, "stepfunctions")
    sqs = make_client(server.endpoint, "sqs")
    queue_url = server.endpoint + "/000000000000/later"
    wait_arn = sfn.create_state_machine(name="waiter", roleArn=ROLE, definition=json.dumps({
        "StartAt": "Before", "States": {
            "Before": {"Type": "Pass", "Result": "b", "ResultPath": "$.before", "Next": "W"},
            # 300 s at a time scale of 0.01: 3 s.
            "W": {"Type": "Wait", "Seconds": 300, "Next": "After"},
            "After": {"Type": "Pass", "Result": "a", "ResultPath": "$.after", "End": True}}}))[
                "stateMachineArn"]
    retry_arn = sfn.create_state_machine(name="retrier", roleArn=ROLE, definition=json.dumps({
        "StartAt": "Send", "States": {"Send": {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sqs:sendMessage",
            "Parameters": {"QueueUrl": queue_url, "MessageBody.$": "$.body"},
            "Retry": [{"ErrorEquals": ["SQS.QueueDoesNotExistException"],
                       "IntervalSeconds": 200, "BackoffRate": 1.0, "MaxAttempts": 50}],
            "End": True}}}))["stateMachineArn"]
    waits = [sfn.start_execution(stateMachineArn=wait_arn, name="w%d" % i)["executionArn"]
             for i in range(3)]
    retries = [sfn.start_execution(stateMachineArn=retry_arn, name="r%d" % i,
                                   input=json.dumps({"body": "m%d" % i}))["executionArn"]
               for i in range(3)]
    time.sleep(1.5)
    for arn in waits + retries:
        assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    server.kill()

    server = tidepool_factory(durability="sync", args=ARGS, data_dir=data_dir)
    sfn = make_client(server.endpoint, "stepfunctions")
    sqs = make_client(server.endpoint, "sqs")
    for arn in waits + retries:
        assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    for arn in waits:
        d = wait_done(sfn, arn)
        assert d["status"] == "SUCCEEDED"
        assert json.loads(d["output"]) == {"before": "b", "after": "a"}
        types = history_types(sfn, arn)
        assert types == ["ExecutionStarted", "PassStateEntered", "PassStateExited",
                         "WaitStateEntered", "WaitStateExited", "PassStateEntered",
                         "PassStateExited", "ExecutionSucceeded"]
        # The Wait kept its deadline (3 s after it began), it did not start over at the
        # restart (which came 1.5 s in).
        events = {e["type"]: e for e in history(sfn, arn)}
        waited = events["WaitStateExited"]["timestamp"] - events["WaitStateEntered"]["timestamp"]
        assert 2.9 <= waited.total_seconds() < 4.4, waited
    sqs.create_queue(QueueName="later")
    for arn in retries:
        d = wait_done(sfn, arn)
        assert d["status"] == "SUCCEEDED", d
        types = history_types(sfn, arn)
        assert types.count("TaskStateEntered") == 1
        assert types.count("TaskSucceeded") == 1
        assert types.count("TaskFailed") >= 1
    bodies = set()
    while True:
        msgs = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not msgs:
            break
        bodies.update(m["Body"] for m in msgs)
    assert bodies == {"m0", "m1", "m2"}
