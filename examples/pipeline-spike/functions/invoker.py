"""Invoker: the Kinesis event source mapping's function (batch size 1, TRIM_HORIZON).

Each record should hold an order {"id": str, "country_code": str, "attempt": int}. An order
with attempt < MAX_ATTEMPTS (default 3) starts one execution of the state machine with the
order as input; the execution is named after the record's sequence number, so a retried batch
does not start a second one (Step Functions starts a name once). An
order that has used up its attempts, or a record that is not an order at all, is written
byte for byte to the orphan bucket under key INVOKER_<eventID> instead, so no record blocks the
shard and none is lost. Returns once the executions have started.
"""

import base64
import json
import os

import boto3

MAX_ATTEMPTS = int(os.environ.get("MAX_ATTEMPTS", "3"))
sfn = boto3.client("stepfunctions")
s3 = boto3.client("s3")


def parse_order(raw):
    """The order in `raw`, or None when it is not one."""
    try:
        order = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(order, dict):
        return None
    if not isinstance(order.get("id"), str) or not isinstance(order.get("country_code"), str):
        return None
    attempt = order.get("attempt", 0)
    if not isinstance(attempt, int) or isinstance(attempt, bool) or attempt < 0:
        return None
    return {"id": order["id"], "country_code": order["country_code"], "attempt": attempt}


def handler(event, context):
    for record in event["Records"]:
        raw = base64.b64decode(record["kinesis"]["data"])
        order = parse_order(raw)
        if order is None or order["attempt"] >= MAX_ATTEMPTS:
            s3.put_object(Bucket=os.environ["ORPHAN_BUCKET"], Key="INVOKER_" + record["eventID"],
                          Body=raw)
            continue
        name = "order-" + record["kinesis"]["sequenceNumber"]
        try:
            sfn.start_execution(stateMachineArn=os.environ["STATE_MACHINE_ARN"], name=name,
                                input=json.dumps(order, separators=(",", ":")))
        except sfn.exceptions.ExecutionAlreadyExists:
            print("execution %s was started by an earlier try of this batch" % name)
