"""Ingest: invoked by the upload bucket's notification (ObjectCreated, suffix .csv).

For each uploaded file: a key that is not `customers|orders|items_<date>.csv` is reported to
the error queue; otherwise the file's valid rows replace the batch item "<date>#<kind>" in the
table (so uploading a file again changes nothing) and each bad row is reported to the error
queue with its line number. When all three files of the date are in, it starts the
reconciliation state machine with execution name "batch-<date>": Step Functions starts that
name once, so the batch's messages are sent once whatever the upload order or repetition.
A failure (S3, DynamoDB) raises: Lambda retries the event twice, then its on-failure destination
(the error queue) gets it.
"""

import csv
import io
import json
import os
import urllib.parse

import boto3

from batch import HEADERS, KINDS, batch_of, check_row, item_id

s3 = boto3.client("s3")
sqs = boto3.client("sqs")
sfn = boto3.client("stepfunctions")
table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def report(problem):
    sqs.send_message(QueueUrl=os.environ["ERROR_QUEUE_URL"],
                     MessageBody=json.dumps(problem, separators=(",", ":")))


def parse(kind, key, text):
    """The valid rows of file `key` (a list of dicts); reports the others."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != HEADERS[kind]:
        report({"file": key, "error": "header is %s, expected %s" % (
            ",".join(reader.fieldnames or []), ",".join(HEADERS[kind]))})
        return []
    rows, seen = [], set()
    for row in reader:
        line = reader.line_num
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue  # a blank line
        if None in row:
            reason = "more columns than the header"
        else:
            reason = check_row(kind, row)
        first = HEADERS[kind][0]
        if reason is None and row[first].strip() in seen:
            reason = "duplicate %s %s" % (first, row[first].strip())
        if reason is not None:
            report({"file": key, "line": line, "error": reason})
            continue
        clean = {c: row[c].strip() for c in HEADERS[kind]}
        seen.add(clean[first])
        rows.append(clean)
    return rows


def handler(event, context):
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        found = batch_of(key)
        if found is None:
            report({"file": key, "error": "unexpected file: expected customers_<date>.csv, "
                                          "orders_<date>.csv or items_<date>.csv"})
            continue
        kind, date = found
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError:
            report({"file": key, "error": "not UTF-8 text"})
            continue
        table.put_item(Item={"ID": item_id(date, kind), "rows": parse(kind, key, text),
                             "source": key})
        present = [table.get_item(Key={"ID": item_id(date, k)}, ConsistentRead=True).get("Item")
                   for k in KINDS]
        if all(present):
            try:
                sfn.start_execution(stateMachineArn=os.environ["STATE_MACHINE_ARN"],
                                    name="batch-" + date, input=json.dumps({"date": date}))
            except sfn.exceptions.ExecutionAlreadyExists:
                print("batch %s was already reconciled; %s changes nothing" % (date, key))
