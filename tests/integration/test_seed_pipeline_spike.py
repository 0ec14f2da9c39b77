"""Seed 000 (pipeline-spike) end to end, as PIPELINES.md states it: orders on Kinesis stream
pipeline_spike_stream reach an invoker function (mapping: batch size 1, TRIM_HORIZON) that
starts an execution of state machine pipeline_spike_step_fn per order. CheckCountry (only GB is
valid; PANIC crashes the function; any other code fails with ErrInvalidCountryCode) leads to
ValidOrderPutter, or ErrorOrderPutter on ErrInvalidCountryCode, or Catcher on anything else;
Retry comes before Catch; Catcher catches into itself and puts the order back on the stream
with attempt + 1; the invoker sends an order with attempt >= 3 (and a record that is not an
order) to the orphan bucket. Outcomes: GB in the valid bucket, FR (after 3 CheckCountry runs)
in the error bucket with attempt 0, PANIC after 3 executions in the orphan bucket with attempt
3, the bad record in the orphan bucket, and `tidepool reconcile` accounts for every record.
The definition keeps AWS's Retry values; the server runs with --time-scale 0.01."""

import json
import subprocess
import textwrap
import time

import pytest

from harness import ACCOUNT, REGION, make_client, tidepool_binary
from kinesis_helpers import wait_active
from lambda_helpers import zip_one
from mapping_helpers import stream_arn, wait_mapping_state

ROLE = "arn:aws:iam::%s:role/pipeline-spike" % ACCOUNT
STREAM = "pipeline_spike_stream"
MACHINE = "pipeline_spike_step_fn"
BUCKETS = {"valid": "pipeline-spike-valid-orders", "error": "pipeline-spike-error-orders",
           "orphan": "pipeline-spike-orphan-orders"}

FUNCTIONS = textwrap.dedent("""
    import base64, json, os
    import boto3

    REGION = os.environ["AWS_REGION"]
    MAX_ATTEMPTS = int(os.environ.get("MAX_ATTEMPTS", "3"))

    class ErrInvalidCountryCode(Exception):
        pass

    def invoker(event, context):
        sfn = boto3.client("stepfunctions", region_name=REGION)
        s3 = boto3.client("s3", region_name=REGION)
        for record in event["Records"]:
            raw = base64.b64decode(record["kinesis"]["data"])
            try:
                order = json.loads(raw)
                ok = isinstance(order, dict) and "id" in order
            except ValueError:
                ok = False
            if not ok or order.get("attempt", 0) >= MAX_ATTEMPTS:
                s3.put_object(Bucket=os.environ["ORPHAN_BUCKET"],
                              Key="INVOKER_" + record["eventID"], Body=raw)
                continue
            sfn.start_execution(stateMachineArn=os.environ["STATE_MACHINE"],
                                input=json.dumps(order))

    def check_country(order, context):
        code = order["country_code"]
        if code == "PANIC":
            os._exit(2)  # a crash, as the original's Go panic
        if code != "GB":
            raise ErrInvalidCountryCode("Invalid country code: %s" % code)
        return order

    def putter(order, context):
        body = {k: order[k] for k in ("id", "country_code", "attempt")}
        boto3.client("s3", region_name=REGION).put_object(
            Bucket=os.environ["BUCKET"], Key=order["id"], Body=json.dumps(body, separators=(",", ":")))
        return body

    def catcher(order, context):
        again = {"id": order["id"], "country_code": order["country_code"],
                 "attempt": order.get("attempt", 0) + 1}
        boto3.client("kinesis", region_name=REGION).put_record(
            StreamName=os.environ["STREAM"], PartitionKey=again["id"],
            Data=json.dumps(again, separators=(",", ":")).encode())
        return again
""")


def function_arn(name):
    return "arn:aws:lambda:%s:%s:function:%s" % (REGION, ACCOUNT, name)


def retry(interval, attempts):
    return [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": interval, "BackoffRate": 2.0,
             "MaxAttempts": attempts}]


def catch(next_state):
    return {"ErrorEquals": ["States.ALL"], "Next": next_state, "ResultPath": "$.error"}


DEFINITION = {
    "StartAt": "CheckCountry",
    "States": {
        "CheckCountry": {
            "Type": "Task", "Resource": function_arn("check_country"), "Next": "ValidOrderPutter",
            "Retry": retry(1, 2),
            "Catch": [{"ErrorEquals": ["ErrInvalidCountryCode"], "Next": "ErrorOrderPutter",
                       "ResultPath": "$.error"}, catch("Catcher")]},
        "ValidOrderPutter": {"Type": "Task", "Resource": function_arn("valid_order_putter"),
                             "Retry": retry(1, 2), "Catch": [catch("Catcher")], "End": True},
        "ErrorOrderPutter": {"Type": "Task", "Resource": function_arn("error_order_putter"),
                             "Retry": retry(1, 2), "Catch": [catch("Catcher")], "End": True},
        "Catcher": {"Type": "Task", "Resource": function_arn("catcher"), "Retry": retry(2, 10),
                    "Catch": [catch("Catcher")], "End": True},
    },
}


