"""examples/pipeline-spike deployed with `aws cloudformation package` + `deploy` (the C++
CheckCountry's built bootstrap copied into its CodeUri folder first) to a fresh tidepool, then
driven by putting orders on the stream; the outcomes of PIPELINES.md section 1: GB in the
valid bucket, FR in the error bucket with attempt 0 after CheckCountry ran 3 times (Retry before
Catch), PANIC after executions with attempts 0, 1 and 2 in the orphan bucket with attempt 3, a
record that is not an order in the orphan bucket, every order in exactly one bucket, and
`tidepool reconcile` accounting for every record. The definition keeps AWS's Retry delays; the
server runs them at --time-scale 0.01."""

import json
import subprocess
import time

import pytest

from example_helpers import deploy_example
from harness import make_client, tidepool_binary


def objects(s3, bucket):
    """{key: body} of every object in `bucket`."""
    listed = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listed}


def executions_of(sfn, machine, order_id):
    """[(attempt, execution)] of the executions whose input is order `order_id`."""
    found = []
    for e in sfn.list_executions(stateMachineArn=machine)["executions"]:
        order = json.loads(sfn.describe_execution(executionArn=e["executionArn"])["input"])
        if order["id"] == order_id:
            found.append((order["attempt"], e))
    return sorted(found, key=lambda x: x[0])


@pytest.mark.tidepool(args=["--time-scale", "0.01"])
def test_pipeline_spike_example(endpoint, tmp_path):
    out = deploy_example(endpoint, tmp_path, "pipeline-spike", "pipeline-spike",
                         bootstraps=[("example_pipeline_spike_check_country", "check_country")])
    assert out["StreamName"] == "pipeline_spike_stream"
    assert out["StateMachineArn"].endswith(":stateMachine:pipeline_spike_step_fn")
    s3 = make_client(endpoint, "s3")
    sfn = make_client(endpoint, "stepfunctions")
    kinesis = make_client(endpoint, "kinesis")
    buckets = {k: out[k + "OrdersBucket"] for k in ("Valid", "Error", "Orphan")}

    for data in (b'{"id":"12345","country_code":"GB","attempt":0}',
                 b'{"id":"23456","country_code":"FR","attempt":0}',
                 b'{"id":"34567","country_code":"PANIC","attempt":0}',
                 b"not an order"):
        kinesis.put_record(StreamName="pipeline_spike_stream", PartitionKey="orders", Data=data)

    deadline = time.time() + 120
    while True:
        got = {k: objects(s3, b) for k, b in buckets.items()}
        if (got["Valid"] and got["Error"] and len(got["Orphan"]) >= 2) or time.time() > deadline:
            break
        time.sleep(0.5)
    assert got["Valid"] == {"12345": b'{"id":"12345","country_code":"GB","attempt":0}'}
    assert got["Error"] == {"23456": b'{"id":"23456","country_code":"FR","attempt":0}'}
    orphans = sorted(got["Orphan"].values())
    assert orphans == sorted([b'{"id":"34567","country_code":"PANIC","attempt":3}', b"not an order"])
    assert all(key.startswith("INVOKER_shardId-") for key in got["Orphan"])

    # Retry comes before Catch: CheckCountry ran 3 times for FR, in one execution.
    [(attempt, fr)] = executions_of(sfn, out["StateMachineArn"], "23456")
    assert attempt == 0 and fr["status"] == "SUCCEEDED"
    history = sfn.get_execution_history(executionArn=fr["executionArn"],
                                        maxResults=1000)["events"]
    failed = [e["lambdaFunctionFailedEventDetails"] for e in history
              if e["type"] == "LambdaFunctionFailed"]
    assert [f["error"] for f in failed] == ["ErrInvalidCountryCode"] * 3
    assert json.loads(failed[0]["cause"])["errorMessage"] == "Invalid country code: FR"
    # PANIC: executions with attempts 0, 1 and 2, each ending in the Catcher.
    panics = executions_of(sfn, out["StateMachineArn"], "34567")
    assert [attempt for attempt, _ in panics] == [0, 1, 2]
    assert all(e["status"] == "SUCCEEDED" for _, e in panics)

    # Every record is accounted for by the engine's own ledger.
    deadline = time.time() + 30
    while True:
        p = subprocess.run([str(tidepool_binary()), "reconcile", "--endpoint", endpoint,
                            "--stream", "pipeline_spike_stream"],
                           capture_output=True, text=True, timeout=30)
        if p.returncode == 0 or time.time() > deadline:
            break
        time.sleep(0.5)
    assert p.returncode == 0, p.stdout + p.stderr
