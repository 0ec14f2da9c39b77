"""Tumbling windows on stream event source mappings (TumblingWindowInSeconds), end to end with
boto3 and a real Python function that aggregates records into the window's state.

AWS's contract (Lambda developer guide, "Implementing stateful Kinesis Data Streams processing"):
each record belongs to one window; batches never span windows; every invocation carries
`window` {start, end}, the `state` the window's previous invocation returned ({} at first),
`shardId`, `eventSourceARN`, `isFinalInvokeForWindow` and `isWindowTerminatedEarly`; a response
without `state` is a failed invocation; once the window is over a final invocation (no records,
isFinalInvokeForWindow true) hands the function the last state."""

import base64
import datetime
import json
import textwrap
import time

from harness import make_client
from kinesis_helpers import wait_active
from mapping_helpers import events, python_function_with_queue, stream_arn, wait_mapping_state
from sqs_helpers import queue_arn

AGGREGATOR = textwrap.dedent("""
    import base64, json, os
    import boto3

    sqs = boto3.client("sqs", region_name=os.environ["AWS_REGION"])

    def handler(event, context):
        sqs.send_message(QueueUrl=os.environ["RECORDER_QUEUE"], MessageBody=json.dumps(event))
        if os.environ.get("NO_STATE"):
            return {"batchItemFailures": []}
        state = dict(event.get("state") or {})
        state["count"] = state.get("count", 0) + len(event["Records"])
        state["data"] = state.get("data", "") + "".join(
            base64.b64decode(r["kinesis"]["data"]).decode() for r in event["Records"])
        return {"state": state}
""")


def create_aggregator(endpoint, name, no_state=False):
    env = {"NO_STATE": "1"} if no_state else {}
    return python_function_with_queue(endpoint, name, AGGREGATOR, env)[1]


def make_stream(kinesis, name):
    kinesis.create_stream(StreamName=name, ShardCount=1)
    wait_active(kinesis, name)
    return stream_arn(name)


def wait_window_start(seconds, margin):
    """Sleeps until the current `seconds`-long window has at least `margin` seconds left."""
    while seconds - (time.time() % seconds) < margin:
        time.sleep(0.05)


def parse(ts):
    return datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def until_final(endpoint, queue, timeout=30):
    got = []
    deadline = time.time() + timeout
    while not any(e.get("isFinalInvokeForWindow") for e in got) and time.time() < deadline:
        got += events(endpoint, queue, 1, timeout=timeout)
    return got


def test_state_flows_through_a_window_and_a_final_invocation_closes_it(endpoint, kinesis):
    lam = make_client(endpoint, "lambda")
    arn = make_stream(kinesis, "tumble")
    queue = create_aggregator(endpoint, "aggregate")
    m = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="aggregate",
                                        StartingPosition="TRIM_HORIZON", BatchSize=2,
                                        TumblingWindowInSeconds=3)
    assert m["TumblingWindowInSeconds"] == 3
    wait_mapping_state(lam, m["UUID"], "Enabled")
    wait_window_start(3, 2.0)
    kinesis.put_records(StreamName="tumble", Records=[
        {"Data": b"r%d" % i, "PartitionKey": "k"} for i in range(5)])
    got = until_final(endpoint, queue)
    batches = [e for e in got if not e["isFinalInvokeForWindow"]]
    final = [e for e in got if e["isFinalInvokeForWindow"]]
    assert len(final) == 1, got
    # Batches hold at most BatchSize records of one window; the state is passed along in order.
    assert [len(e["Records"]) for e in batches] == [2, 2, 1]
    assert [e["state"] for e in batches] == [{}, {"count": 2, "data": "r0r1"},
                                           {"count": 4, "data": "r0r1r2r3"}]
    windows = {(e["window"]["start"], e["window"]["end"]) for e in got}
    assert len(windows) == 1
    start, end = (parse(t) for t in windows.pop())
    assert end - start == 3 and start % 3 == 0
    for e in batches:
        assert e["shardId"] == "shardId-000000000000" and e["eventSourceARN"] == arn
        assert e["isWindowTerminatedEarly"] is False
        for r in e["Records"]:
            assert start <= r["kinesis"]["approximateArrivalTimestamp"] < end
    f = final[0]
    assert f["Records"] == [] and f["state"] == {"count": 5, "data": "r0r1r2r3r4"}
    assert f["isWindowTerminatedEarly"] is False and f["shardId"] == "shardId-000000000000"
    # A record of a later window starts over with a fresh state.
    kinesis.put_record(StreamName="tumble", Data=b"later", PartitionKey="k")
    nxt = until_final(endpoint, queue)
    assert nxt[0]["state"] == {} and len(nxt[0]["Records"]) == 1
    assert nxt[-1]["state"] == {"count": 1, "data": "later"}
    assert parse(nxt[0]["window"]["start"]) >= end


def test_a_response_without_state_is_a_failed_invocation(endpoint, kinesis):
    lam = make_client(endpoint, "lambda")
    sqs = make_client(endpoint, "sqs")
    arn = make_stream(kinesis, "stateless")
    dlq = sqs.create_queue(QueueName="tumble-failures")["QueueUrl"]
    create_aggregator(endpoint, "stateless", no_state=True)
    kinesis.put_record(StreamName="stateless", Data=b"x", PartitionKey="k")
    lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName="stateless", StartingPosition="TRIM_HORIZON",
        TumblingWindowInSeconds=60, MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": queue_arn(sqs, dlq)}})
    r = sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=15)
    failure = json.loads(r["Messages"][0]["Body"])
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["KinesisBatchInfo"]["batchSize"] == 1


def test_tumbling_window_range_is_checked(endpoint, kinesis):
    import botocore.exceptions
    import pytest
    lam = make_client(endpoint, "lambda")
    arn = make_stream(kinesis, "range")
    create_aggregator(endpoint, "ranged")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="ranged",
                                        StartingPosition="LATEST", TumblingWindowInSeconds=901)
    # The model's range (0-900) is checked first, as on AWS.
    assert e.value.response["Error"]["Code"] == "ValidationException"


def test_window_state_survives_kill_9(tidepool_factory):
    server = tidepool_factory(durability="sync")
    kinesis = make_client(server.endpoint, "kinesis")
    lam = make_client(server.endpoint, "lambda")
    arn = make_stream(kinesis, "durable-window")
    queue = create_aggregator(server.endpoint, "durable-agg")
    m = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="durable-agg",
                                        StartingPosition="LATEST", TumblingWindowInSeconds=60)
    wait_mapping_state(lam, m["UUID"], "Enabled")
    wait_window_start(60, 25.0)
    kinesis.put_records(StreamName="durable-window", Records=[
        {"Data": b"a", "PartitionKey": "k"}, {"Data": b"b", "PartitionKey": "k"}])
    first = events(server.endpoint, queue, 1)[0]
    assert first["state"] == {} and len(first["Records"]) == 2
    time.sleep(0.3)  # the function's reply and the position are stored
    server.kill()
    server = tidepool_factory(durability="sync", data_dir=server.data_dir)
    kinesis = make_client(server.endpoint, "kinesis")
    kinesis.put_record(StreamName="durable-window", Data=b"c", PartitionKey="k")
    resumed = events(server.endpoint, queue, 1)[0]
    # The window goes on with the state its last invocation returned; nothing is delivered twice.
    assert [base64.b64decode(r["kinesis"]["data"]) for r in resumed["Records"]] == [b"c"]
    assert resumed["state"] == {"count": 2, "data": "ab"}
    assert resumed["window"] == first["window"]
