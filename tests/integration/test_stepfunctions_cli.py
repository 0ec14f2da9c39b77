"""The aws CLI against Step Functions, with seed 000's Catcher: a Task that puts an order back on
a Kinesis stream, retrying with the seed's backoff (2 s doubling, 10 attempts) and catching
States.ALL into itself. The stream is missing at first, so the Task fails with
Kinesis.ResourceNotFoundException through a whole round of retries (2046 s of AWS time, 2 s at
--time-scale 0.001) and a catch; once the stream exists the record lands and the execution
succeeds."""

import base64
import json
import time

import pytest

from test_kinesis_cli import aws  # noqa: F401  (the aws CLI fixture)

CATCHER = {
    "StartAt": "Catcher",
    "States": {
        "Catcher": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:kinesis:putRecord",
            "Parameters": {"StreamName": "pipeline_spike_stream", "PartitionKey": "test",
                           "Data.$": "States.JsonToString($.order)"},
            "ResultPath": "$.put",
            "End": True,
            "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "BackoffRate": 2.0,
                       "MaxAttempts": 10}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error",
                       "Next": "Catcher"}],
        }
    },
}


@pytest.mark.tidepool(args=["--time-scale", "0.001"])
def test_seed_000_catcher_with_the_cli(aws, endpoint):  # noqa: F811
    machine = aws("stepfunctions", "create-state-machine", "--name", "catcher", "--definition",
                  json.dumps(CATCHER), "--role-arn", "arn:aws:iam::000000000000:role/sfn")
    arn = machine["stateMachineArn"]
    order = {"id": "12345", "country_code": "PANIC", "Attempt": 1}
    started = aws("stepfunctions", "start-execution", "--state-machine-arn", arn, "--name",
                  "order-12345", "--input", json.dumps({"order": order}))
    execution = started["executionArn"]
    # Let the first round of retries (2 + 4 + ... + 1024 s = 2.046 s here) run out.
    deadline = time.time() + 20
    while time.time() < deadline:
        events = aws("stepfunctions", "get-execution-history", "--execution-arn", execution,
                     "--reverse-order", "--max-items", "50")["events"]
        if any(e["type"] == "TaskStateExited" for e in events):
            break
        time.sleep(0.2)
    aws("kinesis", "create-stream", "--stream-name", "pipeline_spike_stream", "--shard-count",
        "1")
    deadline = time.time() + 20
    while time.time() < deadline:
        d = aws("stepfunctions", "describe-execution", "--execution-arn", execution)
        if d["status"] != "RUNNING":
            break
        time.sleep(0.1)
    assert d["status"] == "SUCCEEDED", d
    out = json.loads(d["output"])
    assert out["order"] == order
    assert out["error"]["Error"] == "Kinesis.ResourceNotFoundException"
    assert out["put"]["ShardId"] == "shardId-000000000000"
    iterator = aws("kinesis", "get-shard-iterator", "--stream-name", "pipeline_spike_stream",
                   "--shard-id", "shardId-000000000000", "--shard-iterator-type",
                   "TRIM_HORIZON")["ShardIterator"]
    records = aws("kinesis", "get-records", "--shard-iterator", iterator)["Records"]
    assert [json.loads(base64.b64decode(r["Data"])) for r in records] == [order]
    types = [e["type"] for e in aws("stepfunctions", "get-execution-history",
                                     "--execution-arn", execution)["events"]]
    # Eleven attempts in the first round (one plus ten retries), then the catch re-enters.
    assert types.count("TaskFailed") >= 11
    assert types.count("TaskStateEntered") >= 2
    assert types[-1] == "ExecutionSucceeded"
    listed = aws("stepfunctions", "list-executions", "--state-machine-arn", arn)["executions"]
    assert [x["name"] for x in listed] == ["order-12345"]
    errors = aws("stepfunctions", "describe-execution", "--execution-arn", execution + "x",
                 check=False)
    assert errors.returncode != 0 and "ExecutionDoesNotExist" in errors.stderr
