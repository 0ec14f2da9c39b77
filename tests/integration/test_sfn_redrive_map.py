"""RedriveExecution of Parallel, inline Map and Distributed Map states with boto3: only the
branches, iterations and child executions that did not succeed run again, each from the state
it stopped in; the others keep their outputs and are not run again (each Task sends an SQS
message, so a rerun would show as a second message).

AWS's contract ("Restarting state machine executions with redrive", "Redriving Map Runs"):
"For workflows that include an Inline Map or Parallel state, RedriveExecution ... reschedules
and redrives only the iterations and branches that failed or aborted"; a redriven parent
redrives its failed Map Run: STANDARD children that failed are redriven with RedriveExecution
(same ARN, redriveCount 1), succeeded ones are not rerun; DescribeMapRun shows redriveCount and
redriveDate; the parent's history gets ExecutionRedriven and MapRunRedriven."""

import json

import pytest

from harness import ACCOUNT, make_client
from sfn_helpers import history, kill_and_restart, wait_done

ROLE = "arn:aws:iam::%s:role/sfn" % ACCOUNT

SEND = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
        "Parameters": {"QueueUrl.$": "$.url", "MessageBody.$": "$.body"}}


def queues(endpoint, prefix, names, missing=()):
    """Queue URLs by name; the `missing` ones are created then deleted (a send to them fails)."""
    sqs = make_client(endpoint, "sqs")
    urls = {}
    for n in list(names) + list(missing):
        urls[n] = sqs.create_queue(QueueName="%s-%s" % (prefix, n))["QueueUrl"]
    for n in missing:
        sqs.delete_queue(QueueUrl=urls[n])
    return sqs, urls


def bodies(sqs, url):
    got = []
    while True:
        r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        if not r.get("Messages"):
            return sorted(got)
        for m in r["Messages"]:
            got.append(m["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def start(sfn, name, definition, doc):
    arn = sfn.create_state_machine(name=name, roleArn=ROLE,
                                   definition=json.dumps(definition))["stateMachineArn"]
    ex = sfn.start_execution(stateMachineArn=arn, input=json.dumps(doc))["executionArn"]
    d = wait_done(sfn, ex)
    assert d["status"] == "FAILED", d
    return ex


def parallel_machine():
    branch_a = {"StartAt": "A", "States": {"A": dict(
        SEND, Parameters={"QueueUrl.$": "$.a", "MessageBody": "a"},
        ResultSelector={"a": "sent"}, End=True)}}
    return {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
        branch_a,
        {"StartAt": "B0", "States": {
            # A's Task ends before B's fails: a branch in flight would be aborted and rerun.
            "B0": {"Type": "Wait", "Seconds": 1, "Next": "B"},
            "B": dict(SEND, Parameters={"QueueUrl.$": "$.b", "MessageBody": "b"},
                      ResultSelector={"b": "sent"}, End=True)}}]}}}


def run_parallel_redrive(endpoint, sfn, ex, sqs, urls, prefix):
    sqs.create_queue(QueueName=prefix + "-b")
    sfn.redrive_execution(executionArn=ex)
    d = wait_done(sfn, ex)
    assert d["status"] == "SUCCEEDED", d
    assert json.loads(d["output"]) == [{"a": "sent"}, {"b": "sent"}]
    assert bodies(sqs, urls["a"]) == ["a"]  # the branch that succeeded did not run again
    assert bodies(sqs, urls["b"]) == ["b"]
    events = history(sfn, ex)
    types = [e["type"] for e in events]
    assert types.count("ParallelStateEntered") == 1 and types.count("ExecutionRedriven") == 1
    after = types[types.index("ExecutionRedriven"):]
    entered = [e["stateEnteredEventDetails"]["name"] for e in events[len(types) - len(after):]
               if "stateEnteredEventDetails" in e]
    assert entered == ["B"]  # B0 (a Wait that ended) is not entered again
    assert after[-3:] == ["ParallelStateSucceeded", "ParallelStateExited", "ExecutionSucceeded"]


def test_parallel_redrive_reruns_only_the_failed_branch(endpoint):
    sfn = make_client(endpoint, "stepfunctions")
    sqs, urls = queues(endpoint, "pr", ["a"], missing=["b"])
    ex = start(sfn, "redrive-parallel", parallel_machine(), {"a": urls["a"], "b": urls["b"]})
    run_parallel_redrive(endpoint, sfn, ex, sqs, urls, "pr")


def test_parallel_redrive_point_survives_kill_9(tidepool_factory, tmp_path):
    data_dir = tmp_path / "redrive-parallel"
    server = tidepool_factory(durability="sync", data_dir=data_dir)
    sfn = make_client(server.endpoint, "stepfunctions")
    sqs, urls = queues(server.endpoint, "kpr", ["a"], missing=["b"])
    ex = start(sfn, "durable-parallel", parallel_machine(), {"a": urls["a"], "b": urls["b"]})
    server, sfn = kill_and_restart(tidepool_factory, server, data_dir, [])
    sqs = make_client(server.endpoint, "sqs")
    run_parallel_redrive(server.endpoint, sfn, ex, sqs, urls, "kpr")


