"""Distributed Map with boto3 (stepfunctions + s3 against tidepool): child executions per item
or batch, visible as a Map Run (ListMapRuns, DescribeMapRun, UpdateMapRun, ListExecutions with
mapRunArn); items from S3 (JSON, JSONL, CSV, a listing); ItemSelector, ItemBatcher, tolerated
failures, ResultWriter; the parent's history (MapRunStarted / MapRunSucceeded / MapRunFailed).

AWS's contract: "Using Map state in Distributed mode" and the ItemReader, ItemBatcher,
ResultWriter and ToleratedFailure pages of the Step Functions developer guide."""

import json

import botocore.exceptions
import pytest

from harness import ACCOUNT, make_client
from sfn_helpers import history, kill_and_restart, wait_done

ROLE = "arn:aws:iam::%s:role/sfn" % ACCOUNT


@pytest.fixture
def sfn(endpoint):
    return make_client(endpoint, "stepfunctions")


@pytest.fixture
def s3(endpoint):
    client = make_client(endpoint, "s3")
    client.create_bucket(Bucket="items")
    return client


def processor(states=None, start="Echo", execution_type="STANDARD"):
    return {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": execution_type},
            "StartAt": start,
            "States": states or {"Echo": {"Type": "Pass", "End": True}}}


def machine(sfn, name, map_state, query_language=None):
    d = {"StartAt": "M", "States": {"M": dict(map_state, End=True)}}
    if query_language:
        d["QueryLanguage"] = query_language
    return sfn.create_state_machine(name=name, roleArn=ROLE,
                                    definition=json.dumps(d))["stateMachineArn"]


def run(sfn, arn, input_doc=None):
    ex = sfn.start_execution(stateMachineArn=arn, input=json.dumps(input_doc or {}))
    return wait_done(sfn, ex["executionArn"])


def map_run_of(sfn, execution_arn):
    runs = sfn.list_map_runs(executionArn=execution_arn)["mapRuns"]
    assert len(runs) == 1
    return runs[0]["mapRunArn"]


def test_inline_items_children_and_map_run(sfn):
    arn = machine(sfn, "inline", {
        "Type": "Map", "ItemsPath": "$.xs", "MaxConcurrency": 2, "Label": "Lbl",
        "ItemSelector": {"value.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"},
        "ItemProcessor": processor()})
    d = run(sfn, arn, {"xs": [10, 20, 30]})
    assert d["status"] == "SUCCEEDED", (d.get("error"), d.get("cause"))
    assert json.loads(d["output"]) == [{"value": 10, "index": 0}, {"value": 20, "index": 1},
                                       {"value": 30, "index": 2}]
    types = [e["type"] for e in history(sfn, d["executionArn"])]
    assert types == ["ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted",
                     "MapRunSucceeded", "MapStateSucceeded", "MapStateExited",
                     "ExecutionSucceeded"]
    started = [e for e in history(sfn, d["executionArn"]) if e["type"] == "MapRunStarted"][0]
    map_run = started["mapRunStartedEventDetails"]["mapRunArn"]
    assert map_run.startswith("arn:aws:states:us-east-1:%s:mapRun:inline/Lbl:" % ACCOUNT)
    assert map_run_of(sfn, d["executionArn"]) == map_run
    desc = sfn.describe_map_run(mapRunArn=map_run)
    assert desc["status"] == "SUCCEEDED"
    assert desc["executionArn"] == d["executionArn"]
    assert desc["maxConcurrency"] == 2
    assert desc["itemCounts"]["total"] == 3 and desc["itemCounts"]["succeeded"] == 3
    assert desc["executionCounts"]["succeeded"] == 3 and desc["executionCounts"]["pending"] == 0
    assert "stopDate" in desc
    children = sfn.list_executions(mapRunArn=map_run)["executions"]
    assert len(children) == 3
    for c in children:
        assert c["status"] == "SUCCEEDED"
        assert c["mapRunArn"] == map_run and c["itemCount"] == 1
        assert c["stateMachineArn"] == (
            "arn:aws:states:us-east-1:%s:stateMachine:inline/Lbl" % ACCOUNT)
        child = sfn.describe_execution(executionArn=c["executionArn"])
        assert child["mapRunArn"] == map_run
        described = sfn.describe_state_machine_for_execution(executionArn=c["executionArn"])
        assert described["mapRunArn"] == map_run and described["label"] == "Lbl"
        assert json.loads(described["definition"])["StartAt"] == "Echo"
        assert json.loads(child["input"])["value"] in (10, 20, 30)
    # The children are not the parent machine's executions.
    assert len(sfn.list_executions(stateMachineArn=arn)["executions"]) == 1


