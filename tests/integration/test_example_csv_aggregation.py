"""examples/csv-aggregation deployed with `aws cloudformation package` + `deploy` to a fresh
tidepool, then fed the seed's three CSV files; the outcomes of PIPELINES.md section 3: uploads
in any order give the same three customer messages once all three files of a date are in,
uploading a file again changes nothing, and bad rows and unexpected files are reported on the
error queue, never silently dropped."""

import json
import time

import pytest

from example_helpers import EXAMPLES, deploy_example
from harness import make_client

DATA = EXAMPLES / "csv-aggregation" / "data"
EXPECTED = [
    '{"id":"1","name":"John Doe","total_amount_spent":400,"orders":['
    '{"id":"1001","amount":250,"item_ids":["501","502"]},'
    '{"id":"1002","amount":150,"item_ids":["503"]}]}',
    '{"id":"2","name":"Jane Smith","total_amount_spent":300,"orders":['
    '{"id":"1003","amount":300,"item_ids":["504"]}]}',
    '{"id":"3","name":"Alice Johnson","total_amount_spent":200,"orders":['
    '{"id":"1004","amount":120,"item_ids":["505"]},{"id":"1005","amount":80,"item_ids":["506"]}]}',
]


def drain(sqs, url, want, timeout=60):
    """Bodies received from `url` (deleted as read) until `want` are in, then one more second
    to see that nothing else arrives."""
    got = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        msgs = r.get("Messages", [])
        for m in msgs:
            got.append(m["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        if not msgs and len(got) >= want:
            break
    return got


@pytest.mark.tidepool(args=["--time-scale", "0.01"])
def test_csv_aggregation_example(endpoint, tmp_path):
    out = deploy_example(endpoint, tmp_path, "csv-aggregation", "csv-aggregation")
    s3 = make_client(endpoint, "s3")
    sqs = make_client(endpoint, "sqs")
    sfn = make_client(endpoint, "stepfunctions")
    bucket = out["UploadBucket"]

    def upload(name, body=None, key=None):
        s3.put_object(Bucket=bucket, Key=key or name,
                      Body=body if body is not None else (DATA / name).read_bytes())

    # Out of order, and one file twice before the batch is complete: no message yet.
    upload("items_20230828.csv")
    upload("customers_20230828.csv")
    upload("items_20230828.csv")
    time.sleep(2)
    assert "Messages" not in sqs.receive_message(QueueUrl=out["CustomerQueueUrl"],
                                                 WaitTimeSeconds=1)
    upload("orders_20230828.csv")
    assert sorted(drain(sqs, out["CustomerQueueUrl"], 3)) == EXPECTED

    # Uploading a file of a reconciled batch again changes nothing.
    upload("orders_20230828.csv")
    time.sleep(2)
    assert drain(sqs, out["CustomerQueueUrl"], 0, timeout=3) == []
    executions = sfn.list_executions(stateMachineArn=out["StateMachineArn"])["executions"]
    assert [(e["name"], e["status"]) for e in executions] == [("batch-20230828", "SUCCEEDED")]

    # The same files under another date, in yet another order, give the same messages.
    for name in ("orders", "customers", "items"):
        upload(None, (DATA / ("%s_20230828.csv" % name)).read_bytes(),
               key="partner/%s_20230829.csv" % name)
    assert sorted(drain(sqs, out["CustomerQueueUrl"], 3)) == EXPECTED

    # Bad rows, references to nothing and unexpected files are reported, not dropped.
    upload(None, b"customer_id,customer_name\n7,Bad Row,extra\n8,\n9,Nina\n",
           key="customers_20230901.csv")
    upload(None, b"order_id,customer_id,amount\n2001,9,12.50\n2002,9,lots\n2003,42,1\n",
           key="orders_20230901.csv")
    upload(None, b"item_id,order_id\n701,2001\n702,9999\n", key="items_20230901.csv")
    upload(None, b"whatever", key="prices_20230901.csv")
    upload(None, b"a,b\n", key="notes/readme.csv")
    customers = drain(sqs, out["CustomerQueueUrl"], 1)
    assert customers == ['{"id":"9","name":"Nina","total_amount_spent":12.5,"orders":['
                         '{"id":"2001","amount":12.5,"item_ids":["701"]}]}']
    errors = [json.loads(b) for b in drain(sqs, out["ErrorQueueUrl"], 7)]
    by_file = {}
    for e in errors:
        by_file.setdefault(e["file"], []).append(e)
    assert sorted((e["line"], e["error"]) for e in by_file["customers_20230901.csv"]) == [
        (2, "more columns than the header"), (3, "empty customer_name")]
    assert sorted((e.get("line", 0), e.get("order", ""), e["error"])
                  for e in by_file["orders_20230901.csv"]) == [
        (0, "2003", "unknown customer 42"), (3, "", "amount 'lots' is not a number")]
    assert [(e["item"], e["error"]) for e in by_file["items_20230901.csv"]] == [
        ("702", "unknown order 9999")]
    assert by_file["prices_20230901.csv"][0]["error"].startswith("unexpected file")
    assert by_file["notes/readme.csv"][0]["error"].startswith("unexpected file")
    assert len(errors) == 7
