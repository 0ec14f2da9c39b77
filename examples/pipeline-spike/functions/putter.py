"""ValidOrderPutter and ErrorOrderPutter: write the order (id, country_code and attempt only,
in that order, compact JSON) to BUCKET under key = the order's id. Returns what it wrote."""

import json
import os

import boto3

s3 = boto3.client("s3")


def handler(order, context):
    body = {"id": order["id"], "country_code": order["country_code"],
            "attempt": order.get("attempt", 0)}
    s3.put_object(Bucket=os.environ["BUCKET"], Key=order["id"],
                  Body=json.dumps(body, separators=(",", ":")).encode(),
                  ContentType="application/json")
    return body