def test_json_reader_with_batcher(sfn, s3):
    s3.put_object(Bucket="items", Key="data.json",
                  Body=json.dumps([{"n": i} for i in range(7)]))
    arn = machine(sfn, "batched", {
        "Type": "Map",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                       "ReaderConfig": {"InputType": "JSON", "MaxItems": 5},
                       "Parameters": {"Bucket": "items", "Key.$": "$.key"}},
        "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"tag.$": "$.tag"}},
        "ItemProcessor": processor()})
    d = run(sfn, arn, {"key": "data.json", "tag": "t"})
    assert d["status"] == "SUCCEEDED", (d.get("error"), d.get("cause"))
    assert json.loads(d["output"]) == [
        {"Items": [{"n": 0}, {"n": 1}], "BatchInput": {"tag": "t"}},
        {"Items": [{"n": 2}, {"n": 3}], "BatchInput": {"tag": "t"}},
        {"Items": [{"n": 4}], "BatchInput": {"tag": "t"}}]
    desc = sfn.describe_map_run(mapRunArn=map_run_of(sfn, d["executionArn"]))
    assert desc["itemCounts"]["total"] == 5 and desc["itemCounts"]["succeeded"] == 5
    assert desc["executionCounts"]["total"] == 3
    counts = sorted(c["itemCount"] for c in sfn.list_executions(
        mapRunArn=desc["mapRunArn"])["executions"])
    assert counts == [1, 2, 2]


def test_jsonl_reader(sfn, s3):
    s3.put_object(Bucket="items", Key="d.jsonl", Body='{"a": 1}\n{"a": 2}\n\n{"a": 3}\n')
    arn = machine(sfn, "jsonl", {
        "Type": "Map",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                       "ReaderConfig": {"InputType": "JSONL"},
                       "Parameters": {"Bucket": "items", "Key": "d.jsonl"}},
        "ItemProcessor": processor()})
    d = run(sfn, arn)
    assert d["status"] == "SUCCEEDED", (d.get("error"), d.get("cause"))
    assert json.loads(d["output"]) == [{"a": 1}, {"a": 2}, {"a": 3}]


def test_csv_reader_first_row_and_given(sfn, s3):
    s3.put_object(Bucket="items", Key="a.csv", Body='name,qty\n"x, y",1\nz,2\n')
    s3.put_object(Bucket="items", Key="b.csv", Body="p;1\nq;2\n")
    first = machine(sfn, "csv1", {
        "Type": "Map",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                       "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                       "Parameters": {"Bucket": "items", "Key": "a.csv"}},
        "ItemProcessor": processor()})
    d = run(sfn, first)
    assert d["status"] == "SUCCEEDED", (d.get("error"), d.get("cause"))
    assert json.loads(d["output"]) == [{"name": "x, y", "qty": "1"}, {"name": "z", "qty": "2"}]
    given = machine(sfn, "csv2", {
        "Type": "Map",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                       "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "GIVEN",
                                        "CSVHeaders": ["k", "v"], "CSVDelimiter": "SEMICOLON"},
                       "Parameters": {"Bucket": "items", "Key": "b.csv"}},
        "ItemProcessor": processor()})
    d = run(sfn, given)
    assert d["status"] == "SUCCEEDED", (d.get("error"), d.get("cause"))
    assert json.loads(d["output"]) == [{"k": "p", "v": "1"}, {"k": "q", "v": "2"}]


