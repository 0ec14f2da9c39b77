"""Event source mappings end to end with boto3 and real (Python) functions: Kinesis, SQS and
DynamoDB Streams to Lambda; starting positions, batch sizes, filters, bisect, retries, the
on-failure destination, partial batch failures, the SQS dead-letter queue, the mapping API and
its errors, and a restart in the middle."""

import json
import os
import subprocess
import time
import urllib.request

import botocore.exceptions
import pytest

from harness import ACCOUNT, REGION, make_client, tidepool_binary
from lambda_helpers import zip_one
from kinesis_helpers import wait_active
from mapping_helpers import (ROLE, create_recorder, events, kinesis_data, no_more_events, records_of,
                             stream_arn, wait_mapping_state)
from sqs_helpers import queue_arn

FAST = ["--time-scale", "0.01"]


def make_stream(kinesis, name, shards=1):
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    wait_active(kinesis, name)
    return stream_arn(name)


def test_kinesis_trim_horizon_delivers_in_order_with_aws_event_shape(endpoint, kinesis):
    lam = make_client(endpoint, "lambda")
    arn = make_stream(kinesis, "orders")
    for i in range(5):
        kinesis.put_record(StreamName="orders", Data=b"r%d" % i, PartitionKey="pk")
    fn, queue = create_recorder(endpoint, "recorder")
    m = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="recorder",
                                        StartingPosition="TRIM_HORIZON", BatchSize=100)
    assert m["State"] == "Creating"
    assert m["BatchSize"] == 100 and m["ParallelizationFactor"] == 1
    assert m["MaximumRetryAttempts"] == -1 and m["MaximumRecordAgeInSeconds"] == -1
    assert m["BisectBatchOnFunctionError"] is False and m["FunctionArn"] == fn
    assert m["DestinationConfig"] == {"OnFailure": {}}
    assert m["EventSourceMappingArn"].endswith(":event-source-mapping:" + m["UUID"])
    wait_mapping_state(lam, m["UUID"], "Enabled")
    got = records_of(events(endpoint, queue, 1))
    while len(got) < 5:
        got += records_of(events(endpoint, queue, 1))
    assert [kinesis_data(r) for r in got] == ["r%d" % i for i in range(5)]
    r = got[0]
    assert set(r) == {"kinesis", "eventSource", "eventVersion", "eventID", "eventName",
                      "invokeIdentityArn", "awsRegion", "eventSourceARN"}
    assert r["eventSource"] == "aws:kinesis" and r["eventName"] == "aws:kinesis:record"
    assert r["eventSourceARN"] == arn and r["awsRegion"] == REGION
    assert r["invokeIdentityArn"].startswith("arn:aws:iam::")
    k = r["kinesis"]
    assert k["kinesisSchemaVersion"] == "1.0" and k["partitionKey"] == "pk"
    assert r["eventID"] == "shardId-000000000000:" + k["sequenceNumber"]
    assert isinstance(k["approximateArrivalTimestamp"], float)
    # Records written later wake the mapping.
    kinesis.put_record(StreamName="orders", Data=b"late", PartitionKey="pk")
    assert [kinesis_data(r) for r in records_of(events(endpoint, queue, 1))] == ["late"]
    assert lam.get_event_source_mapping(UUID=m["UUID"])["LastProcessingResult"] == "OK"


def test_kinesis_latest_skips_earlier_records_and_batch_size_holds(endpoint, kinesis):
    lam = make_client(endpoint, "lambda")
    arn = make_stream(kinesis, "latest")
    kinesis.put_record(StreamName="latest", Data=b"before", PartitionKey="a")
    _, queue = create_recorder(endpoint, "rec-latest")
    m = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="rec-latest",
                                        StartingPosition="LATEST", BatchSize=2,
                                        Enabled=False)
    wait_mapping_state(lam, m["UUID"], "Disabled")
    kinesis.put_records(StreamName="latest",
                        Records=[{"Data": b"x%d" % i, "PartitionKey": "a"} for i in range(5)])
    no_more_events(endpoint, queue)
    lam.update_event_source_mapping(UUID=m["UUID"], Enabled=True)
    wait_mapping_state(lam, m["UUID"], "Enabled")
    evts = events(endpoint, queue, 3)
    assert [len(e["Records"]) for e in evts] == [2, 2, 1]
    assert [kinesis_data(r) for r in records_of(evts)] == ["x%d" % i for i in range(5)]


