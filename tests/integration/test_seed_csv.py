"""Seed 002 (csv-aggregation) end to end: a partner uploads customers_<date>.csv,
orders_<date>.csv and items_<date>.csv to a bucket whose notification (ObjectCreated, suffix
.csv) invokes a Python function; the function keeps each file's rows in DynamoDB (hash key
ID), and once all three files of a date are in, aggregates per customer (also in DynamoDB)
and sends one JSON message per customer to an SQS queue. The outcomes of PIPELINES.md: the
three expected messages whatever the upload order, nothing more when a file is uploaded
again, and unexpected files and bad rows reported to an error queue."""

import json
import pathlib
import textwrap
import time

import pytest

from harness import ACCOUNT, REGION, make_client
from lambda_helpers import zip_one
from sqs_helpers import queue_arn

SAMPLES = pathlib.Path(__file__).resolve().parents[3] / "shared" / "seeds" / "data" / "csv_aggregation"
ROLE = "arn:aws:iam::%s:role/csv" % ACCOUNT

# Order-independent and idempotent, unlike the original: each file's rows are stored under
# "<date>#<kind>" (a second upload overwrites them with the same rows); the invocation that
# finds all three kinds of a date and wins the conditional put of "<date>#sent" aggregates and
# sends, so a date's messages go out once.
PROCESSOR = textwrap.dedent("""
    import csv, io, json, os, urllib.parse
    from decimal import Decimal
    import boto3
    s3 = boto3.client("s3", region_name=os.environ["AWS_REGION"])
    ddb = boto3.client("dynamodb", region_name=os.environ["AWS_REGION"])
    sqs = boto3.client("sqs", region_name=os.environ["AWS_REGION"])
    TABLE = os.environ["TABLE"]
    COLUMNS = {"customers": ["customer_id", "customer_name"],
               "orders": ["order_id", "customer_id", "amount"],
               "items": ["item_id", "order_id"]}

    def report(reason, **details):
        sqs.send_message(QueueUrl=os.environ["ERRORS"],
                         MessageBody=json.dumps(dict(details, reason=reason)))

    def number(d):
        return int(d) if d == d.to_integral_value() else float(d)

    def rows_of(date, kind):
        item = ddb.get_item(TableName=TABLE, Key={"ID": {"S": date + "#" + kind}},
                            ConsistentRead=True).get("Item")
        return json.loads(item["rows"]["S"]) if item else None

    def aggregate(date):
        files = {kind: rows_of(date, kind) for kind in COLUMNS}
        if any(rows is None for rows in files.values()):
            return
        try:
            ddb.put_item(TableName=TABLE, Item={"ID": {"S": date + "#sent"}},
                         ConditionExpression="attribute_not_exists(ID)")
        except ddb.exceptions.ConditionalCheckFailedException:
            return  # another invocation (or an earlier upload) sent this date's messages
        items = {}
        for r in files["items"]:
            items.setdefault(r["order_id"], []).append(r["item_id"])
        orders = {}
        for r in files["orders"]:
            orders.setdefault(r["customer_id"], []).append(
                {"id": r["order_id"], "amount": Decimal(r["amount"]),
                 "item_ids": items.get(r["order_id"], [])})
        for c in files["customers"]:
            mine = orders.get(c["customer_id"], [])
            total = sum((o["amount"] for o in mine), Decimal(0))
            message = {"id": c["customer_id"], "name": c["customer_name"],
                       "total_amount_spent": number(total),
                       "orders": [dict(o, amount=number(o["amount"])) for o in mine]}
            ddb.put_item(TableName=TABLE, Item={
                "ID": {"S": "customer#" + c["customer_id"]},
                "name": {"S": c["customer_name"]},
                "total_amount_spent": {"N": str(total)},
                "orders": {"S": json.dumps(message["orders"])}})
            sqs.send_message(QueueUrl=os.environ["QUEUE"], MessageBody=json.dumps(message))

    def handler(event, context):
        for record in event["Records"]:
            bucket = record["s3"]["bucket"]["name"]
            key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
            name = key.rsplit("/", 1)[-1]
            kind, _, date = name[:-len(".csv")].partition("_")
            if kind not in COLUMNS or not date:
                report("unexpected file", key=key)
                continue
            body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
            rows = []
            for n, row in enumerate(csv.DictReader(io.StringIO(body)), start=2):
                if not any(row.values()):
                    continue
                if any(not row.get(c) for c in COLUMNS[kind]):
                    report("bad row", key=key, line=n)
                    continue
                if kind == "orders":
                    try:
                        Decimal(row["amount"])
                    except Exception:
                        report("bad row", key=key, line=n)
                        continue
                rows.append({c: row[c] for c in COLUMNS[kind]})
            ddb.put_item(TableName=TABLE, Item={"ID": {"S": date + "#" + kind},
                                                "rows": {"S": json.dumps(rows)}})
            aggregate(date)
""")

