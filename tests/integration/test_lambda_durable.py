"""Lambda durable functions: Node functions written with AWS's @aws/durable-execution-sdk-js
(steps, waits, callbacks, step retries) run as durable executions, driven with boto3.

The SDK's own LambdaClient reaches this tidepool through AWS_ENDPOINT_URL: every checkpoint
it sends is CheckpointDurableExecution on the real wire protocol.
"""

import json
import os
import time

import pytest
from botocore.exceptions import ClientError

from harness import make_client
from kinesis_helpers import wait_for
from lambda_helpers import zip_one

ROLE = "arn:aws:iam::000000000000:role/durable"
SCALE = ["--time-scale", "0.01"]

# Adds one in a step, waits 200 s (2 s at --time-scale 0.01), then waits for a callback whose
# id it writes to event.path; returns what it saw.
WORKFLOW = r"""
const fs = require("fs");
const { withDurableExecution } = require("@aws/durable-execution-sdk-js");
exports.handler = withDurableExecution(async (event, context) => {
  const a = await context.step("add", async () => event.x + 1);
  if (event.wait) await context.wait("pause", { seconds: event.wait });
  let approval = null;
  if (event.path) {
    approval = await context.waitForCallback("approve", async (callbackId) => {
      fs.writeFileSync(event.path, callbackId);
    }, { timeout: { seconds: event.callbackTimeout || 3600 } });
  }
  return { a, approval };
});
"""

# A step that fails its first two attempts (counted in a file), retried 1 s later each time.
FLAKY = r"""
const fs = require("fs");
const { withDurableExecution } = require("@aws/durable-execution-sdk-js");
exports.handler = withDurableExecution(async (event, context) => {
  const n = await context.step("flaky", async () => {
    const count = (fs.existsSync(event.path) ? Number(fs.readFileSync(event.path, "utf8")) : 0) + 1;
    fs.writeFileSync(event.path, String(count));
    if (count < event.succeedOn) throw new Error("attempt " + count + " failed");
    return count;
  }, {
    retryStrategy: (error, attempt) =>
      attempt < event.attempts ? { shouldRetry: true, delay: { seconds: 1 } } : { shouldRetry: false },
  });
  return { n };
});
"""


def create(lam, name, source, timeout=60, durable=None):
    lam.create_function(FunctionName=name, Runtime="nodejs20.x", Role=ROLE,
                        Handler="index.handler", Timeout=timeout,
                        DurableConfig=durable or {"ExecutionTimeout": 900},
                        Code={"ZipFile": zip_one("index.js", source)})
    lam.get_waiter("function_active_v2").wait(FunctionName=name,
                                              WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})



def status_of(lam, arn):
    return lam.get_durable_execution(DurableExecutionArn=arn)["Status"]


@pytest.fixture
def server(tidepool_factory):
    return tidepool_factory(args=SCALE)


@pytest.fixture
def lam(server):
    return make_client(server.endpoint, "lambda", read_timeout=120)


def test_durable_config_is_validated_and_shown(lam, server):
    create(lam, "dc", WORKFLOW, durable={"ExecutionTimeout": 600})
    assert lam.get_function(FunctionName="dc")["Configuration"]["DurableConfig"] == {
        "ExecutionTimeout": 600, "RetentionPeriodInDays": 14}
    lam.update_function_configuration(FunctionName="dc",
                                      DurableConfig={"ExecutionTimeout": 30,
                                                     "RetentionPeriodInDays": 3})
    assert lam.get_function_configuration(FunctionName="dc")["DurableConfig"] == {
        "ExecutionTimeout": 30, "RetentionPeriodInDays": 3}
    unchecked = make_client(server.endpoint, "lambda", parameter_validation=False)
    with pytest.raises(ClientError) as e:
        unchecked.create_function(FunctionName="bad", Runtime="nodejs20.x", Role=ROLE,
                            Handler="index.handler", DurableConfig={"ExecutionTimeout": 0},
                            Code={"ZipFile": zip_one("index.js", WORKFLOW)})
    assert e.value.response["Error"]["Code"] in ("ValidationException",
                                                  "InvalidParameterValueException")
    # Durable execution is enabled only at creation.
    lam.create_function(FunctionName="plain", Runtime="nodejs20.x", Role=ROLE,
                        Handler="index.handler", Code={"ZipFile": zip_one("index.js", WORKFLOW)})
    with pytest.raises(ClientError) as e:
        lam.update_function_configuration(FunctionName="plain",
                                          DurableConfig={"ExecutionTimeout": 30})
    assert e.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert "DurableConfig" not in lam.get_function_configuration(FunctionName="plain")