def test_kinesis_filters_drop_records_that_match_no_pattern(endpoint, kinesis):
    lam = make_client(endpoint, "lambda")
    arn = make_stream(kinesis, "filtered")
    _, queue = create_recorder(endpoint, "rec-filter")
    uuid = lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName="rec-filter", StartingPosition="TRIM_HORIZON",
        FilterCriteria={"Filters": [{"Pattern": json.dumps({"data": {"kind": ["keep"]}})},
                                    {"Pattern": json.dumps({"partitionKey": [{"prefix": "vip"}]})}]})
    for data, pk in [({"kind": "keep", "n": 1}, "a"), ({"kind": "drop", "n": 2}, "a"),
                     ("not json", "a"), ({"kind": "other", "n": 4}, "vip-1")]:
        payload = json.dumps(data) if isinstance(data, dict) else data
        kinesis.put_record(StreamName="filtered", Data=payload.encode(), PartitionKey=pk)
    got = []
    while len(got) < 2:
        got += records_of(events(endpoint, queue, 1))
    assert [json.loads(kinesis_data(r))["n"] for r in got] == [1, 4]
    no_more_events(endpoint, queue)
    # The metrics count each record's outcome and time each hop.
    metrics = urllib.request.urlopen(endpoint + "/_tidepool/metrics").read().decode()
    assert 'tidepool_mapping_records_total{source="kinesis",outcome="filtered"} 2' in metrics
    assert 'tidepool_mapping_records_total{source="kinesis",outcome="delivered"} 2' in metrics
    assert 'tidepool_mapping_hop_seconds_count{source="kinesis",hop="write_to_start"}' in metrics
    # IteratorAge per shard: the age of the last record read, here well under a minute.
    ages = json.loads(urllib.request.urlopen(endpoint + "/_tidepool/metrics?format=json").read())[
        "iterator_age_ms"][uuid["UUID"]]
    assert list(ages) == ["shardId-000000000000"] and 0 <= ages["shardId-000000000000"] < 60000
    assert ('tidepool_mapping_iterator_age_milliseconds{mapping="%s",shard="shardId-000000000000"}'
            % uuid["UUID"]) in metrics
    # `tidepool trace` reads the same histograms: since start, then over a window with no event.
    p = subprocess.run([str(tidepool_binary()), "trace", "--endpoint", endpoint, "--seconds", "0",
                        "--json"], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    hops = json.loads(p.stdout)
    whole = hops["source='kinesis',hop='write_to_start'"]
    assert whole["count"] >= 1 and 0 < whole["p50_us"] <= whole["p99_us"] <= whole["max_us"]
    p = subprocess.run([str(tidepool_binary()), "trace", "--endpoint", endpoint, "--seconds",
                        "0.2"], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0 and "no event reached a function in the last 0.2 s" in p.stdout, \
        p.stdout


@pytest.mark.tidepool(args=FAST)
def test_kinesis_bisect_retries_and_on_failure_destination(endpoint, kinesis):
    lam = make_client(endpoint, "lambda")
    sqs = make_client(endpoint, "sqs")
    arn = make_stream(kinesis, "poison")
    dlq = sqs.create_queue(QueueName="failures")["QueueUrl"]
    fn, queue = create_recorder(endpoint, "rec-poison", fail_mark="poison")
    kinesis.put_records(StreamName="poison", Records=[
        {"Data": (b"poison" if i == 2 else b"ok%d" % i), "PartitionKey": "k"} for i in range(4)])
    lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName="rec-poison", StartingPosition="TRIM_HORIZON",
        BatchSize=4, BisectBatchOnFunctionError=True, MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": queue_arn(sqs, dlq)}})
    r = sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=10)
    failure = json.loads(r["Messages"][0]["Body"])
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["requestContext"]["functionArn"] == fn
    assert failure["requestContext"]["approximateInvokeCount"] == 2
    assert failure["responseContext"]["functionError"] == "Unhandled"
    assert failure["version"] == "1.0"
    info = failure["KinesisBatchInfo"]
    assert info["batchSize"] == 1 and info["streamArn"] == arn
    assert info["shardId"] == "shardId-000000000000"
    assert info["startSequenceNumber"] == info["endSequenceNumber"]
    # Every good record got through; the shard moved on past the poisoned one.
    delivered = set()
    deadline = time.time() + 20
    while not {"ok0", "ok1", "ok3"} <= delivered and time.time() < deadline:
        delivered |= {kinesis_data(x) for x in records_of(events(endpoint, queue, 1))}
    assert {"ok0", "ok1", "ok3"} <= delivered
    kinesis.put_record(StreamName="poison", Data=b"after", PartitionKey="k")
    seen = set()
    while "after" not in seen:
        seen |= {kinesis_data(x) for x in records_of(events(endpoint, queue, 1))}


@pytest.mark.tidepool(args=FAST)
def test_kinesis_batch_item_failures_retry_from_the_failed_record(endpoint, kinesis):
    lam = make_client(endpoint, "lambda")
    arn = make_stream(kinesis, "partial")
    _, queue = create_recorder(endpoint, "rec-partial", fail_mark="bad", partial=True)
    kinesis.put_records(StreamName="partial", Records=[
        {"Data": d, "PartitionKey": "k"} for d in (b"a", b"b", b"bad", b"c")])
    lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName="rec-partial", StartingPosition="TRIM_HORIZON",
        BatchSize=10, MaximumRetryAttempts=1, FunctionResponseTypes=["ReportBatchItemFailures"])
    first, second = events(endpoint, queue, 2)
    assert [kinesis_data(r) for r in first["Records"]] == ["a", "b", "bad", "c"]
    # Retried from the failed record; with no retries left the shard moves on.
    assert [kinesis_data(r) for r in second["Records"]] == ["bad", "c"]
    no_more_events(endpoint, queue)
    kinesis.put_record(StreamName="partial", Data=b"next", PartitionKey="k")
    assert [kinesis_data(r) for r in records_of(events(endpoint, queue, 1))] == ["next"]


