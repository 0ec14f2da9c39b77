"""Notified: subscribed to the processed-records topic. Records each processed record in the
ledger table, keyed by shard id + sequence number, with `expiresAt` (epoch seconds, the table's
TTL attribute) 36 hours ahead, as the original's memcached entries expired."""

import json
import os
import time

import boto3

ledger = boto3.resource("dynamodb").Table(os.environ["LEDGER_TABLE"])
TTL_SECONDS = 36 * 3600


def handler(event, context):
    for record in event["Records"]:
        processed = json.loads(record["Sns"]["Message"])
        ledger.put_item(Item={"shardId": processed["shardId"],
                              "sequenceNumber": processed["sequenceNumber"],
                              "expiresAt": int(time.time()) + TTL_SECONDS})