def test_list_objects_reader(sfn, s3):
    for key in ("in/a.txt", "in/b.txt", "out/c.txt"):
        s3.put_object(Bucket="items", Key=key, Body=b"12345")
    arn = machine(sfn, "listing", {
        "Type": "Map",
        "ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2",
                       "Parameters": {"Bucket": "items", "Prefix": "in/"}},
        "ItemProcessor": processor()})
    d = run(sfn, arn)
    assert d["status"] == "SUCCEEDED", (d.get("error"), d.get("cause"))
    items = json.loads(d["output"])
    assert [i["Key"] for i in items] == ["in/a.txt", "in/b.txt"]
    for i in items:
        assert i["Size"] == 5 and i["StorageClass"] == "STANDARD"
        assert i["Etag"] == '"827ccb0eea8a706c4c34a16891f84e7b"'
        assert isinstance(i["LastModified"], int)


def test_item_reader_failure(sfn, s3):
    arn = machine(sfn, "missing", {
        "Type": "Map",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                       "ReaderConfig": {"InputType": "JSON"},
                       "Parameters": {"Bucket": "items", "Key": "nope.json"}},
        "ItemProcessor": processor()})
    d = run(sfn, arn)
    assert d["status"] == "FAILED"
    assert d["error"] == "States.ItemReaderFailed"
    assert "NoSuchKey" in d["cause"]
    types = [e["type"] for e in history(sfn, d["executionArn"])]
    assert "MapRunFailed" in types


FAIL_ODD = {"Check": {"Type": "Choice",
                      "Choices": [{"Variable": "$.n", "NumericGreaterThan": 2,
                                   "Next": "Boom"}],
                      "Default": "Ok"},
            "Boom": {"Type": "Fail", "Error": "Too.Big", "Cause": "n > 2"},
            "Ok": {"Type": "Pass", "End": True}}


def test_tolerated_failures(sfn):
    tolerant = machine(sfn, "tolerant", {
        "Type": "Map", "ToleratedFailureCount": 2,
        "ItemProcessor": processor(FAIL_ODD, "Check")})
    d = run(sfn, tolerant, [{"n": 1}, {"n": 2}, {"n": 3}, {"n": 4}])
    assert d["status"] == "SUCCEEDED", (d.get("error"), d.get("cause"))
    out = json.loads(d["output"])
    assert out[:2] == [{"n": 1}, {"n": 2}]
    assert out[2] == {"Error": "Too.Big", "Cause": "n > 2"}
    desc = sfn.describe_map_run(mapRunArn=map_run_of(sfn, d["executionArn"]))
    assert desc["toleratedFailureCount"] == 2
    assert desc["itemCounts"]["failed"] == 2 and desc["itemCounts"]["succeeded"] == 2


def test_failure_beyond_tolerance(sfn):
    strict = machine(sfn, "strict", {
        "Type": "Map", "ToleratedFailurePercentage": 20, "MaxConcurrency": 1,
        "ItemProcessor": processor(FAIL_ODD, "Check")})
    d = run(sfn, strict, [{"n": 1}, {"n": 3}, {"n": 2}, {"n": 5}, {"n": 0}])
    assert d["status"] == "FAILED"
    assert d["error"] == "States.ExceedToleratedFailureThreshold"
    events = history(sfn, d["executionArn"])
    failed = [e for e in events if e["type"] == "MapRunFailed"][0]
    assert failed["mapRunFailedEventDetails"]["error"] == \
        "States.ExceedToleratedFailureThreshold"
    desc = sfn.describe_map_run(mapRunArn=map_run_of(sfn, d["executionArn"]))
    assert desc["status"] == "FAILED"
    # One at a time: the second item fails (1 of 5 = 20% tolerated), the fourth exceeds it.
    assert desc["itemCounts"]["failed"] == 2
    assert desc["itemCounts"]["pending"] == 1
    assert desc["itemCounts"]["succeeded"] == 2


def test_no_tolerance_by_default_and_catch(sfn):
    d = {"StartAt": "M", "States": {
        "M": {"Type": "Map", "ItemsPath": "$.xs", "ItemProcessor": processor(FAIL_ODD, "Check"),
              "Catch": [{"ErrorEquals": ["States.ExceedToleratedFailureThreshold"],
                         "ResultPath": "$.err", "Next": "Handled"}], "End": True},
        "Handled": {"Type": "Pass", "End": True}}}
    arn = sfn.create_state_machine(name="caught", roleArn=ROLE,
                                   definition=json.dumps(d))["stateMachineArn"]
    d = run(sfn, arn, {"xs": 1})
    # The input is not an array: States.Runtime is not caught.
    assert d["status"] == "FAILED" and d["error"] == "States.Runtime"
    d = run(sfn, arn, {"xs": [{"n": 1}, {"n": 3}]})
    assert d["status"] == "SUCCEEDED", (d.get("error"), d.get("cause"))
    assert json.loads(d["output"])["err"]["Error"] == "States.ExceedToleratedFailureThreshold"


