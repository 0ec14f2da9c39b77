"""Helpers for event source mapping tests: a recorder function that forwards every event it
gets to an SQS queue (so a test sees exactly what the function saw), and waits."""

import json
import textwrap
import time

from harness import ACCOUNT, REGION, make_client
from lambda_helpers import zip_one

ROLE = "arn:aws:iam::%s:role/mapping-test" % ACCOUNT

# Forwards the event to queue RECORDER_QUEUE; fails (raises) when any record's decoded data or
# body contains FAIL_MARK; with PARTIAL set, reports those records as batch item failures
# instead of raising.
RECORDER = textwrap.dedent("""
    import base64, json, os
    import boto3

    sqs = boto3.client("sqs", region_name=os.environ["AWS_REGION"])
    QUEUE = os.environ["RECORDER_QUEUE"]
    MARK = os.environ.get("FAIL_MARK", "\\x00never")

    def text(record):
        if "kinesis" in record:
            return base64.b64decode(record["kinesis"]["data"]).decode("utf-8", "replace")
        if "body" in record:
            return record["body"]
        return json.dumps(record.get("dynamodb", {}))

    def ident(record):
        if "kinesis" in record:
            return record["kinesis"]["sequenceNumber"]
        if "messageId" in record:
            return record["messageId"]
        return record["dynamodb"]["SequenceNumber"]

    def handler(event, context):
        sqs.send_message(QueueUrl=QUEUE, MessageBody=json.dumps(event))
        bad = [r for r in event["Records"] if MARK in text(r)]
        if bad and os.environ.get("PARTIAL"):
            return {"batchItemFailures": [{"itemIdentifier": ident(r)} for r in bad]}
        if bad:
            raise RuntimeError("poisoned record")
        return {}
""")


def python_function_with_queue(endpoint, name, source, env=None):
    """A Python function (`source` as app.py) with RECORDER_QUEUE set to a new queue, and any
    other `env`; returns (function ARN, queue URL) once the function is Active."""
    lam = make_client(endpoint, "lambda", read_timeout=60)
    sqs = make_client(endpoint, "sqs")
    queue = sqs.create_queue(QueueName=name + "-events")["QueueUrl"]
    arn = lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE,
                              Handler="app.handler", Timeout=30,
                              Environment={"Variables": {"RECORDER_QUEUE": queue, **(env or {})}},
                              Code={"ZipFile": zip_one("app.py", source)})["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(FunctionName=name,
                                              WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})
    return arn, queue


def create_recorder(endpoint, name, fail_mark=None, partial=False):
    """A Python function forwarding its events to a new queue; returns (function ARN, queue URL)."""
    env = {}
    if fail_mark:
        env["FAIL_MARK"] = fail_mark
    if partial:
        env["PARTIAL"] = "1"
    return python_function_with_queue(endpoint, name, RECORDER, env)


def events(endpoint, queue, count, timeout=30):
    """The first `count` events the recorder forwarded (in arrival order), waiting for them."""
    sqs = make_client(endpoint, "sqs")
    got = []
    deadline = time.time() + timeout
    while len(got) < count and time.time() < deadline:
        r = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for m in r.get("Messages", []):
            got.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=m["ReceiptHandle"])
    assert len(got) >= count, "got %d events of %d: %s" % (len(got), count, got)
    return got


def no_more_events(endpoint, queue, wait=1.5):
    sqs = make_client(endpoint, "sqs")
    r = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=int(wait))
    assert not r.get("Messages"), [m["Body"] for m in r["Messages"]]


def records_of(evts):
    return [r for e in evts for r in e["Records"]]


def kinesis_data(record):
    import base64
    return base64.b64decode(record["kinesis"]["data"]).decode()


def wait_mapping_state(lam, uuid, state, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = lam.get_event_source_mapping(UUID=uuid)["State"]
        if got == state:
            return
        time.sleep(0.05)
    raise AssertionError("mapping %s never reached %s (is %s)" % (uuid, state, got))


def stream_arn(name):
    return "arn:aws:kinesis:%s:%s:stream/%s" % (REGION, ACCOUNT, name)


def subscribe_function(sns, topic, function):
    """Subscribes Lambda function `function` (a name) to SNS topic `topic` (an ARN)."""
    sns.subscribe(TopicArn=topic, Protocol="lambda",
                  Endpoint="arn:aws:lambda:%s:%s:function:%s" % (REGION, ACCOUNT, function))


def map_stream(lam, stream, function, **settings):
    """A mapping from Kinesis stream `stream` (a name) to `function`, once it is Enabled."""
    m = lam.create_event_source_mapping(EventSourceArn=stream_arn(stream), FunctionName=function,
                                        **settings)
    wait_mapping_state(lam, m["UUID"], "Enabled")
    return m