def test_sqs_mapping_delivers_and_deletes(endpoint):
    lam = make_client(endpoint, "lambda")
    sqs = make_client(endpoint, "sqs")
    src = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    _, queue = create_recorder(endpoint, "rec-sqs")
    m = lam.create_event_source_mapping(EventSourceArn=queue_arn(sqs, src), FunctionName="rec-sqs",
                                        BatchSize=5)
    assert m["BatchSize"] == 5 and "StartingPosition" not in m
    assert "MaximumRetryAttempts" not in m and m["FunctionResponseTypes"] == []
    sqs.send_message(QueueUrl=src, MessageBody='{"job": 1}',
                     MessageAttributes={"kind": {"DataType": "String", "StringValue": "k"}})
    r = records_of(events(endpoint, queue, 1))[0]
    assert r["body"] == '{"job": 1}' and r["eventSource"] == "aws:sqs"
    assert r["eventSourceARN"] == queue_arn(sqs, src) and r["awsRegion"] == REGION
    assert r["attributes"]["ApproximateReceiveCount"] == "1"
    assert {"SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} <= set(r["attributes"])
    assert r["messageAttributes"]["kind"] == {"stringValue": "k", "stringListValues": [],
                                              "binaryListValues": [], "dataType": "String"}
    assert r["md5OfBody"] and r["receiptHandle"] and r["messageId"]
    deadline = time.time() + 10
    while time.time() < deadline:
        attrs = sqs.get_queue_attributes(QueueUrl=src, AttributeNames=["All"])["Attributes"]
        if attrs["ApproximateNumberOfMessages"] == "0" and \
                attrs["ApproximateNumberOfMessagesNotVisible"] == "0":
            break
        time.sleep(0.1)
    assert attrs["ApproximateNumberOfMessagesNotVisible"] == "0", attrs


@pytest.mark.tidepool(args=FAST)
def test_sqs_failures_go_to_the_queues_dead_letter_queue(endpoint):
    lam = make_client(endpoint, "lambda")
    sqs = make_client(endpoint, "sqs")
    dlq = sqs.create_queue(QueueName="jobs-dlq")["QueueUrl"]
    src = sqs.create_queue(QueueName="jobs2", Attributes={
        # 5 s with --time-scale 0.01: longer than an invocation (a cold start included) takes on
        # a loaded machine, so a message is received again only after the function failed it
        # (with 2 s, "fine" was sometimes received twice under load).
        "VisibilityTimeout": "500",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": queue_arn(sqs, dlq),
                                     "maxReceiveCount": "2"})})["QueueUrl"]
    _, queue = create_recorder(endpoint, "rec-sqs-fail", fail_mark="poison")
    lam.create_event_source_mapping(EventSourceArn=queue_arn(sqs, src), FunctionName="rec-sqs-fail",
                                    BatchSize=1)
    sqs.send_message(QueueUrl=src, MessageBody="poison")
    sqs.send_message(QueueUrl=src, MessageBody="fine")
    # Two failed receives, each followed by a visibility timeout, then the redrive.
    deadline = time.time() + 60
    r = {}
    while not r.get("Messages") and time.time() < deadline:
        r = sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=5, AttributeNames=["All"])
    assert r["Messages"][0]["Body"] == "poison"
    bodies = [rec["body"] for rec in records_of(events(endpoint, queue, 3))]
    assert bodies.count("poison") == 2 and "fine" in bodies