def test_sync_invoke_runs_steps_and_waits(lam):
    create(lam, "wf", WORKFLOW)
    started = time.time()
    out = lam.invoke(FunctionName="wf", Payload=json.dumps({"x": 41, "wait": 200}))
    assert "FunctionError" not in out, out["Payload"].read()
    assert json.loads(out["Payload"].read()) == {"a": 42, "approval": None}
    assert time.time() - started >= 1.5  # the scaled wait
    arn = out["DurableExecutionArn"]
    assert ":function:wf:$LATEST/durable-execution/" in arn
    got = lam.get_durable_execution(DurableExecutionArn=arn)
    assert got["Status"] == "SUCCEEDED"
    assert json.loads(got["Result"]) == {"a": 42, "approval": None}
    assert json.loads(got["InputPayload"]) == {"x": 41, "wait": 200}
    events = lam.get_durable_execution_history(DurableExecutionArn=arn,
                                               IncludeExecutionData=True)["Events"]
    types = [e["EventType"] for e in events]
    assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded"
    for expected in ("StepStarted", "StepSucceeded", "WaitStarted", "WaitSucceeded",
                     "InvocationCompleted"):
        assert expected in types, types
    assert types.count("InvocationCompleted") >= 2  # parked in the wait, invoked again
    wait = next(e for e in events if e["EventType"] == "WaitStarted")
    assert wait["Name"] == "pause" and wait["WaitStartedDetails"]["Duration"] == 200
    step = next(e for e in events if e["EventType"] == "StepSucceeded")
    assert step["StepSucceededDetails"]["Result"]["Payload"] == "42"
    assert [e["EventId"] for e in events] == list(range(1, len(events) + 1))
    # Paging and reverse order.
    page = lam.get_durable_execution_history(DurableExecutionArn=arn, MaxItems=2)
    assert len(page["Events"]) == 2 and page["NextMarker"]
    assert "Payload" not in page["Events"][0]["ExecutionStartedDetails"]["Input"]
    rest = lam.get_durable_execution_history(DurableExecutionArn=arn, Marker=page["NextMarker"],
                                             MaxItems=1000)["Events"]
    assert len(page["Events"]) + len(rest) == len(events)
    newest = lam.get_durable_execution_history(DurableExecutionArn=arn, ReverseOrder=True)
    assert newest["Events"][0]["EventType"] == "ExecutionSucceeded"


def test_async_invoke_waits_for_a_callback(lam, tmp_path):
    create(lam, "cb", WORKFLOW)
    path = str(tmp_path / "callback-id")
    out = lam.invoke(FunctionName="cb", InvocationType="Event",
                     Payload=json.dumps({"x": 1, "path": path}))
    assert out["StatusCode"] == 202
    arn = out["DurableExecutionArn"]
    callback_id = wait_for(lambda: os.path.exists(path) and open(path).read(),
                           timeout=30, what="the callback id")
    time.sleep(0.5)
    assert status_of(lam, arn) == "RUNNING"
    lam.send_durable_execution_callback_heartbeat(CallbackId=callback_id)
    lam.send_durable_execution_callback_success(CallbackId=callback_id,
                                                Result=b"approved")  # the SDK hands callbacks raw text
    wait_for(lambda: status_of(lam, arn) == "SUCCEEDED", timeout=30, what="the execution to succeed")
    result = json.loads(lam.get_durable_execution(DurableExecutionArn=arn)["Result"])
    assert result == {"a": 2, "approval": "approved"}
    # A callback answers once.
    with pytest.raises(ClientError) as e:
        lam.send_durable_execution_callback_success(CallbackId=callback_id, Result=b"1")
    assert e.value.response["Error"]["Code"] in ("CallbackTimeoutException",
                                                  "InvalidParameterValueException")


