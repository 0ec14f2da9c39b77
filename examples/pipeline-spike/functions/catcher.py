"""Catcher: an order that could not be put anywhere goes back on the stream with attempt + 1
(the invoker sends it to the orphan bucket once attempt reaches MAX_ATTEMPTS). Its input is
the order with the caught error under "error"; the error is not sent on. Returns the order."""

import json
import os

import boto3

kinesis = boto3.client("kinesis")


def handler(order, context):
    again = {"id": order["id"], "country_code": order["country_code"],
             "attempt": order.get("attempt", 0) + 1}
    kinesis.put_record(StreamName=os.environ["STREAM_NAME"], PartitionKey=again["id"],
                       Data=json.dumps(again, separators=(",", ":")).encode())
    return again
