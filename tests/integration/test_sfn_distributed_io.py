"""Distributed Map reading and writing with boto3: ReaderConfig.ItemsPointer (the array inside
a JSON document read from S3) and ResultWriter.WriterConfig (Transformation NONE / COMPACT /
FLATTEN, OutputType JSON / JSONL; WriterConfig alone returns the transformed results instead of
exporting them).

AWS's contract ("ResultWriter (Map)" in the developer guide): NONE returns the children's output
with their metadata (the default when exporting), COMPACT their outputs (the default without a
ResultWriter), FLATTEN splices the outputs that are arrays; a child that failed is returned
unchanged; JSON writes an array, JSONL one value per line; a ResultWriter needs Resource and
Parameters, WriterConfig, or all three."""

import json

import botocore.exceptions
import pytest

from harness import ACCOUNT, make_client
from sfn_helpers import wait_done

ROLE = "arn:aws:iam::%s:role/sfn" % ACCOUNT

# Each child answers an array: [n, n * 10].
PAIR = {"StartAt": "Pair", "States": {"Pair": {
    "Type": "Pass", "Parameters": {"r.$": "States.Array($.n, States.MathAdd($.n, $.n))"},
    "OutputPath": "$.r", "End": True}}}


@pytest.fixture
def sfn(endpoint):
    return make_client(endpoint, "stepfunctions")


@pytest.fixture
def s3(endpoint):
    client = make_client(endpoint, "s3")
    client.create_bucket(Bucket="sfn-io")
    return client


def distributed(states, **fields):
    m = {"Type": "Map", "End": True,
         "ItemProcessor": dict(states, ProcessorConfig={"Mode": "DISTRIBUTED",
                                                        "ExecutionType": "STANDARD"})}
    m.update(fields)
    return m


def run(sfn, name, state, doc):
    arn = sfn.create_state_machine(name=name, roleArn=ROLE, definition=json.dumps(
        {"StartAt": "M", "States": {"M": state}}))["stateMachineArn"]
    ex = sfn.start_execution(stateMachineArn=arn, input=json.dumps(doc))["executionArn"]
    return wait_done(sfn, ex)


def test_items_pointer_reads_the_array_inside_a_json_object(sfn, s3):
    s3.put_object(Bucket="sfn-io", Key="doc.json", Body=json.dumps(
        {"meta": {"count": 3}, "data": {"rows": [{"n": 1}, {"n": 2}, {"n": 3}]}}))
    d = run(sfn, "pointer", distributed(PAIR, ItemReader={
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSON", "ItemsPointer": "/data/rows", "MaxItems": 2},
        "Parameters": {"Bucket": "sfn-io", "Key": "doc.json"}}), {})
    assert d["status"] == "SUCCEEDED", d
    assert json.loads(d["output"]) == [[1, 2], [2, 4]]
    missing = run(sfn, "pointer-missing", distributed(PAIR, ItemReader={
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSON", "ItemsPointer": "/meta"},
        "Parameters": {"Bucket": "sfn-io", "Key": "doc.json"}}), {})
    assert missing["status"] == "FAILED" and missing["error"] == "States.ItemReaderFailed"
    assert "/meta" in missing["cause"]


@pytest.mark.parametrize("transformation,expected", [
    ("COMPACT", [[1, 2], [2, 4]]),
    ("FLATTEN", [1, 2, 2, 4]),
])
def test_writer_config_alone_returns_the_transformed_results(sfn, transformation, expected):
    d = run(sfn, "preview-" + transformation.lower(), distributed(
        PAIR, ResultWriter={"WriterConfig": {"Transformation": transformation}}),
        [{"n": 1}, {"n": 2}])
    assert d["status"] == "SUCCEEDED", d
    assert json.loads(d["output"]) == expected


def test_none_preview_keeps_the_execution_metadata(sfn):
    d = run(sfn, "preview-none", distributed(
        PAIR, ResultWriter={"WriterConfig": {"Transformation": "NONE"}}), [{"n": 5}])
    assert d["status"] == "SUCCEEDED", d
    [entry] = json.loads(d["output"])
    assert entry["Status"] == "SUCCEEDED" and json.loads(entry["Output"]) == [5, 10]
    assert json.loads(entry["Input"]) == {"n": 5} and "ExecutionArn" in entry


