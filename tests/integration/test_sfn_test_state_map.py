"""TestState of Parallel and Map states (with a mock), stateConfiguration and context, with
boto3.

AWS's contract (TestState API reference; the MockInput and TestStateConfiguration shapes):
Parallel and Map states are tested only with a mock, which stands for the branches' or
iterations' result; the state's own input and output processing, Retry and Catch still apply.
`mapIterationFailureCount` beyond the Map's tolerated failures is
States.ExceedToleratedFailureThreshold ("The specified tolerated failure threshold was
exceeded"); a Map that sets no tolerance is not affected (AWS answers SUCCEEDED).
`retrierRetryCount` counts the attempts a Retry has spent; `errorCausedByState` must name a
state inside the tested state; `context` is accepted only with a mock. Recorded AWS answers
for these cases are in LocalStack's test_state_configuration.snapshot.json."""

import json

import botocore.exceptions
import pytest

from harness import ACCOUNT, make_client

ROLE = "arn:aws:iam::%s:role/sfn" % ACCOUNT
THRESHOLD = "States.ExceedToleratedFailureThreshold"

PARALLEL = {"Type": "Parallel", "Next": "After",
            "ResultSelector": {"first.$": "$[0]"}, "ResultPath": "$.out",
            "Branches": [
                {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": True}}},
                {"StartAt": "Right", "States": {"Right": {"Type": "Fail", "Error": "X"}}}]}


def tolerant_map(**extra):
    m = {"Type": "Map", "ItemsPath": "$.Values", "MaxConcurrency": 2,
         "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                           "StartAt": "HandleItem",
                           "States": {"HandleItem": {"Type": "Pass", "End": True}}},
         "End": True}
    m.update(extra)
    return m


@pytest.fixture
def sfn(endpoint):
    return make_client(endpoint, "stepfunctions", inject_host_prefix=False)


def run(sfn, state, **kw):
    return sfn.test_state(definition=json.dumps(state), roleArn=ROLE, **kw)


def code(sfn, state, **kw):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        run(sfn, state, **kw)
    return e.value.response["Error"]["Code"]


def test_parallel_with_a_mocked_result_and_error(sfn):
    r = run(sfn, PARALLEL, input='{"a": 1}', mock={"result": '[{"x": 1}, {"y": 2}]'})
    assert r["status"] == "SUCCEEDED" and r["nextState"] == "After"
    assert json.loads(r["output"]) == {"a": 1, "out": {"first": {"x": 1}}}
    caught = dict(PARALLEL, Catch=[{"ErrorEquals": ["X"], "ResultPath": "$.err",
                                     "Next": "Handle"}])
    mock = {"errorOutput": {"error": "X", "cause": "right failed"}}
    c = run(sfn, caught, input='{"a": 1}', mock=mock, inspectionLevel="DEBUG",
            stateConfiguration={"errorCausedByState": "Right"})
    assert c["status"] == "CAUGHT_ERROR" and c["nextState"] == "Handle"
    assert (c["error"], c["cause"]) == ("X", "right failed")
    assert json.loads(c["output"]) == {"a": 1, "err": {"Error": "X", "Cause": "right failed"}}
    assert c["inspectionData"]["errorDetails"] == {"catchIndex": 0}
    f = run(sfn, PARALLEL, mock=mock)
    assert f["status"] == "FAILED" and f["error"] == "X"
    assert code(sfn, PARALLEL, mock=mock,
                stateConfiguration={"errorCausedByState": "Nowhere"}) == "ValidationException"
    # No mock: AWS refuses it too, as an InvalidDefinition (recorded answer, Dec 2025).
    assert code(sfn, PARALLEL) == "InvalidDefinition"


def test_an_invalid_map_is_refused_even_with_a_mock(sfn):
    inline = tolerant_map(ToleratedFailureCount=1)
    inline["ItemProcessor"] = {"StartAt": "HandleItem",
                               "States": {"HandleItem": {"Type": "Pass", "End": True}}}
    assert code(sfn, inline, mock={"result": "[]"}) == "InvalidDefinition"


