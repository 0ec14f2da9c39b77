"""Tumbling windows with ParallelizationFactor > 1, end to end with boto3 and a real Python
function that aggregates records per partition key into the window's state.

AWS's contract (Lambda developer guide, "Implementing stateful Kinesis Data Streams processing in
Lambda"): the state is kept per shard (at most 1 MB), records are processed in order the first
time, and aggregation happens "at the partition key level within a shard". How concurrent
batches of one shard share the state is not documented; tidepool gives each lane (the records
whose partition keys hash to it) a window and a state of its own, so all records of a key are
folded into one state, in order, while lanes run at once, and each lane's window ends with its
own final invocation (docs/differences.md)."""

import json
import textwrap
import time

from harness import make_client
from mapping_helpers import events, python_function_with_queue, wait_mapping_state
from test_parallelization_factor import overlapping
from test_tumbling_windows import make_stream, wait_window_start

FAST = ["--time-scale", "0.01"]

# Folds every record into state[partitionKey] ("a,b,"), sleeps SLEEP seconds on batches with
# records, and forwards what it saw to RECORDER_QUEUE; raises (folding nothing) while a record's
# data contains FAIL_MARK and the file FAIL_FILE exists.
AGGREGATOR = textwrap.dedent("""
    import base64, json, os, time
    import boto3

    sqs = boto3.client("sqs", region_name=os.environ["AWS_REGION"])

    def handler(event, context):
        start = time.time()
        data = [[r["kinesis"]["partitionKey"], base64.b64decode(r["kinesis"]["data"]).decode()]
                for r in event["Records"]]
        mark = os.environ.get("FAIL_MARK")
        bad = bool(mark and any(mark in d for _, d in data)
                   and os.path.exists(os.environ["FAIL_FILE"]))
        if data:
            time.sleep(float(os.environ.get("SLEEP", "0")))
        state = dict(event["state"])
        if not bad:
            for key, d in data:
                state[key] = state.get(key, "") + d + ","
        sqs.send_message(QueueUrl=os.environ["RECORDER_QUEUE"], MessageBody=json.dumps({
            "start": start, "end": time.time(), "records": data, "state": event["state"],
            "final": event["isFinalInvokeForWindow"], "early": event["isWindowTerminatedEarly"],
            "window": event["window"], "shardId": event["shardId"], "failed": bad}))
        if bad:
            raise RuntimeError("poisoned record")
        return {"state": state}
""")


def fnv1a(key):
    """tidepool's lane hash (src/engine/stream_mapping.cc): FNV-1a 64 of the partition key."""
    h = 14695981039346656037
    for c in key.encode():
        h ^= c
        h = (h * 1099511628211) % 2**64
    return h


def keys_by_lane(lanes):
    """One partition key per lane of a shard with `lanes` lanes."""
    out = {}
    i = 0
    while len(out) < lanes:
        out.setdefault(fnv1a("key-%d" % i) % lanes, "key-%d" % i)
        i += 1
    return [out[lane] for lane in range(lanes)]


def test_each_lane_keeps_its_own_window_state(endpoint, kinesis):
    lam = make_client(endpoint, "lambda")
    arn = make_stream(kinesis, "tumble-lanes")
    queue = python_function_with_queue(endpoint, "lane-agg", AGGREGATOR, {"SLEEP": "0.3"})[1]
    m = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="lane-agg",
                                        StartingPosition="TRIM_HORIZON", BatchSize=2,
                                        ParallelizationFactor=4, TumblingWindowInSeconds=15)
    assert m["ParallelizationFactor"] == 4 and m["TumblingWindowInSeconds"] == 15
    wait_mapping_state(lam, m["UUID"], "Enabled")
    keys = keys_by_lane(4)
    # A long window: every record arrives in it even on a loaded machine.
    wait_window_start(15, 12.0)
    kinesis.put_records(StreamName="tumble-lanes", Records=[
        {"Data": ("%s-%d" % (k, i)).encode(), "PartitionKey": k} for i in range(3) for k in keys])
    got = []
    deadline = time.time() + 60
    while sum(1 for e in got if e["final"]) < 4 and time.time() < deadline:
        got += events(endpoint, queue, 1, timeout=60)
    finals = [e for e in got if e["final"]]
    batches = [e for e in got if not e["final"]]
    assert len(finals) == 4, got
    # One window, one final invocation per lane: each state holds its lane's key only, every
    # record of it once and in order.
    assert len({json.dumps(e["window"]) for e in got}) == 1
    assert sorted(json.dumps(f["state"]) for f in finals) == sorted(
        json.dumps({k: "".join("%s-%d," % (k, i) for i in range(3))}) for k in keys)
    for f in finals:
        assert f["records"] == [] and f["early"] is False
        assert f["shardId"] == "shardId-000000000000"
    # A lane's batches carry the state its previous batch returned; lanes run at once.
    for e in batches:
        assert len({k for k, _ in e["records"]}) == 1
        key = e["records"][0][0]
        whole = "".join("%s-%d," % (key, i) for i in range(3))
        assert e["state"] == {} or (list(e["state"]) == [key] and
                                    whole.startswith(e["state"][key]) and
                                    e["state"][key] + "%s," % e["records"][0][1] in whole)
    assert overlapping(batches)


