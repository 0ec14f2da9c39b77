"""examples/dynamodb-streams-latency (PIPELINES.md section 4) deployed with the aws CLI and
driven by its own drive.py: every bid written through POST /event-source-items reaches the
stream handler, and the bids on one item reach it in the order they were written. Timings are
printed by the driver, never asserted."""

import json
import subprocess
import sys
import time
import urllib.request

from example_helpers import EXAMPLES, deploy_example, wait_mapping_enabled
from harness import make_client

NAME = "dynamodb-streams-latency"


def test_every_bid_reaches_the_handler_in_order(endpoint, tmp_path):
    out = deploy_example(endpoint, tmp_path, NAME, NAME)
    lam = make_client(endpoint, "lambda")
    ddb = make_client(endpoint, "dynamodb")
    table = ddb.describe_table(TableName="EventSourceTable")["Table"]
    assert table["StreamSpecification"] == {"StreamEnabled": True,
                                            "StreamViewType": "NEW_AND_OLD_IMAGES"}
    [mapping] = wait_mapping_enabled(lam, "event-source-stream-handler")
    assert mapping["EventSourceArn"] == table["LatestStreamArn"]

    # The original's request: no body, a new uuid item, 201 with the item.
    url = "%s/restapis/%s/Prod/_user_request_/event-source-items" % (endpoint, out["ApiId"])
    with urllib.request.urlopen(urllib.request.Request(url, data=b"", method="POST")) as resp:
        assert resp.status == 201
        first = json.loads(resp.read())
    assert len(first["id"]) == 36 and isinstance(first["createdAt"], int)

    # The driver: 4 items, bids on each sent one after another; it checks delivery and order
    # itself (exit 1 otherwise) and the test checks them again from the tables.
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / NAME / "drive.py"), "--endpoint", endpoint, "--rate",
         "40", "--seconds", "3", "--items", "4", "--timeout", "90", "--json"],
        capture_output=True, text=True, timeout=300)
    print("\n".join(l for l in proc.stdout.splitlines() if not l.startswith("{")))  # pytest -s
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "every bid reached the handler, each item's bids in order" in proc.stdout
    raw = json.loads(next(line for line in proc.stdout.splitlines() if line.startswith("{")))
    for figure in ("client -> writer start", "write -> handler start", "client -> handler"):
        assert ("  " + figure) in proc.stdout and "p99" in proc.stdout

    written = raw["written"]
    assert len(written) == 4 and all(len(bids) == 30 for bids in written.values())
    for item, bids in written.items():
        assert [b["bid"] for b in bids] == list(range(30))
        stored = ddb.query(TableName="EventSourceTable", KeyConditionExpression="id = :i",
                           ExpressionAttributeValues={":i": {"S": item}})["Items"]
        assert [int(i["createdAt"]["N"]) for i in stored] == [b["createdAt"] for b in bids]
        handled = ddb.get_item(TableName="EventSourceHandled", Key={"id": {"S": item}},
                               ConsistentRead=True)["Item"]["arrivals"]["L"]
        # Exactly once each, in the order written.
        assert [int(a["M"]["bid"]["N"]) for a in handled] == list(range(30))
        assert [int(a["M"]["createdAt"]["N"]) for a in handled] == [b["createdAt"] for b in bids]
        seqs = [int(a["M"]["seq"]["S"]) for a in handled]
        assert seqs == sorted(seqs)
    # The uuid item written before the driver reached the handler too, once.
    deadline = time.time() + 30
    while True:
        got = ddb.get_item(TableName="EventSourceHandled", Key={"id": {"S": first["id"]}},
                           ConsistentRead=True).get("Item")
        if got or time.time() > deadline:
            break
        time.sleep(0.2)
    assert [int(a["M"]["createdAt"]["N"]) for a in got["arrivals"]["L"]] == [first["createdAt"]]
