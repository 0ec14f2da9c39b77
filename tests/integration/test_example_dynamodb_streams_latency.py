"""examples/dynamodb-streams-latency deployed with `aws cloudformation package` + `deploy` to a
fresh tidepool; the outcomes of PIPELINES.md section 4: POST /event-source-items answers 201
with the item it wrote ({id: <uuid>, createdAt: <now ms>}), and the example's driver
(driver/drive_bids.py, run as the README says) writes at a chosen rate, finds every write in the
stream handler's log lines with its lag, sees the bids on one item arrive in order, and prints
the lag distribution and tidepool's per-hop figures. Timings are printed, never asserted."""

import re
import subprocess
import sys
import time
import uuid

from apigateway_helpers import body_json, invoke_path, request
from cli_helpers import cli_env
from example_helpers import EXAMPLES, deploy_example
from harness import make_client
from mapping_helpers import wait_mapping_state


def test_dynamodb_streams_latency_example(endpoint, tmp_path):
    out = deploy_example(endpoint, tmp_path, "dynamodb-streams-latency", "bids")
    lam = make_client(endpoint, "lambda")
    [mapping] = lam.list_event_source_mappings()["EventSourceMappings"]
    assert mapping["StartingPosition"] == "LATEST"
    wait_mapping_state(lam, mapping["UUID"], "Enabled")

    path = invoke_path(out["ApiId"], "prod", "/event-source-items")
    before = int(time.time() * 1000)
    status, _, data = request(endpoint, "POST", path, body=b"")
    item = body_json(data)
    assert status == 201, item
    assert set(item) == {"id", "createdAt"} and str(uuid.UUID(item["id"])) == item["id"]
    assert before <= item["createdAt"] <= int(time.time() * 1000)
    ddb = make_client(endpoint, "dynamodb")
    stored = ddb.get_item(TableName="EventSourceTable", Key={
        "id": {"S": item["id"]}, "createdAt": {"N": str(item["createdAt"])}})["Item"]
    assert stored == {"id": {"S": item["id"]}, "createdAt": {"N": str(item["createdAt"])}}
    assert request(endpoint, "POST", path, body=b"[1]")[0] == 400

    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / "dynamodb-streams-latency/driver/drive_bids.py"),
         "--api-url", endpoint + invoke_path(out["ApiId"], "prod", ""),
         "--log-group", out["HandlerLogGroup"], "--rate", "20", "--seconds", "2",
         "--endpoint-url", endpoint, "--tidepool", endpoint],
        capture_output=True, text=True, env=cli_env(tmp_path), timeout=300)
    sys.stdout.write(proc.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "writes 40, handled 40"
    assert re.fullmatch(r"bids on auction-[0-9a-f]{8}: 20 in order", lines[3]), lines[3]
    hops = {line.split()[0]: int(line.split()[2]) for line in lines[5:]}
    assert set(hops) == {"write_to_wake", "wake_to_invoke", "invoke_to_start", "function",
                         "write_to_start"}
    assert hops["write_to_wake"] >= 40  # every write (and the first item) was measured