def test_callback_failure_and_timeout_fail_the_execution(lam, tmp_path):
    create(lam, "cbf", WORKFLOW)
    path = str(tmp_path / "failed-id")
    arn = lam.invoke(FunctionName="cbf", InvocationType="Event",
                     Payload=json.dumps({"x": 1, "path": path}))["DurableExecutionArn"]
    callback_id = wait_for(lambda: os.path.exists(path) and open(path).read(), timeout=30, what="the id")
    lam.send_durable_execution_callback_failure(
        CallbackId=callback_id, Error={"ErrorType": "Rejected", "ErrorMessage": "no way"})
    wait_for(lambda: status_of(lam, arn) == "FAILED", timeout=30, what="the execution to fail")
    # A callback timeout of 100 s is 1 s at --time-scale 0.01.
    path = str(tmp_path / "timeout-id")
    arn = lam.invoke(FunctionName="cbf", InvocationType="Event",
                     Payload=json.dumps({"x": 1, "path": path, "callbackTimeout": 100})
                     )["DurableExecutionArn"]
    callback_id = wait_for(lambda: os.path.exists(path) and open(path).read(), timeout=30, what="the id")
    wait_for(lambda: status_of(lam, arn) == "FAILED", timeout=30, what="the callback to time out")
    types = [e["EventType"] for e in lam.get_durable_execution_history(
        DurableExecutionArn=arn)["Events"]]
    assert "CallbackTimedOut" in types
    with pytest.raises(ClientError) as e:
        lam.send_durable_execution_callback_success(CallbackId=callback_id, Result=b"1")
    assert e.value.response["Error"]["Code"] == "CallbackTimeoutException"


def test_failing_step_is_retried(lam, tmp_path):
    create(lam, "flaky", FLAKY)
    path = str(tmp_path / "count")
    out = lam.invoke(FunctionName="flaky",
                     Payload=json.dumps({"path": path, "succeedOn": 3, "attempts": 5}))
    assert "FunctionError" not in out
    assert json.loads(out["Payload"].read()) == {"n": 3}
    events = lam.get_durable_execution_history(DurableExecutionArn=out["DurableExecutionArn"])
    failed = [e for e in events["Events"] if e["EventType"] == "StepFailed"]
    assert [e["StepFailedDetails"]["RetryDetails"]["CurrentAttempt"] for e in failed] == [1, 2]
    # Out of attempts: the execution fails with the step's error.
    os.remove(path)
    out = lam.invoke(FunctionName="flaky",
                     Payload=json.dumps({"path": path, "succeedOn": 9, "attempts": 2}))
    assert out["FunctionError"] == "Unhandled"
    assert "attempt 2 failed" in json.loads(out["Payload"].read())["errorMessage"]
    assert status_of(lam, out["DurableExecutionArn"]) == "FAILED"


def test_execution_names_are_idempotent(lam, tmp_path):
    create(lam, "named", WORKFLOW)
    first = lam.invoke(FunctionName="named", DurableExecutionName="order-1",
                       Payload=json.dumps({"x": 1}))
    again = lam.invoke(FunctionName="named", DurableExecutionName="order-1",
                       Payload=json.dumps({"x": 1}))
    assert again["DurableExecutionArn"] == first["DurableExecutionArn"]
    assert json.loads(again["Payload"].read()) == {"a": 2, "approval": None}
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName="named", DurableExecutionName="order-1",
                   Payload=json.dumps({"x": 2}))
    assert e.value.response["Error"]["Code"] == "DurableExecutionAlreadyStartedException"
    listed = lam.list_durable_executions_by_function(FunctionName="named")["DurableExecutions"]
    assert [x["DurableExecutionName"] for x in listed] == ["order-1"]


