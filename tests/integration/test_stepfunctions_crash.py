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

ROLE = "arn:aws:iam::000000000000:role/sfn"
ARGS = ["--time-scale", "0.01"]


def wait_done(sfn, arn, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        d = sfn.describe_execution(executionArn=arn)
        if d["status"] != "RUNNING":
            return d
        time.sleep(0.05)
    raise AssertionError("execution %s still running" % arn)


def history_types(sfn, arn):
    events, token = [], None
    while True:
        kw = {"executionArn": arn, "maxResults": 1000}
        if token:
            kw["nextToken"] = token
        page = sfn.get_execution_history(**kw)
        events += page["events"]
        token = page.get("nextToken")
        if not token:
            break
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    return [e["type"] for e in events], events


def test_kill_9_resumes_waits_and_retries(tidepool_factory, tmp_path):
    data_dir = tmp_path / "sfn"
    server = tidepool_factory(durability="sync", args=ARGS, data_dir=data_dir)
    sfn = make_client(server.endpoint, "stepfunctions")
    sqs = make_client(server.endpoint, "sqs")
    queue_url = server.endpoint + "/000000000000/later"
    wait_arn = sfn.create_state_machine(name="waiter", roleArn=ROLE, definition=json.dumps({
        "StartAt": "Before", "States": {
            "Before": {"Type": "Pass", "Result": "b", "ResultPath": "$.before", "Next": "W"},
            # 500 s at a time scale of 0.01: 5 s.
            "W": {"Type": "Wait", "Seconds": 500, "Next": "After"},
            "After": {"Type": "Pass", "Result": "a", "ResultPath": "$.after", "End": True}}}))[
                "stateMachineArn"]
    retry_arn = sfn.create_state_machine(name="retrier", roleArn=ROLE, definition=json.dumps({
        "StartAt": "Send", "States": {"Send": {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sqs:sendMessage",
            "Parameters": {"QueueUrl": queue_url, "MessageBody.$": "$.body"},
            "Retry": [{"ErrorEquals": ["SQS.QueueDoesNotExistException"],
                       "IntervalSeconds": 200, "BackoffRate": 1.0, "MaxAttempts": 50}],
            "End": True}}}))["stateMachineArn"]
    started = time.time()
    waits = [sfn.start_execution(stateMachineArn=wait_arn, name="w%d" % i)["executionArn"]
             for i in range(3)]
    retries = [sfn.start_execution(stateMachineArn=retry_arn, name="r%d" % i,
                                   input=json.dumps({"body": "m%d" % i}))["executionArn"]
               for i in range(3)]
    time.sleep(1.0)
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
        types, _ = history_types(sfn, arn)
        assert types == ["ExecutionStarted", "PassStateEntered", "PassStateExited",
                         "WaitStateEntered", "WaitStateExited", "PassStateEntered",
                         "PassStateExited", "ExecutionSucceeded"]
    # The Wait kept its deadline: about 5 s after the start, not 5 s after the restart.
    assert time.time() - started < 9
    sqs.create_queue(QueueName="later")
    for arn in retries:
        d = wait_done(sfn, arn)
        assert d["status"] == "SUCCEEDED", d
        types, _ = history_types(sfn, arn)
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
