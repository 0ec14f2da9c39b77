"""ParallelizationFactor on stream mappings: up to N batches of one shard run at once, records of
one partition key (Kinesis) or item key (DynamoDB) stay in order and never run concurrently, a
failing key holds back only the stored position (the contiguous watermark), and a kill -9 with
lanes at different places loses nothing (records past the watermark are delivered again: at
least once, as on AWS)."""

import json
import subprocess
import textwrap
import time

import botocore.exceptions
import pytest

from harness import make_client, tidepool_binary
from kinesis_helpers import wait_active
from mapping_helpers import events, python_function_with_queue, stream_arn, wait_mapping_state
from sqs_helpers import queue_arn

FAST = ["--time-scale", "0.01"]

# Sleeps SLEEP seconds, then forwards what it saw (with when it ran) to RECORDER_QUEUE; raises
# while a record's data contains FAIL_MARK and the marker file FAIL_FILE exists.
SLOW = textwrap.dedent("""
    import base64, json, os, time
    import boto3

    sqs = boto3.client("sqs", region_name=os.environ["AWS_REGION"])

    def handler(event, context):
        start = time.time()
        data = []
        for r in event["Records"]:
            if "kinesis" in r:
                data.append([r["kinesis"]["partitionKey"],
                             base64.b64decode(r["kinesis"]["data"]).decode()])
            else:
                data.append([r["dynamodb"]["Keys"]["pk"]["S"],
                             r["dynamodb"]["NewImage"]["n"]["N"]])
        mark = os.environ.get("FAIL_MARK")
        bad = mark and any(mark in d for _, d in data) and os.path.exists(os.environ["FAIL_FILE"])
        time.sleep(float(os.environ.get("SLEEP", "0")))
        sqs.send_message(QueueUrl=os.environ["RECORDER_QUEUE"], MessageBody=json.dumps(
            {"start": start, "end": time.time(), "records": data, "failed": bool(bad)}))
        if bad:
            raise RuntimeError("poisoned record")
        return {}
""")


def slow_function(endpoint, name, sleep, **env):
    return python_function_with_queue(endpoint, name, SLOW, {"SLEEP": str(sleep), **env})[1]


def make_stream(kinesis, name, shards=1):
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    wait_active(kinesis, name)
    return stream_arn(name)


def assert_key_order(evts, sent):
    """Every key's records arrived in the order they were written, each batch one lane's."""
    by_key = {}
    for e in sorted(evts, key=lambda e: e["start"]):
        if e["failed"]:
            continue
        for key, data in e["records"]:
            by_key.setdefault(key, []).append(data)
    for key, written in sent.items():
        got = by_key.get(key, [])
        # At least once: a value may come again, but never out of order.
        firsts = [v for i, v in enumerate(got) if v not in got[:i]]
        assert firsts == written, (key, got, written)


def overlapping(evts):
    spans = sorted((e["start"], e["end"]) for e in evts)
    return any(spans[i + 1][0] < spans[i][1] for i in range(len(spans) - 1))


def test_batches_of_one_shard_run_concurrently_in_key_order(endpoint, kinesis):
    lam = make_client(endpoint, "lambda")
    arn = make_stream(kinesis, "lanes")
    queue = slow_function(endpoint, "lanes-fn", 0.4)
    sent = {}
    for i in range(40):
        key = "key-%d" % (i % 8)
        kinesis.put_record(StreamName="lanes", Data=b"%d" % i, PartitionKey=key)
        sent.setdefault(key, []).append(str(i))
    m = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="lanes-fn",
                                        StartingPosition="TRIM_HORIZON", BatchSize=5,
                                        ParallelizationFactor=4)
    assert m["ParallelizationFactor"] == 4
    got = []
    while sum(len(e["records"]) for e in got) < 40:
        got += events(endpoint, queue, 1, timeout=60)
    assert_key_order(got, sent)
    # Batches of one shard ran at the same time; no batch mixed a key's records across lanes.
    assert overlapping(got)
    for e in got:
        assert len({key for key, _ in e["records"]}) <= 5
    # With one lane batches never overlap.
    m1 = lam.update_event_source_mapping(UUID=m["UUID"], ParallelizationFactor=1)
    assert m1["ParallelizationFactor"] == 1
    wait_mapping_state(lam, m["UUID"], "Enabled")
    for i in range(40, 52):
        kinesis.put_record(StreamName="lanes", Data=b"%d" % i, PartitionKey="key-%d" % (i % 8))
    later = []
    while sum(len(e["records"]) for e in later) < 12:
        later += events(endpoint, queue, 1, timeout=60)
    assert not overlapping(later)


