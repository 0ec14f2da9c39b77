"""Seed 001 (streamwreck) as the event flow issue states it: stream WreakStream-Dev with two
shards -> StreamProcessor (mapping: batch 50, LATEST) skips every record whose sequence number
is divisible by 5 and publishes each other record's id to topic WreakStreamTopic-Dev ->
Notified (an SNS subscription) writes what it got to an SQS queue. Exactly the records that
were not skipped arrive, each once per publish."""

import json
import textwrap
import time

from harness import make_client
from kinesis_helpers import wait_active
from lambda_helpers import zip_one
from mapping_helpers import ROLE
from streamwreck_helpers import wire_streamwreck

PROCESSOR = textwrap.dedent("""
    import base64, json, os
    import boto3
    sns = boto3.client("sns", region_name=os.environ["AWS_REGION"])
    def handler(event, context):
        for r in event["Records"]:
            seq = int(r["kinesis"]["sequenceNumber"])
            if seq % 5 == 0:
                continue  # the seed's simulated failure: this record is never processed
            body = json.loads(base64.b64decode(r["kinesis"]["data"]))
            sns.publish(TopicArn=os.environ["TOPIC"], Message=json.dumps(
                {"id": body["id"], "shard": r["eventID"].split(":")[0],
                 "seq": r["kinesis"]["sequenceNumber"]}))
""")

NOTIFIED = textwrap.dedent("""
    import os
    import boto3
    sqs = boto3.client("sqs", region_name=os.environ["AWS_REGION"])
    def handler(event, context):
        for r in event["Records"]:
            sqs.send_message(QueueUrl=os.environ["QUEUE"], MessageBody=r["Sns"]["Message"])
""")


def test_streamwreck_flow(endpoint):
    kinesis = make_client(endpoint, "kinesis")
    lam = make_client(endpoint, "lambda", read_timeout=60)
    sns = make_client(endpoint, "sns")
    sqs = make_client(endpoint, "sqs")
    kinesis.create_stream(StreamName="WreakStream-Dev", ShardCount=2)
    wait_active(kinesis, "WreakStream-Dev")
    topic = sns.create_topic(Name="WreakStreamTopic-Dev")["TopicArn"]
    queue = sqs.create_queue(QueueName="notified")["QueueUrl"]
    for name, source, env in (("StreamProcessor", PROCESSOR, {"TOPIC": topic}),
                              ("Notified", NOTIFIED, {"QUEUE": queue})):
        lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE,
                            Handler="app.handler", Timeout=30,
                            Environment={"Variables": env},
                            Code={"ZipFile": zip_one("app.py", source)})
        lam.get_waiter("function_active_v2").wait(FunctionName=name,
                                                  WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})
    wire_streamwreck(lam, sns, topic)

    put = {}
    for i in range(120):
        r = kinesis.put_record(StreamName="WreakStream-Dev", PartitionKey="pk-%d" % i,
                               Data=json.dumps({"id": "rec-%d" % i}).encode())
        put["rec-%d" % i] = (r["ShardId"], r["SequenceNumber"])
    expected = {k for k, (_, seq) in put.items() if int(seq) % 5 != 0}
    assert 0 < len(expected) < len(put)

    got = {}
    deadline = time.time() + 60
    while len(got) < len(expected) and time.time() < deadline:
        for msg in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10,
                                       WaitTimeSeconds=1).get("Messages", []):
            body = json.loads(msg["Body"])
            got[body["id"]] = (body["shard"], body["seq"])
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=msg["ReceiptHandle"])
    assert set(got) == expected
    assert all(got[k] == put[k] for k in got)
    # Nothing else arrives: the skipped records stay unprocessed.
    assert not sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages")