def test_result_writer(sfn, s3):
    s3.create_bucket(Bucket="results")
    arn = machine(sfn, "writer", {
        "Type": "Map", "ToleratedFailureCount": 5,
        "ItemProcessor": processor(FAIL_ODD, "Check"),
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                         "Parameters": {"Bucket": "results", "Prefix": "runs"}}})
    d = run(sfn, arn, [{"n": 1}, {"n": 3}])
    assert d["status"] == "SUCCEEDED", (d.get("error"), d.get("cause"))
    out = json.loads(d["output"])
    map_run = map_run_of(sfn, d["executionArn"])
    uuid = map_run.rsplit(":", 1)[1]
    assert out == {"MapRunArn": map_run,
                   "ResultWriterDetails": {"Bucket": "results",
                                           "Key": "runs/%s/manifest.json" % uuid}}
    manifest = json.loads(s3.get_object(Bucket="results", Key=out["ResultWriterDetails"]["Key"])[
        "Body"].read())
    assert manifest["DestinationBucket"] == "results" and manifest["MapRunArn"] == map_run
    files = manifest["ResultFiles"]
    assert files["PENDING"] == []
    assert [f["Key"] for f in files["SUCCEEDED"]] == ["runs/%s/SUCCEEDED_0.json" % uuid]
    assert [f["Key"] for f in files["FAILED"]] == ["runs/%s/FAILED_0.json" % uuid]
    ok = json.loads(s3.get_object(Bucket="results", Key=files["SUCCEEDED"][0]["Key"])[
        "Body"].read())
    assert files["SUCCEEDED"][0]["Size"] == len(json.dumps(ok, separators=(",", ":")))
    assert len(ok) == 1 and ok[0]["Status"] == "SUCCEEDED"
    assert json.loads(ok[0]["Output"]) == {"n": 1} and json.loads(ok[0]["Input"]) == {"n": 1}
    assert ok[0]["ExecutionArn"].startswith(
        "arn:aws:states:us-east-1:%s:execution:writer/M:" % ACCOUNT)
    bad = json.loads(s3.get_object(Bucket="results", Key=files["FAILED"][0]["Key"])[
        "Body"].read())
    assert bad[0]["Status"] == "FAILED" and bad[0]["Error"] == "Too.Big"
    desc = sfn.describe_map_run(mapRunArn=map_run)
    assert desc["executionCounts"]["resultsWritten"] == 2


def test_result_writer_failure(sfn):
    arn = machine(sfn, "writer_fails", {
        "Type": "Map", "ItemProcessor": processor(),
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                         "Parameters": {"Bucket": "no-such-bucket", "Prefix": "p"}}})
    d = run(sfn, arn, [1])
    assert d["status"] == "FAILED"
    assert d["error"] == "States.ResultWriterFailed"
    assert "NoSuchBucket" in d["cause"]


@pytest.mark.tidepool(args=["--time-scale", "0.01"])
def test_update_map_run_concurrency(sfn):
    arn = machine(sfn, "slow", {
        "Type": "Map", "MaxConcurrency": 1,
        "ItemProcessor": processor({"W": {"Type": "Wait", "Seconds": 100, "End": True}}, "W")})
    ex = sfn.start_execution(stateMachineArn=arn, input=json.dumps([1, 2, 3, 4]))["executionArn"]
    import time
    deadline = time.time() + 5
    while not sfn.list_map_runs(executionArn=ex)["mapRuns"]:
        assert time.time() < deadline
        time.sleep(0.02)
    map_run = map_run_of(sfn, ex)
    desc = sfn.describe_map_run(mapRunArn=map_run)
    assert desc["status"] == "RUNNING"
    assert desc["executionCounts"]["running"] == 1 and desc["executionCounts"]["pending"] == 3
    sfn.update_map_run(mapRunArn=map_run, maxConcurrency=4, toleratedFailureCount=1)
    desc = sfn.describe_map_run(mapRunArn=map_run)
    assert desc["maxConcurrency"] == 4 and desc["toleratedFailureCount"] == 1
    assert desc["executionCounts"]["running"] == 4
    assert wait_done(sfn, ex)["status"] == "SUCCEEDED"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sfn.update_map_run(mapRunArn=map_run, maxConcurrency=1)
    assert e.value.response["Error"]["Code"] == "ValidationException"


