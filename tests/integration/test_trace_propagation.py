"""One X-Ray trace id follows an event across hops (issue 15, tracing): a traced PutRecord
(X-Amzn-Trace-Id) -> a Kinesis mapping -> function Relay (its boto3 sends the trace it got as
_X_AMZN_TRACE_ID) -> SNS -> function Sink (an SNS lambda subscription: Lambda's async queue
keeps the trace) -> SQS, where the message's AWSTraceHeader carries the same Root. The hops are
stamped, and `tidepool trace ID` prints them in order."""

import json
import re
import subprocess
import textwrap
import time

from harness import make_client, tidepool_binary
from kinesis_helpers import wait_active
from lambda_helpers import zip_one
from mapping_helpers import ROLE, map_stream, subscribe_function

RELAY = textwrap.dedent("""
    import base64, os
    import boto3
    sns = boto3.client("sns", region_name=os.environ["AWS_REGION"])
    def handler(event, context):
        for r in event["Records"]:
            sns.publish(TopicArn=os.environ["TOPIC"],
                        Message=base64.b64decode(r["kinesis"]["data"]).decode())
""")

SINK = textwrap.dedent("""
    import os
    import boto3
    sqs = boto3.client("sqs", region_name=os.environ["AWS_REGION"])
    def handler(event, context):
        for r in event["Records"]:
            sqs.send_message(QueueUrl=os.environ["QUEUE"],
                             MessageBody=r["Sns"]["Message"] + "|" + os.environ["_X_AMZN_TRACE_ID"])
""")

ROOT = "1-67891233-abcdef012345678912345678"
HEADER = "Root=%s;Parent=53995c3f42cd8ad8;Sampled=1" % ROOT


def traced(client, operation):
    """Sends X-Amzn-Trace-Id on `operation`, as an instrumented producer (X-Ray SDK) does."""
    def add(request, **_):
        request.headers["X-Amzn-Trace-Id"] = HEADER
    client.meta.events.register("before-sign.%s.%s" % (client.meta.service_model.service_name,
                                                       operation), add)
    return client


def deploy(lam, name, source, env):
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE,
                        Handler="app.handler", Timeout=30, Environment={"Variables": env},
                        Code={"ZipFile": zip_one("app.py", source)})
    lam.get_waiter("function_active_v2").wait(FunctionName=name,
                                              WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})


def test_one_trace_follows_kinesis_lambda_sns_lambda_sqs(endpoint):
    lam, sns, sqs = (make_client(endpoint, s, read_timeout=60) for s in ("lambda", "sns", "sqs"))
    topic = sns.create_topic(Name="traced-topic")["TopicArn"]
    queue = sqs.create_queue(QueueName="traced-out")["QueueUrl"]
    kinesis = traced(make_client(endpoint, "kinesis"), "PutRecord")
    kinesis.create_stream(StreamName="traced", ShardCount=1)
    wait_active(kinesis, "traced")
    deploy(lam, "Relay", RELAY, {"TOPIC": topic})
    deploy(lam, "Sink", SINK, {"QUEUE": queue})
    subscribe_function(sns, topic, "Sink")
    map_stream(lam, "traced", "Relay", StartingPosition="TRIM_HORIZON", BatchSize=1)

    kinesis.put_record(StreamName="traced", PartitionKey="k", Data=b"hello")
    deadline = time.time() + 60
    msgs = []
    while not msgs and time.time() < deadline:
        msgs = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1,
                                   MessageSystemAttributeNames=["AWSTraceHeader"]).get(
                                       "Messages", [])
    assert msgs, "the event did not reach the queue"
    body, function_trace = msgs[0]["Body"].split("|", 1)
    assert body == "hello"
    assert "Root=%s" % ROOT in function_trace  # Sink's _X_AMZN_TRACE_ID
    assert "Root=%s" % ROOT in msgs[0]["Attributes"]["AWSTraceHeader"]

    # Every hop stamped its time under the one id, in order.
    p = subprocess.run([str(tidepool_binary()), "trace", "--endpoint", endpoint, "--json", ROOT],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    trace = json.loads(p.stdout)
    assert trace["traceId"] == ROOT
    hops = [(h["hop"], h["detail"]) for h in trace["hops"]]
    expected = [("kinesis.put", "traced"), ("lambda.start", "Relay"), ("sns.publish", "traced-topic"),
                ("lambda.start", "Sink"), ("sqs.send", "traced-out")]
    positions = [hops.index(e) for e in expected]
    assert positions == sorted(positions), hops
    times = [h["micros"] for h in trace["hops"]]
    assert times == sorted(times)
    p = subprocess.run([str(tidepool_binary()), "trace", "--endpoint", endpoint, HEADER],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0 and "sqs.send" in p.stdout and "Relay" in p.stdout, p.stdout

    # The SNS hop (Publish -> Lambda's queue took the event) is timed in /_tidepool/metrics.
    import urllib.request
    metrics = json.loads(urllib.request.urlopen(endpoint + "/_tidepool/metrics?format=json")
                         .read())["sns_publish_to_delivery"]
    assert metrics["lambda"]["count"] == 1 and metrics["lambda"]["p50_us"] > 0, metrics
    assert metrics["sqs"]["count"] == 0 and metrics["http"]["count"] == 0
    text = urllib.request.urlopen(endpoint + "/_tidepool/metrics").read().decode()
    assert 'tidepool_sns_publish_to_delivery_seconds_count{protocol="lambda"} 1' in text, text
    p = subprocess.run([str(tidepool_binary()), "trace", "--endpoint", endpoint, "--seconds", "0",
                        "--json"],
                       capture_output=True, text=True, timeout=30)
    assert json.loads(p.stdout)[
        "source='sns',hop='publish_to_delivery',protocol='lambda'"]["count"] == 1, p.stdout

    # An unknown trace: exit code 1 and a clear line.
    p = subprocess.run([str(tidepool_binary()), "trace", "--endpoint", endpoint, "1-0-0"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 1 and "no hop" in p.stdout


def test_invoke_and_send_message_honour_the_trace_header(endpoint):
    lam = traced(make_client(endpoint, "lambda", read_timeout=60), "Invoke")
    sqs = traced(make_client(endpoint, "sqs"), "SendMessage")
    deploy(lam, "Echo", "import os\ndef handler(e, c):\n    return os.environ['_X_AMZN_TRACE_ID']\n",
           {})
    r = lam.invoke(FunctionName="Echo", Payload=b"{}")
    # The function sees the caller's header continued with the Lineage field that counts the
    # chain's invocations of each function (recursive loop detection), as on AWS.
    seen = json.loads(r["Payload"].read())
    assert re.fullmatch(re.escape(HEADER) + r";Lineage=[0-9a-f]{8}:1", seen), seen
    url = sqs.create_queue(QueueName="traced-direct")["QueueUrl"]
    sent = sqs.send_message(QueueUrl=url, MessageBody="x")
    # The header is not an attribute the client sent: no MD5 of system attributes comes back.
    assert "MD5OfMessageSystemAttributes" not in sent
    got = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["All"])["Messages"][0]
    assert got["Attributes"]["AWSTraceHeader"] == HEADER
    # Without the header, no AWSTraceHeader appears, as on AWS.
    plain = make_client(endpoint, "sqs")
    plain.send_message(QueueUrl=url, MessageBody="y")
    sqs.delete_message(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"])
    got = plain.receive_message(QueueUrl=url, MessageSystemAttributeNames=["All"],
                                WaitTimeSeconds=1)["Messages"][0]
    assert got["Body"] == "y" and "AWSTraceHeader" not in got["Attributes"]