def test_lane_windows_survive_kill_9_without_folding_twice(tidepool_factory, tmp_path):
    server = tidepool_factory(durability="sync", args=FAST)
    kinesis = make_client(server.endpoint, "kinesis")
    lam = make_client(server.endpoint, "lambda")
    arn = make_stream(kinesis, "lanes-durable")
    poison = tmp_path / "poison"
    poison.write_text("on")
    queue = python_function_with_queue(server.endpoint, "lanes-durable-agg", AGGREGATOR,
                                       {"FAIL_MARK": "poison", "FAIL_FILE": str(poison)})[1]
    slow_key, fast_key = keys_by_lane(2)
    wait_window_start(900, 60.0)
    # The poisoned record holds the shard's position; the other lane folds its records past it.
    kinesis.put_record(StreamName="lanes-durable", Data=b"poison", PartitionKey=slow_key)
    kinesis.put_record(StreamName="lanes-durable", Data=b"a1", PartitionKey=fast_key)
    kinesis.put_record(StreamName="lanes-durable", Data=b"a2", PartitionKey=fast_key)
    m = lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName="lanes-durable-agg", StartingPosition="TRIM_HORIZON",
        ParallelizationFactor=2, TumblingWindowInSeconds=900, MaximumRetryAttempts=-1)
    got = []
    deadline = time.time() + 60
    while time.time() < deadline and not (
            any(e["failed"] for e in got) and
            sum(len(e["records"]) for e in got if e["records"] and
                e["records"][0][0] == fast_key) == 2):
        got += events(server.endpoint, queue, 1, timeout=60)
    fast = [e for e in got if e["records"] and e["records"][0][0] == fast_key]
    window = fast[0]["window"]
    time.sleep(0.3)  # the fast lane's state and position are stored
    server.kill()
    poison.unlink()
    server = tidepool_factory(durability="sync", data_dir=server.data_dir, args=FAST)
    kinesis = make_client(server.endpoint, "kinesis")
    assert make_client(server.endpoint, "lambda").get_event_source_mapping(
        UUID=m["UUID"])["TumblingWindowInSeconds"] == 900
    kinesis.put_record(StreamName="lanes-durable", Data=b"a3", PartitionKey=fast_key)
    again = []
    deadline = time.time() + 60
    while time.time() < deadline and not (
            any(e["records"] == [[slow_key, "poison"]] and not e["failed"] for e in again) and
            any([fast_key, "a3"] in e["records"] for e in again)):
        again += events(server.endpoint, queue, 1, timeout=60)
    # The poisoned record comes again (the position never passed it) and now succeeds.
    slow = [e for e in again if e["records"] and e["records"][0][0] == slow_key]
    assert slow[-1]["state"] == {} and not slow[-1]["failed"]
    # The fast lane resumes its window: a1 and a2 (past the position) are not folded in again.
    fast = [e for e in again if e["records"] and e["records"][0][0] == fast_key]
    assert [e["records"] for e in fast] == [[[fast_key, "a3"]]]
    assert fast[0]["state"] == {fast_key: "a1,a2,"}
    assert fast[0]["window"] == window


def test_a_new_factor_ends_open_windows_early(endpoint, kinesis):
    lam = make_client(endpoint, "lambda")
    arn = make_stream(kinesis, "relane")
    queue = python_function_with_queue(endpoint, "relane-agg", AGGREGATOR)[1]
    m = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="relane-agg",
                                        StartingPosition="TRIM_HORIZON",
                                        TumblingWindowInSeconds=900)
    wait_mapping_state(lam, m["UUID"], "Enabled")
    keys = keys_by_lane(2)
    wait_window_start(900, 60.0)
    kinesis.put_record(StreamName="relane", Data=b"x1", PartitionKey=keys[0])
    first = events(endpoint, queue, 1)[0]
    assert first["state"] == {} and first["records"] == [[keys[0], "x1"]]
    lam.update_event_source_mapping(UUID=m["UUID"], ParallelizationFactor=2)
    wait_mapping_state(lam, m["UUID"], "Enabled")
    # The one lane's window ends early (same window, final, isWindowTerminatedEarly).
    final = events(endpoint, queue, 1)[0]
    assert final["final"] and final["early"] and final["state"] == {keys[0]: "x1,"}
    assert final["window"] == first["window"]
    # The two new lanes start fresh states in the same window.
    kinesis.put_records(StreamName="relane", Records=[
        {"Data": b"y-" + k.encode(), "PartitionKey": k} for k in keys])
    after = events(endpoint, queue, 2)
    assert sorted(e["records"][0][0] for e in after) == sorted(keys)
    for e in after:
        assert e["state"] == {} and e["window"] == first["window"] and not e["final"]