def test_sqs_batch_item_failures_keep_only_the_failed_messages(endpoint):
    lam = make_client(endpoint, "lambda")
    sqs = make_client(endpoint, "sqs")
    # 4 s: longer than the first invocation (a cold start) takes on a loaded machine, so that
    # only the failed message comes back (with 1 s, "good" became visible again mid-invoke).
    src = sqs.create_queue(QueueName="partial-q", Attributes={"VisibilityTimeout": "4"})["QueueUrl"]
    _, queue = create_recorder(endpoint, "rec-sqs-partial", fail_mark="bad", partial=True)
    sqs.send_message_batch(QueueUrl=src, Entries=[
        {"Id": str(i), "MessageBody": b} for i, b in enumerate(["good", "bad"])])
    m = lam.create_event_source_mapping(EventSourceArn=queue_arn(sqs, src),
                                        FunctionName="rec-sqs-partial", BatchSize=10,
                                        FunctionResponseTypes=["ReportBatchItemFailures"])
    first = records_of(events(endpoint, queue, 1))
    assert sorted(r["body"] for r in first) == ["bad", "good"]
    again = records_of(events(endpoint, queue, 1))
    assert [r["body"] for r in again] == ["bad"]
    assert again[0]["attributes"]["ApproximateReceiveCount"] == "2"
    lam.delete_event_source_mapping(UUID=m["UUID"])


def test_dynamodb_stream_mapping(endpoint):
    lam = make_client(endpoint, "lambda")
    ddb = make_client(endpoint, "dynamodb")
    t = ddb.create_table(TableName="items", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                         StreamSpecification={"StreamEnabled": True,
                                              "StreamViewType": "NEW_AND_OLD_IMAGES"})
    arn = t["TableDescription"]["LatestStreamArn"]
    _, queue = create_recorder(endpoint, "rec-ddb")
    lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName="rec-ddb", StartingPosition="LATEST",
        FilterCriteria={"Filters": [{"Pattern": json.dumps({"eventName": ["INSERT", "MODIFY"]})}]})
    ddb.put_item(TableName="items", Item={"id": {"S": "a"}, "v": {"N": "1"}})
    ddb.update_item(TableName="items", Key={"id": {"S": "a"}}, UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": {"N": "2"}})
    ddb.delete_item(TableName="items", Key={"id": {"S": "a"}})
    got = []
    while len(got) < 2:
        got += records_of(events(endpoint, queue, 1))
    assert [r["eventName"] for r in got] == ["INSERT", "MODIFY"]
    assert got[0]["eventSource"] == "aws:dynamodb" and got[0]["eventSourceARN"] == arn
    assert got[1]["dynamodb"]["OldImage"] == {"id": {"S": "a"}, "v": {"N": "1"}}
    assert got[1]["dynamodb"]["NewImage"]["v"] == {"N": "2"}
    no_more_events(endpoint, queue)


def test_mapping_api_and_errors(endpoint, kinesis):
    lam = make_client(endpoint, "lambda")
    sqs = make_client(endpoint, "sqs")
    arn = make_stream(kinesis, "api")
    create_recorder(endpoint, "rec-api")
    m = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="rec-api",
                                        StartingPosition="TRIM_HORIZON")
    uuid = m["UUID"]

    def error(fn, **kw):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            fn(**kw)
        return e.value.response["Error"]["Code"], e.value.response["ResponseMetadata"][
            "HTTPStatusCode"]

    assert error(lam.create_event_source_mapping, EventSourceArn=arn, FunctionName="rec-api",
                 StartingPosition="LATEST") == ("ResourceConflictException", 409)
    assert error(lam.create_event_source_mapping, EventSourceArn=arn, FunctionName="nope",
                 StartingPosition="LATEST") == ("ResourceNotFoundException", 404)
    assert error(lam.create_event_source_mapping, EventSourceArn=stream_arn("missing"),
                 FunctionName="rec-api", StartingPosition="LATEST")[0] == \
        "InvalidParameterValueException"
    assert error(lam.create_event_source_mapping, EventSourceArn=arn, FunctionName="rec-api")[0] \
        == "InvalidParameterValueException"
    # Settings tidepool does not run are refused, never ignored.
    q = sqs.create_queue(QueueName="api-q")["QueueUrl"]
    assert error(lam.create_event_source_mapping, EventSourceArn=queue_arn(sqs, q),
                 FunctionName="rec-api", MaximumRetryAttempts=1)[0] == \
        "InvalidParameterValueException"
    assert error(lam.create_event_source_mapping, EventSourceArn=queue_arn(sqs, q),
                 FunctionName="rec-api", BatchSize=50)[0] == "InvalidParameterValueException"
    assert error(lam.create_event_source_mapping, EventSourceArn=queue_arn(sqs, q),
                 FunctionName="rec-api",
                 FilterCriteria={"Filters": [{"Pattern": "{not json"}]})[0] == \
        "InvalidParameterValueException"
    assert error(lam.update_event_source_mapping, UUID=uuid, TumblingWindowInSeconds=901)[0] == \
        "ValidationException"
    assert error(lam.get_event_source_mapping, UUID="0" * 36) == ("ResourceNotFoundException", 404)

    wait_mapping_state(lam, uuid, "Enabled")
    u = lam.update_event_source_mapping(UUID=uuid, BatchSize=7, MaximumRetryAttempts=3)
    assert u["State"] == "Updating" and u["BatchSize"] == 7 and u["MaximumRetryAttempts"] == 3
    wait_mapping_state(lam, uuid, "Enabled")
    d = lam.update_event_source_mapping(UUID=uuid, Enabled=False)
    assert d["State"] == "Disabling"
    wait_mapping_state(lam, uuid, "Disabled")
    listed = lam.list_event_source_mappings(FunctionName="rec-api")["EventSourceMappings"]
    assert [x["UUID"] for x in listed] == [uuid]
    assert lam.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"][0][
        "BatchSize"] == 7
    gone = lam.delete_event_source_mapping(UUID=uuid)
    assert gone["State"] == "Deleting"
    deadline = time.time() + 10
    while time.time() < deadline and lam.list_event_source_mappings()["EventSourceMappings"]:
        time.sleep(0.05)
    assert lam.list_event_source_mappings()["EventSourceMappings"] == []


