"""examples/streamwreck deployed with `aws cloudformation package` + `deploy` to a fresh
tidepool; the outcomes of PIPELINES.md section 2: records put on the two-shard stream are
processed except those whose sequence number is divisible by 5, the ledger holds the others
with a 36 h TTL, the example's stream checker (checker/stream_checker.py, run as the README
says) reads every shard to its tip and reports exactly the skipped records, POST /reconcile
answers in input order and refuses a body that is not an array of strings with a plain-text
400, and `tidepool reconcile --stream WreakStream-Dev` finds every record delivered."""

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request

from apigateway_helpers import invoke_path
from cli_helpers import cli_env
from example_helpers import EXAMPLES, deploy_example
from harness import make_client, tidepool_binary
from mapping_helpers import wait_mapping_state

STREAM = "WreakStream-Dev"


def post(url, body):
    req = urllib.request.Request(url, data=body.encode(), method="POST")
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.headers.get("Content-Type"), resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read().decode()


def test_streamwreck_example(endpoint, tmp_path):
    out = deploy_example(endpoint, tmp_path, "streamwreck", "streamwreck")
    lam = make_client(endpoint, "lambda")
    kinesis = make_client(endpoint, "kinesis")
    ddb = make_client(endpoint, "dynamodb")
    [mapping] = lam.list_event_source_mappings()["EventSourceMappings"]
    assert mapping["BatchSize"] == 50 and mapping["StartingPosition"] == "LATEST"
    wait_mapping_state(lam, mapping["UUID"], "Enabled")

    put = {}
    for i in range(120):
        r = kinesis.put_record(StreamName=STREAM, PartitionKey="pk-%d" % i,
                               Data=("Data%dFoobar" % i).encode())
        put[r["SequenceNumber"]] = r["ShardId"]
    skipped = {seq for seq in put if int(seq) % 5 == 0}
    assert 0 < len(skipped) < len(put) and len(set(put.values())) == 2

    deadline = time.time() + 120
    while True:
        count = sum(p["Count"] for p in ddb.get_paginator("scan").paginate(
            TableName=out["LedgerTable"], Select="COUNT"))
        if count >= len(put) - len(skipped) or time.time() > deadline:
            break
        time.sleep(0.5)
    assert count == len(put) - len(skipped)
    processed = next(s for s in put if s not in skipped)
    item = ddb.get_item(TableName=out["LedgerTable"], Key={
        "shardId": {"S": put[processed]}, "sequenceNumber": {"S": processed}})["Item"]
    assert abs(int(item["expiresAt"]["N"]) - (time.time() + 36 * 3600)) < 600
    ttl = ddb.describe_time_to_live(TableName=out["LedgerTable"])["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expiresAt"}

    # The stream checker, as the README runs it.
    url = endpoint + invoke_path(out["ApiId"], "Stage", "/reconcile")
    proc = subprocess.run([sys.executable, str(EXAMPLES / "streamwreck/checker/stream_checker.py"),
                           "--stream", STREAM, "--endpoint", url, "--endpoint-url", endpoint],
                          capture_output=True, text=True, env=cli_env(tmp_path), timeout=300)
    assert proc.returncode == 1, proc.stderr  # some records were not processed
    lines = proc.stdout.splitlines()
    assert lines[-1] == "unprocessed %d of %d records" % (len(skipped), len(put))
    reported = set()
    for line in lines[:-1]:
        shard, count, reply = line.split(" ", 2)
        assert 1 <= int(count) <= 20
        unprocessed = json.loads(reply)["Unprocessed"]
        assert all(put[s] == shard for s in unprocessed)
        reported.update(unprocessed)
    assert reported == skipped

    # POST /reconcile with bare sequence numbers (the original's form), in input order.
    sample = sorted(put)[:6]
    sample = sample + [sample[0], "49591585917767627211020937568791696204996217827017883650"]
    status, ctype, body = post(url, json.dumps(sample))
    assert (status, ctype) == (200, "application/json"), body
    assert json.loads(body) == {"Unprocessed": [s for s in sample
                                                if s in skipped or s not in put]}
    for bad in ("not json", '{"a": 1}', "[1, 2]", '["1", null]'):
        status, ctype, body = post(url, bad)
        assert (status, ctype) == (400, "text/plain"), (bad, status, ctype, body)
        assert body and not body.startswith("{")

    # The engine's own ledger: every record reached the function (skipping is its choice).
    deadline = time.time() + 30
    while True:
        p = subprocess.run([str(tidepool_binary()), "reconcile", "--endpoint", endpoint,
                            "--stream", STREAM], capture_output=True, text=True, timeout=30)
        if p.returncode == 0 or time.time() > deadline:
            break
        time.sleep(0.5)
    assert p.returncode == 0, p.stdout + p.stderr
