"""Kinesis through boto3: every operation of botocore's model, with AWS's error codes and texts.

Each test gets its own server (memory durability unless marked). The last test checks that the
tests of this module together called all 39 operations of the model.
"""

import json
import time

import botocore.exceptions
import botocore.session
import pytest

from harness import ACCOUNT, CALLED_OPERATIONS, make_client
from kinesis_helpers import (MAX_HASH_KEY, create_stream, expect_error, hash_key, list_all_shards,
                             open_shards, read_shard, shard_for, stream_arn, wait_active,
                             wait_for, wait_gone)

SEQ_DIGITS = 56  # Kinesis sequence numbers are decimal strings of up to 128 digits; AWS: 56


def not_found(name, account=ACCOUNT):
    return "Stream %s under account %s not found." % (name, account)


# ---- stream lifecycle -------------------------------------------------------------------------


def test_create_describe_delete(kinesis):
    kinesis.create_stream(StreamName="orders", ShardCount=2)
    summary = wait_active(kinesis, "orders")
    assert summary["StreamName"] == "orders"
    assert summary["StreamARN"] == stream_arn("orders")
    assert summary["StreamStatus"] == "ACTIVE"
    assert summary["OpenShardCount"] == 2
    assert summary["ConsumerCount"] == 0
    assert summary["RetentionPeriodHours"] == 24
    assert summary["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
    assert summary["EncryptionType"] == "NONE"

    desc = kinesis.describe_stream(StreamName="orders")["StreamDescription"]
    assert desc["StreamARN"] == stream_arn("orders")
    assert desc["HasMoreShards"] is False
    assert desc["EnhancedMonitoring"] == [{"ShardLevelMetrics": []}]
    shards = desc["Shards"]
    assert [s["ShardId"] for s in shards] == ["shardId-000000000000", "shardId-000000000001"]
    half = (MAX_HASH_KEY + 1) // 2
    assert shards[0]["HashKeyRange"] == {"StartingHashKey": "0", "EndingHashKey": str(half - 1)}
    assert shards[1]["HashKeyRange"] == {"StartingHashKey": str(half),
                                         "EndingHashKey": str(MAX_HASH_KEY)}
    for shard in shards:
        start = shard["SequenceNumberRange"]["StartingSequenceNumber"]
        assert start.isdigit(), shard
        assert "EndingSequenceNumber" not in shard["SequenceNumberRange"]
        assert "ParentShardId" not in shard

    kinesis.delete_stream(StreamName="orders")
    wait_gone(kinesis, "orders")
    expect_error(lambda: kinesis.describe_stream(StreamName="orders"),
                 "ResourceNotFoundException", message=not_found("orders"))
    expect_error(lambda: kinesis.delete_stream(StreamName="orders"),
                 "ResourceNotFoundException", message=not_found("orders"))
    assert kinesis.list_streams()["StreamNames"] == []


def test_create_stream_errors(kinesis, kinesis_unvalidated):
    create_stream(kinesis, "dup")
    expect_error(lambda: kinesis.create_stream(StreamName="dup", ShardCount=1),
                 "ResourceInUseException",
                 message="Stream dup under account %s already exists." % ACCOUNT)
    expect_error(lambda: kinesis.create_stream(StreamName="a b", ShardCount=1),
                 "ValidationException",
                 message="1 validation error detected: Value 'a b' at 'streamName' failed to "
                 "satisfy constraint: Member must satisfy regular expression pattern: "
                 "[a-zA-Z0-9_.-]+")
    long_name = "x" * 129
    expect_error(lambda: kinesis.create_stream(StreamName=long_name, ShardCount=1),
                 "ValidationException",
                 message="1 validation error detected: Value '%s' at 'streamName' failed to "
                 "satisfy constraint: Member must have length less than or equal to 128" %
                 long_name)
    expect_error(lambda: kinesis_unvalidated.create_stream(StreamName="zero", ShardCount=0),
                 "ValidationException",
                 message="1 validation error detected: Value '0' at 'shardCount' failed to "
                 "satisfy constraint: Member must have value greater than or equal to 1")
    expect_error(lambda: kinesis_unvalidated.create_stream(ShardCount=1),
                 "ValidationException",
                 message="1 validation error detected: Value null at 'streamName' failed to "
                 "satisfy constraint: Member must not be null")
    assert kinesis.list_streams()["StreamNames"] == ["dup"]


def test_request_id_header_on_success_and_error(kinesis):
    ok = kinesis.list_streams()["ResponseMetadata"]
    assert ok["HTTPHeaders"].get("x-amzn-requestid")
    assert ok["RequestId"] == ok["HTTPHeaders"]["x-amzn-requestid"]
    assert ok["HTTPHeaders"].get("content-type") == "application/x-amz-json-1.1"
    err = expect_error(lambda: kinesis.describe_stream(StreamName="nope"),
                       "ResourceNotFoundException")["ResponseMetadata"]
    assert err["HTTPHeaders"].get("x-amzn-requestid")
    assert err["RequestId"] != ok["RequestId"]


def test_stream_addressed_by_arn(kinesis):
    create_stream(kinesis, "byarn")
    arn = stream_arn("byarn")
    put = kinesis.put_record(StreamARN=arn, Data=b"x", PartitionKey="k")
    summary = kinesis.describe_stream_summary(StreamARN=arn)["StreamDescriptionSummary"]
    assert summary["StreamName"] == "byarn"
    it = kinesis.get_shard_iterator(StreamARN=arn, ShardId=put["ShardId"],
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert [r["Data"] for r in kinesis.get_records(StreamARN=arn, ShardIterator=it)["Records"]] \
        == [b"x"]
    expect_error(lambda: kinesis.describe_stream_summary(StreamARN=stream_arn("absent")),
                 "ResourceNotFoundException", message=not_found("absent"))


# ---- listing and paging -----------------------------------------------------------------------


def test_list_streams_paging(kinesis):
    names = ["s-c", "s-a", "s-e", "s-b", "s-d"]
    for name in names:
        kinesis.create_stream(StreamName=name, ShardCount=1)
    for name in names:
        wait_active(kinesis, name)
    everything = kinesis.list_streams()
    assert everything["StreamNames"] == sorted(names)
    assert everything["HasMoreStreams"] is False
    summaries = everything["StreamSummaries"]
    assert [s["StreamName"] for s in summaries] == sorted(names)
    for s in summaries:
        assert s["StreamARN"] == stream_arn(s["StreamName"])
        assert s["StreamStatus"] == "ACTIVE"
        assert s["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
        assert "StreamCreationTimestamp" in s

    page = kinesis.list_streams(Limit=2)
    assert page["StreamNames"] == ["s-a", "s-b"]
    assert page["HasMoreStreams"] is True
    seen = list(page["StreamNames"])
    while page["HasMoreStreams"]:
        page = kinesis.list_streams(Limit=2, NextToken=page["NextToken"])
        seen.extend(page["StreamNames"])
    assert seen == sorted(names)
    assert "NextToken" not in page

    after = kinesis.list_streams(ExclusiveStartStreamName="s-b")
    assert after["StreamNames"] == ["s-c", "s-d", "s-e"]

    paged = [n for p in kinesis.get_paginator("list_streams").paginate(
        PaginationConfig={"PageSize": 2}) for n in p["StreamNames"]]
    assert paged == sorted(names)


def test_list_shards_paging_and_errors(kinesis):
    create_stream(kinesis, "ls", shards=3)
    ids = ["shardId-00000000000%d" % i for i in range(3)]
    assert [s["ShardId"] for s in kinesis.list_shards(StreamName="ls")["Shards"]] == ids

    page = kinesis.list_shards(StreamName="ls", MaxResults=1)
    got = [s["ShardId"] for s in page["Shards"]]
    assert got == ids[:1] and page.get("NextToken")
    while page.get("NextToken"):
        page = kinesis.list_shards(NextToken=page["NextToken"], MaxResults=1)
        got.extend(s["ShardId"] for s in page["Shards"])
    assert got == ids

    after = kinesis.list_shards(StreamName="ls", ExclusiveStartShardId=ids[0])["Shards"]
    assert [s["ShardId"] for s in after] == ids[1:]
    by_arn = kinesis.list_shards(StreamARN=stream_arn("ls"))["Shards"]
    assert [s["ShardId"] for s in by_arn] == ids
    filtered = kinesis.list_shards(StreamName="ls",
                                   ShardFilter={"Type": "AFTER_SHARD_ID", "ShardId": ids[1]})
    assert [s["ShardId"] for s in filtered["Shards"]] == ids[2:]

    token = kinesis.list_shards(StreamName="ls", MaxResults=1)["NextToken"]
    expect_error(lambda: kinesis.list_shards(StreamName="ls", NextToken=token),
                 "InvalidArgumentException")
    expect_error(lambda: kinesis.list_shards(StreamName="nope"), "ResourceNotFoundException",
                 message=not_found("nope"))


def test_describe_stream_paging(kinesis):
    create_stream(kinesis, "ds", shards=3)
    first = kinesis.describe_stream(StreamName="ds", Limit=1)["StreamDescription"]
    assert [s["ShardId"] for s in first["Shards"]] == ["shardId-000000000000"]
    assert first["HasMoreShards"] is True
    got = [s["ShardId"] for s in first["Shards"]]
    desc = first
    while desc["HasMoreShards"]:
        desc = kinesis.describe_stream(StreamName="ds", Limit=1,
                                       ExclusiveStartShardId=got[-1])["StreamDescription"]
        assert len(desc["Shards"]) == 1
        got.extend(s["ShardId"] for s in desc["Shards"])
    assert got == ["shardId-000000000000", "shardId-000000000001", "shardId-000000000002"]
    paged = [s["ShardId"] for p in kinesis.get_paginator("describe_stream").paginate(
        StreamName="ds", PaginationConfig={"PageSize": 2}) for s in p["StreamDescription"]["Shards"]]
    assert paged == got


# ---- writing ----------------------------------------------------------------------------------


def test_put_record_routing_and_sequence(kinesis):
    create_stream(kinesis, "route", shards=4)
    shards = kinesis.list_shards(StreamName="route")["Shards"]
    last_seq = {}
    for i in range(40):
        key = "pk-%d" % i
        resp = kinesis.put_record(StreamName="route", Data=("v%d" % i).encode(), PartitionKey=key)
        assert resp["ShardId"] == shard_for(shards, hash_key(key)), key
        seq = resp["SequenceNumber"]
        assert seq.isdigit() and len(seq) <= 128
        assert int(seq) > last_seq.get(resp["ShardId"], 0)
        last_seq[resp["ShardId"]] = int(seq)
        assert resp["EncryptionType"] == "NONE"
    assert len(last_seq) == 4, "40 keys should reach all 4 shards"

    for explicit, shard_index in ((0, 0), (MAX_HASH_KEY, 3), ((MAX_HASH_KEY + 1) // 2, 2)):
        resp = kinesis.put_record(StreamName="route", Data=b"e", PartitionKey="same",
                                  ExplicitHashKey=str(explicit))
        assert resp["ShardId"] == "shardId-00000000000%d" % shard_index

    first = kinesis.put_record(StreamName="route", Data=b"1", PartitionKey="o")
    second = kinesis.put_record(StreamName="route", Data=b"2", PartitionKey="o",
                                SequenceNumberForOrdering=first["SequenceNumber"])
    assert int(second["SequenceNumber"]) > int(first["SequenceNumber"])


def test_put_record_errors(kinesis, kinesis_unvalidated):
    expect_error(lambda: kinesis.put_record(StreamName="nope", Data=b"x", PartitionKey="k"),
                 "ResourceNotFoundException", message=not_found("nope"))
    create_stream(kinesis, "perr")
    expect_error(lambda: kinesis_unvalidated.put_record(StreamName="perr", Data=b"x",
                                                        PartitionKey=""),
                 "ValidationException",
                 message="1 validation error detected: Value '' at 'partitionKey' failed to "
                 "satisfy constraint: Member must have length greater than or equal to 1")
    long_key = "k" * 257
    expect_error(lambda: kinesis.put_record(StreamName="perr", Data=b"x", PartitionKey=long_key),
                 "ValidationException",
                 message="1 validation error detected: Value '%s' at 'partitionKey' failed to "
                 "satisfy constraint: Member must have length less than or equal to 256" %
                 long_key)
    expect_error(lambda: kinesis.put_record(StreamName="perr", Data=b"x", PartitionKey="k",
                                            ExplicitHashKey="abc"),
                 "ValidationException",
                 message="1 validation error detected: Value 'abc' at 'explicitHashKey' failed "
                 "to satisfy constraint: Member must satisfy regular expression pattern: "
                 "0|([1-9]\\d{0,38})")
    expect_error(lambda: kinesis.put_record(StreamName="perr", Data=b"x", PartitionKey="k",
                                            ExplicitHashKey=str(MAX_HASH_KEY + 1)),
                 "InvalidArgumentException", contains=str(MAX_HASH_KEY + 1))
    # Over the stream's default maximum record size (1 MiB) but within the model's 10 MiB.
    with pytest.raises(botocore.exceptions.ClientError) as too_big:
        kinesis.put_record(StreamName="perr", Data=b"z" * (1024 * 1024 + 1), PartitionKey="k")
    assert too_big.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert too_big.value.response["Error"]["Code"] in ("ValidationException",
                                                       "InvalidArgumentException")
    exactly = kinesis.put_record(StreamName="perr", Data=b"z" * (1024 * 1024 - 1),
                                 PartitionKey="k")
    assert exactly["SequenceNumber"].isdigit()
    expect_error(lambda: kinesis_unvalidated.put_record(StreamName="perr", Data=b"x"),
                 "ValidationException",
                 message="1 validation error detected: Value null at 'partitionKey' failed to "
                 "satisfy constraint: Member must not be null")


def test_put_records_per_record_results(kinesis):
    create_stream(kinesis, "batch", shards=2)
    shards = kinesis.list_shards(StreamName="batch")["Shards"]
    records = [{"Data": b"rec-%03d\x00\xff" % i, "PartitionKey": "key-%d" % i} for i in range(500)]
    resp = kinesis.put_records(StreamName="batch", Records=records)
    assert resp["FailedRecordCount"] == 0
    assert resp["EncryptionType"] == "NONE"
    results = resp["Records"]
    assert len(results) == 500
    for rec, res in zip(records, results):
        assert res["ShardId"] == shard_for(shards, hash_key(rec["PartitionKey"]))
        assert res["SequenceNumber"].isdigit()
        assert "ErrorCode" not in res
    for shard in shards:
        want = [(r["Data"], res["SequenceNumber"]) for r, res in zip(records, results)
                if res["ShardId"] == shard["ShardId"]]
        got, _ = read_shard(kinesis, "batch", shard["ShardId"])
        assert [(r["Data"], r["SequenceNumber"]) for r in got] == want
        assert [r["PartitionKey"] for r in got] == [
            r["PartitionKey"] for r, res in zip(records, results)
            if res["ShardId"] == shard["ShardId"]]


def test_put_records_errors(kinesis, kinesis_unvalidated):
    create_stream(kinesis, "pre")
    expect_error(lambda: kinesis_unvalidated.put_records(
        StreamName="pre", Records=[{"Data": b"x", "PartitionKey": "k"}] * 501),
        "ValidationException",
        contains="at 'records' failed to satisfy constraint: Member must have length less than "
        "or equal to 500")
    expect_error(lambda: kinesis_unvalidated.put_records(StreamName="pre", Records=[]),
                 "ValidationException",
                 contains="at 'records' failed to satisfy constraint: Member must have length "
                 "greater than or equal to 1")
    expect_error(lambda: kinesis.put_records(StreamName="missing",
                                             Records=[{"Data": b"x", "PartitionKey": "k"}]),
                 "ResourceNotFoundException", message=not_found("missing"))
    # The whole batch is refused: nothing of it was written.
    expect_error(lambda: kinesis.put_records(StreamName="pre", Records=[
        {"Data": b"ok", "PartitionKey": "k"},
        {"Data": b"bad", "PartitionKey": "k", "ExplicitHashKey": str(MAX_HASH_KEY + 1)}]),
        "InvalidArgumentException")
    got, _ = read_shard(kinesis, "pre", "shardId-000000000000")
    assert got == []


@pytest.mark.tidepool(args=["--kinesis-throttle"])
def test_put_records_throttled_per_record(kinesis):
    create_stream(kinesis, "hot")
    # 500 x 4 KiB = 2 MiB in one call on one shard: above the 1 MiB/s per-shard write limit.
    records = [{"Data": bytes([i % 256]) * 4096, "PartitionKey": "p%d" % i} for i in range(500)]
    resp = kinesis.put_records(StreamName="hot", Records=records)
    failed = [r for r in resp["Records"] if "ErrorCode" in r]
    ok = [r for r in resp["Records"] if "ErrorCode" not in r]
    assert resp["FailedRecordCount"] == len(failed) > 0
    assert ok, "the first MiB of the second should be accepted"
    for r in failed:
        assert r["ErrorCode"] == "ProvisionedThroughputExceededException"
        assert r["ErrorMessage"].startswith("Rate exceeded for shard shardId-000000000000 in "
                                            "stream hot under account %s" % ACCOUNT)
        assert "SequenceNumber" not in r and "ShardId" not in r
    got, _ = read_shard(kinesis, "hot", "shardId-000000000000")
    assert [r["SequenceNumber"] for r in got] == [r["SequenceNumber"] for r in ok]
    accepted = [rec["Data"] for rec, res in zip(records, resp["Records"]) if "ErrorCode" not in res]
    assert [r["Data"] for r in got] == accepted


# ---- reading ----------------------------------------------------------------------------------


def test_iterator_types(kinesis):
    create_stream(kinesis, "it")
    shard = "shardId-000000000000"
    seqs = []
    for i in range(5):
        seqs.append(kinesis.put_record(StreamName="it", Data=b"r%d" % i,
                                       PartitionKey="k")["SequenceNumber"])

    def read(**kwargs):
        return [r["Data"] for r in read_shard(kinesis, "it", shard, **kwargs)[0]]

    assert read(iterator_type="TRIM_HORIZON") == [b"r0", b"r1", b"r2", b"r3", b"r4"]
    assert read(iterator_type="AT_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[2]) == \
        [b"r2", b"r3", b"r4"]
    assert read(iterator_type="AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[2]) == \
        [b"r3", b"r4"]

    latest = kinesis.get_shard_iterator(StreamName="it", ShardId=shard,
                                        ShardIteratorType="LATEST")["ShardIterator"]
    empty = kinesis.get_records(ShardIterator=latest)
    assert empty["Records"] == [] and empty["MillisBehindLatest"] == 0
    # boto3 sends Timestamp in whole seconds: put r5 just after a second boundary.
    mark = int(time.time()) + 1
    time.sleep(mark - time.time() + 0.05)
    kinesis.put_record(StreamName="it", Data=b"r5", PartitionKey="k")
    after_latest = kinesis.get_records(ShardIterator=empty["NextShardIterator"])
    assert [r["Data"] for r in after_latest["Records"]] == [b"r5"]
    assert read(iterator_type="AT_TIMESTAMP", Timestamp=mark) == [b"r5"]
    assert read(iterator_type="AT_TIMESTAMP", Timestamp=mark - 3600)[0] == b"r0"

    record = after_latest["Records"][0]
    assert record["PartitionKey"] == "k"
    assert abs(record["ApproximateArrivalTimestamp"].timestamp() - time.time()) < 60
    assert record.get("EncryptionType", "NONE") == "NONE"

    it = kinesis.get_shard_iterator(StreamName="it", ShardId=shard,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    two = kinesis.get_records(ShardIterator=it, Limit=2)
    assert [r["Data"] for r in two["Records"]] == [b"r0", b"r1"]
    assert two["MillisBehindLatest"] >= 0
    rest = kinesis.get_records(ShardIterator=two["NextShardIterator"], Limit=10)
    assert [r["Data"] for r in rest["Records"]] == [b"r2", b"r3", b"r4", b"r5"]
    # AWS accepts an iterator wrapped in double quotes, as scripts often pass it on.
    quoted = kinesis.get_records(ShardIterator='"%s"' % two["NextShardIterator"], Limit=1)
    assert [r["Data"] for r in quoted["Records"]] == [b"r2"]


def test_binary_data_round_trip(kinesis):
    create_stream(kinesis, "bin")
    payloads = [bytes(range(256)), b"", b"\x00" * 10, "ünïcødé".encode(), b"{\"a\":1}"]
    for p in payloads:
        kinesis.put_record(StreamName="bin", Data=p, PartitionKey="k")
    got, _ = read_shard(kinesis, "bin", "shardId-000000000000")
    assert [r["Data"] for r in got] == payloads


def test_get_shard_iterator_errors(kinesis, kinesis_unvalidated):
    create_stream(kinesis, "gsi")
    expect_error(lambda: kinesis.get_shard_iterator(StreamName="gsi",
                                                    ShardId="shardId-000000000009",
                                                    ShardIteratorType="TRIM_HORIZON"),
                 "ResourceNotFoundException",
                 message="Shard shardId-000000000009 in stream gsi under account %s does not "
                 "exist" % ACCOUNT)
    expect_error(lambda: kinesis.get_shard_iterator(StreamName="nope",
                                                    ShardId="shardId-000000000000",
                                                    ShardIteratorType="TRIM_HORIZON"),
                 "ResourceNotFoundException", message=not_found("nope"))
    expect_error(lambda: kinesis.get_shard_iterator(StreamName="gsi",
                                                    ShardId="shardId-000000000000",
                                                    ShardIteratorType="AT_SEQUENCE_NUMBER"),
                 "InvalidArgumentException")
    expect_error(lambda: kinesis.get_shard_iterator(StreamName="gsi",
                                                    ShardId="shardId-000000000000",
                                                    ShardIteratorType="AT_SEQUENCE_NUMBER",
                                                    StartingSequenceNumber="not-a-number"),
                 "ValidationException", contains="at 'startingSequenceNumber'")
    expect_error(lambda: kinesis.get_shard_iterator(StreamName="gsi",
                                                    ShardId="shardId-000000000000",
                                                    ShardIteratorType="AT_TIMESTAMP"),
                 "InvalidArgumentException")
    expect_error(lambda: kinesis_unvalidated.get_shard_iterator(
        StreamName="gsi", ShardId="shardId-000000000000", ShardIteratorType="SOMEWHERE"),
        "ValidationException",
        contains="Value 'SOMEWHERE' at 'shardIteratorType' failed to satisfy constraint: Member "
        "must satisfy enum value set:")


def test_get_records_errors(kinesis, kinesis_unvalidated):
    create_stream(kinesis, "gr")
    it = kinesis.get_shard_iterator(StreamName="gr", ShardId="shardId-000000000000",
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    expect_error(lambda: kinesis_unvalidated.get_records(ShardIterator=it, Limit=10001),
                 "ValidationException",
                 message="1 validation error detected: Value '10001' at 'limit' failed to "
                 "satisfy constraint: Member must have value less than or equal to 10000")
    expect_error(lambda: kinesis_unvalidated.get_records(ShardIterator=it, Limit=0),
                 "ValidationException",
                 message="1 validation error detected: Value '0' at 'limit' failed to "
                 "satisfy constraint: Member must have value greater than or equal to 1")
    expect_error(lambda: kinesis.get_records(ShardIterator="AAAAnot-an-iterator"),
                 "InvalidArgumentException")
    tampered = it[:-4] + ("AAAA" if not it.endswith("AAAA") else "BBBB")
    expect_error(lambda: kinesis.get_records(ShardIterator=tampered), "InvalidArgumentException")
    expect_error(lambda: kinesis.get_records(ShardIterator="x" * 513), "ValidationException",
                 contains="at 'shardIterator' failed to satisfy constraint: Member must have "
                 "length less than or equal to 512")
    kinesis.delete_stream(StreamName="gr")
    wait_gone(kinesis, "gr")
    expect_error(lambda: kinesis.get_records(ShardIterator=it), "ResourceNotFoundException")


def test_expired_iterator():
    pytest.skip("ExpiredIteratorException needs a 5-minute-old iterator and tidepool exposes "
                "no option to shorten iterator expiry")


# ---- resharding -------------------------------------------------------------------------------


def test_split_shard_child_shards(kinesis):
    create_stream(kinesis, "split")
    parent = "shardId-000000000000"
    for i in range(3):
        kinesis.put_record(StreamName="split", Data=b"before-%d" % i, PartitionKey="k%d" % i)
    middle = str((MAX_HASH_KEY + 1) // 2)
    kinesis.split_shard(StreamName="split", ShardToSplit=parent, NewStartingHashKey=middle)
    wait_active(kinesis, "split")

    shards = list_all_shards(kinesis, "split")
    by_id = {s["ShardId"]: s for s in shards}
    assert sorted(by_id) == [parent, "shardId-000000000001", "shardId-000000000002"]
    assert "EndingSequenceNumber" in by_id[parent]["SequenceNumberRange"]
    left, right = by_id["shardId-000000000001"], by_id["shardId-000000000002"]
    assert left["ParentShardId"] == parent and right["ParentShardId"] == parent
    assert left["HashKeyRange"] == {"StartingHashKey": "0", "EndingHashKey": str(int(middle) - 1)}
    assert right["HashKeyRange"] == {"StartingHashKey": middle, "EndingHashKey": str(MAX_HASH_KEY)}
    summary = kinesis.describe_stream_summary(StreamName="split")["StreamDescriptionSummary"]
    assert summary["OpenShardCount"] == 2

    records, last = read_shard(kinesis, "split", parent)
    assert [r["Data"] for r in records] == [b"before-0", b"before-1", b"before-2"]
    assert last.get("NextShardIterator") is None
    children = sorted(last["ChildShards"], key=lambda c: c["ShardId"])
    assert [c["ShardId"] for c in children] == ["shardId-000000000001", "shardId-000000000002"]
    for c in children:
        assert c["ParentShards"] == [parent]
        assert c["HashKeyRange"] == by_id[c["ShardId"]]["HashKeyRange"]

    put = kinesis.put_record(StreamName="split", Data=b"after", PartitionKey="x",
                             ExplicitHashKey=middle)
    assert put["ShardId"] == "shardId-000000000002"
    assert int(put["SequenceNumber"]) > int(records[-1]["SequenceNumber"])
    got, _ = read_shard(kinesis, "split", "shardId-000000000002")
    assert [r["Data"] for r in got] == [b"after"]

    at_latest = kinesis.list_shards(StreamName="split", ShardFilter={"Type": "AT_LATEST"})
    assert sorted(s["ShardId"] for s in at_latest["Shards"]) == [
        "shardId-000000000001", "shardId-000000000002"]
    # A closed shard cannot be split again (AWS's docs leave the code open between these two).
    with pytest.raises(botocore.exceptions.ClientError) as closed:
        kinesis.split_shard(StreamName="split", ShardToSplit=parent, NewStartingHashKey=middle)
    assert closed.value.response["Error"]["Code"] in ("ResourceInUseException",
                                                      "InvalidArgumentException")
    assert len(list_all_shards(kinesis, "split")) == 3


def test_merge_shards(kinesis):
    create_stream(kinesis, "merge", shards=2)
    kinesis.put_record(StreamName="merge", Data=b"a", PartitionKey="a", ExplicitHashKey="0")
    kinesis.merge_shards(StreamName="merge", ShardToMerge="shardId-000000000000",
                         AdjacentShardToMerge="shardId-000000000001")
    wait_active(kinesis, "merge")
    shards = {s["ShardId"]: s for s in list_all_shards(kinesis, "merge")}
    child = shards["shardId-000000000002"]
    assert child["ParentShardId"] == "shardId-000000000000"
    assert child["AdjacentParentShardId"] == "shardId-000000000001"
    assert child["HashKeyRange"] == {"StartingHashKey": "0", "EndingHashKey": str(MAX_HASH_KEY)}
    records, last = read_shard(kinesis, "merge", "shardId-000000000000")
    assert [r["Data"] for r in records] == [b"a"]
    assert last.get("NextShardIterator") is None
    assert [c["ShardId"] for c in last["ChildShards"]] == ["shardId-000000000002"]
    assert sorted(last["ChildShards"][0]["ParentShards"]) == [
        "shardId-000000000000", "shardId-000000000001"]
    assert kinesis.put_record(StreamName="merge", Data=b"b",
                              PartitionKey="b")["ShardId"] == "shardId-000000000002"


def test_resharding_errors(kinesis):
    create_stream(kinesis, "rerr", shards=3)
    expect_error(lambda: kinesis.merge_shards(StreamName="rerr",
                                              ShardToMerge="shardId-000000000000",
                                              AdjacentShardToMerge="shardId-000000000002"),
                 "InvalidArgumentException")
    expect_error(lambda: kinesis.split_shard(StreamName="rerr",
                                             ShardToSplit="shardId-000000000000",
                                             NewStartingHashKey="0"),
                 "InvalidArgumentException")
    expect_error(lambda: kinesis.split_shard(StreamName="rerr",
                                             ShardToSplit="shardId-000000000007",
                                             NewStartingHashKey="5"),
                 "ResourceNotFoundException")
    expect_error(lambda: kinesis.split_shard(StreamName="gone",
                                             ShardToSplit="shardId-000000000000",
                                             NewStartingHashKey="5"),
                 "ResourceNotFoundException", message=not_found("gone"))
    assert kinesis.describe_stream_summary(
        StreamName="rerr")["StreamDescriptionSummary"]["OpenShardCount"] == 3


def test_update_shard_count(kinesis):
    create_stream(kinesis, "usc", shards=1)
    resp = kinesis.update_shard_count(StreamName="usc", TargetShardCount=2,
                                      ScalingType="UNIFORM_SCALING")
    assert resp["StreamName"] == "usc"
    assert resp["CurrentShardCount"] == 1 and resp["TargetShardCount"] == 2
    assert resp["StreamARN"] == stream_arn("usc")
    summary = wait_active(kinesis, "usc")
    assert summary["OpenShardCount"] == 2
    live = sorted(open_shards(list_all_shards(kinesis, "usc")),
                  key=lambda s: int(s["HashKeyRange"]["StartingHashKey"]))
    assert int(live[0]["HashKeyRange"]["StartingHashKey"]) == 0
    assert int(live[-1]["HashKeyRange"]["EndingHashKey"]) == MAX_HASH_KEY
    for a, b in zip(live, live[1:]):
        assert int(a["HashKeyRange"]["EndingHashKey"]) + 1 == int(b["HashKeyRange"]["StartingHashKey"])
    # More than double the open shards is over AWS's UpdateShardCount limit.
    with pytest.raises(botocore.exceptions.ClientError) as over:
        kinesis.update_shard_count(StreamName="usc", TargetShardCount=9,
                                   ScalingType="UNIFORM_SCALING")
    assert over.value.response["Error"]["Code"] in ("LimitExceededException",
                                                    "InvalidArgumentException")
    assert kinesis.describe_stream_summary(
        StreamName="usc")["StreamDescriptionSummary"]["OpenShardCount"] == 2


@pytest.mark.tidepool(args=["--kinesis-status-delay-ms", "200"])
def test_status_transitions(kinesis):
    kinesis.create_stream(StreamName="slow", ShardCount=1)
    assert kinesis.describe_stream_summary(
        StreamName="slow")["StreamDescriptionSummary"]["StreamStatus"] == "CREATING"
    assert kinesis.list_streams()["StreamSummaries"][0]["StreamStatus"] == "CREATING"
    expect_error(lambda: kinesis.split_shard(StreamName="slow",
                                             ShardToSplit="shardId-000000000000",
                                             NewStartingHashKey="5"),
                 "ResourceInUseException")
    assert wait_active(kinesis, "slow")["StreamStatus"] == "ACTIVE"

    kinesis.split_shard(StreamName="slow", ShardToSplit="shardId-000000000000",
                        NewStartingHashKey=str(2**127))
    assert kinesis.describe_stream_summary(
        StreamName="slow")["StreamDescriptionSummary"]["StreamStatus"] == "UPDATING"
    # Writes go on during UPDATING; a second reshard is refused.
    kinesis.put_record(StreamName="slow", Data=b"x", PartitionKey="k")
    expect_error(lambda: kinesis.update_shard_count(StreamName="slow", TargetShardCount=4,
                                                    ScalingType="UNIFORM_SCALING"),
                 "ResourceInUseException")
    wait_active(kinesis, "slow")

    consumer = kinesis.register_stream_consumer(StreamARN=stream_arn("slow"),
                                                ConsumerName="c1")["Consumer"]
    assert consumer["ConsumerStatus"] == "CREATING"
    wait_for(lambda: kinesis.describe_stream_consumer(
        ConsumerARN=consumer["ConsumerARN"])["ConsumerDescription"]["ConsumerStatus"] == "ACTIVE",
        what="consumer ACTIVE")

    kinesis.delete_stream(StreamName="slow", EnforceConsumerDeletion=True)
    assert kinesis.describe_stream_summary(
        StreamName="slow")["StreamDescriptionSummary"]["StreamStatus"] == "DELETING"
    wait_gone(kinesis, "slow")


# ---- tags -------------------------------------------------------------------------------------


def test_tags_stream_form(kinesis):
    create_stream(kinesis, "tagged")
    kinesis.add_tags_to_stream(StreamName="tagged", Tags={"env": "dev", "team": "data",
                                                          "a": "1"})
    tags = kinesis.list_tags_for_stream(StreamName="tagged")
    assert tags["Tags"] == [{"Key": "a", "Value": "1"}, {"Key": "env", "Value": "dev"},
                            {"Key": "team", "Value": "data"}]
    assert tags["HasMoreTags"] is False
    page = kinesis.list_tags_for_stream(StreamName="tagged", Limit=1)
    assert page["Tags"] == [{"Key": "a", "Value": "1"}] and page["HasMoreTags"] is True
    page = kinesis.list_tags_for_stream(StreamName="tagged", ExclusiveStartTagKey="a")
    assert [t["Key"] for t in page["Tags"]] == ["env", "team"]
    kinesis.add_tags_to_stream(StreamName="tagged", Tags={"env": "prod"})
    kinesis.remove_tags_from_stream(StreamName="tagged", TagKeys=["team", "absent"])
    assert kinesis.list_tags_for_stream(StreamName="tagged")["Tags"] == [
        {"Key": "a", "Value": "1"}, {"Key": "env", "Value": "prod"}]
    expect_error(lambda: kinesis.add_tags_to_stream(StreamName="nope", Tags={"a": "b"}),
                 "ResourceNotFoundException", message=not_found("nope"))
    expect_error(lambda: kinesis.list_tags_for_stream(StreamName="nope"),
                 "ResourceNotFoundException", message=not_found("nope"))


def test_tags_resource_form(kinesis):
    kinesis.create_stream(StreamName="rtag", ShardCount=1, Tags={"born": "yes"})
    wait_active(kinesis, "rtag")
    arn = stream_arn("rtag")
    assert kinesis.list_tags_for_resource(ResourceARN=arn)["Tags"] == [
        {"Key": "born", "Value": "yes"}]
    kinesis.tag_resource(ResourceARN=arn, Tags={"k1": "v1", "k2": "v2"})
    assert kinesis.list_tags_for_resource(ResourceARN=arn)["Tags"] == [
        {"Key": "born", "Value": "yes"}, {"Key": "k1", "Value": "v1"},
        {"Key": "k2", "Value": "v2"}]
    kinesis.untag_resource(ResourceARN=arn, TagKeys=["k1", "born"])
    assert kinesis.list_tags_for_resource(ResourceARN=arn)["Tags"] == [
        {"Key": "k2", "Value": "v2"}]
    # Both forms see the same tags.
    assert kinesis.list_tags_for_stream(StreamName="rtag")["Tags"] == [
        {"Key": "k2", "Value": "v2"}]
    expect_error(lambda: kinesis.tag_resource(ResourceARN=stream_arn("nope"), Tags={"a": "b"}),
                 "ResourceNotFoundException")
    expect_error(lambda: kinesis.list_tags_for_resource(ResourceARN="not-an-arn"),
                 "ValidationException")


# ---- consumers --------------------------------------------------------------------------------


def test_consumers(kinesis):
    create_stream(kinesis, "fan")
    arn = stream_arn("fan")
    c = kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="app1")["Consumer"]
    assert c["ConsumerName"] == "app1"
    assert c["ConsumerARN"].startswith(arn + "/consumer/app1:")
    assert c["ConsumerStatus"] in ("CREATING", "ACTIVE")
    assert "ConsumerCreationTimestamp" in c
    wait_for(lambda: kinesis.describe_stream_consumer(ConsumerARN=c["ConsumerARN"])[
        "ConsumerDescription"]["ConsumerStatus"] == "ACTIVE", what="consumer ACTIVE")
    by_name = kinesis.describe_stream_consumer(StreamARN=arn, ConsumerName="app1")[
        "ConsumerDescription"]
    assert by_name["ConsumerARN"] == c["ConsumerARN"]
    assert by_name["StreamARN"] == arn
    kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="app2")
    listed = kinesis.list_stream_consumers(StreamARN=arn)["Consumers"]
    assert sorted(x["ConsumerName"] for x in listed) == ["app1", "app2"]
    page = kinesis.list_stream_consumers(StreamARN=arn, MaxResults=1)
    assert len(page["Consumers"]) == 1 and page.get("NextToken")
    rest = kinesis.list_stream_consumers(StreamARN=arn, NextToken=page["NextToken"])
    assert len(rest["Consumers"]) == 1
    assert {page["Consumers"][0]["ConsumerName"], rest["Consumers"][0]["ConsumerName"]} == {
        "app1", "app2"}
    assert kinesis.describe_stream_summary(
        StreamName="fan")["StreamDescriptionSummary"]["ConsumerCount"] == 2

    expect_error(lambda: kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="app1"),
                 "ResourceInUseException")
    expect_error(lambda: kinesis.register_stream_consumer(StreamARN=stream_arn("nope"),
                                                          ConsumerName="x"),
                 "ResourceNotFoundException")
    expect_error(lambda: kinesis.describe_stream_consumer(StreamARN=arn, ConsumerName="none"),
                 "ResourceNotFoundException")
    expect_error(lambda: kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="bad name"),
                 "ValidationException", contains="at 'consumerName'")

    kinesis.deregister_stream_consumer(ConsumerARN=c["ConsumerARN"])
    kinesis.deregister_stream_consumer(StreamARN=arn, ConsumerName="app2")

    def gone(name):
        try:
            kinesis.describe_stream_consumer(StreamARN=arn, ConsumerName=name)
            return False
        except botocore.exceptions.ClientError as e:
            return e.response["Error"]["Code"] == "ResourceNotFoundException"
    wait_for(lambda: gone("app1") and gone("app2"), what="consumers deregistered")
    assert kinesis.list_stream_consumers(StreamARN=arn)["Consumers"] == []

    kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="blocker")
    expect_error(lambda: kinesis.delete_stream(StreamName="fan"), "ResourceInUseException")
    kinesis.delete_stream(StreamName="fan", EnforceConsumerDeletion=True)
    wait_gone(kinesis, "fan")


def test_subscribe_to_shard_errors(kinesis):
    """A working subscription is in test_kinesis_fanout.py (it lasts minutes for boto3)."""
    create_stream(kinesis, "sub")
    arn = stream_arn("sub")
    c = kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="efo")["Consumer"]
    expect_error(lambda: kinesis.subscribe_to_shard(ConsumerARN=c["ConsumerARN"],
                                                    ShardId="shardId-000000000003",
                                                    StartingPosition={"Type": "TRIM_HORIZON"}),
                 "ResourceNotFoundException",
                 message="Shard shardId-000000000003 in stream sub under account %s does not "
                         "exist" % ACCOUNT)
    # The server is still fine afterwards.
    assert kinesis.list_streams()["StreamNames"] == ["sub"]


# ---- stream settings --------------------------------------------------------------------------


def test_retention_period(kinesis):
    create_stream(kinesis, "ret")

    def hours():
        return kinesis.describe_stream(StreamName="ret")["StreamDescription"][
            "RetentionPeriodHours"]
    kinesis.increase_stream_retention_period(StreamName="ret", RetentionPeriodHours=48)
    assert hours() == 48
    expect_error(lambda: kinesis.increase_stream_retention_period(StreamName="ret",
                                                                  RetentionPeriodHours=24),
                 "InvalidArgumentException")
    expect_error(lambda: kinesis.decrease_stream_retention_period(StreamName="ret",
                                                                  RetentionPeriodHours=72),
                 "InvalidArgumentException")
    expect_error(lambda: kinesis.increase_stream_retention_period(StreamName="ret",
                                                                  RetentionPeriodHours=8761),
                 "InvalidArgumentException")
    expect_error(lambda: kinesis.decrease_stream_retention_period(StreamName="ret",
                                                                  RetentionPeriodHours=23),
                 "InvalidArgumentException")
    kinesis.decrease_stream_retention_period(StreamName="ret", RetentionPeriodHours=24)
    assert hours() == 24
    kinesis.increase_stream_retention_period(StreamName="ret", RetentionPeriodHours=8760)
    assert hours() == 8760
    expect_error(lambda: kinesis.increase_stream_retention_period(StreamName="nope",
                                                                  RetentionPeriodHours=48),
                 "ResourceNotFoundException", message=not_found("nope"))


def test_enhanced_monitoring(kinesis):
    create_stream(kinesis, "mon")
    on = kinesis.enable_enhanced_monitoring(StreamName="mon",
                                            ShardLevelMetrics=["IncomingBytes", "OutgoingRecords"])
    assert on["StreamName"] == "mon"
    assert on["CurrentShardLevelMetrics"] == []
    assert sorted(on["DesiredShardLevelMetrics"]) == ["IncomingBytes", "OutgoingRecords"]
    desc = kinesis.describe_stream(StreamName="mon")["StreamDescription"]
    assert sorted(desc["EnhancedMonitoring"][0]["ShardLevelMetrics"]) == [
        "IncomingBytes", "OutgoingRecords"]
    off = kinesis.disable_enhanced_monitoring(StreamName="mon",
                                              ShardLevelMetrics=["IncomingBytes"])
    assert sorted(off["CurrentShardLevelMetrics"]) == ["IncomingBytes", "OutgoingRecords"]
    assert off["DesiredShardLevelMetrics"] == ["OutgoingRecords"]
    everything = kinesis.enable_enhanced_monitoring(StreamName="mon", ShardLevelMetrics=["ALL"])
    assert len(everything["DesiredShardLevelMetrics"]) == 7
    expect_error(lambda: kinesis.enable_enhanced_monitoring(StreamName="nope",
                                                            ShardLevelMetrics=["ALL"]),
                 "ResourceNotFoundException", message=not_found("nope"))


def test_stream_encryption(kinesis):
    create_stream(kinesis, "enc")
    kinesis.start_stream_encryption(StreamName="enc", EncryptionType="KMS",
                                    KeyId="alias/aws/kinesis")
    summary = wait_active(kinesis, "enc")
    assert summary["EncryptionType"] == "KMS"
    assert summary["KeyId"] == "alias/aws/kinesis"
    put = kinesis.put_record(StreamName="enc", Data=b"secret", PartitionKey="k")
    assert put["EncryptionType"] == "KMS"
    got, _ = read_shard(kinesis, "enc", put["ShardId"])
    assert got[0]["Data"] == b"secret" and got[0]["EncryptionType"] == "KMS"
    kinesis.stop_stream_encryption(StreamName="enc", EncryptionType="KMS",
                                   KeyId="alias/aws/kinesis")
    summary = wait_active(kinesis, "enc")
    assert summary["EncryptionType"] == "NONE"
    assert kinesis.put_record(StreamName="enc", Data=b"plain",
                              PartitionKey="k")["EncryptionType"] == "NONE"
    expect_error(lambda: kinesis.start_stream_encryption(StreamName="nope", EncryptionType="KMS",
                                                         KeyId="alias/aws/kinesis"),
                 "ResourceNotFoundException", message=not_found("nope"))


def test_describe_limits(kinesis):
    create_stream(kinesis, "lim", shards=3)
    limits = kinesis.describe_limits()
    assert limits["OpenShardCount"] == 3
    assert limits["ShardLimit"] >= 3
    assert limits["OnDemandStreamCount"] == 0
    assert limits["OnDemandStreamCountLimit"] > 0


def test_stream_mode_and_warm_throughput(kinesis):
    kinesis.create_stream(StreamName="od", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    summary = wait_active(kinesis, "od")
    assert summary["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
    assert summary["OpenShardCount"] == 4
    assert kinesis.describe_limits()["OnDemandStreamCount"] == 1
    # Neither ShardCount nor StreamModeDetails: an on-demand stream, as AWS creates today.
    kinesis.create_stream(StreamName="bare")
    bare = wait_active(kinesis, "bare")
    assert bare["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
    assert bare["OpenShardCount"] == 4
    kinesis.delete_stream(StreamName="bare")

    create_stream(kinesis, "prov")
    kinesis.update_stream_mode(StreamARN=stream_arn("prov"),
                               StreamModeDetails={"StreamMode": "ON_DEMAND"})
    assert wait_active(kinesis, "prov")["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
    kinesis.update_stream_mode(StreamARN=stream_arn("prov"),
                               StreamModeDetails={"StreamMode": "PROVISIONED"})
    assert wait_active(kinesis, "prov")["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}

    warm = kinesis.update_stream_warm_throughput(StreamName="od", WarmThroughputMiBps=10)
    assert warm["StreamName"] == "od"
    assert warm["StreamARN"] == stream_arn("od")
    assert warm["WarmThroughput"]["TargetMiBps"] == 10
    expect_error(lambda: kinesis.update_stream_mode(StreamARN=stream_arn("nope"),
                                                    StreamModeDetails={"StreamMode": "ON_DEMAND"}),
                 "ResourceNotFoundException")
    expect_error(lambda: kinesis.update_stream_warm_throughput(StreamName="nope",
                                                               WarmThroughputMiBps=10),
                 "ResourceNotFoundException")


def test_update_max_record_size(kinesis):
    create_stream(kinesis, "big")
    arn = stream_arn("big")
    kinesis.update_max_record_size(StreamARN=arn, MaxRecordSizeInKiB=2048)
    summary = wait_active(kinesis, "big")
    assert summary["MaxRecordSizeInKiB"] == 2048
    payload = b"b" * (1536 * 1024)
    put = kinesis.put_record(StreamName="big", Data=payload, PartitionKey="k")
    got, _ = read_shard(kinesis, "big", put["ShardId"])
    assert got[0]["Data"] == payload
    expect_error(lambda: kinesis.update_max_record_size(StreamARN=stream_arn("nope"),
                                                        MaxRecordSizeInKiB=2048),
                 "ResourceNotFoundException")


def test_resource_policy(kinesis):
    create_stream(kinesis, "pol")
    arn = stream_arn("pol")
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT},
        "Action": "kinesis:GetRecords", "Resource": arn}]})
    kinesis.put_resource_policy(ResourceARN=arn, Policy=policy)
    assert json.loads(kinesis.get_resource_policy(ResourceARN=arn)["Policy"]) == json.loads(policy)
    kinesis.delete_resource_policy(ResourceARN=arn)
    after = kinesis.get_resource_policy(ResourceARN=arn).get("Policy", "{}")
    assert json.loads(after) == {}
    expect_error(lambda: kinesis.put_resource_policy(ResourceARN=stream_arn("nope"),
                                                     Policy=policy),
                 "ResourceNotFoundException")


def test_account_settings(kinesis):
    first = kinesis.describe_account_settings()
    status = first.get("MinimumThroughputBillingCommitment", {"Status": "DISABLED"})["Status"]
    assert status == "DISABLED"
    updated = kinesis.update_account_settings(
        MinimumThroughputBillingCommitment={"Status": "ENABLED"})
    assert updated["MinimumThroughputBillingCommitment"]["Status"] == "ENABLED"
    assert kinesis.describe_account_settings()["MinimumThroughputBillingCommitment"][
        "Status"] == "ENABLED"


# ---- accounts ---------------------------------------------------------------------------------


def test_multi_account_by_access_key(endpoint, kinesis):
    other = make_client(endpoint, access_key="111111111111")
    create_stream(kinesis, "shared-name")
    other.create_stream(StreamName="shared-name", ShardCount=2)
    summary = wait_active(other, "shared-name")
    assert summary["StreamARN"] == stream_arn("shared-name", account="111111111111")
    assert summary["OpenShardCount"] == 2
    other.create_stream(StreamName="only-other", ShardCount=1)
    wait_active(other, "only-other")
    assert kinesis.list_streams()["StreamNames"] == ["shared-name"]
    assert other.list_streams()["StreamNames"] == ["only-other", "shared-name"]
    expect_error(lambda: kinesis.describe_stream(StreamName="only-other"),
                 "ResourceNotFoundException", message=not_found("only-other"))
    other.put_record(StreamName="shared-name", Data=b"theirs", PartitionKey="k",
                     ExplicitHashKey="0")
    mine, _ = read_shard(kinesis, "shared-name", "shardId-000000000000")
    assert mine == []
    theirs, _ = read_shard(other, "shared-name", "shardId-000000000000")
    assert [r["Data"] for r in theirs] == [b"theirs"]


# ---- coverage of the model --------------------------------------------------------------------


def test_every_model_operation_was_called():
    """Runs last in this module: the tests above must have called all operations."""
    operations = set(botocore.session.get_session().get_service_model("kinesis").operation_names)
    assert len(operations) == 39
    if not CALLED_OPERATIONS:
        pytest.skip("run together with the rest of test_kinesis_boto3.py")
    assert sorted(operations - CALLED_OPERATIONS) == []