def test_list_filters_stop_and_sync_limit(lam, tmp_path):
    create(lam, "many", WORKFLOW)
    arns = []
    for i in range(3):
        path = str(tmp_path / ("id%d" % i))
        arns.append(lam.invoke(FunctionName="many", InvocationType="Event",
                               DurableExecutionName="run-%d" % i,
                               Payload=json.dumps({"x": i, "path": path}))["DurableExecutionArn"])
        wait_for(lambda: os.path.exists(path), timeout=30, what="the callback id")
    stopped = lam.stop_durable_execution(DurableExecutionArn=arns[0],
                                         Error={"ErrorType": "Cancel", "ErrorMessage": "bye"})
    assert stopped["StopTimestamp"]
    assert status_of(lam, arns[0]) == "STOPPED"
    with pytest.raises(ClientError):
        lam.stop_durable_execution(DurableExecutionArn=arns[0])
    running = lam.list_durable_executions_by_function(FunctionName="many", Statuses=["RUNNING"])
    assert sorted(x["DurableExecutionArn"] for x in running["DurableExecutions"]) == sorted(
        arns[1:])
    page = lam.list_durable_executions_by_function(FunctionName="many", MaxItems=2)
    assert len(page["DurableExecutions"]) == 2 and page["NextMarker"]
    rest = lam.list_durable_executions_by_function(FunctionName="many",
                                                   Marker=page["NextMarker"])
    assert len(rest["DurableExecutions"]) == 1
    newest = lam.list_durable_executions_by_function(FunctionName="many")["DurableExecutions"]
    assert newest[0]["DurableExecutionName"] == "run-2"
    oldest = lam.list_durable_executions_by_function(FunctionName="many", ReverseOrder=True)
    assert oldest["DurableExecutions"][0]["DurableExecutionName"] == "run-0"
    named = lam.list_durable_executions_by_function(FunctionName="many",
                                                    DurableExecutionName="run-1")
    assert [x["DurableExecutionArn"] for x in named["DurableExecutions"]] == [arns[1]]
    with pytest.raises(ClientError) as e:
        lam.list_durable_executions_by_function(FunctionName="nope")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as e:
        lam.get_durable_execution(DurableExecutionArn=arns[0] + "x")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    # Synchronous invokes wait at most 15 minutes.
    create(lam, "long", WORKFLOW, durable={"ExecutionTimeout": 3600})
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName="long", Payload=b"{}")
    assert e.value.response["Error"]["Code"] == "InvalidParameterValueException"


def test_execution_timeout(lam, tmp_path):
    # ExecutionTimeout 100 s is 1 s at --time-scale 0.01; the callback never comes.
    create(lam, "short", WORKFLOW, durable={"ExecutionTimeout": 100})
    out = lam.invoke(FunctionName="short",
                     Payload=json.dumps({"x": 1, "path": str(tmp_path / "never")}))
    assert out["FunctionError"] == "Unhandled"
    assert status_of(lam, out["DurableExecutionArn"]) == "TIMED_OUT"


def test_checkpoint_api_refuses_bad_tokens(lam):
    create(lam, "tok", WORKFLOW)
    arn = lam.invoke(FunctionName="tok", Payload=json.dumps({"x": 1}))["DurableExecutionArn"]
    with pytest.raises(ClientError) as e:
        lam.checkpoint_durable_execution(DurableExecutionArn=arn, CheckpointToken="AAAA",
                                         Updates=[])
    assert e.value.response["Error"]["Code"] == "InvalidParameterValueException"
    with pytest.raises(ClientError) as e:
        lam.get_durable_execution_state(DurableExecutionArn=arn, CheckpointToken="AAAA")
    assert e.value.response["Error"]["Code"] == "InvalidParameterValueException"


def test_closed_executions_expire_after_their_retention(tidepool_factory):
    # One day of retention is 0.864 s at --time-scale 0.00001.
    server = tidepool_factory(args=["--time-scale", "0.00001"])
    lam = make_client(server.endpoint, "lambda")
    create(lam, "brief", WORKFLOW,
           durable={"ExecutionTimeout": 31622400, "RetentionPeriodInDays": 1})
    arn = lam.invoke(FunctionName="brief", InvocationType="Event",
                     Payload=json.dumps({"x": 1}))["DurableExecutionArn"]
    wait_for(lambda: status_of(lam, arn) == "SUCCEEDED", timeout=30, what="the execution")
    with pytest.raises(ClientError) as e:
        wait_for(lambda: status_of(lam, arn) is None, timeout=10, what="the execution to expire")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert lam.list_durable_executions_by_function(FunctionName="brief")["DurableExecutions"] == []


# 150 steps, then a wait: the invocation after the wait starts with more operations than one
# page of InitialExecutionState (100), so the SDK reads the rest with GetDurableExecutionState.
MANY_STEPS = r"""
const { withDurableExecution } = require("@aws/durable-execution-sdk-js");
exports.handler = withDurableExecution(async (event, context) => {
  let total = 0;
  for (let i = 0; i < 150; i++) total += await context.step("s" + i, async () => i);
  await context.wait("pause", { seconds: 100 });
  return { total, again: await context.step("last", async () => total + 1) };
});
"""