def test_kinesis_mapping_resumes_after_kill_9(tidepool_factory):
    server = tidepool_factory(durability="sync")
    kinesis = make_client(server.endpoint, "kinesis")
    lam = make_client(server.endpoint, "lambda")
    arn = make_stream(kinesis, "durable")
    _, queue = create_recorder(server.endpoint, "rec-durable")
    m = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="rec-durable",
                                        StartingPosition="LATEST", BatchSize=10)
    for i in range(20):
        kinesis.put_record(StreamName="durable", Data=b"a%d" % i, PartitionKey="k")
    seen = []
    while len(seen) < 20:
        seen += [kinesis_data(r) for r in records_of(events(server.endpoint, queue, 1))]
    time.sleep(0.3)  # the last position is stored
    server.kill()
    server = tidepool_factory(durability="sync", data_dir=server.data_dir)
    kinesis = make_client(server.endpoint, "kinesis")
    lam = make_client(server.endpoint, "lambda")
    assert lam.get_event_source_mapping(UUID=m["UUID"])["State"] == "Enabled"
    for i in range(20, 25):
        kinesis.put_record(StreamName="durable", Data=b"a%d" % i, PartitionKey="k")
    after = []
    while "a24" not in after:
        after += [kinesis_data(r) for r in records_of(events(server.endpoint, queue, 1))]
    # Resumed where it was: nothing before the restart is delivered again, nothing is skipped.
    assert after == ["a%d" % i for i in range(20, 25)]


NODE_RECORDER = """
const fs = require("fs");
exports.handler = async (event) => {
  const lines = event.Records.map((r) => r.body).join("\\n") + "\\n";
  fs.appendFileSync(process.env.OUT, lines);
  const bad = event.Records.filter((r) => r.body.includes("bad"));
  return { batchItemFailures: bad.map((r) => ({ itemIdentifier: r.messageId })) };
};
"""


def test_node_function_behind_an_sqs_mapping(endpoint, tmp_path):
    lam = make_client(endpoint, "lambda", read_timeout=60)
    sqs = make_client(endpoint, "sqs")
    out = tmp_path / "node-out"
    src = sqs.create_queue(QueueName="node-q", Attributes={"VisibilityTimeout": "1"})["QueueUrl"]
    lam.create_function(FunctionName="node-rec", Runtime="nodejs20.x", Role=ROLE,
                        Handler="index.handler", Environment={"Variables": {"OUT": str(out)}},
                        Code={"ZipFile": zip_one("index.js", NODE_RECORDER)})
    lam.get_waiter("function_active_v2").wait(FunctionName="node-rec",
                                              WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})
    lam.create_event_source_mapping(EventSourceArn=queue_arn(sqs, src), FunctionName="node-rec",
                                    FunctionResponseTypes=["ReportBatchItemFailures"])
    sqs.send_message(QueueUrl=src, MessageBody="good-1")
    sqs.send_message(QueueUrl=src, MessageBody="bad-1")
    deadline = time.time() + 20
    lines = []
    while time.time() < deadline and lines.count("bad-1") < 2:
        lines = out.read_text().split() if out.exists() else []
        time.sleep(0.1)
    # The failed message came back (after its visibility timeout); the good one did not.
    assert lines.count("good-1") == 1 and lines.count("bad-1") >= 2, lines


