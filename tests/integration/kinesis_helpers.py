"""Small helpers shared by the Kinesis integration tests (waiting, reading shards, errors)."""

import hashlib
import time

import botocore.exceptions
import pytest

from harness import ACCOUNT, REGION

MAX_HASH_KEY = 2**128 - 1


def stream_arn(name, account=ACCOUNT):
    return "arn:aws:kinesis:%s:%s:stream/%s" % (REGION, account, name)


def hash_key(partition_key):
    """The 128-bit hash Kinesis routes a partition key by: MD5 read as a big-endian integer."""
    return int.from_bytes(hashlib.md5(partition_key.encode("utf-8")).digest(), "big")


def shard_for(shards, key_hash):
    for shard in shards:
        rng = shard["HashKeyRange"]
        if int(rng["StartingHashKey"]) <= key_hash <= int(rng["EndingHashKey"]):
            return shard["ShardId"]
    raise AssertionError("no shard covers hash %d" % key_hash)


def open_shards(shards):
    return [s for s in shards if "EndingSequenceNumber" not in s["SequenceNumberRange"]]


def expect_error(call, code, status=400, message=None, contains=None):
    """Runs call(); asserts it fails with AWS error `code` and HTTP `status`; returns the error."""
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        call()
    response = excinfo.value.response
    assert response["Error"]["Code"] == code, response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status, response
    assert response["ResponseMetadata"].get("RequestId"), response
    if message is not None:
        assert response["Error"]["Message"] == message, response
    if contains is not None:
        assert contains in response["Error"]["Message"], response
    return response


def wait_for(predicate, timeout=10.0, interval=0.02, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.1fs waiting for %s" % (timeout, what))
        time.sleep(interval)


def wait_active(kinesis, name, timeout=10.0):
    """Polls DescribeStreamSummary until ACTIVE (the boto3 waiter's 10 s delay is too slow)."""
    kinesis.get_waiter("stream_exists").wait(
        StreamName=name, WaiterConfig={"Delay": 0.02, "MaxAttempts": int(timeout / 0.02)})
    return kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]


def wait_gone(kinesis, name, timeout=10.0):
    kinesis.get_waiter("stream_not_exists").wait(
        StreamName=name, WaiterConfig={"Delay": 0.02, "MaxAttempts": int(timeout / 0.02)})


def create_stream(kinesis, name, shards=1, **kwargs):
    kinesis.create_stream(StreamName=name, ShardCount=shards, **kwargs)
    return wait_active(kinesis, name)


def list_all_shards(kinesis, name):
    shards, token = [], None
    while True:
        resp = (kinesis.list_shards(NextToken=token) if token else
                kinesis.list_shards(StreamName=name))
        shards.extend(resp["Shards"])
        token = resp.get("NextToken")
        if not token:
            return shards


def read_shard(kinesis, name, shard_id, iterator_type="TRIM_HORIZON", max_calls=1000, **kwargs):
    """Reads a shard from the given position until a GetRecords call returns nothing new and
    is caught up (open shard) or the iterator ends (closed shard).

    Returns (records, last GetRecords response).
    """
    iterator = kinesis.get_shard_iterator(StreamName=name, ShardId=shard_id,
                                          ShardIteratorType=iterator_type,
                                          **kwargs)["ShardIterator"]
    records = []
    for _ in range(max_calls):
        resp = kinesis.get_records(ShardIterator=iterator, Limit=10000)
        records.extend(resp["Records"])
        iterator = resp.get("NextShardIterator")
        if iterator is None:
            return records, resp
        if not resp["Records"] and resp.get("MillisBehindLatest", 0) == 0:
            return records, resp
    raise AssertionError("shard %s did not finish after %d GetRecords calls" %
                         (shard_id, max_calls))
