"""Enhanced fan-out (SubscribeToShard) with real clients: the AWS SDK for JS v3 over HTTP/2 and
HTTP/1.1 (tests/js/kinesis_fanout.mjs) and boto3 over HTTP/1.1.

The server runs with --time-scale 0.01, so a subscription lasts 3 s instead of AWS's 5 minutes.
"""

import json
import os
import pathlib
import shutil
import subprocess
import threading
import time

import pytest

from harness import ACCOUNT, make_client
from kinesis_helpers import create_stream, expect_error, stream_arn, wait_for
from sfn_helpers import wait_done

JS_DIR = pathlib.Path(__file__).resolve().parents[1] / "js"
FAST = pytest.mark.tidepool(args=["--time-scale", "0.01"])


def register_consumer(kinesis, stream):
    consumer = kinesis.register_stream_consumer(StreamARN=stream_arn(stream),
                                                ConsumerName="fan")["Consumer"]
    wait_for(lambda: kinesis.describe_stream_consumer(ConsumerARN=consumer["ConsumerARN"])[
        "ConsumerDescription"]["ConsumerStatus"] == "ACTIVE", what="consumer ACTIVE")
    return consumer["ConsumerARN"]


@FAST
def test_js_sdk_subscribe_to_shard(endpoint):
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed; the JS SDK tests need Node.js 20+")
    if not (JS_DIR / "node_modules" / "@aws-sdk" / "client-kinesis").is_dir():
        pytest.fail("tests/js/node_modules lacks @aws-sdk/client-kinesis (run npm ci there)")
    env = dict(os.environ, TIDEPOOL_ENDPOINT=endpoint)
    proc = subprocess.run([node, "--test", "kinesis_fanout.mjs"], cwd=JS_DIR, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, "node --test failed:\n%s\n%s" % (proc.stdout, proc.stderr)


@FAST
def test_boto3_subscribe_to_shard_over_http1(kinesis):
    create_stream(kinesis, "fan-py")
    consumer = register_consumer(kinesis, "fan-py")
    put = kinesis.put_record(StreamName="fan-py", Data=b"first", PartitionKey="k")
    started = time.monotonic()
    response = kinesis.subscribe_to_shard(ConsumerARN=consumer, ShardId=put["ShardId"],
                                          StartingPosition={"Type": "TRIM_HORIZON"})
    assert response["ResponseMetadata"]["HTTPHeaders"]["content-type"] == \
        "application/vnd.amazon.eventstream"
    records = []
    for event in response["EventStream"]:
        records += [r["Data"] for r in event["SubscribeToShardEvent"]["Records"]]
    assert records == [b"first"]
    assert 2.5 <= time.monotonic() - started < 10


@FAST
def test_subscribe_to_shard_errors(kinesis):
    create_stream(kinesis, "fan-err")
    consumer = register_consumer(kinesis, "fan-err")
    missing = consumer.replace("/consumer/fan:", "/consumer/nobody:")
    expect_error(lambda: kinesis.subscribe_to_shard(ConsumerARN=missing,
                                                    ShardId="shardId-000000000000",
                                                    StartingPosition={"Type": "LATEST"}),
                 "ResourceNotFoundException",
                 message="Consumer nobody under stream fan-err under account %s not found."
                 % ACCOUNT)
    expect_error(lambda: kinesis.subscribe_to_shard(ConsumerARN=consumer,
                                                    ShardId="shardId-000000000007",
                                                    StartingPosition={"Type": "LATEST"}),
                 "ResourceNotFoundException", contains="shardId-000000000007")
    # ResourceInUseException for a second subscription: tests/js/kinesis_fanout.mjs (boto3
    # reads an HTTP/1.1 event stream to its end before returning).


def test_shutdown_ends_live_subscriptions(tidepool_factory):
    """A subscription lasts 5 minutes; SIGTERM must not wait it out."""
    server = tidepool_factory()
    kinesis = make_client(server.endpoint)
    create_stream(kinesis, "fan-stop")
    consumer = register_consumer(kinesis, "fan-stop")
    kinesis.put_record(StreamName="fan-stop", Data=b"r", PartitionKey="k")
    events = []
    failures = []

    def read():
        try:
            response = kinesis.subscribe_to_shard(ConsumerARN=consumer,
                                                  ShardId="shardId-000000000000",
                                                  StartingPosition={"Type": "TRIM_HORIZON"})
            events.extend(response["EventStream"])
        except Exception as e:  # noqa: BLE001 - reported below
            failures.append(e)

    reader = threading.Thread(target=read)
    reader.start()
    time.sleep(0.5)
    started = time.monotonic()
    assert server.stop() == 0
    assert time.monotonic() - started < 5
    reader.join(10)
    assert not failures, failures
    records = [r["Data"] for e in events for r in e["SubscribeToShardEvent"]["Records"]]
    assert records == [b"r"]


def test_state_machine_task_cannot_subscribe(endpoint, kinesis):
    """aws-sdk:kinesis:subscribeToShard in a state machine fails its task; the server lives on."""
    create_stream(kinesis, "fan-sfn")
    consumer = register_consumer(kinesis, "fan-sfn")
    sfn = make_client(endpoint, "stepfunctions")
    definition = {"StartAt": "Sub", "States": {"Sub": {
        "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:kinesis:subscribeToShard",
        "Parameters": {"ConsumerARN": consumer, "ShardId": "shardId-000000000000",
                       "StartingPosition": {"Type": "LATEST"}},
        "End": True}}}
    machine = sfn.create_state_machine(
        name="sub", definition=json.dumps(definition),
        roleArn="arn:aws:iam::%s:role/sfn" % ACCOUNT)["stateMachineArn"]
    run = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    assert wait_done(sfn, run)["status"] == "FAILED"
    assert kinesis.list_streams()["StreamNames"] == ["fan-sfn"]
