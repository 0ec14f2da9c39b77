"""Distributed Map ItemReader InputType PARQUET with boto3: each row of a Parquet object in S3
is an item keyed by column name (AWS: "Parquet files" as an ItemReader source). The files are
written by the test's own small writer (sfn_parquet.py: Thrift compact metadata, data pages v1
and v2, dictionary pages, UNCOMPRESSED/GZIP/SNAPPY/ZSTD); what tidepool's reader does not support
(nested or repeated columns...) fails the Map with States.ItemReaderFailed and a cause that
names it."""

import json

import pytest

import sfn_parquet as pq
from harness import ACCOUNT, make_client
from sfn_helpers import wait_done

ROLE = "arn:aws:iam::%s:role/sfn" % ACCOUNT
ECHO = {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}


@pytest.fixture
def clients(endpoint):
    """(Step Functions, S3) clients, with the bucket the tests read."""
    s3 = make_client(endpoint, "s3")
    s3.create_bucket(Bucket="sfn-parquet")
    return make_client(endpoint, "stepfunctions"), s3


def run(sfn, name, key, **config):
    reader = {"Resource": "arn:aws:states:::s3:getObject",
              "ReaderConfig": dict({"InputType": "PARQUET"}, **config),
              "Parameters": {"Bucket": "sfn-parquet", "Key": key}}
    state = {"Type": "Map", "End": True, "ItemReader": reader,
             "ItemProcessor": dict(ECHO, ProcessorConfig={"Mode": "DISTRIBUTED",
                                                          "ExecutionType": "EXPRESS"})}
    arn = sfn.create_state_machine(name=name, roleArn=ROLE, definition=json.dumps(
        {"StartAt": "M", "States": {"M": state}}))["stateMachineArn"]
    return wait_done(sfn, sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"])


COLUMNS = [
    ("id", pq.INT64, [1, 2, 3, 4, 5], {}),
    ("name", pq.BYTE_ARRAY, ["ann", None, "bob", "ann", "cy"],
     {"optional": True, "dictionary": True, "string": True}),
    ("score", pq.DOUBLE, [1.5, 2.0, None, 4.25, 0.0], {"optional": True}),
    ("ok", pq.BOOLEAN, [True, False, True, True, False], {}),
    ("day", pq.INT32, [0, 19723, 1, 2, 3], {"converted": 6}),
]
ROWS = [
    {"id": 1, "name": "ann", "score": 1.5, "ok": True, "day": "1970-01-01"},
    {"id": 2, "name": None, "score": 2.0, "ok": False, "day": "2024-01-01"},
    {"id": 3, "name": "bob", "score": None, "ok": True, "day": "1970-01-02"},
    {"id": 4, "name": "ann", "score": 4.25, "ok": True, "day": "1970-01-03"},
    {"id": 5, "name": "cy", "score": 0.0, "ok": False, "day": "1970-01-04"},
]


@pytest.mark.parametrize("codec", [pq.UNCOMPRESSED, pq.GZIP, pq.SNAPPY, pq.ZSTD])
@pytest.mark.parametrize("v2", [False, True])
def test_rows_become_items(clients, codec, v2):
    sfn, s3 = clients
    key = "rows-%d-%d.parquet" % (codec, v2)
    s3.put_object(Bucket="sfn-parquet", Key=key,
                  Body=pq.write(COLUMNS, codec=codec, v2=v2, row_groups=2))
    d = run(sfn, "parquet-%d-%d" % (codec, v2), key)
    assert d["status"] == "SUCCEEDED", d
    assert json.loads(d["output"]) == ROWS


def test_max_items_and_what_is_not_supported(clients):
    sfn, s3 = clients
    s3.put_object(Bucket="sfn-parquet", Key="few.parquet", Body=pq.write(COLUMNS, row_groups=3))
    d = run(sfn, "parquet-max", "few.parquet", MaxItems=3)
    assert d["status"] == "SUCCEEDED" and json.loads(d["output"]) == ROWS[:3]
    nested = [("a", pq.INT32, [1], {"children": 1})]
    s3.put_object(Bucket="sfn-parquet", Key="nested.parquet", Body=pq.write(nested))
    d = run(sfn, "parquet-nested", "nested.parquet")
    assert d["status"] == "FAILED" and d["error"] == "States.ItemReaderFailed"
    assert "nested" in d["cause"]
    s3.put_object(Bucket="sfn-parquet", Key="not.parquet", Body=b"id,name\n1,a\n")
    d = run(sfn, "parquet-not", "not.parquet")
    assert d["status"] == "FAILED" and d["error"] == "States.ItemReaderFailed"
    assert "not a Parquet file" in d["cause"]


def test_csv_options_are_refused_with_parquet(clients):
    sfn = clients[0]
    with pytest.raises(Exception) as e:
        sfn.create_state_machine(name="parquet-csv", roleArn=ROLE, definition=json.dumps(
            {"StartAt": "M", "States": {"M": {
                "Type": "Map", "End": True,
                "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                               "ReaderConfig": {"InputType": "PARQUET",
                                                "CSVHeaderLocation": "FIRST_ROW"},
                               "Parameters": {"Bucket": "b", "Key": "k"}},
                "ItemProcessor": dict(ECHO, ProcessorConfig={"Mode": "DISTRIBUTED",
                                                             "ExecutionType": "EXPRESS"})}}}))
    assert "CSVHeaderLocation is not supported with InputType PARQUET" in str(e.value)
