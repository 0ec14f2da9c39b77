"""Nested workflows: arn:aws:states:::states:startExecution.sync and .sync:2 wait for the
child execution and give its DescribeExecution (Output a string with .sync, JSON with
.sync:2); a failed child fails the Task with States.TaskFailed; stopping the parent stops
the child; kill -9 of the parent while the child runs resumes the wait on the same child."""

import json
import time

from harness import ACCOUNT, make_client
from sfn_helpers import history, kill_and_restart, wait_done

ROLE = "arn:aws:iam::%s:role/sfn" % ACCOUNT


def machine(sfn, name, states, start, kind="STANDARD"):
    return sfn.create_state_machine(name=name, roleArn=ROLE, type=kind, definition=json.dumps(
        {"StartAt": start, "States": states}))["stateMachineArn"]


def nested(resource, child, **fields):
    return dict({"Type": "Task", "Resource": resource,
                 "Parameters": {"StateMachineArn": child, "Input.$": "$"}}, **fields)


def children(sfn, child):
    return sfn.list_executions(stateMachineArn=child)["executions"]


def test_sync_and_sync2_return_the_child_description(endpoint):
    sfn = make_client(endpoint, "stepfunctions")
    child = machine(sfn, "child", {"Double": {"Type": "Pass", "Parameters": {"n.$": "$.n",
                                                                            "twice.$": "$.n"},
                                              "End": True}}, "Double")
    express = machine(sfn, "express-child", {"P": {"Type": "Pass", "Result": {"fast": True},
                                                   "End": True}}, "P", kind="EXPRESS")
    parent = machine(sfn, "parent", {
        "Sync": nested("arn:aws:states:::states:startExecution.sync", child,
                       ResultPath="$.sync", Next="Sync2"),
        "Sync2": dict(nested("arn:aws:states:::states:startExecution.sync:2", child),
                      Parameters={"StateMachineArn": child, "Input": {"n": 7},
                                  "Name": "named-child"},
                      ResultPath="$.sync2", Next="Express"),
        "Express": nested("arn:aws:states:::states:startExecution.sync:2", express,
                          ResultSelector={"out.$": "$.Output", "status.$": "$.Status"},
                          ResultPath="$.express", End=True)}, "Sync")
    ex = sfn.start_execution(stateMachineArn=parent, input=json.dumps({"n": 3}))["executionArn"]
    d = wait_done(sfn, ex)
    assert d["status"] == "SUCCEEDED", (d.get("error"), d.get("cause"))
    out = json.loads(d["output"])
    sync = out["sync"]
    assert sync["Status"] == "SUCCEEDED"
    assert isinstance(sync["Output"], str)
    assert json.loads(sync["Output"]) == {"n": 3, "twice": 3}
    assert sync["StateMachineArn"] == child
    described = sfn.describe_execution(executionArn=sync["ExecutionArn"])
    assert described["status"] == "SUCCEEDED" and json.loads(described["input"]) == {"n": 3}
    assert out["sync2"]["Output"] == {"n": 7, "twice": 7}
    assert out["sync2"]["Name"] == "named-child"
    assert out["express"] == {"out": {"fast": True}, "status": "SUCCEEDED"}
    types = [e["type"] for e in history(sfn, ex)]
    first = types.index("TaskScheduled")
    assert types[first:first + 4] == ["TaskScheduled", "TaskStarted", "TaskSubmitted",
                                      "TaskSucceeded"]
    submitted = [e for e in history(sfn, ex) if e["type"] == "TaskSubmitted"][0]
    details = json.loads(submitted["taskSubmittedEventDetails"]["output"])
    assert details["ExecutionArn"] == sync["ExecutionArn"]


