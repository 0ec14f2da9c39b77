"""StreamProcessor: the Kinesis mapping's function (batch size 50, LATEST).

Simulates a processing failure by skipping every record whose sequence number is divisible by
5; for each other record it publishes {"shardId", "sequenceNumber"} to the topic (the record's
id: sequence numbers are unique only within a shard). A skipped record does not stop the rest
of the batch (the original stopped at the first one).
"""

import json
import os

import boto3

sns = boto3.client("sns")


def handler(event, context):
    published = 0
    for record in event["Records"]:
        seq = record["kinesis"]["sequenceNumber"]
        if int(seq) % 5 == 0:
            continue  # the simulated failure: this record is never processed
        shard = record["eventID"].split(":", 1)[0]
        sns.publish(TopicArn=os.environ["TOPIC_ARN"],
                    Message=json.dumps({"shardId": shard, "sequenceNumber": seq}))
        published += 1
    return {"published": published, "skipped": len(event["Records"]) - published}