def test_cpp_function_behind_a_kinesis_mapping(endpoint, kinesis):
    binary = os.path.join(os.path.dirname(os.environ.get("TIDEPOOL_BIN", "build/check/tidepool")),
                          "lambda_echo_function")
    if not os.path.exists(binary):
        pytest.skip("lambda_echo_function not built")
    lam = make_client(endpoint, "lambda", read_timeout=60)
    arn = make_stream(kinesis, "cpp-stream")
    with open(binary, "rb") as f:
        package = zip_one("bootstrap", f.read(), mode=0o755)
    lam.create_function(FunctionName="cpp-echo", Runtime="provided.al2023", Role=ROLE,
                        Handler="bootstrap", Code={"ZipFile": package})
    lam.get_waiter("function_active_v2").wait(FunctionName="cpp-echo",
                                              WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="cpp-echo",
                                    StartingPosition="TRIM_HORIZON", BatchSize=100)
    kinesis.put_records(StreamName="cpp-stream",
                        Records=[{"Data": b"%d" % i, "PartitionKey": "k"} for i in range(250)])
    want = 'tidepool_mapping_records_total{source="kinesis",outcome="delivered"} 250'
    deadline = time.time() + 20
    metrics = ""
    while time.time() < deadline and want not in metrics:
        metrics = urllib.request.urlopen(endpoint + "/_tidepool/metrics").read().decode()
        time.sleep(0.1)
    assert want in metrics


@pytest.mark.tidepool(args=FAST)
def test_reconcile_accounts_for_every_record(endpoint, kinesis, tmp_path):
    lam = make_client(endpoint, "lambda")
    sqs = make_client(endpoint, "sqs")
    arn = make_stream(kinesis, "ledger", shards=2)
    dlq = sqs.create_queue(QueueName="ledger-failures")["QueueUrl"]
    _, queue = create_recorder(endpoint, "rec-ledger", fail_mark="poison")
    m = lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName="rec-ledger", StartingPosition="TRIM_HORIZON",
        Enabled=False, MaximumRetryAttempts=0, BatchSize=1,
        DestinationConfig={"OnFailure": {"Destination": queue_arn(sqs, dlq)}},
        FilterCriteria={"Filters": [{"Pattern": json.dumps({"data": {"keep": [True]}})}]})
    sent = {}
    for i in range(12):
        data = {"keep": i % 3 != 0, "n": i}
        if i == 4:
            data["poison"] = "poison"
        r = kinesis.put_record(StreamName="ledger", Data=json.dumps(data).encode(),
                               PartitionKey="pk-%d" % i)
        sent[r["SequenceNumber"]] = i

    def reconcile(*extra):
        p = subprocess.run([str(tidepool_binary()), "reconcile", "--endpoint", endpoint,
                            "--stream", "ledger", *extra], capture_output=True, text=True,
                           timeout=30)
        return p.returncode, p.stdout

    # Disabled: nothing has reached an outcome; every record is named.
    code, out = reconcile("--json")
    report = json.loads(out)
    assert code == 1 and report["complete"] is False and report["records"] == 12
    pending = [s for shard in report["mappings"][0]["shards"] for s in shard["pending"]]
    assert sorted(pending) == sorted(sent)
    code, text = reconcile()
    assert code == 1 and "not yet: " in text

    lam.update_event_source_mapping(UUID=m["UUID"], Enabled=True)
    sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=10)  # the poisoned record gave up
    deadline = time.time() + 20
    while time.time() < deadline:
        code, out = reconcile("--json")
        if code == 0:
            break
        time.sleep(0.2)
    assert code == 0, out
    totals = {}
    for shard in json.loads(out)["mappings"][0]["shards"]:
        for k in ("delivered", "filtered", "on_failure", "expired", "dropped"):
            totals[k] = totals.get(k, 0) + shard[k]
    assert totals == {"delivered": 7, "filtered": 4, "on_failure": 1, "expired": 0, "dropped": 0}
    code, text = reconcile()
    assert code == 0 and "every record is accounted for" in text