def test_map_iteration_failures_against_the_tolerated_count(sfn):
    state = tolerant_map(ToleratedFailureCount=1)
    doc = '{"Values": ["first", "second", "third"]}'
    ok = run(sfn, state, input=doc, mock={"result": "[1, 1, 1]"}, inspectionLevel="DEBUG",
             stateConfiguration={"mapIterationFailureCount": 1})
    assert ok["status"] == "SUCCEEDED" and json.loads(ok["output"]) == [1, 1, 1]
    assert ok["inspectionData"]["maxConcurrency"] == 2
    assert ok["inspectionData"]["toleratedFailureCount"] == 1
    bad = run(sfn, state, input=doc, mock={"result": "[0, 0, 1]"},
              stateConfiguration={"mapIterationFailureCount": 2})
    assert bad["status"] == "FAILED" and bad["error"] == THRESHOLD
    assert bad["cause"] == "The specified tolerated failure threshold was exceeded"
    caught = dict(state, Catch=[{"ErrorEquals": ["Other"], "Next": "Nope"},
                                {"ErrorEquals": [THRESHOLD], "Next": "HandleThreshold"}])
    c = run(sfn, caught, input=doc, mock={"result": "[0, 0, 1]"}, inspectionLevel="DEBUG",
            stateConfiguration={"mapIterationFailureCount": 2})
    assert c["status"] == "CAUGHT_ERROR" and c["nextState"] == "HandleThreshold"
    assert c["inspectionData"]["errorDetails"] == {"catchIndex": 1}
    retried = dict(state, Retry=[{"ErrorEquals": ["Other"]},
                                 {"ErrorEquals": [THRESHOLD], "IntervalSeconds": 1}])
    r = run(sfn, retried, input=doc, mock={"result": "[0, 0, 1]"}, inspectionLevel="DEBUG",
            stateConfiguration={"mapIterationFailureCount": 2})
    assert r["status"] == "RETRIABLE" and r["error"] == THRESHOLD
    assert r["inspectionData"]["errorDetails"] == {"retryIndex": 1,
                                                  "retryBackoffIntervalSeconds": 1}
    # A Map without a tolerance is not affected (AWS answers SUCCEEDED).
    plain = run(sfn, tolerant_map(), input=doc, mock={"result": "[0, 0, 1]"},
                stateConfiguration={"mapIterationFailureCount": 2})
    assert plain["status"] == "SUCCEEDED"


def test_map_tolerated_percentage_counts_the_item_reader_data(sfn):
    state = tolerant_map(
        ItemReader={"Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": {"InputType": "JSON"},
                    "Parameters": {"Bucket.$": "$.Bucket", "Key.$": "$.Key"}},
        ToleratedFailurePercentage=50)
    del state["ItemsPath"]
    doc = '{"Bucket": "b", "Key": "k"}'
    config = {"mapItemReaderData": "[1, 2, 3, 4]"}
    two = run(sfn, state, input=doc, mock={"result": "[1, 4, 9, 16]"},
              stateConfiguration=dict(config, mapIterationFailureCount=2))
    assert two["status"] == "SUCCEEDED" and json.loads(two["output"]) == [1, 4, 9, 16]
    three = run(sfn, state, input=doc, mock={"result": "[1, 4, 9, 16]"},
                stateConfiguration=dict(config, mapIterationFailureCount=3))
    assert three["status"] == "FAILED" and three["error"] == THRESHOLD
    assert code(sfn, tolerant_map(), input='{"Values": []}', mock={"result": "[]"},
                stateConfiguration=config) == "ValidationException"


def test_retrier_retry_count_spends_max_attempts(sfn):
    task = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True,
            "Parameters": {"QueueUrl": "q", "MessageBody": "b"},
            "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 2, "BackoffRate": 3,
                       "MaxAttempts": 2}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle"}]}
    mock = {"errorOutput": {"error": "Boom", "cause": "c"}}
    first = run(sfn, task, mock=mock, inspectionLevel="DEBUG")
    assert first["status"] == "RETRIABLE"  # Retry before Catch
    second = run(sfn, task, mock=mock, inspectionLevel="DEBUG",
                 stateConfiguration={"retrierRetryCount": 1})
    assert second["status"] == "RETRIABLE"
    assert second["inspectionData"]["errorDetails"] == {"retryIndex": 0,
                                                       "retryBackoffIntervalSeconds": 6}
    spent = run(sfn, task, mock=mock, stateConfiguration={"retrierRetryCount": 2})
    assert spent["status"] == "CAUGHT_ERROR" and spent["nextState"] == "Handle"
    assert code(sfn, task, mock=mock,
                stateConfiguration={"mapIterationFailureCount": 1}) == "ValidationException"


def test_context_with_a_mock(sfn):
    task = {"QueryLanguage": "JSONata", "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage", "End": True,
            "Arguments": {"QueueUrl": "q", "MessageBody": "b"},
            "Output": "{% $states.context.Execution.Name & '/' & $states.context.Custom %}"}
    context = json.dumps({"Execution": {"Name": "given"}, "Custom": "c"})
    r = run(sfn, task, mock={"result": "{}"}, context=context)
    assert r["status"] == "SUCCEEDED" and json.loads(r["output"]) == "given/c"
    assert code(sfn, {"Type": "Pass", "End": True}, context=context) == "ValidationException"