def test_a_failing_key_holds_the_position_not_the_other_lanes(tidepool_factory, tmp_path):
    server = tidepool_factory(durability="sync", args=FAST)
    kinesis = make_client(server.endpoint, "kinesis")
    lam = make_client(server.endpoint, "lambda")
    sqs = make_client(server.endpoint, "sqs")
    arn = make_stream(kinesis, "held")
    poison = tmp_path / "poison"
    poison.write_text("on")
    queue = slow_function(server.endpoint, "held-fn", 0, FAIL_MARK="poison",
                          FAIL_FILE=str(poison))
    dlq = sqs.create_queue(QueueName="held-failures")["QueueUrl"]
    sent = {"bad": ["poison"], "good": []}
    kinesis.put_record(StreamName="held", Data=b"poison", PartitionKey="bad")
    m = lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName="held-fn", StartingPosition="TRIM_HORIZON", BatchSize=1,
        ParallelizationFactor=10, MaximumRetryAttempts=10000,
        DestinationConfig={"OnFailure": {"Destination": queue_arn(sqs, dlq)}})
    for i in range(10):
        kinesis.put_record(StreamName="held", Data=b"g%d" % i, PartitionKey="good")
        sent["good"].append("g%d" % i)
    # The good key's lane runs while the poisoned record is retried in its own lane.
    # The poisoned lane's first failure may reach the recorder queue after the good lane is done
    # (its sandbox starts at the same time), so wait for both.
    got = []
    while sum(1 for e in got if not e["failed"]) < 10 or not any(e["failed"] for e in got):
        got += events(server.endpoint, queue, 1, timeout=60)
    assert not any(["bad", "poison"] in e["records"] for e in got if not e["failed"])
    # kill -9 while the poisoned record still holds the watermark: everything after it is
    # delivered again after the restart, in order, and nothing is lost.
    server.kill()
    poison.unlink()
    server = tidepool_factory(durability="sync", data_dir=server.data_dir, args=FAST)
    assert make_client(server.endpoint, "lambda").get_event_source_mapping(
        UUID=m["UUID"])["ParallelizationFactor"] == 10
    again = []
    while not any(["bad", "poison"] in e["records"] for e in again if not e["failed"]) or \
            sum(len(e["records"]) for e in again if not e["failed"]) < 11:
        again += events(server.endpoint, queue, 1, timeout=60)
    assert_key_order(again, sent)
    code = 1
    deadline = time.time() + 30
    while code != 0 and time.time() < deadline:
        p = subprocess.run([str(tidepool_binary()), "reconcile", "--endpoint", server.endpoint,
                            "--stream", "held", "--json"], capture_output=True, text=True)
        code = p.returncode
        time.sleep(0.2)
    assert code == 0, p.stdout


def test_dynamodb_stream_lanes_keep_item_order(endpoint):
    ddb = make_client(endpoint, "dynamodb")
    lam = make_client(endpoint, "lambda")
    table = ddb.create_table(
        TableName="lanes", AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    queue = slow_function(endpoint, "ddb-lanes-fn", 0.2)
    lam.create_event_source_mapping(
        EventSourceArn=table["TableDescription"]["LatestStreamArn"], FunctionName="ddb-lanes-fn",
        StartingPosition="TRIM_HORIZON", BatchSize=2, ParallelizationFactor=3)
    sent = {}
    for n in range(24):
        pk = "item-%d" % (n % 4)
        ddb.put_item(TableName="lanes", Item={"pk": {"S": pk}, "n": {"N": str(n)}})
        sent.setdefault(pk, []).append(str(n))
    got = []
    while sum(len(e["records"]) for e in got) < 24:
        got += events(endpoint, queue, 1, timeout=60)
    assert_key_order(got, sent)


def test_parallelization_factor_validation(endpoint, kinesis):
    lam = make_client(endpoint, "lambda")
    arn = make_stream(kinesis, "pf-api")
    slow_function(endpoint, "pf-fn", 0)

    def code(**kw):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="pf-fn",
                                            StartingPosition="LATEST", **kw)
        return e.value.response["Error"]["Code"]

    assert code(ParallelizationFactor=11) == "ValidationException"
    # Tumbling windows with several lanes per shard are accepted, as on AWS
    # (test_esm_tumbling_lanes.py runs them).
    both = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="pf-fn",
                                           StartingPosition="LATEST", ParallelizationFactor=2,
                                           TumblingWindowInSeconds=60)
    assert both["ParallelizationFactor"] == 2 and both["TumblingWindowInSeconds"] == 60
    lam.delete_event_source_mapping(UUID=both["UUID"])
    m = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="pf-fn",
                                        StartingPosition="LATEST", ParallelizationFactor=10)
    assert lam.get_event_source_mapping(UUID=m["UUID"])["ParallelizationFactor"] == 10
    u = lam.update_event_source_mapping(UUID=m["UUID"], TumblingWindowInSeconds=30)
    assert u["TumblingWindowInSeconds"] == 30 and u["ParallelizationFactor"] == 10
