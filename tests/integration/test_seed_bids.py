"""Seed 003 (bids) as the DynamoDB issue states it: table EventSourceTable (hash `id` S, range
`createdAt` N) with a NEW_AND_OLD_IMAGES stream and a mapping (LATEST) to a function; a client
writes items at a steady rate and the test reads the lag distribution (item written -> handler
start) from tidepool's own per-hop metrics; the bids on one item reach the handler in order.
The figures are printed, not asserted (tests never assert timings)."""

import json
import time
import urllib.request

from harness import make_client
from mapping_helpers import create_recorder, events, records_of, wait_mapping_state

RATE = 50  # writes per second
SECONDS = 2.0


def metrics(endpoint):
    with urllib.request.urlopen(endpoint + "/_tidepool/metrics?format=json", timeout=10) as r:
        return json.loads(r.read())


def test_bids_reach_the_handler_in_order_and_the_lag_is_reported(endpoint):
    ddb = make_client(endpoint, "dynamodb")
    lam = make_client(endpoint, "lambda")
    table = ddb.create_table(
        TableName="EventSourceTable", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                              {"AttributeName": "createdAt", "AttributeType": "N"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"},
                   {"AttributeName": "createdAt", "KeyType": "RANGE"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    ddb.get_waiter("table_exists").wait(TableName="EventSourceTable",
                                        WaiterConfig={"Delay": 0.1})
    _, queue = create_recorder(endpoint, "bids-handler")
    uuid = lam.create_event_source_mapping(
        EventSourceArn=table["TableDescription"]["LatestStreamArn"], FunctionName="bids-handler",
        StartingPosition="LATEST", BatchSize=100)["UUID"]
    wait_mapping_state(lam, uuid, "Enabled")

    # A steady rate of writes: new items, and bids (updates) on one auction item.
    ddb.put_item(TableName="EventSourceTable",
                 Item={"id": {"S": "auction"}, "createdAt": {"N": "0"}, "bid": {"N": "0"}})
    n = int(RATE * SECONDS)
    start = time.perf_counter()
    for i in range(1, n + 1):
        due = start + i / RATE
        if due > time.perf_counter():
            time.sleep(due - time.perf_counter())
        if i % 2:
            ddb.update_item(TableName="EventSourceTable",
                            Key={"id": {"S": "auction"}, "createdAt": {"N": "0"}},
                            UpdateExpression="SET bid = :b",
                            ExpressionAttributeValues={":b": {"N": str(i)}})
        else:
            ddb.put_item(TableName="EventSourceTable",
                         Item={"id": {"S": "item-%d" % i}, "createdAt": {"N": str(i)}})

    got = []
    deadline = time.time() + 60
    while len(got) < n + 1 and time.time() < deadline:
        got += records_of(events(endpoint, queue, 1))
    assert len(got) == n + 1, "handler got %d records of %d" % (len(got), n + 1)
    bids = [int(r["dynamodb"]["NewImage"]["bid"]["N"]) for r in got
            if r["dynamodb"]["Keys"]["id"]["S"] == "auction"]
    assert bids == sorted(bids) and len(bids) == n // 2 + n % 2 + 1, bids
    modify = [r for r in got if r["eventName"] == "MODIFY"]
    assert all(int(r["dynamodb"]["OldImage"]["bid"]["N"]) < int(r["dynamodb"]["NewImage"]["bid"]["N"])
               for r in modify)

    lag = metrics(endpoint)["dynamodb"]["write_to_start"]
    assert lag["count"] > 0
    print("seed 003: item written -> handler start over %d batches at %d writes/s: p50 %.0f us, "
          "p90 %.0f us, p99 %.0f us, max %.0f us" % (lag["count"], RATE, lag["p50_us"],
                                                   lag["p90_us"], lag["p99_us"], lag["max_us"]))
