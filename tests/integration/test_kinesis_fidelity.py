"""Kinesis edge cases where we once differed from AWS (issue 20): boto3 and raw HTTP.

AWS's behaviour is what suites validated against AWS (kinesalite's, written against the real
service) expect: the wording of the tag errors, MergeShards' order, the empty bodies.
"""

import urllib.error
import urllib.request

from harness import ACCOUNT
from kinesis_helpers import create_stream, expect_error, wait_active

INVALID_TAG = ("Some tags contain invalid characters. Valid characters: Unicode letters, digits, "
               "white space, _ . / = + - % @ :.")


def illegal_tag(action, name):
    return ("Failed to %s stream %s under account %s because some tags contained illegal "
            "characters. The allowed characters are Unicode letters, white-spaces, "
            "'_',',','/','=','+','-','@',':'." % (action, name, ACCOUNT))


def raw_call(endpoint, operation, body):
    """An unsigned Kinesis request with `body` as it is; returns (status, headers, body)."""
    request = urllib.request.Request(
        endpoint + "/", data=body, method="POST",
        headers={"X-Amz-Target": "Kinesis_20131202." + operation,
                 "Content-Type": "application/x-amz-json-1.1"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def test_create_stream_without_shard_count_is_on_demand_with_four_shards(kinesis):
    kinesis.create_stream(StreamName="od")
    summary = wait_active(kinesis, "od")
    assert summary["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
    assert summary["OpenShardCount"] == 4


def test_sequence_number_for_ordering_zero_is_accepted(kinesis):
    create_stream(kinesis, "order0")
    out = kinesis.put_record(StreamName="order0", Data=b"x", PartitionKey="k",
                             SequenceNumberForOrdering="0")
    assert out["SequenceNumber"].isdigit()
    # A number that cannot be a sequence number of this server is still refused.
    bogus = "9" * 38
    expect_error(lambda: kinesis.put_record(StreamName="order0", Data=b"x", PartitionKey="k",
                                            SequenceNumberForOrdering=bogus),
                 "InvalidArgumentException", contains="ExclusiveMinimumSequenceNumber " + bogus)


def test_unknown_stream_is_reported_before_a_bad_shard(kinesis):
    missing = "Stream nope under account %s not found." % ACCOUNT
    expect_error(lambda: kinesis.get_shard_iterator(StreamName="nope", ShardId="bad",
                                                    ShardIteratorType="LATEST"),
                 "ResourceNotFoundException", message=missing)
    expect_error(lambda: kinesis.merge_shards(StreamName="nope", ShardToMerge="bad",
                                              AdjacentShardToMerge="worse"),
                 "ResourceNotFoundException", message=missing)
    expect_error(lambda: kinesis.split_shard(StreamName="nope", ShardToSplit="bad",
                                             NewStartingHashKey="5"),
                 "ResourceNotFoundException", message=missing)


def test_merge_shards_wants_hash_key_order(kinesis):
    create_stream(kinesis, "mo", shards=3)
    expect_error(lambda: kinesis.merge_shards(StreamName="mo", ShardToMerge="shardId-000000000001",
                                              AdjacentShardToMerge="shardId-000000000000"),
                 "InvalidArgumentException",
                 message="Shards shardId-000000000001 and shardId-000000000000 in stream mo under "
                         "account %s are not an adjacent pair of shards eligible for merging"
                         % ACCOUNT)
    expect_error(lambda: kinesis.merge_shards(StreamName="mo", ShardToMerge="shardId-000000000000",
                                              AdjacentShardToMerge="shardId-000000000002"),
                 "InvalidArgumentException", contains="not an adjacent pair")
    kinesis.merge_shards(StreamName="mo", ShardToMerge="shardId-000000000000",
                         AdjacentShardToMerge="shardId-000000000001")


def test_quoted_shard_iterator_is_accepted(kinesis):
    create_stream(kinesis, "quoted")
    kinesis.put_record(StreamName="quoted", Data=b"q", PartitionKey="k")
    iterator = kinesis.get_shard_iterator(StreamName="quoted", ShardId="shardId-000000000000",
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = kinesis.get_records(ShardIterator='"%s"' % iterator)["Records"]
    assert [r["Data"] for r in records] == [b"q"]


def test_tag_characters_aws_refuses(kinesis):
    create_stream(kinesis, "tags")
    arn = kinesis.describe_stream_summary(StreamName="tags")["StreamDescriptionSummary"][
        "StreamARN"]
    for bad in ("a;b", "tab\there", "new\nline", "emoji\U0001F600"):
        expect_error(lambda: kinesis.add_tags_to_stream(StreamName="tags", Tags={bad: "v"}),
                     "InvalidArgumentException", message=INVALID_TAG)
        expect_error(lambda: kinesis.add_tags_to_stream(StreamName="tags", Tags={"k": bad}),
                     "InvalidArgumentException", message=INVALID_TAG)
        expect_error(lambda: kinesis.tag_resource(ResourceARN=arn, Tags={bad: "v"}),
                     "InvalidArgumentException", message=INVALID_TAG)
        expect_error(lambda: kinesis.remove_tags_from_stream(StreamName="tags", TagKeys=[bad]),
                     "InvalidArgumentException", message=INVALID_TAG)
        expect_error(lambda: kinesis.untag_resource(ResourceARN=arn, TagKeys=[bad]),
                     "InvalidArgumentException", message=INVALID_TAG)
    expect_error(lambda: kinesis.add_tags_to_stream(StreamName="tags", Tags={"50%": "v"}),
                 "InvalidArgumentException", message=illegal_tag("add tags to", "tags"))
    expect_error(lambda: kinesis.remove_tags_from_stream(StreamName="tags", TagKeys=["50%"]),
                 "InvalidArgumentException", message=illegal_tag("remove tags from", "tags"))
    good = {"Team Name": "a_b.c/d=e+f-g@h:i", "Ünïcödé": "日本語"}
    kinesis.add_tags_to_stream(StreamName="tags", Tags=good)
    tags = kinesis.list_tags_for_stream(StreamName="tags")["Tags"]
    assert {t["Key"]: t["Value"] for t in tags} == good
    # The stream is looked up first.
    expect_error(lambda: kinesis.add_tags_to_stream(StreamName="nope", Tags={"a;b": "v"}),
                 "ResourceNotFoundException")


def test_operations_without_output_reply_with_an_empty_body(endpoint, kinesis):
    status, headers, body = raw_call(endpoint, "CreateStream", b'{"StreamName":"e","ShardCount":1}')
    assert (status, body) == (200, b"")
    assert headers["Content-Length"] == "0"
    wait_active(kinesis, "e")
    response = kinesis.add_tags_to_stream(StreamName="e", Tags={"a": "b"})
    assert response["ResponseMetadata"]["HTTPHeaders"]["content-length"] == "0"


def test_empty_body_is_a_serialization_exception(endpoint, kinesis):
    create_stream(kinesis, "listed")
    status, headers, body = raw_call(endpoint, "ListStreams", b"")
    assert status == 400
    assert headers["x-amzn-ErrorType"] == "SerializationException"
    assert b"SerializationException" in body
    status, _, body = raw_call(endpoint, "ListStreams", b"{}")
    assert status == 200 and b"listed" in body


def test_replies_carry_an_extended_request_id(kinesis):
    create_stream(kinesis, "ids")
    ok = kinesis.describe_stream_summary(StreamName="ids")["ResponseMetadata"]["HTTPHeaders"]
    assert ok.get("x-amz-id-2")
    error = expect_error(lambda: kinesis.describe_stream_summary(StreamName="nope"),
                         "ResourceNotFoundException")
    assert error["ResponseMetadata"]["HTTPHeaders"].get("x-amz-id-2")