def test_stop_parent_aborts_children(sfn):
    arn = machine(sfn, "stopped", {
        "Type": "Map",
        "ItemProcessor": processor({"W": {"Type": "Wait", "Seconds": 1000, "End": True}}, "W")})
    ex = sfn.start_execution(stateMachineArn=arn, input=json.dumps([1, 2]))["executionArn"]
    import time
    deadline = time.time() + 5
    while True:
        runs = sfn.list_map_runs(executionArn=ex)["mapRuns"]
        if runs and sfn.describe_map_run(mapRunArn=runs[0]["mapRunArn"])[
                "executionCounts"]["running"] == 2:
            break
        assert time.time() < deadline
        time.sleep(0.02)
    sfn.stop_execution(executionArn=ex)
    map_run = runs[0]["mapRunArn"]
    while sfn.describe_map_run(mapRunArn=map_run)["executionCounts"]["aborted"] < 2:
        assert time.time() < deadline
        time.sleep(0.02)
    assert sfn.describe_map_run(mapRunArn=map_run)["status"] == "ABORTED"


def test_jsonata_items_and_express_children(sfn):
    arn = machine(sfn, "jsonata", {
        "Type": "Map", "Items": "{% $states.input.xs %}",
        "ItemSelector": {"v": "{% $states.context.Map.Item.Value * 2 %}"},
        "ItemProcessor": processor(execution_type="EXPRESS")}, query_language="JSONata")
    d = run(sfn, arn, {"xs": [1, 2]})
    assert d["status"] == "SUCCEEDED", (d.get("error"), d.get("cause"))
    assert json.loads(d["output"]) == [{"v": 2}, {"v": 4}]