def test_a_failed_child_fails_the_task(endpoint):
    sfn = make_client(endpoint, "stepfunctions", inject_host_prefix=False)
    child = machine(sfn, "failing", {"F": {"Type": "Fail", "Error": "Boom", "Cause": "bad"}}, "F")
    parent = machine(sfn, "catcher", {
        "Run": nested("arn:aws:states:::states:startExecution.sync", child,
                      Catch=[{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.err",
                              "Next": "Done"}], Next="Done"),
        "Done": {"Type": "Pass", "End": True}}, "Run")
    ex = sfn.start_execution(stateMachineArn=parent)["executionArn"]
    d = wait_done(sfn, ex)
    assert d["status"] == "SUCCEEDED", (d.get("error"), d.get("cause"))
    err = json.loads(d["output"])["err"]
    assert err["Error"] == "States.TaskFailed"
    cause = json.loads(err["Cause"])
    assert cause["Status"] == "FAILED" and cause["Error"] == "Boom" and cause["Cause"] == "bad"

    # Other .sync integrations stay refused.
    refused = machine(sfn, "refused", {"R": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.sync",
        "Parameters": {"FunctionName": "x"}, "End": True}}, "R")
    d = wait_done(sfn, sfn.start_execution(stateMachineArn=refused)["executionArn"])
    assert d["status"] == "FAILED"
    # An EXPRESS parent cannot wait for a child (AWS does not support .sync there).
    express = machine(sfn, "express-parent", {
        "Run": nested("arn:aws:states:::states:startExecution.sync", child, End=True)}, "Run",
        kind="EXPRESS")
    d = sfn.start_sync_execution(stateMachineArn=express)
    assert d["status"] == "FAILED" and d["error"] == "States.Runtime", d


def test_stopping_the_parent_stops_the_child(endpoint):
    sfn = make_client(endpoint, "stepfunctions")
    child = machine(sfn, "slow", {"W": {"Type": "Wait", "Seconds": 600, "End": True}}, "W")
    parent = machine(sfn, "stopper", {
        "Run": nested("arn:aws:states:::states:startExecution.sync", child, End=True)}, "Run")
    ex = sfn.start_execution(stateMachineArn=parent)["executionArn"]
    deadline = time.time() + 10
    while not children(sfn, child):
        assert time.time() < deadline
        time.sleep(0.05)
    sfn.stop_execution(executionArn=ex, error="Halt")
    kid = children(sfn, child)[0]["executionArn"]
    deadline = time.time() + 10
    while sfn.describe_execution(executionArn=kid)["status"] == "RUNNING":
        assert time.time() < deadline, "the child was not stopped"
        time.sleep(0.05)
    assert sfn.describe_execution(executionArn=kid)["status"] == "ABORTED"


def test_kill_9_of_the_parent_resumes_waiting_for_the_same_child(tidepool_factory, tmp_path):
    data_dir = tmp_path / "nested"
    args = ["--time-scale", "0.01"]
    server = tidepool_factory(durability="sync", args=args, data_dir=data_dir)
    sfn = make_client(server.endpoint, "stepfunctions")
    # 300 s at a time scale of 0.01: 3 s.
    child = machine(sfn, "waits", {"W": {"Type": "Wait", "Seconds": 300, "Next": "P"},
                                   "P": {"Type": "Pass", "Result": "done", "End": True}}, "W")
    parent = machine(sfn, "waiter", {
        "Run": nested("arn:aws:states:::states:startExecution.sync:2", child,
                      ResultSelector={"out.$": "$.Output"}, End=True)}, "Run")
    ex = sfn.start_execution(stateMachineArn=parent, input="{}")["executionArn"]
    deadline = time.time() + 10
    while "TaskSubmitted" not in [e["type"] for e in history(sfn, ex)]:
        assert time.time() < deadline
        time.sleep(0.05)
    assert len(children(sfn, child)) == 1
    time.sleep(0.3)
    server, sfn = kill_and_restart(tidepool_factory, server, data_dir, args)
    assert sfn.describe_execution(executionArn=ex)["status"] == "RUNNING"
    d = wait_done(sfn, ex, timeout=30)
    assert d["status"] == "SUCCEEDED", (d.get("error"), d.get("cause"))
    assert json.loads(d["output"]) == {"out": "done"}
    kids = children(sfn, child)
    assert len(kids) == 1 and kids[0]["status"] == "SUCCEEDED"
