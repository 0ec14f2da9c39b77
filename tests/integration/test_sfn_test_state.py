"""TestState with boto3: one state run in isolation, as the Step Functions console's "Test
state" and unit tests of workflows use it.

AWS's contract (TestState API reference, "Testing states"): the answer carries the state's
`status` (SUCCEEDED, FAILED, RETRIABLE when a retrier matches the error, CAUGHT_ERROR when a
catcher does), its `output`, `error`/`cause`, the `nextState` it would move to, and with
inspectionLevel DEBUG the `inspectionData` of its data flow; a `mock` stands in for a Task's
result; tasks without a mock call the real service. SDKs send TestState to the `sync-` host
prefix, as StartSyncExecution; the clients here turn that off (docs/differences.md)."""

import json

import botocore.exceptions
import pytest

from harness import ACCOUNT, make_client

ROLE = "arn:aws:iam::%s:role/sfn" % ACCOUNT


def run(sfn, state, **kw):
    return sfn.test_state(definition=json.dumps(state), roleArn=ROLE, **kw)


def test_pass_and_choice_report_output_and_next_state(endpoint):
    sfn = make_client(endpoint, "stepfunctions", inject_host_prefix=False)
    r = run(sfn, {"Type": "Pass", "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"},
                  "ResultPath": "$.out", "Next": "After"}, input='{"n": 21}')
    assert r["status"] == "SUCCEEDED" and r["nextState"] == "After"
    assert json.loads(r["output"]) == {"n": 21, "out": {"doubled": 42}}
    choice = {"Type": "Choice", "Default": "Small",
              "Choices": [{"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"}]}
    assert run(sfn, choice, input='{"n": 11}')["nextState"] == "Big"
    assert run(sfn, choice, input='{"n": 1}')["nextState"] == "Small"
    end = run(sfn, {"Type": "Pass", "Result": "x", "End": True})
    assert end["status"] == "SUCCEEDED" and json.loads(end["output"]) == "x"
    assert "nextState" not in end


def test_a_task_calls_the_real_service_unless_mocked(endpoint):
    sfn = make_client(endpoint, "stepfunctions", inject_host_prefix=False)
    sqs = make_client(endpoint, "sqs")
    url = sqs.create_queue(QueueName="test-state")["QueueUrl"]
    task = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl": url, "MessageBody.$": "$.msg"}, "Next": "Done"}
    r = run(sfn, task, input='{"msg": "hi"}', inspectionLevel="DEBUG")
    assert r["status"] == "SUCCEEDED" and r["nextState"] == "Done"
    assert "MessageId" in json.loads(r["output"])
    assert json.loads(r["inspectionData"]["afterParameters"]) == {"QueueUrl": url,
                                                                  "MessageBody": "hi"}
    assert "MessageId" in json.loads(r["inspectionData"]["result"])
    assert json.loads(r["inspectionData"]["input"]) == {"msg": "hi"}
    got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"]
    assert [m["Body"] for m in got] == ["hi"]
    mocked = run(sfn, task, input='{"msg": "hi"}', mock={"result": '{"MessageId": "m-1"}'})
    assert json.loads(mocked["output"]) == {"MessageId": "m-1"}
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages") is None


def test_errors_are_retriable_caught_or_failed(endpoint):
    sfn = make_client(endpoint, "stepfunctions", inject_host_prefix=False)
    task = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl": "q", "MessageBody": "b"}, "End": True,
            "Retry": [{"ErrorEquals": ["Other"]},
                      {"ErrorEquals": ["Boom"], "IntervalSeconds": 3}]}
    mock = {"errorOutput": {"error": "Boom", "cause": "it broke"}}
    r = run(sfn, task, mock=mock, inspectionLevel="DEBUG")
    assert r["status"] == "RETRIABLE" and r["error"] == "Boom" and r["cause"] == "it broke"
    assert r["inspectionData"]["errorDetails"] == {"retryIndex": 1,
                                                  "retryBackoffIntervalSeconds": 3}
    del task["Retry"]
    task["Catch"] = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Handle"}]
    c = run(sfn, task, mock=mock, input='{"a": 1}')
    assert c["status"] == "CAUGHT_ERROR" and c["nextState"] == "Handle" and c["error"] == "Boom"
    assert json.loads(c["output"]) == {"a": 1, "err": {"Error": "Boom", "Cause": "it broke"}}
    del task["Catch"]
    f = run(sfn, task, mock=mock)
    assert f["status"] == "FAILED" and f["error"] == "Boom"
    fail = run(sfn, {"Type": "Fail", "Error": "Bad", "Cause": "input"})
    assert fail["status"] == "FAILED" and (fail["error"], fail["cause"]) == ("Bad", "input")


def test_a_state_of_a_whole_machine_with_variables(endpoint):
    sfn = make_client(endpoint, "stepfunctions", inject_host_prefix=False)
    machine = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {"Type": "Pass", "Output": "{% $x * $states.input.k %}", "Next": "C"},
        "C": {"Type": "Succeed"}}}
    r = sfn.test_state(definition=json.dumps(machine), stateName="B", input='{"k": 3}',
                       variables='{"x": 5}')
    assert r["status"] == "SUCCEEDED" and r["nextState"] == "C" and json.loads(r["output"]) == 15


def test_what_is_not_run_is_refused(endpoint):
    sfn = make_client(endpoint, "stepfunctions", inject_host_prefix=False)

    def code(state, **kw):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            run(sfn, state, **kw)
        return e.value.response["Error"]["Code"]

    assert code({"Type": "Parallel", "Branches": [], "End": True}) == "InvalidDefinition"
    assert code({"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                 "End": True}) == "ValidationException"
    assert code({"Type": "Nope"}) == "InvalidDefinition"
    assert code({"Type": "Pass", "End": True}, input="{not json") == "InvalidExecutionInput"