EXPECTED = [
    {"id": "1", "name": "John Doe", "total_amount_spent": 400,
     "orders": [{"id": "1001", "amount": 250, "item_ids": ["501", "502"]},
                {"id": "1002", "amount": 150, "item_ids": ["503"]}]},
    {"id": "2", "name": "Jane Smith", "total_amount_spent": 300,
     "orders": [{"id": "1003", "amount": 300, "item_ids": ["504"]}]},
    {"id": "3", "name": "Alice Johnson", "total_amount_spent": 200,
     "orders": [{"id": "1004", "amount": 120, "item_ids": ["505"]},
                {"id": "1005", "amount": 80, "item_ids": ["506"]}]},
]


def drain(sqs, url, want, timeout):
    got = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and (want is None or len(got) < want):
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                     WaitTimeSeconds=1).get("Messages", []):
            got.append(m["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return got


@pytest.fixture
def pipeline(endpoint):
    s3 = make_client(endpoint, "s3")
    lam = make_client(endpoint, "lambda", read_timeout=60)
    ddb = make_client(endpoint, "dynamodb")
    sqs = make_client(endpoint, "sqs")
    ddb.create_table(TableName="csv-aggregation", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "ID", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "ID", "KeyType": "HASH"}])
    queue = sqs.create_queue(QueueName="customers")["QueueUrl"]
    errors = sqs.create_queue(QueueName="csv-errors")["QueueUrl"]
    arn = lam.create_function(
        FunctionName="csv-processor", Runtime="python3.12", Role=ROLE, Handler="app.handler",
        Timeout=30, Code={"ZipFile": zip_one("app.py", PROCESSOR)},
        Environment={"Variables": {"TABLE": "csv-aggregation", "QUEUE": queue,
                                   "ERRORS": errors}})["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(FunctionName="csv-processor",
                                              WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})
    s3.create_bucket(Bucket="partner-uploads")
    s3.put_bucket_notification_configuration(
        Bucket="partner-uploads", NotificationConfiguration={"LambdaFunctionConfigurations": [{
            "LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".csv"}]}}}]})
    return s3, sqs, ddb, queue, errors


def upload(s3, name, key=None):
    s3.put_object(Bucket="partner-uploads", Key=key or name,
                  Body=(SAMPLES / name).read_bytes())


@pytest.mark.parametrize("order", [("customers", "orders", "items"),
                                   ("items", "customers", "orders")])
def test_csv_aggregation_flow(pipeline, order):
    s3, sqs, ddb, queue, errors = pipeline
    for kind in order:
        upload(s3, "%s_20230828.csv" % kind)
    messages = [json.loads(b) for b in drain(sqs, queue, 3, 60)]
    assert sorted(messages, key=lambda m: m["id"]) == EXPECTED
    # Numbers in shortest form, as the original sent them.
    # Uploading a file again changes nothing: no new message, the same aggregate.
    upload(s3, "orders_20230828.csv")
    assert drain(sqs, queue, None, 4) == []
    item = ddb.get_item(TableName="csv-aggregation", Key={"ID": {"S": "customer#1"}},
                        ConsistentRead=True)["Item"]
    assert item["total_amount_spent"]["N"] in ("400", "400.00")
    assert drain(sqs, errors, None, 1) == []


def test_unexpected_files_and_bad_rows_are_reported(pipeline):
    s3, sqs, _, queue, errors = pipeline
    s3.put_object(Bucket="partner-uploads", Key="notes.csv", Body=b"a,b\n1,2\n")
    s3.put_object(Bucket="partner-uploads", Key="readme.txt", Body=b"no event: not .csv")
    s3.put_object(Bucket="partner-uploads", Key="orders_20240101.csv",
                  Body=b"order_id,customer_id,amount\n1,1,ten\n2,1,5.5\n")
    reports = sorted((json.loads(b) for b in drain(sqs, errors, 2, 30)),
                     key=lambda r: r["reason"])
    assert reports == [{"reason": "bad row", "key": "orders_20240101.csv", "line": 2},
                       {"reason": "unexpected file", "key": "notes.csv"}]
    assert drain(sqs, queue, None, 1) == []