def test_inline_map_redrive_reruns_the_failed_iteration_and_starts_the_rest(endpoint):
    sfn = make_client(endpoint, "stepfunctions")
    sqs, urls = queues(endpoint, "im", ["one", "three"], missing=["two"])
    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "MaxConcurrency": 1, "End": True,
        "ItemProcessor": {"StartAt": "Send", "States": {
            "Send": dict(SEND, ResultSelector={"sent.$": "$$.Execution.Name"}, End=True)}}}}}
    items = [{"url": urls[n], "body": n} for n in ("one", "two", "three")]
    ex = start(sfn, "redrive-inline-map", definition, items)
    assert bodies(sqs, urls["one"]) == ["one"]
    sqs.create_queue(QueueName="im-two")
    sfn.redrive_execution(executionArn=ex)
    d = wait_done(sfn, ex)
    assert d["status"] == "SUCCEEDED", d
    name = ex.rsplit(":", 1)[1]
    assert json.loads(d["output"]) == [{"sent": name}] * 3
    assert bodies(sqs, urls["one"]) == []  # iteration 0 succeeded: not run again
    assert bodies(sqs, urls["two"]) == ["two"]
    assert bodies(sqs, urls["three"]) == ["three"]
    events = history(sfn, ex)
    types = [e["type"] for e in events]
    after = types[types.index("ExecutionRedriven"):]
    started = [e["mapIterationStartedEventDetails"]["index"]
               for e in events[len(types) - len(after):] if e["type"] == "MapIterationStarted"]
    assert started == [1, 2]
    assert types.count("MapStateEntered") == 1
    assert after[-3:] == ["MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]


@pytest.mark.parametrize("execution_type", ["STANDARD", "EXPRESS"])
def test_distributed_map_redrives_its_map_run(endpoint, execution_type):
    sfn = make_client(endpoint, "stepfunctions")
    prefix = "dm" + execution_type[0].lower()
    sqs, urls = queues(endpoint, prefix, ["ok"], missing=["later"])
    definition = {"StartAt": "M", "States": {"M": {
        # One child at a time: "ok" ends before "later" fails (a running one would be aborted).
        "Type": "Map", "End": True, "Label": "Items", "MaxConcurrency": 1,
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": execution_type},
            "StartAt": "Send", "States": {
                "Send": dict(SEND, ResultSelector={"sent": True}, End=True)}}}}}
    items = [{"url": urls["ok"], "body": "ok"}, {"url": urls["later"], "body": "later"}]
    ex = start(sfn, "redrive-dmap-" + execution_type.lower(), definition, items)
    assert sfn.describe_execution(executionArn=ex)["error"] == \
        "States.ExceedToleratedFailureThreshold"
    map_run = sfn.list_map_runs(executionArn=ex)["mapRuns"][0]["mapRunArn"]
    first = sfn.describe_map_run(mapRunArn=map_run)
    assert first["status"] == "FAILED" and first["redriveCount"] == 0
    assert "redriveDate" not in first
    sqs.create_queue(QueueName=prefix + "-later")
    sfn.redrive_execution(executionArn=ex)
    d = wait_done(sfn, ex)
    assert d["status"] == "SUCCEEDED", d
    assert json.loads(d["output"]) == [{"sent": True}, {"sent": True}]
    assert bodies(sqs, urls["ok"]) == ["ok"]  # the child that succeeded did not run again
    assert bodies(sqs, urls["later"]) == ["later"]
    desc = sfn.describe_map_run(mapRunArn=map_run)
    assert desc["status"] == "SUCCEEDED"
    assert desc["redriveCount"] == 1 and "redriveDate" in desc
    assert desc["executionCounts"]["succeeded"] == 2
    assert desc["executionCounts"]["failed"] == 0
    assert desc["executionCounts"]["pendingRedrive"] == 0
    assert sfn.list_map_runs(executionArn=ex)["mapRuns"][0]["mapRunArn"] == map_run
    events = history(sfn, ex)
    types = [e["type"] for e in events]
    assert types.count("MapRunStarted") == 1 and types.count("MapStateEntered") == 1
    redriven = [e for e in events if e["type"] == "MapRunRedriven"]
    assert [e["mapRunRedrivenEventDetails"] for e in redriven] == [
        {"mapRunArn": map_run, "redriveCount": 1}]
    assert types[-4:] == ["MapRunSucceeded", "MapStateSucceeded", "MapStateExited",
                          "ExecutionSucceeded"]
    if execution_type == "STANDARD":
        children = sfn.list_executions(mapRunArn=map_run)["executions"]
        assert len(children) == 2
        counts = sorted(c["redriveCount"] for c in children)
        assert counts == [0, 1]
        for c in children:
            child = sfn.describe_execution(executionArn=c["executionArn"])
            assert child["status"] == "SUCCEEDED"
            child_types = [e["type"] for e in history(sfn, c["executionArn"])]
            assert child_types.count("ExecutionRedriven") == c["redriveCount"]