def test_export_flattened_json_lines(sfn, s3):
    d = run(sfn, "export-jsonl", distributed(PAIR, ResultWriter={
        "Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket": "sfn-io", "Prefix": "out"},
        "WriterConfig": {"Transformation": "FLATTEN", "OutputType": "JSONL"}}),
        [{"n": 1}, {"n": 3}])
    assert d["status"] == "SUCCEEDED", d
    out = json.loads(d["output"])
    manifest = json.loads(s3.get_object(
        Bucket="sfn-io", Key=out["ResultWriterDetails"]["Key"])["Body"].read())
    [succeeded] = manifest["ResultFiles"]["SUCCEEDED"]
    assert succeeded["Key"].endswith("/SUCCEEDED_0.jsonl")
    body = s3.get_object(Bucket="sfn-io", Key=succeeded["Key"])["Body"].read().decode()
    assert succeeded["Size"] == len(body)
    assert [json.loads(line) for line in body.splitlines()] == [1, 2, 3, 6]


def test_export_defaults_to_none_and_compact_writes_outputs(sfn, s3):
    d = run(sfn, "export-compact", distributed(PAIR, ResultWriter={
        "Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket": "sfn-io", "Prefix": "compact"},
        "WriterConfig": {"Transformation": "COMPACT"}}), [{"n": 2}])
    assert d["status"] == "SUCCEEDED", d
    manifest_key = json.loads(d["output"])["ResultWriterDetails"]["Key"]
    key = json.loads(s3.get_object(Bucket="sfn-io", Key=manifest_key)["Body"].read())[
        "ResultFiles"]["SUCCEEDED"][0]["Key"]
    assert key.endswith("/SUCCEEDED_0.json")
    assert json.loads(s3.get_object(Bucket="sfn-io", Key=key)["Body"].read()) == [[2, 4]]


def test_invalid_writer_configs_are_refused(sfn):
    for writer in ({}, {"WriterConfig": {"Transformation": "SQUASH"}},
                   {"WriterConfig": {"OutputType": "CSV"}},
                   {"Parameters": {"Bucket": "sfn-io"}}):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            sfn.create_state_machine(name="bad-writer", roleArn=ROLE, definition=json.dumps(
                {"StartAt": "M", "States": {"M": distributed(PAIR, ResultWriter=writer)}}))
        assert e.value.response["Error"]["Code"] == "InvalidDefinition", writer


def test_manifest_reads_an_s3_inventory_report(sfn, s3):
    """InputType MANIFEST ("ItemReader (Map)": S3 inventory manifest.json): each row of the
    CSV data files (gzip or plain, no header) becomes an item keyed by the fileSchema."""
    import gzip
    s3.put_object(Bucket="sfn-io", Key="inv/data/a.csv.gz", Body=gzip.compress(
        b'"sfn-io","photos/1.jpg","10"\n"sfn-io","photos/2.jpg","20"\n'))
    s3.put_object(Bucket="sfn-io", Key="inv/data/b.csv", Body=b'"sfn-io","photos/3.jpg","30"\n')
    s3.put_object(Bucket="sfn-io", Key="inv/manifest.json", Body=json.dumps({
        "sourceBucket": "sfn-io", "destinationBucket": "arn:aws:s3:::sfn-io",
        "version": "2016-11-30",
        "fileFormat": "CSV", "fileSchema": "Bucket, Key, Size",
        "files": [{"key": "inv/data/a.csv.gz", "size": 1, "MD5checksum": "x"},
                  {"key": "inv/data/b.csv", "size": 1, "MD5checksum": "y"}]}))
    echo = {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}
    reader = {"Resource": "arn:aws:states:::s3:getObject",
              "ReaderConfig": {"InputType": "MANIFEST"},
              "Parameters": {"Bucket": "sfn-io", "Key": "inv/manifest.json"}}
    d = run(sfn, "manifest", distributed(echo, ItemReader=reader), {})
    assert d["status"] == "SUCCEEDED", d
    assert json.loads(d["output"]) == [
        {"Bucket": "sfn-io", "Key": "photos/%d.jpg" % n, "Size": str(10 * n)} for n in (1, 2, 3)]
    limited = run(sfn, "manifest-max", distributed(echo, ItemReader=dict(
        reader, ReaderConfig={"InputType": "MANIFEST", "MaxItems": 2})), {})
    assert len(json.loads(limited["output"])) == 2
    s3.put_object(Bucket="sfn-io", Key="inv/orc.json", Body=json.dumps({
        "destinationBucket": "arn:aws:s3:::sfn-io", "fileFormat": "ORC", "fileSchema": "x",
        "files": []}))
    orc = run(sfn, "manifest-orc", distributed(echo, ItemReader=dict(
        reader, Parameters={"Bucket": "sfn-io", "Key": "inv/orc.json"})), {})
    assert orc["status"] == "FAILED" and orc["error"] == "States.ItemReaderFailed"
