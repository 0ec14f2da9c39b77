"""The stream handler: per INSERT record, the lag = (when the handler got the batch) - createdAt (the original's figure, which
it logged), logged and appended to the item's `arrivals` in the handled table together with the
record's stream sequence number and both trace ids (the writer's, from the item, and this
invocation's), so a driver can read each hop from tidepool's trace timelines.

Records of one item arrive in stream order (one shard, in order); the appends keep that order.
"""

import json
import os
import time
from decimal import Decimal

import boto3

from tracing import trace_root

HANDLED = boto3.resource("dynamodb").Table(os.environ["HANDLED_TABLE"])


def handler(event, context):
    handled = time.time() * 1000  # when the handler got the batch, ms to the microsecond
    mine = trace_root()
    for record in event["Records"]:
        if record["eventName"] != "INSERT":
            continue
        image = record["dynamodb"]["NewImage"]
        item_id = image["id"]["S"]
        created = int(image["createdAt"]["N"])
        arrival = {"createdAt": created, "handledAt": Decimal("%.3f" % handled),
                   "seq": record["dynamodb"]["SequenceNumber"],
                   "writerTrace": image.get("writerTrace", {}).get("S", ""),
                   "handlerTrace": mine}
        if "bid" in image:
            arrival["bid"] = int(image["bid"]["N"])
        print(json.dumps({"id": item_id, "lagMs": round(handled - created, 3), **arrival},
                         default=float))
        HANDLED.update_item(
            Key={"id": item_id},
            UpdateExpression="SET arrivals = list_append(if_not_exists(arrivals, :none), :one)",
            ExpressionAttributeValues={":none": [], ":one": [arrival]})