def test_replay_reads_state_pages(lam):
    create(lam, "pages", MANY_STEPS)
    out = lam.invoke(FunctionName="pages", Payload=b"{}")
    assert "FunctionError" not in out
    assert json.loads(out["Payload"].read()) == {"total": 11175, "again": 11176}
    arn = out["DurableExecutionArn"]
    types = [e["EventType"] for e in lam.get_durable_execution_history(
        DurableExecutionArn=arn, MaxItems=1000)["Events"]]
    assert types.count("StepSucceeded") == 151 and types.count("InvocationCompleted") == 2


# Calls another (plain) function with context.invoke: a CHAINED_INVOKE operation.
CHAINER = r"""
const { withDurableExecution } = require("@aws/durable-execution-sdk-js");
exports.handler = withDurableExecution(async (event, context) => {
  const doubled = await context.invoke("double", event.target, { n: event.n });
  let failure = null;
  try {
    await context.invoke("broken", event.target, { n: -1 });
  } catch (e) {
    failure = e.message;
  }
  return { doubled, failure };
});
"""

DOUBLER = """
def handler(event, context):
    if event["n"] < 0:
        raise ValueError("negative")
    return {"n": event["n"] * 2}
"""


def test_chained_invoke_calls_another_function(lam):
    create(lam, "chainer", CHAINER)
    lam.create_function(FunctionName="doubler", Runtime="python3.12", Role=ROLE,
                        Handler="app.handler", Code={"ZipFile": zip_one("app.py", DOUBLER)})
    out = lam.invoke(FunctionName="chainer", Payload=json.dumps({"n": 21, "target": "doubler"}))
    assert "FunctionError" not in out
    result = json.loads(out["Payload"].read())
    assert result["doubled"] == {"n": 42}
    assert "negative" in result["failure"]
    events = lam.get_durable_execution_history(DurableExecutionArn=out["DurableExecutionArn"],
                                               IncludeExecutionData=True)["Events"]
    started = [e for e in events if e["EventType"] == "ChainedInvokeStarted"]
    assert started[0]["ChainedInvokeStartedDetails"]["FunctionName"] == "doubler"
    assert json.loads(started[0]["ChainedInvokeStartedDetails"]["Input"]["Payload"]) == {"n": 21}
    assert [e["EventType"] for e in events].count("ChainedInvokeSucceeded") == 1
    assert [e["EventType"] for e in events].count("ChainedInvokeFailed") == 1


# Counts its first step's runs in event.path, then parks in a 300 s wait (3 s at 0.01).
PARKED = r"""
const fs = require("fs");
const { withDurableExecution } = require("@aws/durable-execution-sdk-js");
exports.handler = withDurableExecution(async (event, context) => {
  const before = await context.step("before", async () => {
    fs.appendFileSync(event.path, "x");
    return "done";
  });
  await context.wait("park", { seconds: 300 });
  const after = await context.step("after", async () => "after");
  return { before, after };
});
"""


def test_parked_execution_survives_kill_9(tidepool_factory, tmp_path):
    data = tmp_path / "durable"
    server = tidepool_factory(durability="sync", args=SCALE, data_dir=data)
    lam = make_client(server.endpoint, "lambda")
    create(lam, "parked", PARKED, durable={"ExecutionTimeout": 6000})
    path = str(tmp_path / "runs")
    arn = lam.invoke(FunctionName="parked", InvocationType="Event",
                     Payload=json.dumps({"path": path}))["DurableExecutionArn"]

    def parked():
        events = lam.get_durable_execution_history(DurableExecutionArn=arn)["Events"]
        return [e["EventType"] for e in events].count("InvocationCompleted") == 1
    wait_for(parked, timeout=30, what="the execution to park in its wait")
    server.kill()
    server = tidepool_factory(durability="sync", args=SCALE, data_dir=data)
    lam = make_client(server.endpoint, "lambda")
    assert status_of(lam, arn) in ("RUNNING", "SUCCEEDED")
    wait_for(lambda: status_of(lam, arn) == "SUCCEEDED", timeout=30,
             what="the execution to resume after its wait")
    result = json.loads(lam.get_durable_execution(DurableExecutionArn=arn)["Result"])
    assert result == {"before": "done", "after": "after"}
    assert open(path).read() == "x"  # the checkpointed step was not run again
    types = [e["EventType"] for e in lam.get_durable_execution_history(
        DurableExecutionArn=arn)["Events"]]
    assert types.count("WaitSucceeded") == 1 and types[-1] == "ExecutionSucceeded"