def test_reconcile_a_queue_and_a_function(endpoint, kinesis):
    """`tidepool reconcile --queue` and `--function`: a queue keeps no ledger, SQS itself holds
    what has not reached an outcome (processed messages are deleted, failing ones move to the
    dead-letter queue), so a queue is accounted for when nothing is left in it."""
    lam = make_client(endpoint, "lambda")
    sqs = make_client(endpoint, "sqs")
    dlq = sqs.create_queue(QueueName="rq-dlq")["QueueUrl"]
    # The poisoned message comes back after the visibility timeout and then goes to the DLQ;
    # the timeout leaves the (warmed) Python function time enough for the good one even on a
    # loaded machine.
    source = sqs.create_queue(QueueName="rq", Attributes={
        "VisibilityTimeout": "8",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": queue_arn(sqs, dlq),
                                     "maxReceiveCount": "1"})})["QueueUrl"]
    _, events_queue = create_recorder(endpoint, "rec-rq", fail_mark="poison")
    lam.invoke(FunctionName="rec-rq", Payload=json.dumps({"Records": []}))  # warm
    m = lam.create_event_source_mapping(EventSourceArn=queue_arn(sqs, source),
                                        FunctionName="rec-rq", BatchSize=1, Enabled=False)
    sqs.send_message(QueueUrl=source, MessageBody="fine")
    sqs.send_message(QueueUrl=source, MessageBody="poison")

    def reconcile(*args):
        p = subprocess.run([str(tidepool_binary()), "reconcile", "--endpoint", endpoint, *args],
                           capture_output=True, text=True, timeout=30)
        return p.returncode, p.stdout

    code, out = reconcile("--queue", source, "--json")
    report = json.loads(out)
    assert code == 1 and report["visible"] == 2 and report["complete"] is False
    assert [x["uuid"] for x in report["mappings"]] == [m["UUID"]]
    assert report["dead_letter_queue"] == {"queue": queue_arn(sqs, dlq), "messages": 0}
    code, text = reconcile("--queue", source)
    assert code == 1 and "2 visible" in text, text

    lam.update_event_source_mapping(UUID=m["UUID"], Enabled=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        code, out = reconcile("--queue", queue_arn(sqs, source), "--json")
        if code == 0:
            break
        time.sleep(0.2)
    assert code == 0, out
    assert json.loads(out)["dead_letter_queue"]["messages"] == 1  # the poisoned message
    # The queue depths are gauges in /_tidepool/metrics as well.
    metrics = urllib.request.urlopen(endpoint + "/_tidepool/metrics").read().decode()
    assert 'tidepool_sqs_queue_messages{queue="%s",state="visible"} 1' % queue_arn(sqs, dlq) \
        in metrics, metrics
    depths = json.loads(urllib.request.urlopen(endpoint + "/_tidepool/metrics?format=json")
                        .read())["sqs_queue_messages"]
    assert depths[queue_arn(sqs, source)] == {"visible": 0, "in_flight": 0, "delayed": 0}
    code, out = reconcile("--function", "rec-rq", "--json")
    report = json.loads(out)
    assert code == 0 and [x["queue"] for x in report["sources"]] == [queue_arn(sqs, source)]
    # A function whose stream mapping has records left is not accounted for.
    arn = make_stream(kinesis, "rq-stream")
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="rec-rq",
                                    StartingPosition="TRIM_HORIZON", Enabled=False)
    kinesis.put_record(StreamName="rq-stream", Data=b"x", PartitionKey="k")
    code, text = reconcile("--function", "rec-rq")
    assert code == 1 and "stream " in text and "queue " in text, text
    code, text = reconcile("--function", "nobody")
    assert code == 0 and "no event source mapping invokes this function" in text


def test_resharding_drains_parents_before_children(endpoint, kinesis):
    lam = make_client(endpoint, "lambda")
    arn = make_stream(kinesis, "reshard")
    _, queue = create_recorder(endpoint, "rec-reshard")
    for i in range(30):
        kinesis.put_record(StreamName="reshard", Data=b"old-%d" % i, PartitionKey="k%d" % i)
    kinesis.update_shard_count(StreamName="reshard", TargetShardCount=2,
                               ScalingType="UNIFORM_SCALING")
    wait_active(kinesis, "reshard")
    for i in range(30):
        kinesis.put_record(StreamName="reshard", Data=b"new-%d" % i, PartitionKey="k%d" % i)
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="rec-reshard",
                                    StartingPosition="TRIM_HORIZON", BatchSize=7)
    order = []
    deadline = time.time() + 30
    while len(order) < 60 and time.time() < deadline:
        order += [kinesis_data(r) for r in records_of(events(endpoint, queue, 1))]
    assert sorted(order) == sorted(["old-%d" % i for i in range(30)] +
                                   ["new-%d" % i for i in range(30)])
    # The closed parent shard is read to its end before its children start.
    last_old = max(i for i, d in enumerate(order) if d.startswith("old-"))
    first_new = min(i for i, d in enumerate(order) if d.startswith("new-"))
    assert last_old < first_new
    assert [d for d in order if d.startswith("old-")] == ["old-%d" % i for i in range(30)]


def test_kill_9_in_the_middle_of_a_run_loses_no_record(tidepool_factory, tmp_path):
    server = tidepool_factory(durability="sync")
    kinesis = make_client(server.endpoint, "kinesis")
    lam = make_client(server.endpoint, "lambda", read_timeout=60)
    arn = make_stream(kinesis, "run", shards=2)
    out = tmp_path / "seen"
    lam.create_function(FunctionName="counter", Runtime="nodejs20.x", Role=ROLE,
                        Handler="index.handler", Environment={"Variables": {"OUT": str(out)}},
                        Code={"ZipFile": zip_one("index.js", """
const fs = require("fs");
exports.handler = async (event) => {
  fs.appendFileSync(process.env.OUT,
      event.Records.map((r) => Buffer.from(r.kinesis.data, "base64").toString()).join("\\n") + "\\n");
};
""")})
    lam.get_waiter("function_active_v2").wait(FunctionName="counter",
                                              WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="counter",
                                    StartingPosition="TRIM_HORIZON", BatchSize=500)
    total = 100000
    sent = 0
    while sent < total // 2:
        kinesis.put_records(StreamName="run", Records=[
            {"Data": b"%d" % (sent + j), "PartitionKey": str(j)} for j in range(500)])
        sent += 500
    server.kill()  # in the middle of the run: the mapping is behind the producer
    server = tidepool_factory(durability="sync", data_dir=server.data_dir)
    kinesis = make_client(server.endpoint, "kinesis")
    while sent < total:
        kinesis.put_records(StreamName="run", Records=[
            {"Data": b"%d" % (sent + j), "PartitionKey": str(j)} for j in range(500)])
        sent += 500
    deadline = time.time() + 120
    code, report = 1, ""
    while time.time() < deadline:
        p = subprocess.run([str(tidepool_binary()), "reconcile", "--endpoint", server.endpoint,
                            "--stream", "run", "--json"], capture_output=True, text=True)
        code, report = p.returncode, p.stdout
        if code == 0:
            break
        time.sleep(0.5)
    assert code == 0, report[:2000]
    seen = set(out.read_text().split())
    assert seen == {str(i) for i in range(total)}