def test_validation(sfn):
    def invalid(map_state):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            machine(sfn, "bad", map_state)
        assert e.value.response["Error"]["Code"] == "InvalidDefinition"
        return e.value.response["Error"]["Message"]

    assert "ExecutionType" in invalid({"Type": "Map", "ItemProcessor": {
        "ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "P",
        "States": {"P": {"Type": "Pass", "End": True}}}})
    assert "DISTRIBUTED" in invalid({"Type": "Map", "ItemReader": {
        "Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"}},
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}})
    assert "InputType" in invalid({"Type": "Map", "ItemReader": {
        "Resource": "arn:aws:states:::s3:getObject", "Parameters": {}},
        "ItemProcessor": processor()})
    # MANIFEST and PARQUET are read (test_sfn_distributed_io.py, test_sfn_parquet_reader.py);
    # ORC is not.
    assert "ORC" in invalid({"Type": "Map", "ItemReader": {
        "Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "ORC"}},
        "ItemProcessor": processor()})
    assert "ToleratedFailurePercentage" in invalid({
        "Type": "Map", "ToleratedFailurePercentage": 101, "ItemProcessor": processor()})
    result = sfn.validate_state_machine_definition(definition=json.dumps({
        "StartAt": "M", "States": {"M": {"Type": "Map", "End": True,
                                         "ItemBatcher": {"MaxItemsPerBatch": 3},
                                         "ItemProcessor": processor()}}}))
    assert result["result"] == "OK", result


def test_map_run_errors(sfn):
    bogus = "arn:aws:states:us-east-1:%s:mapRun:m/L:00000000-0000-0000-0000-000000000000" % ACCOUNT
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sfn.describe_map_run(mapRunArn=bogus)
    assert e.value.response["Error"]["Code"] == "ResourceNotFound"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sfn.describe_map_run(mapRunArn="arn:aws:states:us-east-1:%s:execution:x:y" % ACCOUNT)
    assert e.value.response["Error"]["Code"] == "InvalidArn"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sfn.list_executions(mapRunArn=bogus)
    assert e.value.response["Error"]["Code"] == "ResourceNotFound"


def test_kill_9_resumes_map_run_without_rerunning_children(tidepool_factory, tmp_path):
    """A running Map Run survives kill -9: the children that ended stay ended (not run again),
    the running ones resume where they were, the ones not yet started start after the restart,
    and the parent gets the Map Run's result once."""
    import time
    data_dir = tmp_path / "dmap"
    args = ["--time-scale", "0.01"]
    server = tidepool_factory(durability="sync", args=args, data_dir=data_dir)
    sfn = make_client(server.endpoint, "stepfunctions")
    arn = machine(sfn, "resumed", {
        "Type": "Map", "MaxConcurrency": 2,
        "ItemProcessor": processor({"W": {"Type": "Wait", "SecondsPath": "$.s", "End": True}},
                                   "W")})
    # 300 s at a time scale of 0.01: 3 s.
    items = [{"s": 0}, {"s": 300}, {"s": 300}, {"s": 0}, {"s": 0}]
    ex = sfn.start_execution(stateMachineArn=arn, input=json.dumps(items))["executionArn"]
    deadline = time.time() + 10
    while True:
        runs = sfn.list_map_runs(executionArn=ex)["mapRuns"]
        if runs:
            counts = sfn.describe_map_run(mapRunArn=runs[0]["mapRunArn"])["executionCounts"]
            if counts["succeeded"] == 1 and counts["running"] == 2:
                break
        assert time.time() < deadline
        time.sleep(0.02)
    map_run = runs[0]["mapRunArn"]
    before = {c["name"]: c for c in sfn.list_executions(mapRunArn=map_run)["executions"]}
    assert len(before) == 3
    time.sleep(0.5)  # the children's Waits are durable
    server, sfn = kill_and_restart(tidepool_factory, server, data_dir, args)
    assert sfn.describe_map_run(mapRunArn=map_run)["status"] == "RUNNING"
    d = wait_done(sfn, ex, timeout=30)
    assert d["status"] == "SUCCEEDED", (d.get("error"), d.get("cause"))
    assert json.loads(d["output"]) == items
    desc = sfn.describe_map_run(mapRunArn=map_run)
    assert desc["status"] == "SUCCEEDED"
    assert desc["executionCounts"]["succeeded"] == 5 and desc["executionCounts"]["total"] == 5
    after = {c["name"]: c for c in sfn.list_executions(mapRunArn=map_run)["executions"]}
    assert len(after) == 5
    for name, child in before.items():
        # The same executions, not new ones: the finished one kept its stop date.
        assert after[name]["startDate"] == child["startDate"]
        if child["status"] == "SUCCEEDED":
            assert after[name]["stopDate"] == child["stopDate"]
        events = [e["type"] for e in history(sfn, child["executionArn"])]
        assert events.count("ExecutionStarted") == 1 and events.count("WaitStateEntered") == 1
    types = [e["type"] for e in history(sfn, ex)]
    assert types.count("MapRunStarted") == 1 and types.count("MapRunSucceeded") == 1


def test_jsonata_item_reader_arguments_and_batcher(sfn, s3):
    s3.put_object(Bucket="items", Key="j.json", Body=json.dumps(["a", "b", "c"]))
    arn = machine(sfn, "jsonata_reader", {
        "Type": "Map",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                       "ReaderConfig": {"InputType": "JSON",
                                        "MaxItems": "{% $states.input.max %}"},
                       "Arguments": {"Bucket": "items", "Key": "{% $states.input.key %}"}},
        "ItemBatcher": {"MaxItemsPerBatch": "{% $states.input.per %}"},
        "ToleratedFailureCount": "{% 0 %}",
        "ItemProcessor": processor()}, query_language="JSONata")
    d = run(sfn, arn, {"key": "j.json", "max": 3, "per": 2})
    assert d["status"] == "SUCCEEDED", (d.get("error"), d.get("cause"))
    assert json.loads(d["output"]) == [{"Items": ["a", "b"]}, {"Items": ["c"]}]
    desc = sfn.describe_map_run(mapRunArn=map_run_of(sfn, d["executionArn"]))
    assert desc["itemCounts"]["total"] == 3 and desc["executionCounts"]["total"] == 2
