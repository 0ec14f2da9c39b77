"""POST /event-source-items: writes one bid {id, createdAt: <now ms>} and answers 201 with it.

The body may name the item ({"id": "lot-7"}) and carry a bid number ({"bid": 3}); without an id
the item gets a new uuid, as in the original. createdAt is unique per item: two bids on one item
in the same millisecond get consecutive values (the key is id + createdAt, so the second would
otherwise overwrite the first). The item also records this invocation's X-Ray trace id
(`writerTrace`), so the stream handler can join the write's trace to its own: DynamoDB streams
do not carry a trace from the write to the function.
"""

import json
import os
import time
import uuid

import boto3

from tracing import trace_root

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def reply(status, body):
    return {"statusCode": status, "headers": {"Content-Type": "application/json"},
            "body": json.dumps(body)}


def handler(event, context):
    try:
        body = json.loads(event.get("body") or "{}")
    except ValueError:
        return reply(400, {"message": "body is not JSON"})
    if not isinstance(body, dict):
        return reply(400, {"message": "body is not a JSON object"})
    item_id = body.get("id") or str(uuid.uuid4())
    if not isinstance(item_id, str):
        return reply(400, {"message": "id must be a string"})
    bid = body.get("bid")
    if bid is not None and (not isinstance(bid, int) or isinstance(bid, bool)):
        return reply(400, {"message": "bid must be an integer"})
    created = int(time.time() * 1000)
    while True:
        item = {"id": item_id, "createdAt": created, "writerTrace": trace_root()}
        if bid is not None:
            item["bid"] = bid
        try:
            TABLE.put_item(Item=item, ConditionExpression="attribute_not_exists(id)")
            break
        except TABLE.meta.client.exceptions.ConditionalCheckFailedException:
            created += 1
    return reply(201, {k: (int(v) if k in ("createdAt", "bid") else v) for k, v in item.items()})