@pytest.mark.tidepool(args=FAST)
def test_the_ledger_is_trimmed_with_its_stream(endpoint, kinesis):
    """The ledger stays as bounded as the stream: once the records of a run left the stream
    (here: the stream is deleted), the sweep (60 s of AWS time) deletes the run."""
    from harness import store_census
    lam = make_client(endpoint, "lambda")
    arn = make_stream(kinesis, "trimmed")
    _, queue = create_recorder(endpoint, "rec-trim")
    lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName="rec-trim", StartingPosition="TRIM_HORIZON",
        FilterCriteria={"Filters": [{"Pattern": json.dumps({"data": {"keep": [True]}})}]})
    kinesis.put_records(StreamName="trimmed", Records=[
        {"Data": json.dumps({"keep": i == 3}).encode(), "PartitionKey": "k"} for i in range(4)])
    records_of(events(endpoint, queue, 1))

    def ledger_runs():
        kinds = store_census(endpoint)["kinds"]
        return [k["records"] for k in kinds if k["kind"] == "mapping-ledger"][0]

    deadline = time.time() + 10
    while ledger_runs() == 0 and time.time() < deadline:
        time.sleep(0.1)
    assert ledger_runs() >= 1  # the filtered records' run
    time.sleep(1.5)  # sweeps while the records are readable keep the run
    assert ledger_runs() >= 1
    kinesis.delete_stream(StreamName="trimmed")
    deadline = time.time() + 10
    while ledger_runs() > 0 and time.time() < deadline:
        time.sleep(0.1)
    assert ledger_runs() == 0


@pytest.mark.tidepool(args=FAST)
def test_on_failure_records_go_to_an_s3_bucket_with_the_batch(endpoint, kinesis):
    """AWS writes an S3 destination's record under aws/lambda/<mapping>/<shard>/YYYY/MM/DD/...
    with the batch's invocation event as `payload`."""
    lam = make_client(endpoint, "lambda")
    s3 = make_client(endpoint, "s3")
    arn = make_stream(kinesis, "to-bucket")
    s3.create_bucket(Bucket="mapping-failures")
    create_recorder(endpoint, "rec-bucket", fail_mark="poison")
    kinesis.put_record(StreamName="to-bucket", Data=b"poison", PartitionKey="k")
    m = lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName="rec-bucket", StartingPosition="TRIM_HORIZON",
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": "arn:aws:s3:::mapping-failures"}})
    assert m["DestinationConfig"]["OnFailure"]["Destination"] == "arn:aws:s3:::mapping-failures"
    deadline = time.time() + 30
    listed = []
    while not listed and time.time() < deadline:
        listed = s3.list_objects_v2(Bucket="mapping-failures").get("Contents", [])
        time.sleep(0.1)
    assert len(listed) == 1, listed
    key = listed[0]["Key"]
    parts = key.split("/")
    assert parts[:4] == ["aws", "lambda", m["UUID"], "shardId-000000000000"], key
    assert parts[7].startswith("%s-%s-%sT" % (parts[4], parts[5], parts[6])), key
    record = json.loads(s3.get_object(Bucket="mapping-failures", Key=key)["Body"].read())
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["KinesisBatchInfo"]["batchSize"] == 1
    payload = json.loads(record["payload"])
    assert kinesis_data(payload["Records"][0]) == "poison"
    assert payload["Records"][0]["eventSourceARN"] == arn
    # Destinations other than queues, topics and buckets are refused.
    with pytest.raises(botocore.exceptions.ClientError):
        lam.create_event_source_mapping(
            EventSourceArn=arn, FunctionName="rec-bucket", StartingPosition="LATEST",
            DestinationConfig={"OnFailure": {"Destination": "arn:aws:lambda:us-east-1:"
                                                            "000000000000:function:x"}})
