"""The aws CLI, with the seeds' own commands (000_pipeline_spike, 001_streamwreck) unchanged
except for --endpoint-url."""

import base64
import json
import os
import re
import subprocess

import pytest

from harness import ACCOUNT

SPIKE_ORDERS = [
    '{ "id" : "12345", "country_code" : "GB" }',
    '{ "id" : "12345", "country_code" : "FR" }',
    '{ "id" : "12345", "country_code" : "PANIC" }',
]


@pytest.fixture
def aws(endpoint, tmp_path):
    env = dict(os.environ)
    env.update({
        "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_PAGER": "",
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_CONFIG_FILE": str(tmp_path / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "aws-credentials"),
    })
    env.pop("AWS_PROFILE", None)
    version = subprocess.run(["aws", "--version"], capture_output=True, text=True, env=env,
                             check=True)
    major = int(re.search(r"aws-cli/(\d+)", version.stdout + version.stderr).group(1))
    # CLI v2 reads blob arguments as base64 unless told otherwise; a v2 user adds this flag to
    # run the seeds' commands, which were written for v1.
    blob_flags = ["--cli-binary-format", "raw-in-base64-out"] if major >= 2 else []

    def run(*args, check=True):
        argv = ["aws", "--endpoint-url", endpoint, *args]
        if "put-record" in args or "put-records" in args:
            argv += blob_flags
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
        if check:
            assert proc.returncode == 0, "%s\nstdout: %s\nstderr: %s" % (argv, proc.stdout,
                                                                        proc.stderr)
            return json.loads(proc.stdout) if proc.stdout.strip() else None
        return proc
    return run


def read_back(aws, stream, shard_id):
    iterator = aws("kinesis", "get-shard-iterator", "--stream-name", stream, "--shard-id",
                   shard_id, "--shard-iterator-type", "TRIM_HORIZON")["ShardIterator"]
    return aws("kinesis", "get-records", "--shard-iterator", iterator)


def test_pipeline_spike_seed_commands(aws):
    assert aws("kinesis", "create-stream", "--stream-name", "pipeline_spike_stream",
               "--shard-count", "1") is None
    aws("kinesis", "wait", "stream-exists", "--stream-name", "pipeline_spike_stream")
    puts = []
    for order in SPIKE_ORDERS:
        out = aws("kinesis", "put-record", "--stream-name", "pipeline_spike_stream", "--data",
                  order, "--partition-key", "test")
        assert out["ShardId"] == "shardId-000000000000"
        assert out["SequenceNumber"].isdigit()
        puts.append(out["SequenceNumber"])
    got = read_back(aws, "pipeline_spike_stream", "shardId-000000000000")
    assert [base64.b64decode(r["Data"]).decode() for r in got["Records"]] == SPIKE_ORDERS
    assert [r["SequenceNumber"] for r in got["Records"]] == puts
    assert all(r["PartitionKey"] == "test" for r in got["Records"])
    assert json.loads(base64.b64decode(got["Records"][0]["Data"])) == {"id": "12345",
                                                                     "country_code": "GB"}


def test_streamwreck_seed_commands(aws):
    aws("kinesis", "create-stream", "--stream-name", "WreakStream-Dev", "--shard-count", "2")
    aws("kinesis", "wait", "stream-exists", "--stream-name", "WreakStream-Dev")
    out = aws("kinesis", "put-record", "--stream-name", "WreakStream-Dev", "--data",
              "Data1234Foobar", "--partition-key", "foo")
    got = read_back(aws, "WreakStream-Dev", out["ShardId"])
    assert [base64.b64decode(r["Data"]) for r in got["Records"]] == [b"Data1234Foobar"]
    assert got["Records"][0]["SequenceNumber"] == out["SequenceNumber"]

    desc = aws("kinesis", "describe-stream", "--stream-name", "WreakStream-Dev")
    assert desc["StreamDescription"]["StreamStatus"] == "ACTIVE"
    assert len(desc["StreamDescription"]["Shards"]) == 2
    assert aws("kinesis", "list-streams")["StreamNames"] == ["WreakStream-Dev"]
    shards = aws("kinesis", "list-shards", "--stream-name", "WreakStream-Dev")["Shards"]
    assert [s["ShardId"] for s in shards] == ["shardId-000000000000", "shardId-000000000001"]


def test_cli_error_output(aws):
    proc = aws("kinesis", "describe-stream", "--stream-name", "nope", check=False)
    assert proc.returncode in (254, 255), proc
    assert ("An error occurred (ResourceNotFoundException) when calling the DescribeStream "
            "operation: Stream nope under account %s not found." % ACCOUNT) in proc.stderr


def test_cli_put_records_and_delete(aws, tmp_path):
    aws("kinesis", "create-stream", "--stream-name", "clibatch", "--shard-count", "1")
    aws("kinesis", "wait", "stream-exists", "--stream-name", "clibatch")
    out = aws("kinesis", "put-records", "--stream-name", "clibatch", "--records",
              "Data=one,PartitionKey=a", "Data=two,PartitionKey=b")
    assert out["FailedRecordCount"] == 0 and len(out["Records"]) == 2
    got = read_back(aws, "clibatch", "shardId-000000000000")
    assert [base64.b64decode(r["Data"]) for r in got["Records"]] == [b"one", b"two"]
    aws("kinesis", "delete-stream", "--stream-name", "clibatch")
    aws("kinesis", "wait", "stream-not-exists", "--stream-name", "clibatch")
    assert aws("kinesis", "list-streams")["StreamNames"] == []