def deploy(endpoint):
    lam = make_client(endpoint, "lambda", read_timeout=60)
    s3 = make_client(endpoint, "s3")
    sfn = make_client(endpoint, "stepfunctions")
    kinesis = make_client(endpoint, "kinesis")
    for bucket in BUCKETS.values():
        s3.create_bucket(Bucket=bucket)
    kinesis.create_stream(StreamName=STREAM, ShardCount=1)
    wait_active(kinesis, STREAM)
    machine = sfn.create_state_machine(
        name=MACHINE, definition=json.dumps(DEFINITION),
        roleArn="arn:aws:iam::%s:role/step-fn" % ACCOUNT)["stateMachineArn"]
    code = zip_one("app.py", FUNCTIONS)
    functions = {
        "invoker": ("app.invoker", {"STATE_MACHINE": machine, "ORPHAN_BUCKET": BUCKETS["orphan"]}),
        "check_country": ("app.check_country", {}),
        "valid_order_putter": ("app.putter", {"BUCKET": BUCKETS["valid"]}),
        "error_order_putter": ("app.putter", {"BUCKET": BUCKETS["error"]}),
        "catcher": ("app.catcher", {"STREAM": STREAM}),
    }
    for name, (handler, env) in functions.items():
        lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler=handler,
                            Timeout=30, Environment={"Variables": env}, Code={"ZipFile": code})
    for name in functions:
        lam.get_waiter("function_active_v2").wait(FunctionName=name,
                                                  WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})
    uuid = lam.create_event_source_mapping(
        EventSourceArn=stream_arn(STREAM), FunctionName="invoker", BatchSize=1,
        StartingPosition="TRIM_HORIZON")["UUID"]
    wait_mapping_state(lam, uuid, "Enabled")
    return machine


def wait_object(s3, bucket, key=None, prefix=None, timeout=90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if key is not None:
            try:
                return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            except s3.exceptions.NoSuchKey:
                pass
        else:
            listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
            if listed:
                return [s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listed]
        time.sleep(0.2)
    raise AssertionError("nothing in %s under %s" % (bucket, key or prefix))


def executions_of(sfn, machine, order_id, country):
    found = []
    for e in sfn.list_executions(stateMachineArn=machine)["executions"]:
        order = json.loads(sfn.describe_execution(executionArn=e["executionArn"])["input"])
        if order["id"] == order_id and order["country_code"] == country:
            found.append((order["attempt"], e))
    return sorted(found, key=lambda x: x[0])


@pytest.mark.tidepool(args=["--time-scale", "0.01"])
def test_pipeline_spike_orders_end_in_exactly_one_bucket(endpoint):
    machine = deploy(endpoint)
    s3 = make_client(endpoint, "s3")
    sfn = make_client(endpoint, "stepfunctions")
    kinesis = make_client(endpoint, "kinesis")

    def put(data):
        kinesis.put_record(StreamName=STREAM, PartitionKey="orders", Data=data)

    put(b'{"id":"12345","country_code":"GB","attempt":0}')
    put(b'{"id":"23456","country_code":"FR","attempt":0}')
    put(b'{"id":"34567","country_code":"PANIC","attempt":0}')
    put(b"not an order")

    assert json.loads(wait_object(s3, BUCKETS["valid"], "12345")) == \
        {"id": "12345", "country_code": "GB", "attempt": 0}
    assert json.loads(wait_object(s3, BUCKETS["error"], "23456")) == \
        {"id": "23456", "country_code": "FR", "attempt": 0}
    # Retry comes before Catch: CheckCountry ran 3 times for FR.
    [(_, fr)] = executions_of(sfn, machine, "23456", "FR")
    history = sfn.get_execution_history(executionArn=fr["executionArn"],
                                        maxResults=1000)["events"]
    assert sum(1 for e in history if e["type"] == "TaskStateEntered" and
               e["stateEnteredEventDetails"]["name"] == "CheckCountry") == 1
    assert sum(1 for e in history if e["type"] == "LambdaFunctionScheduled") == 4  # 3 + putter
    assert sum(1 for e in history if e["type"] == "LambdaFunctionFailed") == 3

    # PANIC: three executions (attempts 0, 1, 2), then the invoker orphans the order.
    orphans = [json.loads(b) if b.startswith(b"{") else b
               for b in wait_object(s3, BUCKETS["orphan"], prefix="INVOKER_")]
    deadline = time.time() + 90
    while len(orphans) < 2 and time.time() < deadline:
        time.sleep(0.2)
        orphans = [json.loads(b) if b.startswith(b"{") else b
                   for b in wait_object(s3, BUCKETS["orphan"], prefix="INVOKER_")]
    assert b"not an order" in orphans
    assert {"id": "34567", "country_code": "PANIC", "attempt": 3} in orphans
    panics = executions_of(sfn, machine, "34567", "PANIC")
    assert [attempt for attempt, _ in panics] == [0, 1, 2]
    assert all(e["status"] == "SUCCEEDED" for _, e in panics)  # the Catcher put it back

    # Every order ends in exactly one bucket.
    keys = {name: [o["Key"] for o in s3.list_objects_v2(Bucket=b).get("Contents", [])]
            for name, b in BUCKETS.items()}
    assert keys["valid"] == ["12345"] and keys["error"] == ["23456"]
    assert len(keys["orphan"]) == 2
    code = 1
    deadline = time.time() + 30
    while code != 0 and time.time() < deadline:
        p = subprocess.run([str(tidepool_binary()), "reconcile", "--endpoint", endpoint,
                            "--stream", STREAM], capture_output=True, text=True, timeout=30)
        code = p.returncode
        time.sleep(0.2)
    assert code == 0, p.stdout
